"""Line and column of reported nodes, without a position pass over the whole module.

libcst's ``PositionProvider`` regenerates the code of the entire module, which costs
more than the parse. Findings are few, so only the top-level statements that hold one
are regenerated (each in a one-statement module), and Python's ``ast`` (fast, in C)
says on which line each top-level statement starts in the real file.
"""

from __future__ import annotations

import ast
from typing import Dict, Iterable, Iterator, List, Mapping, Optional, Set, Tuple

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from .walk import iter_nodes

Position = Tuple[int, int]  # (line, column): 1-based line, 0-based column


def locate(
    module: cst.Module, wanted: Iterable[Tuple[cst.CSTNode, Optional[cst.CSTNode]]], text: str
) -> Dict[int, Position]:
    """Positions of ``wanted`` nodes, keyed by ``id(node)``.

    Each item is ``(node, hint)`` where ``hint`` is a top-level statement expected to
    contain it (the def or class around the finding's function). Each statement that
    holds a finding is regenerated once, whatever the number of findings in it; a node
    its hint does not hold is looked up with one walk of the module: the cost stays
    linear in the size of the module.
    """
    wanted = list(wanted)
    starts = _statement_start_lines(module, text)
    if starts is None:  # ast and libcst disagree on the statements: take the slow, sure way
        return _full(module, (node for node, _ in wanted))
    index = {id(stmt): i for i, stmt in enumerate(module.body)}
    by_statement: Dict[int, List[cst.CSTNode]] = {}
    unplaced: List[cst.CSTNode] = []
    for node, hint in wanted:
        top = index.get(id(hint)) if hint is not None else None
        if top is None:
            unplaced.append(node)
        else:
            by_statement.setdefault(top, []).append(node)
    found: Dict[int, Position] = {}
    for top, nodes in by_statement.items():
        positions = _statement_positions(module, top, starts[top])
        for node in nodes:
            position = positions.get(node)
            if position is None:
                unplaced.append(node)  # the hint was wrong: find the node's statement below
            else:
                found[id(node)] = position
    if unplaced:
        tops = _statements_of(module, {id(node) for node in unplaced})
        if len(tops) != len(unplaced):
            return _full(module, (node for node, _ in wanted))
        groups: Dict[int, List[cst.CSTNode]] = {}
        for node in unplaced:
            groups.setdefault(tops[id(node)], []).append(node)
        for top, nodes in groups.items():
            positions = _statement_positions(module, top, starts[top])
            for node in nodes:
                found[id(node)] = positions[node]
    return found


def _statement_positions(module: cst.Module, top: int, start_line: int) -> Mapping[cst.CSTNode, Position]:
    """Line and column of every node of one top-level statement, regenerated alone."""
    statement = module.body[top]
    alone = cst.Module(body=[statement], default_indent=module.default_indent, default_newline=module.default_newline)
    positions = MetadataWrapper(alone, unsafe_skip_copy=True).resolve(PositionProvider)
    offset = start_line - positions[statement].start.line
    return _Shifted(positions, offset)


class _Shifted(Mapping[cst.CSTNode, Position]):
    """A view of PositionProvider's answers moved down by ``offset`` lines."""

    def __init__(self, positions: Mapping[cst.CSTNode, CodeRange], offset: int) -> None:
        self._positions = positions
        self._offset = offset

    def __getitem__(self, node: cst.CSTNode) -> Position:
        start = self._positions[node].start
        return (start.line + self._offset, start.column)

    def __iter__(self) -> Iterator[cst.CSTNode]:
        return iter(self._positions)

    def __len__(self) -> int:
        return len(self._positions)


def _statements_of(module: cst.Module, targets: Set[int]) -> Dict[int, int]:
    """For the node ids in ``targets``: the index of the top-level statement holding each."""
    tops: Dict[int, int] = {}
    for top, statement in enumerate(module.body):
        for node in iter_nodes(statement):
            if id(node) in targets:
                tops[id(node)] = top
        if len(tops) == len(targets):
            break
    return tops


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
