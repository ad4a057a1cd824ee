r"""Strategies for two-layer linear networks (tarmoun2021, min2021): sizes, data, initializations.

Every strategy returns a ``dict`` of JSON-encodable values (numpy arrays, floats, ints) whose keys
are the keyword arguments of the matching oracle in :mod:`oracles.flows.linear_nets`. Sizes are small
(m, n ≤ 3, k ≤ 4) and shrink to 1; matrices are built as ``center + offset`` with the offsets
shrinking to zero and orthogonal factors shrinking to the identity, so a shrunk example is an
identity-like instance with unit-ish scales (never the rest point U = V = 0, never ℓ₀ = ℓ*).

* :func:`sizes` -- (m, n, k), k ≥ min(m, n) by default (the setting of min2021).
* :func:`well_conditioned_data` -- X (N×m) of a given rank with :math:`\lambda_{max}(\Sigma_x) = 1`
  (or a chosen scale) and condition number ≤ ``kappa_max``.
* :func:`scalar_cases` -- (u0, v0, y, tau) for the scalar closed form and rate, balanced or not.
* :func:`conservation_cases` -- random (U0, V0, Y) with or without X.
* :func:`spectral_cases` -- Φ, Ψ, Q, σ, u, v of a spectral initialization.
* :func:`kawaguchi_cases` -- deep linear networks with a set of zero factors (Kawaguchi's saddles).
* :func:`homogeneous_cases` -- (U0, V0, Y) with homogeneous imbalance U0ᵀU0 − V0ᵀV0 = λI (the Riccati case).
* :func:`rate_cases` -- instances satisfying min2021's *sufficient imbalance* or *sufficient
  margin* conditions, plus the scalar cases where the rate bound is (nearly) an equality.
* :func:`orthogonal_cases` -- rank-deficient X and min2021's orthogonal initialization
  (:math:`V U_2^\top = 0`, :math:`U_1U_2^\top = 0`) with sufficient (V-side) imbalance.
* :func:`width_cases` -- rank-deficient X, Y, a width k and a seed for N(0, 1/k) initializations.
"""

from __future__ import annotations

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st

from generators.arrays import cached, dims, log_scales, offsets, orthogonal, positive_vectors


@cached
@st.composite
def sizes(
    draw: st.DrawFn,
    max_m: int = 3,
    max_n: int = 3,
    max_k: int = 4,
    k_at_least_min: bool = True,
    min_m: int = 1,
    min_n: int = 1,
) -> tuple[int, int, int]:
    """``(m, n, k)`` with ``k ≥ min(m, n)`` when ``k_at_least_min`` (else k ≥ 1), shrinking to the smallest."""
    m = draw(dims(min_m, max_m))
    n = draw(dims(min_n, max_n))
    lo = min(m, n) if k_at_least_min else 1
    k = draw(st.integers(lo, max(lo, max_k)))
    return m, n, k


@cached
def near_identity(rows: int, cols: int, spread: float = 1.0) -> st.SearchStrategy[np.ndarray]:
    """``I_{rows×cols} + offset`` with offsets in ``[-spread, spread]``, shrinking to the rectangular identity."""
    return offsets((rows, cols), spread).map(lambda E: np.eye(rows, cols) + E)


def _unit(A: np.ndarray, fallback: np.ndarray, order: int | None = None) -> np.ndarray:
    """``A`` normalized (Frobenius or spectral norm), or ``fallback`` normalized when A is ~0."""
    nrm = np.linalg.norm(A, order)
    if nrm < 1e-8:
        A, nrm = fallback, np.linalg.norm(fallback, order)
    return A / nrm


@cached
@st.composite
def well_conditioned_data(
    draw: st.DrawFn, N: int, m: int, rank: int | None = None, kappa_max: float = 4.0, lam_max: float = 1.0
) -> np.ndarray:
    r"""X (N×m) of rank ``rank`` (default min(N, m)) with :math:`\lambda_{max}(X^\top X)` = ``lam_max`` and
    non-zero eigenvalues in ``[lam_max/kappa_max, lam_max]``.

    Built as :math:`X = P_{:,:r}\,\mathrm{diag}(s)\,\Phi_{:,:r}^\top` with P, Φ orthogonal (shrinking to
    the identity) and :math:`s_1 = \sqrt{\lambda_{max}}`, the others shrinking to it too.
    """
    r = min(N, m) if rank is None else rank
    P = draw(orthogonal(N, 2.0))
    Phi = draw(orthogonal(m, 2.0))
    lo = 1.0 / np.sqrt(kappa_max)
    rest = draw(offsets((r,), 1.0 - lo)) if r > 1 else np.zeros(r)
    s = np.sqrt(lam_max) * (1.0 - np.abs(rest))
    s[0] = np.sqrt(lam_max)
    return P[:, :r] @ np.diag(s) @ Phi[:, :r].T


