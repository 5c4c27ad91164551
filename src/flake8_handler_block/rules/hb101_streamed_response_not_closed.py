from __future__ import annotations

from typing import Optional, Tuple

import libcst as cst

from ..fix.blocks import fix_hb101
from .. import catalog
from ..facts import Facts
from ..calls import call_text, is_false, is_true, keyword
from ..keeping import STORED, Keeps, Reads, holder_class, per_request_object
from ..ownership import CLOSED, NEVER_BOUND, Fate, Ownership, Policy, UNSAFE
from ..rule import EVERYWHERE, Rule
from ..scopes import CallSite
from ..signature import Signature

OWNER_POLICY = Policy(closers=frozenset({"close", "aclose", "clear"}), strict=True)
# What reads the whole body, which hands the connection back to its pool.
FULL_READS = {
    "requests": Reads(
        closers=frozenset({"close"}), called=frozenset({"json"}), attributes=frozenset({"content", "text"}),
        views=catalog.RESPONSE_VIEWS["requests"],
    ),
    "aiohttp": Reads(
        closers=frozenset({"close", "release"}), called=frozenset({"read", "text", "json"}),
        views=catalog.RESPONSE_VIEWS["aiohttp"], read_views=frozenset({"content"}),
    ),
}
# Module functions: each builds a Session of its own for the one request and closes it.
THROWAWAY_SESSION = frozenset(f"requests.{verb}" for verb in catalog.STREAM_VERBS)


