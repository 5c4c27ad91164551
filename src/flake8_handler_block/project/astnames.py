"""The text of a name or attribute chain in an ``ast`` tree (``a.b.c``), shared by the
summary pass, the reference scan and the default-timeout scan; what a relative import names; and
the nodes a function or module holds itself."""

from __future__ import annotations

import ast
from typing import Iterator, List, Optional


def dotted_parts(expr: ast.AST) -> Optional[List[str]]:
    """``["a", "b", "c"]`` for ``a.b.c``; None for anything but names and attributes."""
    parts: List[str] = []
    while type(expr) is ast.Attribute:
        parts.append(expr.attr)
        expr = expr.value
    if type(expr) is not ast.Name:
        return None
    parts.append(expr.id)
    parts.reverse()
    return parts


def dotted(expr: ast.AST) -> str:
    """``"a.b.c"`` for ``a.b.c``; '' for anything else."""
    parts = dotted_parts(expr)
    return ".".join(parts) if parts is not None else ""


def absolute_import(importer: str, is_package: bool, level: int, name: str) -> Optional[str]:
    """``name`` as module ``importer`` imports it ``level`` dots up (``from ..x import y``: level 2,
    name ``x``): its absolute dotted name; None when the dots climb above the top-level package."""
    if not level:
        return name
    parts = importer.split(".") if importer else []
    if not is_package:
        parts = parts[:-1]
    up = level - 1
    if up >= len(parts):
        return None
    parts = parts[: len(parts) - up]
    return ".".join([*parts, name] if name else parts)


def own_nodes(scope: ast.AST) -> Iterator[ast.AST]:
    """The nodes of a module or function, not those of the functions, lambdas and classes defined in
    it (their ``def`` and ``class`` nodes are given, not looked into)."""
    todo = list(ast.iter_child_nodes(scope))
    while todo:
        node = todo.pop()
        yield node
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            todo.extend(ast.iter_child_nodes(node))
