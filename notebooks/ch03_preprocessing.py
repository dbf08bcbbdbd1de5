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
# # Data preprocessing
#
# A network learns from whatever numbers it is given, so the numbers had better
# be right. This chapter takes a small real table with real gaps, the Auto MPG
# data {cite}`quinlan1993combining` (cars from 1970 to 1982, their engines, weights
# and fuel consumption), and prepares it for a model that predicts miles per
# gallon. The copy used here comes from the UCI Machine Learning Repository
# {cite}`quinlan1993autompg`. Along the way:
#
# - **inspect** the table: types, ranges, missing values;
# - **clean** it: what to do with a missing *target* (you cannot learn from it)
#   and with a missing *feature* (drop the row or fill the gap), and what each
#   choice does to row counts and to a model's error;
# - **normalize** the features, by hand, with scikit-learn and with Keras;
# - **split** into training, validation and test rows;
# - see **leakage** happen: statistics computed on rows the model should not have
#   seen, once where it barely matters and once where it makes pure noise look
#   predictive;
# - do it the right way with a scikit-learn `Pipeline` and `ColumnTransformer`
#   {cite}`pedregosa2011scikit`, and with a Keras `Normalization` layer adapted on
#   training rows only.
#
# **Where each split is used in this chapter**
#
# | split | used for |
# |---|---|
# | training | fitting every imputer, scaler, encoder, feature selector and model |
# | validation | comparing choices (drop vs impute, leaky vs honest, Ridge vs network) |
# | test | one final score of the chosen model, in the last section only |

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
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.feature_selection import SelectKBest, f_regression
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.metrics import mean_absolute_error, r2_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from helpers.book import glue
from helpers.data import load_auto_mpg, stratified_split
from helpers.evaluation import plot_learning_curves
from helpers.plotting import use_course_style
from helpers.repro import set_seed
from helpers.training import fit_and_record

set_seed()
use_course_style()

# %% [markdown]
# ## Inspect the table
#
# `load_auto_mpg()` returns the table as the `vega_datasets` package ships it,
# gaps included. Look at a few rows and at the column types first.

# %%
raw = load_auto_mpg()
glue("n_cars", len(raw), display=False)
raw.head()

# %%
raw.dtypes.to_frame("dtype").T

# %% [markdown]
# The target is `mpg`. The other numeric columns are features; `origin` is a category
# (`USA`, `Europe`, `Japan`) and `name` identifies the car, which we will not use
# as a feature. Now count what is missing.

# %%
missing = raw.isna().sum()
glue("n_missing_mpg", int(missing["mpg"]), display=False)
glue("n_missing_hp", int(missing["horsepower"]), display=False)
glue("n_incomplete", int(raw.isna().any(axis=1).sum()), display=False)
missing.to_frame("missing values").T

# %% [markdown]
# Of the {glue:text}`n_cars` cars, {glue:text}`n_missing_mpg` have no recorded
# `mpg` and {glue:text}`n_missing_hp` have no `horsepower`;
# {glue:text}`n_incomplete` rows have at least one gap. Here they are:

# %%
raw[raw.isna().any(axis=1)][["name", "mpg", "horsepower", "model_year", "origin"]]

# %% [markdown]
# Missing is not the only way a value can be wrong. A value can also be
# *invalid*: a negative weight, a year outside the data's range. `describe()`
# shows the ranges, and the cell after it turns the plausibility checks into
# assertions, so the book would not build if a future copy of the data broke them.

# %%
raw.describe().T[["count", "mean", "std", "min", "max"]].round(1)

# %%
positive = ["mpg", "displacement", "horsepower", "weight", "acceleration"]
assert (raw[positive].dropna() > 0).all().all(), "a physical quantity is zero or negative"
assert raw["cylinders"].isin([3, 4, 5, 6, 8]).all()
assert raw["model_year"].between(1970, 1982).all()
assert set(raw["origin"]) == {"USA", "Europe", "Japan"}
assert not raw.duplicated().any(), "duplicate rows"
"all plausibility checks pass"

# %% [markdown]
# ## A missing target cannot be learned from
#
# Supervised learning needs a target for every training row. scikit-learn
# refuses a target with gaps rather than guessing:

