from __future__ import annotations

from collections import deque
from typing import Dict, List, NamedTuple, Optional, Set, Tuple

import libcst as cst

from .. import catalog
from ..calls import call_text, does_not_block, is_false, is_true, keyword, missing_timeout, positional
from ..facts import Facts
from ..once import guarded_to_run_once
from ..loops import has_way_out, runs_forever
from ..names import derives_from, dotted_name, last_name
from ..ownership import Ownership, Policy
from ..primitives import function_named
from ..reach import callees
from ..rule import Rule
from ..scopes import CallSite, ClassScope, FunctionScope, Scope
from ..signature import Signature
from ..walk import iter_nodes

POLICY = Policy(closers=frozenset({"join"}))
# The waits whose missing timeout is some rule's finding: a thread stuck in one never ends.
HANG_FAMILIES = frozenset({catalog.REQUESTS, catalog.STDLIB_NETWORK, catalog.SUBPROCESS, catalog.SYNC_WAIT})
HANGS: Dict[str, catalog.Api] = {
    callee: api for callee, api in catalog.APIS.items() if api.family in HANG_FAMILIES and api.timeout is not None
}
_NESTED = (cst.FunctionDef, cst.ClassDef, cst.Lambda)


class Hang(NamedTuple):
    """A call that can wait forever: where it is and why."""

    call: cst.Call
    function: FunctionScope
    problem: str  # "has no timeout", "passes timeout=None"


class Candidate(NamedTuple):
    creation: cst.Call  # the Thread(...) / start_new_thread(...) call
    function: FunctionScope  # where it is started
    target: Optional[FunctionScope]  # the function the thread runs, when it is this module's
    daemon: bool  # True when unknown: only a visible non-daemon thread counts as one


