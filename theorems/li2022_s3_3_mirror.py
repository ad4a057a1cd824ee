"""li2022 §3.3 -- mirror flow and its implicit bias (Theorem 3.8).

Li, Wang, Lee, Arora (NeurIPS 2022), *Implicit Bias of Gradient Descent on Reparametrized Models*,
§3.3, eq. (8) and Theorem 3.8 (Gunasekar et al. 2018 for mirror descent).
"""
from __future__ import annotations

from hypothesis import event, given
from hypothesis import strategies as st

from generators.arrays import positive_vectors, vectors
from generators.regression import data_matrices, potentials, targets
from oracles.model.potentials import EntropyPotential, PowerPotential
from oracles.checks.limits import mf_limit_vs_projection
from oracles.model.losses import LeastSquares, LogCosh
from theorems import universal

LOSSES = {"least-squares": LeastSquares, "log-cosh": LogCosh}


@st.composite
def mirror_cases(draw, kinds=("euclidean", "entropy", "hypentropy", "pnorm", "power")):
    """``(R, Z, Y, w_init, loss)``: a potential, underdetermined data interpolable inside dom R, a start in dom R."""
    Z = draw(data_matrices(max_n=2, max_extra=2))
    n, d = Z.shape
    R = draw(potentials(d, kinds=kinds))
    orthant = isinstance(R, (EntropyPotential, PowerPotential))
    if orthant:
        w_init = draw(positive_vectors(d, 0.2, 3.0))
        Y = Z @ draw(positive_vectors(d, 0.2, 3.0))
    else:
        w_init = draw(vectors(d, 0.0, 1.0))
        Y = draw(targets(n))
    loss = draw(st.sampled_from(sorted(LOSSES)))
    return R, Z, Y, w_init, loss


@universal("li2022:thm-3.8", title="a mirror flow on L~(Zw) that interpolates ends at the Bregman projection of w0",
           source="li2022 §3.3, Theorem 3.8", fields=("R", "Z", "Y", "w_init", "loss"))
@given(case=mirror_cases())
def test_thm_3_8(case):
    r"""For :math:`L(w) = \tilde L(Zw)`, if the mirror flow :math:`d\nabla R(w) = -\nabla L(w)dt` from :math:`w_0`
    converges to :math:`w_\infty` with :math:`Zw_\infty = Y`, then :math:`D_R(w_\infty, w_0) = \min_{Zw=Y}D_R(w, w_0)`.

    R ranges over the Euclidean potential, the entropy (two scalings), the arcsinh potential of Cor. 4.17
    (u0 ≠ v0, scales 0.1–3), the p-norm potentials (p = 3, 1.5) and the potential of x⊙3; the loss is
    least squares or log-cosh on underdetermined data whose interpolants meet int dom R. The flow is
    integrated in primal coordinates (dual for the p-norms, see the oracle) on doubling horizons until w
    changes by less than 1e-11 over a doubling, and compared with the dual-Newton Bregman projection.
    Budget: ten times (change over the last doubling + the rtol 1e-8 vs 1e-11 difference + the
    projection's Newton-step error), at least 1e-9.
    """
    R, Z, Y, w_init, loss = case
    event(R.name)
    event(loss)
    return mf_limit_vs_projection(R, LOSSES[loss](Z, Y), w_init)
