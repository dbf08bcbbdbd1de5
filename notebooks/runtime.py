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
# # Runtime and reproducibility
#
# This book promises that every chapter runs on a laptop. This page says what that
# costs: how long each chapter takes to execute, how much memory it needs, how
# large the installed environment is, and how long a rebuild takes when nothing
# has changed. Every figure is read, when the book is built, from the record of the
# execution that produced the book's outputs; the page contains none of them
# itself.
#
# The second half says what *reproducible* means here: which results are the same
# on every run, which can differ on your machine, and by how much.

# %% [markdown]
# ## How the figures are measured
#
# Three things execute the book's notebooks, and each keeps a record that
# `helpers.execution_record` reads:
#
# 1. **`make bench`**, the benchmark, points the build folder (the environment
#    variable `COURSE_BUILD_DIR`, read by `helpers.paths`) at a new, empty folder,
#    so no trained model or cached result from an earlier run is reused: every
#    chapter starts *cold*. The downloaded data in `data/cache` stays, because it is
#    the input, not a result. It executes every notebook in the book's order, one at
#    a time, each in a fresh Jupyter kernel, and records the **wall time** (kernel
#    start to finish), the **CPU time** (user plus system time of the kernel
#    process, read from the operating system after the kernel has exited), the
#    **peak memory** (the kernel's largest resident set size) and the chapter's
#    **headline results** (values it glues into its text). It also times a rebuild
#    of the book with nothing changed.
# 2. **`make notebooks`**, what CI runs, executes every notebook once with
#    [nbmake](https://github.com/treebeardtech/nbmake), in the book's order, and
#    records the same figures for each (peak memory sampled five times a second).
#    The strict build then renders those outputs without executing anything again.
# 3. **`make book`**, the reader's build, executes through
#    [jupyter-cache](https://jupyter-cache.readthedocs.io), which executes a
#    notebook only when its code has changed and keeps the wall time of each
#    execution. A chapter served from that cache shows the time of the execution
#    that produced its outputs, marked as reused.
#
# This page shows the cold benchmark when one has been run on the machine that
# built the book, else the record of the build itself, and says which. It is
# executed again in every build, after every chapter, so its figures are current.
#
# CPU time above wall time means the chapter kept more than one core busy
# (TensorFlow spreads its work over threads). CPU time well below wall time means
# the kernel was waiting: to start, to read files, or for other programs on a busy
# machine.

# %% [markdown]
# ## Setup
#
# Read the freshest execution record and the machine it ran on.

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
from datetime import datetime

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Markdown

from helpers.bench import (
    BUDGET_COLD_BOOK_S,
    BUDGET_PRETRAINED_PART_S,
    BUDGET_REBUILD_S,
    PRETRAINED_PART,
    RUNTIME_PAGE,
    part_notebooks,
    part_wall_seconds,
)
from helpers.book import glue
from helpers.environment import environment_info, library_versions, machine_info
from helpers.execution_record import freshest_record
from helpers.plotting import COURSE_COLORS, use_course_style
from helpers.repro import DEFAULT_SEED, set_seed

set_seed()
use_course_style()
glue("default_seed", DEFAULT_SEED, display=False)

record = freshest_record()
if record is not None and record["source"] != "bench":
    # The build's own record: the machine and versions are this kernel's, the build's.
    record["machine"], record["versions"] = machine_info(), library_versions()
    record["environment"] = environment_info()
print(f"record shown: {record['source'] if record else 'none'}")

# %% [markdown]
# ## The measured figures
#
# ```{glue:md} bench_summary
# :format: myst
# ```

# %% tags=["hide-input"]
GB = 1e9
MB = 1e6


def when_text(moment):
    return datetime.fromisoformat(moment).strftime("%Y-%m-%d %H:%M UTC") if moment else "unknown"


def machine_text(machine, versions):
    cores = machine["cores_usable"] or machine["cores"]
    memory = (
        f" and {machine['memory_bytes'] / GB:.0f} GB of memory" if machine["memory_bytes"] else ""
    )
    flags = machine.get("cpu_flags")
    flags = f"; vector instructions: {', '.join(flags)}" if flags else ""
    return (
        f"a machine with {cores} CPU cores ({machine['cpu_model'] or 'model unknown'}{flags})"
        f"{memory}, with Python {versions['python']}, TensorFlow {versions['tensorflow']} and "
        f"Keras {versions['keras']}"
    )


