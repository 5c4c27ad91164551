from __future__ import annotations

from .. import catalog
from ..facts import Facts
from ..calls import call_text
from ..ownership import Ownership, Policy
from ..rule import Rule
from ..scopes import CallSite
from ..signature import Signature

POLICY = Policy(closers=catalog.closers(catalog.EXECUTORS))


class ExecutorNotShutDown(Rule):
    """What it does:
    Finds executors and process/thread pools created inside a request handler and
    never shut down: `ThreadPoolExecutor`, `ProcessPoolExecutor`,
    `multiprocessing.Pool` and `multiprocessing.pool.ThreadPool` that are not used in
    `with` and get no `shutdown()` (executors) or `close()`/`terminate()`/`join()`
    (pools). Passing the executor to `loop.run_in_executor()` does not hand it over.

    Not reported: `with ThreadPoolExecutor() as pool:`, a `shutdown()`/`close()`
    anywhere in the function, an executor returned, stored on `self`/a global/a
    container, or passed to another call; executors created at module level (shared).

    Why is this bad?
    Every request starts new worker threads or processes that nobody stops: they
    pile up until the process runs out of threads, memory or file descriptors, and
    work submitted to them outlives the request with its errors lost.

    Example:
    ```python
    @app.post("/thumbnails")
    def thumbnails():
        pool = ThreadPoolExecutor(max_workers=4)
        futures = [pool.submit(resize, f) for f in request.files.values()]
        return jsonify([f.result(timeout=30) for f in futures])
    ```

    Use instead:
    ```python
    @app.post("/thumbnails")
    def thumbnails():
        with ThreadPoolExecutor(max_workers=4) as pool:
            futures = [pool.submit(resize, f) for f in request.files.values()]
            return jsonify([f.result(timeout=30) for f in futures])
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
        if flows.fate(function, flows.origin(function, call), POLICY).finding:
            self.report(call, function, call=call_text(call))
