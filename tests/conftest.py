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


# The longest test files on TensorFlow, longest first (worker-seconds measured with
# --durations=0: 15-90 s each; the other files take under 10 s). xdist's loadfile hands
# whole files to whichever worker is free, in collection order: started first, these
# cannot be the file one worker is still running while the other sits idle.
_LONGEST_FILES = (
    "test_scale.py",
    "test_common_checks.py",
    "test_compare.py",
    "test_common_checks_estimator.py",
    "test_neighbors.py",
    "test_quality.py",
    "test_architectures.py",
    "test_sparse.py",
    "test_dask.py",
    "test_reproducibility.py",
    "test_training.py",
    "test_scenarios.py",
    "test_persistence.py",
    "test_doctests.py",
    "test_robustness.py",
    "test_shell.py",
    "test_inference.py",
    "test_parameters.py",
)


def pytest_collection_modifyitems(items):
    rank = {name: position for position, name in enumerate(_LONGEST_FILES)}
    # A stable sort: tests keep their order within a file.
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))
