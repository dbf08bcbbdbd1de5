"""Where things live: a checkout or an installed package, the data cache, the build folder.

``helpers`` runs in two situations, and every file the course writes goes where
that situation expects:

- **a checkout** of the repository (``make book``, ``make lab``, an editable
  install): downloaded data in ``data/cache/`` and derived files (trained
  models, results caches) in ``build/``, both git-ignored, as always;
- **an installed package** (``pip install git+<repository URL>``, as in Colab):
  per-user folders following the XDG convention, never site-packages:
  ``$XDG_CACHE_HOME/executable-deep-learning`` (default
  ``~/.cache/executable-deep-learning``) for data and
  ``$XDG_DATA_HOME/executable-deep-learning`` (default
  ``~/.local/share/executable-deep-learning``) for built files.

``$COURSE_DATA_CACHE`` and ``$COURSE_BUILD_DIR`` override both. Files that
``helpers`` only reads (the checksum list) ship inside the package and are read
with :mod:`importlib.resources`, so nothing here is needed to find them.
``python -m helpers.paths`` prints the folders in use.

Public names: :data:`PROJECT_NAME`, :data:`PACKAGE_DIR`, :data:`REPO_ROOT`,
:func:`find_checkout`, :func:`in_checkout`, :func:`repo_root`,
:class:`NotInCheckoutError`, :data:`BUILD_DIR_ENV`, :data:`DATA_CACHE_ENV`,
:func:`user_cache_dir`, :func:`user_data_dir`, :func:`build_dir`,
:data:`BUILD_DIR`, :func:`data_cache_dir`, :func:`model_dir`, :func:`write_atomically`,
:func:`write_json`, :func:`read_json`,
:func:`describe`.
"""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path
from typing import Any

PROJECT_NAME = "executable-deep-learning"
"""The project's name in ``pyproject.toml``; also the name of the per-user folders."""

PACKAGE_DIR: Path = Path(__file__).resolve().parent
"""The folder of the imported ``helpers`` package (in a checkout or in site-packages)."""


def find_checkout(package_dir: Path = PACKAGE_DIR) -> Path | None:
    """Return the repository checkout that holds ``package_dir``, or None.

    ``package_dir``'s parent is a checkout when it holds a ``pyproject.toml``
    naming this project (:data:`PROJECT_NAME`) and a ``.git`` or ``notebooks``
    folder. An installed package's parent (site-packages, a ``--target`` folder)
    is not one.
    """
    root = package_dir.parent
    try:
        with open(root / "pyproject.toml", "rb") as handle:
            project = tomllib.load(handle).get("project")
    except (OSError, tomllib.TOMLDecodeError):
        return None
    if not isinstance(project, dict) or project.get("name") != PROJECT_NAME:
        return None
    if not ((root / ".git").exists() or (root / "notebooks").is_dir()):
        return None
    return root


REPO_ROOT: Path | None = find_checkout()
"""The checkout's root folder (the one holding ``pyproject.toml``), or None when
``helpers`` is installed as a package. Nothing a notebook, :mod:`helpers.data` or
:mod:`helpers.sentiment` needs at run time depends on it; tools that only make
sense in a checkout (``make bench``) use :func:`repo_root`."""


class NotInCheckoutError(RuntimeError):
    """Something needs the repository checkout, and ``helpers`` is an installed package."""


def in_checkout() -> bool:
    """True when ``helpers`` is imported from a checkout of the repository (:data:`REPO_ROOT`)."""
    return REPO_ROOT is not None


def repo_root() -> Path:
    """Return :data:`REPO_ROOT`, or raise :class:`NotInCheckoutError` saying what to do."""
    if REPO_ROOT is None:
        raise NotInCheckoutError(
            f"helpers is installed as a package ({PACKAGE_DIR}), not imported from a checkout "
            "of the repository, and this needs the checkout (its notebooks, book or Makefile). "
            "Clone the repository and run it from there."
        )
    return REPO_ROOT


BUILD_DIR_ENV = "COURSE_BUILD_DIR"
"""Environment variable that overrides where derived files (models, caches) go."""

DATA_CACHE_ENV = "COURSE_DATA_CACHE"
"""Environment variable that overrides where downloaded data is cached."""


def _override(variable: str) -> Path | None:
    value = os.environ.get(variable, "").strip()
    return Path(value).expanduser() if value else None


