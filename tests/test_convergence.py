"""A fit that ends at the mean row says so (ConvergenceWarning) instead of going quiet."""

import warnings

import numpy as np
import pytest
import scipy.sparse
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning

from skae import AutoencoderReducer
from skae.convergence import error_share_of_mean_row

# Images in [0, 1]: their untrained decoder reconstructs the mean row (tables start at
# PCA instead).
IMAGES = load_digits().data[:400] / 16
TINY = dict(hidden_layer_sizes=(16,), epochs=2, batch_size=64, random_state=0)


class _Reconstructing:
    """Networks whose reconstruction of every row is ``reconstruct(rows)``."""

    def __init__(self, reconstruct):
        self.encode = lambda rows: rows
        self.decode = reconstruct


def test_a_fit_that_learns_nothing_warns_and_stays_usable():
    # A rate of 1e-9 leaves the decoder where it starts: at the mean row.
    reducer = AutoencoderReducer(2, learning_rate=1e-9, **TINY)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        with pytest.raises(ConvergenceWarning, match="no better than their mean row"):
            reducer.fit(IMAGES)
    # Raised as an error, the warning still leaves the fitted reducer in place.
    reconstruction = reducer.inverse_transform(reducer.transform(IMAGES))
    np.testing.assert_allclose(
        reconstruction, IMAGES.mean(axis=0)[None, :].repeat(400, 0), atol=0.02
    )


def test_a_fit_that_learns_does_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        AutoencoderReducer(2, **TINY).fit(IMAGES)


def test_partial_fit_does_not_warn_on_its_first_passes():
    # One pass of a stream is not a finished fit: scikit-learn's partial_fit warns
    # about convergence nowhere either.
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        AutoencoderReducer(2, learning_rate=1e-9, **TINY).partial_fit(IMAGES)


def test_the_share_weighs_features_as_the_loss_does():
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.normal(0, 100, 500), rng.normal(0, 1, 500)])

    # The wide feature reconstructed exactly, the narrow one as its mean.
    def half_learnt(rows):
        return np.column_stack([rows[:, 0], np.full(len(rows), rows[:, 1].mean())])

    networks = _Reconstructing(half_learnt)
    assert error_share_of_mean_row(networks, X, "variance") < 1e-3
    assert error_share_of_mean_row(networks, X, "equal") == pytest.approx(0.5)


@pytest.mark.parametrize("sparse", [False, True])
def test_the_share_is_one_at_the_mean_row_and_zero_at_the_rows(sparse):
    X = IMAGES if not sparse else scipy.sparse.csr_matrix(IMAGES)
    at_mean = _Reconstructing(lambda rows: np.broadcast_to(IMAGES.mean(axis=0), rows.shape))
    exact = _Reconstructing(lambda rows: rows)
    assert error_share_of_mean_row(at_mean, X, "variance") == pytest.approx(1.0, abs=1e-3)
    assert error_share_of_mean_row(exact, X, "variance") < 1e-6


def test_rows_that_do_not_vary_have_no_share():
    constant = np.ones((50, 3))
    assert (
        error_share_of_mean_row(_Reconstructing(lambda rows: rows), constant, "equal")
        is None
    )


def test_a_constant_feature_does_not_count():
    # Its variance is exactly 0 (sums about the first row), not a rounding error that
    # would divide its float32 reconstruction's rounding up to a large share.
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.normal(size=300), np.full(300, 1e3 / 7)])
    exact = _Reconstructing(lambda rows: rows)
    assert error_share_of_mean_row(exact, X, "equal") < 1e-6


class _RecordingRows:
    """Sparse rows that record how many rows each read asks for."""

    def __init__(self, X):
        self.X, self.shape, self.reads = X, X.shape, []

    def __getitem__(self, rows):
        self.reads.append(len(rows))
        return self.X[rows]


def test_wide_rows_are_read_a_few_at_a_time():
    # 2,048 dense rows of 100,000 features would take 1.6 GB: the sample is read in
    # chunks of about 8 MiB (10 such rows).
    rng = np.random.default_rng(0)
    cells = (rng.integers(0, 3_000, 30_000), rng.integers(0, 100_000, 30_000))
    wide = scipy.sparse.csr_matrix((rng.random(30_000), cells), shape=(3_000, 100_000))
    X = _RecordingRows(wide)
    share = error_share_of_mean_row(_Reconstructing(lambda rows: rows), X, "variance")
    assert share < 1e-6
    assert sum(X.reads) == 2_048
    assert max(X.reads) <= 10
