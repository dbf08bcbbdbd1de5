"""What the browser tests need: the table of contents, the web server, the page visitor.

The tests read the book the way a learner does: the built HTML, served over
HTTP from 127.0.0.1 (Mermaid is an ES module, which browsers refuse to load
from file://), in Debian's Chromium driven by Playwright, with every request
to any other host blocked and recorded.

Environment variables (all optional):

- ``COURSE_BOOK_SOURCE``: the book's source folder (holds ``_toc.yml`` and
  ``_config.yml``); default ``book/``.
- ``COURSE_BOOK_HTML``: the built HTML to test; default
  ``<COURSE_BOOK_SOURCE>/_build/html`` (what ``make book`` writes).
- ``COURSE_BOOK_SCREENSHOTS``: where screenshots go; default ``screenshots/``
  beside the HTML folder, i.e. ``book/_build/screenshots``.
- ``COURSE_CHROMIUM``: the browser executable; default ``/usr/bin/chromium``.
- ``CI``: when ``true``, a missing browser or book fails the tests instead of
  skipping them, so CI cannot pass without having run them.
"""

from __future__ import annotations

import functools
import http.server
import os
import urllib.parse
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, NoReturn

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
BOOK_SOURCE = Path(os.environ.get("COURSE_BOOK_SOURCE", REPO_ROOT / "book"))
BOOK_HTML = Path(os.environ.get("COURSE_BOOK_HTML", BOOK_SOURCE / "_build" / "html"))
SCREENSHOTS = Path(os.environ.get("COURSE_BOOK_SCREENSHOTS", BOOK_HTML.parent / "screenshots"))
CHROMIUM = Path(os.environ.get("COURSE_CHROMIUM", "/usr/bin/chromium"))

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}

# Headless, no sandbox (CI runs as root in
# a container), and none of Chromium's own background traffic.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Containers often give /dev/shm only 64 MB, too little for full-page screenshots.
    "--disable-dev-shm-usage",
]

MERMAID_TIMEOUT_MS = 10_000
"""How long a page may take to draw its diagrams before they count as undrawn."""


def in_ci() -> bool:
    """True when the ``CI`` environment variable says so (as CI services set it)."""
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def unavailable(reason: str) -> NoReturn:
    """Skip the browser tests, or fail them under CI, where a skip would hide them."""
    if in_ci():
        pytest.fail(f"{reason} (CI is set, so this is a failure, not a skip)", pytrace=False)
    pytest.skip(reason)


# --------------------------------------------------------------------------- the book


@dataclass(frozen=True)
class TocEntry:
    """One page of the table of contents, in reading order."""

    docname: str  # e.g. "notebooks/ch01_why_large_models"
    caption: str | None  # the part it sits in ("Foundations"), None for the root page

    @property
    def html_path(self) -> str:
        return f"{self.docname}.html"

    @property
    def is_notebook(self) -> bool:
        return (BOOK_SOURCE / f"{self.docname}.ipynb").is_file()


def read_toc(source: Path = BOOK_SOURCE) -> list[TocEntry]:
    """Every page of ``source/_toc.yml`` in reading order (depth first), with its part.

    Uses sphinx-external-toc, the parser Jupyter Book itself uses, so the order
    is the one the build sees. Returns [] when there is no ``_toc.yml``.
    """
    toc_file = source / "_toc.yml"
    if not toc_file.is_file():
        return []
    from sphinx_external_toc.parsing import parse_toc_yaml

    site_map = parse_toc_yaml(toc_file)
    entries: list[TocEntry] = []

    def walk(docname: str, caption: str | None) -> None:
        entries.append(TocEntry(docname, caption))
        for subtree in site_map[docname].subtrees:
            for item in subtree.items:
                if isinstance(item, str):  # documents; URL items are external links
                    walk(item, caption if caption is not None else subtree.caption)

    walk(site_map.root.docname, None)
    return entries


TOC = read_toc()


def read_config(source: Path = BOOK_SOURCE) -> dict[str, Any]:
    """The book's ``_config.yml`` as a dict."""
    return yaml.safe_load((source / "_config.yml").read_text(encoding="utf-8")) or {}


class _IdCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is not None and (name == "id" or (tag == "a" and name == "name")):
                self.ids.add(value)


@functools.cache
def anchors_in(html_file: Path) -> frozenset[str]:
    """The ids (and ``<a name>``s) a built HTML file defines: what a #fragment can name."""
    parser = _IdCollector()
    parser.feed(html_file.read_text(encoding="utf-8", errors="replace"))
    return frozenset(parser.ids)


