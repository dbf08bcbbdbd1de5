"""The book links to its repository, Colab and Binder only when it names a public repository.

``repository: url`` in ``book/_config.yml`` is the one setting
(``book/_ext/repository_links.py``). This test builds a two-page book (a page and
a one-cell chapter, not executed) with the real ``_config.yml``'s repository,
launch and HTML settings and the real extension, once with the address unset and
once set, and reads the links in the HTML. The full book is not built.
"""

from __future__ import annotations

import copy
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import nbformat
import pytest

from helpers.paths import REPO_ROOT

yaml = pytest.importorskip("yaml")
pytest.importorskip("jupyter_book", reason="the book's toolchain is the [book] extra")

BOOK = REPO_ROOT / "book"
CONFIG = yaml.safe_load((BOOK / "_config.yml").read_text(encoding="utf-8"))
EXAMPLE = "https://github.com/example-org/example-course"
"""A repository address for the test build (nothing is fetched from it)."""

JUPYTER_BOOK = Path(sys.executable).parent / "jupyter-book"
"""The jupyter-book command of the environment that runs the tests."""

OFFSITE_HOSTS = ("github.com", "colab.research.google.com", "mybinder.org")


def test_the_committed_book_names_no_repository_yet() -> None:
    """The course has no public address yet: buttons would lead to a 404."""
    assert CONFIG["repository"]["url"] == ""
    assert "repository_links" in CONFIG["sphinx"]["local_extensions"]
    # Jupyter Book refuses this button without an address; the extension switches it
    assert "use_repository_button" not in CONFIG["html"]


def two_page_config(url: str) -> dict[str, Any]:
    """The book's settings that make buttons, with ``url`` as the address; nothing else."""
    return {
        "title": "Two pages",
        "only_build_toc_files": True,
        "execute": {"execute_notebooks": "off"},
        "html": copy.deepcopy(CONFIG["html"]),
        "repository": {**CONFIG["repository"], "url": url},
        "launch_buttons": copy.deepcopy(CONFIG["launch_buttons"]),
        "sphinx": {"local_extensions": {"repository_links": str(BOOK / "_ext")}},
    }


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.hrefs += [value for name, value in attrs if name == "href" and value]


def offsite_links(html: Path) -> list[str]:
    """Links of a built page to GitHub, Colab or Binder."""
    parser = _Links()
    parser.feed(html.read_text(encoding="utf-8"))
    return [href for href in parser.hrefs if any(host in href for host in OFFSITE_HOSTS)]


def build(source: Path, url: str) -> Path:
    """Build the two-page book with repository address ``url``; return its HTML folder."""
    (source / "notebooks").mkdir(parents=True)
    (source / "intro.md").write_text("# Intro\n\nThe first page.\n", encoding="utf-8")
    notebook = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_markdown_cell("# A chapter"), nbformat.v4.new_code_cell("1 + 1")],
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
    )
    nbformat.write(notebook, source / "notebooks" / "chapter.ipynb")
    (source / "_toc.yml").write_text(
        "format: jb-book\nroot: intro\nchapters:\n  - file: notebooks/chapter\n", encoding="utf-8"
    )
    (source / "_config.yml").write_text(yaml.safe_dump(two_page_config(url)), encoding="utf-8")
    completed = subprocess.run(
        [str(JUPYTER_BOOK), "build", str(source), "-W", "-n", "--keep-going"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, f"jupyter-book build failed:\n{completed.stdout[-4000:]}"
    return source / "_build" / "html"


def test_without_an_address_nothing_leads_to_a_repository(tmp_path: Path) -> None:
    html = build(tmp_path, "")
    for page in ("intro.html", "notebooks/chapter.html"):
        links = offsite_links(html / page)
        assert not links, f"{page} links off-site although no repository is set: {links}"
    chapter = (html / "notebooks/chapter.html").read_text(encoding="utf-8")
    assert "dropdown-launch-buttons" not in chapter and "repository-button" not in chapter


def test_with_an_address_the_buttons_lead_to_it(tmp_path: Path) -> None:
    html = build(tmp_path, EXAMPLE)
    branch = CONFIG["repository"]["branch"]
    chapter = offsite_links(html / "notebooks/chapter.html")
    colab = CONFIG["launch_buttons"]["colab_url"].rstrip("/")
    binder = CONFIG["launch_buttons"]["binderhub_url"].rstrip("/")
    assert EXAMPLE in chapter, f"no repository button: {chapter}"
    assert "btn-source-repository-button" in (html / "notebooks/chapter.html").read_text("utf-8")
    path = f"example-org/example-course/blob/{branch}/notebooks/chapter.ipynb"
    assert f"{colab}/github/{path}" in chapter, chapter
    assert any(
        link.startswith(f"{binder}/v2/gh/example-org/example-course/{branch}?urlpath=")
        for link in chapter
    ), chapter
    # a page that is not a notebook links to the repository, and launches nothing
    assert offsite_links(html / "intro.html") == [EXAMPLE]
