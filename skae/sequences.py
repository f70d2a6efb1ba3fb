"""Training batches as Keras `PyDataset`s, for the JAX and PyTorch backends.

Keras feeds a `PyDataset` to ``Model.fit`` on every backend without `tf.data`, so
nothing here imports TensorFlow. Each item is one batch of `skae.batches`' rows, read
when Keras asks for it. An epoch's order depends on the epoch's number, which a
callback sets as Keras begins the epoch: Keras also reads a first batch to build the
model and signals epoch ends outside training, so counting its signals would drift.

Under a `keras.distribution` on JAX (``DataParallel`` over several devices), Keras
shards each batch evenly over the devices: batches then hold a multiple of the
device count (`skae.batches.batch_bounds` with ``even``).
"""

from contextlib import nullcontext

import keras
import numpy as np

from .batches import EdgeReader, batch_bounds, drawn_edges, edge_batch_bounds, epoch_order


class ShuffledBatches(keras.utils.PyDataset):
    """One epoch's ``(rows, rows)`` batches, in the order of epoch `epoch`.

    Parameters
    ----------
    reader : skae.batches.RowReader
        Reads the rows.
    batch_size : int
        Rows per step (capped at the number of rows).
    seed : int
        Seeds each epoch's order.
    first_epoch : int
        The epoch the first pass is shuffled as (`epoch` until Keras sets it).
    indices : ndarray of int or None
        Train on these rows only (None: all of them).
    graph : skae.neighbors.NeighborGraph or None
        Draw each batch as the ends of neighbour edges (between positions in
        ``indices``) instead of shuffled rows.
    shards : int
        Batches hold a multiple of this many rows (devices a batch is sharded over).
    """

    def __init__(
        self, reader, batch_size, seed, first_epoch, *, indices=None, graph=None, shards=1
    ):
        super().__init__()
        even = dict(n_replicas=shards, even=True)
        self.seed = seed
        self.epoch = first_epoch
        self._graph = graph
        self._indices = None if indices is None else np.asarray(indices)
        if graph is None:
            self._read = reader
            self._n_rows = reader.n_rows if indices is None else len(self._indices)
            self._starts, self._stops = batch_bounds(self._n_rows, batch_size, **even)
        else:
            self._read = EdgeReader(reader, graph, self._indices)
            self._starts, self._stops = edge_batch_bounds(graph.n_edges, batch_size, **even)
        self._order_of = (None, None)  # (epoch, its order)

    def __len__(self):
        return len(self._starts)

    def _order(self) -> np.ndarray:
        epoch, order = self._order_of
        if epoch != self.epoch:
            if self._graph is not None:
                order = drawn_edges(
                    self._graph, int(self._stops[-1]), self.seed, self.epoch
                )
            else:
                order = epoch_order(self._n_rows, self.seed, self.epoch)
                if self._indices is not None:
                    order = self._indices[order]
            self._order_of = (self.epoch, order)
        return order

    def __getitem__(self, index):
        rows = self._read(self._order()[self._starts[index] : self._stops[index]])
        return rows, rows


class OrderedBatches(keras.utils.PyDataset):
    """The rows (or those at ``indices``) in their order, as ``(rows, rows)`` batches."""

    def __init__(self, reader, batch_size, *, indices=None, shards=1):
        super().__init__()
        self._read = reader
        n_rows = reader.n_rows if indices is None else len(indices)
        self._rows = np.arange(n_rows) if indices is None else np.asarray(indices)
        self._starts, self._stops = batch_bounds(n_rows, batch_size, shards, even=True)

    def __len__(self):
        return len(self._starts)

    def __getitem__(self, index):
        rows = self._read(self._rows[self._starts[index] : self._stops[index]])
        return rows, rows


class _EpochNumbers(keras.callbacks.Callback):
    """Tells the batches which epoch Keras begins, counted from ``first_epoch``."""

    def __init__(self, batches: ShuffledBatches, first_epoch: int):
        super().__init__()
        self.batches = batches
        self.first_epoch = first_epoch

    def on_epoch_begin(self, epoch, logs=None):
        self.batches.epoch = self.first_epoch + epoch


def data_shards(distribution) -> int:
    """How many devices a `keras.distribution` shards each batch over (1 for none)."""
    if distribution is None:
        return 1
    mesh = distribution.device_mesh
    return int(mesh.shape[list(mesh.axis_names).index(distribution.batch_dim_name)])


class SequenceFeed:
    """How `skae.training.train` feeds batches to ``Model.fit`` through `PyDataset`s.

    ``n_replicas`` is the number of devices the global `keras.distribution` (JAX only)
    shards batches over; ``even`` says batches must split evenly between them.
    """

    even = True

    def __init__(self, model: keras.Model):
        self.model = model
        distribution = keras.distribution.distribution()
        self.n_replicas = data_shards(distribution)
        self.distributed = distribution is not None

    def ordered(self, reader, batch_size: int, *, indices=None):
        return OrderedBatches(reader, batch_size, indices=indices, shards=self.n_replicas)

    def shuffled(self, reader, batch_size, seed, first_epoch, epochs, *, indices, graph):
        """The training batches and the callbacks they need."""
        batches = ShuffledBatches(
            reader,
            batch_size,
            seed,
            first_epoch,
            indices=indices,
            graph=graph,
            shards=self.n_replicas,
        )
        return batches, [_EpochNumbers(batches, first_epoch)]

    def fitting(self):
        return nullcontext()
