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
# # Core concepts and how they connect
#
# Four ideas carry the rest of the book: **neural networks** (weighted sums passed
# through activation functions), **deep learning** (many such layers stacked),
# **data at scale** (training on more examples than one machine's memory
# holds, and feeding them fast enough to keep the computation busy), and **model optimization** (the choices that decide how well
# training works). This chapter shows how they relate, then makes each one
# concrete with a small computation you can check:
#
# - a single neuron computed by hand and by Keras, with the same result;
# - the common activation functions and their derivatives, plotted and checked;
# - why stacking layers adds power a single layer lacks (the XOR problem);
# - a map–reduce computation and a streaming input pipeline on real digits;
# - dropout, one of the optimization tools, seen from the inside.

# %% [markdown]
# ## How the concepts relate
#
# {numref}`fig-concept-map` shows the loop every chapter of this book runs. Data
# flows through an input pipeline into the network; the network's prediction is
# scored by a loss; the optimizer uses the loss's gradient to adjust the weights;
# and choices made *outside* the loop (hyperparameters, regularization,
# architecture) decide how well the loop works.
#
# Two ideas that the book reaches later fit the same picture. **Attention** is a
# kind of layer: it computes each position's output as a weighted mix of all the
# positions of a sequence, and a stack of attention blocks is a
# {term}`Transformer` {cite}`vaswani2017attention` ({doc}`ch08a_attention`).
# **Pretraining** runs the loop twice: first on a large, general corpus
# ({term}`pre-training`), then again on your own, much smaller labelled data,
# starting from the weights the first run left instead of from random ones
# ({term}`fine-tuning`; {doc}`ch08b_pretrained`).
#
# ```{mermaid}
# :name: fig-concept-map
# :caption: How the four concepts connect: the training loop (solid arrows), the choices that tune it (dotted arrows), and pretraining, whose weights are where fine-tuning starts (thick arrow).
#
# flowchart TB
#     data[("Data at scale<br/>sharded, streamed")] --> pipe["Input pipeline<br/>batch, shuffle, prefetch"]
#     pipe --> net
#     subgraph net["Deep network: stacked layers"]
#         direction LR
#         l1["Layer 1<br/>z = Wx + b, a = f(z)"] --> l2["Layer 2<br/>dense, recurrent or attention:<br/>higher-level features"] --> out["Output layer<br/>prediction"]
#     end
#     pre["Pretraining<br/>the same loop, run once on a<br/>large general corpus, e.g. a Transformer"] == "its weights: fine-tuning starts here" ==> net
#     out --> loss["Loss<br/>how wrong is it?"]
#     loss --> grad["Backpropagation<br/>gradient of the loss"]
#     grad --> opt["Optimizer<br/>gradient descent step"]
#     opt -- "updated weights" --> net
#     hp["Model optimization<br/>learning rate, batch size,<br/>regularization, dropout,<br/>activation, architecture"] -.-> opt
#     hp -.-> net
#     hp -.-> pipe
# ```

# %% [markdown]
# ## Setup
#
# Every chapter starts the same way: seed the random number generators so the
# numbers below are the same on every run, and apply the course's plot style.

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
import tensorflow as tf
from sklearn.linear_model import LogisticRegression

from helpers.activations import ACTIVATIONS
from helpers.book import glue
from helpers.data import load_digits_784
from helpers.plotting import use_course_style
from helpers.repro import set_seed

set_seed()
use_course_style()

# %% [markdown]
# ## A single neuron
#
# A neuron takes inputs $x_1, \dots, x_n$, multiplies each by a weight, adds a
# bias, and passes the result through an activation function $f$:
#
# $$
# z = \sum_{i=1}^{n} w_i x_i + b = \mathbf{w}^\top \mathbf{x} + b,
# \qquad a = f(z).
# $$
#
# The idea goes back to Rosenblatt's perceptron {cite}`rosenblatt1958perceptron`,
# whose units fired when their weighted input passed a threshold. A threshold's
# derivative is zero wherever it exists, which gives gradient descent nothing to
# follow, so today's networks use activation functions with useful derivatives
# instead (below, and chapter 7).
#
# We call $z$ the **pre-activation** and $a$ the **activation**; the book keeps
# the two names apart throughout, because chapter 7 differentiates with respect
# to each. Here is one neuron with three inputs and a sigmoid activation,
# $f(z) = 1 / (1 + e^{-z})$, computed by hand.

