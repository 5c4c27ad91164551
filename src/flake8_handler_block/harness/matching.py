"""Match what the harness observed with a finding's line and its rule's run-time signature.

The signatures come from the rules (``runtime = Signature(...)`` in each rule class) and reach
the harness as a table ``{code: Signature}``: this module never imports the rules (nor libcst).
The same table answers both questions - "does this observation stand for HBxxx?" and, when a
finding came without a code, "which code does this observation stand for?".
"""

from __future__ import annotations

import ast
import os
from functools import lru_cache
from typing import Any, Dict, FrozenSet, List, Mapping, Optional, Set, Tuple

from ..signature import Signature, library_paths

Table = Mapping[str, Signature]
_LOOPS: Tuple[type, ...] = (ast.While, ast.For, ast.AsyncFor)
_TRIES: Tuple[type, ...] = tuple(t for t in (getattr(ast, "Try", None), getattr(ast, "TryStar", None)) if t)


@lru_cache(maxsize=64)
def _tree(path: str) -> Optional[ast.AST]:
    try:
        with open(path, "rb") as fh:
            return ast.parse(fh.read())
    except (OSError, SyntaxError, ValueError):
        return None


def statement_span(path: str, line: int) -> Tuple[int, int]:
    """Lines of the innermost statement at `line` (for a compound statement: its header)."""
    tree = _tree(path)
    best: Optional[Tuple[int, int]] = None
    if tree is None:
        return (line, line)
    for node in ast.walk(tree):
        if not isinstance(node, ast.stmt):
            continue
        start = node.lineno
        end = getattr(node, "end_lineno", None) or start
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.stmt):
            decorators = getattr(node, "decorator_list", None)
            if decorators:
                start = min(d.lineno for d in decorators)
            end = max(start, body[0].lineno - 1)
        if start <= line <= end:
            if best is None or end - start <= best[1] - best[0]:
                best = (start, end)
    return best or (line, line)


def _bound_names(stmt: ast.stmt) -> Set[str]:
    """Names a statement binds to what it creates: `x = ...`, `with ... as x`, `x: T = ...`."""
    targets: List[ast.AST] = []
    if isinstance(stmt, ast.Assign):
        targets = list(stmt.targets)
    elif isinstance(stmt, (ast.AnnAssign, ast.AugAssign)):
        targets = [stmt.target]
    elif isinstance(stmt, (ast.With, ast.AsyncWith)):
        targets = [item.optional_vars for item in stmt.items if item.optional_vars is not None]
    names: Set[str] = set()
    for target in targets:
        names |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
    return names


def _innermost(tree: ast.AST, line: int, kinds: Tuple[type, ...]) -> Optional[ast.AST]:
    best: Optional[ast.AST] = None
    for node in ast.walk(tree):
        if isinstance(node, kinds) and isinstance(node, ast.stmt):
            end = getattr(node, "end_lineno", None) or node.lineno
            if node.lineno <= line <= end and (best is None or node.lineno >= getattr(best, "lineno", 0)):
                best = node
    return best


@lru_cache(maxsize=256)
def finding_lines(path: str, line: int) -> FrozenSet[int]:
    """The finding's statement plus the statements that use the object it creates.

    `async with httpx.AsyncClient(timeout=None) as client:` is the finding; the request parks in
    `await client.get(URL)` on the next line - which must count as the finding's line.
    """
    start, end = statement_span(path, line)
    lines = set(range(start, end + 1))
    tree = _tree(path)
    if tree is None:
        return frozenset(lines)
    stmt = next((n for n in ast.walk(tree) if isinstance(n, ast.stmt) and n.lineno == start), None)
    names = _bound_names(stmt) if stmt is not None else set()
    scope = _innermost(tree, line, (ast.FunctionDef, ast.AsyncFunctionDef)) or tree
    if names:
        for node in ast.walk(scope):
            if not isinstance(node, ast.stmt) or node is stmt:
                continue
            s_start, s_end = statement_span(path, node.lineno)
            if s_start != node.lineno:
                continue  # only a statement's own header lines, not its body
            header = [n for n in ast.walk(node) if isinstance(n, ast.Name) and s_start <= n.lineno <= s_end]
            if any(n.id in names and isinstance(n.ctx, ast.Load) for n in header):
                lines |= set(range(s_start, s_end + 1))
    return frozenset(lines)


