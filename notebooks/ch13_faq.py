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
# # FAQ and further reading
#
# Short answers to the questions people ask most often after a course like this,
# each written as something you can act on, with a pointer to the chapter or the
# source that goes deeper:
#
# 1. What is a large model?
# 2. Where are large models used?
# 3. How do I protect privacy when training a model? (with a small runnable look at
#    the core step of private training)
# 4. What are the main challenges for a startup?
# 5. How do I choose a framework?
# 6. What should I read next?

# %% [markdown]
# ## Setup
#
# Seed the random number generators and apply the course's plot style.

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

import numpy as np
import pandas as pd

from helpers.book import glue
from helpers.data import load_auto_mpg
from helpers.plotting import use_course_style
from helpers.repro import DEFAULT_SEED, set_seed

set_seed()
use_course_style()

# %% [markdown]
# ## What is a large model?
#
# A model is large when three numbers are large: its {term}`parameters <parameter>`
# $N$, the data $D$ it was trained on, and the compute $C \approx 6ND$ spent
# training it (chapter 1). There is no fixed threshold; what people call a
# {term}`large model` today has billions of parameters, was trained on a large share
# of the public text or images of the internet, and is usually a
# {term}`foundation model`: {term}`pre-trained <pre-training>` on broad data and then
# adapted to many tasks {cite}`bommasani2021opportunities`. Bigger models predictably
# reach lower loss {cite}`kaplan2020scaling`, but a model trained for your task on
# good data can beat a larger general one on that task, at a fraction of the cost.
#
# **Act on it:** before choosing a model, write down the task, the data you have,
# and the latency and cost you can afford per prediction; then compare the smallest
# model that could work against a larger one on *your* test set.

# %% [markdown]
# ## Where are large models used?
#
# In language (classification, translation, question answering, assistants), vision
# (face recognition, medical imaging, driving), speech (recognition and synthesis),
# recommendation, finance (fraud and credit risk) and medicine (screening and
# clinical prediction). Chapter 12 gives one checkable published system for each,
# and the published evidence of where each fails.
#
# **Act on it:** for the application you have in mind, find the closest published
# system and its published limits, and turn each limit into a test your own system
# must pass: a subgroup breakdown, an external test set, a check of the positive
# predictive value at your real prevalence.

# %% [markdown]
# ## How do I protect privacy when training a model?
#
# Work through these in order; each reduces a different risk.
#
# 1. **Collect less.** {term}`Data minimization`: keep only the fields the purpose
#    needs, at the coarsest precision that serves it, and delete what you no longer
#    need. The GDPR makes this a legal principle in the EU {cite}`gdpr2016`.
# 2. **De-identify, and do not rely on it.** Remove direct identifiers, but assume the
#    remaining fields can re-identify people: linking a few attributes to outside data
#    has re-identified people in medical and in movie-rating data
#    {cite}`sweeney2002kanonymity,narayanan2008robust`. Chapter 15 measures how many
#    rows of a real table stay unique after the name is removed.
# 3. **Release statistics with differential privacy.** Add noise calibrated to how
#    much one record can change the answer {cite}`dwork2006calibrating`, and keep
#    track of the total privacy budget spent {cite}`dwork2014algorithmic`. Chapter 15
#    runs the Laplace mechanism and measures its error.
# 4. **Train with differential privacy when the model itself will be shared or
#    queried.** Trained models can reveal whether a person's record was in the
#    training set {cite}`shokri2017membership` and can reproduce training text
#    verbatim {cite}`carlini2021extracting`. DP-SGD limits what any one example can
#    contribute to training {cite}`abadi2016deep`; its core step is shown below.
# 5. **Keep raw data where it is.** {term}`Federated learning` trains one model across
#    many devices or sites that send model updates instead of data
#    {cite}`mcmahan2017communication`; *secure aggregation*, a form of secure
#    multi-party computation, lets the server add up the updates without seeing any
#    single one {cite}`bonawitz2017practical`. Secure aggregation hides each update
#    but not what the sum reveals, so it can be combined with differential privacy.
# 6. **Document and test.** Record where the data came from and what consent covers
#    in a datasheet {cite}`gebru2021datasheets`, and test the trained model for
#    memorization before release.

