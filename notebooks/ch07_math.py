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
# # The math of learning
#
# A network learns by repeating three steps: measure how wrong its predictions
# are (a **loss function**), work out how the loss changes with every weight
# (**backpropagation**, which computes the gradient), and move the weights a
# little against the gradient (**gradient descent**). Keras does all three for
# us; this chapter does them by hand, in NumPy, and checks each piece against
# Keras or TensorFlow:
#
# 1. **Loss functions**: mean squared error, binary and categorical
#    cross-entropy, and hinge, each with its formula, its gradient, when to use
#    it, and a plot. Our implementations (in `helpers.losses`) must agree with
#    `keras.losses`, and their gradients with finite differences.
# 2. **Gradient descent**: the update rule derived, the learning rate seen too
#    small, right and too large on a 1-D and a 2-D problem; SGD, momentum and
#    Adam written from scratch (`helpers.optimizers`) and shown to take the same
#    steps as `keras.optimizers`; the noise of mini-batch gradients, measured.
# 3. **Backpropagation**: the forward and backward pass of a two-layer network,
#    derived layer by layer; a NumPy implementation (`helpers.mlp`) checked
#    against finite differences and `tf.GradientTape`; then trained on real
#    handwritten digits next to the same network in Keras.
#
# Every agreement stated below is an `assert` in the code, so if a formula were
# wrong this page would not build.
#
# :::{note}
# The article this course grew from wrote the cross-entropy without its
# $\frac{1}{N}$ average and without the $(1-y)\log(1-\hat y)$ term, and used one
# symbol for a neuron's weighted input and its output. Both matter: without the
# second term, a model that always answers "class 1" scores a perfect loss
# (we show this below), and the backward pass needs the weighted inputs and the
# outputs separately. Here $z$ always denotes a **pre-activation** (a weighted
# sum plus bias) and $a$ an **activation** (what the nonlinearity makes of it).
# :::

# %% [markdown]
# ## Setup
#
# Seed every random number generator, apply the course's plot style, and run
# NumPy's matrix products on one thread: the matrices here are small (a
# mini-batch is 32 rows), and handing such small products to several threads
# costs more than it saves, especially on a busy laptop.

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

import inspect
import time

import keras
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import tensorflow as tf
from threadpoolctl import threadpool_limits

from helpers import losses, mlp
from helpers.activations import sigmoid, sigmoid_derivative
from helpers.book import glue
from helpers.data import load_digits_784, stratified_split
from helpers.optimizers import SGD, Adam
from helpers.plotting import COURSE_COLORS, use_course_style
from helpers.repro import set_seed

SEED = set_seed()
use_course_style()
threadpool_limits(limits=1, user_api="blas")
rng = np.random.default_rng(SEED)


def show_source(*functions) -> None:
    """Print the source code of each function, as it runs in this chapter."""
    for function in functions:
        print(inspect.getsource(function))


# %% [markdown]
# ## Loss functions
#
# A loss function turns a batch of predictions $\hat y_1, \dots, \hat y_N$ and
# their targets $y_1, \dots, y_N$ into one number that training makes small.
# In this book, as in Keras, every loss is a **mean over the $N$ samples**, so
# its size does not depend on the batch size and neither does the size of its
# gradient. Each subsection gives the formula, its derivative with respect to
# the prediction (what backpropagation starts from), and when to use it.
#
# ### Mean squared error
#
# For real-valued targets with $D$ outputs per sample,
#
# $$
# L_{\text{MSE}} = \frac{1}{N}\sum_{i=1}^{N}\frac{1}{D}\sum_{j=1}^{D}\left(y_{ij}-\hat y_{ij}\right)^2,
# \qquad
# \frac{\partial L_{\text{MSE}}}{\partial \hat y_{ij}} = \frac{2}{ND}\left(\hat y_{ij}-y_{ij}\right).
# $$
#
# **Use it for regression**: predicting a price, a temperature, a fuel
# consumption. Minimizing it is maximum-likelihood estimation when the targets
# carry Gaussian noise {cite:p}`goodfellow2016deep`. Because errors are squared,
# a few large errors (outliers) dominate it. In `helpers.losses` the loss and
# its gradient are one line each (after checking the inputs):

# %%
show_source(losses.mse, losses.mse_gradient)

# %% [markdown]
# ### Binary cross-entropy
#
# For a yes/no target $y_i \in \{0, 1\}$ and a predicted probability
# $p_i = \sigma(z_i)$ that $y_i = 1$ (the sigmoid of the output neuron's
# pre-activation $z_i$),
#
# $$
# L_{\text{BCE}} = -\frac{1}{N}\sum_{i=1}^{N}\Big[\,y_i \log p_i + (1-y_i)\log(1-p_i)\Big],
# \qquad
# \frac{\partial L_{\text{BCE}}}{\partial p_i} = \frac{1}{N}\,\frac{p_i - y_i}{p_i(1-p_i)}.
# $$
#
# Both terms are needed: the first charges samples of class 1 for a low
# $p_i$, the second charges samples of class 0 for a high $p_i$. **Use it for
# binary classification** (one sigmoid output), and for multi-label problems
# (one sigmoid per label, the loss averaged over labels as well). It is the
# negative log-likelihood of a Bernoulli model. Like Keras, `helpers.losses`
# clips $p$ to $[10^{-7}, 1-10^{-7}]$, so a confident mistake costs
# $-\log 10^{-7} \approx 16.1$ rather than infinity.
#
# Chaining the derivative through the sigmoid, whose derivative is
# $\sigma'(z) = p(1-p)$, the factor $p(1-p)$ cancels:
#
# $$
# \frac{\partial L_{\text{BCE}}}{\partial z_i}
# = \frac{\partial L_{\text{BCE}}}{\partial p_i}\,\sigma'(z_i)
# = \frac{p_i - y_i}{N}.
# $$
#
# The code, with the clipping: where the clip is flat (outside
# $[10^{-7}, 1-10^{-7}]$) the gradient is 0.

# %%
show_source(losses.binary_crossentropy, losses.binary_crossentropy_gradient)

# %% [markdown]
# The next cell checks the cancellation, and what goes wrong without the second
# term.

# %%
y_binary = np.array([0.0, 1.0, 1.0, 0.0, 1.0, 0.0])
z_binary = rng.normal(size=6)
p_binary = sigmoid(z_binary)

# chain rule: dL/dz = dL/dp * sigma'(z), which the text says equals (p - y) / N
dL_dz = losses.binary_crossentropy_gradient(y_binary, p_binary) * sigmoid_derivative(z_binary)
np.testing.assert_allclose(dL_dz, (p_binary - y_binary) / len(y_binary), rtol=1e-12)

# the same gradient from TensorFlow, differentiating Keras' loss computed from the logits
z_tensor = tf.Variable(z_binary)
with tf.GradientTape() as tape:
    keras_bce = keras.losses.BinaryCrossentropy(from_logits=True, dtype="float64")(
        y_binary, z_tensor
    )
np.testing.assert_allclose(tape.gradient(keras_bce, z_tensor).numpy(), dL_dz, rtol=1e-10)

# the one-term "cross-entropy" rewards a model that always says "class 1"
always_one = np.full(6, 1 - 1e-7)
one_term = float(-np.mean(y_binary * np.log(always_one)))
full_bce = losses.binary_crossentropy(y_binary, always_one)
assert one_term < 1e-6 < 8 < full_bce
glue("bce_one_term", float(one_term), display=False)
glue("bce_full", float(full_bce), display=False)

# %% [markdown]
# A model that answers $p = 1 - 10^{-7}$ for every sample, half of which are
# class 0, gets a one-term "loss" of {glue:text}`bce_one_term:.1e`: nearly
# perfect. The real binary cross-entropy of the same predictions is
# {glue:text}`bce_full:.2f`, because the second term charges every class-0
# sample about 16.1.
#
# ### Categorical cross-entropy
#
# For $K$ classes, a one-hot target $y_i$ (a 1 in the column of the true class
# $c_i$, 0 elsewhere) and predicted probabilities $p_i = \operatorname{softmax}(z_i)$,
# with $\operatorname{softmax}(z)_k = e^{z_k} / \sum_{m} e^{z_m}$,
#
# $$
# L_{\text{CE}} = -\frac{1}{N}\sum_{i=1}^{N}\sum_{k=1}^{K} y_{ik}\log p_{ik}
# = -\frac{1}{N}\sum_{i=1}^{N}\log p_{i c_i},
# \qquad
# \frac{\partial L_{\text{CE}}}{\partial p_{ik}} = -\frac{1}{N}\,\frac{y_{ik}}{p_{ik}}.
# $$
#
# Only the probability given to the true class counts; the softmax makes the
# others pay indirectly, since the probabilities sum to 1. **Use it for
# single-label classification with more than two classes**, such as digits
# 0-9 (Keras' `SparseCategoricalCrossentropy` is the same loss taking integer
# labels instead of one-hot rows). With $K = 2$ and columns $(1-p, p)$ it is
# exactly binary cross-entropy, which a cell below confirms. The code sums over
# classes and averages over samples:

# %%
show_source(losses.categorical_crossentropy, losses.categorical_crossentropy_gradient)

