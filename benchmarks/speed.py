"""Speed of skae's transform against the Keras calls it replaces.

Protocol: digits scaled to [0, 1] (or MNIST with --mnist-dir: train on the first 8,000
images), the default dense network at 36 components trained for --epochs epochs; then
each timed call is repeated --repeats times after one warm-up call and the median is
reported. Ratios are computed within the same run.

Run: python benchmarks/speed.py [--mnist-dir ../shared/data/mnist] [--out DIR]
"""

import argparse
import os
import statistics
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def median_seconds(call, repeats: int) -> float:
    call()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def load_rows(mnist_dir):
    if mnist_dir is None:
        from sklearn.datasets import load_digits

        return "digits", load_digits().data / 16.0
    from skae.datasets import load_mnist

    return "MNIST", load_mnist(mnist_dir).data[:8000]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mnist-dir", default=None)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--out", default=str(Path(__file__).parent / "results"))
    args = parser.parse_args()

    from skae import AutoencoderReducer

    name, X = load_rows(args.mnist_dir)
    reducer = AutoencoderReducer(n_components=36, epochs=args.epochs, random_state=0).fit(X)
    one_row = X[:1]
    rows = [
        (
            "transform, 1 row",
            median_seconds(lambda: reducer.transform(one_row), args.repeats),
        ),
        (
            "encoder_.predict, 1 row",
            median_seconds(lambda: reducer.encoder_.predict(one_row, verbose=0), 20),
        ),
        (
            "encoder_(x), 1 row",
            median_seconds(lambda: reducer.encoder_(one_row), args.repeats),
        ),
    ]
    fast = rows[0][1]
    lines = [
        f"# transform speed on {name} ({X.shape[1]} features, 36 components)",
        "",
        "| call | median ms | x transform |",
        "| --- | ---: | ---: |",
    ]
    lines += [
        f"| {label} | {seconds * 1e3:.3f} | {seconds / fast:.1f} |"
        for label, seconds in rows
    ]
    table = "\n".join(lines)
    print(table)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"speed_{name.lower()}.md").write_text(table + "\n")


if __name__ == "__main__":
    main()