def summary_text(record):
    """The paragraph above: which record this is, what it measured, against the budgets."""
    if record is None:
        return (
            "**No notebook of this book has been executed yet on this machine**, so this "
            "page has no figures to show. `make book` executes them and fills it in."
        )
    totals, machine = record["totals"], record["machine"]
    cores = machine["cores_usable"] or machine["cores"]
    text = [
        f"These figures come from {record['description']}, started "
        f"{when_text(record.get('started'))}, on {machine_text(machine, record['versions'])}."
    ]
    minutes = totals["wall_s"] / 60
    if record["source"] == "bench":
        verdict = "within" if totals["wall_s"] < BUDGET_COLD_BOOK_S else "**over**"
        text.append(
            f"Executed cold, the {totals['chapters']} notebooks took **{minutes:.1f} minutes** "
            f"in all, {verdict} the budget of {BUDGET_COLD_BOOK_S / 60:.0f} minutes."
        )
    else:
        text.append(
            f"Executing the {totals['chapters']} notebooks took **{minutes:.1f} minutes** in all."
        )
        if totals["reused"]:
            text.append(
                f"{len(totals['reused'])} of them were not executed in this build: their outputs, "
                "and their times, come from an earlier execution of the same code (marked "
                "*reused* below). For figures measured cold, run `make bench`."
            )
    book = record.get("book")
    if book and book.get("rebuild_changes"):
        text.append(
            f"The rebuild could not be measured cleanly: in {book['rebuild_attempts']} attempts "
            f"something had always changed ({book['rebuild_changes']})."
        )
    elif book:
        verdict = "within" if book["rebuild_s"] < BUDGET_REBUILD_S else "**over**"
        text.append(
            f"A rebuild with nothing changed took **{book['rebuild_s']:.0f} seconds**, "
            f"{verdict} the budget of {BUDGET_REBUILD_S:.0f} seconds."
        )
    if totals["peak_memory_bytes"]:
        text.append(
            f"The largest peak memory of a chapter was "
            f"**{totals['peak_memory_bytes'] / MB:,.0f} MB** (`{totals['peak_memory_notebook']}`)."
        )
    text.append(
        f"The installed environment takes **{record['environment']['bytes'] / GB:.1f} GB** on disk."
    )
    load = machine.get("load_average_1min")
    # Only the benchmark reads the load before it starts; a build's own record reads it
    # at its end, when the build itself keeps the machine busy.
    if record["source"] == "bench" and load is not None and load > cores:
        text.append(
            f"The machine was busy when the run started (load average {load:.1f} on {cores} "
            "cores), so these times are pessimistic: on an idle machine they are shorter."
        )
    if totals["failed"]:
        text.append(f"**These notebooks failed**: {', '.join(totals['failed'])}.")
    return " ".join(text)


glue("bench_summary", Markdown(summary_text(record)), display=False)
if record is not None:
    glue("bench_total_min", round(record["totals"]["wall_s"] / 60, 2), display=False)
    glue("bench_env_gb", round(record["environment"]["bytes"] / GB, 2), display=False)

# %% [markdown]
# The budgets, next to what was measured. The budgets are for the cold benchmark:
# a build that reused earlier outputs says little about them.


# %% tags=["hide-input"]
def measured(value, unit, budget, missing):
    if value is None:
        return missing, ""
    return f"{value:.1f} {unit}", "yes" if value < budget else "no"


is_bench = record is not None and record["source"] == "bench"
not_bench = "measured only by make bench"
cold = record["totals"]["wall_s"] / 60 if is_bench else None
book = record.get("book") if is_bench else None
rebuild = None if not book or book.get("rebuild_changes") else book["rebuild_s"]
# The part "Large pretrained models" (attention, the pretrained encoder) has a budget of its own.
part = part_wall_seconds(record["chapters"]) if record is not None else None
part_name = f"part {PRETRAINED_PART} ({', '.join(part_notebooks())})"
glue("budget_cold_min", BUDGET_COLD_BOOK_S / 60, display=False)
glue("budget_rebuild_s", BUDGET_REBUILD_S, display=False)
glue("budget_part_min", BUDGET_PRETRAINED_PART_S / 60, display=False)
budgets = pd.DataFrame(
    [
        ("whole book, executed cold", f"under {BUDGET_COLD_BOOK_S / 60:.0f} min")
        + measured(cold, "min", BUDGET_COLD_BOOK_S / 60, not_bench),
        ("rebuild with nothing changed", f"under {BUDGET_REBUILD_S:.0f} s")
        + measured(rebuild, "s", BUDGET_REBUILD_S, not_bench),
        (f"{part_name}, executed cold", f"under {BUDGET_PRETRAINED_PART_S / 60:.0f} min")
        + measured(
            part / 60 if is_bench and part else None,
            "min",
            BUDGET_PRETRAINED_PART_S / 60,
            not_bench,
        ),
    ],
    columns=["what", "budget", "measured", "within budget"],
).set_index("what")
if record is not None and not is_bench:
    budgets.loc["this build's execution, all notebooks"] = (
        "",
        f"{record['totals']['wall_s'] / 60:.1f} min",
        "",
    )
    if part is not None:
        budgets.loc[f"this build's execution, {part_name}"] = ("", f"{part / 60:.1f} min", "")
