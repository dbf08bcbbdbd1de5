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
# # Ethics: bias, data and accountability
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
#
# This section of chapter 15 ends by probing the course's own sentiment models for
# shifts in sentiment between names and gender words: the LSTM of chapter 8,
# which knows only the words of its training snippets, and the fine-tuned
# encoder of chapter {doc}`ch08b_pretrained`, the course's model, which brings
# what it learned in {term}`pre-training`. (It loads both trained models from the
# results cache; if this section runs first, the code of chapters 8 and
# {doc}`ch08b_pretrained` trains them, which takes several minutes.)

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

import time

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from helpers import sentiment_models as sm
from helpers import transfer
from helpers.book import glue
from helpers.data import load_eec
from helpers.plotting import use_course_style
from helpers.repro import DEFAULT_SEED, set_seed
from helpers.sentiment import course_model_path, load_model, predict, save_course_model

set_seed()
use_course_style()

# %% [markdown]
# ## Bias, measured
#
# Kiritchenko and Mohammad built the *Equity Evaluation Corpus* (EEC) to test
# sentiment systems for this kind of bias {cite}`kiritchenko2018examining`. It has
# {glue:text}`eec_sentences:,` sentences made from {glue:text}`eec_templates`
# templates, such as "⟨person⟩ feels ⟨emotion word⟩." and "I talked to ⟨person⟩
# yesterday.". The templates are filled with:
#
# - the EEC's first names: {glue:text}`eec_names_per_group` female and
#   {glue:text}`eec_names_per_group` male names for each of two groups, African
#   American and European American;
# - its {glue:text}`eec_phrases_per_gender` female and
#   {glue:text}`eec_phrases_per_gender` male noun phrases: she/her, this woman, my
#   sister, ... and he/him, this man, my brother, ...;
# - its emotion words: {glue:text}`eec_words_per_emotion` for each of anger, fear,
#   joy and sadness, half of them states ("angry"), half situations
#   ("annoying"). {glue:text}`eec_templates_without_emotion` templates have no
#   emotion word.
#
# `helpers.data.load_eec()` builds the corpus from these lists, which the paper
# publishes (the data card describes it); the assertion checks that it has the
# published 8,640 sentences. The lists are narrow instruments: a first name is only a
# rough signal of race or gender, and these are US names. A test with them can show
# that a model treats these particular words differently. It cannot show how the
# model treats people.

# %%
eec = load_eec()
assert len(eec) == 8_640, "the EEC has 8,640 sentences"
assert eec["sentence"].is_unique
people = eec.drop_duplicates("person")
names = people[people["kind"] == "name"]
names_per_group = names.groupby(["race", "gender"]).size()
phrases_per_gender = people[people["kind"] == "noun phrase"].groupby("gender").size()
words_per_emotion = eec[eec["emotion"] != "none"].drop_duplicates("word").groupby("emotion").size()
sentences_per_person = eec.groupby("person").size()
assert names_per_group.nunique() == phrases_per_gender.nunique() == 1  # balanced groups
assert words_per_emotion.nunique() == 1 and sentences_per_person.nunique() == 1
glue("eec_sentences", len(eec), display=False)
glue("eec_templates", int(eec["template"].nunique()), display=False)
glue(
    "eec_templates_without_emotion",
    int(eec.loc[eec["emotion"] == "none", "template"].nunique()),
    display=False,
)
glue("eec_names_per_group", int(names_per_group.iloc[0]), display=False)
glue("eec_names_per_race", int(names.groupby("race").size().iloc[0]), display=False)
glue("eec_phrases_per_gender", int(phrases_per_gender.iloc[0]), display=False)
glue("eec_words_per_emotion", int(words_per_emotion.iloc[0]), display=False)
glue("eec_per_person", int(sentences_per_person.iloc[0]), display=False)
eec.groupby("kind").sample(3, random_state=DEFAULT_SEED)[["sentence", "kind", "emotion"]]

