"""Plots of reducers, in scikit-learn's Display style.

Each Display's constructor only stores the data it is given; ``plot(ax=None, ...)``
checks and draws it, stores the artists (``ax_`` or ``axes_``, ``figure_``, ...) and
returns the display. Each Display has two constructors that draw: one from data
(`ReconstructionDisplay.from_reconstructions`, `EmbeddingDisplay.from_embedding`,
`CodeImageDisplay.from_codes`, `TrainingCurveDisplay.from_history`) and
``from_estimator``, which computes that data with a fitted estimator and passes it on.
Any estimator with the needed methods works: PCA, KernelPCA, UMAP and
`AutoencoderReducer` alike. All of them take ``estimator_name``, the name in the title.

Displays drawing a grid of small images take ``ax`` as a bounding box, as scikit-learn's
`PartialDependenceDisplay` does: the grid is drawn inside it (a new figure when None).

matplotlib is imported inside the functions that draw, so importing this module stays
as light as NumPy.
"""

import math
import warnings

import numpy as np

# Smallest square inferred as an image: 4 features are more likely a table than a 2x2
# picture, while 8x8 digits and 28x28 MNIST rows are images.
_MIN_INFERRED_IMAGE_SIDE = 4

# Keras' ReduceLROnPlateau logs the learning rate beside the losses; it is not a loss.
_NOT_LOSSES = frozenset({"learning_rate", "lr"})


# ---------------------------------------------------------------------- shared helpers


def _most_square_shape(size: int) -> tuple[int, int]:
    """The factors ``(height, width)`` of ``size`` closest to a square, height <= width."""
    height = max(d for d in range(1, math.isqrt(size) + 1) if size % d == 0)
    return height, size // height


def _checked_shape(shape, size: int, name: str) -> tuple[int, int]:
    shape = tuple(int(side) for side in shape)
    if len(shape) != 2 or math.prod(shape) != size:
        raise ValueError(
            f"{name}={shape} must be (height, width) with {size} values in all."
        )
    return shape


def _require_method(estimator, method: str, purpose: str, hint: str) -> None:
    if not callable(getattr(estimator, method, None)):
        raise TypeError(
            f"{type(estimator).__name__} has no {method}, which {purpose}. {hint}"
        )


def _first_rows(X, n_samples: int):
    # Slicing keeps DataFrames as DataFrames, so estimators fitted on named columns
    # see their feature names.
    return X[:n_samples]


# TODO(0.3): remove method_name, deprecated in 0.2.
def _renamed_method_name(estimator_name, method_name):
    """``estimator_name``, or ``method_name``, its deprecated spelling, with a warning."""
    if isinstance(method_name, str) and method_name == "deprecated":  # not passed
        return estimator_name
    if estimator_name is not None:
        raise ValueError(
            "Pass estimator_name only: method_name is its deprecated spelling; got "
            f"estimator_name={estimator_name!r} and method_name={method_name!r}."
        )
    warnings.warn(
        "method_name is deprecated in 0.2 and will be removed in 0.3; use "
        "estimator_name, as every skae Display does.",
        FutureWarning,
        # Point at the caller of the public method that received method_name.
        stacklevel=3,
    )
    return method_name


