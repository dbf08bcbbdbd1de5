"""The course as a reader outside a checkout gets it: ``helpers`` installed from a wheel.

This is what README's "Opening a chapter in Colab or Binder" tells a reader to do
(``pip install git+<repository URL>``, which builds a wheel of the repository and
installs it). Here pip builds the wheel from a copy of the project's files
(``--no-build-isolation``: the setuptools in ``.venv`` builds it, offline) and installs
it with ``--no-deps`` into a scratch ``--target`` folder. The course's own Python then
runs from a folder outside the checkout with ``PYTHONPATH=<target>``: third-party
packages come from ``.venv``, ``helpers`` from the wheel (each run checks
``helpers.__file__``), and ``HOME``, ``XDG_CACHE_HOME`` and ``XDG_DATA_HOME`` point into
scratch folders.

No network: the VADER source distribution is copied from this checkout's warm data
cache (:func:`helpers.paths.data_cache_dir`, normally ``data/cache``) into the
installed package's per-user cache before the run; the tables are then built from it
there. When the checkout has no copy and pip cannot download one, the data test is
skipped.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from helpers import data, paths

CHECKOUT = Path(__file__).resolve().parents[1]
PROJECT_FILES = ("pyproject.toml", "README.md")
"""What setuptools reads besides ``helpers/`` to build the wheel."""

NAME = paths.PROJECT_NAME


def _run(command: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, timeout=300, **kwargs)


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``folder`` with its size and modification time."""
    return {
        str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel of the project, built offline from a copy of its files (not in the checkout)."""
    source = tmp_path_factory.mktemp("source")
    for name in PROJECT_FILES:
        shutil.copy2(CHECKOUT / name, source / name)
    shutil.copytree(
        CHECKOUT / "helpers", source / "helpers", ignore=shutil.ignore_patterns("__pycache__")
    )
    dist = tmp_path_factory.mktemp("dist")
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    built = _run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", dist, source]
    )
    assert built.returncode == 0, built.stdout + built.stderr
    (found,) = dist.glob("executable_deep_learning-*.whl")
    return found


@pytest.fixture(scope="module")
def target(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel installed with ``pip install --no-deps --target``: a stand-in site-packages."""
    folder = tmp_path_factory.mktemp("site-packages")
    installed = _run(
        [
            *(sys.executable, "-m", "pip", "--disable-pip-version-check", "install"),
            *("--no-deps", "--no-index", "--target", folder, wheel),
        ]
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert (folder / "helpers" / "checksums.sha256").is_file()
    return folder


class Reader:
    """A reader's machine: an empty home, XDG folders and a working folder outside the checkout."""

    def __init__(self, root: Path, target: Path) -> None:
        self.target = target
        self.home = root / "home"
        self.cache = root / "xdg-cache"
        self.share = root / "xdg-data"
        self.work = root / "work"
        for folder in (self.home, self.cache, self.share, self.work):
            folder.mkdir()

    @property
    def data_cache(self) -> Path:
        return self.cache / NAME

    @property
    def model_file(self) -> Path:
        return self.share / NAME / "models" / "sentiment.keras"

    def run(self, *arguments: str) -> subprocess.CompletedProcess[str]:
        """Run ``python <arguments>`` with the course's Python and the installed ``helpers``."""
        environment = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("COURSE_", "PYTHON", "XDG_"))
        }
        environment.update(
            PYTHONPATH=str(self.target),
            HOME=str(self.home),
            XDG_CACHE_HOME=str(self.cache),
            XDG_DATA_HOME=str(self.share),
            TF_CPP_MIN_LOG_LEVEL="2",
        )
        return _run([sys.executable, *arguments], cwd=self.work, env=environment)


@pytest.fixture
def reader(tmp_path: Path, target: Path) -> Reader:
    return Reader(tmp_path, target)


