"""The private scikit-learn helpers skae builds on, imported in one place.

`_fit_context` and the parameter-constraint classes are private scikit-learn API: keeping
their imports here means a scikit-learn upgrade that moves them touches one file.
"""

from sklearn.base import _fit_context
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

__all__ = [
    "HasMethods",
    "Interval",
    "StrOptions",
    "_fit_context",
    "check_is_fitted",
    "validate_data",
]
