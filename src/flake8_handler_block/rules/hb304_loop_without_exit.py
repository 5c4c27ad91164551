from __future__ import annotations

import libcst as cst

from ..names import dotted_name
from ..rule import HANDLER, Rule
from ..signature import Signature
from ..walk import children

_EXIT_CALLS = frozenset({"sys.exit", "exit", "quit", "os._exit", "os.abort"})


def _forever(test: cst.BaseExpression) -> bool:
    if isinstance(test, cst.Name):
        return test.value == "True"
    if isinstance(test, cst.Integer):
        return int(test.value.replace("_", ""), 0) != 0
    return False


def has_way_out(node: cst.CSTNode, inner_loop: bool = False) -> bool:
    """A break (of this loop), return, raise, yield or await reachable in ``node``."""
    if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
        return False
    if isinstance(node, (cst.Return, cst.Raise, cst.Yield, cst.Await)):
        return True
    if isinstance(node, cst.Break):
        return not inner_loop
    if isinstance(node, (cst.For, cst.With)) and node.asynchronous is not None:
        return True  # async for / async with suspend (and can be cancelled)
    if isinstance(node, cst.Call) and dotted_name(node.func) in _EXIT_CALLS:
        return True
    if isinstance(node, (cst.For, cst.While)):
        if any(has_way_out(child, True) for child in (node.body,)):
            return True
        return node.orelse is not None and has_way_out(node.orelse, inner_loop)
    return any(has_way_out(child, inner_loop) for child in children(node))


class LoopWithoutExit(Rule):
    """What it does:
    Finds `while True:` / `while 1:` loops in request handlers whose body has no
    `break`, `return`, `raise`, `yield` or `await` reachable in the loop itself.
    Statements in nested functions, lambdas and classes do not count, nor a `break`
    that ends an inner loop; a `return`/`raise`/`yield`/`await` in an inner loop does
    count (it leaves or suspends the outer one too), as do `async for`/`async with`
    and `sys.exit()`/`os._exit()`. Other conditions (`while running:`) are not
    reported: something may change them.

    Why is this bad?
    Nothing can end the loop: the request never completes and the worker that runs it
    is lost for good. Polling loops that sleep and check forever are the usual case.

    Example:
    ```python
    @app.get("/jobs/<job_id>/wait")
    def wait_for_job(job_id):
        while True:
            time.sleep(1)
            refresh(job_id)
    ```

    Use instead:
    ```python
    @app.get("/jobs/<job_id>/wait")
    def wait_for_job(job_id):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if refresh(job_id).done:
                return jsonify(status="done")
            time.sleep(1)
        return jsonify(status="pending"), 202
    ```
    """

    code = "HB304"
    runtime = Signature(states=None, in_loop=True)
    name = "loop-without-exit"
    message = (
        "while {test}: loop has no break, return, raise, yield or await: {where} can never leave it; "
        "add an exit condition or a deadline"
    )
    scope = HANDLER
    gate = ('while True', 'while 1', 'while(True)', 'while (True)', 'while(1)')

    def visit_While(self, node: cst.While) -> None:
        if not _forever(node.test) or has_way_out(node.body):
            return
        test = node.test.value if isinstance(node.test, (cst.Name, cst.Integer)) else "True"
        self.report(node, test=test)
