"""12/'s conv target: the default conv code at 36 components against the conv default
of the day 12/ was filed.

Protocol (../shared/data/README.md): the MNIST test file scaled to [0, 1]; its first
8,000 images are the training rows, its last 2,000 are held out. Each round fits
``AutoencoderReducer(36, architecture="conv", random_state=0)`` on the training rows
twice, each in a fresh process: with the skae of --baseline (e36d930, the conv default
when 12/ was filed: one convolution a scale, filters (32, 64), 40 epochs) and with the
skae of this checkout, so both see the same load. It times each whole fit and scores
the held-out rows (inverse_transform(transform)). The target: held-out MSE at most
0.0038 (Hinton and Salakhutdinov's 2006 figure), in a fit no longer than the baseline's.

Run: python benchmarks/conv_budget.py --data-dir ../shared/data/mnist
(writes benchmarks/results/conv_budget.md)
"""

import argparse
import statistics
import tempfile
from pathlib import Path

import numpy as np
from training_runs import (
    REPOSITORY,
    RESULTS,
    checkout_at,
    markdown_table,
    run_with_skae_of,
)

from skae.datasets import load_comparison_data

TARGET_MSE = 0.0038

# One fit, run by a fresh interpreter whose skae is the checkout's; public API only.
FIT = """
import json, os, time
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np
from skae import AutoencoderReducer
X_train, X_test = np.load({train!r}), np.load({test!r})
reducer = AutoencoderReducer(36, architecture="conv", random_state=0)
start = time.perf_counter()
reducer.fit(X_train)
seconds = time.perf_counter() - start
decoded = reducer.inverse_transform(reducer.transform(X_test))
print(json.dumps({{"fit_s": seconds, "mse": float(np.mean((X_test - decoded) ** 2))}}))
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", required=True, help="MNIST's folder")
    parser.add_argument("--baseline", default="e36d930", help="the filing-day commit")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    data = load_comparison_data("mnist", data_dir=args.data_dir)
    rows = []
    with tempfile.TemporaryDirectory() as scratch, checkout_at(args.baseline) as base:
        train, test = Path(scratch) / "train.npy", Path(scratch) / "test.npy"
        np.save(train, data.X_train)
        np.save(test, data.X_test)
        code = FIT.format(train=str(train), test=str(test))
        for round_ in range(1, args.rounds + 1):
            baseline = run_with_skae_of(base, code)
            current = run_with_skae_of(REPOSITORY, code)
            rows.append({"baseline": baseline, "current": current})
            print(round_, rows[-1], flush=True)
    write_report(args, rows)


def write_report(args, runs):
    base = args.baseline
    cells = {  # column: (run, score, format)
        f"{base} fit s": ("baseline", "fit_s", "{:.1f}"),
        f"{base} MSE": ("baseline", "mse", "{:.5f}"),
        "this checkout fit s": ("current", "fit_s", "{:.1f}"),
        "this checkout MSE": ("current", "mse", "{:.5f}"),
    }
    ratios = [run["current"]["fit_s"] / run["baseline"]["fit_s"] for run in runs]
    rows = [
        {
            "round": str(number),
            **{
                column: form.format(run[who][score])
                for column, (who, score, form) in cells.items()
            },
            "fit time ratio": f"{ratio:.2f}",
        }
        for number, (run, ratio) in enumerate(zip(runs, ratios, strict=True), start=1)
    ]
    median = statistics.median
    rows.append(
        {
            "round": "median",
            **{
                column: form.format(median(run[who][score] for run in runs))
                for column, (who, score, form) in cells.items()
            },
            "fit time ratio": f"{median(ratios):.2f}",
        }
    )
    columns = ["round", *cells, "fit time ratio"]
    lines = [
        "# The default conv code against the filing day's conv default (MNIST, 36 "
        "components)",
        "",
        *__doc__.split("\n\n")[1].split("\n"),
        "",
        "Made by `python benchmarks/conv_budget.py --data-dir ../shared/data/mnist "
        f"--rounds {args.rounds}`.",
        "",
        *markdown_table(columns, rows),
        "",
        f"Target: this checkout's held-out MSE at most {TARGET_MSE}, fit time ratio at "
        "most 1.",
    ]
    (RESULTS / "conv_budget.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
