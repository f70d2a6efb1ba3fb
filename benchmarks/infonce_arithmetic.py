"""InfoNCE's arithmetic: powers as exp of logs, and only the picked entries normalised.

`skae.layers.InfoNCENeighborLoss` scores each head of a batch against all of its 512
tails through UMAP's curve ``1 / (1 + a * d ** (2 * b))``, a 512 x 512 matrix a step.
It used to raise the squared distances to the power ``b`` with ``ops.power`` and to
subtract every row's normaliser from the whole matrix before taking its diagonal; it
now computes ``exp(b * log(d2))`` and subtracts the normalisers from the diagonal alone.
The values are the same; the former form is kept below as the baseline.

Two measurements on TensorFlow, in one process:

- the loss and its gradient alone, on 512 random code pairs in 2-D, timed over 300
  calls of a ``tf.function`` (after a first call that traces it);
- the default 2-D ``AutoencoderReducer`` (InfoNCE) fitted on the validation protocol's
  images 0-5,999 (../shared/data/README.md) and scored on images 6,000-7,999 (the last
  2,000 are never read), with the former and the current arithmetic in turns, seed r
  in round r for both: the median seconds of its epochs after the first, the fit's
  seconds, held-out MSE, trustworthiness (k=5) and 5-NN accuracy.

Run: python benchmarks/infonce_arithmetic.py --data-dir ../shared/data/mnist
(writes benchmarks/results/infonce_arithmetic.csv and .md)
"""

import argparse
import os
import statistics
import time
from unittest.mock import patch

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from keras import ops  # noqa: E402
from training_runs import (  # noqa: E402
    RESULTS,
    EpochTimer,
    labelled_validation_split,
    map_scores,
    markdown_table,
    seeds_cells,
    training_with,
    write_csv,
)

from skae import AutoencoderReducer  # noqa: E402
from skae.layers import InfoNCENeighborLoss  # noqa: E402
from skae.neighbors import curve_parameters  # noqa: E402

SCORES = ("loss_ms", "s_per_epoch", "fit_s", "mse", "trustworthiness", "knn_accuracy")
COLUMNS = ["arithmetic", *SCORES]
CURRENT = InfoNCENeighborLoss._cross_entropy


def former_cross_entropy(self, heads, tails):
    """InfoNCE as skae computed it before: ``ops.power``, the whole matrix normalised."""
    squared = (
        ops.sum(ops.square(heads), axis=1, keepdims=True)
        + ops.sum(ops.square(tails), axis=1)[None, :]
        - 2.0 * ops.matmul(heads, ops.transpose(tails))
    )
    squared = ops.maximum(squared, 1e-10)
    log_p = -ops.log1p(self.a * ops.power(squared, self.b))
    log_picked = log_p - ops.logsumexp(log_p, axis=1, keepdims=True)
    return -ops.mean(ops.diagonal(log_picked))


ARITHMETIC = {"former (power, whole matrix)": former_cross_entropy, "current": CURRENT}


def arithmetic(cross_entropy):
    """skae's InfoNCE term computing its loss with ``cross_entropy``."""
    return patch.object(InfoNCENeighborLoss, "_cross_entropy", cross_entropy)


def loss_milliseconds(cross_entropy, calls: int = 300) -> tuple[float, float]:
    """Milliseconds of one loss-and-gradient call on 512 pairs, and the loss's value."""
    term = InfoNCENeighborLoss(1.0, *curve_parameters(0.1))
    codes = tf.Variable(np.random.default_rng(0).normal(size=(1024, 2)).astype("float32"))

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            loss = cross_entropy(term, codes[:512], codes[512:])
        return loss, tape.gradient(loss, codes)

    value = float(step()[0])
    start = time.perf_counter()
    for _ in range(calls):
        step()
    return (time.perf_counter() - start) / calls * 1e3, value


def fit_scores(split, seed: int) -> dict:
    timer = EpochTimer()
    with training_with(timer):
        scores = map_scores(AutoencoderReducer(2, random_state=seed), *split)
    return {**scores, "s_per_epoch": timer.steady()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", required=True, help="MNIST's folder")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    split = labelled_validation_split(args.data_dir)
    runs = {name: [] for name in ARITHMETIC}
    values = {}
    for seed in range(args.rounds):
        for name, cross_entropy in ARITHMETIC.items():
            milliseconds, values[name] = loss_milliseconds(cross_entropy)
            with arithmetic(cross_entropy):
                runs[name].append({"loss_ms": milliseconds, **fit_scores(split, seed)})
            print(name, seed, runs[name][-1], flush=True)
    rows = [
        {"arithmetic": name, **seeds_cells(runs[name], SCORES, "median")}
        for name in ARITHMETIC
    ]
    write_csv("infonce_arithmetic", COLUMNS, rows)
    former, current = runs.values()
    ratios = [
        new["s_per_epoch"] / old["s_per_epoch"]
        for old, new in zip(former, current, strict=True)
    ]
    lines = [
        "InfoNCE's loss with the former arithmetic (``ops.power``, every row's "
        "normaliser subtracted from the whole matrix) and the current one (exp of "
        "logs, normalisers subtracted from the diagonal), on TensorFlow in one "
        f"process, {args.rounds} rounds. loss_ms: the loss and its gradient on 512 "
        "random 2-D pairs, a call of a tf.function, mean of 300 calls. The fits: the "
        "default 2-D map on MNIST images 0-5,999, scored on validation images "
        "6,000-7,999, seed r in round r; s_per_epoch is the median over a fit's "
        "epochs after the first.",
        "",
        *markdown_table(COLUMNS, rows),
        "",
        "The loss's value on the same pairs: "
        + ", ".join(f"{name} {value:.6f}" for name, value in values.items())
        + ". Seconds per epoch, current over former, paired by round: "
        + " / ".join(f"{ratio:.2f}" for ratio in ratios)
        + f" (median {statistics.median(ratios):.2f}).",
    ]
    (RESULTS / "infonce_arithmetic.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
