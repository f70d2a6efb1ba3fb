"""Fitted reducers to bytes and files: pickling support and skae's own file format.

Keras writes its `.keras` archive only to paths, so `model_to_bytes` and
`model_from_bytes` go through a private temporary folder; pickling a reducer stores its
``autoencoder_`` as these bytes. Loading always uses ``safe_mode=True``: an archive
cannot run code.

skae's file format (`write_reducer`, `read_reducer`; ``AutoencoderReducer.save`` and
``load``) is a zip archive with two members:

``skae.json``
    A JSON object::

        {"format": "skae-autoencoder-reducer", "format_version": 1,
         "skae_version": "0.1.0", "estimator": "AutoencoderReducer",
         "params": {...}, "state": {...}}

    ``params`` holds ``get_params()``, ``state`` every other attribute the reducer
    pickles (``n_features_in_``, ``history_``, ``n_iter_``, ``_structure``...) except
    the Keras models. Tuples are written as ``{"__tuple__": [...]}`` and NumPy arrays
    (``feature_names_in_``) as ``{"__ndarray__": [...], "dtype": "..."}``. Code cannot
    be JSON: the ``encoder`` and ``decoder`` builder functions are written as null
    (the networks they built are saved, in the model), and so is a ``RandomState``
    instance passed as ``random_state``.
``autoencoder.keras``
    The compiled ``autoencoder_`` in Keras' `.keras` format, with its optimizer state;
    ``encoder_`` and ``decoder_`` are its nested layers ``"encoder"`` and ``"decoder"``.

Reading never unpickles and loads the model with ``safe_mode=True``, so an untrusted
file cannot run code. A reader accepts every format version up to `FORMAT_VERSION` and
refuses newer ones; parameters missing from an older file take their defaults.
"""

import json
import os
import tempfile
import zipfile
import zlib
from numbers import Integral, Real

import keras
import numpy as np

from . import __version__, layers, losses  # noqa: F401 (register skae's Keras objects)

FORMAT = "skae-autoencoder-reducer"
FORMAT_VERSION = 1

_DOCUMENT = "skae.json"
_MODEL = "autoencoder.keras"
_ZIP_MAGIC = b"PK\x03\x04"

# What every fitted reducer has; a file without it is not a complete skae model.
_REQUIRED_STATE = (
    "n_features_in_",
    "n_iter_",
    "history_",
    "_structure",
    "_shuffle_seed",
    "_split_seed",
)
# Rebuilt from the Keras model on loading, never read from the JSON.
_MODEL_ATTRIBUTES = ("autoencoder_", "encoder_", "decoder_", "_encode", "_decode")


def model_to_bytes(model: keras.Model) -> bytes:
    """The model (with its optimizer state, when compiled) as `.keras` archive bytes."""
    with tempfile.TemporaryDirectory(prefix="skae-") as folder:
        path = os.path.join(folder, "model.keras")
        model.save(path)
        with open(path, "rb") as archive:
            return archive.read()


def model_from_bytes(data: bytes) -> keras.Model:
    """Rebuild a model written by `model_to_bytes`, without running code from it."""
    with tempfile.TemporaryDirectory(prefix="skae-") as folder:
        path = os.path.join(folder, "model.keras")
        with open(path, "wb") as archive:
            archive.write(data)
        return keras.saving.load_model(path, safe_mode=True)


# ---------------------------------------------------------------------------- writing


def write_reducer(reducer, path) -> None:
    """Write a fitted reducer to ``path`` in skae's file format (see the module doc).

    The file is written beside ``path`` and then renamed, so a failed save never
    leaves half a file behind.
    """
    state = reducer.__getstate__()  # what pickle stores, the model as .keras bytes
    model = state.pop("autoencoder_")
    params = {name: state.pop(name) for name in reducer.get_params(deep=False)}
    if "_structure" in state:
        state["_structure"] = _without_code(state["_structure"])
    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "skae_version": __version__,
        "estimator": type(reducer).__name__,
        "params": {
            name: _to_json(value, name) for name, value in _without_code(params).items()
        },
        "state": {name: _to_json(value, name) for name, value in state.items()},
    }
    text = json.dumps(document, indent=1)
    partial = f"{os.fspath(path)}.partial"
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(_DOCUMENT, text)
            archive.writestr(_MODEL, model)
        os.replace(partial, path)
    except BaseException:
        if os.path.exists(partial):
            os.remove(partial)
        raise


