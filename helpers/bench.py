"""The course's benchmark: execute every chapter cold, measure it, record it.

``make bench`` (that is, ``python -m helpers.bench``) does, in order:

1. points ``$COURSE_BUILD_DIR`` (see :mod:`helpers.paths`) at a new, empty
   temporary folder, so no trained model or results cache from an earlier run
   is reused; the *data* cache (``data/cache``) stays warm, because it holds the
   downloaded data sets, not results derived from them;
2. executes every notebook listed in ``book/_toc.yml``, in the book's order, each
   in a fresh kernel in its own process, and records its wall time, CPU time
   (user + system of the kernel process), peak memory (the kernel's maximum
   resident set size) and the chapter's headline metrics (the glued values the
   chapter names in its own ``headline_metrics`` glue, see
   :func:`helpers.execution_record.headline_metrics`);
3. records the machine, the library versions and the size of the environment;
4. times ``jupyter-book build book`` twice: the first brings the book's execution
   cache up to date, the second is the "rebuild with nothing changed";
5. writes everything to ``build/bench/results.json`` (:func:`results_path`);
6. builds the book once more, so its runtime page, which every build executes
   again (``book/_ext/execution_record.py``), shows the figures just measured.

It is a benchmark, not a test: nothing here asserts a time. Use ``--only`` to
run a subset of chapters and ``--no-book`` to skip the book builds.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from helpers.environment import environment_info, library_versions, machine_info, maxrss_bytes
from helpers.execution_record import glued_values, headline_metrics, notebook_title
from helpers.execution_record import totals as execution_totals
from helpers.paths import BUILD_DIR_ENV, build_dir, read_json, repo_root, write_json

SCHEMA_VERSION = 1
"""Version of the layout of ``results.json``; :func:`load_results` checks it."""

BUDGET_COLD_BOOK_S = 360.0
"""Budget: every notebook of the book, executed cold, in under 6 minutes."""

BUDGET_REBUILD_S = 60.0
"""Budget: ``jupyter-book build book`` with nothing changed, in under a minute."""

PRETRAINED_PART = "Large pretrained models"
"""The caption, in ``book/_toc.yml``, of the part :data:`BUDGET_PRETRAINED_PART_S` is for."""

BUDGET_PRETRAINED_PART_S = 300.0
"""Budget: the notebooks of the part :data:`PRETRAINED_PART` add under 5 minutes to a cold
execution."""


def part_wall_seconds(
    chapters: Sequence[Mapping[str, Any]], notebooks: Sequence[str] | None = None
) -> float | None:
    """The summed wall time of ``notebooks`` in a record's ``chapters``.

    ``notebooks`` defaults to :func:`part_notebooks` of :data:`PRETRAINED_PART`.
    None unless every one of them is in the record, executed without error and
    not reused from an earlier build: a partial sum would look like a saving.
    """
    notebooks = part_notebooks() if notebooks is None else notebooks
    by_name = {chapter["notebook"]: chapter for chapter in chapters}
    found = [by_name.get(name) for name in notebooks]
    if any(
        c is None or not c.get("ok") or c.get("reused") or c.get("wall_s") is None for c in found
    ):
        return None
    return float(sum(c["wall_s"] for c in found))


def book_dir() -> Path:
    """The Jupyter Book's folder (``_config.yml``, ``_toc.yml``) in the checkout.

    Raises:
        helpers.paths.NotInCheckoutError: outside a checkout of the course (the
            book, and so the benchmark, exist only there).
    """
    return repo_root() / "book"


RUNTIME_PAGE = "runtime"
"""File stem of the book page that renders the results (``notebooks/runtime.ipynb``)."""


class BenchError(RuntimeError):
    """The benchmark cannot run, or its results file cannot be read."""


# --- where things are --------------------------------------------------------------------


def results_path() -> Path:
    """Return where the benchmark's results live: ``<build>/bench/results.json``."""
    return build_dir() / "bench" / "results.json"


