"""The neighbour loss: its graph, edge batches and cross-entropy, and the map it trains."""

import pickle

import keras
import numpy as np
import pytest
from sklearn.base import clone

from skae import AutoencoderReducer
from skae.batches import RowReader
from skae.checks import training_rows
from skae.layers import InfoNCENeighborLoss, UMAPNeighborLoss
from skae.metrics import knn_accuracy, trustworthiness
from skae.neighbors import curve_parameters, neighbor_graph
from skae.spec import DataFacts, resolve_spec
from skae.tf_batches import shuffled_batches

QUICK = dict(hidden_layer_sizes=(16,), epochs=2, random_state=0)


@pytest.fixture(scope="module")
def graph_rows(digits):
    return digits[0][:300].astype(np.float32)


def test_graph_is_a_symmetric_fuzzy_set_whose_nearest_neighbours_weigh_one(graph_rows):
    graph = neighbor_graph(graph_rows, 15, 0.1, seed=0)
    pairs = list(zip(graph.heads.tolist(), graph.tails.tolist(), strict=True))
    assert set(pairs) == {(tail, head) for head, tail in pairs}
    weights = np.diff(graph.cumulative, prepend=0.0)
    assert np.all(weights > 0) and np.isclose(graph.cumulative[-1], 1.0)
    # UMAP's fuzzy set gives each row's nearest neighbour membership 1: those edges are
    # the heaviest.
    distances = ((graph_rows[:, None] - graph_rows[None]) ** 2).sum(-1)
    np.fill_diagonal(distances, np.inf)
    nearest = distances.argmin(axis=1)
    weight_of = dict(zip(pairs, weights, strict=True))
    assert all(np.isclose(weight_of[(i, nearest[i])], weights.max()) for i in range(50))
    assert len(pairs) < 2 * 15 * len(graph_rows)


def test_batches_hold_edge_heads_then_their_tails(graph_rows):
    graph = neighbor_graph(graph_rows, 5, 0.1, seed=0)
    edges = set(zip(graph.heads.tolist(), graph.tails.tolist(), strict=True))
    position = {row.tobytes(): i for i, row in enumerate(graph_rows)}
    batches = shuffled_batches(RowReader(graph_rows), 64, 0, 0, 1, graph=graph)
    n_batches = 0
    for rows, targets in batches:
        rows = rows.numpy()
        np.testing.assert_array_equal(rows, targets.numpy())
        half = len(rows) // 2
        pairs = [
            (position[head.tobytes()], position[tail.tobytes()])
            for head, tail in zip(rows[:half], rows[half:], strict=True)
        ]
        assert set(pairs) <= edges
        n_batches += 1
    # An epoch draws as many edges as the graph has, 32 to a batch.
    assert n_batches == int(np.ceil(graph.n_edges / 32))


def _cross_entropy(heads, tails, a, b):
    similarity = 1 / (1 + a * ((heads - tails) ** 2).sum(-1) ** b)
    return -np.log(similarity).mean()


def test_the_term_is_umaps_attraction_and_pulls_neighbours_together():
    a, b = curve_parameters(0.1)
    term = UMAPNeighborLoss(2.0, a, b, negative_sample_rate=0)
    generator = np.random.RandomState(0)
    heads = generator.normal(size=(8, 2)).astype(np.float32)
    near, far = heads + 0.1, heads + 3.0
    losses = []
    for tails in (near, far):
        term(np.concatenate([heads, tails]), training=True)
        losses.append(float(term.losses[-1]))
        assert np.isclose(losses[-1], 2.0 * _cross_entropy(heads, tails, a, b), rtol=1e-4)
    assert losses[0] < losses[1]
    # Training passes the heads' codes on to the decoder; otherwise all codes.
    np.testing.assert_array_equal(term(np.concatenate([heads, near]), training=True), heads)
    codes = np.concatenate([heads, near])
    np.testing.assert_array_equal(term(codes, training=False), codes)
    assert len(term.losses) == 0  # only training adds the term