# --------------------------------------------------------------------------- the server


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    # Browsers insist on a JavaScript MIME type for ES modules (Mermaid's .mjs).
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".mjs": "text/javascript",
        ".js": "text/javascript",
        ".woff": "font/woff",
        ".woff2": "font/woff2",
        ".svg": "image/svg+xml",
        ".ipynb": "application/x-ipynb+json",
    }

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass  # the browser's own request log is what the tests read


# --------------------------------------------------------------------------- page visits

# Each Mermaid diagram (sphinxcontrib-mermaid's <pre class="mermaid">): drawn means
# Mermaid's finished SVG (it carries aria-roledescription, the diagram type) is in
# place, is not Mermaid's error picture, and has a size.
_DIAGRAMS_JS = """
() => [...document.querySelectorAll('.mermaid')].map(el => {
  const svg = el.querySelector(':scope > svg[aria-roledescription]');
  const box = svg ? svg.getBoundingClientRect() : null;
  const kind = svg ? svg.getAttribute('aria-roledescription') : null;
  return {
    drawn: !!svg && kind !== 'error' && box.width > 0 && box.height > 0,
    kind,
    deferred: el.hasAttribute('data-mermaid-deferred'),
    started: el.hasAttribute('data-processed'),  // Mermaid has begun on it
    text: (el.getAttribute('data-original-code') || el.textContent).trim().slice(0, 80),
  };
})
"""

# Runs in the page once MathJax, Mermaid and the images have had their chance:
# what the tests check, gathered in one round trip.
_INSPECT_JS = r"""
() => {
  const DIAGRAMS = __DIAGRAMS__;
  const SKIP = 'script, style, pre, code, textarea, noscript, template, mjx-container, .highlight';
  const rawTex = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const patterns = [/\$\$/, /\\\(/, /\\\)/, /\\\[/, /\\\]/, /\\begin\{/,
                    /\$[^$\s][^$]*\\[A-Za-z]+[^$]*\$/];  // $ ... \command ... $
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest(SKIP)) continue;
    const text = node.textContent;
    if (patterns.some(p => p.test(text))) rawTex.push(text.trim().slice(0, 120));
  }
  const mathElements = [...document.querySelectorAll('.math')];
  const untypeset = mathElements
    .filter(el => !el.querySelector('mjx-container'))
    .map(el => el.textContent.trim().slice(0, 120));
  const mathErrors = [...document.querySelectorAll('mjx-merror, [data-mjx-error]')]
    .map(el => (el.getAttribute('data-mjx-error') || el.textContent).slice(0, 120));
  const diagrams = DIAGRAMS();
  const images = [...document.images].map(img => ({
    src: img.getAttribute('src'), url: img.currentSrc || img.src,
    width: img.naturalWidth, height: img.naturalHeight,
  }));
  const links = [...document.querySelectorAll('a[href], area[href], link[href]')].map(a => ({
    raw: a.getAttribute('href'), url: a.href,
    text: a.tagName === 'LINK' ? `<link rel=${a.rel}>` : a.textContent.trim().slice(0, 60),
  }));
  const hints = [...document.querySelectorAll(
      'link[rel~="preconnect"], link[rel~="dns-prefetch"], link[rel~="prefetch"], ' +
      'link[rel~="preload"], link[rel~="modulepreload"], link[rel~="prerender"]')]
    .map(l => l.href);
  const nav = document.querySelector('nav.bd-docs-nav');
  const navItems = nav ? [...nav.querySelectorAll('p.caption, a.reference.internal')].map(el =>
      el.tagName === 'A' ? {link: el.href} : {caption: el.textContent.trim()}) : null;
  const ids = [...document.querySelectorAll('[id]')].map(el => el.id);
  const dl = [...document.querySelectorAll('a.btn-download-source-button')].map(a => a.href);
  return {title: document.title, rawTex, mathCount: mathElements.length, untypeset, mathErrors,
          diagrams, images, links, hints, navItems, ids, downloads: dl};
}
"""

# Wait until the page has done its work: MathJax typeset, images loaded or
# failed, every visible diagram drawn (or the time is up).
_SETTLE_JS = """
async (mermaidTimeoutMs) => {
  const DIAGRAMS = __DIAGRAMS__;
  const sleep = ms => new Promise(done => setTimeout(done, ms));
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  const images = [...document.images];
  for (const img of images) if (img.loading === 'lazy') img.loading = 'eager';
  await Promise.all(images.map(img => img.complete ? null : new Promise(done => {
    img.addEventListener('load', done); img.addEventListener('error', done);
    setTimeout(done, 10000);
  })));
  // Give up early when Mermaid never even started (e.g. its module failed to load).
  const start = performance.now();
  for (;;) {
    const waiting = DIAGRAMS().filter(d => !d.drawn && !d.deferred);
    const elapsed = performance.now() - start;
    if (!waiting.length || elapsed > mermaidTimeoutMs) break;
    if (elapsed > mermaidTimeoutMs / 2 && !waiting.some(d => d.started)) break;
    await sleep(100);
  }
}
"""

