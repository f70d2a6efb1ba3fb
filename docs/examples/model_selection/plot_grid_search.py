"""
=====================================================
Tuning an autoencoder with GridSearchCV
=====================================================

`~skae.AutoencoderReducer` is a scikit-learn estimator: ``GridSearchCV`` clones it,
sets parameters, fits it on training folds and scores it on the held-out fold. Without
labels, the score is ``score(X)``, the negative mean squared reconstruction error of the
held-out rows, so higher is better, as scikit-learn expects. It compares networks, not
code sizes: a larger code always scores better.

Two searches on scikit-learn's digits (a grid search fits many networks, so the small
dataset keeps this example quick):

1. unsupervised: code size and hidden layers, scored by reconstruction;
2. in a pipeline with a classifier, scored by the classifier's accuracy.
"""

# %%
# Data
# ----
# The digits split of ``skae compare``: 75 % train, 25 % test, stratified by digit.
from skae.datasets import load_comparison_data

data = load_comparison_data("digits")
X_train, X_test, y_train, y_test = data.X_train, data.X_test, data.y_train, data.y_test

# %%
# Scored by reconstruction
# ------------------------
# A short training (20 epochs) and 2-fold cross-validation keep the search quick; the
# grid's parameters are the estimator's own, as for any scikit-learn estimator.
# ``neighbor_loss=None``: at 2 components the default also trains a neighbour loss for
# 2-D maps (:ref:`maps`), whose epochs are far longer; the search compares plain
# networks.
from sklearn.model_selection import GridSearchCV

from skae import AutoencoderReducer

search = GridSearchCV(
    AutoencoderReducer(epochs=20, neighbor_loss=None, random_state=0),
    param_grid={
        "n_components": [2, 8],
        "hidden_layer_sizes": [(64,), (128, 64)],
    },
    cv=2,
)
search.fit(X_train)

results = search.cv_results_
for params, mean, std in zip(
    results["params"],
    results["mean_test_score"],
    results["std_test_score"],
    strict=True,
):
    print(
        f"n_components={params['n_components']:<2} "
        f"hidden_layer_sizes={str(params['hidden_layer_sizes']):<10} "
        f"score {mean:.4f} +/- {std:.4f}"
    )
print("best:", search.best_params_)
print(f"held-out score of the refitted best reducer: {search.score(X_test):.4f}")

# %%
# The scores drawn: each bar is a candidate's cross-validated error, its mean score
# over the two folds negated, so lower is better; its line is the spread of the two
# folds (one standard deviation).
import matplotlib.pyplot as plt
import numpy as np

fig, ax = plt.subplots(figsize=(7, 3.5), layout="constrained")
layers = [(64,), (128, 64)]
for offset, hidden in zip([-0.2, 0.2], layers, strict=True):
    chosen = [params["hidden_layer_sizes"] == hidden for params in results["params"]]
    ax.bar(
        np.arange(2) + offset,
        -results["mean_test_score"][chosen],
        yerr=results["std_test_score"][chosen],
        width=0.4,
        label=f"hidden_layer_sizes={hidden}",
    )
ax.set_xticks(np.arange(2), [f"n_components={n}" for n in [2, 8]])
ax.set_ylabel("cross-validated MSE\n(-score, lower is better)")
ax.legend()
plt.show()

# %%
# A larger code always reconstructs better, so a search scored by reconstruction picks
# the largest ``n_components`` on offer: it tells you which architecture is best *for
# a given code size*, not which code size to use. Choose the code size for its purpose
# (2 or 3 to draw a map; more to feed a model), or score the search by that purpose,
# as next.
#
# Scored by a downstream task
# ---------------------------
# In a ``Pipeline``, the autoencoder still trains without labels (``y`` is ignored by
# its ``fit``), the classifier uses them, and the pipeline's score is the classifier's
# accuracy. Parameters of a step are named ``step__parameter``.
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline

pipeline = Pipeline(
    [
        (
            "reduce",
            AutoencoderReducer(
                hidden_layer_sizes=(64,), epochs=20, neighbor_loss=None, random_state=0
            ),
        ),
        ("classify", KNeighborsClassifier(n_neighbors=5)),
    ]
)
search = GridSearchCV(pipeline, {"reduce__n_components": [2, 8]}, cv=2)
search.fit(X_train, y_train)
for params, mean in zip(
    search.cv_results_["params"], search.cv_results_["mean_test_score"], strict=True
):
    print(f"n_components={params['reduce__n_components']:<2} accuracy {mean:.3f}")
print(f"held-out accuracy of the best pipeline: {search.score(X_test, y_test):.3f}")

# %%
# The search's results can be drawn like any other: here the reconstruction of the
# held-out rows by the best pipeline's autoencoder.
from skae import ReconstructionDisplay

best_reducer = search.best_estimator_.named_steps["reduce"]
_ = ReconstructionDisplay.from_estimator(best_reducer, X_test, n_samples=10)