# %% [markdown]
# ### Hinge loss
#
# For labels $y_i \in \{-1, +1\}$ and a raw score $s_i$ (no sigmoid),
#
# $$
# L_{\text{hinge}} = \frac{1}{N}\sum_{i=1}^{N}\max\left(0,\ 1 - y_i s_i\right),
# \qquad
# \frac{\partial L_{\text{hinge}}}{\partial s_i} =
# \begin{cases} -y_i/N & \text{if } y_i s_i < 1,\\ 0 & \text{otherwise.}\end{cases}
# $$
#
# The product $y_i s_i$ is the **margin**: positive when the sign of the score
# is right. A sample stops contributing once its margin reaches 1, so the loss
# cares only about samples near or on the wrong side of the decision boundary.
# This is the loss of support vector machines; **use it for binary
# classification when you want a maximum-margin decision rather than a
# probability**. Keras converts labels given as 0/1 to $-1/+1$, and so does
# `helpers.losses.hinge`. (At the kink, $y_i s_i = 1$, the loss has no
# derivative; any value between the two sides is a valid subgradient, and we
# use 0.)

# %%
show_source(losses.hinge, losses.hinge_gradient)

# %%
# K = 2 categorical cross-entropy with columns (1 - p, p) is binary cross-entropy
two_columns = np.stack([1 - p_binary, p_binary], axis=1)
one_hot_binary = np.stack([1 - y_binary, y_binary], axis=1)
np.testing.assert_allclose(
    losses.categorical_crossentropy(one_hot_binary, two_columns),
    losses.binary_crossentropy(y_binary, p_binary),
    rtol=1e-12,
)

# %% [markdown]
# ### Checking the four losses against Keras
#
# For each loss we draw random targets and predictions (100 samples, 3
# outputs or classes), compute the loss with `helpers.losses` and with the
# matching `keras.losses` class, and compare. Then we compare each written-out
# gradient with **central finite differences**,
# $\frac{\partial L}{\partial \hat y} \approx
# \frac{L(\hat y + h) - L(\hat y - h)}{2h}$ with $h = 10^{-6}$, one entry at a
# time: an approximation whose error shrinks like $h^2$ and which cannot share
# a mistake with the formula.


# %%
def random_case(name, n=100, k=3):
    """Random (targets, predictions) for a loss, kept away from clipping and the hinge kink."""
    if name == "mse":
        return rng.normal(size=(n, k)), rng.normal(size=(n, k))
    if name == "binary_crossentropy":
        return rng.integers(0, 2, size=(n, k)).astype(float), rng.uniform(0.01, 0.99, (n, k))
    if name == "categorical_crossentropy":
        return mlp.one_hot(rng.integers(0, k, size=n), k), mlp.softmax(rng.normal(size=(n, k)))
    labels = rng.choice([-1.0, 1.0], size=(n, k))
    margins = 1 + rng.choice([-1.0, 1.0], size=(n, k)) * rng.uniform(0.05, 1.5, size=(n, k))
    return labels, margins * labels


keras_losses = {
    "mse": keras.losses.MeanSquaredError(dtype="float64"),
    "binary_crossentropy": keras.losses.BinaryCrossentropy(dtype="float64"),
    "categorical_crossentropy": keras.losses.CategoricalCrossentropy(dtype="float64"),
    "hinge": keras.losses.Hinge(dtype="float64"),
}
rows = []
for name, (loss_fn, gradient_fn) in losses.LOSSES.items():
    y_true, y_pred = random_case(name)
    ours, theirs = loss_fn(y_true, y_pred), float(keras_losses[name](y_true, y_pred))
    analytic = gradient_fn(y_true, y_pred)
    numeric = mlp.numerical_gradient(
        lambda f=loss_fn, t=y_true, p=y_pred: f(t, p),
        y_pred,  # binds this iteration's arrays
    )
    rows.append(
        {
            "loss": name,
            "helpers.losses": ours,
            "keras.losses": theirs,
            "relative difference": abs(ours - theirs) / abs(theirs),
            "gradient vs finite differences": mlp.relative_error(analytic, numeric),
        }
    )
loss_table = pd.DataFrame(rows).set_index("loss")
assert (loss_table["relative difference"] < 1e-6).all()
assert (loss_table["gradient vs finite differences"] < 1e-6).all()
glue("loss_worst_keras", float(loss_table["relative difference"].max()), display=False)
glue(
    "loss_worst_gradient", float(loss_table["gradient vs finite differences"].max()), display=False
)
loss_table.style.format("{:.3g}")

# %% [markdown]
# All four agree with Keras (the largest relative difference is
# {glue:text}`loss_worst_keras:.1e`, against the $10^{-6}$ the code requires),
# and all four gradients agree with finite differences (largest relative error
# {glue:text}`loss_worst_gradient:.1e`). The relative error of two arrays $a$,
# $b$ is $\lVert a-b\rVert / (\lVert a\rVert + \lVert b\rVert)$: 0 when they are
# equal, and at most 1 (when $b = -a$). For two *unrelated* arrays of equal norm
# it is about $1/\sqrt{2} \approx 0.71$: random directions in many dimensions
# are nearly perpendicular, so $\lVert a-b\rVert \approx \sqrt{2}\,\lVert a\rVert$
# against a denominator of $2\lVert a\rVert$. So an error of $10^{-6}$ means
# agreement, and one near 0.7 means no relation at all. The cell checks this on
# two random vectors.

# %%
unrelated_a, unrelated_b = np.random.default_rng(2).normal(size=(2, 10_000))
unrelated_b *= np.linalg.norm(unrelated_a) / np.linalg.norm(unrelated_b)  # equal norms
unrelated_error = mlp.relative_error(unrelated_a, unrelated_b)
assert abs(unrelated_error - 1 / np.sqrt(2)) < 0.02
assert mlp.relative_error(unrelated_a, -unrelated_a) == 1.0
glue("unrelated_error", unrelated_error, display=False)
unrelated_error

# %% [markdown]
# Two random vectors of 10,000 entries and equal norm have a relative error of
# {glue:text}`unrelated_error:.3f`. The unit tests in `tests/test_losses.py`
# also check hand-computed cases, so that a missing factor $\frac{1}{N}$, a
# flipped sign or a dropped term fails.
#
# {numref}`fig-losses` plots each loss for a single sample against the
# prediction.

# %%
p_grid = np.linspace(0.001, 0.999, 400)
score_grid = np.linspace(-3, 3, 401)
fig, axes = plt.subplots(1, 4, figsize=(12, 3.2))

axes[0].plot(score_grid, [losses.mse([0.0], [s]) for s in score_grid])
axes[0].set(title="Mean squared error (target 0)", xlabel=r"prediction $\hat y$", ylabel="loss")

for label, color in ((1.0, COURSE_COLORS[0]), (0.0, COURSE_COLORS[1])):
    curve = [losses.binary_crossentropy([label], [p]) for p in p_grid]
    axes[1].plot(p_grid, curve, color=color, label=f"y = {label:.0f}")
axes[1].set(title="Binary cross-entropy", xlabel="predicted probability $p$ of class 1")
axes[1].legend()

curve = [
    losses.categorical_crossentropy([[1, 0, 0]], [[p, (1 - p) / 2, (1 - p) / 2]]) for p in p_grid
]
axes[2].plot(p_grid, curve, color=COURSE_COLORS[2])
axes[2].set(title="Categorical cross-entropy", xlabel="probability given to the true class")

for label, color in ((1.0, COURSE_COLORS[0]), (-1.0, COURSE_COLORS[1])):
    curve = [losses.hinge([label], [s]) for s in score_grid]
    axes[3].plot(score_grid, curve, color=color, label=f"y = {label:+.0f}")
axes[3].set(title="Hinge", xlabel="score $s$")
axes[3].legend()
glue("fig_losses", fig, display=False)
plt.close(fig)

# %% [markdown]
# ```{glue:figure} fig_losses
# :name: fig-losses
#
# Each loss for one sample. Squared error grows quadratically on both sides of
# the target. Cross-entropy is zero for a confident correct answer and climbs
# steeply (to about 16.1, where the clipping stops it) for a confident wrong one.
# Hinge is zero once the margin $y s$ reaches 1 and grows linearly below it.
# ```
#
# ## Gradient descent
#
# ### The update rule
#
# Write all the weights of a model as one vector $\theta$ and the loss as
# $L(\theta)$. Near the current point, a small step $\Delta$ changes the loss by
# about the first-order Taylor term,
#
# $$
# L(\theta + \Delta) \approx L(\theta) + \nabla L(\theta)^{\top}\Delta .
# $$
#
# Among all steps of a given length $\lVert\Delta\rVert = \epsilon$, the
# Cauchy-Schwarz inequality says $\nabla L^{\top}\Delta \ge
# -\epsilon\lVert\nabla L\rVert$, with equality exactly when $\Delta$ points
# along $-\nabla L$: the negative gradient is the direction of steepest
# descent. Taking a step proportional to it gives **gradient descent**,
#
# $$
# \theta_{t+1} = \theta_t - \eta\,\nabla L(\theta_t),
# $$
#
# which lowers the loss by about $\eta\lVert\nabla L\rVert^2 > 0$ as long as
# the **learning rate** $\eta$ is small enough for the linear approximation to
# hold {cite:p}`goodfellow2016deep`. How small is small enough depends on the
# curvature, which a quadratic makes exact.
#
# ### One dimension: the learning rate, exactly
#
# Take $L(w) = \frac{a}{2}(w - w^\ast)^2$, so $L'(w) = a(w - w^\ast)$. One step
# of gradient descent gives
#
# $$
# w_{t+1} - w^\ast = w_t - w^\ast - \eta a (w_t - w^\ast) = (1 - \eta a)(w_t - w^\ast)
# \quad\Longrightarrow\quad
# w_t - w^\ast = (1 - \eta a)^t\,(w_0 - w^\ast).
# $$
#
# The distance to the minimum shrinks if and only if $|1 - \eta a| < 1$, that
# is $0 < \eta < 2/a$. Below $1/a$ the iterates creep towards $w^\ast$ from one
# side; at $\eta = 1/a$ they land on it in one step; between $1/a$ and $2/a$
# they overshoot and oscillate inwards; above $2/a$ every step overshoots by
# more than the last, and the iterates **diverge**. The code runs gradient
# descent with $a = 4$, $w^\ast = 1$ (so $2/a = 0.5$) and checks every iterate
# against the closed form.

