"""The Display classes of skae.plots: what they draw, on PCA, KernelPCA and skae."""

import inspect
import subprocess
import sys
import warnings

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_rgba
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA, KernelPCA
from sklearn.manifold import TSNE

from skae.plots import (
    CodeImageDisplay,
    EmbeddingDisplay,
    ReconstructionDisplay,
    TrainingCurveDisplay,
    _most_square_shape,
)

# Draw in memory, never in a window; pyplot honours this until its first figure.
matplotlib.use("Agg")


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X / 16, y


@pytest.fixture(scope="module")
def autoencoder(digits):
    from skae import AutoencoderReducer

    X, _ = digits
    reducer = AutoencoderReducer(
        n_components=2, hidden_layer_sizes=(8,), epochs=3, random_state=0
    )
    return reducer.fit(X[:300])


def test_importing_plots_does_not_import_matplotlib():
    code = "import sys, skae.plots; print('matplotlib' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize(
    "size, shape",
    [(1, (1, 1)), (2, (1, 2)), (7, (1, 7)), (8, (2, 4)), (12, (3, 4)), (36, (6, 6))],
)
def test_most_square_shape(size, shape):
    assert _most_square_shape(size) == shape


# ------------------------------------------------------------------- reconstructions


@pytest.mark.parametrize(
    "reducer",
    [PCA(n_components=8), KernelPCA(n_components=8, fit_inverse_transform=True)],
    ids=["PCA", "KernelPCA"],
)
def test_reconstruction_display_draws_digits_as_image_pairs(digits, reducer):
    X, _ = digits
    reducer.fit(X[:500])
    display = ReconstructionDisplay.from_estimator(reducer, X, n_samples=6)

    reconstructions = reducer.inverse_transform(reducer.transform(X[:6]))
    assert display.image_shape_ == (8, 8)
    assert display.axes_.shape == display.images_.shape == (2, 6)
    assert display.lines_ is None
    for column in range(6):
        np.testing.assert_allclose(
            display.images_[0, column].get_array(), X[column].reshape(8, 8)
        )
        np.testing.assert_allclose(
            display.images_[1, column].get_array(), reconstructions[column].reshape(8, 8)
        )
    assert display.axes_[0, 0].get_ylabel() == "original"
    assert display.axes_[1, 0].get_ylabel() == "reconstruction"
    mse = np.mean((X[:6] - reconstructions) ** 2)
    assert display.mse_ == pytest.approx(mse)
    title = display.bounding_ax_.get_title()
    assert type(reducer).__name__ in title and f"{mse:.4g}" in title
    assert display.figure_ is display.bounding_ax_.figure


def test_reconstruction_display_draws_non_image_rows_as_lines():
    rows = np.random.RandomState(0).normal(size=(50, 10))
    reconstructions = rows * 0.5
    display = ReconstructionDisplay(rows[:7], reconstructions[:7]).plot()

    assert display.image_shape_ is None and display.images_ is None
    assert display.lines_.shape == (7, 2)
    assert display.axes_.shape == (2, 5)
    assert display.axes_[1, 2] is None  # 7 plots leave the last row's end empty
    original, reconstruction = display.lines_[3]
    np.testing.assert_array_equal(original.get_xdata(), np.arange(10))
    np.testing.assert_allclose(original.get_ydata(), rows[3])
    np.testing.assert_allclose(reconstruction.get_ydata(), reconstructions[3])
    legend_texts = [
        text.get_text() for text in display.axes_[0, 0].get_legend().get_texts()
    ]
    assert legend_texts == ["original", "reconstruction"]


def test_reconstruction_display_draws_inside_the_given_axes(digits):
    X, _ = digits
    figure, (left, right) = plt.subplots(1, 2)
    display = ReconstructionDisplay(X[:3], X[:3], image_shape=(4, 16)).plot(ax=right)

    assert display.bounding_ax_ is right and display.figure_ is figure
    assert not right.axison and left.axison
    assert display.images_[0, 0].get_array().shape == (4, 16)
    assert display.mse_ == 0


