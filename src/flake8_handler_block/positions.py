"""Line and column of reported nodes, without a position pass over the whole module.

libcst's ``PositionProvider`` regenerates the code of the entire module, which costs
more than the parse. Findings are few, so only the top-level statements that hold one
are regenerated (each in a one-statement module), and Python's ``ast`` (fast, in C)
says on which line each top-level statement starts in the real file.
"""

from __future__ import annotations

import ast
from typing import Dict, Iterable, List, Optional, Tuple

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from .walk import child_fields, is_node

Position = Tuple[int, int]  # (line, column): 1-based line, 0-based column


def locate(module: cst.Module, wanted: Iterable[Tuple[cst.CSTNode, Optional[cst.CSTNode]]], text: str) -> Dict[int, Position]:
    """Positions of ``wanted`` nodes, keyed by ``id(node)``.

    Each item is ``(node, hint)`` where ``hint`` is a node known to contain it (or the
    node itself), used to find its top-level statement without a search.
    """
    wanted = list(wanted)
    starts = _statement_start_lines(module, text)
    if starts is None:  # ast and libcst disagree on the statements: take the slow, sure way
        return _full(module, (node for node, _ in wanted))
    index = {id(stmt): i for i, stmt in enumerate(module.body)}
    by_statement: Dict[int, List[cst.CSTNode]] = {}
    for node, hint in wanted:
        top = index.get(id(hint)) if hint is not None else None
        if top is None or not _contains(module.body[top], node):
            top = _find_statement(module, node)
        if top is None:
            return _full(module, (node for node, _ in wanted))
        by_statement.setdefault(top, []).append(node)
    found: Dict[int, Position] = {}
    for top, nodes in by_statement.items():
        statement = module.body[top]
        alone = cst.Module(
            body=[statement], default_indent=module.default_indent, default_newline=module.default_newline
        )
        positions = MetadataWrapper(alone, unsafe_skip_copy=True).resolve(PositionProvider)
        offset = starts[top] - positions[statement].start.line
        for node in nodes:
            start = positions[node].start
            found[id(node)] = (start.line + offset, start.column)
    return found


def _full(module: cst.Module, nodes: Iterable[cst.CSTNode]) -> Dict[int, Position]:
    positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    return {id(node): (positions[node].start.line, positions[node].start.column) for node in nodes}


def _statement_start_lines(module: cst.Module, text: str) -> Optional[List[int]]:
    """Line on which each libcst top-level statement starts, from ``ast``."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    body = tree.body
    starts = []
    position = 0
    for statement in module.body:
        if position >= len(body):
            return None
        starts.append(body[position].lineno)  # a def's line, not its decorators' (as libcst)
        position += len(statement.body) if isinstance(statement, cst.SimpleStatementLine) else 1
    return starts if position == len(body) else None


def _contains(root: cst.CSTNode, target: cst.CSTNode) -> bool:
    if root is target:
        return True
    stack = [root]
    while stack:
        current = stack.pop()
        for field in child_fields(type(current)):
            value = getattr(current, field)
            if value is target:
                return True
            if is_node(value):
                stack.append(value)
            elif type(value) in (list, tuple):
                for child in value:
                    if child is target:
                        return True
                    if is_node(child):
                        stack.append(child)
    return False


def _find_statement(module: cst.Module, target: cst.CSTNode) -> Optional[int]:
    for i, statement in enumerate(module.body):
        if _contains(statement, target):
            return i
    return None
