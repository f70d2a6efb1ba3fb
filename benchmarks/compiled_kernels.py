"""What keeping umap-learn's compiled kernels on disk saves each new process.

Protocol: each round gives numba a new, empty cache folder (``NUMBA_CACHE_DIR``), fills
it with the kernels umap-learn and pynndescent cache themselves (one uncounted process,
as their installed copies hold them), then runs three new Python processes in turn on
the digits (1,797 rows of 64 pixels, scaled to [0, 1]). Each builds the neighbour graph
that ``neighbor_loss="umap"`` trains on (`skae.neighbors.neighbor_graph`, 15
neighbours), then fits ``umap.UMAP(random_state=0, n_jobs=1)``, timing each:

- kernels not kept: `skae.compiled_kernels` turned off, as skae was before it;
- first process: kept, none of them in the cache yet (a new install's first run);
- later process: kept, the first process having cached them.

The table gives the median over rounds of each time and of the whole process.

Run: python benchmarks/compiled_kernels.py [--rounds 3] [--out DIR]
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MODES = ("kernels not kept", "first process", "later process")
FIGURES = ("graph_s", "umap_fit_s", "process_s")


def child(keep: bool) -> dict:
    """The timings of one process; prints them as JSON for the parent."""
    import numpy as np
    from sklearn.datasets import load_digits

    import skae.backends

    if not keep:
        skae.backends.keep_umap_compiled = lambda umap: None
    from skae.neighbors import neighbor_graph

    rows = (load_digits().data / 16.0).astype(np.float32)
    umap = skae.backends.import_umap()
    start = time.perf_counter()
    neighbor_graph(rows, n_neighbors=15, min_dist=0.1, seed=0)
    graph_s = time.perf_counter() - start
    start = time.perf_counter()
    umap.UMAP(random_state=0, n_jobs=1).fit(rows)
    return {"graph_s": graph_s, "umap_fit_s": time.perf_counter() - start}


def run_process(mode: str, cache_dir: str) -> dict:
    flag = "--not-kept" if mode == "kernels not kept" else "--kept"
    env = {**os.environ, "NUMBA_CACHE_DIR": cache_dir, "TF_CPP_MIN_LOG_LEVEL": "2"}
    start = time.perf_counter()
    finished = subprocess.run(
        [sys.executable, __file__, "--child", flag],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    process_s = time.perf_counter() - start
    return {**json.loads(finished.stdout.splitlines()[-1]), "process_s": process_s}


def measure(rounds: int) -> dict[str, list[dict]]:
    runs = {mode: [] for mode in MODES}
    for _ in range(rounds):
        with tempfile.TemporaryDirectory() as cache_dir:
            # Uncounted: fills the folder with what umap-learn and pynndescent cache
            # themselves, as their installed copies have, so only skae's part differs.
            run_process(MODES[0], cache_dir)
            for mode in MODES:
                runs[mode].append(run_process(mode, cache_dir))
    return runs


def report(runs: dict[str, list[dict]]) -> str:
    rounds = len(runs[MODES[0]])
    lines = [
        "# umap-learn's compiled kernels, kept on disk",
        "",
        f"Each new process on the digits (1,797 x 64), median of {rounds} rounds, each "
        "round with a new empty numba cache folder. Made by "
        "`python benchmarks/compiled_kernels.py`. Measured on "
        f"{platform.machine()} with {os.cpu_count()} CPU cores, Python "
        f"{platform.python_version()}, {_versions()}.",
        "",
        "| process | neighbour graph s | UMAP fit s | whole process s |",
        "| --- | ---: | ---: | ---: |",
    ]
    for mode in MODES:
        medians = [statistics.median(run[f] for run in runs[mode]) for f in FIGURES]
        lines.append(f"| {mode} | " + " | ".join(f"{m:.2f}" for m in medians) + " |")
    return "\n".join(lines) + "\n"


def _versions() -> str:
    from importlib.metadata import version

    return ", ".join(f"{name} {version(name)}" for name in ("umap-learn", "numba"))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--not-kept", dest="keep", action="store_false")
    parser.add_argument("--kept", dest="keep", action="store_true")
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.keep)))
        return
    runs = measure(args.rounds)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "compiled_kernels.json").write_text(json.dumps(runs, indent=2) + "\n")
    (args.out / "compiled_kernels.md").write_text(report(runs))
    print(report(runs))


if __name__ == "__main__":
    main()
