"""The measurements behind the defaults, on a validation split inside MNIST's training rows.

Protocol (../shared/data/README.md): the MNIST test file scaled to [0, 1]; its first
8,000 images are the training rows, of which images 0-5,999 are fitted and images
6,000-7,999 score every setting (the validation rows). The last 2,000 images, held out
for reporting, are never used here.

Dense network (the default mode): `AutoencoderReducer(n_components, random_state=0)`
with one change at a time. First the noise sweep at each number of components; then, at
36 components, the loss, the learning rate and early stopping, each changed alone from
the winning noise. Per run: validation MSE, MSE on the fitted rows, trustworthiness
(k=5) of the validation embedding, 5-NN accuracy (classifier fitted on the fitted rows'
codes, scored on the validation codes), fit time and epochs. In each group the value
with the lowest validation MSE is chosen. Writes defaults_mnist.md and
defaults_mnist.csv (rewritten after every run, so a cut run keeps what it measured).

With --conv-curves: the conv network at 36 components, validation MSE every 5 epochs up
to 60 (training continued with warm_start). Writes defaults_mnist_conv.md and .csv.

Run: python benchmarks/tune_defaults.py --data-dir ../shared/data/mnist
     python benchmarks/tune_defaults.py --data-dir ../shared/data/mnist --conv-curves
"""

import argparse
import csv
import os
import sys
import time
from datetime import datetime
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from skae import AutoencoderReducer  # noqa: E402
from skae.datasets import load_comparison_data  # noqa: E402
from skae.metrics import knn_accuracy, reconstruction_error, trustworthiness  # noqa: E402

N_FIT = 6000  # of the 8,000 training rows; the other 2,000 are the validation rows
NOISES = (0.0, 0.1, 0.2, 0.3)
# At 36 components, each changed alone from the winning noise: (default, tried).
FOLLOW_UPS = {
    "loss": ("mse", "binary_crossentropy"),
    "learning_rate": (1e-3, 3e-3),
    "early_stopping": (False, True),
}
DENSE_COLUMNS = {
    "components": "d",
    "change": "s",
    "validation MSE": ".5f",
    "fitted-rows MSE": ".5f",
    "trustworthiness": ".3f",
    "5-NN accuracy": ".3f",
    "fit s": ".0f",
    "epochs": "d",
}

# The conv network at 36 components; "auto" settings are the conv ones unless given.
CONV_CHANGES = {
    "dense-layers": {"hidden_layer_sizes": (256, 128, 64), "learning_rate": 1e-3},
    "noise0.2": {"noise": 0.2, "learning_rate": 1e-3},
    "lr1e-3": {"learning_rate": 1e-3},
    "lr2e-3": {"learning_rate": 2e-3},
    "lr3e-3": {"learning_rate": 3e-3},
}
CONV_EPOCHS = range(5, 61, 5)


def validation_split(data):
    """Fitted and validation rows and labels, all from the 8,000 training rows."""
    X, y = data.X_train, data.y_train
    return X[:N_FIT], X[N_FIT:], y[:N_FIT], y[N_FIT:]


def describe(change: dict) -> str:
    return ", ".join(f"{name}={value!r}" for name, value in change.items())


def measure_dense(n_components: int, change: dict, split) -> dict:
    X_fit, X_val, y_fit, y_val = split
    reducer = AutoencoderReducer(n_components, random_state=0, **change)
    start = time.perf_counter()
    Z_fit = reducer.fit_transform(X_fit)
    seconds = time.perf_counter() - start
    Z_val = reducer.transform(X_val)
    row = {
        "components": n_components,
        "change": describe(change),
        "validation MSE": reconstruction_error(X_val, reducer.inverse_transform(Z_val)),
        "fitted-rows MSE": reconstruction_error(X_fit, reducer.inverse_transform(Z_fit)),
        "trustworthiness": trustworthiness(X_val, Z_val, n_neighbors=5),
        "5-NN accuracy": knn_accuracy(Z_fit, y_fit, Z_val, y_val),
        "fit s": seconds,
        "epochs": reducer.n_iter_,
    }
    print(row, flush=True)
    return row


def choose(group: str, n_components: int, values, rows: list[dict]) -> str:
    """A line naming the value whose row has the lowest validation MSE."""
    errors = [row["validation MSE"] for row in rows]
    best = errors.index(min(errors))
    others = ", ".join(
        f"{value!r}: {error:.5f}" for value, error in zip(values, errors, strict=True)
    )
    return f"- {group} at {n_components} components: **{values[best]!r}** ({others})"


