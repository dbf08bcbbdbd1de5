# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: tags,-all
#     notebook_metadata_filter: kernelspec,-jupytext.text_representation.jupytext_version
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Building a network
#
# This chapter builds the classic dense network for handwritten digits, 784
# inputs, 128 hidden ReLU units and a 10-way softmax, on 5,000 real MNIST
# digits {cite}`lecun1998gradient`, and then looks at the four choices you make
# when you build one:
#
# - the **architecture**: which layers, and how many weights that makes (derived
#   by hand and checked against Keras {cite}`chollet2015keras`);
# - the **activation function** of the hidden units (ReLU, tanh, sigmoid);
# - the **weight initialization**: why a badly scaled random start stops a deep
#   network from learning, seen in the activations and gradients layer by layer;
# - the **optimizer**: plain SGD, SGD with momentum and Adam on the same budget.
#
# Every comparison trains on the training rows and is judged on the validation
# rows. The test rows are not used in this chapter: chapter 6 uses them once.
#
# **Where each split is used in this chapter**
#
# | split | used for |
# |---|---|
# | training | fitting every network |
# | validation | learning curves; comparing activations, initializations, optimizers |
# | test | not used here (chapter 6 evaluates on it once) |

# %% [markdown]
# ## Setup

# %% tags=["remove-cell"]
# In Google Colab, install the course (its `helpers` and what the chapters need)
# from its repository; anywhere else, do nothing.
import importlib.util
import subprocess
import sys

COURSE = ""  # from book/_config.yml's `repository: url`
try:
    import google.colab  # noqa: F401
except ImportError:
    pass
else:
    if importlib.util.find_spec("helpers") is None:
        if not COURSE:
            raise RuntimeError(
                "This copy of the course names no repository to install itself from "
                "(book/_config.yml, `repository: url`): `!pip install` the course yourself."
            )
        subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet", COURSE])
        importlib.invalidate_caches()

# %% tags=["remove-stderr"]
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import tensorflow as tf
from IPython.display import Markdown

from helpers.book import glue
from helpers.data import load_digits_784, stratified_split
from helpers.evaluation import plot_learning_curves
from helpers.plotting import use_course_style
from helpers.repro import set_seed
from helpers.training import build_dense_classifier, fit_and_record

set_seed()
use_course_style()

# %% [markdown]
# ## The data
#
# `load_digits_784()` returns the 5,000 digits as rows of 784 pixel intensities
# (a 28 x 28 image read row by row) from 0 to 255. We scale them to $[0, 1]$,
# because networks train best on inputs of order 1 (chapter 3), and split them
# with the course's `stratified_split`, the same split chapters 5 and 6 use.

# %%
pixels, labels = load_digits_784()
x_all = pixels / 255.0
split = stratified_split(labels)
x_train, y_train = x_all[split.train], labels[split.train]
x_val, y_val = x_all[split.validation], labels[split.validation]
# split.test is set aside: this chapter never reads it.

assert x_all.min() == 0.0 and x_all.max() == 1.0
for name, part in split.sizes().items():
    glue(f"n_{name}", part, display=False)
glue("n_digits", len(labels), display=False)
per_digit = pd.DataFrame({"train": np.bincount(y_train), "validation": np.bincount(y_val)}).T
per_digit = per_digit.rename_axis(index="split", columns="digit")
per_digit["total"] = per_digit.sum(axis=1)
per_digit

# %% [markdown]
# {glue:text}`n_train` training, {glue:text}`n_validation` validation and
# {glue:text}`n_test` test images; the training and validation parts hold the
# same number of images of every digit (the split is stratified, so the test
# part does too). {numref}`fig-ch04-digits` shows the first training image of
# each digit.

# %%
fig, axes = plt.subplots(1, 10, figsize=(8, 1.2))
for digit, ax in enumerate(axes):
    first = np.flatnonzero(y_train == digit)[0]
    ax.imshow(x_train[first].reshape(28, 28), cmap="gray_r")
    ax.set_title(str(digit))
    ax.axis("off")
glue("fig_digits", fig, display=False)
plt.close(fig)

# %% [markdown]
# ```{glue:figure} fig_digits
# :name: fig-ch04-digits
#
# One training image of each digit, as the network sees it: 784 numbers in
# $[0, 1]$, drawn here as a 28 x 28 grid.
# ```
#
# ## The 784 → 128 → 10 network
#
# The network has three parts:
#
# 1. an **input** of 784 numbers, declared with `keras.Input(shape=(784,))`;
# 2. a **hidden** `Dense` layer of 128 units: each computes $a = \max(0, z)$ with
#    $z = \mathbf{w}^\top \mathbf{x} + b$ (ReLU, from chapter 2);
# 3. an **output** `Dense` layer of 10 units with the **softmax** activation,
#    which turns the 10 scores $z_k$ into probabilities:
#    $p_k = e^{z_k} / \sum_{j} e^{z_j}$.
#
# Built with Keras's functional API, the code reads like that list:

