"""How fast the default dense network converges, one training change at a time (12/).

Protocol (../shared/data/README.md): the MNIST test file scaled to [0, 1]; of its first
8,000 images (the training rows), images 0-5,999 are fitted and images 6,000-7,999 score
every setting (the validation rows). The last 2,000, held out for reporting, are not
used. `AutoencoderReducer(36, epochs=n, random_state=0, **change)` is fitted anew for
each n of --epochs (each fit is what a user gets by asking for n epochs), and its fit
seconds and validation MSE are recorded. The two "cosine decay" rows are not parameters:
they swap skae's plateau halving for a per-epoch cosine decay of the rate (5 % linear
warm-up), to measure a schedule before adding one.

The yardstick is the machine's: seconds per epoch of a plain Keras fit of the same
network (a clone of the fitted autoencoder, Adam 1e-3, batch 128, MSE) on the same rows,
measured in the same run. Writes convergence_mnist.md and convergence_mnist.csv under
benchmarks/results/ (rewritten after every setting).

Run: python benchmarks/convergence.py --data-dir ../shared/data/mnist
"""

import argparse
import math
import os
import time
from contextlib import contextmanager, nullcontext
from datetime import datetime

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
from training_runs import (  # noqa: E402
    RESULTS,
    markdown_table,
    plain_keras_epoch_seconds,
    read_csv,
    validation_split,
    write_csv,
)

import skae.training  # noqa: E402
from skae import AutoencoderReducer  # noqa: E402
from skae.metrics import reconstruction_error  # noqa: E402

N_COMPONENTS = 36
# Each changed alone from the defaults.
CHANGES = {
    "defaults": {},
    "batch_size=64": {"batch_size": 64},
    "batch_size=32": {"batch_size": 32},
    "learning_rate=0.003": {"learning_rate": 3e-3},
    "loss='binary_crossentropy'": {"loss": "binary_crossentropy"},
    "noise=0.1": {"noise": 0.1},
    # Not parameters: what a learning-rate schedule would do, measured before adding one.
    "cosine decay": {},
    "cosine decay (learning_rate=0.003)": {"learning_rate": 3e-3},
}
COSINE = ("cosine decay", "cosine decay (learning_rate=0.003)")


@contextmanager
def cosine_decay(epochs: int, learning_rate: float):
    """Train with a cosine decay of the rate over ``epochs`` (after a 5 % linear warm-up)
    in place of the plateau halving and stopping (skae's private callbacks, swapped)."""
    warm_up = max(1, epochs // 20)

    def rate(epoch, _):
        if epoch < warm_up:
            return learning_rate * (epoch + 1) / warm_up
        progress = (epoch - warm_up) / max(1, epochs - warm_up)
        return learning_rate * 0.5 * (1 + math.cos(math.pi * progress))

    plateau = skae.training._rate_callbacks
    skae.training._rate_callbacks = lambda *_: [keras.callbacks.LearningRateScheduler(rate)]
    try:
        yield
    finally:
        skae.training._rate_callbacks = plateau


def curve(name: str, change: dict, X_fit, X_val, epoch_counts):
    """(epochs trained, fit seconds, validation MSE) of one fit per epoch count."""
    points = []
    for epochs in epoch_counts:
        reducer = AutoencoderReducer(N_COMPONENTS, epochs=epochs, random_state=0, **change)
        schedule = nullcontext()
        if name in COSINE:
            schedule = cosine_decay(epochs, change.get("learning_rate", 1e-3))
        start = time.perf_counter()
        with schedule:
            reducer.fit(X_fit)
        seconds = time.perf_counter() - start
        codes = reducer.transform(X_val)
        error = reconstruction_error(X_val, reducer.inverse_transform(codes))
        points.append((reducer.n_iter_, seconds, error))
    return reducer, points


COLUMNS = ["change", "epochs", "fit s", "plain Keras epochs", "validation MSE"]


# The report's columns: the fit times stay in the CSV (see the report's last line).
REPORTED = ["change", "epochs", "validation MSE"]


def write(rows: list[dict], command: str):
    write_csv("convergence_mnist", COLUMNS, rows)
    lines = [
        f"# Convergence of the dense network at {N_COMPONENTS} components "
        "(MNIST, validation split)",
        "",
        __doc__.split("\n\n")[1].replace("\n", " "),
        "",
        f"Made by `{command}` (last written {datetime.now():%Y-%m-%d %H:%M}).",
        "",
        *markdown_table(REPORTED, rows),
    ]
    lines += [
        "",
        "Fit seconds and their ratio to a plain Keras epoch are in convergence_mnist.csv, "
        "not here: other jobs may share this machine's cores during a run.",
    ]
    (RESULTS / "convergence_mnist.md").write_text("\n".join(lines) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--epochs", default="30,60", help="comma-separated counts")
    parser.add_argument("--changes", default=",".join(CHANGES), help="comma-separated")
    parser.add_argument(
        "--report-only", action="store_true", help="rewrite the report from the CSV"
    )
    args = parser.parse_args()
    command = "python benchmarks/convergence.py --data-dir ../shared/data/mnist"
    if args.report_only:
        write(read_csv("convergence_mnist"), command)
        return
    X_fit, X_val = validation_split(args.data_dir)
    names = args.changes.split(",")
    rows = [row for row in read_csv("convergence_mnist") if row["change"] not in names]
    for name in names:
        counts = [int(n) for n in args.epochs.split(",")]
        reducer, points = curve(name, CHANGES[name], X_fit, X_val, counts)
        keras_epoch_s = plain_keras_epoch_seconds(reducer.autoencoder_, X_fit)
        for done, seconds, error in points:
            values = [name, str(done), f"{seconds:.0f}", f"{seconds / keras_epoch_s:.0f}"]
            rows.append(dict(zip(COLUMNS, [*values, f"{error:.5f}"], strict=True)))
            print(name, done, f"{error:.5f}", f"{seconds:.0f} s", flush=True)
        write(rows, command)


if __name__ == "__main__":
    main()
