"""IDX files whose headers lie: too many dimensions, sizes that would wrap around, gzip bombs,
and labels that are not classes. Each is an IdxError naming the file, found from the header
before the values are read."""

import gzip
import os
import resource
import struct

import numpy as np
import pytest

from gradtutor.train import datasets
from gradtutor.train.datasets import idx


def header(dims, type_code=0x08) -> bytes:
    return bytes([0, 0, type_code, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims)


def refused(path, *fragments, load=datasets.load_idx):
    with pytest.raises(datasets.IdxError) as caught:
        load(path)
    text = str(caught.value)
    assert str(path) in text and "\n" not in text, text
    for fragment in fragments:
        assert fragment in text, text
    return text


def test_too_many_dimensions(tmp_path):
    path = tmp_path / "dims.idx"
    path.write_bytes(header([1] * 255) + b"\x00")
    refused(path, "declares 255 dimensions; an IDX file here has 1 to 8")


def test_no_dimensions(tmp_path):
    path = tmp_path / "none.idx"
    path.write_bytes(bytes([0, 0, 0x08, 0]))
    refused(path, "declares 0 dimensions")


def test_dimensions_whose_product_wraps_to_zero_in_64_bits(tmp_path):
    path = tmp_path / "wrap.idx"
    path.write_bytes(header([1 << 16, 1 << 16, 1 << 16, 1 << 16]))  # 2**64: 0 in int64 arithmetic
    refused(path, "declares 18,446,744,073,709,551,616 bytes of values, more than the limit")


def test_a_gzip_bomb_is_refused_from_its_header(tmp_path):
    path = tmp_path / "bomb.idx.gz"
    with gzip.open(path, "wb", compresslevel=1) as stream:
        stream.write(header([3, 1024, 1024, 1024]))  # 3 GiB of uint8 zeros declared...
        stream.write(bytes(64 << 20))  # ...and 64 MiB of them actually written
    assert path.stat().st_size < 1 << 20
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    refused(path, "shape (3, 1024, 1024, 1024) declares 3,221,225,472 bytes", "limit of 1,073,741,824")
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50_000  # KiB


def test_gzip_data_beyond_the_declared_shape_is_not_all_read(tmp_path):
    path = tmp_path / "long.idx.gz"
    with gzip.open(path, "wb", compresslevel=1) as stream:
        stream.write(header([4]) + bytes(4))
        stream.write(bytes(64 << 20))  # 64 MiB nobody asked for
    refused(path, "at least 1048576 unexpected bytes after the data of shape (4,)")


def test_the_limit_can_be_raised(tmp_path):
    path = tmp_path / "big.idx"
    path.write_bytes(header([2, 3]) + bytes(6))
    with pytest.raises(datasets.IdxError, match="more than the limit of 5"):
        datasets.load_idx(path, max_bytes=5)
    assert datasets.load_idx(path, max_bytes=6).shape == (2, 3)


def test_a_raw_file_of_the_wrong_size_is_refused_without_reading_it(tmp_path):
    path = tmp_path / "short.idx"
    path.write_bytes(header([1000, 1000]) + bytes(10))
    refused(path, "truncated: shape (1000, 1000) needs 1000000 bytes of data, found 10")


def test_a_fifo_is_refused(tmp_path):
    os.mkfifo(tmp_path / "pipe.idx")
    refused(tmp_path / "pipe.idx", "not a regular file")


def test_corrupt_deflate_data_is_a_damaged_gzip_file(tmp_path):
    packed = bytearray(gzip.compress(header([64]) + bytes(range(64))))
    packed[12:20] = b"\xff" * 8
    (tmp_path / "bad.gz").write_bytes(bytes(packed))
    refused(tmp_path / "bad.gz", "damaged gzip file")


@pytest.mark.parametrize("labels, type_code, dtype, fragment", [
    ([1, -1, 2], 0x09, ">i1", "label -1 at index 1 is not a class of 10 (0 to 9)"),
    ([3, 2**31 - 1], 0x0C, ">i4", "label 2147483647 at index 1 is not a class of 10"),
    ([10, 0], 0x08, ">u1", "label 10 at index 0 is not a class of 10"),
    ([0.5, 1.0], 0x0D, ">f4", "labels must be whole numbers, found float32 values"),
])
def test_labels_must_be_classes(tmp_path, labels, type_code, dtype, fragment):
    images = tmp_path / "images.idx"
    images.write_bytes(header([len(labels), 2, 2]) + bytes(4 * len(labels)))
    path = tmp_path / "labels.idx"
    path.write_bytes(header([len(labels)], type_code) + np.asarray(labels, dtype=dtype).tobytes())
    refused(path, fragment, load=lambda p: datasets.load_mnist(images, p))


def test_more_classes_when_asked(tmp_path):
    images = tmp_path / "images.idx"
    images.write_bytes(header([2, 2, 2]) + bytes(8))
    labels = tmp_path / "labels.idx"
    labels.write_bytes(header([2]) + bytes([25, 0]))
    data = datasets.load_mnist(images, labels, classes=26)
    assert data.y.tolist() == [25, 0] and data.n_classes == 26
    assert idx.MAX_BYTES == 1 << 30
