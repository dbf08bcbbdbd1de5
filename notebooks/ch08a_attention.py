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
# # Attention and the Transformer
#
# The LSTM of chapter 8 reads a snippet one token at a time and squeezes
# everything it has read into one state vector. The networks behind today's
# large language models work differently: in a {term}`Transformer`
# {cite:p}`vaswani2017attention` every token looks at every other token of the
# text in one step, through **{term}`attention`**, and decides how much of each
# to take in. The pretrained encoder of the next chapter is a stack of six such
# steps.
#
# This chapter builds a Transformer encoder from its parts and checks each part
# against Keras:
#
# 1. **scaled dot-product attention**, derived and written in NumPy, and why it
#    divides by $\sqrt{d}$;
# 2. **multi-head attention**, equal number for number to
#    `keras.layers.MultiHeadAttention` with the same weights;
# 3. **padding masks**: a padded position gets weight 0, and padding a text does
#    not change what its real tokens compute;
# 4. **position embeddings**: attention alone cannot see word order; the sine
#    waves of the original Transformer and the learned table of BERT give it back;
# 5. **one encoder block** (attention, residual connections, layer
#    normalization, a feed-forward layer) in NumPy and as the
#    `helpers.encoder.TransformerBlock` that the pretrained encoder is made of,
#    with its parameters and its floating-point operations per token counted by
#    formula;
# 6. **a small Transformer trained from scratch** on the course's movie task,
#    beside chapter 8's LSTM and TF-IDF + logistic regression, on the same split
#    and seeds, and a look at what its attention does on a real snippet.
#
# The result of step 6 is not a win, and the chapter measures why. That sets up
# the next chapter.

# %% [markdown]
# ## Setup
#
# Keras first (the chapter trains a network), then the seed and the plot style.
# `helpers.attention` holds the NumPy attention this chapter teaches;
# `helpers.encoder` the Keras layers of the pretrained encoder; and
# `helpers.sentiment_models` the sentiment project's experiment code, whose
# results cache chapter 8 has filled.

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

import inspect

import keras
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import tensorflow as tf

from helpers import attention as att
from helpers import sentiment_models as sm
from helpers.book import glue
from helpers.encoder import TransformerBlock, build_encoder
from helpers.plotting import use_course_style
from helpers.pretrained import minilm_dir, read_config
from helpers.repro import set_seed

set_seed()
use_course_style()
rng = np.random.default_rng(0)


# %% [markdown]
# ## Attention: a soft lookup
#
# A Python dictionary answers a query with the value whose key equals it.
# Attention answers with **every** value, each weighted by how well its key
# matches the query. Given a query vector $q$ and $n$ keys $k_1, \dots, k_n$
# with values $v_1, \dots, v_n$ (all of length $d$):
#
# $$
# s_j = \frac{q \cdot k_j}{\sqrt d}, \qquad
# w_j = \frac{e^{s_j}}{\sum_{l=1}^{n} e^{s_l}}, \qquad
# \text{output} = \sum_{j=1}^{n} w_j v_j .
# $$
#
# The dot product scores the match, the {term}`softmax` turns the scores into
# weights that are positive and sum to 1, and the output is the weighted average
# of the values. With the queries, keys and values as the rows of matrices
# $Q$, $K$, $V$, all queries are answered at once:
#
# $$
# \operatorname{Attention}(Q, K, V) = \operatorname{softmax}\!\left(\frac{Q K^\top}{\sqrt d}\right) V,
# $$
#
# the softmax taken along each row. In **self-attention** the queries, keys and
# values are all computed from the same tokens, so every token of a text asks
# every other token how relevant it is. The idea of a learned soft alignment
# comes from machine translation {cite:p}`bahdanau2015neural`; the Transformer
# made it the whole network. `helpers.attention` writes it in a few lines of
# NumPy:

# %%
for function in (att.softmax, att.scaled_dot_product_attention):
    print(inspect.getsource(function))

# %% [markdown]
# A query that matches the first of three keys best takes most of the first
# value, but not all of it. We check the weights against the formula written
# out by hand:

# %%
query = np.array([[2.0, 0.0]])
keys = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]])
values = np.array([[10.0], [20.0], [30.0]])
output, weights = att.scaled_dot_product_attention(query, keys, values)
scores = np.array([2.0, 0.0, -2.0]) / np.sqrt(2)
by_hand = np.exp(scores) / np.exp(scores).sum()
np.testing.assert_allclose(weights[0], by_hand)
np.testing.assert_allclose(output[0], by_hand @ values)
assert np.isclose(weights.sum(), 1.0) and weights[0].argmax() == 0
glue("toy_first_weight", float(weights[0, 0]), display=False)
glue("toy_output", float(output[0, 0]), display=False)
pd.DataFrame({"key": ["k1", "k2", "k3"], "weight": weights[0], "value": values[:, 0]}).round(3)

# %% [markdown]
# The first key gets {glue:text}`toy_first_weight:.0%` of the weight and the
# output is {glue:text}`toy_output:.2f`: a blend pulled towards the first value.
# Because the softmax is smooth, a small change in a query moves the weights a
# little, so gradients flow through the lookup and the network can learn what
# to look for.
#
# ### Why divide by $\sqrt d$
#
# If the entries of $q$ and $k$ are independent with mean 0 and variance 1, the
# dot product $q \cdot k$ is a sum of $d$ such products and has variance $d$.
# For wide vectors the raw scores spread out, the largest one dominates the
# softmax, and each query ends up copying a single value; the softmax's gradient
# is then nearly 0 everywhere. Dividing by $\sqrt d$ keeps the scores' standard
# deviation at 1 for every width. Measured with random vectors and 20 keys:

