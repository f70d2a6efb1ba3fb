"""Compare `AutoencoderReducer` with PCA, KernelPCA, t-SNE and UMAP on one dataset.

`compare` fits each method on training rows and measures it on held-out test rows:
reconstruction error (for methods with an inverse), trustworthiness and continuity of the
test rows' embedding, 5-nearest-neighbours accuracy in the embedding, and fit and
transform time. t-SNE cannot embed new rows, so it is fitted on the training and test
rows together and its k-NN accuracy is cross-validated; its row says so. The result
writes a CSV table, a Markdown report and figures (`Comparison.write`).

`load_comparison_data` gives the documented splits used by ``skae compare`` and
``benchmarks/mnist_comparison.py``: of digits, MNIST, scikit-learn's breast cancer and
wine tables, or the rows of a user's file (`split_comparison_data` splits any rows).
Rows without labels are compared without the k-NN accuracy.

Every metric comes from `skae.metrics` and every figure panel from `skae.plots`.
"""

import csv
import math
import os
import platform
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import NamedTuple

import numpy as np
import sklearn.datasets
from sklearn.base import BaseEstimator
from sklearn.decomposition import PCA, KernelPCA
from sklearn.manifold import TSNE
from sklearn.model_selection import train_test_split
from sklearn.utils.multiclass import type_of_target

from . import datasets, metrics
from .plots import EmbeddingDisplay, ReconstructionDisplay
from .shell_io import read_labelled_array

METHODS = ("autoencoder", "pca", "kernelpca", "tsne", "umap")

# Neighbourhood size of trustworthiness, continuity and k-NN accuracy.
N_NEIGHBORS = 5
# Folds of t-SNE's cross-validated k-NN accuracy.
CV_FOLDS = 5
# Barnes-Hut t-SNE, scikit-learn's default, embeds in at most 3 dimensions.
TSNE_MAX_COMPONENTS = 3
# UMAP's inverse_transform triangulates the embedding (Delaunay): UMAP itself warns from
# 8 components on, and in tens of dimensions the triangulation never finishes.
UMAP_MAX_INVERSE_COMPONENTS = 7
UMAP_MISSING_NOTE = "umap-learn is not installed: pip install 'skae[umap]'"
NO_LABELS_NOTE = "none, as the data have no labels (give them with --labels)"
# Rows transformed once before the timed transform, so that one-off costs (numba's
# compilation in UMAP, Keras tracing) are not counted as transform time.
WARM_UP_ROWS = 10

# The shared MNIST protocol: train on the first 8,000 images of the test file, evaluate
# on the last 2,000 (see ../shared/data/README.md).
MNIST_N_TRAIN = 8000
MNIST_N_TEST = 2000
# Held out by `split_comparison_data` (all datasets but MNIST) unless sizes are given.
TEST_FRACTION = 0.25

DATASETS = ("digits", "mnist", "breast_cancer", "wine")
# scikit-learn's bundled tabular datasets, compared on their raw (unscaled) features.
TABULAR_DATASETS = {
    "breast_cancer": (
        sklearn.datasets.load_breast_cancer,
        "Breast cancer Wisconsin (diagnostic)",
    ),
    "wine": (sklearn.datasets.load_wine, "Wine recognition"),
}

# The columns of results.csv, in order.
COLUMNS = (
    "method",
    "mse",
    "trustworthiness",
    "continuity",
    "knn_accuracy",
    "fit_seconds",
    "transform_seconds_per_1000_rows",
    "note",
)

Progress = Callable[[str], None]


class _MethodSkipped(Exception):
    """A method cannot run in this setting; the message is the row's note."""


class _Reducer(NamedTuple):
    """An unfitted reducer, whether to measure its reconstruction, and its row's note."""

    estimator: BaseEstimator
    reconstructs: bool
    note: str = ""


# ------------------------------------------------------------------------------ data


