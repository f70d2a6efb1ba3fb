"""What the training benchmarks share: the validation split, epoch timing, the yardstick.

The validation protocol (../shared/data/README.md): of the MNIST test file's first 8,000
images (the training rows), images 0-5,999 are fitted and images 6,000-7,999 score every
setting; the last 2,000, held out for reporting, are never read here. The yardstick is
the machine's: seconds per epoch of a plain Keras fit of the same network (Adam 1e-3,
batch 128, MSE) on the same rows.
"""

import contextlib
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from unittest.mock import patch

import keras
import numpy as np
from sklearn.datasets import load_digits

import skae.training
from skae.datasets import load_comparison_data
from skae.metrics import knn_accuracy, reconstruction_error, trustworthiness

N_FIT = 6000  # of the 8,000 training rows; the other 2,000 are the validation rows
RESULTS = Path(__file__).parent / "results"
REPOSITORY = Path(__file__).resolve().parent.parent


def digits_split():
    """(fitted rows, labels, held-out rows, labels) of digits: 1,400 and 397 rows, the
    test suite's split."""
    data = load_digits()
    X = (data.data / 16.0).astype(np.float32)
    order = np.random.RandomState(0).permutation(len(X))
    train, test = order[:1400], order[1400:]
    return X[train], data.target[train], X[test], data.target[test]


def validation_split(data_dir):
    """(fitted rows, validation rows) of MNIST's 8,000 training rows, as float32."""
    data = load_comparison_data("mnist", data_dir=data_dir)
    X = np.asarray(data.X_train, np.float32)
    return X[:N_FIT], X[N_FIT:]


class EpochTimer(keras.callbacks.Callback):
    """Wall seconds of each epoch."""

    def __init__(self):
        super().__init__()
        self.seconds = []

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self._start)

    def steady(self) -> float:
        """Median seconds of the epochs after the first, which traces the step."""
        return statistics.median(self.seconds[1:])


def training_with(callback: keras.callbacks.Callback):
    """skae's training with ``callback`` among its own (its private hook, wrapped)."""
    rate_callbacks = skae.training._rate_callbacks
    return patch.object(
        skae.training,
        "_rate_callbacks",
        lambda *args: [*rate_callbacks(*args), callback],
    )


def plain_keras_model(model: keras.Model) -> keras.Model:
    """The yardstick: a fresh clone of ``model`` compiled as plain Keras, Adam 1e-3, MSE."""
    plain = keras.models.clone_model(model)
    plain.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mse")
    return plain


def plain_keras_epoch_seconds(model: keras.Model, X, epochs: int = 6) -> float:
    """Seconds per epoch of plain Keras training a clone of ``model`` on rows X."""
    plain = plain_keras_model(model)
    timer = EpochTimer()
    plain.fit(X, X, batch_size=128, epochs=epochs, verbose=0, callbacks=[timer])
    return timer.steady()


def held_out_error(reducer, X) -> float:
    """A fitted reducer's MSE on rows X, inverse_transform(transform(X))."""
    return reconstruction_error(X, reducer.inverse_transform(reducer.transform(X)))


def labelled_validation_split(data_dir, n_fit: int = N_FIT):
    """(fitted rows, labels, validation rows, labels): the first ``n_fit`` of MNIST's
    fitted rows and all 2,000 validation rows."""
    data = load_comparison_data("mnist", data_dir=data_dir)
    X, y = np.asarray(data.X_train, np.float32), np.asarray(data.y_train)
    return X[:n_fit], y[:n_fit], X[N_FIT:], y[N_FIT:]


def map_scores(reducer, X_fit, y_fit, X_val, y_val) -> dict:
    """A 2-D map's held-out MSE, trustworthiness (k=5), 5-NN accuracy (classifier fitted
    on the training codes) and fit seconds."""
    start = time.perf_counter()
    codes_fit = reducer.fit_transform(X_fit)
    seconds = time.perf_counter() - start
    codes = reducer.transform(X_val)
    return {
        "mse": reconstruction_error(X_val, reducer.inverse_transform(codes)),
        "trustworthiness": trustworthiness(X_val, codes),
        "knn_accuracy": knn_accuracy(codes_fit, y_fit, codes, y_val),
        "fit_s": seconds,
    }


def map_splits(data_dir) -> dict:
    """The map benchmarks' splits: digits' (the test suite's) and MNIST's validation."""
    return {"digits": digits_split(), "MNIST": labelled_validation_split(data_dir)}


# How the map benchmarks' captions name each of map_splits' splits.
_MAP_SPLITS_SAID = {
    "digits": "digits: 397 held-out rows",
    "MNIST": "MNIST: validation images 6,000-7,999, fitted on images 0-5,999",
}


