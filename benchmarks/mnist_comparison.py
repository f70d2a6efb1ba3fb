"""The published MNIST comparison: the autoencoder against PCA, KernelPCA, t-SNE and UMAP.

Protocol (the one this project's MNIST folder prescribes in its README):

- Data: the MNIST test set (10,000 28x28 images, IDX files in --data-dir), pixels divided
  by 255. Every method is fitted on the first 8,000 images and measured on the last
  2,000, held out.
- Sizes: 2 components (the 2-D map) and 36 components (the study's 6x6 code).
- Methods, all with random_state=0 and otherwise default settings:
  `AutoencoderReducer(n_components)` (dense 256-128-64; at 2 components with the
  InfoNCE neighbour loss, 7 epochs over its graph's edges, and as `plain_autoencoder`
  without it, 200 epochs; at 36 components the plain network only); `PCA`;
  `KernelPCA(kernel="rbf", fit_inverse_transform=True)` with
  gamma = 1 / (n_features * Var(X_train)); t-SNE at 2 components only (fitted on all
  10,000 images, as it cannot embed new ones; its k-NN accuracy is cross-validated);
  UMAP when umap-learn is installed (its reconstruction at 2 components only).
- Metrics on the 2,000 held-out images: mean squared reconstruction error per pixel,
  trustworthiness and continuity (k=5), 5-NN accuracy (classifier trained on the 8,000
  training images' embedding), fit time and transform time per 1,000 rows.
  See `skae.compare.compare` for the details.

Writes results.csv, report.md and the figures to benchmarks/results/mnist_2d/ and
benchmarks/results/mnist_36d/ (or under --out), and prints both tables.

Run: python benchmarks/mnist_comparison.py --data-dir DIR, DIR being MNIST's folder
(16 to 25 minutes on 2 CPU cores; 9 to 11 of them are UMAP's inverse_transform of the
2,000 test rows at 2 components, which the table's times do not include).
"""

import argparse
import os
import shlex
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from skae.compare import METHODS, compare, print_progress  # noqa: E402
from skae.datasets import load_comparison_data  # noqa: E402

REPOSITORY = Path(__file__).resolve().parents[1]
N_COMPONENTS = (2, 36)
RANDOM_STATE = 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data-dir",
        default=str(REPOSITORY.parent / "shared" / "data" / "mnist"),
        help="folder with t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz "
        "(default: ../shared/data/mnist beside the checkout)",
    )
    parser.add_argument("--out", default=str(REPOSITORY / "benchmarks" / "results"))
    parser.add_argument(
        "--n-components",
        type=int,
        nargs="+",
        default=N_COMPONENTS,
        help="sizes to run (default: 2 36)",
    )
    args = parser.parse_args(argv)
    command = shlex.join(
        ["python", "benchmarks/mnist_comparison.py", *(argv or sys.argv[1:])]
    )

    data = load_comparison_data("mnist", data_dir=args.data_dir)
    tables = {}
    for n_components in args.n_components:
        comparison = compare(
            data.X_train,
            data.X_test,
            data.y_train,
            data.y_test,
            methods=METHODS,
            n_components=n_components,
            random_state=RANDOM_STATE,
            image_shape=data.image_shape,
            description=data.description,
            progress=lambda message, n=n_components: print_progress(f"{n}-D {message}"),
        )
        out_dir = Path(args.out) / f"mnist_{n_components}d"
        comparison.write(out_dir, command=command)
        print_progress(f"{n_components}-D: wrote {out_dir}")
        tables[n_components] = comparison.to_markdown()
    for n_components, table in tables.items():
        print(f"\nMNIST, {n_components} components\n\n{table}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
