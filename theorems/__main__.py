"""``python -m theorems list | reproduce FILE [--plot DIR]`` (see :mod:`theorems.suite.cli`)."""

from theorems.suite.cli import main

raise SystemExit(main())
