"""Where things live: the repository, the data cache and the build folder."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT: Path = Path(__file__).resolve().parent.parent
"""The repository's root folder (the one holding ``pyproject.toml``)."""

BUILD_DIR_ENV = "COURSE_BUILD_DIR"
"""Environment variable that overrides where derived files (models, caches) go."""

DATA_CACHE_ENV = "COURSE_DATA_CACHE"
"""Environment variable that overrides where downloaded data is cached."""


def build_dir() -> Path:
    """Return the build folder for derived files, creating nothing.

    The folder is ``$COURSE_BUILD_DIR`` when that variable is set and non-empty,
    else ``build`` inside the repository (git-ignored). ``make bench`` points the
    variable at an empty temporary folder so every chapter runs cold.
    """
    override = os.environ.get(BUILD_DIR_ENV, "").strip()
    return Path(override).expanduser() if override else REPO_ROOT / "build"


BUILD_DIR: Path = build_dir()
"""Derived files (trained models, caches, benchmark results); git-ignored.

The value of :func:`build_dir` when this module was first imported, so it honours
``$COURSE_BUILD_DIR`` as set when the kernel started. Code that may run after the
variable changes should call :func:`build_dir` instead.
"""


def data_cache_dir() -> Path:
    """Return the data cache folder, creating nothing.

    The folder is ``$COURSE_DATA_CACHE`` when that variable is set and
    non-empty, else ``data/cache`` inside the repository (git-ignored).
    """
    override = os.environ.get(DATA_CACHE_ENV, "").strip()
    return Path(override).expanduser() if override else REPO_ROOT / "data" / "cache"


def model_dir() -> Path:
    """Return the folder where chapters save trained models (``<build>/models``).

    ``<build>`` is :func:`build_dir`, read when this is called.
    """
    return build_dir() / "models"
