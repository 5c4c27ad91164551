"""Tooling: code that never serves a request (build scripts, CLIs, maintenance commands).

Paths are matched against ``tooling`` globs, relative to the project root with ``/``
separators: ``*`` and ``?`` stay inside one path segment, ``**`` spans any number of
directories (``**/cli/**`` is any ``cli`` directory; ``setup.py`` is only the one at
the root).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Pattern, Sequence, Tuple


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