# %%
x = np.array([0.5, -1.0, 2.0])
w = np.array([0.8, 0.2, -0.4])
b = 0.1

z = w @ x + b
a = 1 / (1 + np.exp(-z))
glue("neuron_z", float(z), display=False)
glue("neuron_a", float(a), display=False)
print(f"z = {z:.4f}, a = {a:.4f}")

# %% [markdown]
# By hand: $z = 0.8 \cdot 0.5 + 0.2 \cdot (-1) + (-0.4) \cdot 2 + 0.1 =$
# {glue:text}`neuron_z:.2f`, and $a = \sigma(z) =$ {glue:text}`neuron_a:.4f`.
# A Keras `Dense` layer with one unit is exactly this neuron. We give it the same
# weights and check that it computes the same number.


# %%
def keras_neuron(activation):
    """One Keras Dense unit with the weights w and bias b above, applied to x."""
    neuron = keras.Sequential(
        [keras.Input(shape=(3,)), keras.layers.Dense(1, activation=activation)]
    )
    neuron.layers[0].set_weights([w.reshape(3, 1), np.array([b])])
    return float(neuron.predict(x.reshape(1, 3), verbose=0)[0, 0])


keras_a = keras_neuron("sigmoid")
np.testing.assert_allclose(keras_a, a, rtol=1e-6)
glue("neuron_keras_a", keras_a, display=False)
keras_a

# %% [markdown]
# Keras gives {glue:text}`neuron_keras_a:.4f`: the same neuron. (The assertion
# in the cell stops the book's build if the two ever disagree beyond float32
# rounding.)

# %% [markdown]
# ## Activation functions and their derivatives
#
# Without an activation function, stacked layers collapse into one linear map
# (a product of matrices is a matrix). The activation $f$ bends the map. Training
# needs $f$'s derivative too (chapter 7), so the course's `helpers.activations`
# module implements four common activations *and* their derivatives in NumPy:
#
# | name | $f(z)$ | $f'(z)$ |
# |---|---|---|
# | sigmoid | $\sigma(z) = 1/(1+e^{-z})$ | $\sigma(z)\,(1-\sigma(z))$ |
# | tanh | $\tanh z$ | $1 - \tanh^2 z$ |
# | ReLU | $\max(0, z)$ | $1$ if $z > 0$, else $0$ |
# | leaky ReLU | $z$ if $z>0$, else $\alpha z$ | $1$ if $z>0$, else $\alpha$ |
#
# Before plotting them, check both columns: each function against
# `keras.activations`, and each derivative against a central finite difference
# $\big(f(z+h) - f(z-h)\big) / 2h$.

# %%
grid = np.linspace(-5, 5, 401) + 1e-4  # offset keeps ReLU's kink at 0 off the grid
step = 1e-6
worst_derivative_error = 0.0
for name, (function, derivative) in ACTIVATIONS.items():
    from_keras = keras.ops.convert_to_numpy(getattr(keras.activations, name)(grid))
    np.testing.assert_allclose(function(grid), from_keras, rtol=1e-5, atol=1e-6)
    numeric = (function(grid + step) - function(grid - step)) / (2 * step)
    np.testing.assert_allclose(derivative(grid), numeric, rtol=1e-5, atol=1e-8)
    worst_derivative_error = max(worst_derivative_error, np.abs(derivative(grid) - numeric).max())
glue("worst_derivative_error", float(worst_derivative_error), display=False)
f"largest derivative error: {worst_derivative_error:.1e}"

# %% [markdown]
# All four agree with Keras, and the written-out derivatives agree with the
# numerical ones to {glue:text}`worst_derivative_error:.0e` at worst.
# {numref}`fig-activations` plots them.

# %%
fig, (ax_f, ax_df) = plt.subplots(1, 2, figsize=(7.5, 3.2), sharex=True)
for name, (function, derivative) in ACTIVATIONS.items():
    ax_f.plot(grid, function(grid), label=name)
    ax_df.plot(grid, derivative(grid), label=name)
