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
# # Evaluation and optimization
#
# The last three chapters trained the digit network and compared choices on the
# validation rows. This chapter finishes the job:
#
# - **metrics** beyond accuracy: the confusion matrix, per-class precision,
#   recall and F1, and their macro and weighted averages, computed by hand and
#   checked against scikit-learn {cite}`pedregosa2011scikit`;
# - a small, honest **hyperparameter search** (learning rate, batch size, width,
#   dropout, L2) judged on the validation rows only;
# - the chosen model evaluated **once** on the test rows, which no earlier
#   decision in the book has seen.
#
# **Where each split is used in this chapter**
#
# | split | used for |
# |---|---|
# | training | fitting every network |
# | validation | early stopping, learning the metrics, comparing the search's configurations, choosing one |
# | test | one evaluation of the chosen model, in the last section |

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
import itertools
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Markdown
from sklearn.metrics import accuracy_score

from helpers.book import glue
from helpers.data import load_digits_784, stratified_split
from helpers.evaluation import (
    classification_report_frame,
    confusion_frame,
    plot_confusion_matrix,
    plot_learning_curves,
)
from helpers.plotting import use_course_style
from helpers.repro import DEFAULT_SEED, set_seed
from helpers.training import build_dense_classifier, fit_and_record

set_seed()
use_course_style()

# %% [markdown]
# The same digits and split as chapters 4 and 5.

# %%
pixels, labels = load_digits_784()
x_all = pixels / 255.0
split = stratified_split(labels)
x_train, y_train = x_all[split.train], labels[split.train]
x_val, y_val = x_all[split.validation], labels[split.validation]
# The test rows (split.test) are first read in the final section.
for name, size in split.sizes().items():
    glue(f"n_{name}", size, display=False)
split.sizes()

# %% [markdown]
# ## A baseline, trained with early stopping
#
# The starting point is chapter 4's network (784 → 128 ReLU → 10 softmax, Adam
# with learning rate 0.001, batches of 64), trained with chapter 5's early
# stopping: at most {glue:text}`max_epochs` epochs, stop after
# {glue:text}`patience` epochs without a lower validation loss, restore the best
# epoch's weights. The helper `train_config` below does
# exactly that for any configuration; the search later calls it too.

# %% tags=["remove-stderr"]
MAX_EPOCHS, PATIENCE = 15, 3
glue("max_epochs", MAX_EPOCHS, display=False)
glue("patience", PATIENCE, display=False)


def train_config(
    learning_rate: float, batch_size: int, width: int, dropout: float, l2: float
) -> tuple[keras.Model, pd.DataFrame, int]:
    """Train one configuration with early stopping; return model, history, restored epoch."""
    set_seed()
    model = build_dense_classifier(
        hidden_units=width,
        dropout=dropout,
        l2=l2,
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
    )
    stopper = keras.callbacks.EarlyStopping(
        monitor="val_loss", patience=PATIENCE, restore_best_weights=True
    )
    history = fit_and_record(
        model,
        x_train,
        y_train,
        validation_data=(x_val, y_val),
        epochs=MAX_EPOCHS,
        batch_size=batch_size,
        callbacks=[stopper],
    )
    return model, history, stopper.best_epoch + 1


BASELINE = {"learning_rate": 1e-3, "batch_size": 64, "width": 128, "dropout": 0.0, "l2": 0.0}
baseline, baseline_history, baseline_epoch = train_config(**BASELINE)
glue("baseline_epoch", baseline_epoch, display=False)
glue("baseline_epochs_run", len(baseline_history), display=False)
baseline_history.round(3)

# %% [markdown]
# Training ran for {glue:text}`baseline_epochs_run` epochs (at most
# {glue:text}`max_epochs`) and kept the weights of epoch
# {glue:text}`baseline_epoch`, the one with the lowest validation loss. Its
# predictions on the validation rows are
# the material for the next section: the predicted digit is the class with the
# highest probability.

# %% tags=["remove-stderr"]
val_pred = baseline.predict(x_val, verbose=0).argmax(axis=1)
baseline_val_acc = accuracy_score(y_val, val_pred)
glue("baseline_val_acc", baseline_val_acc, display=False)
f"validation accuracy {baseline_val_acc:.3f}"

# %% [markdown]
# ## Metrics, from the confusion matrix up
#
# Accuracy, {glue:text}`baseline_val_acc:.1%` here, is one number for ten
# classes. The **confusion matrix** $C$ keeps the detail: $C_{ij}$ counts the
# validation images of digit $i$ that the network called $j$. The diagonal holds
# the correct answers.

