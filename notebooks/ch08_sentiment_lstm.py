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
# # Project: sentiment analysis with an LSTM
#
# This chapter builds the course's project: a network that reads a sentence
# written by a person and says whether it is **negative, neutral or positive**.
# It is an Embedding + LSTM network in Keras, trained on real sentences that about
# twenty people each rated for sentiment: the VADER corpora of
# {cite:t}`hutto2014vader` (movie reviews, tweets, product reviews and newspaper
# editorials; the [data card](data_card) describes them).
#
# We go through every step a practitioner takes:
#
# 1. **the data**: two tasks on the course's fixed train / validation / test split;
# 2. **tokenizing**: turning text into integers with `keras.layers.TextVectorization`,
#    with a vocabulary size and a sequence length read off the data;
# 3. **padding and masking**, so that the network ignores the filler;
# 4. **the model**: Embedding, LSTM and an output layer, with the LSTM's equations
#    checked against Keras;
# 5. **training** with a `tf.data` pipeline, a validation set and early stopping;
# 6. **an honest comparison** with the methods one would otherwise use (a majority
#    guess, the VADER rule-based analyzer, TF-IDF + logistic regression, a bag of
#    embeddings, a bidirectional LSTM), on the same split, over three seeds;
# 7. **saving the model** so that `helpers.sentiment` can use it, from Python or
#    the command line.
#
# Chapter 11 then takes the predictions apart: confusion matrices, per-class
# metrics, the published numbers of the VADER paper, the errors, and attempts to
# push the network further.
#
# :::{admonition} Training runs once per build, and where the results go
# :class: note
# Training the 18 networks of the comparison (3 architectures x 3 seeds x 2
# tasks) takes a few minutes on a two-core laptop. The code stores every run's
# test predictions, history and timing in **`build/cache/sentiment/`**, keyed by
# a hash of the model configuration, the seed, the data and the code version.
# Running this chapter again (or chapter 11, which reads the same results) loads
# them in seconds. To retrain from scratch, delete that folder or set the
# environment variable `COURSE_SENTIMENT_RETRAIN=1`. The chosen LSTM is saved to
# **`build/models/sentiment-lstm.keras`**.
# :::

# %% [markdown]
# ## Setup
#
# Everything runs on the CPU with the course's pinned versions. We seed every
# random number generator, apply the plot style and import the project's
# helpers: `helpers.sentiment_models` holds the experiment code both chapters
# share (data, tokenization, models, training, baselines, the results cache),
# and `helpers.sentiment` is the small interface to the finished model.

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

import subprocess
import sys
import time

import keras
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import sklearn
import tensorflow as tf
from IPython.display import display

from helpers import sentiment_models as sm
from helpers.activations import sigmoid
from helpers.book import glue
from helpers.evaluation import plot_learning_curves
from helpers.plotting import COURSE_COLORS, use_course_style
from helpers.repro import set_seed
from helpers.sentiment import save_course_model

set_seed()
use_course_style()
pd.DataFrame(
    {"version": [tf.__version__, keras.__version__, sklearn.__version__, pd.__version__]},
    index=["tensorflow", "keras", "scikit-learn", "pandas"],
)

# %% [markdown]
# ## The data: two tasks
#
# `sm.load_task` loads the snippets with `helpers.data.load_vader` and splits them
# with `helpers.data.vader_split`, the split every chapter uses (70 % train, 15 %
# validation, 15 % test, stratified by label, and for several domains by domain
# and label). A snippet's label comes from its mean human rating $r$ on the scale
# $-4 \dots +4$ by the paper's rule: positive if $r/4 > 0.05$, negative if
# $r/4 < -0.05$, neutral otherwise.
#
# - **Task (a), binary**: positive vs negative **movie** snippets. The few neutral
#   movie snippets are removed from each part *after* splitting.
# - **Task (b), three classes**: negative / neutral / positive on **all four
#   domains** together, the task the course's final model answers.

# %%
binary = sm.load_task("movie_binary")
three = sm.load_task("all_3class")
sizes = pd.DataFrame(
    {
        data.name: {part: len(data.part(part)) for part in ("train", "validation", "test")}
        for data in (binary, three)
    }
).T
sizes["total"] = sizes.sum(axis=1)
excluded = sum(binary.excluded.values())
glue("binary_excluded", excluded, display=False)
glue("binary_total", int(sizes.loc["movie_binary", "total"]), display=False)
glue("three_total", int(sizes.loc["all_3class", "total"]), display=False)
glue("binary_test_rows", int(sizes.loc["movie_binary", "test"]), display=False)
glue("three_test_rows", int(sizes.loc["all_3class", "test"]), display=False)
glue("three_train_rows", int(sizes.loc["all_3class", "train"]), display=False)
glue("binary_train_rows", int(sizes.loc["movie_binary", "train"]), display=False)
sizes

# %% [markdown]
# The binary task keeps {glue:text}`binary_total:,` movie snippets: the
# {glue:text}`binary_excluded` neutral ones are left out (spread over the three
# parts as `binary.excluded` records). The three-class task has
# {glue:text}`three_total:,` snippets. A few examples from the training part, one
# per domain and label, with their mean rating:

# %%
examples = (
    three.train.sort_values(["domain", "label"], kind="stable")
    .groupby(["domain", "label"], sort=False)
    .head(1)[["domain", "label", "rating", "text"]]
)
with pd.option_context("display.max_colwidth", 110):
    display(examples.reset_index(drop=True))

# %% [markdown]
# The classes are far from balanced, and differently in each domain:

# %%
balance = pd.crosstab(three.train["domain"], three.train["label"], normalize="index")
glue("movie_neutral_share", float(balance.loc["movie", "neutral"]), display=False)
glue("editorial_neutral_share", float(balance.loc["editorial", "neutral"]), display=False)
balance.round(3)

