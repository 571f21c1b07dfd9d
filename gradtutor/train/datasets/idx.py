"""Reading MNIST-format IDX files (the format of MNIST and Fashion-MNIST), raw or gzipped.

An IDX file is a 4-byte magic number — two zero bytes, a type code, the number of dimensions —
then each dimension as a big-endian uint32, then the values, big-endian, row-major.
Nothing is downloaded: the user gives the paths.
"""

from __future__ import annotations

import gzip
from pathlib import Path

from gradtutor.backend import host as np
from gradtutor.errors import UserError
from gradtutor.train.datasets.core import Dataset

TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


class IdxError(UserError, ValueError):
    """The file is not a well-formed IDX file; the message names the file and the problem."""


def _read_bytes(path: Path) -> bytes:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise IdxError(f"{path}: no such file") from None
    except OSError as exc:
        raise IdxError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    if raw[:2] == b"\x1f\x8b":  # the gzip signature
        try:
            return gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise IdxError(f"{path}: a damaged gzip file ({exc})") from None
    return raw


def load_idx(path):
    """The array stored in an IDX file (host numpy, native byte order)."""
    path = Path(path)
    raw = _read_bytes(path)
    if len(raw) < 4:
        raise IdxError(f"{path}: too short for an IDX header ({len(raw)} bytes)")
    if raw[0] != 0 or raw[1] != 0 or raw[2] not in TYPES:
        raise IdxError(f"{path}: not an IDX file (magic bytes {raw[:4].hex(' ')}; expected 00 00 <type> <dims>)")
    ndim = raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise IdxError(f"{path}: truncated header: {ndim} dimensions need {header} bytes, found {len(raw)}")
    shape = tuple(int(d) for d in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    dtype = np.dtype(TYPES[raw[2]])
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    found = len(raw) - header
    if found < expected:
        raise IdxError(f"{path}: truncated: shape {shape} needs {expected} bytes of data, found {found}")
    if found > expected:
        raise IdxError(f"{path}: {found - expected} unexpected bytes after the data of shape {shape}")
    values = np.frombuffer(raw, dtype=dtype, count=expected // dtype.itemsize, offset=header)
    return values.reshape(shape).astype(dtype.newbyteorder("="))


def load_mnist(images_path, labels_path, name: str = "mnist") -> Dataset:
    """An image file (N, rows, cols) of uint8 and a label file (N,) as a Dataset:
    x float32 (N, 1, rows, cols) scaled to [0, 1], y int64 (N,)."""
    images = load_idx(images_path)
    labels = load_idx(labels_path)
    if images.ndim != 3:
        raise IdxError(f"{images_path}: expected images of shape (N, rows, cols), found shape {images.shape}")
    if labels.ndim != 1:
        raise IdxError(f"{labels_path}: expected labels of shape (N,), found shape {labels.shape}")
    if len(images) != len(labels):
        raise IdxError(f"{images_path} has {len(images)} images but {labels_path} has {len(labels)} labels")
    x = (images.astype(np.float32) / 255.0)[:, None, :, :]  # (N, 1, rows, cols)
    classes = int(labels.max()) + 1 if len(labels) else 0
    return Dataset(name, x, labels.astype(np.int64), "classes", max(classes, 10))
