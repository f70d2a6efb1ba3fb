"""
=====================================================
Time to quality: held-out error against fit seconds
=====================================================

A reducer is worth its quality per second. PCA fits in a blink and is the yardstick;
`~skae.AutoencoderReducer` trains for up to ``epochs`` passes over the rows, and each
pass buys some reconstruction. This example fits the default dense network for more
and more epochs, times every fit, and draws the held-out error against the seconds it
cost, beside PCA's and beside a fit with ``early_stopping=True``, which picks its own
number of epochs on a validation split.

The benchmarks page draws the same curves for MNIST, the default networks at 2 and 36
components, beside UMAP's and t-SNE's fit times (:ref:`benchmarks`).
"""

# %%
# Data
# ----
# scikit-learn's 8x8 digits, split as ``skae compare`` splits them; 8 components.
from skae.datasets import load_comparison_data

data = load_comparison_data("digits")
X_train, X_test = data.X_train, data.X_test
n_components = 8

# %%
# Fits of growing length, each timed
# ----------------------------------
# Every fit starts afresh from the same ``random_state``: each point is what a user
# gets by asking for that many epochs. ``n_iter_`` says how many were run (the
# training stops early once its loss stops improving).
import time

import numpy as np
from sklearn.decomposition import PCA

from skae import AutoencoderReducer
from skae.metrics import reconstruction_error


def timed_fit(reducer):
    """(fit seconds, held-out MSE) of a reducer fitted on the training rows."""
    start = time.perf_counter()
    reducer.fit(X_train)
    seconds = time.perf_counter() - start
    X_back = reducer.inverse_transform(reducer.transform(X_test))
    return seconds, reconstruction_error(X_test, X_back)


AutoencoderReducer(n_components, epochs=1).fit(X_train)  # loads Keras' kernels, untimed
curve, n_iters = [], []
for epochs in (5, 10, 20, 40, 80, 200):
    reducer = AutoencoderReducer(n_components, epochs=epochs, random_state=0)
    seconds, error = timed_fit(reducer)
    curve.append((seconds, error))
    n_iters.append(reducer.n_iter_)
    print(f"epochs={epochs:3d} ran {reducer.n_iter_:3d}: {seconds:5.1f} s, MSE {error:.4f}")

stopped = AutoencoderReducer(n_components, early_stopping=True, random_state=0)
stopped_seconds, stopped_error = timed_fit(stopped)
print(f"early stopping after {stopped.n_iter_} epochs: {stopped_seconds:.1f} s")
pca_seconds, pca_error = timed_fit(PCA(n_components))
print(f"PCA: {pca_seconds:.3f} s, MSE {pca_error:.4f}")

# %%
# The curve
# ---------
# Each point is labelled with the epochs it ran. A fit also pays a fixed cost, for
# building and compiling its networks, whatever its length: the short fits sit to the
# right of PCA's point by about that much. Where the curve crosses PCA's line, the
# autoencoder starts to pay for its training time.
import matplotlib.pyplot as plt

seconds, errors = np.array(curve).T
fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
ax.plot(seconds, errors, marker="o", label="AutoencoderReducer, fixed epochs")
for point, n_iter in zip(curve, n_iters, strict=True):
    ax.annotate(f"{n_iter}", point, textcoords="offset points", xytext=(6, 4))
ax.plot(stopped_seconds, stopped_error, "s", color="C2", ms=9, label="early_stopping=True")
ax.axhline(pca_error, color="0.5", linestyle="--", label="PCA")
ax.plot(pca_seconds, pca_error, "D", color="0.5")
ax.set_xlim(left=0)
ax.set_xlabel("fit seconds")
ax.set_ylabel("held-out MSE per pixel")
ax.set_title(f"Digits, {n_components} components: epochs run beside each point")
ax.legend()
plt.show()

# %%
# The first epochs buy the most; past PCA's line each further cut in the error costs
# more seconds than the last. Early stopping needs no guess at ``epochs``, but it is
# not free: it trains on fewer rows (a tenth is held out for validation) and scores
# them after every epoch, which on TensorFlow also rules out running a whole epoch in
# one call (:ref:`training`), so here it costs more seconds than the longest fixed
# fit for a little less quality. Times depend on the machine (this page was built on a
# shared one); the shape of the curve does not.
