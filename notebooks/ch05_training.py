# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: tags,-all
#     notebook_metadata_filter: kernelspec,-jupytext.text_representation.jupytext_version
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Training and validation
#
# Chapter 4 built the 784 → 128 → 10 digit network and trained it for a few
# epochs. This chapter looks at training itself:
#
# - what `fit` does with **epochs** and **batch size**, counted step by step;
# - why a **validation set** that training never sees is the only honest mirror,
#   and how to read **learning curves**;
# - **underfitting and overfitting** made visible by changing the network's
#   capacity (hidden width) and the amount of training data;
# - **early stopping**: stop when validation stops improving and go back to the
#   best weights;
# - what to change when validation results are poor.
#
# **Where each split is used in this chapter**
#
# | split | used for |
# |---|---|
# | training | fitting every network (`fit`) |
# | validation | learning curves, comparing widths and data sizes, deciding when to stop |
# | test | not used here (chapter 6 evaluates on it once) |

# %% [markdown]
# ## Setup

# %% tags=["remove-cell"]
# In Google Colab, install the course (its `helpers` and what the chapters need)
# from its repository; anywhere else, do nothing.
import importlib.util
import subprocess
import sys

COURSE = ""  # from book/_config.yml's `repository: url`
try:
    import google.colab  # noqa: F401
except ImportError:
    pass
else:
    if importlib.util.find_spec("helpers") is None:
        if not COURSE:
            raise RuntimeError(
                "This copy of the course names no repository to install itself from "
                "(book/_config.yml, `repository: url`): `!pip install` the course yourself."
            )
        subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet", COURSE])
        importlib.invalidate_caches()

# %% tags=["remove-stderr"]
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Markdown
from sklearn.model_selection import train_test_split

from helpers.book import glue
from helpers.data import load_digits_784, stratified_split
from helpers.evaluation import plot_learning_curves
from helpers.plotting import use_course_style
from helpers.repro import DEFAULT_SEED, set_seed
from helpers.training import build_dense_classifier, fit_and_record

set_seed()
use_course_style()

# %% [markdown]
# The same digits and the same split as chapters 4 and 6, pixels scaled to
# $[0, 1]$.

# %%
pixels, labels = load_digits_784()
x_all = pixels / 255.0
split = stratified_split(labels)
x_train, y_train = x_all[split.train], labels[split.train]
x_val, y_val = x_all[split.validation], labels[split.validation]
# split.test is set aside: this chapter never reads it.
for name, size in split.sizes().items():
    glue(f"n_{name}", size, display=False)
split.sizes()

# %% [markdown]
# ## Epochs, batches and steps
#
# `fit` shuffles the training rows, cuts them into **batches** of `batch_size`
# rows, and takes one gradient step per batch. One pass over all batches is an
# **epoch**. With $n$ training rows and batch size $B$ an epoch has
# $\lceil n / B \rceil$ steps (the last batch may be smaller). A callback that
# counts batches confirms it.


# %% tags=["remove-stderr"]
class StepCounter(keras.callbacks.Callback):
    """Count the gradient steps (training batches) fit takes."""

    def on_train_begin(self, logs=None):
        self.steps = 0

    def on_train_batch_end(self, batch, logs=None):
        self.steps += 1


BATCH, COUNT_EPOCHS = 64, 2
counter = StepCounter()
set_seed()
fit_and_record(
    build_dense_classifier(),
    x_train,
    y_train,
    epochs=COUNT_EPOCHS,
    batch_size=BATCH,
    callbacks=[counter],
)
steps_per_epoch = int(np.ceil(len(x_train) / BATCH))
assert counter.steps == COUNT_EPOCHS * steps_per_epoch
glue("batch", BATCH, display=False)
glue("steps_per_epoch", steps_per_epoch, display=False)
glue("count_epochs", COUNT_EPOCHS, display=False)
glue("counted_steps", counter.steps, display=False)
f"{COUNT_EPOCHS} epochs x {steps_per_epoch} steps = {counter.steps} steps"

