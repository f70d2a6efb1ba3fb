"""Convolutions per scale for the conv network, against wider scales (12/).

Protocol: training_runs' validation split of MNIST (fit on images 0-5,999, score on
6,000-7,999; the last 2,000 are never read). Each network is
``AutoencoderReducer(36, architecture="conv", random_state=seed, conv_filters=...,
conv_depth=..., learning_rate_schedule="plateau")`` with every other parameter at its
default (40 epochs, learning rate 3e-3, batches of 128; the rate halved on plateaus and
every layer in float32, as then): one convolution a scale (skae's conv network until
this change), the same scales with wider or more filters, and two convolutions a scale
(a stride-1 convolution before each stride-2 one, VGG's block; the decoder mirrors it
layer by layer).
Scores: validation MSE and fit seconds, each "seed 0 / seed 1 (mean)".

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
# The rate as it moved when these were measured (conv_schedule.py chose the linear fall
# after them).
PLATEAUS = {"learning_rate_schedule": "plateau"}
# In float32, as the rows of conv_depth.md and conv_schedule.md were measured
# (conv_precision.py weighs bfloat16).
FLOAT32 = {"dtype_policy": "float32"}
# The conv code's filters when conv_precision.py and conv_warmup.py were measured
# (conv_width.py chose narrower ones after them).
WIDER = {"conv_filters": (24, 48)}
MAP_COLUMNS = ["conv_depth", "s for one map epoch"]


def fit_scores(params: dict, seed: int, X_fit, X_val) -> dict:
    """The conv code at 36 components with ``params``: its validation MSE and fit
    seconds."""
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


def network_rows(networks: list[dict], seeds, X_fit, X_val, stem: str, fixed=None):
    """(columns, rows): each network's parameters, then its scores over the seeds, every
    fit also given ``fixed``; ``results/<stem>.csv`` is rewritten after each network."""
    names = list(networks[0])
    columns = [*names, "validation MSE", "fit s"]
    rows = []
    for params in networks:
        runs = [fit_scores({**params, **(fixed or {})}, s, X_fit, X_val) for s in seeds]
        cells = seeds_cells(runs, ["validation_mse", "fit_s"])
        rows.append(
            {
                **{name: str(params[name]) for name in names},
                "validation MSE": cells["validation_mse"],
                "fit s": cells["fit_s"],
            }
        )
        print(rows[-1], flush=True)
        write_csv(stem, columns, rows)
    return columns, rows


def validation_runs(description: str, seeds: str = "0,1"):
    """(fitted rows, validation rows, seeds) as the command line's --data-dir and
    --seeds (default ``seeds``) say."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--data-dir", required=True, help="MNIST's folder")
    parser.add_argument("--seeds", default=seeds)
    args = parser.parse_args()
    X_fit, X_val = validation_split(args.data_dir)
    return X_fit, X_val, [int(seed) for seed in args.seeds.split(",")]


def write_report(stem: str, title: str, protocol: str, tables: list[list[str]]):
    """``results/<stem>.md``: the title, the protocol, the command, then the tables."""
    command = f"python benchmarks/{stem}.py --data-dir ../shared/data/mnist"
    lines = [f"# {title}", "", *protocol.split("\n"), "", f"Made by `{command}`.", ""]
    for table in tables:
        lines += [*table, ""]
    lines.append(
        "Fit seconds compare only between rows of one run: other jobs may share the cores."
    )
    (RESULTS / f"{stem}.md").write_text("\n".join(lines) + "\n")


def main():
    X_fit, X_val, seeds = validation_runs(__doc__.split("\n")[0])
    columns, rows = network_rows(
        NETWORKS, seeds, X_fit, X_val, "conv_depth", fixed={**PLATEAUS, **FLOAT32}
    )
    map_rows = [
        {"conv_depth": str(depth), "s for one map epoch": f"{seconds:.1f}"}
        for depth, seconds in ((d, map_epoch_seconds(d, X_fit)) for d in (1, 2))
    ]
    print(map_rows, flush=True)
    write_report(
        "conv_depth",
        "Convolutions per scale (MNIST validation split, 36 components)",
        "\n\n".join(__doc__.split("\n\n")[1:3]),
        [markdown_table(columns, rows), markdown_table(MAP_COLUMNS, map_rows)],
    )


if __name__ == "__main__":
    main()
