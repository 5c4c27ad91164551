from __future__ import annotations

from typing import Iterator, List, Optional, Set, Tuple

import libcst as cst

from ..fix.fixers import fix_timeout
from ..facts import Facts
from ..keeping import Keeps
from ..calls import (
    MISSING, NONE, PRESENT, MappingFacts, argument, argument_state, call_text, forwards_unknown_kwargs, has_star,
    is_false, is_none, keyword, positional, url_scheme_in,
)
from .. import catalog
from ..names import Inst, Ref, base_names, last_name, resolve
from ..walk import iter_nodes
from ..project.default_timeout import ProjectTimeouts
from ..rule import (
    EVERYWHERE, MissingTimeoutRule, builds_subclass, package_says, project_timeouts, runs_at_import, timeout_positions,
)
from ..scopes import CallSite, ClassScope, FunctionScope, Scope, receiver_home
from ..signature import SOCKET_STATES, Signature

TIMEOUT_POSITION = timeout_positions(catalog.STDLIB_NETWORK)
# These connect only when given a host; otherwise connect()/open() takes the timeout, as its third
# argument (host, port, timeout), or else waits with the constructor's.
_LATER_CONNECTS = {"connect": ("ftplib.FTP", "ftplib.FTP_TLS"), "open": ("telnetlib.Telnet",)}
CONNECT_LATER = frozenset(cls for classes in _LATER_CONNECTS.values() for cls in classes)
_LATER_CONNECT_TIMEOUT = 2
SMTP_BACKEND_TIMEOUT = 7  # EmailBackend(host, port, username, password, use_tls, fail_silently, use_ssl, timeout)
_SOCKET_METHOD = f"{catalog.SOCKET_CLASS}."
_CODE = cst.Module(body=[])
_AMBIGUOUS = cst.Name("_ambiguous")  # assigned on some paths only
_DJANGO_PROBLEM = "has no timeout and the project sets no EMAIL_TIMEOUT"
_FIX = "pass timeout=<seconds>"
_DJANGO_FIX = "pass timeout=<seconds> (or set EMAIL_TIMEOUT in the settings)"
_DJANGO_SETTINGS_FIX = "set EMAIL_TIMEOUT in the settings (or pass connection=get_connection(timeout=<seconds>))"
# Where the connection goes among the positionals: send_mail(subject, message, from_email, recipient_list,
# fail_silently, auth_user, auth_password, connection), mail_admins(subject, message, fail_silently,
# connection), EmailMessage(subject, body, from_email, to, bcc, connection) (EmailMultiAlternatives alike).
_CONNECTION_POSITION = {"send_mail": 7, "send_mass_mail": 4, "mail_admins": 3, "mail_managers": 3}
_MESSAGE_CONNECTION = 5
_MAIL_CALLS = frozenset({"get_connection", "send", *_CONNECTION_POSITION})
_FLASK_MAIL_PROBLEM = "connects with smtplib.SMTP(host, port) and no timeout (Flask-Mail takes none)"
_FLASK_MAIL_FIX = "call socket.setdefaulttimeout(<seconds>) at start-up, or send with Flask-Mailman and MAIL_TIMEOUT"
_XMLRPC_PROBLEM = "sends every call with no timeout (its default transport sets none)"
_XMLRPC_FIX = ("pass transport= a Transport whose make_connection() sets a timeout, "
               "or call socket.setdefaulttimeout(<seconds>) at start-up")