# %% [markdown]
# With {glue:text}`n_train:,` rows and batches of {glue:text}`batch`, an epoch
# is $\lceil$ {glue:text}`n_train` / {glue:text}`batch` $\rceil =$
# {glue:text}`steps_per_epoch` steps, and {glue:text}`count_epochs` epochs took
# {glue:text}`counted_steps` steps (asserted). Smaller batches mean more, noisier
# steps per epoch; larger batches fewer, smoother ones.
#
# ## A validation set, and learning curves
#
# The training loss says how well the network fits the rows it learns from.
# Whether it has learned anything *general* only shows on rows it never trains
# on. We pass the validation rows explicitly (`validation_data`). Keras also
# offers `validation_split=0.15`, but that simply takes the *last* 15 % of the
# arrays as given, before shuffling: unrepresentative if the rows are sorted
# (by label, by date), and not the validation rows the other chapters use. The
# explicit split is stratified and the same everywhere.
#
# Train the network for 20 epochs and record the loss and accuracy on both.

# %% tags=["remove-stderr"]
EPOCHS = 20
set_seed()
history = fit_and_record(
    build_dense_classifier(),
    x_train,
    y_train,
    validation_data=(x_val, y_val),
    epochs=EPOCHS,
    batch_size=BATCH,
)
best_epoch = int(history["val_loss"].idxmin())
last = history.iloc[-1]
glue("epochs", EPOCHS, display=False)
glue("headline_metrics", ["best_epoch", "val_acc_at_best"], display=False)
glue("best_epoch", best_epoch, display=False)
glue("best_val_loss", float(history["val_loss"].min()), display=False)
glue("last_val_loss", float(last["val_loss"]), display=False)
glue("last_train_loss", float(last["loss"]), display=False)
glue("last_train_acc", float(last["accuracy"]), display=False)
glue("last_val_acc", float(last["val_accuracy"]), display=False)
glue("acc_gap_pp", 100 * float(last["accuracy"] - last["val_accuracy"]), display=False)
glue("val_acc_at_best", float(history.loc[best_epoch, "val_accuracy"]), display=False)
assert best_epoch < EPOCHS and last["loss"] < history["loss"].iloc[best_epoch - 1]
assert abs(history.loc[best_epoch, "val_accuracy"] - last["val_accuracy"]) < 0.01  # "barely"
history.iloc[[0, 1, 4, 9, 14, 19]].round(3)

# %%
fig = plot_learning_curves(history, mark_epoch=best_epoch, mark_label="lowest validation loss")
glue("fig_curves", fig, display=False)
plt.close(fig)

# %% [markdown]
# ```{glue:figure} fig_curves
# :name: fig-ch05-curves
#
# Learning curves of the 784 → 128 → 10 network over 20 epochs. The dotted line
# marks the epoch with the lowest validation loss.
# ```
#
# How to read {numref}`fig-ch05-curves`:
#
# - The **training loss** keeps falling, to {glue:text}`last_train_loss:.3f`:
#   the network can always fit its own training rows a little better.
# - The **validation loss** falls until epoch {glue:text}`best_epoch`
#   ({glue:text}`best_val_loss:.3f`) and then drifts up slightly, to
#   {glue:text}`last_val_loss:.3f` at epoch {glue:text}`epochs`. From there on,
#   further training makes the network fit peculiarities of its training rows
#   that do not carry over: it **overfits**. Validation accuracy barely moves
#   meanwhile ({glue:text}`val_acc_at_best:.1%` at epoch {glue:text}`best_epoch`,
#   {glue:text}`last_val_acc:.1%` at the end): the loss also grows when the
#   network becomes more confident in the answers it gets wrong, before more
#   answers turn wrong, so it is the earlier warning.
# - After {glue:text}`epochs` epochs training accuracy is
#   {glue:text}`last_train_acc:.1%` and validation accuracy
#   {glue:text}`last_val_acc:.1%`, a gap of {glue:text}`acc_gap_pp:.1f` percentage
#   points.
#
# ## Capacity: underfitting and overfitting
#
# A network's **capacity** is how complicated a function it can represent; here
# we vary it through the hidden width. Same data, same {glue:text}`epochs`
# epochs, widths from 2 to 512 (the width-128 run is the one above).

