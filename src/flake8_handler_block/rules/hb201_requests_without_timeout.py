from __future__ import annotations

from typing import Dict, FrozenSet, List, Optional, Tuple

import libcst as cst

from ..fix.fixers import fix_timeout
from .. import catalog
from ..calls import PRESENT, MappingFacts, argument, argument_state, call_text, is_none, missing_timeout, string_value
from ..facts import Facts
from ..project.default_timeout import FILLS, REQUEST, SEND, SETS, ModuleTimeouts, covers, module_alone
from ..rule import EVERYWHERE, MissingTimeoutRule, imported, runs_at_import, timeout_positions
from ..names import Inst, Ref, assigned_value, derives_from, dotted_name, local_function, lookup
from ..scopes import CallSite, ClassScope, Scope
from ..signature import SOCKET_STATES, Signature
from ..walk import iter_nodes


TIMEOUT_POSITION = timeout_positions(catalog.REQUESTS)
SESSION = "requests.Session"
# A subclass defining one of these may set a default timeout: its calls are not judged.
_TIMEOUT_HOOKS = frozenset({"__init__", "request", "send", "get_adapter", "mount", "merge_environment_settings"})
_PARTIALS = frozenset({"functools.partial", "functools.partialmethod"})
_METADATA_FIX = f'register the app with client_kwargs={{"{catalog.SESSION_DEFAULT_TIMEOUT}": (3.05, 30)}}'
_EVERY_ENTRY = frozenset({REQUEST, SEND})
# A session whose adapter's send() only fills a missing "timeout" key: Session.request() always passes one.
_FILLS_ONLY = (
    " (its mounted adapter's send() only fills in a missing timeout, and Session.request() always "
    "passes timeout=None)"
)


