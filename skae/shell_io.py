"""Arrays and model descriptions for the ``skae`` command line.

Reads data from ``.npy``, ``.npz`` or numeric ``.csv`` files (with their labels, for
``skae compare --data``), writes results as ``.npy`` or as CSV at full float precision
(so that parsed values equal the Python API's exactly), and describes a saved reducer
(parameters, layers, training history) as a dict or as text.
"""

import csv
import math
from pathlib import Path
from typing import NamedTuple, TextIO

import numpy as np

# What write_array writes (and --out accepts); read_array also reads .npz archives.
ARRAY_SUFFIXES = (".npy", ".csv")
READABLE_SUFFIXES = (".npy", ".npz", ".csv")
LABEL_SUFFIXES = (".csv", ".txt", ".npy")
# The names of an .npz archive's rows and labels, in order of preference.
NPZ_DATA_NAMES = ("X", "data")
NPZ_LABEL_NAMES = ("y", "labels", "target")

# 17 significant digits round-trip every float64 (and float32) value exactly.
CSV_FLOAT_FORMAT = "%.17g"
# Column names quoted in an error message, at most.
_NAMES_SHOWN = 8


class LabelledArray(NamedTuple):
    """Rows read by `read_labelled_array`, their labels, and where the labels came from.

    ``labels_source`` says where ``y`` came from, such as ``"column 'species'"``,
    ``"array 'y'"`` or a label file's path; it is ``""`` when ``y`` is None.
    """

    X: np.ndarray
    y: np.ndarray | None
    labels_source: str


class _Rows(NamedTuple):
    X: np.ndarray
    y: np.ndarray | None  # a labels column or array found inside the data file
    labels_source: str
    names: tuple[str, ...]  # the CSV's column names or the archive's array names


def check_array_path(path: str, suffixes: tuple[str, ...] = ARRAY_SUFFIXES) -> str:
    """Return ``path`` if its extension is one of ``suffixes`` (by default, those that
    `write_array` writes)."""
    if Path(path).suffix.lower() not in suffixes:
        raise ValueError(
            f"{path}: unknown file type; use a {_or_list(suffixes)} file (got "
            f"{Path(path).suffix or 'no extension'})."
        )
    return path


def read_array(path: str) -> np.ndarray:
    """Read a 2-D numeric array from a ``.npy``, ``.npz`` or comma-separated ``.csv`` file.

    A CSV file's first line is skipped as a header of column names when any of its
    fields is not a number. An ``.npz`` archive holds the rows as its array ``X`` (or
    ``data``), or as its only array; its labels (``y``, ``labels`` or ``target``) are
    ignored here. Integer data are converted to float64; float32 stays float32.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If the file is not a 2-D array of finite numbers of a known type.
    """
    return _read_rows(path).X


def read_labelled_array(path: str, labels: str | None = None) -> LabelledArray:
    """Read rows as `read_array` does, and their labels.

    ``labels`` is the name of a column of the CSV file (it is then removed from the
    features) or of an array of the ``.npz`` archive, or else the path of a file of one
    label per row: a ``.txt`` file of one label per line, a one-column ``.csv`` file
    (a first line that is not a number is a header, so labels that are not numbers
    need one), or a ``.npy`` array. Without ``labels``,
    an archive's array ``y``, ``labels`` or ``target`` gives the labels; other files
    have none. Labels that are all numbers are returned as numbers (integers when
    whole), others as strings.

    Raises
    ------
    FileNotFoundError
        If the data file, or the label file, does not exist.
    ValueError
        If a file is not of a known type or not numeric where it must be, or the labels
        are missing or are not one per row.
    """
    rows = _read_rows(path, label_name=labels)
    y, source = rows.y, rows.labels_source
    if y is None and labels is not None:
        if not Path(labels).is_file():
            raise _label_source_not_found(path, labels, rows.names)
        y, source = read_labels(labels), labels
    if y is None:
        return LabelledArray(rows.X, None, "")
    y = _checked_labels(y, source)
    if len(y) != len(rows.X):
        hint = ""
        if len(y) == len(rows.X) - 1 and Path(source).suffix.lower() == ".csv":
            hint = " (its first line was read as a header)"
        raise ValueError(
            f"{source}: {len(y):,} labels for the {len(rows.X):,} rows of {path}{hint}"
        )
    return LabelledArray(rows.X, y, source)


