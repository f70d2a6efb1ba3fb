"""Fit, transform and inverse-transform digits; compare reconstruction error with PCA."""

import time

import numpy as np
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.model_selection import train_test_split

from skae import AutoencoderReducer

X = load_digits().data / 16.0
X_train, X_test = train_test_split(X, test_size=0.25, random_state=0)

for reducer in (AutoencoderReducer(n_components=2, random_state=0), PCA(n_components=2)):
    start = time.perf_counter()
    reducer.fit(X_train)
    seconds = time.perf_counter() - start
    codes = reducer.transform(X_test)
    error = np.mean((X_test - reducer.inverse_transform(codes)) ** 2)
    name = type(reducer).__name__
    print(
        f"{name:<20} held-out MSE {error:.4f}   fit {seconds:5.1f} s   codes {codes.shape}"
    )
