from __future__ import annotations

from typing import TYPE_CHECKING, Dict, List, Optional, Set, Tuple

import libcst as cst

from ..catalog import (
    APIS, EXECUTOR_MAPS, FUTURE_INSTEAD, GOOGLE_AUTH_TRANSPORTS, HTTP_INSTEAD, LDAP3_AUTO_BIND, LDAP3_AUTO_BIND_INDEX,
    SDK_PACKAGES, SUBPROCESS, URLLIB3_POOL_KINDS, TRANSPORT_SEND, URLLIB3_POOL_QUIET_METHODS, Api, last_names,
    ldap3_auto_binds, sdk_request, sends_through_transport,
)
from ..commands import ends_at_once
from ..facts import Facts
from ..handlers import INLINE_MCP_MODULE
from ..calls import (
    argument, call_text, calls_named, does_not_block, is_data_url, is_negligible_wait, is_true, is_zero,
    returns_at_once, spawn_waits,
)
from ..names import Inst, Ref, agree, last_name
from ..rule import ASYNC_HANDLER, Rule, connects_later, imported
from ..scopes import CallSite, FunctionScope, Scope, checked_not_empty, finished_future, stopped_before
from ..signature import Signature

if TYPE_CHECKING:  # pragma: no cover
    from ..scopes import _Bound


BLOCKING: Dict[str, Api] = {callee: api for callee, api in APIS.items() if api.blocking is not None}


