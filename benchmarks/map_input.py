"""What the default 2-D map's encoder reads: the rows or their principal components.

A map's epoch encodes each row about 40 times (both ends of the graph's edges), and
most of the encoder's arithmetic is its first layer, 784 x 256 on MNIST, with the
Gaussian training noise drawn for every one of the 784 inputs. A fixed projection onto
the training rows' leading principal components (``pca_components``) shrinks both: the
first trained layer reads 50 or 100 inputs, and the noise is drawn on them (the same
distribution as noise on the rows, seen through the projection). The decoder still
reconstructs every pixel. Noise on fewer inputs regularises the first layer less, so
the noise is varied with it. This fits ``AutoencoderReducer(2, pca_components=...,
noise=..., random_state=seed)``, three seeds each, on:

- digits: 1,400 training rows, the other 397 scored (the test suite's split; its 64
  features allow projections to fewer than 64 components only);
- MNIST's validation protocol (../shared/data/README.md): images 0-5,999 fitted, images
  6,000-7,999 scored. The last 2,000 images are never read here.

Scores: held-out MSE, trustworthiness (k=5) and 5-NN accuracy (classifier fitted on the
training codes), the trustworthiness of as many training rows as there are held-out
rows, and fit seconds.

Run: python benchmarks/map_input.py --data-dir ../shared/data/mnist
(writes benchmarks/results/map_input.csv and .md)
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

# (pca_components, noise): the rows at the maps' earlier noise first.
SETTINGS = ((None, 0.3), (100, 0.3), (100, 0.5), (50, 0.3), (50, 0.5), (50, 0.7))
SEEDS = (0, 1, 2)
SCORES = SEEN_ROWS_SCORES
COLUMNS = ["data", "pca_components", "noise", *SCORES]


def row(data_name: str, pca_components, noise: float, split) -> dict:
    runs = []
    for seed in SEEDS:
        reducer = AutoencoderReducer(
            2, pca_components=pca_components, noise=noise, random_state=seed
        )
        runs.append(map_scores_with_seen_rows(reducer, *split))
    print(data_name, pca_components, noise, runs, flush=True)
    return {
        "data": data_name,
        "pca_components": str(pca_components),
        "noise": str(noise),
        **seeds_cells(runs, SCORES),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", required=True, help="MNIST's folder")
    args = parser.parse_args()
    splits = map_splits(args.data_dir)
    # A first fit pays the imports and compilations, outside every timed fit.
    AutoencoderReducer(2, epochs=1, random_state=0).fit(splits["digits"][0][:200])
    rows = []
    for data_name, split in splits.items():
        n_features = split[0].shape[1]
        for pca_components, noise in SETTINGS:
            if pca_components is not None and pca_components >= n_features:
                continue
            rows.append(row(data_name, pca_components, noise, split))
            write_csv("map_input", COLUMNS, rows)
    caption = (
        "The default 2-D map (InfoNCE) with its encoder reading the rows (None) or their "
        "leading principal components, at each training noise, seeds 0 / 1 / 2: "
        "held-out MSE, trustworthiness (k=5) and 5-NN accuracy, trustworthiness of as "
        f"many training rows, fit seconds ({map_splits_said(splits)})."
    )
    command = "python benchmarks/map_input.py --data-dir ../shared/data/mnist"
    write_table_report("map_input", caption, COLUMNS, rows, command)


if __name__ == "__main__":
    main()
