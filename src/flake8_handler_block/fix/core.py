"""Fixing one file's text: lint, rewrite what has a safe fix, lint again, until stable.

Each round re-runs the linter on the rewritten code, so a fix is only applied where
the linter reports, and fixes that touch the same statements are spread over rounds
instead of being composed blindly.
"""

from __future__ import annotations

import ast
from collections import Counter
from dataclasses import dataclass, field
from typing import Dict, List, Mapping, Optional, Sequence, Set

import libcst as cst

from ..config import Config
from ..engine import Located, analyse_module, may_hold_finding
from ..noqa import NoqaReading
from ..rules import ALL_RULES
from .edits import Edits, Parents, apply
from .edits import BodyEdit, CallEdit, FixContext, Skip
from .edits import Fixer

FIXERS: Dict[str, Fixer] = {rule.code: rule.fixer for rule in ALL_RULES if rule.fixer is not None}
# The timeout a fix writes, per code, as source text (`--timeout` and pyproject `fix-timeout` override).
DEFAULT_TIMEOUTS: Dict[str, str] = {
    rule.code: rule.fix_default_timeout for rule in ALL_RULES if rule.fix_default_timeout
}

MAX_ROUNDS = 8


class FixError(Exception):
    """A file that cannot be fixed (it does not parse); the message is one line."""


@dataclass
class Remaining:
    line: int
    column: int
    message: str
    reason: str  # why it was left: "no safe fix", "not selected", a fixer's Skip reason, ...

    @property
    def code(self) -> str:
        return self.message.split(" ", 1)[0]


@dataclass
class FixResult:
    source: str
    fixed: Counter = field(default_factory=Counter)  # code -> findings that went away
    remaining: List[Remaining] = field(default_factory=list)
    rounds: int = 0


def parse_timeouts(raw: Mapping[str, str], origin: str = "--timeout") -> Dict[str, cst.BaseExpression]:
    """Per-code timeout expressions; a key of ``*`` applies to every code."""
    texts = dict(DEFAULT_TIMEOUTS)
    if "*" in raw:
        texts = {code: raw["*"] for code in texts}
    for code, text in raw.items():
        if code != "*":
            if code not in texts:
                raise ValueError(f"{origin}: {code} has no timeout to set (known: {', '.join(sorted(texts))})")
            texts[code] = text
    result = {}
    for code, text in texts.items():
        try:
            result[code] = cst.parse_expression(str(text).strip())
        except Exception:
            raise ValueError(f"{origin}: {code} timeout {text!r} is not a Python expression") from None
    return result


def selected(code: str, select: Optional[Sequence[str]]) -> bool:
    return not select or any(code.startswith(prefix) for prefix in select)


def lint(module: cst.Module, text: str, filename: str, config: Config) -> List[Located]:
    """What flake8 would report for this text (noqa applied as flake8 reads it), with the nodes."""
    if not may_hold_finding(text, filename, config, ALL_RULES):
        return []
    noqa = NoqaReading(text)
    if noqa.skips_file:
        return []
    return [f for f in analyse_module(module, filename, config) if not noqa.silences(f.line, f.violation.code)]


def fix_source(
    text: str,
    filename: str = "<unknown>",
    config: Optional[Config] = None,
    select: Optional[Sequence[str]] = None,
    timeouts: Optional[Mapping[str, cst.BaseExpression]] = None,
) -> FixResult:
    """The fixed text of one file and what was (not) fixed. Raises FixError if it does not parse."""
    config = config or Config()
    timeouts = dict(timeouts) if timeouts is not None else parse_timeouts({})
    extra = dict(config.extra_timeout_calls)
    if not may_hold_finding(text, filename, config, ALL_RULES):
        return FixResult(text)  # the linter's cheap gate: no parse for most files
    try:
        module = cst.parse_module(text)
    except Exception as exc:
        raise FixError(f"libcst could not parse this file ({type(exc).__name__})") from None
    initial: Optional[Counter] = None
    source = text
    result = FixResult(text)
    for round_ in range(MAX_ROUNDS + 1):
        findings = lint(module, source, filename, config)
        if initial is None:
            initial = Counter(f.violation.code for f in findings)
        skipped: Dict[int, str] = {}
        edits = _plan(module, findings, select, timeouts, extra, skipped) if round_ < MAX_ROUNDS else Edits()
        new_source = apply(module, edits).code if edits else source
        if new_source == source:
            break
        # Re-parse so that positions and node identities match the new text; a rewrite
        # that Python would reject (a bug of ours) is dropped, never written.
        try:
            compile(new_source, filename, "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
            module = cst.parse_module(new_source)
        except Exception:
            skipped.update({id(f): "internal error: the rewrite did not parse" for f in findings})
            break
        source = new_source
        result.rounds += 1
    final = Counter(f.violation.code for f in findings)
    result.source = source
    result.fixed = Counter({c: n - final[c] for c, n in (initial or Counter()).items() if n > final[c]})
    result.remaining = [
        Remaining(f.line, f.column, f.message, skipped.get(id(f), _why_left(f.violation.code, select)))
        for f in findings
    ]
    return result


def _why_left(code: str, select: Optional[Sequence[str]]) -> str:
    if code not in FIXERS:
        return "no safe fix"
    if not selected(code, select):
        return "not selected"
    return "no safe fix for this case"


def _plan(
    module: cst.Module,
    findings: Sequence[Located],
    select: Optional[Sequence[str]],
    timeouts: Mapping[str, cst.BaseExpression],
    extra: Mapping[str, Optional[int]],
    skipped: Dict[int, str],
) -> Edits:
    edits = Edits()
    candidates = [f for f in findings if f.violation.code in FIXERS and selected(f.violation.code, select)]
    if not candidates:
        return edits
    ctx = FixContext(module, Parents.of(module), timeouts, extra)
    moved: Set[int] = set()
    for found in candidates:
        try:
            edit = FIXERS[found.violation.code](found, ctx)
        except Exception as exc:  # a fixer bug leaves the finding alone, never the file half-done
            edit = Skip(f"internal error {type(exc).__name__}: {exc}")
        if isinstance(edit, Skip):
            skipped[id(found)] = edit.reason
        elif isinstance(edit, CallEdit):
            if edit.node in edits.calls:
                continue
            edits.calls[edit.node] = edit.rewrite
        elif isinstance(edit, BodyEdit):
            # One statement rewrite per suite and per statement each round; the rest next round.
            ids = {id(s) for s in edit.statements}
            if edit.suite in edits.bodies or ids & moved:
                continue
            moved |= ids
            edits.bodies[edit.suite] = edit.rewrite
    return edits
