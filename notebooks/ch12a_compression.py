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
# # More efficient models
#
# A trained model must fit in memory and answer fast enough, on a server, a phone
# or a laptop like the one this book runs on. This section of chapter 12 says
# what it costs to hold a model's weights, how trained models are shrunk, and then
# shrinks the course's own sentiment model, the LSTM of chapter 8, and measures
# what that costs. (It loads chapter 8's trained model from its results cache; if
# this section runs first, chapter 8's code trains the model, which takes a few
# minutes.)

# %% [markdown]
# ## Setup

# %% tags=["remove-stderr"]
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import io
import time
import zipfile
from pathlib import Path

import h5py
import keras
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import tensorflow as tf
from myst_nb import glue
from sklearn.metrics import f1_score

from helpers import sentiment_models as sm
from helpers.paths import model_dir
from helpers.plotting import use_course_style
from helpers.repro import set_seed
from helpers.sentiment import default_model_path, load_model, predict, save_course_model

set_seed()
use_course_style()

# %% [markdown]
# ## Memory for the weights
#
# The memory needed just to hold the weights is the number of parameters times the
# bytes per parameter. For two models whose sizes chapter 1 quoted, BERT-large
# {cite}`devlin2019bert` and GPT-3 {cite}`brown2020language`:

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
# ## Compression, measured
#
# Now we shrink the course's own sentiment model: the three-class LSTM of
# chapter 8, the model behind `helpers.sentiment`. We measure three things before
# and after: the size of the saved file, the time it takes to score texts on
# this CPU, and accuracy and macro-F1 on the test split of chapter 8's
# three-class task, which nothing in this section was tuned on.
#
# The model is the file chapter 8 saved (`helpers.sentiment.default_model_path()`),
# and `sm.course_model_run` names its run: of chapter 8's cached LSTM runs, the
# seed with the best validation accuracy (if this section runs before chapter 8,
# it trains them with chapter 8's code and saves the model itself).

# %% tags=["remove-stderr"]
three = sm.load_task(sm.COURSE_TASK)
chosen = sm.course_model_run(three)  # the run chapter 8 saved (trained now if it is missing)
lstm_runs = sm.cached_runs(three, sm.COURSE_CONFIG)  # all its seeds, for their spread
model_path = default_model_path()  # the file chapter 8 saved
if not model_path.is_file():
    save_course_model(chosen)
test_texts = three.test["text"].tolist()
test_truth = three.test["label"].to_numpy()
glue("compress_seed", int(chosen.seed), display=False)
glue("compress_test_rows", len(test_texts), display=False)
f"{model_path.name}: {model_path.stat().st_size:,} bytes; {len(test_texts):,} test snippets"

# %% [markdown]
# This is the run with seed {glue:text}`compress_seed`, and its test split has
# {glue:text}`compress_test_rows:,` snippets.
#
# **What is in the file?** A `.keras` file is a zip archive. It holds the model's
# configuration, its weights in an HDF5 file, and here the tokenizer's vocabulary as
# text. We open the archive and count the bytes of each part:


# %%
def array_bytes(weights_file: bytes) -> dict[str, int]:
    """Bytes of every array in an HDF5 weights file, by the array's path."""
    sizes = {}

    def record(name: str, item: object) -> None:
        if isinstance(item, h5py.Dataset):
            sizes[name] = item.nbytes

    with h5py.File(io.BytesIO(weights_file), "r") as weights:
        weights.visititems(record)
    return sizes


def bytes_by_part(path: Path) -> dict[str, int]:
    """Bytes of a .keras file by what they store; the parts add up to the file size."""
    parts = dict.fromkeys(
        ["optimizer state", "embedding", "LSTM", "output layer", "vocabulary (text)"], 0
    )
    with zipfile.ZipFile(path) as archive:
        for member in archive.infolist():
            if member.filename.endswith("vocabulary.txt"):
                parts["vocabulary (text)"] += member.file_size
            elif member.filename == "model.weights.h5":
                for name, size in array_bytes(archive.read(member)).items():
                    if "/optimizer/" in name:
                        parts["optimizer state"] += size
                    elif "/embedding/" in name:
                        parts["embedding"] += size
                    elif "/lstm/" in name:
                        parts["LSTM"] += size
                    elif "/dense/" in name:
                        parts["output layer"] += size
                    else:
                        raise ValueError(f"unexpected array {name} in {path.name}")
    parts["other (configuration, file structure)"] = path.stat().st_size - sum(parts.values())
    assert parts["other (configuration, file structure)"] >= 0
    return parts


