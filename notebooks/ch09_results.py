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
# # Results, against real baselines
#
# Chapter 8 trained the sentiment networks from scratch and put one number per
# model in a table; chapter {doc}`ch08b_pretrained` fine-tuned a pretrained
# encoder on the same split, and that encoder became the course's model. One
# number hides a lot. This chapter opens up the predictions of the models on the
# untouched test split:
#
# - the **confusion matrix** and the per-class **precision, recall and F1**, with
#   macro and weighted averages, computed with scikit-learn from the saved
#   predictions, and the arithmetic for one class done by hand so that the text
#   cannot disagree with the numbers;
# - **per domain**, next to the published numbers of the VADER paper
#   {cite:p}`hutto2014vader` and the agreement between human raters measured in the
#   [data card](data_card);
# - the **errors**: the most confident mistakes, negation, contrast ("but"), and
#   text length;
# - an attempt to **push the network** past the linear baseline, and an honest
#   verdict: what models trained from scratch reach, and what {term}`pre-training`
#   adds.
#
# Every section sets the **fine-tuned encoder** beside the LSTM. Nothing is
# retrained here if chapters 8 and {doc}`ch08b_pretrained` have run: the
# predictions come from the results cache in `build/cache/sentiment/` through the
# same helpers, `sm.run_comparison` and `transfer.run_fine_tune`, which train
# whatever is missing (so this chapter also runs on its own, slowly: the
# fine-tuning takes minutes). The experiments of the last section are cached the
# same way.

# %% [markdown]
# ## Setup
#
# Seed every random number generator, apply the plot style, and load both tasks'
# results through the same helpers chapters 8 and {doc}`ch08b_pretrained` used.

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

import re

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import display
from sklearn.metrics import f1_score

from helpers import sentiment_models as sm
from helpers import transfer
from helpers.book import glue
from helpers.data import human_agreement, load_vader
from helpers.evaluation import classification_report_frame, confusion_frame, plot_confusion_matrix
from helpers.plotting import COURSE_COLORS, use_course_style
from helpers.repro import DEFAULT_SEED, set_seed

set_seed()
use_course_style()

# %% tags=["remove-stderr"]
binary = sm.load_task("movie_binary")
three = sm.load_task("all_3class")
results = {
    "movie_binary": sm.run_comparison(binary),
    "all_3class": sm.run_comparison(three, save_lstm=True),
}


# The LSTM run with the best validation accuracy (chapter 8 saved this one for task (b)).
lstm_a = sm.chosen_run(sm.runs_of(results["movie_binary"], "lstm"))
lstm_b = sm.chosen_run(sm.runs_of(results["all_3class"], "lstm"))
glue("lstm_a_seed", lstm_a.seed, display=False)
glue("lstm_b_seed", lstm_b.seed, display=False)
# The fine-tuned encoder: the same calls chapter 8b makes (cache hits after it has run).
encoder_a = transfer.run_fine_tune(binary)
encoder_b = transfer.course_model_run()  # the course's model
ENCODER = "Fine-tuned MiniLM encoder"
NAMES = {**sm.METHOD_NAMES, "minilm_finetuned": ENCODER}
glue("enc_trainable_blocks", int(encoder_b.config["trainable_blocks"]), display=False)
glue("enc_params_m", encoder_b.n_params / 1e6, display=False)

# %% [markdown]
# We study one run of the LSTM per task in detail: the seed with the best
# validation accuracy (seed {glue:text}`lstm_a_seed` for task (a), seed
# {glue:text}`lstm_b_seed` for task (b), the LSTM chapter 8 saved). The other
# seeds behave alike; the comparison table of chapter 8 shows their spread. Beside
# it stands the fine-tuned encoder of chapter {doc}`ch08b_pretrained`: the
# pretrained all-MiniLM-L6-v2 ({glue:text}`enc_params_m:.1f` million parameters)
# with a new output layer, its top {glue:text}`enc_trainable_blocks` blocks
# trained on each task. Its task (b) version is the course's model, the one
# `helpers.sentiment.predict` uses.
#
# ## Task (a): positive or negative movie snippets
#
# ### The confusion matrix
#
# A confusion matrix counts, for every pair (true class, predicted class), how
# many test texts fall in it. The diagonal holds the correct predictions.

# %%
truth_a = binary.test["label"].to_numpy()
pred_a = np.asarray(lstm_a.test_pred)
matrix_a = confusion_frame(truth_a, pred_a, labels=list(binary.labels))
fig = plot_confusion_matrix(truth_a, pred_a, labels=list(binary.labels), title="LSTM, task (a)")
glue("fig_confusion_a", fig, display=False)
plt.close(fig)
matrix_a

# %% [markdown]
# ```{glue:figure} fig_confusion_a
# :name: fig-confusion-a
#
# Confusion matrix of the task (a) LSTM on the test split: rows are the human
# label, columns the prediction.
# ```
#
# Take **positive** as the class of interest. Then the four cells have names:
# true positives $TP$ (positive, predicted positive), false negatives $FN$
# (positive, predicted negative), false positives $FP$ (negative, predicted
# positive) and true negatives $TN$. From them:
#
# $$
# \text{precision} = \frac{TP}{TP + FP}, \qquad
# \text{recall} = \frac{TP}{TP + FN}, \qquad
# F_1 = \frac{2 \cdot \text{precision} \cdot \text{recall}}{\text{precision} + \text{recall}}.
# $$
#
# Precision answers "when the model says positive, how often is it right?";
# recall answers "of the positive texts, how many does it find?". $F_1$, their
# harmonic mean, is high only when both are. The arithmetic, from the matrix
# above:

# %%
tp = int(matrix_a.loc["positive", "positive"])
fn = int(matrix_a.loc["positive", "negative"])
fp = int(matrix_a.loc["negative", "positive"])
tn = int(matrix_a.loc["negative", "negative"])
precision = tp / (tp + fp)
recall = tp / (tp + fn)
f1 = 2 * precision * recall / (precision + recall)
accuracy = (tp + tn) / (tp + tn + fp + fn)
report_a = classification_report_frame(truth_a, pred_a, labels=list(binary.labels))
np.testing.assert_allclose(
    [precision, recall, f1],
    report_a.loc["positive", ["precision", "recall", "f1-score"]].to_numpy(dtype=float),
)
np.testing.assert_allclose(accuracy, report_a.loc["accuracy", "f1-score"])
for name, value in dict(tp=tp, fn=fn, fp=fp, tn=tn).items():
    glue(f"a_{name}", value, display=False)
for name, value in dict(precision=precision, recall=recall, f1=f1, accuracy=accuracy).items():
    glue(f"a_{name}", float(value), display=False)
print(f"precision = {tp} / ({tp} + {fp}) = {precision:.4f}")
print(f"recall    = {tp} / ({tp} + {fn}) = {recall:.4f}")
print(
    f"F1        = 2 * {precision:.4f} * {recall:.4f} / ({precision:.4f} + {recall:.4f}) = {f1:.4f}"
)
print(f"accuracy  = ({tp} + {tn}) / {tp + tn + fp + fn} = {accuracy:.4f}")

# %% [markdown]
# Of the {glue:text}`a_tp` + {glue:text}`a_fp` texts the LSTM called positive,
# {glue:text}`a_tp` were: precision {glue:text}`a_precision:.3f`. Of the
# {glue:text}`a_tp` + {glue:text}`a_fn` positive texts it found
# {glue:text}`a_tp`: recall {glue:text}`a_recall:.3f`. Their harmonic mean is
# $F_1 =$ {glue:text}`a_f1:.3f`, and scikit-learn's report (below) gives the same
# numbers, as the assertion in the cell checks.

# %%
assert abs(report_a.loc["macro avg", "f1-score"] - report_a.loc["weighted avg", "f1-score"]) < 0.005
report_a.round(3)