budgets

# %% [markdown]
# ## Chapter by chapter
#
# Each row is one notebook of the table of contents, in the book's order. The
# headline results are the values the chapter glues into its text, recorded so
# that a slower version of a chapter cannot hide a worse result, and a faster one
# cannot hide it either. This page itself is executed last, after the table is
# made, so its own row has a time only in the benchmark.


# %% tags=["hide-input"]
def headline_text(headline):
    def fmt(value):
        return f"{value:.4g}" if isinstance(value, float) else str(value)

    return "; ".join(f"{name} = {fmt(value)}" for name, value in (headline or {}).items())


def status_of(chapter):
    if chapter["notebook"] == RUNTIME_PAGE and chapter.get("wall_s") is None:
        return "this page"
    if chapter.get("ok") is None:
        return "not executed"
    if not chapter["ok"]:
        return "FAILED"
    if chapter.get("reused"):
        return f"reused (executed {when_text(chapter.get('executed_at'))})"
    return "ok"


chapters = None
if record is not None:
    chapters = pd.DataFrame(
        {
            "notebook": c["notebook"],
            "chapter": c.get("title") or c["notebook"],
            "status": status_of(c),
            "wall (s)": c.get("wall_s"),
            "CPU (s)": c.get("cpu_s"),
            "peak memory (MB)": None
            if not c.get("peak_memory_bytes")
            else c["peak_memory_bytes"] / MB,
            "headline results": headline_text(c.get("headline")),
        }
        for c in record["chapters"]
    ).set_index("notebook")
    chapters = chapters.astype({"wall (s)": float, "CPU (s)": float, "peak memory (MB)": float})
    measured_columns = ["CPU (s)", "peak memory (MB)"]
    unmeasured = [c for c in measured_columns if chapters[c].isna().all()]
    chapters = chapters.drop(columns=unmeasured)  # what this record's executor does not measure
    formats = {"wall (s)": "{:.1f}", "CPU (s)": "{:.1f}", "peak memory (MB)": "{:,.0f}"}
    display_table = chapters.style.format(
        {column: f for column, f in formats.items() if column in chapters}, na_rep="–"
    )
display_table if chapters is not None else print("Nothing has been executed yet.")

# %% tags=["hide-input"]
if chapters is None:
    fig, ax = plt.subplots(figsize=(6.4, 1.6))
    ax.axis("off")
    ax.text(0.5, 0.5, "Nothing has been executed yet: run `make book`.", ha="center", va="center")
else:
    order = chapters[chapters["wall (s)"].notna()].iloc[::-1]
    colors = [COURSE_COLORS[0] if s == "ok" else COURSE_COLORS[1] for s in order["status"]]
    has_memory = "peak memory (MB)" in order and order["peak memory (MB)"].notna().any()
    fig, axes = plt.subplots(
        1,
        2 if has_memory else 1,
        sharey=True,
        figsize=(8, 0.45 * len(order) + 1.4),
        squeeze=False,
        width_ratios=[3, 2] if has_memory else None,
    )
    ax_time = axes[0, 0]
    ax_time.barh(order.index, order["wall (s)"], color=colors, label="wall time")
    if "CPU (s)" in order and order["CPU (s)"].notna().any():
        ax_time.barh(
            order.index,
            order["CPU (s)"].fillna(0),
            fill=False,
            edgecolor=COURSE_COLORS[6],
            label="CPU time",
        )
    ax_time.set_xlabel("seconds")
    fig.legend(loc="outside lower center", ncol=2)
    if has_memory:
        axes[0, 1].barh(order.index, order["peak memory (MB)"].fillna(0), color=COURSE_COLORS[2])
        axes[0, 1].set_xlabel("peak memory (MB)")
    fig.suptitle(
        f"{len(order)} notebooks, {order['wall (s)'].sum() / 60:.1f} min in all ({record['source']})"
    )
