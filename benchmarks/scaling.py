"""Scaling with rows: training on one device or two replicas, transform on Dask workers.

Protocol: synthetic float32 rows with 64 features, 8 latent Gaussian factors through a
fixed random tanh map plus Gaussian noise (std 0.05), seeded. Sizes 1,000, 10,000 and
100,000 rows; --max-rows 1000000 adds 1,000,000. The reducer: 8 components, hidden
layers (256, 128, 64), batch_size 128, random_state=0, other parameters at their
defaults. Every measurement runs in a fresh Python process, so that sizes and set-ups
do not share memory or TensorFlow state.

Training, per size and set-up: "one device" is TensorFlow's default CPU device; "2
replicas" splits the CPU into two logical devices (set before TensorFlow starts) and
fits inside the scope of a MirroredStrategy over them, each replica taking half of
every batch; both devices share the same cores. The process fits E epochs (building
the network and tracing the training step), then continues for E more with warm_start;
seconds per epoch are those of the continuation. E is --epochs, raised for small sizes
to make at least 100 steps, so that a timed run takes the traced training step a full
fit takes (skae runs very short fits eagerly) and lasts long enough to time. Peak
memory is the process's peak resident set (`ru_maxrss`) at the end: the Python and
TensorFlow runtime, the rows, and training.

Transform throughput, per size: each process fits the reducer for one epoch on 10,000
rows (seeded, so every process gets the same weights), then times encoding the rows:
the median of --repeats calls (more if they take less than a second in all) after one
warm-up call. One process: `reducer.transform(X)` on the rows in memory. Dask: a
`LocalCluster` of 1 or 2 worker processes with one thread each (Dask starts workers
with one BLAS thread, so a worker computes on one core); the rows are generated on the
workers in blocks of min(100,000, rows / 4) rows and kept there (`persist`), then
`ParallelPostFit(reducer).transform(blocks).compute()` is timed, which ships the
reducer to the workers and brings the codes back. Rows per second = rows / median
seconds.

Run: python benchmarks/scaling.py [--max-rows 1000000] [--epochs 1] [--repeats 3]
[--out DIR]
"""

import argparse
import importlib
import json
import math
import os
import statistics
import subprocess
import sys
import time
from contextlib import nullcontext
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

N_FEATURES = 64
N_LATENT = 8
SIZES = (1_000, 10_000, 100_000, 1_000_000)
REDUCER = dict(n_components=8, hidden_layer_sizes=(256, 128, 64), batch_size=128)
TRANSFORM_FIT_ROWS = 10_000
MIN_TIMED_STEPS = 100


def synthetic_rows(n_rows: int, seed: int = 0):
    """Rows near an 8-dimensional manifold in 64 features (the same map for any seed)."""
    import numpy as np

    mixing = np.random.RandomState(12345).standard_normal((N_LATENT, N_FEATURES))
    draws = np.random.RandomState(seed)
    factors = draws.standard_normal((n_rows, N_LATENT))
    rows = np.tanh(factors @ mixing / np.sqrt(N_LATENT))
    rows += 0.05 * draws.standard_normal((n_rows, N_FEATURES))
    return rows.astype(np.float32)


def _peak_megabytes() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _two_replica_strategy():
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(
        cpu, [tf.config.LogicalDeviceConfiguration()] * 2
    )
    return tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])


def train_run(n_rows: int, replicas: int, epochs: int) -> dict:
    """Seconds per epoch and peak memory of fitting on ``n_rows`` rows (in a child)."""
    strategy = _two_replica_strategy() if replicas == 2 else None
    from skae import AutoencoderReducer

    X = synthetic_rows(n_rows)
    steps_per_epoch = math.ceil(n_rows / REDUCER["batch_size"])
    epochs = max(epochs, math.ceil(MIN_TIMED_STEPS / steps_per_epoch))
    reducer = AutoencoderReducer(**REDUCER, epochs=epochs, warm_start=True, random_state=0)
    with strategy.scope() if strategy else nullcontext():
        reducer.fit(X)  # builds the network and traces the training step
        reducer.epochs = 2 * epochs
        start = time.perf_counter()
        reducer.fit(X)
        seconds = time.perf_counter() - start
    return {
        "seconds_per_epoch": seconds / epochs,
        "epochs": epochs,
        "peak_mb": _peak_megabytes(),
    }


def _rows_per_second(encode, rows, n_rows: int, repeats: int) -> float:
    """``n_rows`` over the median seconds of ``encode(rows)``, after a warm-up call.

    At least ``repeats`` calls, and more until they add up to a second: one call on
    small inputs takes a millisecond, too short to time once on a shared machine.
    """
    encode(rows)
    times = []
    while len(times) < repeats or sum(times) < 1.0:
        start = time.perf_counter()
        encode(rows)
        times.append(time.perf_counter() - start)
    return n_rows / statistics.median(times)


def _fitted_reducer():
    from skae import AutoencoderReducer

    reducer = AutoencoderReducer(**REDUCER, epochs=1, random_state=0)
    return reducer.fit(synthetic_rows(TRANSFORM_FIT_ROWS, seed=1))


