"""Datasets: digits scaling, the MNIST IDX reader and its errors, Keras' fallback, and
where MNIST is found without a download."""

import gzip
import struct
import sys
from pathlib import Path

import numpy as np
import pytest
import sklearn.datasets

import skae.datasets
from skae.datasets import find_mnist_dir, load_comparison_data, load_digits, load_mnist

# The IDX format's magic numbers: unsigned bytes (0x08), then the number of dimensions.
IMAGES_MAGIC = 2051
LABELS_MAGIC = 2049

SHARED_MNIST = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist"
MNIST_TEST_LABEL_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def idx_bytes(array: np.ndarray, magic: int | None = None) -> bytes:
    """``array`` (uint8) in the IDX format: magic, big-endian dimensions, the bytes."""
    magic = 0x0800 + array.ndim if magic is None else magic
    header = struct.pack(">I", magic) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(np.uint8).tobytes()


def write_idx(path: Path, content: bytes) -> Path:
    """Write ``content``, gzip-compressed when the name ends in ``.gz``."""
    path.write_bytes(gzip.compress(content) if path.suffix == ".gz" else content)
    return path


def random_split(seed: int, n_images: int, shape=(3, 4)):
    """Small uint8 images (not square, so that rows and columns cannot be swapped)."""
    rng = np.random.RandomState(seed)
    images = rng.randint(0, 256, size=(n_images, *shape)).astype(np.uint8)
    images[0, 0, 0], images[0, 0, 1] = 0, 255  # both ends of the grey scale
    labels = rng.randint(0, 10, size=n_images).astype(np.uint8)
    return images, labels


def write_split(folder: Path, prefix: str, images, labels, *, compressed=True) -> None:
    suffix = ".gz" if compressed else ""
    write_idx(folder / f"{prefix}-images-idx3-ubyte{suffix}", idx_bytes(images))
    write_idx(folder / f"{prefix}-labels-idx1-ubyte{suffix}", idx_bytes(labels))


# ---------------------------------------------------------------------------- digits


def test_load_digits_scales_sklearn_digits_to_unit_range():
    digits = load_digits()
    original = sklearn.datasets.load_digits()

    np.testing.assert_array_equal(digits.data, original.data / 16)
    np.testing.assert_array_equal(digits.target, original.target)
    assert digits.data.dtype == np.float64
    assert digits.data.min() == 0.0 and digits.data.max() == 1.0
    assert digits.image_shape == (8, 8)
    np.testing.assert_array_equal(digits.images, original.images / 16)
    assert "divided by 16" in digits.DESCR


def test_load_digits_return_X_y():
    X, y = load_digits(return_X_y=True)
    digits = load_digits()
    np.testing.assert_array_equal(X, digits.data)
    np.testing.assert_array_equal(y, digits.target)


# ------------------------------------------------------------------------ MNIST files


@pytest.mark.parametrize("compressed", [True, False], ids=["gzip", "raw"])
def test_load_mnist_round_trips_idx_files_exactly(tmp_path, compressed):
    images, labels = random_split(seed=0, n_images=7)
    write_split(tmp_path, "t10k", images, labels, compressed=compressed)

    mnist = load_mnist(tmp_path)

    assert mnist.data.shape == (7, 12) and mnist.data.dtype == np.float64
    np.testing.assert_array_equal(mnist.data, images.reshape(7, 12) / 255)
    np.testing.assert_array_equal(np.rint(mnist.images * 255), images)
    assert mnist.data.min() == 0.0 and mnist.data.max() == 1.0
    np.testing.assert_array_equal(mnist.target, labels)
    assert mnist.target.dtype == np.int64
    assert mnist.image_shape == (3, 4)
    assert str(tmp_path) in mnist.DESCR


def test_load_mnist_splits_and_return_X_y(tmp_path):
    train_images, train_labels = random_split(seed=1, n_images=5)
    test_images, test_labels = random_split(seed=2, n_images=3)
    write_split(tmp_path, "train", train_images, train_labels)
    write_split(tmp_path, "t10k", test_images, test_labels, compressed=False)

    X_train, y_train = load_mnist(tmp_path, split="train", return_X_y=True)
    np.testing.assert_array_equal(y_train, train_labels)
    X_all, y_all = load_mnist(tmp_path, split="all", return_X_y=True)
    # Training images first, then the test images.
    np.testing.assert_array_equal(y_all, np.concatenate([train_labels, test_labels]))
    np.testing.assert_array_equal(X_all[:5], X_train)
    np.testing.assert_array_equal(X_all[5:], test_images.reshape(3, -1) / 255)