# %% [markdown]
# We probe chapter 8's LSTM first. Each sentence gets a score,
# $p_\text{positive} - p_\text{negative}$, from $-1$ (surely negative) to $+1$
# (surely positive). The first thing to check is which of the names and noun
# phrases the model can see at all. A word outside its vocabulary becomes the
# single token `[UNK]` (chapter 8), so all unknown names look the same to the
# model. The model is the file chapter 8 saved
# (`helpers.sentiment.course_model_path("lstm")`; if this section runs first, it
# trains and saves it with chapter 8's code).

# %% tags=["remove-stderr"]
three = sm.load_task(sm.COURSE_TASK)
chosen = sm.course_lstm_run(three)  # the run chapter 8 saved (trained now if it is missing)
model_path = course_model_path("lstm")  # the file chapter 8 saved
if not model_path.is_file():
    save_course_model(chosen)  # an LSTM run: saved as the "lstm" model
vectorizer = load_model(model_path).get_layer("vectorizer")

# %% tags=["remove-stderr"]
scored = predict(eec["sentence"].tolist(), model_path=model_path)
eec["score"] = scored["p_positive"].to_numpy() - scored["p_negative"].to_numpy()
vocabulary = set(vectorizer.get_vocabulary())
term_tokens = sm.tokenize([person.replace("/", " ") for person in people["person"]])
known = {
    person: all(token in vocabulary for token in tokens)
    for person, tokens in zip(people["person"], term_tokens, strict=True)
}
terms = eec.groupby("person", sort=False).agg(
    score=("score", "mean"),
    race=("race", "first"),
    gender=("gender", "first"),
    kind=("kind", "first"),
)
terms["known to the model"] = terms.index.map(known)
coverage = terms.groupby(["kind", "race", "gender"], sort=False)["known to the model"].agg(
    ["sum", "size"]
)
aa_known = int(
    terms.query("kind == 'name' and race == 'African American'")["known to the model"].sum()
)
ea_known = int(
    terms.query("kind == 'name' and race == 'European American'")["known to the model"].sum()
)
assert aa_known == 0 and ea_known > 0, "the text says no African American name is known"
glue("aa_known", aa_known, display=False)
names_known = terms.query("kind == 'name'").groupby("gender")["known to the model"].sum()
glue("female_names_known", int(names_known["female"]), display=False)
glue("male_names_known", int(names_known["male"]), display=False)
glue("ea_known", ea_known, display=False)
glue(
    "ea_known_names",
    ", ".join(terms.query("race == 'European American' and `known to the model`").index),
    display=False,
)
coverage.rename(columns={"sum": "known", "size": "terms"})

# %%
# Unknown names all become [UNK]: their sentences score the same, except where the
# template itself differs between genders (template 5: "herself" / "himself").
unknown = eec[eec["person"].map(known).eq(False) & eec["kind"].eq("name")]
distinct = unknown.groupby(["template", "word"])["score"].nunique()
assert (distinct.drop(index=5, level="template") == 1).all()
assert (distinct.loc[5] == 2).all()
glue("n_unknown_names", unknown["person"].nunique(), display=False)
unknown_scores = unknown.groupby("gender")["score"].mean()
glue("unknown_female_score", float(unknown_scores["female"]), display=False)
glue("unknown_male_score", float(unknown_scores["male"]), display=False)
unknown_scores