@dataclass
class ComparisonData:
    """Training and held-out test rows for `compare`, and how they were chosen.

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
    """

    X_train: np.ndarray = field(repr=False)
    X_test: np.ndarray = field(repr=False)
    y_train: np.ndarray | None = field(repr=False)
    y_test: np.ndarray | None = field(repr=False)
    image_shape: tuple[int, int] | None = None
    description: str = ""


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
    (`skae.datasets.load_mnist`); the first ``n_train`` (default 8,000) train and the last
    ``n_test`` (default 2,000) are held out, the shared protocol of this project.

    Parameters
    ----------
    dataset : {"digits", "mnist", "breast_cancer", "wine"}, default=None
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
    if data_file is not None:
        if dataset is not None:
            raise ValueError(f"give a dataset or a data file, not both (got {dataset!r}).")
        data = _split_data_file(os.fspath(data_file), labels, **split)
    elif labels is not None:
        raise ValueError("labels are read with a data file only.")
    elif dataset in (None, "digits"):
        digits = datasets.load_digits()
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
    return data


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
    >>> from skae.compare import split_comparison_data
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
    mnist = datasets.load_mnist(data_dir, split="test")
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


def resolve_methods(methods: str | Sequence[str]) -> tuple[str, ...]:
    """Method names from a comma-separated string or a sequence, checked.

    Parameters
    ----------
    methods : str or sequence of str
        Such as ``"pca,tsne"`` or ``["pca", "tsne"]``; names from `METHODS`.

    Returns
    -------
    methods : tuple of str
        The names, stripped, in the given order, without repeats.

    Raises
    ------
    ValueError
        If a name is unknown or none is given.
    """
    if isinstance(methods, str):
        methods = methods.split(",")
    names = tuple(dict.fromkeys(name.strip() for name in methods if name.strip()))
    unknown = [name for name in names if name not in METHODS]
    if unknown or not names:
        problem = (
            f"unknown method(s) {', '.join(map(repr, unknown))}" if unknown else "none"
        )
        raise ValueError(f"{problem}; choose from {', '.join(METHODS)}.")
    return names


# ------------------------------------------------------------------------- comparison


@dataclass
class MethodResult:
    """One method's row of the comparison, and what the figures need.

    Attributes
    ----------
    method : str
        Name, from `METHODS`.
    mse : float or None
        Mean squared reconstruction error on the test rows; None without an inverse.
    trustworthiness, continuity : float or None
        Of the test rows' embedding against the test rows (k = `N_NEIGHBORS`).
    knn_accuracy : float or None
        k-NN accuracy in the embedding: trained on the training rows, scored on the test
        rows; for t-SNE, cross-validated on the whole embedding (see
        ``knn_cross_validated``).
    fit_seconds : float or None
        Wall time of ``fit_transform`` on the training rows (all rows for t-SNE).
    transform_seconds_per_1000_rows : float or None
        Wall time of ``transform`` on the test rows, per 1,000 rows; None for t-SNE.
    note : str
        What differs from the protocol, or why the method was skipped.
    skipped : bool
        True when the method did not run; only ``note`` is set then.
    knn_cross_validated : bool
        True when ``knn_accuracy`` is cross-validated (t-SNE).
    estimator : estimator or None
        The fitted estimator.
    test_embedding : ndarray of shape (n_test, n_components) or None
        The test rows' embedding.
    test_reconstruction : ndarray of shape (n_test, n_features) or None
        The test rows reconstructed from their embedding.
    """

    method: str
    mse: float | None = None
    trustworthiness: float | None = None
    continuity: float | None = None
    knn_accuracy: float | None = None
    fit_seconds: float | None = None
    transform_seconds_per_1000_rows: float | None = None
    note: str = ""
    skipped: bool = False
    knn_cross_validated: bool = False
    estimator: BaseEstimator | None = field(default=None, repr=False)
    test_embedding: np.ndarray | None = field(default=None, repr=False)
    test_reconstruction: np.ndarray | None = field(default=None, repr=False)

    def as_row(self) -> dict:
        """The table's columns (`COLUMNS`) of this result."""
        return {column: getattr(self, column) for column in COLUMNS}


