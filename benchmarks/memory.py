"""Memory of training on and encoding rows that live on disk: a memmap, read in batches.

Protocol: a float32 memmap of uniform rows (200,000 x 256, 205 MB, written to a
temporary folder 2,000 rows at a time). ``AutoencoderReducer(n_components=2,
hidden_layer_sizes=(8,), epochs=1, batch_size=4096, early_stopping=True,
neighbor_loss=None, random_state=0)`` is fitted once on the first 5,000 rows to start
TensorFlow, then ``fit``, ``partial_fit`` and ``transform`` run on the whole memmap.
Each step's peak of Python's allocations (``tracemalloc``) is recorded, and the growth
of the process's anonymous resident memory (``RssAnon``: TensorFlow's own allocations
included, the file's cached pages not) over the three. Then ``transform`` streams
1,000,000 x 64 float32 rows held in memory, through a reducer fitted on 10,000 of them,
and its traced peak is recorded beside the input's and the output's sizes.
tests/test_scale.py and tests/test_robustness.py assert bounds on the same quantities.

Run: python benchmarks/memory.py (writes benchmarks/results/memory.md; about a minute)
"""

import os
import tempfile
import tracemalloc
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
from training_runs import RESULTS, markdown_table  # noqa: E402

from skae import AutoencoderReducer  # noqa: E402

MEMMAP_SHAPE = (200_000, 256)
STREAMED_SHAPE = (1_000_000, 64)
MB = 1e6


def anonymous_resident_bytes() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("RssAnon:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no RssAnon in /proc/self/status")


def random_memmap(path: Path, shape) -> np.memmap:
    X = np.lib.format.open_memmap(path, mode="w+", dtype=np.float32, shape=shape)
    rng = np.random.default_rng(0)
    for start in range(0, shape[0], 2_000):
        stop = min(start + 2_000, shape[0])
        X[start:stop] = rng.random((stop - start, shape[1]), dtype=np.float32)
    X.flush()
    del X
    return np.load(path, mmap_mode="r")


def traced_peak(step) -> float:
    """Python's peak allocations in MB while ``step()`` runs."""
    tracemalloc.start()
    try:
        step()
        return tracemalloc.get_traced_memory()[1] / MB
    finally:
        tracemalloc.stop()


def memmap_rows(folder: Path) -> list[dict]:
    X = random_memmap(folder / "rows.npy", MEMMAP_SHAPE)
    reducer = AutoencoderReducer(
        n_components=2,
        hidden_layer_sizes=(8,),
        epochs=1,
        batch_size=4096,
        early_stopping=True,
        neighbor_loss=None,
        random_state=0,
    )
    reducer.fit(X[:5000])  # TensorFlow starts outside the measurement
    before = anonymous_resident_bytes()
    peaks = {
        "fit": traced_peak(lambda: reducer.fit(X)),
        "partial_fit": traced_peak(lambda: reducer.partial_fit(X)),
        "transform": traced_peak(lambda: reducer.transform(X)),
    }
    growth = (anonymous_resident_bytes() - before) / MB
    size = f"{X.nbytes / MB:.0f} MB memmap"
    rows = [
        {"rows": size, "measure": f"`{step}`: peak Python allocations", "MB": f"{peak:.1f}"}
        for step, peak in peaks.items()
    ]
    rows.append(
        {
            "rows": size,
            "measure": "all three: anonymous memory growth",
            "MB": f"{growth:.0f}",
        }
    )
    return rows


def streamed_rows() -> list[dict]:
    X = np.random.default_rng(0).random(STREAMED_SHAPE, dtype=np.float32)
    reducer = AutoencoderReducer(
        n_components=2, hidden_layer_sizes=(8,), epochs=1, random_state=0
    ).fit(X[:10_000])
    reducer.transform(X[:10])  # warm-up outside the measurement
    peak = traced_peak(lambda: reducer.transform(X))
    size = f"{X.nbytes / MB:.0f} MB in memory, {STREAMED_SHAPE[0] * 2 * 4 / MB:.0f} MB out"
    return [
        {
            "rows": size,
            "measure": "`transform`: peak Python allocations",
            "MB": f"{peak:.1f}",
        }
    ]


def main():
    with tempfile.TemporaryDirectory() as folder:
        rows = memmap_rows(Path(folder))
    rows += streamed_rows()
    header = (
        "# Memory of fitting and encoding rows read in batches\n\n"
        "Made by `python benchmarks/memory.py`; protocol in its docstring.\n\n"
    )
    table = markdown_table(list(rows[0]), rows)
    (RESULTS / "memory.md").write_text(header + "\n".join(table) + "\n")
    print("\n".join(table))


if __name__ == "__main__":
    main()
