"""The compared methods: their names, how each reducer is built, and their notes.

`METHODS` names them and `resolve_methods` checks a user's choice. `build_reducer`
makes each unfitted reducer that embeds new rows (autoencoder, the same without its
neighbour loss, PCA, KernelPCA, UMAP) with the settings the report states;
`build_tsne` makes t-SNE, which cannot, so the runner measures it apart and `tsne_note`
says how. A method that cannot run here raises
`MethodSkipped`, whose message becomes its row's note.

The numbers of the measuring protocol live here too: the runner uses them and the
report quotes them.
"""

from collections.abc import Sequence
from typing import NamedTuple

from sklearn.base import BaseEstimator
from sklearn.decomposition import PCA, KernelPCA
from sklearn.manifold import TSNE

# The split's size check needs the neighbourhood size too, so skae.datasets owns it.
from ..backends import import_umap
from ..datasets import N_NEIGHBORS

METHODS = ("autoencoder", "plain_autoencoder", "pca", "kernelpca", "tsne", "umap")

# Folds of t-SNE's cross-validated k-NN accuracy.
CV_FOLDS = 5
# Rows transformed once before the timed transform, so that one-off costs (numba's
# compilation in UMAP, Keras tracing) are not counted as transform time.
WARM_UP_ROWS = 10
# Barnes-Hut t-SNE, scikit-learn's default, embeds in at most 3 dimensions.
TSNE_MAX_COMPONENTS = 3
# UMAP's inverse_transform triangulates the embedding (Delaunay): UMAP itself warns from
# 8 components on, and in tens of dimensions the triangulation never finishes.
UMAP_MAX_INVERSE_COMPONENTS = 7
UMAP_MISSING_NOTE = "umap-learn is not installed: pip install 'skae[umap]'"


class MethodSkipped(Exception):
    """A method cannot run in this setting; the message is the row's note."""


class Reducer(NamedTuple):
    """An unfitted reducer, whether to measure its reconstruction, and its row's note."""

    estimator: BaseEstimator
    reconstructs: bool
    note: str = ""


def resolve_methods(methods: str | Sequence[str]) -> tuple[str, ...]:
    """Method names from a comma-separated string or a sequence, checked.

    Parameters
    ----------
    methods : str or sequence of str
        Such as ``"pca,tsne"`` or ``["pca", "tsne"]``; names from `METHODS`.

    Returns
    -------
    methods : tuple of str
        The names, stripped, in the given order, without repeats.

    Raises
    ------
    ValueError
        If a name is unknown or none is given.
    """
    if isinstance(methods, str):
        methods = methods.split(",")
    names = tuple(dict.fromkeys(name.strip() for name in methods if name.strip()))
    unknown = [name for name in names if name not in METHODS]
    if unknown or not names:
        problem = (
            f"unknown method(s) {', '.join(map(repr, unknown))}" if unknown else "none"
        )
        raise ValueError(f"{problem}; choose from {', '.join(METHODS)}.")
    return names


def build_reducer(
    method, n_components, random_state, X_train, autoencoder_params
) -> Reducer:
    """The unfitted reducer of a method that embeds new rows (every method but t-SNE)."""
    if method in ("autoencoder", "plain_autoencoder"):
        from ..estimator import AutoencoderReducer  # imports Keras: only when compared

        params = {"random_state": random_state, **(autoencoder_params or {})}
        reducer = AutoencoderReducer(n_components, **params)
        if method == "autoencoder":
            return Reducer(reducer, reconstructs=True)
        if not _has_neighbor_loss(reducer, X_train):
            raise MethodSkipped("the autoencoder has no neighbour loss here: same row")
        plain = reducer.set_params(neighbor_loss=None)
        return Reducer(plain, reconstructs=True, note="autoencoder, neighbor_loss=None")
    if method == "pca":
        return Reducer(PCA(n_components, random_state=random_state), reconstructs=True)
    if method == "kernelpca":
        gamma = float(1.0 / (X_train.shape[1] * X_train.var()))
        reducer = KernelPCA(
            n_components,
            kernel="rbf",
            gamma=gamma,
            fit_inverse_transform=True,
            random_state=random_state,
        )
        return Reducer(reducer, reconstructs=True)
    if method == "umap":
        try:
            umap = import_umap()
        except ImportError as error:
            raise MethodSkipped(UMAP_MISSING_NOTE) from error
        reducer = umap.UMAP(n_components=n_components, n_jobs=1, random_state=random_state)
        if n_components > UMAP_MAX_INVERSE_COMPONENTS:
            note = (
                f"no MSE: UMAP's inverse_transform is practical only up to "
                f"{UMAP_MAX_INVERSE_COMPONENTS} components"
            )
            return Reducer(reducer, reconstructs=False, note=note)
        return Reducer(reducer, reconstructs=True)
    raise ValueError(f"unknown method {method!r}")  # resolve_methods lets none through


def _has_neighbor_loss(reducer, X_train) -> bool:
    """Whether ``reducer`` would train with the neighbour loss on ``X_train``."""
    from ..spec import DataFacts, resolve_spec

    return (
        resolve_spec(reducer.get_params(), DataFacts.of(X_train)).neighbor_loss is not None
    )


def build_tsne(n_components: int, random_state: int) -> TSNE:
    """Unfitted t-SNE with scikit-learn's defaults; skipped above 3 components."""
    if n_components > TSNE_MAX_COMPONENTS:
        raise MethodSkipped(
            f"t-SNE (Barnes-Hut) embeds in at most {TSNE_MAX_COMPONENTS} components"
        )
    return TSNE(n_components, random_state=random_state)


def tsne_note(n_rows: int, labelled: bool) -> str:
    """t-SNE's row note: fitted on all ``n_rows`` rows, as it cannot embed new ones."""
    knn_note = (
        f"{N_NEIGHBORS}-NN accuracy by {CV_FOLDS}-fold CV on the whole embedding; "
        if labelled
        else ""
    )
    return (
        f"t-SNE cannot embed new rows: fit on all {n_rows:,} rows (train + "
        f"test); trustworthiness and continuity on the test rows' part; {knn_note}"
        "no inverse"
    )