# %%
a_curv, w_star, w_start, n_steps_1d = 4.0, 1.0, -1.5, 20


def loss_1d(w):
    return 0.5 * a_curv * (w - w_star) ** 2


def gradient_1d(w):
    return a_curv * (w - w_star)


learning_rates_1d = {"too small": 0.02, "good": 0.2, "too large": 0.52}
paths_1d = {}
for label, eta in learning_rates_1d.items():
    w, path = w_start, [w_start]
    for _ in range(n_steps_1d):
        w = w - eta * gradient_1d(w)
        path.append(w)
    path = np.array(path)
    closed_form = w_star + (1 - eta * a_curv) ** np.arange(n_steps_1d + 1) * (w_start - w_star)
    np.testing.assert_allclose(path, closed_form, rtol=1e-12, atol=1e-12)
    paths_1d[label] = path

distance = {label: abs(path[-1] - w_star) for label, path in paths_1d.items()}
start_distance = abs(w_start - w_star)
assert distance["too small"] > 0.1 * start_distance  # still far after 20 steps
assert distance["good"] < 1e-6  # converged
assert distance["too large"] > 1.5 * start_distance  # diverging ...
assert np.all(np.diff(np.abs(paths_1d["too large"] - w_star)) > 0)  # ... at every step
for label, value in distance.items():
    glue(f"gd1_distance_{label.replace(' ', '_')}", float(value), display=False)
glue("gd1_start_distance", float(start_distance), display=False)

# %%
fig, (ax_path, ax_distance) = plt.subplots(1, 2, figsize=(10, 3.6))
w_grid = np.linspace(-2.6, 4.6, 300)
ax_path.plot(w_grid, loss_1d(w_grid), color="0.6", lw=1)
for (label, path), color in zip(paths_1d.items(), COURSE_COLORS, strict=False):
    eta = learning_rates_1d[label]
    shown = path[:6]
    ax_path.plot(shown, loss_1d(shown), "o-", ms=3, color=color)
    ax_distance.semilogy(
        np.abs(path - w_star) + 1e-16, "o-", ms=3, color=color, label=rf"{label}, $\eta$={eta}"
    )
ax_path.set(xlim=(-2.6, 4.6), ylim=(-0.5, 26), xlabel="$w$", ylabel="$L(w)$", title="First 6 steps")
ax_distance.set(xlabel="step $t$", ylabel=r"$|w_t - w^\ast|$", title="Distance to the minimum")
ax_distance.legend(fontsize=8, loc="lower left")
glue("fig_gd_1d", fig, display=False)
plt.close(fig)

# %% [markdown]
# ```{glue:figure} fig_gd_1d
# :name: fig-gd-1d
#
# Gradient descent on $L(w) = 2(w-1)^2$ from $w_0 = -1.5$. Left: the first
# six iterates on the curve. Right: the distance to the minimum on a log
# scale, a straight line of slope $\log|1-\eta a|$ for each learning rate.
# ```
#
# After 20 steps, the distance to the minimum (initially
# {glue:text}`gd1_start_distance:.1f`) is {glue:text}`gd1_distance_too_small:.3f`
# with $\eta = 0.02$ (too small: it is still creeping),
# {glue:text}`gd1_distance_good:.1e` with $\eta = 0.2$, and
# {glue:text}`gd1_distance_too_large:.1f` with $\eta = 0.52$, just above the
# limit $2/a = 0.5$: there each step multiplies the error by
# $1 - 0.52 \cdot 4 = -1.08$.
#
# ### Two dimensions: fitting a line
#
# A real loss has many weights, and the curvature differs by direction. Here
# the weights are the slope $w$ and intercept $b$ of a line $\hat y = w x + b$
# fitted to 500 noisy points by mean squared error. By the chain rule, with
# $g_i = \partial L / \partial \hat y_i = \frac{2}{N}(\hat y_i - y_i)$ from
# `helpers.losses.mse_gradient`,
#
# $$
# \frac{\partial L}{\partial w} = \sum_i g_i\,x_i, \qquad
# \frac{\partial L}{\partial b} = \sum_i g_i .
# $$
#
# This loss is an exact quadratic whose curvature, the Hessian
# $H = \frac{2}{N}\sum_i (x_i, 1)^{\top}(x_i, 1)$, is the same everywhere. Along
# each eigenvector of $H$ gradient descent behaves like the 1-D case with $a$
# the eigenvalue, so it converges if and only if $\eta < 2/\lambda_{\max}$. The
# best fixed rate is $\eta = 2/(\lambda_{\max} + \lambda_{\min})$; the long,
# narrow valley (ratio $\lambda_{\max}/\lambda_{\min}$) is what makes it slow.

# %%
n_points = 500
x_line = rng.uniform(0, 2, size=n_points)
y_line = 1.5 * x_line - 0.5 + rng.normal(scale=0.3, size=n_points)
X_design = np.stack([x_line, np.ones(n_points)], axis=1)  # columns: x, 1
theta_best, *_ = np.linalg.lstsq(X_design, y_line, rcond=None)


def loss_2d(theta):
    return losses.mse(y_line, X_design @ theta)


def gradient_2d(theta, rows=slice(None)):
    """Gradient of the MSE over the given rows (all by default) by the chain rule."""
    X_rows, y_rows = X_design[rows], y_line[rows]
    return X_rows.T @ losses.mse_gradient(y_rows, X_rows @ theta)


theta_start = np.array([-1.0, 2.0])
numeric = mlp.numerical_gradient(lambda: loss_2d(theta_start), theta_start)
assert mlp.relative_error(gradient_2d(theta_start), numeric) < 1e-8

hessian = 2 / n_points * X_design.T @ X_design
lam_min, lam_max = np.linalg.eigvalsh(hessian)
eta_limit = 2 / lam_max
learning_rates_2d = {
    "too small": 0.1 * eta_limit,
    "good": 2 / (lam_max + lam_min),
    "too large": 1.05 * eta_limit,
}
paths_2d = {}
for label, eta in learning_rates_2d.items():
    theta, path = theta_start.copy(), [theta_start.copy()]
    for _ in range(60):
        theta = theta - eta * gradient_2d(theta)
        path.append(theta.copy())
    paths_2d[label] = np.array(path)

final_loss = {label: loss_2d(path[-1]) for label, path in paths_2d.items()}
best_loss, start_loss = loss_2d(theta_best), loss_2d(theta_start)
assert np.abs(paths_2d["good"][-1] - theta_best).max() < 1e-3
assert final_loss["too small"] > best_loss + 0.01
assert final_loss["too large"] > 100 * start_loss  # diverged
glue("gd2_lam_ratio", float(lam_max / lam_min), display=False)
glue("gd2_eta_limit", float(eta_limit), display=False)
for label, eta in learning_rates_2d.items():
    glue(f"gd2_eta_{label.replace(' ', '_')}", float(eta), display=False)
    glue(f"gd2_loss_{label.replace(' ', '_')}", float(final_loss[label]), display=False)
glue("gd2_best_loss", float(best_loss), display=False)
glue("gd2_start_loss", float(start_loss), display=False)

# %%
w_axis, b_axis = np.linspace(-1.6, 3.2, 200), np.linspace(-2.2, 2.6, 200)
W_mesh, B_mesh = np.meshgrid(w_axis, b_axis)
# the MSE expanded as a quadratic in (w, b), so the grid needs no loop over the samples
moments = {
    name: np.mean(v)
    for name, v in {
        "xx": x_line**2,
        "x": x_line,
        "xy": x_line * y_line,
        "y": y_line,
        "yy": y_line**2,
    }.items()
}
L_mesh = (
    W_mesh**2 * moments["xx"]
    + 2 * W_mesh * B_mesh * moments["x"]
    + B_mesh**2
    - 2 * W_mesh * moments["xy"]
    - 2 * B_mesh * moments["y"]
    + moments["yy"]
)
np.testing.assert_allclose(
    L_mesh[50, 70], loss_2d(np.array([W_mesh[50, 70], B_mesh[50, 70]])), rtol=1e-10
)