ax_f.set(title="activation $f(z)$", xlabel="$z$", ylim=(-1.5, 3))
ax_df.set(title="derivative $f'(z)$", xlabel="$z$", ylim=(-0.1, 1.1))
ax_f.legend()
glue("fig_activations", fig, display=False)
plt.close(fig)

# %% [markdown]
# ```{glue:figure} fig_activations
# :name: fig-activations
#
# The four activation functions of `helpers.activations` (left) and their
# derivatives (right). Leaky ReLU uses Keras' default slope of 0.2 for $z < 0$.
# ```
#
# What to look at:
#
# - **sigmoid and tanh saturate**: far from zero their derivatives are almost 0,
#   so a unit pushed there learns very slowly (a *vanishing gradient*). The
#   sigmoid's derivative is at most 0.25.
# - **ReLU does not saturate for $z > 0$** (derivative 1), which is why it is the
#   default in hidden layers; but a unit with $z < 0$ for every input gets no
#   gradient at all. Leaky ReLU keeps a small slope there.

# %%
sigmoid_derivative = ACTIVATIONS["sigmoid"][1]
max_sigmoid_slope = sigmoid_derivative(grid).max()
assert np.isclose(max_sigmoid_slope, 0.25, atol=1e-6)
glue("max_sigmoid_slope", float(max_sigmoid_slope), display=False)

# %% [markdown]
# (Measured on the grid: the sigmoid's largest slope is
# {glue:text}`max_sigmoid_slope:.4f`.)
#
# ## Deep learning: why stack layers?
#
# One neuron draws one straight boundary through its input space. Some problems
# need more. The classic is XOR: output 1 when exactly one of two inputs is 1.
# No straight line separates the two classes, so a linear classifier such as
# logistic regression cannot get all four points right.

# %%
xor_inputs = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
xor_targets = np.array([0, 1, 1, 0])
linear = LogisticRegression().fit(xor_inputs, xor_targets)
linear_accuracy = linear.score(xor_inputs, xor_targets)
glue("headline_metrics", ["xor_linear_accuracy"], display=False)  # what the benchmark records
glue("xor_linear_accuracy", linear_accuracy, display=False)
linear_accuracy

# %% [markdown]
# Logistic regression gets {glue:text}`xor_linear_accuracy:.0%` of the four
# points right, and no choice of weights could reach 100%. Add one hidden layer
# of two ReLU units and the problem becomes easy. With the weights below (chosen
# by hand so you can follow them), hidden unit 1 counts how many inputs are on
# (0, 1 or 2), hidden unit 2 fires only when both are on, and the output
# subtracts twice the second from the first:
#
# $$
# h_1 = \mathrm{ReLU}(x_1 + x_2), \quad h_2 = \mathrm{ReLU}(x_1 + x_2 - 1), \quad
# y = h_1 - 2 h_2 .
# $$

# %%
xor_net = keras.Sequential(
    [
        keras.Input(shape=(2,)),
        keras.layers.Dense(2, activation="relu"),
        keras.layers.Dense(1, activation="linear"),
    ]
)
xor_net.layers[0].set_weights([np.array([[1.0, 1.0], [1.0, 1.0]]), np.array([0.0, -1.0])])
xor_net.layers[1].set_weights([np.array([[1.0], [-2.0]]), np.array([0.0])])
xor_outputs = xor_net.predict(xor_inputs, verbose=0).ravel()
np.testing.assert_allclose(xor_outputs, xor_targets, atol=1e-6)
hidden = keras.ops.convert_to_numpy(xor_net.layers[0](xor_inputs))
np.testing.assert_allclose(hidden[:, 0], [0, 1, 1, 2])  # h1 counts the inputs that are on
np.testing.assert_allclose(hidden[:, 1], [0, 0, 0, 1])  # h2 is 1 only when both are on
xor_outputs

