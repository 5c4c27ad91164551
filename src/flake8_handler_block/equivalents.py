"""Other linters' checks that are the same check as one of ours, and the comments that silence them.

A line whose comment silences the same check of another linter (``# noqa: RUF006`` on a dropped
task, ruff's asyncio-dangling-task) was read by its maintainers and kept on purpose: the plugin
does not report that line again under its own code. Only exact equivalents are listed: the other
check must name the same defect on the same call (a check that only overlaps, such as a blocking
call in any ``async def`` for HB601, is not one). The setting ``equivalent-noqa = false`` turns
this off. Documented in README.md ("Use") and in the rules' docstrings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, FrozenSet, Iterable, Tuple


@dataclass(frozen=True)
class Check:
    """A check of another linter: the codes a comment names it by, and how that comment reads."""

    tool: str  # "noqa" (ruff, flake8 plugins: ``# noqa: CODE``) or "pylint" (``# pylint: disable=NAME``)
    names: FrozenSet[str]  # a code, and for pylint its symbolic name too
    what: str  # for the docs


EQUIVALENTS: Dict[str, Tuple[Check, ...]] = {
    "HB201": (
        # ruff and flake8-bandit: request-without-timeout (bandit B113), requests calls with no timeout
        Check("noqa", frozenset({"S113"}), "ruff/flake8-bandit S113 request-without-timeout"),
        # pylint: missing-timeout, requests' functions with no timeout (its default timeout-methods)
        Check("pylint", frozenset({"W3101", "missing-timeout"}), "pylint W3101 missing-timeout"),
    ),
    "HB502": (
        # ruff: asyncio-dangling-task, a create_task()/ensure_future() result that is not kept
        Check("noqa", frozenset({"RUF006"}), "ruff RUF006 asyncio-dangling-task"),
    ),
}

# ``# noqa: RUF006`` as ruff reads it: ``noqa`` in any case, codes after a colon, separated by commas or spaces.
_NOQA = re.compile(r"#\s*(?i:noqa)\s*:\s*(?P<codes>[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*)")
# ``# pylint: disable=missing-timeout`` at the end of the line (pylint: that line only).
_PYLINT = re.compile(r"#\s*pylint\s*:\s*disable\s*=\s*(?P<codes>[\w-]+(?:\s*,\s*[\w-]+)*)")
_READERS = {"noqa": _NOQA, "pylint": _PYLINT}
MARKERS = frozenset(name for checks in EQUIVALENTS.values() for check in checks for name in check.names)


def silenced_elsewhere(code: str, comments: Iterable[str]) -> bool:
    """Whether one of ``comments`` (a finding's line and what flake8 joins to it) silences the
    other linters' equivalent of ``code``."""
    checks = EQUIVALENTS.get(code, ())
    for comment in comments:
        for check in checks:
            for match in _READERS[check.tool].finditer(comment):
                if check.names & set(re.split(r"[\s,]+", match.group("codes").strip())):
                    return True
    return False


def may_silence(text: str) -> bool:
    """Cheap test: the text names one of the equivalent checks somewhere."""
    return any(marker in text for marker in MARKERS)
