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

prints one line per text.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

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
            f"{[tuple(o.shape) for o in outputs]}). Train it again with `make book`."
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


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m helpers.sentiment "text" ["more text" ...]``."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    if not arguments or arguments[0] in ("-h", "--help"):
        print(
            'usage: python -m helpers.sentiment "some text" ["more text" ...]\n'
            "Classifies each text as negative, neutral or positive with the model that\n"
            f"notebooks/ch08_sentiment_lstm trains (default file: {default_model_path()};\n"
            f"set {MODEL_ENV} to use another).",
            file=sys.stdout if arguments else sys.stderr,
        )
        return 0 if arguments else 2
    try:
        frame = predict(arguments)
    except (ValueError, TypeError, ModelNotFoundError, ModelLoadError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    for _, row in frame.iterrows():
        print(format_prediction(row))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
