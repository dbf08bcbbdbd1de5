"""Where things live: the repository, the data cache and the build folder."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT: Path = Path(__file__).resolve().parent.parent
"""The repository's root folder (the one holding ``pyproject.toml``)."""

BUILD_DIR: Path = REPO_ROOT / "build"
"""Derived files (trained models, benchmark results); git-ignored."""

DATA_CACHE_ENV = "COURSE_DATA_CACHE"
"""Environment variable that overrides where downloaded data is cached."""


def data_cache_dir() -> Path:
    """Return the data cache folder, creating nothing.

    The folder is ``$COURSE_DATA_CACHE`` when that variable is set and
    non-empty, else ``data/cache`` inside the repository (git-ignored).
    """
    override = os.environ.get(DATA_CACHE_ENV, "").strip()
    return Path(override).expanduser() if override else REPO_ROOT / "data" / "cache"


def model_dir() -> Path:
    """Return the folder where chapters save trained models (``build/models``)."""
    return BUILD_DIR / "models"
