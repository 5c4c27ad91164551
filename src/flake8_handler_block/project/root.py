"""Where a project starts, which Python files it holds, and each file's module name.

The root is the nearest directory at or above the file holding ``pyproject.toml``,
``setup.cfg``, ``setup.py`` or ``.git``, not looking past a hidden directory (a project
unpacked under ``.cache/`` or ``.real-code/`` is its own: the scan of a root above would
skip it); else the nearest directory where one wheel was unpacked (exactly one ``*.dist-info``:
what it holds imports by name from there, a top-level namespace package included; a directory
holding several, a site-packages or a ``--target`` install, is no one project's root); else the
directory above the file's top-level package (walking up while ``__init__.py`` exists, and
through directories without one inside a package: namespace portions such as ``app/schemas/``
or ``app/core/services/``). The scan never follows a symlinked directory (no loops), skips
hidden, virtualenv and build directories, and stops at a file-count limit.
"""

from __future__ import annotations

import ast
import os
from dataclasses import dataclass
from typing import Dict, FrozenSet, Iterable, List, Optional, Set, Tuple, Union

from .astnames import dotted
from .requirements import is_requirements_file

ROOT_MARKERS = ("pyproject.toml", "setup.cfg", "setup.py", ".git")
SKIPPED_DIRS = frozenset(
    {
        "__pycache__", "node_modules", "site-packages", "dist-packages", "build", "dist",
        "venv", "env", "htmlcov", "__pypackages__",
    }
)
STDIN_NAMES = frozenset({"stdin", "-", "<stdin>"})


class TooManyFiles(Exception):
    """The tree holds more Python files than the index is willing to read."""


def is_stdin(filename: str) -> bool:
    return filename in STDIN_NAMES


def find_root(filename: str, cwd: Optional[str] = None) -> str:
    """The project root for ``filename`` (a path, or "stdin": then the working directory)."""
    base = cwd or os.getcwd()
    if is_stdin(filename):
        start = os.path.abspath(base)
        return _marked_ancestor(start) or start
    path = os.path.abspath(os.path.join(base, filename))
    directory = os.path.dirname(path)
    marked = _marked_ancestor(directory) or _unpacked_wheel_around(directory)
    if marked is not None:
        return marked
    top = directory
    while True:
        parent = os.path.dirname(top)
        if parent == top:
            break
        # a package, or a directory with no __init__.py inside one (`app/schemas/` of a wheel: an
        # implicit namespace package that `app.schemas.x` still imports through), also a few such
        # directories deep (`app/core/services/`)
        if not os.path.isfile(os.path.join(top, "__init__.py")) and not _inside_package(parent):
            break
        top = parent
    return top


_NAMESPACE_DEPTH = 3  # directories with no __init__.py a package may hold above a module


def _inside_package(directory: str) -> bool:
    """``directory`` is a package, or one of the few directories above it is."""
    for _ in range(_NAMESPACE_DEPTH):
        if os.path.isfile(os.path.join(directory, "__init__.py")):
            return True
        parent = os.path.dirname(directory)
        if parent == directory:
            return False
        directory = parent
    return False


def _unpacked_wheel_around(directory: str) -> Optional[str]:
    """The nearest directory holding ``directory`` (or itself) where one wheel was unpacked: it holds
    exactly one ``*.dist-info`` (a site-packages holds many). A module in a folder of data the wheel
    ships (eeg-security's `rules/bundles/.../_test_fixtures/mcp-ssrf/`, no ``__init__.py`` on the way)
    belongs to that project, whose tooling globs then see its path."""
    current = directory
    while True:
        if len(_distribution_metadata(current)) == 1 and os.path.basename(current) not in SKIPPED_DIRS:
            return current
        parent = os.path.dirname(current)
        if parent == current or os.path.basename(parent).startswith("."):
            return None
        current = parent


