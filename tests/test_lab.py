"""helpers.lab: the one JupyterLab configuration of ``make lab`` and the browser test.

tests/browser/test_jupyterlab.py starts the server this way and uses it; here the
command line and environment are checked without starting anything.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from helpers import lab


def test_the_server_is_local_on_a_free_port_and_fetches_nothing(tmp_path: Path) -> None:
    (tmp_path / "notebooks").mkdir()
    command = lab.lab_arguments(tmp_path, open_browser=False)
    assert command[:3] == [sys.executable, "-m", "jupyterlab"]
    options = set(command[3:])
    assert {
        f"--ServerApp.root_dir={tmp_path.resolve()}",
        "--ServerApp.ip=127.0.0.1",
        "--ServerApp.port=0",
        "--ServerApp.port_retries=0",
        "--ServerApp.open_browser=False",
        "--LabApp.default_url=/lab/tree/notebooks",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly",
    } <= options
    assert not any("token" in option.lower() for option in options), "no token in argv"
    assert "--LabApp.default_url=/lab" in lab.lab_arguments(tmp_path / "notebooks")
    assert "--ServerApp.open_browser=True" in lab.lab_arguments(tmp_path)


def test_jupyter_makes_a_fresh_token() -> None:
    environment = lab.lab_environment({"JUPYTER_TOKEN": "fixed", "HOME": "/home/learner"})
    assert environment == {"HOME": "/home/learner"}


def test_the_command_becomes_the_server(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    started: list[tuple[str, list[str], dict[str, str]]] = []
    monkeypatch.setattr(os, "execve", lambda path, argv, env: started.append((path, argv, env)))
    monkeypatch.setenv("JUPYTER_TOKEN", "fixed")
    lab.main(["--no-browser", str(tmp_path)])
    ((path, argv, environment),) = started
    assert path == sys.executable and argv == lab.lab_arguments(tmp_path, open_browser=False)
    assert "JUPYTER_TOKEN" not in environment


def test_a_missing_folder_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exit_info:
        lab.main([str(tmp_path / "absent")])
    assert exit_info.value.code == 2
