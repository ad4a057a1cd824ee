"""The reference kernel every other benchmark is divided by when ``make bench`` compares two runs.

A shared or throttled machine slows everything it runs alike, CPU time included (two identical ``make bench``
runs here differed by −27% … +27% in their minima while another job ran beside them). A ratio to a kernel
timed in the same run cancels that: the kernel is the kind of work the solvers do — a small ``solve_ivp``
(Python-bound stepping, as in every flow) and a dense matrix product with a Cholesky factorization
(BLAS-bound, as in the projections) — and does not change when the project's code does.
See :mod:`tests.benchmarks.compare`.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import solve_ivp
from scipy.linalg import cho_factor

_M = np.array([[-1.0, 2.0, 0.0, 0.5], [-2.0, -1.0, 0.3, 0.0], [0.0, -0.3, -0.5, 1.0], [-0.5, 0.0, -1.0, -0.2]])
_Y0 = np.array([1.0, 0.5, -0.25, 2.0])
_Z = np.random.default_rng(20261130).standard_normal((300, 600))


def reference_kernel() -> float:
    """A DOP853 solve of a 4-dimensional linear ODE at rtol 1e-10 and a 300×600 Gram matrix's Cholesky factor."""
    sol = solve_ivp(lambda t, y: _M @ y, (0.0, 5.0), _Y0, method="DOP853", rtol=1e-10, atol=1e-12)
    c, _ = cho_factor(_Z @ _Z.T + np.eye(300))
    return float(sol.y[0, -1] + c[0, 0])


@pytest.mark.benchmark(group="reference kernel (the unit of make bench's comparison)")
def test_reference_kernel(benchmark) -> None:
    value = benchmark(reference_kernel)
    assert np.isfinite(value)
