"""Every chapter is an .ipynb/.py pair that agrees, and the .ipynb carries no outputs."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
SCRIPTS = sorted(NOTEBOOKS.glob("*.py"))
IPYNBS = sorted(p for p in NOTEBOOKS.glob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def test_there_are_notebooks() -> None:
    assert SCRIPTS, f"no notebook scripts found in {NOTEBOOKS}"


@pytest.mark.parametrize("notebook", IPYNBS, ids=lambda p: p.name)
def test_every_ipynb_has_its_script(notebook: Path) -> None:
    assert notebook.with_suffix(".py").is_file(), f"{notebook.name} has no paired .py script"


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_every_script_has_its_ipynb(script: Path) -> None:
    assert script.with_suffix(".ipynb").is_file(), (
        f"{script.name} has no paired .ipynb; run `make pair`"
    )


@pytest.mark.parametrize("notebook", IPYNBS, ids=lambda p: p.name)
def test_ipynb_is_committed_without_outputs(notebook: Path) -> None:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    dirty = [
        index
        for index, cell in enumerate(cells)
        if cell["cell_type"] == "code" and (cell.get("outputs") or cell.get("execution_count"))
    ]
    assert not dirty, f"{notebook.name}: cells {dirty} have outputs; strip them (make pair)"


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_pair_has_not_drifted(script: Path, tmp_path: Path) -> None:
    """Re-derive the .ipynb from the .py (keeping cell ids) and compare with the committed one."""
    committed = script.with_suffix(".ipynb")
    if not committed.is_file():
        pytest.skip("reported by test_every_script_has_its_ipynb")
    scratch = tmp_path / committed.name
    shutil.copy(committed, scratch)
    shutil.copy(script, tmp_path / script.name)
    shutil.copy(NOTEBOOKS.parent / "jupytext.toml", tmp_path / "jupytext.toml")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "jupytext",
            "--quiet",
            "--to",
            "ipynb",
            "--update",
            "--output",
            str(scratch),
            str(tmp_path / script.name),
        ],
        check=True,
    )
    derived = json.loads(scratch.read_text(encoding="utf-8"))
    expected = json.loads(committed.read_text(encoding="utf-8"))
    assert derived == expected, (
        f"{script.name} and {committed.name} have drifted apart; run `make pair` and commit both"
    )
