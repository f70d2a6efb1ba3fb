"""The conv network's learning-rate schedule, and its filters (12/).

Protocol: training_runs' validation split of MNIST (fit on images 0-5,999, score on
6,000-7,999; the last 2,000 are never read). Each network is
``AutoencoderReducer(36, architecture="conv", random_state=seed, conv_depth=2,
conv_filters=..., learning_rate_schedule=...)`` with every other parameter at its
default (40 epochs, learning rate 3e-3, batches of 128; every layer in float32, as
then): the rate halved whenever the training loss has not improved for 5 epochs
("plateau", the conv default until this change) or lowered linearly to 0 over the 40
epochs ("linear"), each with the filters of conv_depth.py's best two networks at two
convolutions a scale.
Scores: validation MSE and fit seconds, each "seed 0 / seed 1 (mean)".

Run: python benchmarks/conv_schedule.py --data-dir ../shared/data/mnist
(writes benchmarks/results/conv_schedule.md and conv_schedule.csv)
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from conv_depth import (  # noqa: E402
    FLOAT32,
    network_rows,
    validation_runs,
    write_report,
)
from training_runs import markdown_table  # noqa: E402

NETWORKS = [
    {"conv_filters": filters, "learning_rate_schedule": schedule}
    for filters in ((32, 64), (24, 48))
    for schedule in ("plateau", "linear")
]


def main():
    X_fit, X_val, seeds = validation_runs(__doc__.split("\n")[0])
    columns, rows = network_rows(
        NETWORKS,
        seeds,
        X_fit,
        X_val,
        "conv_schedule",
        fixed={"conv_depth": 2, **FLOAT32},
    )
    write_report(
        "conv_schedule",
        "The conv network's learning-rate schedule (MNIST validation split, 36 components)",
        __doc__.split("\n\n")[1],
        [markdown_table(columns, rows)],
    )


if __name__ == "__main__":
    main()
