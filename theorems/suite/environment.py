"""What a verdict was reached with: Python, every installed package, the lock, the BLAS, the commit.

Every ``summary.json`` and ``counterexample.json`` carries :func:`runtime_environment`; ``python -m
theorems reproduce`` compares it with the running one (:func:`differences`) when a stored result does not
reproduce, so that "numpy 1.26 here, 2.4 there" is said, not guessed.

The BLAS is pinned to one thread per process (:func:`pin_blas_threads`) by the pytest plugin, whatever
started pytest: the oracles work on tiny matrices, where threads only add contention, and a reduction
split over threads can round differently from one run to the next.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import platform
import subprocess
from pathlib import Path
from typing import Any

#: The project's lock file, next to pyproject.toml in a checkout (absent in a non-editable install).
LOCK_NAME = "requirements.lock"
#: Environment variables that set the thread count of the common BLAS/OpenMP runtimes.
BLAS_THREAD_VARIABLES = (
    "OPENBLAS_NUM_THREADS",
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "BLIS_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)


def suite_root() -> Path:
    """The directory holding the ``theorems`` package (the checkout, for an editable install)."""
    return Path(__file__).resolve().parent.parent.parent


def pin_blas_threads(threads: int = 1) -> None:
    """One BLAS thread in this process and in every process it starts.

    The variables are set for child processes (xdist workers, subprocesses); libraries already loaded
    are limited through threadpoolctl, which works after numpy's import too.
    """
    for name in BLAS_THREAD_VARIABLES:
        os.environ[name] = str(threads)
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=threads)


def _git(args: list[str], cwd: Path) -> str | None:
    try:
        out = subprocess.run(["git", *args], capture_output=True, text=True, timeout=5, cwd=cwd)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def lock_hash(root: Path | None = None) -> str | None:
    """``sha256`` of the lock file in the checkout, or ``None`` when there is none."""
    path = (root or suite_root()) / LOCK_NAME
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def installed_packages() -> dict[str, str]:
    """``{distribution name (normalized): version}`` of everything importable in this interpreter."""
    out: dict[str, str] = {}
    for dist in importlib.metadata.distributions():
        name = (dist.metadata["Name"] or "").strip().lower().replace("_", "-")
        if name:
            out[name] = dist.version
    return dict(sorted(out.items()))


def blas_info() -> list[dict[str, Any]]:
    """The loaded BLAS/OpenMP libraries (threadpoolctl): API, implementation, version, threads."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:  # pragma: no cover - a dependency, but the record must not fail for it
        return []
    import numpy  # noqa: F401  (load numpy's BLAS so that it is seen)
    import scipy.linalg  # noqa: F401

    keys = ("user_api", "internal_api", "version", "num_threads", "threading_layer", "architecture")
    return [{k: lib.get(k) for k in keys if k in lib} for lib in threadpool_info()]


def runtime_environment() -> dict[str, Any]:
    """Python, platform, packages, lock hash, BLAS and commit of this process (JSON-able)."""
    root = suite_root()
    commit = _git(["rev-parse", "HEAD"], root)
    dirty = _git(["status", "--porcelain", "--untracked-files=no"], root) if commit else None
    packages = installed_packages()
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "numpy": packages.get("numpy"),
        "scipy": packages.get("scipy"),
        "hypothesis": packages.get("hypothesis"),
        "git_commit": commit,
        "git_dirty": bool(dirty) if dirty is not None else None,
        "lock_sha256": lock_hash(root),
        "blas": blas_info(),
        "packages": packages,
    }


#: Keys of an environment record whose difference can change a verdict (the rest is bookkeeping).
COMPARED = ("python", "implementation", "machine", "git_commit", "git_dirty", "lock_sha256")


def differences(stored: dict[str, Any] | None, current: dict[str, Any]) -> list[str]:
    """What differs between a stored environment and the running one, one line each (empty if nothing).

    Package versions are compared one by one (added, removed, changed); BLAS libraries by implementation,
    version and thread count.
    """
    if not stored:
        return ["the stored record has no environment (written before environments were recorded)"]
    lines = [
        f"{k}: stored {stored.get(k)!r}, here {current.get(k)!r}"
        for k in COMPARED
        if k in stored and stored.get(k) != current.get(k)
    ]
    old, new = stored.get("packages") or {}, current.get("packages") or {}
    for name in sorted(set(old) | set(new)):
        if old.get(name) != new.get(name):
            lines.append(f"package {name}: stored {old.get(name) or 'absent'}, here {new.get(name) or 'absent'}")

    def blas(env):
        return sorted(
            f"{b.get('internal_api')} {b.get('version')} ({b.get('num_threads')} thread(s))"
            for b in env.get("blas") or []
        )

    if "blas" in stored and blas(stored) != blas(current):
        lines.append(f"BLAS: stored {', '.join(blas(stored)) or 'none'}; here {', '.join(blas(current)) or 'none'}")
    return lines


def project_modules() -> list[str]:
    """Every module of the packages ``oracles``, ``generators`` and ``theorems`` (not ``__main__``)."""
    import pkgutil

    names = []
    for pkg in ("oracles", "generators", "theorems"):
        try:
            module = __import__(pkg)
        except ImportError:  # pragma: no cover - the project is installed with all three
            continue
        names += [m.name for m in pkgutil.walk_packages(module.__path__, f"{pkg}.") if not m.name.endswith("__main__")]
    return sorted(names)


def freeze_constant_pool() -> list[str]:
    """Import the whole project now, so Hypothesis's pool of literal constants does not depend on the selection.

    Hypothesis draws, now and then, a literal constant found in the source of any *local* module in
    ``sys.modules`` (``hypothesis.internal.conjecture.providers._get_local_constants``; test files are
    skipped). So which examples a derandomized statement draws depended on which statement modules happened
    to be imported: by collection (even of deselected files) or lazily during the run. Importing every
    module of the project before the first test makes that pool the same for one statement alone and for
    the whole suite. Returns the modules that failed to import (reported, not fatal here: collection will
    show the error where it belongs).
    """
    import importlib

    failed = []
    for name in project_modules():
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - collection reports the real error
            failed.append(name)
    return failed