chapter8_model = load_model(model_path)
token_model = next(layer for layer in chapter8_model.layers if isinstance(layer, keras.Model))
vectorizer = chapter8_model.get_layer("vectorizer")
n_weights = {
    layer.name: int(sum(np.prod(w.shape) for w in layer.weights))
    for layer in token_model.layers
    if layer.weights
}
chapter8_parts = pd.Series(bytes_by_part(model_path), name="bytes")
# Adam keeps two float32 numbers per weight, plus a step counter (8 bytes) and the
# learning rate (4 bytes):
assert chapter8_parts["optimizer state"] == 2 * 4 * sum(n_weights.values()) + 8 + 4
with zipfile.ZipFile(model_path) as archive:
    vocabulary_files = [name for name in archive.namelist() if name.endswith("vocabulary.txt")]
assert len(vocabulary_files) == 2  # TextVectorization and its inner StringLookup
glue("n_model_weights", sum(n_weights.values()), display=False)
glue("n_lstm_weights", n_weights["lstm"], display=False)
output_name = next(la.name for la in token_model.layers if isinstance(la, keras.layers.Dense))
glue("n_output_weights", n_weights[output_name], display=False)
glue("embedding_dim", int(token_model.get_layer("embedding").output_dim), display=False)
glue("n_vocabulary", int(vectorizer.vocabulary_size()), display=False)
glue("embedding_weight_share", n_weights["embedding"] / sum(n_weights.values()), display=False)
glue("ch8_file_mb", model_path.stat().st_size / 1e6, display=False)
glue(
    "optimizer_file_share",
    float(chapter8_parts["optimizer state"] / chapter8_parts.sum()),
    display=False,
)
chapter8_parts.to_frame().assign(share=lambda t: t["bytes"] / t["bytes"].sum()).style.format(
    {"bytes": "{:,.0f}", "share": "{:.1%}"}
)

# %% [markdown]
# Chapter 8's file is {glue:text}`ch8_file_mb:.1f` MB, and
# {glue:text}`optimizer_file_share:.0%` of it is not needed to make predictions:
# it is the state of the Adam optimizer, kept so that training could resume. Adam
# keeps two running averages for each of the {glue:text}`n_model_weights:,`
# weights, and the assertion checks exactly that byte count. The embedding table,
# one {glue:text}`embedding_dim`-number vector for each of the {glue:text}`n_vocabulary:,` vocabulary
# entries, holds {glue:text}`embedding_weight_share:.1%` of the weights; the LSTM
# has only {glue:text}`n_lstm_weights:,`. So the embedding is where shrinking
# pays. The vocabulary is stored as text, twice: once by the TextVectorization
# layer and once by the lookup layer inside it.
#
# **Three smaller versions.** Each is a copy of the same trained network:
#
# 1. **float32, inference only**: the same weights in a fresh, uncompiled copy of
#    the network, which has no optimizer state to save;
# 2. **int8**: Keras's post-training quantization, `model.quantize("int8")`,
#    applied to the Embedding and Dense layers. Each row of the embedding table
#    gets its own scale $s = 127 / \max_j |w_j|$. Each weight is stored as the 8-bit
#    integer $q = \mathrm{round}(s\,w)$, which lies in $[-127, 127]$, and the
#    embedding hands the LSTM the floats $q / s$. The Dense output layer goes
#    further: its weights get one scale per output unit, and at run time it also
#    quantizes its input, each row of activations with its own scale computed on
#    the fly, and multiplies 8-bit integers. Keras has no quantized LSTM, so the
#    LSTM stays float32;
# 3. **int4**: 4-bit integers, two to a byte, in both layers. Keras's int4 mode
#    stores a scale and a zero point for each group of up to
#    {glue:text}`int4_block_size` weights (here a whole row of the embedding table,
#    a whole column of the output layer), and both layers turn the integers back
#    into floats before computing.
#
# So the embedding, in both modes, and the int4 output layer are quantized
# *weight-only*; the int8 output layer quantizes weights and activations
# (*dynamic* quantization). None of it needs retraining or calibration data. The
# cell after next checks which layer quantizes what.


