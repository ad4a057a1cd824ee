"""The machinery of the suite: decorators and verdicts (``harness``), the pytest ``plugin``, the report
store (``reports``, ``report_pages``, ``plots``), the recorded ``environment``, Hypothesis ``profiles``
and the ``cli`` behind ``python -m theorems``.

Nothing here is a statement; the statements are the modules directly in ``theorems/`` (the rule is
:func:`theorems.suite.statements.is_statement_module`).
"""
