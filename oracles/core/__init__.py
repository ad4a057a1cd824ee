"""core: what every oracle shares -- Outcome and budgets, errors, the ODE wrapper, finite differences, example specs.

Imports nothing from the other layers of :mod:`oracles`.
"""
