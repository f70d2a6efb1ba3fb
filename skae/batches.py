"""Training batches gathered from the caller's array one batch at a time, on any backend.

The rows stay where they are (an in-memory array, a `numpy.memmap` larger than memory, a
sparse matrix): each batch's rows are read from the array and converted to dense float32
as the batch is made, so no copy of the whole array, in any dtype, is ever made. This
module holds what every backend shares: the readers, the batches' bounds and the epochs'
orders. The batches reach Keras through `tf.data` on TensorFlow (`skae.tf_batches`,
which also splits them over a `tf.distribute` strategy's replicas) and through Keras'
`PyDataset` on JAX and PyTorch (`skae.sequences`).

- Epoch ``e`` visits the rows in an order drawn by a stateless shuffle seeded with
  ``(seed, e)``: the same seed gives the same batches, without touching global seeds,
  and batches never straddle two epochs. (Each backend's pipeline draws its own
  order: the same seed gives the same result on one backend, not across them.)
- A batch's rows are read in increasing order (sequential reads from a memmap); the
  order of rows within a batch does not change its mean loss.
- With a neighbour graph, each epoch instead draws as many edges as the graph has, in
  proportion to their weights (a pass over the graph, as umap-learn's epochs are), and
  a batch holds its edges' heads and then their tails (`EdgeReader`).
"""

from contextlib import contextmanager

import numpy as np

from .rows import dense


class RowReader:
    """Reads rows of X by index, as float32, until released.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Rows in any floating dtype: an ndarray, a `numpy.memmap` or a CSR matrix
        (each batch made dense as it is read).
    """

    def __init__(self, X):
        self._X = X
        self.n_rows, self.n_features = X.shape

    def __call__(self, rows: np.ndarray) -> np.ndarray:
        if self._X is None:
            raise RuntimeError("The rows were released when training ended.")
        return dense(self._X[np.sort(rows)], np.float32)

    def in_order(self, rows: np.ndarray) -> np.ndarray:
        """Rows of X in the order given (each distinct row read once, in order)."""
        distinct, positions = np.unique(rows, return_inverse=True)
        return self(distinct)[positions]

    def release(self) -> None:
        """Drop the reference to X."""
        self._X = None


class EdgeReader:
    """Reads the rows at both ends of neighbour edges: all heads, then all tails.

    Parameters
    ----------
    reader : RowReader
        Reads rows of X.
    graph : skae.neighbors.NeighborGraph
        Edges between positions in ``indices`` (or in X when ``indices`` is None).
    indices : ndarray of int or None
        The rows of X the graph was built on.
    """

    def __init__(self, reader: RowReader, graph, indices=None):
        self.reader = reader
        self.n_features = reader.n_features
        self._heads, self._tails = graph.heads, graph.tails
        self._indices = None if indices is None else np.asarray(indices)

    def __call__(self, edges: np.ndarray) -> np.ndarray:
        ends = np.concatenate([self._heads[edges], self._tails[edges]])
        if self._indices is not None:
            ends = self._indices[ends]
        return self.reader.in_order(ends)


@contextmanager
def reading_rows(X):
    """A `RowReader` of X that lets go of X on exit."""
    reader = RowReader(X)
    try:
        yield reader
    finally:
        reader.release()


def batch_bounds(n_rows: int, batch_size: int, n_replicas: int = 1, *, even=False):
    """Start and stop positions of one epoch's batches of ``n_rows`` rows.

    Batches hold ``batch_size`` rows (capped at ``n_rows``) except the last, which joins
    the one before it when it has fewer rows than there are replicas. With ``even``
    (JAX shards each batch evenly over its devices) every batch holds a multiple of
    ``n_replicas`` rows, and the last ``n_rows % n_replicas`` positions of the epoch's
    order sit that epoch out.
    """
    if n_rows < n_replicas:
        raise ValueError(
            f"{n_rows} rows cannot be split over {n_replicas} replicas, which need at "
            "least one row each. Train on more rows; with early_stopping, raise "
            "validation_fraction so that each replica gets a held-out row too."
        )
    if even:
        n_rows -= n_rows % n_replicas
        batch_size = max(n_replicas, batch_size - batch_size % n_replicas)
    starts = np.arange(0, n_rows, min(batch_size, n_rows))
    if len(starts) > 1 and n_rows - starts[-1] < n_replicas:
        starts = starts[:-1]
    stops = np.append(starts[1:], n_rows)
    return starts, stops


def edge_batch_bounds(n_edges: int, batch_size: int, n_replicas: int = 1, *, even=False):
    """`batch_bounds` of an epoch of ``n_edges`` drawn edges: two rows (its ends) each."""
    return batch_bounds(n_edges, max(1, batch_size // 2), n_replicas, even=even)


def epoch_order(n_rows: int, seed: int, epoch: int) -> np.ndarray:
    """The order in which epoch ``epoch`` visits ``n_rows`` rows, drawn from its seed."""
    return np.random.default_rng((seed, epoch)).permutation(n_rows)


def drawn_edges(graph, n_edges: int, seed: int, epoch: int) -> np.ndarray:
    """``n_edges`` edges of ``graph`` drawn by weight for epoch ``epoch``."""
    draws = np.random.default_rng((seed, epoch)).random(n_edges)
    return np.minimum(np.searchsorted(graph.cumulative, draws), graph.n_edges - 1)