def contour_axes(ax, title):
    ax.contour(
        W_mesh, B_mesh, L_mesh, levels=np.geomspace(0.1, 60, 14), colors="0.7", linewidths=0.7
    )
    ax.plot(*theta_best, "*", color="black", ms=10)
    ax.set(xlabel="slope $w$", ylabel="intercept $b$", title=title)
    ax.set_xlim(w_axis[0], w_axis[-1])
    ax.set_ylim(b_axis[0], b_axis[-1])


fig, ax = plt.subplots(figsize=(6.4, 4.6))
contour_axes(ax, "Gradient descent on the MSE of a line fit")
for (label, path), color in zip(paths_2d.items(), COURSE_COLORS, strict=False):
    eta = learning_rates_2d[label]
    path = path[:20] if label == "too large" else path  # the rest leaves the picture
    ax.plot(
        path[:, 0], path[:, 1], "o-", ms=2.5, lw=1, color=color, label=rf"{label}, $\eta$={eta:.3f}"
    )
ax.legend(fontsize=8, loc="lower left")
glue("fig_gd_2d", fig, display=False)
plt.close(fig)

# %% [markdown]
# ```{glue:figure} fig_gd_2d
# :name: fig-gd-2d
#
# Sixty steps of gradient descent from $(w, b) = (-1, 2)$ on the contours of the
# mean squared error (for the diverging run, the first twenty); the star is the
# least-squares solution. The valley is
# narrow, so the largest stable learning rate is set by the steep direction
# while progress along the valley floor is slow.
# ```
#
# The Hessian's eigenvalues differ by a factor of {glue:text}`gd2_lam_ratio:.1f`,
# and the stability limit is $2/\lambda_{\max} =$ {glue:text}`gd2_eta_limit:.3f`.
# After 60 steps from a loss of {glue:text}`gd2_start_loss:.2f`:
#
# - $\eta =$ {glue:text}`gd2_eta_too_small:.3f` (a tenth of the limit) reaches
#   {glue:text}`gd2_loss_too_small:.3f`: it is still walking down the valley;
# - $\eta =$ {glue:text}`gd2_eta_good:.3f` reaches {glue:text}`gd2_loss_good:.4f`,
#   the least-squares minimum ({glue:text}`gd2_best_loss:.4f`);
# - $\eta =$ {glue:text}`gd2_eta_too_large:.3f`, 5% above the limit, bounces
#   across the steep direction with growing amplitude and ends at a loss of
#   {glue:text}`gd2_loss_too_large:.3g`.
#
# ### SGD, momentum and Adam, from scratch and in Keras
#
# Keras' optimizers are short update rules. `helpers.optimizers` writes them out
# in NumPy, in the exact form of the Keras 3 source
# (`keras/src/optimizers/sgd.py` and `adam.py`), with $g$ the gradient:
#
# - **SGD**: $\theta \leftarrow \theta - \eta\,g$.
# - **Momentum** (the heavy-ball method of {cite:t}`polyak1964some`): a velocity
#   accumulates past gradients, $v \leftarrow \mu v - \eta g$, and
#   $\theta \leftarrow \theta + v$. Along a direction where the gradient keeps its
#   sign the steps grow towards $\eta g/(1-\mu)$; where it flips, they cancel.
# - **Adam** {cite:p}`kingma2015adam`: running averages of the gradient and of
#   its square, $m \leftarrow \beta_1 m + (1-\beta_1) g$ and
#   $s \leftarrow \beta_2 s + (1-\beta_2) g^2$ (element-wise), then
#
# $$
# \theta \leftarrow \theta - \eta\,\frac{\sqrt{1-\beta_2^{\,t}}}{1-\beta_1^{\,t}}\;
# \frac{m}{\sqrt{s} + \hat\epsilon}.
# $$
#
# The factor in front undoes the bias of averages that start at zero (at step
# $t = 1$, $m = (1-\beta_1) g$). Each weight gets its own step size, about
# $\eta$ in magnitude whatever the scale of its gradient. Kingma and Ba give
# this reordering as a more efficient version of their Algorithm 1; note where
# $\hat\epsilon$ ($10^{-7}$ in Keras) sits: it is added to $\sqrt{s}$, not to
# the bias-corrected $\sqrt{s/(1-\beta_2^t)}$, which makes a difference when
# gradients are tiny.
#
# Here are the update rules as `helpers.optimizers` runs them, one array at a
# time (the rest of each class only checks its arguments and keeps the state).
# Keras writes $m \leftarrow \beta_1 m + (1-\beta_1) g$ as
# $m \leftarrow m + (g - m)(1-\beta_1)$, the same number computed in another
# order, and so does our code, so that the two agree to the last bit:

# %%
show_source(SGD._update, Adam._update)

# %% [markdown]
# To check that our code takes the same steps as Keras, we run our optimizer
# and Keras' side by side for {glue:text}`opt_steps` steps on the line-fitting
# problem, in float32 (Keras' default), from the same start, each computing its
# own gradients from its own weights, and compare the whole trajectories.


# %%
OPT_STEPS = 60
glue("opt_steps", OPT_STEPS, display=False)


def run_scratch(optimizer, steps=OPT_STEPS):
    theta = theta_start.astype(np.float32)
    path = [theta.copy()]
    for _ in range(steps):
        optimizer.apply_gradients([theta], [gradient_2d(theta.astype(float))])
        path.append(theta.copy())
    return np.array(path)


def run_keras(optimizer, steps=OPT_STEPS):
    theta = keras.Variable(theta_start.astype(np.float32))
    path = [theta.numpy().copy()]
    for _ in range(steps):
        grad = gradient_2d(theta.numpy().astype(float)).astype(np.float32)
        optimizer.apply_gradients([(keras.ops.convert_to_tensor(grad), theta)])
        path.append(theta.numpy().copy())
    return np.array(path)


optimizer_pairs = {
    "SGD": (
        lambda: SGD(learning_rate=0.1),
        lambda: keras.optimizers.SGD(learning_rate=0.1),
    ),
    "momentum": (
        lambda: SGD(learning_rate=0.1, momentum=0.9),
        lambda: keras.optimizers.SGD(learning_rate=0.1, momentum=0.9),
    ),
    "Adam": (
        lambda: Adam(learning_rate=0.1),
        lambda: keras.optimizers.Adam(learning_rate=0.1),
    ),
}
TOLERANCE = 1e-6  # float32: largest difference relative to the largest |weight| on the path
optimizer_paths, optimizer_differences = {}, {}
for name, (make_ours, make_keras) in optimizer_pairs.items():
    ours, theirs = run_scratch(make_ours()), run_keras(make_keras())
    difference = np.abs(ours - theirs).max() / np.abs(theirs).max()
    assert difference <= TOLERANCE, (name, difference)
    optimizer_paths[name], optimizer_differences[name] = (ours, theirs), difference
    glue(f"opt_diff_{name}", float(difference), display=False)
    glue(f"opt_loss_{name}", float(loss_2d(ours[-1].astype(float))), display=False)
worst_difference = max(optimizer_differences.values())
glue("opt_worst_diff", float(worst_difference), display=False)
glue(
    "opt_agreement",
    "the two are identical to the last bit" if worst_difference == 0 else "float32 round-off",
    display=False,
)
opt_losses = {name: loss_2d(paths[0][-1].astype(float)) for name, paths in optimizer_paths.items()}
assert opt_losses["SGD"] > max(opt_losses["momentum"], opt_losses["Adam"]) > best_loss
# momentum swings back: its distance to the minimum grows again at some step
momentum_distance = np.linalg.norm(optimizer_paths["momentum"][0] - theta_best, axis=1)
assert np.any(np.diff(momentum_distance) > 0)
# Adam's first step moves each coordinate by about the learning rate: a diagonal step
adam_first_step = np.abs(optimizer_paths["Adam"][0][1] - optimizer_paths["Adam"][0][0])
np.testing.assert_allclose(adam_first_step, 0.1, rtol=1e-3)

# %%
fig, ax = plt.subplots(figsize=(6.4, 4.6))
contour_axes(ax, "Same problem, three optimizers (lines: ours, dots: Keras)")
for (name, (ours, theirs)), color in zip(optimizer_paths.items(), COURSE_COLORS, strict=False):
    ax.plot(ours[:, 0], ours[:, 1], "-", lw=1.2, color=color, label=f"{name}, $\\eta$=0.1")
    ax.plot(theirs[::3, 0], theirs[::3, 1], "o", ms=3, color=color, alpha=0.6)
ax.legend(fontsize=8, loc="lower left")
glue("fig_optimizers", fig, display=False)
plt.close(fig)