# %%
digits = np.arange(10)
val_confusion = confusion_frame(y_val, val_pred, labels=digits)
fig = plot_confusion_matrix(y_val, val_pred, labels=digits, title="validation, baseline")
glue("fig_val_confusion", fig, display=False)
plt.close(fig)
val_confusion

# %% [markdown]
# ```{glue:figure} fig_val_confusion
# :name: fig-ch06-val-confusion
#
# Confusion matrix of the baseline on the validation rows (counts). Rows: true
# digit; columns: predicted digit.
# ```
#
# Every common classification metric is a ratio of sums over $C$. For class
# $k$, with $n$ images in total:
#
# - **accuracy** $= \sum_k C_{kk} / n$, the share on the diagonal;
# - **precision** $P_k = C_{kk} / \sum_i C_{ik}$: of the images *called* $k$
#   (column $k$), the share that really are $k$;
# - **recall** $R_k = C_{kk} / \sum_j C_{kj}$: of the images that *are* $k$
#   (row $k$, whose sum is the class's **support** $n_k$), the share found;
# - **F1** $= 2 P_k R_k / (P_k + R_k)$, the harmonic mean, which is low if either is;
# - the **macro average** of a metric is its plain mean over classes (every
#   class counts equally); the **weighted average** weights class $k$ by
#   $n_k / n$.
#
# A consequence worth checking: the weighted average of recall is
# $\sum_k \frac{n_k}{n} \frac{C_{kk}}{n_k} = \sum_k C_{kk} / n$, the accuracy.
# The cell computes all of it with NumPy from $C$ and asserts agreement with
# scikit-learn's `classification_report` (through the course's
# `classification_report_frame` helper).

# %%
C = val_confusion.to_numpy()
support = C.sum(axis=1)
precision = np.diag(C) / C.sum(axis=0)
recall = np.diag(C) / support
f1 = 2 * precision * recall / (precision + recall)
by_hand = pd.DataFrame(
    {"precision": precision, "recall": recall, "f1-score": f1, "support": support},
    index=[str(d) for d in digits],
)
accuracy_by_hand = np.trace(C) / C.sum()

report = classification_report_frame(y_val, val_pred, labels=digits)
np.testing.assert_allclose(report.loc[by_hand.index, by_hand.columns], by_hand)
np.testing.assert_allclose(report.loc["accuracy", "f1-score"], accuracy_by_hand)
np.testing.assert_allclose(report.loc["macro avg", "f1-score"], f1.mean())
np.testing.assert_allclose(
    report.loc["weighted avg", "precision"], np.average(precision, weights=support)
)
np.testing.assert_allclose(np.average(recall, weights=support), accuracy_by_hand)  # weighted recall
np.testing.assert_allclose(report.loc["weighted avg", "recall"], accuracy_by_hand)
report.round(3)

# %%
worst_f1_digit = int(by_hand["f1-score"].astype(float).idxmin())
glue("val_worst_digit", worst_f1_digit, display=False)
glue("val_worst_f1", float(f1[worst_f1_digit]), display=False)
glue("val_worst_precision", float(precision[worst_f1_digit]), display=False)
glue("val_worst_recall", float(recall[worst_f1_digit]), display=False)
glue("val_macro_f1", float(f1.mean()), display=False)
assert len(set(support)) == 1  # stratified: every digit has the same support
glue("val_support", int(support[0]), display=False)
np.testing.assert_allclose(report.loc["macro avg"].iloc[:3], report.loc["weighted avg"].iloc[:3])
by_hand.loc[[str(worst_f1_digit)]].round(3)

# %% [markdown]
# The weakest digit on validation is {glue:text}`val_worst_digit` (F1
# {glue:text}`val_worst_f1:.3f`; precision {glue:text}`val_worst_precision:.3f`,
# recall {glue:text}`val_worst_recall:.3f`), against a macro-average F1 of
# {glue:text}`val_macro_f1:.3f`. Here every class has the same support
# ({glue:text}`val_support` images), so macro and weighted averages coincide
# (asserted); on imbalanced data (the sentiment chapters) they do not, and the
# macro average is the one that shows how the small classes fare.
#
# ## A small, honest hyperparameter search
#
# Hyperparameters are the settings training does not learn: the learning rate,
# the batch size, the width, and two regularizers:
#
# - **dropout** {cite}`srivastava2014dropout` sets a random fraction $p$ of the
#   hidden units to zero at each training step (and scales the rest by
#   $1/(1-p)$, chapter 2), so no unit can rely on any particular other one;
# - **L2 regularization** adds $\lambda \sum w^2$ over all kernel weights to the
#   loss, pulling weights toward zero.
#
# The L2 term is easy to check: Keras collects it in `model.losses`.

