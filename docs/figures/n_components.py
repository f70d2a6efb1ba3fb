"""The choosing page's figure: held-out error against the code size, on digits."""

import matplotlib.pyplot as plt
from sklearn.decomposition import PCA
from sklearn.model_selection import train_test_split

from skae import AutoencoderReducer
from skae.datasets import load_digits
from skae.metrics import reconstruction_error

X, y = load_digits(return_X_y=True)
X_train, X_test = train_test_split(X, random_state=0)
sizes = [2, 4, 8, 16]
errors = {"autoencoder": [], "PCA": []}
for n in sizes:
    for name, reducer in [
        ("autoencoder", AutoencoderReducer(n, neighbor_loss=None, random_state=0)),
        ("PCA", PCA(n)),
    ]:
        rebuilt = reducer.fit(X_train).inverse_transform(reducer.transform(X_test))
        errors[name].append(reconstruction_error(X_test, rebuilt))

fig, ax = plt.subplots(figsize=(6, 3.5), layout="constrained")
for name, values in errors.items():
    ax.plot(sizes, values, marker="o", label=name)
ax.set_xscale("log", base=2)
ax.set_xticks(sizes, [str(n) for n in sizes])
ax.set_xlabel("n_components")
ax.set_ylabel("held-out MSE per pixel")
ax.set_ylim(bottom=0)
ax.legend()
ax.set_title("Digits: error against code size")
