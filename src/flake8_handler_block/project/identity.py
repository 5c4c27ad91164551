"""What identifies this plugin's own code, for cache entries that hold its conclusions.

A cached finding is only as good as the code that drew it: any edit of this package (a
development checkout, an upgrade without a version bump), another Python or another libcst
must not see findings an older state of the code drew.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
from functools import lru_cache

from .. import __version__

_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@lru_cache(maxsize=1)
def code_identity() -> str:
    """A digest of the path, size and mtime of every Python file of this package, with the
    versions of the plugin, Python and libcst (computed once per process: ~100 stats)."""
    digest = hashlib.sha1(f"{__version__}\0{sys.version}\0{_libcst_version()}\n".encode())
    for directory, subdirectories, files in os.walk(_PACKAGE):
        subdirectories[:] = sorted(name for name in subdirectories if name != "__pycache__")
        for name in sorted(files):
            if name.endswith(".py"):
                path = os.path.join(directory, name)
                try:
                    stat = os.stat(path)
                except OSError:
                    continue
                relative = os.path.relpath(path, _PACKAGE)
                digest.update(f"{relative}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def _libcst_version() -> str:
    """libcst's version, read without importing it (a run that parses nothing never does)."""
    try:
        spec = importlib.util.find_spec("libcst")
    except (ImportError, ValueError):
        return ""
    origin = spec.origin if spec is not None else None
    if not origin:
        return ""
    try:
        with open(os.path.join(os.path.dirname(origin), "_version.py"), encoding="utf-8", errors="replace") as handle:
            return handle.read(2000)  # written by libcst's build
    except OSError:
        return origin  # no version file: where it is installed stands in for the version
