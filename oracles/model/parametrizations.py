r"""Parametrizations :math:`w = G(x)`, :math:`G: M \subseteq \mathbb{R}^D \to \mathbb{R}^d`.

Every parametrization gives its value :math:`G(x)`, its Jacobian :math:`\partial G(x)`
(a ``d × D`` matrix whose rows are :math:`\nabla G_i(x)^\top`), the Hessians of the
:math:`G_i` (``d × D × D``), membership in its domain :math:`M`, and where known in closed
form the flow of :math:`+\nabla G_i` (li2022); the Legendre function R of Lemma 4.7 for a family is
:func:`oracles.flows.legendre.potential_of`. Families:

* :class:`Identity` -- :math:`G(x) = x` on :math:`\mathbb{R}^d`.
* :class:`Coordinatewise` -- :math:`G_i(x) = f(x_i)` for a scalar map ``f`` given with its
  first two derivatives; :class:`Powers` is :math:`x^{\odot p}` on :math:`\mathbb{R}_{>0}^d`
  (``p = 2`` is the entropy case).
* :class:`UVSquared` -- :math:`G(u, v) = u^{\odot 2} - v^{\odot 2}` on :math:`\mathbb{R}_{>0}^{2d}`.
* :class:`Quadratic` -- :math:`G_i(x) = \tfrac12 x^\top A_i x` for symmetric :math:`A_i`,
  commuting or not; :func:`symmetric_factorization` (:math:`UU^\top`, upper-triangular entries)
  and :func:`factorization` (:math:`UV^\top`) build the matrix-factorization instances.

Sign convention (docs/catalog.md, P1): :meth:`Parametrization.flow` follows
:math:`+\nabla G_i`, so that :math:`\psi(x;\mu)` of Lemma 4.6 is the composition of these flows.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np
from numpy.typing import ArrayLike
from scipy.linalg import expm

from oracles.core.errors import Inconclusive, InvalidInput, as_vector
from oracles.core.fd import central_difference
from oracles.core.specs import register_kind


class Parametrization:
    """Base class: subclasses set ``D``, ``d``, ``name`` and implement :meth:`value` and :meth:`jacobian`.

    Hessians default to central finite differences of the Jacobian; subclasses with closed
    forms override :meth:`hessians`. :meth:`flow` returns ``None`` when no closed form is known,
    and the flow oracles then integrate the ODE.
    """

    D: int
    d: int
    name: str = "parametrization"
    domain: str = "R^D"

    # -- the map and its derivatives ------------------------------------------------------
    def value(self, x: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def jacobian(self, x: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def hessians(self, x: np.ndarray) -> np.ndarray:
        """``H[i] = ∇²G_i(x)`` by central differences of the Jacobian (step ``1e-5·max(1,|x|)``)."""
        x = self.check_point(x)
        h = 1e-5 * max(1.0, float(np.max(np.abs(x))))
        H = central_difference(self.jacobian, x, h, coarse=False).value
        return 0.5 * (H + H.transpose(0, 2, 1))

    def in_domain(self, x: np.ndarray) -> bool:
        """Whether ``x`` lies in the (open) domain M."""
        return self.domain_margin(x) > 0

    def domain_margin(self, x: np.ndarray) -> float:
        """A continuous function positive inside M and zero on its boundary (``inf`` for M = R^D).

        The flow integrators stop with an inconclusive verdict when it crosses zero.
        """
        return math.inf

    def flow(self, i: int, t: float, x: np.ndarray) -> np.ndarray | None:
        """Closed form of the flow of ``+∇G_i`` for time ``t`` from ``x``, or ``None``."""
        return None

    def flow_horizon(self, i: int, x: np.ndarray) -> tuple[float, float]:
        """The open time interval on which the flow of ``+∇G_i`` from ``x`` exists (if known)."""
        return (-math.inf, math.inf)

    # -- validation ----------------------------------------------------------------------
    def check_point(self, x: ArrayLike, name: str = "x") -> np.ndarray:
        """Validate ``x`` as a point of M; raise :class:`InvalidInput` naming the problem."""
        x = as_vector(x, name, self.D)
        if not self.in_domain(x):
            raise InvalidInput(
                f"{name} = {np.array2string(x, precision=4)} is outside the domain M = {self.domain} of {self.name}"
            )
        return x

    def validate(self, x: ArrayLike, name: str = "x") -> np.ndarray:
        """Check a user's G at ``x``: point in M, value of shape ``(d,)`` and Jacobian ``(d, D)``, all finite.

        Raises :class:`InvalidInput` naming what is wrong, so that a faulty parametrization is
        reported as such and not as a blow-up deep inside an ODE solver.
        """
        x = self.check_point(x, name)
        w = np.asarray(self.value(x), dtype=float)
        if w.shape != (self.d,):
            raise InvalidInput(f"{self.name}: G({name}) has shape {w.shape}, expected ({self.d},) since d = {self.d}")
        if not np.all(np.isfinite(w)):
            raise InvalidInput(f"{self.name}: G({name}) has non-finite entries {w.tolist()}")
        J = np.asarray(self.jacobian(x), dtype=float)
        if J.shape != (self.d, self.D):
            raise InvalidInput(
                f"{self.name}: the Jacobian at {name} has shape {J.shape}, expected (d, D) = ({self.d}, {self.D})"
            )
        if not np.all(np.isfinite(J)):
            raise InvalidInput(f"{self.name}: the Jacobian at {name} has non-finite entries")
        return x

    def values(self, X: np.ndarray) -> np.ndarray:
        """``G`` at every row of ``X`` (an ``(n, D)`` array): ``(n, d)``. Families override it with one array op."""
        return np.array([self.value(x) for x in X]).reshape(len(X), self.d)

    def value_and_jacobian(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(G(x), ∂G(x))`` together: what a flow's right-hand side needs. Families whose value falls out of
        the Jacobian (``G_i = ½xᵀA_ix = ½(A_ix)·x``) override it to skip the second computation."""
        return self.value(x), self.jacobian(x)

    def value_and_vjp(self, x: np.ndarray) -> tuple[np.ndarray, Callable[[np.ndarray], np.ndarray]]:
        r"""``(G(x), g ↦ gᵀ∂G(x))``: the value and the pullback of a covector, what gradient flow needs.

        :math:`\nabla(L\circ G)(x) = \partial G(x)^\top\nabla L(G(x))` only needs the product of
        :math:`\nabla L` with the Jacobian, never the Jacobian itself (as ``jax.vjp``). The default forms the
        Jacobian once; families with structure override it (a diagonal Jacobian is a product of vectors,
        a deep product pulls back through its partial products in :math:`O(Nn^3)` instead of forming
        the :math:`n^2 \times Nn^2` matrix).
        """
        w, J = self.value_and_jacobian(x)
        return w, lambda g: g @ J

    def gram(self, x: np.ndarray) -> np.ndarray:
        """The metric ``∂G(x) ∂G(x)ᵀ`` (``d × d``); its inverse is ``∇²R`` under Lemma 4.7."""
        J = self.jacobian(x)
        return J @ J.T

    # -- serialization ---------------------------------------------------------------------
    def to_spec(self) -> dict[str, Any]:  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__} cannot be written to a report")

    def __repr__(self) -> str:
        return f"{self.name}(D={self.D}, d={self.d})"