# %% tags=["remove-stderr"]
inputs = keras.Input(shape=(784,), name="pixels")
hidden = keras.layers.Dense(128, activation="relu", name="hidden")(inputs)
outputs = keras.layers.Dense(10, activation="softmax", name="probabilities")(hidden)
model = keras.Model(inputs, outputs, name="digits_784_128_10")
model.summary()

# %% [markdown]
# **Counting the weights by hand.** A `Dense` layer from $n$ inputs to $m$ units
# has an $n \times m$ weight matrix and $m$ biases, so $nm + m$ parameters:
#
# $$
# \underbrace{784 \cdot 128 + 128}_{\text{hidden}}
# + \underbrace{128 \cdot 10 + 10}_{\text{output}}
# = 100{,}480 + 1{,}290 = 101{,}770.
# $$
#
# The cell below computes the same sum and asserts it equals Keras's count,
# for this model and for the course's `build_dense_classifier` helper, which
# builds the same network and is used for the experiments below.


# %%
def dense_params(n_in: int, n_out: int) -> int:
    """Weights plus biases of a Dense layer from n_in inputs to n_out units."""
    return n_in * n_out + n_out


by_hand = dense_params(784, 128) + dense_params(128, 10)
assert by_hand == model.count_params() == build_dense_classifier().count_params()
glue("headline_metrics", ["n_params", "base_val_acc"], display=False)  # what the benchmark records
glue("n_params", by_hand, display=False)
glue("n_params_hidden", dense_params(784, 128), display=False)
by_hand

# %% [markdown]
# {glue:text}`n_params:,` parameters, {glue:text}`n_params_hidden:,` of them in
# the hidden layer: almost all the weights connect pixels to hidden units.
#
# **Before any training** the weights are random, so the network guesses. Its
# outputs are nevertheless proper probabilities (each row sums to 1), and the
# cross-entropy loss $-\ln p_{\text{true class}}$ is near $\ln 10$, the loss of
# a uniform guess over 10 classes.

# %% tags=["remove-stderr"]
untrained_probs = model.predict(x_train, verbose=0)
np.testing.assert_allclose(untrained_probs.sum(axis=1), 1.0, rtol=1e-5)
untrained_loss = float(
    keras.losses.SparseCategoricalCrossentropy()(y_train, untrained_probs).numpy()
)
untrained_acc = float((untrained_probs.argmax(axis=1) == y_train).mean())
glue("untrained_loss", untrained_loss, display=False)
glue("untrained_acc", untrained_acc, display=False)
glue("ln10", float(np.log(10)), display=False)
assert abs(untrained_loss - np.log(10)) < 0.5
pd.Series({"loss": untrained_loss, "ln 10": np.log(10), "accuracy": untrained_acc}).round(3)

# %% [markdown]
# The untrained loss is {glue:text}`untrained_loss:.3f` against
# $\ln 10 =$ {glue:text}`ln10:.3f`, and the accuracy
# {glue:text}`untrained_acc:.1%` is what guessing gives. A starting loss far from
# $\ln(\text{number of classes})$ is a useful early warning that something is
# wrong (we will see one below).
#
# ## Compile and train
#
# `compile` attaches the three things training needs: the **loss**
# (sparse categorical cross-entropy: "sparse" because the labels are the integers
# 0-9, not one-hot vectors), the **optimizer** (Adam, below) and the **metrics**
# to report. The course's `fit_and_record` helper then calls `fit` with the
# validation rows passed explicitly and returns the history as a table.

# %% tags=["remove-stderr"]
EPOCHS, BATCH = 10, 64
model.compile(
    optimizer=keras.optimizers.Adam(learning_rate=1e-3),
    loss="sparse_categorical_crossentropy",
    metrics=["accuracy"],
)
history = fit_and_record(
    model, x_train, y_train, validation_data=(x_val, y_val), epochs=EPOCHS, batch_size=BATCH
)
glue("epochs", EPOCHS, display=False)
glue("batch", BATCH, display=False)
glue("base_val_acc", float(history["val_accuracy"].iloc[-1]), display=False)
glue("base_train_acc", float(history["accuracy"].iloc[-1]), display=False)
history.round(3)

# %%
fig = plot_learning_curves(history)
glue("fig_base_curves", fig, display=False)
plt.close(fig)