def function_of(path: str, line: int) -> Optional[Tuple[int, int]]:
    """(first decorator line, def line) of the innermost function holding `line`."""
    tree = _tree(path)
    node = _innermost(tree, line, (ast.FunctionDef, ast.AsyncFunctionDef)) if tree is not None else None
    if node is None:
        return None
    decorators = getattr(node, "decorator_list", None) or []
    first = min([d.lineno for d in decorators] + [node.lineno])  # type: ignore[attr-defined]
    return first, node.lineno  # type: ignore[attr-defined]


def enclosing(path: str, line: int, kinds: Tuple[type, ...]) -> Optional[Tuple[int, int]]:
    """Full span of the innermost statement of `kinds` that starts at `line` (or has a handler there)."""
    tree = _tree(path)
    if tree is None:
        return None
    found: Optional[Tuple[int, int]] = None
    for node in ast.walk(tree):
        if isinstance(node, kinds) and isinstance(node, ast.stmt):
            lines = {node.lineno} | {h.lineno for h in getattr(node, "handlers", [])}
            if line in lines:
                span = (node.lineno, getattr(node, "end_lineno", None) or node.lineno)
                if found is None or span[1] - span[0] < found[1] - found[0]:
                    found = span
    return found


def same_file(a: str, b: str) -> bool:
    try:
        return os.path.realpath(a) == os.path.realpath(b)
    except (OSError, ValueError):
        return False


def _at_line(site: Any, file: str, line: int, sig: Optional[Signature], cancelled: bool) -> bool:
    """The observed site is the finding's line (or inside the block the finding's line opens)."""
    if site is None or not same_file(site.file, file):
        return False
    if site.line == line or statement_span(file, site.line) == statement_span(file, line):
        return True
    if site.line in finding_lines(file, line):
        return True
    if sig is None or sig.in_loop:  # a loop with no exit is observed anywhere inside it
        loop = enclosing(file, line, _LOOPS)
        if loop is not None and loop[0] <= site.line <= loop[1]:
            return True
    if (sig.cancelled if sig is not None else cancelled):  # the try whose except swallowed it
        block = enclosing(file, line, _TRIES)
        if block is not None and block[0] <= site.line <= block[1]:
            return True
    return False


def _blocks_loop(kind: str, obs: Any) -> bool:
    return kind == "block" or (kind == "stuck" and "blocking the event loop" in obs.kind)


def fits(sig: Signature, kind: str, obs: Any) -> bool:
    """The observation is of the shape the signature describes (location aside)."""
    if kind == "leak":
        return obs.kind in sig.leaks
    if sig.loop_block:
        return _blocks_loop(kind, obs)
    if kind != "stuck":
        return False
    if sig.cancelled:
        return "cancel" in obs.note
    if sig.untimed and bool(getattr(obs, "timeout", None)):
        return False  # it waits within a timeout of its own: not a missing timeout
    return sig.states is None or obs.state in sig.states


def library_rank(sig: Signature, kind: str, obs: Any) -> Optional[int]:
    """How close to the user's line one of the signature's libraries shows in the observation.

    0 is nearest. None when the signature names libraries and none of them shows; a large
    number when it names none (it then only wins when nothing more specific fits).
    """
    if not sig.libraries:
        return 1 << 30
    if kind == "leak":
        what = obs.what
        return 0 if any(what == m or what.startswith(m + ".") for m in sig.libraries) else None
    stack = obs.stack.replace("\\", "/")
    start = 0
    site = getattr(obs, "site", None)
    if site is not None:  # library frames below the user's line: the call the line makes
        marker = f'"{site.file}", line {site.line},'
        found = stack.rfind(marker)
        start = found if found >= 0 else 0
    best: Optional[int] = None
    for module in sig.libraries:
        for fragment in library_paths(module):
            at = stack.find(fragment, start)
            if at >= 0 and (best is None or at < best):
                best = at
    return best


