"""Seconds a fit spends deleting its tf.data pipeline, with and without autotuning (12/).

skae feeds TensorFlow's ``Model.fit`` from a ``tf.data`` pipeline (`skae.tf_batches`).
With tf.data's autotuning on (TensorFlow's default), deleting the pipeline's iterator,
when ``fit`` returns, waited inside TensorFlow for the tuner's thread: a stack sample
taken then showed ``RootDataset::Iterator``'s destructor waiting on a thread of its
pool. This fits the default dense network at 36 components and the default 2-D map
(InfoNCE) on the validation protocol's 6,000 fitted MNIST images (../shared/data/README.md;
images 6,000-7,999 score them, the last 2,000 are never read), alternating the pipeline
with autotuning (its options swapped back in) and without (skae's), --rounds rounds in
one process. Per fit it records the seconds from the end of the last epoch (Keras'
``on_train_end``) to the return of skae's training call, which is Keras deleting what
the fit made, the whole fit's seconds, the mean seconds per epoch and the validation MSE.

Run: python benchmarks/pipeline_autotune.py --data-dir ../shared/data/mnist
(writes benchmarks/results/pipeline_autotune.csv and .md)
"""

import argparse
import os
import statistics
import time
from contextlib import nullcontext
from unittest.mock import patch

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
from training_runs import (  # noqa: E402
    RESULTS,
    EpochTimer,
    held_out_error,
    markdown_table,
    training_with,
    validation_split,
    write_csv,
)

import skae.tf_batches  # noqa: E402
import skae.training  # noqa: E402
from skae import AutoencoderReducer  # noqa: E402

NETWORKS = {"dense, 36 components": {"n_components": 36}, "2-D map (InfoNCE)": {}}
PIPELINES = ("autotuned (TensorFlow's default)", "not autotuned (skae's)")
COLUMNS = ["network", "pipeline", "end of fit s", "fit s", "s / epoch", "validation MSE"]
FORMATS = {
    "end of fit s": "{:.1f}",
    "fit s": "{:.1f}",
    "s / epoch": "{:.3f}",
    "validation MSE": "{:.5f}",
}


class TrainingEnd(keras.callbacks.Callback):
    """When the last epoch ended."""

    def on_train_end(self, logs=None):
        self.at = time.perf_counter()


def autotuned():
    """skae's pipelines with tf.data's autotuning back on (its private options, wrapped)."""
    options = skae.tf_batches._pipeline_options

    def autotuned_options():
        tuned = options()
        tuned.autotune.enabled = True
        return tuned

    return patch.object(skae.tf_batches, "_pipeline_options", autotuned_options)


def training_returns(times: list):
    """Record when each of skae's training calls returns (its function, wrapped)."""
    train = skae.training.train

    def timed_train(*args, **kwargs):
        try:
            return train(*args, **kwargs)
        finally:
            times.append(time.perf_counter())

    return patch.object(skae.training, "train", timed_train)


def one_fit(params, pipeline, X_fit, X_val):
    end, timer, returns = TrainingEnd(), EpochTimer(), []
    tuning = autotuned() if pipeline == PIPELINES[0] else nullcontext()
    reducer = AutoencoderReducer(random_state=0, **{"n_components": 2, **params})
    with tuning, training_with(end), training_with(timer), training_returns(returns):
        start = time.perf_counter()
        reducer.fit(X_fit)
        seconds = time.perf_counter() - start
    return {
        "end of fit s": returns[-1] - end.at,
        "fit s": seconds,
        "s / epoch": statistics.mean(timer.seconds),
        "validation MSE": held_out_error(reducer, X_val),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", required=True, help="MNIST's folder")
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()
    X_fit, X_val = validation_split(args.data_dir)
    fits = {(network, pipeline): [] for network in NETWORKS for pipeline in PIPELINES}
    for _ in range(args.rounds):
        for network, params in NETWORKS.items():
            for pipeline in PIPELINES:
                fit = one_fit(params, pipeline, X_fit, X_val)
                print(network, pipeline, fit, flush=True)
                fits[network, pipeline].append(fit)
    rows = [
        {
            "network": network,
            "pipeline": pipeline,
            **{
                column: " / ".join(FORMATS[column].format(fit[column]) for fit in runs)
                for column in COLUMNS[2:]
            },
        }
        for (network, pipeline), runs in fits.items()
    ]
    write_csv("pipeline_autotune", COLUMNS, rows)
    lines = [
        f"Default fits on MNIST's 6,000 validation-fit images, {args.rounds} rounds "
        "(cells: round 1 / round 2 / ...), the two pipelines alternating in one process. "
        "End of fit: seconds from the last epoch's end to the return of skae's "
        "training call.",
        "",
        *markdown_table(COLUMNS, rows),
    ]
    (RESULTS / "pipeline_autotune.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
