"""Tests of helpers.bench: the benchmark's pure parts, its results file and one real run.

No test here asserts a time: the benchmark measures, it does not judge.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from helpers import bench
from helpers.bench import BenchError

TOC = {
    "format": "jb-book",
    "root": "intro",
    "parts": [
        {"caption": "A", "chapters": [{"file": "notebooks/one"}, {"file": "notebooks/two"}]},
        {
            "caption": "Appendices",
            "chapters": [
                {"file": "notebooks/three", "sections": [{"file": "notebooks/four"}]},
                {"file": "references"},
            ],
        },
    ],
}


def test_toc_files_walks_parts_chapters_and_sections_in_order() -> None:
    assert bench.toc_files(TOC) == [
        "intro",
        "notebooks/one",
        "notebooks/two",
        "notebooks/three",
        "notebooks/four",
        "references",
    ]


def test_toc_files_without_parts() -> None:
    toc = {"root": "index", "chapters": [{"file": "a"}, {"file": "b"}]}
    assert bench.toc_files(toc) == ["index", "a", "b"]


def _book(tmp_path: Path) -> Path:
    (tmp_path / "notebooks").mkdir()
    for name in ["one", "two", "three", "four"]:
        nbformat.write(nbformat.v4.new_notebook(), tmp_path / "notebooks" / f"{name}.ipynb")
    (tmp_path / "intro.md").write_text("# Intro\n")
    (tmp_path / "references.md").write_text("# References\n")
    return tmp_path


def test_toc_notebooks_keeps_notebooks_and_skips_prose(tmp_path: Path) -> None:
    book = _book(tmp_path)
    found = bench.toc_notebooks(book, TOC)
    assert [p.stem for p in found] == ["one", "two", "three", "four"]
    assert all(p.suffix == ".ipynb" for p in found)


def test_toc_notebooks_names_a_missing_entry(tmp_path: Path) -> None:
    book = _book(tmp_path)
    toc = {"root": "intro", "chapters": [{"file": "notebooks/ghost"}]}
    with pytest.raises(BenchError, match="notebooks/ghost"):
        bench.toc_notebooks(book, toc)


def test_the_real_book_lists_notebooks_that_exist() -> None:
    notebooks = bench.toc_notebooks()
    assert notebooks, "book/_toc.yml lists no notebook"
    assert all(p.is_file() for p in notebooks)


def test_select_notebooks_by_prefix() -> None:
    notebooks = [Path(f"{n}.ipynb") for n in ["ch01_a", "ch02_b", "ch10_c", "runtime"]]
    assert bench.select_notebooks(notebooks, None) == notebooks
    assert [p.stem for p in bench.select_notebooks(notebooks, ["ch0", "run"])] == [
        "ch01_a",
        "ch02_b",
        "runtime",
    ]
    with pytest.raises(BenchError, match="ch99"):
        bench.select_notebooks(notebooks, ["ch01", "ch99"])


def test_notebook_title_is_the_first_level_one_heading() -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("# a comment, not a heading"),
        nbformat.v4.new_markdown_cell("Some text\n## Not this\n# The title\n"),
    ]
    assert bench.notebook_title(nb) == "The title"
    assert bench.notebook_title(nbformat.v4.new_notebook()) is None


def _glue_output(name: str, text: str, prefix: str = "application/papermill.record/") -> dict:
    return {
        "output_type": "display_data",
        "metadata": {"scrapbook": {"name": name, "mime_prefix": prefix}},
        "data": {f"{prefix}text/plain": text},
    }


def test_glued_values_reads_myst_nb_glue_outputs() -> None:
    cell = nbformat.v4.new_code_cell("glue(...)")
    cell.outputs = [
        _glue_output("accuracy", "0.875"),
        _glue_output("count", "12"),
        _glue_output("shown", "'hello'", prefix=""),
        _glue_output("fig", "<Figure size 640x480 with 1 Axes>"),
        _glue_output("numpy", "np.float64(0.25)"),
        _glue_output("numpy_int", "np.int64(7)"),
        {"output_type": "stream", "name": "stdout", "text": "0.5\n"},
        {"output_type": "display_data", "metadata": {}, "data": {"text/plain": "3"}},
    ]
    nb = nbformat.v4.new_notebook()
    nb.cells = [cell]
    assert bench.glued_values(nb) == {
        "accuracy": 0.875,
        "count": 12,
        "shown": "hello",
        "fig": "<Figure size 640x480 with 1 Axes>",
        "numpy": 0.25,
        "numpy_int": 7,
    }


def test_headline_metrics_are_the_ones_the_chapter_names() -> None:
    glued = {"headline_metrics": ["accuracy", "f1"], "accuracy": 0.9, "other": 1}
    assert bench.headline_metrics(glued) == ({"accuracy": 0.9}, ["f1"])
    assert bench.headline_metrics({"accuracy": 0.9}) == ({}, [])


def test_every_chapter_names_headline_metrics_it_glues() -> None:
    """Each chapter that declares headline metrics glues a value under each name."""
    import re

    for script in sorted((bench.repo_root() / "notebooks").glob("*.py")):
        text = script.read_text(encoding="utf-8")
        declared = re.search(r'glue\(\s*"headline_metrics",\s*\[([^\]]*)\]', text)
        if declared is None:
            continue
        names = re.findall(r'"([^"]+)"', declared.group(1))
        assert names, f"{script.name} declares an empty list of headline metrics"
        for name in names:
            assert re.search(rf'glue\(\s*"{re.escape(name)}"', text), (
                f"{script.name} names {name!r} as a headline metric but never glues it"
            )


def _chapter(name: str, wall: float, cpu: float, peak: int, ok: bool = True) -> dict:
    return {"notebook": name, "ok": ok, "wall_s": wall, "cpu_s": cpu, "peak_memory_bytes": peak}


def _results() -> dict:
    chapters = [_chapter("a", 1.0, 1.0, 1)]
    return {
        "schema_version": bench.SCHEMA_VERSION,
        "chapters": chapters,
        "totals": {"wall_s": 1.0},
        "machine": {},
        "versions": {},
    }


def test_results_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "bench" / "results.json"
    assert bench.load_results(path) is None
    bench.write_results(_results(), path)
    assert bench.load_results(path) == _results()
    assert not list(path.parent.glob("*.tmp")), "the scratch file must be gone"


def test_results_path_follows_the_build_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("COURSE_BUILD_DIR", str(tmp_path))
    assert bench.results_path() == tmp_path / "bench" / "results.json"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        (json.dumps({"schema_version": 999}), "schema version 999"),
        (json.dumps([1, 2]), "schema version"),
        (json.dumps({"schema_version": bench.SCHEMA_VERSION, "chapters": []}), "lacks"),
    ],
)
def test_bad_results_file_gets_a_clear_error(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "results.json"
    path.write_text(content)
    with pytest.raises(BenchError, match=message) as error:
        bench.load_results(path)
    assert "make bench" in str(error.value)


CLEAN_LOG = (
    "\x1b[01mbuilding [html]: \x1b[39;49;00mtargets for 0 source files that are out of date\n"
    "\x1b[01mupdating environment: \x1b[39;49;00m0 added, 0 changed, 0 removed\n"
)


def test_rebuild_changes_accepts_a_clean_rebuild() -> None:
    assert bench.rebuild_changes(CLEAN_LOG) is None


def test_rebuild_changes_accepts_the_runtime_page_executed_again() -> None:
    log = (
        "updating environment: 0 added, 1 changed, 0 removed\n"
        "book/notebooks/runtime.ipynb: Executing notebook using local CWD [mystnb]\n"
    )
    assert bench.rebuild_changes(log) is None


@pytest.mark.parametrize(
    ("log", "expected"),
    [
        (
            "updating environment: [config changed ('exclude_patterns')] 18 added, 3 changed\n",
            "config changed",
        ),
        (
            CLEAN_LOG + "book/notebooks/ch08.ipynb: Executing notebook using local CWD [mystnb]\n",
            "1 notebook(s) executed",
        ),
        ("Running Sphinx v7\n", "no 'updating environment' line"),
        ("updating environment: 0 added, 2 changed, 0 removed\n", "2 changed"),
    ],
)
def test_rebuild_changes_names_what_changed(log: str, expected: str) -> None:
    changes = bench.rebuild_changes(log)
    assert changes is not None and expected in changes


# --- one real execution: a fresh kernel, the cold build folder, glue, usage ------------------


def _write_notebook(path: Path, code: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [nbformat.v4.new_markdown_cell("# A tiny chapter"), nbformat.v4.new_code_cell(code)]
    nbformat.write(nb, path)
    return path


def test_execute_cold_measures_a_notebook_in_a_fresh_kernel(tmp_path: Path) -> None:
    stem, names = "tiny_chapter", ["accuracy", "f1"]
    code = (
        "from myst_nb import glue\n"
        f"glue('headline_metrics', {names!r}, display=False)\n"
        f"glue({names[0]!r}, 0.5, display=False)\n"
        "glue('not_a_headline', 7, display=False)\n"
        "block = bytearray(200 * 2**20)\n"
    )
    notebook = _write_notebook(tmp_path / f"{stem}.ipynb", code)
    record = bench.execute_cold(notebook, tmp_path / "cold", timeout=300, log=tmp_path / "t.log")
    assert record["ok"], record["error"]
    assert record["notebook"] == stem
    assert record["title"] == "A tiny chapter"
    assert record["headline"] == {names[0]: 0.5}
    assert record["headline_missing"] == list(names[1:])
    assert record["cpu_s"] > 0
    assert record["peak_memory_bytes"] > 200 * 2**20, "the kernel held a 200 MB block"
    assert bench.glued_values(nbformat.read(notebook, as_version=4)) == {}, (
        "the notebook on disk must not be modified"
    )


def test_execute_cold_sets_the_build_dir_and_records_failures(tmp_path: Path) -> None:
    code = (
        "from helpers.paths import BUILD_DIR\n"
        f"assert str(BUILD_DIR) == {str(tmp_path / 'cold')!r}, BUILD_DIR\n"
        "raise ValueError('this chapter is broken')\n"
    )
    notebook = _write_notebook(tmp_path / "broken.ipynb", code)
    record = bench.execute_cold(notebook, tmp_path / "cold", timeout=300, log=tmp_path / "b.log")
    assert not record["ok"]
    assert "this chapter is broken" in record["error"]
    assert "AssertionError" not in record["error"]


def test_part_wall_seconds_sums_only_a_complete_fresh_part() -> None:
    def chapter(name: str, wall: float | None, **more: object) -> dict:
        return {"notebook": name, "ok": True, "reused": False, "wall_s": wall, **more}

    both = [
        chapter("ch08", 100.0),
        chapter("ch08a_attention", 40.0),
        chapter("ch08b_pretrained", 400.0),
    ]
    assert bench.part_wall_seconds(both) == 440.0
    assert bench.part_wall_seconds(both[:2]) is None  # one missing
    for flaw in ({"ok": False}, {"reused": True}, {"wall_s": None}):
        flawed = [*both[:2], {**both[2], **flaw}]
        assert bench.part_wall_seconds(flawed) is None, flaw
    assert bench.part_wall_seconds(both, notebooks=("ch08",)) == 100.0


def test_part_notebooks_reads_the_part_from_the_table_of_contents() -> None:
    assert bench.part_notebooks() == ["ch08a_attention", "ch08b_pretrained"]
    toc = {
        "root": "intro",
        "parts": [
            {
                "caption": "P",
                "chapters": [{"file": "notebooks/a", "sections": [{"file": "notebooks/b"}]}],
            }
        ],
    }
    assert bench.part_notebooks("P", toc) == ["a", "b"]
    with pytest.raises(BenchError, match="no part 'Q'.*'P'"):
        bench.part_notebooks("Q", toc)
