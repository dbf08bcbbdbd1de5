"""A chapter run in JupyterLab the way a learner runs it, in headless Chromium.

The test starts JupyterLab exactly as ``make lab`` does (``python -m helpers.lab``:
127.0.0.1, a free port, a random token, nothing fetched), with this test
environment's Python, on a scratch copy of ``notebooks/`` and ``jupytext.toml`` in
a temporary folder (Jupyter's runtime, settings and workspace folders there too).
It reads the port and token from the server's ``jpserver-<pid>.json``. In the
browser it opens a short chapter, answers the kernel dialog if one appears, runs
*Run → Run All Cells*, waits until the kernel is idle with no cell queued, checks
that every code cell ran and none shows an error, adds a cell, saves with
Ctrl+S, and checks that jupytext rewrote the paired ``.py`` with it. A second
test runs a notebook whose second cell raises, so the checks are seen to fail
when a cell fails. The server is stopped by its process id (SIGTERM, which shuts
its kernels down), and no process it started may outlive it.

Needs Chromium and Playwright like the other browser tests, and JupyterLab and
jupytext (the ``[test]`` extra); without them it skips, or fails under ``CI=true``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from browser_support import REPO_ROOT, unavailable

pytestmark = pytest.mark.browser

CHAPTER = "ch13_faq"
"""A short chapter (a few seconds of computing) that uses the data, plots and glue."""

START_TIMEOUT_S = 120
RUN_TIMEOUT_S = 300

# Every code cell of the open notebook: its prompt ("[3]:", "[*]:" while queued or
# running, "[ ]:" never run) and the tracebacks its outputs show (JupyterLab renders
# an error like stderr; IPython's traceback names the cell: "Cell In[3], line 1").
# textContent, not innerText: JupyterLab does not render cells scrolled out of view.
_CELLS_JS = """
() => {
  const panel = [...document.querySelectorAll('.jp-NotebookPanel')]
    .find(p => !p.classList.contains('lm-mod-hidden'));
  if (!panel) return null;
  const cells = [...panel.querySelectorAll('.jp-Notebook .jp-CodeCell')];
  const kernel = [...document.querySelectorAll('.jp-StatusBar-TextItem')]
    .map(e => e.textContent.trim()).find(t => t.includes(' | ')) || '';
  return {
    kernel,
    dialog: !!document.querySelector('.jp-Dialog'),
    prompts: cells.map(c => (c.querySelector('.jp-InputPrompt') || {}).textContent || ''),
    tracebacks: cells.map(c => [...c.querySelectorAll('.jp-OutputArea-output')]
      .map(o => o.textContent)
      .filter(t => /Traceback \\(most recent call last\\)|Cell In\\[\\d+\\], line \\d+/.test(t))
      .map(t => t.slice(0, 400))),
  };
}
"""


@dataclass
class LabServer:
    """A running JupyterLab: what the test needs to reach it and to stop it."""

    process: subprocess.Popen
    root: Path
    url: str
    token: str
    log: Path
    offsite: list[str] = field(default_factory=list)

    def log_tail(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-3000:]


@dataclass
class LabRun:
    """What the browser showed after *Run All Cells*, and the saved files."""

    prompts: list[str]
    tracebacks: dict[int, list[str]]
    saved: dict[str, Any]  # the .ipynb as JupyterLab saved it
    script: str  # the paired .py after the save
    marker: str  # the text of the cell the test added before saving

    @property
    def not_run(self) -> list[int]:
        return [i for i, prompt in enumerate(self.prompts) if not re.search(r"\[\d+\]", prompt)]


# --------------------------------------------------------------------------- the server


def _scratch_course(root: Path) -> None:
    """A scratch copy of what JupyterLab serves: notebooks/ and jupytext.toml."""
    shutil.copytree(
        REPO_ROOT / "notebooks",
        root / "notebooks",
        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"),
    )
    shutil.copy2(REPO_ROOT / "jupytext.toml", root / "jupytext.toml")
    # the notebook of the second test: its second cell raises
    import jupytext
    import nbformat

    failing = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# A chapter that fails"),
            nbformat.v4.new_code_cell('print("before")'),
            nbformat.v4.new_code_cell('raise ValueError("raised on purpose")'),
            nbformat.v4.new_code_cell('print("after")'),
        ],
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
    )
    jupytext.write(failing, root / "notebooks" / "zz_raises.py", fmt="py:percent")
    jupytext.write(failing, root / "notebooks" / "zz_raises.ipynb")


def _wait_for_server(process: subprocess.Popen, runtime: Path, log: Path) -> dict[str, Any]:
    """The server's ``jpserver-<pid>.json`` once it answers; fails if it does not start."""
    info_file = runtime / f"jpserver-{process.pid}.json"
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"JupyterLab exited with status {process.returncode}:\n{log.read_text()}")
        if info_file.is_file():
            info = json.loads(info_file.read_text(encoding="utf-8"))
            status = f"{info['url']}api/status?token={urllib.parse.quote(info['token'])}"
            try:
                with urllib.request.urlopen(status, timeout=5) as response:
                    if response.status == 200:
                        return info
            except OSError:
                pass
        time.sleep(0.5)
    pytest.fail(f"JupyterLab did not answer within {START_TIMEOUT_S} s:\n{log.read_text()}")


