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
# # Why large models matter to builders
#
# This book teaches how neural networks work by running them. Every chapter is a
# notebook: the text explains, the code beside it computes, and every number and
# figure you read was produced by that code when the book was built. Nothing is
# typed in by hand, so nothing can silently disagree with the code.
#
# This first chapter does three things:
#
# 1. says what a *large* model is, in the three numbers that define it
#    (parameters, data, compute), and measures those numbers for the small
#    network you will train in chapter 4;
# 2. says, soberly, what such models can do and why that matters to a young
#    company building products;
# 3. tells you who the book is for, what you will be able to do after it, and how
#    to read and run it.

# %% [markdown]
# ## Who this book is for
#
# You can read Python and remember some school algebra. You want to know how a
# neural network is built, trained, checked and used — well enough to judge
# claims about one, and to build a small one yourself. You may be an engineer at
# a startup deciding whether a model belongs in a product, a student, or an
# instructor who wants material that runs.
#
# After the book you will be able to:
#
# - prepare a real data set without leaking test information into training;
# - build, train, validate and tune a Keras network, and read its learning curves;
# - derive the loss functions, gradient descent and backpropagation, and check a
#   from-scratch NumPy implementation against TensorFlow;
# - train an LSTM sentiment classifier on human-rated text and evaluate it
#   honestly, beside the baselines a practitioner would otherwise use;
# - write attention and a Transformer block from scratch, check them against
#   Keras, and fine-tune a pretrained Transformer encoder on your own labels;
# - move a data pipeline and a training loop from one machine to Apache Spark
#   and to several TensorFlow workers, and work out when that pays;
# - ask the right questions about cost, privacy and bias before you ship a model.
#
# ## How to read and run it
#
# Read it as a web page, or run it: each chapter is a Jupyter notebook in the
# repository's `notebooks/` folder. `make lab` opens them in JupyterLab, and each
# runs top to bottom on a laptop CPU with no network connection. Run a cell,
# change a number, run it again: that is the fastest way to learn what the number
# does. The README explains the two commands that set everything up.

# %% [markdown]
# ## Setup
#
# Seed every random number generator and apply the course's plot style; Keras is
# imported first, so `set_seed` seeds it too.

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

import time

import keras
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from helpers.book import glue
from helpers.data import load_digits_784, stratified_split
from helpers.plotting import use_course_style
from helpers.repro import set_seed

set_seed()
use_course_style()

# %% [markdown]
# ## What "large" means: three numbers
#
# A neural network is a function with adjustable numbers inside it, its
# *parameters* (weights and biases). Training adjusts them to fit examples. Three
# quantities describe how big a model is {cite}`kaplan2020scaling`:
#
# - $N$, the number of parameters;
# - $D$, the amount of training data (images, or tokens of text, seen in training);
# - $C$, the compute spent training, in floating-point operations (FLOPs).
#
# A rule of thumb gives the third from the first two: training costs about
# $C \approx 6ND$, because each parameter takes part in about two operations (a
# multiply and an add) per example on the forward pass and about four on the
# backward pass {cite}`kaplan2020scaling`. Below we apply the rule to our own network and to
# GPT-3, and see what it leaves out. First, the smallest model in the book.

# %% [markdown]
# Chapter 4 trains this network on 28×28-pixel images of handwritten digits:
# 784 inputs, one hidden layer of 128 units, 10 outputs (one per digit).