# %% [markdown]
# ### The core step of DP-SGD
#
# Ordinary stochastic gradient descent averages the gradients of a batch of
# examples. DP-SGD changes two things {cite}`abadi2016deep`: it *clips* each
# example's gradient to a maximum norm $C$, so no example can pull the model further
# than $C$, and it adds Gaussian noise with standard deviation $\sigma C$ to the sum
# before averaging. Here is that step for a logistic regression that predicts
# whether a car in the Auto MPG table is American from its weight and
# displacement, at the start of training (all weights zero). The two features are
# scaled with round constants chosen without looking at any car's record
# (thousands of pounds minus 3, hundreds of cubic inches minus 2), not with the
# table's mean and standard deviation.[^public-scaling]
#
# [^public-scaling]: Statistics of the whole table, such as the mean and standard
#     deviation that chapter 3 standardizes with, are computed from every private
#     record. Scaling with them would let each record influence the training
#     outside the clipping, the noise and the privacy accounting of DP-SGD. A
#     private pipeline must take such constants from public knowledge, as here,
#     or compute them with a differentially private mechanism and count that in
#     the privacy budget.

# %%
cars = load_auto_mpg()
pounds_per_unit, cubic_inches_per_unit = 1000.0, 100.0  # fixed in advance
features = np.column_stack(
    [
        cars["weight"].to_numpy() / pounds_per_unit - 3.0,
        cars["displacement"].to_numpy() / cubic_inches_per_unit - 2.0,
    ]
)
assert np.abs(features).max() < 5  # of order 1, like standardized features
features = np.hstack([features, np.ones((len(features), 1))])  # bias input
is_american = (cars["origin"] == "USA").to_numpy(dtype=float)

weights = np.zeros(features.shape[1])
predicted = 1 / (1 + np.exp(-features @ weights))
per_example_grads = (predicted - is_american)[:, None] * features  # logistic-loss gradients


def dp_sgd_update(grads: np.ndarray, clip_norm: float, noise_multiplier: float, generator):
    """Clip each row of ``grads`` to norm ``clip_norm``, sum, add noise, average."""
    norms = np.linalg.norm(grads, axis=1, keepdims=True)
    clipped = grads / np.maximum(1.0, norms / clip_norm)
    noise = generator.normal(0.0, noise_multiplier * clip_norm, size=grads.shape[1])
    return clipped, (clipped.sum(axis=0) + noise) / len(grads)


clip_norm, noise_multiplier = 0.75, 1.1
rng = np.random.default_rng(DEFAULT_SEED)
clipped, _ = dp_sgd_update(per_example_grads, clip_norm, noise_multiplier, rng)
assert np.all(np.linalg.norm(clipped, axis=1) <= clip_norm + 1e-12)
assert 0 < np.mean(np.linalg.norm(per_example_grads, axis=1) > clip_norm) < 1
share_clipped = float(np.mean(np.linalg.norm(per_example_grads, axis=1) > clip_norm))
glue("share_clipped", 100 * share_clipped, display=False)
glue("clip_norm", clip_norm, display=False)
glue("noise_multiplier", noise_multiplier, display=False)
f"{100 * share_clipped:.0f}% of the examples' gradients were longer than C and were clipped"

# %% [markdown]
# After clipping, no example's gradient is longer than $C =$
# {glue:text}`clip_norm:.2f` (the assertion checks it);
# {glue:text}`share_clipped:.0f`% of the examples had longer gradients and were
# scaled down. The noise, with $\sigma =$ {glue:text}`noise_multiplier:.1f`, is added
# once per batch, so its effect on the average shrinks as the batch grows. We
# measure how closely the noisy update points in the direction of the clean clipped
# average, by the cosine of the angle between them, for several batch sizes:

# %%
clean_direction = clipped.mean(axis=0)
rows = []
for batch_size in (4, 16, 64, len(features)):
    cosines = []
    for _ in range(2000):
        batch = rng.choice(len(features), size=batch_size, replace=False)
        _, noisy = dp_sgd_update(per_example_grads[batch], clip_norm, noise_multiplier, rng)
        cosines.append(
            noisy @ clean_direction / np.linalg.norm(noisy) / np.linalg.norm(clean_direction)
        )
    rows.append({"batch size": batch_size, "mean cosine with clean update": np.mean(cosines)})
agreement = pd.DataFrame(rows)
cos_small, cos_full = agreement.iloc[0, 1], agreement.iloc[-1, 1]
assert agreement["mean cosine with clean update"].is_monotonic_increasing
assert cos_small < 0.8 and cos_full > 0.99, "the text below describes these two regimes"
glue("cos_small", float(cos_small), display=False)
glue("cos_full", float(cos_full), display=False)
glue("batch_small", int(agreement.iloc[0, 0]), display=False)
glue("batch_full", int(agreement.iloc[-1, 0]), display=False)
agreement.style.format({"mean cosine with clean update": "{:.2f}"}).hide(axis="index")

