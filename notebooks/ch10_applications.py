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
# # Where large models are used
#
# Neural networks now read, see, listen, recommend and score in products used by
# billions of people. This chapter walks through six areas (language, vision,
# speech, recommendation, finance and medicine) and, for each, answers three
# questions:
#
# 1. **What do the models actually do?** Almost always one of a few things: assign
#    a class, score or rank items, or generate text, images or sound.
# 2. **Which concrete system shows it?** One named, published system per use,
#    with the reference so you can check what it really claims.
# 3. **Where does it fail?** Published evaluations of the limits, because a model
#    that works in the paper can fail in the clinic, on the road or for part of the
#    population.
#
# Three kinds of limits recur in every area, and are worth naming first: the data
# a model meets in use can differ from the data it was trained and tested on
# (*distribution shift*); its errors can fall unevenly on groups of people
# ({term}`algorithmic bias`); and a good test can still mislead when the thing
# tested for is rare. The last one is pure arithmetic, and we compute it in the
# medicine section.

# %% [markdown]
# ## Setup
#
# Seed the random number generators and apply the course's plot style. This
# chapter trains no network, so it does not import TensorFlow.

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
from helpers.plotting import use_course_style
from helpers.repro import DEFAULT_SEED, set_seed

set_seed()
use_course_style()

# %% [markdown]
# ## Language
#
# **Classification and sentiment.** A text classifier maps a piece of text to a
# label: spam or not, topic, or the opinion it expresses. {term}`Sentiment analysis`
# is this book's project: chapters 8 and 11 train an {term}`LSTM` on sentences rated
# by about twenty people each, on two tasks: sorting movie-review snippets into
# positive and negative, and sorting sentences from four kinds of text (movie
# reviews, tweets, product reviews and newspaper editorials) into negative,
# neutral and positive. They compare it with VADER, a rule-based analyzer built
# from a hand-validated lexicon {cite}`hutto2014vader`. Many text classifiers now start
# from a pre-trained Transformer such as BERT, which is first trained to fill in
# masked words on large unlabelled corpora and then
# {term}`fine-tuned <fine-tuning>` on the task with one added output layer
# {cite}`devlin2019bert`.
#
# *Limits.* A classifier learns the associations in its training text, including
# unwanted ones: of 219 sentiment systems probed with sentences that differ only in
# a name or a gender word, several gave consistently higher scores to one race or one
# gender {cite}`kiritchenko2018examining`. Chapter 15 runs this probe on the book's
# own model.
#
# **Translation.** Google's neural machine translation system (GNMT) replaced
# phrase-based translation with a deep LSTM network of 8 encoder and 8 decoder
# layers connected by attention, and split rare words into sub-word pieces
# {cite}`wu2016google`. Today's systems use the {term}`Transformer`
# {cite}`vaswani2017attention`.
#
# *Limits.* Translating into languages with grammatical gender forces a choice the
# source sentence may not make. A challenge set built for this found all four
# commercial systems and both academic models it tested prone to gender-biased
# errors, in all eight target languages: for example, translating "the doctor" with
# a masculine form even when the sentence makes the doctor a woman
# {cite}`stanovsky2019evaluating`.
#
# **Question answering.** Given a passage and a question, a reading-comprehension
# model marks the span of the passage that answers it. SQuAD, a set of over 100,000
# such questions on Wikipedia articles, made the task measurable: its authors'
# logistic-regression baseline reached an F1 of 51.0% against 86.8% for humans
# {cite}`rajpurkar2016squad`; BERT later reported 93.2 on SQuAD v1.1
# {cite}`devlin2019bert`.
#
# *Limits.* A benchmark score measures the benchmark. Extractive models answer from
# the passage they are given; they cannot say that the passage is wrong or out of
# date.
#
# **Assistants.** Chat assistants are large language models fine-tuned to follow
# instructions: first on demonstrations written by people, then with reinforcement
# learning from people's rankings of answers. In the InstructGPT study, human
# evaluators preferred the outputs of a 1.3-billion-parameter model trained this way to those
# of the 175-billion-parameter GPT-3 {cite}`ouyang2022training`.
#
# *Limits.* Generated text can be fluent and confident and still unsupported by the
# source or by fact. This *hallucination* appears in summarization, dialogue,
# question answering and translation alike {cite}`ji2023survey`. An assistant's
# answer is a draft to check, not a source.

