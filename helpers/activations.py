"""Activation functions and their derivatives, written out in NumPy.

Chapter 2 plots them; chapter 7 uses the derivatives in backpropagation. Each
function here is checked against ``keras.activations`` and against finite
differences in ``tests/test_activations.py``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.floating]


def _as_float_array(z: ArrayLike) -> FloatArray:
    array = np.asarray(z, dtype=float)
    if not np.all(np.isfinite(array)):
        raise ValueError("activation input contains NaN or infinity; check the previous layer")
    return array


def sigmoid(z: ArrayLike) -> FloatArray:
    """Logistic sigmoid ``1 / (1 + exp(-z))``, computed without overflow."""
    z = _as_float_array(z)
    # exp of a large positive number overflows; split by sign so exp sees only z <= 0.
    exp_neg_abs = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + exp_neg_abs), exp_neg_abs / (1.0 + exp_neg_abs))


def sigmoid_derivative(z: ArrayLike) -> FloatArray:
    """Derivative of the sigmoid: ``sigmoid(z) * (1 - sigmoid(z))``."""
    s = sigmoid(z)
    return s * (1.0 - s)


def tanh(z: ArrayLike) -> FloatArray:
    """Hyperbolic tangent."""
    return np.tanh(_as_float_array(z))


def tanh_derivative(z: ArrayLike) -> FloatArray:
    """Derivative of tanh: ``1 - tanh(z)**2``."""
    return 1.0 - np.tanh(_as_float_array(z)) ** 2


def relu(z: ArrayLike) -> FloatArray:
    """Rectified linear unit ``max(0, z)``."""
    return np.maximum(0.0, _as_float_array(z))


def relu_derivative(z: ArrayLike) -> FloatArray:
    """Derivative of ReLU: 1 where ``z > 0``, else 0 (the convention at 0, as in Keras)."""
    return (_as_float_array(z) > 0).astype(float)


def leaky_relu(z: ArrayLike, negative_slope: float = 0.2) -> FloatArray:
    """Leaky ReLU: ``z`` for positive ``z``, ``negative_slope * z`` otherwise.

    The default slope 0.2 matches ``keras.activations.leaky_relu``.
    """
    z = _as_float_array(z)
    return np.where(z > 0, z, negative_slope * z)


def leaky_relu_derivative(z: ArrayLike, negative_slope: float = 0.2) -> FloatArray:
    """Derivative of leaky ReLU: 1 for positive ``z``, ``negative_slope`` otherwise."""
    return np.where(_as_float_array(z) > 0, 1.0, negative_slope)


ACTIVATIONS: dict[str, tuple[Callable[[ArrayLike], FloatArray], Callable[[ArrayLike], FloatArray]]]
ACTIVATIONS = {
    "sigmoid": (sigmoid, sigmoid_derivative),
    "tanh": (tanh, tanh_derivative),
    "relu": (relu, relu_derivative),
    "leaky_relu": (leaky_relu, leaky_relu_derivative),
}
"""Name -> (function, derivative), the names matching ``keras.activations``."""