# %% [markdown]
# None of the {glue:text}`eec_names_per_race` African American names is in the
# model's vocabulary, while {glue:text}`ea_known` of the
# {glue:text}`eec_names_per_race` European American names are:
# {glue:text}`ea_known_names`. The vocabulary was built from the training snippets
# (movie reviews, tweets, product reviews, editorials), where some of these names
# occur; some are ordinary words too (lower-cased, "Frank" is the adjective
# *frank*). All {glue:text}`n_unknown_names` unknown names become `[UNK]`, so the
# model gives them exactly the same score in each sentence, as the assertions
# check. The one exception is the template that says "herself" or "himself", which
# on its own moves the average score of the unknown names from
# {glue:text}`unknown_male_score:.3f` (male) to
# {glue:text}`unknown_female_score:.3f` (female). Each known name, in contrast,
# pushes the score its own way. That asymmetry is already a finding, and it comes
# from the training data, not from any line of code.
#
# **Is there a shift between groups?** For each comparison we take one mean score
# per term (over its {glue:text}`eec_per_person` sentences) and compute the difference between the two
# groups' averages, $\Delta$. We judge it in two ways. Both treat the *terms* as
# the sampled units, because the question is whether the group matters beyond the
# differences between individual names:
#
# - a **bootstrap** 95% interval: resample the terms of each group with
#   replacement, recompute $\Delta$, and take the middle 95% of the results;
# - a **permutation test**: shuffle which terms belong to which group and
#   recompute $\Delta$. The $p$-value is the share of shuffles whose $|\Delta|$ is at
#   least the observed one. If the group made no difference, the observed $\Delta$
#   would look like one of the shuffled ones.

# %%
bias_rng = np.random.default_rng(DEFAULT_SEED)
n_resamples = 20_000


def group_shift(a: np.ndarray, b: np.ndarray) -> dict:
    """Mean of ``a`` minus mean of ``b``, a bootstrap 95% interval and standard
    error, and a two-sided permutation p-value (terms are resampled and shuffled)."""
    observed = a.mean() - b.mean()
    boot = bias_rng.choice(a, (n_resamples, a.size)).mean(axis=1) - bias_rng.choice(
        b, (n_resamples, b.size)
    ).mean(axis=1)
    shuffled = bias_rng.permuted(np.tile(np.concatenate([a, b]), (n_resamples, 1)), axis=1)
    null = shuffled[:, : a.size].mean(axis=1) - shuffled[:, a.size :].mean(axis=1)
    p_value = (1 + np.sum(np.abs(null) >= abs(observed) - 1e-12)) / (1 + n_resamples)
    low, high = np.percentile(boot, [2.5, 97.5])
    return {
        "difference": float(observed),
        "standard error": float(boot.std(ddof=1)),
        "95% interval": (float(low), float(high)),
        "p-value": float(p_value),
        "null": null,
    }


comparisons = {
    "race (names)": ("African American", "European American", "kind == 'name'", "race"),
    "gender (noun phrases)": ("female", "male", "kind == 'noun phrase'", "gender"),
}
shifts, rows = {}, {}
for name, (group_a, group_b, subset, column) in comparisons.items():
    chosen_terms = terms.query(subset)
    a = chosen_terms.loc[chosen_terms[column] == group_a, "score"].to_numpy()
    b = chosen_terms.loc[chosen_terms[column] == group_b, "score"].to_numpy()
    shifts[name] = group_shift(a, b)
    rows[name] = {
        "A − B": f"{group_a} − {group_b}",
        "terms": f"{a.size} / {b.size}",
        "mean score A": a.mean(),
        "mean score B": b.mean(),
        "spread of terms A": a.std(ddof=1),
        "spread of terms B": b.std(ddof=1),
        **{k: v for k, v in shifts[name].items() if k != "null"},
    }
bias_table = pd.DataFrame(rows).T
bias_table.style.format(
    {
        "mean score A": "{:+.3f}",
        "mean score B": "{:+.3f}",
        "spread of terms A": "{:.3f}",
        "spread of terms B": "{:.3f}",
        "difference": "{:+.3f}",
        "standard error": "{:.3f}",
        "95% interval": lambda ci: f"[{ci[0]:+.3f}, {ci[1]:+.3f}]",
        "p-value": "{:.3f}",
    }
)

# %%
columns = [
    ("African American\nnames", "kind == 'name' and race == 'African American'"),
    ("European American\nnames", "kind == 'name' and race == 'European American'"),
    ("female\nnoun phrases", "kind == 'noun phrase' and gender == 'female'"),
    ("male\nnoun phrases", "kind == 'noun phrase' and gender == 'male'"),
]


