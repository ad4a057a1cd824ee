"""Two models no source treats, for the README's section on the calculator (``python -m theorems analyze``)."""
import numpy as np


def monomial_pair(x):
    """G(x) = (x1·x2, x2²) on R²: quadratic, not commuting."""
    return np.array([x[0] * x[1], x[1] ** 2])


def diagonal_two_layer(x):
    r"""A 2-layer linear net with a diagonal first layer, w = V diag(s) on d = 2 inputs and 2 outputs:
    x = (s_1, s_2, V_11, V_12, V_21, V_22), w = vec(V diag(s)) = (V_11 s_1, V_12 s_2, V_21 s_1, V_22 s_2)."""
    s, V = x[:2], x[2:].reshape(2, 2)
    return (V * s[None, :]).ravel()
