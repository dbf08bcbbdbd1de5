"""Loss functions and their gradients, written out in NumPy.

Chapter 7 derives each formula; ``tests/test_losses.py`` checks every loss
against the matching ``keras.losses`` function and every gradient against
central finite differences.

Conventions (the same as Keras' default ``reduction="sum_over_batch_size"``):

- The first axis indexes samples. ``y_true`` and ``y_pred`` have the same
  shape: ``(n,)`` (one output per sample) or ``(n, d)`` (``d`` outputs per
  sample).
- Every loss is a **mean over samples**. For :func:`mse`,
  :func:`binary_crossentropy` and :func:`hinge` the ``d`` outputs of a sample
  are averaged too, so the loss is the mean over all ``n * d`` entries. For
  :func:`categorical_crossentropy` the ``d`` classes of a sample are *summed*
  (a sample's cross-entropy is ``-sum_k y_k log p_k``) and the samples averaged.
- Each ``*_gradient`` function returns ``dL/dy_pred``, an array shaped like
  ``y_pred``, of the loss exactly as computed here (clipping included).

Probabilities are clipped to ``[EPSILON, 1 - EPSILON]`` before taking logs, as
Keras does, so a confident wrong prediction costs ``-log(1e-7) ~ 16.1`` instead
of infinity.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]

EPSILON = 1e-7
"""Clipping constant for probabilities; equal to ``keras.config.epsilon()``."""

_SUM_TOLERANCE = 1e-4
"""How far a row of class probabilities may be from summing to 1."""


def _as_pair(
    y_true: ArrayLike, y_pred: ArrayLike, loss: str, *, ndim: int | None = None
) -> tuple[FloatArray, FloatArray]:
    """Convert both arguments to float64 arrays and check shapes and values."""
    arrays = []
    for name, value in (("y_true", y_true), ("y_pred", y_pred)):
        try:
            array = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError) as error:
            raise TypeError(
                f"{loss}: {name} must be numeric, got {type(value).__name__}"
            ) from error
        arrays.append(array)
    true, pred = arrays
    if true.shape != pred.shape:
        raise ValueError(
            f"{loss}: y_true has shape {true.shape} but y_pred has shape {pred.shape}; "
            "they must match (one row per sample; one-hot encode integer class labels)"
        )
    if true.ndim == 0 or true.size == 0:
        raise ValueError(
            f"{loss}: expected at least one sample (an array of shape (n,) or (n, d)), "
            f"got shape {true.shape}"
        )
    if ndim is not None and true.ndim != ndim:
        raise ValueError(
            f"{loss}: expected arrays of shape (n_samples, n_classes), got shape {true.shape}; "
            "for a single sample pass y[None, :]"
        )
    for name, array in (("y_true", true), ("y_pred", pred)):
        bad = ~np.isfinite(array)
        if bad.any():
            raise ValueError(
                f"{loss}: {name} contains {int(bad.sum())} NaN or infinite value(s); "
                "remove or impute them before computing the loss"
            )
    return true, pred


def _check_probabilities(array: FloatArray, name: str, loss: str) -> None:
    if array.min() < 0.0 or array.max() > 1.0:
        hint = " (are these logits? apply sigmoid or softmax first)" if name == "y_pred" else ""
        raise ValueError(
            f"{loss}: {name} must hold probabilities in [0, 1], "
            f"found values from {array.min():.4g} to {array.max():.4g}{hint}"
        )


def _check_rows_sum_to_one(array: FloatArray, name: str, loss: str) -> None:
    sums = array.sum(axis=-1)
    worst = np.abs(sums - 1.0).max()
    if worst > _SUM_TOLERANCE:
        raise ValueError(
            f"{loss}: each row of {name} must sum to 1 (a probability distribution over "
            f"classes); the worst row sums to {sums[np.argmax(np.abs(sums - 1.0))]:.6g}"
            + (". Apply softmax to logits first" if name == "y_pred" else "")
        )


# --- mean squared error -------------------------------------------------------------------


def mse(y_true: ArrayLike, y_pred: ArrayLike) -> float:
    """Mean squared error ``(1/n) sum_i (1/d) sum_j (y_ij - yhat_ij)**2``.

    For regression with real-valued targets. Matches ``keras.losses.MeanSquaredError()``.
    """
    true, pred = _as_pair(y_true, y_pred, "mse")
    return float(np.mean((true - pred) ** 2))


def mse_gradient(y_true: ArrayLike, y_pred: ArrayLike) -> FloatArray:
    """Gradient of :func:`mse` w.r.t. ``y_pred``: ``2 (yhat - y) / (n d)``."""
    true, pred = _as_pair(y_true, y_pred, "mse_gradient")
    return 2.0 * (pred - true) / pred.size


# --- binary cross-entropy -----------------------------------------------------------------


def _binary_pair(y_true: ArrayLike, y_pred: ArrayLike, loss: str) -> tuple[FloatArray, FloatArray]:
    true, pred = _as_pair(y_true, y_pred, loss)
    _check_probabilities(true, "y_true", loss)
    _check_probabilities(pred, "y_pred", loss)
    return true, pred


def binary_crossentropy(y_true: ArrayLike, y_pred: ArrayLike) -> float:
    """Binary cross-entropy, both terms, averaged over all entries.

    ``-(1/(n d)) sum [ y log p + (1 - y) log(1 - p) ]`` with ``p`` the predicted
    probability of class 1 (a sigmoid output), clipped to ``[EPSILON, 1 - EPSILON]``.
    Labels ``y`` are 0/1 (or soft labels in ``[0, 1]``). Matches
    ``keras.losses.BinaryCrossentropy()``.
    """
    true, pred = _binary_pair(y_true, y_pred, "binary_crossentropy")
    p = np.clip(pred, EPSILON, 1.0 - EPSILON)
    return float(-np.mean(true * np.log(p) + (1.0 - true) * np.log(1.0 - p)))


def binary_crossentropy_gradient(y_true: ArrayLike, y_pred: ArrayLike) -> FloatArray:
    """Gradient of :func:`binary_crossentropy` w.r.t. ``y_pred``.

    ``(1/(n d)) [ -y/p + (1 - y)/(1 - p) ] = (p - y) / (p (1 - p) n d)``; zero
    where ``p`` lies outside ``[EPSILON, 1 - EPSILON]`` (the clip is flat there).
    """
    true, pred = _binary_pair(y_true, y_pred, "binary_crossentropy_gradient")
    p = np.clip(pred, EPSILON, 1.0 - EPSILON)
    inside = (pred >= EPSILON) & (pred <= 1.0 - EPSILON)
    return np.where(inside, (p - true) / (p * (1.0 - p)), 0.0) / pred.size


# --- categorical cross-entropy ------------------------------------------------------------


def _categorical_pair(
    y_true: ArrayLike, y_pred: ArrayLike, loss: str
) -> tuple[FloatArray, FloatArray]:
    true, pred = _as_pair(y_true, y_pred, loss, ndim=2)
    _check_probabilities(true, "y_true", loss)
    _check_probabilities(pred, "y_pred", loss)
    _check_rows_sum_to_one(true, "y_true", loss)
    _check_rows_sum_to_one(pred, "y_pred", loss)
    return true, pred


def categorical_crossentropy(y_true: ArrayLike, y_pred: ArrayLike) -> float:
    """Categorical cross-entropy ``-(1/n) sum_i sum_k y_ik log p_ik``.

    ``y_true`` is one-hot (or a distribution) of shape ``(n, k)``; ``y_pred``
    holds softmax probabilities whose rows sum to 1, clipped to
    ``[EPSILON, 1 - EPSILON]``. Matches ``keras.losses.CategoricalCrossentropy()``
    (which silently renormalises rows; here a row that does not sum to 1 is an
    error).
    """
    true, pred = _categorical_pair(y_true, y_pred, "categorical_crossentropy")
    p = np.clip(pred, EPSILON, 1.0 - EPSILON)
    return float(-np.mean(np.sum(true * np.log(p), axis=1)))


def categorical_crossentropy_gradient(y_true: ArrayLike, y_pred: ArrayLike) -> FloatArray:
    """Gradient of :func:`categorical_crossentropy` w.r.t. ``y_pred``: ``-y / (p n)``.

    Zero where ``p`` lies outside ``[EPSILON, 1 - EPSILON]``. Through a softmax
    this becomes ``(p - y) / n`` w.r.t. the logits (chapter 7 derives it).
    """
    true, pred = _categorical_pair(y_true, y_pred, "categorical_crossentropy_gradient")
    p = np.clip(pred, EPSILON, 1.0 - EPSILON)
    inside = (pred >= EPSILON) & (pred <= 1.0 - EPSILON)
    return np.where(inside, -true / p, 0.0) / pred.shape[0]


# --- hinge --------------------------------------------------------------------------------


def _hinge_pair(y_true: ArrayLike, y_pred: ArrayLike, loss: str) -> tuple[FloatArray, FloatArray]:
    true, pred = _as_pair(y_true, y_pred, loss)
    values = set(np.unique(true).tolist())
    if values <= {0.0, 1.0}:
        true = 2.0 * true - 1.0  # Keras converts 0/1 labels to -1/+1
    elif not values <= {-1.0, 1.0}:
        raise ValueError(
            f"{loss}: y_true must hold labels in {{-1, 1}} (or {{0, 1}}, converted to -1/1), "
            f"found {sorted(values)[:6]}"
        )
    return true, pred


def hinge(y_true: ArrayLike, y_pred: ArrayLike) -> float:
    """Hinge loss ``(1/(n d)) sum max(0, 1 - y * s)`` for labels ``y`` in {-1, +1}.

    ``y_pred`` holds raw scores ``s`` (no sigmoid), any real number. Labels given
    as 0/1 are converted to -1/+1 first, as Keras does. Matches ``keras.losses.Hinge()``.
    """
    true, pred = _hinge_pair(y_true, y_pred, "hinge")
    return float(np.mean(np.maximum(0.0, 1.0 - true * pred)))


def hinge_gradient(y_true: ArrayLike, y_pred: ArrayLike) -> FloatArray:
    """(Sub)gradient of :func:`hinge` w.r.t. ``y_pred``.

    ``-y / (n d)`` where the margin ``y s`` is below 1, else 0.
    """
    true, pred = _hinge_pair(y_true, y_pred, "hinge_gradient")
    return np.where(true * pred < 1.0, -true, 0.0) / pred.size


LOSSES = {
    "mse": (mse, mse_gradient),
    "binary_crossentropy": (binary_crossentropy, binary_crossentropy_gradient),
    "categorical_crossentropy": (categorical_crossentropy, categorical_crossentropy_gradient),
    "hinge": (hinge, hinge_gradient),
}
"""Name -> (loss, gradient), the names matching ``keras.losses`` functions."""