# %%
spread_rows = []
for d in (4, 32, 384):
    q = rng.standard_normal((2000, 1, d))
    k = rng.standard_normal((2000, 20, d))
    raw = (q @ k.transpose(0, 2, 1))[:, 0]  # 2000 queries x 20 keys
    spread_rows.append(
        {
            "d": d,
            "std of q.k": float(raw.std()),
            "sqrt(d)": float(np.sqrt(d)),
            "std of q.k / sqrt(d)": float((raw / np.sqrt(d)).std()),
            "largest weight, unscaled": float(att.softmax(raw).max(axis=-1).mean()),
            "largest weight, scaled": float(att.softmax(raw / np.sqrt(d)).max(axis=-1).mean()),
        }
    )
spread = pd.DataFrame(spread_rows).set_index("d")
np.testing.assert_allclose(spread["std of q.k"], spread["sqrt(d)"], rtol=0.05)
np.testing.assert_allclose(spread["std of q.k / sqrt(d)"], 1.0, rtol=0.05)
assert spread.loc[384, "largest weight, unscaled"] > 0.9
assert spread["largest weight, scaled"].max() < 0.5
glue("unscaled_max_weight_384", float(spread.loc[384, "largest weight, unscaled"]), display=False)
glue("scaled_max_weight_384", float(spread.loc[384, "largest weight, scaled"]), display=False)
spread.round(3)

# %% [markdown]
# At the width of the next chapter's encoder ($d = 384$) unscaled scores give the
# best-matching key on average {glue:text}`unscaled_max_weight_384:.0%` of the
# weight: attention degenerates into a hard lookup. Scaled, the largest weight
# is {glue:text}`scaled_max_weight_384:.0%`, as it is at every width.

# %% [markdown]
# ## Multi-head attention
#
# One attention step mixes the tokens in one way. **Multi-head attention** runs
# $h$ of them side by side, each on its own learned projections of the tokens
# $X$ (one row per token, width $d_\text{model}$), and joins the results:
#
# $$
# \text{head}_i = \operatorname{Attention}\!\left(X W^Q_i + b^Q_i,\; X W^K_i + b^K_i,\; X W^V_i + b^V_i\right),
# \qquad
# \operatorname{MultiHead}(X) = \sum_{i=1}^{h} \text{head}_i\, W^O_i + b^O .
# $$
#
# Each $W^Q_i$, $W^K_i$, $W^V_i$ is $d_\text{model} \times d_h$ and each $W^O_i$
# is $d_h \times d_\text{model}$; with $d_h = d_\text{model} / h$ the heads split
# the width between them, so adding heads adds no parameters. Summing
# $\text{head}_i W^O_i$ over the heads is the same as concatenating the heads
# and multiplying by one $d_\text{model} \times d_\text{model}$ matrix, the form
# of the original paper. One head can learn to match a word with the word
# before it, another a negation with what it negates. In NumPy, with the
# weights laid out as Keras lays them out (`einsum` does every head's product
# in one call):

# %%
print(inspect.getsource(att.multi_head_attention))

# %% [markdown]
# We give `keras.layers.MultiHeadAttention` the same random weights and compare
# the outputs and the attention weights of every head on a batch of random
# "token vectors":

