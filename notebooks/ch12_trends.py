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
# 1. bigger and more efficient models: hardware, scaling, and compression by
#    {term}`quantization`, pruning and {term}`knowledge distillation`;
# 2. new methods and {term}`multimodal models <multimodal model>`;
# 3. the market: who can afford to train what;
# 4. data privacy and security, with runnable illustrations of what
#    {term}`de-identification`, {term}`data minimization` and
#    {term}`differential privacy` do on a real table;
# 5. ethics: {term}`algorithmic bias`, data ethics and accountability.
#
# Two sections, *Compression, measured* and *Bias, measured*, apply these ideas to
# the course's own sentiment model from the project part.

# %% tags=["remove-stderr"]
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from myst_nb import glue

from helpers.data import load_auto_mpg, load_vader
from helpers.plotting import use_course_style
from helpers.repro import DEFAULT_SEED, set_seed

set_seed()
use_course_style()
rng = np.random.default_rng(DEFAULT_SEED)

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
# researchers to report them {cite}`strubell2019energy`.

# %% [markdown]
# ## More efficient models
#
# A trained model must fit in memory and answer fast enough, on a server, a phone
# or a laptop like the one this book runs on. The memory needed just to hold the
# weights is the number of parameters times the bytes per parameter. For two
# models whose sizes chapter 1 quoted, BERT-large {cite}`devlin2019bert` and GPT-3
# {cite}`brown2020language`:

# %%
bytes_per_parameter = {"float32": 4, "float16": 2, "int8": 1, "int4": 0.5}
model_parameters = {"BERT-large": 340e6, "GPT-3": 175e9}
weight_memory = pd.DataFrame(
    {
        model: {fmt: n * size / 1e9 for fmt, size in bytes_per_parameter.items()}
        for model, n in model_parameters.items()
    }
)
weight_memory.index.name = "number format"
glue("gpt3_fp32_gb", float(weight_memory.loc["float32", "GPT-3"]), display=False)
glue("gpt3_int8_gb", float(weight_memory.loc["int8", "GPT-3"]), display=False)
weight_memory.style.format("{:,.2f}").set_caption("Gigabytes needed to store the weights")

# %% [markdown]
# Stored as 32-bit floats, GPT-3's weights alone take
# {glue:text}`gpt3_fp32_gb:,.0f` GB; as 8-bit integers,
# {glue:text}`gpt3_int8_gb:,.0f` GB. Activations, caches and the serving software
# come on top. Three families of methods shrink a trained model:
#
# - **Quantization** stores weights (and often activations) in fewer bits. Jacob
#   and colleagues showed how to run a network with integer-only arithmetic: each
#   tensor is mapped to 8-bit integers by a scale and a zero point, and training
#   can simulate the rounding so that accuracy survives it
#   {cite}`jacob2018quantization`. Quantization can be done after training
#   (post-training quantization) or simulated during it (quantization-aware
#   training).
# - **Pruning** removes weights that matter little. Han, Mao and Dally combined
#   pruning, quantization with shared weights, and Huffman coding, and report
#   storage reductions of 35 to 49 times on image classifiers without loss of
#   accuracy {cite}`han2016deep`.
# - **Distillation** trains a small *student* to reproduce a large *teacher*'s
#   output probabilities, which carry more information than the hard labels
#   {cite}`hinton2015distilling`. DistilBERT is BERT distilled this way: the
#   authors report a model 40% smaller and 60% faster that keeps 97% of BERT's
#   language-understanding performance {cite}`sanh2019distilbert`.
#
# None of these is free. Every shrinking step can cost accuracy, and the loss is
# often uneven: a compressed model may stay as good on average while getting worse
# on rare inputs. So the only way to know is to measure, on your own model and your
# own test set.

# %% [markdown]
# ### Compression, measured
#
# This section measures what post-training quantization does to the course's own
# sentiment model, the LSTM trained in the project part: the size of the saved
# model, the time it takes to score a batch of sentences on this CPU, and its test
# accuracy and per-class F1, each before and after quantization, on the same test
# split that chapter 9 evaluates.

