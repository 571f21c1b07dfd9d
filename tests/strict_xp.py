"""A strict stand-in for CuPy that runs on the CPU, so the GPU code path is tested without a GPU.

`strict` (an instance of StrictModule) is an array module like numpy or cupy. Its arrays
(`DeviceArray`) hold a numpy array inside, but behave like arrays on another device:

- Implicit conversion to numpy fails: `numpy.asarray(x)` raises TypeError, as CuPy does.
- Numpy functions refuse them: `numpy.exp(x)` or `numpy.sum(x)` raise TypeError. (Real CuPy
  would quietly dispatch these to the GPU; refusing is stricter on purpose: library code must ask
  `backend.xp()` for its functions, so a stray `np.` is a bug we want to see.)
- Mixing with host arrays fails: `x + numpy_array` raises TypeError, as CuPy does. Host data
  goes onto the device only through `strict.asarray` / `strict.array` (backend.to_device), and
  comes back only through `strict.asnumpy` / `x.get()` (backend.to_host).
- Python scalars and numpy scalars are fine as operands; `float(x)`, `int(x)`, `bool(x)`,
  `x.item()` and `x.tolist()` are explicit device-to-host reads and are allowed, as in CuPy.
- Reductions return 0-d arrays, never numpy scalars, as in CuPy.

Every other function and method is numpy's, reached through `__getattr__` with arguments
unwrapped and results wrapped, so the stand-in follows numpy's (NumPy 2) dtype rules.
"""

from __future__ import annotations

import types

import numpy

_HOST_ONLY_MESSAGE = (
    "Implicit conversion to a NumPy array is not allowed on a device array; "
    "use backend.to_host (asnumpy / .get()) to copy it to the host explicitly"
)

# Names numpy has and CuPy has not (or whose use means a host round trip in library code).
_MODULE_DENYLIST = frozenset(
    {"errstate", "seterr", "geterr", "frompyfunc", "fromfile", "loadtxt", "savetxt", "genfromtxt",
     "set_printoptions", "asmatrix", "matrix", "memmap", "ctypeslib"}
)
_METHOD_DENYLIST = frozenset(
    {"tofile", "dump", "dumps", "byteswap", "ctypes", "__array_interface__", "__array_struct__",
     "tobytes", "getfield", "setfield", "newbyteorder",
     "data"}  # numpy's .data is a host buffer; CuPy's is a device pointer
)
# Functions that take host data on purpose: the explicit host-to-device door.
_HOST_TO_DEVICE = frozenset({"asarray", "array"})


