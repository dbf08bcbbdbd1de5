"""Tests for helpers.mlp: forward pass, backpropagation (finite differences, TF), training."""

from __future__ import annotations

import os

import numpy as np
import pytest

from helpers import losses, mlp
from helpers.activations import relu
from helpers.optimizers import SGD, Adam

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def _small_problem(seed: int = 0, n: int = 7, d: int = 5, h: int = 4, k: int = 3):
    rng = np.random.default_rng(seed)
    params = mlp.init_params(d, h, k, seed=seed)
    params["b1"] = rng.normal(scale=0.5, size=h)  # non-zero biases, so their gradients matter
    params["b2"] = rng.normal(scale=0.5, size=k)
    X = rng.normal(size=(n, d))
    Y = mlp.one_hot(rng.integers(0, k, size=n), k)
    return params, X, Y


def test_forward_cache_holds_pre_activations_and_activations():
    params, X, _ = _small_problem()
    cache = mlp.forward(params, X)
    assert set(cache) == {"a0", "z1", "a1", "z2", "a2"}
    np.testing.assert_allclose(cache["z1"], X @ params["W1"] + params["b1"])
    np.testing.assert_allclose(cache["a1"], relu(cache["z1"]))
    np.testing.assert_allclose(cache["z2"], cache["a1"] @ params["W2"] + params["b2"])
    np.testing.assert_allclose(cache["a2"].sum(axis=1), 1.0)
    assert cache["a2"].dtype == np.float64


def test_loss_is_categorical_crossentropy_of_the_output():
    params, X, Y = _small_problem()
    probabilities = mlp.forward(params, X)["a2"]
    expected = losses.categorical_crossentropy(Y, probabilities)
    assert mlp.loss(params, X, Y) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
def test_backward_matches_central_differences(activation):
    params, X, Y = _small_problem(seed=1)
    grads = mlp.backward(params, mlp.forward(params, X, activation), Y, activation)
    for name in mlp.PARAM_NAMES:
        numeric = mlp.numerical_gradient(lambda: mlp.loss(params, X, Y, activation), params[name])
        assert grads[name].shape == params[name].shape
        assert mlp.relative_error(grads[name], numeric) < 1e-7, name


def test_output_gradient_is_probabilities_minus_targets_over_n():
    params, X, Y = _small_problem()
    cache = mlp.forward(params, X)
    grads = mlp.backward(params, cache, Y)
    np.testing.assert_allclose(grads["b2"], (cache["a2"] - Y).sum(axis=0) / len(X))


def test_gradient_of_a_mean_does_not_grow_with_the_batch():
    params, X, Y = _small_problem()
    once = mlp.backward(params, mlp.forward(params, X), Y)
    X2, Y2 = np.concatenate([X, X]), np.concatenate([Y, Y])
    twice = mlp.backward(params, mlp.forward(params, X2), Y2)
    for name in mlp.PARAM_NAMES:
        np.testing.assert_allclose(twice[name], once[name], rtol=1e-12, atol=1e-15)


def test_backward_matches_tensorflow_gradient_tape():
    tf = pytest.importorskip("tensorflow")
    keras = pytest.importorskip("keras")
    params, X, Y = _small_problem(seed=2, n=9)
    variables = {name: tf.Variable(value) for name, value in params.items()}
    with tf.GradientTape() as tape:
        z1 = tf.constant(X) @ variables["W1"] + variables["b1"]
        z2 = tf.nn.relu(z1) @ variables["W2"] + variables["b2"]
        loss = keras.losses.CategoricalCrossentropy(dtype="float64")(Y, tf.nn.softmax(z2))
    tape_grads = tape.gradient(loss, [variables[name] for name in mlp.PARAM_NAMES])
    ours = mlp.backward(params, mlp.forward(params, X), Y)
    assert float(loss) == pytest.approx(mlp.loss(params, X, Y), rel=1e-12)
    for name, tape_grad in zip(mlp.PARAM_NAMES, tape_grads, strict=True):
        assert mlp.relative_error(ours[name], tape_grad.numpy()) < 1e-10, name


