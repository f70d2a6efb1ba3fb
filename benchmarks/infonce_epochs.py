"""How many passes over the neighbour graph InfoNCE's maps need, by training rows (12/).

An epoch with a neighbour loss draws as many edges as the graph has, about 20 a row, so
fewer rows make fewer batches an epoch. This fits 2-D `AutoencoderReducer` maps with
``neighbor_loss="infonce"`` at 6 and 12 epochs (three seeds each, all else "auto") on:

- digits: 1,400 training rows, the other 397 scored (the test suite's split);
- MNIST, 3,000 rows: images 0-2,999 of the validation protocol
  (../shared/data/README.md), scored on images 6,000-7,999. MNIST's 6,000 rows are in
  neighbor_tuning.md. The last 2,000 images are never read here.

Scores: held-out MSE, trustworthiness (k=5), 5-NN accuracy (classifier fitted on the
training codes) and fit seconds (one shared machine: compare within a row's seeds).

Run: python benchmarks/infonce_epochs.py --data-dir ../shared/data/mnist
(writes benchmarks/results/infonce_epochs.csv and .md)
"""

import argparse
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from training_runs import N_FIT, RESULTS, markdown_table, write_csv  # noqa: E402

from skae import AutoencoderReducer  # noqa: E402
from skae.datasets import load_comparison_data  # noqa: E402
from skae.metrics import knn_accuracy, reconstruction_error, trustworthiness  # noqa: E402

EPOCHS = (6, 12)
SEEDS = (0, 1, 2)
SCORES = ("mse", "trustworthiness", "knn_accuracy", "fit_s")
COLUMNS = ["data", "training rows", "epochs", *SCORES]
FORMATS = {"mse": "{:.4f}", "fit_s": "{:.1f}"}  # the others "{:.3f}"


def digits_split():
    data = load_digits()
    X = (data.data / 16.0).astype(np.float32)
    order = np.random.RandomState(0).permutation(len(X))
    train, test = order[:1400], order[1400:]
    return X[train], data.target[train], X[test], data.target[test]


def mnist_split(data_dir, n_rows=3000):
    data = load_comparison_data("mnist", data_dir=data_dir)
    X, y = np.asarray(data.X_train, np.float32), np.asarray(data.y_train)
    return X[:n_rows], y[:n_rows], X[N_FIT:], y[N_FIT:]


def scores(epochs, seed, X_fit, y_fit, X_val, y_val):
    reducer = AutoencoderReducer(
        2, neighbor_loss="infonce", epochs=epochs, random_state=seed
    )
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


def row(data_name, split, epochs):
    runs = [scores(epochs, seed, *split) for seed in SEEDS]
    print(data_name, epochs, runs, flush=True)
    return {
        "data": data_name,
        "training rows": str(len(split[0])),
        "epochs": str(epochs),
        **{score: _cell(score, [run[score] for run in runs]) for score in SCORES},
    }


def _cell(score, values):
    """ "a / b / c (mean m)", in the score's format."""
    text = FORMATS.get(score, "{:.3f}").format
    return " / ".join(map(text, values)) + f" (mean {text(statistics.mean(values))})"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", required=True, help="MNIST's folder")
    args = parser.parse_args()
    splits = {"digits": digits_split(), "MNIST": mnist_split(args.data_dir)}
    rows = [row(name, split, epochs) for name, split in splits.items() for epochs in EPOCHS]
    write_csv("infonce_epochs", COLUMNS, rows)
    lines = [
        "InfoNCE 2-D maps at 6 and 12 epochs, seeds 0 / 1 / 2: held-out MSE, "
        "trustworthiness (k=5), 5-NN accuracy and fit seconds (digits: 397 held-out "
        "rows; MNIST: validation images 6,000-7,999). MNIST with 6,000 rows: "
        "neighbor_tuning.md.",
        "",
        *markdown_table(COLUMNS, rows),
    ]
    (RESULTS / "infonce_epochs.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