def _bounding_axes(ax, grid_size: tuple[float, float], margins: tuple[float, ...]):
    """The axes a grid is drawn inside, hidden: ``ax``, or a new figure's only axes.

    A new figure measures ``grid_size`` (width, height) plus ``margins`` (left, right,
    bottom, top), all in inches, so that its cells keep their shape whatever their number.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        left, right, bottom, top = margins
        width, height = grid_size[0] + left + right, grid_size[1] + bottom + top
        figure = plt.figure(figsize=(width, height))
        figure.subplots_adjust(
            left=left / width,
            right=1 - right / width,
            bottom=bottom / height,
            top=1 - top / height,
        )
        ax = figure.add_subplot()
    ax.set_axis_off()
    return ax


def _hide_ticks_and_frame(ax) -> None:
    # Unlike ``ax.set_axis_off()``, this keeps the y label, used to name rows.
    ax.set(xticks=[], yticks=[])
    for spine in ax.spines.values():
        spine.set_visible(False)


# ------------------------------------------------------------------- reconstructions


class ReconstructionDisplay:
    """Rows beside their reconstructions, as images or as line plots.

    Image rows (``image_shape`` given, or ``n_features`` a perfect square of at least
    4x4, such as 8x8 digits) are drawn as a two-row grid: originals on top,
    reconstructions below, on one grey scale. Other rows are drawn as one small line
    plot each, original and reconstruction over the feature index.

    Parameters
    ----------
    originals : array-like of shape (n_samples, n_features)
        The rows to show.
    reconstructions : array-like of shape (n_samples, n_features)
        Their reconstructions, such as ``inverse_transform(transform(originals))``.
    image_shape : tuple of int (height, width), default=None
        Shape of one row as an image; inferred for square images when None.
    estimator_name : str, default=None
        Name shown in the title.

    Attributes
    ----------
    image_shape_ : tuple of int or None
        The image shape drawn, or None when rows are drawn as lines.
    mse_ : float
        Mean squared reconstruction error over the rows shown.
    bounding_ax_ : matplotlib Axes
        The hidden axes the grid is drawn inside; it holds the title.
    axes_ : ndarray of matplotlib Axes
        The grid: shape (2, n_samples) for images; for lines, one axes per row in up to
        5 columns (None where the last grid row is not full).
    images_ : ndarray of matplotlib AxesImage of shape (2, n_samples) or None
        Originals (row 0) and reconstructions (row 1), when drawn as images.
    lines_ : ndarray of matplotlib Line2D of shape (n_samples, 2) or None
        Original and reconstruction line of each row, when drawn as lines.
    figure_ : matplotlib Figure
        Figure holding the grid.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.decomposition import PCA
    >>> from skae.plots import ReconstructionDisplay
    >>> X = load_digits().data / 16
    >>> display = ReconstructionDisplay.from_estimator(PCA(8).fit(X), X, n_samples=5)
    >>> display.images_.shape
    (2, 5)
    """

    def __init__(
        self, originals, reconstructions, *, image_shape=None, estimator_name=None
    ):
        self.originals = originals
        self.reconstructions = reconstructions
        self.image_shape = image_shape
        self.estimator_name = estimator_name

    def _checked_rows(self) -> tuple[np.ndarray, np.ndarray]:
        originals = np.asarray(self.originals, dtype=float)
        reconstructions = np.asarray(self.reconstructions, dtype=float)
        if originals.ndim != 2 or originals.shape != reconstructions.shape:
            raise ValueError(
                "originals and reconstructions must be 2-D arrays of the same shape; got "
                f"{originals.shape} and {reconstructions.shape}."
            )
        return originals, reconstructions

    def _resolved_image_shape(self, n_features: int) -> tuple[int, int] | None:
        if self.image_shape is not None:
            return _checked_shape(self.image_shape, n_features, "image_shape")
        height, width = _most_square_shape(n_features)
        is_square_image = height == width >= _MIN_INFERRED_IMAGE_SIDE
        return (height, width) if is_square_image else None

    def plot(self, ax=None, *, cmap: str = "gray") -> "ReconstructionDisplay":
        """Draw originals and reconstructions.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Bounding axes: it is hidden and the grid is drawn inside it. When None, a
            new figure is created.
        cmap : str or matplotlib Colormap, default="gray"
            Colormap of the images (unused for line plots).

        Returns
        -------
        display : ReconstructionDisplay
            The display, with its artists stored.
        """
        originals, reconstructions = self._checked_rows()
        n_samples, n_features = originals.shape
        self.image_shape_ = self._resolved_image_shape(n_features)
        self.mse_ = float(np.mean((originals - reconstructions) ** 2))
        if self.image_shape_ is None:
            self._plot_lines(ax, originals, reconstructions)
        else:
            self._plot_images(ax, originals, reconstructions, cmap)
        name = self.estimator_name or "Reconstructions"
        self.bounding_ax_.set_title(
            f"{name}: mean squared error {self.mse_:.4g} over {n_samples} rows",
            # Clear the titles of the line plots' top row.
            pad=10 if self.lines_ is None else 24,
        )
        self.figure_ = self.bounding_ax_.figure
        return self

    def _plot_images(self, ax, originals, reconstructions, cmap) -> None:
        n_samples = len(originals)
        self.bounding_ax_ = _bounding_axes(
            ax, grid_size=(1.05 * n_samples, 2.1), margins=(0.4, 0.1, 0.1, 0.5)
        )
        grid = self.bounding_ax_.get_subplotspec().subgridspec(
            2, n_samples, wspace=0.05, hspace=0.05
        )
        figure = self.bounding_ax_.figure
        # One grey scale for both rows, so that a faded reconstruction looks faded.
        value_range = {
            "vmin": min(originals.min(), reconstructions.min()),
            "vmax": max(originals.max(), reconstructions.max()),
        }
        self.axes_ = np.empty((2, n_samples), dtype=object)
        self.images_ = np.empty((2, n_samples), dtype=object)
        self.lines_ = None
        for row, rows in enumerate((originals, reconstructions)):
            for column in range(n_samples):
                image_ax = figure.add_subplot(grid[row, column])
                image = rows[column].reshape(self.image_shape_)
                self.images_[row, column] = image_ax.imshow(
                    image, cmap=cmap, interpolation="nearest", **value_range
                )
                _hide_ticks_and_frame(image_ax)
                self.axes_[row, column] = image_ax
        self.axes_[0, 0].set_ylabel("original")
        self.axes_[1, 0].set_ylabel("reconstruction")

    def _plot_lines(self, ax, originals, reconstructions) -> None:
        n_samples = len(originals)
        n_columns = min(n_samples, 5)
        n_rows = math.ceil(n_samples / n_columns)
        self.bounding_ax_ = _bounding_axes(
            ax, grid_size=(2.6 * n_columns, 2.2 * n_rows), margins=(0.5, 0.2, 0.5, 0.8)
        )
        grid = self.bounding_ax_.get_subplotspec().subgridspec(
            n_rows, n_columns, wspace=0.3, hspace=0.5
        )
        figure = self.bounding_ax_.figure
        feature_index = np.arange(originals.shape[1])
        self.axes_ = np.empty((n_rows, n_columns), dtype=object)
        self.lines_ = np.empty((n_samples, 2), dtype=object)
        self.images_ = None
        for sample in range(n_samples):
            row, column = divmod(sample, n_columns)
            line_ax = figure.add_subplot(grid[row, column])
            (original,) = line_ax.plot(feature_index, originals[sample], label="original")
            (reconstruction,) = line_ax.plot(
                feature_index, reconstructions[sample], "--", label="reconstruction"
            )
            self.lines_[sample] = original, reconstruction
            line_ax.set_title(f"row {sample}", fontsize="small")
            line_ax.tick_params(labelsize="x-small")
            if sample + n_columns >= n_samples:  # nothing drawn below this one
                line_ax.set_xlabel("feature index", fontsize="small")
            self.axes_[row, column] = line_ax
        self.axes_[0, 0].legend(fontsize="x-small")

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X,
        *,
        n_samples: int = 10,
        image_shape=None,
        estimator_name=None,
        ax=None,
        cmap="gray",
    ) -> "ReconstructionDisplay":
        """Reconstruct the first rows of X with a fitted reducer and draw them.

        Parameters
        ----------
        estimator : estimator instance
            A fitted reducer with ``transform`` and ``inverse_transform``.
        X : array-like of shape (n_samples, n_features)
            Rows; the first ``n_samples`` are shown.
        n_samples : int, default=10
            Number of rows to show.
        image_shape : tuple of int (height, width), default=None
            Shape of one row as an image; inferred for square images when None.
        estimator_name : str, default=None
            Name shown in the title; the estimator's class name when None.
        ax : matplotlib Axes, default=None
            Bounding axes to draw inside; a new figure when None.
        cmap : str or matplotlib Colormap, default="gray"
            Colormap of the images (unused for line plots).

        Returns
        -------
        display : ReconstructionDisplay
            The display, with its artists stored.

        See Also
        --------
        ReconstructionDisplay.from_reconstructions : Draw reconstructions already made.
        """
        for method in ("transform", "inverse_transform"):
            _require_method(
                estimator,
                method,
                "reconstructing rows needs",
                "Use a reducer with an inverse, such as PCA, "
                "KernelPCA(fit_inverse_transform=True) or AutoencoderReducer.",
            )
        # Only the rows shown are reconstructed.
        rows = _first_rows(X, n_samples)
        return cls.from_reconstructions(
            rows,
            estimator.inverse_transform(estimator.transform(rows)),
            n_samples=n_samples,
            image_shape=image_shape,
            estimator_name=estimator_name or type(estimator).__name__,
            ax=ax,
            cmap=cmap,
        )

    @classmethod
    def from_reconstructions(
        cls,
        X,
        X_reconstructed,
        *,
        n_samples: int = 10,
        image_shape=None,
        estimator_name=None,
        ax=None,
        cmap="gray",
    ) -> "ReconstructionDisplay":
        """Draw the first rows of X beside their reconstructions, already made.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows; the first ``n_samples`` are shown.
        X_reconstructed : array-like of shape (n_samples, n_features)
            Their reconstructions, such as ``inverse_transform(transform(X))``.
        n_samples : int, default=10
            Number of rows to show.
        image_shape : tuple of int (height, width), default=None
            Shape of one row as an image; inferred for square images when None.
        estimator_name : str, default=None
            Name shown in the title.
        ax : matplotlib Axes, default=None
            Bounding axes to draw inside; a new figure when None.
        cmap : str or matplotlib Colormap, default="gray"
            Colormap of the images (unused for line plots).

        Returns
        -------
        display : ReconstructionDisplay
            The display, with its artists stored.

        See Also
        --------
        ReconstructionDisplay.from_estimator : Reconstruct the rows with a reducer.

        Examples
        --------
        >>> from sklearn.datasets import load_digits
        >>> from sklearn.decomposition import PCA
        >>> from skae.plots import ReconstructionDisplay
        >>> X = load_digits().data / 16
        >>> pca = PCA(8).fit(X)
        >>> X_reconstructed = pca.inverse_transform(pca.transform(X))
        >>> display = ReconstructionDisplay.from_reconstructions(X, X_reconstructed)
        >>> display.images_.shape
        (2, 10)
        """
        display = cls(
            _first_rows(X, n_samples),
            _first_rows(X_reconstructed, n_samples),
            image_shape=image_shape,
            estimator_name=estimator_name,
        )
        return display.plot(ax=ax, cmap=cmap)


# ------------------------------------------------------------------------ embeddings


def _class_colors(colormap, n_classes):
    """A colormap of ``n_classes`` colours, one per class.

    A qualitative map (tab10) gives its first colours, which are made to be told apart;
    resampling it would spread 3 classes over colours 0, 5 and 9: blue, brown and cyan.
    """
    import matplotlib

    colors = getattr(colormap, "colors", None)
    if colors is not None and len(colors) >= n_classes:
        return matplotlib.colors.ListedColormap(colors[:n_classes])
    return colormap.resampled(n_classes)


class EmbeddingDisplay:
    """A 2-D embedding as a scatter plot, coloured by label.

    Up to 10 distinct labels get a legend; more get a colour bar with one colour per
    label; non-integer float labels (a continuous target) get a continuous colour bar.

    Parameters
    ----------
    embedding : array-like of shape (n_samples, 2)
        The 2-D coordinates.
    labels : array-like of shape (n_samples,), default=None
        Label of each row, used for colour; one colour for all rows when None.
    estimator_name : str, default=None
        Name of the reducer, used as the title.
    method_name : str
        Deprecated spelling of ``estimator_name``.

        .. deprecated:: 0.2
           ``method_name`` will be removed in 0.3; use ``estimator_name``.

    Attributes
    ----------
    ax_ : matplotlib Axes
        Axes holding the scatter plot.
    figure_ : matplotlib Figure
        Figure holding the axes.
    scatter_ : matplotlib PathCollection
        The points; ``scatter_.get_offsets()`` is the embedding.
    legend_ : matplotlib Legend or None
        One entry per label, when there are at most 10 distinct labels.
    colorbar_ : matplotlib Colorbar or None
        Colour scale, when there are more labels or they are continuous.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.decomposition import PCA
    >>> from skae.plots import EmbeddingDisplay
    >>> X, y = load_digits(return_X_y=True)
    >>> display = EmbeddingDisplay.from_estimator(PCA(2).fit(X), X, y)
    >>> len(display.legend_.get_texts())
    10
    """

    def __init__(
        self, embedding, labels=None, *, estimator_name=None, method_name="deprecated"
    ):
        self.embedding = embedding
        self.labels = labels
        self.estimator_name = estimator_name
        self.method_name = method_name

    def _checked_data(self) -> tuple[np.ndarray, np.ndarray | None]:
        embedding = np.asarray(self.embedding, dtype=float)
        if embedding.ndim != 2 or embedding.shape[1] != 2:
            raise ValueError(
                "EmbeddingDisplay draws 2-D embeddings, of shape (n_samples, 2); got shape "
                f"{embedding.shape}. Fit the reducer with n_components=2."
            )
        if self.labels is None:
            return embedding, None
        labels = np.asarray(self.labels)
        if labels.shape != (embedding.shape[0],):
            raise ValueError(
                f"labels must have one value per embedded row ({embedding.shape[0]}); "
                f"got shape {labels.shape}."
            )
        return embedding, labels

    def plot(self, ax=None, *, cmap=None, scatter_kwargs=None) -> "EmbeddingDisplay":
        """Draw the embedding.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when None.
        cmap : str or matplotlib Colormap, default=None
            Colormap for the labels: ``"tab10"`` for up to 10 labels, else
            ``"viridis"``.
        scatter_kwargs : dict, default=None
            Keywords passed to ``ax.scatter``, overriding the defaults.

        Returns
        -------
        display : EmbeddingDisplay
            The display, with its artists stored.
        """
        import matplotlib.pyplot as plt

        embedding, labels = self._checked_data()
        name = _renamed_method_name(self.estimator_name, self.method_name)
        if ax is None:
            _, ax = plt.subplots(figsize=(6.4, 5.2), layout="constrained")
        style = {"s": 8, "alpha": 0.8, "linewidths": 0, **(scatter_kwargs or {})}
        self.legend_ = self.colorbar_ = None
        x, y = embedding.T
        if labels is None:
            self.scatter_ = ax.scatter(x, y, **style)
        elif _is_continuous(labels):
            self.scatter_ = ax.scatter(x, y, c=labels, cmap=cmap or "viridis", **style)
            self.colorbar_ = ax.figure.colorbar(self.scatter_, ax=ax, label="label")
        else:
            self._scatter_by_class(ax, embedding, labels, cmap, style)
        ax.set(xlabel="component 1", ylabel="component 2", title=name or "2-D embedding")
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    def _scatter_by_class(self, ax, embedding, labels, cmap, style) -> None:
        import matplotlib

        classes, codes = np.unique(labels, return_inverse=True)
        n_classes = len(classes)
        use_legend = n_classes <= 10
        colormap = matplotlib.colormaps[cmap or ("tab10" if use_legend else "viridis")]
        # With n colours spanning [-0.5, n - 0.5], class code k gets exactly colour k.
        self.scatter_ = ax.scatter(
            *embedding.T,
            c=codes,
            cmap=_class_colors(colormap, n_classes),
            vmin=-0.5,
            vmax=n_classes - 0.5,
            **style,
        )
        if use_legend:
            handles, _ = self.scatter_.legend_elements(num=None)
            self.legend_ = ax.legend(
                handles,
                [str(label) for label in classes],
                title="label",
                loc="center left",
                bbox_to_anchor=(1.01, 0.5),
            )
        else:
            ticks = np.arange(0, n_classes, math.ceil(n_classes / 20))
            self.colorbar_ = ax.figure.colorbar(
                self.scatter_, ax=ax, ticks=ticks, label="label"
            )
            self.colorbar_.set_ticklabels([str(label) for label in classes[ticks]])

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X,
        y=None,
        *,
        estimator_name=None,
        ax=None,
        cmap=None,
        scatter_kwargs=None,
        method_name="deprecated",
    ) -> "EmbeddingDisplay":
        """Embed X with a fitted 2-component reducer and draw it.

        Parameters
        ----------
        estimator : estimator instance
            A fitted reducer with ``transform`` and 2 components.
        X : array-like of shape (n_samples, n_features)
            Rows to embed.
        y : array-like of shape (n_samples,), default=None
            Labels used for colour.
        estimator_name : str, default=None
            Title; the estimator's class name when None.
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when None.
        cmap : str or matplotlib Colormap, default=None
            Colormap for the labels: ``"tab10"`` for up to 10 labels, else
            ``"viridis"``.
        scatter_kwargs : dict, default=None
            Keywords passed to ``ax.scatter``.
        method_name : str
            Deprecated spelling of ``estimator_name``.

            .. deprecated:: 0.2
               ``method_name`` will be removed in 0.3; use ``estimator_name``.

        Returns
        -------
        display : EmbeddingDisplay
            The display, with its artists stored.

        See Also
        --------
        EmbeddingDisplay.from_embedding : Draw an embedding already computed.
        """
        name = _renamed_method_name(estimator_name, method_name)
        _require_method(
            estimator,
            "transform",
            "embedding new rows needs",
            "For t-SNE, use EmbeddingDisplay.from_embedding(tsne.fit_transform(X), y).",
        )
        return cls.from_embedding(
            estimator.transform(X),
            y,
            estimator_name=name or type(estimator).__name__,
            ax=ax,
            cmap=cmap,
            scatter_kwargs=scatter_kwargs,
        )

    @classmethod
    def from_embedding(
        cls,
        embedding,
        y=None,
        *,
        estimator_name=None,
        ax=None,
        cmap=None,
        scatter_kwargs=None,
        method_name="deprecated",
    ) -> "EmbeddingDisplay":
        """Draw an embedding already computed, such as t-SNE's ``fit_transform(X)``.

        Parameters
        ----------
        embedding : array-like of shape (n_samples, 2)
            The 2-D coordinates.
        y : array-like of shape (n_samples,), default=None
            Labels used for colour.
        estimator_name : str, default=None
            Name of the method, used as the title.
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when None.
        cmap : str or matplotlib Colormap, default=None
            Colormap for the labels: ``"tab10"`` for up to 10 labels, else
            ``"viridis"``.
        scatter_kwargs : dict, default=None
            Keywords passed to ``ax.scatter``.
        method_name : str
            Deprecated spelling of ``estimator_name``.

            .. deprecated:: 0.2
               ``method_name`` will be removed in 0.3; use ``estimator_name``.

        Returns
        -------
        display : EmbeddingDisplay
            The display, with its artists stored.

        See Also
        --------
        EmbeddingDisplay.from_estimator : Embed rows with a fitted reducer.
        """
        name = _renamed_method_name(estimator_name, method_name)
        display = cls(embedding, y, estimator_name=name)
        return display.plot(ax=ax, cmap=cmap, scatter_kwargs=scatter_kwargs)


def _is_continuous(labels: np.ndarray) -> bool:
    return np.issubdtype(labels.dtype, np.floating) and not np.all(
        labels == np.round(labels)
    )


# ----------------------------------------------------------------------- code images


class CodeImageDisplay:
    """Codes drawn as small images, such as a 36-component code as a 6x6 picture.

    One image per row, side by side, on one shared colour scale with a colour bar.

    Parameters
    ----------
    codes : array-like of shape (n_samples, n_components)
        The codes, such as ``transform(X)``.
    code_shape : tuple of int (height, width), default=None
        Shape of one code as an image; the factorisation of ``n_components`` closest to
        a square when None (36 -> (6, 6), 8 -> (2, 4), a prime p -> (1, p)).
    labels : array-like of shape (n_samples,), default=None
        Label of each row, used as the title of its image.
    estimator_name : str, default=None
        Name shown in the title.

    Attributes
    ----------
    code_shape_ : tuple of int
        The image shape drawn.
    bounding_ax_ : matplotlib Axes
        The hidden axes the row of images is drawn inside; it holds the title.
    axes_ : ndarray of matplotlib Axes of shape (n_samples,)
        One axes per code.
    images_ : ndarray of matplotlib AxesImage of shape (n_samples,)
        The code images; ``images_[i].get_array()`` is code i reshaped.
    colorbar_ : matplotlib Colorbar
        The shared colour scale.
    figure_ : matplotlib Figure
        Figure holding the images.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.decomposition import PCA
    >>> from skae.plots import CodeImageDisplay
    >>> X = load_digits().data / 16
    >>> display = CodeImageDisplay.from_estimator(PCA(36).fit(X), X, n_samples=4)
    >>> display.images_[0].get_array().shape
    (6, 6)
    """

    def __init__(self, codes, *, code_shape=None, labels=None, estimator_name=None):
        self.codes = codes
        self.code_shape = code_shape
        self.labels = labels
        self.estimator_name = estimator_name

    def _checked_codes(self) -> np.ndarray:
        codes = np.asarray(self.codes, dtype=float)
        if codes.ndim != 2:
            raise ValueError(
                f"codes must be a 2-D array (n_samples, n_components); got shape "
                f"{codes.shape}."
            )
        return codes

    def _resolved_code_shape(self, n_components: int) -> tuple[int, int]:
        if self.code_shape is None:
            return _most_square_shape(n_components)
        return _checked_shape(self.code_shape, n_components, "code_shape")

    def plot(self, ax=None, *, cmap: str = "viridis") -> "CodeImageDisplay":
        """Draw the codes.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Bounding axes: it is hidden and the row of images is drawn inside it. When
            None, a new figure is created.
        cmap : str or matplotlib Colormap, default="viridis"
            Colormap of the code values.

        Returns
        -------
        display : CodeImageDisplay
            The display, with its artists stored.
        """
        from matplotlib.colors import Normalize

        codes = self._checked_codes()
        # An array, so that labels[i] is the i-th label of a pandas Series too.
        labels = None if self.labels is None else np.asarray(self.labels)
        n_samples, n_components = codes.shape
        self.code_shape_ = self._resolved_code_shape(n_components)
        height, width = self.code_shape_
        # Square pixels, in a figure at most 14 inches wide.
        cell_height = min(1.0, 14 / (1.2 * n_samples * width / height))
        cell_width = cell_height * width / height
        self.bounding_ax_ = _bounding_axes(
            ax,
            grid_size=(1.2 * n_samples * cell_width, cell_height),
            margins=(0.1, 0.8, 0.1, 0.8),
        )
        # A last, narrow column holds the colour bar.
        grid = self.bounding_ax_.get_subplotspec().subgridspec(
            1, n_samples + 1, width_ratios=[1] * n_samples + [0.08], wspace=0.15
        )
        figure = self.bounding_ax_.figure
        # One scale for every image, so that equal colours mean equal code values.
        shared_scale = Normalize(vmin=codes.min(), vmax=codes.max())
        self.axes_ = np.empty(n_samples, dtype=object)
        self.images_ = np.empty(n_samples, dtype=object)
        for sample in range(n_samples):
            code_ax = figure.add_subplot(grid[0, sample])
            self.images_[sample] = code_ax.imshow(
                codes[sample].reshape(self.code_shape_),
                cmap=cmap,
                norm=shared_scale,
                interpolation="nearest",
            )
            code_ax.set_axis_off()
            if labels is not None:
                code_ax.set_title(str(labels[sample]), fontsize="small")
            self.axes_[sample] = code_ax
        self.colorbar_ = figure.colorbar(
            self.images_[0], cax=figure.add_subplot(grid[0, -1]), label="code value"
        )
        name = f"{self.estimator_name} codes" if self.estimator_name else "Codes"
        self.bounding_ax_.set_title(
            f"{name}: {n_components} components as {height}x{width} images",
            pad=10 if labels is None else 24,
        )
        self.figure_ = figure
        return self

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X,
        *,
        n_samples: int = 10,
        labels=None,
        code_shape=None,
        estimator_name=None,
        ax=None,
        cmap: str = "viridis",
    ) -> "CodeImageDisplay":
        """Encode the first rows of X with a fitted reducer and draw the codes.

        Parameters
        ----------
        estimator : estimator instance
            A fitted reducer with ``transform``.
        X : array-like of shape (n_samples, n_features)
            Rows; the first ``n_samples`` are encoded.
        n_samples : int, default=10
            Number of codes to show.
        labels : array-like, default=None
            Labels of the rows of X (only the first ``n_samples`` are used), shown as
            titles.
        code_shape : tuple of int (height, width), default=None
            Shape of one code as an image; the most square one when None.
        estimator_name : str, default=None
            Name shown in the title; the estimator's class name when None.
        ax : matplotlib Axes, default=None
            Bounding axes to draw inside; a new figure when None.
        cmap : str or matplotlib Colormap, default="viridis"
            Colormap of the code values.

        Returns
        -------
        display : CodeImageDisplay
            The display, with its artists stored.

        See Also
        --------
        CodeImageDisplay.from_codes : Draw codes already computed.
        """
        _require_method(
            estimator,
            "transform",
            "encoding rows needs",
            "For t-SNE, use CodeImageDisplay.from_codes(tsne.fit_transform(X)).",
        )
        # Only the rows shown are encoded.
        return cls.from_codes(
            estimator.transform(_first_rows(X, n_samples)),
            n_samples=n_samples,
            labels=labels,
            code_shape=code_shape,
            estimator_name=estimator_name or type(estimator).__name__,
            ax=ax,
            cmap=cmap,
        )

    @classmethod
    def from_codes(
        cls,
        codes,
        *,
        n_samples: int = 10,
        labels=None,
        code_shape=None,
        estimator_name=None,
        ax=None,
        cmap: str = "viridis",
    ) -> "CodeImageDisplay":
        """Draw the first ``n_samples`` codes of an encoding already computed.

        Parameters
        ----------
        codes : array-like of shape (n_samples, n_components)
            The codes; the first ``n_samples`` are shown.
        n_samples : int, default=10
            Number of codes to show.
        labels : array-like, default=None
            Labels of the rows of codes (only the first ``n_samples`` are used), shown
            as titles.
        code_shape : tuple of int (height, width), default=None
            Shape of one code as an image; the most square one when None.
        estimator_name : str, default=None
            Name shown in the title.
        ax : matplotlib Axes, default=None
            Bounding axes to draw inside; a new figure when None.
        cmap : str or matplotlib Colormap, default="viridis"
            Colormap of the code values.

        Returns
        -------
        display : CodeImageDisplay
            The display, with its artists stored.

        See Also
        --------
        CodeImageDisplay.from_estimator : Encode rows with a fitted reducer.

        Examples
        --------
        >>> import numpy as np
        >>> from skae.plots import CodeImageDisplay
        >>> codes = np.random.RandomState(0).normal(size=(20, 8))
        >>> CodeImageDisplay.from_codes(codes, n_samples=3).code_shape_
        (2, 4)
        """
        display = cls(
            _first_rows(codes, n_samples),
            code_shape=code_shape,
            labels=None if labels is None else np.asarray(labels)[:n_samples],
            estimator_name=estimator_name,
        )
        return display.plot(ax=ax, cmap=cmap)


# ------------------------------------------------------------------- training curves


class TrainingCurveDisplay:
    """Per-epoch training curves from a Keras-style history.

    One line per loss (``"loss"``, ``"reconstruction_loss"``, ``"kl_loss"``, ...); a
    validation loss (``"val_" + name``) is dashed, in its training loss's colour. The
    learning rate Keras logs beside the losses is left out: it is not a loss.

    Parameters
    ----------
    history : dict of str to list of float
        Per-epoch values, such as ``AutoencoderReducer.history_``.
    estimator_name : str, default=None
        Name shown in the title.

    Attributes
    ----------
    ax_ : matplotlib Axes
        Axes holding the curves.
    figure_ : matplotlib Figure
        Figure holding the axes.
    lines_ : dict of str to matplotlib Line2D
        The curve of each loss.
    legend_ : matplotlib Legend
        One entry per curve.

    Examples
    --------
    >>> from skae.plots import TrainingCurveDisplay
    >>> history = {"loss": [0.9, 0.5, 0.4], "val_loss": [1.0, 0.6, 0.5]}
    >>> display = TrainingCurveDisplay.from_history(history)
    >>> sorted(display.lines_)
    ['loss', 'val_loss']
    """

    def __init__(self, history, *, estimator_name=None):
        self.history = history
        self.estimator_name = estimator_name

    def _losses(self) -> dict[str, list[float]]:
        """The history without the values that are not losses."""
        losses = {
            name: [float(value) for value in values]
            for name, values in dict(self.history).items()
            if name not in _NOT_LOSSES
        }
        if not any(losses.values()):
            raise ValueError(
                "history has no loss values to plot; got keys "
                f"{sorted(dict(self.history))}."
            )
        return losses

    @staticmethod
    def _curves_in_order(names) -> list[str]:
        """Training losses, "loss" first, each followed by its validation loss."""
        names = set(names)
        training = sorted(
            (name for name in names if not name.startswith("val_")),
            key=lambda name: (name != "loss", name),
        )
        ordered = []
        for name in training:
            ordered += [name] + ([f"val_{name}"] if f"val_{name}" in names else [])
        return ordered + sorted(names - set(ordered))

    def plot(self, ax=None, *, log_scale: bool = True) -> "TrainingCurveDisplay":
        """Draw the curves.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when None.
        log_scale : bool, default=True
            Use a logarithmic loss axis, where losses span orders of magnitude. Ignored
            when a value is not positive, which a log axis cannot show.

        Returns
        -------
        display : TrainingCurveDisplay
            The display, with its artists stored.
        """
        import matplotlib.pyplot as plt
        from matplotlib.ticker import MaxNLocator

        losses = self._losses()
        if ax is None:
            _, ax = plt.subplots(layout="constrained")
        self.lines_ = {}
        for name in self._curves_in_order(losses):
            values = losses[name]
            style = {}
            training_line = self.lines_.get(name.removeprefix("val_"))
            if name.startswith("val_") and training_line is not None:
                style = {"color": training_line.get_color(), "linestyle": "--"}
            epochs = np.arange(1, len(values) + 1)
            (self.lines_[name],) = ax.plot(epochs, values, label=name, **style)
        all_values = np.concatenate([values for values in losses.values() if values])
        if log_scale and np.all(all_values > 0):
            ax.set_yscale("log")
        ax.xaxis.set_major_locator(MaxNLocator(nbins="auto", integer=True))
        title = "Training curves"
        if self.estimator_name:
            title += f" of {self.estimator_name}"
        ax.set(xlabel="epoch", ylabel="loss", title=title)
        self.legend_ = ax.legend()
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    @classmethod
    def from_estimator(
        cls, estimator, *, estimator_name=None, ax=None, log_scale: bool = True
    ) -> "TrainingCurveDisplay":
        """Draw the training history of a fitted skae estimator.

        Parameters
        ----------
        estimator : estimator instance
            A fitted estimator with a ``history_`` dict, such as `AutoencoderReducer`.
        estimator_name : str, default=None
            Name shown in the title; the estimator's class name when None.
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when None.
        log_scale : bool, default=True
            Use a logarithmic loss axis when all values are positive.

        Returns
        -------
        display : TrainingCurveDisplay
            The display, with its artists stored.

        See Also
        --------
        TrainingCurveDisplay.from_history : Draw per-epoch losses from any source.
        """
        history = getattr(estimator, "history_", None)
        if history is None:
            raise AttributeError(
                f"{type(estimator).__name__} has no history_: fit it first. Only skae "
                "estimators record a training history; for another, pass its per-epoch "
                "losses to TrainingCurveDisplay.from_history."
            )
        return cls.from_history(
            history,
            estimator_name=estimator_name or type(estimator).__name__,
            ax=ax,
            log_scale=log_scale,
        )

    @classmethod
    def from_history(
        cls, history, *, estimator_name=None, ax=None, log_scale: bool = True
    ) -> "TrainingCurveDisplay":
        """Draw curves from a ``{name: per-epoch values}`` dict.

        Parameters
        ----------
        history : dict of str to list of float
            Per-epoch values, such as Keras' ``model.fit(...).history``.
        estimator_name : str, default=None
            Name shown in the title.
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when None.
        log_scale : bool, default=True
            Use a logarithmic loss axis when all values are positive.

        Returns
        -------
        display : TrainingCurveDisplay
            The display, with its artists stored.

        See Also
        --------
        TrainingCurveDisplay.from_estimator : Draw a fitted skae estimator's history.
        """
        display = cls(history, estimator_name=estimator_name)
        return display.plot(ax=ax, log_scale=log_scale)