def test_the_term_pushes_random_pairs_apart():
    a, b = curve_parameters(0.1)
    term = UMAPNeighborLoss(1.0, a, b, negative_sample_rate=5, seed=0)
    generator = np.random.RandomState(0)
    heads = generator.normal(size=(64, 2)).astype(np.float32)
    losses = []
    for spread in (0.1, 10.0):  # the same edges, codes packed tight or spread out
        codes = spread * np.concatenate([heads, heads + 0.01])
        term(codes, training=True)
        losses.append(float(term.losses[-1]))
    assert losses[1] < losses[0]


@pytest.mark.parametrize("loss", ["mse", "binary_crossentropy"])
def test_a_maps_training_decodes_the_edge_heads_and_scores_them_on_their_rows(digits, loss):
    X = digits[0][:200].astype(np.float32)
    reducer = AutoencoderReducer(
        2, loss=loss, epochs=1, hidden_layer_sizes=(8,), random_state=0
    ).fit(X)
    model = reducer._networks.autoencoder
    heads = X[:5]
    tails = 1 - heads  # far from the heads, so that scoring them would show
    decoded = keras.ops.convert_to_numpy(
        model(np.concatenate([heads, tails]), training=True)
    )
    assert decoded.shape == (5, 64)  # the heads' reconstructions only
    on_heads = float(model.loss(heads, decoded))
    assert float(model.loss(np.concatenate([heads, tails]), decoded)) == on_heads
    assert float(model.loss(tails, decoded)) > 2 * on_heads


@pytest.mark.parametrize(
    ("decoded_heads", "n_heads", "n_decoded"),
    [(1.0, 5, 5), (0.5, 5, 3), (0.5, 1, 1), (0.25, 8, 2)],
)
def test_the_term_passes_on_its_share_of_the_heads_and_at_least_one(
    decoded_heads, n_heads, n_decoded
):
    term = InfoNCENeighborLoss(1.0, *curve_parameters(0.1), decoded_heads=decoded_heads)
    heads = np.random.RandomState(0).normal(size=(n_heads, 2)).astype(np.float32)
    passed = term(np.concatenate([heads, heads + 0.1]), training=True)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(passed), heads[:n_decoded])
    # The neighbour term still reads every edge: all heads against all tails.
    whole = InfoNCENeighborLoss(1.0, *curve_parameters(0.1))
    whole(np.concatenate([heads, heads + 0.1]), training=True)
    assert float(term.losses[-1]) == float(whole.losses[-1])
    restored = InfoNCENeighborLoss.from_config(term.get_config())
    assert restored.decoded_heads == decoded_heads


@pytest.mark.parametrize("decoded_heads", [0.3, 0.0, 2.0, -0.5])
def test_the_share_of_decoded_heads_must_be_a_whole_fraction(decoded_heads):
    with pytest.raises(ValueError, match="decoded_heads must be 1 / k"):
        InfoNCENeighborLoss(1.0, *curve_parameters(0.1), decoded_heads=decoded_heads)


@pytest.mark.parametrize(
    "params, n_rows, decoded_heads, epochs, policy",
    [
        ({}, 6000, 0.5, 7, "float32"),  # a dense InfoNCE map of many rows
        ({}, 5999, 1.0, 12, "float32"),
        ({"architecture": "conv"}, 6000, 0.5, 6, "mixed_bfloat16"),
        ({"architecture": "conv"}, 5999, 1.0, 12, "float32"),
        ({"neighbor_loss": "umap"}, 6000, 1.0, 12, "float32"),
        ({"neighbor_loss": None}, 6000, 1.0, 200, "float32"),
    ],
)
def test_infonce_maps_of_many_rows_decode_half_their_heads_conv_in_bfloat16(
    params, n_rows, decoded_heads, epochs, policy
):
    facts = DataFacts(64, True, 0.0, 1.0, n_rows)
    params = AutoencoderReducer(2, **params).get_params()
    spec = resolve_spec(params, facts, bfloat16_native=True)
    assert (spec.decoded_heads, spec.epochs, spec.dtype_policy) == (
        decoded_heads,
        epochs,
        policy,
    )
    # Where bfloat16 is emulated, "auto" keeps float32.
    assert resolve_spec(params, facts, bfloat16_native=False).dtype_policy == "float32"


