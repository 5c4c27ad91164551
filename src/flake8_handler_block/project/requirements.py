"""Which versions of a library a project asks for, read from its own files.

Some libraries changed a default timeout between major versions (redis-py 8 gives its sockets a 5 s
one; before, none): whether a client built without one can hang depends on the version installed,
which only the project's requirements tell. They are read, at the project root, from:

* lock files (``uv.lock``, ``poetry.lock``, ``Pipfile.lock``): the versions installed, when present;
* ``pyproject.toml`` (``[project]`` dependencies and extras, ``[dependency-groups]``, Poetry's
  dependencies and groups), ``setup.cfg`` (``install_requires``, extras), ``requirements*.txt``
  (also under ``requirements/``), the string literals of ``setup.py``;
* the ``Requires-Dist`` lines of a ``*.dist-info/METADATA`` there (an unpacked wheel).

:func:`requires_below` answers "is every version the project allows older than ``major``": the
locked versions when a lock names the library, else every requirement found caps it below (``<8``,
``==7.4.*``, ``~=5.0``, Poetry's ``^5.0``). A library the project does not name, or names once with
no cap, is not known to be older: nothing is claimed.
"""

from __future__ import annotations

import fnmatch
import glob
import json
import os
import re
from typing import Dict, Iterator, List, Optional, Tuple

from ..config import read_toml

_LOCKS = ("uv.lock", "poetry.lock")
_PIPFILE_LOCK = "Pipfile.lock"
_ROOT_LOCKS = frozenset({*_LOCKS, _PIPFILE_LOCK})
_REQUIREMENT_GLOBS = ("requirements*.txt", "requirements/*.txt", "requirements/*.in", "requirements*.in")
_METADATA_GLOB = "*.dist-info/METADATA"
_SPECIFIER = re.compile(r"(===|==|~=|!=|<=|>=|<|>|\^|~)\s*v?([0-9][0-9A-Za-z.*+!-]*)")
_NAME = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(.*)")
_LOCKED = re.compile(r'^name\s*=\s*"([^"]+)"\s*\nversion\s*=\s*"([^"]+)"', re.MULTILINE)
_answers: Dict[Tuple[str, str, int, Tuple[Tuple[str, float], ...]], bool] = {}


def requires_below(root: str, distribution: str, major: int) -> bool:
    """Every version of ``distribution`` the project at ``root`` allows (or has locked) is older than
    ``major``.0; False when it cannot tell. Never raises."""
    try:
        sources = tuple(_sources(root))
        key = (root, canonical(distribution), major, sources)
        if key not in _answers:
            _answers[key] = _below(root, canonical(distribution), major, [path for path, _ in sources])
        return _answers[key]
    except Exception:  # an unreadable or odd file: nothing is claimed
        return False


def canonical(name: str) -> str:
    """A distribution name as PEP 503 compares them."""
    return re.sub(r"[-_.]+", "-", name).lower()


def is_requirements_file(relative: str) -> bool:
    """``relative`` (to the project root, '/'-separated) is one of the files read here (a lock, a
    requirements list): what a module's kept findings depend on, besides the root markers."""
    if not relative.startswith("requirements"):  # asked of every entry of the scan: the cheap test first
        return relative in _ROOT_LOCKS
    return any(fnmatch.fnmatchcase(relative, pattern) for pattern in _REQUIREMENT_GLOBS)


def _sources(root: str) -> Iterator[Tuple[str, float]]:
    names = [*_LOCKS, _PIPFILE_LOCK, "pyproject.toml", "setup.cfg", "setup.py"]
    paths = [os.path.join(root, name) for name in names]
    for pattern in (*_REQUIREMENT_GLOBS, _METADATA_GLOB):
        paths.extend(sorted(glob.glob(os.path.join(glob.escape(root), pattern))))
    for path in paths:
        try:
            yield path, os.stat(path).st_mtime
        except OSError:
            continue


