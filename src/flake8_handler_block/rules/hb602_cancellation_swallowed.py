from __future__ import annotations

from typing import List, NamedTuple, Optional, Sequence, Set, Tuple, Union

import libcst as cst

from ..facts import Facts
from ..names import Ref, dotted_name, resolve
from ..rule import ASYNC_HANDLER, Rule
from ..scopes import FunctionScope, Scope
from ..walk import children, iter_nodes
from ..signature import Signature

_EMPTY_MODULE = cst.Module(body=[])
_CANCELLED = frozenset({"asyncio.CancelledError", "asyncio.exceptions.CancelledError"})
_Handler = Union[cst.ExceptHandler, cst.ExceptStarHandler]  # `except` or `except*`


class _Found(NamedTuple):
    """What a statement block does, not counting nested functions, lambdas and classes."""

    awaits: List[cst.CSTNode]  # awaited expressions (and async for/with items)
    awaited: List[cst.CSTNode]  # only the operands of `await`
    raises: bool


def _scan(body: cst.CSTNode) -> _Found:
    found = _Found([], [], False)
    raises = False
    for node in iter_nodes(body, prune=(cst.FunctionDef, cst.ClassDef, cst.Lambda)):
        if isinstance(node, cst.Await):
            found.awaits.append(node.expression)
            found.awaited.append(node.expression)
        elif isinstance(node, (cst.For, cst.CompFor)) and node.asynchronous is not None:
            found.awaits.append(node.iter)
        elif isinstance(node, cst.With) and node.asynchronous is not None:
            found.awaits.extend(item.item for item in node.items)
        elif isinstance(node, cst.Raise):
            raises = True
    return found._replace(raises=raises)


def _is_builtin(name: str, scope: Scope) -> bool:
    """``name`` is not bound by the module or any enclosing scope (so it is the builtin)."""
    current: Optional[Scope] = scope
    while current is not None:
        if name in current.bindings:
            return False
        current = current.lookup_parent
    return True


def _names_in(expr: cst.CSTNode) -> Set[str]:
    """Dotted names written inside ``expr`` (``task``, ``self._task``)."""
    found: Set[str] = set()
    stack = [expr]
    while stack:
        node = stack.pop()
        text = dotted_name(node) if isinstance(node, (cst.Attribute, cst.Name)) else None
        if text is not None:
            found.add(text)  # the whole chain, not its parts
        else:
            stack.extend(children(node))
    return found


