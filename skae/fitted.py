"""One reducer's fitted networks, and everything done to them as a whole.

`FittedNetworks` holds the trained Keras ``autoencoder`` with its ``encoder`` and
``decoder`` (nested models sharing its layers) and their fast forward passes
(`skae.inference`). It trains them (`skae.training`), snapshots and restores their
weights and optimizer state, moves them under the caller's `tf.distribute` strategy,
turns them into bytes and back (safe mode: loading never runs code), and exports them.
The estimator talks to the networks through this object only. It pickles as the
``.keras`` archive bytes, so reducers pickle, deep-copy and clone without patching Keras.
"""

import os
import tempfile

import keras
import numpy as np
import scipy.sparse

from . import layers, losses  # noqa: F401 (registers skae's Keras objects for loading)
from .backends import backend, is_tensorflow, tensorflow_hidden
from .inference import ForwardPass
from .spec import FitSpec


def model_to_bytes(model: keras.Model) -> bytes:
    """The model (with its optimizer state, when compiled) as `.keras` archive bytes.

    Keras writes archives only to paths: this goes through a private temporary folder.
    """
    with tempfile.TemporaryDirectory(prefix="skae-") as folder:
        path = os.path.join(folder, "model.keras")
        with tensorflow_hidden():  # Keras looks for TensorFlow objects when saving
            model.save(path)
        with open(path, "rb") as archive:
            return archive.read()


def model_from_bytes(data: bytes) -> keras.Model:
    """Rebuild a model written by `model_to_bytes`, without running code from it."""
    with tempfile.TemporaryDirectory(prefix="skae-") as folder:
        path = os.path.join(folder, "model.keras")
        with open(path, "wb") as archive:
            archive.write(data)
        with tensorflow_hidden():
            return keras.saving.load_model(path, safe_mode=True)


