"""Where a result comes from: the code that computed it and the machine it ran on.

A stored run is keyed by its parameters and :func:`code_version`, the package version plus a
fingerprint of the package's own source files, so any change to the code (not only a new
release) gives new run ids: a store never serves a result of older code as current, and
the older rows stay in it untouched. :func:`provenance` is what a report records about
itself.

Example:
    >>> version = code_version()
    >>> version.startswith("0.1.0+") and len(version.split("+")[1]) == 16
    True
"""

from __future__ import annotations

import functools
import hashlib
import platform
import subprocess
import sys
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@functools.cache
def code_fingerprint() -> str:
    """16 hex digits of SHA-256 over every ``.py`` file of the package (path and bytes)."""
    digest = hashlib.sha256()
    for path in sorted(_PACKAGE.rglob("*.py")):
        digest.update(path.relative_to(_PACKAGE).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def code_version() -> str:
    """``<version>+<fingerprint>``: what run ids are keyed by and stored runs record."""
    from seqmem import __version__

    return f"{__version__}+{code_fingerprint()}"


@functools.cache
def git_commit() -> str | None:
    """The commit of the git checkout the package is imported from (``+dirty`` when its
    files differ from it), or None outside a checkout or without git."""
    try:
        commit = subprocess.run(
            ["git", "-C", str(_PACKAGE), "rev-parse", "HEAD"],
            capture_output=True, text=True, timeout=10, check=True,
        ).stdout.strip()  # fmt: skip
        changes = subprocess.run(
            ["git", "-C", str(_PACKAGE), "status", "--porcelain", "--", "."],
            capture_output=True, text=True, timeout=10, check=True,
        ).stdout.strip()  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{commit}+dirty" if changes else commit


def provenance(*, plan: str, seeds: list[int]) -> dict:
    """What produced a report: seqmem's version and code fingerprint, the git commit, the
    versions of Python, JAX, NumPy and SciPy, the platform, the plan and the seeds."""
    import jax
    import numpy
    import scipy

    from seqmem import __version__

    return {
        "seqmem": __version__,
        "code": code_fingerprint(),
        "commit": git_commit(),
        "python": platform.python_version(),
        "jax": jax.__version__,
        "numpy": numpy.__version__,
        "scipy": scipy.__version__,
        "platform": f"{platform.platform()} ({platform.machine()}, {sys.byteorder}-endian)",
        "plan": plan,
        "seeds": sorted(seeds),
    }