# %%
numeric = ["cylinders", "displacement", "horsepower", "weight", "acceleration", "model_year"]
complete_features = raw.dropna(subset=["horsepower"])
try:
    LinearRegression().fit(complete_features[numeric], complete_features["mpg"])
except ValueError as error:
    print("ValueError:", str(error).splitlines()[0])
else:
    raise AssertionError("expected scikit-learn to refuse a target with gaps")

# %% [markdown]
# Filling in a *target* would mean inventing the answers the model is supposed to
# learn, so the {glue:text}`n_missing_mpg` cars without `mpg` leave the
# supervised data set. (The UCI repository's own copy of this data leaves out
# eight cars with unknown `mpg` for the same reason, following Quinlan's use of
# it {cite}`quinlan1993autompg,quinlan1993combining`.) They are not
# useless: once a model is trained, these are exactly the cars one would ask it
# about.

# %%
cars = raw.dropna(subset=["mpg"]).reset_index(drop=True)
glue("n_labelled", len(cars), display=False)
glue("n_hp_gaps_labelled", int(cars["horsepower"].isna().sum()), display=False)
len(cars)

# %% [markdown]
# That leaves {glue:text}`n_labelled` cars, of which
# {glue:text}`n_hp_gaps_labelled` still lack `horsepower`.
#
# ## Split before you look further
#
# Every statistic a model uses (a mean to fill gaps, a standard deviation to
# scale by, the choice of features) must come from the training rows alone. So
# we split *now*, before computing any of them. The course's
# `stratified_split` gives 70 % training, 15 % validation and 15 % test. It can
# stratify on a label so each part keeps the class mix; `mpg` is a number, not a
# class, so we stratify on its quintile (five equally full bins): each part then
# gets cars from the whole range of fuel economy.

# %%
mpg_bins = pd.qcut(cars["mpg"], q=5, labels=False).to_numpy()
split = stratified_split(mpg_bins)
train = cars.iloc[split.train]
validation = cars.iloc[split.validation]
test = cars.iloc[split.test]  # set aside: not used again until the final section

sizes = pd.DataFrame(
    {
        "rows": [len(train), len(validation), len(test)],
        "mean mpg": [train["mpg"].mean(), validation["mpg"].mean(), test["mpg"].mean()],
    },
    index=["training", "validation", "test"],
)
for name, part in (("train", train), ("validation", validation), ("test", test)):
    glue(f"n_{name}", len(part), display=False)
assert sizes["rows"].sum() == len(cars)
assert not set(split.train) & set(split.test) and not set(split.validation) & set(split.test)
sizes.round(2)

# %% [markdown]
# {glue:text}`n_train` training, {glue:text}`n_validation` validation and
# {glue:text}`n_test` test cars, disjoint (asserted), with similar average `mpg`.
# The test rows now stay untouched until the last section. The training and
# validation rows are what we may look at; from here on, "the data" means them.
#
# ## A missing feature: drop the row or fill the gap?
#
# For a missing *feature* there are two common choices:
#
# - **drop** the rows with gaps: simple, but it throws away everything else
#   recorded about each such car, and the model can never be asked about a car
#   with a gap;
# - **impute**: fill each gap with a statistic of the training rows, here the
#   median `horsepower`. Every row is kept; the filled values are guesses.
#
# We fit the same model, a ridge regression (linear regression with a small
# penalty on large weights) on standardized features, both ways and score it on
# the validation rows with the **mean absolute error** (MAE, in mpg).

# %%
gaps_in_train = int(train["horsepower"].isna().sum())
gaps_in_validation = int(validation["horsepower"].isna().sum())
train_complete = train.dropna(subset=["horsepower"])

dropped = make_pipeline(StandardScaler(), Ridge(alpha=1.0))
dropped.fit(train_complete[numeric], train_complete["mpg"])

imputed = make_pipeline(SimpleImputer(strategy="median"), StandardScaler(), Ridge(alpha=1.0))
imputed.fit(train[numeric], train["mpg"])

