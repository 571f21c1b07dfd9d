"""Checkpoints: a model's parameters (and optionally an optimizer's state) in one .npz file.

The file holds host arrays (copied with backend.to_host), so a checkpoint written on the GPU
loads on the CPU and back. Keys:

    format            "gradtutor-checkpoint"
    version           FORMAT_VERSION (a newer file is refused with a clear message)
    param/<name>      each parameter or buffer, by the model's dotted name
    optim/<name>      optimizer state arrays ("first_moment/0", ...), and optim_steps
    extra             a JSON object of the caller's (epoch, metrics, options...)

What can be saved: a model with `state_dict()` / `load_state_dict()`, a dict of name → array or
parameter, or a list of parameters (named "0", "1", ... in order).
"""

from __future__ import annotations

import json
import math
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from gradtutor import backend
from gradtutor.errors import UserError

FORMAT = "gradtutor-checkpoint"
FORMAT_VERSION = 1


class CheckpointError(UserError, ValueError):
    """A checkpoint cannot be written or read; the message names the file and the problem."""


@dataclass
class Checkpoint:
    state: dict  # name -> host array
    extra: dict = field(default_factory=dict)
    optimizer_state: dict = field(default_factory=dict)  # name -> host array
    optimizer_steps: int = 0


def _state_of(model) -> dict:
    """name -> array (of any backend) for a model, a dict, or a list of parameters."""
    if hasattr(model, "state_dict"):
        return dict(model.state_dict())
    if isinstance(model, dict):
        return {str(k): getattr(v, "data", v) for k, v in model.items()}
    return {str(i): p.data for i, p in enumerate(model)}


def save(path, model, extra: dict | None = None, optimizer=None) -> Path:
    """Write a checkpoint; the file is replaced only once it is completely written."""
    path = Path(path)
    arrays = {"format": backend.host.array(FORMAT), "version": backend.host.array(FORMAT_VERSION)}
    for name, array in _state_of(model).items():
        arrays[f"param/{name}"] = backend.to_host(array)
    if optimizer is not None:
        for name, array in optimizer.state_arrays().items():
            arrays[f"optim/{name}"] = backend.to_host(array)
        arrays["optim_steps"] = backend.host.array(optimizer.steps)
    try:
        arrays["extra"] = backend.host.array(json.dumps(extra or {}))
    except TypeError as exc:
        raise CheckpointError(f"{path}: extra must be JSON data ({exc})") from None
    partial = path.with_name(path.name + ".partial")
    try:
        with open(partial, "wb") as handle:
            backend.host.savez(handle, **arrays)
        os.replace(partial, path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise CheckpointError(f"{path}: cannot write the checkpoint ({exc.strerror or exc})") from None
    return path


def read(path) -> Checkpoint:
    """Read a checkpoint into host arrays, checking that it is one."""
    return _read(Path(path))


def load(path, model=None, optimizer=None) -> Checkpoint:
    """Read a checkpoint and, when given, copy it into `model` (and `optimizer`) in place.

    Names and shapes must match exactly; a mismatch is a CheckpointError naming the first
    differences, and nothing is changed. They are compared from the arrays' headers, before
    any array is read: a small file cannot make us allocate gigabytes for a model that does
    not fit anyway.
    """
    path = Path(path)
    current = _state_of(model) if model is not None else None
    sizes = [int(array.size) for array in (current or {}).values()]
    if optimizer is not None:
        sizes += [int(p.data.size) for p in optimizer.params]
    checkpoint = _read(
        path,
        expected=current,
        largest=max(sizes, default=0) if sizes else None,
        with_optimizer=optimizer is not None or model is None,
    )
    if model is not None:
        _restore_model(path, model, checkpoint.state)
    if optimizer is not None:
        _restore_optimizer(path, optimizer, checkpoint)
    return checkpoint


# The bookkeeping fields are small 0-d arrays; a larger one is not something save() wrote.
FIELD_BYTES_LIMIT = 1 << 20
# Parameters are real numbers: integers are converted, anything else (complex, text, bytes,
# booleans, records) is refused.
_NUMBER_KINDS = "fiu"


@dataclass(frozen=True)
class _Member:
    """One array of the archive, as its header describes it (nothing read yet)."""

    info: zipfile.ZipInfo
    shape: tuple
    dtype: object

    @property
    def nbytes(self) -> int:
        return math.prod(self.shape) * self.dtype.itemsize


def _read(path: Path, expected: dict | None = None, largest: int | None = None,
          with_optimizer: bool = True) -> Checkpoint:
    if not path.exists():
        raise CheckpointError(f"{path}: no such checkpoint file")
    if not path.is_file():  # a FIFO or a device would block or never end
        raise CheckpointError(f"{path}: not a regular file, so not a checkpoint")
    try:
        with zipfile.ZipFile(path) as archive:
            members = _members(path, archive)
            fields = _fields(path, archive, members)
            params = {k.removeprefix("param/"): m for k, m in members.items() if k.startswith("param/")}
            optimizer = {k.removeprefix("optim/"): m for k, m in members.items() if k.startswith("optim/")}
            if expected is not None:
                _compare(path, "model", expected, params)
            if not with_optimizer:
                optimizer = {}
            for name, member in {**params, **optimizer}.items():
                _check_numbers(path, name, member, largest)
            state = {name: _finite(path, name, _array(archive, m)) for name, m in params.items()}
            optimizer_state = {name: _finite(path, name, _array(archive, m)) for name, m in optimizer.items()}
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, KeyError) as exc:
        if isinstance(exc, CheckpointError):
            raise
        raise CheckpointError(f"{path}: not a checkpoint (.npz) file, or a damaged one") from None
    return Checkpoint(state=state, optimizer_state=optimizer_state, **fields)


