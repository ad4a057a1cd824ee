"""What a statement module is: the one rule, read by the plugin, the CLI and the tests.

A statement module is a plain module directly in the ``theorems/`` package whose name does not begin
with an underscore (``theorems/li2022_s4_1_commuting.py``). Everything that is not a statement lives in a
sub-package (``theorems/suite/``: the machinery), so adding a source section is adding a file, and no list
of prefixes has to be kept anywhere.
"""

from __future__ import annotations

import pkgutil
from pathlib import Path

#: The ``theorems`` package directory.
PACKAGE_DIR = Path(__file__).resolve().parent.parent


def is_statement_module(path: Path | str) -> bool:
    """Whether ``path`` is a statement module of this checkout's ``theorems`` package.

    Parameters
    ----------
    path
        A file path (resolved here).
    """
    path = Path(path).resolve()
    return path.parent == PACKAGE_DIR and path.suffix == ".py" and not path.name.startswith("_")


def statement_modules() -> list[str]:
    """The dotted names of the statement modules, sorted (``theorems.li2022_s3_3_mirror``, ...)."""
    return sorted(
        f"theorems.{m.name}"
        for m in pkgutil.iter_modules([str(PACKAGE_DIR)])
        if not m.ispkg and not m.name.startswith("_")
    )
