from __future__ import annotations

import numpy as np
import pytest

from helpers.activations import ACTIVATIONS, sigmoid

Z = np.linspace(-6, 6, 241) + 1e-3  # keep away from the kink of ReLU at 0


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_matches_keras(name: str) -> None:
    import keras

    function, _ = ACTIVATIONS[name]
    expected = keras.ops.convert_to_numpy(getattr(keras.activations, name)(Z.astype("float32")))
    np.testing.assert_allclose(function(Z), expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_derivative_matches_central_differences(name: str) -> None:
    function, derivative = ACTIVATIONS[name]
    step = 1e-6
    numeric = (function(Z + step) - function(Z - step)) / (2 * step)
    np.testing.assert_allclose(derivative(Z), numeric, rtol=1e-5, atol=1e-8)


def test_sigmoid_does_not_overflow() -> None:
    with np.errstate(over="raise"):
        values = sigmoid(np.array([-1000.0, 0.0, 1000.0]))
    np.testing.assert_allclose(values, [0.0, 0.5, 1.0])


def test_rejects_nan() -> None:
    with pytest.raises(ValueError, match="NaN"):
        sigmoid(np.array([0.0, np.nan]))