glue("fig_bench_chapters", fig, display=False)
plt.close(fig)

# %% [markdown]
# ```{glue:figure} fig_bench_chapters
# :name: fig-bench-chapters
#
# Wall time of each notebook (filled bars; the other colour marks a reused or
# failed execution), CPU time (outlined) and peak memory where the record has
# them, from the record named in the title: `bench`, the cold benchmark;
# `nbmake`, CI's single execution; `jupyter-cache`, the reader's build.
# ```

# %% [markdown]
# ## The installed environment
#
# Everything the course needs is installed into `.venv` from the pinned versions in
# `requirements-lock.txt`. On Linux (x86-64) the project installs `tensorflow-cpu`,
# the build without GPU libraries; TensorFlow is still, by far, the largest part.

# %% tags=["hide-input"]
environment = None
if record is not None:
    env = record["environment"]
    environment = pd.DataFrame(env["largest_packages"]).set_index("name")
    environment["size (MB)"] = environment.pop("bytes") / MB
    print(f"{env['path']}: {env['bytes'] / GB:.2f} GB in all; largest packages:")
environment.style.format("{:,.0f}") if environment is not None else None

# %% [markdown]
# ## Reproducibility: seeds
#
# Every chapter starts with `set_seed()` from `helpers.repro`. With the default seed,
# {glue:text}`default_seed`, it seeds Python's `random` module, NumPy's global
# generator and Keras (which seeds TensorFlow), and it turns on TensorFlow's
# *op determinism*: TensorFlow then uses only kernels that give the same outputs
# for the same inputs on the same hardware
# ([TensorFlow documentation](https://www.tensorflow.org/api_docs/python/tf/config/experimental/enable_op_determinism)).
# The convention for chapters that need their own NumPy generator is to create it
# from the same seed (`np.random.default_rng(DEFAULT_SEED)`), and the train /
# validation / test split from `helpers.data` takes a fixed seed too, so chapters
# that use it test on the same examples.
#
# Here is the promise checked: a small network trained twice with the same seed,
# and once with another.

# %% tags=["remove-stderr"]
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import keras

data_rng = np.random.default_rng(DEFAULT_SEED)
x_demo = data_rng.normal(size=(256, 4)).astype("float32")
y_demo = (x_demo[:, 0] * x_demo[:, 1] > 0).astype("float32")


def build_demo(seed):
    """A tiny network, its weights initialized after seeding with `seed`."""
    set_seed(seed)
    return keras.Sequential(
        [
            keras.Input(shape=(4,)),
            keras.layers.Dense(16, activation="tanh"),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )


def train_demo(seed, nudge=False):
    """Train the tiny network; with `nudge`, first move one initial weight up by one float32 step."""
    model = build_demo(seed)
    if nudge:
        kernel = model.layers[0].kernel
        start = kernel.numpy()
        start[0, 0] = np.nextafter(start[0, 0], np.float32(np.inf))
        kernel.assign(start)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="binary_crossentropy")
    model.fit(x_demo, y_demo, epochs=20, batch_size=32, verbose=0)
    return np.concatenate([w.ravel() for w in model.get_weights()])


first = train_demo(DEFAULT_SEED)
second = train_demo(DEFAULT_SEED)
other = train_demo(DEFAULT_SEED + 1)
assert np.array_equal(first, second), "same seed, same machine: the weights must be identical"
assert not np.array_equal(first, other), "a different seed must give different weights"
glue("n_demo_weights", int(first.size), display=False)
glue("other_seed_max_diff", float(np.abs(first - other).max()), display=False)
print(f"same seed: {int(np.sum(first != second))} of {first.size} weights differ")
print(f"seed {DEFAULT_SEED + 1}: largest weight difference {np.abs(first - other).max():.3f}")

# %% [markdown]
# With the same seed, all {glue:text}`n_demo_weights` trained weights are
# bit-for-bit identical; with seed {glue:text}`default_seed` + 1 they differ by up
# to {glue:text}`other_seed_max_diff:.3f`: it is a different network.

# %% [markdown]
# ## What is identical, and what can differ
#
# **On one machine, with the pinned versions**, a chapter run twice gives the same
# numbers to the last bit, as above. **On another machine, or with other library
# versions**, numbers computed from training can differ. The root cause is that
# floating-point addition is not associative: adding the same numbers in another
# order can round differently.