# %%
d_model, heads = 16, 4
mha_weights = att.AttentionWeights.random(d_model, heads, d_model // heads, rng)
keras_mha = keras.layers.MultiHeadAttention(num_heads=heads, key_dim=d_model // heads)
keras_mha.build((None, None, d_model), (None, None, d_model))
keras_mha.set_weights(mha_weights.as_list())
x = rng.standard_normal((2, 5, d_model)).astype(np.float32)
ours, our_scores = att.multi_head_attention(x, x, mha_weights)
theirs, their_scores = keras_mha(x, x, return_attention_scores=True)
theirs, their_scores = keras.ops.convert_to_numpy(theirs), keras.ops.convert_to_numpy(their_scores)
np.testing.assert_allclose(ours, theirs, atol=1e-5)
np.testing.assert_allclose(our_scores, their_scores, atol=1e-6)
mha_parameters = 4 * (d_model * d_model + d_model)
assert keras_mha.count_params() == mha_parameters
glue("mha_difference", float(np.abs(ours - theirs).max()), display=False)
glue("mha_parameters", mha_parameters, display=False)
print(f"output {ours.shape}, attention weights {our_scores.shape} (batch, heads, queries, keys)")
print(f"largest difference from Keras: {np.abs(ours - theirs).max():.1e}")

# %% [markdown]
# The NumPy version and Keras agree to {glue:text}`mha_difference:.1e`
# (float32 rounding). The layer has $4(d_\text{model}^2 + d_\text{model}) =$
# {glue:text}`mha_parameters` parameters, whatever the number of heads: the four
# projections, each a $d_\text{model} \times d_\text{model}$ matrix and a bias.

# %% [markdown]
# ## Padding masks
#
# Texts in a batch have different lengths, so the shorter ones are
# {term}`padded <padding>` to the longest. Attention must never look at the
# padding ({term}`masking`): a **mask** marks the real keys, and a masked key gets the score
# $-\infty$, hence the weight $e^{-\infty} = 0$. The mask is the same for every
# query of a text, so it has shape (batch, 1, keys) and broadcasts:

# %%
lengths = np.array([5, 3, 2])
mask = att.key_padding_mask(lengths, 5)
print(mask[:, 0].astype(int))
batch = rng.standard_normal((3, 5, d_model)).astype(np.float32)
for row, length in enumerate(lengths):
    batch[row, length:] = 0.0  # the padding
padded_out, padded_weights = att.multi_head_attention(batch, batch, mha_weights, mask)
assert np.all(padded_weights[1, :, :, 3:] == 0) and np.all(padded_weights[2, :, :, 2:] == 0)
np.testing.assert_allclose(padded_weights.sum(axis=-1), 1.0, rtol=1e-6)

# %% [markdown]
# The padded keys get exactly weight 0, and every row of weights still sums to
# 1. The stronger claim is that **padding changes nothing a real token
# computes**: the second text alone, three tokens long, must give the same
# outputs as it does inside the padded batch, and so must Keras given the same
# mask. Without the mask it would not:

# %%
alone, _ = att.multi_head_attention(batch[1:2, :3], batch[1:2, :3], mha_weights)
np.testing.assert_allclose(padded_out[1, :3], alone[0], atol=1e-6)
keras_padded = keras.ops.convert_to_numpy(keras_mha(batch, batch, attention_mask=mask))
np.testing.assert_allclose(keras_padded, padded_out, atol=1e-5)
unmasked, _ = att.multi_head_attention(batch, batch, mha_weights)
padding_effect = float(np.abs(unmasked[1, :3] - alone[0]).max())
assert padding_effect > 0.01
glue("padding_alone_difference", float(np.abs(padded_out[1, :3] - alone[0]).max()), display=False)
glue("padding_effect_unmasked", padding_effect, display=False)

# %% [markdown]
# With the mask, the three real tokens of the padded text compute what they
# compute alone (largest difference {glue:text}`padding_alone_difference:.1e`);
# without it, the padding shifts their outputs by up to
# {glue:text}`padding_effect_unmasked:.2f`. This is what `mask_zero=True` did
# for chapter 8's LSTM, and what the `attention_mask` input of the pretrained
# encoder does.

# %% [markdown]
# ## Word order: attention alone is blind to it
#
# Nothing in the formula of attention refers to a position: a token's output
# depends on the *set* of tokens around it, not on their order. Shuffle the
# tokens and the outputs are shuffled the same way, nothing else. In symbols,
# for a permutation matrix $P$, $\operatorname{MultiHead}(PX) = P
# \operatorname{MultiHead}(X)$: self-attention is **permutation equivariant**.
# After averaging over the tokens, as a sentence classifier does, "not good, just
# bad" and "not bad, just good" would be the same input. We check the property:

# %%
tokens = rng.standard_normal((1, 6, d_model)).astype(np.float32)
order = rng.permutation(6)
plain_out, _ = att.multi_head_attention(tokens, tokens, mha_weights)
shuffled_out, _ = att.multi_head_attention(tokens[:, order], tokens[:, order], mha_weights)
np.testing.assert_allclose(shuffled_out, plain_out[:, order], atol=1e-5)
np.testing.assert_allclose(shuffled_out.mean(axis=1), plain_out.mean(axis=1), atol=1e-5)
print("order:", order, "-> the outputs are the same rows, shuffled the same way")

# %% [markdown]
# The fix is to add to each token's vector a vector that says **where** it is.
#
# - The original Transformer adds fixed **sinusoidal** encodings
#   {cite:p}`vaswani2017attention`: column pair $(2i, 2i+1)$ of position $t$ holds
#   $\sin(t / 10000^{2i/d})$ and $\cos(t / 10000^{2i/d})$, a clock turning at its
#   own speed for each pair, from fast (once every $2\pi$ positions) to very slow.
#   Every position gets a different pattern, and moving $k$ positions on rotates
#   each pair by the same angle wherever one starts, so "$k$ tokens later" looks
#   the same everywhere.
# - BERT {cite:p}`devlin2019bert`, and with it the all-MiniLM-L6-v2 encoder of the
#   next chapter, **learns** its position embeddings: a trainable table with one
#   vector per position (512 of them), added to the token's embedding exactly as
#   a word's vector is looked up. `helpers.encoder.BertEmbeddings` does this.

# %%
print(inspect.getsource(att.sinusoidal_positions))

# %%
positions = att.sinusoidal_positions(64, 32)
unit = positions / np.linalg.norm(positions, axis=1, keepdims=True)
similarity = unit @ unit.T
fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.4))
image = left.imshow(positions.T, aspect="auto", cmap="RdBu_r", vmin=-1, vmax=1)
left.set(xlabel="position $t$", ylabel="column of the encoding", title="sinusoidal encodings")
left.grid(False)
fig.colorbar(image, ax=left, fraction=0.05)
image = right.imshow(similarity, cmap="viridis")
right.set(xlabel="position", ylabel="position", title="cosine similarity of two positions")
right.grid(False)
fig.colorbar(image, ax=right, fraction=0.05)
glue("fig_positions", fig, display=False)
plt.close(fig)
neighbour = float(np.mean(np.diag(similarity, 1)))
far = float(np.mean(np.diag(similarity, 30)))
assert neighbour > far
glue("similarity_neighbour", neighbour, display=False)
glue("similarity_far", far, display=False)

# %% [markdown]
# ```{glue:figure} fig_positions
# :name: fig-attention-positions
#
# Left: the sinusoidal encodings of 64 positions, 32 columns each; the first
# columns change from one position to the next, the last ones hardly at all.
# Right: the cosine similarity between the encodings of two positions; it is
# highest near the diagonal.
# ```
#
# Neighbouring positions have similar encodings (cosine similarity
# {glue:text}`similarity_neighbour:.2f` on average) and positions 30 apart much
# less similar ones ({glue:text}`similarity_far:.2f`), which gives attention a
# way to prefer nearby words. With the encodings added, shuffling the tokens no
# longer just shuffles the outputs:

