"""The pinned dependencies resolve for every Python version the course supports.

CI runs one Python (3.11), but ``requires-python`` promises more. For each
supported minor version, pip resolves what ``make setup`` installs (the project
with every extra, ``requirements-lock.txt`` as constraints) as if it were that
Python on this platform, without installing anything (``--dry-run --target``,
wheels only). A pin with no wheel or a ``Requires-Python`` that excludes a
supported version fails here. Each version is checked at its first release
(``3.12`` is taken as 3.12.0), the strictest case for a package's lower bound.

pip evaluates environment markers for the interpreter that runs it, even with
``--python-version``, so the lock's markers (``soupsieve`` differs below 3.11.5)
are evaluated here for the target version first (:func:`constraints_for`). The
markers of the packages' own dependencies are still evaluated for this
interpreter: a dependency only some other version needs is not resolved.

PySpark is published as a source distribution only, which pip does not resolve for
another Python: the resolution leaves it out (its own dependencies are the spark
extra's) and checks that its pinned version is released (:data:`SOURCE_ONLY`).

It also resolves a plain ``pip install .`` and checks that no tool comes with it,
and resolves Binder's ``binder/requirements.txt`` to the lock's versions.

These tests need the package registry. Where it cannot be reached they are
skipped, saying so, except under ``CI=true``, where they fail.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

from helpers.paths import REPO_ROOT

PROJECT = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
LOCK = REPO_ROOT / "requirements-lock.txt"
EVERYTHING = "[tensorflow,book,test,dev]"
"""The extras ``make setup`` installs."""

SOURCE_ONLY = {"pyspark"}
"""Distributions published as source only: pip will not resolve them for another Python
(``--python-version`` takes wheels only), so the resolution leaves them out, and
:func:`test_source_only_pins_are_released` checks that their pinned version exists."""

TOOLS = (
    *("jupyter-book", "myst-nb", "sphinx", "jupyterlab", "jupytext"),
    *("playwright", "ruff", "pytest", "nbmake"),
)
"""Distributions that a plain ``pip install .`` must not pull: they are extras' business."""


def supported_minor_versions(requires_python: str) -> list[str]:
    """The ``3.x`` versions whose first release ``requires_python`` admits (3.6 to 3.30)."""
    specifier = SpecifierSet(requires_python)
    return [f"3.{minor}" for minor in range(6, 31) if f"3.{minor}.0" in specifier]


SUPPORTED = supported_minor_versions(PROJECT["requires-python"])


def _pip(*args: str, timeout: int = 300, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run pip; its standard output and error together, in order, in ``stdout``."""
    return subprocess.run(
        [sys.executable, "-m", "pip", "--disable-pip-version-check", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
        cwd=cwd,
    )


@pytest.fixture(scope="module")
def registry() -> None:
    """Skip (fail under ``CI=true``) when pip cannot reach the package registry."""
    try:
        probe = _pip("index", "versions", "pip", timeout=60)
        reachable, why = probe.returncode == 0, probe.stdout.strip()[-500:]
    except subprocess.TimeoutExpired:
        reachable, why = False, "pip index versions pip timed out after 60 s"
    if not reachable:
        message = f"the package registry cannot be reached ({why})"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{message}; CI must check dependency resolution", pytrace=False)
        pytest.skip(message)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of what pip reads to build the project's metadata (nothing written here)."""
    source = tmp_path_factory.mktemp("project")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO_ROOT / name, source / name)
    shutil.copytree(
        REPO_ROOT / "helpers", source / "helpers", ignore=shutil.ignore_patterns("__pycache__")
    )
    return source


def constraints_for(lock: str, python: str) -> str:
    """``lock`` with each marker evaluated for Python ``python`` (``"3.12"`` is 3.12.0).

    Lines whose marker is false are dropped, the others lose their marker and comment.
    """
    full = python if python.count(".") == 2 else f"{python}.0"
    environment = {"python_version": ".".join(full.split(".")[:2]), "python_full_version": full}
    kept = []
    for line in lock.splitlines():
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        requirement = Requirement(text)
        if requirement.marker is None or requirement.marker.evaluate(environment):
            requirement.marker = None
            kept.append(str(requirement))
    return "\n".join(kept) + "\n"