class RequestsWithoutTimeout(MissingTimeoutRule):
    """What it does:
    Finds `requests` calls in request handlers that have no timeout:
    `requests.get/post/put/patch/delete/head/options/request()` and the same
    methods plus `send()` on a `requests.Session`, also handed to a worker thread with
    their arguments (`executor.submit(requests.get, url)`, `asyncio.to_thread(...)`,
    `loop.run_in_executor(None, requests.get, url)`: reported on the hand-off). The session is recognised when it
    was built with `requests.Session()` (assigned, bound by `with ... as`, stored on
    `self.`, annotated `s: requests.Session`, or called inline; `session or
    requests.Session()`, the caller's session or a new one, counts; also as handed back by
    `cachecontrol.CacheControl(session)`, which only mounts a caching adapter), and on an inline
    instance of a subclass of it defined in the module that overrides nothing a
    default timeout could hide in (`CustomSession().get(url)`). requests-oauthlib's
    `OAuth1Session`/`OAuth2Session` and flask-dance's provider proxies
    (`from flask_dance.contrib.github import github`) are sessions too, and their token
    calls request as well: `fetch_token()` (timeout the 10th positional), `refresh_token()`
    (the 5th), `fetch_request_token()`, `fetch_access_token()`; so does google-auth-oauthlib's
    `Flow.fetch_token()` (`InstalledAppFlow`'s; built by the class or by its
    `from_client_config()`/`from_client_secrets_file()`), which hands its keywords to
    `OAuth2Session.fetch_token()`: Google's sign-in callback. authlib's requests sessions
    (`authlib.integrations.requests_client.OAuth2Session`, `AssertionSession`,
    `OAuth1Session`) are sessions too, with `revoke_token()` and `introspect_token()` besides;
    an `OAuth2Session` or `AssertionSession` built with `default_timeout=` (or `**options`
    that may hold it) gives every request it sends that timeout. And pywebpush's
    `webpush()` (its timeout the 7th positional, None by default), which posts to the
    push endpoint the browser registered. So are the apps of
    authlib's Flask and Django registries (`oauth = OAuth(app)`; `oauth.github`,
    `oauth.register(...)`, `oauth.create_client("github")`): each call builds a
    requests session, and `get/post/put/patch/delete/request()`,
    `authorize_access_token()`, `fetch_access_token()` and `userinfo()` take
    `timeout=`. Unless a registration of that registry in the module gives
    `client_kwargs` a `default_timeout` or cannot be read (`client_kwargs=OPTIONS`,
    `**settings.GITLAB_OAUTH`). A registry imported from another module of the
    project (`from .extensions import oauth`) is judged when that module's
    registrations are read in full and give none (no `default_timeout`, no
    `*_CLIENT_KWARGS` setting, no `**options`). `authorize_redirect()`,
    `create_authorization_url()` and `load_server_metadata()` take no timeout, but the
    first of them in each process fetches the OpenID Connect discovery document of an app
    registered with a `server_metadata_url` (in the module, or in the module that builds an
    imported registry; its name written out) on such a session: reported where a handler
    reaches it, the fix being the registration's `default_timeout`. Not where a call of the
    same app written before it in the function loaded the document already
    (`authorize_access_token()`, `userinfo()`), nor a warm-up no handler reaches (start-up:
    a stall is seen at once). `timeout=None`
    counts as missing. A `**KWARGS` whose dict the module shows in full (assigned
    once, a dict display or `dict(...)`, changed only by items and updates whose keys
    are written out, `options["proxies"] = proxy`, never handed on) is read like
    its keywords: without a `"timeout"` key the call has no timeout; a key added on
    one path only counts as given. A call through a name stands for what the name
    holds: `send = requests.post; send(url)`, and a parameter that every call of the
    function in the module fills with one of these (`self._req(self._sess.get, path)`
    and `self._req(self._sess.post, path, body)`, then `method(url, data=body)` in
    `_req`: reported as `method() as requests.Session.post()`). Not when one caller
    passes something else, or when the sessions handed in are not one known session
    and the module gives one of its sessions a default timeout (an adapter mounted).

    Not reported: `timeout=` given as a name, a number, a tuple or an attribute;
    `**{"timeout": 3}`; a call that forwards an unseen `**kwargs` (a parameter, a
    dict changed or handed to another function); a receiver whose kind is unknown
    (a parameter without annotation, an object from another module); a line whose
    comment silences another linter's same check, read and kept by its maintainers
    (`# noqa: S113`, ruff's and flake8-bandit's request-without-timeout;
    `# pylint: disable=missing-timeout` or `W3101`), unless `equivalent-noqa = false`.
    Nor a call that waits as it runs in module-level code (`BRANDING =
    requests.get(URL).json()`): it runs once, at import, and a stall there stops the
    start-up, where it is seen at once, and holds no request (`scope = "all"` reports
    it). A client built there is still reported: the requests that use it later wait.

    A call of a wrapper of the project (in any module) that gives no timeout is
    reported like the call it wraps, with the wrapper named (`fetch() passes no
    timeout on to requests.get() via _request()`), where the wrapper passes on to one
    of these calls, with no timeout of its own, what its callers give it:
    - its `**kwargs` (`def get(url, **kw): return requests.get(url, **kw)`); or
    - a timeout parameter whose default gives none: `timeout=None` passed on as
      `timeout=timeout`, or a parameter defaulting to `None` or a sentinel
      (`timeout=UNSET`) that sets `kwargs["timeout"]` only under an `if` on it
      before `**kwargs` is passed on. The fix names the wrapper's parameter
      (`pass wait=(connect, read)`).
    A wrapper that sets a timeout of its own (`kwargs.setdefault("timeout", 10)`,
    `timeout = timeout or 10`) is no such wrapper, and a call that passes the
    parameter (by keyword or in its place) or `*args`/`**kwargs` is not reported,
    unless what it passes is a literal `None` (`fetch(url, timeout=None)`).

    Nor where the project gives requests a default timeout:
    - calls on a session with an adapter mounted whose `send()` sets one when none
      was given (`kwargs["timeout"] = kwargs.get("timeout") or 10`,
      `if timeout is None: timeout = self.timeout`), the session built in the
      module (also by a factory function, in `__init__`, under `with`); an adapter
      class of another module of the project is read there;
    - calls on a session whose `request` was replaced by one that fills one in
      (`s.request = functools.partial(s.request, timeout=10)`);
    - every requests call of the project when some module (tooling aside) patches
      requests itself: `requests.Session.request = partialmethod(..., timeout=10)`,
      `requests.adapters.HTTPAdapter.send = send_with_timeout`.
    A `send()` that only fills a missing key (`kwargs.setdefault("timeout", 10)`,
    `partial(send, timeout=10)`) does not count for `get()`/`post()`/`request()`:
    `Session.request()` always passes `timeout=None` on to `send()`; such a call is
    still reported, and says so. A plain `HTTPAdapter(max_retries=3)` gives no
    timeout either; an adapter whose class cannot be seen is taken to give one.

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

    Options:
    `requests-default-timeout = true` (`--hb-requests-default-timeout`): the project
    gives requests a default timeout by means this rule cannot see; no requests
    call is reported (other HTTP clients still are, by HB202/HB203).
    """

    code = "HB201"
    scope = EVERYWHERE
    runtime = Signature(states=SOCKET_STATES, untimed=True, libraries=("requests",))
    name = "requests-without-timeout"
    message = "{call}() {problem}: {where} can block forever on a stalled upstream; {fix}"
    fix_text = "pass timeout=(connect, read)"
    # the libraries of the calls it judges (requests, authlib, google-auth-oauthlib, pywebpush);
    # flask-dance: its provider proxies are sessions; authlib: its registered apps use requests, also
    # through a registry another module passes in (`oauth.create_client(name)` of a parameter)
    gate = imported(
        *sorted({name.split(".")[0] for name, api in catalog.APIS.items() if api.family == catalog.REQUESTS}),
        "flask_dance",
    ) + tuple(f"{method}(" for method in catalog.OAUTH_APP_CALLS)
    calls = catalog.last_names(TIMEOUT_POSITION) | frozenset(catalog.OAUTH_APP_METADATA)
    fixer = fix_timeout  # `flake8-handler-block fix`: see docs/fix.md
    fix_default_timeout = "(3.05, 30)"  # requests: (connect, read)
    timeouts = TIMEOUT_POSITION

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self._mounts: List[Tuple[cst.Call, Scope]] = []  # `s.mount(prefix, adapter)`
        self._replaced: List[Tuple[cst.Attribute, cst.BaseExpression, Scope]] = []  # `s.request = ...`
        self._defaults: Optional[ModuleTimeouts] = None
        self._sessions: Optional[Dict[int, Optional[FrozenSet[str]]]] = None
        self._registrations: List[Tuple[cst.Call, Scope]] = []  # `oauth.register(name, ...)` (authlib)

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Attribute) and node.func.attr.value == "mount":
            self._mounts.append((node, self.ctx.scope))
        if isinstance(node.func, cst.Attribute) and node.func.attr.value == catalog.OAUTH_REGISTER:
            self._registrations.append((node, self.ctx.scope))

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            if isinstance(target.target, cst.Attribute) and target.target.attr.value in (REQUEST, SEND):
                self._replaced.append((target.target, node.value, self.ctx.scope))

    def check_call(self, site: CallSite, facts: Facts) -> None:
        target = self.ctx.callee(site.node, site.scope) or self._session_subclass_method(site)
        if target in catalog.OAUTH_METADATA_FETCHES and not facts.config.requests_default_timeout:
            self._check_metadata_fetch(site, facts)
        if target not in self.timeouts or facts.config.requests_default_timeout:
            return
        if runs_at_import(site, target, facts.config):
            return
        entry = SEND if target == f"{SESSION}.send" else REQUEST
        if entry in self._module_timeouts(facts).patched():
            return
        if target.startswith(f"{catalog.OAUTH_APP}.") and self._registered_with_timeout():
            return
        note = ""
        if target.startswith(f"{SESSION}."):
            given = self._session_timeouts(site, facts)
            if given is None or entry in given:
                return
            note = _FILLS_ONLY if SEND in given else ""
        problem = missing_timeout(site.node, self.timeouts[target], facts[MappingFacts])
        if problem:
            self.report(site.node, site.function, call=call_text(site.node), problem=problem + note)

    def finish(self, facts: Facts) -> None:
        if not facts.config.requests_default_timeout and REQUEST not in self._module_timeouts(facts).patched():
            self.judge_forwarded(facts)

    # -- a default timeout the project gives -------------------------------------------

    def _module_timeouts(self, facts: Facts) -> ModuleTimeouts:
        if self._defaults is None:
            project = facts.reach.project
            self._defaults = project.timeouts if project is not None else module_alone(facts.tree.code)
        return self._defaults

    def _session_timeouts(self, site: CallSite, facts: Facts) -> Optional[FrozenSet[str]]:
        """The entry points the receiver's mounted adapters or replaced request() give a
        timeout; None when one of them cannot be read (taken to give one)."""
        func = site.node.func
        if isinstance(func, cst.Attribute):
            receiver = self.ctx.resolve(func.value, site.scope)
        else:  # `method(url)`, a session's method handed in: its session, when known
            meant = self.ctx.resolve(func, site.scope)
            receiver = meant.of if isinstance(meant, Ref) else None
            if receiver is None and (self._mounts or self._replaced):
                return None  # some session of the module has a timeout: it may be that one
        if not isinstance(receiver, Inst) or receiver.call is None:
            return frozenset()
        if argument_state(receiver.call, catalog.SESSION_DEFAULT_TIMEOUT, mappings=facts[MappingFacts]) == PRESENT:
            return _EVERY_ENTRY  # an authlib session built with `default_timeout=10` (`*args`, `**kw`: unknown)
        if self._sessions is None:
            self._sessions = self._timed_sessions(self._module_timeouts(facts))
        return self._sessions.get(id(receiver.call), frozenset())

    def _timed_sessions(self, defaults: ModuleTimeouts) -> Dict[int, Optional[FrozenSet[str]]]:
        """The sessions of the module given a timeout, by the call that built each."""
        found: Dict[int, Optional[FrozenSet[str]]] = {}

        def add(owner: cst.BaseExpression, scope: Scope, given: Optional[FrozenSet[str]]) -> None:
            session = self.ctx.resolve(owner, scope)
            if isinstance(session, Inst) and session.producer == SESSION and session.call is not None:
                key = id(session.call)
                known = found.get(key, frozenset())
                found[key] = None if known is None or given is None else known | given

        for call, scope in self._mounts:
            adapter = argument(call, "adapter", 1)
            if adapter is not None and isinstance(call.func, cst.Attribute):
                add(call.func.value, scope, self._adapter_timeouts(adapter, scope, defaults))
        for target, value, scope in self._replaced:
            kind = self._replacement_kind(value, scope, defaults)
            add(target.value, scope, None if kind is None else covers(kind, target.attr.value))
        return found

    def _adapter_timeouts(
        self, adapter: cst.BaseExpression, scope: Scope, defaults: ModuleTimeouts
    ) -> Optional[FrozenSet[str]]:
        """What the adapter built by ``TimeoutAdapter(...)`` (or a name assigned one) gives."""
        built, scope = assigned_value(adapter, scope)
        if not isinstance(built, cst.Call):
            return None
        func = built.func
        if isinstance(func, cst.Name) and func.value in self.ctx.module.class_defs:
            return defaults.class_covers(defaults.local(func.value))
        cls = self.ctx.resolve(func, scope)
        return defaults.class_covers(cls.dotted) if isinstance(cls, Ref) else None

    def _replacement_kind(self, value: cst.BaseExpression, scope: Scope, defaults: ModuleTimeouts) -> Optional[str]:
        """``s.request = partial(s.request, timeout=10)``, a lambda passing one, a function
        (or what a function returns) that gives one: SETS, FILLS, '' (none) or None (unknown)."""
        if isinstance(value, cst.Lambda):
            return SETS if _passes_timeout(value) else ""
        named = value.func if isinstance(value, cst.Call) else value
        if isinstance(value, cst.Call):
            partial = self.ctx.resolve(named, scope)
            if isinstance(partial, Ref) and partial.dotted in _PARTIALS:
                return FILLS if _passes_timeout(value, top_only=True) else ""
        function = local_function(named, scope)
        if function is not None:
            return defaults.function_kind(defaults.local(function.qualname))
        found = self.ctx.resolve(named, scope)
        return defaults.function_kind(found.dotted) if isinstance(found, Ref) else None

    def _registered_with_timeout(self) -> bool:
        """An authlib registry of the module given a default timeout, or options that cannot be read,
        at one of its registrations: `client_kwargs={"default_timeout": 10}`, `client_kwargs=KWARGS`,
        `**options`."""
        for call, scope in self._registrations:
            if not (isinstance(call.func, cst.Attribute) and self._is_registry(call.func.value, scope)):
                continue
            if any(arg.star for arg in call.args):
                return True
            options = argument(call, "client_kwargs", None)
            if options is not None and not _dict_without_timeout(options):
                return True
        return False

    # -- authlib's discovery document ----------------------------------------------------

    def _check_metadata_fetch(self, site: CallSite, facts: Facts) -> None:
        """``oauth.okta.authorize_redirect(uri)`` of an app registered with a ``server_metadata_url``:
        the first such call of each process fetches the discovery document with no timeout. Only
        where a handler reaches it: a warm-up at start-up stalls where it is seen at once."""
        if REQUEST in self._module_timeouts(facts).patched() or self._registered_with_timeout():
            return
        if facts.config.scope != "all" and facts.reach.link(site.function) is None:
            return
        func = site.node.func
        if not isinstance(func, cst.Attribute) or _loaded_before(site, func.value):
            return
        if self._fetches_metadata(func.value, site.scope, facts):
            problem = "fetches the provider's server metadata with no timeout"
            self.report(site.node, site.function, call=call_text(site.node), problem=problem, fix=_METADATA_FIX)

    def _fetches_metadata(self, app: cst.BaseExpression, scope: Scope, facts: Facts) -> bool:
        """The registered app ``app`` stands for (``oauth.okta``, ``oauth.create_client("okta")``,
        ``oauth.register("okta", ...)``, or a name given one of them) has a ``server_metadata_url``,
        by its registration in this module or in the module that builds an imported registry."""
        value, scope = assigned_value(app, scope)
        if isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute):
            if value.func.attr.value == catalog.OAUTH_REGISTER:
                return self._is_registry(value.func.value, scope) and _names_metadata_url(value)
            registry, name = value.func.value, string_value(argument(value, "name", 0))  # create_client("okta")
        elif isinstance(value, cst.Attribute):
            registry, name = value.value, value.attr.value
        else:
            return False
        if name is None or not self._is_registry(registry, scope):
            return False
        here = [call for call, where in self._registrations
                if string_value(argument(call, "name", 0)) == name
                and isinstance(call.func, cst.Attribute) and self._is_registry(call.func.value, where)]
        if here:
            return any(_names_metadata_url(call) for call in here)
        imported = lookup(scope, registry.value) if isinstance(registry, cst.Name) else None
        project = facts.reach.project
        return isinstance(imported, Ref) and project is not None and project.registry_fetches_metadata(
            imported.dotted, name
        )

    def _is_registry(self, expr: cst.BaseExpression, scope: Scope) -> bool:
        registry = self.ctx.resolve(expr, scope)
        return isinstance(registry, Inst) and registry.producer in catalog.OAUTH_REGISTRIES

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


