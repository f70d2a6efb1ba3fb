"""`import skae` and an unfitted reducer's scikit-learn protocol stay free of Keras."""

import subprocess
import sys

UNFITTED_USE = """
import sys

import sklearn.base

import skae
from skae import AutoencoderReducer

reducer = AutoencoderReducer(3)
reducer.get_params()
sklearn.base.clone(reducer)
print(" ".join(sorted({"keras", "tensorflow"} & set(sys.modules))))
"""


def test_unfitted_reducer_imports_neither_keras_nor_tensorflow():
    # A fresh interpreter: this test process has imported Keras long before.
    completed = subprocess.run(
        [sys.executable, "-c", UNFITTED_USE],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    loaded = completed.stdout.split()
    assert loaded == [], (
        f"importing skae, building an AutoencoderReducer, get_params and clone "
        f"imported {' and '.join(loaded)}"
    )
