"""What a saved text classifier costs to serve: latency, throughput and memory.

Chapter "Standing on a pretrained model" puts the course's three kinds of model
side by side (TF-IDF + logistic regression, the LSTM, the fine-tuned encoder).
Their costs are measured the same way for each, each in a **fresh Python
process**, so that one model's memory and warm caches do not flatter or burden
the next, and the notebook's own state (a fine-tune that just ran) counts for none:

- **latency**: the median wall time of classifying one text, batch of 1, over
  several calls after a warm-up call;
- **throughput**: texts per second when one call classifies the whole list;
- **memory**: the process's peak resident set size (on Linux ``VmHWM``, the
  high-water mark of its resident memory), once after importing what the model
  needs and once at the end; the difference is what loading and running the
  model added.

A model is a ``.keras`` file of the course (a model on raw strings, or the
fine-tuned :class:`helpers.transfer.EncoderClassifier`) or a scikit-learn
estimator saved with ``joblib`` (``.joblib``) whose ``predict_proba`` takes raw
texts (a ``Pipeline`` of a vectorizer and a classifier). A ``.joblib`` model's
process imports neither TensorFlow nor Keras.

Public API:

- :func:`measure_serving` -- measure one saved model on some texts (in a subprocess).
- :func:`measure_here` -- the measurement itself, in the calling process.
- :func:`main` -- ``python -m helpers.serving_cost MODEL TEXTS.json``, what
  :func:`measure_serving` runs; prints the measurement as one JSON line.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

__all__ = ["measure_here", "measure_serving", "main"]

SUFFIXES = (".keras", ".joblib")
"""The model files this module can measure."""


def _peak_rss_mb() -> float:
    """This process's peak resident memory so far, in MB.

    On Linux it is ``VmHWM`` from ``/proc/self/status``, the high-water mark of
    the process's current memory map. ``getrusage``'s ``ru_maxrss`` is not used
    there: a child started with fork and exec keeps the parent's peak in it, so a
    process started by a large notebook kernel would report the kernel's memory.
    Elsewhere (macOS) it is ``ru_maxrss``.
    """
    status = Path("/proc/self/status")
    if status.is_file():
        for line in status.read_text(encoding="ascii", errors="replace").splitlines():
            if line.startswith("VmHWM:"):
                amount, unit = line.split()[1:3]
                if unit.lower() != "kb":
                    raise ValueError(f"unexpected unit in /proc/self/status: {line!r}")
                return int(amount) * 1024 / 1e6
    import resource

    from helpers.environment import maxrss_bytes

    return maxrss_bytes(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) / 1e6


def _check_model_path(model_path: Path) -> Path:
    model_path = Path(model_path)
    if model_path.suffix not in SUFFIXES:
        raise ValueError(
            f"{model_path}: a model to measure must be a .keras or a .joblib file, "
            f"got {model_path.suffix or 'no suffix'!r}"
        )
    if not model_path.is_file():
        raise FileNotFoundError(f"{model_path} does not exist; save the model there first")
    return model_path


def _classifier(model_path: Path) -> Callable[[list[str]], Any]:
    """Load the model; return a function from texts to class probabilities."""
    if model_path.suffix == ".joblib":
        import joblib

        estimator = joblib.load(model_path)
        return estimator.predict_proba
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf

    from helpers.sentiment import load_model

    model = load_model(model_path)
    if hasattr(model, "predict_texts"):  # the fine-tuned encoder tokenizes in Python
        return model.predict_texts
    return lambda texts: model.predict_on_batch(tf.constant(texts))


def _import_for(model_path: Path) -> None:
    """Import what loading the model needs, so that its memory counts before the model's."""
    if model_path.suffix == ".joblib":
        import joblib  # noqa: F401
        import sklearn.pipeline  # noqa: F401
    else:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        import keras  # noqa: F401

        import helpers.sentiment  # noqa: F401
        import helpers.sentiment_models  # noqa: F401 -- registers chapter 8's layers
        import helpers.transfer  # noqa: F401 -- registers the fine-tuned encoder