class DeviceArray:
    """An array that lives 'on the device': wraps a numpy array, refuses implicit host use."""

    __slots__ = ("_a",)

    def __init__(self, array: numpy.ndarray):
        self._a = array

    # -- the host boundary ---------------------------------------------------------------------
    def __array__(self, dtype=None, copy=None):
        raise TypeError(_HOST_ONLY_MESSAGE)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        # `numpy.float32(2) * x` reaches here through the numpy scalar's operator; CuPy accepts
        # it, so do we. Any other numpy call on a device array is refused.
        if method == "__call__" and not kwargs and any(isinstance(i, numpy.generic) for i in inputs):
            if not any(isinstance(i, numpy.ndarray) for i in inputs):
                return _wrap(ufunc(*(_unwrap(i, ufunc.__name__) for i in inputs)))
        raise TypeError(
            f"numpy.{ufunc.__name__} was called on a device array; use the backend's array module "
            "(backend.xp()) instead of numpy"
        )

    def __array_function__(self, func, types_, args, kwargs):
        raise TypeError(
            f"numpy.{func.__name__} was called on a device array; use the backend's array module "
            "(backend.xp()) instead of numpy"
        )

    def get(self) -> numpy.ndarray:
        """Copy to the host (CuPy's name)."""
        return self._a.copy()

    def set(self, host_array) -> None:
        """Copy host data into this array in place (CuPy's name)."""
        source = numpy.asarray(host_array)
        if source.shape != self._a.shape:
            raise ValueError(f"shape mismatch in set(): {source.shape} into {self._a.shape}")
        self._a[...] = source

    def item(self):
        return self._a.item()

    def tolist(self):
        return self._a.tolist()

    def __float__(self):
        return float(self._a)

    def __int__(self):
        return int(self._a)

    def __complex__(self):
        return complex(self._a)

    def __bool__(self):
        return bool(self._a)

    def __format__(self, spec):
        return format(self._a.item() if self._a.ndim == 0 else self._a, spec)

    def __repr__(self):
        return "strict_" + repr(self._a)

    def __str__(self):
        return str(self._a)

    # -- plain attributes ----------------------------------------------------------------------
    shape = property(lambda self: self._a.shape)
    dtype = property(lambda self: self._a.dtype)
    ndim = property(lambda self: self._a.ndim)
    size = property(lambda self: self._a.size)
    nbytes = property(lambda self: self._a.nbytes)
    itemsize = property(lambda self: self._a.itemsize)
    strides = property(lambda self: self._a.strides)
    T = property(lambda self: DeviceArray(self._a.T))
    real = property(lambda self: DeviceArray(self._a.real))
    imag = property(lambda self: DeviceArray(self._a.imag))

    def __len__(self):
        return len(self._a)

    def __iter__(self):
        for row in self._a:
            yield _wrap(row)

    def __getattr__(self, name):
        if name == "_a":  # not set yet (copy/pickle protocols look attributes up on a bare object)
            raise AttributeError(name)
        if name in _METHOD_DENYLIST:
            raise AttributeError(f"device arrays have no {name!r} (it would need the host)")
        attribute = getattr(self._a, name)
        if callable(attribute):
            return _wrapped_callable(attribute, f"ndarray.{name}")
        return _wrap(attribute)

    # -- indexing ------------------------------------------------------------------------------
    def __getitem__(self, index):
        return _wrap(self._a[_unwrap_index(index)])

    def __setitem__(self, index, value):
        self._a[_unwrap_index(index)] = _unwrap(value, "__setitem__")

    # -- operators -----------------------------------------------------------------------------
    def __neg__(self):
        return DeviceArray(-self._a)

    def __pos__(self):
        return DeviceArray(+self._a)

    def __abs__(self):
        return DeviceArray(abs(self._a))

    def __invert__(self):
        return DeviceArray(~self._a)


def _binary(name):
    def forward(self, other):
        return _wrap(getattr(self._a, name)(_unwrap(other, name)))

    forward.__name__ = name
    return forward


def _inplace(name):
    def update(self, other):
        getattr(self._a, name)(_unwrap(other, name))
        return self

    update.__name__ = name
    return update


for _op in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul",
            "and", "or", "xor", "lshift", "rshift"):
    setattr(DeviceArray, f"__{_op}__", _binary(f"__{_op}__"))
    setattr(DeviceArray, f"__r{_op}__", _binary(f"__r{_op}__"))
    setattr(DeviceArray, f"__i{_op}__", _inplace(f"__i{_op}__"))
for _op in ("lt", "le", "gt", "ge", "eq", "ne"):
    setattr(DeviceArray, f"__{_op}__", _binary(f"__{_op}__"))
DeviceArray.__hash__ = None


def _unwrap(value, where: str):
    """The numpy value inside `value`, refusing host arrays (CuPy refuses them too)."""
    if isinstance(value, DeviceArray):
        return value._a
    if isinstance(value, numpy.ndarray):
        raise TypeError(
            f"a host (numpy) array was passed to {where} on the device; "
            "move it with backend.to_device first"
        )
    if isinstance(value, (list, tuple)):
        return type(value)(_unwrap(item, where) for item in value)
    if isinstance(value, dict):
        return {key: _unwrap(item, where) for key, item in value.items()}
    return value


def _unwrap_nested(value):
    """Host data for asarray: lists may hold device arrays (cupy.asarray([x, y]) works)."""
    if isinstance(value, DeviceArray):
        return value._a
    if isinstance(value, (list, tuple)):
        return [_unwrap_nested(item) for item in value]
    return value


def _unwrap_index(index):
    if isinstance(index, tuple):
        return tuple(_unwrap_index(item) for item in index)
    if isinstance(index, DeviceArray):
        return index._a
    if isinstance(index, numpy.ndarray):
        raise TypeError("a host (numpy) array was used as an index into a device array; "
                        "move it with backend.to_device first")
    return index


