"""What machine and which versions: the facts every measurement of the course records.

Public names: :func:`machine_info`, :func:`library_versions`, :func:`installed_version`,
:func:`environment_info`, :func:`check_environment`, and the parsers they use
(:func:`parse_cpu_model`,
:func:`parse_cpu_flags`, :func:`parse_mem_total`, :func:`maxrss_bytes`,
:func:`disk_usage`, :func:`largest_packages`). Chapter 13 and the runtime page read
versions here; :mod:`helpers.bench` records these facts beside its timings.
"""

from __future__ import annotations

import importlib.metadata
import os
import platform
import sys
import sysconfig
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any


def parse_cpu_model(cpuinfo: str) -> str | None:
    """Return the CPU model from the text of Linux's ``/proc/cpuinfo``, or None."""
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        if key.strip() in ("model name", "Model", "Hardware", "cpu model") and value.strip():
            return value.strip()
    return None


NUMERIC_CPU_FLAGS = ("sse4_2", "avx", "avx2", "fma", "avx512f", "avx512_vnni", "amx_tile")
"""CPU features that decide which vectorized kernels (and so which rounding) run."""


def parse_cpu_flags(cpuinfo: str, wanted: Sequence[str] = NUMERIC_CPU_FLAGS) -> list[str] | None:
    """Return which of ``wanted`` the ``flags`` line of ``/proc/cpuinfo`` lists, or None."""
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "flags":
            present = set(value.split())
            return [flag for flag in wanted if flag in present]
    return None


def parse_mem_total(meminfo: str) -> int | None:
    """Return the ``MemTotal`` of Linux's ``/proc/meminfo`` text, in bytes, or None."""
    for line in meminfo.splitlines():
        if line.startswith("MemTotal:"):
            amount, *unit = line.split(":", 1)[1].split()
            if unit and unit[0].lower() != "kb":
                raise ValueError(f"unexpected unit in /proc/meminfo: {line!r}")
            return int(amount) * 1024
    return None


def maxrss_bytes(ru_maxrss: int, system: str | None = None) -> int:
    """Convert ``getrusage().ru_maxrss`` to bytes: kilobytes on Linux, bytes on macOS."""
    system = platform.system() if system is None else system
    return int(ru_maxrss) if system == "Darwin" else int(ru_maxrss) * 1024


def disk_usage(path: Path) -> int:
    """Return the disk space a folder takes, in bytes, like ``du -s`` (hard links once)."""
    seen: set[tuple[int, int]] = set()
    total = 0
    for folder, dirs, files in os.walk(path):
        for name in dirs + files:
            info = os.lstat(os.path.join(folder, name))
            if (info.st_dev, info.st_ino) in seen:
                continue
            seen.add((info.st_dev, info.st_ino))
            blocks = getattr(info, "st_blocks", None)
            total += blocks * 512 if blocks is not None else info.st_size
    return total


def largest_packages(site_packages: Path, count: int = 8) -> list[dict[str, Any]]:
    """Return the ``count`` largest top-level entries of ``site-packages``, largest first."""
    sizes = []
    for entry in site_packages.iterdir():
        if entry.name.endswith((".dist-info", ".egg-info", ".pth")) or entry.name == "__pycache__":
            continue
        size = disk_usage(entry) if entry.is_dir() else entry.lstat().st_size
        sizes.append({"name": entry.name, "bytes": size})
    return sorted(sizes, key=lambda item: -item["bytes"])[:count]


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def machine_info() -> dict[str, Any]:
    """Describe this machine: CPU model and cores, memory, operating system, load."""
    cpuinfo = _read("/proc/cpuinfo")
    memory = parse_mem_total(_read("/proc/meminfo"))
    if memory is None and hasattr(os, "sysconf"):
        try:
            memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        except (ValueError, OSError):
            memory = None
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "cpu_model": parse_cpu_model(cpuinfo) or platform.processor() or None,
        "cpu_flags": parse_cpu_flags(cpuinfo),
        "cores": os.cpu_count(),
        "cores_usable": usable,
        "memory_bytes": memory,
        "system": f"{platform.system()} {platform.release()} ({platform.machine()})",
        "load_average_1min": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
    }


