"""How many of an edge batch's heads the default 2-D map's decoder reconstructs (12/).

A map trains on batches of neighbour edges: the encoder encodes both ends of each edge
for the neighbour term, and the decoder reconstructs the heads
(benchmarks/edge_heads.py). With the encoder reading 50 principal components
(benchmarks/map_input.py), most of a step's arithmetic is the decoder's, its last layer
256 x 784 on MNIST. Over an epoch the decoder still sees each row a dozen times or more,
so reconstructing half the heads (a quarter of the batch) halves that work; the time it
saves can pay for an epoch more. This fits ``AutoencoderReducer(2, epochs=...,
random_state=seed)``, three seeds each, with the share set in
``skae.spec.AUTO_SETTINGS`` for maps of every size, on:

- digits: 1,400 training rows, the other 397 scored (the test suite's split), at its
  default epochs;
- MNIST's validation protocol (../shared/data/README.md): images 0-5,999 fitted, images
  6,000-7,999 scored, at 6 epochs (the earlier default) and more. The last 2,000
  images are never read here.

With ``--architecture conv`` it fits conv maps (``architecture="conv"``) on MNIST
only: their decoder's transposed convolutions are most of a step's arithmetic too.

Scores: held-out MSE, trustworthiness (k=5) and 5-NN accuracy (classifier fitted on the
training codes), the trustworthiness of as many training rows as there are held-out
rows, and fit seconds.

Run: python benchmarks/map_decoded_heads.py --data-dir ../shared/data/mnist
(writes benchmarks/results/map_decoded_heads.csv and .md), and with
--architecture conv (writes map_decoded_heads_conv.csv and .md)
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
from skae.spec import AUTO_SETTINGS  # noqa: E402

# (share of the heads decoded, epochs): "auto" is the data's default epochs.
SETTINGS = {
    "dense": {
        "digits": ((1.0, "auto"), (0.5, "auto")),
        "MNIST": ((1.0, 6), (0.5, 6), (0.5, 7), (0.5, 8)),
    },
    "conv": {"MNIST": ((1.0, 6), (0.5, 6))},
}
# The profiles that set the share for maps of few rows (dense only) and of many.
SHARE_PROFILES = ("infonce_dense", "infonce_many_rows")
SEEDS = (0, 1, 2)
SCORES = SEEN_ROWS_SCORES
COLUMNS = ["data", "decoded heads", "epochs", *SCORES]


def row(architecture: str, data_name: str, decoded_heads: float, epochs, split) -> dict:
    for profile in SHARE_PROFILES:
        AUTO_SETTINGS[profile]["decoded_heads"] = decoded_heads
    runs, reducer = [], None
    for seed in SEEDS:
        reducer = AutoencoderReducer(
            2, architecture=architecture, epochs=epochs, random_state=seed
        )
        runs.append(map_scores_with_seen_rows(reducer, *split))
    print(data_name, decoded_heads, epochs, runs, flush=True)
    return {
        "data": data_name,
        "decoded heads": f"{reducer.spec_.decoded_heads:g}",
        "epochs": str(reducer.spec_.epochs),
        **seeds_cells(runs, SCORES),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", required=True, help="MNIST's folder")
    parser.add_argument("--architecture", choices=sorted(SETTINGS), default="dense")
    args = parser.parse_args()
    settings = SETTINGS[args.architecture]
    splits = map_splits(args.data_dir)
    # A first fit pays the imports and compilations, outside every timed fit.
    AutoencoderReducer(2, epochs=1, random_state=0).fit(splits["digits"][0][:200])
    stem = "map_decoded_heads"
    command = "python benchmarks/map_decoded_heads.py --data-dir ../shared/data/mnist"
    network = "encoder reading 50 principal components"
    if args.architecture != "dense":
        stem += f"_{args.architecture}"
        command += f" --architecture {args.architecture}"
        network = f'architecture="{args.architecture}"'
    rows = []
    for data_name, data_settings in settings.items():
        split = splits[data_name]
        for decoded_heads, epochs in data_settings:
            rows.append(row(args.architecture, data_name, decoded_heads, epochs, split))
            write_csv(stem, COLUMNS, rows)
    caption = (
        f"The default 2-D map (InfoNCE, {network}) with "
        "its decoder reconstructing all of each edge batch's heads (1) or half of them "
        "(0.5), seeds 0 / 1 / 2: held-out MSE, trustworthiness (k=5) and 5-NN "
        "accuracy, trustworthiness of as many training rows, fit seconds "
        f"({map_splits_said(settings)})."
    )
    write_table_report(stem, caption, COLUMNS, rows, command)


if __name__ == "__main__":
    main()
