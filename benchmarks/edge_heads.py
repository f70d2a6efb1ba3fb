"""A map's decoder reconstructs its edge batches' heads only, not both ends (12/, 10/).

A 2-D map trains on batches of neighbour edges, each batch its edges' heads and then
their tails (`skae.batches`). The neighbour term needs both ends' codes; the decoder
now reconstructs the heads alone, half the decoder's work a step. This compares skae at
this checkout with skae at --baseline (a commit whose decoder reconstructed both ends),
each in its own process with that checkout's package first on ``sys.path``,
alternating the two --rounds times, seed r in round r for both. Each process fits the
default 2-D ``AutoencoderReducer`` (InfoNCE) on the validation protocol's images
0-5,999 (../shared/data/README.md) and scores it on images 6,000-7,999; the last 2,000
are never read. Per fit: the median seconds of the epochs after the first, the fit's
seconds, and held-out MSE, trustworthiness (k=5) and 5-NN accuracy. The published
run was made at the commit of the change; a later checkout also carries what changed
after it (InfoNCE's cheaper arithmetic, `benchmarks/infonce_arithmetic.py`).

Run: python benchmarks/edge_heads.py --data-dir ../shared/data/mnist
(writes benchmarks/results/edge_heads.csv and .md)
"""

import argparse
import statistics
from pathlib import Path

from training_runs import (
    REPOSITORY,
    RESULTS,
    checkout_at,
    markdown_table,
    run_with_skae_of,
    seeds_cells,
    write_csv,
)

SCORES = ("s_per_epoch", "fit_s", "mse", "trustworthiness", "knn_accuracy")
COLUMNS = ["decoder reconstructs", "checkout", *SCORES]

# One fit, run by a fresh interpreter whose skae is the checkout's.
FIT = """
import json, os, sys
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, {benchmarks!r})
from training_runs import EpochTimer, labelled_validation_split, map_scores, training_with
from skae import AutoencoderReducer
timer = EpochTimer()
with training_with(timer):
    scores = map_scores(
        AutoencoderReducer(2, random_state={seed}),
        *labelled_validation_split({data_dir!r}),
    )
print(json.dumps({{**scores, "s_per_epoch": timer.steady()}}))
"""


def fit_in(checkout: Path, data_dir: str, seed: int) -> dict:
    """The scores of one fit by the skae package of ``checkout``, in a new process."""
    code = FIT.format(
        benchmarks=str(REPOSITORY / "benchmarks"), seed=seed, data_dir=data_dir
    )
    return run_with_skae_of(checkout, code)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", required=True, help="MNIST's folder")
    parser.add_argument(
        "--baseline", default="63cbe3a", help="commit reconstructing both ends"
    )
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    data_dir = str(Path(args.data_dir).resolve())
    with checkout_at(args.baseline) as baseline:
        checkouts = {"both ends": baseline, "heads only": REPOSITORY}
        runs = {name: [] for name in checkouts}
        for seed in range(args.rounds):
            for name, checkout in checkouts.items():
                runs[name].append(fit_in(checkout, data_dir, seed))
                print(name, seed, runs[name][-1], flush=True)
    labels = {"both ends": args.baseline, "heads only": "this checkout"}
    rows = [
        {
            "decoder reconstructs": name,
            "checkout": labels[name],
            **seeds_cells(runs[name], SCORES, "median"),
        }
        for name in checkouts
    ]
    write_csv("edge_heads", COLUMNS, rows)
    ratios = [
        heads["s_per_epoch"] / both["s_per_epoch"]
        for heads, both in zip(runs["heads only"], runs["both ends"], strict=True)
    ]
    lines = [
        "The default 2-D map (InfoNCE), its decoder reconstructing each edge batch's "
        "two ends or its heads only: fitted on MNIST images 0-5,999, scored on "
        f"validation images 6,000-7,999; seeds 0-{args.rounds - 1}, one a round, the "
        "two checkouts alternating in fresh processes. Seconds per epoch are the "
        "median over a fit's epochs after the first.",
        "",
        *markdown_table(COLUMNS, rows),
        "",
        "Seconds per epoch, heads only over both ends, paired by round: "
        + " / ".join(f"{ratio:.2f}" for ratio in ratios)
        + f" (median {statistics.median(ratios):.2f}).",
    ]
    (RESULTS / "edge_heads.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
