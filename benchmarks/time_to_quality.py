"""Held-out error against training time, for the default networks, beside UMAP and t-SNE.

Protocol (../shared/data/README.md): the MNIST test file scaled to [0, 1]; its first
8,000 images are the training rows, its last 2,000 are held out. The default dense and
conv networks at 36 and at 2 components (`AutoencoderReducer(n, architecture=...,
random_state=0)`, every other parameter at its default) are fitted on the training rows;
after each epoch the clock is paused while the held-out rows are reconstructed by the
network as it stands, so each point is (seconds of training so far, held-out MSE). The
table's held-out MSE is the fitted reducer's, inverse_transform(transform(held-out rows)),
as a user gets it and as quality.py measures it (the training may end on restored best
weights rather than the last epoch's). PCA's
held-out MSE at each size, and UMAP's (`umap.UMAP(random_state=0)`) and t-SNE's
(scikit-learn's `TSNE(random_state=0)`) fit seconds on the same training rows, are
measured in the same run; so is the machine's yardstick, seconds per epoch of a plain
Keras fit of the dense 36-component network (Adam 1e-3, batch 128, MSE). A time is only
comparable with others of the same run: the machine is shared.

Writes time_to_quality_mnist.md, .csv (every epoch) and .png under benchmarks/results/.

Run: python benchmarks/speed.py --mnist-dir ../shared/data/mnist --curves
(or python benchmarks/time_to_quality.py --data-dir ../shared/data/mnist)
"""

import argparse
import os
import time
from datetime import datetime

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
from training_runs import (  # noqa: E402
    RESULTS,
    held_out_error,
    markdown_table,
    plain_keras_epoch_seconds,
    training_with,
    write_csv,
)

from skae import AutoencoderReducer  # noqa: E402
from skae.datasets import load_comparison_data  # noqa: E402
from skae.metrics import reconstruction_error  # noqa: E402

NETWORKS = [("dense", 36), ("conv", 36), ("dense", 2), ("conv", 2)]
STEM = "time_to_quality_mnist"


class HeldOutCurve(keras.callbacks.Callback):
    """(training seconds so far, held-out MSE) after each epoch, the clock paused while
    the held-out rows are reconstructed."""

    def __init__(self, X_test):
        super().__init__()
        self.X_test = X_test
        self.points = []

    def on_train_begin(self, logs=None):
        self._trained = 0.0
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self._trained += time.perf_counter() - self._start
        reconstruction = self.model.predict(self.X_test, batch_size=1024, verbose=0)
        error = reconstruction_error(self.X_test, reconstruction)
        self.points.append((self._trained, error))
        self._start = time.perf_counter()


def network_curve(architecture, n_components, X_train, X_test):
    """The fitted reducer and its (seconds, held-out MSE) points, one an epoch."""
    curve = HeldOutCurve(X_test)
    reducer = AutoencoderReducer(n_components, architecture=architecture, random_state=0)
    with training_with(curve):
        reducer.fit(X_train)
    return reducer, curve.points


def fit_seconds(make, X) -> float:
    start = time.perf_counter()
    make().fit(X)
    return time.perf_counter() - start


def baselines(X_train, X_test):
    """PCA's held-out MSE at each size; UMAP's and t-SNE's fit seconds."""
    import umap
    from sklearn.decomposition import PCA
    from sklearn.manifold import TSNE

    pca_error = {}
    for n_components in sorted({n for _, n in NETWORKS}):
        pca_error[n_components] = held_out_error(PCA(n_components).fit(X_train), X_test)
    seconds = {
        "UMAP": fit_seconds(lambda: umap.UMAP(random_state=0), X_train),
        "t-SNE": fit_seconds(lambda: TSNE(random_state=0), X_train),
    }
    return pca_error, seconds