# %% [markdown]
# ## Vision
#
# **Security: face recognition.** A face-recognition network maps a face image to
# an {term}`embedding`, a vector such that photos of the same person lie close
# together; verification then compares distances. FaceNet learned such an
# embedding directly, compact enough to store in 128 bytes per face, and reported
# 99.63% accuracy on the Labeled Faces in the Wild benchmark
# {cite}`schroff2015facenet`.
#
# *Limits.* Accuracy on a benchmark is an average. An audit of commercial gender
# classifiers found error rates of up to 34.7% for darker-skinned women against at
# most 0.8% for lighter-skinned men {cite}`buolamwini2018gender`, and the US
# National Institute of Standards and Technology measured demographic differences in
# the error rates of the majority of the face-recognition algorithms it tested
# {cite}`grother2019face`. In security uses a false match can mean a wrongful
# accusation.
#
# **Medical imaging.** Convolutional networks classify medical images as well as
# photographs. Esteva and colleagues trained one network on 129,450 clinical images
# of 2,032 skin diseases; on biopsy-proven test images it matched 21
# board-certified dermatologists at telling carcinomas and melanomas from benign
# lesions {cite}`esteva2017dermatologist`. Gulshan and colleagues trained a network
# on 128,175 retinal photographs graded by ophthalmologists to detect referable
# diabetic retinopathy, and validated it on two separate image sets
# {cite}`gulshan2016development`.
#
# *Limits.* A model validated on curated images can falter in a clinic. When a
# diabetic-retinopathy system was deployed in eleven clinics in Thailand, observers
# found that the conditions of real screening (the environment, the nurses'
# workflow, the patients' circumstances) affected how well the system performed and
# how it was used {cite}`beede2020human`. And a network may learn the hospital
# rather than the disease: pneumonia classifiers trained on chest X-rays from three
# hospital systems could identify which hospital an image came from, and because
# pneumonia was far more common at one hospital (34.2%) than at the others (about
# 1%), merely sorting the images of two of them by hospital reached an AUC of 0.861
# for pneumonia; models did better
# on data from their own hospitals than on outside ones in three of five comparisons
# {cite}`zech2018variable`.
#
# **Driving.** NVIDIA trained a convolutional network to map the raw pixels of a
# single front-facing camera directly to steering commands, learning from human
# driving alone {cite}`bojarski2016end`. Production driving systems combine many
# such networks (for lanes, vehicles, pedestrians, signs) with other sensors.
#
# *Limits.* Rare situations are by definition under-represented in the training
# data. Vision models can also be attacked: stickers placed on a real stop sign
# made a road-sign classifier read it as a different sign, from varying distances
# and angles {cite}`eykholt2018robust`.

# %% [markdown]
# ## Speech
#
# **Recognition.** Speech recognition turns audio into text. Around 2012, four
# research groups reported that deep neural networks outperformed the Gaussian
# mixture models then used to score speech sounds, sometimes by a large margin
# {cite}`hinton2012deep`. Whisper, a Transformer trained on 680,000 hours of
# multilingual audio paired with transcripts from the internet, transcribes and
# translates speech in many languages without task-specific fine-tuning
# {cite}`radford2023robust`.
#
# *Limits.* Errors are not evenly spread. Five commercial recognizers tested on
# interviews with 42 white and 73 Black speakers made almost twice as many errors
# for the Black speakers: an average word error rate of 0.35 against 0.19
# {cite}`koenecke2020racial`.
#
# **Synthesis.** Text-to-speech generates the waveform of a voice from text.
# WaveNet generates raw audio one sample at a time with a deep network of dilated
# causal convolutions {cite}`vandenoord2016wavenet`; Tacotron 2 predicts a
# spectrogram from characters and lets a WaveNet turn it into sound, and listeners
# rated its speech 4.53 on a 5-point naturalness scale against 4.58 for
# professional recordings {cite}`shen2018natural`.
#
# *Limits.* Naturalness ratings say nothing about whether the voice belongs to
# someone who agreed to its use. A synthetic voice that sounds like a real person
# can be used to impersonate them, so consent and disclosure are part of the
# product.

# %% [markdown]
# ## Recommendation
#
# A recommender ranks items (videos, products, posts) for each user. Matrix
# factorization, which describes every user and every item by a short vector of
# learned factors and predicts a rating from their dot product, was at the heart of
# the system that won the Netflix Prize {cite}`koren2009matrix`. YouTube's system, described in 2016 as serving
# recommendations to more than a billion users, uses two deep networks: one narrows
# millions of videos down to a few hundred candidates from a user's watch and search
# history, and a second ranks those candidates by predicted watch time
# {cite}`covington2016deep`.
#
# *Limits.* Recommenders learn from what users did, and users do what they were
# shown. The YouTube authors note that they rarely observe user satisfaction and
# instead model noisy implicit signals such as watching {cite}`covington2016deep`.
# Simulations show that retraining on data shaped by earlier recommendations, a
# feedback loop, makes users' behaviour more homogeneous without making it more
# useful to them {cite}`chaney2018how`.