def _distribution_metadata(directory: str) -> List[str]:
    """The ``*.dist-info`` entries of ``directory`` (none when it cannot be read)."""
    try:
        return [name for name in os.listdir(directory) if name.endswith(".dist-info")]
    except OSError:
        return []


def enclosing_root(root: str) -> Optional[str]:
    """The root of a project ``root`` sits inside (a vendored package with its own ``setup.py`` or
    ``.git``), or None. Not looked for past a hidden directory, as for ``find_root``."""
    parent = os.path.dirname(root)
    if parent == root or os.path.basename(parent).startswith("."):
        return None
    return _marked_ancestor(parent)


def marks_root(directory: str) -> bool:
    """``directory`` holds one of ``ROOT_MARKERS``. A ``setup.py`` beside an ``__init__.py`` is a module
    of that package (an API's ``setup`` routes, ``hub/api/v1/setup.py``), not a project's build script."""
    for marker in ROOT_MARKERS:
        if os.path.exists(os.path.join(directory, marker)):
            if marker == "setup.py" and os.path.isfile(os.path.join(directory, "__init__.py")):
                continue
            return True
    return False


def _marked_ancestor(directory: str) -> Optional[str]:
    current = directory
    while True:
        if marks_root(current):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return None
        if os.path.basename(parent).startswith("."):
            return current  # the scan of any root above skips the hidden directory, and this file with it
        current = parent


@dataclass(frozen=True)
class SourceFile:
    path: str  # relative to the root, '/'-separated
    size: int
    mtime_ns: int


def scan(
    root: str, limit: int, skip: Tuple[str, ...] = (), settings: Optional[List[SourceFile]] = None
) -> List[SourceFile]:
    """Every ``*.py`` file under ``root``, sorted by path; raises TooManyFiles past ``limit``.

    ``settings`` receives the other files the analysis reads or looks for on the way: root
    markers in any directory (``pyproject.toml``, ``setup.cfg``; ``.git`` by its presence only,
    size and mtime 0), the root's ``*.dist-info/entry_points.txt`` (console scripts) and its
    requirement lists and lock files (``requirements.is_requirements_file``).
    """
    found: List[SourceFile] = []
    skipped = {os.path.abspath(path) for path in skip}
    # Each directory with its path relative to the root, '/'-separated, built as the walk goes
    # down (os.path.relpath per file was half the scan's time on Django).
    pending = [(root, "")]
    while pending:
        directory, prefix = pending.pop()
        try:
            entries = list(os.scandir(directory))
        except OSError:
            continue
        if directory != root and any(entry.name == "pyvenv.cfg" for entry in entries):
            continue  # a virtualenv
        for entry in entries:
            name = entry.name
            try:
                if settings is not None and (
                    name in ROOT_MARKERS or (directory == root and name.endswith(".dist-info"))
                    or is_requirements_file(prefix + name)
                ):
                    settings.append(_setting(prefix, entry))
                if entry.is_dir(follow_symlinks=False):
                    if not name.startswith(".") and name not in SKIPPED_DIRS and entry.path not in skipped:
                        pending.append((entry.path, f"{prefix}{name}/"))
                elif name.endswith(".py") and entry.is_file():
                    stat = entry.stat()
                    found.append(SourceFile(prefix + name, stat.st_size, stat.st_mtime_ns))
                    if len(found) > limit:
                        raise TooManyFiles(f"more than {limit} Python files under {root}")
            except OSError:
                continue  # vanished, unreadable, a broken symlink
    found.sort(key=lambda f: f.path)
    if settings is not None:
        settings.sort(key=lambda f: f.path)
    return found


