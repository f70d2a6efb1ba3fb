import os

# Quiet TensorFlow's C++ start-up logs; must be set before TensorFlow is imported.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# scikit-learn's array-API common check (NumPy inputs under array-API dispatch) runs only
# when SciPy is imported with this set.
os.environ.setdefault("SCIPY_ARRAY_API", "1")

if os.environ.get("PYTEST_XDIST_WORKER") and os.environ.get("KERAS_BACKEND") == "torch":
    # Two workers each running PyTorch's two OpenMP threads on two cores spin against
    # each other: the quality tests took many times as long as one worker alone.
    import torch

    torch.set_num_threads(1)

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402


@pytest.fixture(scope="session")
def digits():
    """Digits scaled to [0, 1], split into (X_train, X_test, y_train, y_test)."""
    data = load_digits()
    X = data.data / 16.0
    order = np.random.RandomState(0).permutation(len(X))
    train, test = order[:1400], order[1400:]
    return X[train], X[test], data.target[train], data.target[test]