def _stop(process: subprocess.Popen) -> list[str]:
    """Stop the server by its process id; return what it started that outlived it."""
    import psutil

    try:
        children = psutil.Process(process.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        children = []
    if process.poll() is None:
        os.kill(process.pid, signal.SIGTERM)  # Jupyter shuts its kernels down, then exits
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
    _, alive = psutil.wait_procs(children, timeout=10)
    survivors = []
    for survivor in alive:  # report it, and do not leave it running
        try:
            survivors.append(f"{survivor.pid} {' '.join(survivor.cmdline())}")
            survivor.kill()
        except psutil.NoSuchProcess:
            pass
    return survivors


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    """JupyterLab started as ``make lab`` starts it, on a scratch copy of the notebooks."""
    for module in ("jupyterlab", "jupytext", "psutil"):
        try:
            __import__(module)
        except ImportError:
            unavailable(f"the Python package `{module}` is not installed (the [test] extra)")
    base = tmp_path_factory.mktemp("lab")
    root = base / "course"
    root.mkdir()
    _scratch_course(root)
    folders = {
        "JUPYTER_RUNTIME_DIR": base / "runtime",
        "JUPYTER_CONFIG_DIR": base / "config",
        "JUPYTERLAB_SETTINGS_DIR": base / "settings",
        "JUPYTERLAB_WORKSPACES_DIR": base / "workspaces",
        "IPYTHONDIR": base / "ipython",
        "COURSE_BUILD_DIR": base / "build",
    }
    for folder in folders.values():
        folder.mkdir()
    environment = {**os.environ, **{name: str(path) for name, path in folders.items()}}
    log = base / "jupyterlab.log"
    with log.open("w", encoding="utf-8") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "helpers.lab", "--no-browser", str(root)],
            cwd=root,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        info = _wait_for_server(process, folders["JUPYTER_RUNTIME_DIR"], log)
        assert info["pid"] == process.pid, "helpers.lab must become the server (os.execv)"
        assert info["hostname"] == "127.0.0.1" and info["url"].startswith("http://127.0.0.1:")
        assert len(info["token"]) >= 32, "the server must be guarded by a random token"
        yield LabServer(process, root, info["url"], info["token"], log)
    finally:
        survivors = _stop(process)
    assert process.returncode is not None, "the server is still running"
    assert not survivors, f"processes outlived the server: {survivors}"


# --------------------------------------------------------------------------- the browser


def _state(page: Any) -> dict[str, Any]:
    return page.evaluate(_CELLS_JS) or {"kernel": "", "dialog": False, "prompts": []}


def _wait(page: Any, done: Any, timeout_s: float, what: str) -> dict[str, Any]:
    """Poll the page until ``done(state)``; answer the kernel dialog like a learner."""
    deadline = time.monotonic() + timeout_s
    while True:
        state = _state(page)
        if state["dialog"] and page.locator(".jp-Dialog .jp-mod-accept").count():
            page.locator(".jp-Dialog .jp-mod-accept").first.click()  # "Select" the kernel
        elif done(state):
            return state
        if time.monotonic() > deadline:
            pytest.fail(f"JupyterLab: {what} within {timeout_s:.0f} s; last state {state}")
        page.wait_for_timeout(250)


