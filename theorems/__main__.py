"""``python -m theorems list | reproduce FILE [--plot DIR]`` (see :mod:`theorems.cli`)."""
from theorems.cli import main

raise SystemExit(main())
