from __future__ import annotations

from typing import Dict, List, NamedTuple, Optional, Sequence, Set, Tuple, Union

import libcst as cst

from ..calls import is_true, keyword
from ..facts import Facts
from ..catalog import ASYNC_QUEUE_KINDS, TASK_SPAWNS
from ..handlers import is_connection_reason
from ..names import Inst, Ref, derives_from, dotted_name, last_name, module_calls, resolve
from ..primitives import is_bounded
from ..rule import ASYNC_HANDLER, Rule
from ..scopes import Block, CallSite, FunctionScope, Scope, caught_types, tests_around
from ..walk import children, iter_nodes
from ..signature import Signature

_EMPTY_MODULE = cst.Module(body=[])
_NESTED = (cst.FunctionDef, cst.ClassDef, cst.Lambda)
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


def _never_suspends(expr: cst.CSTNode, scope: Scope) -> bool:
    """``await queue.put(item)`` on an asyncio queue built with no ``maxsize``: it puts the item and
    returns without giving the loop a turn, so no cancellation is delivered in it."""
    if not (isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and expr.func.attr.value == "put"):
        return False
    queue = resolve(expr.func.value, scope)
    return (isinstance(queue, Inst) and queue.producer in ASYNC_QUEUE_KINDS and queue.call is not None
            and not is_bounded(queue.producer, queue.call))


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


class _Raise(NamedTuple):
    """A ``raise`` in an except clause that catches cancellation."""

    propagates: bool  # re-raises the cancellation (bare raise, the caught name, CancelledError)
    conditional: bool  # under an `if` of the clause
    tests_cancel: bool  # ...whose test is about cancellation (`if task.cancelled():`)
    raised: str  # what it raises, as written


class _Candidate(NamedTuple):
    statement: Union[cst.Try, cst.TryStar]
    handler: _Handler
    function: FunctionScope
    clause: str
    awaited: List[cst.CSTNode]
    problem: str  # SWALLOWS, CONVERTS or RETRIES
    raised: str  # for CONVERTS


SWALLOWS, CONVERTS, RETRIES = "swallows", "converts", "retries"
# Framework calls that start a coroutine as a task of its own (besides catalog.TASK_SPAWNS).
_TASK_WRAPPERS = frozenset(
    {
        "start_soon", "spawn", "spawn_callback", "add_callback", "run_in_background", "async_add_job",
        "async_add_hass_job", "async_run_hass_job", "create_background_task", "run_until_complete",
    }
)


def _shields(statement: cst.CSTNode) -> bool:
    """``with anyio.CancelScope(shield=True):`` (or ``move_on_after(5, shield=True)``)."""
    return isinstance(statement, cst.With) and any(
        isinstance(item.item, cst.Call) and is_true(keyword(item.item, "shield")) for item in statement.items
    )


def _starts_task(name: str) -> bool:
    return name in TASK_SPAWNS or name in _TASK_WRAPPERS or name.endswith(("create_task", "background_task"))


