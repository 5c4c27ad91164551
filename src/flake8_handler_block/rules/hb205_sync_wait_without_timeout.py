from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Set, Tuple, cast

import libcst as cst

from ..fix.edits import is_docstring
from ..fix.fixers import fix_timeout
from .. import catalog, names
from ..catalog import ASYNC_RESULT_KINDS, Api
from ..facts import Facts
from ..loops import breaks_out
from ..calls import (
    MISSING, NONE, PRESENT, MappingFacts, argument, argument_state, call_text, does_not_block, positional,
)
from ..names import Inst, Ref
from ..rule import Rule
from ..scopes import (
    CallSite, FunctionScope, Scope, calls_method_on, checked_not_empty, finished_future, stopped_before,
)
from ..walk import children, iter_nodes
from ..signature import SYNC_WAITS, Signature


WAITS: Dict[str, Api] = catalog.family(catalog.SYNC_WAIT)
EXECUTORS = frozenset({"concurrent.futures.ThreadPoolExecutor", "concurrent.futures.ProcessPoolExecutor"})
RUNNERS = frozenset({"asyncio.run"})  # run the work given next to them: `submit(asyncio.run, coro)`
# a context's run(fn, *args) runs what it is given in that context: `submit(ctx.run, asyncio.run, coro)`
_CONTEXTS = frozenset({"contextvars.copy_context", "contextvars.Context"})
# What may be done with a collection of futures besides waiting for them: filling it, reading it
# (or, with a future itself, asking it how it ended).
_FILLS = frozenset({"append", "add"})
_READS = frozenset({
    "get", "pop", "items", "keys", "values", "copy", "clear", "index", "count",
    "result", "exception", "done", "cancelled", "running",
})
_READERS = frozenset({"len", "list", "tuple", "set", "sorted", "enumerate", "iter", "zip", "any", "all"})
_SCOPES = (cst.FunctionDef, cst.ClassDef, cst.Lambda)
# What hands back what a wait took, by the waited-on kind: a queue used as a pool gets its item
# back, a condition's waiters are notified, an event is set again.
GIVE_BACK: Dict[str, frozenset] = {
    "threading.Condition": frozenset({"notify", "notify_all"}),
    "threading.Event": frozenset({"set"}),
    **{kind: frozenset({"put", "put_nowait"}) for kind in catalog.SYNC_QUEUE_KINDS},
    "queue.SimpleQueue": frozenset({"put", "put_nowait"}),
}


class _Order:
    """Pre-order positions of one function's nodes: which comes first, which holds which."""

    def __init__(self, root: cst.CSTNode) -> None:
        self.start: Dict[int, int] = {}
        self.end: Dict[int, int] = {}
        counter = 0
        stack: List[Tuple[cst.CSTNode, bool]] = [(root, False)]
        while stack:
            node, done = stack.pop()
            if done:
                self.end[id(node)] = counter
                continue
            self.start[id(node)] = counter
            counter += 1
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(children(node)))

    def before(self, first: cst.CSTNode, second: cst.CSTNode) -> bool:
        return self.end.get(id(first), 1 << 62) <= self.start.get(id(second), -1)

    def inside(self, node: cst.CSTNode, outer: cst.CSTNode) -> bool:
        position = self.start.get(id(node))
        return position is not None and self.start[id(outer)] < position < self.end[id(outer)]


def _mentions(exprs: Sequence[cst.BaseExpression], name: str) -> bool:
    return any(isinstance(node, cst.Name) and node.value == name for expr in exprs for node in iter_nodes(expr))


def _is_name(expr: Optional[cst.CSTNode], name: str) -> bool:
    return isinstance(expr, cst.Name) and expr.value == name


def _empty_collection(expr: object) -> bool:
    """``{}``, ``[]``, ``set()``, ``dict()``, ``list()``: a collection filled later."""
    if isinstance(expr, (cst.Dict, cst.List)):
        return not expr.elements
    return (
        isinstance(expr, cst.Call) and not expr.args and isinstance(expr.func, cst.Name)
        and expr.func.value in ("dict", "list", "set")
    )


