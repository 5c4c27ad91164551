"""What the analysed APIs do: one table, read by every rule, by ``fix`` and by ``confirm``.

For each callee, written as ``names.callee`` resolves it (``requests.Session.get`` is
``get`` on a value built by ``requests.Session()``), an :class:`Api` entry says:

* ``family``: which kind of wait it is; each HB2xx rule reports one family;
* ``timeout``: where its timeout goes (keyword name, positional index) and what
  happens when it expires (``raises``: the caller sees an exception; ``returns``:
  it returns quietly, so adding a timeout changes the caller's logic);
* ``blocking``: it blocks the calling thread (HB601), how a call can opt out
  (a false ``block`` flag, a zero timeout, ``os.WNOHANG``, a spawn mode other than
  ``os.P_WAIT``), and what to use on an event loop;
* ``until``: what it waits for, in words, for messages;
* ``awaited``: a coroutine with no timeout parameter (an asyncio process's
  ``wait()``): only a deadline around the await (``asyncio.timeout()``,
  ``asyncio.wait_for()``) bounds it.

Factories (what kind of object a constructor returns) and hand-offs (calls that run
a callable elsewhere) are here too. Nothing in this module imports libcst.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Dict, FrozenSet, Iterable, Iterator, List, Mapping, NamedTuple, Optional, Sequence, Tuple

# OAuth clients that are HTTP clients of a library: requests-oauthlib's sessions (and flask-dance's,
# built on them) and authlib's requests sessions are requests.Session subclasses (authlib's
# OAuth2Session and AssertionSession give every request they send the constructor's
# `default_timeout`, None by default: SESSION_DEFAULT_TIMEOUT); authlib's httpx clients are httpx's.
# HB103 reports authlib's httpx clients built per request and never closed (OAUTH_CLIENT_NAMES), as
# it reports httpx's own, when a request is sent on one: one built only to make a sign-in URL
# (`create_authorization_url()`) sends nothing. The requests sessions are left to requests' rules
# (one dropped at return is freed by reference counting, its pool with it).
_AUTHLIB_REQUESTS = "authlib.integrations.requests_client"
_AUTHLIB_HTTPX = "authlib.integrations.httpx_client"
OAUTH_SESSIONS = {
    **{f"requests_oauthlib.{module}{name}": "requests.Session"
       for name, file in (("OAuth1Session", "oauth1_session"), ("OAuth2Session", "oauth2_session"))
       for module in ("", f"{file}.")},
    "flask_dance.consumer.requests.OAuth1Session": "requests.Session",
    "flask_dance.consumer.requests.OAuth2Session": "requests.Session",
    **{f"{_AUTHLIB_REQUESTS}.{module}{name}": "requests.Session"
       for name, file in (("OAuth1Session", "oauth1_session"), ("OAuth2Session", "oauth2_session"),
                          ("AssertionSession", "assertion_session"))
       for module in ("", f"{file}.")},
    **{f"{_AUTHLIB_HTTPX}.{module}{prefix}{name}": f"httpx.{prefix}Client"
       for name, file in (("OAuth1Client", "oauth1_client"), ("OAuth2Client", "oauth2_client"),
                          ("AssertionClient", "assertion_client"))
       for prefix in ("", "Async") for module in ("", f"{file}.")},
}
OAUTH_CLIENT_NAMES = frozenset(name.rsplit(".", 1)[1] for name, public in OAUTH_SESSIONS.items()
                               if public.startswith("httpx."))

# Public names that stand for a private implementation path (longest prefix wins).
_CANONICAL_PREFIXES = {
    # Python 2's names of standard modules, which compatibility imports fall back from or to
    # (`try: import Queue as queue` / `except ImportError: import queue`): the same module
    "Queue": "queue",
    "urllib2": "urllib.request",
    "httplib": "http.client",
    "SocketServer": "socketserver",
    "BaseHTTPServer": "http.server",
    "requests.api": "requests",
    "requests.sessions.Session": "requests.Session",
    "requests.sessions.session": "requests.Session",
    "requests.session": "requests.Session",
    "requests.models.Response": "requests.Response",
    **OAUTH_SESSIONS,
    # GitPython's classes where its modules define them
    "git.repo.base.Repo": "git.Repo",
    "git.repo.Repo": "git.Repo",
    "git.cmd.Git": "git.Git",
    "git.remote.Remote": "git.Remote",
    # Django's mail messages where its module defines them
    "django.core.mail.message": "django.core.mail",
    "httpx._api": "httpx",
    "httpx._client": "httpx",
    # httpx2: the maintained continuation of httpx, with the same API
    "httpx2": "httpx",
    "httpx2._api": "httpx",
    "httpx2._client": "httpx",
    "urllib3.poolmanager": "urllib3",
    "urllib3.connectionpool": "urllib3",
    "urllib3.response": "urllib3",
    "aiohttp.client": "aiohttp",
    "concurrent.futures.thread": "concurrent.futures",
    "concurrent.futures.process": "concurrent.futures",
    "concurrent.futures._base": "concurrent.futures",
    "asyncio.queues": "asyncio",
    "asyncio.locks": "asyncio",
    "asyncio.tasks": "asyncio",
    "asyncio.events": "asyncio",
    "transformers.generation.streamers.TextIteratorStreamer": "transformers.TextIteratorStreamer",
    "transformers.generation.TextIteratorStreamer": "transformers.TextIteratorStreamer",
    "asyncio.subprocess.create_subprocess_exec": "asyncio.create_subprocess_exec",
    "asyncio.subprocess.create_subprocess_shell": "asyncio.create_subprocess_shell",
    "asyncio.timeouts": "asyncio",
    "multiprocessing.queues": "multiprocessing",
    # multiprocessing.dummy: the multiprocessing API over threads (its Process is a threading.Thread)
    "multiprocessing.dummy.Process": "threading.Thread",
    "multiprocessing.dummy.DummyProcess": "threading.Thread",
    "multiprocessing.dummy.Pool": "multiprocessing.pool.ThreadPool",
    "multiprocessing.context": "multiprocessing",
    "six.moves.urllib.request": "urllib.request",
    "six.moves.queue": "queue",
    "six.moves.http_client": "http.client",
    "socketserver.socket": "socket",
    # Python 2's names, still imported by compat modules (`if PY2: from urllib2 import urlopen`)
    "urllib2": "urllib.request",
    "xmlrpclib": "xmlrpc.client",
    "six.moves.xmlrpc_client": "xmlrpc.client",
    "httplib": "http.client",
    "eventlet.green.threading": "threading",
    "ldap3.core.connection": "ldap3",
    "ldap3.core.server": "ldap3",
    "zeep.transports": "zeep",
    "zeep.client": "zeep",
    # python-ldap: initialize() builds the LDAPObject every connection class below is
    "ldap.initialize": "ldap.LDAPObject",
    "ldap.functions.initialize": "ldap.LDAPObject",
    "ldap.ldapobject.LDAPObject": "ldap.LDAPObject",
    "ldap.ldapobject.SimpleLDAPObject": "ldap.LDAPObject",
    "ldap.ldapobject.ReconnectLDAPObject": "ldap.LDAPObject",
    "caldav.davclient": "caldav",
    "gitlab.client": "gitlab",
    "jira.client": "jira",
    "prometheus_api_client.prometheus_connect": "prometheus_api_client",
    "celery.app.base.Celery": "celery.Celery",
    "celery.app.Celery": "celery.Celery",
    "swiftclient.Connection": "swiftclient.client.Connection",
    "influxdb.client": "influxdb",
    "keystoneclient.session.Session": "keystoneauth1.session.Session",
    "twilio.rest.client.Client": "twilio.rest.Client",
    "python_freeipa.client.Client": "python_freeipa.Client",
    "python_freeipa.client_meta.ClientMeta": "python_freeipa.ClientMeta",
    "python_freeipa.client_legacy.ClientLegacy": "python_freeipa.ClientLegacy",
    "websockets.client": "websockets",  # the legacy client's connect, still exported
    "websockets.legacy.client": "websockets",
    "websockets.asyncio.client": "websockets",
    "openai._client": "openai",
    "anthropic._client": "anthropic",
    "groq._client": "groq",
    "together.client": "together",
    "ollama._client": "ollama",
    "msal.application": "msal",
    "langchain_openai.chat_models": "langchain_openai",
    "langchain_openai.chat_models.base": "langchain_openai",
    "langchain_openai.chat_models.azure": "langchain_openai",
    "langchain_anthropic.chat_models": "langchain_anthropic",
    "langchain_ollama.chat_models": "langchain_ollama",
    "langchain_ollama.embeddings": "langchain_ollama",
    "langchain_ollama.llms": "langchain_ollama",
    "elevenlabs.client": "elevenlabs",
    "google.genai.client": "google.genai",
    "cohere.client": "cohere",
    "cohere.client_v2": "cohere",
    "huggingface_hub.inference._client": "huggingface_hub",
    "mistralai.sdk": "mistralai",
    "boto3.session.Session": "boto3.Session",
    "docker.client": "docker",
    "docker.api.client": "docker.api",
    "slack_sdk.web.client": "slack_sdk",
    "slack_sdk.web.WebClient": "slack_sdk.WebClient",
    "pymongo.mongo_client": "pymongo",
    "elasticsearch.client": "elasticsearch",
    "stripe._stripe_client": "stripe",
    "jwt.jwks_client": "jwt",
}


@lru_cache(maxsize=None)  # a pure answer over a fixed table, asked for the same names again and again
def canonical(dotted: str) -> str:
    """Map an implementation path onto the public name rules are written against."""
    parts = dotted.split(".")
    for end in range(len(parts), 0, -1):
        head = ".".join(parts[:end])
        target = _CANONICAL_PREFIXES.get(head)
        if target is not None:
            return ".".join([target, *parts[end:]])
    return dotted


def last_names_read_as(name: str) -> FrozenSet[str]:
    """The last names a dotted name may end with for ``canonical`` to make it end with ``name``:
    ``name`` itself, and ``session`` for ``Session`` (``requests.session`` is ``requests.Session``)."""
    found = {name}
    for written, public in _CANONICAL_PREFIXES.items():
        if public.rsplit(".", 1)[-1] == name:
            found.add(written.rsplit(".", 1)[-1])
    return frozenset(found)


# -- families: the rule that reports a missing timeout ------------------------------------

REQUESTS = "requests"  # HB201
THIRD_PARTY_HTTP = "third-party-http"  # HB203: has a timeout unless it is turned off (httpx), or per pool (urllib3)
STDLIB_NETWORK = "stdlib-network"  # HB202
SUBPROCESS = "subprocess"  # HB204
# transformers' token streamer: a queue fed by generate() in another thread (HB205)
TEXT_STREAMER = "transformers.TextIteratorStreamer"
SYNC_WAIT = "sync-wait"  # HB205
OTHER = "other"  # blocks, but its timeout is another rule's business (or has none)

RAISES, RETURNS = "raises", "returns"


@dataclass(frozen=True)
class Timeout:
    """Where a call takes its timeout and what happens when it expires."""

    index: Optional[int] = None  # positional index, None when keyword-only
    keyword: str = "timeout"
    on_expiry: str = RAISES


@dataclass(frozen=True)
class Blocking:
    """How a call blocks the calling thread, for HB601."""

    instead: str  # what to use on an event loop
    block_index: Optional[int] = None  # position of a `block`/`blocking` flag (False: does not block)
    bounded_only: bool = False  # queue put(): blocks only when the queue has a maxsize
    options_index: Optional[int] = None  # os.wait*(): an `options` holding os.WNOHANG returns at once
    mode_index: Optional[int] = None  # os.spawn*(): only mode os.P_WAIT waits for the child
    # a client constructor that connects only when given where to (`smtplib.SMTP(host)`; `SMTP()` does not)
    connects_with_host: bool = False
    # ldap3's Connection: connects only when told to bind as it is built (ldap3_auto_binds)
    binds_when_told: bool = False


@dataclass(frozen=True)
class Api:
    family: str = OTHER
    timeout: Optional[Timeout] = None
    blocking: Optional[Blocking] = None
    until: str = ""  # what it waits for: "the event is never set"
    awaited: bool = False  # a coroutine without a timeout parameter: bounded only by a deadline around it


# -- what to use instead, on an event loop ---------------------------------------------------

# A wait given a literal this short (seconds) is over before anyone could tell: `time.sleep(0.001)` for
# distinct timestamps stalls nothing (HB601). Zero is the usual "do not wait".
NEGLIGIBLE_WAIT = 0.01


def negligible_wait(value: object) -> bool:
    """A literal number of seconds from 0 to NEGLIGIBLE_WAIT (a bool is a flag, not a duration)."""
    return type(value) in (int, float) and 0 <= value <= NEGLIGIBLE_WAIT  # type: ignore[operator]


# URL schemes `urlopen()` serves with no peer that could stall it: a `data:` URL is decoded in
# memory (nothing waits, on a loop either), a `file:` URL read from disk (no network wait, though
# reading a file still blocks a loop).
DATA_SCHEME = frozenset({"data"})
LOCAL_SCHEMES = frozenset({"data", "file"})


def says_scheme(text: str, schemes: FrozenSet[str]) -> bool:
    """``text`` starts with a URL scheme of ``schemes`` and its colon (``"data:text/plain,hi"``)."""
    scheme, colon, _ = text.partition(":")
    return bool(colon) and scheme.lower() in schemes


# Annotations that say nothing of what a value is: a declaration with one binds no kind (``method:
# Callable`` before the branches that assign ``requests.post`` or ``requests.put``), and an
# assignment with one is read from its value (``fetch: Callable = requests.get``).
KINDLESS_ANNOTATIONS = frozenset({"typing.Callable", "collections.abc.Callable", "typing.Any"})
# What makes a class whose constructor takes its annotated fields (``Clients(core_v1=CoreV1Api())``): a
# dataclass-style decorator, or a base that builds ``__init__`` from the annotations (attr.s needs attr.ib()).
FIELD_CLASS_DECORATORS = frozenset({
    "dataclasses.dataclass", "pydantic.dataclasses.dataclass",
    *(f"{package}.{name}" for package in ("attr", "attrs") for name in ("define", "frozen", "mutable")),
})
FIELD_CLASS_BASES = frozenset({"pydantic.BaseModel", "pydantic.main.BaseModel", "typing.NamedTuple"})
# Subscripted annotations that are no container: `Union[Toolkit, Callable]` may be a Toolkit, so a
# kindless argument does not make them kindless (a container's does: `Dict[str, Handler]`).
TYPE_COMBINATORS = frozenset(
    {"typing.Union", "typing.Optional", "typing.Annotated", "typing_extensions.Annotated", "typing.Literal"}
)


# -- commands that end at once, or bound their own run (HB204, HB601) --
INFORMATION_FLAGS = frozenset({
    "--version", "-version", "-V", "--help", "-h", "--exec-path",  # print and exit
    "-codecs", "-formats", "-encoders", "-decoders", "-hide_banner",  # ffmpeg's lists of what it was built with
})
# A shell command's last words that only change its exit status (``motion -h || true``).
SHELL_FALLBACKS = (("||", "true"), ("||", ":"))
# Programs that end on their own deadline whatever the peer does (so the wait is bounded).
BOUNDED_PROGRAMS = frozenset({
    "ssh-keyscan",  # -T: at most 5 s per host by default
    "timeout",  # coreutils timeout(1): kills the command after its limit
})
# Programs that return at once whatever they are given: they read no input, open no connection
# and take no lock (a child they start is not waited for).
QUICK_PROGRAMS = frozenset({
    "which", "where",  # a lookup on PATH (Windows' where)
    "open", "xdg-open",  # hand a file or URL to the desktop (macOS, freedesktop) and return
    "kill", "pkill", "killall", "taskkill",  # send a signal, or ask Windows to end a process tree
    "pgrep", "pidof", "ps",  # list the processes the kernel already knows of
    "uname", "nproc", "whoami",  # print what the kernel already knows of the system or the user
})

# Programs that, given this flag, only signal their running master and exit: `nginx -s reload`.
SIGNALLING_FLAGS = {"nginx": "-s"}

# What waits for a process another call started (``p = Popen(cmd); p.communicate()``).
PROCESS_WAITS = frozenset({"communicate", "wait"})
# What ends a child before a later wait or communicate() on it: a signal. Before a wait() also
# communicate(), which returns once the child exited (one with a timeout may raise first; a wait written
# after it is taken to follow the normal path). Not before another communicate(): by then the name may
# hold a new child (`proc = ...; await proc.communicate()` in each branch).
STOPS = frozenset({"kill", "terminate"})
STOP_SIGNALS = frozenset({"SIGKILL", "SIGTERM"})  # what kill() and terminate() send
ENDS_BEFORE_WAIT = STOPS | {"communicate"}


def says_it_ends_at_once(words: Optional[Sequence[str]], program: Optional[str]) -> bool:
    """A command that only asks its program about itself (``[binary, "--version"]``: it prints and
    exits) or signals its running master (``nginx -s reload``), or whose program returns at once;
    from its words (``''`` for a program named by a variable) and its program. The rules read them
    from libcst (``commands.ends_at_once``), the project index from its ``ast``
    (``summary._command_words``)."""
    if words is not None and tuple(words[-2:]) in SHELL_FALLBACKS:
        words = words[:-2]
    asks_about_itself = words is not None and len(words) >= 2 and all(word in INFORMATION_FLAGS for word in words[1:])
    signals = words is not None and len(words) == 3 and SIGNALLING_FLAGS.get(words[0].rsplit("/", 1)[-1]) == words[1]
    return asks_about_itself or signals or program in QUICK_PROGRAMS


# Flask-Mail connects with `smtplib.SMTP(host, port)` when it sends (`mail.send(msg)`,
# `mail.send_message(...)`, `with mail.connect() as conn:`) and takes no timeout: no argument, no
# setting. Only the process's socket default bounds it (HB202).
FLASK_MAIL = "flask_mail.Mail"
UNTIMED_MAIL_CALLS = frozenset({f"{FLASK_MAIL}.send", f"{FLASK_MAIL}.send_message", f"{FLASK_MAIL}.connect"})

SLEEP_INSTEAD = "use await asyncio.sleep(...)"
HTTP_INSTEAD = "use an async client (httpx.AsyncClient, aiohttp) or await asyncio.to_thread(...)"
CLOSE_INSTEAD = "use httpx.AsyncClient and await client.aclose(), or await asyncio.to_thread(client.close)"
SUBPROCESS_INSTEAD = "use await asyncio.create_subprocess_exec(...) or await asyncio.to_thread(...)"
PROCESS_WAIT_INSTEAD = "await proc.wait() on an asyncio subprocess, or await asyncio.to_thread(...)"
TO_THREAD = "await asyncio.to_thread(...)"  # the advice for a call with no async counterpart
PROGRAM_INSTEAD = TO_THREAD  # a library that runs a program and waits for it
SOCKET_INSTEAD = "use await asyncio.open_connection(...)"
SYNC_INSTEAD = "use the asyncio primitive (asyncio.Event/Lock/Queue) or await asyncio.to_thread(...)"
_MAIL_INSTEAD = "send it with an async client (aiosmtplib) or await asyncio.to_thread(...)"
# What an SMTP connection sends the server and waits for the answer of.
SMTP_COMMANDS = ("connect", "login", "auth", "starttls", "ehlo", "helo", "ehlo_or_helo_if_needed", "sendmail",
                 "send_message", "mail", "rcpt", "data", "rset", "noop", "verify", "expn", "docmd", "quit")
_CONNECTING_CLIENTS = frozenset({"smtplib", "ftplib", "imaplib", "poplib", "telnetlib", "nntplib"})
_CONNECT_IF_HOST = frozenset({"smtplib", "ftplib", "telnetlib"})  # imaplib, poplib and nntplib always connect
FUTURE_INSTEAD = "await asyncio.wrap_future(...) or loop.run_in_executor(...) instead"
MAP_INSTEAD = "await asyncio.gather(*(loop.run_in_executor(pool, fn, item) for item in items)) instead"

HTTP_VERBS = ("get", "post", "put", "patch", "delete", "head", "options")
# The OAuth sessions' token calls, which request with the session, with the timeout's position (None:
# by keyword only). requests-oauthlib's OAuth2Session.fetch_token(token_url, code,
# authorization_response, body, auth, username, password, method, force_querystring, timeout, ...),
# refresh_token(token_url, refresh_token, body, auth, timeout, ...); OAuth1Session's
# fetch_request_token(url, realm, **request_kwargs) and fetch_access_token(url, verifier,
# **request_kwargs) hand their keywords to post(); authlib's sessions add revoke_token(url, token,
# token_type_hint, body, auth, headers, **kwargs) and introspect_token (the same).
OAUTH_TOKEN_CALLS: Tuple[Tuple[str, Optional[int]], ...] = (
    ("fetch_token", 9), ("refresh_token", 4), ("fetch_request_token", None), ("fetch_access_token", None),
    ("revoke_token", None), ("introspect_token", None),
)
# What sends a request on an OAuth client (HB103): the HTTP verbs, and the token calls.
OAUTH_CLIENT_REQUESTS = frozenset({*HTTP_VERBS, "request", "send", "stream", *(name for name, _ in OAUTH_TOKEN_CALLS)})
_HTTP = Blocking(HTTP_INSTEAD)
_SYNC = Blocking(SYNC_INSTEAD)
_FUTURE = Blocking(FUTURE_INSTEAD)

# -- factories: what a constructor builds --------------------------------------------------

QUEUE_KINDS = frozenset(
    {
        "queue.Queue", "queue.LifoQueue", "queue.PriorityQueue", "queue.SimpleQueue",
        "asyncio.Queue", "asyncio.LifoQueue", "asyncio.PriorityQueue",
        "multiprocessing.Queue", "multiprocessing.JoinableQueue", "multiprocessing.SimpleQueue",
    }
)
UNBOUNDED_QUEUE_KINDS = frozenset({"queue.SimpleQueue", "multiprocessing.SimpleQueue"})
ASYNC_QUEUE_KINDS = frozenset({"asyncio.Queue", "asyncio.LifoQueue", "asyncio.PriorityQueue"})
JOINABLE_QUEUE_KINDS = QUEUE_KINDS - {"queue.SimpleQueue", "multiprocessing.SimpleQueue", "multiprocessing.Queue"}
SYNC_QUEUE_KINDS = ("queue.Queue", "queue.LifoQueue", "queue.PriorityQueue", "multiprocessing.Queue",
                    "multiprocessing.JoinableQueue")
LOCK_KINDS = frozenset(
    f"{mod}.{cls}"
    for mod in ("threading", "multiprocessing")
    for cls in ("Lock", "RLock", "Semaphore", "BoundedSemaphore", "Condition")
) | frozenset(f"asyncio.{cls}" for cls in ("Lock", "Semaphore", "BoundedSemaphore", "Condition"))
# Libraries whose objects are never WaitGroup-like, whatever methods are called on them.
NOT_WAIT_GROUP_MODULES = frozenset(
    {"asyncio", "threading", "concurrent", "queue", "multiprocessing", "collections", "set", "dict", "list",
     "builtins", "weakref", "requests", "httpx", "aiohttp", "urllib3", "socket", "subprocess"}
)
# urllib3 pool constructors -> positional index of their `timeout`
URLLIB3_POOL_TIMEOUTS: Mapping[str, Optional[int]] = {
    "urllib3.PoolManager": None, "urllib3.ProxyManager": None, "urllib3.HTTPConnectionPool": 2,
    "urllib3.HTTPSConnectionPool": 2, "urllib3.connection_from_url": None,
}
URLLIB3_POOLS = tuple(URLLIB3_POOL_TIMEOUTS)
URLLIB3_REQUEST_METHODS = ("request", "urlopen", "request_encode_url", "request_encode_body")
# What urllib3's pools and pool managers are, as names.resolve names their producers: their public
# methods are a request API (request*, urlopen) or shut sockets (close, clear), so HB601 takes any
# method called on one as a wait, except those that only pick or build an object.
_URLLIB3_MANAGERS = ("urllib3.PoolManager", "urllib3.ProxyManager")
URLLIB3_POOL_QUIET_METHODS = frozenset(
    {"connection_from_host", "connection_from_url", "connection_from_context", "connection_from_pool_key",
     "is_same_host", "ConnectionCls", "QueueCls", "__enter__", "_new_pool", "_new_conn", "_merge_pool_kwargs"}
)
URLLIB3_POOL_KINDS = frozenset(
    {*_URLLIB3_MANAGERS, "urllib3.HTTPConnectionPool", "urllib3.HTTPSConnectionPool", "urllib3.ConnectionPool",
     "urllib3.request.RequestMethods", "urllib3._request_methods.RequestMethods",
     "urllib3.connection_from_url", "urllib3.proxy_from_url"}
    | {f"{manager}.{method}" for manager in _URLLIB3_MANAGERS for method in URLLIB3_POOL_QUIET_METHODS
       if method.startswith("connection_from_")}
)
# `executor.map(fn, items)` gives the results in order, each waited for as the iterator is read:
# iterating it where it is made waits for every call (HB601); the iterator alone waits for nothing.
EXECUTOR_MAPS = frozenset({"concurrent.futures.ThreadPoolExecutor.map", "concurrent.futures.ProcessPoolExecutor.map"})
FUTURE_KINDS = (
    "concurrent.futures.Future",
    "concurrent.futures.ThreadPoolExecutor.submit",
    "concurrent.futures.ProcessPoolExecutor.submit",
    "asyncio.run_coroutine_threadsafe",
)
ASYNC_PROCESS_FACTORIES = ("asyncio.create_subprocess_exec", "asyncio.create_subprocess_shell")
# A Popen's pipes: ``p.stdout`` is a value of its own, whose ``read()`` waits for the child.
PROCESS_PIPES = ("subprocess.Popen.stdout", "subprocess.Popen.stderr")
PIPE_READS_TO_END = ("read", "readlines")  # with no argument: until the child closes its output
# GitPython runs git as a child and waits for it with no limit unless given `kill_after_timeout=`
# (its Git commands and a Remote's fetch/pull/push take it). Only the commands that talk to a remote
# are listed: they wait on the network (ssh or https), where a stalled peer holds the caller forever;
# local ones (log, diff, status) end on their own. `Repo.clone_from()` takes no timeout at all.
GIT_REPO = "git.Repo"
GIT_COMMANDS = ("git.Git", f"{GIT_REPO}.git")  # `git.Git(path)`, and `repo.git`
GIT_REMOTE = "git.Remote"  # `repo.remote(name)`, `repo.remotes.origin`, `repo.create_remote(...)`
GIT_NETWORK_COMMANDS = ("fetch", "pull", "push", "ls_remote", "clone")
GIT_REMOTE_WAITS = ("fetch", "pull", "push")
GIT_CLONE_FROM = f"{GIT_REPO}.clone_from"
GIT_TIMEOUT = "kill_after_timeout"
# Attributes of a value the catalogue knows that are values it knows too (``names.resolve``).
KNOWN_ATTRIBUTES = frozenset({*PROCESS_PIPES, f"{GIT_REPO}.git", f"{GIT_REPO}.remotes"})
# Calls that iterate the iterable they are given there and then (a generator made for one runs its
# body in place), and those that wrap it lazily, iterated when they are (``for i, x in enumerate(gen())``).
ITERATING_CALLS = frozenset({"list", "tuple", "set", "frozenset", "dict", "sorted", "sum", "any", "all", "min",
                             "max", "next", "join", "extend", "deque", "update"})
LAZY_ITERATORS = frozenset({"enumerate", "zip", "iter", "map", "filter", "chain", "islice"})
# Synchronous WebSocket libraries whose connection's receive()/send() raise once the client has
# gone (flask-sock and simple-websocket: ConnectionClosed; gevent-websocket: WebSocketError).
SYNC_WEBSOCKET_PACKAGES = frozenset({"flask_sock", "simple_websocket", "geventwebsocket", "flask_sockets"})
SYNC_WEBSOCKET_IO = frozenset({"receive", "send"})
# A deadline around an await: `async with asyncio.timeout(5):`, `asyncio.wait_for(aw, 5)`, ...
DEADLINE_SCOPES = frozenset(
    {
        "asyncio.timeout", "asyncio.timeout_at", "async_timeout.timeout", "async_timeout.timeout_at",
        "anyio.fail_after", "anyio.move_on_after", "trio.fail_after", "trio.move_on_after",
        "trio.fail_at", "trio.move_on_at",
    }
)
DEADLINE_WRAPPERS = {"asyncio.wait_for": 1}  # callee -> positional index of its timeout
ASYNC_RESULT_KINDS = tuple(
    f"multiprocessing.{pool}.{method}"
    for pool in ("Pool", "pool.Pool", "pool.ThreadPool")
    for method in ("apply_async", "map_async", "starmap_async")
)
# Celery: a task's `delay()`/`apply_async()` (and an app's `send_task()`, `AsyncResult(id)`) hand back
# an AsyncResult whose get() (and its old name wait()) waits for the result with no timeout by
# default: forever if no worker takes the task, or its result is never stored (`ignore_result`).
CELERY_RESULT = "celery.result.AsyncResult"
CELERY_SENDS = frozenset({"delay", "apply_async"})
# The decorators that make a function a Celery task (by their last name: `@app.task`, `@shared_task`).
CELERY_TASK_DECORATORS = frozenset({"task", "shared_task", "periodic_task"})


@dataclass(frozen=True)
class Resource:
    """What a constructor builds that must be released: its kind (for messages) and how."""

    kind: str
    closers: FrozenSet[str]
    async_with: bool = False  # released with `async with` (an async client)
    # How a caller lends it a pool it does not own: (keyword, value). A value of None means
    # "an object built elsewhere" (not a call in the argument): `httpx.Client(transport=SHARED)`.
    borrowed_pool: Tuple[Tuple[str, Optional[str]], ...] = ()


_CLOSE = frozenset({"close"})
# A class of the project that builds a client into an attribute of its own and defines one of these
# owns the client's pool, as the client does: its owner is meant to close it (HB103)
OWNER_CLOSERS = ("close", "aclose", "__exit__", "__aexit__")
_LENT_TRANSPORT = (("transport", None),)
_LENT_CONNECTOR = (("connector_owner", "False"),)
# HB103: HTTP clients and connection pools
CLIENTS: Mapping[str, Resource] = {
    "requests.Session": Resource("session", _CLOSE),
    "httpx.Client": Resource("client", _CLOSE, borrowed_pool=_LENT_TRANSPORT),
    "httpx.AsyncClient": Resource("client", frozenset({"aclose"}), async_with=True, borrowed_pool=_LENT_TRANSPORT),
    "aiohttp.ClientSession": Resource("session", _CLOSE, async_with=True, borrowed_pool=_LENT_CONNECTOR),
    "urllib3.PoolManager": Resource("pool", frozenset({"clear"})),
    "urllib3.ProxyManager": Resource("pool", frozenset({"clear"})),
    "http.client.HTTPConnection": Resource("connection", _CLOSE),
    "http.client.HTTPSConnection": Resource("connection", _CLOSE),
}
# HB103 too: the LLM SDKs generated on one base (OpenAI's, Anthropic's, Groq's) build an httpx pool
# per client, closed by close() (awaited on the async ones) or `with`; a client given an
# `http_client=` built elsewhere works on that shared pool. Made per call and dropped, the pool
# lingers: the client and its resources refer to each other, so only the cyclic collector frees it.
_LENT_HTTP_CLIENT = (("http_client", None),)
POOLED_SDK_CLIENTS: Mapping[str, Resource] = {
    **{f"openai.{name}": Resource("client", _CLOSE, borrowed_pool=_LENT_HTTP_CLIENT)
       for name in ("OpenAI", "AzureOpenAI")},
    **{f"openai.{name}": Resource("client", _CLOSE, async_with=True, borrowed_pool=_LENT_HTTP_CLIENT)
       for name in ("AsyncOpenAI", "AsyncAzureOpenAI")},
    "anthropic.Anthropic": Resource("client", _CLOSE, borrowed_pool=_LENT_HTTP_CLIENT),
    "anthropic.AsyncAnthropic": Resource("client", _CLOSE, async_with=True, borrowed_pool=_LENT_HTTP_CLIENT),
    "groq.Groq": Resource("client", _CLOSE, borrowed_pool=_LENT_HTTP_CLIENT),
    "groq.AsyncGroq": Resource("client", _CLOSE, async_with=True, borrowed_pool=_LENT_HTTP_CLIENT),
}
# Text that may build one (a cheap scan's hint): names a client's module and calls a client's class.
# Library calls that hand back the client they are given, changed in ways that give no timeout:
# callee -> (position, keyword) of that argument. CacheControl mounts a caching adapter (an
# HTTPAdapter with no default timeout) on the session and returns the session itself.
RETURNS_ITS_CLIENT: Mapping[str, Tuple[int, str]] = {
    "cachecontrol.CacheControl": (0, "sess"),
    "cachecontrol.wrapper.CacheControl": (0, "sess"),
}
# authlib's web-framework registries (`oauth = OAuth(app)`, Flask's and Django's: requests underneath;
# Starlette's is httpx, which has a default timeout). `oauth.<name>`, `oauth.register(name, ...)` and
# `oauth.create_client(name)` are a registered app, each of whose calls builds an authlib
# OAuth2Session, a requests.Session with no timeout unless the registration's `client_kwargs` gives it
# a `default_timeout`. Its calls below take `timeout=` and hand it on to requests.
# The keyword of an authlib requests session's constructor that gives each of its requests a timeout.
SESSION_DEFAULT_TIMEOUT = "default_timeout"
OAUTH_REGISTRIES = frozenset({"authlib.integrations.flask_client.OAuth", "authlib.integrations.django_client.OAuth"})
OAUTH_APP = "authlib.OAuthApp"  # the registered app: authlib's FlaskOAuth2App, DjangoOAuth2App
OAUTH_APP_REQUESTS = ("get", "post", "put", "patch", "delete", "request", "fetch_access_token",
                      "authorize_access_token", "userinfo")
# Calls of a registered app that take no timeout yet fetch the OpenID Connect discovery document of a
# registration given a `server_metadata_url` (the first in each process; then it is kept) with the app's
# session: no timeout unless the registration's `client_kwargs` gives a `default_timeout`.
OAUTH_APP_METADATA = ("authorize_redirect", "create_authorization_url", "load_server_metadata")
OAUTH_METADATA_FETCHES = frozenset(f"{OAUTH_APP}.{method}" for method in OAUTH_APP_METADATA)
OAUTH_METADATA_URL = "server_metadata_url"
OAUTH_REGISTER = "register"
# The calls that name an authlib app or registry beyond doubt (a module that holds one it is given).
OAUTH_APP_CALLS = ("create_client", "authorize_access_token", *OAUTH_APP_METADATA)
# The registry's own attributes; any other is a registered app (`oauth.github`).
OAUTH_REGISTRY_ATTRIBUTES = frozenset({OAUTH_REGISTER, "create_client", "init_app", "cache", "fetch_token",
                                       "update_token", "app", "config", "oauth1_client_cls", "oauth2_client_cls",
                                       "framework_integration_cls", "load_config"})
# google-auth-oauthlib's flows (Google's sign-in sample: `flow.fetch_token(authorization_response=
# request.url)` in the callback view) fetch the token through a requests-oauthlib OAuth2Session, handing
# their keywords on: no timeout unless given one. Built by their class methods as often as by the class.
GOOGLE_OAUTH_FLOWS = ("google_auth_oauthlib.flow.Flow", "google_auth_oauthlib.flow.InstalledAppFlow")
GOOGLE_OAUTH_FLOW_BUILDERS = ("from_client_config", "from_client_secrets_file")
# Calls that make a value of a kind the catalogue names otherwise: callee -> that kind.
MAKES: Mapping[str, str] = {
    **{f"{flow}.{builder}": flow for flow in GOOGLE_OAUTH_FLOWS for builder in GOOGLE_OAUTH_FLOW_BUILDERS},
    **{f"{registry}.{method}": OAUTH_APP
       for registry in OAUTH_REGISTRIES for method in (OAUTH_REGISTER, "create_client")},
    f"{GIT_REPO}.remote": GIT_REMOTE, f"{GIT_REPO}.create_remote": GIT_REMOTE,
    GIT_CLONE_FROM: GIT_REPO, f"{GIT_REPO}.init": GIT_REPO,
    "celery.Celery.AsyncResult": CELERY_RESULT, "celery.Celery.send_task": CELERY_RESULT,
}
# Attributes a framework's request handlers inherit that hold an instance of a class the deployment
# configures (a plugin's): attribute -> (the package of the handlers' base class, the configured
# class's base). Read on ``self`` in a handler deriving from a class of that package, such an
# attribute is an instance of one of the project's classes deriving from that base.
FRAMEWORK_CONFIGURED: Mapping[str, Tuple[str, str]] = {
    # JupyterHub's BaseHandler.authenticator: the Hub's Authenticator, in an authenticator's
    # package the package's own (nativeauthenticator's SignUpHandler calling create_user())
    "authenticator": ("jupyterhub.", "jupyterhub.auth.Authenticator"),
}
# Values whose attributes name their members (``oauth.github``, ``repo.remotes.origin``): the value ->
# (what a member is, the value's own attributes, which are not members).
NAMED_MEMBERS: Mapping[str, Tuple[str, FrozenSet[str]]] = {
    **{registry: (OAUTH_APP, OAUTH_REGISTRY_ATTRIBUTES) for registry in OAUTH_REGISTRIES},
    # GitPython's IterableList of remotes: a list, whose items are also its attributes by name
    f"{GIT_REPO}.remotes": (GIT_REMOTE, frozenset({"append", "extend", "insert", "pop", "remove", "reverse", "sort",
                                                   "copy", "clear", "count", "index"})),
}
# Calls that import a module named by a literal and stand for it: ``importlib.import_module("x")``
# (resolved), and lazy-import helpers by their conventional names, a project's own or a library's
# (``requests = LazyImport("requests")`` in skypilot's adaptors, ``fou.lazy_import("fiftyone.core.dataset")``).
MODULE_IMPORTER = "importlib.import_module"
LAZY_IMPORTERS = frozenset({"import_module", "lazy_import", "LazyImport", "lazy_module", "LazyModule"})
_MODULE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")


def imported_module(last: Optional[str], literal: object, callee: Callable[[], Optional[str]]) -> Optional[str]:
    """The module a call of ``last`` with the first argument ``literal`` imports, or None;
    ``callee`` resolves the call (asked only for ``import_module``, which must be importlib's)."""
    if last not in LAZY_IMPORTERS or not isinstance(literal, str) or not _MODULE_NAME.fullmatch(literal):
        return None
    if last == "import_module" and callee() != MODULE_IMPORTER:
        return None
    return literal


# The DB-API drivers' connect(): it opens a network connection (and logs in) as it runs.
DB_CONNECTS = (
    "psycopg2.connect", "psycopg.connect", "pymysql.connect", "MySQLdb.connect", "mysql.connector.connect",
    "snowflake.connector.connect", "pyodbc.connect", "oracledb.connect", "cx_Oracle.connect",
)
DB_INSTEAD = "an async driver (asyncpg, aiomysql, ...)"
# Connection pools of those drivers: taking a connection waits for a free one (or opens one), and
# what it gives is a connection (`with pool.connection() as conn: conn.execute(...)`).
DB_POOLS = ("psycopg_pool.ConnectionPool", "psycopg2.pool.SimpleConnectionPool", "psycopg2.pool.ThreadedConnectionPool")
# boto3's resource API: `boto3.resource("dynamodb").Table(name)` builds a resource locally (a
# capitalised step), and a collection (`bucket.objects.all()`) requests when iterated, not when made.
BOTO3_RESOURCE_FACTORIES = ("boto3.resource", "boto3.Session.resource")
_BOTO3_RESOURCES: Mapping[str, str] = dict.fromkeys(BOTO3_RESOURCE_FACTORIES, "")  # for _below_client
SDK_LAZY_COLLECTION_METHODS = frozenset({"all", "filter", "limit", "page_size"})
# kubernetes' generated API classes (`client.CoreV1Api()`, one per API group and version): every
# public method is a request to the API server, sent on urllib3 with no timeout unless the call passes
# `_request_timeout` (its Configuration has no default one: kubernetes-client issue 1961). A list's or
# watch's `timeout_seconds` is a limit the server keeps. Their async twin is kubernetes_asyncio.
KUBERNETES_APIS = frozenset(f"kubernetes.client.{name}Api" for name in (
    "Core", "CoreV1", "Apps", "AppsV1", "Batch", "BatchV1", "BatchV1beta1", "CustomObjects", "Networking",
    "NetworkingV1", "RbacAuthorization", "RbacAuthorizationV1", "Storage", "StorageV1", "Autoscaling",
    "AutoscalingV1", "AutoscalingV2", "Policy", "PolicyV1", "Version", "Apis", "Apiextensions",
    "ApiextensionsV1", "Coordination", "CoordinationV1", "Events", "EventsV1", "Admissionregistration",
    "AdmissionregistrationV1", "Certificates", "CertificatesV1", "Discovery", "DiscoveryV1", "Node", "NodeV1",
    "Scheduling", "SchedulingV1", "Authentication", "AuthenticationV1", "Authorization", "AuthorizationV1",
    "Apiregistration", "ApiregistrationV1", "Logs", "ExtensionsV1beta1", "AppsV1beta1",
))
# Its dynamic client: `dyn.resources.get(kind=...)` looks a resource up in the discovery it fetched
# once and keeps; the requests are the resource's verbs (`res.get()`) and the client's own.
KUBERNETES_DYNAMIC = "kubernetes.dynamic.DynamicClient"
KUBERNETES_DYNAMIC_VERBS = frozenset({"get", "create", "delete", "replace", "patch", "server_side_apply", "watch"})
_KUBERNETES_CLIENTS: Mapping[str, str] = {**dict.fromkeys(KUBERNETES_APIS, "api"), KUBERNETES_DYNAMIC: "dynamic"}
# Each client takes the ApiClient that sends its requests (`CoreV1Api(api_client)`, `DynamicClient(client)`);
# none given, it makes the library's own. A project's ApiClient subclass may give every request a
# timeout (dstack's `request()` does), so only the library's ones are known to send with none.
KUBERNETES_API_CLIENT_PARAMETERS = {**dict.fromkeys(KUBERNETES_APIS, "api_client"), KUBERNETES_DYNAMIC: "client"}
KUBERNETES_CLIENT_BASES = ("ApiClient", "RESTClientObject")  # what a project subclasses to time every request
KUBERNETES_LIBRARY_API_CLIENTS = frozenset({
    "kubernetes.client.ApiClient", "kubernetes.client.api_client.ApiClient", "kubernetes.config.new_client_from_config",
    "kubernetes.config.new_client_from_config_dict", "kubernetes.config.kube_config.new_client_from_config",
})
KUBERNETES_PACKAGE = "kubernetes"
KUBERNETES_REQUEST_TIMEOUT = "_request_timeout"
KUBERNETES_UNTIMED = "the kubernetes client sets none"  # HB203 says it; `fix` passes _request_timeout
# Arguments of a call that either bound it already or make it a stream meant to stay open: a list's
# `timeout_seconds` (kept by the server), `async_req` (the client's thread pool sends it and the call
# returns at once), a watch, a followed log, a response left unread for the caller to stream.
KUBERNETES_NOT_UNTIMED = ("timeout_seconds", "async_req", "watch", "follow", "_preload_content")


# The verbs of the generated API classes' methods (`list_namespaced_pod`, `read_node`): a module that
# imports no kubernetes may still call them on a client another module builds (`clients.core_v1`).
KUBERNETES_API_VERBS = frozenset({"list", "read", "create", "delete", "patch", "replace", "connect"})


def may_be_kubernetes_api_method(name: str) -> bool:
    """``list_namespaced_pod``: a name a generated kubernetes API class's method may have."""
    verb, underscore, _rest = name.partition("_")
    return bool(underscore) and verb in KUBERNETES_API_VERBS


def kubernetes_request(name: str) -> bool:
    """``kubernetes.client.CoreV1Api.list_namespaced_pod`` (any public method of a generated API
    class) or a dynamic client's verb, on the client or on a resource it looked up: a request to
    the API server."""
    found = _below_client(name, _KUBERNETES_CLIENTS)
    if found is None:
        return False
    kind, steps = found
    if kind == "api":
        return len(steps) == 1 and steps[0] != "api_client" and not steps[0].startswith("_")
    return (len(steps) == 1 or (len(steps) == 3 and steps[0] == "resources")) and steps[-1] in KUBERNETES_DYNAMIC_VERBS


# The MCP SDK's request `Context`, generic in what the server's lifespan yields (1.x:
# `Context[ServerSession, AppContext]`, 2.x: `Context[AppContext]`): the place of that type among
# its parameters. `ctx.request_context.lifespan_context` is the lifespan's value.
MCP_LIFESPAN_PARAMETER: Mapping[str, int] = {
    "mcp.server.fastmcp.Context": 1, "mcp.server.fastmcp.server.Context": 1,
    "mcp.server.mcpserver.Context": 0, "mcp.server.mcpserver.context.Context": 0,
}
MCP_LIFESPAN_PATH = ("request_context", "lifespan_context")
# Clients whose methods only build a request (a resource, then an `HttpRequest`), sent by its
# `execute()`: a blocking HTTP round trip (httplib2, 60 s a read by default).
SDK_SENT_BY_EXECUTE = frozenset({"googleapiclient.discovery.build", "googleapiclient.discovery.build_from_document"})
_EXECUTE = "execute"
_SENT_BY_EXECUTE: Mapping[str, str] = dict.fromkeys(SDK_SENT_BY_EXECUTE, "")  # for _below_client
# redis-py: before 8.0 a client's sockets have no timeout (socket_timeout=None: a reply a stalled
# server never sends is waited for forever); 8.0 gives them 5 s. Which one runs is known only from
# the project's requirements (project/requirements.py): HB203 reports a client built with none in a
# project that requires a redis-py older than 8. The constructors, with socket_timeout's position
# (the asyncio client takes it by keyword only; from_url() and the pools too):
REDIS_DISTRIBUTION, REDIS_TIMED_SINCE = "redis", 8
REDIS_SOCKET_TIMEOUT = "socket_timeout"
REDIS_OWN_POOL = "connection_pool"  # a pool of the caller's holds the timeouts
REDIS_ASYNCIO = "redis.asyncio."
_REDIS_MODULES = ("redis", "redis.client", "redis.asyncio", "redis.asyncio.client")
REDIS_CLIENTS: Mapping[str, Optional[int]] = {
    **{f"{module}.{cls}": 4 if module in ("redis", "redis.client") else None
       for module in _REDIS_MODULES for cls in ("Redis", "StrictRedis")},
    **{f"{module}.{cls}.from_url": None for module in _REDIS_MODULES for cls in ("Redis", "StrictRedis")},
    "redis.from_url": None, "redis.asyncio.from_url": None, "redis.utils.from_url": None,
    **{f"{module}.{pool}{built}": None
       for module in ("redis", "redis.connection", "redis.asyncio", "redis.asyncio.connection")
       for pool in ("ConnectionPool", "BlockingConnectionPool") for built in ("", ".from_url")},
}
REDIS_SYNC_CLIENTS = frozenset(
    client for client in REDIS_CLIENTS if not client.startswith(REDIS_ASYNCIO) and "ConnectionPool" not in client
)

# Synchronous clients of hosted APIs (LLMs, speech): every method they reach, at any depth
# (`client.chat.completions.create(...)`, `client.voices.get_all()`), is an HTTP round trip of
# seconds to minutes made on the calling thread, under the SDK's own long default timeout (OpenAI
# and Anthropic: 600 s, retried). Client -> what to use on an event loop instead.
SDK_CLIENTS: Mapping[str, str] = {
    "openai.OpenAI": "openai.AsyncOpenAI",
    "openai.AzureOpenAI": "openai.AsyncAzureOpenAI",
    "anthropic.Anthropic": "anthropic.AsyncAnthropic",
    "anthropic.AnthropicBedrock": "anthropic.AsyncAnthropicBedrock",
    "anthropic.AnthropicVertex": "anthropic.AsyncAnthropicVertex",
    "groq.Groq": "groq.AsyncGroq",
    "cohere.Client": "cohere.AsyncClient",
    "cohere.ClientV2": "cohere.AsyncClientV2",
    "together.Together": "together.AsyncTogether",
    "mistralai.Mistral": "the client's *_async methods",
    "elevenlabs.ElevenLabs": "elevenlabs.AsyncElevenLabs",
    "ollama.Client": "ollama.AsyncClient",
    "huggingface_hub.InferenceClient": "huggingface_hub.AsyncInferenceClient",
    "google.genai.Client": "the client's .aio methods",
    # web search and scraping APIs that LLM agents call
    "tavily.TavilyClient": "tavily.AsyncTavilyClient",
    "exa_py.Exa": "exa_py.AsyncExa",
    "firecrawl.FirecrawlApp": "firecrawl.AsyncFirecrawlApp",
    "firecrawl.Firecrawl": "firecrawl.AsyncFirecrawl",
    # cloud, messaging, search and document-store clients of the same shape (not Twilio's: its
    # `services(sid)` builds a context locally, and only the call at the end of the chain sends)
    "boto3.client": "aioboto3",
    "boto3.Session.client": "aioboto3",
    **dict.fromkeys(BOTO3_RESOURCE_FACTORIES, "aioboto3"),
    "slack_sdk.WebClient": "slack_sdk.web.async_client.AsyncWebClient",
    "sendgrid.SendGridAPIClient": "an async HTTP client",
    "elasticsearch.Elasticsearch": "elasticsearch.AsyncElasticsearch",
    "pymongo.MongoClient": "pymongo.AsyncMongoClient (or motor)",
    "stripe.StripeClient": "the client's *_async methods",
    "webexteamssdk.WebexTeamsAPI": "an async HTTP client",
    "webexpythonsdk.WebexAPI": "an async HTTP client",
    # NLU services a chat bot asks about every message
    "ibm_watson.AssistantV1": "an async HTTP client",
    "ibm_watson.AssistantV2": "an async HTTP client",
    "google.cloud.dialogflow.SessionsClient": "google.cloud.dialogflow.SessionsAsyncClient",
    "google.cloud.dialogflow_v2.SessionsClient": "google.cloud.dialogflow_v2.SessionsAsyncClient",
    "dialogflow.SessionsClient": "google.cloud.dialogflow.SessionsAsyncClient",  # the package's old name
    # vector databases a RAG service queries on every request
    "qdrant_client.QdrantClient": "qdrant_client.AsyncQdrantClient",
    "pymilvus.MilvusClient": "pymilvus.AsyncMilvusClient",
    "chromadb.HttpClient": "chromadb.AsyncHttpClient",
    # the Docker daemon's API (docker-py): every call below a client is an HTTP round trip on its
    # socket, of up to 60 s by default, and longer for an image pull or a container's logs
    "docker.DockerClient": "aiodocker",
    "docker.from_env": "aiodocker",
    "docker.APIClient": "aiodocker",
    "docker.api.APIClient": "aiodocker",
    # its models, as a function declares them (`container: docker.models.containers.Container`): every
    # method of one is a call to the daemon (`reload()`, `exec_run()`, `logs()`, `stop()`)
    **dict.fromkeys((f"docker.models.{module}.{model}" for module, model in (
        ("containers", "Container"), ("images", "Image"), ("networks", "Network"), ("volumes", "Volume"))),
        "aiodocker"),
    # xmlrpc.client's proxy: each remote method called on it (`proxy.execute_kw(...)`,
    # `proxy.system.listMethods()`) is an HTTP round trip, with no timeout of its own (HB202)
    "xmlrpc.client.ServerProxy": "an async XML-RPC client (aiohttp-xmlrpc)",
    "xmlrpc.client.Server": "an async XML-RPC client (aiohttp-xmlrpc)",
    # paramiko's SSH client: connecting, each command run and each SFTP session opened is a round trip
    # to the host (connect() waits up to its banner and auth timeouts even when given timeout=)
    "paramiko.SSHClient": "asyncssh",
    # ldap3's Connection: of its default SYNC strategy, every operation waits for the directory
    "ldap3.Connection": "an async LDAP client (bonsai)",
    # PyJWT's JWKS client: a signing key it has not cached (the first token, a new key id, its key
    # set's 300 s lifespan over) is fetched with a blocking urlopen() of up to 30 s per read
    "jwt.PyJWKClient": "keys fetched at startup",
    # Google's discovery-based API clients (google-api-python-client): a request is sent by the
    # `execute()` that ends the chain (`service.users().messages().list(userId="me").execute()`)
    **dict.fromkeys(SDK_SENT_BY_EXECUTE, "an async client (aiogoogle)"),
    # supabase's sync client: its auth and table calls are HTTP round trips
    "supabase.create_client": "supabase.acreate_client",
    "supabase.Client": "supabase.acreate_client",
    # database drivers: a connection's commit() and its cursors' execute() are round trips
    **{connect: DB_INSTEAD for connect in (*DB_CONNECTS, *DB_POOLS)},
    # redis-py's sync client: every command is a round trip on its socket (a pipeline's are buffered
    # and sent by its execute(): SDK_BUFFERED_BELOW); rq's queue keeps its jobs there
    **dict.fromkeys(REDIS_SYNC_CLIENTS, "redis.asyncio"),
    "rq.Queue": f"{TO_THREAD} around the queue's calls",
    # msal's applications: no async side; a token call is a round trip to the identity provider
    # (SDK_LOCAL_RESOURCES: the calls that only read its token cache or build a sign-in URL)
    **dict.fromkeys(("msal.ConfidentialClientApplication", "msal.PublicClientApplication", "msal.ClientApplication"),
                    f"{TO_THREAD}: msal has no async side"),
    **dict.fromkeys(_KUBERNETES_CLIENTS, "kubernetes_asyncio"),
}
# The openai module's own default client: `openai.chat.completions.create(...)`.
SDK_MODULE_CLIENTS = {
    f"openai.{resource}": "openai.AsyncOpenAI"
    for resource in ("chat", "completions", "embeddings", "images", "audio", "moderations", "models", "files",
                     "fine_tuning", "batches", "uploads", "responses", "beta", "vector_stores")
}
# A name's step for what subscripting a value gives (`v["key"]`), in the summaries' paths too.
SUBSCRIPT_STEP = "[k]"
# SDKs whose clients name their parts by subscript: pymongo's `client["shop"]` is a database and its
# `["orders"]` a collection, as `client.shop.orders` is; each method below them is a request.
SDK_NAMED_BY_SUBSCRIPT = frozenset({"pymongo"})
# Methods of a client that make no request: options, copies, handles built locally (a boto3
# paginator or presigned URL, a pymongo database or collection).
SDK_LOCAL_METHODS = frozenset({
    "with_options", "options", "copy", "close", "is_closed", "generate_presigned_url", "generate_presigned_post",
    "generate_db_auth_token",  # boto3's RDS client signs the IAM token locally
    "get_paginator", "get_waiter", "can_paginate", "get_database", "get_collection", "get_default_database",
    # a DB-API connection's cursor, what it fetches from the rows execute() brought back, and the
    # short transaction round trips after the execute() that is reported
    "cursor", "fetchone", "fetchmany", "fetchall", "mogrify", "setinputsizes", "setoutputsize", "commit", "rollback",
    "putconn",  # a pool's: gives the connection back
    # IBM's SDKs: the service's settings, kept locally until the next request
    "set_service_url", "set_http_config", "set_default_headers", "set_disable_ssl_verification",
    "set_enable_gzip_compression", "set_http_client",
    # a Google client's resource names, formatted locally
    "session_path",
    # PyJWKClient's lookup of a key id in a key set it is given
    "match_kid",
    # redis-py's objects built locally: a lock (its acquire() waits), a pub/sub or a script handle
    "lock", "pubsub", "register_script",
})
# Below these, nothing is a request: the async side of one client, boto3's metadata and exceptions.
SDK_NO_REQUEST_BELOW = frozenset({"aio", "meta", "exceptions"})
# Below these, the calls are buffered locally and sent by the execute() that ends the chain (a redis
# pipeline); the call that makes one sends nothing.
SDK_BUFFERED_BELOW = frozenset({"pipeline"})
# Resources and methods of one SDK that never send: OpenAI's `client.webhooks.verify_signature()`/
# `unwrap()` check an HMAC locally (SendGrid's `webhooks` path, by contrast, is an API call); msal's
# applications read their token cache and build the sign-in URL and flow locally; paramiko's settings.
SDK_LOCAL_RESOURCES: Mapping[str, FrozenSet[str]] = {
    "openai": frozenset({"webhooks"}),
    "msal": frozenset({"get_accounts", "remove_account", "get_authorization_request_url", "initiate_auth_code_flow",
                       "is_pop_supported", "token_cache"}),
    # paramiko's client settings and host keys (a file read), and the transport it already holds
    "paramiko": frozenset({"set_missing_host_key_policy", "load_system_host_keys", "load_host_keys",
                           "save_host_keys", "get_host_keys", "set_log_channel", "get_transport"}),
}


def _below_client(name: str, clients: Mapping[str, str]) -> Optional[Tuple[str, List[str]]]:
    """The client of ``clients`` that ``name`` starts with (its value) and the steps below it."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        instead = clients.get(".".join(parts[:end]))
        if instead is not None:
            return instead, parts[end:]
    return None


def _offloaded(instead: str) -> Blocking:
    """What an SDK or driver call stalls a loop with: use ``instead``, or a worker thread (the one
    advice for a client with no async side)."""
    if instead.startswith(TO_THREAD):
        return Blocking(f"use {instead}")
    return Blocking(f"use {instead} or {TO_THREAD}")


@lru_cache(maxsize=None)  # asked for the method calls of every module with an async function
def sdk_request(name: str) -> Optional[Api]:
    """``openai.OpenAI.chat.completions.create`` (a method below a synchronous SDK client, also
    through ``with_options(...)``) as a blocking HTTP call; None for the client itself, its options
    and copies, its async side (``client.aio``, ``complete_async``) and anything else."""
    found = _below_client(name, SDK_CLIENTS) or _below_client(name, SDK_MODULE_CLIENTS)
    if found is None or not found[1]:
        return None
    instead, steps = found
    if name.startswith(f"{KUBERNETES_PACKAGE}.") and not kubernetes_request(name):
        return None  # its clients' attributes and discovery (`v1.api_client`, `dyn.resources.get()`)
    package = name.split(".", 1)[0]
    by_subscript = package in SDK_NAMED_BY_SUBSCRIPT
    if any(step in SDK_NO_REQUEST_BELOW or step.startswith("_")
           or not (step.isidentifier() or (by_subscript and step == SUBSCRIPT_STEP)) for step in steps):
        return None
    if steps[-1] == SUBSCRIPT_STEP:
        return None  # `client["shop"]`: a part of the client, no request
    if steps[0] in SDK_LOCAL_RESOURCES.get(package, ()):
        return None
    if _below_client(name, _BOTO3_RESOURCES) is not None and (
            steps[-1][:1].isupper() or steps[-1] in SDK_LAZY_COLLECTION_METHODS):
        return None
    if steps[-1] in SDK_LOCAL_METHODS or steps[-1].endswith("_async"):
        return None
    if steps[-1] != _EXECUTE and _below_client(name, _SENT_BY_EXECUTE) is not None:
        return None  # building the request, not sending it
    if any(step in SDK_BUFFERED_BELOW for step in steps) and steps[-1] != _EXECUTE:
        return None  # a pipeline, or a command it buffers
    return Api(OTHER, None, _offloaded(instead), "the API never answers")


def same_sdk_client(one: str, other: str) -> bool:
    """Two synchronous SDK clients of one package that every call below them is judged alike for
    (msal's `ClientApplication` and `ConfidentialClientApplication`, redis-py's `Redis` and
    `StrictRedis`): the same advice for a loop, and neither a boto3 resource (built locally below)."""
    instead = SDK_CLIENTS.get(one)
    return (instead is not None and instead == SDK_CLIENTS.get(other) and one.split(".")[0] == other.split(".")[0]
            and not {one, other} & set(BOTO3_RESOURCE_FACTORIES))


def one_sdk_client(names: Iterable[str]) -> str:
    """The first of ``names`` when they are synchronous SDK clients every call below is judged
    alike for (``same_sdk_client``: ``self.msal_app``, built as msal's ``ConfidentialClientApplication``
    or its ``PublicClientApplication``); '' otherwise."""
    found = sorted(set(names))
    return found[0] if found and all(same_sdk_client(found[0], other) for other in found[1:]) else ""


@lru_cache(maxsize=None)
def below_sdk_client(producer: str) -> bool:
    """A value made by a synchronous SDK client or reached from one (``client.chat.completions``)."""
    return _below_client(producer, SDK_CLIENTS) is not None


def subscript_of_sdk_client(producer: str) -> Optional[str]:
    """What subscripting ``producer`` gives when it is more of an SDK client (pymongo's
    ``client["shop"]``: ``pymongo.MongoClient.[k]``); None for anything else."""
    if producer.split(".", 1)[0] not in SDK_NAMED_BY_SUBSCRIPT or not below_sdk_client(producer):
        return None
    return f"{producer}.{SUBSCRIPT_STEP}"


SDK_PACKAGES = frozenset(name.split(".")[0] for name in (*SDK_CLIENTS, *SDK_MODULE_CLIENTS))
# What a name of another module may be known to hold (project/clients.py): the HTTP clients, the
# SDK clients and boto3's Session, which makes them (`fresh_session().client("s3")`), a child
# process, whose waits HB204/HB601 judge call by call, and Flask-Mail's `Mail`, whose sends HB202
# judges (a queue or an event is judged by rules that count its uses in one module, so it is never
# claimed across modules).
HELD_ACROSS_MODULES = frozenset({
    *CLIENTS, *SDK_CLIENTS, "boto3.Session", "subprocess.Popen", FLASK_MAIL, *OAUTH_REGISTRIES})
# python-freeipa: its clients post every call (login, ping, each API method) on a requests.Session of
# their own with no timeout, and take none: a FreeIPA server that stalls holds the caller.
FREEIPA_PACKAGE = "python_freeipa"
FREEIPA_CLIENTS = frozenset({f"{FREEIPA_PACKAGE}.{name}" for name in ("Client", "ClientMeta", "ClientLegacy")})
FREEIPA_UNTIMED = "python-freeipa posts every call with none"  # HB203 says it; `fix` knows it has nothing to pass

# Library clients a project subclasses (with no `__init__` of its own) and builds in other modules
# (noggin's `class Client(ClientMeta)`): the subclass's name is one a module writes to build one.
SUBCLASSED_CLIENTS = FREEIPA_CLIENTS


def _import_words(module: str) -> Tuple[str, ...]:
    """How a file imports ``module`` (or a name of it): ``import a.b``, ``from a.b``, and ``from a import``
    (``from kubernetes import client as k8s``), but for a standard library package, whose other
    modules most files importing it want (``from http import HTTPStatus``)."""
    parent, dot, _last = module.rpartition(".")
    by_name = dot and parent.partition(".")[0] not in _STDLIB_CLIENT_PACKAGES
    return (f"import {module}", f"from {module}", *((f"from {parent} import",) if by_name else ()))


_STDLIB_CLIENT_PACKAGES = frozenset({"http", "urllib", "xmlrpc", "email"})


CLIENT_IMPORTS = tuple(sorted({
    word for name in HELD_ACROSS_MODULES | SUBCLASSED_CLIENTS for word in _import_words(name.rpartition(".")[0])
}))
# kubernetes' API classes all end in "Api": one word for the dozens of them (each word is a scan of
# every file of the project)
CLIENT_HINTS = tuple(sorted({
    "Api(" if name in KUBERNETES_APIS else f"{name.rpartition('.')[2]}("
    for name in HELD_ACROSS_MODULES | SUBCLASSED_CLIENTS
}))
# HB504: executors and process/thread pools
_POOL_CLOSERS = frozenset({"close", "terminate", "join"})
EXECUTORS: Mapping[str, Resource] = {
    "concurrent.futures.ThreadPoolExecutor": Resource("executor", frozenset({"shutdown"})),
    "concurrent.futures.ProcessPoolExecutor": Resource("executor", frozenset({"shutdown"})),
    "multiprocessing.Pool": Resource("pool", _POOL_CLOSERS),
    "multiprocessing.pool.Pool": Resource("pool", _POOL_CLOSERS),
    "multiprocessing.pool.ThreadPool": Resource("pool", _POOL_CLOSERS),
    "multiprocessing.get_context.Pool": Resource("pool", _POOL_CLOSERS),
}


def closers(resources: Mapping[str, Resource]) -> FrozenSet[str]:
    """Every method that releases one of ``resources``."""
    return frozenset(name for resource in resources.values() for name in resource.closers)


# -- responses: what returns one, and what releases or reads it ------------------------------

# HB101: calls that can return a streamed response
STREAM_VERBS = ("get", "post", "put", "patch", "delete", "head", "options", "request")
STREAMED_REQUESTS_CALLS = frozenset(
    {f"requests.{verb}" for verb in STREAM_VERBS}
    | {f"requests.Session.{verb}" for verb in STREAM_VERBS}
    | {"requests.Session.send"}
)
HTTPX_STREAM_CALLS = frozenset({"httpx.stream", "httpx.Client.stream", "httpx.AsyncClient.stream"})
HTTPX_SEND_CALLS = frozenset({"httpx.Client.send", "httpx.AsyncClient.send"})
URLLIB3_RESPONSE_CALLS = frozenset(
    {"urllib3.request"}
    | {f"{pool}.{method}" for pool in URLLIB3_POOLS for method in URLLIB3_REQUEST_METHODS}
)
AIOHTTP_RESPONSE_CALLS = frozenset({f"aiohttp.ClientSession.{verb}" for verb in STREAM_VERBS})

STREAM_CLOSERS = frozenset({"close", "release", "release_conn", "drain_conn", "aclose"})
# Members that hand the body to someone else (a streaming response, a generator).
RESPONSE_VIEWS = {
    "requests": frozenset({"iter_content", "iter_lines", "raw"}),
    "httpx": frozenset({"iter_bytes", "iter_text", "iter_lines", "iter_raw",
                        "aiter_bytes", "aiter_text", "aiter_lines", "aiter_raw"}),
    "urllib3": frozenset({"stream", "read_chunked"}),
    "aiohttp": frozenset({"content", "iter_chunked", "iter_any", "iter_chunks"}),
}
# HB102: calls whose response holds a socket until it is read to the end or closed
URLOPEN_RESPONSE_CALLS = frozenset(
    {
        "urllib.request.urlopen", "urllib.request.build_opener.open", "urllib.request.OpenerDirector.open",
        "http.client.HTTPConnection.getresponse", "http.client.HTTPSConnection.getresponse",
    }
)

# -- threads, tasks and servers ---------------------------------------------------------------

THREAD_CLASSES = frozenset({"threading.Thread"})  # HB501
START_NEW_THREAD = frozenset({"_thread.start_new_thread", "thread.start_new_thread", "_thread.start_new"})
_LOOPS = ("asyncio.get_event_loop", "asyncio.get_running_loop", "asyncio.new_event_loop",
          "asyncio.AbstractEventLoop", "asyncio.BaseEventLoop")
TASK_CALLS = frozenset(  # HB502
    {"asyncio.create_task", "asyncio.ensure_future"} | {f"{loop}.create_task" for loop in _LOOPS}
)
_SOCKETSERVERS = (
    "TCPServer", "UDPServer", "ThreadingTCPServer", "ThreadingUDPServer", "ForkingTCPServer",
    "ForkingUDPServer", "UnixStreamServer", "UnixDatagramServer", "ThreadingUnixStreamServer",
    "ThreadingUnixDatagramServer", "ForkingUnixStreamServer", "ForkingUnixDatagramServer", "BaseServer",
)
SERVER_CLASSES = frozenset(  # HB503
    {"http.server.HTTPServer", "http.server.ThreadingHTTPServer"}
    | {f"socketserver.{name}" for name in _SOCKETSERVERS}
    | {f"http.server.{name}" for name in _SOCKETSERVERS}  # re-exported by http.server's import
    | {"wsgiref.simple_server.WSGIServer", "werkzeug.serving.BaseWSGIServer",
       "werkzeug.serving.ThreadedWSGIServer", "werkzeug.serving.ForkingWSGIServer"}
)
SERVER_FACTORIES = frozenset({"wsgiref.simple_server.make_server", "werkzeug.serving.make_server"})

# -- clients that connect later, through a library (HB202, HB203) ------------------------------

# Django's SMTP backend: its open() calls smtplib.SMTP(host, port, timeout=self.timeout), and
# self.timeout is settings.EMAIL_TIMEOUT (None: no limit) unless timeout= is passed.
DJANGO_SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
DJANGO_SMTP_BACKENDS = frozenset({DJANGO_SMTP_BACKEND})  # the bases a project's backend derives from
DJANGO_GET_CONNECTION = "django.core.mail.get_connection"
DJANGO_EMAIL_TIMEOUT = "EMAIL_TIMEOUT"  # the setting that gives every SMTP backend its timeout
# The settings that say where mail goes: a project that names its mail server (EMAIL_HOST) and leaves
# EMAIL_BACKEND to Django's own backends sends through the SMTP one in production.
DJANGO_EMAIL_HOST = "EMAIL_HOST"
DJANGO_EMAIL_BACKEND = "EMAIL_BACKEND"
DJANGO_BUILTIN_BACKENDS = frozenset(
    f"django.core.mail.backends.{name}.EmailBackend" for name in ("smtp", "console", "dummy", "locmem", "filebased")
)
# What sends through the backend the settings name (get_connection() with no backend) unless given a
# connection: the functions (``connection=`` keyword), and a message's send() (its constructor's).
DJANGO_SEND_FUNCTIONS = frozenset(
    f"django.core.mail.{name}" for name in ("send_mail", "send_mass_mail", "mail_admins", "mail_managers")
)
DJANGO_MESSAGES = frozenset({"django.core.mail.EmailMessage", "django.core.mail.EmailMultiAlternatives"})
DJANGO_MESSAGE_SENDS = frozenset(f"{message}.send" for message in DJANGO_MESSAGES)
# mail_admins()/mail_managers() return before connecting while their setting is empty (Django's default).
DJANGO_RECIPIENT_SETTINGS = frozenset({"ADMINS", "MANAGERS"})
DJANGO_RECIPIENTS_OF = {"django.core.mail.mail_admins": "ADMINS", "django.core.mail.mail_managers": "MANAGERS"}
DJANGO_CONNECTION = "connection"
# Where the SMTP backend connects, and how: get_connection(...) passing one of these means SMTP.
# Not username/password: Django's own send_mail() passes them to whatever backend the settings name.
DJANGO_SMTP_ARGUMENTS = frozenset({"host", "port", "use_tls", "use_ssl", "ssl_keyfile", "ssl_certfile"})

# ldap3: no timeout unless given. A Connection of a waiting strategy reads each answer (bind, search)
# with no limit unless receive_timeout= is set; its Server's connect_timeout= bounds the connect only.
LDAP3_CONNECTION = "ldap3.Connection"
LDAP3_SERVER = "ldap3.Server"
LDAP3_RECEIVE_TIMEOUT = "receive_timeout"
LDAP3_CONNECT_TIMEOUT = "connect_timeout"
# client_strategy values whose operations wait for the answer in the calling thread
LDAP3_WAITING_STRATEGIES = frozenset({"SYNC", "SAFE_SYNC", "RESTARTABLE", "SAFE_RESTARTABLE"})
# Connection(server, user, password, auto_bind, ...) opens its socket and binds as it is built when
# auto_bind is True or a binding mode (`ldap3.AUTO_BIND_NO_TLS`, ...); False, AUTO_BIND_NONE and the
# default AUTO_BIND_DEFAULT (bound on entering `with`) leave it to bind()
LDAP3_AUTO_BIND, LDAP3_AUTO_BIND_INDEX = "auto_bind", 3
_LDAP3_BINDING_MODES = frozenset({"NO_TLS", "TLS_BEFORE_BIND", "TLS_AFTER_BIND"})
_LDAP3_MODE_PREFIX = "ldap3.AUTO_BIND_"


def ldap3_auto_binds(value: object = None, constant: str = "") -> bool:
    """An ``auto_bind=`` that binds as the Connection is built: the literal ``value`` True or a
    binding mode's string (``"NO_TLS"``), or the ``constant`` named ``ldap3.AUTO_BIND_NO_TLS``...."""
    if value is True or (isinstance(value, str) and value in _LDAP3_BINDING_MODES):
        return True
    return constant.startswith(_LDAP3_MODE_PREFIX) and constant[len(_LDAP3_MODE_PREFIX):] in _LDAP3_BINDING_MODES


# A raw socket: socket.socket(family, type, proto, fileno) connected with no timeout on it. Calls on
# it that bound its waits or make it no client: settimeout(seconds), setblocking(False); bind/listen/accept.
SOCKET_CLASS = "socket.socket"
SOCKET_TIMEOUT_SETTERS = frozenset({"settimeout", "setblocking"})
SOCKET_SERVER_METHODS = frozenset({"bind", "listen", "accept"})
# What waits for the peer: connect() alone ends with the kernel's SYN retries, a read waits forever.
SOCKET_READS = frozenset({"recv", "recv_into", "recvfrom", "recvfrom_into", "recvmsg", "makefile"})
SOCKET_NETWORK_FAMILIES = frozenset({"socket.AF_INET", "socket.AF_INET6"})  # AF_UNIX: a local peer
SOCKET_STREAM_TYPES = frozenset({"socket.SOCK_STREAM"})  # SOCK_DGRAM: connect() only sets the peer

PAM_CALLS = frozenset(f"pamela.{name}" for name in (
    "authenticate", "open_session", "close_session", "check_account", "change_password")) | frozenset(
    # python-pam: `pam.authenticate()`, or the method of its authenticator (`pam.pam()`, the old name)
    f"{owner}.{name}" for owner in ("pam", "pam.pam", "pam.PamAuthenticator")
    for name in ("authenticate", "open_session", "close_session"))
KEYRING_CALLS = frozenset(f"keyring.{name}" for name in (
    "get_password", "set_password", "delete_password", "get_credential"))

# google-auth's sync transport: a `Request()` of it is the HTTP client the library's calls use in the
# calling thread. Verifying an ID token fetches the issuer's certificates through it on every call
# (`verify_oauth2_token(token, Request(), audience)`), and any call handed one (`credentials.refresh(
# Request())`) sends its requests through it: the token endpoint, the metadata server.
GOOGLE_AUTH_TRANSPORTS = frozenset({"google.auth.transport.requests.Request"})
TRANSPORT_SEND = "__call__"  # what a call handed a transport runs: the transport, called (`request(url=...)`)
GOOGLE_AUTH_SENDS = frozenset(f"{transport}.{TRANSPORT_SEND}" for transport in GOOGLE_AUTH_TRANSPORTS)
GOOGLE_ID_TOKEN_CALLS = frozenset(f"google.oauth2.id_token.{name}" for name in (
    "verify_token", "verify_oauth2_token", "verify_firebase_token", "fetch_id_token"))

# caldav: DAVClient(url, ...) hands its timeout (None by default: no limit) to requests or niquests
# on every request. Its position: 5 in caldav 1.3 (url, proxy, username, password, auth, timeout),
# 6 since auth_type came before it; a call with more positionals than 5 may pass it.
CALDAV_CLIENT = "caldav.DAVClient"
CALDAV_TIMEOUT_INDEX = 5
# python-gitlab: Gitlab(url, private_token, oauth_token, job_token, ssl_verify, http_username,
# http_password, timeout=None, ...) hands its timeout to requests on every API call; None: no limit.
# A `session=` of the caller's may bound them itself.
GITLAB_CLIENT = "gitlab.Gitlab"
# prometheus-api-client: PrometheusConnect(url, headers, disable_ssl, retry, auth, proxy, session,
# timeout=None, method) gives its timeout to every query it sends on its requests session; None: no
# limit. A `session=` of the caller's may bound them itself.
PROMETHEUS_CLIENT = "prometheus_api_client.PrometheusConnect"
# meilisearch: Client(url, api_key, timeout=None, ...) hands its timeout to requests on every call (a
# search, a document add, a task wait); None: no limit.
MEILISEARCH_CLIENT = "meilisearch.Client"
# imapclient: IMAPClient(host, port, use_uid, ssl, stream, ssl_context, timeout=None) connects and reads
# on a socket with that timeout; None (not the process default: it is passed on): no limit.
IMAPCLIENT_CLIENT = "imapclient.IMAPClient"
# jira: JIRA(server, options, basic_auth, token_auth, oauth, jwt, kerberos, kerberos_options, validate,
# get_server_info, async_, async_workers, logging, max_retries, proxies, timeout=None, ...) builds a
# session with that timeout for every request, the server-info fetch its constructor makes included.
JIRA_CLIENT = "jira.JIRA"
# keystoneauth1: Session(auth, session, original_ip, verify, cert, timeout=None, ...) hands its timeout to
# requests on every call made through it (a token fetch, discovery, each API call of the clients given
# it); None: no limit. keystoneclient's old Session takes the same arguments. A `session=` of the
# caller's (a requests session) may bound them itself.
KEYSTONE_SESSION = "keystoneauth1.session.Session"
# python-swiftclient: Connection(authurl, user, key, retries, preauthurl, preauthtoken, snet,
# starting_backoff, max_backoff, tenant_name, os_options, auth_version, cacert, insecure, cert, cert_key,
# ssl_compression, retry_on_ratelimit, timeout=None, session=None, ...): its HTTP connections wait with
# that timeout; a keystoneauth `session=` authenticates (and bounds that) instead.
SWIFT_CONNECTION = "swiftclient.client.Connection"
# influxdb (the 1.x client): InfluxDBClient(host, port, username, password, database, ssl, verify_ssl,
# timeout=None, ...) hands its timeout to requests on every query and write. (influxdb_client, the 2.x
# client, has a 10 s default.)
INFLUXDB_CLIENT = "influxdb.InfluxDBClient"
# pydiscourse: DiscourseClient(host, api_username, api_key, timeout=None) hands its timeout to requests
# on every API call (user sync, SSO logout, group changes).
PYDISCOURSE_CLIENTS = ("pydiscourse.DiscourseClient", "pydiscourse.client.DiscourseClient")
# python-jenkins: Jenkins(url, username, password, timeout=socket._GLOBAL_DEFAULT_TIMEOUT) hands its timeout
# to every request of its session; that default is the process's socket default, none unless set.
JENKINS_CLIENT = "jenkins.Jenkins"
# twilio: Client(username, password, account_sid, region, http_client=None, ...) takes no timeout; its
# default TwilioHttpClient(timeout=None) sends every API request with none. One of the caller's may.
TWILIO_CLIENT = "twilio.rest.Client"
# ollama: Client(host, **kwargs) and AsyncClient build their httpx client with timeout=None unless given
# `timeout=`: every chat, generate and embed waits for the model server with no limit.
OLLAMA_CLIENTS = ("ollama.Client", "ollama.AsyncClient")
# langchain-ollama's models build those clients from `client_kwargs` (and the sync_/async_ ones), no
# timeout of their own.
LANGCHAIN_OLLAMA_MODELS = ("langchain_ollama.ChatOllama", "langchain_ollama.OllamaLLM",
                           "langchain_ollama.OllamaEmbeddings")
_OLLAMA_CLIENT_KWARGS = ("client_kwargs", "sync_client_kwargs", "async_client_kwargs")
# google-genai: Client(api_key=..., http_options=None, ...) takes no timeout of its own; its HttpOptions'
# timeout (milliseconds) is None unless given, and the SDK passes that None to httpx on every request,
# which turns off any limit its httpx client had (pydantic-ai #4031): generate_content() waits forever.
GOOGLE_GENAI_CLIENT = "google.genai.Client"
# LangChain's OpenAI and Anthropic chat models hand their SDK client `timeout=None` unless given one
# (`timeout=`, or the field's own name), which turns the SDK's 600 s default off (LangChain issue
# 35597, open with its fixes unmerged in 2026). Clients of the caller's may bound them instead.
_OPENAI_OWN_CLIENTS = ("client", "async_client", "root_client", "root_async_client", "http_client", "http_async_client")
LANGCHAIN_SDK_MODELS: Mapping[str, Tuple[str, Tuple[str, ...]]] = {
    "langchain_openai.ChatOpenAI": ("request_timeout", _OPENAI_OWN_CLIENTS),
    "langchain_openai.AzureChatOpenAI": ("request_timeout", _OPENAI_OWN_CLIENTS),
    "langchain_anthropic.ChatAnthropic": ("default_request_timeout", ()),
}
# msal: ClientApplication(client_id, client_credential, authority, validate_authority, token_cache,
# http_client, verify, proxies, timeout=None, ...) binds that timeout to its requests session for every
# call, the authority discovery its constructor makes included; PublicClientApplication takes it by
# keyword. An `http_client=` of the caller's may bound them itself.
MSAL_APPLICATIONS = {"msal.ConfidentialClientApplication": 8, "msal.PublicClientApplication": None,
                     "msal.ClientApplication": 8}


_PASS_TIMEOUT = "pass timeout=<seconds>"


class UntimedClient(NamedTuple):
    """A client whose constructor takes the timeout it gives every request it makes, None (no limit)
    by default (HB203)."""

    position: Optional[int]  # the timeout's place among the constructor's arguments (None: by keyword only)
    carrier: str  # who hands it on, for the fix: "caldav hands it to every request it makes"
    own_client: Tuple[str, ...] = ()  # keywords that hand it a client (or its settings) of the caller's
    fix: str = _PASS_TIMEOUT  # another for a client that takes no timeout
    aliases: Tuple[str, ...] = ()  # other keywords the timeout may be given as (a pydantic field's name)
    keyword: str = "timeout"  # the timeout's own keyword (zeep's operation_timeout)

    @property
    def takes_timeout(self) -> bool:
        """Whether ``timeout=`` bounds it (else ``fix`` says what to pass instead)."""
        return self.fix == _PASS_TIMEOUT


# zeep: Transport(cache, timeout, operation_timeout, session) sends every SOAP operation with
# operation_timeout, None by default (its timeout= bounds only the loading of the WSDL and its
# schemas); a Client given no transport= builds such a Transport itself.
ZEEP_TRANSPORT = "zeep.Transport"
ZEEP_CLIENT = "zeep.Client"

UNTIMED_CLIENTS: Mapping[str, UntimedClient] = {
    CALDAV_CLIENT: UntimedClient(CALDAV_TIMEOUT_INDEX, "caldav hands it to every request it makes"),
    GITLAB_CLIENT: UntimedClient(7, "python-gitlab hands it to every API request", own_client=("session",)),
    JIRA_CLIENT: UntimedClient(15, "jira's session gives it to every request, the constructor's own included"),
    PROMETHEUS_CLIENT: UntimedClient(7, "prometheus-api-client gives it to every query", own_client=("session",)),
    MEILISEARCH_CLIENT: UntimedClient(2, "meilisearch hands it to requests on every call"),
    IMAPCLIENT_CLIENT: UntimedClient(6, "imapclient connects and reads with none"),
    KEYSTONE_SESSION: UntimedClient(5, "keystoneauth hands it to every request made through the session",
                                    own_client=("session",)),
    SWIFT_CONNECTION: UntimedClient(18, "swiftclient gives it to every connection it opens", own_client=("session",)),
    INFLUXDB_CLIENT: UntimedClient(7, "influxdb hands it to every query and write", own_client=("session",)),
    **{client: UntimedClient(3, "pydiscourse hands it to every API request") for client in PYDISCOURSE_CLIENTS},
    JENKINS_CLIENT: UntimedClient(3, "python-jenkins hands it to every request, the socket default (none) else"),
    TWILIO_CLIENT: UntimedClient(None, "its default HTTP client sends every API request with none",
                                 own_client=("http_client",),
                                 fix="pass http_client=TwilioHttpClient(timeout=<seconds>)"),
    **{app: UntimedClient(position, "msal gives it to every request, its sign-in discovery included",
                          own_client=("http_client",))
       for app, position in MSAL_APPLICATIONS.items()},
    **{model: UntimedClient(None, "LangChain hands the SDK timeout=None, which turns its default off",
                            own_client=own, aliases=(field,))
       for model, (field, own) in LANGCHAIN_SDK_MODELS.items()},
    **{client: UntimedClient(None, "ollama gives it to the httpx client every call goes through")
       for client in OLLAMA_CLIENTS},
    # (a session of the caller's changes nothing: zeep passes the operation's timeout to each post)
    ZEEP_TRANSPORT: UntimedClient(2, "zeep sends every SOAP operation with it; timeout= bounds only the WSDL's loading",
                                  fix="pass operation_timeout=<seconds>", keyword="operation_timeout"),
    ZEEP_CLIENT: UntimedClient(None, "its default Transport sends every SOAP operation with none",
                               own_client=("transport",), fix="pass transport=Transport(operation_timeout=<seconds>)"),
    **{model: UntimedClient(None, "its ollama client has none", own_client=_OLLAMA_CLIENT_KWARGS,
                            fix='pass client_kwargs={"timeout": <seconds>}')
       for model in LANGCHAIN_OLLAMA_MODELS},
    GOOGLE_GENAI_CLIENT: UntimedClient(None, "google-genai sends every request with none, its httpx client's limit off",
                                       own_client=("http_options",),
                                       fix="pass http_options=HttpOptions(timeout=<milliseconds>)"),
}

# xmlrpc.client: ServerProxy(uri, transport=None, ...) takes no timeout; its default transport opens
# http.client connections with none, so every remote call waits forever on a stalled server unless a
# transport of the caller's sets one (or the process's socket default does). `Server` is its old name.
XMLRPC_PROXIES = frozenset({"xmlrpc.client.ServerProxy", "xmlrpc.client.Server"})
XMLRPC_TRANSPORT = ("transport", 1)

# python-ldap: an LDAPObject's synchronous calls (`*_s`) wait for the directory's answer, and nothing
# bounds them by default. Most pass the object's `timeout` attribute (-1: no limit) to result(); the
# SASL binds and start_tls_s() wait inside libldap, which only the OPT_TIMEOUT option bounds (set on
# the object or for the process with ldap.set_option); the searches below take their own `timeout`
# argument (-1 by default). OPT_NETWORK_TIMEOUT (`network_timeout`) bounds the connect only.
PYTHON_LDAP = "ldap.LDAPObject"
PYTHON_LDAP_TIMEOUT_OPTION = "OPT_TIMEOUT"
PYTHON_LDAP_TIMEOUT_ATTRIBUTE = "timeout"
PYTHON_LDAP_NO_LIMIT = "ldap.NO_LIMIT"
PYTHON_LDAP_LOCAL_SCHEME = frozenset({"ldapi"})  # a Unix socket to a directory on this host
PYTHON_LDAP_ATTRIBUTE_BOUNDED = frozenset({
    "simple_bind_s", "bind_s", "add_s", "add_ext_s", "modify_s", "modify_ext_s", "delete_s", "delete_ext_s",
    "rename_s", "modrdn_s", "compare_s", "compare_ext_s", "whoami_s", "passwd_s", "extop_s", "search_s",
    "cancel_s",
})
PYTHON_LDAP_OPTION_BOUNDED = frozenset({
    "start_tls_s", "sasl_interactive_bind_s", "sasl_non_interactive_bind_s", "sasl_external_bind_s",
    "sasl_gssapi_bind_s", "sasl_bind_s",
})
PYTHON_LDAP_OWN_TIMEOUT = {"search_st": 5, "search_ext_s": 7, "read_s": 5, "find_unique_entry": 7}
PYTHON_LDAP_WAITS = frozenset(
    f"{PYTHON_LDAP}.{method}"
    for method in (*PYTHON_LDAP_ATTRIBUTE_BOUNDED, *PYTHON_LDAP_OPTION_BOUNDED, *PYTHON_LDAP_OWN_TIMEOUT)
)

# websockets: connect() gives up on an opening handshake that takes longer than open_timeout (10 s by
# default, keyword-only); open_timeout=None turns that off: a server that accepts the connection and
# never answers the upgrade holds the caller. The sync client's connect() takes the same argument.
WEBSOCKETS_CONNECTS = frozenset({"websockets.connect", "websockets.sync.client.connect"})
WEBSOCKETS_OPEN_TIMEOUT = "open_timeout"

# HB203's clients whose timeout argument is not called `timeout` (the rule reads it, `fix` sets it)
TIMEOUT_KEYWORDS = {
    LDAP3_CONNECTION: LDAP3_RECEIVE_TIMEOUT,
    **dict.fromkeys(WEBSOCKETS_CONNECTS, WEBSOCKETS_OPEN_TIMEOUT),
    **dict.fromkeys(REDIS_CLIENTS, REDIS_SOCKET_TIMEOUT),
    **{client: untimed.keyword for client, untimed in UNTIMED_CLIENTS.items() if untimed.keyword != "timeout"},
}


def _entries() -> Iterator[Tuple[str, Api]]:
    # requests: every verb takes timeout= by keyword only; Session.request's is the 9th parameter.
    for verb in (*HTTP_VERBS, "request"):
        yield f"requests.{verb}", Api(REQUESTS, Timeout(), _HTTP)
        # Session.request(method, url, params, data, headers, cookies, files, auth, timeout, ...)
        index = 8 if verb == "request" else None
        yield f"requests.Session.{verb}", Api(REQUESTS, Timeout(index), _HTTP)
    yield "requests.Session.send", Api(REQUESTS, Timeout(), _HTTP)
    # the OAuth sessions (read as requests.Session above) fetch tokens with requests too, their timeout
    # None unless given
    for method, index in OAUTH_TOKEN_CALLS:
        yield f"requests.Session.{method}", Api(REQUESTS, Timeout(index), _HTTP)
    for method in OAUTH_APP_REQUESTS:  # keyword-only: `request(method, url, token=None, **kwargs)`
        yield f"{OAUTH_APP}.{method}", Api(REQUESTS, Timeout(), _HTTP)
    for flow in GOOGLE_OAUTH_FLOWS:  # `fetch_token(**kwargs)`: the keywords go to OAuth2Session.fetch_token
        yield f"{flow}.fetch_token", Api(REQUESTS, Timeout(), _HTTP)
    # pywebpush's webpush(subscription_info, data, vapid_private_key, vapid_claims, content_encoding,
    # curl, timeout, ...) posts with requests and timeout=None unless given (WebPusher.send's own
    # default is 10000 s: bounded, if long).
    yield "pywebpush.webpush", Api(REQUESTS, Timeout(6), _HTTP)

    # the standard library's network clients: the timeout's position in the constructor
    for callee, index in (
        ("urllib.request.urlopen", 2), ("http.client.HTTPConnection", 2), ("http.client.HTTPSConnection", 4),
        ("socket.create_connection", 1), ("smtplib.SMTP", 3), ("smtplib.SMTP_SSL", 5), ("smtplib.LMTP", 4),
        ("ftplib.FTP", 4), ("ftplib.FTP_TLS", 7), ("imaplib.IMAP4", 2), ("imaplib.IMAP4_SSL", 5),
        ("poplib.POP3", 2), ("poplib.POP3_SSL", 4), ("telnetlib.Telnet", 2),
        ("nntplib.NNTP", 6), ("nntplib.NNTP_SSL", 7),  # Python up to 3.12
    ):
        blocking = _HTTP if callee == "urllib.request.urlopen" else None
        if callee == "socket.create_connection":
            blocking = Blocking(SOCKET_INSTEAD)
        elif callee.split(".")[0] in _CONNECTING_CLIENTS:
            # the constructor connects (and logs in, for some) when it is given a host
            blocking = Blocking(_MAIL_INSTEAD if callee.startswith("smtplib.") else SOCKET_INSTEAD,
                                connects_with_host=callee.split(".")[0] in _CONNECT_IF_HOST)
        yield callee, Api(STDLIB_NETWORK, Timeout(index), blocking)
    # a connection's own calls send and wait on its socket (its timeout is the constructor's: HB202)
    for connection in ("http.client.HTTPConnection", "http.client.HTTPSConnection"):
        for method in ("connect", "request", "getresponse", "endheaders", "send"):
            yield f"{connection}.{method}", Api(OTHER, None, _HTTP)
    # a mail connection's own commands wait for the server on its socket (the constructor's timeout
    # bounds each: HB202); `SMTP()` given no host connects in connect()
    for client in ("smtplib.SMTP", "smtplib.SMTP_SSL", "smtplib.LMTP"):
        for command in SMTP_COMMANDS:
            yield f"{client}.{command}", Api(OTHER, None, Blocking(_MAIL_INSTEAD))
    for proxy in XMLRPC_PROXIES:  # takes no timeout: its transport holds it (HB202 says so)
        yield proxy, Api(OTHER)
    # Flask-Mail's sends connect with smtplib.SMTP(host, port) and take no timeout (HB202 says so)
    for call in UNTIMED_MAIL_CALLS:
        yield call, Api(OTHER, None, Blocking(_MAIL_INSTEAD))
    # OpenerDirector.open(fullurl, data, timeout): urlopen() is this call on a default opener
    yield "urllib.request.build_opener.open", Api(STDLIB_NETWORK, Timeout(2), _HTTP)
    yield "urllib.request.OpenerDirector.open", Api(STDLIB_NETWORK, Timeout(2), _HTTP)
    websocket = Blocking("use an async websocket client (websockets, aiohttp)")
    yield "websocket.create_connection", Api(OTHER, None, websocket)
    # python-ldap's synchronous calls (HB203 judges what bounds them; they block a loop whatever it is)
    directory = _offloaded("an async LDAP client (ldap3's ASYNC strategy, bonsai)")
    for call in sorted(PYTHON_LDAP_WAITS):
        own = PYTHON_LDAP_OWN_TIMEOUT.get(call.rsplit(".", 1)[-1])  # the others take none
        yield call, Api(THIRD_PARTY_HTTP, None if own is None else Timeout(own), directory,
                        "the directory never answers")

    # PAM and the system keyring answer in their own time: a PAM stack waits pam_faildelay after a
    # wrong password and asks sssd, LDAP or Kerberos over the network; the Secret Service, over
    # D-Bus, may wait for its user to unlock it
    for call in PAM_CALLS | KEYRING_CALLS:
        yield call, Api(OTHER, None, Blocking("run it in a worker thread: await asyncio.to_thread(...)"))
    # msal's applications discover their authority (an HTTP round trip) as they are built
    for app in MSAL_APPLICATIONS:
        yield app, Api(OTHER, None, _offloaded(SDK_CLIENTS[app]))
    # an ldap3 Connection told to bind as it is built connects and waits for the bind's answer
    bind = _offloaded(SDK_CLIENTS[LDAP3_CONNECTION])
    yield LDAP3_CONNECTION, Api(OTHER, None, Blocking(bind.instead, binds_when_told=True),
                                "the directory never answers")
    # google-auth's sync transport sends in the calling thread; what it is handed to waits for it
    for call in GOOGLE_ID_TOKEN_CALLS | GOOGLE_AUTH_SENDS:
        yield call, Api(OTHER, None, _offloaded("google-auth's aiohttp transport (google.auth.aio)"))

    # httpx and urllib3: their timeouts are HB203's (a default exists, or a pool-level one)
    for verb in (*HTTP_VERBS, "request", "stream"):
        yield f"httpx.{verb}", Api(THIRD_PARTY_HTTP, Timeout(), _HTTP)
    for client in ("Client", "AsyncClient"):
        yield f"httpx.{client}", Api(THIRD_PARTY_HTTP, Timeout())
        for verb in (*HTTP_VERBS, "request", "stream", "send"):
            yield f"httpx.{client}.{verb}", Api(THIRD_PARTY_HTTP, Timeout(), _HTTP if client == "Client" else None)
    # a sync client's close() shuts its pooled sockets in the calling thread
    yield "httpx.Client.close", Api(OTHER, None, Blocking(CLOSE_INSTEAD))
    yield "urllib3.request", Api(THIRD_PARTY_HTTP, Timeout(), _HTTP)
    for connect in DB_CONNECTS:
        yield connect, Api(OTHER, None, _offloaded(DB_INSTEAD))
    # the ollama module's functions call its default synchronous client
    ollama = _offloaded(SDK_CLIENTS["ollama.Client"])
    for verb in ("chat", "generate", "embed", "embeddings", "pull", "push", "show", "ps"):
        yield f"ollama.{verb}", Api(OTHER, None, ollama, "the model server never answers")
    for pool, index in URLLIB3_POOL_TIMEOUTS.items():
        yield pool, Api(THIRD_PARTY_HTTP, Timeout(index))  # the pool-level timeout, for its requests
        for method in URLLIB3_REQUEST_METHODS:
            # ConnectionPool.urlopen(method, url, body, headers, retries, redirect, assert_same_host, timeout)
            at = 7 if method == "urlopen" and pool.endswith("ConnectionPool") else None
            yield f"{pool}.{method}", Api(THIRD_PARTY_HTTP, Timeout(at), _HTTP)

    # subprocess
    for fn in ("run", "call", "check_call", "check_output"):
        yield f"subprocess.{fn}", Api(SUBPROCESS, Timeout(), Blocking(SUBPROCESS_INSTEAD))
    yield "subprocess.Popen.wait", Api(SUBPROCESS, Timeout(0), Blocking(SUBPROCESS_INSTEAD))
    yield "subprocess.Popen.communicate", Api(SUBPROCESS, Timeout(1), Blocking(SUBPROCESS_INSTEAD))
    # oslo.concurrency: execute(*cmd, **kwargs) (and trycmd, which hands its keywords to it) runs the
    # child with Popen and waits in communicate() with its `timeout=` keyword, None by default
    for fn in ("execute", "trycmd"):
        yield f"oslo_concurrency.processutils.{fn}", Api(SUBPROCESS, Timeout(), Blocking(SUBPROCESS_INSTEAD))
    # a Popen's output read to its end waits for the child to close it (to exit); read() takes no timeout
    for pipe in PROCESS_PIPES:
        for method in PIPE_READS_TO_END:
            yield f"{pipe}.{method}", Api(SUBPROCESS, None, Blocking(SUBPROCESS_INSTEAD), until="the child never exits")
    # asyncio's Process: wait()/communicate() take no timeout; a deadline around the await bounds them
    for factory in ASYNC_PROCESS_FACTORIES:
        for method in ("wait", "communicate"):
            yield f"{factory}.{method}", Api(SUBPROCESS, until="the child never exits", awaited=True)

    # GitPython's commands that talk to a remote (HB204, HB601)
    git_waits = Blocking(SUBPROCESS_INSTEAD)
    for owner in GIT_COMMANDS:
        for command in GIT_NETWORK_COMMANDS:
            yield f"{owner}.{command}", Api(SUBPROCESS, Timeout(keyword=GIT_TIMEOUT), git_waits)
    for method in GIT_REMOTE_WAITS:
        yield f"{GIT_REMOTE}.{method}", Api(SUBPROCESS, Timeout(keyword=GIT_TIMEOUT), git_waits)
    yield GIT_CLONE_FROM, Api(SUBPROCESS, None, git_waits, until="the remote never answers")

    # processes waited for with no timeout at all: they only block (HB601)
    for fn in ("os.system", "subprocess.getoutput", "subprocess.getstatusoutput"):
        yield fn, Api(OTHER, None, Blocking(SUBPROCESS_INSTEAD))
    # libraries that run a program and wait for it (Tesseract OCR, Poppler's pdftoppm): seconds a
    # page, and no timeout unless one is passed (pytesseract's is 0, pdf2image's None: none)
    programs = Blocking(PROGRAM_INSTEAD)
    for fn in ("image_to_string", "image_to_data", "image_to_boxes", "image_to_osd", "image_to_pdf_or_hocr",
               "image_to_alto_xml", "run_and_get_output"):
        yield f"pytesseract.{fn}", Api(OTHER, None, programs)
    for fn in ("convert_from_path", "convert_from_bytes", "pdfinfo_from_path", "pdfinfo_from_bytes"):
        yield f"pdf2image.{fn}", Api(OTHER, None, programs)
    # os.popen(): the child's output is read to its end, close() waits for its exit
    for method in ("read", "readlines", "close"):
        yield f"os.popen.{method}", Api(OTHER, None, Blocking(SUBPROCESS_INSTEAD))
    # spawn*(mode, path, ...): mode os.P_WAIT runs the child to its end (posix_spawn never waits)
    for suffix in ("l", "le", "lp", "lpe", "v", "ve", "vp", "vpe"):
        yield f"os.spawn{suffix}", Api(OTHER, None, Blocking(SUBPROCESS_INSTEAD, mode_index=0))
    # wait*(): the position of `options` (os.WNOHANG returns at once); os.wait() has none
    for fn, options in (("wait", None), ("wait3", 0), ("wait4", 1), ("waitpid", 1), ("waitid", 2)):
        yield f"os.{fn}", Api(OTHER, None, Blocking(PROCESS_WAIT_INSTEAD, options_index=options))

    # sleeping
    yield "time.sleep", Api(OTHER, Timeout(0, "secs"), Blocking(SLEEP_INSTEAD))

    # synchronisation waits; Event.wait/Condition.wait/join return quietly when their timeout expires
    yield "threading.Event.wait", Api(SYNC_WAIT, Timeout(0, on_expiry=RETURNS), _SYNC, "the event is never set")
    yield "threading.Condition.wait", Api(SYNC_WAIT, Timeout(0, on_expiry=RETURNS), _SYNC, "nobody ever notifies")
    yield "threading.Condition.wait_for", Api(
        SYNC_WAIT, Timeout(1, on_expiry=RETURNS), _SYNC, "the predicate never becomes true"
    )
    yield "threading.Thread.join", Api(SYNC_WAIT, Timeout(0, on_expiry=RETURNS), _SYNC, "the thread never finishes")
    yield "threading.Barrier.wait", Api(SYNC_WAIT, Timeout(0), _SYNC, "the other parties never arrive")
    yield "multiprocessing.Process.join", Api(
        SYNC_WAIT, Timeout(0, on_expiry=RETURNS), _SYNC, "the process never exits"
    )
    for lock in ("Lock", "RLock", "Semaphore", "BoundedSemaphore", "Condition"):
        # Lock acquisition is HB403's business (`with lock:`), not a missing timeout.
        yield f"threading.{lock}.acquire", Api(OTHER, Timeout(1), Blocking(SYNC_INSTEAD, block_index=0))
    queue_get = Blocking(SYNC_INSTEAD, block_index=0)
    for kind in (*SYNC_QUEUE_KINDS, "queue.SimpleQueue"):
        yield f"{kind}.get", Api(SYNC_WAIT, Timeout(1), queue_get, "no item ever arrives")
    for kind in SYNC_QUEUE_KINDS:
        yield f"{kind}.put", Api(OTHER, Timeout(2), Blocking(SYNC_INSTEAD, block_index=1, bounded_only=True))
    for future in FUTURE_KINDS:
        for method in ("result", "exception"):
            yield f"{future}.{method}", Api(SYNC_WAIT, Timeout(0), _FUTURE, "the work never finishes")
    yield "concurrent.futures.wait", Api(SYNC_WAIT, Timeout(1, on_expiry=RETURNS), _FUTURE, "a future never finishes")
    yield "concurrent.futures.as_completed", Api(SYNC_WAIT, Timeout(1), _FUTURE, "a future never finishes")
    for executor_map in sorted(EXECUTOR_MAPS):  # its timeout bounds the whole map, by keyword
        yield executor_map, Api(OTHER, Timeout(None), Blocking(MAP_INSTEAD), "a call never finishes")
    # Iterating a transformers TextIteratorStreamer is a queue.get() with the timeout its constructor
    # was given (none by default); generate(), in another thread, ends the stream unless it raises.
    yield TEXT_STREAMER, Api(
        SYNC_WAIT, Timeout(2), None, "generate() fails in its thread before it ends the stream"
    )
    for result in ASYNC_RESULT_KINDS:
        yield f"{result}.get", Api(SYNC_WAIT, Timeout(0), _FUTURE, "the pool task never finishes")
        yield f"{result}.wait", Api(SYNC_WAIT, Timeout(0, on_expiry=RETURNS), _FUTURE, "the pool task never finishes")
    for method in ("get", "wait"):
        yield f"{CELERY_RESULT}.{method}", Api(
            SYNC_WAIT, Timeout(0), _FUTURE, "no worker takes the task or its result is never stored"
        )


APIS: Mapping[str, Api] = dict(_entries())


def family(name: str) -> Dict[str, Api]:
    """The entries of one family (the calls one HB2xx rule checks)."""
    return {callee: api for callee, api in APIS.items() if api.family == name}


def last_names(callees: Mapping[str, object]) -> FrozenSet[str]:
    """The last names of dotted callees: what a rule asks the engine to collect."""
    return frozenset(callee.rsplit(".", 1)[-1] for callee in callees)


# The names under which a module of the project may re-export a library's function or class the
# catalogue knows (``from .compat import urlopen``): the last name of each entry that a module of
# its library defines (``urllib.request.urlopen``, not ``requests.Session.get``).
REEXPORTABLE = frozenset(
    parts[-1] for parts in (name.split(".") for name in APIS) if len(parts) > 1 and parts[-2][:1].islower()
)


def blocks_plainly(api: Api) -> bool:
    """A call that waits whatever its arguments and receiver say (unless an argument is a literal
    "do not wait", ``sleep(0)``): what can be called blocking from a module summary, which keeps
    no arguments, no queue sizes and no ``done()`` checks."""
    blocking = api.blocking  # (a host-given connect counts: a summary call with no argument is quiet)
    return (
        blocking is not None and blocking.block_index is None and not blocking.bounded_only
        and blocking.options_index is None and blocking.mode_index is None and blocking.instead != FUTURE_INSTEAD
    )


PLAIN_BLOCKING: Mapping[str, Api] = {callee: api for callee, api in APIS.items() if blocks_plainly(api)}


# -- hand-offs: calls that run a callable somewhere else --------------------------------------

# Run a callable (or a lambda) in a worker thread and hand back its result: the work is still
# the request's (it waits for it), but it is not on the event loop.
THREAD_HANDOFFS = frozenset(
    {
        "run_in_executor", "to_thread", "run_sync", "run_in_threadpool", "sync_to_async",
        "database_sync_to_async", "submit", "async_add_executor_job", "add_executor_job",
        "asyncify", "make_async", "defer_to_thread", "deferToThread",
    }
)
# Those that call the callable with the arguments written after it (``to_thread(subprocess.run, cmd)``
# runs ``subprocess.run(cmd)``): the position of the callable, and whether keywords pass on too
# (``run_in_executor`` and anyio's ``run_sync`` take positional arguments only; their keywords are
# their own).
HANDED_ARGUMENTS: Mapping[str, Tuple[int, bool]] = {
    "to_thread": (0, True), "submit": (0, True), "run_in_threadpool": (0, True), "deferToThread": (0, True),
    "defer_to_thread": (0, True), "run_in_executor": (1, False), "run_sync": (0, False),
    "async_add_executor_job": (0, False), "add_executor_job": (0, False),
}
# Start a thread that runs on its own: the request does not wait for it (HB501 looks at those).
THREAD_STARTS = frozenset({"Thread", "Timer", "start_new_thread"})
# A lambda handed to any of these runs in another thread.
RUNS_ELSEWHERE = THREAD_HANDOFFS | THREAD_STARTS
# Calls that keep a callable (or the arguments for one) to run later: `partial(f, ...)`, a
# response's background `add_task(f, ...)` or Starlette's `BackgroundTask(f, ...)` (run after the
# response is sent: a coroutine function on the server's loop, a plain one in its thread pool).
DEFERRED = frozenset({"add_task", "partial", "BackgroundTask"})


# Methods that read a dict without changing it (``kwargs.get("x")``): the rules' mappings whose keys
# the module shows in full (calls.Mappings), and the summary's wrappers that pass their ``**kwargs`` on
# untouched, both allow them.
DICT_READ_METHODS = frozenset({"get", "keys", "values", "items", "copy"})


# Classes that keep a google-auth transport for their later refreshes: building one sends nothing.
TRANSPORT_KEEPERS = frozenset({"AuthorizedSession"})


def sends_through_transport(called: str) -> bool:
    """A call (by its last name) handed a google-auth transport (``GOOGLE_AUTH_TRANSPORTS``) sends its
    requests through it in place: ``credentials.refresh(Request())``. Not one that runs a callable
    elsewhere or later with it (``to_thread(credentials.refresh, Request())``, ``partial(...)``), nor
    one that keeps it (``AuthorizedSession(credentials, auth_request=Request())``)."""
    return called not in RUNS_ELSEWHERE and called not in DEFERRED and called not in TRANSPORT_KEEPERS


# Start a coroutine as a task of its own: on the loop, but not inside the request's task.
TASK_SPAWNS = frozenset({"create_task", "ensure_future", "run_coroutine_threadsafe"})
# Methods that register a callback run per event and drop what it returns (an event emitter's
# ``on()``, a future's ``add_done_callback()``). Not the event loop's timers and signal handlers
# (``call_later()``, ``add_signal_handler()``): one-shot scheduling of a reconnect or a shutdown,
# which real apps start so by design.
CALLBACK_REGISTRARS = frozenset({"on", "once", "add_listener", "add_done_callback"})
# Register a function the process runs when it is signalled or exits (``signal.signal(SIGTERM, stop)``,
# ``atexit.register(cleanup)`` by the callee resolved, ``loop.add_signal_handler(SIGHUP, reload)`` by the
# method's name), with the place of that function among the arguments: what it schedules is one-shot
# work at a reload or at the end of the process, not a request's.
SIGNAL_HANDLER_REGISTRARS = {"signal.signal": 1, "atexit.register": 0}
SIGNAL_HANDLER_METHODS = {"add_signal_handler": 1}
# Sent from a coroutine, its coroutine runs on the loop of another thread (a loop a thread of the
# app runs for itself), not on the caller's.
OTHER_LOOP_SPAWN = "run_coroutine_threadsafe"
# Called from a plain function (a sync view in the server's thread pool, a websocket's thread),
# these run the coroutine given them on an event loop of their own, in that thread: what blocks
# there holds that loop alone, not the server's. By the callee resolved (``asyncio.run``), or by a
# method's name (``loop.run_until_complete``, on a loop the function made or was given).
PRIVATE_LOOP_RUNNERS = frozenset({"asyncio.run", "anyio.run", "trio.run"})
PRIVATE_LOOP_METHODS = frozenset({"run_until_complete"})
# A method that only declares what another class implements: an abstract one, or any method of a
# `typing.Protocol` class (a mixin naming a Protocol among its bases gets the body from a sibling base).
ABSTRACT_DECORATORS = frozenset({"abstractmethod"})
PROTOCOL_BASES = frozenset({"typing.Protocol", "typing_extensions.Protocol"})
# Decorators that make a method a property whose read runs its body (``self.discovery_data``):
# the standard library's, Django's and Werkzeug's ``cached_property``, Pyramid's ``reify``.
READ_PROPERTY_DECORATORS = frozenset({"property", "cached_property", "reify"})
# ... and those that give a property's name a second body, run on a write or a delete (``@x.setter``).
WRITE_PROPERTY_DECORATORS = frozenset({"setter", "deleter"})
# Decorators that make a generator function a context manager (``contextlib.contextmanager``, by its
# last name as written): ``with slot(url):`` runs the body up to its ``yield`` where the ``with`` is,
# and the rest on leaving it; a call of it is not a generator waiting to be iterated.
CONTEXT_MANAGER_DECORATORS = frozenset({"contextmanager"})


# The generics a generator is annotated with; the first type they take is what it yields
# (`Iterator[X]`, `Generator[X, None, None]`).
GENERATOR_TYPES = frozenset({
    f"{module}.{name}" for module in ("typing", "collections.abc")
    for name in ("Iterator", "Iterable", "Generator", "AsyncIterator", "AsyncIterable", "AsyncGenerator")
})
# ... and, with the async one, those whose function gives a `with` what it yields: `with
# self._managed_ssh() as ssh:` binds ``ssh`` to the session the generator yields.
YIELDS_TO_WITH_DECORATORS = CONTEXT_MANAGER_DECORATORS | {"asynccontextmanager"}


def decorated_by_one_of(decorators: Iterable[str], names: FrozenSet[str]) -> bool:
    """One of ``decorators`` (callees as written or resolved) ends with one of ``names``: how the
    tables of decorators are read (``@contextlib.contextmanager``, ``@app.task``, ``@shared_task``)."""
    return any(decorator.rsplit(".", 1)[-1] in names for decorator in decorators)


def gives_what_it_yields(decorators: Iterable[str]) -> bool:
    """A generator function so decorated (``YIELDS_TO_WITH_DECORATORS``) is entered by ``with``,
    which binds what it yields: a call of it stands for that value."""
    return decorated_by_one_of(decorators, YIELDS_TO_WITH_DECORATORS)


def entered_in_place(decorators: Iterable[str]) -> bool:
    """A generator function so decorated (``CONTEXT_MANAGER_DECORATORS``; the decorators' callees
    as written) runs its body where a call of it is entered, not where it is iterated."""
    return decorated_by_one_of(decorators, CONTEXT_MANAGER_DECORATORS)


# Decorators that turn a sync function into one that runs in a worker thread (``run_on_executor``:
# tornado.concurrent's, which submits the call to the instance's ``executor`` and returns its future).
OFFLOAD_DECORATORS = frozenset(
    {
        "sync_to_async", "database_sync_to_async", "asyncify", "run_in_executor", "run_in_threadpool", "to_thread",
        "run_on_executor",
    }
)
# Decorators (resolved through imports) that call the function with the arguments its caller gave:
# a retry or a cache around it. Any other decorator may register it for a framework to call with
# arguments of its own (`@app.route`, `@receiver(signal)`), so its parameters are not read from the
# module's calls (names.param_from_callers).
PASS_THROUGH_DECORATORS = frozenset({
    "functools.cache", "functools.lru_cache", "retrying.retry", "tenacity.retry", "backoff.on_exception",
    "backoff.on_predicate", "staticmethod",
})
# Decorators (resolved through imports) that keep what a function returns: with no parameters,
# its body runs once per process, at the first call, and every later call returns the kept value.
ONCE_DECORATORS = frozenset({"functools.cache", "functools.lru_cache"})


def runs_once(decorators: Iterable[str], has_parameters: bool, is_async: bool) -> bool:
    """A sync function without parameters under ``@functools.cache``/``@lru_cache(...)``: its
    body is first-use set-up (a blocking call in it stalls the loop once, not every request).
    ``decorators``: the callees, resolved. An async one would keep a coroutine, awaited once."""
    return not has_parameters and not is_async and any(name in ONCE_DECORATORS for name in decorators)