# %% [markdown]
# ```{glue:figure} fig_optimizers
# :name: fig-optimizers
#
# {glue:text}`opt_steps` steps of SGD, momentum ($\mu = 0.9$) and Adam, all
# with $\eta = 0.1$. Lines are `helpers.optimizers`, dots (every third step) are
# `keras.optimizers` on the same problem: they coincide.
# ```
#
# Over {glue:text}`opt_steps` steps the largest difference between our weights
# and Keras', relative to the largest weight, is
# {glue:text}`opt_worst_diff:.1e` (the code requires at most $10^{-6}$):
# {glue:text}`opt_agreement`. SGD ends at a loss of
# {glue:text}`opt_loss_SGD:.4f`, still walking along the valley floor; momentum
# builds up speed, overshoots the minimum and swings back (its distance to the
# minimum grows again on the way, asserted), ending at
# {glue:text}`opt_loss_momentum:.4f`; Adam, whose steps have size about $\eta$
# in each coordinate, first heads diagonally (its first step moves both weights
# by $\eta$, asserted) and ends at {glue:text}`opt_loss_Adam:.4f` (the minimum
# is {glue:text}`gd2_best_loss:.4f`).
# `tests/test_optimizers.py` repeats the comparison in float64 for all three
# and for Nesterov momentum. (In float64 one detail shows: Keras keeps the
# learning rate in a float32 variable, so the test uses learning rates that
# float32 stores exactly.)
#
# ### Mini-batch noise
#
# The gradient of a mean loss is the mean of the per-sample gradients,
# $\nabla L = \frac{1}{N}\sum_i \nabla \ell_i$. Stochastic gradient descent
# replaces it with the mean over a random **mini-batch** of $B$ samples, which
# costs $B/N$ as much and is right on average. Its error is random: if the
# per-sample gradients scatter around $\nabla L$ with total variance
# $\sigma^2 = \frac{1}{N}\sum_i \lVert\nabla\ell_i - \nabla L\rVert^2$, a batch
# drawn without replacement has
#
# $$
# \mathbb{E}\,\lVert g_B - \nabla L\rVert^2 = \frac{\sigma^2}{B}\cdot\frac{N-B}{N-1},
# $$
#
# the $1/B$ of averaging independent draws times a correction for sampling a
# finite set without replacement (the error is 0 at $B = N$). We measure it at
# the starting point of the line fit, with 2,000 random batches per size.

# %%
per_sample = 2 * (X_design @ theta_start - y_line)[:, None] * X_design  # gradient of each l_i
full_gradient = per_sample.mean(axis=0)
np.testing.assert_allclose(full_gradient, gradient_2d(theta_start), rtol=1e-12)
sigma2 = np.mean(np.sum((per_sample - full_gradient) ** 2, axis=1))

batch_sizes = np.array([1, 2, 4, 8, 16, 32, 64, 128, 256])
n_draws = 2000
estimates, measured = {}, []
for batch_size in batch_sizes:
    batches = np.argsort(rng.random((n_draws, n_points)), axis=1)[:, :batch_size]
    g_batch = per_sample[batches].mean(axis=1)  # (draws, 2)
    estimates[int(batch_size)] = g_batch
    measured.append(np.mean(np.sum((g_batch - full_gradient) ** 2, axis=1)))
measured = np.array(measured)
predicted = sigma2 / batch_sizes * (n_points - batch_sizes) / (n_points - 1)
ratio = measured / predicted
assert np.all((ratio > 0.85) & (ratio < 1.15)), ratio
slope = np.polyfit(np.log(batch_sizes[:5]), np.log(measured[:5]), 1)[0]
assert -1.1 < slope < -0.9
glue("noise_ratio_min", float(ratio.min()), display=False)
glue("noise_ratio_max", float(ratio.max()), display=False)
glue("noise_slope", float(slope), display=False)
glue("noise_std_1", float(np.sqrt(measured[0])), display=False)
glue("noise_std_64", float(np.sqrt(measured[batch_sizes == 64][0])), display=False)
glue("noise_grad_norm", float(np.linalg.norm(full_gradient)), display=False)

# %%
fig, (ax_cloud, ax_var) = plt.subplots(1, 2, figsize=(10, 4))
for batch_size, color in zip((1, 8, 64), COURSE_COLORS, strict=False):
    cloud = estimates[batch_size][:400]
    ax_cloud.scatter(
        cloud[:, 0], cloud[:, 1], s=5, alpha=0.4, color=color, label=f"B = {batch_size}"
    )
ax_cloud.plot(*full_gradient, "*", color="black", ms=12, label="full gradient")
ax_cloud.set(
    xlabel=r"$\partial L/\partial w$",
    ylabel=r"$\partial L/\partial b$",
    title="400 mini-batch gradients",
)
ax_cloud.legend(fontsize=8)
ax_var.loglog(batch_sizes, measured, "o", label="measured")
ax_var.loglog(batch_sizes, predicted, "-", label=r"$\frac{\sigma^2}{B}\,\frac{N-B}{N-1}$")
ax_var.set(
    xlabel="batch size $B$", ylabel=r"$E\,\|g_B - \nabla L\|^2$", title="Error of the estimate"
)
ax_var.legend()
glue("fig_minibatch", fig, display=False)
plt.close(fig)

# %% [markdown]
# ```{glue:figure} fig_minibatch
# :name: fig-minibatch
#
# Left: gradient estimates from random mini-batches at one point of the line
# fit, scattered around the full-batch gradient (star). Right: their mean
# squared error against the batch size, measured (dots) and predicted (line).
# ```
#
# The measured error is within a factor {glue:text}`noise_ratio_min:.2f` to
# {glue:text}`noise_ratio_max:.2f` of the prediction at every batch size, and
# for small batches it falls with slope {glue:text}`noise_slope:.2f` on the
# log-log plot, the $1/B$ law. At this point the full gradient has length
# {glue:text}`noise_grad_norm:.2f`; single samples miss it by
# {glue:text}`noise_std_1:.2f` on average (root mean square), batches of 64 by
# {glue:text}`noise_std_64:.2f`. Quadrupling the batch only halves the noise,
# while it quadruples the cost of a step: one reason why moderate batch sizes
# (tens to hundreds) are the usual choice, and why a learning rate that works
# for one batch size may need changing for another.
#
# ## Backpropagation
#
# ### The network and its forward pass
#
# The network of chapter 4, in the notation used from here on: $N$ samples
# with $d$ inputs each, stacked as rows of $X$; $h$ hidden ReLU units; $K$
# output classes with a softmax. Weights follow Keras' layout (a `Dense`
# kernel has shape inputs $\times$ outputs), and a bias row is added to every
# sample:
#
# | step | formula | shape |
# |---|---|---|
# | input | $a^{(0)} = X$ | $N \times d$ |
# | hidden pre-activation | $z^{(1)} = a^{(0)} W^{(1)} + b^{(1)}$ | $N \times h$ |
# | hidden activation | $a^{(1)} = \operatorname{ReLU}(z^{(1)})$ | $N \times h$ |
# | output pre-activation (logits) | $z^{(2)} = a^{(1)} W^{(2)} + b^{(2)}$ | $N \times K$ |
# | output activation | $a^{(2)} = \operatorname{softmax}(z^{(2)})$, row by row | $N \times K$ |
# | loss | $L = -\frac{1}{N}\sum_{i}\sum_{k} Y_{ik}\log a^{(2)}_{ik}$ | scalar |
#
# `helpers.mlp.forward` computes exactly these lines and returns every $z$ and
# $a$ in a cache, because the backward pass needs both (the loss, computed from
# the logits $z^{(2)}$ for stability, is `mlp.loss`):

# %%
show_source(mlp.forward)

# %% [markdown]
#
# ### The backward pass, layer by layer
#
# Backpropagation {cite:p}`rumelhart1986learning` applies the chain rule from
# the loss backwards, reusing at each layer the gradient already computed for
# the layer above. Write $\delta^{(\ell)} = \partial L/\partial z^{(\ell)}$ for
# the gradient with respect to a layer's pre-activations.
#
# **Output layer: softmax and cross-entropy together.** For one sample (drop
# the index $i$), the softmax $a_k = e^{z_k}/\sum_m e^{z_m}$ has the derivatives
# $\partial a_k/\partial z_j = a_k(\mathbb{1}[k=j] - a_j)$, and the sample's loss
# $\ell = -\sum_k y_k \log a_k$ has $\partial \ell/\partial a_k = -y_k/a_k$. So
#
# $$
# \frac{\partial \ell}{\partial z_j}
# = \sum_k \left(-\frac{y_k}{a_k}\right) a_k\left(\mathbb{1}[k=j] - a_j\right)
# = -y_j + a_j\sum_k y_k
# = a_j - y_j ,
# $$
#
# because the target's entries sum to 1. The loss averages over the $N$ samples, so
#
# $$
# \delta^{(2)} = \frac{\partial L}{\partial z^{(2)}} = \frac{1}{N}\left(a^{(2)} - Y\right).
# $$
#
# **Output weights.** Since $z^{(2)}_{ik} = \sum_j a^{(1)}_{ij}W^{(2)}_{jk} + b^{(2)}_k$,
# each weight $W^{(2)}_{jk}$ touches $z^{(2)}_{ik}$ of every sample $i$ with
# coefficient $a^{(1)}_{ij}$, and each bias with coefficient 1:
#
# $$
# \frac{\partial L}{\partial W^{(2)}} = a^{(1)\top}\,\delta^{(2)}, \qquad
# \frac{\partial L}{\partial b^{(2)}} = \sum_i \delta^{(2)}_{i,:}.
# $$
#
# **Into the hidden layer.** Each hidden activation $a^{(1)}_{ij}$ feeds every
# output $k$ with weight $W^{(2)}_{jk}$, so
# $\partial L/\partial a^{(1)} = \delta^{(2)} W^{(2)\top}$. The ReLU acts
# element by element, $a^{(1)}_{ij} = \operatorname{ReLU}(z^{(1)}_{ij})$, so
# the chain rule multiplies element by element by its derivative, evaluated at
# the **pre-activation**:
#
# $$
# \delta^{(1)} = \left(\delta^{(2)} W^{(2)\top}\right) \odot \operatorname{ReLU}'\!\left(z^{(1)}\right),
# \qquad \operatorname{ReLU}'(z) = \mathbb{1}[z > 0].
# $$
#
# **Hidden weights**, exactly as for the output layer:
#
# $$
# \frac{\partial L}{\partial W^{(1)}} = a^{(0)\top}\,\delta^{(1)}, \qquad
# \frac{\partial L}{\partial b^{(1)}} = \sum_i \delta^{(1)}_{i,:}.
# $$
#
# Every layer repeats the same two moves: the weight gradient is (activations
# coming in)$^{\top}$ times ($\delta$ of the layer), and $\delta$ passes down
# through the transposed weights and the activation's derivative. Here is the
# code, line for line the derivation:

