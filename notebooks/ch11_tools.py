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
# # Tools and resources
#
# This chapter is a guide to the tools you will use after this book and to the
# material worth reading next. Every item exists, can be found from its reference,
# and is described by what it actually offers:
#
# 1. the frameworks: TensorFlow, Keras, PyTorch, JAX, and scikit-learn beside them,
#    with the versions this book was built with, read from this environment;
# 2. four books, two courses, a blog post and a short list of papers, each with a
#    note on who it suits.

# %% [markdown]
# ## Setup
#
# Seed the random number generators and apply the course's plot style; the
# versions below are read from this environment.

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

import platform

import keras
import pandas as pd
import tensorflow as tf
from IPython.display import Markdown

from helpers.book import glue
from helpers.environment import installed_version
from helpers.plotting import use_course_style
from helpers.repro import set_seed

set_seed()
use_course_style()

# %% [markdown]
# ## Frameworks
#
# A deep-learning framework does three jobs: it stores tensors and runs operations
# on them fast, on CPUs, GPUs or other accelerators; it computes gradients
# automatically, so that you write the forward pass and get
# {term}`backpropagation` for free; and it provides the building blocks (layers,
# {term}`loss functions <loss function>`, {term}`optimizers <optimizer>`, data
# pipelines) and ways to save and serve a trained model.
#
# **TensorFlow** was built for research and for production at Google around
# dataflow graphs, which it can optimize and place on many devices, from multicore
# CPUs and GPUs to Google's Tensor Processing Units, and across many machines
# {cite}`abadi2016tensorflow`. Since version 2 it no longer makes you build the
# graph first: operations run *eagerly*, one at a time as Python reaches them, like
# NumPy, and `tf.function` traces a Python function into a graph when you want one,
# for speed or to save the model for serving without Python
# {cite}`agrawal2019tensorflow`. (Keras does this to its training step; that is the
# one-off cost chapter 7 mentions.) Around it sit tools for input pipelines
# (`tf.data`), serving and mobile deployment. Both modes, in this environment:

# %%
assert tf.executing_eagerly()  # the default in TensorFlow 2
eager_result = tf.constant([1.0, 2.0]) * 3.0  # computed at once; its value is there
assert eager_result.numpy().tolist() == [3.0, 6.0]


@tf.function
def scale_and_sum(values):
    return tf.reduce_sum(values * 3.0)


graph = scale_and_sum.get_concrete_function(tf.TensorSpec([None], tf.float32)).graph
graph_ops = [op.type for op in graph.get_operations()]
assert "Mul" in graph_ops and scale_and_sum(tf.constant([1.0, 2.0])).numpy() == 9.0
glue("graph_ops", Markdown(", ".join(f"`{op}`" for op in graph_ops)), display=False)
graph_ops

# %% [markdown]
# The eager multiplication returned its values at once. The traced function
# became a graph of {glue:md}`graph_ops` operations, which TensorFlow runs without
# going back to Python.
#
# **Keras** is a high-level API for defining, training and evaluating models
# {cite}`chollet2015keras`. Since version 3 it runs on several backends, TensorFlow,
# JAX or PyTorch, chosen with the `KERAS_BACKEND` environment variable; some
# features, such as certain preprocessing layers and `tf.data` pipelines, still need
# TensorFlow. This book uses Keras on TensorFlow because the project's text
# preprocessing layer, `TextVectorization`, is one of those.
#
# **PyTorch** is an imperative library: a model is ordinary Python code that runs as
# it is written, which makes it easy to debug and to mix with other Python, while its
# core remains fast on GPUs {cite}`paszke2019pytorch`.
#
# **JAX** offers composable transformations of NumPy-style programs: `grad`
# differentiates a function, `jit` compiles it for CPU, GPU or TPU, and `vmap`
# vectorizes it {cite}`bradbury2018jax`. It suits people who want to write the
# mathematics directly and control every step.
#
# **scikit-learn** is not a deep-learning framework but belongs in every toolbox: it
# provides classical machine learning (linear models, trees, clustering) and the
# evaluation tools (splits, metrics, pipelines) behind one consistent interface
# {cite}`pedregosa2011scikit`. This book uses it for splitting data, for metrics and
# for the baselines the neural networks must beat.
#
# **Hugging Face Transformers** is a library of pre-trained Transformer models with a
# common interface for loading, fine-tuning and running them
# {cite}`wolf2020transformers`. It is a practical starting point when a task calls
# for a pre-trained language model rather than one trained from scratch.

