"""The default 2-D map of many rows in float32 and in bfloat16 (12/).

A map of many rows trains on batches of 1,024 neighbour-edge ends and decodes half of
the heads (benchmarks/map_decoded_heads.py): its matrix products are larger than a
36-component code's batches of 128, whose dense layers gained nothing from bfloat16
(benchmarks/results/epoch_overhead_mnist_tensorflow.md). This fits
``AutoencoderReducer(2, architecture=..., dtype_policy=..., random_state=seed)``, dense
and conv, in float32 and in ``"mixed_bfloat16"`` (float32 weights, the hidden layers
computed in bfloat16), three seeds each, in turns, on MNIST's validation protocol
(../shared/data/README.md): images 0-5,999 fitted, images 6,000-7,999 scored. The
last 2,000 images are never read here. Time it on a CPU with bfloat16 instructions
(AVX512_BF16 or AMX): elsewhere bfloat16 is emulated.

Scores: held-out MSE, trustworthiness (k=5) and 5-NN accuracy (classifier fitted on the
training codes), the trustworthiness of as many training rows as there are held-out
rows, and fit seconds.

Run: python benchmarks/map_precision.py --data-dir ../shared/data/mnist
(writes benchmarks/results/map_precision.csv and .md)
"""

import argparse
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from training_runs import (  # noqa: E402
    SEEN_ROWS_SCORES,
    labelled_validation_split,
    map_scores_with_seen_rows,
    seeds_cells,
    write_csv,
    write_table_report,
)

from skae import AutoencoderReducer  # noqa: E402

ARCHITECTURES = ("dense", "conv")
POLICIES = ("float32", "mixed_bfloat16")
SEEDS = (0, 1, 2)
SCORES = SEEN_ROWS_SCORES
COLUMNS = ["architecture", "dtype_policy", "epochs", *SCORES]


def rows_for(architecture: str, split) -> list[dict]:
    """Both policies' rows, their fits in turns seed by seed (so both see one load)."""
    runs = {policy: [] for policy in POLICIES}
    reducers = {}
    for seed in SEEDS:
        for policy in POLICIES:
            reducer = AutoencoderReducer(
                2, architecture=architecture, dtype_policy=policy, random_state=seed
            )
            runs[policy].append(map_scores_with_seen_rows(reducer, *split))
            reducers[policy] = reducer
            print(architecture, policy, seed, runs[policy][-1], flush=True)
    return [
        {
            "architecture": architecture,
            "dtype_policy": policy,
            "epochs": str(reducers[policy].spec_.epochs),
            **seeds_cells(runs[policy], SCORES),
        }
        for policy in POLICIES
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", required=True, help="MNIST's folder")
    args = parser.parse_args()
    split = labelled_validation_split(args.data_dir)
    # A first fit of each pays the imports and compilations, outside every timed fit.
    for policy in POLICIES:
        AutoencoderReducer(2, epochs=1, dtype_policy=policy).fit(split[0][:200])
    rows = []
    for architecture in ARCHITECTURES:
        rows += rows_for(architecture, split)
        write_csv("map_precision", COLUMNS, rows)
    caption = (
        "The default 2-D map (InfoNCE) of MNIST's validation split, its hidden layers "
        "in float32 or in bfloat16, seeds 0 / 1 / 2: validation MSE, trustworthiness "
        "(k=5) and 5-NN accuracy, trustworthiness of as many training rows, fit "
        "seconds (fitted on images 0-5,999, scored on images 6,000-7,999; the two "
        "policies' fits in turns)."
    )
    command = "python benchmarks/map_precision.py --data-dir ../shared/data/mnist"
    write_table_report("map_precision", caption, COLUMNS, rows, command)


if __name__ == "__main__":
    main()
