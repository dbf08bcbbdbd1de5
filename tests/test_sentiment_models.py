"""Tests of helpers.sentiment_models: tasks, tokens, models, training, baselines, the cache."""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

from helpers import sentiment_models as sm  # noqa: E402

# ----------------------------------------------------------------------------- tasks


@pytest.fixture(scope="module")
def binary() -> sm.TaskData:
    return sm.load_task("movie_binary")


@pytest.fixture(scope="module")
def three() -> sm.TaskData:
    return sm.load_task("all_3class")


def test_binary_task_excludes_neutral_rows_and_counts_them(binary: sm.TaskData) -> None:
    from helpers.data import load_vader

    movie = load_vader("movie")
    assert binary.labels == ("negative", "positive")
    for part in ("train", "validation", "test"):
        assert set(binary.part(part)["label"]) == {"negative", "positive"}
    assert sum(binary.excluded.values()) == int((movie["label"] == "neutral").sum())
    total = sum(len(binary.part(p)) for p in ("train", "validation", "test"))
    assert total + sum(binary.excluded.values()) == len(movie)


def test_parts_are_disjoint_and_extra_rows_hold_no_movie_text(binary: sm.TaskData) -> None:
    ids = [set(binary.part(p)["id"]) for p in ("train", "validation", "test")]
    assert not (ids[0] & ids[1]) and not (ids[0] & ids[2]) and not (ids[1] & ids[2])
    assert binary.extra_train is not None
    assert "movie" not in set(binary.extra_train["domain"])
    assert "neutral" not in set(binary.extra_train["label"])


def test_three_class_task_covers_every_snippet(three: sm.TaskData) -> None:
    from helpers.data import load_vader

    assert three.labels == ("negative", "neutral", "positive")
    total = sum(len(three.part(p)) for p in ("train", "validation", "test"))
    assert total == len(load_vader("all"))
    assert set(three.test["domain"]) == {"movie", "tweets", "product", "editorial"}
    y = three.y("train")
    assert y.dtype == np.int64 and set(np.unique(y)) == {0, 1, 2}


def test_unknown_task_and_part_are_refused(three: sm.TaskData) -> None:
    with pytest.raises(ValueError, match="unknown task"):
        sm.load_task("imdb")
    with pytest.raises(ValueError, match="part must be"):
        three.part("dev")


def test_fingerprint_changes_with_the_data(binary: sm.TaskData) -> None:
    changed = sm.TaskData(
        binary.name, binary.labels, binary.train.iloc[1:], binary.validation, binary.test
    )
    assert binary.fingerprint() == sm.load_task("movie_binary").fingerprint()
    assert changed.fingerprint() != binary.fingerprint()


# ----------------------------------------------------------------------------- tokens


def test_standardize_keeps_sentiment_punctuation_and_emoticons() -> None:
    tokens = sm.tokenize(["I don't like it :( !!", "Great :-) really?", "well, ok."])
    assert tokens[0] == ["i", "dont", "like", "it", "xxfrown", "!", "!"]
    assert tokens[1] == ["great", "xxsmile", "really", "?"]
    assert tokens[2] == ["well", "ok"]


def test_token_counts_and_length_choice() -> None:
    texts = ["one", "one two", "one two three", "a b c d e f g h i j"]
    np.testing.assert_array_equal(sm.token_counts(texts), [1, 2, 3, 10])
    assert sm.choose_sequence_length(texts, 100) == 10
    assert sm.choose_sequence_length(texts, 50) == int(np.ceil(np.percentile([1, 2, 3, 10], 50)))
    with pytest.raises(ValueError, match="percentile"):
        sm.choose_sequence_length(texts, 0)


def test_vocabulary_size_counts_tokens_seen_often_enough() -> None:
    texts = ["good good bad", "good ugly", "bad"]
    assert sm.token_frequencies(texts).to_dict() == {"good": 3, "bad": 2, "ugly": 1}
    assert sm.choose_vocabulary_size(texts, min_count=2) == 2 + 2
    assert sm.choose_vocabulary_size(texts, min_count=1) == 3 + 2


