from __future__ import annotations

from typing import Optional

import libcst as cst

from ..facts import Facts
from ..loops import runs_until_stopped
from ..calls import call_text, keyword
from ..ownership import Ownership, Policy
from .. import catalog, names
from ..rule import EVERYWHERE, Rule, imported
from ..scopes import CallSite, FunctionScope, calls_method_on
from ..walk import iter_nodes
from ..signature import Signature

_CLIENTS = {**catalog.CLIENTS, **catalog.POOLED_SDK_CLIENTS}
POLICY = Policy(closers=catalog.closers(_CLIENTS))


class ClientNotClosed(Rule):
    """What it does:
    Finds HTTP clients and connection pools created inside a request handler and
    never closed: `requests.Session()`, `httpx.Client()`/`AsyncClient()`,
    `aiohttp.ClientSession()`, `urllib3.PoolManager()`/`ProxyManager()` and
    `http.client.HTTPConnection`/`HTTPSConnection`, and the LLM SDKs' clients that own such a
    pool (`openai.OpenAI`/`AsyncOpenAI` and the Azure ones, `anthropic.Anthropic`/`AsyncAnthropic`,
    `groq.Groq`/`AsyncGroq`), when they are not used in `with`/`async with` and have no `close()`
    (`aclose()`, `clear()` for pools). authlib's httpx clients (`AsyncOAuth2Client`,
    `OAuth2Client`...) are httpx clients too, reported when the function sends a request on one
    (`fetch_token()`, `get()`...): one built only to make the sign-in URL
    (`create_authorization_url()`) never connects.
    An inline `requests.Session().get(...)` is reported: nothing can close it. A call of a
    function that builds and returns a new client creates one too: of the module
    (`s = _new_session()`, `self._make_session()`, a class's own classmethod or staticmethod
    called on the class: `HTTPClient._create_session(retries)`), or of another module of the
    project whose every `return` gives a library client built there
    (`client = await get_authenticated_client()`); one that hands out a client it keeps
    (`return cls._shared`, an `lru_cache`d getter, another project function's result) does not.
    So is an
    instance of a class of the module deriving from one of these
    (`class SigningSession(requests.Session)`, then `SigningSession(key)`): it holds the
    same pool, whatever it adds. And so is an instance of a class of the project, of any
    module, that builds one of these clients into an attribute of its own (or whose base class
    does: `EnsemblClient(BaseAsyncClient)`) and can close it
    (`close()`, `aclose()`, `__exit__`): `HttpClient()` whose `__init__` sets
    `self._client = httpx.Client(...)` owns that pool; the fix releases it as the class
    does: its own `close()` (or `aclose()`) in a `finally`, or `with`/`async with` for a
    class that only closes on leaving one. Only a call passing no argument counts: an argument may lend it the
    client (`HttpClient(shared)`), which it must not close.

    An SDK client is reported only where a handler reaches it: dropped elsewhere, it was mostly
    in a function that runs rarely (a provider's key check, a failure hook) or no longer at all.

    Not reported: a client closed anywhere in the function (a straight-line `close()`
    counts here; the responses it produced are HB101/HB102's business), used in
    `with`, handed to `contextlib.closing`/`ExitStack.enter_context`, returned,
    yielded, stored on `self`/`app`/a global/a container, or passed to another call
    (not a function of this module that only uses it, calling its methods or reading it:
    `mint(session, url)` leaves the session to its caller);
    clients created at module level or in `__init__` (shared, the recommended way).
    Nor a client working on a pool it was lent: `httpx.Client`/`AsyncClient` given
    an existing `transport=` (closing the client would close the shared transport,
    so leaving it open is right), `aiohttp.ClientSession(..., connector_owner=False)`, an SDK
    client given an `http_client=` built elsewhere.
    A transport built in the call itself (`transport=httpx.HTTPTransport()`) is the
    client's own and is reported like any other.
    Nor a client a worker function builds once and then uses in the loop that ends
    its body and runs until the process stops it (`while True:`,
    `while not stop.is_set():`), when no handler reaches that function: it is one
    client for the worker's life, the reuse this rule asks for.

    Why is this bad?
    Each client owns a connection pool. Creating one per request and dropping it
    leaves its sockets open until the garbage collector runs (aiohttp also warns
    "Unclosed client session"), and throws away connection reuse: every request pays
    a new TCP and TLS handshake.

    Example:
    ```python
    @app.get("/weather")
    async def weather(city: str):
        client = httpx.AsyncClient(timeout=5)
        r = await client.get(WEATHER_URL, params={"q": city})
        return r.json()
    ```

    Use instead:
    ```python
    @app.get("/weather")
    async def weather(city: str):
        async with httpx.AsyncClient(timeout=5) as client:
            r = await client.get(WEATHER_URL, params={"q": city})
        return r.json()
    ```
    """

    code = "HB103"
    scope = EVERYWHERE
    needs = (Ownership,)
    runtime = Signature(
        leaks=frozenset({"client", "response"}), libraries=("requests", "httpx", "aiohttp", "urllib3", "http.client")
    )
    name = "client-not-closed"
    message = (
        "{call}() {kind} is created per {per} and never closed: {where} leaks its connection pool; "
        "use `{with_}` or create one shared client at startup"
    )
    gate = imported("requests", "httpx", "aiohttp", "urllib3", "openai", "anthropic", "groq") + (
        "HTTPConnection", "HTTPSConnection")
    # requests.session() builds a Session too; authlib's httpx clients are httpx clients
    calls = catalog.last_names(_CLIENTS) | {"session"} | catalog.OAUTH_CLIENT_NAMES

    def check_call(self, site: CallSite, facts: Facts) -> None:
        flows = facts[Ownership]
        function = site.function
        if function is None:
            return
        call = site.node
        built = names.called_result(call, site.scope)  # also through a factory: `s = _new_session()`
        target = built.producer if built is not None and not built.declared else None
        closer: Optional[str] = None  # how an owner of a client releases it (`HttpClient()`)
        if target not in _CLIENTS:  # `RedirectValidatingSession(v)`: still a Session; `HttpClient()`: owns one
            target, closer = names.project_client(call, site.scope, _CLIENTS)
        client = _CLIENTS.get(target or "")
        if client is None:
            return
        if function.name in ("__init__", "__aenter__", "setup", "setUp", "startup", "on_startup"):
            return
        if _borrows_pool(call, client):
            return
        reached = facts.reach.link(function) is not None
        if target in catalog.POOLED_SDK_CLIENTS and not reached:
            return  # an SDK client dropped where no handler reaches: mostly code that runs rarely, if ever
        origin = flows.origin(function, call)
        result = flows.fate(function, origin, POLICY)
        if not result.finding:
            return
        if site.name in catalog.OAUTH_CLIENT_NAMES and not _sends_on(function, result.name or ""):
            return  # an OAuth client built to make a sign-in URL: it never connects
        per = "request" if reached else "call"
        if per == "call" and result.name and _kept_for_worker_loop(function, origin, result.name):
            return
        if closer is not None:  # released the way the class releases it: its close(), or as a context manager
            holder = f"{result.name}." if result.name else ""
            kind, with_ = f"(holding its own {target})", _RELEASE[closer].format(holder)
        else:
            kind, with_ = client.kind, "async with" if client.async_with else "with"
        self.report(call, function, call=call_text(call), kind=kind, with_=with_, per=per)


