"""Raw tabular data: the autoencoder against PCA in raw and in standardised units.

Protocol: scikit-learn's breast cancer and wine tables and `skae.datasets.make_mixed_units`
(12 features in units from 1e-3 to 1e5), raw (unscaled); a 70/30 split with
random_state=0; 2 components; random_state=0.

1. Choice, on the training rows only: an inner 70/30 split of the 70 % (fit on the
   first part, score on the second) compares the defaults with one change at a time.
2. Report, on the held-out 30 %: the defaults fitted on the whole 70 %, against PCA,
   and the defaults fitted on X times 1e12 and 1e-12.

Errors are mean squared errors per value: "raw" in the data's units; "standardised"
divides each feature's squared error by its training variance; "worst feature" is the
largest ratio of a feature's error to that of predicting its training mean.

Writes benchmarks/results/tabular.md. Run: python benchmarks/tabular.py
"""

import os
import time
from pathlib import Path
from unittest import mock

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from sklearn.datasets import load_breast_cancer, load_wine  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402

import skae.spec  # noqa: E402
from skae import AutoencoderReducer  # noqa: E402
from skae.datasets import make_mixed_units  # noqa: E402

RESULTS = Path(__file__).parent / "results" / "tabular.md"
TABLES = {
    "breast_cancer": lambda: load_breast_cancer().data,
    "wine": lambda: load_wine().data,
    "mixed_units": make_mixed_units,
}
# One change at a time from the defaults. "no PCA start" trains the networks alone,
# as before the PCA start existed (the method that decides it is switched off).
CHANGES = {
    "defaults": {},
    "learning_rate=1e-3": {"learning_rate": 1e-3},
    "n_iter_no_change=10": {"n_iter_no_change": 10},
    "early_stopping=True": {"early_stopping": True},
    'feature_weighting="equal"': {"feature_weighting": "equal"},
    "noise=0.1": {"noise": 0.1},
    "alpha=0": {"alpha": 0.0},
    "alpha=1e-5": {"alpha": 1e-5},
    "alpha=3e-4": {"alpha": 3e-4},
    "no PCA start": {"_no_pca_start": True},
}


def errors(model, X_train, X_test):
    squared = (X_test - model.inverse_transform(model.transform(X_test))) ** 2
    mean_row = ((X_test - X_train.mean(axis=0)) ** 2).mean(axis=0)
    return (
        squared.mean(),
        (squared / X_train.var(axis=0)).mean(),
        (squared.mean(axis=0) / mean_row).max(),
    )


def fitted(change, X):
    params = dict(change)
    no_pca_start = params.pop("_no_pca_start", False)
    reducer = AutoencoderReducer(2, random_state=0, **params)
    rule = (lambda *args: False) if no_pca_start else skae.spec._starts_at_pca
    start = time.perf_counter()
    with mock.patch.object(skae.spec, "_starts_at_pca", rule):
        reducer.fit(X)
    return reducer, time.perf_counter() - start


def row(cells):
    return "| " + " | ".join(cells) + " |"


def main():
    lines = [
        "# Raw tables at 2 components: autoencoder against PCA",
        "",
        "`python benchmarks/tabular.py`; protocol in the script's docstring.",
        "",
        "## Choice: validation split inside the training rows",
        "",
        row(
            [
                "table",
                "reducer",
                "alpha",
                "raw MSE",
                "standardised MSE",
                "worst feature",
                "fit s",
            ]
        ),
        row(["---", "---", "---:", "---:", "---:", "---:", "---:"]),
    ]
    print("\n".join(lines), flush=True)
    splits = {
        name: train_test_split(load(), test_size=0.3, random_state=0)
        for name, load in TABLES.items()
    }
    for name, (X_train, _) in splits.items():
        X_fit, X_check = train_test_split(X_train, test_size=0.3, random_state=0)
        pca = PCA(2).fit(X_fit)
        cells = [f"{value:.4g}" for value in errors(pca, X_fit, X_check)]
        lines.append(row([name, "PCA", "", *cells, "0"]))
        print(lines[-1], flush=True)
        for label, change in CHANGES.items():
            reducer, seconds = fitted(change, X_fit)
            cells = [f"{value:.4g}" for value in errors(reducer, X_fit, X_check)]
            alpha = f"{reducer.spec_.alpha:g}"
            lines.append(row([name, label, alpha, *cells, f"{seconds:.0f}"]))
            print(lines[-1], flush=True)

    lines += [
        "",
        "## Report: held-out 30 %, defaults",
        "",
        row(
            [
                "table",
                "reducer",
                "alpha",
                "raw MSE",
                "x PCA",
                "standardised MSE",
                "x PCA",
                "worst feature",
                "fit s",
            ]
        ),
        row(["---", "---", "---:", "---:", "---:", "---:", "---:", "---:", "---:"]),
    ]
    print("\n".join(lines[-4:]), flush=True)
    for name, (X_train, X_test) in splits.items():
        pca_raw, pca_standardised, pca_worst = errors(PCA(2).fit(X_train), X_train, X_test)
        lines.append(
            row(
                [
                    name,
                    "PCA",
                    "",
                    f"{pca_raw:.4g}",
                    "1.00",
                    f"{pca_standardised:.4f}",
                    "1.00",
                    f"{pca_worst:.3f}",
                    "0",
                ]
            )
        )
        for factor in (1.0, 1e12, 1e-12):
            reducer, seconds = fitted({}, X_train * factor)
            raw, standardised, worst = errors(reducer, X_train * factor, X_test * factor)
            raw /= factor**2
            label = "autoencoder" if factor == 1.0 else f"autoencoder, X x {factor:g}"
            lines.append(
                row(
                    [
                        name,
                        label,
                        f"{reducer.spec_.alpha:g}",
                        f"{raw:.4g}",
                        f"{raw / pca_raw:.3f}",
                        f"{standardised:.4f}",
                        f"{standardised / pca_standardised:.3f}",
                        f"{worst:.3f}",
                        f"{seconds:.0f}",
                    ]
                )
            )
            print(lines[-1], flush=True)
    lines.append("")
    lines.append("Raw MSE of the scaled fits is divided by the factor squared.")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