# %% tags=["remove-stderr"]
WIDTHS = [2, 8, 32, 128, 512]
capacity_runs = {}
for width in WIDTHS:
    if width == 128:
        capacity_runs[width] = history  # same settings and seed as above
        continue
    set_seed()
    capacity_runs[width] = fit_and_record(
        build_dense_classifier(hidden_units=width),
        x_train,
        y_train,
        validation_data=(x_val, y_val),
        epochs=EPOCHS,
        batch_size=BATCH,
    )
capacity = pd.DataFrame(
    {
        "parameters": [build_dense_classifier(hidden_units=w).count_params() for w in WIDTHS],
        "training accuracy": [capacity_runs[w]["accuracy"].iloc[-1] for w in WIDTHS],
        "validation accuracy": [capacity_runs[w]["val_accuracy"].iloc[-1] for w in WIDTHS],
        "lowest validation loss": [capacity_runs[w]["val_loss"].min() for w in WIDTHS],
        "at epoch": [int(capacity_runs[w]["val_loss"].idxmin()) for w in WIDTHS],
    },
    index=pd.Index(WIDTHS, name="hidden width"),
)
capacity["gap"] = capacity["training accuracy"] - capacity["validation accuracy"]
for width in (2, 128, 512):
    row = capacity.loc[width]
    glue(f"train_acc_w{width}", float(row["training accuracy"]), display=False)
    glue(f"val_acc_w{width}", float(row["validation accuracy"]), display=False)
    glue(f"gap_w{width}_pp", 100 * float(row["gap"]), display=False)
    glue(f"best_epoch_w{width}", int(row["at epoch"]), display=False)
glue("params_w2", int(capacity.loc[2, "parameters"]), display=False)
glue("params_w512", int(capacity.loc[512, "parameters"]), display=False)
assert capacity.loc[2, "training accuracy"] < 0.7  # underfits: cannot even fit training rows
assert capacity.loc[512, "training accuracy"] > 0.99 > capacity.loc[512, "validation accuracy"]
assert capacity.loc[512, "at epoch"] < EPOCHS
assert capacity.loc[[2, 8, 32, 128], "gap"].is_monotonic_increasing
assert capacity.loc[512, "validation accuracy"] >= capacity["validation accuracy"].max() - 0.01
assert abs(capacity.loc[512, "gap"] - capacity.loc[128, "gap"]) < 0.01  # "levels off"
capacity.round(3)

# %%
fig, (ax_acc, ax_loss) = plt.subplots(1, 2, figsize=(8.4, 3.4))
ax_acc.plot(WIDTHS, capacity["training accuracy"], "o--", label="training")
ax_acc.plot(WIDTHS, capacity["validation accuracy"], "o-", label="validation")
ax_acc.set(xscale="log", xlabel="hidden width", ylabel=f"accuracy after {EPOCHS} epochs")
ax_acc.set_xticks(WIDTHS, [str(w) for w in WIDTHS])
ax_acc.legend()
for width in WIDTHS[1:]:
    run = capacity_runs[width]
    ax_loss.plot(run.index, run["val_loss"], label=f"width {width}")
ax_loss.set(xlabel="epoch", ylabel="validation loss", ylim=(0, 1.0))
ax_loss.legend(fontsize="small")
glue("fig_capacity", fig, display=False)
plt.close(fig)