def _below(root: str, name: str, major: int, paths: List[str]) -> bool:
    locked = [_major(version) for path in paths for version in _locked_versions(path, name)]
    if locked:
        return all(first is not None and first < major for first in locked)
    specifiers = [spec for path in paths for spec in _declared(path, name)]
    return bool(specifiers) and all(caps_below(spec, major) for spec in specifiers)


def caps_below(specifier: str, major: int) -> bool:
    """The version specifier (``>=5,<7``, ``==7.4.*``, ``~=5.0``, ``^5.0``) allows no version from
    ``major``.0 on."""
    for operator, version in _SPECIFIER.findall(specifier.split(";", 1)[0]):
        first = _major(version)
        if first is None:
            continue
        if operator in ("==", "===", "~=", "<=", "^", "~") and first < major:
            return True
        if operator == "<" and _release(version) <= (major,):
            return True
    return False


def _major(version: str) -> Optional[int]:
    digits = re.match(r"\d+", version)
    return int(digits.group()) if digits else None


def _release(version: str) -> Tuple[int, ...]:
    """``8.0.0`` as (8,): trailing zeros dropped, so that ``<8.0.0`` compares as ``<8``."""
    parts = [int(part) for part in re.findall(r"\d+", version.split("+")[0])[:3]]
    while parts and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def _locked_versions(path: str, name: str) -> List[str]:
    base = os.path.basename(path)
    if base in _LOCKS:
        text = _read(path)
        return [version for found, version in _LOCKED.findall(text) if canonical(found) == name]
    if base == _PIPFILE_LOCK:
        data = json.loads(_read(path) or "{}")
        versions = []
        for section in ("default", "develop"):
            entry = (data.get(section) or {}).get(name) or {}
            version = entry.get("version", "") if isinstance(entry, dict) else ""
            if isinstance(version, str) and version.startswith("=="):
                versions.append(version[2:])
        return versions
    return []


def _declared(path: str, name: str) -> List[str]:
    """The specifiers ``path`` gives ``name`` ('' for a requirement with none)."""
    base = os.path.basename(path)
    if base == "pyproject.toml":
        return _from_pyproject(path, name)
    if base == "METADATA":
        lines = [line[len("Requires-Dist:"):] for line in _read(path).splitlines() if line.startswith("Requires-Dist:")]
        return _matching(lines, name)
    if base == "setup.py":
        return _matching(re.findall(r"""["']([^"'\n]+)["']""", _read(path)), name)
    if base in _LOCKS or base == _PIPFILE_LOCK:
        return []
    return _matching(_read(path).splitlines(), name)  # requirements files, setup.cfg's lines


def _from_pyproject(path: str, name: str) -> List[str]:
    data = read_toml(path)
    project = data.get("project") or {}
    lines: List[str] = list(project.get("dependencies") or [])
    for extra in (project.get("optional-dependencies") or {}).values():
        lines.extend(extra or [])
    for group in (data.get("dependency-groups") or {}).values():
        lines.extend(item for item in group or [] if isinstance(item, str))
    found = _matching([line for line in lines if isinstance(line, str)], name)
    poetry = (data.get("tool") or {}).get("poetry") or {}
    tables = [poetry.get("dependencies") or {}, poetry.get("dev-dependencies") or {}]
    tables += [(group or {}).get("dependencies") or {} for group in (poetry.get("group") or {}).values()]
    for table in tables:
        for key, value in table.items():
            if canonical(key) == name:
                spec = value.get("version", "") if isinstance(value, dict) else value
                found.append(spec if isinstance(spec, str) and spec != "*" else "")
    return found


def _matching(lines: List[str], name: str) -> List[str]:
    found = []
    for line in lines:
        text = line.split("#", 1)[0].strip()
        if not text or text.startswith("-"):
            continue
        match = _NAME.match(text)
        if match and canonical(match.group(1)) == name:
            found.append(match.group(2).strip().lstrip("(").rstrip(")"))
    return found


def _read(path: str) -> str:
    with open(path, encoding="utf-8", errors="replace") as handle:
        return handle.read()
