"""
=====================================================
2-D maps: the autoencoder beside PCA, t-SNE and UMAP
=====================================================

An autoencoder with a 2-value code is a dimensionality reducer for visualisation, like
PCA, t-SNE and UMAP. By default its 2-D map also trains a neighbour loss on UMAP's
neighbour graph (``neighbor_loss="auto"``, InfoNCE, see :ref:`maps`); the plain autoencoder
(``neighbor_loss=None``) is drawn beside it. All of them draw the same held-out images,
coloured by digit, with `~skae.plots.EmbeddingDisplay`, and each map is scored with the
metrics of `skae.metrics`:

- **trustworthiness** (k=5): are a point's neighbours on the map its neighbours in
  pixel space? 1 is best;
- **5-NN accuracy**: how well a 5-nearest-neighbours classifier working on the map
  recognises the digits, a measure of how well the map keeps the classes apart.

PCA, the autoencoders and UMAP learn a mapping on the training images and embed the
held-out ones with ``transform``. t-SNE cannot embed new rows: it is fitted on the
held-out images themselves, and its 5-NN accuracy is cross-validated on its own map.
UMAP is drawn only when ``umap-learn`` is installed.
"""

# %%
# Data
# ----
# MNIST when its IDX files are at hand (its test file's first 1,500 images train, its last
# 750 are held out, to keep t-SNE and UMAP quick), else scikit-learn's 8x8 digits (75 %
# train, 25 % test): the splits of ``skae compare``.
from skae.datasets import find_mnist_dir, load_comparison_data

mnist_dir = find_mnist_dir()
if mnist_dir:
    name = "MNIST"
    data = load_comparison_data("mnist", data_dir=mnist_dir, n_train=1500, n_test=750)
else:
    name = "digits"
    data = load_comparison_data("digits")
X_train, X_test, y_train, y_test = data.X_train, data.X_test, data.y_train, data.y_test
print(f"{name}: {X_train.shape[0]} training and {X_test.shape[0]} held-out images")

# %%
# Five maps of the held-out images
# --------------------------------
# Both autoencoders train with their defaults.
import time

from sklearn.decomposition import PCA
from sklearn.manifold import TSNE

from skae import AutoencoderReducer

reducers = {
    "autoencoder": AutoencoderReducer(n_components=2, random_state=0),
    "plain autoencoder": AutoencoderReducer(
        n_components=2, neighbor_loss=None, random_state=0
    ),
    "PCA": PCA(n_components=2),
}
try:
    import umap
except ImportError:
    print("umap-learn is not installed: UMAP is left out")
else:
    reducers["UMAP"] = umap.UMAP(n_components=2, random_state=0, n_jobs=1)

embeddings, train_embeddings, seconds = {}, {}, {}
for label, reducer in reducers.items():
    start = time.perf_counter()
    train_embeddings[label] = reducer.fit_transform(X_train)
    embeddings[label] = reducer.transform(X_test)
    seconds[label] = time.perf_counter() - start
start = time.perf_counter()
embeddings["t-SNE"] = TSNE(n_components=2, random_state=0).fit_transform(X_test)
seconds["t-SNE"] = time.perf_counter() - start

# %%
# Scores
# ------
from skae.metrics import knn_accuracy, knn_cv_accuracy, trustworthiness

scores = {}
for label, embedding in embeddings.items():
    if label == "t-SNE":
        accuracy = knn_cv_accuracy(embedding, y_test, n_neighbors=5)
    else:
        accuracy = knn_accuracy(train_embeddings[label], y_train, embedding, y_test, 5)
    scores[label] = trustworthiness(X_test, embedding, n_neighbors=5), accuracy
    print(
        f"{label:<12} trustworthiness {scores[label][0]:.3f}   5-NN accuracy "
        f"{accuracy:.3f}   fit + transform {seconds[label]:5.1f} s"
    )

# %%
# The maps
# --------
import matplotlib.pyplot as plt

from skae import EmbeddingDisplay

fig, axes = plt.subplots(2, 3, figsize=(14, 9), layout="constrained")
for ax, (label, embedding) in zip(axes.flat, embeddings.items(), strict=False):
    title = f"{label}\ntrustworthiness {scores[label][0]:.3f}, 5-NN {scores[label][1]:.3f}"
    display = EmbeddingDisplay.from_embedding(
        embedding, y_test, estimator_name=title, ax=ax, scatter_kwargs={"s": 5}
    )
    display.legend_.remove()
for ax in axes.flat[len(embeddings) :]:
    ax.set_axis_off()
fig.legend(
    display.legend_.legend_handles,
    [text.get_text() for text in display.legend_.texts],
    title="digit",
    loc="outside right center",
)
plt.show()

# %%
# What the maps show
# ------------------
# PCA's map is a linear projection: it keeps the directions of largest variance, which
# separate only a few digits (compare its low 5-NN accuracy). The plain autoencoder
# bends its map to the data: its 2-D code is whatever lets the decoder rebuild the
# images, so its clusters touch where digits look alike (4, 7 and 9; 3, 5 and 8). The
# default autoencoder also trains a neighbour loss, which pulls each image's
# neighbours together on the map and pushes the other images of its batch apart
# (InfoNCE on UMAP's neighbour graph): compare its scores
# with the plain one's above. Both are functions you can apply to new rows and invert
# (``inverse_transform``). t-SNE and UMAP optimise the map for neighbourhoods alone,
# but t-SNE has neither ``transform`` nor ``inverse_transform``, and UMAP's
# ``inverse_transform`` is an approximation that is practical only for a few
# components.
