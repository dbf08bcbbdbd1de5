"""Attention from scratch, in NumPy: the reference the Transformer chapter reads.

Public API:

- :func:`softmax` -- a numerically stable softmax along one axis.
- :func:`scaled_dot_product_attention` -- ``softmax(Q K^T / sqrt(d)) V``, with an
  optional mask of the keys each query may look at.
- :class:`AttentionWeights` and :func:`multi_head_attention` -- several heads, each
  with its own query / key / value projections, joined by an output projection;
  the weights are laid out as in :class:`keras.layers.MultiHeadAttention`, so the
  two can be compared number for number.
- :func:`key_padding_mask` -- the mask that hides padded keys from every query.
- :func:`sinusoidal_positions` -- the fixed position encodings of Vaswani et al. (2017).
- :func:`layer_norm`, :func:`gelu`, :class:`BlockWeights` and :func:`encoder_block`
  -- one post-LayerNorm Transformer encoder block (BERT's), weights laid out as
  :class:`helpers.encoder.TransformerBlock` holds them.
- :func:`encoder_block_cost` -- parameters and floating-point operations per
  token of one Transformer encoder block.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.special import erf

__all__ = [
    "AttentionWeights",
    "BlockCost",
    "BlockWeights",
    "encoder_block",
    "encoder_block_cost",
    "gelu",
    "key_padding_mask",
    "layer_norm",
    "multi_head_attention",
    "scaled_dot_product_attention",
    "sinusoidal_positions",
    "softmax",
]


def softmax(scores: np.ndarray, axis: int = -1) -> np.ndarray:
    """``exp(s) / sum(exp(s))`` along ``axis``, the maximum subtracted first (no overflow).

    A score of ``-inf`` gets weight 0. A slice that is ``-inf`` everywhere has no
    defined softmax: it would be NaN, so it raises :class:`ValueError` instead.
    """
    scores = np.asarray(scores)
    largest = np.max(scores, axis=axis, keepdims=True)
    if np.isneginf(largest).any():
        raise ValueError("a softmax slice is -inf everywhere (every key masked): no weights exist")
    exps = np.exp(scores - largest)
    return exps / np.sum(exps, axis=axis, keepdims=True)


def scaled_dot_product_attention(
    query: np.ndarray,
    key: np.ndarray,
    value: np.ndarray,
    mask: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Each query averages the values, weighted by how well it matches each key.

    ``weights = softmax(query @ key^T / sqrt(d))``, ``output = weights @ value``.
    Dividing by ``sqrt(d)`` keeps the scores' spread independent of the vector
    size ``d``, so the softmax does not saturate.

    Args:
        query: ``(..., n_queries, d)``.
        key: ``(..., n_keys, d)``.
        value: ``(..., n_keys, d_value)``.
        mask: optional booleans broadcastable to ``(..., n_queries, n_keys)``:
            True where the query may attend to the key. A masked key gets the
            score ``-inf``, hence weight 0 (padding is masked this way).

    Returns:
        ``(output, weights)``: ``(..., n_queries, d_value)`` and
        ``(..., n_queries, n_keys)``; each row of ``weights`` sums to 1.

    Raises:
        ValueError: a query has every key masked (its weights would be NaN).
    """
    d = query.shape[-1]
    scores = query @ np.swapaxes(key, -1, -2) / np.sqrt(d)
    if mask is not None:
        mask = np.broadcast_to(np.asarray(mask, dtype=bool), scores.shape)
        if not mask.any(axis=-1).all():
            raise ValueError(
                "a query has every key masked, so its attention weights are undefined (NaN); "
                "make sure each row of the mask allows at least one key"
            )
        scores = np.where(mask, scores, -np.inf)
    weights = softmax(scores, axis=-1)
    return weights @ value, weights


@dataclass(frozen=True)
class AttentionWeights:
    """The projections of multi-head attention, in Keras's layout.

    ``query``, ``key``, ``value``: ``(d_model, heads, head_size)`` with biases
    ``(heads, head_size)``; ``output``: ``(heads, head_size, d_model)`` with bias
    ``(d_model,)``. Head ``h`` sees ``x @ query[:, h, :]`` -- its own slice.
    """

    query: np.ndarray
    query_bias: np.ndarray
    key: np.ndarray
    key_bias: np.ndarray
    value: np.ndarray
    value_bias: np.ndarray
    output: np.ndarray
    output_bias: np.ndarray

    @property
    def num_heads(self) -> int:
        """The number of heads."""
        return self.query.shape[1]

    @classmethod
    def random(
        cls, d_model: int, num_heads: int, head_size: int, rng: np.random.Generator
    ) -> AttentionWeights:
        """Small random weights (for tests and demonstrations), float32."""

        def normal(*shape: int) -> np.ndarray:
            return (rng.standard_normal(shape) * 0.2).astype(np.float32)

        return cls(
            normal(d_model, num_heads, head_size),
            normal(num_heads, head_size),
            normal(d_model, num_heads, head_size),
            normal(num_heads, head_size),
            normal(d_model, num_heads, head_size),
            normal(num_heads, head_size),
            normal(num_heads, head_size, d_model),
            normal(d_model),
        )

    def as_list(self) -> list[np.ndarray]:
        """The arrays in the order ``keras.layers.MultiHeadAttention.set_weights`` expects."""
        return [
            self.query,
            self.query_bias,
            self.key,
            self.key_bias,
            self.value,
            self.value_bias,
            self.output,
            self.output_bias,
        ]