# %% [markdown]
# Only {glue:text}`movie_neutral_share:.1%` of the movie snippets are neutral,
# against {glue:text}`editorial_neutral_share:.1%` of the editorial ones. A model
# that never says "neutral" loses little on movies and much on editorials; we will
# see this in chapter 11.

# %% [markdown]
# ## From text to tokens
#
# A network computes with numbers, so each text becomes a sequence of integers:
# it is **standardized** (lower-cased, punctuation handled), **split** into tokens
# at whitespace, and each token is replaced by its index in a **vocabulary**
# built from the training texts only (building it from validation or test texts
# would leak information about them into training).
#
# Keras's default standardization strips all punctuation. For sentiment, `!` and
# `?` and emoticons carry meaning (the VADER paper measured that an exclamation
# mark makes a sentence's rating more extreme), so the course's
# `sm.standardize` keeps `!` and `?` as tokens and turns `:)`-style and `:(`-style
# emoticons into the words `xxsmile` and `xxfrown`:

# %%
samples = [
    "I don't like it :( !!",
    "A gorgeous, moving film.",
    "Wow, what a ride :-)",
    "Not bad... not bad at all?",
]
pd.DataFrame({"text": samples, "tokens": sm.tokenize(samples)})

# %% [markdown]
# ### How long are the texts?
#
# An LSTM reads its input one token at a time, so its cost grows with the sequence
# length, and a batch must have one length: shorter texts are **padded** with
# zeros, longer ones **truncated**. We measure the token counts of the training
# texts and choose the 99th percentile, so that only about 1 % of texts lose
# their end.

# %%
percentiles = [50, 90, 95, 99, 100]
lengths = {data.name: sm.token_counts(data.train["text"]) for data in (binary, three)}
length_table = pd.DataFrame(
    {name: np.percentile(counts, percentiles) for name, counts in lengths.items()},
    index=[f"{p}th percentile" if p < 100 else "longest" for p in percentiles],
).T
length_table.insert(0, "mean", [float(np.mean(c)) for c in lengths.values()])
sequence_length = {
    data.name: sm.choose_sequence_length(data.train["text"]) for data in (binary, three)
}
longest = three.train.iloc[int(lengths["all_3class"].argmax())]
glue(
    "longest_domain",
    {
        "product": "a product review",
        "movie": "a movie review",
        "tweets": "a tweet",
        "editorial": "an editorial",
    }[longest["domain"]],
    display=False,
)
glue(
    "longest_ratio",
    float(lengths["all_3class"].max() / sequence_length["all_3class"]),
    display=False,
)
for name, counts in lengths.items():
    glue(f"{name}_length", sequence_length[name], display=False)
    glue(f"{name}_truncated", float(np.mean(counts > sequence_length[name])), display=False)
    glue(f"{name}_longest", int(counts.max()), display=False)
    glue(f"{name}_median_tokens", float(np.median(counts)), display=False)
length_table.round(1)

# %%
fig, ax = plt.subplots(figsize=(6.4, 3.2))
for color, (name, counts) in zip(COURSE_COLORS, lengths.items(), strict=False):
    ax.hist(counts, bins=np.arange(0, 80, 2), alpha=0.55, color=color, label=name, density=True)
    ax.axvline(sequence_length[name], color=color, linestyle="--")
ax.set(xlabel="tokens per text (training part)", ylabel="share of texts per token")
ax.legend()
glue("fig_lengths", fig, display=False)
plt.close(fig)

# %% [markdown]
# ```{glue:figure} fig_lengths
# :name: fig-token-lengths
#
# Token counts of the training texts of each task (texts longer than 80 tokens
# are not drawn). Dashed lines: the chosen sequence length, the 99th percentile.
# ```
#
# The median movie snippet has {glue:text}`movie_binary_median_tokens:.0f`
# tokens. The 99th percentile gives a sequence length of
# {glue:text}`movie_binary_length` tokens for task (a) and
# {glue:text}`all_3class_length` for task (b); it truncates
# {glue:text}`movie_binary_truncated:.1%` and {glue:text}`all_3class_truncated:.1%`
# of the training texts. The longest text, in task (b), has
# {glue:text}`all_3class_longest` tokens ({glue:text}`longest_domain`); making
# every batch that long would make each LSTM step sequence
# {glue:text}`longest_ratio:.1f` times longer for almost no text.

# %% [markdown]
# ### How large a vocabulary?
#
# Most distinct tokens are rare. A token seen once in training gives the network
# one example to learn its embedding from, which is not enough to learn anything
# that carries over to new text. We keep every token seen at least **twice** in
# the training texts; the rest map to a shared out-of-vocabulary index.

# %%
frequencies = sm.token_frequencies(three.train["text"])
vocabulary_size = {
    data.name: sm.choose_vocabulary_size(data.train["text"]) for data in (binary, three)
}
kept = frequencies[frequencies >= 2]
coverage = float(kept.sum() / frequencies.sum())
glue("three_distinct_tokens", len(frequencies), display=False)
glue("three_kept_tokens", len(kept), display=False)
glue("three_coverage", coverage, display=False)
glue("three_singletons", int((frequencies == 1).sum()), display=False)
for name, size in vocabulary_size.items():
    glue(f"{name}_vocabulary", size, display=False)
assert vocabulary_size["all_3class"] == len(kept) + 2

fig, ax = plt.subplots(figsize=(6.4, 3.0))
ranks = np.arange(1, len(frequencies) + 1)
ax.plot(ranks, np.cumsum(frequencies.to_numpy()) / frequencies.sum(), color=COURSE_COLORS[0])
ax.axvline(len(kept), color=COURSE_COLORS[1], linestyle="--", label="tokens seen twice or more")
ax.set(
    xscale="log",
    xlabel="vocabulary size (most frequent tokens first)",
    ylabel="share of token occurrences covered",
)
ax.legend(loc="lower right")
glue("fig_vocabulary", fig, display=False)
plt.close(fig)