def test_reconstruction_display_errors(digits):
    X, _ = digits
    with pytest.raises(TypeError, match="TSNE has no transform.*inverse"):
        ReconstructionDisplay.from_estimator(TSNE(), X)
    with pytest.raises(ValueError, match=r"image_shape=\(7, 7\) must be .* 64 values"):
        ReconstructionDisplay(X[:2], X[:2], image_shape=(7, 7)).plot()
    with pytest.raises(ValueError, match="same shape"):
        ReconstructionDisplay(X[:2], X[:3]).plot()
    with pytest.raises(ValueError, match="same shape"):
        ReconstructionDisplay.from_reconstructions(X[:2], X[:3])


# ------------------------------------------------------------------------ embeddings


def test_embedding_display_colours_each_digit_with_a_legend(digits):
    X, y = digits
    pca = PCA(n_components=2).fit(X)
    display = EmbeddingDisplay.from_estimator(pca, X, y)

    np.testing.assert_allclose(display.scatter_.get_offsets(), pca.transform(X))
    assert [text.get_text() for text in display.legend_.get_texts()] == list("0123456789")
    assert display.colorbar_ is None
    display.figure_.canvas.draw()  # scatter colours are mapped when drawn
    point_colours = display.scatter_.get_facecolors()
    for digit, handle in enumerate(display.legend_.legend_handles):
        colours_of_digit = np.unique(point_colours[y == digit, :3], axis=0)
        np.testing.assert_allclose(colours_of_digit, [to_rgba(handle.get_color())[:3]])
    assert display.ax_.get_title() == "PCA"
    assert display.ax_.get_xlabel() == "component 1"
    assert display.ax_.get_ylabel() == "component 2"


def test_embedding_display_gives_few_classes_the_first_colours_of_tab10():
    import matplotlib

    embedding = np.random.RandomState(0).normal(size=(30, 2))
    labels = np.arange(30) % 3
    display = EmbeddingDisplay(embedding, labels).plot()

    display.figure_.canvas.draw()  # scatter colours are mapped when drawn
    point_colours = display.scatter_.get_facecolors()[:, :3]
    tab10 = np.asarray(matplotlib.colormaps["tab10"].colors)
    for label in range(3):
        np.testing.assert_allclose(point_colours[labels == label][0], tab10[label])


def test_embedding_display_from_embedding_for_tsne(digits):
    X, y = digits
    embedding = TSNE(perplexity=10, max_iter=250, random_state=0).fit_transform(X[:150])
    _, ax = plt.subplots()
    display = EmbeddingDisplay.from_embedding(
        embedding, y[:150], estimator_name="t-SNE", ax=ax
    )

    assert display.ax_ is ax
    np.testing.assert_allclose(display.scatter_.get_offsets(), embedding)
    assert display.ax_.get_title() == "t-SNE"


def test_embedding_display_uses_a_colour_bar_for_many_classes():
    embedding = np.random.RandomState(0).normal(size=(60, 2))
    labels = np.arange(60) % 15
    display = EmbeddingDisplay(embedding, labels).plot()

    assert display.legend_ is None
    np.testing.assert_array_equal(display.colorbar_.get_ticks(), np.arange(15))
    display.figure_.canvas.draw()  # scatter colours are mapped when drawn
    point_colours = display.scatter_.get_facecolors()[:, :3]
    assert len(np.unique(point_colours, axis=0)) == 15


def test_embedding_display_continuous_and_missing_labels():
    embedding = np.random.RandomState(0).normal(size=(30, 2))
    continuous = EmbeddingDisplay(embedding, embedding[:, 0]).plot()
    assert continuous.colorbar_ is not None and continuous.legend_ is None

    unlabelled = EmbeddingDisplay(embedding).plot()
    assert unlabelled.colorbar_ is None and unlabelled.legend_ is None
    assert len(np.unique(unlabelled.scatter_.get_facecolors(), axis=0)) == 1
    assert unlabelled.ax_.get_title() == "2-D embedding"