def installed_version(*distributions: str) -> str | None:
    """Version of the first of ``distributions`` that is installed, else None.

    Several names cover packages published under more than one distribution
    name, e.g. ``installed_version("tensorflow-cpu", "tensorflow")``.
    """
    for name in distributions:
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return None


def library_versions() -> dict[str, str | None]:
    """Return the versions of Python and of the libraries the timings depend on."""
    return {
        "python": platform.python_version(),
        "tensorflow": installed_version("tensorflow-cpu", "tensorflow"),
        "keras": installed_version("keras"),
        "numpy": installed_version("numpy"),
        "scikit-learn": installed_version("scikit-learn"),
        "jupyter-book": installed_version("jupyter-book"),
        "myst-nb": installed_version("myst-nb"),
    }


def environment_info(prefix: Path | None = None) -> dict[str, Any]:
    """Return the installed environment's folder, its size and its largest packages."""
    prefix = Path(sys.prefix) if prefix is None else prefix
    site_packages = Path(sysconfig.get_paths()["purelib"])
    return {
        "path": str(prefix),
        "is_virtualenv": sys.prefix != sys.base_prefix,
        "bytes": disk_usage(prefix),
        "largest_packages": largest_packages(site_packages) if site_packages.is_dir() else [],
    }


TESTED_VERSIONS: dict[str, tuple[str, ...]] = {
    "python": ("3.11", "3.12", "3.13"),
    "tensorflow": ("2.21",),
    "keras": ("3.15",),
}
"""Major.minor versions the course was tested with: pyproject.toml's ``requires-python``
and requirements-lock.txt's TensorFlow and Keras (tests/test_environment.py checks both)."""

_NAMES = {"python": "Python", "tensorflow": "TensorFlow", "keras": "Keras"}
_ADVICE = {
    "python": "Use one of those (see the README's Quick start).",
    "tensorflow": (
        '`pip install "tensorflow=={tested}.*"` installs it (or "tensorflow-cpu=={tested}.*", '
        "whichever build is installed; in Colab, then restart the session)."
    ),
    "keras": '`pip install "keras=={tested}.*"` installs it (in Colab, then restart the session).',
}
_ADVICE_IF_MISSING = {
    "tensorflow": (
        "The course's `tensorflow` extra installs the tested build "
        '(`pip install "executable-deep-learning[tensorflow]"`; in a checkout, `make setup`).'
    ),
}


class CourseEnvironmentWarning(UserWarning):
    """A library version the course was not tested with (see :func:`check_environment`)."""


def check_environment(
    versions: Mapping[str, str | None] | None = None, *, warn: bool = True
) -> list[str]:
    """Say which of Python, TensorFlow and Keras are missing or not the tested version.

    The course installs TensorFlow only with its ``[tensorflow]`` extra, so that
    ``pip install`` keeps a TensorFlow that is already there (Colab's); this check
    says when that one is not the version in :data:`TESTED_VERSIONS`. Versions
    compare by major.minor (TensorFlow 2.21.1 is 2.21).

    Args:
        versions: ``{"python": ..., "tensorflow": ..., "keras": ...}``, a missing
            library as None; default :func:`library_versions` (what is installed).
        warn: also issue each message as a :class:`CourseEnvironmentWarning`.

    Returns:
        One message per problem, empty when everything is the tested version.
    """
    versions = library_versions() if versions is None else versions
    problems = []
    for key, tested in TESTED_VERSIONS.items():
        name, found = _NAMES[key], versions.get(key)
        wanted = ", ".join(tested[:-1]) + " or " + tested[-1] if len(tested) > 1 else tested[0]
        advice = _ADVICE[key].format(tested=tested[-1])
        if found is None:
            advice = _ADVICE_IF_MISSING.get(key, advice)
            problems.append(
                f"{name} is not installed; the course was tested with {name} {wanted}. {advice}"
            )
        elif ".".join(found.split(".")[:2]) not in tested:
            problems.append(
                f"{name} {found} is installed, but the course was tested with {name} {wanted}: "
                "the chapters may still run, but their numbers can differ from the book's and "
                f"a cell may fail. {advice}"
            )
    if warn:
        for problem in problems:
            warnings.warn(problem, CourseEnvironmentWarning, stacklevel=2)
    return problems