# %% [markdown]
# ```{glue:figure} fig_vocabulary
# :name: fig-vocabulary
#
# Share of all token occurrences in the training texts of task (b) that a
# vocabulary of the most frequent tokens covers.
# ```
#
# The training texts of task (b) hold {glue:text}`three_distinct_tokens:,`
# distinct tokens, {glue:text}`three_singletons:,` of them only once. The
# {glue:text}`three_kept_tokens:,` tokens seen at least twice cover
# {glue:text}`three_coverage:.1%` of all token occurrences. With the two reserved
# entries (0 for padding, 1 for unknown tokens) the vocabulary has
# {glue:text}`all_3class_vocabulary:,` entries for task (b) and
# {glue:text}`movie_binary_vocabulary:,` for task (a).

# %% [markdown]
# ### TextVectorization
#
# `sm.make_vectorizer` builds a `keras.layers.TextVectorization` layer with this
# standardization, vocabulary size and sequence length, and **adapts** it on the
# training texts (adapting counts the tokens and stores the vocabulary, most
# frequent first). Here it is for task (a):

# %%
vectorizer = sm.make_vectorizer(
    binary.train["text"], vocabulary_size["movie_binary"], sequence_length["movie_binary"]
)
vocabulary = vectorizer.get_vocabulary()
assert len(vocabulary) == vocabulary_size["movie_binary"]
demo = ["A gorgeous, moving film.", "A dull, lifeless mess.", "The zxqv was fine!"]
encoded = vectorizer(tf.constant(demo)).numpy()
print("first entries:", [str(token) for token in vocabulary[:8]])
encoded[:, :12]

# %% [markdown]
# Index 0 (`''`) is padding and index 1 (`'[UNK]'`) stands for every token that
# is not in the vocabulary, like the made-up `zxqv` in the third sentence. After
# those, tokens come by frequency. Every row has {glue:text}`movie_binary_length`
# columns (only the first 12 are shown): the sentences end early and the rest is
# padding.

# %% [markdown]
# ## Padding and masking
#
# Padding must not change the prediction: "a dull, lifeless mess" followed by
# thirty zeros is the same sentence. The `Embedding` layer with `mask_zero=True`
# marks index 0 as padding and passes that **mask** on to the LSTM, which then
# skips the padded steps: at a masked step it keeps its state unchanged, so its
# final output is its state after the last real token.

# %%
embedding = keras.layers.Embedding(len(vocabulary), 8, mask_zero=True)
print(embedding.compute_mask(encoded[:, :12]).numpy().astype(int))

# %% [markdown]
# The mask is 1 for real tokens and 0 for padding. To see that the LSTM really
# ignores the padding, feed the same sentences padded to 12 and to
# {glue:text}`movie_binary_length` steps to one small Embedding + LSTM and compare:

# %% tags=["remove-stderr"]
tokens_in = keras.Input(shape=(None,), dtype="int64")
masked_lstm = keras.Model(tokens_in, keras.layers.LSTM(4)(embedding(tokens_in)))
short_padding = masked_lstm.predict(encoded[:, :12], verbose=0)
long_padding = masked_lstm.predict(encoded, verbose=0)
np.testing.assert_allclose(short_padding, long_padding, atol=1e-6)
glue("padding_difference", float(np.abs(short_padding - long_padding).max()), display=False)
float(np.abs(short_padding - long_padding).max())

# %% [markdown]
# The largest difference is {glue:text}`padding_difference:.1e`: the same
# outputs, as the assertion checks.

# %% [markdown]
# ## The model
#
# The network has three layers:
#
# 1. **Embedding**: a trainable table with one vector of $d$ numbers per
#    vocabulary entry; token index $k$ selects row $k$. Similar words end up
#    with similar vectors if that helps the task.
# 2. **LSTM** with $u$ units {cite:p}`hochreiter1997long`: it reads the vectors
#    $x_1, x_2, \dots$ one at a time and keeps a memory, the *cell state* $c_t$,
#    next to its output $h_t$. Three gates, each a sigmoid between 0 and 1, decide
#    what to forget, what to write and what to show:
#
#    $$
#    \begin{aligned}
#    i_t &= \sigma(x_t W_i + h_{t-1} U_i + b_i) && \text{input gate}\\
#    f_t &= \sigma(x_t W_f + h_{t-1} U_f + b_f) && \text{forget gate}\\
#    g_t &= \tanh(x_t W_g + h_{t-1} U_g + b_g) && \text{candidate values}\\
#    o_t &= \sigma(x_t W_o + h_{t-1} U_o + b_o) && \text{output gate}\\
#    c_t &= f_t \odot c_{t-1} + i_t \odot g_t, \qquad h_t = o_t \odot \tanh(c_t).
#    \end{aligned}
#    $$
#
#    Vectors are rows here, as in Keras and in the NumPy check below: $x_t$ has
#    $d$ entries, $h_t$ and $c_t$ have $u$, so $W$ is $d \times u$ and $U$ is
#    $u \times u$. Why this helps with long texts: along the cell state's own
#    path, one step back is just
#
#    $$
#    \frac{\partial c_t}{\partial c_{t-1}} = \operatorname{diag}(f_t),
#    $$
#
#    with no weight matrix and no squashing function on the way (the gates
#    depend on $x_t$ and $h_{t-1}$, not on $c_{t-1}$). A plain recurrent network
#    multiplies the gradient by a weight matrix and a $\tanh'$ at every step,
#    which shrinks or blows it up; here it is multiplied only by the forget
#    gate, so it survives many steps while $f_t \approx 1$. The original LSTM had
#    no forget gate, $f_t = 1$, the "constant error carousel"
#    {cite:p}`hochreiter1997long`; {cite:t}`gers2000learning` added it so the
#    network can also learn to forget. The output after the last real token,
#    $h_T$, summarizes the text.
# 3. **Output layer**: for task (a) one sigmoid unit, the probability that the
#    text is positive, trained with binary cross-entropy; for task (b) three
#    softmax units, one probability per class, trained with sparse categorical
#    cross-entropy (chapter 7 derives both losses).
#
# We build the task (a) network layer by layer with $d = u = 32$:

# %%
config = sm.ModelConfig(kind="lstm")
inputs = keras.Input(shape=(sequence_length["movie_binary"],), dtype="int64", name="tokens")
x = keras.layers.Embedding(
    vocabulary_size["movie_binary"], config.embedding_dim, mask_zero=True, name="embedding"
)(inputs)
x = keras.layers.LSTM(config.units, name="lstm")(x)
outputs = keras.layers.Dense(1, activation="sigmoid", name="probability")(x)
by_hand = keras.Model(inputs, outputs, name="lstm_by_hand")
by_hand.compile(
    optimizer=keras.optimizers.Adam(learning_rate=config.adam_learning_rate),
    loss="binary_crossentropy",
    metrics=["accuracy"],
)
by_hand.summary()

# %% [markdown]
# Each of the four gate blocks has a matrix $W$ ($d \times u$), a matrix $U$
# ($u \times u$) and a bias ($u$) (Keras calls them `kernel`, `recurrent_kernel`
# and `bias`), so the LSTM has $4(du + u^2 + u)$ parameters;
# the embedding has $V d$ for a vocabulary of $V$ entries, and the output unit
# $u + 1$. We check the count, and that the project's `sm.build_model` (which the
# training below uses) builds the same network:

# %%
V, d, u = vocabulary_size["movie_binary"], config.embedding_dim, config.units
lstm_params = 4 * (d * u + u * u + u)
expected = V * d + lstm_params + (u + 1)
assert by_hand.count_params() == expected
from_helper = sm.build_model(
    config,
    vocabulary_size=V,
    sequence_length=sequence_length["movie_binary"],
    n_classes=2,
)
assert sm.count_parameters(from_helper) == expected
assert [type(layer).__name__ for layer in from_helper.layers] == [
    type(layer).__name__ for layer in by_hand.layers
]
glue("lstm_params", lstm_params, display=False)
glue("embedding_params", V * d, display=False)
glue("binary_model_params", expected, display=False)
expected

# %% [markdown]
# {glue:text}`binary_model_params:,` parameters, of which
# {glue:text}`embedding_params:,` are the embedding table and only
# {glue:text}`lstm_params:,` the LSTM: in a small text model the vocabulary
# dominates.
#
# The equations above are the ones Keras computes. We run them in NumPy with the
# weights of the Keras layer (Keras stores the four blocks side by side in the
# order $i, f, g, o$) on the embedded first demo sentence and compare with
# Keras's output:

# %%
lstm_layer = by_hand.get_layer("lstm")
kernel, recurrent, bias = (w.numpy() for w in lstm_layer.weights)
sentence = encoded[:1]
vectors = by_hand.get_layer("embedding")(sentence).numpy()[0]
h, c = np.zeros(u), np.zeros(u)
for step in range(int((sentence[0] != 0).sum())):  # the real tokens only
    z = vectors[step] @ kernel + h @ recurrent + bias
    i_t, f_t, g_t, o_t = (
        sigmoid(z[:u]),
        sigmoid(z[u : 2 * u]),
        np.tanh(z[2 * u : 3 * u]),
        sigmoid(z[3 * u :]),
    )
    c = f_t * c + i_t * g_t
    h = o_t * np.tanh(c)
keras_h = keras.Model(by_hand.input, lstm_layer.output).predict(sentence, verbose=0)[0]
np.testing.assert_allclose(h, keras_h, atol=1e-5)
glue("lstm_numpy_difference", float(np.abs(h - keras_h).max()), display=False)
float(np.abs(h - keras_h).max())

# %% [markdown]
# NumPy and Keras agree to {glue:text}`lstm_numpy_difference:.1e` (float32
# rounding), and the loop stops at the last real token, which is what masking does.
#
# The gradient claim can be checked the same way. TensorFlow's `GradientTape`
# differentiates one step of the Keras cell with respect to the previous cell
# state; the Jacobian must be the diagonal matrix of the forget gate, which we
# compute from the weights as in the loop above:

# %%
step_rng = np.random.default_rng(0)
x_step = tf.constant(vectors[:1])  # the first token's vector, a batch of one
h_before = tf.constant(step_rng.normal(size=(1, u)), dtype=tf.float32)
c_before = tf.Variable(step_rng.normal(size=(1, u)), dtype=tf.float32)
with tf.GradientTape() as tape:
    _, (_, c_after) = lstm_layer.cell(x_step, [h_before, c_before])
jacobian = tape.jacobian(c_after, c_before).numpy()[0, :, 0, :]  # dc_t / dc_{t-1}, u x u
forget = sigmoid((vectors[0] @ kernel + h_before.numpy()[0] @ recurrent + bias)[u : 2 * u])
np.testing.assert_allclose(jacobian, np.diag(forget), atol=1e-6)
glue(
    "jacobian_offdiag_max",
    float(np.abs(jacobian - np.diag(np.diag(jacobian))).max()),
    display=False,
)
glue("forget_mean", float(forget.mean()), display=False)
float(np.abs(jacobian - np.diag(forget)).max())

# %% [markdown]
# The Jacobian is diagonal (largest off-diagonal entry
# {glue:text}`jacobian_offdiag_max:.1g`) and its diagonal is $f_t$, whose entries
# average {glue:text}`forget_mean:.2f` for this untrained layer: the cell state's
# gradient passes one step back scaled by the forget gate alone.

