"""Serve Mermaid from the built book itself, so diagrams render with no network.

(It also removes a duplicated script tag that makes every page log an error;
see :func:`_drop_duplicate_scripts`.)

sphinxcontrib-mermaid loads Mermaid from a CDN unless ``mermaid_use_local``
names a copy under ``_static``. This extension fetches that copy once from the
npm registry with npm's own client (``npm pack mermaid@<mermaid_version>``),
keeps only the ES-module build (``dist/mermaid.esm.min.mjs`` and its chunks)
in ``_build/.offline_assets``, and points ``mermaid_use_local`` at it. Nothing
third-party is committed.

Where Node.js/npm is absent or the registry cannot be reached, the build goes
on and says so: diagrams then load from the CDN and need a network to render.
MathJax needs no such step: the sphinx-mathjax-offline package ships it.
"""

from __future__ import annotations

import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util import logging

logger = logging.getLogger(__name__)

ENTRY = "mermaid/mermaid.esm.min.mjs"
"""Path of Mermaid's ES-module entry point, relative to ``_static``."""


def _wanted(member: str) -> bool:
    """Keep the ES-module entry point and its chunks, not source maps or other builds."""
    return member == "package/dist/mermaid.esm.min.mjs" or (
        member.startswith("package/dist/chunks/mermaid.esm.min/") and member.endswith(".mjs")
    )


def fetch_mermaid(version: str, static_root: Path) -> Path:
    """Install Mermaid ``version``'s ES-module build under ``static_root/mermaid``.

    Returns the entry point's path. Raises ``RuntimeError`` (with npm's own
    message) when npm is missing or the package cannot be fetched.
    """
    target = static_root / "mermaid"
    marker = target / f".version-{version}"
    if marker.is_file() and (static_root / ENTRY).is_file():
        return static_root / ENTRY
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is not on PATH (install Node.js 18 or newer)")
    with tempfile.TemporaryDirectory() as scratch:
        result = subprocess.run(
            [npm, "pack", f"mermaid@{version}", "--silent", "--pack-destination", scratch],
            capture_output=True,
            text=True,
            timeout=300,
        )
        if result.returncode != 0:
            raise RuntimeError(f"`npm pack mermaid@{version}` failed: {result.stderr.strip()}")
        tarball = Path(scratch) / result.stdout.strip().splitlines()[-1]
        staging = Path(scratch) / "staging"
        with tarfile.open(tarball) as archive:
            members = [m for m in archive.getmembers() if m.isfile() and _wanted(m.name)]
            if not members:
                raise RuntimeError(f"{tarball.name} holds no dist/mermaid.esm.min.mjs")
            archive.extractall(staging, members=members, filter="data")
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(staging / "package" / "dist", target)
    marker.write_text(f"mermaid {version} from the npm registry (MIT licence)\n")
    return static_root / ENTRY


def _configure(app: Sphinx, config: Config) -> None:
    if config.mermaid_use_local:
        return  # the book's own configuration decides
    static_root = Path(app.outdir).parent / ".offline_assets"
    try:
        fetch_mermaid(config.mermaid_version, static_root)
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as error:
        logger.info(
            "offline_assets: Mermaid could not be installed locally (%s); "
            "diagrams will load from the jsDelivr CDN and need a network to render.",
            error,
        )
        return
    config.html_static_path = [*config.html_static_path, str(static_root)]
    config.mermaid_use_local = ENTRY


def _drop_duplicate_scripts(
    app: Sphinx, pagename: str, templatename: str, context: dict, doctree: object
) -> None:
    """Keep one copy of each script tag on a page.

    Sphinx 7.4 lists sphinx-thebe's inline script twice (once with filename
    None, once with ""), so its ``const THEBE_JS_URL`` runs twice and every page
    logs a SyntaxError. Jupyter Book always loads sphinx-thebe, even with thebe off.
    """
    seen: set[str] = set()
    unique = []
    for script in context.get("script_files", []):
        key = repr((script.filename or "", sorted(script.attributes.items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def setup(app: Sphinx) -> dict[str, object]:
    app.setup_extension("sphinxcontrib.mermaid")
    app.connect("config-inited", _configure)
    app.connect("html-page-context", _drop_duplicate_scripts)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
