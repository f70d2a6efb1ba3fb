"""
=====================================================
A first autoencoder, next to PCA
=====================================================

`~skae.AutoencoderReducer` is used like `~sklearn.decomposition.PCA`: ``fit`` on some
rows, ``transform`` rows to a code of ``n_components`` numbers, ``inverse_transform``
codes back to rows, and ``score`` a fitted model by its reconstruction. Here both
reduce scikit-learn's 8x8 digits to 2 numbers per image, and the displays of
`skae.plots` draw what each keeps.
"""

# sphinx_gallery_thumbnail_number = 3

# %%
# Fit on three quarters of the digits
# -----------------------------------
# ``neighbor_loss=None`` trains the plain autoencoder, in seconds; for 2-D maps the
# default also trains a neighbour loss, which places similar digits closer together
# and takes several times longer (:ref:`maps`).
from sklearn.decomposition import PCA

from skae import AutoencoderReducer
from skae.datasets import load_comparison_data

data = load_comparison_data("digits")
X_train, X_test, y_train, y_test = data.X_train, data.X_test, data.y_train, data.y_test

reducer = AutoencoderReducer(n_components=2, neighbor_loss=None, random_state=0)
codes = reducer.fit(X_train).transform(X_test)
rebuilt = reducer.inverse_transform(codes)
pca = PCA(n_components=2).fit(X_train)
print(f"codes {codes.shape}, rebuilt rows {rebuilt.shape}")
print(f"held-out score of the autoencoder: {reducer.score(X_test):.4f}")

# %%
# The score is the negative mean squared error per pixel,
# `skae.metrics.reconstruction_error`. PCA's own ``score`` is a log-likelihood
# instead, so compare the two by their errors:
from skae.metrics import reconstruction_error

for name, model in [("autoencoder", reducer), ("PCA", pca)]:
    error = reconstruction_error(X_test, model.inverse_transform(model.transform(X_test)))
    print(f"{name:<12} held-out MSE {error:.4f}")

# %%
# What the two numbers keep
# -------------------------
# Ten held-out digits above their reconstructions, for each reducer: the displays take
# any fitted reducer with ``transform`` and ``inverse_transform``.
from skae import ReconstructionDisplay

for name, model in [("autoencoder", reducer), ("PCA", pca)]:
    ReconstructionDisplay.from_estimator(model, X_test, n_samples=10, estimator_name=name)

# %%
# The maps
# --------
# The 2-D codes of the held-out digits, coloured by digit (the labels are used only
# for the colours).
import matplotlib.pyplot as plt

from skae import EmbeddingDisplay

fig, axes = plt.subplots(1, 2, figsize=(11, 4.5), layout="constrained")
for ax, (name, model) in zip(axes, [("autoencoder", reducer), ("PCA", pca)], strict=True):
    display = EmbeddingDisplay.from_estimator(
        model, X_test, y_test, estimator_name=name, ax=ax, scatter_kwargs={"s": 6}
    )
plt.show()

# %%
# Training
# --------
# ``history_`` holds the loss of every epoch (here on scaled units, where 1 is the
# error of predicting the mean row), and `~skae.plots.TrainingCurveDisplay` draws it.
from skae import TrainingCurveDisplay

print(f"trained {len(reducer.history_['loss'])} epochs")
_ = TrainingCurveDisplay.from_estimator(reducer)
