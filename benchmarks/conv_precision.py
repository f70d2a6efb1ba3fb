"""bfloat16 arithmetic for the conv network, against float32 (12/).

Protocol: training_runs' validation split of MNIST (fit on images 0-5,999, score on
6,000-7,999; the last 2,000 are never read). Each fit is
``AutoencoderReducer(36, architecture="conv", random_state=seed, dtype_policy=...,
learning_rate_schedule="linear", conv_filters=(24, 48))`` (the filters' default then)
with every other parameter at its default (or
``epochs=--epochs``; the rate falls linearly, as the conv default's did then):
"float32" computes every layer in float32; "mixed_bfloat16" computes the hidden
layers in bfloat16 on float32 weights (Keras' mixed precision), the code and the
reconstruction in float32.
For each seed the two fits run one after the other in this process, so that both see
the same load; the ratio is the bfloat16 fit's seconds over the float32 fit's.
Scores: validation MSE and fit seconds. Run once a backend (KERAS_BACKEND); this
CPU reports AVX512_BF16.

Run: python benchmarks/conv_precision.py --data-dir ../shared/data/mnist
(writes benchmarks/results/conv_precision_<backend>.md and .csv; on JAX and PyTorch,
whose epochs are slower, with --epochs 4 --seeds 0)
"""

import argparse
import os
import statistics

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
from conv_depth import WIDER, fit_scores  # noqa: E402
from training_runs import (  # noqa: E402
    markdown_table,
    validation_split,
    write_backend_report,
    write_csv,
)

POLICIES = ("float32", "mixed_bfloat16")
COLUMNS = [
    "seed",
    *(f"{policy} {score}" for policy in POLICIES for score in ("MSE", "fit s")),
    "time ratio",
]


def policy_scores(policy: str, seed: int, epochs, X_fit, X_val) -> dict:
    params = {
        "epochs": epochs,
        "dtype_policy": policy,
        "learning_rate_schedule": "linear",
        **WIDER,
    }
    return fit_scores(params, seed, X_fit, X_val)


def seed_row(seed, runs: dict) -> dict:
    row = {"seed": str(seed)}
    for policy in POLICIES:
        row[f"{policy} MSE"] = f"{runs[policy]['validation_mse']:.5f}"
        row[f"{policy} fit s"] = f"{runs[policy]['fit_s']:.1f}"
    ratio = runs["mixed_bfloat16"]["fit_s"] / runs["float32"]["fit_s"]
    row["time ratio"] = f"{ratio:.2f}"
    return row


def mean_row(all_runs: list[dict]) -> dict:
    means = {
        policy: {
            score: statistics.mean(runs[policy][score] for runs in all_runs)
            for score in ("validation_mse", "fit_s")
        }
        for policy in POLICIES
    }
    return seed_row("mean", means)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", required=True, help="MNIST's folder")
    parser.add_argument("--seeds", default="0,1")
    parser.add_argument("--epochs", default="auto", help="an int, or auto (40)")
    args = parser.parse_args()
    epochs = args.epochs if args.epochs == "auto" else int(args.epochs)
    X_fit, X_val = validation_split(args.data_dir)
    stem = f"conv_precision_{keras.config.backend()}"
    all_runs, rows = [], []
    for seed in (int(seed) for seed in args.seeds.split(",")):
        runs = {p: policy_scores(p, seed, epochs, X_fit, X_val) for p in POLICIES}
        all_runs.append(runs)
        rows.append(seed_row(seed, runs))
        print(rows[-1], flush=True)
        write_csv(stem, COLUMNS, rows)
    if len(all_runs) > 1:
        rows.append(mean_row(all_runs))
        write_csv(stem, COLUMNS, rows)
    command = "python benchmarks/conv_precision.py --data-dir ../shared/data/mnist"
    if args.epochs != "auto":
        command += f" --epochs {args.epochs}"
    if args.seeds != "0,1":
        command += f" --seeds {args.seeds}"
    write_backend_report(
        "conv_precision",
        f"bfloat16 against float32 for the conv network ({keras.config.backend()}, "
        "MNIST validation split, 36 components)",
        __doc__.split("\n\n")[1],
        command,
        [markdown_table(COLUMNS, rows)],
    )


if __name__ == "__main__":
    main()
