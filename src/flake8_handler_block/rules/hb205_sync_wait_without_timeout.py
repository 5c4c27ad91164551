from __future__ import annotations

from typing import NamedTuple, Optional

from ..calls import MISSING, NONE, PRESENT, argument_state, call_text, is_false, keyword, positional
from ..names import Inst
from ..rule import Rule
from ..scopes import CallSite, finished_future
from ..signature import SYNC_WAITS, Signature


class Wait(NamedTuple):
    timeout_index: Optional[int]  # positional index of the timeout (None: keyword only)
    outcome: str  # what never happening leaves the handler blocked
    block_index: Optional[int] = None  # `block`/`blocking` flag position, when the call has one


_QUEUE_GET = Wait(1, "no item ever arrives", block_index=0)
_FUTURE = {"result": Wait(0, "the work never finishes"), "exception": Wait(0, "the work never finishes")}
_ASYNC_RESULT = {"get": Wait(0, "the pool task never finishes"), "wait": Wait(0, "the pool task never finishes")}

# receiver kind (its producer) -> method -> how it waits
WAITS = {
    "threading.Event": {"wait": Wait(0, "the event is never set")},
    "threading.Condition": {
        "wait": Wait(0, "nobody ever notifies"),
        "wait_for": Wait(1, "the predicate never becomes true"),
    },
    "threading.Thread": {"join": Wait(0, "the thread never finishes")},
    "threading.Barrier": {"wait": Wait(0, "the other parties never arrive")},
    "multiprocessing.Process": {"join": Wait(0, "the process never exits")},
    "concurrent.futures.Future": _FUTURE,
    "concurrent.futures.ThreadPoolExecutor.submit": _FUTURE,
    "concurrent.futures.ProcessPoolExecutor.submit": _FUTURE,
    "asyncio.run_coroutine_threadsafe": _FUTURE,
    **{
        f"queue.{cls}": {"get": _QUEUE_GET}
        for cls in ("Queue", "LifoQueue", "PriorityQueue", "SimpleQueue")
    },
    **{f"multiprocessing.{cls}": {"get": _QUEUE_GET} for cls in ("Queue", "JoinableQueue")},
    **{
        f"multiprocessing.{pool}.{method}": _ASYNC_RESULT
        for pool in ("Pool", "pool.Pool", "pool.ThreadPool")
        for method in ("apply_async", "map_async", "starmap_async")
    },
}
# Module functions that wait on futures: callee -> timeout position.
FUNCTION_WAITS = {
    "concurrent.futures.wait": Wait(1, "a future never finishes"),
    "concurrent.futures.as_completed": Wait(1, "a future never finishes"),
}


class SyncWaitWithoutTimeout(Rule):
    """What it does:
    Finds synchronisation waits without a timeout in request handlers, on receivers
    known from their constructor: `threading.Event.wait()`, `Condition.wait()` and
    `wait_for()`, `Thread.join()`, `Barrier.wait()` (unless the barrier was built with
    `timeout=`), `queue.Queue/LifoQueue/PriorityQueue/SimpleQueue.get()` and
    `multiprocessing.Queue/JoinableQueue.get()` (blocking), futures'
    `result()`/`exception()` (from `Future()`, `executor.submit()` or
    `asyncio.run_coroutine_threadsafe()`), `concurrent.futures.wait()` and
    `as_completed()`, multiprocessing `AsyncResult.get()` and `Process.join()`.
    Positional timeouts count (`ev.wait(5)`, `q.get(True, 2)`); `block=False` or
    `q.get(False)` does not block. Lock and semaphore acquisition is not this rule
    (`with lock:` is the idiom; a lock never released is HB403). A receiver whose
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
    gate = ('threading', 'queue', 'multiprocessing', 'concurrent.futures', 'run_coroutine_threadsafe')
    calls = frozenset({"wait", "wait_for", "join", "get", "result", "exception", "as_completed"})
    fixable = True  # waits that raise on expiry; see docs/fix.md

    def check_call(self, site: CallSite) -> None:
        call = site.node
        wait = self._wait(site)
        if wait is None:
            return
        if wait.block_index is not None and self._non_blocking(call, wait.block_index):
            return
        if wait in _FUTURE.values() and finished_future(site):
            return  # `if fut.done(): fut.result()` does not wait
        if argument_state(call, "timeout", wait.timeout_index) in (MISSING, NONE):
            self.report(call, site.function, call=call_text(call), outcome=wait.outcome)

    def _wait(self, site: CallSite) -> Optional[Wait]:
        call = site.node
        target = self.ctx.callee(call, site.scope)
        if target in FUNCTION_WAITS:
            return FUNCTION_WAITS[target]
        if target is None or not hasattr(call.func, "value"):
            return None
        receiver = self.ctx.resolve(call.func.value, site.scope)
        if not isinstance(receiver, Inst):
            return None
        wait = WAITS.get(receiver.producer, {}).get(call.func.attr.value)
        if wait is not None and receiver.producer == "threading.Barrier" and receiver.call is not None:
            if argument_state(receiver.call, "timeout", 2) == PRESENT:
                return None  # Barrier(n, timeout=...) is the default for wait()
        return wait

    @staticmethod
    def _non_blocking(call, index: int) -> bool:
        flag = keyword(call, "block")
        if flag is None:
            flag = keyword(call, "blocking")
        values = positional(call)
        if flag is None and len(values) > index:
            flag = values[index]
        return is_false(flag)