# Open what a reader can open (dropdowns: exercise solutions, hidden cells) and
# scroll each diagram Mermaid deferred until visible into view, so it gets drawn.
_REVEAL_JS = """
async (mermaidTimeoutMs) => {
  const DIAGRAMS = __DIAGRAMS__;
  const sleep = ms => new Promise(done => setTimeout(done, ms));
  document.querySelectorAll('details:not([open])').forEach(d => { d.open = true; });
  const start = performance.now();
  for (const el of document.querySelectorAll('.mermaid[data-mermaid-deferred]')) {
    el.scrollIntoView();
    while (el.hasAttribute('data-mermaid-deferred') &&
           performance.now() - start < mermaidTimeoutMs) {
      await sleep(100);
    }
  }
  while (DIAGRAMS().some(d => !d.drawn && d.started) &&
         performance.now() - start < mermaidTimeoutMs) {
    await sleep(100);
  }
  window.scrollTo(0, 0);
  return DIAGRAMS();
}
"""


_INSPECT_JS, _SETTLE_JS, _REVEAL_JS = (
    script.replace("__DIAGRAMS__", _DIAGRAMS_JS.strip())
    for script in (_INSPECT_JS, _SETTLE_JS, _REVEAL_JS)
)

_OVERFLOW_JS = """
() => {
  const limit = window.innerWidth + 1;
  const scrollWidth = document.documentElement.scrollWidth;
  const culprits = [];  // for the failure message: the outermost elements past the edge
  for (const el of scrollWidth > limit ? document.body.querySelectorAll('*') : []) {
    const right = el.getBoundingClientRect().right + window.scrollX;
    if (right <= limit || !el.parentElement ||
        el.parentElement.getBoundingClientRect().right + window.scrollX > limit) continue;
    const style = getComputedStyle(el);
    if (style.position === 'fixed' || style.visibility === 'hidden') continue;  // off-canvas
    let clipped = false;  // inside a box that scrolls or clips: cannot widen the page
    for (let up = el.parentElement; up && up !== document.body && !clipped;
         up = up.parentElement) {
      clipped = getComputedStyle(up).overflowX !== 'visible';
    }
    if (clipped) continue;
    const cls = typeof el.className === 'string' && el.className.trim()
      ? '.' + el.className.trim().split(/\\s+/).join('.') : '';
    culprits.push(`${el.tagName.toLowerCase()}${cls} reaches ${Math.round(right)}px`);
    if (culprits.length >= 5) break;
  }
  return {scrollWidth, innerWidth: window.innerWidth, culprits};
}
"""


@dataclass
class PageVisit:
    """What one TOC page did and showed, at desktop and at phone size."""

    entry: TocEntry
    url: str
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    offsite_requests: list[str] = field(default_factory=list)
    inspection: dict[str, Any] = field(default_factory=dict)
    phone: dict[str, Any] = field(default_factory=dict)
    screenshots: dict[str, Path] = field(default_factory=dict)
    error: str | None = None  # why the visit itself broke off (a timeout, a crash)


