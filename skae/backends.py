"""Which Keras backend skae runs on, and keeping TensorFlow out of the others.

Keras 3 runs on TensorFlow, JAX or PyTorch, chosen by ``KERAS_BACKEND`` (or
``~/.keras/keras.json``) before Keras is first imported. skae's networks, losses and
files are backend-neutral; what differs is how batches reach ``Model.fit``
(`skae.tf_batches` on TensorFlow, `skae.sequences` on the others) and how inference
is compiled (`skae.inference`). On JAX and PyTorch nothing of skae imports TensorFlow,
even where it is installed (it is skae's default dependency).
"""

import importlib
import os
import sys
import warnings
from contextlib import contextmanager

from .compiled_kernels import keep_umap_compiled

BACKENDS = ("tensorflow", "jax", "torch")


def backend() -> str:
    """The Keras backend in use: ``"tensorflow"``, ``"jax"`` or ``"torch"``.

    Read from Keras once it is imported, otherwise from what Keras will read (so that
    asking does not import Keras, and its choice, early).
    """
    keras = sys.modules.get("keras")
    if keras is not None:
        return keras.config.backend()
    return os.environ.get("KERAS_BACKEND") or _configured_backend()


def _configured_backend() -> str:
    import json

    keras_home = os.environ.get("KERAS_HOME") or os.path.join(
        os.path.expanduser("~"), ".keras"
    )
    try:
        with open(os.path.join(keras_home, "keras.json")) as config:
            return json.load(config).get("backend", "tensorflow")
    except (OSError, ValueError):
        return "tensorflow"


def is_tensorflow() -> bool:
    return backend() == "tensorflow"


@contextmanager
def tensorflow_hidden():
    """While in this context, ``import tensorflow`` fails, under the other backends.

    Keras' saving and umap-learn's import both look for TensorFlow when it is installed
    (it is skae's default dependency) and so import it, which takes seconds and fills
    memory on JAX and PyTorch where nothing uses it. Under TensorFlow, or once the
    caller has imported it, this does nothing.
    """
    if is_tensorflow() or "tensorflow" in sys.modules:
        yield
        return
    sys.modules["tensorflow"] = None  # makes ``import tensorflow`` raise ImportError
    try:
        yield
    finally:
        del sys.modules["tensorflow"]
        _forget_keras_tensorflow_check()


def _forget_keras_tensorflow_check():
    """Let Keras look for TensorFlow again, so the caller can still use it later."""
    utils = sys.modules.get("keras.src.utils.module_utils")
    lazy = getattr(utils, "tensorflow", None)
    if lazy is not None and getattr(lazy, "module", None) is None:
        lazy._available = None


def import_umap():
    """umap-learn, imported without TensorFlow under the other backends.

    ``import umap`` imports TensorFlow for its ParametricUMAP, which skae does not use.
    Its numba kernels are kept in numba's disk cache (`skae.compiled_kernels`).
    """
    if "umap" in sys.modules:  # imported (or marked missing: then ImportError)
        umap = importlib.import_module("umap")
    else:
        with tensorflow_hidden(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "Tensorflow not installed; Parametric..."
            umap = importlib.import_module("umap")
    keep_umap_compiled(umap)
    return umap