def test_a_maps_network_decodes_the_specs_share_of_heads(digits, monkeypatch):
    monkeypatch.setattr("skae.spec.INFONCE_FEW_EPOCHS_MIN_ROWS", 100)
    X = digits[0][:200].astype(np.float32)
    reducer = AutoencoderReducer(2, epochs=1, hidden_layer_sizes=(8,), random_state=0)
    reducer.fit(X)
    assert reducer.spec_.decoded_heads == 0.5
    model = reducer._networks.autoencoder
    decoded = model(np.concatenate([X[:5], X[5:10]]), training=True)
    assert keras.ops.convert_to_numpy(decoded).shape == (3, 64)  # 5 heads, 3 decoded
    assert reducer.transform(X).shape == (200, 2)  # outside training, every row


def test_infonce_term_picks_each_heads_own_tail_among_the_batchs_tails():
    generator = np.random.RandomState(0)
    heads = 3.0 * generator.normal(size=(32, 2)).astype(np.float32)
    near = heads + 0.1
    losses = {}
    for min_dist in (0.1, 0.5):
        a, b = curve_parameters(min_dist)
        term = InfoNCENeighborLoss(2.0, a, b)
        for name, tails in (("near", near), ("shuffled", near[::-1])):
            term(np.concatenate([heads, tails]), training=True)
            losses[min_dist, name] = float(term.losses[-1])
            # Reference: -log of the own tail's share of each head's row of p(d).
            squared = ((heads[:, None] - tails[None]) ** 2).sum(-1)
            p = 1 / (1 + a * squared**b)
            expected = -np.log(np.diag(p) / p.sum(axis=1)).mean()
            assert np.isclose(losses[min_dist, name], 2.0 * expected, rtol=1e-4)
    assert losses[0.1, "near"] < losses[0.1, "shuffled"]
    assert losses[0.1, "near"] != losses[0.5, "near"]  # min_dist's curve is used


@pytest.fixture(scope="module")
def digit_maps(digits):
    """2-D maps of the digits: the default (InfoNCE), the UMAP loss's and neither."""
    X_train, X_test, y_train, y_test = digits
    scores = {}
    for name, neighbor_loss in (("map", "auto"), ("umap", "umap"), ("plain", None)):
        reducer = AutoencoderReducer(2, neighbor_loss=neighbor_loss, random_state=0)
        codes_train = reducer.fit_transform(X_train)
        codes_test = reducer.transform(X_test)
        scores[name] = {
            "reducer": reducer,
            "trust": trustworthiness(X_test, codes_test),
            "knn": knn_accuracy(codes_train, y_train, codes_test, y_test),
            "mse": -reducer.score(X_test),
        }
    return scores


