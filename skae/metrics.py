"""How good is a reducer: reconstruction error and the quality of an embedding.

Reconstruction error needs an inverse (`AutoencoderReducer`, `PCA`, `KernelPCA` with
``fit_inverse_transform=True``). The other metrics judge the embedding alone:
trustworthiness and continuity (Venna & Kaski, 2001) measure how well neighbourhoods
survive the reduction, and k-NN accuracy measures how well the embedding keeps the
classes apart.
"""

import math
from numbers import Integral

import numpy as np
from sklearn.manifold import trustworthiness as _sklearn_trustworthiness
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.neighbors import KNeighborsClassifier
from sklearn.utils import check_array
from sklearn.utils.validation import column_or_1d

from ._sklearn import IntervalNotBool, validate_params

# Fixed, so that the cross-validated accuracy of one embedding is the same on every run.
_CV_RANDOM_STATE = 0

# The lower bound only: the upper one depends on the rows, see _check_n_neighbors.
_N_NEIGHBORS = [IntervalNotBool(Integral, 1, None, closed="left")]
_PAIRED_SPACES = {
    "X": ["array-like"],
    "X_embedded": ["array-like"],
    "n_neighbors": _N_NEIGHBORS,
}


@validate_params(
    {"X": ["array-like"], "X_reconstructed": ["array-like"]},
    prefer_skip_nested_validation=True,
)
def reconstruction_error(X, X_reconstructed) -> float:
    r"""Mean squared reconstruction error over all entries.

    .. math::

        \mathrm{MSE} = \frac{1}{n p} \sum_{i=1}^{n} \sum_{j=1}^{p}
            (X_{ij} - \hat{X}_{ij})^2

    for ``n`` rows of ``p`` features: for image rows, the mean squared error per pixel.
    Computed on held-out rows, it is the reconstruction quality of a reducer.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Original rows (image stacks of more dimensions are accepted too).
    X_reconstructed : array-like of the same shape as X
        Their reconstructions, such as ``inverse_transform(transform(X))``.

    Returns
    -------
    error : float
        The mean squared error; 0 for a perfect reconstruction.

    Examples
    --------
    >>> from skae.metrics import reconstruction_error
    >>> reconstruction_error([[0.0, 0.0], [1.0, 1.0]], [[0.0, 1.0], [1.0, 1.0]])
    0.25
    """
    X = check_array(X, dtype=np.float64, allow_nd=True, input_name="X")
    X_reconstructed = check_array(
        X_reconstructed, dtype=np.float64, allow_nd=True, input_name="X_reconstructed"
    )
    if X.shape != X_reconstructed.shape:
        raise ValueError(
            f"X and X_reconstructed must have the same shape; got {X.shape} and "
            f"{X_reconstructed.shape}."
        )
    return float(np.mean(np.square(X - X_reconstructed)))


@validate_params(_PAIRED_SPACES, prefer_skip_nested_validation=True)
def trustworthiness(X, X_embedded, n_neighbors: int = 5) -> float:
    r"""How far the embedding's neighbours are true neighbours in the original space.

    With ``n`` samples and ``k = n_neighbors``,

    .. math::

        T(k) = 1 - \frac{2}{n k (2n - 3k - 1)} \sum_{i=1}^{n}
            \sum_{j \in U_i^k} (r(i, j) - k)

    where :math:`U_i^k` holds the samples among the ``k`` nearest neighbours of ``i`` in
    the embedding that are not among its ``k`` nearest neighbours in the original space,
    and :math:`r(i, j)` is the rank of ``j`` among the neighbours of ``i`` in the original
    space (1 for the nearest). Embedded neighbours that were far apart (false neighbours)
    are penalised by how far they were. ``T`` lies in [0, 1]; 1 means no false
    neighbours. Distances are Euclidean in both spaces.

    This is `sklearn.manifold.trustworthiness`, with checks that name our arguments.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Rows in the original space.
    X_embedded : array-like of shape (n_samples, n_components)
        The same rows in the embedding.
    n_neighbors : int, default=5
        The neighbourhood size ``k``; must be less than ``n_samples / 2``.

    Returns
    -------
    trustworthiness : float
        In [0, 1]; higher is better.

    See Also
    --------
    continuity : The same measure with the two spaces' roles swapped (missed neighbours).

    References
    ----------
    J. Venna and S. Kaski, "Neighborhood preservation in nonlinear projection methods:
    an experimental study", ICANN 2001, pp. 485-491.

    Examples
    --------
    >>> import numpy as np
    >>> from skae.metrics import trustworthiness
    >>> X = np.random.RandomState(0).normal(size=(20, 3))
    >>> trustworthiness(X, 2 * X, n_neighbors=3)
    1.0
    """
    X, X_embedded = _check_paired_spaces(X, X_embedded, n_neighbors)
    return float(_sklearn_trustworthiness(X, X_embedded, n_neighbors=n_neighbors))


