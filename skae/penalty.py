"""The tables' "auto" weight penalty, chosen on held-out rows.

On tables the networks learn beside PCA (`skae.networks.with_linear_path`), and how
much of what they learn is signal depends on the data: on breast cancer, wine and
`skae.datasets.make_mixed_units` an L2 penalty on the weights cost the gain over PCA
(``benchmarks/results/tabular.md``), while 1,000 noisy MNIST images (784 features),
trained without one, learnt their noise and doubled PCA's error
(``benchmarks/results/denoising_mnist.md``). Only the rows can tell, so ``alpha="auto"``
asks them: a network without the penalty and one with `TABLE_PENALTY` train on the
training part of the seeded validation split, and the penalty is taken only if it
reconstructs the held-out rows better by more than `MIN_Z` standard errors of the
rows' paired differences: a clean table's few held-out rows (9 to 42 in
``benchmarks/tabular.py``) are too noisy a judge to take it on a small edge, while on
the noisy images it wins on nearly every row.

The caller then fits the chosen penalty on all the rows, with the seeds these trials
copied, so the result is the fit an explicit ``alpha`` of the same value gives.
"""

import copy
from dataclasses import replace

import numpy as np

from .rows import RowSubset, dense_chunks
from .spec import FitSpec

# The penalty that denoised the noisy MNIST images best on validation rows.
TABLE_PENALTY = 3e-4
# How clearly the penalty must win: in standard errors of the paired differences.
MIN_Z = 2.0
# Fewer held-out rows make too rough a standard error to compare by: no trials then.
MIN_HELD_OUT_ROWS = 20


def chosen_alpha(X, spec: FitSpec, split, seeds, shuffle_seed: int, build) -> float:
    """`TABLE_PENALTY` if it reconstructs held-out rows clearly better than none, else 0.

    With fewer than `MIN_HELD_OUT_ROWS` held-out rows nothing is tried: 0.

    Parameters
    ----------
    X : array-like or sparse matrix of shape (n_samples, n_features)
        The checked training rows.
    spec : FitSpec
        The fit's spec, its ``alpha`` still None.
    split : tuple of ndarray of int
        The (training, validation) row indices, as early stopping draws them.
    seeds : skae.seeding.SeedStream
        The stream the final networks will draw from; each trial draws from a copy.
    shuffle_seed : int
        Seeds the trials' shuffles, as it does the final fit's.
    build : callable
        ``build(rows, spec, seeds)`` -> ``(FittedNetworks, DataScaling)``, compiled.
    """
    _, validation = split
    if len(validation) < MIN_HELD_OUT_ROWS:
        return 0.0

    def errors(alpha):
        return trial_errors(X, spec, split, seeds, shuffle_seed, build, alpha=alpha)

    z = paired_z(errors(0.0), errors(TABLE_PENALTY))
    return TABLE_PENALTY if z > MIN_Z else 0.0


def trial_errors(
    X, spec: FitSpec, split, seeds, shuffle_seed: int, build, *, alpha: float, epochs=None
) -> np.ndarray:
    """Each held-out row's loss after training with ``alpha`` on the split's training rows.

    The arguments are `chosen_alpha`'s. ``epochs`` None trains the spec's epochs; 0 trains
    none, which leaves a table's networks at their PCA start.
    """
    train, validation = split
    trial = replace(spec, alpha=alpha)
    networks, scaling = build(RowSubset(X, train), trial, copy.deepcopy(seeds))
    epochs = trial.epochs if epochs is None else epochs
    if epochs:
        networks.train(X, trial, epochs=epochs, seed=shuffle_seed, train_indices=train)
    return _row_errors(networks, scaling, RowSubset(X, validation))


def paired_z(errors: np.ndarray, other_errors: np.ndarray) -> float:
    """How many standard errors ``other_errors`` are below ``errors``, row by row (0 if
    no row differs)."""
    gains = errors - other_errors
    if not np.any(gains):
        return 0.0
    standard_error = gains.std(ddof=1) / np.sqrt(len(gains))
    if standard_error == 0:
        return float(np.copysign(np.inf, gains.mean()))
    return float(gains.mean() / standard_error)


def _row_errors(networks, scaling, rows) -> np.ndarray:
    """Each row's reconstruction loss without any penalty: 1.0 predicts the mean row."""
    errors = []
    for chunk in dense_chunks(rows):
        reconstruction = networks.decode(networks.encode(chunk.astype(np.float32)))
        scaled = (chunk - reconstruction) * scaling.error_scale
        errors.append(np.mean(scaled**2, axis=1))
    return np.concatenate(errors)