def _perp_residual(X: np.ndarray, G: np.ndarray) -> np.ndarray:
    """The part of G orthogonal to range(X)."""
    Qx, sx, _ = np.linalg.svd(X, full_matrices=False)
    Qx = Qx[:, sx > 1e-12 * max(sx[0], 1e-300)]
    return G - Qx @ (Qx.T @ G)


# ------------------------------------------------------------------------------------ scalar
@st.composite
def scalar_cases(draw: st.DrawFn, balanced: bool | None = None) -> dict:
    r"""``{u0, v0, y, tau}`` for the scalar flow: |y| in [0.25, 3] (shrinking to 1), tau (the horizon in
    units of 1/rate) in [0.5, 8]. Generic starts shrink to (u0, v0) = (1, 0.5); balanced ones
    (:math:`\lambda_0 = 0`) have :math:`u_0v_0` of the sign of y, so that x converges to y."""
    y = float(draw(positive_vectors(1, 0.25, 3.0))[0]) * (-1.0 if draw(st.booleans()) else 1.0)
    if balanced is None:
        balanced = draw(st.booleans())
    if balanced:
        a = float(draw(positive_vectors(1, 0.1, 2.0))[0])
        u0, v0 = a, a * np.sign(y)
    else:
        # odd factors keep Hypothesis's favourite floats (0, ±0.5, ±1, ...) from making |u0| = |v0| or
        # u0 v0 = y by coincidence: balanced starts have their own branch
        u0 = 1.0 + 0.93 * float(draw(st.floats(-2.7, 1.6)))
        v0 = 0.5 + 0.77 * float(draw(st.floats(-2.6, 2.6)))
    tau = float(draw(st.floats(0.5, 8.0)))
    return {"u0": float(u0), "v0": float(v0), "y": float(y), "tau": tau}


@st.composite
def scalar_checks(draw: st.DrawFn) -> tuple[str, dict]:
    """``(kind, case)``: which scalar check (``"closed form"`` or ``"rate"``) and a :func:`scalar_cases` instance
    (moved from :mod:`theorems.tarmoun2021_min2021`, same draws)."""
    return draw(st.sampled_from(["closed form", "rate"])), draw(scalar_cases())


@st.composite
def wrong_sign_balanced_cases(draw: st.DrawFn) -> dict:
    r"""``{u0, v0, y, tau}``: balanced starts (:math:`\lambda_0 = 0`) with :math:`u_0v_0` of the sign *opposite* to y
    (P12), where x = uv tends to 0, not y; otherwise as :func:`scalar_cases`."""
    case = draw(scalar_cases(balanced=True))
    case["v0"] = -case["v0"]
    return case


# ------------------------------------------------------------------------------- conservation
@st.composite
def conservation_cases(draw: st.DrawFn, with_X: bool | None = None) -> dict:
    """``{U0, V0, Y, X, t_max}``: any small sizes (k ≥ 1), identity-like factors at scales in [0.3, 2],
    Y = 2I + offset, and (optionally) any N×m X (N ≤ 4) -- conservation needs no condition."""
    m, n, k = draw(sizes(k_at_least_min=False))
    U0 = draw(near_identity(m, k, 1.5)) * draw(log_scales(0.3, 2.0))
    V0 = draw(near_identity(n, k, 1.5)) * draw(log_scales(0.3, 2.0))
    if with_X is None:
        with_X = draw(st.booleans())
    X = None
    rows = m
    if with_X:
        rows = draw(dims(1, 4))
        X = draw(near_identity(rows, m, 1.0))
    Y = 2.0 * np.eye(rows, n) + draw(offsets((rows, n), 1.5))
    t_max = float(draw(st.floats(0.5, 3.0)))
    return {"U0": U0, "V0": V0, "Y": Y, "X": X, "t_max": t_max}


