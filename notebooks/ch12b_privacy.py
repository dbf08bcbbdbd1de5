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
# # Data privacy and security
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
# {cite}`gdpr2016`. Three techniques follow, and this section of chapter 15 runs
# each on a real table: {term}`de-identification`, {term}`data minimization` and
# {term}`differential privacy`.

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

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from helpers.book import glue
from helpers.data import load_auto_mpg, load_vader
from helpers.plotting import use_course_style
from helpers.repro import DEFAULT_SEED, set_seed

set_seed()
use_course_style()
rng = np.random.default_rng(DEFAULT_SEED)

# %% [markdown]
# ## The data
#
# We use the Auto MPG table from chapter 3: one row per car, each with a name and
# {glue:text}`n_attributes` attributes. These rows are cars, not people; we use
# them as a stand-in because they are real, public and small. Read each row as if
# it were one person's record, and the name as their name.

# %%
cars = load_auto_mpg()
n_cars = len(cars)
glue("n_cars", n_cars, display=False)
glue("n_attributes", cars.shape[1] - 1, display=False)  # every column but the name
cars.head()

# %% [markdown]
# ## De-identification
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
unique_weight = uniqueness(deidentified, ["weight"])["unique rows (%)"]
glue("unique_weight", unique_weight, display=False)
# The text says: the four columns single out most rows, and weight alone most of them.
assert reidentification.iloc[0]["unique rows (%)"] > 50 and unique_weight > 50
reidentification.style.format({"unique rows (%)": "{:.1f}", "k": "{:.0f}"})

# %% [markdown]
# With the name removed, an attacker who knows a car's origin, model year, number of
# cylinders and exact weight can still single out
# {glue:text}`unique_four:.1f`% of the {glue:text}`n_cars` rows. Three coarse
# attributes alone single out {glue:text}`unique_three:.1f`%. Weight works like a
# birth date: one precise number is almost an identifier by itself, and weight alone
# singles out {glue:text}`unique_weight:.1f`% of the cars. De-identification is
# necessary, but it is not anonymization.

# %% [markdown]
# ## Data minimization
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
# ## Differential privacy
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
#   privacy loss over training {cite}`abadi2016deep`; chapter 16 shows the mechanics.

# %% [markdown]
# ## Summary
#
# - Removing names is not anonymization: on a real table, four remaining columns
#   single out {glue:text}`unique_four:.0f`% of the rows, and one precise number
#   (weight) {glue:text}`unique_weight:.0f`%. Minimization raises $k$ but leaves
#   rare records exposed.
# - The Laplace mechanism gives a provable guarantee; its measured error falls as
#   $1/\varepsilon$, and it is cheap for aggregates over many records and expensive
#   for small groups.
# - Choosing $\varepsilon$, and how many questions to answer with it, is a policy
#   decision.
#
# ## Exercises
#
# ```{exercise}
# :label: ch12b-ex-epsilon
#
# You want to release a count with $\varepsilon$-differential privacy and an
# expected absolute error of 5. Which $\varepsilon$ do you need? Check it with the
# `laplace_count` function above.
# ```
#
# ```{solution-start} ch12b-ex-epsilon
# :class: dropdown
# ```
#
# The expected absolute error of Laplace noise is its scale $b = 1/\varepsilon$, so
# $\varepsilon = 1/5 = 0.2$. Check, over many releases of a count of 0:

# %%
target_error = 5
needed_epsilon = 1 / target_error
measured_error = float(
    np.abs(laplace_count(0, needed_epsilon, 100_000, np.random.default_rng(0))).mean()
)
np.testing.assert_allclose(measured_error, target_error, rtol=0.02)
glue("ex_needed_epsilon", needed_epsilon, display=False)
glue("ex_measured_error", measured_error, display=False)
{"epsilon": needed_epsilon, "mean absolute error": measured_error}

# %% [markdown]
# With $\varepsilon =$ {glue:text}`ex_needed_epsilon:.1f` the measured mean
# absolute error is {glue:text}`ex_measured_error:.2f`, within 2% of 5 (asserted).
#
# ```{solution-end}
# ```
#
# ```{exercise}
# :label: ch12b-ex-composition
#
# A dashboard answers the same count query every day, each answer with
# $\varepsilon = 0.1$, and a user can look at a year of answers. What total privacy
# loss does basic composition allow? What would you change?
# ```
#
# ```{solution-start} ch12b-ex-composition
# :class: dropdown
# ```

# %%
answers_per_year, epsilon_per_answer = 365, 0.1
yearly_loss = answers_per_year * epsilon_per_answer  # basic composition: losses add
glue("ex_yearly_loss", yearly_loss, display=False)
glue("ex_yearly_ratio", float(np.exp(yearly_loss)), display=False)
yearly_loss

# %% [markdown]
# Under basic composition the losses add: a year of answers allows a total of
# $\varepsilon =$ {glue:text}`ex_yearly_loss:.1f`, so the probability of any output
# may change by a factor of up to $e^{\varepsilon}$, about
# {glue:text}`ex_yearly_ratio:.1e`, which is no meaningful protection. Options:
# publish less often, answer from a cache so the same question is not re-noised, or
# split a fixed annual budget across the releases, accepting more noise per answer
# {cite}`dwork2014algorithmic`.
#
# ```{solution-end}
# ```
#
# ```{exercise}
# :label: ch12b-ex-clipping
#
# Why does the mean query clip the ratings before adding noise? What goes wrong if
# the range $[L, U]$ is chosen by looking at the data's minimum and maximum?
# ```
#
# ```{solution-start} ch12b-ex-clipping
# :class: dropdown
# ```
#
# Without a bound, one record could move the mean by any amount, so no finite noise
# scale would give the guarantee. Setting $[L, U]$ from the data's own minimum and
# maximum leaks information: those two values are properties of single records. The
# range must be fixed from public knowledge before looking at the data.
#
# ```{solution-end}
# ```
#
# ```{exercise}
# :label: ch12b-ex-rare-records
#
# In the minimization table, which records keep $k$ low? Find them with a
# `groupby` and explain what makes them rare.
# ```
#
# ```{solution-start} ch12b-ex-rare-records
# :class: dropdown
# ```
#
# Group `minimized` by the columns kept in the third step and list the groups of
# fewer than two cars:

# %%
kept = minimization_steps["and year in 5-year bands"]
rare = minimized.groupby(kept).filter(lambda group: len(group) < 2)
rare_engines = set(zip(rare["origin"], rare["cylinders"], strict=True))
lightest_usa = rare[(rare["origin"] == "USA") & (rare["weight_band"] == 1000)]
# The text names these: three-cylinder Japanese and five-cylinder European cars, and
# American cars under 2,000 lb.
assert {("Japan", 3), ("Europe", 5)} <= rare_engines and len(lightest_usa) > 0
glue("ex_rare_records", len(rare), display=False)
glue("ex_rare_lightest_usa", len(lightest_usa), display=False)
rare[[*kept, "weight"]].sort_values(["origin", "cylinders"])

# %% [markdown]
# {glue:text}`ex_rare_records` cars are alone in their group. They are cars with an
# engine that is rare for their origin, such as the three-cylinder Japanese and the
# five-cylinder European cars, or with a weight far from the usual for their origin
# and years, such as the {glue:text}`ex_rare_lightest_usa` American cars under
# 2,000 lb (all asserted). Rare attribute values are what make a record
# identifiable, whatever the precision of the other columns.
#
# ```{solution-end}
# ```
