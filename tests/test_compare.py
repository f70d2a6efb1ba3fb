"""``skae compare`` end to end, and the pieces of `skae.compare`.

The command runs on a small stratified digits subset with 3 autoencoder epochs, to stay
quick; on the user's own files (.csv, .npy, .npz, with labels by column, by file or none)
and on wine, with PCA only; the numbers are checked against direct scikit-learn
computations.
"""

import contextlib
import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure
from sklearn.datasets import load_digits, load_wine
from sklearn.decomposition import PCA
from sklearn.manifold import trustworthiness as sklearn_trustworthiness
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier
from threadpoolctl import threadpool_limits

from skae import cli, metrics
from skae.compare import (
    COLUMNS,
    METHODS,
    NO_LABELS_NOTE,
    UMAP_MISSING_NOTE,
    ComparisonDisplay,
    compare,
)
from skae.compare.methods import build_reducer
from skae.datasets import load_comparison_data, load_mnist, split_comparison_data

MNIST_DIR = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist"
N_TRAIN, N_TEST = 240, 120
SMALL_SPLIT = ["--n-train", str(N_TRAIN), "--n-test", str(N_TEST)]


def run_cli(argv):
    """``cli.main(argv)`` in-process: (exit status, stdout, stderr)."""
    stdout, stderr = io.StringIO(), io.StringIO()
    # One OpenMP thread: t-SNE's spinning threads slow down manyfold when another process
    # shares the cores, as under a parallel test run.
    with (
        contextlib.redirect_stdout(stdout),
        contextlib.redirect_stderr(stderr),
        threadpool_limits(limits=1),
    ):
        status = cli.main(argv)
    return status, stdout.getvalue(), stderr.getvalue()


@pytest.fixture(scope="module")
def compare_run(tmp_path_factory):
    """``skae compare`` with every default method on a small digits split.

    UMAP's row is skipped as when umap-learn is missing, to keep the run quick (UMAP's
    numba compilation alone takes half a minute; the autoencoder's neighbour graph
    still uses umap-learn); `test_umap_is_compared_when_installed` covers it.
    """
    from skae.compare import runner
    from skae.compare.methods import MethodSkipped

    def without_umap(method, *args):
        if method == "umap":
            raise MethodSkipped(UMAP_MISSING_NOTE)
        return build_reducer(method, *args)

    out = tmp_path_factory.mktemp("compare")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(runner, "build_reducer", without_umap)
        status, stdout, stderr = run_cli(
            ["compare", *SMALL_SPLIT, "--epochs", "3", "--out", str(out)]
        )
    return status, stdout, stderr, out


@pytest.fixture(scope="module")
def csv_rows(compare_run):
    with (compare_run[3] / "results.csv").open(newline="") as file:
        reader = csv.DictReader(file)
        return reader.fieldnames, list(reader)


@pytest.fixture(scope="module")
def small_digits():
    return load_comparison_data("digits", n_train=150, n_test=75)


@pytest.fixture(scope="module")
def pca_and_tsne(small_digits):
    data = small_digits
    with threadpool_limits(limits=1):  # as in run_cli
        return compare(
            data.X_train, data.X_test, data.y_train, data.y_test, methods="pca,tsne"
        )


# --------------------------------------------------------------------- the command


@pytest.mark.slow
def test_compare_command_prints_the_table_and_writes_every_output(compare_run):
    status, stdout, stderr, out = compare_run
    assert status == 0
    for name in ("results.csv", "report.md", "embeddings.png", "reconstructions.png"):
        assert (out / name).stat().st_size > 0, name
    assert stdout.startswith("| method")
    for method in METHODS:
        assert f"| {method}" in stdout
    # Progress: one line when each method starts and one when it ends.
    assert "[1/6] autoencoder: started" in stderr
    assert "[3/6] pca: done in" in stderr


@pytest.mark.slow
def test_results_csv_has_the_columns_and_one_row_per_method(csv_rows):
    fieldnames, rows = csv_rows
    assert tuple(fieldnames) == COLUMNS
    assert [row["method"] for row in rows] == list(METHODS)
    by_method = {row["method"]: row for row in rows}
    for method in ("autoencoder", "plain_autoencoder", "pca", "kernelpca"):
        row = by_method[method]
        assert float(row["mse"]) > 0
        assert 0 < float(row["trustworthiness"]) <= 1
        assert float(row["fit_seconds"]) >= 0
        assert float(row["transform_seconds_per_1000_rows"]) >= 0
    assert by_method["plain_autoencoder"]["note"] == "autoencoder, neighbor_loss=None"
    tsne = by_method["tsne"]
    assert tsne["mse"] == tsne["transform_seconds_per_1000_rows"] == ""
    assert "fit on all" in tsne["note"]
    assert by_method["umap"]["note"] == UMAP_MISSING_NOTE
    assert by_method["umap"]["trustworthiness"] == ""


