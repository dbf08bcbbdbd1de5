"""Keep the runtime appendix current: it is re-executed, last, in every build.

The appendix (``notebooks/runtime``) renders what executing the other notebooks
cost (see :mod:`helpers.execution_record`). Its code does not change when those
figures do, so Sphinx would not re-read it and jupyter-cache would serve its old
outputs. This extension:

- records when the build started, in ``$COURSE_BUILD_STARTED`` (the kernels the
  build starts inherit it), so the appendix can tell executions of this build
  from outputs reused from an earlier one;
- marks the appendix as changed in every build and removes its jupyter-cache
  record, so it is executed again. Sphinx reads documents in sorted order, so it
  runs after every chapter (``tests/test_execution_record.py`` checks the order).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util import logging

from helpers.bench import RUNTIME_PAGE
from helpers.execution_record import BUILD_STARTED_ENV, forget_cached_execution

logger = logging.getLogger(__name__)


def _record_start(app: Sphinx, config: Config) -> None:
    import os

    os.environ[BUILD_STARTED_ENV] = datetime.now(UTC).isoformat(timespec="seconds")


def _runtime_page_is_outdated(app: Sphinx, env: Any, added: set, changed: set, removed: set):
    pages = [name for name in env.found_docs if name.split("/")[-1] == RUNTIME_PAGE]
    if app.config.nb_execution_mode == "cache" and pages:
        cache = app.config.nb_execution_cache_path or str(
            Path(app.outdir).parent / ".jupyter_cache"
        )
        removed = forget_cached_execution(RUNTIME_PAGE, Path(cache))
        # verbose only: Sphinx prints this event's messages inside its "updating
        # environment" status line, which helpers.bench reads to judge a rebuild
        logger.verbose(f"[execution_record] {RUNTIME_PAGE}: re-executed ({removed} removed)")
    return pages


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("config-inited", _record_start)
    app.connect("env-get-outdated", _runtime_page_is_outdated)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
