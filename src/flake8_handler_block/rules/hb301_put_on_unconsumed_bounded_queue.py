from __future__ import annotations

from ..facts import Facts
from ..calls import argument, call_text, does_not_block, forwards_unknown_kwargs, has_star, is_none
from ..primitives import Primitives, Use
from ..rule import ANYWHERE, Rule
from ..signature import Signature


def blocks_forever(use: Use) -> bool:
    """``put(item)`` that waits without limit for room (no timeout, blocking)."""
    call = use.call
    if use.method != "put" or use.guarded:
        return False
    if has_star(call) or forwards_unknown_kwargs(call):
        return False
    if does_not_block(call, 1):
        return False
    timeout = argument(call, "timeout", 2)
    return timeout is None or is_none(timeout)


class PutOnUnconsumedBoundedQueue(Rule):
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
    `.q` attribute is used in the module (we cannot tell which object it is), and
    when its class derives from a class of another module (other than `object`, `ABC`,
    `Generic`, `Protocol`), whose methods may drain it (litellm's spend-update queues,
    drained by their base class), and when its class declares `@abstractmethod`s: the
    subclasses it asks for, often in modules of their own, may drain it (a transport's
    message loop).

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
    needs = (Primitives,)
    runtime = Signature(states=frozenset({"queue put: full"}))
    name = "put-on-unconsumed-bounded-queue"
    message = (
        "{call}() on a bounded queue that nothing in this module consumes: {where} blocks forever "
        "once it is full; start a consumer, or put(timeout=...) and handle queue.Full"
    )
    scope = ANYWHERE
    gate = ('Queue',)

    def finish(self, facts: Facts) -> None:
        for queue in facts[Primitives].queues.values():
            if not queue.bounded or queue.consumed or queue.escaped:
                continue
            for use in queue.puts:
                if blocks_forever(use):
                    self.report(use.call, use.function, call=call_text(use.call))
