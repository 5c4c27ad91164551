"""Positions from the per-statement shortcut equal libcst's whole-module PositionProvider."""

from __future__ import annotations

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from flake8_handler_block.positions import locate
from flake8_handler_block.walk import iter_nodes
from fixtures import TESTDATA

# The rule fixtures in the default run; the handler-detection samples (as many again) only in .ci/run.
SAMPLES = sorted(TESTDATA.glob("HB*.py")) + [
    pytest.param(path, marks=pytest.mark.slow) for path in sorted((TESTDATA / "handlers").rglob("*.py"))
]

EDGE_CASES = '''\
"""Module docstring."""
# a comment before code
import os; import sys


@decorator
# comment between decorator and def
@other(
    arg,
)
async def handler(request):
    x = 1; y = call(
        2,
    )
    return (yield)


if sys.version_info >= (3, 8):
    def nested():
        class Inner:
            def method(self):
                return go(  # trailing comment
                    1)
x = [
    1,
]
'''

# Inside a class only the member holding a node is regenerated: its own lines lose the class's
# indentation, lines inside brackets and strings do not (tabs, CRLF and a backslash as well).
CLASS_CASES = (
    "class Service(Base):\r\n"
    "    x = setup(1); y = setup(\r\n"
    "  2)\r\n"
    "    @decorator(call())\r\n"
    "    # a comment\r\n"
    "    def fetch(self, url):\r\n"
    "        text = \"\"\"\r\n"
    "    call() in a string\r\n"
    "\"\"\"; go(text)\r\n"
    "        return get(url,\r\n"
    "                   timeout=compute(\r\n"
    "       1)) + \\\r\n"
    "            again()\r\n"
    "\r\n"
    "    class Inner:\r\n"
    "        def deep(self):\r\n"
    "            while wait(): pass\r\n"
    "class Tabbed:\r\n"
    "\tdef run(self):\r\n"
    "\t\treturn go(\r\n"
    "\t\t\t1)\r\n"
    "    \r\n"
)


def _calls(module):
    found = []

    class Collect(cst.CSTVisitor):
        def visit_Call(self, node):
            found.append(node)

        def visit_While(self, node):
            found.append(node)

    module.visit(Collect())
    return found


@pytest.mark.parametrize("source", [*SAMPLES, EDGE_CASES, CLASS_CASES], ids=lambda s: getattr(s, "name", "edge-cases"))
def test_shortcut_matches_provider(source):
    text = source if isinstance(source, str) else source.read_text(encoding="utf-8")
    module = cst.parse_module(text)
    nodes = _calls(module)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    got = locate(module, [(node, None) for node in nodes], text)
    for node in nodes:
        start = expected[node].start
        assert got[id(node)] == (start.line, start.column)


@pytest.mark.parametrize("hinted", [False, True])
def test_each_node_alone_in_a_class(hinted):
    """One node at a time, as a finding asks (with the class as its hint, or none)."""
    module = cst.parse_module(CLASS_CASES)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    for node in _calls(module):
        hint = next(s for s in module.body if any(n is node for n in iter_nodes(s))) if hinted else None
        start = expected[node].start
        assert locate(module, [(node, hint)], CLASS_CASES)[id(node)] == (start.line, start.column)