# %% [markdown]
# The two-layer network outputs exactly 0, 1, 1, 0. The hidden layer built new
# features ($h_1$: how many inputs are on, $h_2$: 1 when both are on) from which
# the answer is a straight line: $h_1 - 2h_2$ is $0, 1, 1, 2 - 2 = 0$. That is the idea of deep learning
# {cite}`lecun2015deep,goodfellow2016deep`: each layer re-describes its input in
# features that make the next layer's job easier, and training finds those
# features by itself instead of by hand. Chapter 4 trains such layers on real
# digits.
#
# ## Processing data at scale
#
# Real training sets do not fit in one machine's memory, and a single pass over
# them can take hours. Two ideas make that manageable.
#
# **Map–reduce.** Split the data into shards; *map* a function over each shard
# independently (on many machines at once); then *reduce* the partial results
# into one. MapReduce {cite}`dean2008mapreduce` and its successor Spark
# {cite}`zaharia2016spark` run this pattern on thousands of machines. Here it is
# on one machine, computing the mean image of each digit class from five shards
# of the course's real digits, and checked against the answer from the whole
# array at once. {doc}`ch11a_scale_out` runs the same pattern on a real engine,
# Apache Spark, and training itself on several TensorFlow workers, with code
# that runs unchanged on a cluster.

# %%
pixels, labels = load_digits_784()
shards = zip(np.array_split(pixels, 5), np.array_split(labels, 5), strict=True)


def map_shard(shard_pixels: np.ndarray, shard_labels: np.ndarray) -> dict[int, tuple]:
    """Per class: (sum of pixel vectors, count) within one shard."""
    return {
        int(c): (shard_pixels[shard_labels == c].sum(axis=0), int((shard_labels == c).sum()))
        for c in np.unique(shard_labels)
    }


def reduce_partials(left: dict, right: dict) -> dict:
    """Merge two partial results by adding sums and counts class by class."""
    merged = dict(left)
    for c, (total, count) in right.items():
        old_total, old_count = merged.get(c, (0.0, 0))
        merged[c] = (old_total + total, old_count + count)
    return merged


partials = [map_shard(p, y) for p, y in shards]  # each could run on its own machine
combined = partials[0]
for partial in partials[1:]:
    combined = reduce_partials(combined, partial)
class_means = {c: total / count for c, (total, count) in sorted(combined.items())}

for c, mean_image in class_means.items():
    np.testing.assert_allclose(mean_image, pixels[labels == c].mean(axis=0), rtol=1e-4)
glue("n_digits", len(labels), display=False)
glue("n_shards", len(partials), display=False)

# %% [markdown]
# The sharded computation over {glue:text}`n_shards` shards matches the direct
# one for every class of the {glue:text}`n_digits:,` digits. It works because a
# mean is a sum divided by a count, and sums and counts can be added in any
# order. {numref}`fig-class-means` shows the result.

# %%
fig, axes = plt.subplots(1, 10, figsize=(8, 1.2))
for ax, (c, mean_image) in zip(axes, class_means.items(), strict=True):
    ax.imshow(mean_image.reshape(28, 28), cmap="gray_r")
    ax.set_title(str(c))
    ax.axis("off")
glue("fig_class_means", fig, display=False)
plt.close(fig)

# %% [markdown]
# ```{glue:figure} fig_class_means
# :name: fig-class-means
#
# The mean image of each digit class, computed map–reduce style from five shards.
# ```
#
# **Streaming input pipelines.** Training reads data in small *batches*, so only a
# batch needs to be in memory at a time, and the next batch can be prepared while
# the current one trains. TensorFlow's `tf.data` {cite}`murray2021tfdata` builds
# such pipelines. Below, the digits stream through a pipeline in batches of 256
# while a running sum accumulates; the result equals the mean over the whole array.

# %% tags=["remove-stderr"]
batch_size = 256
pipeline = (
    tf.data.Dataset.from_tensor_slices(pixels)
    .map(lambda image: image / 255.0)  # scale to [0, 1] on the fly
    .batch(batch_size)
    .prefetch(tf.data.AUTOTUNE)  # prepare the next batch while this one is used
)
running_sum, seen, n_batches = 0.0, 0, 0
for batch in pipeline:
    running_sum += float(tf.reduce_sum(batch))
    seen += int(batch.shape[0])
    n_batches += 1
streamed_mean = running_sum / (seen * 784)
np.testing.assert_allclose(streamed_mean, (pixels / 255.0).mean(), rtol=1e-5)
glue("n_batches", n_batches, display=False)
glue("streamed_mean", streamed_mean, display=False)
f"{n_batches} batches, mean pixel intensity {streamed_mean:.4f}"