def _members(path: Path, archive: zipfile.ZipFile) -> dict[str, _Member]:
    """Every array's name, shape and dtype, read from its header alone."""
    npy = backend.host.lib.format
    members = {}
    for info in archive.infolist():
        if not info.filename.endswith(".npy"):
            raise CheckpointError(f"{path}: holds {info.filename!r}, which is not an array; not a checkpoint")
        with archive.open(info) as stream:
            version = npy.read_magic(stream)
            if version == (1, 0):
                shape, _, dtype = npy.read_array_header_1_0(stream)
            elif version == (2, 0):
                shape, _, dtype = npy.read_array_header_2_0(stream)
            else:
                raise ValueError(f"array format {version}")
            header = stream.tell()
        if dtype.hasobject:
            raise CheckpointError(f"{path}: {info.filename} holds Python objects; a checkpoint holds only numbers")
        member = _Member(info, tuple(shape), dtype)
        if header + member.nbytes != info.file_size:  # the header promises more than the file has
            raise ValueError("array size does not match its header")
        members[info.filename.removesuffix(".npy")] = member
    return members


def _fields(path: Path, archive: zipfile.ZipFile, members: dict[str, _Member]) -> dict:
    """The bookkeeping fields, each checked for the kind of value save() writes."""
    if "format" not in members or _field(path, archive, members, "format", "U") != FORMAT:
        raise CheckpointError(f"{path}: an .npz file, but not a gradtutor checkpoint")
    if "version" not in members:
        raise CheckpointError(f"{path}: a gradtutor checkpoint without a format version")
    version = int(_field(path, archive, members, "version", "iu"))
    if version > FORMAT_VERSION:
        raise CheckpointError(
            f"{path}: checkpoint format {version} is newer than this gradtutor reads ({FORMAT_VERSION}); upgrade gradtutor"
        )
    extra = {}
    if "extra" in members:
        text = str(_field(path, archive, members, "extra", "U"))
        try:
            extra = json.loads(text)
        except (ValueError, RecursionError):
            extra = None
        if not isinstance(extra, dict):
            raise CheckpointError(f"{path}: its extra field is not a JSON object")
    steps = int(_field(path, archive, members, "optim_steps", "iu")) if "optim_steps" in members else 0
    if steps < 0:
        raise CheckpointError(f"{path}: optim_steps is negative ({steps})")
    return {"extra": extra, "optimizer_steps": steps}


def _field(path: Path, archive: zipfile.ZipFile, members: dict[str, _Member], key: str, kinds: str):
    member = members[key]
    wanted = "text" if kinds == "U" else "a whole number"
    if member.shape != () or member.dtype.kind not in kinds or member.nbytes > FIELD_BYTES_LIMIT:
        raise CheckpointError(
            f"{path}: its {key} field should be {wanted}, but is an array of shape {member.shape} and dtype {member.dtype}"
        )
    return _array(archive, member)[()]


def _check_numbers(path: Path, name: str, member: _Member, largest: int | None) -> None:
    if member.dtype.kind not in _NUMBER_KINDS:
        raise CheckpointError(f"{path}: {name} holds {member.dtype} values; parameters must be real numbers")
    if largest is not None and math.prod(member.shape) > largest:
        raise CheckpointError(
            f"{path}: {name} has shape {member.shape}, larger than any array of the model it is loaded into"
        )


def _array(archive: zipfile.ZipFile, member: _Member):
    with archive.open(member.info) as stream:
        return backend.host.lib.format.read_array(stream, allow_pickle=False)


def _finite(path: Path, name: str, array):
    if array.dtype.kind == "f" and not backend.host.isfinite(array).all():
        raise CheckpointError(f"{path}: {name} holds values that are not finite numbers (NaN or infinity)")
    return array


def _compare(path, what: str, expected: dict, found: dict) -> None:
    missing, unexpected = sorted(set(expected) - set(found)), sorted(set(found) - set(expected))
    if missing or unexpected:
        raise CheckpointError(
            f"{path}: the {what} does not match the checkpoint: missing {missing[:5]}, unexpected {unexpected[:5]}"
        )
    for name, array in found.items():
        if tuple(expected[name].shape) != tuple(array.shape):
            raise CheckpointError(
                f"{path}: {name} has shape {tuple(array.shape)} in the checkpoint but {tuple(expected[name].shape)} in the {what}"
            )


def _restore_model(path, model, state: dict) -> None:
    current = _state_of(model)
    _compare(path, "model", current, state)
    if hasattr(model, "load_state_dict"):
        model.load_state_dict(state)
        return
    targets = list(model.values()) if isinstance(model, dict) else list(model)
    for (name, _), target in zip(current.items(), targets):
        array = getattr(target, "data", target)
        array[...] = backend.to_device(state[name], dtype=array.dtype)


def _restore_optimizer(path, optimizer, checkpoint: Checkpoint) -> None:
    try:
        optimizer.load_state_arrays(checkpoint.optimizer_state, checkpoint.optimizer_steps)
    except ValueError as exc:
        raise CheckpointError(f"{path}: {exc}") from None