def compare(
    X_train,
    X_test,
    y_train,
    y_test,
    *,
    methods: str | Sequence[str] = METHODS,
    n_components: int = 2,
    random_state: int = 0,
    image_shape: tuple[int, int] | None = None,
    description: str = "",
    autoencoder_params: dict | None = None,
    progress: Progress | None = None,
) -> "Comparison":
    """Fit each method on the training rows and measure it on the held-out test rows.

    For each method with a ``transform`` (autoencoder, PCA, KernelPCA, UMAP): time
    ``fit_transform(X_train)``, time ``transform(X_test)``; then, on the test rows,
    the reconstruction error of ``inverse_transform`` (when there is one),
    trustworthiness and continuity (k = 5), and the accuracy of a 5-NN classifier
    trained on the training rows' embedding.

    t-SNE cannot embed new rows: it is fitted on the training and test rows together;
    trustworthiness and continuity are measured on the test rows' part of that
    embedding, and k-NN accuracy by 5-fold cross-validation on the whole embedding
    (`skae.metrics.knn_cv_accuracy`). It has no reconstruction and no transform time,
    and runs only for ``n_components <= 3``. UMAP runs when ``umap-learn`` is
    installed. A method that cannot run gives a skipped row whose note says why.

    The methods, all seeded with ``random_state``:

    - ``"autoencoder"``: ``AutoencoderReducer(n_components, random_state=...)`` with
      ``autoencoder_params``.
    - ``"pca"``: ``PCA(n_components)``.
    - ``"kernelpca"``: ``KernelPCA(n_components, kernel="rbf",
      fit_inverse_transform=True)`` with ``gamma = 1 / (n_features * X_train.var())``,
      the "scale" heuristic of `~sklearn.svm.SVC`. KernelPCA's own default
      ``1 / n_features`` assumes standardised features; on pixels in [0, 1] it makes
      the kernel nearly flat and KernelPCA a blurred PCA.
    - ``"tsne"``: ``TSNE(n_components)`` with scikit-learn's defaults.
    - ``"umap"``: ``umap.UMAP(n_components, n_jobs=1)`` (seeding makes UMAP
      single-threaded anyway); reconstructions below 8 components only, where UMAP's
      ``inverse_transform`` is practical.

    Parameters
    ----------
    X_train : array-like of shape (n_train, n_features)
        Rows the methods are fitted on.
    X_test : array-like of shape (n_test, n_features)
        Held-out rows the methods are measured on.
    y_train : array-like of shape (n_train,) or None
        Class labels of the training rows (for the k-NN classifier and the figures'
        colours only); None for rows without labels, which get no k-NN accuracy.
    y_test : array-like of shape (n_test,) or None
        Labels of the test rows; None when ``y_train`` is.
    methods : str or sequence of str, default=METHODS
        Names from `METHODS`, or one comma-separated string.
    n_components : int, default=2
        Size of every embedding.
    random_state : int, default=0
        Seed of every method.
    image_shape : tuple of int (height, width), default=None
        Shape of one row as an image, for the reconstruction figure; inferred for
        square images when None.
    description : str, default=""
        How the data were chosen, written to the report's protocol.
    autoencoder_params : dict, default=None
        Further parameters of the `AutoencoderReducer`, such as ``{"epochs": 20}``.
    progress : callable, default=None
        Called with a one-line message when each method starts and ends, such as
        `print_progress`.

    Returns
    -------
    comparison : Comparison
        One `MethodResult` per method, in the given order.

    Examples
    --------
    >>> from skae.compare import compare, load_comparison_data
    >>> data = load_comparison_data("digits", n_train=300, n_test=100)
    >>> comparison = compare(data.X_train, data.X_test, data.y_train, data.y_test,
    ...                      methods="pca,tsne")
    >>> [result.method for result in comparison.results]
    ['pca', 'tsne']
    >>> comparison.result("tsne").mse is None
    True
    """
    methods = resolve_methods(methods)
    if (y_train is None) != (y_test is None):
        raise ValueError("give labels for both the training and the test rows, or none.")
    data = ComparisonData(
        np.asarray(X_train, dtype=float),
        np.asarray(X_test, dtype=float),
        None if y_train is None else np.asarray(y_train),
        None if y_test is None else np.asarray(y_test),
        image_shape,
        description,
    )
    check_split_sizes(len(data.X_train), len(data.X_test))
    report = progress or (lambda message: None)
    results = []
    for position, method in enumerate(methods, start=1):
        prefix = f"[{position}/{len(methods)}] {method}"
        report(f"{prefix}: started")
        start = time.perf_counter()
        try:
            if method == "tsne":
                result = _run_tsne(data, n_components, random_state)
            else:
                reducer = _build_reducer(
                    method, n_components, random_state, data.X_train, autoencoder_params
                )
                result = _run_reducer(method, reducer, data)
        except _MethodSkipped as skipped:
            result = MethodResult(method, note=str(skipped), skipped=True)
            report(f"{prefix}: skipped ({skipped})")
        else:
            report(f"{prefix}: done in {time.perf_counter() - start:.1f} s")
        results.append(result)
    return Comparison(results, data, n_components, random_state)


