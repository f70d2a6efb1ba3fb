"""Training runs under `tf.distribute` strategies, each in a fresh process.

A strategy's devices must be set up before TensorFlow starts, so tests/test_scale.py
runs this script in subprocesses:

``python strategy_runs.py mirrored OUT``
    Two logical CPU devices; trains the same reducer on one device and under a
    `MirroredStrategy` over both, continues training under it, lets a continuation
    diverge, and writes a JSON report and the mirrored reducer (saved, pickled, its
    codes) to the folder OUT.
``python strategy_runs.py worker OUT``
    One `MultiWorkerMirroredStrategy` worker (``TF_CONFIG`` set by the caller); the
    chief (worker 0) saves the reducer to OUT. Prints a JSON report.
"""

import json
import os
import pickle
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402

# Small and quick, yet enough epochs for the held-out error to mean something.
PARAMS = dict(n_components=8, hidden_layer_sizes=(32,), batch_size=64, random_state=0)


def digits_split():
    """The split of tests/conftest.py: 1,400 training rows, the rest held out."""
    X = load_digits().data / 16.0
    order = np.random.RandomState(0).permutation(len(X))
    return X[order[:1400]], X[order[1400:]]


def held_out_error(reducer, X_test) -> float:
    return float(
        np.mean((X_test - reducer.inverse_transform(reducer.transform(X_test))) ** 2)
    )


def _state(reducer) -> list:
    """The networks' weights and the optimizer's variables."""
    optimizer = reducer.autoencoder_.optimizer
    return reducer.autoencoder_.get_weights() + [v.numpy() for v in optimizer.variables]


def mirrored(out: Path) -> dict:
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(
        cpu, [tf.config.LogicalDeviceConfiguration()] * 2
    )
    from skae import AutoencoderReducer, TrainingDivergedError

    X_train, X_test = digits_split()
    single = AutoencoderReducer(epochs=10, **PARAMS).fit(X_train)
    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    with strategy.scope():
        reducer = AutoencoderReducer(epochs=10, **PARAMS).fit(X_train)
    report = {
        "replicas": strategy.num_replicas_in_sync,
        "variable_type": type(reducer.autoencoder_.weights[0].value).__name__,
        "single_error": held_out_error(single, X_test),
        "mirrored_error": held_out_error(reducer, X_test),
    }
    reducer.save(out / "mirrored.skae")
    (out / "mirrored.pkl").write_bytes(pickle.dumps(reducer))
    np.save(out / "codes.npy", reducer.transform(X_test))

    # Schedules along lines (conv codes' rise and fall) train under the strategy too:
    # they take the rate from the spec, as a mirrored variable has no float().
    with strategy.scope():
        conv = AutoencoderReducer(
            4, architecture="conv", conv_filters=(4,), epochs=2, random_state=0
        ).fit(X_train)
    report["conv_schedule"] = conv.spec_.learning_rate_schedule
    report["conv_rates"] = conv.history_["learning_rate"]

    # Continued training runs under the strategy, inside its scope or outside any.
    with strategy.scope():
        reducer.partial_fit(X_train)
    reducer.partial_fit(X_train)
    report["n_iter_continued"] = reducer.n_iter_

    # A continuation that diverges leaves the mirrored networks and their optimizer
    # state as they were (raw data: a linear output, whose loss can overflow). Seeded, so
    # every run is the same: CI once drew an unseeded start whose one epoch at this
    # rate ended on a huge but finite loss.
    raw = np.random.RandomState(0).rand(64, 16) * 1e3 - 500
    with strategy.scope():
        diverging = AutoencoderReducer(
            hidden_layer_sizes=(4,),
            optimizer="sgd",
            epochs=1,
            batch_size=32,
            random_state=0,
        ).fit(raw)
        state, codes = _state(diverging), diverging.transform(raw)
        try:
            diverging.set_params(learning_rate=1e12).partial_fit(raw)
        except TrainingDivergedError:
            report["diverged"] = True
    report["n_iter_after_divergence"] = diverging.n_iter_
    report["state_kept"] = all(
        np.array_equal(before, after)
        for before, after in zip(state, _state(diverging), strict=True)
    ) and bool(np.array_equal(diverging.transform(raw), codes))
    return report


def worker(out: Path) -> dict:
    strategy = tf.distribute.MultiWorkerMirroredStrategy()
    from skae import AutoencoderReducer

    X_train, _ = digits_split()
    reducer = AutoencoderReducer(epochs=3, early_stopping=True, **PARAMS)
    # Three epochs at a higher rate learn enough to stand well apart from the mean row.
    reducer.set_params(learning_rate=1e-2)
    with strategy.scope():
        reducer.fit(X_train)
    task = json.loads(os.environ["TF_CONFIG"])["task"]
    if task["index"] == 0:  # only the chief saves
        reducer.save(out / "chief.skae")
    return {
        "index": task["index"],
        "replicas": strategy.num_replicas_in_sync,
        "loss": reducer.history_["loss"],
        "val_loss": reducer.history_["val_loss"],
    }


if __name__ == "__main__":
    run, folder = sys.argv[1], Path(sys.argv[2])
    print(json.dumps({"mirrored": mirrored, "worker": worker}[run](folder)))
