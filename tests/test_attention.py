"""Tests of helpers.attention: the NumPy attention against Keras's MultiHeadAttention."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from helpers.attention import (
    AttentionWeights,
    BlockWeights,
    encoder_block,
    encoder_block_cost,
    gelu,
    key_padding_mask,
    layer_norm,
    multi_head_attention,
    scaled_dot_product_attention,
    sinusoidal_positions,
    softmax,
)
from helpers.encoder import TransformerBlock


def test_softmax_is_stable_and_gives_masked_scores_zero_weight() -> None:
    scores = np.array([[1000.0, 1000.0, -np.inf], [0.0, np.log(3.0), -np.inf]])
    weights = softmax(scores)
    np.testing.assert_allclose(weights, [[0.5, 0.5, 0.0], [0.25, 0.75, 0.0]], atol=1e-12)
    assert np.isfinite(weights).all()


def test_softmax_refuses_a_slice_with_no_finite_score() -> None:
    with pytest.raises(ValueError, match="every key masked"):
        softmax(np.array([[0.0, 1.0], [-np.inf, -np.inf]]))


def test_scaled_dot_product_attention_by_hand() -> None:
    query = np.array([[1.0, 0.0]])
    key = np.array([[1.0, 0.0], [0.0, 1.0]])
    value = np.array([[10.0], [20.0]])
    output, weights = scaled_dot_product_attention(query, key, value)
    # Scores 1/sqrt(2) and 0: the first key gets e^(0.707) / (e^(0.707) + 1) of the weight.
    first = np.exp(1 / np.sqrt(2)) / (np.exp(1 / np.sqrt(2)) + 1)
    np.testing.assert_allclose(weights, [[first, 1 - first]])
    np.testing.assert_allclose(output, [[10 * first + 20 * (1 - first)]])


def test_masked_keys_are_ignored_and_a_fully_masked_query_raises() -> None:
    rng = np.random.default_rng(0)
    query, key, value = rng.normal(size=(3, 2, 4, 8))
    mask = np.array([True, True, True, False])  # the last key is padding
    output, weights = scaled_dot_product_attention(query, key, value, mask)
    assert np.all(weights[:, :, -1] == 0)
    np.testing.assert_allclose(weights.sum(axis=-1), 1.0)
    changed = value.copy()
    changed[:, -1] = 1e6  # what a masked key holds cannot matter
    np.testing.assert_allclose(scaled_dot_product_attention(query, key, changed, mask)[0], output)
    with pytest.raises(ValueError, match="every key masked"):
        scaled_dot_product_attention(query, key, value, np.zeros(4, dtype=bool))


@pytest.fixture(scope="module")
def keras_attention() -> tuple[keras.layers.MultiHeadAttention, AttentionWeights]:
    weights = AttentionWeights.random(16, 4, 5, np.random.default_rng(1))
    layer = keras.layers.MultiHeadAttention(num_heads=4, key_dim=5)
    layer.build((None, None, 16), (None, None, 16))
    layer.set_weights(weights.as_list())
    return layer, weights


@pytest.mark.parametrize("mask_kind", ["none", "padding", "full"])
def test_multi_head_attention_equals_keras(
    keras_attention: tuple[keras.layers.MultiHeadAttention, AttentionWeights], mask_kind: str
) -> None:
    layer, weights = keras_attention
    rng = np.random.default_rng(2)
    x = rng.normal(size=(3, 6, 16)).astype(np.float32)
    lengths = np.array([6, 4, 1])
    if mask_kind == "none":
        mask = None
    elif mask_kind == "padding":  # (batch, 1, keys): every query ignores the padding
        mask = (np.arange(6)[None, :] < lengths[:, None])[:, None, :]
    else:  # (batch, queries, keys): a causal mask
        mask = np.broadcast_to(np.tril(np.ones((6, 6), dtype=bool)), (3, 6, 6))
    ours, ours_scores = multi_head_attention(x, x, weights, mask)
    theirs, their_scores = layer(x, x, attention_mask=mask, return_attention_scores=True)
    assert ours.shape == (3, 6, 16) and ours_scores.shape == (3, 4, 6, 6)
    np.testing.assert_allclose(ours, keras.ops.convert_to_numpy(theirs), atol=1e-5)
    np.testing.assert_allclose(ours_scores, keras.ops.convert_to_numpy(their_scores), atol=1e-6)
    if mask_kind == "padding":  # the masking really happened
        assert np.all(ours_scores[2, :, :, 1:] == 0)


def test_multi_head_attention_differs_when_a_head_is_wrong(
    keras_attention: tuple[keras.layers.MultiHeadAttention, AttentionWeights],
) -> None:
    layer, weights = keras_attention
    x = np.random.default_rng(3).normal(size=(2, 5, 16)).astype(np.float32)
    swapped = AttentionWeights(
        **{**weights.__dict__, "value": weights.value[:, ::-1]}  # heads in the wrong order
    )
    theirs = keras.ops.convert_to_numpy(layer(x, x))
    assert np.abs(multi_head_attention(x, x, swapped)[0] - theirs).max() > 1e-2


@pytest.mark.parametrize(("d", "heads", "f"), [(384, 12, 1536), (8, 2, 16)])
def test_block_parameters_match_keras(d: int, heads: int, f: int) -> None:
    block = TransformerBlock(d, heads, f)
    block.build((None, None, d))
    assert encoder_block_cost(d, heads, f, 10).parameters == block.count_params()


def test_block_flops_per_token() -> None:
    cost = encoder_block_cost(384, 12, 1536, 128)
    assert cost.flops_by_part == {
        "projections": 8 * 384 * 384,
        "attention": 4 * 128 * 384,
        "feed_forward": 4 * 384 * 1536,
    }
    assert cost.flops_per_token == 3_735_552
    longer = encoder_block_cost(384, 12, 1536, 256)
    assert longer.flops_per_token - cost.flops_per_token == 4 * 128 * 384  # linear in n
    with pytest.raises(ValueError, match="multiple"):
        encoder_block_cost(10, 3, 16, 4)


def test_key_padding_mask_hides_the_padding_from_every_query() -> None:
    mask = key_padding_mask([3, 1], 4)
    assert mask.shape == (2, 1, 4) and mask.dtype == bool
    np.testing.assert_array_equal(mask[:, 0], [[1, 1, 1, 0], [1, 0, 0, 0]])
    for bad in ([0, 2], [5], [[1, 2]]):
        with pytest.raises(ValueError, match="lengths"):
            key_padding_mask(bad, 4)


def test_sinusoidal_positions_follow_the_formula_and_shift_by_a_rotation() -> None:
    encodings = sinusoidal_positions(50, 8)
    assert encodings.shape == (50, 8)
    np.testing.assert_allclose(encodings[0], [0, 1] * 4)  # sin 0, cos 0 in every pair
    t, i = 7, 2  # column 2i = 4 turns at 1 / 10000^(4/8) = 0.01 radians per position
    np.testing.assert_allclose(encodings[t, 2 * i : 2 * i + 2], [np.sin(0.07), np.cos(0.07)])
    assert len({row.tobytes() for row in encodings.round(6)}) == 50  # every position differs
    # Moving k positions rotates each (sin, cos) pair by k * frequency, wherever it starts.
    k, frequency = 5, 10_000 ** (-2 * i / 8)
    angle = k * frequency  # (sin a, cos a) @ rotation = (sin(a + angle), cos(a + angle))
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    for start in (0, 11, 30):
        pair = encodings[start, 2 * i : 2 * i + 2]
        np.testing.assert_allclose(pair @ rotation, encodings[start + k, 2 * i : 2 * i + 2])
    for d in (0, 7):
        with pytest.raises(ValueError, match="even"):
            sinusoidal_positions(4, d)
    with pytest.raises(ValueError, match="length"):
        sinusoidal_positions(0, 4)


def test_layer_norm_and_gelu_equal_keras() -> None:
    rng = np.random.default_rng(4)
    x = rng.normal(2.0, 3.0, size=(2, 5, 8)).astype(np.float32)
    gamma, beta = rng.normal(size=(2, 8)).astype(np.float32)
    layer = keras.layers.LayerNormalization(epsilon=1e-6)
    layer.build(x.shape)
    layer.set_weights([gamma, beta])
    ours = layer_norm(x, gamma, beta, 1e-6)
    np.testing.assert_allclose(ours, keras.ops.convert_to_numpy(layer(x)), atol=1e-5)
    plain = layer_norm(x, np.ones(8), np.zeros(8), 1e-6)
    np.testing.assert_allclose(plain.mean(axis=-1), 0, atol=1e-6)
    np.testing.assert_allclose(plain.std(axis=-1), 1, atol=1e-4)
    z = np.linspace(-5, 5, 101)
    theirs = keras.ops.convert_to_numpy(keras.activations.gelu(z, approximate=False))
    np.testing.assert_allclose(gelu(z), theirs, atol=1e-6)
    assert gelu(np.array([0.0]))[0] == 0 and gelu(np.array([10.0]))[0] == pytest.approx(10)


@pytest.mark.parametrize("padded", [False, True])
def test_encoder_block_equals_the_keras_block(padded: bool) -> None:
    d, heads, f = 16, 4, 24
    block = TransformerBlock(d, heads, f, dropout=0.0, attention_dropout=0.0)
    block.build((None, None, d))
    rng = np.random.default_rng(5)
    # Non-trivial LayerNorm weights, so a swapped gamma / beta would show.
    block.set_weights(
        [rng.normal(size=w.shape).astype(np.float32) * 0.3 for w in block.get_weights()]
    )
    weights = BlockWeights.from_list(block.get_weights())
    assert weights.attention.num_heads == heads and weights.intermediate[0].shape == (d, f)
    x = rng.normal(size=(3, 6, d)).astype(np.float32)
    lengths = np.array([6, 4, 2]) if padded else np.full(3, 6)
    real = (np.arange(6)[None, :] < lengths[:, None]).astype(np.int32)
    theirs = keras.ops.convert_to_numpy(block(x, real))
    ours, attention = encoder_block(x, weights, key_padding_mask(lengths, 6))
    np.testing.assert_allclose(ours, theirs, atol=1e-4)
    assert attention.shape == (3, heads, 6, 6)
    if padded:
        assert np.all(attention[1, :, :, 4:] == 0)
        # The real tokens' outputs do not depend on the padding's content.
        changed = x.copy()
        changed[1, 4:] = 100.0
        again, _ = encoder_block(changed, weights, key_padding_mask(lengths, 6))
        np.testing.assert_allclose(again[1, :4], ours[1, :4], atol=1e-5)
    with pytest.raises(ValueError, match="16 weight arrays"):
        BlockWeights.from_list(block.get_weights()[:-1])