class StdlibNetworkWithoutTimeout(MissingTimeoutRule):
    """What it does:
    Finds standard-library network calls in request handlers that have no timeout:
    `urllib.request.urlopen` (timeout is the 3rd positional) and `open()` on an opener from
    `urllib.request.build_opener()` (or an `OpenerDirector`: `urlopen()` is that call on a
    default opener, with the same `timeout` in the same place; rules.md names `urlopen` only,
    and an opener of the project's own waits the same way), `http.client.HTTPConnection`
    and `HTTPSConnection`, `socket.create_connection`, `smtplib.SMTP/SMTP_SSL/LMTP`,
    `ftplib.FTP/FTP_TLS`, `imaplib.IMAP4/IMAP4_SSL`, `poplib.POP3/POP3_SSL`,
    `telnetlib.Telnet` and `nntplib.NNTP/NNTP_SSL` (the last two are gone from Python
    3.13's standard library; code for older ones still calls them), also handed to a
    worker thread with their arguments (`asyncio.to_thread(urlopen, url)`, reported on the
    hand-off), and imported through a module of the project that imports them
    (`from .compat import urlopen`, the compat module's `try: from urllib.request import
    urlopen` / `except ImportError: from urllib2 import urlopen`). Timeouts passed by
    position count, and so does a `**KWARGS` whose dict the module shows in full
    (assigned once, never changed or handed on) with a `"timeout"` key; without one the
    call has no timeout. A module that calls `socket.setdefaulttimeout(...)` at module
    level is not checked by this rule, nor, with the project index, a module of a package
    another module of which (tooling and tests aside) calls it with a value, in a top-level
    start-up function too (`socket.setdefaulttimeout(settings.SOCKET_TIMEOUT)` in
    `app/start.py`'s `initialize()`): every socket of the program has that default from
    then on. A method that sets it (Glances' port scanner, per port) does so as a side
    effect of its work, in an order nothing fixes: it gives the program no default. The
    package is the top-level one: separate scripts or sample apps side by side
    share no process, and a module outside any package only speaks for itself. A function
    that also calls `socket.getdefaulttimeout()` changes it for a while and puts it back:
    it sets no default. A call that `socket.setdefaulttimeout(<seconds>)` precedes on its
    way through its own function (a statement before it in its block, or in a block around
    it: `if url.startswith("ftp://"): socket.setdefaulttimeout(30)` then `urlopen(req)`) is
    not reported either: the default holds when it runs. `requests` is not covered (HB201):
    it passes `timeout=None` on to its sockets.
    Calls named in the `extra-timeout-calls` option are checked the same way.

    Not reported: `urlopen()` of a URL known to be local, so no peer can stall it: a
    `data:` URL (decoded in memory) or a `file:` URL (read from disk), written as such or
    tested around the call (`if url.startswith("data:")`, `if urlparse(url).scheme ==
    "file"`, `parts = urlparse(url)` then `if parts.scheme == "file"`, also as one side of
    an `and`), or passed by every caller of the function in the module.

    `FTP()`, `FTP_TLS()` and `Telnet()` built without a host do not connect yet, so they
    are not reported there: their `connect()`/`open()` is, when it passes no timeout (its
    third argument) and the client was built in view with none (`ftp = FTP()`, `ftp =
    FTP_TLS() if tls else FTP()`, `self.ftp = FTP()`): it then waits with the
    constructor's, none by default, as do the `login()` and transfers after it.

    A subclass's constructor that runs a listed class's own connects there, with the
    arguments it passes: `smtplib.SMTP.__init__(self, host, port)` (the timeout's place
    one further on, after `self`) or `super().__init__(host, port)` in a class whose one
    listed base is `smtplib.SMTP`. Reported at that call when it gives no timeout;
    `super().__init__(*args, **kwargs)` passes the caller's on and is not.

    Nor a call that waits as it runs in module-level code (`PEERS =
    urlopen(URL).read()`): it runs once, at import, and a stall there stops the
    start-up, where it is seen at once, and holds no request (`scope = "all"` reports
    it). A client built there (`HTTPSConnection(host)`) is still reported: the
    requests that use it later wait.

    A raw TCP socket is reported at its `connect()`: `sock = socket.socket()` (or
    `socket.socket(AF_INET or AF_INET6, SOCK_STREAM)`, `with socket.socket() as sock`,
    `self.sock = socket.socket(...)`) connected and read from (`recv*()`, `makefile()`)
    with no `settimeout(<seconds>)` and no `setblocking(False)` on it: in the function,
    or in the class for `self.sock`. The socket must be known from its constructor: the
    last assignment before the connect on every path of the function (one assigned in a
    branch before, or a parameter, is not known), or the class's only
    `self.sock = socket.socket(...)`. Not reported: a socket only connected and written to
    (`connect()` alone ends with the kernel's SYN retries; the wait that never ends is a
    read), UDP (`SOCK_DGRAM`) and local (`AF_UNIX`) sockets, a family or type given by a
    variable (`socket.socket(af, kind, proto)` in a `getaddrinfo` loop), a socket that is
    bound, listens or accepts. A `settimeout()` after the connect counts: it bounds the
    reads, and the connect ends anyway.

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

    Flask-Mail's sends on a `flask_mail.Mail` (built in the module, or in another module
    of the project and imported: `from .extensions import mail`): `mail.send(msg)`,
    `mail.send_message(...)` and `mail.connect()` (its `with` connects). Flask-Mail opens
    `smtplib.SMTP(host, port)` and takes no timeout, by argument or setting, so the fix is
    the process's socket default or Flask-Mailman's `MAIL_TIMEOUT`; `flake8-handler-block
    fix` leaves them alone. A `Mail` reached through `current_app.extensions["mail"]` is of
    unknown kind and not reported.

    `xmlrpc.client.ServerProxy(uri)` (or its old name `Server`, `xmlrpclib` in Python 2
    compatibility code) with no `transport=` (or `transport=None`): it takes no timeout
    and its default transport opens `http.client` connections with none, so every remote
    call on it waits forever on a stalled server. One finding, where it is built. A
    transport of the caller's may set one and is not reported; `fix` leaves these alone.

    A call of a wrapper of the project that gives no timeout is reported like the call
    it wraps, as HB201 describes: the wrapper passes its `**kwargs` on, or a timeout
    parameter whose default gives none (`def urlopen(url, data=None, timeout=UNSET)`
    that adds `kwargs["timeout"]` only `if timeout is not UNSET` before
    `opener.open(url, **kwargs)`).

    What sends with the backend the settings name is reported only where the project's
    settings show it is the SMTP one: a module of the project (tooling and tests aside)
    assigns `EMAIL_HOST` a server that is not this machine (`localhost`), no module
    assigns an `EMAIL_BACKEND` that spells another backend's path (Django's own
    console, locmem, file and dummy backends beside it are development settings; one
    read from the environment with no path spelled is the deployment's choice, and the
    server settings say which), and none may set `EMAIL_TIMEOUT`. Then, at the call:
    `send_mail()`, `send_mass_mail()`, `mail_admins()` and `mail_managers()` given no
    `connection=`; `get_connection()` naming no backend; `message.send()` of an
    `EmailMessage` or `EmailMultiAlternatives` built, where the module shows it, with
    no `connection=` and given none later (`message.connection = ...`); `mail_admins()`
    and `mail_managers()` only when such a module also gives `ADMINS` (`MANAGERS`) a
    value that may not be empty (Django returns before connecting while it is). The fix
    is the setting, so `fix` leaves these alone.

    Not reported: those sends when no module names a mail server (a reusable app whose
    settings are its users', or settings loaded in ways not written out:
    `vars().update(env.email_url())`), they may go to a library's backend, or the
    project may set `EMAIL_TIMEOUT`; `get_connection(fail_silently=..., username=...,
    password=...)` is judged the same way (what `send_mail()` passes); a message built
    in code the module does not show; a backend named by a variable or a setting
    (`get_connection(settings.CUSTOM_BACKEND, ...)`); another backend's class
    (`locmem.EmailBackend`); a project subclass only recognised when its constructor
    is called by a name in CapWords.

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
    needs = (MappingFacts, Keeps)  # `**KWARGS` read in full; parent links for a socket's assignments
    scope = EVERYWHERE
    runtime = Signature(
        states=SOCKET_STATES, untimed=True,
        libraries=("urllib.request", "http.client", "socket", "smtplib", "ftplib", "imaplib", "poplib", "telnetlib",
                   "nntplib"),
    )
    name = "stdlib-network-without-timeout"
    message = "{call}() {problem}: {where} can block forever on a stalled peer; {fix}"
    gate = (
        'urlopen', 'build_opener', 'OpenerDirector', 'http.client', 'HTTPConnection', 'HTTPSConnection',
        'smtplib', 'ftplib', 'imaplib', 'poplib', 'telnetlib', 'nntplib', 'IMAP4', 'POP3', 'FTP', 'Telnet', 'NNTP',
        'EmailBackend', 'Backend(',  # Django's SMTP backend, and a project's subclass of it
        'socket(',  # a raw socket.socket(...)
        'flask_mail',  # Flask-Mail's sends (a Mail of another module: the project's client names)
        'xmlrpc',  # xmlrpc.client.ServerProxy (xmlrpclib in Python 2 compat code)
    )
    # Names common elsewhere (database and cache connections): only with the module they come from.
    gate_pairs = ((('create_connection',), ('socket',)), (('get_connection',), ('mail',)),
                  (('send_mail', 'send_mass_mail', 'mail_admins', 'mail_managers', 'EmailMessage',
                    'EmailMultiAlternatives'), ('django',)))
    calls = frozenset({
        *(name.rsplit(".", 1)[-1] for name in TIMEOUT_POSITION), "setdefaulttimeout",
        "connect", *catalog.SOCKET_TIMEOUT_SETTERS, *catalog.SOCKET_SERVER_METHODS, *catalog.SOCKET_READS,
        "__init__",  # a subclass's constructor running its base's: `smtplib.SMTP.__init__(self, host)`
        *(name.rsplit(".", 1)[-1] for name in catalog.UNTIMED_MAIL_CALLS), *catalog.last_names(
            dict.fromkeys(catalog.XMLRPC_PROXIES)),
    })
    timeouts = TIMEOUT_POSITION  # what the project's wrappers may pass their keywords on to
    fix_text = _FIX
    fixer = fix_timeout  # `flake8-handler-block fix`: see docs/fix.md
    fix_default_timeout = "10"

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self.extra = dict(ctx.config.extra_timeout_calls)
        if self.extra:
            self.calls = self.calls | {name.rsplit(".", 1)[-1] for name in self.extra}
        self.pending: List[Tuple[CallSite, Optional[int]]] = []
        self.later_connects: List[CallSite] = []  # connect()/open() of a client built hostless (_connects_later)
        self.untimed: List[Tuple[CallSite, str, str]] = []  # calls that take no timeout: (site, problem, fix)
        self.default_set = False
        # calls that may build Django's SMTP backend: get_connection(...), a class built (CapWords)
        self.mail: List[Tuple[cst.Call, Scope, Optional[FunctionScope]]] = []
        # raw sockets: connect() calls with the socket.socket(...) call that built the receiver; the
        # receivers (function or class, source text) given a timeout, made non-blocking or used to
        # serve, and those read from
        self.sockets: List[Tuple[CallSite, cst.Call, Tuple[int, str]]] = []
        self.settled: Set[Tuple[int, str]] = set()
        self.read: Set[Tuple[int, str]] = set()

    def visit_Call(self, node: cst.Call) -> None:
        name = last_name(node.func)
        if name and (name in _MAIL_CALLS or name[:1].isupper()):
            self.mail.append((node, self.ctx.scope, self.ctx.function))

    def check_call(self, site: CallSite, facts: Facts) -> None:
        target = self.ctx.callee(site.node, site.scope)
        if target is not None and target.startswith(_SOCKET_METHOD):
            self._socket_call(site, target[len(_SOCKET_METHOD):], facts)
            return
        if target == "socket.setdefaulttimeout":
            if site.function is None and _gives_a_default(site.node):
                self.default_set = True
            return
        if target is not None and runs_at_import(site, target, facts.config):
            return
        untimed = target in catalog.UNTIMED_MAIL_CALLS or target in catalog.XMLRPC_PROXIES
        if (target in self.extra or target in TIMEOUT_POSITION or untimed) and self._default_set_before(site, facts):
            return
        if target in catalog.UNTIMED_MAIL_CALLS:
            self.untimed.append((site, _FLASK_MAIL_PROBLEM, _FLASK_MAIL_FIX))
            return
        if target in catalog.XMLRPC_PROXIES:
            if argument_state(site.node, *catalog.XMLRPC_TRANSPORT, facts[MappingFacts]) in (MISSING, NONE):
                self.untimed.append((site, _XMLRPC_PROBLEM, _XMLRPC_FIX))
            return
        if target in self.extra:
            self.judge_timeout(site, self.extra[target], facts)
        elif self._connects_later(site, facts):
            self.later_connects.append(site)
        elif target in TIMEOUT_POSITION:
            if target in CONNECT_LATER and not site.node.args:
                return
            if target == "urllib.request.urlopen" and url_scheme_in(site, catalog.LOCAL_SCHEMES):
                return  # a data: URL is decoded in memory, a file: URL read from disk: no peer to stall
            self.pending.append((site, TIMEOUT_POSITION[target]))
        else:
            base = _base_constructor(site, target)
            if base is not None and not (base[0] in CONNECT_LATER and len(site.node.args) <= base[1]):
                index = TIMEOUT_POSITION[base[0]]
                self.pending.append((site, None if index is None else index + base[1]))

    def _connects_later(self, site: CallSite, facts: Facts) -> bool:
        """``ftp.connect(host, port)`` (``tn.open(host)``) on a client built with no host and no timeout
        (``FTP()``, also ``FTP_TLS() if tls else FTP()``): the connect is where it waits, with the
        constructor's timeout unless it passes one (judged as the call's own, third, argument)."""
        func = site.node.func
        if not isinstance(func, cst.Attribute) or func.attr.value not in _LATER_CONNECTS:
            return False
        classes = _LATER_CONNECTS[func.attr.value]
        built = self.ctx.resolve(func.value, site.scope)
        if isinstance(built, Inst):
            values: List[cst.BaseExpression] = [built.call] if built.call is not None else []
        elif site.function is not None:  # `FTP_TLS() if tls else FTP()`, which resolves to no one class
            value = _assigned_before(facts[Keeps].path(site.function, site.node), _CODE.code_for_node(func.value))
            values = [value.body, value.orelse] if isinstance(value, cst.IfExp) else []
        else:
            values = []
        mappings = facts[MappingFacts]
        return bool(values) and all(
            isinstance(value, cst.Call) and not positional(value)
            and self.ctx.callee(value, site.scope) in classes
            and keyword(value, "host", mappings) is None
            and argument_state(value, "timeout", None, mappings) != PRESENT
            for value in values
        )

    def _default_set_before(self, site: CallSite, facts: Facts) -> bool:
        """``socket.setdefaulttimeout(30)`` (not None) runs before the call on its way through its
        function: a statement of its suite, or of a suite around it, before it. The default holds
        for the call whatever else changes it later (anitya's FTP branch sets it, then opens)."""
        function = site.function
        if function is None:
            return False
        return any(
            isinstance(statement, cst.SimpleStatementLine) and any(
                self._sets_default(small, site) for small in statement.body
            )
            for _parent, earlier in _earlier_statements(facts[Keeps].path(function, site.node))
            for statement in earlier
        )

    def _sets_default(self, small: cst.BaseSmallStatement, site: CallSite) -> bool:
        call = small.value if isinstance(small, cst.Expr) else None
        if not isinstance(call, cst.Call) or last_name(call.func) != "setdefaulttimeout":
            return False
        return _gives_a_default(call) and self.ctx.callee(call, site.scope) == "socket.setdefaulttimeout"

    def finish(self, facts: Facts) -> None:
        if self.default_set or package_says(facts, ProjectTimeouts.socket_default_set):
            return
        self.judge_forwarded(facts)
        for site, index in self.pending:
            self.judge_timeout(site, index, facts)
        for site in self.later_connects:  # `fix` passes it where the connect takes it
            self.judge_timeout(site, _LATER_CONNECT_TIMEOUT, facts, fix_argument=("timeout", _LATER_CONNECT_TIMEOUT))
        for site, problem, fix in self.untimed:
            self.report(site.node, site.function, call=call_text(site.node), problem=problem, fix=fix)
        if self.mail:
            self._judge_mail(facts)
        for site, built, receiver in self.sockets:
            if receiver in self.read and receiver not in self.settled and _network_stream(built, site.scope):
                self.report(site.node, site.function, call=call_text(site.node),
                            problem="connects a socket.socket() with no timeout",
                            fix="call settimeout(<seconds>) on it before connect(), or use "
                                "socket.create_connection(address, timeout=<seconds>)")

    # -- raw sockets ------------------------------------------------------------------------

    def _socket_built(self, site: CallSite, receiver: cst.BaseExpression, facts: Facts) -> Optional[cst.Call]:
        """The ``socket.socket(...)`` call the connected receiver holds: the assignment (or ``with ... as``)
        that comes last before the connect on every path of its function; for ``self.x`` not assigned
        there, the class's one ``self.x = socket.socket(...)``. None when not known (assigned in a branch
        before, or more than once in the class)."""
        function = site.function
        if function is None:
            return None
        text = _CODE.code_for_node(receiver)
        value = _assigned_before(facts[Keeps].path(function, site.node), text)
        if value is _AMBIGUOUS:
            return None
        if value is None:
            cls = function.parent if text.startswith("self.") else None
            if not isinstance(cls, ClassScope) or _assignments(cls.node, text) != 1:
                return None
            found = self.ctx.resolve(receiver, site.scope)
            return found.call if isinstance(found, Inst) else None
        if isinstance(value, cst.Call) and self.ctx.callee(value, site.scope) == catalog.SOCKET_CLASS:
            return value
        return None

    def _socket_call(self, site: CallSite, method: str, facts: Facts) -> None:
        """``sock.connect(...)``, ``sock.settimeout(...)``... on a receiver built by ``socket.socket(...)``."""
        func = site.node.func
        built = self.ctx.resolve(func.value, site.scope) if isinstance(func, cst.Attribute) else None
        if not isinstance(built, Inst) or built.call is None or built.producer != catalog.SOCKET_CLASS:
            return
        assert isinstance(func, cst.Attribute)
        receiver = receiver_home(site.function, _CODE.code_for_node(func.value))
        if receiver is None:
            return
        if method == "connect":
            constructor = self._socket_built(site, func.value, facts)
            if constructor is not None:
                self.sockets.append((site, constructor, receiver))
        elif method in catalog.SOCKET_READS:
            self.read.add(receiver)
        elif method in catalog.SOCKET_SERVER_METHODS:
            self.settled.add(receiver)  # a server's socket (bind: a client with a fixed source, unusual)
        elif method in catalog.SOCKET_TIMEOUT_SETTERS:
            args = positional(site.node)
            value = args[0] if args else keyword(site.node, "value") or keyword(site.node, "flag")
            if method == "settimeout" and (value is None or not is_none(value)):
                self.settled.add(receiver)  # anywhere in the function (or class): its reads are bounded
            elif method == "setblocking" and (value is None or is_false(value)):
                self.settled.add(receiver)  # non-blocking: connect() raises instead of waiting

    # -- Django's SMTP backend ------------------------------------------------------------

    def _judge_mail(self, facts: Facts) -> None:
        """``EmailBackend(...)`` (or a project subclass) built, ``get_connection(...)`` naming the SMTP
        backend or passing its connection arguments, with no timeout while the project sets no
        ``EMAIL_TIMEOUT``: Django's ``open()`` then calls ``smtplib.SMTP(host, port)`` with none."""
        project = project_timeouts(facts)
        if project is None:
            return  # the settings cannot be seen: they may set EMAIL_TIMEOUT
        mappings = facts[MappingFacts]
        for node, scope, function in self.mail:
            target = self.ctx.callee(node, scope)
            if target == catalog.DJANGO_GET_CONNECTION:
                if not self._connects_smtp(node, scope, project, mappings):
                    continue
                state = argument_state(node, "timeout", None, mappings)
            elif self._smtp_class(node, target, project):
                state = argument_state(node, "timeout", SMTP_BACKEND_TIMEOUT, mappings)
            elif self._sends_by_settings(node, target, scope, mappings) and project.settings_send_smtp():
                recipients = catalog.DJANGO_RECIPIENTS_OF.get(target or "")
                if recipients is not None and not project.settings_name(recipients):
                    continue  # `mail_admins()` with no ADMINS set returns before it connects
                if not project.email_timeout_set():
                    self.report(node, function, call=call_text(node), problem=_DJANGO_PROBLEM, fix=_DJANGO_SETTINGS_FIX)
                continue
            else:
                continue
            if state == PRESENT or project.email_timeout_set():
                continue
            problem = _DJANGO_PROBLEM if state == MISSING else "passes timeout=None"
            self.report(node, function, call=call_text(node), problem=problem, fix=_DJANGO_FIX)

    def _sends_by_settings(self, call: cst.Call, target: Optional[str], scope: Scope, mappings) -> bool:
        """``send_mail(...)`` (``send_mass_mail``, ``mail_admins``, ``mail_managers``) given no connection, or
        ``message.send()`` of an ``EmailMessage`` built, in code this module shows, with none: each opens the
        backend the settings name. A message built elsewhere (its constructing call not known) is not."""
        if target in catalog.DJANGO_SEND_FUNCTIONS:
            position = _CONNECTION_POSITION[target.rpartition(".")[2]]
            return argument_state(call, catalog.DJANGO_CONNECTION, position, mappings) in (MISSING, NONE)
        if target not in catalog.DJANGO_MESSAGE_SENDS or not isinstance(call.func, cst.Attribute):
            return False
        message = self.ctx.resolve(call.func.value, scope)
        if not isinstance(message, Inst) or message.call is None or message.declared:
            return False
        state = argument_state(message.call, catalog.DJANGO_CONNECTION, _MESSAGE_CONNECTION, mappings)
        if state not in (MISSING, NONE):
            return False
        if not isinstance(scope, FunctionScope) or not isinstance(call.func.value, cst.Name):
            return True
        # `message.connection = conn` in the function that sends it: a connection of the caller's
        return _assignments(scope.node.body, f"{call.func.value.value}.{catalog.DJANGO_CONNECTION}") == 0

    def _connects_smtp(self, call: cst.Call, scope: Scope, project: ProjectTimeouts, mappings) -> bool:
        """``get_connection(backend=..., ...)`` of the SMTP backend, or no backend and SMTP arguments."""
        backend = keyword(call, "backend", mappings)
        values = positional(call)
        if backend is None and values:
            backend = values[0]
        if backend is None:  # the settings' backend, unless it passes where to connect
            if any(keyword(call, name, mappings) is not None for name in catalog.DJANGO_SMTP_ARGUMENTS):
                return True
            return not forwards_unknown_kwargs(call, mappings) and project.settings_send_smtp()
        if not isinstance(backend, cst.SimpleString):
            return False  # a name, a setting: which backend is not known here
        dotted = backend.evaluated_value
        return isinstance(dotted, str) and (dotted == catalog.DJANGO_SMTP_BACKEND or project.smtp_backend(dotted))

    def _smtp_class(self, call: cst.Call, target: Optional[str], project: ProjectTimeouts) -> bool:
        return builds_subclass(call, target, self.ctx.module, catalog.DJANGO_SMTP_BACKENDS, project.smtp_backend)


def _base_constructor(site: CallSite, target: Optional[str]) -> Optional[Tuple[str, int]]:
    """A subclass's constructor that runs a listed class's own and so connects with its arguments:
    ``smtplib.SMTP.__init__(self, host, port)`` (the listed class, and 1: ``self`` comes first), or
    ``super().__init__(host, port)`` in a class whose one listed base is that class (0)."""
    func = site.node.func
    if not isinstance(func, cst.Attribute) or func.attr.value != "__init__":
        return None
    if target is not None and target.endswith(".__init__"):
        base = target[: -len(".__init__")]
        return (base, 1) if base in TIMEOUT_POSITION else None
    value, function = func.value, site.function
    if not (isinstance(value, cst.Call) and isinstance(value.func, cst.Name) and value.func.value == "super"):
        return None
    cls = function.parent if function is not None else None
    if not isinstance(cls, ClassScope):
        return None
    listed = [base for base in base_names(cls) if base in TIMEOUT_POSITION]
    return (listed[0], 0) if len(listed) == 1 else None


def _network_stream(built: cst.Call, scope: Scope) -> bool:
    """``socket.socket()``, ``socket.socket(AF_INET[6], SOCK_STREAM)``: a TCP client's socket. A family or
    type given by a name not known (``af, kind, proto, _, sa = info``), a ``fileno``, ``*args``: not known."""
    if has_star(built) or argument(built, "fileno", 3) is not None:
        return False
    for name, index, allowed in (("family", 0, catalog.SOCKET_NETWORK_FAMILIES),
                                 ("type", 1, catalog.SOCKET_STREAM_TYPES)):
        value = argument(built, name, index)
        if value is None:
            continue
        found = resolve(value, scope)
        if not isinstance(found, Ref) or found.dotted not in allowed:
            return False
    return True


def _assigned_before(path: List[cst.CSTNode], target: str) -> Optional[cst.BaseExpression]:
    """What ``target`` (source text: ``s``, ``self.sock``) was last assigned before the call that ends
    ``path`` (its function's node down to it) on every path through the function: the closest earlier
    statement of the same suite, or of a suite around it, that assigns it (or a ``with ... as target``
    around the call). ``_AMBIGUOUS`` when an earlier compound statement may assign it; None when
    nothing before assigns it."""
    for parent, earlier in _earlier_statements(path):
        if isinstance(parent, cst.With):
            for item in parent.items:
                if item.asname is not None and _CODE.code_for_node(item.asname.name) == target:
                    return item.item
        for statement in earlier:
            if isinstance(statement, cst.SimpleStatementLine):
                for small in reversed(statement.body):
                    if isinstance(small, cst.Assign) and any(
                        _CODE.code_for_node(t.target) == target for t in small.targets
                    ):
                        return small.value
                    if isinstance(small, (cst.AugAssign, cst.AnnAssign, cst.Del)) and _names(small, target):
                        return _AMBIGUOUS
            elif _names(statement, target):
                return _AMBIGUOUS
    return None


def _earlier_statements(path: List[cst.CSTNode]) -> Iterator[Tuple[cst.CSTNode, List[cst.CSTNode]]]:
    """What runs before the node that ends ``path`` (its function's node down to it), level by
    level from the inside out: each node of the path around it, with the statements of that node's
    suite that come before the path's next node, closest first (none when the path goes through
    something else there: a test, a handler). Stops at the function."""
    for index in range(len(path) - 2, -1, -1):
        parent, child = path[index], path[index + 1]
        body = getattr(parent, "body", None)
        earlier = list(reversed(body[:body.index(child)])) if isinstance(body, (list, tuple)) and child in body else []
        yield parent, earlier
        if isinstance(parent, (cst.FunctionDef, cst.Lambda)):
            break


def _gives_a_default(call: cst.Call) -> bool:
    """``socket.setdefaulttimeout(30)``: a value that is not ``None``."""
    args = positional(call)
    return bool(args) and not is_none(args[0])


def _names(node: cst.CSTNode, target: str) -> bool:
    """Does ``node`` assign, rebind or delete ``target`` anywhere (a nested def included)?"""
    return _assignments(node, target) > 0


def _assignments(node: cst.CSTNode, target: str) -> int:
    """How many assignment targets (``=``, ``+=``, ``:``, ``as``, ``for``, ``del``) below ``node`` are ``target``."""
    count = 0
    for inner in iter_nodes(node):
        written: List[cst.BaseExpression] = []
        if isinstance(inner, cst.AssignTarget):
            written = [inner.target]
        elif isinstance(inner, (cst.AugAssign, cst.AnnAssign)):
            written = [inner.target]
        elif isinstance(inner, cst.AsName):
            written = [inner.name]
        elif isinstance(inner, (cst.For, cst.CompFor)):
            written = [inner.target]
        elif isinstance(inner, cst.Del):
            written = [inner.target]
        count += sum(1 for expr in written if _CODE.code_for_node(expr) == target)
    return count
