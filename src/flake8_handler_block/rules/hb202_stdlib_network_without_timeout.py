from __future__ import annotations

from typing import List, Optional, Tuple

from ..fix.fixers import fix_timeout
from ..facts import Facts
from ..calls import is_data_url, is_none, positional
from .. import catalog
from ..rule import EVERYWHERE, MissingTimeoutRule, timeout_positions
from ..scopes import CallSite
from ..signature import SOCKET_STATES, Signature

TIMEOUT_POSITION = timeout_positions(catalog.STDLIB_NETWORK)
# These connect only when given a host; otherwise connect()/open() takes the timeout.
CONNECT_LATER = frozenset({"ftplib.FTP", "ftplib.FTP_TLS", "telnetlib.Telnet"})


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

    Why is this bad?
    These calls use the global socket default, which is "wait forever". A peer that
    accepts and never answers blocks the handler, and the worker, for good.

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
    message = "{call}() {problem}: {where} can block forever on a stalled peer; pass timeout=<seconds>"
    gate = (
        'urlopen', 'http.client', 'HTTPConnection', 'HTTPSConnection', 'create_connection', 'smtplib', 'ftplib',
        'imaplib', 'poplib', 'telnetlib', 'SMTP', 'IMAP4', 'POP3', 'FTP', 'Telnet',
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

    def check_call(self, site: CallSite, facts: Facts) -> None:
        target = self.ctx.callee(site.node, site.scope)
        if target == "socket.setdefaulttimeout":
            args = positional(site.node)
            if site.function is None and args and not is_none(args[0]):
                self.default_set = True
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