# %%
with_positions = tokens + att.sinusoidal_positions(6, d_model).astype(np.float32)
shuffled_with = tokens[:, order] + att.sinusoidal_positions(6, d_model).astype(np.float32)
out_with, _ = att.multi_head_attention(with_positions, with_positions, mha_weights)
out_shuffled, _ = att.multi_head_attention(shuffled_with, shuffled_with, mha_weights)
order_effect = float(np.abs(out_shuffled.mean(axis=1) - out_with.mean(axis=1)).max())
assert order_effect > 0.01
glue("order_effect", order_effect, display=False)

# %% [markdown]
# The mean over the tokens now differs by up to {glue:text}`order_effect:.2f`
# between the two orders: the model can tell them apart.

# %% [markdown]
# ## One encoder block
#
# A Transformer encoder is a stack of identical **blocks**. Each has two
# sub-layers, multi-head self-attention and a position-wise **feed-forward**
# network (two dense layers with a GELU between them
# {cite:p}`hendrycks2016gaussian`, applied to each token on its own). Each
# sub-layer adds its result to its input, a **residual connection**
# {cite:p}`he2016deep` that lets the gradient pass straight through a deep stack,
# and the sum is normalized by **layer normalization** {cite:p}`ba2016layer`,
# which rescales each token's vector to mean 0 and variance 1 and then applies a
# learned scale $\gamma$ and shift $\beta$. In BERT's arrangement (the
# normalization after the sum, "post-LN"):
#
# $$
# \begin{aligned}
# A &= \operatorname{LayerNorm}\big(X + \operatorname{MultiHead}(X)\big),\\
# \text{output} &= \operatorname{LayerNorm}\big(A + \operatorname{GELU}(A W_1 + b_1)\, W_2 + b_2\big),
# \end{aligned}
# $$
#
# with $W_1$ of shape $d \times f$ and $W_2$ of shape $f \times d$, where $f$,
# the feed-forward width, is usually $4d$. The output has the input's shape, so
# blocks stack. In NumPy:

# %%
for function in (att.layer_norm, att.gelu, att.encoder_block):
    print(inspect.getsource(function))

# %% [markdown]
# `helpers.encoder.TransformerBlock` is the same block written with Keras layers;
# the next chapter's encoder is six of them with the pretrained weights copied in.
# We build one at that encoder's size, read from its `config.json`, give it random
# weights (non-trivial layer-norm scales and biases too, so that a mix-up of any
# two arrays would show), and check that the NumPy block computes the same
# thing on a padded batch:

# %%
config = read_config(minilm_dir())
d, h, f = config["hidden_size"], config["num_attention_heads"], config["intermediate_size"]
eps = config["layer_norm_eps"]
block = TransformerBlock(d, h, f, layer_norm_eps=eps)
block.build((None, None, d))
block.set_weights(
    [
        (rng.standard_normal(w.shape) * 0.05 + (1.0 if "gamma" in w.path else 0.0)).astype(
            np.float32
        )
        for w in block.weights
    ]
)
block_weights = att.BlockWeights.from_list(block.get_weights())
block_lengths = np.array([12, 7])
block_x = rng.standard_normal((2, 12, d)).astype(np.float32)
real_tokens = (np.arange(12)[None, :] < block_lengths[:, None]).astype(np.int32)
keras_block_out = keras.ops.convert_to_numpy(block(block_x, real_tokens))
numpy_block_out, _ = att.encoder_block(
    block_x, block_weights, att.key_padding_mask(block_lengths, 12), eps
)
np.testing.assert_allclose(numpy_block_out, keras_block_out, atol=1e-4)
glue("block_difference", float(np.abs(numpy_block_out - keras_block_out).max()), display=False)
glue("minilm_hidden", d, display=False)
glue("minilm_heads", h, display=False)
glue("minilm_intermediate", f, display=False)
glue("minilm_layers", config["num_hidden_layers"], display=False)
print(
    f"d = {d}, heads = {h}, f = {f}: largest difference {np.abs(numpy_block_out - keras_block_out).max():.1e}"
)

# %% [markdown]
# At the encoder's size ($d =$ {glue:text}`minilm_hidden`,
# {glue:text}`minilm_heads` heads, $f =$ {glue:text}`minilm_intermediate`) the
# NumPy block and the Keras block agree to {glue:text}`block_difference:.1e`.
#
# ### What a block costs
#
# **Parameters.** The four attention projections have $4(d^2 + d)$, the two
# feed-forward layers $df + f + fd + d$, the two layer norms $2 \cdot 2d$.
# **Operations.** Per token, counting a multiply and an add as two operations
# (FLOPs): the four projections take $4 \cdot 2d^2$; scoring the token against
# all $n$ positions and averaging their values takes $2 \cdot 2nd$; the
# feed-forward layers take $2 \cdot 2df$. Softmax, GELU and layer norm add a few
# operations per number, under 1 % here, and are left out.
# `encoder_block_cost` computes both:

# %%
print(inspect.getsource(att.encoder_block_cost))

# %%
binary = sm.load_task("movie_binary")  # chapter 8's task (a), on the course's split
course_length = sm.choose_sequence_length(binary.train["text"])
cost_rows = {}
for n in (course_length, 128, 512):
    cost = att.encoder_block_cost(d, h, f, n)
    assert cost.parameters == block.count_params()  # the formula, checked against Keras
    cost_rows[n] = {**cost.flops_by_part, "total": cost.flops_per_token}
