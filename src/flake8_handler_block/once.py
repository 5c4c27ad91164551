"""A function guarded to do its work once: ``if self._started: return`` then ``self._started = True``.

The lazy start of a fixed pool of background workers (agentcrawl's ``_ensure_job_workers``) is
called on every request, yet starts its threads only the first time: no request leaves one more
thread behind.
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


def _once_in(statements: Sequence[cst.BaseStatement]) -> bool:
    checked: Set[str] = set()
    for statement in statements:
        if isinstance(statement, cst.With) and isinstance(statement.body, cst.IndentedBlock):
            if _once_in(statement.body.body):
                return True
            continue
        flag = _returns_if_set(statement)
        if flag is not None:
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