def _without_code(values: dict) -> dict:
    """``values`` with builder functions and random generators replaced by None."""
    return {
        name: None
        if callable(value) or isinstance(value, np.random.RandomState | np.random.Generator)
        else value
        for name, value in values.items()
    }


def _to_json(value, name: str):
    """``value`` as JSON-ready data, tuples and arrays tagged; TypeError if impossible."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, Integral):
        return int(value)
    if isinstance(value, Real):
        return float(value)
    if isinstance(value, tuple):
        return {"__tuple__": [_to_json(item, name) for item in value]}
    if isinstance(value, list):
        return [_to_json(item, name) for item in value]
    if isinstance(value, dict) and all(isinstance(key, str) for key in value):
        return {key: _to_json(item, f"{name}[{key!r}]") for key, item in value.items()}
    if isinstance(value, np.ndarray) and _storable_array(value):
        return {"__ndarray__": value.tolist(), "dtype": value.dtype.str}
    raise TypeError(
        f"Cannot save {name} of type {type(value).__name__}: a skae file stores "
        "parameters and fitted state as JSON (None, bool, int, float, str, lists, "
        "tuples, dicts with str keys, arrays of numbers or str). Use pickle or joblib "
        "for this reducer."
    )


def _storable_array(array: np.ndarray) -> bool:
    if array.dtype.kind in "biufU":
        return True
    return array.dtype == object and all(isinstance(item, str) for item in array.flat)


# ---------------------------------------------------------------------------- reading


def read_reducer(cls, path):
    """Read a reducer of class ``cls`` written by `write_reducer`, running no code.

    Raises FileNotFoundError for a missing path and ValueError, naming the problem,
    for a file that is not a skae model, is truncated or corrupted, was written by a
    newer skae, or holds a Keras model that would run code.
    """
    text, model_bytes = _read_archive(path)
    params, state = _read_document(text, cls, path)
    autoencoder = _read_model(model_bytes, path)
    for part in ("encoder", "decoder"):
        if not any(
            layer.name == part and isinstance(layer, keras.Model)
            for layer in autoencoder.layers
        ):
            raise ValueError(
                f"{path} is not a skae model file: its Keras model has no {part!r} layer."
            )
    if tuple(autoencoder.input_shape[1:]) != (state["n_features_in_"],):
        raise ValueError(
            f"{path} is corrupted: its model reads rows of shape "
            f"{autoencoder.input_shape[1:]}, but n_features_in_ is "
            f"{state['n_features_in_']!r}."
        )
    reducer = cls(**params)
    reducer.__dict__.update(state)
    reducer._attach_autoencoder(autoencoder)
    return reducer


def _read_archive(path) -> tuple[bytes, bytes]:
    """The JSON document and the .keras bytes, or a ValueError saying what is wrong."""
    with open(path, "rb") as file:  # FileNotFoundError names the path
        head = file.read(len(_ZIP_MAGIC))
    if head != _ZIP_MAGIC:
        raise ValueError(
            f"{path} is not a skae model file: it is not a zip archive. Files written "
            "by AutoencoderReducer.save are zip archives holding skae.json and a .keras "
            "model."
        )
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            if _DOCUMENT not in names:
                hint = (
                    " It looks like a plain Keras model: load it with "
                    "keras.saving.load_model."
                    if "config.json" in names
                    else ""
                )
                raise ValueError(
                    f"{path} is not a skae model file: the zip archive holds no "
                    f"{_DOCUMENT}.{hint}"
                )
            if _MODEL not in names:
                raise ValueError(f"{path} is not a complete skae model file: no {_MODEL}.")
            # Reading whole members checks their CRC: corruption is caught here.
            return archive.read(_DOCUMENT), archive.read(_MODEL)
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:
        raise ValueError(
            f"{path} is truncated or corrupted: its zip archive cannot be read ({error})."
        ) from error


def _read_document(text: bytes, cls, path) -> tuple[dict, dict]:
    """Checked ``(params, state)`` from the JSON document."""
    try:
        document = json.loads(text.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(
            f"{path} is corrupted: its {_DOCUMENT} is not JSON ({error})."
        ) from error
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ValueError(
            f"{path} is not a skae model file: its {_DOCUMENT} lacks the format marker "
            f"{FORMAT!r}."
        )
    version = document.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ValueError(f"{path} is corrupted: invalid format_version {version!r}.")
    if version > FORMAT_VERSION:
        raise ValueError(
            f"{path} was written by a newer skae: format version {version}, this skae "
            f"reads up to {FORMAT_VERSION}; upgrade skae (the file is from skae "
            f"{document.get('skae_version')}, this is skae {__version__})."
        )
    params = _from_json(document.get("params"), path)
    state = _from_json(document.get("state"), path)
    if not isinstance(params, dict) or not isinstance(state, dict):
        raise ValueError(f"{path} is corrupted: params and state must be JSON objects.")
    unknown = sorted(set(params) - set(cls._get_param_names()))
    if unknown:
        raise ValueError(
            f"{path} sets parameters this skae does not know ({', '.join(unknown)}): it "
            f"was written by a newer skae ({document.get('skae_version')}); upgrade skae."
        )
    misplaced = sorted(set(state) & {*params, *_MODEL_ATTRIBUTES})
    missing = [name for name in _REQUIRED_STATE if name not in state]
    if misplaced or missing:
        raise ValueError(
            f"{path} is corrupted: its fitted state "
            + (f"lacks {', '.join(missing)}" if missing else "")
            + (" and " if missing and misplaced else "")
            + (f"overrides {', '.join(misplaced)}" if misplaced else "")
            + "."
        )
    return params, state


def _from_json(value, path):
    """Undo `_to_json`: tagged tuples and arrays back to tuples and arrays."""
    if isinstance(value, list):
        return [_from_json(item, path) for item in value]
    if not isinstance(value, dict):
        return value
    if value.keys() == {"__tuple__"} and isinstance(value["__tuple__"], list):
        return tuple(_from_json(item, path) for item in value["__tuple__"])
    if value.keys() == {"__ndarray__", "dtype"}:
        try:
            dtype = np.dtype(value["dtype"])
            if dtype.kind not in "biufUO":
                raise TypeError(f"dtype {dtype} is not stored by skae")
            array = np.array(value["__ndarray__"], dtype=dtype)
        except (TypeError, ValueError) as error:
            raise ValueError(
                f"{path} is corrupted: a stored array is invalid ({error})."
            ) from error
        if not _storable_array(array):
            raise ValueError(f"{path} is corrupted: a stored array holds non-str objects.")
        return array
    return {key: _from_json(item, path) for key, item in value.items()}


def _read_model(data: bytes, path) -> keras.Model:
    """The Keras model, loaded in safe mode; a refusal or a failure as a ValueError."""
    try:
        model = model_from_bytes(data)
    except Exception as error:  # Keras raises many types for a bad archive
        message = str(error)
        if "safe_mode" in message or "arbitrary code" in message:
            raise ValueError(
                f"{path} was refused: loading its Keras model would run code from the "
                "file (a Lambda layer or another Python function). skae loads models "
                "with Keras' safe_mode=True and never runs code from a file."
            ) from error
        raise ValueError(
            f"{path} is corrupted or not a skae model file: its Keras model cannot be "
            f"rebuilt ({type(error).__name__}: {message})"
        ) from error
    if not isinstance(model, keras.Model):
        raise ValueError(f"{path} is not a skae model file: it holds no Keras model.")
    return model
