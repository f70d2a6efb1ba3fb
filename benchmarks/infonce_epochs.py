"""How many passes over the neighbour graph InfoNCE's maps need, by training rows (12/).

An epoch with a neighbour loss draws as many edges as the graph has, about 20 a row, so
fewer rows make fewer batches an epoch. This fits 2-D `AutoencoderReducer` maps with
``neighbor_loss="infonce"`` at 6 and 12 epochs (three seeds each, all else "auto") on:

- digits: 1,400 training rows, the other 397 scored (the test suite's split);
- MNIST, 3,000 and 6,000 rows: images 0-2,999 and 0-5,999 of the validation protocol
  (../shared/data/README.md), scored on images 6,000-7,999. The last 2,000 images are
  never read here.

Scores: held-out MSE, trustworthiness (k=5), 5-NN accuracy (classifier fitted on the
training codes) and fit seconds (one shared machine: compare within a row's seeds).

Run: python benchmarks/infonce_epochs.py --data-dir ../shared/data/mnist
(writes benchmarks/results/infonce_epochs.csv and .md)
"""

import argparse
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from training_runs import (  # noqa: E402
    RESULTS,
    digits_split,
    labelled_validation_split,
    map_scores,
    markdown_table,
    seeds_cells,
    write_csv,
)

from skae import AutoencoderReducer  # noqa: E402

EPOCHS = (6, 12)
SEEDS = (0, 1, 2)
SCORES = ("mse", "trustworthiness", "knn_accuracy", "fit_s")
COLUMNS = ["data", "training rows", "epochs", *SCORES]


def scores(epochs, seed, *split):
    reducer = AutoencoderReducer(
        2, neighbor_loss="infonce", epochs=epochs, random_state=seed
    )
    return map_scores(reducer, *split)


def row(data_name, split, epochs):
    runs = [scores(epochs, seed, *split) for seed in SEEDS]
    print(data_name, epochs, runs, flush=True)
    return {
        "data": data_name,
        "training rows": str(len(split[0])),
        "epochs": str(epochs),
        **seeds_cells(runs, SCORES),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", required=True, help="MNIST's folder")
    args = parser.parse_args()
    splits = [("digits", digits_split())] + [
        ("MNIST", labelled_validation_split(args.data_dir, n_fit)) for n_fit in (3000, 6000)
    ]
    rows = [row(name, split, epochs) for name, split in splits for epochs in EPOCHS]
    write_csv("infonce_epochs", COLUMNS, rows)
    lines = [
        "InfoNCE 2-D maps at 6 and 12 epochs, seeds 0 / 1 / 2: held-out MSE, "
        "trustworthiness (k=5), 5-NN accuracy and fit seconds (digits: 397 held-out "
        "rows; MNIST: validation images 6,000-7,999).",
        "",
        *markdown_table(COLUMNS, rows),
    ]
    (RESULTS / "infonce_epochs.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
