"""
=====================================================
Rows from disk and rows in pieces
=====================================================

Data too large for memory reach `~skae.AutoencoderReducer` in two ways
(:ref:`scaling-up`):

- **a memory-mapped file**: ``fit`` and ``transform`` read a ``numpy.memmap`` batch by
  batch, so only a batch of rows is in memory at a time;
- **pieces**: ``partial_fit`` trains one epoch on each piece it is given, and passes
  over all the pieces add up to a training.

Both run on whichever Keras backend is set (TensorFlow, JAX or PyTorch,
:ref:`backends`): this script runs unchanged under ``KERAS_BACKEND=jax`` or ``torch``.
Here the rows are scikit-learn's digits, small enough to compare both ways with a fit
in memory.
"""

# %%
# Data, and the backend
# ---------------------
import keras

from skae.datasets import load_comparison_data

data = load_comparison_data("digits")
X_train, X_test = data.X_train, data.X_test
print(f"Keras {keras.__version__} on {keras.backend.backend()}")
print(f"{X_train.shape[0]} training and {X_test.shape[0]} held-out rows")

# %%
# A fit that reads its rows from disk
# -----------------------------------
# Store the rows as float32 (other dtypes would be converted, in memory, whole), open
# the file with ``mmap_mode="r"`` and pass the array as it is. 15 epochs keep this
# example quick.
import tempfile
from pathlib import Path

import numpy as np

from skae import AutoencoderReducer

epochs = 15
folder = tempfile.TemporaryDirectory()
path = Path(folder.name) / "rows.npy"
np.save(path, X_train.astype(np.float32))
on_disk = np.load(path, mmap_mode="r")
print(type(on_disk).__name__, on_disk.dtype, on_disk.shape)

from_disk = AutoencoderReducer(8, epochs=epochs, random_state=0).fit(on_disk)
print(f"fit on the memmap: held-out score {from_disk.score(X_test):.4f}")

# %%
# The same training in pieces
# ---------------------------
# Three pieces of shuffled rows, as if they came from three files. The first call fixes
# the input scaling from its rows, so the pieces should be representative samples: here
# they are shuffled before being split. One pass calls ``partial_fit`` once per piece;
# after each pass, the held-out error is recorded.
rng = np.random.RandomState(0)
pieces = np.array_split(X_train[rng.permutation(len(X_train))], 3)

in_pieces = AutoencoderReducer(8, random_state=0)
errors = []
for _ in range(epochs):
    for piece in pieces:
        in_pieces.partial_fit(piece)
    errors.append(-in_pieces.score(X_test))
print(f"{epochs} passes over 3 pieces: held-out score {in_pieces.score(X_test):.4f}")

# %%
# Passes over the pieces against the fit
# --------------------------------------
# Each pass is an epoch over every row, as an epoch of ``fit`` is, but the batches
# never mix rows of two pieces. PCA's error at the same size is the yardstick.
import matplotlib.pyplot as plt
from sklearn.decomposition import PCA

pca = PCA(8).fit(X_train)
pca_error = np.mean((X_test - pca.inverse_transform(pca.transform(X_test))) ** 2)

fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
ax.plot(np.arange(1, epochs + 1), errors, marker="o", label="partial_fit, after each pass")
fit_error = -from_disk.score(X_test)
ax.axhline(fit_error, color="C1", label=f"fit on the memmap, {epochs} epochs")
ax.axhline(pca_error, color="0.5", linestyle="--", label="PCA")
ax.set_xlabel("passes over the pieces")
ax.set_ylabel("held-out MSE per pixel")
ax.legend()
plt.show()

# %%
# The pieces catch up with the fit in memory as the passes add up. Both trainings are
# short: 15 epochs leave both above PCA's error at 8 components, which the default
# training (up to 200 epochs at 8 components) gets well below on these digits.

folder.cleanup()
