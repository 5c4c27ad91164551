"""What a loop can do: run forever (``while True``), and whether anything in it leaves.

Shared by HB304 (a handler's loop with no way out), HB501 (a thread whose target
loops forever) and HB103 (a client kept for a worker loop's life): one answer for all.
"""

from __future__ import annotations

from typing import FrozenSet, Iterator, Union

import libcst as cst

from .names import dotted_name
from .walk import children, iter_nodes

_EXIT_CALLS = frozenset({"sys.exit", "exit", "quit", "os._exit", "os.abort"})


def runs_forever(test: cst.BaseExpression) -> bool:
    """``while True:`` / ``while 1:``: a condition that never becomes false."""
    if isinstance(test, cst.Name):
        return test.value == "True"
    if isinstance(test, cst.Integer):
        return int(test.value.replace("_", ""), 0) != 0
    return False


def runs_until_stopped(test: cst.BaseExpression) -> bool:
    """A worker's loop: ``while True:`` or ``while not stop.is_set():`` (runs until the
    process stops it, not for one piece of work)."""
    if runs_forever(test):
        return True
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        inner = test.expression
        return (
            isinstance(inner, cst.Call) and isinstance(inner.func, cst.Attribute)
            and inner.func.attr.value == "is_set" and not inner.args
        )
    return False


def uses_connection(node: cst.CSTNode, connections: FrozenSet[str], methods: FrozenSet[str]) -> bool:
    """A call ``conn.m()`` with ``conn`` in ``connections`` and ``m`` in ``methods`` in ``node``, outside
    nested functions: a loop that talks to its client over a connection that raises once the
    client has gone ends with the connection."""
    return any(
        isinstance(found, cst.Call) and isinstance(found.func, cst.Attribute)
        and isinstance(found.func.value, cst.Name) and found.func.value.value in connections
        and found.func.attr.value in methods
        for found in iter_nodes(node, prune=(cst.FunctionDef, cst.ClassDef, cst.Lambda))
    )


def breaks_out(loop: Union[cst.For, cst.While]) -> bool:
    """A ``break`` of ``loop`` itself (not of a loop nested in it): it may stop before its iterable is spent."""
    return any(True for _ in own_breaks(loop))


def own_breaks(loop: Union[cst.For, cst.While]) -> Iterator[cst.Break]:
    """The ``break`` statements of ``loop`` itself, not those of a loop nested in it."""
    nested = (cst.For, cst.While, cst.FunctionDef, cst.ClassDef, cst.Lambda)
    return (node for node in iter_nodes(loop.body, prune=nested) if isinstance(node, cst.Break))


def has_way_out(node: cst.CSTNode, inner_loop: bool = False, suspends: bool = True) -> bool:
    """A break (of this loop), return, raise, yield or await reachable in ``node``.

    ``suspends=False``: an ``await`` (or ``async for``/``async with``) does not count: the
    question is then whether the loop can stop before its iterable is spent."""
    if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
        return False
    if isinstance(node, (cst.Return, cst.Raise, cst.Yield)):
        return True
    if isinstance(node, cst.Await):
        return suspends or has_way_out(node.expression, inner_loop, suspends)
    if isinstance(node, cst.Break):
        return not inner_loop
    if suspends and isinstance(node, (cst.For, cst.With)) and node.asynchronous is not None:
        return True  # async for / async with suspend (and can be cancelled)
    if isinstance(node, cst.Call) and dotted_name(node.func) in _EXIT_CALLS:
        return True
    if isinstance(node, (cst.For, cst.While)):
        if has_way_out(node.body, True, suspends):
            return True
        return node.orelse is not None and has_way_out(node.orelse, inner_loop, suspends)
    return any(has_way_out(child, inner_loop, suspends) for child in children(node))
