"""Tests of helpers.execution_record: the records of what executing each notebook cost.

No test here asserts a time: the records measure, they do not judge.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

from helpers import bench, execution_record
from helpers.execution_record import (
    BUILD_STARTED_ENV,
    RECORD_ENV,
    bench_as_record,
    forget_cached_execution,
    freshest_record,
    jupyter_cache_record,
    read_nbmake_record,
    stage_book,
    totals,
)


def _notebook(path: Path, title: str, code: str = "x = 1") -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [nbformat.v4.new_markdown_cell(f"# {title}"), nbformat.v4.new_code_cell(code)]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def _book(root: Path) -> Path:
    """A tiny book: two notebooks behind a ``notebooks`` link, as the real book has."""
    _notebook(root / "notebooks" / "one.ipynb", "One")
    _notebook(root / "notebooks" / "runtime.ipynb", "Runtime")
    book = root / "book"
    book.mkdir()
    (book / "notebooks").symlink_to("../notebooks")
    (book / "intro.md").write_text("# Intro\n", encoding="utf-8")
    toc = {
        "format": "jb-book",
        "root": "intro",
        "chapters": [{"file": "notebooks/one"}, {"file": "notebooks/runtime"}],
    }
    (book / "_toc.yml").write_text(yaml.safe_dump(toc), encoding="utf-8")
    config = {"title": "t", "execute": {"execute_notebooks": "cache"}}
    (book / "_config.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    (book / "_build" / "html").mkdir(parents=True)
    return book


def test_totals_sum_what_was_measured_and_say_what_was_not() -> None:
    chapters = [
        {"notebook": "a", "ok": True, "wall_s": 2.0, "cpu_s": 3.0, "peak_memory_bytes": 10},
        {"notebook": "b", "ok": False, "wall_s": 1.0, "cpu_s": 1.0, "peak_memory_bytes": 30},
        {"notebook": "c", "ok": None, "wall_s": None},
    ]
    summed = totals(chapters)
    assert summed["wall_s"] == 3.0 and summed["cpu_s"] == 4.0
    assert summed["peak_memory_bytes"] == 30 and summed["peak_memory_notebook"] == "b"
    assert summed["missing"] == ["c"] and summed["failed"] == ["b"] and summed["chapters"] == 2


def test_totals_give_none_for_figures_a_source_does_not_measure() -> None:
    chapters = [{"notebook": "a", "ok": True, "wall_s": 2.0, "cpu_s": None, "reused": True}]
    summed = totals(chapters)
    assert summed["cpu_s"] is None and summed["peak_memory_bytes"] is None
    assert summed["reused"] == ["a"]


def test_the_benchmark_comes_first(tmp_path: Path) -> None:
    results = {"started": "2026-01-01T00:00:00+00:00", "chapters": [{"notebook": "one"}]}
    results["chapters"][0].update(ok=True, wall_s=5.0, cpu_s=4.0, peak_memory_bytes=1)
    nbmake = tmp_path / "nbmake.json"
    nbmake.write_text(json.dumps({"source": "nbmake", "chapters": []}), encoding="utf-8")
    notebooks = [tmp_path / "one.ipynb", tmp_path / "two.ipynb"]
    record = freshest_record(notebooks, bench_results=results, environ={RECORD_ENV: str(nbmake)})
    assert record["source"] == "bench"
    assert [c["notebook"] for c in record["chapters"]] == ["one", "two"]
    assert record["chapters"][1]["wall_s"] is None  # in the book, not measured
    assert record["totals"]["missing"] == ["two"]
    assert bench_as_record(results)["chapters"][0]["executed_at"] == results["started"]


def test_under_nbmake_the_build_record_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bench, "load_results", lambda: None)  # no benchmark on this machine
    nbmake = tmp_path / "nbmake.json"
    chapter = {"notebook": "one", "ok": True, "wall_s": 1.5, "cpu_s": 1.0}
    nbmake.write_text(json.dumps({"source": "nbmake", "chapters": [chapter]}), encoding="utf-8")
    record = freshest_record(
        [tmp_path / "one.ipynb"], bench_results=None, environ={RECORD_ENV: str(nbmake)}
    )
    assert record["source"] == "nbmake" and record["totals"]["wall_s"] == 1.5
    assert "nbmake" in record["description"]


def test_no_record_at_all_gives_none(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bench, "load_results", lambda: None)
    record = freshest_record([tmp_path / "one.ipynb"], environ={}, cache_dir=tmp_path / "none")
    assert record is None


def test_a_broken_nbmake_record_says_how_to_fix_it(tmp_path: Path) -> None:
    path = tmp_path / "nbmake.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError, match="delete it"):
        read_nbmake_record(path)
    path.write_text(json.dumps({"source": "other"}), encoding="utf-8")
    with pytest.raises(ValueError, match="not an nbmake execution record"):
        read_nbmake_record(path)
    assert read_nbmake_record(tmp_path / "absent.json") is None


def test_jupyter_cache_gives_the_execution_that_produced_the_outputs(tmp_path: Path) -> None:
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    one = _notebook(tmp_path / "one.ipynb", "One")
    two = _notebook(tmp_path / "two.ipynb", "Two", code="y = 2")
    cache_dir = tmp_path / "cache"
    cache = get_cache(cache_dir)
    executed = nbformat.read(one, as_version=4)
    cache.cache_notebook_bundle(
        CacheBundleIn(executed, str(one), data={"execution_seconds": 4.5}), check_validity=False
    )
    record = jupyter_cache_record([one, two], cache_dir, build_started="2999-01-01T00:00:00")
    first, second = record["chapters"]
    assert first["wall_s"] == 4.5 and first["ok"] is True and first["title"] == "One"
    assert first["reused"] is True  # made before a build that started later
    assert second["ok"] is None and second["wall_s"] is None  # no execution of its code
    fresh = jupyter_cache_record([one], cache_dir, build_started="2000-01-01T00:00:00")
    assert fresh["chapters"][0]["reused"] is False
    assert jupyter_cache_record([one], tmp_path / "absent") is None
    assert forget_cached_execution("one", cache_dir) == 1
    assert jupyter_cache_record([one], cache_dir)["chapters"][0]["ok"] is None


def test_stage_book_copies_the_notebooks_and_turns_execution_off(tmp_path: Path) -> None:
    book = _book(tmp_path / "repo")
    copies = stage_book(tmp_path / "staged", book)
    staged = tmp_path / "staged" / "book"
    assert [p.name for p in copies] == ["one.ipynb", "runtime.ipynb"]
    assert all(p.parent == staged / "notebooks" and not p.is_symlink() for p in copies)
    assert not (staged / "_build").exists()
    config = yaml.safe_load((staged / "_config.yml").read_text(encoding="utf-8"))
    assert config["execute"]["execute_notebooks"] == "off"
    copies[0].write_text("changed", encoding="utf-8")  # the committed notebook stays as it was
    assert nbformat.read(tmp_path / "repo" / "notebooks" / "one.ipynb", as_version=4).cells
    with pytest.raises(ValueError, match="not empty"):
        stage_book(tmp_path / "staged", book)


def test_the_runtime_page_is_read_after_every_other_notebook() -> None:
    """Sphinx reads documents in sorted order; the runtime page must come last."""
    docnames = [f"notebooks/{path.stem}" for path in bench.toc_notebooks()]
    runtime = f"notebooks/{bench.RUNTIME_PAGE}"
    assert runtime in docnames
    assert sorted(docnames)[-1] == runtime, (
        "rename the notebook so it sorts before the runtime page"
    )


def test_the_nbmake_plugin_measures_each_notebook(tmp_path: Path) -> None:
    notebook = _notebook(
        tmp_path / "nb" / "demo.ipynb",
        "Demo",
        code=(
            "import os\nfrom myst_nb import glue\n"
            "glue('answer', 42, display=False)\n"
            f"assert os.environ['{RECORD_ENV}'].endswith('nbmake.json')"
        ),
    )
    env = {**os.environ, "COURSE_BUILD_DIR": str(tmp_path / "build")}
    env.pop(RECORD_ENV, None)
    env.pop(BUILD_STARTED_ENV, None)
    command = [sys.executable, "-m", "pytest", "-p", "helpers.execution_record", "--nbmake"]
    command += ["--overwrite", "-q", "-p", "no:cacheprovider", str(notebook)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    record = read_nbmake_record(tmp_path / "build" / "execution" / "nbmake.json")
    (chapter,) = record["chapters"]
    assert chapter["notebook"] == "demo" and chapter["title"] == "Demo" and chapter["ok"]
    assert chapter["wall_s"] > 0 and chapter["cpu_s"] > 0 and chapter["peak_memory_bytes"] > 0
    assert execution_record.SOURCES[record["source"]]