# %% [markdown]
# ```{glue:figure} fig_capacity
# :name: fig-ch05-capacity
#
# Left: training and validation accuracy after 20 epochs against hidden width
# (log scale). Right: validation loss per epoch for widths 8 to 512 (width 2 is
# off the scale).
# ```
#
# - **Width 2 underfits.** With {glue:text}`params_w2:,` parameters the network
#   cannot even fit its training rows: {glue:text}`train_acc_w2:.1%` training
#   accuracy, {glue:text}`val_acc_w2:.1%` validation. Training and validation
#   are both poor and close together: the network lacks capacity.
# - **Width 512 overfits.** With {glue:text}`params_w512:,` parameters it fits
#   the training rows almost perfectly ({glue:text}`train_acc_w512:.1%`), while
#   validation accuracy is {glue:text}`val_acc_w512:.1%`; its validation loss is
#   lowest at epoch {glue:text}`best_epoch_w512` and rises after that (right
#   panel). Yet its validation accuracy is no worse than that of the narrower
#   networks (width 128: {glue:text}`val_acc_w128:.1%`): overfitting shows in the
#   *gap* and in the rising validation loss, and the cure is not necessarily a
#   smaller network but stopping at the right epoch or regularizing.
# - The gap grows with width from 2 to 128 ({glue:text}`gap_w2_pp:.1f` to
#   {glue:text}`gap_w128_pp:.1f` percentage points) and then levels off
#   ({glue:text}`gap_w512_pp:.1f` at width 512, within a point of width 128's;
#   both asserted): training accuracy cannot exceed 100 %.
#
# ## Data size: more examples narrow the gap
#
# The other lever is data. Train the width-128 network on 10 %, 25 %, 50 % and
# all of the training rows (each subset stratified by digit), for the same
# number of epochs, and score each on the full validation set.

# %% tags=["remove-stderr"]
FRACTIONS = [0.1, 0.25, 0.5, 1.0]
size_rows = []
for fraction in FRACTIONS:
    if fraction == 1.0:
        run, n_rows = history, len(y_train)  # the full-data run above
    else:
        subset, _ = train_test_split(
            np.arange(len(y_train)),
            train_size=fraction,
            stratify=y_train,
            random_state=DEFAULT_SEED,
        )
        set_seed()
        run = fit_and_record(
            build_dense_classifier(),
            x_train[subset],
            y_train[subset],
            validation_data=(x_val, y_val),
            epochs=EPOCHS,
            batch_size=BATCH,
        )
        n_rows = len(subset)
    size_rows.append(
        {
            "training rows": n_rows,
            "training accuracy": run["accuracy"].iloc[-1],
            "validation accuracy": run["val_accuracy"].iloc[-1],
        }
    )
data_size = pd.DataFrame(size_rows).set_index("training rows")
data_size["gap"] = data_size["training accuracy"] - data_size["validation accuracy"]
smallest, largest = data_size.index.min(), data_size.index.max()
glue("n_smallest", int(smallest), display=False)
glue("gap_smallest_pp", 100 * float(data_size.loc[smallest, "gap"]), display=False)
glue("gap_largest_pp", 100 * float(data_size.loc[largest, "gap"]), display=False)
glue("val_smallest", float(data_size.loc[smallest, "validation accuracy"]), display=False)
glue("val_largest", float(data_size.loc[largest, "validation accuracy"]), display=False)
assert data_size["validation accuracy"].is_monotonic_increasing
assert data_size.loc[smallest, "gap"] > data_size.loc[largest, "gap"]
data_size.round(3)

# %%
fig, ax = plt.subplots(figsize=(5.0, 3.2))
ax.plot(data_size.index, data_size["training accuracy"], "o--", label="training")
ax.plot(data_size.index, data_size["validation accuracy"], "o-", label="validation")
ax.set(xlabel="training rows", ylabel=f"accuracy after {EPOCHS} epochs")
ax.legend()
glue("fig_data_size", fig, display=False)
plt.close(fig)