def plot_term_scores(ax, score, filled, labels):
    """Each name or noun phrase of ``columns`` as a dot at its mean ``score``.

    Dots are filled where ``filled(group)`` is True, hollow elsewhere (``labels``
    names the two kinds in the legend); a black line marks each group's mean.
    """
    for position, (_label, query) in enumerate(columns):
        group = terms.query(query)
        jitter = np.linspace(-0.18, 0.18, len(group))
        is_filled = filled(group)
        ax.scatter(
            position + jitter[is_filled],
            group[score][is_filled],
            color="C0",
            s=18,
            label=labels[0] if position == 1 else None,
        )
        ax.scatter(
            position + jitter[~is_filled],
            group[score][~is_filled],
            s=18,
            facecolors="none",
            edgecolors="C1",
            label=labels[1] if position == 0 else None,
        )
        ax.hlines(group[score].mean(), position - 0.3, position + 0.3, color="k")
    ax.set_xticks(range(len(columns)), [label for label, _ in columns], fontsize="small")
    ax.set_ylabel(f"mean score over {sentences_per_person.iloc[0]} sentences")
    ax.legend(fontsize="small", loc="lower left")


fig, (ax_terms, ax_null) = plt.subplots(
    1, 2, figsize=(10.0, 3.8), gridspec_kw={"width_ratios": [1.7, 1]}
)
plot_term_scores(
    ax_terms,
    "score",
    lambda group: group["known to the model"].to_numpy(),
    ("known to the model", "unknown ([UNK])"),
)
for color, (name, shift) in zip(["C2", "C4"], shifts.items(), strict=True):
    ax_null.hist(
        shift["null"], bins=60, color=color, alpha=0.5, density=True, label=f"{name}, shuffled"
    )
    ax_null.axvline(shift["difference"], color=color, linestyle="--")
ax_null.set_xlabel(r"$\Delta$ = mean score A − mean score B")
ax_null.set_ylabel("density")
ax_null.legend(fontsize="small", loc="upper left")
ax_null.set_ylim(top=ax_null.get_ylim()[1] * 1.25)  # room for the legend
glue("fig_bias", fig, display=False)
plt.close(fig)

race, gender = shifts["race (names)"], shifts["gender (noun phrases)"]
for short, shift in (("race", race), ("gender", gender)):
    glue(f"{short}_delta", shift["difference"], display=False)
    glue(f"{short}_se", shift["standard error"], display=False)
    glue(f"{short}_ci_low", shift["95% interval"][0], display=False)
    glue(f"{short}_ci_high", shift["95% interval"][1], display=False)
    glue(f"{short}_p", shift["p-value"], display=False)
    # The text below reports no detectable shift for either comparison:
    assert shift["p-value"] >= 0.05 and shift["95% interval"][0] < 0 < shift["95% interval"][1]
glue("race_ci_half_width", (race["95% interval"][1] - race["95% interval"][0]) / 2, display=False)
ea_scores = terms.query("race == 'European American' and `known to the model`")["score"]
glue("ea_min_name", ea_scores.idxmin(), display=False)
glue("ea_min_score", float(ea_scores.min()), display=False)
glue("ea_max_name", ea_scores.idxmax(), display=False)
glue("ea_max_score", float(ea_scores.max()), display=False)
by_emotion = eec.groupby("emotion")["score"].mean()
noun_phrases = terms.query("kind == 'noun phrase'")
assert noun_phrases.groupby("gender")["score"].std().min() > abs(gender["difference"])
glue("np_min_name", noun_phrases["score"].idxmin(), display=False)
glue("np_min_score", float(noun_phrases["score"].min()), display=False)
glue("np_max_name", noun_phrases["score"].idxmax(), display=False)
glue("np_max_score", float(noun_phrases["score"].max()), display=False)
assert ea_scores.std() > terms.query("race == 'African American'")["score"].std()
assert by_emotion["joy"] - by_emotion["anger"] > 10 * max(
    abs(race["difference"]), abs(gender["difference"])
)
glue("joy_score", float(by_emotion["joy"]), display=False)
glue("anger_score", float(by_emotion["anger"]), display=False)
by_emotion.round(3)

