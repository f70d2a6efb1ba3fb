"""The comparison's figures, as a scikit-learn style Display: `ComparisonDisplay`.

``kind="embeddings"``: every method's 2-D embedding of the held-out test rows side by
side, coloured by label. ``kind="reconstructions"``: the same test rows reconstructed by
every method with an inverse, one pair of image rows (or line plots) per method. Each
panel is drawn by a `skae.plots` Display, `EmbeddingDisplay` or `ReconstructionDisplay`.

matplotlib is imported only when a figure is drawn.
"""

import numpy as np

from ..plots import EmbeddingDisplay, ReconstructionDisplay
from .methods import N_NEIGHBORS

KINDS = ("embeddings", "reconstructions")


def drawable_kinds(comparison) -> list[str]:
    """The kinds of `ComparisonDisplay` a comparison has panels for, in `KINDS` order.

    ``"embeddings"`` when the embeddings are 2-D and a method embedded the test rows;
    ``"reconstructions"`` when a method reconstructed them.

    Parameters
    ----------
    comparison : Comparison
        The result of `compare`.

    Returns
    -------
    kinds : list of str
    """
    return [kind for kind in KINDS if _drawn_results(comparison, kind)]


def _drawn_results(comparison, kind: str) -> list:
    """The results whose panels a figure of this kind shows, in the comparison's order."""
    if kind == "embeddings":
        if comparison.n_components != 2:
            return []
        return [r for r in comparison.results if r.test_embedding is not None]
    return [r for r in comparison.results if r.test_reconstruction is not None]