# %% [markdown]
# ```{glue:figure} fig_data_size
# :name: fig-ch05-data-size
#
# Training and validation accuracy of the same network trained on growing
# subsets of the training rows.
# ```
#
# With {glue:text}`n_smallest` training images the network fits them but
# reaches only {glue:text}`val_smallest:.1%` on validation, a gap of
# {glue:text}`gap_smallest_pp:.1f` percentage points. With all
# {glue:text}`n_train:,` the validation accuracy is {glue:text}`val_largest:.1%`
# and the gap {glue:text}`gap_largest_pp:.1f` points. More data narrows the gap;
# when you can get it, it is the most direct cure for overfitting. (With a fixed number of epochs the smaller
# sets also get fewer gradient steps; exercise 3 asks whether that matters.)
#
# ## Early stopping
#
# If validation loss rises after some epoch, the simplest remedy is to stop
# there. Keras's `EarlyStopping` callback watches a validation quantity after
# every epoch and stops when it has not improved for `patience` epochs; with
# `restore_best_weights=True` it then puts back the weights of the best epoch.
# Waiting a few epochs (`patience`) guards against stopping at a momentary bump;
# Prechelt compares such stopping criteria {cite}`prechelt1998early`.
#
# We give the wide network (width 512, the one that overfits fastest) up to 50
# epochs and a patience of 3.

# %% tags=["remove-stderr"]
MAX_EPOCHS, PATIENCE = 50, 3
stopper = keras.callbacks.EarlyStopping(
    monitor="val_loss", patience=PATIENCE, restore_best_weights=True
)
set_seed()
wide = build_dense_classifier(hidden_units=512)
stopped = fit_and_record(
    wide,
    x_train,
    y_train,
    validation_data=(x_val, y_val),
    epochs=MAX_EPOCHS,
    batch_size=BATCH,
    callbacks=[stopper],
)
restored_epoch = stopper.best_epoch + 1  # Keras counts epochs from 0
epochs_run = len(stopped)
assert epochs_run == stopper.stopped_epoch + 1 == restored_epoch + PATIENCE
assert restored_epoch == stopped["val_loss"].idxmin()

# the model now holds the restored weights: its validation loss is the best epoch's
val_loss_now, val_acc_now = wide.evaluate(x_val, y_val, verbose=0)
np.testing.assert_allclose(val_loss_now, stopped.loc[restored_epoch, "val_loss"], rtol=1e-4)
np.testing.assert_allclose(val_acc_now, stopped.loc[restored_epoch, "val_accuracy"], rtol=1e-6)

glue("max_epochs", MAX_EPOCHS, display=False)
glue("patience", PATIENCE, display=False)
glue("epochs_run", epochs_run, display=False)
glue("restored_epoch", restored_epoch, display=False)
glue("restored_val_loss", float(val_loss_now), display=False)
glue("restored_val_acc", float(val_acc_now), display=False)
glue("last_epoch_val_loss", float(stopped["val_loss"].iloc[-1]), display=False)
stopped.round(3)

# %%
fig = plot_learning_curves(stopped, mark_epoch=restored_epoch, mark_label="restored epoch")
glue("fig_early_stopping", fig, display=False)
plt.close(fig)

