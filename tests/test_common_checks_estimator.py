"""scikit-learn's common checks on the configurations whose code is backend-neutral.

Estimator logic that is the same code on every backend (early stopping, warm starts,
noise and sparsity, the variational code's parameters): CI checks it on TensorFlow,
in a file of its own so that the checks share the test workers. The variational layer
runs on every backend in tests/test_backends.py.
"""

import pytest
from test_common_checks import TINY, cases

from skae import AutoencoderReducer

CONFIGURATIONS = [
    AutoencoderReducer(early_stopping=True, n_iter_no_change=2, **TINY),
    AutoencoderReducer(warm_start=True, **TINY),
    AutoencoderReducer(noise=0.1, sparsity=0.01, **TINY),
    AutoencoderReducer(variational=True, **TINY),
]


@pytest.mark.parametrize("estimator, check", list(cases(CONFIGURATIONS, sparse=False)))
def test_sklearn_compatible(estimator, check):
    check(estimator)
