"""Tests for helpers.losses: hand-computed values, Keras agreement, gradients, bad input."""

from __future__ import annotations

import math
import os

import numpy as np
import pytest

from helpers import losses
from helpers.mlp import numerical_gradient, softmax

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def _random_case(name: str, shape: tuple[int, ...], seed: int = 0):
    """Random, valid (y_true, y_pred) for the loss ``name``, away from clipping and kinks."""
    rng = np.random.default_rng(seed)
    if name == "mse":
        return rng.normal(size=shape), rng.normal(size=shape)
    if name == "binary_crossentropy":
        return rng.integers(0, 2, size=shape).astype(float), rng.uniform(0.02, 0.98, size=shape)
    if name == "categorical_crossentropy":
        n, k = shape
        y_true = np.eye(k)[rng.integers(0, k, size=n)]
        return y_true, softmax(rng.normal(size=shape))
    if name == "hinge":
        y_true = rng.choice([-1.0, 1.0], size=shape)
        margins = rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.1, 0.9, size=shape) + 1.0
        return y_true, margins * y_true  # y * s = margin, never within 0.1 of the kink at 1
    raise KeyError(name)


SHAPES = {
    "mse": [(7,), (6, 3)],
    "binary_crossentropy": [(7,), (6, 3)],
    "categorical_crossentropy": [(6, 4), (1, 3)],
    "hinge": [(7,), (6, 3)],
}
CASES = [(name, shape) for name, shapes in SHAPES.items() for shape in shapes]


# --- hand-computed values ------------------------------------------------------------------


def test_mse_hand_computed_averages_over_all_entries():
    assert losses.mse([1.0, 2.0], [1.0, 4.0]) == pytest.approx(2.0)
    # 2 samples x 2 outputs: (1 + 0 + 0 + 4) / 4; a missing 1/d would give 2.5
    assert losses.mse([[0.0, 0.0], [1.0, 1.0]], [[1.0, 0.0], [1.0, 3.0]]) == pytest.approx(1.25)


def test_binary_crossentropy_hand_computed_has_both_terms():
    expected = -(math.log(0.8) + math.log(1 - 0.4)) / 2  # 0.36698...
    assert losses.binary_crossentropy([1.0, 0.0], [0.8, 0.4]) == pytest.approx(expected)
    assert expected == pytest.approx(0.366984587, abs=1e-9)
    # a label-0 sample predicted 0.9 costs -log(0.1): only the (1 - y) log(1 - p) term sees it
    assert losses.binary_crossentropy([0.0], [0.9]) == pytest.approx(math.log(10))


def test_categorical_crossentropy_hand_computed_sums_classes_averages_samples():
    y_true = [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]
    y_pred = [[0.2, 0.7, 0.1], [0.5, 0.25, 0.25]]
    expected = -(math.log(0.7) + math.log(0.5)) / 2
    assert losses.categorical_crossentropy(y_true, y_pred) == pytest.approx(expected)


def test_hinge_hand_computed_and_zero_one_labels_converted():
    # margins y*s: 0.5 -> loss 0.5;  -0.5 -> loss 1.5;  2 -> loss 0
    assert losses.hinge([1.0, -1.0, 1.0], [0.5, 0.5, 2.0]) == pytest.approx(2.0 / 3)
    assert losses.hinge([1.0, 0.0, 1.0], [0.5, 0.5, 2.0]) == pytest.approx(2.0 / 3)


@pytest.mark.parametrize(("name", "shape"), CASES)
def test_loss_is_a_mean_not_a_sum(name, shape):
    """Repeating the batch must not change a mean (it would double a sum)."""
    loss, _ = losses.LOSSES[name]
    y_true, y_pred = _random_case(name, shape)
    doubled = loss(np.concatenate([y_true, y_true]), np.concatenate([y_pred, y_pred]))
    assert doubled == pytest.approx(loss(y_true, y_pred), rel=1e-12)


def test_clipping_keeps_confident_mistakes_finite():
    assert losses.binary_crossentropy([1.0], [0.0]) == pytest.approx(-math.log(1e-7))
    assert losses.categorical_crossentropy([[1.0, 0.0]], [[0.0, 1.0]]) == pytest.approx(
        -math.log(1e-7)
    )


# --- agreement with Keras -------------------------------------------------------------------


