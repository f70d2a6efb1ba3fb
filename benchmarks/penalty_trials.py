"""Can a table's "auto" penalty be chosen for less than two trial fits?

``alpha="auto"`` on a table (`skae.penalty`) trains two trial networks on the
training part of the seeded validation split, without a penalty and with
`skae.penalty.TABLE_PENALTY`, and takes the penalty if it reconstructs the held-out
rows better by more than `skae.penalty.MIN_Z` standard errors: with the final fit,
three fits. Two cheaper rules are scored here against that choice:

- "one trial": train only the network without a penalty, and take the penalty when
  the PCA start it began from (the untrained network) reconstructs the held-out rows
  better by more than MIN_Z standard errors: the network learnt noise. Two fits.
- "half-epoch trials": both trials, for half the epochs. Two fits' worth of epochs.

Cases: `benchmarks/tabular.py`'s three raw tables at 2 components (its inner split's
fitted rows and its whole training split, defaults and ``noise=0.1``), digits in [0, 1]
plus Gaussian noise (scale 0.25, ``RandomState(0)``) at 8 components on 300, 500 and
1,000 rows, and, with --data-dir, `benchmarks/denoising.py`'s 1,000 noisy MNIST
training images at 32 components. Only each case's own training rows are read: the
trials' held-out rows are drawn from them, as in any fit.

Writes benchmarks/results/penalty_trials.md. Run: python benchmarks/penalty_trials.py
--data-dir ../shared/data/mnist (about 6 minutes on 2 cores).
"""

import argparse
import os
from unittest import mock

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from tabular import TABLES  # noqa: E402
from training_runs import RESULTS, markdown_table  # noqa: E402

import skae.estimator  # noqa: E402
from skae import AutoencoderReducer  # noqa: E402
from skae.penalty import (  # noqa: E402
    MIN_HELD_OUT_ROWS,
    MIN_Z,
    TABLE_PENALTY,
    paired_z,
    trial_errors,
)

COLUMNS = [
    "case",
    "seed",
    "held-out rows",
    "z: PCA start over no penalty",
    "z: penalty over none",
    "z: penalty over none, half epochs",
    "now (3 fits)",
    "one trial (2 fits)",
    "half-epoch trials",
]


class _Scored(Exception):
    """Ends a fit once its trials are scored: the final fit is not needed here."""


def cases(data_dir):
    """(name, rows, parameters) of every case, in the order of the report."""
    for name, load in TABLES.items():
        X_train, _ = train_test_split(load(), test_size=0.3, random_state=0)
        X_fit, _ = train_test_split(X_train, test_size=0.3, random_state=0)
        yield f"{name}, inner split", X_fit, {}
        yield f"{name}, training split", X_train, {}
        yield f"{name}, inner split, noise=0.1", X_fit, {"noise": 0.1}
    digits = load_digits().data / 16.0
    for n_rows in (300, 500, 1000):
        noise = np.random.RandomState(0).normal(scale=0.25, size=(n_rows, 64))
        yield f"noisy digits, {n_rows} rows", digits[:n_rows] + noise, {"n_components": 8}
    if data_dir is not None:
        from denoising import N_COMPONENTS, example_rows

        noisy_images = example_rows(data_dir)["train"][1]
        yield "noisy MNIST, 1,000 rows", noisy_images, {"n_components": N_COMPONENTS}


def scored(X, params, seed) -> dict:
    """The z values of one case's trials, taken from inside a default fit."""
    record = {}

    def score_trials(X, spec, split, seeds, shuffle_seed, build):
        def errors(alpha, epochs=None):
            return trial_errors(
                X, spec, split, seeds, shuffle_seed, build, alpha=alpha, epochs=epochs
            )

        half = max(1, spec.epochs // 2)
        none = errors(0.0)
        record.update(
            held_out=len(split[1]),
            start=paired_z(none, errors(0.0, epochs=0)),
            full=paired_z(none, errors(TABLE_PENALTY)),
            half=paired_z(errors(0.0, epochs=half), errors(TABLE_PENALTY, epochs=half)),
        )
        raise _Scored

    reducer = AutoencoderReducer(**{"n_components": 2, **params}, random_state=seed)
    with mock.patch.object(skae.estimator, "chosen_alpha", score_trials):
        try:
            reducer.fit(X)
        except _Scored:
            return record
    raise RuntimeError("no trials ran: fewer held-out rows than the trials need")


def choice(z: float, held_out: int) -> str:
    """A rule's alpha; below `MIN_HELD_OUT_ROWS` every rule fits 0 without trials."""
    if held_out < MIN_HELD_OUT_ROWS:
        return "0, no trials"
    return f"{TABLE_PENALTY:g}" if z > MIN_Z else "0"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", help="MNIST's folder, for the noisy MNIST case")
    parser.add_argument(
        "--seeds", default="0,1", help="comma-separated random_state values"
    )
    args = parser.parse_args()
    rows = []
    for name, X, params in cases(args.data_dir):
        for seed in (int(seed) for seed in args.seeds.split(",")):
            z = scored(X, params, seed)
            rows.append(
                {
                    "case": name,
                    "seed": str(seed),
                    "held-out rows": str(z["held_out"]),
                    "z: PCA start over no penalty": f"{z['start']:.2f}",
                    "z: penalty over none": f"{z['full']:.2f}",
                    "z: penalty over none, half epochs": f"{z['half']:.2f}",
                    "now (3 fits)": choice(z["full"], z["held_out"]),
                    "one trial (2 fits)": choice(z["start"], z["held_out"]),
                    "half-epoch trials": choice(z["half"], z["held_out"]),
                }
            )
            print(*rows[-1].values(), sep=" | ", flush=True)
    tried = [row for row in rows if int(row["held-out rows"]) >= MIN_HELD_OUT_ROWS]
    agree = {
        rule: sum(row[rule] == row["now (3 fits)"] for row in tried)
        for rule in ("one trial (2 fits)", "half-epoch trials")
    }
    lines = [
        "# The tables' auto penalty: three fits against two",
        "",
        "`python benchmarks/penalty_trials.py --data-dir ../shared/data/mnist`; "
        "protocol in the script's docstring. z: paired standard errors on the trials' "
        f"held-out rows; a rule takes the penalty above {MIN_Z:g}.",
        "",
        *markdown_table(COLUMNS, rows),
        "",
        *(
            f"- {rule}: the choice of today's rule in {count} of the {len(tried)} "
            f"cases with at least {MIN_HELD_OUT_ROWS} held-out rows."
            for rule, count in agree.items()
        ),
    ]
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "penalty_trials.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
