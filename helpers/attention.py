"""Attention from scratch, in NumPy: the reference the Transformer chapter reads.

Public API:

- :func:`softmax` -- a numerically stable softmax along one axis.
- :func:`scaled_dot_product_attention` -- ``softmax(Q K^T / sqrt(d)) V``, with an
  optional mask of the keys each query may look at.
- :class:`AttentionWeights` and :func:`multi_head_attention` -- several heads, each
  with its own query / key / value projections, joined by an output projection;
  the weights are laid out as in :class:`keras.layers.MultiHeadAttention`, so the
  two can be compared number for number.
- :func:`encoder_block_cost` -- parameters and floating-point operations per
  token of one Transformer encoder block.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "AttentionWeights",
    "BlockCost",
    "encoder_block_cost",
    "multi_head_attention",
    "scaled_dot_product_attention",
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