# %% [markdown]
# With batches of {glue:text}`batch_small` the noisy update agrees with the clean
# direction only roughly (mean cosine {glue:text}`cos_small:.2f`); with all
# {glue:text}`batch_full` cars in one batch, almost exactly
# ({glue:text}`cos_full:.2f`). This
# is one reason private training favours large batches and large data sets. What this cell
# does not do is the accounting: the privacy guarantee, the $\varepsilon$ of the
# whole training run, depends on the noise, the batch sampling and the number of
# steps, and DP-SGD tracks it with a dedicated accountant {cite}`abadi2016deep`. In
# practice, use a maintained library for private training rather than writing the
# accounting yourself.

# %% [markdown]
# ## What are the main challenges for a startup?
#
# - **Data before models.** The data you can legally use, labelled consistently, for
#   the population you will serve, is usually the binding constraint. Budget for
#   collecting and labelling it, write a datasheet for it
#   {cite}`gebru2021datasheets`, and split it once, before any modelling, so nothing
#   leaks from the test set (chapter 3).
# - **Honest evaluation.** Compare every model with simple baselines on the same test
#   split, report per-class and per-group results, not one average (chapters 6 and 11),
#   and check performance on data from outside your development setting
#   {cite}`zech2018variable,wong2021external`.
# - **Cost.** Training is a one-off; serving is paid on every request. Pick the
#   smallest model that meets the requirement, and measure what compression costs in
#   accuracy (chapter 15).
# - **Maintenance.** Machine-learning systems accumulate hidden technical debt:
#   dependence on data, feedback loops, and configuration {cite}`sculley2015hidden`;
#   and the world drifts after launch {cite}`dalpozzolo2018credit`. Monitor inputs and
#   accuracy in production and plan for retraining.
# - **Trust and regulation.** Expect to be asked where your data came from, how your
#   model performs for different groups, and who is accountable. Model cards
#   {cite}`mitchell2019model`, the EU AI Act's risk-based obligations
#   {cite}`euaiact2024` and the NIST AI Risk Management Framework
#   {cite}`nist2023airmf` say what to prepare.
#
# **Act on it:** before writing model code, write one page with the task, the data
# and its rights, the metric and its baseline, the cost per prediction you can
# afford, and the groups whose results you will report.

# %% [markdown]
# ## How do I choose a framework?
#
# Answer these questions in order and stop at the first that decides:
#
# 1. **Does your team, or the code you must build on, already use one?** Use that.
#    Switching costs more than any difference between frameworks.
# 2. **Are you starting from a published pre-trained model?** Use the framework it is
#    released in; libraries such as Hugging Face Transformers
#    {cite}`wolf2020transformers` load many published pre-trained models behind one
#    interface.
# 3. **Where must the model run?** Check the deployment path first (server, mobile,
#    browser, microcontroller) and pick a framework with a supported export to it.
#    TensorFlow, for one, was designed to run in heterogeneous environments, from one
#    machine to clusters of GPUs and TPUs {cite}`abadi2016tensorflow`.
# 4. **How do you like to work?** Keras for the shortest path from data to a trained,
#    saved model {cite}`chollet2015keras`; PyTorch to write the model as plain Python
#    {cite}`paszke2019pytorch`; JAX to write the mathematics and transform it
#    {cite}`bradbury2018jax`. Keras 3 runs on all three backends, which lowers the cost
#    of changing your mind.
#
# Whatever you choose, keep scikit-learn for baselines and metrics
# {cite}`pedregosa2011scikit`, pin the versions you tested (chapter 13 shows this
# book's), and save models in the framework's current format.

# %% [markdown]
# ## What should I read next?
#
# Chapter 13 describes the books, courses and papers worth your time, and the
# bibliography lists every work this book cites, each with a DOI or a stable link.
# Three next steps, by goal:
#
# - **to understand the theory:** Goodfellow, Bengio and Courville
#   {cite}`goodfellow2016deep`;
# - **to build more, with runnable code:** *Dive into Deep Learning*
#   {cite}`zhang2023dive`;
# - **to work responsibly with data about people:** Dwork and Roth on differential
#   privacy {cite}`dwork2014algorithmic`, and the datasheet and model-card papers
#   {cite}`gebru2021datasheets,mitchell2019model`.

# %% [markdown]
# ## Summary
#
# - A large model is large in parameters, data and compute; measure whether a smaller
#   one serves your task before paying for a larger one.
# - Protect privacy in layers: collect less, de-identify without trusting it, release
#   statistics with differential privacy, train with DP-SGD or federated learning with
#   secure aggregation when the model will be shared, and test for memorization.
# - DP-SGD bounds each example's influence by clipping and hides it with noise; the
#   noise matters less in larger batches, as measured above.
# - A startup's hardest problems are data, honest evaluation, serving cost,
#   maintenance and trust, more often than the choice of network.
# - Choose a framework by your team, your starting model and your deployment target
#   first, and by taste last.