@pytest.mark.slow
@pytest.mark.parametrize("name, neighbor_loss", [("map", "infonce"), ("umap", "umap")])
def test_neighbour_loss_gives_better_held_out_maps_than_the_same_network(
    digit_maps, name, neighbor_loss
):
    new, plain = digit_maps[name], digit_maps["plain"]
    assert new["reducer"].spec_.neighbor_loss == neighbor_loss
    assert plain["reducer"].spec_.neighbor_loss is None
    summary = {
        name: {key: value for key, value in scores.items() if key != "reducer"}
        for name, scores in digit_maps.items()
    }
    # Trustworthiness / 5-NN accuracy: InfoNCE 0.974 / 0.972; the UMAP loss, measured
    # on two machines whose float rounding differs, 0.969 / 0.942 and 0.962 / 0.947;
    # plain 0.945 / 0.924 and 0.947 / 0.924. The UMAP loss with its weight at 1e-6
    # (trained like the map but without its pull) 0.956 / 0.919 and 0.956 / 0.924:
    # 5-NN accuracy is what tells them apart. A term that adds nothing (InfoNCE times 0)
    # or pushes edges apart (its sign flipped: trustworthiness 0.529) fails.
    assert new["trust"] >= plain["trust"] + 0.01, summary
    assert new["knn"] >= plain["knn"] + 0.01, summary
    # And it still reconstructs: within 10 % of the plain network's held-out error.
    assert new["mse"] <= 1.1 * plain["mse"], summary


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"n_components": 2}, "infonce"),
        ({"n_components": 3}, "infonce"),
        ({"n_components": 4}, None),
        ({"n_components": 2, "variational": True}, None),
        ({"n_components": 2, "neighbor_loss": None}, None),
        ({"n_components": 8, "neighbor_loss": "umap"}, "umap"),
    ],
)
def test_auto_turns_the_term_on_for_maps_of_images(digits, params, expected):
    reducer = AutoencoderReducer(**{**QUICK, **params}).fit(digits[0][:100])
    assert reducer.spec_.neighbor_loss == expected
    assert ("neighbor_loss" in reducer.history_) == (expected is not None)


def test_auto_leaves_tables_without_the_term():
    table = np.random.RandomState(0).normal(size=(60, 5)) * [1, 10, 100, 1, 1]
    assert AutoencoderReducer(2, **QUICK).fit(table).spec_.neighbor_loss is None
    reducer = AutoencoderReducer(2, neighbor_loss="umap", **QUICK).fit(table)
    assert reducer.spec_.neighbor_loss == "umap"
    assert np.isfinite(reducer.transform(table)).all()


def test_map_training_settings_and_weight_reach_the_network(digits):
    reducer = AutoencoderReducer(2, neighbor_weight=3.5, **QUICK).fit(digits[0][:100])
    spec = reducer.spec_
    assert (spec.learning_rate, spec.batch_size, spec.noise, spec.epochs) == (
        1e-2,
        1024,
        0.3,  # dense InfoNCE maps' own; the UMAP loss's is 0.1
        2,  # QUICK's
    )
    term = reducer.autoencoder_.get_layer("neighbor_loss")
    assert term.weight == 3.5
    assert AutoencoderReducer(2, **QUICK).fit(digits[0][:100]).spec_.neighbor_weight == 1.0
    assert (
        AutoencoderReducer(2, neighbor_loss=None, **QUICK)
        .fit(digits[0][:100])
        .spec_.batch_size
        == 128
    )


def test_infonce_maps_lower_the_learning_rate_linearly_over_each_fits_epochs(digits):
    # A map trains a fixed few passes over its edges, fewer than the plateau halving's
    # patience: InfoNCE's rate falls linearly to 0 instead, each epoch at its midpoint's
    # rate, and the UMAP loss's stays (map_schedule.md). A continued fit starts again
    # from learning_rate.
    X = digits[0][:100]
    umap_loss = AutoencoderReducer(2, neighbor_loss="umap", **{**QUICK, "epochs": 3})
    assert umap_loss.fit(X).history_["learning_rate"] == pytest.approx([1e-2] * 3)
    reducer = AutoencoderReducer(
        2, learning_rate=1e-2, warm_start=True, **{**QUICK, "epochs": 4}
    ).fit(X)
    rates = reducer.history_["learning_rate"]
    assert rates == pytest.approx([8.75e-3, 6.25e-3, 3.75e-3, 1.25e-3])
    reducer.set_params(epochs=6).fit(X)
    assert reducer.history_["learning_rate"][4:] == pytest.approx([7.5e-3, 2.5e-3])