servable = validation.dropna(subset=["horsepower"])  # the rows the drop-model can answer
mae_dropped = mean_absolute_error(servable["mpg"], dropped.predict(servable[numeric]))
mae_imputed = mean_absolute_error(validation["mpg"], imputed.predict(validation[numeric]))

glue("gaps_in_train", gaps_in_train, display=False)
glue("gaps_in_validation", gaps_in_validation, display=False)
glue("n_train_complete", len(train_complete), display=False)
glue("mae_dropped", mae_dropped, display=False)
glue("mae_imputed", mae_imputed, display=False)
glue("mae_drop_minus_impute", mae_dropped - mae_imputed, display=False)
assert gaps_in_validation == 0 and gaps_in_train > 0  # the text below relies on both
assert abs(mae_dropped - mae_imputed) < 0.1  # "a small difference"
pd.DataFrame(
    {
        "training rows used": [len(train_complete), len(train)],
        "validation rows it can score": [len(servable), len(validation)],
        "validation MAE (mpg)": [mae_dropped, mae_imputed],
    },
    index=["drop rows with gaps", "impute the median"],
).round(3)

# %% [markdown]
# Dropping cost {glue:text}`gaps_in_train` of the {glue:text}`n_train` training
# rows. The validation rows happen to contain {glue:text}`gaps_in_validation`
# cars with a gap, so both models can score all of them. Their errors are
# {glue:text}`mae_dropped:.3f` mpg (drop) and {glue:text}`mae_imputed:.3f` mpg
# (impute): they differ by only {glue:text}`mae_drop_minus_impute:.3f` mpg. So
# few rows are affected that either choice is defensible *here*.
# The larger difference is practical: a model trained on dropped rows still
# needs a rule for the cars with a gap that it will meet later, and imputation
# is such a rule. The pipelines below impute.

# %% [markdown]
# ## Normalize: put features on comparable scales
#
# The features live on very different scales. On the training rows:

# %%
train_scales = train[numeric].agg(["mean", "std"])
glue("mean_weight", float(train_scales.loc["mean", "weight"]), display=False)
glue("mean_acceleration", float(train_scales.loc["mean", "acceleration"]), display=False)
assert train_scales.loc["mean", "weight"] > 100 * train_scales.loc["mean", "acceleration"]
train_scales.round(1)

# %% [markdown]
# Weight in pounds averages {glue:text}`mean_weight:,.0f`, acceleration (seconds
# from 0 to 60 mph) {glue:text}`mean_acceleration:.1f`: more than a hundredfold
# apart (asserted).

# %% [markdown]
# **Standardization** rescales each feature $x_j$ to
#
# $$
# z_j = \frac{x_j - \mu_j}{\sigma_j},
# $$
#
# where $\mu_j$ and $\sigma_j$ are the feature's mean and standard deviation **on
# the training rows**. Below, by hand, then checked against scikit-learn's
# `StandardScaler` (which uses the population standard deviation, `ddof=0`).

# %%
train_filled = train[numeric].fillna(train["horsepower"].median())
mu = train_filled.mean()
sigma = train_filled.std(ddof=0)
z_by_hand = (train_filled - mu) / sigma

scaler = StandardScaler().fit(train_filled)
np.testing.assert_allclose(z_by_hand.to_numpy(), scaler.transform(train_filled), atol=1e-12)
np.testing.assert_allclose(z_by_hand.mean(), 0, atol=1e-12)
np.testing.assert_allclose(z_by_hand.std(ddof=0), 1, atol=1e-12)
"by hand == StandardScaler; training columns have mean 0 and standard deviation 1"

# %% [markdown]
# The validation rows are transformed with the **training** $\mu$ and $\sigma$,
# so their columns are *not* exactly mean 0 and standard deviation 1. That is
# expected, not a bug: the validation rows stand in for new cars, and new cars
# do not get to move the scale.

# %%
validation_filled = validation[numeric].fillna(train["horsepower"].median())
validation_z = pd.DataFrame(
    scaler.transform(validation_filled), columns=numeric, index=validation.index
)
glue("val_weight_z_mean", float(validation_z["weight"].mean()), display=False)
validation_z.agg(["mean", "std"]).round(2)

