from __future__ import annotations

from typing import Dict, Optional

import libcst as cst

from ..fix.fixers import fix_timeout
from .. import catalog
from ..catalog import Api
from ..facts import Facts
from ..calls import MISSING, NONE, PRESENT, argument_state, call_text, does_not_block
from ..names import Inst, Ref
from ..rule import Rule
from ..scopes import CallSite, finished_future
from ..signature import SYNC_WAITS, Signature


WAITS: Dict[str, Api] = catalog.family(catalog.SYNC_WAIT)


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
    calls = catalog.last_names(WAITS)
    fixer = fix_timeout  # `flake8-handler-block fix`: see docs/fix.md

    def check_call(self, site: CallSite, facts: Facts) -> None:
        call = site.node
        api = self._wait(site)
        if api is None or api.timeout is None:
            return
        if api.blocking is not None and does_not_block(call, api.blocking.block_index):
            return
        if api.blocking is not None and api.blocking.instead == catalog.FUTURE_INSTEAD and finished_future(site):
            return  # `if fut.done(): fut.result()` does not wait
        if argument_state(call, "timeout", api.timeout.index) in (MISSING, NONE):
            self.report(call, site.function, call=call_text(call), outcome=api.until)

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
