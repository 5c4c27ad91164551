"""Fixers that restructure statements: try/finally (HB401, HB402), ``with lock``
(HB403) and ``with <response>`` (HB101).

Each works inside one statement list (a function body, a loop body, ...): the
statements it moves must all stand in the same block as the reported call, so the
rewrite cannot change which code runs, only that the cleanup now also runs when an
exception (or an early ``return``/``break``) leaves the block.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, List, Optional, Sequence, Tuple, Union, cast

import libcst as cst

from .. import catalog

if TYPE_CHECKING:  # pragma: no cover
    from ..engine import Located
from .edits import (
    Parents, calls_in, comments_of, is_docstring, leading_lines, names_in, simple_expression, without_leading_lines,
)
from .edits import BodyEdit, FixContext, Skip, Suite

_EMPTY = cst.Module(body=[])


def _text(node: cst.CSTNode) -> str:
    return _EMPTY.code_for_node(node)


def _receiver(call: cst.Call) -> Optional[str]:
    return _text(call.func.value) if isinstance(call.func, cst.Attribute) else None


def _method_calls(node: cst.CSTNode, receiver: str, methods: Sequence[str]) -> List[cst.Call]:
    return [
        c for c in calls_in(node)
        if isinstance(c.func, cst.Attribute) and c.func.attr.value in methods and _receiver(c) == receiver
    ]


def _locate(found: Located, ctx: FixContext) -> Union[Tuple[cst.BaseStatement, Suite, int], Skip]:
    """The reported call's statement, the block holding it and its index there."""
    statement = ctx.parents.statement(found.violation.node)
    suite = ctx.parents.suite(statement) if statement is not None else None
    if statement is None or suite is None:
        return Skip("the call is not in an indented block")
    index = next(i for i, s in enumerate(suite.body) if s is statement)
    return statement, suite, index


def _is_call_statement(statement: cst.BaseStatement, call: cst.Call, awaited: bool = False) -> bool:
    expr = simple_expression(statement)
    if awaited:
        return isinstance(expr, cst.Await) and expr.expression is call
    return expr is call


def _pass() -> cst.SimpleStatementLine:
    return cst.SimpleStatementLine(body=[cst.Pass()])


def _block_body(statements: Sequence[cst.BaseStatement]) -> List[cst.BaseStatement]:
    """Statements opening a new block: no blank line right under its header (comments stay)."""
    if not statements:
        return [_pass()]
    first = statements[0]
    kept = list(leading_lines(first))
    while kept and kept[0].comment is None:
        kept.pop(0)
    return [first.with_changes(leading_lines=kept), *statements[1:]]


# -- HB401 / HB402: the completion signal moves into finally ------------------------------


def _signal_in_finally(found: Located, ctx: FixContext, starters: Sequence[str]) -> Union[BodyEdit, Skip]:
    call = found.violation.node
    where = _locate(found, ctx)
    if isinstance(where, Skip):
        return where
    statement, suite, index = where
    if not isinstance(call, cst.Call) or not isinstance(call.func, cst.Attribute):
        return Skip("the reported node is not a method call")  # HB401/HB402 report `x.done()`
    method = call.func.attr.value
    receiver = _receiver(call)
    if receiver is None or not _is_call_statement(statement, call):
        return Skip(f"{method}() is not a statement of its own")
    body = list(suite.body)
    # The work starts after the statement that took the item / registered the work
    # (or bound the receiver), else at the top of the block (after a docstring).
    start = 0
    if isinstance(ctx.parents.get(suite), cst.FunctionDef) and body and is_docstring(body[0]):
        start = 1
    for i in range(index - 1, start - 1, -1):
        stmt = body[i]
        if _method_calls(stmt, receiver, starters) or _binds(stmt, receiver):
            start = i + 1
            break
    moved = body[start:index]
    if not moved:
        return Skip(f"nothing runs between the start of the work and {method}()")
    if any(_method_calls(stmt, receiver, (method,)) for stmt in moved):
        return Skip(f"{method}() is also called in the block: moving it to finally would call it twice")
    if any(_jumps_out(stmt) for stmt in moved):
        # e.g. `if item is None: break`: that path skips the signal today (and may signal
        # elsewhere); a finally would add a call there.
        return Skip(f"a break/continue/return before {method}() skips it today; finally would call it there too")

    def rewrite(updated: List[cst.BaseStatement]) -> List[cst.BaseStatement]:
        work, signal = updated[start:index], updated[index]
        signal = signal.with_changes(leading_lines=[line for line in leading_lines(signal) if line.comment])
        finally_ = cst.Finally(body=cst.IndentedBlock(body=[signal]))
        if len(work) == 1 and isinstance(work[0], cst.Try) and work[0].finalbody is None:
            # `try: ... except ...:` alone: the finally joins it (it runs after the handlers too).
            return [*updated[:start], work[0].with_changes(finalbody=finally_), *updated[index + 1:]]
        node = cst.Try(
            body=cst.IndentedBlock(body=[without_leading_lines(work[0]), *work[1:]]),
            finalbody=finally_,
            leading_lines=leading_lines(work[0]),
        )
        return [*updated[:start], node, *updated[index + 1:]]

    return BodyEdit(suite, rewrite, frozenset(body[start:index + 1]))


