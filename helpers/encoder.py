"""The all-MiniLM-L6-v2 sentence encoder, rebuilt in Keras from its shipped weights.

all-MiniLM-L6-v2 is a small BERT: word-piece embeddings, six Transformer
encoder blocks (12 attention heads, width 384, feed-forward width 1,536) and a
mean over the tokens that gives one 384-number vector per sentence. This module
writes that network with Keras layers and copies the pretrained weights into it
from ``model.safetensors`` (see :mod:`helpers.pretrained`); no PyTorch is needed.

Public API:

- :class:`BertEmbeddings`, :class:`TransformerBlock`, :class:`MeanPooling` -- the
  three kinds of layer (registered, so a model that holds them saves to ``.keras``).
- :func:`build_encoder` -- the network for a ``config.json``, with fresh weights.
- :func:`load_pretrained_weights` -- copy the safetensors tensors into it.
- :func:`load_minilm` -- the pretrained encoder and its tokenizer, ready to use.
- :func:`sentence_embeddings` -- texts in, one vector per text out, in
  length-sorted batches (:func:`length_buckets`) so short texts are not padded
  to the longest one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import keras
import numpy as np
from keras import layers, ops

from helpers.pretrained import minilm_dir, read_config, read_safetensors
from helpers.wordpiece import WordPieceTokenizer

__all__ = [
    "BertEmbeddings",
    "MeanPooling",
    "TransformerBlock",
    "build_encoder",
    "length_buckets",
    "load_minilm",
    "load_pretrained_weights",
    "sentence_embeddings",
]

_PACKAGE = "course_encoder"


@keras.saving.register_keras_serializable(package=_PACKAGE)
class BertEmbeddings(layers.Layer):
    """Token ids -> vectors: word + position + token-type embeddings, then LayerNorm.

    The position embedding is learned, one vector per position up to
    ``max_positions``; every token has token type 0 (one sentence per input).
    """

    def __init__(
        self,
        vocab_size: int,
        hidden_size: int,
        max_positions: int,
        type_vocab_size: int = 2,
        layer_norm_eps: float = 1e-12,
        dropout: float = 0.1,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.vocab_size, self.hidden_size = vocab_size, hidden_size
        self.max_positions, self.type_vocab_size = max_positions, type_vocab_size
        self.layer_norm_eps, self.dropout_rate = layer_norm_eps, dropout
        self.word_embeddings = layers.Embedding(vocab_size, hidden_size, name="word")
        self.position_embeddings = layers.Embedding(max_positions, hidden_size, name="position")
        self.token_type_embeddings = layers.Embedding(type_vocab_size, hidden_size, name="type")
        self.layer_norm = layers.LayerNormalization(epsilon=layer_norm_eps, name="layer_norm")
        self.dropout = layers.Dropout(dropout)

    def build(self, input_shape: tuple) -> None:
        """Create the embedding tables and the LayerNorm's scale and offset."""
        for embedding in (
            self.word_embeddings,
            self.position_embeddings,
            self.token_type_embeddings,
        ):
            embedding.build(input_shape)
        self.layer_norm.build((*input_shape, self.hidden_size))
        self.built = True

    def call(self, input_ids: Any, training: bool | None = None) -> Any:
        """Return the (batch, length, hidden) input of the first block."""
        positions = ops.arange(ops.shape(input_ids)[1])[None, :]
        vectors = (
            self.word_embeddings(input_ids)
            + self.position_embeddings(positions)
            + self.token_type_embeddings(ops.zeros_like(input_ids))
        )
        return self.dropout(self.layer_norm(vectors), training=training)

    def get_config(self) -> dict:
        """The constructor's arguments, for saving."""
        names = ("vocab_size", "hidden_size", "max_positions", "type_vocab_size", "layer_norm_eps")
        arguments = {name: getattr(self, name) for name in names}
        return {**super().get_config(), **arguments, "dropout": self.dropout_rate}


