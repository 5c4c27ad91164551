from __future__ import annotations

from typing import Dict

from .. import catalog
from ..catalog import Api
from ..fix.fixers import fix_hb203
from ..facts import Facts
from ..calls import (
    MISSING, NONE, PRESENT, MappingFacts, Mappings, argument_state, call_text, forwards_unknown_kwargs, has_star,
    is_none, keyword, positional,
)
from ..names import Inst
from ..rule import EVERYWHERE, Rule
import libcst as cst

from ..scopes import CallSite
from ..signature import SOCKET_STATES, Signature

CALLS: Dict[str, Api] = catalog.family(catalog.THIRD_PARTY_HTTP)
HTTPX_CALLS = frozenset(callee for callee in CALLS if callee.startswith("httpx."))
ASYNC_CLIENT = "httpx.AsyncClient."


class ClientTimeoutDisabled(Rule):
    """What it does:
    Finds third-party HTTP clients whose timeout is turned off, in request handlers:
    - `httpx` functions, `httpx.Client()`/`AsyncClient()` and their methods called with
      `timeout=None` (httpx's 5 s default is fine when `timeout` is omitted); `httpx2`,
      the maintained continuation of httpx, is checked the same way. Not reported: a
      subscription, i.e. `stream(..., timeout=None)` opened inside a `while` loop of a
      generator (`async for line in r.aiter_lines(): ... yield event`, reconnecting on
      errors): waiting for the next event is what it is for. Nor a request of an
      `AsyncClient` in a coroutine that every caller in the project awaits under a
      deadline (`await asyncio.wait_for(pay(), 30)`, `async with asyncio.timeout(30):`,
      or a task awaited so), directly or a few awaited calls up: the deadline cancels
      the request. A handler, a thread, a task nobody awaits under a deadline, or a
      reference handed elsewhere keeps it reported;
    - `aiohttp.ClientTimeout(...)` that sets neither `total` nor `sock_read` (both
      default to None: no limit). `ClientSession(timeout=None)` is not reported:
      aiohttp then applies its 300 s default;
    - `urllib3` requests (`urllib3.request()`, and `request()`/`urlopen()` on a
      `PoolManager`, `ProxyManager` or `HTTP(S)ConnectionPool` built in this module)
      with neither a `timeout` argument nor a pool-level `timeout=`: urllib3 waits
      forever by default.

    Why is this bad?
    With the timeout off, an upstream that stops sending parks the handler forever.

    Example:
    ```python
    async def proxy(request):
        async with httpx.AsyncClient(timeout=None) as client:
            return await client.get(UPSTREAM)
    ```

    Use instead:
    ```python
    async def proxy(request):
        async with httpx.AsyncClient(timeout=httpx.Timeout(10.0)) as client:
            return await client.get(UPSTREAM)
    ```
    """

    code = "HB203"
    scope = EVERYWHERE
    runtime = Signature(states=SOCKET_STATES, untimed=True, libraries=("httpx", "aiohttp", "urllib3"))
    name = "client-timeout-disabled"
    message = "{call}() {problem}: {where} can block forever on a stalled upstream; {fix}"
    gate = ('httpx', 'aiohttp', 'ClientTimeout', 'urllib3')
    calls = catalog.last_names(CALLS) | {"ClientTimeout"}
    fixer = fix_hb203  # `flake8-handler-block fix`: see docs/fix.md
    fix_default_timeout = "10"
    needs = (MappingFacts,)  # `**KWARGS` of a dict the module shows in full is read like a literal

    def check_call(self, site: CallSite, facts: Facts) -> None:
        call = site.node
        target = self.ctx.callee(call, site.scope)
        if target is None:
            return
        mappings = facts[MappingFacts]
        if target in HTTPX_CALLS:
            if (argument_state(call, "timeout", mappings=mappings) == NONE and not _subscribes(site, target)
                    and not self._cancelled_by_callers(site, target, facts)):
                self._report(site, "passes timeout=None", "pass a finite timeout, e.g. timeout=10.0")
        elif target == "aiohttp.ClientTimeout":
            if not self._aiohttp_timeout_bounded(call):
                self._report(
                    site, "sets neither total nor sock_read",
                    "set total= or sock_read= (the others default to no limit)",
                )
        elif target == "urllib3.request":
            if argument_state(call, "timeout", mappings=mappings) in (MISSING, NONE):
                self._report(site, "has no timeout", "pass timeout=urllib3.Timeout(connect=..., read=...)")
        else:
            self._check_pool_request(site, target, mappings)

    def _cancelled_by_callers(self, site: CallSite, target: str, facts: Facts) -> bool:
        """An async client's request in a coroutine every caller of which awaits under a deadline
        (``asyncio.wait_for(pay(), 30)``, a task awaited so): the deadline cancels the request."""
        return target.startswith(ASYNC_CLIENT) and facts.reach.cancelled_by_callers(site.function)

    def _aiohttp_timeout_bounded(self, call) -> bool:
        # ClientTimeout(total, connect, sock_read, sock_connect, ...)
        values = positional(call)
        for name, index in (("total", 0), ("sock_read", 2)):
            value = keyword(call, name)
            if value is None and len(values) > index:
                value = values[index]
            if value is not None and not is_none(value):
                return True
        return forwards_unknown_kwargs(call) or has_star(call)  # unseen arguments: unknown

    def _check_pool_request(self, site: CallSite, target: str, mappings: Mappings) -> None:
        owner = target.rpartition(".")[0]
        pool_api, request_api = CALLS.get(owner), CALLS.get(target)
        if owner not in catalog.URLLIB3_POOL_TIMEOUTS or pool_api is None or request_api is None:
            return
        assert pool_api.timeout is not None and request_api.timeout is not None
        func = site.node.func
        pool = self.ctx.resolve(func.value, site.scope) if hasattr(func, "value") else None
        if not isinstance(pool, Inst) or pool.call is None:
            return
        if argument_state(pool.call, "timeout", pool_api.timeout.index, mappings) == PRESENT:
            return
        if argument_state(site.node, "timeout", request_api.timeout.index, mappings) in (MISSING, NONE):
            self._report(site, "has no timeout and its pool sets none",
                         "pass timeout=urllib3.Timeout(connect=..., read=...) here or to the pool")

    def _report(self, site: CallSite, problem: str, fix: str) -> None:
        self.report(site.node, site.function, call=call_text(site.node), problem=problem, fix=fix)


def _subscribes(site: CallSite, target: str) -> bool:
    """An event subscription: ``stream()`` inside a ``while`` loop of a generator that
    hands on what arrives (a long poll or server-sent events, reopened on each turn)."""
    function = site.function
    if not target.endswith(".stream") or function is None or not function.is_generator:
        return False
    blocks = site.block.chain() if site.block is not None else ()
    return any(block.kind == "loop" and isinstance(block.node, cst.While) for block in blocks)
