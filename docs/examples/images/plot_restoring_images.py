"""
=====================================================
Restoring degraded images: noise and pixelation
=====================================================

An autoencoder trained on clean images knows what digits look like: passing a damaged
digit through its encoder and decoder replaces it with the nearest digit it can
reconstruct. Two kinds of damage:

- **Gaussian noise.** A *denoising* autoencoder (``noise=``) is trained to reconstruct
  clean rows from noisy copies, so it learns to ignore the noise. We compare it with an
  autoencoder trained without noise and with PCA of the same size.
- **Pixelation**, each image averaged over blocks of pixels and blown up again (the
  "mosaic" that the study skae grew from wanted to undo). Projecting through a reducer
  helps a little; training the network on pairs of pixelated and clean images helps
  far more. That training is supervised, so it is done with the Keras models inside
  the reducer.
"""

# %%
# Data
# ----
# MNIST when its IDX files are at hand (the first 8,000 images of the test file train,
# the last 2,000 are held out), else scikit-learn's 8x8 digits (75 % train, 25 % test):
# the splits of ``skae compare``.
from skae.datasets import load_comparison_data

data = load_comparison_data("images")
name = "MNIST" if data.dataset == "mnist" else "digits"
X_train, X_test, image_shape = data.X_train, data.X_test, data.image_shape
print(f"{name}: {X_train.shape[0]} training and {X_test.shape[0]} held-out images")
# About 1,000 gradient steps of 128 rows either way: digits has 6 times fewer rows.
epochs = 15 if name == "MNIST" else 100

# %%
# Noisy digits
# ------------
# Noise of standard deviation 0.5 on pixels in [0, 1] is heavy, yet the digits stay
# readable to a person. The denoising autoencoder adds noise of the same strength to
# its input during training only: ``transform`` itself is deterministic. skae's default,
# ``noise="auto"``, adds some to images (0.1 for a code of this size); ``noise=0``
# trains a plain autoencoder for comparison.
import numpy as np
from sklearn.decomposition import PCA

from skae import AutoencoderReducer
from skae.metrics import reconstruction_error

noise = 0.5
rng = np.random.RandomState(0)
X_noisy = X_test + rng.normal(scale=noise, size=X_test.shape)

reducers = {
    "plain autoencoder": AutoencoderReducer(32, noise=0, epochs=epochs, random_state=0),
    "denoising autoencoder": AutoencoderReducer(
        32, noise=noise, epochs=epochs, random_state=0
    ),
    "PCA": PCA(32),
}
cleaned = {}
print(f"noisy images           MSE {reconstruction_error(X_test, X_noisy):.4f}")
for label, reducer in reducers.items():
    reducer.fit(X_train)
    cleaned[label] = reducer.inverse_transform(reducer.transform(X_noisy))
    print(f"{label:<22} MSE {reconstruction_error(X_test, cleaned[label]):.4f}")

# %%
# Each panel shows the clean originals on top and, below, the noisy input or a
# reducer's output from it; the title's error is against the clean originals. The
# plain autoencoder never saw noise: it reads some noisy digits as other digits. The
# denoising one learned to see through the noise.
import matplotlib.pyplot as plt

from skae import ReconstructionDisplay

shown = slice(0, 10)
panels = {"noisy input": X_noisy, **cleaned}
fig, axes = plt.subplots(len(panels), 1, figsize=(11, 2.4 * len(panels)))
for ax, (label, rows) in zip(axes, panels.items(), strict=True):
    display = ReconstructionDisplay(
        X_test[shown], rows[shown], image_shape=image_shape, estimator_name=label
    ).plot(ax=ax)
    display.axes_[1, 0].set_ylabel(label.split()[0])
    for image in display.images_.flat:
        image.set_clim(0, 1)  # the pixels' own range: noise beyond it saturates
plt.show()

# %%
# Pixelated digits
# ----------------
# Average each image over square blocks (4x4 pixels for MNIST, 2x2 for digits) and
# repeat each block's mean over the block again.
block = 4 if image_shape == (28, 28) else 2


def pixelate(X, image_shape, block):
    """Each image averaged over ``block`` x ``block`` squares, at full size again."""
    height, width = image_shape
    blocks = X.reshape(-1, height // block, block, width // block, block).mean(axis=(2, 4))
    return blocks.repeat(block, axis=1).repeat(block, axis=2).reshape(len(X), -1)


X_train_pixelated = pixelate(X_train, image_shape, block)
X_test_pixelated = pixelate(X_test, image_shape, block)
denoiser = reducers["denoising autoencoder"]
projected = denoiser.inverse_transform(denoiser.transform(X_test_pixelated))

# %%
# Projection only maps the blocks to the nearest digit the reducer can reconstruct. To
# *learn* the restoration, train on pairs: pixelated input, clean target. A reducer is
# unsupervised (its ``fit`` ignores ``y``), but its networks are plain Keras models:
# clone the fitted autoencoder (``clone_model`` makes new weights, so the reducer is
# left as it was) and train the copy, starting from what the reducer learned. The
# copy's input and output are in data units, like the reducer's.
import keras

restorer = keras.models.clone_model(denoiser.autoencoder_)
restorer.set_weights(denoiser.autoencoder_.get_weights())
restorer.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3), loss="mse")
restorer.fit(X_train_pixelated, X_train, epochs=epochs // 3, batch_size=128, verbose=0)
restored = restorer.predict(X_test_pixelated, verbose=0)

for label, rows in [
    ("pixelated", X_test_pixelated),
    ("projected by the autoencoder", projected),
    ("restorer trained on pairs", restored),
]:
    print(f"{label:<29} MSE {reconstruction_error(X_test, rows):.4f}")

fig, axes = plt.subplots(3, 1, figsize=(11, 7.2))
for ax, (label, rows) in zip(
    axes,
    [("pixelated", X_test_pixelated), ("projected", projected), ("restored", restored)],
    strict=True,
):
    display = ReconstructionDisplay(
        X_test[shown], rows[shown], image_shape=image_shape, estimator_name=label
    ).plot(ax=ax)
    display.axes_[1, 0].set_ylabel(label)
plt.show()