class FittedNetworks:
    """The trained autoencoder, its encoder and decoder, and their forward passes.

    Parameters
    ----------
    autoencoder : keras.Model
        A compiled model with nested models named ``"encoder"`` and ``"decoder"``.
    """

    def __init__(self, autoencoder: keras.Model):
        self.autoencoder = autoencoder
        self.encoder = autoencoder.get_layer("encoder")
        self.decoder = autoencoder.get_layer("decoder")
        self._refresh()

    def _refresh(self):
        """Snapshot the current weights into the transform and inverse_transform paths."""
        self.encode = ForwardPass(self.encoder)
        self.decode = ForwardPass(self.decoder)

    @property
    def n_components(self) -> int:
        return self.encode.n_outputs

    @property
    def scales_input(self) -> bool:
        """Whether the encoder standardises its input (rows not in [0, 1])."""
        return any(layer.name == "scale_input" for layer in self.encoder.layers)

    # ------------------------------------------------------------------ training

    def train(self, X, spec: FitSpec, *, epochs: int, seed: int, **options):
        """Train up to ``epochs`` epochs as ``spec`` says; the per-epoch history.

        ``options`` go to `skae.training.train` (seed, first_epoch, indices, verbose).
        The forward passes are refreshed afterwards, also when training fails.
        """
        from .training import train

        graph = None
        if spec.neighbor_loss is not None:
            graph = self._neighbor_graph(X, spec, options.get("train_indices"), seed)
        self.autoencoder.optimizer.learning_rate = spec.learning_rate
        try:
            return train(
                self.autoencoder,
                X,
                epochs=epochs,
                batch_size=spec.batch_size,
                patience=spec.n_iter_no_change if epochs > 1 else None,
                tol=spec.tol,
                seed=seed,
                graph=graph,
                schedule=spec.learning_rate_schedule,
                learning_rate=spec.learning_rate,
                **options,
            )
        finally:
            self._refresh()

    def _neighbor_graph(self, X, spec: FitSpec, train_indices, seed: int):
        """The neighbour graph of the training rows, as the encoder sees them."""
        from .neighbors import neighbor_graph

        rows = X if train_indices is None else X[train_indices]
        if self.scales_input:  # tables: standardised, as the encoder sees them
            scaling = self.encoder.get_layer("scale_input")
            if scipy.sparse.issparse(rows):
                # Distances do not see the offset: scaling alone keeps the rows sparse.
                # In float64, since uncentred rows lose more to rounding.
                rows = rows.multiply(1 / scaling.scale.astype(np.float64)).tocsr()
            else:
                rows = (np.asarray(rows, np.float32) - scaling.offset) / scaling.scale
        return neighbor_graph(rows, spec.n_neighbors, spec.min_dist, seed)

    def snapshot(self):
        """The weights and optimizer state, for `restore` after a failed continuation."""
        if is_tensorflow():
            from .distribution import check_continuable_here

            # Before reading the weights: TensorFlow refuses to read them inside the
            # scope of another strategy than theirs.
            check_continuable_here(self.autoencoder)
        optimizer = self.autoencoder.optimizer
        return (
            self.autoencoder.get_weights(),
            [variable.numpy() for variable in optimizer.variables],
        )

    def restore(self, snapshot) -> None:
        model_weights, optimizer_values = snapshot
        self.autoencoder.set_weights(model_weights)
        for variable, value in zip(
            self.autoencoder.optimizer.variables, optimizer_values, strict=True
        ):
            variable.assign(value)
        self._refresh()

    def under_current_strategy(self) -> "FittedNetworks":
        """These networks, or a copy made under the caller's `tf.distribute` strategy.

        Networks made under one strategy (or none) cannot train under another; a copy
        with the same weights and optimizer state made under the current one can.
        """
        if not is_tensorflow():
            return self
        from .distribution import made_under_another_strategy

        if not made_under_another_strategy(self.autoencoder):
            return self
        return FittedNetworks(model_from_bytes(self.to_bytes()))

    # ----------------------------------------------------------- bytes and export

    def to_bytes(self) -> bytes:
        return model_to_bytes(self.autoencoder)

    @classmethod
    def from_bytes(cls, data: bytes, source: str = "the archive") -> "FittedNetworks":
        """Networks from `to_bytes`; ValueError, naming ``source``, if they are not."""
        try:
            model = model_from_bytes(data)
        except Exception as error:  # Keras raises many types for a bad archive
            message = str(error)
            if "safe_mode" in message or "arbitrary code" in message:
                raise ValueError(
                    f"{source} was refused: loading its Keras model would run code from "
                    "the file (a Lambda layer or another Python function). skae loads "
                    "models with Keras' safe_mode=True and never runs code from a file."
                ) from error
            raise ValueError(
                f"{source} is corrupted or not a skae model file: its Keras model cannot "
                f"be rebuilt ({type(error).__name__}: {message})"
            ) from error
        if not isinstance(model, keras.Model):
            raise ValueError(f"{source} is not a skae model file: it holds no Keras model.")
        for part in ("encoder", "decoder"):
            if not any(
                layer.name == part and isinstance(layer, keras.Model)
                for layer in model.layers
            ):
                raise ValueError(
                    f"{source} is not a skae model file: its Keras model has no {part!r} "
                    "layer."
                )
        return cls(model)

    @property
    def n_features(self) -> int:
        return int(np.prod(self.autoencoder.input_shape[1:]))

    def __getstate__(self):
        return {"keras": self.to_bytes()}

    def __setstate__(self, state):
        self.__init__(model_from_bytes(state["keras"]))

    def export(self, path, part: str) -> None:
        """Write the encoder or decoder as a TensorFlow SavedModel.

        Keras writes SavedModels from TensorFlow and JAX models (both through
        TensorFlow), not from PyTorch ones.
        """
        if backend() == "torch":
            raise RuntimeError(
                "export writes a TensorFlow SavedModel, which Keras makes from TensorFlow "
                "and JAX models, not PyTorch ones. Save the reducer (reducer.save(path)) "
                "and export it under KERAS_BACKEND=tensorflow or jax: the file loads on "
                "every backend."
            )
        model = self.encoder if part == "encoder" else self.decoder
        model.export(path, format="tf_saved_model", verbose=False)