def multi_head_attention(
    query_input: np.ndarray,
    value_input: np.ndarray,
    weights: AttentionWeights,
    mask: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Multi-head attention: project, attend in every head at once, join the heads.

    Args:
        query_input: ``(batch, n_queries, d_model)``.
        value_input: ``(batch, n_keys, d_model)`` (the same array for self-attention).
        weights: the projections.
        mask: optional booleans ``(batch, n_queries, n_keys)`` (or broadcastable,
            e.g. ``(batch, 1, n_keys)`` for padding): True where attending is allowed.

    Returns:
        ``(output, attention)``: ``(batch, n_queries, d_model)`` and the weights
        of every head, ``(batch, heads, n_queries, n_keys)``.
    """
    # "bnd,dhk->bhnk": every position's vector times every head's projection matrix.
    query = np.einsum("bnd,dhk->bhnk", query_input, weights.query) + weights.query_bias[:, None]
    key = np.einsum("bnd,dhk->bhnk", value_input, weights.key) + weights.key_bias[:, None]
    value = np.einsum("bnd,dhk->bhnk", value_input, weights.value) + weights.value_bias[:, None]
    head_mask = (
        None if mask is None else np.asarray(mask, dtype=bool)[:, None]
    )  # same for all heads
    heads, attention = scaled_dot_product_attention(query, key, value, head_mask)
    output = np.einsum("bhnk,hkd->bnd", heads, weights.output) + weights.output_bias
    return output, attention


def key_padding_mask(lengths: Sequence[int] | np.ndarray, max_length: int) -> np.ndarray:
    """The attention mask of a padded batch: ``(batch, 1, max_length)`` booleans.

    Row ``b`` is True at the first ``lengths[b]`` positions (real tokens) and
    False at the padding after them; the middle axis of size 1 broadcasts over
    the queries, so every query ignores the same padded keys.
    """
    lengths = np.asarray(lengths)
    if lengths.ndim != 1 or (lengths < 1).any() or (lengths > max_length).any():
        raise ValueError(f"lengths must be a 1-D sequence of integers in 1..{max_length}")
    return (np.arange(max_length)[None, :] < lengths[:, None])[:, None, :]


def sinusoidal_positions(length: int, d_model: int, base: float = 10_000.0) -> np.ndarray:
    """The fixed position encodings of "Attention Is All You Need", ``(length, d_model)``.

    ``P[t, 2i] = sin(t / base^(2i/d))`` and ``P[t, 2i+1] = cos(t / base^(2i/d))``:
    each pair of columns is a clock turning at its own speed, from once every
    ``2 pi`` positions (the first pair) to about once every ``2 pi * base``
    positions (the last), so every position gets a different pattern and a
    shift by ``k`` positions is the same rotation of each pair wherever it starts.
    """
    if d_model < 2 or d_model % 2:
        raise ValueError(f"d_model must be a positive even number, got {d_model}")
    if length < 1:
        raise ValueError(f"length must be positive, got {length}")
    frequencies = base ** (-np.arange(0, d_model, 2) / d_model)  # (d/2,)
    angles = np.arange(length)[:, None] * frequencies[None, :]  # (length, d/2)
    encodings = np.empty((length, d_model))
    encodings[:, 0::2] = np.sin(angles)
    encodings[:, 1::2] = np.cos(angles)
    return encodings


def layer_norm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float) -> np.ndarray:
    """Normalize each vector (the last axis) to mean 0 and variance 1, then scale and shift.

    ``gamma * (x - mean) / sqrt(var + eps) + beta``, the variance without
    Bessel's correction, as :class:`keras.layers.LayerNormalization` computes it.
    """
    mean = x.mean(axis=-1, keepdims=True)
    variance = x.var(axis=-1, keepdims=True)
    return gamma * (x - mean) / np.sqrt(variance + eps) + beta


def gelu(x: np.ndarray) -> np.ndarray:
    """The exact GELU, ``x * Phi(x) = x (1 + erf(x / sqrt 2)) / 2`` (BERT's activation)."""
    return 0.5 * x * (1.0 + erf(x / np.sqrt(2.0)))


@dataclass(frozen=True)
class BlockWeights:
    """The weights of one encoder block, as :class:`helpers.encoder.TransformerBlock` holds them.

    ``attention``: the self-attention's projections; ``attention_norm`` and
    ``output_norm``: LayerNorm ``(gamma, beta)``, each ``(d,)``;
    ``intermediate``: the first feed-forward layer ``(kernel (d, f), bias (f,))``;
    ``output``: the second ``(kernel (f, d), bias (d,))``.
    """

    attention: AttentionWeights
    attention_norm: tuple[np.ndarray, np.ndarray]
    intermediate: tuple[np.ndarray, np.ndarray]
    output: tuple[np.ndarray, np.ndarray]
    output_norm: tuple[np.ndarray, np.ndarray]

    @classmethod
    def from_list(cls, arrays: Sequence[np.ndarray]) -> BlockWeights:
        """From the 16 arrays of ``TransformerBlock.get_weights()``, in that order."""
        arrays = [np.asarray(a) for a in arrays]
        if len(arrays) != 16:
            raise ValueError(f"an encoder block has 16 weight arrays, got {len(arrays)}")
        return cls(
            AttentionWeights(*arrays[:8]),
            (arrays[8], arrays[9]),
            (arrays[10], arrays[11]),
            (arrays[12], arrays[13]),
            (arrays[14], arrays[15]),
        )


def encoder_block(
    x: np.ndarray, weights: BlockWeights, mask: np.ndarray | None = None, eps: float = 1e-12
) -> tuple[np.ndarray, np.ndarray]:
    """One post-LayerNorm encoder block (BERT's), in inference mode (no dropout).

    ``a = LayerNorm(x + MultiHeadAttention(x, x))`` then
    ``output = LayerNorm(a + GELU(a W1 + b1) W2 + b2)``: each sub-layer adds its
    result to its input (a residual connection), and LayerNorm rescales the sum.

    Args:
        x: ``(batch, length, d)``.
        weights: the block's weights.
        mask: as for :func:`multi_head_attention` (e.g. :func:`key_padding_mask`).
        eps: the LayerNorms' epsilon.

    Returns:
        ``(output, attention)``: ``(batch, length, d)`` and the attention weights
        of every head, ``(batch, heads, length, length)``.
    """
    attended, attention = multi_head_attention(x, x, weights.attention, mask)
    a = layer_norm(x + attended, *weights.attention_norm, eps)
    (w1, b1), (w2, b2) = weights.intermediate, weights.output
    hidden = gelu(a @ w1 + b1) @ w2 + b2
    return layer_norm(a + hidden, *weights.output_norm, eps), attention


@dataclass(frozen=True)
class BlockCost:
    """Size and compute of one encoder block (see :func:`encoder_block_cost`)."""

    parameters: int
    flops_per_token: int
    flops_by_part: dict[str, int]


def encoder_block_cost(
    hidden_size: int, num_heads: int, intermediate_size: int, sequence_length: int
) -> BlockCost:
    """Count the parameters of one Transformer encoder block and its FLOPs per token.

    Parameters: the query, key, value and output projections (``4 (d^2 + d)``),
    the feed-forward layers (``d f + f + f d + d``) and two LayerNorms
    (``2 * 2d``). The number of heads does not change them: the heads split
    the width ``d`` between them.

    FLOPs per token count the matrix multiplications, a multiply and an add
    being 2 operations: the four projections (``4 * 2 d^2``), scores against
    every one of the ``n`` positions and the weighted sum of their values
    (``2 * 2 n d``), and the feed-forward layers (``2 * 2 d f``). Softmax,
    GELU, LayerNorm and the biases add a few operations per number, under
    1 % here, and are left out. The attention term grows with the sequence
    length ``n``; everything else is the same for every token.
    """
    d, f, n = hidden_size, intermediate_size, sequence_length
    if d % num_heads:
        raise ValueError(f"hidden_size {d} is not a multiple of num_heads {num_heads}")
    parameters = 4 * (d * d + d) + (d * f + f) + (f * d + d) + 2 * (2 * d)
    parts = {
        "projections": 4 * 2 * d * d,
        "attention": 2 * 2 * n * d,
        "feed_forward": 2 * 2 * d * f,
    }
    return BlockCost(parameters, sum(parts.values()), parts)
