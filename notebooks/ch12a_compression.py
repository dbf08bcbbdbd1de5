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
# or a laptop like the one this book runs on. This section of chapter 15 says
# what it costs to hold a model's weights, how trained models are shrunk, and then
# shrinks the course's own sentiment models and measures what that costs: the
# LSTM of chapter 8, by quantization, and the fine-tuned encoder of chapter
# {doc}`ch08b_pretrained`, the course's model, by quantization and by
# {term}`knowledge distillation` into a small student. (It loads both trained
# models from the results cache; if this section runs first, the code of
# chapters 8 and {doc}`ch08b_pretrained` trains them, which takes several
# minutes.)

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

import gc
import inspect
import io
import time
import warnings
import zipfile
from pathlib import Path

import h5py
import keras
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import tensorflow as tf
from sklearn.metrics import f1_score, recall_score

from helpers import sentiment_models as sm
from helpers import transfer
from helpers.book import glue
from helpers.paths import model_dir
from helpers.plotting import use_course_style
from helpers.repro import DEFAULT_SEED, set_seed
from helpers.sentiment import course_model_path, load_model, predict, save_course_model

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
# ## Compressing the LSTM
#
# First the three-class LSTM of chapter 8, which `helpers.sentiment` serves with
# `--model lstm`. We measure three things before and after: the size of the saved
# file, the time it takes to score texts on this CPU, and accuracy and macro-F1
# on the test split of chapter 8's three-class task, which nothing in this
# section was tuned on.
#
# The model is the file chapter 8 saved
# (`helpers.sentiment.course_model_path("lstm")`), and `sm.course_lstm_run`
# names its run: of chapter 8's cached LSTM runs, the seed with the best
# validation accuracy (if this section runs before chapter 8, it trains them with
# chapter 8's code and saves the model itself).

# %% tags=["remove-stderr"]
three = sm.load_task(sm.COURSE_TASK)
chosen = sm.course_lstm_run(three)  # the run chapter 8 saved (trained now if it is missing)
lstm_runs = sm.cached_runs(three, sm.COURSE_CONFIG)  # all its seeds, for their spread
model_path = course_model_path("lstm")  # the file chapter 8 saved
if not model_path.is_file():
    save_course_model(chosen)  # an LSTM run: saved as the "lstm" model
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
# What the bytes of each version of chapter 8's LSTM file hold. Chapter 8's
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
# ## The fine-tuned encoder in int8
#
# The course's model is now the pretrained encoder of chapter
# {doc}`ch08b_pretrained`, fine-tuned on the same three-class task: a small
# {term}`Transformer` with {glue:text}`enc_vs_lstm_params:.0f` times the LSTM's
# parameters. Almost all of its
# weights sit in layers that Keras can quantize: the word-piece, position and
# token-type embedding tables (`Embedding`), and in each of the six blocks the
# attention's query, key, value and output projections (`EinsumDense`) and the
# two feed-forward layers (`Dense`). `model.quantize("int8")` walks through the
# model and quantizes every such layer, exactly as above: each embedding row and
# each output unit of a projection gets its own scale, and the projections
# quantize their inputs on the fly. Layer normalization, the attention scores
# and their softmax, and the pooling stay in float32.
#
# We load chapter {doc}`ch08b_pretrained`'s file
# (`helpers.sentiment.course_model_path("encoder")`) into a copy of our own,
# time it in float32, then quantize it in place. Running a Transformer is far
# slower than the LSTM, so to keep this section quick we score a random
# {glue:text}`enc_subset_rows:,` of the {glue:text}`compress_test_rows:,` test
# snippets (seed {glue:text}`enc_subset_seed`). The float32 model's
# probabilities on them come from the results cache (chapter
# {doc}`ch08b_pretrained` computed them on the whole test split), and the
# assertion checks that the file reproduces them (on 64 snippets, to within
# {glue:text}`enc_file_difference:.4f`). Latency is measured as for the
# LSTM, through `predict_texts`, which tokenizes too. Keras warns once for every
# layer that has no quantized form (LayerNormalization, Dropout, ...); the cell
# silences those warnings.