def candidates(table: Table, kind: str, obs: Any, file: str, line: int) -> List[str]:
    """Codes whose signature the observation fits (its location aside)."""
    found = []
    for code, sig in table.items():
        if not sig.observable or not fits(sig, kind, obs):
            continue
        if sig.in_loop and enclosing(file, line, _LOOPS) is None:
            continue
        found.append(code)
    return found


def infer(table: Table, kind: str, obs: Any, file: str, line: int) -> Optional[str]:
    """The one code the observation stands for, or None when no code fits or several fit equally."""
    ranked: List[Tuple[Tuple[int, int, int], str]] = []
    for code in candidates(table, kind, obs, file, line):
        sig = table[code]
        rank = library_rank(sig, kind, obs)
        if rank is None:
            continue  # a rule about requests, and requests is not on the stack
        # Decisive shapes first (a blocked loop, a swallowed cancellation, a loop at the line),
        # then the library nearest the line, then the narrowest set of states or leak kinds.
        decisive = 0 if (sig.loop_block or sig.cancelled or sig.in_loop) else 1
        width = len(sig.leaks) if kind == "leak" else (len(sig.states) if sig.states else 1 << 20)
        ranked.append(((decisive, rank, width), code))
    if not ranked:
        return None
    ranked.sort()
    if len(ranked) > 1 and ranked[0][0] == ranked[1][0]:
        return None  # two codes fit equally well: name none rather than guess
    return ranked[0][1]


def match(report: Any, file: str, line: int, code: Optional[str], table: Table) -> Optional[Tuple[str, Any]]:
    """The first observation at file:line that fits the code's signature: ("stuck"|"block"|"leak", obj).

    Without a code, any observation at the line counts (its code is inferred separately).
    """
    sig = table.get(code) if code else None
    if code and (sig is None or not sig.observable):
        return None
    if sig is not None and sig.in_loop and enclosing(file, line, _LOOPS) is None:
        return None  # a loop with no exit is observed inside a loop that starts at that line
    for kind, items in (("stuck", report.stuck), ("block", report.loop_blocks), ("leak", report.leaks)):
        for obs in items:
            sites = [obs.site, *getattr(obs, "also", [])]
            cancelled = "cancel" in getattr(obs, "note", "")
            if not any(_at_line(s, file, line, sig, cancelled) for s in sites):
                continue
            if fits(sig, kind, obs) if sig is not None else candidates(table, kind, obs, file, line):
                return kind, obs
    return None


def timed_at_line(report: Any, file: str, line: int, sigs: List[Signature]) -> Optional[Any]:
    """A handler stuck at the line in a state of one of the signatures, but within its own timeout."""
    for obs in report.stuck:
        if not bool(getattr(obs, "timeout", None)):
            continue
        for sig in sigs:
            if sig.untimed and (sig.states is None or obs.state in sig.states) and _at_line(
                obs.site, file, line, sig, False
            ):
                return obs
    return None


def consequence(report: Any, table: Table) -> Optional[Tuple[str, Any]]:
    """(code, stuck handler): a handler stuck in the wait a skipped signal leaves waiting (HB401/HB402)."""
    for obs in report.stuck:
        codes = [code for code, sig in table.items() if obs.state in sig.consequence]
        if len(codes) == 1:
            return codes[0], obs
    return None


def table_to_dict(table: Table) -> Dict[str, Dict[str, Any]]:
    return {code: sig.to_dict() for code, sig in table.items()}


def table_from_dict(data: Mapping[str, Mapping[str, Any]]) -> Dict[str, Signature]:
    return {code: Signature.from_dict(dict(sig)) for code, sig in data.items()}