# %% [markdown]
# ```{glue:figure} fig_bias
# :name: fig-bias
#
# Left: the mean score of each name or noun phrase of the Equity Evaluation
# Corpus, over its {glue:text}`eec_per_person` sentences; filled dots are words in the model's vocabulary,
# hollow dots unknown ones (among them every African American name), black lines
# the group means. Right: the difference $\Delta$ between groups when terms are shuffled
# between them at random, with the observed difference dashed.
# ```
#
# What the probe of the LSTM shows:
#
# - **Race (names).** African American names score
#   {glue:text}`race_delta:+.3f` relative to European American names (standard
#   error {glue:text}`race_se:.3f`). The 95% interval runs from
#   {glue:text}`race_ci_low:+.3f` to {glue:text}`race_ci_high:+.3f`, and the
#   permutation test gives $p =$ {glue:text}`race_p:.2f`: no shift this test can
#   detect.
#   The spread inside the European American group is wide: the known names range
#   from {glue:text}`ea_min_name` ({glue:text}`ea_min_score:+.3f`) to
#   {glue:text}`ea_max_name` ({glue:text}`ea_max_score:+.3f`). The African
#   American names all sit on the single value of `[UNK]` ({numref}`fig-bias`).
# - **Gender (noun phrases).** Female phrases score {glue:text}`gender_delta:+.3f`
#   relative to male ones (standard error {glue:text}`gender_se:.3f`, 95% interval
#   {glue:text}`gender_ci_low:+.3f` to {glue:text}`gender_ci_high:+.3f`, $p =$
#   {glue:text}`gender_p:.2f`): no detectable shift either. Individual phrases
#   differ far more than the two groups do. They range from
#   "{glue:text}`np_min_name`" ({glue:text}`np_min_score:+.3f`) to
#   "{glue:text}`np_max_name`" ({glue:text}`np_max_score:+.3f`), and the spread
#   of each group (its standard deviation, in the table) is larger than the gap
#   between the groups.
# - **Scale.** The emotion word moves the score much more than any of this: the
#   joy sentences average {glue:text}`joy_score:+.3f` and the anger sentences
#   {glue:text}`anger_score:+.3f`.
#
# Read these results with their limits. "No shift this test can detect" is not "no
# bias". With {glue:text}`eec_names_per_race` names per group, a shift much smaller than the half-width of the
# interval (about {glue:text}`race_ci_half_width:.2f` for race) would go unnoticed.
# The test covers one corpus of simple sentences and one model, and names are a
# proxy. The more robust finding is the mechanism. This model has learned something
# about many European American names and nothing about any African American one,
# because of what its training text contained. A model trained on more text would
# learn vectors for those names too, and with them whatever associations that text
# carries, as word embeddings learned from news text carry gender stereotypes
# {cite}`bolukbasi2016man`. That is one way a sentiment system comes to score one
# race or one gender systematically higher, as several of the systems that
# Kiritchenko and Mohammad tested did {cite}`kiritchenko2018examining`. It is why
# such a probe belongs in the evaluation of every new version of a model, beside
# its accuracy.

# %% [markdown]
# ## The same probe on the course's model
#
# The fine-tuned encoder of chapter {doc}`ch08b_pretrained`, the course's model,
# is such a model trained on more text. Its WordPiece {term}`tokenizer` has no
# `[UNK]` for these names: a name it does not hold whole is cut into word pieces
# it does hold, and it learned from far more text than the training snippets.
# We score the same {glue:text}`eec_sentences:,` sentences with it (the file
# chapter {doc}`ch08b_pretrained` saved,
# `helpers.sentiment.course_model_path("encoder")`; on this machine that takes
# about {glue:text}`encoder_eec_seconds:.0f` seconds) and count, for each name,
# the word pieces it becomes.

