"""Datasets: images as rows of pixels in [0, 1] (digits, MNIST), a mixed-units table, and
the comparison's train/test splits.

`make_mixed_units` makes a table whose features span eight orders of magnitude, the case
that tests a reducer's scaling. Both image loaders return a `sklearn.utils.Bunch` shaped
like scikit-learn's own: ``data`` (one flattened image per row, float64 in [0, 1]),
``target``, ``images`` (the same pixels as a stack of images), ``image_shape`` and
``DESCR``; or ``(X, y)`` with ``return_X_y=True``.

MNIST is read from its original IDX files, so that no download is needed where the files
are at hand (`find_mnist_dir` finds them); Keras' downloader is the fallback, and it is
imported only then.

`load_comparison_data` gives the documented splits used by ``skae compare``
(`skae.compare.compare`), the benchmarks and the gallery: of digits, MNIST,
scikit-learn's breast cancer and wine tables, or the rows of a user's file, as a
`ComparisonData`; `split_comparison_data` splits any rows the same way, and
`check_split_sizes` says whether a split leaves enough rows for the comparison's metrics.
"""

import gzip
import math
import os
import struct
import zlib
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import sklearn.datasets
from sklearn.model_selection import train_test_split
from sklearn.utils import Bunch
from sklearn.utils.multiclass import type_of_target

from .shell_io import read_labelled_array

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

# Where MNIST is found without a download (`find_mnist_dir`): the folder this variable
# names, else shared/data/mnist beside a checkout of the project.
MNIST_DIR_VARIABLE = "SKAE_MNIST_DIR"
_CHECKOUT_MNIST_DIR = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist"


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


def find_mnist_dir() -> Path | None:
    """The folder holding MNIST's test files, when one is at hand; else None.

    The folder named by the ``SKAE_MNIST_DIR`` environment variable, else
    ``shared/data/mnist`` beside a checkout of the project: the first that holds both IDX
    files of MNIST's test split (``t10k-images-idx3-ubyte.gz`` and
    ``t10k-labels-idx1-ubyte.gz``, or the same uncompressed), which `load_mnist` and
    ``load_comparison_data("mnist", data_dir=...)`` read. The gallery uses it to run on
    MNIST where it is at hand and on digits elsewhere, without a download.

    Returns
    -------
    folder : Path or None
        The folder, or None when neither holds the files.

    Examples
    --------
    >>> from skae.datasets import find_mnist_dir, load_comparison_data
    >>> mnist_dir = find_mnist_dir()
    >>> data = load_comparison_data("mnist" if mnist_dir else "digits", data_dir=mnist_dir)
    >>> data.image_shape in [(28, 28), (8, 8)]
    True
    """
    candidates = [os.environ.get(MNIST_DIR_VARIABLE), _CHECKOUT_MNIST_DIR]
    for folder in filter(None, candidates):
        folder = Path(folder)
        if all(_idx_file(folder, name) for name in _MNIST_FILES["test"]):
            return folder
    return None


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


# ------------------------------------------------------------ the comparison's split

# The shared MNIST protocol: train on the first 8,000 images of the test file, evaluate
# on the last 2,000 (see ../shared/data/README.md).
MNIST_N_TRAIN = 8000
MNIST_N_TEST = 2000
# Held out by `split_comparison_data` (all datasets but MNIST) unless sizes are given.
TEST_FRACTION = 0.25
# Neighbourhood size of the comparison's trustworthiness, continuity and k-NN accuracy
# (`skae.compare`); `check_split_sizes` keeps enough rows for it.
N_NEIGHBORS = 5

# The datasets `load_comparison_data` knows by name.
DATASETS = ("digits", "mnist", "breast_cancer", "wine")
# scikit-learn's bundled tabular datasets, compared on their raw (unscaled) features.
TABULAR_DATASETS = {
    "breast_cancer": (
        sklearn.datasets.load_breast_cancer,
        "Breast cancer Wisconsin (diagnostic)",
    ),
    "wine": (sklearn.datasets.load_wine, "Wine recognition"),
}