# %% [markdown]
# For example, the validation cars' standardized weight averages
# {glue:text}`val_weight_z_mean:.2f`, not 0.
#
# ### Why a network cares
#
# A linear regression solved exactly does not care about scale: it rescales its
# weights instead. A network trained by gradient descent does: one learning rate
# has to suit every weight, and a weight that multiplies numbers in the
# thousands needs far smaller steps than one that multiplies numbers near 1.
# Keras has a layer for this, `keras.layers.Normalization`. Its `adapt` method
# computes the mean and variance of the data it is given (give it the training
# rows only), and the layer then standardizes every input that passes through.
#
# The network needs numbers without gaps, so a `ColumnTransformer` first imputes
# the numeric columns (median of the training rows) and one-hot encodes `origin`
# (one 0/1 column per region). It is fitted on the training rows only.

# %%
fill_and_encode = ColumnTransformer(
    [
        ("numeric", SimpleImputer(strategy="median"), numeric),
        ("origin", OneHotEncoder(handle_unknown="ignore"), ["origin"]),
    ]
)
x_train = fill_and_encode.fit_transform(train).astype("float32")
x_validation = fill_and_encode.transform(validation).astype("float32")
y_train = train["mpg"].to_numpy("float32")
y_validation = validation["mpg"].to_numpy("float32")
glue("n_inputs", x_train.shape[1], display=False)
list(fill_and_encode.get_feature_names_out())

# %%
normalizer = keras.layers.Normalization()
normalizer.adapt(x_train)
adapted_mean = keras.ops.convert_to_numpy(normalizer.mean).ravel()
adapted_variance = keras.ops.convert_to_numpy(normalizer.variance).ravel()
np.testing.assert_allclose(adapted_mean, x_train.mean(axis=0), rtol=1e-5)
np.testing.assert_allclose(adapted_variance, x_train.var(axis=0), rtol=1e-4)
"the layer's mean and variance are the training rows' (asserted)"

# %% [markdown]
# Now the same small network, {glue:text}`n_inputs` inputs, one hidden layer of 32 ReLU units and
# one output, trained twice for the same number of epochs with the same
# optimizer: once on raw features and once behind the `Normalization` layer.


# %% tags=["remove-stderr"]
def regression_net(normalize: keras.layers.Layer | None) -> keras.Model:
    """An inputs -> 32 (ReLU) -> 1 regression network, optionally behind a normalization layer."""
    inputs = keras.Input(shape=(x_train.shape[1],), name="car")
    x = normalize(inputs) if normalize is not None else inputs
    x = keras.layers.Dense(32, activation="relu")(x)
    outputs = keras.layers.Dense(1, name="mpg")(x)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="mse", metrics=["mae"])
    return model


EPOCHS = 60
runs = {}
nets = {}
for label, layer in (("raw features", None), ("normalized", normalizer)):
    set_seed()
    nets[label] = regression_net(layer)
    runs[label] = fit_and_record(
        nets[label],
        x_train,
        y_train,
        validation_data=(x_validation, y_validation),
        epochs=EPOCHS,
        batch_size=32,
    )
mae_raw_net = float(runs["raw features"]["val_mae"].iloc[-1])
mae_norm_net = float(runs["normalized"]["val_mae"].iloc[-1])
glue("epochs_reg", EPOCHS, display=False)
glue("mae_raw_net", mae_raw_net, display=False)
glue("mae_norm_net", mae_norm_net, display=False)
glue("raw_over_norm", mae_raw_net / mae_norm_net, display=False)
assert mae_raw_net > 1.5 * mae_norm_net  # the text and summary rely on a clear gap
fig = plot_learning_curves(runs, metrics=["mae"])
fig.axes[0].set_ylim(0, 15)
glue("fig_norm_curves", fig, display=False)
plt.close(fig)