def from_spec(spec: dict[str, Any]) -> Parametrization:
    """Rebuild a parametrization written by :meth:`Parametrization.to_spec`."""
    kind = spec.get("family")
    if kind == "identity":
        return Identity(spec["d"])
    if kind == "powers":
        return Powers(spec["p"], spec["d"])
    if kind == "uv-squared":
        return UVSquared(spec["d"])
    if kind == "quadratic":
        return Quadratic(
            np.asarray(spec["A"], dtype=float), name=spec.get("name", "quadratic"), labels=spec.get("labels")
        )
    raise InvalidInput(f"unknown parametrization family {kind!r} in spec")


# -----------------------------------------------------------------------------------------
class Identity(Parametrization):
    """:math:`G(x) = x`; flows are translations, :math:`R(w) = \\tfrac12\\|w - x_{init}\\|^2`."""

    domain = "R^d"

    def __init__(self, d: int) -> None:
        if int(d) < 1:
            raise InvalidInput(f"dimension d must be at least 1, got {d}")
        self.D = self.d = int(d)
        self.name = "identity"

    def value(self, x: np.ndarray) -> np.ndarray:
        return np.array(x, dtype=float)

    def jacobian(self, x: np.ndarray) -> np.ndarray:
        return np.eye(self.d)

    def value_and_vjp(self, x: np.ndarray) -> tuple[np.ndarray, Callable[[np.ndarray], np.ndarray]]:
        return np.array(x, dtype=float), lambda g: np.array(g, dtype=float)

    def hessians(self, x: np.ndarray) -> np.ndarray:
        return np.zeros((self.d, self.D, self.D))

    def flow(self, i: int, t: float, x: np.ndarray) -> np.ndarray:
        y = np.array(x, dtype=float)
        y[i] += t
        return y

    def to_spec(self) -> dict[str, Any]:
        return {"family": "identity", "d": self.d}


