"""What executing each notebook of the book cost, in the run that produced its outputs.

Three things execute the book's notebooks, and each leaves a record:

- ``make bench`` (:mod:`helpers.bench`) executes every chapter cold, one at a
  time, and writes ``<build>/bench/results.json``: wall time, CPU time, peak
  memory and headline results per chapter;
- ``make notebooks`` (CI's one execution, with nbmake) loads this module as a
  pytest plugin (``pytest -p helpers.execution_record``), which measures each
  notebook the same way (wall time; CPU time of the kernel, read from the
  operating system after the kernel has exited; peak memory of the kernel,
  sampled every :data:`SAMPLE_SECONDS`) and writes :func:`nbmake_record_path`;
- ``make book`` executes through jupyter-cache, which keeps each notebook's
  execution time and when it ran (no CPU time or memory).

:func:`freshest_record` returns the best of them in one layout, and the runtime
appendix renders it: the cold benchmark when there is one, else the record of
the execution that produced the book's outputs.

Public names: :func:`freshest_record`, :func:`nbmake_record_path`,
:func:`read_nbmake_record`, :func:`jupyter_cache_record`, :func:`forget_cached_execution`,
:func:`bench_as_record`, :func:`totals`, :data:`RECORD_ENV`,
:data:`BUILD_STARTED_ENV`, :func:`stage_book`, the readers of an executed notebook
(:func:`notebook_title`, :func:`glued_values`, :func:`headline_metrics`,
:data:`HEADLINE_KEY`) and the pytest hooks.
"""

from __future__ import annotations

import ast
import os
import re
import resource
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from helpers.paths import build_dir, read_json, write_json

RECORD_ENV = "COURSE_EXECUTION_RECORD"
"""Set by the pytest plugin while it runs: the path of the record it writes.

A notebook executed under nbmake (the runtime appendix) finds the record there.
"""

BUILD_STARTED_ENV = "COURSE_BUILD_STARTED"
"""Set by the book's Sphinx extension (``book/_ext/execution_record.py``) when a
build starts (ISO 8601, UTC): a jupyter-cache record older than that was made by
an earlier build, and the runtime appendix marks it as reused."""

SAMPLE_SECONDS = 0.2
"""How often the plugin samples the kernel's memory."""

SOURCES = {
    "bench": "the cold benchmark (`make bench`): every notebook executed from nothing, "
    "one at a time, each in a fresh kernel",
    "nbmake": "the build's own execution with nbmake (`make notebooks`, as CI runs it): "
    "every notebook executed once, in the book's order, each in a fresh kernel",
    "jupyter-cache": "the build's own execution through jupyter-cache (`make book`): "
    "a notebook whose code has not changed since an earlier build is not executed "
    "again, and its row shows the execution that produced its outputs",
}
"""What each source of a record measured, in words for the runtime appendix."""


def nbmake_record_path() -> Path:
    """Where the nbmake plugin writes its record: ``<build>/execution/nbmake.json``."""
    return build_dir() / "execution" / "nbmake.json"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def read_nbmake_record(path: Path | None = None) -> dict[str, Any] | None:
    """Read the nbmake plugin's record (default :func:`nbmake_record_path`); None if absent.

    Raises:
        ValueError: if the file exists but is not a record (says how to fix it).
    """
    path = nbmake_record_path() if path is None else path
    fix = "delete it and run `make notebooks` again"
    record = read_json(path, fix)
    if record is not None and (not isinstance(record, dict) or record.get("source") != "nbmake"):
        raise ValueError(f"{path} is not an nbmake execution record; {fix}")
    return record


# --- reading an executed notebook ---------------------------------------------------------


def notebook_title(nb: Mapping[str, Any]) -> str | None:
    """Return the first level-1 Markdown heading of a notebook, or None."""
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "markdown":
            continue
        source = cell.get("source", "")
        for line in ("".join(source) if isinstance(source, list) else source).splitlines():
            if line.startswith("# "):
                return line[2:].strip()
    return None


_NUMPY_SCALAR = re.compile(r"^np\.(?:float|int|uint|bool_?)\w*\((.*)\)$")


