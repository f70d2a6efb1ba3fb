"""Metrics: each definition checked on cases small enough to compute by hand."""

import numpy as np
import pytest
from sklearn.datasets import make_blobs
from sklearn.model_selection import StratifiedKFold
from sklearn.neighbors import KNeighborsClassifier

from skae.metrics import (
    continuity,
    knn_accuracy,
    knn_cv_accuracy,
    reconstruction_error,
    trustworthiness,
)

# Four points on a line, and an embedding that moves the second one to the far end.
# Ranks by distance (1 = nearest), original / embedded:
#   a: b c d / c d b     b: a c d / d c a     c: b a d / a d b     d: c b a / c a b
# With k = 1 the normaliser is 2 / (n k (2n - 3k - 1)) = 1/8.
# Trustworthiness: embedded nearest a->c, b->d, c->a, d->c have original ranks 2, 3, 2, 1,
#   penalties 1 + 2 + 1 + 0 = 4, T = 1 - 4/8.
# Continuity: original nearest a->b, b->a, c->b, d->c have embedded ranks 3, 3, 3, 1,
#   penalties 2 + 2 + 2 + 0 = 6, C = 1 - 6/8.
LINE = np.array([[0.0], [1.0], [3.0], [7.0]])
LINE_EMBEDDED = np.array([[0.0], [7.0], [1.0], [3.0]])


def neighbour_ranks(points: np.ndarray) -> np.ndarray:
    """``ranks[i, j]``: the rank of j among the neighbours of i (1 = nearest)."""
    distances = np.sqrt(((points[:, None, :] - points[None, :, :]) ** 2).sum(axis=-1))
    np.fill_diagonal(distances, np.inf)
    ranks = np.empty(distances.shape, dtype=int)
    for i, row in enumerate(distances):
        ranks[i, np.argsort(row, kind="stable")] = np.arange(1, len(row) + 1)
    return ranks


def reference_continuity(X: np.ndarray, X_embedded: np.ndarray, k: int) -> float:
    """Venna & Kaski's continuity, written out from its definition."""
    n = len(X)
    original, embedded = neighbour_ranks(X), neighbour_ranks(X_embedded)
    penalty = 0
    for i in range(n):
        for j in range(n):
            # j is a true neighbour of i that the embedding moved out of the k nearest.
            if i != j and original[i, j] <= k < embedded[i, j]:
                penalty += embedded[i, j] - k
    return 1 - 2 / (n * k * (2 * n - 3 * k - 1)) * penalty


def reference_trustworthiness(X: np.ndarray, X_embedded: np.ndarray, k: int) -> float:
    """Venna & Kaski's trustworthiness, written out from its definition."""
    n = len(X)
    original, embedded = neighbour_ranks(X), neighbour_ranks(X_embedded)
    penalty = 0
    for i in range(n):
        for j in range(n):
            # j is a neighbour in the embedding that was not among the k nearest.
            if i != j and embedded[i, j] <= k < original[i, j]:
                penalty += original[i, j] - k
    return 1 - 2 / (n * k * (2 * n - 3 * k - 1)) * penalty


# ------------------------------------------------------------------ reconstruction


@pytest.mark.parametrize(
    ("X", "X_reconstructed", "expected"),
    [
        ([[0.0, 0.0], [1.0, 1.0]], [[0.0, 1.0], [1.0, 1.0]], 0.25),
        ([[0.0, 0.0], [0.0, 0.0]], [[1.0, -1.0], [2.0, 0.0]], 1.5),
        ([[1.0, 2.0, 3.0]], [[1.0, 2.0, 3.0]], 0.0),
        (np.ones((2, 3, 3)), np.zeros((2, 3, 3)), 1.0),  # image stacks: per pixel
    ],
)
def test_reconstruction_error_is_mean_squared_error_over_entries(
    X, X_reconstructed, expected
):
    error = reconstruction_error(X, X_reconstructed)
    assert type(error) is float
    assert error == expected


def test_reconstruction_error_of_float32_rows_is_computed_in_float64():
    # (1e-30)**2 underflows to 0 in float32: a tiny error must not read as none.
    X = np.array([[1e-30]], dtype=np.float32)
    assert reconstruction_error(X, np.zeros((1, 1), dtype=np.float32)) > 0