# %%
l2_net = build_dense_classifier(l2=1e-3)
kernels = [layer.kernel for layer in l2_net.layers if hasattr(layer, "kernel")]
penalty_by_hand = 1e-3 * sum(float(keras.ops.sum(k**2)) for k in kernels)
np.testing.assert_allclose(sum(float(loss) for loss in l2_net.losses), penalty_by_hand, rtol=1e-5)
f"L2 penalty of a fresh network with lambda = 0.001: {penalty_by_hand:.4f}"

# %% [markdown]
# The search space is a grid of three values for each of the five
# hyperparameters, $3^5 =$ {glue:text}`n_grid` configurations. Training all of them is too
# expensive for this book's budget, and unnecessary: random search, which tries
# configurations drawn at random from the space, finds good ones with far fewer
# trials than a grid, because usually only a few hyperparameters matter
# {cite}`bergstra2012random`. We try the baseline plus {glue:text}`n_random`
# random configurations,
# each trained exactly like the baseline (early stopping on validation loss),
# and judge them by **validation** accuracy.

# %%
SPACE = {
    "learning_rate": [1e-4, 1e-3, 1e-2],
    "batch_size": [64, 128, 256],
    "width": [64, 128, 256],
    "dropout": [0.0, 0.2, 0.5],
    "l2": [0.0, 1e-4, 1e-3],
}
N_RANDOM = 7
grid = [dict(zip(SPACE, values, strict=True)) for values in itertools.product(*SPACE.values())]
others = [config for config in grid if config != BASELINE]
rng = np.random.default_rng(DEFAULT_SEED)
configs = [BASELINE] + [others[i] for i in rng.choice(len(others), N_RANDOM, replace=False)]
assert len(grid) == 243 and BASELINE in grid
glue("n_grid", len(grid), display=False)
glue("n_configs", len(configs), display=False)
glue("n_random", N_RANDOM, display=False)
pd.DataFrame(configs, index=pd.RangeIndex(len(configs), name="run"))

# %% tags=["remove-stderr"]
results, histories = [], {}
best_model, best_key = None, None
for run, config in enumerate(configs):
    if config == BASELINE:
        model, history, epoch = baseline, baseline_history, baseline_epoch  # trained above
    else:
        model, history, epoch = train_config(**config)
    row = {
        **config,
        "epochs run": len(history),
        "restored epoch": epoch,
        "val loss": history.loc[epoch, "val_loss"],
        "val accuracy": history.loc[epoch, "val_accuracy"],
    }
    results.append(row)
    histories[run] = history
    key = (row["val accuracy"], -row["val loss"])  # accuracy first, lower loss breaks ties
    if best_key is None or key > best_key:
        best_model, best_key, best_run = model, key, run

results = pd.DataFrame(results, index=pd.RangeIndex(len(configs), name="run"))
ranked = results.sort_values(["val accuracy", "val loss"], ascending=[False, True])
assert ranked.index[0] == best_run
ranked.round(4)

# %% [markdown]
# How different are these numbers really? Each validation accuracy is measured
# on {glue:text}`n_validation` images, so it carries a standard error of about
# $\sqrt{p(1-p)/n}$ (chapter 4). {numref}`fig-ch06-search` shows each run with that
# error bar.

# %%
chosen = results.loc[best_run]
p_best = float(chosen["val accuracy"])
se_best = float(np.sqrt(p_best * (1 - p_best) / len(y_val)))
within = results["val accuracy"] >= p_best - 2 * se_best
glue("chosen_run", int(best_run), display=False)
glue("chosen_val_acc", p_best, display=False)
glue("se_best_pp", 100 * se_best, display=False)
glue("n_within", int(within.sum()), display=False)
assert 2 <= within.sum() < len(results)  # some runs are clearly worse, the top ones are not
glue("n_clearly_worse", int((~within).sum()), display=False)
glue("baseline_rank", int(list(ranked.index).index(0)) + 1, display=False)
for name in ("learning_rate", "batch_size", "width", "dropout", "l2"):
    glue(f"chosen_{name}", Markdown(f"{chosen[name]:g}"), display=False)