class BlockingCallInAsyncHandler(Rule):
    """What it does:
    Finds blocking calls in an `async def` handler, that is, on its event loop: in
    the handler, in the functions nested in it that it calls, and in the functions
    and methods of the same module it calls by name (`helper()`, `self.helper()`),
    sync or async, transitively. A sync handler is not checked, not even a Tornado
    handler's `def get(self)`, which Tornado does call on its IOLoop's thread: the rule
    is defined for `async def` handlers; such a call is still reported by HB201-HB205
    when it has no timeout. One exception: a sync tool, resource or prompt of the MCP
    SDK 1.x's `FastMCP` (`from mcp.server.fastmcp import FastMCP`, a module the SDK's
    2.x no longer has) is called in place by the server's coroutine, on its loop, and
    is checked as an `async def` handler is; so is one of FastMCP's own `fastmcp` package
    when the project's requirements allow only its 2.x (`fastmcp<3`, a pin, a lock file
    that locks a 2.x), which calls sync tools in place too (FastMCP 3 hands them to a
    thread: with no requirement found, or one that allows 3, they are not checked). The
    calls are:
    - `time.sleep()`;
    - `requests.get/post/put/patch/delete/head/options/request()` and the same
      methods plus `send()` on a `requests.Session`;
    - `urllib.request.urlopen()` and `open()` on an opener from `build_opener()`;
    - `connect()`/`request()`/`getresponse()`/`endheaders()`/`send()` of an
      `http.client.HTTPConnection`/`HTTPSConnection` (its constructor sends nothing);
    - the sync `httpx` functions (`httpx.get()`, ..., `httpx.stream()`) and the
      methods of an `httpx.Client` (not `httpx.AsyncClient`);
    - `urllib3.request()` and `request()`/`urlopen()` on a `PoolManager`,
      `ProxyManager` or `HTTP(S)ConnectionPool`;
    - `subprocess.run/call/check_call/check_output/getoutput/getstatusoutput()`,
      `Popen.wait()/communicate()`, `os.system()`, `read()`/`readlines()`/`close()`
      on an `os.popen()` pipe, `os.spawnl/le/lp/lpe/v/ve/vp/vpe()` with mode
      `os.P_WAIT` (not `P_NOWAIT`/`P_DETACH`, and never `os.posix_spawn()`, which
      does not wait), and `os.wait()/wait3()/wait4()/waitpid()/waitid()` unless
      their options hold `os.WNOHANG`;
    - libraries that run a program and wait for it: pytesseract's OCR calls
      (`image_to_string()`, `image_to_data()`, ...) and pdf2image's
      `convert_from_path()`/`convert_from_bytes()` (Poppler's `pdftoppm`), seconds a page;
    - `socket.create_connection()`, and `websocket.create_connection()` of the
      websocket-client package;
    - `pamela.authenticate()` (and its other PAM calls), python-pam's `pam.authenticate()` (and
      its authenticator's, `pam.pam().authenticate()`), and `keyring.get_password()`/
      `set_password()`/`delete_password()`/`get_credential()`: a PAM stack waits
      after a wrong password and may ask sssd, LDAP or Kerberos; the Secret Service
      may wait for its user to unlock it;
    - google-auth's ID token checks (`id_token.verify_oauth2_token()`, `verify_token()`,
      `verify_firebase_token()`, `fetch_id_token()`), which fetch the issuer's keys on every
      call, and any call handed its sync transport, `google.auth.transport.requests.Request()`
      or a name bound to one (`credentials.refresh(Request())`: the token endpoint, the
      metadata server); a transport of unknown kind is not reported, nor an
      `AuthorizedSession(credentials, auth_request=Request())`, which keeps it for later;
    - the synchronous calls (`simple_bind_s()`, `search_s()`, `start_tls_s()`, ...) of
      a python-ldap connection (`ldap.initialize()`, `ReconnectLDAPObject()`), whatever
      timeout it has: each waits for the directory's answer;
    - GitPython's commands that talk to a remote (`repo.git.push()`,
      `repo.remotes.origin.pull()`, `Repo.clone_from()`, HB204's), whatever timeout they
      have: git runs as a child and the call waits for it;
    - the standard library's mail, FTP and telnet clients given a host
      (`smtplib.SMTP("mail.internal")`, `ftplib.FTP(host)`: they connect, and log
      in, in the constructor; `smtplib.SMTP()` connects nowhere yet), and
      `imaplib.IMAP4*()`/`poplib.POP3*()`/`nntplib.NNTP*()`, which always connect; an
      SMTP connection's commands too (`smtp.connect()`, `login()`, `starttls()`,
      `sendmail()`, `send_message()`, `quit()`: each waits for the server's answer);
    - `threading` `Event.wait()`, `Condition.wait()/wait_for()`, `Barrier.wait()`,
      `Thread.join()`, `Lock/RLock/Semaphore/BoundedSemaphore/Condition.acquire()`,
      `multiprocessing.Process.join()`;
    - `get()` on a `queue.Queue/LifoQueue/PriorityQueue/SimpleQueue` or a
      `multiprocessing.Queue`, and `put()` on one of these built with a `maxsize`
      (an unbounded queue's `put()` never waits; a `get()` under `while not q.empty():`
      takes the item the test saw; a `wait()` after `communicate()`, `kill()` or
      `terminate()` of the same process, a `communicate()` after `kill()` or `terminate()`
      (`if p.poll() is None: p.terminate()`, then `p.communicate()` collects what is left),
      or right after a statement of its block that
      sends `signal.SIGKILL`/`SIGTERM`, only reaps it, in the handler or in a helper it
      calls);
    - any method reached below a synchronous SDK client of a hosted API
      (`openai.OpenAI`/`AzureOpenAI`, `anthropic.Anthropic` and its Bedrock and
      Vertex clients, `groq.Groq`, `cohere.Client`/`ClientV2`, `together.Together`,
      `mistralai.Mistral`, `elevenlabs.ElevenLabs`, `ollama.Client`,
      `huggingface_hub.InferenceClient`, `google.genai.Client`, the search and scraping
      clients `tavily.TavilyClient`, `exa_py.Exa`, `firecrawl.FirecrawlApp`/`Firecrawl`; also boto3 clients
      and resources (`boto3.resource("dynamodb").Table(name).put_item()`; building a
      resource, `Table(name)`, and a collection, `bucket.objects.filter()`, send nothing),
      `slack_sdk.WebClient`, `sendgrid.SendGridAPIClient`,
      `elasticsearch.Elasticsearch`, `pymongo.MongoClient`, `stripe.StripeClient`, the
      vector databases' `qdrant_client.QdrantClient`, `pymilvus.MilvusClient` and
      `chromadb.HttpClient`, the chat bots' `webexteamssdk.WebexTeamsAPI`, IBM Watson's
      `AssistantV1`/`V2` (not its local `set_service_url()`-style settings) and
      Dialogflow's `SessionsClient`, the Docker daemon's `docker.from_env()`/`DockerClient`/
      `APIClient` (`client.images.get()`) and its models as a function declares them
      (`container: docker.models.containers.Container`, then `container.reload()`), an
      `ldap3.Connection` (`conn.search()`: of
      its default SYNC strategy, each operation waits for the directory; the rule does not
      tell an ASYNC-strategy connection apart, rare in an event loop's code; building one
      told to bind, `auto_bind=True` or a binding mode such as `ldap3.AUTO_BIND_NO_TLS`,
      connects and binds in the constructor; not the default, `False` or `AUTO_BIND_NONE`,
      nor a mode read from settings), paramiko's `SSHClient` (`connect()`, `exec_command()`,
      `open_sftp()`: round trips to the host; not its local settings and host keys,
      `set_missing_host_key_policy()`, `load_system_host_keys()`), an `xmlrpc.client.ServerProxy`
      (each remote method called on it, `proxy.execute_kw(...)`, is an HTTP round trip), `supabase`'s
      sync client, PyJWT's `jwt.PyJWKClient` (`get_signing_key_from_jwt()`: a key it has not
      cached, the first token's or after its key set's 300 s lifespan, is fetched with a
      blocking `urlopen()` of up to 30 s; not the static `match_kid()`), the kubernetes
      client's API classes (`client.CoreV1Api().list_namespaced_pod()`) and dynamic client
      (`dyn.resources.get(...).get()`; not the lookup itself, answered from the discovery it
      keeps, nor `api.api_client`'s local helpers), Google's discovery-based API clients
      (`googleapiclient.discovery.build(...)`: only the `execute()` that sends a request,
      `service.users().messages().get(...).execute()`; the resources and the request it
      builds before send nothing), and
      the connection of a DB-API driver: `psycopg2`/`psycopg`, `pymysql`, `MySQLdb`,
      `mysql.connector`, `snowflake.connector`, `pyodbc`, `oracledb`, `cx_Oracle`,
      whose `connect()` is reported too, and its cursors' `execute()`, and the pools
      `psycopg_pool.ConnectionPool` and psycopg2's `SimpleConnectionPool`/`ThreadedConnectionPool`,
      whose `connection()`/`getconn()` waits for a free connection or opens one, redis-py's
      sync client (`redis.Redis`, `StrictRedis`, `from_url()`: every command; a pipeline's
      buffered commands are not, its `execute()` is), rq's `Queue` (`enqueue()`) and msal's
      applications (`acquire_token_*()`, and building one, which discovers its authority over
      HTTP; msal has no async side)), at any depth
      (`client.chat.completions.create()`, also after `client.with_options(...)`),
      the `openai` module's default client (`openai.chat.completions.create()`) and
      `ollama.chat()`/`generate()`/...: each is an HTTP round trip under the SDK's
      long default timeout. Not what is built locally (`with_options()`, `copy()`,
      `close()`, `is_closed()`, boto3's `generate_presigned_url()`/`get_paginator()`, pymongo's
      `get_database()`/`get_collection()`, a connection's `cursor()`, a cursor's
      `fetchall()`, and `commit()`/`rollback()` after the reported `execute()`, redis-py's
      `pipeline()`, `lock()`, `pubsub()` and `register_script()`, msal's `get_accounts()`,
      `initiate_auth_code_flow()` and `get_authorization_request_url()`),
      boto3's `meta`/`exceptions`, OpenAI's `webhooks.unwrap()`/`verify_signature()` (an
      HMAC checked locally), a `*_async`
      method (Mistral, Stripe), the client's `.aio` side (google-genai), or what a
      request returns (`reply.get("message")`);
    - `result()`/`exception()` of a `concurrent.futures` future (from `Future()`,
      `executor.submit()`, `asyncio.run_coroutine_threadsafe()`),
      `concurrent.futures.wait()/as_completed()`, multiprocessing
      `AsyncResult.get()/wait()` (not under `if fut.done():`, where nothing waits);
      an executor's `map()` iterated where it is made (`list(pool.map(convert, files))`,
      `for page in pool.map(render, pages):`), which waits for every call in turn (the
      iterator kept for later waits for nothing yet).

    Receivers are recognised from their constructor, through imports and
    assignments (`self.lock = threading.Lock()`, `with httpx.Client() as c`,
    `s: requests.Session`), a loop over written values that are all of one kind
    (`for t in (self.feeder, self.player): t.join()`) and pymongo's databases and
    collections taken by subscript (`client["shop"]["orders"].find_one()`); a
    receiver of unknown kind is not reported. A timeout
    does not make a call non-blocking (`ev.wait(5)` still stalls the loop for up to
    5 s), but a call that cannot wait is not reported: `time.sleep(0)`,
    `block=False`/`blocking=False` (or `q.get(False)`), a literal `timeout=0`; nor
    one given a literal wait of at most 10 ms (`time.sleep(0.001)` for distinct
    timestamps, `ev.wait(0.005)`), which is over before anyone could tell;
    `os.waitpid(pid, os.WNOHANG)`, and a subprocess whose written command is back at
    once (HB204's list: it asks the program about itself, `[binary, "--version"]`;
    or its program returns at once: `which`/`where`, `open`/`xdg-open`, which hand
    a file to the desktop, `kill`/`pkill`/`taskkill`; also the `communicate()`/`wait()`
    of a `Popen` that runs one), nor a helper whose only wait is one of those. Name
    lookups (`socket.getaddrinfo()`, `gethostbyname()`, `getnameinfo()`) are not
    reported: they wait on the system resolver, but in the real code read most resolve a
    local address or an IP literal, which never waits (an SSRF check resolving a URL's
    host would be real; its host cannot be told from a local one statically). A spawn
    mode is also read through a name assigned `os.P_WAIT`; a mode or wait options we
    cannot read (a call's result, a parameter) are not reported. An awaited call is never reported.

    A sync function of the project that blocks (one of these calls in it, or in
    the sync functions it calls, up to two calls down) is also reported where an
    `async def` on the loop calls it, in any module, naming what blocks and where:
    that call is where `await asyncio.to_thread(...)` goes, and the helper itself
    may rightly be sync (threads call it too). A call told not to wait
    (`time.sleep(0)`, `block=False`) or to wait 10 ms at most (`time.sleep(0.001)`)
    does not count, nor a helper handed to a thread, nor a sync function for a call
    that is awaited (`await tool.connect()` runs a coroutine function: a sync `connect`
    another subclass defines is not what runs there). The blocking call inside such a
    helper is reported too, with the handler's chain, when the helper runs at most four
    sync calls below the nearest `async def` (deeper chains, read on real apps, were mostly
    ruled out by a value or a receiver the analysis cannot see; a missing timeout there is
    still HB201/HB204's finding).

    Not on the loop, so never reported: a function handed to
    `loop.run_in_executor()`, `asyncio.to_thread()`, `anyio.to_thread.run_sync()`,
    `starlette.concurrency.run_in_threadpool()`, `executor.submit()` or a thread
    (it is passed, not called), a lambda handed to one of these, a coroutine a
    coroutine sends to another thread's loop with `asyncio.run_coroutine_threadsafe()`
    (and what it calls), a coroutine a plain function runs on a loop of its own
    (`asyncio.run(session(ws))` or `loop.run_until_complete(...)` in a sync view or a
    websocket's thread: what blocks there holds that loop alone), and functions
    decorated with `@sync_to_async`/`@database_sync_to_async`/`@asyncify`, or with
    tornado's `@run_on_executor` (the call is submitted to the instance's executor). Nor
    the body of a sync generator function that the `async def` only makes and hands on
    (`return StreamingResponse(rows())`: Starlette iterates it in a worker thread);
    one it iterates itself (`for`, a comprehension, `list()`, `"".join()`, `yield from`,
    on the call or on the name bound to it) runs on the loop, and so does a
    `@contextlib.contextmanager` one entered there (`with domain_slot(url):` runs its body
    up to the `yield` in place, a semaphore's `acquire()` or a pacing `time.sleep()`). Nor,
    as first-use set-up, a sync function with no parameters under
    `@functools.cache`/`@functools.lru_cache(...)`: its body runs once per process,
    at the first call (its calls with no timeout still get their HB2xx finding; one
    cached per argument, `lru_cache` on `lookup(host)`, is reported); and the set-up a
    function keeps in a module global it declares `global`: the body of `if _client is
    None:` that assigns `_client`, and what follows `if _backend is not None: return
    _backend` (a test that sets nothing, or a local name, is every call's work); nor a sync
    function guarded by a flag it declares `global` (`if _VALIDATED: return`, then
    `_VALIDATED = True`: a licence check at the first tool call), whose work is the
    first call's (a flag of `self` may be set once per request's object: not this). Sync
    handlers are not checked (frameworks run them in a thread pool). With
    `scope = "all"` every `async def` is treated as a handler.

    Why is this bad?
    An async server runs every request of a worker on one event loop thread. A
    blocking call stops that thread: while it waits, every other request on the
    worker (health checks included) hangs, and timeouts elsewhere fire for no reason.
    Each of these calls still gets its HB2xx finding when it also lacks a timeout.

    Example:
    ```python
    @app.get("/weather")
    async def weather(city: str):
        time.sleep(1)  # rate limit
        return requests.get(WEATHER_API, params={"q": city}, timeout=5).json()
    ```

    Use instead:
    ```python
    @app.get("/weather")
    async def weather(city: str):
        await asyncio.sleep(1)
        async with httpx.AsyncClient(timeout=5) as client:
            return (await client.get(WEATHER_API, params={"q": city})).json()
    ```

    Options:
    `scope` (`--hb-scope`): `handlers` limits the check to the handler body and the
    functions nested in it; `all` treats every `async def` as a handler.
    """

    code = "HB601"
    runtime = Signature(loop_block=True)
    name = "blocking-call-in-async-handler"
    message = "{call}() blocks the event loop: {where} stalls {stalled} while it waits; {fix}"
    scope = ASYNC_HANDLER
    gate = imported(
        "time", "requests", "urllib", "httpx", "urllib3", "subprocess", "socket", "threading", "queue",
        "concurrent", "multiprocessing", "websocket", "os", "ldap", "git", *sorted(SDK_PACKAGES),
    ) + ("run_coroutine_threadsafe",)
    gate_requires = ("async",)
    # the MCP SDK 1.x's FastMCP runs sync tools on its loop: a module serving them needs no `async`
    gate_pairs = ((tuple(gate), (INLINE_MCP_MODULE,)),)
    calls = last_names(BLOCKING)

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self._awaited: Set[int] = set()
        # method calls that may be on a urllib3 pool, with the receiver's binding in effect there
        self._method_calls: List[Tuple[cst.Call, Scope, Optional["_Bound"]]] = []
        self._given_arguments: List[Tuple[cst.Call, Scope]] = []  # calls that may be handed a transport

    def visit_Await(self, node: cst.Await) -> None:
        self._awaited.add(id(node.expression))

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if node.args:
            self._given_arguments.append((node, self.ctx.scope))
        if not isinstance(func, cst.Attribute):
            return
        # any method call may be on an SDK client, also one another module builds (`from .llm import client`)
        scope = self.ctx.scope
        self._method_calls.append((node, scope, _binding_in_effect(func.value, scope)))

    def finish(self, facts: Facts) -> None:
        """Calls of sync functions of the project that block, made in place on a handler's loop."""
        self._pool_methods(facts)
        if "google" in facts.module.imported_packages:
            self._transport_sends(facts)
        for function in facts.module.functions:
            calls = facts.reach.blocking_calls(function) if function.is_async else []
            if not calls or not facts.reach.runs_on_loop(function):
                continue
            for node, name in calls_named(function.node, {name for _line, name, _text in calls}):
                if id(node) in facts.module.offloaded_calls:
                    continue
                for line, called, blocks in calls:
                    if called == name:
                        fix = f"it runs {blocks}: use await asyncio.to_thread(...)"
                        self.report_on_line(node, function, line, call=call_text(node),
                                            **_where_and_fix(facts, function, fix))

    def check_call(self, site: CallSite, facts: Facts) -> None:
        call = site.node
        if id(call) in self._awaited or id(call) in facts.module.offloaded_calls:
            return
        if not facts.reach.runs_on_loop(site.function):
            return  # cheap exit: most calls are not on an event loop
        target = self.ctx.callee(call, site.scope)
        api = BLOCKING.get(target) if target is not None else None
        if api is None or api.blocking is None or not self._blocks(site, api):
            return
        if target in EXECUTOR_MAPS and (site.function is None or id(call) not in site.function.iterated_calls()):
            return  # `results = pool.map(f, items)` read later, or elsewhere: the map itself waits for nothing
        if site.name in ("wait", "join", "communicate") and stopped_before(site, facts.tree):
            return  # `p.communicate(); p.wait()`, `p.terminate(); p.communicate()`: it only reaps what ended
        if target == "urllib.request.urlopen" and is_data_url(site):
            return  # decoded in memory: nothing to wait for
        self.report(call, site.function, call=call_text(call),
                    **_where_and_fix(facts, site.function, api.blocking.instead))

    def _pool_methods(self, facts: Facts) -> None:
        """Any method called on a urllib3 pool or pool manager (but those that only pick or
        build an object), or below a synchronous SDK client (``client.chat.completions.create``):
        their public API is a request API. Calls the catalogue names (and check_call judged)
        are left to it."""
        for call, scope, bound in self._method_calls:
            function = scope.function
            if id(call) in self._awaited or id(call) in facts.module.offloaded_calls:
                continue
            if not facts.reach.runs_on_loop(function):
                continue
            target = self.ctx.callee(call, scope)
            if target in BLOCKING:
                continue
            sdk = sdk_request(target) if target is not None else None
            if sdk is not None and sdk.blocking is not None:
                self.report(call, function, call=call_text(call),
                            **_where_and_fix(facts, function, sdk.blocking.instead))
                continue
            method = call.func.attr.value  # type: ignore[attr-defined]
            if "urllib3" not in facts.module.imported_packages or method in URLLIB3_POOL_QUIET_METHODS:
                continue
            receiver = call.func.value  # type: ignore[attr-defined]
            kind = agree([bound], 0) if bound is not None else None
            if kind is None:
                kind = self.ctx.resolve(receiver, scope)
            if isinstance(kind, Inst) and kind.producer in URLLIB3_POOL_KINDS:
                self.report(call, function, call=call_text(call), **_where_and_fix(facts, function, HTTP_INSTEAD))

    def _transport_sends(self, facts: Facts) -> None:
        """A call handed google-auth's sync transport (``credentials.refresh(Request())``) sends
        its requests through it in place; a catalogue call (``verify_oauth2_token``) is check_call's."""
        for call, scope in self._given_arguments:
            function = scope.function
            if id(call) in self._awaited or id(call) in facts.module.offloaded_calls:
                continue
            if not sends_through_transport(last_name(call.func) or "") or not facts.reach.runs_on_loop(function):
                continue
            target = self.ctx.callee(call, scope)
            if target in BLOCKING:
                continue
            for arg in call.args:
                kind = self.ctx.resolve(arg.value, scope)
                if isinstance(kind, Inst) and kind.producer in GOOGLE_AUTH_TRANSPORTS:
                    sends = BLOCKING[f"{kind.producer}.{TRANSPORT_SEND}"].blocking
                    assert sends is not None
                    self.report(call, function, call=call_text(call), **_where_and_fix(facts, function, sends.instead))
                    break

    def _blocks(self, site: CallSite, api: Api) -> bool:
        call = site.node
        blocking = api.blocking
        assert blocking is not None
        if does_not_block(call, blocking.block_index):
            return False
        if connects_later(call, blocking):
            return False  # `smtplib.SMTP()`: nothing connects until connect() (or a host given by keyword)
        if blocking.binds_when_told and not self._auto_binds(site):
            return False  # `ldap3.Connection(server)`: nothing connects until bind()
        if api.family == SUBPROCESS and ends_at_once(site):
            return False  # `run(["node", "--version"])`, `call(["xdg-open", path])`: back at once
        if api.timeout is not None and is_negligible_wait(argument(call, api.timeout.keyword, api.timeout.index)):
            return False
        if blocking.mode_index is not None and not spawn_waits(call, blocking.mode_index, site.scope):
            return False
        if blocking.options_index is not None and returns_at_once(call, blocking.options_index):
            return False
        if blocking.instead == FUTURE_INSTEAD and finished_future(site):
            return False
        if checked_not_empty(site):
            return False  # `while not q.empty(): q.get()`: an item is there
        if blocking.bounded_only:
            receiver = self.ctx.resolve(call.func.value, site.scope) if isinstance(call.func, cst.Attribute) else None
            if not isinstance(receiver, Inst) or receiver.call is None:
                return False
            maxsize = argument(receiver.call, "maxsize", 0)
            if maxsize is None or is_zero(maxsize):
                return False
            if isinstance(maxsize, cst.UnaryOperation):  # Queue(-1): unbounded
                return False
        return True

    def _auto_binds(self, site: CallSite) -> bool:
        """``ldap3.Connection(server, auto_bind=True)`` (or a binding mode): it binds as it is built."""
        value = argument(site.node, LDAP3_AUTO_BIND, LDAP3_AUTO_BIND_INDEX)
        if value is None:
            return False
        if isinstance(value, cst.SimpleString):
            return ldap3_auto_binds(value.evaluated_value)
        found = self.ctx.resolve(value, site.scope)
        return is_true(value) or (isinstance(found, Ref) and ldap3_auto_binds(constant=found.dotted))


def _binding_in_effect(receiver: cst.BaseExpression, scope: Scope) -> Optional["_Bound"]:
    """For a name the function being walked binds: its last binding so far (the walk goes in
    source order), so ``c: PoolManager = ...; c.x()`` then ``c: Other = ...; c.x()`` each see theirs."""
    if not isinstance(receiver, cst.Name) or not isinstance(scope, FunctionScope):
        return None
    bounds = scope.bindings.get(receiver.value)
    if not bounds or bounds[0].kind == "global":
        return None
    return bounds[-1]


def _where_and_fix(facts: Facts, function: Optional[FunctionScope], fix: str) -> Dict[str, str]:
    """The message's ``stalled`` and ``fix`` for a blocking call in ``function``: a sync tool its
    server calls on the loop is first made a coroutine."""
    if facts.reach.called_inline(function):
        fix = f"make it `async def`, then {fix}"
    return {"stalled": _stalled(facts, function), "fix": fix}


def _stalled(facts: Facts, function: Optional[FunctionScope]) -> str:
    # Only a handler's loop is known to serve requests; any other loop runs tasks.
    if facts.reach.loop_serves_requests(function):
        return "every other request on this worker"
    return "every other task on its event loop"
