from __future__ import annotations

from typing import Optional

from ..fix.blocks import fix_hb102
from ..facts import Facts
from ..calls import call_text
from ..ownership import CLOSED, Ownership, Policy, UNSAFE
from ..rule import EVERYWHERE, Rule
from ..scopes import CallSite
from ..signature import Signature

# callee -> what the message calls the result
RESPONSE_CALLS = {
    "urllib.request.urlopen": "response",
    "urllib.request.build_opener.open": "response",
    "urllib.request.OpenerDirector.open": "response",
    "http.client.HTTPConnection.getresponse": "response",
    "http.client.HTTPSConnection.getresponse": "response",
}
POLICY = Policy(closers=frozenset({"close"}), views=frozenset({"fp"}), strict=True)
OWNER_POLICY = Policy(closers=frozenset({"close"}), strict=True)


class UrlopenResponseNotClosed(Rule):
    """What it does:
    Finds `urllib.request.urlopen()`, `opener.open()` (an opener from
    `urllib.request.build_opener()`) and `http.client` `getresponse()` results in
    request handlers that are not used as a context manager and not closed on every
    path. A `close()` that only runs on the straight path, after code that can raise
    or return, is reported: an exception skips it.

    Not reported: `with urlopen(...) as r`, `contextlib.closing(urlopen(...))`, a
    `close()` in `finally`, `ExitStack.enter_context(...)`/`callback(r.close)`, a
    response that is returned, yielded, stored on `self`/a global/a container or
    passed to another call (which may take it over). A `getresponse()` whose
    connection is closed in a `finally` or by the `with` that owns it is closed
    through its owner. Reading calls such as `json.load(r)` do not take ownership.

    Why is this bad?
    The response keeps its socket open until it is closed; relying on the garbage
    collector leaks file descriptors under load (and on PyPy or with reference
    cycles, for a long time), and a connection left half-read cannot be reused.

    Example:
    ```python
    def do_GET(self):
        data = json.load(urlopen(STATUS_URL, timeout=5))
        self.send_json(data)
    ```

    Use instead:
    ```python
    def do_GET(self):
        with urlopen(STATUS_URL, timeout=5) as response:
            data = json.load(response)
        self.send_json(data)
    ```
    """

    code = "HB102"
    scope = EVERYWHERE
    needs = (Ownership,)
    runtime = Signature(leaks=frozenset({"response"}), libraries=("urllib.request", "http.client"))
    name = "urlopen-response-not-closed"
    message = "{call}() {problem}: {where} {consequence}; use `with {call}(...) as r:` (or close() in finally)"
    gate = ('urlopen', 'getresponse', 'build_opener', 'OpenerDirector')
    fixer = fix_hb102  # `flake8-handler-block fix`: see docs/fix.md
    calls = frozenset({"urlopen", "open", "getresponse"})

    def check_call(self, site: CallSite, facts: Facts) -> None:
        flows = facts[Ownership]
        function = site.function
        if function is None:
            return
        call = site.node
        target = self.ctx.callee(call, site.scope)
        if target not in RESPONSE_CALLS:
            return
        result = flows.fate(function, flows.origin(function, call), POLICY)
        if not result.finding:
            return
        kind: Optional[str] = result.kind
        if target.endswith("getresponse"):
            owner = flows.owner_fate(function, call, OWNER_POLICY)
            if owner is not None and owner.kind in (CLOSED, UNSAFE):
                if owner.close is None:
                    return  # the connection is closed on every path (with, finally)
                # Closed through its connection: judged from this response on.
                kind = UNSAFE if flows.risky_before(function, call, owner.close) else None
                if kind is None:
                    return
        if kind == UNSAFE:
            problem = "response is closed only on the straight path"
            consequence = "skips close() when an exception or early return comes first and leaks the socket"
        else:
            problem = "response is never closed"
            consequence = "leaks its socket until the garbage collector gets to it"
        self.report(call, function, call=call_text(call), problem=problem, consequence=consequence)
