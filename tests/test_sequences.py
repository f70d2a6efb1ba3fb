"""The `PyDataset` batches of JAX and PyTorch: each epoch a seeded pass, set by Keras."""

import numpy as np

from skae.batches import RowReader
from skae.neighbors import neighbor_graph
from skae.sequences import SequenceFeed, ShuffledBatches


def _epoch(batches: ShuffledBatches) -> np.ndarray:
    return np.concatenate([batches[index][0] for index in range(len(batches))])


def test_each_epoch_visits_the_chosen_rows_once_in_its_own_seeded_order():
    X = np.arange(50, dtype=np.float64)[:, None]
    indices = np.arange(10, 40)
    batches = ShuffledBatches(RowReader(X), 8, seed=3, first_epoch=0, indices=indices)
    assert [len(batches[index][0]) for index in range(len(batches))] == [8, 8, 8, 6]
    first = _epoch(batches).ravel()
    np.testing.assert_array_equal(np.sort(first), indices)
    batches.epoch = 1
    second = _epoch(batches).ravel()
    assert not np.array_equal(first, second)
    again = ShuffledBatches(RowReader(X), 8, seed=3, first_epoch=1, indices=indices)
    np.testing.assert_array_equal(_epoch(again).ravel(), second)


def test_keras_sets_the_epoch_and_a_fit_continues_from_first_epoch():
    X = np.arange(20, dtype=np.float64)[:, None]
    feed = SequenceFeed(model=None)
    batches, callbacks = feed.shuffled(RowReader(X), 4, 0, 5, 2, indices=None, graph=None)
    (epochs,) = callbacks
    epochs.on_epoch_begin(1)  # Keras' second epoch of this fit
    assert batches.epoch == 6


def test_edge_batches_hold_heads_then_tails_of_drawn_edges():
    rows = np.random.default_rng(0).normal(size=(40, 3))
    graph = neighbor_graph(rows, 5, 0.1, seed=0)
    batches = ShuffledBatches(RowReader(rows), 16, seed=0, first_epoch=0, graph=graph)
    heads_and_tails, _ = batches[0]
    heads, tails = heads_and_tails[:8], heads_and_tails[8:]
    edges = set(zip(graph.heads.tolist(), graph.tails.tolist(), strict=True))
    position = {tuple(np.float32(row)): index for index, row in enumerate(rows)}
    for head, tail in zip(heads, tails, strict=True):
        assert (position[tuple(head)], position[tuple(tail)]) in edges
