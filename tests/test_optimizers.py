"""Tests for helpers.optimizers: hand-computed steps and step-for-step agreement with Keras."""

from __future__ import annotations

import math
import os

import numpy as np
import pytest

from helpers.optimizers import SGD, Adam

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


# --- hand-computed steps -------------------------------------------------------------------


def test_sgd_step_is_minus_learning_rate_times_gradient():
    w = np.array([1.0, -2.0])
    SGD(learning_rate=0.1).apply_gradients([w], [np.array([0.5, -1.0])])
    np.testing.assert_allclose(w, [0.95, -1.9])


def test_momentum_accumulates_velocity():
    w = np.array([1.0])
    opt = SGD(learning_rate=0.1, momentum=0.9)
    opt.apply_gradients([w], [np.array([0.5])])  # v = -0.05
    np.testing.assert_allclose(w, [0.95])
    opt.apply_gradients([w], [np.array([0.5])])  # v = 0.9 * -0.05 - 0.05 = -0.095
    np.testing.assert_allclose(w, [0.855])
    np.testing.assert_allclose(opt.velocities[0], [-0.095])


def test_nesterov_looks_ahead():
    w = np.array([1.0])
    SGD(learning_rate=0.1, momentum=0.9, nesterov=True).apply_gradients([w], [np.array([0.5])])
    np.testing.assert_allclose(w, [1.0 + 0.9 * -0.05 - 0.05])


def test_adam_first_step_has_size_learning_rate_without_epsilon():
    w = np.array([1.0, 1.0])
    Adam(learning_rate=0.1, epsilon=0.0).apply_gradients([w], [np.array([3.0, -0.02])])
    np.testing.assert_allclose(w, [0.9, 1.1])


def test_adam_adds_epsilon_to_sqrt_v_not_to_bias_corrected_sqrt_v():
    """At step 1, m = (1-b1) g and v = (1-b2) g**2; Keras divides by sqrt(v) + eps.

    With a tiny gradient the textbook placement (sqrt(v_hat) + eps) would give a
    step of 0.909 lr; Keras' gives 0.240 lr.
    """
    g, lr, eps = 1e-6, 0.1, 1e-7
    w = np.array([0.0])
    Adam(learning_rate=lr, epsilon=eps).apply_gradients([w], [np.array([g])])
    alpha = lr * math.sqrt(1 - 0.999) / (1 - 0.9)
    keras_step = alpha * (0.1 * g) / (math.sqrt(0.001) * g + eps)
    textbook_step = lr * g / (g + eps)
    np.testing.assert_allclose(-w, [keras_step], rtol=1e-12)
    assert abs(keras_step - textbook_step) > 0.5 * lr


def test_iterations_count_updates():
    opt = Adam()
    w = np.zeros(3)
    for _ in range(4):
        opt.apply_gradients([w], [np.ones(3)])
    assert opt.iterations == 4


def test_float32_parameters_stay_float32():
    w = np.ones(2, dtype=np.float32)
    Adam().apply_gradients([w], [np.ones(2)])
    assert w.dtype == np.float32


# --- agreement with Keras -------------------------------------------------------------------


def _least_squares_problem(dtype: str, scale: float = 1.0):
    """Parameters [W (3, 2), b (2,)] and the gradient of 0.5 * mean ||x W + b - t||**2."""
    rng = np.random.default_rng(7)
    X = rng.normal(size=(20, 3))
    T = rng.normal(size=(20, 2))
    start = [rng.normal(size=(3, 2)).astype(dtype), rng.normal(size=2).astype(dtype)]

    def gradient(W, b):
        residual = X @ W + b - T
        return [scale * (X.T @ residual) / len(X), scale * residual.mean(axis=0)]

    return start, gradient


def _run_both(make_ours, make_keras, dtype: str, steps: int = 40, scale: float = 1.0):
    keras = pytest.importorskip("keras")
    start, gradient = _least_squares_problem(dtype, scale)
    ours = [p.copy() for p in start]
    theirs = [keras.Variable(p.copy(), dtype=dtype) for p in start]
    opt_ours, opt_keras = make_ours(), make_keras(keras)
    ours_path, keras_path = [], []
    for _ in range(steps):
        grads = [g.astype(dtype) for g in gradient(*[np.asarray(p, float) for p in ours])]
        opt_ours.apply_gradients(ours, grads)
        keras_grads = [
            keras.ops.convert_to_tensor(g.astype(dtype))
            for g in gradient(*[v.numpy().astype(float) for v in theirs])
        ]
        opt_keras.apply_gradients(list(zip(keras_grads, theirs, strict=True)))
        ours_path.append(np.concatenate([p.ravel() for p in ours]))
        keras_path.append(np.concatenate([v.numpy().ravel() for v in theirs]))
    return np.array(ours_path), np.array(keras_path)


