from __future__ import annotations

from typing import List, Optional, Tuple

import libcst as cst

from ..catalog import SYNC_WEBSOCKET_IO, SYNC_WEBSOCKET_PACKAGES
from ..facts import Facts
from ..loops import has_way_out, runs_forever, uses_connection
from ..names import dotted_name
from ..rule import HANDLER, Rule, RuleContext
from ..scopes import FunctionScope, caught_types
from ..signature import Signature
from ..walk import iter_nodes

_NESTED = (cst.FunctionDef, cst.ClassDef, cst.Lambda)
_END_OF_INPUT = frozenset({"StopIteration", "EOFError"})  # what ends a loop that reads to the end


class LoopWithoutExit(Rule):
    """What it does:
    Finds `while True:` / `while 1:` loops in request handlers whose body has no
    `break`, `return`, `raise`, `yield` or `await` reachable in the loop itself.
    Statements in nested functions, lambdas and classes do not count, nor a `break`
    that ends an inner loop; a `return`/`raise`/`yield`/`await` in an inner loop does
    count (it leaves or suspends the outer one too), as do `async for`/`async with`
    and `sys.exit()`/`os._exit()`. Other conditions (`while running:`) are not
    reported: something may change them. Nor is a loop that receives from or sends to a
    WebSocket given as a parameter, in a module that uses a synchronous WebSocket library
    (flask-sock, simple-websocket, gevent-websocket): its `receive()`/`send()` raise once the
    client has gone, which ends the loop with the connection. Nor is a loop that drives a
    generator (`next(gen)`, `gen.send(value)` in its body) inside a `try` whose
    `except StopIteration` catches the end of it: the generator's return is the loop's
    exit (`while True: url = discovery.send(fetch(url))` ended by `except StopIteration
    as stop: found = stop.value`). Nor is a loop that calls anything inside a `try` whose
    `except EOFError` catches the end of what it reads: reading past the end of the data
    raises it, and that is the loop's exit (`while True: items.append(decode(f))` in a
    `try` ending with `except EOFError: pass`). Nor a loop whose first statement is a call
    that a parameter test rules out for every way a handler enters the function (mage-ai's
    `start_scheduler(foreground=False)` watches forever only `if foreground:`, and the API
    handler calls it with no argument): the loop runs only when that call does.

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

    def __init__(self, ctx: RuleContext) -> None:
        super().__init__(ctx)
        # loops that talk over a parameter: they end with it if the module's WebSocket library says so
        self.over_connection: List[Tuple[cst.While, Optional[FunctionScope], str]] = []

    def visit_While(self, node: cst.While) -> None:
        if not runs_forever(node.test) or has_way_out(node.body) or self._ends_with_its_input(node):
            return
        test = node.test.value if isinstance(node.test, (cst.Name, cst.Integer)) else "True"
        function = self.ctx.function
        if function is not None and uses_connection(node.body, frozenset(function.param_names), SYNC_WEBSOCKET_IO):
            self.over_connection.append((node, function, test))
        else:
            self.report(node, test=test)
            self.ctx._violations[-1].runs_with = _first_call(node)

    def _ends_with_its_input(self, loop: cst.While) -> bool:
        """The loop sits in the body of a ``try`` that catches the end of what it reads: a
        generator it drives (``next(gen)``/``gen.send(x)``, ended by ``StopIteration``), or data
        any call of it may read past the end of (``EOFError``)."""
        block = self.ctx.state.block
        caught = {
            dotted_name(kind) for b in (block.chain() if block is not None else ())
            if b.kind == "try" and isinstance(b.node, cst.Try)
            for handler in b.node.handlers for kind in caught_types(handler)
        }
        if not caught & _END_OF_INPUT:
            return False
        return any(
            isinstance(node, cst.Call) and ("EOFError" in caught or "StopIteration" in caught and (
                dotted_name(node.func) == "next"
                or isinstance(node.func, cst.Attribute) and node.func.attr.value in ("send", "__next__")
            ))
            for node in iter_nodes(loop.body, prune=_NESTED)
        )

    def finish(self, facts: Facts) -> None:
        # the imports are all known only now
        if self.ctx.module.imported_packages & SYNC_WEBSOCKET_PACKAGES:
            return
        for node, function, test in self.over_connection:
            self.report(node, function, test=test)
            self.ctx._violations[-1].runs_with = _first_call(node)


def _first_call(loop: cst.While) -> Optional[cst.Call]:
    """The first call of the loop's first statement: it runs whenever the loop does (``while True``
    always enters), so a parameter test that rules it out rules out the loop."""
    first = loop.body.body[0] if isinstance(loop.body, cst.IndentedBlock) and loop.body.body else None
    if isinstance(first, cst.SimpleStatementLine) and first.body and isinstance(first.body[0], cst.Expr):
        call = first.body[0].value
        return call if isinstance(call, cst.Call) else None
    return None
