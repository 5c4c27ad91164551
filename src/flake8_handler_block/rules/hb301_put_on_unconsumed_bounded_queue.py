from __future__ import annotations

from ..calls import call_text, forwards_unknown_kwargs, has_star, is_false, is_none, keyword, positional
from ..primitives import PrimitiveRule, Use
from ..rule import ANYWHERE
from ..signature import Signature


def blocks_forever(use: Use) -> bool:
    """``put(item)`` that waits without limit for room (no timeout, blocking)."""
    call = use.call
    if use.method != "put" or use.guarded:
        return False
    if has_star(call) or forwards_unknown_kwargs(call):
        return False
    values = positional(call)
    block = keyword(call, "block")
    if block is None and len(values) > 1:
        block = values[1]
    if is_false(block):
        return False
    timeout = keyword(call, "timeout")
    if timeout is None and len(values) > 2:
        timeout = values[2]
    return timeout is None or is_none(timeout)


class PutOnUnconsumedBoundedQueue(PrimitiveRule):
    """What it does:
    Finds a blocking `put()` on a bounded queue (`maxsize` > 0, or a `maxsize` that is
    not a literal) that nothing in the module consumes and that never escapes:
    `queue.Queue/LifoQueue/PriorityQueue`, `asyncio.Queue/LifoQueue/PriorityQueue`,
    `multiprocessing.Queue/JoinableQueue`, created as a module global, a local, or a
    `self.` attribute. The module consumes a queue when it calls `get()` or
    `get_nowait()` on it or iterates over it anywhere (a worker defined below the
    producer counts). The queue escapes when it is passed to any call other than its
    own methods (`Thread(target=worker, args=(q,))`, `executor.submit(f, q)`), returned,
    yielded, aliased, stored elsewhere, or one of its bound methods is handed out
    (`callback=q.get`); then a consumer may live elsewhere and nothing is reported.

    Not reported: `put(x, timeout=...)`, `put(x, False)`, `block=False`,
    `put_nowait()`, a `put()` wrapped in `asyncio.wait_for()` or under
    `async with asyncio.timeout()`, and calls forwarding `*args`/`**kwargs`.
    A `self.q` queue also counts as consumed or escaped when any other object's
    `.q` attribute is used in the module (we cannot tell which object it is).

    Why is this bad?
    Nobody takes items out, so the queue fills up; from then on every `put()` waits
    forever and each request that reaches it hangs (Go: a send on a channel nobody
    receives from).

    Example:
    ```python
    AUDIT = queue.Queue(maxsize=1000)

    @app.post("/orders")
    def create_order():
        AUDIT.put(request.json)
        return "", 202
    ```

    Use instead:
    ```python
    AUDIT = queue.Queue(maxsize=1000)

    def audit_writer():
        while True:
            write(AUDIT.get())

    threading.Thread(target=audit_writer, daemon=True).start()

    @app.post("/orders")
    def create_order():
        try:
            AUDIT.put(request.json, timeout=0.5)
        except queue.Full:
            abort(503)
        return "", 202
    ```
    """

    code = "HB301"
    runtime = Signature(states=frozenset({"queue put: full"}))
    name = "put-on-unconsumed-bounded-queue"
    message = (
        "{call}() on a bounded queue that nothing in this module consumes: {where} blocks forever "
        "once it is full; start a consumer, or put(timeout=...) and handle queue.Full"
    )
    scope = ANYWHERE
    gate = ('Queue',)

    def finish(self) -> None:
        for queue in self.facts.queues.values():
            if not queue.bounded or queue.consumed or queue.escaped:
                continue
            for use in queue.puts:
                if blocks_forever(use):
                    self.report(use.call, use.function, call=call_text(use.call))
