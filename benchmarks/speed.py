"""Speed of skae against the calls it replaces, measured side by side in one run.

Protocol: MNIST (--mnist-dir: the first 8,000 images of the test file, pixels in [0, 1])
or, without it, digits scaled to [0, 1]; the default dense network at 36 components.
Each timing is the median of repeats after one warm-up call:

- `transform` of one row against `encoder_.predict` and `encoder_(x)` on that row;
- `transform` of 10,000 float32 rows against a direct `encoder_(X)` call, the two
  alternating (on a shared machine the load drifts between two separate runs of
  repeats by more than the difference measured);
- `fit` for --epochs epochs against the same network trained with plain Keras: a
  `keras.models.clone_model` of skae's autoencoder, compiled with the same optimizer and
  loss, then `Model.fit(X, X, batch_size=128, shuffle=True)`. The two fits alternate, so
  that a change in the machine's load hits both alike;
- `from skae import AutoencoderReducer` in a fresh interpreter against
  `from sklearn.decomposition import PCA` (most of the time is scikit-learn's own
  import): the median of several fresh processes of each, alternating, each timing that
  one import.

With --curves (and --mnist-dir) it draws the time-to-quality curves instead: held-out
error against training seconds for the default networks, beside UMAP's and t-SNE's fit
times (benchmarks/time_to_quality.py says how).

Run: python benchmarks/speed.py [--mnist-dir ../shared/data/mnist] [--out DIR] [--curves]
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def seconds(call) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def median_seconds(call, repeats: int) -> float:
    call()
    return statistics.median(seconds(call) for _ in range(repeats))


def alternating_medians(first, second, repeats: int) -> tuple[float, float]:
    """Medians of two calls timed in turn, after one warm-up of each."""
    first(), second()
    pairs = [(seconds(first), seconds(second)) for _ in range(repeats)]
    return statistics.median(a for a, _ in pairs), statistics.median(b for _, b in pairs)


def import_seconds(statement: str) -> float:
    """Seconds `statement` (an import) takes in a fresh interpreter."""
    code = "\n".join(
        [
            "import time",
            "start = time.perf_counter()",
            statement,
            "print(time.perf_counter() - start)",
        ]
    )
    return float(subprocess.check_output([sys.executable, "-c", code]))


def import_medians(processes: int = 7) -> tuple[float, float]:
    """Medians for importing AutoencoderReducer and PCA, fresh processes in turn."""
    pairs = [
        (
            import_seconds("from skae import AutoencoderReducer"),
            import_seconds("from sklearn.decomposition import PCA"),
        )
        for _ in range(processes)
    ]
    return statistics.median(a for a, _ in pairs), statistics.median(b for _, b in pairs)


def load_rows(mnist_dir):
    if mnist_dir is None:
        from sklearn.datasets import load_digits

        return "digits", load_digits().data / 16.0
    from skae.datasets import load_mnist

    return "MNIST", load_mnist(mnist_dir).data[:8000]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mnist-dir", default=None)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--fit-repeats", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--out", default=str(Path(__file__).parent / "results"))
    parser.add_argument("--curves", action="store_true", help="time-to-quality curves")
    args = parser.parse_args()
    if args.curves:
        if args.mnist_dir is None:
            parser.error("--curves needs --mnist-dir")
        from time_to_quality import run

        command = "python benchmarks/speed.py --mnist-dir ../shared/data/mnist --curves"
        run(args.mnist_dir, command)
        return

    import numpy as np
    from training_runs import plain_keras_model

    from skae import AutoencoderReducer

    name, X = load_rows(args.mnist_dir)
    X32 = X.astype(np.float32)
    reducer = AutoencoderReducer(
        36, epochs=args.epochs, n_iter_no_change=args.epochs, random_state=0
    )

    def plain_keras_fit():
        # What a Keras user writes: the same network, Adam 1e-3, batches as skae's.
        plain = plain_keras_model(reducer.autoencoder_)
        plain.fit(
            X32,
            X32,
            batch_size=reducer.spec_.batch_size,
            epochs=args.epochs,
            shuffle=True,
            verbose=0,
        )

    reducer.fit(X32)  # the plain model clones the fitted network's structure
    skae_fit, keras_fit = alternating_medians(
        lambda: reducer.fit(X32), plain_keras_fit, args.fit_repeats
    )
    one_row = X[:1]
    many = np.tile(X32, (10_000 // len(X32) + 1, 1))[:10_000]
    one_row_transform = median_seconds(lambda: reducer.transform(one_row), args.repeats)
    many_transform, many_encoder = alternating_medians(
        lambda: reducer.transform(many), lambda: reducer.encoder_(many), 40
    )
    skae_import, sklearn_import = import_medians()
    # (call, skae seconds, baseline call, baseline seconds, target on skae / baseline)
    rows = [
        ("transform, 1 row", one_row_transform, "-", None, "median <= 0.3 ms"),
        (
            "transform, 1 row",
            one_row_transform,
            "encoder_.predict",
            median_seconds(lambda: reducer.encoder_.predict(one_row, verbose=0), 20),
            "<= 0.01 (100x faster)",
        ),
        (
            "transform, 1 row",
            one_row_transform,
            "encoder_(x)",
            median_seconds(lambda: reducer.encoder_(one_row), args.repeats),
            "",
        ),
        (
            "transform, 10,000 rows",
            many_transform,
            "encoder_(X)",
            many_encoder,
            "<= 1.0",
        ),
        (f"fit, {args.epochs} epochs", skae_fit, "plain Keras fit", keras_fit, "<= 1.05"),
        (
            "from skae import AutoencoderReducer (fresh interpreter)",
            skae_import,
            "from sklearn.decomposition import PCA",
            sklearn_import,
            "<= 1.1",
        ),
    ]
    lines = [
        f"# speed on {name} ({X.shape[1]} features, 36 components)",
        "",
        "| call | skae ms | baseline | baseline ms | skae / baseline | target |",
        "| --- | ---: | --- | ---: | ---: | --- |",
    ]
    for label, ours, baseline, theirs, target in rows:
        baseline_ms = "" if theirs is None else f"{theirs * 1e3:.3f}"
        ratio = "" if theirs is None else f"{ours / theirs:.4f}"
        lines.append(
            f"| {label} | {ours * 1e3:.3f} | {baseline} | {baseline_ms} | {ratio} "
            f"| {target} |"
        )
    table = "\n".join(lines)
    print(table)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"speed_{name.lower()}.md").write_text(table + "\n")


if __name__ == "__main__":
    main()
