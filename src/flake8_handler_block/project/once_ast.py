"""``once.guarded_once_per_process`` for the project index, read in ``ast`` (which must not import
libcst): a sync function that declares ``global FLAG``, returns at once ``if FLAG:``, and sets
``FLAG = True`` after in the same block does its work once per process."""

from __future__ import annotations

import ast
from typing import Sequence, Set


def ast_guarded_once_per_process(function: ast.AST) -> bool:
    """``guarded_once_per_process`` for an ``ast`` def: ``global FLAG``, ``if FLAG: return``, then
    ``FLAG = True`` in the same block (its body, or a ``with`` block in it)."""
    body = getattr(function, "body", [])
    declared = {name for statement in body if isinstance(statement, ast.Global) for name in statement.names}
    return bool(declared) and _ast_once_in(body, declared)


def _ast_once_in(statements: Sequence[ast.stmt], declared: Set[str]) -> bool:
    checked: Set[str] = set()
    for statement in statements:
        if isinstance(statement, (ast.With, ast.AsyncWith)):
            if _ast_once_in(statement.body, declared):
                return True
            continue
        if (isinstance(statement, ast.If) and not statement.orelse and len(statement.body) == 1
                and isinstance(statement.body[0], ast.Return) and isinstance(statement.test, ast.Name)
                and statement.test.id in declared):
            checked.add(statement.test.id)
        elif (checked and isinstance(statement, ast.Assign) and len(statement.targets) == 1
              and isinstance(statement.targets[0], ast.Name) and statement.targets[0].id in checked
              and isinstance(statement.value, ast.Constant) and statement.value.value is True):
            return True
    return False
