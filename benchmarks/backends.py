"""skae on each Keras backend, side by side in one run: fit and transform times.

Protocol: MNIST (--mnist-dir: the project's split of the test file, 8,000 training and
2,000 held-out images, pixels in [0, 1]) or, without it, digits scaled to [0, 1] (75/25
split). Each backend runs in its own fresh process (Keras picks its backend when first
imported), one after another, with the same data and the same ``random_state``:

- ``fit`` of the defaults at 36 components (the dense network) and at 2 components
  (dense, with the neighbour loss), and each fit's held-out MSE;
- ``transform`` of one row by the 2-D map's encoder: the median of 200 calls after one
  warm-up; and of 10,000 rows (the training rows, repeated if fewer): the median of 5
  calls after one warm-up. Dense encoders run as NumPy products on every backend
  (`skae.inference`), so these differ by the backend's threads only.

The machine is shared: fit times vary by some percent between runs, so compare the
backends within one run, not across runs.

Run: python benchmarks/backends.py [--mnist-dir ../shared/data/mnist] [--out DIR]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

BACKENDS = ("tensorflow", "jax", "torch")


def _median_seconds(call, repeats: int) -> float:
    call()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(mnist_dir: str | None) -> dict:
    """This process's backend: fit and transform times (run with KERAS_BACKEND set)."""
    import keras
    import numpy as np

    from skae import AutoencoderReducer
    from skae.datasets import load_comparison_data

    data = (
        load_comparison_data("mnist", data_dir=mnist_dir)
        if mnist_dir
        else load_comparison_data("digits")
    )
    X_train, X_test = data.X_train, data.X_test
    result = {"backend": keras.config.backend(), "n_train": len(X_train)}
    for n_components in (36, 2):
        reducer = AutoencoderReducer(n_components, random_state=0)
        start = time.perf_counter()
        reducer.fit(X_train)
        result[f"fit_{n_components}_s"] = time.perf_counter() - start
        result[f"mse_{n_components}"] = float(-reducer.score(X_test))
        result[f"epochs_{n_components}"] = int(reducer.n_iter_)
    many = np.resize(X_train, (10_000, X_train.shape[1]))
    one = X_test[:1]
    result["transform_1_ms"] = 1e3 * _median_seconds(lambda: reducer.transform(one), 200)
    result["transform_10000_ms"] = 1e3 * _median_seconds(lambda: reducer.transform(many), 5)
    return result


def _run_backend(backend: str, mnist_dir: str | None) -> dict:
    env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3"}
    command = [sys.executable, __file__, "--measure"]
    if mnist_dir:
        command += ["--mnist-dir", mnist_dir]
    output = subprocess.run(
        command, env=env, check=True, capture_output=True, text=True
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def _versions() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for package in ("keras", "tensorflow", "jax", "torch"):
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            found[package] = "not installed"
    return found


def report(rows: list[dict], data_name: str) -> str:
    versions = ", ".join(f"{name} {number}" for name, number in _versions().items())
    lines = [
        f"# skae on each Keras backend ({data_name})",
        "",
        "Written by `benchmarks/backends.py`: each backend in a fresh process, one after",
        f"another in one run, on {rows[0]['n_train']:,} training rows; MSE on the "
        "held-out rows. Defaults, `random_state=0`. Transforms: the 2-D map's encoder.",
        f"Versions: {versions}.",
        "",
        "| backend | fit, 36-d (s) | epochs | held-out MSE | fit, 2-D map (s) | epochs "
        "| held-out MSE | transform 1 row (ms) | transform 10,000 rows (ms) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        lines.append(
            f"| {row['backend']} | {row['fit_36_s']:.1f} | {row['epochs_36']} "
            f"| {row['mse_36']:.4f} | {row['fit_2_s']:.1f} | {row['epochs_2']} "
            f"| {row['mse_2']:.4f} | {row['transform_1_ms']:.2f} "
            f"| {row['transform_10000_ms']:.0f} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mnist-dir", default=None)
    parser.add_argument("--out", default=str(Path(__file__).parent / "results"))
    parser.add_argument("--backends", default=",".join(BACKENDS))
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--report-only", action="store_true", help="rewrite the report from the JSON"
    )
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.mnist_dir)))
        return
    name = "mnist" if args.mnist_dir else "digits"
    out = Path(args.out)
    if args.report_only:
        rows = json.loads((out / f"backends_{name}.json").read_text())
    else:
        rows = []
        for backend in args.backends.split(","):
            print(f"{backend} ...", flush=True)
            rows.append(_run_backend(backend, args.mnist_dir))
            print(json.dumps(rows[-1]), flush=True)
    out.mkdir(parents=True, exist_ok=True)
    text = report(rows, "MNIST" if args.mnist_dir else "digits")
    (out / f"backends_{name}.md").write_text(text)
    with open(out / f"backends_{name}.json", "w") as file:
        json.dump(rows, file, indent=2)
    print(text)


if __name__ == "__main__":
    main()