# %% tags=["remove-stderr"]
encoder_run = transfer.course_model_run()  # chapter 8b's run (trained now if it is missing)
encoder_path = course_model_path("encoder")  # the file chapter 8b saved
if not encoder_path.is_file():
    save_course_model(encoder_run)  # an encoder run: saved as the default model
encoder = keras.saving.load_model(encoder_path)  # our own copy: it is quantized below
subset_rows = 500
subset = np.sort(
    np.random.default_rng(DEFAULT_SEED).choice(len(test_texts), subset_rows, replace=False)
)
subset_texts = [test_texts[i] for i in subset]
subset_truth = test_truth[subset]
encoder_labels = np.asarray(encoder_run.labels)
float_subset_proba = np.asarray(encoder_run.test_proba)[subset]
# The file gives chapter 8b's cached probabilities (up to rounding: the top blocks
# may have been trained and evaluated in bfloat16, the loaded file computes in float32).
file_difference = float(
    np.abs(encoder.predict_texts(subset_texts[:64]) - float_subset_proba[:64]).max()
)
assert file_difference < 0.05
glue("enc_file_difference", file_difference, display=False)


def encoder_latency(model: transfer.EncoderClassifier) -> dict[str, float]:
    """Milliseconds of ``predict_texts``: the median for one snippet, and one call on
    64 (the model has already scored these 64, so nothing is traced any more)."""
    one = median_ms(lambda: model.predict_texts(subset_texts[:1]), runs=7)
    started = time.perf_counter()
    model.predict_texts(subset_texts[:64])
    return {"ms per text": one, "ms per 64 texts": 1000 * (time.perf_counter() - started)}


def weights_by_dtype(model: keras.Model) -> pd.Series:
    """Number of stored numbers of each dtype in ``model``'s weights."""
    counts: dict[str, int] = {}
    for weight in model.weights:
        counts[str(weight.dtype)] = counts.get(str(weight.dtype), 0) + int(np.prod(weight.shape))
    return pd.Series(counts)


float_latency = encoder_latency(encoder)
float_numbers = weights_by_dtype(encoder)
# Keras collects garbage each time it swaps a layer's weights for quantized ones;
# freezing the objects alive now (gc.freeze) makes those collections quick.
gc.freeze()
with warnings.catch_warnings():
    warnings.simplefilter("ignore", UserWarning)  # "Layer X does not have a quantize method"
    encoder.quantize("int8")
gc.unfreeze()
int8_encoder_path = workdir / "encoder-int8.keras"
encoder.save(int8_encoder_path)
int8_numbers = weights_by_dtype(encoder)
quantized_share = int8_numbers.get("int8", 0) / float_numbers.sum()
glue("enc_vs_lstm_params", float(float_numbers.sum() / sum(n_weights.values())), display=False)
glue("enc_weights_m", float(float_numbers.sum() / 1e6), display=False)
glue("enc_quantized_share", float(quantized_share), display=False)
glue("enc_float_mb", encoder_path.stat().st_size / 1e6, display=False)
glue("enc_int8_mb", int8_encoder_path.stat().st_size / 1e6, display=False)
glue(
    "enc_int8_smaller",
    float(encoder_path.stat().st_size / int8_encoder_path.stat().st_size),
    display=False,
)
assert quantized_share > 0.95, "the text says almost every weight is quantized"
pd.DataFrame({"float32 file": float_numbers, "int8 copy": int8_numbers}).fillna(0).astype(int)

# %% [markdown]
# Of the encoder's {glue:text}`enc_weights_m:.1f` million numbers,
# {glue:text}`enc_quantized_share:.1%` are now 8-bit integers (the table counts
# the stored numbers by type; the int8 copy adds one float32 scale per row or
# output unit). The file shrinks from {glue:text}`enc_float_mb:.1f` MB to
# {glue:text}`enc_int8_mb:.1f` MB, {glue:text}`enc_int8_smaller:.1f` times
# smaller: here the weights are nearly the whole file, unlike the LSTM's, whose
# vocabulary text and optimizer state weighed as much as its weights. (Keras
# loads a file of this model by calling its class, whose constructor builds
# float32 layers, so the int8 file does not load back as it is: it measures the
# size. To serve the int8 model, quantize the loaded float model, as this cell
# does, which takes a second.)
#
# **Accuracy and speed**, on the {glue:text}`enc_subset_rows:,` snippets:

