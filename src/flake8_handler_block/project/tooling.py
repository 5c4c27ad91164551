"""Tooling: code that never serves a request (build scripts, CLIs, maintenance commands).

Paths are matched against ``tooling`` globs, relative to the project root with ``/``
separators: ``*`` and ``?`` stay inside one path segment, ``**`` spans any number of
directories (``**/cli/**`` is any ``cli`` directory; ``setup.py`` is only the one at
the root).
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from typing import FrozenSet, List, Pattern, Sequence, Tuple

from ..config import ConfigError, read_toml


def _segment(segment: str) -> str:
    out = []
    index = 0
    while index < len(segment):
        char = segment[index]
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            end = segment.find("]", index + 1)
            if end == -1:
                out.append(re.escape(char))
            else:
                body = segment[index + 1:end].replace("\\", "\\\\")
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append(f"[{body}]")
                index = end
        else:
            out.append(re.escape(char))
        index += 1
    return "".join(out)


def glob_regex(pattern: str) -> str:
    segments = pattern.strip().strip("/").split("/")
    out = []
    for position, segment in enumerate(segments):
        last = position == len(segments) - 1
        if segment == "**":
            out.append(".*" if last else "(?:[^/]+/)*")
        else:
            out.append(_segment(segment) + ("" if last else "/"))
    return "".join(out)


@lru_cache(maxsize=16)
def compile_globs(patterns: Tuple[str, ...]) -> Pattern[str]:
    if not patterns:
        return re.compile(r"(?!)")
    return re.compile("|".join(f"(?:{glob_regex(p)})" for p in patterns) + r"\Z")


def is_tooling_path(path: str, patterns: Sequence[str]) -> bool:
    """Does a root-relative, '/'-separated path match one of the tooling globs?"""
    return compile_globs(tuple(patterns)).match(path) is not None


# `name = package.module:function` in a console_scripts list (setup.py, setup.cfg, entry_points.txt)
_SCRIPT = re.compile(r"""^\s*["']?\s*[\w.-]+\s*=\s*([\w.]+)\s*:\s*([\w.]+)""", re.MULTILINE)


def console_scripts(root: str) -> FrozenSet[str]:
    """``module.function`` of every console script the project declares: in ``pyproject.toml``
    (``[project.scripts]``, ``[project.gui-scripts]``, Poetry's ``[tool.poetry.scripts]``),
    ``setup.cfg`` or ``setup.py`` (``console_scripts``), or an installed wheel's
    ``*.dist-info/entry_points.txt`` at the root. What cannot be read adds nothing."""
    found: List[str] = []
    found.extend(_pyproject_scripts(os.path.join(root, "pyproject.toml")))
    for name in ("setup.cfg", "setup.py"):
        text = _read(os.path.join(root, name))
        if "console_scripts" in text:
            found.extend(f"{m}.{f}" for m, f in _SCRIPT.findall(text.split("console_scripts", 1)[1][:4000]))
    try:
        infos = [e for e in os.listdir(root) if e.endswith(".dist-info")]
    except OSError:
        infos = []
    for info in infos:
        text = _read(os.path.join(root, info, "entry_points.txt"))
        section = re.search(r"^\[console_scripts\]\s*$(.*?)(?=^\[|\Z)", text, re.MULTILINE | re.DOTALL)
        if section:
            found.extend(f"{m}.{f}" for m, f in _SCRIPT.findall(section.group(1)))
    return frozenset(found)


def _pyproject_scripts(path: str) -> List[str]:
    if "scripts" not in _read(path):
        return []
    try:
        data = read_toml(path)
    except ConfigError:  # a broken pyproject.toml is the build's problem, not ours
        return []
    tables = [
        data.get("project", {}).get("scripts", {}), data.get("project", {}).get("gui-scripts", {}),
        data.get("tool", {}).get("poetry", {}).get("scripts", {}),
    ]
    found = []
    for table in tables:
        for target in table.values() if isinstance(table, dict) else ():
            if isinstance(target, str) and ":" in target:
                module, function = target.split(":", 1)
                found.append(f"{module.strip()}.{function.strip().split()[0]}")
    return found


def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read(1_000_000)
    except OSError:
        return ""
