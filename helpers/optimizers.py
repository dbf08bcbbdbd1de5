"""Gradient-descent optimizers written out in NumPy, step for step as Keras 3 does them.

Each class updates a list of NumPy arrays **in place**, the way a Keras
optimizer updates its variables::

    optimizer = Adam(learning_rate=0.001)
    optimizer.apply_gradients(params, grads)   # params[i] -= step computed from grads[i]

The update rules are those of ``keras/src/optimizers/sgd.py`` and ``adam.py``
(Keras 3), including the order of operations, so ``tests/test_optimizers.py``
can check that both take the same steps:

- :class:`SGD` with ``momentum = 0``: ``w <- w - lr * g``.
- :class:`SGD` with momentum ``m``: ``v <- m v - lr g``; ``w <- w + v``
  (Nesterov: ``w <- w + m v - lr g`` with the new ``v``).
- :class:`Adam`: ``m <- m + (g - m)(1 - beta_1)``; ``v <- v + (g**2 - v)(1 - beta_2)``;
  ``w <- w - alpha m / (sqrt(v) + epsilon)`` with
  ``alpha = lr sqrt(1 - beta_2**t) / (1 - beta_1**t)``. Keras (like the Adam
  paper's "efficient version") adds ``epsilon`` to ``sqrt(v)``, not to the
  bias-corrected ``sqrt(v_hat)``.

Arithmetic happens in each parameter's own dtype (hyperparameters are cast to
it), as in Keras. One difference remains in float64 only: Keras stores the
learning rate in a float32 variable and converts ``beta_1`` and ``beta_2`` to
float32 before raising them to the power ``t``, so in float64 the two agree to
round-off only for hyperparameters that float32 represents exactly (such as
0.125, 0.875 or 1 - 2**-10). In float32, the Keras default, they agree for all.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.floating]


class Optimizer:
    """Common bookkeeping: hyperparameter checks, state per parameter, step counter."""

    def __init__(self, learning_rate: float) -> None:
        if not np.isfinite(learning_rate) or learning_rate <= 0:
            raise ValueError(f"learning_rate must be a positive number, got {learning_rate}")
        self.learning_rate = float(learning_rate)
        self.iterations = 0
        """How many updates have been applied (Keras' ``optimizer.iterations``)."""
        self._shapes: list[tuple[tuple[int, ...], np.dtype]] | None = None

    def _check(self, params: Sequence[Array], grads: Sequence[Array]) -> None:
        if len(params) != len(grads):
            raise ValueError(f"got {len(params)} parameters but {len(grads)} gradients")
        for index, (param, grad) in enumerate(zip(params, grads, strict=True)):
            if not isinstance(param, np.ndarray) or not np.issubdtype(param.dtype, np.floating):
                raise TypeError(
                    f"parameter {index} must be a floating-point NumPy array (updated in place), "
                    f"got {type(param).__name__}"
                )
            if np.shape(grad) != param.shape:
                raise ValueError(
                    f"gradient {index} has shape {np.shape(grad)} but its parameter has "
                    f"shape {param.shape}"
                )
            if not np.all(np.isfinite(grad)):
                raise ValueError(
                    f"gradient {index} contains NaN or infinity; the loss has probably diverged "
                    "(try a smaller learning rate)"
                )
        shapes = [(p.shape, p.dtype) for p in params]
        if self._shapes is None:
            self._shapes = shapes
            self._build(params)
        elif shapes != self._shapes:
            raise ValueError(
                "this optimizer was built for parameters with shapes/dtypes "
                f"{self._shapes}, got {shapes}; use one optimizer per set of parameters"
            )

    def _build(self, params: Sequence[Array]) -> None:
        """Create per-parameter state (none by default)."""

    def _update(self, index: int, param: Array, grad: Array) -> None:
        raise NotImplementedError

    def apply_gradients(self, params: Sequence[Array], grads: Sequence[Array]) -> None:
        """Update every array in ``params`` in place, using the matching gradient."""
        self._check(params, grads)
        for index, (param, grad) in enumerate(zip(params, grads, strict=True)):
            self._update(index, param, np.asarray(grad, dtype=param.dtype))
        self.iterations += 1


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with (Nesterov) momentum; Keras defaults."""

    def __init__(
        self, learning_rate: float = 0.01, momentum: float = 0.0, nesterov: bool = False
    ) -> None:
        super().__init__(learning_rate)
        if not 0.0 <= momentum <= 1.0:
            raise ValueError(f"momentum must be between 0 and 1, got {momentum}")
        self.momentum = float(momentum)
        self.nesterov = bool(nesterov)
        self.velocities: list[Array] = []

    def _build(self, params: Sequence[Array]) -> None:
        self.velocities = [np.zeros_like(p) for p in params] if self.momentum != 0 else []

    def _update(self, index: int, param: Array, grad: Array) -> None:
        lr = param.dtype.type(self.learning_rate)
        if self.momentum == 0:
            param -= grad * lr
            return
        momentum = param.dtype.type(self.momentum)
        velocity = self.velocities[index]
        velocity[...] = velocity * momentum - grad * lr
        if self.nesterov:
            param += velocity * momentum - grad * lr
        else:
            param += velocity


class Adam(Optimizer):
    """Adam (Kingma & Ba) with Keras' defaults and Keras' placement of ``epsilon``."""

    def __init__(
        self,
        learning_rate: float = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
    ) -> None:
        super().__init__(learning_rate)
        for name, beta in (("beta_1", beta_1), ("beta_2", beta_2)):
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"{name} must be in [0, 1), got {beta}")
        if epsilon < 0:
            raise ValueError(f"epsilon must be non-negative, got {epsilon}")
        self.beta_1 = float(beta_1)
        self.beta_2 = float(beta_2)
        self.epsilon = float(epsilon)
        self.momentums: list[Array] = []
        self.velocities: list[Array] = []

    def _build(self, params: Sequence[Array]) -> None:
        self.momentums = [np.zeros_like(p) for p in params]
        self.velocities = [np.zeros_like(p) for p in params]

    def _update(self, index: int, param: Array, grad: Array) -> None:
        cast = param.dtype.type
        step = cast(self.iterations + 1)
        alpha = (
            cast(self.learning_rate)
            * np.sqrt(cast(1) - cast(self.beta_2) ** step)
            / (cast(1) - cast(self.beta_1) ** step)
        )
        m, v = self.momentums[index], self.velocities[index]
        m += (grad - m) * cast(1 - self.beta_1)
        v += (np.square(grad) - v) * cast(1 - self.beta_2)
        param -= (m * alpha) / (np.sqrt(v) + cast(self.epsilon))