# ----------------------------------------------------------------------------------- spectral
@st.composite
def spectral_cases(draw: st.DrawFn, max_m: int = 3, max_n: int = 3, max_k: int = 4) -> dict:
    r"""``{Phi, Psi, Q, sigma, u, v, tau}``: :math:`Y = \Phi\,\mathrm{diag}(\sigma)\Psi^\top`,
    :math:`U_0 = \Phi D_uQ^\top`, :math:`V_0 = \Psi D_vQ^\top`; any k ≥ 1; σ in [0.25, 3] (shrinking
    to ones), u around 1 and v around 0.5 (both signs, so imbalances of both signs occur)."""
    m, n, k = draw(sizes(max_m, max_n, max_k, k_at_least_min=False))
    Phi, Psi, Q = draw(orthogonal(m, 2.0)), draw(orthogonal(n, 2.0)), draw(orthogonal(k, 2.0))
    sigma = draw(positive_vectors(min(m, n), 0.25, 3.0))
    u = 1.0 + draw(offsets((min(m, k),), 2.0))
    v = 0.5 + draw(offsets((min(n, k),), 2.0))
    tau = float(draw(st.floats(0.5, 6.0)))
    return {"Phi": Phi, "Psi": Psi, "Q": Q, "sigma": sigma, "u": u, "v": v, "tau": tau}


@st.composite
def homogeneous_cases(draw: st.DrawFn, max_m: int = 3, max_n: int = 3) -> dict:
    r"""``{U0, V0, Y, tau}`` with homogeneous imbalance :math:`U_0^\top U_0 - V_0^\top V_0 = \lambda I_k` (tarmoun2021's
    Riccati case), not spectral in general: λ of either sign with |λ| in [0.1, 2]; for λ > 0 (k ≤ m) V0 is any
    n × k matrix (identity-like at scale [0.3, 1.5]) and :math:`U_0 = O(V_0^\top V_0 + \lambda I)^{1/2}` with O an m × k
    matrix of orthonormal columns (a drawn rotation's first k); for λ < 0 the roles swap (k ≤ n). Y is any
    m × n matrix around 1.5·I; tau (the horizon in units of 1/rate) in [0.5, 6]. Shrinks to a spectral
    instance (O = I, V0 = I)."""
    m, n = draw(dims(1, max_m)), draw(dims(1, max_n))
    lam = float(draw(positive_vectors(1, 0.1, 2.0))[0]) * (-1.0 if draw(st.booleans()) else 1.0)
    big, small = (m, n) if lam > 0 else (n, m)
    k = draw(st.integers(1, big))
    B = draw(near_identity(small, k, 1.0)) * draw(log_scales(0.3, 1.5))
    w, E = np.linalg.eigh(B.T @ B + abs(lam) * np.eye(k))
    O = draw(orthogonal(big, 2.0))[:, :k]
    A = O @ (E * np.sqrt(w)) @ E.T
    U0, V0 = (A, B) if lam > 0 else (B, A)
    Y = 1.5 * np.eye(m, n) + draw(offsets((m, n), 1.0))
    return {"U0": U0, "V0": V0, "Y": Y, "tau": float(draw(st.floats(0.5, 6.0)))}


@st.composite
def kawaguchi_cases(draw: st.DrawFn, depth: int | None = None, n_zero: int | None = None) -> dict:
    r"""``{X, B, factors, zero}`` for Kawaguchi's deep linear network :math:`\|A_k\cdots A_1X - B\|_F^2`: widths
    d_0..d_k in 1..3, depth k in {3, 4} (or ``depth``), N in 2..4 samples (X around the identity, B around 1), the
    factors identity-like at scale [0.5, 1.5], and the set Z of factors set to zero: all of them (W = 0) or any
    ``n_zero`` ≥ 3 of them (``n_zero`` fixes |Z|; the controls use depth 2 or |Z| = 2)."""
    k = draw(st.sampled_from([3, 4])) if depth is None else int(depth)
    widths = [draw(dims(1, 3)) for _ in range(k + 1)]
    N = draw(st.integers(2, 4))
    X = draw(near_identity(widths[0], N, 1.0))
    B = np.ones((widths[-1], N)) + draw(offsets((widths[-1], N), 1.0))
    factors = [draw(near_identity(widths[j + 1], widths[j], 0.5)) * draw(log_scales(0.5, 1.5)) for j in range(k)]
    size = (k if draw(st.booleans()) else draw(st.integers(3, k))) if n_zero is None else int(n_zero)
    zero = sorted(draw(st.lists(st.integers(0, k - 1), min_size=size, max_size=size, unique=True)))
    return {"X": X, "B": B, "factors": factors, "zero": zero}