# %% tags=["remove-stderr"]
started = time.perf_counter()
int8_subset_proba = encoder.predict_texts(subset_texts)
int8_seconds = time.perf_counter() - started
encoder_rows = {}
for label, proba, latency, path in (
    ("float32", float_subset_proba, float_latency, encoder_path),
    ("int8", int8_subset_proba, encoder_latency(encoder), int8_encoder_path),
):
    predicted = encoder_labels[proba.argmax(axis=1)]
    encoder_rows[label] = {
        "size (MB)": path.stat().st_size / 1e6,
        "accuracy (subset)": float(np.mean(predicted == subset_truth)),
        "macro F1 (subset)": float(
            f1_score(subset_truth, predicted, labels=list(encoder_labels), average="macro")
        ),
        "same label as float32": float(np.mean(proba.argmax(1) == float_subset_proba.argmax(1))),
        **latency,
    }
encoder_table = pd.DataFrame(encoder_rows).T
float_row, int8_row = encoder_table.loc["float32"], encoder_table.loc["int8"]
glue("enc_subset_rows", subset_rows, display=False)
glue("enc_subset_seed", DEFAULT_SEED, display=False)
glue("enc_subset_float_acc", float(float_row["accuracy (subset)"]), display=False)
glue("enc_subset_int8_acc", float(int8_row["accuracy (subset)"]), display=False)
glue(
    "enc_int8_acc_change",
    float(100 * (int8_row["accuracy (subset)"] - float_row["accuracy (subset)"])),
    display=False,
)
glue(
    "enc_int8_f1_change",
    float(int8_row["macro F1 (subset)"] - float_row["macro F1 (subset)"]),
    display=False,
)
glue("enc_int8_same", float(int8_row["same label as float32"]), display=False)
glue(
    "enc_int8_changed",
    int(round((1 - int8_row["same label as float32"]) * subset_rows)),
    display=False,
)
glue("enc_float_ms", float(float_row["ms per text"]), display=False)
glue("enc_int8_ms", float(int8_row["ms per text"]), display=False)
glue("enc_float_ms_batch", float(float_row["ms per 64 texts"]), display=False)
glue("enc_int8_ms_batch", float(int8_row["ms per 64 texts"]), display=False)
glue("enc_int8_subset_seconds", float(int8_seconds), display=False)
glue(
    "enc_vs_lstm_ms",
    float(float_row["ms per text"] / inference_only["ms per text"]),
    display=False,
)
glue("enc_int8_max_move", float(100 * (1 - int8_row["same label as float32"])), display=False)
# The text below: int8 changes the label of fewer than 2 % of the snippets ...
assert int8_row["same label as float32"] > 0.98
# ... and int8 is slower than float32 on this CPU, for one snippet and for 64.
assert int8_row["ms per 64 texts"] > float_row["ms per 64 texts"]
assert int8_row["ms per text"] > float_row["ms per text"]
encoder_table.style.format(
    {
        "size (MB)": "{:.1f}",
        "accuracy (subset)": "{:.3f}",
        "macro F1 (subset)": "{:.3f}",
        "same label as float32": "{:.1%}",
        "ms per text": "{:.1f}",
        "ms per 64 texts": "{:.0f}",
    }
)

# %% [markdown]
# On the {glue:text}`enc_subset_rows:,` snippets the int8 encoder gives a
# different label to {glue:text}`enc_int8_changed` of them
# ({glue:text}`enc_int8_same:.1%` agree with float32), so its accuracy could
# move by at most {glue:text}`enc_int8_max_move:.1f` points. It moved by
# {glue:text}`enc_int8_acc_change:+.1f` (from {glue:text}`enc_subset_float_acc:.3f`),
# its macro-F1 by {glue:text}`enc_int8_f1_change:+.3f`. A handful of labels
# for a file {glue:text}`enc_int8_smaller:.1f` times smaller.
#
# Speed is another matter. One snippet took {glue:text}`enc_float_ms:.0f` ms in
# float32 and {glue:text}`enc_int8_ms:.0f` ms in int8; a batch of 64,
# {glue:text}`enc_float_ms_batch:.0f` and {glue:text}`enc_int8_ms_batch:.0f` ms.
# The float32 encoder is already about {glue:text}`enc_vs_lstm_ms:.0f` times
# slower per snippet than the LSTM. Keras's int8 layers quantize their inputs
# with extra operations at every call, and TensorFlow's integer matrix products
# on this CPU are not the tuned kernels its float32 ones are, so int8 is a gain
# in memory and storage here, not in time. A runtime built for integer
# inference from end to end would change that {cite}`jacob2018quantization`.