# %%
show_source(mlp.backward)

# %% [markdown]
# ### What the backward pass costs
#
# Matrix products do almost all the work, so count them. The forward pass does
# one per layer, $a^{(\ell-1)} W^{(\ell)}$. The backward pass does two per
# layer: the weight gradient $a^{(\ell-1)\top}\delta^{(\ell)}$ and the
# gradient passed down, $\delta^{(\ell)} W^{(\ell)\top}$. Each multiplies the
# same three dimensions as the forward product, in another order, so each
# costs as many multiply-adds. A layer's backward pass therefore costs **about
# twice its forward pass**: these are chapter 1's two operations per parameter
# forward and four backward, the $2 + 4 = 6$ of $C \approx 6ND$.
#
# One product is skipped: the first layer need not pass a gradient down to
# $X$, which is data, not weights. The cell counts the products in the source
# above and the multiply-adds of each for a batch of $N = 512$ images.

# %%
n_batch, d_in, n_hidden, n_classes = 512, 784, 128, 10
assert inspect.getsource(mlp.forward).count(" @ ") == 2
assert inspect.getsource(mlp.backward).count(" @ ") == 3
# a product (n x k) @ (k x m) is n * k * m multiply-adds
products = pd.DataFrame(
    [
        ("forward", "a0 @ W1", n_batch * d_in * n_hidden),
        ("forward", "a1 @ W2", n_batch * n_hidden * n_classes),
        ("backward", "a1.T @ dz2 (dW2)", n_hidden * n_batch * n_classes),
        ("backward", "dz2 @ W2.T (da1)", n_batch * n_classes * n_hidden),
        ("backward", "a0.T @ dz1 (dW1)", d_in * n_batch * n_hidden),
    ],
    columns=["pass", "product", "multiply-adds"],
)
skipped = n_batch * n_hidden * d_in  # dz1 @ W1.T, the gradient for X: not needed
forward_cost, backward_cost = (
    int(products.loc[products["pass"] == part, "multiply-adds"].sum())
    for part in ("forward", "backward")
)
first_layer_forward = n_batch * d_in * n_hidden
assert (d_in * n_batch * n_hidden + skipped) == 2 * first_layer_forward  # a layer: twice
assert 1 < backward_cost / forward_cost < 1.05  # this network: barely more than forward
glue("bwd_fwd_counted", backward_cost / forward_cost, display=False)
glue("bwd_fwd_with_input", (backward_cost + skipped) / forward_cost, display=False)
glue("first_layer_share", first_layer_forward / forward_cost, display=False)
products.style.format({"multiply-adds": "{:,}"}).hide(axis="index")

# %% [markdown]
# The first layer holds {glue:text}`first_layer_share:.1%` of the forward
# work, and its skipped product is the big one, so for this network the
# backward pass costs only {glue:text}`bwd_fwd_counted:.2f` times the forward
# pass; with the gradient for $X$ it would be exactly
# {glue:text}`bwd_fwd_with_input:.2f` times. In a deep network every layer but
# the first passes its gradient down, and the ratio approaches 2. (So chapter
# 1's $6ND$ overstates what the digit network costs to train: its backward pass
# is closer to 2 operations per parameter than to 4.)
#
# A timing on this machine shows the same. The cell times `mlp.forward` and
# `mlp.backward` on a batch of 512 random inputs, and separately the three products
# of the first layer: the forward one and the two a layer's backward pass needs.
# Each is timed 30 times and the fastest run kept, the least disturbed by
# other work on the machine.

# %%
timing_rng = np.random.default_rng(1)  # timings do not depend on the values
X_time = timing_rng.random((n_batch, d_in))
Y_time = mlp.one_hot(timing_rng.integers(0, n_classes, size=n_batch), n_classes)
params_time = mlp.init_params(d_in, n_hidden, n_classes, seed=SEED)
cache_time = mlp.forward(params_time, X_time)
dz1_time = (cache_time["a2"] - Y_time) / n_batch @ params_time["W2"].T * (cache_time["z1"] > 0)


def fastest(function, repeats=30):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


timed = {
    "mlp.forward": fastest(lambda: mlp.forward(params_time, X_time)),
    "mlp.backward": fastest(lambda: mlp.backward(params_time, cache_time, Y_time)),
    "a0 @ W1 (forward)": fastest(lambda: X_time @ params_time["W1"]),
    "a0.T @ dz1 (dW1)": fastest(lambda: X_time.T @ dz1_time),
    "dz1 @ W1.T (gradient for X)": fastest(lambda: dz1_time @ params_time["W1"].T),
}
timed_whole = timed["mlp.backward"] / timed["mlp.forward"]
timed_layer = (timed["a0.T @ dz1 (dW1)"] + timed["dz1 @ W1.T (gradient for X)"]) / timed[
    "a0 @ W1 (forward)"
]
assert timed_layer > 1.2  # loosely: timings depend on the machine and its load
glue("bwd_fwd_timed", timed_whole, display=False)
glue("layer_bwd_fwd_timed", timed_layer, display=False)
pd.Series({name: 1000 * t for name, t in timed.items()}, name="fastest of 30 (ms)").round(2)

# %% [markdown]
# On the machine that built this page `mlp.backward` took
# {glue:text}`bwd_fwd_timed:.2f` times as long as `mlp.forward` (counted:
# {glue:text}`bwd_fwd_counted:.2f`), and the first layer's two backward products
# took {glue:text}`layer_bwd_fwd_timed:.2f` times as long as its forward product
# (counted: 2). Timings move with the machine and its load, so only the counts
# are asserted exactly; the timed layer ratio is only required to exceed 1.2.

# %% [markdown]
# Before checking the whole network, the first step alone. The next cell
# computes $\delta^{(2)}$ three ways on random logits: as $(a^{(2)} - Y)/N$;
# by multiplying the softmax Jacobian with the cross-entropy gradient of
# `helpers.losses` (the two factors of the derivation); and with
# `tf.GradientTape` on Keras' categorical cross-entropy.

# %%
z2_check = rng.normal(size=(5, 4))
Y_check = mlp.one_hot(rng.integers(0, 4, size=5), 4)
a2_check = mlp.softmax(z2_check)
delta2 = (a2_check - Y_check) / len(Y_check)

dL_da2 = losses.categorical_crossentropy_gradient(Y_check, a2_check)
jacobians = np.stack([np.diag(a) - np.outer(a, a) for a in a2_check])  # da_k/dz_j per sample
np.testing.assert_allclose(np.einsum("nk,nkj->nj", dL_da2, jacobians), delta2, rtol=1e-10)

z2_variable = tf.Variable(z2_check)
with tf.GradientTape() as tape:
    keras_ce = keras.losses.CategoricalCrossentropy(dtype="float64")(
        Y_check, tf.nn.softmax(z2_variable)
    )
np.testing.assert_allclose(tape.gradient(keras_ce, z2_variable).numpy(), delta2, rtol=1e-10)

# %% [markdown]
# ### Gradient check on real digits
#
# Now the whole backward pass. We load the 5,000 MNIST digits that ship with
# the course (28 $\times$ 28 pixels, flattened to 784 values), scale the pixels
# to $[0, 1]$, and take the course's shared train / validation / test split
# (`helpers.data.stratified_split`). Everything in this chapter uses the
# training split, and the accuracy below is measured on the validation split;
# **the test split stays untouched**, reserved for the final evaluations of
# later chapters.

# %%
pixels, labels = load_digits_784()
X_all = pixels.astype(np.float64) / 255.0
Y_all = mlp.one_hot(labels, 10)
split = stratified_split(labels)
X_train, Y_train, y_train = X_all[split.train], Y_all[split.train], labels[split.train]
X_val, y_val = X_all[split.validation], labels[split.validation]
assert X_all.min() == 0.0 and X_all.max() == 1.0
for part, size in split.sizes().items():
    glue(f"n_{part}", size, display=False)

# %% [markdown]
# The split has {glue:text}`n_train:,` training, {glue:text}`n_validation:,`
# validation and {glue:text}`n_test:,` test images. For the finite-difference
# check we use a network small enough to perturb every one of its weights: the
# first 20 training images, 784 inputs, 16 hidden units, 10 classes, with
# random biases so that every gradient is exercised. Each weight is nudged by
# $\pm 10^{-6}$ and the loss recomputed, in float64, about 25,000 forward
# passes in all.

