"""The sentiment project's experiment code, shared by chapters 8 and 11.

Public API:

- :func:`load_task` -- the two tasks on the VADER snippets, split the course's way:
  ``"movie_binary"`` (positive vs negative movie snippets, neutral rows excluded)
  and ``"all_3class"`` (negative / neutral / positive on all four domains).
- :func:`standardize`, :func:`token_counts`, :func:`choose_vocabulary_size`,
  :func:`choose_sequence_length`, :func:`make_vectorizer` -- tokenization with
  ``keras.layers.TextVectorization``.
- :class:`ModelConfig`, :func:`build_model` -- the bag-of-embeddings, LSTM,
  bidirectional LSTM and small Transformer networks (:class:`PaddingMask` is the
  Transformer's layer that marks the real tokens).
- :func:`train_neural` -- one training run (tf.data, early stopping), measured.
- :func:`export_text_model` -- a model that takes raw strings (vectorizer inside).
- :func:`majority_baseline`, :func:`vader_baseline`, :func:`tfidf_logreg_baseline`.
- :func:`soft_targets`, :func:`train_distilled`, :func:`run_distilled` -- knowledge
  distillation: the same networks trained on a teacher's class probabilities.
- :func:`run_baseline`, :func:`run_neural`, :func:`run_comparison`,
  :func:`summary_table` -- every method
  on one task, through an on-disk results cache (:func:`results_cache_dir`), so
  the heavy training runs once per build and both chapters read the same results.

Every result is a :class:`MethodResult`: the method's test-set predictions (labels
and, where the method has them, class probabilities), its validation accuracy,
training time and parameter count. Metrics are computed from those predictions
by the chapters, with scikit-learn.

Importing this module imports TensorFlow and Keras (a few seconds).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any, ClassVar

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402 -- after quieting TensorFlow's C++ logs
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import tensorflow as tf  # noqa: E402

import helpers.data  # noqa: E402
from helpers.data import (  # noqa: E402
    BINARY_LABELS,
    VADER_LABELS,
    label_of_score,
    load_vader,
    vader_split,
)
from helpers.paths import build_dir, write_atomically  # noqa: E402
from helpers.repro import DEFAULT_SEED, set_seed  # noqa: E402

CODE_VERSION = 1
"""Part of every cache key: bump it when a change here alters results."""

SEEDS: tuple[int, ...] = (DEFAULT_SEED, DEFAULT_SEED + 1, DEFAULT_SEED + 2)
"""The seeds every neural model is trained with (mean and spread are over these)."""

TASKS: dict[str, str] = {
    "movie_binary": "positive vs negative on the movie snippets (neutral rows excluded)",
    "all_3class": "negative / neutral / positive on all four domains together",
}
"""The two tasks, by name."""

NEURAL_KINDS: tuple[str, ...] = ("bag", "lstm", "bilstm")
"""Network types :func:`build_model` knows."""

METHOD_NAMES: dict[str, str] = {
    "majority": "Majority class",
    "vader": "VADER (rule-based)",
    "tfidf_logreg": "TF-IDF + logistic regression",
    "tfidf_logreg_vader": "TF-IDF + VADER scores + logistic regression",
    "bag": "Bag of embeddings",
    "lstm": "LSTM",
    "bilstm": "Bidirectional LSTM",
}
"""Display names of the methods :func:`run_comparison` runs, in table order."""

RETRAIN_ENV = "COURSE_SENTIMENT_RETRAIN"
"""Set this environment variable to ``1`` to ignore cached results and retrain."""

COURSE_TASK = "all_3class"
"""The task the course's saved model answers (chapter 8 saves it, the CLI serves it)."""


# ----------------------------------------------------------------------------- the tasks


@dataclass(frozen=True)
class TaskData:
    """One task's rows, already split into train / validation / test.

    Each part is a ``load_vader`` frame (``text``, ``label``, ``rating``,
    ``domain``, ...) with a fresh 0-based index.
    """

    name: str
    labels: tuple[str, ...]
    train: pd.DataFrame
    validation: pd.DataFrame
    test: pd.DataFrame
    excluded: dict[str, int] = field(default_factory=dict)
    """Rows left out of each part (the neutral rows of the binary task)."""
    extra_train: pd.DataFrame | None = None
    """Training rows of other domains, used only by ``train_domains="all"`` models."""

    def part(self, name: str) -> pd.DataFrame:
        """Return the part called ``"train"``, ``"validation"`` or ``"test"``."""
        if name not in ("train", "validation", "test"):
            raise ValueError(f"part must be 'train', 'validation' or 'test', got {name!r}")
        return getattr(self, name)

    def y(self, part: str) -> np.ndarray:
        """Class indices (positions in :attr:`labels`) of one part, as int64."""
        frame = self.part(part)
        return (
            frame["label"]
            .map({label: i for i, label in enumerate(self.labels)})
            .to_numpy(dtype=np.int64)
        )

    def fingerprint(self) -> str:
        """SHA-256 over every part's texts, labels and ratings (a cache-key ingredient)."""
        digest = hashlib.sha256(self.name.encode())
        parts = [("train", self.train), ("validation", self.validation), ("test", self.test)]
        if self.extra_train is not None:
            parts.append(("extra", self.extra_train))
        for part, frame in parts:
            digest.update(part.encode())
            for column in ("text", "label", "rating", "domain"):
                digest.update("\x1f".join(map(str, frame[column].tolist())).encode())
        return digest.hexdigest()


