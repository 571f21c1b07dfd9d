"""The IDX (MNIST file format) reader: images and labels read back as written, bad files refused
in one line that names the file."""

import gzip
import struct

import numpy as np
import pytest

from gradtutor.train import datasets


def write_idx(path, array, type_code=0x08, dtype=">u1", compress=False):
    """An IDX file written byte by byte, independently of the loader."""
    header = bytes([0, 0, type_code, array.ndim]) + b"".join(struct.pack(">I", d) for d in array.shape)
    payload = header + np.asarray(array, dtype=dtype).tobytes()
    path.write_bytes(gzip.compress(payload) if compress else payload)
    return path


@pytest.mark.parametrize("compress", [False, True], ids=["raw", "gzip"])
def test_load_idx_images_and_labels(tmp_path, compress):
    images = np.random.default_rng(0).integers(0, 256, (5, 4, 3)).astype(np.uint8)
    labels = np.array([3, 1, 4, 1, 5], dtype=np.uint8)
    image_file = write_idx(tmp_path / "img.idx", images, compress=compress)
    label_file = write_idx(tmp_path / "lab.idx", labels, compress=compress)
    np.testing.assert_array_equal(datasets.load_idx(image_file), images)
    data = datasets.load_mnist(image_file, label_file)
    assert data.x.shape == (5, 1, 4, 3) and data.x.dtype == np.float32
    np.testing.assert_allclose(data.x[:, 0], images / 255.0, rtol=1e-6)
    assert data.y.tolist() == [3, 1, 4, 1, 5] and data.y.dtype == np.int64


def test_load_idx_big_endian_wider_types(tmp_path):
    values = np.array([[1, -2], [300, -40000]], dtype=np.int32)
    loaded = datasets.load_idx(write_idx(tmp_path / "i4", values, 0x0C, ">i4"))
    assert loaded.tolist() == values.tolist() and loaded.dtype == np.int32
    floats = np.array([0.5, -1.25], dtype=np.float64)
    assert datasets.load_idx(write_idx(tmp_path / "f8", floats, 0x0E, ">f8")).tolist() == [0.5, -1.25]


def test_bad_idx_files_give_one_line_errors(tmp_path):
    good = write_idx(tmp_path / "good", np.zeros((2, 3), dtype=np.uint8))
    raw = good.read_bytes()
    cases = {
        "missing": (tmp_path / "nope", "no such file"),
        "magic": (tmp_path / "magic", "not an IDX file (magic bytes 50 4b 03 04"),
        "header": (tmp_path / "header", "truncated header"),
        "data": (tmp_path / "data", "truncated: shape (2, 3) needs 6 bytes of data, found 4"),
        "extra": (tmp_path / "extra", "2 unexpected bytes"),
        "gzip": (tmp_path / "gzip", "damaged gzip"),
    }
    cases["magic"][0].write_bytes(b"PK\x03\x04 not idx")
    cases["header"][0].write_bytes(raw[:7])
    cases["data"][0].write_bytes(raw[:-2])
    cases["extra"][0].write_bytes(raw + b"\x00\x00")
    cases["gzip"][0].write_bytes(gzip.compress(raw)[:-6])
    for name, (path, message) in cases.items():
        with pytest.raises(datasets.IdxError) as caught:
            datasets.load_idx(path)
        text = str(caught.value)
        assert message in text and str(path) in text and "\n" not in text, name


def test_load_mnist_checks_the_pair(tmp_path):
    images = write_idx(tmp_path / "img", np.zeros((3, 2, 2), dtype=np.uint8))
    labels = write_idx(tmp_path / "lab", np.zeros(4, dtype=np.uint8))
    with pytest.raises(datasets.IdxError, match="has 3 images but .* has 4 labels"):
        datasets.load_mnist(images, labels)
    with pytest.raises(datasets.IdxError, match=r"expected images of shape \(N, rows, cols\)"):
        datasets.load_mnist(labels, labels)
