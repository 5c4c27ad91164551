"""The text of a name or attribute chain in an ``ast`` tree (``a.b.c``), shared by the
summary pass, the reference scan and the default-timeout scan."""

from __future__ import annotations

import ast
from typing import List, Optional


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