# %% tags=["remove-stderr"]
def inference_model(mode: str | None = None) -> keras.Model:
    """A copy of chapter 8's model without optimizer state; ``mode`` ("int8" or
    "int4") quantizes its Embedding and Dense layers, the LSTM stays float32."""
    network = keras.Model.from_config(token_model.get_config())  # uncompiled
    network.set_weights(token_model.get_weights())
    if mode is not None:
        network.quantize(
            mode,
            filters=lambda layer: isinstance(layer, keras.layers.Embedding | keras.layers.Dense),
        )
    return sm.export_text_model(vectorizer, network)


workdir = model_dir() / "compressed"  # in build/ (git-ignored); rewritten on every run
workdir.mkdir(parents=True, exist_ok=True)
reference = "chapter 8 file (float32 + Adam state)"
variant_paths = {reference: model_path}
for label, mode in [
    ("float32, inference only", None),
    ("int8", "int8"),
    ("int4", "int4"),
]:
    variant_paths[label] = workdir / f"{mode or 'float32'}.keras"
    inference_model(mode).save(variant_paths[label])
sizes = pd.DataFrame({label: bytes_by_part(path) for label, path in variant_paths.items()}).T
(sizes / 1e6).style.format("{:.3f}").set_caption("Megabytes of each part of each file")

# %% [markdown]
# We check what each mode quantizes, and the int8 rule in NumPy against the
# integers Keras stored:

# %%
int8_network = inference_model("int8").get_layer(token_model.name)
int4_network = inference_model("int4").get_layer(token_model.name)
# Only the int8 Dense layer quantizes its input (activations) at run time; the
# embeddings, and the int4 Dense layer, store integers and compute with floats.
assert int8_network.get_layer(output_name).inputs_quantizer is not None
assert int4_network.get_layer(output_name).inputs_quantizer is None
assert not hasattr(int8_network.get_layer("embedding"), "inputs_quantizer")
int4_embedding = int4_network.get_layer("embedding")
assert "embeddings_zero" in [w.name for w in int4_embedding.weights]  # scale and zero point
glue("int4_block_size", int(int4_embedding.dtype_policy.block_size), display=False)
# One group per row of the embedding table and per column of the output layer:
assert tuple(int4_embedding.embeddings_scale.shape) == (int4_embedding.input_dim, 1)
assert tuple(int4_network.get_layer(output_name).kernel_scale.shape) == (1, len(three.labels))
float_table = token_model.get_layer("embedding").get_weights()[0]
int8_table, int8_scale = (w.numpy() for w in int8_network.get_layer("embedding").weights)
scale = 127 / (np.abs(float_table).max(axis=1) + keras.config.epsilon())
by_hand = np.clip(np.round(float_table * scale[:, None]), -127, 127).astype(np.int8)
np.testing.assert_allclose(int8_scale, scale, rtol=1e-6)
assert np.array_equal(by_hand, int8_table)
rounding_error = np.abs(float_table - int8_table / int8_scale[:, None])
assert np.all(rounding_error <= 0.5 / int8_scale[:, None] + 1e-6)
glue(
    "int8_relative_error",
    float(rounding_error.mean() / np.abs(float_table).mean()),
    display=False,
)
f"mean rounding error {rounding_error.mean():.2e}; mean |weight| {np.abs(float_table).mean():.2e}"

# %% [markdown]
# NumPy reproduces every stored integer, and every weight is within half a step
# ($0.5/s$) of its stored value. On average the rounding error is
# {glue:text}`int8_relative_error:.2%` of a weight's size.
#
# **The measurements.** For each version we record its size on disk; its test
# accuracy and macro-F1; how often it predicts the same label as the original
# model; and its latency. Latency is the median of several timed calls of
# `predict_on_batch`, made after one warm-up call, for a batch of
# {glue:text}`batch_size` texts and
# for a single text. The timings come from this run on this machine, which may
# be busy with other work; run the cell again and they will move.


# %% tags=["remove-stderr"]
def median_ms(function, runs: int = 7) -> float:
    """Median wall time of ``function()`` in milliseconds, after one warm-up call."""
    function()  # the first call traces the computation graph
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return 1000 * float(np.median(times))