cost_table = pd.DataFrame(cost_rows).T.rename_axis("sequence length n")
block_parameters = att.encoder_block_cost(d, h, f, 1).parameters
crossover = 2 * d + f  # where 4nd = 8d^2 + 4df
at_crossover = att.encoder_block_cost(d, h, f, crossover).flops_by_part
assert at_crossover["attention"] == at_crossover["projections"] + at_crossover["feed_forward"]
glue("block_parameters", block_parameters, display=False)
glue("course_length", int(course_length), display=False)
glue("block_mflops_short", cost_rows[course_length]["total"] / 1e6, display=False)
glue(
    "attention_share_short",
    cost_rows[course_length]["attention"] / cost_rows[course_length]["total"],
    display=False,
)
glue("attention_share_512", cost_rows[512]["attention"] / cost_rows[512]["total"], display=False)
glue("crossover_length", crossover, display=False)
(cost_table / 1e6).round(3).rename(columns=lambda c: f"{c} (MFLOPs per token)")

# %% [markdown]
# One block has {glue:text}`block_parameters:,` parameters, as Keras's
# `count_params()` confirms, and costs about
# {glue:text}`block_mflops_short:.1f` million operations per token on a text of
# {glue:text}`course_length` tokens (the 99th percentile of the movie snippets
# in chapter 8's tokens). Only the attention term grows with the length $n$:
# for our short snippets it is {glue:text}`attention_share_short:.1%` of the
# block's work, at 512 tokens {glue:text}`attention_share_512:.0%`, and it
# equals everything else at $n = 2d + f =$ {glue:text}`crossover_length:,`
# tokens. Per *text*, that term is $4n^2d$, quadratic in the length: this is
# why long documents are expensive for Transformers, and why snippets are cheap.
#
# The whole pretrained encoder is a table of word vectors, a table of position
# vectors, a small token-type table and a layer norm, then
# {glue:text}`minilm_layers` such blocks. Counting by formula and comparing with
# the Keras model `helpers.encoder.build_encoder` makes from the same
# `config.json` (fresh weights; the next chapter loads the real ones):

# %%
V, P, T = config["vocab_size"], config["max_position_embeddings"], config["type_vocab_size"]
embedding_parameters = V * d + P * d + T * d + 2 * d
encoder_parameters = embedding_parameters + config["num_hidden_layers"] * block_parameters
minilm = build_encoder(config)
assert minilm.count_params() == encoder_parameters
glue("minilm_parameters", encoder_parameters, display=False)
glue("minilm_word_share", V * d / encoder_parameters, display=False)
glue("minilm_vocabulary", V, display=False)
del minilm
pd.Series(
    {
        "word vectors (V d)": V * d,
        "position vectors (P d)": P * d,
        "token types and layer norm": T * d + 2 * d,
        f"{config['num_hidden_layers']} blocks": config["num_hidden_layers"] * block_parameters,
        "total": encoder_parameters,
    },
    name="parameters",
).to_frame()

# %% [markdown]
# {glue:text}`minilm_parameters:,` parameters, of which
# {glue:text}`minilm_word_share:.0%` are the vectors of its
# {glue:text}`minilm_vocabulary:,` word pieces.

# %% [markdown]
# ## A small Transformer on the course's task
#
# Now the real test. `sm.build_model` knows a fourth kind of network,
# `kind="transformer"`: a small BERT on chapter 8's tokens. Token indices go
# through `BertEmbeddings` (word vector + learned position vector, then layer
# norm), one `TransformerBlock` that never attends to padding, a masked mean
# over the tokens (`MeanPooling`, as the pretrained encoder's sentence vectors
# are made), and the same output layer as the LSTM. Everything else is chapter
# 8's recipe: the same vocabulary and sequence length, width 32 like the LSTM's
# embedding, Adam, batches of 128, at most four epochs with early stopping on
# the validation loss, the same three seeds. The block gets 2 heads, a
# feed-forward width of 64 and BERT's dropout of 0.1.

# %%
TRANSFORMER = sm.ModelConfig(
    kind="transformer", embedding_dim=32, units=64, num_heads=2, num_blocks=1, dropout=0.1
)
encoded = sm.encoded_task(binary, TRANSFORMER)
vocabulary_size, sequence_length = encoded["vocabulary_size"], encoded["sequence_length"]
small = sm.build_model(
    TRANSFORMER, vocabulary_size=vocabulary_size, sequence_length=sequence_length, n_classes=2
)
small.summary()

# %% [markdown]
# Its parameters, by the formulas of this chapter:

# %%
dt, ft = TRANSFORMER.embedding_dim, TRANSFORMER.units
small_parts = {
    "word vectors": vocabulary_size * dt,
    "position vectors": sequence_length * dt,
    "token type and layer norm": dt + 2 * dt,
    "encoder block": att.encoder_block_cost(
        dt, TRANSFORMER.num_heads, ft, sequence_length
    ).parameters,
    "output layer": dt + 1,
}
assert sm.count_parameters(small) == sum(small_parts.values())
small_parameters = sum(small_parts.values())
glue("small_parameters", small_parameters, display=False)
glue("small_word_share", small_parts["word vectors"] / small_parameters, display=False)
glue("small_block_parameters", small_parts["encoder block"], display=False)
pd.Series(small_parts, name="parameters").to_frame()

# %% [markdown]
# {glue:text}`small_parameters:,` parameters, {glue:text}`small_word_share:.0%`
# of them in the word vectors; the attention block itself has only
# {glue:text}`small_block_parameters:,`.
#
# We train it through the same `sm.run_neural` as chapter 8's networks, so the
# runs land in the same results cache (`save_models=True` keeps the trained
# models, for the look at attention below). The comparison rows come from
# `sm.run_comparison`, the call chapter 8 made: its results are read from the
# cache, not trained again.

