"""Bounded minimisation for the calibration's maximum likelihood fits, and their bounds."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from scipy import optimize

__all__ = ["LOG_MEDIAN_BOUNDS", "LOG_SIGMA_BOUNDS", "TINY", "minimize_within"]

LOG_SIGMA_BOUNDS = (math.log(0.02), math.log(6.0))
"""Bounds of a lognormal's log sigma."""
LOG_MEDIAN_BOUNDS = (0.0, math.log(1e6))
"""Bounds of a lognormal's log median (days)."""
TINY = 1e-300
"""Floor of a probability before its log."""
_PENALTY = 1e4


def minimize_within(
    fun: Callable[[np.ndarray], Any],
    x0: np.ndarray,
    bounds: list[tuple[float, float]],
    jac: bool = True,
) -> tuple[np.ndarray, bool, int]:
    """Minimise `fun` (returning value and gradient when `jac`) within `bounds`.

    BFGS on the function plus a steep quadratic penalty outside the bounds, the result clipped
    to them. (scipy's L-BFGS-B calls a second OpenBLAS whose threads fight numpy's for the
    cores, which made it several times slower here; these problems have at most ~40
    parameters.) Returns the minimiser, whether it converged (BFGS's success, or its stop for
    loss of precision with a gradient that is flat to the problem's scale) and the iterations.
    """
    lower = np.array([b[0] for b in bounds], dtype="float64")
    upper = np.array([b[1] for b in bounds], dtype="float64")

    def penalised(x: np.ndarray) -> Any:
        below = np.minimum(x - lower, 0.0)
        above = np.maximum(x - upper, 0.0)
        penalty = _PENALTY * float(below @ below + above @ above)
        if not jac:
            return float(fun(x)) + penalty
        value, grad = fun(x)
        return value + penalty, grad + 2.0 * _PENALTY * (below + above)

    start = np.clip(np.asarray(x0, dtype="float64"), lower, upper)
    result = optimize.minimize(
        penalised, start, jac=jac or None, method="BFGS", options={"maxiter": 2000}
    )
    x = np.clip(result.x, lower, upper)
    gradient = np.asarray(result.jac, dtype="float64")
    flat = bool(np.all(np.isfinite(gradient))) and float(np.max(np.abs(gradient))) < 0.05
    converged = bool(result.success) or (result.status == 2 and flat)
    return x, converged, int(result.nit)