# %% [markdown]
# ```{glue:figure} fig_base_curves
# :name: fig-ch04-base-curves
#
# Learning curves of the 784 → 128 → 10 network: loss and accuracy per epoch on
# the training and validation rows.
# ```
#
# After {glue:text}`epochs` epochs (passes over the training rows, in batches of
# {glue:text}`batch`) the network classifies {glue:text}`base_val_acc:.1%` of the
# validation digits correctly, and {glue:text}`base_train_acc:.1%` of the
# training digits. The gap between the two curves is the subject of chapter 5.
#
# How precisely does a validation accuracy measure the truth? With $n$
# validation images and accuracy $p$, the standard error of the estimate is about
# $\sqrt{p(1-p)/n}$:

# %%
p_hat = float(history["val_accuracy"].iloc[-1])
standard_error = float(np.sqrt(p_hat * (1 - p_hat) / len(y_val)))
glue("val_se_pp", 100 * standard_error, display=False)
f"standard error ~ {standard_error:.3f}"

# %% [markdown]
# about {glue:text}`val_se_pp:.1f` percentage points. Keep that in mind below: two settings whose
# validation accuracies differ by less than a couple of standard errors are not
# shown to differ.
#
# ## Activation functions
#
# The same network with three hidden activations, each trained for the same
# {glue:text}`epochs` epochs with the same optimizer and seed. (The output layer
# stays softmax.)

# %% tags=["remove-stderr"]
activation_runs = {}
for activation in ("relu", "tanh", "sigmoid"):
    set_seed()
    net = build_dense_classifier(activation=activation)
    activation_runs[activation] = fit_and_record(
        net, x_train, y_train, validation_data=(x_val, y_val), epochs=EPOCHS, batch_size=BATCH
    )
activation_table = pd.DataFrame(
    {
        name: run.iloc[-1][["loss", "accuracy", "val_loss", "val_accuracy"]]
        for name, run in activation_runs.items()
    }
).T
best_activation = activation_table["val_accuracy"].idxmax()
worst_activation = activation_table["val_accuracy"].idxmin()
glue("best_activation", Markdown(best_activation), display=False)
glue("worst_activation", Markdown(worst_activation), display=False)
glue("act_spread_pp", 100 * float(np.ptp(activation_table["val_accuracy"])), display=False)
glue(
    "sigmoid_epoch1_val_acc",
    float(activation_runs["sigmoid"]["val_accuracy"].iloc[0]),
    display=False,
)
glue("relu_epoch1_val_acc", float(activation_runs["relu"]["val_accuracy"].iloc[0]), display=False)
first_epoch = {name: run["val_accuracy"].iloc[0] for name, run in activation_runs.items()}
assert first_epoch["sigmoid"] < min(first_epoch["relu"], first_epoch["tanh"])  # "starts slower"
assert activation_table["val_accuracy"].min() > 0.85  # "all three learn"
activation_table.round(3)

# %%
fig = plot_learning_curves(activation_runs, metrics=["loss", "accuracy"])
glue("fig_activation_curves", fig, display=False)
plt.close(fig)

# %% [markdown]
# ```{glue:figure} fig_activation_curves
# :name: fig-ch04-activation-curves
#
# The same network with ReLU, tanh and sigmoid hidden units (dashed: training,
# solid: validation).
# ```
#
# What to look at:
#
# - **Speed at the start.** After one epoch the sigmoid network is at
#   {glue:text}`sigmoid_epoch1_val_acc:.1%` validation accuracy, the ReLU network
#   at {glue:text}`relu_epoch1_val_acc:.1%`. The sigmoid's derivative is at most
#   0.25 and its outputs are all positive, so its gradients are smaller and
#   learning starts slower (chapter 2 plotted these derivatives).
# - **The end.** After {glue:text}`epochs` epochs the best is
#   {glue:md}`best_activation` and the worst {glue:md}`worst_activation`, a spread
#   of {glue:text}`act_spread_pp:.1f` percentage points in validation accuracy.
#   In a network this shallow all three learn. Depth is where such choices start
#   to decide whether a network learns at all, as the next section shows for the
#   initialization.
#
# ## Weight initialization
#
# Keras starts a `Dense` layer's weights with **Glorot uniform** initialization
# {cite}`glorot2010understanding` unless told otherwise. Why not just draw them
# from a standard normal distribution? Consider one layer $z = W\mathbf{a} + b$
# with $n$ inputs, weights drawn independently with mean 0 and variance
# $\sigma^2$, and biases 0. Then
#
# $$
# \mathbb{E}[z_j^2] = n \, \sigma^2 \, \mathbb{E}[a_i^2].
# $$
#
# A ReLU zeroes the negative half of a symmetric $z$, so the next layer's inputs
# have $\mathbb{E}[a^2] = \tfrac{1}{2}\mathbb{E}[z^2]$. Layer after layer, the
# root mean square (RMS) of the activations is multiplied by
# $\sqrt{n\sigma^2 / 2}$. With $n = 128$:
#
# | initialization | weight variance $\sigma^2$ | RMS factor per layer |
# |---|---|---|
# | normal, $\sigma = 1$ | $1$ | $\sqrt{64} = 8$: explodes |
# | normal, $\sigma = 0.01$ | $10^{-4}$ | $0.08$: vanishes |
# | Glorot uniform | $2 / (n_{\text{in}} + n_{\text{out}}) = 1/128$ | $\sqrt{1/2} \approx 0.71$ |
# | He normal {cite}`he2015delving` | $2 / n_{\text{in}} = 1/64$ | $1$: preserved |
#
# Glorot's scale was derived for symmetric activations such as tanh; He et al.
# added the factor 2 that ReLU's halving needs. Gradients flowing backwards
# through the layers are scaled the same way. To see it, build a deeper
# network, 5 hidden layers of 128 ReLU units, with each initialization, and
# measure on a batch of training images (before any training) the RMS of each
# hidden layer's activations and the size of each layer's weight gradient.

