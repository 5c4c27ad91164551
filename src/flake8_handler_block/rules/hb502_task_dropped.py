from __future__ import annotations

from typing import Callable, List, Optional, Set, Tuple

import libcst as cst

from .. import catalog
from ..facts import Facts
from ..calls import call_text, keyword, positional
from ..names import assigned_value, dotted_name, last_name
from ..keeping import Keeps
from ..ownership import ESCAPES, Ownership, Policy
from ..primitives import QuietCalls, function_named
from ..rule import ANYWHERE, Rule, RuleContext
from ..scopes import CallSite, FunctionScope, Scope
from ..signature import Signature
from ..walk import iter_nodes

POLICY = Policy(closers=frozenset(), awaited_closes=True, any_use_keeps=True)
_CONTAINERS = {
    cst.List: "list", cst.Tuple: "tuple", cst.Set: "set", cst.ListComp: "list",
    cst.SetComp: "set", cst.GeneratorExp: "generator expression",
}
_REGISTRAR_NAMES = frozenset(
    {name.rsplit(".", 1)[-1] for name in catalog.SIGNAL_HANDLER_REGISTRARS} | set(catalog.SIGNAL_HANDLER_METHODS)
)
_BUILDERS = frozenset({"list", "tuple", "set", "frozenset", "sorted"})  # list(create_task(f(x)) for x in xs)


