"""Build the course's dense classifier and train it while keeping a record.

Public API:

- :func:`build_dense_classifier` -- a compiled ``input -> Dense ... -> softmax``
  network (784 -> 128 -> 10 by default) with options for width, depth,
  activation, weight initializer, dropout and L2.
- :func:`fit_and_record` -- ``model.fit`` with checked inputs that returns the
  history as a DataFrame indexed by epoch (1, 2, ...).

Importing this module imports Keras (a few seconds); ``import helpers`` does not.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from numbers import Integral, Real

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402 -- after quieting TensorFlow's C++ logs
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import tensorflow as tf  # noqa: E402
from numpy.typing import ArrayLike  # noqa: E402

VALIDATION_BATCH_SIZE = 1024
"""Rows per batch when :func:`fit_and_record` evaluates the validation set."""


def _fresh_initializer(
    spec: str | keras.initializers.Initializer,
) -> keras.initializers.Initializer:
    """Return a new initializer for one layer, so no two layers share random draws."""
    if isinstance(spec, str):
        try:
            return keras.initializers.get(spec)
        except ValueError as error:
            raise ValueError(
                f"unknown kernel_initializer {spec!r}; use a Keras name such as "
                "'glorot_uniform' or 'he_normal', or an initializer instance"
            ) from error
    if isinstance(spec, keras.initializers.Initializer):
        # from_config draws a new default seed when the original was unseeded.
        return spec.__class__.from_config(spec.get_config())
    raise TypeError(
        f"kernel_initializer must be a name or a keras.initializers.Initializer, "
        f"got {type(spec).__name__}"
    )


def build_dense_classifier(
    input_dim: int = 784,
    hidden_units: int | Sequence[int] = 128,
    n_classes: int = 10,
    *,
    activation: str = "relu",
    kernel_initializer: str | keras.initializers.Initializer = "glorot_uniform",
    dropout: float = 0.0,
    l2: float = 0.0,
    optimizer: keras.optimizers.Optimizer | None = None,
    name: str = "dense_classifier",
) -> keras.Model:
    """Build and compile a fully connected classifier with an explicit ``keras.Input``.

    The network is ``Input(input_dim)``, then one ``Dense(units, activation)``
    per entry of ``hidden_units`` (each followed by ``Dropout(dropout)`` when
    ``dropout > 0``), then ``Dense(n_classes, softmax)``. With the defaults it is
    the classic 784 -> 128 (ReLU) -> 10 (softmax) network.

    Args:
        input_dim: number of input features (784 for 28x28 images).
        hidden_units: width of the hidden layer, or a sequence of widths, one per
            hidden layer.
        n_classes: number of classes (at least 2); labels must be ``0..n_classes-1``.
        activation: Keras name of the hidden layers' activation ("relu", "tanh", ...).
        kernel_initializer: Keras name or initializer instance for every kernel
            (hidden and output). An unseeded instance is copied per layer, so layers
            get different draws.
        dropout: dropout rate after each hidden layer, in ``[0, 1)``.
        l2: L2 penalty factor on every kernel (0 for none).
        optimizer: a Keras optimizer instance; ``None`` means
            ``keras.optimizers.Adam(learning_rate=1e-3)``.
        name: the model's name.

    Returns:
        A model compiled with sparse categorical cross-entropy and accuracy.
    """
    widths = [hidden_units] if isinstance(hidden_units, Integral) else list(hidden_units)
    for label, value in (("input_dim", input_dim), ("n_classes", n_classes)):
        if not isinstance(value, Integral) or value < 1:
            raise ValueError(f"{label} must be a positive integer, got {value!r}")
    if n_classes < 2:
        raise ValueError(f"n_classes must be at least 2 for a classifier, got {n_classes}")
    if not widths or not all(isinstance(w, Integral) and w >= 1 for w in widths):
        raise ValueError(
            f"hidden_units must be a positive integer or a non-empty sequence of them, "
            f"got {hidden_units!r}"
        )
    if not isinstance(dropout, Real) or not 0 <= dropout < 1:
        raise ValueError(f"dropout must be a rate in [0, 1), got {dropout!r}")
    if not isinstance(l2, Real) or l2 < 0:
        raise ValueError(f"l2 must be a non-negative penalty factor, got {l2!r}")
    try:
        keras.activations.get(activation)
    except (ValueError, TypeError) as error:
        raise ValueError(
            f"unknown activation {activation!r}; use a Keras name such as 'relu', 'tanh' "
            "or 'sigmoid'"
        ) from error
    if optimizer is None:
        optimizer = keras.optimizers.Adam(learning_rate=1e-3)
    elif not isinstance(optimizer, keras.optimizers.Optimizer):
        raise TypeError(
            f"optimizer must be a keras.optimizers.Optimizer instance (for example "
            f"keras.optimizers.SGD(learning_rate=0.1)), got {type(optimizer).__name__}"
        )

    def regularizer() -> keras.regularizers.Regularizer | None:
        return keras.regularizers.L2(l2) if l2 > 0 else None

    inputs = keras.Input(shape=(input_dim,), name="pixels")
    x = inputs
    for number, width in enumerate(widths, start=1):
        x = keras.layers.Dense(
            int(width),
            activation=activation,
            kernel_initializer=_fresh_initializer(kernel_initializer),
            kernel_regularizer=regularizer(),
            name=f"hidden_{number}",
        )(x)
        if dropout > 0:
            x = keras.layers.Dropout(dropout, name=f"dropout_{number}")(x)
    outputs = keras.layers.Dense(
        n_classes,
        activation="softmax",
        kernel_initializer=_fresh_initializer(kernel_initializer),
        kernel_regularizer=regularizer(),
        name="probabilities",
    )(x)
    model = keras.Model(inputs, outputs, name=name)
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def _check_rows(x: ArrayLike, y: ArrayLike, what: str) -> tuple[np.ndarray, np.ndarray]:
    x, y = np.asarray(x), np.asarray(y)
    if x.ndim == 0 or y.ndim == 0 or len(x) == 0:
        raise ValueError(f"{what}: inputs and labels must be non-empty arrays with one row each")
    if len(x) != len(y):
        raise ValueError(
            f"{what}: {len(x)} input rows but {len(y)} labels; they must match row for row"
        )
    return x, y


def fit_and_record(
    model: keras.Model,
    x_train: ArrayLike,
    y_train: ArrayLike,
    *,
    validation_data: tuple[ArrayLike, ArrayLike] | None = None,
    epochs: int,
    batch_size: int = 64,
    callbacks: Sequence[keras.callbacks.Callback] = (),
) -> pd.DataFrame:
    """Train a compiled model and return its history as a DataFrame.

    The validation rows are passed explicitly (never ``validation_split``, which
    would take the last rows of ``x_train`` unshuffled), so the caller decides
    which split is used for what. They are evaluated after every epoch from a
    cached ``tf.data`` pipeline, which is much faster than handing Keras NumPy
    arrays for that.

    Args:
        model: a compiled Keras model.
        x_train, y_train: training inputs and labels, one row each.
        validation_data: ``(x_val, y_val)`` evaluated after every epoch, or ``None``.
        epochs: the most epochs to train (a callback such as early stopping may stop sooner).
        batch_size: rows per gradient step.
        callbacks: Keras callbacks passed on to ``fit``.

    Returns:
        One row per epoch that ran, indexed by ``epoch`` (1-based), with the
        columns Keras logged (``loss``, ``accuracy``, ``val_loss``, ...).
    """
    if not getattr(model, "compiled", False):
        raise ValueError("model is not compiled; call model.compile(...) before fit_and_record")
    for label, value in (("epochs", epochs), ("batch_size", batch_size)):
        if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
            raise ValueError(f"{label} must be a positive integer, got {value!r}")
    x_train, y_train = _check_rows(x_train, y_train, "training data")
    if validation_data is not None:
        if not isinstance(validation_data, tuple | list) or len(validation_data) != 2:
            raise ValueError("validation_data must be a pair (x_val, y_val)")
        x_val, y_val = _check_rows(*validation_data, "validation data")
        # A cached tf.data pipeline: Keras rebuilds one from NumPy arrays every epoch,
        # which costs more than evaluating a small validation set.
        validation_data = tf.data.Dataset.from_tensor_slices((x_val, y_val))
        validation_data = validation_data.batch(VALIDATION_BATCH_SIZE).cache()
    history = model.fit(
        x_train,
        y_train,
        validation_data=validation_data,
        epochs=int(epochs),
        batch_size=int(batch_size),
        callbacks=list(callbacks),
        verbose=0,
    )
    frame = pd.DataFrame(history.history)
    frame.index = pd.RangeIndex(1, len(frame) + 1, name="epoch")
    return frame