def _positions(split: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return split.train, split.validation, split.test


def load_task(name: str) -> TaskData:
    """Load one of :data:`TASKS`, split the way every chapter splits it.

    ``"movie_binary"`` splits the movie snippets with
    :func:`helpers.data.vader_split` and then removes the neutral rows from each
    part (their count per part is in :attr:`TaskData.excluded`). Its
    ``extra_train`` holds the training parts of the other three domains (from
    the split of ``load_vader("all")``, with their neutral rows removed), for the
    experiment that trains on more domains; no movie row is in it.
    ``"all_3class"`` splits ``load_vader("all")`` (stratified by domain and label).
    """
    if name not in TASKS:
        raise ValueError(f"unknown task {name!r}; choose one of {sorted(TASKS)}")
    if name == "all_3class":
        frame = load_vader("all")
        split = vader_split(frame)
        parts = [frame.iloc[p].reset_index(drop=True) for p in _positions(split)]
        return TaskData(name, tuple(VADER_LABELS), *parts)
    frame = load_vader("movie")
    split = vader_split(frame)
    parts, excluded = [], {}
    for part_name, positions in zip(
        ("train", "validation", "test"), _positions(split), strict=True
    ):
        part = frame.iloc[positions]
        excluded[part_name] = int((part["label"] == "neutral").sum())
        parts.append(part[part["label"] != "neutral"].reset_index(drop=True))
    every = load_vader("all")
    every_train = every.iloc[vader_split(every).train]
    extra = every_train[(every_train["domain"] != "movie") & (every_train["label"] != "neutral")]
    return TaskData(
        name, BINARY_LABELS, *parts, excluded=excluded, extra_train=extra.reset_index(drop=True)
    )


# ----------------------------------------------------------------------------- tokens

_PUNCTUATION_TO_DROP = r"[\"#$%&()*+,\-./:;<=>@\[\\\]^_`{|}~']"
_SMILE = r"(^|\s)[:;=]-?[)\]dp]+"
_FROWN = r"(^|\s)[:;=]-?[(\[]+"


@keras.saving.register_keras_serializable(package="course", name="standardize")
def standardize(text: tf.Tensor) -> tf.Tensor:
    """Lower-case ``text`` and keep the punctuation that carries sentiment.

    Like Keras's default (``"lower_and_strip_punctuation"``) but ``!`` and ``?``
    become tokens of their own and the emoticons ``:)`` / ``:(`` (and variants
    such as ``;-)``, ``:D``, ``:P``, ``:-(``) become the words ``xxsmile`` /
    ``xxfrown``; other ASCII punctuation, apostrophes included, is removed
    (``don't`` -> ``dont``). Registered with Keras, so a saved model that uses it
    loads once this module is imported.
    """
    text = tf.strings.lower(text)
    text = tf.strings.regex_replace(text, _SMILE, r"\1 xxsmile ")
    text = tf.strings.regex_replace(text, _FROWN, r"\1 xxfrown ")
    text = tf.strings.regex_replace(text, r"([!?])", r" \1 ")
    return tf.strings.regex_replace(text, _PUNCTUATION_TO_DROP, "")


def _as_text_array(texts: Sequence[str] | pd.Series | np.ndarray) -> np.ndarray:
    if isinstance(texts, pd.Series):
        texts = texts.to_numpy()
    array = np.asarray(texts, dtype=object)
    if array.ndim != 1 or len(array) == 0:
        raise ValueError(f"texts must be a non-empty 1-D sequence of strings, got {array.shape}")
    bad = [type(t).__name__ for t in array if not isinstance(t, str)]
    if bad:
        raise TypeError(f"texts must all be strings; found {len(bad)} of type {bad[0]}")
    return array


def tokenize(texts: Sequence[str] | pd.Series) -> list[list[str]]:
    """Split texts into the tokens the models see (:func:`standardize`, then whitespace)."""
    array = _as_text_array(texts)
    tokens = tf.strings.split(standardize(tf.constant(array.astype(str))))
    return [[t.decode() for t in row] for row in tokens.to_list()]


def token_counts(texts: Sequence[str] | pd.Series) -> np.ndarray:
    """Number of tokens in each text, as the models count them (int64)."""
    array = _as_text_array(texts)
    tokens = tf.strings.split(standardize(tf.constant(array.astype(str))))
    return tokens.row_lengths().numpy().astype(np.int64)


def token_frequencies(texts: Sequence[str] | pd.Series) -> pd.Series:
    """How often each token occurs in ``texts``, most frequent first."""
    counts = Counter(token for row in tokenize(texts) for token in row)
    frame = pd.Series(counts, dtype="int64").rename_axis("token").rename("count")
    return frame.sort_values(ascending=False, kind="stable")


def choose_vocabulary_size(texts: Sequence[str] | pd.Series, min_count: int = 2) -> int:
    """Vocabulary size that keeps every token seen at least ``min_count`` times.

    The size counts TextVectorization's two reserved entries (index 0 for
    padding, index 1 for out-of-vocabulary tokens).
    """
    if min_count < 1:
        raise ValueError(f"min_count must be at least 1, got {min_count}")
    frequencies = token_frequencies(texts)
    return int((frequencies >= min_count).sum()) + 2


def choose_sequence_length(texts: Sequence[str] | pd.Series, percentile: float = 99) -> int:
    """The ``percentile``-th percentile of the token counts, rounded up."""
    if not 0 < percentile <= 100:
        raise ValueError(f"percentile must be in (0, 100], got {percentile}")
    return int(np.ceil(np.percentile(token_counts(texts), percentile)))


def make_vectorizer(
    texts: Sequence[str] | pd.Series | None,
    vocabulary_size: int,
    sequence_length: int,
    *,
    vocabulary: Sequence[str] | None = None,
) -> keras.layers.TextVectorization:
    """A TextVectorization layer using :func:`standardize`, adapted on ``texts``.

    It maps a string to ``sequence_length`` token indices: 0 pads, 1 is an
    out-of-vocabulary token, and the ``vocabulary_size - 2`` most frequent
    training tokens get 2, 3, ... Pass ``vocabulary`` (a list from
    ``get_vocabulary()``) instead of ``texts`` to rebuild an adapted layer.
    """
    layer = keras.layers.TextVectorization(
        max_tokens=vocabulary_size,
        standardize=standardize,
        split="whitespace",
        output_mode="int",
        output_sequence_length=sequence_length,
        name="vectorizer",
    )
    if vocabulary is not None:
        layer.set_vocabulary(list(vocabulary))
    elif texts is not None:
        layer.adapt(_as_text_array(texts).astype(str))  # a NumPy array: adapting is fast
    else:
        raise ValueError("pass the training texts to adapt on, or a vocabulary")
    return layer


# ----------------------------------------------------------------------------- the models


DEFAULT_LEARNING_RATES: dict[str, float] = {
    "bag": 1e-2,
    "lstm": 2e-3,
    "bilstm": 2e-3,
    "transformer": 1e-3,
}
"""Adam's learning rate per network type (the bag of embeddings learns slowly at 2e-3)."""


@dataclass(frozen=True)
class ModelConfig:
    """Everything that defines one neural model and how it is trained."""

    KINDS: ClassVar[tuple[str, ...]] = (*NEURAL_KINDS, "transformer")
    """Every network type :func:`build_model` knows: chapter 8's comparison trains
    :data:`NEURAL_KINDS`; the small Transformer is the attention chapter's."""

    kind: str = "lstm"
    """``"bag"`` (average of embeddings), ``"lstm"``, ``"bilstm"`` or ``"transformer"``."""
    embedding_dim: int = 32
    """Width of the token vectors (for ``"transformer"``, the width of every block)."""
    units: int = 32
    """LSTM units (per direction for ``"bilstm"``); for ``"transformer"`` the width of
    the feed-forward layer inside each block; unused by ``"bag"``."""
    dropout: float = 0.0
    """Dropout rate on the text representation, before the output layer (for
    ``"transformer"`` also inside the embeddings and every block, as in BERT)."""
    l2: float = 0.0
    """L2 penalty on the embedding matrix (not available for ``"transformer"``)."""
    learning_rate: float | None = None
    """Adam's learning rate; ``None`` means :data:`DEFAULT_LEARNING_RATES` of the kind."""
    batch_size: int = 128
    max_epochs: int = 4
    patience: int = 1
    """Epochs without a lower validation loss before early stopping."""
    target: str = "label"
    """``"label"``: the class (cross-entropy); ``"rating"``: the mean human rating / 4
    (mean squared error, a regression), turned into a class by the paper's rule."""
    vader_input: bool = False
    """Also feed VADER's four scores (neg, neu, pos, compound) to the output layer."""
    train_domains: str = "task"
    """``"task"``: the task's training rows; ``"all"``: also the other domains' rows
    (binary task only, see :attr:`TaskData.extra_train`)."""
    vocabulary_min_count: int = 2
    length_percentile: float = 99.0
    num_heads: int = 2
    """Attention heads per block (``"transformer"`` only; they split ``embedding_dim``)."""
    num_blocks: int = 1
    """Transformer encoder blocks (``"transformer"`` only)."""

    def __post_init__(self) -> None:
        if self.kind not in self.KINDS:
            raise ValueError(f"kind must be one of {self.KINDS}, got {self.kind!r}")
        if self.target not in ("label", "rating"):
            raise ValueError(f"target must be 'label' or 'rating', got {self.target!r}")
        if self.train_domains not in ("task", "all"):
            raise ValueError(f"train_domains must be 'task' or 'all', got {self.train_domains!r}")
        if self.learning_rate is not None and not self.learning_rate > 0:
            raise ValueError(f"learning_rate must be positive, got {self.learning_rate}")
        if not 0 <= self.dropout < 1:
            raise ValueError(f"dropout must be in [0, 1), got {self.dropout}")
        positive = ("embedding_dim", "units", "batch_size", "max_epochs", "patience")
        for name in (*positive, "num_heads", "num_blocks"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if self.kind == "transformer":
            if self.embedding_dim % self.num_heads:
                raise ValueError(
                    f"embedding_dim {self.embedding_dim} must be a multiple of "
                    f"num_heads {self.num_heads} (the heads split the width)"
                )
            if self.l2 > 0:
                raise ValueError("l2 is not available for kind='transformer'; use dropout")

    @property
    def adam_learning_rate(self) -> float:
        """The learning rate actually used (resolving ``None`` by kind)."""
        if self.learning_rate is not None:
            return float(self.learning_rate)
        return DEFAULT_LEARNING_RATES[self.kind]


@keras.saving.register_keras_serializable(package="course", name="MaskedAverage")
class MaskedAverage(keras.layers.Layer):
    """Average of the unmasked time steps; all zeros for a sequence with none.

    ``keras.layers.GlobalAveragePooling1D`` divides by the number of unmasked
    steps, which is 0 for a text with no token at all, and the result is NaN.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs: Any, mask: Any = None) -> Any:
        if mask is None:
            return keras.ops.mean(inputs, axis=1)
        weights = keras.ops.expand_dims(keras.ops.cast(mask, inputs.dtype), -1)
        total = keras.ops.sum(inputs * weights, axis=1)
        count = keras.ops.sum(weights, axis=1)
        return total / keras.ops.maximum(count, 1.0)

    def compute_mask(self, inputs: Any, mask: Any = None) -> None:
        return None

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return (input_shape[0], input_shape[2])


VADER_FEATURES: tuple[str, ...] = ("neg", "neu", "pos", "compound")
"""VADER's scores, in the order :func:`build_model`'s ``vader`` input takes them."""


COURSE_CONFIG = ModelConfig(kind="lstm")
"""The configuration of the course's LSTM, chapter 8's saved model (task :data:`COURSE_TASK`)."""


@keras.saving.register_keras_serializable(package="course", name="PaddingMask")
class PaddingMask(keras.layers.Layer):
    """Token indices -> the attention mask: 1 for a real token, 0 for padding (index 0).

    The Transformer blocks of :mod:`helpers.encoder` take this mask as an explicit
    input (BERT's ``attention_mask``) instead of a Keras mask.
    """

    def call(self, tokens: Any) -> Any:
        return keras.ops.cast(keras.ops.not_equal(tokens, 0), "int32")

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return tuple(input_shape)


def _transformer_encoder(
    tokens: Any, config: ModelConfig, vocabulary_size: int, sequence_length: int
) -> Any:
    """A small BERT on token indices: embeddings (word + learned position), blocks, mean."""
    from helpers.encoder import BertEmbeddings, MeanPooling, TransformerBlock

    mask = PaddingMask(name="padding_mask")(tokens)
    x = BertEmbeddings(
        vocabulary_size,
        config.embedding_dim,
        max_positions=sequence_length,
        type_vocab_size=1,
        layer_norm_eps=1e-6,
        dropout=config.dropout,
        name="embedding",
    )(tokens)
    for index in range(config.num_blocks):
        x = TransformerBlock(
            config.embedding_dim,
            config.num_heads,
            config.units,
            layer_norm_eps=1e-6,
            dropout=config.dropout,
            attention_dropout=config.dropout,
            name=f"block_{index}",
        )(x, mask)
    return MeanPooling(name="mean_pooling")(x, mask)


def build_model(
    config: ModelConfig,
    *,
    vocabulary_size: int,
    sequence_length: int,
    n_classes: int,
) -> keras.Model:
    """Build and compile the network ``config`` describes, on token indices.

    Input ``tokens``: ``sequence_length`` int64 indices (0 = padding, masked by
    the Embedding). Then ``Embedding(mask_zero=True)``, the text encoder (a
    masked average, ``LSTM(units)`` or ``Bidirectional(LSTM(units))``), optional
    dropout, optionally concatenated with the 4 VADER scores (second input
    ``vader``), then the output layer.

    ``kind="transformer"`` is a small BERT instead: :class:`PaddingMask` marks the
    real tokens, :class:`helpers.encoder.BertEmbeddings` adds a learned position
    embedding (one per position up to ``sequence_length``) to each token's
    embedding, ``num_blocks`` :class:`helpers.encoder.TransformerBlock` layers
    (``num_heads`` heads, width ``embedding_dim``, feed-forward width ``units``)
    never attend to padding, and :class:`helpers.encoder.MeanPooling` averages
    the real tokens' vectors. The output layer is the same for every kind:

    - ``target="label"`` with 2 classes: ``Dense(1, sigmoid)``, binary cross-entropy;
    - ``target="label"`` with 3 classes: ``Dense(3, softmax)``, sparse categorical
      cross-entropy;
    - ``target="rating"``: ``Dense(1, tanh)``, predicting the mean rating / 4, mean
      squared error.
    """
    if n_classes < 2:
        raise ValueError(f"n_classes must be at least 2, got {n_classes}")
    tokens = keras.Input(shape=(sequence_length,), dtype="int64", name="tokens")
    if config.kind == "transformer":
        x = _transformer_encoder(tokens, config, vocabulary_size, sequence_length)
    else:
        regularizer = keras.regularizers.L2(config.l2) if config.l2 > 0 else None
        x = keras.layers.Embedding(
            vocabulary_size,
            config.embedding_dim,
            mask_zero=True,
            embeddings_regularizer=regularizer,
            name="embedding",
        )(tokens)
        if config.kind == "bag":
            x = MaskedAverage(name="average")(x)
        elif config.kind == "lstm":
            x = keras.layers.LSTM(config.units, name="lstm")(x)
        else:
            x = keras.layers.Bidirectional(keras.layers.LSTM(config.units), name="bilstm")(x)
    if config.dropout > 0:
        x = keras.layers.Dropout(config.dropout, name="dropout")(x)
    inputs = [tokens]
    if config.vader_input:
        vader = keras.Input(shape=(len(VADER_FEATURES),), name="vader")
        inputs.append(vader)
        x = keras.layers.Concatenate(name="text_and_vader")([x, vader])
    if config.target == "rating":
        outputs = keras.layers.Dense(1, activation="tanh", name="rating")(x)
        loss, metrics = "mean_squared_error", []
    elif n_classes == 2:
        outputs = keras.layers.Dense(1, activation="sigmoid", name="probability")(x)
        loss, metrics = "binary_crossentropy", ["accuracy"]
    else:
        outputs = keras.layers.Dense(n_classes, activation="softmax", name="probabilities")(x)
        loss, metrics = "sparse_categorical_crossentropy", ["accuracy"]
    model = keras.Model(inputs if len(inputs) > 1 else tokens, outputs, name=config.kind)
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=config.adam_learning_rate),
        loss=loss,
        metrics=metrics,
    )
    return model


def export_text_model(
    vectorizer: keras.layers.TextVectorization, model: keras.Model, *, name: str = "sentiment"
) -> keras.Model:
    """Join a vectorizer and a trained token model into one model on raw strings.

    The result takes ``Input(shape=(), dtype="string")`` (call it on
    ``tf.constant(list_of_texts)``) and returns what ``model`` returns. A fresh
    TextVectorization with the same vocabulary is used, so the saved file holds
    its own copy. Models with a VADER input cannot be exported this way.
    """
    if len(model.inputs) != 1:
        raise ValueError("only a model whose single input is the token sequence can be exported")
    fresh = make_vectorizer(
        None,
        vectorizer.vocabulary_size(),
        int(vectorizer.get_config()["output_sequence_length"]),
        vocabulary=vectorizer.get_vocabulary(),
    )
    text = keras.Input(shape=(), dtype="string", name="text")
    return keras.Model(text, model(fresh(text)), name=name)


def count_parameters(model: keras.Model) -> int:
    """Number of trainable parameters."""
    return int(sum(int(np.prod(w.shape)) for w in model.trainable_weights))


# ----------------------------------------------------------------------------- results


@dataclass
class MethodResult:
    """One method's run on one task: its test predictions and what it cost."""

    method: str
    task: str
    labels: list[str]
    test_pred: list[str]
    """Predicted label of every test row (may include ``"neutral"`` for VADER on the
    binary task: a prediction outside the task's classes, counted as an error)."""
    test_proba: list[list[float]] | None = None
    """Probability of each class in :attr:`labels`, per test row (None if the method has none)."""
    test_score: list[float] | None = None
    """A continuous score per test row when the method has one (VADER's compound,
    the predicted rating / 4 of a regression model)."""
    validation_accuracy: float | None = None
    train_seconds: float = 0.0
    n_params: int | None = None
    seed: int | None = None
    config: dict | None = None
    history: list[dict] = field(default_factory=list)
    best_epoch: int | None = None
    """1-based epoch whose weights were kept (early stopping)."""
    extra: dict = field(default_factory=dict)
    key: str = ""
    """The cache key this result was stored under."""

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> MethodResult:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})

    def history_frame(self) -> pd.DataFrame:
        """The per-epoch history, indexed by epoch (1, 2, ...)."""
        frame = pd.DataFrame(self.history)
        frame.index = pd.RangeIndex(1, len(frame) + 1, name="epoch")
        return frame

    def accuracy(self, true_labels: Sequence[str]) -> float:
        """Share of test rows whose predicted label is the true one."""
        truth = np.asarray(true_labels, dtype=object)
        predicted = np.asarray(self.test_pred, dtype=object)
        if len(truth) != len(predicted):
            raise ValueError(f"{len(truth)} true labels for {len(predicted)} predictions")
        return float(np.mean(truth == predicted))


def results_cache_dir() -> Path:
    """Folder of cached results and models: ``<build>/cache/sentiment``.

    ``<build>`` is :func:`helpers.paths.build_dir` (``build/`` in the repository
    unless ``COURSE_BUILD_DIR`` says otherwise).
    """
    return build_dir() / "cache" / "sentiment"


def _versions() -> dict[str, str]:
    import sklearn

    return {
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "sklearn": sklearn.__version__,
    }


def cache_key(**parts: Any) -> str:
    """A short hash of ``parts`` plus :data:`CODE_VERSION` and library versions."""
    payload = json.dumps(
        {"parts": parts, "code": CODE_VERSION, "versions": _versions()},
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def _retrain_requested() -> bool:
    return os.environ.get(RETRAIN_ENV, "").strip() not in ("", "0")


def cached_result(
    name: str,
    key: str,
    compute: Callable[[], MethodResult],
    *,
    cache_dir: Path | None = None,
    required_files: Sequence[str] = (),
) -> MethodResult:
    """Return the result stored as ``<name>-<key>.json``, or compute and store it.

    A file that cannot be read is recomputed. With ``COURSE_SENTIMENT_RETRAIN=1``
    in the environment every result is recomputed. ``required_files`` names
    files (relative to the cache folder) that must exist too, or the result is
    recomputed (``compute`` writes them).
    """
    folder = cache_dir or results_cache_dir()
    path = folder / f"{name}-{key}.json"
    if path.is_file() and not _retrain_requested():
        present = all((folder / f).is_file() for f in required_files)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = None
        if present and isinstance(data, dict) and data.get("key") == key:
            return MethodResult.from_dict(data)
    result = compute()
    result.key = key
    write_atomically(path, json.dumps(result.to_dict()).encode("utf-8"))
    return result


# ----------------------------------------------------------------------------- baselines


def majority_baseline(data: TaskData) -> MethodResult:
    """Predict the most frequent training label for every text."""
    counts = data.train["label"].value_counts()
    winner = str(counts.index[0])
    shares = [float(counts.get(label, 0) / len(data.train)) for label in data.labels]
    return MethodResult(
        method="majority",
        task=data.name,
        labels=list(data.labels),
        test_pred=[winner] * len(data.test),
        test_proba=[shares] * len(data.test),
        validation_accuracy=float((data.validation["label"] == winner).mean()),
        n_params=0,
        extra={"majority_label": winner},
    )


def vader_scores(texts: Sequence[str] | pd.Series) -> pd.DataFrame:
    """VADER's ``neg``, ``neu``, ``pos`` and ``compound`` scores, one row per text."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    rows = [analyzer.polarity_scores(text) for text in _as_text_array(texts)]
    return pd.DataFrame.from_records(rows, columns=list(VADER_FEATURES))


def vader_labels(compound: Sequence[float] | np.ndarray) -> np.ndarray:
    """The VADER tool's own rule on its compound score: >= +0.05 positive, <= -0.05 negative.

    The band is :data:`helpers.data.NEUTRAL_BAND`, the paper's; the tool's
    documentation includes the boundary (``>=``), unlike the rule for the human
    ratings (:func:`helpers.data.label_of_score`, strict).
    """
    score = np.asarray(compound, dtype=np.float64)
    labels = np.full(score.shape, "neutral", dtype=object)
    band = helpers.data.NEUTRAL_BAND  # read at each call: one place to change it
    labels[score >= band] = "positive"
    labels[score <= -band] = "negative"
    return labels


def vader_baseline(data: TaskData) -> MethodResult:
    """The VADER analyzer with the paper's +-0.05 thresholds on its compound score.

    It needs no training. On the binary task its ``"neutral"`` predictions are
    kept as they are: they match no true label, so they count as errors (the
    share of them is in ``extra["neutral_share"]``).
    """
    started = time.perf_counter()
    compound = vader_scores(data.test["text"])["compound"].to_numpy()
    seconds = time.perf_counter() - started
    predicted = vader_labels(compound)
    validation = vader_labels(vader_scores(data.validation["text"])["compound"].to_numpy())
    return MethodResult(
        method="vader",
        task=data.name,
        labels=list(data.labels),
        test_pred=[str(p) for p in predicted],
        test_score=[float(c) for c in compound],
        validation_accuracy=float(np.mean(validation == data.validation["label"].to_numpy())),
        n_params=None,
        extra={"neutral_share": float(np.mean(predicted == "neutral")), "test_seconds": seconds},
    )


TFIDF_C_GRID: tuple[float, ...] = (0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0)
"""Inverse regularization strengths tried for the logistic regression."""


def tfidf_vectorizer() -> Any:
    """The course's TF-IDF: words and word pairs, sublinear term frequency (unfitted)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)


def tfidf_classifier(c: float) -> Any:
    """The logistic regression the course fits on TF-IDF features, at strength ``c`` (unfitted)."""
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=float(c), solver="newton-cg", max_iter=1000)


def tfidf_logreg_baseline(
    data: TaskData, c_grid: Sequence[float] = TFIDF_C_GRID, *, vader_input: bool = False
) -> MethodResult:
    """TF-IDF of words and word pairs, then logistic regression with C tuned on validation.

    :func:`tfidf_vectorizer` is fitted on the training texts; one
    :func:`tfidf_classifier` per C in ``c_grid`` is trained
    on them and the C with the best validation accuracy is kept. With
    ``vader_input`` VADER's four scores are appended to every row's features
    (the same extra information :class:`ModelConfig`'s ``vader_input`` gives a
    network). The time is that of fitting the vectorizer and the chosen model.
    """
    from scipy.sparse import csr_matrix, hstack

    started = time.perf_counter()
    vectorizer = tfidf_vectorizer()
    x_train = vectorizer.fit_transform(data.train["text"].to_numpy())
    vectorizer_seconds = time.perf_counter() - started
    x_val = vectorizer.transform(data.validation["text"].to_numpy())
    x_test = vectorizer.transform(data.test["text"].to_numpy())
    if vader_input:
        x_train, x_val, x_test = (
            hstack([x, csr_matrix(_vader_matrix(frame))]).tocsr()
            for x, frame in ((x_train, data.train), (x_val, data.validation), (x_test, data.test))
        )
    y_train, y_val = data.y("train"), data.y("validation")
    scores, fit_seconds, models = {}, {}, {}
    for c in c_grid:
        started = time.perf_counter()
        model = tfidf_classifier(c)
        model.fit(x_train, y_train)
        fit_seconds[c] = time.perf_counter() - started
        scores[c] = float(np.mean(model.predict(x_val) == y_val))
        models[c] = model
    best = max(c_grid, key=lambda c: (scores[c], -c))  # ties: the stronger regularization
    model = models[best]
    probabilities = model.predict_proba(x_test)
    predicted = np.asarray(data.labels)[probabilities.argmax(axis=1)]
    return MethodResult(
        method="tfidf_logreg_vader" if vader_input else "tfidf_logreg",
        task=data.name,
        labels=list(data.labels),
        test_pred=[str(p) for p in predicted],
        test_proba=probabilities.tolist(),
        validation_accuracy=scores[best],
        train_seconds=vectorizer_seconds + fit_seconds[best],
        n_params=int(model.coef_.size + model.intercept_.size),
        extra={
            "C": float(best),
            "validation_accuracy_by_C": {str(c): scores[c] for c in c_grid},
            "n_features": int(x_train.shape[1]),
        },
    )


# ----------------------------------------------------------------------------- training

_ENCODED: dict[tuple, dict] = {}


@contextlib.contextmanager
def _quiet_tensorflow_logger() -> Iterator[None]:
    """Silence TensorFlow's Python warnings (e.g. "triggered tf.function retracing")
    while the block runs: building a fresh model per run retraces by design."""
    logger = tf.get_logger()
    level = logger.level
    logger.setLevel("ERROR")
    try:
        yield
    finally:
        logger.setLevel(level)


def _training_frame(data: TaskData, config: ModelConfig) -> pd.DataFrame:
    if config.train_domains == "task":
        return data.train
    if data.extra_train is None:
        raise ValueError(f"task {data.name!r} has no other domains to train on")
    return pd.concat([data.train, data.extra_train], ignore_index=True)


def encoded_task(data: TaskData, config: ModelConfig) -> dict:
    """The vectorizer and token arrays a config trains on (computed once per process).

    Returns a dict with ``vectorizer``, ``vocabulary_size``, ``sequence_length``,
    ``train`` (the training frame), and ``x_train`` / ``x_validation`` / ``x_test``
    (int64 arrays of token indices).
    """
    key = (
        data.fingerprint(),
        config.train_domains,
        config.vocabulary_min_count,
        config.length_percentile,
    )
    if key not in _ENCODED:
        train = _training_frame(data, config)
        texts = train["text"]
        size = choose_vocabulary_size(texts, config.vocabulary_min_count)
        length = choose_sequence_length(texts, config.length_percentile)
        vectorizer = make_vectorizer(texts, size, length)

        def encode(frame: pd.DataFrame) -> np.ndarray:
            return vectorizer(tf.constant(frame["text"].to_numpy().astype(str))).numpy()

        _ENCODED[key] = {
            "vectorizer": vectorizer,
            "vocabulary_size": size,
            "sequence_length": length,
            "train": train,
            "x_train": encode(train),
            "x_validation": encode(data.validation),
            "x_test": encode(data.test),
        }
    return _ENCODED[key]


_VADER_SCORES: dict[str, np.ndarray] = {}


def _vader_matrix(frame: pd.DataFrame) -> np.ndarray:
    """VADER's four scores for every row of ``frame`` (float32), computed once per process."""
    key = hashlib.sha256("\x1f".join(frame["text"].tolist()).encode()).hexdigest()
    if key not in _VADER_SCORES:
        _VADER_SCORES[key] = vader_scores(frame["text"]).to_numpy(dtype=np.float32)
    return _VADER_SCORES[key]


def _targets(frame: pd.DataFrame, labels: Sequence[str], config: ModelConfig) -> np.ndarray:
    if config.target == "rating":
        return (frame["rating"].to_numpy(dtype=np.float32) / 4).reshape(-1, 1)
    index = {label: i for i, label in enumerate(labels)}
    unknown = set(frame["label"]) - set(index)
    if unknown:
        raise ValueError(f"training rows have labels {sorted(unknown)} outside {list(labels)}")
    return frame["label"].map(index).to_numpy(dtype=np.int64)


def _predict(
    model: keras.Model, inputs: Any, labels: Sequence[str], config: ModelConfig
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    """Return (predicted labels, class probabilities or None, score or None)."""
    rows = len(next(iter(inputs.values())) if isinstance(inputs, dict) else inputs)
    with _quiet_tensorflow_logger():
        output = model.predict(inputs, batch_size=rows, verbose=0)
    if config.target == "rating":
        score = output[:, 0].astype(np.float64)
        if len(labels) == 2:
            predicted = np.where(score > 0, labels[1], labels[0]).astype(object)
        else:  # a predicted mean rating / 4 becomes a class as a true one does
            predicted = label_of_score(score).astype(object)
        return predicted, None, score
    if output.shape[1] == 1:
        positive = output[:, 0].astype(np.float64)
        probabilities = np.stack([1 - positive, positive], axis=1)
    else:
        probabilities = output.astype(np.float64)
    return np.asarray(labels, dtype=object)[probabilities.argmax(axis=1)], probabilities, None


def training_dataset(x: Any, y: np.ndarray, batch_size: int, seed: int) -> tf.data.Dataset:
    """The course's training input pipeline: cached, shuffled every epoch, batched, prefetched.

    ``x`` is an array of token indices or a dict of arrays (several inputs);
    ``y`` the targets. The shuffle uses ``seed``, so two runs see the batches in
    the same order. Every trainer of the sentiment chapters and the throughput
    benchmark (``python -m helpers.bench --throughput``) use this one pipeline.
    """
    return (
        tf.data.Dataset.from_tensor_slices((x, y))
        .cache()
        .shuffle(len(y), seed=seed, reshuffle_each_iteration=True)
        .batch(batch_size)
        .prefetch(tf.data.AUTOTUNE)
    )


def restart(model: keras.Model, fresh: keras.Model) -> keras.Model:
    """Give ``model`` the starting weights of ``fresh`` and a brand-new optimizer state.

    ``fresh`` is the same architecture, just built (so initialized with the
    current seed); its weights and the states of its random-number generators
    (dropout) are copied. Afterwards ``model`` trains exactly as ``fresh`` would, to the
    last bit, but keeps the training and prediction functions TensorFlow traced
    for it earlier: tracing an LSTM's training step takes several seconds, more
    than an epoch of training on the course's tasks. Returns ``model``.

    Raises:
        ValueError: if the two models' weights do not have the same shapes.
    """
    shapes = [tuple(v.shape) for v in model.variables]
    if shapes != [tuple(v.shape) for v in fresh.variables]:
        raise ValueError("restart needs two models of the same architecture")
    for variable, start in zip(model.variables, fresh.variables, strict=True):
        variable.assign(start)  # weights, and the dropout layers' random-number states
    if model.optimizer.built:  # its step count, learning rate and moments, as new
        fresh.optimizer.build(fresh.trainable_variables)
        for variable, start in zip(
            model.optimizer.variables, fresh.optimizer.variables, strict=True
        ):
            variable.assign(start)
    return model


def _fit(
    model: keras.Model, train: tuple, validation: tuple, config: ModelConfig, seed: int
) -> tuple[Any, Any, float]:
    """Fit on the course's pipeline with early stopping; return history, stopper, seconds."""
    train_ds = training_dataset(*train, config.batch_size, seed)
    val_ds = tf.data.Dataset.from_tensor_slices(validation).cache().batch(1024)
    stopper = keras.callbacks.EarlyStopping(
        monitor="val_loss", patience=config.patience, restore_best_weights=True
    )
    started = time.perf_counter()
    with _quiet_tensorflow_logger():
        history = model.fit(
            train_ds,
            validation_data=val_ds,
            epochs=config.max_epochs,
            callbacks=[stopper],
            shuffle=False,  # the pipeline shuffles
            verbose=0,
        )
    return history, stopper, time.perf_counter() - started


def train_neural(
    data: TaskData,
    config: ModelConfig,
    seed: int = DEFAULT_SEED,
    *,
    reuse: keras.Model | None = None,
) -> tuple[keras.Model, MethodResult]:
    """Train one network on ``data`` with ``seed`` and predict the test set.

    Seeds everything with :func:`helpers.repro.set_seed`, builds the model with
    :func:`build_model`, and trains it on a ``tf.data`` pipeline (cached,
    shuffled with ``seed`` every epoch, batched, prefetched) for at most
    ``config.max_epochs`` epochs, with ``EarlyStopping`` on the validation loss
    (``restore_best_weights=True``). Returns the trained token model and its
    :class:`MethodResult` (``train_seconds`` is the wall time of ``fit``).

    ``reuse``, a model this function returned earlier for the same ``data``
    and ``config`` (another seed), is trained again from this seed's starting
    weights (:func:`restart`) instead of a new model: same results, without
    tracing the training step again.
    """
    encoded = encoded_task(data, config)
    train = encoded["train"]
    set_seed(seed)
    model = build_model(
        config,
        vocabulary_size=encoded["vocabulary_size"],
        sequence_length=encoded["sequence_length"],
        n_classes=len(data.labels),
    )
    if reuse is not None:
        model = restart(reuse, model)
    x_train, x_val, x_test = encoded["x_train"], encoded["x_validation"], encoded["x_test"]
    if config.vader_input:
        x_train = {"tokens": x_train, "vader": _vader_matrix(train)}
        x_val = {"tokens": x_val, "vader": _vader_matrix(data.validation)}
        x_test = {"tokens": x_test, "vader": _vader_matrix(data.test)}
    y_train = _targets(train, data.labels, config)
    y_val = _targets(data.validation, data.labels, config)
    history, stopper, seconds = _fit(model, (x_train, y_train), (x_val, y_val), config, seed)
    # One predict call on validation + test rows: one traced function per model.
    both = keras.tree.map_structure(lambda a, b: np.concatenate([a, b]), x_val, x_test)
    predicted, probabilities, scores = _predict(model, both, data.labels, config)
    n_val = len(data.validation)
    val_pred, test_pred = predicted[:n_val], predicted[n_val:]
    test_proba = None if probabilities is None else probabilities[n_val:]
    test_score = None if scores is None else scores[n_val:]
    records = pd.DataFrame(history.history).astype(float).to_dict(orient="records")
    result = MethodResult(
        method=config.kind,
        task=data.name,
        labels=list(data.labels),
        test_pred=[str(p) for p in test_pred],
        test_proba=None if test_proba is None else test_proba.tolist(),
        test_score=None if test_score is None else test_score.tolist(),
        validation_accuracy=float(np.mean(val_pred == data.validation["label"].to_numpy())),
        train_seconds=seconds,
        n_params=count_parameters(model),
        seed=int(seed),
        config=asdict(config),
        history=records,
        best_epoch=int(stopper.best_epoch) + 1,
        extra={
            "vocabulary_size": encoded["vocabulary_size"],
            "sequence_length": encoded["sequence_length"],
            "train_rows": len(train),
        },
    )
    return model, result


def _run_entry(data: TaskData, config: ModelConfig, seed: int) -> tuple[str, str]:
    """The cache name and key of one run: the one rule for where a run is stored."""
    key = cache_key(task=data.fingerprint(), config=asdict(config), seed=int(seed))
    return f"{data.name}-{config.kind}", key


def cached_runs(
    data: TaskData,
    config: ModelConfig,
    seeds: Sequence[int] = SEEDS,
    *,
    cache_dir: Path | None = None,
) -> list[MethodResult]:
    """The runs of ``config`` that :func:`run_neural` has stored, in seed order; trains nothing.

    A seed with no stored (or no readable) result is left out, so the list can
    be shorter than ``seeds``, or empty before the sentiment chapters have run.
    """
    folder = cache_dir or results_cache_dir()
    runs = []
    for seed in seeds:
        name, key = _run_entry(data, config, seed)
        path = folder / f"{name}-{key}.json"
        try:
            stored = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(stored, dict) and stored.get("key") == key:
            runs.append(MethodResult.from_dict(stored))
    return runs


def runs_of(results: Sequence[MethodResult], method: str) -> list[MethodResult]:
    """The results of one method (``"lstm"``, ``"tfidf_logreg"``, ...), in their order."""
    return [result for result in results if result.method == method]


def chosen_run(runs: Sequence[MethodResult]) -> MethodResult:
    """The run with the best validation accuracy; the lowest seed breaks a tie.

    This is how the course picks one of several seeds, never by test accuracy
    (that would be peeking at the test set).

    Raises:
        ValueError: if ``runs`` is empty.
    """
    if not runs:
        raise ValueError("no runs to choose from; train them first (run_neural)")
    return max(runs, key=lambda run: (run.validation_accuracy, -(run.seed or 0)))


def course_lstm_run(data: TaskData | None = None) -> MethodResult:
    """The course's LSTM: :func:`chosen_run` of :data:`COURSE_CONFIG` on the course's task.

    It was the course's model until the fine-tuned encoder
    (:func:`helpers.transfer.course_model_run`) took its place; it stays
    selectable (``helpers.sentiment.course_model_path("lstm")``). Trains
    (through the cache, models kept) whatever seed is missing, so any chapter
    can ask for it; chapter 8 saves its model with
    :func:`helpers.sentiment.save_course_model`.
    """
    data = load_task(COURSE_TASK) if data is None else data
    return chosen_run(run_neural(data, COURSE_CONFIG, save_models=True))


def run_neural(
    data: TaskData,
    config: ModelConfig,
    seeds: Sequence[int] = SEEDS,
    *,
    save_models: bool = False,
    cache_dir: Path | None = None,
) -> list[MethodResult]:
    """Train ``config`` once per seed, through the results cache.

    With ``save_models`` each run's model is also exported with
    :func:`export_text_model` and saved as ``<name>-<key>.keras`` in the cache
    folder (:func:`cached_model_path` finds it).
    """
    results = []
    folder = cache_dir or results_cache_dir()
    trained: list[keras.Model] = []  # one model, restarted for each seed (see train_neural)
    for seed in seeds:
        name, key = _run_entry(data, config, seed)

        def compute(seed: int = seed, key: str = key, name: str = name) -> MethodResult:
            model, result = train_neural(data, config, seed, reuse=trained[0] if trained else None)
            trained[:] = [model]
            if save_models:
                folder.mkdir(parents=True, exist_ok=True)
                vectorizer = encoded_task(data, config)["vectorizer"]
                export_text_model(vectorizer, model).save(folder / f"{name}-{key}.keras")
            return result

        required = [f"{name}-{key}.keras"] if save_models else []
        results.append(cached_result(name, key, compute, cache_dir=folder, required_files=required))
    return results


def cached_model_path(result: MethodResult, cache_dir: Path | None = None) -> Path:
    """Where :func:`run_neural` saved the model of ``result`` (``save_models=True``)."""
    return (cache_dir or results_cache_dir()) / f"{result.task}-{result.method}-{result.key}.keras"


# ----------------------------------------------------------------------------- distillation


def soft_targets(
    teacher: MethodResult, part: str, data: TaskData, soft_weight: float = 1.0
) -> np.ndarray:
    """A teacher's class probabilities on one part of ``data``, as a student's targets.

    ``teacher.extra[f"{part}_proba"]`` holds one probability per class of
    ``data.labels`` for every row of the part (``part`` is ``"train"`` or
    ``"validation"``; :func:`helpers.transfer.fine_tune` stores both). The
    target is ``soft_weight * teacher + (1 - soft_weight) * one_hot(label)``:
    cross-entropy is linear in its target, so training on it is training on
    the weighted sum of the soft and the hard loss. Rows are renormalized to
    sum to 1 (stored probabilities are rounded). For two classes the result is
    one column, P(second class), as the sigmoid output of :func:`build_model` needs.

    Raises:
        ValueError: the teacher's labels or rows do not match ``data``, or
            ``soft_weight`` is outside [0, 1].
    """
    if not 0 <= soft_weight <= 1:
        raise ValueError(f"soft_weight must be in [0, 1], got {soft_weight}")
    if list(teacher.labels) != list(data.labels):
        raise ValueError(f"the teacher's labels {teacher.labels} are not {list(data.labels)}")
    frame = data.part(part)
    name = f"{part}_proba"
    if name not in teacher.extra:
        raise ValueError(f"the teacher has no {name!r} in its extra (a fine_tune result has)")
    proba = np.asarray(teacher.extra[name], dtype=np.float64)
    if proba.shape != (len(frame), len(data.labels)):
        raise ValueError(
            f"the teacher's {name} has shape {proba.shape}, not ({len(frame)}, {len(data.labels)})"
        )
    hard = np.eye(len(data.labels))[_targets(frame, data.labels, ModelConfig())]
    mixed = soft_weight * proba + (1 - soft_weight) * hard
    mixed = mixed / mixed.sum(axis=1, keepdims=True)
    return (mixed[:, 1:] if len(data.labels) == 2 else mixed).astype(np.float32)


def train_distilled(
    data: TaskData,
    config: ModelConfig,
    teacher: MethodResult,
    seed: int = DEFAULT_SEED,
    *,
    soft_weight: float = 1.0,
) -> tuple[keras.Model, MethodResult]:
    """Train the network ``config`` describes on a teacher's probabilities (distillation).

    The same network, data pipeline and early stopping as :func:`train_neural`,
    but the targets are :func:`soft_targets` (the teacher's probabilities on
    the training part; on the validation part for early stopping) and the loss
    is the cross-entropy against them. Only a label-target, text-only model of
    the task's own training rows can be distilled. The result's method is
    ``"<kind>_distilled"``; its ``extra`` records ``soft_weight`` and how often
    the student agrees with the teacher on the validation part.
    """
    if config.target != "label" or config.vader_input or config.train_domains != "task":
        raise ValueError(
            "only a text-only model of the task's labels can be distilled "
            "(target='label', vader_input=False, train_domains='task')"
        )
    y_train = soft_targets(teacher, "train", data, soft_weight)
    y_val = soft_targets(teacher, "validation", data, soft_weight)
    encoded = encoded_task(data, config)
    set_seed(seed)
    model = build_model(
        config,
        vocabulary_size=encoded["vocabulary_size"],
        sequence_length=encoded["sequence_length"],
        n_classes=len(data.labels),
    )
    binary = len(data.labels) == 2
    loss = keras.losses.BinaryCrossentropy() if binary else keras.losses.CategoricalCrossentropy()
    model.compile(optimizer=keras.optimizers.Adam(config.adam_learning_rate), loss=loss)
    x_val, x_test = encoded["x_validation"], encoded["x_test"]
    history, stopper, seconds = _fit(
        model, (encoded["x_train"], y_train), (x_val, y_val), config, seed
    )
    predicted, probabilities, _ = _predict(
        model, np.concatenate([x_val, x_test]), data.labels, config
    )
    n_val = len(data.validation)
    teacher_val = np.asarray(data.labels)[np.argmax(teacher.extra["validation_proba"], axis=1)]
    result = MethodResult(
        method=f"{config.kind}_distilled",
        task=data.name,
        labels=list(data.labels),
        test_pred=[str(p) for p in predicted[n_val:]],
        test_proba=probabilities[n_val:].tolist(),
        validation_accuracy=float(
            np.mean(predicted[:n_val] == data.validation["label"].to_numpy())
        ),
        train_seconds=seconds,
        n_params=count_parameters(model),
        seed=int(seed),
        config=asdict(config),
        history=pd.DataFrame(history.history).astype(float).to_dict(orient="records"),
        best_epoch=int(stopper.best_epoch) + 1,
        extra={
            "soft_weight": float(soft_weight),
            "teacher_agreement_validation": float(np.mean(predicted[:n_val] == teacher_val)),
            "vocabulary_size": encoded["vocabulary_size"],
            "sequence_length": encoded["sequence_length"],
            "train_rows": len(data.train),
        },
    )
    return model, result


def run_distilled(
    data: TaskData,
    config: ModelConfig,
    teacher: MethodResult,
    seeds: Sequence[int] = SEEDS,
    *,
    soft_weight: float = 1.0,
    save_models: bool = False,
    cache_dir: Path | None = None,
) -> list[MethodResult]:
    """:func:`train_distilled` once per seed, through the results cache.

    The cache key holds the teacher's probabilities (their hash), so a new
    teacher trains new students. With ``save_models`` each student is saved
    like :func:`run_neural`'s models (:func:`cached_model_path` finds it).
    """
    folder = cache_dir or results_cache_dir()
    teacher_hash = hashlib.sha256(
        json.dumps([teacher.extra.get(f"{p}_proba") for p in ("train", "validation")]).encode()
    ).hexdigest()
    name = f"{data.name}-{config.kind}_distilled"
    results = []
    for seed in seeds:
        key = cache_key(
            task=data.fingerprint(),
            config=asdict(config),
            seed=int(seed),
            teacher=teacher_hash,
            soft_weight=float(soft_weight),
        )

        def compute(seed: int = seed, key: str = key) -> MethodResult:
            model, result = train_distilled(data, config, teacher, seed, soft_weight=soft_weight)
            if save_models:
                folder.mkdir(parents=True, exist_ok=True)
                vectorizer = encoded_task(data, config)["vectorizer"]
                export_text_model(vectorizer, model).save(folder / f"{name}-{key}.keras")
            return result

        required = [f"{name}-{key}.keras"] if save_models else []
        results.append(cached_result(name, key, compute, cache_dir=folder, required_files=required))
    return results


BASELINES = {
    "majority": majority_baseline,
    "vader": vader_baseline,
    "tfidf_logreg": tfidf_logreg_baseline,
}
"""The comparison's non-neural methods, by the name their results carry."""


def run_baseline(data: TaskData, method: str, cache_dir: Path | None = None) -> MethodResult:
    """One of :data:`BASELINES` on ``data``, through the results cache.

    Raises:
        ValueError: ``method`` is not one of them.
    """
    if method not in BASELINES:
        raise ValueError(f"unknown baseline {method!r}; use one of {sorted(BASELINES)}")
    return cached_result(
        f"{data.name}-{method}",
        cache_key(task=data.fingerprint(), method=method),
        lambda: BASELINES[method](data),
        cache_dir=cache_dir,
    )


def run_comparison(
    task: str | TaskData, seeds: Sequence[int] = SEEDS, *, save_lstm: bool = False
) -> list[MethodResult]:
    """Every method of the comparison on one task, through the results cache.

    Runs the majority class, VADER, TF-IDF + logistic regression, and the three
    networks (``ModelConfig(kind=kind)``) once per seed; with
    ``save_lstm`` the LSTM runs also keep their models. Results are cached under
    :func:`results_cache_dir`; a second call (in this or another notebook) reads them.
    """
    data = load_task(task) if isinstance(task, str) else task
    results = [run_baseline(data, method) for method in BASELINES]
    for kind in NEURAL_KINDS:
        config = ModelConfig(kind=kind)
        results += run_neural(data, config, seeds, save_models=save_lstm and kind == "lstm")
    return results


def summary_table(
    results: Sequence[MethodResult],
    data: TaskData,
    names: dict[str, str] | None = None,
) -> pd.DataFrame:
    """One row per method: accuracy and macro F1 (mean and std over runs), time, parameters.

    Rows follow the order of first appearance in ``results``; ``names`` maps a
    result's ``method`` to the displayed name (default :data:`METHOD_NAMES`).
    The std is the sample standard deviation over seeds (0 for a single run).
    """
    from sklearn.metrics import f1_score

    names = names or METHOD_NAMES
    truth = data.test["label"].to_numpy()
    rows: dict[str, dict[str, list]] = {}
    for result in results:
        if len(result.test_pred) != len(truth):
            raise ValueError(
                f"{result.method}: {len(result.test_pred)} predictions for {len(truth)} test rows"
            )
        row = rows.setdefault(
            result.method, {"accuracy": [], "macro_f1": [], "seconds": [], "params": []}
        )
        row["accuracy"].append(result.accuracy(truth))
        predicted = np.asarray(result.test_pred, dtype=object)
        row["macro_f1"].append(
            float(f1_score(truth, predicted, labels=list(data.labels), average="macro"))
        )
        row["seconds"].append(result.train_seconds)
        row["params"].append(result.n_params)

    def std(values: list[float]) -> float:
        return float(np.std(values, ddof=1)) if len(values) > 1 else 0.0

    table = pd.DataFrame.from_records(
        [
            {
                "method": names.get(method, method),
                "runs": len(row["accuracy"]),
                "accuracy": float(np.mean(row["accuracy"])),
                "accuracy_std": std(row["accuracy"]),
                "macro_f1": float(np.mean(row["macro_f1"])),
                "macro_f1_std": std(row["macro_f1"]),
                "train_seconds": float(np.mean(row["seconds"])),
                "parameters": row["params"][0],
            }
            for method, row in rows.items()
        ]
    )
    return table.set_index("method")


def with_config(config: ModelConfig, **changes: Any) -> ModelConfig:
    """A copy of ``config`` with some fields changed (a readable ``dataclasses.replace``)."""
    return replace(config, **changes)


def clear_results_cache(cache_dir: Path | None = None) -> None:
    """Delete every cached result and model (the next run retrains everything)."""
    shutil.rmtree(cache_dir or results_cache_dir(), ignore_errors=True)