def _passes_timeout(node: cst.CSTNode, top_only: bool = False) -> bool:
    """A ``timeout=`` keyword that is not None, in the call (``top_only``) or anywhere in ``node``."""
    args = node.args if top_only and isinstance(node, cst.Call) else (
        n for n in iter_nodes(node) if isinstance(n, cst.Arg)
    )
    return any(
        isinstance(arg, cst.Arg) and arg.keyword is not None and arg.keyword.value == "timeout"
        and not (isinstance(arg.value, cst.Name) and arg.value.value == "None")
        for arg in args
    )


def _dict_without_timeout(value: cst.BaseExpression) -> bool:
    """A dict display whose keys are all written out and none of them a timeout."""
    if not isinstance(value, cst.Dict):
        return False
    for element in value.elements:
        if not isinstance(element, cst.DictElement) or not isinstance(element.key, cst.SimpleString):
            return False
        if element.key.evaluated_value in ("timeout", catalog.SESSION_DEFAULT_TIMEOUT):
            return False
    return True


# Calls of a registered app that load its discovery document first (they need an endpoint from it).
_LOADS_METADATA = frozenset({*catalog.OAUTH_APP_METADATA, "authorize_access_token", "fetch_access_token", "userinfo"})


def _loaded_before(site: CallSite, app: cst.BaseExpression) -> bool:
    """A call of the same app, written earlier in the function, that loads the document already
    (``authorize_access_token()`` and then ``load_server_metadata()``): it is kept from then on."""
    written = dotted_name(app)
    if site.function is None or written is None:
        return False
    for node in iter_nodes(site.function.node):
        if node is site.node:
            return False
        if (isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute)
                and node.func.attr.value in _LOADS_METADATA
                and dotted_name(node.func.value) == written):
            return True
    return False


def _names_metadata_url(registration: cst.Call) -> bool:
    """``oauth.register(..., server_metadata_url=URL)`` with a URL that is not None."""
    url = argument(registration, catalog.OAUTH_METADATA_URL)
    return url is not None and not is_none(url)


def _defines(cls: ClassScope, names: frozenset, _seen: Optional[set] = None) -> bool:
    """Does the class, or a base of it defined in the module, define one of ``names``?"""
    seen = _seen if _seen is not None else set()
    if id(cls) in seen:
        return False
    seen.add(id(cls))
    if any(name in cls.methods or name in cls.bindings for name in names):
        return True
    return any(_defines(base, names, seen) for base in cls.local_bases())