def measure_here(
    model_path: Path, texts: Sequence[str], *, single_calls: int = 15, batch_calls: int = 3
) -> dict[str, float]:
    """Load ``model_path`` in this process, classify ``texts``, and return what it cost.

    Returns a dict: ``load_seconds``; ``latency_ms``, the median over
    ``single_calls`` calls on one text each (the texts in turn), after one warm-up
    call; ``texts_per_second``, ``len(texts)`` divided by the median over
    ``batch_calls`` calls on all of them, after one warm-up call; ``import_rss_mb``
    and ``peak_rss_mb``, the peak resident memory (MB) after importing the
    libraries and at the end; ``model_rss_mb``, their difference. In a process
    that did other work before, the memory figures describe that work too: use
    :func:`measure_serving`.

    Raises:
        ValueError: ``texts`` is empty, the counts are not positive, or the file
            is neither ``.keras`` nor ``.joblib``.
        FileNotFoundError: there is no file at ``model_path``.
    """
    texts = [str(text) for text in texts]
    if not texts:
        raise ValueError("texts is empty: pass the texts to classify")
    if single_calls < 1 or batch_calls < 1:
        raise ValueError("single_calls and batch_calls must be positive")
    model_path = _check_model_path(model_path)
    _import_for(model_path)
    import_rss = _peak_rss_mb()
    started = time.perf_counter()
    classify = _classifier(model_path)
    load_seconds = time.perf_counter() - started
    classify(texts[:1])  # warm-up: the first call builds and traces the computation
    single = []
    for call in range(single_calls):
        started = time.perf_counter()
        classify([texts[call % len(texts)]])
        single.append(time.perf_counter() - started)
    classify(texts)  # warm-up for the batch's shapes
    batch = []
    for _ in range(batch_calls):
        started = time.perf_counter()
        classify(texts)
        batch.append(time.perf_counter() - started)
    peak_rss = _peak_rss_mb()
    return {
        "load_seconds": load_seconds,
        "latency_ms": 1000 * sorted(single)[len(single) // 2],
        "texts_per_second": len(texts) / sorted(batch)[len(batch) // 2],
        "import_rss_mb": import_rss,
        "peak_rss_mb": peak_rss,
        "model_rss_mb": peak_rss - import_rss,
    }


def measure_serving(
    model_path: Path,
    texts: Sequence[str],
    *,
    single_calls: int = 15,
    batch_calls: int = 3,
    timeout: float = 600,
) -> dict[str, float]:
    """:func:`measure_here` in a fresh Python process (``python -m helpers.serving_cost``).

    The new process starts with this one's environment and imports only what
    the model needs, so its peak memory is that of serving the model, and its
    timings are not helped or hurt by what this process did before.

    Raises:
        ValueError, FileNotFoundError: as :func:`measure_here` (checked here first).
        RuntimeError: the measuring process failed; the message holds its error output.
    """
    model_path = _check_model_path(model_path)
    if not texts:
        raise ValueError("texts is empty: pass the texts to classify")
    with tempfile.TemporaryDirectory(prefix="serving-cost-") as folder:
        texts_file = Path(folder) / "texts.json"
        texts_file.write_text(json.dumps([str(t) for t in texts]), encoding="utf-8")
        command = [
            sys.executable,
            "-m",
            "helpers.serving_cost",
            str(model_path),
            str(texts_file),
            f"--single-calls={single_calls}",
            f"--batch-calls={batch_calls}",
        ]
        environment = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
        completed = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, env=environment
        )
    lines = completed.stdout.strip().splitlines()
    if completed.returncode != 0 or not lines:
        raise RuntimeError(
            f"measuring {model_path} failed (exit status {completed.returncode}):\n"
            f"{completed.stderr.strip()[-4000:]}"
        )
    return json.loads(lines[-1])


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m helpers.serving_cost MODEL TEXTS.json [--single-calls N] [--batch-calls N]``.

    ``TEXTS.json`` holds a JSON list of strings. Prints :func:`measure_here`'s
    result as one JSON line on standard output.
    """
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m helpers.serving_cost",
        description="Measure the latency, throughput and peak memory of a saved text model.",
    )
    parser.add_argument("model", type=Path, help="a .keras or .joblib model file")
    parser.add_argument("texts", type=Path, help="a JSON file holding a list of texts")
    parser.add_argument("--single-calls", type=int, default=15)
    parser.add_argument("--batch-calls", type=int, default=3)
    args = parser.parse_args(argv)
    texts = json.loads(args.texts.read_text(encoding="utf-8"))
    result = measure_here(
        args.model, texts, single_calls=args.single_calls, batch_calls=args.batch_calls
    )
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