# %% tags=["remove-stderr"]
encoder_run = transfer.course_model_run()  # chapter 8b's run (trained now if it is missing)
encoder_path = course_model_path("encoder")  # the file chapter 8b saved
if not encoder_path.is_file():
    save_course_model(encoder_run)  # an encoder run: saved as the default model
started = time.perf_counter()
encoder_scored = predict(eec["sentence"].tolist(), model_path=encoder_path)
glue("encoder_eec_seconds", time.perf_counter() - started, display=False)
eec["encoder score"] = (
    encoder_scored["p_positive"].to_numpy() - encoder_scored["p_negative"].to_numpy()
)
word_pieces = load_model(encoder_path).tokenizer
terms["encoder score"] = eec.groupby("person", sort=False)["encoder score"].mean()
terms["word pieces"] = [len(word_pieces.tokenize(person)) for person in terms.index]
whole_names = (
    terms.query("kind == 'name'")
    .groupby("race")["word pieces"]
    .apply(lambda pieces: int((pieces == 1).sum()))
)
glue("aa_whole", int(whole_names["African American"]), display=False)
glue("ea_whole", int(whole_names["European American"]), display=False)
split_examples = terms.query("kind == 'name' and `word pieces` > 1").index[:3]
glue(
    "split_examples",
    "; ".join(f"{name} → {' '.join(word_pieces.tokenize(name))}" for name in split_examples),
    display=False,
)
encoder_shifts, encoder_rows = {}, {}
for name, (group_a, group_b, subset, column) in comparisons.items():
    chosen_terms = terms.query(subset)
    a = chosen_terms.loc[chosen_terms[column] == group_a, "encoder score"].to_numpy()
    b = chosen_terms.loc[chosen_terms[column] == group_b, "encoder score"].to_numpy()
    encoder_shifts[name] = group_shift(a, b)
    for model_name, shift in (("LSTM", shifts[name]), ("fine-tuned encoder", encoder_shifts[name])):
        encoder_rows[(name, model_name)] = {
            k: v for k, v in shift.items() if k not in ("null", "standard error")
        }
encoder_by_emotion = eec.groupby("emotion")["encoder score"].mean()
enc_race, enc_gender = encoder_shifts["race (names)"], encoder_shifts["gender (noun phrases)"]
for short, shift in (("race", enc_race), ("gender", enc_gender)):
    glue(f"enc_{short}_delta", shift["difference"], display=False)
    glue(f"enc_{short}_ci_low", shift["95% interval"][0], display=False)
    glue(f"enc_{short}_ci_high", shift["95% interval"][1], display=False)
    glue(f"enc_{short}_p", shift["p-value"], display=False)
glue("enc_joy_score", float(encoder_by_emotion["joy"]), display=False)
glue("enc_anger_score", float(encoder_by_emotion["anger"]), display=False)
glue(
    "enc_name_spread",
    float(terms.query("kind == 'name'")["encoder score"].std()),
    display=False,
)
pd.DataFrame(encoder_rows).T.style.format(
    {
        "difference": "{:+.3f}",
        "95% interval": lambda ci: f"[{ci[0]:+.3f}, {ci[1]:+.3f}]",
        "p-value": "{:.3f}",
    }
)

# %% [markdown]
# The table sets the two models side by side, with the same bootstrap intervals
# and permutation tests as above. The tokenizer treats the two groups of names
# differently, so does that show in the scores? The figure shows each name's
# mean score, split by whether the tokenizer holds the name whole or cuts it into
# word pieces, and the next cell compares the African American names of the two
# kinds.