batch_size = 256
glue("batch_size", batch_size, display=False)
batch = tf.constant(test_texts[:batch_size])
single = tf.constant(test_texts[:1])
rows, probabilities = {}, {}
for label, path in variant_paths.items():
    model = load_model(path)
    probabilities[label] = model.predict(tf.constant(test_texts), batch_size=1024, verbose=0)
    predicted = np.asarray(three.labels)[probabilities[label].argmax(axis=1)]
    rows[label] = {
        "size (MB)": path.stat().st_size / 1e6,
        "test accuracy": float(np.mean(predicted == test_truth)),
        "macro F1": float(
            f1_score(test_truth, predicted, labels=list(three.labels), average="macro")
        ),
        f"ms per {batch_size} texts": median_ms(lambda m=model: m.predict_on_batch(batch)),
        "ms per text": median_ms(lambda m=model: m.predict_on_batch(single), runs=15),
    }
compression = pd.DataFrame(rows).T
# The file of chapter 8 reproduces chapter 8's cached test predictions, and the
# inference-only version computes the same function:
np.testing.assert_allclose(probabilities[reference], np.asarray(chosen.test_proba), atol=1e-5)
np.testing.assert_allclose(
    probabilities["float32, inference only"], probabilities[reference], atol=1e-6
)
same_label = {
    label: float(np.mean(p.argmax(axis=1) == probabilities[reference].argmax(axis=1)))
    for label, p in probabilities.items()
}
compression["same label as original"] = pd.Series(same_label)
compression.style.format(
    {
        "size (MB)": "{:.2f}",
        "test accuracy": "{:.3f}",
        "macro F1": "{:.3f}",
        f"ms per {batch_size} texts": "{:.1f}",
        "ms per text": "{:.1f}",
        "same label as original": "{:.2%}",
    }
)

# %%
original, inference_only = compression.loc[reference], compression.loc["float32, inference only"]
for short, label in [("int8", "int8"), ("int4", "int4")]:
    row = compression.loc[label]
    glue(f"{short}_mb", float(row["size (MB)"]), display=False)
    glue(f"{short}_vs_ch8", float(original["size (MB)"] / row["size (MB)"]), display=False)
    glue(
        f"{short}_vs_float",
        float(inference_only["size (MB)"] / row["size (MB)"]),
        display=False,
    )
    glue(
        f"{short}_acc_change",
        float(100 * (row["test accuracy"] - original["test accuracy"])),
        display=False,
    )
    glue(f"{short}_f1_change", float(row["macro F1"] - original["macro F1"]), display=False)
    glue(f"{short}_same", float(row["same label as original"]), display=False)
    glue(
        f"{short}_changed_labels",
        int(round((1 - row["same label as original"]) * len(test_texts))),
        display=False,
    )
    glue(f"{short}_ms_batch", float(row[f"ms per {batch_size} texts"]), display=False)
    glue(f"{short}_ms_single", float(row["ms per text"]), display=False)
    # The text says quantization moved test accuracy by less than one point:
    assert abs(row["test accuracy"] - original["test accuracy"]) < 0.01
seed_accuracies = [run.accuracy(test_truth) for run in lstm_runs]
seed_std = float(np.std(seed_accuracies, ddof=1))
assert all(
    abs(compression.loc[label, "test accuracy"] - original["test accuracy"]) < seed_std
    for label in ("int8", "int4")
), "the text says the changes are smaller than the spread between seeds"
glue("seed_std_points", 100 * seed_std, display=False)
glue("n_seeds", len(lstm_runs), display=False)
glue("float_mb", float(inference_only["size (MB)"]), display=False)
glue("float_acc", float(original["test accuracy"]), display=False)
glue("float_f1", float(original["macro F1"]), display=False)
glue("float_ms_batch", float(inference_only[f"ms per {batch_size} texts"]), display=False)
glue("float_ms_single", float(inference_only["ms per text"]), display=False)
glue(
    "float_ms_per_text_in_batch",
    float(inference_only[f"ms per {batch_size} texts"] / batch_size),
    display=False,
)
glue(
    "embedding_share_int4",
    float(sizes.loc["int4", "embedding"] / sizes.loc["int4"].sum()),
    display=False,
)
glue(
    "vocabulary_share_int4",
    float(sizes.loc["int4", "vocabulary (text)"] / sizes.loc["int4"].sum()),
    display=False,
)