def toc_files(toc: Mapping[str, Any]) -> list[str]:
    """Return every ``file`` entry of a Jupyter Book ``_toc.yml``, in reading order.

    Walks ``root``, then ``parts`` → ``chapters`` → ``sections`` (to any depth), or
    ``chapters`` directly when the table of contents has no parts.
    """

    def walk(entries: Iterable[Mapping[str, Any]]) -> Iterable[str]:
        for entry in entries:
            if "file" in entry:
                yield str(entry["file"])
            for key in ("parts", "chapters", "sections"):
                yield from walk(entry.get(key) or [])

    files = [str(toc["root"])] if "root" in toc else []
    return files + list(walk([toc]))


def toc_notebooks(book: Path | None = None, toc: Mapping[str, Any] | None = None) -> list[Path]:
    """Return the notebooks (``.ipynb``) the book's table of contents lists, in order.

    Entries that are prose pages (``.md``, ``.rst``) are skipped.

    Raises:
        BenchError: if an entry names no file at all (the book would not build).
    """
    book = book_dir() if book is None else book
    toc = _read_toc(book) if toc is None else toc
    notebooks = []
    for entry in toc_files(toc):
        base = book / entry
        candidates = [base] if base.suffix else [base.with_name(base.name + s) for s in _SUFFIXES]
        found = [path for path in candidates if path.is_file()]
        if not found:
            raise BenchError(
                f"book/_toc.yml lists {entry!r} but no file {base}(.ipynb|.md|.rst) exists; "
                "fix the table of contents"
            )
        if found[0].suffix == ".ipynb":
            notebooks.append(found[0])
    return notebooks


_SUFFIXES = (".ipynb", ".md", ".rst")


def _read_toc(book: Path) -> dict[str, Any]:
    import yaml

    return yaml.safe_load((book / "_toc.yml").read_text(encoding="utf-8"))


def part_notebooks(
    caption: str = PRETRAINED_PART, toc: Mapping[str, Any] | None = None
) -> list[str]:
    """The names (stems) of the entries of the book's part ``caption``, in reading order.

    The table of contents (``book/_toc.yml`` unless ``toc`` is given) is the one
    place that says which chapters a part holds.

    Raises:
        BenchError: no part of the table of contents has that caption.
    """
    toc = _read_toc(book_dir()) if toc is None else toc
    for part in toc.get("parts") or []:
        if part.get("caption") == caption:
            return [Path(entry).name for entry in toc_files(part)]
    captions = [part.get("caption") for part in toc.get("parts") or []]
    raise BenchError(f"book/_toc.yml has no part {caption!r}; its parts are {captions}")


def select_notebooks(notebooks: Sequence[Path], only: Sequence[str] | None) -> list[Path]:
    """Keep the notebooks whose file stem starts with one of ``only`` (all when empty).

    Raises:
        BenchError: if a prefix in ``only`` matches no notebook.
    """
    if not only:
        return list(notebooks)
    unmatched = [p for p in only if not any(nb.stem.startswith(p) for nb in notebooks)]
    if unmatched:
        names = ", ".join(nb.stem for nb in notebooks)
        raise BenchError(f"--only {unmatched} matches no notebook in the book; they are: {names}")
    return [nb for nb in notebooks if any(nb.stem.startswith(p) for p in only)]


# --- executing one notebook ------------------------------------------------------------------


def _cell_timeout() -> int:
    """The per-cell timeout of the book's build (``execute.timeout`` in ``_config.yml``)."""
    import yaml

    config = yaml.safe_load((book_dir() / "_config.yml").read_text(encoding="utf-8"))
    return int((config.get("execute") or {}).get("timeout", 600))