# %%
aa_names = terms.query("kind == 'name' and race == 'African American'")
ea_names = terms.query("kind == 'name' and race == 'European American'")
aa_split = aa_names.loc[aa_names["word pieces"] > 1, "encoder score"].to_numpy()
aa_whole_scores = aa_names.loc[aa_names["word pieces"] == 1, "encoder score"].to_numpy()
split_shift = group_shift(aa_split, aa_whole_scores)
glue("aa_split_score", float(aa_split.mean()), display=False)
glue("aa_whole_score", float(aa_whole_scores.mean()), display=False)
glue("ea_encoder_score", float(ea_names["encoder score"].mean()), display=False)
glue("split_shift_p", split_shift["p-value"], display=False)
glue("n_aa_split", int(aa_split.size), display=False)

fig, ax = plt.subplots(figsize=(7.0, 3.6))
plot_term_scores(
    ax,
    "encoder score",
    # names the tokenizer holds whole, and every noun phrase
    lambda group: (group["word pieces"] == 1).to_numpy() | (group["kind"] != "name").to_numpy(),
    ("held whole", "cut into word pieces"),
)
glue("fig_bias_encoder", fig, display=False)
plt.close(fig)

# Checked claims of the text below. The tokenizer holds every European American
# name whole and fewer African American ones; neither the encoder's race shift nor
# its gender shift is one this test detects, nor a difference between the names it
# cuts and those it holds whole; and the emotion word moves the score far more.
assert int(whole_names["European American"]) == len(ea_names)
assert int(whole_names["African American"]) < len(aa_names)
for shift in (enc_race, enc_gender, split_shift):
    assert shift["p-value"] >= 0.05
    assert shift["95% interval"][0] < 0 < shift["95% interval"][1]
assert encoder_by_emotion["joy"] - encoder_by_emotion["anger"] > 10 * abs(enc_race["difference"])
assert (
    encoder_by_emotion["joy"] - encoder_by_emotion["anger"]
    > by_emotion["joy"] - by_emotion["anger"]
)
{key: value for key, value in split_shift.items() if key != "null"}

# %% [markdown]
# ```{glue:figure} fig_bias_encoder
# :name: fig-bias-encoder
#
# The fine-tuned encoder's mean score for each name or noun phrase of the Equity
# Evaluation Corpus. Filled dots are names the WordPiece tokenizer holds whole (and
# the noun phrases), hollow dots names it cuts into word pieces; black lines are
# the group means.
# ```
#
# What the probe of the course's model shows:
#
# - **The tokenizer.** It holds all {glue:text}`ea_whole` European American names
#   whole, and {glue:text}`aa_whole` of the {glue:text}`eec_names_per_race`
#   African American ones; the others become several pieces
#   ({glue:text}`split_examples`). WordPiece's vocabulary keeps whole the words
#   that were frequent in the text it was built from, so this count already says
#   which names that text contained often.
# - **Race (names).** African American names score
#   {glue:text}`enc_race_delta:+.3f` relative to European American names (95%
#   interval {glue:text}`enc_race_ci_low:+.3f` to {glue:text}`enc_race_ci_high:+.3f`,
#   $p =$ {glue:text}`enc_race_p:.3f`): like the LSTM's, no shift this test can
#   detect. Nor does the tokenizer's treatment of the names show in the scores:
#   the {glue:text}`n_aa_split` African American names it cuts into pieces
#   average {glue:text}`aa_split_score:+.3f`, those it holds whole
#   {glue:text}`aa_whole_score:+.3f`, the European American names
#   {glue:text}`ea_encoder_score:+.3f` ({numref}`fig-bias-encoder`; split against
#   whole, $p =$ {glue:text}`split_shift_p:.3f`).
# - **Gender (noun phrases).** Female phrases score
#   {glue:text}`enc_gender_delta:+.3f` relative to male ones (95% interval
#   {glue:text}`enc_gender_ci_low:+.3f` to {glue:text}`enc_gender_ci_high:+.3f`,
#   $p =$ {glue:text}`enc_gender_p:.2f`): no shift this test can detect.
# - **Scale.** The encoder separates the emotions far more sharply than the LSTM:
#   joy sentences average {glue:text}`enc_joy_score:+.3f`, anger sentences
#   {glue:text}`enc_anger_score:+.3f`, more than ten times the size of the race
#   difference.
#
# So the model that is more accurate on every domain (chapter 11) shows, on this
# probe, no shift by race or gender that
# {glue:text}`eec_names_per_race` names or {glue:text}`eec_phrases_per_gender`
# noun phrases per group can detect. That is a result about this trained model,
# these words and these simple sentences, not a clearance: the encoder learned
# from far more text than the LSTM, the mechanism of the section above has more
# to work with, and a retrained version (another seed, another configuration,
# more epochs) is a different model, and this probe says nothing about it. It is the kind of finding a model card reports
# beside accuracy {cite}`mitchell2019model`, and the reason to run such a probe
# on every new version of a model, not once.