def extra_requirements(extras: str, table: dict[str, list[str]] | None = None) -> list[str]:
    """The requirements of ``extras`` (``"[a,b]"``), with the extras that name the project
    itself (``dev`` names ``executable-deep-learning[...]``) replaced by theirs."""
    table = PROJECT["optional-dependencies"] if table is None else table
    requirements: list[str] = []
    for extra in extras.strip("[]").split(","):
        for text in table[extra.strip()] if extra.strip() else []:
            requirement = Requirement(text)
            if canonicalize_name(requirement.name) == canonicalize_name(PROJECT["name"]):
                extras_named = ",".join(sorted(requirement.extras))
                requirements += extra_requirements(f"[{extras_named}]", table)
            elif text not in requirements:
                requirements.append(text)
    return requirements


def resolve(project: Path, extras: str, python: str, scratch: Path) -> dict[str, Any]:
    """pip's installation report for the project with ``extras`` on ``python``, with the lock.

    The extras are passed as their requirements (:func:`extra_requirements`), less
    those published as source only (:data:`SOURCE_ONLY`): pip resolves for another
    Python from wheels alone.

    Raises:
        AssertionError: pip could not resolve it (its explanation is in the message).
    """
    report = scratch / "report.json"
    constraints = scratch / "constraints.txt"
    constraints.write_text(constraints_for(LOCK.read_text(encoding="utf-8"), python), "utf-8")
    requested = [
        text
        for text in extra_requirements(extras)
        if canonicalize_name(Requirement(text).name) not in SOURCE_ONLY
    ]
    completed = _pip(
        *("install", "--dry-run", "--ignore-installed", "--only-binary=:all:"),
        *("--python-version", python, "--target", str(scratch / "target")),
        *("-c", str(constraints), "--report", str(report), str(project), *requested),
    )
    if completed.returncode != 0:
        lines = completed.stdout.splitlines()
        first_error = next((i for i, line in enumerate(lines) if "ERROR" in line), 0)
        explanation = "\n".join(lines[first_error:])
        raise AssertionError(
            f"pip cannot install the project{extras} with requirements-lock.txt on "
            f"Python {python}:\n{explanation[-3000:]}"
        )
    return json.loads(report.read_text(encoding="utf-8"))


def installed(report: dict[str, Any]) -> dict[str, str]:
    """``{normalized name: version}`` of what a pip report would install."""
    return {
        item["metadata"]["name"].lower().replace("_", "-"): item["metadata"]["version"]
        for item in report["install"]
    }


def test_supported_versions_come_from_requires_python() -> None:
    assert supported_minor_versions(">=3.11,<3.14") == ["3.11", "3.12", "3.13"]
    assert supported_minor_versions(">=3.11.5,<3.13") == ["3.12"]
    assert "3.11" in SUPPORTED, "CI runs 3.11"


def test_the_makefile_looks_for_the_supported_pythons() -> None:
    makefile = (REPO_ROOT / "Makefile").read_text(encoding="utf-8")
    line = next(line for line in makefile.splitlines() if line.startswith("SUPPORTED_PYTHONS"))
    assert sorted(line.split(":=")[1].split()) == SUPPORTED
    assert '-e ".$(EXTRAS)"' in makefile and f"EXTRAS := {EVERYTHING}" in makefile


def test_constraints_for_evaluates_the_lock_markers_for_the_target_python() -> None:
    lock = (
        "# a comment\n"
        "numpy==2.4.6\n"
        'soupsieve==4.1.3; python_full_version >= "3.11.5"\n'
        'soupsieve==2.10; python_full_version < "3.11.5"  # why\n'
        'tomli==2.0.1; python_version < "3.11"\n'
    )
    assert constraints_for(lock, "3.11") == "numpy==2.4.6\nsoupsieve==2.10\n"
    assert constraints_for(lock, "3.11.7") == "numpy==2.4.6\nsoupsieve==4.1.3\n"
    assert constraints_for(lock, "3.10") == "numpy==2.4.6\nsoupsieve==2.10\ntomli==2.0.1\n"


@pytest.mark.parametrize("python", SUPPORTED)
def test_the_lock_resolves_for_every_supported_python(
    registry: None, project: Path, python: str, tmp_path: Path
) -> None:
    versions = installed(resolve(project, EVERYTHING, python, tmp_path))
    assert "tensorflow-cpu" in versions or "tensorflow" in versions
    assert {"keras", "numpy", "jupyter-book", "pytest", "ruff"} <= set(versions)


