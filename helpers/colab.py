"""How a chapter runs in Google Colab: its first code cell installs the course there.

Colab opens one notebook from the repository, without the rest of the checkout, so
a chapter's ``import helpers`` needs the course installed first. Every chapter's
first code cell does that when ``google.colab`` is importable and the course is
not installed yet, and does nothing anywhere else (the pattern of d2l's notebooks,
which start with ``!pip install d2l``). It is plain Python, because it runs before
``helpers`` exists, and it carries the ``remove-cell`` tag, so the book does not
show it.

The cell names the repository's public address, which lives in one place:
``repository: url`` in ``book/_config.yml`` (the book's GitHub and launch buttons
come from it too). :func:`colab_cell` writes the cell from it, and

    python -m helpers.colab notebooks/*.py

puts the cell into each chapter's pair (``.py`` and ``.ipynb``), or brings it up to
date after the address changed; a second run changes nothing.
``tests/test_colab.py`` checks that every chapter starts with the current cell and
runs the cell with a simulated ``google.colab``.

Public API: :data:`COLAB_TAG`, :data:`FIRST_LINE`, :func:`repository_address`,
:func:`colab_cell`, :func:`with_colab_cell`, :func:`add_colab_cell`, :func:`main`.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from helpers.paths import repo_root

COLAB_TAG = "remove-cell"
"""The cell tag that keeps the cell out of the book (Jupyter Book removes the cell)."""

FIRST_LINE = "# In Google Colab, install the course (its `helpers` and what the chapters need)"
"""How the cell begins: what :func:`with_colab_cell` recognizes it by."""

_CELL = """\
{first_line}
# from its repository; anywhere else, do nothing.
import importlib.util
import subprocess
import sys

COURSE = {source}  # from book/_config.yml's `repository: url`
try:
    import google.colab  # noqa: F401
except ImportError:
    pass
else:
    if importlib.util.find_spec("helpers") is None:
        if not COURSE:
            raise RuntimeError(
                "This copy of the course names no repository to install itself from "
                "(book/_config.yml, `repository: url`): `!pip install` the course yourself."
            )
        subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet", COURSE])
        importlib.invalidate_caches()"""


def repository_address(config: Path | None = None) -> tuple[str, str]:
    """The repository's public address and branch, from the book's ``_config.yml``.

    Args:
        config: the configuration file; default ``book/_config.yml`` of the checkout.

    Returns:
        ``(url, branch)``; ``url`` is ``""`` while the course names no public address.
    """
    import yaml

    path = config if config is not None else repo_root() / "book" / "_config.yml"
    repository = yaml.safe_load(path.read_text(encoding="utf-8")).get("repository") or {}
    return (repository.get("url") or "").strip(), (repository.get("branch") or "main").strip()


def colab_cell(url: str, branch: str = "main") -> str:
    """The first cell's source for a repository at ``url`` (``""``: none), branch ``branch``.

    In Colab, it runs ``pip install git+<url>@<branch>`` when ``helpers`` is not
    importable, or raises a ``RuntimeError`` that says what to do when ``url`` is
    empty; elsewhere it does nothing.
    """
    source = f"git+{url.rstrip('/')}@{branch}" if url else ""
    return _CELL.format(first_line=FIRST_LINE, source=json.dumps(source))


def with_colab_cell(notebook: Any, source: str) -> bool:
    """Make ``source`` the first code cell of ``notebook`` (an ``nbformat`` notebook).

    A first code cell that begins with :data:`FIRST_LINE` is the Colab cell and is
    brought up to date; otherwise a new cell is inserted before the first code
    cell (after the leading Markdown cells). The cell is tagged :data:`COLAB_TAG`.

    Returns:
        Whether the notebook changed.
    """
    import nbformat

    code = [i for i, cell in enumerate(notebook.cells) if cell.cell_type == "code"]
    first = code[0] if code else len(notebook.cells)
    if code and notebook.cells[first].source.startswith(FIRST_LINE):
        cell = notebook.cells[first]
        tags = cell.metadata.setdefault("tags", [])
        if cell.source == source and COLAB_TAG in tags:
            return False
        cell.source = source
        if COLAB_TAG not in tags:
            tags.append(COLAB_TAG)
        return True
    notebook.cells.insert(first, nbformat.v4.new_code_cell(source, metadata={"tags": [COLAB_TAG]}))
    return True


def add_colab_cell(script: Path, source: str) -> bool:
    """Give the pair of ``script`` (a ``py:percent`` chapter) the Colab cell ``source``.

    Rewrites the ``.py`` when its cell is missing or outdated, then re-syncs its
    ``.ipynb`` with ``jupytext --sync`` (which keeps the other cells' ids).

    Returns:
        Whether the chapter changed.
    """
    import jupytext

    notebook = jupytext.read(script)
    if not with_colab_cell(notebook, source):
        return False
    jupytext.write(notebook, script, fmt="py:percent")
    subprocess.run(
        [sys.executable, "-m", "jupytext", "--sync", "--quiet", str(script)],
        check=True,
    )
    return True


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m helpers.colab SCRIPT...``: add or update the Colab cell of each chapter."""
    parser = argparse.ArgumentParser(
        prog="python -m helpers.colab",
        description="Give each chapter (its py:percent script and paired .ipynb) the first "
        "cell that installs the course in Google Colab, from book/_config.yml's "
        "`repository: url`. Idempotent.",
    )
    parser.add_argument("scripts", nargs="+", type=Path, help="notebooks/NAME.py files")
    parser.add_argument("--config", type=Path, help="the book's _config.yml (default: book/)")
    args = parser.parse_args(argv)
    source = colab_cell(*repository_address(args.config))
    for script in args.scripts:
        if script.suffix != ".py":
            parser.error(f"{script}: give the chapter's py:percent script (notebooks/NAME.py)")
        changed = add_colab_cell(script, source)
        print(f"{script}: {'Colab cell written' if changed else 'up to date'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