class ComparisonDisplay:
    """The figures of a comparison: one panel per method, side by side.

    Build it with `from_comparison`; the constructor only stores what it is given, and
    `plot` draws it.

    Parameters
    ----------
    kind : {"embeddings", "reconstructions"}
        What the panels show.
    estimator_names : list of str
        Title of each panel, in order: the method's name, and for embeddings its scores.
    embeddings : list of ndarray of shape (n_samples, 2), default=None
        With ``kind="embeddings"``: each method's embedding of the same rows.
    labels : array-like of shape (n_samples,), default=None
        With ``kind="embeddings"``: the rows' labels, for the colours; None for one
        colour.
    originals : ndarray of shape (n_samples, n_features), default=None
        With ``kind="reconstructions"``: the rows shown.
    reconstructions : list of ndarray of shape (n_samples, n_features), default=None
        With ``kind="reconstructions"``: each method's reconstruction of ``originals``.
    image_shape : tuple of int (height, width), default=None
        With ``kind="reconstructions"``: the shape of one row as an image; None to infer
        square images (other rows are drawn as line plots).
    value_range : tuple of float (low, high), default=None
        With ``kind="reconstructions"``: the grey scale of every image panel, so that a
        shade means the same value for every method; None for the range of
        ``originals``.
    title : str, default=None
        The figure's title.

    Attributes
    ----------
    displays_ : list of EmbeddingDisplay or ReconstructionDisplay
        The panels, one per name of ``estimator_names``.
    ax_ : ndarray of matplotlib Axes of shape (n_panels,)
        The panels' axes; for reconstructions, the hidden axes each grid is drawn in.
    figure_ : matplotlib Figure
        The figure holding the panels.

    Examples
    --------
    >>> from skae.compare import ComparisonDisplay, compare
    >>> from skae.datasets import load_comparison_data
    >>> data = load_comparison_data("digits", n_train=300, n_test=100)
    >>> comparison = compare(data.X_train, data.X_test, data.y_train, data.y_test,
    ...                      methods="pca,kernelpca", image_shape=data.image_shape)
    >>> display = ComparisonDisplay.from_comparison(comparison, kind="reconstructions")
    >>> display.ax_.shape, display.displays_[0].images_.shape
    ((2,), (2, 10))
    """

    def __init__(
        self,
        kind,
        estimator_names,
        *,
        embeddings=None,
        labels=None,
        originals=None,
        reconstructions=None,
        image_shape=None,
        value_range=None,
        title=None,
    ):
        self.kind = kind
        self.estimator_names = estimator_names
        self.embeddings = embeddings
        self.labels = labels
        self.originals = originals
        self.reconstructions = reconstructions
        self.image_shape = image_shape
        self.value_range = value_range
        self.title = title

    def plot(self, ax=None) -> "ComparisonDisplay":
        """Draw the panels.

        Parameters
        ----------
        ax : array-like of matplotlib Axes, default=None
            One axes per panel, in the order of ``estimator_names``; for
            reconstructions each is the box its grid is drawn in. None draws on a new
            figure, made without pyplot (nothing to close), sized for the panels.

        Returns
        -------
        display : ComparisonDisplay
            This display, with ``displays_``, ``ax_`` and ``figure_`` set.
        """
        if self.kind == "embeddings":
            if ax is None:
                ax = _embedding_grid(len(self.embeddings))
            self._plot_embeddings(np.ravel(ax))
        elif self.kind == "reconstructions":
            if ax is None:
                ax = _reconstruction_rows(len(self.reconstructions), len(self.originals))
            self._plot_reconstructions(np.ravel(ax))
        else:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}; got {self.kind!r}.")
        self.figure_ = self.ax_[0].figure
        if self.title is not None:
            self.figure_.suptitle(self.title)
        return self

    def _plot_embeddings(self, axes) -> None:
        panels = zip(axes, self.embeddings, self.estimator_names, strict=True)
        self.displays_ = [
            _embedding_panel(ax, embedding, self.labels, name)
            for ax, embedding, name in panels
        ]
        self.ax_ = axes
        legend = self.displays_[-1].legend_
        if legend is not None:
            # One legend for the figure instead of one beside every panel.
            handles = legend.legend_handles
            texts = [text.get_text() for text in legend.texts]
            for display in self.displays_:
                display.legend_.remove()
            axes[0].figure.legend(handles, texts, title="label", loc="outside right center")

    def _plot_reconstructions(self, axes) -> None:
        value_range = self.value_range
        if value_range is None:
            value_range = self.originals.min(), self.originals.max()
        panels = zip(axes, self.reconstructions, self.estimator_names, strict=True)
        self.displays_ = [
            _reconstruction_panel(
                ax, self.originals, reconstruction, self.image_shape, name, value_range
            )
            for ax, reconstruction, name in panels
        ]
        self.ax_ = axes

    @classmethod
    def from_comparison(
        cls, comparison, *, kind: str = "embeddings", n_samples: int = 10, ax=None
    ) -> "ComparisonDisplay":
        """Draw a comparison's embeddings or reconstructions, one panel per method.

        ``"embeddings"``: the 2-D embedding of the held-out test rows by every method
        that embedded them (t-SNE: their part of its fit on all rows), titled with its
        trustworthiness and k-NN accuracy, coloured by label (one colour without
        labels), with one legend for the figure. ``"reconstructions"``: the test rows
        reconstructed by every method with an inverse, all on the test rows' grey scale;
        the rows shown are the first test row of each label, in label order (up to
        ``n_samples``), so that every class appears once; without labels, the first
        test rows.

        Parameters
        ----------
        comparison : Comparison
            The result of `compare`.
        kind : {"embeddings", "reconstructions"}, default="embeddings"
            Which figure; `drawable_kinds` says which the comparison has.
        n_samples : int, default=10
            With ``kind="reconstructions"``: the number of test rows shown.
        ax : array-like of matplotlib Axes, default=None
            One axes per panel; None for a new figure (see `plot`).

        Returns
        -------
        display : ComparisonDisplay

        Raises
        ------
        ValueError
            If ``kind`` is unknown, or the comparison has nothing to draw for it: no
            2-D embedding, or no method with an inverse.
        """
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}; got {kind!r}.")
        results = _drawn_results(comparison, kind)
        if not results:
            raise ValueError(_NOTHING_TO_DRAW[kind])
        data = comparison.data
        if kind == "embeddings":
            display = cls(
                kind,
                [_embedding_title(result) for result in results],
                embeddings=[result.test_embedding for result in results],
                labels=data.y_test,
                title=f"2-D embeddings of the {len(data.X_test):,} held-out test rows "
                "(t-SNE: their part of a fit on all rows)",
            )
        else:
            shown = _rows_shown(data.y_test, len(data.X_test), n_samples)
            display = cls(
                kind,
                [result.method for result in results],
                originals=data.X_test[shown],
                reconstructions=[result.test_reconstruction[shown] for result in results],
                image_shape=data.image_shape,
                value_range=(data.X_test.min(), data.X_test.max()),
                title="Held-out test rows (top of each pair) and their reconstructions "
                f"from {comparison.n_components} components",
            )
        return display.plot(ax=ax)


