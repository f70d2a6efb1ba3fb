"""The private scikit-learn helpers skae builds on, imported in one place.

`_fit_context`, `validate_params` and the parameter-constraint classes are private
scikit-learn API: keeping their imports here means a scikit-learn upgrade that moves them
touches one file.
"""

from sklearn.base import _fit_context
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    StrOptions,
    validate_params,
)
from sklearn.utils.validation import check_is_fitted, validate_data

__all__ = [
    "HasMethods",
    "Interval",
    "IntervalNotBool",
    "StrOptions",
    "_fit_context",
    "check_is_fitted",
    "validate_data",
    "validate_params",
]


class IntervalNotBool(Interval):
    """An `Interval` that refuses booleans, which Python counts as integers.

    For arguments where ``True`` is a mistake rather than 1, such as a neighbour count.
    """

    def is_satisfied_by(self, val):
        return not isinstance(val, bool) and super().is_satisfied_by(val)
