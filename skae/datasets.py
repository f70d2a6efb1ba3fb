"""Datasets: images as rows of pixels in [0, 1] (digits, MNIST), and a mixed-units table.

`make_mixed_units` makes a table whose features span eight orders of magnitude, the case
that tests a reducer's scaling. Both image loaders return a `sklearn.utils.Bunch` shaped
like scikit-learn's own: ``data`` (one flattened image per row, float64 in [0, 1]),
``target``, ``images`` (the same pixels as a stack of images), ``image_shape`` and
``DESCR``; or ``(X, y)`` with ``return_X_y=True``.

MNIST is read from its original IDX files, so that no download is needed where the files
are at hand; Keras' downloader is the fallback, and it is imported only then.
"""

import gzip
import os
import struct
import zlib
from pathlib import Path

import numpy as np
import sklearn.datasets
from sklearn.utils import Bunch

# IDX magic numbers: two zero bytes, the element type (0x08: unsigned byte), then the
# number of dimensions.
_IMAGES_MAGIC = 0x0803  # 2051
_LABELS_MAGIC = 0x0801  # 2049
_IDX_KINDS = {_IMAGES_MAGIC: "IDX3 images", _LABELS_MAGIC: "IDX1 labels"}
_GZIP_MAGIC = b"\x1f\x8b"

# Base names of the IDX files of each MNIST split, as the MNIST site distributes them
# (with ".gz"; uncompressed copies drop it).
_MNIST_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
_MNIST_SPLITS = ("train", "test", "all")

_MNIST_CITATION = (
    "Source: the MNIST database of handwritten digits (Y. LeCun, C. Cortes, "
    "C. J. C. Burges), under the Creative Commons Attribution-Share Alike 3.0 license."
)


def load_digits(*, return_X_y: bool = False) -> Bunch | tuple[np.ndarray, np.ndarray]:
    """scikit-learn's bundled 8x8 digits, with pixels scaled to [0, 1].

    The 1,797 images of `sklearn.datasets.load_digits` (grey levels 0 to 16) divided by
    16. Always available: no file or network needed.

    Parameters
    ----------
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    dataset : Bunch
        ``data`` (n_samples, 64) float64 in [0, 1]; ``target`` (n_samples,) digits 0-9;
        ``images`` (n_samples, 8, 8), the same pixels as ``data``; ``image_shape``
        ``(8, 8)``; ``DESCR``.
    (data, target) : tuple of ndarray
        With ``return_X_y=True``.

    Examples
    --------
    >>> from skae.datasets import load_digits
    >>> digits = load_digits()
    >>> digits.data.shape, digits.images.shape, digits.image_shape
    ((1797, 64), (1797, 8, 8), (8, 8))
    """
    digits = sklearn.datasets.load_digits()
    data = digits.data / 16.0
    if return_X_y:
        return data, digits.target
    description = "Pixels are scaled to [0, 1] by skae (divided by 16).\n\n" + digits.DESCR
    return Bunch(
        data=data,
        target=digits.target,
        images=data.reshape(-1, 8, 8),
        image_shape=(8, 8),
        DESCR=description,
    )