@pytest.mark.parametrize(
    ("X", "X_reconstructed", "message"),
    [
        ([[0.0, 0.0]], [[0.0, 0.0, 0.0]], r"same shape; got \(1, 2\) and \(1, 3\)"),
        ([[0.0, 0.0]], [[0.0, np.nan]], "X_reconstructed contains NaN"),
        ([0.0, 1.0], [0.0, 1.0], "Expected 2D array"),
    ],
)
def test_reconstruction_error_rejects_bad_input(X, X_reconstructed, message):
    with pytest.raises(ValueError, match=message):
        reconstruction_error(X, X_reconstructed)


# ------------------------------------------------------- trustworthiness, continuity


def test_hand_computed_trustworthiness_and_continuity():
    assert trustworthiness(LINE, LINE_EMBEDDED, n_neighbors=1) == 0.5
    assert continuity(LINE, LINE_EMBEDDED, n_neighbors=1) == 0.25
    # The references agree with the hand computation in the comment above.
    assert reference_trustworthiness(LINE, LINE_EMBEDDED, 1) == 0.5
    assert reference_continuity(LINE, LINE_EMBEDDED, 1) == 0.25


@pytest.mark.parametrize("measure", [trustworthiness, continuity])
def test_an_isometric_embedding_scores_one_and_a_scrambled_one_less(measure):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 3))
    rotation, _ = np.linalg.qr(rng.normal(size=(3, 3)))
    isometry = 2.0 * X @ rotation + 5.0  # rotated, scaled and shifted: same ranks

    assert measure(X, X) == 1.0
    assert measure(X, isometry) == pytest.approx(1.0)
    assert measure(X, rng.permutation(X)) < 0.7


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("n_neighbors", [1, 3, 7])
def test_continuity_and_trustworthiness_match_the_definitions(seed, n_neighbors):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(25, 5))
    # A projection with noise: some neighbourhoods are kept, some are not.
    X_embedded = X[:, :2] + 0.3 * rng.normal(size=(25, 2))

    expected_continuity = reference_continuity(X, X_embedded, n_neighbors)
    expected_trustworthiness = reference_trustworthiness(X, X_embedded, n_neighbors)
    assert continuity(X, X_embedded, n_neighbors) == pytest.approx(expected_continuity)
    assert trustworthiness(X, X_embedded, n_neighbors) == pytest.approx(
        expected_trustworthiness
    )
    # Continuity is trustworthiness with the spaces swapped (the hand-computed case
    # shows that the swap matters).
    assert continuity(X, X_embedded, n_neighbors) == trustworthiness(
        X_embedded, X, n_neighbors
    )


@pytest.mark.parametrize("measure", [trustworthiness, continuity])
@pytest.mark.parametrize(
    ("X_embedded", "n_neighbors", "message"),
    [
        (np.zeros((9, 2)), 2, "same rows; got 10 and 9 rows"),
        (np.zeros((10, 2)), 5, r"from 1 to 4 \(below half the 10 rows\); got 5"),
        (np.zeros((10, 2)), 0, r"'n_neighbors' .* int in the range \[1, inf\)\. Got 0 "),
        (np.zeros((10, 2)), 2.0, "n_neighbors.* Got 2.0 "),
        (np.zeros((10, 2)), True, "n_neighbors.* Got True "),
        (np.full((10, 2), np.inf), 2, "X_embedded contains infinity"),
    ],
)
def test_neighbourhood_measures_reject_bad_input(measure, X_embedded, n_neighbors, message):
    X = np.random.RandomState(0).normal(size=(10, 3))
    with pytest.raises(ValueError, match=message):
        measure(X, X_embedded, n_neighbors=n_neighbors)


# ---------------------------------------------------------------------- k-NN accuracy


@pytest.fixture(scope="module")
def blobs():
    """Three well separated classes, split into (Z_train, y_train, Z_test, y_test)."""
    Z, y = make_blobs(
        n_samples=600, centers=[[0, 0], [20, 0], [0, 20]], cluster_std=1.0, random_state=0
    )
    return Z[:300], y[:300], Z[300:], y[300:]


