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
