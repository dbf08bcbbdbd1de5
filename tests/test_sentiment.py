"""Tests of helpers.sentiment: predict() and the command line, on a tiny model trained here."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402

from helpers import sentiment  # noqa: E402
from helpers import sentiment_models as sm  # noqa: E402
from helpers.paths import REPO_ROOT  # noqa: E402
from helpers.repro import set_seed  # noqa: E402

POSITIVE = ["good great film", "great wonderful", "wonderful good fun", "fun great", "good fun"]
NEGATIVE = ["bad awful film", "awful dull", "dull bad mess", "mess awful", "bad dull"]
NEUTRAL = ["the film is on tuesday", "it is a film", "the box", "on the table", "it is tuesday"]


def _train_tiny(n_classes: int) -> keras.Model:
    """A bag-of-embeddings model trained in about a second on made-up sentences."""
    set_seed(0)
    labels = ("negative", "neutral", "positive") if n_classes == 3 else ("negative", "positive")
    groups = {"negative": NEGATIVE, "neutral": NEUTRAL, "positive": POSITIVE}
    texts = [t for label in labels for t in groups[label]]
    y = np.array([i for i, label in enumerate(labels) for _ in groups[label]])
    vectorizer = sm.make_vectorizer(texts, sm.choose_vocabulary_size(texts, 1), 6)
    config = sm.ModelConfig(kind="bag", embedding_dim=8, learning_rate=0.05)
    model = sm.build_model(
        config, vocabulary_size=vectorizer.vocabulary_size(), sequence_length=6, n_classes=n_classes
    )
    x = vectorizer(np.array(texts)).numpy()
    model.fit(x, y, epochs=60, batch_size=len(texts), verbose=0)
    return sm.export_text_model(vectorizer, model)


@pytest.fixture(scope="module")
def model_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("model") / "tiny.keras"
    _train_tiny(3).save(path)
    return path


@pytest.fixture(scope="module")
def binary_model_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("binary") / "tiny-binary.keras"
    _train_tiny(2).save(path)
    return path


def test_predict_returns_one_row_per_text_with_probabilities(model_path: Path) -> None:
    texts = ["great wonderful fun", "awful dull mess", "it is on the table"]
    frame = sentiment.predict(texts, model_path=model_path)
    assert list(frame.columns) == ["text", "label", "p_negative", "p_neutral", "p_positive"]
    assert frame["text"].tolist() == texts
    assert frame["label"].tolist() == ["positive", "negative", "neutral"]
    probabilities = frame[["p_negative", "p_neutral", "p_positive"]].to_numpy()
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)
    assert (probabilities >= 0).all()
    best = np.array(["negative", "neutral", "positive"])[probabilities.argmax(axis=1)]
    assert frame["label"].tolist() == best.tolist()


def test_predict_accepts_one_string_and_a_series(model_path: Path) -> None:
    single = sentiment.predict("great wonderful fun", model_path=model_path)
    assert len(single) == 1 and single.loc[0, "label"] == "positive"
    series = sentiment.predict(pd.Series(["awful dull mess"]), model_path=model_path)
    assert series.loc[0, "label"] == "negative"


def test_predict_cleans_text_like_the_training_data(model_path: Path) -> None:
    plain = sentiment.predict(["great wonderful fun"], model_path=model_path)
    messy = sentiment.predict(["great\u0085 wonderful&nbsp;fun "], model_path=model_path)
    np.testing.assert_allclose(
        plain.filter(like="p_").to_numpy(), messy.filter(like="p_").to_numpy(), rtol=1e-6
    )
    assert messy.loc[0, "text"] == "great\u0085 wonderful&nbsp;fun "  # returned as given


def test_binary_model_gives_two_probability_columns(binary_model_path: Path) -> None:
    frame = sentiment.predict(["great fun", "awful mess"], model_path=binary_model_path)
    assert list(frame.columns) == ["text", "label", "p_negative", "p_positive"]
    assert frame["label"].tolist() == ["positive", "negative"]
    np.testing.assert_allclose(frame[["p_negative", "p_positive"]].sum(axis=1), 1.0, rtol=1e-6)


def test_model_path_comes_from_the_environment(
    model_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(sentiment.MODEL_ENV, str(model_path))
    assert sentiment.default_model_path() == model_path
    assert sentiment.predict(["awful dull mess"]).loc[0, "label"] == "negative"


def test_default_model_path_is_in_the_model_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(sentiment.MODEL_ENV, raising=False)
    monkeypatch.delenv("COURSE_BUILD_DIR", raising=False)
    assert sentiment.default_model_path() == REPO_ROOT / "build" / "models" / "sentiment.keras"


def test_missing_model_names_the_path_and_how_to_train(tmp_path: Path) -> None:
    missing = tmp_path / "nothing-here.keras"
    with pytest.raises(sentiment.ModelNotFoundError) as error:
        sentiment.predict(["good"], model_path=missing)
    message = str(error.value)
    assert str(missing) in message
    assert "make book" in message and "ch08_sentiment_lstm" in message


@pytest.mark.parametrize(
    ("texts", "error", "words"),
    [
        ([], ValueError, "empty"),
        ("", ValueError, "empty"),
        (["fine", "   "], ValueError, "texts[1]"),
        (["fine", 3], TypeError, "texts[1] is a int"),
        ([None], TypeError, "not a string"),
        (42, TypeError, "got int"),
        (np.array([["a", "b"]]), ValueError, "one-dimensional"),
    ],
)
def test_bad_input_gets_a_clear_error(
    model_path: Path, texts: object, error: type[Exception], words: str
) -> None:
    with pytest.raises(error) as raised:
        sentiment.predict(texts, model_path=model_path)  # type: ignore[arg-type]
    assert words in str(raised.value)


def test_input_is_checked_before_the_model_is_loaded(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="empty"):
        sentiment.predict([], model_path=tmp_path / "missing.keras")


def test_corrupt_model_file_gets_a_clear_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.keras"
    broken.write_bytes(b"this is not a zip archive")
    with pytest.raises(sentiment.ModelLoadError) as error:
        sentiment.predict(["good"], model_path=broken)
    assert str(broken) in str(error.value) and "make book" in str(error.value)


def test_a_model_that_is_not_a_sentiment_model_is_refused(tmp_path: Path) -> None:
    numbers_in = keras.Input(shape=(4,))
    other = keras.Model(numbers_in, keras.layers.Dense(2)(numbers_in))
    path = tmp_path / "other.keras"
    other.save(path)
    with pytest.raises(sentiment.ModelLoadError, match="not a sentiment model"):
        sentiment.predict(["good"], model_path=path)


def _cli(*args: str, model: Path | None) -> subprocess.CompletedProcess:
    environment = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    if model is not None:
        environment[sentiment.MODEL_ENV] = str(model)
    return subprocess.run(
        [sys.executable, "-m", "helpers.sentiment", *args],
        capture_output=True,
        text=True,
        env=environment,
        cwd=REPO_ROOT,
        timeout=300,
    )


def test_command_line_prints_one_line_per_text(model_path: Path) -> None:
    completed = _cli("great wonderful fun", "awful dull mess", model=model_path)
    assert completed.returncode == 0, completed.stderr
    lines = completed.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("positive") and lines[0].endswith("great wonderful fun")
    assert lines[1].startswith("negative") and lines[1].endswith("awful dull mess")
    assert "neutral" in lines[0] and "0." in lines[0]


def test_command_line_without_a_model_says_how_to_train(tmp_path: Path) -> None:
    completed = _cli("good", model=tmp_path / "missing.keras")
    assert completed.returncode == 1
    assert "make book" in completed.stderr and "missing.keras" in completed.stderr
    assert completed.stdout == ""


def test_command_line_without_text_prints_usage() -> None:
    completed = _cli(model=None)
    assert completed.returncode == 2
    assert "usage:" in completed.stderr


def test_command_line_rejects_an_empty_text(model_path: Path) -> None:
    completed = _cli("good", "", model=model_path)
    assert completed.returncode == 1
    assert "texts[1]" in completed.stderr


def test_save_course_model_writes_where_load_model_looks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, model_path: Path
) -> None:
    run = sm.MethodResult(method="lstm", task="all_3class", labels=[], test_pred=[], key="k")
    monkeypatch.setattr(sm, "cached_model_path", lambda result: model_path)
    monkeypatch.delenv(sentiment.MODEL_ENV, raising=False)
    monkeypatch.setenv("COURSE_BUILD_DIR", str(tmp_path))
    # The file name has one owner: change it, and the saver and the loader follow.
    monkeypatch.setattr(sentiment, "MODEL_FILENAME", "renamed.keras")
    saved = sentiment.save_course_model(run)
    assert saved == tmp_path / "models" / "renamed.keras" == sentiment.default_model_path()
    assert saved.read_bytes() == model_path.read_bytes()
    assert list(sentiment.predict("a fine film")["label"])


def test_save_course_model_without_the_cached_model_says_how_to_train(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = sm.MethodResult(method="lstm", task="all_3class", labels=[], test_pred=[], seed=42)
    monkeypatch.setattr(sm, "cached_model_path", lambda result: tmp_path / "absent.keras")
    with pytest.raises(FileNotFoundError, match="save_models=True"):
        sentiment.save_course_model(run, tmp_path / "out.keras")
    assert not (tmp_path / "out.keras").exists()