# %%
assert isinstance(keras.layers.Dense(1).kernel_initializer, keras.initializers.GlorotUniform)

DEPTH, WIDTH = 5, 128
initializers = {
    "normal σ=1": keras.initializers.RandomNormal(stddev=1.0),
    "normal σ=0.01": keras.initializers.RandomNormal(stddev=0.01),
    "Glorot uniform": "glorot_uniform",
    "He normal": "he_normal",
}
predicted_factor = {
    "normal σ=1": np.sqrt(WIDTH * 1.0**2 / 2),
    "normal σ=0.01": np.sqrt(WIDTH * 0.01**2 / 2),
    "Glorot uniform": np.sqrt(WIDTH * (2 / (2 * WIDTH)) / 2),
    "He normal": np.sqrt(WIDTH * (2 / WIDTH) / 2),
}
probe_x, probe_y = x_train[:512], y_train[:512]


def layer_statistics(net: keras.Model) -> pd.DataFrame:
    """RMS of each hidden layer's activations and RMS of each kernel's loss gradient."""
    hidden_layers = [layer for layer in net.layers if layer.name.startswith("hidden")]
    probe = keras.Model(net.input, [layer.output for layer in hidden_layers])
    activations = probe(probe_x)
    kernels = [layer.kernel for layer in hidden_layers]
    with tf.GradientTape() as tape:
        loss = keras.losses.sparse_categorical_crossentropy(probe_y, net(probe_x))
        loss = tf.reduce_mean(loss)
    gradients = tape.gradient(loss, kernels)
    return pd.DataFrame(
        {
            "activation RMS": [float(tf.sqrt(tf.reduce_mean(a**2))) for a in activations],
            "gradient RMS": [float(tf.sqrt(tf.reduce_mean(g**2))) for g in gradients],
            "initial loss": float(loss),
        },
        index=pd.RangeIndex(1, len(hidden_layers) + 1, name="hidden layer"),
    )


init_stats, deep_nets = {}, {}
for name, initializer in initializers.items():
    set_seed()
    deep_nets[name] = build_dense_classifier(
        hidden_units=[WIDTH] * DEPTH,
        kernel_initializer=initializer,
        optimizer=keras.optimizers.SGD(learning_rate=0.05),
    )
    init_stats[name] = layer_statistics(deep_nets[name])

measured_factor = {
    name: float(np.exp(np.log(stats["activation RMS"]).diff().iloc[1:].mean()))
    for name, stats in init_stats.items()
}
for name in initializers:
    # layers 2..5 receive ReLU outputs of a 128-wide layer: the table's setting
    np.testing.assert_allclose(measured_factor[name], predicted_factor[name], rtol=0.25)
factors = pd.DataFrame(
    {
        "predicted RMS factor": predicted_factor,
        "measured (layers 2-5)": measured_factor,
        "initial loss": {n: s["initial loss"].iloc[0] for n, s in init_stats.items()},
    }
)
for key, name in (("n1", "normal σ=1"), ("n001", "normal σ=0.01")):
    glue(f"init_loss_{key}", float(factors.loc[name, "initial loss"]), display=False)
    glue(f"grad_first_{key}", float(init_stats[name]["gradient RMS"].iloc[0]), display=False)
