from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from typing import Dict, List, Optional, Tuple

import libcst as cst

from ..fix.blocks import fix_hb403
from ..facts import Facts
from ..calls import argument, call_text, does_not_block
from ..primitives import Primitives, QuietCalls, Use, in_except, unprotected, var_key
from ..rule import ANYWHERE, Rule
from ..scopes import in_finally
from ..signature import Signature


class AcquireWithoutFinallyRelease(Rule):
    """What it does:
    Finds an explicit `acquire()` on a lock or semaphore known from its constructor
    (`threading`/`multiprocessing` `Lock`, `RLock`, `Semaphore`, `BoundedSemaphore`,
    `Condition`; `asyncio` `Lock`, `Semaphore`, `BoundedSemaphore`, `Condition` with
    `await lock.acquire()`) whose `release()` in the same function is not in a
    `finally` block while code that can raise runs between the two; and an
    `acquire()` followed by code that can raise before the `try:` whose `finally`
    releases it (that code is not protected by the `finally`). The message says what
    a lock left held does to the next `acquire()`: a blocking one deadlocks, one with a
    timeout times out, a non-blocking one (`acquire(False)`, `blocking=False`) fails,
    so the work it guards is skipped from then on.

    Not reported: a `release()` in `finally` right after the `acquire()` (or in an
    `except` block that handles the error path); a lock created in the same function
    call (a local: no other call can share it); an `acquire()` whose `release()` lives
    in another function (an `__enter__`/`__exit__` pair, a callback: we cannot see
    the protocol); a region where nothing can raise (assignments of names and
    constants, logging, a call of a function of the module whose whole body is under
    `try`/`except Exception`); receivers of unknown kind.

    Why is this bad?
    An exception between `acquire()` and `release()` leaves the lock held for good:
    the next caller that needs it deadlocks (or times out, or silently skips its
    work), and so does every one after it.

    Example:
    ```python
    CACHE_LOCK = threading.Lock()

    @app.post("/cache/refresh")
    def refresh():
        CACHE_LOCK.acquire()
        CACHE.update(load_all())
        CACHE_LOCK.release()
        return "", 204
    ```

    Use instead:
    ```python
    @app.post("/cache/refresh")
    def refresh():
        with CACHE_LOCK:
            CACHE.update(load_all())
        return "", 204
    ```
    """

    code = "HB403"
    needs = (Primitives,)
    runtime = Signature(states=frozenset({"lock acquire", "semaphore acquire"}))
    name = "acquire-without-finally-release"
    message = "{call}() {problem}: an exception in {where} {consequence}; {fix}"
    scope = ANYWHERE
    gate = ('acquire(',)
    fixer = fix_hb403  # `flake8-handler-block fix`: see docs/fix.md

    def finish(self, facts: Facts) -> None:
        primitives = facts[Primitives]
        releases: Dict[Tuple[int, str], List[Use]] = defaultdict(list)
        for use in primitives.uses("release"):
            releases[(id(use.function), use.text)].append(use)
        quiet = QuietCalls()
        for use in primitives.uses("acquire"):
            if not use.text or use.in_lambda:
                continue
            paired = releases.get((id(use.function), use.text))
            if not paired:
                continue
            kind = primitives.lock_kind(use)
            if kind is None or _created_here(use):
                continue
            if any(in_except(r.block) or r.in_lambda for r in paired):
                continue
            idiom = f"async with {use.text}:" if kind.startswith("asyncio.") else f"with {use.text}:"
            late = [_up_to_try(r) for r in paired if in_finally(r.block)]
            if late:
                if any(r is not None and unprotected(r, facts.tree, [use], quiet.at(use.scope)) for r in late):
                    self.report(
                        use.call, use.function, call=call_text(use.call),
                        problem="is followed by code that can raise before the try whose finally releases it",
                        consequence=_consequence(use.call, kind),
                        fix=f"call acquire() right before `try:` or use '{idiom}'",
                    )
                continue
            if any(unprotected(r, facts.tree, [use], quiet.at(use.scope)) for r in paired):
                self.report(
                    use.call, use.function, call=call_text(use.call), problem="is released outside a finally",
                    consequence=_consequence(use.call, kind), fix=f"use '{idiom}'",
                )


def _consequence(call: cst.Call, kind: str) -> str:
    """What a lock left held does to the next acquire(), as this call is written."""
    if not kind.startswith("asyncio.") and does_not_block(call, 0):
        return "leaves it held: every later non-blocking acquire() fails and the work is skipped from then on"
    if argument(call, "timeout", None if kind.startswith("asyncio.") else 1) is not None:
        return "leaves it held: every later acquire() waits out its timeout and fails"
    return "leaves it held and the next acquire() deadlocks"


def _created_here(use: Use) -> bool:
    """A lock bound to a local of the function that acquires it: no other call can share it."""
    key = var_key(use.receiver, use.scope)
    return key is not None and use.function is not None and key[0] is use.function


def _up_to_try(release: Use) -> Optional[Use]:
    """``release`` seen from the ``try`` whose ``finally`` holds it (what runs before that try counts)."""
    stmts = release.stmts
    for index in range(len(stmts) - 2, -1, -1):
        node = stmts[index]
        if isinstance(node, (cst.Try, cst.TryStar)) and node.finalbody is not None:
            if any(inner is stmts[index + 1] for inner in node.finalbody.body.body):
                return replace(release, stmts=stmts[: index + 1])
    return None