# %% [markdown]
# ```{glue:figure} fig_early_stopping
# :name: fig-ch05-early-stopping
#
# Early stopping on the width-512 network: training stopped
# {glue:text}`patience` epochs after the lowest validation loss, and the weights
# of that epoch (dotted line) were restored.
# ```
#
# Training ran {glue:text}`epochs_run` of the allowed {glue:text}`max_epochs`
# epochs. The validation loss was lowest at epoch {glue:text}`restored_epoch`;
# after {glue:text}`patience` epochs without improvement the callback stopped
# training and restored that epoch's weights. The cell checks this twice: the
# epoch is the history's minimum, and evaluating the model afterwards gives that
# epoch's validation loss ({glue:text}`restored_val_loss:.4f`, not the last
# epoch's {glue:text}`last_epoch_val_loss:.4f`) and accuracy
# ({glue:text}`restored_val_acc:.1%`).
#
# One caution: the stopping epoch was chosen *by* the validation set, so the
# validation score of the restored model is slightly optimistic. That is one
# reason the test set exists (chapter 6).
#
# ## What to change when validation is poor
#
# | what the curves show | diagnosis | what to try |
# |---|---|---|
# | training and validation both poor, close together (width 2 above) | underfitting | more capacity (width, depth), more epochs, a higher learning rate |
# | training much better than validation; validation loss turns up (width 512) | overfitting | early stopping, more data, dropout or L2 (chapter 6), a smaller network |
# | training loss hardly falls, or becomes NaN | optimization fails | learning rate, weight initialization, input scaling (chapters 3 and 4) |
# | validation far worse than training from the first epoch | the splits differ, or leakage/bugs | check how the splits and the preprocessing were made (chapter 3) |
#
# ## Summary
#
# - An epoch is one pass over the training rows, in $\lceil n/B \rceil$ steps of
#   batch size $B$ (counted and asserted).
# - Validation rows, passed explicitly and never trained on, show what training
#   loss cannot: here validation loss bottomed out at epoch
#   {glue:text}`best_epoch` while training loss kept falling.
# - Too little capacity underfits (both accuracies low); much capacity fits the
#   training rows perfectly and opens a gap to validation. More training data
#   narrowed the gap.
# - Early stopping with `restore_best_weights=True` kept the weights of the best
#   validation epoch (epoch {glue:text}`restored_epoch` for the wide network).
#
# ## Exercises
#
# ```{exercise}
# :label: ch05-ex1
#
# How many gradient steps does one epoch take with `batch_size=32`? With
# `batch_size=3500`?
# ```
#
# ```{exercise}
# :label: ch05-ex2
#
# Re-run the early-stopping cell with `monitor="val_accuracy"` (Keras then
# maximizes it). Why might the restored epoch differ from the one chosen by
# validation loss?
# ```
#
# ```{exercise}
# :label: ch05-ex3
#
# In the data-size experiment, smaller subsets get fewer gradient steps in
# 20 epochs. Change the loop so every subset gets the same number of steps
# (e.g. `epochs = round(20 / fraction)`). What would you look for to decide
# whether the conclusion changes?
# ```
#
# ```{exercise}
# :label: ch05-ex4
#
# Why would choosing the number of epochs by watching the *test* loss be a
# mistake?
# ```

# %% [markdown]
# ```{solution-start} ch05-ex1
# :class: dropdown
# ```

# %%
steps_32 = int(np.ceil(len(x_train) / 32))
steps_3500 = int(np.ceil(len(x_train) / 3500))
assert (steps_32, steps_3500) == (110, 1)
steps_32, steps_3500

# %% [markdown]
# $\lceil 3500 / 32 \rceil = 110$ steps; with `batch_size=3500` one step per
# epoch (full-batch gradient descent).

# %% [markdown]
# ```{solution-end}
# ```

# %% [markdown]
# ```{solution-start} ch05-ex2
# :class: dropdown
# ```
#
# Up to the epoch where either rule stops, both runs train identically (same
# seed, same data), so the recorded history answers the question without
# training again. The function below applies `EarlyStopping`'s rule to a
# column of the history: an epoch counts as an improvement only if it beats
# the best so far, and training stops after `patience` epochs without one.
# Applied to the validation loss it must reproduce what the callback did
# (asserted); then it is applied to the validation accuracy.


# %%
def early_stopping_rule(values: pd.Series, patience: int, better) -> tuple[int, int | None]:
    """(best epoch, stopping epoch) of EarlyStopping on a history column; None: not stopped."""
    best, best_epoch, wait = None, None, 0
    for epoch, value in values.items():
        wait += 1
        if best is None or better(value, best):
            best, best_epoch, wait = value, epoch, 0
        elif wait >= patience:
            return best_epoch, epoch
    return best_epoch, None


