"""Quality of the default reducers on MNIST: dense and conv at 2 and 36 components, and PCA.

Protocol (../shared/data/README.md): the MNIST test file scaled to [0, 1], training on
its first 8,000 images and measuring on the last 2,000 (held out). Each reducer runs with
its default settings and random_state=0: at 2 components the networks train the
neighbour loss with the reconstruction (mnist_comparison.py also measures them without
it, beside UMAP and t-SNE). Printed per reducer:
held-out MSE per pixel, its ratio to PCA's at the same number of components,
trustworthiness (k=5) of the held-out embedding, 5-NN accuracy (classifier fitted on the
training embedding, scored on the held-out one) and fit time. Without --data-dir the
same runs on digits (75/25 split).

Run: python benchmarks/quality.py --data-dir DIR [--only dense-2,pca-2], DIR being MNIST's
folder
"""

import argparse
import os
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from sklearn.decomposition import PCA  # noqa: E402

from skae import AutoencoderReducer  # noqa: E402
from skae.datasets import load_comparison_data  # noqa: E402
from skae.metrics import knn_accuracy, reconstruction_error, trustworthiness  # noqa: E402

REDUCERS = {
    "pca-2": lambda: PCA(2, random_state=0),
    "dense-2": lambda: AutoencoderReducer(2, random_state=0),
    "conv-2": lambda: AutoencoderReducer(2, architecture="conv", random_state=0),
    "pca-36": lambda: PCA(36, random_state=0),
    "dense-36": lambda: AutoencoderReducer(36, random_state=0),
    "conv-36": lambda: AutoencoderReducer(36, architecture="conv", random_state=0),
}


def measure(name, reducer, data, pca_mse):
    start = time.perf_counter()
    Z_train = reducer.fit_transform(data.X_train)
    fit_seconds = time.perf_counter() - start
    Z_test = reducer.transform(data.X_test)
    mse = reconstruction_error(data.X_test, reducer.inverse_transform(Z_test))
    ratio = mse / pca_mse[name.split("-")[1]] if name.split("-")[1] in pca_mse else 1.0
    return {
        "reducer": name,
        "mse": mse,
        "x PCA": ratio,
        "trustworthiness": trustworthiness(data.X_test, Z_test, n_neighbors=5),
        "5-NN accuracy": knn_accuracy(Z_train, data.y_train, Z_test, data.y_test),
        "fit s": fit_seconds,
        "epochs": getattr(reducer, "n_iter_", "-"),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--only", default=",".join(REDUCERS))
    parser.add_argument("--out", default=str(Path(__file__).parent / "results"))
    args = parser.parse_args()
    dataset = "digits" if args.data_dir is None else "mnist"
    data = load_comparison_data(dataset, data_dir=args.data_dir)
    names = args.only.split(",")
    # PCA first, so each autoencoder's error can be given as a ratio to PCA's.
    names = sorted(names, key=lambda name: not name.startswith("pca"))
    pca_mse = {}
    header = (
        "| reducer | held-out MSE | x PCA | trustworthiness | 5-NN accuracy | fit s "
        "| epochs |"
    )
    lines = [f"# quality on {dataset} (defaults, random_state=0)", "", header]
    lines.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    print("\n".join(lines), flush=True)
    for name in names:
        row = measure(name, REDUCERS[name](), data, pca_mse)
        if name.startswith("pca"):
            pca_mse[name.split("-")[1]] = row["mse"]
        line = (
            f"| {name} | {row['mse']:.4f} | {row['x PCA']:.2f} "
            f"| {row['trustworthiness']:.3f} | {row['5-NN accuracy']:.3f} "
            f"| {row['fit s']:.0f} | {row['epochs']} |"
        )
        lines.append(line)
        print(line, flush=True)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"quality_{dataset}.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