fig, ax = plt.subplots(figsize=(7.2, 3.0))
left = np.zeros(len(sizes))
parts = {
    "optimizer state": ["optimizer state"],
    "embedding": ["embedding"],
    "vocabulary (text)": ["vocabulary (text)"],
    "LSTM, output layer, other": [
        "LSTM",
        "output layer",
        "other (configuration, file structure)",
    ],
}
for color, (part, columns) in zip(["C3", "C0", "C2", "C6"], parts.items(), strict=True):
    width = sizes[columns].sum(axis=1).to_numpy() / 1e6
    ax.barh(sizes.index, width, left=left, color=color, label=part)
    left += width
ax.invert_yaxis()
ax.set_xlabel("size on disk (MB)")
ax.legend(loc="lower right", fontsize="small")
glue("fig_compression", fig, display=False)
plt.close(fig)

# %% [markdown]
# ```{glue:figure} fig_compression
# :name: fig-compression
#
# What the bytes of each version of the sentiment model's file hold. Chapter 8's
# file carries the optimizer's state; quantization shrinks the embedding table and
# leaves the vocabulary, stored as text, untouched.
# ```
#
# What the measurements say:
#
# - **Size.** Dropping the optimizer state costs nothing: the predictions are
#   identical, as the assertion checks, and the file falls from
#   {glue:text}`ch8_file_mb:.1f` MB to {glue:text}`float_mb:.2f` MB. The int8
#   file is {glue:text}`int8_mb:.2f` MB, {glue:text}`int8_vs_float:.1f` times
#   smaller than the float32 one and {glue:text}`int8_vs_ch8:.1f` times smaller
#   than chapter 8's file. The int4 file ({glue:text}`int4_mb:.2f` MB) gains less
#   again: its embedding still takes {glue:text}`embedding_share_int4:.0%` of it,
#   and the vocabulary text, which no quantization touches, takes
#   {glue:text}`vocabulary_share_int4:.0%` ({numref}`fig-compression`).
# - **Accuracy.** The int8 model gives a different label to
#   {glue:text}`int8_changed_labels` of the {glue:text}`compress_test_rows:,` test
#   snippets. Its test accuracy changes by {glue:text}`int8_acc_change:+.2f`
#   percentage points (from {glue:text}`float_acc:.3f`) and its macro-F1 by
#   {glue:text}`int8_f1_change:+.4f`. The int4 model changes
#   {glue:text}`int4_changed_labels` labels, its accuracy by
#   {glue:text}`int4_acc_change:+.2f` points and its macro-F1 by
#   {glue:text}`int4_f1_change:+.4f`. Neither moves test accuracy by as much as
#   one point, which the notebook asserts; both changes are smaller than the
#   spread between chapter 8's {glue:text}`n_seeds` training seeds (standard deviation
#   {glue:text}`seed_std_points:.2f` points), also asserted.
# - **Latency.** A batch of {glue:text}`batch_size` texts took {glue:text}`float_ms_batch:.1f` ms in
#   float32, {glue:text}`int8_ms_batch:.1f` ms with int8 and
#   {glue:text}`int4_ms_batch:.1f` ms with int4 weights. A single text took
#   {glue:text}`float_ms_single:.1f`, {glue:text}`int8_ms_single:.1f` and
#   {glue:text}`int4_ms_single:.1f` ms. Do not expect speed from this kind of
#   quantization. The embedding turns its integers back into floats ($q/s$)
#   before the LSTM, which computes in float32, and the int4 layers must also
#   unpack two values from each byte. The one integer product, in the int8 output
#   layer, has {glue:text}`n_output_weights` weights: far too small to matter.
#   Speed comes from integer arithmetic from end to end, with a runtime built for
#   it {cite}`jacob2018quantization`. Compare instead the
#   cost per text with and without batching: scored one at a time, a text took
#   {glue:text}`float_ms_single:.1f` ms; inside a batch of {glue:text}`batch_size`, about
#   {glue:text}`float_ms_per_text_in_batch:.2f` ms.
#
# The quantized file is a drop-in replacement: `helpers.sentiment.predict` takes it
# like the original.

# %% tags=["remove-stderr"]
examples = ["a gorgeous, moving film", "a dull, lifeless mess", "The package arrived on Tuesday."]
side_by_side = pd.concat(
    {
        "original": predict(examples, model_path=model_path).set_index("text"),
        "int8": predict(examples, model_path=variant_paths["int8"]).set_index("text"),
    },
    axis=1,
)
side_by_side.round(3)