# %% [markdown]
# ## New methods and multimodal models
#
# Three ideas carry most of the recent progress.
#
# - **Attention and the Transformer.** The {term}`Transformer` replaced recurrence
#   with {term}`attention`, which lets every position of a sequence look at every
#   other in one parallel step {cite}`vaswani2017attention`. The LSTM of the
#   project part reads one word at a time; a Transformer reads them all at once,
#   which suits modern hardware.
# - **Pre-training, then adapting.** A model is first trained on a large unlabelled
#   corpus to predict missing or next words ({term}`pre-training`), then
#   {term}`fine-tuned <fine-tuning>` on a small labelled task, as BERT did
#   {cite}`devlin2019bert`. Large enough language models can even do new tasks from
#   a few examples in the prompt, without any further training
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
# frameworks (chapter 11) and compression lower the cost of *using* the technology:
# a young company rarely needs to train a large model from scratch; it needs good
# data for its own task, a sound evaluation, and a model small enough to serve
# profitably. Engineering work does not end at deployment either: machine-learning
# systems accumulate "technical debt" through data dependencies, feedback loops
# and configuration that ordinary software does not have {cite}`sculley2015hidden`.

# %% [markdown]
# ## Data privacy and security
#
# Models are trained on data about people, and both the data and the model can
# leak. Three threats are documented:
#
# - **Re-identification.** Removing names is not anonymization. Sweeney showed how
#   records stripped of names can be re-identified by linking the attributes that
#   remain, such as ZIP code, birth date and sex, to a public voter list, and proposed
#   *k-anonymity*: every combination of such quasi-identifiers must be shared by at
#   least $k$ records {cite}`sweeney2002kanonymity`. Narayanan and Shmatikov
#   re-identified Netflix subscribers in a released set of "anonymous" movie ratings
#   by matching a few of their ratings against public ratings on the Internet Movie
#   Database {cite}`narayanan2008robust`.
# - **Membership inference.** Given a record and a model, an attacker can often tell
#   whether the record was in the training set, because models behave differently on
#   examples they have seen {cite}`shokri2017membership`.
# - **Training-data extraction.** Large language models can be made to reproduce
#   verbatim pieces of their training data, including names, phone numbers and
#   email addresses that appeared in only one document {cite}`carlini2021extracting`.
#
# Law sets the frame. The EU's General Data Protection Regulation requires, among
# other principles, that personal data be "adequate, relevant and limited to what
# is necessary" for the purpose: data minimisation, Article 5(1)(c)
# {cite}`gdpr2016`. Three techniques follow, and we now run each on a real table.
#
# **The data.** We use the Auto MPG table from chapter 3: one row per car, each
# with a name and eight attributes. These rows are cars, not people;
# we use them as a stand-in because they are real, public and small. Read each row
# as if it were one person's record, and the name as their name.

# %%
cars = load_auto_mpg()
n_cars = len(cars)
glue("n_cars", n_cars, display=False)
cars.head()

# %% [markdown]
# ### De-identification
#
# {term}`De-identification` removes direct identifiers, here the `name` column. The
# question is whether the remaining columns still single records out. A record is
# *unique* on a set of columns if no other record shares its values in all of them,
# and the table is *k-anonymous* if every combination that occurs is shared by at
# least $k$ records {cite}`sweeney2002kanonymity`. We measure both for several
# choices of quasi-identifiers.


# %%
def uniqueness(table: pd.DataFrame, columns: list[str]) -> dict[str, float]:
    """Share of rows unique on ``columns``, and the table's k-anonymity level."""
    group_size = table.groupby(columns)[columns[0]].transform("size")
    return {"unique rows (%)": 100 * float((group_size == 1).mean()), "k": int(group_size.min())}


deidentified = cars.drop(columns=["name"])
quasi_identifier_sets = {
    "origin, year, cylinders, weight": ["origin", "model_year", "cylinders", "weight"],
    "origin, year, cylinders": ["origin", "model_year", "cylinders"],
    "origin, cylinders": ["origin", "cylinders"],
}
reidentification = pd.DataFrame(
    {label: uniqueness(deidentified, cols) for label, cols in quasi_identifier_sets.items()}
).T
reidentification.index.name = "quasi-identifiers known to an attacker"
glue("unique_four", float(reidentification.iloc[0]["unique rows (%)"]), display=False)
glue("unique_three", float(reidentification.iloc[1]["unique rows (%)"]), display=False)
reidentification.style.format({"unique rows (%)": "{:.1f}", "k": "{:.0f}"})

# %% [markdown]
# With the name removed, an attacker who knows a car's origin, model year, number of
# cylinders and exact weight can still single out
# {glue:text}`unique_four:.1f`% of the {glue:text}`n_cars` rows. Three coarse
# attributes alone single out {glue:text}`unique_three:.1f`%. Weight works like a
# birth date: one precise number is almost an identifier by itself. De-identification
# is necessary, but it is not anonymization.