def _jumps_out(statement: cst.BaseStatement) -> bool:
    """A ``return``, or a ``break``/``continue`` not inside a loop of its own."""
    found: List[cst.CSTNode] = []

    class _Jumps(cst.CSTVisitor):
        loops = 0

        def visit_Return(self, node: cst.Return) -> None:
            found.append(node)

        def visit_Break(self, node: cst.Break) -> None:
            if not self.loops:
                found.append(node)

        def visit_Continue(self, node: cst.Continue) -> None:
            if not self.loops:
                found.append(node)

        def visit_For(self, node: cst.For) -> None:
            self.loops += 1

        def leave_For(self, node: cst.For) -> None:
            self.loops -= 1

        def visit_While(self, node: cst.While) -> None:
            self.loops += 1

        def leave_While(self, node: cst.While) -> None:
            self.loops -= 1

        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            return False  # its returns are its own

        def visit_ClassDef(self, node: cst.ClassDef) -> bool:
            return False

    statement.visit(_Jumps())
    return bool(found)


def _binds(statement: cst.BaseStatement, receiver: str) -> bool:
    if isinstance(statement, cst.SimpleStatementLine):
        for small in statement.body:
            targets = []
            if isinstance(small, cst.Assign):
                targets = [t.target for t in small.targets]
            elif isinstance(small, cst.AnnAssign):
                targets = [small.target]
            if any(_text(t) == receiver for t in targets):
                return True
    return False


def fix_hb401(found: Located, ctx: FixContext) -> Union[BodyEdit, Skip]:
    return _signal_in_finally(found, ctx, ("add", "Add"))


def fix_hb402(found: Located, ctx: FixContext) -> Union[BodyEdit, Skip]:
    return _signal_in_finally(found, ctx, ("get", "get_nowait"))


# -- HB403: acquire ... release becomes with -----------------------------------------------


def fix_hb403(found: Located, ctx: FixContext) -> Union[BodyEdit, Skip]:
    call = found.violation.node
    if not isinstance(call, cst.Call) or call.args:
        return Skip("acquire() with arguments (blocking/timeout) decides whether the lock is held")
    receiver = _receiver(call)
    where = _locate(found, ctx)
    if isinstance(where, Skip):
        return where
    statement, suite, index = where
    awaited = _is_call_statement(statement, call, awaited=True)
    if receiver is None or not (awaited or _is_call_statement(statement, call)):
        return Skip("acquire() is not a statement of its own")
    body = list(suite.body)
    release = None
    for j in range(index + 1, len(body)):
        expr = simple_expression(body[j])
        if (
            isinstance(expr, cst.Call) and not expr.args and isinstance(expr.func, cst.Attribute)
            and expr.func.attr.value == "release" and _receiver(expr) == receiver
        ):
            release = j
            break
        if _method_calls(body[j], receiver, ("release",)):
            return Skip("release() is not in the same block as acquire()")
        if _method_calls(body[j], receiver, ("acquire",)):
            return Skip("the lock is acquired again before its release()")
    if release is None:
        return Skip("release() is not in the same block as acquire()")

    def rewrite(updated: List[cst.BaseStatement]) -> List[cst.BaseStatement]:
        # Checked above: `[await] <lock>.acquire()` alone on its line.
        acquire = cast(cst.SimpleStatementLine, updated[index])
        inner, rel = updated[index + 1:release], updated[release]
        expr = simple_expression(acquire)
        acquired = cast(cst.Call, expr.expression if isinstance(expr, cst.Await) else expr)
        lock = cast(cst.Attribute, acquired.func).value
        block = cst.IndentedBlock(
            body=_block_body(inner),
            header=acquire.trailing_whitespace,
            footer=comments_of(rel),
        )
        node = cst.With(
            items=[cst.WithItem(item=lock)],
            body=block,
            asynchronous=cst.Asynchronous() if awaited else None,
            leading_lines=leading_lines(acquire),
        )
        return [*updated[:index], node, *updated[release + 1:]]

    return BodyEdit(suite, rewrite, frozenset(body[index:release + 1]))


# -- HB101: the response goes in a with ------------------------------------------------