# %% [markdown]
# ```{glue:figure} fig_norm_curves
# :name: fig-ch03-norm-curves
#
# Mean absolute error per epoch of the same network on raw and on normalized
# features (dashed: training rows, solid: validation rows).
# ```
#
# After {glue:text}`epochs_reg` epochs the network on raw features is off by
# {glue:text}`mae_raw_net:.2f` mpg on the validation cars, the normalized one by
# {glue:text}`mae_norm_net:.2f` mpg, {glue:text}`raw_over_norm:.1f` times better
# (asserted to be at least 1.5 times). Nothing changed but the scale of the
# inputs.
#
# ## Leakage: statistics from rows the model should not see
#
# **Leakage** is any path by which information from the rows used to *judge* a
# model reaches the model while it is *built* {cite}`kaufman2011leakage`. The
# judged score then looks better than the model will do on new data. The
# commonest path is innocent-looking preprocessing done once on the whole table
# before splitting.
#
# To keep the test rows untouched even here, the experiments below leak only the
# validation rows: "all rows" means training plus validation, and the score is
# on the validation rows.
#
# ### Case 1: the scaler and imputer see the validation rows
#
# Fit the median imputer and the scaler on all rows (leaky) or on the training
# rows only (honest); fit the same ridge regression on the training rows; score
# on validation.

# %%
known = pd.concat([train, validation])  # every row we are allowed to look at

leaky_prep = make_pipeline(SimpleImputer(strategy="median"), StandardScaler())
leaky_prep.fit(known[numeric])  # <- statistics from training AND validation rows
leaky_ridge = Ridge(alpha=1.0).fit(leaky_prep.transform(train[numeric]), train["mpg"])
mae_leaky_scaler = mean_absolute_error(
    validation["mpg"], leaky_ridge.predict(leaky_prep.transform(validation[numeric]))
)

glue("mae_leaky_scaler", mae_leaky_scaler, display=False)
glue("mae_honest_scaler", mae_imputed, display=False)
glue("scaler_leak_gain", mae_imputed - mae_leaky_scaler, display=False)
assert abs(mae_imputed - mae_leaky_scaler) < 0.01  # "nothing"
pd.Series(
    {"statistics from all rows (leaky)": mae_leaky_scaler, "training rows only": mae_imputed},
    name="validation MAE (mpg)",
).round(4)

# %% [markdown]
# The errors are {glue:text}`mae_leaky_scaler:.4f` mpg (leaky) and
# {glue:text}`mae_honest_scaler:.4f` mpg (honest), a difference of
# {glue:text}`scaler_leak_gain:.4f` mpg (honest minus leaky): nothing. With
# {glue:text}`n_train` training rows, adding the validation rows barely moves a
# mean or a standard deviation, and the ridge model only rescales its weights.
# This is the honest result: leaking a scaler's statistics is a mistake in
# principle but, for a linear model on a table like this, not one that changes
# the score. That does not make leakage harmless, as the next case shows.
#
# ### Case 2: choosing features with the validation rows' targets
#
# Suppose the table also had {glue:text}`n_noise:,` extra columns, say sensor
# readings, that are in truth **pure noise**: random numbers unrelated to `mpg`.
# A natural step is to keep the {glue:text}`k_keep` columns most correlated with
# the target (scikit-learn's
# `SelectKBest`). Done on all rows, the selection has peeked at the validation
# targets; done inside the training rows, it has not. The right answer is known:
# noise cannot predict `mpg`, so an honest validation $R^2$ should be at or below
# 0 ($R^2 = 0$ is what predicting the validation rows' own mean would give).
# Because one draw of noise could be lucky, we repeat the experiment with
# {glue:text}`repeats` different draws.

# %%
rng = np.random.default_rng(0)
N_NOISE, K_KEEP, REPEATS = 1000, 10, 20
train_pos = np.arange(len(train))
val_pos = np.arange(len(train), len(known))
y_known = known["mpg"].to_numpy()


def selection_scores(n_noise):
    """Validation R² of leaky and honest feature selection over REPEATS draws of noise."""
    scores = []
    for _ in range(REPEATS):
        noise = rng.normal(size=(len(known), n_noise))
        # leaky: choose the columns with every known row's target, then fit on training rows
        chosen = SelectKBest(f_regression, k=K_KEEP).fit(noise, y_known)
        leaky_fit = Ridge(alpha=1.0).fit(chosen.transform(noise[train_pos]), y_known[train_pos])
        leaky_r2 = r2_score(y_known[val_pos], leaky_fit.predict(chosen.transform(noise[val_pos])))
        # honest: the selection is a step of the model, fitted on training rows only
        honest_fit = make_pipeline(SelectKBest(f_regression, k=K_KEEP), Ridge(alpha=1.0))
        honest_fit.fit(noise[train_pos], y_known[train_pos])
        honest_r2 = r2_score(y_known[val_pos], honest_fit.predict(noise[val_pos]))
        scores.append({"leaky selection": leaky_r2, "honest selection": honest_r2})
    return pd.DataFrame(scores)


