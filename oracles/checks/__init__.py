"""checks: the comparisons statements call, each returning an :class:`~oracles.core.outcome.Outcome` -- equivalence
of flows (Thm 4.8, Lemmas 4.6-4.7), commutation, path dependence and Hessian metrics, limits against
projections, reverse (Thm 5.1), quadratic closed forms (Thm 4.15), matrix sensing, linear networks, Lie conditions."""
