"""One batched walk over a libcst tree, without rebuilding it.

libcst's own traversal (``Module.visit``, ``visit_batched``) rebuilds every node it
passes and visits every whitespace node: on real code that costs about as much as the
parse itself. Rules never change the tree and never look at whitespace, so this walk
reads the child fields directly, skips formatting-only fields, and calls the same
``visit_<Type>``, ``visit_<Type>_<field>``, ``leave_<Type>_<field>`` and
``leave_<Type>`` methods a ``BatchableCSTVisitor`` declares, in the order libcst
would (decorators and parameters before a function's body, and so on).
"""

from __future__ import annotations

import dataclasses
from typing import Callable, Dict, Iterator, List, Sequence, Tuple

import libcst as cst

Method = Callable[[cst.CSTNode], object]

# Fields that only hold formatting (whitespace, brackets, separators, comments' lines).
_FORMATTING = frozenset(
    {
        "lpar", "rpar", "leading_lines", "lines_after_decorators", "header", "footer", "comma",
        "semicolon", "equal", "colon", "dot", "lbracket", "rbracket", "lbrace", "rbrace", "indent",
        "newline", "default_indent", "default_newline", "encoding", "has_trailing_newline",
        "asynchronous", "operator", "star", "posonly_ind", "trailing_whitespace", "value_fragment",
        "whitespace", "first_line", "empty_lines", "tokens", "relative", "prefix", "start", "end",
        "quote", "string", "evaluated_value",
    }
)
# Source order where the dataclass order differs (it matters for scopes and blocks).
_ORDER: Dict[str, Tuple[str, ...]] = {
    "FunctionDef": ("decorators", "name", "type_parameters", "params", "returns", "body"),
    "ClassDef": ("decorators", "name", "type_parameters", "bases", "keywords", "body"),
    "Parameters": ("posonly_params", "params", "star_arg", "kwonly_params", "star_kwarg"),
    "ExceptHandler": ("type", "name", "body"),
    "ExceptStarHandler": ("type", "name", "body"),
}

_FIELDS: Dict[type, Tuple[str, ...]] = {}


def child_fields(node_type: type) -> Tuple[str, ...]:
    """The fields of a node type that can hold child nodes, in source order."""
    fields = _FIELDS.get(node_type)
    if fields is None:
        names = [
            f.name
            for f in dataclasses.fields(node_type)
            if f.name not in _FORMATTING and not f.name.startswith("whitespace")
        ]
        order = _ORDER.get(node_type.__name__)
        if order is not None:
            names = [name for name in order if name in names] + [n for n in names if n not in order]
        fields = tuple(names)
        _FIELDS[node_type] = fields
    return fields


class BatchedWalk:
    """Dispatch table of many batchable visitors; ``walk(module)`` runs them all at once."""

    def __init__(self, visitors: Sequence[cst.BatchableCSTVisitor]) -> None:
        table: Dict[str, List[Method]] = {}
        for visitor in visitors:
            for name, method in visitor.get_visitors().items():
                table.setdefault(name, []).append(method)
        self._table = table
        self._plans: Dict[type, tuple] = {}

    def _plan(self, node_type: type) -> tuple:
        """Per node type: (visits, [(field, attr visits, attr leaves)], leaves)."""
        name = node_type.__name__
        table = self._table
        fields = tuple(
            (field, table.get(f"visit_{name}_{field}", ()), table.get(f"leave_{name}_{field}", ()))
            for field in child_fields(node_type)
        )
        plan = (table.get(f"visit_{name}", ()), fields, table.get(f"leave_{name}", ()))
        self._plans[node_type] = plan
        return plan

    def walk(self, node: cst.CSTNode) -> None:
        plans = self._plans
        kinds = _KINDS

        def visit(current: cst.CSTNode) -> None:
            plan = plans.get(type(current)) or self._plan(type(current))
            visits, fields, leaves = plan
            for method in visits:
                method(current)
            for field, attr_visits, attr_leaves in fields:
                for method in attr_visits:
                    method(current)
                value = getattr(current, field)
                kind = kinds.get(type(value)) or _kind(type(value))
                if kind == _NODE:
                    visit(value)
                elif kind == _SEQUENCE:
                    for child in value:
                        if (kinds.get(type(child)) or _kind(type(child))) == _NODE:
                            visit(child)
                for method in attr_leaves:
                    method(current)
            for method in leaves:
                method(current)

        visit(node)


# isinstance() against libcst's abstract CSTNode goes through the ABC machinery on every
# call; what a type is never changes, so classify each type once.
_NODE, _SEQUENCE, _OTHER = 1, 2, 3
_KINDS: Dict[type, int] = {}


def _kind(value_type: type) -> int:
    if issubclass(value_type, cst.CSTNode):
        kind = _NODE
    elif value_type in (list, tuple):
        kind = _SEQUENCE
    else:
        kind = _OTHER
    _KINDS[value_type] = kind
    return kind


def is_node(value: object) -> bool:
    """``isinstance(value, cst.CSTNode)``, cached per type."""
    return (_KINDS.get(type(value)) or _kind(type(value))) == _NODE


def children(node: cst.CSTNode) -> List[cst.CSTNode]:
    """The child nodes of ``node`` in source order, formatting-only nodes left out.

    Unlike libcst's ``node.children`` this rebuilds nothing.
    """
    found: List[cst.CSTNode] = []
    for field in child_fields(type(node)):
        value = getattr(node, field)
        if is_node(value):
            found.append(value)
        elif type(value) in (list, tuple):
            found.extend(child for child in value if is_node(child))
    return found


def iter_nodes(root: cst.CSTNode, prune: Tuple[type, ...] = ()) -> Iterator[cst.CSTNode]:
    """``root`` and every node below it, in source order, without rebuilding anything.

    Nodes of a ``prune`` type (other than ``root``) are yielded but not entered: a
    nested function's body, say, is another scope's code.
    """
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        if node is not root and isinstance(node, prune):
            continue
        stack.extend(reversed(children(node)))
