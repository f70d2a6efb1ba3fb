"""The quick start's three displays, of a reducer fitted on 1,347 digits."""

import matplotlib.pyplot as plt
from sklearn.model_selection import train_test_split

from skae import (
    AutoencoderReducer,
    EmbeddingDisplay,
    ReconstructionDisplay,
    TrainingCurveDisplay,
)
from skae.datasets import load_digits

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
reducer = AutoencoderReducer(n_components=2, random_state=0)
reducer.fit(X_train)

name = "autoencoder"
fig, axes = plt.subplots(
    1, 3, figsize=(12, 3.5), width_ratios=[2, 1, 1], layout="constrained"
)
ReconstructionDisplay.from_estimator(
    reducer, X_test, n_samples=8, estimator_name=name, ax=axes[0]
)
EmbeddingDisplay.from_estimator(reducer, X_test, y_test, estimator_name=name, ax=axes[1])
TrainingCurveDisplay.from_estimator(reducer, estimator_name=name, ax=axes[2])
