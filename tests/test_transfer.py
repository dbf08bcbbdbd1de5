"""Tests of helpers.transfer: the fine-tuning configuration, subsets, the saved classifier."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402

from helpers import sentiment, transfer  # noqa: E402
from helpers import sentiment_models as sm  # noqa: E402
from helpers.wordpiece import WordPieceTokenizer  # noqa: E402

VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "good", "bad", "film", "dull", "##s", "a"]
TINY_ENCODER = {
    "vocab_size": len(VOCAB),
    "hidden_size": 8,
    "num_hidden_layers": 2,
    "num_attention_heads": 2,
    "intermediate_size": 16,
    "max_position_embeddings": 32,
    "type_vocab_size": 2,
    "layer_norm_eps": 1e-12,
    "hidden_dropout_prob": 0.1,
    "attention_probs_dropout_prob": 0.1,
    "hidden_act": "gelu",
}


def _tiny_classifier(labels: tuple[str, ...] = ("negative", "neutral", "positive")):
    keras.utils.set_random_seed(0)
    tokenizer = WordPieceTokenizer(VOCAB, max_length=16)
    return transfer.EncoderClassifier(TINY_ENCODER, labels, tokenizer.get_config(), dropout=0.0)


def _task(rows_per_label: int = 20) -> sm.TaskData:
    labels = ("negative", "positive")
    frame = pd.DataFrame(
        {
            "text": [f"{label} text number {i}" for label in labels for i in range(rows_per_label)],
            "label": [label for label in labels for _ in range(rows_per_label)],
            "rating": 0.0,
            "domain": "movie",
        }
    )
    return sm.TaskData("toy", labels, frame, frame.iloc[:4], frame.iloc[:4])


def test_config_rejects_what_cannot_be_trained() -> None:
    for bad in (
        {"trainable_blocks": 0},
        {"trainable_blocks": 7},
        {"epochs": 0},
        {"warmup": 1.0},
        {"policy": "float16"},
    ):
        with pytest.raises(ValueError):
            transfer.FineTuneConfig(**bad)


def test_curve_config_gives_small_sets_enough_steps() -> None:
    base = transfer.COURSE_FINETUNE
    small = transfer.curve_config(100, base, min_steps=60)
    assert small.epochs * -(-100 // base.batch_size) >= 60 and not small.select_epoch
    assert transfer.curve_config(20_000, base) == base


def test_training_subset_is_stratified_and_sized() -> None:
    data = _task(rows_per_label=30)
    subset = transfer.training_subset(data, 10, seed=1)
    assert len(subset.train) == 10
    assert subset.train["label"].value_counts().to_dict() == {"negative": 5, "positive": 5}
    assert subset.test is data.test and subset.fingerprint() != data.fingerprint()
    assert transfer.training_subset(data, None) is data
    with pytest.raises(ValueError, match="classes"):
        transfer.training_subset(data, 1)


def test_classifier_saves_with_its_tokenizer_and_predicts_the_same(tmp_path: Path) -> None:
    model = _tiny_classifier()
    texts = ["a good film", "bad", "dull films", "a"]
    before = model.predict_texts(texts)
    np.testing.assert_allclose(before.sum(axis=1), 1.0, rtol=1e-6)
    # Order does not depend on the length-bucketing inside.
    np.testing.assert_allclose(model.predict_texts(texts[::-1])[::-1], before, atol=1e-6)
    path = tmp_path / "tiny.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert isinstance(loaded, transfer.EncoderClassifier)
    assert loaded.labels == ["negative", "neutral", "positive"]
    assert loaded.tokenizer.vocab == VOCAB
    np.testing.assert_allclose(loaded.predict_texts(texts), before, atol=1e-6)


def test_sentiment_predict_serves_a_saved_classifier(tmp_path: Path) -> None:
    path = tmp_path / "encoder.keras"
    _tiny_classifier().save(path)
    frame = sentiment.predict(["a good film", "a dull film"], model_path=path)
    assert list(frame.columns) == ["text", "label", "p_negative", "p_neutral", "p_positive"]
    np.testing.assert_allclose(frame.filter(like="p_").sum(axis=1), 1.0, rtol=1e-6)


def test_fine_tune_trains_only_the_top_blocks_and_the_head() -> None:
    data = _task(rows_per_label=16)
    config = transfer.FineTuneConfig(
        trainable_blocks=1, epochs=2, batch_size=8, max_length=16, policy="float32"
    )
    model, result = transfer.fine_tune(data, config, seed=0, keep_probabilities=True)
    fresh = transfer._new_classifier(list(data.labels), config)
    for index in range(6):
        block, pretrained = (m.encoder.get_layer(f"block_{index}") for m in (model, fresh))
        same = all(
            np.array_equal(a, b)
            for a, b in zip(block.get_weights(), pretrained.get_weights(), strict=True)
        )
        assert same == (index < 5), f"block_{index}"
    assert result.method == "minilm_finetuned" and len(result.test_pred) == len(data.test)
    assert len(result.history) == 2 and result.best_epoch in (1, 2)
    assert len(result.extra["train_proba"]) == len(data.train)
    # The saved predictions are the model's own: recompute them from raw text.
    again = model.predict_texts(data.test["text"].tolist())
    np.testing.assert_allclose(again, np.array(result.test_proba), atol=2e-4)


def test_the_reusable_schedule_equals_keras_cosine_decay_with_warmup() -> None:
    # _WarmupCosine holds its numbers in variables so a traced step can be reused;
    # its values must be Keras's CosineDecay with a linear warm-up from 0.
    steps, warmup, peak = 50, 5, 2e-4
    schedule = transfer._WarmupCosine()
    schedule.peak.assign(peak)
    schedule.warmup_steps.assign(float(warmup))
    schedule.total_steps.assign(float(steps))
    keras_schedule = keras.optimizers.schedules.CosineDecay(
        0.0, steps - warmup, warmup_target=peak, warmup_steps=warmup
    )
    for step in (0, 1, 4, 5, 6, 20, 49, 50, 60):
        np.testing.assert_allclose(
            float(schedule(step)), float(keras_schedule(step)), rtol=1e-5, atol=1e-12
        )


def test_a_run_gives_the_same_result_on_a_new_or_a_reused_trainer() -> None:
    # fine_tune keeps its compiled top per process; reset must leave nothing behind.
    data, other = _task(rows_per_label=12), _task(rows_per_label=8)
    config = transfer.FineTuneConfig(
        trainable_blocks=1, epochs=2, batch_size=8, max_length=16, learning_rate=3e-4
    )
    transfer._TRAINERS.clear()
    first_model, first = transfer.fine_tune(data, config, seed=1)
    transfer.fine_tune(other, config, seed=2)  # moves the weights, optimizer and seeds on
    again_model, again = transfer.fine_tune(data, config, seed=1)
    assert again.test_proba == first.test_proba and again.history == first.history
    trained = (lambda m: m.encoder.get_layer("block_5"), lambda m: m.get_layer("head"))
    for layer in trained:
        for a, b in zip(
            layer(first_model).get_weights(), layer(again_model).get_weights(), strict=True
        ):
            np.testing.assert_array_equal(a, b)
    # and a different seed gives a different run.
    _, third = transfer.fine_tune(data, config, seed=3)
    assert third.test_proba != first.test_proba


def test_frozen_states_are_the_bottom_blocks_output_and_are_remembered() -> None:
    texts = ["a gorgeous, moving film", "dull"]
    first = transfer.frozen_states(texts, 2, max_length=16)
    assert [s.shape for s in first] == [(7, 384), (3, 384)]  # [CLS] ... [SEP]
    assert all(a is b for a, b in zip(transfer.frozen_states(texts, 2, 16), first, strict=True))
    with pytest.raises(ValueError, match="0..5"):
        transfer.frozen_states(texts, 6)


def test_run_fine_tune_caches_its_result_and_model(tmp_path: Path) -> None:
    data = replace(_task(rows_per_label=8))
    config = transfer.FineTuneConfig(trainable_blocks=1, epochs=1, batch_size=8, max_length=16)
    first = transfer.run_fine_tune(data, config, save_model=True, cache_dir=tmp_path)
    assert transfer.fine_tuned_model_path(first, tmp_path).is_file()
    again = transfer.run_fine_tune(data, config, save_model=True, cache_dir=tmp_path)
    assert again.test_proba == first.test_proba and again.key == first.key


def test_training_throughput_times_both_ways_and_needs_enough_batches() -> None:
    texts = [f"a good film number {i}" for i in range(48)]
    config = transfer.FineTuneConfig(batch_size=8, max_length=16, policy="float32")
    for whole in (False, True):
        rate = transfer.training_throughput(
            texts, config, whole_encoder=whole, pad_to=16 if whole else None, seconds=0.1
        )
        assert rate > 0
    with pytest.raises(ValueError, match="too few"):
        transfer.training_throughput(texts[:8], config, seconds=0.1)


def test_embedding_baseline_predicts_every_test_text_and_is_cached(tmp_path: Path) -> None:
    data = _task(rows_per_label=8)
    grid = (0.1, 10.0)
    result = transfer.embedding_baseline(data, c_grid=grid)
    assert result.method == "minilm_frozen_lr" and result.extra["C"] in grid
    assert len(result.test_pred) == len(data.test) and set(result.test_pred) <= set(data.labels)
    np.testing.assert_allclose(np.sum(result.test_proba, axis=1), 1.0, rtol=1e-6)
    assert result.n_params == 384 + 1  # one weight per embedding number, one bias (2 classes)
    first = transfer.run_embedding_baseline(data, cache_dir=tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == [f"toy-minilm_frozen_lr-{first.key}.json"]
    again = transfer.run_embedding_baseline(data, cache_dir=tmp_path)
    assert again.test_proba == first.test_proba and again.key == first.key