# %%
values = np.random.default_rng(DEFAULT_SEED).normal(size=1_000_000).astype(np.float32)
pairwise = float(np.sum(values))  # NumPy adds in blocks (pairwise summation)
in_order = float(np.cumsum(values)[-1])  # one running total, left to right
reverse = float(np.cumsum(values[::-1])[-1])  # the same, right to left
exact = float(np.sum(values.astype(np.float64)))
assert len({pairwise, in_order, reverse}) > 1, "the orders are expected to round differently"
sums = pd.Series(
    {
        "pairwise": pairwise,
        "left to right": in_order,
        "right to left": reverse,
        "float64 reference": exact,
    }
)
glue(
    "order_max_diff",
    float(max(abs(s - exact) for s in (pairwise, in_order, reverse))),
    display=False,
)
sums.to_frame("sum of one million float32 numbers")

# %% [markdown]
# The same million numbers, added in three orders, give different float32 sums
# (up to {glue:text}`order_max_diff:.2g` away from the float64 reference). A
# training run performs billions of additions, and the order they happen in
# depends on:
#
# - **the CPU**: TensorFlow's oneDNN kernels are specialized for the processor's
#   vector instructions, which can change the order of computation; TensorFlow
#   itself warns at start-up that
#   you "may see slightly different numerical results due to floating-point
#   round-off errors from different computation orders";
# - **the number of threads**, which splits sums into different partial sums;
# - **library versions**: a new TensorFlow, Keras or NumPy may change a kernel, an
#   initializer or a random-number stream; NumPy, for example, promises the same
#   random stream only for the same build on the same machine
#   ([NumPy's compatibility policy](https://numpy.org/doc/stable/reference/random/compatibility.html)).
#   `requirements-lock.txt` pins the versions this book was built with.
#
# A difference in the last bit does not stay there. Below, one initial weight of
# the network above is moved by a single float32 step (the smallest change there
# is), everything else equal:

# %%
initial = build_demo(DEFAULT_SEED).layers[0].kernel.numpy()[0, 0]
one_step = float(np.nextafter(initial, np.float32(np.inf)) - initial)
nudged = train_demo(DEFAULT_SEED, nudge=True)
grown = float(np.abs(first - nudged).max())
assert grown > one_step, "training carried the one-step change forward"
glue("one_step", one_step, display=False)
glue("nudge_growth", grown / one_step, display=False)
print(f"initial change {one_step:.2g}; after training, largest weight difference {grown:.2g}")

# %% [markdown]
# A change of {glue:text}`one_step:.2g` in one starting weight became a difference
# about {glue:text}`nudge_growth:,.0f` times larger after twenty epochs: training
# carries a rounding difference forward and amplifies it. How far it goes on your
# machine cannot be known in advance, but there is a yardstick: a run that differs
# from the book's by about as much as two seeds differ from each other is behaving
# normally. So the tolerance for *your* numbers is the across-seed spread.

# %% [markdown]
# ## The tolerance to expect
#
# - **Exactly the same** on any machine with the pinned versions: results that
#   involve no training and no long floating-point sums, such as data counts,
#   duplicates, class balance, parameter counts and the split (scikit-learn's
#   seeded splitter shuffles integer positions, so rounding plays no part).
# - **The same to the last bit** when you rerun a chapter on the same machine with
#   the same versions: everything, including trained models.
# - **Within the across-seed spread** on another machine or with other versions:
#   metrics of trained models (accuracy, F1, losses). If your number is within about
#   two across-seed standard deviations of the book's, your run agrees with the
#   book. A larger gap means something else differs: check your versions against
#   `requirements-lock.txt` and your data against `helpers/checksums.sha256`
#   (`make data` verifies them).
#
# The sentiment chapters train each network with several seeds and report the mean
# and standard deviation over them. This page reads their per-seed results from
# their results cache (it trains nothing) and puts the spread in numbers:
#
# ```{glue:md} sentiment_tolerance
# :format: myst
# ```

# %% tags=["hide-input"]
import importlib.util

from sklearn.metrics import f1_score