@pytest.mark.slow
def test_pca_row_equals_a_direct_computation(csv_rows):
    # The documented digits split: stratified, seeded with --random-state (0).
    digits = load_digits()
    X_train, X_test, y_train, y_test = train_test_split(
        digits.data / 16,
        digits.target,
        train_size=N_TRAIN,
        test_size=N_TEST,
        stratify=digits.target,
        random_state=0,
    )
    pca = PCA(2).fit(X_train)
    Z_train, Z_test = pca.transform(X_train), pca.transform(X_test)
    expected = {
        "mse": np.mean((X_test - pca.inverse_transform(Z_test)) ** 2),
        "trustworthiness": sklearn_trustworthiness(X_test, Z_test, n_neighbors=5),
        "continuity": sklearn_trustworthiness(Z_test, X_test, n_neighbors=5),
        "knn_accuracy": KNeighborsClassifier(5).fit(Z_train, y_train).score(Z_test, y_test),
    }
    pca_row = next(row for row in csv_rows[1] if row["method"] == "pca")
    for column, value in expected.items():
        assert float(pca_row[column]) == pytest.approx(value, rel=1e-9), column


@pytest.mark.slow
def test_report_embeds_the_figures_and_states_the_protocol(compare_run):
    report = (compare_run[3] / "report.md").read_text()
    assert "](embeddings.png)" in report
    assert "](reconstructions.png)" in report
    assert "## Protocol" in report
    assert f"{N_TRAIN} training rows, {N_TEST} held-out test rows" in report
    assert "AutoencoderReducer(epochs=3, random_state=0)" in report
    with (compare_run[3] / "embeddings.png").open("rb") as file:
        assert file.read(8) == b"\x89PNG\r\n\x1a\n"


