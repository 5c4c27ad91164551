"""A function guarded to do its work once: ``if self._started: return`` then ``self._started = True``.

The lazy start of a fixed pool of background workers (agentcrawl's ``_ensure_job_workers``) is
called on every request, yet starts its threads only the first time: no request leaves one more
thread behind. With a flag the function declares ``global`` (``if _VALIDATED: return``, then
``_VALIDATED = True``) the work runs once per process: first-use set-up, off the event loop's
every-request work (HB601). The project index reads the same shape in ``ast``
(``project/once_ast.py``).
"""

from __future__ import annotations

from typing import Optional, Sequence, Set

import libcst as cst

from .names import dotted_name


def guarded_to_run_once(function: cst.FunctionDef) -> bool:
    """The function returns at once when a flag is set, and sets that flag itself afterwards, in
    the same block (its body, or a ``with`` block in it: the lock the check holds)."""
    body = function.body
    return isinstance(body, cst.IndentedBlock) and _once_in(body.body)


def guarded_once_per_process(function: cst.FunctionDef) -> bool:
    """``guarded_to_run_once`` by a flag the function declares ``global``."""
    body = function.body
    if not isinstance(body, cst.IndentedBlock):
        return False
    declared = {name.name.value for statement in body.body if isinstance(statement, cst.SimpleStatementLine)
                for small in statement.body if isinstance(small, cst.Global) for name in small.names}
    return bool(declared) and _once_in(body.body, declared)


def _once_in(statements: Sequence[cst.BaseStatement], declared: Optional[Set[str]] = None) -> bool:
    """``declared``: the flags that count (None: any)."""
    checked: Set[str] = set()
    for statement in statements:
        if isinstance(statement, cst.With) and isinstance(statement.body, cst.IndentedBlock):
            if _once_in(statement.body.body, declared):
                return True
            continue
        flag = _returns_if_set(statement)
        if flag is not None and (declared is None or flag in declared):
            checked.add(flag)
        elif checked and isinstance(statement, cst.SimpleStatementLine):
            if any(_sets_true(small) in checked for small in statement.body):
                return True
    return False


def _returns_if_set(statement: cst.BaseStatement) -> Optional[str]:
    """``if FLAG: return``: the flag's dotted name."""
    if not isinstance(statement, cst.If) or statement.orelse is not None:
        return None
    body = statement.body
    if not isinstance(body, cst.IndentedBlock) or len(body.body) != 1:
        return None
    only = body.body[0]
    if not (isinstance(only, cst.SimpleStatementLine) and len(only.body) == 1 and isinstance(only.body[0], cst.Return)):
        return None
    return dotted_name(statement.test) if isinstance(statement.test, (cst.Name, cst.Attribute)) else None


def _sets_true(small: cst.BaseSmallStatement) -> Optional[str]:
    """``FLAG = True``: the flag's dotted name."""
    if not isinstance(small, cst.Assign) or len(small.targets) != 1:
        return None
    value = small.value
    if not (isinstance(value, cst.Name) and value.value == "True"):
        return None
    return dotted_name(small.targets[0].target)
