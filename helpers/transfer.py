"""Transfer learning: the pretrained encoder, frozen or fine-tuned, on the course's tasks.

Chapter "Standing on a pretrained model" uses all-MiniLM-L6-v2
(:mod:`helpers.encoder`) three ways on the split of chapter 8: its sentence
embeddings, frozen, under a logistic regression; the encoder fine-tuned with a
new linear head; and the learning curve of both against the chapter 8 models.

Fine-tuning on two CPU cores has to be frugal. The lower blocks of a
pretrained encoder change least when it is fine-tuned, so
:class:`FineTuneConfig` freezes the embeddings and the first
``6 - trainable_blocks`` blocks: their output for every text is computed once
(:func:`frozen_states`, remembered per process) and only the top blocks and the
head are trained, on batches of texts of similar length. Every run is cached
like chapter 8's runs (:func:`run_fine_tune`), with its model.

Public API:

- :class:`FineTuneConfig`, :data:`COURSE_FINETUNE` -- what is trained, and how.
- :class:`EncoderClassifier` -- encoder + head + tokenizer in one Keras model
  that saves to a single ``.keras`` file and classifies raw texts
  (:meth:`EncoderClassifier.predict_texts`).
- :func:`frozen_states` -- the frozen blocks' output for texts (cached).
- :func:`embedding_baseline` -- frozen sentence embeddings + logistic regression;
  :func:`run_embedding_baseline` -- the same, through the results cache.
- :func:`fine_tune` -- train one classifier; :func:`run_fine_tune` -- the same,
  through the results cache; :func:`fine_tuned_model_path` -- its saved model.
- :func:`training_subset` -- a stratified subset of the training part, and
  :func:`curve_config` -- the configuration for it (learning curves).
- :func:`course_model_run` -- the run that is the course's model.
- :func:`training_throughput` -- samples/s of a way to fine-tune (for the benchmark).
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import keras
import numpy as np
import pandas as pd

from helpers.encoder import build_encoder, length_buckets, load_pretrained_weights
from helpers.pretrained import minilm_dir, read_config, read_safetensors
from helpers.repro import set_seed
from helpers.sentiment_models import (
    MethodResult,
    TaskData,
    cache_key,
    cached_result,
    results_cache_dir,
)
from helpers.wordpiece import WordPieceTokenizer

__all__ = [
    "COURSE_FINETUNE",
    "EncoderClassifier",
    "FineTuneConfig",
    "embedding_baseline",
    "fine_tune",
    "fine_tuned_model_path",
    "frozen_states",
    "course_model_run",
    "curve_config",
    "run_embedding_baseline",
    "run_fine_tune",
    "training_subset",
    "training_throughput",
]

_PACKAGE = "course_transfer"


@dataclass(frozen=True)
class FineTuneConfig:
    """How the encoder is fine-tuned.

    Attributes:
        trainable_blocks: how many of the top Transformer blocks are trained
            (the embeddings and the blocks below stay as pretrained).
        epochs: passes over the training part; the epoch with the best
            validation accuracy is kept.
        batch_size: texts per step (batches hold texts of similar length).
        learning_rate: AdamW's peak learning rate, reached after a linear
            warm-up over ``warmup`` of the steps, then decayed to 0 (cosine).
        weight_decay: AdamW's decoupled weight decay.
        max_length: word pieces per text, ``[CLS]`` and ``[SEP]`` included.
        dropout: on the sentence vector, before the head.
        policy: Keras dtype policy while training (``"mixed_bfloat16"`` uses the
            CPU's bfloat16 units for the matrix products; weights stay float32).
        select_epoch: measure validation accuracy after every epoch and keep the
            best epoch's weights; if False, only after the last (cheaper when
            a small training set needs many short epochs).
    """

    trainable_blocks: int = 3
    epochs: int = 1
    batch_size: int = 32
    learning_rate: float = 2e-4
    weight_decay: float = 0.01
    warmup: float = 0.1
    max_length: int = 128
    dropout: float = 0.1
    policy: str = "mixed_bfloat16"
    select_epoch: bool = True

    def __post_init__(self) -> None:
        if not 1 <= self.trainable_blocks <= 6:
            raise ValueError(f"trainable_blocks must be 1..6, got {self.trainable_blocks}")
        if self.epochs < 1 or self.batch_size < 1:
            raise ValueError("epochs and batch_size must be positive")
        if not 0 <= self.warmup < 1:
            raise ValueError(f"warmup is a fraction of the steps in [0, 1), got {self.warmup}")
        if self.policy not in ("float32", "mixed_bfloat16"):
            raise ValueError(f"policy must be 'float32' or 'mixed_bfloat16', got {self.policy!r}")


COURSE_FINETUNE = FineTuneConfig()
"""The configuration the course's model is trained with.

