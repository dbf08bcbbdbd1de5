"""What a chapter hands to the book around it: the values its prose quotes.

The book quotes a chapter's numbers with myst-nb's ``glue``: the value is stored
in the cell's output, and ``{glue}`name``` in the text shows it. myst-nb belongs
to the book's toolchain (the ``[book]`` extra; it brings Sphinx with it), not to
what a learner needs to run a chapter (``pip install .``, Colab, Binder). So the
chapters import :func:`glue` from here: it is myst-nb's own ``glue`` where
myst-nb is installed, and otherwise shows the value, so that a chapter runs the
same with or without the book's toolchain.

Public API: :func:`glue`.
"""

from __future__ import annotations

import importlib.util
from typing import Any


def glue(name: str, variable: Any, display: bool = True) -> None:
    """Store ``variable`` under ``name`` for the book's text, and show it if ``display``.

    With myst-nb installed this is ``myst_nb.glue(name, variable, display)``. Without
    it there is no book to quote the value: ``variable`` is shown like a cell's last
    expression when ``display`` is true, and nothing happens otherwise.

    Glue Python numbers and strings (``float(x)``, not a NumPy scalar): the strict
    book build fails on a NumPy scalar's ``repr`` in the text.
    """
    if importlib.util.find_spec("myst_nb") is None:
        if display:
            from IPython.display import display as show

            show(variable)
        return
    from myst_nb import glue as myst_nb_glue

    myst_nb_glue(name, variable, display=display)
