"""Running fitted Keras models on NumPy rows, without `Model.predict`'s per-call cost.

`Model.predict` builds a data pipeline and a step function on every call: tens of
milliseconds for a single row. Two faster paths, chosen once per model:

- a chain of layers skae knows (Dense, FeatureScaling, LinearSkip, Normalization,
  Activation and the layers that are the identity at inference) runs as NumPy matrix
  products in the input's own precision, on a copy of the weights taken when the
  `ForwardPass` is made (reading Keras variables costs about 40 us each, many times the
  product itself for one row);
- anything else (convolutions, a user's own layers) runs through the backend's own
  compiled call: one `tf.function` traced for any batch size on TensorFlow, `jax.jit`
  of the model's stateless call on JAX, and the eager model under `torch.no_grad` on
  PyTorch.

Large inputs are processed in chunks of rows written into one preallocated output, so
peak memory stays a small multiple of the input and output (a sparse input is made dense
one chunk at a time). On the NumPy path the chunks are shared out among as many Python
threads as BLAS would use, each product running on one BLAS thread (as scikit-learn's
KMeans does): BLAS splits a product evenly between its threads, so on a busy machine one
thread kept waiting holds up the whole product, while threads that each take the next
chunk keep every core busy. On 10,000 rows of the default network, on a busy two-core
machine, this took the median time from 1.2 to 0.7 times a direct call of the Keras
model, in alternating runs.
"""

import threading
from concurrent.futures import ThreadPoolExecutor
from functools import partial

import keras
import numpy as np

from .activations import NUMPY_ACTIVATIONS
from .backends import backend
from .layers import FeatureScaling, GaussianCode, LinearSkip
from .rows import CHUNK_BYTES, dense

# Small enough that the chunks even out between threads, large enough that a product
# stays efficient: 512 to 2,048 rows measured alike on the default network.
_CHUNK_ROWS = 1024
# Rows of the traced path run in batches of a multiple of this many (see _run_chunk).
_BATCH_MULTIPLE = 16


def chunk_rows(n_columns: int) -> int:
    """Rows per chunk for inputs or outputs ``n_columns`` wide: a multiple of 16.

    Wide rows (word counts, one-hot tables) run in fewer rows per chunk, so that a
    chunk's dense rows and outputs stay near `skae.rows.CHUNK_BYTES` of float64.
    """
    fitting = CHUNK_BYTES // (8 * n_columns) // _BATCH_MULTIPLE * _BATCH_MULTIPLE
    return min(_CHUNK_ROWS, max(_BATCH_MULTIPLE, fitting))


_IDENTITY_AT_INFERENCE = (
    keras.layers.GaussianNoise,
    keras.layers.Dropout,
    keras.layers.ActivityRegularization,
)


def _activation_name(function) -> str | None:
    name = getattr(function, "__name__", None)
    return name if name in NUMPY_ACTIVATIONS else None


def _in_both_precisions(values) -> dict:
    values = np.asarray(values, dtype=np.float64)
    return {np.dtype(np.float64): values, np.dtype(np.float32): values.astype(np.float32)}


def _layer_step(layer):
    """A NumPy function computing one layer at inference, or None if unknown."""
    if isinstance(layer, _IDENTITY_AT_INFERENCE):
        return lambda x: x
    if isinstance(layer, LinearSkip):
        steps = _numpy_steps(layer.network)
        if steps is None:
            return None
        kernel = _in_both_precisions(layer.kernel.numpy())

        def beside_linear_map(x):
            out = x @ kernel[x.dtype]
            for step in steps:
                x = step(x)
            return x + out

        return beside_linear_map
    if isinstance(layer, GaussianCode):
        return _layer_step(layer.mean)  # the code's mean, as at inference
    if isinstance(layer, keras.layers.Dense):
        activation = NUMPY_ACTIVATIONS.get(_activation_name(layer.activation))
        if activation is None:
            return None
        kernel = _in_both_precisions(layer.kernel.numpy())
        bias = _in_both_precisions(layer.bias.numpy() if layer.use_bias else 0.0)

        def dense(x):
            y = x @ kernel[x.dtype]
            y += bias[x.dtype]  # in place: y is this step's own array
            return activation(y)

        return dense
    if isinstance(layer, keras.layers.Activation):
        activation = NUMPY_ACTIVATIONS.get(_activation_name(layer.activation))
        return None if activation is None else activation
    if isinstance(layer, FeatureScaling):
        offset = _in_both_precisions(layer.offset)
        scale = _in_both_precisions(layer.scale)
        if layer.invert:
            return lambda x: offset[x.dtype] + x * scale[x.dtype]
        return lambda x: (x - offset[x.dtype]) / scale[x.dtype]
    # Files written by skae 0.1.0 scale with Normalization layers.
    if isinstance(layer, keras.layers.Normalization) and layer.input_mean is not None:
        mean = _in_both_precisions(np.reshape(layer.input_mean, -1))
        std = _in_both_precisions(
            np.maximum(np.sqrt(np.reshape(layer.input_variance, -1)), 1e-7)
        )
        if layer.invert:
            return lambda x: x * std[x.dtype] + mean[x.dtype]
        return lambda x: (x - mean[x.dtype]) / std[x.dtype]
    return None