class ThreadNotJoined(Rule):
    """What it does:
    Finds threads started in a request handler, never joined there, that can hang or
    pile up: `threading.Thread(...).start()` (or a subclass of `threading.Thread`
    defined in the module), and `_thread.start_new_thread()`, whose target (a function
    of the module: `target=f`, `target=self.m`, `partial(f, ...)`, a subclass's `run()`,
    and what it calls in place) either
    - holds a wait with no timeout: a call that HB201, HB202, HB204 or HB205 would
      report (`requests.post(url)`, `ev.wait()`, `q.get()`, `subprocess.run(cmd)`, ...);
    - or is not a daemon and loops forever (`while True` with no `break`, `return`,
      `raise`, ...): every request leaves one more thread behind and the process
      cannot exit.
    The message names the call that blocks (or the loop).

    Not reported: a fire-and-forget thread whose target finishes on its own (the usual
    "send the mail in the background, log the error" thread); a target that is not
    a function of this module (we cannot see what it does); a thread that is joined
    (anywhere in the function), returned, stored on `self`/a global/a container
    (`threads.append(t)`), or passed to another call (someone else owns it; not a function of
    this module that only uses it, such as `t.start()`); a thread
    created but never started; `threading.Timer`; a thread whose target is
    `server.serve_forever` (the server's `shutdown()` ends it: that is HB503's business); a
    thread started by a function guarded to start its threads once (`if self._started:
    return`, then `self._started = True`: a fixed pool of workers started lazily, on the
    first request, not one more on each).

    Why is this bad?
    The request returns while the thread runs on. When that thread can wait forever
    (an upstream that never answers, an event nobody sets) or never leaves its loop,
    every request leaves one more thread behind: they pile up under load until
    memory or the thread limit runs out, and a non-daemon one keeps the process from
    exiting (Go: a goroutine leak).

    Example:
    ```python
    def notify(order_id):
        requests.post(HOOK_URL, json={"order": order_id})

    @app.post("/orders/<oid>/pay")
    def pay(oid):
        threading.Thread(target=notify, args=(oid,)).start()
        return redirect("/thanks")
    ```

    Use instead:
    ```python
    def notify(order_id):
        requests.post(HOOK_URL, json={"order": order_id}, timeout=10)

    @app.post("/orders/<oid>/pay")
    def pay(oid):
        NOTIFY_POOL.submit(notify, oid)  # an executor owned by the app
        return redirect("/thanks")
    ```
    """

    code = "HB501"
    needs = (Ownership,)
    runtime = Signature(leaks=frozenset({"thread"}))
    name = "thread-not-joined"
    message = (
        "{call}() thread is started and never joined, and its target {target}() {hazard}: "
        "{where} leaves one more thread behind on every call; {fix}"
    )
    gate = ('Thread', 'start_new_thread')
    calls = frozenset({"start", "start_new_thread"}) | catalog.last_names(HANGS)

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self.seen: Set[int] = set()
        self.candidates: List[Candidate] = []
        self.hangs: Dict[FunctionScope, List[Hang]] = {}

    def check_call(self, site: CallSite, facts: Facts) -> None:
        function = site.function
        if function is None:
            return
        if site.name in ("start", "start_new_thread"):
            self._start(site, facts)
        hang = self._hang(site)
        if hang is not None:
            self.hangs.setdefault(function, []).append(hang)

    # -- the threads ---------------------------------------------------------------

    def _start(self, site: CallSite, facts: Facts) -> None:
        flows = facts[Ownership]
        function = site.function
        assert function is not None
        if guarded_to_run_once(function.node):
            return  # `if self._started: return` then `self._started = True`: a fixed pool, started once
        call = site.node
        if site.name == "start_new_thread":
            if self.ctx.callee(call, site.scope) in catalog.START_NEW_THREAD:
                values = positional(call)
                target = _target_function(values[0], site.scope) if values else None
                self.candidates.append(Candidate(call, function, target, daemon=True))
            return
        func = call.func
        if not isinstance(func, cst.Attribute):
            return
        creation = func.value
        bound: Optional[str] = None
        if isinstance(creation, cst.Name):
            if not self._may_be_thread(creation.value, site.scope):
                return  # cheap: no binding of this name looks like a thread
            bound = creation.value
            value = flows.single_value(function, bound)
            if value is None:
                return
            creation = value
        if not isinstance(creation, cst.Call) or id(creation) in self.seen:
            return
        cls = self._thread_class(creation, site.scope)
        if cls is None or _serves(creation):
            return
        self.seen.add(id(creation))
        if not flows.fate(function, creation, POLICY).finding:
            return
        if isinstance(cls, ClassScope):
            runs = cls.method("run")
            target = runs[-1] if runs else None
            daemon = _daemon_class(cls) or _daemon_argument(creation)
        else:
            found = keyword(creation, "target")
            values = positional(creation)
            if found is None and len(values) > 1:
                found = values[1]
            target = _target_function(found, site.scope) if found is not None else None
            daemon = _daemon_argument(creation)
        if bound is not None and not daemon:
            daemon = _daemon_set_later(function.node, bound)
        self.candidates.append(Candidate(creation, function, target, daemon))

    def _may_be_thread(self, name: str, scope) -> bool:
        for bound in scope.bindings.get(name, []):
            value = getattr(bound, "payload", None)
            if isinstance(value, cst.Call):
                last = last_name(value.func)
                if last == "Thread" or last in self.ctx.module.class_defs:
                    return True
                if self.ctx.callee(value, scope) in catalog.THREAD_CLASSES:
                    return True
        return False

    def _thread_class(self, call: cst.Call, scope: Scope) -> Optional[object]:
        """``threading.Thread`` (the string) or the module's subclass of it; None otherwise."""
        target = self.ctx.callee(call, scope)
        if target in catalog.THREAD_CLASSES:
            return target
        if isinstance(call.func, cst.Name) and derives_from(self.ctx.module, call.func.value, catalog.THREAD_CLASSES):
            return self.ctx.module.class_defs[call.func.value][-1]
        return None

    # -- what the target does ----------------------------------------------------------

    def _hang(self, site: CallSite) -> Optional[Hang]:
        """A call in ``site``'s function that can wait forever (its rule would report it)."""
        if site.function is None:
            return None
        target = self.ctx.callee(site.node, site.scope)
        api = HANGS.get(target) if target is not None else None
        if api is None or api.timeout is None:
            return None
        if api.blocking is not None and does_not_block(site.node, api.blocking.block_index):
            return None
        problem = missing_timeout(site.node, api.timeout.index)
        return Hang(site.node, site.function, problem) if problem else None

    def finish(self, facts: Facts) -> None:
        for candidate in self.candidates:
            if candidate.target is None:
                continue
            hazard = self._hazard(candidate)
            if hazard is None:
                continue
            text, fix = hazard
            self.report(
                candidate.creation, candidate.function,
                call=call_text(candidate.creation), target=candidate.target.name, hazard=text, fix=fix,
            )

    def _hazard(self, candidate: Candidate) -> Optional[Tuple[str, str]]:
        """What makes the thread hang or pile up, in words, and the fix; None when it ends."""
        assert candidate.target is not None
        runs = _runs_in_place(candidate.target)
        for function in runs:
            for hang in self.hangs.get(function, ()):
                where = "" if function is candidate.target else f" (in {function.name}())"
                return (
                    f"can hang in {call_text(hang.call)}(), which {hang.problem}{where}",
                    "pass a timeout there, or hand the work to a queue or executor owned by the app",
                )
        if not candidate.daemon:
            for function in runs:
                loop = _endless_loop(function)
                if loop is not None:
                    where = "" if function is candidate.target else f" (in {function.name}())"
                    return (
                        f"loops forever{where} (`while {_test_text(loop)}:` with no way out) and is not a daemon",
                        "give the loop an exit (a stop Event) and start one worker for the app, not one per call",
                    )
        return None


