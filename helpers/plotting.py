"""The course's figure style, so every chapter's plots look alike."""

from __future__ import annotations

import matplotlib as mpl

COURSE_COLORS: tuple[str, ...] = (
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#000000",  # black
)
"""The Okabe-Ito palette, readable by people with colour-vision deficiencies."""


def use_course_style() -> None:
    """Apply the course's matplotlib style (size, fonts, grid, colour cycle).

    Call it once at the top of a chapter. It changes matplotlib's global
    ``rcParams`` only; it draws nothing.
    """
    mpl.rcParams.update(
        {
            "figure.figsize": (6.4, 3.6),
            "figure.dpi": 100,
            "savefig.dpi": 150,
            "figure.constrained_layout.use": True,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.titlesize": "medium",
            "axes.prop_cycle": mpl.cycler(color=list(COURSE_COLORS)),
            "legend.frameon": False,
            "font.size": 10,
        }
    )