def _wait_text(call: cst.Call) -> str:
    """The wait as the message names it, on one line: ``run_coroutine_threadsafe(...).result``."""
    func = call.func
    if isinstance(func, cst.Attribute):
        receiver = func.value
        text = names.dotted_name(receiver)
        if text is None and isinstance(receiver, cst.Call):
            text = f"{names.dotted_name(receiver.func) or '...'}(...)"
        return f"{text or '...'}.{func.attr.value}"
    return call_text(call)


class SyncWaitWithoutTimeout(Rule):
    """What it does:
    Finds synchronisation waits without a timeout in request handlers, on receivers
    known from their constructor: `threading.Event.wait()`, `Condition.wait()` and
    `wait_for()`, `Thread.join()`, `Barrier.wait()` (unless the barrier was built with
    `timeout=`), `queue.Queue/LifoQueue/PriorityQueue/SimpleQueue.get()` and
    `multiprocessing.Queue/JoinableQueue.get()` (blocking), futures'
    `result()`/`exception()` (from `Future()`, `executor.submit()` or
    `asyncio.run_coroutine_threadsafe()`), `concurrent.futures.wait()` and
    `as_completed()`, multiprocessing `AsyncResult.get()` and `Process.join()`, Celery's
    `AsyncResult.get()`/`wait()` (of a task's `delay()`/`apply_async()`, the task a function
    of the module or of another module of the project decorated `@app.task`/`@shared_task`,
    of an app's `send_task()` or `AsyncResult(task_id)`: it waits forever if no worker takes
    the task, or its result is never stored). And a
    transformers `TextIteratorStreamer(...)` built without `timeout=`: iterating it waits
    on its queue for the next token with the constructor's timeout, none by default,
    and if `generate()` raises in the thread that feeds it the stream never ends (it is
    reported where it is built, where the timeout goes); a `thread.join()` after a
    `for` over such a streamer that has no `break` is not (the stream ends when
    `generate()`, run by that thread, returns). Positional timeouts count
    (`ev.wait(5)`, `q.get(True, 2)`); `block=False` or `q.get(False)` does not block,
    nor a `get()` in the body of a test that saw its queue holding an item
    (`while not q.empty(): q.get()`, `if q.qsize() > 0:`): with one consumer it takes
    the item at once. A future already known to be finished is not
    waited on: `result()` under `if fut.done():` or `if fut in done:` (`done` from
    `concurrent.futures.wait()`), after a `wait([..., fut])` with no timeout that
    returns only when all are complete, or after the executor's `with` block that
    ran it exited (leaving it waited for every future), or after an earlier
    `fut.exception()`/`fut.result()` (that one did the waiting), or `res.get()` after an
    untimed `res.wait()` of a pool's `AsyncResult` (a timed one may return early), or in a function the
    module hands to `add_done_callback()`, on the future it is given. A runner is not
    reported: `result()` on work the function was given as a parameter
    (`def run(coro): return run_coroutine_threadsafe(coro, LOOP).result()`, also through a
    coroutine of the module whose whole body is `return await coro`,
    `POOL.submit(fn, *args).result()`) waits exactly as long as its caller's work,
    like `asyncio.run(coro)` (also `POOL.submit(asyncio.run, coro).result()`); that
    work's own calls are judged where they are written (HB201-HB204). Nor is a helper's
    wait (not the handler's own: the request's wait is where its timeout and its answer
    on expiry belong) for work that provably ends: every future waited for comes from a
    `submit(fn, ...)`
    in the function (or in a helper nested in it, through a comprehension, a display
    or a local collection filled with `append()`/`futures[fut] = ...`, also when the loop
    over `as_completed(futures)` rebinds `fut`: it gives back the collection's own
    futures; a name bound anywhere else stays unknown), or the thread joined was built
    there as `threading.Thread(target=fn, ...)` (a function of the module or one nested
    in the helper), and the project
    index follows `fn` a few calls down (every override of a method): no catalogue call
    that takes a timeout goes without one (a wrapper's own `timeout` parameter or
    `**kwargs` carries its caller's: `http_request(url, timeout=10)`), none that
    blocks with no timeout at all, no callable of unknown kind called (a parameter,
    `registry[k]()`, `getattr(module, name)()`), and a method called on a value the
    analysis cannot type only when every project function of that name ends (a
    `checker.get_latest()` dispatched by `getattr` is reported when one module's
    `get_latest` requests with no timeout). Library calls outside the catalogue count
    as ending. Futures handed in as a parameter, work past the depth, or an async
    function stay reported. A wait (a handler's too) inside the `with` block of the
    executor running all the work it waits for is not reported, whatever the work: the
    block's exit waits for every future, so no timeout there could end the request's wait;
    the work's own calls are judged where they are written (a search's
    `as_completed(futures)` over sources it submitted in that block). A `join()` (or any
    wait) written after `terminate()`/`kill()` of the same receiver in the same function
    only reaps what was stopped (as HB204's `wait()` after `kill()`, and as there not a stop
    in a block that then leaves with `return` or `raise`, or with `break` for a wait later in
    the same loop). Lock and
    semaphore acquisition is not this rule (`with lock:` is the idiom; a lock never released
    is HB403), and neither is a lock built from a queue, condition or event: a function that waits, then holds what it
    waited for in a `try` whose `finally` gives it back to the same receiver
    (`c = pool.get()` ... `finally: pool.put(c)`; `while self.loading: cond.wait()`,
    `self.loading = True`, then `finally: cond.notify_all()`; an event `set()` again),
    around its own work or, for a generator (a `@contextmanager`), around its `yield`:
    the wait lasts as long as the other holders' work. Given back to another receiver,
    or with no such `finally`, it is reported. A receiver whose
    constructor is not visible in the module is not reported.

    Why is this bad?
    If the event is never set, the item never arrives or the thread never finishes,
    the handler waits forever and its worker is lost.

    Example:
    ```python
    READY = threading.Event()

    @app.get("/report")
    def report():
        READY.wait()
        return render()
    ```

    Use instead:
    ```python
    @app.get("/report")
    def report():
        if not READY.wait(timeout=5):
            abort(503)
        return render()
    ```
    """

    code = "HB205"
    runtime = Signature(states=SYNC_WAITS, untimed=True)
    name = "sync-wait-without-timeout"
    message = "{call}() has no timeout: {where} blocks forever if {outcome}; pass timeout= and handle the expiry"
    gate = ('threading', 'queue', 'multiprocessing', 'concurrent.futures', 'run_coroutine_threadsafe',
            'TextIteratorStreamer', '.delay(', '.apply_async(', 'AsyncResult(', 'send_task(')
    needs = (MappingFacts,)  # `**config` of a dict the module shows in full is read like a literal
    calls = catalog.last_names(WAITS)
    fixer = fix_timeout  # `flake8-handler-block fix`: see docs/fix.md
    fix_default_timeout = "10"

    def check_call(self, site: CallSite, facts: Facts) -> None:
        call = site.node
        api = self._wait(site)
        if api is None or api.timeout is None:
            return
        if api.blocking is not None and does_not_block(call, api.blocking.block_index):
            return
        if argument_state(call, "timeout", api.timeout.index, facts[MappingFacts]) not in (MISSING, NONE):
            return
        if stopped_before(site, facts.tree):
            return  # `p.terminate(); p.join()`: the wait only reaps what was stopped
        if checked_not_empty(site):
            return  # `while not q.empty(): q.get()`: an item is there
        if self._lends_and_takes_back(site):
            return  # a lock's own acquire: the wait lasts as long as the holders' with blocks
        if site.name == "join" and _streamed_to_its_end(site):
            return  # the streamer ended: generate() in that thread has returned
        if site.name == "join" and self._work_ends(site, facts):
            return  # the thread runs work that provably ends, as a future's below
        if api.blocking is not None and api.blocking.instead == catalog.FUTURE_INSTEAD:
            if finished_future(site) or self._waited_for(site):
                return  # the future is known to be finished: nothing waits
            if self._runs_what_it_was_given(site):
                return  # a runner: it waits as long as its caller's work, which is judged where it is written
            if self._work_ends(site, facts):
                return  # the work waited for provably ends: nothing it runs waits without a timeout
        self.report(call, site.function, call=_wait_text(call), outcome=api.until)

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self._orders: Dict[int, _Order] = {}
        self._filling: Set[Tuple[int, str]] = set()  # collections being read by _filled

    def _waited_for(self, site: CallSite) -> bool:
        """``fut.result()`` after something already waited for ``fut`` to finish.

        Its executor's ``with`` block exited (``shutdown(wait=True)`` ran), or
        ``concurrent.futures.wait([..., fut, ...])`` returned earlier in the function
        (no timeout, all futures completed), or ``if fut in done:`` with ``done`` from
        such a ``wait()``, or an earlier ``fut.exception()``/``fut.result()`` already
        waited (the finding, if any, is that one).
        """
        func = site.node.func
        function = site.function
        if function is None or not isinstance(func, cst.Attribute) or not isinstance(func.value, cst.Name):
            return False
        name = func.value.value
        if self._in_done_set(site, name, function):
            return True
        order = self._order(function)
        receiver = self.ctx.resolve(func.value, site.scope)
        submit = receiver.call if isinstance(receiver, Inst) else None
        if submit is not None:
            for executor in self._executor_blocks(function):
                if order.inside(submit, executor) and not order.inside(site.node, executor):
                    return True
        for wait_call in self._completed_waits(function):
            if order.before(wait_call, site.node) and _mentions(positional(wait_call)[:1], name):
                return True
        # `exc = fut.exception()` then `fut.result()`; an untimed `res.wait()` of a pool's AsyncResult
        # then `res.get()`: the first one did the waiting
        waits: Tuple[str, ...] = ("result", "exception")
        if isinstance(receiver, Inst) and receiver.producer in ASYNC_RESULT_KINDS:
            waits += ("wait",)
        for node in iter_nodes(function.node.body, prune=(cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            if (
                isinstance(node, cst.Call) and node is not site.node and isinstance(node.func, cst.Attribute)
                and node.func.attr.value in waits and isinstance(node.func.value, cst.Name)
                and node.func.value.value == name and order.before(node, site.node)
                and not (node.func.attr.value == "wait" and node.args)
            ):
                return True
        return False

    def _lends_and_takes_back(self, site: CallSite) -> bool:
        """A lock built from a queue used as a pool (``c = pool.get()`` ... ``finally:
        pool.put(c)``), a condition (``while self.loading: cond.wait()``, then ``self.loading =
        True`` ... ``finally: cond.notify_all()``) or an event: the function waits for the
        resource, then gives it back to the same receiver in the ``finally`` of a ``try`` that
        holds it, around its own work or, for a generator (a ``@contextmanager``), around its
        ``yield`` (its callers hold it in ``with`` blocks). Like ``with lock:`` (not this rule)
        the wait lasts as long as the other holders' work."""
        func = site.node.func
        function = site.function
        if function is None or not isinstance(func, cst.Attribute):
            return False
        receiver = names.dotted_name(func.value)
        target = self.ctx.callee(site.node, site.scope)
        give_back = GIVE_BACK.get(target.rsplit(".", 1)[0]) if target is not None else None
        if receiver is None or give_back is None:
            return False
        order = self._order(function)
        prune = (cst.FunctionDef, cst.ClassDef, cst.Lambda)
        for node in iter_nodes(function.node.body, prune=prune):
            if not isinstance(node, cst.Try) or node.finalbody is None or not order.before(site.node, node):
                continue
            holds = not function.is_generator or any(
                isinstance(inner, cst.Yield) for inner in iter_nodes(node.body, prune=prune))
            if holds and any(
                calls_method_on(inner, receiver, give_back) for inner in iter_nodes(node.finalbody, prune=prune)
            ):
                return True
        return False

    def _order(self, function: FunctionScope) -> _Order:
        order = self._orders.get(id(function.node))
        if order is None:
            order = self._orders[id(function.node)] = _Order(function.node)
        return order

    def _runs_what_it_was_given(self, site: CallSite) -> bool:
        """``fut.result()`` on work the function was handed as a parameter: a sync-to-async
        bridge (``run_coroutine_threadsafe(coro, loop).result()``) or a pool runner
        (``POOL.submit(fn, *args).result()``, ``POOL.submit(ctx.run, asyncio.run, hook(*args))``),
        like ``asyncio.run(coro)``."""
        func = site.node.func
        function = site.function
        if function is None or not isinstance(func, cst.Attribute):
            return False
        receiver = self.ctx.resolve(func.value, site.scope)
        if not isinstance(receiver, Inst) or receiver.call is None:
            return False
        if receiver.producer != "asyncio.run_coroutine_threadsafe" and not receiver.producer.endswith(".submit"):
            return False
        values = list(positional(receiver.call))
        if len(values) > 1 and self._context_run(values[0], site.scope):
            values = values[1:]  # `submit(ctx.run, fn, ...)` runs `fn(...)` in the copied context
        work = values[0] if values else None
        if work is not None and len(values) > 1:
            runner = self.ctx.resolve(work, site.scope)
            if isinstance(runner, Ref) and runner.dotted in RUNNERS:
                work = values[1]  # `submit(asyncio.run, coro)`: the coroutine is the work
        if isinstance(work, cst.Call) and _awaits_what_it_is_given(work, site.scope):
            work = positional(work)[0]  # `run_coroutine_threadsafe(_coro(awaitable), loop)`
        if isinstance(work, cst.Call) and isinstance(work.func, cst.Name):
            work = work.func  # `asyncio.run(hook(*args))`: the coroutine of the function it was given
        return (
            isinstance(work, cst.Name) and work.value in function.param_names
            and len(function.bindings.get(work.value, ())) == 1  # the parameter, never rebound
        )

    def _context_run(self, expr: cst.BaseExpression, scope: Scope) -> bool:
        """``ctx.run`` of ``ctx = contextvars.copy_context()``."""
        if not isinstance(expr, cst.Attribute) or expr.attr.value != "run":
            return False
        owner = self.ctx.resolve(expr.value, scope)
        return isinstance(owner, Inst) and owner.producer in _CONTEXTS

    def _work_ends(self, site: CallSite, facts: Facts) -> bool:
        """A helper below the handler waits for futures that are all work handed to a thread here
        (``executor.submit(fn, ...)`` in this function or one nested in it), or joins a thread it
        started on such work (``Thread(target=fn)``), and the project index
        proves that work ends: nothing ``fn`` runs, a few calls down, waits with no timeout or goes
        where the graph cannot follow (``ModuleReach.handed_work_ends``). A handler that waits
        itself is reported whatever the work: the request's own wait is where its timeout and the
        answer on expiry belong (``abort(503)``). A wait inside the ``with`` block of the executor
        (``_inside_executor_block``) is never reported, whatever the work: leaving the block waits for
        every future, so no timeout there could end the request's wait; the work's own calls are
        judged where they are written."""
        project = facts.reach.project
        function = site.function
        if function is None or not facts.reach.in_scope(self.scope, function):
            return False  # (out of scope, the finding is dropped anyway: no question asked)
        handed = self._handed(site, function)
        if not handed:
            return False
        if self._inside_executor_block(site, function):
            return True  # leaving the block waits for all of it: only the work's own calls can end the wait
        if project is None:
            return False
        scope: object = function
        while isinstance(scope, FunctionScope):
            if scope in facts.reach.handlers:
                return False
            scope = scope.parent
        return all(project.handed_work_ends(owner.index_name, work) for owner, work in handed)

    def _inside_executor_block(self, site: CallSite, function: FunctionScope) -> bool:
        """The wait sits in a ``with ThreadPoolExecutor() as ex:`` block of ``function``: leaving the
        block waits for every future the executor ran, so a timeout here would end no wait; only the
        work's own can (a handler's ``as_completed(futures)`` over lookups it submitted there)."""
        order = self._order(function)
        return any(order.inside(site.node, block) for block in self._executor_blocks(function))

    def _handed(self, site: CallSite, function: FunctionScope) -> Optional[List[Tuple[FunctionScope, str]]]:
        """The hand-offs whose futures the wait waits for, as (function making it, last name of the
        callable handed over); None when some future may come from anywhere else."""
        call = site.node
        func = call.func
        if isinstance(func, cst.Attribute) and func.attr.value == "join":
            thread = self.ctx.resolve(func.value, site.scope)
            if not isinstance(thread, Inst) or thread.call is None or thread.producer not in catalog.THREAD_CLASSES:
                return None
            return self._hand_off(thread.call, argument(thread.call, "target", 1), function)
        if isinstance(func, cst.Attribute) and func.attr.value in ("result", "exception"):
            receiver = self.ctx.resolve(func.value, site.scope)
            if not isinstance(receiver, Inst) or receiver.call is None or not receiver.producer.endswith(".submit"):
                return None
            return self._futures_of(receiver.call, function, 0)
        values = positional(call)
        waited = values[0] if values else argument(call, "fs", 0)
        return self._futures_of(waited, function, 0) if waited is not None else None

    def _futures_of(
        self, expr: cst.BaseExpression, function: FunctionScope, depth: int
    ) -> Optional[List[Tuple[FunctionScope, str]]]:
        """The hand-offs ``expr`` (in ``function``) holds the futures of: a ``submit`` call, a call of
        a function of this module returning one, a display or comprehension of them, or a local
        name bound to these or to an empty collection filled with them (``futures[fut] = path``,
        ``futures.append(fut)``) and used for nothing else that could add to it."""
        if depth > 4:
            return None
        if isinstance(expr, cst.Call):
            if isinstance(expr.func, cst.Attribute) and expr.func.attr.value == "submit":
                work = positional(expr)[:1]
                return self._hand_off(expr, work[0] if work else None, function)
            helper = names.local_function(expr.func, function)
            if helper is None or helper.is_generator or not helper.returns:
                return None
            return self._all_of([(value, helper) for value in helper.returns], depth)
        if isinstance(expr, (cst.ListComp, cst.SetComp, cst.GeneratorExp)):
            return self._futures_of(expr.elt, function, depth + 1)
        if isinstance(expr, cst.DictComp):
            return self._futures_of(expr.key, function, depth + 1)
        if isinstance(expr, (cst.List, cst.Tuple, cst.Set)):
            elements = [e.value for e in expr.elements if isinstance(e, cst.Element)]
            if len(elements) != len(expr.elements):
                return None  # `[*more]`
            return self._all_of([(e, function) for e in elements], depth)
        if isinstance(expr, cst.Dict):
            keys = [e.key for e in expr.elements if isinstance(e, cst.DictElement)]
            return self._all_of([(k, function) for k in keys], depth) if len(keys) == len(expr.elements) else None
        if isinstance(expr, cst.Name):
            return self._filled(expr.value, function, depth)
        return None

    def _hand_off(
        self, call: cst.Call, work: Optional[cst.BaseExpression], function: FunctionScope
    ) -> Optional[List[Tuple[FunctionScope, str]]]:
        """``call`` hands ``work`` to a thread (``submit(fn, ...)``, ``Thread(target=fn)``): the function
        making it and the last name of what it hands over; None when that is no name."""
        name = names.last_name(work) if isinstance(work, (cst.Name, cst.Attribute)) else None
        owner = self._owner(call, function)
        return [(owner, name)] if name is not None and owner is not None else None

    def _all_of(
        self, parts: List[Tuple[Optional[cst.BaseExpression], FunctionScope]], depth: int
    ) -> Optional[List[Tuple[FunctionScope, str]]]:
        found: List[Tuple[FunctionScope, str]] = []
        for expr, function in parts:
            more = self._futures_of(expr, function, depth + 1) if expr is not None else None
            if more is None:
                return None
            found.extend(more)
        return found

    def _filled(self, name: str, function: FunctionScope, depth: int) -> Optional[List[Tuple[FunctionScope, str]]]:
        """The hand-offs a local collection holds: what it is bound to, and what is put in it. A
        name read again while it is being read (``for future in as_completed(futures)`` binding the
        name put in ``futures``) adds nothing: those are the collection's own futures."""
        memo = (id(function.node), name)
        if memo in self._filling:
            return []
        self._filling.add(memo)
        try:
            return self._filled_by(name, function, depth)
        finally:
            self._filling.discard(memo)

    def _filled_by(self, name: str, function: FunctionScope, depth: int) -> Optional[List[Tuple[FunctionScope, str]]]:
        bounds = function.bindings.get(name)
        completing = [
            node for node in iter_nodes(function.node.body)
            if isinstance(node, cst.For) and _is_name(node.target, name) and self._completing(node.iter, function)
        ]
        unknown = sum(1 for b in bounds or () if b.kind != "value" or b.payload is None)
        if not bounds or unknown != len(completing):
            return None  # (each `for name in as_completed(fs)` binds the name to no value: one of fs)
        parts: List[Tuple[Optional[cst.BaseExpression], FunctionScope]] = [
            (positional(cast(cst.Call, node.iter))[0], function) for node in completing
        ]
        keyed = False
        for bound in bounds:
            value = bound.payload
            if value is None:
                continue  # the `for` of `completing`
            if _empty_collection(value):
                keyed = keyed or isinstance(value, cst.Dict) or (
                    isinstance(value, cst.Call) and names.last_name(value.func) == "dict"
                )
            else:
                parts.append((value, function))  # type: ignore[arg-type]
        for node in iter_nodes(function.node.body):
            if isinstance(node, _SCOPES) and any(
                isinstance(inner, cst.Name) and inner.value == name for inner in iter_nodes(node)
            ):
                return None  # a nested function or lambda uses it: what it adds is not seen here
            if isinstance(node, cst.Assign):
                for target in node.targets:
                    held = target.target
                    if isinstance(held, cst.Subscript) and _is_name(held.value, name):
                        index = held.slice[0].slice if len(held.slice) == 1 else None
                        key = index.value if isinstance(index, cst.Index) else None
                        parts.append((key if keyed else node.value, function))
                if _is_name(node.value, name):
                    return None  # another name for it
            elif node in completing:
                continue
            elif isinstance(node, (cst.AugAssign, cst.For, cst.CompFor, cst.WithItem, cst.NamedExpr)):
                rebound = getattr(node, "target", None) or getattr(node, "asname", None)
                if rebound is not None and any(
                    isinstance(inner, cst.Name) and inner.value == name for inner in iter_nodes(rebound)
                ):
                    return None
            elif isinstance(node, cst.Call):
                func = node.func
                if isinstance(func, cst.Attribute) and _is_name(func.value, name):
                    if func.attr.value in _FILLS and len(node.args) == 1:
                        parts.append((node.args[0].value, function))
                    elif func.attr.value not in _READS:
                        return None
                elif any(_is_name(arg.value, name) for arg in node.args) and names.last_name(func) not in _READERS:
                    if self.ctx.callee(node, function) not in WAITS:
                        return None  # handed to a call that may add to it
        return self._all_of(parts, depth)

    def _completing(self, expr: cst.BaseExpression, function: FunctionScope) -> bool:
        """``as_completed(fs)``: iterating it gives the futures of ``fs``."""
        return (
            isinstance(expr, cst.Call) and bool(positional(expr))
            and self.ctx.callee(expr, function) == "concurrent.futures.as_completed"
        )

    def _owner(self, node: cst.CSTNode, function: FunctionScope) -> Optional[FunctionScope]:
        """The function (``function`` or one nested in it) whose own code holds ``node``."""
        if not self._order(function).inside(node, function.node):
            return None
        for nested in (fn for fns in function.nested.values() for fn in fns):
            if self._order(function).inside(node, nested.node):
                return self._owner(node, nested)
        return function

    def _in_done_set(self, site: CallSite, name: str, function: FunctionScope) -> bool:
        """``if fut in done:`` where ``done`` is the first set ``wait()`` returned."""
        done_names = set()
        for node in iter_nodes(function.node.body):
            if not isinstance(node, cst.Assign):
                continue
            if isinstance(node.value, cst.Call) and self._is_wait(node.value, function):
                target = node.targets[0].target
                if isinstance(target, (cst.Tuple, cst.List)) and target.elements:
                    first = target.elements[0].value
                    if isinstance(first, cst.Name):
                        done_names.add(first.value)
            elif isinstance(node.value, cst.Attribute) and node.value.attr.value == "done":
                inner = node.value.value
                target = node.targets[0].target
                if isinstance(inner, cst.Call) and self._is_wait(inner, function) and isinstance(target, cst.Name):
                    done_names.add(target.value)
        if not done_names or site.block is None:
            return False
        for block in site.block.chain():
            test = getattr(block.node, "test", None) if block.kind == "if" else None
            if (
                isinstance(test, cst.Comparison) and isinstance(test.left, cst.Name) and test.left.value == name
                and len(test.comparisons) == 1 and isinstance(test.comparisons[0].operator, cst.In)
                and isinstance(test.comparisons[0].comparator, cst.Name)
                and test.comparisons[0].comparator.value in done_names
            ):
                return True
        return False

    def _is_wait(self, call: cst.Call, function: FunctionScope) -> bool:
        return self.ctx.callee(call, function) == "concurrent.futures.wait"

    def _completed_waits(self, function: FunctionScope) -> List[cst.Call]:
        """``wait(fs)`` calls that return only once every future finished (no timeout, ALL_COMPLETED)."""
        found = []
        for node in iter_nodes(function.node.body, prune=(cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            if isinstance(node, cst.Call) and self._is_wait(node, function):
                when = argument(node, "return_when", 2)
                all_completed = when is None or (names.last_name(when) or "") == "ALL_COMPLETED"
                if all_completed and argument_state(node, "timeout", 1) in (MISSING, NONE):
                    found.append(node)
        return found

    def _executor_blocks(self, function: FunctionScope) -> List[cst.With]:
        """``with ThreadPoolExecutor(...) as ex:`` blocks: leaving one waits for every future it ran."""
        found = []
        for node in iter_nodes(function.node.body, prune=(cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            if isinstance(node, cst.With) and node.asynchronous is None:
                for item in node.items:
                    if isinstance(item.item, cst.Call) and self.ctx.callee(item.item, function) in EXECUTORS:
                        found.append(node)
        return found

    def _wait(self, site: CallSite) -> Optional[Api]:
        call = site.node
        target = self.ctx.callee(call, site.scope)
        api = WAITS.get(target) if target is not None else None
        if api is None:
            return None
        if not isinstance(call.func, cst.Attribute):
            return api  # `wait(fs)` imported from concurrent.futures
        receiver = self.ctx.resolve(call.func.value, site.scope)
        if isinstance(receiver, Ref):
            return api  # a module function: concurrent.futures.wait(fs)
        if not isinstance(receiver, Inst):
            return None
        if receiver.producer == "threading.Barrier" and receiver.call is not None:
            if argument_state(receiver.call, "timeout", 2) == PRESENT:
                return None  # Barrier(n, timeout=...) is the default for wait()
        return api


def _awaits_what_it_is_given(call: cst.Call, scope: Scope) -> bool:
    """``_coro(awaitable)``, a coroutine function of the module whose whole body (a docstring aside) is
    ``return await awaitable``: it runs exactly the work it is handed."""
    values = positional(call)
    function = names.local_function(call.func, scope)
    if len(values) != 1 or len(call.args) != 1 or function is None or not function.is_async:
        return False
    params = function.node.params.params
    block = function.node.body
    line: Sequence[cst.BaseSmallStatement]
    if isinstance(block, cst.SimpleStatementSuite):
        line = block.body  # `async def _coro(a): return await a`
    elif not isinstance(block, cst.IndentedBlock):
        return False
    else:
        body = [stmt for stmt in block.body if not is_docstring(stmt)]
        if len(body) != 1 or not isinstance(body[0], cst.SimpleStatementLine):
            return False
        line = body[0].body
    returned = line[0].value if len(line) == 1 and isinstance(line[0], cst.Return) else None
    return len(params) == 1 and isinstance(returned, cst.Await) and _is_name(returned.expression, params[0].name.value)


def _streamed_to_its_end(site: CallSite) -> bool:
    """``thread.join()`` after a ``for`` over a transformers ``TextIteratorStreamer``, earlier in the
    same function, that has no ``break``: the stream ends when ``generate()`` (what the thread runs)
    returns and calls ``streamer.end()``, so the join only reaps a thread that is finishing. A loop
    left by an error (a stalled stream's ``queue.Empty``) never gets to the join."""
    function = site.function
    if function is None:
        return False
    for node in iter_nodes(function.node.body, prune=(cst.FunctionDef, cst.ClassDef, cst.Lambda)):
        if node is site.node:
            return False
        if isinstance(node, cst.For) and not breaks_out(node):
            found = names.resolve(node.iter, site.scope)
            if isinstance(found, Inst) and found.producer == catalog.TEXT_STREAMER:
                return True
    return False
