"""Tests of helpers.environment: the machine and version facts, parsed from fixed text."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from helpers import environment

CPUINFO = """processor\t: 0
vendor_id\t: AuthenticAMD
model name\t: AMD EPYC 7B13
cpu MHz\t\t: 2450.000
"""


def test_parse_cpu_model() -> None:
    assert environment.parse_cpu_model(CPUINFO) == "AMD EPYC 7B13"
    assert environment.parse_cpu_model("processor : 0\n") is None


def test_parse_cpu_flags() -> None:
    text = CPUINFO + "flags\t\t: fpu sse4_2 avx avx2 fma\n"
    assert environment.parse_cpu_flags(text) == ["sse4_2", "avx", "avx2", "fma"]
    assert environment.parse_cpu_flags(text, wanted=("avx512f",)) == []
    assert environment.parse_cpu_flags(CPUINFO) is None


def test_parse_mem_total() -> None:
    meminfo = "MemTotal:       16303520 kB\nMemFree: 1 kB\n"
    assert environment.parse_mem_total(meminfo) == 16303520 * 1024
    assert environment.parse_mem_total("MemFree: 1 kB\n") is None
    with pytest.raises(ValueError, match="unit"):
        environment.parse_mem_total("MemTotal: 5 MB\n")


def test_maxrss_units() -> None:
    assert environment.maxrss_bytes(1000, "Linux") == 1_024_000
    assert environment.maxrss_bytes(1000, "Darwin") == 1000


def test_disk_usage_counts_hard_links_once(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "big").write_bytes(b"x" * 200_000)
    single = environment.disk_usage(tmp_path)
    assert single >= 200_000
    os.link(tmp_path / "sub" / "big", tmp_path / "link")
    assert environment.disk_usage(tmp_path) == single
    (tmp_path / "other").write_bytes(b"y" * 100_000)
    assert environment.disk_usage(tmp_path) >= single + 100_000


def test_largest_packages_skips_metadata(tmp_path: Path) -> None:
    for name, size in [("small", 10_000), ("large", 300_000), ("large-1.0.dist-info", 900_000)]:
        (tmp_path / name).mkdir()
        (tmp_path / name / "f").write_bytes(b"z" * size)
    assert [p["name"] for p in environment.largest_packages(tmp_path)] == ["large", "small"]
    assert [p["name"] for p in environment.largest_packages(tmp_path, count=1)] == ["large"]


def test_installed_version_takes_the_first_installed_name() -> None:
    import importlib.metadata

    numpy_version = importlib.metadata.version("numpy")
    assert environment.installed_version("no-such-distribution-xyz", "numpy") == numpy_version
    assert environment.installed_version("no-such-distribution-xyz") is None


TESTED = {"python": "3.11.7", "tensorflow": "2.21.0", "keras": "3.15.1"}


def test_check_environment_is_silent_for_the_tested_versions(
    recwarn: pytest.WarningsRecorder,
) -> None:
    assert environment.check_environment(TESTED) == []
    assert environment.check_environment({**TESTED, "tensorflow": "2.21.3rc1"}) == []
    assert not [w for w in recwarn if issubclass(w.category, environment.CourseEnvironmentWarning)]


def test_check_environment_warns_about_an_untested_tensorflow() -> None:
    with pytest.warns(environment.CourseEnvironmentWarning) as caught:
        problems = environment.check_environment({**TESTED, "tensorflow": "2.19.0"})
    assert len(problems) == 1 and len(caught) == 1
    assert str(caught[0].message) == problems[0]
    assert "TensorFlow 2.19.0 is installed" in problems[0]
    assert "tested with TensorFlow 2.21" in problems[0]
    assert 'pip install "tensorflow==2.21.*"' in problems[0]


@pytest.mark.parametrize(
    ("versions", "words"),
    [
        ({"keras": "3.9.2"}, "Keras 3.9.2 is installed, but the course was tested with Keras 3.15"),
        ({"keras": None}, "Keras is not installed; the course was tested with Keras 3.15"),
        ({"tensorflow": None}, 'installs the tested build (`pip install "executable-deep'),
        ({"python": "3.10.12"}, "tested with Python 3.11, 3.12 or 3.13"),
        ({"python": "3.14.0"}, "Python 3.14.0 is installed"),
    ],
)
def test_check_environment_names_each_problem(versions: dict[str, str | None], words: str) -> None:
    problems = environment.check_environment({**TESTED, **versions}, warn=False)
    assert len(problems) == 1
    assert words in problems[0]


def test_check_environment_reads_the_installed_versions() -> None:
    installed = environment.library_versions()
    assert environment.check_environment(warn=False) == environment.check_environment(
        installed, warn=False
    )


def test_tested_versions_agree_with_the_lock_and_pyproject() -> None:
    import tomllib

    from packaging.specifiers import SpecifierSet

    from helpers.paths import REPO_ROOT

    pins = {}
    for line in (REPO_ROOT / "requirements-lock.txt").read_text(encoding="utf-8").splitlines():
        name, _, version = line.split(";")[0].partition("==")
        pins[name.strip().lower().replace("_", "-")] = version.strip()
    tested = environment.TESTED_VERSIONS
    assert pins["tensorflow-cpu"].startswith(tested["tensorflow"][0] + ".")
    assert pins["keras"].startswith(tested["keras"][0] + ".")
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    supported = SpecifierSet(project["requires-python"])
    assert [
        v for v in ("3.9", "3.10", "3.11", "3.12", "3.13", "3.14") if f"{v}.0" in supported
    ] == (list(tested["python"]))