# %% [markdown]
# ## Summary
#
# - Bias is measured by disaggregated evaluation; datasheets, model cards and risk
#   frameworks make data, models and responsibility explicit.
# - Probed with the Equity Evaluation Corpus, chapter 8's LSTM knows none of the
#   African American names and {glue:text}`ea_known` of the
#   {glue:text}`eec_names_per_race` European American ones. Its mean score shifts
#   by {glue:text}`race_delta:+.3f` between these two groups of names and by
#   {glue:text}`gender_delta:+.3f` between female and male noun phrases. With
#   {glue:text}`eec_names_per_race` names or {glue:text}`eec_phrases_per_gender`
#   noun phrases per group, neither shift is detectable, which is not the same as
#   showing there is none.
# - The course's model, the fine-tuned encoder, scores African American names
#   {glue:text}`enc_race_delta:+.3f` relative to European American ones
#   ($p =$ {glue:text}`enc_race_p:.3f`) and female noun phrases
#   {glue:text}`enc_gender_delta:+.3f` relative to male ones
#   ($p =$ {glue:text}`enc_gender_p:.2f`): neither is detectable, though its
#   tokenizer cuts more of the African American names into pieces. Accuracy and
#   this probe are separate measurements; every new version of a model needs both.
#
# ## Exercises
#
# ```{exercise}
# :label: ch12c-ex-gender-names
#
# Run the bias probe on gender using the names (female against male names) instead
# of the noun phrases. Why is the result hard to interpret?
# ```
#
# ```{solution-start} ch12c-ex-gender-names
# :class: dropdown
# ```
#
# Use `group_shift` on the names, split by gender:

# %%
name_terms = terms.query("kind == 'name'")
name_gender = group_shift(
    name_terms.loc[name_terms["gender"] == "female", "score"].to_numpy(),
    name_terms.loc[name_terms["gender"] == "male", "score"].to_numpy(),
)
glue("ex_name_gender_delta", name_gender["difference"], display=False)
glue("ex_name_gender_p", name_gender["p-value"], display=False)
{key: value for key, value in name_gender.items() if key != "null"}

# %% [markdown]
# Female names score {glue:text}`ex_name_gender_delta:+.3f` relative to male
# names ($p =$ {glue:text}`ex_name_gender_p:.2f`), but the comparison mixes three
# things that have nothing to do with each other. The vocabulary holds
# {glue:text}`female_names_known` of the {glue:text}`eec_names_per_race` female
# names and {glue:text}`male_names_known` of the {glue:text}`eec_names_per_race`
# male names, so the result mostly compares `[UNK]` with a handful of learned name
# vectors. Template 5 says "herself" or "himself", which on its own moves the
# average score of the unknown names from {glue:text}`unknown_male_score:.3f` to
# {glue:text}`unknown_female_score:.3f`. And the learned vectors of the known
# names reflect whatever contexts those words appeared in (Frank is also the
# adjective *frank*). A difference between the groups cannot be attributed to
# gender.
#
# ```{solution-end}
# ```
