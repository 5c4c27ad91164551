from __future__ import annotations

from typing import Optional

import libcst as cst

from ..fix.fixers import fix_timeout
from .. import catalog
from ..facts import Facts
from ..rule import EVERYWHERE, MissingTimeoutRule, imported, timeout_positions
from ..names import derives_from
from ..scopes import CallSite, ClassScope
from ..signature import SOCKET_STATES, Signature


TIMEOUT_POSITION = timeout_positions(catalog.REQUESTS)
SESSION = "requests.Session"
# A subclass defining one of these may set a default timeout: its calls are not judged.
_TIMEOUT_HOOKS = frozenset({"__init__", "request", "send", "get_adapter", "mount", "merge_environment_settings"})


class RequestsWithoutTimeout(MissingTimeoutRule):
    """What it does:
    Finds `requests` calls in request handlers that have no timeout:
    `requests.get/post/put/patch/delete/head/options/request()` and the same
    methods plus `send()` on a `requests.Session`. The session is recognised when it
    was built with `requests.Session()` (assigned, bound by `with ... as`, stored on
    `self.`, annotated `s: requests.Session`, or called inline), and on an inline
    instance of a subclass of it defined in the module that overrides nothing a
    default timeout could hide in (`CustomSession().get(url)`). `timeout=None`
    counts as missing. A `**KWARGS` whose dict the module shows in full (assigned
    once, a dict display or `dict(...)`, never changed or handed on) is read like
    its keywords: without a `"timeout"` key the call has no timeout.

    Not reported: `timeout=` given as a name, a number, a tuple or an attribute;
    `**{"timeout": 3}`; a call that forwards an unseen `**kwargs` (a parameter, a
    dict changed or handed to another function); a receiver whose kind is unknown
    (a parameter without annotation, an object from another module).

    Why is this bad?
    `requests` waits forever by default. One upstream that accepts the connection and
    never answers parks the worker on this line; a few such requests and every worker
    of the server is stuck.

    Example:
    ```python
    @app.get("/user/<uid>")
    def fetch_user(uid):
        return requests.get(f"{API}/users/{uid}").json()
    ```

    Use instead:
    ```python
    @app.get("/user/<uid>")
    def fetch_user(uid):
        return requests.get(f"{API}/users/{uid}", timeout=(3.05, 27)).json()
    ```
    """

    code = "HB201"
    scope = EVERYWHERE
    runtime = Signature(states=SOCKET_STATES, untimed=True, libraries=("requests",))
    name = "requests-without-timeout"
    message = "{call}() {problem}: {where} can block forever on a stalled upstream; pass timeout=(connect, read)"
    gate = imported("requests")
    calls = catalog.last_names(TIMEOUT_POSITION)
    fixer = fix_timeout  # `flake8-handler-block fix`: see docs/fix.md
    fix_default_timeout = "(3.05, 30)"  # requests: (connect, read)
    timeouts = TIMEOUT_POSITION

    def check_call(self, site: CallSite, facts: Facts) -> None:
        target = self.ctx.callee(site.node, site.scope) or self._session_subclass_method(site)
        if target in self.timeouts:
            self.judge_timeout(site, self.timeouts[target], facts)

    def _session_subclass_method(self, site: CallSite) -> Optional[str]:
        """``CustomSession().get``: a plain subclass of requests.Session built inline."""
        func = site.node.func
        if not (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Call)):
            return None
        built = func.value.func
        if not isinstance(built, cst.Name):
            return None
        module = self.ctx.module
        if not derives_from(module, built.value, frozenset({SESSION})):
            return None
        method = func.attr.value
        if any(_defines(cls, _TIMEOUT_HOOKS | {method}) for cls in module.class_defs.get(built.value, [])):
            return None
        return f"{SESSION}.{method}"


def _defines(cls: ClassScope, names: frozenset, _seen: Optional[set] = None) -> bool:
    """Does the class, or a base of it defined in the module, define one of ``names``?"""
    seen = _seen if _seen is not None else set()
    if id(cls) in seen:
        return False
    seen.add(id(cls))
    if any(name in cls.methods or name in cls.bindings for name in names):
        return True
    return any(_defines(base, names, seen) for base in cls.local_bases())
