"""`import skae` and an unfitted reducer's scikit-learn protocol stay free of Keras;
`skae.compare` and `skae.datasets` of Keras and matplotlib."""

import subprocess
import sys

UNFITTED_USE = """
import sklearn.base

import skae
from skae import AutoencoderReducer

reducer = AutoencoderReducer(3)
reducer.get_params()
sklearn.base.clone(reducer)
"""

COMPARISON_IMPORTS = """
import skae.compare
import skae.datasets
"""


def modules_loaded_by(code: str, names: tuple[str, ...]) -> list[str]:
    """Which of the modules ``names`` a fresh interpreter has loaded after ``code``."""
    # A fresh interpreter: this test process has imported Keras long before.
    report = f"\nimport sys\nprint(' '.join(sorted(set({names!r}) & set(sys.modules))))"
    completed = subprocess.run(
        [sys.executable, "-c", code + report],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    return completed.stdout.split()


def test_unfitted_reducer_imports_neither_keras_nor_tensorflow():
    loaded = modules_loaded_by(UNFITTED_USE, ("keras", "tensorflow"))
    assert loaded == [], (
        f"importing skae, building an AutoencoderReducer, get_params and clone "
        f"imported {' and '.join(loaded)}"
    )


def test_comparison_modules_import_neither_keras_tensorflow_nor_matplotlib():
    # The command line imports both at start-up: Keras is for the autoencoder's row only,
    # matplotlib for the figures only.
    loaded = modules_loaded_by(COMPARISON_IMPORTS, ("keras", "tensorflow", "matplotlib"))
    assert loaded == [], f"importing skae.compare and skae.datasets imported {loaded}"


# The estimator keeps parameters and scikit-learn methods; Keras work belongs to
# skae.networks, skae.fitted and the modules they use (docs/architecture.md).
KERAS_FREE_MODULES = (
    "estimator",
    "spec",
    "checks",
    "scaling",
    "persistence",
    "neighbors",
    "batches",
    "backends",
    "rows",
)
KERAS_MODULES = ("keras", "tensorflow", "jax", "torch")


def _imported_names(path) -> set[str]:
    import ast

    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_the_estimator_and_its_specification_never_import_keras():
    # Anywhere in the file, lazy imports inside functions included.
    from pathlib import Path

    import skae

    package = Path(skae.__file__).parent
    for module in KERAS_FREE_MODULES:
        found = _imported_names(package / f"{module}.py") & set(KERAS_MODULES)
        assert not found, f"skae/{module}.py imports {sorted(found)}"
