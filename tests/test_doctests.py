"""The Examples sections of skae's docstrings run and print what they show."""

import doctest
import importlib
import pkgutil

import pytest
from threadpoolctl import threadpool_limits

import skae

# With subpackages' modules: doctest finds only what a module defines itself, not what
# a package re-exports (skae.compare's functions live in skae.compare.runner and so on).
MODULES = ["skae"] + sorted(
    module.name for module in pkgutil.walk_packages(skae.__path__, prefix="skae.")
)


@pytest.fixture
def offscreen_figures():
    """Draw the plots' examples off-screen and close their figures afterwards."""
    import matplotlib.pyplot as plt

    backend = plt.get_backend()
    plt.switch_backend("Agg")
    yield
    plt.close("all")
    plt.switch_backend(backend)


def test_docstring_examples_pass(offscreen_figures):
    failures, attempted = {}, 0
    for name in MODULES:
        # One OpenMP thread: t-SNE's example takes about a second so, but tens of seconds
        # when its spinning threads share the cores with another busy process.
        with threadpool_limits(limits=1):
            results = doctest.testmod(
                importlib.import_module(name),
                optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
                report=False,
            )
        attempted += results.attempted
        if results.failed:
            failures[name] = results.failed
    # doctest prints each failing example with its expected and actual output above.
    assert not failures, f"failing docstring examples per module: {failures}"
    assert attempted > 0, "no docstring examples found in skae"
