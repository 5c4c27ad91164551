"""Where a module names a function or a class without calling it: a table entry, a callback.

``COMMANDS = {"sync": sync}``, ``Thread(target=self.poll)``, ``signal.connect(on_save)``,
``task.delay()``, ``server_class=Handler``: the name's value goes somewhere that may call it
later. The tooling question (callers.py) reads these as well as the calls: a reference in
tooling code is tooling's use, one anywhere else may run the function anywhere.

Read from the module's text on demand (only for the few functions asked about), never kept in
the summaries. What is skipped, as no use of the value: the callee of a call (a call, read from
the summaries), names being bound, imports, annotations, the bases of a class statement (a
subclass, not an instance), ``except`` clauses and the arguments of ``isinstance``/``issubclass``/``super``.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple
from .astnames import dotted as _dotted

_TYPE_TESTS = frozenset({"isinstance", "issubclass", "super"})  # ``super(Client, self)``: no instance made


@dataclass(frozen=True)
class Reference:
    name: str  # the last name: ``f`` of ``jobs.f``
    dotted: str  # as written (``jobs.f``, ``self.poll``); '' when its root is not a name (``x().f``)
    line: int
    function: Optional[int]  # key of the enclosing function (None: module-level or class-body code)
    cls: Optional[int]  # in a method (or a function nested in one): the class key ``self`` stands for
    self_name: str  # the name of that method's instance parameter ('' outside methods)
    owner: str  # the attribute read from it (``delay`` of ``f.delay``): not passed on whole ('' otherwise)
    handed: bool  # inside the arguments of a call: handed to code that may keep it (a callback)


def references(text: str, functions: Dict[Tuple[int, str], int],
               classes: Dict[Tuple[int, str], int]) -> Dict[str, List[Reference]]:
    """Every reference of the module by its last name; ``functions``/``classes`` give the
    summary's keys by (line, name) of the ``def``/``class`` statement. {} when it does not parse."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return {}
    found: Dict[str, List[Reference]] = {}
    _Walk(functions, classes, found).body(tree.body, _Scope(None, None, "", None))
    return found


@dataclass(frozen=True)
class _Scope:
    function: Optional[int]
    cls: Optional[int]
    self_name: str
    class_body: Optional[int]  # the class key when directly in a class body


_Item = Tuple[ast.AST, "_Scope", str, bool]  # a node, where it is, owner, handed


class _Walk:
    def __init__(self, functions: Dict[Tuple[int, str], int], classes: Dict[Tuple[int, str], int],
                 found: Dict[str, List[Reference]]) -> None:
        self.functions = functions
        self.classes = classes
        self.found = found

    def body(self, statements: List[ast.stmt], scope: _Scope) -> None:
        for statement in statements:
            self.node(statement, scope)

    def node(self, node: ast.AST, scope: _Scope) -> None:  # noqa: C901 - one dispatch on the node type
        stack: List[_Item] = [(node, scope, "", False)]
        while stack:
            current, where, owner, handed = stack.pop()
            kind = type(current)
            if kind in (ast.FunctionDef, ast.AsyncFunctionDef):
                self._function(current, where, stack)  # type: ignore[arg-type]
            elif kind is ast.ClassDef:
                self._class(current, where, stack)  # type: ignore[arg-type]
            elif kind is ast.Name:
                if type(current.ctx) is ast.Load:  # type: ignore[attr-defined]
                    self._add(current.id, current.id, current, where, owner, handed)  # type: ignore[attr-defined]
            elif kind is ast.Attribute:
                if type(current.ctx) is ast.Load:  # type: ignore[attr-defined]
                    dotted = _dotted(current)
                    self._add(current.attr, dotted, current, where, owner, handed)  # type: ignore[attr-defined]
                stack.append((current.value, where, current.attr, handed))  # type: ignore[attr-defined]
            elif kind is ast.Call:
                func = current.func  # type: ignore[attr-defined]
                if type(func) is ast.Attribute:
                    stack.append((func.value, where, func.attr, handed))  # the callee itself is a call, not a reference
                elif type(func) is not ast.Name:
                    stack.append((func, where, "", handed))
                if not (type(func) is ast.Name and func.id in _TYPE_TESTS):
                    stack.extend((arg, where, "", True) for arg in current.args)  # type: ignore[attr-defined]
                    stack.extend((k.value, where, "", True) for k in current.keywords)  # type: ignore[attr-defined]
            elif kind in (ast.Import, ast.ImportFrom):
                continue
            elif kind is ast.AnnAssign:
                parts = (current.target, current.value)  # type: ignore[attr-defined]
                stack.extend((part, where, "", handed) for part in parts if part is not None)
            elif kind is ast.ExceptHandler:
                stack.extend((statement, where, "", handed) for statement in current.body)  # type: ignore[attr-defined]
            elif kind is ast.Lambda:
                stack.append((current.body, where, "", handed))  # type: ignore[attr-defined]
                defaults = current.args.defaults  # type: ignore[attr-defined]
                stack.extend((d, where, "", handed) for d in defaults if d is not None)
            else:
                for child in ast.iter_child_nodes(current):
                    stack.append((child, where, "", handed))

    def _function(self, node: ast.FunctionDef, where: _Scope, stack: List[_Item]) -> None:
        # decorators and defaults run where the function is defined
        stack.extend((d, where, "", False) for d in node.decorator_list)
        stack.extend((d, where, "", False) for d in [*node.args.defaults, *node.args.kw_defaults] if d is not None)
        key = self.functions.get((node.lineno, node.name))
        cls, self_name = where.cls, where.self_name
        if where.class_body is not None:
            positional = [*node.args.posonlyargs, *node.args.args]
            static = any(type(d) is ast.Name and d.id == "staticmethod" for d in node.decorator_list)
            cls, self_name = (where.class_body, positional[0].arg) if positional and not static else (None, "")
        inner = _Scope(key if key is not None else where.function, cls, self_name, None)
        stack.extend((statement, inner, "", False) for statement in node.body)

    def _class(self, node: ast.ClassDef, where: _Scope, stack: List[_Item]) -> None:
        stack.extend((d, where, "", False) for d in node.decorator_list)
        key = self.classes.get((node.lineno, node.name))
        inner = _Scope(where.function, where.cls, where.self_name, key)
        stack.extend((statement, inner, "", False) for statement in node.body)

    def _add(self, name: str, dotted: str, node: ast.AST, where: _Scope, owner: str, handed: bool) -> None:
        self.found.setdefault(name, []).append(Reference(
            name, dotted, getattr(node, "lineno", 0), where.function, where.cls, where.self_name, owner, handed
        ))
