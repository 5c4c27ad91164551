"""Line and column of reported nodes, without a position pass over the whole module.

libcst's ``PositionProvider`` regenerates the code of the entire module, which costs
more than the parse. Findings are few, so only the top-level statements that hold one
are regenerated (each in a one-statement module), and Python's ``ast`` (fast, in C)
says on which line each top-level statement starts in the real file. Inside a class, only
the member that holds the findings is regenerated (a class of thousands of lines costs
as much as the rest of the module's analysis): its lines, written at the top level, are
the real ones less the class's indentation, which the real text confirms line by line.
"""

from __future__ import annotations

import ast
from typing import Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Set, Tuple

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
    statements = _ast_statements(module.body, text)
    if statements is None:  # ast and libcst disagree on the statements: take the slow, sure way
        return _full(module, (node for node, _ in wanted))
    starts = [statement.lineno for statement in statements]
    members = _Members(module, statements, text)
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
        positions = members.positions(top, nodes) or _statement_positions(module, top, starts[top])
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
            positions = members.positions(top, nodes) or _statement_positions(module, top, starts[top])
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


def _ast_statements(statements: Sequence[cst.BaseStatement], text: str) -> Optional[List[ast.stmt]]:
    """The ``ast`` statement (the first, for a line of several) of each libcst top-level statement:
    its ``lineno`` is where the libcst statement starts (a def's line, not its decorators', as libcst)."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    return _paired(statements, tree.body)


def _paired(statements: Sequence[cst.BaseStatement], body: Sequence[ast.stmt]) -> Optional[List[ast.stmt]]:
    found = []
    position = 0
    for statement in statements:
        if position >= len(body):
            return None
        found.append(body[position])
        position += len(statement.body) if isinstance(statement, cst.SimpleStatementLine) else 1
    return found if position == len(body) else None


class _Members:
    """Positions inside a top-level class from the one member (method, nested class, line of class
    body) that holds the nodes, regenerated alone (see the module docstring)."""

    def __init__(self, module: cst.Module, statements: List[ast.stmt], text: str) -> None:
        self.module = module
        self.statements = statements
        self.text = text
        self._lines: Optional[List[str]] = None

    def positions(self, top: int, nodes: List[cst.CSTNode]) -> Optional[Dict[cst.CSTNode, Position]]:
        """Every node of ``nodes`` placed, each member holding some regenerated once; or None (a
        node outside the class's members, a line the real text does not confirm): the caller
        regenerates the whole statement then."""
        statement, tree = self.module.body[top], self.statements[top]
        if not isinstance(statement, cst.ClassDef) or not isinstance(statement.body, cst.IndentedBlock):
            return None
        if not isinstance(tree, ast.ClassDef):
            return None
        members = _paired(statement.body.body, tree.body)
        if members is None:
            return None
        wanted = {id(node): node for node in nodes}
        found: Dict[cst.CSTNode, Position] = {}
        for index, member in enumerate(statement.body.body):
            inside = [wanted.pop(id(node)) for node in iter_nodes(member) if id(node) in wanted]
            if inside:
                placed = self._regenerated(member, members[index].lineno, inside)
                if placed is None:
                    return None
                found.update(placed)
            if not wanted:
                return found
        return None

    def _regenerated(self, member: cst.BaseStatement, start_line: int,
                     nodes: List[cst.CSTNode]) -> Optional[Dict[cst.CSTNode, Position]]:
        module = self.module
        body: Sequence = [member]  # an IndentedBlock holds the statements a Module does
        alone = cst.Module(body=body, default_indent=module.default_indent, default_newline=module.default_newline)
        positions = MetadataWrapper(alone, unsafe_skip_copy=True).resolve(PositionProvider)
        offset = start_line - positions[member].start.line
        written = _split_lines(alone.code_for_node(member))  # the module is this member alone
        if self._lines is None:
            self._lines = _split_lines(self.text)
        real = self._lines
        found: Dict[cst.CSTNode, Position] = {}
        for node in nodes:
            start = positions[node].start
            line = start.line + offset
            if not 1 <= start.line <= len(written) or not 1 <= line <= len(real):
                return None
            here, there = written[start.line - 1], real[line - 1]
            indent = len(there) - len(here)
            # the member's own lines are the real ones less the class's indentation; lines inside
            # brackets or strings are written as they are
            if not here or indent < 0 or not there.endswith(here) or there[:indent].strip(" \t"):
                return None
            found[node] = (line, start.column + indent)
        return found


def _split_lines(text: str) -> List[str]:
    """Lines as Python counts them (``\\n``, ``\\r\\n`` or ``\\r``), without their ends."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