@dataclass
class ComparisonData:
    """Training and held-out rows for `skae.compare.compare`, and how they were chosen.

    Attributes
    ----------
    X_train, X_test : ndarray of shape (n_train, n_features), (n_test, n_features)
        Training and held-out rows.
    y_train, y_test : ndarray of shape (n_train,), (n_test,), or None
        Their labels (used only by the k-NN accuracy and the figures' colours); None
        for data without labels.
    image_shape : tuple of int or None
        ``(height, width)`` of one row as an image; None to infer square images.
    description : str
        The dataset and the split, in one sentence, for the report's protocol.
    dataset : str
        The dataset's name (``"mnist"``, ``"digits"``...); empty for other rows.
    """

    X_train: np.ndarray = field(repr=False)
    X_test: np.ndarray = field(repr=False)
    y_train: np.ndarray | None = field(repr=False)
    y_test: np.ndarray | None = field(repr=False)
    image_shape: tuple[int, int] | None = None
    description: str = ""
    dataset: str = ""


def load_comparison_data(
    dataset: str | None = None,
    *,
    data_file: str | os.PathLike | None = None,
    labels: str | None = None,
    data_dir: str | os.PathLike | None = None,
    n_train: int | None = None,
    n_test: int | None = None,
    random_state: int = 0,
) -> ComparisonData:
    """Load a dataset, or the rows of a file, and split them as ``skae compare`` does.

    ``"digits"`` (scikit-learn's 1,797 8x8 digits scaled to [0, 1]), ``"breast_cancer"``
    and ``"wine"`` (scikit-learn's bundled tabular sets, raw, unscaled) and the rows of
    ``data_file`` are split by `split_comparison_data`: a stratified
    `~sklearn.model_selection.train_test_split` seeded with ``random_state``, 75 % train
    and 25 % test by default, or ``n_train`` and ``n_test`` rows (a smaller, quicker
    comparison). ``"mnist"``: the 10,000 images of the MNIST test file scaled to [0, 1]
    (`load_mnist`); the first ``n_train`` (default 8,000) train and the last
    ``n_test`` (default 2,000) are held out, the shared protocol of this project.
    ``"images"``: ``"mnist"`` when its files are at hand (``data_dir``, else
    `find_mnist_dir`), else ``"digits"``, as the gallery's examples use them.

    Parameters
    ----------
    dataset : {"digits", "mnist", "breast_cancer", "wine", "images"}, default=None
        Which dataset; None for digits, or for ``data_file``.
    data_file : str or path-like, default=None
        A file of rows instead of a dataset: ``.csv`` (numbers, with a header row of
        column names), ``.npy`` or ``.npz`` (an array ``X`` or ``data``, or a single
        array), read by ``skae.shell_io.read_labelled_array``.
    labels : str, default=None
        With ``data_file``: the name of its column (removed from the features) or array
        holding the labels, or the path of a file of one label per row (``.csv``,
        ``.txt`` or ``.npy``). None: an ``.npz`` archive's ``y``, ``labels`` or
        ``target`` array, else no labels (and no k-NN accuracy).
    data_dir : str or path-like, default=None
        Folder holding the MNIST IDX files; None tries Keras' downloader. Ignored for
        other data.
    n_train, n_test : int, default=None
        Numbers of training and test rows; None for the defaults above.
    random_state : int, default=0
        Seed of the split (the MNIST split is fixed).

    Returns
    -------
    data : ComparisonData
        The split rows, the image shape and a one-sentence description.

    Raises
    ------
    FileNotFoundError
        If the MNIST files, ``data_file`` or the label file are missing.
    ValueError
        For an unknown dataset, a bad file, labels that are not classes, or sizes that
        are too small or do not fit the data.
    """
    split = {"n_train": n_train, "n_test": n_test, "random_state": random_state}
    if dataset == "images":
        data_dir = data_dir or find_mnist_dir()
        dataset = "mnist" if data_dir else "digits"
    if data_file is not None:
        if dataset is not None:
            raise ValueError(f"give a dataset or a data file, not both (got {dataset!r}).")
        data = _split_data_file(os.fspath(data_file), labels, **split)
    elif labels is not None:
        raise ValueError("labels are read with a data file only.")
    elif dataset in (None, "digits"):
        digits = load_digits()
        name = (
            f"Digits bundled with scikit-learn ({len(digits.data):,} 8x8 images, pixels "
            "scaled to [0, 1])"
        )
        data = split_comparison_data(
            digits.data, digits.target, image_shape=digits.image_shape, name=name, **split
        )
    elif dataset in TABULAR_DATASETS:
        load, title = TABULAR_DATASETS[dataset]
        X, y = load(return_X_y=True)
        name = (
            f"{title}, bundled with scikit-learn ({X.shape[0]:,} rows x {X.shape[1]} "
            "features, unscaled)"
        )
        data = split_comparison_data(X, y, name=name, **split)
    elif dataset == "mnist":
        data = _split_mnist(data_dir, n_train or MNIST_N_TRAIN, n_test or MNIST_N_TEST)
    else:
        raise ValueError(f"dataset must be one of {', '.join(DATASETS)}; got {dataset!r}.")
    check_split_sizes(len(data.X_train), len(data.X_test))
    return data if data_file is not None else replace(data, dataset=dataset or "digits")


