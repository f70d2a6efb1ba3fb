"""Reconstruction quality against PCA, on held-out rows."""

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer
from sklearn.decomposition import PCA
from sklearn.model_selection import KFold, cross_val_score

from skae import AutoencoderReducer


def _pca_score(pca, X, y=None):
    return -np.mean((X - pca.inverse_transform(pca.transform(X))) ** 2)


@pytest.mark.slow
def test_beats_pca_on_held_out_digits(digits):
    X_train, X_test = digits[0], digits[1]
    reducer = AutoencoderReducer(n_components=2, random_state=0).fit(X_train)
    pca = PCA(n_components=2).fit(X_train)
    autoencoder_mse, pca_mse = -reducer.score(X_test), -_pca_score(pca, X_test)
    assert autoencoder_mse < 0.85 * pca_mse, (autoencoder_mse, pca_mse)


@pytest.mark.slow
def test_beats_pca_on_raw_breast_cancer_in_original_units():
    # Unscaled: feature variances span ten orders of magnitude.
    X = load_breast_cancer().data
    folds = KFold(5, shuffle=True, random_state=0)
    autoencoder = cross_val_score(
        AutoencoderReducer(n_components=2, random_state=0), X, cv=folds
    )
    pca = cross_val_score(PCA(n_components=2), X, cv=folds, scoring=_pca_score)
    assert autoencoder.mean() > pca.mean(), (autoencoder, pca)


def test_inverse_transform_returns_original_units():
    X = load_breast_cancer().data[:200]
    reducer = AutoencoderReducer(
        n_components=2, hidden_layer_sizes=(16,), batch_size=32, epochs=100, random_state=0
    )
    reconstruction = reducer.fit(X).inverse_transform(reducer.transform(X))
    # Like PCA on raw data, the error is weighed in the data's units, where the area
    # features (variances in the tens of thousands) carry nearly all of the variance.
    mse = np.mean((X - reconstruction) ** 2)
    assert mse < 0.05 * X.var(axis=0).mean()
    large = X.var(axis=0) > 100
    assert np.allclose(
        reconstruction[:, large].mean(axis=0), X[:, large].mean(axis=0), rtol=0.05
    )
    assert reducer.loss_curve_[-1] < 0.2 * reducer.loss_curve_[0]