def test_embedding_display_errors(digits):
    X, y = digits
    with pytest.raises(ValueError, match=r"shape \(1797, 3\). Fit .* n_components=2"):
        EmbeddingDisplay.from_estimator(PCA(n_components=3).fit(X), X, y)
    with pytest.raises(ValueError, match="one value per embedded row"):
        EmbeddingDisplay(np.zeros((5, 2)), labels=[0, 1]).plot()
    with pytest.raises(TypeError, match="TSNE has no transform.*from_embedding"):
        EmbeddingDisplay.from_estimator(TSNE(), X, y)


# ----------------------------------------------------------------------- code images


def test_code_image_display_draws_36_components_as_6x6(digits):
    X, y = digits
    pca = PCA(n_components=36).fit(X)
    display = CodeImageDisplay.from_estimator(pca, X, n_samples=5, labels=y)

    codes = pca.transform(X[:5])
    assert display.code_shape_ == (6, 6)
    assert display.axes_.shape == display.images_.shape == (5,)
    for sample, image in enumerate(display.images_):
        np.testing.assert_allclose(image.get_array(), codes[sample].reshape(6, 6))
        # One shared scale: the same colour means the same value in every image.
        assert image.get_clim() == (codes.min(), codes.max())
    assert [ax.get_title() for ax in display.axes_] == [str(label) for label in y[:5]]
    assert display.colorbar_.ax.get_ylabel() == "code value"
    assert "36 components as 6x6" in display.bounding_ax_.get_title()


def test_code_image_display_errors(digits):
    X, _ = digits
    with pytest.raises(ValueError, match=r"code_shape=\(3, 3\) must be .* 8 values"):
        CodeImageDisplay(np.zeros((2, 8)), code_shape=(3, 3)).plot()
    with pytest.raises(TypeError, match="TSNE has no transform"):
        CodeImageDisplay.from_estimator(TSNE(), X)


# ------------------------------------------------------------------- training curves

HISTORY = {
    "kl_loss": [0.3, 0.2, 0.1],
    "val_loss": [1.1, 0.8, 0.7],
    "loss": [1.0, 0.6, 0.5],
    "learning_rate": [1e-3, 1e-3, 5e-4],
}


def test_training_curve_display_draws_each_loss():
    display = TrainingCurveDisplay.from_history(HISTORY)

    assert list(display.lines_) == ["loss", "val_loss", "kl_loss"]  # no learning rate
    for name, line in display.lines_.items():
        np.testing.assert_array_equal(line.get_xdata(), [1, 2, 3])
        np.testing.assert_allclose(line.get_ydata(), HISTORY[name])
    validation, training = display.lines_["val_loss"], display.lines_["loss"]
    assert validation.get_color() == training.get_color()
    assert validation.get_linestyle() == "--"
    assert [text.get_text() for text in display.legend_.get_texts()] == list(display.lines_)
    assert display.ax_.get_yscale() == "log"
    assert display.ax_.get_xlabel() == "epoch" and display.ax_.get_ylabel() == "loss"


def test_training_curve_display_scale():
    assert TrainingCurveDisplay.from_history(HISTORY, log_scale=False).ax_.get_yscale() == (
        "linear"
    )
    # An ELBO-like loss below zero cannot be drawn on a log axis.
    negative = TrainingCurveDisplay.from_history({"loss": [0.5, -0.2]})
    assert negative.ax_.get_yscale() == "linear"


def test_training_curve_epoch_labels_fit_a_narrow_axis():
    # On a 3-inch axis, 135 epochs got ten labels that ran into each other.
    fig, ax = plt.subplots(figsize=(3, 3))
    TrainingCurveDisplay.from_history({"loss": list(np.linspace(1, 0.1, 135))}, ax=ax)
    fig.canvas.draw()
    ticks = [
        tick for tick in ax.get_xticks() if ax.get_xlim()[0] <= tick <= ax.get_xlim()[1]
    ]
    assert 3 <= len(ticks) <= 6, ticks
    plt.close(fig)


def test_training_curve_display_errors():
    with pytest.raises(AttributeError, match="PCA has no history_: fit it first"):
        TrainingCurveDisplay.from_estimator(PCA())
    with pytest.raises(ValueError, match="no loss values"):
        TrainingCurveDisplay({"learning_rate": [1e-3]}).plot()