glue("chosen_epoch", int(chosen["restored epoch"]), display=False)

se = np.sqrt(ranked["val accuracy"] * (1 - ranked["val accuracy"]) / len(y_val))
labels_ranked = [
    f"run {run}: lr {r.learning_rate:g}, bs {r.batch_size:g}, w {r.width:g}, "
    f"do {r.dropout:g}, l2 {r.l2:g}"
    for run, r in ranked.iterrows()
]
fig, (ax_runs, ax_lr) = plt.subplots(
    1, 2, figsize=(9.6, 3.8), gridspec_kw={"width_ratios": [1.5, 1]}
)
ax_runs.errorbar(ranked["val accuracy"], range(len(ranked)), xerr=se, fmt="o", capsize=3)
ax_runs.set_yticks(range(len(ranked)), labels_ranked, fontsize="x-small")
ax_runs.invert_yaxis()
ax_runs.set_xlabel("validation accuracy (±1 standard error)")
for dropout, group in results.groupby("dropout"):
    ax_lr.scatter(group["learning_rate"], group["val accuracy"], label=f"dropout {dropout:g}")
ax_lr.set(xscale="log", xlabel="learning rate", ylabel="validation accuracy")
ax_lr.legend(fontsize="small")
glue("fig_search", fig, display=False)
plt.close(fig)

# %% [markdown]
# ```{glue:figure} fig_search
# :name: fig-ch06-search
#
# The search's runs ranked by validation accuracy with ±1 standard-error bars
# (left; lr: learning rate, bs: batch size, w: width, do: dropout), and
# validation accuracy against learning rate, coloured by dropout (right).
# ```
#
# The best run is run {glue:text}`chosen_run`: learning rate
# {glue:md}`chosen_learning_rate`, batch size {glue:md}`chosen_batch_size`, width
# {glue:md}`chosen_width`, dropout {glue:md}`chosen_dropout`, L2
# {glue:md}`chosen_l2`, restored at epoch {glue:text}`chosen_epoch`, with
# validation accuracy {glue:text}`chosen_val_acc:.1%`. The baseline ranks
# {glue:text}`baseline_rank` of {glue:text}`n_configs`.
#
# Two honest caveats before celebrating:
#
# - **The differences are small against the noise.** The standard error of the
#   best score is {glue:text}`se_best_pp:.1f` percentage points; {glue:text}`n_within` of the
#   {glue:text}`n_configs` runs lie within two standard errors of it, and
#   {glue:text}`n_clearly_worse` below. On these {glue:text}`n_validation`
#   images the search can separate clearly worse settings from good ones, but
#   not rank the good ones reliably.
# - **The winner's validation score is optimistic.** It is the maximum of
#   {glue:text}`n_configs` noisy measurements, and early stopping also chose its
#   epoch on the same rows. Part of its lead may be luck on these particular
#   images, which would not repeat on new ones.
#
# Both are why the final number must come from rows no decision has touched.
# Its learning curves:

# %%
fig = plot_learning_curves(
    histories[best_run], mark_epoch=int(chosen["restored epoch"]), mark_label="restored epoch"
)
glue("fig_chosen_curves", fig, display=False)
plt.close(fig)

# %% [markdown]
# ```{glue:figure} fig_chosen_curves
# :name: fig-ch06-chosen-curves
#
# Learning curves of the chosen configuration; the dotted line marks the epoch
# whose weights early stopping restored.
# ```
#
# ## The test set, once
#
# Everything is decided: the configuration, the epoch, the weights. Now, for the
# first and only time in the digit chapters (4 to 6), the test rows are read,
# and the chosen model predicts them once.

# %% tags=["remove-stderr"]
# First and only use of the test split: evaluate the chosen model once.
x_test, y_test = x_all[split.test], labels[split.test]
test_pred = best_model.predict(x_test, verbose=0).argmax(axis=1)

