"""One fixer per code: from a finding to an edit of the module, or a reason to leave it.

A fixer returns an ``Edit`` (what to rewrite) or a ``Skip`` (why this finding has
no safe fix). It is only ever asked about a finding the linter reported.
"""

from __future__ import annotations

from typing import Dict, Mapping, Optional, Union

import libcst as cst

from .. import names
from ..engine import Located
from .edits import CallEdit, Edit, FixContext, Fixer, Skip, find_keyword, positional_args, set_argument

# Default timeout per code, as source text (`--timeout` and pyproject `fix-timeout` override).
DEFAULT_TIMEOUTS: Dict[str, str] = {
    "HB201": "(3.05, 30)",  # requests: (connect, read)
    "HB202": "10",
    "HB203": "10",
    "HB204": "30",
    "HB205": "10",
}


# -- HB2xx: pass the timeout ------------------------------------------------------------


def _scope(found: Located):
    return found.violation.function  # a FunctionScope is a Scope; None at module level


def _callee(call: cst.Call, found: Located) -> Optional[str]:
    scope = _scope(found)
    return names.callee(call, scope) if scope is not None else None


def _timeout_edit(found: Located, ctx: FixContext, name: str = "timeout", index: Optional[int] = None,
                  code: Optional[str] = None) -> Union[Edit, Skip]:
    call = found.violation.node
    if not isinstance(call, cst.Call):
        return Skip("the finding is not on a call")
    value = ctx.timeout(code or found.violation.code)
    if set_argument(call, name, value, index) is None:
        return Skip(f"{name}= holds an expression this tool does not rewrite")
    return CallEdit(call, lambda updated: set_argument(updated, name, value, index) or updated)


def _index_from(table: Mapping[str, Optional[int]], found: Located) -> Optional[int]:
    call = found.violation.node
    return table.get(_callee(call, found) or "") if isinstance(call, cst.Call) else None


def fix_hb201(found: Located, ctx: FixContext) -> Union[Edit, Skip]:
    from ..rules.hb201_requests_without_timeout import TIMEOUT_POSITION

    return _timeout_edit(found, ctx, index=_index_from(TIMEOUT_POSITION, found))


def fix_hb202(found: Located, ctx: FixContext) -> Union[Edit, Skip]:
    from ..rules.hb202_stdlib_network_without_timeout import TIMEOUT_POSITION

    table = {**TIMEOUT_POSITION, **ctx.extra_timeout_calls}
    return _timeout_edit(found, ctx, index=_index_from(table, found))


def fix_hb203(found: Located, ctx: FixContext) -> Union[Edit, Skip]:
    call = found.violation.node
    if "neither total nor sock_read" in found.message and isinstance(call, cst.Call):
        # aiohttp.ClientTimeout(total, connect, sock_read, ...): bound the whole request,
        # unless `total=None` was written on purpose (a long stream): then bound each read.
        total = find_keyword(call, "total")
        values = positional_args(call)
        if total is None and values:
            total = values[0]
        if total is not None:
            return _timeout_edit(found, ctx, name="sock_read", index=2)
        return _timeout_edit(found, ctx, name="total", index=0)
    index = None
    target = _callee(call, found) if isinstance(call, cst.Call) else None
    if target is not None and target.endswith("ConnectionPool.urlopen"):
        index = 7  # urlopen(method, url, body, headers, retries, redirect, assert_same_host, timeout)
    return _timeout_edit(found, ctx, index=index)


def fix_hb204(found: Located, ctx: FixContext) -> Union[Edit, Skip]:
    from ..rules.hb204_subprocess_without_timeout import TIMEOUT_POSITION

    return _timeout_edit(found, ctx, index=_index_from(TIMEOUT_POSITION, found))


# Waits that raise when the timeout expires: adding one turns a hang into an error.
# The others (Event.wait, Condition.wait, Thread.join, Process.join, futures.wait,
# AsyncResult.wait) return quietly, and the code after them would run as if the wait
# had succeeded: that needs a human to decide what a timeout means there.
_RAISING_METHODS = frozenset({"get", "result", "exception"})


def fix_hb205(found: Located, ctx: FixContext) -> Union[Edit, Skip]:
    from ..rules.hb205_sync_wait_without_timeout import FUNCTION_WAITS, WAITS

    call = found.violation.node
    scope = _scope(found)
    if not isinstance(call, cst.Call) or scope is None:
        return Skip("wait outside a function")
    target = names.callee(call, scope)
    if target == "concurrent.futures.as_completed":
        return _timeout_edit(found, ctx, index=FUNCTION_WAITS[target].timeout_index)
    if target in FUNCTION_WAITS:
        return Skip(f"{target}() returns quietly on timeout; check its result by hand")
    if not isinstance(call.func, cst.Attribute):
        return Skip("receiver not known")
    receiver = names.resolve(call.func.value, scope)
    if not isinstance(receiver, names.Inst):
        return Skip("receiver not known")
    method = call.func.attr.value
    wait = WAITS.get(receiver.producer, {}).get(method)
    if wait is None:
        return Skip("receiver not known")
    if method in _RAISING_METHODS or receiver.producer == "threading.Barrier":
        return _timeout_edit(found, ctx, index=wait.timeout_index)
    return Skip(f"{method}() returns quietly on timeout; check its result (or is_alive()) by hand")


from .blocks import fix_hb101, fix_hb102, fix_hb401, fix_hb402, fix_hb403  # noqa: E402

FIXERS: Dict[str, Fixer] = {
    "HB101": fix_hb101,
    "HB102": fix_hb102,
    "HB201": fix_hb201,
    "HB202": fix_hb202,
    "HB203": fix_hb203,
    "HB204": fix_hb204,
    "HB205": fix_hb205,
    "HB401": fix_hb401,
    "HB402": fix_hb402,
    "HB403": fix_hb403,
}