def _xdg_home(variable: str, default: Path) -> Path:
    """``$variable`` when it is set to an absolute path, else ``default`` (the XDG rule)."""
    value = _override(variable)
    return value if value is not None and value.is_absolute() else default


def user_cache_dir() -> Path:
    """The per-user data cache of an installed package, creating nothing.

    ``$XDG_CACHE_HOME/executable-deep-learning``; ``$XDG_CACHE_HOME`` defaults
    to ``~/.cache`` (and is ignored unless it is an absolute path).
    """
    return _xdg_home("XDG_CACHE_HOME", Path.home() / ".cache") / PROJECT_NAME


def user_data_dir() -> Path:
    """The per-user folder for built files of an installed package, creating nothing.

    ``$XDG_DATA_HOME/executable-deep-learning``; ``$XDG_DATA_HOME`` defaults to
    ``~/.local/share`` (and is ignored unless it is an absolute path).
    """
    return _xdg_home("XDG_DATA_HOME", Path.home() / ".local" / "share") / PROJECT_NAME


def build_dir() -> Path:
    """Return the build folder for derived files, creating nothing.

    The folder is ``$COURSE_BUILD_DIR`` when that variable is set and non-empty;
    else ``build`` inside the checkout (git-ignored); else, when ``helpers`` is
    an installed package, :func:`user_data_dir`. ``make bench`` points the
    variable at an empty temporary folder so every chapter runs cold.
    """
    override = _override(BUILD_DIR_ENV)
    if override is not None:
        return override
    return REPO_ROOT / "build" if REPO_ROOT is not None else user_data_dir()


BUILD_DIR: Path = build_dir()
"""Derived files (trained models, caches, benchmark results); git-ignored.

The value of :func:`build_dir` when this module was first imported, so it honours
``$COURSE_BUILD_DIR`` as set when the kernel started. Code that may run after the
variable changes should call :func:`build_dir` instead.
"""


def data_cache_dir() -> Path:
    """Return the data cache folder, creating nothing.

    The folder is ``$COURSE_DATA_CACHE`` when that variable is set and
    non-empty; else ``data/cache`` inside the checkout (git-ignored); else,
    when ``helpers`` is an installed package, :func:`user_cache_dir`.
    """
    override = _override(DATA_CACHE_ENV)
    if override is not None:
        return override
    return REPO_ROOT / "data" / "cache" if REPO_ROOT is not None else user_cache_dir()


def model_dir() -> Path:
    """Return the folder where chapters save trained models (``<build>/models``).

    ``<build>`` is :func:`build_dir`, read when this is called.
    """
    return build_dir() / "models"


def write_atomically(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` so that a reader sees the old file or the new one, never half.

    The bytes go to a uniquely named scratch file in the same folder (created
    with its parents if needed), which then replaces ``path`` in one step; two
    writers never share a scratch file, and a failed write leaves no scratch
    file behind. The file is readable by everyone (``0o644``). Returns ``path``.
    """
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    handle, scratch = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(scratch, 0o644)  # mkstemp creates files only their owner can read
        os.replace(scratch, path)
    except BaseException:
        Path(scratch).unlink(missing_ok=True)
        raise
    return path


def write_json(path: Path, payload: Any) -> Path:
    """Write ``payload`` as indented JSON with :func:`write_atomically`; return ``path``."""
    return write_atomically(path, (json.dumps(payload, indent=2) + "\n").encode("utf-8"))


def read_json(path: Path, fix: str = "delete it") -> Any | None:
    """The JSON value in ``path``, or None when there is no such file.

    Raises:
        ValueError: if the file exists but is not valid JSON; the message names
            the file and ends with ``fix``, what to do about it.
    """
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path} is not valid JSON ({exc}); {fix}") from exc


def describe() -> str:
    """Where ``helpers`` is and where it reads and writes, one fact per line."""
    where = f"a checkout at {REPO_ROOT}" if REPO_ROOT is not None else "an installed package"
    return "\n".join(
        [
            f"helpers: {PACKAGE_DIR} ({where})",
            f"data cache: {data_cache_dir()}",
            f"build folder: {build_dir()}",
            f"trained models: {model_dir()}",
        ]
    )


if __name__ == "__main__":
    print(describe())