def load_mnist(
    path: str | os.PathLike | None = None,
    *,
    split: str = "test",
    return_X_y: bool = False,
) -> Bunch | tuple[np.ndarray, np.ndarray]:
    """MNIST handwritten digits, with pixels scaled to [0, 1].

    Read from the original IDX files in the folder ``path``, gzip-compressed or not:

    ========  ==========================================================
    split     files
    ========  ==========================================================
    "train"   ``train-images-idx3-ubyte.gz``, ``train-labels-idx1-ubyte.gz``
    "test"    ``t10k-images-idx3-ubyte.gz``, ``t10k-labels-idx1-ubyte.gz``
    "all"     all four: the 60,000 training images, then the 10,000 test images
    ========  ==========================================================

    Each file may also be stored uncompressed, under the same name without ``.gz``.
    With ``path=None``, MNIST comes from Keras' downloader
    (``keras.datasets.mnist.load_data()``, which needs a network or Keras' cache).

    Parameters
    ----------
    path : str or path-like, default=None
        Folder holding the IDX files; None downloads through Keras.
    split : {"test", "train", "all"}, default="test"
        Which images to load.
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    dataset : Bunch
        ``data`` (n_samples, 784) float64 in [0, 1] (grey levels divided by 255);
        ``target`` (n_samples,) int64 digits 0-9; ``images`` (n_samples, 28, 28), the
        same pixels as ``data``; ``image_shape`` ``(28, 28)``; ``DESCR``.
    (data, target) : tuple of ndarray
        With ``return_X_y=True``.

    Raises
    ------
    FileNotFoundError
        If ``path`` lacks a file the split needs (the message names it), or, with
        ``path=None``, if Keras cannot download MNIST.
    ValueError
        If a file is not a valid IDX file of the expected kind: wrong magic number,
        truncated or overlong, or images and labels of different counts.

    Examples
    --------
    >>> from skae.datasets import load_mnist
    >>> mnist = load_mnist("../shared/data/mnist")  # doctest: +SKIP
    >>> mnist.data.shape, mnist.images.shape  # doctest: +SKIP
    ((10000, 784), (10000, 28, 28))
    """
    if split not in _MNIST_SPLITS:
        raise ValueError(f"split must be one of {_MNIST_SPLITS}; got {split!r}.")
    splits = ("train", "test") if split == "all" else (split,)
    if path is None:
        images, labels = _download_mnist(splits)
        source = "Keras' downloader (keras.datasets.mnist.load_data)"
    else:
        images, labels = _read_mnist_folder(Path(path), splits)
        source = f"the IDX files in {path}"
    data = images.reshape(len(images), -1) / 255.0
    target = labels.astype(np.int64)
    if return_X_y:
        return data, target
    image_shape = images.shape[1:]
    description = (
        f"MNIST handwritten digits, {split} split: {len(data)} grey-level images of "
        f"{image_shape[0]}x{image_shape[1]} pixels, read from {source}. Pixels are "
        "scaled to [0, 1] (divided by 255); `data` holds one flattened image per row "
        f"and `images` the same pixels as images.\n\n{_MNIST_CITATION}"
    )
    return Bunch(
        data=data,
        target=target,
        images=data.reshape(images.shape),
        image_shape=image_shape,
        DESCR=description,
    )


def _read_mnist_folder(folder: Path, splits) -> tuple[np.ndarray, np.ndarray]:
    """The uint8 images and labels of ``splits`` from the IDX files in ``folder``."""
    names = [name for split in splits for name in _MNIST_FILES[split]]
    files = {name: _idx_file(folder, name) for name in names}
    missing = [f"{name}.gz" for name, file in files.items() if file is None]
    if missing:
        where = "" if folder.is_dir() else " (the folder does not exist)"
        raise FileNotFoundError(
            f"MNIST file(s) missing from {folder}{where}: {', '.join(missing)} "
            "(or the same without .gz, uncompressed)."
        )
    images, labels = [], []
    for split in splits:
        images_name, labels_name = _MNIST_FILES[split]
        split_images = _read_idx(files[images_name], _IMAGES_MAGIC)
        split_labels = _read_idx(files[labels_name], _LABELS_MAGIC)
        if len(split_images) != len(split_labels):
            raise ValueError(
                f"{files[images_name]} holds {len(split_images)} images but "
                f"{files[labels_name]} holds {len(split_labels)} labels; they must match."
            )
        images.append(split_images)
        labels.append(split_labels)
    return np.concatenate(images), np.concatenate(labels)


def _idx_file(folder: Path, name: str) -> Path | None:
    """``folder/name.gz``, else ``folder/name`` (uncompressed); None if neither exists."""
    for candidate in (folder / f"{name}.gz", folder / name):
        if candidate.is_file():
            return candidate
    return None