# %% tags=["remove-stderr"]
transformer_runs = sm.run_neural(binary, TRANSFORMER, save_models=True)
results = sm.run_comparison(binary)
names = {**sm.METHOD_NAMES, "transformer": "Transformer (1 block, from scratch)"}
shown = ["majority", "vader", "tfidf_logreg", "bag", "lstm", "bilstm"]
table = sm.summary_table(
    [r for r in results if r.method in shown] + transformer_runs, binary, names
)
table[["runs", "accuracy", "accuracy_std", "macro_f1", "train_seconds", "parameters"]].round(3)

# %%
acc = table["accuracy"]
transformer_name, lstm_name = names["transformer"], names["lstm"]
tfidf_name, bag_name = names["tfidf_logreg"], names["bag"]
gap_tfidf = float(acc[tfidf_name] - acc[transformer_name])
gap_lstm = float(acc[lstm_name] - acc[transformer_name])
glue("transformer_acc", float(acc[transformer_name]), display=False)
glue("transformer_acc_std", float(table.loc[transformer_name, "accuracy_std"]), display=False)
glue("lstm_acc", float(acc[lstm_name]), display=False)
glue("tfidf_acc", float(acc[tfidf_name]), display=False)
glue("bag_acc", float(acc[bag_name]), display=False)
glue("transformer_gap_tfidf_points", 100 * gap_tfidf, display=False)
glue("transformer_gap_lstm_points", 100 * gap_lstm, display=False)
glue("headline_metrics", ["transformer_acc", "transformer_gap_tfidf_points"], display=False)
# The ordering the text states, checked on the measured numbers (mean over the seeds):
# TF-IDF + LR is ahead of the Transformer by more than the seeds' spread, and the
# Transformer does not beat the LSTM, nor the bag of embeddings.
assert gap_tfidf > 2 * table.loc[transformer_name, "accuracy_std"]
assert acc[transformer_name] <= acc[lstm_name] + 0.005
assert acc[transformer_name] > acc[names["vader"]]
assert acc[bag_name] > acc[transformer_name]  # even the order-blind bag does better

# %% [markdown]
# On the test snippets the Transformer reaches {glue:text}`transformer_acc:.3f`
# ± {glue:text}`transformer_acc_std:.3f` (mean ± standard deviation over the
# three seeds): {glue:text}`transformer_gap_tfidf_points:.1f` points below the
# tuned TF-IDF + logistic regression ({glue:text}`tfidf_acc:.3f`) and
# {glue:text}`transformer_gap_lstm_points:.1f` points below the LSTM
# ({glue:text}`lstm_acc:.3f`); even the bag of embeddings, which ignores word
# order, does better ({glue:text}`bag_acc:.3f`). The architecture behind
# today's language models does not win here. (The training times are wall
# clock, measured when each run was computed, on a machine that may have been
# busy.) Why not?

# %% [markdown]
# ### Why it does not win
#
# Two measurements: how many parameters the network has per labelled example,
# and how often the words and positions it must learn a vector for occur in
# the training snippets (a vector only moves when its word, or its position,
# occurs in a training batch).

# %%
train_texts = binary.train["text"]
frequencies = sm.token_frequencies(train_texts)
in_vocabulary = frequencies[frequencies >= TRANSFORMER.vocabulary_min_count]
assert len(in_vocabulary) == vocabulary_size - 2  # the words the vectorizer keeps
rare_share = float((in_vocabulary < 5).mean())
counts = sm.token_counts(train_texts)
late_position = 30
late_share = float(np.mean(counts > late_position))
train_tokens = int(counts.sum())
glue("binary_train_rows", len(binary.train), display=False)
glue("parameters_per_snippet", small_parameters / len(binary.train), display=False)
glue("rare_word_share", rare_share, display=False)
glue("late_position", late_position, display=False)
glue("late_share", late_share, display=False)
glue("late_snippets", int(np.sum(counts > late_position)), display=False)
glue("train_tokens", train_tokens, display=False)
glue("bert_pretraining_ratio", 3.3e9 / train_tokens, display=False)
assert rare_share > 0.5 and late_share < 0.15
pd.Series(
    {
        "training snippets": len(binary.train),
        "training tokens": train_tokens,
        "vocabulary entries": vocabulary_size,
        "entries seen fewer than 5 times": int((in_vocabulary < 5).sum()),
        f"snippets longer than {late_position} tokens": int(np.sum(counts > late_position)),
    },
    name="count",
).to_frame()

# %% [markdown]
# **Too many parameters for the data.** The network has
# {glue:text}`small_parameters:,` parameters and sees
# {glue:text}`binary_train_rows:,` training snippets, about
# {glue:text}`parameters_per_snippet:.0f` parameters per labelled example, most
# of them word vectors. {glue:text}`rare_word_share:.0%` of the words in the
# vocabulary occur fewer than five times in the training snippets: their vectors
# are barely trained, and a word that appears only in test snippets has no
# vector of its own. The position table has the same problem: positions
# {glue:text}`late_position` and beyond (counting from 0) occur in only
# {glue:text}`late_snippets` training snippets ({glue:text}`late_share:.1%`), so
# the network learns what they mean from a few hundred examples.
#
# **No head start on language.** The LSTM reads left to right, so it "knows"
# that neighbouring words belong together before it sees any data; TF-IDF's word
# pairs know it too. Self-attention knows nothing of the kind: it must learn from
# {glue:text}`train_tokens:,` training tokens which words to relate and what
# positions mean. BERT learned those things on about 3.3 billion words of books
# and Wikipedia, its {term}`pre-training`, before it saw any labelled example
# {cite:p}`devlin2019bert`, some
# {glue:text}`bert_pretraining_ratio:,.0f` times our training tokens. A
# Transformer's strength is what it can absorb from very much text; trained on
# ten thousand snippets, a linear model over word pairs gets more out of the
# same labels, as chapter 8 found for the LSTM, and as
# {cite:t}`kim2014convolutional` found on these very sentences for a network
# without pretrained word vectors.