def test_text_helpers_refuse_bad_input() -> None:
    with pytest.raises(ValueError, match="non-empty"):
        sm.token_counts([])
    with pytest.raises(TypeError, match="strings"):
        sm.token_counts(["fine", 3])


def test_vectorizer_maps_padding_to_0_and_unknown_words_to_1() -> None:
    vectorizer = sm.make_vectorizer(["good good film", "bad film"], 10, 5)
    vocabulary = vectorizer.get_vocabulary()
    assert vocabulary[:2] == ["", "[UNK]"] and vocabulary[2] == "good"
    row = vectorizer(tf.constant(["good zzz"])).numpy()[0]
    np.testing.assert_array_equal(row, [2, 1, 0, 0, 0])


# ----------------------------------------------------------------------------- models


def test_masked_average_ignores_padding_and_handles_empty_texts() -> None:
    values = np.arange(2 * 3 * 2, dtype="float32").reshape(2, 3, 2)
    mask = np.array([[True, True, False], [False, False, False]])
    result = keras.ops.convert_to_numpy(sm.MaskedAverage()(values, mask=mask))
    np.testing.assert_allclose(result[0], values[0, :2].mean(axis=0))
    np.testing.assert_allclose(result[1], [0.0, 0.0])


@pytest.mark.parametrize(
    ("kind", "recurrent"),
    [("bag", 0), ("lstm", 4 * (16 * 8 + 8 * 8 + 8)), ("bilstm", 2 * 4 * (16 * 8 + 8 * 8 + 8))],
)
def test_parameter_counts_follow_the_formulas(kind: str, recurrent: int) -> None:
    config = sm.ModelConfig(kind=kind, embedding_dim=16, units=8)
    model = sm.build_model(config, vocabulary_size=100, sequence_length=7, n_classes=3)
    encoded = 16 if kind == "bag" else (8 if kind == "lstm" else 16)
    assert sm.count_parameters(model) == 100 * 16 + recurrent + (encoded + 1) * 3


def test_output_layer_and_loss_depend_on_the_task() -> None:
    binary = sm.build_model(sm.ModelConfig(), vocabulary_size=50, sequence_length=5, n_classes=2)
    three = sm.build_model(sm.ModelConfig(), vocabulary_size=50, sequence_length=5, n_classes=3)
    rating = sm.build_model(
        sm.ModelConfig(target="rating"), vocabulary_size=50, sequence_length=5, n_classes=3
    )
    assert binary.output_shape == (None, 1) and binary.loss == "binary_crossentropy"
    assert three.output_shape == (None, 3) and three.loss == "sparse_categorical_crossentropy"
    assert rating.output_shape == (None, 1) and rating.loss == "mean_squared_error"
    assert binary.layers[-1].activation.__name__ == "sigmoid"
    assert three.layers[-1].activation.__name__ == "softmax"


def test_config_is_validated_and_learning_rate_defaults_by_kind() -> None:
    with pytest.raises(ValueError, match="kind"):
        sm.ModelConfig(kind="gru")
    with pytest.raises(ValueError, match="dropout"):
        sm.ModelConfig(dropout=1.0)
    with pytest.raises(ValueError, match="units"):
        sm.ModelConfig(units=0)
    assert sm.ModelConfig(kind="bag").adam_learning_rate == sm.DEFAULT_LEARNING_RATES["bag"]
    assert sm.ModelConfig(kind="lstm", learning_rate=0.01).adam_learning_rate == 0.01


def test_transformer_parameters_follow_the_formula() -> None:
    from helpers.attention import encoder_block_cost

    d, f, heads, blocks, vocabulary, length = 16, 24, 4, 2, 100, 7
    config = sm.ModelConfig(
        kind="transformer", embedding_dim=d, units=f, num_heads=heads, num_blocks=blocks
    )
    model = sm.build_model(config, vocabulary_size=vocabulary, sequence_length=length, n_classes=3)
    # words, positions, one token type, the embeddings' LayerNorm; the blocks; the output layer
    embeddings = vocabulary * d + length * d + d + 2 * d
    block = encoder_block_cost(d, heads, f, length).parameters
    assert sm.count_parameters(model) == embeddings + blocks * block + (d + 1) * 3
    assert [layer.name for layer in model.layers if "block" in layer.name] == ["block_0", "block_1"]


