"""Filters of the conv network under today's training (12/).

Protocol: training_runs' validation split of MNIST (fit on images 0-5,999, score on
6,000-7,999; the last 2,000 are never read). Each network is
``AutoencoderReducer(36, architecture="conv", random_state=seed, conv_filters=...,
conv_depth=2)`` with every other parameter at its default (40 epochs, learning rate
3e-3, batches of 128, the rate rising over two epochs then falling linearly, hidden
layers in bfloat16 where the backend computes it natively). conv_depth.py chose the
widths under the training of then (plateaus, float32); this run weighs them again under
today's, narrower ones first, as a narrower network is the cheaper way to the filing
day's fit time. (20, 40) became the default: as low an error as (24, 48), in less time.
Scores: validation MSE and fit seconds, each "seed 0 / seed 1 / seed 2 (mean)".

Run: python benchmarks/conv_width.py --data-dir ../shared/data/mnist
(writes benchmarks/results/conv_width.md and conv_width.csv)
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from conv_depth import network_rows, validation_runs, write_report  # noqa: E402
from training_runs import markdown_table  # noqa: E402

NETWORKS = [
    {"conv_filters": (16, 32), "conv_depth": 2},
    {"conv_filters": (20, 40), "conv_depth": 2},
    {"conv_filters": (24, 48), "conv_depth": 2},
]


def report(columns: list[str], rows: list[dict]):
    write_report(
        "conv_width",
        "Filters of the conv network under today's training (MNIST validation split, "
        "36 components)",
        __doc__.split("\n\n")[1],
        [markdown_table(columns, rows)],
    )


def main():
    X_fit, X_val, seeds = validation_runs(__doc__.split("\n")[0], seeds="0,1,2")
    report(*network_rows(NETWORKS, seeds, X_fit, X_val, "conv_width"))


if __name__ == "__main__":
    main()
