"""Tests of helpers.data: the digits, Auto MPG and VADER loaders, the splits, the checks.

The VADER tests build a small fake ``vaderSentiment-3.3.2.tar.gz`` in ``tmp_path``
and replace pip with a function that copies it, so they never touch the network.
Only ``test_real_vader_counts`` reads the real data (from the cache, or fetched by
pip when the machine can reach the package index; skipped otherwise).
"""

from __future__ import annotations

import io
import json
import subprocess
import tarfile
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import helpers.data as data
from helpers import _vader
from helpers.data import (
    EEC_COLUMNS,
    NEUTRAL_BAND,
    VADER_DOMAINS,
    VADER_LABELS,
    ChecksumError,
    DataError,
    human_agreement,
    label_of_score,
    load_auto_mpg,
    load_digits_784,
    load_eec,
    load_vader,
    normalize_text,
    read_vader_notices,
    stratified_split,
    vader_duplicates,
    vader_label,
    vader_rating_mismatches,
    vader_source_rows,
    vader_split,
    verify_file,
)

# --- a small fake VADER source distribution ---------------------------------------------


def _ratings_line(row_id: str, ratings: list[int]) -> str:
    values = np.asarray(ratings, dtype=float)
    return f"{row_id}\t{values.mean():.9f}\t{values.std():.5f}\t[{', '.join(map(str, ratings))}]"