def execute_in_this_process(notebook: Path, timeout: int) -> dict[str, Any]:
    """Execute ``notebook`` in a fresh kernel and measure it (the child side of the benchmark).

    Call this in a process that has started no other children: CPU time and peak
    memory are read from ``getrusage(RUSAGE_CHILDREN)`` after the kernel has exited
    and been reaped, so they are the kernel's own.
    """
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(notebook, as_version=4)
    kernel = nb.metadata.get("kernelspec", {}).get("name", "python3")
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name=kernel,
        resources={"metadata": {"path": str(notebook.parent)}},
    )
    error = None
    start = time.perf_counter()
    try:
        client.execute()
    except Exception as exc:  # any failure is recorded and reported, not raised
        error = f"{type(exc).__name__}: {exc}"[-4000:]
    wall = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    found, missing = headline_metrics(glued_values(nb))
    return {
        "notebook": notebook.stem,
        "title": notebook_title(nb),
        "ok": error is None,
        "error": error,
        "wall_s": wall,
        "cpu_user_s": usage.ru_utime,
        "cpu_system_s": usage.ru_stime,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "peak_memory_bytes": maxrss_bytes(usage.ru_maxrss),
        "headline": found,
        "headline_missing": missing,
    }


def execute_cold(notebook: Path, cold_build_dir: Path, timeout: int, log: Path) -> dict[str, Any]:
    """Execute ``notebook`` in a new process with ``$COURSE_BUILD_DIR`` at ``cold_build_dir``."""
    output = log.with_suffix(".json")
    env = {**os.environ, BUILD_DIR_ENV: str(cold_build_dir)}
    command = [sys.executable, "-m", "helpers.bench", "--execute-one", str(notebook)]
    command += ["--output", str(output), "--timeout", str(timeout)]
    with log.open("w", encoding="utf-8") as sink:
        done = subprocess.run(command, env=env, stdout=sink, stderr=subprocess.STDOUT, check=False)
    if done.returncode != 0 or not output.is_file():
        tail = log.read_text(encoding="utf-8", errors="replace")[-2000:]
        raise BenchError(f"the benchmark's runner crashed on {notebook.name}:\n{tail}")
    return json.loads(output.read_text(encoding="utf-8"))


# --- the whole run ------------------------------------------------------------------------------


def _jupyter_book() -> str:
    beside = Path(sys.executable).parent / "jupyter-book"
    return str(beside) if beside.is_file() else "jupyter-book"


def time_book_build(log: Path) -> float:
    """Run ``jupyter-book build book`` (as ``make book`` does) and return its wall time."""
    start = time.perf_counter()
    with log.open("w", encoding="utf-8") as sink:
        done = subprocess.run(
            [_jupyter_book(), "build", str(book_dir())],
            cwd=repo_root(),
            stdout=sink,
            stderr=subprocess.STDOUT,
            check=False,
        )
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
        raise BenchError(f"jupyter-book build failed (full log: {log}):\n{tail}")
    return seconds


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_ENVIRONMENT = re.compile(r"updating environment: (.*)")


def rebuild_changes(log_text: str, always_executed: str = RUNTIME_PAGE) -> str | None:
    """Say what a ``jupyter-book build`` log shows had changed, or None if nothing had.

    Nothing changed when Sphinx reports no added or removed document, at most
    one changed document and no configuration change, and no notebook but
    ``always_executed`` was executed: the book's extension
    (``book/_ext/execution_record.py``) re-executes the runtime page in every
    build on purpose, so that page is part of every rebuild. Anything else
    (another process edited the book during the benchmark, say) is described in
    words.
    """
    text = _ANSI.sub("", log_text)
    reasons = []
    line = _ENVIRONMENT.search(text)
    if line is None:
        reasons.append("the log has no 'updating environment' line")
    else:
        counts = _COUNTS.fullmatch(line.group(1).strip())
        if counts is None:
            reasons.append(f"Sphinx saw changes: {line.group(1).strip()}")
        elif int(counts["added"]) or int(counts["removed"]) or int(counts["changed"]) > 1:
            reasons.append(f"Sphinx saw changes: {line.group(1).strip()}")
    executed = [
        row
        for row in text.splitlines()
        if "Executing notebook" in row and always_executed not in row
    ]
    if executed:
        reasons.append(f"{len(executed)} notebook(s) executed")
    return "; ".join(reasons) or None


