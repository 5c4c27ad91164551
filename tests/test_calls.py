"""Reading calls: their text in messages, the keys of a visible `**dict`, process-call modes."""

from __future__ import annotations

import libcst as cst
import pytest

from flake8_handler_block.calls import (
    MISSING, NONE, PRESENT, Mappings, argument_state, call_text, returns_at_once, single_line, spawn_waits,
)
from flake8_handler_block.config import Config
from flake8_handler_block.engine import check_source
from flake8_handler_block.walk import iter_nodes


def _call(source: str) -> cst.Call:
    expr = cst.parse_expression(source)
    assert isinstance(expr, cst.Call)
    return expr


@pytest.mark.parametrize(
    "source, text",
    [
        ("session.get(url)", "session.get"),
        ("requests.Session(\n    headers=h,\n).get(url)", "requests.Session(...).get"),
        ("asyncio.run_coroutine_threadsafe(self.refresh(key), self.loop).result()",
         "asyncio.run_coroutine_threadsafe(...).result"),
        ("POOL.submit(\n    render,  # the worker\n    payload,\n).result()", "POOL.submit(...).result"),
        ("clients['audit'].post(url)", "clients[...].post"),
        ("(\n    primary  # comment\n    or fallback\n).get(url)", "(primary or fallback).get"),
    ],
)
def test_call_text_is_one_line_and_names_the_called_method(source, text):
    assert call_text(_call(source)) == text


def test_a_long_callee_keeps_the_end_that_names_the_call():
    call = _call("self.application.settings.services.registry.lookup('billing').client.sessions.primary.get(u)")
    text = call_text(call)
    assert len(text) <= 60 and text.startswith("...") and text.endswith("sessions.primary.get")


def test_single_line_folds_line_breaks_and_leaves_one_line_messages_alone():
    assert single_line("a() has no timeout: handler 'x'") == "a() has no timeout: handler 'x'"
    assert single_line("POOL.submit(\n    fn,\r\n).result() blocks") == "POOL.submit( fn, ).result() blocks"


def test_every_reported_message_is_one_line():
    source = (
        "import asyncio\nfrom concurrent.futures import ThreadPoolExecutor\nfrom fastapi import FastAPI\n"
        "app = FastAPI()\nPOOL = ThreadPoolExecutor()\n\n"
        "@app.get('/')\nasync def index():\n"
        "    return POOL.submit(\n        len,\n        'abc',\n    ).result()\n"
    )
    found = check_source(source, "app.py", Config())
    assert found, "the multi-line callee is reported"
    for _, _, message in found:
        assert "\n" not in message and "\r" not in message
        assert "POOL.submit(...).result()" in message


MODULE = '''
SIGNED = {"headers": {}, "verify": True}
BOUNDED = {"timeout": 5}
TUNED = dict(verify=False)
MERGED = {**SIGNED, "stream": True}
CHANGED = {"verify": False}
CHANGED["timeout"] = 3
BY_KEY = {"verify": False}
BY_KEY[key] = 3
DELETED = {"verify": False, "timeout": 3}
del DELETED["timeout"]
BUMPED = {"retries": 1}
BUMPED["retries"] += 1
UPDATED = {}
UPDATED.update(timeout=3)
UPDATED.update({"verify": False})
MERGED_UNKNOWN = {}
MERGED_UNKNOWN.update(other)
HANDED = {}
configure(HANDED)
TWICE = {}
TWICE = {"timeout": 1}
REBOUND = {}
for REBOUND in options:
    pass
COMPUTED = {key: 1}
READ = {"verify": False}
flag = READ.get("verify") or READ["verify"] or "timeout" in READ
'''


@pytest.fixture
def mappings() -> Mappings:
    return Mappings(cst.parse_module(MODULE))