# ------------------------------------------------------------------------------ skae


def test_displays_of_an_autoencoder(digits, autoencoder):
    X, y = digits
    codes = autoencoder.transform(X[:300])

    reconstruction = ReconstructionDisplay.from_estimator(autoencoder, X, n_samples=4)
    np.testing.assert_allclose(
        reconstruction.images_[1, 2].get_array(),
        autoencoder.inverse_transform(codes[2:3]).reshape(8, 8),
        rtol=1e-5,
    )
    assert "AutoencoderReducer" in reconstruction.bounding_ax_.get_title()

    embedding = EmbeddingDisplay.from_estimator(autoencoder, X[:300], y[:300])
    np.testing.assert_allclose(embedding.scatter_.get_offsets(), codes, rtol=1e-5)
    assert embedding.ax_.get_title() == "AutoencoderReducer"

    code_images = CodeImageDisplay.from_estimator(autoencoder, X, n_samples=3)
    assert code_images.code_shape_ == (1, 2)
    np.testing.assert_allclose(code_images.images_[1].get_array(), codes[1:2], rtol=1e-5)

    curves = TrainingCurveDisplay.from_estimator(autoencoder)
    np.testing.assert_allclose(
        curves.lines_["loss"].get_ydata(), autoencoder.history_["loss"]
    )
    assert "learning_rate" not in curves.lines_
    assert curves.ax_.get_title() == "Training curves of AutoencoderReducer"


# ------------------------------------------------------------ the Display pattern

DISPLAYS = [ReconstructionDisplay, EmbeddingDisplay, CodeImageDisplay, TrainingCurveDisplay]


@pytest.mark.parametrize("display_class", DISPLAYS)
def test_init_only_stores_its_arguments(display_class):
    # Checks belong to plot and the from_* constructors: __init__ keeps any objects as
    # they are, unchecked, unconverted and uncopied, and computes nothing.
    arguments = {name: object() for name in inspect.signature(display_class).parameters}
    display = display_class(**arguments)
    assert vars(display) == arguments


def test_plot_returns_the_display_drawn_on_the_given_axes(digits):
    X, y = digits
    displays = [
        ReconstructionDisplay(X[:3], X[:3]),
        EmbeddingDisplay(X[:20, :2], y[:20]),
        CodeImageDisplay(X[:3, :8]),
        TrainingCurveDisplay(HISTORY),
    ]
    for display in displays:
        figure, ax = plt.subplots()
        assert display.plot(ax=ax) is display
        assert display.figure_ is figure


@pytest.mark.parametrize(
    "invalid",
    [
        ReconstructionDisplay(np.zeros((2, 4)), np.zeros((3, 4))),
        ReconstructionDisplay(np.zeros((2, 64)), np.zeros((2, 64)), image_shape=(7, 7)),
        EmbeddingDisplay(np.zeros((5, 3))),
        CodeImageDisplay(np.zeros(8)),
        CodeImageDisplay(np.zeros((2, 8)), code_shape=(3, 3)),
        TrainingCurveDisplay({"lr": [1e-3]}),
    ],
    ids=[
        "unpaired rows",
        "image shape",
        "3-D embedding",
        "1-D codes",
        "code shape",
        "no loss",
    ],
)
def test_plot_refuses_invalid_data_before_drawing(invalid):
    with pytest.raises(ValueError):
        invalid.plot()
    assert plt.get_fignums() == []


def test_from_reconstructions_draws_what_from_estimator_draws(digits):
    X, _ = digits
    pca = PCA(n_components=8).fit(X)
    by_estimator = ReconstructionDisplay.from_estimator(pca, X, n_samples=4)
    by_data = ReconstructionDisplay.from_reconstructions(
        X, pca.inverse_transform(pca.transform(X)), n_samples=4, estimator_name="PCA"
    )

    assert by_data.images_.shape == by_estimator.images_.shape == (2, 4)
    for drawn, expected in zip(
        by_data.images_.flat, by_estimator.images_.flat, strict=True
    ):
        np.testing.assert_allclose(drawn.get_array(), expected.get_array())
    assert by_data.bounding_ax_.get_title() == by_estimator.bounding_ax_.get_title()