@validate_params(_PAIRED_SPACES, prefer_skip_nested_validation=True)
def continuity(X, X_embedded, n_neighbors: int = 5) -> float:
    r"""How far the original space's neighbours stay neighbours in the embedding.

    With ``n`` samples and ``k = n_neighbors``,

    .. math::

        C(k) = 1 - \frac{2}{n k (2n - 3k - 1)} \sum_{i=1}^{n}
            \sum_{j \in V_i^k} (\hat{r}(i, j) - k)

    where :math:`V_i^k` holds the samples among the ``k`` nearest neighbours of ``i`` in
    the original space that are not among its ``k`` nearest neighbours in the embedding,
    and :math:`\hat{r}(i, j)` is the rank of ``j`` among the neighbours of ``i`` in the
    embedding (1 for the nearest). True neighbours that the embedding tore apart (missed
    neighbours) are penalised by how far apart they landed. ``C`` lies in [0, 1]; 1 means
    no missed neighbours. Distances are Euclidean in both spaces.

    Continuity is trustworthiness with the two spaces' roles swapped (neighbours taken in
    the original space, ranks in the embedding), so it is computed as
    ``sklearn.manifold.trustworthiness(X_embedded, X, n_neighbors=n_neighbors)``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Rows in the original space.
    X_embedded : array-like of shape (n_samples, n_components)
        The same rows in the embedding.
    n_neighbors : int, default=5
        The neighbourhood size ``k``; must be less than ``n_samples / 2``.

    Returns
    -------
    continuity : float
        In [0, 1]; higher is better.

    See Also
    --------
    trustworthiness : The same measure for false neighbours.

    References
    ----------
    J. Venna and S. Kaski, "Neighborhood preservation in nonlinear projection methods:
    an experimental study", ICANN 2001, pp. 485-491.

    Examples
    --------
    >>> import numpy as np
    >>> from skae.metrics import continuity
    >>> X = np.random.RandomState(0).normal(size=(20, 3))
    >>> continuity(X, 2 * X, n_neighbors=3)
    1.0
    """
    X, X_embedded = _check_paired_spaces(X, X_embedded, n_neighbors)
    return float(_sklearn_trustworthiness(X_embedded, X, n_neighbors=n_neighbors))


@validate_params(
    {
        "Z_train": ["array-like"],
        "y_train": ["array-like"],
        "Z_test": ["array-like"],
        "y_test": ["array-like"],
        "n_neighbors": _N_NEIGHBORS,
    },
    prefer_skip_nested_validation=True,
)
def knn_accuracy(Z_train, y_train, Z_test, y_test, n_neighbors: int = 5) -> float:
    """Accuracy of a k-nearest-neighbours classifier working in the embedding.

    A `~sklearn.neighbors.KNeighborsClassifier` (uniform weights, Euclidean distance) is
    fitted on the training rows' embedding and their labels; the result is the fraction
    of test rows whose predicted label equals their true label. A high value means the
    embedding keeps rows of one class together and the classes apart.

    Parameters
    ----------
    Z_train : array-like of shape (n_train, n_components)
        Embedding of the training rows.
    y_train : array-like of shape (n_train,)
        Their labels.
    Z_test : array-like of shape (n_test, n_components)
        Embedding of the test rows, by the reducer fitted on the training rows.
    y_test : array-like of shape (n_test,)
        Their labels.
    n_neighbors : int, default=5
        Neighbours that vote; at most ``n_train``.

    Returns
    -------
    accuracy : float
        In [0, 1].

    See Also
    --------
    knn_cv_accuracy : The same for an embedding that cannot map new rows (t-SNE).

    Examples
    --------
    >>> from skae.metrics import knn_accuracy
    >>> Z_train, y_train = [[0.0], [1.0], [10.0], [11.0]], [0, 0, 1, 1]
    >>> knn_accuracy(Z_train, y_train, [[0.5], [10.5]], [0, 1], n_neighbors=1)
    1.0
    """
    Z_train = check_array(Z_train, input_name="Z_train")
    Z_test = check_array(Z_test, input_name="Z_test")
    y_train = _check_labels(y_train, Z_train, "y_train", "Z_train")
    y_test = _check_labels(y_test, Z_test, "y_test", "Z_test")
    if Z_train.shape[1] != Z_test.shape[1]:
        raise ValueError(
            f"Z_train and Z_test must have the same number of columns; got "
            f"{Z_train.shape[1]} and {Z_test.shape[1]}."
        )
    _check_n_neighbors(n_neighbors, limit=len(Z_train), reason="the rows of Z_train")
    classifier = KNeighborsClassifier(n_neighbors=n_neighbors).fit(Z_train, y_train)
    return float(classifier.score(Z_test, y_test))


