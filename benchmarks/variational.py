"""Does the default variational model generate? Digits and MNIST at 2 components.

Protocol: `AutoencoderReducer(2, variational=True, random_state=0)` with every other
parameter at its default. Digits: scaled to [0, 1], a stratified 75/25 split
(random_state=0). MNIST (with --data-dir): the first 8,000 images of the test file for
training, the last 2,000 held out (../shared/data/README.md). Measured on held-out rows
and on 1,000 samples drawn with random_state=0:

- sample spread: the mean per-feature standard deviation of the samples over that of the
  held-out rows (a code collapsed onto the prior decodes every draw to about the mean
  row: spread near 0);
- smallest code std: the smallest standard deviation of a code unit over the held-out
  rows (a collapsed unit is near 0; the prior's is 1);
- KL per unit: the final epoch's KL term, divided by the number of code units;
- held-out MSE of the variational model and of PCA at 2 components.

Writes benchmarks/results/variational.md.

Run: python benchmarks/variational.py [--data-dir ../shared/data/mnist]
"""

import argparse
import os
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from sklearn.decomposition import PCA  # noqa: E402

from skae import AutoencoderReducer  # noqa: E402
from skae.datasets import load_comparison_data  # noqa: E402
from skae.metrics import reconstruction_error  # noqa: E402

RESULTS = Path(__file__).parent / "results" / "variational.md"
HEADER = (
    "| data | sample spread | smallest code std | KL per unit | held-out MSE | PCA MSE "
    "| fit s | epochs |"
)


def measure(dataset, data):
    reducer = AutoencoderReducer(2, variational=True, random_state=0)
    start = time.perf_counter()
    reducer.fit(data.X_train)
    seconds = time.perf_counter() - start
    samples = reducer.sample(1000, random_state=0)
    codes = reducer.transform(data.X_test)
    pca = PCA(2).fit(data.X_train)
    spread = samples.std(axis=0).mean() / data.X_test.std(axis=0).mean()
    mse = reconstruction_error(data.X_test, reducer.inverse_transform(codes))
    pca_mse = reconstruction_error(
        data.X_test, pca.inverse_transform(pca.transform(data.X_test))
    )
    kl = reducer.history_["kl_loss"][-1] / codes.shape[1]
    return (
        f"| {dataset} | {spread:.3f} | {codes.std(axis=0).min():.3f} | {kl:.2f} "
        f"| {mse:.4f} | {pca_mse:.4f} | {seconds:.0f} | {reducer.n_iter_} |"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=None)
    args = parser.parse_args()
    datasets = ["digits"] + (["mnist"] if args.data_dir else [])
    lines = [
        "# Variational model with defaults, 2 components (random_state=0)",
        "",
        "`python benchmarks/variational.py"
        + (" --data-dir DIR`" if args.data_dir else "`"),
        "",
        HEADER,
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    print("\n".join(lines), flush=True)
    for dataset in datasets:
        data = load_comparison_data(dataset, data_dir=args.data_dir)
        lines.append(measure(dataset, data))
        print(lines[-1], flush=True)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