def _wrap(value):
    if isinstance(value, numpy.ndarray):
        return DeviceArray(value)
    if isinstance(value, numpy.generic) and not isinstance(value, (numpy.str_, numpy.bytes_)):
        return DeviceArray(numpy.asarray(value))  # CuPy reductions give 0-d arrays
    if isinstance(value, tuple):
        return tuple(_wrap(item) for item in value)
    if isinstance(value, list):
        return [_wrap(item) for item in value]
    return value


def _wrapped_callable(function, where: str):
    def call(*args, **kwargs):
        return _wrap(function(*_unwrap(args, where), **_unwrap(kwargs, where)))

    call.__name__ = getattr(function, "__name__", where)
    call.__doc__ = getattr(function, "__doc__", None)
    return call


class _Ufunc:
    """A numpy ufunc seen from the device: call, .at, .reduce, .outer, .accumulate."""

    def __init__(self, ufunc):
        self._ufunc = ufunc
        self.__name__ = ufunc.__name__

    def __call__(self, *args, **kwargs):
        return _wrapped_callable(self._ufunc, self.__name__)(*args, **kwargs)

    def __getattr__(self, name):
        attribute = getattr(self._ufunc, name)
        if callable(attribute):
            return _wrapped_callable(attribute, f"{self.__name__}.{name}")
        return attribute


class _Namespace:
    """A numpy submodule (random, linalg, fft) or a numpy object (a random Generator) whose
    functions take and give device arrays."""

    def __init__(self, target, name: str):
        self._target = target
        self._name = name

    def __getattr__(self, name):
        attribute = getattr(self._target, name)
        if isinstance(attribute, numpy.ufunc):
            return _Ufunc(attribute)
        if isinstance(attribute, types.ModuleType):
            return _Namespace(attribute, f"{self._name}.{name}")
        if isinstance(attribute, type) or not callable(attribute):
            return attribute
        function = _wrapped_callable(attribute, f"{self._name}.{name}")

        def call(*args, **kwargs):
            result = function(*args, **kwargs)
            if isinstance(result, (numpy.random.Generator, numpy.random.RandomState)):
                return _Namespace(result, f"{self._name}.{name}()")
            return result

        return call


class StrictModule(types.ModuleType):
    """The stand-in array module. `strict.exp(x)`, `strict.zeros(...)`, `strict.add.at(...)`:
    numpy's functions over DeviceArrays."""

    ndarray = DeviceArray

    def __init__(self):
        super().__init__("strict_xp", __doc__)
        self.random = _Namespace(numpy.random, "random")
        self.linalg = _Namespace(numpy.linalg, "linalg")
        self.fft = _Namespace(numpy.fft, "fft")

    def asarray(self, value, dtype=None, order=None):
        """Host data (or a device array) onto the device."""
        if isinstance(value, DeviceArray):
            return value if dtype is None or value.dtype == dtype else value.astype(dtype)
        return DeviceArray(numpy.array(_unwrap_nested(value), dtype=dtype, order=order or "K"))  # a copy, like a transfer

    def array(self, value, dtype=None, copy=True, order="K"):
        if isinstance(value, DeviceArray):
            return DeviceArray(value._a.astype(dtype or value.dtype, order=order, copy=True))
        return DeviceArray(numpy.array(_unwrap_nested(value), dtype=dtype, order=order))

    def asnumpy(self, value):
        """A device array back on the host (a copy), like cupy.asnumpy."""
        if isinstance(value, DeviceArray):
            return value._a.copy()
        return numpy.asarray(value)

    def get_array_module(self, *args):
        return self if any(isinstance(a, DeviceArray) for a in args) else numpy

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        if name in _MODULE_DENYLIST:
            raise AttributeError(f"the device array module has no {name!r} (CuPy has none either)")
        attribute = getattr(numpy, name)
        if isinstance(attribute, numpy.ufunc):
            return _Ufunc(attribute)
        if isinstance(attribute, types.ModuleType):
            return _Namespace(attribute, name)
        if isinstance(attribute, type) or not callable(attribute):
            return attribute  # dtypes (float32), constants (pi, inf, newaxis), classes
        return _wrapped_callable(attribute, name)


strict = StrictModule()


def is_device_array(value) -> bool:
    return isinstance(value, DeviceArray)
