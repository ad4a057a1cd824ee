"""The batched exponential integrator: step halving, a solve_ivp reference, batching, failures."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from oracles import Inconclusive, InvalidInput
from oracles.flows.shallow_trainer import NetworkRun, dual_field, kernel_matrix, params_from_dual, richardson, train
from oracles.model.shallow import MirrorPotential, NetworkParams, Uniform, init_params, network

X = np.array([-0.75, -0.35, 0.05, 0.4, 0.8])
Y = np.array([0.3, -0.2, 0.5, 0.1, -0.4])
DENS = Uniform(-1.0, 1.0)
XE = np.linspace(-1.0, 1.0, 401)
SETTINGS = [
    (MirrorPotential.quartic(), False, "relu"),
    (MirrorPotential.cubic(), False, "relu"),
    (MirrorPotential.cosh_(), False, "relu"),
    (MirrorPotential.quartic(), True, "abs"),
    (MirrorPotential.cubic(), True, "abs"),
]


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: f"{s[0].describe()}-{'scaled' if s[1] else 'unscaled'}")
@pytest.mark.parametrize("n", [180, 540])
def test_step_halving_moves_limit_less_than_budget(setting, n):
    """Halving every step (levels 1..3 instead of 0..2) moves the extrapolated limit by less than its budget."""
    pot, scaled, act = setting
    run = NetworkRun(init_params(3, n, DENS), X, Y, pot, scaled, act)
    res = train([run], XE, levels=4)[0]
    coarse, err = richardson(res.level_values[:3])
    fine, _ = richardson(res.level_values[1:])
    assert np.max(np.abs(fine - coarse)) <= 10 * err, (np.max(np.abs(fine - coarse)), err)


def _grid_run(pot, scaled, act, n=16, scale=0.02):
    """Biases on a quantile grid, data midway between kinks, small targets: the reference trajectory keeps
    every kink away from every data point, so the right-hand side is smooth along it."""
    rng = np.random.default_rng(0)
    p0 = NetworkParams(
        np.where(np.arange(n) % 2 == 0, 1.0, -1.0),
        DENS.ppf((np.arange(n) + 0.5) / n),
        rng.standard_normal(n) / np.sqrt(n),
        float(rng.standard_normal()),
    )
    x = np.array([-0.75, -0.375, 0.0, 0.375, 0.75])
    return NetworkRun(p0, x, network(p0, x, act) + scale * np.array([1.0, -1.0, 1.0, -1.0, 1.0]), pot, scaled, act)


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: f"{s[0].describe()}-{'scaled' if s[1] else 'unscaled'}")
def test_trainer_matches_solve_ivp_reference(setting):
    run = _grid_run(*setting)
    n = run.params0.n
    H0 = kernel_matrix(run.params0, run.x, run.potential, run.scaled, run.activation)
    T = 40.0 / (2.0 * np.linalg.eigvalsh(H0)[0])
    refs = []
    for rtol in (1e-9, 1e-11):
        sol = solve_ivp(
            dual_field(run),
            (0.0, T),
            np.zeros(3 * n + 1),
            method="LSODA",
            rtol=rtol,
            atol=1e-3 * rtol,
            t_eval=np.linspace(0.0, T, 400),
        )
        assert sol.status == 0
        thetas = [params_from_dual(run, z) for z in sol.y.T]
        zmin = min(np.min(np.abs(t.w[:, None] * run.x[None, :] - t.b[:, None])) for t in thetas)
        assert zmin > 1e-3  # no kink crossed a data point: smooth reference
        refs.append(network(thetas[-1], XE, run.activation))
    ref_err = float(np.max(np.abs(refs[0] - refs[1])))
    res = train([run], XE)[0]
    gap = float(np.max(np.abs(res.values - refs[1])))
    assert gap <= 10 * (res.error + ref_err), (gap, res.error, ref_err)
    change = float(np.max(np.abs(res.change)))
    assert gap < 1e-4 * change  # measured: ~1e-6 relative at three levels


def test_first_order_convergence_of_levels():
    """Level ℓ errors halve (first order), so Richardson is justified (measured ratios 1.99–2.01)."""
    run = _grid_run(MirrorPotential.quartic(), False, "relu")
    n = run.params0.n
    H0 = kernel_matrix(run.params0, run.x, run.potential, False, "relu")
    T = 40.0 / (2.0 * np.linalg.eigvalsh(H0)[0])
    sol = solve_ivp(dual_field(run), (0.0, T), np.zeros(3 * n + 1), method="LSODA", rtol=1e-11, atol=1e-14)
    ref = network(params_from_dual(run, sol.y[:, -1]), XE, "relu")
    res = train([run], XE, levels=5, extrapolate=False)[0]
    errs = [np.max(np.abs(v - ref)) for v in res.level_values]
    ratios = [errs[i] / errs[i + 1] for i in range(4)]
    assert all(1.8 < q < 2.2 for q in ratios), ratios


def test_batching_does_not_change_results():
    runs = [
        NetworkRun(init_params(s, n, DENS), X, Y, p, sc, a)
        for (p, sc, a) in SETTINGS[:2] + SETTINGS[3:4]
        for n in (60, 180)
        for s in (0, 1)
    ]
    together = train(runs, XE)
    for k in (0, 5, 9):
        alone = train([runs[k]], XE)[0]
        assert np.max(np.abs(alone.values - together[k].values)) < 1e-12
        assert together[k].run is runs[k]


def test_chunked_batches_give_the_same_results_in_the_callers_order():
    """train() splits the networks into batches of about ``chunk`` units × points; the results are the same bit for
    bit as one batch, in the caller's order, and a failure names the caller's index of the network."""
    from oracles.flows.shallow_trainer import _chunks

    runs = [
        NetworkRun(init_params(s, n, DENS), X, Y, p, sc, a)
        for (p, sc, a) in SETTINGS[:2]
        for n in (180, 60, 20)
        for s in (0, 1)
    ]
    parts = _chunks(runs, 250)
    assert sorted(k for part in parts for k in part) == list(range(len(runs))) and len(parts) > 3
    assert all(sum(runs[k].params0.n for k in part) <= 250 or len(part) == 1 for part in parts)
    one = train(runs, XE, chunk=10**9)
    small = train(runs, XE, chunk=250 * len(X))
    for a, b, run in zip(one, small, runs):
        assert b.run is run and np.array_equal(a.values, b.values) and a.error == b.error and a.drift == b.drift
    with pytest.raises(Inconclusive, match=r"network 4 \(n = 20\)"):
        train(
            runs[:4] + [NetworkRun(init_params(0, 20, DENS), X, Y, MirrorPotential.quartic())],
            XE,
            max_steps=3,
            chunk=60 * len(X),
        )


def test_kernel_and_convergence_reported():
    run = NetworkRun(init_params(0, 180, DENS), X, Y, MirrorPotential.quartic(), False, "relu")
    res = train([run], XE)[0]
    assert np.allclose(res.H0, kernel_matrix(run.params0, X, MirrorPotential.quartic(), False, "relu"), atol=1e-14)
    assert res.finest.residual <= 1e-11 * np.linalg.norm(Y - network(run.params0, X, "relu"))
    assert np.max(np.abs(network(res.params, X, "relu") - Y)) < 1e-10
    t, loss = res.finest.scheduled
    assert np.all(np.diff(loss) < 0)  # the loss decreases along the schedule (n = 180)


def test_failures():
    run = NetworkRun(init_params(0, 180, DENS), X, Y, MirrorPotential.quartic(), False, "relu")
    with pytest.raises(Inconclusive, match="not converged"):
        train([run], XE, max_steps=3)
    flagged = train([run], XE, max_steps=3, on_failure="flag")[0]
    assert flagged.failure and np.all(np.isnan(flagged.values))
    with pytest.raises(InvalidInput, match="growth"):
        train([run], XE, growth=1.0)
    for bad in (0, float("nan"), 2.5):
        with pytest.raises(InvalidInput, match="chunk must be a positive integer"):
            train([run], XE, chunk=bad)
    with pytest.raises(InvalidInput, match="same number"):
        train([run, NetworkRun(init_params(0, 20, DENS), X[:3], Y[:3], MirrorPotential.quartic())], XE)
    p0 = init_params(0, 20, DENS)
    with pytest.raises(InvalidInput, match="interpolates"):
        train([NetworkRun(p0, X, network(p0, X, "relu"), MirrorPotential.quartic())], XE)


def test_batch_state_kernel_update_match_per_network_references():
    """The batched state, kernel and dual update (units on the last axis, stacked per block of equal widths)
    against the one-network references, on a batch mixing potentials (two different constant φ'' among them,
    scaled and not), activations and widths."""
    from oracles.flows.shallow_trainer import Batch

    pots = [
        (MirrorPotential.quadratic(), False, "relu"),
        (MirrorPotential("none", 0.0, 2.0, "x^2*2"), True, "abs"),
        (MirrorPotential.quartic(), False, "abs"),
        (MirrorPotential.mixed("cosh", 2.0), True, "abs"),
        (MirrorPotential.cubic(), False, "relu"),
    ]
    runs = [NetworkRun(init_params(4, n, DENS), X, Y, p, sc, a) for (p, sc, a) in pots for n in (20, 30, 30, 20)]
    batch = Batch(runs)
    assert any(k1 - k0 > 1 and len({str(r.potential) for r in batch.runs[k0:k1]}) > 1 for k0, k1, *_ in batch.blocks)
    st = batch.initial()
    c = np.random.default_rng(1).standard_normal((batch.B, len(X))) * 0.3
    Z, Zd = batch.update(np.zeros((3, batch.U)), np.zeros(batch.B), st, c)
    new = batch.state(Z, Zd)
    H, H1 = batch.kernel(st), batch.kernel(new)
    params = batch.params(new[0], new[1])
    for k, run in enumerate(batch.runs):
        p0, n = run.params0, run.params0.n
        assert np.allclose(
            H[k], kernel_matrix(p0, X, run.potential, run.scaled, run.activation), rtol=1e-13, atol=1e-14
        )
        # ζ = −2η Jᵀc with η = 1/n, then θ = θ̂ + s⁻¹(φ')⁻¹(sζ)
        z = p0.w[:, None] * X[None, :] - p0.b[:, None]
        sg, dsg = (np.abs(z), np.sign(z)) if run.activation == "abs" else (np.maximum(z, 0.0), (z > 0).astype(float))
        J = np.concatenate([p0.a[:, None] * dsg * X, -p0.a[:, None] * dsg, sg, np.ones((1, len(X)))])
        zeta = -2.0 / n * J @ c[k]
        ref = params_from_dual(run, zeta)
        assert np.allclose(params[k].flat(), ref.flat(), rtol=1e-12, atol=1e-15)
        delta = NetworkParams.from_flat(ref.flat() - p0.flat())
        assert np.allclose(
            H1[k], kernel_matrix(ref, X, run.potential, run.scaled, run.activation, delta), rtol=1e-12, atol=1e-14
        )
        assert np.allclose(new[2][k], network(ref, X, run.activation) - Y, rtol=1e-12, atol=1e-14)


def _bad_inputs():
    """(label, call) pairs: each malformed input of ``oracles.train_networks`` and what its message must name."""
    from oracles.model.shallow import PolynomialDensity

    p0 = init_params(0, 60, DENS)
    P = MirrorPotential.quartic()
    nan_x = np.array([np.nan, -0.35, 0.05, 0.4, 0.8])

    def run(**kw):
        args = dict(params0=p0, x=X, y=Y, potential=P)
        args.update(kw)
        return NetworkRun(**args)

    return [
        ("runs\\[0\\].x has non-finite", lambda: train([run(x=nan_x)], XE)),
        ("runs\\[0\\].y has non-finite", lambda: train([run(y=nan_x)], XE)),
        ("runs\\[0\\].x must be a non-empty vector", lambda: train([run(x=X[None], y=Y[None])], XE)),
        ("runs\\[0\\].y must have one entry per point", lambda: train([run(y=Y[:4])], XE)),
        ("runs\\[0\\].x has repeated", lambda: train([run(x=np.array([0.1, 0.1, 0.2, 0.3, 0.4]))], XE)),
        (
            "width must be positive",
            lambda: train([run(params0=NetworkParams(np.zeros(0), np.zeros(0), np.zeros(0), 0.0))], XE),
        ),
        (
            "b, a must be vectors of one length n and w of shape",
            lambda: train([run(params0=NetworkParams(np.ones(3), np.zeros(2), np.zeros(3), 0.0))], XE),
        ),
        (
            "params0.b must be finite",
            lambda: train([run(params0=NetworkParams(np.ones(3), np.array([0.0, np.nan, 0.0]), np.ones(3), 0.0))], XE),
        ),
        ("params0.d must be a finite", lambda: train([run(params0=NetworkParams(p0.w, p0.b, p0.a, float("inf")))], XE)),
        ("potential must be a MirrorPotential", lambda: train([run(potential="x^4+x^2")], XE)),
        ("runs\\[0\\] must be a NetworkRun", lambda: train([1], XE)),
        ("tail must be a finite", lambda: train([run()], XE, tail=float("nan"))),
        ("tail must lie in", lambda: train([run()], XE, tail=2.0)),
        ("tol must be a finite", lambda: train([run()], XE, tol=float("nan"))),
        ("tol must lie in", lambda: train([run()], XE, tol=1e-3)),
        ("levels must be an integer", lambda: train([run()], XE, levels=float("nan"))),
        ("max_steps must be an integer", lambda: train([run()], XE, max_steps=0)),
        ("growth must be a finite", lambda: train([run()], XE, growth=float("nan"))),
        ("x_eval has non-finite", lambda: train([run()], np.array([np.nan, 0.0]))),
        ("x_eval must be a non-empty", lambda: train([run()], np.zeros((2, 2)))),
        ("runs\\[0\\].x has points outside supp", lambda: train([run(x=X * 1.5, density=DENS)], XE)),
        (
            "runs\\[0\\].density must be symmetric",
            lambda: train([run(density=PolynomialDensity((1.0, 0.5), -1.0, 1.0))], XE),
        ),
    ]


@pytest.mark.parametrize("case", _bad_inputs(), ids=lambda c: c[0].replace("\\", ""))
def test_train_networks_checks_its_inputs(case):
    """Issue 27: malformed input ends in one InvalidInput line naming the argument (before: 'Eigenvalues did not
    converge', IndexError/ZeroDivisionError, a wrong reason, or a silent answer for NaN tail, data outside the
    support and an asymmetric density)."""
    match, call = case
    with pytest.raises(InvalidInput, match=match) as info:
        call()
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("c", [0.25, 4.0])
def test_eta_only_rescales_time(c):
    """P15: the limit does not depend on η = Θ(1/n). With η = c/n the dual field is c times the field of η = 1/n
    (ζ̇ = −η∇L), so θ_c(t) = θ_1(ct): integrated independently (LSODA, rtol 1e-10) to T/c and T, the two end
    states agree to the solver's tolerance, and both match the trainer's limit (η = 1/n) within its budget."""
    run = _grid_run(MirrorPotential.quartic(), False, "relu")
    n = run.params0.n
    H0 = kernel_matrix(run.params0, run.x, run.potential, run.scaled, run.activation)
    T = 40.0 / (2.0 * np.linalg.eigvalsh(H0)[0])
    field = dual_field(run)
    ends = {}
    for scale, horizon in ((1.0, T), (c, T / c)):
        sol = solve_ivp(
            lambda t, z, k=scale: k * field(t, z),
            (0.0, horizon),
            np.zeros(3 * n + 1),
            method="LSODA",
            rtol=1e-10,
            atol=1e-13,
        )
        assert sol.status == 0
        ends[scale] = network(params_from_dual(run, sol.y[:, -1]), XE, run.activation)
    assert np.max(np.abs(ends[1.0] - ends[c])) < 1e-7
    res = train([run], XE)[0]
    assert np.max(np.abs(res.values - ends[c])) <= 10 * res.error + 1e-7


def _runs_2d(n_list=(20, 30), scale=None):
    rng = np.random.default_rng(5)
    x2 = np.array([[-0.6, 0.2], [0.1, -0.5], [0.45, 0.4], [0.0, 0.8], [-0.3, -0.35]])
    y2 = np.array([0.3, -0.2, 0.5, 0.1, -0.4])
    out = []
    for p, sc, a in [
        (MirrorPotential.quadratic(), False, "relu"),
        (MirrorPotential.quartic(), False, "relu"),
        (MirrorPotential.mixed("cosh", 2.0), True, "abs"),
        (MirrorPotential.cubic(), False, "abs"),
    ]:
        for n in n_list:
            p0 = init_params(int(rng.integers(100)), n, DENS, dim=2)
            out.append(NetworkRun(p0, x2, y2 if scale is None else network(p0, x2, a) + scale * np.sign(y2), p, sc, a))
    return out


def test_batch_2d_matches_per_network_references():
    """Input dimension 2 (w on the circle): the batched state, kernel and dual update against the one-network
    references (kernel_matrix, params_from_dual with the flat order of NetworkParams)."""
    from oracles.flows.shallow_trainer import Batch

    runs = _runs_2d()
    batch = Batch(runs)
    st = batch.initial()
    c = np.random.default_rng(1).standard_normal((batch.B, 5)) * 0.3
    Z, Zd = batch.update(np.zeros((4, batch.U)), np.zeros(batch.B), st, c)
    new = batch.state(Z, Zd)
    H, H1 = batch.kernel(st), batch.kernel(new)
    params = batch.params(new[0], new[1])
    for k, run in enumerate(batch.runs):
        p0, n, x2 = run.params0, run.params0.n, run.x
        assert p0.dim == 2 and np.allclose(np.linalg.norm(p0.w, axis=1), 1.0)
        assert np.allclose(
            H[k], kernel_matrix(p0, x2, run.potential, run.scaled, run.activation), rtol=1e-13, atol=1e-14
        )
        assert np.allclose(st[2][k], network(p0, x2, run.activation) - run.y, atol=1e-14)
        zeta = -(2.0 / n) * kernel_jacobian_T(p0, x2, run.activation) @ c[k]
        ref = params_from_dual(run, zeta)
        assert np.allclose(params[k].flat(), ref.flat(), rtol=1e-12, atol=1e-15)
        delta = NetworkParams.from_flat(ref.flat() - p0.flat(), 2)
        assert np.allclose(
            H1[k], kernel_matrix(ref, x2, run.potential, run.scaled, run.activation, delta), rtol=1e-12, atol=1e-14
        )


def kernel_jacobian_T(p0, x2, act):
    """Jᵀ of f(X) in the flat order of NetworkParams (w row by row, b, a, d), from the formulas."""
    z = p0.w @ x2.T - p0.b[:, None]
    sg, dsg = (np.abs(z), np.sign(z)) if act == "abs" else (np.maximum(z, 0.0), (z > 0).astype(float))
    G = p0.a[:, None] * dsg
    Jw = np.stack([G * x2[:, j][None, :] for j in range(x2.shape[1])], axis=1).reshape(-1, len(x2))
    return np.concatenate([Jw, -G, sg, np.ones((1, len(x2)))])


@pytest.mark.parametrize("k", [0, 1, 2, 3])
def test_trainer_2d_converges_with_consistent_levels(k):
    """d = 2: the trainer interpolates (‖f(X) − y‖ ≤ 1e-10‖r0‖), and halving every step moves the limit by less
    than its budget (as in d = 1; a solve_ivp reference is out of reach: with random directions w, kinks cross
    data points and LSODA chatters)."""
    run = _runs_2d((180,))[k]
    xe = np.array([[0.0, 0.0], [0.5, -0.5], [-0.7, 0.1]])
    res = train([run], xe, levels=4)[0]
    assert np.max(np.abs(network(res.params, run.x, run.activation) - run.y)) < 1e-9
    coarse, err = richardson(res.level_values[:3])
    fine, _ = richardson(res.level_values[1:])
    assert np.max(np.abs(fine - coarse)) <= 10 * err, (np.max(np.abs(fine - coarse)), err)