class TaskDropped(Rule):
    """What it does:
    Finds asyncio tasks that are created and dropped: `asyncio.create_task()`,
    `asyncio.ensure_future()` and `loop.create_task()` (a loop from
    `asyncio.get_event_loop()`/`get_running_loop()`/`new_event_loop()` or annotated
    `asyncio.AbstractEventLoop`) whose result is used as a bare statement, or bound
    to a local that is never used again; also a task put in a list, tuple, set or
    generator expression (or `list(...)` of one) that is itself dropped or bound and
    never used (`[asyncio.create_task(send(x)) for x in xs]`). Checked in every
    function.

    Not reported: `asyncio.ensure_future(x)` given a name or an attribute rather than a
    call (`x` may be a Task or a Future, which it returns unchanged: prefect keeps its task
    in a set, then writes `asyncio.ensure_future(task).add_done_callback(...)`); a task
    that is awaited, returned, stored (on `self`, a global, a container:
    `tasks.add(task)`), passed to a call (`asyncio.gather`, `asyncio.wait`, ...) or whose
    list is, used in any way after being bound (`task.add_done_callback` counts as kept:
    precision first; so does a read at the top of the loop's next pass), or created
    inside `async with TaskGroup()`. Nor a continuation: a task whose coroutine (a function
    of this module) first waits on a future that already exists - an attribute
    (`await self._stopped`), a parameter given one (`create_task(remove(server.stop_future))`),
    or a variable of the enclosing function - rather than on work it starts itself.
    That future's done-callbacks hold the task while it waits: it is the coroutine
    spelling of `future.add_done_callback(...)`, kept for the same reason.
    `tg.create_task()` on a `TaskGroup` is never reported.

    A task a lambda returns is kept by whoever calls the lambda, except when the lambda is
    registered as a callback of an event (`context.on("page", lambda page:
    asyncio.create_task(...))`, `once()`, `add_listener()`, `add_done_callback()`): the
    emitter drops what its callbacks return. A lambda handed to the event loop's timers
    and signal handlers (`call_later()`, `call_soon()`, `add_signal_handler()`) is not
    reported: that one-shot scheduling of a reconnect or a shutdown is by design in the
    apps we read. Nor a task created in a function of this module registered to run
    when the process is signalled or exits: `signal.signal(SIGTERM, stop)`,
    `loop.add_signal_handler(SIGHUP, reload)`, `atexit.register(cleanup)`, also through a
    lambda calling it (`lambda sig, frame: self.stop(sig)`) or a `functools.partial()` of it
    (the process is reloading or going away; no request waits on that task), nor in a
    finalizer, `__del__`, a last-resort cleanup as the object is collected.

    Nor a best-effort task: its coroutine (a function or method of this module) lets
    no exception out - its body is wrapped in `try`/`except Exception` (or
    `BaseException`, or bare) whose handlers do not raise, and nothing outside them
    can raise (a wait only a cancellation ends, `await asyncio.sleep(delay)`, and a
    task it schedules, `asyncio.create_task(again(...))`, raise nothing) - and writes
    no cleanup that must run (no `finally`, no `async with`).
    Nothing is lost to asyncio there, and a task collected mid-flight is one more
    failure the coroutine already tolerates (asyncio logs it: "Task was destroyed but
    it is pending!"). A `finally` says a step must run to the end (continue a paused
    request, release what was taken): a task collected while waiting gets
    `GeneratorExit` at its `await` and cannot finish it, so such a task is reported
    however much it catches. Nor a line whose comment silences ruff's same check
    (`# noqa: RUF006`, asyncio-dangling-task): its maintainers kept the task
    detached on purpose (`equivalent-noqa = false` reports it again).

    Why is this bad?
    The event loop keeps only a weak reference to a task: a dropped task can be
    garbage-collected before it finishes, and its exception is never seen
    ("Task exception was never retrieved").

    Example:
    ```python
    async def checkout(request):
        order = await save_order(request)
        asyncio.create_task(send_receipt(order))
        return web.json_response({"id": order.id})
    ```

    Use instead:
    ```python
    BACKGROUND = set()

    async def checkout(request):
        order = await save_order(request)
        task = asyncio.create_task(send_receipt(order))
        BACKGROUND.add(task)
        task.add_done_callback(BACKGROUND.discard)
        return web.json_response({"id": order.id})
    ```
    """

    code = "HB502"
    needs = (Ownership, Keeps)
    runtime = Signature(leaks=frozenset({"task"}))  # the harness reports only tasks nobody keeps
    name = "task-dropped"
    message = (
        "{call}() task {problem}: in {where} it can be garbage-collected mid-flight and its exception is lost; "
        "keep a reference (a set, a TaskGroup) or await it"
    )
    scope = ANYWHERE
    gate = ('create_task', 'ensure_future')
    calls = frozenset({"create_task", "ensure_future"})

    def __init__(self, ctx: RuleContext) -> None:
        super().__init__(ctx)
        self._quiet = QuietCalls()
        self._callback_results: Set[int] = set()  # ids of the calls a registered lambda returns
        self._registrations: List[Tuple[cst.Call, Scope]] = []  # calls that may register a signal or exit handler
        self._signal_handlers: Optional[Set[FunctionScope]] = None  # resolved once, on the first task call

    def visit_Call(self, node: cst.Call) -> None:
        name = last_name(node.func)
        if name in catalog.CALLBACK_REGISTRARS and isinstance(node.func, cst.Attribute):
            for arg in node.args:
                if isinstance(arg.value, cst.Lambda) and isinstance(arg.value.body, cst.Call):
                    self._callback_results.add(id(arg.value.body))
        if name in _REGISTRAR_NAMES:
            self._registrations.append((node, self.ctx.scope))  # resolved after the walk: methods defined later

    def check_call(self, site: CallSite, facts: Facts) -> None:
        flows = facts[Ownership]
        function = site.function
        if function is None:
            return
        call = site.node
        callee = self.ctx.callee(call, site.scope)
        if callee not in catalog.TASK_CALLS:
            return
        if callee == "asyncio.ensure_future" and not _makes_a_coroutine(call):
            return  # a Task or Future is handed back as it is: no task is created here
        if (function.name == "__del__" and function.cls is not None) or function in self._signal_handlers_of():
            return  # a finalizer, a signal or exit handler: one-shot work no request waits on
        for entered in flows.enclosing_with_calls(function, call):
            name = dotted_name(entered.func) or ""
            if name.rsplit(".", 1)[-1] in ("TaskGroup", "create_task_group", "open_nursery"):
                return
        result = flows.fate(function, call, POLICY)
        problem: Optional[str] = None
        emitted = id(call) in self._callback_results
        if (result.finding or emitted) and (_continuation(call, site.scope) or self._best_effort(call, site.scope)):
            return
        if emitted:
            problem = "is returned to an event emitter, which drops it"
        elif result.finding:
            problem = f"is bound to '{result.name}' and never used" if result.name else "is dropped"
        elif result.kind == ESCAPES:
            problem = self._dropped_container(function, call, facts)
        if problem is not None:
            self.report(call, function, call=call_text(call), problem=problem)

    def _signal_handlers_of(self) -> Set[FunctionScope]:
        """The functions of this module registered to run when the process is signalled or exits."""
        if self._signal_handlers is None:
            self._signal_handlers = set()
            for call, scope in self._registrations:
                place = _handler_place(call, self.ctx.callee(call, scope))
                values = positional(call)
                if place is not None and place < len(values):
                    handler = _function_run(values[place], scope, self.ctx.callee)
                    if handler is not None:
                        self._signal_handlers.add(handler)
        return self._signal_handlers

    def _best_effort(self, task_call: cst.Call, scope: Scope) -> bool:
        """``create_task(notify(x))`` where ``notify``, a coroutine of this module, lets no exception
        out (its body is wrapped in ``except Exception`` handlers that do not raise) and writes no
        cleanup that must run (no ``finally``, no ``async with``)."""
        coroutine = _coroutine_of(task_call, scope)
        if coroutine is None or _cleans_up(coroutine):
            return False
        return self._quiet.catches_everything(coroutine)

    def _dropped_container(self, function: FunctionScope, call: cst.Call, facts: Facts) -> Optional[str]:
        """A task put in a list, tuple, set or generator expression that is then dropped."""
        keeping = facts[Keeps]
        node: cst.CSTNode = call
        parent = keeping.parent(function, node)
        if isinstance(parent, (cst.Element, cst.StarredElement)):
            node, parent = parent, keeping.parent(function, parent)
            if not isinstance(parent, (cst.List, cst.Tuple, cst.Set)):
                return None
        elif not (isinstance(parent, (cst.ListComp, cst.SetComp, cst.GeneratorExp)) and parent.elt is node):
            return None
        container: cst.CSTNode = parent
        kind = _CONTAINERS[type(parent)]
        holder = keeping.parent(function, container)
        if isinstance(holder, cst.Arg):
            built = keeping.parent(function, holder)
            if not (isinstance(built, cst.Call) and isinstance(built.func, cst.Name) and built.func.value in _BUILDERS):
                return None  # handed to a call (`pending.update({...})`, `gather(*[...])`): it may keep them
            container, kind = built, f"{built.func.value}()"
        result = facts[Ownership].fate(function, container, POLICY)
        if not result.finding:
            return None
        if result.name:
            return f"is put in a {kind} bound to '{result.name}' and never used"
        return f"is put in a {kind} that is dropped"