def test_transformer_config_is_validated_and_kept_out_of_chapter_8s_comparison() -> None:
    assert "transformer" in sm.ModelConfig.KINDS and "transformer" not in sm.NEURAL_KINDS
    assert sm.ModelConfig(kind="transformer").adam_learning_rate == 1e-3
    with pytest.raises(ValueError, match="multiple of num_heads"):
        sm.ModelConfig(kind="transformer", embedding_dim=10, num_heads=4)
    with pytest.raises(ValueError, match="l2"):
        sm.ModelConfig(kind="transformer", l2=1e-4)
    with pytest.raises(ValueError, match="num_heads"):
        sm.ModelConfig(kind="transformer", num_heads=0)
    with pytest.raises(ValueError, match="num_blocks"):
        sm.ModelConfig(num_blocks=True)
    assert "num_heads" in asdict(sm.ModelConfig())  # part of every run's cache key


def test_padding_mask_marks_real_tokens() -> None:
    tokens = np.array([[4, 9, 0, 0], [0, 0, 0, 0]])
    mask = keras.ops.convert_to_numpy(sm.PaddingMask()(tokens))
    np.testing.assert_array_equal(mask, [[1, 1, 0, 0], [0, 0, 0, 0]])
    assert mask.dtype == np.int32


def test_transformer_ignores_padding_and_saves(tmp_path: Path) -> None:
    config = sm.ModelConfig(kind="transformer", embedding_dim=8, units=8, dropout=0.1)
    model = sm.build_model(config, vocabulary_size=20, sequence_length=6, n_classes=2)
    tokens = np.array([[3, 4, 5, 0, 0, 0], [0, 0, 0, 0, 0, 0]])
    before = model.predict(tokens, verbose=0)
    assert np.isfinite(before).all()  # a text with no token gets an answer, not NaN
    # What the padding positions' embeddings hold cannot change a real text's answer.
    embedding = model.get_layer("embedding")
    table = embedding.word_embeddings.embeddings
    table.assign(keras.ops.convert_to_numpy(table) * np.r_[100.0, np.ones(19)][:, None])
    np.testing.assert_allclose(model.predict(tokens, verbose=0)[0], before[0], atol=1e-6)
    model.save(tmp_path / "transformer.keras")
    loaded = keras.saving.load_model(tmp_path / "transformer.keras")
    np.testing.assert_allclose(loaded.predict(tokens, verbose=0), model.predict(tokens, verbose=0))


def test_exported_model_reads_raw_strings_like_the_token_model() -> None:
    texts = ["good film", "bad bad film", "a good one"]
    vectorizer = sm.make_vectorizer(texts, 10, 4)
    model = sm.build_model(sm.ModelConfig(), vocabulary_size=10, sequence_length=4, n_classes=3)
    exported = sm.export_text_model(vectorizer, model)
    np.testing.assert_allclose(
        exported.predict(tf.constant(texts), verbose=0),
        model.predict(vectorizer(tf.constant(texts)), verbose=0),
        rtol=1e-6,
    )


# ----------------------------------------------------------------------------- baselines


