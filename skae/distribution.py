"""Training under the `tf.distribute` strategy whose scope `fit` is called in.

Keras trains a model under the strategy its variables were made under, and skae makes
the networks inside `fit`: ``with strategy.scope(): reducer.fit(X)`` builds them under
``strategy`` and Keras trains them data-parallel. What skae adds:

- continuing training (`partial_fit`, a warm-started `fit`) inside a strategy's scope,
  of networks made outside any, first rebuilds them under the strategy from a copy of
  their weights and optimizer state (Keras would fail: a strategy cannot update
  variables made outside it; `skae.fitted.FittedNetworks.under_current_strategy`).
  Networks made under another strategy cannot even be read inside this one's scope:
  continuing them there raises a clear error instead of TensorFlow's;
- while skae trains, the model works around two Keras 3 bugs that break distributed
  `fit` (see `keras_fit_workarounds`), without changing Keras for any other code.
"""

import inspect
from contextlib import contextmanager

import keras
import tensorflow as tf


def creation_strategy(model: keras.Model) -> tf.distribute.Strategy | None:
    """The strategy whose scope the model was made in, or None for none."""
    # Keras records it when the model is made and trains under it from then on.
    return getattr(model, "_distribute_strategy", None)


def scope_strategy() -> tf.distribute.Strategy | None:
    """The strategy whose scope the caller is in, or None outside any."""
    return tf.distribute.get_strategy() if tf.distribute.has_strategy() else None


def check_continuable_here(model: keras.Model) -> None:
    """Refuse to continue training inside the scope of another strategy than the model's.

    TensorFlow cannot read or update a distributed model's variables inside the scope
    of another strategy, so it cannot be copied over either: it can be saved outside
    any scope and loaded inside the new one.
    """
    current, made_under = scope_strategy(), creation_strategy(model)
    if current is not None and made_under is not None and current is not made_under:
        raise RuntimeError(
            f"This reducer's networks were made under another {type(made_under).__name__}"
            f" than the {type(current).__name__} whose scope training was called in, and "
            "TensorFlow cannot mix two strategies. Continue training in the scope it was "
            "made in or outside any scope; or save it outside any scope "
            "(reducer.save(path)) and load it inside the new scope "
            "(AutoencoderReducer.load(path)); or refit it from scratch "
            "(warm_start=False)."
        )


def made_under_another_strategy(model: keras.Model) -> bool:
    """Whether the caller is in the scope of a strategy the model was not made under.

    Such a model must be rebuilt under the current strategy before training there (it
    must have passed `check_continuable_here`); outside any scope a model keeps
    training under the strategy it was made under.
    """
    current = scope_strategy()
    return current is not None and current is not creation_strategy(model)


# The private Trainer methods `keras_fit_workarounds` replaces or calls, with the
# parameters they take in every Keras skae was tested with (3.9 to 3.15). A test checks
# the installed Keras against this; `private_hooks_problem` refuses distributed training
# on a Keras whose hooks differ, before anything is patched.
PRIVATE_KERAS_HOOKS = {
    "_maybe_symbolic_build": ("iterator", "data_batch"),
    "_symbolic_build": ("iterator", "data_batch"),
}
TESTED_KERAS_VERSIONS = ((3, 9), (3, 15))


def private_hooks_problem(model) -> str | None:
    """What differs in Keras' private hooks from what skae relies on, or None."""
    problems = []
    for hook, parameters in PRIVATE_KERAS_HOOKS.items():
        method = getattr(type(model), hook, None)
        if method is None:
            problems.append(f"has no {hook}")
            continue
        found = tuple(inspect.signature(method).parameters)[1:]  # without self
        if found != parameters:
            problems.append(f"{hook} takes {found}, not {parameters}")
    return "; ".join(problems) or None


@contextmanager
def keras_fit_workarounds(model: keras.Model):
    """While in this context, the model's `fit` avoids two Keras 3 distribution bugs.

    Set on this model only and removed on exit:

    - Keras builds a distributed model from its first batch averaged over all replicas
      (``Trainer._maybe_symbolic_build``), which fails across workers and for replica
      batches of unequal sizes; building needs only shapes, so the local replica's
      batch does;
    - under `MultiWorkerMirroredStrategy`, Keras averages each step's scalar logs along
      an axis they do not have (keras-team/keras#20585); the steps used here average
      them over all replicas.
    """
    strategy = creation_strategy(model)
    if strategy is None:
        yield
        return
    problem = private_hooks_problem(model)
    if problem is not None:
        # Failing loudly: without the workaround, distributed training breaks later and
        # less clearly (or, across workers, averages its logs wrongly).
        low, high = TESTED_KERAS_VERSIONS
        raise RuntimeError(
            f"skae's distributed training patches private Keras methods, and in Keras "
            f"{keras.__version__} they changed ({problem}); skae was tested with Keras "
            f"{low[0]}.{low[1]} to {high[0]}.{high[1]}. Train without a tf.distribute "
            "strategy, or use a Keras version in that range."
        )

    def build_from_local_batch(iterator=None, data_batch=None):
        if iterator is not None:
            for _, _, batches in iterator:
                data_batch = tf.nest.map_structure(
                    lambda value: strategy.experimental_local_results(value)[0],
                    next(batches),
                )
                break
        with strategy.scope():
            model._symbolic_build(data_batch=data_batch)

    object.__setattr__(model, "_maybe_symbolic_build", build_from_local_batch)
    multi_worker = isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy)
    if multi_worker:
        model.train_function = _averaged_over_replicas(strategy, model.train_step)
        model.test_function = _averaged_over_replicas(strategy, model.test_step)
    try:
        yield
    finally:
        object.__delattr__(model, "_maybe_symbolic_build")
        if multi_worker:
            # Keras makes its own step functions again when it next needs them.
            model.train_function = model.test_function = None


def _averaged_over_replicas(strategy: tf.distribute.Strategy, step):
    """A Keras step function running ``step`` on each replica, logs averaged over all."""

    @tf.function(reduce_retracing=True)
    def run_step(iterator):
        logs = strategy.run(step, args=(iterator.get_next(),))
        return tf.nest.map_structure(
            lambda value: strategy.reduce("MEAN", value, axis=None), logs
        )

    return run_step