# %%
small = mlp.init_params(784, 16, 10, seed=SEED)
small["b1"] = rng.normal(scale=0.1, size=16)
small["b2"] = rng.normal(scale=0.1, size=10)
X_small, Y_small = X_train[:20], Y_train[:20]
backprop = mlp.backward(small, mlp.forward(small, X_small), Y_small)

check_rows = []
for name in mlp.PARAM_NAMES:
    numeric = mlp.numerical_gradient(lambda: mlp.loss(small, X_small, Y_small), small[name])
    check_rows.append(
        {
            "parameter": name,
            "shape": str(small[name].shape),
            "relative error": mlp.relative_error(backprop[name], numeric),
        }
    )
gradient_check = pd.DataFrame(check_rows).set_index("parameter")
assert (gradient_check["relative error"] < 1e-6).all()
glue("gradcheck_worst", float(gradient_check["relative error"].max()), display=False)
gradient_check

# %% [markdown]
# Backpropagation and finite differences agree for every parameter, the
# largest relative error being {glue:text}`gradcheck_worst:.1e` (the code
# requires less than $10^{-6}$).
#
# The second check is against TensorFlow's automatic differentiation on the
# full-size network of chapter 4 (784 inputs, 128 hidden units, 10 classes):
# a Keras model in float64 gets exactly our initial weights, `tf.GradientTape`
# records its forward pass on 256 training images with Keras' categorical
# cross-entropy, and we compare its gradients with ours.

# %%
params_init = mlp.init_params(784, 128, 10, seed=SEED)
params_init["b1"] = rng.normal(scale=0.1, size=128)  # non-zero, so bias gradients are tested too
params_init["b2"] = rng.normal(scale=0.1, size=10)


def build_keras_mlp(dtype):
    return keras.Sequential(
        [
            keras.Input(shape=(784,), dtype=dtype),
            keras.layers.Dense(128, activation="relu", dtype=dtype),
            keras.layers.Dense(10, activation="softmax", dtype=dtype),
        ]
    )


model64 = build_keras_mlp("float64")
model64.set_weights(mlp.to_keras_weights(params_init))
X_batch, Y_batch = X_train[:256], Y_train[:256]
with tf.GradientTape() as tape:
    keras_loss = keras.losses.CategoricalCrossentropy(dtype="float64")(Y_batch, model64(X_batch))
tape_grads = tape.gradient(keras_loss, model64.trainable_variables)

cache = mlp.forward(params_init, X_batch)
ours = mlp.backward(params_init, cache, Y_batch)
np.testing.assert_allclose(model64(X_batch).numpy(), cache["a2"], rtol=1e-10)
np.testing.assert_allclose(float(keras_loss), mlp.loss(params_init, X_batch, Y_batch), rtol=1e-10)
tape_errors = {
    name: mlp.relative_error(ours[name], grad.numpy())
    for name, grad in zip(mlp.PARAM_NAMES, tape_grads, strict=True)
}
assert max(tape_errors.values()) < 1e-10, tape_errors
glue("tape_worst", float(max(tape_errors.values())), display=False)

# %% [markdown]
# Keras' model reproduces our probabilities and loss, and TensorFlow's
# gradients match our backward pass for all four parameter arrays to a
# relative error of at most {glue:text}`tape_worst:.1e`: the two differ only in
# the order of floating-point operations.
#
# ### Training the scratch network on the digits
#
# With gradients we can trust, we train. Our NumPy network (float64) and the
# same architecture in Keras (float32, its default) start from the **same
# initial weights** (Glorot-uniform kernels as Keras' `Dense` uses by default
# {cite:p}`glorot2010understanding`, zero biases) and train with the same
# recipe: Adam with learning rate $10^{-3}$, mini-batches of 32, the training
# rows shuffled every epoch, 5 epochs. Both are timed on this machine.

# %% tags=["remove-stderr"]
EPOCHS, BATCH_SIZE = 5, 32
start_params = mlp.init_params(784, 128, 10, seed=SEED)

scratch = mlp.copy_params(start_params)
t0 = time.perf_counter()
scratch_history = mlp.fit(
    scratch,
    X_train,
    Y_train,
    Adam(learning_rate=1e-3),
    epochs=EPOCHS,
    batch_size=BATCH_SIZE,
    seed=SEED,
)
scratch_seconds = time.perf_counter() - t0
scratch_accuracy = float(np.mean(mlp.predict(scratch, X_val) == y_val))

keras_model = build_keras_mlp("float32")
keras_model.set_weights([w.astype(np.float32) for w in mlp.to_keras_weights(start_params)])
keras_model.compile(
    optimizer=keras.optimizers.Adam(learning_rate=1e-3),
    loss="categorical_crossentropy",
    metrics=["accuracy"],
)
t0 = time.perf_counter()
keras_history = keras_model.fit(
    X_train.astype(np.float32),
    Y_train.astype(np.float32),
    epochs=EPOCHS,
    batch_size=BATCH_SIZE,
    verbose=0,
)
keras_seconds = time.perf_counter() - t0
keras_probabilities = keras_model.predict(X_val.astype(np.float32), verbose=0)
keras_accuracy = float(np.mean(np.argmax(keras_probabilities, axis=1) == y_val))

assert scratch_history[-1] < 0.5 * scratch_history[0]  # the loss fell
assert scratch_accuracy > 0.85 and keras_accuracy > 0.85
assert abs(scratch_accuracy - keras_accuracy) < 0.03  # the same network learns about as well
pace_gap = max(
    abs(ours - theirs) / theirs
    for ours, theirs in zip(scratch_history, keras_history.history["loss"], strict=True)
)
assert pace_gap < 0.2  # "their training losses fall at the same pace"
glue("pace_gap_percent", 100 * float(pace_gap), display=False)
glue("headline_metrics", ["scratch_accuracy", "keras_accuracy"], display=False)
glue("scratch_accuracy", float(scratch_accuracy), display=False)
glue("keras_accuracy", float(keras_accuracy), display=False)
glue("scratch_seconds", float(scratch_seconds), display=False)
glue("keras_seconds", float(keras_seconds), display=False)
glue("chance_accuracy", 0.1, display=False)
pd.DataFrame(
    {
        "validation accuracy": [scratch_accuracy, keras_accuracy],
        "training time (s)": [scratch_seconds, keras_seconds],
        "final training loss": [scratch_history[-1], keras_history.history["loss"][-1]],
    },
    index=["helpers.mlp (NumPy, float64)", "Keras (float32)"],
).style.format("{:.3f}")

# %%
fig, ax = plt.subplots()
epochs_axis = np.arange(1, EPOCHS + 1)
ax.plot(epochs_axis, scratch_history, "o-", label="helpers.mlp (NumPy)")
ax.plot(epochs_axis, keras_history.history["loss"], "s--", label="Keras")
ax.set(xlabel="epoch", ylabel="mean training loss", title="Same network, same start, same recipe")
ax.set_xticks(epochs_axis)
ax.legend()
glue("fig_training", fig, display=False)
plt.close(fig)

# %% [markdown]
# ```{glue:figure} fig_training
# :name: fig-training
#
# Mean training cross-entropy per epoch of the NumPy network and the Keras
# network, both starting from the same weights.
# ```
#
# On the {glue:text}`n_validation:,` validation digits the scratch network
# reaches an accuracy of {glue:text}`scratch_accuracy:.1%` and Keras
# {glue:text}`keras_accuracy:.1%` (chance is {glue:text}`chance_accuracy:.0%`).
# The two do not follow identical paths, since they shuffle the batches
# differently and compute in different precisions, but their training losses
# fall at the same pace ({numref}`fig-training`): epoch by epoch they differ by
# at most {glue:text}`pace_gap_percent:.0f`% (asserted below 20 %). Training took
# {glue:text}`scratch_seconds:.1f` s in NumPy and {glue:text}`keras_seconds:.1f` s
# in Keras on the machine that built this page (timings depend on the machine
# and its load, so nothing asserts them). Part of Keras' time is a one-off
# cost: before the first batch it traces its training step into a TensorFlow
# graph. The point of the comparison is that the framework's training loop
# holds no magic: the forward pass, backpropagation and Adam steps written out
# in this chapter learn the digits as well as Keras does. What a framework
# adds is everything around them: gradients derived automatically for any
# architecture, GPUs, and input pipelines.
#
# ## Summary
#
# - A loss is a **mean over samples**. Mean squared error suits regression;
#   binary cross-entropy, with **both** its terms, suits yes/no outputs;
#   categorical cross-entropy suits one-of-$K$ classification; hinge loss asks
#   for a margin rather than a probability. `helpers.losses` matches
#   `keras.losses` on all four, and each gradient matches finite differences.
# - **Gradient descent** steps against the gradient,
#   $\theta \leftarrow \theta - \eta\nabla L$. On a quadratic with curvature
#   $a$ it converges exactly when $\eta < 2/a$; on a real loss the steepest
#   direction sets the limit and the flattest sets the pace.
# - **Momentum** and **Adam** change how the gradient becomes a step. Written
#   out in NumPy they take the same steps as Keras' optimizers, to float32
#   round-off.
# - A **mini-batch** gradient is an unbiased, noisy estimate whose squared
#   error falls like $1/B$, as measured.
# - **Backpropagation** is the chain rule organized by layer: with
#   $\delta^{(\ell)} = \partial L/\partial z^{(\ell)}$, the weight gradient is
#   $a^{(\ell-1)\top}\delta^{(\ell)}$, and
#   $\delta^{(\ell-1)} = (\delta^{(\ell)}W^{(\ell)\top}) \odot g'(z^{(\ell-1)})$;
#   softmax with cross-entropy starts it with $\delta = (a - Y)/N$. Our NumPy
#   version agrees with finite differences and with `tf.GradientTape`, and
#   trains a digit classifier as well as Keras does.
#
# ## Exercises
#
# ```{exercise}
# :label: ch07-ex1
#
# Show on paper that binary cross-entropy is categorical cross-entropy with
# $K = 2$ classes, then check it in code with `helpers.losses`.
# ```
#
# ```{exercise}
# :label: ch07-ex2
#
# For $L(w) = 2(w-1)^2$, what learning rate reaches the minimum in one step
# from any start? What happens at exactly $\eta = 0.5$?
# ```
#
# ```{exercise}
# :label: ch07-ex3
#
# If the loss were a **sum** over samples instead of a mean, how would the
# gradient change when you double the batch size, and what would that do to
# a learning rate tuned for batches of 32?
# ```
#
# ```{exercise}
# :label: ch07-ex4
#
# Swap the ReLU for a sigmoid in `helpers.mlp`. Which line of the backward
# pass changes, and why must the derivative be evaluated at $z^{(1)}$ and
# not at $a^{(1)}$ (or, if you use $a^{(1)}$, how must the formula change)?
# ```
#
# ```{exercise}
# :label: ch07-ex5
#
# By the $1/B$ law, what batch size halves the root-mean-square error of a
# gradient estimate made with batches of 16?
# ```

