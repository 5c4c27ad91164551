"""Run-time signatures: declared by every rule, read by confirm, used to infer codes."""

from __future__ import annotations

import subprocess
import sys

import pytest

from flake8_handler_block.harness.confirm import signatures
from flake8_handler_block.harness.matching import infer, match, table_from_dict, table_to_dict
from flake8_handler_block.harness.report import Leak, LoopBlock, Report, Site, StuckHandler
from flake8_handler_block.rules import ALL_RULES
from flake8_handler_block.signature import Signature

TABLE = signatures()


def test_every_rule_declares_its_signature_in_its_own_class() -> None:
    for rule in ALL_RULES:
        assert isinstance(rule.__dict__.get("runtime"), Signature), rule.code


def test_the_table_survives_the_trip_to_the_child() -> None:
    assert table_from_dict(table_to_dict(TABLE)) == TABLE


def test_harness_confirm_imports_no_libcst() -> None:
    code = "import sys, flake8_handler_block.harness.confirm as c; print('libcst' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def _stuck(state: str, stack: str = "", note: str = "", kind: str = "thread") -> StuckHandler:
    site = Site(__file__, 10, "view", "x()")
    return StuckHandler("view", "GET /", 1.0, state, site, stack, kind=kind, note=note)


def _frames(*paths: str) -> str:
    user = f'  File "{__file__}", line 10, in view\n    x()\n'
    return user + "".join(f'  File "/lib{p}", line 1, in f\n' for p in paths)


@pytest.mark.parametrize(
    "obs, kind, code",
    [
        (_stuck("socket read", _frames("/requests/api.py", "/urllib3/connectionpool.py", "/http/client.py")),
         "stuck", "HB201"),
        (_stuck("socket read", _frames("/urllib/request.py", "/http/client.py", "/socket.py")), "stuck", "HB202"),
        (_stuck("socket read", _frames("/httpx/_api.py", "/httpcore/_sync.py")), "stuck", "HB203"),
        (_stuck("socket read"), "stuck", None),  # a raw recv(): no library says which rule
        (_stuck("queue put: full"), "stuck", "HB301"),
        (_stuck("lock acquire"), "stuck", "HB403"),
        (_stuck("event wait"), "stuck", "HB205"),
        (_stuck("socket read", note="ignored cancellation", kind="task"), "stuck", "HB602"),
        (LoopBlock(1.0, "socket read", Site(__file__, 10, "view", "x()"), "GET /", ""), "block", "HB601"),
        (Leak("thread", "thread 'T' (daemon)", "still running", "GET /", None), "leak", "HB501"),
        (Leak("response", "http.client.HTTPResponse", "left open", "GET /", None), "leak", "HB102"),
        (Leak("response", "urllib3.HTTPResponse", "left open", "GET /", None), "leak", "HB101"),
        (Leak("client", "requests.Session", "left open", "GET /", None), "leak", "HB103"),
    ],
)
def test_inferred_code_comes_from_the_signatures(obs: object, kind: str, code: str) -> None:
    assert infer(TABLE, kind, obs, __file__, 10) == code


def test_a_code_without_an_observable_signature_never_matches() -> None:
    report = Report(stuck=[_stuck("queue put: full")])
    assert match(report, __file__, 10, "HB301", TABLE) is not None
    assert match(report, __file__, 10, "HB302", TABLE) is None  # observes nothing
    assert match(report, __file__, 10, "HB999", TABLE) is None  # unknown: not "compatible with anything"