# %% [markdown]
# ## Finance: risk and fraud
#
# **Fraud detection** scores each card transaction for the probability that it is
# fraudulent and sends the riskiest to human investigators. Dal Pozzolo and
# colleagues describe the conditions such a system really works under: fraudsters
# change tactics and customers change habits (*concept drift*), genuine transactions
# far outnumber frauds (*class imbalance*), and only the few transactions that
# investigators check get a true label quickly (*verification latency*)
# {cite}`dalpozzolo2018credit`.
#
# **Credit risk** models predict whether a borrower will repay. A deep network
# trained on the monthly records of over 120 million US mortgages predicts
# prepayment, delinquency and foreclosure, and found strongly nonlinear effects of
# variables such as state unemployment {cite}`sirignano2018deep`.
#
# *Limits.* A more accurate model is not automatically a fairer one. On US mortgage
# data, moving from a traditional statistical model to machine learning benefited
# Black and Hispanic borrowers disproportionately less, and in the authors' market
# model increased the disparity in interest rates between and within groups
# {cite}`fuster2022predictably`. Class imbalance also means most alerts can be false
# even for a good model: the arithmetic below applies to fraud as much as to disease.

# %% [markdown]
# ## Medicine
#
# Beyond single images, models support screening programmes and clinical decisions.
# For an AI system that reads screening mammograms, evaluated on large data sets
# from the US and the UK, the authors report absolute reductions of 5.7% and 1.2% in
# false positives and of 9.4% and 2.7% in false negatives (US and UK respectively)
# {cite}`mckinney2020international`. Hospitals also run
# models on health records to flag patients at risk.
#
# *Limits.* Reported performance needs external checking. A proprietary sepsis
# model in use at hundreds of US hospitals was validated independently on 38,455
# hospitalizations of 27,697 patients and reached an AUC of 0.63, substantially
# worse than its developer had reported {cite}`wong2021external`. And a model can be
# accurate at the wrong target: an algorithm that predicted health-care *costs* as a
# proxy for health *needs* rated Black patients as healthier than equally sick White
# patients, because less had been spent on their care
# {cite}`obermeyer2019dissecting`.
#
# ### Why a good test can still mislead
#
# Take the diabetic-retinopathy model's high-specificity operating point on its
# first validation set, as the paper reports it {cite}`gulshan2016development`:

# %%
sensitivity = 0.903  # share of diseased eyes the model flags (reported)
specificity = 0.981  # share of healthy eyes the model clears (reported)
glue("sensitivity_pct", 100 * sensitivity, display=False)
glue("specificity_pct", 100 * specificity, display=False)

# %% [markdown]
# The model flags {glue:text}`sensitivity_pct:.1f`% of eyes with the disease and
# clears {glue:text}`specificity_pct:.1f`% of healthy ones. What a patient and a
# clinic care about is different: of the eyes the model flags, how many are really
# diseased? This *positive predictive value* depends on how common the disease is
# among the people screened, the *prevalence* $p$. By Bayes' rule,
#
# $$
# \text{PPV} = \frac{\text{sensitivity} \cdot p}
#                   {\text{sensitivity} \cdot p + (1 - \text{specificity})(1 - p)}.
# $$
#
# We compute it for several prevalences, and check the formula by simulating a
# large screened population.


# %%
def positive_predictive_value(prevalence, sensitivity, specificity):
    true_positives = sensitivity * prevalence
    false_positives = (1 - specificity) * (1 - prevalence)
    return true_positives / (true_positives + false_positives)


rng = np.random.default_rng(DEFAULT_SEED)
people = 2_000_000
for prevalence in (0.01, 0.1, 0.3):
    diseased = rng.random(people) < prevalence
    flagged = np.where(diseased, rng.random(people) < sensitivity, rng.random(people) > specificity)
    simulated = diseased[flagged].mean()
    assert abs(simulated - positive_predictive_value(prevalence, sensitivity, specificity)) < 0.01

prevalences = np.array([0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3])
screening = pd.DataFrame(
    {
        "prevalence (%)": 100 * prevalences,
        "flagged who are diseased (%)": 100
        * positive_predictive_value(prevalences, sensitivity, specificity),
    }
)
glue("ppv_1", float(screening.iloc[1, 1]), display=False)
glue("ppv_10", float(screening.iloc[4, 1]), display=False)
glue("false_alarm_share_1", float(100 - screening.iloc[1, 1]), display=False)
screening.style.format("{:.1f}").hide(axis="index")

# %% [markdown]
# The simulation agrees with the formula. Where one person in ten screened has the
# disease, {glue:text}`ppv_10:.0f`% of flagged eyes are diseased. Where one in a
# hundred has it, only {glue:text}`ppv_1:.0f`% are: {glue:text}`false_alarm_share_1:.0f`%
# of the alarms are false, from the same model with the same sensitivity and
# specificity. {numref}`fig-ppv` shows the whole curve.