def _response_with(found: Located, ctx: FixContext, asynchronous: bool) -> Union[BodyEdit, Skip]:
    call = found.violation.node
    where = _locate(found, ctx)
    if isinstance(where, Skip):
        return where
    statement, suite, index = where
    assign = statement.body[0] if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1 else None
    if (
        not isinstance(assign, cst.Assign) or len(assign.targets) != 1
        or not isinstance(assign.targets[0].target, cst.Name)
        or not (assign.value is call or (asynchronous and isinstance(assign.value, cst.Await)
                                         and assign.value.expression is call))
    ):
        return Skip("the response is not assigned to a name on a line of its own")
    name = assign.targets[0].target.value
    function = found.violation.function
    if function is None:
        return Skip("response outside a function")
    body = list(suite.body)
    last = index
    for use in names_in(function.node, name):
        if use is assign.targets[0].target:
            continue
        problem = _use_problem(use, ctx.parents, function.node)
        if problem:
            return Skip(f"'{name}' {problem}")
        top = _top_statement(use, suite, ctx.parents)
        position = next((i for i, s in enumerate(body) if s is top), None)
        if position is None or position <= index:
            return Skip(f"'{name}' is used outside the block that opened it")
        last = max(last, position)
    drop_close = last > index and _is_close(body[last], name)

    def rewrite(updated: List[cst.BaseStatement]) -> List[cst.BaseStatement]:
        line = cast(cst.SimpleStatementLine, updated[index])  # checked above: `name = [await] <call>`
        small = cast(cst.Assign, line.body[0])
        opened = small.value.expression if isinstance(small.value, cst.Await) else small.value
        inner = updated[index + 1:last + 1]
        footer: List[cst.EmptyLine] = []
        if drop_close:
            footer = comments_of(inner[-1])
            inner = inner[:-1]
        node = cst.With(
            items=[cst.WithItem(item=opened, asname=cst.AsName(name=cst.Name(name)))],
            body=cst.IndentedBlock(body=_block_body(inner), header=line.trailing_whitespace, footer=footer),
            asynchronous=cst.Asynchronous() if asynchronous else None,
            leading_lines=leading_lines(line),
        )
        return [*updated[:index], node, *updated[last + 1:]]

    return BodyEdit(suite, rewrite, frozenset(body[index:last + 1]))


def _is_close(statement: cst.BaseStatement, name: str) -> bool:
    expr = simple_expression(statement)
    if isinstance(expr, cst.Await):
        expr = expr.expression
    return (
        isinstance(expr, cst.Call) and not expr.args and isinstance(expr.func, cst.Attribute)
        and isinstance(expr.func.value, cst.Name) and expr.func.value.value == name
        and expr.func.attr.value in ("close", "release")
    )


def _top_statement(node: cst.CSTNode, suite: cst.CSTNode, parents: Parents) -> Optional[cst.CSTNode]:
    current: Optional[cst.CSTNode] = node
    while current is not None:
        parent = parents.get(current)
        if parent is suite:
            return current
        current = parent
    return None


def _use_problem(use: cst.Name, parents: Parents, function: cst.CSTNode) -> Optional[str]:
    """Why this occurrence of the name stops the rewrite (None: an ordinary read)."""
    child: cst.CSTNode = use
    for parent in parents.ancestors(use):
        if parent is function:
            return None
        if isinstance(parent, cst.Attribute) and child is parent.attr:
            return None  # `x.name`: another object's attribute
        if isinstance(parent, cst.Arg) and child is parent.keyword:
            return None
        if isinstance(parent, (cst.AssignTarget, cst.AsName, cst.Del, cst.NameItem, cst.Param, cst.CompFor)) or (
            isinstance(parent, (cst.AugAssign, cst.For, cst.NamedExpr)) and child is parent.target
        ):
            return "is rebound in the function"
        if isinstance(parent, (cst.Lambda, cst.FunctionDef, cst.ClassDef)):
            return "is used in a nested function"
        if isinstance(parent, cst.Yield):
            return "is yielded (it would be closed while the consumer still reads it)"
        if isinstance(parent, cst.Return) and child is parent.value and use is child:
            return "is returned"
        child = parent
    return None


def fix_hb101(found: Located, ctx: FixContext) -> Union[BodyEdit, Skip]:
    from ..names import callee

    call = found.violation.node
    function = found.violation.function
    target = callee(call, function) if isinstance(call, cst.Call) and function is not None else None
    if target in catalog.STREAMED_REQUESTS_CALLS:
        return _response_with(found, ctx, asynchronous=False)
    if target in catalog.AIOHTTP_RESPONSE_CALLS:
        return _response_with(found, ctx, asynchronous=True)
    return Skip("only requests (stream=True) and awaited aiohttp responses are rewritten")
