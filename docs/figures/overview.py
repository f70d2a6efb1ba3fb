"""The index page's figure: an autoencoder and PCA, both with 2 components, on digits."""

import matplotlib.pyplot as plt
from sklearn.decomposition import PCA
from sklearn.model_selection import train_test_split

from skae import AutoencoderReducer, EmbeddingDisplay
from skae.datasets import load_digits
from skae.metrics import reconstruction_error

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
reducers = {
    "autoencoder": AutoencoderReducer(2, random_state=0),
    "PCA": PCA(2),
}
rows = {"held-out": X_test}
for name, reducer in reducers.items():
    rows[name] = reducer.fit(X_train).inverse_transform(reducer.transform(X_test))

fig = plt.figure(figsize=(10, 3.3), layout="constrained")
left, right = fig.subfigures(1, 2, width_ratios=[1.5, 1])
n_shown = 10
axes = left.subplots(len(rows), n_shown)
for axes_row, (name, reconstructed) in zip(axes, rows.items(), strict=True):
    for ax, image in zip(axes_row, reconstructed[:n_shown], strict=True):
        ax.imshow(image.reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
        ax.set_xticks([])
        ax.set_yticks([])
    if name != "held-out":
        name = f"{name}\nMSE {reconstruction_error(X_test, reconstructed):.3f}"
    axes_row[0].set_ylabel(name, rotation=0, ha="right", va="center")
left.suptitle("Held-out digits rebuilt from 2 numbers each")
display = EmbeddingDisplay.from_estimator(
    reducers["autoencoder"], X_test, y_test, ax=right.subplots(), scatter_kwargs={"s": 6}
)
display.ax_.set_title("The autoencoder's codes of the held-out digits")
