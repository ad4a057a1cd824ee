"""Hypothesis strategies for the suite: parametrizations, initializations, losses, schedules, data.

Strategies only: no oracle logic lives here. Each shrinks toward the smallest dimensions and the
simplest values that are still valid instances (identity-like eigenbases, unit scales, one-piece
schedules), so a shrunk counterexample is one a person can read.
"""
