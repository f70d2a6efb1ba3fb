"""Arrays and model descriptions for the ``skae`` command line.

Reads data from ``.npy`` or numeric ``.csv`` files, writes results as ``.npy`` or as CSV
at full float precision (so that parsed values equal the Python API's exactly), and
describes a saved reducer (parameters, layers, training history) as a dict or as text.
"""

import math
from pathlib import Path
from typing import TextIO

import numpy as np

ARRAY_SUFFIXES = (".npy", ".csv")

# 17 significant digits round-trip every float64 (and float32) value exactly.
CSV_FLOAT_FORMAT = "%.17g"


def check_array_path(path: str) -> str:
    """Return ``path`` if its extension is one that `read_array` and `write_array` know."""
    if Path(path).suffix.lower() not in ARRAY_SUFFIXES:
        raise ValueError(
            f"{path}: unknown file type; use a .npy or .csv file (got "
            f"{Path(path).suffix or 'no extension'})."
        )
    return path


def read_array(path: str) -> np.ndarray:
    """Read a 2-D numeric array from a ``.npy`` file or a comma-separated ``.csv`` file.

    A CSV file's first line is skipped as a header of column names when any of its
    fields is not a number. Integer data are converted to float64; float32 stays float32.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If the file is not a 2-D numeric array of a known type.
    """
    check_array_path(path)
    if not Path(path).is_file():
        raise FileNotFoundError(f"{path}: no such file")
    if Path(path).suffix.lower() == ".npy":
        try:
            array = np.load(path, allow_pickle=False)
        except (ValueError, OSError, EOFError) as error:
            raise ValueError(f"{path}: not a readable .npy array ({error})") from None
    else:
        array = _read_csv(path)
    if array.ndim != 2 or array.size == 0:
        raise ValueError(
            f"{path}: expected a non-empty 2-D array (rows x columns), got shape "
            f"{array.shape}"
        )
    if not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
        raise ValueError(f"{path}: expected numbers, got dtype {array.dtype}")
    if array.dtype not in (np.float64, np.float32):
        array = array.astype(np.float64)
    return array


def _read_csv(path: str) -> np.ndarray:
    with open(path, encoding="utf-8") as file:
        first_line = file.readline()
    has_header = not all(_is_number(field) for field in first_line.split(","))
    try:
        return np.loadtxt(
            path, delimiter=",", skiprows=int(has_header), ndmin=2, dtype=np.float64
        )
    except ValueError as error:
        raise ValueError(f"{path}: not a numeric CSV file ({error})") from None


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def write_array(array: np.ndarray, path: str | None, stdout: TextIO) -> None:
    """Write ``array`` to ``path`` (``.npy`` or ``.csv``), or as CSV to ``stdout``."""
    if path is None:
        np.savetxt(stdout, array, fmt=CSV_FLOAT_FORMAT, delimiter=",")
    elif Path(path).suffix.lower() == ".npy":
        np.save(path, array, allow_pickle=False)
    else:
        np.savetxt(path, array, fmt=CSV_FLOAT_FORMAT, delimiter=",")


# ------------------------------------------------------------------- describing


def describe_reducer(reducer) -> dict:
    """A fitted reducer's parameters, layers and training history, as JSON-ready data."""
    history = {
        name: [float(value) for value in values]
        for name, values in reducer.history_.items()
    }
    return {
        "n_features_in": int(reducer.n_features_in_),
        "n_components": int(reducer._n_features_out),
        "params": {
            name: _json_ready(value) for name, value in reducer.get_params().items()
        },
        "encoder": _layer_rows(reducer.encoder_),
        "decoder": _layer_rows(reducer.decoder_),
        "epochs_trained": int(reducer.n_iter_),
        "history": history,
    }


def _json_ready(value):
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, tuple | list):
        return [_json_ready(item) for item in value]
    return repr(value)  # a RandomState or a builder function


def _layer_rows(model, prefix: str = "") -> list[dict]:
    """One row per layer, nested models flattened as ``outer/inner``."""
    rows = []
    for layer in model.layers:
        name = f"{prefix}{layer.name}"
        if hasattr(layer, "layers"):
            rows.extend(_layer_rows(layer, prefix=f"{name}/"))
            continue
        shape = getattr(layer, "output", None)
        rows.append(
            {
                "name": name,
                "type": type(layer).__name__,
                "output_shape": None if shape is None else list(shape.shape),
                "params": int(layer.count_params()),
            }
        )
    return rows


def format_description(description: dict, path: str) -> str:
    """`describe_reducer`'s result as plain text for a terminal."""
    lines = [
        f"{path}: AutoencoderReducer, {description['n_features_in']} features -> "
        f"{description['n_components']} components",
        "",
        "Parameters:",
        *(f"  {name} = {value!r}" for name, value in description["params"].items()),
    ]
    for part in ("encoder", "decoder"):
        layers = description[part]
        total = sum(layer["params"] for layer in layers)
        lines += ["", f"{part.capitalize()} ({total:,} parameters):"]
        width = max(len(layer["name"]) for layer in layers)
        for layer in layers:
            shape = tuple(layer["output_shape"] or ())
            lines.append(
                f"  {layer['name']:<{width}}  {layer['type']:<20} {str(shape):<12} "
                f"{layer['params']:>8,}"
            )
    history = description["history"]
    lines += ["", f"Training: {description['epochs_trained']} epochs"]
    for name, values in history.items():
        if values and name != "learning_rate":
            lines.append(
                f"  {name}: first {_number(values[0])}, last {_number(values[-1])}"
                + (f", best {_number(min(values))}" if name == "val_loss" else "")
            )
    return "\n".join(lines)


def _number(value: float) -> str:
    return f"{value:.6g}" if math.isfinite(value) else str(value)