# %% [markdown]
# With two balanced classes the picture is simple: both classes have similar
# precision and recall, and the **macro average** (the plain mean over classes)
# and the **weighted average** (each class weighted by its number of test texts,
# its *support*) are almost the same.
#
# ### Three models side by side
#
# The same report, condensed to one row per model, for the tuned linear model of
# chapter 8 (TF-IDF + logistic regression), the LSTM and the fine-tuned encoder:


# %%
def model_report(predictions, truth, labels):
    """One row per model: each class's precision, recall and F1, accuracy, macro F1."""
    rows = {}
    for name, predicted in predictions.items():
        report = classification_report_frame(truth, np.asarray(predicted), labels=labels)
        row = {
            (label, metric): float(report.loc[label, column])
            for label in labels
            for metric, column in (
                ("precision", "precision"),
                ("recall", "recall"),
                ("F1", "f1-score"),
            )
        }
        row[("all", "accuracy")] = float(report.loc["accuracy", "f1-score"])
        row[("all", "macro F1")] = float(report.loc["macro avg", "f1-score"])
        rows[name] = row
    return pd.DataFrame(rows).T


tfidf_a = sm.runs_of(results["movie_binary"], "tfidf_logreg")[0]
models_a = model_report(
    {
        NAMES["tfidf_logreg"]: tfidf_a.test_pred,
        "LSTM": lstm_a.test_pred,
        ENCODER: encoder_a.test_pred,
    },
    truth_a,
    list(binary.labels),
)
accuracy_a = models_a[("all", "accuracy")]
errors_a = {name: int(round((1 - acc) * len(truth_a))) for name, acc in accuracy_a.items()}
glue("enc_a_accuracy", float(accuracy_a[ENCODER]), display=False)
glue("tfidf_a_accuracy", float(accuracy_a[NAMES["tfidf_logreg"]]), display=False)
glue("enc_a_errors", errors_a[ENCODER], display=False)
glue("lstm_a_errors", errors_a["LSTM"], display=False)
glue("enc_a_fewer_errors", 1 - errors_a[ENCODER] / errors_a["LSTM"], display=False)
# Checked claims: the encoder is the most accurate of the three, and better than
# the LSTM on every class's precision, recall and F1.
assert accuracy_a.idxmax() == ENCODER
assert (models_a.loc[ENCODER] > models_a.loc["LSTM"]).all()
models_a.round(3)

# %% [markdown]
# The fine-tuned encoder is right on {glue:text}`enc_a_accuracy:.3f` of the test
# snippets, against {glue:text}`a_accuracy:.3f` for the LSTM and
# {glue:text}`tfidf_a_accuracy:.3f` for the linear model: it makes
# {glue:text}`enc_a_errors` mistakes where the LSTM makes
# {glue:text}`lstm_a_errors`, {glue:text}`enc_a_fewer_errors:.0%` fewer, and it
# is ahead of the LSTM on every cell of the table, as the assertion checks.

# %% [markdown]
# ## Task (b): three classes, four domains
#
# Three classes change the picture, because they are not balanced.

# %%
truth_b = three.test["label"].to_numpy()
pred_b = np.asarray(lstm_b.test_pred)
labels_b = list(three.labels)
matrix_b = confusion_frame(truth_b, pred_b, labels=labels_b)
fig, axes = plt.subplots(1, 2, figsize=(9.0, 3.8))
plot_confusion_matrix(truth_b, pred_b, labels=labels_b, ax=axes[0], title="counts")
plot_confusion_matrix(
    truth_b, pred_b, labels=labels_b, normalize="true", ax=axes[1], title="share of each true class"
)
glue("fig_confusion_b", fig, display=False)
plt.close(fig)
matrix_b

# %% [markdown]
# ```{glue:figure} fig_confusion_b
# :name: fig-confusion-b
#
# Confusion matrix of the task (b) LSTM (the one chapter 8 saved) on the test split:
# counts (left) and the same rows divided by the number of texts of each true
# class (right), whose diagonal is the recall of each class.
# ```
#
# In a multi-class matrix, each class has its own $TP$, $FP$ and $FN$: for class
# $k$, $TP$ is the diagonal cell, $FN$ the rest of row $k$, and $FP$ the rest of
# column $k$. The **neutral** class, from the matrix:

# %%
k = "neutral"
tp_n = int(matrix_b.loc[k, k])
fn_n = int(matrix_b.loc[k].sum() - tp_n)
fp_n = int(matrix_b[k].sum() - tp_n)
precision_n = tp_n / (tp_n + fp_n)
recall_n = tp_n / (tp_n + fn_n)
f1_n = 2 * precision_n * recall_n / (precision_n + recall_n)
report_b = classification_report_frame(truth_b, pred_b, labels=labels_b)
np.testing.assert_allclose(
    [precision_n, recall_n, f1_n],
    report_b.loc[k, ["precision", "recall", "f1-score"]].to_numpy(dtype=float),
)
support = report_b.loc[labels_b, "support"].to_numpy(dtype=float)
class_f1 = report_b.loc[labels_b, "f1-score"].to_numpy(dtype=float)
macro, weighted = float(class_f1.mean()), float(support @ class_f1 / support.sum())
np.testing.assert_allclose(
    [macro, weighted], report_b.loc[["macro avg", "weighted avg"], "f1-score"]
)
for name, value in dict(tp=tp_n, fn=fn_n, fp=fp_n, support=int(tp_n + fn_n)).items():
    glue(f"n_{name}", value, display=False)
for name, value in dict(precision=precision_n, recall=recall_n, f1=f1_n).items():
    glue(f"n_{name}", float(value), display=False)
glue("b_macro_f1", macro, display=False)
glue("b_weighted_f1", weighted, display=False)
# What the benchmark records: the LSTM's and the encoder's task (b) scores.
glue(
    "headline_metrics",
    ["b_accuracy", "b_macro_f1", "enc_b_accuracy", "enc_b_macro_f1"],
    display=False,
)
glue("b_accuracy", float(report_b.loc["accuracy", "f1-score"]), display=False)
glue("b_neutral_share", float((truth_b == "neutral").mean()), display=False)
print(f"neutral: precision = {tp_n} / ({tp_n} + {fp_n}) = {precision_n:.4f}")
print(f"         recall    = {tp_n} / ({tp_n} + {fn_n}) = {recall_n:.4f}")
print(f"         F1        = {f1_n:.4f}")
print(f"macro F1 = mean of {np.round(class_f1, 4)} = {macro:.4f}")
print(f"weighted F1 = supports {support.astype(int)} . F1s / {int(support.sum())} = {weighted:.4f}")
report_b.round(3)

# %% [markdown]
# The neutral class is where the model is weak. Only
# {glue:text}`b_neutral_share:.1%` of the test texts are neutral
# ({glue:text}`n_support` of them), and the LSTM finds {glue:text}`n_tp`: recall
# {glue:text}`n_recall:.3f`. When it does say neutral it is right in
# {glue:text}`n_tp` of {glue:text}`n_tp` + {glue:text}`n_fp` cases, precision
# {glue:text}`n_precision:.3f`, so its neutral $F_1$ is {glue:text}`n_f1:.3f`.
#
# This is why two averages exist. The **macro F1** is the plain mean of the three
# class F1 scores, {glue:text}`b_macro_f1:.3f`: the rare neutral class counts as
# much as the others, so the weakness shows. The **weighted F1** weights each
# class by its support, {glue:text}`b_weighted_f1:.3f`: close to the accuracy of
# {glue:text}`b_accuracy:.3f`, because the frequent classes dominate. A product
# that must catch neutral texts should be judged by the macro average (or by the
# neutral recall itself); one that cares about the bulk of messages, by the
# weighted average.

# %%
assert recall_n < min(report_b.loc[["negative", "positive"], "recall"])
assert macro < weighted

# %% [markdown]
# The same three models as for task (a), one row each:

# %%
tfidf_b = sm.runs_of(results["all_3class"], "tfidf_logreg")[0]
models_b = model_report(
    {
        NAMES["tfidf_logreg"]: tfidf_b.test_pred,
        "LSTM": lstm_b.test_pred,
        ENCODER: encoder_b.test_pred,
    },
    truth_b,
    labels_b,
)
glue("enc_b_accuracy", float(models_b.loc[ENCODER, ("all", "accuracy")]), display=False)
glue("enc_b_macro_f1", float(models_b.loc[ENCODER, ("all", "macro F1")]), display=False)
glue(
    "tfidf_b_macro_f1",
    float(models_b.loc[NAMES["tfidf_logreg"], ("all", "macro F1")]),
    display=False,
)
glue("enc_n_recall", float(models_b.loc[ENCODER, ("neutral", "recall")]), display=False)
glue("enc_n_precision", float(models_b.loc[ENCODER, ("neutral", "precision")]), display=False)
glue("enc_n_f1", float(models_b.loc[ENCODER, ("neutral", "F1")]), display=False)
recalls_enc = models_b.loc[ENCODER, [(label, "recall") for label in labels_b]]
# Checked claims: the encoder has the best accuracy and macro F1 of the three and
# finds more neutral texts than the LSTM, but neutral stays its weakest class.
assert models_b[("all", "accuracy")].idxmax() == models_b[("all", "macro F1")].idxmax() == ENCODER
assert models_b.loc[ENCODER, ("neutral", "recall")] > models_b.loc["LSTM", ("neutral", "recall")]
assert recalls_enc.idxmin() == ("neutral", "recall")
models_b.round(3)

# %% [markdown]
# The encoder reaches an accuracy of {glue:text}`enc_b_accuracy:.3f` and a macro
# F1 of {glue:text}`enc_b_macro_f1:.3f` (the linear model's macro F1:
# {glue:text}`tfidf_b_macro_f1:.3f`). It finds more of the neutral texts than the
# LSTM (recall {glue:text}`enc_n_recall:.3f`, precision
# {glue:text}`enc_n_precision:.3f`, F1 {glue:text}`enc_n_f1:.3f`), yet neutral
# remains its weakest class too: a rare class whose label is itself fragile is
# hard for every model.

# %% [markdown]
# ## Per domain, next to the VADER paper
#
# Task (b) mixes four domains. We now score each model on the test texts of one
# domain at a time and put the results next to two references:
#
# - **The VADER paper's published numbers** {cite:p}`hutto2014vader`. Its Table 4
#   gives the 3-class F1 of *individual human raters* and of the *VADER* analyzer
#   per domain; its Table 5 gives Naive Bayes (NB) and maximum entropy (MaxEnt,
#   i.e. logistic regression) models trained on half of one domain and tested on
#   the other half. These are the paper's numbers, typed from its tables, not
#   ours.
# - **The human agreement measured in the data card**: how well one rater's label
#   matches the label of the mean of the *other* raters of the same snippet
#   (`helpers.data.human_agreement`, computed on all snippets of the domain).

# %%
PAPER = {  # Hutto & Gilbert (2014): Table 4 (3-class overall F1) and Table 5 (in-domain F1)
    "paper: individual human raters (Table 4)": {
        "tweets": 0.84,
        "movie": 0.92,
        "product": 0.85,
        "editorial": 0.65,
    },
    "paper: VADER (Table 4)": {"tweets": 0.96, "movie": 0.61, "product": 0.63, "editorial": 0.55},
    "paper: Naive Bayes, same domain (Table 5)": {
        "tweets": 0.84,
        "movie": 0.75,
        "product": 0.61,
        "editorial": 0.49,
    },
    "paper: MaxEnt, same domain (Table 5)": {
        "tweets": 0.83,
        "movie": 0.75,
        "product": 0.60,
        "editorial": 0.50,
    },
}
domains = ["tweets", "movie", "product", "editorial"]
test_domain = three.test["domain"].to_numpy()


def per_domain_f1(predicted, average):
    predicted = np.asarray(predicted)
    return {
        d: float(
            f1_score(
                truth_b[test_domain == d],
                predicted[test_domain == d],
                labels=labels_b,
                average=average,
            )
        )
        for d in domains
    }


SCRATCH = ("tfidf_logreg", "bag", "lstm", "bilstm")  # trained on the task only
METHODS = ("vader", *SCRATCH, "minilm_finetuned")
runs_b = {method: sm.runs_of(results["all_3class"], method) for method in METHODS[:-1]}
runs_b["minilm_finetuned"] = [encoder_b]
ours = {}
for method, runs in runs_b.items():
    for average in ("macro", "weighted"):
        scores = pd.DataFrame([per_domain_f1(r.test_pred, average) for r in runs])
        ours[(method, average)] = scores.mean()
        if len(runs) > 1:
            ours[(method, average + "_std")] = scores.std(ddof=1)

agreement = human_agreement(load_vader("all")).set_index("domain")
rows = {name: pd.Series(values) for name, values in PAPER.items()}
rows["data card: one rater vs the others (macro F1)"] = agreement["macro_f1"]
rows["data card: one rater vs the others (accuracy)"] = agreement["accuracy"]
for method in METHODS:
    for average in ("macro", "weighted"):
        rows[f"ours: {NAMES[method]} ({average} F1)"] = ours[(method, average)]
domain_table = pd.DataFrame(rows).T[domains]
domain_table.round(2)

# %%
for d in domains:
    for method in ("vader", "tfidf_logreg", "lstm", "minilm_finetuned"):
        for average in ("macro", "weighted"):
            glue(f"dom_{method}_{average}_{d}", float(ours[(method, average)][d]), display=False)
    glue(f"dom_lstm_macro_std_{d}", float(ours[("lstm", "macro_std")][d]), display=False)
    glue(f"human_macro_{d}", float(agreement.loc[d, "macro_f1"]), display=False)
    glue(f"human_accuracy_{d}", float(agreement.loc[d, "accuracy"]), display=False)
vader_paper = PAPER["paper: VADER (Table 4)"]
vader_gap = {d: vader_paper[d] - ours[("vader", "weighted")][d] for d in domains}
for d in domains:
    glue(f"vader_gap_{d}", float(vader_gap[d]), display=False)
# Checked claims of the text below:
# our VADER is far below the published tweet score, and within 0.05 of it elsewhere;
assert vader_gap["tweets"] > 0.05 and all(
    abs(vader_gap[d]) < 0.05 for d in ("movie", "product", "editorial")
)
# by weighted F1, editorials are the hardest domain for every method;
for method in METHODS:
    assert ours[(method, "weighted")].idxmin() == "editorial", method
# by macro F1, every model trained from scratch is below the data card's single
# rater on every domain, and the encoder is above every one of them on every domain.
rater = agreement["macro_f1"].reindex(domains)
for method in SCRATCH:
    assert (ours[(method, "macro")] < rater).all(), method
    assert (ours[("minilm_finetuned", "macro")] > ours[(method, "macro")]).all(), method
# Where the encoder reaches the single rater, said in words from the numbers:
DOMAIN_WORDS = {
    "tweets": "tweets",
    "movie": "movies",
    "product": "products",
    "editorial": "editorials",
}
reached = [DOMAIN_WORDS[d] for d in domains if ours[("minilm_finetuned", "macro")][d] >= rater[d]]
short = [DOMAIN_WORDS[d] for d in domains if ours[("minilm_finetuned", "macro")][d] < rater[d]]