def _target_function(expr: cst.BaseExpression, scope: Scope) -> Optional[FunctionScope]:
    """The function of this module a thread runs: ``f``, ``self.m``, ``partial(f, ...)``, ``lambda: f()``."""
    if isinstance(expr, cst.Call) and last_name(expr.func) == "partial":
        values = positional(expr)
        if not values:
            return None
        expr = values[0]
    if isinstance(expr, cst.Lambda) and isinstance(expr.body, cst.Call):
        expr = expr.body.func
    return function_named(expr, scope)


def _runs_in_place(target: FunctionScope) -> List[FunctionScope]:
    """The target and the functions of the module it calls in place, breadth first."""
    order = [target]
    seen = {target}
    queue = deque([target])
    while queue:
        for nxt in callees(queue.popleft(), ("call",)):
            if nxt not in seen:
                seen.add(nxt)
                order.append(nxt)
                queue.append(nxt)
    return order


def _endless_loop(function: FunctionScope) -> Optional[cst.While]:
    """A ``while True:`` in the function's own body that nothing leaves."""
    for node in iter_nodes(function.node.body, prune=_NESTED):
        if isinstance(node, cst.While) and runs_forever(node.test) and not has_way_out(node.body):
            return node
    return None


def _test_text(loop: cst.While) -> str:
    return loop.test.value if isinstance(loop.test, (cst.Name, cst.Integer)) else "True"


def _daemon_argument(call: cst.Call) -> bool:
    """``daemon=`` given as anything but a literal false counts as a daemon (unknown: not claimed)."""
    value = keyword(call, "daemon")
    return value is not None and not is_false(value) and not (isinstance(value, cst.Name) and value.value == "None")


def _daemon_set_later(function: cst.FunctionDef, name: str) -> bool:
    """``t.daemon = True`` or ``t.setDaemon(True)`` on the bound thread."""
    for node in iter_nodes(function.body, prune=_NESTED):
        if isinstance(node, cst.Assign) and is_true(node.value):
            if any(dotted_name(t.target) == f"{name}.daemon" for t in node.targets):
                return True
        if isinstance(node, cst.Call) and dotted_name(node.func) == f"{name}.setDaemon":
            values = positional(node)
            if values and is_true(values[0]):
                return True
    return False


def _daemon_class(cls: ClassScope) -> bool:
    """A Thread subclass that makes itself a daemon: ``super().__init__(daemon=True)``, ``self.daemon = True``."""
    for node in iter_nodes(cls.node.body):
        if isinstance(node, cst.Call) and last_name(node.func) == "__init__" and _daemon_argument(node):
            return True
        if isinstance(node, cst.Assign) and is_true(node.value):
            if any(dotted_name(t.target) == "self.daemon" for t in node.targets):
                return True
        if isinstance(node, cst.Call) and dotted_name(node.func) == "self.setDaemon":
            return True
    return False


def _serves(call: cst.Call) -> bool:
    """``Thread(target=server.serve_forever)``: the server's shutdown() ends it (HB503's business)."""
    target = keyword(call, "target")
    return isinstance(target, cst.Attribute) and target.attr.value == "serve_forever"
