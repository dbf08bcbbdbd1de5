"""A two-layer perceptron in NumPy (float64): forward pass, backpropagation, training.

The network is the one chapter 7 derives, with Keras' weight layout (a kernel
maps inputs to outputs, ``z = a W + b``, one sample per row)::

    a0 = X                      (n, d)
    z1 = a0 @ W1 + b1           (n, h)   pre-activation of the hidden layer
    a1 = g(z1)                  (n, h)   activation (g = ReLU by default)
    z2 = a1 @ W2 + b2           (n, k)   pre-activation of the output layer (logits)
    a2 = softmax(z2)            (n, k)   class probabilities
    L  = -(1/n) sum_i sum_c Y_ic log a2_ic          (categorical cross-entropy)

and backward, by the chain rule, layer by layer::

    dL/dz2 = (a2 - Y) / n
    dL/dW2 = a1.T @ dL/dz2          dL/db2 = sum over samples of dL/dz2
    dL/da1 = dL/dz2 @ W2.T
    dL/dz1 = dL/da1 * g'(z1)
    dL/dW1 = a0.T @ dL/dz1          dL/db1 = sum over samples of dL/dz1

Parameters live in a dict ``{"W1", "b1", "W2", "b2"}`` of float64 arrays; the
gradients come back in a dict with the same keys. ``tests/test_mlp.py`` checks
:func:`backward` against :func:`numerical_gradient` and against TensorFlow.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray

from helpers.activations import ACTIVATIONS
from helpers.optimizers import Optimizer

FloatArray = NDArray[np.float64]
Params = dict[str, FloatArray]

PARAM_NAMES = ("W1", "b1", "W2", "b2")
"""The parameter names, in the order Keras' ``model.get_weights()`` lists them."""


def init_params(
    n_inputs: int, n_hidden: int, n_outputs: int, *, seed: int | np.random.Generator = 0
) -> Params:
    """Glorot-uniform kernels and zero biases, as a Keras ``Dense`` layer starts.

    Each kernel entry is drawn from ``U(-r, r)`` with ``r = sqrt(6 / (fan_in + fan_out))``.
    """
    for name, size in (("n_inputs", n_inputs), ("n_hidden", n_hidden), ("n_outputs", n_outputs)):
        if int(size) != size or size < 1:
            raise ValueError(f"{name} must be a positive integer, got {size}")
    rng = np.random.default_rng(seed)

    def glorot(fan_in: int, fan_out: int) -> FloatArray:
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        return rng.uniform(-limit, limit, size=(fan_in, fan_out))

    return {
        "W1": glorot(n_inputs, n_hidden),
        "b1": np.zeros(n_hidden),
        "W2": glorot(n_hidden, n_outputs),
        "b2": np.zeros(n_outputs),
    }


def softmax(z: ArrayLike) -> FloatArray:
    """Row-wise softmax, computed stably by subtracting each row's maximum."""
    z = np.asarray(z, dtype=np.float64)
    shifted = z - z.max(axis=-1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=-1, keepdims=True)


def one_hot(labels: ArrayLike, n_classes: int) -> FloatArray:
    """One-hot encode integer labels ``0 .. n_classes - 1`` as float64, shape ``(n, n_classes)``."""
    labels = np.asarray(labels)
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(
            f"labels must be a 1-D array of integers, got {labels.dtype} {labels.shape}"
        )
    if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
        raise ValueError(
            f"labels must lie in 0..{n_classes - 1}, found {labels.min()}..{labels.max()}"
        )
    return np.eye(n_classes)[labels]


def _check_params(params: Params) -> None:
    missing = [name for name in PARAM_NAMES if name not in params]
    if missing:
        raise KeyError(f"params lacks {missing}; create them with init_params()")
    W1, b1, W2, b2 = (params[name] for name in PARAM_NAMES)
    if W1.ndim != 2 or W2.ndim != 2 or b1.shape != (W1.shape[1],) or b2.shape != (W2.shape[1],):
        raise ValueError(
            "inconsistent parameter shapes: "
            + ", ".join(f"{name} {params[name].shape}" for name in PARAM_NAMES)
        )
    if W2.shape[0] != W1.shape[1]:
        raise ValueError(f"W1 has {W1.shape[1]} hidden units but W2 expects {W2.shape[0]}")


def _check_inputs(params: Params, X: ArrayLike) -> FloatArray:
    _check_params(params)
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != params["W1"].shape[0]:
        raise ValueError(f"X must have shape (n_samples, {params['W1'].shape[0]}), got {X.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError("X contains NaN or infinity; clean the data first")
    return X


def _check_targets(params: Params, X: FloatArray, Y: ArrayLike) -> FloatArray:
    Y = np.asarray(Y, dtype=np.float64)
    expected = (X.shape[0], params["W2"].shape[1])
    if Y.shape != expected:
        raise ValueError(
            f"Y must be one-hot with shape {expected}, got {Y.shape}; use one_hot(labels, k)"
        )
    return Y


def forward(params: Params, X: ArrayLike, activation: str = "relu") -> dict[str, FloatArray]:
    """Run the network on ``X`` (n, d); return the cache ``{a0, z1, a1, z2, a2}``.

    ``z`` are pre-activations, ``a`` activations; ``a2`` holds the class
    probabilities. :func:`backward` needs the whole cache.
    """
    X = _check_inputs(params, X)
    if activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}; choose one of {sorted(ACTIVATIONS)}")
    g, _ = ACTIVATIONS[activation]
    z1 = X @ params["W1"] + params["b1"]
    a1 = g(z1)
    z2 = a1 @ params["W2"] + params["b2"]
    return {"a0": X, "z1": z1, "a1": a1, "z2": z2, "a2": softmax(z2)}


