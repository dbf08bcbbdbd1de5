"""Tests for helpers.evaluation: learning curves, confusion matrices, per-class reports."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from sklearn.metrics import accuracy_score, precision_recall_fscore_support

from helpers.evaluation import (
    classification_report_frame,
    confusion_frame,
    plot_confusion_matrix,
    plot_learning_curves,
)

Y_TRUE = np.array([0, 0, 0, 1, 1, 2, 2, 2, 2, 1])
Y_PRED = np.array([0, 1, 0, 1, 1, 2, 0, 2, 2, 2])


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _history(epochs: int = 5, offset: float = 0.0) -> pd.DataFrame:
    e = np.arange(1, epochs + 1)
    return pd.DataFrame(
        {
            "loss": 1 / e + offset,
            "accuracy": 1 - 1 / (e + 1),
            "val_loss": 1.2 / e + offset,
            "val_accuracy": 1 - 1.2 / (e + 1),
        },
        index=pd.RangeIndex(1, epochs + 1, name="epoch"),
    )


# ---------------------------------------------------------------- confusion matrix


def test_confusion_frame_counts_by_hand() -> None:
    frame = confusion_frame(Y_TRUE, Y_PRED)
    expected = [[2, 1, 0], [0, 2, 1], [1, 0, 3]]
    np.testing.assert_array_equal(frame.to_numpy(), expected)
    assert frame.index.name == "true" and frame.columns.name == "predicted"
    assert frame.to_numpy().sum() == len(Y_TRUE)


def test_confusion_frame_normalised_rows_give_recall() -> None:
    frame = confusion_frame(Y_TRUE, Y_PRED, normalize="true")
    np.testing.assert_allclose(frame.sum(axis=1), 1.0)
    _, recall, _, _ = precision_recall_fscore_support(Y_TRUE, Y_PRED)
    np.testing.assert_allclose(np.diag(frame), recall)
    columns = confusion_frame(Y_TRUE, Y_PRED, normalize="pred")
    precision, _, _, _ = precision_recall_fscore_support(Y_TRUE, Y_PRED)
    np.testing.assert_allclose(np.diag(columns), precision)
    np.testing.assert_allclose(confusion_frame(Y_TRUE, Y_PRED, normalize="all").sum().sum(), 1)


def test_labels_set_order_and_may_include_absent_classes() -> None:
    frame = confusion_frame(["b", "a", "b"], ["b", "b", "b"], labels=["c", "b", "a"])
    assert list(frame.index) == ["c", "b", "a"]
    np.testing.assert_array_equal(frame.to_numpy(), [[0, 0, 0], [0, 2, 0], [0, 1, 0]])
    # an empty true row stays 0 when normalised, instead of NaN
    normalised = confusion_frame(
        ["b", "a", "b"], ["b", "b", "b"], ["c", "b", "a"], normalize="true"
    )
    assert not normalised.isna().any().any()
    assert normalised.loc["c"].sum() == 0


@pytest.mark.parametrize(
    ("y_true", "y_pred", "labels", "message"),
    [
        ([0, 1, 2], [0, 1], None, "3 labels but y_pred has 2"),
        ([], [], None, "empty"),
        ([0, 1, 3], [0, 1, 1], [0, 1, 2], r"y_true contains labels not in .*\[3\]"),
        ([0, 1, 2], [0, 1, 7], [0, 1, 2], r"y_pred contains labels not in .*\[7\]"),
        ([[0, 1]], [[0, 1]], None, "1-D"),
        ([0, 1], [0, 1], [0, 0, 1], "duplicates"),
    ],
)
def test_bad_input_raises_clear_errors(y_true, y_pred, labels, message) -> None:
    with pytest.raises(ValueError, match=message):
        confusion_frame(y_true, y_pred, labels)
    with pytest.raises(ValueError, match=message):
        plot_confusion_matrix(y_true, y_pred, labels)
    with pytest.raises(ValueError, match=message):
        classification_report_frame(y_true, y_pred, labels)


def test_unknown_normalize_is_rejected() -> None:
    with pytest.raises(ValueError, match="normalize"):
        confusion_frame(Y_TRUE, Y_PRED, normalize="rows")


def test_plot_confusion_matrix_annotates_every_cell() -> None:
    fig = plot_confusion_matrix(Y_TRUE, Y_PRED, display_labels=["zero", "one", "two"])
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    texts = [t.get_text() for t in ax.texts]
    assert texts == ["2", "1", "0", "0", "2", "1", "1", "0", "3"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["zero", "one", "two"]
    np.testing.assert_array_equal(ax.images[0].get_array(), confusion_frame(Y_TRUE, Y_PRED))


def test_plot_confusion_matrix_normalised_and_into_given_axes() -> None:
    fig, axes = plt.subplots(1, 2)
    returned = plot_confusion_matrix(Y_TRUE, Y_PRED, normalize="true", ax=axes[1], title="t")
    assert returned is fig
    texts = [t.get_text() for t in axes[1].texts]
    assert texts[:3] == ["0.67", "0.33", "0.00"]
    assert axes[1].get_title() == "t"
    assert not axes[0].texts


def test_display_labels_must_match() -> None:
    with pytest.raises(ValueError, match="display_labels has 2 names for 3 labels"):
        plot_confusion_matrix(Y_TRUE, Y_PRED, display_labels=["a", "b"])


# ---------------------------------------------------------------- report


def test_report_frame_matches_sklearn() -> None:
    frame = classification_report_frame(Y_TRUE, Y_PRED, target_names=["zero", "one", "two"])
    assert list(frame.index) == ["zero", "one", "two", "accuracy", "macro avg", "weighted avg"]
    assert list(frame.columns) == ["precision", "recall", "f1-score", "support"]
    p, r, f, s = precision_recall_fscore_support(Y_TRUE, Y_PRED)
    np.testing.assert_allclose(frame.iloc[:3][["precision", "recall", "f1-score"]], np.c_[p, r, f])
    np.testing.assert_array_equal(frame["support"].iloc[:3], s)
    assert frame.loc["accuracy", "f1-score"] == pytest.approx(accuracy_score(Y_TRUE, Y_PRED))
    assert frame.loc["accuracy", "support"] == len(Y_TRUE)
    assert np.isnan(frame.loc["accuracy", "precision"])
    assert frame.loc["macro avg", "f1-score"] == pytest.approx(f.mean())
    assert frame.loc["weighted avg", "recall"] == pytest.approx(np.average(r, weights=s))


def test_report_frame_string_labels_and_never_predicted_class() -> None:
    y_true = ["neg", "neu", "pos", "pos", "neg"]
    y_pred = ["neg", "pos", "pos", "pos", "neg"]
    frame = classification_report_frame(y_true, y_pred, labels=["neg", "neu", "pos"])
    assert frame.loc["neu", "precision"] == 0.0  # never predicted: 0/0 reported as zero_division
    assert frame.loc["neu", "recall"] == 0.0
    assert frame.loc["pos", "precision"] == pytest.approx(2 / 3)


def test_report_frame_target_names_checked() -> None:
    with pytest.raises(ValueError, match="target_names has 2 names for 3 labels"):
        classification_report_frame(Y_TRUE, Y_PRED, target_names=["a", "b"])
    with pytest.raises(ValueError, match="distinct"):
        classification_report_frame(Y_TRUE, Y_PRED, target_names=["a", "a", "b"])


# ---------------------------------------------------------------- learning curves


def test_learning_curves_one_run() -> None:
    history = _history()
    fig = plot_learning_curves(history)
    assert [ax.get_ylabel() for ax in fig.axes] == ["loss", "accuracy"]
    loss_ax = fig.axes[0]
    assert [line.get_label() for line in loss_ax.lines] == ["training", "validation"]
    np.testing.assert_array_equal(loss_ax.lines[0].get_xdata(), [1, 2, 3, 4, 5])
    np.testing.assert_allclose(loss_ax.lines[1].get_ydata(), history["val_loss"])


def test_learning_curves_several_runs_and_mark() -> None:
    runs = {"a": _history(), "b": _history(7, offset=0.1)}
    fig = plot_learning_curves(runs, metrics=["val_loss"], mark_epoch=3, mark_label="best")
    assert len(fig.axes) == 1
    labels = [line.get_label() for line in fig.axes[0].lines]
    assert labels == ["a (validation)", "b (validation)", "best"]
    assert fig.axes[0].lines[-1].get_xdata()[0] == 3
    runs_fig = plot_learning_curves(runs, metrics=["accuracy"])
    labels = [line.get_label() for line in runs_fig.axes[0].lines]
    assert labels == ["a (training)", "a (validation)", "b (training)", "b (validation)"]
    styles = [line.get_linestyle() for line in runs_fig.axes[0].lines]
    assert styles == ["--", "-", "--", "-"]
    assert len(runs_fig.axes[0].lines[2].get_xdata()) == 7


def test_learning_curves_epoch_column_is_used_for_x() -> None:
    history = _history().reset_index()
    history["epoch"] = history["epoch"] * 10
    fig = plot_learning_curves(history, metrics=["loss"])
    np.testing.assert_array_equal(fig.axes[0].lines[0].get_xdata(), [10, 20, 30, 40, 50])


def test_learning_curves_accept_a_keras_history_dict() -> None:
    logs = {"loss": [0.9, 0.5, 0.4], "val_loss": [1.0, 0.7, 0.8]}

    class FakeHistory:  # what model.fit returns: an object with a .history dict
        history = logs

    for given in (logs, FakeHistory()):
        fig = plot_learning_curves(given)
        (ax,) = fig.axes
        assert [line.get_label() for line in ax.lines] == ["training", "validation"]
        np.testing.assert_array_equal(ax.lines[1].get_xdata(), [1, 2, 3])
        np.testing.assert_allclose(ax.lines[1].get_ydata(), logs["val_loss"])


def test_learning_curves_bad_input() -> None:
    with pytest.raises(ValueError, match="neither 'f1' nor 'val_f1'"):
        plot_learning_curves(_history(), metrics=["f1"])
    with pytest.raises(ValueError, match="no epochs"):
        plot_learning_curves(_history().iloc[:0])
    with pytest.raises(ValueError, match="empty"):
        plot_learning_curves({})
    with pytest.raises(TypeError, match="run 'b': expected a DataFrame"):
        plot_learning_curves({"a": _history(), "b": [1, 2, 3]})