test_report = classification_report_frame(y_test, test_pred, labels=digits)
test_confusion = confusion_frame(y_test, test_pred, labels=digits)
test_acc = float(test_report.loc["accuracy", "f1-score"])
test_se = float(np.sqrt(test_acc * (1 - test_acc) / len(y_test)))
glue("headline_metrics", ["test_acc", "test_macro_f1"], display=False)  # what the benchmark records
glue("test_acc", test_acc, display=False)
glue("test_ci_low", test_acc - 1.96 * test_se, display=False)
glue("test_ci_high", test_acc + 1.96 * test_se, display=False)
glue("test_macro_f1", float(test_report.loc["macro avg", "f1-score"]), display=False)
glue("test_weighted_f1", float(test_report.loc["weighted avg", "f1-score"]), display=False)
glue("val_minus_test_pp", 100 * (p_best - test_acc), display=False)
assert abs(p_best - test_acc) < 1.96 * np.hypot(se_best, test_se)  # "within the noise"
test_report.round(3)

# %%
fig, (ax_counts, ax_rates) = plt.subplots(1, 2, figsize=(10.5, 4.4))
plot_confusion_matrix(y_test, test_pred, labels=digits, ax=ax_counts, title="test, counts")
plot_confusion_matrix(
    y_test, test_pred, labels=digits, normalize="true", ax=ax_rates, title="test, share of each row"
)
glue("fig_test_confusion", fig, display=False)
plt.close(fig)

off_diagonal = test_confusion.to_numpy().copy()
np.fill_diagonal(off_diagonal, 0)
top_pairs = np.argwhere(off_diagonal == off_diagonal.max())  # ties are possible
assert test_confusion.sum(axis=1).nunique() == 1  # stratified: equal support per digit
top_count, per_digit = int(off_diagonal.max()), int(test_confusion.iloc[0].sum())
pairs_text = ", ".join(f"a true {t} called {p}" for t, p in top_pairs)
if len(top_pairs) == 1:
    confusion_sentence = (
        f"The most frequent confusion is {pairs_text}: {top_count} of the "
        f"{per_digit} test images of that digit."
    )
else:
    confusion_sentence = (
        f"No single confusion dominates: the largest off-diagonal count, {top_count} of "
        f"the {per_digit} test images of a digit, is shared by {len(top_pairs)} pairs "
        f"({pairs_text})."
    )
glue("confusion_sentence", Markdown(confusion_sentence), display=False)
class_f1 = test_report.loc[[str(d) for d in digits], "f1-score"].astype(float)
glue("test_worst_digit", int(class_f1.idxmin()), display=False)
glue("test_worst_f1", float(class_f1.min()), display=False)
glue("test_best_digit", int(class_f1.idxmax()), display=False)
glue("test_best_f1", float(class_f1.max()), display=False)
pd.DataFrame(top_pairs, columns=["true digit", "predicted as"])

# %% [markdown]
# ```{glue:figure} fig_test_confusion
# :name: fig-ch06-test-confusion
#
# Confusion matrices of the chosen model on the test rows: counts (left) and
# each row divided by its support, so the diagonal is per-class recall (right).
# ```
#
# The chosen model classifies {glue:text}`test_acc:.1%` of the
# {glue:text}`n_test` test digits correctly; with a standard error of
# $\sqrt{p(1-p)/n}$ the 95 % interval is roughly {glue:text}`test_ci_low:.1%` to
# {glue:text}`test_ci_high:.1%`. Its macro-average F1 is
# {glue:text}`test_macro_f1:.3f` (weighted: {glue:text}`test_weighted_f1:.3f`).
# Validation said {glue:text}`chosen_val_acc:.1%`: the difference, validation
# minus test, is {glue:text}`val_minus_test_pp:.1f` percentage points, within the noise of two samples
# of {glue:text}`n_test` images (asserted). The caveats above say the validation
# score is optimistic *on average*; in any single case chance can push either way.
#
# Per class, the best-recognized digit is {glue:text}`test_best_digit` (F1
# {glue:text}`test_best_f1:.3f`) and the weakest {glue:text}`test_worst_digit`
# (F1 {glue:text}`test_worst_f1:.3f`). {glue:md}`confusion_sentence`
#
# This test accuracy is the number to report for this model. It would stop being
# an honest estimate the moment we went back to change the model because of it.
#
# ## Summary
#
# - The confusion matrix holds the detail accuracy hides; precision, recall and
#   F1 per class, and their macro and weighted averages, are ratios of its sums
#   (computed by hand and asserted equal to scikit-learn's). Weighted recall
#   equals accuracy.
# - A random search over {glue:text}`n_configs` of {glue:text}`n_grid`
#   configurations, each with early stopping, judged on validation only, picked
#   learning rate {glue:md}`chosen_learning_rate`, batch size
#   {glue:md}`chosen_batch_size`, width {glue:md}`chosen_width`, dropout
#   {glue:md}`chosen_dropout` and L2 {glue:md}`chosen_l2`. Differences between
#   good configurations were within the validation set's noise.
# - The chosen model, evaluated once on the untouched test rows, reached
#   {glue:text}`test_acc:.1%` accuracy and macro F1
#   {glue:text}`test_macro_f1:.3f`.
#
# ## Exercises
#
# ```{exercise}
# :label: ch06-ex1
#
# From the test confusion matrix, compute by hand the precision and recall of
# the weakest digit, {glue:text}`test_worst_digit`, and check them against the
# report.
# ```
#
# ```{exercise}
# :label: ch06-ex2
#
# A classifier that always predicts "1" on a data set where 90 % of the
# images are 1s has 90 % accuracy. What are its macro-average recall and its
# weighted-average recall (10 classes)?
# ```
#
# ```{exercise}
# :label: ch06-ex3
#
# Suppose you now try 50 more configurations and keep whichever has the best
# *test* accuracy. What does that final test number estimate?
# ```
#
# ```{exercise}
# :label: ch06-ex4
#
# The search picked its winner by validation accuracy. Name one reason to
# prefer validation *loss* as the criterion, and one reason not to.
# ```