def test_hand_computed_knn_accuracy():
    Z_train, y_train = [[0.0], [1.0], [10.0], [11.0]], [0, 0, 1, 1]
    # The third test row lies among class 0 but is labelled 1: one miss in three.
    Z_test, y_test = [[0.5], [10.5], [0.2]], [0, 1, 1]
    assert knn_accuracy(Z_train, y_train, Z_test, y_test, n_neighbors=1) == 2 / 3


def test_knn_accuracy_is_one_on_separable_classes_and_chance_on_shuffled_labels(blobs):
    Z_train, y_train, Z_test, y_test = blobs
    assert knn_accuracy(Z_train, y_train, Z_test, y_test) == 1.0

    rng = np.random.RandomState(0)
    shuffled = knn_accuracy(Z_train, rng.permutation(y_train), Z_test, y_test)
    assert shuffled == pytest.approx(1 / 3, abs=0.08)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"y_train": [0, 1]}, "y_train must have one label per row of Z_train; got 2"),
        ({"y_test": [0, 1, 0]}, "y_test must have one label per row of Z_test; got 3"),
        ({"Z_test": np.zeros((2, 3))}, "same number of columns; got 2 and 3"),
        ({"n_neighbors": 5}, r"from 1 to 4 \(the rows of Z_train\); got 5"),
        ({"n_neighbors": 0}, r"'n_neighbors' .* int in the range \[1, inf\)\. Got 0 "),
        ({"y_train": np.zeros((4, 2))}, "y should be a 1d array"),
    ],
)
def test_knn_accuracy_rejects_bad_input(changes, message):
    arguments = {
        "Z_train": np.arange(8.0).reshape(4, 2),
        "y_train": [0, 0, 1, 1],
        "Z_test": np.zeros((2, 2)),
        "y_test": [0, 1],
        **changes,
    }
    with pytest.raises(ValueError, match=message):
        knn_accuracy(**arguments)


def test_knn_cv_accuracy_is_one_on_separable_classes_and_chance_on_shuffled_labels(blobs):
    Z, y = blobs[0], blobs[1]
    assert knn_cv_accuracy(Z, y) == 1.0
    shuffled = knn_cv_accuracy(Z, np.random.RandomState(0).permutation(y))
    assert shuffled == pytest.approx(1 / 3, abs=0.1)


def test_knn_cv_accuracy_is_the_mean_over_fixed_shuffled_stratified_folds():
    # Overlapping classes, so that the folds' accuracies differ.
    Z, y = make_blobs(n_samples=120, centers=3, cluster_std=4.0, random_state=1)
    folds = StratifiedKFold(n_splits=4, shuffle=True, random_state=0)
    fold_accuracies = [
        KNeighborsClassifier(n_neighbors=3).fit(Z[train], y[train]).score(Z[test], y[test])
        for train, test in folds.split(Z, y)
    ]

    # The legacy global seed is what unseeded scikit-learn code draws from: it must not
    # matter.
    np.random.seed(1)  # noqa: NPY002
    first = knn_cv_accuracy(Z, y, n_neighbors=3, cv=4)
    np.random.seed(2)  # noqa: NPY002
    assert knn_cv_accuracy(Z, y, n_neighbors=3, cv=4) == first
    assert first == pytest.approx(np.mean(fold_accuracies))
    assert 0.3 < first < 1.0


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"cv": 1}, r"'cv' .* must be an int in the range \[2, inf\)\. Got 1 "),
        ({"cv": 2.5}, r"'cv' .* must be an int in the range \[2, inf\)\. Got 2.5 "),
        ({"cv": True}, r"'cv' .* Got True "),
        ({"n_neighbors": 9}, r"from 1 to 8 \(the smallest training set in 5-fold"),
        ({"y": [0, 1]}, "y must have one label per row of Z; got 2 labels for 10 rows"),
    ],
)
def test_knn_cv_accuracy_rejects_bad_input(changes, message):
    arguments = {"Z": np.arange(20.0).reshape(10, 2), "y": [0, 1] * 5, **changes}
    with pytest.raises(ValueError, match=message):
        knn_cv_accuracy(**arguments)
