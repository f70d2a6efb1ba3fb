"""
=====================================================
Anomaly scores from reconstruction error
=====================================================

An autoencoder reconstructs rows like its training rows well and unusual rows badly.
`~skae.AutoencoderReducer.score_samples` returns the negative mean squared
reconstruction error of each row: the lower, the less typical the row, so
``-score_samples(X)`` is an anomaly score, as for scikit-learn's outlier detectors.

We train on the digits 0 to 8 only, then score held-out rows of three kinds:

- held-out digits 0 to 8, like the training rows (normal);
- held-out **9s**, a class the model never saw;
- held-out digits 0 to 8 with a square of random pixels pasted in (**corrupted**).

Each kind of anomaly is scored by ROC AUC against the normal rows (1: every anomaly
scores above every normal row; 0.5: chance), beside PCA's reconstruction error.
"""

# %%
# Data
# ----
# MNIST when its IDX files are at hand (the first 8,000 images of the test file train,
# the last 2,000 are held out), else scikit-learn's 8x8 digits (75 % train, 25 % test):
# the splits of ``skae compare``.
from skae.datasets import load_comparison_data

data = load_comparison_data("images")
name = "MNIST" if data.dataset == "mnist" else "digits"
X_train, X_test, y_train, y_test = data.X_train, data.X_test, data.y_train, data.y_test
image_shape = data.image_shape
print(f"{name}: {X_train.shape[0]} training and {X_test.shape[0]} held-out images")
# About 1,000 gradient steps of 128 rows either way: digits has 6 times fewer rows.
epochs = 15 if name == "MNIST" else 100

# %%
# Normal rows and two kinds of anomaly
# ------------------------------------
import numpy as np

rng = np.random.RandomState(0)
normal = X_test[y_test != 9]
nines = X_test[y_test == 9]

# Corrupted copies of 50 normal rows: a random square of a quarter of the image's area
# (half its height and width) replaced by random pixel values.
height, width = image_shape
corrupted = normal[rng.choice(len(normal), 50, replace=False)].reshape(-1, height, width)
for image in corrupted:
    top, left = rng.randint(height // 2 + 1), rng.randint(width // 2 + 1)
    image[top : top + height // 2, left : left + width // 2] = rng.uniform(
        size=(height // 2, width // 2)
    )
corrupted = corrupted.reshape(len(corrupted), -1)
print(f"{len(normal)} normal, {len(nines)} nines, {len(corrupted)} corrupted rows")

# %%
# Scores
# ------
# The autoencoder and PCA both learn from the digits 0 to 8 with an 8-value code. PCA's
# own ``score_samples`` is a Gaussian log-likelihood, so for a like-for-like comparison
# its anomaly score is computed here as the same per-row reconstruction error.
from sklearn.decomposition import PCA
from sklearn.metrics import roc_auc_score

from skae import AutoencoderReducer

seen = X_train[y_train != 9]
autoencoder = AutoencoderReducer(n_components=8, epochs=epochs, random_state=0).fit(seen)
pca = PCA(n_components=8).fit(seen)


def pca_anomaly_score(X):
    return np.mean((X - pca.inverse_transform(pca.transform(X))) ** 2, axis=1)


for label, anomalies in [("unseen 9s", nines), ("corrupted rows", corrupted)]:
    rows = np.concatenate([normal, anomalies])
    is_anomaly = np.r_[np.zeros(len(normal)), np.ones(len(anomalies))]
    auc_autoencoder = roc_auc_score(is_anomaly, -autoencoder.score_samples(rows))
    auc_pca = roc_auc_score(is_anomaly, pca_anomaly_score(rows))
    print(f"{label:<15} ROC AUC: autoencoder {auc_autoencoder:.3f}, PCA {auc_pca:.3f}")

# %%
# Scores and ROC curves
# ---------------------
# Left, the autoencoder's anomaly scores of the three kinds of row (log scale: the
# normal rows' errors alone span more than ten times). Right, the ROC curves behind the
# AUCs above: for each threshold on the score, the share of anomalies flagged against
# the share of normal rows flagged by mistake.
import matplotlib.pyplot as plt
from sklearn.metrics import RocCurveDisplay

fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.5), layout="constrained")
groups = {"normal": normal, "unseen 9s": nines, "corrupted": corrupted}
scores = {label: -autoencoder.score_samples(rows) for label, rows in groups.items()}
every_score = np.concatenate(list(scores.values()))
bins = np.geomspace(every_score.min(), every_score.max(), 40)
for label, score in scores.items():
    left.hist(score, bins=bins, alpha=0.6, label=label)
left.set_xscale("log")
left.set_xlabel("anomaly score: reconstruction MSE of the row")
left.set_ylabel("rows")
left.legend()
left.set_title("Autoencoder's anomaly scores of held-out rows")
for (label, anomalies), style in zip(
    [("unseen 9s", nines), ("corrupted", corrupted)], ["-", "--"], strict=True
):
    rows = np.concatenate([normal, anomalies])
    is_anomaly = np.r_[np.zeros(len(normal)), np.ones(len(anomalies))]
    for reducer_name, score, color in [
        ("autoencoder", -autoencoder.score_samples(rows), "C0"),
        ("PCA", pca_anomaly_score(rows), "C1"),
    ]:
        display = RocCurveDisplay.from_predictions(
            is_anomaly, score, name=f"{label}, {reducer_name}", ax=right
        )
        display.line_.set(linestyle=style, color=color)
right.set(
    xlabel="normal rows flagged (false positive rate)",
    ylabel="anomalies flagged (true positive rate)",
)
right.legend(loc="lower right")  # again, with the lines' styles
right.set_title("ROC curves: anomalies against normal rows")
plt.show()

# %%
# Corrupted rows break the patterns every digit shares, and both reducers flag them.
# An unseen class is flagged only as far as it is harder to reconstruct than the
# classes seen: a 9 shares most strokes with 4s and 7s, and a thin digit with little
# ink has a small error whatever its class. Reconstruction error measures how
# *unfamiliar* a row looks to the model, not whether its label is new.
#
# The most unusual real digits
# ----------------------------
# Corrupted rows fill the top of the ranking (printed below). Among the uncorrupted
# held-out rows, the ten with the highest anomaly score, above their reconstructions,
# titled with their digit and score. Look for what makes them unfamiliar: thick or
# large strokes, unusual shapes, and digits of the unseen class if any made the list.
from skae import ReconstructionDisplay

all_rows = np.concatenate([normal, nines, corrupted])
kinds = np.array(["normal"] * len(normal) + ["nine"] * len(nines) + ["corrupted"] * 50)
top = np.argsort(autoencoder.score_samples(all_rows))[:10]
print("kinds of the 10 highest anomaly scores:", ", ".join(kinds[top]))

real = np.concatenate([normal, nines])
labels = np.r_[y_test[y_test != 9], y_test[y_test == 9]]
anomaly_score = -autoencoder.score_samples(real)
top = np.argsort(anomaly_score)[::-1][:10]
display = ReconstructionDisplay.from_estimator(autoencoder, real[top], n_samples=10)
for ax, label, score in zip(display.axes_[0], labels[top], anomaly_score[top], strict=True):
    ax.set_title(f"{label}: {score:.3f}", fontsize="small")
_ = display.bounding_ax_.set_title(
    "Most unusual held-out digits (digit: anomaly score)", pad=26
)
