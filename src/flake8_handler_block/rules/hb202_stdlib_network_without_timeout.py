from __future__ import annotations

from typing import List, Optional, Tuple, Union

import libcst as cst

from ..fix.fixers import fix_timeout
from ..facts import Facts
from ..calls import MISSING, PRESENT, MappingFacts, argument_state, call_text, is_data_url, is_none, keyword, positional
from .. import catalog
from ..names import base_names, last_name
from ..project.default_timeout import ProjectTimeouts
from ..rule import CURRENT, EVERYWHERE, MissingTimeoutRule, runs_at_import, timeout_positions
from ..scopes import CallSite, FunctionScope, Scope
from ..signature import SOCKET_STATES, Signature

TIMEOUT_POSITION = timeout_positions(catalog.STDLIB_NETWORK)
# These connect only when given a host; otherwise connect()/open() takes the timeout.
CONNECT_LATER = frozenset({"ftplib.FTP", "ftplib.FTP_TLS", "telnetlib.Telnet"})
SMTP_BACKEND_TIMEOUT = 7  # EmailBackend(host, port, username, password, use_tls, fail_silently, use_ssl, timeout)
_DJANGO_PROBLEM = "has no timeout and the project sets no EMAIL_TIMEOUT"
_FIX = "timeout=<seconds>"
_DJANGO_FIX = "timeout=<seconds> (or set EMAIL_TIMEOUT in the settings)"


