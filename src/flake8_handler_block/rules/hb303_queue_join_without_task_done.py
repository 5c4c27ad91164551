from __future__ import annotations

from ..facts import Facts
from ..calls import call_text
from ..catalog import JOINABLE_QUEUE_KINDS
from ..primitives import Primitives
from ..rule import ANYWHERE, Rule
from ..signature import Signature


class QueueJoinWithoutTaskDone(Rule):
    """What it does:
    Finds `join()` on a queue (`queue.Queue/LifoQueue/PriorityQueue`,
    `asyncio.Queue/LifoQueue/PriorityQueue`, `multiprocessing.JoinableQueue`) when
    items are put on it, nothing in the module ever calls `task_done()` on it, and
    the queue never escapes (passed to a call, returned, aliased, stored elsewhere).
    A queue nobody puts into is not reported (its `join()` returns at once), nor a
    `join()` wrapped in `asyncio.wait_for()` or under `async with asyncio.timeout()`.

    Why is this bad?
    `join()` returns when every item put has been marked done with `task_done()`.
    With no `task_done()` the count never reaches zero and `join()` blocks forever
    (Go: `wg.Wait()` with no `Done()`).

    Example:
    ```python
    JOBS = queue.Queue()

    def worker():
        while True:
            handle(JOBS.get())

    def run_batch(items):
        for item in items:
            JOBS.put(item)
        JOBS.join()
    ```

    Use instead:
    ```python
    def worker():
        while True:
            item = JOBS.get()
            try:
                handle(item)
            finally:
                JOBS.task_done()
    ```
    """

    code = "HB303"
    needs = (Primitives,)
    runtime = Signature(states=frozenset({"queue join"}))
    name = "queue-join-without-task-done"
    message = (
        "{call}() waits for task_done() calls that nothing in this module makes: {where} blocks "
        "forever; call task_done() (in finally) after each get()"
    )
    scope = ANYWHERE
    gate = ('Queue',)

    def finish(self, facts: Facts) -> None:
        for queue in facts[Primitives].queues.values():
            if queue.kind not in JOINABLE_QUEUE_KINDS or queue.task_done or queue.escaped or not queue.puts:
                continue
            for use in queue.joins:
                if not use.guarded and not use.call.args:
                    self.report(use.call, use.function, call=call_text(use.call))
