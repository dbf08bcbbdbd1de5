"""Checks behind statements in the chapters' text that code can guard.

Chapter 7 says that the backward pass of ``helpers.mlp`` does one matrix
product more than the forward pass (two per layer, except that the first
layer passes no gradient down to the input), so that it costs barely more
than the forward pass for the 784 -> 128 -> 10 network, and exactly twice as
much once the gradient for the input is included; and that the relative error
of two unrelated arrays of equal norm is about 1/sqrt(2), not 1.
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from helpers import mlp


def test_forward_does_one_product_per_layer_and_backward_one_more_in_all():
    # two layers: forward a0 @ W1, a1 @ W2; backward a1.T @ dz2, dz2 @ W2.T, a0.T @ dz1
    assert inspect.getsource(mlp.forward).count(" @ ") == 2
    assert inspect.getsource(mlp.backward).count(" @ ") == 3


def test_backward_costs_barely_more_than_forward_and_twice_with_the_input_gradient():
    n, d, h, k = 512, 784, 128, 10  # chapter 7's batch and network
    forward = n * d * h + n * h * k
    backward = h * n * k + n * k * h + d * n * h
    assert 1 < backward / forward < 1.05
    assert backward + n * h * d == 2 * forward  # dz1 @ W1.T, the gradient for the input


def test_backward_matches_its_products():
    """The gradients are exactly the three products chapter 7 counts, nothing hidden."""
    rng = np.random.default_rng(0)
    params = mlp.init_params(7, 5, 3, seed=0)
    X, Y = rng.random((6, 7)), mlp.one_hot(rng.integers(0, 3, size=6), 3)
    cache = mlp.forward(params, X)
    grads = mlp.backward(params, cache, Y)
    dz2 = (cache["a2"] - Y) / len(Y)
    dz1 = (dz2 @ params["W2"].T) * (cache["z1"] > 0)
    np.testing.assert_allclose(grads["W2"], cache["a1"].T @ dz2)
    np.testing.assert_allclose(grads["W1"], X.T @ dz1)


def test_relative_error_of_unrelated_equal_norm_arrays_is_about_0_71():
    assert mlp.relative_error([1.0, 0.0], [0.0, 1.0]) == pytest.approx(1 / np.sqrt(2))
    a, b = np.random.default_rng(2).normal(size=(2, 10_000))
    b *= np.linalg.norm(a) / np.linalg.norm(b)
    assert mlp.relative_error(a, b) == pytest.approx(1 / np.sqrt(2), abs=0.02)
    assert mlp.relative_error(a, -a) == pytest.approx(1.0)
