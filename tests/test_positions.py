"""Positions from the per-statement shortcut equal libcst's whole-module PositionProvider."""

from __future__ import annotations

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from flake8_handler_block.positions import locate
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


def _calls(module):
    found = []

    class Collect(cst.CSTVisitor):
        def visit_Call(self, node):
            found.append(node)

        def visit_While(self, node):
            found.append(node)

    module.visit(Collect())
    return found


@pytest.mark.parametrize("source", [*SAMPLES, EDGE_CASES], ids=lambda s: getattr(s, "name", "edge-cases"))
def test_shortcut_matches_provider(source):
    text = source if isinstance(source, str) else source.read_text(encoding="utf-8")
    module = cst.parse_module(text)
    nodes = _calls(module)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    got = locate(module, [(node, None) for node in nodes], text)
    for node in nodes:
        start = expected[node].start
        assert got[id(node)] == (start.line, start.column)
