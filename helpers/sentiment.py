"""Use the course's trained sentiment model on your own text.

Chapter 8 (``notebooks/ch08_sentiment_lstm``) trains an Embedding + LSTM network
on the VADER human-rated snippets and saves it, tokenizer included, to
``build/models/sentiment.keras`` (:func:`default_model_path`; the environment
variable ``COURSE_SENTIMENT_MODEL`` points elsewhere). ``make book`` builds it.

From Python::

    from helpers.sentiment import predict
    predict(["a gorgeous, moving film", "a dull, lifeless mess"])

returns a DataFrame with the columns ``text``, ``label`` and one probability
column per class (``p_negative``, ``p_neutral``, ``p_positive``). From a shell::

    python -m helpers.sentiment "a gorgeous, moving film" "a dull, lifeless mess"
    echo "a dull film" | python -m helpers.sentiment -
    python -m helpers.sentiment --json < reviews.txt

prints one line per text on standard output and nothing else: the label, each
class's probability and the text. With no text arguments and standard input not a
terminal, or with ``-`` among them, it reads standard input, one text per line
(blank lines are skipped). ``--json`` prints JSON Lines instead: one object per
text, per line, with the keys of :func:`predict`'s columns (``text``, ``label``,
``p_negative``, ...). ``--model PATH`` uses another model file.

TensorFlow logs to the process's standard error from C++ (in 2.21, oneDNN and
absl INFO lines that ``TF_CPP_MIN_LOG_LEVEL=2`` does not stop, and a oneDNN
error-level notice on CPUs without AVX-512), so the command line runs the model
with file descriptors 1 and 2 redirected to a temporary file
(:class:`CapturedOutput`): that log is shown only when classifying fails, before
the error, or always with ``--verbose``. Exit status: 0 when every text was
classified, 1 when the model or a text is unusable (the message says why), 2 for
a usage error.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, TextIO

import numpy as np
import pandas as pd

from helpers.data import BINARY_LABELS, VADER_LABELS, normalize_text
from helpers.paths import in_checkout, model_dir

MODEL_ENV = "COURSE_SENTIMENT_MODEL"
"""Environment variable holding the path of the model file to use instead of the default."""

MODEL_FILENAME = "sentiment.keras"
"""File name of the saved model inside :func:`helpers.paths.model_dir`."""

TRAINING_NOTEBOOK = "notebooks/ch08_sentiment_lstm.ipynb"
"""The notebook that trains and saves the model (chapter 8), relative to a checkout."""


class ModelNotFoundError(FileNotFoundError):
    """There is no trained model file where the course looks for it."""


class ModelLoadError(RuntimeError):
    """The model file exists but is not a sentiment model this module can use."""


def default_model_path() -> Path:
    """``$COURSE_SENTIMENT_MODEL`` if set and non-empty, else ``<models>/sentiment.keras``.

    ``<models>`` is :func:`helpers.paths.model_dir`, where chapter 8 saves the model:
    ``build/models`` in a checkout; when ``helpers`` is an installed package,
    ``~/.local/share/executable-deep-learning/models`` (``$XDG_DATA_HOME`` moves it,
    ``$COURSE_BUILD_DIR`` overrides both).
    """
    override = os.environ.get(MODEL_ENV, "").strip()
    return Path(override).expanduser() if override else model_dir() / MODEL_FILENAME


def _training_advice() -> str:
    """How to train the model: ``make book`` in a checkout, chapter 8's notebook if installed."""
    if in_checkout():
        return (
            f"Train it with `make book` (it runs {TRAINING_NOTEBOOK}), or run that notebook "
            f"yourself (`.venv/bin/pytest --nbmake {TRAINING_NOTEBOOK}`)"
        )
    return (
        f"Train it by running chapter 8's notebook ({Path(TRAINING_NOTEBOOK).name}, from the "
        f"book's launch menu) top to bottom: it saves the model to {model_dir() / MODEL_FILENAME}"
    )


