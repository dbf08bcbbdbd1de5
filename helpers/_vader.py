"""Parsing, cleaning and checking the VADER human-rated corpora (no downloads, no files).

This private module turns the bytes of the eight ``*_GroundTruth.txt`` and
``*_anonDataRatings.txt`` files of Hutto & Gilbert (2014) into plain rows.
:mod:`helpers.data` fetches, verifies and caches them and is the public API:
call ``helpers.data.load_vader``, not this module.

The rules applied here (the data card, ``data/README.md``, states them too):

- **Text**: HTML entities are unescaped (``&amp;`` -> ``&``, and the few
  double-escaped ``&amp;amp;`` -> ``&`` too); every run of
  whitespace or control characters (tab, U+0085, U+00A0, U+2028, ...) becomes
  one space; invisible format characters (zero-width space, BOM, soft hyphen,
  direction marks) are removed; the ends are stripped.
- **Label**: the caller passes the rule (``label_of``) to :func:`build_domain`;
  the one rule lives in :func:`helpers.data.vader_label`, not here.
- **Duplicates**: rows of one domain whose cleaned text is identical are the
  same snippet rated by two (or three) groups of raters. They are merged into
  one row at the first copy's position, keeping its id: the individual ratings
  of all copies are pooled and the rating is the rater-weighted mean of the
  copies' ground-truth means. Every merge is recorded, nothing is dropped.
- **Checks**: a line that is not in the expected format raises
  :class:`VaderFormatError` naming the file and line. A ground-truth mean that
  differs from the mean of the listed individual ratings (199 tweets do) is
  not an error: the ground-truth mean is kept, and the row is recorded.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

DOMAIN_STEMS: dict[str, str] = {
    "movie": "movieReviewSnippets",
    "tweets": "tweets",
    "product": "amazonReviewSnippets",
    "editorial": "nytEditorialSnippets",
}
"""Domain name -> file-name stem inside ``hutto_ICWSM_2014/``."""

LABELS: tuple[str, str, str] = ("negative", "neutral", "positive")
"""The three classes, in the order the course uses for class indices."""

RATING_RANGE = (-4, 4)
"""Every individual rating and every mean lies in this closed interval."""

MEAN_TOLERANCE = 1e-6
"""Largest difference between two printed means that still counts as equal."""

STD_TOLERANCE = 1e-4
"""The ratings files print standard deviations to 4-5 decimals."""

_SPACE_OR_CONTROL = re.compile(r"[\s\x00-\x1f\x7f-\x9f]+")
"""Unicode whitespace (incl. U+0085, U+00A0, U+2028) and every C0/C1 control character."""

_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
"""Format characters that render as nothing: soft hyphen, zero-width, bidi marks, BOM."""

_INTEGER_LIST = re.compile(r"\[\s*-?\d+(?:\s*,\s*-?\d+)*\s*\]")


class VaderFormatError(ValueError):
    """A line of a VADER data file is not in the expected format."""


def normalize_text(text: str) -> str:
    """Return ``text`` with HTML entities unescaped and whitespace made plain.

    Entities are unescaped first, repeatedly while that changes anything (a
    few source lines are escaped twice, ``&amp;amp;``), so ``&nbsp;`` becomes a
    space too. Then invisible format characters are removed, every run of
    whitespace or control characters becomes a single space, and the ends are
    stripped.

    >>> normalize_text("fish &amp;amp; chips\\u0085 now\\t ")
    'fish & chips now'
    """
    text = unescape_html(text)
    text = _INVISIBLE.sub("", text)
    return _SPACE_OR_CONTROL.sub(" ", text).strip()


def unescape_html(text: str, max_passes: int = 3) -> str:
    """Unescape HTML entities until the text stops changing (at most ``max_passes`` times)."""
    for _ in range(max_passes):
        unescaped = html.unescape(text)
        if unescaped == text:
            break
        text = unescaped
    return text


@dataclass(frozen=True)
class GroundTruthRow:
    """One line of a ``*_GroundTruth.txt`` file."""

    id: str
    rating: float
    text: str
    """The cleaned text (see :func:`normalize_text`)."""
    raw_text: str
    """The text as the file has it."""
    line: int


@dataclass(frozen=True)
class RatingsRow:
    """One line of a ``*_anonDataRatings.txt`` file."""

    id: str
    mean: float
    std: float
    ratings: tuple[int, ...]
    line: int


def iter_lines(data: bytes, source: str) -> Iterator[tuple[int, str]]:
    """Yield ``(line_number, line)`` for every non-empty line of a UTF-8 file.

    Lines are split at ``\\n`` only (never at U+0085 or U+2028, which
    :meth:`str.splitlines` would treat as line breaks), a trailing ``\\r`` is
    removed, and a byte-order mark at the start of the file is skipped.
    Lines that are completely empty hold no row and are skipped.

    Raises:
        VaderFormatError: a line is not valid UTF-8 (names ``source`` and the line).
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for number, raw in enumerate(data.split(b"\n"), start=1):
        raw = raw.removesuffix(b"\r")
        if not raw:
            continue
        try:
            yield number, raw.decode("utf-8")
        except UnicodeDecodeError as err:
            raise VaderFormatError(f"{source}, line {number}: not valid UTF-8 ({err})") from err