class CancellationSwallowed(Rule):
    """What it does:
    Finds cancellation swallowed in an `async def` handler: `except` clauses, in the
    handler and in the async functions of the module it calls, that catch the
    cancellation of the task (`except asyncio.CancelledError`, alone or in a tuple,
    `except BaseException`, a bare `except:`) and
    - do not re-raise it: no `raise` in the clause, and no later `if <flag>: raise`
      on a flag the clause sets (nor a flag the function returns when every call of
      it in the module is the test of an `if` that raises:
      `if await finish_cleanup(task): raise asyncio.CancelledError`);
    - or turn it into another error: `raise HTTPError(...)` (with or without `from`)
      loses the cancellation, so `asyncio.timeout()`, `TaskGroup` and the server see
      an ordinary failure (not in the handler itself when the clause ends it by raising,
      with nothing awaited first: the server answers with that error and nothing of
      the request runs on; in a helper its caller may catch the error and go on);
    - or retry: in a loop, a `raise` only under a condition that is not about
      cancellation (`if attempt == retries: raise`) swallows it until the retries
      run out; a test about it (`isinstance(exc, CancelledError)`, `task.cancelled()`,
      or `not isinstance(exc, Exception)`, true for a cancellation) re-raises it.
    - or leave a `finally:` with `return`, `break` or `continue` (not one of a loop inside
      the `finally`): whatever exception is in flight when the `finally` runs, the
      cancellation too, is dropped, and the function returns normally (an ASGI
      middleware's `finally: if skip: return`); not one under a test of a name the `try`
      body sets (`if step == FINISHED: return`), which leaves only once the body got that
      far, with no exception in flight.
    The `try` body must contain an `await` (or `async for`/`async with`):
    cancellation is only delivered there, so a `try` without one cannot swallow it; nor
    can one whose only awaits are `put()`s on an asyncio queue built with no `maxsize`
    (`await updates.put(item)` returns without giving the loop a turn).

    Not reported: `except Exception` (on Python 3.8+ `CancelledError` derives from
    `BaseException`); a clause that cleans up or logs and then re-raises (a bare
    `raise`, `raise exc` of the caught exception, `raise CancelledError`), also from
    an enclosing `except CancelledError:` clause that re-raises (also under a test about
    cancellation: `if isinstance(exc, CancelledError): ... raise exc`), or raises a class of
    the module deriving from `CancelledError` (`raise ReplayCancelled(pending) from exc`:
    still a cancellation); a clause after the first one of its `try` that catches the
    cancellation (only that first clause ever sees it: `except (SystemExit,
    CancelledError): raise` then `except BaseException: log(...)`); a sync function (it
    has no `await`); `except concurrent.futures.CancelledError` (a different class);
    the cancel-then-await idiom, where the `try` only awaits a task (or tasks) that
    the module cancels itself with `.cancel()`, so the `CancelledError` caught is
    that task's, not the handler's; a coroutine that only runs as a task of its own
    (`asyncio.create_task(worker())`, `ensure_future()`, framework wrappers such as
    `hass.async_create_task()`, `tg.start_soon()`), and what only such tasks call:
    its owner cancels it to stop it, the request's cancellation never reaches it
    (HB502 covers such tasks); a coroutine only run by `asyncio.gather(pump(), drain())`
    that ends right after the clause (nothing awaited after it but its `finally`, which a
    re-raise would run as well): a cancelled request
    cancels the gather it awaits, and the gather raises the cancellation there once its
    coroutines end, whatever they return; likewise an async generator that every caller
    in the project hands on uniterated (`StreamingResponse(rows())`), which the framework
    runs as the response's body and stops reading when its client goes: once it ends right
    after the clause nothing of the request runs on (the handler itself is still reported,
    even when it returns at once: its caller, the server, should see the cancellation);
    likewise the callback of a connection server (`asyncio.start_server(serve, ...)`, the
    `websockets` servers), which the server runs as a task of its own that nothing awaits:
    once it ends right after the clause, nothing of the connection runs on (one that swallows
    the cancellation and goes on serving is reported);
    a module that imports Tornado, which never cancels a
    handler when its client goes away; a clause inside a `finally:` (best-effort
    teardown, `try: await client.disconnect() except BaseException: log(...)`): a
    cancellation raised in the `try` body still propagates once the `finally` ends,
    only one arriving during the teardown itself is absorbed; likewise a coroutine
    that only runs as teardown, every call of it in the project standing in a
    `finally:`, in an `except` clause that ends with a bare `raise` (or a `raise` of
    the name it caught: `except CancelledError as cancellation: ... raise cancellation`), or in a block
    shielded from cancellation (`await asyncio.shield(reconcile(...))`); a clause
    inside `with anyio.CancelScope(shield=True):` (or `move_on_after(t, shield=True)`),
    which no cancellation from outside enters.

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
    message = "{clause} {problem}: {where} {consequence}; {fix}"
    scope = ASYNC_HANDLER
    gate = ('CancelledError', 'BaseException', 'except:', 'except :', 'finally:')
    gate_requires = ("async",)

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self._cancelled: Set[str] = set()  # dotted receivers of `.cancel()` (and what a loop cancels)
        self._candidates: List[_Candidate] = []
        self._in_task: Set[int] = set()  # ids of calls that a task spawn starts: `create_task(f())`
        self._spawned: Set[str] = set()  # names of functions started as tasks
        self._callers: Dict[str, Set[Optional[FunctionScope]]] = {}  # name -> functions calling it in place
        self._in_gather: Set[int] = set()  # ids of the coroutine calls `asyncio.gather(f(), g())` runs
        self._gathered: Set[str] = set()  # names of functions some gather runs
        self._exits: List[Tuple[cst.CSTNode, FunctionScope]] = []  # `return` in a `finally` after an await

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        name = last_name(func)
        if name == "gather" and self.ctx.callee(node, self.ctx.scope) == "asyncio.gather":
            for arg in node.args:
                if isinstance(arg.value, cst.Call) and arg.star == "":
                    self._in_gather.add(id(arg.value))
        if id(node) in self._in_gather and name is not None:
            self._gathered.add(name)
            return  # the gather's task runs it, not its caller in place
        if name is not None and _starts_task(name):
            for arg in node.args:
                value = arg.value
                started = value.func if isinstance(value, cst.Call) else value
                if isinstance(value, cst.Call):
                    self._in_task.add(id(value))
                spawned = last_name(started)
                if spawned is not None:
                    self._spawned.add(spawned)
        if name is not None and id(node) not in self._in_task:
            self._callers.setdefault(name, set()).add(self.ctx.function)
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
        self._check(node, node.handlers)

    def visit_TryStar(self, node: cst.TryStar) -> None:
        self._check(node, node.handlers)

    def _check(self, statement: Union[cst.Try, cst.TryStar], handlers: Sequence[_Handler]) -> None:
        body = statement.body
        function = self.ctx.function
        if function is None or not function.is_async:
            return
        scope = self.ctx.scope
        finder: Optional[_Found] = None
        blocks = list(self.ctx.state.block.chain()) if self.ctx.state.block is not None else []
        if any(b.kind == "finally" for b in blocks):
            return  # teardown: a cancellation raised before it propagates on after the `finally`
        if any(b.kind == "with" and _shields(b.node) for b in blocks):
            return  # `with anyio.CancelScope(shield=True):` no cancellation from outside gets in
        exit_ = _finally_exit(statement)
        if exit_ is not None:
            finder = _scan(body)
            if not all(_never_suspends(expr, scope) for expr in finder.awaits):
                self._exits.append((exit_, function))
        for handler in handlers:
            clause = self._catches_cancellation(handler, scope)
            if clause is None:
                continue
            # The first clause that catches the cancellation is the only one that sees it: an
            # `except BaseException:` after `except (SystemExit, CancelledError): raise` never does.
            raises = self._raises(handler, scope)
            problem, raised = self._judge(raises, handler, blocks, scope)
            if problem is None:
                return
            if finder is None:
                finder = _scan(body)
            if all(_never_suspends(expr, scope) for expr in finder.awaits):
                return  # nothing in the try can be cancelled
            self._candidates.append(_Candidate(statement, handler, function, clause, finder.awaited, problem, raised))
            return

    def _judge(
        self, raises: List[_Raise], handler: _Handler, blocks: List[Block], scope: Scope
    ) -> Tuple[Optional[str], str]:
        """What the clause does with the cancellation (None: it re-raises it)."""
        propagating = [r for r in raises if r.propagates]
        if any(not r.conditional or r.tests_cancel for r in propagating):
            return None, ""
        if propagating:
            in_loop = any(b.kind == "loop" for b in blocks)
            return (RETRIES, "") if in_loop and not _ends_with(handler, (cst.Break, cst.Return)) else (None, "")
        if raises:
            return CONVERTS, raises[0].raised
        for block in blocks:  # an enclosing `except CancelledError:` that re-raises it anyway
            if block.kind == "except" and isinstance(block.node, (cst.ExceptHandler, cst.ExceptStarHandler)):
                outer = block.node
                if self._catches_cancellation(outer, scope) and any(
                    r.propagates and (not r.conditional or r.tests_cancel) for r in self._raises(outer, scope)
                ):
                    return None, ""
        return SWALLOWS, ""

    def _catches_cancellation(self, handler: _Handler, scope: Scope) -> Optional[str]:
        star = "*" if isinstance(handler, cst.ExceptStarHandler) else ""
        if handler.type is None:
            return "bare except:"
        for expr in caught_types(handler):
            if isinstance(expr, cst.Name) and expr.value == "BaseException" and _is_builtin("BaseException", scope):
                return f"except{star} BaseException"
            resolved = resolve(expr, scope)
            if isinstance(resolved, Ref) and resolved.dotted in _CANCELLED:
                return f"except{star} {_EMPTY_MODULE.code_for_node(expr)}"
        return None

    def _raises(self, handler: _Handler, scope: Scope) -> List[_Raise]:
        """The ``raise`` statements of a clause, nested functions left out."""
        named = handler.name.name if handler.name is not None else None
        caught = named.value if isinstance(named, cst.Name) else None
        found: List[_Raise] = []
        stack: List[Tuple[cst.CSTNode, bool, bool]] = [(handler.body, False, False)]
        while stack:
            node, conditional, tests_cancel = stack.pop()
            if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
                continue
            if isinstance(node, cst.Raise):
                found.append(_Raise(self._propagates(node, caught, scope), conditional, tests_cancel, _raised(node)))
                continue
            if isinstance(node, cst.If):
                about_cancel = _about_cancellation(node.test)
                stack.append((node.body, True, tests_cancel or about_cancel))
                if node.orelse is not None:
                    stack.append((node.orelse, True, tests_cancel or about_cancel))
                continue
            stack.extend((child, conditional, tests_cancel) for child in children(node))
        return found

    def _propagates(self, node: cst.Raise, caught: Optional[str], scope: Scope) -> bool:
        """Whether ``raise X`` re-raises the cancellation (an unknown X gets the benefit of the doubt)."""
        exc = node.exc
        if exc is None:
            return True
        target = exc.func if isinstance(exc, cst.Call) else exc
        if isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name) and target.value.value == caught:
            return True  # raise exc.with_traceback(tb)
        if isinstance(target, cst.Name):
            if target.value == caught or target.value.endswith("CancelledError"):
                return True
            if _is_builtin(target.value, scope):
                return not target.value.endswith(("Error", "Exception", "Exit", "Interrupt"))
        resolved = resolve(target, scope)
        if isinstance(resolved, Ref):
            return resolved.dotted in _CANCELLED
        if isinstance(target, cst.Name) and target.value in self.ctx.module.class_defs:
            # an exception class of this module: a cancellation only if it derives from CancelledError
            # (`class BatchSendCancelled(asyncio.CancelledError)` carries what was left undone)
            return derives_from(self.ctx.module, target.value, _CANCELLED)
        return not isinstance(exc, cst.Call) or not isinstance(target, cst.Name)

    def finish(self, facts: Facts) -> None:
        if "tornado" in facts.module.imported_packages:
            return  # Tornado never cancels a handler when its client goes away
        own_task = self._own_task_functions(facts)

        def beyond_the_request(function: FunctionScope) -> bool:
            """No request's cancellation reaches it: out of every request, only run as a task of its
            own, or only run as teardown (the cancellation being handled goes on after it)."""
            return (not facts.reach.in_request(function) or function in own_task
                    or facts.reach.torn_down_by_callers(function))

        for exit_, function in self._exits:
            if beyond_the_request(function):
                continue
            request = facts.reach.link(function) is not None
            returns = isinstance(exit_, cst.Return)  # a loop's break or continue runs on
            words = _words(SWALLOWS, "", request, at_once=returns)
            statement = "return" if returns else "break" if isinstance(exit_, cst.Break) else "continue"
            words["fix"] = f"move the `{statement}` out of the `finally` (after the `try` statement)"
            self.report(exit_, function, clause=f"`{statement}` in `finally`", **words)
        for candidate in self._candidates:
            function = candidate.function
            if beyond_the_request(function):
                continue
            if self._cancel_then_await(candidate.awaited, function):
                continue
            if candidate.problem == SWALLOWS and _raised_later(candidate.handler, function):
                continue
            if self._gathered_and_ends(candidate):
                continue
            if candidate.problem == SWALLOWS and self._response_body_ends(candidate, facts):
                continue
            if candidate.problem == SWALLOWS and is_connection_reason(facts.reach.handlers.get(function, "")) and (
                    _returns_at_once(candidate, False)):
                continue  # a connection server's callback: its own task, which nothing awaits, simply ends
            if candidate.problem == CONVERTS and function in facts.reach.handlers and _returns_at_once(
                    candidate, False):
                continue  # the handler ends raising its error: the server answers it, nothing runs on
            request = facts.reach.link(function) is not None
            at_once = function in facts.reach.handlers and _returns_at_once(candidate)
            words = _words(candidate.problem, candidate.raised, request, at_once)
            self.report(candidate.handler, function, clause=candidate.clause, **words)

    @staticmethod
    def _response_body_ends(candidate: _Candidate, facts: Facts) -> bool:
        """An async generator every caller hands on uniterated (``StreamingResponse(rows())``) that
        ends right after the clause: the framework runs its body as the response and stops reading
        it when its client goes; once it ends, nothing of the request's runs on (aim's and agno's
        streamers). Not the handler itself: its caller is the framework, which the spec asks to
        see the cancellation."""
        return facts.reach.handed_over_by_callers(candidate.function) and _returns_at_once(candidate, False)

    def _gathered_and_ends(self, candidate: _Candidate) -> bool:
        """A coroutine only run by ``asyncio.gather(pump(), drain())`` that ends right after the clause:
        a cancelled request cancels the gather it awaits, and the gather raises the cancellation
        there once its coroutines end, whatever they return (skypilot's websocket bridges)."""
        name = candidate.function.name
        return name in self._gathered and not self._callers.get(name) and _returns_at_once(candidate, False)

    def _own_task_functions(self, facts: Facts) -> Set[FunctionScope]:
        """Coroutines that only run as tasks of their own, and what only they call in place."""
        handlers = facts.reach.handlers
        found: Set[FunctionScope] = set()
        changed = True
        while changed:
            changed = False
            for function in facts.module.functions:
                if function in found or function in handlers or not function.is_async:
                    continue
                callers = self._callers.get(function.name, set())
                if function.name not in self._spawned and not callers:
                    continue  # never started here: whoever runs it may be a request
                if callers <= found:  # module-level code (None) and other callers are never in `found`
                    found.add(function)
                    changed = True
        return found

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


def _finally_exit(statement: Union[cst.Try, cst.TryStar]) -> Optional[cst.CSTNode]:
    """The first ``return``, ``break`` or ``continue`` that leaves the ``finally`` of ``statement``
    (nested functions and classes aside; ``break``/``continue`` of a loop inside the ``finally``
    stay in it). Not one under a test of what the ``try`` body sets (``if step == FINISHED:
    return``): it leaves only once the body got that far, with no exception in flight."""
    if statement.finalbody is None:
        return None
    progress = _assigned_names(statement.body)
    stack: List[Tuple[cst.CSTNode, bool]] = [(statement.finalbody.body, False)]
    while stack:
        node, in_loop = stack.pop()
        if isinstance(node, _NESTED):
            continue
        if isinstance(node, cst.Return) or (isinstance(node, (cst.Break, cst.Continue)) and not in_loop):
            return node
        if isinstance(node, (cst.If, cst.While)) and _mentions_any(node.test, progress):
            if isinstance(node, cst.If) and node.orelse is not None:
                stack.append((node.orelse, in_loop))  # (the other branch leaves whatever the body did)
            continue
        inner = in_loop or isinstance(node, (cst.For, cst.While))
        stack.extend((child, inner) for child in reversed(list(children(node))))
    return None


def _assigned_names(body: cst.CSTNode) -> Set[str]:
    """The plain names a block assigns (nested functions and classes aside)."""
    found: Set[str] = set()
    for node in iter_nodes(body, prune=_NESTED):
        targets: List[cst.CSTNode] = []
        if isinstance(node, cst.Assign):
            targets = [target.target for target in node.targets]
        elif isinstance(node, (cst.AnnAssign, cst.AugAssign)):
            targets = [node.target]
        for target in targets:
            found.update(name.value for name in iter_nodes(target) if isinstance(name, cst.Name))
    return found


def _mentions_any(expr: cst.CSTNode, names: Set[str]) -> bool:
    return any(isinstance(node, cst.Name) and node.value in names for node in iter_nodes(expr))


def _words(problem: str, raised: str, request: bool, at_once: bool = False) -> Dict[str, str]:
    """The message's problem, consequence and fix for one finding (``at_once``: a handler that
    returns right after the clause, so nothing keeps running: it only returns normally)."""
    if request:
        cancelled = "its request was cancelled (client gone, timeout, shutdown)"
    else:
        cancelled = "it was cancelled (a timeout, shutdown)"
    if problem == CONVERTS:
        return {
            "problem": f"turns cancellation into {raised}",
            "consequence": (
                f"hides that {cancelled.split(' (')[0]}: timeouts, TaskGroup and the server see an ordinary error"
            ),
            "fix": "re-raise the CancelledError itself (a bare `raise`) after cleanup",
        }
    if problem == RETRIES:
        return {
            "problem": "retries after cancellation",
            "consequence": f"swallows it until the retries run out and keeps running after {cancelled}",
            "fix": "re-raise CancelledError at once, before any retry logic",
        }
    if at_once:
        return {
            "problem": "swallows cancellation",
            "consequence": f"returns normally after {cancelled}: timeouts, TaskGroup and the server never see it",
            "fix": "re-raise with a bare `raise` after cleanup",
        }
    return {
        "problem": "swallows cancellation",
        "consequence": f"keeps running after {cancelled}",
        "fix": "re-raise with a bare `raise` after cleanup",
    }


def _returns_at_once(candidate: _Candidate, with_finally: bool = True) -> bool:
    """The function ends right after the clause: neither the clause, the ``finally`` nor what
    follows the ``try`` up to the function's end awaits anything (``except CancelledError:
    log(...)``, ``finally: unsubscribe()``, ``return response``). The ``try`` may sit in ``if``
    and ``with`` blocks; in a loop, or in another ``try``, only a clause that returns or raises
    ends the function. Without ``with_finally``, the ``finally`` may await: it would run as well
    if the clause re-raised."""
    path = _statement_path(candidate.function.node.body, candidate.statement)
    if path is None:
        return False
    final = candidate.statement.finalbody if with_finally else None
    after: List[cst.CSTNode] = [candidate.handler.body, *([final] if final is not None else [])]
    if not _ends_with(candidate.handler, (cst.Return, cst.Raise)):  # it leaves the function
        for owner, body, index in path:
            if isinstance(owner, (cst.For, cst.While)):
                return False  # the loop runs again
            after.extend(body[index + 1:])
    return not any(_scan(part).awaits for part in after)


_Step = Tuple[Optional[cst.CSTNode], Sequence[cst.BaseStatement], int]


def _statement_path(
    block: cst.BaseSuite, target: cst.CSTNode, owner: Optional[cst.CSTNode] = None
) -> Optional[List[_Step]]:
    """Where ``target`` stands, innermost first: (the compound statement whose block holds it, or
    None for the function's body; that block's statements; its index there), through ``if``,
    ``with`` and loop bodies only (None when it stands elsewhere: in another ``try``)."""
    body = block.body if isinstance(block, cst.IndentedBlock) else ()
    for index, statement in enumerate(body):
        if statement is target:
            return [(owner, body, index)]
        for inner in _inner_blocks(statement):
            found = _statement_path(inner, target, statement)
            if found is not None:
                return [*found, (owner, body, index)]
    return None


def _inner_blocks(statement: cst.CSTNode) -> List[cst.BaseSuite]:
    if isinstance(statement, cst.If):
        orelse = statement.orelse
        rest = [orelse.body] if isinstance(orelse, cst.Else) else _inner_blocks(orelse) if orelse is not None else []
        return [statement.body, *rest]
    if isinstance(statement, (cst.With, cst.For, cst.While)):
        return [statement.body]
    return []


def _ends_with(handler: _Handler, kinds: Tuple[type, ...]) -> bool:
    """The clause's last statement is one of ``kinds`` (``return``, ``raise``, ``break``)."""
    body = handler.body.body
    last = body[-1] if body else None
    return isinstance(last, cst.SimpleStatementLine) and any(isinstance(small, kinds) for small in last.body)


def _raised(node: cst.Raise) -> str:
    exc = node.exc
    if exc is None:
        return "raise"
    target = exc.func if isinstance(exc, cst.Call) else exc
    return dotted_name(target) or "another error"


def _about_cancellation(test: cst.BaseExpression) -> bool:
    """An ``if`` test that asks about cancellation (``task.cancelled()``, ``isinstance(e, CancelledError)``,
    or ``not isinstance(e, Exception)``, true for a ``CancelledError``, which is no ``Exception``)."""
    return any(
        isinstance(node, (cst.Name, cst.Attribute)) and "cancel" in (last_name(node) or "").lower()
        or isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Not)
        and _is_exception_test(node.expression)
        for node in iter_nodes(test)
    )


