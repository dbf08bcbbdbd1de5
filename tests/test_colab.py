"""Every chapter's first cell installs the course in Google Colab, and does nothing elsewhere.

The cell (:func:`helpers.colab.colab_cell`) is run here with ``exec`` under a
simulated Colab: a fake ``google.colab`` module in ``sys.modules`` and a fake
installer in place of ``subprocess.check_call``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import types
from pathlib import Path

import jupytext
import nbformat
import pytest

from helpers import colab
from helpers.paths import REPO_ROOT

NOTEBOOKS = REPO_ROOT / "notebooks"
CHAPTERS = sorted(NOTEBOOKS.glob("*.py"))
URL = "https://github.com/example-org/example-course"


def run_cell(
    source: str, monkeypatch: pytest.MonkeyPatch, *, in_colab: bool, installed: bool
) -> list[list[str]]:
    """Execute the cell as a notebook would; return the commands it ran to install."""
    commands: list[list[str]] = []
    monkeypatch.setattr(subprocess, "check_call", lambda command, **_: commands.append(command))
    if in_colab:
        google = types.ModuleType("google")
        google.__path__ = []  # a package
        google.colab = types.ModuleType("google.colab")
        monkeypatch.setitem(sys.modules, "google", google)
        monkeypatch.setitem(sys.modules, "google.colab", google.colab)
    else:
        monkeypatch.setitem(sys.modules, "google.colab", None)  # `import` raises ImportError
    if not installed:
        monkeypatch.setitem(sys.modules, "helpers", None)  # find_spec("helpers") is None
    exec(compile(source, "<first cell>", "exec"), {"__name__": "__main__"})
    return commands


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda path: path.stem)
def test_every_chapter_starts_with_the_colab_cell(chapter: Path) -> None:
    code = [cell for cell in jupytext.read(chapter).cells if cell.cell_type == "code"]
    expected = colab.colab_cell(*colab.repository_address())
    fix = f"run `python -m helpers.colab notebooks/{chapter.name}`"
    current = bool(code) and code[0].source == expected
    assert current, f"{chapter.name} does not start with the current Colab cell; {fix}"
    assert colab.COLAB_TAG in code[0].metadata.get("tags", []), f"not hidden in the book; {fix}"


def test_outside_colab_the_cell_does_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    source = colab.colab_cell(URL)
    assert run_cell(source, monkeypatch, in_colab=False, installed=False) == []
    assert run_cell(colab.colab_cell(""), monkeypatch, in_colab=False, installed=False) == []


def test_in_colab_it_installs_the_course_from_the_repository(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    commands = run_cell(colab.colab_cell(URL, "main"), monkeypatch, in_colab=True, installed=False)
    assert commands == [[sys.executable, "-m", "pip", "install", "--quiet", f"git+{URL}@main"]]


def test_in_colab_an_installed_course_is_not_installed_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert run_cell(colab.colab_cell(URL), monkeypatch, in_colab=True, installed=True) == []


def test_in_colab_without_an_address_it_says_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(RuntimeError, match="repository: url"):
        run_cell(colab.colab_cell(""), monkeypatch, in_colab=True, installed=False)


def test_the_address_comes_from_the_book_config(tmp_path: Path) -> None:
    config = tmp_path / "_config.yml"
    config.write_text(f"repository:\n  url: {URL}/\n  branch: dev\n", encoding="utf-8")
    assert colab.repository_address(config) == (f"{URL}/", "dev")
    assert f'"git+{URL}@dev"' in colab.colab_cell(f"{URL}/", "dev")
    config.write_text('repository:\n  url: ""\n', encoding="utf-8")
    assert colab.repository_address(config) == ("", "main")


def _chapter() -> nbformat.NotebookNode:
    return nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# A chapter"),
            nbformat.v4.new_markdown_cell("## Setup"),
            nbformat.v4.new_code_cell("import helpers"),
        ]
    )


def test_the_cell_goes_before_the_first_code_cell_once_and_is_updated() -> None:
    notebook = _chapter()
    assert colab.with_colab_cell(notebook, colab.colab_cell(""))
    assert [cell.cell_type for cell in notebook.cells] == ["markdown", "markdown", "code", "code"]
    assert notebook.cells[2].metadata["tags"] == [colab.COLAB_TAG]
    assert not colab.with_colab_cell(notebook, colab.colab_cell(""))  # idempotent
    assert colab.with_colab_cell(notebook, colab.colab_cell(URL))  # the address changed
    assert len(notebook.cells) == 4 and notebook.cells[2].source == colab.colab_cell(URL)
    assert notebook.cells[3].source == "import helpers"


def test_the_command_updates_both_files_of_a_pair(tmp_path: Path) -> None:
    shutil.copy(REPO_ROOT / "jupytext.toml", tmp_path)
    script = tmp_path / "chapter.py"
    jupytext.write(_chapter(), script, fmt="py:percent")
    jupytext.write(_chapter(), script.with_suffix(".ipynb"))
    config = tmp_path / "_config.yml"
    config.write_text(f"repository:\n  url: {URL}\n", encoding="utf-8")
    assert colab.main([str(script), "--config", str(config)]) == 0
    for path in (script, script.with_suffix(".ipynb")):
        code = [cell for cell in jupytext.read(path).cells if cell.cell_type == "code"]
        assert code[0].source == colab.colab_cell(URL), path.name
    before = script.read_text(encoding="utf-8")
    assert not colab.add_colab_cell(script, colab.colab_cell(URL))
    assert script.read_text(encoding="utf-8") == before
