"""Files written by skae 0.1.0 still load and give the same codes and reconstructions.

The files in tests/fixtures/v0_1_0 were written by make_fixtures.py there, with the
0.1.0 code (commit 9cade2f), before the internals changed.
"""

from pathlib import Path

import numpy as np
import pytest

from skae import AutoencoderReducer

FIXTURES = Path(__file__).parent / "fixtures" / "v0_1_0"
NAMES = ["dense_digits", "conv_digits", "variational_digits", "dense_breast_cancer"]


@pytest.fixture(scope="module")
def expected():
    with np.load(FIXTURES / "expected.npz") as arrays:
        return dict(arrays)


@pytest.mark.parametrize("name", NAMES)
def test_v0_1_0_file_gives_the_same_codes(expected, name):
    reducer = AutoencoderReducer.load(FIXTURES / f"{name}.skae")
    codes = reducer.transform(expected[f"{name}_rows"])
    np.testing.assert_allclose(codes, expected[f"{name}_codes"], rtol=1e-5, atol=1e-6)
    reconstructions = reducer.inverse_transform(expected[f"{name}_codes"])
    np.testing.assert_allclose(
        reconstructions, expected[f"{name}_reconstructions"], rtol=1e-5, atol=1e-5
    )
