"""Training glue: seeded batches, callbacks, divergence detection, plain-dict history.

Training runs through Keras' own ``Model.fit``. What skae adds is kept small:

- batches come from `skae.batches`: read from the caller's array one batch at a time,
  in a per-epoch order that is a stateless function of an explicit seed, so training is
  reproducible without touching any global seed; on TensorFlow through `tf.data`,
  split over the replicas of the `tf.distribute` strategy the model was made under
  (`skae.tf_batches`, `skae.distribution`), on JAX and PyTorch as `PyDataset`s
  (`skae.sequences`);
- when the monitored loss stops improving, Keras' `ReduceLROnPlateau` halves the learning
  rate and, later, `EarlyStopping` ends training (on held-out rows that skae picks
  itself when early stopping is on: Keras' ``validation_split`` would take the last rows,
  unshuffled). Halving the rate measured far steadier than a constant rate on raw data.
  InfoNCE maps instead lower the rate linearly to 0 over their few, counted passes over
  the edges, and conv networks the same after a short linear rise (`EarlyStopping`
  still applies);
- a callback stops training after an epoch whose loss is not finite; `train` then raises.
"""

import math

import keras
import numpy as np

from .backends import is_tensorflow
from .batches import batch_bounds, edge_batch_bounds, reading_rows

# Tracing Keras' train step into a graph costs about 0.7 s here, while an eager step costs
# about 30 ms: runs of only a few steps (tiny data, partial_fit on a small chunk) finish
# sooner eagerly. Distributed training always runs graphs: eager distributed steps are
# slower still.
EAGER_MAX_STEPS = 16

# Held-out rows are evaluated in batches of at least this many rows.
VALIDATION_BATCH_MIN = 1024


class TrainingDivergedError(FloatingPointError):
    """Raised when the training loss stops being finite."""


