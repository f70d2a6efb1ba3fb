"""Sparse rows: accepted wherever dense rows are, made dense one batch at a time."""

import subprocess
import sys
import textwrap

import numpy as np
import pytest
import scipy.sparse

from skae import AutoencoderReducer
from skae.rows import RowSubset
from skae.scaling import _COVARIANCE_MAX_FEATURES, principal_axes

TINY = dict(hidden_layer_sizes=(8,), epochs=2, neighbor_loss=None, random_state=0)
# Images in [0, 1] enter unscaled; a table (digits in counts) is standardised and
# starts at PCA; conv reads each row as an image.
KINDS = {
    "images": (TINY, 1.0),
    "table": ({**TINY, "early_stopping": True}, 16.0),
    "conv": ({**TINY, "architecture": "conv", "conv_filters": (4,)}, 1.0),
}


@pytest.mark.parametrize("sparse_format", ["csr", "csc"])
@pytest.mark.parametrize("kind", list(KINDS))
def test_sparse_rows_train_and_encode_exactly_as_their_dense_form(
    digits, kind, sparse_format
):
    params, units = KINDS[kind]
    X = digits[0][:200] * units
    sparse = scipy.sparse.csr_matrix(X).asformat(sparse_format)
    from_dense = AutoencoderReducer(**params).fit(X)
    from_sparse = AutoencoderReducer(**params).fit(sparse)

    np.testing.assert_array_equal(from_sparse.transform(sparse), from_dense.transform(X))
    assert from_sparse.score(sparse) == from_dense.score(X)
    np.testing.assert_array_equal(from_sparse.history_["loss"], from_dense.history_["loss"])
    from_dense.partial_fit(X)
    from_sparse.partial_fit(sparse)
    np.testing.assert_array_equal(from_sparse.transform(X), from_dense.transform(X))


def test_the_neighbour_graph_of_sparse_table_rows_is_that_of_their_dense_form(digits):
    """Tables are standardised before the graph: sparse rows are scaled, not centred."""
    X = digits[0][:300] * 16
    quick = {**TINY, "neighbor_loss": "umap", "epochs": 1, "alpha": 0.0}  # no trial fits
    reducer = AutoencoderReducer(**quick).fit(X)
    networks, spec = reducer._networks, reducer.spec_
    dense_graph = networks._neighbor_graph(X, spec, None, seed=0)
    sparse_graph = networks._neighbor_graph(scipy.sparse.csr_matrix(X), spec, None, seed=0)

    np.testing.assert_array_equal(sparse_graph.heads, dense_graph.heads)
    np.testing.assert_array_equal(sparse_graph.tails, dense_graph.tails)
    # Rows with near-twins make UMAP's weights sensitive to float rounding.
    np.testing.assert_allclose(sparse_graph.cumulative, dense_graph.cumulative, atol=0.01)


def test_the_neighbour_loss_trains_on_sparse_rows(digits):
    sparse = scipy.sparse.csr_matrix(digits[0][:300])
    reducer = AutoencoderReducer(**{**TINY, "n_components": 2, "neighbor_loss": "umap"})
    codes = reducer.fit(sparse).transform(sparse)
    assert codes.shape == (300, 2) and np.isfinite(codes).all()


def test_wide_tables_start_at_their_top_principal_axes_without_the_covariance():
    """Above the covariance's width, ARPACK finds the same axes PCA's covariance has."""
    rng = np.random.default_rng(0)
    n_features = _COVARIANCE_MAX_FEATURES + 100
    # Five strong directions, in counts (a sparse table, not in [0, 1]).
    X = rng.poisson(0.05, (400, n_features)).astype(float)
    X[:, :5] += rng.poisson(3.0, (400, 5)) * np.arange(1, 6)
    sparse = scipy.sparse.csr_matrix(X)
    mean, error_scale = X.mean(axis=0), 1 / X.std(axis=0).clip(1e-12)

    axes = principal_axes(sparse, mean, error_scale, n_components=3)
    units = (X - mean) * error_scale
    _, _, expected = np.linalg.svd(units, full_matrices=False)
    np.testing.assert_allclose(np.abs(axes.T @ expected[:3].T), np.eye(3), atol=1e-6)


@pytest.mark.parametrize("n_features", [20, _COVARIANCE_MAX_FEATURES + 100])
@pytest.mark.parametrize("n_rows", [400, 3])
def test_principal_axes_of_a_row_subset_are_those_of_its_rows(n_features, n_rows):
    # Early stopping fits the PCA start on the training rows, through RowSubset: each
    # of the three ways principal_axes finds axes must read exactly those rows.
    rng = np.random.default_rng(0)
    X = scipy.sparse.csr_matrix(rng.poisson(0.5, (500, n_features)).astype(float))
    indices = np.sort(rng.choice(500, n_rows, replace=False))
    mean, error_scale = np.zeros(n_features), np.ones(n_features)
    subset = principal_axes(RowSubset(X, indices), mean, error_scale, n_components=3)
    copied = principal_axes(X[indices], mean, error_scale, n_components=3)
    np.testing.assert_allclose(np.abs(subset.T @ copied), np.eye(3), atol=1e-6)


def test_sparse_rows_with_nan_are_refused_by_name():
    X = scipy.sparse.random(50, 10, density=0.3, format="csr", random_state=0)
    X.data[0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        AutoencoderReducer(**TINY).fit(X)


# Fits, encodes and scores 25,000 rows of 10,000 features (0.93 GiB dense in float32)
# and prints how far the process's peak memory rose above where it stood before.
_MEMORY_SCRIPT = textwrap.dedent(
    """
    import resource
    import numpy as np
    import scipy.sparse
    from skae import AutoencoderReducer

    rng = np.random.default_rng(0)
    n_rows, n_features, n_values = 25_000, 10_000, 50_000
    X = scipy.sparse.csr_matrix(
        (rng.random(n_values) * 3, (rng.integers(0, n_rows, n_values),
         rng.integers(0, n_features, n_values))),
        shape=(n_rows, n_features),
    )
    # alpha given: "auto" would add two trial fits that read the rows as this one does.
    params = dict(n_components=2, hidden_layer_sizes=(8,), epochs=1, alpha=0.0,
                  neighbor_loss=None, random_state=0)
    AutoencoderReducer(**params).fit(X[:300]).score(X[:300])  # Keras' own start-up
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    reducer = AutoencoderReducer(**params).fit(X)
    assert reducer.spec_.starts_at_pca  # a table: statistics and PCA's axes too
    reducer.transform(X)
    reducer.score(X)
    reducer.partial_fit(X.tocsc())
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print((after - before) * 1024)
    """
)


def test_sparse_rows_are_never_made_dense_whole():
    dense_bytes = 25_000 * 10_000 * 4
    result = subprocess.run(
        [sys.executable, "-c", _MEMORY_SCRIPT],
        capture_output=True,
        text=True,
        check=True,
    )
    peak_rise = int(result.stdout.split()[-1])
    # About 0.1 GiB, whatever the number of rows: batches, chunks, Keras' own buffers.
    assert peak_rise < dense_bytes / 4, f"peak memory rose {peak_rise / 2**30:.2f} GiB"
