"""A rise of the learning rate before its linear fall, for the conv network (12/).

Protocol: training_runs' validation split of MNIST (fit on images 0-5,999, score on
6,000-7,999; the last 2,000 are never read). The conv code at 36 components starts
from the mean image (its reconstruction's weights are zero), and at its learning rate
of 3e-3 some seeds never left it: Adam's first steps, full-sized even for the tiny
gradients that reach the decoder's last ReLU layer through those zero weights, left
all of that layer's units dead. Two measurements, each
``AutoencoderReducer(36, architecture="conv", random_state=seed,
learning_rate_schedule=..., conv_filters=(24, 48))`` (the filters' default then) with
every other parameter at its default, under
"linear" (the rate falling from 3e-3 to 0) and "warmup_linear" (the same fall after a
linear rise over the first two epochs):

- starts: fits of ``epochs=8`` for each of --start-seeds seeds, whose first two
  epochs run at the rates of the default 40's with the rise (a quarter and three
  quarters of 3e-3; without it 0.94 and 0.81 of it, against the default's 0.99 and
  0.96). A fit is "at the mean image" when its validation MSE is within 5% of the
  mean training image's;
- whole fits (--whole-seeds; seed 2 stayed at the mean image in a scratch run of the
  default): the default 40 epochs, validation MSE and fit seconds.

Run once a backend (KERAS_BACKEND); on JAX and PyTorch, whose epochs are slower, with
--whole-seeds "" (no whole fits).

Run: python benchmarks/conv_warmup.py --data-dir ../shared/data/mnist
(writes benchmarks/results/conv_warmup_<backend>.md and .csv)
"""

import argparse
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from conv_depth import WIDER, fit_scores  # noqa: E402
from training_runs import (  # noqa: E402
    markdown_table,
    validation_split,
    write_backend_report,
    write_csv,
)

SCHEDULES = ("linear", "warmup_linear")
START_EPOCHS = 8
# Within this share of the mean image's error, a fit has not left it.
AT_THE_MEAN = 0.95


def schedule_scores(schedule: str, seed: int, X_fit, X_val, **params) -> dict:
    params = {"learning_rate_schedule": schedule, **WIDER, **params}
    return fit_scores(params, seed, X_fit, X_val)


def start_rows(seeds, X_fit, X_val, stem: str):
    """Each seed's validation MSE after START_EPOCHS epochs under each schedule, then
    the count of fits left at the mean image."""
    mean_image_mse = float(np.mean((X_val - X_fit.mean(axis=0)) ** 2))
    columns = ["seed", *(f"{schedule} MSE" for schedule in SCHEDULES)]
    rows, stuck = [], dict.fromkeys(SCHEDULES, 0)
    for seed in seeds:
        row = {"seed": str(seed)}
        for schedule in SCHEDULES:
            scores = schedule_scores(schedule, seed, X_fit, X_val, epochs=START_EPOCHS)
            mse = scores["validation_mse"]
            at_the_mean = mse >= AT_THE_MEAN * mean_image_mse
            stuck[schedule] += at_the_mean
            row[f"{schedule} MSE"] = f"{mse:.5f}" + (" (mean image)" if at_the_mean else "")
        rows.append(row)
        print(row, flush=True)
        write_csv(stem, columns, rows)
    rows.append(
        {
            "seed": "at the mean image",
            **{f"{s} MSE": f"{stuck[s]} of {len(seeds)}" for s in SCHEDULES},
        }
    )
    caption = f"The mean training image's validation MSE: {mean_image_mse:.5f}."
    return [*markdown_table(columns, rows), "", caption]


def whole_rows(seeds, X_fit, X_val):
    columns = ["seed", *(f"{s} {score}" for s in SCHEDULES for score in ("MSE", "fit s"))]
    rows = []
    for seed in seeds:
        row = {"seed": str(seed)}
        for schedule in SCHEDULES:
            scores = schedule_scores(schedule, seed, X_fit, X_val)
            row[f"{schedule} MSE"] = f"{scores['validation_mse']:.5f}"
            row[f"{schedule} fit s"] = f"{scores['fit_s']:.1f}"
        rows.append(row)
        print(row, flush=True)
    return markdown_table(columns, rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", required=True, help="MNIST's folder")
    parser.add_argument("--start-seeds", type=int, default=8)
    parser.add_argument("--whole-seeds", default="0,1,2")
    args = parser.parse_args()
    X_fit, X_val = validation_split(args.data_dir)
    stem = f"conv_warmup_{keras.config.backend()}"
    tables = [start_rows(range(args.start_seeds), X_fit, X_val, stem)]
    whole_seeds = [int(seed) for seed in args.whole_seeds.split(",") if seed]
    if whole_seeds:
        tables.append(whole_rows(whole_seeds, X_fit, X_val))
    command = "python benchmarks/conv_warmup.py --data-dir ../shared/data/mnist"
    if args.start_seeds != 8:
        command += f" --start-seeds {args.start_seeds}"
    if args.whole_seeds != "0,1,2":
        command += f' --whole-seeds "{args.whole_seeds}"'
    write_backend_report(
        "conv_warmup",
        "The conv network's start, with and without a rise of the rate "
        f"({keras.config.backend()}, MNIST validation split, 36 components)",
        "\n\n".join(__doc__.split("\n\n")[1:3]),
        command,
        tables,
    )


if __name__ == "__main__":
    main()