# %% [markdown]
# ### What the trained model attends to
#
# The trained network's attention can be read off. We load the run that the
# course's rule picks (best **validation** accuracy, `sm.chosen_run`), take a
# validation snippet with a "but" in it, compute the embedding layer's output,
# and run our NumPy `multi_head_attention` with the trained weights of the
# block's attention layer. As a last check of the chapter's code, the weights
# must equal the ones Keras computes:

# %% tags=["remove-stderr"]
chosen = sm.chosen_run(transformer_runs)
text_model = keras.saving.load_model(sm.cached_model_path(chosen))
token_model = text_model.get_layer("transformer")
vectorizer = text_model.get_layer("vectorizer")
vocabulary = vectorizer.get_vocabulary()
lengths_val = sm.token_counts(binary.validation["text"])
candidates = binary.validation[
    binary.validation["text"].str.contains(" but ") & (lengths_val >= 8) & (lengths_val <= 14)
]
snippet = candidates.iloc[0]
ids = vectorizer(tf.constant([snippet["text"]])).numpy()
n_real = int((ids[0] != 0).sum())
embedded = keras.ops.convert_to_numpy(token_model.get_layer("embedding")(ids, training=False))
trained_attention = token_model.get_layer("block_0").attention
trained_weights = att.AttentionWeights(*trained_attention.get_weights())
real_mask = att.key_padding_mask([n_real], ids.shape[1])
_, attention = att.multi_head_attention(embedded, embedded, trained_weights, real_mask)
_, keras_attention = trained_attention(
    embedded, embedded, attention_mask=real_mask, return_attention_scores=True
)
np.testing.assert_allclose(attention, keras.ops.convert_to_numpy(keras_attention), atol=1e-5)
words = [str(vocabulary[i]) for i in ids[0, :n_real]]
attention = attention[0, :, :n_real, :n_real]
received = attention.mean(axis=(0, 1))  # how much attention each token gets, on average
probability = float(text_model.predict(tf.constant([snippet["text"]]), verbose=0)[0, 0])
glue("snippet_label", snippet["label"], display=False)
glue("snippet_p_positive", probability, display=False)
right = (probability > 0.5) == (snippet["label"] == "positive")
glue("snippet_verdict", "right" if right else "wrong", display=False)
glue("most_attended_word", str(words[int(received.argmax())]), display=False)
glue("most_attended_share", float(received.max()), display=False)
glue("uniform_share", 1 / n_real, display=False)
print(snippet["text"])

fig, axes = plt.subplots(1, attention.shape[0], figsize=(4.2 * attention.shape[0], 4.0))
for head, ax in enumerate(np.atleast_1d(axes)):
    image = ax.imshow(attention[head], cmap="magma", vmin=0, vmax=attention.max())
    ax.set_xticks(range(n_real), words, rotation=90)
    ax.set_yticks(range(n_real), words)
    ax.set(title=f"head {head + 1}", xlabel="key (attended to)", ylabel="query")
    ax.grid(False)
fig.colorbar(image, ax=axes, fraction=0.03)
glue("fig_attention_map", fig, display=False)
plt.close(fig)

# %% [markdown]
# ```{glue:figure} fig_attention_map
# :name: fig-attention-map
#
# Attention weights of the trained Transformer's two heads on a validation
# snippet (printed above). Row: the token that asks (query); column: the token
# it takes in (key); each row sums to 1.
# ```
#
# Averaged over both heads and all queries, the token that receives the most
# attention is "{glue:text}`most_attended_word`", with
# {glue:text}`most_attended_share:.0%` of the weight (an even spread would give
# each token {glue:text}`uniform_share:.0%`). The snippet is labelled
# {glue:text}`snippet_label`; the model gives it a probability of
# {glue:text}`snippet_p_positive:.2f` of being positive, so it gets this one
# {glue:text}`snippet_verdict`. Such maps are suggestive, not explanations: what
# a weight means depends on the value vectors it mixes and on everything the
# network computes after the attention layer.

# %% [markdown]
# ## Summary
#
# - **Attention** answers each query with a weighted average of the values, the
#   weights a softmax of scaled dot products with the keys. Dividing by
#   $\sqrt d$ keeps the softmax from collapsing onto one key
#   ({glue:text}`unscaled_max_weight_384:.0%` of the weight at $d = 384$
#   without it).
# - **Multi-head attention** runs several attentions on their own projections;
#   our NumPy version equals `keras.layers.MultiHeadAttention` with the same
#   weights, and has $4(d^2 + d)$ parameters for any number of heads.
# - **Padding masks** give padded keys weight 0, so a text's real tokens compute
#   the same with or without padding.
# - **Attention is blind to order** (permutation equivariant); sinusoidal or
#   learned **position embeddings** restore it.
# - **An encoder block** is attention and a feed-forward layer, each with a
#   residual connection and layer norm; at the pretrained encoder's size it has
#   {glue:text}`block_parameters:,` parameters and its cost per token grows with
#   the text's length only through the attention term.
# - **Trained from scratch** on {glue:text}`binary_train_rows:,` movie snippets,
#   a small Transformer reaches {glue:text}`transformer_acc:.3f`, below the LSTM
#   ({glue:text}`lstm_acc:.3f`) and TF-IDF + logistic regression
#   ({glue:text}`tfidf_acc:.3f`): too many parameters for the labels, and no
#   knowledge of language to start from. The next chapter starts from a
#   Transformer that has that knowledge.