scores = selection_scores(N_NOISE)

glue("n_noise", N_NOISE, display=False)
glue("k_keep", K_KEEP, display=False)
glue("repeats", REPEATS, display=False)
glue("leaky_r2_mean", float(scores["leaky selection"].mean()), display=False)
glue("honest_r2_mean", float(scores["honest selection"].mean()), display=False)
leaky_wins = int((scores["leaky selection"] > scores["honest selection"]).sum())
glue("n_leaky_wins", leaky_wins, display=False)
assert scores["leaky selection"].mean() > 0 > scores["honest selection"].mean()
scores.describe().loc[["mean", "std", "min", "max"]].round(3)

# %%
fig, ax = plt.subplots(figsize=(5.5, 3.0))
for number, column in enumerate(scores.columns):
    jitter = np.random.default_rng(number).uniform(-0.08, 0.08, len(scores))
    ax.scatter(scores[column], number + jitter, alpha=0.7, label=column)
ax.axvline(0, color="0.3", linestyle=":")
ax.set_yticks([0, 1], list(scores.columns))
ax.set_ylim(-0.6, 1.6)
ax.set_xlabel("validation $R^2$ of a model built on pure noise")
glue("fig_leak_noise", fig, display=False)
plt.close(fig)

# %% [markdown]
# ```{glue:figure} fig_leak_noise
# :name: fig-ch03-leak-noise
#
# Validation $R^2$ of a ridge regression on {glue:text}`k_keep` columns chosen
# from {glue:text}`n_noise:,` columns of pure noise, over {glue:text}`repeats`
# draws of the noise. Leaky selection (chosen with the
# validation targets) against honest selection (chosen on training rows only).
# ```
#
# With the selection done on all rows, noise "explains" on average
# {glue:text}`leaky_r2_mean:.1%` of the variance of the validation cars' `mpg`
# ($R^2$ = {glue:text}`leaky_r2_mean:.3f`), and the leaky score beats the honest
# one in {glue:text}`n_leaky_wins` of {glue:text}`repeats` draws. The honest
# pipeline reports the truth: $R^2$ = {glue:text}`honest_r2_mean:.3f` on average,
# worse than predicting the mean. The noise columns were selected *because* they
# happened to correlate with the target on the validation rows too, so of course
# they "predict" those rows. This is the selection bias that Ambroise and
# McLachlan pointed out in published gene-expression classifiers
# {cite}`ambroise2002selection` and that
# Hastie, Tibshirani and Friedman call the wrong way to do cross-validation
# {cite}`hastie2009elements` (section 7.10.2).
#
# The rule that prevents both cases: **every step that learns anything from data
# (a mean, a scale, a category list, a feature choice) is part of the model**,
# fitted on the training rows and only applied to the rest.

# %% [markdown]
# ## The right way: one pipeline, fitted on training rows
#
# scikit-learn expresses that rule directly. A `ColumnTransformer` sends each
# group of columns through its own steps (impute then scale the numbers, one-hot
# encode the origin), and a `Pipeline` chains it with the model. Calling `fit`
# on the training rows fits every step on them; `predict` on other rows only
# *applies* the fitted steps.

# %%
preprocess = ColumnTransformer(
    [
        (
            "numeric",
            make_pipeline(SimpleImputer(strategy="median"), StandardScaler()),
            numeric,
        ),
        ("origin", OneHotEncoder(handle_unknown="ignore"), ["origin"]),
    ]
)
ridge_pipeline = make_pipeline(preprocess, Ridge(alpha=1.0))
ridge_pipeline.fit(train, train["mpg"])