# %% [markdown]
# ## Distilling the encoder into a small student
#
# Distillation shrinks a model differently: instead of storing the same network
# in fewer bits, it trains a much smaller network, the *student*, to give the
# answers of the large one, the *teacher* {cite}`hinton2015distilling`. The
# teacher's probabilities say more than its labels: that a snippet is 60 %
# positive and 35 % neutral tells the student how close to the boundary it is.
# DistilBERT was made this way from BERT {cite}`sanh2019distilbert`.
#
# Our teacher is the fine-tuned encoder. When chapter {doc}`ch08b_pretrained`
# trained it, it also stored its probabilities for every snippet of the training
# and validation parts (`encoder_run.extra["train_proba"]`,
# `["validation_proba"]`). Our student is chapter 8's cheapest network, the bag of
# embeddings, unchanged: the same layers, the same training loop and early
# stopping (`sm.train_distilled`, through the cache: `sm.run_distilled`), but its
# targets are the teacher's probabilities instead of the labels, and its loss the
# {term}`cross-entropy` against them:

# %%
print(inspect.getsource(sm.soft_targets))
student_config = sm.ModelConfig(kind="bag")  # chapter 8's bag of embeddings
soft_targets = sm.soft_targets(encoder_run, "train", three)
print("first training snippet:", three.train["text"].iloc[0])
print("  label:", three.train["label"].iloc[0], "| teacher:", np.round(soft_targets[0], 3))

# %% [markdown]
# We train the student with chapter 8's three seeds and compare it with the same
# network trained on the labels, chapter 8's own runs (read from the cache). All
# are scored on the whole test split, as in chapter 8.

# %% tags=["remove-stderr"]
hard_runs = sm.run_neural(three, student_config)  # chapter 8's runs (cache hits)
soft_runs = sm.run_distilled(three, student_config, encoder_run, save_models=True)
student = sm.chosen_run(soft_runs)  # the best seed on validation
student_path = sm.cached_model_path(student)
student_model = load_model(student_path)
teacher_accuracy = encoder_run.accuracy(test_truth)
single_text = tf.constant(test_texts[:1])


def scores(runs: list[sm.MethodResult]) -> dict[str, float]:
    """Mean (over seeds) validation and test accuracy, test macro F1 and neutral recall."""
    per_run = [
        {
            "validation accuracy": run.validation_accuracy,
            "test accuracy": run.accuracy(test_truth),
            "macro F1": f1_score(test_truth, run.test_pred, average="macro"),
            "neutral recall": recall_score(
                test_truth, run.test_pred, labels=["neutral"], average="macro"
            ),
        }
        for run in runs
    ]
    return pd.DataFrame(per_run).mean().to_dict()


def spread(runs: list[sm.MethodResult], validation: bool = False) -> float:
    """Standard error of the mean accuracy over the runs' seeds."""
    values = [r.validation_accuracy if validation else r.accuracy(test_truth) for r in runs]
    return float(np.std(values, ddof=1) / np.sqrt(len(values)))