# %% [markdown]
# ## Exercises
#
# ```{exercise}
# :label: ch08a-ex1
#
# A language model that writes text must not let a token look at the tokens
# after it. Build a **causal mask** (query $t$ may attend to keys $0 \dots t$)
# for 6 tokens, and check with `att.multi_head_attention` that changing the last
# token changes no output before it. Compare with Keras's
# `MultiHeadAttention(..., use_causal_mask=True)`.
# ```
#
# ```{exercise}
# :label: ch08a-ex2
#
# The small Transformer above has 2 heads. How many parameters would it have with
# 4 heads, or 8? Answer first, then check with `sm.build_model`.
# ```
#
# ```{exercise}
# :label: ch08a-ex3
#
# Without position embeddings, a block followed by a mean over the tokens gives
# the same sentence vector for every order of the words. Check this with
# `att.encoder_block` and the random block weights of this chapter. Which model
# of chapter 8 computes a function with the same blindness?
# ```
#
# ```{exercise}
# :label: ch08a-ex4
#
# For the pretrained encoder's block, what share of the FLOPs per token is the
# attention term for a 20-token snippet, and how many FLOPs does running the
# whole six-block encoder on one such snippet take?
# ```

# %% [markdown]
# ```{solution-start} ch08a-ex1
# :class: dropdown
# ```

# %%
causal = np.tril(np.ones((6, 6), dtype=bool))[None]  # (1, queries, keys)
sequence = rng.standard_normal((1, 6, d_model)).astype(np.float32)
changed = sequence.copy()
changed[0, -1] += 5.0  # a different last token
causal_out, causal_weights = att.multi_head_attention(sequence, sequence, mha_weights, causal)
changed_out, _ = att.multi_head_attention(changed, changed, mha_weights, causal)
np.testing.assert_allclose(changed_out[0, :-1], causal_out[0, :-1], atol=1e-6)
assert np.all(causal_weights[0, :, 0, 1:] == 0)  # the first token sees only itself
keras_causal = keras_mha(sequence, sequence, use_causal_mask=True)
np.testing.assert_allclose(causal_out, keras.ops.convert_to_numpy(keras_causal), atol=1e-5)
print(causal[0].astype(int))

# %% [markdown]
# The mask is the lower triangle: row $t$ allows the keys $0 \dots t$. The first
# five outputs do not move when the last token changes, and Keras's
# `use_causal_mask=True` builds the same mask.
#
# ```{solution-end}
# ```

# %% [markdown]
# ```{solution-start} ch08a-ex2
# :class: dropdown
# ```
#
# The same number: the heads split the width $d$ between them ($d_h = d / h$),
# so the projections stay $d \times d$ in total whatever $h$ is.

# %%
by_heads = {
    n_heads: sm.count_parameters(
        sm.build_model(
            sm.with_config(TRANSFORMER, num_heads=n_heads),
            vocabulary_size=vocabulary_size,
            sequence_length=sequence_length,
            n_classes=2,
        )
    )
    for n_heads in (2, 4, 8)
}
assert set(by_heads.values()) == {small_parameters}
by_heads

# %% [markdown]
# ```{solution-end}
# ```
#
# ```{solution-start} ch08a-ex3
# :class: dropdown
# ```

# %%
small_block = att.BlockWeights(
    attention=mha_weights,
    attention_norm=(np.ones(d_model), np.zeros(d_model)),
    intermediate=(rng.standard_normal((d_model, 32)) * 0.2, np.zeros(32)),
    output=(rng.standard_normal((32, d_model)) * 0.2, np.zeros(d_model)),
    output_norm=(np.ones(d_model), np.zeros(d_model)),
)
sentence = rng.standard_normal((1, 7, d_model)).astype(np.float32)
shuffle = rng.permutation(7)
pooled, _ = att.encoder_block(sentence, small_block)
pooled_shuffled, _ = att.encoder_block(sentence[:, shuffle], small_block)
np.testing.assert_allclose(pooled.mean(axis=1), pooled_shuffled.mean(axis=1), atol=1e-5)
float(np.abs(pooled.mean(axis=1) - pooled_shuffled.mean(axis=1)).max())

# %% [markdown]
# The sentence vectors agree to float32 rounding. Chapter 8's **bag of
# embeddings** has the same blindness: it averages the word vectors, so it too
# sees a set of words, not a sequence. The block makes each word's vector depend
# on the other words (a richer set function), but without positions it still
# cannot tell "not good, just bad" from "not bad, just good".
#
# ```{solution-end}
# ```

# %% [markdown]
# ```{solution-start} ch08a-ex4
# :class: dropdown
# ```

# %%
snippet_cost = att.encoder_block_cost(d, h, f, 20)
share = snippet_cost.flops_by_part["attention"] / snippet_cost.flops_per_token
whole = config["num_hidden_layers"] * snippet_cost.flops_per_token * 20
assert share < 0.02
glue("ex4_share", share, display=False)
glue("ex4_mflops", whole / 1e6, display=False)
round(share, 4), f"{whole / 1e6:.0f} MFLOPs"

# %% [markdown]
# The attention term is {glue:text}`ex4_share:.1%` of a block's work at 20
# tokens; the six blocks take about {glue:text}`ex4_mflops:,.0f` million
# operations for the snippet (the embedding lookups cost next to nothing). For
# short texts a Transformer's cost is its dense layers, as for any network of
# its size.
#
# ```{solution-end}
# ```