# Hyperparameters that float32 represents exactly (Keras keeps lr in float32, see the module).
EXACT = {"lr": 0.125, "momentum": 0.875, "beta_1": 0.875, "beta_2": 1 - 2**-10}

OPTIMIZERS = {
    "sgd": (
        lambda: SGD(EXACT["lr"]),
        lambda k: k.optimizers.SGD(EXACT["lr"]),
    ),
    "momentum": (
        lambda: SGD(EXACT["lr"], momentum=EXACT["momentum"]),
        lambda k: k.optimizers.SGD(EXACT["lr"], momentum=EXACT["momentum"]),
    ),
    "nesterov": (
        lambda: SGD(EXACT["lr"], momentum=EXACT["momentum"], nesterov=True),
        lambda k: k.optimizers.SGD(EXACT["lr"], momentum=EXACT["momentum"], nesterov=True),
    ),
    "adam": (
        lambda: Adam(EXACT["lr"], beta_1=EXACT["beta_1"], beta_2=EXACT["beta_2"]),
        lambda k: k.optimizers.Adam(EXACT["lr"], beta_1=EXACT["beta_1"], beta_2=EXACT["beta_2"]),
    ),
}


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_same_steps_as_keras_in_float64(name):
    ours, theirs = _run_both(*OPTIMIZERS[name], dtype="float64")
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-14)


def test_adam_same_steps_as_keras_with_tiny_gradients():
    """Gradients of 1e-7 make epsilon's placement matter; the steps still agree."""
    ours, theirs = _run_both(*OPTIMIZERS["adam"], dtype="float64", scale=1e-7)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-14)
    start, _ = _least_squares_problem("float64")
    assert np.abs(ours[-1] - np.concatenate([p.ravel() for p in start])).max() > 1e-3


DEFAULTS = {
    "sgd": (lambda: SGD(0.05), lambda k: k.optimizers.SGD(0.05)),
    "momentum": (
        lambda: SGD(0.05, momentum=0.9),
        lambda k: k.optimizers.SGD(0.05, momentum=0.9),
    ),
    "adam": (lambda: Adam(0.01), lambda k: k.optimizers.Adam(0.01)),
}


@pytest.mark.parametrize("name", list(DEFAULTS))
def test_same_steps_as_keras_in_float32(name):
    ours, theirs = _run_both(*DEFAULTS[name], dtype="float32")
    scale = np.abs(theirs).max()
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-6 * scale)


def test_keras_float64_quirk_is_what_the_docs_say():
    """With lr = 0.1 (not exact in float32) float64 runs differ by float32 round-off."""
    ours, theirs = _run_both(lambda: SGD(0.1), lambda k: k.optimizers.SGD(0.1), "float64", 5)
    difference = np.abs(ours - theirs).max()
    assert 1e-12 < difference < 1e-6


# --- bad input ------------------------------------------------------------------------------


def test_bad_hyperparameters_are_errors():
    with pytest.raises(ValueError, match="learning_rate"):
        SGD(learning_rate=0.0)
    with pytest.raises(ValueError, match="momentum"):
        SGD(momentum=1.5)
    with pytest.raises(ValueError, match="beta_1"):
        Adam(beta_1=1.0)


def test_bad_gradients_are_errors():
    opt = SGD()
    w = np.zeros(2)
    with pytest.raises(ValueError, match="shape"):
        opt.apply_gradients([w], [np.zeros(3)])
    with pytest.raises(ValueError, match="NaN"):
        opt.apply_gradients([w], [np.array([np.nan, 0.0])])
    with pytest.raises(ValueError, match="2 gradients"):
        opt.apply_gradients([w], [np.zeros(2), np.zeros(2)])
    with pytest.raises(TypeError, match="in place"):
        opt.apply_gradients([[0.0, 0.0]], [np.zeros(2)])


def test_one_optimizer_per_parameter_set():
    opt = Adam()
    opt.apply_gradients([np.zeros(2)], [np.ones(2)])
    with pytest.raises(ValueError, match="one optimizer per set"):
        opt.apply_gradients([np.zeros(3)], [np.ones(3)])
