"""Convolutions per scale for the conv network, against wider scales (12/).

Protocol: training_runs' validation split of MNIST (fit on images 0-5,999, score on
6,000-7,999; the last 2,000 are never read). Each network is
``AutoencoderReducer(36, architecture="conv", random_state=seed, conv_filters=...,
conv_depth=...)`` with every other parameter at its default (40 epochs, learning rate
3e-3, batches of 128): one convolution a scale (skae's conv network until this change),
the same scales with wider or more filters, and two convolutions a scale (a stride-1
convolution before each stride-2 one, VGG's block; the decoder mirrors it layer by
layer). Scores: validation MSE and fit seconds, each "seed 0 / seed 1 (mean)".

The conv map keeps one convolution a scale: its epochs pass every graph edge, encoding
each row about 40 times. The last rows time one such epoch
(``AutoencoderReducer(2, architecture="conv", epochs=1, ...)``, the neighbour loss on,
seed 0) at one and at two convolutions a scale.

Run: python benchmarks/conv_depth.py --data-dir ../shared/data/mnist
(writes benchmarks/results/conv_depth.md and conv_depth.csv)
"""

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from training_runs import (  # noqa: E402
    RESULTS,
    held_out_error,
    markdown_table,
    seeds_cells,
    validation_split,
    write_csv,
)

from skae import AutoencoderReducer  # noqa: E402

NETWORKS = [
    {"conv_filters": (32, 64), "conv_depth": 1},
    {"conv_filters": (64, 128), "conv_depth": 1},
    {"conv_filters": (32, 64, 128), "conv_depth": 1},
    {"conv_filters": (64, 128, 256), "conv_depth": 1},
    {"conv_filters": (16, 32), "conv_depth": 2},
    {"conv_filters": (24, 48), "conv_depth": 2},
    {"conv_filters": (32, 64), "conv_depth": 2},
]
COLUMNS = ["conv_filters", "conv_depth", "validation MSE", "fit s"]
MAP_COLUMNS = ["conv_depth", "s for one map epoch"]


def fit_scores(params: dict, seed: int, X_fit, X_val) -> dict:
    reducer = AutoencoderReducer(36, architecture="conv", random_state=seed, **params)
    start = time.perf_counter()
    reducer.fit(X_fit)
    seconds = time.perf_counter() - start
    return {"validation_mse": held_out_error(reducer, X_val), "fit_s": seconds}


def map_epoch_seconds(conv_depth: int, X_fit) -> float:
    reducer = AutoencoderReducer(
        2, architecture="conv", conv_depth=conv_depth, epochs=1, random_state=0
    )
    start = time.perf_counter()
    reducer.fit(X_fit)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", required=True, help="MNIST's folder")
    parser.add_argument("--seeds", default="0,1")
    args = parser.parse_args()
    X_fit, X_val = validation_split(args.data_dir)
    seeds = [int(seed) for seed in args.seeds.split(",")]
    rows = []
    for params in NETWORKS:
        runs = [fit_scores(params, seed, X_fit, X_val) for seed in seeds]
        cells = seeds_cells(runs, ["validation_mse", "fit_s"])
        rows.append(
            {
                "conv_filters": str(params["conv_filters"]),
                "conv_depth": str(params["conv_depth"]),
                "validation MSE": cells["validation_mse"],
                "fit s": cells["fit_s"],
            }
        )
        print(rows[-1], flush=True)
        write_csv("conv_depth", COLUMNS, rows)
    map_rows = [
        {"conv_depth": str(depth), "s for one map epoch": f"{seconds:.1f}"}
        for depth, seconds in ((d, map_epoch_seconds(d, X_fit)) for d in (1, 2))
    ]
    print(map_rows, flush=True)
    write_report(rows, map_rows)


def write_report(rows, map_rows):
    lines = [
        "# Convolutions per scale (MNIST validation split, 36 components)",
        "",
        *"\n\n".join(__doc__.split("\n\n")[1:3]).split("\n"),
        "",
        "Made by `python benchmarks/conv_depth.py --data-dir ../shared/data/mnist`.",
        "",
        *markdown_table(COLUMNS, rows),
        "",
        *markdown_table(MAP_COLUMNS, map_rows),
        "",
        "Fit seconds compare only between rows of one run: other jobs may share the cores.",
    ]
    (RESULTS / "conv_depth.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