class Coordinatewise(Parametrization):
    r"""Separable :math:`G_i(x) = f(x_i)`, :math:`D = d`, on :math:`(lo, hi)^d`.

    Parameters
    ----------
    f, df, d2f
        The scalar map and its first two derivatives (vectorized over numpy arrays).
    d
        Dimension.
    lo, hi
        The open interval each coordinate lives in; ``f'`` must not vanish there (regularity).
    f_df
        Optional ``x -> (f(x), f'(x))`` for maps whose derivative reuses the value (an inverse computed by
        Newton's method, say): a flow's right-hand side then evaluates f once.
    """

    def __init__(
        self,
        f: Callable[[np.ndarray], Any],
        df: Callable[[np.ndarray], Any],
        d2f: Callable[[np.ndarray], Any],
        d: int,
        lo: float = -math.inf,
        hi: float = math.inf,
        name: str = "coordinatewise",
        f_df: Callable[[np.ndarray], tuple[Any, Any]] | None = None,
    ) -> None:
        if int(d) < 1:
            raise InvalidInput(f"dimension d must be at least 1, got {d}")
        self.f, self.df, self.d2f, self.f_df = f, df, d2f, f_df
        self.D = self.d = int(d)
        self.lo, self.hi = float(lo), float(hi)
        self.name = name
        self.domain = f"({lo}, {hi})^{d}"

    def domain_margin(self, x: np.ndarray) -> float:
        x = np.asarray(x, dtype=float)
        return float(min(np.min(x - self.lo), np.min(self.hi - x)))

    def value(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(self.f(np.asarray(x, dtype=float)), dtype=float)

    def jacobian(self, x: np.ndarray) -> np.ndarray:
        return np.diag(np.asarray(self.df(np.asarray(x, dtype=float)), dtype=float))

    def value_and_jacobian(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x = np.asarray(x, dtype=float)
        if self.f_df is None:
            return np.asarray(self.f(x), dtype=float), np.diag(np.asarray(self.df(x), dtype=float))
        w, dw = self.f_df(x)
        return np.asarray(w, dtype=float), np.diag(np.asarray(dw, dtype=float))

    def value_and_vjp(self, x: np.ndarray) -> tuple[np.ndarray, Callable[[np.ndarray], np.ndarray]]:
        x = np.asarray(x, dtype=float)
        if self.f_df is None:
            w, dw = self.f(x), self.df(x)
        else:
            w, dw = self.f_df(x)
        dw = np.asarray(dw, dtype=float)
        return np.asarray(w, dtype=float), dw.__mul__

    def hessians(self, x: np.ndarray) -> np.ndarray:
        h = np.asarray(self.d2f(np.asarray(x, dtype=float)), dtype=float)
        H = np.zeros((self.d, self.D, self.D))
        H[np.arange(self.d), np.arange(self.d), np.arange(self.d)] = h
        return H


class Powers(Coordinatewise):
    r""":math:`G(x) = x^{\odot p}` on :math:`\mathbb{R}_{>0}^d` (``p > 1``).

    The flow of :math:`+\nabla G_i` solves :math:`\dot x_i = p x_i^{p-1}`:

    * ``p = 2``: :math:`x_i(t) = x_i e^{2t}`, for all t;
    * ``p ≠ 2``: :math:`x_i(t) = (x_i^{2-p} + p(2-p)t)^{1/(2-p)}` while the base is positive.
      For ``p > 2`` it blows up at :math:`t^* = x_i^{2-p}/(p(p-2))` (the x⊙3 example of li2022
      §3.2); for ``1 < p < 2`` it reaches the boundary 0 at :math:`t_* = -x_i^{2-p}/(p(2-p))`.
    """

    def __init__(self, p: float, d: int) -> None:
        p = float(p)
        if not p > 1.0:
            raise InvalidInput(f"exponent p must exceed 1 for x^p to be regular on (0, inf), got {p}")
        super().__init__(
            lambda x: x**p, lambda x: p * x ** (p - 1), lambda x: p * (p - 1) * x ** (p - 2), d, lo=0.0, name=f"x^{p:g}"
        )
        self.p = p

    def flow_horizon(self, i: int, x: np.ndarray) -> tuple[float, float]:
        p, xi = self.p, float(x[i])
        if p == 2.0:
            return (-math.inf, math.inf)
        edge = xi ** (2 - p) / (p * abs(2 - p))
        return (-math.inf, edge) if p > 2 else (-edge, math.inf)

    def flow(self, i: int, t: float, x: np.ndarray) -> np.ndarray:
        lo, hi = self.flow_horizon(i, x)
        if not lo < t < hi:
            raise Inconclusive(
                "blow-up" if t >= hi else "leaves domain",
                f"flow of +grad G_{i} for {self.name} exists only for t in ({lo:.4g}, {hi:.4g}); t = {t:.4g}",
            )
        y = np.array(x, dtype=float)
        p = self.p
        y[i] = y[i] * math.exp(2 * t) if p == 2.0 else (y[i] ** (2 - p) + p * (2 - p) * t) ** (1 / (2 - p))
        return y

    def to_spec(self) -> dict[str, Any]:
        return {"family": "powers", "p": self.p, "d": self.d}


def squares(d: int) -> Powers:
    r""":math:`G(x) = x^{\odot 2}` on :math:`\mathbb{R}_{>0}^d`: the entropy case of li2022 §1."""
    return Powers(2.0, d)


class UVSquared(Parametrization):
    r""":math:`G(u, v) = u^{\odot 2} - v^{\odot 2}` on :math:`\mathbb{R}_{>0}^{2d}`, ``x = (u, v)`` (Example 4.3).

    Flows: :math:`u_i(t) = u_i e^{2t}`, :math:`v_i(t) = v_i e^{-2t}`; the Legendre function is the
    hyperbolic-entropy potential of Corollary 4.17.
    """

    domain = "(0, inf)^{2d}"

    def __init__(self, d: int) -> None:
        if int(d) < 1:
            raise InvalidInput(f"dimension d must be at least 1, got {d}")
        self.d = int(d)
        self.D = 2 * self.d
        self.name = "u^2 - v^2"

    def domain_margin(self, x: np.ndarray) -> float:
        return float(np.min(np.asarray(x, dtype=float)))

    def value(self, x: np.ndarray) -> np.ndarray:
        u, v = x[: self.d], x[self.d :]
        return u * u - v * v

    def jacobian(self, x: np.ndarray) -> np.ndarray:
        u, v = x[: self.d], x[self.d :]
        return np.hstack([np.diag(2 * u), np.diag(-2 * v)])

    def value_and_vjp(self, x: np.ndarray) -> tuple[np.ndarray, Callable[[np.ndarray], np.ndarray]]:
        u, v = x[: self.d], x[self.d :]
        du = np.concatenate((2 * u, -2 * v))
        return u * u - v * v, lambda g: du * np.concatenate((g, g))

    def hessians(self, x: np.ndarray) -> np.ndarray:
        H = np.zeros((self.d, self.D, self.D))
        i = np.arange(self.d)
        H[i, i, i] = 2.0
        H[i, i + self.d, i + self.d] = -2.0
        return H

    def flow(self, i: int, t: float, x: np.ndarray) -> np.ndarray:
        y = np.array(x, dtype=float)
        y[i] *= math.exp(2 * t)
        y[i + self.d] *= math.exp(-2 * t)
        return y

    def to_spec(self) -> dict[str, Any]:
        return {"family": "uv-squared", "d": self.d}


class Quadratic(Parametrization):
    r""":math:`G_i(x) = \tfrac12 x^\top A_i x` for symmetric :math:`A_i \in \mathbb{R}^{D\times D}`.

    :math:`\nabla G_i(x) = A_i x`, :math:`\nabla^2 G_i = A_i`, and the flow of :math:`+\nabla G_i`
    is :math:`e^{tA_i}x` (exact, complete). The family is commuting iff the :math:`A_i` commute.

    Parameters
    ----------
    A
        Array of shape ``(d, D, D)``; each slice must be symmetric.
    labels
        Optional names of the d outputs (e.g. ``"G[0,1]"`` for matrix factorization).
    """

    domain = "R^D"
    #: caches, set on first use (absent until then: the getattr sentinels below)
    _eig: tuple[np.ndarray, np.ndarray] | None
    _comm: float

    def __init__(self, A: ArrayLike, name: str = "quadratic", labels: list[str] | None = None) -> None:
        A = np.asarray(A, dtype=float)
        if A.ndim != 3 or A.shape[1] != A.shape[2]:
            raise InvalidInput(f"A must have shape (d, D, D), got {A.shape}")
        if not np.all(np.isfinite(A)):
            raise InvalidInput("A has non-finite entries")
        asym = float(np.max(np.abs(A - A.transpose(0, 2, 1)))) if A.size else 0.0
        if asym > 1e-12 * max(1.0, float(np.max(np.abs(A)))):
            raise InvalidInput(f"every A_i must be symmetric; max |A_i - A_i^T| = {asym:.3g}")
        self.A = 0.5 * (A + A.transpose(0, 2, 1))
        self.A.setflags(write=False)  # cached commutator and eigenbasis stay valid
        self.d, self.D = A.shape[0], A.shape[1]
        self.name = name
        self.labels = labels

    def value(self, x: np.ndarray) -> np.ndarray:
        return 0.5 * ((self.A @ x) @ x)

    def jacobian(self, x: np.ndarray) -> np.ndarray:
        return self.A @ x

    def value_and_jacobian(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        J = self.A @ x
        return 0.5 * (J @ x), J

    def value_and_vjp(self, x: np.ndarray) -> tuple[np.ndarray, Callable[[np.ndarray], np.ndarray]]:
        J = self.A @ x
        return 0.5 * (J @ x), J.__rmatmul__  # g ↦ g @ J, without a closure per call

    def values(self, X: np.ndarray) -> np.ndarray:
        return 0.5 * np.einsum("ti,kij,tj->tk", X, self.A, X)

    def hessians(self, x: np.ndarray) -> np.ndarray:
        return self.A.copy()

    def flow(self, i: int, t: float, x: np.ndarray) -> np.ndarray:
        return expm(t * self.A[i]) @ x

    def common_eigenbasis(self) -> tuple[np.ndarray, np.ndarray] | None:
        r"""For a commuting family, ``(O, Lam)`` with :math:`A_i = O\,\mathrm{diag}(\Lambda_i)\,O^\top`; else ``None``.

        Diagonalizes a generic combination :math:`\sum_i c_iA_i` (fixed pseudo-random ``c``) and
        accepts the basis only if it diagonalizes every :math:`A_i` to ``max(1e-12, 1000·D·eps)`` relative; then
        :math:`\psi(x;\mu) = O\,\mathrm{diag}(e^{\Lambda^\top\mu})\,O^\top x` needs no matrix exponential.
        """
        if getattr(self, "_eig", False) is not False:
            return self._eig
        self._eig = None
        if self.commutator_norm() < 1e-13:
            c = np.cos(np.arange(1, self.d + 1) * 1.2345) + 2.0
            _, O = np.linalg.eigh(np.tensordot(c, self.A, axes=1))
            Dg = O.T @ self.A @ O  # d products of D×D matrices (a three-operand einsum is O(dD⁴))
            Lam = np.einsum("ibb->ib", Dg).copy()
            idx = np.arange(self.D)
            Dg[:, idx, idx] = 0.0
            off = np.linalg.norm(Dg)
            # the rounding of an eigendecomposition grows like D·eps (Frobenius, over D² entries): 9.5e-11 at D = 200
            if off <= max(1e-12, 1000 * self.D * np.finfo(float).eps) * max(1.0, float(np.linalg.norm(self.A))):
                self._eig = (O, Lam)
        return self._eig

    def commutator_norm(self) -> float:
        """``max_{i<j} ‖A_iA_j − A_jA_i‖_F`` relative to ``max ‖A_i‖²``: 0 iff commuting (computed once: O(d²D³))."""
        if getattr(self, "_comm", None) is not None:
            return self._comm
        self._comm = self._commutator_norm()
        return self._comm

    def _commutator_norm(self) -> float:
        scale = max(1.0, float(np.max(np.linalg.norm(self.A, axis=(1, 2)))) ** 2)
        worst = 0.0
        for i in range(self.d):
            for j in range(i + 1, self.d):
                C = self.A[i] @ self.A[j] - self.A[j] @ self.A[i]
                worst = max(worst, float(np.linalg.norm(C)))
        return worst / scale

    def to_spec(self) -> dict[str, Any]:
        spec: dict[str, Any] = {"family": "quadratic", "A": self.A.tolist(), "name": self.name}
        if self.labels:
            spec["labels"] = list(self.labels)
        return spec


def symmetric_factorization(d: int, r: int) -> Quadratic:
    r""":math:`G(U) = UU^\top` for :math:`U \in \mathbb{R}^{d\times r}`, as the ``d(d+1)/2`` entries ``i ≤ j``.

    ``x`` is ``U`` flattened column by column (li2022 Example 4.4): :math:`G_{ij}(U) =
    \vec U^\top \mathrm{diag}(\bar E_{ij}, …, \bar E_{ij})\vec U` with :math:`\bar E_{ij} =
    \tfrac12(E_{ij}+E_{ji})`, so that :math:`\tfrac12 x^\top A_{ij} x` uses :math:`A_{ij} = 2\,\mathrm{blockdiag}(\bar E_{ij})`.
    Non-commuting for every ``d ≥ 2``.
    """
    if d < 1 or r < 1:
        raise InvalidInput(f"need d >= 1 and r >= 1, got d={d}, r={r}")
    mats, labels = [], []
    for i in range(d):
        for j in range(i, d):
            E = np.zeros((d, d))
            E[i, j] += 1.0
            E[j, i] += 1.0  # 2 * Ebar_ij
            mats.append(np.kron(np.eye(r), E))
            labels.append(f"UU^T[{i},{j}]")
    return Quadratic(np.array(mats), name=f"UU^T (d={d}, r={r})", labels=labels)


def factorization(m: int, n: int, r: int) -> Quadratic:
    r""":math:`G(U, V) = UV^\top` for :math:`U \in \mathbb{R}^{m\times r}, V \in \mathbb{R}^{n\times r}`: all ``m·n`` entries.

    ``x = (vec U, vec V)`` column by column; :math:`G_{ij} = \sum_k U_{ik}V_{jk}`.
    """
    if min(m, n, r) < 1:
        raise InvalidInput(f"need m, n, r >= 1, got m={m}, n={n}, r={r}")
    D = (m + n) * r
    mats, labels = [], []
    for i in range(m):
        for j in range(n):
            A = np.zeros((D, D))
            for k in range(r):
                a, b = k * m + i, r * m + k * n + j
                A[a, b] = A[b, a] = 1.0
            mats.append(A)
            labels.append(f"UV^T[{i},{j}]")
    return Quadratic(np.array(mats), name=f"UV^T (m={m}, n={n}, r={r})", labels=labels)


register_kind("parametrization", Parametrization, from_spec)
