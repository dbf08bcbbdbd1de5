"""Tests for helpers.training: the dense classifier builder and fit_and_record."""

from __future__ import annotations

import keras
import numpy as np
import pandas as pd
import pytest

from helpers.repro import set_seed
from helpers.training import build_dense_classifier, fit_and_record


def _blobs(n: int = 120, dim: int = 6, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Three well-separated Gaussian blobs: an easy problem a small net must learn."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 3
    centres = 3.0 * np.eye(3, dim)
    x = centres[y] + rng.normal(scale=0.5, size=(n, dim))
    return x.astype("float32"), y.astype("int64")


def test_default_is_the_784_128_10_network() -> None:
    model = build_dense_classifier()
    assert model.count_params() == (784 * 128 + 128) + (128 * 10 + 10) == 101_770
    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    assert [layer.units for layer in dense] == [128, 10]
    assert dense[0].activation is keras.activations.relu
    assert dense[1].activation is keras.activations.softmax
    assert model.input_shape == (None, 784)
    assert model.compiled


def test_options_change_the_layers() -> None:
    model = build_dense_classifier(
        20, [16, 8], 3, activation="tanh", kernel_initializer="he_normal", dropout=0.3, l2=1e-3
    )
    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    drops = [layer for layer in model.layers if isinstance(layer, keras.layers.Dropout)]
    assert [layer.units for layer in dense] == [16, 8, 3]
    assert [layer.rate for layer in drops] == [0.3, 0.3]
    assert all(isinstance(layer.kernel_initializer, keras.initializers.HeNormal) for layer in dense)
    assert all(float(layer.kernel_regularizer.l2) == pytest.approx(1e-3) for layer in dense)
    assert dense[0].activation is keras.activations.tanh
    # the L2 penalty is part of the model's losses
    assert len(model.losses) == 3


def test_unseeded_initializer_instance_gives_each_layer_its_own_draws() -> None:
    set_seed(0)
    model = build_dense_classifier(
        8, [8, 8], 8, kernel_initializer=keras.initializers.RandomNormal(stddev=1.0)
    )
    kernels = [layer.kernel.numpy() for layer in model.layers if hasattr(layer, "kernel")]
    assert not np.allclose(kernels[1], kernels[2])
    assert 0.5 < np.std(np.concatenate([k.ravel() for k in kernels])) < 1.5


def test_optimizer_is_used() -> None:
    optimizer = keras.optimizers.SGD(learning_rate=0.05, momentum=0.9)
    model = build_dense_classifier(4, 4, 2, optimizer=optimizer)
    assert model.optimizer is optimizer


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"hidden_units": 0}, "hidden_units"),
        ({"hidden_units": []}, "hidden_units"),
        ({"n_classes": 1}, "n_classes"),
        ({"input_dim": -3}, "input_dim"),
        ({"dropout": 1.0}, "dropout"),
        ({"l2": -0.1}, "l2"),
        ({"activation": "not_an_activation"}, "activation"),
        ({"kernel_initializer": "not_an_initializer"}, "kernel_initializer"),
    ],
)
def test_bad_options_raise_clear_errors(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build_dense_classifier(**kwargs)


def test_optimizer_must_be_an_instance() -> None:
    with pytest.raises(TypeError, match="Optimizer instance"):
        build_dense_classifier(optimizer="adam")


def test_fit_and_record_learns_and_records_every_epoch() -> None:
    set_seed(0)
    x, y = _blobs()
    model = build_dense_classifier(6, 16, 3, optimizer=keras.optimizers.Adam(learning_rate=0.01))
    history = fit_and_record(
        model, x[:90], y[:90], validation_data=(x[90:], y[90:]), epochs=15, batch_size=16
    )
    assert isinstance(history, pd.DataFrame)
    assert list(history.index) == list(range(1, 16))
    assert history.index.name == "epoch"
    assert {"loss", "accuracy", "val_loss", "val_accuracy"} <= set(history.columns)
    assert history["loss"].iloc[-1] < history["loss"].iloc[0]
    assert history["val_accuracy"].iloc[-1] > 0.9
    # the recorded validation numbers are the model's own on those rows
    val_loss, val_accuracy = model.evaluate(x[90:], y[90:], verbose=0)
    assert history["val_loss"].iloc[-1] == pytest.approx(val_loss, rel=1e-5)
    assert history["val_accuracy"].iloc[-1] == pytest.approx(val_accuracy)


def test_fit_and_record_is_reproducible_with_a_seed() -> None:
    x, y = _blobs()
    runs = []
    for _ in range(2):
        set_seed(3)
        model = build_dense_classifier(6, 8, 3)
        runs.append(fit_and_record(model, x, y, epochs=3, batch_size=32))
    pd.testing.assert_frame_equal(runs[0], runs[1])
    assert "val_loss" not in runs[0].columns


def test_fit_and_record_stops_early_with_a_callback() -> None:
    set_seed(0)
    x, y = _blobs()
    model = build_dense_classifier(6, 8, 3)
    # monitoring a quantity that never improves (min_delta huge) stops after patience + 1
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=2, min_delta=1e9)
    history = fit_and_record(
        model, x, y, validation_data=(x, y), epochs=50, batch_size=32, callbacks=[stop]
    )
    assert len(history) == 3


def test_fit_and_record_rejects_bad_input() -> None:
    x, y = _blobs()
    model = build_dense_classifier(6, 4, 3)
    with pytest.raises(ValueError, match="120 input rows but 119 labels"):
        fit_and_record(model, x, y[:-1], epochs=1)
    with pytest.raises(ValueError, match="validation data: 10 input rows but 9"):
        fit_and_record(model, x, y, validation_data=(x[:10], y[:9]), epochs=1)
    with pytest.raises(ValueError, match="non-empty"):
        fit_and_record(model, x[:0], y[:0], epochs=1)
    with pytest.raises(ValueError, match="epochs"):
        fit_and_record(model, x, y, epochs=0)
    with pytest.raises(ValueError, match="batch_size"):
        fit_and_record(model, x, y, epochs=1, batch_size=0)
    with pytest.raises(ValueError, match="pair"):
        fit_and_record(model, x, y, validation_data=(x, y, y), epochs=1)


def test_fit_and_record_needs_a_compiled_model() -> None:
    inputs = keras.Input(shape=(6,))
    model = keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(inputs))
    x, y = _blobs()
    with pytest.raises(ValueError, match="not compiled"):
        fit_and_record(model, x, y, epochs=1)
