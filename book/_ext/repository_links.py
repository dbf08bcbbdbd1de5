"""Repository and launch buttons only when the book names a public repository.

``repository: url`` in ``_config.yml`` is the one place that holds the course's
public address. The GitHub button and the launch menu (Colab, Binder) are built
from it, and so is the first cell of every chapter, which installs the course in
Colab (:mod:`helpers.colab`).

- Set: every page gets the repository button, and every chapter the launch menu
  configured under ``launch_buttons``.
- Empty: neither, since they would lead nowhere. (Jupyter Book refuses the
  repository button without an address, and sphinx-book-theme fails on launch
  buttons without one, so ``_config.yml`` cannot switch them itself.)

``tests/test_book_repository.py`` builds a two-page book both ways.
"""

from __future__ import annotations

from sphinx.application import Sphinx
from sphinx.config import Config

REPOSITORY_BUTTONS = ("use_repository_button", "use_issues_button", "use_edit_page_button")
"""sphinx-book-theme's buttons that link into the repository."""


def _links_follow_the_repository(app: Sphinx, config: Config) -> None:
    options = config.html_theme_options
    if (options.get("repository_url") or "").strip():
        options["use_repository_button"] = True
        return
    options.pop("repository_url", None)
    options.pop("launch_buttons", None)
    for button in REPOSITORY_BUTTONS:
        options[button] = False


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("config-inited", _links_follow_the_repository)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