def print_progress(message: str) -> None:
    """Print a progress message to stderr at once (a `compare` ``progress`` callback)."""
    print(message, file=sys.stderr, flush=True)


def _build_reducer(
    method, n_components, random_state, X_train, autoencoder_params
) -> _Reducer:
    if method == "autoencoder":
        from .estimator import AutoencoderReducer

        params = {"random_state": random_state, **(autoencoder_params or {})}
        return _Reducer(AutoencoderReducer(n_components, **params), reconstructs=True)
    if method == "pca":
        return _Reducer(PCA(n_components, random_state=random_state), reconstructs=True)
    if method == "kernelpca":
        gamma = float(1.0 / (X_train.shape[1] * X_train.var()))
        reducer = KernelPCA(
            n_components,
            kernel="rbf",
            gamma=gamma,
            fit_inverse_transform=True,
            random_state=random_state,
        )
        return _Reducer(reducer, reconstructs=True)
    if method == "umap":
        try:
            import umap
        except ImportError as error:
            raise _MethodSkipped(UMAP_MISSING_NOTE) from error
        reducer = umap.UMAP(n_components=n_components, n_jobs=1, random_state=random_state)
        if n_components > UMAP_MAX_INVERSE_COMPONENTS:
            note = (
                f"no MSE: UMAP's inverse_transform is practical only up to "
                f"{UMAP_MAX_INVERSE_COMPONENTS} components"
            )
            return _Reducer(reducer, reconstructs=False, note=note)
        return _Reducer(reducer, reconstructs=True)
    raise ValueError(f"unknown method {method!r}")  # resolve_methods lets none through


def _run_reducer(method: str, reducer: _Reducer, data: ComparisonData) -> MethodResult:
    """Fit a reducer on the training rows and measure it on the test rows."""
    estimator, X_test = reducer.estimator, data.X_test
    start = time.perf_counter()
    train_embedding = estimator.fit_transform(data.X_train)
    fit_seconds = time.perf_counter() - start
    estimator.transform(X_test[:WARM_UP_ROWS])
    transform_seconds, test_embedding = _shortest_time(lambda: estimator.transform(X_test))
    reconstruction = mse = None
    if reducer.reconstructs:
        with warnings.catch_warnings():
            # UMAP's inverse_transform warns that it is approximate; so says the report.
            warnings.simplefilter("ignore", UserWarning)
            reconstruction = estimator.inverse_transform(test_embedding)
        mse = metrics.reconstruction_error(X_test, reconstruction)
    return MethodResult(
        method,
        mse=mse,
        trustworthiness=metrics.trustworthiness(X_test, test_embedding, N_NEIGHBORS),
        continuity=metrics.continuity(X_test, test_embedding, N_NEIGHBORS),
        knn_accuracy=None
        if data.y_train is None
        else metrics.knn_accuracy(
            train_embedding, data.y_train, test_embedding, data.y_test, N_NEIGHBORS
        ),
        fit_seconds=fit_seconds,
        transform_seconds_per_1000_rows=1000 * transform_seconds / len(X_test),
        note=reducer.note,
        estimator=estimator,
        test_embedding=test_embedding,
        test_reconstruction=reconstruction,
    )


def _shortest_time(call, *, budget_seconds: float = 0.5, max_repeats: int = 5):
    """The shortest wall time of a call repeated within a time budget, and its result.

    A single sub-millisecond timing is mostly noise (a thread waking, a garbage
    collection), so quick calls are repeated, as `timeit` does; slow ones run once.
    """
    times = []
    while not times or (sum(times) < budget_seconds and len(times) < max_repeats):
        start = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - start)
    return min(times), result