@pytest.mark.slow
def test_installed_module_runs_with_a_clean_terminal(tmp_path):
    # As in a user's shell: without the test suite's own TensorFlow log setting.
    environment = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    completed = subprocess.run(
        [sys.executable, "-m", "skae.cli", "compare", "--methods", "pca,autoencoder"]
        + [*SMALL_SPLIT, "--epochs", "1", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        env=environment,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr
    assert "| autoencoder" in completed.stdout
    # Only our progress lines: TensorFlow's start-up logs are kept off the terminal.
    for line in completed.stderr.splitlines():
        assert line.startswith(("[", "finished in")), line
    assert (tmp_path / "results.csv").exists()


@pytest.mark.parametrize(
    "argv, named",
    [
        (["compare", "--methods", "pca,nope"], "nope"),
        (["compare", "--dataset", "cifar"], "cifar"),
        (["compare", "--dataset", "mnist", "--data-dir", "/nonexistent"], "/nonexistent"),
        (["compare", "--n-components", "0"], "0"),
        (["compare", "--n-train", "200", "--n-test", "10"], "11 test rows"),
        (["compare", "--n-components", "65"], "64 features"),
        (["compare", "--labels", "species"], "--labels needs --data"),
        (["compare", "--dataset", "wine", "--data", "rows.csv"], "not allowed with"),
        ([], "COMMAND"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(argv, named):
    status, stdout, stderr = run_cli(argv)
    assert status == 2
    assert stdout == ""
    assert stderr.count("\n") == 1 and stderr.endswith("\n"), stderr
    assert stderr.startswith("skae") and "error:" in stderr
    assert named in stderr


def test_help_exits_0():
    status, stdout, _ = run_cli(["compare", "--help"])
    assert status == 0
    assert "--n-train" in stdout and "first" in stdout  # the split is documented


# ------------------------------------------------------------------------ the pieces


def test_tsne_row_is_marked_and_measured_on_the_test_rows(small_digits, pca_and_tsne):
    tsne = pca_and_tsne.result("tsne")
    assert tsne.mse is None and tsne.test_reconstruction is None
    assert tsne.transform_seconds_per_1000_rows is None
    assert tsne.knn_cross_validated
    assert "fit on all 225 rows" in tsne.note and "5-fold CV" in tsne.note
    assert tsne.test_embedding.shape == (75, 2)
    assert tsne.trustworthiness == metrics.trustworthiness(
        small_digits.X_test, tsne.test_embedding
    )
    assert "(5-fold CV)" in pca_and_tsne.to_markdown()
    # PCA is held out: its k-NN accuracy is not marked.
    assert not pca_and_tsne.result("pca").knn_cross_validated


def test_tsne_is_skipped_above_three_components(small_digits):
    data = small_digits
    messages = []
    comparison = compare(
        data.X_train,
        data.X_test,
        data.y_train,
        data.y_test,
        methods=["tsne"],
        n_components=4,
        progress=messages.append,
    )
    tsne = comparison.result("tsne")
    assert tsne.skipped and tsne.estimator is None
    assert "at most 3 components" in tsne.note
    assert messages[-1].startswith("[1/1] tsne: skipped")


def test_missing_umap_gives_a_note_row_not_a_failure(small_digits, monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "umap", None)  # makes `import umap` fail
    data = small_digits
    comparison = compare(
        data.X_train, data.X_test, data.y_train, data.y_test, methods="pca,umap"
    )
    umap_row = comparison.result("umap")
    assert umap_row.skipped
    assert umap_row.note == UMAP_MISSING_NOTE
    assert umap_row.mse is umap_row.trustworthiness is umap_row.fit_seconds is None
    assert "| umap (skipped)" in comparison.to_markdown()
    comparison.write(tmp_path)
    with (tmp_path / "results.csv").open(newline="") as file:
        written = {row["method"]: row for row in csv.DictReader(file)}
    assert written["umap"]["note"] == UMAP_MISSING_NOTE
    assert written["umap"]["trustworthiness"] == ""
    # The embeddings figure shows the methods that ran.
    assert (tmp_path / "embeddings.png").exists()


@pytest.mark.slow
def test_umap_is_compared_when_installed(small_digits):
    # umap-learn is a dependency: its row must run, not be skipped.
    data = small_digits
    umap_row = compare(
        data.X_train, data.X_test, data.y_train, data.y_test, methods="umap"
    ).result("umap")
    assert not umap_row.skipped and umap_row.note == ""
    # Reconstructed at 2 components, by UMAP's own inverse_transform.
    assert umap_row.test_reconstruction.shape == data.X_test.shape
    assert umap_row.mse == metrics.reconstruction_error(
        data.X_test, umap_row.test_reconstruction
    )
    assert umap_row.trustworthiness > 0.8


@pytest.mark.parametrize(
    "methods, imports", [("pca,umap", True), ("autoencoder", True), ("pca", False)]
)
def test_umap_learn_is_imported_before_any_fit_is_timed(
    small_digits, monkeypatch, methods, imports
):
    # The map fitted first would otherwise count umap-learn's import in its fit time,
    # and UMAP's own fit after it would not.
    from skae.compare import runner
    from skae.compare.methods import MethodSkipped

    def without_umap(method, *args):
        if method == "umap":
            raise MethodSkipped(UMAP_MISSING_NOTE)
        return build_reducer(method, *args)

    events = []
    monkeypatch.setattr(runner, "import_umap", lambda: events.append("import umap"))
    monkeypatch.setattr(runner, "build_reducer", without_umap)
    data = small_digits
    compare(
        data.X_train,
        data.X_test,
        data.y_train,
        data.y_test,
        methods=methods,
        autoencoder_params={"epochs": 1, "hidden_layer_sizes": (4,)},
        progress=events.append,
    )
    assert (events[0] == "import umap") == imports, events
    assert events.count("import umap") == int(imports)


def test_unknown_method_is_named(small_digits):
    data = small_digits
    with pytest.raises(ValueError, match="'kmeans'.*choose from autoencoder"):
        compare(data.X_train, data.X_test, data.y_train, data.y_test, methods="pca,kmeans")


def test_no_embedding_figure_beyond_two_components(small_digits, tmp_path):
    data = small_digits
    comparison = compare(
        data.X_train, data.X_test, data.y_train, data.y_test, methods="pca", n_components=3
    )
    written = {path.name for path in comparison.write(tmp_path)}
    assert written == {"results.csv", "reconstructions.png", "report.md"}
    assert "embeddings.png" not in (tmp_path / "report.md").read_text()


def test_digits_split_is_stratified_75_25_by_default():
    data = load_comparison_data("digits")
    assert (len(data.X_train), len(data.X_test)) == (1347, 450)
    # Every digit is held out in proportion.
    held_out_share = np.bincount(data.y_test) / np.bincount(load_digits().target)
    np.testing.assert_allclose(held_out_share, 0.25, atol=0.01)
    assert data.image_shape == (8, 8)


@pytest.mark.skipif(not MNIST_DIR.is_dir(), reason="the shared MNIST files are absent")
def test_mnist_split_follows_the_shared_protocol():
    X, y = load_mnist(MNIST_DIR, return_X_y=True)
    data = load_comparison_data("mnist", data_dir=MNIST_DIR)
    np.testing.assert_array_equal(data.X_train, X[:8000])
    np.testing.assert_array_equal(data.X_test, X[8000:])
    np.testing.assert_array_equal(data.y_test, y[8000:])
    assert data.image_shape == (28, 28)
    with pytest.raises(ValueError, match="overlap"):
        load_comparison_data("mnist", data_dir=MNIST_DIR, n_train=9000)


# ------------------------------------------------------------------------ the figures


def test_display_constructor_only_stores_its_arguments():
    arguments = {
        name: object()
        for name in ("embeddings", "labels", "originals", "reconstructions")
        + ("image_shape", "value_range", "title")
    }
    display = ComparisonDisplay("embeddings", ["pca"], **arguments)
    assert display.kind == "embeddings" and display.estimator_names == ["pca"]
    for name, value in arguments.items():
        assert getattr(display, name) is value
    assert not hasattr(display, "ax_") and not hasattr(display, "figure_")


def test_embeddings_display_draws_a_panel_per_method_with_one_legend(pca_and_tsne):
    display = ComparisonDisplay.from_comparison(pca_and_tsne)
    assert display.kind == "embeddings"
    assert [name.split("\n")[0] for name in display.estimator_names] == ["pca", "tsne"]
    assert "trustworthiness" in display.estimator_names[0]
    assert display.ax_.shape == (2,)
    assert all(ax.figure is display.figure_ for ax in display.ax_)
    assert isinstance(display.figure_, Figure)
    # The labels' legend is the figure's, not each panel's.
    assert len(display.figure_.legends) == 1
    assert all(ax.get_legend() is None for ax in display.ax_)
    assert display.embeddings[1] is pca_and_tsne.result("tsne").test_embedding


def test_plot_draws_on_the_given_axes_and_returns_the_display(pca_and_tsne):
    first = ComparisonDisplay.from_comparison(pca_and_tsne)
    display = ComparisonDisplay(
        "embeddings", first.estimator_names, embeddings=first.embeddings
    )
    axes = Figure().subplots(1, 2)
    assert display.plot(ax=axes) is display
    assert list(display.ax_) == list(axes)
    assert display.figure_ is axes[0].figure
    assert display.figure_.legends == []  # no labels given: one colour, no legend


def test_reconstructions_display_shows_one_row_of_each_label(small_digits, pca_and_tsne):
    display = ComparisonDisplay.from_comparison(
        pca_and_tsne, kind="reconstructions", n_samples=4
    )
    assert display.estimator_names == ["pca"]  # t-SNE has no inverse
    assert display.ax_.shape == (1,)
    labels = small_digits.y_test
    shown = [np.flatnonzero(labels == label)[0] for label in np.unique(labels)[:4]]
    np.testing.assert_array_equal(display.originals, small_digits.X_test[shown])
    images = display.displays_[0].images_
    assert images.shape == (2, 4)
    # One grey scale for every panel: the test rows' range.
    test_range = small_digits.X_test.min(), small_digits.X_test.max()
    assert all(image.get_clim() == test_range for image in images.flat)


def test_display_refuses_a_figure_without_panels(small_digits):
    data = small_digits
    comparison = compare(
        data.X_train, data.X_test, data.y_train, data.y_test, methods="pca", n_components=3
    )
    with pytest.raises(ValueError, match="no 2-D embedding"):
        ComparisonDisplay.from_comparison(comparison, kind="embeddings")
    with pytest.raises(ValueError, match="kind must be one of embeddings, reconstructions"):
        ComparisonDisplay.from_comparison(comparison, kind="codes")


# ----------------------------------------------------------------- the user's own data

N_ROWS, N_FEATURES = 120, 6
CLASSES = np.array(["setosa", "versicolor", "virginica"])


@pytest.fixture(scope="module")
def table():
    """120 rows x 6 features in three shifted classes, and their class names."""
    rng = np.random.default_rng(0)
    y = CLASSES[np.arange(N_ROWS) % 3]
    X = rng.normal(size=(N_ROWS, N_FEATURES)) + 3 * (np.arange(N_ROWS) % 3)[:, None]
    return X, y


@pytest.fixture(scope="module")
def table_files(table, tmp_path_factory):
    """The table as every supported file, the labels as every supported label file."""
    X, y = table
    folder = tmp_path_factory.mktemp("table")
    # The labels column in the middle, so that a wrong column choice shows.
    names = ["f1", "f2", "species", "f3", "f4", "f5", "f6"]
    lines = [",".join(names)]
    for row, label in zip(X, y, strict=True):
        values = [f"{value:.17g}" for value in row]
        lines.append(",".join([*values[:2], label, *values[2:]]))
    (folder / "rows.csv").write_text("\n".join(lines) + "\n")
    np.savetxt(folder / "features.csv", X, fmt="%.17g", delimiter=",")
    np.save(folder / "rows.npy", X)
    np.savez(folder / "rows.npz", X=X, y=y)
    np.savez(folder / "named.npz", data=X, species=y)
    (folder / "labels.txt").write_text("\n".join(y) + "\n")
    (folder / "labels.csv").write_text("species\n" + "\n".join(y) + "\n")
    np.save(folder / "labels.npy", y)
    return folder


def split_as_digits(X, y):
    """The documented split: 25 % held out, stratified, random_state=0."""
    return train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)


@pytest.mark.parametrize(
    "data_file, labels",
    [
        ("rows.csv", "species"),  # a column of the CSV, removed from the features
        ("features.csv", "labels.txt"),  # a CSV without a header, labels in a file
        ("rows.npy", "labels.txt"),
        ("rows.npy", "labels.csv"),  # a header line above the labels
        ("rows.npy", "labels.npy"),
        ("rows.npz", None),  # the archive's y
        ("named.npz", "species"),  # an array of the archive
    ],
)
def test_data_file_and_labels_round_trip_and_split_as_digits(
    table, table_files, data_file, labels
):
    X, y = table
    if labels is not None and "." in labels:  # a label file, not a column
        labels = str(table_files / labels)
    data = load_comparison_data(data_file=table_files / data_file, labels=labels)
    X_train, X_test, y_train, y_test = split_as_digits(X, y)
    np.testing.assert_array_equal(data.X_train, X_train)  # exact, and 6 features
    np.testing.assert_array_equal(data.X_test, X_test)
    np.testing.assert_array_equal(data.y_train, y_train)
    np.testing.assert_array_equal(data.y_test, y_test)
    assert f"{N_ROWS} rows x {N_FEATURES} features" in data.description
    assert "stratified split with random_state=0: 90 training rows, 30 held-out" in (
        data.description
    )


def test_compare_command_on_a_csv_with_a_labels_column(table, table_files, tmp_path):
    X, y = table
    status, stdout, stderr = run_cli(
        ["compare", "--data", str(table_files / "rows.csv"), "--labels", "species"]
        + ["--methods", "pca", "--out", str(tmp_path)]
    )
    assert status == 0, stderr
    with (tmp_path / "results.csv").open(newline="") as file:
        (pca_row,) = csv.DictReader(file)
    # The labels column is not a feature: PCA saw the 6 numeric columns only.
    X_train, X_test, y_train, y_test = split_as_digits(X, y)
    pca = PCA(2, random_state=0).fit(X_train)
    Z_train, Z_test = pca.transform(X_train), pca.transform(X_test)
    expected_mse = np.mean((X_test - pca.inverse_transform(Z_test)) ** 2)
    assert float(pca_row["mse"]) == pytest.approx(expected_mse, rel=1e-9)
    accuracy = KNeighborsClassifier(5).fit(Z_train, y_train).score(Z_test, y_test)
    assert float(pca_row["knn_accuracy"]) == pytest.approx(accuracy)
    report = (tmp_path / "report.md").read_text()
    assert "rows.csv (120 rows x 6 features, as given; labels from column 'species')" in (
        report
    )
    assert "coloured by label" in report


def test_compare_command_without_labels_leaves_knn_empty_and_says_why(
    table_files, tmp_path
):
    status, stdout, stderr = run_cli(
        ["compare", "--data", str(table_files / "rows.npy"), "--methods", "pca,tsne"]
        + ["--out", str(tmp_path)]
    )
    assert status == 0, stderr
    with (tmp_path / "results.csv").open(newline="") as file:
        rows = list(csv.DictReader(file))
    assert [row["knn_accuracy"] for row in rows] == ["", ""]
    assert float(rows[0]["trustworthiness"]) > 0  # the rest is measured
    note = f"- 5-NN accuracy: {NO_LABELS_NOTE}"
    assert note in stdout
    report = (tmp_path / "report.md").read_text()
    assert note in report and "no labels); shuffled split" in report
    assert "CV" not in rows[1]["note"]  # t-SNE's note claims no k-NN accuracy
    assert (tmp_path / "embeddings.png").exists()
    assert (tmp_path / "reconstructions.png").exists()


def test_compare_command_on_wine_uses_its_raw_features(tmp_path):
    status, stdout, stderr = run_cli(
        ["compare", "--dataset", "wine", "--methods", "pca", "--out", str(tmp_path)]
    )
    assert status == 0, stderr
    X, y = load_wine(return_X_y=True)
    X_train, X_test, _, _ = split_as_digits(X, y)
    pca = PCA(2, random_state=0).fit(X_train)
    expected_mse = np.mean((X_test - pca.inverse_transform(pca.transform(X_test))) ** 2)
    with (tmp_path / "results.csv").open(newline="") as file:
        (pca_row,) = csv.DictReader(file)
    assert float(pca_row["mse"]) == pytest.approx(expected_mse, rel=1e-9)
    assert "178 rows x 13 features, unscaled" in (tmp_path / "report.md").read_text()


def test_breast_cancer_is_split_stratified_and_unscaled():
    data = load_comparison_data("breast_cancer")
    assert (len(data.X_train), len(data.X_test)) == (426, 143)  # 569 rows, 25 % held out
    assert data.X_train.shape[1] == 30
    assert data.X_train.max() > 1000  # mean area, in its own units
    assert np.bincount(data.y_test).tolist() == [53, 90]  # 212 and 357 rows in all


def test_split_is_shuffled_when_a_class_has_one_row(table):
    X, y = table
    y = y.copy()
    y[0] = "unique"
    data = split_comparison_data(X, y, n_train=80, n_test=40, name="rows")
    assert (len(data.X_train), len(data.X_test)) == (80, 40)
    assert "shuffled (not stratified: 1 of the 4 classes have one row)" in (
        data.description
    )


@pytest.mark.parametrize(
    "data_file, labels, named",
    [
        ("missing.csv", None, "missing.csv: no such file"),
        ("rows.json", None, "rows.json: unknown file type; use a .npy, .npz or .csv"),
        ("rows.csv", None, "rows.csv: column 'species' is not numeric ('setosa' in row 1)"),
        ("rows.csv", "kind", "labels 'kind': no such file, and not a column of"),
        ("rows.npy", "short.txt", "short.txt: 100 labels for the 120 rows of"),
        ("rows.npy", "labels.json", "labels.json: unknown file type"),
        ("rows.npy", "continuous.txt", "continuous.txt: the labels must be classes"),
        ("nan.csv", None, "nan.csv: 1 NaN or infinite value (the first in row 8, column"),
        ("few.npy", None, "few.npy: 20 rows are too few"),
        ("rows.npy", "noheader.csv", "(its first line was read as a header)"),
    ],
)
def test_bad_data_files_exit_2_with_one_line_naming_the_file(
    table, table_files, data_file, labels, named
):
    X, y = table
    folder = table_files
    (folder / "rows.json").write_text("[]")
    (folder / "short.txt").write_text("\n".join(y[:100]) + "\n")
    (folder / "labels.json").write_text("[]")
    np.savetxt(folder / "continuous.txt", X[:, 0])
    X_nan = X.copy()
    X_nan[7, 2] = np.nan
    np.savetxt(folder / "nan.csv", X_nan, delimiter=",", header="a,b,c,d,e,f", comments="")
    np.save(folder / "few.npy", X[:20])
    (folder / "noheader.csv").write_text("\n".join(y) + "\n")
    argv = ["compare", "--data", str(folder / data_file), "--methods", "pca"]
    if labels is not None:
        argv += ["--labels", labels if "." not in labels else str(folder / labels)]
    status, stdout, stderr = run_cli(argv)
    assert status == 2 and stdout == ""
    assert stderr.count("\n") == 1 and stderr.startswith("skae: error: "), stderr
    assert named in stderr