def _number(value: str, what: str, source: str, line: int) -> float:
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        raise VaderFormatError(f"{source}, line {line}: {what} {value!r} is not a number")
    low, high = RATING_RANGE
    if what != "standard deviation" and not low <= number <= high:
        raise VaderFormatError(f"{source}, line {line}: {what} {number} is outside {low}..{high}")
    return number


def _check_id(value: str, seen: dict[str, int], source: str, line: int) -> str:
    if not value or value != value.strip():
        raise VaderFormatError(f"{source}, line {line}: bad id {value!r}")
    if value in seen:
        raise VaderFormatError(
            f"{source}, line {line}: id {value!r} was already used on line {seen[value]}"
        )
    seen[value] = line
    return value


def _fields(content: str, names: tuple[str, ...], source: str, line: int) -> list[str]:
    """Split one line at tabs into exactly ``len(names)`` fields, or say which line is wrong."""
    fields = content.split("\t")
    if len(fields) != len(names):
        raise VaderFormatError(
            f"{source}, line {line}: expected {len(names)} tab-separated fields "
            f"({', '.join(names)}), found {len(fields)}: {content[:80]!r}"
        )
    return fields


def parse_ground_truth(data: bytes, source: str) -> list[GroundTruthRow]:
    """Parse a ``*_GroundTruth.txt`` file: ``id <TAB> mean rating <TAB> text``.

    The text is cleaned with :func:`normalize_text`.

    Raises:
        VaderFormatError: naming ``source`` and the line, when a line does not
            have exactly three tab-separated fields, an id repeats, the mean is
            not a number in -4..+4, or the text is empty after cleaning.
    """
    rows: list[GroundTruthRow] = []
    seen: dict[str, int] = {}
    for line, content in iter_lines(data, source):
        fields = _fields(content, ("id", "mean rating", "text"), source, line)
        row_id = _check_id(fields[0], seen, source, line)
        rating = _number(fields[1], "mean rating", source, line)
        text = normalize_text(fields[2])
        if not text:
            raise VaderFormatError(f"{source}, line {line}: the text is empty")
        rows.append(GroundTruthRow(row_id, rating, text, fields[2], line))
    if not rows:
        raise VaderFormatError(f"{source}: the file holds no rows")
    return rows


def parse_ratings(data: bytes, source: str) -> list[RatingsRow]:
    """Parse a ``*_anonDataRatings.txt`` file: ``id, mean, std, [r1, r2, ...]``.

    Each individual rating must be an integer in -4..+4, and the printed mean
    and (population) standard deviation must match the list.

    Raises:
        VaderFormatError: naming ``source`` and the line, for any line that
            breaks these rules or does not have exactly four tab-separated fields.
    """
    rows: list[RatingsRow] = []
    seen: dict[str, int] = {}
    low, high = RATING_RANGE
    for line, content in iter_lines(data, source):
        fields = _fields(content, ("id", "mean", "standard deviation", "[ratings]"), source, line)
        row_id = _check_id(fields[0], seen, source, line)
        mean = _number(fields[1], "mean rating", source, line)
        std = _number(fields[2], "standard deviation", source, line)
        if not _INTEGER_LIST.fullmatch(fields[3].strip()):
            raise VaderFormatError(
                f"{source}, line {line}: the ratings {fields[3][:60]!r} are not a list of integers"
            )
        ratings = tuple(int(value) for value in fields[3].strip()[1:-1].split(","))
        if len(ratings) < 2:
            raise VaderFormatError(f"{source}, line {line}: fewer than 2 individual ratings")
        if not all(low <= value <= high for value in ratings):
            raise VaderFormatError(
                f"{source}, line {line}: an individual rating is outside {low}..{high}"
            )
        values = np.asarray(ratings, dtype=np.float64)
        if abs(values.mean() - mean) > MEAN_TOLERANCE:
            raise VaderFormatError(
                f"{source}, line {line}: printed mean {mean} but the ratings average "
                f"{values.mean():.9f}"
            )
        if abs(values.std() - std) > STD_TOLERANCE:
            raise VaderFormatError(
                f"{source}, line {line}: printed standard deviation {std} but the "
                f"ratings give {values.std():.5f}"
            )
        rows.append(RatingsRow(row_id, mean, std, ratings, line))
    if not rows:
        raise VaderFormatError(f"{source}: the file holds no rows")
    return rows


@dataclass
class DomainTables:
    """The cleaned rows of one domain plus the record of what was changed."""

    domain: str
    rows: dict[str, list] = field(default_factory=dict)
    """Column name -> values, one per snippet (see :data:`ROW_COLUMNS`)."""
    duplicates: list[dict] = field(default_factory=list)
    """One record per group of merged copies."""
    mismatches: list[dict] = field(default_factory=list)
    """One record per row whose ground-truth mean differs from its ratings' mean."""
    raw_rows: int = 0
    """Lines in the ground-truth file (before merging duplicates)."""
    changed_by_entities: int = 0
    """Snippets whose text held HTML entities."""
    changed_by_whitespace: int = 0
    """Snippets whose whitespace or control characters were rewritten."""