_NOTHING_TO_DRAW = {
    "embeddings": "no 2-D embedding to draw: the comparison has "
    "n_components != 2, or no method embedded the test rows.",
    "reconstructions": "no reconstruction to draw: no compared method has an inverse.",
}


def _embedding_title(result) -> str:
    title = f"{result.method}\ntrustworthiness {result.trustworthiness:.3f}"
    if result.knn_accuracy is not None:
        title += f", {N_NEIGHBORS}-NN {result.knn_accuracy:.3f}"
    return title


def _rows_shown(labels, n_rows: int, n_samples: int) -> np.ndarray:
    """The first row of each label, in label order; without labels, the first rows."""
    if labels is None:
        return np.arange(min(n_samples, n_rows))
    return np.unique(labels, return_index=True)[1][:n_samples]


# ------------------------------------------------------------ figures for the panels


def _embedding_grid(n_panels: int):
    """Axes for the embeddings on a new figure: up to 3 a row, spare cells hidden."""
    from matplotlib.figure import Figure

    n_columns = min(n_panels, 3)
    n_rows = -(-n_panels // n_columns)
    # A Figure without pyplot: no GUI backend, no global figure list to close.
    figure = Figure(
        figsize=(4.2 * n_columns + 1.2, 4.0 * n_rows + 0.6), layout="constrained"
    )
    axes = figure.subplots(n_rows, n_columns, squeeze=False).ravel()
    for spare in axes[n_panels:]:
        spare.set_axis_off()
    return axes[:n_panels]


def _reconstruction_rows(n_panels: int, n_samples: int):
    """Axes for the reconstructions on a new figure: one row per panel."""
    from matplotlib.figure import Figure

    # At least 6.4 inches wide: the title's width, when there are few classes.
    width = max(1.05 * n_samples + 0.6, 6.4)
    figure = Figure(figsize=(width, 2.6 * n_panels + 0.5))
    figure.subplots_adjust(
        left=0.08,
        right=0.98,
        bottom=0.3 / figure.get_figheight(),
        top=1 - 0.9 / figure.get_figheight(),
        hspace=0.45,
    )
    return figure.subplots(n_panels, 1, squeeze=False)[:, 0]


# ---------------------------------------------- the panels, drawn by skae.plots' Displays


def _embedding_panel(ax, embedding, labels, name) -> EmbeddingDisplay:
    return EmbeddingDisplay.from_embedding(embedding, labels, estimator_name=name, ax=ax)


def _reconstruction_panel(
    ax, originals, reconstructions, image_shape, name, value_range
) -> ReconstructionDisplay:
    display = ReconstructionDisplay(
        originals, reconstructions, image_shape=image_shape, estimator_name=name
    ).plot(ax=ax)
    # Every panel on one grey scale (values outside it saturate), so that a shade means
    # the same value for every method; a display's own scale would stretch to PCA's
    # negative pixels and turn its originals grey.
    if display.images_ is not None:  # None when rows are drawn as lines
        for image in display.images_.flat:
            image.set_clim(*value_range)
    return display