def _literal(text: str) -> Any:
    """A Python value from its ``repr``; NumPy scalars (``np.float64(0.5)``) become numbers."""
    text = text.strip()
    scalar = _NUMPY_SCALAR.match(text)
    try:
        return ast.literal_eval(scalar.group(1) if scalar else text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return text


def glued_values(nb: Mapping[str, Any]) -> dict[str, Any]:
    """Return every value glued with myst-nb's ``glue`` in an executed notebook.

    myst-nb stores a glued value as a ``display_data`` output whose metadata has
    ``scrapbook: {name, mime_prefix}``; the value's ``text/plain`` representation
    sits under ``<mime_prefix>text/plain``. Numbers, strings and other Python
    literals come back as Python values; anything else (a figure) as its text.
    """
    values: dict[str, Any] = {}
    for cell in nb.get("cells", []):
        for output in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            scrapbook = output.get("metadata", {}).get("scrapbook")
            if output.get("output_type") != "display_data" or not scrapbook:
                continue
            text = output.get("data", {}).get(scrapbook.get("mime_prefix", "") + "text/plain")
            if text is not None:
                text = "".join(text) if isinstance(text, list) else text
                values[scrapbook["name"]] = _literal(text)
    return values


HEADLINE_KEY = "headline_metrics"
"""The glue name under which a chapter lists the names of its headline results.

A chapter declares them itself, e.g. ``glue("headline_metrics", ["test_acc",
"test_macro_f1"], display=False)``; the benchmark and the execution records read
that list, so the names live in one place, the chapter that glues them."""


def headline_metrics(glued: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Pick a chapter's headline results out of its glued values.

    The chapter names them in its :data:`HEADLINE_KEY` glue. Returns ``(found,
    missing)``: the named values it glued, and the names it did not glue
    (reported, never silently dropped). A chapter that names none has none.
    """
    names = glued.get(HEADLINE_KEY) or []
    if isinstance(names, str):
        names = [names]
    found = {name: glued[name] for name in names if name in glued}
    return found, [name for name in names if name not in glued]


# --- the pytest plugin (nbmake) ------------------------------------------------------------


class _MemorySampler:
    """Samples the resident memory of this process's children until stopped; keeps the peak."""

    def __init__(self, interval: float = SAMPLE_SECONDS) -> None:
        import psutil

        self._me = psutil.Process()
        self._interval = interval
        self._stop = threading.Event()
        self.peak = 0
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        import psutil

        while not self._stop.is_set():
            total = 0
            for child in self._me.children(recursive=True):
                try:
                    total += child.memory_info().rss
                except psutil.Error:
                    continue
            self.peak = max(self.peak, total)
            self._stop.wait(self._interval)

    def __enter__(self) -> _MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _is_notebook_item(item: Any) -> bool:
    return str(getattr(item, "path", "")).endswith(".ipynb")


def pytest_configure(config: Any) -> None:
    """Start an empty record and tell the notebooks where it is (``$COURSE_EXECUTION_RECORD``)."""
    path = nbmake_record_path()
    os.environ[RECORD_ENV] = str(path)
    config._course_record = {"source": "nbmake", "started": _now(), "chapters": []}
    write_json(path, config._course_record)


def pytest_runtest_call(item: Any) -> Iterator[None]:
    """Measure one notebook's execution and append it to the record (a hook wrapper)."""
    if not _is_notebook_item(item):
        yield
        return
    import nbformat

    cpu_before = _children_cpu_seconds()
    started = _now()
    start = time.perf_counter()
    with _MemorySampler() as sampler:
        outcome = yield
    wall = time.perf_counter() - start
    path = Path(item.path)
    notebook = nbformat.read(path, as_version=4)  # with --overwrite it holds the outputs
    headline, missing = headline_metrics(glued_values(notebook))
    error = None if outcome.excinfo is None else f"{outcome.excinfo[0].__name__}"
    record = item.config._course_record
    record["chapters"].append(
        {
            "notebook": path.stem,
            "title": notebook_title(notebook),
            "ok": error is None,
            "error": error,
            "wall_s": wall,
            "cpu_s": _children_cpu_seconds() - cpu_before,
            "peak_memory_bytes": sampler.peak or None,
            "headline": headline,
            "headline_missing": missing,
            "executed_at": started,
            "reused": False,
        }
    )
    write_json(nbmake_record_path(), record)


pytest_runtest_call.hookwrapper = True  # type: ignore[attr-defined]


# --- jupyter-cache (make book) -------------------------------------------------------------


def _as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def jupyter_cache_record(
    notebooks: Sequence[Path], cache_dir: Path, build_started: str | None = None
) -> dict[str, Any] | None:
    """The execution of each notebook that jupyter-cache holds for its current code.

    For each notebook, the cache record that matches its code (what the book
    renders) gives the execution time and when it ran; its glued values give
    the headline results. A notebook with no matching record is listed with
    ``ok = None`` (not executed yet). ``build_started`` (ISO 8601) marks records
    made before it as ``reused``. Returns None if ``cache_dir`` does not exist.
    """
    if not cache_dir.is_dir():
        return None
    import nbformat
    from jupyter_cache import get_cache

    cache = get_cache(cache_dir)
    since = _as_utc(datetime.fromisoformat(build_started)) if build_started else None
    chapters = []
    for path in notebooks:
        notebook = nbformat.read(path, as_version=4)
        entry: dict[str, Any] = {"notebook": path.stem, "title": notebook_title(notebook)}
        try:
            match = cache.match_cache_notebook(notebook)
        except KeyError:
            entry.update(ok=None, wall_s=None, executed_at=None, reused=False, headline={})
            chapters.append(entry)
            continue
        created = _as_utc(match.created)
        executed = cache.get_cache_bundle(match.pk).nb
        headline, missing = headline_metrics(glued_values(executed))
        entry.update(
            ok=True,
            error=None,
            wall_s=(match.data or {}).get("execution_seconds"),
            cpu_s=None,
            peak_memory_bytes=None,
            headline=headline,
            headline_missing=missing,
            executed_at=created.isoformat(timespec="seconds"),
            reused=since is not None and created < since,
        )
        chapters.append(entry)
    return {"source": "jupyter-cache", "started": build_started, "chapters": chapters}


def jupyter_cache_dir(book: Path | None = None) -> Path:
    """Return the book's execution cache folder.

    That is ``execute.cache`` in ``_config.yml`` when set, else ``_build/.jupyter_cache``.
    """
    import yaml

    from helpers.bench import book_dir

    book = book_dir() if book is None else book
    config = yaml.safe_load((book / "_config.yml").read_text(encoding="utf-8"))
    configured = (config.get("execute") or {}).get("cache") or ""
    return (book / configured) if configured else book / "_build" / ".jupyter_cache"


def forget_cached_execution(stem: str, cache_dir: Path) -> int:
    """Remove the notebook ``stem``'s records from jupyter-cache; return how many.

    The book's Sphinx extension calls this for the runtime appendix at the start
    of every build: its code does not change when the figures it reads do, so
    jupyter-cache would otherwise serve its old outputs.
    """
    if not cache_dir.is_dir():
        return 0
    from jupyter_cache import get_cache

    cache = get_cache(cache_dir)
    removed = 0
    for record in cache.list_cache_records():
        if Path(record.uri).stem == stem:
            cache.remove_cache(record.pk)
            removed += 1
    return removed


# --- one layout for all three --------------------------------------------------------------


def bench_as_record(results: Mapping[str, Any]) -> dict[str, Any]:
    """The benchmark's results (:func:`helpers.bench.load_results`) as a record."""
    chapters = [
        {**chapter, "executed_at": results.get("started"), "reused": False}
        for chapter in results["chapters"]
    ]
    return {**results, "source": "bench", "chapters": chapters}


def totals(chapters: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Sums over the chapters that have figures: wall and CPU time, the largest peak memory.

    A figure a source does not measure (CPU time and memory under jupyter-cache)
    gives None, not zero.
    """
    timed = [c for c in chapters if c.get("wall_s") is not None]
    cpu = [c["cpu_s"] for c in timed if c.get("cpu_s") is not None]
    memory = [c for c in timed if c.get("peak_memory_bytes")]
    peak = max(memory, key=lambda c: c["peak_memory_bytes"]) if memory else None
    return {
        "chapters": len(timed),
        "missing": [c["notebook"] for c in chapters if c.get("wall_s") is None],
        "failed": [c["notebook"] for c in chapters if c.get("ok") is False],
        "reused": [c["notebook"] for c in timed if c.get("reused")],
        "wall_s": sum(c["wall_s"] for c in timed),
        "cpu_s": sum(cpu) if len(cpu) == len(timed) and timed else None,
        "peak_memory_bytes": peak["peak_memory_bytes"] if peak else None,
        "peak_memory_notebook": peak["notebook"] if peak else None,
    }


def freshest_record(
    notebooks: Sequence[Path] | None = None,
    *,
    bench_results: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
    cache_dir: Path | None = None,
) -> dict[str, Any] | None:
    """The record the runtime appendix shows, or None when nothing has been executed.

    In this order: the cold benchmark (``bench_results``, by default read by
    :func:`helpers.bench.load_results`) when it exists; else the nbmake record
    when this runs under the nbmake plugin (``$COURSE_EXECUTION_RECORD`` is
    set); else the book's jupyter-cache (``cache_dir``, by default the book's).
    The record's ``chapters`` follow the book's table of contents
    (``notebooks``, default :func:`helpers.bench.toc_notebooks`), and
    ``totals`` sums them (:func:`totals`).
    """
    from helpers import bench

    environ = os.environ if environ is None else environ
    notebooks = bench.toc_notebooks() if notebooks is None else list(notebooks)
    if bench_results is None:
        bench_results = bench.load_results()
    if bench_results is not None:
        record = bench_as_record(bench_results)
    elif environ.get(RECORD_ENV):
        record = read_nbmake_record(Path(environ[RECORD_ENV]))
    else:
        cache_dir = jupyter_cache_dir() if cache_dir is None else cache_dir
        record = jupyter_cache_record(notebooks, cache_dir, environ.get(BUILD_STARTED_ENV))
    if record is None:
        return None
    by_name = {c["notebook"]: c for c in record["chapters"]}
    stems = [path.stem for path in notebooks]
    ordered = [by_name.get(stem, {"notebook": stem, "wall_s": None, "ok": None}) for stem in stems]
    ordered += [c for c in record["chapters"] if c["notebook"] not in stems]
    record = {**record, "chapters": ordered, "notebooks_in_book": stems}
    record["totals"] = totals(ordered)
    record["description"] = SOURCES[record["source"]]
    return record


# --- CI: execute once with nbmake, render without executing again ----------------------


def stage_book(target: Path, book_dir: Path | None = None) -> list[Path]:
    """Copy the book into ``target`` so that nbmake can execute it once and Sphinx render it.

    ``target/book`` gets the book's sources (not its ``_build``) with a real
    ``notebooks/`` folder holding copies of the notebooks its table of contents
    lists, and a ``_config.yml`` whose ``execute_notebooks`` is ``off``: the
    strict build then renders the outputs nbmake wrote into the copies
    (``--overwrite``) and executes nothing. The committed notebooks are never
    written to. Returns the copied notebooks in the book's order (the order
    nbmake must run them: the runtime appendix reads what ran before it).

    Raises:
        ValueError: if ``target`` exists and is not empty (nothing is overwritten).
    """
    import shutil

    import yaml

    from helpers import bench

    book_dir = bench.book_dir() if book_dir is None else book_dir
    if target.exists() and any(target.iterdir()):
        raise ValueError(f"{target} is not empty; delete it first (make clean removes it)")
    staged = target / "book"
    shutil.copytree(book_dir, staged, ignore=shutil.ignore_patterns("_build", "notebooks"))
    (staged / "notebooks").mkdir()
    copies = []
    for notebook in bench.toc_notebooks(book_dir):
        copy = staged / "notebooks" / notebook.name
        shutil.copyfile(notebook, copy)
        copies.append(copy)
    config_path = staged / "_config.yml"
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    config.setdefault("execute", {})["execute_notebooks"] = "off"
    config_path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return copies


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m helpers.execution_record stage DIR``: stage the book, print its notebooks."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m helpers.execution_record")
    commands = parser.add_subparsers(dest="command", required=True)
    stage = commands.add_parser("stage", help=stage_book.__doc__.splitlines()[0])
    stage.add_argument("target", type=Path)
    args = parser.parse_args(argv)
    try:
        copies = stage_book(args.target)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print("\n".join(str(path) for path in copies))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