fitted_imputer = ridge_pipeline[0].named_transformers_["numeric"][0]
np.testing.assert_allclose(fitted_imputer.statistics_, train[numeric].median())
mae_ridge_pipeline = mean_absolute_error(validation["mpg"], ridge_pipeline.predict(validation))
glue("mae_ridge_pipeline", mae_ridge_pipeline, display=False)
glue("median_hp_train", float(train["horsepower"].median()), display=False)
ridge_pipeline

# %% [markdown]
# The fitted imputer's medians are exactly the training rows' medians (asserted;
# the gaps in `horsepower` are filled with {glue:text}`median_hp_train:.1f`).
# The pipeline's validation MAE is {glue:text}`mae_ridge_pipeline:.2f` mpg.
# The Keras counterpart is the normalized network from above: its preprocessing
# (`fill_and_encode` and the `Normalization` layer) was likewise fitted on the
# training rows only; its validation MAE was {glue:text}`mae_norm_net:.2f` mpg.

# %%
candidates = pd.Series(
    {"ridge pipeline": mae_ridge_pipeline, "normalized network": mae_norm_net},
    name="validation MAE (mpg)",
)
chosen_name = candidates.idxmin()
glue("headline_metrics", ["chosen_model", "mae_test"], display=False)  # what the benchmark records
glue("chosen_model", Markdown(chosen_name), display=False)
candidates.round(3)

# %% [markdown]
# On validation the better of the two is the **{glue:md}`chosen_model`**. That
# choice was made on the validation rows, which is what they are for.
#
# ## The test set, once
#
# Now, and only now, the test rows are used: the chosen model, as fitted above,
# predicts them once.

# %% tags=["remove-stderr"]
# First and only use of the test split in this chapter.
if chosen_name == "ridge pipeline":
    test_predictions = ridge_pipeline.predict(test)
else:
    x_test = fill_and_encode.transform(test).astype("float32")
    test_predictions = nets["normalized"].predict(x_test, verbose=0).ravel()
mae_test = mean_absolute_error(test["mpg"], test_predictions)
gaps_in_test = int(test["horsepower"].isna().sum())
glue("mae_test", mae_test, display=False)
glue("gaps_in_test", gaps_in_test, display=False)
glue("mean_mpg_test", float(test["mpg"].mean()), display=False)
assert gaps_in_test > 0  # the text below relies on it
pd.Series({"test MAE (mpg)": mae_test, "test cars": len(test)}).round(3)

# %% [markdown]
# On the {glue:text}`n_test` test cars the {glue:md}`chosen_model` is off by
# {glue:text}`mae_test:.2f` mpg on average (their mean `mpg` is
# {glue:text}`mean_mpg_test:.1f`). Test cars without `horsepower`:
# {glue:text}`gaps_in_test`. The fitted imputer filled such a gap with the
# training median, where a model trained on dropped rows would have had no
# answer. This number is
# the chapter's estimate of how the model does on cars it has never seen,
# because nothing about these rows influenced any choice above.
#
# ## Summary
#
# - Inspect first: types, ranges (turned into assertions) and missing values.
# - A row without a **target** cannot be used for supervised training; a missing
#   **feature** can be dropped (losing the row, and any answer for such cars) or
#   imputed from training statistics. Here, with few gaps, the two gave nearly
#   the same validation error.
# - **Standardize** with the training rows' mean and standard deviation; gradient
#   descent needs it (on raw features the same network ended with
#   {glue:text}`raw_over_norm:.1f` times the validation error after the same
#   epochs), exact linear regression does not.
# - **Leakage** is information from judged rows reaching the model. Leaking a
#   scaler's statistics changed nothing measurable here; leaking a feature
#   selection made pure noise look predictive.
# - Put every data-dependent step inside a `Pipeline` (or a Keras preprocessing
#   layer) fitted on training rows; compare choices on validation; touch the test
#   rows once, at the end.
#
# ## Exercises
#
# ```{exercise}
# :label: ch03-ex1
#
# Replace the median imputer by `SimpleImputer(strategy="mean")` in
# `ridge_pipeline`. Does the validation MAE change much? Why would you expect
# that, given how many gaps the training rows have?
# ```
#
# ```{exercise}
# :label: ch03-ex2
#
# In case 2 of the leakage section, raise `N_NOISE` to 5,000. Which way do you
# expect the leaky $R^2$ to move, and why?
# ```
#
# ```{exercise}
# :label: ch03-ex3
#
# Why would it be wrong to choose between the ridge pipeline and the network
# by their *test* MAE, and then report that same test MAE?
# ```
#
# ```{exercise}
# :label: ch03-ex4
#
# The `OneHotEncoder` has `handle_unknown="ignore"`. What would happen without
# it if a test car had an origin never seen in training?
# ```

