"""Tests of helpers.sentiment: predict() and the command line, on a tiny model trained here."""

from __future__ import annotations

import contextlib
import io
import json
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
from helpers.throughput import cli_first_answer_seconds  # noqa: E402

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
    assert "make book" in message and "ch08b_pretrained" in message


def test_missing_lstm_names_chapter_8(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COURSE_BUILD_DIR", str(tmp_path))
    with pytest.raises(sentiment.ModelNotFoundError) as error:
        sentiment.predict(["good"], model_path="lstm")
    message = str(error.value)
    assert str(tmp_path / "models" / "sentiment-lstm.keras") in message
    assert "ch08_sentiment_lstm" in message


def test_course_model_path_knows_two_names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COURSE_BUILD_DIR", str(tmp_path))
    monkeypatch.delenv(sentiment.MODEL_ENV, raising=False)
    assert sentiment.course_model_path("encoder") == sentiment.default_model_path()
    assert sentiment.course_model_path("lstm") == tmp_path / "models" / "sentiment-lstm.keras"
    with pytest.raises(ValueError, match="encoder"):
        sentiment.course_model_path("bert")


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


def _cli(*args: str, model: Path | None, stdin: str | int = "") -> subprocess.CompletedProcess:
    """Run the command line as a user would: TensorFlow's log level not set beforehand.

    ``stdin`` is the text piped to it, or a file descriptor to read from (a terminal).
    """
    environment = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    environment.pop(sentiment.MODEL_ENV, None)
    if model is not None:
        environment[sentiment.MODEL_ENV] = str(model)
    return subprocess.run(
        [sys.executable, "-m", "helpers.sentiment", *args],
        capture_output=True,
        text=True,
        env=environment,
        cwd=REPO_ROOT,
        timeout=300,
        **({"input": stdin} if isinstance(stdin, str) else {"stdin": stdin}),
    )


def test_command_line_prints_only_its_answer(model_path: Path) -> None:
    completed = _cli("great wonderful fun", "awful dull mess", model=model_path)
    assert completed.returncode == 0, completed.stderr
    lines = completed.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("positive") and lines[0].endswith("great wonderful fun")
    assert lines[1].startswith("negative") and lines[1].endswith("awful dull mess")
    assert "neutral" in lines[0] and "0." in lines[0]
    assert completed.stderr == "", "TensorFlow's log must not reach the terminal"


def test_command_line_reads_standard_input_given_a_dash(model_path: Path) -> None:
    piped = "awful dull mess\n\n   \ngreat wonderful fun\r\n"
    completed = _cli("-", model=model_path, stdin=piped)
    assert completed.returncode == 0, completed.stderr
    lines = completed.stdout.splitlines()
    assert [line.split()[0] for line in lines] == ["negative", "positive"]  # blank lines skipped
    assert lines[1].endswith("great wonderful fun")
    assert completed.stderr == ""


def test_command_line_without_text_reads_piped_standard_input(model_path: Path) -> None:
    completed = _cli("--json", model=model_path, stdin="great wonderful fun\n")
    assert completed.returncode == 0, completed.stderr
    assert [json.loads(line)["label"] for line in completed.stdout.splitlines()] == ["positive"]


def test_command_line_without_text_on_a_terminal_is_a_usage_error() -> None:
    leader, follower = os.openpty()
    try:
        completed = _cli(model=None, stdin=follower)
    finally:
        os.close(leader)
        os.close(follower)
    assert completed.returncode == 2
    assert completed.stderr.startswith("usage:") and "no text given" in completed.stderr
    assert completed.stdout == ""


@pytest.mark.parametrize(
    ("args", "words"),
    [
        ((), "standard input held no text"),
        (("-",), "standard input held no text"),
        (("--no-such-option", "good"), "unrecognized arguments: --no-such-option"),
    ],
)
def test_command_line_usage_errors_exit_with_status_2(args: tuple[str, ...], words: str) -> None:
    completed = _cli(*args, model=None, stdin="\n  \n")
    assert completed.returncode == 2
    assert "usage:" in completed.stderr and words in completed.stderr
    assert completed.stdout == ""


def test_command_line_help_describes_the_options() -> None:
    completed = _cli("--help", model=None)
    assert completed.returncode == 0
    assert completed.stdout.startswith("usage: python -m helpers.sentiment")
    for option in ("--json", "--model", "--verbose", "standard input", sentiment.MODEL_ENV):
        assert option in completed.stdout
    assert completed.stderr == ""


def test_command_line_without_a_model_says_how_to_train(tmp_path: Path) -> None:
    completed = _cli("good", model=tmp_path / "missing.keras")
    assert completed.returncode == 1
    assert "make book" in completed.stderr and "missing.keras" in completed.stderr
    assert completed.stdout == ""


def test_command_line_rejects_an_empty_text(model_path: Path) -> None:
    completed = _cli("good", "", model=model_path)
    assert completed.returncode == 1
    assert "texts[1]" in completed.stderr


def _main(args: list[str], stdin: str = "") -> tuple[int, str, str]:
    """Run :func:`sentiment.main` in this process; return its status, stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = sentiment.main(args, stdin=io.StringIO(stdin))
    return status, out.getvalue(), err.getvalue()


def test_json_output_is_one_object_per_text_in_order(model_path: Path) -> None:
    status, out, err = _main(
        ["--json", "--model", str(model_path), "great wonderful fun", "-", "it is on the table"],
        stdin="awful dull mess\n",
    )
    assert status == 0, err
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["text"] for r in records] == [
        "great wonderful fun",
        "awful dull mess",
        "it is on the table",
    ]
    assert [r["label"] for r in records] == ["positive", "negative", "neutral"]
    for record in records:
        assert list(record) == ["text", "label", "p_negative", "p_neutral", "p_positive"]
        assert sum(record[k] for k in ("p_negative", "p_neutral", "p_positive")) == pytest.approx(1)
    expected = sentiment.predict([r["text"] for r in records], model_path=model_path)
    assert [r["p_positive"] for r in records] == pytest.approx(expected["p_positive"].tolist())


def test_model_option_wins_over_the_environment(
    model_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(sentiment.MODEL_ENV, str(tmp_path / "missing.keras"))
    status, out, err = _main(["--model", str(model_path), "awful dull mess"])
    assert status == 0, err
    assert out.startswith("negative")


def test_a_failure_shows_the_captured_log_before_the_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.keras"
    broken.write_bytes(b"this is not a zip archive")
    status, out, err = _main(["--model", str(broken), "good"])
    assert status == 1
    assert out == ""
    last = err.strip().splitlines()[-1]
    assert last.startswith("error: ") and str(broken) in last
    assert "oneDNN custom operations" not in err  # chatter filtered out of the replay


def test_read_texts_replaces_each_dash_with_standard_input() -> None:
    stdin = io.StringIO("first line\n\n  \nsecond line\r\n")
    assert sentiment.read_texts(["a", "-", "b", "-"], stdin) == [
        "a",
        "first line",
        "second line",
        "b",
    ]
    assert sentiment.read_texts(["only", "arguments"], io.StringIO("unread")) == [
        "only",
        "arguments",
    ]
    assert sentiment.read_texts(["-"], io.StringIO("")) == []


def test_without_tensorflow_chatter_keeps_warnings_errors_and_python_output() -> None:
    log = (
        "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"
        "I0000 00:00:1796010262.454814   26508 port.cc:153] oneDNN custom operations are on.\n"
        "I0000 00:00:1796010262.516446   26508 cpu_feature_guard.cc:227] This TensorFlow binary\n"
        "To enable the following instructions: AVX2 FMA, in other operations, rebuild.\n"
        "E0000 00:00:1796010277.641653   26567 util.cc:131] oneDNN supports DT_BOOL only\n"
        "UserWarning: something Python said\n"
        "Info about the model\n"
    )
    kept = sentiment.without_tensorflow_chatter(log)
    assert kept.splitlines() == [
        "E0000 00:00:1796010277.641653   26567 util.cc:131] oneDNN supports DT_BOOL only",
        "UserWarning: something Python said",
        "Info about the model",
    ]


def test_captured_output_catches_what_c_code_writes_to_the_descriptors(
    capfd: pytest.CaptureFixture[str],
) -> None:
    with sentiment.CapturedOutput() as captured:
        os.write(1, b"from fd 1\n")
        os.write(2, b"from fd 2\n")
        print("from print", file=sys.__stderr__, flush=True)  # the process's own stream
    assert captured.text.splitlines() == ["from fd 1", "from fd 2", "from print"]
    os.write(2, b"after\n")
    out, err = capfd.readouterr()
    assert "from fd" not in out + err and err == "after\n"


def test_cli_first_answer_seconds_times_one_command(model_path: Path) -> None:
    seconds = cli_first_answer_seconds(model_path=model_path)
    assert isinstance(seconds, float) and seconds > 0


def test_cli_first_answer_seconds_reports_a_failing_command(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="missing.keras"):
        cli_first_answer_seconds(model_path=tmp_path / "missing.keras")


def test_save_course_model_writes_where_load_model_looks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, model_path: Path
) -> None:
    run = sm.MethodResult(method="lstm", task="all_3class", labels=[], test_pred=[], key="k")
    monkeypatch.setattr(sm, "cached_model_path", lambda result: model_path)
    monkeypatch.delenv(sentiment.MODEL_ENV, raising=False)
    monkeypatch.setenv("COURSE_BUILD_DIR", str(tmp_path))
    # The file names have one owner: change one, and the saver and the loader follow.
    monkeypatch.setitem(sentiment.MODEL_FILENAMES, "lstm", "renamed.keras")
    saved = sentiment.save_course_model(run)
    assert saved == tmp_path / "models" / "renamed.keras" == sentiment.course_model_path("lstm")
    assert saved.read_bytes() == model_path.read_bytes()
    assert list(sentiment.predict("a fine film", model_path="lstm")["label"])
    assert not sentiment.default_model_path().exists()  # an LSTM never becomes the default


def test_save_course_model_puts_an_encoder_run_in_the_default_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, model_path: Path
) -> None:
    from helpers import transfer

    run = sm.MethodResult(
        method="minilm_finetuned", task="all_3class", labels=[], test_pred=[], key="k"
    )
    monkeypatch.setattr(transfer, "fine_tuned_model_path", lambda result: model_path)
    monkeypatch.delenv(sentiment.MODEL_ENV, raising=False)
    monkeypatch.setenv("COURSE_BUILD_DIR", str(tmp_path))
    monkeypatch.setattr(sentiment, "MODEL_FILENAME", "renamed.keras")
    saved = sentiment.save_course_model(run)
    assert saved == tmp_path / "models" / "renamed.keras" == sentiment.default_model_path()
    assert saved.read_bytes() == model_path.read_bytes()


def test_save_course_model_without_the_cached_model_says_how_to_train(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = sm.MethodResult(method="lstm", task="all_3class", labels=[], test_pred=[], seed=42)
    monkeypatch.setattr(sm, "cached_model_path", lambda result: tmp_path / "absent.keras")
    with pytest.raises(FileNotFoundError, match="save_models=True"):
        sentiment.save_course_model(run, tmp_path / "out.keras")
    assert not (tmp_path / "out.keras").exists()
