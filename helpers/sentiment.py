"""Use the course's trained sentiment model on your own text.

The course's model is the pretrained all-MiniLM-L6-v2 encoder fine-tuned on
the VADER human-rated snippets, three classes (chapter "Standing on a pretrained
model", ``notebooks/ch08b_pretrained``); it is saved, tokenizer included, to
``build/models/sentiment.keras`` (:func:`default_model_path`; the environment
variable ``COURSE_SENTIMENT_MODEL`` points elsewhere). Chapter 8's Embedding +
LSTM network stays selectable: it is saved to ``sentiment-lstm.keras`` beside
it, and ``--model lstm`` (or ``model_path=course_model_path("lstm")``) uses it.
``make book`` builds both.

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
``p_negative``, ...). ``--model lstm`` uses chapter 8's LSTM, ``--model PATH``
another model file.

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
"""File name of the course's model (the fine-tuned encoder) in :func:`helpers.paths.model_dir`."""

MODEL_FILENAMES = {"encoder": MODEL_FILENAME, "lstm": "sentiment-lstm.keras"}
"""The course's two saved models by name: the default and chapter 8's LSTM."""

TRAINING_NOTEBOOKS = {
    "encoder": "notebooks/ch08b_pretrained.ipynb",
    "lstm": "notebooks/ch08_sentiment_lstm.ipynb",
}
"""The notebook that trains and saves each named model, relative to a checkout."""

TRAINING_NOTEBOOK = TRAINING_NOTEBOOKS["encoder"]
"""The notebook that trains and saves the default model."""


class ModelNotFoundError(FileNotFoundError):
    """There is no trained model file where the course looks for it."""


class ModelLoadError(RuntimeError):
    """The model file exists but is not a sentiment model this module can use."""


def course_model_path(name: str) -> Path:
    """The file of one of the course's named models: ``"encoder"`` or ``"lstm"``."""
    if name not in MODEL_FILENAMES:
        raise ValueError(
            f"unknown model {name!r}; the course's models are {sorted(MODEL_FILENAMES)}"
        )
    if name == "encoder":
        return default_model_path()
    return model_dir() / MODEL_FILENAMES[name]


def default_model_path() -> Path:
    """``$COURSE_SENTIMENT_MODEL`` if set and non-empty, else ``<models>/sentiment.keras``.

    ``<models>`` is :func:`helpers.paths.model_dir`, where the chapters save the models:
    ``build/models`` in a checkout; when ``helpers`` is an installed package,
    ``~/.local/share/executable-deep-learning/models`` (``$XDG_DATA_HOME`` moves it,
    ``$COURSE_BUILD_DIR`` overrides both).
    """
    override = os.environ.get(MODEL_ENV, "").strip()
    return Path(override).expanduser() if override else model_dir() / MODEL_FILENAME


def _training_notebook(path: Path | None = None) -> str:
    """The notebook that writes ``path``: chapter 8 for the LSTM's file, else the encoder's."""
    if path is not None and Path(path).name == MODEL_FILENAMES["lstm"]:
        return TRAINING_NOTEBOOKS["lstm"]
    return TRAINING_NOTEBOOK


def _training_advice(path: Path | None = None) -> str:
    """How to train the model: ``make book`` in a checkout, the chapter's notebook if installed."""
    notebook = _training_notebook(path)
    if in_checkout():
        return (
            f"Train it with `make book` (it runs {notebook}), or run that notebook "
            f"yourself (`.venv/bin/pytest --nbmake {notebook}`)"
        )
    return (
        f"Train it by running the notebook {Path(notebook).name} (from the book's launch "
        f"menu) top to bottom: it saves the model to {model_dir()}"
    )


def _how_to_train(path: Path) -> str:
    return (
        f"There is no trained sentiment model at {path}. {_training_advice(path)}; "
        f"set {MODEL_ENV} to use a model saved elsewhere."
    )