# How the fix releases an owner of a client, by the closer its class has (catalog.OWNER_CLOSERS)
_RELEASE = {
    "close": "finally: {}close()", "aclose": "finally: await {}aclose()", "__exit__": "with", "__aexit__": "async with",
}


def _borrows_pool(call: cst.Call, client: catalog.Resource) -> bool:
    """The client works on a pool the caller lends it and keeps: ``httpx.AsyncClient(transport=SHARED)``
    (closing the client would close the shared transport), ``aiohttp.ClientSession(connector=c,
    connector_owner=False)``. A pool built in the argument itself is the client's own."""
    for name, wanted in client.borrowed_pool:
        value = keyword(call, name)
        if value is None:
            continue
        if wanted is None and not isinstance(value, (cst.Call, cst.Lambda)):
            return True
        if wanted is not None and isinstance(value, cst.Name) and value.value == wanted:
            return True
    return False


def _sends_on(function: FunctionScope, name: str) -> bool:
    """``function`` sends a request on the client its name ``name`` holds (``client.fetch_token(...)``,
    ``client.get(...)``: catalog.OAUTH_CLIENT_REQUESTS); False for no name."""
    return bool(name) and any(
        calls_method_on(node, name, catalog.OAUTH_CLIENT_REQUESTS)
        for node in iter_nodes(function.node.body, prune=(cst.FunctionDef, cst.ClassDef, cst.Lambda))
    )


def _kept_for_worker_loop(function: FunctionScope, origin: cst.CSTNode, name: str) -> bool:
    """``origin`` is in a statement of ``function``'s body (not in a branch or a loop),
    and the body ends with a worker loop (``while True``/``while not stop.is_set()``)
    that uses ``name``."""
    body = function.node.body.body
    if not body:
        return False
    top = [statement for statement in body[:-1] if isinstance(statement, cst.SimpleStatementLine)]
    if not any(node is origin for statement in top for node in iter_nodes(statement)):
        return False
    loop = body[-1]
    if not isinstance(loop, cst.While) or not runs_until_stopped(loop.test):
        return False
    return any(isinstance(node, cst.Name) and node.value == name for node in iter_nodes(loop.body))
