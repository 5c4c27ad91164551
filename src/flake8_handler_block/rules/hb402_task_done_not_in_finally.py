from __future__ import annotations

from collections import defaultdict
from typing import Dict, List, Tuple

import libcst as cst

from ..fix.blocks import fix_hb402
from ..facts import Facts
from ..calls import call_text
from ..primitives import (
    PrimitiveFacts, Primitives, QuietCalls, Use, cancellation_only, in_except, in_exit_method, unprotected, var_key,
)
from ..rule import ANYWHERE, Rule
from ..scopes import in_finally
from ..signature import Signature


class TaskDoneNotInFinally(Rule):
    """What it does:
    Finds `task_done()` outside a `finally` block in a function that took the item
    with `get()`/`get_nowait()` on the same receiver, when code that can raise runs
    between the `get()` and the `task_done()`. The receiver may be a parameter (a
    worker is usually handed its queue); a receiver whose kind is known and is not a
    queue is skipped. Reported only when something in the module `join()`s the queue
    (as HB303 asks): a queue of the module that is joined, or, for a queue handed in,
    a `join()` on the same name or a joined queue of the module that escapes.

    Not reported: a queue nothing joins (a skipped `task_done()` blocks nobody), or
    that is only joined under a deadline (`await asyncio.wait_for(q.join(), 30)`,
    inside `async with asyncio.timeout(...)`: the join ends anyway, as for HB303);
    `task_done()` in `finally` or in an `except` block; one before which nothing can
    raise since the `get()` (a sentinel check such as
    `if item is None: q.task_done(); break`, assignments, logging, a call of a function
    of the module whose whole body is under `try`/`except Exception`, or a plain
    function of the module in which nothing can raise, `count % EVERY`
    with `EVERY = 100`, an `await` that only a cancellation interrupts:
    `asyncio.sleep()`, `put()`/`get()` of an asyncio queue, `wait()` of an asyncio
    event); a worker is cancelled to stop it, once `join()` has returned, as in the
    asyncio documentation's worker example, so a `task_done()` that only a
    cancellation skips blocks nobody); one after a
    `try` whose broad `except Exception:` swallows the processing error, and one
    inside such a `try` that the statement right after it backs up (`try: ...;
    q.task_done(); continue` / `except Exception: log(...)` / `q.task_done()`: an error
    before the first ends in the second, unless a handler leaves with `return`,
    `continue` or `break`); a function with no `get()` on that receiver (we cannot
    see where the item came from). The same holds for HB401's `done()` and HB403's
    `release()`.

    Why is this bad?
    If processing the item raises, `task_done()` is skipped, the queue's count of
    unfinished tasks never reaches zero and `join()` never returns.

    Example:
    ```python
    def worker(jobs):
        while True:
            job = jobs.get()
            run(job)
            jobs.task_done()
    ```

    Use instead:
    ```python
    def worker(jobs):
        while True:
            job = jobs.get()
            try:
                run(job)
            finally:
                jobs.task_done()
    ```
    """

    code = "HB402"
    needs = (Primitives,)
    runtime = Signature(consequence=frozenset({"queue join"}))
    name = "task-done-not-in-finally"
    message = (
        "{call}() is not in a finally: if processing the item raises in {where}, join() never "
        "returns; call task_done() in finally"
    )
    scope = ANYWHERE
    gate = ('task_done',)
    fixer = fix_hb402  # `flake8-handler-block fix`: see docs/fix.md

    def finish(self, facts: Facts) -> None:
        primitives = facts[Primitives]
        gets: Dict[Tuple[int, str], List[Use]] = defaultdict(list)
        for use in primitives.uses("get", "get_nowait"):
            gets[(id(use.function), use.text)].append(use)
        quiet = QuietCalls()
        for use in primitives.uses("task_done"):
            starts = gets.get((id(use.function), use.text))
            if not starts or not use.text:
                continue
            if use.in_lambda or in_finally(use.block) or in_except(use.block) or in_exit_method(use):
                continue
            if primitives.known_non_queue(use) or not _joined(primitives, use):
                continue
            quiet_here = quiet.at(use.scope)
            scope = use.scope
            if unprotected(use, facts.tree, starts, lambda node: quiet_here(node) or cancellation_only(node, scope)):
                self.report(use.call, use.function, call=call_text(use.call))


def _joined(primitives: PrimitiveFacts, use: Use) -> bool:
    """Whether something in the module may be waiting in ``join()`` for this queue with no deadline.

    A queue created in the module: a ``join()`` on it. A queue handed in (a worker's
    parameter): a ``join()`` on a name written the same way, or on a queue of the
    module that escapes (it may be the one handed to this worker).
    """
    key = var_key(use.receiver, use.scope)
    if key in primitives.queues:
        return any(not join.guarded for join in primitives.queues[key].joins)
    function = use.function
    receiver = use.receiver
    handed_in = isinstance(receiver, cst.Name) and function is not None and receiver.value in function.param_names
    if handed_in and any(q.escaped and any(not j.guarded for j in q.joins) for q in primitives.queues.values()):
        return True
    return any(
        join.text == use.text and not join.call.args and not join.guarded and not primitives.known_non_queue(join)
        and (not isinstance(use.receiver, cst.Attribute) or var_key(join.receiver, join.scope) == key)  # same class
        for join in primitives.uses("join")
    )
