"""12/'s first target: the default dense fit at 36 components against 60 plain Keras epochs.

Protocol (../shared/data/README.md): the MNIST test file scaled to [0, 1]; its first
8,000 images are the training rows, its last 2,000 are held out. Each round times, on
the training rows and in this process, a whole default fit,
``AutoencoderReducer(36, random_state=0).fit`` (scaling, building, compiling and
training), and a whole plain Keras fit of the same network for 60 epochs: a
``keras.models.clone_model`` of the fitted autoencoder, compiled with Adam 1e-3 and MSE,
``fit(X, X, batch_size=128, epochs=60)``. The two alternate for --rounds rounds, so both
see the same load; the table gives each round and the medians. The target: the default
fit's held-out MSE at most 0.55 times PCA's (PCA(36) fitted on the same rows), in no
more seconds than the plain fit's.

Run: python benchmarks/dense_budget.py --data-dir ../shared/data/mnist
(writes benchmarks/results/dense_budget.md)
"""

import argparse
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from sklearn.decomposition import PCA  # noqa: E402
from training_runs import (  # noqa: E402
    RESULTS,
    held_out_error,
    markdown_table,
    plain_keras_model,
)

from skae import AutoencoderReducer  # noqa: E402
from skae.datasets import load_comparison_data  # noqa: E402

N_COMPONENTS = 36
PLAIN_EPOCHS = 60
COLUMNS = ["round", "default fit s", f"plain Keras {PLAIN_EPOCHS} epochs s", "ratio"]


def timed(action):
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def plain_fit(model, X):
    plain_keras_model(model).fit(X, X, batch_size=128, epochs=PLAIN_EPOCHS, verbose=0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    data = load_comparison_data("mnist", data_dir=args.data_dir)
    X_train, X_test = data.X_train, data.X_test

    def default_fit():
        return AutoencoderReducer(N_COMPONENTS, random_state=0).fit(X_train)

    rows, reducer = [], None
    for round_ in range(1, args.rounds + 1):
        skae_s, reducer = timed(default_fit)
        network = reducer.autoencoder_
        plain_s, _ = timed(lambda network=network: plain_fit(network, X_train))
        rows.append((skae_s, plain_s))
        print(round_, skae_s, plain_s, flush=True)
    error = held_out_error(reducer, X_test)
    pca_error = held_out_error(PCA(N_COMPONENTS).fit(X_train), X_test)
    table = [
        dict(zip(COLUMNS, [str(i), f"{s:.1f}", f"{p:.1f}", f"{s / p:.2f}"], strict=True))
        for i, (s, p) in enumerate(rows, start=1)
    ]
    skae_median = statistics.median(s for s, _ in rows)
    plain_median = statistics.median(p for _, p in rows)
    median = [
        f"{skae_median:.1f}",
        f"{plain_median:.1f}",
        f"{skae_median / plain_median:.2f}",
    ]
    table.append(dict(zip(COLUMNS, ["median", *median], strict=True)))
    spec = reducer.spec_
    lines = [
        f"# The default dense fit at {N_COMPONENTS} components against a plain Keras fit",
        "",
        *__doc__.split("\n\n")[1].split("\n"),
        "",
        f"Made by `python benchmarks/dense_budget.py --data-dir ../shared/data/mnist "
        f"--rounds {args.rounds}`. The default fit resolved to {spec.activation}, "
        f"learning rate {spec.learning_rate:g}, {reducer.n_iter_} epochs, noise "
        f"{spec.noise:g}.",
        "",
        *markdown_table(COLUMNS, table),
        "",
        f"Held-out MSE: the default fit {error:.5f}, PCA {pca_error:.5f}, ratio "
        f"{error / pca_error:.3f} (target at most 0.55).",
    ]
    (RESULTS / "dense_budget.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
