"""Binder's environment (binder/) has the versions CI tested: those of requirements-lock.txt.

``binder/requirements.txt`` takes every version from the lock (``-c``) instead of
repeating the pins, so the two cannot drift apart; this checks that it does, that
it installs the course with TensorFlow, and that ``binder/runtime.txt`` names a
Python the course supports. tests/test_dependency_resolution.py resolves the file
with pip (it needs the package registry).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

from helpers.paths import REPO_ROOT

BINDER = REPO_ROOT / "binder"
LOCK = REPO_ROOT / "requirements-lock.txt"
PROJECT = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def lines_of(path: Path) -> list[str]:
    """The requirement lines of a pip requirements file, without comments."""
    lines = (line.split("#", 1)[0].strip() for line in path.read_text("utf-8").splitlines())
    return [line for line in lines if line]


def locked_versions() -> dict[str, set[str]]:
    """``{name: versions}`` pinned by the lock (a name has two where a marker splits it)."""
    versions: dict[str, set[str]] = {}
    for line in lines_of(LOCK):
        requirement = Requirement(line)
        (pin,) = requirement.specifier
        assert pin.operator == "==", f"the lock pins exact versions: {line}"
        versions.setdefault(canonicalize_name(requirement.name), set()).add(pin.version)
    return versions


REQUIREMENTS = lines_of(BINDER / "requirements.txt")


def test_binder_takes_every_version_from_the_lock() -> None:
    constraints = [
        line.split(None, 1)[1] for line in REQUIREMENTS if line.startswith(("-c ", "--constraint "))
    ]
    assert [(BINDER / path).resolve() for path in constraints] == [LOCK.resolve()]


TOOL_EXTRAS = {"book", "test", "dev"}
"""The extras that build and check the course; every other one runs chapters."""


def test_binder_installs_the_course_with_what_every_chapter_runs_with() -> None:
    (course,) = [line for line in REQUIREMENTS if line.startswith(".")]
    extras = set(re.fullmatch(r"\.\[([\w,-]+)\]", course).group(1).split(","))
    assert extras == set(PROJECT["optional-dependencies"]) - TOOL_EXTRAS
    assert "tensorflow" in extras


def test_everything_else_binder_names_is_locked() -> None:
    locked = locked_versions()
    named = [line for line in REQUIREMENTS if not line.startswith(("-", "."))]
    assert named, "binder/requirements.txt names jupytext, for the .ipynb/.py pairs"
    for line in named:
        requirement = Requirement(line)
        versions = locked.get(canonicalize_name(requirement.name), set())
        assert versions, f"{requirement.name} is not in requirements-lock.txt"
        assert all(requirement.specifier.contains(v) for v in versions), (
            f"binder/requirements.txt asks for {line}, the lock pins {sorted(versions)}"
        )


def test_binder_runs_a_supported_python() -> None:
    (line,) = lines_of(BINDER / "runtime.txt")
    match = re.fullmatch(r"python-(3\.\d+)", line)
    assert match, f"binder/runtime.txt: {line!r} is not python-3.X"
    assert f"{match.group(1)}.0" in SpecifierSet(PROJECT["requires-python"])
