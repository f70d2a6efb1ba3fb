"""Which code widths the dense "wide_code" training profile serves (12/).

Protocol: training_runs' validation split of MNIST (fit on images 0-5,999, score on
6,000-7,999; the last 2,000 are never read). At each code width the dense network on
[0, 1] rows is fitted with both training recipes written out as parameters, so the
comparison does not depend on which one "auto" picks today:

- ReLU: the "dense" profile (ReLU, learning rate 1e-3, 200 epochs, noise 0.3);
- SELU: the "wide_code" profile (SELU from LeCun's start, learning rate 2e-3, 60
  epochs, noise 0.1).

Both are ``AutoencoderReducer(n, random_state=seed, ...)`` with every other parameter at
its default; PCA at the same width is the reference. Scores: validation MSE, its ratio to
PCA's, fit seconds (comparable within one run only: the machine is shared).

Run: python benchmarks/dense_code.py --data-dir ../shared/data/mnist --seeds 0,1
(writes benchmarks/results/dense_code.md and dense_code.csv; a run with --widths
replaces only the rows it measures)
"""

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from sklearn.decomposition import PCA  # noqa: E402
from training_runs import (  # noqa: E402
    RESULTS,
    held_out_error,
    markdown_table,
    read_csv,
    validation_split,
    write_csv,
)

from skae import AutoencoderReducer  # noqa: E402
from skae.spec import AUTO_SETTINGS  # noqa: E402

RECIPE_PARAMS = ("activation", "learning_rate", "epochs", "noise")
RECIPES = {
    "ReLU": {name: AUTO_SETTINGS["dense"][name] for name in RECIPE_PARAMS},
    "SELU": {name: AUTO_SETTINGS["wide_code"][name] for name in RECIPE_PARAMS},
}
COLUMNS = ["components", "recipe", "seed", "validation MSE", "x PCA", "fit s"]


def measure(n_components, recipe, seed, X_fit, X_val, pca_error):
    reducer = AutoencoderReducer(n_components, random_state=seed, **RECIPES[recipe])
    start = time.perf_counter()
    reducer.fit(X_fit)
    seconds = time.perf_counter() - start
    error = held_out_error(reducer, X_val)
    return {
        "components": str(n_components),
        "recipe": recipe,
        "seed": str(seed),
        "validation MSE": f"{error:.5f}",
        "x PCA": f"{error / pca_error:.3f}",
        "fit s": f"{seconds:.1f}",
    }


def _key(row):
    return row["components"], row["recipe"], row["seed"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", help="MNIST's folder (not for --report-only)")
    parser.add_argument("--widths", default="4,10,20,24,28,36,64")
    parser.add_argument("--seeds", default="0")
    parser.add_argument("--report-only", action="store_true", help="rewrite the .md")
    args = parser.parse_args()
    rows = read_csv("dense_code")  # a run replaces only the rows it measures
    if not args.report_only:
        rows = measure_widths(args, rows)
    write_report(rows)


def measure_widths(args, rows):
    X_fit, X_val = validation_split(args.data_dir)
    for n_components in (int(width) for width in args.widths.split(",")):
        pca_error = held_out_error(PCA(n_components).fit(X_fit), X_val)
        for seed in (int(seed) for seed in args.seeds.split(",")):
            for recipe in RECIPES:
                row = measure(n_components, recipe, seed, X_fit, X_val, pca_error)
                rows = [old for old in rows if _key(old) != _key(row)] + [row]
                print(row, flush=True)
        rows.sort(key=lambda row: (int(row["components"]), row["seed"], row["recipe"]))
        write_csv("dense_code", COLUMNS, rows)
    return rows


def write_report(rows):
    recipes = "; ".join(
        f"{name}: " + ", ".join(f"{key}={value!r}" for key, value in params.items())
        for name, params in RECIPES.items()
    )
    lines = [
        "# Dense training recipes by code width (MNIST validation split)",
        "",
        *"\n\n".join(__doc__.split("\n\n")[1:3]).split("\n"),
        "",
        f"Recipes: {recipes}. Made by `python benchmarks/dense_code.py --data-dir "
        "../shared/data/mnist --seeds 0,1`, then `--widths 20,24 --seeds 2` for a "
        "third seed on either side of the threshold (a run replaces or adds only the "
        "rows it measures).",
        "",
        *markdown_table(COLUMNS, rows),
        "",
        "Fit seconds compare only between rows of one run (a run with --widths adds "
        "its own): other jobs may share the cores.",
    ]
    (RESULTS / "dense_code.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
