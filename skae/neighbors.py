"""The training rows' nearest-neighbour graph, for the neighbour-preserving loss.

``neighbor_loss="umap"`` trains the code to keep the training rows' neighbourhoods as
UMAP does (McInnes, Healy and Melville 2018; as a network's loss, Sainburg, McInnes and
Gentner 2021): the rows' fuzzy simplicial set, a weighted graph of each row's
``n_neighbors`` nearest neighbours, is computed once per fit by umap-learn (which finds
the neighbours with pynndescent), and training samples its edges in proportion to their
weights. `skae.layers.UMAPNeighborLoss` then pulls the codes of an edge's two rows
together and pushes codes of random pairs apart, with UMAP's curve of ``min_dist``
(``neighbor_loss="infonce"``: `skae.layers.InfoNCENeighborLoss`, on the same graph).

Only the graph is kept: edge heads, tails and the cumulative weights that sampling
searches, ``O(n_samples * n_neighbors)``. NumPy only; umap-learn is imported when a graph
is built.
"""

import warnings
from dataclasses import dataclass

import numpy as np

from .backends import import_umap

# UMAP's own setting: the spread of the embedding that min_dist is measured against.
_SPREAD = 1.0
# Up to this many rows scikit-learn's exact search is faster than pynndescent: on 8,000
# MNIST rows 1.8 s against 43 s in a new process (numba compiles pynndescent) and 0.4 s
# after (benchmarks/results/neighbor_graph.md).
EXACT_NEIGHBORS_MAX_ROWS = 20_000
# The exact search's chunks of distances, in MiB (scikit-learn's default is 1,024).
_SEARCH_MEMORY_MIB = 16


@dataclass(frozen=True)
class NeighborGraph:
    """Edges of the fuzzy neighbour graph and what sampling them needs.

    Attributes
    ----------
    heads, tails : ndarray of int64, shape (n_edges,)
        Row positions (within the rows the graph was built on) of each edge's ends.
    cumulative : ndarray of float64, shape (n_edges,)
        Cumulative edge weights, scaled to end at 1: an edge is drawn by searching a
        uniform draw in it.
    a, b : float
        UMAP's curve ``1 / (1 + a * d ** (2 * b))`` for ``min_dist``.
    """

    heads: np.ndarray
    tails: np.ndarray
    cumulative: np.ndarray
    a: float
    b: float

    @property
    def n_edges(self) -> int:
        return len(self.heads)


def curve_parameters(min_dist: float) -> tuple[float, float]:
    """UMAP's ``a`` and ``b`` for ``min_dist`` (umap-learn's own fit of the curve)."""
    find_ab_params = import_umap().umap_.find_ab_params

    a, b = find_ab_params(_SPREAD, min_dist)
    return float(a), float(b)


def _exact_neighbors(rows, n_neighbors: int):
    """Distances and indices of each row's ``n_neighbors`` nearest rows, itself first."""
    from sklearn import config_context
    from sklearn.neighbors import NearestNeighbors

    search = NearestNeighbors(n_neighbors=n_neighbors, algorithm="brute").fit(rows)
    # Distances are computed in chunks of at most this many MiB, not all at once.
    with config_context(working_memory=_SEARCH_MEMORY_MIB):
        return search.kneighbors(rows)


def neighbor_graph(
    rows: np.ndarray, n_neighbors: int, min_dist: float, seed: int
) -> NeighborGraph:
    """The fuzzy neighbour graph of ``rows`` (as the encoder sees them).

    ``n_neighbors`` counts each row itself, as in umap-learn. Raises ValueError for a
    single row.
    """
    n_rows = rows.shape[0]
    if n_rows < 2:
        raise ValueError(
            f"A neighbor_loss needs at least 2 training rows; got {n_rows} sample. "
            "Train on more rows or set neighbor_loss=None."
        )
    if n_neighbors >= n_rows:
        # As umap-learn does: a row has at most n_rows - 1 neighbours (and itself).
        warnings.warn(
            f"n_neighbors={n_neighbors} is not below the {n_rows} training rows; the "
            f"neighbour graph uses n_neighbors={n_rows - 1}.",
            UserWarning,
            stacklevel=2,
        )
        n_neighbors = n_rows - 1
    fuzzy_simplicial_set = import_umap().umap_.fuzzy_simplicial_set

    knn_indices = knn_dists = None  # umap-learn asks pynndescent
    if n_rows <= EXACT_NEIGHBORS_MAX_ROWS:
        knn_dists, knn_indices = _exact_neighbors(rows, n_neighbors)
    graph, _, _ = fuzzy_simplicial_set(
        rows,
        n_neighbors,
        np.random.RandomState(seed),
        "euclidean",
        knn_indices=knn_indices,
        knn_dists=knn_dists,
    )
    graph = graph.tocoo()
    if graph.nnz == 0:
        raise ValueError(
            "The neighbor_loss found no neighbour edges between the training rows "
            "(are they all the same?). Set neighbor_loss=None."
        )
    weights = graph.data.astype(np.float64)
    cumulative = np.cumsum(weights)
    cumulative /= cumulative[-1]
    a, b = curve_parameters(min_dist)
    return NeighborGraph(
        graph.row.astype(np.int64), graph.col.astype(np.int64), cumulative, a, b
    )
