"""Held-out reconstruction error of the architectures on digits, and the study's networks.

Protocol: scikit-learn's digits scaled to [0, 1], a stratified 75/25 split
(random_state=0); each reducer at 8 components with default settings and random_state=0;
mean squared error per pixel on the held-out quarter. Then the parameter counts of the
original study's two networks (the simple 784-36-784 and the deep 784-256-128-64-36
mirrored), built with parameters alone.

Run: python benchmarks/architectures.py (writes benchmarks/results/architectures_digits.md)
"""

import os
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402

from skae import AutoencoderReducer  # noqa: E402
from skae.datasets import load_digits  # noqa: E402
from skae.metrics import reconstruction_error  # noqa: E402

RESULTS = Path(__file__).parent / "results" / "architectures_digits.md"


def main():
    X, y = load_digits(return_X_y=True)
    X_train, X_test = train_test_split(X, test_size=0.25, stratify=y, random_state=0)
    reducers = {
        "dense (default)": AutoencoderReducer(8, random_state=0),
        "conv (default)": AutoencoderReducer(8, architecture="conv", random_state=0),
        "PCA": PCA(8),
    }
    lines = ["| reducer, 8 components | held-out MSE | fit s |", "| --- | ---: | ---: |"]
    print("\n".join(lines), flush=True)
    for name, reducer in reducers.items():
        start = time.perf_counter()
        reducer.fit(X_train)
        seconds = time.perf_counter() - start
        error = reconstruction_error(
            X_test, reducer.inverse_transform(reducer.transform(X_test))
        )
        lines.append(f"| {name} | {error:.4f} | {seconds:.1f} |")
        print(lines[-1], flush=True)

    rows = np.random.RandomState(0).rand(2, 784)  # pixels in [0, 1], as MNIST's
    simple = AutoencoderReducer(36, hidden_layer_sizes=(), code_activation="relu", epochs=1)
    deep = AutoencoderReducer(36, hidden_layer_sizes=(256, 128, 64), epochs=1)
    lines.append("")
    for name, network in (("simple 784-36-784", simple), ("deep 784-256-128-64-36", deep)):
        lines.append(
            f"{name} parameters: {network.fit(rows).autoencoder_.count_params():,}"
        )
        print(lines[-1], flush=True)
    RESULTS.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