def save_course_model(run: Any = None, path: str | os.PathLike | None = None) -> Path:
    """Save one of the course's models where :func:`load_model` looks for it; return the path.

    ``run`` is a :class:`helpers.sentiment_models.MethodResult` whose model the
    results cache holds: a fine-tuned encoder run of :mod:`helpers.transfer`
    (saved as the default model, :func:`default_model_path`) or an LSTM run of
    chapter 8 (saved as ``course_model_path("lstm")``). By default, the course's
    model: :func:`helpers.transfer.course_model_run`. ``path`` overrides where
    it goes. The file is replaced in one step, so a reader never sees half of
    it. Chapters 8 and "Standing on a pretrained model" call this; nothing else
    writes the files.

    Raises:
        FileNotFoundError: if the results cache does not hold the run's model.
    """
    from helpers.paths import write_atomically

    if run is None:
        from helpers.transfer import course_model_run

        run = course_model_run()
    if run.method == "minilm_finetuned":
        from helpers.transfer import fine_tuned_model_path

        source, name, how = (
            fine_tuned_model_path(run),
            "encoder",
            "helpers.transfer.run_fine_tune(..., save_model=True)",
        )
    else:
        from helpers import sentiment_models as sm

        source, name, how = (
            sm.cached_model_path(run),
            "lstm",
            "helpers.sentiment_models.run_neural(..., save_models=True)",
        )
    if not source.is_file():
        raise FileNotFoundError(
            f"the results cache has no model for {run.task}/{run.method} seed {run.seed} "
            f"({source}); train it with {how}"
        )
    target = course_model_path(name) if path is None else Path(path).expanduser()
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
    if isinstance(path, str) and path in MODEL_FILENAMES:
        path = course_model_path(path)
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
    import helpers.transfer  # noqa: F401 -- registers the fine-tuned encoder

    try:
        model = keras.saving.load_model(path)
    except Exception as err:  # Keras raises many types for a bad file
        raise ModelLoadError(
            f"{path} could not be loaded as a Keras model ({type(err).__name__}: {err}). "
            f"Delete it. {_training_advice(path)}."
        ) from err
    if not _is_text_classifier(model):
        inputs, outputs = model.inputs, model.outputs
        raise ModelLoadError(
            f"{path} is a Keras model but not a sentiment model of this course: it must take "
            f"one string per example and return 1 or 3 values (it takes "
            f"{[(i.dtype, tuple(i.shape)) for i in inputs]} and returns "
            f"{[tuple(o.shape) for o in outputs]}), or be a fine-tuned encoder "
            f"(helpers.transfer.EncoderClassifier). {_training_advice(path)}."
        )
    _LOADED.clear()
    _LOADED[key] = model
    return model


def _is_text_classifier(model: Any) -> bool:
    """A fine-tuned encoder, or a model on one string per example with 1 or 3 outputs."""
    if hasattr(model, "predict_texts") and hasattr(model, "labels"):
        return True
    try:
        inputs, outputs = model.inputs, model.outputs
    except (AttributeError, ValueError):
        return False
    return (
        len(inputs) == 1
        and inputs[0].dtype == "string"
        and tuple(inputs[0].shape) == (None,)
        and len(outputs) == 1
        and outputs[0].shape[-1] in (1, 3)
    )


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


def _labelled(output: np.ndarray) -> tuple[tuple[str, ...], np.ndarray]:
    """A string model's output as (labels, probabilities): 1 column = P(positive), 3 = classes."""
    if output.shape[-1] == 1:
        return BINARY_LABELS, np.column_stack([1 - output[:, 0], output[:, 0]])
    return tuple(VADER_LABELS), output


def predict(
    texts: str | Sequence[str], *, model_path: str | os.PathLike | None = None
) -> pd.DataFrame:
    """Classify texts as negative, neutral or positive with the saved model.

    The texts are cleaned like the training data
    (:func:`helpers.data.normalize_text`: HTML entities unescaped, whitespace
    made plain) and given to the model as raw strings: the fine-tuned encoder
    tokenizes them with its own WordPiece vocabulary, the LSTM with its own
    TextVectorization layer.

    Args:
        texts: a list (or Series, or 1-D array) of non-empty strings; a single
            string is taken as a list of one.
        model_path: the model file, or a course model's name (``"encoder"``,
            ``"lstm"``, see :func:`course_model_path`); default :func:`default_model_path`.

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
    if hasattr(model, "predict_texts"):  # the fine-tuned encoder tokenizes in Python
        labels = tuple(model.labels)
        probabilities = model.predict_texts(cleaned)
    else:
        output = np.asarray(model.predict(tf.constant(cleaned), verbose=0), dtype=np.float64)
        labels, probabilities = _labelled(output)
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
    parser.add_argument(
        "--model",
        metavar="NAME|PATH",
        help=(
            "'encoder' (the default: the fine-tuned pretrained encoder), 'lstm' (chapter 8's "
            "LSTM), or the path of another model file"
        ),
    )
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