# %% [markdown]
# ### What this book runs on
#
# Versions matter: the same code can behave differently, or fail, across major
# versions (Keras 3 removed several Keras 2 interfaces, for example). This is the
# environment the book was built in, read from the installed packages at build
# time.

# %%
packages = {
    "tensorflow": ("tensorflow-cpu", "tensorflow"),
    "keras": ("keras",),
    "numpy": ("numpy",),
    "pandas": ("pandas",),
    "scikit-learn": ("scikit-learn",),
    "matplotlib": ("matplotlib",),
    "torch (PyTorch)": ("torch",),
    "jax": ("jax",),
}


versions = {label: installed_version(*names) for label, names in packages.items()}
environment = pd.DataFrame(
    {"installed version": {k: v or "not installed" for k, v in versions.items()}}
)
environment.loc["Python"] = platform.python_version()
assert versions["keras"] == keras.__version__
for label, key in [("tensorflow", "tf"), ("keras", "keras"), ("scikit-learn", "sklearn")]:
    glue(f"{key}_version", Markdown(versions[label]), display=False)
glue("python_version", Markdown(platform.python_version()), display=False)
glue("keras_backend", Markdown(keras.config.backend()), display=False)
environment

# %% [markdown]
# The book was built with Python {glue:md}`python_version`, TensorFlow
# {glue:md}`tf_version`, Keras {glue:md}`keras_version` on the
# {glue:md}`keras_backend` backend, and scikit-learn {glue:md}`sklearn_version`.
# PyTorch and JAX are described above but, as the table shows, are not needed to run
# it. If your versions differ in the first number (Keras 2 instead of 3, say), expect
# some code to need changes; differences in the last number rarely matter.

# %% [markdown]
# ### Choosing one
#
# For learning, the framework matters less than it seems: tensors, layers, losses,
# gradients and optimizers are the same ideas everywhere, and what you learn in one
# carries over to the others. Chapter 16 gives a decision procedure for a
# project. In short: use what your team and the code you build on already use;
# choose Keras for the shortest path from idea to a trained, saved model; PyTorch if
# the research code or pre-trained models you build on are written in it; JAX if you
# want to write the mathematics yourself and compile it; and keep scikit-learn for
# baselines and evaluation whatever you choose.

# %% [markdown]
# ## Books
#
# - **Goodfellow, Bengio and Courville, *Deep Learning*** {cite}`goodfellow2016deep`.
#   The standard graduate-level text: the mathematics (linear algebra, probability,
#   optimization) and the theory of networks, regularization and generative models.
#   Read it when you want to know *why*; free to read online.
# - **Zhang, Lipton, Li and Smola, *Dive into Deep Learning*** {cite}`zhang2023dive`.
#   Every concept comes with runnable code, in several frameworks, and the book is
#   free online at d2l.ai, with a Chinese edition. The closest in spirit to this
#   book, and much longer.
# - **Chollet, *Deep Learning with Python*** {cite}`chollet2021deep`. Written by the
#   author of Keras; practical and intuitive, light on mathematics, covering vision,
#   text, time series and generative models in Keras.
# - **Géron, *Hands-On Machine Learning with Scikit-Learn, Keras, and TensorFlow***
#   {cite}`geron2022hands`. Classical machine learning with scikit-learn first, then
#   deep learning with Keras and TensorFlow; many complete, end-to-end projects.
#
# ## Courses
#
# - **fast.ai, *Practical Deep Learning for Coders*** {cite}`howard2022practical`.
#   Top-down: you train a working image classifier in the first lesson and learn the
#   theory as you need it. Free; uses PyTorch and the fastai library, a layered API on
#   top of it {cite}`howard2020fastai`.
# - **Stanford CS231n, *Deep Learning for Computer Vision*** {cite}`cs231n`.
#   Bottom-up: you derive and implement backpropagation, convolutional networks and
#   optimizers yourself in the assignments. The lecture notes are free online.
#
# ## Papers and a blog post
#
# Reading original papers is a skill worth building early; start with these, which
# the chapters of this book rely on:
#
# - LeCun, Bengio and Hinton's review *Deep learning* in *Nature*: what deep learning
#   is and why it works, in nine pages {cite}`lecun2015deep`.
# - Krizhevsky, Sutskever and Hinton's ImageNet network, the result that started the
#   current wave in computer vision {cite}`krizhevsky2012imagenet`.
# - Vaswani and colleagues' *Attention Is All You Need*, which introduced the
#   Transformer {cite}`vaswani2017attention`, and BERT, which showed how far
#   pre-training and fine-tuning go {cite}`devlin2019bert`.
# - Kaplan and colleagues' scaling laws, for how performance grows with size
#   {cite}`kaplan2020scaling`.
# - Hutto and Gilbert's VADER paper, the source of the project's data and of its
#   rule-based baseline {cite}`hutto2014vader`.
# - Christopher Olah's blog post *Understanding LSTM Networks*, the clearest
#   illustrated explanation of the network the project trains
#   {cite}`olah2015understanding`.
#
# A practical way to read a paper: read the abstract and the figures, then the
# experiments, asking on what data the claims were measured and against what
# baseline; read the method last, and only as deeply as you need.

