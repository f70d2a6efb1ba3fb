"""Seconds per epoch of the default dense network, one execution setting at a time (12/).

Protocol (../shared/data/README.md): the MNIST test file scaled to [0, 1]; of its first
8,000 images (the training rows), images 0-5,999 are fitted and images 6,000-7,999 are
the validation rows; the last 2,000, held out for reporting, are not used.
`AutoencoderReducer(36, random_state=0)` is fitted for --epochs epochs under each
setting, every epoch timed by a Keras callback; an epoch's seconds are the median over
the epochs after the first (which traces the step). Settings that are not parameters of
skae are applied around its own compile and training: one step a call of the compiled
function (Keras' default; skae runs a whole epoch a call on TensorFlow where it can),
``jit_compile=True`` (XLA) and the ``mixed_bfloat16`` policy (bfloat16 arithmetic,
float32 weights; this CPU reports AVX512_BF16). The validation MSE after those epochs
tells whether a setting changes what is learned, not only how fast. The settings are
fitted in turn, --repeats rounds; the table gives each one's median over the rounds.

The yardstick is the machine's: a plain Keras fit of the same network
(``keras.models.clone_model`` of the default fit, Adam 1e-3, batch 128, MSE) on the same
rows, timed the same way right after each setting's fit, so both see the same load.
Writes epoch_overhead_mnist_<backend>.md and .csv under benchmarks/results/ (run
with KERAS_BACKEND=jax or torch for the other backends).

Run: python benchmarks/epoch_overhead.py --data-dir ../shared/data/mnist
"""

import argparse
import os
import statistics
from contextlib import contextmanager
from datetime import datetime

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
from training_runs import (  # noqa: E402
    RESULTS,
    EpochTimer,
    markdown_table,
    plain_keras_epoch_seconds,
    training_with,
    validation_split,
    write_csv,
)

import skae.training  # noqa: E402
from skae import AutoencoderReducer  # noqa: E402
from skae.backends import backend  # noqa: E402
from skae.metrics import reconstruction_error  # noqa: E402

N_COMPONENTS = 36
# Each applied alone to the defaults: keyword arguments added to skae's Model.compile,
# the layers' dtype policy, and whether one call of the compiled function runs one step
# (Keras' default) instead of skae's whole epoch (`skae.training._steps_per_execution`).
SETTINGS = {
    "defaults (an epoch a call)": ({}, "float32", False),
    "a step a call": ({}, "float32", True),
    "jit_compile=True": ({"jit_compile": True}, "float32", False),
    "mixed_bfloat16": ({}, "mixed_bfloat16", False),
}


@contextmanager
def compiled_with(extra: dict, policy: str, step_a_call: bool):
    """Every ``Model.compile`` given ``extra`` keyword arguments, layers in ``policy``,
    and with ``step_a_call`` skae's training one step a call of the compiled function."""
    compile_ = keras.Model.compile
    steps_per_execution = skae.training._steps_per_execution
    previous_policy = keras.mixed_precision.dtype_policy().name

    def compile_with_extra(model, *args, **kwargs):
        return compile_(model, *args, **{**kwargs, **extra})

    keras.Model.compile = compile_with_extra
    if step_a_call:
        skae.training._steps_per_execution = lambda *_: 1
    keras.mixed_precision.set_dtype_policy(policy)
    try:
        yield
    finally:
        keras.Model.compile = compile_
        skae.training._steps_per_execution = steps_per_execution
        keras.mixed_precision.set_dtype_policy(previous_policy)


def skae_epochs(setting: tuple, X_fit, X_val, epochs: int):
    """(seconds per epoch, validation MSE, fitted reducer) of one fit."""
    timer = EpochTimer()
    reducer = AutoencoderReducer(N_COMPONENTS, epochs=epochs, random_state=0)
    with compiled_with(*setting), training_with(timer):
        reducer.fit(X_fit)
    error = reconstruction_error(X_val, reducer.inverse_transform(reducer.transform(X_val)))
    return timer.steady(), error, reducer


COLUMNS = ["setting", "s / epoch", "plain Keras s / epoch", "ratio", "validation MSE"]


def write(rows: list[dict], command: str, epochs: int, repeats: int):
    write_csv(f"epoch_overhead_mnist_{backend()}", COLUMNS, rows)
    lines = [
        f"# Seconds per epoch of the dense network at {N_COMPONENTS} components "
        f"(MNIST, {backend()})",
        "",
        " ".join(__doc__.split("\n\n")[1:3]).replace("\n", " "),
        "",
        f"Made by `{command}` ({epochs} epochs a fit, {repeats} rounds; written "
        f"{datetime.now():%Y-%m-%d %H:%M}). The ratio is skae's seconds per epoch over "
        "the plain Keras fit's timed beside it.",
        "",
        *markdown_table(COLUMNS, rows),
    ]
    (RESULTS / f"epoch_overhead_mnist_{backend()}.md").write_text("\n".join(lines) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    X_fit, X_val = validation_split(args.data_dir)
    timings = {name: ([], []) for name in SETTINGS}
    errors, default = {}, None
    for _ in range(args.repeats):
        for name, setting in SETTINGS.items():
            seconds, errors[name], reducer = skae_epochs(setting, X_fit, X_val, args.epochs)
            default = default or reducer  # the yardstick is always the default network
            keras_s = plain_keras_epoch_seconds(default.autoencoder_, X_fit, args.epochs)
            timings[name][0].append(seconds)
            timings[name][1].append(keras_s)
            print(name, f"{seconds:.3f}", f"{keras_s:.3f}", errors[name], flush=True)
    rows = []
    for name, (skae_s, keras_s) in timings.items():
        skae_s, keras_s = statistics.median(skae_s), statistics.median(keras_s)
        values = [f"{skae_s:.3f}", f"{keras_s:.3f}", f"{skae_s / keras_s:.2f}"]
        rows.append(dict(zip(COLUMNS, [name, *values, f"{errors[name]:.5f}"], strict=True)))
    command = "python benchmarks/epoch_overhead.py --data-dir ../shared/data/mnist"
    write(rows, command, args.epochs, args.repeats)


if __name__ == "__main__":
    main()
