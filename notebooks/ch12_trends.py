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
# # Trends and challenges
#
# Models keep growing, and so does the pressure to make them cheaper to run. New
# methods arrive every year, and single models now read and write text, images and
# sound together. Meanwhile the questions a builder must answer before shipping
# get harder: whose data trained the model, what can leak from it, whom it
# serves badly, and who is accountable when it fails.
#
# This chapter covers, in order:
#
# 1. bigger models: hardware and scaling;
# 2. new methods and {term}`multimodal models <multimodal model>`;
# 3. the market: who can afford to train what;
#
# and, in three sections of their own that measure what they discuss:
#
# 4. more efficient models: compression by {term}`quantization`, pruning and
#    {term}`knowledge distillation`, and the course's own sentiment model shrunk
#    and measured ({doc}`ch12a_compression`);
# 5. data privacy and security, with runnable illustrations of what
#    {term}`de-identification`, {term}`data minimization` and
#    {term}`differential privacy` do on a real table ({doc}`ch12b_privacy`);
# 6. ethics: {term}`algorithmic bias`, data ethics and accountability, and the
#    course's model probed for shifts in sentiment between names and gender words
#    ({doc}`ch12c_bias`).

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

import numpy as np

from helpers.book import glue
from helpers.plotting import use_course_style
from helpers.repro import set_seed

set_seed()
use_course_style()

# %% [markdown]
# ## Bigger models
#
# Chapter 1 defined a model's size by three numbers: parameters $N$, training data
# $D$ and training compute $C \approx 6ND$. All three have grown fast. Sevilla and
# colleagues collected the training compute of 123 landmark models and estimate
# that it doubled roughly every 20 months before 2010 and roughly every 6 months
# in the deep-learning era after it {cite}`sevilla2022compute`. A doubling time
# translates into a growth factor per year:

# %%
doubling_months = {"before 2010": 20, "deep-learning era": 6}
growth_per_year = {era: 2 ** (12 / months) for era, months in doubling_months.items()}
glue("growth_early", growth_per_year["before 2010"], display=False)
glue("growth_deep", growth_per_year["deep-learning era"], display=False)
growth_per_year

# %% [markdown]
# A 20-month doubling is a factor of {glue:text}`growth_early:.2f` a year; a
# 6-month doubling is a factor of {glue:text}`growth_deep:.0f` a year. Before 2010
# the growth matched Moore's law, the pace at which chips themselves improved
# {cite}`sevilla2022compute`; after it, the growth was paid for with more chips, run
# longer, and with chips built for the job: Google's Tensor Processing Unit, a
# chip for the matrix arithmetic of neural networks, has served inference in its
# data centres since 2015 {cite}`jouppi2017indatacenter`.
#
# More chips help only if the work can be split among them. The usual split is
# {term}`data parallelism`: every {term}`worker` holds a copy of the model,
# trains on its own share of each batch, and the copies combine their gradients
# with an {term}`all-reduce` before every step, so that they stay identical
# {cite}`goyal2017accurate,sergeev2018horovod`; another design keeps the
# weights on dedicated {term}`parameter servers <parameter server>` instead
# {cite}`li2014scaling`. The data are prepared on many machines too, with
# engines in the MapReduce family such as {term}`Apache Spark`
# {cite}`dean2008mapreduce,zaharia2016spark`. Splitting is not free: the
# workers must exchange gradients at every step, and that traffic can cost more
# than the arithmetic it shares out. {doc}`ch11a_scale_out` runs both halves
# on the course's own pipeline, checks each against the single-machine result,
# and works out from measured times when a second machine pays.
#
# Bigger is predictably better, within limits. The test loss of language models
# falls as a smooth power law in parameters, data and compute
# {cite}`kaplan2020scaling`. Hoffmann and colleagues then found that, for a fixed
# compute budget, many large models had been trained on too little data: their
# 70-billion-parameter Chinchilla, trained on more tokens, outperformed
# 280-billion-parameter Gopher trained with a similar budget
# {cite}`hoffmann2022training`. The practical lesson for a builder is that
# parameter count alone says little; what counts is the quality of the model for
# the cost of training *and* of running it. Training also costs energy and money:
# Strubell and colleagues estimated both for several language models and asked
# researchers to report them {cite}`strubell2019energy`. What a trained model costs
# to *run*, and how to make it cheaper, is the subject of {doc}`ch12a_compression`.