_COUNTS = re.compile(r"(?P<added>\d+) added, (?P<changed>\d+) changed, (?P<removed>\d+) removed")


REBUILD_ATTEMPTS = 3
"""How many times the benchmark times the rebuild before it gives up on a clean one."""


def time_rebuild(logs: Path) -> dict[str, Any]:
    """Time ``jupyter-book build book`` with nothing changed since the previous build.

    If the log shows that something had changed after all (on a shared machine,
    someone may edit the book meanwhile), the build is timed again, up to
    :data:`REBUILD_ATTEMPTS` times. Returns the seconds, the attempts, and
    ``changes`` (None for a clean measurement, else what had changed).
    """
    for attempt in range(1, REBUILD_ATTEMPTS + 1):
        log = logs / f"book-build-2-attempt{attempt}.log"
        seconds = time_book_build(log)
        changes = rebuild_changes(log.read_text(encoding="utf-8", errors="replace"))
        if changes is None:
            break
        print(f"  {seconds:.1f} s, but not a clean rebuild ({changes}); timing it again")
    return {"rebuild_s": seconds, "rebuild_attempts": attempt, "rebuild_changes": changes}


def write_results(results: Mapping[str, Any], path: Path | None = None) -> Path:
    """Write ``results`` as JSON to ``path`` (default :func:`results_path`), atomically."""
    return write_json(results_path() if path is None else path, results)


def load_results(path: Path | None = None) -> dict[str, Any] | None:
    """Read the benchmark's results (default :func:`results_path`); None if there are none.

    Raises:
        BenchError: if the file exists but is not valid results (says how to fix it).
    """
    path = results_path() if path is None else path
    fix = "delete it and run `make bench` again"
    try:
        results = read_json(path, fix)
    except ValueError as exc:
        raise BenchError(str(exc)) from exc
    if results is None:
        return None
    if not isinstance(results, dict) or results.get("schema_version") != SCHEMA_VERSION:
        found = results.get("schema_version") if isinstance(results, dict) else type(results)
        raise BenchError(
            f"{path} has schema version {found!r}, this code reads {SCHEMA_VERSION}; {fix}"
        )
    missing = {"chapters", "totals", "machine", "versions"} - results.keys()
    if missing:
        raise BenchError(f"{path} lacks {sorted(missing)}; {fix}")
    return results


def _mb(size: float) -> str:
    return f"{size / 1e6:,.0f} MB"


