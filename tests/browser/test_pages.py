"""Every page of the table of contents, as a reader's browser shows it, offline.

Each test is parametrized over the pages of ``book/_toc.yml`` (see conftest.py),
so a new chapter is tested as soon as it is in the table of contents. A page is
loaded once per session, at desktop size and at phone size; the tests read what
the browser saw. Needs a built book (``make book``) and Chromium
(``bash .ci/install-browser``); without them the tests skip, or fail under CI.
"""

from __future__ import annotations

import json
import struct
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from browser_support import BOOK_SOURCE, DESKTOP, PHONE, TOC, BookBrowser, TocEntry, anchors_in

pytestmark = pytest.mark.browser


def _listing(items: list[str]) -> str:
    return "\n  " + "\n  ".join(items)


def test_loads_without_console_errors(book: BookBrowser, toc_entry: TocEntry) -> None:
    visit = book.visit(toc_entry)
    assert not visit.console_errors, f"{visit.url} logged errors:{_listing(visit.console_errors)}"


def test_no_failed_requests(book: BookBrowser, toc_entry: TocEntry) -> None:
    visit = book.visit(toc_entry)
    assert not visit.failed_requests, (
        f"{visit.url}: requests failed:{_listing(visit.failed_requests)}"
    )


def test_requests_nothing_off_site(book: BookBrowser, toc_entry: TocEntry) -> None:
    """The book must work with no network: every request goes to the local server."""
    visit = book.visit(toc_entry)
    hints = [url for url in visit.inspection["hints"] if not book.is_local(url)]
    offsite = visit.offsite_requests + [f"resource hint {url}" for url in hints]
    assert not offsite, (
        f"{visit.url} reaches beyond {book.base_url} (blocked during the test):{_listing(offsite)}"
    )


def test_math_is_typeset(book: BookBrowser, toc_entry: TocEntry) -> None:
    seen = book.visit(toc_entry).inspection
    assert not seen["untypeset"], (
        f"{seen['mathCount']} math elements, these not typeset by MathJax:"
        f"{_listing(seen['untypeset'])}"
    )
    assert not seen["mathErrors"], f"MathJax could not typeset:{_listing(seen['mathErrors'])}"
    assert not seen["rawTex"], (
        f"raw TeX visible in the text (outside code):{_listing(seen['rawTex'])}"
    )


def test_diagrams_are_drawn(book: BookBrowser, toc_entry: TocEntry) -> None:
    diagrams = book.visit(toc_entry).inspection["diagrams"]
    undrawn = [d["text"] for d in diagrams if not d["drawn"]]
    assert not undrawn, (
        f"{len(undrawn)} of {len(diagrams)} Mermaid diagrams not drawn as SVG "
        f"(or drawn as Mermaid's error box):{_listing(undrawn)}"
    )


def test_images_load(book: BookBrowser, toc_entry: TocEntry) -> None:
    images = book.visit(toc_entry).inspection["images"]
    broken = [f"{i['src']} -> {i['url']}" for i in images if not (i["width"] and i["height"])]
    assert not broken, f"images with no natural size (not loaded):{_listing(broken)}"


def test_internal_links_resolve(book: BookBrowser, toc_entry: TocEntry) -> None:
    """Every link to the local server names a file that exists, and a #fragment that it has."""
    visit = book.visit(toc_entry)
    own_ids = frozenset(visit.inspection["ids"])
    problems = []
    for link in visit.inspection["links"]:
        target = book.local_file(link["url"])
        if target is None:
            continue  # off-site (launch buttons, GitHub, references): never requested
        where = f"{link['raw']!r} ({link['text']!r})"
        if not target.is_file():
            problems.append(f"{where}: no file {target.relative_to(book.html_dir)}")
            continue
        fragment = urllib.parse.unquote(urllib.parse.urlsplit(link["url"]).fragment)
        if not fragment:
            continue
        ids = own_ids if book.docname_of(link["url"]) == toc_entry.docname else None
        if ids is None:
            ids = anchors_in(target) if target.suffix == ".html" else frozenset()
        if fragment not in ids:
            problems.append(f"{where}: {target.relative_to(book.html_dir)} has no id {fragment!r}")
    assert not problems, f"{visit.url}: broken internal links:{_listing(problems)}"


def test_navigation_lists_the_toc_in_order(book: BookBrowser, toc_entry: TocEntry) -> None:
    items = book.visit(toc_entry).inspection["navItems"]
    assert items is not None, "no navigation sidebar (nav.bd-docs-nav) on the page"
    shown: list[str] = []
    for item in items:
        if "caption" in item:
            shown.append(f"[{item['caption']}]")
        elif "#" not in item["link"].rstrip("#"):  # a page, not a section of one
            shown.append(book.docname_of(item["link"]) or item["link"])
    expected: list[str] = []
    for entry in TOC:
        if entry.caption is not None and f"[{entry.caption}]" not in expected:
            expected.append(f"[{entry.caption}]")
        expected.append(entry.docname)
    assert shown == expected, "the sidebar does not list the table of contents in order"


def test_phone_view_does_not_scroll_sideways(book: BookBrowser, toc_entry: TocEntry) -> None:
    phone = book.visit(toc_entry).phone
    assert phone["innerWidth"] == PHONE["width"]
    assert phone["scrollWidth"] <= phone["innerWidth"] + 1, (
        f"at {PHONE['width']}px the page is {phone['scrollWidth']}px wide; "
        f"first elements past the edge:{_listing(phone['culprits'])}"
    )


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", header[16:24])