def _how_to_train(path: Path) -> str:
    return (
        f"There is no trained sentiment model at {path}. {_training_advice()}; "
        f"set {MODEL_ENV} to use a model saved elsewhere."
    )


def save_course_model(run: Any = None, path: str | os.PathLike | None = None) -> Path:
    """Save the course's model where :func:`load_model` looks for it; return the path.

    ``run`` is a :class:`helpers.sentiment_models.MethodResult` whose model the
    results cache holds; by default the course's chosen run
    (:func:`helpers.sentiment_models.course_model_run`). ``path`` defaults to
    :func:`default_model_path`. The file is replaced in one step, so a reader
    never sees half of it. Chapter 8 calls this; nothing else writes the file.

    Raises:
        FileNotFoundError: if the results cache does not hold the run's model.
    """
    from helpers import sentiment_models as sm
    from helpers.paths import write_atomically

    run = sm.course_model_run() if run is None else run
    source = sm.cached_model_path(run)
    if not source.is_file():
        raise FileNotFoundError(
            f"the results cache has no model for {run.task}/{run.method} seed {run.seed} "
            f"({source}); train it with helpers.sentiment_models.run_neural(..., "
            "save_models=True)"
        )
    target = default_model_path() if path is None else Path(path).expanduser()
    return write_atomically(target, source.read_bytes())


_LOADED: dict[tuple[str, int, int], Any] = {}


def load_model(path: str | os.PathLike | None = None) -> Any:
    """Load the saved sentiment model (a Keras model that takes raw strings).

    Loaded models are kept in memory, keyed by path, size and modification time,
    so repeated calls are fast and a retrained file is reloaded.

    Raises:
        ModelNotFoundError: no file at ``path`` (the message says how to train one).
        ModelLoadError: the file does not load as a Keras model, or the model does
            not take one string per example and return 1 or 3 values per example.
    """
    path = Path(path).expanduser() if path is not None else default_model_path()
    if not path.is_file():
        raise ModelNotFoundError(_how_to_train(path))
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if key in _LOADED:
        return _LOADED[key]

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras

    import helpers.sentiment_models  # noqa: F401 -- registers the custom standardization

    try:
        model = keras.saving.load_model(path)
    except Exception as err:  # Keras raises many types for a bad file
        raise ModelLoadError(
            f"{path} could not be loaded as a Keras model ({type(err).__name__}: {err}). "
            f"Delete it. {_training_advice()}."
        ) from err
    inputs = model.inputs
    outputs = model.outputs
    if (
        len(inputs) != 1
        or inputs[0].dtype != "string"
        or tuple(inputs[0].shape) != (None,)
        or len(outputs) != 1
        or outputs[0].shape[-1] not in (1, 3)
    ):
        raise ModelLoadError(
            f"{path} is a Keras model but not a sentiment model of this course: it must take "
            f"one string per example and return 1 or 3 values (it takes "
            f"{[(i.dtype, tuple(i.shape)) for i in inputs]} and returns "
            f"{[tuple(o.shape) for o in outputs]}). {_training_advice()}."
        )
    _LOADED.clear()
    _LOADED[key] = model
    return model


def _check_texts(texts: str | Sequence[str]) -> list[str]:
    if isinstance(texts, str):
        texts = [texts]
    elif isinstance(texts, pd.Series):
        texts = texts.tolist()
    elif isinstance(texts, np.ndarray):
        if texts.ndim != 1:
            raise ValueError(f"texts must be one-dimensional, got an array of shape {texts.shape}")
        texts = texts.tolist()
    elif not isinstance(texts, Sequence):
        raise TypeError(f"texts must be a string or a list of strings, got {type(texts).__name__}")
    texts = list(texts)
    if not texts:
        raise ValueError("texts is empty: pass at least one non-empty string")
    for position, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(
                f"texts[{position}] is a {type(text).__name__} ({text!r}), not a string; "
                "pass text only"
            )
        if not text.strip():
            raise ValueError(
                f"texts[{position}] is empty or only whitespace; there is nothing to classify"
            )
    return texts