ROW_COLUMNS = (
    "id",
    "domain",
    "text",
    "rating",
    "rating_std",
    "n_raters",
    "ratings",
    "label",
    "source_ids",
)
"""Columns of every cleaned row, in the order ``load_vader`` returns them."""


def build_domain(
    domain: str,
    ground_truth: bytes,
    ratings: bytes,
    *,
    ground_truth_source: str,
    ratings_source: str,
    label_of: Callable[[ArrayLike], NDArray[np.str_]],
) -> DomainTables:
    """Join one domain's two files by id, clean the text and merge duplicates.

    Args:
        domain: one of :data:`DOMAIN_STEMS`.
        ground_truth: bytes of ``<stem>_GroundTruth.txt``.
        ratings: bytes of ``<stem>_anonDataRatings.txt``.
        ground_truth_source: name used for the first file in error messages.
        ratings_source: name used for the second file in error messages.
        label_of: the 3-class rule for mean ratings on the -4..+4 scale
            (:func:`helpers.data.vader_label`).

    Raises:
        VaderFormatError: a malformed line, or ids present in one file only.
    """
    truth_rows = parse_ground_truth(ground_truth, ground_truth_source)
    rating_rows = {row.id: row for row in parse_ratings(ratings, ratings_source)}
    missing = [row.id for row in truth_rows if row.id not in rating_rows]
    extra = sorted(set(rating_rows) - {row.id for row in truth_rows})
    if missing or extra:
        raise VaderFormatError(
            f"{ground_truth_source} and {ratings_source} do not list the same ids: "
            f"{len(missing)} only in the first (e.g. {missing[:3]}), "
            f"{len(extra)} only in the second (e.g. {extra[:3]})"
        )
    tables = DomainTables(domain=domain, raw_rows=len(truth_rows))
    for row in truth_rows:
        unescaped = unescape_html(row.raw_text)
        tables.changed_by_entities += unescaped != row.raw_text
        tables.changed_by_whitespace += row.text != unescaped
        listed = rating_rows[row.id]
        if abs(row.rating - listed.mean) > MEAN_TOLERANCE:
            truth_label, listed_label = label_of([row.rating, listed.mean])
            tables.mismatches.append(
                {
                    "domain": domain,
                    "id": row.id,
                    "line": row.line,
                    "groundtruth_rating": row.rating,
                    "ratings_mean": float(np.mean(listed.ratings)),
                    "n_raters": len(listed.ratings),
                    "groundtruth_label": str(truth_label),
                    "ratings_label": str(listed_label),
                }
            )

    groups: dict[str, list[GroundTruthRow]] = {}
    for row in truth_rows:
        groups.setdefault(row.text, []).append(row)
    columns: dict[str, list] = {name: [] for name in ROW_COLUMNS}
    for text, copies in groups.items():
        pooled = [value for copy in copies for value in rating_rows[copy.id].ratings]
        if len(copies) == 1:
            rating = copies[0].rating
        else:
            weights = [len(rating_rows[copy.id].ratings) for copy in copies]
            weighted = sum(copy.rating * w for copy, w in zip(copies, weights, strict=True))
            rating = round(weighted / sum(weights), 10)
            copy_labels = label_of([copy.rating for copy in copies])
            tables.duplicates.append(
                {
                    "domain": domain,
                    "kept_id": copies[0].id,
                    "ids": [copy.id for copy in copies],
                    "text": text,
                    "copy_ratings": [copy.rating for copy in copies],
                    "copy_n_raters": weights,
                    "copy_labels": [str(label) for label in copy_labels],
                    "merged_rating": rating,
                    "merged_label": str(label_of(rating)),
                    "label_conflict": len(set(copy_labels)) > 1,
                }
            )
        columns["id"].append(copies[0].id)
        columns["domain"].append(domain)
        columns["text"].append(text)
        columns["rating"].append(rating)
        columns["rating_std"].append(float(np.std(pooled)))
        columns["n_raters"].append(len(pooled))
        columns["ratings"].append(pooled)
        columns["label"].append(str(label_of(rating)))
        columns["source_ids"].append([copy.id for copy in copies])
    tables.rows = columns
    return tables


def domain_files(domain: str) -> tuple[str, str]:
    """Return the ground-truth and ratings file names of ``domain``."""
    stem = DOMAIN_STEMS[domain]
    return f"{stem}_GroundTruth.txt", f"{stem}_anonDataRatings.txt"


def check_domains(names: Sequence[str]) -> None:
    """Raise ``ValueError`` listing the valid domains if any name is unknown."""
    unknown = [name for name in names if name not in DOMAIN_STEMS]
    if unknown:
        valid = ", ".join(repr(name) for name in (*DOMAIN_STEMS, "all"))
        raise ValueError(f"unknown VADER domain {unknown[0]!r}; valid domains are {valid}")
