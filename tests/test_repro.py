from __future__ import annotations

import random

import keras  # imported first, as a chapter does, so that set_seed seeds it
import numpy as np
import pytest

from helpers.repro import DEFAULT_SEED, set_seed


def _draws() -> tuple[float, float, float]:
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


def _run_python(code: str) -> str:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    return done.stdout.strip()


def test_seeding_without_keras_does_not_import_tensorflow() -> None:
    code = (
        "import sys; from helpers.repro import set_seed; set_seed(); "
        "print('tensorflow' in sys.modules, 'keras' in sys.modules)"
    )
    assert _run_python(code) == "False False"


def test_seeding_after_importing_keras_seeds_it() -> None:
    code = (
        "import keras; from helpers.repro import set_seed\n"
        "set_seed(3); a = float(keras.random.uniform(()).numpy())\n"
        "set_seed(3); b = float(keras.random.uniform(()).numpy())\n"
        "print(a == b)"
    )
    assert _run_python(code) == "True"


def test_tensorflow_true_imports_and_seeds_it() -> None:
    code = (
        "import sys; from helpers.repro import set_seed; set_seed(tensorflow=True); "
        "print('tensorflow' in sys.modules)"
    )
    assert _run_python(code) == "True"


def test_tensorflow_loaded_reports_the_import() -> None:
    import keras  # noqa: F401 -- the import is what is being detected

    from helpers.repro import tensorflow_loaded

    assert tensorflow_loaded()