def test_load_mnist_rejects_an_unknown_split(tmp_path):
    with pytest.raises(ValueError, match=r"split must be one of .*; got 'validation'"):
        load_mnist(tmp_path, split="validation")


def test_missing_files_are_named_with_their_folder(tmp_path):
    images, labels = random_split(seed=0, n_images=3)
    write_split(tmp_path, "t10k", images, labels)

    with pytest.raises(FileNotFoundError) as raised:
        load_mnist(tmp_path, split="all")
    message = str(raised.value)
    assert str(tmp_path) in message
    assert "train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz" in message
    assert "t10k" not in message  # present files are not reported missing

    (tmp_path / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(FileNotFoundError, match=r"missing from .*: t10k-labels-idx1-ubyte"):
        load_mnist(tmp_path)


def test_a_missing_folder_is_reported(tmp_path):
    with pytest.raises(FileNotFoundError, match="the folder does not exist"):
        load_mnist(tmp_path / "nowhere")


def corrupt_file(folder: Path, kind: str, content: bytes, *, name_suffix=".gz") -> Path:
    """A test split whose ``kind`` ("images" or "labels") file holds ``content``."""
    images, labels = random_split(seed=0, n_images=4)
    write_split(folder, "t10k", images, labels)
    name = f"t10k-{kind}-idx{3 if kind == 'images' else 1}-ubyte"
    (folder / f"{name}.gz").unlink()
    return write_idx(folder / f"{name}{name_suffix}", content)


GOOD_IMAGES = idx_bytes(random_split(seed=0, n_images=4)[0])
GOOD_LABELS = idx_bytes(random_split(seed=0, n_images=4)[1])


@pytest.mark.parametrize(
    ("kind", "content", "message"),
    [
        ("images", GOOD_LABELS, "magic number 2049, expected 2051 \\(IDX3 images\\)"),
        ("labels", GOOD_IMAGES, "magic number 2051, expected 2049 \\(IDX1 labels\\)"),
        ("images", GOOD_IMAGES[:-1], r"is truncated: .* \(4, 3, 4\), 64 bytes .* 63 bytes"),
        ("images", GOOD_IMAGES[:10], r"is truncated: 10 bytes, shorter than its 16-byte"),
        ("labels", GOOD_LABELS[:2], r"is truncated: 2 bytes, no IDX header"),
        ("labels", GOOD_LABELS + b"\x00", r"has extra bytes: .* 12 bytes .* 13 bytes"),
    ],
    ids=["images-magic", "labels-magic", "short-pixels", "short-header", "tiny", "extra"],
)
def test_bad_idx_files_raise_naming_the_file_and_the_problem(
    tmp_path, kind, content, message
):
    bad_file = corrupt_file(tmp_path, kind, content)
    with pytest.raises(ValueError, match=message) as raised:
        load_mnist(tmp_path)
    assert str(bad_file) in str(raised.value)


def test_a_broken_gzip_stream_is_reported(tmp_path):
    bad_file = corrupt_file(tmp_path, "images", GOOD_IMAGES)
    bad_file.write_bytes(bad_file.read_bytes()[:-20])  # cut the stream short
    with pytest.raises(ValueError, match="is not a complete gzip file"):
        load_mnist(tmp_path)


def test_a_compressed_file_without_gz_in_its_name_gets_a_hint(tmp_path):
    bad_file = corrupt_file(tmp_path, "labels", gzip.compress(GOOD_LABELS), name_suffix="")
    with pytest.raises(ValueError, match="looks gzip-compressed: name it") as raised:
        load_mnist(tmp_path)
    assert str(bad_file) in str(raised.value)


def test_images_and_labels_must_have_the_same_count(tmp_path):
    images, _ = random_split(seed=0, n_images=5)
    _, labels = random_split(seed=0, n_images=4)
    write_split(tmp_path, "t10k", images, labels)
    with pytest.raises(ValueError, match="holds 5 images but .* holds 4 labels") as raised:
        load_mnist(tmp_path)
    assert "t10k-images-idx3-ubyte.gz" in str(raised.value)
    assert "t10k-labels-idx1-ubyte.gz" in str(raised.value)


# ------------------------------------------------------------------ Keras' downloader


@pytest.fixture
def keras_mnist(monkeypatch):
    """Keras' MNIST module with ``load_data`` answering from small arrays, offline."""
    keras = pytest.importorskip("keras")
    train = random_split(seed=3, n_images=6, shape=(28, 28))
    test = random_split(seed=4, n_images=2, shape=(28, 28))
    monkeypatch.setattr(keras.datasets.mnist, "load_data", lambda: (train, test))
    return train, test


def test_without_a_path_mnist_comes_from_keras(keras_mnist):
    (train_images, train_labels), (test_images, test_labels) = keras_mnist

    mnist = load_mnist()
    np.testing.assert_array_equal(mnist.data, test_images.reshape(2, 784) / 255)
    np.testing.assert_array_equal(mnist.target, test_labels)
    assert mnist.target.dtype == np.int64
    assert mnist.images.shape == (2, 28, 28) and mnist.image_shape == (28, 28)
    assert "Keras" in mnist.DESCR

    X_all, y_all = load_mnist(split="all", return_X_y=True)
    np.testing.assert_array_equal(y_all, np.concatenate([train_labels, test_labels]))
    np.testing.assert_array_equal(X_all[:6], train_images.reshape(6, 784) / 255)


def test_a_failed_download_says_how_to_provide_the_files(keras_mnist, monkeypatch):
    from keras.datasets import mnist

    def offline():
        # What Keras' get_file raises when the name cannot be resolved.
        raise Exception(
            "URL fetch failure on https://storage.googleapis.com/tensorflow/"
            "tf-keras-datasets/mnist.npz: None -- [Errno -2] Name or service not known"
        )

    monkeypatch.setattr(mnist, "load_data", offline)
    with pytest.raises(FileNotFoundError) as raised:
        load_mnist()
    message = str(raised.value)
    assert "keras.datasets.mnist.load_data()" in message
    assert "URL fetch failure" in message
    assert "path=" in message
    assert "t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz" in message
    assert "shared/data/mnist" in message
    assert isinstance(raised.value.__cause__, Exception)


def test_without_keras_the_error_says_how_to_provide_the_files(monkeypatch):
    # None in sys.modules makes the import fail, as if Keras were not installed.
    for name in ("keras", "keras.datasets", "keras.datasets.mnist"):
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(FileNotFoundError, match="ModuleNotFoundError") as raised:
        load_mnist(split="train")
    assert "train-images-idx3-ubyte.gz" in str(raised.value)


# ------------------------------------------------------------- finding MNIST's files


@pytest.fixture
def mnist_places(tmp_path, monkeypatch):
    """(named, checkout): the folder SKAE_MNIST_DIR names and the checkout's, both empty."""
    named, checkout = tmp_path / "named", tmp_path / "checkout"
    named.mkdir()
    checkout.mkdir()
    monkeypatch.setenv("SKAE_MNIST_DIR", str(named))
    monkeypatch.setattr(skae.datasets, "_CHECKOUT_MNIST_DIR", checkout)
    return named, checkout


@pytest.mark.parametrize("compressed", [True, False], ids=["gzip", "raw"])
def test_find_mnist_dir_prefers_the_folder_the_variable_names(mnist_places, compressed):
    named, checkout = mnist_places
    write_split(named, "t10k", *random_split(seed=0, n_images=3), compressed=compressed)
    write_split(checkout, "t10k", *random_split(seed=1, n_images=3))
    assert find_mnist_dir() == named


def test_find_mnist_dir_falls_back_to_the_checkout_then_to_none(mnist_places, monkeypatch):
    named, checkout = mnist_places
    # Images without labels are not a usable test split.
    write_idx(named / "t10k-images-idx3-ubyte.gz", idx_bytes(random_split(0, 3)[0]))
    assert find_mnist_dir() is None
    write_split(checkout, "t10k", *random_split(seed=1, n_images=3))
    assert find_mnist_dir() == checkout
    monkeypatch.delenv("SKAE_MNIST_DIR")
    assert find_mnist_dir() == checkout


def test_images_are_mnist_where_its_files_are_found_else_digits(mnist_places):
    named, _ = mnist_places
    digits = load_comparison_data("images")
    assert digits.dataset == "digits" and digits.X_train.shape[1] == 64
    # 10,000 tiny images: the shared MNIST protocol's 8,000 / 2,000 split.
    write_split(named, "t10k", *random_split(seed=0, n_images=10_000, shape=(2, 2)))
    images = load_comparison_data("images")
    assert images.dataset == "mnist"
    assert (len(images.X_train), len(images.X_test)) == (8000, 2000)
    assert images.X_train.shape[1] == 4


# ------------------------------------------------------------------------ real data


@pytest.mark.skipif(not SHARED_MNIST.is_dir(), reason=f"no MNIST files in {SHARED_MNIST}")
def test_the_shared_mnist_test_set():
    mnist = load_mnist(SHARED_MNIST)
    assert mnist.data.shape == (10_000, 784)
    assert mnist.images.shape == (10_000, 28, 28)
    assert mnist.data.min() == 0.0 and mnist.data.max() == 1.0
    assert np.bincount(mnist.target).tolist() == MNIST_TEST_LABEL_COUNTS
