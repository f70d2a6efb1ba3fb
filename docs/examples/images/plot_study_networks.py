"""
=================================================
Simple, deep and convolutional autoencoders
=================================================

skae grew from a study of Keras autoencoders on MNIST (a 2018 blog post, "auto-encoding,
decoding") that built two networks by hand, wiring the encoder and decoder out of the
autoencoder's layers, and left a third, convolutional one unwritten. Here are all three,
each one line of parameters:

- the **simple** network, 784-36-784: one dense layer with a ReLU code, one back;
- the **deep** network, 784-256-128-64-36 and its mirror;
- the **convolutional** network the study announced: stride-2 convolutions down to the
  36-value code, transposed convolutions back up.

We look at originals beside their reconstructions, at the 36-value codes drawn as 6x6
images (the study's "encoded img"), and at held-out reconstruction error beside PCA with
the same 36 components.
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

# %%
# Each network's reconstructions of the same ten held-out images are drawn with
# `~skae.plots.ReconstructionDisplay`, titled with the network's name.
from skae import ReconstructionDisplay


def show_reconstructions(reducer, title):
    originals = X_test[:10]
    reconstructions = reducer.inverse_transform(reducer.transform(originals))
    ReconstructionDisplay(
        originals, reconstructions, image_shape=image_shape, estimator_name=title
    ).plot()


# %%
# The simple network
# ------------------
# ``hidden_layer_sizes=()`` leaves one dense layer on each side of the code; the study's
# code layer had a ReLU activation (skae's default code is linear). The output is a
# sigmoid, chosen automatically because the pixels lie in [0, 1]. On MNIST this network
# has the study's 57,268 parameters. The study trained without input noise, so
# ``noise=0`` here: skae's default, ``noise="auto"``, adds a little to images during
# training, a regulariser that pays off over a full training but slows these short
# ones.
from skae import AutoencoderReducer

simple = AutoencoderReducer(
    n_components=36,
    hidden_layer_sizes=(),
    code_activation="relu",
    noise=0,
    epochs=10,
    random_state=0,
).fit(X_train)
print(f"simple network: {simple.autoencoder_.count_params():,} parameters")
show_reconstructions(simple, "Simple network")

# %%
# The deep network
# ----------------
# Three hidden layers on each side: 489,652 parameters on MNIST, as in the study. The
# encoder and decoder are ordinary Keras models sharing the autoencoder's layers, the
# wiring the study did by hand. The study's layers were ReLU: ``activation="relu"``
# (skae's default for a 36-component dense code on images is SELU).
deep = AutoencoderReducer(
    n_components=36,
    hidden_layer_sizes=(256, 128, 64),
    activation="relu",
    noise=0,
    epochs=15,
    random_state=0,
).fit(X_train)
print(f"deep network: {deep.autoencoder_.count_params():,} parameters")
show_reconstructions(deep, "Deep network")

# %%
# The code as an image
# --------------------
# Each image is compressed to 36 numbers, drawn here as a 6x6 picture for the same ten
# held-out images. To a person the codes look like noise; the decoder reads the digits
# back from them. Unlike PCA's components, code units have no order and no meaning of
# their own: another ``random_state`` permutes and mixes them.
from skae import CodeImageDisplay

_ = CodeImageDisplay.from_estimator(deep, X_test, labels=y_test, n_samples=10)

# %%
# The convolutional network
# -------------------------
# ``architecture="conv"`` reads each row as an image (square, one channel, unless
# ``input_shape`` says otherwise). Two stride-2 convolutions halve the image twice,
# then a dense layer makes the code; the decoder mirrors them with transposed
# convolutions. Convolutions share their weights across the image, so the network
# learns local strokes rather than one weight per pixel. It is slower per epoch, so we
# train it for only 4 epochs with small filters, and one convolution at each scale
# (``conv_depth=1``: the study's sketch; the default, two, reconstructs better and
# takes longer).
conv = AutoencoderReducer(
    n_components=36,
    architecture="conv",
    conv_filters=(16, 32),
    conv_depth=1,
    hidden_layer_sizes=(),
    noise=0,
    epochs=4,
    random_state=0,
).fit(X_train)
print(f"convolutional network: {conv.autoencoder_.count_params():,} parameters")
show_reconstructions(conv, "Convolutional network")

# %%
# Held-out reconstruction error
# -----------------------------
# Mean squared error per pixel on the held-out images, beside PCA with the same 36
# components. PCA gives the best reconstruction that is *linear* in 36 numbers, and 36
# numbers are a lot for these images, so a few epochs of training are a hard test. On
# MNIST all three are ahead of PCA after their four epochs: the convolutional network,
# whose shared weights learn local strokes, the most, and the deep network, with the
# most weights to fit, the least; on the tiny 8x8 digits, where 36 components keep
# nearly all of the 64 pixels, PCA is ahead of all three. The last column gives each
# error as a multiple of PCA's.
# Fully trained on MNIST, the default dense network beats it too: the
# :ref:`benchmarks page <benchmarks>` compares the default networks, fully trained,
# with PCA at 2 and at 36 components.
from sklearn.decomposition import PCA

from skae.metrics import reconstruction_error

pca = PCA(n_components=36).fit(X_train)
errors = {
    label: reconstruction_error(
        X_test, reducer.inverse_transform(reducer.transform(X_test))
    )
    for label, reducer in [
        ("simple 36", simple),
        ("deep 36", deep),
        ("convolutional 36", conv),
        ("PCA 36", pca),
    ]
}
for label, error in errors.items():
    print(f"{label:<18} held-out MSE {error:.4f}  {error / errors['PCA 36']:.2f} x PCA")
