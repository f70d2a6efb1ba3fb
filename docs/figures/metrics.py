"""The metrics page's figure: false and missed neighbours on a PCA map of digits, and
trustworthiness and continuity against k for PCA and t-SNE."""

import matplotlib.pyplot as plt
from sklearn.decomposition import PCA
from sklearn.manifold import TSNE
from sklearn.model_selection import train_test_split
from sklearn.neighbors import NearestNeighbors

from skae.datasets import load_digits
from skae.metrics import continuity, trustworthiness

X, y = load_digits(return_X_y=True)
_, X_test, _, y_test = train_test_split(X, y, random_state=0)
maps = {
    "PCA": PCA(2).fit_transform(X_test),
    "t-SNE": TSNE(2, random_state=0).fit_transform(X_test),
}

fig, (left, right) = plt.subplots(1, 2, figsize=(8, 4), layout="constrained")
# One digit's 5 nearest neighbours in pixel space and on PCA's map.
row, k = 0, 5
pca_map = maps["PCA"]
in_pixels = NearestNeighbors(n_neighbors=k + 1).fit(X_test).kneighbors(X_test[[row]])[1]
on_map = NearestNeighbors(n_neighbors=k + 1).fit(pca_map).kneighbors(pca_map[[row]])[1]
in_pixels, on_map = set(in_pixels[0][1:]), set(on_map[0][1:])
left.scatter(*pca_map.T, s=4, color="0.8")
groups = {
    "neighbour in pixels and on the map": in_pixels & on_map,
    "false neighbour: on the map only": on_map - in_pixels,
    "missed neighbour: in pixels only": in_pixels - on_map,
}
for (label, members), color in zip(groups.items(), ["C2", "C3", "C0"], strict=True):
    members = sorted(members)
    left.scatter(*pca_map[members].T, s=30, color=color, label=f"{label} ({len(members)})")
left.scatter(*pca_map[row], s=120, marker="*", color="k", label=f"a held-out {y_test[row]}")
left.set_title(f"PCA's map: one digit's {k} nearest neighbours")
left.legend(fontsize="small", loc="lower left")

ks = [1, 2, 5, 10, 20, 50]
for (name, embedding), color in zip(maps.items(), ["C1", "C4"], strict=True):
    right.plot(
        ks,
        [trustworthiness(X_test, embedding, n_neighbors=n) for n in ks],
        marker="o",
        color=color,
        label=f"{name}: trustworthiness",
    )
    right.plot(
        ks,
        [continuity(X_test, embedding, n_neighbors=n) for n in ks],
        marker="s",
        linestyle="--",
        color=color,
        label=f"{name}: continuity",
    )
right.set_xscale("log")
right.set_xticks(ks, [str(n) for n in ks])
right.set_xlabel("k (neighbours)")
right.set_title("450 held-out digits")
right.set_ylim(0.6, 1.01)  # room for the legend below the lines
right.legend(fontsize="small", loc="lower left")
