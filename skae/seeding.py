"""Seeds for Keras drawn from a scikit-learn `random_state`, never from global state.

Every random draw skae makes during training (weight initialisation, shuffling, noise)
takes an explicit integer seed from a `SeedStream`, so a fit neither reads nor changes the
global generators of Python, NumPy, TensorFlow or Keras that the user's own code relies on.
"""

import numbers

import numpy as np

_MAX_SEED = 2**31 - 1


class SeedStream:
    """A reproducible source of integer seeds.

    Parameters
    ----------
    random_state : None, int or numpy.random.RandomState
        As in scikit-learn. ``None`` draws fresh entropy from the operating system
        (not from NumPy's global generator, which must stay untouched).
    """

    def __init__(self, random_state=None):
        if random_state is None:
            base = int(np.random.SeedSequence().generate_state(1)[0]) % _MAX_SEED
            self._rng = np.random.RandomState(base)
        elif isinstance(random_state, numbers.Integral):
            self._rng = np.random.RandomState(int(random_state))
        elif isinstance(random_state, np.random.RandomState):
            self._rng = random_state
        else:
            raise ValueError(
                f"random_state must be None, an int or a numpy RandomState; "
                f"got {random_state!r}."
            )

    def next_seed(self) -> int:
        """Return the next seed, an int in [0, 2**31 - 1)."""
        return int(self._rng.randint(_MAX_SEED))

    def permutation(self, n: int) -> np.ndarray:
        """Return a random permutation of ``range(n)``."""
        return self._rng.permutation(n)