MOVIE_RATINGS = {
    "1": [3, 2, 3, 2],
    "2": [-1, -1, -1, -1],
    "3": [1, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    "4": [2, 2, 2, 2],
    "5": [-2, -3, -2, -3],
}


def _fixture_files() -> dict[str, bytes]:
    """Ground-truth and ratings files for the four domains, with the source's quirks."""
    files: dict[str, str | bytes] = {
        # CRLF endings, an HTML entity, U+0085 and a double space, a duplicate (ids 1 and 4,
        # different ratings), a snippet in the neutral band, no newline after the last line.
        "movieReviewSnippets_GroundTruth.txt": (
            "1\t2.5\tA fine &amp; funny film.\r\n"
            "2\t-1.0\tDull\u0085and  long.\r\n"
            "3\t0.1\tIt exists.\r\n"
            "4\t2.0\tA fine &amp; funny film.\r\n"
            "5\t-2.5\tNo.\u2028Just no."
        ),
        "movieReviewSnippets_anonDataRatings.txt": "\r\n".join(
            _ratings_line(key, value) for key, value in MOVIE_RATINGS.items()
        ),
        # Tweet 2's ground-truth mean (1.0) differs from its listed ratings' mean (2.0).
        "tweets_GroundTruth.txt": "1\t-0.5\tmeh &lt;3\n2\t1.0\tyay!!\n",
        "tweets_anonDataRatings.txt": "\n".join(
            [_ratings_line("1", [0, -1, -1, 0]), _ratings_line("2", [2, 2, 2, 2])]
        )
        + "\n",
        # The ratings file starts with a byte-order mark, like the real one.
        "amazonReviewSnippets_GroundTruth.txt": "1_1\t0.25\tworks.\r\n1_2\t-3.0\tjunk!\r\n",
        "amazonReviewSnippets_anonDataRatings.txt": b"\xef\xbb\xbf"
        + (_ratings_line("1_1", [1, 0, 0, 0]) + "\r\n" + _ratings_line("1_2", [-3, -3])).encode()
        + b"\r\n",
        "nytEditorialSnippets_GroundTruth.txt": "1_1\t0.0\tThe city met.\r\n",
        "nytEditorialSnippets_anonDataRatings.txt": _ratings_line("1_1", [0, 0, 1, -1]),
    }
    return {
        name: text if isinstance(text, bytes) else text.encode() for name, text in files.items()
    }


def _targz(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, content in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


FAKE_README = "Cite: Hutto, C.J. & Gilbert, E.E. (2014) \u2013 VADER.\r\n"
"""The corpora's README, in Windows-1252 like the real one (the dash is byte 0x96)."""


def _sdist(files: dict[str, bytes]) -> bytes:
    inner = _targz(
        {f"hutto_ICWSM_2014/{name}": content for name, content in files.items()}
        | {"hutto_ICWSM_2014/_README_.txt": FAKE_README.encode("cp1252")}
    )
    return _targz(
        {
            "vaderSentiment-3.3.2/LICENSE.txt": b"The MIT License (MIT)\n",
            "vaderSentiment-3.3.2/additional_resources/hutto_ICWSM_2014.tar.gz": inner,
        }
    )


class FakeVader:
    """The fake sdist, a checksum list naming it, and a pip that counts its calls."""

    def __init__(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.cache = tmp_path / "cache"
        self.checksums = tmp_path / "checksums.sha256"
        self.pip_calls = 0
        self.pip_fails = False
        self.download: bytes | None = None
        self.use(_fixture_files())
        monkeypatch.setenv("COURSE_DATA_CACHE", str(self.cache))
        monkeypatch.setattr(data, "CHECKSUM_FILE", self.checksums)
        monkeypatch.setattr(data, "_run_pip", self._pip)

    def use(self, files: dict[str, bytes]) -> None:
        """Make ``files`` the content of the (only valid) sdist."""
        import hashlib

        self.sdist = _sdist(files)
        real = data.CHECKSUM_FILE.read_text(encoding="utf-8") if data.CHECKSUM_FILE.exists() else ""
        kept = [line for line in real.splitlines() if data.VADER_SDIST not in line]
        digest = hashlib.sha256(self.sdist).hexdigest()
        self.checksums.write_text("\n".join([*kept, f"{digest}  {data.VADER_SDIST}", ""]))

    def _pip(self, command: list[str]) -> subprocess.CompletedProcess[str]:
        self.pip_calls += 1
        if self.pip_fails:
            return subprocess.CompletedProcess(
                command, 1, "", "ERROR: Could not find a version that satisfies the requirement"
            )
        folder = Path(command[command.index("-d") + 1])
        (folder / data.VADER_SDIST).write_bytes(self.download or self.sdist)
        return subprocess.CompletedProcess(command, 0, "Saved", "")

    @property
    def downloaded(self) -> Path:
        return self.cache / "downloads" / data.VADER_SDIST


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeVader:
    # The real checksum list is read before CHECKSUM_FILE is replaced.
    return FakeVader(tmp_path, monkeypatch)


# --- loading the fake corpus --------------------------------------------------------------


def test_load_vader_parses_cleans_and_merges(fake: FakeVader) -> None:
    movie = load_vader("movie")
    assert list(movie.columns) == list(_vader.ROW_COLUMNS)
    # ids 1 and 4 hold the same text: one row, at the first copy's place, ratings pooled.
    assert movie["id"].tolist() == ["1", "2", "3", "5"]
    first = movie.iloc[0]
    assert first["text"] == "A fine & funny film."
    assert first["source_ids"] == ["1", "4"]
    assert first["ratings"] == MOVIE_RATINGS["1"] + MOVIE_RATINGS["4"]
    assert first["n_raters"] == 8
    assert first["rating"] == pytest.approx((2.5 * 4 + 2.0 * 4) / 8)
    assert first["rating_std"] == pytest.approx(np.std(MOVIE_RATINGS["1"] + MOVIE_RATINGS["4"]))
    # U+0085, a double space and U+2028 all became single spaces (and split no line).
    assert movie["text"].tolist()[1:] == ["Dull and long.", "It exists.", "No. Just no."]
    assert movie["label"].tolist() == ["positive", "negative", "neutral", "negative"]
    assert movie["domain"].eq("movie").all()
    tweets = load_vader("tweets")
    assert tweets["text"].tolist() == ["meh <3", "yay!!"]
    assert tweets["rating"].tolist() == [-0.5, 1.0]  # the ground-truth mean is kept


def test_all_joins_the_domains_in_order(fake: FakeVader) -> None:
    frame = load_vader("all")
    assert frame["domain"].unique().tolist() == list(VADER_DOMAINS)
    assert len(frame) == sum(len(load_vader(domain)) for domain in VADER_DOMAINS)
    assert frame.index.equals(pd.RangeIndex(len(frame)))


def test_duplicates_and_mismatches_are_recorded(fake: FakeVader) -> None:
    duplicates = vader_duplicates()
    assert len(duplicates) == 1
    record = duplicates.iloc[0]
    assert record["ids"] == ["1", "4"]
    assert record["copy_ratings"] == [2.5, 2.0]
    assert record["merged_label"] == "positive"
    assert not record["label_conflict"]
    mismatches = vader_rating_mismatches()
    assert mismatches[["domain", "id"]].values.tolist() == [["tweets", "2"]]
    assert mismatches.iloc[0]["ratings_mean"] == 2.0
    assert vader_rating_mismatches("movie").empty


def test_source_rows_are_the_files_before_merging(fake: FakeVader) -> None:
    movie = vader_source_rows("movie")
    assert movie.columns.tolist() == ["domain", "id", "line", "rating", "label", "raw_text", "text"]
    assert movie["id"].tolist() == ["1", "2", "3", "4", "5"]  # the duplicate is still there
    assert movie["line"].tolist() == [1, 2, 3, 4, 5]
    assert movie["raw_text"].iloc[1] == "Dull\u0085and  long."  # as released
    assert movie["text"].iloc[1] == "Dull and long."  # cleaned like load_vader's
    assert movie["label"].tolist() == vader_label(movie["rating"]).tolist()
    every = vader_source_rows()
    assert every["domain"].unique().tolist() == list(VADER_DOMAINS)
    assert every["text"].isin(load_vader("all")["text"]).all()
    with pytest.raises(ValueError, match="unknown VADER domain"):
        vader_source_rows("movies")


def test_notices_hold_the_licence_and_the_readme(fake: FakeVader) -> None:
    notices = read_vader_notices()
    assert notices.licence.startswith("The MIT License")
    assert notices.readme == FAKE_README  # decoded from Windows-1252
    assert read_vader_notices(fake.downloaded) == notices


def test_load_vader_labels_follow_the_band(
    fake: FakeVader, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert load_vader("movie")["label"].tolist() == ["positive", "negative", "neutral", "negative"]
    monkeypatch.setattr(data, "NEUTRAL_BAND", 0.7)  # |rating| <= 2.8 is now neutral
    with pytest.warns(UserWarning, match="another neutral band"):
        movie = load_vader("movie")  # the cached labels are stale: rebuilt
    assert movie["label"].tolist() == ["neutral"] * 4
    assert load_vader("movie")["label"].tolist() == ["neutral"] * 4  # from the new cache


def test_second_load_uses_the_cache_not_pip(fake: FakeVader) -> None:
    first = load_vader("all")
    assert fake.pip_calls == 1
    second = load_vader("all")
    assert fake.pip_calls == 1
    pd.testing.assert_frame_equal(first, second)
    # The cache alone is enough: without the sdist (and without network) it still loads.
    fake.downloaded.unlink()
    fake.pip_fails = True
    pd.testing.assert_frame_equal(load_vader("all"), first)
    assert fake.pip_calls == 1


def test_unknown_domain_lists_the_valid_ones(fake: FakeVader) -> None:
    with pytest.raises(ValueError, match="unknown VADER domain 'movies'") as info:
        load_vader("movies")
    for name in (*VADER_DOMAINS, "all"):
        assert repr(name) in str(info.value)
    assert fake.pip_calls == 0


def test_no_network_and_no_cache_says_what_to_run(fake: FakeVader) -> None:
    fake.pip_fails = True
    with pytest.raises(DataError) as info:
        load_vader("movie")
    message = str(info.value)
    assert "make data" in message
    assert "pip download --no-deps --no-binary :all: vaderSentiment==3.3.2" in message
    assert "Could not find a version" in message  # pip's own words are passed on
    assert not fake.downloaded.exists()
    assert not (fake.cache / "vader").exists()


def test_checksum_mismatch_names_both_hashes_and_sets_the_file_aside(fake: FakeVader) -> None:
    import hashlib

    fake.download = b"not the real archive"
    expected = hashlib.sha256(fake.sdist).hexdigest()
    actual = hashlib.sha256(fake.download).hexdigest()
    with pytest.raises(ChecksumError) as info:
        load_vader("movie")
    message = str(info.value)
    assert expected in message and actual in message and str(fake.downloaded) in message
    assert not fake.downloaded.exists()  # not used again...
    rejected = list((fake.cache / "downloads" / "rejected").iterdir())
    assert [path.read_bytes() for path in rejected] == [fake.download]  # ...but kept to inspect
    assert not (fake.cache / "vader").exists()
    # The next run downloads afresh and succeeds.
    fake.download = None
    assert len(load_vader("movie")) == 4


def test_a_tampered_cached_download_is_rejected(fake: FakeVader) -> None:
    fake.downloaded.parent.mkdir(parents=True)
    fake.downloaded.write_bytes(b"tampered")
    with pytest.raises(ChecksumError, match="moved to"):
        load_vader("movie")
    assert fake.pip_calls == 0


def _replace_line(files: dict[str, bytes], name: str, number: int, line: str) -> None:
    lines = files[name].split(b"\n")
    lines[number - 1] = line.encode() + (b"\r" if lines[number - 1].endswith(b"\r") else b"")
    files[name] = b"\n".join(lines)


@pytest.mark.parametrize(
    ("name", "number", "line", "problem"),
    [
        ("movieReviewSnippets_GroundTruth.txt", 3, "3\t0.1", "expected 3 tab-separated fields"),
        ("movieReviewSnippets_GroundTruth.txt", 2, "2\tbad\tDull.", "is not a number"),
        ("movieReviewSnippets_GroundTruth.txt", 2, "2\t-5\tDull.", "outside -4..4"),
        ("movieReviewSnippets_GroundTruth.txt", 3, "1\t0.1\tAgain.", "already used on line 1"),
        ("movieReviewSnippets_GroundTruth.txt", 3, "3\t0.1\t\u0085 &nbsp;", "the text is empty"),
        ("tweets_anonDataRatings.txt", 2, "2\t2.0\t0.0\t[2, 2, two]", "not a list of integers"),
        ("tweets_anonDataRatings.txt", 2, "2\t4.5\t0.5\t[4, 5]", "outside -4..4"),
        ("tweets_anonDataRatings.txt", 2, "2\t1.5\t0.0\t[2, 2, 2, 2]", "ratings average"),
        ("tweets_anonDataRatings.txt", 2, "2\t2.0\t0.9\t[2, 2, 2, 2]", "standard deviation"),
        ("tweets_anonDataRatings.txt", 1, "1\t-0.5\t0.5", "expected 4 tab-separated fields"),
    ],
)
def test_a_malformed_line_names_the_file_and_line(
    fake: FakeVader, name: str, number: int, line: str, problem: str
) -> None:
    files = _fixture_files()
    _replace_line(files, name, number, line)
    fake.use(files)
    with pytest.raises(DataError, match=problem) as info:
        load_vader("movie")
    assert f"{name}, line {number}" in str(info.value)
    assert not (fake.cache / "vader").exists()


def test_invalid_utf8_names_the_line(fake: FakeVader) -> None:
    files = _fixture_files()
    files["tweets_GroundTruth.txt"] += b"3\t0.0\tcaf\xe9\n"
    fake.use(files)
    with pytest.raises(DataError, match=r"tweets_GroundTruth.txt, line 3: not valid UTF-8"):
        load_vader("tweets")


def test_ids_missing_from_one_file_are_an_error(fake: FakeVader) -> None:
    files = _fixture_files()
    files["nytEditorialSnippets_GroundTruth.txt"] += b"1_2\t0.5\tA second sentence.\r\n"
    fake.use(files)
    with pytest.raises(DataError, match=r"do not list the same ids: 1 only in the first"):
        load_vader("editorial")


def test_a_missing_member_is_named(fake: FakeVader) -> None:
    files = _fixture_files()
    del files["tweets_anonDataRatings.txt"]
    fake.use(files)
    with pytest.raises(DataError, match="no file 'hutto_ICWSM_2014/tweets_anonDataRatings.txt'"):
        load_vader("movie")


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:100])


def _edit_manifest(**changes: object) -> object:
    def edit(path: Path) -> None:
        manifest_path = path.parent / "manifest.json"
        manifest = json.loads(manifest_path.read_text())
        manifest.update(changes)
        manifest_path.write_text(json.dumps(manifest))

    return edit


@pytest.mark.parametrize(
    ("corrupt", "reason"),
    [
        (_truncate, "does not match the checksum"),
        (lambda path: path.unlink(), "is missing"),
        (lambda path: (path.parent / "manifest.json").write_text("{not json"), "cannot be read"),
        (_edit_manifest(format=0), "has format 0"),
        (_edit_manifest(source_sha256="0" * 64), "another copy of the source"),
        (_edit_manifest(rows={"movie": 1}), "recorded length"),
    ],
    ids=["truncated", "table-deleted", "bad-json", "old-format", "other-source", "bad-rows"],
)
def test_a_corrupt_cache_is_rebuilt_not_trusted(fake: FakeVader, corrupt, reason: str) -> None:
    first = load_vader("all")
    (table,) = (fake.cache / "vader").glob("vader-*.json")
    corrupt(table)
    with pytest.warns(UserWarning, match=reason):
        rebuilt = load_vader("all")
    pd.testing.assert_frame_equal(rebuilt, first)
    assert fake.pip_calls == 1  # rebuilt from the verified download, not fetched again
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_vader("all")  # and now the cache is good again


def test_main_prints_counts_and_fails_cleanly(
    fake: FakeVader,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    import helpers.pretrained

    # The encoder wheel has its own tests (tests/test_pretrained.py); here it is a folder.
    monkeypatch.setattr(helpers.pretrained, "minilm_dir", lambda: tmp_path / "minilm")
    fake.pip_fails = True
    assert data.main() == 1
    assert "make data" in capsys.readouterr().err
    fake.pip_fails = False
    assert data.main() == 0
    printed = capsys.readouterr().out
    assert "movie" in printed and "editorial" in printed
    assert "duplicate rows merged: {'movie': 1}" in printed


# --- the cleaning rules --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("fish &amp; chips", "fish & chips"),
        ("A.T.&amp;amp;T.", "A.T.&T."),
        ("&lt;3 &gt;:(", "<3 >:("),
        ("AT&T rocks", "AT&T rocks"),  # not an entity: left alone
        ("a\u0085b", "a b"),
        ("a\u2028b\u2029c", "a b c"),
        ("a\u00a0b&nbsp;c", "a b c"),
        ("a\tb\x0bc\x1fd\x7fe", "a b c d e"),
        ("  spaced   out  ", "spaced out"),
        ("zero\u200bwidth\ufeff", "zerowidth"),
        ("caf\u00e9 \u2013 na\u00efve", "caf\u00e9 \u2013 na\u00efve"),
    ],
)
def test_normalize_text(raw: str, clean: str) -> None:
    assert normalize_text(raw) == clean


def test_label_of_score_is_the_papers_rule_with_strict_edges() -> None:
    scores = [-1.0, -0.0500001, -0.05, -0.01, 0.0, 0.05, 0.0500001, 1.0]
    expected = ["negative", "negative", "neutral", "neutral", "neutral", "neutral", "positive"]
    labels = label_of_score(scores)
    assert labels.tolist() == [*expected, "positive"]
    assert set(labels.tolist()) == set(VADER_LABELS)
    assert NEUTRAL_BAND == 0.05
    assert label_of_score(np.array([[0.3, -0.3]])).shape == (1, 2)  # shape is kept
    assert label_of_score(0.2).tolist() == "positive"  # a scalar gives a 0-d array
    assert label_of_score([0.1, 0.2], band=0.15).tolist() == ["neutral", "positive"]
    with pytest.raises(ValueError, match="band"):
        label_of_score([0.1], band=1.0)


@pytest.mark.parametrize("bad", [[0.5, float("nan")], [1.5], [-4.0]])
def test_label_of_score_rejects_nan_and_unnormalized_scores(bad: list[float]) -> None:
    with pytest.raises(ValueError, match="NaN|normalized"):
        label_of_score(bad)


def test_label_rule_matches_the_paper() -> None:
    ratings = [-4, -0.21, -0.2, -0.05, 0.0, 0.2, 0.2000001, 4]
    expected = ["negative", "negative", "neutral", "neutral", "neutral", "neutral", "positive"]
    assert vader_label(ratings).tolist() == [*expected, "positive"]
    assert vader_label(ratings).tolist() == label_of_score(np.array(ratings) / 4).tolist()
    with pytest.raises(ValueError, match="NaN"):
        vader_label([0.5, float("nan")])
    with pytest.raises(ValueError, match="normalized"):
        vader_label([4.5])


def test_the_band_has_one_owner(monkeypatch: pytest.MonkeyPatch) -> None:
    """Changing NEUTRAL_BAND in helpers.data changes every label derived from it."""
    ratings = [-2, -1, 1, 2]
    frame = pd.DataFrame({"domain": ["a"], "ratings": [[1, 1, 0]]})
    assert vader_label(ratings).tolist() == ["negative", "negative", "positive", "positive"]
    # The two 1s agree with the others' mean 0.5; the 0 (neutral) does not agree with 1.
    assert human_agreement(frame)["accuracy"].iloc[0] == pytest.approx(2 / 3)
    monkeypatch.setattr(data, "NEUTRAL_BAND", 0.3)  # |rating| <= 1.2 is now neutral
    assert vader_label(ratings).tolist() == ["negative", "neutral", "neutral", "positive"]
    assert label_of_score([0.29, 0.31]).tolist() == ["neutral", "positive"]
    assert human_agreement(frame)["accuracy"].iloc[0] == pytest.approx(1.0)


def test_lines_split_only_at_newline() -> None:
    rows = _vader.parse_ground_truth(b"1\t1.0\tone\xc2\x85two\xe2\x80\xa8three\r\n\r\n", "f.txt")
    assert [(row.id, row.text, row.line) for row in rows] == [("1", "one two three", 1)]


# --- human agreement -------------------------------------------------------------------------


def _naive_agreement(ratings: list[list[int]]) -> tuple[float, float]:
    """Leave-one-out agreement by explicit loops (weights 1/n), to check the vectorized one."""
    pairs = []
    for values in ratings:
        for i, own in enumerate(values):
            others = values[:i] + values[i + 1 :]
            pairs.append((own, sum(others) / len(others), 1 / len(values)))
    own, loo, weight = (np.array(column, dtype=float) for column in zip(*pairs, strict=True))
    mean_own = np.average(own, weights=weight)
    mean_loo = np.average(loo, weights=weight)
    cov = np.average((own - mean_own) * (loo - mean_loo), weights=weight)
    var_own = np.average((own - mean_own) ** 2, weights=weight)
    var_loo = np.average((loo - mean_loo) ** 2, weights=weight)
    agree = weight[vader_label(own) == vader_label(loo)].sum() / weight.sum()
    return cov / np.sqrt(var_own * var_loo), agree


def test_human_agreement_matches_a_loop() -> None:
    ratings = [[3, 2, 3], [-1, 0, -2, -1], [0, 0, 1, 0, 0], [2, -1, 1]]
    frame = pd.DataFrame({"domain": ["a", "a", "a", "a"], "ratings": ratings})
    result = human_agreement(frame).iloc[0]
    pearson, accuracy = _naive_agreement(ratings)
    assert result["snippets"] == 4 and result["ratings"] == 15
    assert result["pearson_r"] == pytest.approx(pearson)
    assert result["accuracy"] == pytest.approx(accuracy)
    assert 0 <= result["macro_f1"] <= 1


def test_human_agreement_is_perfect_when_raters_agree() -> None:
    frame = pd.DataFrame({"domain": ["x", "x", "y"], "ratings": [[2, 2], [-3, -3], [1, 2, 1]]})
    result = human_agreement(frame)
    assert result["domain"].tolist() == ["x", "y"]
    x = result.iloc[0]
    assert x["pearson_r"] == pytest.approx(1.0)
    assert x["accuracy"] == 1.0
    # Only two classes occur in x; the absent neutral class scores 0 in the macro average.
    assert x["macro_f1"] == pytest.approx(2 / 3)
    overall = human_agreement(frame, by=None)
    assert overall["snippets"].tolist() == [3]


def test_human_agreement_needs_two_ratings() -> None:
    with pytest.raises(ValueError, match="at least 2 ratings"):
        human_agreement(pd.DataFrame({"domain": ["a"], "ratings": [[1]]}))


# --- the Equity Evaluation Corpus --------------------------------------------------------


def test_eec_has_the_published_size_and_design() -> None:
    eec = load_eec()
    assert eec.columns.tolist() == list(EEC_COLUMNS)
    assert len(eec) == 8_640  # the published size
    assert eec["sentence"].is_unique
    assert not eec.isna().any().any()
    # 11 templates: 7 with one of 40 emotion words (20 states or 20 situations), 4 without.
    per_template = eec.groupby("template").size()
    assert per_template.index.tolist() == list(range(1, 12))
    assert per_template.loc[1:7].eq(20 * 60).all() and per_template.loc[8:11].eq(60).all()
    # Every person appears in the same 144 sentences.
    assert eec.groupby("person").size().eq(144).all() and eec["person"].nunique() == 60
    counts = eec.groupby(["kind", "race", "gender"]).size()
    assert counts.to_dict() == {
        ("name", "African American", "female"): 1440,
        ("name", "African American", "male"): 1440,
        ("name", "European American", "female"): 1440,
        ("name", "European American", "male"): 1440,
        ("noun phrase", "", "female"): 1440,
        ("noun phrase", "", "male"): 1440,
    }
    # 7 templates x 5 words x 60 persons per emotion; 4 templates x 60 persons without.
    assert eec.groupby("emotion").size().to_dict() == {
        "anger": 2100,
        "fear": 2100,
        "joy": 2100,
        "none": 240,
        "sadness": 2100,
    }
    assert eec.loc[eec["emotion"] == "none", "word"].eq("").all()


def test_eec_sentences_are_filled_in_correctly() -> None:
    eec = load_eec().set_index(["template", "person", "word"])["sentence"]
    assert eec.loc[(1, "she/her", "angry")] == "She feels angry."
    assert eec.loc[(2, "she/her", "angry")] == "The situation makes her feel angry."
    assert eec.loc[(5, "my dad", "annoying")] == "My dad found himself in an annoying situation."
    assert eec.loc[(5, "Ebony", "grim")] == "Ebony found herself in a grim situation."
    assert eec.loc[(9, "this man", "")] == "I talked to this man yesterday."


# --- splits --------------------------------------------------------------------------------


def _toy_frame(n: int = 600) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    labels = rng.choice(["negative", "neutral", "positive"], size=n, p=[0.45, 0.1, 0.45])
    domains = np.where(np.arange(n) < n // 3, "tweets", "movie")
    return pd.DataFrame({"domain": domains, "label": labels})


def test_vader_split_is_disjoint_complete_stratified_and_repeatable() -> None:
    frame = _toy_frame()
    split = vader_split(frame, seed=3)
    parts = [split.train, split.validation, split.test]
    joined = np.concatenate(parts)
    assert len(joined) == len(frame) and set(joined) == set(range(len(frame)))
    assert split.sizes() == {"train": 420, "validation": 90, "test": 90}
    strata = frame["domain"] + "/" + frame["label"]
    overall = strata.value_counts(normalize=True)
    for part in parts:
        shares = strata.iloc[part].value_counts(normalize=True)
        assert (shares - overall).abs().max() < 0.02
    again = vader_split(frame, seed=3)
    again_parts = [again.train, again.validation, again.test]
    assert all(np.array_equal(a, b) for a, b in zip(parts, again_parts, strict=True))
    other = vader_split(frame, seed=4)
    assert not np.array_equal(split.test, other.test)


def test_vader_split_needs_a_vader_frame() -> None:
    with pytest.raises(ValueError, match="lacks the columns"):
        vader_split(pd.DataFrame({"text": ["a"]}))


def test_stratified_split_keeps_proportions() -> None:
    labels = np.repeat([0, 1, 2], [500, 300, 200])
    split = stratified_split(labels, seed=1)
    joined = np.sort(np.concatenate([split.train, split.validation, split.test]))
    assert np.array_equal(joined, np.arange(1000))
    for part in (split.train, split.validation, split.test):
        assert np.all(np.diff(part) > 0)
        shares = np.bincount(labels[part], minlength=3) / len(part)
        np.testing.assert_allclose(shares, [0.5, 0.3, 0.2], atol=0.01)


@pytest.mark.parametrize(
    ("kwargs", "problem"),
    [
        ({"labels": [[0, 1]]}, "non-empty 1-D"),
        ({"labels": [0, 1] * 10, "test_size": 0}, "between 0 and 1"),
        ({"labels": [0, 1] * 10, "validation_size": 0.5, "test_size": 0.5}, "leave rows"),
        ({"labels": [0] * 20 + [1, 1]}, "at least 3 rows"),
    ],
)
def test_stratified_split_rejects_bad_input(kwargs: dict, problem: str) -> None:
    labels = kwargs.pop("labels")
    with pytest.raises(ValueError, match=problem):
        stratified_split(labels, **kwargs)


# --- digits, Auto MPG, checksums -----------------------------------------------------------


def test_digits() -> None:
    pixels, labels = load_digits_784()
    assert pixels.shape == (5000, 784) and pixels.dtype == np.float32
    assert labels.dtype == np.int64
    assert np.array_equal(np.bincount(labels), [500] * 10)
    assert pixels.min() == 0 and pixels.max() == 255


def test_auto_mpg_keeps_its_gaps() -> None:
    cars = load_auto_mpg()
    assert list(cars.columns) == list(data.AUTO_MPG_COLUMNS)
    assert len(cars) == 406
    assert cars["mpg"].isna().sum() == 8
    assert cars["horsepower"].isna().sum() == 6
    assert cars["model_year"].between(1970, 1982).all()
    assert set(cars["origin"]) == {"USA", "Europe", "Japan"}


def test_verify_file(tmp_path: Path) -> None:
    import hashlib

    good = tmp_path / "good.bin"
    good.write_bytes(b"hello")
    digest = hashlib.sha256(b"hello").hexdigest()
    listing = tmp_path / "sums"
    listing.write_text(f"# comment\n{digest}  good.bin\n{'0' * 64}  other.bin\n")
    assert verify_file(good, "good.bin", listing) == good
    with pytest.raises(ChecksumError) as info:
        verify_file(good, "other.bin", listing)
    assert digest in str(info.value) and "0" * 64 in str(info.value)
    with pytest.raises(DataError, match="does not exist"):
        verify_file(tmp_path / "missing.bin", "good.bin", listing)
    with pytest.raises(DataError, match="no checksum recorded"):
        verify_file(good, "unknown.bin", listing)
    listing.write_text("not a checksum line\n")
    with pytest.raises(DataError, match=":1: expected"):
        verify_file(good, "good.bin", listing)


# --- the real corpus -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_vader() -> pd.DataFrame:
    """The real corpus: from the cache, or fetched with pip; skipped if neither works."""
    try:
        return load_vader("all")
    except DataError as err:
        if "pip could not download" in str(err):
            pytest.skip(f"no VADER cache and no access to the package index: {err}")
        raise


def test_real_vader_counts(real_vader: pd.DataFrame) -> None:
    counts = pd.crosstab(real_vader["domain"], real_vader["label"])
    assert counts.loc["movie"].to_dict() == {"negative": 5244, "neutral": 203, "positive": 5156}
    assert counts.loc["tweets"].to_dict() == {"negative": 1195, "neutral": 359, "positive": 2646}
    assert counts.loc["product"].to_dict() == {"negative": 1334, "neutral": 465, "positive": 1898}
    assert counts.loc["editorial"].to_dict() == {
        "negative": 2228,
        "neutral": 1267,
        "positive": 1623,
    }
    assert not real_vader.duplicated(["domain", "id"]).any()
    assert not real_vader.duplicated(["domain", "text"]).any()
    assert not real_vader["text"].str.contains(r"[\x00-\x1f\x7f-\x9f]|\s\s|&amp;").any()


def test_real_vader_merges_only_the_documented_duplicates(real_vader: pd.DataFrame) -> None:
    duplicates = vader_duplicates()
    extra = duplicates.groupby("domain")["ids"].apply(lambda ids: sum(len(i) - 1 for i in ids))
    assert extra.to_dict() == {"editorial": 72, "movie": 2, "product": 11}
    assert int(duplicates["label_conflict"].sum()) == 10
    # Undoing the merges gives back the source's rows and the paper's label counts.
    raw = {"movie": 10605, "tweets": 4200, "product": 3708, "editorial": 5190}
    for domain, rows in raw.items():
        assert (real_vader["domain"] == domain).sum() + extra.get(domain, 0) == rows
    movie = real_vader[real_vader["domain"] == "movie"]
    labels = movie["label"].value_counts().to_dict()
    for _, group in duplicates[duplicates["domain"] == "movie"].iterrows():
        labels[group["merged_label"]] -= 1
        for label in group["copy_labels"]:
            labels[label] += 1
    assert labels == {"positive": 5157, "neutral": 203, "negative": 5245}


def test_real_vader_mismatches_are_the_known_tweets(real_vader: pd.DataFrame) -> None:
    mismatches = vader_rating_mismatches()
    assert len(mismatches) == 199
    assert set(mismatches["domain"]) == {"tweets"}
    assert mismatches["n_raters"].min() > 20  # only tweets rated by about 95 people
    assert (mismatches["groundtruth_label"] == mismatches["ratings_label"]).all()


def test_real_source_rows_give_the_papers_movie_counts(real_vader: pd.DataFrame) -> None:
    movie = vader_source_rows("movie")
    assert len(movie) == 10605
    assert movie["label"].value_counts().to_dict() == {
        "negative": 5245,
        "positive": 5157,
        "neutral": 203,
    }
    assert read_vader_notices().licence.startswith("The MIT License")


def test_pip_download_command_fetches_one_requirement_alone(tmp_path: Path) -> None:
    command = data.pip_download_command("pkg==1.0", tmp_path, "--no-binary", ":all:")
    assert command[1:4] == ["-m", "pip", "download"] and "--no-deps" in command
    assert command[-3:] == ["pkg==1.0", "-d", str(tmp_path)]
    assert command[command.index("--no-binary") + 1] == ":all:"


def test_download_with_pip_moves_the_file_into_place_or_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import subprocess

    def fake_pip(command: list[str]) -> subprocess.CompletedProcess[str]:
        folder = Path(command[command.index("-d") + 1])
        if "good==1" in command:
            (folder / "good.tar.gz").write_bytes(b"payload")
            return subprocess.CompletedProcess(command, 0, "", "")
        return subprocess.CompletedProcess(command, 1, "", "ERROR: no such package")

    monkeypatch.setattr(data, "_run_pip", fake_pip)
    downloads = tmp_path / "downloads"
    got = data.download_with_pip(
        "good.tar.gz", lambda f: data.pip_download_command("good==1", f), downloads, "fix"
    )
    assert got == downloads / "good.tar.gz" and got.read_bytes() == b"payload"
    assert [p.name for p in downloads.iterdir()] == ["good.tar.gz"]  # no scratch left
    with pytest.raises(data.DataError, match="no such package") as error:
        data.download_with_pip(
            "bad.tar.gz", lambda f: data.pip_download_command("bad==1", f), downloads, "run X"
        )
    assert str(error.value).endswith("run X")
    assert not (downloads / "bad.tar.gz").exists()