# %%
digit_net = keras.Sequential(
    [
        keras.Input(shape=(784,)),
        keras.layers.Dense(128, activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ],
    name="digit_net",
)
digit_net.summary()

# %% [markdown]
# Each dense layer has one weight per (input, unit) pair plus one bias per unit,
# so we can count the parameters by hand and check Keras agrees.

# %%
layer_sizes = [784, 128, 10]
params_by_hand = sum(
    n_in * n_out + n_out for n_in, n_out in zip(layer_sizes, layer_sizes[1:], strict=False)
)
assert params_by_hand == digit_net.count_params()
glue("headline_metrics", ["digit_params", "digit_flops"], display=False)
glue("digit_params", params_by_hand, display=False)
params_by_hand

# %% [markdown]
# The digit network has {glue:text}`digit_params:,` parameters. Chapter 4 trains
# it on the training part of the course's digit split for a handful of epochs.
# At 10 epochs the rule of thumb gives its training compute:

# %%
_, digit_labels = load_digits_784()
digit_train_size = len(stratified_split(digit_labels).train)
digit_examples_seen = digit_train_size * 10
glue("digit_train_size", digit_train_size, display=False)
glue("digit_examples_seen", digit_examples_seen, display=False)
digit_flops = 6 * params_by_hand * digit_examples_seen
# counted layer by layer (weights only): 2 per weight forward; backward 2 per weight for
# the weight gradients plus 2 per weight of the second layer for the gradient it passes down
first_weights, second_weights = 784 * 128, 128 * 10
per_example = 2 * (first_weights + second_weights) + 2 * first_weights + 4 * second_weights
digit_overstatement = digit_flops / (per_example * digit_examples_seen)
assert 1.4 < digit_overstatement < 1.6
glue("digit_flops", digit_flops, display=False)
glue("digit_overstatement", digit_overstatement, display=False)
f"{digit_flops:.2e} FLOPs"

# %% [markdown]
# That is {glue:text}`digit_train_size:,` images times 10 epochs,
# $D =$ {glue:text}`digit_examples_seen:,` examples, and about
# {glue:text}`digit_flops:.1e` operations. That is an upper bound for this
# network: the backward pass's four operations per parameter assume that every
# layer passes a gradient down to the layer below it, and the first layer,
# which holds almost all of the weights, has only the input data below it.
# Counted layer by layer, the rule overstates this network's work by a factor
# of {glue:text}`digit_overstatement:.1f` (chapter 7 counts the products one by
# one). For large language models, whose layers all pass gradients down, the
# rule is close. How long do that many operations take? The cell below
# times one matrix product of the size that dominates the network's work and
# turns the time into a rate of floating-point operations per second.

# %%
rng = np.random.default_rng(0)
left, right = rng.random((512, 784)), rng.random((784, 128))
left @ right  # warm-up: the first call pays one-off costs
repeats = 20
start = time.perf_counter()
for _ in range(repeats):
    left @ right
seconds_per_product = (time.perf_counter() - start) / repeats
flops_per_second = 2 * 512 * 784 * 128 / seconds_per_product  # a multiply and an add per term
digit_arithmetic_seconds = digit_flops / flops_per_second
assert digit_arithmetic_seconds < 60, "the text below says 'under a minute'"
glue("matmul_gflops", flops_per_second / 1e9, display=False)
glue("digit_arithmetic_seconds", digit_arithmetic_seconds, display=False)
f"{flops_per_second / 1e9:.1f} GFLOP/s, so {digit_arithmetic_seconds:.1f} s of arithmetic"

# %% [markdown]
# On the machine that built this page NumPy multiplied matrices at about
# {glue:text}`matmul_gflops:.1f` billion operations per second, so the
# arithmetic of that training run takes about
# {glue:text}`digit_arithmetic_seconds:.1f` s (asserted to be under a minute).
# That counts the arithmetic only, not the time a training loop spends moving
# data and running Python around it. Now the published sizes of three models that each changed what
# people thought networks could do. The numbers are as the papers report them.

# %%
published = pd.DataFrame(
    [
        ("AlexNet (images)", 2012, 60e6, "krizhevsky2012imagenet"),
        ("BERT-large (text)", 2019, 340e6, "devlin2019bert"),
        ("GPT-3 (text)", 2020, 175e9, "brown2020language"),
    ],
    columns=["model", "year", "parameters", "source"],
)
published.loc[len(published)] = ["this book's digit net", 2026, params_by_hand, "chapter 4"]
published["times the digit net"] = published["parameters"] / params_by_hand
published.style.format({"parameters": "{:,.0f}", "times the digit net": "{:,.0f}"})

# %% [markdown]
# The sources are AlexNet {cite}`krizhevsky2012imagenet`, BERT
# {cite}`devlin2019bert` and GPT-3 {cite}`brown2020language`.
# {numref}`fig-model-sizes` puts them on one axis. It has to be logarithmic:
# each step between gridlines is a factor of ten.

# %%
fig, ax = plt.subplots(figsize=(6.4, 2.8))
ax.barh(published["model"], published["parameters"])
ax.set_xscale("log")
ax.set_xlabel("parameters (log scale)")
ax.invert_yaxis()
glue("fig_model_sizes", fig, display=False)
plt.close(fig)

# %% [markdown]
# ```{glue:figure} fig_model_sizes
# :name: fig-model-sizes
#
# Parameter counts of three landmark models as published, and of the network
# this book trains in chapter 4, on a logarithmic axis.
# ```
#
# GPT-3 has {glue:text}`gpt3_ratio:,.0f` times as many parameters as our digit
# network. It was trained on 300 billion tokens {cite}`brown2020language`, so
# $6ND$ gives its training compute:

# %%
gpt3_params, gpt3_tokens = 175e9, 300e9
gpt3_flops_rule = 6 * gpt3_params * gpt3_tokens
gpt3_flops_reported = 3.14e23  # Brown et al. (2020), appendix D, table D.1
relative_gap = abs(gpt3_flops_rule - gpt3_flops_reported) / gpt3_flops_reported
# Table D.1 itself is 6 FLOPs per parameter per token x 174,600 million parameters x
# 300 billion tokens: the same rule, so our figure can only agree with it.
assert f"{6 * 174.6e9 * gpt3_tokens:.2e}" == f"{gpt3_flops_reported:.2e}"
assert relative_gap < 0.01
glue("gpt3_ratio", gpt3_params / params_by_hand, display=False)
glue("gpt3_flops_rule", gpt3_flops_rule, display=False)
glue("gpt3_gap_percent", 100 * relative_gap, display=False)
glue("flops_ratio", gpt3_flops_rule / digit_flops, display=False)
f"{gpt3_flops_rule:.3e} FLOPs by the rule, {gpt3_flops_reported:.3e} in the paper"

# %% [markdown]
# The rule gives {glue:text}`gpt3_flops_rule:.3e` FLOPs and the paper reports
# $3.14 \times 10^{23}$, a gap of {glue:text}`gpt3_gap_percent:.1f`%. That
# agreement is **not a test of the rule**: Brown et al. computed their figure
# with the same rule (6 operations per parameter per token, times 174.6 billion
# parameters, times 300 billion tokens; their appendix D, which the cell
# reproduces exactly), so the two can only agree. It shows that our arithmetic
# is right, nothing more.
#
# What the rule leaves out is the part of a Transformer that has no
# parameters: **attention**, in which every token is compared with every other
# token of its context, the core of the Transformer {cite}`vaswani2017attention`.
# Kaplan et al. count its forward
# cost per token as $2\,n_{\text{layer}}\,n_{\text{ctx}}\,d_{\text{model}}$ FLOPs
# beside the $2N$ of the weights (their table 1) {cite}`kaplan2020scaling`, for
# $n_{\text{layer}}$ layers, a context of $n_{\text{ctx}}$ tokens and attention
# vectors of width $d_{\text{model}}$ (they write $d_{\text{attn}}$, which is
# $d_{\text{model}}$ in GPT-3). GPT-3 has 96 layers, $d_{\text{model}} = 12{,}288$ and
# a context of 2,048 tokens {cite}`brown2020language`:

# %%
n_layer, n_ctx, d_model = 96, 2048, 12288
attention_per_token = 2 * n_layer * n_ctx * d_model  # forward FLOPs, Kaplan et al. table 1
weights_per_token = 2 * gpt3_params
attention_share = attention_per_token / (weights_per_token + attention_per_token)
# with N ~ 12 n_layer d_model**2 the ratio of the two terms is n_ctx / (12 d_model)
np.testing.assert_allclose(
    attention_per_token / weights_per_token, n_ctx / (12 * d_model), rtol=0.02
)
assert 0.005 < attention_share < 0.10  # Brown et al.: attention is under 10 % of compute
glue("attention_per_token", float(attention_per_token), display=False)
glue("weights_per_token", weights_per_token, display=False)
glue("attention_share_percent", 100 * attention_share, display=False)
glue("gpt3_flops_with_attention", gpt3_flops_rule / (1 - attention_share), display=False)
f"attention: {attention_per_token:.2e} of {weights_per_token + attention_per_token:.2e} FLOPs"

# %% [markdown]
# Per token, attention costs {glue:text}`attention_per_token:.2e` FLOPs against
# {glue:text}`weights_per_token:.2e` for the weights: it is
# {glue:text}`attention_share_percent:.1f`% of the total, so counting it
# raises the estimate to about {glue:text}`gpt3_flops_with_attention:.3e`
# FLOPs. (Brown et al. left it out on the same grounds: under 10% for their
# models. Half of GPT-3's layers use a banded, sparser attention, so the true
# share is lower still.) The ratio of the two terms is about
# $n_{\text{ctx}} / (12\,d_{\text{model}})$: attention matters when the context
# is long compared with the model's width, not for GPT-3 at 2,048 tokens.
#
# Training GPT-3 took about {glue:text}`flops_ratio:.1e` times the compute of
# our digit network. That gap is why nobody reading this book will train a
# model of that size, and also why it pays to understand the small ones: the
# parts are the same. A large language model is built from the layers, losses
# and optimizers of chapters 2 to 7, trained by the same gradient descent, and
# judged by the same kinds of held-out evaluation as
# {doc}`the results chapter <ch09_results>`.

# %% [markdown]
# ## What large models can do
#
# Trained on enough data, networks now
#
# - **understand and generate text**: classify it (the sentiment project of this
#   book), translate it, answer questions about it, draft it;
# - **recognize images and speech**: find objects in photos, read medical images,
#   transcribe speech and synthesize it;
# - **predict and decide**: rank recommendations, score credit and fraud risk.
#
# {doc}`A later chapter <ch10_applications>` takes these areas one at a time,
# each with a real, citable system and its limits. The limits matter as much as the successes: a model is only as
# good as the data it learned from and the evaluation that checked it.
#
# ## Why a technical edge matters to a young company
#
# Few startups train a model from scratch at GPT-3's scale; the compute above
# makes that clear. The edge is elsewhere, and all of it is taught here:
#
# - **standing on a pretrained model**: instead of training from scratch, start
#   from a network {term}`pre-trained <pre-training>` on a large general corpus
#   and {term}`fine-tune <fine-tuning>` it on your own, much smaller labelled
#   data {cite}`howard2018universal,devlin2019bert`. That is this book's thesis,
#   and the book tests it rather than asserting it: {doc}`ch08b_pretrained`
#   fine-tunes a small pretrained {term}`Transformer` on the course's own task
#   and measures, beside the models trained from scratch, how many labels
#   pretraining saves and what it costs to run;
# - **knowing what the model is doing**: a team that can read a loss curve, spot
#   leakage between training and test data, and derive a gradient can debug a
#   model instead of guessing (chapters 3–7);
# - **measuring honestly**: a model is worth shipping only if it beats the simple
#   baseline on data it never saw. Chapter 8 compares an LSTM with a tuned linear
#   model and a rule-based analyzer on the same test set, and reports the result
#   whichever way it falls;
# - **owning the data**: a carefully labelled, well-documented data set (the data
#   card in the appendix shows what that looks like) is harder to copy than a
#   model architecture;
# - **cost and responsibility**: smaller, faster models, privacy-preserving
#   training and bias checks decide whether a product can ship
#   ({doc}`ch12_trends`); and when the data outgrow one machine, the same
#   pipeline has to run on several ({doc}`ch11a_scale_out`).

# %% [markdown]
# ## A map of the book
#
# | Part | Chapters | What you do |
# |---|---|---|
# | Foundations | {doc}`ch01_why_large_models`; {doc}`ch02_core_concepts` | compute a neuron by hand and with Keras; plot activation functions |
# | Data, networks, training | {doc}`ch03_preprocessing`; {doc}`ch04_building`; {doc}`ch05_training`; {doc}`ch06_evaluation` | clean and split real data; build, train, tune and test a digit classifier |
# | The math of learning | {doc}`ch07_math` | derive losses, gradient descent and backpropagation; implement them in NumPy; check them against TensorFlow |
# | Project: sentiment analysis | {doc}`ch08_sentiment_lstm` | train an LSTM on human-rated text; compare it with baselines |
# | Large pretrained models | {doc}`ch08a_attention`; {doc}`ch08b_pretrained` | write attention in NumPy and check it against Keras; fine-tune a pretrained encoder on the same task; measure how many labels pretraining saves and what it costs |
# | Project: judging the models | {doc}`ch09_results` | compare the models with baselines, with the source paper and with human raters |
# | The wider field | {doc}`ch10_applications`; {doc}`ch11_tools`; {doc}`ch11a_scale_out`; {doc}`ch12_trends`; {doc}`ch13_faq` | see where models are used; run the pipeline on Apache Spark and on several TensorFlow workers; measure compression, privacy and bias on real data and on our own model |
#
# The appendices document the data and the pretrained model
# ({doc}`data_card`), the runtime of every chapter, a bilingual
# glossary and the references.

# %% [markdown]
# ## Summary
#
# - A model's size is described by its parameters $N$, its training data $D$ and
#   its training compute $C \approx 6ND$.
# - The book's first network has {glue:text}`digit_params:,` parameters; GPT-3 has
#   {glue:text}`gpt3_ratio:,.0f` times as many. $6ND$ matches GPT-3's published
#   training compute only because the paper used the same rule; what the rule
#   leaves out, attention, is {glue:text}`attention_share_percent:.1f`% of
#   GPT-3's compute at its context of 2,048 tokens.
# - Large and small networks share their parts; learning them on small models
#   that run on a laptop is how this book proceeds.
# - The book's thesis, that starting from a pretrained model gives a builder an
#   edge, is measured on the course's own task in {doc}`ch08b_pretrained`.
#
# ## Exercises
#
# ```{exercise}
# :label: ch01-ex1
#
# Change the hidden layer of `digit_net` to 256 units. How many parameters does
# it have now? Work it out by hand first, then run the cell.
# ```
#
# ```{exercise}
# :label: ch01-ex2
#
# BERT-large has 340 million parameters and was pre-trained for 1,000,000 steps
# on batches of 256 sequences: of 128 tokens for the first 90% of the steps and
# of 512 tokens for the last 10% {cite}`devlin2019bert`. Use $6ND$ to estimate
# its training compute and compare it with GPT-3's.
# ```

# %% [markdown]
# ```{solution-start} ch01-ex1
# :class: dropdown
# ```
#
# $784 \times 256 + 256 + 256 \times 10 + 10 = 203{,}530$ parameters: the hidden
# layer's weights double, so the total roughly doubles. The same sum in code,
# checked against Keras:

# %%
wider_by_hand = sum(a * b + b for a, b in zip([784, 256], [256, 10], strict=True))
wider_net = keras.Sequential(
    [
        keras.Input(shape=(784,)),
        keras.layers.Dense(256, activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ]
)
assert wider_by_hand == wider_net.count_params() == 203_530
wider_by_hand

# %% [markdown]
# ```{solution-end}
# ```

# %% [markdown]
# ```{solution-start} ch01-ex2
# :class: dropdown
# ```
#
# The tokens seen are $256 \times (900{,}000 \times 128 + 100{,}000 \times 512)$,
# and $C = 6ND$ with $N = 3.4 \times 10^8$:

# %%
bert_tokens = 256 * (900_000 * 128 + 100_000 * 512)
bert_flops = 6 * 340e6 * bert_tokens
bert_share_of_gpt3 = bert_flops / gpt3_flops_rule
bert_flops_all_512 = 6 * 340e6 * 256 * 1_000_000 * 512  # the bound if every step used 512
bert_attention_ratio = 512 / (12 * 1024)  # n_ctx / (12 d_model) for BERT-large at 512 tokens
assert 1e-4 < bert_share_of_gpt3 < 1e-3
assert bert_attention_ratio > attention_per_token / weights_per_token
glue("bert_tokens", bert_tokens, display=False)
glue("bert_flops", bert_flops, display=False)
glue("gpt3_over_bert", gpt3_flops_rule / bert_flops, display=False)
glue("bert_512_factor", bert_flops_all_512 / bert_flops, display=False)
glue("bert_attention_percent", 100 * bert_attention_ratio, display=False)
f"D = {bert_tokens:.2e} tokens, C = {bert_flops:.1e} FLOPs, GPT-3 / BERT = {1 / bert_share_of_gpt3:,.0f}"

# %% [markdown]
# About {glue:text}`bert_tokens:.2e` tokens and {glue:text}`bert_flops:.1e`
# FLOPs: GPT-3 took about {glue:text}`gpt3_over_bert:,.0f` times as much. Had
# every step used 512-token sequences, $C$ would be
# {glue:text}`bert_512_factor:.1f` times larger. Attention, which $6ND$ leaves
# out, weighs more in BERT-large than in GPT-3: with 512 tokens and
# $d_{\text{model}} = 1{,}024$, the ratio $n_{\text{ctx}} / (12\,d_{\text{model}})$
# is {glue:text}`bert_attention_percent:.1f`%.

# %% [markdown]
# ```{solution-end}
# ```
