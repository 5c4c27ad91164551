"""One fixer per code: from a finding to an edit of the module, or a reason to leave it.

A fixer returns an ``Edit`` (what to rewrite) or a ``Skip`` (why this finding has
no safe fix). It is only ever asked about a finding the linter reported.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional, Union

import libcst as cst

if TYPE_CHECKING:  # pragma: no cover
    from ..engine import Located

from .. import names
from ..catalog import (
    APIS, DJANGO_EMAIL_TIMEOUT, DJANGO_MESSAGE_SENDS, DJANGO_SEND_FUNCTIONS, FREEIPA_UNTIMED, HANDED_ARGUMENTS,
    KUBERNETES_REQUEST_TIMEOUT, KUBERNETES_UNTIMED, OAUTH_METADATA_FETCHES, RETURNS, TIMEOUT_KEYWORDS, UNTIMED_CLIENTS,
)
from ..scopes import handed_call, passes_keywords
from .edits import CallEdit, Edit, FixContext, Skip, find_keyword, positional_args, set_argument


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


def fix_timeout(found: Located, ctx: FixContext) -> Union[Edit, Skip]:
    """HB201, HB202, HB204, HB205: pass the timeout where the catalogue says the call takes it.

    Only waits that raise when the timeout expires are fixed: adding one to a wait that
    returns quietly (Event.wait, Thread.join, futures.wait, ...) would let the code after
    it run as if the wait had succeeded; that needs a human to decide what a timeout means.
    """
    call = found.violation.node
    scope = _scope(found)
    if not isinstance(call, cst.Call) or scope is None:
        return Skip("call outside a function")
    if found.violation.fix_argument is not None:  # a wrapper of the project passes it on
        keyword, index = found.violation.fix_argument
        return _timeout_edit(found, ctx, name=keyword, index=index)
    target = names.callee(call, scope)
    handed = handed_call(call, names.last_name(call.func) or "") if target not in APIS else None
    if handed is not None:
        return _handed_timeout_edit(found, ctx, handed)
    if target is not None and target in ctx.extra_timeout_calls:
        return _timeout_edit(found, ctx, index=ctx.extra_timeout_calls[target])
    if found.violation.code == "HB202" and DJANGO_EMAIL_TIMEOUT in found.message:
        if target in DJANGO_SEND_FUNCTIONS or target in DJANGO_MESSAGE_SENDS:
            return Skip("it sends with the settings' backend: set EMAIL_TIMEOUT in the settings")
        # Django's SMTP backend, a subclass of it or get_connection(): each takes timeout= by keyword
        return _timeout_edit(found, ctx)
    api = APIS.get(target or "")
    if api is None and target not in OAUTH_METADATA_FETCHES:
        return Skip("receiver not known")
    if api is None or api.timeout is None:
        return Skip(f"{names.last_name(call.func)}() takes no timeout; the message says what to do instead")
    if api.timeout.on_expiry == RETURNS:
        name = call.func.attr.value if isinstance(call.func, cst.Attribute) else target
        return Skip(f"{name}() returns quietly on timeout; check its result (or is_alive()) by hand")
    return _timeout_edit(found, ctx, name=api.timeout.keyword, index=api.timeout.index)


def _handed_timeout_edit(found: Located, ctx: FixContext, handed: cst.Call) -> Union[Edit, Skip]:
    """``to_thread(subprocess.run, cmd)``: the timeout goes to the hand-off, which passes it on."""
    call = found.violation.node
    assert isinstance(call, cst.Call)
    hand_off = names.last_name(call.func) or ""
    api = APIS.get(names.callee(handed, _scope(found)) or "")
    if api is None or api.timeout is None or api.timeout.on_expiry == RETURNS:
        return Skip("receiver not known")
    if not passes_keywords(call):
        return Skip(f"{hand_off}() passes on no keywords: hand it functools.partial(..., timeout=...)")
    index = api.timeout.index
    position = HANDED_ARGUMENTS[hand_off][0]  # the call's arguments follow the callable's place
    return _timeout_edit(found, ctx, name=api.timeout.keyword, index=None if index is None else index + position + 1)


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
    if FREEIPA_UNTIMED in found.message:
        return Skip("python-freeipa's clients take no timeout; the message says what to do instead")
    if KUBERNETES_UNTIMED in found.message:
        return _timeout_edit(found, ctx, name=KUBERNETES_REQUEST_TIMEOUT)
    index = None
    target = _callee(call, found) if isinstance(call, cst.Call) else None
    if target in TIMEOUT_KEYWORDS:  # ldap3's receive_timeout, websockets' open_timeout
        return _timeout_edit(found, ctx, name=TIMEOUT_KEYWORDS[target])
    if any(not client.takes_timeout and client.fix in found.message for client in UNTIMED_CLIENTS.values()):
        # twilio's Client, langchain-ollama's models (at module level too, where the callee is not
        # resolved): a client or settings of the caller's hold the timeout
        return Skip("the client takes no timeout; the message says what to pass instead")
    api = APIS.get(target) if target is not None else None
    if api is not None and api.timeout is None and isinstance(call, cst.Call):  # python-ldap's binds
        return Skip(f"{names.last_name(call.func)}() takes no timeout; the message says what to set instead")
    if target is not None and target.endswith("ConnectionPool.urlopen"):
        index = 7  # urlopen(method, url, body, headers, retries, redirect, assert_same_host, timeout)
    return _timeout_edit(found, ctx, index=index)
