"""The training rows' nearest-neighbour graph, for the neighbour-preserving loss.

``neighbor_loss="umap"`` trains the code to keep the training rows' neighbourhoods as
UMAP does (McInnes, Healy and Melville 2018; as a network's loss, Sainburg, McInnes and
Gentner 2021): the rows' fuzzy simplicial set, a weighted graph of each row's
``n_neighbors`` nearest neighbours, is computed once per fit by umap-learn (which finds
the neighbours with pynndescent), and training samples its edges in proportion to their
weights. `skae.layers.UMAPNeighborLoss` then pulls the codes of an edge's two rows
together and pushes codes of random pairs apart, with UMAP's curve of ``min_dist``.

Only the graph is kept: edge heads, tails and the cumulative weights that sampling
searches, ``O(n_samples * n_neighbors)``. NumPy only; umap-learn is imported when a graph
is built.
"""

from dataclasses import dataclass

import numpy as np

# UMAP's own setting: the spread of the embedding that min_dist is measured against.
_SPREAD = 1.0


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
    from umap.umap_ import find_ab_params

    a, b = find_ab_params(_SPREAD, min_dist)
    return float(a), float(b)


def neighbor_graph(
    rows: np.ndarray, n_neighbors: int, min_dist: float, seed: int
) -> NeighborGraph:
    """The fuzzy neighbour graph of ``rows`` (as the encoder sees them).

    Raises ValueError when there are too few rows for ``n_neighbors``.
    """
    n_rows = rows.shape[0]
    if n_rows <= n_neighbors:
        raise ValueError(
            f"neighbor_loss='umap' needs more training rows than n_neighbors="
            f"{n_neighbors}; got {n_rows} rows. Lower n_neighbors, train on more rows, "
            "or set neighbor_loss=None."
        )
    from umap.umap_ import fuzzy_simplicial_set

    graph, _, _ = fuzzy_simplicial_set(
        rows, n_neighbors, np.random.RandomState(seed), "euclidean"
    )
    graph = graph.tocoo()
    weights = graph.data.astype(np.float64)
    cumulative = np.cumsum(weights)
    cumulative /= cumulative[-1]
    a, b = curve_parameters(min_dist)
    return NeighborGraph(
        graph.row.astype(np.int64), graph.col.astype(np.int64), cumulative, a, b
    )
