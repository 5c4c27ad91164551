from __future__ import annotations

import libcst as cst

from .. import catalog
from ..facts import Facts
from ..calls import MISSING, NONE, argument_state, call_text
from ..ownership import Ownership, Policy
from ..rule import Rule
from ..scopes import CallSite, FunctionScope
from ..signature import Signature
from ..walk import iter_nodes

POLICY = Policy(closers=catalog.closers(catalog.EXECUTORS))
# Executors whose idle workers end when the executor is garbage-collected (CPython wakes them
# through the executor's weak reference); a multiprocessing pool left open keeps its processes.
FUTURE_EXECUTORS = frozenset({"concurrent.futures.ThreadPoolExecutor", "concurrent.futures.ProcessPoolExecutor"})
# Module functions that wait on futures, with the position of their timeout.
TIMED_WAITS = {"concurrent.futures.wait": 1, "concurrent.futures.as_completed": 1}


class ExecutorNotShutDown(Rule):
    """What it does:
    Finds executors and process/thread pools created inside a request handler and
    never shut down: `ThreadPoolExecutor`, `ProcessPoolExecutor`,
    `multiprocessing.Pool` and `multiprocessing.pool.ThreadPool` that are not used in
    `with` and get no `shutdown()` (executors) or `close()`/`terminate()`/`join()`
    (pools). Passing the executor to `loop.run_in_executor()` does not hand it over.

    Not reported: `with ThreadPoolExecutor() as pool:`, a `shutdown()`/`close()`
    anywhere in the function, an executor returned, stored on `self`/a global/a
    container, or passed to another call (not a function of this module that only uses it);
    executors created at module level (shared).
    Nor a `ThreadPoolExecutor`/`ProcessPoolExecutor` whose work the function waits
    for with a timeout (`concurrent.futures.wait(fs, timeout=...)`,
    `as_completed(fs, timeout=...)`, `f.result(timeout=...)`) and then drops:
    leaving a `with` block (or `shutdown()`) would wait for a hung task and defeat
    that timeout, and the dropped executor is collected when the function returns,
    which ends its idle workers; only a hung task keeps its thread, as it would after
    `shutdown(wait=False)`.

    Why is this bad?
    Every request starts new worker threads or processes that nobody stops: they
    pile up until the process runs out of threads, memory or file descriptors, and
    work submitted to them outlives the request with its errors lost.

    Example:
    ```python
    @app.get("/uploads/size")
    def uploads_size():
        pool = multiprocessing.Pool(4)
        sizes = pool.map(os.path.getsize, upload_paths())
        return jsonify(total=sum(sizes))
    ```

    Use instead:
    ```python
    @app.get("/uploads/size")
    def uploads_size():
        with multiprocessing.Pool(4) as pool:
            sizes = pool.map(os.path.getsize, upload_paths())
        return jsonify(total=sum(sizes))
    ```
    """

    code = "HB504"
    needs = (Ownership,)
    runtime = Signature(leaks=frozenset({"executor", "thread"}))
    name = "executor-not-shut-down"
    message = (
        "{call}() is created per request and never shut down: {where} leaves its workers running; "
        "use `with {call}(...) as pool:` or one shared executor"
    )
    gate = ('ThreadPoolExecutor', 'ProcessPoolExecutor', 'multiprocessing')
    calls = catalog.last_names(catalog.EXECUTORS)

    def check_call(self, site: CallSite, facts: Facts) -> None:
        flows = facts[Ownership]
        function = site.function
        if function is None:
            return
        call = site.node
        if self.ctx.callee(call, site.scope) not in catalog.EXECUTORS:
            return
        if function.name == "__init__":
            return
        if not flows.fate(function, flows.origin(function, call), POLICY).finding:
            return
        if self.ctx.callee(call, site.scope) in FUTURE_EXECUTORS and self._waits_with_timeout(function):
            return  # dropped on purpose: shutting down would wait out the hung work the timeout gave up on
        self.report(call, function, call=call_text(call))

    def _waits_with_timeout(self, function: FunctionScope) -> bool:
        """The function waits for futures with a timeout: ``wait(fs, timeout=5)``,
        ``as_completed(fs, 5)``, ``f.result(timeout=5)``."""
        for node in iter_nodes(function.node.body, prune=(cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            if not isinstance(node, cst.Call):
                continue
            index = TIMED_WAITS.get(self.ctx.callee(node, function) or "")
            if index is None and isinstance(node.func, cst.Attribute) and node.func.attr.value == "result":
                index = 0
            if index is not None and argument_state(node, "timeout", index) not in (MISSING, NONE):
                return True
        return False
