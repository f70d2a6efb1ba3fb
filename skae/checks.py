"""Checks of what the estimator's methods are given: rows, codes and float32's range.

The networks compute in float32. Rows to encode and codes to decode must lie within
float32's range; training rows within half of it, since training subtracts values (from
the feature means, from reconstructions) in float32 and the difference of two values
below half of float32's largest stays finite.
"""

import functools
import types

import numpy as np
from sklearn.utils import check_array

from ._sklearn import validate_data
from .rows import SPARSE_FORMATS, as_row_sliceable
from .spec import DataFacts

FLOAT_DTYPES = [np.float64, np.float32]

FLOAT32_MAX = float(np.finfo(np.float32).max)
TRAINABLE_MAX = FLOAT32_MAX / 2
_BEYOND_FLOAT32 = f"beyond float32's range ({FLOAT32_MAX:.2g}) that the network computes in"


def check_magnitude(X, limit: float, reason: str, low=None, high=None) -> None:
    """Refuse finite X with a value beyond ``limit`` in magnitude, saying why.

    ``low`` and ``high``, X's minimum and maximum when the caller has read them, spare
    another pass over X.
    """
    low = float(X.min()) if low is None else low
    high = float(X.max()) if high is None else high
    largest = max(-low, high)
    if largest > limit:
        raise ValueError(
            f"X has values up to {largest:.3g} in magnitude, {reason}. Rescale X, for "
            "example with StandardScaler."
        )


def training_rows(estimator, X, reset: bool) -> tuple[np.ndarray, DataFacts]:
    """`validate_data` for training rows, refusing values float32 training overflows.

    Returns the rows and what the fit specification needs to know of them, read in
    the same pass as the range check.
    """
    X = validate_data(
        estimator, X, dtype=FLOAT_DTYPES, reset=reset, accept_sparse=SPARSE_FORMATS
    )
    X = as_row_sliceable(X)
    facts = DataFacts.of(X)
    check_magnitude(
        X,
        TRAINABLE_MAX,
        f"too large to train on: training subtracts values in float32, so they must "
        f"stay below {TRAINABLE_MAX:.2g}, half of float32's largest value",
        low=facts.low,
        high=facts.high,
    )
    return X, facts


def rows_to_encode(estimator, X):
    """`validate_data` for rows to encode, skipping its overhead for plain arrays.

    A C- or F-ordered float ndarray of the fitted width, with no column names to
    compare, needs only the range check; the full validation costs more than encoding
    one row. The range check reads X's minimum and maximum (False for NaN), so that no
    temporary the size of X is made.
    """
    plain = (
        type(X) is np.ndarray
        and X.ndim == 2
        and X.dtype in FLOAT_DTYPES
        and X.shape[0] > 0
        and X.shape[1] == estimator.n_features_in_
        and not hasattr(estimator, "feature_names_in_")
    )
    if plain and X.min() >= -FLOAT32_MAX and X.max() <= FLOAT32_MAX:
        return X
    X = validate_data(
        estimator, X, dtype=FLOAT_DTYPES, reset=False, accept_sparse=SPARSE_FORMATS
    )
    check_magnitude(X, FLOAT32_MAX, _BEYOND_FLOAT32)
    return as_row_sliceable(X)


def codes_to_decode(estimator, X, n_components: int):
    """Checked codes of ``n_components`` columns, in a floating dtype."""
    codes = check_array(X, dtype=FLOAT_DTYPES, input_name="X")
    check_magnitude(codes, FLOAT32_MAX, _BEYOND_FLOAT32)
    if codes.shape[1] != n_components:
        raise ValueError(
            f"X has {codes.shape[1]} columns, but {type(estimator).__name__} decodes "
            f"codes of {n_components} components."
        )
    return codes


def finite(values: np.ndarray, method: str) -> np.ndarray:
    """``values``, or a ValueError when float32 arithmetic overflowed into them."""
    if not np.isfinite(values).all():
        raise ValueError(
            f"{method} produced non-finite values: the input is too large for the "
            "network's float32 arithmetic. Check X for extreme values."
        )
    return values


def same_value(first, second) -> bool:
    """Equality of parameter values, arrays (``hidden_layer_sizes``) included."""
    if isinstance(first, np.ndarray) or isinstance(second, np.ndarray):
        return np.array_equal(first, second)
    return bool(first == second)


class variational_only:
    """A method that exists only on variational reducers, like `available_if`.

    `available_if` raises a generic "has no attribute" and hides the reason in the
    exception's cause; this says why in the message itself.
    """

    def __init__(self, method):
        self.method = method
        functools.update_wrapper(self, method)

    def __get__(self, reducer, owner=None):
        if reducer is None:
            return self.method
        if not reducer.variational:
            raise AttributeError(
                f"{type(reducer).__name__} has no method {self.method.__name__!r} with "
                "variational=False: a plain autoencoder only compresses, it learns no "
                "distribution of codes to draw new rows from. Set variational=True."
            )
        return types.MethodType(self.method, reducer)