glue("grad_first_he", float(init_stats["He normal"]["gradient RMS"].iloc[0]), display=False)
assert init_stats["normal σ=1"]["gradient RMS"].min() > 10  # "huge in every layer"
assert init_stats["normal σ=0.01"]["gradient RMS"].max() < 1e-5  # "tiny in every layer"
factors.round(3)

# %% [markdown]
# The measured factors agree with the table's predictions to within 25 %
# (asserted). {numref}`fig-ch04-init-stats` plots the statistics layer by layer.

# %%
fig, (ax_a, ax_g) = plt.subplots(1, 2, figsize=(8.4, 3.4))
for name, stats in init_stats.items():
    ax_a.plot(stats.index, stats["activation RMS"], marker="o", label=name)
    ax_g.plot(stats.index, stats["gradient RMS"], marker="o", label=name)
for ax, title in ((ax_a, "activations (RMS)"), (ax_g, "weight gradients (RMS)")):
    ax.set_yscale("log")
    ax.set_xlabel("hidden layer")
    ax.set_xticks(range(1, DEPTH + 1))
    ax.set_title(title)
ax_a.legend(fontsize="small")
glue("fig_init_stats", fig, display=False)
plt.close(fig)

# %% [markdown]
# ```{glue:figure} fig_init_stats
# :name: fig-ch04-init-stats
#
# A 5-hidden-layer ReLU network before training, with four weight
# initializations: RMS of each hidden layer's activations (left) and of the loss
# gradient with respect to each layer's weights (right), on 512 training
# images. Note the logarithmic scales.
# ```
#
# What to look at:
#
# - **σ = 1** multiplies the activations by about 8 per layer. The output scores
#   are so large that the softmax is certain and usually wrong: the initial loss
#   is {glue:text}`init_loss_n1:,.0f` instead of about 2.3, and the gradients
#   are huge in every layer (first layer: {glue:text}`grad_first_n1:.2g`).
# - **σ = 0.01** shrinks the activations by about 12 per layer; the output is a
#   near-uniform guess (loss {glue:text}`init_loss_n001:.3f`), and the gradients
#   are tiny in every layer (first layer: {glue:text}`grad_first_n001:.1e`):
#   almost no learning signal.
# - **Glorot** decays gently (factor about 0.7 per layer) and **He** keeps the
#   scale flat (first-layer gradient {glue:text}`grad_first_he:.1e`).
#
# Does it matter for learning? Train each of the four deep networks for a few
# epochs with plain SGD (learning rate 0.05).

# %% tags=["remove-stderr"]
INIT_EPOCHS = 5
init_runs = {
    name: fit_and_record(
        net, x_train, y_train, validation_data=(x_val, y_val), epochs=INIT_EPOCHS, batch_size=BATCH
    )
    for name, net in deep_nets.items()
}
init_final = pd.Series(
    {name: run["val_accuracy"].iloc[-1] for name, run in init_runs.items()},
    name=f"validation accuracy after {INIT_EPOCHS} epochs",
)
glue("init_epochs", INIT_EPOCHS, display=False)
for key, name in (("n1", "normal σ=1"), ("n001", "normal σ=0.01")):
    glue(f"init_acc_{key}", float(init_final[name]), display=False)
glue("init_acc_glorot", float(init_final["Glorot uniform"]), display=False)
glue("init_acc_he", float(init_final["He normal"]), display=False)
assert init_final[["normal σ=1", "normal σ=0.01"]].max() < 0.2 < 0.8 < init_final["He normal"]
init_final.round(3).to_frame()

# %%
fig = plot_learning_curves(init_runs, metrics=["val_accuracy"])
glue("fig_init_curves", fig, display=False)
plt.close(fig)

