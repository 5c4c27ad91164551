from __future__ import annotations

from collections import defaultdict
from typing import Dict, List, Tuple

from ..fix.blocks import fix_hb403
from ..facts import Facts
from ..calls import call_text
from ..primitives import Primitives, Use, in_except, unprotected
from ..rule import ANYWHERE, Rule
from ..scopes import in_finally
from ..signature import Signature


class AcquireWithoutFinallyRelease(Rule):
    """What it does:
    Finds an explicit `acquire()` on a lock or semaphore known from its constructor
    (`threading`/`multiprocessing` `Lock`, `RLock`, `Semaphore`, `BoundedSemaphore`,
    `Condition`; `asyncio` `Lock`, `Semaphore`, `BoundedSemaphore`, `Condition` with
    `await lock.acquire()`) whose `release()` in the same function is not in a
    `finally` block while code that can raise runs between the two.

    Not reported: a `release()` in `finally` (or in an `except` block that handles
    the error path); an `acquire()` whose `release()` lives in another function (an
    `__enter__`/`__exit__` pair, a callback: we cannot see the protocol); a region
    where nothing can raise (assignments of names and constants, logging); receivers
    of unknown kind.

    Why is this bad?
    An exception between `acquire()` and `release()` leaves the lock held for good:
    the next request that needs it deadlocks, and so does every one after it.

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
    message = (
        "{call}() is released outside a finally: an exception in {where} leaks the lock and the "
        "next request deadlocks; use '{idiom}'"
    )
    scope = ANYWHERE
    gate = ('acquire(',)
    fixer = fix_hb403  # `flake8-handler-block fix`: see docs/fix.md

    def finish(self, facts: Facts) -> None:
        primitives = facts[Primitives]
        releases: Dict[Tuple[int, str], List[Use]] = defaultdict(list)
        for use in primitives.uses("release"):
            releases[(id(use.function), use.text)].append(use)
        for use in primitives.uses("acquire"):
            if not use.text or use.in_lambda:
                continue
            paired = releases.get((id(use.function), use.text))
            if not paired:
                continue
            kind = primitives.lock_kind(use)
            if kind is None:
                continue
            if any(in_finally(r.block) or in_except(r.block) or r.in_lambda for r in paired):
                continue
            if any(unprotected(r, facts.tree, [use]) for r in paired):
                idiom = f"async with {use.text}:" if kind.startswith("asyncio.") else f"with {use.text}:"
                self.report(use.call, use.function, call=call_text(use.call), idiom=idiom)