def _setting(prefix: str, entry: "os.DirEntry[str]") -> SourceFile:
    """``prefix``: the relative path of the entry's directory, '/'-separated (empty at the root)."""
    path, relative = entry.path, prefix + entry.name
    if entry.name.endswith(".dist-info"):
        path, relative = os.path.join(path, "entry_points.txt"), f"{relative}/entry_points.txt"
    if entry.name == ".git" or entry.name.endswith(".py"):
        return SourceFile(relative, 0, 0)  # .git: its presence; setup.py: among the Python files
    try:
        stat = os.stat(path)
    except OSError:
        return SourceFile(relative, -1, 0)
    return SourceFile(relative, stat.st_size, stat.st_mtime_ns)


def own_directory_on_path(root: str, paths: List[str]) -> List[str]:
    """The top-level packages whose ``__init__.py`` or ``__main__.py`` puts the package's own
    directory on ``sys.path`` (``sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))``,
    also through a name assigned just before): their subpackages are imported as top-level ones."""
    packages = {p[: -len("/__init__.py")] for p in paths if p.endswith("/__init__.py")}
    found = []
    for package in sorted(packages):
        parent = package.rsplit("/", 1)[0] if "/" in package else ""
        if parent in packages:
            continue
        for name in ("__init__.py", "__main__.py"):
            if f"{package}/{name}" in paths and _puts_own_directory_on_path(os.path.join(root, package, name)):
                found.append(package)
                break
    return found


def _puts_own_directory_on_path(filename: str) -> bool:
    try:
        with open(filename, "rb") as handle:
            source = handle.read(200_000)
    except OSError:
        return False
    return 1 in path_entries(source)


# Text a module must hold to put a directory computed from its own file on ``sys.path`` (path_entries).
PATH_ENTRY_HINTS = ("sys.path", "__file__")
_PATH_ENTRY_BYTES = tuple(hint.encode("ascii") for hint in PATH_ENTRY_HINTS)


def may_put_on_path(text: Union[str, bytes]) -> bool:
    """The cheap test before ``path_entries``: the text (or the file's bytes, not decoded for it)
    names both ``sys.path`` and ``__file__``."""
    if isinstance(text, bytes):
        return all(hint in text for hint in _PATH_ENTRY_BYTES)
    return all(hint in text for hint in PATH_ENTRY_HINTS)


def path_entries(source: Union[str, bytes]) -> FrozenSet[int]:
    """The directories a module puts on ``sys.path`` (``insert``/``append``) that it computes from
    its own ``__file__``, as how far up from the file each is: 1 for its own directory
    (``os.path.dirname(os.path.abspath(__file__))``, ``Path(__file__).parent``), 2 for the one
    above (``dirname(dirname(__file__))``, ``Path(__file__).parent.parent``,
    ``os.path.join(os.path.dirname(__file__), "..")``), also through a name assigned first."""
    if not may_put_on_path(source):
        return frozenset()
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return frozenset()
    assigned: Dict[str, ast.expr] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            assigned[node.targets[0].id] = node.value
    found = set()
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args
                and node.func.attr in ("insert", "append") and dotted(node.func.value) == "sys.path"):
            value = node.args[-1]
            if isinstance(value, ast.Name):
                value = assigned.get(value.id, value)
            levels = _levels_up(value, assigned)
            if levels is not None and levels > 0:
                found.add(levels)
    return frozenset(found)


def _levels_up(expr: ast.expr, assigned: Dict[str, ast.expr], depth: int = 0) -> Optional[int]:
    """How many directories up from the module's file ``expr`` is (0: the file itself), None when
    it is not computed from ``__file__`` alone."""
    if depth > 8:
        return None
    if isinstance(expr, ast.Name):
        if expr.id == "__file__":
            return 0
        value = assigned.get(expr.id)
        return _levels_up(value, assigned, depth + 1) if value is not None else None
    if isinstance(expr, ast.Call):
        name = dotted(expr.func).rsplit(".", 1)[-1]
        args = expr.args
        if name in ("str", "Path", "abspath", "realpath", "normpath", "resolve", "absolute") and len(args) == 1:
            return _levels_up(args[0], assigned, depth + 1)
        if name == "dirname" and len(args) == 1:
            inner = _levels_up(args[0], assigned, depth + 1)
            return inner + 1 if inner is not None else None
        if name == "join" and args and not expr.keywords:
            inner = _levels_up(args[0], assigned, depth + 1)
            rest = args[1:]
            if inner is None or not all(isinstance(a, ast.Constant) and a.value in ("..", os.pardir) for a in rest):
                return None
            return inner + len(rest)
        if isinstance(expr.func, ast.Attribute) and expr.func.attr in ("resolve", "absolute") and not args:
            return _levels_up(expr.func.value, assigned, depth + 1)
        return None
    if isinstance(expr, ast.Attribute) and expr.attr == "parent":
        inner = _levels_up(expr.value, assigned, depth + 1)
        return inner + 1 if inner is not None else None
    return None