def _run_tsne(data: ComparisonData, n_components: int, random_state: int) -> MethodResult:
    """Fit t-SNE on all rows; measure the test rows' part and cross-validate k-NN."""
    if n_components > TSNE_MAX_COMPONENTS:
        raise _MethodSkipped(
            f"t-SNE (Barnes-Hut) embeds in at most {TSNE_MAX_COMPONENTS} components"
        )
    X_all = np.concatenate([data.X_train, data.X_test])
    tsne = TSNE(n_components, random_state=random_state)
    start = time.perf_counter()
    embedding = tsne.fit_transform(X_all)
    fit_seconds = time.perf_counter() - start
    test_embedding = embedding[len(data.X_train) :]
    labelled = data.y_train is not None
    knn_note = (
        f"{N_NEIGHBORS}-NN accuracy by {CV_FOLDS}-fold CV on the whole embedding; "
        if labelled
        else ""
    )
    return MethodResult(
        "tsne",
        trustworthiness=metrics.trustworthiness(data.X_test, test_embedding, N_NEIGHBORS),
        continuity=metrics.continuity(data.X_test, test_embedding, N_NEIGHBORS),
        knn_accuracy=metrics.knn_cv_accuracy(
            embedding,
            np.concatenate([data.y_train, data.y_test]),
            N_NEIGHBORS,
            cv=CV_FOLDS,
        )
        if labelled
        else None,
        fit_seconds=fit_seconds,
        note=(
            f"t-SNE cannot embed new rows: fit on all {len(X_all):,} rows (train + "
            f"test); trustworthiness and continuity on the test rows' part; {knn_note}"
            "no inverse"
        ),
        knn_cross_validated=labelled,
        estimator=tsne,
        test_embedding=test_embedding,
    )


# ------------------------------------------------------------------------ the result