# %% [markdown]
# ```{glue:figure} fig_init_curves
# :name: fig-ch04-init-curves
#
# Validation accuracy per epoch of the 5-hidden-layer network trained with SGD
# from each initialization.
# ```
#
# The two badly scaled networks stay at chance
# ({glue:text}`init_acc_n1:.1%` and {glue:text}`init_acc_n001:.1%` after
# {glue:text}`init_epochs` epochs); Glorot reaches
# {glue:text}`init_acc_glorot:.1%` and He {glue:text}`init_acc_he:.1%`. Same
# architecture, same data, same optimizer: only the scale of the random start
# differed. Sutskever et al. {cite}`sutskever2013importance` make the same point
# for deep and recurrent networks trained with momentum.
#
# ## Optimizers
#
# An optimizer turns the gradient $\mathbf{g}$ of the loss into a weight update.
# Three common ones, with learning rate $\eta$:
#
# - **SGD** (stochastic gradient descent on mini-batches): $\mathbf{w} \leftarrow \mathbf{w} - \eta\,\mathbf{g}$.
# - **SGD with momentum** $\mu$: a velocity accumulates past steps,
#   $\mathbf{v} \leftarrow \mu\mathbf{v} - \eta\,\mathbf{g}$, then
#   $\mathbf{w} \leftarrow \mathbf{w} + \mathbf{v}$, so steps grow along directions
#   where gradients agree and cancel where they oscillate
#   {cite}`sutskever2013importance`.
# - **Adam** {cite}`kingma2015adam` keeps running averages of the gradient and of
#   its square, $\mathbf{m} \leftarrow \beta_1\mathbf{m} + (1-\beta_1)\mathbf{g}$ and
#   $\mathbf{s} \leftarrow \beta_2\mathbf{s} + (1-\beta_2)\mathbf{g}^2$, corrects
#   their bias toward 0 at step $t$, $\hat{\mathbf{m}} = \mathbf{m}/(1-\beta_1^t)$ and
#   $\hat{\mathbf{s}} = \mathbf{s}/(1-\beta_2^t)$, and steps
#   $\mathbf{w} \leftarrow \mathbf{w} - \eta\,\hat{\mathbf{m}} / (\sqrt{\hat{\mathbf{s}}} + \epsilon)$:
#   every weight gets its own step size.
#
# The cell below applies each formula by hand for three steps to a small weight
# vector and asserts that Keras's optimizers produce the same weights.

# %%
w0 = np.array([0.5, -1.0, 2.0], dtype="float32")
steps = [
    np.array(g, dtype="float32") for g in ([0.1, -0.2, 0.3], [0.2, 0.1, -0.1], [-0.3, 0.2, 0.1])
]


def keras_steps(optimizer: keras.optimizers.Optimizer) -> np.ndarray:
    w = keras.Variable(w0)
    for g in steps:
        optimizer.apply_gradients([(keras.ops.convert_to_tensor(g), w)])
    return keras.ops.convert_to_numpy(w)


eta, mu, beta1, beta2, eps = 0.1, 0.9, 0.9, 0.999, 1e-7
w_sgd, w_mom, v = w0.copy(), w0.copy(), np.zeros(3)
w_adam, m, s = w0.copy(), np.zeros(3), np.zeros(3)
for t, g in enumerate(steps, start=1):
    w_sgd = w_sgd - eta * g
    v = mu * v - eta * g
    w_mom = w_mom + v
    m = beta1 * m + (1 - beta1) * g
    s = beta2 * s + (1 - beta2) * g**2
    m_hat, s_hat = m / (1 - beta1**t), s / (1 - beta2**t)
    w_adam = w_adam - eta * m_hat / (np.sqrt(s_hat) + eps)

np.testing.assert_allclose(keras_steps(keras.optimizers.SGD(learning_rate=eta)), w_sgd, rtol=1e-6)
np.testing.assert_allclose(
    keras_steps(keras.optimizers.SGD(learning_rate=eta, momentum=mu)), w_mom, rtol=1e-6
)
w_keras_adam = keras_steps(
    keras.optimizers.Adam(learning_rate=eta, beta_1=beta1, beta_2=beta2, epsilon=eps)
)
np.testing.assert_allclose(w_keras_adam, w_adam, rtol=1e-4)
"three steps by hand == Keras, for SGD, SGD with momentum and Adam"

# %% [markdown]
# SGD and momentum match Keras to float32 precision. Keras's Adam computes the
# same step in a rearranged form that the Adam paper gives for efficiency (the
# bias corrections folded into the step size, $\epsilon$ added to the
# uncorrected $\sqrt{\mathbf{s}}$); with the tiny $\epsilon = 10^{-7}$ the two
# forms agree to a relative $10^{-4}$ (asserted).
#
# Now the comparison on the digits. Each optimizer gets its Keras default
# learning rate (asserted below: 0.01 for SGD, 0.001 for Adam), momentum 0.9 for
# the second, and the same {glue:text}`epochs` epochs on the 784 → 128 → 10
# network. (The Adam run is the ReLU run of the activation section, which had
# exactly these settings and seed.) Fixed defaults are a fair starting point, not
# the best each optimizer can do; chapter 6 tunes the learning rate.

# %% tags=["remove-stderr"]
np.testing.assert_allclose(float(keras.optimizers.SGD().learning_rate), 0.01, rtol=1e-6)
np.testing.assert_allclose(float(keras.optimizers.Adam().learning_rate), 0.001, rtol=1e-6)
optimizers = {
    "SGD": keras.optimizers.SGD(learning_rate=0.01),
    "SGD + momentum 0.9": keras.optimizers.SGD(learning_rate=0.01, momentum=0.9),
}
optimizer_runs = {}
for name, optimizer in optimizers.items():
    set_seed()
    net = build_dense_classifier(optimizer=optimizer)
    optimizer_runs[name] = fit_and_record(
        net, x_train, y_train, validation_data=(x_val, y_val), epochs=EPOCHS, batch_size=BATCH
    )