# %% [markdown]
# ## New methods and multimodal models
#
# Three ideas carry most of the recent progress.
#
# - **Attention and the Transformer.** The {term}`Transformer` replaced recurrence
#   with {term}`attention`, which lets every position of a sequence look at every
#   other in one parallel step {cite}`vaswani2017attention`. The LSTM of the
#   project part reads one word at a time; a Transformer reads them all at once,
#   which suits modern hardware. {doc}`ch08a_attention` writes attention and a
#   Transformer block from scratch and checks them against Keras.
# - **Pre-training, then adapting.** A model is first trained on a large unlabelled
#   corpus to predict missing or next words ({term}`pre-training`), then
#   {term}`fine-tuned <fine-tuning>` on a small labelled task, as BERT did
#   {cite}`devlin2019bert`; {doc}`ch08b_pretrained` does this with a small
#   pretrained encoder on the course's own task. Large enough language models
#   can even do new tasks from a few examples in the prompt, without any further
#   training
#   {cite}`brown2020language`. Models trained this way and adapted to many tasks are
#   called {term}`foundation models <foundation model>`; their defects are inherited
#   by everything built on them {cite}`bommasani2021opportunities`.
# - **Learning from human feedback.** Assistants are language models fine-tuned on
#   demonstrations and on people's rankings of answers, with reinforcement learning
#   from human feedback (RLHF) {cite}`ouyang2022training`.
#
# **Multimodal models** connect kinds of data. CLIP learned a shared embedding for
# images and their captions from a large collection of image-text pairs, which lets
# it classify images into categories named only in text {cite}`radford2021learning`;
# Whisper maps speech in many languages to text {cite}`radford2023robust`. The same
# recipe (a large pre-trained network, adapted) now spans text, images and audio.

# %% [markdown]
# ## The market
#
# Two forces pull in opposite directions. Training a frontier model takes compute
# that has been growing several-fold a year, as computed above, which concentrates
# it in a few organizations; and when many products are built on the same few
# foundation models, a flaw in one base model spreads to all of them
# {cite}`bommasani2021opportunities`. At the same time, pre-trained models, open
# frameworks ({doc}`ch11_tools`) and compression lower the cost of *using* the technology:
# a young company rarely needs to train a large model from scratch; it needs good
# data for its own task, a sound evaluation, and a model small enough to serve
# profitably. Engineering work does not end at deployment either: machine-learning
# systems accumulate "technical debt" through data dependencies, feedback loops
# and configuration that ordinary software does not have {cite}`sculley2015hidden`.
# Beyond cost, a model built on people's data must protect their privacy
# ({doc}`ch12b_privacy`) and treat them fairly ({doc}`ch12c_bias`).

# %% [markdown]
# ## Summary
#
# - Training compute grew about {glue:text}`growth_deep:.0f`-fold a year in the
#   deep-learning era; scaling laws make the gain predictable, and compute-optimal
#   training balances parameters against data.
# - More chips pay only when the work splits well: data parallelism exchanges
#   gradients at every step, and {doc}`ch11a_scale_out` measures when that costs
#   less than it saves.
# - Transformers, pre-training with fine-tuning, learning from human feedback and
#   multimodal models carry recent progress.
# - Training frontier models concentrates in a few organizations, while
#   pre-trained models, open frameworks and compression lower the cost of using
#   them.
# - The chapter's three sections measure what the rest argues, each with its own
#   summary and exercises: compression of the course's sentiment model
#   ({doc}`ch12a_compression`); de-identification, minimization and differential
#   privacy on real tables ({doc}`ch12b_privacy`); and a bias probe of the same
#   model ({doc}`ch12c_bias`).
#
# ## Exercises
#
# ```{exercise}
# :label: ch12-ex-doubling
#
# How many years does it take training compute to grow 1,000-fold at the doubling
# time of the deep-learning era, and how many at the doubling time before 2010?
# ```
#
# ```{solution-start} ch12-ex-doubling
# :class: dropdown
# ```
#
# A factor of 1,000 is $\log_2 1000$ doublings; each takes the era's doubling time:

# %%
growth_factor = 1_000
doublings = float(np.log2(growth_factor))
years_to_grow = {era: doublings * months / 12 for era, months in doubling_months.items()}
glue("ex_doublings", doublings, display=False)
glue("ex_years_deep", years_to_grow["deep-learning era"], display=False)
glue("ex_years_early", years_to_grow["before 2010"], display=False)
years_to_grow

# %% [markdown]
# That is {glue:text}`ex_doublings:.1f` doublings: {glue:text}`ex_years_deep:.1f`
# years at a 6-month doubling, and {glue:text}`ex_years_early:.1f` years at a
# 20-month doubling.
#
# ```{solution-end}
# ```