@validate_params(
    {
        "Z": ["array-like"],
        "y": ["array-like"],
        "n_neighbors": _N_NEIGHBORS,
        "cv": [IntervalNotBool(Integral, 2, None, closed="left")],
    },
    prefer_skip_nested_validation=True,
)
def knn_cv_accuracy(Z, y, n_neighbors: int = 5, cv: int = 5) -> float:
    """Mean cross-validated k-nearest-neighbours accuracy on one embedding.

    For embeddings that cannot map new rows, such as t-SNE's: the rows of ``Z`` are split
    into ``cv`` stratified folds (`~sklearn.model_selection.StratifiedKFold`, shuffled
    with a fixed seed, so that the result is reproducible); each fold is classified by a
    `~sklearn.neighbors.KNeighborsClassifier` fitted on the other folds, and the result
    is the mean of the ``cv`` fold accuracies.

    Unlike `knn_accuracy`, the embedding was computed with the test rows present, so
    this measures how well an embedding separates the classes, not how well a reducer
    generalises to new rows.

    Parameters
    ----------
    Z : array-like of shape (n_samples, n_components)
        The embedding.
    y : array-like of shape (n_samples,)
        The labels; each class needs at least ``cv`` rows.
    n_neighbors : int, default=5
        Neighbours that vote.
    cv : int, default=5
        Number of folds, at least 2.

    Returns
    -------
    accuracy : float
        Mean fold accuracy, in [0, 1].

    See Also
    --------
    knn_accuracy : Train on one embedding, test on another.

    Examples
    --------
    >>> from sklearn.datasets import make_blobs
    >>> from skae.metrics import knn_cv_accuracy
    >>> Z, y = make_blobs(n_samples=60, centers=[[0, 0], [20, 20]], random_state=0)
    >>> knn_cv_accuracy(Z, y, n_neighbors=3, cv=3)
    1.0
    """
    Z = check_array(Z, input_name="Z")
    y = _check_labels(y, Z, "y", "Z")
    # The smallest training set is all rows but the largest test fold.
    smallest_training_fold = len(Z) - math.ceil(len(Z) / cv)
    _check_n_neighbors(
        n_neighbors,
        limit=smallest_training_fold,
        reason=f"the smallest training set in {cv}-fold cross-validation",
    )
    folds = StratifiedKFold(n_splits=cv, shuffle=True, random_state=_CV_RANDOM_STATE)
    scores = cross_val_score(
        KNeighborsClassifier(n_neighbors=n_neighbors), Z, y, cv=folds, error_score="raise"
    )
    return float(np.mean(scores))


def _check_paired_spaces(X, X_embedded, n_neighbors):
    """Validate the two views of the same rows used by trustworthiness and continuity."""
    X = check_array(X, input_name="X")
    X_embedded = check_array(X_embedded, input_name="X_embedded")
    if len(X) != len(X_embedded):
        raise ValueError(
            f"X and X_embedded must hold the same rows; got {len(X)} and "
            f"{len(X_embedded)} rows."
        )
    # From n / 2 on, the normalisation no longer keeps the measure within [0, 1].
    _check_n_neighbors(
        n_neighbors, limit=(len(X) - 1) // 2, reason=f"below half the {len(X)} rows"
    )
    return X, X_embedded


def _check_n_neighbors(n_neighbors: int, *, limit: int, reason: str) -> None:
    # validate_params has checked that n_neighbors is an integer of at least 1.
    if n_neighbors > limit:
        raise ValueError(
            f"n_neighbors must be an integer from 1 to {limit} ({reason}); "
            f"got {n_neighbors!r}."
        )


def _check_labels(y, Z: np.ndarray, y_name: str, Z_name: str) -> np.ndarray:
    y = column_or_1d(y, warn=True)
    if len(y) != len(Z):
        raise ValueError(
            f"{y_name} must have one label per row of {Z_name}; got {len(y)} labels for "
            f"{len(Z)} rows."
        )
    return y
