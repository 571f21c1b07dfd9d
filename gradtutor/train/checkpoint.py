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
    path = Path(path)
    if not path.exists():
        raise CheckpointError(f"{path}: no such checkpoint file")
    try:
        with backend.host.load(path, allow_pickle=False) as data:
            contents = {key: data[key] for key in data.files}
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        raise CheckpointError(f"{path}: not a checkpoint (.npz) file, or a damaged one") from None
    if "format" not in contents or str(contents["format"]) != FORMAT:
        raise CheckpointError(f"{path}: an .npz file, but not a gradtutor checkpoint")
    version = int(contents["version"])
    if version > FORMAT_VERSION:
        raise CheckpointError(
            f"{path}: checkpoint format {version} is newer than this gradtutor reads ({FORMAT_VERSION}); upgrade gradtutor"
        )
    return Checkpoint(
        state={k.removeprefix("param/"): v for k, v in contents.items() if k.startswith("param/")},
        extra=json.loads(str(contents.get("extra", "{}"))),
        optimizer_state={k.removeprefix("optim/"): v for k, v in contents.items() if k.startswith("optim/")},
        optimizer_steps=int(contents.get("optim_steps", 0)),
    )


def load(path, model=None, optimizer=None) -> Checkpoint:
    """Read a checkpoint and, when given, copy it into `model` (and `optimizer`) in place.

    Names and shapes must match exactly; a mismatch is a CheckpointError naming the first
    differences, and nothing is changed.
    """
    checkpoint = read(path)
    if model is not None:
        _restore_model(path, model, checkpoint.state)
    if optimizer is not None:
        _restore_optimizer(path, optimizer, checkpoint)
    return checkpoint


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