def test_screenshots_are_saved(book: BookBrowser, toc_entry: TocEntry) -> None:
    """Full-page PNGs at least as large as the window (wider only if the page overflows)."""
    shots = book.visit(toc_entry).screenshots
    for view, size in [("desktop", DESKTOP), ("phone", PHONE)]:
        width, height = _png_size(shots[view])
        assert width >= size["width"] and height >= size["height"], (view, width, height)


def test_notebook_can_be_downloaded(book: BookBrowser, notebook_entry: TocEntry) -> None:
    """The page's download menu offers the chapter's .ipynb, and the server has it."""
    downloads = book.visit(notebook_entry).inspection["downloads"]
    ipynb = [url for url in downloads if urllib.parse.urlsplit(url).path.endswith(".ipynb")]
    assert ipynb, f"no .ipynb in the page's download menu (links: {downloads})"
    with urllib.request.urlopen(ipynb[0], timeout=10) as response:  # the local server
        assert response.status == 200
        notebook = json.load(response)
    assert notebook.get("nbformat") == 4 and notebook.get("cells"), "not a Jupyter notebook"
    source = json.loads((BOOK_SOURCE / f"{notebook_entry.docname}.ipynb").read_text("utf-8"))
    assert [c["source"] for c in notebook["cells"]] == [c["source"] for c in source["cells"]], (
        "the downloadable notebook differs from the chapter's source: rebuild the book"
    )


def test_notebook_opens_in_colab_and_binder(
    book: BookBrowser, notebook_entry: TocEntry, book_config: dict[str, Any]
) -> None:
    """Launch links name the repository from _config.yml and the committed notebook.

    With no repository address set there must be none (they would lead nowhere).
    """
    repository = book_config["repository"]
    launch = book_config["launch_buttons"]
    if not repository.get("url"):
        links = [link["url"] for link in book.visit(notebook_entry).inspection["links"]]
        hosts = (launch["colab_url"], launch["binderhub_url"])
        launches = [url for url in links if url.startswith(hosts)]
        assert not launches, f"no repository is set, yet the page launches {launches}"
        html = (book.html_dir / notebook_entry.html_path).read_text(encoding="utf-8")
        assert "btn-source-repository-button" not in html, "a repository button, but no address"
        return
    org_repo = repository["url"].removeprefix("https://github.com/").strip("/")
    branch = repository["branch"]
    # The notebook's path in the repository, with symlinks (book/notebooks) resolved.
    notebook = (BOOK_SOURCE / f"{notebook_entry.docname}.ipynb").resolve()
    repo_root = BOOK_SOURCE.resolve().parent
    assert notebook.is_relative_to(repo_root), f"{notebook} is outside the repository {repo_root}"
    in_repo = notebook.relative_to(repo_root).as_posix()
    links = [link["url"] for link in book.visit(notebook_entry).inspection["links"]]

    colab = f"{launch['colab_url'].rstrip('/')}/github/{org_repo}/blob/{branch}/{in_repo}"
    assert colab in links, f"no Colab link {colab}; off-site links: {_offsite(book, links)}"
    binder_prefix = f"{launch['binderhub_url'].rstrip('/')}/v2/gh/{org_repo}/{branch}?urlpath="
    binder = [url for url in links if url.startswith(binder_prefix)]
    assert binder, f"no Binder link {binder_prefix}...; off-site links: {_offsite(book, links)}"
    assert binder[0].endswith(f"tree/{in_repo}"), binder[0]
    assert repository["url"] in links, "no link to the repository"


def _offsite(book: BookBrowser, links: list[str]) -> list[str]:
    return [url for url in links if book.local_file(url) is None]


_RUNTIME_TABLE_JS = """() => {
  const section = document.querySelector('section#chapter-by-chapter');
  if (!section) return null;
  const table = section.querySelector('table');
  if (!table) return {rows: [], header: []};
  const header = [...table.querySelectorAll('thead tr:first-child th')]
    .map(c => c.textContent.trim());
  const rows = [...table.querySelectorAll('tbody tr')].map(
    r => [...r.querySelectorAll('th, td')].map(c => c.textContent.trim()));
  const figure = document.querySelector('#fig-bench-chapters img');
  return {header, rows, figure: figure ? figure.naturalWidth : 0,
          text: document.querySelector('main').innerText};
}"""


def test_runtime_page_shows_what_every_chapter_cost(book: BookBrowser) -> None:
    """The appendix has a time for every notebook of the book and a drawn figure."""
    (entry,) = [e for e in TOC if e.docname.endswith("/runtime")]
    book.visit(entry)
    book.page.goto(book.base_url + urllib.parse.quote(entry.html_path), wait_until="load")
    seen = book.page.evaluate(_RUNTIME_TABLE_JS)
    assert seen is not None, "the runtime page has no 'Chapter by chapter' section"
    for placeholder in ("not measured on this machine", "Nothing has been executed"):
        assert placeholder not in seen["text"], f"the runtime page says {placeholder!r}"
    wall = seen["header"].index("wall (s)")
    times = {row[0]: row[wall] for row in seen["rows"]}
    notebooks = [e.docname.split("/")[-1] for e in TOC if e.is_notebook]
    missing = [name for name in notebooks if name not in times]
    assert not missing, f"the runtime table lacks {missing}"
    untimed = [n for n in notebooks if n != "runtime" and not _is_positive_number(times[n])]
    assert not untimed, f"no execution time for {untimed}: {times}"
    assert seen["figure"] > 0, "the runtime figure is not drawn"


def _is_positive_number(text: str) -> bool:
    try:
        return float(text.replace(",", "")) > 0
    except ValueError:
        return False