def _tiny_task(binary: sm.TaskData, rows: int = 400) -> sm.TaskData:
    return sm.TaskData(
        "movie_binary",
        binary.labels,
        binary.train.head(rows).reset_index(drop=True),
        binary.validation.head(rows // 2).reset_index(drop=True),
        binary.test.head(rows // 2).reset_index(drop=True),
    )


def test_tfidf_pipeline_refitted_at_the_chosen_c_gives_the_baselines_predictions(
    binary: sm.TaskData,
) -> None:
    from sklearn.pipeline import make_pipeline

    task = _tiny_task(binary)
    linear = sm.tfidf_logreg_baseline(task, c_grid=(0.1, 10.0))
    vectorizer = sm.tfidf_vectorizer()
    assert vectorizer.ngram_range == (1, 2) and vectorizer.sublinear_tf
    assert sm.tfidf_classifier(3).C == 3.0
    pipeline = make_pipeline(vectorizer, sm.tfidf_classifier(linear.extra["C"]))
    pipeline.fit(task.train["text"].to_numpy(), task.y("train"))
    predicted = np.asarray(task.labels)[pipeline.predict(task.test["text"].to_numpy())]
    assert predicted.tolist() == linear.test_pred


def test_vader_labels_use_the_documented_thresholds() -> None:
    labels = sm.vader_labels([-0.5, -0.05, -0.049, 0.0, 0.049, 0.05, 0.9])
    assert labels.tolist() == [
        "negative",
        "negative",
        "neutral",
        "neutral",
        "neutral",
        "positive",
        "positive",
    ]


def test_baselines_predict_every_test_row(binary: sm.TaskData) -> None:
    task = _tiny_task(binary)
    majority = sm.majority_baseline(task)
    assert set(majority.test_pred) == {majority.extra["majority_label"]}
    vader = sm.vader_baseline(task)
    assert len(vader.test_pred) == len(task.test)
    assert set(vader.test_pred) <= {"negative", "neutral", "positive"}
    share = np.mean(np.asarray(vader.test_pred) == "neutral")
    assert vader.extra["neutral_share"] == pytest.approx(share)
    linear = sm.tfidf_logreg_baseline(task, c_grid=(0.1, 10.0))
    scores = linear.extra["validation_accuracy_by_C"]
    assert linear.validation_accuracy == max(scores.values())
    assert str(linear.extra["C"]) in scores
    np.testing.assert_allclose(np.sum(linear.test_proba, axis=1), 1.0)


# ----------------------------------------------------------------------------- training


def test_sentiment_training_is_reproducible(binary: sm.TaskData) -> None:
    """Training the same small configuration twice with one seed gives identical results."""
    task = _tiny_task(binary)
    config = sm.ModelConfig(kind="lstm", embedding_dim=8, units=8, max_epochs=2)
    _, first = sm.train_neural(task, config, seed=7)
    _, second = sm.train_neural(task, config, seed=7)
    assert first.history == second.history
    assert first.test_proba == second.test_proba
    assert first.validation_accuracy == second.validation_accuracy
    _, other = sm.train_neural(task, config, seed=8)
    assert other.test_proba != first.test_proba


@pytest.mark.parametrize("kind", ["lstm", "bag", "transformer"])
def test_a_restarted_model_trains_exactly_like_a_new_one(binary: sm.TaskData, kind: str) -> None:
    task = _tiny_task(binary)
    config = sm.ModelConfig(kind=kind, embedding_dim=8, units=8, max_epochs=2, dropout=0.5)
    _, new = sm.train_neural(task, config, seed=8)
    used, _ = sm.train_neural(task, config, seed=7)
    restarted, again = sm.train_neural(task, config, seed=8, reuse=used)
    assert restarted is used
    assert again.history == new.history
    assert again.test_proba == new.test_proba


def test_restart_refuses_another_architecture(binary: sm.TaskData) -> None:
    small = sm.build_model(
        sm.ModelConfig(units=4), vocabulary_size=50, sequence_length=5, n_classes=2
    )
    large = sm.build_model(
        sm.ModelConfig(units=8), vocabulary_size=50, sequence_length=5, n_classes=2
    )
    with pytest.raises(ValueError, match="same architecture"):
        sm.restart(small, large)


def test_training_records_what_the_comparison_needs(binary: sm.TaskData) -> None:
    task = _tiny_task(binary)
    config = sm.ModelConfig(kind="bag", embedding_dim=8, max_epochs=3)
    model, result = sm.train_neural(task, config, seed=1)
    assert len(result.test_pred) == len(task.test)
    np.testing.assert_allclose(np.sum(result.test_proba, axis=1), 1.0, rtol=1e-6)
    assert 1 <= result.best_epoch <= len(result.history) <= 3
    assert result.n_params == sm.count_parameters(model)
    assert result.history_frame().index.tolist() == list(range(1, len(result.history) + 1))
    assert {"loss", "val_loss"} <= set(result.history[0])


# ----------------------------------------------------------------------------- the cache


def test_cached_result_computes_once_then_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []

    def compute() -> sm.MethodResult:
        calls.append(1)
        return sm.MethodResult(method="m", task="t", labels=["a", "b"], test_pred=["a", "b"])

    monkeypatch.delenv(sm.RETRAIN_ENV, raising=False)
    first = sm.cached_result("t-m", "k1", compute, cache_dir=tmp_path)
    second = sm.cached_result("t-m", "k1", compute, cache_dir=tmp_path)
    assert len(calls) == 1 and first.to_dict() == second.to_dict()
    assert json.loads((tmp_path / "t-m-k1.json").read_text())["key"] == "k1"
    monkeypatch.setenv(sm.RETRAIN_ENV, "1")
    sm.cached_result("t-m", "k1", compute, cache_dir=tmp_path)
    assert len(calls) == 2
    monkeypatch.delenv(sm.RETRAIN_ENV)
    (tmp_path / "t-m-k1.json").write_text("{not json")
    sm.cached_result("t-m", "k1", compute, cache_dir=tmp_path)
    assert len(calls) == 3
    sm.cached_result("t-m", "k1", compute, cache_dir=tmp_path, required_files=["t-m-k1.keras"])
    assert len(calls) == 4


def test_cache_key_depends_on_every_part() -> None:
    base = sm.cache_key(task="x", config={"units": 32}, seed=1)
    assert base == sm.cache_key(task="x", config={"units": 32}, seed=1)
    assert base != sm.cache_key(task="x", config={"units": 32}, seed=2)
    assert base != sm.cache_key(task="y", config={"units": 32}, seed=1)
    assert base != sm.cache_key(task="x", config={"units": 64}, seed=1)


def test_summary_table_means_and_spreads() -> None:
    test = pd.DataFrame({"label": ["negative", "positive", "positive", "negative"]})
    task = sm.TaskData("movie_binary", ("negative", "positive"), test, test, test)

    def result(method: str, predicted: list[str], seed: int | None) -> sm.MethodResult:
        return sm.MethodResult(
            method=method,
            task="movie_binary",
            labels=["negative", "positive"],
            test_pred=predicted,
            seed=seed,
            train_seconds=2.0,
            n_params=10,
        )

    runs = [
        result("lstm", ["negative", "positive", "positive", "negative"], 1),
        result("lstm", ["negative", "positive", "negative", "negative"], 2),
        result("majority", ["positive"] * 4, None),
    ]
    table = sm.summary_table(runs, task)
    assert table.index.tolist() == ["LSTM", "Majority class"]
    assert table.loc["LSTM", "accuracy"] == pytest.approx(0.875)
    assert table.loc["LSTM", "accuracy_std"] == pytest.approx(np.std([1.0, 0.75], ddof=1))
    assert table.loc["Majority class", "accuracy"] == pytest.approx(0.5)
    assert table.loc["Majority class", "runs"] == 1
    with pytest.raises(ValueError, match="predictions"):
        sm.summary_table([result("lstm", ["negative"], 3)], task)


# ----------------------------------------------------------------------------- the runs


def _run(seed: int, validation: float, method: str = "lstm") -> sm.MethodResult:
    return sm.MethodResult(
        method=method,
        task="all_3class",
        labels=list(sm.VADER_LABELS),
        test_pred=["neutral"],
        seed=seed,
        validation_accuracy=validation,
    )


def test_runs_of_and_chosen_run_pick_by_validation_never_by_test() -> None:
    runs = [_run(42, 0.70), _run(43, 0.72), _run(44, 0.72), _run(1, 0.99, "bag")]
    lstm = sm.runs_of(runs, "lstm")
    assert [r.seed for r in lstm] == [42, 43, 44]
    assert sm.chosen_run(lstm).seed == 43  # best validation; the lower seed breaks the tie
    with pytest.raises(ValueError, match="no runs"):
        sm.chosen_run([])


def test_cached_runs_read_what_run_neural_stored(
    binary: sm.TaskData, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    task = _tiny_task(binary, rows=200)
    config = sm.ModelConfig(kind="bag", embedding_dim=4, max_epochs=1)
    assert sm.cached_runs(task, config, seeds=(1, 2), cache_dir=tmp_path) == []
    trained = sm.run_neural(task, config, seeds=(1,), cache_dir=tmp_path)
    stored = sm.cached_runs(task, config, seeds=(1, 2), cache_dir=tmp_path)
    assert [r.seed for r in stored] == [1]  # seed 2 was never trained
    assert stored[0].test_proba == trained[0].test_proba
    # The key recipe has one owner: change it, and every reader looks elsewhere.
    monkeypatch.setattr(sm, "CODE_VERSION", sm.CODE_VERSION + 1)
    assert sm.cached_runs(task, config, seeds=(1,), cache_dir=tmp_path) == []


def test_training_dataset_shuffles_by_seed_and_batches() -> None:
    x = np.arange(10).reshape(10, 1)
    y = np.arange(10)

    def first_epoch(seed: int) -> list[list[int]]:
        return [b.numpy().tolist() for _, b in sm.training_dataset(x, y, batch_size=4, seed=seed)]

    assert first_epoch(0) == first_epoch(0)
    assert first_epoch(0) != first_epoch(1)
    assert [len(b) for b in first_epoch(0)] == [4, 4, 2]
    assert sorted(sum(first_epoch(0), [])) == list(range(10))


def test_the_label_band_has_one_owner(monkeypatch: pytest.MonkeyPatch) -> None:
    import helpers.data

    assert sm.vader_labels([0.07]).tolist() == ["positive"]
    monkeypatch.setattr(helpers.data, "NEUTRAL_BAND", 0.1)
    assert sm.vader_labels([0.07]).tolist() == ["neutral"]


# ----------------------------------------------------------------------------- distillation


def _teacher(task: sm.TaskData, proba: dict[str, np.ndarray]) -> sm.MethodResult:
    return sm.MethodResult(
        method="teacher",
        task=task.name,
        labels=list(task.labels),
        test_pred=[task.labels[0]] * len(task.test),
        extra={f"{part}_proba": p.tolist() for part, p in proba.items()},
    )


def _one_hot(task: sm.TaskData, part: str) -> np.ndarray:
    index = {label: i for i, label in enumerate(task.labels)}
    return np.eye(len(task.labels))[task.part(part)["label"].map(index).to_numpy()]


def test_soft_targets_mix_the_teacher_with_the_labels(three: sm.TaskData) -> None:
    task = sm.TaskData(
        "all_3class",
        three.labels,
        three.train.head(6),
        three.validation.head(4),
        three.test.head(4),
    )
    uniform = np.full((6, 3), 1 / 3)
    teacher = _teacher(task, {"train": uniform, "validation": np.full((4, 3), 1 / 3)})
    np.testing.assert_allclose(sm.soft_targets(teacher, "train", task), uniform, rtol=1e-6)
    np.testing.assert_allclose(
        sm.soft_targets(teacher, "train", task, soft_weight=0.0), _one_hot(task, "train")
    )
    half = sm.soft_targets(teacher, "train", task, soft_weight=0.5)
    np.testing.assert_allclose(half, 0.5 * uniform + 0.5 * _one_hot(task, "train"), rtol=1e-6)
    with pytest.raises(ValueError, match="soft_weight"):
        sm.soft_targets(teacher, "train", task, soft_weight=1.5)
    with pytest.raises(ValueError, match="shape"):
        sm.soft_targets(_teacher(task, {"train": uniform[:5]}), "train", task)
    with pytest.raises(ValueError, match="no 'validation_proba'"):
        sm.soft_targets(_teacher(task, {"train": uniform}), "validation", task)


def test_distilling_a_teacher_that_knows_the_labels_is_training_on_them(
    binary: sm.TaskData,
) -> None:
    """With one-hot teacher probabilities, distillation trains exactly like train_neural."""
    task = _tiny_task(binary)
    teacher = _teacher(task, {p: _one_hot(task, p) for p in ("train", "validation")})
    # Two classes: one column, P(positive), for the sigmoid output.
    assert sm.soft_targets(teacher, "train", task).shape == (len(task.train), 1)
    config = sm.ModelConfig(kind="bag", embedding_dim=8, max_epochs=2)
    _, hard = sm.train_neural(task, config, seed=3)
    _, soft = sm.train_distilled(task, config, teacher, seed=3)
    np.testing.assert_allclose(soft.test_proba, hard.test_proba, atol=1e-5)
    assert soft.method == "bag_distilled" and soft.n_params == hard.n_params
    assert soft.extra["teacher_agreement_validation"] == pytest.approx(soft.validation_accuracy)
    with pytest.raises(ValueError, match="text-only"):
        sm.train_distilled(task, sm.with_config(config, vader_input=True), teacher)


def test_run_distilled_caches_by_teacher(binary: sm.TaskData, tmp_path: Path) -> None:
    task = _tiny_task(binary, rows=200)
    config = sm.ModelConfig(kind="bag", embedding_dim=4, max_epochs=1)
    flipped = {p: _one_hot(task, p)[:, ::-1] for p in ("train", "validation")}
    teacher = _teacher(task, flipped)  # a teacher that is always wrong
    (first,) = sm.run_distilled(
        task, config, teacher, seeds=(1,), cache_dir=tmp_path, save_models=True
    )
    assert sm.cached_model_path(first, tmp_path).is_file()
    (again,) = sm.run_distilled(task, config, teacher, seeds=(1,), cache_dir=tmp_path)
    assert again.to_dict() == first.to_dict()
    other = _teacher(task, {p: _one_hot(task, p) for p in ("train", "validation")})
    (second,) = sm.run_distilled(task, config, other, seeds=(1,), cache_dir=tmp_path)
    assert second.key != first.key
    assert len(list(tmp_path.glob("*.json"))) == 2


def test_run_baseline_computes_once_and_names_the_known_methods(
    binary: sm.TaskData, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []

    def counted(data: sm.TaskData) -> sm.MethodResult:
        calls.append(data.name)
        return sm.majority_baseline(data)

    monkeypatch.setitem(sm.BASELINES, "majority", counted)
    first = sm.run_baseline(binary, "majority", cache_dir=tmp_path)
    again = sm.run_baseline(binary, "majority", cache_dir=tmp_path)
    assert calls == ["movie_binary"] and again.test_pred == first.test_pred
    assert (tmp_path / f"movie_binary-majority-{first.key}.json").is_file()
    with pytest.raises(ValueError, match="unknown baseline 'svm'.*tfidf_logreg"):
        sm.run_baseline(binary, "svm", cache_dir=tmp_path)


def test_course_lstm_run_is_the_chosen_seed_of_the_saved_course_config(
    three: sm.TaskData, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = []

    def fake_runs(data, config, seeds=sm.SEEDS, *, save_models=False, cache_dir=None):
        asked.append((data.name, config, save_models))
        return [
            sm.MethodResult("lstm", data.name, list(data.labels), [], validation_accuracy=a, seed=s)
            for a, s in ((0.70, 1), (0.72, 2), (0.72, 3))
        ]

    monkeypatch.setattr(sm, "run_neural", fake_runs)
    chosen = sm.course_lstm_run(three)
    assert asked == [("all_3class", sm.COURSE_CONFIG, True)]
    assert chosen.seed == 2  # the best validation accuracy; a tie goes to the smaller seed
