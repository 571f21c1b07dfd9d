"""Reading MNIST-format IDX files (the format of MNIST and Fashion-MNIST), raw or gzipped.

An IDX file is a 4-byte magic number — two zero bytes, a type code, the number of dimensions —
then each dimension as a big-endian uint32, then the values, big-endian, row-major.
Nothing is downloaded: the user gives the paths.
"""

from __future__ import annotations

import gzip
import math
import os
import zlib
from pathlib import Path

from gradtutor.backend import host as np
from gradtutor.errors import UserError
from gradtutor.train.datasets.core import Dataset

TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


# Bounds on what a header may declare, checked before any data is read: MNIST-format files have
# one to three dimensions and hold tens of megabytes, while a header is free to claim anything
# (255 dimensions, or a gigabytes-long array in a gzip file of a few megabytes).
MAX_DIMENSIONS = 8
MAX_BYTES = 1 << 30  # 1 GiB of values; `load_idx(path, max_bytes=...)` allows more
_EXTRA_PEEK = 1 << 20  # how far past the data a gzip file is read to count unexpected bytes


class IdxError(UserError, ValueError):
    """The file is not a well-formed IDX file; the message names the file and the problem."""


def _open(path: Path):
    """The file as a stream of IDX bytes: gzip files (by their signature) decompressed as read."""
    if path.exists() and not path.is_file():  # a FIFO would block, a device never end
        raise IdxError(f"{path}: not a regular file")
    try:
        file = open(path, "rb")
    except FileNotFoundError:
        raise IdxError(f"{path}: no such file") from None
    except OSError as exc:
        raise IdxError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    if file.read(2) == b"\x1f\x8b":  # the gzip signature
        file.seek(0)
        return gzip.GzipFile(fileobj=file, mode="rb"), file
    file.seek(0)
    return file, file


def load_idx(path, max_bytes: int = MAX_BYTES):
    """The array stored in an IDX file (host numpy, native byte order).

    The header is checked before the values are read: at most MAX_DIMENSIONS dimensions, and
    at most `max_bytes` of values, so a small (gzip) file cannot make us allocate gigabytes.
    """
    path = Path(path)
    stream, file = _open(path)
    try:
        with file, stream:
            return _read_idx(path, stream, file, max_bytes)
    except (OSError, EOFError, zlib.error) as exc:
        raise IdxError(f"{path}: a damaged gzip file ({exc})" if stream is not file
                       else f"{path}: cannot read it ({getattr(exc, 'strerror', None) or exc})") from None


def _read_idx(path: Path, stream, file, max_bytes: int):
    magic = stream.read(4)
    if len(magic) < 4:
        raise IdxError(f"{path}: too short for an IDX header ({len(magic)} bytes)")
    if magic[0] != 0 or magic[1] != 0 or magic[2] not in TYPES:
        raise IdxError(f"{path}: not an IDX file (magic bytes {magic.hex(' ')}; expected 00 00 <type> <dims>)")
    ndim = magic[3]
    if not 1 <= ndim <= MAX_DIMENSIONS:
        raise IdxError(f"{path}: declares {ndim} dimensions; an IDX file here has 1 to {MAX_DIMENSIONS}")
    header = 4 + 4 * ndim
    dimensions = stream.read(4 * ndim)
    if len(dimensions) < 4 * ndim:
        raise IdxError(f"{path}: truncated header: {ndim} dimensions need {header} bytes, found {4 + len(dimensions)}")
    shape = tuple(int.from_bytes(dimensions[i : i + 4], "big") for i in range(0, 4 * ndim, 4))
    dtype = np.dtype(TYPES[magic[2]])
    expected = math.prod(shape) * dtype.itemsize  # Python integers: a product cannot wrap around
    if expected > max_bytes:
        raise IdxError(
            f"{path}: shape {shape} declares {expected:,} bytes of values, more than the limit of {max_bytes:,}"
        )
    if stream is file:  # a plain file: its size says whether the data is all there
        found = os.fstat(file.fileno()).st_size - header
        data = stream.read(expected) if found == expected else b""
    else:
        data = stream.read(expected + _EXTRA_PEEK)
        found = len(data)
    if found < expected:
        raise IdxError(f"{path}: truncated: shape {shape} needs {expected} bytes of data, found {found}")
    if found > expected:
        more = "at least " if stream is not file and found == expected + _EXTRA_PEEK else ""
        raise IdxError(f"{path}: {more}{found - expected} unexpected bytes after the data of shape {shape}")
    values = np.frombuffer(data, dtype=dtype, count=expected // dtype.itemsize)
    return values.reshape(shape).astype(dtype.newbyteorder("="))


def load_mnist(images_path, labels_path, name: str = "mnist", classes: int = 10) -> Dataset:
    """An image file (N, rows, cols) of uint8 and a label file (N,) as a Dataset:
    x float32 (N, 1, rows, cols) scaled to [0, 1], y int64 (N,). Labels are whole numbers from
    0 to classes − 1 (MNIST and Fashion-MNIST have 10; EMNIST's letters, say, need more)."""
    images = load_idx(images_path)
    labels = load_idx(labels_path)
    if images.ndim != 3:
        raise IdxError(f"{images_path}: expected images of shape (N, rows, cols), found shape {images.shape}")
    if labels.ndim != 1:
        raise IdxError(f"{labels_path}: expected labels of shape (N,), found shape {labels.shape}")
    if len(images) != len(labels):
        raise IdxError(f"{images_path} has {len(images)} images but {labels_path} has {len(labels)} labels")
    _check_labels(labels_path, labels, classes)
    x = (images.astype(np.float32) / 255.0)[:, None, :, :]  # (N, 1, rows, cols)
    return Dataset(name, x, labels.astype(np.int64), "classes", classes)


def _check_labels(path, labels, classes: int) -> None:
    if labels.dtype.kind not in "iu":
        raise IdxError(f"{path}: labels must be whole numbers, found {labels.dtype} values")
    outside = np.flatnonzero((labels < 0) | (labels >= classes))
    if len(outside):
        first = int(outside[0])
        raise IdxError(
            f"{path}: label {int(labels[first])} at index {first} is not a class of {classes} (0 to {classes - 1})"
        )