class CancellationSwallowed(Rule):
    """What it does:
    Finds cancellation swallowed in an `async def` handler: `except` clauses, in the
    handler and in the async functions of the module it calls, that catch the
    cancellation of the task and do not re-raise: `except asyncio.CancelledError`
    (alone or in a tuple), `except BaseException` and a bare `except:` whose body
    has no `raise`. The `try` body must contain an
    `await` (or `async for`/`async with`): cancellation is only delivered there, so
    a `try` without one cannot swallow it.

    Not reported: `except Exception` (on Python 3.8+ `CancelledError` derives from
    `BaseException`); a clause that cleans up or logs and then `raise`s (any
    `raise` in the clause counts); a sync function (it has no `await`);
    `except concurrent.futures.CancelledError` (a different class); the
    cancel-then-await idiom, where the `try` only awaits a task (or tasks) that
    the module cancels itself with `.cancel()`, so the `CancelledError` caught is
    that task's, not the handler's; a coroutine that only runs as a task of its own
    (`asyncio.create_task(worker())`, `ensure_future()`), which the request's
    cancellation never reaches (HB502 covers such tasks).

    Why is this bad?
    The server cancels a request's task when the client disconnects, when the
    request times out, and at shutdown. Swallowing `CancelledError` turns the
    cancellation into a normal return: the handler keeps running work nobody will
    receive, `asyncio.timeout()`/`TaskGroup` stop working around it, and a
    graceful shutdown waits for it (Go: a handler that ignores `ctx.Done()`).

    Example:
    ```python
    @app.websocket("/feed")
    async def feed(ws):
        try:
            async for event in bus.subscribe():
                await ws.send_json(event)
        except asyncio.CancelledError:
            log.info("client left")
    ```

    Use instead:
    ```python
    @app.websocket("/feed")
    async def feed(ws):
        try:
            async for event in bus.subscribe():
                await ws.send_json(event)
        except asyncio.CancelledError:
            log.info("client left")
            raise
    ```

    Options:
    `scope` (`--hb-scope`): `handlers` limits the check to the handler body and the
    functions nested in it; `all` treats every `async def` as a handler.
    """

    code = "HB602"
    runtime = Signature(states=None, cancelled=True)
    name = "cancellation-swallowed"
    message = "{clause} swallows cancellation: {where} keeps running after its request was cancelled (client gone, timeout, shutdown); re-raise with a bare `raise` after cleanup"
    scope = ASYNC_HANDLER
    gate = ('CancelledError', 'BaseException', 'except:', 'except :')
    gate_requires = ("async",)

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self._cancelled: Set[str] = set()  # dotted receivers of `.cancel()` (and what a loop cancels)
        self._candidates: List[Tuple[_Handler, FunctionScope, str, List[cst.CSTNode]]] = []

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if not (isinstance(func, cst.Attribute) and func.attr.value == "cancel"):
            return
        receiver = dotted_name(func.value)
        if receiver is None:
            return
        self._cancelled.add(receiver)
        # `for t in tasks: t.cancel()`: the loop cancels `tasks`.
        block = self.ctx.state.block
        for b in block.chain() if block is not None else ():
            if b.kind == "loop" and isinstance(b.node, cst.For):
                target = b.node.target
                if isinstance(target, cst.Name) and target.value == receiver:
                    iterated = dotted_name(b.node.iter)
                    if iterated is not None:
                        self._cancelled.add(iterated)

    def visit_Try(self, node: cst.Try) -> None:
        self._check(node.body, node.handlers)

    def visit_TryStar(self, node: cst.TryStar) -> None:
        self._check(node.body, node.handlers)

    def _check(self, body: cst.CSTNode, handlers: Sequence[_Handler]) -> None:
        function = self.ctx.function
        if function is None or not function.is_async:
            return
        scope = self.ctx.scope
        finder: Optional[_Found] = None
        for handler in handlers:
            clause = self._catches_cancellation(handler, scope)
            if clause is None:
                continue
            if _scan(handler.body).raises:
                continue
            if finder is None:
                finder = _scan(body)
            if not finder.awaits:
                return  # nothing in the try can be cancelled
            self._candidates.append((handler, function, clause, finder.awaited))

    def _catches_cancellation(self, handler: _Handler, scope: Scope) -> Optional[str]:
        star = "*" if isinstance(handler, cst.ExceptStarHandler) else ""
        if handler.type is None:
            return "bare except:"
        types = handler.type.elements if isinstance(handler.type, cst.Tuple) else None
        exprs = [el.value for el in types] if types is not None else [handler.type]
        for expr in exprs:
            if isinstance(expr, cst.Name) and expr.value == "BaseException" and _is_builtin("BaseException", scope):
                return f"except{star} BaseException"
            resolved = resolve(expr, scope)
            if isinstance(resolved, Ref) and resolved.dotted in _CANCELLED:
                return f"except{star} {_EMPTY_MODULE.code_for_node(expr)}"
        return None

    def finish(self, facts: Facts) -> None:
        for handler, function, clause, awaits in self._candidates:
            if not facts.reach.in_request(function):
                continue
            if self._cancel_then_await(awaits, function):
                continue
            self.report(handler, function, clause=clause)

    def _cancel_then_await(self, awaits: List[cst.CSTNode], function: FunctionScope) -> bool:
        """Every ``await`` in the try waits on something the module cancelled itself.

        A name awaited is followed one assignment back (``done = gather(*tasks)``);
        ``async with asyncio.timeout(...)`` around the await does not count.
        """
        if not self._cancelled or not awaits:
            return False
        for expr in awaits:
            names = _names_in(expr)
            for name in list(names):
                for value in _assigned_values(name, function):
                    names |= _names_in(value)
            if not names & self._cancelled:
                return False
        return True


def _assigned_values(name: str, scope: Optional[Scope]) -> List[cst.CSTNode]:
    """The expressions assigned to ``name`` in the nearest scope that binds it."""
    while scope is not None:
        bounds = scope.bindings.get(name)
        if bounds is not None:
            return [b.payload for b in bounds if b.kind == "value" and isinstance(b.payload, cst.CSTNode)]
        scope = scope.lookup_parent
    return []
