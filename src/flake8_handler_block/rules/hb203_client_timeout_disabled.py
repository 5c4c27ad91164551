from __future__ import annotations

from typing import Dict, List, Optional, Set, Tuple

from .. import catalog
from ..catalog import Api
from ..fix.fixers import fix_hb203
from ..facts import Facts
from ..calls import (
    MISSING, NONE, PRESENT, MappingFacts, Mappings, argument, argument_state, bounded_awaitable, call_text,
    forwards_unknown_kwargs, has_star, is_minus_one, is_none, keyword, positional, sets_deadline,
)
from ..names import Inst, Ref, assigned_value, bindings_of, last_name
from ..ownership import Ownership
from ..project.default_timeout import ProjectTimeouts
from ..project.index import project_root
from ..project.requirements import requires_below
from ..rule import (
    EVERYWHERE, Rule, builds_subclass, package_says, project_timeouts, runs_at_import, runs_once_at_import,
    wrapper_calls_untimed,
)
import libcst as cst

from ..scopes import CallSite, Scope, receiver_home
from ..signature import SOCKET_STATES, Signature

CALLS: Dict[str, Api] = catalog.family(catalog.THIRD_PARTY_HTTP)
HTTPX_CALLS = frozenset(callee for callee in CALLS if callee.startswith("httpx."))
ASYNC_CLIENT = "httpx.AsyncClient."
HTTPX_TIMEOUTS = frozenset({"httpx.Timeout", "httpx2.Timeout"})
# Connection(server, user, password, auto_bind, version, authentication, client_strategy, ..., receive_timeout)
_LDAP_STRATEGY_INDEX, _LDAP_RECEIVE_TIMEOUT_INDEX = 6, 21
# clients whose constructor may wait as well: built at import, they still serve requests later
_SERVE_AFTER_IMPORT = frozenset({*catalog.UNTIMED_CLIENTS, catalog.LDAP3_CONNECTION})
# Server(host, port, use_ssl, allowed_referral_hosts, get_info, tls, formatter, connect_timeout)
_LDAP_CONNECT_TIMEOUT_INDEX = 7
_SET_OPTION = "set_option"  # python-ldap's, on a connection or for the process
_FREEIPA_NAMES = catalog.last_names(dict.fromkeys(catalog.FREEIPA_CLIENTS))
_FREEIPA_FIX = "give its _session a default timeout (mount an adapter that sets one), or run its calls under a deadline"
_CODE = cst.Module([])
_MAX_RECEIVER_STEPS = 4  # attributes and lookups between a kubernetes request and the client it is made on