# %% [markdown]
# ## Summary
#
# - TensorFlow, PyTorch and JAX do the same three jobs (fast tensors, automatic
#   gradients, building blocks) with different styles: TensorFlow runs eagerly and
#   traces functions into graphs with `tf.function`; PyTorch is imperative Python
#   first; JAX composes function transformations.
# - Keras 3 is a high-level API over all three; this book runs it on TensorFlow.
#   scikit-learn supplies baselines and evaluation whatever framework you use.
# - The versions this book was built with are read from the environment above; match
#   the major versions when you run it.
# - For further study: Goodfellow et al. for theory, *Dive into Deep Learning* for
#   runnable depth, Chollet and Géron for practice; fast.ai (top-down) or CS231n
#   (bottom-up) as a course; and the original papers.

# %% [markdown]
# ## Exercises
#
# ```{exercise}
# :label: ch11-ex1
#
# Print the versions in your own environment with the code above. Which differ
# from the book's, and by which part of the version number?
# ```
#
# ```{exercise}
# :label: ch11-ex2
#
# Keras 3 selects its backend from the `KERAS_BACKEND` environment variable, read
# when Keras is first imported. Without installing anything, find out which
# backend your Keras uses and what value the variable has.
# ```
#
# ```{exercise}
# :label: ch11-ex3
#
# Choose the next resource for each of these readers, and say why: (a) a
# developer who wants a working image classifier this week; (b) a student who
# wants to derive every gradient; (c) an engineer whose team already trains
# PyTorch models.
# ```

# %% [markdown]
# ```{solution-start} ch11-ex1
# :class: dropdown
# ```
#
# Run the version cell above in your environment and compare the table with the one
# in this chapter. A difference in the first number (for example Keras 2 against 3)
# changes interfaces and can break code; a difference in the second usually adds
# features; a difference in the last is usually bug fixes. The first number of
# each installed version, here:

# %%
{
    label: version.split(".")[0] if version else "not installed"
    for label, version in versions.items()
}

# %% [markdown]
# ```{solution-end}
# ```

# %% [markdown]
# ```{solution-start} ch11-ex2
# :class: dropdown
# ```
#
# `keras.config.backend()` returns the backend in use, and
# `os.environ.get("KERAS_BACKEND")` the variable, which is `None` when unset: Keras
# then uses the default in `~/.keras/keras.json`, or TensorFlow. The variable must be
# set before the first `import keras` to have an effect. In the environment that
# built this page:

# %%
{"keras.config.backend()": keras.config.backend(), "KERAS_BACKEND": os.environ.get("KERAS_BACKEND")}

# %% [markdown]
# ```{solution-end}
# ```

# %% [markdown]
# ```{solution-start} ch11-ex3
# :class: dropdown
# ```
#
# (a) The fast.ai course, which starts from a working classifier
# {cite}`howard2022practical`, or Chollet's book for the same in Keras
# {cite}`chollet2021deep`. (b) CS231n's assignments {cite}`cs231n` with Goodfellow et
# al. for the theory {cite}`goodfellow2016deep`. (c) *Dive into Deep Learning*, whose
# code is available in PyTorch {cite}`zhang2023dive`, and the PyTorch paper for how
# the library works {cite}`paszke2019pytorch`.

# %% [markdown]
# ```{solution-end}
# ```