def run(only: Sequence[str] | None = None, build_book: bool = True) -> int:
    """Run the benchmark (see the module's docstring); return the process exit status."""
    all_notebooks = toc_notebooks()
    notebooks = select_notebooks(all_notebooks, only)
    timeout = _cell_timeout()
    bench_dir = results_path().parent
    logs = bench_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    started = datetime.now(UTC).isoformat(timespec="seconds")
    machine = machine_info()
    load = machine["load_average_1min"]
    load = "unknown" if load is None else f"{load:.1f}"
    print(f"Benchmark: {len(notebooks)} notebooks, executed cold (1-min load average: {load})")
    chapters = []
    with tempfile.TemporaryDirectory(prefix="course-bench-build-") as cold:
        print(f"  ${BUILD_DIR_ENV} = {cold} (empty); data cache stays warm")
        for index, notebook in enumerate(notebooks, 1):
            print(f"  [{index}/{len(notebooks)}] {notebook.stem} ...", end="", flush=True)
            record = execute_cold(notebook, Path(cold), timeout, logs / f"{notebook.stem}.log")
            chapters.append(record)
            status = "ok" if record["ok"] else "FAILED"
            print(
                f" {status} {record['wall_s']:.1f} s wall, {record['cpu_s']:.1f} s CPU, "
                f"{_mb(record['peak_memory_bytes'])}"
            )
            if record["headline_missing"]:
                print(f"      headline metrics not glued: {record['headline_missing']}")
    if not chapters:
        raise BenchError("no chapters were measured")
    totals = execution_totals(chapters)
    results: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "started": started,
        "complete": len(notebooks) == len(all_notebooks),
        "notebooks_in_book": [nb.stem for nb in all_notebooks],
        "machine": machine,
        "versions": library_versions(),
        "environment": environment_info(),
        "budgets": {
            "cold_book_s": BUDGET_COLD_BOOK_S,
            "rebuild_s": BUDGET_REBUILD_S,
            "pretrained_part_s": BUDGET_PRETRAINED_PART_S,
        },
        "cell_timeout_s": timeout,
        "chapters": chapters,
        "totals": totals,
        "book": None,
    }
    print(f"Cold execution: {totals['wall_s']:.1f} s in all (budget {BUDGET_COLD_BOOK_S:.0f} s)")
    part = part_wall_seconds(chapters)
    if part is not None:
        names = ", ".join(part_notebooks())
        print(f"  of which {names}: {part:.1f} s (budget {BUDGET_PRETRAINED_PART_S:.0f} s)")
    path = write_results(results)
    print(f"Wrote {path}")
    if totals["failed"]:
        print(f"FAILED notebooks (logs in {logs}): {', '.join(totals['failed'])}")
        print("Not building the book: it would fail on the same notebooks.")
        return 1
    if build_book:
        print("Timing `jupyter-book build book` (first: bring its execution cache up to date)")
        first = time_book_build(logs / "book-build-1.log")
        print(f"  {first:.1f} s; again, with nothing changed ...")
        rebuild = time_rebuild(logs)
        print(f"  {rebuild['rebuild_s']:.1f} s (budget {BUDGET_REBUILD_S:.0f} s)")
        results["book"] = {"first_build_s": first, **rebuild}
        write_results(results)
        print("Rebuilding the book so its runtime page shows these figures")
        time_book_build(logs / "book-build-3.log")
        print(f"The book is at {book_dir() / '_build' / 'html' / 'index.html'}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m helpers.bench [--only PREFIX ...] [--no-book]``."""
    parser = argparse.ArgumentParser(prog="python -m helpers.bench", description=__doc__)
    parser.add_argument("--only", nargs="+", metavar="PREFIX", help="chapters to run, by prefix")
    parser.add_argument("--no-book", action="store_true", help="skip the jupyter-book builds")
    parser.add_argument(
        "--throughput",
        action="store_true",
        help="only measure the LSTM's and the encoder's training throughput (build/bench/)",
    )
    parser.add_argument(
        "--cli",
        action="store_true",
        help="only time the sentiment command's first answer (build/bench/cli.json)",
    )
    parser.add_argument("--execute-one", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--output", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--timeout", type=int, default=600, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        if args.execute_one is not None:
            record = execute_in_this_process(args.execute_one.resolve(), args.timeout)
            args.output.write_text(json.dumps(record, indent=2), encoding="utf-8")
            return 0
        if args.cli or args.throughput:
            from helpers import throughput

            try:
                if args.cli:
                    measured = throughput.cli_first_answer()
                else:
                    measured = throughput.sentiment_throughput()
                    measured["fine_tune"] = throughput.fine_tune_throughput()
            except RuntimeError as err:
                raise BenchError(str(err)) from err
            write_json(
                build_dir() / "bench" / ("cli.json" if args.cli else "throughput.json"), measured
            )
            print(json.dumps(measured, indent=2))
            return 0
        return run(only=args.only, build_book=not args.no_book)
    except BenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