class StreamedResponseNotClosed(Rule):
    """What it does:
    Finds streamed HTTP responses in request handlers that are never closed:
    - `requests` `Session` methods with `stream=True`; the module functions
      (`requests.get(..., stream=True)`) only when the response is kept (stored on an
      attribute, a global or a container and never read or closed in the module):
      each builds a session of its own for the one request, so a response dropped
      with the function's locals is closed by CPython and no pool runs dry;
    - `httpx.stream()` / `client.stream()` not used in `with`/`async with`, and
      `client.send(..., stream=True)`;
    - `urllib3` `request()`/`urlopen()` with `preload_content=False` and no
      `release_conn()`, `close()` or `drain_conn()`;
    - `aiohttp` `await session.get/post/.../request()` outside `async with`, never
      `release()`d or `close()`d.

    A `close()` that only runs on the straight path (after code that can raise or
    return) is reported too: an exception skips it.

    Not reported: a body read in full (`r.content`, `r.text`, `r.json()`; aiohttp
    `await resp.read()/text()/json()` or `await resp.content.read()`, whose end of stream
    gives the connection back; a `for`/`async for` loop over `r.iter_content()`,
    `r.iter_lines()` or `resp.content.iter_chunked(n)` with no `break`, `return`, `raise`
    or `yield` in it), which gives the connection back to the pool;
    the response used in `with`/`async with` or `contextlib.closing`,
    closed in a `finally`, handed to `ExitStack.enter_context`/`callback`, returned,
    yielded, stored on `self`/a global/a container, passed to another call (not a function
    of this module that only uses it: it stays the caller's to close), or whose
    body is handed on to be streamed (`StreamingResponse(r.iter_content())`,
    `Response(r.raw)`, a generator that reads it); a response whose session or
    connection is closed by the `with` that owns it or in a `finally`. `stream=` given
    as a variable is not reported (unknown). Nor an aiohttp response no name ever refers
    to (`await session.post(url, json=event)` as a statement of its own, or tested at
    once: `(await session.head(url)).status`): CPython frees it when the expression is
    done, and aiohttp's finaliser gives its connection back then.

    Why is this bad?
    A streamed response holds its pooled connection until it is read to the end or
    closed. Every request that leaks one takes a connection out of the pool; when the
    pool is empty the next request blocks waiting for a free connection (or opens
    sockets until file descriptors run out).

    Example:
    ```python
    @app.get("/export")
    def export():
        r = STORAGE.get(EXPORT_URL, stream=True, timeout=10)  # STORAGE = requests.Session()
        if r.status_code != 200:
            abort(502)
        return save(r.iter_lines())
    ```

    Use instead:
    ```python
    @app.get("/export")
    def export():
        with STORAGE.get(EXPORT_URL, stream=True, timeout=10) as r:
            if r.status_code != 200:
                abort(502)
            return save(r.iter_lines())
    ```
    """

    code = "HB101"
    scope = EVERYWHERE
    needs = (Ownership, Keeps)
    runtime = Signature(leaks=frozenset({"response"}), libraries=("requests", "httpx", "urllib3"))
    name = "streamed-response-not-closed"
    message = "{call}() {problem}: {where} {consequence}; {fix}"
    gate = ('stream=True', 'stream = True', 'preload_content', 'aiohttp', '.stream(')
    fixer = fix_hb101  # `flake8-handler-block fix`: see docs/fix.md
    calls = frozenset({*catalog.STREAM_VERBS, "send", "stream", "urlopen", "request_encode_url", "request_encode_body"})

    def check_call(self, site: CallSite, facts: Facts) -> None:
        flows = facts[Ownership]
        function = site.function
        if function is None:
            return
        call = site.node
        kind = self._kind(site)
        if kind is None:
            return
        family, what = kind
        policy = Policy(closers=catalog.STREAM_CLOSERS, views=catalog.RESPONSE_VIEWS[family], strict=True)
        value = flows.origin(function, call)
        if family == "aiohttp" and value is call:
            return  # only an awaited request hands out a response (else `async with`)
        reads = FULL_READS.get(family)
        if reads is not None and facts[Keeps].read_in_full(function, value, reads):
            return  # reading the whole body gives the connection back
        if family == "requests" and self.ctx.callee(call, site.scope) in THROWAWAY_SESSION:
            self._kept(site, value, what, facts)
            return
        result = flows.fate(function, value, policy)
        if not result.finding:
            return
        if family == "aiohttp" and result.detail == NEVER_BOUND:
            return  # `await session.post(url)` as a statement: freed at once, aiohttp's finaliser releases it
        if not (family == "httpx" and what.startswith("stream")):
            owner = flows.owner_fate(function, call, OWNER_POLICY)
            if owner is not None and owner.kind in (CLOSED, UNSAFE):
                if owner.close is None:
                    return  # its session/pool is closed on every path (with, finally)
                if not flows.risky_before(function, call, owner.close):
                    return
                result = Fate(UNSAFE, "closed through its owner on the straight path")
        if family == "aiohttp":
            fix = "use `async with` (or release() in finally)"
        else:
            fix = "use `with` (or close() in finally)"
        if result.kind == UNSAFE:
            problem = f"{what} is closed only on the straight path"
            consequence = "skips close() when an exception or early return comes first and leaks the connection"
        else:
            problem = f"{what} is never closed"
            consequence = "leaks a pooled connection (under load the pool runs dry)"
        self.report(call, function, call=call_text(call), problem=problem, consequence=consequence, fix=fix)

    def _kept(self, site: CallSite, value: cst.CSTNode, what: str, facts: Facts) -> None:
        """``requests.get(stream=True)``: its throw-away session pools nothing and CPython closes a
        response dropped with the function's locals; only one kept somewhere leaks its connection."""
        function = site.function
        assert function is not None
        keeping = facts[Keeps]
        reads = FULL_READS["requests"]
        fate = keeping.fate(function, value, reads)
        kept = fate.kept
        if fate.kind != STORED or kept is None:
            return
        if kept.holder.startswith("self.") and per_request_object(function, facts.reach.handlers):
            return
        if keeping.released_elsewhere(kept, reads, within=holder_class(function, kept)):
            return
        self.report(
            site.node, function, call=call_text(site.node),
            problem=f"{what} is kept in {kept.holder} and never read or closed",
            consequence=f"holds its connection open as long as {kept.holder} lives",
            fix="close it (or read it in full) once done",
        )

    def _kind(self, site: CallSite) -> Optional[Tuple[str, str]]:
        call = site.node
        target = self.ctx.callee(call, site.scope)
        if target is None:
            return None
        if target in catalog.STREAMED_REQUESTS_CALLS:
            return ("requests", "streamed response (stream=True)") if is_true(keyword(call, "stream")) else None
        if target in catalog.HTTPX_STREAM_CALLS:
            return "httpx", "stream outside `with`"
        if target in catalog.HTTPX_SEND_CALLS:
            return ("httpx", "streamed response (stream=True)") if is_true(keyword(call, "stream")) else None
        if target in catalog.URLLIB3_RESPONSE_CALLS:
            unloaded = is_false(keyword(call, "preload_content"))
            return ("urllib3", "response (preload_content=False)") if unloaded else None
        if target in catalog.AIOHTTP_RESPONSE_CALLS:
            return "aiohttp", "response awaited outside `async with`"
        return None