Chosen on the validation part of the three-class task (never the test part),
within the time a book build can spend: training the top three blocks beat the
top two (validation accuracy 0.793 vs 0.773 over two epochs at learning rate
1e-4). One epoch at 2e-4 reaches 0.782, against 0.778 for one epoch at 1e-4 and
0.793 for two epochs at 1e-4 at twice the cost, so the course trains one epoch
at 2e-4. bfloat16 mixed precision runs the matrix products on the CPU's
AMX/AVX-512-BF16 units.
"""


@contextmanager
def _dtype_policy(name: str) -> Iterator[None]:
    """Build layers under ``name``, then give the process its policy back."""
    before = keras.config.dtype_policy()
    keras.config.set_dtype_policy(name)
    try:
        yield
    finally:
        keras.config.set_dtype_policy(before)


@keras.saving.register_keras_serializable(package=_PACKAGE)
class EncoderClassifier(keras.Model):
    """The encoder, a dropout and a linear head, with the tokenizer inside.

    Call it on ``{"input_ids", "attention_mask"}`` to get logits, or use
    :meth:`predict_texts` on raw strings. Saved with ``model.save("x.keras")``
    it keeps the encoder's config, the labels and the whole vocabulary, so
    ``keras.saving.load_model("x.keras")`` (after ``import helpers.transfer``)
    gives back a model that classifies texts with no other file.
    """

    def __init__(
        self,
        encoder_config: dict,
        labels: Sequence[str],
        tokenizer_config: dict,
        dropout: float = 0.1,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.encoder_config = dict(encoder_config)
        self.labels = [str(label) for label in labels]
        self.tokenizer = WordPieceTokenizer(**tokenizer_config)
        self.dropout_rate = dropout
        self.encoder = build_encoder(self.encoder_config)
        self.dropout = keras.layers.Dropout(dropout, name="head_dropout")
        self.head = keras.layers.Dense(len(self.labels), dtype="float32", name="head")
        # Build the weights now, so a loaded file's weights have somewhere to go.
        self(self.tokenizer(["build"]))

    def call(self, inputs: dict, training: bool | None = None) -> Any:
        """Logits, one row per text."""
        sentence = self.encoder(inputs, training=training)["sentence_embedding"]
        return self.head(self.dropout(sentence, training=training))

    def get_config(self) -> dict:
        """Everything the constructor needs, the vocabulary included."""
        return {
            **super().get_config(),
            "encoder_config": self.encoder_config,
            "labels": self.labels,
            "tokenizer_config": self.tokenizer.get_config(),
            "dropout": self.dropout_rate,
        }

    def predict_texts(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """Class probabilities (columns in :attr:`labels` order) for raw texts."""
        encoded = [self.tokenizer.encode(str(text)) for text in texts]
        probabilities = np.zeros((len(encoded), len(self.labels)), np.float64)
        for positions in length_buckets([len(ids) for ids in encoded], batch_size):
            logits = self.predict_on_batch(self.tokenizer.pad([encoded[p] for p in positions]))
            probabilities[positions] = _softmax(np.asarray(logits, np.float64))
        return probabilities


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def _pad_states(states: Sequence[np.ndarray]) -> dict[str, np.ndarray]:
    longest = max(len(s) for s in states)
    hidden = np.zeros((len(states), longest, states[0].shape[1]), np.float32)
    mask = np.zeros((len(states), longest), np.int32)
    for row, state in enumerate(states):
        hidden[row, : len(state)] = state
        mask[row, : len(state)] = 1
    return {"hidden": hidden, "attention_mask": mask}


def _new_classifier(labels: Sequence[str], config: FineTuneConfig) -> EncoderClassifier:
    """The pretrained encoder with a fresh head, built under ``config.policy``."""
    folder = minilm_dir()
    tokenizer = WordPieceTokenizer.from_tokenizer_json(
        folder / "tokenizer.json", max_length=config.max_length
    )
    with _dtype_policy(config.policy):
        model = EncoderClassifier(
            read_config(folder), labels, tokenizer.get_config(), dropout=config.dropout
        )
    load_pretrained_weights(model.encoder, read_safetensors(folder / "model.safetensors"))
    return model


def _blocks(model: EncoderClassifier) -> list[keras.layers.Layer]:
    return [layer for layer in model.encoder.layers if layer.name.startswith("block_")]


def _top_model(model: EncoderClassifier, trainable_blocks: int, *, head: bool) -> keras.Model:
    """The top ``trainable_blocks`` blocks (+ pooling, + head), on the frozen blocks' output.

    It shares its layers with ``model``: training it trains ``model``.
    """
    hidden_size = model.encoder_config["hidden_size"]
    hidden = keras.Input((None, hidden_size), name="hidden")
    mask = keras.Input((None,), dtype="int32", name="attention_mask")
    x = hidden
    for block in _blocks(model)[-trainable_blocks:]:
        x = block(x, mask)
    sentence = model.encoder.get_layer("mean_pooling")(x, mask)
    output = model.head(model.dropout(sentence)) if head else sentence
    return keras.Model({"hidden": hidden, "attention_mask": mask}, output)


class _WarmupCosine(keras.optimizers.schedules.LearningRateSchedule):
    """Linear warm-up to ``peak``, then cosine decay to 0 at ``total_steps``.

    Its numbers are variables, not constants, so one traced training step
    serves every run that :class:`_Trainer` starts.
    """

    def __init__(self) -> None:
        self.peak = keras.Variable(0.0, dtype="float32", trainable=False, name="peak")
        self.warmup_steps = keras.Variable(0.0, dtype="float32", trainable=False, name="warmup")
        self.total_steps = keras.Variable(1.0, dtype="float32", trainable=False, name="total")

    def __call__(self, step: Any) -> Any:
        step = keras.ops.cast(step, "float32")
        warming = self.peak * step / keras.ops.maximum(self.warmup_steps, 1.0)
        decay_steps = keras.ops.maximum(self.total_steps - self.warmup_steps, 1.0)
        progress = keras.ops.clip((step - self.warmup_steps) / decay_steps, 0.0, 1.0)
        decaying = 0.5 * self.peak * (1.0 + keras.ops.cos(np.pi * progress))
        return keras.ops.where(step < self.warmup_steps, warming, decaying)


class _Trainer:
    """The trainable top of one classifier, compiled once and reset for every run.

    Building the model and tracing its training step costs about 20 s on two
    cores, more than a small fine-tune itself (a learning curve runs several),
    so the compiled top is kept per process and :meth:`reset` gives it the
    pretrained weights, a fresh head, a fresh optimizer and dropout seeds for
    each run: a run gives the same result whether its trainer is new or not.
    """

    def __init__(self, config: FineTuneConfig, n_labels: int) -> None:
        self.model = _new_classifier([str(i) for i in range(n_labels)], config)
        with _dtype_policy(config.policy):
            self.top = _top_model(self.model, config.trainable_blocks, head=True)
        self.blocks = _blocks(self.model)[-config.trainable_blocks :]
        self.pretrained = [[w.numpy() for w in block.weights] for block in self.blocks]
        self.schedule = _WarmupCosine()
        self.top.compile(
            optimizer=keras.optimizers.AdamW(self.schedule, weight_decay=config.weight_decay),
            loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        )

    def reset(self, config: FineTuneConfig, steps: int, seed: int) -> None:
        """Pretrained blocks, a new head and optimizer, and the schedule for ``steps``."""
        for block, weights in zip(self.blocks, self.pretrained, strict=True):
            block.set_weights(weights)
        head = self.model.head
        head.kernel.assign(keras.initializers.GlorotUniform(seed=seed)(head.kernel.shape))
        head.bias.assign(np.zeros(head.bias.shape, np.float32))
        optimizer = self.top.optimizer
        if optimizer.built:
            for variable in optimizer.variables:
                variable.assign(np.zeros(variable.shape, variable.dtype))
        seeds = [v for v in self.top.non_trainable_variables if "seed_generator" in v.path]
        for index, state in enumerate(seeds):
            state.assign(np.array([seed * 1000 + index, 0], state.dtype))
        self.schedule.peak.assign(config.learning_rate)
        self.schedule.warmup_steps.assign(float(int(config.warmup * steps)))
        self.schedule.total_steps.assign(float(steps))


_TRAINERS: dict[tuple, _Trainer] = {}


def _trainer(config: FineTuneConfig, n_labels: int) -> _Trainer:
    key = (config.trainable_blocks, n_labels, config.policy, config.dropout, config.weight_decay)
    if key not in _TRAINERS:
        _TRAINERS[key] = _Trainer(config, n_labels)
    return _TRAINERS[key]


_STATES: dict[tuple, np.ndarray] = {}  # (frozen blocks, max_length, policy, text) -> states


def frozen_states(
    texts: Sequence[str],
    frozen_blocks: int,
    max_length: int = 128,
    batch_size: int = 128,
    policy: str = COURSE_FINETUNE.policy,
) -> list[np.ndarray]:
    """The output of the embeddings and the first ``frozen_blocks`` pretrained blocks.

    One float32 array of shape (word pieces, hidden) per text, computed under
    the dtype ``policy`` the fine-tuned model will serve with (its frozen
    blocks run the same way on raw text). They never change during
    fine-tuning, so each text is encoded once per process and remembered (a
    fine-tune, its evaluation and a learning curve share them).
    """
    if not 0 <= frozen_blocks <= 5:
        raise ValueError(f"frozen_blocks must be 0..5, got {frozen_blocks}")
    missing = sorted({t for t in texts if (frozen_blocks, max_length, policy, t) not in _STATES})
    if missing:
        model = _new_classifier(["a"], FineTuneConfig(max_length=max_length, policy=policy))
        encoder = model.encoder
        last = encoder.get_layer(f"block_{frozen_blocks - 1}" if frozen_blocks else "embeddings")
        bottom = keras.Model(encoder.inputs, last.output)
        encoded = [model.tokenizer.encode(text) for text in missing]
        for positions in length_buckets([len(ids) for ids in encoded], batch_size):
            batch = model.tokenizer.pad([encoded[p] for p in positions])
            output = np.asarray(bottom.predict_on_batch(batch), np.float32)
            for row, position in enumerate(positions):
                _STATES[frozen_blocks, max_length, policy, missing[position]] = output[
                    row, : len(encoded[position])
                ]
    return [_STATES[frozen_blocks, max_length, policy, text] for text in texts]


def _predict_states(model: keras.Model, states: Sequence[np.ndarray], batch_size: int = 128):
    result = None
    for positions in length_buckets([len(s) for s in states], batch_size):
        output = np.asarray(model.predict_on_batch(_pad_states([states[p] for p in positions])))
        if result is None:
            result = np.zeros((len(states), output.shape[1]), np.float64)
        result[positions] = output
    return result


def _texts(frame: pd.DataFrame) -> list[str]:
    return frame["text"].astype(str).tolist()


def embedding_baseline(
    data: TaskData, c_grid: Sequence[float] = (0.01, 0.1, 1.0, 10.0, 100.0)
) -> MethodResult:
    """Frozen sentence embeddings (mean-pooled, length 1) + logistic regression, C on validation."""
    from sklearn.linear_model import LogisticRegression

    started = time.perf_counter()
    # The pretrained top blocks run on the frozen blocks' outputs the fine-tuning shares.
    trainable = COURSE_FINETUNE.trainable_blocks
    frozen = 6 - trainable
    model = _new_classifier(list(data.labels), COURSE_FINETUNE)
    top = _top_model(model, trainable, head=False)

    def embed(frame: pd.DataFrame) -> np.ndarray:
        vectors = _predict_states(top, frozen_states(_texts(frame), frozen))
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)

    x_train, x_val, x_test = (embed(data.part(p)) for p in ("train", "validation", "test"))
    embed_seconds = time.perf_counter() - started
    y_train, y_val = data.train["label"].to_numpy(), data.validation["label"].to_numpy()
    scores = {}
    for c in c_grid:
        fitted = LogisticRegression(C=c, max_iter=2000).fit(x_train, y_train)
        scores[c] = float(fitted.score(x_val, y_val))
    best_c = max(c_grid, key=lambda c: (scores[c], -c))
    fit_started = time.perf_counter()
    chosen = LogisticRegression(C=best_c, max_iter=2000).fit(x_train, y_train)
    fit_seconds = time.perf_counter() - fit_started
    proba = chosen.predict_proba(x_test)
    order = [list(chosen.classes_).index(label) for label in data.labels]
    proba = proba[:, order]
    return MethodResult(
        method="minilm_frozen_lr",
        task=data.name,
        labels=list(data.labels),
        test_pred=[data.labels[i] for i in proba.argmax(axis=1)],
        test_proba=proba.tolist(),
        validation_accuracy=scores[best_c],
        train_seconds=fit_seconds,
        n_params=int(chosen.coef_.size + chosen.intercept_.size),
        extra={"C": best_c, "validation_by_C": scores, "embed_seconds": embed_seconds},
    )


def run_embedding_baseline(data: TaskData, cache_dir: Path | None = None) -> MethodResult:
    """:func:`embedding_baseline` on ``data`` through the results cache.

    Its top blocks run under :data:`COURSE_FINETUNE` (its dtype policy), so the
    cache key names that configuration.
    """
    key = cache_key(
        task=data.fingerprint(), method="minilm_frozen_lr", config=asdict(COURSE_FINETUNE)
    )
    return cached_result(
        f"{data.name}-minilm_frozen_lr", key, lambda: embedding_baseline(data), cache_dir=cache_dir
    )


def training_subset(data: TaskData, size: int | None, seed: int = 0) -> TaskData:
    """``data`` with a stratified random ``size`` rows of its training part (None: all)."""
    if size is None or size >= len(data.train):
        return data
    from sklearn.model_selection import train_test_split

    if size < len(data.labels):
        raise ValueError(f"size {size} is smaller than the number of classes {len(data.labels)}")
    subset, _ = train_test_split(
        data.train, train_size=size, stratify=data.train["label"], random_state=seed
    )
    return replace(data, train=subset.reset_index(drop=True))


def curve_config(
    train_rows: int, config: FineTuneConfig = COURSE_FINETUNE, min_steps: int = 60
) -> FineTuneConfig:
    """``config`` for a training set of ``train_rows``: enough epochs for ``min_steps`` steps.

    A small training set gives few steps per epoch, so it gets more epochs
    (at least ``config.epochs``), and is validated only after the last one.
    """
    steps_per_epoch = -(-train_rows // config.batch_size)
    epochs = max(config.epochs, -(-min_steps // steps_per_epoch))
    if epochs == config.epochs:
        return config
    return replace(config, epochs=epochs, select_epoch=False)


def fine_tune(
    data: TaskData,
    config: FineTuneConfig = COURSE_FINETUNE,
    seed: int = 0,
    *,
    keep_probabilities: bool = False,
) -> tuple[EncoderClassifier, MethodResult]:
    """Fine-tune the pretrained encoder with a new head on ``data``; predict its test part.

    The frozen blocks' outputs come from :func:`frozen_states`; the top
    ``config.trainable_blocks`` blocks and the head are trained with AdamW on
    batches of similar length (shuffled every epoch with ``seed``), and the
    epoch with the best validation accuracy is kept. With ``keep_probabilities``
    the result's ``extra`` holds the kept model's probabilities on the training
    and validation parts too (``train_proba``, ``validation_proba``), for
    distilling it into a smaller model.
    """
    from sklearn.metrics import f1_score

    labels = list(data.labels)
    frozen = 6 - config.trainable_blocks
    set_seed(seed)
    features_started = time.perf_counter()
    states = {
        part: frozen_states(
            _texts(data.part(part)), frozen, config.max_length, policy=config.policy
        )
        for part in ("train", "validation", "test")
    }
    feature_seconds = time.perf_counter() - features_started
    y_train, y_val = data.y("train"), data.y("validation")
    steps = config.epochs * -(-len(y_train) // config.batch_size)
    trainer = _trainer(config, len(labels))
    trainer.reset(config, steps, seed)
    top = trainer.top
    rng = np.random.default_rng(seed)
    lengths = np.array([len(s) for s in states["train"]])
    history, best, best_weights = [], -1.0, None
    started = time.perf_counter()
    for epoch in range(1, config.epochs + 1):
        # Sort by length with random tie-breaks, cut into batches, shuffle the batches.
        order = np.lexsort((rng.random(len(lengths)), lengths))
        batches = [
            order[i : i + config.batch_size] for i in range(0, len(order), config.batch_size)
        ]
        losses = []
        for index in rng.permutation(len(batches)):
            positions = batches[index]
            batch = _pad_states([states["train"][p] for p in positions])
            losses.append(float(top.train_on_batch(batch, y_train[positions])))
        record = {"loss": float(np.mean(losses))}
        if config.select_epoch or epoch == config.epochs:
            predicted = _predict_states(top, states["validation"]).argmax(axis=1)
            record["val_accuracy"] = val_accuracy = float(np.mean(predicted == y_val))
            record["val_macro_f1"] = float(f1_score(y_val, predicted, average="macro"))
        history.append(record)
        if "val_accuracy" in record and val_accuracy > best:
            best, best_weights = val_accuracy, [w.numpy() for w in top.trainable_weights]
    seconds = time.perf_counter() - started
    for weight, value in zip(top.trainable_weights, best_weights, strict=True):
        weight.assign(value)
    # The trainer is reused by the next run: the model returned is a copy of its state.
    model = _new_classifier(labels, config)
    for source, target in zip(
        trainer.blocks, _blocks(model)[-config.trainable_blocks :], strict=True
    ):
        target.set_weights(source.get_weights())
    model.head.set_weights(trainer.model.head.get_weights())
    proba = _softmax(_predict_states(top, states["test"]))
    # The teacher's probabilities on the other parts, for distilling it into a student.
    teacher = {
        f"{part}_proba": np.round(_softmax(_predict_states(top, states[part])), 5).tolist()
        for part in (("train", "validation") if keep_probabilities else ())
    }
    result = MethodResult(
        method="minilm_finetuned",
        task=data.name,
        labels=labels,
        test_pred=[labels[i] for i in proba.argmax(axis=1)],
        test_proba=proba.tolist(),
        validation_accuracy=best,
        train_seconds=seconds,
        n_params=int(model.count_params()),
        seed=int(seed),
        config=asdict(config),
        history=history,
        best_epoch=int(np.argmax([h.get("val_accuracy", -1.0) for h in history])) + 1,
        extra={
            "train_rows": len(y_train),
            "trainable_params": int(sum(int(np.prod(w.shape)) for w in top.trainable_weights)),
            "feature_seconds": feature_seconds,
            **teacher,
        },
    )
    return model, result


def _entry(
    data: TaskData, config: FineTuneConfig, seed: int, keep_probabilities: bool
) -> tuple[str, str]:
    key = cache_key(
        task=data.fingerprint(),
        config=asdict(config),
        seed=int(seed),
        keep_probabilities=keep_probabilities,
    )
    return f"{data.name}-minilm_finetuned", key


def fine_tuned_model_path(result: MethodResult, cache_dir: Path | None = None) -> Path:
    """Where :func:`run_fine_tune` saved the model of ``result`` (``save_model=True``)."""
    return (cache_dir or results_cache_dir()) / f"{result.task}-{result.method}-{result.key}.keras"


def run_fine_tune(
    data: TaskData,
    config: FineTuneConfig = COURSE_FINETUNE,
    seed: int = 0,
    *,
    save_model: bool = False,
    keep_probabilities: bool = False,
    cache_dir: Path | None = None,
) -> MethodResult:
    """:func:`fine_tune` through the results cache (and, with ``save_model``, its ``.keras``)."""
    folder = cache_dir or results_cache_dir()
    name, key = _entry(data, config, seed, keep_probabilities)

    def compute() -> MethodResult:
        model, result = fine_tune(data, config, seed, keep_probabilities=keep_probabilities)
        if save_model:
            folder.mkdir(parents=True, exist_ok=True)
            model.save(folder / f"{name}-{key}.keras")
        return result

    required = [f"{name}-{key}.keras"] if save_model else []
    return cached_result(name, key, compute, cache_dir=folder, required_files=required)


def course_model_run(seed: int = 0) -> MethodResult:
    """The course's model: :data:`COURSE_FINETUNE` on the three-class task, saved in the cache.

    Trained once (and cached) by the chapter "Standing on a pretrained model";
    :func:`helpers.sentiment.save_course_model` copies its file to where
    :func:`helpers.sentiment.predict` looks. Its result keeps the model's
    probabilities on the training and validation parts (for distillation).
    """
    from helpers.sentiment_models import COURSE_TASK, load_task

    return run_fine_tune(
        load_task(COURSE_TASK), COURSE_FINETUNE, seed, save_model=True, keep_probabilities=True
    )


def training_throughput(
    texts: Sequence[str],
    config: FineTuneConfig = COURSE_FINETUNE,
    *,
    whole_encoder: bool = False,
    pad_to: int | None = None,
    seconds: float = 20.0,
    warmup_steps: int = 4,
) -> float:
    """Training samples per second of one way to fine-tune (a benchmark, not a test).

    ``whole_encoder`` trains every block from token ids, as plain fine-tuning
    does (``pad_to``: pad every batch to that many word pieces instead of its
    longest text); otherwise the top ``config.trainable_blocks`` blocks train on
    :func:`frozen_states`, as :func:`fine_tune` does. Batches are length-bucketed
    and shuffled; the rate is measured for about ``seconds`` after ``warmup_steps``
    steps (tracing excluded). Labels are all 0: only the time matters here.
    """
    model = _new_classifier(["a", "b"], config)
    with _dtype_policy(config.policy):
        if whole_encoder:
            for layer in model.encoder.layers:
                layer.trainable = True
            trained = model
            encoded = [model.tokenizer.encode(text) for text in texts]
            lengths = [len(ids) for ids in encoded]
        else:
            trained = _top_model(model, config.trainable_blocks, head=True)
            states = frozen_states(
                texts, 6 - config.trainable_blocks, config.max_length, policy=config.policy
            )
            lengths = [len(state) for state in states]
    trained.compile(
        optimizer=keras.optimizers.AdamW(config.learning_rate),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    batches = length_buckets(lengths, config.batch_size)
    np.random.default_rng(0).shuffle(batches)
    samples, started = 0, 0.0
    for step, positions in enumerate(batches):
        if whole_encoder:
            batch = model.tokenizer.pad([encoded[p] for p in positions])
            if pad_to is not None:
                width = pad_to - batch["input_ids"].shape[1]
                batch = {name: np.pad(a, ((0, 0), (0, width))) for name, a in batch.items()}
        else:
            batch = _pad_states([states[p] for p in positions])
        trained.train_on_batch(batch, np.zeros(len(positions), np.int32))
        if step == warmup_steps - 1:
            started = time.perf_counter()
        elif step >= warmup_steps:
            samples += len(positions)
            if time.perf_counter() - started > seconds:
                break
    if not samples:
        raise ValueError(f"{len(texts)} texts give too few batches to time; pass more")
    return samples / (time.perf_counter() - started)