def test_extra_requirements_follow_the_extras_that_name_the_project() -> None:
    table = {
        "a": ["x>=1", "y; sys_platform == 'linux'"],
        "b": ["z"],
        "dev": [f"{PROJECT['name']}[a,b]", "ruff"],
    }
    assert extra_requirements("[dev]", table) == ["x>=1", "y; sys_platform == 'linux'", "z", "ruff"]
    assert extra_requirements("[a,b]", table) == ["x>=1", "y; sys_platform == 'linux'", "z"]
    assert extra_requirements("", table) == []


@pytest.mark.parametrize("name", sorted(SOURCE_ONLY))
def test_source_only_pins_are_released(registry: None, name: str) -> None:
    """The lock's version of a source-only distribution is on the registry."""
    pins = [
        Requirement(line.split("#", 1)[0])
        for line in LOCK.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    (pin,) = [p for p in pins if canonicalize_name(p.name) == name]
    (version,) = [spec.version for spec in pin.specifier]
    listing = _pip("index", "versions", name, timeout=60).stdout
    available = re.search(r"Available versions: (.*)", listing)
    assert available and version in available.group(1).split(", "), listing[-500:]


@pytest.fixture(scope="module")
def runtime(
    registry: None, project: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, str]:
    """What a plain ``pip install .`` pulls, on the newest supported Python."""
    return installed(resolve(project, "", SUPPORTED[-1], tmp_path_factory.mktemp("runtime")))


def test_a_plain_install_has_what_the_notebooks_need(runtime: dict[str, str]) -> None:
    needed = {"keras", "numpy", "pandas", "scikit-learn", "matplotlib", "ipykernel", "jinja2"}
    assert needed <= set(runtime), "jinja2: pandas' DataFrame.style, in many chapters"


@pytest.mark.parametrize("tool", TOOLS)
def test_a_plain_install_pulls_no_tool(runtime: dict[str, str], tool: str) -> None:
    """Chapters quote numbers with helpers.book.glue, which needs myst-nb only for the book."""
    assert tool not in runtime, f"`pip install .` pulls {tool} {runtime[tool]}"


def test_a_plain_install_keeps_the_tensorflow_already_there(runtime: dict[str, str]) -> None:
    """TensorFlow is the ``[tensorflow]`` extra, so Colab's own build is not overwritten."""
    assert "tensorflow" not in runtime and "tensorflow-cpu" not in runtime


FREEZE_LEAVES_OUT = {"pip", "setuptools", "wheel", "distribute"}
"""What ``pip freeze`` (``make lock``) does not write on Python 3.11: pip's build tools."""


def test_binder_installs_the_locked_versions(registry: None, project: Path, tmp_path: Path) -> None:
    """binder/requirements.txt, resolved as repo2docker runs it (from the repository root)."""
    (line,) = (REPO_ROOT / "binder" / "runtime.txt").read_text(encoding="utf-8").split()
    python = line.removeprefix("python-")
    shutil.copytree(REPO_ROOT / "binder", project / "binder", dirs_exist_ok=True)
    shutil.copy2(LOCK, project / LOCK.name)
    # the course's line `.[extras]` as its requirements, less the source-only ones
    lines = []
    for line in (project / "binder" / "requirements.txt").read_text("utf-8").splitlines():
        if line.startswith(".["):
            extras = line.split("#", 1)[0].strip()[1:]
            lines += ["."] + [
                text
                for text in extra_requirements(extras)
                if canonicalize_name(Requirement(text).name) not in SOURCE_ONLY
            ]
        else:
            lines.append(line)
    (project / "binder" / "requirements.txt").write_text("\n".join(lines) + "\n", "utf-8")
    report = tmp_path / "report.json"
    completed = _pip(
        *("install", "--dry-run", "--ignore-installed", "--only-binary=:all:"),
        *("--python-version", python, "--target", str(tmp_path / "target")),
        *("--report", str(report), "-r", "binder/requirements.txt"),
        cwd=project,
    )
    assert completed.returncode == 0, completed.stdout[-3000:]
    locked = {
        Requirement(text).name.lower().replace("_", "-"): str(Requirement(text).specifier)
        for text in constraints_for(LOCK.read_text(encoding="utf-8"), python).splitlines()
    }
    versions = installed(json.loads(report.read_text(encoding="utf-8")))
    assert {"tensorflow-cpu", "keras", "jupytext", "py4j"} <= set(versions)
    unlocked = {
        name: version
        for name, version in versions.items()
        if name != PROJECT["name"]
        and locked.get(name) != f"=={version}"
        and not (name in FREEZE_LEAVES_OUT and name not in locked)
    }
    assert not unlocked, f"Binder would install versions the lock does not pin: {unlocked}"