def test_the_wheel_ships_the_package_and_its_checksum_list(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        assert {"helpers/__init__.py", "helpers/paths.py", "helpers/checksums.sha256"} <= names
        shipped = archive.read("helpers/checksums.sha256").decode("utf-8")
    assert shipped == data.CHECKSUM_FILE.read_text(encoding="utf-8")
    assert not any(name.startswith(("tests/", "notebooks/", "data/")) for name in names)


def test_the_checkout_reads_the_checksum_list_from_the_package() -> None:
    assert Path(str(data.CHECKSUM_FILE)) == CHECKOUT / "helpers" / "checksums.sha256"
    assert {"mnist_5k.csv.gz", "cars.json", data.VADER_SDIST} <= set(data.expected_checksums())


LOAD_EVERYTHING = """
import json, helpers
from helpers import paths
from helpers.data import load_auto_mpg, load_digits_784, load_vader
pixels, labels = load_digits_784()
print(json.dumps({
    "helpers": helpers.__file__,
    "repo_root": None if paths.REPO_ROOT is None else str(paths.REPO_ROOT),
    "data_cache": str(paths.data_cache_dir()),
    "model_dir": str(paths.model_dir()),
    "digits": list(pixels.shape),
    "auto_mpg": len(load_auto_mpg()),
    "movie": len(load_vader("movie")),
}))
"""


@pytest.fixture(scope="module")
def vader_sdist() -> Path:
    """The checkout's verified copy of the VADER sdist (fetched with pip if missing)."""
    try:
        return data.fetch_vader_sdist()
    except data.DataError as err:
        if "pip could not download" in str(err):
            pytest.skip(f"no cached VADER sdist and no access to the package index: {err}")
        raise


def test_every_data_set_loads_and_nothing_is_written_beside_the_package(
    reader: Reader, target: Path, vader_sdist: Path
) -> None:
    downloads = reader.data_cache / "downloads"
    downloads.mkdir(parents=True)
    shutil.copy2(vader_sdist, downloads / vader_sdist.name)  # instead of a download
    before = _snapshot(target)

    completed = reader.run("-c", LOAD_EVERYTHING)
    assert completed.returncode == 0, completed.stderr
    facts = json.loads(completed.stdout.strip().splitlines()[-1])

    assert Path(facts["helpers"]).parent == target / "helpers", "the wheel, not the checkout"
    assert facts["repo_root"] is None
    assert facts["data_cache"] == str(reader.data_cache)
    assert facts["model_dir"] == str(reader.share / NAME / "models")
    assert facts["digits"] == [5000, 784]
    assert facts["auto_mpg"] == 406
    assert facts["movie"] == 10603
    assert (reader.data_cache / "vader" / "manifest.json").is_file(), "cached in the XDG cache"
    assert _snapshot(target) == before, "nothing may be written beside the installed package"
    assert list(reader.work.iterdir()) == [], "nor in the working folder"


def _train_tiny_model(path: Path) -> None:
    """A three-class bag-of-embeddings model, trained in a second on made-up sentences."""
    from helpers import sentiment_models as sm
    from helpers.repro import set_seed

    set_seed(0)
    groups = {
        "negative": ["bad awful film", "awful dull", "dull bad mess", "mess awful", "bad dull"],
        "neutral": ["the film is on tuesday", "it is a film", "the box", "on the table", "it is"],
        "positive": ["good great film", "great wonderful", "wonderful good fun", "fun great"],
    }
    texts = [text for label in data.VADER_LABELS for text in groups[label]]
    y = np.array([i for i, label in enumerate(data.VADER_LABELS) for _ in groups[label]])
    vectorizer = sm.make_vectorizer(texts, sm.choose_vocabulary_size(texts, 1), 6)
    config = sm.ModelConfig(kind="bag", embedding_dim=8, learning_rate=0.05)
    model = sm.build_model(
        config, vocabulary_size=vectorizer.vocabulary_size(), sequence_length=6, n_classes=3
    )
    model.fit(vectorizer(np.array(texts)).numpy(), y, epochs=60, batch_size=len(texts), verbose=0)
    path.parent.mkdir(parents=True, exist_ok=True)
    sm.export_text_model(vectorizer, model).save(path)


def test_the_sentiment_command_finds_the_model_where_the_chapter_saves_it(
    reader: Reader, target: Path
) -> None:
    before = _snapshot(target)
    missing = reader.run("-m", "helpers.sentiment", "great wonderful fun")
    assert missing.returncode == 1
    assert str(reader.model_file) in missing.stderr, "the installed helpers, not the checkout's"
    assert "ch08b_pretrained.ipynb" in missing.stderr and "make book" not in missing.stderr

    _train_tiny_model(reader.model_file)  # where the course model goes: model_dir()/sentiment.keras
    completed = reader.run("-m", "helpers.sentiment", "great wonderful fun", "awful dull mess")
    assert completed.returncode == 0, completed.stderr
    lines = completed.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("positive") and lines[0].endswith("great wonderful fun")
    assert lines[1].startswith("negative") and lines[1].endswith("awful dull mess")
    assert _snapshot(target) == before
    assert list(reader.work.iterdir()) == []