class StdlibNetworkWithoutTimeout(MissingTimeoutRule):
    """What it does:
    Finds standard-library network calls in request handlers that have no timeout:
    `urllib.request.urlopen` (timeout is the 3rd positional), `http.client.HTTPConnection`
    and `HTTPSConnection`, `socket.create_connection`, `smtplib.SMTP/SMTP_SSL/LMTP`,
    `ftplib.FTP/FTP_TLS`, `imaplib.IMAP4/IMAP4_SSL`, `poplib.POP3/POP3_SSL` and
    `telnetlib.Telnet`. Timeouts passed by position count, and so does a `**KWARGS`
    whose dict the module shows in full (assigned once, never changed or handed on)
    with a `"timeout"` key; without one the call has no timeout. A module that calls
    `socket.setdefaulttimeout(...)` at module level is not checked by this rule.
    Calls named in the `extra-timeout-calls` option are checked the same way.

    `FTP()`, `FTP_TLS()` and `Telnet()` built without a host do not connect yet
    (their `connect()`/`open()` take the timeout), so they are not reported.

    Nor a call that waits as it runs in module-level code (`PEERS =
    urlopen(URL).read()`): it runs once, at import, and a stall there stops the
    start-up, where it is seen at once, and holds no request (`scope = "all"` reports
    it). A client built there (`HTTPSConnection(host)`) is still reported: the
    requests that use it later wait.

    Django's SMTP backend connects with `smtplib.SMTP(host, port, timeout=self.timeout)`,
    and its timeout is `settings.EMAIL_TIMEOUT` (None: no limit) unless `timeout=` is
    passed. Reported, when no module of the project may set `EMAIL_TIMEOUT`, and
    without `timeout=` (or with `timeout=None`):
    - `django.core.mail.backends.smtp.EmailBackend(...)` built (its timeout is the 8th
      positional), or a subclass of it defined in the project (in this module or
      another) that has no `__init__` of its own on the way, where a timeout could be
      given;
    - `django.core.mail.get_connection(...)` naming the SMTP backend (the string
      `"django.core.mail.backends.smtp.EmailBackend"` or a project subclass's path) or,
      with no backend named, passing where to connect (`host`, `port`, `use_tls`,
      `use_ssl`, `ssl_keyfile`, `ssl_certfile`; by keyword or in a `**options` dict the
      function shows in full, `options.update({...})` included).
    "May set" is any doubt: a module (tests and scripts too) that assigns the name,
    imports it, passes it as a keyword (`override_settings(EMAIL_TIMEOUT=5)`) or hands
    a string naming it to a call, a dict or a subscript (`env("DJANGO_EMAIL_TIMEOUT")`),
    or that does not parse; only reading `settings.EMAIL_TIMEOUT` sets nothing. Settings
    loaded without naming the setting (a config file read into `globals()`) cannot be
    seen: pass `timeout=` anyway, or silence the line. Without the project index (one
    file alone, `scope = "handlers"`) the settings cannot be seen and nothing is reported.

    Not reported: `send_mail()`, `get_connection()` or `get_connection(fail_silently=...,
    username=..., password=...)` (what `send_mail()` passes): they use the backend the
    settings name, which may be the console or locmem one; a backend named by a
    variable or a setting (`get_connection(settings.CUSTOM_BACKEND, ...)`); another
    backend's class (`locmem.EmailBackend`); a project subclass only recognised when
    its constructor is called by a name in CapWords.

    Why is this bad?
    These calls use the global socket default, which is "wait forever". A peer that
    accepts and never answers blocks the handler, and the worker, for good.
    Django's mail backends send in the request unless a task queue does it: the
    "test your SMTP server" button of a settings page hangs on a server that accepts
    the connection and never greets.

    Example:
    ```python
    def do_GET(self):
        body = urlopen(UPSTREAM).read()
    ```

    Use instead:
    ```python
    def do_GET(self):
        with urlopen(UPSTREAM, timeout=10) as response:
            body = response.read()
    ```

    Options:
    `extra-timeout-calls`: your own wrappers, as `pkg.mod.func:2` (dotted name and the
    positional index of its timeout; without `:N` the timeout is keyword-only).
    """

    code = "HB202"
    scope = EVERYWHERE
    runtime = Signature(
        states=SOCKET_STATES, untimed=True,
        libraries=("urllib.request", "http.client", "socket", "smtplib", "ftplib", "imaplib", "poplib", "telnetlib"),
    )
    name = "stdlib-network-without-timeout"
    message = "{call}() {problem}: {where} can block forever on a stalled peer; pass {fix}"
    gate = (
        'urlopen', 'http.client', 'HTTPConnection', 'HTTPSConnection', 'create_connection', 'smtplib', 'ftplib',
        'imaplib', 'poplib', 'telnetlib', 'SMTP', 'IMAP4', 'POP3', 'FTP', 'Telnet',
        'EmailBackend', 'get_connection', 'Backend(',  # Django's SMTP backend, and a project's subclass of it
    )
    calls = frozenset({*(name.rsplit(".", 1)[-1] for name in TIMEOUT_POSITION), "setdefaulttimeout"})
    timeouts = TIMEOUT_POSITION  # what the project's wrappers may pass their keywords on to
    fixer = fix_timeout  # `flake8-handler-block fix`: see docs/fix.md
    fix_default_timeout = "10"

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self.extra = dict(ctx.config.extra_timeout_calls)
        if self.extra:
            self.calls = self.calls | {name.rsplit(".", 1)[-1] for name in self.extra}
        self.pending: List[Tuple[CallSite, Optional[int]]] = []
        self.default_set = False
        # calls that may build Django's SMTP backend: get_connection(...), a class built (CapWords)
        self.mail: List[Tuple[cst.Call, Scope, Optional[FunctionScope]]] = []

    def visit_Call(self, node: cst.Call) -> None:
        name = last_name(node.func)
        if name and (name == "get_connection" or name[:1].isupper()):
            self.mail.append((node, self.ctx.scope, self.ctx.function))

    def report(self, node: cst.CSTNode, function: Union[FunctionScope, None, object] = CURRENT,
               **fields: object) -> None:
        fields.setdefault("fix", _FIX)
        super().report(node, function, **fields)  # type: ignore[arg-type]

    def check_call(self, site: CallSite, facts: Facts) -> None:
        target = self.ctx.callee(site.node, site.scope)
        if target == "socket.setdefaulttimeout":
            args = positional(site.node)
            if site.function is None and args and not is_none(args[0]):
                self.default_set = True
            return
        if target is not None and runs_at_import(site, target, facts.config):
            return
        if target in self.extra:
            self.judge_timeout(site, self.extra[target], facts)
        elif target in TIMEOUT_POSITION:
            if target in CONNECT_LATER and not site.node.args:
                return
            if target == "urllib.request.urlopen" and is_data_url(site.node):
                return  # decoded in memory: no socket to stall on
            self.pending.append((site, TIMEOUT_POSITION[target]))

    def finish(self, facts: Facts) -> None:
        if self.default_set:
            return
        self.judge_forwarded(facts)
        for site, index in self.pending:
            self.judge_timeout(site, index, facts)
        if self.mail:
            self._judge_mail(facts)

    # -- Django's SMTP backend ------------------------------------------------------------

    def _judge_mail(self, facts: Facts) -> None:
        """``EmailBackend(...)`` (or a project subclass) built, ``get_connection(...)`` naming the SMTP
        backend or passing its connection arguments, with no timeout while the project sets no
        ``EMAIL_TIMEOUT``: Django's ``open()`` then calls ``smtplib.SMTP(host, port)`` with none."""
        reach = facts.reach.project
        if reach is None or not reach.complete or reach.timeouts.project is None:
            return  # the settings cannot be seen: they may set EMAIL_TIMEOUT
        project = reach.timeouts.project
        mappings = facts[MappingFacts]
        for node, scope, function in self.mail:
            target = self.ctx.callee(node, scope)
            if target == catalog.DJANGO_GET_CONNECTION:
                if not self._connects_smtp(node, scope, project, mappings):
                    continue
                state = argument_state(node, "timeout", None, mappings)
            elif self._smtp_class(node, target, scope, project):
                state = argument_state(node, "timeout", SMTP_BACKEND_TIMEOUT, mappings)
            else:
                continue
            if state == PRESENT or project.email_timeout_set():
                continue
            problem = _DJANGO_PROBLEM if state == MISSING else "passes timeout=None"
            self.report(node, function, call=call_text(node), problem=problem, fix=_DJANGO_FIX)

    def _connects_smtp(self, call: cst.Call, scope: Scope, project: ProjectTimeouts, mappings) -> bool:
        """``get_connection(backend=..., ...)`` of the SMTP backend, or no backend and SMTP arguments."""
        backend = keyword(call, "backend", mappings)
        values = positional(call)
        if backend is None and values:
            backend = values[0]
        if backend is None:
            return any(keyword(call, name, mappings) is not None for name in catalog.DJANGO_SMTP_ARGUMENTS)
        if not isinstance(backend, cst.SimpleString):
            return False  # a name, a setting: which backend is not known here
        dotted = backend.evaluated_value
        return isinstance(dotted, str) and (dotted == catalog.DJANGO_SMTP_BACKEND or project.smtp_backend(dotted))

    def _smtp_class(self, call: cst.Call, target: Optional[str], scope: Scope, project: ProjectTimeouts) -> bool:
        if target is not None:
            return target == catalog.DJANGO_SMTP_BACKEND or project.smtp_backend(target)
        func = call.func
        return isinstance(func, cst.Name) and self._local_smtp_class(func.value, project, set())

    def _local_smtp_class(self, name: str, project: ProjectTimeouts, seen: set) -> bool:
        """A class of this module deriving from the SMTP backend, with no ``__init__`` on the way."""
        classes = self.ctx.module.class_defs.get(name, [])
        if len(classes) != 1 or name in seen:
            return False
        seen.add(name)
        cls = classes[0]
        if "__init__" in cls.methods:
            return False
        return any(
            base == catalog.DJANGO_SMTP_BACKEND or project.smtp_backend(base)
            or ("." not in base and self._local_smtp_class(base, project, seen))
            for base in base_names(cls)
        )
