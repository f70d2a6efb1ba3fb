"""Runs the comparison: `compare` fits each method, times it and measures it.

Each method fitted on the training rows gives a `MethodResult` measured on the held-out
test rows: reconstruction error (for methods with an inverse), trustworthiness and
continuity of the test rows' embedding, k-NN accuracy in the embedding, and fit and
transform times (the shortest of a few calls, after a warm-up). t-SNE, which cannot
embed new rows, is fitted on all rows and measured on the test rows' part. Every metric
comes from `skae.metrics`; `compare` hands the results to a `Comparison`, which writes
them. `print_progress` reports each method's start and end on stderr.
"""

import contextlib
import sys
import time
import warnings
from collections.abc import Callable, Sequence

import numpy as np

from .. import metrics
from ..backends import import_umap
from ..datasets import ComparisonData, check_split_sizes
from .methods import (
    CV_FOLDS,
    METHODS,
    N_NEIGHBORS,
    WARM_UP_ROWS,
    MethodSkipped,
    Reducer,
    build_reducer,
    build_tsne,
    resolve_methods,
    tsne_note,
)
from .report import Comparison, MethodResult

Progress = Callable[[str], None]


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
) -> Comparison:
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
    - ``"plain_autoencoder"``: the same with ``neighbor_loss=None``, to show what the
      neighbour loss brings; skipped where the autoencoder has none (more than 3
      components, tables).
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
    >>> from skae.compare import compare
    >>> from skae.datasets import load_comparison_data
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
    _import_libraries(methods)
    results = []
    for position, method in enumerate(methods, start=1):
        prefix = f"[{position}/{len(methods)}] {method}"
        report(f"{prefix}: started")
        start = time.perf_counter()
        try:
            if method == "tsne":
                result = _run_tsne(data, n_components, random_state)
            else:
                reducer = build_reducer(
                    method, n_components, random_state, data.X_train, autoencoder_params
                )
                result = _run_reducer(method, reducer, data)
        except MethodSkipped as skipped:
            result = MethodResult(method, note=str(skipped), skipped=True)
            report(f"{prefix}: skipped ({skipped})")
        else:
            report(f"{prefix}: done in {time.perf_counter() - start:.1f} s")
        results.append(result)
    return Comparison(results, data, n_components, random_state)


def _import_libraries(methods: Sequence[str]) -> None:
    """Import the libraries the methods fit with before any fit is timed.

    Otherwise the first fit that needs a library counts its import: the default map,
    fitted first, counted Keras' and umap-learn's (several seconds here), and UMAP's
    own fit after it did not count umap-learn's.
    """
    if {"autoencoder", "plain_autoencoder"} & set(methods):
        from .. import networks  # noqa: F401  (imports Keras and its backend)
    if "umap" in methods or "autoencoder" in methods:
        # Missing, UMAP's row says so, and a map's fit raises its own error.
        with contextlib.suppress(ImportError):
            import_umap()


def print_progress(message: str) -> None:
    """Print a progress message to stderr at once (a `compare` ``progress`` callback)."""
    print(message, file=sys.stderr, flush=True)


def _run_reducer(method: str, reducer: Reducer, data: ComparisonData) -> MethodResult:
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
    tsne = build_tsne(n_components, random_state)
    X_all = np.concatenate([data.X_train, data.X_test])
    start = time.perf_counter()
    embedding = tsne.fit_transform(X_all)
    fit_seconds = time.perf_counter() - start
    test_embedding = embedding[len(data.X_train) :]
    labelled = data.y_train is not None
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
        note=tsne_note(len(X_all), labelled),
        knn_cross_validated=labelled,
        estimator=tsne,
        test_embedding=test_embedding,
    )