def predict(
    texts: str | Sequence[str], *, model_path: str | os.PathLike | None = None
) -> pd.DataFrame:
    """Classify texts as negative, neutral or positive with the saved model.

    The texts are cleaned like the training data
    (:func:`helpers.data.normalize_text`: HTML entities unescaped, whitespace
    made plain) and given to the model as raw strings; its own TextVectorization
    layer tokenizes them.

    Args:
        texts: a list (or Series, or 1-D array) of non-empty strings; a single
            string is taken as a list of one.
        model_path: the model file; default :func:`default_model_path`.

    Returns:
        One row per text, in order: ``text`` (as given), ``label`` (the most
        probable class) and ``p_<class>`` for each class the model has (for the
        course's 3-class model ``p_negative``, ``p_neutral``, ``p_positive``,
        summing to 1).

    Raises:
        TypeError: ``texts`` is not text, or one element is not a string.
        ValueError: ``texts`` is empty, or one text is empty or only whitespace.
        ModelNotFoundError, ModelLoadError: see :func:`load_model`.
    """
    texts = _check_texts(texts)
    model = load_model(model_path)
    import tensorflow as tf

    cleaned = [normalize_text(text) for text in texts]
    output = np.asarray(model.predict(tf.constant(cleaned), verbose=0), dtype=np.float64)
    if output.shape[-1] == 1:
        labels = BINARY_LABELS
        probabilities = np.column_stack([1 - output[:, 0], output[:, 0]])
    else:
        labels = tuple(VADER_LABELS)
        probabilities = output
    frame = pd.DataFrame({"text": texts})
    frame["label"] = [labels[i] for i in probabilities.argmax(axis=1)]
    for index, label in enumerate(labels):
        frame[f"p_{label}"] = probabilities[:, index]
    return frame


def format_prediction(row: pd.Series) -> str:
    """One line for one prediction: the label, each class probability, the text."""
    shares = "  ".join(
        f"{name.removeprefix('p_')} {row[name]:.2f}" for name in row.index if name.startswith("p_")
    )
    return f"{row['label']:<8}  {shares}  {row['text']}"


class CapturedOutput:
    """Redirect file descriptors 1 and 2 (standard output and error) to a file, as a context.

    Unlike :func:`contextlib.redirect_stderr`, this also catches what C and C++ code
    writes (TensorFlow's log), and what Python prints when ``sys.stdout`` and
    ``sys.stderr`` are the process's own streams (a command line; not in Jupyter or
    under pytest, which replace them). On exit the descriptors are restored and
    :attr:`text` holds everything written meanwhile. ``sys.stdout`` and
    ``sys.stderr`` are flushed on entry and exit so nothing lands on the wrong side.
    """

    def __init__(self) -> None:
        self.text = ""
        self._sink: Any = None
        self._saved: dict[int, int] = {}

    def __enter__(self) -> CapturedOutput:
        _flush(sys.stdout, sys.stderr)
        self._sink = tempfile.TemporaryFile()
        for descriptor in (1, 2):
            self._saved[descriptor] = os.dup(descriptor)
            os.dup2(self._sink.fileno(), descriptor)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        _flush(sys.stdout, sys.stderr)
        for descriptor, copy in self._saved.items():
            os.dup2(copy, descriptor)
            os.close(copy)
        self._saved.clear()
        self._sink.seek(0)
        self.text = self._sink.read().decode("utf-8", errors="replace")
        self._sink.close()


def _flush(*streams: TextIO) -> None:
    for stream in streams:
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):  # closed, or not a real stream
            pass


_TENSORFLOW_CHATTER = re.compile(
    r"^(I\d{4} [\d:.]+ +\d+ \S+:\d+\]"  # absl INFO records
    r"|WARNING: All log messages before absl::InitializeLog\(\) is called"
    r"|To enable the following instructions: )"
)
"""Lines of TensorFlow's log that say nothing about a failure: absl's INFO records
(oneDNN and CPU-feature notices, which ``TF_CPP_MIN_LOG_LEVEL=2`` does not stop)."""


