"""BERT's uncased WordPiece tokenizer, written from the vocabulary a model ships.

A BERT-style encoder does not read words: it reads the ids of *word pieces*
from a fixed vocabulary (30,522 entries for all-MiniLM-L6-v2). Turning a text
into those ids takes two steps:

1. **Basic tokenization** -- drop control characters, make every kind of
   whitespace a space, put spaces around CJK ideographs, strip accents
   (Unicode NFD, then drop the combining marks), lower-case, then split on
   whitespace and cut every punctuation character into a token of its own.
2. **WordPiece** -- split each word greedily into the longest piece found in the
   vocabulary, then the longest continuation (written with a ``##`` prefix),
   and so on. A word that cannot be covered this way, or is longer than 100
   characters, becomes the single token ``[UNK]``.

The ids are then framed as ``[CLS] ... [SEP]``, cut to a maximum length and
padded, with an attention mask that marks the real tokens. The rules follow the
reference implementation of the ``tokenizers`` library (``BertNormalizer``,
``BertPreTokenizer``, ``WordPiece``) closely enough that the ids agree on every
course text.

Public API: :class:`WordPieceTokenizer` (with :meth:`~WordPieceTokenizer.from_tokenizer_json`),
:func:`basic_tokenize` and :func:`wordpiece`.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np

__all__ = ["WordPieceTokenizer", "basic_tokenize", "wordpiece"]

# Unicode's White_Space characters (what Rust's `char::is_whitespace` tests).
_WHITESPACE = frozenset(
    "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
    "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
# Blocks of CJK ideographs that BERT surrounds with spaces (each becomes one token).
_CJK_RANGES = (
    (0x4E00, 0x9FFF),
    (0x3400, 0x4DBF),
    (0x20000, 0x2A6DF),
    (0x2A700, 0x2B73F),
    (0x2B740, 0x2B81F),
    (0x2B820, 0x2CEAF),
    (0xF900, 0xFAFF),
    (0x2F800, 0x2FA1F),
)
_ASCII_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")


def _is_control(char: str) -> bool:
    """Control, format, private-use characters; tab, newline and return count as whitespace.

    Unassigned code points (category ``Cn``) are kept, as BERT's reference keeps
    them: they become ``[UNK]``.
    """
    return char not in "\t\n\r" and unicodedata.category(char) in ("Cc", "Cf", "Co", "Cs")


def _is_cjk(char: str) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in _CJK_RANGES)


def _is_punctuation(char: str) -> bool:
    """ASCII symbols such as ``$`` and ``^`` count too, as in BERT."""
    return char in _ASCII_PUNCTUATION or unicodedata.category(char).startswith("P")


def _normalize(text: str, lowercase: bool = True) -> str:
    """Clean, space out CJK characters, strip accents and lower-case (BERT's normalizer)."""
    cleaned = []
    for char in text:
        if char in ("\x00", "\ufffd") or _is_control(char):
            continue
        if char in _WHITESPACE:
            cleaned.append(" ")
        elif _is_cjk(char):
            cleaned.append(f" {char} ")
        else:
            cleaned.append(char)
    text = "".join(cleaned)
    if lowercase:  # the uncased models strip accents too, then lower-case
        decomposed = unicodedata.normalize("NFD", text)
        text = "".join(char for char in decomposed if unicodedata.category(char) != "Mn")
        # Character by character, as in BERT: str.lower() would turn a final capital
        # sigma into the final form, which the vocabulary's "σ" pieces do not expect.
        text = text.lower() if "\u03a3" not in text else "".join(c.lower() for c in text)
    return text


def basic_tokenize(text: str, lowercase: bool = True) -> list[str]:
    """Split a text into BERT's words: normalized, split on whitespace and punctuation.

    >>> basic_tokenize("Héllo, WORLD!")
    ['hello', ',', 'world', '!']
    """
    words: list[str] = []
    for chunk in re.split(r"\s+", _normalize(text, lowercase)):
        current = ""
        for char in chunk:
            if _is_punctuation(char):
                if current:
                    words.append(current)
                words.append(char)
                current = ""
            else:
                current += char
        if current:
            words.append(current)
    return words


def wordpiece(
    word: str,
    vocab: Mapping[str, int] | set[str],
    *,
    unk_token: str = "[UNK]",
    prefix: str = "##",
    max_chars: int = 100,
) -> list[str]:
    """Split one word into vocabulary pieces, greedily taking the longest match first.

    >>> wordpiece("unaffable", {"un", "##aff", "##able"})
    ['un', '##aff', '##able']

    A word longer than ``max_chars`` characters, or one with a stretch that no
    piece covers, becomes ``[unk_token]``.
    """
    if len(word) > max_chars:
        return [unk_token]
    pieces: list[str] = []
    start = 0
    while start < len(word):
        end = len(word)
        while end > start:
            piece = word[start:end] if start == 0 else prefix + word[start:end]
            if piece in vocab:
                break
            end -= 1
        else:  # no piece starts here
            return [unk_token]
        pieces.append(piece)
        start = end
    return pieces


class WordPieceTokenizer:
    """BERT's uncased WordPiece tokenizer: text -> ids, attention mask.

    Args:
        vocab: the word pieces, in id order (``vocab[i]`` has id ``i``).
        max_length: default maximum number of ids, ``[CLS]`` and ``[SEP]``
            included; longer texts are cut at the end.
        lowercase: lower-case and strip accents (the uncased models).
        max_chars_per_word: longer words become ``[UNK]``.
        special_tokens: the names of the unknown, start, end and padding tokens.

    Call it on a list of texts to get padded NumPy arrays::

        tokenizer = WordPieceTokenizer.from_tokenizer_json(minilm_dir() / "tokenizer.json")
        batch = tokenizer(["A fine film.", "Dull."])
        batch["input_ids"], batch["attention_mask"]
    """

    def __init__(
        self,
        vocab: Sequence[str],
        *,
        max_length: int = 128,
        lowercase: bool = True,
        max_chars_per_word: int = 100,
        unk_token: str = "[UNK]",
        cls_token: str = "[CLS]",
        sep_token: str = "[SEP]",
        pad_token: str = "[PAD]",
    ) -> None:
        self.vocab: list[str] = list(vocab)
        self.ids: dict[str, int] = {token: index for index, token in enumerate(self.vocab)}
        if len(self.ids) != len(self.vocab):
            raise ValueError("the vocabulary has duplicate entries")
        missing = [t for t in (unk_token, cls_token, sep_token, pad_token) if t not in self.ids]
        if missing:
            raise ValueError(f"special tokens {missing} are not in the vocabulary")
        if max_length < 2:
            raise ValueError(f"max_length must leave room for [CLS] and [SEP], got {max_length}")
        self.max_length = max_length
        self.lowercase = lowercase
        self.max_chars_per_word = max_chars_per_word
        self.unk_token, self.cls_token = unk_token, cls_token
        self.sep_token, self.pad_token = sep_token, pad_token
        self.unk_id, self.cls_id = self.ids[unk_token], self.ids[cls_token]
        self.sep_id, self.pad_id = self.ids[sep_token], self.ids[pad_token]
        # Special tokens written in a text ("[SEP]") are read as themselves, as in BERT.
        specials = sorted({unk_token, cls_token, sep_token, pad_token, "[MASK]"} & set(self.ids))
        self._special_pattern = re.compile("(" + "|".join(map(re.escape, specials)) + ")")
        self._cache: dict[str, list[int]] = {}

    @classmethod
    def from_tokenizer_json(cls, path: Path, *, max_length: int = 128) -> WordPieceTokenizer:
        """Build the tokenizer from a Hugging Face ``tokenizer.json`` (a WordPiece model)."""
        spec = json.loads(Path(path).read_text(encoding="utf-8"))
        model = spec.get("model", {})
        if model.get("type") != "WordPiece":
            raise ValueError(f"{path}: expected a WordPiece model, got {model.get('type')!r}")
        by_id = sorted(model["vocab"].items(), key=lambda item: item[1])
        if [index for _, index in by_id] != list(range(len(by_id))):
            raise ValueError(f"{path}: the vocabulary ids are not 0..{len(by_id) - 1}")
        normalizer = spec.get("normalizer") or {}
        return cls(
            [token for token, _ in by_id],
            max_length=max_length,
            lowercase=bool(normalizer.get("lowercase", True)),
            max_chars_per_word=int(model.get("max_input_chars_per_word", 100)),
            unk_token=model.get("unk_token", "[UNK]"),
        )

    @classmethod
    def from_vocab_file(cls, path: Path, *, max_length: int = 128) -> WordPieceTokenizer:
        """Build the tokenizer from a ``vocab.txt`` (one word piece per line, in id order)."""
        lines = Path(path).read_text(encoding="utf-8").splitlines()
        return cls(lines, max_length=max_length)

    def __len__(self) -> int:
        """The vocabulary size."""
        return len(self.vocab)

    def get_config(self) -> dict:
        """Everything needed to rebuild this tokenizer (``WordPieceTokenizer(**config)``)."""
        return {
            "vocab": list(self.vocab),
            "max_length": self.max_length,
            "lowercase": self.lowercase,
            "max_chars_per_word": self.max_chars_per_word,
            "unk_token": self.unk_token,
            "cls_token": self.cls_token,
            "sep_token": self.sep_token,
            "pad_token": self.pad_token,
        }

    def tokenize(self, text: str) -> list[str]:
        """The word pieces of ``text``, without ``[CLS]``/``[SEP]`` and without truncation."""
        return [self.vocab[index] for index in self._ids(text)]

    def _ids(self, text: str) -> list[int]:
        ids: list[int] = []
        for part in self._special_pattern.split(text):
            if part in self.ids and self._special_pattern.fullmatch(part):
                ids.append(self.ids[part])
                continue
            for word in basic_tokenize(part, self.lowercase):
                cached = self._cache.get(word)
                if cached is None:
                    pieces = wordpiece(
                        word, self.ids, unk_token=self.unk_token, max_chars=self.max_chars_per_word
                    )
                    cached = [self.ids[piece] for piece in pieces]
                    if len(self._cache) < 200_000:
                        self._cache[word] = cached
                ids.extend(cached)
        return ids

    def encode(self, text: str, max_length: int | None = None) -> list[int]:
        """The ids of ``[CLS] text [SEP]``, the text's pieces cut to fit ``max_length``."""
        limit = self.max_length if max_length is None else max_length
        if limit < 2:
            raise ValueError(f"max_length must leave room for [CLS] and [SEP], got {limit}")
        return [self.cls_id, *self._ids(text)[: limit - 2], self.sep_id]

    def __call__(
        self,
        texts: Iterable[str] | str,
        *,
        max_length: int | None = None,
        padding: str = "longest",
    ) -> dict[str, np.ndarray]:
        """Encode a batch: ``{"input_ids", "attention_mask"}``, int32 arrays of one shape.

        Args:
            texts: the texts (a single string counts as a batch of one).
            max_length: cut each text to this many ids (default :attr:`max_length`).
            padding: ``"longest"`` pads to the longest text of the batch,
                ``"max_length"`` to ``max_length`` (fixed shapes).

        The attention mask is 1 for real tokens and 0 for the padding.
        """
        if isinstance(texts, str):
            texts = [texts]
        if padding not in ("longest", "max_length"):
            raise ValueError(f"padding must be 'longest' or 'max_length', got {padding!r}")
        limit = self.max_length if max_length is None else max_length
        encoded = [self.encode(text, limit) for text in texts]
        return self.pad(encoded, limit if padding == "max_length" else None)

    def pad(
        self, encoded: Sequence[Sequence[int]], width: int | None = None
    ) -> dict[str, np.ndarray]:
        """Pad id sequences with ``[PAD]``: ``{"input_ids", "attention_mask"}``, int32.

        ``width`` defaults to the longest sequence; the mask is 1 for real ids.
        """
        if width is None:
            width = max((len(ids) for ids in encoded), default=2)
        input_ids = np.full((len(encoded), width), self.pad_id, dtype=np.int32)
        attention_mask = np.zeros((len(encoded), width), dtype=np.int32)
        for row, ids in enumerate(encoded):
            input_ids[row, : len(ids)] = ids
            attention_mask[row, : len(ids)] = 1
        return {"input_ids": input_ids, "attention_mask": attention_mask}

    def decode(self, ids: Iterable[int], skip_special: bool = True) -> str:
        """Join ids back into text (pieces glued at ``##``); lossy: case and accents are gone."""
        specials = {self.cls_id, self.sep_id, self.pad_id}
        tokens = [self.vocab[int(i)] for i in ids if not (skip_special and int(i) in specials)]
        return " ".join(tokens).replace(" ##", "")