@keras.saving.register_keras_serializable(package=_PACKAGE)
class TransformerBlock(layers.Layer):
    """One post-LayerNorm encoder block, as in BERT.

    ``x = LayerNorm(x + SelfAttention(x))``, then
    ``x = LayerNorm(x + Dense(GELU(Dense(x))))``. The attention is Keras's
    :class:`~keras.layers.MultiHeadAttention`; padded positions (mask 0) are
    never attended to. The GELU is the exact one, ``x * Phi(x)`` (erf), not
    the tanh approximation.
    """

    def __init__(
        self,
        hidden_size: int,
        num_heads: int,
        intermediate_size: int,
        layer_norm_eps: float = 1e-12,
        dropout: float = 0.1,
        attention_dropout: float = 0.1,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if hidden_size % num_heads:
            raise ValueError(f"hidden_size {hidden_size} is not a multiple of {num_heads} heads")
        self.hidden_size, self.num_heads = hidden_size, num_heads
        self.intermediate_size, self.layer_norm_eps = intermediate_size, layer_norm_eps
        self.dropout_rate, self.attention_dropout = dropout, attention_dropout
        self.attention = layers.MultiHeadAttention(
            num_heads, key_dim=hidden_size // num_heads, dropout=attention_dropout, name="attention"
        )
        self.attention_norm = layers.LayerNormalization(
            epsilon=layer_norm_eps, name="attention_norm"
        )
        self.intermediate = layers.Dense(intermediate_size, activation="gelu", name="intermediate")
        self.output_dense = layers.Dense(hidden_size, name="output")
        self.output_norm = layers.LayerNormalization(epsilon=layer_norm_eps, name="output_norm")
        self.dropout = layers.Dropout(dropout)

    def build(self, x_shape: tuple, attention_mask_shape: tuple | None = None) -> None:
        """Create the attention, feed-forward and LayerNorm weights."""
        self.attention.build(x_shape, x_shape)
        self.attention_norm.build(x_shape)
        self.intermediate.build((None, self.hidden_size))
        self.output_dense.build((None, self.intermediate_size))
        self.output_norm.build(x_shape)
        self.built = True

    def call(self, x: Any, attention_mask: Any, training: bool | None = None) -> Any:
        """``x``: (batch, length, hidden); ``attention_mask``: (batch, length), 1 = real token."""
        keys_to_use = ops.cast(attention_mask[:, None, :], "bool")  # the same for every query
        attended = self.attention(x, x, attention_mask=keys_to_use, training=training)
        x = self.attention_norm(x + self.dropout(attended, training=training))
        # The feed-forward acts on each position alone, so it runs on (positions, hidden):
        # as a 2-D product TensorFlow fuses matmul, bias and GELU (3 to 5 times faster).
        tokens = ops.reshape(x, (-1, self.hidden_size))
        hidden = ops.reshape(self.output_dense(self.intermediate(tokens)), ops.shape(x))
        return self.output_norm(x + self.dropout(hidden, training=training))

    def get_config(self) -> dict:
        """The constructor's arguments, for saving."""
        names = ("hidden_size", "num_heads", "intermediate_size", "layer_norm_eps")
        arguments = {name: getattr(self, name) for name in names}
        return {
            **super().get_config(),
            **arguments,
            "dropout": self.dropout_rate,
            "attention_dropout": self.attention_dropout,
        }


@keras.saving.register_keras_serializable(package=_PACKAGE)
class MeanPooling(layers.Layer):
    """The mean of the token vectors, padding excluded: one vector per sentence."""

    def call(self, token_embeddings: Any, attention_mask: Any) -> Any:
        """(batch, length, hidden) and (batch, length) -> (batch, hidden)."""
        weights = ops.cast(attention_mask, token_embeddings.dtype)[:, :, None]
        total = ops.sum(token_embeddings * weights, axis=1)
        return total / ops.maximum(ops.sum(weights, axis=1), 1e-9)


def build_encoder(config: Mapping[str, Any], *, name: str = "minilm_encoder") -> keras.Model:
    """Build the encoder a BERT ``config.json`` describes, with fresh (random) weights.

    Inputs: ``{"input_ids", "attention_mask"}``, int32 of shape (batch, length),
    as :class:`~helpers.wordpiece.WordPieceTokenizer` returns them. Outputs:
    ``{"token_embeddings"}`` (batch, length, hidden) -- the last block's output --
    and ``{"sentence_embedding"}`` (batch, hidden), their masked mean.
    """
    if config.get("hidden_act", "gelu") != "gelu":
        raise ValueError(f"only the exact GELU is supported, config has {config['hidden_act']!r}")
    if config.get("position_embedding_type", "absolute") != "absolute":
        raise ValueError("only absolute position embeddings are supported")
    eps = float(config.get("layer_norm_eps", 1e-12))
    dropout = float(config.get("hidden_dropout_prob", 0.1))
    input_ids = keras.Input((None,), dtype="int32", name="input_ids")
    attention_mask = keras.Input((None,), dtype="int32", name="attention_mask")
    x = BertEmbeddings(
        config["vocab_size"],
        config["hidden_size"],
        config["max_position_embeddings"],
        config.get("type_vocab_size", 2),
        layer_norm_eps=eps,
        dropout=dropout,
        name="embeddings",
    )(input_ids)
    for index in range(config["num_hidden_layers"]):
        x = TransformerBlock(
            config["hidden_size"],
            config["num_attention_heads"],
            config["intermediate_size"],
            layer_norm_eps=eps,
            dropout=dropout,
            attention_dropout=float(config.get("attention_probs_dropout_prob", 0.1)),
            name=f"block_{index}",
        )(x, attention_mask)
    sentence = MeanPooling(name="mean_pooling")(x, attention_mask)
    return keras.Model(
        {"input_ids": input_ids, "attention_mask": attention_mask},
        {"token_embeddings": x, "sentence_embedding": sentence},
        name=name,
    )


def _linear(tensors: Mapping[str, np.ndarray], prefix: str) -> tuple[np.ndarray, np.ndarray]:
    """A PyTorch ``Linear`` stores ``weight`` as (out, in); a Keras kernel is (in, out)."""
    return tensors[f"{prefix}.weight"].T, tensors[f"{prefix}.bias"]


def _layer_norm(tensors: Mapping[str, np.ndarray], prefix: str) -> list[np.ndarray]:
    return [tensors[f"{prefix}.weight"], tensors[f"{prefix}.bias"]]  # Keras: gamma, beta


def load_pretrained_weights(model: keras.Model, tensors: Mapping[str, np.ndarray]) -> None:
    """Copy BERT weights (named as in Hugging Face's ``BertModel``) into an encoder.

    ``model`` is one that :func:`build_encoder` made.

    Raises:
        KeyError: a tensor the model needs is absent (the message names it).
        ValueError: a tensor has the wrong shape for the model.
    """
    embeddings = model.get_layer("embeddings")
    embeddings.word_embeddings.set_weights([tensors["embeddings.word_embeddings.weight"]])
    embeddings.position_embeddings.set_weights([tensors["embeddings.position_embeddings.weight"]])
    embeddings.token_type_embeddings.set_weights(
        [tensors["embeddings.token_type_embeddings.weight"]]
    )
    embeddings.layer_norm.set_weights(_layer_norm(tensors, "embeddings.LayerNorm"))
    blocks = [layer for layer in model.layers if isinstance(layer, TransformerBlock)]
    for index, block in enumerate(blocks):
        prefix = f"encoder.layer.{index}"
        hidden, heads = block.hidden_size, block.num_heads
        head_size = hidden // heads
        attention = block.attention
        # Keras keeps the heads apart: kernel (in, heads, head_size), bias (heads, head_size).
        for dense, name in (
            (attention.query_dense, "query"),
            (attention.key_dense, "key"),
            (attention.value_dense, "value"),
        ):
            kernel, bias = _linear(tensors, f"{prefix}.attention.self.{name}")
            dense.set_weights([kernel.reshape(hidden, heads, head_size), bias.reshape(heads, -1)])
        kernel, bias = _linear(tensors, f"{prefix}.attention.output.dense")
        attention.output_dense.set_weights([kernel.reshape(heads, head_size, hidden), bias])
        block.attention_norm.set_weights(
            _layer_norm(tensors, f"{prefix}.attention.output.LayerNorm")
        )
        block.intermediate.set_weights(list(_linear(tensors, f"{prefix}.intermediate.dense")))
        block.output_dense.set_weights(list(_linear(tensors, f"{prefix}.output.dense")))
        block.output_norm.set_weights(_layer_norm(tensors, f"{prefix}.output.LayerNorm"))
    if f"encoder.layer.{len(blocks)}.attention.self.query.weight" in tensors:
        raise ValueError(f"the weights have more blocks than the model's {len(blocks)}")


def load_minilm(max_length: int = 128) -> tuple[keras.Model, WordPieceTokenizer]:
    """Return the pretrained all-MiniLM-L6-v2 encoder and its tokenizer.

    The files come from :func:`helpers.pretrained.minilm_dir` (fetched and
    verified on first use). ``max_length`` is the tokenizer's default cut, in
    word pieces with ``[CLS]`` and ``[SEP]`` (the model allows up to 512).
    """
    folder = minilm_dir()
    config = read_config(folder)
    if not 2 <= max_length <= config["max_position_embeddings"]:
        raise ValueError(
            f"max_length must be between 2 and {config['max_position_embeddings']}, "
            f"got {max_length}"
        )
    model = build_encoder(config)
    load_pretrained_weights(model, read_safetensors(folder / "model.safetensors"))
    tokenizer = WordPieceTokenizer.from_tokenizer_json(
        folder / "tokenizer.json", max_length=max_length
    )
    return model, tokenizer


_DEFAULT: tuple[keras.Model, WordPieceTokenizer] | None = None


def length_buckets(lengths: Sequence[int], batch_size: int) -> list[np.ndarray]:
    """Group positions into batches of similar length: sort by length, cut every ``batch_size``.

    Returns the batches' positions (into ``lengths``); each batch can then be
    padded only to its own longest member.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be positive, got {batch_size}")
    order = np.argsort(np.asarray(lengths), kind="stable")
    return [order[start : start + batch_size] for start in range(0, len(order), batch_size)]


def sentence_embeddings(
    texts: Sequence[str],
    batch_size: int = 64,
    *,
    model: keras.Model | None = None,
    tokenizer: WordPieceTokenizer | None = None,
    normalize: bool = True,
    max_length: int | None = None,
) -> np.ndarray:
    """Embed each text as one vector (the encoder's masked mean of token vectors).

    Texts are sorted by length and batched, and each batch is padded only to
    its longest text, so a batch of short texts costs little (the results come
    back in the input order).

    Args:
        texts: the texts.
        batch_size: texts per forward pass.
        model, tokenizer: default: the pretrained encoder from :func:`load_minilm`
            (loaded once per process).
        normalize: scale each vector to length 1, as sentence-transformers does
            for this model (its last module is ``Normalize``).
        max_length: cut each text to this many word pieces (default: the tokenizer's).

    Returns:
        A float32 array of shape ``(len(texts), hidden)``.
    """
    global _DEFAULT
    if (model is None) != (tokenizer is None):
        raise ValueError("pass both model and tokenizer, or neither")
    if model is None:
        if _DEFAULT is None:
            _DEFAULT = load_minilm()
        model, tokenizer = _DEFAULT
    assert tokenizer is not None
    texts = list(texts)
    encoded = [tokenizer.encode(text, max_length) for text in texts]
    result = np.zeros((len(texts), model.output["sentence_embedding"].shape[-1]), np.float32)
    for positions in length_buckets([len(ids) for ids in encoded], batch_size):
        batch = tokenizer.pad([encoded[p] for p in positions])
        result[positions] = model.predict_on_batch(batch)["sentence_embedding"]
    if normalize:
        result /= np.maximum(np.linalg.norm(result, axis=1, keepdims=True), 1e-12)
    return result