distill_table = pd.DataFrame(
    {
        "teacher: fine-tuned encoder": {
            **scores([encoder_run]),
            "parameters": encoder_run.n_params,
            "size (MB)": encoder_path.stat().st_size / 1e6,
            "ms per text": float(encoder_table.loc["float32", "ms per text"]),
        },
        "student on the labels (chapter 8)": {
            **scores(hard_runs),
            "parameters": hard_runs[0].n_params,
        },
        "student on the teacher's probabilities": {
            **scores(soft_runs),
            "parameters": student.n_params,
            "size (MB)": student_path.stat().st_size / 1e6,
            "ms per text": median_ms(lambda: student_model.predict_on_batch(single_text), runs=15),
        },
    }
).T
teacher, hard, soft = distill_table.iloc[0], distill_table.iloc[1], distill_table.iloc[2]
assert hard["parameters"] == soft["parameters"]  # the same network, trained differently
test_gain = soft["test accuracy"] - hard["test accuracy"]
test_gain_se = np.hypot(spread(hard_runs), spread(soft_runs))
validation_gain = soft["validation accuracy"] - hard["validation accuracy"]
validation_gain_se = np.hypot(spread(hard_runs, True), spread(soft_runs, True))
glue("teacher_acc", float(teacher["test accuracy"]), display=False)
glue("teacher_neutral_recall", float(teacher["neutral recall"]), display=False)
for name, row in (("hard", hard), ("soft", soft)):
    glue(f"{name}_student_acc", float(row["test accuracy"]), display=False)
    glue(f"{name}_student_val", float(row["validation accuracy"]), display=False)
    glue(f"{name}_student_f1", float(row["macro F1"]), display=False)
    glue(f"{name}_student_neutral", float(row["neutral recall"]), display=False)
glue("student_gain", float(100 * test_gain), display=False)
glue("student_gain_se", float(100 * test_gain_se), display=False)
glue("student_val_gain", float(100 * validation_gain), display=False)
glue("student_val_gain_se", float(100 * validation_gain_se), display=False)
glue("student_f1_gain", float(soft["macro F1"] - hard["macro F1"]), display=False)
glue("student_kept", float(soft["test accuracy"] / teacher["test accuracy"]), display=False)
glue("student_lstm_acc", float(chosen.accuracy(test_truth)), display=False)
glue("student_train_rows", len(three.train), display=False)
glue("student_params_share", float(student.n_params / encoder_run.n_params), display=False)
glue("student_mb", float(soft["size (MB)"]), display=False)
glue("student_size_ratio", float(teacher["size (MB)"] / soft["size (MB)"]), display=False)
glue("student_ms", float(soft["ms per text"]), display=False)
glue("student_speedup", float(teacher["ms per text"] / soft["ms per text"]), display=False)
glue(
    "student_teacher_agreement",
    float(np.mean([r.extra["teacher_agreement_validation"] for r in soft_runs])),
    display=False,
)
glue("n_student_seeds", len(soft_runs), display=False)
# Checked claims: the teacher's probabilities make every student seed find more
# neutral texts than every label-trained seed, and lift the macro F1; on validation
# the two students are level (within two standard errors), on test the distilled
# one is ahead (and ahead of chapter 8's LSTM), and it stays far below its teacher.
assert min(
    recall_score(test_truth, r.test_pred, labels=["neutral"], average="macro") for r in soft_runs
) > max(
    recall_score(test_truth, r.test_pred, labels=["neutral"], average="macro") for r in hard_runs
)
assert soft["macro F1"] > hard["macro F1"]
assert hard["neutral recall"] < 0.1  # "almost never says neutral"
assert abs(validation_gain) < 2 * validation_gain_se
assert test_gain > 0 and soft["test accuracy"] > chosen.accuracy(test_truth)
assert soft["test accuracy"] < teacher["test accuracy"] - 0.05
distill_table.style.format(
    {
        "validation accuracy": "{:.3f}",
        "test accuracy": "{:.3f}",
        "macro F1": "{:.3f}",
        "neutral recall": "{:.3f}",
        "parameters": "{:,.0f}",
        "size (MB)": "{:.1f}",
        "ms per text": "{:.1f}",
    },
    na_rep="",
)