def _handler_place(call: cst.Call, callee: Optional[str]) -> Optional[int]:
    """Where ``call``, one registering a signal or exit handler, takes the function; None for any
    other call."""
    if callee in catalog.SIGNAL_HANDLER_REGISTRARS:
        return catalog.SIGNAL_HANDLER_REGISTRARS[callee]
    if isinstance(call.func, cst.Attribute):
        return catalog.SIGNAL_HANDLER_METHODS.get(call.func.attr.value)
    return None


def _function_run(expr: cst.BaseExpression, scope: Scope, callee: Callable[[cst.Call, Scope], Optional[str]]
                  ) -> Optional[FunctionScope]:
    """The function of this module that the callable ``expr`` runs: itself (``stop``,
    ``self.stop``), the one a lambda calls (``lambda sig, frame: self.stop(sig)``) or a
    ``functools.partial()`` wraps, also through a name given that value once."""
    value, where = assigned_value(expr, scope) if isinstance(expr, cst.Name) else (expr, scope)
    if isinstance(value, cst.Lambda) and isinstance(value.body, cst.Call):
        value = value.body.func
    elif isinstance(value, cst.Call) and callee(value, where) == "functools.partial" and positional(value):
        value = positional(value)[0]
    return function_named(value, where)


def _makes_a_coroutine(task_call: cst.Call) -> bool:
    """``ensure_future(f(x))``: the argument is a call, the coroutine it makes is new. A name or an
    attribute may hold a Task or a Future, which ``ensure_future`` returns unchanged (a receiver of
    unknown kind: not reported)."""
    values = positional(task_call)
    return bool(values) and isinstance(values[0], cst.Call)


def _coroutine_of(task_call: cst.Call, scope: Scope) -> Optional[FunctionScope]:
    """The coroutine function of this module whose call the task runs (``create_task(f(x))``)."""
    values = positional(task_call)
    coro = values[0] if values else None
    if not isinstance(coro, cst.Call):
        return None
    coroutine = function_named(coro.func, scope)
    return coroutine if coroutine is not None and coroutine.is_async else None


def _cleans_up(coroutine: FunctionScope) -> bool:
    """Its own body holds cleanup that must run to the end: a ``finally`` or an ``async with``
    (a task collected mid-flight gets ``GeneratorExit`` at its ``await``, where neither can
    finish its work)."""
    nested = (cst.FunctionDef, cst.ClassDef, cst.Lambda)
    for node in iter_nodes(coroutine.node.body, prune=nested):
        if isinstance(node, cst.Try) and node.finalbody is not None:
            return True
        if isinstance(node, cst.With) and node.asynchronous is not None:
            return True
    return False


def _continuation(task_call: cst.Call, scope: Scope) -> bool:
    """``ensure_future(after(fut))`` where ``after`` first waits on a future that exists already."""
    coroutine = _coroutine_of(task_call, scope)
    coro = positional(task_call)[0] if coroutine is not None else None
    if coroutine is None or not isinstance(coro, cst.Call):
        return False
    awaited = _first_wait(coroutine)
    if isinstance(awaited, cst.Attribute):
        return dotted_name(awaited) is not None  # `self._stopped`, `server.stop_future`
    if not isinstance(awaited, cst.Name):
        return False
    name = awaited.value
    if name in coroutine.param_names:
        given = _argument_for(coro, coroutine, name)
        return isinstance(given, (cst.Name, cst.Attribute))  # an existing object, not a fresh call
    return name not in coroutine.bindings  # a variable of the enclosing function


def _first_wait(coroutine: FunctionScope) -> Optional[cst.BaseExpression]:
    """What the coroutine's first suspension waits on: the operand of its first ``await``
    (None when an ``async for``/``async with`` comes first)."""
    for node in iter_nodes(coroutine.node.body, prune=(cst.FunctionDef, cst.ClassDef, cst.Lambda)):
        if isinstance(node, cst.Await):
            return node.expression
        if isinstance(node, (cst.For, cst.With)) and node.asynchronous is not None:
            return None
    return None


def _argument_for(call: cst.Call, function: FunctionScope, name: str) -> Optional[cst.BaseExpression]:
    """The value ``call`` passes for parameter ``name`` of ``function`` (``self`` skipped for methods)."""
    value = keyword(call, name)
    if value is not None:
        return value
    params = list(function.param_names)
    if function.cls is not None and params:
        params = params[1:]
    values = positional(call)
    index = params.index(name) if name in params else len(values)
    return values[index] if index < len(values) else None