@dataclass
class Comparison:
    """The result of `compare`: one row per method, and what the figures need.

    Attributes
    ----------
    results : list of MethodResult
        One per method, in the order asked for.
    data : ComparisonData
        The training and held-out rows.
    n_components : int
        Size of the embeddings.
    random_state : int
        Seed of every method.
    """

    results: list[MethodResult]
    data: ComparisonData
    n_components: int
    random_state: int

    def result(self, method: str) -> MethodResult:
        """The result of one method, by name."""
        for result in self.results:
            if result.method == method:
                return result
        raise KeyError(f"{method!r} was not compared; compared: {self._method_names()}.")

    def _method_names(self) -> str:
        return ", ".join(result.method for result in self.results)

    def to_markdown(self) -> str:
        """The table as Markdown, columns aligned for a terminal, then the notes."""
        header = [
            "method",
            "held-out MSE",
            f"trustworthiness (k={N_NEIGHBORS})",
            f"continuity (k={N_NEIGHBORS})",
            f"{N_NEIGHBORS}-NN accuracy",
            "fit s",
            "transform s / 1,000 rows",
        ]
        cells = [
            [_format_cells(result)[name] for name in COLUMNS[:-1]]
            for result in self.results
        ]
        widths = [max(len(row[i]) for row in [header, *cells]) for i in range(len(header))]
        # Names left-aligned, numbers right-aligned, in the text as in the rendering.
        rule = ["-" * widths[0]] + ["-" * (width - 1) + ":" for width in widths[1:]]

        def line(row):
            padded = [row[0].ljust(widths[0])]
            padded += [
                cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)
            ]
            return "| " + " | ".join(padded) + " |"

        lines = [line(header), line(rule), *(line(row) for row in cells)]
        notes = [
            f"- {result.method}: {result.note}" for result in self.results if result.note
        ]
        if self.data.y_test is None:
            notes.insert(0, f"- {N_NEIGHBORS}-NN accuracy: {NO_LABELS_NOTE}")
        if notes:
            lines += ["", "Notes:", "", *notes]
        return "\n".join(lines)

    def write(
        self, out_dir: str | os.PathLike, *, command: str | None = None
    ) -> list[Path]:
        """Write ``results.csv``, the figures and ``report.md`` into a folder.

        ``embeddings.png`` (the test rows' 2-D embeddings side by side) is written only
        for 2 components; ``reconstructions.png`` only when a method has an inverse.

        Parameters
        ----------
        out_dir : str or path-like
            Folder to write into; created if needed. Existing files are replaced.
        command : str, default=None
            The command that produced the comparison, quoted in the report.

        Returns
        -------
        paths : list of Path
            The files written.
        """
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        paths = [self._write_csv(out_dir / "results.csv")]
        figures = {
            "embeddings.png": plot_embeddings(self),
            "reconstructions.png": plot_reconstructions(self),
        }
        figure_names = []
        for name, figure in figures.items():
            if figure is not None:
                figure.savefig(out_dir / name, dpi=110)
                figure_names.append(name)
                paths.append(out_dir / name)
        report = out_dir / "report.md"
        report.write_text(self._report(figure_names, command), encoding="utf-8")
        paths.append(report)
        return paths

    def _write_csv(self, path: Path) -> Path:
        with path.open("w", newline="", encoding="utf-8") as file:
            writer = csv.DictWriter(file, fieldnames=COLUMNS)
            writer.writeheader()
            for result in self.results:
                row = result.as_row()
                writer.writerow(
                    {key: "" if value is None else value for key, value in row.items()}
                )
        return path

    def _report(self, figure_names: list[str], command: str | None) -> str:
        n_test = len(self.data.X_test)
        figure_captions = {
            "embeddings.png": (
                f"2-D embeddings of the {n_test:,} held-out test rows"
                + ("" if self.data.y_test is None else ", coloured by label")
            ),
            "reconstructions.png": "Held-out test rows and their reconstructions",
        }
        sections = [
            f"# Reducer comparison: {self.n_components} components",
            self.data.description,
            "## Results",
            self.to_markdown(),
        ]
        if figure_names:
            sections.append("## Figures")
            sections += [f"![{figure_captions[name]}]({name})" for name in figure_names]
        sections += ["## Protocol", self._protocol(command)]
        return "\n\n".join(section for section in sections if section) + "\n"

    def _protocol(self, command: str | None) -> str:
        n_train, n_test = len(self.data.X_train), len(self.data.X_test)
        estimators = [
            # On one line: estimators' reprs wrap at 80 characters.
            f"- {result.method}: `{' '.join(repr(result.estimator).split())}`"
            for result in self.results
            if result.estimator is not None
        ]
        knn_protocol = (
            f"- {N_NEIGHBORS}-NN accuracy: a {N_NEIGHBORS}-nearest-neighbours classifier "
            "trained on the training rows' embedding, scored on the test rows' "
            "(`skae.metrics.knn_accuracy`); for t-SNE, mean accuracy of "
            f"{CV_FOLDS}-fold stratified cross-validation on the embedding of all rows "
            "(`skae.metrics.knn_cv_accuracy`)."
        )
        if self.data.y_test is None:
            knn_protocol = f"- {N_NEIGHBORS}-NN accuracy: {NO_LABELS_NOTE}."
        lines = [
            f"- Data: {self.data.description or 'arrays passed to compare().'} "
            f"Every method is fitted on the {n_train:,} training rows (t-SNE: on all "
            f"{n_train + n_test:,} rows) with random_state={self.random_state}.",
            "- Held-out MSE: mean squared error per value between the test rows and "
            "`inverse_transform(transform(test rows))` (`skae.metrics."
            "reconstruction_error`); none without an inverse.",
            f"- Trustworthiness and continuity (k={N_NEIGHBORS}): between the test rows "
            "and their embedding (`skae.metrics.trustworthiness`, `continuity`); 1 is "
            "best.",
            knn_protocol,
            "- Fit s: wall time of `fit_transform` on the training rows (all rows for "
            "t-SNE). Transform s / 1,000 rows: wall time of `transform` on the test rows, "
            f"per 1,000 rows, after a warm-up call on {WARM_UP_ROWS} rows (the shortest "
            f"of up to 5 calls within 0.5 s). {_machine()}",
            "- Estimators:",
            *(f"  {line}" for line in estimators),
        ]
        if command:
            lines.append(f"- Command: `{command}`")
        return "\n".join(lines)


def _format_cells(result: MethodResult) -> dict:
    """The table's cells of one result, as text; "-" where there is no value."""
    formats = {
        "mse": ".4f",
        "trustworthiness": ".3f",
        "continuity": ".3f",
        "knn_accuracy": ".3f",
        "fit_seconds": ".3g",
        "transform_seconds_per_1000_rows": ".3g",
    }
    cells = {"method": result.method}
    for name, number_format in formats.items():
        value = getattr(result, name)
        cells[name] = "-" if value is None else format(value, number_format)
    if result.knn_cross_validated:
        cells["knn_accuracy"] += f" ({CV_FOLDS}-fold CV)"
    if result.skipped:
        cells["method"] += " (skipped)"
    return cells


