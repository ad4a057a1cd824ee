"""lie: Lie brackets of gradient fields, numerical rank with error bounds, the closure of Lie(∂G) as a graph,
and conservation-law counts.

The 0.1 names of the module ``oracles.lie`` (``bracket``, ...) resolve with a DeprecationWarning
(:mod:`oracles._legacy`)."""


def __getattr__(name: str):  # noqa: ANN202 - PEP 562
    from oracles._legacy import module_getattr

    return module_getattr(__name__, stacklevel=3)(name)
