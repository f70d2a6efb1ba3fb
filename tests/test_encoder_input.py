"""``pca_components``: the dense encoder reading the rows' leading principal components."""

import pickle

import numpy as np
import pytest
from keras import ops
from sklearn.decomposition import PCA

from skae import AutoencoderReducer
from skae.spec import DataFacts, resolve_spec

TINY = dict(hidden_layer_sizes=(16,), epochs=1, random_state=0)
IMAGES = DataFacts(64, True, 0.0, 1.0, 100)


def _resolved(facts=IMAGES, **params):
    return resolve_spec(AutoencoderReducer(**params).get_params(), facts)


@pytest.mark.parametrize(
    "params, facts, expected",
    [
        ({"n_components": 2}, IMAGES, 50),  # a dense InfoNCE map
        ({"n_components": 2}, DataFacts(50, True, 0.0, 1.0, 100), None),  # too narrow
        ({"n_components": 8}, IMAGES, None),  # not a map
        ({"n_components": 2, "neighbor_loss": "umap"}, IMAGES, None),  # not measured
        ({"n_components": 2, "neighbor_loss": None}, IMAGES, None),
        ({"n_components": 2, "architecture": "conv"}, IMAGES, None),
        ({"n_components": 2, "encoder": lambda d, k: None}, IMAGES, None),
        ({"n_components": 2}, DataFacts(64, False, -3.0, 9.0, 100), None),  # a table
        ({"n_components": 8, "pca_components": 20}, IMAGES, 20),
        ({"n_components": 2, "pca_components": None}, IMAGES, None),
        ({"n_components": 2, "variational": True, "pca_components": 20}, IMAGES, 20),
    ],
)
def test_auto_projects_only_dense_infonce_maps_of_wide_rows(params, facts, expected):
    assert _resolved(facts, **params).pca_components == expected


@pytest.mark.parametrize(
    "params, message",
    [
        ({"architecture": "conv"}, "conv architecture"),
        ({"encoder": lambda d, k: None}, "encoder builder"),
        ({"pca_components": 65}, "exceeds the 64 features"),
    ],
)
def test_a_projection_skae_cannot_build_is_refused_by_name(params, message):
    params = {"pca_components": 10, **params}
    with pytest.raises(ValueError, match=message):
        _resolved(n_components=2, **params)
    table = DataFacts(64, False, -3.0, 9.0, 100)
    with pytest.raises(ValueError, match="tables"):
        _resolved(table, n_components=2, pca_components=10)


def _projection(reducer):
    return reducer.encoder_.get_layer("principal_components")


def test_the_encoder_reads_pcas_components_of_the_training_rows_untrained(digits):
    X = digits[0][:300]
    reducer = AutoencoderReducer(2, pca_components=10, **{**TINY, "epochs": 2})
    reducer.fit(X)
    layer = _projection(reducer)
    assert not layer.trainable and not layer.trainable_weights
    components = np.asarray(layer(X.astype(np.float32)))
    expected = PCA(10).fit(X).transform(X)
    # PCA's components up to each axis' sign, after training.
    signs = np.sign((components * expected).sum(axis=0))
    assert np.allclose(components * signs, expected, atol=1e-4)
    # The first trained layer reads the 10 components, not the 64 pixels.
    assert reducer.encoder_.get_layer("encoder_network").input_shape == (None, 10)


def test_the_noise_is_drawn_on_the_components(digits):
    reducer = AutoencoderReducer(2, pca_components=10, **TINY).fit(digits[0][:100])
    names = [layer.name for layer in reducer.encoder_.layers]
    assert names.index("principal_components") < names.index("training_noise")
    assert reducer.encoder_.get_layer("training_noise").output.shape == (None, 10)


def test_tables_project_their_standardised_rows(digits):
    # A dense network on a table that does not start at PCA (its code is bounded).
    X = digits[0][:200] * np.tile([1.0, 10.0, 100.0, 1.0], 16) * 16 - 3
    reducer = AutoencoderReducer(2, code_activation="tanh", pca_components=5, **TINY).fit(X)
    standardised = (X - X.mean(axis=0)) / np.where(X.std(axis=0) > 0, X.std(axis=0), 1)
    components = np.asarray(
        _projection(reducer)(
            np.asarray(reducer.encoder_.get_layer("scale_input")(X.astype(np.float32)))
        )
    )
    expected = PCA(5).fit(standardised).transform(standardised)
    signs = np.sign((components * expected).sum(axis=0))
    assert np.allclose(components * signs, expected, atol=1e-3)


def test_wide_sparse_rows_are_projected_without_being_made_dense():
    # Past 2,048 features the axes come from products with the sparse rows (ARPACK).
    import scipy.sparse

    X = scipy.sparse.random(80, 2100, density=0.02, format="csr", random_state=0)
    X.data = 0.5 + X.data / 2  # in [0, 1], reaching 0.5
    reducer = AutoencoderReducer(2, **TINY).fit(X)
    assert reducer.spec_.pca_components == 50
    components = np.asarray(_projection(reducer)(X.toarray().astype(np.float32)))
    expected = PCA(50, svd_solver="full").fit_transform(X.toarray())
    top = slice(0, 5)  # the leading axes, which ARPACK and LAPACK agree on
    signs = np.sign((components[:, top] * expected[:, top]).sum(axis=0))
    assert np.allclose(components[:, top] * signs, expected[:, top], atol=1e-3)


def test_partial_fit_keeps_the_first_calls_projection(digits):
    X = digits[0]
    reducer = AutoencoderReducer(
        2, pca_components=8, random_state=0, **{"hidden_layer_sizes": (16,)}
    )
    reducer.partial_fit(X[:200])
    first = [w.copy() for w in _projection(reducer).get_weights()]
    reducer.partial_fit(X[200:400])
    assert all(
        np.array_equal(a, b)
        for a, b in zip(first, _projection(reducer).get_weights(), strict=True)
    )


def test_a_projecting_map_round_trips_through_pickle_and_save(digits, tmp_path):
    X_train, X_test = digits[0][:200], digits[1]
    reducer = AutoencoderReducer(2, **TINY).fit(X_train)
    assert reducer.spec_.pca_components == 50
    codes = reducer.transform(X_test)
    assert np.allclose(ops.convert_to_numpy(reducer.encoder_(X_test)), codes, atol=1e-4)
    assert np.array_equal(pickle.loads(pickle.dumps(reducer)).transform(X_test), codes)
    reducer.save(tmp_path / "map.skae")
    loaded = AutoencoderReducer.load(tmp_path / "map.skae")
    assert loaded.spec_.pca_components == 50
    assert np.array_equal(loaded.transform(X_test), codes)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_a_variational_code_reads_components_too(digits):
    reducer = AutoencoderReducer(4, variational=True, pca_components=10, **TINY).fit(
        digits[0][:200]
    )
    assert reducer.encoder_.get_layer("encoder_network").input_shape == (None, 10)
    assert np.isfinite(reducer.sample(3, random_state=0)).all()