def in_words(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


if not reached:
    rater_sentence = "it stays below the single rater on every domain"
elif not short:
    rater_sentence = "it reaches the single rater on every domain"
else:
    rater_sentence = (
        f"it reaches the single rater on {in_words(reached)} and stays below on {in_words(short)}"
    )
glue("enc_rater_sentence", rater_sentence, display=False)
# the movie domain's neutral class is nearly never found, so its F1 is near 0.
movie_rows = test_domain == "movie"
movie_neutral_f1 = {
    method: float(
        np.mean(
            [
                f1_score(
                    truth_b[movie_rows],
                    np.asarray(r.test_pred)[movie_rows],
                    labels=["neutral"],
                    average="macro",
                    zero_division=0,
                )
                for r in sm.runs_of(results["all_3class"], method)
            ]
        )
    )
    for method in SCRATCH
}
assert max(movie_neutral_f1.values()) < 0.15
glue("movie_neutral_f1_max", max(movie_neutral_f1.values()), display=False)
enc_movie_neutral_f1 = float(
    f1_score(
        truth_b[movie_rows],
        np.asarray(encoder_b.test_pred)[movie_rows],
        labels=["neutral"],
        average="macro",
        zero_division=0,
    )
)
glue("enc_movie_neutral_f1", enc_movie_neutral_f1, display=False)
# VADER reaches the single rater on tweets only.
vader_vs_rater = ours[("vader", "macro")] >= agreement["macro_f1"].reindex(domains)
assert vader_vs_rater.tolist() == [d == "tweets" for d in domains]
glue(
    "movie_neutral_test_share",
    float(np.mean(truth_b[test_domain == "movie"] == "neutral")),
    display=False,
)

# %% [markdown]
# How to read this table, carefully:
#
# - **The protocols differ.** The paper trained NB and MaxEnt on half of *one*
#   domain; our models train on 70 % of *all four* domains at once and are scored
#   per domain. The paper does not say how it averaged F1 over the three classes,
#   so we show both averages; and how it scored an *individual rater* is not
#   fully described either. Its numbers are a reference, not a like-for-like
#   comparison.
# - **Our VADER is not the paper's VADER on tweets.** Running the released
#   analyzer (`vaderSentiment` 3.3.2) on our tweet test texts gives a weighted F1
#   of {glue:text}`dom_vader_weighted_tweets:.2f` (macro
#   {glue:text}`dom_vader_macro_tweets:.2f`), not the published 0.96. On the other
#   three domains our weighted F1 is within 0.05 of the paper's (for example
#   {glue:text}`dom_vader_weighted_movie:.2f` against 0.61 on movies). Possible
#   reasons: the released tool has been revised since the paper (it is at version
#   3.3.2), the paper scored all 4,200 tweets (we score our test split), and its
#   averaging is unknown. This is a reason to re-measure a published baseline
#   rather than copy it.
# - **Editorials are hardest.** By weighted F1, editorials are the weakest domain
#   of every method in the table (the LSTM: {glue:text}`dom_lstm_weighted_editorial:.2f`,
#   against {glue:text}`dom_lstm_weighted_tweets:.2f` on tweets; the encoder:
#   {glue:text}`dom_minilm_finetuned_weighted_editorial:.2f` against
#   {glue:text}`dom_minilm_finetuned_weighted_tweets:.2f`), and the paper's
#   human raters are also at their lowest there (0.65). In the data card one rater
#   agrees with the others' label on only {glue:text}`human_accuracy_editorial:.1%`
#   of editorial snippets, against {glue:text}`human_accuracy_movie:.1%` of movie
#   snippets: opinion prose is often mildly toned, and people disagree about it.
#   (By macro F1 the movie domain looks as bad, for another reason: its neutral
#   class holds {glue:text}`movie_neutral_test_share:.1%` of its test texts, so its
#   F1 is near 0, at most {glue:text}`movie_neutral_f1_max:.2f` for any model
#   trained from scratch ({glue:text}`enc_movie_neutral_f1:.2f` for the encoder),
#   and pulls the mean down.)
# - **Against human agreement**: by macro F1, the data card's single rater scores
#   {glue:text}`human_macro_tweets:.2f` on tweets, {glue:text}`human_macro_movie:.2f`
#   on movies, {glue:text}`human_macro_product:.2f` on products and
#   {glue:text}`human_macro_editorial:.2f` on editorials, and **every model trained
#   from scratch is below that on every domain** (the LSTM:
#   {glue:text}`dom_lstm_macro_tweets:.2f`, {glue:text}`dom_lstm_macro_movie:.2f`,
#   {glue:text}`dom_lstm_macro_product:.2f`, {glue:text}`dom_lstm_macro_editorial:.2f`).
#   VADER reaches a single rater on tweets only, the domain it was built for. The
#   fine-tuned encoder is above every model trained from scratch on every domain
#   ({glue:text}`dom_minilm_finetuned_macro_tweets:.2f`,
#   {glue:text}`dom_minilm_finetuned_macro_movie:.2f`,
#   {glue:text}`dom_minilm_finetuned_macro_product:.2f`,
#   {glue:text}`dom_minilm_finetuned_macro_editorial:.2f`), and
#   {glue:text}`enc_rater_sentence`. The comparison, if anything, favours the
#   models: they are scored against the mean of all the raters, a steadier target
#   than the mean of the *others* that each rater is scored against. So the gap is
#   real: a typical single person agrees with the crowd better than any model we
#   trained from scratch, and pre-training is what narrows that gap.

# %% [markdown]
# ## What the models get wrong
#
# ### The most confident mistakes
#
# The LSTM outputs a probability per class. Its most confident wrong answers are
# worth reading: they show either what it has not learned, or labels that are
# themselves debatable.

# %%
proba_b = np.asarray(lstm_b.test_proba)
confidence = proba_b.max(axis=1)
wrong = pred_b != truth_b
mistakes = three.test.assign(predicted=pred_b, confidence=confidence)[wrong]
top = mistakes.sort_values("confidence", ascending=False).head(8)
glue("n_wrong", int(wrong.sum()), display=False)
glue("top_confidence_min", float(top["confidence"].min()), display=False)
glue("top_called_positive", int((top["predicted"] == "positive").sum()), display=False)
glue("top_neutral_truth", int((top["label"] == "neutral").sum()), display=False)
with pd.option_context("display.max_colwidth", 120):
    display(top[["domain", "text", "rating", "label", "predicted", "confidence"]].round(3))

# %% [markdown]
# Of {glue:text}`n_wrong:,` mistakes, these eight were made with a probability of
# at least {glue:text}`top_confidence_min:.2f`; {glue:text}`top_called_positive` of
# them are texts the model called positive. Read them against the mean human
# rating in the `rating` column. {glue:text}`top_neutral_truth` of the eight are
# *neutral* by the raters' mean, a rating inside the band $|r| \le 0.2$ where
# the human label is itself fragile; others use positive words for a negative
# point (irony, a compliment followed by a complaint), which a model that leans on
# single words misreads.
#
# The fine-tuned encoder's most confident mistakes, the same way:

# %%
enc_pred_b = np.asarray(encoder_b.test_pred)
enc_wrong = enc_pred_b != truth_b
enc_mistakes = three.test.assign(
    predicted=enc_pred_b, confidence=np.asarray(encoder_b.test_proba).max(axis=1)
)[enc_wrong]
enc_top = enc_mistakes.sort_values("confidence", ascending=False).head(8)
glue("enc_n_wrong", int(enc_wrong.sum()), display=False)
glue("enc_fixed", int((wrong & ~enc_wrong).sum()), display=False)
glue("enc_shared", int((wrong & enc_wrong).sum()), display=False)
glue("enc_new", int((~wrong & enc_wrong).sum()), display=False)
glue("enc_top_confidence_min", float(enc_top["confidence"].min()), display=False)
glue(
    "enc_top_neutral",
    int((enc_top[["label", "predicted"]] == "neutral").any(axis=1).sum()),
    display=False,
)
# Share of each model's mistakes that involve the neutral class (as truth or as answer).
neutral_share = {
    name: float(np.mean((truth_b[mask] == "neutral") | (predicted[mask] == "neutral")))
    for name, predicted, mask in (("lstm", pred_b, wrong), ("encoder", enc_pred_b, enc_wrong))
}
glue("lstm_mistakes_neutral", neutral_share["lstm"], display=False)
glue("enc_mistakes_neutral", neutral_share["encoder"], display=False)
# Checked claims: the encoder corrects more of the LSTM's mistakes than it adds,
# and a larger share of what is left involves the neutral class.
assert (wrong & ~enc_wrong).sum() > (~wrong & enc_wrong).sum()
assert neutral_share["encoder"] > neutral_share["lstm"]
with pd.option_context("display.max_colwidth", 120):
    display(enc_top[["domain", "text", "rating", "label", "predicted", "confidence"]].round(3))

# %% [markdown]
# The encoder makes {glue:text}`enc_n_wrong:,` mistakes. Of the LSTM's
# {glue:text}`n_wrong:,`, it corrects {glue:text}`enc_fixed:,` and repeats
# {glue:text}`enc_shared:,`; it adds {glue:text}`enc_new:,` of its own. What is
# left leans further towards the fragile middle of the scale:
# {glue:text}`enc_mistakes_neutral:.0%` of its mistakes have *neutral* as the
# true label or as the answer, against {glue:text}`lstm_mistakes_neutral:.0%` of
# the LSTM's, and {glue:text}`enc_top_neutral` of its eight most confident
# mistakes do (all made with a probability of at least
# {glue:text}`enc_top_confidence_min:.2f`). Read them, too, against the mean
# human rating in the `rating` column.
#
# ### Negation and contrast
#
# A bag of words cannot tell "good" from "not good" except through the pair
# "not good"; an LSTM reads the words in order and could, in principle, learn to
# flip. VADER has explicit rules for both negation and "but". We measure the
# accuracy of each method on the test texts that contain a negation (*not*,
# *n't*, *never*, *no*) or the contrast *but*, against the rest:

# %%
NEGATION = re.compile(r"\b(?:not|never|no)\b|n't\b", re.IGNORECASE)
CONTRAST = re.compile(r"\bbut\b", re.IGNORECASE)
texts_b = three.test["text"]
subsets = {
    "negation": texts_b.str.contains(NEGATION).to_numpy(),
    "but": texts_b.str.contains(CONTRAST).to_numpy(),
}
subsets["neither"] = ~(subsets["negation"] | subsets["but"])


def accuracy_on(predicted, mask):
    return float(np.mean(np.asarray(predicted)[mask] == truth_b[mask]))


rows = {}
for method, runs in runs_b.items():
    rows[NAMES[method]] = {
        name: np.mean([accuracy_on(r.test_pred, mask) for r in runs])
        for name, mask in subsets.items()
    }
subset_table = pd.DataFrame(rows).T
subset_table.loc["test texts"] = {name: int(mask.sum()) for name, mask in subsets.items()}
for name, mask in subsets.items():
    glue(f"subset_{name}_n", int(mask.sum()), display=False)
    for method in ("vader", "tfidf_logreg", "lstm", "minilm_finetuned"):
        glue(f"subset_{name}_{method}", float(rows[NAMES[method]][name]), display=False)
lstm_neg_drop = rows["LSTM"]["neither"] - rows["LSTM"]["negation"]
glue("lstm_negation_drop", float(100 * lstm_neg_drop), display=False)
enc_neg_drop = rows[ENCODER]["neither"] - rows[ENCODER]["negation"]
glue("enc_negation_drop", float(100 * enc_neg_drop), display=False)
assert 0 < enc_neg_drop < 0.7 * lstm_neg_drop  # "about half of the LSTM's drop"
# The encoder is the best method on each subset.
for name in subsets:
    assert max(rows, key=lambda method: rows[method][name]) == ENCODER, name
glue("train_negated", int(three.train["text"].str.contains(NEGATION).sum()), display=False)
# Checked claims: every method does worse on negated texts than on the rest, and the
# LSTM is not better than the logistic regression on negated or "but" texts.
assert all(row["negation"] < row["neither"] for row in rows.values())
assert rows["LSTM"]["negation"] < rows["TF-IDF + logistic regression"]["negation"]
assert rows["LSTM"]["but"] < rows["TF-IDF + logistic regression"]["but"]
subset_table.round(3)

# %% [markdown]
# All methods do worse on texts with a negation: the LSTM's accuracy is
# {glue:text}`subset_negation_lstm:.3f` on the {glue:text}`subset_negation_n`
# negated test texts against {glue:text}`subset_neither_lstm:.3f` on texts with
# neither a negation nor "but", a drop of {glue:text}`lstm_negation_drop:.1f`
# points. Texts with "but" are harder too (LSTM
# {glue:text}`subset_but_lstm:.3f`, logistic regression
# {glue:text}`subset_but_tfidf_logreg:.3f`, VADER {glue:text}`subset_but_vader:.3f`).
# Reading the words in order did **not** give the LSTM an edge on these subsets
# over the bag-of-words logistic regression: only {glue:text}`train_negated:,`
# training texts contain a negation, too few examples to learn how it flips a
# sentence's meaning.
#
# The fine-tuned encoder is the best method on every subset: on negated texts it
# reaches {glue:text}`subset_negation_minilm_finetuned:.3f`, on texts with "but"
# {glue:text}`subset_but_minilm_finetuned:.3f`. Negation still costs it
# {glue:text}`enc_negation_drop:.1f` points against the texts with neither, about
# half of the LSTM's drop. Its self-attention relates every word to every other,
# and it was pretrained on far more text, with far more negations in it, than
# the {glue:text}`train_negated:,` negated snippets the LSTM had to learn from.
#
# ### Text length
#
# Longer texts contain more evidence, but also more mixed feelings, and texts
# beyond the sequence length are truncated. Accuracy per length bin:

# %%
counts_b = sm.token_counts(texts_b)
bins = [0, 8, 16, 24, 32, 48, 200]
bin_labels = [
    f"{lo + 1}-{hi}" if hi < 200 else f"> {lo}" for lo, hi in zip(bins[:-1], bins[1:], strict=True)
]
length_bin = pd.cut(counts_b, bins=bins, labels=bin_labels)
length_rows = {}
for method in ("vader", "tfidf_logreg", "lstm", "minilm_finetuned"):
    length_rows[NAMES[method]] = {
        b: np.mean([accuracy_on(r.test_pred, np.asarray(length_bin == b)) for r in runs_b[method]])
        for b in bin_labels
    }
length_table = pd.DataFrame(length_rows)
length_table["test texts"] = [int((length_bin == b).sum()) for b in bin_labels]

fig, ax = plt.subplots(figsize=(6.4, 3.2))
for color, method in zip(
    COURSE_COLORS,
    ("VADER (rule-based)", "TF-IDF + logistic regression", "LSTM", ENCODER),
    strict=False,
):
    ax.plot(bin_labels, length_table[method], marker="o", color=color, label=method)
ax.set(xlabel="tokens in the text", ylabel="test accuracy")
ax.legend()
glue("fig_length_accuracy", fig, display=False)
plt.close(fig)
lstm_by_length = length_table["LSTM"]
linear_by_length = length_table["TF-IDF + logistic regression"]
glue("lstm_short_acc", float(lstm_by_length.iloc[0]), display=False)
glue("lstm_long_acc", float(lstm_by_length.loc["33-48"]), display=False)
glue("linear_short_acc", float(linear_by_length.iloc[0]), display=False)
glue("linear_long_acc", float(linear_by_length.loc["33-48"]), display=False)
glue("longest_bin_n", int(length_table["test texts"].iloc[-1]), display=False)
glue("sequence_length_b", lstm_b.extra["sequence_length"], display=False)
lstm_loss = lstm_by_length.iloc[0] - lstm_by_length.loc["33-48"]
linear_loss = linear_by_length.iloc[0] - linear_by_length.loc["33-48"]
# Checked claim: the LSTM loses much more accuracy on long texts than the linear model.
assert lstm_loss > 2 * linear_loss and lstm_by_length.loc["33-48"] < linear_by_length.loc["33-48"]
encoder_by_length = length_table[ENCODER]
glue("enc_short_acc", float(encoder_by_length.iloc[0]), display=False)
glue("enc_long_acc", float(encoder_by_length.loc["33-48"]), display=False)
glue("enc_max_length", int(encoder_b.config["max_length"]), display=False)
# ... and the encoder is ahead of the other three methods in every length bin
# but the longest, whose few texts rank nobody.
leaders = length_table.drop(columns="test texts").iloc[:-1].idxmax(axis=1)
assert (leaders == ENCODER).all()
length_table.round(3)

# %% [markdown]
# ```{glue:figure} fig_length_accuracy
# :name: fig-length-accuracy
#
# Test accuracy of four methods on task (b) by the number of tokens in the text
# (LSTM: mean over the three seeds; the encoder: the course's model).
# ```
#
# On short texts the LSTM and the logistic regression are level
# ({glue:text}`lstm_short_acc:.3f` and {glue:text}`linear_short_acc:.3f` for 1-8
# tokens). On texts of 33-48 tokens the LSTM falls to
# {glue:text}`lstm_long_acc:.3f` while the logistic regression holds
# {glue:text}`linear_long_acc:.3f`. Longer texts are harder for every method (they
# mix feelings more often), but the LSTM suffers most: everything it knows about
# the text must pass through its 32-number state at the last token, and texts
# beyond {glue:text}`sequence_length_b` tokens are cut, end first. (The longest bin
# holds only {glue:text}`longest_bin_n` test texts, so its accuracy is noisy.) A
# bag of words has neither limit, and neither, in practice, has the encoder: it
# reads up to {glue:text}`enc_max_length` word pieces, and its attention looks
# at all of them at once instead of squeezing them through one state. It leads in
# every length bin up to 48 tokens, from {glue:text}`enc_short_acc:.3f` on the
# shortest texts to {glue:text}`enc_long_acc:.3f` on texts of 33-48 tokens.

# %% [markdown]
# ## Pushing the network
#
# The literature and chapter 8 agree: a network trained from scratch on
# {glue:text}`movie_train_rows:,` labelled snippets lands near, here below, a
# linear model over word pairs. What could lift
# it, without outside data we do not have? We tried the ideas that fit this data:
#
# - **regularization and size**: a larger embedding (64) with dropout 0.5 before
#   the output layer;
# - **more data**: training the task (a) network on the other three domains'
#   training texts too (positive and negative only; no movie test text is in them);
# - **the continuous rating**: a regression on the mean human rating / 4 (a
#   `tanh` output, mean squared error) instead of the thresholded label, turned
#   into a label by its sign;
# - **VADER's score as an input**: VADER's four sentence scores (negative,
#   neutral, positive, compound) are concatenated to the text representation
#   before the output layer; and the same for the bag of embeddings.
#
# To fit the time budget, this screening trains each variant **once**, with seed
# {glue:text}`push_seed`, on task (a), next to the chapter 8 LSTM with the same
# seed. A single run differs from the next seed by about the standard deviation of
# chapter 8's table ({glue:text}`lstm_a_std:.3f` for the LSTM on task (a)), so only
# differences well above that mean something. Everything in this section is judged
# by **validation** accuracy, as one must when choosing: the test set is looked at
# once, at the end, for the model the search chose.

# %% tags=["remove-stderr"]
glue("push_seed", DEFAULT_SEED, display=False)
glue("extra_rows", len(binary.extra_train), display=False)
glue("movie_train_rows", len(binary.train), display=False)
glue("three_train_rows", len(three.train), display=False)
lstm_a_accuracies = [r.accuracy(truth_a) for r in sm.runs_of(results["movie_binary"], "lstm")]
glue("lstm_a_std", float(np.std(lstm_a_accuracies, ddof=1)), display=False)
variants = {
    "LSTM (chapter 8)": sm.ModelConfig(kind="lstm"),
    "LSTM, embedding 64 + dropout 0.5": sm.ModelConfig(kind="lstm", embedding_dim=64, dropout=0.5),
    "LSTM, trained on all four domains": sm.ModelConfig(kind="lstm", train_domains="all"),
    "LSTM, regression on the mean rating": sm.ModelConfig(kind="lstm", target="rating"),
    "LSTM + VADER scores as input": sm.ModelConfig(kind="lstm", vader_input=True),
    "Bag of embeddings + VADER scores as input": sm.ModelConfig(kind="bag", vader_input=True),
}
screen = {}
for name, config in variants.items():
    (run,) = sm.run_neural(binary, config, seeds=(DEFAULT_SEED,))
    screen[name] = {
        "validation accuracy": run.validation_accuracy,
        "best epoch": run.best_epoch,
        "parameters": run.n_params,
    }
screen_table = pd.DataFrame(screen).T
base_val = screen_table.loc["LSTM (chapter 8)", "validation accuracy"]
screen_table["validation gain (points)"] = 100 * (screen_table["validation accuracy"] - base_val)
gains = screen_table["validation gain (points)"].drop("LSTM (chapter 8)")
lstm_std_points = 100 * float(np.std(lstm_a_accuracies, ddof=1))
best_variant = gains.idxmax()
glue("screen_max_gain", float(gains.abs().max()), display=False)
glue("screen_best_lower", best_variant[0].lower() + best_variant[1:], display=False)
glue("screen_best_gain", float(gains.max()), display=False)
# Checked claims: no variant moves validation accuracy by more than two seed standard
# deviations, and the best one on validation is the bag of embeddings with VADER's scores.
assert gains.abs().max() < 2 * lstm_std_points
assert best_variant == "Bag of embeddings + VADER scores as input"
screen_table.round(4)

# %% [markdown]
# The screening's lesson is sobering: on validation, **no variant moves the
# result by more than {glue:text}`screen_max_gain:.1f` points**, within two
# seed-to-seed standard deviations. Regularization, a larger embedding,
# {glue:text}`extra_rows:,` more training texts from the other domains (the movie
# training set has {glue:text}`movie_train_rows:,`), and the continuous rating all
# leave the LSTM where it was. The best on validation is the
# {glue:text}`screen_best_lower` ({glue:text}`screen_best_gain:+.1f` points), the
# cheapest model that uses VADER's knowledge.
#
# We confirm it properly: three seeds, both tasks. And because VADER's scores are
# *extra information*, the fair opponent is the logistic regression given the same
# four scores next to its TF-IDF features.

# %% tags=["remove-stderr"]
best_config = variants["Bag of embeddings + VADER scores as input"]
NETWORKS = ["Bag of embeddings", "LSTM", "Bidirectional LSTM", "Bag of embeddings + VADER scores"]
LINEAR = ["TF-IDF + logistic regression", "TF-IDF + VADER scores + logistic regression"]
candidates = {}  # task -> displayed name -> the runs of that method
for data in (binary, three):
    linear_vader = sm.cached_result(
        f"{data.name}-tfidf_logreg_vader",
        sm.cache_key(task=data.fingerprint(), method="tfidf_logreg_vader"),
        lambda data=data: sm.tfidf_logreg_baseline(data, vader_input=True),
    )
    candidates[data.name] = {
        "Bag of embeddings": sm.runs_of(results[data.name], "bag"),
        "LSTM": sm.runs_of(results[data.name], "lstm"),
        "Bidirectional LSTM": sm.runs_of(results[data.name], "bilstm"),
        "Bag of embeddings + VADER scores": sm.run_neural(data, best_config),
        "TF-IDF + logistic regression": sm.runs_of(results[data.name], "tfidf_logreg"),
        "TF-IDF + VADER scores + logistic regression": [linear_vader],
    }
validation = pd.DataFrame(
    {
        task: {
            name: float(np.mean([r.validation_accuracy for r in runs])) for name, runs in by.items()
        }
        for task, by in candidates.items()
    }
)
validation.round(4)

# %%
verdict = {}
for task in candidates:
    column = validation[task]
    best_network = column[NETWORKS].idxmax()
    verdict[task] = {
        "best_network": best_network,
        "bag_vader": float(column["Bag of embeddings + VADER scores"]),
        "lstm": float(column["LSTM"]),
        "tfidf": float(column["TF-IDF + logistic regression"]),
        "tfidf_vader": float(column["TF-IDF + VADER scores + logistic regression"]),
        "best_overall": column.idxmax(),
    }
    for key, value in verdict[task].items():
        if isinstance(value, float):
            glue(f"val_{task}_{key}", value, display=False)
a, b = verdict["movie_binary"], verdict["all_3class"]
glue(
    "val_bag_vader_over_bag_b",
    float(100 * (b["bag_vader"] - validation.loc["Bag of embeddings", "all_3class"])),
    display=False,
)
# The verdict below, checked on validation: the best network is the bag of embeddings
# with VADER's scores, and the linear model given the same scores is ahead of it on
# both tasks, so it is the model the search chooses.
assert a["best_network"] == b["best_network"] == "Bag of embeddings + VADER scores"
assert a["tfidf_vader"] > a["bag_vader"] and b["tfidf_vader"] > b["bag_vader"]
assert a["best_overall"] == b["best_overall"] == "TF-IDF + VADER scores + logistic regression"

# %% [markdown]
# **The verdict, on validation.** The best network trained from scratch that we
# found is the bag of embeddings given VADER's scores: on task (b) VADER's
# scores lift it by {glue:text}`val_bag_vader_over_bag_b:.1f` points of
# validation accuracy, to
# {glue:text}`val_all_3class_bag_vader:.3f` (the plain TF-IDF model:
# {glue:text}`val_all_3class_tfidf:.3f`; task (a):
# {glue:text}`val_movie_binary_bag_vader:.3f` against
# {glue:text}`val_movie_binary_tfidf:.3f`). But the gain is not the network's:
# given the same four VADER scores, the **linear model is ahead on both tasks**
# ({glue:text}`val_movie_binary_tfidf_vader:.3f` and
# {glue:text}`val_all_3class_tfidf_vader:.3f`), and it is the model this search
# chooses. What lifted the network was knowledge that people put into VADER's
# lexicon, and a linear model uses that knowledge at least as well.
#
# Now, once, the test set, for the chosen model and, for the record, the best
# network:

# %%
final_test = pd.DataFrame(
    {
        task: {
            name: float(np.mean([r.accuracy(data.test["label"]) for r in candidates[task][name]]))
            for name in (
                "TF-IDF + VADER scores + logistic regression",
                "Bag of embeddings + VADER scores",
            )
        }
        for task, data in (("movie_binary", binary), ("all_3class", three))
    }
)
for task in final_test:
    glue(
        f"test_{task}_chosen",
        float(final_test.loc["TF-IDF + VADER scores + logistic regression", task]),
        display=False,
    )
    glue(
        f"test_{task}_bag_vader",
        float(final_test.loc["Bag of embeddings + VADER scores", task]),
        display=False,
    )
# What a look at the test set costs: pick the best of k equally good models by their
# test accuracy, and the winner's score is flattered by about E[max of k normals] * SE.
n_test_b = len(three.test)
p_b = final_test.loc["TF-IDF + VADER scores + logistic regression", "all_3class"]
standard_error_b = float(np.sqrt(p_b * (1 - p_b) / n_test_b))
k_looked = len(NETWORKS) + len(LINEAR)
expected_max = float(
    np.random.default_rng(0).standard_normal((200_000, k_looked)).max(axis=1).mean()
)
glue("test_se_points_b", 100 * standard_error_b, display=False)
glue("k_looked", k_looked, display=False)
glue("optimism_points_b", 100 * expected_max * standard_error_b, display=False)
assert 100 * expected_max * standard_error_b > 0.5  # the size of the margins in this section
final_test.round(4)

# %% [markdown]
# On the test set the chosen linear model scores
# {glue:text}`test_movie_binary_chosen:.3f` on task (a) and
# {glue:text}`test_all_3class_chosen:.3f` on task (b), the best network
# {glue:text}`test_movie_binary_bag_vader:.3f` and
# {glue:text}`test_all_3class_bag_vader:.3f`. Why not simply compare everything on
# the test set? Because every look spends it. Task (b)'s test accuracy has a
# standard error of about {glue:text}`test_se_points_b:.1f` points; pick the best
# of {glue:text}`k_looked` equally good models by their test scores, and the
# winner's score is flattered by about {glue:text}`optimism_points_b:.1f` points on
# average, as large as the margins this section is about. Chapter 8's table
# reported each method's test score once, as planned; a search like this one
# must choose on validation, or its winning margin measures luck.
#
# So, honestly: **on {glue:text}`movie_train_rows:,` (task (a)) to
# {glue:text}`three_train_rows:,` (task (b)) labelled snippets, with no outside
# text, no network trained from scratch beats a well-tuned linear model given the
# same inputs.**
#
# ### What pre-training adds
#
# What historically changed this is {term}`pre-training`: word vectors learned
# from billions of words of other text {cite:p}`kim2014convolutional`, and later
# whole language models pre-trained the same way {cite:p}`devlin2019bert`, which
# bring to a small task what its own data cannot teach. The fine-tuned encoder of
# chapter {doc}`ch08b_pretrained` is such a model: MiniLM
# {cite:p}`wang2020minilm`, trained further as a sentence encoder
# {cite:p}`reimers2019sentence` on text far beyond our snippets, then
# {term}`fine-tuned <fine-tuning>` on the same training part as every model
# above. It was never part of this section's search, and it does not need to be:
# judged the same way, on validation first, it is ahead of every candidate.
# (Chapter {doc}`ch08b_pretrained` also uses the encoder frozen, its sentence
# embeddings under a logistic regression; computing those embeddings again would
# take this chapter minutes, so that comparison stays there.)

# %%
encoders = {"movie_binary": encoder_a, "all_3class": encoder_b}
pretrained = {}
for task, data in (("movie_binary", binary), ("all_3class", three)):
    scratch_test = {
        name: float(np.mean([r.accuracy(data.test["label"]) for r in runs]))
        for name, runs in candidates[task].items()
    }
    pretrained[task] = {
        "validation: fine-tuned encoder": float(encoders[task].validation_accuracy),
        "validation: best model trained from scratch": float(validation[task].max()),
        "test: fine-tuned encoder": encoders[task].accuracy(data.test["label"]),
        "test: best model trained from scratch": max(scratch_test.values()),
    }
pretrained = pd.DataFrame(pretrained)
margins = {}
for task in pretrained:
    column = pretrained[task]
    margins[task] = {
        "val": 100 * (column.iloc[0] - column.iloc[1]),
        "test_best": 100 * (column.iloc[2] - column.iloc[3]),
    }
    for name, value in margins[task].items():
        glue(f"enc_margin_{task}_{name}", float(value), display=False)
    glue(f"enc_{task}_val", float(column.iloc[0]), display=False)
    glue(f"enc_{task}_test", float(column.iloc[2]), display=False)
# How much a look at each task's test set can flatter the best of k_looked models
# (as above for task (b)), against the encoder's margin over the best of them.
margin_over_optimism = {}
for task, data in (("movie_binary", binary), ("all_3class", three)):
    p_best = pretrained.loc["test: best model trained from scratch", task]
    optimism = 100 * expected_max * np.sqrt(p_best * (1 - p_best) / len(data.test))
    margin_over_optimism[task] = margins[task]["test_best"] / optimism
glue("enc_margin_over_optimism", float(min(margin_over_optimism.values())), display=False)
# The verdict, checked: on both tasks the encoder is ahead of every model trained
# from scratch on validation and on test, by more than twice what a look at the
# test set can flatter a winner.
for task in pretrained:
    assert margins[task]["val"] > 0 and margins[task]["test_best"] > 0, task
    assert margin_over_optimism[task] > 2, task
pretrained.round(4)

# %% [markdown]
# **The verdict, with pre-training.** On validation the fine-tuned encoder
# scores {glue:text}`enc_movie_binary_val:.3f` on task (a) and
# {glue:text}`enc_all_3class_val:.3f` on task (b),
# {glue:text}`enc_margin_movie_binary_val:.1f` and
# {glue:text}`enc_margin_all_3class_val:.1f` points above the best model trained
# from scratch. On the test set, looked at once for it as for the chosen linear
# model, it scores {glue:text}`enc_movie_binary_test:.3f` and
# {glue:text}`enc_all_3class_test:.3f`: **the pretrained encoder beats every model
# trained from scratch, by {glue:text}`enc_margin_movie_binary_test_best:.1f`
# points of test accuracy on task (a) and
# {glue:text}`enc_margin_all_3class_test_best:.1f` on task (b)** over the best of
# them, whichever it is.
# On each task the margin is at least {glue:text}`enc_margin_over_optimism:.1f`
# times what picking the best of {glue:text}`k_looked` models by their test
# scores would flatter a winner, so this one is not luck.
#
# The same labelled snippets, the same split, the same test set: the difference
# is what the encoder learned before it saw them. That is the edge the book's
# title speaks of, measured on its own task. The LSTM is still the right model to
# *learn* from: it is the smallest network that reads text in order, and every
# idea of this project (tokenizing, masking, early stopping, honest baselines)
# carries over to the large models, as chapter {doc}`ch08b_pretrained` shows.

# %% [markdown]
# ## Summary
#
# - On task (a) the saved-seed LSTM has precision {glue:text}`a_precision:.3f` and
#   recall {glue:text}`a_recall:.3f` for the positive class, computed by hand from
#   the confusion matrix and checked against scikit-learn.
# - On task (b) the **neutral class** is the weak spot (recall
#   {glue:text}`n_recall:.3f`), which the macro F1 ({glue:text}`b_macro_f1:.3f`)
#   shows and the weighted F1 ({glue:text}`b_weighted_f1:.3f`) hides. The
#   fine-tuned encoder finds more neutral texts (recall
#   {glue:text}`enc_n_recall:.3f`), but neutral is its weakest class too.
# - Per domain, editorials are hardest for the models as they are for people; the
#   paper's numbers were set beside ours with their different protocol stated, and
#   our re-measured VADER differs from the published one on tweets.
# - Negated texts cost every method accuracy; the LSTM's word order did not
#   handle negation better than word pairs did, while the fine-tuned encoder is
#   the best method on negated texts, on texts with "but", and on texts of every
#   length.
# - The best network trained from scratch (bag of embeddings + VADER's scores)
#   was chosen on validation, where the linear model given the same inputs was
#   ahead of it on both tasks; the test set was used once, for the chosen model,
#   because each extra look at it flatters the winner by about as much as the
#   margins at stake.
# - The pretrained encoder, fine-tuned on the same snippets, beats every model
#   trained from scratch on both tasks, on validation and on test: by
#   {glue:text}`enc_margin_movie_binary_test_best:.1f` and
#   {glue:text}`enc_margin_all_3class_test_best:.1f` points of test accuracy.

# %% [markdown]
# ## Exercises
#
# ```{exercise}
# :label: ch09-ex1
#
# Compute the precision, recall and F1 of the **negative** class of task (b) from
# `matrix_b` by hand, and check them against `report_b`.
# ```
#
# ```{exercise}
# :label: ch09-ex2
#
# Is the LSTM's drop on negated texts larger or smaller on task (a) than on task
# (b)? Compute it with `lstm_a.test_pred`.
# ```
#
# ```{exercise}
# :label: ch09-ex3
#
# The three LSTM seeds of task (b) make different mistakes. Average their
# probabilities (an *ensemble*) and compute the test accuracy. Does it beat the
# best single seed? Does it beat the logistic regression? (This is a look at the
# test set for curiosity's sake: the section above says what such looks cost.)
# ```
#
# ```{exercise}
# :label: ch09-ex4
#
# Our VADER weighted F1 on tweets is far from the published 0.96. Compute it on
# *all* 4,200 tweets instead of the test split. Does the gap close?
# ```

# %% [markdown]
# ```{solution-start} ch09-ex1
# :class: dropdown
# ```

# %%
k = "negative"
tp = matrix_b.loc[k, k]
fn = matrix_b.loc[k].sum() - tp
fp = matrix_b[k].sum() - tp
p_neg, r_neg = tp / (tp + fp), tp / (tp + fn)
f1_neg = 2 * p_neg * r_neg / (p_neg + r_neg)
np.testing.assert_allclose(
    [p_neg, r_neg, f1_neg], report_b.loc[k, ["precision", "recall", "f1-score"]], rtol=1e-9
)
round(float(p_neg), 4), round(float(r_neg), 4), round(float(f1_neg), 4)

# %% [markdown]
# ```{solution-end}
# ```
#
# ```{solution-start} ch09-ex2
# :class: dropdown
# ```

# %%
negated_a = binary.test["text"].str.contains(NEGATION).to_numpy()
correct_a = np.asarray(lstm_a.test_pred) == truth_a
drop_a = 100 * float(correct_a[~negated_a].mean() - correct_a[negated_a].mean())
glue("lstm_negation_drop_a", drop_a, display=False)
round(drop_a, 1)

# %% [markdown]
# The drop on task (a) is {glue:text}`lstm_negation_drop_a:.1f` points, against
# {glue:text}`lstm_negation_drop:.1f` on task (b).
#
# ```{solution-end}
# ```
#
# ```{solution-start} ch09-ex3
# :class: dropdown
# ```

# %%
lstm_runs_b = sm.runs_of(results["all_3class"], "lstm")
mean_proba = np.mean([r.test_proba for r in lstm_runs_b], axis=0)
ensemble = np.asarray(labels_b)[mean_proba.argmax(axis=1)]
ensemble_acc = float((ensemble == truth_b).mean())
best_seed_acc = max(r.accuracy(truth_b) for r in lstm_runs_b)
tfidf_acc_b = sm.runs_of(results["all_3class"], "tfidf_logreg")[0].accuracy(truth_b)
glue("ensemble_acc", ensemble_acc, display=False)
glue("best_seed_acc", best_seed_acc, display=False)
glue("tfidf_acc_b", tfidf_acc_b, display=False)
round(ensemble_acc, 4), round(best_seed_acc, 4), round(tfidf_acc_b, 4)

# %% [markdown]
# The ensemble scores {glue:text}`ensemble_acc:.3f`, the best single seed
# {glue:text}`best_seed_acc:.3f`, the logistic regression
# {glue:text}`tfidf_acc_b:.3f`. Averaging usually gains a little over the typical
# seed, because the seeds' errors are partly independent.
#
# ```{solution-end}
# ```
#
# ```{solution-start} ch09-ex4
# :class: dropdown
# ```

# %%
tweets = load_vader("tweets")
all_tweets_f1 = float(
    f1_score(
        tweets["label"],
        sm.vader_labels(sm.vader_scores(tweets["text"])["compound"]),
        average="weighted",
    )
)
assert vader_paper["tweets"] - all_tweets_f1 > 0.05  # the gap stays
glue("vader_all_tweets_f1", all_tweets_f1, display=False)
round(all_tweets_f1, 3)

# %% [markdown]
# On all 4,200 tweets VADER's weighted F1 is {glue:text}`vader_all_tweets_f1:.2f`:
# the gap to 0.96 stays. The test split is a fair sample of the tweets, so the
# difference comes from elsewhere (the tool's version, the paper's averaging, or
# its exact scoring), which the paper does not let us pin down.
#
# ```{solution-end}
# ```
