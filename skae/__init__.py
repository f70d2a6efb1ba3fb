"""skae: a scikit-learn compatible autoencoder, used like PCA, on Keras 3.

Public names are loaded on first use, so ``import skae`` stays fast and Keras and
TensorFlow are imported only when a model is built or loaded.
"""

import importlib

__version__ = "0.1.0"

_PUBLIC = {
    "AutoencoderReducer": ".estimator",
    "TrainingDivergedError": ".training",
    "CodeImageDisplay": ".plots",
    "EmbeddingDisplay": ".plots",
    "ReconstructionDisplay": ".plots",
    "TrainingCurveDisplay": ".plots",
}
_SUBMODULES = ("datasets", "metrics", "plots")

__all__ = ["__version__", *_PUBLIC, *_SUBMODULES]


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    if name in _PUBLIC:
        value = getattr(importlib.import_module(_PUBLIC[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'skae' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