# %% [markdown]
# ```{solution-start} ch06-ex1
# :class: dropdown
# ```
#
# Precision: the diagonal entry of column {glue:text}`test_worst_digit` divided
# by the column's sum; recall: the same entry divided by row
# {glue:text}`test_worst_digit`'s sum (its support).

# %%
C_test = test_confusion.to_numpy()
k = int(class_f1.idxmin())
precision_k, recall_k = C_test[k, k] / C_test[:, k].sum(), C_test[k, k] / C_test[k].sum()
np.testing.assert_allclose(precision_k, test_report.loc[str(k), "precision"])
np.testing.assert_allclose(recall_k, test_report.loc[str(k), "recall"])
glue("worst_precision", float(precision_k), display=False)
glue("worst_recall", float(recall_k), display=False)
pd.Series({"precision": precision_k, "recall": recall_k}, name=f"digit {k}").round(3)

# %% [markdown]
# Precision {glue:text}`worst_precision:.3f` and recall
# {glue:text}`worst_recall:.3f`, as in the report (asserted).

# %% [markdown]
# ```{solution-end}
# ```

# %% [markdown]
# ```{solution-start} ch06-ex2
# :class: dropdown
# ```
#
# Recall is 1 for the class "1" and 0 for the other nine, so the macro average
# is $1/10 = 0.1$. The weighted average weights "1" by 0.9: $0.9 \cdot 1 = 0.9$,
# the accuracy, as the identity in this chapter says. On 1,000 made-up labels:

# %%
other_digits = np.array([d for d in digits if d != 1])
true_labels = np.concatenate([np.ones(900, dtype=int), other_digits[np.arange(100) % 9]])
always_one = np.ones_like(true_labels)
always_one_report = classification_report_frame(true_labels, always_one, labels=digits)
macro_recall = float(always_one_report.loc["macro avg", "recall"])
weighted_recall = float(always_one_report.loc["weighted avg", "recall"])
assert np.isclose(macro_recall, 0.1) and np.isclose(weighted_recall, 0.9)
assert np.isclose(accuracy_score(true_labels, always_one), 0.9)
pd.Series({"accuracy": 0.9, "macro recall": macro_recall, "weighted recall": weighted_recall})

# %% [markdown]
# The macro average exposes the useless classifier; accuracy and weighted
# recall do not.

# %% [markdown]
# ```{solution-end}
# ```

# %% [markdown]
# ```{solution-start} ch06-ex3
# :class: dropdown
# ```
#
# Nothing trustworthy: the test set has become a validation set, and its best
# score is optimistic for the same reason the search winner's validation score
# was. An honest estimate would need new, untouched data.

# %% [markdown]
# ```{solution-end}
# ```

# %% [markdown]
# ```{solution-start} ch06-ex4
# :class: dropdown
# ```
#
# For: the loss uses the predicted probabilities, so it changes smoothly and
# separates runs that tie on accuracy (accuracy moves in steps of 1/750 here).
# Against: accuracy is what the model will be judged by, and a model can have
# lower loss yet fewer correct answers.

# %% [markdown]
# ```{solution-end}
# ```
