"""Tests of helpers.paths: checkout or installed package, and where each puts files."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import paths

CHECKOUT = Path(__file__).resolve().parents[1]
"""The checkout these tests run in."""


@pytest.fixture
def installed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Behave as an installed package, with the XDG folders and home inside ``tmp_path``."""
    monkeypatch.setattr(paths, "REPO_ROOT", None)
    for variable in (paths.BUILD_DIR_ENV, paths.DATA_CACHE_ENV):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    return tmp_path


def _project(root: Path, name: str = paths.PROJECT_NAME, marker: str | None = "notebooks") -> Path:
    """A folder that looks like a checkout (or not) with a ``helpers`` package inside."""
    (root / "helpers").mkdir(parents=True)
    (root / "pyproject.toml").write_text(f'[project]\nname = "{name}"\n')
    if marker:
        (root / marker).mkdir()
    return root / "helpers"


# --- checkout or installed package ---------------------------------------------------------


def test_this_checkout_is_found() -> None:
    assert paths.REPO_ROOT == CHECKOUT
    assert paths.find_checkout() == CHECKOUT
    assert paths.in_checkout()
    assert paths.repo_root() == CHECKOUT
    assert paths.PACKAGE_DIR == CHECKOUT / "helpers"


@pytest.mark.parametrize("marker", ["notebooks", ".git"])
def test_a_checkout_has_this_projects_pyproject_and_a_marker(tmp_path: Path, marker: str) -> None:
    assert paths.find_checkout(_project(tmp_path, marker=marker)) == tmp_path


@pytest.mark.parametrize(
    ("name", "marker"),
    [("another-project", "notebooks"), (paths.PROJECT_NAME, None)],
)
def test_a_folder_that_is_not_this_checkout_is_refused(
    tmp_path: Path, name: str, marker: str | None
) -> None:
    assert paths.find_checkout(_project(tmp_path, name=name, marker=marker)) is None


def test_site_packages_and_a_broken_pyproject_are_not_checkouts(tmp_path: Path) -> None:
    site_packages = tmp_path / "site-packages"
    (site_packages / "helpers").mkdir(parents=True)
    assert paths.find_checkout(site_packages / "helpers") is None
    broken = _project(tmp_path / "broken")
    (tmp_path / "broken" / "pyproject.toml").write_text("[project\nname = ")
    assert paths.find_checkout(broken) is None


def test_repo_root_outside_a_checkout_says_so(installed: Path) -> None:
    assert not paths.in_checkout()
    with pytest.raises(paths.NotInCheckoutError, match="installed as a package"):
        paths.repo_root()


# --- in a checkout -------------------------------------------------------------------------


def test_build_dir_defaults_to_build_in_the_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(paths.BUILD_DIR_ENV, raising=False)
    assert paths.build_dir() == CHECKOUT / "build"
    assert paths.model_dir() == CHECKOUT / "build" / "models"


@pytest.mark.parametrize("blank", ["", "   "])
def test_blank_override_is_ignored(monkeypatch: pytest.MonkeyPatch, blank: str) -> None:
    monkeypatch.setenv(paths.BUILD_DIR_ENV, blank)
    assert paths.build_dir() == CHECKOUT / "build"


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
    assert _build_dir_in_fresh_interpreter(None) == str(CHECKOUT / "build")


def test_data_cache_dir_override(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(paths.DATA_CACHE_ENV, str(tmp_path))
    assert paths.data_cache_dir() == tmp_path
    monkeypatch.delenv(paths.DATA_CACHE_ENV)
    assert paths.data_cache_dir() == CHECKOUT / "data" / "cache"


# --- installed as a package ----------------------------------------------------------------


def test_installed_package_uses_the_xdg_folders(installed: Path) -> None:
    name = paths.PROJECT_NAME
    assert paths.data_cache_dir() == paths.user_cache_dir() == installed / "xdg-cache" / name
    assert paths.build_dir() == paths.user_data_dir() == installed / "xdg-data" / name
    assert paths.model_dir() == installed / "xdg-data" / name / "models"
    assert sorted(p.name for p in installed.iterdir()) == [], "nothing may be created"


def test_installed_package_defaults_to_the_home_folder(
    installed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("XDG_DATA_HOME", "relative/path")  # the XDG rule: ignored
    home = installed / "home"
    assert paths.data_cache_dir() == home / ".cache" / paths.PROJECT_NAME
    assert paths.build_dir() == home / ".local" / "share" / paths.PROJECT_NAME


def test_overrides_win_over_the_xdg_folders(
    installed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(paths.DATA_CACHE_ENV, str(installed / "my-data"))
    monkeypatch.setenv(paths.BUILD_DIR_ENV, str(installed / "my-build"))
    assert paths.data_cache_dir() == installed / "my-data"
    assert paths.build_dir() == installed / "my-build"
    assert paths.model_dir() == installed / "my-build" / "models"


def test_describe_names_every_folder(installed: Path) -> None:
    text = paths.describe()
    assert "an installed package" in text
    for folder in (paths.data_cache_dir(), paths.build_dir(), paths.model_dir()):
        assert str(folder) in text


def test_python_m_helpers_paths_prints_the_folders(tmp_path: Path) -> None:
    env = {**os.environ, paths.DATA_CACHE_ENV: str(tmp_path / "data")}
    env.pop(paths.BUILD_DIR_ENV, None)
    done = subprocess.run(
        [sys.executable, "-m", "helpers.paths"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=CHECKOUT,
    )
    assert f"a checkout at {CHECKOUT}" in done.stdout
    assert f"data cache: {tmp_path / 'data'}" in done.stdout
    assert f"build folder: {CHECKOUT / 'build'}" in done.stdout


# --- writing ------------------------------------------------------------------------------


def test_write_atomically_replaces_the_file_in_one_step(tmp_path: Path) -> None:
    target = tmp_path / "new" / "folder" / "file.json"
    assert paths.write_atomically(target, b"first") == target
    paths.write_atomically(target, b"second")
    assert target.read_bytes() == b"second"
    assert target.stat().st_mode & 0o777 == 0o644
    assert sorted(p.name for p in target.parent.iterdir()) == ["file.json"], "no scratch file"


def test_json_round_trip_and_clear_errors(tmp_path: Path) -> None:
    from helpers.paths import read_json, write_json

    path = tmp_path / "sub" / "record.json"
    assert read_json(path) is None
    assert write_json(path, {"a": [1, 2]}) == path
    assert read_json(path) == {"a": [1, 2]}
    path.write_text("{broken", encoding="utf-8")
    with pytest.raises(ValueError, match="not valid JSON"):
        read_json(path)