# %% [markdown]
# ### Data minimization
#
# {term}`Data minimization` means keeping only what the purpose needs, at the
# coarsest precision that serves it. Suppose the purpose is to study fuel economy by
# origin and engine size. The exact weight and the exact model year are not needed;
# weight in bands of 1,000 lb and the year in bands of five years might serve.
# Generalizing columns this way and dropping the rest raises $k$:

# %%
minimized = deidentified.assign(
    weight_band=(deidentified["weight"] // 1000 * 1000).astype(int),
    year_band=(deidentified["model_year"] - 1970) // 5 * 5 + 1970,
)
minimization_steps = {
    "exact weight and year": ["origin", "model_year", "cylinders", "weight"],
    "weight in 1,000 lb bands": ["origin", "model_year", "cylinders", "weight_band"],
    "and year in 5-year bands": ["origin", "year_band", "cylinders", "weight_band"],
    "drop weight and year": ["origin", "cylinders"],
}
minimization = pd.DataFrame(
    {step: uniqueness(minimized, cols) for step, cols in minimization_steps.items()}
).T
minimization.index.name = "what the released table keeps"
assert minimization["unique rows (%)"].is_monotonic_decreasing
assert minimization.iloc[2]["k"] == 1 and minimization.iloc[2]["unique rows (%)"] > 0
assert minimization.iloc[-1]["k"] >= 2
glue("k_banded", int(minimization.iloc[2]["k"]), display=False)
glue("unique_banded", float(minimization.iloc[2]["unique rows (%)"]), display=False)
glue("k_minimal", int(minimization.iloc[-1]["k"]), display=False)
minimization.style.format({"unique rows (%)": "{:.1f}", "k": "{:.0f}"})

# %% [markdown]
# Coarsening both weight and year still leaves {glue:text}`unique_banded:.1f`% of
# rows unique, and $k =$ {glue:text}`k_banded`: a few rare combinations (an unusual
# engine for its origin, or an unusual weight) stay identifiable however you band the
# rest. Only
# dropping weight and year brings every combination up to
# $k =$ {glue:text}`k_minimal`. Minimization helps, but rare records are the hardest
# to protect, and k-anonymity says nothing about what an attacker learns by
# combining several releases.

# %% [markdown]
# ### Differential privacy
#
# {term}`Differential privacy` changes the question from "can this record be found?"
# to "does the output depend on whether any one person is in the data?"
# A randomized algorithm $M$ is $\varepsilon$-differentially private if, for any two
# data sets $D$ and $D'$ that differ in one record and any set $S$ of outputs,
#
# $$
# P[M(D) \in S] \le e^{\varepsilon}\, P[M(D') \in S]
# $$
#
# {cite}`dwork2006calibrating`. The smaller $\varepsilon$, the less any one record
# can change what the output reveals.
#
# For this part we switch to the data of the course's project: the movie-review
# snippets of the VADER corpus, each with the mean of about twenty people's ratings
# on a scale from $-4$ to $+4$ and the label derived from it
# {cite}`hutto2014vader`. Again, read each row as one person's record.

# %%
snippets = load_vader("movie")
n_snippets = len(snippets)
glue("n_snippets", n_snippets, display=False)
snippets[["text", "rating", "label"]].head(3)

# %% [markdown]
# Why exact answers are dangerous is easy to show. Ask how many snippets are
# positive, then ask the same about the table without one particular snippet. The
# difference reveals that snippet's label exactly: a *differencing attack*.


# %%
def count_positive(table: pd.DataFrame) -> int:
    return int((table["label"] == "positive").sum())


target = 0  # the record whose label the attacker wants to learn
without_target = snippets.drop(index=target)
leaked = count_positive(snippets) - count_positive(without_target)
assert leaked == int(snippets.loc[target, "label"] == "positive")
assert leaked == 1, "the text below says the difference reveals a positive label"
true_count = count_positive(snippets)
glue("true_count", true_count, display=False)
glue("leaked", leaked, display=False)
f"{true_count:,} positive snippets; the two answers differ by {leaked}"

# %% [markdown]
# The two exact answers differ by {glue:text}`leaked`, so the target snippet is
# positive, and the attacker now knows it. The *Laplace mechanism* blocks this: it
# adds noise drawn from a Laplace distribution with scale $b = \Delta f / \varepsilon$,
# where the *sensitivity* $\Delta f$ is the most one record can change the answer
# {cite}`dwork2006calibrating`. A count changes by at most one, so $\Delta f = 1$.
# The Laplace density is $p(x) = e^{-|x - \mu|/b} / (2b)$. Its ratio between the two
# neighbouring tables is at most $e^{\Delta f / b} = e^{\varepsilon}$ everywhere, which
# is exactly the definition. We check that bound numerically on a fine grid of
# outputs:


# %%
def laplace_density(x: np.ndarray, centre: float, scale: float) -> np.ndarray:
    return np.exp(-np.abs(x - centre) / scale) / (2 * scale)


def laplace_count(true_value: int, epsilon: float, size: int, generator) -> np.ndarray:
    """Release a count (sensitivity 1) with epsilon-differential privacy."""
    return true_value + generator.laplace(loc=0.0, scale=1.0 / epsilon, size=size)


grid = np.linspace(true_count - 60, true_count + 60, 24_001)
for epsilon in (0.1, 0.5, 1.0, 2.0):
    ratio = laplace_density(grid, true_count, 1 / epsilon) / laplace_density(
        grid, true_count - 1, 1 / epsilon
    )
    assert ratio.max() <= np.exp(epsilon) * (1 + 1e-12)
    assert ratio.min() >= np.exp(-epsilon) * (1 - 1e-12)
    np.testing.assert_allclose(ratio.max(), np.exp(epsilon), rtol=1e-9)
"density ratio stays within [exp(-eps), exp(eps)] and reaches the bound"

# %% [markdown]
# The bound holds and is reached, for outputs on the far side of both centres. Now
# the price: noise. The expected absolute error of Laplace noise with scale $b$ is
# $b$, so a count released with $\varepsilon$ is off by $1/\varepsilon$ on average.
# We release the count many times for each $\varepsilon$ and measure the error.

# %%
epsilons = np.array([0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0])
releases_per_epsilon = 20_000
count_error = np.array(
    [
        np.abs(laplace_count(true_count, eps, releases_per_epsilon, rng) - true_count).mean()
        for eps in epsilons
    ]
)
np.testing.assert_allclose(count_error, 1 / epsilons, rtol=0.03)
count_errors = pd.DataFrame(
    {
        "epsilon": epsilons,
        "mean absolute error": count_error,
        "theory 1/epsilon": 1 / epsilons,
        "relative error (%)": 100 * count_error / true_count,
    }
)
glue("releases_per_epsilon", releases_per_epsilon, display=False)
glue("count_err_eps1", float(count_error[epsilons == 1.0][0]), display=False)
glue("count_err_eps001", float(count_error[epsilons == 0.01][0]), display=False)
glue("count_rel_eps001", float(count_errors["relative error (%)"].iloc[0]), display=False)
count_errors.style.format("{:.3g}")

# %% [markdown]
# Over {glue:text}`releases_per_epsilon:,` releases each, the measured error matches
# $1/\varepsilon$ within 3%, as the assertion checks. At $\varepsilon = 1$ the count of
# {glue:text}`true_count:,` is off by {glue:text}`count_err_eps1:.2f` on average; at
# $\varepsilon = 0.01$ by {glue:text}`count_err_eps001:.0f`, still only
# {glue:text}`count_rel_eps001:.1f`% of the count. The same noise would swamp the
# count of a group of ten. The error depends on $\varepsilon$, not on the size of the
# answer, so large groups are cheap to protect and small ones are not.
#
# A mean needs a bound. One record could move an unbounded column by any amount, so
# differential privacy needs each value to lie in a range fixed in advance, $[L, U]$,
# without looking at the data (values outside are clipped to it). Ratings are bounded
# by design, $[-4, 4]$. If the number of records $n$ is public, replacing one record
# moves the mean by at most $(U - L)/n$, the sensitivity. We check that bound on the
# worst replacement and release the mean rating:

# %%
rating_low, rating_high = -4.0, 4.0
ratings = snippets["rating"].clip(rating_low, rating_high)
assert ratings.equals(snippets["rating"]), "VADER ratings already lie in [-4, 4]"
true_mean_rating = float(ratings.mean())
mean_sensitivity = (rating_high - rating_low) / n_snippets
worst_case = ratings.copy()
worst_case.iloc[0] = rating_low if worst_case.iloc[0] > 0 else rating_high
assert abs(worst_case.mean() - true_mean_rating) <= mean_sensitivity + 1e-12

mean_error = np.array(
    [
        np.abs(rng.laplace(0.0, mean_sensitivity / eps, releases_per_epsilon)).mean()
        for eps in epsilons
    ]
)
np.testing.assert_allclose(mean_error, mean_sensitivity / epsilons, rtol=0.03)
glue("mean_sensitivity", mean_sensitivity, display=False)
glue("mean_err_eps1", float(mean_error[epsilons == 1.0][0]), display=False)
glue("mean_err_eps001", float(mean_error[epsilons == 0.01][0]), display=False)
f"mean rating {true_mean_rating:.4f}, sensitivity {mean_sensitivity:.2e} rating points"

# %% [markdown]
# Over {glue:text}`n_snippets:,` snippets one record can move the mean rating by at
# most {glue:text}`mean_sensitivity:.1e` points. At $\varepsilon = 1$ the released mean
# is off by {glue:text}`mean_err_eps1:.1e` points on average, and even at
# $\varepsilon = 0.01$ by only {glue:text}`mean_err_eps001:.3f` points on a scale 8
# points wide. {numref}`fig-dp-tradeoff` shows the whole trade-off.

# %%
fig, (ax_count, ax_mean) = plt.subplots(1, 2, figsize=(7.2, 3.2), sharex=True)
ax_count.loglog(epsilons, count_error, "o-", label="measured")
ax_count.loglog(epsilons, 1 / epsilons, "k:", label=r"theory $1/\varepsilon$")
ax_count.set_title("count of positive snippets")
ax_count.set_ylabel("mean absolute error")
ax_mean.loglog(epsilons, mean_error, "s-", color="C1", label="measured")
ax_mean.loglog(epsilons, mean_sensitivity / epsilons, "k:", label=r"theory $8/(n\varepsilon)$")
ax_mean.set_title("mean rating (scale -4 to 4)")
for ax in (ax_count, ax_mean):
    ax.set_xlabel(r"$\varepsilon$ (smaller = more private)")
    ax.legend()
glue("fig_dp_tradeoff", fig, display=False)
plt.close(fig)

# %% [markdown]
# ```{glue:figure} fig_dp_tradeoff
# :name: fig-dp-tradeoff
#
# Measured mean absolute error of Laplace-mechanism releases on the VADER movie
# snippets against the privacy parameter, on log-log axes, with the theoretical
# value dotted. Each point averages many releases.
# ```
#
# Both errors fall with slope $-1$: ten times more privacy budget, ten times less
# error. The mean is far more accurate than the count because its sensitivity is
# divided by $n$: statistics over many people are cheap to protect, statistics about
# few are expensive. Three cautions keep this honest:
#
# - $\varepsilon$ adds up. Answering $k$ questions at $\varepsilon$ each costs up to
#   $k\varepsilon$ in total under basic composition, so a data set supports a limited
#   number of private answers {cite}`dwork2014algorithmic`.
# - Choosing $\varepsilon$ is a policy decision, not a technical one. When the US
#   Census Bureau adopted differential privacy, its executives, not its engineers,
#   were to set the budget {cite}`abowd2018census`.
# - Training can be made differentially private too. DP-SGD clips each example's
#   gradient and adds Gaussian noise to every update, and accounts for the total
#   privacy loss over training {cite}`abadi2016deep`; chapter 13 shows the mechanics.

# %% [markdown]
# ## Ethics: bias, data and accountability
#
# **Algorithmic bias** is a measurable property, not an accusation. Audits have found
# it repeatedly:
#
# - commercial face-analysis systems misclassified the gender of darker-skinned
#   women far more often than that of lighter-skinned men
#   {cite}`buolamwini2018gender`, and the US standards agency measured demographic
#   differences in the error rates of the majority of face-recognition algorithms it
#   tested
#   {cite}`grother2019face`;
# - a widely used health-care algorithm predicted future costs as a proxy for need;
#   because less had been spent on Black patients with the same illnesses, it
#   ranked them as healthier than equally sick White patients
#   {cite}`obermeyer2019dissecting`;
# - word embeddings learned from news text encode gender stereotypes, such as
#   occupations associated with one gender {cite}`bolukbasi2016man`;
# - of 219 sentiment-analysis systems probed with sentences that differ only in a
#   name or a gender word, several gave systematically different scores to one race
#   or one gender {cite}`kiritchenko2018examining`.
#
# The last finding is about exactly the kind of model this course builds.
#
# **Data ethics** asks where data came from, whether people agreed to its use, and
# what it does not represent. *Datasheets for datasets* turn those questions into a
# standard document that travels with a data set {cite}`gebru2021datasheets`;
# *model cards* do the same for a trained model, including its performance broken
# down by group {cite}`mitchell2019model`.
#
# **Accountability** means someone answers for a system's behaviour. The EU's
# Artificial Intelligence Act prohibits some practices outright and sets obligations
# by risk level, with the strictest for high-risk uses such as employment and critical
# infrastructure {cite}`euaiact2024`; the
# US NIST AI Risk Management Framework organizes the work into govern, map, measure
# and manage {cite}`nist2023airmf`. Both ask for the same things this book practises:
# documented data, honest evaluation, and measured, not assumed, behaviour.

# %% [markdown]
# ### Bias, measured
#
# This section probes the course's own sentiment model, in the manner of Kiritchenko
# and Mohammad {cite}`kiritchenko2018examining`: it scores templated sentences that
# differ only in a person's name or an identity term, and measures how far the
# predicted sentiment shifts between the groups, with the spread that chance alone
# would give for comparison.

# %% [markdown]
# ## Summary
#
# - Training compute grew several-fold a year in the deep-learning era; scaling laws
#   make the gain predictable, and compute-optimal training balances parameters
#   against data.
# - Quantization, pruning and distillation shrink trained models; each can cost
#   accuracy, unevenly, so the effect must be measured.
# - Transformers, pre-training with fine-tuning, learning from human feedback and
#   multimodal models carry recent progress.
# - Removing names is not anonymization: on a real table, a few remaining columns
#   single out most rows. Minimization raises $k$ but leaves rare records exposed.
# - The Laplace mechanism gives a provable guarantee; its measured error falls as
#   $1/\varepsilon$, and it is cheap for aggregates over many records and expensive
#   for small groups.
# - Bias is measured by disaggregated evaluation; datasheets, model cards and risk
#   frameworks make data, models and responsibility explicit.

# %% [markdown]
# ## Exercises
#
# 1. You want to release a count with $\varepsilon$-differential privacy and an
#    expected absolute error of 5. Which $\varepsilon$ do you need? Check it with the
#    `laplace_count` function above.
# 2. A dashboard answers the same count query every day, each answer with
#    $\varepsilon = 0.1$, and a user can look at a year of answers. What total privacy
#    loss does basic composition allow? What would you change?
# 3. Why does the mean query clip the weights before adding noise? What goes wrong if
#    the range $[L, U]$ is chosen by looking at the data's minimum and maximum?
# 4. In the minimization table, which records keep $k$ low? Find them with a
#    `groupby` and explain what makes them rare.
#
# :::{dropdown} Solution 1
# The expected absolute error of Laplace noise is its scale $b = 1/\varepsilon$, so
# $\varepsilon = 1/5 = 0.2$. Check:
# `np.abs(laplace_count(0, 0.2, 100_000, np.random.default_rng(0))).mean()` is close
# to 5.
# :::
#
# :::{dropdown} Solution 2
# Under basic composition the losses add: 365 answers at 0.1 each allow a total of
# 36.5, which is no meaningful protection. Options: publish less often, answer from a
# cache so the same question is not re-noised, or split a fixed annual budget across
# the releases, accepting more noise per answer {cite}`dwork2014algorithmic`.
# :::
#
# :::{dropdown} Solution 3
# Without a bound, one record could move the mean by any amount, so no finite noise
# scale would give the guarantee. Setting $[L, U]$ from the data's own minimum and
# maximum leaks information: those two values are properties of single records. The
# range must be fixed from public knowledge before looking at the data.
# :::
#
# :::{dropdown} Solution 4
# Group `minimized` by the kept columns and list the groups of size below 2, for
# example
# `minimized.groupby(["origin", "year_band", "cylinders", "weight_band"]).filter(lambda g: len(g) < 2)`.
# They are cars with an engine that is rare for their origin, such as the few
# three-cylinder Japanese and five-cylinder European cars, or with a weight far from
# the usual for their origin and years, such as the lightest American cars. Rare
# attribute values are what make a record identifiable, whatever the precision of
# the other columns.
# :::
