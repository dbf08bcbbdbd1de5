"""helpers.book.glue: myst-nb's glue with the book's toolchain, a plain display without it."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import IPython.display
import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from helpers.book import glue
from helpers.paths import REPO_ROOT

CHAPTERS = sorted((REPO_ROOT / "notebooks").glob("*.py"))


@pytest.fixture
def shell() -> InteractiveShell:
    """An IPython shell, so displays are published as in a notebook's kernel."""
    return InteractiveShell.instance()


def test_with_myst_nb_the_value_is_stored_for_the_book(shell: InteractiveShell) -> None:
    pytest.importorskip("myst_nb")
    with capture_output() as shown:
        glue("accuracy", 0.875)
        glue("headline_metrics", ["accuracy"], display=False)
    (value, names) = shown.outputs
    assert value.metadata["scrapbook"] == {"name": "accuracy", "mime_prefix": ""}
    assert value.data["text/plain"] == "0.875"
    # display=False: stored under myst-nb's hidden prefix, so a notebook shows nothing
    prefix = names.metadata["scrapbook"]["mime_prefix"]
    assert prefix and names.data == {prefix + "text/plain": "['accuracy']"}


def test_without_myst_nb_the_value_is_only_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "myst_nb", None)  # as if it were not installed
    shown: list[Any] = []
    monkeypatch.setattr(IPython.display, "display", lambda *values: shown.extend(values))
    glue("accuracy", 0.875)
    glue("headline_metrics", ["accuracy"], display=False)
    assert shown == [0.875]


def test_without_myst_nb_a_notebook_shows_the_value(
    shell: InteractiveShell, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "myst_nb", None)
    with capture_output() as shown:
        glue("accuracy", 0.875)
    (value,) = shown.outputs
    assert value.data == {"text/plain": "0.875"} and "scrapbook" not in value.metadata


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda path: path.stem)
def test_chapters_glue_through_helpers(chapter: Path) -> None:
    """A chapter imported from myst_nb would not run where only `pip install .` was done."""
    imports_myst_nb = re.search(r"^\s*(from|import) myst_nb\b", chapter.read_text("utf-8"), re.M)
    assert not imports_myst_nb, (
        f"{chapter.name} imports myst_nb; use `from helpers.book import glue` "
        "(then `ruff check --fix --select I` and `jupytext --sync` the chapter)"
    )