def _split_data_file(path: str, labels, **split) -> ComparisonData:
    X, y, labels_source = read_labelled_array(path, labels)
    if y is not None:
        _check_class_labels(y, labels_source)
    name = (
        f"{path} ({X.shape[0]:,} rows x {X.shape[1]} features, as given; "
        f"{f'labels from {labels_source}' if y is not None else 'no labels'})"
    )
    try:
        return split_comparison_data(X, y, name=name, **split)
    except ValueError as error:
        raise ValueError(f"{path}: {error}") from None


def split_comparison_data(
    X,
    y=None,
    *,
    n_train: int | None = None,
    n_test: int | None = None,
    random_state: int = 0,
    image_shape: tuple[int, int] | None = None,
    name: str = "",
) -> ComparisonData:
    """Split rows into training and held-out test rows, as ``skae compare`` does.

    A `~sklearn.model_selection.train_test_split` seeded with ``random_state``: 25 % of
    the rows (rounded up) are held out by default, or ``n_train`` and ``n_test`` rows;
    given one, the other is the rest. The split is stratified by ``y`` when every class
    has at least two rows and fits in each part, else shuffled.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        The rows.
    y : array-like of shape (n_samples,), default=None
        Their class labels; None for rows without labels.
    n_train, n_test : int, default=None
        Numbers of training and test rows; None for the defaults above.
    random_state : int, default=0
        Seed of the split.
    image_shape : tuple of int (height, width), default=None
        Shape of one row as an image, kept for the figures.
    name : str, default=""
        The data, for the description, such as ``"rows.csv (120 rows x 6 features)"``.

    Returns
    -------
    data : ComparisonData
        The split rows, the image shape and a one-sentence description.

    Raises
    ------
    ValueError
        If ``y`` does not hold class labels, or the sizes do not fit the rows or are
        too small for the metrics.

    Examples
    --------
    >>> import numpy as np
    >>> from skae.datasets import split_comparison_data
    >>> X, y = np.arange(200.0).reshape(100, 2), np.arange(100) % 2
    >>> data = split_comparison_data(X, y)
    >>> data.X_train.shape, data.X_test.shape
    ((75, 2), (25, 2))
    """
    X = np.asarray(X, dtype=float)
    n_rows = len(X)
    sizes_given = n_train is not None or n_test is not None
    requested = (n_train or 0) + (n_test or 0)
    if requested > n_rows:
        raise ValueError(f"the split asks for {requested:,} rows of the {n_rows:,}.")
    if not sizes_given:
        n_test = math.ceil(TEST_FRACTION * n_rows)
    n_train = n_rows - n_test if n_train is None else n_train
    n_test = n_rows - n_train if n_test is None else n_test
    try:
        check_split_sizes(n_train, n_test)
    except ValueError as error:
        if sizes_given:
            raise
        raise ValueError(f"{n_rows:,} rows are too few: {error}") from None
    stratify_problem = ""
    if y is not None:
        y = np.asarray(y)
        _check_class_labels(y, "y")
        stratify_problem = _stratify_problem(y, n_train, n_test)
    X_train, X_test, *y_split = train_test_split(
        X,
        *([] if y is None else [y]),
        train_size=n_train,
        test_size=n_test,
        stratify=None if stratify_problem else y,  # None without labels
        random_state=random_state,
    )
    y_train, y_test = y_split or (None, None)
    kind = "stratified" if y is not None else "shuffled"
    if stratify_problem:
        kind = f"shuffled (not stratified: {stratify_problem})"
    description = (
        f"{name or 'Rows'}; {kind} split with random_state={random_state}: "
        f"{len(X_train):,} training rows, {len(X_test):,} held-out test rows."
    )
    return ComparisonData(X_train, X_test, y_train, y_test, image_shape, description)


