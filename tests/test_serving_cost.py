"""helpers.serving_cost: a saved model's latency, throughput and memory, measured apart."""

from __future__ import annotations

from pathlib import Path

import joblib
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from helpers import serving_cost

TEXTS = ["a fine film", "a dull film", "fine acting", "dull plot", "fine", "dull"]
LABELS = [1, 0, 1, 0, 1, 0]
KEYS = {
    "load_seconds",
    "latency_ms",
    "texts_per_second",
    "import_rss_mb",
    "peak_rss_mb",
    "model_rss_mb",
}


@pytest.fixture
def pipeline_file(tmp_path: Path) -> Path:
    """A TF-IDF + logistic regression pipeline on raw texts, saved with joblib."""
    pipeline = make_pipeline(TfidfVectorizer(), LogisticRegression()).fit(TEXTS, LABELS)
    path = tmp_path / "model.joblib"
    joblib.dump(pipeline, path)
    return path


def test_measured_here_the_figures_are_consistent(pipeline_file: Path) -> None:
    cost = serving_cost.measure_here(pipeline_file, TEXTS, single_calls=3, batch_calls=2)
    assert set(cost) == KEYS
    assert cost["latency_ms"] > 0 and cost["texts_per_second"] > 0 and cost["load_seconds"] >= 0
    assert cost["peak_rss_mb"] >= cost["import_rss_mb"] > 0
    assert cost["model_rss_mb"] == pytest.approx(cost["peak_rss_mb"] - cost["import_rss_mb"])


def test_in_a_fresh_process_a_joblib_model_needs_no_tensorflow(pipeline_file: Path) -> None:
    ballast = bytearray(600_000_000)  # this process's memory must not count in the child's
    ballast[::4096] = b"\x01" * len(ballast[::4096])
    cost = serving_cost.measure_serving(pipeline_file, TEXTS, single_calls=3, batch_calls=2)
    assert set(cost) == KEYS
    # A process that imported TensorFlow, or inherited our peak, would hold far more.
    assert 0 < cost["import_rss_mb"] < 400
    del ballast


def test_a_missing_or_unknown_file_is_refused_before_any_process_starts(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="save the model there first"):
        serving_cost.measure_serving(tmp_path / "absent.joblib", TEXTS)
    other = tmp_path / "model.pkl"
    other.write_bytes(b"")
    with pytest.raises(ValueError, match=r"\.keras or a \.joblib"):
        serving_cost.measure_serving(other, TEXTS)


def test_no_texts_and_bad_counts_are_refused(pipeline_file: Path) -> None:
    with pytest.raises(ValueError, match="texts is empty"):
        serving_cost.measure_serving(pipeline_file, [])
    with pytest.raises(ValueError, match="must be positive"):
        serving_cost.measure_here(pipeline_file, TEXTS, single_calls=0)


def test_a_failing_process_reports_its_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.joblib"
    broken.write_bytes(b"not a joblib file")
    with pytest.raises(RuntimeError, match="measuring .*broken.joblib failed"):
        serving_cost.measure_serving(broken, TEXTS)


def test_a_keras_model_on_strings_is_measured(tmp_path: Path) -> None:
    keras = pytest.importorskip("keras")
    import numpy as np

    vectorizer = keras.layers.TextVectorization(max_tokens=20, output_sequence_length=4)
    vectorizer.adapt(np.array(TEXTS))
    text = keras.Input(shape=(), dtype="string")
    x = keras.layers.Embedding(20, 4)(vectorizer(text))
    x = keras.layers.GlobalAveragePooling1D()(x)
    model = keras.Model(text, keras.layers.Dense(3, activation="softmax")(x))
    path = tmp_path / "model.keras"
    model.save(path)
    cost = serving_cost.measure_here(path, TEXTS, single_calls=2, batch_calls=1)
    assert set(cost) == KEYS and cost["latency_ms"] > 0 and cost["texts_per_second"] > 0