def plot(curves: dict, pca_error: dict, seconds: dict, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = sorted(pca_error, reverse=True)
    figure, axes = plt.subplots(1, len(sizes), figsize=(10, 4), layout="constrained")
    for ax, n_components in zip(axes, sizes, strict=True):
        for (architecture, n), points in curves.items():
            if n == n_components:
                times, errors = zip(*points, strict=True)
                ax.plot(times, errors, marker=".", label=f"{architecture} network")
        ax.axhline(pca_error[n_components], color="grey", linestyle="--", label="PCA")
        for (name, fit_s), style in zip(seconds.items(), (":", "-."), strict=True):
            ax.axvline(fit_s, color="black", linestyle=style, label=f"{name} fit")
        ax.set(
            title=f"{n_components} components",
            xlabel="training seconds",
            ylabel="held-out MSE",
            yscale="log",
        )
        ax.legend(fontsize="small")
    figure.savefig(path, dpi=100)
    plt.close(figure)


COLUMNS = ["network", "components", "epoch", "seconds", "held-out MSE"]
SUMMARY = ["network", "components", "epochs", "fit s", "held-out MSE", "x PCA"]


def summary_rows(curves: dict, final_error: dict, pca_error: dict) -> list[dict]:
    rows = []
    for (architecture, n_components), points in curves.items():
        seconds, _ = points[-1]
        error = final_error[architecture, n_components]
        ratio = error / pca_error[n_components]
        values = [str(len(points)), f"{seconds:.0f}", f"{error:.4f}", f"{ratio:.2f}"]
        cells = [architecture, str(n_components), *values]
        rows.append(dict(zip(SUMMARY, cells, strict=True)))
    return rows


def write(curves, final_error, pca_error, seconds, keras_epoch_s, command):
    every_epoch = [
        dict(zip(COLUMNS, [a, str(n), str(i + 1), f"{s:.2f}", f"{e:.5f}"], strict=True))
        for (a, n), points in curves.items()
        for i, (s, e) in enumerate(points)
    ]
    write_csv(STEM, COLUMNS, every_epoch)
    plot(curves, pca_error, seconds, RESULTS / f"{STEM}.png")
    pca = ", ".join(f"{n} components {e:.4f}" for n, e in sorted(pca_error.items()))
    others = ", ".join(f"{name} {s:.0f} s" for name, s in seconds.items())
    lines = [
        "# Held-out error against training time (MNIST)",
        "",
        " ".join(__doc__.split("\n\n")[1].split("\n")),
        "",
        f"Made by `{command}` (written {datetime.now():%Y-%m-%d %H:%M}).",
        "",
        *markdown_table(SUMMARY, summary_rows(curves, final_error, pca_error)),
        "",
        f"In the same run: PCA's held-out MSE {pca}; fit times {others}; a plain Keras "
        f"epoch of the dense 36-component network {keras_epoch_s:.2f} s. Every epoch's "
        f"point is in {STEM}.csv.",
        "",
        f"![Held-out MSE against training seconds]({STEM}.png)",
    ]
    (RESULTS / f"{STEM}.md").write_text("\n".join(lines) + "\n")


def run(data_dir, command):
    # As loaded (float64), as users and the other MNIST benchmarks pass the rows: the
    # same random_state then gives the same reducer as theirs.
    data = load_comparison_data("mnist", data_dir=data_dir)
    X_train, X_test = data.X_train, data.X_test
    curves, reducers, final_error = {}, {}, {}
    for architecture, n_components in NETWORKS:
        reducer, points = network_curve(architecture, n_components, X_train, X_test)
        key = architecture, n_components
        curves[key], reducers[key] = points, reducer
        final_error[key] = held_out_error(reducer, X_test)
        print(architecture, n_components, len(points), points[-1], final_error[key])
    keras_epoch_s = plain_keras_epoch_seconds(reducers["dense", 36].autoencoder_, X_train)
    pca_error, seconds = baselines(X_train, X_test)
    write(curves, final_error, pca_error, seconds, keras_epoch_s, command)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", required=True)
    args = parser.parse_args()
    command = f"python benchmarks/time_to_quality.py --data-dir {args.data_dir}"
    run(args.data_dir, command)


if __name__ == "__main__":
    main()
