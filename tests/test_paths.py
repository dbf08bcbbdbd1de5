"""Tests of helpers.paths: the build folder and data cache honour their environment variables."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import paths


def test_build_dir_defaults_to_build_in_the_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(paths.BUILD_DIR_ENV, raising=False)
    assert paths.build_dir() == paths.REPO_ROOT / "build"
    assert paths.model_dir() == paths.REPO_ROOT / "build" / "models"


@pytest.mark.parametrize("blank", ["", "   "])
def test_blank_override_is_ignored(monkeypatch: pytest.MonkeyPatch, blank: str) -> None:
    monkeypatch.setenv(paths.BUILD_DIR_ENV, blank)
    assert paths.build_dir() == paths.REPO_ROOT / "build"


def test_override_moves_build_dir_and_model_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(paths.BUILD_DIR_ENV, str(tmp_path / "cold"))
    assert paths.build_dir() == tmp_path / "cold"
    assert paths.model_dir() == tmp_path / "cold" / "models"
    assert not (tmp_path / "cold").exists(), "build_dir() must not create anything"


def test_override_expands_the_home_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(paths.BUILD_DIR_ENV, "~/somewhere")
    assert paths.build_dir() == Path.home() / "somewhere"


def _build_dir_in_fresh_interpreter(env_value: str | None) -> str:
    """BUILD_DIR as a new process (like a notebook kernel) sees it at import."""
    env = {k: v for k, v in os.environ.items() if k != paths.BUILD_DIR_ENV}
    if env_value is not None:
        env[paths.BUILD_DIR_ENV] = env_value
    code = "from helpers.paths import BUILD_DIR; print(BUILD_DIR)"
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def test_build_dir_constant_honours_the_variable_at_import(tmp_path: Path) -> None:
    assert _build_dir_in_fresh_interpreter(str(tmp_path)) == str(tmp_path)
    assert _build_dir_in_fresh_interpreter(None) == str(paths.REPO_ROOT / "build")


def test_data_cache_dir_override(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(paths.DATA_CACHE_ENV, str(tmp_path))
    assert paths.data_cache_dir() == tmp_path
    monkeypatch.delenv(paths.DATA_CACHE_ENV)
    assert paths.data_cache_dir() == paths.REPO_ROOT / "data" / "cache"
