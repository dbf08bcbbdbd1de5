"""Reproducibility: one call seeds every random number generator the course uses."""

from __future__ import annotations

import os
import random
import sys

import numpy as np

DEFAULT_SEED = 42
"""The seed every chapter uses unless it says otherwise."""


def tensorflow_loaded() -> bool:
    """Whether Keras or TensorFlow has been imported in this process."""
    return "keras" in sys.modules or "tensorflow" in sys.modules


def set_seed(
    seed: int = DEFAULT_SEED,
    *,
    deterministic_ops: bool = True,
    tensorflow: bool | None = None,
) -> int:
    """Seed Python's ``random``, NumPy and, when it is in use, TensorFlow/Keras.

    ``tensorflow=None`` (the default) seeds Keras and TensorFlow only if one of
    them has already been imported: a chapter that never uses TensorFlow does not
    pay seconds and hundreds of megabytes to import it. So import Keras *before*
    calling ``set_seed()`` in a chapter that trains a network (every chapter
    does), or pass ``tensorflow=True`` to import and seed it regardless;
    ``tensorflow=False`` never touches it. With ``deterministic_ops`` (the
    default) TensorFlow is also asked to use deterministic kernels, so that two
    runs on the same CPU give the same numbers. Returns the seed, so a notebook
    can print or glue it.

    Raises:
        TypeError: if ``seed`` is not an integer.
        ValueError: if ``seed`` is negative or does not fit in 32 bits.
    """
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise TypeError(f"seed must be an integer, got {type(seed).__name__}: {seed!r}")
    if not 0 <= int(seed) < 2**32:
        raise ValueError(f"seed must be in [0, 2**32), got {seed}")
    seed = int(seed)
    os.environ["PYTHONHASHSEED"] = str(seed)
    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002 -- legacy global state that some libraries still read
    if tensorflow is None:
        tensorflow = tensorflow_loaded()
    if tensorflow:
        import keras  # deferred: importing TensorFlow takes seconds
        import tensorflow as tf

        keras.utils.set_random_seed(seed)
        if deterministic_ops:
            tf.config.experimental.enable_op_determinism()
    return seed