# %% [markdown]
# ## Training
#
# `sm.train_neural` trains one network. Its input pipeline is a `tf.data`
# dataset {cite:p}`murray2021tfdata` built once from the token arrays:
#
# ```python
# tf.data.Dataset.from_tensor_slices((x_train, y_train))
#     .cache()                                    # keep the arrays in memory
#     .shuffle(len(y_train), seed=seed, reshuffle_each_iteration=True)
#     .batch(128)
#     .prefetch(tf.data.AUTOTUNE)                 # prepare the next batch while training
# ```
#
# It trains with Adam for at most four epochs and watches the **validation**
# loss after each: `EarlyStopping(monitor="val_loss", patience=1,
# restore_best_weights=True)` stops after one epoch without improvement and puts
# back the weights of the best epoch. The test split is not touched until the
# model is final. Each network is trained with three seeds,
# {glue:text}`seed_list`, so that we can see how much of a difference between
# two models is only the luck of the initialization and the batch order.
#
# `sm.run_comparison` runs every method of the comparison on one task through
# the results cache; with `save_lstm=True` it also saves each LSTM of task (b),
# tokenizer included, for the final model. The first run of this cell trains
# everything; later runs read the cache.

# %% tags=["remove-stderr"]
glue("seed_list", ", ".join(str(s) for s in sm.SEEDS), display=False)
started = time.perf_counter()
results = {
    "movie_binary": sm.run_comparison(binary),
    "all_3class": sm.run_comparison(three, save_lstm=True),
}
print(
    f"comparison ready in {time.perf_counter() - started:.1f} s "
    f"(cached results are in {sm.results_cache_dir()})"
)

# %% [markdown]
# The learning curves of the task (a) LSTM, one line per seed:


# %%
binary_lstm = sm.runs_of(results["movie_binary"], "lstm")
histories = {f"seed {r.seed}": r.history_frame() for r in binary_lstm}
fig = plot_learning_curves(histories, metrics=["loss", "accuracy"])
for ax in fig.axes:
    ax.xaxis.set_major_locator(plt.MaxNLocator(integer=True))
glue("fig_lstm_curves", fig, display=False)
plt.close(fig)
best_epochs = sorted({r.best_epoch for r in binary_lstm})
for run in binary_lstm:  # the pattern the text describes, checked on every seed
    curve = run.history_frame()
    assert curve["loss"].is_monotonic_decreasing, "the training loss keeps falling"
    lowest = curve["val_loss"].iloc[run.best_epoch - 1]
    assert (curve["val_loss"].iloc[run.best_epoch :] > lowest).all(), "then it rises"
assert any(len(run.history) > run.best_epoch for run in binary_lstm), "stopped early"
glue("binary_lstm_best_epochs", " or ".join(str(e) for e in best_epochs), display=False)
glue("binary_lstm_epochs_run", max(len(r.history) for r in binary_lstm), display=False)
pd.DataFrame(
    {
        "best epoch": [r.best_epoch for r in binary_lstm],
        "epochs run": [len(r.history) for r in binary_lstm],
        "validation accuracy": [r.validation_accuracy for r in binary_lstm],
    },
    index=[f"seed {r.seed}" for r in binary_lstm],
).round(4)

# %% [markdown]
# ```{glue:figure} fig_lstm_curves
# :name: fig-lstm-curves
#
# Training (dashed) and validation (solid) loss and accuracy of the task (a)
# LSTM for each seed.
# ```
#
# The pattern to expect with {glue:text}`binary_train_rows:,` short training
# snippets: the training loss keeps falling, while the validation loss is lowest
# after epoch
# {glue:text}`binary_lstm_best_epochs` and then rises, so training stopped by
# epoch {glue:text}`binary_lstm_epochs_run` and kept the best epoch's weights. The
# network memorizes its training sentences quickly; more epochs would only make
# it worse on new ones.

# %% [markdown]
# ## The baselines
#
# A model is only good compared with something. On the same split:
#
# - **Majority class**: always predict the most frequent training label. Any
#   model must beat this.
# - **VADER** {cite:p}`hutto2014vader`: a rule-based analyzer built on a lexicon of
#   {glue:text}`vader_lexicon_size:,` words and emoticons rated by people, plus rules for negation,
#   intensifiers ("very"), capitals, exclamation marks and "but". It needs no
#   training. Its compound score in $[-1, 1]$ is turned into a label with the
#   thresholds $\pm 0.05$ of its documentation. On task (a), which has no neutral
#   class, a "neutral" answer is counted as an **error** (it is neither of the two
#   right answers).
# - **TF-IDF + logistic regression** {cite:p}`pedregosa2011scikit`: each text
#   becomes a sparse vector of TF-IDF weights of its words and word pairs, and a
#   logistic regression is fitted on them, with its regularization strength $C$
#   chosen on the validation set.
# - **Bag of embeddings**: the same Embedding as the LSTM, but the text vector is
#   the average of its token vectors (word order is lost), then the output layer.
# - **Bidirectional LSTM**: two LSTMs, one reading forwards and one backwards,
#   their final outputs concatenated.

# %%
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

glue("vader_lexicon_size", len(SentimentIntensityAnalyzer().lexicon), display=False)
vader_binary = sm.runs_of(results["movie_binary"], "vader")[0]
glue("vader_binary_neutral_share", vader_binary.extra["neutral_share"], display=False)
c_table = pd.DataFrame(
    {
        task: sm.runs_of(results[task], "tfidf_logreg")[0].extra["validation_accuracy_by_C"]
        for task in results
    }
)
c_table.index.name = "C"
for task in results:
    glue(f"{task}_best_C", sm.runs_of(results[task], "tfidf_logreg")[0].extra["C"], display=False)
    glue(
        f"{task}_tfidf_features",
        sm.runs_of(results[task], "tfidf_logreg")[0].extra["n_features"],
        display=False,
    )
c_table.round(4)

# %% [markdown]
# Validation accuracy of the logistic regression for each $C$ (larger $C$ means
# weaker regularization). The best is $C =$ {glue:text}`movie_binary_best_C:g` for
# task (a) and $C =$ {glue:text}`all_3class_best_C:g` for task (b), on
# {glue:text}`movie_binary_tfidf_features:,` and
# {glue:text}`all_3class_tfidf_features:,` TF-IDF features. VADER answers
# "neutral" for {glue:text}`vader_binary_neutral_share:.1%` of the task (a) test
# snippets, and each of those counts as a mistake.

