"""flows: ψ, gradient flow and mirror flow on fixed horizons, limits of long integrations, the Lemma 4.7 potential
(:func:`potential_of`), and the dynamics of two-layer linear networks.

``from oracles.flows import gradient_flow`` keeps working from the 0.1 layout; the other 0.1 names of
``oracles.flows`` (``checked_solve``, ``MAX_NFEV``, ...) resolve with a DeprecationWarning (:mod:`oracles._legacy`).
"""

from oracles.flows.legendre import LemmaLegendre, potential_of
from oracles.flows.trajectories import FlowResult, MirrorFlowResult, field_flow, gradient_flow, mirror_flow, psi

__all__ = [
    "FlowResult",
    "LemmaLegendre",
    "MirrorFlowResult",
    "field_flow",
    "gradient_flow",
    "mirror_flow",
    "potential_of",
    "psi",
]


def __getattr__(name: str):  # noqa: ANN202 - PEP 562
    from oracles._legacy import module_getattr

    return module_getattr(__name__, stacklevel=3)(name)
