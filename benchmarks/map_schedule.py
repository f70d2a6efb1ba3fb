"""The neighbour maps' learning rate: halved on plateaus, or lowered linearly (10/, 12/).

A map trains a fixed few passes over its neighbour graph (6 or 12 epochs), fewer than the
plateau halving's patience, so under it the rate stays where it started. This fits the
default 2-D `AutoencoderReducer` (``neighbor_loss="auto"``, InfoNCE) and the UMAP loss
under both schedules (whichever skae's own choice is), three seeds each, all else
"auto", on:

- digits: 1,400 training rows, the other 397 scored (the test suite's split);
- MNIST's validation protocol (../shared/data/README.md): images 0-5,999 fitted, images
  6,000-7,999 scored. The last 2,000 images are never read here.

Scores: held-out MSE, trustworthiness (k=5) and 5-NN accuracy (classifier fitted on the
training codes); the schedule does not change an epoch's cost.

Run: python benchmarks/map_schedule.py --data-dir ../shared/data/mnist
(writes benchmarks/results/map_schedule.csv and .md)
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

LOSSES = ("auto", "umap")
SCHEDULES = {"halved on plateaus": "plateau", "linear to 0": "linear"}
SEEDS = (0, 1, 2)
SCORES = ("mse", "trustworthiness", "knn_accuracy")
COLUMNS = ["data", "neighbor_loss", "learning rate", *SCORES]


def row(data_name, split, loss, schedule):
    runs = [
        map_scores(
            AutoencoderReducer(
                2,
                neighbor_loss=loss,
                learning_rate_schedule=SCHEDULES[schedule],
                random_state=seed,
            ),
            *split,
        )
        for seed in SEEDS
    ]
    print(data_name, loss, schedule, runs, flush=True)
    return {
        "data": data_name,
        "neighbor_loss": loss,
        "learning rate": schedule,
        **seeds_cells(runs, SCORES),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", required=True, help="MNIST's folder")
    args = parser.parse_args()
    splits = {"digits": digits_split(), "MNIST": labelled_validation_split(args.data_dir)}
    rows = [
        row(name, split, loss, schedule)
        for name, split in splits.items()
        for loss in LOSSES
        for schedule in SCHEDULES
    ]
    write_csv("map_schedule", COLUMNS, rows)
    lines = [
        'Default 2-D maps (InfoNCE, "auto") and the UMAP loss, their learning rate '
        "halved on plateaus or lowered linearly to 0 over the epochs, seeds 0 / 1 / 2: "
        "held-out MSE, trustworthiness (k=5) and 5-NN accuracy (digits: 397 held-out "
        "rows; MNIST: validation images 6,000-7,999, fitted on images 0-5,999). skae "
        "lowers InfoNCE's rate linearly and halves the UMAP loss's on plateaus.",
        "",
        *markdown_table(COLUMNS, rows),
    ]
    (RESULTS / "map_schedule.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