@st.composite
def kawaguchi_minimum_cases(draw: st.DrawFn) -> dict:
    r"""``{X, B, factors}``: equal widths d in 1..3, depth k in 2..4, the output width in 1..d, N in d..d + 2 samples
    (X of full row rank: identity-like plus offsets), B around 1 (so with N > d it has a part outside X's row
    space and L* > 0), and a start: factors identity-like at scale [0.5, 1.5] with offsets in [-1, 1]."""
    d = draw(dims(1, 3))
    k = draw(st.integers(2, 4))
    out = draw(st.integers(1, d))
    N = draw(st.integers(d, d + 2))
    X = np.eye(d, N) + draw(offsets((d, N), 0.5))
    if np.linalg.matrix_rank(X) < d:
        X = X + np.eye(d, N)
    B = np.ones((out, N)) + draw(offsets((out, N), 1.0))
    factors = [draw(near_identity(d, d, 1.0)) * draw(log_scales(0.5, 1.5)) for _ in range(k - 1)]
    factors.append(draw(near_identity(out, d, 1.0)))
    return {"X": X, "B": B, "factors": factors}


# -------------------------------------------------------------------------------------- rates
RATE_REGIMES = ("tight", "imbalanced-U", "imbalanced-V", "margin")


@cached
@st.composite
def _dominant_pair(draw: st.DrawFn, rows_big: int, rows_small: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(B, S): B (rows_big×k) with σ_min(B) = d·scale, S (rows_small×k) with ‖S‖₂ = ρ·σ_min(B), ρ ≤ 0.9."""
    A = draw(orthogonal(rows_big, 2.0))
    Q = draw(orthogonal(k, 2.0))
    d = draw(positive_vectors(rows_big, 1.0, 2.0))
    d = d / d.min()
    scale = draw(log_scales(0.5, 2.0))
    D = np.zeros((rows_big, k))
    D[np.arange(rows_big), np.arange(rows_big)] = d * scale
    B = A @ D @ Q.T
    rho = float(draw(st.floats(0.0, 0.9)))
    S = _unit(draw(near_identity(rows_small, k, 1.0)), np.eye(rows_small, k), 2) * rho * scale
    return B, S


@st.composite
def rate_cases(
    draw: st.DrawFn,
    with_X: bool | None = None,
    regime: str | None = None,
    x_scale: st.SearchStrategy[float] | None = None,
) -> dict:
    r"""``{U0, V0, Y, X}`` meeting one of min2021's sufficient conditions for exponential convergence.

    Regimes (``regime``; drawn if None):

    * ``"tight"`` -- m = n = k = 1 where the bound is nearly an equality: :math:`y = 0`,
      :math:`(u_0, v_0) = c(1, \varepsilon)` (rate :math:`2|\lambda_0|`, attained as x → 0), or balanced
      :math:`u_0 = \pm v_0 = a`, :math:`y = \pm(a^2 + \delta)` (rate :math:`4\cdot` margin, attained at t = 0).
    * ``"imbalanced-U"`` / ``"imbalanced-V"`` -- k ≥ m (resp. n), :math:`\sigma_{min}(U_0)^2 > \|V_0\|_2^2`
      (resp. the converse), so :math:`\lambda_m(\Lambda_0) > 0` (resp. :math:`\lambda_n(-\Lambda_0) > 0`).
    * ``"margin"`` -- k ≥ min(m, n), :math:`\sigma_{min}(W_0) > 0.1`, :math:`W^* = U_0V_0^\top + D` with
      :math:`\|D\|_F = \theta\sigma_{min}(U_0V_0^\top)/(1+\sqrt\kappa)`, θ ∈ [0.1, 0.9], so the margin
      :math:`\sigma_{min}(W^*) - \|X(W_0 - W^*)\|_F/\sqrt{\lambda_{min}} \ge (1-\theta)\sigma_{min}(W_0) > 0`.

    With X (``with_X``): X of full column rank, N ∈ [m, m + 2], :math:`\lambda_{max}(\Sigma_x)` =
    ``x_scale``² (default 1, the normalization of the suite), κ ≤ 4, and
    :math:`Y = XW^* + Y_\perp` with :math:`Y_\perp \perp \mathrm{range}\,X` (so ℓ* > 0 when N > m).
    """
    if regime is None:
        regime = draw(st.sampled_from(RATE_REGIMES))
    if with_X is None:
        with_X = draw(st.booleans())
    c = 1.0 if x_scale is None else float(draw(x_scale))
    if regime == "tight":
        m = n = k = 1
        if draw(st.booleans()):
            scale = draw(log_scales(0.5, 2.0))
            eps = float(draw(st.floats(0.01, 0.5)))
            U0, V0 = np.array([[scale]]), np.array([[scale * eps]])
            Wstar = np.zeros((1, 1))
        else:
            a = float(draw(positive_vectors(1, 0.3, 1.5))[0])
            delta = float(draw(st.floats(0.01, 1.0))) * a * a
            sgn = -1.0 if draw(st.booleans()) else 1.0
            U0, V0 = np.array([[a]]), np.array([[sgn * a]])
            Wstar = np.array([[sgn * (a * a + delta)]])
        X = np.array([[c]]) if with_X else None
    else:
        if regime == "imbalanced-U":
            m, n, k = draw(sizes(k_at_least_min=True).filter(lambda s: s[2] >= s[0]))
            U0, V0 = draw(_dominant_pair(m, n, k))
        elif regime == "imbalanced-V":
            m, n, k = draw(sizes(k_at_least_min=True).filter(lambda s: s[2] >= s[1]))
            V0, U0 = draw(_dominant_pair(n, m, k))
        else:
            m, n, k = draw(sizes(k_at_least_min=True))
            U0 = draw(near_identity(m, k, 1.0)) * draw(log_scales(0.5, 2.0))
            V0 = draw(near_identity(n, k, 1.0)) * draw(log_scales(0.5, 2.0))
        X = None
        if with_X:
            N = m + draw(st.integers(0, 2))
            X = draw(well_conditioned_data(N, m, rank=m, lam_max=c * c))
        if regime == "margin":
            W0 = U0 @ V0.T
            smin = float(np.linalg.svd(W0, compute_uv=False)[-1])
            # σ_min(W₀) ≥ 0.1 keeps the rate α above 1e-3 (min 1.6e-3 over 2,796 draws; at 1e-2 it went down to
            # 3.5e-5, found by a random run of tests/test_linear_nets.py: a run converging that slowly is no test)
            assume(smin > 0.1)
            kappa = 1.0 if X is None else float(np.linalg.cond(X.T @ X))
            theta = float(draw(st.floats(0.1, 0.9)))
            D = _unit(draw(offsets((m, n), 1.0)), np.ones((m, n))) * theta * smin / (1.0 + np.sqrt(kappa))
            Wstar = W0 + D
        else:
            Wstar = 2.0 * np.eye(m, n) + draw(offsets((m, n), 1.5))
    if X is None:
        return {"U0": U0, "V0": V0, "Y": Wstar, "X": None}
    Y = X @ Wstar
    if X.shape[0] > X.shape[1]:
        Y = Y + _perp_residual(X, draw(offsets(Y.shape, 1.0)) + 0.5)
    return {"U0": U0, "V0": V0, "Y": Y, "X": X}


# ----------------------------------------------------------------------------------- min-norm
@cached
@st.composite
def _rank_deficient_problem(
    draw: st.DrawFn, max_m: int = 3, max_N: int = 3, max_n: int = 2
) -> tuple[np.ndarray, np.ndarray, int, np.ndarray]:
    """(X, Phi, r, Y): rank-r X (r < m) built on the orthogonal Φ, and Y with XᵀY ≠ 0."""
    m = draw(dims(2, max_m))
    r = draw(st.integers(1, m - 1))
    N = draw(st.integers(r, max(r, max_N)))
    n = draw(dims(1, max_n))
    P = draw(orthogonal(N, 2.0))
    Phi = draw(orthogonal(m, 2.0))
    rest = draw(offsets((r,), 0.5)) if r > 1 else np.zeros(r)
    s = 1.0 - np.abs(rest)
    X = P[:, :r] @ np.diag(s) @ Phi[:, :r].T
    Wt = np.ones((m, n)) + draw(offsets((m, n), 1.0))
    Y = X @ Wt
    assume(np.linalg.norm(Y) > 0.1)
    if N > r:
        Y = Y + _perp_residual(X, draw(offsets((N, n), 1.0)))
    return X, Phi, r, Y


@st.composite
def orthogonal_cases(draw: st.DrawFn, orthogonal_init: bool = True) -> dict:
    r"""``{U0, V0, Y, X}`` with X rank-deficient (rank r < m ≤ 3) and min2021's orthogonal initialization.

    With :math:`X = P\,[\mathrm{diag}(s)\ 0]\,[\Phi_1\ \Phi_2]^\top` and an orthogonal
    :math:`Q = [Q_a\ Q_b]` (k = k_a + k_b, k_a ∈ {0, 1}, k_b ∈ {n, n+1}):
    :math:`U_1 = A_1Q_b^\top`, :math:`U_2 = A_2Q_a^\top`, :math:`V = BQ_b^\top`, so
    :math:`VU_2^\top = 0` and :math:`U_1U_2^\top = 0`. Sufficient (V-side) imbalance for convergence:
    :math:`\sigma_{min}(B) = b \in [1.2, 2]`, :math:`\|A_1\|_2 \le 0.8b`, hence
    :math:`\lambda_n(-\Lambda_0) \ge 0.36b^2`. ``orthogonal_init=False`` puts the rows of
    :math:`U_2` in the span of :math:`Q_b` (a planted violation: :math:`VU_2^\top \ne 0`).
    """
    X, Phi, r, Y = draw(_rank_deficient_problem())
    m, n = X.shape[1], Y.shape[1]
    ka = draw(st.integers(0, 1)) if orthogonal_init else 0
    kb = n + draw(st.integers(0, 1))
    k = ka + kb
    Q = draw(orthogonal(k, 2.0))
    Qa, Qb = Q[:, :ka], Q[:, ka:]
    b = float(draw(st.floats(1.2, 2.0)))
    Bh = draw(near_identity(n, kb, 0.5))
    smin = float(np.linalg.svd(Bh, compute_uv=False)[-1])
    assume(smin > 1e-2)
    B = Bh * (b / smin)
    rho = float(draw(st.floats(0.0, 0.8)))
    A1 = _unit(np.ones((r, kb)) + draw(offsets((r, kb), 1.0)), np.ones((r, kb)), 2) * rho * b
    if orthogonal_init:
        A2 = np.ones((m - r, ka)) + draw(offsets((m - r, ka), 1.0))
        U2 = A2 @ Qa.T
    else:
        A2 = np.ones((m - r, kb)) + draw(offsets((m - r, kb), 0.5))
        U2 = A2 @ Qb.T
    U0 = Phi[:, :r] @ (A1 @ Qb.T) + Phi[:, r:] @ U2
    V0 = B @ Qb.T
    return {"U0": U0, "V0": V0, "Y": Y, "X": X}


@st.composite
def width_cases(draw: st.DrawFn) -> dict:
    """``{X, Y, k, seed}``: a rank-deficient problem, a base width k ∈ [3, 4] (compared with 16k) and a seed."""
    X, _, _, Y = draw(_rank_deficient_problem())
    k = draw(st.integers(3, 4))
    seed = draw(st.integers(0, 2**31 - 1))
    return {"X": X, "Y": Y, "k": k, "seed": seed}


# ------------------------------------------------------------------------------ slide identities
@st.composite
def warm_up_cases(draw: st.DrawFn) -> dict:
    """``{x0, y, t_max}`` for tarmoun2021's warm-up: n ≤ 3, y = 1 + offset, x0 = y + a non-zero step (at least
    0.1 in one entry), t_max in [0.5, 6]; shrinks to n = 1, y = 1, x0 = 1.5."""
    n = draw(dims(1, 3))
    y = 1.0 + draw(offsets((n,), 2.0))
    step = draw(offsets((n,), 2.0))
    k = draw(st.integers(0, n - 1))
    step[k] = 0.5 if abs(step[k]) < 0.1 else step[k]
    return {"x0": y + step, "y": y, "t_max": float(draw(st.floats(0.5, 6.0)))}


@st.composite
def induced_cases(draw: st.DrawFn) -> dict:
    """``{U, V, Y}`` for the induced dynamics on UVᵀ: the matrix-factorization draws of :func:`conservation_cases`."""
    case = draw(conservation_cases(with_X=False))
    return {"U": case["U0"], "V": case["V0"], "Y": case["Y"]}
