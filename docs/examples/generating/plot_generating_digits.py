"""
=====================================================
Generating new digits with a variational autoencoder
=====================================================

A plain autoencoder compresses and decompresses: its codes land wherever training put
them, so there is no distribution to draw new codes from, and decoding made-up codes
gives smudges. A *variational* autoencoder (``variational=True``) learns a Gaussian
code for each row and a KL term pulls the codes towards a standard normal prior. The
decoder then turns draws from that prior into new rows: `~skae.AutoencoderReducer.sample`.

The study skae grew from asked how an autoencoder differs from a GAN; the answer is at
the end.
"""

# %%
# Data
# ----
# The training rows of ``skae compare``'s splits: the first 8,000 images of MNIST's test
# file when its IDX files are at hand, else 75 % of scikit-learn's 8x8 digits.
from skae.datasets import load_comparison_data

data = load_comparison_data("images")
name = "MNIST" if data.dataset == "mnist" else "digits"
X, y, image_shape = data.X_train, data.y_train, data.image_shape
print(f"{name}: {X.shape[0]} images of {image_shape[0]}x{image_shape[1]} pixels")
# About 1,000 gradient steps of 128 rows either way: digits has 6 times fewer rows.
epochs = 15 if name == "MNIST" else 100

# %%
# A variational autoencoder with a 2-D code
# -----------------------------------------
# Two components, so that the whole code space can be drawn. ``beta`` (default 1)
# weighs the KL term against the reconstruction error, and ``history_`` records both.
# Too large a ``beta`` and the codes collapse onto the prior: every sample is the same
# average digit, and the KL in ``history_`` is near 0. The defaults keep the codes
# informative on the 8x8 digits and on MNIST.
from skae import AutoencoderReducer

vae = AutoencoderReducer(
    n_components=2, variational=True, epochs=epochs, random_state=0
).fit(X)
print(
    f"last epoch: reconstruction loss {vae.history_['reconstruction_loss'][-1]:.4f}, "
    f"KL {vae.history_['kl_loss'][-1]:.2f}"
)

# %%
# New digits
# ----------
# ``sample`` decodes draws from the standard normal prior; ``random_state`` seeds the
# draws without touching any global generator.
import matplotlib.pyplot as plt

new_rows = vae.sample(32, random_state=0)
fig, axes = plt.subplots(4, 8, figsize=(8, 4.3), layout="constrained")
for ax, row in zip(axes.flat, new_rows, strict=True):
    ax.imshow(row.reshape(image_shape), cmap="gray", vmin=0, vmax=1)
    ax.set_axis_off()
fig.suptitle("32 digits drawn from the prior: no row of the training data")
plt.show()

# %%
# The whole code space
# --------------------
# Decode a regular grid of codes, spaced by the quantiles of the normal prior: the
# decoder morphs one digit into the next, because neighbouring codes must decode to
# similar images.
import numpy as np
from scipy.stats import norm

n_steps = 15
quantiles = norm.ppf(np.linspace(0.05, 0.95, n_steps))
codes = np.array([[first, second] for second in quantiles[::-1] for first in quantiles])
height, width = image_shape
grid = (
    vae.inverse_transform(codes)
    .reshape(n_steps, n_steps, height, width)
    .transpose(0, 2, 1, 3)
    .reshape(n_steps * height, n_steps * width)
)
fig, ax = plt.subplots(figsize=(7, 7), layout="constrained")
ax.imshow(grid, cmap="gray", vmin=0, vmax=1)
ax.set_axis_off()
ax.set_title("Decoded codes from the 5 % to the 95 % quantile of the prior")
plt.show()

# %%
# Where the images are encoded
# ----------------------------
# ``transform`` returns each row's mean code. The KL term keeps the codes near the
# origin with a spread of about 1 (printed below), which is what makes draws from the
# prior land among them; the digits still form their own regions.
from skae import EmbeddingDisplay

codes = vae.transform(X)
print(f"codes: mean {codes.mean(axis=0).round(2)}, std {codes.std(axis=0).round(2)}")
_ = EmbeddingDisplay.from_estimator(vae, X, y, estimator_name="VAE mean codes")

# %%
# A plain autoencoder has no ``sample``: it learns no distribution to draw from.
plain = AutoencoderReducer(n_components=2)
print("plain autoencoder has sample:", hasattr(plain, "sample"))

# %%
# Autoencoder or GAN?
# -------------------
# The study guessed that a GAN is "creative" while an autoencoder can only restore what
# it has seen. That is right for the plain autoencoder above, and wrong for the
# variational one:
#
# - **Both generate from noise.** A GAN's generator and a VAE's decoder are the same
#   kind of network: a random code in, an image out. New images come from new codes.
# - **They learn differently.** A VAE trains an encoder beside the decoder and
#   maximises a bound on the likelihood of the data: reconstruct every training image
#   (the reconstruction loss) while keeping the codes close to the prior (the KL term).
#   A GAN has no encoder: its generator learns to fool a second network, a
#   discriminator that tells generated images from real ones.
# - **What that buys.** The VAE's training is a plain minimisation, stable and
#   reproducible, and it covers every kind of digit because every training image must
#   be reconstructed; it also gives an encoder, so images can be mapped to codes and
#   compared, interpolated or cleaned. Its samples are blurrier, because a pixel-wise
#   loss rewards the average of the plausible images. A GAN's samples are sharper, but
#   its adversarial training is delicate and can collapse onto a few kinds of image,
#   and it cannot encode an existing image.
#
# skae provides the variational autoencoder; for sharp samples at scale, GANs and
# diffusion models are the tools.
