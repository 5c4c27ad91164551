from __future__ import annotations

from ..facts import Facts
from ..calls import call_text
from ..primitives import Primitives
from ..rule import ANYWHERE, Rule
from ..signature import Signature


class PutOnUnconsumedUnboundedQueue(Rule):
    """What it does:
    Finds `put()` and `put_nowait()` on an unbounded queue (no `maxsize`, a literal
    `maxsize` of 0 or less, `SimpleQueue`) that nothing in the module consumes and that
    never escapes. Queues, consumption and escape are recognised as for HB301: a
    `get()`/`get_nowait()` or iteration anywhere in the module consumes it; passing it
    to a call, returning, yielding, aliasing or storing it elsewhere lets it escape, and
    a `self.q` of a class that declares `@abstractmethod`s escapes to the subclasses
    it asks for, as one of a class deriving from a class of another module escapes to
    that base's methods.
    `put_nowait()` is reported too: on an unbounded queue it grows the queue exactly
    like `put()`.

    Why is this bad?
    Every request adds an item that nobody removes: memory grows for the life of the
    process, and a `join()` on the queue can never return.

    Example:
    ```python
    EVENTS = queue.Queue()

    @app.post("/track")
    def track():
        EVENTS.put(request.json)
        return "", 204
    ```

    Use instead:
    ```python
    EVENTS = queue.Queue(maxsize=10_000)

    def shipper():
        while True:
            ship(EVENTS.get())

    threading.Thread(target=shipper, daemon=True).start()
    ```
    """

    code = "HB302"
    needs = (Primitives,)
    runtime = Signature()  # an unconsumed unbounded queue only grows: nothing hangs to observe
    name = "put-on-unconsumed-unbounded-queue"
    message = (
        "{call}() on an unbounded queue that nothing in this module consumes: it grows with every "
        "call from {where}{joined}; consume it or hand it to a consumer"
    )
    scope = ANYWHERE
    gate = ('Queue',)

    def finish(self, facts: Facts) -> None:
        for queue in facts[Primitives].queues.values():
            if queue.bounded or queue.consumed or queue.escaped:
                continue
            # Only a queue the module joins has a join() that waits: say so then.
            joined = " and its join() never returns" if queue.joins else ""
            for use in queue.puts:
                self.report(use.call, use.function, call=call_text(use.call), joined=joined)
