"""Plots and tables for judging a trained classifier.

Public API:

- :func:`plot_learning_curves` -- training and validation curves per epoch, for
  one run or several runs side by side.
- :func:`confusion_frame` -- the confusion matrix as a labelled DataFrame (counts
  or normalised).
- :func:`plot_confusion_matrix` -- that matrix drawn as an annotated heat map.
- :func:`classification_report_frame` -- scikit-learn's classification report
  (per-class precision, recall, F1; accuracy; macro and weighted averages) as a
  DataFrame.

They work for any labels (integers or strings). Bad input (empty, mismatched
lengths, labels outside the ones given) raises ``ValueError`` saying what is wrong.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

from helpers.plotting import COURSE_COLORS

NORMALIZE_OPTIONS = (None, "true", "pred", "all")
"""Allowed ``normalize`` values: counts, or fractions of each true row / predicted column / all."""


# ---------------------------------------------------------------- learning curves


def _base_metrics(frame: pd.DataFrame) -> list[str]:
    names: list[str] = []
    for column in frame.columns:
        base = column.removeprefix("val_")
        if base != "epoch" and base not in names:
            names.append(base)
    return names


def _as_history(history: object) -> pd.DataFrame | Mapping[str, pd.DataFrame]:
    """Accept a Keras ``History`` or its ``.history`` dict as one run, indexed by epoch."""
    history = getattr(history, "history", history)  # keras.callbacks.History
    if isinstance(history, Mapping) and history:
        values = list(history.values())
        if not any(isinstance(v, pd.DataFrame) for v in values):
            frame = pd.DataFrame(dict(history))
            frame.index = pd.RangeIndex(1, len(frame) + 1, name="epoch")
            return frame
    return history


def plot_learning_curves(
    history: pd.DataFrame | Mapping[str, pd.DataFrame] | Mapping[str, Sequence[float]],
    metrics: Sequence[str] | None = None,
    *,
    mark_epoch: int | None = None,
    mark_label: str = "marked epoch",
    title: str | None = None,
) -> Figure:
    """Plot training and validation curves, one panel per metric.

    Args:
        history: one run's history (a DataFrame with one row per epoch, as
            :func:`helpers.training.fit_and_record` returns; x values come from an
            ``epoch`` column if present, else from the index; a Keras ``History``
            or its ``.history`` dict also works, numbered from epoch 1), or a
            mapping ``run name -> DataFrame`` to compare runs.
        metrics: base metric names such as ``("loss", "accuracy")``; each panel
            shows ``name`` (training, dashed when comparing runs) and
            ``val_name`` (validation, solid). A name that starts with ``val_``
            shows the validation curve only. ``None`` means every metric found.
        mark_epoch: draw a dotted vertical line at this epoch (for example the
            epoch early stopping restored).
        mark_label: legend text for that line.
        title: figure title.

    Returns:
        The matplotlib Figure (one Axes per metric).
    """
    history = _as_history(history)
    runs = {"": history} if isinstance(history, pd.DataFrame) else dict(history)
    if not runs:
        raise ValueError("history is empty: pass a DataFrame or a non-empty mapping of runs")
    for name, frame in runs.items():
        if not isinstance(frame, pd.DataFrame):
            raise TypeError(
                f"run {name!r}: expected a DataFrame of per-epoch values, got "
                f"{type(frame).__name__}"
            )
        if frame.empty:
            raise ValueError(f"run {name!r} has no epochs to plot")
    first = next(iter(runs.values()))
    metrics = list(metrics) if metrics is not None else _base_metrics(first)
    if not metrics:
        raise ValueError("no metrics to plot; pass metrics=[...] naming history columns")
    for name, frame in runs.items():
        for metric in metrics:
            if metric not in frame.columns and f"val_{metric}" not in frame.columns:
                raise ValueError(
                    f"run {name!r} has neither {metric!r} nor 'val_{metric}'; "
                    f"its columns are {list(frame.columns)}"
                )

    several = not isinstance(history, pd.DataFrame)
    fig, axes = plt.subplots(1, len(metrics), figsize=(4.2 * len(metrics), 3.4), squeeze=False)
    for ax, metric in zip(axes[0], metrics, strict=True):
        for number, (name, frame) in enumerate(runs.items()):
            epochs = frame["epoch"] if "epoch" in frame.columns else frame.index
            if metric.startswith("val_"):
                curves = [(metric, "validation")]
            else:
                curves = [(metric, "training"), (f"val_{metric}", "validation")]
            for column, role in curves:
                if column not in frame.columns:
                    continue
                if several:
                    color = COURSE_COLORS[number % len(COURSE_COLORS)]
                    label = f"{name} ({role})"
                    style = "--" if role == "training" else "-"
                else:
                    color = COURSE_COLORS[0 if role == "training" else 1]
                    label, style = role, "-"
                ax.plot(epochs, frame[column], style, color=color, label=label, marker=".")
        if mark_epoch is not None:
            ax.axvline(mark_epoch, color="0.3", linestyle=":", label=mark_label)
        ax.set_xlabel("epoch")
        ax.set_ylabel(metric)
        ax.legend(fontsize="small")
    if title:
        fig.suptitle(title)
    return fig


# ---------------------------------------------------------------- confusion matrix


def _check_predictions(
    y_true: ArrayLike, y_pred: ArrayLike, labels: ArrayLike | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return ``(y_true, y_pred, labels)`` as 1-D arrays after checking them."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.ndim != 1 or y_pred.ndim != 1:
        raise ValueError(
            f"y_true and y_pred must be 1-D arrays of labels, got shapes {y_true.shape} and "
            f"{y_pred.shape} (for probabilities, take argmax over the class axis first)"
        )
    if len(y_true) == 0:
        raise ValueError("y_true is empty: there is nothing to evaluate")
    if len(y_true) != len(y_pred):
        raise ValueError(
            f"y_true has {len(y_true)} labels but y_pred has {len(y_pred)}; "
            "they must match example for example"
        )
    if labels is None:
        labels = np.unique(np.concatenate([y_true, y_pred]))
    else:
        labels = np.asarray(labels)
        if labels.ndim != 1 or len(labels) == 0:
            raise ValueError("labels must be a non-empty 1-D list of class labels")
        if len(np.unique(labels)) != len(labels):
            raise ValueError(f"labels contains duplicates: {labels.tolist()}")
        for which, values in (("y_true", y_true), ("y_pred", y_pred)):
            unknown = np.setdiff1d(np.unique(values), labels)
            if len(unknown):
                raise ValueError(
                    f"{which} contains labels not in labels={labels.tolist()}: "
                    f"{unknown.tolist()}; add them to labels or fix the predictions"
                )
    return y_true, y_pred, labels


def confusion_frame(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    labels: ArrayLike | None = None,
    *,
    normalize: str | None = None,
) -> pd.DataFrame:
    """Return the confusion matrix as a DataFrame: rows are true labels, columns predictions.

    Args:
        y_true, y_pred: one label per example.
        labels: the classes, in display order; ``None`` means the sorted labels
            that occur in either array. Values outside ``labels`` raise ``ValueError``.
        normalize: ``None`` for counts; ``"true"`` divides each row by its number
            of true examples (the diagonal is then per-class recall);
            ``"pred"`` divides each column by its number of predictions (the
            diagonal is per-class precision); ``"all"`` divides by the total.
            A row or column with no examples stays 0.
    """
    from sklearn.metrics import confusion_matrix  # deferred: sklearn is slow to import

    if normalize not in NORMALIZE_OPTIONS:
        raise ValueError(f"normalize must be one of {NORMALIZE_OPTIONS}, got {normalize!r}")
    y_true, y_pred, labels = _check_predictions(y_true, y_pred, labels)
    matrix = confusion_matrix(y_true, y_pred, labels=labels, normalize=normalize)
    index = pd.Index(labels, name="true")
    columns = pd.Index(labels, name="predicted")
    return pd.DataFrame(np.nan_to_num(matrix), index=index, columns=columns)


def plot_confusion_matrix(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    labels: ArrayLike | None = None,
    *,
    normalize: str | None = None,
    display_labels: Sequence[str] | None = None,
    title: str | None = None,
    ax: plt.Axes | None = None,
    cmap: str = "Blues",
) -> Figure:
    """Draw the confusion matrix as an annotated heat map and return its Figure.

    Rows are true labels, columns predicted labels; every cell is annotated with
    its count (or, with ``normalize``, its fraction to two decimals). See
    :func:`confusion_frame` for ``labels`` and ``normalize``.

    Args:
        display_labels: names to show instead of the label values (same order and
            length as the labels).
        title: the Axes title.
        ax: draw into this Axes instead of a new figure.
        cmap: matplotlib colour map name.
    """
    frame = confusion_frame(y_true, y_pred, labels, normalize=normalize)
    names = [str(label) for label in frame.index]
    if display_labels is not None:
        if len(display_labels) != len(names):
            raise ValueError(
                f"display_labels has {len(display_labels)} names for {len(names)} labels"
            )
        names = [str(name) for name in display_labels]
    if ax is None:
        size = max(3.2, 0.45 * len(names) + 1.6)
        fig, ax = plt.subplots(figsize=(size + 0.8, size))
    else:
        fig = ax.figure
    values = frame.to_numpy(dtype=float)
    image = ax.imshow(values, cmap=cmap, vmin=0, vmax=1.0 if normalize else None)
    ax.grid(False)
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    threshold = (values.max() + values.min()) / 2
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            text = f"{values[i, j]:.2f}" if normalize else f"{int(values[i, j])}"
            color = "white" if values[i, j] > threshold else "black"
            ax.text(j, i, text, ha="center", va="center", color=color, fontsize="small")
    ax.set_xticks(range(len(names)), names)
    ax.set_yticks(range(len(names)), names)
    ax.set_xlabel("predicted label")
    ax.set_ylabel("true label")
    if title:
        ax.set_title(title)
    return fig


# ---------------------------------------------------------------- per-class report


def classification_report_frame(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    labels: ArrayLike | None = None,
    *,
    target_names: Sequence[str] | None = None,
    zero_division: float = 0.0,
) -> pd.DataFrame:
    """Return scikit-learn's classification report as a DataFrame.

    Rows: one per class (named by ``target_names`` or the label values), then
    ``accuracy``, ``macro avg`` (unweighted mean over classes) and ``weighted avg``
    (mean weighted by support). Columns: ``precision``, ``recall``, ``f1-score``,
    ``support``. As in scikit-learn's text report, the ``accuracy`` row has the
    accuracy in ``f1-score``, the total in ``support`` and NaN for precision and recall.

    Args:
        labels: the classes, in order; values outside them raise ``ValueError``.
        target_names: display names, one per label.
        zero_division: the value reported for precision (or recall) of a class that
            is never predicted (or never occurs), where the ratio is 0/0.
    """
    from sklearn.metrics import classification_report  # deferred: sklearn is slow to import

    y_true, y_pred, labels = _check_predictions(y_true, y_pred, labels)
    if target_names is not None and len(target_names) != len(labels):
        raise ValueError(f"target_names has {len(target_names)} names for {len(labels)} labels")
    names = [str(n) for n in (target_names if target_names is not None else labels)]
    if len(set(names)) != len(names):
        raise ValueError(f"class names must be distinct, got {names}")
    report = classification_report(
        y_true,
        y_pred,
        labels=labels,
        target_names=names,
        output_dict=True,
        zero_division=zero_division,
    )
    accuracy = report.pop("accuracy")
    frame = pd.DataFrame(report).T[["precision", "recall", "f1-score", "support"]]
    frame.loc["accuracy"] = [np.nan, np.nan, accuracy, len(y_true)]
    frame = frame.loc[[*names, "accuracy", "macro avg", "weighted avg"]]
    frame["support"] = frame["support"].astype("int64")
    return frame