def read_labels(path: str) -> np.ndarray:
    """Read one label per row from a ``.txt``, one-column ``.csv`` or ``.npy`` file.

    See `read_labelled_array` for the formats. Labels that are all numbers are returned
    as numbers (integers when whole), others as stripped strings.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If the file is not of a known type, has more than one column, or a label is
        missing.
    """
    check_array_path(path, LABEL_SUFFIXES)
    if not Path(path).is_file():
        raise FileNotFoundError(f"{path}: no such file")
    suffix = Path(path).suffix.lower()
    if suffix == ".npy":
        return _checked_labels(_load_npy(path), path)
    with open(path, encoding="utf-8", newline="") as file:
        if suffix == ".txt":
            lines = [[line] for line in file.read().splitlines()]
        else:
            lines = list(csv.reader(file))
    while lines and not "".join(lines[-1]).strip():  # trailing blank lines
        lines.pop()
    for number, fields in enumerate(lines, start=1):
        if len(fields) != 1:
            raise ValueError(
                f"{path}: expected one label per line, got {len(fields)} fields in "
                f"line {number}"
            )
    labels = [fields[0].strip() for fields in lines]
    if suffix == ".csv" and labels and not _is_number(labels[0]):
        labels = labels[1:]  # a header
    return _checked_labels(np.array(labels, dtype=str), path)


def _read_rows(path: str, label_name: str | None = None) -> _Rows:
    """The rows of a data file, and the labels column or array named ``label_name``.

    An archive's default labels array is taken when ``label_name`` is None; a
    ``label_name`` that names nothing in the file gives no labels (it may be a file).
    """
    check_array_path(path, READABLE_SUFFIXES)
    if not Path(path).is_file():
        raise FileNotFoundError(f"{path}: no such file")
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        rows = _read_csv(path, label_name)
    elif suffix == ".npz":
        rows = _read_npz(path, label_name)
    else:
        rows = _Rows(_load_npy(path), None, "", ())
    return rows._replace(X=_checked_rows(rows.X, path, rows.names))


def _load_npy(path: str) -> np.ndarray:
    try:
        return np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError) as error:
        raise ValueError(f"{path}: not a readable .npy array ({error})") from None


def _read_npz(path: str, label_name: str | None) -> _Rows:
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
    except (ValueError, OSError, EOFError) as error:
        raise ValueError(f"{path}: not a readable .npz archive ({error})") from None
    names = tuple(arrays)
    data_name = next((name for name in NPZ_DATA_NAMES if name in arrays), None)
    if data_name is None and len(arrays) == 1:
        data_name = names[0]
    if data_name is None:
        raise ValueError(
            f"{path}: expected an array named {_or_list(NPZ_DATA_NAMES)}, or a single "
            f"array; found {_name_list(names)}"
        )
    if label_name is None:
        label_name = next((name for name in NPZ_LABEL_NAMES if name in arrays), None)
    if label_name is None or label_name not in arrays or label_name == data_name:
        return _Rows(arrays[data_name], None, "", names)
    return _Rows(arrays[data_name], arrays[label_name], f"array {label_name!r}", names)


def _read_csv(path: str, label_name: str | None = None) -> _Rows:
    # utf-8-sig: a spreadsheet's byte order mark is not part of the first name.
    with open(path, encoding="utf-8-sig", newline="") as file:
        first_fields = [field.strip() for field in next(csv.reader(file), [])]
    if not first_fields:
        raise ValueError(f"{path}: the file is empty")
    has_header = not all(_is_number(field) for field in first_fields)
    names = tuple(first_fields) if has_header else ()
    columns = list(range(len(first_fields)))
    if (
        label_name is not None
        and label_name not in names
        and not Path(label_name).is_file()
    ):
        # Said before a non-numeric column (maybe the labels, misnamed) is.
        raise _label_source_not_found(path, label_name, names)
    label_column = names.index(label_name) if label_name in names else None
    if label_column is not None:
        columns.remove(label_column)
    options = {"delimiter": ",", "quotechar": '"', "encoding": "utf-8-sig"}
    options["skiprows"] = int(has_header)
    # Without a labels column, all columns: loadtxt then rejects rows of other widths.
    usecols = None if label_column is None else columns
    try:
        X = np.loadtxt(path, usecols=usecols, ndmin=2, dtype=np.float64, **options)
    except ValueError as error:
        raise ValueError(_csv_problem(path, columns, names, has_header, error)) from None
    if label_column is None:
        return _Rows(X, None, "", names)
    y = np.loadtxt(path, usecols=label_column, ndmin=1, dtype=str, **options)
    return _Rows(X, y, f"column {label_name!r}", names)


