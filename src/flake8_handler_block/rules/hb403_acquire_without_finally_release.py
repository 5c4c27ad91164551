from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from typing import Dict, List, Optional, Sequence, Tuple

import libcst as cst

from ..fix.blocks import fix_hb403
from ..facts import Facts
from ..calls import argument, call_text, does_not_block, is_minus_one, is_none
from ..names import dotted_name
from ..primitives import PrimitiveFacts, Primitives, QuietCalls, Use, in_broad_except, unprotected, var_key
from ..rule import ANYWHERE, Rule
from ..scopes import Scope, in_finally
from ..signature import Signature
from ..walk import children, iter_nodes

LockKey = Tuple[object, str]


class AcquireWithoutFinallyRelease(Rule):
    """What it does:
    Finds an explicit `acquire()` on a lock or semaphore known from its constructor
    (`threading`/`multiprocessing` `Lock`, `RLock`, `Semaphore`, `BoundedSemaphore`,
    `Condition`; `asyncio` `Lock`, `Semaphore`, `BoundedSemaphore`, `Condition` with
    `await lock.acquire()`) whose `release()` in the same function is not in a
    `finally` block while code that can raise runs between the two; and an
    `acquire()` followed by code that can raise before the `try:` whose `finally`
    releases it (that code is not protected by the `finally`). A `return` there
    counts too (`if not key: return 400` between the two leaves the lock held), unless
    its block releases the lock before it (`lock.release(); return None`). What runs when a
    timed acquire took nothing (`admitted = slots.acquire(timeout=2)`, then `if not
    admitted: log(...); return 503`) holds nothing: it is not counted. Each `release()` is
    judged from the nearest `acquire()` of the same lock before it on its path: a
    function that takes and drops one lock several times is read region by region.

    A lock kept on an attribute of a module-level object (`worker.semaphore =
    asyncio.Semaphore(n)`, in any function of the module) has the kind it is given there.
    A helper of the module whose last statement acquires or releases a lock
    (`return worker.semaphore.acquire()`, `worker.semaphore.release()`) counts as that call
    where it is called: `await acquire_worker_semaphore()` ... `release_worker_semaphore()`.
    A helper that takes the lock as a parameter is not followed.

    A non-blocking `acquire()` (`acquire(False)`, `blocking=False`) is reported only
    when the same lock is also acquired blocking in the module (`with lock:` or a
    plain `acquire()`): a lock it leaves held makes later tries fail at once (the
    guarded work is skipped, nothing hangs), but it deadlocks every blocking acquire.
    The message names where. A timed `acquire(timeout=...)` is reported: a lock (or a
    semaphore's slot) it leaves held makes every later acquire wait out its timeout
    and fail, so the guarded work is lost for good.

    Not reported: a `release()` in `finally` right after the `acquire()` (or in an
    `except Exception:`, `except BaseException:` or bare `except:` block: the error path
    of every failure; an `except` of one kind, `except AccessDenied:`, leaves the lock
    held on every other error, as moin's upload view does); a lock created in the same function
    call (a local: no other call can share it); a lock only ever acquired with
    `blocking=False`; an `acquire()` whose `release()` lives
    in another function (an `__enter__`/`__exit__` pair, a callback: we cannot see
    the protocol); a region where nothing can raise (assignments of names and
    constants, logging, a call of a function of the module whose whole body is under
    `try`/`except Exception`, or of a plain function of the module, not a method a
    subclass may override, in which nothing can raise:
    `return unicodedata.normalize("NFD", key).casefold()`); receivers of unknown kind.

    Why is this bad?
    An exception (or an early `return`) between `acquire()` and `release()` leaves the lock held for good:
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
    message = "{call}() {problem}: {cause} in {where} {consequence}; {fix}"
    scope = ANYWHERE
    gate = ('acquire(',)
    fixer = fix_hb403  # `flake8-handler-block fix`: see docs/fix.md

    def finish(self, facts: Facts) -> None:
        primitives = facts[Primitives]
        releases: Dict[Tuple[int, str], List[Use]] = defaultdict(list)
        for use in primitives.uses("release"):
            releases[(id(use.function), use.text)].append(use)
        acquires: Dict[Tuple[int, str], List[Use]] = defaultdict(list)
        for use in primitives.uses("acquire"):
            acquires[(id(use.function), use.text)].append(use)
        quiet = QuietCalls()
        blocking: Optional[Dict[LockKey, str]] = None
        for use in primitives.uses("acquire"):
            if not use.text or use.in_lambda:
                continue
            paired = releases.get((id(use.function), use.text))
            if not paired:
                continue
            kind = primitives.lock_kind(use)
            if kind is None or _created_here(use):
                continue
            if any(in_broad_except(r.block) or r.in_lambda for r in paired):
                continue
            deadlocks = ""
            timed = False
            if _bounded(use.call, kind):
                if blocking is None:
                    blocking = _blocking_acquirers(facts, primitives, acquires)
                deadlocks = blocking.get(_lock_key(use.receiver, use.receiver_scope), "")
                timed = not does_not_block(use.call, 0)
                if not deadlocks and not timed:
                    continue  # only ever tried without waiting: a lock left held only skips the work
            same_lock = acquires[(id(use.function), use.text)]
            paired = [r for r in paired if _nearest_acquire(r, same_lock, facts.tree) is use]
            idiom = f"async with {use.text}:" if kind.startswith("asyncio.") else f"with {use.text}:"
            consequence = _consequence(deadlocks, timed)
            call, took = call_text(use.call), ""
            if use.via:  # `await acquire_worker_semaphore()`: name the lock the helper takes
                call, took = use.via, f"takes {use.text}, which "
            in_finally_blocks = [r for r in paired if in_finally(r.block)]
            if in_finally_blocks:
                late = [r for r in (_up_to_try(r) for r in in_finally_blocks) if r is not None]
                cause = _cause(late, use, facts.tree, quiet)
                if cause:
                    self.report(
                        use.call, use.function, call=call, cause=cause,
                        problem=f"{took}is followed by code that can {_VERBS[cause]} before the try whose finally "
                        "releases it",
                        consequence=consequence,
                        fix=f"call {use.via}() right before `try:`" if use.via
                        else f"call acquire() right before `try:` or use '{idiom}'",
                    )
                continue
            cause = _cause(paired, use, facts.tree, quiet)
            if cause:
                self.report(
                    use.call, use.function, call=call, problem=f"{took}is released outside a finally", cause=cause,
                    consequence=consequence, fix="release it in a finally" if use.via else f"use '{idiom}'",
                )


_EXCEPTION, _RETURN = "an exception", "a return"
_VERBS = {_EXCEPTION: "raise", _RETURN: "return"}


def _cause(releases: Sequence[Use], acquire: Use, tree: cst.Module, quiet: QuietCalls) -> str:
    """What leaves between ``acquire`` and one of ``releases`` without releasing: code that can raise
    (_EXCEPTION), else a ``return`` (_RETURN); '' for nothing."""
    here = quiet.at(acquire.scope)
    if any(unprotected(r, tree, [acquire], here) for r in releases):
        return _EXCEPTION
    if any(unprotected(r, tree, [acquire], here, returns_count=True) for r in releases):
        return _RETURN
    return ""


def _bounded(call: cst.Call, kind: str) -> bool:
    """A non-blocking or timed acquire: waiting for a lock left held ends (at once, or at the timeout)."""
    if kind.startswith("asyncio."):
        return False  # asyncio locks take neither a flag nor a timeout
    if does_not_block(call, 0):
        return True
    timeout = argument(call, "timeout", 1)
    return timeout is not None and not is_none(timeout) and not is_minus_one(timeout)


def _lock_key(expr: cst.BaseExpression, scope: Scope) -> LockKey:
    """Which lock ``expr`` denotes: its binding when known, else its text (``obj.lock``)."""
    key = var_key(expr, scope)
    return key if key is not None else (scope.module, dotted_name(expr) or "")


def _blocking_acquirers(
    facts: Facts, primitives: PrimitiveFacts, acquires: Dict[Tuple[int, str], List[Use]]
) -> Dict[LockKey, str]:
    """Each lock of the module acquired blocking somewhere (a plain ``acquire()``, a ``with
    lock:`` block), with the first function that does, in source order (``'refresh'``)."""
    explicit: Dict[int, List[LockKey]] = defaultdict(list)
    for uses in acquires.values():
        for use in uses:
            kind = primitives.lock_kind(use)
            if kind is not None and not _bounded(use.call, kind) and use.function is not None:
                explicit[id(use.function)].append(_lock_key(use.receiver, use.receiver_scope))
    found: Dict[LockKey, str] = {}
    for function in facts.module.functions:
        keys = list(explicit.get(id(function), ()))
        for node in iter_nodes(function.node.body, prune=(cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            if isinstance(node, cst.With):
                keys.extend(
                    _lock_key(item.item, function) for item in node.items
                    if isinstance(item.item, (cst.Name, cst.Attribute))
                )
        for key in keys:
            found.setdefault(key, function.qualname)
    return found


def _consequence(deadlocks: str, timed: bool = False) -> str:
    """What a lock left held does: the next acquire() deadlocks, the blocking one in
    ``deadlocks`` does, or (only timed acquires) every later one waits out its timeout and fails."""
    if deadlocks:
        return f"leaves it held and the blocking acquire in '{deadlocks}' deadlocks"
    if timed:
        return "leaves it held and every later acquire() waits out its timeout and fails"
    return "leaves it held and the next acquire() deadlocks"


def _nearest_acquire(release: Use, acquires: List[Use], module: cst.Module) -> Optional[Use]:
    """The ``acquire()`` that starts the region ``release`` ends: the last one before it on its path."""
    root: cst.CSTNode = release.function.node if release.function is not None else module
    best: Optional[Use] = None
    best_at: Tuple[int, float] = (-1, -1.0)
    for acquire in acquires:
        at = _position_before(root, acquire.stmts, release.stmts)
        if at is not None and at > best_at:
            best, best_at = acquire, at
    return best


def _position_before(
    root: cst.CSTNode, first: Tuple[cst.CSTNode, ...], second: Tuple[cst.CSTNode, ...]
) -> Optional[Tuple[int, float]]:
    """Where the statement path ``first`` precedes ``second`` on ``second``'s own path (both
    from the body of ``root``), as (depth, index in that suite): deeper and later is nearer.
    None when it does not."""
    depth = 0
    while depth < len(first) and depth < len(second) and first[depth] is second[depth]:
        depth += 1
    if depth == len(first) and depth < len(second):
        return (depth - 1, float("inf"))  # in the header of a statement that holds ``second``
    if depth >= len(first) or depth >= len(second):
        return None
    for suite in _suites(second[depth - 1] if depth else root):
        index = next((i for i, stmt in enumerate(suite) if stmt is first[depth]), None)
        if index is not None and any(stmt is second[depth] for stmt in suite[index + 1:]):
            return (depth, float(index))
    return None


def _suites(parent: cst.CSTNode) -> List[Sequence[cst.CSTNode]]:
    """The statement lists directly under ``parent``: its body, handlers, ``finally``, ``else``."""
    if isinstance(parent, cst.Module):
        return [parent.body]
    found: List[Sequence[cst.CSTNode]] = []
    for node in children(parent):
        if isinstance(node, (cst.IndentedBlock, cst.SimpleStatementSuite)):
            found.append(node.body)
        elif isinstance(node, (cst.ExceptHandler, cst.ExceptStarHandler, cst.Finally, cst.Else)):
            found.append(getattr(node.body, "body", ()))
        elif isinstance(node, cst.If):
            found.append((node,))  # elif
    return found


def _created_here(use: Use) -> bool:
    """A lock bound to a local of the function that acquires it: no other call can share it."""
    key = var_key(use.receiver, use.receiver_scope)
    function = use.receiver_scope.function
    return key is not None and function is not None and key[0] is function


def _up_to_try(release: Use) -> Optional[Use]:
    """``release`` seen from the ``try`` whose ``finally`` holds it (what runs before that try counts)."""
    stmts = release.stmts
    for index in range(len(stmts) - 2, -1, -1):
        node = stmts[index]
        if isinstance(node, (cst.Try, cst.TryStar)) and node.finalbody is not None:
            if any(inner is stmts[index + 1] for inner in node.finalbody.body.body):
                return replace(release, stmts=stmts[: index + 1])
    return None