@pytest.mark.parametrize(
    "name, keys",
    [
        ("SIGNED", {"headers", "verify"}),
        ("BOUNDED", {"timeout"}),
        ("TUNED", {"verify"}),
        ("MERGED", {"headers", "verify", "stream"}),
        ("READ", {"verify"}),
        ("CHANGED", {"verify", "timeout"}),  # an item written out adds its key
        ("BY_KEY", None),  # a computed key could be "timeout"
        ("DELETED", None),
        ("BUMPED", None),
        ("UPDATED", {"timeout", "verify"}),
        ("MERGED_UNKNOWN", None),
        ("HANDED", None),
        ("TWICE", None),
        ("REBOUND", None),
        ("COMPUTED", None),
        ("UNDEFINED", None),
    ],
)
def test_mapping_keys_only_when_the_module_shows_them_all(mappings, name, keys):
    found = mappings.keys(cst.Name(name))
    assert found == (frozenset(keys) if keys is not None else None)


LOCALS = '''
def send(conf):
    options = {"host": conf.host}
    if conf.ssl:
        options.update({"use_ssl": True})
    return connect(**options)

def schedule(conf):
    options = {"host": conf.host, "timeout": 5}
    return connect(**options)

def nested(conf):
    options = {"host": conf.host}
    def later():
        options.update(timeout=5)
    return connect(**options)

def shared(conf):
    global kwargs
    kwargs = {"host": conf.host}
    return connect(**kwargs)

def other(conf):
    kwargs = {"host": conf.host}
    return kwargs
'''


@pytest.mark.parametrize(
    "function, keys",
    [("send", {"host", "use_ssl"}), ("schedule", {"host", "timeout"}), ("nested", None), ("shared", None)],
)
def test_mapping_keys_of_a_local_dict(function, keys):
    """Several functions assign the name: each call reads its own function's dict (and its updates)."""
    module = cst.parse_module(LOCALS)
    mappings = Mappings(module)
    body = next(s for s in module.body if isinstance(s, cst.FunctionDef) and s.name.value == function).body
    call = next(n for n in iter_nodes(body) if isinstance(n, cst.Call) and getattr(n.func, "value", "") == "connect")
    found = mappings.keys(call.args[0].value)
    assert found == (frozenset(keys) if keys is not None else None)


@pytest.mark.parametrize(
    "call, state",
    [
        ("post(url, **SIGNED)", MISSING),
        ("post(url, **BOUNDED)", PRESENT),
        ("post(url, **UPDATED)", PRESENT),  # unknown keys: never reported
        ("post(url, **{**SIGNED, 'timeout': None})", NONE),
        ("post(url, **kwargs)", PRESENT),
    ],
)
def test_argument_state_reads_visible_mappings(mappings, call, state):
    assert argument_state(_call(call), "timeout", None, mappings) == state


@pytest.mark.parametrize(
    "call, waits",
    [
        ("os.spawnl(os.P_WAIT, path, arg)", True),
        ("os.spawnv(mode=P_WAIT, path=p, args=a)", True),
        ("os.spawnl(0, path, arg)", True),  # os.P_WAIT is 0 everywhere
        ("os.spawnl(os.P_NOWAIT, path, arg)", False),
        ("os.spawnl(os.P_DETACH, path, arg)", False),
        ("os.spawnl(1, path, arg)", False),
        ("os.spawnl(choose(), path, arg)", False),
        ("os.spawnl(*args)", False),
        ("os.spawnl()", True),
    ],
)
def test_spawn_waits_only_in_p_wait(call, waits):
    assert spawn_waits(_call(call), 0) is waits


@pytest.mark.parametrize(
    "call, polls",
    [
        ("os.waitpid(pid, 0)", False),
        ("os.waitpid(pid, os.WNOHANG)", True),
        ("os.waitpid(pid, os.WUNTRACED | os.WNOHANG)", True),
        ("os.waitpid(pid, os.WUNTRACED | os.WCONTINUED)", False),
        ("os.waitpid(pid, options=flags)", True),  # unread flags may hold WNOHANG
        ("os.waitpid(pid)", False),
        ("os.waitpid(*args)", True),
    ],
)
def test_wait_options_with_wnohang_only_poll(call, polls):
    assert returns_at_once(_call(call), 1) is polls
