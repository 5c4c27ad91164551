"""A decorator that hands back what the function it decorates returns.

``def trace_method(func)`` defining ``async def async_wrapper(*args, **kwargs): return await
func(*args, **kwargs)`` (or ``result = func(...)``, some bookkeeping, ``return result``) and
returning it (or ``async_wrapper if inspect.iscoroutinefunction(func) else sync_wrapper``) makes
a call of the decorated function give what its own body returns: a helper so decorated that
builds a client still hands its caller a new client. A cache (``memo[a] = func(*a)``; ``return
memo[a]``) does not: it hands out a kept one.
"""

from __future__ import annotations

import ast
from typing import Dict, List, Union

from .astnames import own_nodes

_Def = Union[ast.FunctionDef, ast.AsyncFunctionDef]


def keeps_result(node: ast.AST) -> bool:
    """``node`` is such a decorator: its first parameter is the function, every ``return`` of its
    own gives a function it defines (one, or either of two), and each of those returns only what a
    call of that parameter gives."""
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return False
    positional = [*node.args.posonlyargs, *node.args.args]
    if not positional:
        return False
    func = positional[0].arg
    inner: Dict[str, _Def] = {}
    returns: List[ast.Return] = []
    for sub in own_nodes(node):
        if isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef)):
            inner[sub.name] = sub
        elif isinstance(sub, ast.Return):
            returns.append(sub)
    if not returns:
        return False
    for ret in returns:
        names = _names_returned(ret.value)
        if not names or any(name not in inner or not _returns_call_of(inner[name], func) for name in names):
            return False
    return True


def _names_returned(value: Union[ast.expr, None]) -> List[str]:
    """``wrapper``, or ``a if test else b``: the names; [] for anything else."""
    if isinstance(value, ast.Name):
        return [value.id]
    if isinstance(value, ast.IfExp):
        body, orelse = _names_returned(value.body), _names_returned(value.orelse)
        return body + orelse if body and orelse else []
    return []


def _returns_call_of(wrapper: _Def, func: str) -> bool:
    """Every ``return`` of ``wrapper`` gives a call of ``func`` (awaited or not), or a name bound
    only to one."""
    if func in {arg.arg for arg in (*wrapper.args.posonlyargs, *wrapper.args.args, *wrapper.args.kwonlyargs)}:
        return False  # its own parameter of that name: another function
    bound: Dict[str, List[ast.expr]] = {}
    stores: Dict[str, int] = {}  # every binding of a name (`for`, `with ... as`, `:=` too)
    returns: List[ast.Return] = []
    for sub in own_nodes(wrapper):
        if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
            stores[sub.id] = stores.get(sub.id, 0) + 1
        if isinstance(sub, ast.Assign):
            for target in sub.targets:
                if isinstance(target, ast.Name):
                    bound.setdefault(target.id, []).append(sub.value)
        elif isinstance(sub, (ast.AnnAssign, ast.AugAssign)) and isinstance(sub.target, ast.Name):
            bound.setdefault(sub.target.id, []).append(sub.value or ast.Constant(None))
        elif isinstance(sub, ast.Return):
            returns.append(sub)
    if not returns:
        return False
    for ret in returns:
        value = ret.value
        values = bound.get(value.id, []) if isinstance(value, ast.Name) else [value]
        if isinstance(value, ast.Name) and stores.get(value.id, 0) != len(values):
            return False
        if not values or not all(_is_call_of(each, func) for each in values):
            return False
    return True


def _is_call_of(value: Union[ast.expr, None], func: str) -> bool:
    if isinstance(value, ast.Await):
        value = value.value
    return isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == func
