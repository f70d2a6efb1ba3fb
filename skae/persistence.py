"""skae's file format: a zip archive framing the estimator's document and its model.

`write_reducer` and `read_reducer` (``AutoencoderReducer.save`` and ``load``) frame
what the estimator hands over; they know nothing of its attributes. The archive has two
members:

``skae.json``
    A JSON object::

        {"format": "skae-autoencoder-reducer", "format_version": 2,
         "skae_version": "0.2.0", "estimator": "AutoencoderReducer",
         "params": {...}, "fitted": {...}}

    ``params`` and ``fitted`` are the estimator's document (its parameters and fitted
    state, `AutoencoderReducer._document`). Tuples are written as
    ``{"__tuple__": [...]}`` and NumPy arrays (``feature_names_in_``) as
    ``{"__ndarray__": [...], "dtype": "..."}``. Code cannot be JSON: parameters holding
    functions (the ``encoder`` and ``decoder`` builders) or a ``RandomState`` are
    written as null; the networks the builders made are in the model.
``autoencoder.keras``
    The compiled autoencoder in Keras' `.keras` format, with its optimizer state
    (`skae.fitted.FittedNetworks.to_bytes`).

Reading never unpickles, and the model is loaded with ``safe_mode=True``, so an
untrusted file cannot run code. A reader accepts every format version up to
`FORMAT_VERSION` and refuses newer ones. Version 1 (skae 0.1.0) stored the estimator's
attributes as ``state``; `read_reducer` hands them over in version 2's form.
"""

import json
import os
import zipfile
import zlib
from numbers import Integral, Real

import numpy as np

from . import __version__

FORMAT = "skae-autoencoder-reducer"
FORMAT_VERSION = 2

_DOCUMENT = "skae.json"
_MODEL = "autoencoder.keras"
_ZIP_MAGIC = b"PK\x03\x04"


# ---------------------------------------------------------------------------- writing


def write_reducer(path, document: dict, model: bytes) -> None:
    """Write ``document`` (``estimator``, ``params``, ``fitted``) and ``model`` to ``path``.

    The file is written beside ``path`` and then renamed, so a failed save never
    leaves half a file behind.
    """
    framed = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "skae_version": __version__,
        "estimator": document["estimator"],
        "params": {
            name: _to_json(value, name) for name, value in document["params"].items()
        },
        "fitted": {
            name: _to_json(value, name) for name, value in document["fitted"].items()
        },
    }
    text = json.dumps(framed, indent=1)
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


def _to_json(value, name: str):
    """``value`` as JSON-ready data, tuples and arrays tagged; TypeError if impossible."""
    if callable(value) or isinstance(value, np.random.RandomState | np.random.Generator):
        return None  # code cannot be JSON (see the module doc)
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


def read_reducer(path) -> tuple[dict, bytes]:
    """The checked document (as `write_reducer` takes it) and the model bytes.

    Raises FileNotFoundError for a missing path and ValueError, naming the problem,
    for a file that is not a skae model, is truncated or corrupted, or was written by a
    newer skae.
    """
    text, model = _read_archive(path)
    return _read_document(text, path), model


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


def _read_document(text: bytes, path) -> dict:
    """The document, in the current version's form, with its frame checked."""
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
    document = _from_json(document, path)
    if version == 1:
        document = _from_version_1(document, path)
    if not isinstance(document.get("params"), dict) or not isinstance(
        document.get("fitted"), dict
    ):
        raise ValueError(f"{path} is corrupted: params and fitted must be JSON objects.")
    return document


def _from_version_1(document: dict, path) -> dict:
    """A version-1 document (the estimator's attributes as ``state``) in version 2's form.

    Version 1 kept no fit specification: the estimator resolves it again from the
    parameters (``spec_`` None) and the profile the file names (absent before 0.2).
    """
    state = document.get("state")
    required = ("n_features_in_", "n_iter_", "history_", "_structure")
    missing = [name for name in required if name not in (state or {})]
    if not isinstance(state, dict) or missing or "_shuffle_seed" not in state:
        raise ValueError(
            f"{path} is corrupted: its fitted state lacks "
            f"{', '.join(missing or ['_shuffle_seed'])}."
        )
    fitted = {
        "n_features_in_": state["n_features_in_"],
        "n_iter_": state["n_iter_"],
        "history_": state["history_"],
        "structure": state["_structure"],
        "seeds": {"shuffle": state["_shuffle_seed"], "split": state.get("_split_seed")},
        "spec_": None,
        "profile": state.get("_auto_profile"),
    }
    for name, key in (
        ("feature_names_in_", "feature_names_in_"),
        ("_sklearn_output_config", "output_config"),
    ):
        if name in state:
            fitted[key] = state[name]
    return {**document, "fitted": fitted}


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