# %% [markdown]
# ## Summary
#
# - The memory to hold a model's weights is its parameter count times the bytes
#   per parameter: {glue:text}`gpt3_fp32_gb:,.0f` GB for GPT-3 in 32-bit floats.
#   Quantization, pruning and distillation shrink trained models; each can cost
#   accuracy, unevenly, so the effect must be measured.
# - Measured on the course's LSTM: {glue:text}`optimizer_file_share:.0%` of chapter
#   8's {glue:text}`ch8_file_mb:.1f` MB file is optimizer state that prediction does
#   not need. Without it, and with int8 embedding and output layers, the file is
#   {glue:text}`int8_mb:.2f` MB, and test accuracy changes by
#   {glue:text}`int8_acc_change:+.2f` points.
# - Keras's post-training quantization shrinks the file, but it does not make this
#   model faster: the embedding is turned back into floats, the LSTM computes in
#   float32, and only the tiny int8 output layer multiplies integers.
#
# ## Exercises
#
# ```{exercise}
# :label: ch12a-ex-changed-labels
#
# The int8 model gives a different label from the original to
# {glue:text}`int8_changed_labels` test snippets. Find them and look at the
# original model's two highest class probabilities for each. What do they have in
# common?
# ```
#
# ```{solution-start} ch12a-ex-changed-labels
# :class: dropdown
# ```
#
# Compare, for every test snippet, the gap between the original model's two most
# probable classes:

# %%
original_p = probabilities[reference]
changed = original_p.argmax(axis=1) != probabilities["int8"].argmax(axis=1)
top_two = np.sort(original_p, axis=1)[:, -2:]
margin = top_two[:, 1] - top_two[:, 0]
assert changed.sum() > 0 and margin[changed].max() < np.median(margin[~changed])
glue("ex_changed_max_margin", float(margin[changed].max()), display=False)
glue("ex_median_margin", float(np.median(margin[~changed])), display=False)
pd.DataFrame({"text": three.test["text"][changed], "margin": margin[changed]}).round(3)

# %% [markdown]
# They are near ties: for each of them the original model's two most probable
# classes are at most {glue:text}`ex_changed_max_margin:.3f` apart in probability,
# while on the other test snippets the median gap is
# {glue:text}`ex_median_margin:.3f` (both asserted). A rounding error of
# {glue:text}`int8_relative_error:.2%` of a weight's size, on average, tipped only
# predictions that were balanced on an edge.
#
# ```{solution-end}
# ```
#
# ```{exercise}
# :label: ch12a-ex-embedding-only
#
# Quantize only the Embedding layer, with
# `filters=lambda layer: isinstance(layer, keras.layers.Embedding)`. How much
# smaller is the file than the float32 one, and why is that almost the whole
# saving of the int8 version?
# ```
#
# ```{solution-start} ch12a-ex-embedding-only
# :class: dropdown
# ```

# %% tags=["remove-stderr"]
network = keras.Model.from_config(token_model.get_config())
network.set_weights(token_model.get_weights())
network.quantize("int8", filters=lambda layer: isinstance(layer, keras.layers.Embedding))
embedding_only_path = workdir / "embedding_only.keras"
sm.export_text_model(vectorizer, network).save(embedding_only_path)
float_bytes = variant_paths["float32, inference only"].stat().st_size
int8_bytes = variant_paths["int8"].stat().st_size
embedding_only_bytes = embedding_only_path.stat().st_size
saving_share = (float_bytes - embedding_only_bytes) / (float_bytes - int8_bytes)
assert saving_share > 0.99, "the text says the embedding alone gives almost all the saving"
glue("ex_embedding_only_mb", embedding_only_bytes / 1e6, display=False)
glue("ex_embedding_only_saving_share", float(saving_share), display=False)
{
    "float32 (MB)": float_bytes / 1e6,
    "int8 embedding only (MB)": embedding_only_bytes / 1e6,
    "int8 (MB)": int8_bytes / 1e6,
}

# %% [markdown]
# The file is {glue:text}`ex_embedding_only_mb:.3f` MB, against
# {glue:text}`float_mb:.3f` MB in float32 and {glue:text}`int8_mb:.3f` MB for the
# int8 version: quantizing the embedding alone gives the int8 version's whole saving
# ({glue:text}`ex_embedding_only_saving_share:.1%` of it). The
# embedding table holds {glue:text}`embedding_weight_share:.1%` of the weights; the
# output layer has only {glue:text}`n_output_weights` weights and biases, so
# quantizing it saves almost nothing.
#
# ```{solution-end}
# ```