def _csv_problem(path, columns, names, has_header, error) -> str:
    """Which feature column of a CSV file is not numeric, and where, for the error."""
    with open(path, encoding="utf-8-sig", newline="") as file:
        lines = csv.reader(file)
        if has_header:
            next(lines)
        for row, fields in enumerate(lines, start=1):
            for column in columns:
                value = fields[column].strip() if column < len(fields) else ""
                if not _is_number(value):
                    name = repr(names[column]) if names else str(column + 1)
                    problem = f"{value!r} in row {row}" if value else f"empty in row {row}"
                    return f"{path}: column {name} is not numeric ({problem})"
    return f"{path}: not a numeric CSV file ({error})"


def _checked_rows(array: np.ndarray, path: str, names: tuple[str, ...]) -> np.ndarray:
    if array.ndim != 2 or array.size == 0:
        raise ValueError(
            f"{path}: expected a non-empty 2-D array (rows x columns), got shape "
            f"{array.shape}"
        )
    if not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
        raise ValueError(f"{path}: expected numbers, got dtype {array.dtype}")
    if array.dtype not in (np.float64, np.float32):
        array = array.astype(np.float64)
    finite = np.isfinite(array)
    if not finite.all():
        row, column = np.argwhere(~finite)[0]
        csv_names = len(names) == array.shape[1]  # not an archive's array names
        name = repr(names[column]) if csv_names else str(column + 1)
        count = np.count_nonzero(~finite)
        raise ValueError(
            f"{path}: {count:,} NaN or infinite value{'s' if count > 1 else ''} (the "
            f"first in row {row + 1}, column {name}); remove or fill them first"
        )
    return array


def _checked_labels(y, source: str) -> np.ndarray:
    """One label per row: numbers (integers when whole) or stripped strings."""
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1 or y.size == 0:
        raise ValueError(f"{source}: expected one label per row, got shape {y.shape}")
    if y.dtype.kind in "US":
        y = np.char.strip(y.astype(str))
        missing = np.flatnonzero(y == "")
        if missing.size:
            raise ValueError(f"{source}: missing label in row {missing[0] + 1}")
        if not all(_is_number(label) for label in y):
            return y
        y = y.astype(np.float64)
    if not (np.issubdtype(y.dtype, np.number) or y.dtype == bool):
        raise ValueError(f"{source}: expected numbers or text, got dtype {y.dtype}")
    if np.issubdtype(y.dtype, np.floating):
        finite = np.isfinite(y)
        if not finite.all():
            first = np.flatnonzero(~finite)[0]
            raise ValueError(f"{source}: NaN or infinite label in row {first + 1}")
        if np.all(y == np.round(y)):
            y = y.astype(np.int64)
    return y


def _label_source_not_found(path: str, labels: str, names: tuple[str, ...]) -> Exception:
    suffix = Path(path).suffix.lower()
    if suffix == ".npy":
        where = f"{path} has no column names"
    elif suffix == ".npz":
        where = f"not an array of {path} (its arrays: {_name_list(names)})"
    else:
        found = _name_list(names) if names else "none, no header row"
        where = f"not a column of {path} (its columns: {found})"
    if Path(labels).suffix.lower() in LABEL_SUFFIXES:
        return FileNotFoundError(f"labels {labels}: no such file, and {where}")
    return ValueError(f"labels {labels!r}: no such file, and {where}")


def _or_list(names: tuple[str, ...]) -> str:
    return ", ".join(names[:-1]) + f" or {names[-1]}" if len(names) > 1 else names[0]


def _name_list(names: tuple[str, ...]) -> str:
    shown = ", ".join(names[:_NAMES_SHOWN])
    more = len(names) - _NAMES_SHOWN
    return shown + (f" and {more} more" if more > 0 else "")


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
    import keras

    return {
        "backend": keras.config.backend(),
        "keras": keras.__version__,
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
        f"Loaded with Keras {description['keras']} on {description['backend']}",
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