def without_tensorflow_chatter(log: str) -> str:
    """``log`` without the informational lines TensorFlow prints on every start.

    Warnings, errors and everything Python printed are kept.
    """
    return "".join(
        line for line in log.splitlines(keepends=True) if not _TENSORFLOW_CHATTER.match(line)
    )


def _replay(captured: CapturedOutput | None) -> None:
    """Show what was printed while classifying (it explains a failure), less the chatter."""
    if captured is None:
        return
    log = without_tensorflow_chatter(captured.text).strip("\n")
    if log:
        print(log, file=sys.stderr)


def read_texts(arguments: Sequence[str], stdin: TextIO) -> list[str]:
    """The texts to classify: ``arguments``, with each ``-`` replaced by ``stdin``'s lines.

    Standard input holds one text per line; line ends are removed and blank lines
    skipped. It is read at most once, however many ``-`` there are.
    """
    texts: list[str] = []
    lines: list[str] | None = None
    for argument in arguments:
        if argument != "-":
            texts.append(argument)
            continue
        if lines is None:
            lines = [line.rstrip("\r\n") for line in stdin]
            lines = [line for line in lines if line.strip()]
            texts.extend(lines)
    return texts


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m helpers.sentiment",
        description=(
            "Classify each text as negative, neutral or positive with the model that "
            f"{TRAINING_NOTEBOOK} trains and saves (default file: {default_model_path()}; "
            f"set {MODEL_ENV} or pass --model to use another). Prints one line per text on "
            "standard output and nothing else; TensorFlow's log is shown only on failure "
            "or with --verbose."
        ),
        epilog=(
            "exit status: 0 every text classified, 1 the model or a text is unusable, "
            "2 usage error. Example: echo 'a dull film' | python -m helpers.sentiment -"
        ),
    )
    parser.add_argument(
        "texts",
        nargs="*",
        metavar="TEXT",
        help=(
            "a text to classify; '-' reads standard input, one text per line (blank lines "
            "skipped), as does giving no TEXT when standard input is not a terminal"
        ),
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help=(
            "print JSON Lines: one object per text with the keys text, label and "
            "p_<class> (p_negative, p_neutral, p_positive), in the order given"
        ),
    )
    parser.add_argument("--model", type=Path, metavar="PATH", help="the model file to use")
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="let TensorFlow's own log through to stderr"
    )
    return parser


def main(argv: Sequence[str] | None = None, stdin: TextIO | None = None) -> int:
    """Command line: ``python -m helpers.sentiment [--json] [--model PATH] [TEXT | - ...]``.

    Returns the exit status (0, or 1 when the model or a text is unusable);
    usage errors exit with status 2 through :mod:`argparse`. ``stdin`` defaults
    to ``sys.stdin``. See the module docstring for the output formats.
    """
    parser = _parser()
    args = parser.parse_args(argv)
    stdin = sys.stdin if stdin is None else stdin
    arguments = args.texts
    if not arguments:
        if stdin is None or stdin.isatty():
            parser.error("no text given: pass texts as arguments, or '-' to read standard input")
        arguments = ["-"]
    texts = read_texts(arguments, stdin)
    if not texts:
        parser.error("no text given: standard input held no text (one text per line)")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # before TensorFlow is imported

    captured = None if args.verbose else CapturedOutput()
    try:
        if captured is None:
            frame = predict(texts, model_path=args.model)
        else:
            with captured:
                frame = predict(texts, model_path=args.model)
    except (ValueError, TypeError, ModelNotFoundError, ModelLoadError) as err:
        _replay(captured)
        print(f"error: {err}", file=sys.stderr)
        return 1
    except BaseException:
        _replay(captured)
        raise
    for record, (_, row) in zip(frame.to_dict("records"), frame.iterrows(), strict=True):
        print(json.dumps(record, ensure_ascii=False) if args.json else format_prediction(row))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
