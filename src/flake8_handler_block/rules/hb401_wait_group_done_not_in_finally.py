from __future__ import annotations

from ..fix.blocks import fix_hb401
from ..facts import Facts
from ..calls import call_text
from ..primitives import WAIT_GROUP_GATE, WAIT_GROUP_GATE_PAIRS, Primitives, in_except, in_exit_method, unprotected
from ..rule import ANYWHERE, Rule
from ..scopes import in_finally
from ..signature import Signature


class WaitGroupDoneNotInFinally(Rule):
    """What it does:
    Finds a WaitGroup-style `done()`/`Done()` that is not in a `finally` block when
    code that can raise runs before it in the same function. The receiver is a wait
    group when it was built by a class whose name ends in `WaitGroup` (or is listed in
    `wait-group-classes`), or when `add`, `done` and `wait` are all called on that
    name somewhere in the module.

    Not reported: `done()` in `finally`, in an `except` block (the error path is
    handled), in a lambda or `add_done_callback` callback, in `__exit__`/`__aexit__`
    (a `with` block's context manager), or handed to `ExitStack.callback(wg.done)`
    (not a call); and a `done()` before which nothing can raise (only assignments of
    names and constants, logging, calls on the wait group itself, or a `try` whose
    broad `except` swallows everything). A receiver whose kind is known and is not a
    wait group (a future's `done()`, a set's `add()`) is never reported.

    Why is this bad?
    If the work before `done()` raises, `done()` never runs and every `wait()` on the
    group blocks forever (Go: `wg.Done()` that is not deferred).

    Example:
    ```python
    def index_page(wg, page):
        index(page)
        wg.done()
    ```

    Use instead:
    ```python
    def index_page(wg, page):
        try:
            index(page)
        finally:
            wg.done()
    ```

    Options:
    `wait-group-classes`: more classes whose instances are wait groups (dotted names,
    or bare names matched on the last component).
    """

    code = "HB401"
    needs = (Primitives,)
    runtime = Signature(consequence=frozenset({"event wait", "condition wait"}))
    name = "wait-group-done-not-in-finally"
    message = (
        "{call}() is not in a finally: if {where} raises before it, wait() blocks forever; "
        "call it in finally (or register it with ExitStack.callback)"
    )
    scope = ANYWHERE
    gate = WAIT_GROUP_GATE
    gate_pairs = WAIT_GROUP_GATE_PAIRS
    fixer = fix_hb401  # `flake8-handler-block fix`: see docs/fix.md

    def finish(self, facts: Facts) -> None:
        primitives = facts[Primitives]
        for use in primitives.uses("done", "Done"):
            if use.in_lambda or in_finally(use.block) or in_except(use.block) or in_exit_method(use):
                continue
            if not primitives.is_wait_group(use):
                continue
            if unprotected(use, facts.tree):
                self.report(use.call, use.function, call=call_text(use.call))
