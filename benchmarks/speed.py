"""Speed of skae against the Keras calls it replaces, measured side by side in one run.

Protocol: digits scaled to [0, 1] (or MNIST with --mnist-dir: the first 8,000 images),
the default dense network at 36 components. Timed, each after one warm-up call, median
of repeats: `transform` of one row against `encoder_.predict` and `encoder_(x)` on that
row; `transform` of 10,000 float32 rows against a direct `encoder_(X)` call; `fit` for
--epochs epochs against the same network (`keras.models.clone_model` of skae's
autoencoder, same optimizer, loss, batch size and epochs) trained with plain
`Model.fit(X, X, shuffle=True)`; and `import skae` in a fresh interpreter.

Run: python benchmarks/speed.py [--mnist-dir ../shared/data/mnist] [--out DIR]
"""

import argparse
import os
import statistics
import subprocess
import sys
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


def import_seconds() -> float:
    code = (
        "import time; t = time.perf_counter(); import skae; print(time.perf_counter() - t)"
    )
    runs = [float(subprocess.check_output([sys.executable, "-c", code])) for _ in range(5)]
    return statistics.median(runs)


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
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--out", default=str(Path(__file__).parent / "results"))
    args = parser.parse_args()

    import keras
    import numpy as np

    from skae import AutoencoderReducer

    name, X = load_rows(args.mnist_dir)
    X32 = X.astype(np.float32)
    settings = dict(n_components=36, epochs=args.epochs, n_iter_no_change=args.epochs)
    reducer = AutoencoderReducer(random_state=0, **settings)
    skae_fit = median_seconds(lambda: reducer.fit(X32), 2)

    def plain_keras_fit():
        # What a Keras user writes: build and compile the same network, then fit.
        plain = keras.models.clone_model(reducer.autoencoder_)
        plain.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mse")
        plain.fit(
            X32,
            X32,
            batch_size=reducer.batch_size,
            epochs=args.epochs,
            shuffle=True,
            verbose=0,
        )

    keras_fit = median_seconds(plain_keras_fit, 2)
    one_row = X[:1]
    many = np.tile(X32, (10_000 // len(X32) + 1, 1))[:10_000]
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
        ("transform, 10,000 rows", median_seconds(lambda: reducer.transform(many), 20)),
        ("encoder_(X), 10,000 rows", median_seconds(lambda: reducer.encoder_(many), 20)),
        (f"fit, {args.epochs} epochs", skae_fit),
        (f"plain Keras fit, {args.epochs} epochs", keras_fit),
        ("import skae (fresh interpreter)", import_seconds()),
    ]
    # Each of these rows is compared with the skae row it stands beside.
    baselines = {1: 0, 2: 0, 4: 3, 6: 5}
    lines = [
        f"# speed on {name} ({X.shape[1]} features, 36 components)",
        "",
        "| call | median ms | baseline / skae |",
        "| --- | ---: | ---: |",
    ]
    for i, (label, seconds) in enumerate(rows):
        ratio = f"{seconds / rows[baselines[i]][1]:.2f}" if i in baselines else ""
        lines.append(f"| {label} | {seconds * 1e3:.3f} | {ratio} |")
    table = "\n".join(lines)
    print(table)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"speed_{name.lower()}.md").write_text(table + "\n")


if __name__ == "__main__":
    main()