class ModuleNames:
    """Dotted module names of the files of a tree (and the file each name stands for).

    A file inside packages is named from its top-level package (``src/app/views.py``
    is ``app.views``); a file outside any package is named from the root (namespace
    packages: ``routes/search.py`` is ``routes.search``), and from ``src/`` too. A Django
    project directory (the one holding ``manage.py``) is on ``sys.path`` when it runs: its
    files are also named from there (``label_studio/core/utils/io.py`` is ``core.utils.io``),
    and so are those of a package that puts its own directory on ``sys.path`` (``on_path``:
    calibre-web's ``calibreweb/cps/web.py`` is ``cps.web``).

    A package takes its name before a module of the same name beside it, as Python's import
    does: with ``schemas/providers/__init__.py`` there, ``schemas/providers.py`` is never
    imported (``shadowed``).
    """

    def __init__(self, paths: List[str], on_path: Iterable[str] = ()) -> None:
        self._packages: Set[str] = {p.rsplit("/", 1)[0] if "/" in p else "" for p in paths if p.endswith("__init__.py")}
        self.by_path: Dict[str, Tuple[str, bool]] = {}
        self.by_name: Dict[str, str] = {}
        self.shadowed: FrozenSet[str] = frozenset(
            p for p in paths if not p.endswith("__init__.py") and p[:-3] in self._packages
        )
        aliases: List[Tuple[str, str]] = []
        script_dirs = sorted(
            {p.rsplit("/", 1)[0] + "/" for p in paths if p.endswith("/manage.py")} | {f"{d}/" for d in on_path}, key=len
        )
        for path in paths:
            name, is_package, others = self._names(path)
            for prefix in script_dirs:
                if path.startswith(prefix):
                    rest = path[len(prefix):-3].split("/")
                    others.append(".".join(rest[:-1] if rest[-1] == "__init__" else rest))
            self.by_path[path] = (name, is_package)
            if path in self.shadowed:
                continue  # the package beside it has the name, and every other way in
            self.by_name.setdefault(name, path)
            aliases.extend((other, path) for other in others)
        for name, path in aliases:
            self.by_name.setdefault(name, path)

    def _names(self, path: str) -> Tuple[str, bool, List[str]]:
        parts = path[:-3].split("/")
        is_package = parts[-1] == "__init__"
        if is_package:
            parts = parts[:-1]
        directory = path.rsplit("/", 1)[0] if "/" in path else ""
        start = len(directory.split("/")) if directory else 0  # index of the first part in a package
        current = directory
        while current and current in self._packages:
            start -= 1
            current = current.rsplit("/", 1)[0] if "/" in current else ""
        packaged = ".".join(parts[start:]) if start < len(parts) else ".".join(parts)
        root_relative = ".".join(parts)
        others = [root_relative]
        if parts and parts[0] == "src" and len(parts) > 1:
            others.append(".".join(parts[1:]))
        if directory in self._packages or is_package:
            return packaged, is_package, others
        return root_relative, is_package, [packaged, *others[1:]]

    def name_of(self, path: str) -> Optional[Tuple[str, bool]]:
        return self.by_path.get(path)