def test_keras_model_with_the_same_weights_gives_the_same_probabilities():
    keras = pytest.importorskip("keras")
    params, X, _ = _small_problem(seed=3)
    model = keras.Sequential(
        [
            keras.Input(shape=(5,), dtype="float64"),
            keras.layers.Dense(4, activation="relu", dtype="float64"),
            keras.layers.Dense(3, activation="softmax", dtype="float64"),
        ]
    )
    model.set_weights(mlp.to_keras_weights(params))
    np.testing.assert_allclose(model(X).numpy(), mlp.forward(params, X)["a2"], rtol=1e-12)


def test_training_learns_separable_blobs():
    rng = np.random.default_rng(4)
    centres = np.array([[3.0, 0.0], [-3.0, 0.0], [0.0, 3.0]])
    labels = rng.integers(0, 3, size=300)
    X = centres[labels] + rng.normal(size=(300, 2))
    Y = mlp.one_hot(labels, 3)
    params = mlp.init_params(2, 16, 3, seed=4)
    start = mlp.loss(params, X, Y)
    history = mlp.fit(params, X, Y, Adam(0.01), epochs=20, batch_size=32, seed=4)
    assert len(history) == 20
    assert mlp.loss(params, X, Y) < 0.3 * start
    assert np.mean(mlp.predict(params, X) == labels) > 0.95


def test_train_step_descends_and_returns_loss_before_update():
    params, X, Y = _small_problem()
    before = mlp.loss(params, X, Y)
    reported = mlp.train_step(params, X, Y, SGD(0.1))
    assert reported == pytest.approx(before, rel=1e-12)
    assert mlp.loss(params, X, Y) < before


def test_init_params_glorot_uniform_and_reproducible():
    params = mlp.init_params(784, 128, 10, seed=0)
    assert params["W1"].shape == (784, 128) and params["W2"].shape == (128, 10)
    assert np.abs(params["W1"]).max() <= np.sqrt(6 / (784 + 128))
    assert np.abs(params["W1"]).max() > 0.9 * np.sqrt(6 / (784 + 128))
    assert not params["b1"].any() and not params["b2"].any()
    np.testing.assert_array_equal(params["W2"], mlp.init_params(784, 128, 10, seed=0)["W2"])


def test_softmax_is_stable_for_large_logits():
    p = mlp.softmax([[1000.0, 1000.0, -1000.0]])
    np.testing.assert_allclose(p, [[0.5, 0.5, 0.0]])


def test_numerical_gradient_restores_the_array_and_relative_error_scale():
    x = np.array([1.0, 2.0])
    grad = mlp.numerical_gradient(lambda: float(np.sum(x**3)), x)
    np.testing.assert_allclose(grad, [3.0, 12.0], rtol=1e-8)
    np.testing.assert_array_equal(x, [1.0, 2.0])
    assert mlp.relative_error([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert mlp.relative_error([1.0, 0.0], [-1.0, 0.0]) == pytest.approx(1.0)


def test_bad_input_is_an_error():
    params, X, Y = _small_problem()
    with pytest.raises(ValueError, match=r"X must have shape \(n_samples, 5\)"):
        mlp.forward(params, X[:, :3])
    X_nan = X.copy()
    X_nan[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        mlp.forward(params, X_nan)
    with pytest.raises(ValueError, match="one-hot"):
        mlp.loss(params, X, np.argmax(Y, axis=1))
    with pytest.raises(ValueError, match="0..2"):
        mlp.one_hot(np.array([0, 3]), 3)
    with pytest.raises(KeyError, match="init_params"):
        mlp.forward({"W1": params["W1"]}, X)
    with pytest.raises(ValueError, match="unknown activation"):
        mlp.forward(params, X, activation="swish")
    with pytest.raises(TypeError, match="float64"):
        mlp.numerical_gradient(lambda: 0.0, np.zeros(2, dtype=np.float32))
