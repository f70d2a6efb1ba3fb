"""The training noise of the neighbour maps (10/).

The default 2-D map (InfoNCE, all else "auto") placed its training rows better than the
rows it had not seen: on MNIST's validation split, trustworthiness 0.945 on training
rows against 0.927 held out (a scratch run of two seeds), a gap the encoder's
generalisation makes, not the loss. Gaussian noise on the encoder's input in training
(``noise``, in the rows' units, [0, 1] here) smooths what the encoder learns between the
rows. This fits ``AutoencoderReducer(2, noise=..., pca_components=None,
random_state=seed)`` at each noise, three seeds each (the encoder reading the rows, as
maps did before benchmarks/map_input.py), on:

- digits: 1,400 training rows, the other 397 scored (the test suite's split);
- MNIST's validation protocol (../shared/data/README.md): images 0-5,999 fitted, images
  6,000-7,999 scored. The last 2,000 images are never read here.

Scores: held-out MSE, trustworthiness (k=5) and 5-NN accuracy (classifier fitted on the
training codes), the trustworthiness of as many training rows (the first ones) as there
are held-out rows, and fit seconds.

Run: python benchmarks/map_noise.py --data-dir ../shared/data/mnist
(writes benchmarks/results/map_noise.csv and .md)
"""

import argparse
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from training_runs import (  # noqa: E402
    SEEN_ROWS_SCORES,
    map_scores_with_seen_rows,
    map_splits,
    map_splits_said,
    seeds_cells,
    write_csv,
    write_table_report,
)

from skae import AutoencoderReducer  # noqa: E402

NOISES = (0.1, 0.2, 0.3, 0.4, 0.5)
SEEDS = (0, 1, 2)
SCORES = SEEN_ROWS_SCORES
COLUMNS = ["data", "noise", *SCORES]


def scores(noise: float, seed: int, split) -> dict:
    reducer = AutoencoderReducer(2, noise=noise, pca_components=None, random_state=seed)
    return map_scores_with_seen_rows(reducer, *split)


def row(data_name: str, noise: float, split) -> dict:
    runs = [scores(noise, seed, split) for seed in SEEDS]
    print(data_name, noise, runs, flush=True)
    return {"data": data_name, "noise": str(noise), **seeds_cells(runs, SCORES)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", required=True, help="MNIST's folder")
    args = parser.parse_args()
    splits = map_splits(args.data_dir)
    rows = []
    for data_name, split in splits.items():
        for noise in NOISES:
            rows.append(row(data_name, noise, split))
            write_csv("map_noise", COLUMNS, rows)
    caption = (
        "The default 2-D map (InfoNCE) at each training noise, seeds 0 / 1 / 2: held-out "
        "MSE, trustworthiness (k=5) and 5-NN accuracy, trustworthiness of as many "
        f"training rows, fit seconds ({map_splits_said(splits)})."
    )
    command = "python benchmarks/map_noise.py --data-dir ../shared/data/mnist"
    write_table_report("map_noise", caption, COLUMNS, rows, command)


if __name__ == "__main__":
    main()