def _is_exception_test(expr: cst.BaseExpression) -> bool:
    """``isinstance(error, Exception)``."""
    return (
        isinstance(expr, cst.Call) and dotted_name(expr.func) == "isinstance" and len(expr.args) == 2
        and dotted_name(expr.args[1].value) == "Exception"
    )


def _raised_later(handler: _Handler, function: FunctionScope) -> bool:
    """The clause sets a flag (or keeps the error) and a later ``if <flag>: raise`` re-raises it."""
    flags: Set[str] = set()
    for node in iter_nodes(handler.body, prune=(cst.FunctionDef, cst.ClassDef, cst.Lambda)):
        if isinstance(node, cst.Assign):
            for target in node.targets:
                text = dotted_name(target.target)
                if text is not None:
                    flags.add(text)
        elif isinstance(node, cst.AugAssign):
            text = dotted_name(node.target)
            if text is not None:
                flags.add(text)
    if not flags:
        return False
    if _raises_on(function, flags):
        return True
    returned = any(
        isinstance(node, cst.Return) and node.value is not None and _names_in(node.value) & flags
        for node in iter_nodes(function.node.body, prune=_NESTED)
    )
    return returned and _callers_raise(function)


def _raises(statement: cst.If) -> bool:
    return any(isinstance(inner, cst.Raise) for inner in iter_nodes(statement.body, prune=_NESTED))


