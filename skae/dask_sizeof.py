"""How much memory a reducer holds, for Dask (its ``dask.sizeof`` entry point).

Dask measures objects with ``dask.sizeof.sizeof``, which knows nothing of Keras: a
fitted reducer would count as a few dozen bytes. The size matters beyond memory
accounting: Dask Array puts an argument larger than 1 MB (such as the reducer that
dask-ml's ``ParallelPostFit`` passes to every block) into the task graph once, so that
each worker unpickles it once, instead of once per block. Unpickling rebuilds the Keras
model, a few tenths of a second each time.

Dask calls `sizeof_plugin` when it is imported; the plugin only asks to be called back
when Dask first measures a skae object, so importing Dask never imports skae's
estimator or Keras.
"""

import math
import sys

import numpy as np


def _itemsize(dtype) -> int:
    try:
        return np.dtype(dtype).itemsize
    except TypeError:  # a dtype NumPy does not know, such as bfloat16: at most 4 bytes
        return 4


def reducer_sizeof(reducer) -> int:
    """The reducer's own size plus its Keras weights and optimizer state, in bytes."""
    size = sys.getsizeof(reducer)
    model = getattr(reducer, "autoencoder_", None)
    if model is None:
        return size
    optimizer = getattr(model, "optimizer", None)
    variables = [*model.variables, *(optimizer.variables if optimizer else [])]
    return size + sum(
        math.prod(variable.shape) * _itemsize(variable.dtype) for variable in variables
    )


def sizeof_plugin(sizeof) -> None:
    """Register `reducer_sizeof` with Dask's ``sizeof`` dispatch, lazily."""

    @sizeof.register_lazy("skae")
    def register_skae():
        from .estimator import AutoencoderReducer

        sizeof.register(AutoencoderReducer, reducer_sizeof)