@pytest.mark.parametrize(
    "neighbor_loss, n_rows, epochs",
    [("auto", 6000, 7), ("infonce", 6000, 7), ("infonce", 5999, 12), ("umap", 6000, 12)],
)
def test_auto_epochs_follow_the_neighbour_loss_and_the_rows(neighbor_loss, n_rows, epochs):
    # InfoNCE's 6 passes over the edges scored as its 12 did on 6,000 MNIST rows (7
    # for dense maps, which decode half as much); 3,000 rows and digits' 1,400, with
    # fewer edge batches an epoch, needed 12 (infonce_epochs.md). A continued fit
    # reads its own rows.
    params = AutoencoderReducer(2, neighbor_loss=neighbor_loss).get_params()
    spec = resolve_spec(params, DataFacts(64, True, 0.0, 1.0, n_rows))
    assert (spec.epochs, spec.learning_rate) == (epochs, 1e-2)
    assert spec.with_training(params, n_rows).epochs == epochs
    assert spec.with_training(params, 100).epochs == 12


def test_fit_counts_the_training_rows_that_choose_the_auto_epochs():
    # The rows' count reaches the spec through the same pass that reads their range.
    X = np.random.RandomState(0).rand(6000, 4)
    reducer = AutoencoderReducer(2)
    _, facts = training_rows(reducer, X, reset=True)
    assert facts.n_rows == 6000
    assert resolve_spec(reducer.get_params(), facts).epochs == 7


@pytest.mark.parametrize(
    "early_stopping, epochs, decoded_heads", [(False, 7, 0.5), (True, 12, 1.0)]
)
def test_rows_held_out_for_early_stopping_do_not_count_for_the_auto_epochs(
    early_stopping, epochs, decoded_heads
):
    # 6,600 rows less 10 % held out leave 5,940 to train on and build the graph of:
    # under InfoNCE's 6,000, so 12 epochs and every head decoded. (Networks are built,
    # not trained, here.)
    X = np.random.RandomState(0).rand(6600, 4)
    reducer = AutoencoderReducer(2, early_stopping=early_stopping, random_state=0)
    reducer._start_or_continue(X, False, early_stopping, choose_alpha=False)
    assert reducer.spec_.epochs == epochs
    assert reducer.spec_.decoded_heads == decoded_heads
    reducer.set_params(warm_start=True)
    reducer._start_or_continue(X, True, early_stopping, choose_alpha=False)
    assert reducer.spec_.epochs == epochs


@pytest.mark.parametrize("neighbor_loss", ["umap", "infonce"])
def test_variational_code_with_a_neighbour_term_is_refused(digits, neighbor_loss):
    reducer = AutoencoderReducer(2, variational=True, neighbor_loss=neighbor_loss, **QUICK)
    with pytest.raises(
        ValueError, match=f"neighbor_loss='{neighbor_loss}' cannot train a variational"
    ):
        reducer.fit(digits[0][:50])


def test_too_few_rows_for_the_graph(digits):
    with pytest.warns(UserWarning, match="n_neighbors=15 is not below the 10 training"):
        AutoencoderReducer(2, **QUICK).fit(digits[0][:10])
    with pytest.raises(ValueError, match="at least 2 training rows; got 1 sample"):
        AutoencoderReducer(2, **QUICK).fit(digits[0][:1])


@pytest.mark.parametrize("neighbor_loss", ["umap", "infonce"])
def test_the_map_survives_pickle_save_load_and_clone(digits, tmp_path, neighbor_loss):
    X = digits[0][:200]
    reducer = AutoencoderReducer(
        2, neighbor_loss=neighbor_loss, n_neighbors=7, min_dist=0.3, **QUICK
    ).fit(X)
    assert reducer.spec_.neighbor_loss == neighbor_loss
    # The network trains the term asked for, not merely records its name.
    term = {"umap": UMAPNeighborLoss, "infonce": InfoNCENeighborLoss}[neighbor_loss]
    assert type(reducer.autoencoder_.get_layer("neighbor_loss")) is term
    codes = reducer.transform(X)
    np.testing.assert_allclose(pickle.loads(pickle.dumps(reducer)).transform(X), codes)
    reducer.save(tmp_path / "map.skae")
    loaded = AutoencoderReducer.load(tmp_path / "map.skae")
    np.testing.assert_allclose(loaded.transform(X), codes, atol=1e-6)
    assert loaded.spec_ == reducer.spec_
    assert type(loaded.autoencoder_.get_layer("neighbor_loss")) is term
    fresh = clone(reducer)
    settings = (fresh.neighbor_loss, fresh.n_neighbors, fresh.min_dist)
    assert settings == (neighbor_loss, 7, 0.3)
    assert not hasattr(fresh, "spec_")