# %% [markdown]
# The pipeline delivered {glue:text}`n_batches` batches; their running mean pixel
# intensity, {glue:text}`streamed_mean:.4f`, is the same as the whole array's.
# Chapter 8 feeds text to the LSTM through the same kind of pipeline.
#
# ## Model optimization
#
# "Optimization" means two things in deep learning. The *optimizer* (gradient
# descent and its variants, chapter 7) adjusts the weights inside training. The
# choices around it — hyperparameters — are made by you:
#
# | choice | what it controls | where in this book |
# |---|---|---|
# | learning rate | the size of each weight update | chapters 4, 6, 7 |
# | batch size | examples per update; noise of the gradient | chapters 6, 7 |
# | regularization (L2, dropout) | how much the model can memorize | chapters 5, 6; {doc}`ch09_results` |
# | activation function | how layers bend their input | this chapter, 4 |
# | architecture (depth, width, layer type) | what the model can represent | chapters 4, 5, 8 |
#
# Dropout shows how simple such a tool can be. During training, a `Dropout`
# layer sets each input to zero with probability `rate` and scales the survivors
# by $1/(1-\text{rate})$, so the expected value is unchanged; at prediction time
# it does nothing.

# %%
dropout = keras.layers.Dropout(rate=0.5, seed=0)
ones = np.ones((1, 10_000), dtype="float32")
in_training = keras.ops.convert_to_numpy(dropout(ones, training=True))
at_inference = keras.ops.convert_to_numpy(dropout(ones, training=False))
zeroed_fraction = float((in_training == 0).mean())
assert set(np.unique(in_training)) <= {0.0, 2.0}
assert np.array_equal(at_inference, ones)
assert abs(zeroed_fraction - 0.5) < 0.02
glue("zeroed_fraction", zeroed_fraction, display=False)
glue("dropout_mean", float(in_training.mean()), display=False)

# %% [markdown]
# In training mode {glue:text}`zeroed_fraction:.1%` of the 10,000 ones became 0
# and the rest became 2, so the mean stayed near 1
# ({glue:text}`dropout_mean:.3f`); in inference mode the input passed through
# unchanged. Because no unit can rely on any particular other unit being
# present, the network is pushed toward redundant, more general features.
#
# ## Summary
#
# - A neuron computes a pre-activation $z = \mathbf{w}^\top\mathbf{x} + b$ and an
#   activation $a = f(z)$; a Keras `Dense` layer is a set of such neurons.
# - Activation functions bend the network's map; their derivatives, which
#   training needs, saturate for sigmoid and tanh but not for ReLU when $z > 0$.
# - Stacking layers lets a network build features a single layer cannot: two
#   layers solve XOR, which no linear model can.
# - Data at scale is handled by splitting work into shards that can be combined
#   (map–reduce) and by streaming batches through an input pipeline.
# - Attention layers stacked into a Transformer, and pretraining followed by
#   fine-tuning, are the same loop with a different layer and a different
#   starting point ({doc}`ch08a_attention`, {doc}`ch08b_pretrained`).
# - Hyperparameters such as learning rate, batch size, dropout and architecture
#   decide how well training works; the next chapters tune them on real data.
#
# ## Exercises
#
# ```{exercise}
# :label: ch02-ex1
#
# Change the neuron's activation to `"tanh"` in both the hand computation and
# the Keras layer. What is $a$ now?
# ```
#
# ```{exercise}
# :label: ch02-ex2
#
# Show that a network with two *linear* layers (no activation) cannot solve XOR:
# write its output as a single linear function of $x_1, x_2$.
# ```
#
# ```{exercise}
# :label: ch02-ex3
#
# In the map–reduce cell, what goes wrong if `map_shard` returned per-class
# *means* instead of sums and counts, and the reduce step averaged them?
# ```

# %% [markdown]
# ```{solution-start} ch02-ex1
# :class: dropdown
# ```
#
# $a = \tanh(z)$ with the same $z$. By hand and with a one-unit tanh layer
# given the same weights:

# %%
tanh_by_hand = float(np.tanh(w @ x + b))
tanh_keras = keras_neuron("tanh")
np.testing.assert_allclose(tanh_keras, tanh_by_hand, rtol=1e-6)
glue("tanh_a", tanh_by_hand, display=False)
tanh_by_hand

# %% [markdown]
# Both give $a =$ {glue:text}`tanh_a:.4f`. Unlike the sigmoid's, the tanh's
# output is negative for a negative $z$.

# %% [markdown]
# ```{solution-end}
# ```

# %% [markdown]
# ```{solution-start} ch02-ex2
# :class: dropdown
# ```
#
# With $h = W_1 \mathbf{x} + \mathbf{b}_1$ and $y = \mathbf{w}_2^\top h + b_2$,
# $y = (\mathbf{w}_2^\top W_1)\mathbf{x} + (\mathbf{w}_2^\top \mathbf{b}_1 + b_2)$,
# which is one linear function of $\mathbf{x}$: a single straight boundary, and
# XOR needs two. The cell checks the algebra on random weights (rows of $X$ are
# samples, so the products appear transposed), then finds the best any linear
# function can do on XOR by least squares.

# %%
rng = np.random.default_rng(0)
W1, b1, w2, b2 = rng.normal(size=(2, 2)), rng.normal(size=2), rng.normal(size=2), rng.normal()
two_linear_layers = (xor_inputs @ W1 + b1) @ w2 + b2
one_linear_map = xor_inputs @ (W1 @ w2) + (b1 @ w2 + b2)
np.testing.assert_allclose(two_linear_layers, one_linear_map)

with_bias = np.hstack([xor_inputs, np.ones((4, 1))])
best_linear = with_bias @ np.linalg.lstsq(with_bias, xor_targets, rcond=None)[0]
np.testing.assert_allclose(best_linear, 0.5)  # the same answer for all four points
best_linear

# %% [markdown]
# The best linear fit answers 0.5 for all four points: it cannot separate them.

# %% [markdown]
# ```{solution-end}
# ```

# %% [markdown]
# ```{solution-start} ch02-ex3
# :class: dropdown
# ```
#
# It depends on how the data was cut. The course's digits are stored sorted by
# label, so the chapter's five shards each hold all 500 images of two digits,
# and a digit's "average of shard means" is the mean of its one shard: nothing
# goes wrong. Real shards mix classes in unequal numbers. Then an unweighted
# average of shard means gives every shard the same say, however many images
# of a digit it holds, so the images in a shard where that digit is rare count
# for more than those in a shard where it is common, and the result is not the
# class mean. Sums and counts combine exactly; means combine correctly only
# when weighted by their counts. The cell cuts the shuffled digits into five
# shards of unequal size and compares:

# %%
rng = np.random.default_rng(0)
sharded_rows = np.split(rng.permutation(len(labels)), [300, 1500, 2000, 4200])
counts = np.array([[np.sum(labels[rows] == c) for c in range(10)] for rows in sharded_rows])
worst_gap = 0.0
for c in range(10):
    shard_class_means = [pixels[rows][labels[rows] == c].mean(axis=0) for rows in sharded_rows]
    unweighted = np.mean(shard_class_means, axis=0)
    weighted = np.average(shard_class_means, axis=0, weights=counts[:, c])
    np.testing.assert_allclose(weighted, class_means[c], rtol=1e-4, atol=1e-9)
    worst_gap = max(worst_gap, float(np.abs(unweighted - class_means[c]).max()))
assert counts.min() > 0 and worst_gap > 1  # pixel intensities run from 0 to 255
glue("shard_count_min", int(counts.min()), display=False)
glue("shard_count_max", int(counts.max()), display=False)
glue("mean_of_means_gap", worst_gap, display=False)
f"largest pixel error of the unweighted average: {worst_gap:.1f}"

# %% [markdown]
# A shard now holds between {glue:text}`shard_count_min` and
# {glue:text}`shard_count_max` images of a digit, and the unweighted average of
# shard means misses the true class mean by up to
# {glue:text}`mean_of_means_gap:.1f` in some pixel (intensities run from 0 to
# 255); the average weighted by counts matches it exactly (asserted).

# %% [markdown]
# ```{solution-end}
# ```