def markdown_table(columns: dict, rows: list[dict]) -> list[str]:
    """A Markdown table of ``rows``; ``columns`` maps each column to its format."""
    lines = ["| " + " | ".join(columns) + " |"]
    lines.append("| " + " | ".join("---" if f == "s" else "---:" for f in columns.values()))
    lines[-1] += " |"
    for row in rows:
        cells = [format(row[name], spec) for name, spec in columns.items()]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def write_results(path: Path, title: str, protocol: str, rows, columns, footer, started):
    """``path`` (Markdown: header, table, footer lines) and the CSV beside it."""
    command = " ".join(["python", "benchmarks/tune_defaults.py", *sys.argv[1:]])
    load = os.getloadavg()[0]
    header = [
        f"# {title}",
        "",
        protocol,
        "",
        f"Made by `{command}` on {started:%Y-%m-%d %H:%M} (written "
        f"{datetime.now():%H:%M}), on {os.cpu_count()} CPU cores whose 1-minute load "
        f"average was {load:.1f} at the last write (0 on an idle machine; more means "
        "other jobs shared the cores, so fit times overstate a quiet run).",
        "",
    ]
    lines = header + markdown_table(columns, rows) + ["", *footer]
    path.write_text("\n".join(lines) + "\n")
    with open(path.with_suffix(".csv"), "w", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def dense_runs(split, components: list[int], out: Path) -> None:
    started, rows, chosen = datetime.now(), [], []
    protocol = (
        "Validation protocol: of the MNIST test file's first 8,000 images (pixels "
        "scaled to [0, 1]), fit on images 0-5,999 and score on 6,000-7,999; the last "
        "2,000, held out for reporting, are not used. "
        "`AutoencoderReducer(components, random_state=0, **change)`, dense network, "
        "every other parameter at its default. Trustworthiness (k=5) is that of the "
        "validation embedding; 5-NN accuracy is fitted on the fitted rows' codes and "
        "scored on the validation codes."
    )

    def write():
        footer = ["Chosen by the lowest validation MSE in each group:", "", *chosen]
        title = "Measurements behind the dense defaults (MNIST, validation split)"
        write_results(
            out / "defaults_mnist.md", title, protocol, rows, DENSE_COLUMNS, footer, started
        )

    def run(n_components, change):
        rows.append(measure_dense(n_components, change, split))
        write()
        return rows[-1]

    noise_rows = {}
    for n_components in components:
        noise_rows[n_components] = [run(n_components, {"noise": v}) for v in NOISES]
        chosen.append(choose("noise", n_components, NOISES, noise_rows[n_components]))
    if 36 in noise_rows:
        base = min(noise_rows[36], key=lambda row: row["validation MSE"])
        noise = NOISES[noise_rows[36].index(base)]
        for name, values in FOLLOW_UPS.items():
            tried = run(36, {"noise": noise, name: values[1]})
            group = f"{name} (noise={noise!r})"
            chosen.append(choose(group, 36, values, [base, tried]))
    write()


def conv_curves(split, names: list[str], out: Path) -> None:
    """Validation MSE every 5 epochs of the conv network, one curve per change."""
    X_fit, X_val, _, _ = split
    started, rows = datetime.now(), []
    columns = {"change": "s", "setting": "s", **{str(e): ".4f" for e in CONV_EPOCHS}}
    columns[f"s for {CONV_EPOCHS[-1]}"] = ".0f"
    for name in names:
        reducer = AutoencoderReducer(
            36, architecture="conv", warm_start=True, random_state=0, **CONV_CHANGES[name]
        )
        row, seconds = {"change": name, "setting": describe(CONV_CHANGES[name])}, 0.0
        for epochs in CONV_EPOCHS:
            start = time.perf_counter()
            reducer.set_params(epochs=epochs).fit(X_fit)
            seconds += time.perf_counter() - start
            Z_val = reducer.transform(X_val)
            row[str(epochs)] = reconstruction_error(X_val, reducer.inverse_transform(Z_val))
        row[f"s for {CONV_EPOCHS[-1]}"] = seconds
        rows.append(row)
        print(row, flush=True)
        lowest = [
            f"{epochs}: {min(rows, key=lambda row: row[str(epochs)])['change']}"
            for epochs in CONV_EPOCHS
        ]
        footer = ["Lowest validation MSE after each number of epochs: " + ", ".join(lowest)]
        write_results(
            out / "defaults_mnist_conv.md",
            "Learning curves of the conv network (MNIST, validation split)",
            "Validation protocol: of the MNIST test file's first 8,000 images (pixels "
            "scaled to [0, 1]), fit on images 0-5,999 and score on 6,000-7,999; the last "
            "2,000 are not used. `AutoencoderReducer(36, architecture='conv', "
            "warm_start=True, random_state=0, **setting)`; each column is the validation "
            "MSE after that many epochs in all (training continued with warm_start).",
            rows,
            columns,
            footer,
            started,
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--n-components", default="36,2", help="dense runs only")
    parser.add_argument("--conv-curves", action="store_true")
    parser.add_argument("--only", default=",".join(CONV_CHANGES), help="conv changes")
    parser.add_argument("--out", default=str(Path(__file__).parent / "results"))
    args = parser.parse_args()
    split = validation_split(load_comparison_data("mnist", data_dir=args.data_dir))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.conv_curves:
        conv_curves(split, args.only.split(","), out)
    else:
        dense_runs(split, [int(n) for n in args.n_components.split(",")], out)


if __name__ == "__main__":
    main()