assert early_stopping_rule(stopped["val_loss"], PATIENCE, np.less) == (restored_epoch, epochs_run)
acc_best, acc_stop = early_stopping_rule(stopped["val_accuracy"], PATIENCE, np.greater)
glue("acc_best_epoch", acc_best, display=False)
glue(
    "acc_stop_text",
    Markdown(
        f"it would stop at epoch {acc_stop}"
        if acc_stop is not None
        else f"it would not yet have stopped after epoch {epochs_run}"
    ),
    display=False,
)
acc_best, acc_stop

# %% [markdown]
# On this run the accuracy rule's best epoch so far is
# {glue:text}`acc_best_epoch`, against {glue:text}`restored_epoch` for the
# loss, and {glue:md}`acc_stop_text`. The two can differ because accuracy only
# changes when a digit crosses the decision boundary: it moves in steps of
# 1/750, often stays flat for several epochs while the loss keeps changing, and
# a tie does not count as an improvement. The loss is the smoother signal,
# which is why it is the usual choice.

# %% [markdown]
# ```{solution-end}
# ```

# %% [markdown]
# ```{solution-start} ch05-ex3
# :class: dropdown
# ```
#
# Compare the validation accuracy of each subset, and its gap to training
# accuracy, with the table above. If the small subsets now reach higher
# validation accuracy, part of their deficit was under-training, not lack of
# data; the gap should still be largest for the smallest subset, since it can
# be memorized. To keep the book fast the cell runs only the smallest subset,
# repeated ten times and trained for 20 epochs: as many steps as the full data
# gets in 20 epochs, each image seen 200 times (as in 200 epochs, with less
# bookkeeping between them).

# %% tags=["remove-stderr"]
subset, _ = train_test_split(
    np.arange(len(y_train)), train_size=0.1, stratify=y_train, random_state=DEFAULT_SEED
)
set_seed()
small_long = build_dense_classifier()
repeated = np.tile(subset, 10)
assert int(np.ceil(len(repeated) / BATCH)) == steps_per_epoch  # the full data's steps
small_long.fit(x_train[repeated], y_train[repeated], epochs=EPOCHS, batch_size=BATCH, verbose=0)
long_train_acc = float(small_long.evaluate(x_train[subset], y_train[subset], verbose=0)[1])
long_val_acc = float(small_long.evaluate(x_val, y_val, verbose=0)[1])
assert long_train_acc - long_val_acc > data_size.loc[largest, "gap"]  # still the larger gap
assert long_val_acc < data_size.loc[largest, "validation accuracy"]  # still behind all the data
glue("long_val_acc", long_val_acc, display=False)
glue("long_gap_pp", 100 * (long_train_acc - long_val_acc), display=False)
pd.Series({"training accuracy": long_train_acc, "validation accuracy": long_val_acc}).round(3)

# %% [markdown]
# With the same number of steps as the full data, the
# {glue:text}`n_smallest` images reach {glue:text}`long_val_acc:.1%` on
# validation (after 20 epochs: {glue:text}`val_smallest:.1%`), still below the
# {glue:text}`val_largest:.1%` of all {glue:text}`n_train:,` rows, and the gap
# to training accuracy is still {glue:text}`long_gap_pp:.1f` points. The
# conclusion stands: the smallest set lacks data, not steps.

# %% [markdown]
# ```{solution-end}
# ```

# %% [markdown]
# ```{solution-start} ch05-ex4
# :class: dropdown
# ```
#
# The test set would then have influenced the model (through the chosen epoch),
# so its score would no longer estimate performance on unseen data. Decisions
# use validation; the test set is read once, at the end.

# %% [markdown]
# ```{solution-end}
# ```