class _StopOnNonFiniteLoss(keras.callbacks.Callback):
    """Stop after the first epoch whose loss is NaN or infinite, and remember which.

    Checking once an epoch, not once a batch, keeps Keras' training loop free of a
    per-step device-to-host sync; a NaN loss stays NaN in the epoch's mean.
    """

    def __init__(self):
        super().__init__()
        self.diverged_at_epoch = None

    def on_epoch_end(self, epoch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(float(loss)):
            self.diverged_at_epoch = epoch
            self.model.stop_training = True


def _choose_execution(model: keras.Model, run_eagerly: bool, steps_per_execution: int):
    """Switch between eager and graph steps and set the steps run in one call of the
    compiled function, discarding step functions made otherwise."""
    if (model.run_eagerly, model.steps_per_execution) != (
        run_eagerly,
        steps_per_execution,
    ):
        model.run_eagerly = run_eagerly
        model.steps_per_execution = steps_per_execution
        model.make_train_function(force=True)
        model.make_test_function(force=True)


def _steps_per_execution(feed, eager: bool, steps: int, validating: bool, verbose: int):
    """A whole epoch in one call of TensorFlow's compiled step, where that is safe.

    It cut the dense default's epoch on MNIST by about a tenth, with the same result
    (benchmarks/results/epoch_overhead_mnist_tensorflow.md). Keras runs that many steps
    a call even past an epoch's end, so it must be the epoch's steps; and it evaluates
    with the same count, so not with validation rows. With ``verbose=1`` the progress
    bar moves a step at a time. On JAX and PyTorch, Keras loops over a call's steps in
    Python, a compiled step at a time, so a longer call would save little there.
    """
    whole_epoch = is_tensorflow() and not eager and not feed.distributed and not validating
    return steps if whole_epoch and verbose != 1 else 1


class _EarlyStoppingFromTheStart(keras.callbacks.EarlyStopping):
    """`EarlyStopping` that counts the weights training starts from as a candidate.

    Keras compares epochs only with each other, so when no epoch beats the start (a
    table's networks start at PCA; a warm start, at the last fit) it restores the best
    epoch, worse than where training began. Given the validation loss at the start, this
    restores the starting weights then.
    """

    def __init__(self, start_loss: float, **kwargs):
        super().__init__(restore_best_weights=True, **kwargs)
        self.start_loss = start_loss

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        self.best = self.start_loss
        self.best_weights = self.model.get_weights()


# "warmup_linear" raises the rate over this many epochs (half of shorter fits): on
# MNIST, Adam's first full-size steps from the zero-weighted reconstruction left the
# conv decoder's last ReLU layer dead, and the network at the mean image, for some
# seeds. A rise over one epoch was not enough for every seed, and one over four cost
# more error than one over two (benchmarks/results/conv_warmup_*.md, and scratch runs
# reported with them).
WARMUP_EPOCHS = 2


def linear_rate(learning_rate: float, epoch: int, epochs: int, warmup: int = 0) -> float:
    """The rate of ``epoch`` (from 0) at its midpoint, on a line falling from
    ``learning_rate`` to 0 over ``epochs``, and over the first ``warmup`` epochs on the
    line rising from 0 to ``learning_rate`` where that is lower."""
    middle = epoch + 0.5
    rate = learning_rate * (1 - middle / epochs)
    if middle < warmup:
        rate = min(rate, learning_rate * middle / warmup)
    return rate


def warmup_epochs(epochs: int) -> int:
    return min(WARMUP_EPOCHS, epochs // 2)


def _rate_callbacks(
    patience: int, tol: float, start_loss: float | None, schedule: str, rate: tuple
):
    """The learning rate's schedule, and stopping when the monitored loss stalls.

    ``start_loss`` is the validation loss before training, or None to monitor the
    training loss (and keep the last weights). ``schedule`` is "plateau" to halve the
    rate on plateaus, "linear" to lower it linearly towards 0 over the epochs, or
    "warmup_linear" to raise it first (`linear_rate`); ``rate`` is ``(learning_rate,
    epochs)``.
    """
    monitor = "loss" if start_loss is None else "val_loss"
    stopping = {"monitor": monitor, "min_delta": tol, "patience": patience}
    if schedule == "plateau":
        schedule = keras.callbacks.ReduceLROnPlateau(
            monitor=monitor, factor=0.5, patience=max(1, patience // 2), min_delta=tol
        )
    else:
        learning_rate, epochs = rate
        warmup = warmup_epochs(epochs) if schedule == "warmup_linear" else 0
        schedule = keras.callbacks.LearningRateScheduler(
            lambda epoch, _rate: linear_rate(learning_rate, epoch, epochs, warmup)
        )
    return [
        schedule,
        keras.callbacks.EarlyStopping(**stopping)
        if start_loss is None
        else _EarlyStoppingFromTheStart(start_loss, **stopping),
    ]


def _feed(model: keras.Model):
    """The backend's way of feeding batches to ``Model.fit``."""
    if is_tensorflow():
        from .tf_batches import TFFeed

        return TFFeed(model)
    from .sequences import SequenceFeed

    return SequenceFeed(model)


def train(
    model: keras.Model,
    X,
    *,
    epochs: int,
    batch_size: int,
    seed: int,
    first_epoch: int = 0,
    train_indices=None,
    validation_indices=None,
    patience: int | None = None,
    tol: float = 0.0,
    verbose: int = 0,
    graph=None,
    schedule: str = "plateau",
    learning_rate: float,
) -> dict[str, list[float]]:
    """Fit a compiled autoencoder on rows of X and return its per-epoch history.

    Rows are read from X one batch at a time (`skae.batches`), so X may be a
    `numpy.memmap` larger than memory. The model trains under the `tf.distribute`
    strategy it was made under, if any.

    Parameters
    ----------
    model : keras.Model
        A compiled model whose input and target are the same rows.
    X : array-like of shape (n_samples, n_features)
        The rows, in any floating dtype.
    epochs : int
        Passes over the training rows (fewer if ``patience`` ends training early).
    batch_size : int
        Rows per gradient step over all replicas (capped at the number of rows).
    seed : int
        Seed for the per-epoch shuffles.
    first_epoch : int
        Index of the first epoch, so that continued training draws new shuffles.
    train_indices : ndarray of int or None
        The rows of X to train on; None for all.
    validation_indices : ndarray of int or None
        Held-out rows of X, evaluated after each epoch as ``val_loss``.
    patience : int or None
        Epochs without an improvement of at least ``tol`` in the monitored loss
        (``val_loss`` with validation rows, else ``loss``) before training stops; the
        learning rate is halved after half as many (or moves as ``schedule``
        says). With validation rows, the weights of
        the best epoch are restored, or the starting weights if no epoch beat them. None
        trains exactly ``epochs`` epochs.
    tol : float
        Smallest decrease of the monitored loss that counts as an improvement.
    verbose : int
        Keras' verbosity (0 silent, 1 progress bar, 2 one line per epoch).
    graph : skae.neighbors.NeighborGraph or None
        The training rows' neighbour graph, for a model with a neighbour loss: batches
        are then the ends of drawn edges (`skae.batches`).
    schedule : {"plateau", "linear", "warmup_linear"}
        How the learning rate moves (`_rate_callbacks`): halved on plateaus, or along
        lines over the ``epochs`` (each epoch at its midpoint's rate).
    learning_rate : float
        The optimizer's rate, which the lines rise to and fall from (given, not read
        back: under a `tf.distribute` strategy the optimizer's is a mirrored variable).

    Raises
    ------
    TrainingDivergedError
        If the loss becomes NaN or infinite; the model's weights are then unusable and the
        caller must restore them.
    ValueError
        If there are fewer training or validation rows than replicas.
    """
    feed = _feed(model)
    n_train = X.shape[0] if train_indices is None else len(train_indices)
    shares = dict(n_replicas=feed.n_replicas, even=feed.even)
    if graph is None:
        steps = len(batch_bounds(n_train, batch_size, **shares)[0])
    else:
        steps = len(edge_batch_bounds(graph.n_edges, batch_size, **shares)[0])
    divergence = _StopOnNonFiniteLoss()
    callbacks = [divergence]
    validating = validation_indices is not None
    eager = not feed.distributed and epochs * steps <= EAGER_MAX_STEPS
    _choose_execution(
        model, eager, _steps_per_execution(feed, eager, steps, validating, verbose)
    )
    with reading_rows(X) as reader:
        validation_data = validation_steps = None
        if validating:
            validation_batch_size = max(batch_size, VALIDATION_BATCH_MIN)
            validation_data = feed.ordered(
                reader, validation_batch_size, indices=validation_indices
            )
            validation_steps = len(
                batch_bounds(len(validation_indices), validation_batch_size, **shares)[0]
            )
        batches, feed_callbacks = feed.shuffled(
            reader,
            batch_size,
            seed,
            first_epoch,
            epochs,
            indices=train_indices,
            graph=graph,
        )
        callbacks += feed_callbacks
        with feed.fitting():
            if patience is not None:
                start_loss = None
                if validating:
                    start_loss = model.evaluate(
                        validation_data, steps=validation_steps, verbose=0, return_dict=True
                    )["loss"]
                rate = (learning_rate, epochs)
                callbacks += _rate_callbacks(patience, tol, start_loss, schedule, rate)
            result = model.fit(
                batches,
                epochs=epochs,
                steps_per_epoch=steps,
                validation_data=validation_data,
                validation_steps=validation_steps,
                callbacks=callbacks,
                shuffle=False,
                verbose=verbose,
            )
    history = {
        name: [float(value) for value in values] for name, values in result.history.items()
    }
    if divergence.diverged_at_epoch is not None or not all(
        np.isfinite(history.get("loss", [0.0]))
    ):
        raise TrainingDivergedError(
            f"Training diverged: the loss became NaN or infinite in epoch "
            f"{first_epoch + (divergence.diverged_at_epoch or 0) + 1}. Try a smaller "
            f"learning_rate, scaling the input (for example with StandardScaler), or "
            f"loss='mse'."
        )
    return history