def _read_idx(path: str | os.PathLike, magic: int) -> np.ndarray:
    """The unsigned-byte array stored in an IDX file, checked against its header.

    Parameters
    ----------
    path : str or path-like
        The IDX file; gzip-compressed when its name ends in ``.gz``.
    magic : int
        The magic number the file must start with: 2051 for images (a 3-D array) or
        2049 for labels (a 1-D array).

    Returns
    -------
    array : ndarray of uint8
        Shaped as the header's big-endian dimensions say.

    Raises
    ------
    ValueError
        If the magic number differs, the file is shorter than its header says (or is a
        broken gzip stream), or it holds bytes beyond the array.
    """
    path = Path(path)
    content = path.read_bytes()
    if path.suffix == ".gz":
        try:
            content = gzip.decompress(content)
        except (EOFError, OSError, zlib.error) as error:
            raise ValueError(f"{path} is not a complete gzip file: {error}") from error
    if len(content) < 4:
        raise ValueError(f"{path} is truncated: {len(content)} bytes, no IDX header.")
    (found_magic,) = struct.unpack(">I", content[:4])
    if found_magic != magic:
        hint = (
            " It looks gzip-compressed: name it *.gz." if content[:2] == _GZIP_MAGIC else ""
        )
        raise ValueError(
            f"{path} has magic number {found_magic}, expected {magic} "
            f"({_IDX_KINDS[magic]}): not the right kind of IDX file.{hint}"
        )
    n_dims = magic & 0xFF
    header_size = 4 + 4 * n_dims
    if len(content) < header_size:
        raise ValueError(
            f"{path} is truncated: {len(content)} bytes, shorter than its "
            f"{header_size}-byte header."
        )
    shape = struct.unpack(f">{n_dims}I", content[4:header_size])
    expected_size = header_size + int(np.prod(shape))
    if len(content) != expected_size:
        problem = "is truncated" if len(content) < expected_size else "has extra bytes"
        raise ValueError(
            f"{path} {problem}: its header announces an array of shape {shape}, "
            f"{expected_size} bytes in all, but it holds {len(content)} bytes."
        )
    return np.frombuffer(content, dtype=np.uint8, offset=header_size).reshape(shape)


def _download_mnist(splits) -> tuple[np.ndarray, np.ndarray]:
    """The uint8 images and labels of ``splits`` from Keras' downloader."""
    try:
        from keras.datasets import mnist

        train, test = mnist.load_data()
    # Keras reports a failed download as a bare Exception and a missing Keras is an
    # ImportError: either way the user needs the same advice.
    except Exception as error:
        needed = [f"{name}.gz" for split in splits for name in _MNIST_FILES[split]]
        raise FileNotFoundError(
            "Could not get MNIST from keras.datasets.mnist.load_data() "
            f"({type(error).__name__}: {error}). Without a network, pass path= a folder "
            f"holding the IDX files {', '.join(needed)} (gzip-compressed or not), "
            "for example load_mnist(path='../shared/data/mnist') from a checkout of the "
            "skae project."
        ) from error
    arrays = {"train": train, "test": test}
    images = np.concatenate([arrays[split][0] for split in splits])
    labels = np.concatenate([arrays[split][1] for split in splits])
    return images, labels


def make_mixed_units(n_samples: int = 600, *, random_state: int | None = 0) -> np.ndarray:
    """A table of 12 features driven by 2 hidden factors, in units from 1e-3 to 1e5.

    Each feature is a nonlinear function of the two factors (``tanh`` of a random
    mixing, plus a linear part) with 10 % noise, shifted away from zero and multiplied
    by its own unit, ``numpy.logspace(-3, 5, 12)``. A reducer with one global scale sees
    only the largest features; one that scales each feature recovers all of them.

    Parameters
    ----------
    n_samples : int, default=600
        Number of rows.
    random_state : int or None, default=0
        Seeds the factors, mixing and noise.

    Returns
    -------
    X : ndarray of shape (n_samples, 12)

    Examples
    --------
    >>> from skae.datasets import make_mixed_units
    >>> X = make_mixed_units(100)
    >>> X.shape
    (100, 12)
    >>> bool(X[:, 0].std() < 0.01 < 1e4 < X[:, -1].std())
    True
    """
    rng = np.random.RandomState(random_state)
    factors = rng.normal(size=(n_samples, 2))
    mixing = rng.normal(size=(2, 12))
    signal = np.tanh(factors @ mixing) + 0.3 * factors @ mixing
    features = signal + 0.1 * rng.normal(size=signal.shape)
    return (features + 10) * np.logspace(-3, 5, 12)
