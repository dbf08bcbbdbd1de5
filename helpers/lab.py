"""JupyterLab the way the course starts it: ``make lab`` and the JupyterLab browser test.

One configuration for both (``tests/browser/test_jupyterlab.py`` starts exactly
``python -m helpers.lab --no-browser ROOT``):

- the server listens on 127.0.0.1 only, on a port the operating system picks
  free (port 0; Jupyter prints the address and writes it to its
  ``jpserver-<pid>.json`` runtime file), so a second course, another Jupyter or
  a test run never collides with it;
- a fresh random token guards it: Jupyter makes one (and prints the address with
  it) because ``JUPYTER_TOKEN`` is removed from its environment; it is never on
  the command line, where other users could read it;
- it fetches nothing: no news feed, no update check, no extension catalogue (the
  course runs offline);
- jupytext, installed with the course's ``[book]`` extra, keeps each chapter's
  ``.ipynb`` and ``.py`` paired when a notebook is saved (``jupytext.toml`` at the
  root says how).

``python -m helpers.lab`` replaces itself with the server (``os.execv``), so the
process id of the command is the server's, and stopping it stops the server.

Public API: :func:`lab_arguments`, :func:`lab_environment`, :func:`main`.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

TOKEN_ENV = "JUPYTER_TOKEN"
"""The environment variable Jupyter would take a fixed token from."""


def lab_arguments(root: Path, *, open_browser: bool = True) -> list[str]:
    """The ``jupyter lab`` command line that serves ``root`` the course's way.

    It opens ``root``'s ``notebooks/`` folder when there is one. Run it with the
    environment of :func:`lab_environment`.
    """
    root = Path(root).resolve()
    start = "/lab/tree/notebooks" if (root / "notebooks").is_dir() else "/lab"
    return [
        sys.executable,
        "-m",
        "jupyterlab",
        f"--ServerApp.root_dir={root}",
        "--ServerApp.ip=127.0.0.1",
        "--ServerApp.port=0",  # the operating system picks a free port
        "--ServerApp.port_retries=0",
        f"--ServerApp.open_browser={open_browser}",
        f"--LabApp.default_url={start}",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly",  # lists what is installed, asks PyPI nothing
        # Jupyter refuses to run as root unless told; CI containers run as root
        *(["--ServerApp.allow_root=True"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []),
    ]


def lab_environment(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """``base`` (default: this process's environment) without a fixed token.

    Jupyter then generates a random token for the server and prints the address
    with it (a token it is given, it masks in its output).
    """
    environment = dict(os.environ if base is None else base)
    environment.pop(TOKEN_ENV, None)
    return environment


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m helpers.lab [--no-browser] [ROOT]``: become JupyterLab serving ROOT."""
    parser = argparse.ArgumentParser(
        prog="python -m helpers.lab",
        description="Start JupyterLab on 127.0.0.1, at a free port, with a random token, "
        "serving ROOT (default: the current folder) and opening its notebooks/.",
    )
    parser.add_argument("root", nargs="?", type=Path, default=Path.cwd())
    parser.add_argument(
        "--no-browser", action="store_true", help="print the address instead of opening it"
    )
    args = parser.parse_args(argv)
    if not args.root.is_dir():
        parser.error(f"{args.root} is not a folder")
    command = lab_arguments(args.root, open_browser=not args.no_browser)
    os.execve(command[0], command, lab_environment())


if __name__ == "__main__":
    main()