def _raises_on(function: FunctionScope, names: Set[str]) -> bool:
    """An ``if`` of ``function`` whose test reads one of ``names`` raises (``if cancelled: raise``)."""
    return any(
        isinstance(node, cst.If) and _names_in(node.test) & names and _raises(node)
        for node in iter_nodes(function.node.body, prune=_NESTED)
    )


def _callers_raise(function: FunctionScope) -> bool:
    """The function hands the flag back (``return cancelled``), and every call of it in the module
    is the test of an ``if`` that raises (``if await _finish_cleanup(task): raise CancelledError``):
    langflow drains its cleanup under repeated cancellation, then its callers re-raise."""
    sites = module_calls(function)
    if not sites:
        return False
    return all(_raised_by_caller(site) for site in sites)


def _raised_by_caller(site: CallSite) -> bool:
    """The call (awaited or not) is the test of an ``if`` that raises, or its result is bound to a
    name that a later ``if <name>: raise`` of the calling function tests."""
    for block, test in tests_around(site, ("if",)):
        if any(node is site.node for node in iter_nodes(test)):
            return isinstance(block.node, cst.If) and _raises(block.node)
    caller = site.function
    if caller is None:
        return False
    names: Set[str] = set()
    for node in iter_nodes(caller.node.body, prune=_NESTED):
        if isinstance(node, cst.Assign):
            value = node.value.expression if isinstance(node.value, cst.Await) else node.value
            if value is site.node:
                names.update(filter(None, (dotted_name(t.target) for t in node.targets)))
    return bool(names) and _raises_on(caller, names)


def _assigned_values(name: str, scope: Optional[Scope]) -> List[cst.CSTNode]:
    """The expressions assigned to ``name`` in the nearest scope that binds it."""
    while scope is not None:
        bounds = scope.bindings.get(name)
        if bounds is not None:
            return [b.payload for b in bounds if b.kind == "value" and isinstance(b.payload, cst.CSTNode)]
        scope = scope.lookup_parent
    return []