class ClientTimeoutDisabled(Rule):
    """What it does:
    Finds third-party clients whose timeout is turned off or has no default, in request handlers:
    - `httpx` functions, `httpx.Client()`/`AsyncClient()` and their methods called with
      `timeout=None` (httpx's 5 s default is fine when `timeout` is omitted), or with
      `timeout=httpx.Timeout(None)` (written there or given to a name once) that sets no
      finite `read=`: every read waits with no limit just the same; `httpx2`,
      the maintained continuation of httpx, is checked the same way; also a call of a
      wrapper of the project that gives no timeout where the wrapper hands a timeout
      parameter of its own, `None` by default, to such a request (`def _call(self, method,
      timeout=None): return self._client.post(..., timeout=timeout)`, called as
      `self._call("sendMessage", payload)`): httpx is then given `timeout=None`, the
      client's own limit included (a wrapper passing on its `**kwargs` is not: leaving
      `timeout` out keeps httpx's default). Not reported: a
      subscription, i.e. `stream(..., timeout=None)` opened inside a `while` loop of a
      generator (`async for line in r.aiter_lines(): ... yield event`, reconnecting on
      errors): waiting for the next event is what it is for. Nor a request of an
      `AsyncClient` in a coroutine that every caller in the project awaits under a
      deadline (`await asyncio.wait_for(pay(), 30)`, `async with asyncio.timeout(30):`,
      or a task awaited so), directly or a few awaited calls up: the deadline cancels
      the request; a JupyterHub spawner's `start()`, which the Hub runs under its
      `start_timeout`, counts as such a caller. Any other handler, a thread, a task
      nobody awaits under a deadline, or a reference handed elsewhere keeps it reported;
    - `aiohttp.ClientTimeout(...)` that sets neither `total` nor `sock_read` (both
      default to None: no limit). `ClientSession(timeout=None)` is not reported:
      aiohttp then applies its 300 s default;
    - `urllib3` requests (`urllib3.request()`, and `request()`/`urlopen()` on a
      `PoolManager`, `ProxyManager` or `HTTP(S)ConnectionPool` built in this module)
      with neither a `timeout` argument nor a pool-level `timeout=`: urllib3 waits
      forever by default.
    - `ldap3.Connection(server, ...)` with no `receive_timeout=` (or `None`) whose server
      has no `connect_timeout=` either: a URL string, a `Server(...)` built inline without
      one, or a name every assignment of which (each branch) builds one so. ldap3 has no
      timeout of its own; bind and search wait for the directory's answer in the calling
      thread. One finding per connection, at the
      `Connection(...)` (it is what waits): a `Server()` alone is not reported, and a
      server with `connect_timeout=` is fine, since ldap3 leaves that timeout on the
      socket for every read when no `receive_timeout` is given. Not reported: a server
      not built in view (a parameter, a `ServerPool`, `self.server`), strategies that do
      not wait in the call (`ASYNC`, whose `get_response()` has its own timeout, the
      `MOCK_*` and `LDIF` ones) or a strategy not known, an unseen `**kwargs`;
    - `caldav.DAVClient(url, ...)` with no `timeout=` (or `None`): caldav hands it to
      requests (niquests since 2.0) on every PROPFIND, REPORT and PUT, and its default
      is None. A call with more than five positional arguments may pass it (its place
      moved between versions) and is not reported, nor `caldav.get_davclient()`, which
      may read one from its configuration;
    - `gitlab.Gitlab(url, ...)` (python-gitlab) with no `timeout=` (or `None`): it hands its
      timeout to requests on every API call, None by default. Eight or more positional
      arguments may pass it; nor is one given a `session=` of the caller's reported (it may
      bound its requests), nor `Gitlab.from_config()`, which reads one from its file;
    - `jira.JIRA(server, ...)` with no `timeout=` (or `None`): its session has no limit on
      any request, the server-info fetch the constructor itself makes included;
    - keystoneauth1's `session.Session(auth=...)` (keystoneclient's old one too) with no
      `timeout=` (or `None`): every request through it, the token fetch, discovery and each
      call of the OpenStack clients given the session, waits with no limit. Not one given a
      requests `session=` of the caller's, nor a session loaded from configuration
      (`ks_loading.load_session_from_conf_options()`: its `timeout` option is the
      deployment's to set);
    - python-swiftclient's `Connection(...)` with no `timeout=` and no keystoneauth
      `session=`: every connection it opens to the object store waits with none;
    - prometheus-api-client's `PrometheusConnect(url, ...)` with no `timeout=` (or `None`), nor a
      `session=` of the caller's: it hands None to requests on every query;
    - meilisearch's `Client(url, api_key)` with no `timeout=` (the third positional) or `None`: it
      hands None to requests on every search, document write and task wait;
    - imapclient's `IMAPClient(host, ...)` with no `timeout=` (the seventh positional) or `None`:
      it connects, logs in and reads on a socket with none (it passes None on, so the process's
      socket default does not apply either);
    - `influxdb.InfluxDBClient(...)` (the 1.x client) with no `timeout=`: it hands None to
      requests on every query and write (`influxdb_client`, the 2.x client, has a 10 s
      default and is not reported);
    - pydiscourse's `DiscourseClient(host, api_username, api_key)` with no `timeout=` (the
      fourth positional): it hands None to requests on every API call;
    - python-jenkins's `Jenkins(url, username, password)` with no `timeout=` (the fourth
      positional): its default is the process's socket default, none unless something set
      one, and every job, build and queue call waits on it;
    - `twilio.rest.Client(sid, token)` with no `http_client=`: it takes no timeout, and its
      default `TwilioHttpClient` sends every API request with none (the fix: pass
      `http_client=TwilioHttpClient(timeout=...)`);
    - zeep's `Transport(...)` with no `operation_timeout=` (the third positional, or `None`):
      zeep sends every SOAP operation with it, none by default, and its `timeout=` bounds only
      the loading of the WSDL and its schemas (a session handed to it changes nothing: zeep
      passes the operation's timeout to each post); and `zeep.Client(wsdl)` with no
      `transport=`, which builds such a Transport itself;
    - msal's `ConfidentialClientApplication(client_id, ...)` (and `PublicClientApplication`)
      with no `timeout=` (or `None`) and no `http_client=` of the caller's: msal binds that
      timeout, none by default, to its requests session for every call: the authority
      discovery its constructor makes, and each `acquire_token_*()` of the sign-in view;
    - ollama's `Client(host)` and `AsyncClient(host)` with no `timeout=` (or `None`): they
      build their httpx client with no timeout (not httpx's 5 s), so every `chat()`,
      `generate()` and `embed()` waits for the model server with no limit. langchain-ollama's
      `ChatOllama`, `OllamaLLM` and `OllamaEmbeddings` build those clients from
      `client_kwargs` (or `sync_client_kwargs`/`async_client_kwargs`) and are reported when
      given none of them (the fix: `client_kwargs={"timeout": ...}`). The module-level
      `ollama.chat()` and friends use a default client that takes no timeout at all and are
      not reported here (HB601 reports them on an event loop);
    - google-genai's `genai.Client(api_key=...)` with no `http_options=`: its options' timeout
      is None unless given, and the SDK passes that None to httpx on every request, which
      turns off any limit its httpx client had, so `generate_content()` waits on a stalled
      API with no limit (the fix: `http_options=HttpOptions(timeout=...)`, in milliseconds).
      Options of the caller's (`http_options=`, `**kwargs`) are taken to bound it. Not
      reported for any client of this list: one the function binds to a name and uses only for
      requests it awaits under a deadline (`await asyncio.wait_for(client.aio.models.embed_content(
      ...), 60)`, or inside `async with asyncio.timeout(60):`): each deadline cancels its request.
      One that is kept, passed on, or sends a request with no such deadline stays reported;
    - LangChain's `ChatOpenAI`, `AzureChatOpenAI` (langchain-openai) and `ChatAnthropic`
      (langchain-anthropic) with no `timeout=` (nor `request_timeout=`/
      `default_request_timeout=`, the fields' own names), or `None`: they hand the SDK client
      `timeout=None`, which turns off its 600 s default (LangChain issue 35597, open in
      2026), so `invoke()` waits on a stalled API with no limit. Not one given SDK or httpx
      clients of the caller's (`client=`, `http_client=`, ...);
    - `websockets.connect(uri, open_timeout=None)` (the asyncio, legacy and sync clients):
      websockets gives up on an opening handshake after 10 s unless `open_timeout=None`
      turns that off; then a server that accepts the connection and never answers the
      upgrade holds the caller. Leaving it out, or any other value, is fine. Waiting on
      the open connection (`recv()`) is what a websocket is for and is not reported;
    - a python-freeipa client built (`Client(host)`, `ClientMeta(host)`, `ClientLegacy(host)`),
      or a class of the project deriving from one with no `__init__` of its own on the way
      (a subclass that only adds methods; one that defines `__init__` may give its session a
      timeout): it posts every call (login, ping, each API method) on a requests session
      with no timeout and takes none. One finding per client, where it is built. A subclass
      is recognised where HB203 reads the module (it names `freeipa`, or another client of
      this list): any subclass in a module that imports python-freeipa, elsewhere one that
      keeps the client's name (`Client`, `ClientMeta`, `ClientLegacy`);
    - the synchronous calls of a python-ldap connection built in view (`ldap.initialize(uri)`,
      `ReconnectLDAPObject(uri)`, also as `self.conn` of a class), which wait for the
      directory's answer with no limit by default: `simple_bind_s()`, `search_s()`,
      `modify_s()`, `whoami_s()`... unless the connection is given a finite
      `conn.timeout = <seconds>` (in the function, or anywhere in the class for
      `self.conn`); `start_tls_s()` and the SASL binds, which wait inside libldap where
      `conn.timeout` does not reach; `search_st()`, `search_ext_s()`, `read_s()` and
      `find_unique_entry()` unless given a finite `timeout=` (their own; -1 by default).
      Not reported in a module that sets `ldap.OPT_TIMEOUT` (`ldap.set_option(...)` for
      the process, or `conn.set_option(...)`): it bounds every synchronous call; nor when
      another module of its top-level package names `OPT_TIMEOUT` (set at start-up, or in
      django-auth-ldap's `AUTH_LDAP_GLOBAL_OPTIONS`, which it sets for the process).
      `OPT_NETWORK_TIMEOUT` bounds the connect only and does not count. Nor a connection
      to `ldapi://` (a Unix socket to a directory on this host), a receiver of unknown
      kind (a parameter nothing types), or `unbind_s()` (no answer to wait for);
    - a request of the kubernetes client with no `_request_timeout=` (or `None`): any public
      method of a generated API class (`client.CoreV1Api().list_namespaced_pod(ns)`,
      `CustomObjectsApi`, `AppsV1Api`...) and a dynamic client's verbs (`get`, `create`,
      `patch`... on the client or on a resource `dyn.resources.get(...)` looked up). The client
      sends each request on urllib3 with no timeout, and its `Configuration` has no default one.
      A client built in view on the library's own `ApiClient` (none given, `ApiClient(...)`,
      `config.new_client_from_config()`) is reported, one built on another is not (a project's
      `ApiClient` subclass may give every request a timeout, as dstack's does). A client built out
      of view (an annotated parameter, a module global a factory sets, another module's) is
      reported only when the whole project was read and no class of it derives from kubernetes'
      `ApiClient` or `RESTClientObject`. Not reported: a list or watch given `timeout_seconds=`
      (the API server ends it), a watch, a followed log or a response left for the caller to
      stream (`watch=`, `follow=`, `_preload_content=`), a request sent by the client's thread
      pool (`async_req=`), nor the discovery `dyn.resources.get(...)` makes once and keeps;

    Nor a request that waits as it runs in module-level code (`CATALOGUE =
    httpx.get(URL, timeout=None).json()`): it runs once, at import, and a stall there
    stops the start-up, where it is seen at once (`scope = "all"` reports it). A client or
    a `ClientTimeout` built there is still reported: the requests that use it later wait.

    A redis-py client or pool (`redis.Redis(...)`, `StrictRedis`, the asyncio ones,
    `from_url(url)`, `ConnectionPool(...)`) built with no `socket_timeout=` is reported only in
    a project whose own files require a redis-py older than 8: a cap in its requirements
    (`pyproject.toml`, `setup.cfg`, `setup.py`, `requirements*.txt`, a wheel's `METADATA`:
    `redis>=5,<7`, `redis==6.4.0`, Poetry's `^5.0`), or the version its lock file holds
    (`uv.lock`, `poetry.lock`, `Pipfile.lock`). Before 8 its sockets have no timeout, and a
    command waits for a reply a stalled server never sends; redis-py 8 gives them 5 s, so where
    the project allows 8 (or names no version) nothing is claimed. Not reported: a timeout in
    the URL (`from_url("redis://host?socket_timeout=5")`), a `connection_pool=` of the caller's
    (the pool holds the timeouts), an explicit `socket_timeout=None` (a subscriber's client that
    waits for messages says so on purpose), an asyncio client built in a coroutine every caller
    awaits under a deadline (`await asyncio.wait_for(probe(url), 2)`).

    Why is this bad?
    With the timeout off, an upstream that stops sending parks the handler forever.
    An LDAP login against a directory that accepts the connection and never answers
    holds the login request, and the thread it runs in, for good.

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
    gate = ('httpx', 'aiohttp', 'ClientTimeout', 'urllib3', 'ldap', 'caldav', 'gitlab', 'jira', 'twilio',
            'websockets', 'freeipa', 'keystone', 'swiftclient', 'influxdb', 'ollama', 'msal', 'langchain',
            'pydiscourse', 'jenkins', catalog.KUBERNETES_PACKAGE, 'PrometheusConnect', 'meilisearch',
            'imapclient', 'zeep', 'genai', catalog.REDIS_DISTRIBUTION)
    calls = catalog.last_names(CALLS) | catalog.last_names(
        {"ClientTimeout": None, catalog.LDAP3_CONNECTION: None, **dict.fromkeys(catalog.UNTIMED_CLIENTS),
         **dict.fromkeys(catalog.WEBSOCKETS_CONNECTS), **catalog.REDIS_CLIENTS}
    ) | {_SET_OPTION}
    fixer = fix_hb203  # `flake8-handler-block fix`: see docs/fix.md
    fix_default_timeout = "10"
    needs = (MappingFacts,)  # `**KWARGS` of a dict the module shows in full is read like a literal

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        # python-ldap: its waiting calls (with the receiver's home), the receivers given a finite
        # `timeout` attribute, and whether the module sets OPT_TIMEOUT (on an object or for the process)
        self.directory_calls: List[Tuple[CallSite, str]] = []
        self.timed_receivers: Set[Tuple[int, str]] = set()
        self.api_timeout_set = False
        self.classes_built: List[Tuple[cst.Call, Scope]] = []  # calls of a CapWords name (python-freeipa)
        # in a module importing kubernetes, or named as an API class's method
        self.method_calls: List[Tuple[cst.Call, Scope]] = []

    def visit_Call(self, node: cst.Call) -> None:
        name = last_name(node.func)
        if name and name[:1].isupper():  # may build a python-freeipa client, or a project subclass of one
            self.classes_built.append((node, self.ctx.scope))
        elif isinstance(node.func, cst.Attribute) and (
            catalog.KUBERNETES_PACKAGE in self.ctx.module.imported_packages
            or catalog.may_be_kubernetes_api_method(node.func.attr.value)  # on a client of another module
        ):
            self.method_calls.append((node, self.ctx.scope))  # may be a request of a kubernetes client

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            attribute = target.target
            if (isinstance(attribute, cst.Attribute)
                    and attribute.attr.value == catalog.PYTHON_LDAP_TIMEOUT_ATTRIBUTE
                    and not self._no_limit(node.value, self.ctx.scope)):
                home = receiver_home(self.ctx.function, _CODE.code_for_node(attribute.value))
                if home is not None:
                    self.timed_receivers.add(home)

    def check_call(self, site: CallSite, facts: Facts) -> None:
        call = site.node
        if site.name == _SET_OPTION:
            self._note_option(call, site.scope)
            return
        target = self.ctx.callee(call, site.scope)
        # A client whose constructor also waits (msal's discovery, ldap3's auto_bind) keeps its timeout
        # for the requests made later: built at import, those still wait.
        if target is None or (runs_at_import(site, target, self.ctx.config) and target not in _SERVE_AFTER_IMPORT):
            return
        mappings = facts[MappingFacts]
        if target in HTTPX_CALLS:
            state = argument_state(call, "timeout", mappings=mappings)
            unlimited = state == PRESENT and self._unlimited_reads(site)
            if ((state == NONE or unlimited) and not _subscribes(site, target)
                    and not self._cancelled_by_callers(site, target, facts)):
                self._report(site, f"passes timeout={unlimited or 'None'}", "pass a finite timeout, e.g. timeout=10.0")
        elif target == "aiohttp.ClientTimeout":
            if not self._aiohttp_timeout_bounded(call):
                self._report(
                    site, "sets neither total nor sock_read",
                    "set total= or sock_read= (the others default to no limit)",
                )
        elif target == "urllib3.request":
            if argument_state(call, "timeout", mappings=mappings) in (MISSING, NONE):
                self._report(site, "has no timeout", "pass timeout=urllib3.Timeout(connect=..., read=...)")
        elif target == catalog.LDAP3_CONNECTION:
            self._check_ldap(site, mappings)
        elif target in catalog.UNTIMED_CLIENTS:
            client = catalog.UNTIMED_CLIENTS[target]
            states = {client.keyword: argument_state(call, client.keyword, client.position, mappings)}
            states.update((alias, argument_state(call, alias, mappings=mappings)) for alias in client.aliases)
            given = [name for name, state in states.items() if state == PRESENT]
            disabled = [name for name, state in states.items() if state == NONE]
            if not given and not any(
                    argument_state(call, own, mappings=mappings) == PRESENT for own in client.own_client
            ) and not self._requests_under_deadlines(site, facts):
                problem = f"passes {disabled[0]}=None" if disabled else f"has no {client.keyword}"
                self._report(site, problem, f"{client.fix} ({client.carrier})")
        elif target in catalog.REDIS_CLIENTS:
            self._check_redis(site, target, mappings, facts)
        elif target in catalog.PYTHON_LDAP_WAITS:
            self._directory_call(site, target, mappings)
        elif target in catalog.WEBSOCKETS_CONNECTS:
            if argument_state(call, catalog.WEBSOCKETS_OPEN_TIMEOUT, mappings=mappings) == NONE:
                self._report(site, "passes open_timeout=None",
                             "leave open_timeout at its 10 s default or pass a finite one")
        else:
            self._check_pool_request(site, target, mappings)

    def finish(self, facts: Facts) -> None:
        self._judge_freeipa(facts)
        self._judge_cluster_requests(facts)
        self._judge_wrappers_passing_none(facts)
        if (not self.directory_calls or self.api_timeout_set
                or package_says(facts, ProjectTimeouts.ldap_timeout_set)):
            return  # OPT_TIMEOUT (here, or named elsewhere in the package) bounds every synchronous call
        for site, method in self.directory_calls:
            func = site.node.func
            assert isinstance(func, cst.Attribute)
            conn = _CODE.code_for_node(func.value)
            option = f"{conn}.set_option(ldap.OPT_TIMEOUT, <seconds>)"
            if method in catalog.PYTHON_LDAP_OPTION_BOUNDED:
                fix = f"call {option} first (libldap waits here: {conn}.timeout does not reach it)"
            elif method in catalog.PYTHON_LDAP_OWN_TIMEOUT:
                fix = f"pass timeout=<seconds>, or call {option} first"
            elif receiver_home(site.function, conn) in self.timed_receivers:
                continue
            else:
                fix = f"set {conn}.timeout = <seconds> first (or call {option})"
            self._report(site, "waits for the directory with no timeout (python-ldap sets none)", fix)

    def _judge_wrappers_passing_none(self, facts: Facts) -> None:
        """A call of a wrapper of the project that gives no timeout, where the wrapper hands a timeout
        parameter of its own, None by default, to an httpx request (``def _call(self, method,
        timeout=None): return self._client.post(..., timeout=timeout)``): httpx is then given
        ``timeout=None``, which turns every limit off, the client's own too."""
        for function, node, (line, _called, _api, params, text, given_as, _by), given in wrapper_calls_untimed(
                facts, lambda api, by_param: by_param and api in HTTPX_CALLS):
            passed = "no timeout" if given is None else f"{given_as}=None"
            self.report_on_line(
                node, function, line, call=call_text(node),
                problem=f"passes {passed} on to {text}, which then gets timeout=None (no limit at all)",
                fix=f"pass {given_as}=<seconds>, or give the wrapper's {given_as} a finite default",
            )

    # -- redis-py ---------------------------------------------------------------------------

    def _check_redis(self, site: CallSite, target: str, mappings: Mappings, facts: Facts) -> None:
        """A redis-py client or pool built with no ``socket_timeout`` (none in its URL, no pool of the
        caller's), in a project that requires a redis-py older than 8: every command waits for its
        reply with no limit; an asyncio one built in a coroutine every caller awaits under a deadline
        (``asyncio.wait_for(check(), 2)``) waits no longer than that. An explicit
        ``socket_timeout=None`` is not reported: a subscriber's client that waits for messages says
        so on purpose."""
        call = site.node
        position = catalog.REDIS_CLIENTS[target]
        if argument_state(call, catalog.REDIS_SOCKET_TIMEOUT, position, mappings) != MISSING:
            return
        if argument_state(call, catalog.REDIS_OWN_POOL, mappings=mappings) == PRESENT:
            return
        if target.endswith("from_url") and any(
                catalog.REDIS_SOCKET_TIMEOUT in _CODE.code_for_node(arg.value) for arg in call.args):
            return  # `from_url("redis://host?socket_timeout=5")`
        root = project_root(self.ctx.module.filename)  # the project's own files: no index is built
        if root is None or not requires_below(root, catalog.REDIS_DISTRIBUTION, catalog.REDIS_TIMED_SINCE):
            return
        if target.startswith(catalog.REDIS_ASYNCIO) and facts.reach.cancelled_by_callers(site.function):
            return  # every caller awaits it under a deadline (asked last: the project's callers are read)
        self._report(site, f"has no {catalog.REDIS_SOCKET_TIMEOUT}",
                     f"pass {catalog.REDIS_SOCKET_TIMEOUT}=<seconds> (redis-py before 8, which this project "
                     "requires, waits for every reply with none)")

    # -- python-ldap ------------------------------------------------------------------------

    def _note_option(self, call: cst.Call, scope: Scope) -> None:
        """``ldap.set_option(ldap.OPT_TIMEOUT, 10)`` or ``conn.set_option(...)``: whatever the receiver
        (a doubt silences), a finite API timeout in this module bounds its connections' calls."""
        values = positional(call)
        if (len(values) >= 2 and last_name(values[0]) == catalog.PYTHON_LDAP_TIMEOUT_OPTION
                and not self._no_limit(values[1], scope)):
            self.api_timeout_set = True

    def _directory_call(self, site: CallSite, target: str, mappings: Mappings) -> None:
        """A synchronous call of a python-ldap connection built in view (``ldap.initialize(uri)``),
        not to a directory on this host (``ldapi://``), and not given a finite timeout of its own;
        judged in ``finish`` once every ``conn.timeout = ...`` and OPT_TIMEOUT of the module is known."""
        method = target.rsplit(".", 1)[-1]
        func = site.node.func
        if not isinstance(func, cst.Attribute):
            return
        built = self.ctx.resolve(func.value, site.scope)
        if not isinstance(built, Inst) or built.call is None or self._local_directory(built.call):
            return
        index = catalog.PYTHON_LDAP_OWN_TIMEOUT.get(method)
        if index is not None:
            given = argument(site.node, "timeout", index)
            if given is not None:
                if not self._no_limit(given, site.scope):
                    return
            elif argument_state(site.node, "timeout", index, mappings) == PRESENT:
                return  # maybe given (through *args or **kwargs, or a mapping the module shows)
        self.directory_calls.append((site, method))

    def _no_limit(self, value: cst.BaseExpression, scope: Scope) -> bool:
        """``None``, ``-1`` or ``ldap.NO_LIMIT``: python-ldap then waits with no limit."""
        if is_none(value) or is_minus_one(value):
            return True
        found = self.ctx.resolve(value, scope)
        return isinstance(found, Ref) and found.dotted == catalog.PYTHON_LDAP_NO_LIMIT

    @staticmethod
    def _local_directory(built: cst.Call) -> bool:
        uri: Optional[cst.BaseExpression] = argument(built, "uri", 0)
        value = uri.evaluated_value if isinstance(uri, cst.SimpleString) else None
        return isinstance(value, str) and catalog.says_scheme(value, catalog.PYTHON_LDAP_LOCAL_SCHEME)

    def _judge_freeipa(self, facts: Facts) -> None:
        """A python-freeipa client built, or a class of the project deriving from one with no
        ``__init__`` of its own (noggin's ``class Client(ClientMeta)`` that adds methods)."""
        project = project_timeouts(facts)

        def derives(dotted: str) -> bool:
            return project is not None and project.derives_from(dotted, catalog.FREEIPA_CLIENTS)

        # A module that imports no python-freeipa builds one only through a class of the project
        # that keeps the client's name (noggin's `Client`): the project is asked of those only.
        imports_it = catalog.FREEIPA_PACKAGE in self.ctx.module.imported_packages
        for call, scope in self.classes_built:
            if not imports_it and last_name(call.func) not in _FREEIPA_NAMES:
                continue
            target = self.ctx.callee(call, scope)
            if not builds_subclass(call, target, self.ctx.module, catalog.FREEIPA_CLIENTS, derives):
                continue
            # built at import too: it sends nothing then, the calls made on it later wait
            self.report(call, scope.function, call=call_text(call),
                        problem=f"has no timeout ({catalog.FREEIPA_UNTIMED})", fix=_FREEIPA_FIX)

    def _judge_cluster_requests(self, facts: Facts) -> None:
        """A kubernetes client's request with no ``_request_timeout`` (or ``None``): the client sends it
        with none, its configuration has no default. Not a watch or stream (meant to stay open), nor a
        list the server bounds (``timeout_seconds``), nor one its thread pool sends (``async_req``)."""
        mappings = facts[MappingFacts]
        for call, scope in self.method_calls:
            if runs_once_at_import(scope.function, self.ctx.config):
                continue
            target = self.ctx.callee(call, scope)
            if target is None or not catalog.kubernetes_request(target):
                continue
            assert isinstance(call.func, cst.Attribute)
            untimed = self._sends_untimed(call.func.value, scope)
            if untimed is False or (untimed is None and not self._no_timed_api_client(facts)):
                continue
            state = argument_state(call, catalog.KUBERNETES_REQUEST_TIMEOUT, mappings=mappings)
            if state == PRESENT or any(argument_state(call, name, mappings=mappings) != MISSING
                                       for name in catalog.KUBERNETES_NOT_UNTIMED):
                continue
            problem = f"passes {catalog.KUBERNETES_REQUEST_TIMEOUT}=None" if state == NONE else "has no timeout"
            self.report(call, scope.function, call=call_text(call),
                        problem=f"{problem} ({catalog.KUBERNETES_UNTIMED})",
                        fix=f"pass {catalog.KUBERNETES_REQUEST_TIMEOUT}=(connect, read), e.g. (5, 30)")

    def _sends_untimed(self, receiver: cst.BaseExpression, scope: Scope, depth: int = 0) -> Optional[bool]:
        """Whether the kubernetes client ``receiver`` is (or a resource it looked up,
        ``dyn.resources.get(...)``) sends on the library's own ApiClient: True when built in view on
        one (none given, ``ApiClient(...)``, ``config.new_client_from_config()``), False when built on
        another (a project's subclass may time every request), None when not known (built elsewhere,
        on an ApiClient this module cannot see)."""
        if depth > _MAX_RECEIVER_STEPS:
            return None
        built: Optional[cst.Call] = receiver if isinstance(receiver, cst.Call) else None
        if built is None:
            found = self.ctx.resolve(receiver, scope)
            if isinstance(found, Inst) and found.call is not None and not found.declared:
                built = found.call
            elif isinstance(receiver, cst.Attribute):  # `dyn.resources`: the client below
                return self._sends_untimed(receiver.value, scope, depth + 1)
        if built is None:
            return None
        parameter = catalog.KUBERNETES_API_CLIENT_PARAMETERS.get(self.ctx.callee(built, scope) or "")
        if parameter is None:  # a lookup on a client (`dyn.resources.get(...)`): the client it asked
            func = built.func
            return self._sends_untimed(func.value, scope, depth + 1) if isinstance(func, cst.Attribute) else None
        given = argument(built, parameter, 0)
        if given is None:
            return None if has_star(built) else True
        made = self.ctx.callee(given, scope) if isinstance(given, cst.Call) else None
        if made is None:
            found = self.ctx.resolve(given, scope)
            made = found.producer if isinstance(found, Inst) and not found.declared else None
        if made is None:
            return None
        return made in catalog.KUBERNETES_LIBRARY_API_CLIENTS

    @staticmethod
    def _no_timed_api_client(facts: Facts) -> bool:
        """The whole project was read and no class of it derives from kubernetes' ApiClient (or its
        REST client): every client of it, wherever built, sends on the library's own."""
        project = project_timeouts(facts)
        return project is not None and not project.kubernetes_client_subclassed()

    def _unlimited_reads(self, site: CallSite) -> str:
        """``timeout=httpx.Timeout(None)`` (or a name given only that), with no finite ``read=``:
        every read waits with no limit, as with ``timeout=None``. What is written, or ''."""
        written = keyword(site.node, "timeout")
        if written is None:
            return ""
        given, scope = assigned_value(written, site.scope)
        if not isinstance(given, cst.Call) or self.ctx.callee(given, scope) not in HTTPX_TIMEOUTS:
            return ""
        default, read = argument(given, "timeout", 0), keyword(given, "read")
        if default is None or not is_none(default) or (read is not None and not is_none(read)) or has_star(given):
            return ""
        return f"{call_text(given)}(None)"

    def _cancelled_by_callers(self, site: CallSite, target: str, facts: Facts) -> bool:
        """An async client's request in a coroutine every caller of which awaits under a deadline
        (``asyncio.wait_for(pay(), 30)``, a task awaited so): the deadline cancels the request."""
        return target.startswith(ASYNC_CLIENT) and facts.reach.cancelled_by_callers(site.function)

    def _requests_under_deadlines(self, site: CallSite, facts: Facts) -> bool:
        """A client built for this function whose every request is awaited under a deadline
        (``await asyncio.wait_for(client.aio.models.embed_content(...), 60)``): each is cancelled
        at the deadline, so none waits with no limit (``ownership.Flows.requests_under_deadlines``)."""
        function, scope = site.function, site.scope
        if function is None:
            return False
        return facts[Ownership].requests_under_deadlines(
            function, site.node,
            lambda call: bounded_awaitable(call, self.ctx.callee(call, scope)),
            lambda call: sets_deadline(call, self.ctx.callee(call, scope)),
        )

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

    def _check_ldap(self, site: CallSite, mappings: Mappings) -> None:
        """``ldap3.Connection(server, ...)`` of a waiting strategy with neither a ``receive_timeout`` nor
        a ``connect_timeout`` on its ``Server()`` (ldap3 leaves the connect timeout on the socket when no
        receive timeout is given: it bounds each read too): bind and search wait for the directory's
        answer with no limit. The server must be seen: built in view with ``Server(...)``, or a URL."""
        call = site.node
        state = argument_state(call, catalog.LDAP3_RECEIVE_TIMEOUT, _LDAP_RECEIVE_TIMEOUT_INDEX, mappings)
        if state == PRESENT:
            return  # given, or maybe given (through *args or **kwargs)
        strategy = keyword(call, "client_strategy", mappings)
        if strategy is None and len(positional(call)) > _LDAP_STRATEGY_INDEX:
            strategy = positional(call)[_LDAP_STRATEGY_INDEX]
        if strategy is not None and self._ldap_strategy(strategy, site) not in catalog.LDAP3_WAITING_STRATEGIES:
            return  # ASYNC (get_response() has its own timeout), MOCK_*, LDIF: no wait, or not known
        server = argument(call, "server", 0)
        if server is None or not self._ldap_server_untimed(server, site, mappings):
            return
        problem = "passes receive_timeout=None" if state == NONE else "has no receive_timeout"
        self._report(site, f"{problem} and its server no connect_timeout",
                     f"pass {catalog.LDAP3_RECEIVE_TIMEOUT}=<seconds> (or {catalog.LDAP3_CONNECT_TIMEOUT}= to "
                     "its Server(), which then bounds each read too)")

    def _ldap_server_untimed(self, server: cst.BaseExpression, site: CallSite, mappings: Mappings) -> bool:
        """A server known to have no ``connect_timeout``: a URL string, ``Server(...)`` built inline without
        one, or a name every assignment of which (``if``/``else`` branches too) builds one so."""
        if isinstance(server, (cst.SimpleString, cst.FormattedString, cst.ConcatenatedString)):
            return True  # ldap3 builds Server(url) with no connect_timeout
        if isinstance(server, cst.Call):
            return self._untimed_server_call(server, site.scope, mappings)
        if not isinstance(server, cst.Name):
            return False
        _where, bounds = bindings_of(site.scope, server.value)
        return bool(bounds) and all(
            bound.kind == "value" and isinstance(bound.payload, cst.Call) and bound.scope is not None
            and self._untimed_server_call(bound.payload, bound.scope, mappings)
            for bound in bounds
        )

    def _untimed_server_call(self, call: cst.Call, scope: Scope, mappings: Mappings) -> bool:
        return self.ctx.callee(call, scope) == catalog.LDAP3_SERVER and argument_state(
            call, catalog.LDAP3_CONNECT_TIMEOUT, _LDAP_CONNECT_TIMEOUT_INDEX, mappings
        ) != PRESENT

    def _ldap_strategy(self, strategy: cst.BaseExpression, site: CallSite) -> str:
        """``ldap3.SYNC``, ``"SYNC"``: the strategy's name; '' when not known."""
        if isinstance(strategy, cst.SimpleString):
            value = strategy.evaluated_value
            return value if isinstance(value, str) else ""
        found = self.ctx.resolve(strategy, site.scope)
        if isinstance(found, Ref) and found.dotted.startswith("ldap3."):
            return found.dotted.rsplit(".", 1)[-1]
        return ""

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