def sentiment_seed_results():
    """Test accuracy and macro F1 of each cached sentiment network, one row per seed.

    Reads only the runs the sentiment chapters stored (``sm.cached_runs``, the
    read-only side of the results cache); returns None without them.
    """
    if importlib.util.find_spec("helpers.sentiment_models") is None:
        return None
    import helpers.sentiment_models as sm

    rows = []
    for task in sm.TASKS:
        data = sm.load_task(task)
        truth = data.test["label"].to_numpy()
        for kind in sm.NEURAL_KINDS:
            for run in sm.cached_runs(data, sm.ModelConfig(kind=kind)):
                f1 = f1_score(truth, run.test_pred, labels=list(data.labels), average="macro")
                rows.append(
                    {
                        "task": task,
                        "model": sm.METHOD_NAMES.get(kind, kind),
                        "seed": int(run.seed),
                        "test accuracy (%)": 100 * run.accuracy(truth),
                        "test macro F1 (%)": 100 * float(f1),
                    }
                )
    return pd.DataFrame(
        rows, columns=["task", "model", "seed", "test accuracy (%)", "test macro F1 (%)"]
    )


per_seed = sentiment_seed_results()
spread = None
if per_seed is not None and not per_seed.empty:
    grouped = per_seed.groupby(["task", "model"], sort=False)
    spread = grouped[["test accuracy (%)", "test macro F1 (%)"]].agg(["mean", "std", "min", "max"])
    spread.insert(0, ("seeds", ""), grouped["seed"].nunique())
    spread = spread[spread[("seeds", "")] >= 2]
if spread is None or spread.empty:
    where = "" if per_seed is None else " in this build folder"
    tolerance = (
        f"No per-seed sentiment results are cached{where} yet, so this build cannot show "
        "the spread: they appear once the sentiment chapters have run (`make book` or "
        "`make bench`). Chapter 11 reports the mean ± standard deviation over seeds."
    )
else:
    widest = float(spread[("test accuracy (%)", "std")].max())
    tolerance = (
        f"Across {int(spread[('seeds', '')].min())} or more seeds, the standard deviation of "
        f"test accuracy of the sentiment networks is at most **{widest:.1f} percentage "
        f"points** (table below), so a reader's test accuracy within about "
        f"**{2 * widest:.1f} points** of the book's agrees with it."
    )
    glue("sentiment_widest_std_points", round(widest, 2), display=False)
glue("sentiment_tolerance", Markdown(tolerance), display=False)
spread.style.format(
    "{:.1f}", subset=spread.columns[1:]
) if spread is not None and not spread.empty else None

# %% [markdown]
# ## Summary
#
# - Every build records what executing each notebook cost: `make book` through
#   jupyter-cache, CI's single nbmake execution, and `make bench`, which executes
#   every chapter cold and records wall time, CPU time, peak memory and headline
#   results. This page renders the freshest record and says which one it is.
# - The budgets, on a two-core laptop: a cold book in under
#   {glue:text}`budget_cold_min:.0f` minutes, a rebuild with nothing changed in
#   under {glue:text}`budget_rebuild_s:.0f` seconds, and the part "Large
#   pretrained models" in under {glue:text}`budget_part_min:.0f` minutes of the
#   cold book. The table above says which of them this record meets.
# - One seed, {glue:text}`default_seed`, set by `helpers.repro.set_seed`, makes
#   every run on one machine identical to the last bit.
# - Across machines and versions, trained results differ by about as much as
#   changing the seed does; compare your numbers with the across-seed spread.
#
# ## Exercises
#
# ```{exercise}
# :label: runtime-ex1
#
# Run `make bench` on your own machine and compare its table with the one above.
# Which chapters scale with the number of cores, and how can you tell from the CPU
# and wall columns?
# ```
#
# ```{exercise}
# :label: runtime-ex2
#
# Train the demonstration network with three other seeds and record, for each, the
# largest weight difference from the default-seed network. Compare them with the
# difference the one-step nudge produced.
# ```
#
# ```{solution-start} runtime-ex1
# :class: dropdown
# ```
#
# A chapter whose CPU time is well above its wall time used several cores; on a
# machine with more cores its wall time can shrink, while a chapter whose CPU time
# is close to its wall time runs on one core and only a faster core helps it.
#
# ```{solution-end}
# ```
#
# ```{solution-start} runtime-ex2
# :class: dropdown
# ```

# %%
seed_differences = [float(np.abs(first - train_demo(seed)).max()) for seed in (1, 2, 3)]
assert min(seed_differences) > grown  # a new seed moves the weights far more than the nudge
glue("seed_difference_min", min(seed_differences), display=False)
[round(difference, 3) for difference in seed_differences]

# %% [markdown]
# Every other seed ends at least {glue:text}`seed_difference_min:.2f` away from the
# default-seed network, against {glue:text}`one_step:.2g` growing to about
# {glue:text}`nudge_growth:,.0f` times that for the nudge: a new seed moves every
# starting weight, the nudge moved one by one step.
#
# ```{solution-end}
# ```
