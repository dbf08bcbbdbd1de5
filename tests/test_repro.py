from __future__ import annotations

import random

import numpy as np
import pytest

from helpers.repro import DEFAULT_SEED, set_seed


def _draws() -> tuple[float, float, float]:
    import keras

    return (
        random.random(),
        float(np.random.rand()),  # noqa: NPY002 -- the legacy global generator is what set_seed seeds
        float(keras.random.uniform(()).numpy()),
    )


def test_same_seed_gives_same_numbers() -> None:
    set_seed(7)
    first = _draws()
    set_seed(7)
    assert _draws() == first


def test_different_seeds_give_different_numbers() -> None:
    set_seed(1)
    first = _draws()
    set_seed(2)
    second = _draws()
    assert all(a != b for a, b in zip(first, second, strict=True))


def test_returns_the_seed() -> None:
    assert set_seed() == DEFAULT_SEED


@pytest.mark.parametrize("bad", [-1, 2**32, 1.5, "42", True])
def test_rejects_bad_seeds(bad: object) -> None:
    with pytest.raises((TypeError, ValueError)):
        set_seed(bad)  # type: ignore[arg-type]
