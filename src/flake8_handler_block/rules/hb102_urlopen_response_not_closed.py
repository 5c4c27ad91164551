from __future__ import annotations

from collections import deque
from typing import Deque, Dict, List, Optional, Tuple

import libcst as cst

from ..calls import call_text, is_data_url
from .. import catalog
from ..facts import Facts
from ..keeping import STORED, RETURNED, Keeps, Reads, holder_class, per_request_object
from ..primitives import function_named
from ..rule import EVERYWHERE, Rule
from ..scopes import CallSite, FunctionScope, Scope
from ..signature import Signature

READS = Reads(closers=frozenset({"close"}), called=frozenset({"read", "readlines"}), views=frozenset({"fp"}))


class UrlopenResponseNotClosed(Rule):
    """What it does:
    Finds `urllib.request.urlopen()`, `opener.open()` (an opener from
    `urllib.request.build_opener()`) and `http.client` `getresponse()` responses that
    are kept and never released: stored on an attribute (`self._feed = urlopen(url)`),
    in a module global or a container (`PENDING.append(resp)`, `CACHE[key] = resp`),
    and never read to the end (`read()`), closed, iterated or handed on anywhere in
    the module. A response returned by a function of the module is followed to that
    function's callers here, however long the chain.

    Not reported: a response that stays in locals (CPython closes it, socket included,
    when the function returns: nothing piles up), one read to the end (the socket is
    closed at EOF), used in `with` or `contextlib.closing`, passed to another call
    (`json.load(resp)`, a helper: it may close it), returned to a caller outside the
    module; one stored on `self` of a class whose instances serve one request (an
    `http.server` handler, a class-based view: it dies with the request); a holder
    the module also closes, reads, iterates, drains or replaces;
    `urlopen("data:...")` (no socket).

    Why is this bad?
    A response kept alive holds its socket (and, for `http.client`, its connection)
    open as long as whatever keeps it lives: kept per request or per item in a
    container, sockets pile up until the process runs out of file descriptors, and
    the peer sees idle connections it cannot reuse.

    Example:
    ```python
    class StatusFeed:
        def __init__(self, url):
            self._resp = urlopen(url, timeout=5)

        def status(self):
            return self._resp.status
    ```

    Use instead:
    ```python
    class StatusFeed:
        def __init__(self, url):
            with urlopen(url, timeout=5) as resp:
                self._status = resp.status

        def status(self):
            return self._status
    ```
    """

    code = "HB102"
    scope = EVERYWHERE
    needs = (Keeps,)
    runtime = Signature(leaks=frozenset({"response"}), libraries=("urllib.request", "http.client"))
    name = "urlopen-response-not-closed"
    message = (
        "{call}() response{origin} is kept in {holder} and never read to the end or closed: its socket stays "
        "open as long as {holder} lives ({where}); close it (or read it to the end) once done"
    )
    gate = ('urlopen', 'getresponse', 'build_opener', 'OpenerDirector')
    calls = frozenset({"urlopen", "open", "getresponse"})

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self.created: List[Tuple[cst.Call, FunctionScope]] = []
        self.local_calls: List[Tuple[cst.Call, Scope]] = []  # f(...), self.m(...): the chain to callers

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Name) or (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name)):
            if self.ctx.function is not None:
                self.local_calls.append((node, self.ctx.scope))

    def check_call(self, site: CallSite, facts: Facts) -> None:
        if site.function is None or self.ctx.callee(site.node, site.scope) not in catalog.URLOPEN_RESPONSE_CALLS:
            return
        if not is_data_url(site):
            self.created.append((site.node, site.function))

    def finish(self, facts: Facts) -> None:
        if not self.created:
            return
        keeping = facts[Keeps]
        handlers = list(facts.reach.handlers)
        work: Deque[Tuple[cst.Call, FunctionScope, str]] = deque((c, f, "") for c, f in self.created)
        returning: Dict[FunctionScope, str] = {}  # functions that return a response -> its origin
        callers: Optional[Dict[FunctionScope, List[Tuple[cst.Call, FunctionScope]]]] = None
        while work:
            call, function, origin = work.popleft()
            fate = keeping.fate(function, call, READS)
            if fate.kind == STORED and fate.kept is not None:
                kept = fate.kept
                if kept.holder.startswith("self.") and per_request_object(function, handlers):
                    continue
                if keeping.released_elsewhere(kept, READS, within=holder_class(function, kept)):
                    continue
                self.report(call, function, call=call_text(call), origin=origin, holder=kept.holder)
            elif fate.kind == RETURNED and function not in returning:
                returning[function] = origin or f" (from {call_text(call)}())"
                if callers is None:
                    callers = self._callers()
                for caller_call, caller in callers.get(function, ()):
                    work.append((caller_call, caller, returning[function]))

    def _callers(self) -> Dict[FunctionScope, List[Tuple[cst.Call, FunctionScope]]]:
        found: Dict[FunctionScope, List[Tuple[cst.Call, FunctionScope]]] = {}
        for call, scope in self.local_calls:
            callee = function_named(call.func, scope)
            caller = scope.function
            if callee is not None and caller is not None:
                found.setdefault(callee, []).append((call, caller))
        return found
