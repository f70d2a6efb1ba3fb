"""The measurements behind the defaults: one parameter changed at a time, on MNIST.

Protocol: the MNIST test file scaled to [0, 1], train on its first 8,000 images and
measure on the last 2,000; `AutoencoderReducer(36 or 2 components, random_state=0)` with
one change. Prints held-out and training MSE, trustworthiness (k=5), 5-NN accuracy and
fit time. Results are recorded in benchmarks/results/defaults_mnist.md.

With --conv-curves, the conv network's settings are compared by their learning curves
instead: train on the first 6,000 of the 8,000 training images and, every 5 epochs
(continued with warm_start), print the held-out MSE on the other 2,000, so that the
choice does not look at the 2,000 test images at all.

Run: python benchmarks/tune_defaults.py --data-dir ../shared/data/mnist [--only noise0.2]
     python benchmarks/tune_defaults.py --data-dir ../shared/data/mnist --conv-curves
"""

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from skae import AutoencoderReducer  # noqa: E402
from skae.compare import load_comparison_data  # noqa: E402
from skae.metrics import knn_accuracy, reconstruction_error, trustworthiness  # noqa: E402

CHANGES = {
    "none": {"noise": 0.0},
    "bce": {"noise": 0.0, "loss": "binary_crossentropy"},
    "lr3e-3": {"noise": 0.0, "learning_rate": 3e-3},
    "bs64-ep100": {"noise": 0.0, "batch_size": 64, "epochs": 100},
    "es": {"noise": 0.0, "early_stopping": True},
    "noise0.2": {"noise": 0.2},
    "noise0.3": {"noise": 0.3},
    "bce-noise0.2": {"noise": 0.2, "loss": "binary_crossentropy"},
    "es-noise0.2": {"noise": 0.2, "early_stopping": True},
}

# The conv network at 36 components; "auto" settings are the conv ones unless given.
CONV_CHANGES = {
    "dense-layers": {"hidden_layer_sizes": (256, 128, 64), "learning_rate": 1e-3},
    "noise0.2": {"noise": 0.2, "learning_rate": 1e-3},
    "lr1e-3": {"learning_rate": 1e-3},
    "lr2e-3": {"learning_rate": 2e-3},
    "lr3e-3": {"learning_rate": 3e-3},
}


def conv_curves(data, names, max_epochs=60, every=5):
    """Held-out MSE every ``every`` epochs, training on 6,000 of the 8,000 images."""
    X_fit, X_check = data.X_train[:6000], data.X_train[6000:]
    for name in names:
        reducer = AutoencoderReducer(
            36, architecture="conv", warm_start=True, random_state=0, **CONV_CHANGES[name]
        )
        curve, seconds = [], 0.0
        for epochs in range(every, max_epochs + 1, every):
            start = time.perf_counter()
            reducer.set_params(epochs=epochs).fit(X_fit)
            seconds += time.perf_counter() - start
            error = reconstruction_error(
                X_check, reducer.inverse_transform(reducer.transform(X_check))
            )
            curve.append(f"{epochs}: {error:.4f}")
        print(f"conv {name} ({seconds:.0f} s): {', '.join(curve)}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--only", default=None, help="comma-separated change names")
    parser.add_argument("--n-components", default="36,2")
    parser.add_argument("--conv-curves", action="store_true")
    args = parser.parse_args()
    data = load_comparison_data("mnist", data_dir=args.data_dir)
    table = CONV_CHANGES if args.conv_curves else CHANGES
    names = args.only.split(",") if args.only else list(table)
    if args.conv_curves:
        conv_curves(data, names)
        return
    for n_components in map(int, args.n_components.split(",")):
        for name in names:
            reducer = AutoencoderReducer(n_components, random_state=0, **CHANGES[name])
            start = time.perf_counter()
            Z_train = reducer.fit_transform(data.X_train)
            seconds = time.perf_counter() - start
            Z_test = reducer.transform(data.X_test)
            test_mse = reconstruction_error(data.X_test, reducer.inverse_transform(Z_test))
            train_mse = reconstruction_error(
                data.X_train, reducer.inverse_transform(Z_train)
            )
            trust = trustworthiness(data.X_test, Z_test)
            accuracy = knn_accuracy(Z_train, data.y_train, Z_test, data.y_test)
            print(
                f"{name} {n_components}: held-out MSE {test_mse:.4f} training MSE "
                f"{train_mse:.4f} trustworthiness {trust:.3f} 5-NN {accuracy:.3f} "
                f"fit {seconds:.0f} s epochs {reducer.n_iter_}",
                flush=True,
            )


if __name__ == "__main__":
    main()
