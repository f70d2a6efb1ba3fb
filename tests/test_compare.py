"""``skae compare`` end to end, and the pieces of `skae.compare`.

The command runs on a small stratified digits subset with 3 autoencoder epochs, to stay
quick; the numbers are checked against direct scikit-learn computations.
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
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.manifold import trustworthiness as sklearn_trustworthiness
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier
from threadpoolctl import threadpool_limits

from skae import cli, metrics
from skae.compare import (
    COLUMNS,
    METHODS,
    UMAP_MISSING_NOTE,
    compare,
    load_comparison_data,
)
from skae.datasets import load_mnist

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

    UMAP is made unimportable, so that the run is the same with or without umap-learn
    (and quick: UMAP's numba compilation alone takes half a minute);
    `test_umap_is_compared_when_installed` covers it.
    """
    out = tmp_path_factory.mktemp("compare")
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(sys.modules, "umap", None)  # makes `import umap` fail
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
    assert "[1/5] autoencoder: started" in stderr
    assert "[2/5] pca: done in" in stderr


@pytest.mark.slow
def test_results_csv_has_the_columns_and_one_row_per_method(csv_rows):
    fieldnames, rows = csv_rows
    assert tuple(fieldnames) == COLUMNS
    assert [row["method"] for row in rows] == list(METHODS)
    by_method = {row["method"]: row for row in rows}
    for method in ("autoencoder", "pca", "kernelpca"):
        row = by_method[method]
        assert float(row["mse"]) > 0
        assert 0 < float(row["trustworthiness"]) <= 1
        assert float(row["fit_seconds"]) >= 0
        assert float(row["transform_seconds_per_1000_rows"]) >= 0
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
    pytest.importorskip("umap")
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
