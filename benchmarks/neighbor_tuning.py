"""Choosing the neighbour loss's "auto" settings on MNIST's validation split (10/).

Protocol (../shared/data/README.md): the first 8,000 MNIST test images scaled to [0, 1];
fit on images 0-5,999, score on 6,000-7,999. The last 2,000 images are never read here.
Each run is a 2-D ``AutoencoderReducer`` (random_state=0) with the defaults overridden by
one JSON object of parameters; UMAP (defaults, random_state=0) runs once in the same
process as the yardstick. Scores: reconstruction MSE of the validation rows,
trustworthiness (k=5) of their map, 5-NN accuracy of a classifier fitted on the training
codes, fit seconds.

Run: python benchmarks/neighbor_tuning.py '{"neighbor_loss": null}' '{}' ...
(appends to benchmarks/results/neighbor_tuning.csv and rewrites neighbor_tuning.md)
"""

import csv
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

from skae import AutoencoderReducer  # noqa: E402
from skae.datasets import find_mnist_dir, load_mnist  # noqa: E402
from skae.metrics import knn_accuracy, reconstruction_error, trustworthiness  # noqa: E402

RESULTS = Path(__file__).parent / "results"
COLUMNS = ("run", "settings", "mse", "trustworthiness", "knn_accuracy", "fit_s", "epochs")
# Training settings each run resolved to, recorded beside its overrides.
SETTINGS = (
    "activation",
    "learning_rate",
    "batch_size",
    "noise",
    "neighbor_weight",
    "optimizer",
)
# The first runs, before SETTINGS were recorded, ran under earlier defaults.
EARLY_RUNS_NOTE = (
    "The runs without settings used the neighbour loss's defaults of then (learning "
    "rate 0.01, batches of 1,024, weight 1, Adam, no noise, 20 epochs) but for their "
    "overrides; the six up to the weight-30 one also ran before the repulsion got "
    "umap-learn's 0.001 offset of squared distances (which leaves the plain row as "
    "it was)."
)


def validation_split():
    X, y = load_mnist(find_mnist_dir(), return_X_y=True)
    X = np.asarray(X[:8000], np.float32)
    return X[:6000], y[:6000], X[6000:8000], y[6000:8000]


def score(name, reducer, X_fit, y_fit, X_val, y_val):
    start = time.perf_counter()
    codes_fit = reducer.fit_transform(X_fit)
    seconds = time.perf_counter() - start
    codes = reducer.transform(X_val)
    # UMAP's inverse_transform takes minutes here and is not what it is chosen for.
    mse = (
        reconstruction_error(X_val, reducer.inverse_transform(codes))
        if isinstance(reducer, AutoencoderReducer)
        else float("nan")
    )
    spec = getattr(reducer, "spec_", None)
    settings = (
        ", ".join(f"{name}={getattr(spec, name)}" for name in SETTINGS) if spec else ""
    )
    return {
        "run": name,
        "settings": settings,
        "mse": f"{mse:.4f}",
        "trustworthiness": f"{trustworthiness(X_val, codes):.3f}",
        "knn_accuracy": f"{knn_accuracy(codes_fit, y_fit, codes, y_val):.3f}",
        "fit_s": f"{seconds:.1f}",
        "epochs": str(getattr(reducer, "n_iter_", "")),
    }


def main(runs, with_umap=True):
    import umap

    split = validation_split()
    table = RESULTS / "neighbor_tuning.csv"
    new = not table.exists()
    with table.open("a", newline="") as file:
        writer = csv.DictWriter(file, COLUMNS)
        if new:
            writer.writeheader()
        yardstick = [("UMAP (defaults)", umap.UMAP(random_state=0))] if with_umap else []
        for name, reducer in yardstick + [
            (run, AutoencoderReducer(2, **{"random_state": 0, **json.loads(run)}))
            for run in runs
        ]:
            row = score(name, reducer, *split)
            print(row, flush=True)
            writer.writerow(row)
            file.flush()
    with table.open() as file:
        rows = [
            {column: row.get(column) or "" for column in COLUMNS}
            for row in csv.DictReader(file)
        ]
    lines = [
        "MNIST validation split (fit on images 0-5,999, scored on 6,000-7,999), 2-D;",
        "each run overrides the defaults of `AutoencoderReducer(2, random_state=0)`.",
        EARLY_RUNS_NOTE,
        "",
        "| " + " | ".join(COLUMNS) + " |",
        "| --- |" + " ---: |" * (len(COLUMNS) - 1),
    ]
    lines += ["| " + " | ".join(row[c] for c in COLUMNS) + " |" for row in rows]
    (RESULTS / "neighbor_tuning.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    runs = [run for run in sys.argv[1:] if run != "--no-umap"]
    main(runs, with_umap="--no-umap" not in sys.argv)
