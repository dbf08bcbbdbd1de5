"""How fast the course's networks train: chapter 8's LSTM and the fine-tuned encoder.

``python -m helpers.bench --throughput`` runs :func:`sentiment_throughput` and
:func:`fine_tune_throughput` and writes ``build/bench/throughput.json``;
``python -m helpers.bench --cli`` runs :func:`cli_first_answer_seconds` (the
sentiment command's time to a first answer) and writes ``build/bench/cli.json``.
A benchmark, not a test: nothing here asserts a time.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

FIRST_ANSWER_TEXT = "a gorgeous, moving film"
"""The text :func:`cli_first_answer_seconds` classifies."""


def cli_first_answer() -> dict[str, Any]:
    """What ``python -m helpers.bench --cli`` records: the command and its first-answer time."""
    return {
        "command": f'python -m helpers.sentiment "{FIRST_ANSWER_TEXT}"',
        "first_answer_seconds": cli_first_answer_seconds(),
    }


def cli_first_answer_seconds(
    text: str = FIRST_ANSWER_TEXT, model_path: str | os.PathLike | None = None
) -> float:
    """Wall time of one ``python -m helpers.sentiment TEXT``, start to exit, in seconds.

    What a reader waits for a first answer: a fresh interpreter imports TensorFlow,
    loads the model (``model_path``, default :func:`helpers.sentiment.default_model_path`)
    and classifies one text. ``python -m helpers.bench --cli`` records it.

    Raises:
        RuntimeError: the command failed (its standard error is in the message).
    """
    environment = dict(os.environ)
    if model_path is not None:
        environment["COURSE_SENTIMENT_MODEL"] = str(Path(model_path))
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-m", "helpers.sentiment", text],
        capture_output=True,
        text=True,
        env=environment,
        stdin=subprocess.DEVNULL,
        timeout=600,
    )
    seconds = time.perf_counter() - started
    if completed.returncode != 0:
        raise RuntimeError(
            f"python -m helpers.sentiment exited with status {completed.returncode}: "
            f"{completed.stderr.strip()}"
        )
    return seconds


def sentiment_throughput(task: str = "all_3class", epochs: int = 2) -> dict[str, Any]:
    """Measure training throughput of chapter 8's LSTM with three input pipelines.

    Each variant trains the same LSTM (``ModelConfig(kind="lstm")``) for
    ``epochs`` epochs on the task's training rows; throughput is training rows
    divided by the wall time of the *last* epoch, so graph tracing is excluded.

    - ``naive``: raw strings into a model with its TextVectorization layer inside
      (tokenized again every batch), NumPy input, Keras' default batch size 32;
    - ``pre-tokenized``: the token indices computed once, NumPy input, batch 32;
    - ``course``: token indices in :func:`helpers.sentiment_models.training_dataset`
      (cached, shuffled, batched by 128, prefetched), the pipeline every trainer uses.

    Then it times training the LSTM with every seed of
    :data:`helpers.sentiment_models.SEEDS` the two ways chapter 8 could: a new
    model per seed, or one model restarted
    (:func:`helpers.sentiment_models.restart`), and checks they give the same
    predictions.
    """
    import keras
    import numpy as np
    import tensorflow as tf

    from helpers import sentiment_models as sm
    from helpers.repro import set_seed

    data = sm.load_task(task)
    config = sm.ModelConfig(kind="lstm")
    encoded = sm.encoded_task(data, config)
    train = encoded["train"]
    label_index = {label: i for i, label in enumerate(data.labels)}
    targets = train["label"].map(label_index).to_numpy(dtype=np.int64)
    tokens = encoded["x_train"]
    texts = tf.constant(train["text"].to_numpy().astype(str))

    class EpochTimer(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
            self.started = time.perf_counter()

        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            self.last = time.perf_counter() - self.started

    def token_model() -> keras.Model:
        set_seed()
        return sm.build_model(
            config,
            vocabulary_size=encoded["vocabulary_size"],
            sequence_length=encoded["sequence_length"],
            n_classes=len(data.labels),
        )

    def measure(model: keras.Model, x: Any, y: Any, batch_size: int | None) -> float:
        timer = EpochTimer()
        model.fit(
            x,
            y,
            batch_size=batch_size,
            epochs=epochs,
            callbacks=[timer],
            shuffle=not isinstance(x, tf.data.Dataset),  # the pipeline shuffles itself
            verbose=0,
        )
        return len(targets) / timer.last

    naive = sm.export_text_model(encoded["vectorizer"], token_model())
    naive.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    pipeline = sm.training_dataset(tokens, targets, config.batch_size, seed=0)
    rates = {
        "naive": measure(naive, texts, targets, 32),
        "pre-tokenized": measure(token_model(), tokens, targets, 32),
        "course": measure(token_model(), pipeline, None, None),
    }
    # Chapter 8 trains each network with every seed. A new model per seed traces
    # its training step again; restarting one model (sm.restart) does not.
    seeds = sm.SEEDS
    started = time.perf_counter()
    fresh = [sm.train_neural(data, config, seed)[1] for seed in seeds]
    new_models = time.perf_counter() - started
    started, reused, model = time.perf_counter(), [], None
    for seed in seeds:
        model, result = sm.train_neural(data, config, seed, reuse=model)
        reused.append(result)
    restarted = time.perf_counter() - started
    if [r.test_proba for r in fresh] != [r.test_proba for r in reused]:
        raise RuntimeError("a restarted model did not train exactly like a new one")
    return {
        "task": task,
        "train_rows": len(targets),
        "epochs": epochs,
        "batch_size_course": config.batch_size,
        "samples_per_second": rates,
        "speedup_course_over_naive": rates["course"] / rates["naive"],
        "seeds": list(seeds),
        "all_seeds_seconds": {"new model per seed": new_models, "one model restarted": restarted},
    }


def fine_tune_throughput(n_texts: int = 2000, seconds: float = 20.0) -> dict[str, Any]:
    """Training samples/s of the pretrained encoder, from plain fine-tuning to the course's way.

    On the first ``n_texts`` training texts of the three-class task: every block
    trained with every batch padded to 128 word pieces; every block trained on
    length-bucketed batches; the course's way (:func:`helpers.transfer.fine_tune`:
    only the top blocks, on the frozen blocks' cached outputs) in float32 and in
    bfloat16 mixed precision.
    """
    from dataclasses import replace

    from helpers import sentiment_models as sm
    from helpers import transfer

    texts = sm.load_task("all_3class").train["text"].astype(str).tolist()[:n_texts]
    course = transfer.COURSE_FINETUNE
    fp32 = replace(course, policy="float32")
    bf16 = replace(course, policy="mixed_bfloat16")
    rates = {
        "all blocks, padded to 128, float32": transfer.training_throughput(
            texts, fp32, whole_encoder=True, pad_to=128, seconds=seconds
        ),
        "all blocks, length-bucketed, float32": transfer.training_throughput(
            texts, fp32, whole_encoder=True, seconds=seconds
        ),
        f"top {course.trainable_blocks} blocks on cached states, float32": (
            transfer.training_throughput(texts, fp32, seconds=seconds)
        ),
        f"top {course.trainable_blocks} blocks on cached states, mixed_bfloat16": (
            transfer.training_throughput(texts, bf16, seconds=seconds)
        ),
    }
    return {
        "task": "all_3class",
        "texts": len(texts),
        "batch_size": course.batch_size,
        "samples_per_second": rates,
    }