# %% [markdown]
# The student's numbers are means over its {glue:text}`n_student_seeds` seeds.
# What the teacher's probabilities changed is mostly the **neutral** class: the
# bag of embeddings trained on the labels almost never says neutral (recall
# {glue:text}`hard_student_neutral:.3f`), while trained on the teacher's
# probabilities it finds {glue:text}`soft_student_neutral:.3f` of the neutral
# texts (the teacher: {glue:text}`teacher_neutral_recall:.3f`), and its macro F1
# rises from {glue:text}`hard_student_f1:.3f` to {glue:text}`soft_student_f1:.3f`.
# A label says only "neutral" or not; the teacher says, for every snippet, how
# neutral it looks, and the rare class gets a signal from all of them.
#
# Accuracy moves less. On validation the two students are level
# ({glue:text}`soft_student_val:.3f` against {glue:text}`hard_student_val:.3f`, a
# difference of {glue:text}`student_val_gain:+.1f` points with a standard error
# of {glue:text}`student_val_gain_se:.1f`); on test the distilled one scores
# {glue:text}`soft_student_acc:.3f` against {glue:text}`hard_student_acc:.3f`
# ({glue:text}`student_gain:+.1f` points, standard error
# {glue:text}`student_gain_se:.1f`), above chapter 8's LSTM
# ({glue:text}`student_lstm_acc:.3f`). It agrees with its teacher on
# {glue:text}`student_teacher_agreement:.1%` of the validation snippets, and
# keeps {glue:text}`student_kept:.0%` of the teacher's test accuracy
# ({glue:text}`teacher_acc:.3f`), with {glue:text}`student_params_share:.1%` of
# the teacher's parameters, in a file of {glue:text}`student_mb:.1f` MB
# ({glue:text}`student_size_ratio:.0f` times smaller), answering one snippet in
# {glue:text}`student_ms:.1f` ms ({glue:text}`student_speedup:.0f` times faster).
# The student trained on the labels is the same network, so it has the same size
# and speed.
#
# The rest of the gap is what a bag of word vectors cannot represent: it has no
# word order and knows only words it saw in the training snippets, so no teacher
# can make it read "not good" as the encoder does. DistilBERT keeps 97 % of
# BERT's performance with a student that is itself a Transformer, half as deep,
# trained on the same large corpus as its teacher {cite}`sanh2019distilbert`; ours has
# {glue:text}`student_params_share:.1%` of its teacher's parameters and learns
# from {glue:text}`student_train_rows:,` snippets. Between the
# two lie the choices a builder weighs: int8 keeps almost all the accuracy and
# saves memory; distillation saves memory *and* time, and pays for it in
# accuracy.

# %% [markdown]
# ## Summary
#
# - The memory to hold a model's weights is its parameter count times the bytes
#   per parameter: {glue:text}`gpt3_fp32_gb:,.0f` GB for GPT-3 in 32-bit floats.
#   Quantization, pruning and distillation shrink trained models; each can cost
#   accuracy, unevenly, so the effect must be measured.
# - Measured on chapter 8's LSTM: {glue:text}`optimizer_file_share:.0%` of chapter
#   8's {glue:text}`ch8_file_mb:.1f` MB file is optimizer state that prediction does
#   not need. Without it, and with int8 embedding and output layers, the file is
#   {glue:text}`int8_mb:.2f` MB, and test accuracy changes by
#   {glue:text}`int8_acc_change:+.2f` points.
# - Keras's post-training quantization shrinks the file, but it does not make this
#   model faster: the embedding is turned back into floats, the LSTM computes in
#   float32, and only the tiny int8 output layer multiplies integers.
# - The fine-tuned encoder, the course's model, quantizes almost entirely: int8
#   makes its file {glue:text}`enc_int8_smaller:.1f` times smaller and changes
#   accuracy on {glue:text}`enc_subset_rows:,` test snippets by
#   {glue:text}`enc_int8_acc_change:+.1f` points, without making it faster on
#   this CPU.
# - Distilled into chapter 8's bag of embeddings, the encoder's probabilities
#   teach that network the neutral class its labels barely show it (recall
#   {glue:text}`hard_student_neutral:.3f` → {glue:text}`soft_student_neutral:.3f`,
#   macro F1 {glue:text}`hard_student_f1:.3f` → {glue:text}`soft_student_f1:.3f`).
#   The student keeps {glue:text}`student_kept:.0%` of the teacher's accuracy
#   with {glue:text}`student_params_share:.1%` of its parameters, answering
#   {glue:text}`student_speedup:.0f` times faster; what it cannot learn is what
#   a bag of words cannot represent.
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
