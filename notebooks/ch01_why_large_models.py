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
# For the dense networks in this book, training costs about $C \approx 6ND$: each
# parameter takes part in about two operations (a multiply and an add) per
# example on the forward pass and about four on the backward pass
# {cite}`kaplan2020scaling`. We will check this rule against a published figure
# below. First, the smallest model in the book.

# %% tags=["remove-stderr"]
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import matplotlib.pyplot as plt
import pandas as pd
from myst_nb import glue

from helpers.data import load_digits_784, stratified_split
from helpers.plotting import use_course_style
from helpers.repro import set_seed

set_seed()
use_course_style()

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
glue("digit_flops", digit_flops, display=False)
f"{digit_flops:.2e} FLOPs"

# %% [markdown]
# That is {glue:text}`digit_train_size:,` images times 10 epochs,
# $D =$ {glue:text}`digit_examples_seen:,` examples, and about
# {glue:text}`digit_flops:.1e` operations: a laptop does that in well under
# a minute. Now the published sizes of three models that each changed what
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
# network. The compute rule lets us check a published number. GPT-3 was trained on
# 300 billion tokens {cite}`brown2020language`, so $6ND$ predicts:

# %%
gpt3_params, gpt3_tokens = 175e9, 300e9
gpt3_flops_rule = 6 * gpt3_params * gpt3_tokens
gpt3_flops_reported = 3.14e23  # Brown et al. (2020), appendix D, table D.1
relative_gap = abs(gpt3_flops_rule - gpt3_flops_reported) / gpt3_flops_reported
assert relative_gap < 0.01, "the 6ND rule should match the paper's figure to about 1%"
glue("gpt3_ratio", gpt3_params / params_by_hand, display=False)
glue("gpt3_flops_rule", gpt3_flops_rule, display=False)
glue("gpt3_gap_percent", 100 * relative_gap, display=False)
glue("flops_ratio", gpt3_flops_rule / digit_flops, display=False)
f"{gpt3_flops_rule:.3e} FLOPs predicted, {gpt3_flops_reported:.3e} reported"

# %% [markdown]
# The rule gives {glue:text}`gpt3_flops_rule:.3e` FLOPs; the paper reports
# $3.14 \times 10^{23}$, a gap of {glue:text}`gpt3_gap_percent:.1f`%. Training GPT-3
# took about {glue:text}`flops_ratio:.1e` times the compute of our digit network.
# That gap is why nobody reading this book will train a model of that size, and
# also why it pays to understand the small ones: the parts are the same. A large
# language model is built from the layers, losses and optimizers of chapters 2 to
# 7, trained by the same gradient descent, and judged by the same kinds of
# held-out evaluation as chapter 9.

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
# Chapter 10 takes these areas one at a time, each with a real, citable system
# and its limits. The limits matter as much as the successes: a model is only as
# good as the data it learned from and the evaluation that checked it.
#
# ## Why a technical edge matters to a young company
#
# Few startups train a model from scratch at GPT-3's scale; the compute above
# makes that clear. The edge is elsewhere, and all of it is taught here:
#
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
#   training and bias checks decide whether a product can ship (chapter 12).

# %% [markdown]
# ## A map of the book
#
# | Part | Chapters | What you do |
# |---|---|---|
# | Foundations | 1 Why large models matter to builders; 2 Core concepts and how they connect | compute a neuron by hand and with Keras; plot activation functions |
# | Data, networks, training | 3 Data preprocessing; 4 Building a network; 5 Training and validation; 6 Evaluation and optimization | clean and split real data; build, train, tune and test a digit classifier |
# | The math of learning | 7 The math of learning: losses, gradient descent, backpropagation | derive each; implement it in NumPy; check it against TensorFlow |
# | Project | 8 Sentiment analysis with an LSTM; 9 Results | train on human-rated text; compare with baselines; evaluate against the source paper |
# | The wider field | 10 Where large models are used; 11 Tools and resources; 12 Trends and challenges; 13 FAQ and further reading | see where models are used; measure compression, privacy and bias on real data and on our own model |
#
# The appendices document the data, the runtime of every chapter, a bilingual
# glossary and the references.

# %% [markdown]
# ## Summary
#
# - A model's size is described by its parameters $N$, its training data $D$ and
#   its training compute $C \approx 6ND$.
# - The book's first network has {glue:text}`digit_params:,` parameters; GPT-3 has
#   {glue:text}`gpt3_ratio:,.0f` times as many, and the $6ND$ rule reproduces its
#   published training compute to within {glue:text}`gpt3_gap_percent:.1f`%.
# - Large and small networks share their parts; learning them on small models
#   that run on a laptop is how this book proceeds.
#
# ## Exercises
#
# 1. Change the hidden layer of `digit_net` to 256 units. How many parameters does
#    it have now? Work it out by hand first, then run the cell.
# 2. BERT-large was trained for 1,000,000 steps on batches of 256 sequences of up
#    to 512 tokens {cite}`devlin2019bert`. Use $6ND$ to estimate an upper bound
#    on its training compute and compare it with GPT-3's.
#
# :::{dropdown} Solution to 1
# $784 \times 256 + 256 + 256 \times 10 + 10 = 203{,}530$ parameters: the hidden
# layer's weights double, so the total roughly doubles. In code:
# `sum(a * b + b for a, b in zip([784, 256, 10], [256, 10]))`.
# :::
#
# :::{dropdown} Solution to 2
# At most $D = 10^6 \times 256 \times 512 \approx 1.3 \times 10^{11}$ tokens, so
# $C \approx 6 \times 3.4 \times 10^8 \times 1.3 \times 10^{11} \approx
# 2.7 \times 10^{20}$ FLOPs, roughly a thousandth of GPT-3's
# $3.1 \times 10^{23}$. (Most of BERT's sequences were shorter than 512 tokens,
# so the real figure is lower.)
# :::