def run_in_lab(lab: LabServer, context: Any, notebook: str) -> LabRun:
    """Open ``notebooks/<notebook>.ipynb``, run every cell, add a cell, save; report."""
    page = context.new_page()
    origin = urllib.parse.urlsplit(lab.url).netloc

    def route(route: Any) -> None:  # offline: only the server itself
        if urllib.parse.urlsplit(route.request.url).netloc == origin:
            route.continue_()
        else:
            lab.offsite.append(route.request.url)
            route.abort("blockedbyclient")

    page.route("**/*", route)  # takes precedence over the book tests' context route
    page.set_default_timeout(60_000)
    try:
        # ?reset: a workspace with only this notebook open, not the tabs of a run before
        address = f"{lab.url}lab/tree/notebooks/{notebook}.ipynb"
        page.goto(f"{address}?reset&token={urllib.parse.quote(lab.token)}")
        panel = page.locator(".jp-NotebookPanel:visible")
        panel.locator(".jp-CodeCell").first.wait_for(timeout=START_TIMEOUT_S * 1000)
        _wait(page, lambda s: s["kernel"].endswith("| Idle"), START_TIMEOUT_S, "no idle kernel")

        panel.locator(".jp-Cell").first.click()  # the notebook is the one the menu acts on
        page.locator("#jp-MainMenu").get_by_text("Run", exact=True).click()
        page.locator(".lm-Menu:visible").get_by_text("Run All Cells", exact=True).click()
        _wait(
            page,
            lambda s: any(re.search(r"\[(\d+|\*)\]", p) for p in s["prompts"]),
            60,
            "Run All Cells started no cell",
        )
        # Done: some cell has run, none is queued or running, the kernel is idle (twice).
        settled = 0

        def finished(state: dict[str, Any]) -> bool:
            nonlocal settled
            prompts = state["prompts"]
            quiet = (
                state["kernel"].endswith("| Idle")
                and any(re.search(r"\[\d+\]", p) for p in prompts)
                and not any("*" in p for p in prompts)
            )
            settled = settled + 1 if quiet else 0
            return settled >= 2

        state = _wait(page, finished, RUN_TIMEOUT_S, "the cells did not finish")

        # A learner's edit, then Ctrl+S: jupytext must write it to the .py as well.
        marker = f"# added in JupyterLab by the browser test, {time.time_ns()}"
        toolbar = panel.locator(".jp-NotebookPanel-toolbar")
        toolbar.locator("[data-command='notebook:insert-cell-below']").click()
        panel.locator(".jp-Cell.jp-mod-active .cm-content").click()
        page.keyboard.type(marker)
        page.keyboard.press("Escape")
        page.keyboard.press("Control+s")
        ipynb = lab.root / "notebooks" / f"{notebook}.ipynb"
        script = ipynb.with_suffix(".py")
        deadline = time.monotonic() + 30
        while marker not in script.read_text(encoding="utf-8"):
            if time.monotonic() > deadline:
                pytest.fail(f"{script.name} did not get the new cell within 30 s after saving")
            page.wait_for_timeout(250)  # not time.sleep: the route handler must keep running
        saved = json.loads(ipynb.read_text(encoding="utf-8"))
        tracebacks = {i: t for i, t in enumerate(state["tracebacks"]) if t}
        return LabRun(state["prompts"], tracebacks, saved, script.read_text("utf-8"), marker)
    except BaseException:
        shot = lab.root.parent / f"{notebook}-failed.png"
        page.screenshot(path=shot)
        print(f"JupyterLab as it looked when the test failed: {shot}\n{lab.log_tail()}")
        raise
    finally:
        page.close()


def saved_errors(saved: dict[str, Any]) -> list[str]:
    """The errors recorded in a saved notebook's outputs: ``ename: evalue``."""
    return [
        f"{output['ename']}: {output['evalue']}"
        for cell in saved["cells"]
        for output in cell.get("outputs", [])
        if output.get("output_type") == "error"
    ]


def test_a_chapter_runs_in_jupyterlab_and_saves_its_pair(
    lab: LabServer, browser_context: Any
) -> None:
    run = run_in_lab(lab, browser_context, CHAPTER)
    assert not run.tracebacks, f"cells show errors: {run.tracebacks}"
    assert not saved_errors(run.saved), f"the saved notebook has errors: {saved_errors(run.saved)}"
    assert not run.not_run, f"code cells that did not run: {run.not_run} of {run.prompts}"
    code = [cell for cell in run.saved["cells"] if cell["cell_type"] == "code"]
    assert all(cell["execution_count"] for cell in code[:-1]), "the saved file lacks executions"
    assert "".join(code[-1]["source"]) == run.marker, "the added cell was not saved"
    import jupytext

    paired = jupytext.reads(run.script, fmt="py:percent")
    assert [cell.source for cell in paired.cells] == [
        "".join(cell["source"]) for cell in run.saved["cells"]
    ], "the .py does not hold the same cells as the saved .ipynb"
    assert not lab.offsite, f"JupyterLab requested other hosts: {lab.offsite}"


def test_a_cell_that_raises_is_reported(lab: LabServer, browser_context: Any) -> None:
    """The checks above are seen to fail: a cell that raises shows, and stops the run."""
    run = run_in_lab(lab, browser_context, "zz_raises")
    assert list(run.tracebacks) == [1], run.tracebacks
    assert "raised on purpose" in run.tracebacks[1][0]
    assert saved_errors(run.saved) == ["ValueError: raised on purpose"]
    assert run.not_run == [2], f"Run All should stop at the error: {run.prompts}"
