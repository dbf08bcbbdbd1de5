"""Reproducibility: one call seeds every random number generator the course uses."""

from __future__ import annotations

import os
import random

import numpy as np

DEFAULT_SEED = 42
"""The seed every chapter uses unless it says otherwise."""


def set_seed(seed: int = DEFAULT_SEED, *, deterministic_ops: bool = True) -> int:
    """Seed Python's ``random``, NumPy and TensorFlow/Keras with ``seed``.

    With ``deterministic_ops`` (the default) TensorFlow is also asked to use
    deterministic kernels, so that two runs on the same CPU give the same
    numbers. Returns the seed, so a notebook can print or glue it.

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
    import keras  # deferred: importing TensorFlow takes seconds
    import tensorflow as tf

    keras.utils.set_random_seed(seed)
    if deterministic_ops:
        tf.config.experimental.enable_op_determinism()
    return seed