def _check_class_labels(y: np.ndarray, source: str) -> None:
    """Raise ValueError unless ``y`` holds classes, as the k-NN accuracy needs."""
    kind = type_of_target(y)
    n_classes = len(np.unique(y))
    if kind not in ("binary", "multiclass"):
        raise ValueError(
            f"{source}: the labels must be classes, for the k-NN accuracy; got {kind} "
            f"values ({n_classes:,} distinct)"
        )
    # scikit-learn's own sign of a regression target or row ids; most classes would have
    # one row, and no neighbour to agree with.
    if n_classes > len(y) / 2:
        raise ValueError(
            f"{source}: {n_classes:,} distinct labels for {len(y):,} rows; the k-NN "
            "accuracy needs classes (at most one label for every two rows)"
        )


def _stratify_problem(y: np.ndarray, n_train: int, n_test: int) -> str:
    """Why the split cannot be stratified by ``y``; "" when it can."""
    classes, counts = np.unique(y, return_counts=True)
    if counts.min() < 2:
        return (
            f"{np.count_nonzero(counts < 2):,} of the {len(classes):,} classes have one row"
        )
    if len(classes) > min(n_train, n_test):
        return f"{len(classes):,} classes for {min(n_train, n_test):,} rows"
    return ""


def _split_mnist(data_dir, n_train: int, n_test: int) -> ComparisonData:
    mnist = load_mnist(data_dir, split="test")
    n_rows = len(mnist.data)
    if n_train + n_test > n_rows:
        raise ValueError(
            f"n_train + n_test = {n_train + n_test:,} exceeds the {n_rows:,} MNIST test "
            "images: the training and test rows would overlap."
        )
    description = (
        f"MNIST test set ({n_rows:,} 28x28 images, pixels scaled to [0, 1]): "
        f"training rows are its first {n_train:,} images, held-out test rows its last "
        f"{n_test:,}."
    )
    return ComparisonData(
        mnist.data[:n_train],
        mnist.data[n_rows - n_test :],
        mnist.target[:n_train],
        mnist.target[n_rows - n_test :],
        tuple(mnist.image_shape),
        description,
    )


def check_split_sizes(n_train: int, n_test: int) -> None:
    """Raise ValueError unless the split is large enough for the metrics.

    The k-NN classifier needs at least ``N_NEIGHBORS`` training rows; trustworthiness and
    continuity need more than ``2 * N_NEIGHBORS`` test rows.

    Parameters
    ----------
    n_train, n_test : int
        Numbers of training and test rows.
    """
    min_test = 2 * N_NEIGHBORS + 1
    if n_train < N_NEIGHBORS or n_test < min_test:
        raise ValueError(
            f"the comparison needs at least {N_NEIGHBORS} training rows and {min_test} "
            f"test rows (k={N_NEIGHBORS} neighbours); got {n_train} and {n_test}."
        )