def test_from_codes_draws_what_from_estimator_draws(digits):
    X, y = digits
    pca = PCA(n_components=8).fit(X)
    by_estimator = CodeImageDisplay.from_estimator(pca, X, n_samples=5, labels=y)
    by_data = CodeImageDisplay.from_codes(
        pca.transform(X), n_samples=5, labels=y, estimator_name="PCA"
    )

    assert by_data.images_.shape == by_estimator.images_.shape == (5,)
    for drawn, expected in zip(by_data.images_, by_estimator.images_, strict=True):
        np.testing.assert_allclose(drawn.get_array(), expected.get_array())
    assert [ax.get_title() for ax in by_data.axes_] == [str(label) for label in y[:5]]
    assert by_data.bounding_ax_.get_title() == by_estimator.bounding_ax_.get_title()


def test_cmap_reaches_the_artists(digits):
    X, y = digits
    pca = PCA(n_components=8).fit(X)
    reconstructions = ReconstructionDisplay.from_estimator(
        pca, X, n_samples=3, cmap="magma"
    )
    assert {image.get_cmap().name for image in reconstructions.images_.flat} == {"magma"}
    default = ReconstructionDisplay.from_reconstructions(X, X, n_samples=3)
    assert {image.get_cmap().name for image in default.images_.flat} == {"gray"}

    codes = CodeImageDisplay.from_codes(pca.transform(X), n_samples=3, cmap="magma")
    assert {image.get_cmap().name for image in codes.images_} == {"magma"}

    embedding = EmbeddingDisplay.from_estimator(
        PCA(n_components=2).fit(X), X, y, cmap="Set1"
    )
    assert embedding.scatter_.get_cmap().name.startswith("Set1")


def test_from_estimator_takes_an_estimator_name(digits, autoencoder):
    X, y = digits
    pca = PCA(n_components=8).fit(X)
    reconstructions = ReconstructionDisplay.from_estimator(pca, X, estimator_name="PCA-8")
    assert reconstructions.bounding_ax_.get_title().startswith("PCA-8: ")
    codes = CodeImageDisplay.from_estimator(pca, X, estimator_name="PCA-8")
    assert codes.bounding_ax_.get_title().startswith("PCA-8 codes: ")
    embedding = EmbeddingDisplay.from_estimator(autoencoder, X, y, estimator_name="AE")
    assert embedding.ax_.get_title() == "AE"
    curves = TrainingCurveDisplay.from_estimator(autoencoder, estimator_name="AE")
    assert curves.ax_.get_title() == "Training curves of AE"
    from_history = TrainingCurveDisplay.from_history(HISTORY, estimator_name="AE")
    assert from_history.ax_.get_title() == "Training curves of AE"


def test_method_name_is_a_deprecated_spelling_of_estimator_name(digits):
    X, y = digits
    pca = PCA(n_components=2).fit(X)
    embedding = pca.transform(X)
    deprecated = "method_name is deprecated in 0.2 .* use estimator_name"
    with pytest.warns(FutureWarning, match=deprecated) as record:
        by_estimator = EmbeddingDisplay.from_estimator(pca, X, y, method_name="old")
    assert record[0].filename == __file__  # the warning points at the caller
    assert by_estimator.ax_.get_title() == "old"
    with pytest.warns(FutureWarning, match=deprecated) as record:
        by_data = EmbeddingDisplay.from_embedding(embedding, y, method_name="old")
    assert record[0].filename == __file__
    assert by_data.ax_.get_title() == "old"
    with pytest.warns(FutureWarning, match=deprecated) as record:
        constructed = EmbeddingDisplay(embedding, method_name="old").plot()
    assert record[0].filename == __file__
    assert constructed.ax_.get_title() == "old"

    with pytest.raises(ValueError, match="Pass estimator_name only"):
        EmbeddingDisplay.from_embedding(embedding, estimator_name="new", method_name="old")
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        EmbeddingDisplay.from_estimator(pca, X, y, estimator_name="new")