class BookBrowser:
    """Visits TOC pages on demand (each once per session) and keeps what it saw."""

    def __init__(self, context: Any, base_url: str, html_dir: Path) -> None:
        self.context = context
        self.base_url = base_url
        self.html_dir = html_dir
        self.origin = urllib.parse.urlsplit(base_url).netloc
        self.visits: dict[str, PageVisit] = {}
        self._current: PageVisit | None = None
        context.route("**/*", self._route)
        self.page = context.pages[0] if context.pages else context.new_page()
        self.page.set_default_timeout(30_000)
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda error: self._log("console_errors", f"uncaught: {error}"))
        self.page.on("requestfailed", self._on_request_failed)
        self.page.on("response", self._on_response)
        self.page.on("request", self._on_request)
        self.page.on("websocket", lambda ws: self._offsite(f"websocket {ws.url}"))

    # -- event handlers -------------------------------------------------------
    def is_local(self, url: str) -> bool:
        """True for the local server and for URLs that need no network (data:, blob:)."""
        parts = urllib.parse.urlsplit(url)
        if parts.scheme in {"data", "blob", "about", "javascript"}:
            return True
        return parts.scheme in {"http", "https"} and parts.netloc == self.origin

    def _log(self, kind: str, message: str) -> None:
        # The page loads twice (desktop, phone): report each distinct problem once.
        if self._current is not None and message not in getattr(self._current, kind):
            getattr(self._current, kind).append(message)

    def _offsite(self, description: str) -> None:
        if self._current is not None and description not in self._current.offsite_requests:
            self._current.offsite_requests.append(description)

    def _route(self, route: Any) -> None:
        request = route.request
        if self.is_local(request.url):
            route.continue_()
        else:
            self._offsite(f"{request.resource_type} {request.url}")
            route.abort("blockedbyclient")

    def _on_request(self, request: Any) -> None:
        if not self.is_local(request.url):
            self._offsite(f"{request.resource_type} {request.url}")

    def _on_console(self, message: Any) -> None:
        if message.type == "error":
            where = message.location.get("url", "") if message.location else ""
            self._log("console_errors", f"{message.text} ({where})" if where else message.text)

    def _on_request_failed(self, request: Any) -> None:
        if self.is_local(request.url):  # off-site ones are aborted on purpose, logged above
            self._log("failed_requests", f"{request.url}: {request.failure}")

    def _on_response(self, response: Any) -> None:
        if response.status >= 400:
            self._log("failed_requests", f"{response.url}: HTTP {response.status}")

    # -- visiting -------------------------------------------------------------
    def _load(self, url: str) -> None:
        self.page.goto(url, wait_until="load")
        self.page.evaluate(_SETTLE_JS, MERMAID_TIMEOUT_MS)

    def visit(self, entry: TocEntry) -> PageVisit:
        """Load ``entry`` at desktop and phone size (first call only) and return what was seen.

        Fails the calling test if the visit itself broke off (every test of the
        page then fails the same way, instead of on a half-filled record).
        """
        if entry.docname not in self.visits:
            self._visit(entry)
        visit = self.visits[entry.docname]
        if visit.error is not None:
            pytest.fail(f"visiting {visit.url} broke off: {visit.error}", pytrace=False)
        return visit

    def _visit(self, entry: TocEntry) -> None:
        visit = PageVisit(entry, self.base_url + urllib.parse.quote(entry.html_path))
        self.visits[entry.docname] = visit
        self._current = visit
        stem = entry.docname.replace("/", "__")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        try:
            # Desktop: what the page shows as loaded (screenshot), then with every
            # dropdown open, so diagrams in exercise solutions are drawn and checked.
            self.page.set_viewport_size(DESKTOP)
            self._load(visit.url)
            visit.inspection = self.page.evaluate(_INSPECT_JS)
            visit.screenshots["desktop"] = SCREENSHOTS / f"{stem}-desktop.png"
            self.page.screenshot(path=visit.screenshots["desktop"], full_page=True)
            visit.inspection["diagrams"] = self.page.evaluate(_REVEAL_JS, MERMAID_TIMEOUT_MS)

            # Phone: a fresh load at phone size (diagrams are laid out at load),
            # screenshot, then the overflow check with every dropdown open.
            self.page.set_viewport_size(PHONE)
            self._load(visit.url)
            visit.screenshots["phone"] = SCREENSHOTS / f"{stem}-phone.png"
            self.page.screenshot(path=visit.screenshots["phone"], full_page=True)
            self.page.evaluate(_REVEAL_JS, MERMAID_TIMEOUT_MS)
            visit.phone = self.page.evaluate(_OVERFLOW_JS)
        except Exception as error:  # reported by every test of the page
            visit.error = f"{type(error).__name__}: {error}"
        finally:
            self._current = None
            self.page.set_viewport_size(DESKTOP)

    # -- reading what was seen -----------------------------------------------
    def local_file(self, url: str) -> Path | None:
        """The file under the HTML folder a local URL names (None for other hosts)."""
        parts = urllib.parse.urlsplit(url)
        if parts.netloc != self.origin:
            return None
        path = urllib.parse.unquote(parts.path).lstrip("/")
        target = self.html_dir / path
        return target / "index.html" if path == "" or path.endswith("/") else target

    def docname_of(self, url: str) -> str | None:
        """The page name a local URL points at ("intro" for .../intro.html#x)."""
        target = self.local_file(url)
        if target is None or target.suffix != ".html":
            return None
        return target.relative_to(self.html_dir).with_suffix("").as_posix()