def map_splits_said(names) -> str:
    """The named splits of map_splits, as a caption says them."""
    return "; ".join(_MAP_SPLITS_SAID[name] for name in names)


# What map_scores_with_seen_rows scores, in the order the map benchmarks' tables show.
SEEN_ROWS_SCORES = (
    "mse",
    "trustworthiness",
    "knn_accuracy",
    "training_trustworthiness",
    "fit_s",
)


def map_scores_with_seen_rows(reducer, X_fit, y_fit, X_val, y_val) -> dict:
    """`map_scores`, and the trustworthiness of as many training rows (the first ones)
    as there are validation rows: how far the map generalises to rows it has not seen."""
    scores = map_scores(reducer, X_fit, y_fit, X_val, y_val)
    seen = X_fit[: len(X_val)]
    scores["training_trustworthiness"] = trustworthiness(seen, reducer.transform(seen))
    return scores


# The formats of map_scores' scores and of the timings beside them; the others are
# "{:.3f}".
SCORE_FORMATS = {
    "mse": "{:.4f}",
    "validation_mse": "{:.5f}",
    "fit_s": "{:.1f}",
    "s_per_epoch": "{:.2f}",
    "loss_ms": "{:.2f}",
}


def seeds_cells(runs: list[dict], scores, summary: str = "mean") -> dict:
    """Each score's "a / b / c (mean m)" over ``runs`` (one a seed), in its format;
    ``summary`` is "mean" or "median"."""
    summarise = getattr(statistics, summary)
    cells = {}
    for score in scores:
        text = SCORE_FORMATS.get(score, "{:.3f}").format
        values = [run[score] for run in runs]
        cells[score] = (
            " / ".join(map(text, values)) + f" ({summary} {text(summarise(values))})"
        )
    return cells


def read_csv(stem: str) -> list[dict]:
    """The rows of ``results/<stem>.csv`` that earlier runs wrote; none if it is absent."""
    path = RESULTS / f"{stem}.csv"
    if not path.exists():
        return []
    with open(path, newline="") as file:
        return list(csv.DictReader(file))


def write_csv(stem: str, columns: list[str], rows: list[dict]):
    """Rows to ``results/<stem>.csv``, in ``columns``."""
    RESULTS.mkdir(exist_ok=True)
    with open(RESULTS / f"{stem}.csv", "w", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)


def markdown_table(columns: list[str], rows: list[dict]) -> list[str]:
    """A Markdown table of ``rows``' ``columns``, the first left-aligned."""
    lines = ["| " + " | ".join(columns) + " |"]
    lines.append("| --- |" + " ---: |" * (len(columns) - 1))
    lines += ["| " + " | ".join(row[name] for name in columns) + " |" for row in rows]
    return lines


def write_table_report(stem: str, caption: str, columns, rows, command: str):
    """``results/<stem>.md``: the caption, the table of ``rows`` and the command."""
    lines = [caption, "", *markdown_table(columns, rows), ""]
    lines.append(
        f"Made by `{command}`. Fit seconds compare only between rows of one run: other "
        "jobs may share the cores."
    )
    (RESULTS / f"{stem}.md").write_text("\n".join(lines) + "\n")


def write_backend_report(stem: str, title: str, protocol: str, command: str, tables):
    """``results/<stem>_<backend>.md`` for the Keras backend this process runs: the
    title, the protocol, the command (with its KERAS_BACKEND), then the tables."""
    backend = keras.config.backend()
    if backend != "tensorflow":
        command = f"KERAS_BACKEND={backend} {command}"
    lines = [f"# {title}", "", *protocol.split("\n"), ""]
    lines += [f"Made by `{command}`.", ""]
    for table in tables:
        lines += [*table, ""]
    lines.append("Fit seconds compare only within one run: other jobs may share the cores.")
    (RESULTS / f"{stem}_{backend}.md").write_text("\n".join(lines) + "\n")


@contextlib.contextmanager
def checkout_at(commit: str):
    """A detached git worktree of this repository at ``commit``, removed afterwards."""
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "checkout"
        git = ["git", "-C", str(REPOSITORY), "worktree"]
        subprocess.run([*git, "add", "-q", "--detach", str(path), commit], check=True)
        try:
            yield path
        finally:
            subprocess.run([*git, "remove", "--force", str(path)], check=True)


def run_with_skae_of(checkout: Path, code: str) -> dict:
    """The JSON object on the last line ``code`` prints, run by a fresh interpreter
    whose skae package is ``checkout``'s."""
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "PYTHONPATH": str(checkout)},
        cwd=checkout,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])
