"""Training batches as `tf.data` pipelines, split over a `tf.distribute` strategy.

TensorFlow's way of feeding `skae.batches`' rows to ``Model.fit``:

- under a `tf.distribute` strategy every batch is the global batch: it is split into one
  piece per replica, and each input pipeline (one per worker) reads only the pieces of
  its own replicas. A last batch too small to give every replica a row joins the batch
  before it, since an empty replica batch would break the step;
- rows are read by a `skae.batches.RowReader` through `tf.numpy_function`, which
  TensorFlow keeps alive for the rest of the process; `skae.batches.reading_rows` lets
  go of the array when training ends, so that the array itself is not kept.
"""

import numpy as np
import tensorflow as tf

from .batches import EdgeReader, RowReader, batch_bounds, edge_batch_bounds


def _replica_pieces(starts, stops, replicas, n_replicas: int):
    """The positions each of ``replicas`` reads from every batch, batch after batch."""
    sizes = (stops - starts)[:, None]
    replicas = np.asarray(replicas)
    piece_starts = starts[:, None] + sizes * replicas // n_replicas
    piece_stops = starts[:, None] + sizes * (replicas + 1) // n_replicas
    return piece_starts.ravel(), piece_stops.ravel()


def _input_pipeline(
    reader: RowReader,
    indices,
    context: tf.distribute.InputContext,
    *,
    batch_size: int,
    epochs: range | None,
    order_seed: int | None,
    graph=None,
):
    """The ``(rows, rows)`` pieces one input pipeline feeds its replicas.

    ``epochs`` numbers the epochs to shuffle with ``order_seed``; None gives endless
    passes in the rows' own order. With a neighbour ``graph``, each epoch instead
    draws as many edges as the graph has, in proportion to their weights (a pass over
    the graph, as umap-learn's epochs are), and each piece holds its edges' heads and
    then their tails (see `EdgeReader`).
    """
    n_rows = reader.n_rows if indices is None else len(indices)
    if graph is not None:
        edge_reader = EdgeReader(reader, graph, indices)
        return _edge_pipeline(edge_reader, graph, context, batch_size, epochs, order_seed)
    n_replicas = context.num_replicas_in_sync
    local_replicas = n_replicas // context.num_input_pipelines
    first = context.input_pipeline_id * local_replicas
    starts, stops = batch_bounds(n_rows, batch_size, n_replicas)
    pieces = tf.data.Dataset.from_tensor_slices(
        _replica_pieces(starts, stops, range(first, first + local_replicas), n_replicas)
    )
    row_numbers = None if indices is None else tf.constant(indices, tf.int64)

    # The dataset functions have no tensor-dependent control flow: skipping AutoGraph's
    # conversion saves a good part of the pipeline's set-up (tens of milliseconds,
    # which count for partial_fit on small chunks).
    @tf.autograph.experimental.do_not_convert
    def piece(order, start, stop):
        return order[start:stop]

    @tf.autograph.experimental.do_not_convert
    def epoch_pieces(epoch):
        order = tf.range(n_rows, dtype=tf.int64)
        if order_seed is not None:
            seed = tf.stack([tf.constant(order_seed, tf.int64), epoch])
            order = tf.random.experimental.stateless_shuffle(order, seed=seed)
        if row_numbers is not None:
            order = tf.gather(row_numbers, order)
        return pieces.map(lambda start, stop: piece(order, start, stop))

    @tf.autograph.experimental.do_not_convert
    def rows_pair(rows):
        batch = tf.numpy_function(reader, [rows], tf.float32, stateful=False)
        batch.set_shape((None, reader.n_features))
        return batch, batch

    if epochs is None:
        epoch_numbers = tf.data.Dataset.range(1).repeat()
    else:
        epoch_numbers = tf.data.Dataset.range(epochs.start, epochs.stop)
    return (
        epoch_numbers.flat_map(epoch_pieces)
        .map(rows_pair, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
        .prefetch(tf.data.AUTOTUNE)
        .with_options(_pipeline_options())
    )


def _pipeline_options() -> tf.data.Options:
    options = tf.data.Options()
    # Each pipeline reads only its own replicas' pieces: nothing is left to shard.
    options.experimental_distribute.auto_shard_policy = (
        tf.data.experimental.AutoShardPolicy.OFF
    )
    # No autotuning: deleting an autotuned pipeline's iterator when a fit returned
    # sometimes waited for the tuner's thread (7.5 s after a dense fit, 13.3 s after a
    # map on MNIST, 2 fits of 8); without it no fit waited and epochs took as long
    # (benchmarks/results/pipeline_autotune.md).
    options.autotune.enabled = False
    return options


def _edge_pipeline(edge_reader, graph, context, batch_size, epochs, order_seed):
    """`_input_pipeline` for a neighbour graph: pieces of drawn edges' two ends."""
    n_replicas = context.num_replicas_in_sync
    local_replicas = n_replicas // context.num_input_pipelines
    first = context.input_pipeline_id * local_replicas
    starts, stops = edge_batch_bounds(graph.n_edges, batch_size, n_replicas)
    n_edges = int(stops[-1])
    pieces = tf.data.Dataset.from_tensor_slices(
        _replica_pieces(starts, stops, range(first, first + local_replicas), n_replicas)
    )
    cumulative = tf.constant(graph.cumulative, tf.float64)
    last_edge = graph.n_edges - 1

    @tf.autograph.experimental.do_not_convert
    def epoch_pieces(epoch):
        seed = tf.stack([tf.constant(order_seed, tf.int64), epoch])
        draws = tf.random.stateless_uniform((n_edges,), seed=seed, dtype=tf.float64)
        edges = tf.minimum(tf.searchsorted(cumulative, draws), last_edge)
        return pieces.map(lambda start, stop: edges[start:stop])

    @tf.autograph.experimental.do_not_convert
    def ends_pair(edges):
        batch = tf.numpy_function(edge_reader, [edges], tf.float32, stateful=False)
        batch.set_shape((None, edge_reader.n_features))
        return batch, batch

    return (
        tf.data.Dataset.range(epochs.start, epochs.stop)
        .flat_map(epoch_pieces)
        .map(ends_pair, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
        .prefetch(tf.data.AUTOTUNE)
        .with_options(_pipeline_options())
    )


def shuffled_batches(
    reader: RowReader,
    batch_size: int,
    seed: int,
    first_epoch: int,
    epochs: int,
    *,
    indices=None,
    strategy: tf.distribute.Strategy | None = None,
    graph=None,
):
    """``epochs`` epochs of shuffled ``(rows, rows)`` training batches.

    Parameters
    ----------
    reader : RowReader
        Reads the rows (see `reading_rows`).
    batch_size : int
        Rows per step over all replicas (capped at the number of rows).
    seed : int
        Seeds each epoch's order: epoch ``e`` is shuffled with ``(seed, e)``.
    first_epoch : int
        Index of the first epoch, so that continued training draws new orders.
    epochs : int
        Number of epochs in the dataset.
    indices : ndarray of int or None
        Train on these rows only (None: all of them).
    strategy : tf.distribute.Strategy or None
        The strategy training runs under; None for the current one.
    graph : skae.neighbors.NeighborGraph or None
        Draw each batch as the ends of neighbour edges (between positions in
        ``indices``) instead of shuffled rows.

    Returns
    -------
    tf.data.Dataset or tf.distribute.DistributedDataset
        Each step's batch, split over the strategy's replicas (a plain dataset under
        the default strategy).
    """
    epoch_range = range(first_epoch, first_epoch + epochs)
    return (strategy or tf.distribute.get_strategy()).distribute_datasets_from_function(
        lambda context: _input_pipeline(
            reader,
            indices,
            context,
            batch_size=batch_size,
            epochs=epoch_range,
            order_seed=seed,
            graph=graph,
        )
    )


def ordered_batches(reader: RowReader, batch_size: int, *, indices=None, strategy=None):
    """Endless passes over the rows in their order, as ``(rows, rows)`` batches.

    For evaluating held-out rows once an epoch: a pass is as many steps as
    `batch_bounds` gives batches.
    """
    return (strategy or tf.distribute.get_strategy()).distribute_datasets_from_function(
        lambda context: _input_pipeline(
            reader, indices, context, batch_size=batch_size, epochs=None, order_seed=None
        )
    )


class TFFeed:
    """How `skae.training.train` feeds batches to ``Model.fit`` through `tf.data`.

    Training runs under the `tf.distribute` strategy the model was made under, if any
    (`skae.distribution`), which splits uneven batches between replicas itself.
    """

    even = False

    def __init__(self, model):
        from .distribution import creation_strategy

        self.model = model
        self.strategy = model.distribute_strategy
        self.n_replicas = self.strategy.num_replicas_in_sync
        self.distributed = creation_strategy(model) is not None

    def ordered(self, reader, batch_size: int, *, indices=None):
        return ordered_batches(reader, batch_size, indices=indices, strategy=self.strategy)

    def shuffled(self, reader, batch_size, seed, first_epoch, epochs, *, indices, graph):
        """The training batches and the callbacks they need (none)."""
        batches = shuffled_batches(
            reader,
            batch_size,
            seed,
            first_epoch,
            epochs,
            indices=indices,
            strategy=self.strategy,
            graph=graph,
        )
        return batches, []

    def fitting(self):
        from .distribution import keras_fit_workarounds

        return keras_fit_workarounds(self.model)