def loss(params: Params, X: ArrayLike, Y: ArrayLike, activation: str = "relu") -> float:
    """Mean categorical cross-entropy of the network on ``(X, Y)``, from the logits.

    Uses ``log softmax(z) = z - logsumexp(z)``, so it is exact (no clipping) and
    its gradient is exactly what :func:`backward` computes.
    """
    cache = forward(params, X, activation)
    Y = _check_targets(params, cache["a0"], Y)
    return _cross_entropy_from_logits(cache["z2"], Y)


def _cross_entropy_from_logits(z2: FloatArray, Y: FloatArray) -> float:
    shifted = z2 - z2.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(-np.mean(np.sum(Y * log_probs, axis=1)))


def backward(
    params: Params, cache: dict[str, FloatArray], Y: ArrayLike, activation: str = "relu"
) -> Params:
    """Gradients of :func:`loss` w.r.t. every parameter, by backpropagation.

    ``cache`` is what :func:`forward` returned for the same ``params`` and inputs.
    """
    _check_params(params)
    Y = _check_targets(params, cache["a0"], Y)
    if activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}; choose one of {sorted(ACTIVATIONS)}")
    _, g_prime = ACTIVATIONS[activation]
    n = Y.shape[0]
    dz2 = (cache["a2"] - Y) / n  # softmax + cross-entropy, averaged over n samples
    dW2 = cache["a1"].T @ dz2
    db2 = dz2.sum(axis=0)
    da1 = dz2 @ params["W2"].T
    dz1 = da1 * g_prime(cache["z1"])
    dW1 = cache["a0"].T @ dz1
    db1 = dz1.sum(axis=0)
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


def train_step(
    params: Params, X: ArrayLike, Y: ArrayLike, optimizer: Optimizer, activation: str = "relu"
) -> float:
    """One gradient step on the batch ``(X, Y)``; updates ``params`` in place.

    Returns the batch loss *before* the update (what Keras reports per batch).
    """
    cache = forward(params, X, activation)
    Y = _check_targets(params, cache["a0"], Y)
    batch_loss = _cross_entropy_from_logits(cache["z2"], Y)
    grads = backward(params, cache, Y, activation)
    optimizer.apply_gradients(
        [params[name] for name in PARAM_NAMES], [grads[name] for name in PARAM_NAMES]
    )
    return batch_loss


def fit(
    params: Params,
    X: ArrayLike,
    Y: ArrayLike,
    optimizer: Optimizer,
    *,
    epochs: int,
    batch_size: int = 32,
    seed: int = 0,
    activation: str = "relu",
) -> list[float]:
    """Mini-batch training: each epoch shuffles the rows and steps through batches.

    Returns the mean batch loss of each epoch. ``params`` is updated in place.
    """
    X = _check_inputs(params, X)
    Y = _check_targets(params, X, Y)
    if epochs < 1 or batch_size < 1:
        raise ValueError(f"epochs and batch_size must be positive, got {epochs}, {batch_size}")
    rng = np.random.default_rng(seed)
    history = []
    for _ in range(epochs):
        order = rng.permutation(len(X))
        losses = [
            train_step(params, X[batch], Y[batch], optimizer, activation)
            for batch in np.array_split(order, np.ceil(len(X) / batch_size))
        ]
        history.append(float(np.mean(losses)))
    return history


def predict(params: Params, X: ArrayLike, activation: str = "relu") -> NDArray[np.int64]:
    """Predicted class (the most probable one) for each row of ``X``."""
    return np.argmax(forward(params, X, activation)["a2"], axis=1)


# --- gradient checking --------------------------------------------------------------------


def numerical_gradient(f: Callable[[], float], array: FloatArray, h: float = 1e-6) -> FloatArray:
    """Central finite differences ``(f(x + h e_i) - f(x - h e_i)) / (2h)`` for every entry.

    ``f`` takes no arguments and reads ``array``, which is perturbed in place
    and restored afterwards (also when ``f`` raises). The error is O(h**2).
    """
    if not isinstance(array, np.ndarray) or array.dtype != np.float64:
        raise TypeError("numerical_gradient needs a float64 NumPy array (float32 is too coarse)")
    grad = np.zeros_like(array)
    for index in np.ndindex(array.shape):
        original = array[index]
        try:
            array[index] = original + h
            f_plus = f()
            array[index] = original - h
            f_minus = f()
        finally:
            array[index] = original
        grad[index] = (f_plus - f_minus) / (2.0 * h)
    return grad


def relative_error(a: ArrayLike, b: ArrayLike) -> float:
    """``||a - b|| / max(||a|| + ||b||, tiny)``: 0 when equal, at most 1 (opposite arrays).

    Two unrelated arrays of equal norm are about orthogonal, so they give about
    ``sqrt(2) / 2``, 0.71 (chapter 7 computes it).
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"shapes differ: {a.shape} vs {b.shape}")
    scale = np.linalg.norm(a) + np.linalg.norm(b)
    return float(np.linalg.norm(a - b) / max(scale, np.finfo(float).tiny))


def copy_params(params: Params) -> Params:
    """A deep copy of a parameter dict (to train two models from the same start)."""
    return {name: np.array(value, dtype=np.float64) for name, value in params.items()}


def to_keras_weights(params: Params) -> list[FloatArray]:
    """The parameters in the order ``keras_model.set_weights`` expects (W1, b1, W2, b2)."""
    _check_params(params)
    return [params[name] for name in PARAM_NAMES]
