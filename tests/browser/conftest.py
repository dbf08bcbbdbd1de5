"""Fixtures for the browser tests: the built book, a local web server, headless Chromium.

See browser_support.py for what is checked and the environment variables that
point the tests at another build or browser.
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_support import (
    BOOK_HTML,
    BOOK_SOURCE,
    CHROMIUM,
    CHROMIUM_ARGS,
    DESKTOP,
    TOC,
    BookBrowser,
    QuietHandler,
    read_config,
    unavailable,
)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives headless Chromium over the built book")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """``toc_entry``: every page of the table of contents; ``notebook_entry``: its notebooks."""
    for name, entries in [
        ("toc_entry", TOC),
        ("notebook_entry", [entry for entry in TOC if entry.is_notebook]),
    ]:
        if name in metafunc.fixturenames:
            metafunc.parametrize(name, entries, ids=[entry.docname for entry in entries])


@pytest.fixture(scope="session")
def book_config() -> dict[str, Any]:
    """The book's ``_config.yml``."""
    return read_config()


@pytest.fixture(scope="session")
def book_html() -> Path:
    """The built book's HTML folder; skips (fails under CI) when it is not built."""
    if not (BOOK_HTML / "index.html").is_file():
        unavailable(f"no built book at {BOOK_HTML}: run `make book` first")
    if not TOC:
        unavailable(f"no table of contents at {BOOK_SOURCE / '_toc.yml'}")
    return BOOK_HTML


@pytest.fixture(scope="session")
def book_server(book_html: Path) -> Iterator[str]:
    """Serve the built book on 127.0.0.1 at a free port; yields the base URL (ends in /)."""
    handler = functools.partial(QuietHandler, directory=str(book_html))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="book-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# --------------------------------------------------------------------------- the browser


@pytest.fixture(scope="session")
def browser_context(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A headless Chromium (Debian's, via Playwright) with a fresh, throwaway profile."""
    if not CHROMIUM.exists():
        unavailable(
            f"Chromium is not installed at {CHROMIUM}: as root, run `bash .ci/install-browser` "
            "(apt-get install chromium), or set COURSE_CHROMIUM to a Chromium executable"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("the Python package `playwright` is not installed (it is in pyproject.toml)")

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport=DESKTOP,
            device_scale_factor=1,
            service_workers="block",
        )
        try:
            yield context
        finally:
            context.close()


@pytest.fixture(scope="session")
def book(book_html: Path, book_server: str, browser_context: Any) -> BookBrowser:
    """Visit TOC pages with ``book.visit(entry)``; every page is loaded once per session."""
    return BookBrowser(browser_context, book_server, book_html)
