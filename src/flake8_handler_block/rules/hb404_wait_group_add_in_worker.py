from __future__ import annotations

from typing import Optional, Set

import libcst as cst

from ..facts import Facts
from ..calls import call_text
from ..primitives import WAIT_GROUP_GATE, WAIT_GROUP_GATE_PAIRS, Primitives, Use
from ..rule import ANYWHERE, Rule
from ..signature import Signature

_SPAWN_CLASSES = frozenset({"threading.Thread", "threading.Timer", "multiprocessing.Process"})


def _first_call(function: cst.FunctionDef) -> Optional[cst.Call]:
    """The call that is the function's first statement (after a docstring)."""
    body = function.body.body
    for stmt in body:
        if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1:
            return None
        small = stmt.body[0]
        if not isinstance(small, cst.Expr):
            return None
        value = small.value
        if isinstance(value, (cst.SimpleString, cst.ConcatenatedString)):
            continue  # docstring
        if isinstance(value, cst.Await):
            value = value.expression
        return value if isinstance(value, cst.Call) else None
    return None


class WaitGroupAddInWorker(Rule):
    """What it does:
    Finds a wait group's `add()`/`Add()` that is the first act of the worker it
    counts: the function passed as `target=` to `threading.Thread`/`Timer` or
    `multiprocessing.Process`, to `executor.submit()`, `loop.run_in_executor()`,
    `_thread.start_new_thread()`, or whose coroutine is given to
    `asyncio.create_task()`/`ensure_future()`/`loop.create_task()`/`TaskGroup.create_task()`
    (also through `functools.partial`). Wait groups are recognised as for HB401.
    Only a worker defined in the same module is checked; an `add()` later in the
    worker (registering sub-work it starts itself) is not reported.

    Why is this bad?
    The starter goes on to `wait()` at once; if the worker has not yet run its first
    line, the count is still zero and `wait()` returns before the work is done (Go:
    `wg.Add(1)` inside the goroutine).

    Example:
    ```python
    def fetch(wg, url, out):
        wg.add(1)
        try:
            out.append(download(url))
        finally:
            wg.done()

    for url in urls:
        threading.Thread(target=fetch, args=(wg, url, out)).start()
    wg.wait()
    ```

    Use instead:
    ```python
    for url in urls:
        wg.add(1)
        threading.Thread(target=fetch, args=(wg, url, out)).start()
    wg.wait()
    ```

    Options:
    `wait-group-classes`: more classes whose instances are wait groups.
    """

    code = "HB404"
    needs = (Primitives,)
    runtime = Signature()  # a race that lets wait() return early: nothing hangs to observe
    name = "wait-group-add-in-worker"
    message = (
        "{call}() runs inside the worker it counts: wait() can return before {where} registers; "
        "call add() before starting the worker"
    )
    scope = ANYWHERE
    gate = WAIT_GROUP_GATE
    gate_pairs = WAIT_GROUP_GATE_PAIRS

    def finish(self, facts: Facts) -> None:
        primitives = facts[Primitives]
        adds = {id(use.call): use for use in primitives.uses("add", "Add")}
        if not adds:
            return
        seen: Set[int] = set()
        for spawn in primitives.c.spawns:
            if spawn.name in ("Thread", "Timer", "Process"):
                if self.ctx.callee(spawn.call, spawn.scope) not in _SPAWN_CLASSES:
                    continue
            worker = primitives.worker_of(spawn)
            if worker is None or id(worker) in seen:
                continue
            seen.add(id(worker))
            call = _first_call(worker.node)
            use: Optional[Use] = adds.get(id(call)) if call is not None else None
            if use is not None and primitives.is_wait_group(use):
                self.report(use.call, worker, call=call_text(use.call))