# Adam at 0.001 with ReLU and this seed is exactly the "relu" run above: reuse it.
optimizer_runs["Adam"] = activation_runs["relu"]
optimizer_table = pd.DataFrame(
    {
        name: run.iloc[-1][["loss", "val_loss", "val_accuracy"]]
        for name, run in optimizer_runs.items()
    }
).T
for key, name in (("sgd", "SGD"), ("momentum", "SGD + momentum 0.9"), ("adam", "Adam")):
    glue(f"opt_acc_{key}", float(optimizer_table.loc[name, "val_accuracy"]), display=False)
    glue(f"opt_loss_{key}", float(optimizer_table.loc[name, "loss"]), display=False)
sgd_loss, sgd_acc = optimizer_table.loc["SGD", ["loss", "val_accuracy"]]
assert sgd_loss > optimizer_table["loss"].drop("SGD").max()  # plain SGD is furthest behind
assert sgd_acc < optimizer_table["val_accuracy"].drop("SGD").min()
optimizer_table.round(3)

# %%
fig = plot_learning_curves(optimizer_runs, metrics=["loss", "accuracy"])
glue("fig_optimizer_curves", fig, display=False)
plt.close(fig)

# %% [markdown]
# ```{glue:figure} fig_optimizer_curves
# :name: fig-ch04-optimizer-curves
#
# SGD, SGD with momentum and Adam on the same network, data and epoch budget
# (dashed: training, solid: validation).
# ```
#
# With the same budget, plain SGD at learning rate 0.01 is still far from done
# (training loss {glue:text}`opt_loss_sgd:.3f`, validation accuracy
# {glue:text}`opt_acc_sgd:.1%`). Momentum, which makes its effective step up to
# $1/(1-\mu) = 10$ times larger along consistent directions, gets to training loss
# {glue:text}`opt_loss_momentum:.3f` and {glue:text}`opt_acc_momentum:.1%`; Adam
# to {glue:text}`opt_loss_adam:.3f` and {glue:text}`opt_acc_adam:.1%`. Plain SGD
# with a larger learning rate would close much of the gap (exercise 3): the
# optimizer and its learning rate are chosen together.
#
# ## Summary
#
# - The dense 784 → 128 → 10 network has $784 \cdot 128 + 128 + 128 \cdot 10 + 10
#   =$ {glue:text}`n_params:,` parameters (asserted against Keras). Untrained, it
#   guesses, with a loss near $\ln 10$.
# - ReLU, tanh and sigmoid all learn in a network this shallow; sigmoid starts
#   slower.
# - The scale of the initial weights decides whether signals explode, vanish or
#   keep their size through a deep network. The RMS factor per layer is
#   $\sqrt{n\sigma^2/2}$ for ReLU; He initialization makes it 1, Glorot about
#   0.7, and badly scaled normal initializations made a 5-layer network
#   untrainable.
# - Optimizers differ in how they turn gradients into steps; on the same budget
#   momentum and Adam got much further than plain SGD at its default learning rate.
#
# ## Exercises
#
# ```{exercise}
# :label: ch04-ex1
#
# How many parameters does a 784 → 256 → 128 → 10 network have? Check with
# `build_dense_classifier(hidden_units=[256, 128]).count_params()`.
# ```
#
# ```{exercise}
# :label: ch04-ex2
#
# Using the RMS factor $\sqrt{n\sigma^2/2}$, which normal standard deviation
# $\sigma$ keeps ReLU activations at the same scale in a layer with $n = 784$
# inputs? Compare with what `keras.initializers.HeNormal` uses.
# ```
#
# ```{exercise}
# :label: ch04-ex3
#
# Train the plain SGD network with `learning_rate=0.1` instead of 0.01 for the
# same epochs. What do you expect, and why is comparing optimizers at one fixed
# learning rate each only a first look?
# ```
#
# ```{exercise}
# :label: ch04-ex4
#
# Why does the untrained network's loss come out near $\ln 10$, and what
# would you suspect if a fresh network started at a loss of 50?
# ```

# %% [markdown]
# ```{solution-start} ch04-ex1
# :class: dropdown
# ```
#
# $784 \cdot 256 + 256 + 256 \cdot 128 + 128 + 128 \cdot 10 + 10
# = 200{,}960 + 32{,}896 + 1{,}290 = 235{,}146$:

# %%
deeper_by_hand = dense_params(784, 256) + dense_params(256, 128) + dense_params(128, 10)
assert deeper_by_hand == build_dense_classifier(hidden_units=[256, 128]).count_params() == 235_146
deeper_by_hand

# %% [markdown]
# ```{solution-end}
# ```

# %% [markdown]
# ```{solution-start} ch04-ex2
# :class: dropdown
# ```
#
# Setting $n\sigma^2/2 = 1$ gives $\sigma = \sqrt{2/n}$. `HeNormal` draws from a
# truncated normal scaled so that its standard deviation is
# $\sqrt{2/n_{\text{in}}}$, the same scale. Measured on a 784 × 128 kernel:

# %%
he_sigma = float(np.sqrt(2 / 784))
he_kernel = keras.ops.convert_to_numpy(keras.initializers.HeNormal(seed=0)(shape=(784, 128)))
np.testing.assert_allclose(he_kernel.std(), he_sigma, rtol=0.02)
glue("he_sigma", he_sigma, display=False)
glue("he_measured", float(he_kernel.std()), display=False)
f"sqrt(2/784) = {he_sigma:.4f}; HeNormal's draws have standard deviation {he_kernel.std():.4f}"

# %% [markdown]
# $\sigma = \sqrt{2/784} =$ {glue:text}`he_sigma:.4f`; the standard deviation of
# `HeNormal`'s draws is {glue:text}`he_measured:.4f` (asserted equal within 2 %).

# %% [markdown]
# ```{solution-end}
# ```

# %% [markdown]
# ```{solution-start} ch04-ex3
# :class: dropdown
# ```
#
# Ten times larger steps: expect the training loss to fall much faster, and the
# accuracy after the same epochs to come close to momentum's. The run:

# %% tags=["remove-stderr"]
set_seed()
sgd_fast = fit_and_record(
    build_dense_classifier(optimizer=keras.optimizers.SGD(learning_rate=0.1)),
    x_train,
    y_train,
    validation_data=(x_val, y_val),
    epochs=EPOCHS,
    batch_size=BATCH,
)
fast_loss, fast_acc = (float(v) for v in sgd_fast.iloc[-1][["loss", "val_accuracy"]])
assert fast_loss < optimizer_table.loc["SGD", "loss"] and fast_acc > sgd_acc
assert (
    abs(fast_acc - optimizer_table.loc["SGD + momentum 0.9", "val_accuracy"]) < 2 * standard_error
)
glue("sgd01_loss", fast_loss, display=False)
glue("sgd01_acc", fast_acc, display=False)
sgd_fast.iloc[[-1]].round(3)

# %% [markdown]
# At learning rate 0.1 plain SGD ends at training loss
# {glue:text}`sgd01_loss:.3f` and validation accuracy {glue:text}`sgd01_acc:.1%`
# (at 0.01: {glue:text}`opt_loss_sgd:.3f` and {glue:text}`opt_acc_sgd:.1%`;
# momentum: {glue:text}`opt_acc_momentum:.1%`, within two standard errors,
# asserted). Each optimizer has its own best learning rate, so a fair
# comparison tunes the learning rate for each (chapter 6 searches over it)
# instead of fixing one value.

# %% [markdown]
# ```{solution-end}
# ```

# %% [markdown]
# ```{solution-start} ch04-ex4
# :class: dropdown
# ```
#
# Small random weights give output scores of similar size, so the softmax is
# close to uniform, $p_k \approx 1/10$, and the loss $-\ln p_{\text{true}}$ is
# close to $\ln 10$. A loss of 50 means the network is confidently wrong at the
# start: outputs far too large, typically from badly scaled weights (the σ = 1
# network above started at {glue:text}`init_loss_n1:,.0f`) or unscaled inputs.
# The same fresh network fed pixels in 0–255 instead of $[0, 1]$:

# %% tags=["remove-stderr"]
set_seed()
fresh = build_dense_classifier()
loss_scaled = float(fresh.evaluate(x_train, y_train, verbose=0)[0])
loss_unscaled = float(fresh.evaluate(255 * x_train, y_train, verbose=0)[0])
assert abs(loss_scaled - np.log(10)) < 0.5 < 10 < loss_unscaled
glue("loss_scaled", loss_scaled, display=False)
glue("loss_unscaled", loss_unscaled, display=False)
pd.Series({"pixels in [0, 1]": loss_scaled, "pixels in 0-255": loss_unscaled}, name="loss")

# %% [markdown]
# Scaled inputs give {glue:text}`loss_scaled:.2f`, near $\ln 10$; unscaled ones
# {glue:text}`loss_unscaled:.1f`.

# %% [markdown]
# ```{solution-end}
# ```