# %% [markdown]
# ```{solution-start} ch03-ex1
# :class: dropdown
# ```
#
# Only {glue:text}`gaps_in_train` training values are filled (and no
# validation value), so the fill value can move the model very little:

# %%
mean_pipeline = clone(ridge_pipeline).set_params(
    columntransformer__numeric__simpleimputer__strategy="mean"
)
mean_pipeline.fit(train, train["mpg"])
mae_mean_imputer = mean_absolute_error(validation["mpg"], mean_pipeline.predict(validation))
assert abs(mae_mean_imputer - mae_ridge_pipeline) < 0.05
glue("mae_mean_imputer", mae_mean_imputer, display=False)
glue("imputer_change", abs(mae_mean_imputer - mae_ridge_pipeline), display=False)
pd.Series({"median": mae_ridge_pipeline, "mean": mae_mean_imputer}, name="validation MAE").round(4)

# %% [markdown]
# The MAE moves from {glue:text}`mae_ridge_pipeline:.4f` to
# {glue:text}`mae_mean_imputer:.4f` mpg, a change of
# {glue:text}`imputer_change:.4f`. Mean and median differ more when a column is
# skewed and many values are missing.

# %% [markdown]
# ```{solution-end}
# ```

# %% [markdown]
# ```{solution-start} ch03-ex2
# :class: dropdown
# ```
#
# It rises. With more noise columns, the 10 best-correlated ones are chosen from
# more candidates, so they correlate more strongly with the targets they were
# chosen on (the validation rows' included), and the leaky score looks even
# better. The honest score stays at or below 0: noise is noise. The same
# experiment with 5,000 columns:

# %%
scores_5000 = selection_scores(5000)
assert scores_5000["leaky selection"].mean() > scores["leaky selection"].mean()
assert scores_5000["honest selection"].mean() < 0
glue("leaky_r2_mean_5000", float(scores_5000["leaky selection"].mean()), display=False)
glue("honest_r2_mean_5000", float(scores_5000["honest selection"].mean()), display=False)
pd.DataFrame({"1,000 columns": scores.mean(), "5,000 columns": scores_5000.mean()}).round(3)

# %% [markdown]
# The mean leaky $R^2$ rises from {glue:text}`leaky_r2_mean:.3f` to
# {glue:text}`leaky_r2_mean_5000:.3f`; the honest one stays below 0
# ({glue:text}`honest_r2_mean_5000:.3f`).

# %% [markdown]
# ```{solution-end}
# ```

# %% [markdown]
# ```{solution-start} ch03-ex3
# :class: dropdown
# ```
#
# The test score would then be the best of two scores on the same rows, a
# choice made with the test targets: a small version of leakage case 2. It is
# optimistic. Choose on validation; report test once for the model already chosen.

# %% [markdown]
# ```{solution-end}
# ```

# %% [markdown]
# ```{solution-start} ch03-ex4
# :class: dropdown
# ```
#
# `transform` raises an error on the unseen category. With `"ignore"` the car
# gets all-zero origin columns, so the model predicts it from the other
# features. Both, on a made-up car from Korea:

# %%
korean_car = pd.DataFrame({"origin": ["Korea"]})
strict = OneHotEncoder().fit(train[["origin"]])
try:
    strict.transform(korean_car)
except ValueError as error:
    print("without handle_unknown:", str(error).splitlines()[0])
else:
    raise AssertionError("expected the encoder to refuse an unseen category")
lenient = OneHotEncoder(handle_unknown="ignore").fit(train[["origin"]])
assert lenient.transform(korean_car).sum() == 0
lenient.transform(korean_car).toarray()

# %% [markdown]
# ```{solution-end}
# ```