# %% [markdown]
# ## The comparison
#
# One table per task: test accuracy and macro-averaged F1 (the mean of the
# per-class F1 scores, which chapter 11 explains), as mean ± standard deviation
# over the three seeds for the networks; the training time of one run (wall
# clock, measured when the result was computed; the machine may have been busy);
# and the number of trained parameters (for logistic regression, its
# coefficients).


# %%
def comparison_table(task):
    data = binary if task == "movie_binary" else three
    table = sm.summary_table(results[task], data)

    def spread(mean, std, runs):
        return f"{mean:.3f} ± {std:.3f}" if runs > 1 else f"{mean:.3f}"

    return pd.DataFrame(
        {
            "runs": table["runs"],
            "test accuracy": [
                spread(m, s, n)
                for m, s, n in zip(
                    table["accuracy"], table["accuracy_std"], table["runs"], strict=True
                )
            ],
            "macro F1": [
                spread(m, s, n)
                for m, s, n in zip(
                    table["macro_f1"], table["macro_f1_std"], table["runs"], strict=True
                )
            ],
            "train time (s)": table["train_seconds"].round(1),
            "parameters": [
                "none (rules)" if p is None or pd.isna(p) else f"{int(p):,}"
                for p in table["parameters"]
            ],
        }
    ), table


display_a, table_a = comparison_table("movie_binary")
display_a

# %%
display_b, table_b = comparison_table("all_3class")
display_b

# %%
for task, table in (("movie_binary", table_a), ("all_3class", table_b)):
    for method, name in sm.METHOD_NAMES.items():
        if name in table.index:
            glue(f"{task}_{method}_acc", float(table.loc[name, "accuracy"]), display=False)
            glue(f"{task}_{method}_acc_std", float(table.loc[name, "accuracy_std"]), display=False)
            glue(f"{task}_{method}_f1", float(table.loc[name, "macro_f1"]), display=False)
    lstm_acc = table.loc["LSTM", "accuracy"]
    tfidf_acc = table.loc["TF-IDF + logistic regression", "accuracy"]
    glue(f"{task}_lstm_gap_points", float(100 * (tfidf_acc - lstm_acc)), display=False)
    networks = ["Bag of embeddings", "LSTM", "Bidirectional LSTM"]
    best_network = table.loc[networks, "accuracy"].idxmax()
    glue(f"{task}_best_network", best_network.lower().replace("lstm", "LSTM"), display=False)
    time_ratio = (
        table.loc["LSTM", "train_seconds"] / table.loc["Bag of embeddings", "train_seconds"]
    )
    glue(f"{task}_lstm_time_ratio", float(time_ratio), display=False)
    # The claims of the text below, checked on the measured numbers:
    # the tuned linear model has the best accuracy of all; every learned model beats
    # VADER and the majority guess; by accuracy neither LSTM beats the bag of
    # embeddings, which trains several times faster.
    assert tfidf_acc > table.loc[networks, "accuracy"].max()
    assert table.loc[networks, "accuracy"].min() > table.loc["VADER (rule-based)", "accuracy"]
    assert table.loc["VADER (rule-based)", "accuracy"] > table.loc["Majority class", "accuracy"]
    assert best_network == "Bag of embeddings" and time_ratio > 2
# On task (b) the LSTM has the best macro F1, and it finds more neutral texts than
# the logistic regression (recall of the neutral class, mean over seeds).
assert table_b["macro_f1"].idxmax() == "LSTM"
neutral_test = three.test["label"].to_numpy() == "neutral"


def neutral_recall(method):
    return float(
        np.mean(
            [
                np.mean(np.asarray(r.test_pred)[neutral_test] == "neutral")
                for r in sm.runs_of(results["all_3class"], method)
            ]
        )
    )


glue("lstm_neutral_recall", neutral_recall("lstm"), display=False)
glue("tfidf_neutral_recall", neutral_recall("tfidf_logreg"), display=False)
assert neutral_recall("lstm") > neutral_recall("tfidf_logreg")

# %% [markdown]
# What the tables say:
#
# - **Every learned model beats both the majority class and VADER.** On task (a)
#   the majority guess gets {glue:text}`movie_binary_majority_acc:.3f` and VADER
#   {glue:text}`movie_binary_vader_acc:.3f` (partly because of its neutral
#   answers); the LSTM gets {glue:text}`movie_binary_lstm_acc:.3f` ±
#   {glue:text}`movie_binary_lstm_acc_std:.3f`.
# - **The tuned TF-IDF + logistic regression has the best accuracy on both
#   tasks**: {glue:text}`movie_binary_tfidf_logreg_acc:.3f` on task (a) and
#   {glue:text}`all_3class_tfidf_logreg_acc:.3f` on task (b), ahead of the LSTM by
#   {glue:text}`movie_binary_lstm_gap_points:.1f` and
#   {glue:text}`all_3class_lstm_gap_points:.1f` percentage points.
# - **Reading word order did not pay off in accuracy.** The LSTM and the
#   bidirectional LSTM, which see the order of the words, do not beat the
#   {glue:text}`movie_binary_best_network`, which does not, and the LSTM takes
#   {glue:text}`movie_binary_lstm_time_ratio:.1f` (task (a)) and
#   {glue:text}`all_3class_lstm_time_ratio:.1f` (task (b)) times as long to train.
# - **Accuracy is not the whole story.** On task (b) the LSTM has the best
#   *macro F1* of all methods, {glue:text}`all_3class_lstm_f1:.3f` against
#   {glue:text}`all_3class_tfidf_logreg_f1:.3f` for the logistic regression: the
#   linear model wins its accuracy by favouring the two large classes, while the
#   LSTM finds more of the rare neutral texts (it recognizes
#   {glue:text}`lstm_neutral_recall:.1%` of them, the logistic regression
#   {glue:text}`tfidf_neutral_recall:.1%`). Chapter 11 takes this apart.
#
# This is the honest result, and a common one: with
# {glue:text}`binary_train_rows:,` labelled training sentences (task (a)) and
# embeddings learned from scratch, a network has too little data to
# learn what a linear model over word pairs gets directly. The literature on the
# same movie sentences (the sentence polarity data of {cite:t}`pang2005seeing`)
# points the same way: a convolutional network on these sentences did clearly
# better when its embeddings started from word vectors pre-trained on about 100
# billion words of news than when they were learned from scratch
# {cite:p}`kim2014convolutional`. Outside data, not architecture, made the
# difference. Chapter 11 tries what can be done without it.