# %% [markdown]
# ```{solution-start} ch07-ex1
# :class: dropdown
# ```
#
# With columns $(1-p, p)$ and one-hot target $(1-y, y)$, the categorical sum
# $-\sum_k y_k\log p_k$ has exactly two terms, $-(1-y)\log(1-p) - y\log p$,
# which is the binary cross-entropy of one sample; averaging over samples
# gives the same mean. In code:

# %%
y_ex = np.array([0.0, 1.0, 1.0, 0.0])
p_ex = np.array([0.2, 0.7, 0.9, 0.4])
as_categorical = losses.categorical_crossentropy(
    np.stack([1 - y_ex, y_ex], axis=1), np.stack([1 - p_ex, p_ex], axis=1)
)
np.testing.assert_allclose(as_categorical, losses.binary_crossentropy(y_ex, p_ex), rtol=1e-12)
as_categorical

# %% [markdown]
# ```{solution-end}
# ```

# %% [markdown]
# ```{solution-start} ch07-ex2
# :class: dropdown
# ```
#
# Here $a = 4$, so $w_1 - w^\ast = (1 - 4\eta)(w_0 - w^\ast)$, which is 0 for
# $\eta = 1/a = 0.25$. At $\eta = 0.5 = 2/a$ the factor is $-1$: the iterates
# jump between $w_0$ and $2w^\ast - w_0$ forever, neither converging nor
# diverging. Any larger rate diverges, as the $\eta = 0.52$ run shows. Four
# steps of each from $w_0 = -1.5$ (the $L$ of this chapter's 1-D example):

# %%
steps_ex = {}
for eta in (0.25, 0.5):
    w, path = w_start, [w_start]
    for _ in range(4):
        w = w - eta * gradient_1d(w)
        path.append(w)
    steps_ex[eta] = path
assert steps_ex[0.25][1:] == [w_star] * 4
assert steps_ex[0.5] == [w_start, 2 * w_star - w_start] * 2 + [w_start]
pd.DataFrame(steps_ex).rename_axis(index="step", columns="learning rate")

# %% [markdown]
# ```{solution-end}
# ```

# %% [markdown]
# ```{solution-start} ch07-ex3
# :class: dropdown
# ```
#
# A sum's gradient is $N$ times the mean's, so doubling the batch doubles the
# gradient and, with the same $\eta$, the step. A learning rate tuned for 32
# samples would be twice too large for 64, and could cross the stability limit
# $2/\lambda_{\max}$ (whose $\lambda_{\max}$ also scales with $N$ for a sum).
# With a mean, as in Keras and `helpers.losses`, the gradient's size does not
# depend on the batch size; only its noise does. On the line fit, a batch of 32
# rows and the same rows twice over:

# %%
rows_32 = np.arange(32)
rows_64 = np.concatenate([rows_32, rows_32])
mean_32, mean_64 = gradient_2d(theta_start, rows_32), gradient_2d(theta_start, rows_64)
np.testing.assert_allclose(mean_64, mean_32)  # mean loss: the same gradient
np.testing.assert_allclose(64 * mean_64, 2 * (32 * mean_32))  # sum loss: twice the gradient
pd.DataFrame(
    {"mean loss": [mean_32, mean_64], "sum loss": [32 * mean_32, 64 * mean_64]},
    index=["32 rows", "the same rows twice"],
)

# %% [markdown]
# The unit tests check this for every loss: repeating a batch must not change
# a loss or its gradient.

# %% [markdown]
# ```{solution-end}
# ```

# %% [markdown]
# ```{solution-start} ch07-ex4
# :class: dropdown
# ```
#
# Only the derivative $g'$ in the line `dz1 = da1 * g_prime(cache["z1"])`
# changes: for the sigmoid, $\sigma'(z) = \sigma(z)(1-\sigma(z))$.
# `mlp.backward(..., activation="sigmoid")` does this. The chain rule
# differentiates $a = g(z)$ with respect to its input $z$, so $g'$ takes $z$.
# Written in terms of the activation the same derivative is $a(1-a)$; plugging
# $a$ into $\sigma'$ instead, $\sigma(a)(1-\sigma(a))$, gives a different and
# wrong number. (For ReLU the mistake happens to be harmless, since $a > 0$
# exactly when $z > 0$; for sigmoid and tanh it is not.) A gradient check on a
# small sigmoid network shows all three:

# %%
ex_rng = np.random.default_rng(3)
tiny = mlp.init_params(6, 5, 3, seed=SEED)
tiny["b1"] = ex_rng.normal(scale=0.1, size=5)
X_tiny, Y_tiny = ex_rng.normal(size=(8, 6)), mlp.one_hot(ex_rng.integers(0, 3, size=8), 3)
cache_tiny = mlp.forward(tiny, X_tiny, activation="sigmoid")
numeric_W1 = mlp.numerical_gradient(
    lambda: mlp.loss(tiny, X_tiny, Y_tiny, activation="sigmoid"), tiny["W1"]
)
da1_tiny = (cache_tiny["a2"] - Y_tiny) / len(Y_tiny) @ tiny["W2"].T
a1_tiny = cache_tiny["a1"]
variants = {
    "mlp.backward (sigma'(z))": mlp.backward(tiny, cache_tiny, Y_tiny, activation="sigmoid")["W1"],
    "a (1 - a)": X_tiny.T @ (da1_tiny * a1_tiny * (1 - a1_tiny)),
    "sigma'(a): wrong": X_tiny.T @ (da1_tiny * sigmoid_derivative(a1_tiny)),
}
errors_ex = {name: mlp.relative_error(grad, numeric_W1) for name, grad in variants.items()}
assert max(errors_ex["mlp.backward (sigma'(z))"], errors_ex["a (1 - a)"]) < 1e-6
assert errors_ex["sigma'(a): wrong"] > 0.01
glue("sigmoid_wrong_error", errors_ex["sigma'(a): wrong"], display=False)
pd.Series(errors_ex, name="relative error vs finite differences").map("{:.1e}".format)

# %% [markdown]
# The wrong version is off by a relative error of
# {glue:text}`sigmoid_wrong_error:.2f`; the other two agree with finite
# differences. `tests/test_mlp.py` gradient-checks the sigmoid option too.

# %% [markdown]
# ```{solution-end}
# ```

# %% [markdown]
# ```{solution-start} ch07-ex5
# :class: dropdown
# ```
#
# The mean squared error scales like $1/B$, so its square root scales like
# $1/\sqrt{B}$; halving it takes 4 times the batch: $B = 64$ (slightly less
# because of the finite-population factor $\frac{N-B}{N-1}$). The measurement
# above agrees:

# %%
rms = dict(zip(batch_sizes.tolist(), np.sqrt(measured), strict=True))
measured_halving = float(rms[16] / rms[64])
predicted_halving = float(
    np.sqrt(predicted[batch_sizes == 16][0] / predicted[batch_sizes == 64][0])
)
assert 1.8 < measured_halving < 2.2
glue("rms_ratio_measured", measured_halving, display=False)
glue("rms_ratio_predicted", predicted_halving, display=False)
measured_halving, predicted_halving

# %% [markdown]
# Batches of 16 miss the full gradient by {glue:text}`rms_ratio_measured:.2f`
# times as much as batches of 64 (predicted, with the finite-population factor:
# {glue:text}`rms_ratio_predicted:.2f`).

# %% [markdown]
# ```{solution-end}
# ```