class _OneBlasThreadPerCall:
    """While entered, BLAS products run on one thread each; gives the count they had.

    Passes that overlap (transforms in several threads) share one limit, so that the
    last one out restores the count the first one found.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._controller = None
        self._limiter = None
        self._passes = 0
        self._threads = 1

    def __enter__(self) -> int:
        with self._lock:
            if self._passes == 0:
                if self._controller is None:
                    # Made once: finding the loaded libraries takes tens of milliseconds.
                    from threadpoolctl import ThreadpoolController

                    self._controller = ThreadpoolController().select(user_api="blas")
                counts = [lib.num_threads for lib in self._controller.lib_controllers]
                self._threads = max(counts, default=1)
                if self._threads > 1:
                    self._limiter = self._controller.limit(limits=1)
            self._passes += 1
            return self._threads

    def __exit__(self, *exc_info):
        with self._lock:
            self._passes -= 1
            if self._passes == 0 and self._limiter is not None:
                self._limiter.restore_original_limits()
                self._limiter = None


_ONE_BLAS_THREAD_PER_CALL = _OneBlasThreadPerCall()


def _flat_layers(model):
    """The layers of nested Sequential models, in order, or None if not a plain chain."""
    if not isinstance(model, keras.Sequential):
        return None
    flat = []
    for layer in model.layers:
        inner = _flat_layers(layer) if isinstance(layer, keras.Model) else [layer]
        if inner is None:
            return None
        flat.extend(inner)
    return flat


def _numpy_steps(model):
    layers = _flat_layers(model)
    if layers is None:
        return None
    steps = [_layer_step(layer) for layer in layers]
    return None if any(step is None for step in steps) else steps


def _jax_call(model):
    """The model at inference as one `jax.jit` function of its weights and rows."""
    import jax

    # Taken now, as the NumPy path's copy is: a new ForwardPass follows new weights.
    trainable = [variable.value for variable in model.trainable_variables]
    non_trainable = [variable.value for variable in model.non_trainable_variables]

    @jax.jit
    def run(trainable, non_trainable, rows):
        return model.stateless_call(trainable, non_trainable, rows, training=False)[0]

    return lambda rows: np.asarray(run(trainable, non_trainable, rows))


def _torch_call(model):
    """The model at inference, eager (PyTorch's own way) and without gradients."""
    import torch

    def run(rows):
        with torch.no_grad():
            return keras.ops.convert_to_numpy(model(rows, training=False))

    return run


class ForwardPass:
    """Apply a fitted Keras model to rows, fast for one row and lean for millions.

    The NumPy path computes with the weights the model has when the `ForwardPass` is
    made: make a new one after changing them.

    Parameters
    ----------
    model : keras.Model
        A model taking rows of shape ``(n_samples, n_inputs)``.
    """

    def __init__(self, model: keras.Model):
        self.model = model
        self._steps = _numpy_steps(model)
        self._graph = None if self._steps is not None else self._traced(model)
        self.n_outputs = int(np.prod(model.output_shape[1:]))

    @property
    def uses_numpy(self) -> bool:
        """Whether the model runs as NumPy products (True) or through the backend."""
        return self._steps is not None

    @staticmethod
    def _traced(model):
        name = backend()
        if name == "jax":
            return _jax_call(model)
        if name == "torch":
            return _torch_call(model)
        import tensorflow as tf

        signature = [tf.TensorSpec((None, *model.input_shape[1:]), tf.float32)]
        call = tf.function(
            lambda rows: model(rows, training=False), input_signature=signature
        )
        return lambda rows: call(rows).numpy()

    def _run_chunk(self, rows):
        if self._steps is not None:
            for step in self._steps:
                rows = step(rows)
            return rows
        n_rows = rows.shape[0]
        shaped = rows.reshape((n_rows, *self.model.input_shape[1:]))
        shaped = shaped.astype(np.float32, copy=False)
        # Zero rows pad the batch to whole vectors of rows: oneDNN computes the rows of
        # a partial vector along another path, so a row's float32 code would otherwise
        # depend on its place in X (scikit-learn checks that it does not).
        padding = -n_rows % _BATCH_MULTIPLE
        if padding:
            zeros = np.zeros((padding, *shaped.shape[1:]), dtype=np.float32)
            shaped = np.concatenate([shaped, zeros])
        out = self._graph(shaped)[:n_rows]
        return out.reshape(n_rows, -1)

    def _fill(self, X, out, n_rows, start):
        stop = start + n_rows
        out[start:stop] = self._run_chunk(dense(X[start:stop], X.dtype))

    def __call__(self, X: np.ndarray) -> np.ndarray:
        """Outputs for rows X, in X's floating dtype, computed in chunks of rows."""
        out = np.empty((X.shape[0], self.n_outputs), dtype=X.dtype)
        n_rows = chunk_rows(max(X.shape[1], self.n_outputs))
        starts = range(0, X.shape[0], n_rows)
        fill = partial(self._fill, X, out, n_rows)
        if self._steps is None or len(starts) == 1:  # the backend runs its own threads
            for start in starts:
                fill(start)
            return out
        with _ONE_BLAS_THREAD_PER_CALL as blas_threads:
            if blas_threads == 1:
                for start in starts:
                    fill(start)
            else:
                with ThreadPoolExecutor(min(blas_threads, len(starts))) as pool:
                    for _ in pool.map(fill, starts):  # re-raises a chunk's error
                        pass
        return out