# %% [markdown]
# ## Saving the model
#
# The course's model answers the three-class question, so we save an LSTM of task
# (b): of the three seeds, the one with the best **validation** accuracy (choosing
# by test accuracy would be peeking). `sm.export_text_model` put the
# TextVectorization layer in front of the trained network when the run was
# cached, so the saved file takes **raw strings**:
#
# ```python
# text = keras.Input(shape=(), dtype="string")
# model = keras.Model(text, trained_network(vectorizer(text)))
# ```

# %%
chosen = sm.chosen_run(sm.runs_of(results["all_3class"], "lstm"))
assert chosen.key == sm.course_lstm_run(three).key  # the rule lives in helpers, once
model_path = save_course_model(chosen)
glue("chosen_seed", chosen.seed, display=False)
glue("chosen_val_acc", chosen.validation_accuracy, display=False)
glue("headline_metrics", ["chosen_test_acc"], display=False)  # what the benchmark records
glue("chosen_test_acc", chosen.accuracy(three.test["label"]), display=False)
print(f"saved {model_path} ({model_path.stat().st_size / 1e6:.1f} MB)")

# %% [markdown]
# The seed {glue:text}`chosen_seed` run has the best validation accuracy,
# {glue:text}`chosen_val_acc:.3f` (test accuracy {glue:text}`chosen_test_acc:.3f`).
# `helpers.sentiment.save_course_model` is the one function that writes the
# course's models: this LSTM to `helpers.sentiment.course_model_path("lstm")`,
# which is `build/models/sentiment-lstm.keras` in a checkout of the course and a
# per-user folder when `helpers` is installed as a package. `sm.chosen_run` is the
# one rule that picks the run, and every later chapter asks it rather than
# choosing again. (Two chapters on, a pretrained encoder fine-tuned on the same
# task becomes the course's default model, `sentiment.keras`; this LSTM stays
# selectable by name.)
#
# ## Using the model
#
# `helpers.sentiment.predict(texts, model_path="lstm")` loads that file and returns
# one row per text, with
# the label and the probability of each class. It checks its input first: an empty
# list, an empty text or something that is not a string raises a clear error
# instead of a silent guess.

# %% tags=["remove-stderr"]
from helpers.sentiment import predict

mine = [
    "a gorgeous, moving film",
    "a dull, lifeless mess",
    "The package arrived on Tuesday.",
    "I can't believe how good this phone is!",
    "not bad at all",
]
predictions = predict(mine, model_path="lstm")
assert predictions.loc[0, "label"] == "positive" and predictions.loc[1, "label"] == "negative"
glue("not_bad_label", predictions.loc[4, "label"], display=False)
np.testing.assert_allclose(predictions.filter(like="p_").sum(axis=1), 1.0, rtol=1e-5)
predictions.round(3)

# %% [markdown]
# The same from a shell, with the command line of `helpers.sentiment`:
#
# ```bash
# python -m helpers.sentiment --model lstm "a gorgeous, moving film" "a dull, lifeless mess"
# ```

# %% tags=["remove-stderr"]
command = [
    sys.executable,
    "-m",
    "helpers.sentiment",
    "--model",
    "lstm",
    "a gorgeous, moving film",
    "a dull, lifeless mess",
]
completed = subprocess.run(command, capture_output=True, text=True, check=True)
assert completed.stdout.splitlines()[0].startswith("positive")
assert completed.stdout.splitlines()[1].startswith("negative")
print(completed.stdout)

# %% [markdown]
# Try your own sentences. The last row of the table above is worth a look: for
# "not bad at all" the model answers **{glue:text}`not_bad_label`**. Two negative
# words in a positive phrase are hard for a model that learned from
# {glue:text}`three_train_rows:,` sentences; chapter 11 measures how negation fares on the whole test set.

# %% [markdown]
# ## The code, step by step
#
# Everything above is a call into `helpers/sentiment_models.py`, kept there so
# that chapter 11 (and the tests) use exactly the same code. In order:
#
# ```{mermaid}
# :name: fig-sentiment-pipeline
# :caption: The project's pipeline, with the function that does each step.
#
# flowchart LR
#     A["load_task<br/>load_vader + vader_split"] --> B["choose_vocabulary_size<br/>choose_sequence_length"]
#     B --> C["make_vectorizer<br/>TextVectorization.adapt"]
#     C --> D["build_model<br/>Embedding → LSTM → Dense"]
#     D --> E["train_neural<br/>tf.data + EarlyStopping"]
#     E --> F["run_comparison<br/>baselines, seeds, cache"]
#     E --> G["export_text_model<br/>strings in"]
#     G --> H["helpers.sentiment<br/>predict / CLI"]
# ```
#
# | step | function | what it does |
# |---|---|---|
# | data | `load_task` | loads the snippets, applies the shared split, removes neutral rows for task (a) |
# | tokens | `standardize`, `token_counts`, `choose_vocabulary_size`, `choose_sequence_length` | the measurements behind the vocabulary and the sequence length |
# | vectorizer | `make_vectorizer` | `TextVectorization` adapted on training texts only |
# | model | `build_model` | Embedding (`mask_zero=True`), the encoder (average, LSTM or BiLSTM), the output layer, compiled |
# | training | `train_neural` | seeds, `tf.data` pipeline, `fit` with early stopping, test predictions, timing |
# | baselines | `majority_baseline`, `vader_baseline`, `tfidf_logreg_baseline` | the comparison's non-neural methods |
# | bookkeeping | `run_neural`, `run_comparison`, `cached_result`, `summary_table` | seeds, the on-disk cache, the table |
# | deployment | `export_text_model`, `helpers.sentiment.predict` | a model on raw strings, and its interface |