def _block_rows(n_rows: int) -> int:
    return min(100_000, -(-n_rows // 4))


def _dask_blocks(n_rows: int):
    """Rows generated block by block on the workers, as a Dask array."""
    import dask
    import dask.array as da
    import numpy as np

    step = _block_rows(n_rows)
    blocks = [
        da.from_delayed(
            dask.delayed(synthetic_rows)(min(step, n_rows - start), seed=start),
            shape=(min(step, n_rows - start), N_FEATURES),
            dtype=np.float32,
        )
        for start in range(0, n_rows, step)
    ]
    return da.concatenate(blocks)


def transform_run(sizes: list[int], n_workers: int, repeats: int) -> dict:
    """Rows per second of transform for each size (in a child); 0 workers: no Dask."""
    reducer = _fitted_reducer()
    rates = {}
    if n_workers == 0:
        for n_rows in sizes:
            rates[str(n_rows)] = _rows_per_second(
                reducer.transform, synthetic_rows(n_rows), n_rows, repeats
            )
        return rates
    import logging

    from dask.distributed import Client, LocalCluster, wait
    from dask_ml.wrappers import ParallelPostFit

    parallel = ParallelPostFit(reducer)

    def encode(blocks):
        return parallel.transform(blocks).compute()

    with (
        LocalCluster(
            n_workers=n_workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster) as client,
    ):
        # Import TensorFlow on the workers before anything is timed.
        client.run(importlib.import_module, "skae.persistence")
        for n_rows in sizes:
            blocks = _dask_blocks(n_rows).persist()
            wait(blocks)
            rates[str(n_rows)] = _rows_per_second(encode, blocks, n_rows, repeats)
            del blocks  # frees the workers' memory for the next size
    return rates


CHILD_RUNS = {"train": train_run, "transform": transform_run}


def in_child(kind: str, **params) -> dict:
    """Run ``CHILD_RUNS[kind](**params)`` in a fresh interpreter; its error, if any."""
    command = [sys.executable, __file__, "--child", json.dumps([kind, params])]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        last_line = (done.stderr.strip().splitlines() or ["exit status"])[-1]
        print(f"{kind} {params} failed: {last_line}", file=sys.stderr)
        return {"error": last_line}
    return json.loads(done.stdout.strip().splitlines()[-1])


def _cell(result: dict, key: str, digits: int) -> str:
    return "failed" if "error" in result else f"{result[key]:,.{digits}f}"


def training_table(sizes, epochs: int) -> list[str]:
    lines = [
        "| rows | timed epochs | one device s/epoch | 2 replicas s/epoch "
        "| one device peak MB | 2 replicas peak MB |",
        "| ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for n_rows in sizes:
        one, two = (
            in_child("train", n_rows=n_rows, replicas=replicas, epochs=epochs)
            for replicas in (1, 2)
        )
        cells = [
            _cell(one, "seconds_per_epoch", 2),
            _cell(two, "seconds_per_epoch", 2),
            _cell(one, "peak_mb", 0),
            _cell(two, "peak_mb", 0),
        ]
        timed = one.get("epochs", two.get("epochs", "-"))
        lines.append(f"| {n_rows:,} | {timed} | " + " | ".join(cells) + " |")
    return lines


def transform_table(sizes, repeats: int) -> list[str]:
    runs = [
        in_child("transform", sizes=list(sizes), n_workers=n_workers, repeats=repeats)
        for n_workers in (0, 1, 2)
    ]
    lines = [
        "| rows | blocks | one process rows/s | Dask, 1 worker rows/s "
        "| Dask, 2 workers rows/s |",
        "| ---: | ---: | ---: | ---: | ---: |",
    ]
    for n_rows in sizes:
        cells = [_cell(run, str(n_rows), 0) for run in runs]
        blocks = -(-n_rows // _block_rows(n_rows))
        lines.append(f"| {n_rows:,} | {blocks} | " + " | ".join(cells) + " |")
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-rows", type=int, default=100_000)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", default=str(Path(__file__).parent / "results"))
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, params = json.loads(args.child)
        print(json.dumps(CHILD_RUNS[kind](**params)))
        return

    sizes = [n_rows for n_rows in SIZES if n_rows <= args.max_rows]
    command = " ".join(["python", "benchmarks/scaling.py", *sys.argv[1:]])
    load_before = os.getloadavg()[0]
    start = time.perf_counter()
    lines = [
        f"# scaling on synthetic rows ({N_FEATURES} features, "
        f"{REDUCER['n_components']} components)",
        "",
        "## Training: one device against 2 replicas (MirroredStrategy)",
        "",
        *training_table(sizes, args.epochs),
        "",
        "## Transform throughput",
        "",
        *transform_table(sizes, args.repeats),
        "",
        f"Made by `{command}` in {time.perf_counter() - start:.0f} s on {os.cpu_count()} "
        f"CPU cores, whose 1-minute load average was {load_before:.1f} when it started "
        "(0 on an idle machine: more means other jobs shared the cores).",
    ]
    table = "\n".join(lines)
    print(table)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "scaling.md").write_text(table + "\n")


if __name__ == "__main__":
    main()