def test_warm_start_early_stopping_partial_fit_conv_and_memmaps(digits, tmp_path):
    X = digits[0][:200].astype(np.float32)
    stored = np.lib.format.open_memmap(tmp_path / "X.npy", "w+", np.float32, X.shape)
    stored[:] = X
    early = AutoencoderReducer(2, early_stopping=True, **QUICK).fit(stored)
    assert len(early.history_["neighbor_loss"]) == early.n_iter_
    assert "val_loss" in early.history_
    warm = AutoencoderReducer(2, warm_start=True, **QUICK).fit(X)
    warm.set_params(epochs=3).fit(X)
    assert warm.n_iter_ == 3 and len(warm.history_["neighbor_loss"]) == 3
    partial = AutoencoderReducer(2, **QUICK)
    for part in np.array_split(X, 2):  # each call's graph is that call's rows
        partial.partial_fit(part)
    assert len(partial.history_["neighbor_loss"]) == 2
    conv = AutoencoderReducer(2, architecture="conv", conv_filters=(4,), **QUICK).fit(X)
    assert conv.spec_.neighbor_loss == "infonce"
    assert np.isfinite(conv.inverse_transform(conv.transform(X))).all()


def test_the_same_random_state_trains_the_same_map(digits):
    X = digits[0][:200]
    first, second, other = (
        AutoencoderReducer(2, **{**QUICK, "random_state": seed}).fit(X)
        for seed in (0, 0, 1)
    )
    np.testing.assert_array_equal(first.transform(X), second.transform(X))
    assert first.history_["neighbor_loss"] == second.history_["neighbor_loss"]
    assert not np.array_equal(first.transform(X), other.transform(X))


def test_large_graphs_ask_umap_learn_for_approximate_neighbours(monkeypatch):
    # Routing only: pynndescent's own accuracy is umap-learn's to test, and compiling it
    # takes a minute. Above EXACT_NEIGHBORS_MAX_ROWS, no exact search runs and
    # umap-learn gets no neighbours, so it finds them with pynndescent.
    from skae import neighbors

    umap_ = neighbors.import_umap().umap_
    real, exact = umap_.fuzzy_simplicial_set, neighbors._exact_neighbors
    asked = []

    def without_neighbours(rows, n_neighbors, random_state, metric, **known):
        asked.append(known)
        dists, indices = exact(rows, n_neighbors)
        return real(
            rows, n_neighbors, random_state, metric, knn_indices=indices, knn_dists=dists
        )

    def no_exact_search(rows, n_neighbors):
        raise AssertionError("the exact search ran above EXACT_NEIGHBORS_MAX_ROWS")

    rows = np.random.default_rng(0).normal(size=(60, 3))
    monkeypatch.setattr(umap_, "fuzzy_simplicial_set", without_neighbours)
    graph_below = neighbors.neighbor_graph(rows, 5, 0.1, seed=0)
    assert asked[-1]["knn_indices"] is not None
    monkeypatch.setattr(neighbors, "EXACT_NEIGHBORS_MAX_ROWS", 59)
    monkeypatch.setattr(neighbors, "_exact_neighbors", no_exact_search)
    graph_above = neighbors.neighbor_graph(rows, 5, 0.1, seed=0)
    assert asked[-1]["knn_indices"] is None and asked[-1]["knn_dists"] is None
    np.testing.assert_array_equal(graph_above.heads, graph_below.heads)