# %% [markdown]
# ## Summary
#
# - Text becomes integers with `TextVectorization`, adapted on the training texts
#   only; the sequence length ({glue:text}`all_3class_length` tokens for task (b))
#   and the vocabulary (tokens seen at least twice) were read off the data.
# - Padding is filler: `mask_zero=True` makes the LSTM skip it, and we checked
#   that the padding length does not change the output. The LSTM's equations were
#   checked against Keras in NumPy.
# - Early stopping on the validation loss kept the weights of epoch
#   {glue:text}`binary_lstm_best_epochs`: the network overfits its
#   {glue:text}`binary_train_rows:,` training snippets within a few epochs.
# - On both tasks, the tuned TF-IDF + logistic regression had the best accuracy
#   (task (b): {glue:text}`all_3class_tfidf_logreg_acc:.3f` against
#   {glue:text}`all_3class_lstm_acc:.3f` for the LSTM), the LSTM the best macro
#   F1 on task (b), and every learned model beat VADER and the majority guess.
# - The saved model takes raw strings: `helpers.sentiment.predict(texts, model_path="lstm")`
#   or `python -m helpers.sentiment --model lstm "text"`.

# %% [markdown]
# ## Exercises
#
# ```{exercise}
# :label: ch08-ex1
#
# Change the sequence length of task (b) to the 90th percentile of the token
# counts. What share of the training texts is truncated now? Why might that hurt
# product reviews more than tweets?
# ```
#
# ```{exercise}
# :label: ch08-ex2
#
# Count how many distinct tokens of the *test* texts of task (a) are not in the
# vectorizer's vocabulary, and what share of the test token occurrences they make
# up.
# ```
#
# ```{exercise}
# :label: ch08-ex3
#
# The bidirectional LSTM has about twice the LSTM's recurrent parameters. Compute
# its parameter count for task (a) with the formula of this chapter and compare
# with `sm.build_model(sm.ModelConfig(kind="bilstm"), ...)`.
# ```
#
# ```{exercise}
# :label: ch08-ex4
#
# Why must the vocabulary be built from the training texts only? What would go
# wrong, concretely, if it were built from all texts?
# ```

# %% [markdown]
# ```{solution-start} ch08-ex1
# :class: dropdown
# ```
#
# Cut at the 90th percentile, about a tenth of the texts lose their end, by
# construction; the share per domain shows who pays:

# %%
counts = sm.token_counts(three.train["text"])
length90 = int(np.ceil(np.percentile(counts, 90)))
cut_by_domain = three.train.assign(cut=counts > length90).groupby("domain")["cut"].mean()
assert cut_by_domain["product"] > cut_by_domain["tweets"]
glue("ex1_length90", length90, display=False)
glue("ex1_cut_share", float(np.mean(counts > length90)), display=False)
cut_by_domain.round(3)

# %% [markdown]
# A length of {glue:text}`ex1_length90` tokens truncates
# {glue:text}`ex1_cut_share:.1%` of the training texts, far more product reviews
# than tweets. Truncation removes the *end* of a text, and long product reviews
# often end with the verdict ("... but it broke after a week"); tweets are short
# and are rarely cut at all.
#
# ```{solution-end}
# ```

# %% [markdown]
# ```{solution-start} ch08-ex2
# :class: dropdown
# ```

# %%
known = set(vectorizer.get_vocabulary())
test_tokens = [token for row in sm.tokenize(binary.test["text"]) for token in row]
unknown = [token for token in test_tokens if token not in known]
unknown_share = len(unknown) / len(test_tokens)
assert len(set(unknown)) > 1000 and unknown_share < 0.1  # many distinct, few occurrences
glue("ex2_unknown_distinct", len(set(unknown)), display=False)
glue("ex2_unknown_share", unknown_share, display=False)
len(set(unknown)), round(unknown_share, 4)

# %% [markdown]
# {glue:text}`ex2_unknown_distinct:,` distinct test tokens are unknown, but they
# are rare words: together they make up only {glue:text}`ex2_unknown_share:.1%`
# of the test token occurrences, all of which map to index 1.
#
# ```{solution-end}
# ```

# %% [markdown]
# ```{solution-start} ch08-ex3
# :class: dropdown
# ```
#
# Each direction has $4(du + u^2 + u)$ parameters and the output layer sees $2u$
# values:

# %%
bilstm_expected = V * d + 2 * 4 * (d * u + u * u + u) + (2 * u + 1)
bilstm = sm.build_model(
    sm.ModelConfig(kind="bilstm"),
    vocabulary_size=V,
    sequence_length=sequence_length["movie_binary"],
    n_classes=2,
)
assert sm.count_parameters(bilstm) == bilstm_expected
bilstm_expected

# %% [markdown]
# ```{solution-end}
# ```
#
# ```{solution-start} ch08-ex4
# :class: dropdown
# ```
#
# The vocabulary decides which words the model can represent. Built from all
# texts, it would contain words that occur only in the test set: the model would
# have a slot for them that training never updates, and, worse, the choice of
# which words are frequent enough to keep would depend on the test set. The
# measured test accuracy would then describe a model that saw something of the
# test data, not one meeting new text, which is what test accuracy must estimate.
#
# ```{solution-end}
# ```
