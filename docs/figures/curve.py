"""The autoencoders page's figure: one component of points along a curve, by PCA and by
an autoencoder."""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.decomposition import PCA

from skae import AutoencoderReducer
from skae.metrics import reconstruction_error

# 1,000 noisy points along three quarters of a circle: one number, the angle, says
# where a point is, but no straight line passes near all of them.
rng = np.random.RandomState(0)
angle = rng.uniform(0, 1.5 * np.pi, 1000)
X = np.c_[np.cos(angle), np.sin(angle)] + rng.normal(scale=0.05, size=(1000, 2))

reducers = {
    "PCA": PCA(n_components=1),
    "autoencoder": AutoencoderReducer(n_components=1, random_state=0),
}
fig, axes = plt.subplots(1, 2, figsize=(8, 4), sharey=True, layout="constrained")
for ax, (name, reducer) in zip(axes, reducers.items(), strict=True):
    rebuilt = reducer.fit(X).inverse_transform(reducer.transform(X))
    ax.scatter(*X.T, s=4, color="0.7", label="rows")
    ax.scatter(*rebuilt.T, s=4, color="C3", label="rebuilt from 1 number")
    ax.set_title(f"{name}: MSE {reconstruction_error(X, rebuilt):.3f}")
    ax.set_aspect("equal")
axes[0].legend(loc="lower left", fontsize="small")