def _machine() -> str:
    """The machine and library versions the times were measured with."""
    versions = []
    for package in ("scikit-learn", "tensorflow", "keras", "umap-learn"):
        try:
            versions.append(f"{package} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            continue
    return (
        f"Measured on {platform.machine()} with {os.cpu_count()} CPU cores, Python "
        f"{platform.python_version()}, {', '.join(versions)}."
    )


# --------------------------------------------------------------------------- figures


def plot_embeddings(comparison: Comparison):
    """The test rows' 2-D embeddings of every method side by side, coloured by label.

    Without labels, the points have one colour.

    Parameters
    ----------
    comparison : Comparison
        A comparison with ``n_components == 2``.

    Returns
    -------
    figure : matplotlib Figure or None
        None when the embeddings are not 2-D or no method ran.
    """
    from matplotlib.figure import Figure

    embedded = [r for r in comparison.results if r.test_embedding is not None]
    if comparison.n_components != 2 or not embedded:
        return None
    n_columns = min(len(embedded), 3)
    n_rows = -(-len(embedded) // n_columns)
    # A Figure without pyplot: no GUI backend, no global figure list to close.
    figure = Figure(
        figsize=(4.2 * n_columns + 1.2, 4.0 * n_rows + 0.6), layout="constrained"
    )
    axes = figure.subplots(n_rows, n_columns, squeeze=False).ravel()
    for ax, result in zip(axes, embedded, strict=False):
        title = f"{result.method}\ntrustworthiness {result.trustworthiness:.3f}"
        if result.knn_accuracy is not None:
            title += f", {N_NEIGHBORS}-NN {result.knn_accuracy:.3f}"
        display = EmbeddingDisplay.from_embedding(
            result.test_embedding, comparison.data.y_test, estimator_name=title, ax=ax
        )
        legend = display.legend_
    for ax in axes[len(embedded) :]:
        ax.set_axis_off()
    if legend is not None:
        # One legend for the figure instead of one beside every panel.
        handles, labels = legend.legend_handles, [text.get_text() for text in legend.texts]
        for ax in axes[: len(embedded)]:
            ax.get_legend().remove()
        figure.legend(handles, labels, title="label", loc="outside right center")
    figure.suptitle(
        f"2-D embeddings of the {len(comparison.data.X_test):,} held-out test rows "
        "(t-SNE: their part of a fit on all rows)"
    )
    return figure


def plot_reconstructions(comparison: Comparison, n_samples: int = 10):
    """The same test rows reconstructed by each method with an inverse, one row each.

    The rows shown are the first test row of each label, in label order (up to
    ``n_samples``), so that every class appears once; without labels, the first test
    rows.

    Parameters
    ----------
    comparison : Comparison
        The comparison.
    n_samples : int, default=10
        Number of test rows shown.

    Returns
    -------
    figure : matplotlib Figure or None
        None when no method reconstructs.
    """
    from matplotlib.figure import Figure

    reconstructed = [r for r in comparison.results if r.test_reconstruction is not None]
    if not reconstructed:
        return None
    # In label order: the first test row of each label.
    data = comparison.data
    if data.y_test is None:
        shown = np.arange(min(n_samples, len(data.X_test)))
    else:
        shown = np.unique(data.y_test, return_index=True)[1][:n_samples]
    # At least 6.4 inches wide: the title's width, when there are few classes.
    width = max(1.05 * len(shown) + 0.6, 6.4)
    figure = Figure(figsize=(width, 2.6 * len(reconstructed) + 0.5))
    figure.subplots_adjust(
        left=0.08,
        right=0.98,
        bottom=0.3 / figure.get_figheight(),
        top=1 - 0.9 / figure.get_figheight(),
        hspace=0.45,
    )
    axes = figure.subplots(len(reconstructed), 1, squeeze=False)[:, 0]
    # Every panel on the data's grey scale (values outside it saturate), so that a shade
    # means the same value for every method; a display's own scale would stretch to
    # PCA's negative pixels and turn its originals grey.
    data_range = data.X_test.min(), data.X_test.max()
    for ax, result in zip(axes, reconstructed, strict=True):
        display = ReconstructionDisplay(
            data.X_test[shown],
            result.test_reconstruction[shown],
            image_shape=data.image_shape,
            estimator_name=result.method,
        ).plot(ax=ax)
        if display.images_ is not None:  # None when rows are drawn as lines
            for image in display.images_.flat:
                image.set_clim(*data_range)
    figure.suptitle(
        f"Held-out test rows (top of each pair) and their reconstructions from "
        f"{comparison.n_components} components"
    )
    return figure