# %%
curve = np.logspace(-3, np.log10(0.5), 200)
fig, ax = plt.subplots()
ax.semilogx(100 * curve, 100 * positive_predictive_value(curve, sensitivity, specificity))
ax.set_xlabel("prevalence in the screened population (%, log scale)")
ax.set_ylabel("flagged cases that are real (%)")
ax.set_ylim(0, 100)
glue("fig_ppv", fig, display=False)
plt.close(fig)

# %% [markdown]
# ```{glue:figure} fig_ppv
# :name: fig-ppv
#
# Positive predictive value of a screening model with the sensitivity and
# specificity reported for the diabetic-retinopathy network, as a function of how
# common the disease is among the people screened.
# ```
#
# The same arithmetic governs fraud alerts, where genuine transactions vastly
# outnumber frauds {cite}`dalpozzolo2018credit`, and any detector of rare events. A
# model's sensitivity and specificity travel with it; its predictive value does not,
# and must be estimated for the population where it is used.

# %% [markdown]
# ## Summary
#
# - Across all six areas, models do a few things: classify, score and rank, or
#   generate. What differs is the data and the cost of a mistake.
# - Each area has published, checkable successes: BERT and GNMT in language,
#   FaceNet and dermatology and retinopathy networks in vision, deep acoustic models
#   and Whisper in speech, matrix factorization and YouTube's deep recommender,
#   fraud and mortgage-risk models in finance, screening systems in medicine.
# - Each has documented limits: errors that fall unevenly on groups (face
#   recognition, speech recognition, translation, credit, health care), models that
#   learn shortcuts or fail outside the setting they were tested in (chest X-rays,
#   clinics, a sepsis model), attacks (stop signs), feedback loops (recommenders) and
#   confident fabrication (assistants).
# - A detector's positive predictive value depends on prevalence: the same model
#   flags mostly false alarms where the condition is rare.

# %% [markdown]
# ## Exercises
#
# ```{exercise}
# :label: ch10-ex1
#
# The retinopathy paper also reports a high-sensitivity operating point on the
# same validation set: 97.5% sensitivity and 93.4% specificity
# {cite}`gulshan2016development`. Compute the positive predictive value at a
# prevalence of 1% and compare it with the high-specificity point. Which would you
# choose for a screening programme, and why?
# ```
#
# ```{exercise}
# :label: ch10-ex2
#
# Pick one application from this chapter that a startup might build. Write down
# the data it needs, who is affected by each kind of error, and one published
# limit that your evaluation must check before launch.
# ```
#
# ```{exercise}
# :label: ch10-ex3
#
# The pneumonia study found that networks could tell which hospital an X-ray came
# from {cite}`zech2018variable`. You are buying a model validated at one hospital
# for use at yours. What evidence would you ask the vendor for?
# ```

# %% [markdown]
# ```{solution-start} ch10-ex1
# :class: dropdown
# ```
#
# The function of the medicine section, at the high-sensitivity point:

# %%
ppv_high_sensitivity = float(100 * positive_predictive_value(0.01, 0.975, 0.934))
assert ppv_high_sensitivity < float(screening.iloc[1, 1])
glue("ppv_1_high_sens", ppv_high_sensitivity, display=False)
f"{ppv_high_sensitivity:.1f}% of flagged patients have the condition"

# %% [markdown]
# {glue:text}`ppv_1_high_sens:.0f`%, against {glue:text}`ppv_1:.0f`% at the
# high-specificity point: the lower specificity multiplies the false alarms
# among the 99% who are healthy. A programme that sends every flag to a
# specialist would be swamped; one where a flag only triggers a cheap second
# look might accept this to miss fewer cases. The choice depends on the cost of
# each error, not on the model alone.

# %% [markdown]
# ```{solution-end}
# ```

# %% [markdown]
# ```{solution-start} ch10-ex2
# :class: dropdown
# ```
#
# For example, a sentiment monitor for product reviews: it needs labelled reviews
# from the products and language it will see; a false negative hides an angry
# customer, a false positive wastes an agent's time; and it must be checked for
# score shifts across names and identity terms, as in the sentiment-system audit
# {cite}`kiritchenko2018examining`, and across the kinds of text it will meet.

# %% [markdown]
# ```{solution-end}
# ```

# %% [markdown]
# ```{solution-start} ch10-ex3
# :class: dropdown
# ```
#
# Performance measured on data from hospitals other than the training ones, ideally
# on a sample from your own hospital, with your own prevalence; results broken down
# by patient group and by scanner or site; the prevalence in the validation data, so
# you can recompute the predictive value for your population; and a plan to monitor
# performance after deployment.

# %% [markdown]
# ```{solution-end}
# ```
