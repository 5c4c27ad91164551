"""Unit tests of the ownership analysis shared by the leak rules (HB1xx, HB5xx)."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from flake8_handler_block.ownership import CLOSED, DROPPED, ESCAPES, UNSAFE, Flows, Policy
from flake8_handler_block.scopes import ModuleScope, ScopeCloser, ScopeCollector, WalkState

RESPONSE = Policy(closers=frozenset({"close"}), views=frozenset({"iter_content"}), strict=True)
CLIENT = Policy(closers=frozenset({"close"}))


def _fate(source: str, policy: Policy = RESPONSE, awaited_value: bool = True):
    """Fate of the call to `make()` in the first function of ``source``."""
    module = cst.parse_module(textwrap.dedent(source))
    scope = ModuleScope("t.py")
    state = WalkState(scope)
    cst.visit_batched(module, [ScopeCollector(state), ScopeCloser(state)])
    function = scope.functions[0]
    found = []

    class Finder(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            if isinstance(node.func, cst.Name) and node.func.value == "make":
                found.append(node)

    function.node.visit(Finder())
    call = found[0]
    flows = Flows()
    value = flows.origin(function, call) if awaited_value else call
    return flows.fate(function, value, policy)


@pytest.mark.parametrize(
    "source, kind",
    [
        ("def f():\n    make().read()\n", DROPPED),
        ("def f():\n    r = make()\n    return r.status\n", DROPPED),
        ("def f():\n    with make() as r:\n        r.read()\n", CLOSED),
        ("def f():\n    r = make()\n    try:\n        r.read()\n    finally:\n        r.close()\n", CLOSED),
        ("def f():\n    r = make()\n    data = r.read()\n    r.close()\n    return data\n", UNSAFE),
        ("def f():\n    r = make()\n    status = r.status\n    r.close()\n    return status\n", CLOSED),
        ("def f():\n    r = make()\n    return r\n", ESCAPES),
        ("def f(self):\n    self.r = make()\n", ESCAPES),
        ("def f():\n    r = make()\n    items.append(r)\n", ESCAPES),
        ("def f():\n    r = make()\n    return Response(r.iter_content())\n", ESCAPES),
        ("def f():\n    r = make()\n    for c in r.iter_content():\n        out(c)\n", DROPPED),
        ("def f():\n    r = make()\n    def gen():\n        yield r.read()\n    return gen()\n", ESCAPES),
        ("def f(stack):\n    r = make()\n    stack.callback(r.close)\n    r.read()\n", CLOSED),
        ("def f():\n    return json.load(make())\n", ESCAPES),  # json not imported: an unknown call
        ("import json\ndef f():\n    return json.load(make())\n", DROPPED),
        (
            "def f():\n    r = None\n    try:\n        r = make()\n        r.read()\n"
            "    finally:\n        if r:\n            r.close()\n",
            CLOSED,
        ),
        ("def f(a):\n    if a:\n        r = make()\n        r.read()\n    else:\n        r = other()\n    r.close()\n",
         UNSAFE),
    ],
)
def test_response_fate(source, kind):
    assert _fate(source).kind == kind


def test_straight_close_is_enough_for_lenient_policies():
    source = "def f():\n    s = make()\n    s.get(1)\n    s.close()\n"
    assert _fate(source, CLIENT).kind == CLOSED
    assert _fate(source, RESPONSE).kind == UNSAFE


def test_fixture_yield_is_not_an_escape():
    source = "def f():\n    s = make()\n    yield s\n"
    assert _fate(source, Policy(closers=frozenset({"shutdown"}), fixture=True)).kind == DROPPED
    assert _fate(source, Policy(closers=frozenset({"shutdown"}))).kind == ESCAPES


def test_tasks_awaited_or_used_are_kept():
    tasks = Policy(closers=frozenset(), awaited_closes=True, any_use_keeps=True)
    assert _fate("async def f():\n    await make()\n", tasks, False).kind == CLOSED
    assert _fate("async def f():\n    make()\n", tasks, False).kind == DROPPED
    assert _fate("async def f():\n    t = make()\n", tasks, False).kind == DROPPED
    assert _fate("async def f():\n    t = make()\n    t.cancel()\n", tasks, False).kind == ESCAPES


def test_raising_code_is_judged_like_the_primitive_rules():
    """One answer to "can this raise": logging cannot, a subscript can (as for HB401-HB403)."""
    logged = "def f():\n    r = make()\n    log.info('got')\n    r.close()\n"
    indexed = "def f():\n    r = make()\n    x = D['k']\n    r.close()\n"
    assert _fate(logged, RESPONSE).kind == CLOSED
    assert _fate(indexed, RESPONSE).kind == UNSAFE