KERAS_CLASSES = {
    "mse": "MeanSquaredError",
    "binary_crossentropy": "BinaryCrossentropy",
    "categorical_crossentropy": "CategoricalCrossentropy",
    "hinge": "Hinge",
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(("name", "shape"), CASES)
def test_loss_matches_keras(name, shape, dtype):
    keras = pytest.importorskip("keras")
    loss, _ = losses.LOSSES[name]
    for seed in range(3):
        y_true, y_pred = _random_case(name, shape, seed)
        keras_loss = getattr(keras.losses, KERAS_CLASSES[name])(dtype=dtype)
        expected = float(keras_loss(y_true.astype(dtype), y_pred.astype(dtype)))
        ours = loss(y_true.astype(dtype), y_pred.astype(dtype))
        assert ours == pytest.approx(expected, rel=1e-6, abs=1e-9)


def test_hinge_matches_keras_on_zero_one_labels():
    keras = pytest.importorskip("keras")
    rng = np.random.default_rng(3)
    y_true, scores = rng.integers(0, 2, size=(5, 2)).astype(float), rng.normal(size=(5, 2))
    expected = float(keras.losses.Hinge(dtype="float64")(y_true, scores))
    assert losses.hinge(y_true, scores) == pytest.approx(expected, rel=1e-12)


def test_loss_names_are_keras_function_names():
    keras = pytest.importorskip("keras")
    for name in losses.LOSSES:
        if name != "mse":
            assert callable(getattr(keras.losses, name))
    assert callable(keras.losses.mean_squared_error)


def test_epsilon_matches_keras():
    keras = pytest.importorskip("keras")
    assert keras.config.epsilon() == losses.EPSILON


# --- gradients ------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "shape"), CASES)
def test_gradient_matches_central_differences(name, shape):
    loss, gradient = losses.LOSSES[name]
    y_true, y_pred = _random_case(name, shape, seed=5)
    numeric = numerical_gradient(lambda: loss(y_true, y_pred), y_pred)
    analytic = gradient(y_true, y_pred)
    assert analytic.shape == y_pred.shape
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-9)


def test_gradients_hand_computed():
    np.testing.assert_allclose(losses.mse_gradient([1.0, 2.0], [3.0, 2.0]), [2.0, 0.0])
    # y=1, p=0.8 -> -1/0.8; y=0, p=0.4 -> 1/0.6; divided by n = 2
    np.testing.assert_allclose(
        losses.binary_crossentropy_gradient([1.0, 0.0], [0.8, 0.4]), [-0.625, 1 / 1.2]
    )
    np.testing.assert_allclose(
        losses.categorical_crossentropy_gradient([[0.0, 1.0]], [[0.5, 0.5]]), [[0.0, -2.0]]
    )
    hinge_grad = losses.hinge_gradient([1.0, -1.0, 1.0], [0.5, 0.5, 2.0])
    np.testing.assert_allclose(hinge_grad, [-1 / 3, 1 / 3, 0.0])


def test_gradient_is_zero_where_probabilities_are_clipped():
    assert losses.binary_crossentropy_gradient([1.0], [0.0])[0] == 0.0
    assert losses.categorical_crossentropy_gradient([[1.0, 0.0]], [[0.0, 1.0]])[0, 0] == 0.0


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(losses.LOSSES))
def test_shape_mismatch_is_an_error(name):
    loss, gradient = losses.LOSSES[name]
    for function in (loss, gradient):
        with pytest.raises(ValueError, match="shape"):
            function(np.zeros((4, 3)), np.full((4, 2), 0.5))


@pytest.mark.parametrize("name", list(losses.LOSSES))
def test_nan_is_an_error(name):
    loss, _ = losses.LOSSES[name]
    y_true, y_pred = _random_case(name, (4, 3))
    y_pred[1, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        loss(y_true, y_pred)


@pytest.mark.parametrize("name", ["binary_crossentropy", "categorical_crossentropy"])
def test_probabilities_outside_unit_interval_are_errors(name):
    loss, _ = losses.LOSSES[name]
    y_true, y_pred = _random_case(name, (4, 3))
    with pytest.raises(ValueError, match=r"probabilities in \[0, 1\].*logits"):
        loss(y_true, y_pred * 3.0 - 1.0)
    with pytest.raises(ValueError, match="y_true must hold probabilities"):
        loss(y_true * 2.0, y_pred)


def test_categorical_rows_must_sum_to_one_and_be_two_dimensional():
    with pytest.raises(ValueError, match="sum to 1"):
        losses.categorical_crossentropy([[1.0, 0.0]], [[0.3, 0.3]])
    with pytest.raises(ValueError, match=r"n_samples, n_classes"):
        losses.categorical_crossentropy([1.0, 0.0], [0.4, 0.6])


def test_hinge_rejects_other_labels_and_empty_input_is_an_error():
    with pytest.raises(ValueError, match="labels"):
        losses.hinge([2.0, -1.0], [0.1, 0.2])
    with pytest.raises(ValueError, match="labels"):
        losses.hinge([0.0, -1.0, 1.0], [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="at least one sample"):
        losses.mse([], [])
    with pytest.raises(TypeError, match="numeric"):
        losses.mse(["a"], [1.0])
