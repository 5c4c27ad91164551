"""Handler detection over testdata/handlers/: found handlers equal the `# handler` markers.

Each fixture marks the `def` line of every function that serves a request with a
trailing `# handler` comment; every other function of the file (helpers, properties,
cached functions, CLI commands, fixtures, `get()` of unrelated classes) must not be
found. The scope tests check what `reachable`/`handlers`/`all` cover.
"""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path
from typing import Dict, Set, Tuple

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from flake8_handler_block.config import Config
from flake8_handler_block.engine import may_hold_finding
from flake8_handler_block.handlers import HANDLER_HINTS
from flake8_handler_block.reach import Reach
from flake8_handler_block.handlers import _is_django_views_file, find_handlers
from flake8_handler_block.rules import ALL_RULES
from flake8_handler_block.scopes import FunctionScope, ModuleScope, ScopeCloser, ScopeCollector, WalkState
from fixtures import TESTDATA, fixture_config

from flake8_handler_block.walk import BatchedWalk

HANDLER_FIXTURES = sorted((TESTDATA / "handlers").rglob("*.py"))
_HANDLER_MARK = re.compile(r"#\s*handler\b")


def _ids(path: Path) -> str:
    return str(path.relative_to(TESTDATA / "handlers"))


def analyse(text: str, filename: str, config: Config = Config()) -> Tuple[ModuleScope, cst.Module]:
    """The walk engine._analyse runs, without rules: scopes and module facts only."""
    module = cst.parse_module(text)
    scope = ModuleScope(filename)
    state = WalkState(scope)
    BatchedWalk([ScopeCollector(state), ScopeCloser(state)]).walk(module)
    return scope, module


def def_lines(module: cst.Module, functions) -> Dict[int, FunctionScope]:
    """The line of each function's name token (not of its first decorator)."""
    positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    return {positions[fn.node.name].start.line: fn for fn in functions}


def marked_lines(text: str) -> Set[int]:
    return {
        token.start[0]
        for token in tokenize.generate_tokens(io.StringIO(text).readline)
        if token.type == tokenize.COMMENT and _HANDLER_MARK.search(token.string)
    }


@pytest.mark.parametrize("path", HANDLER_FIXTURES, ids=_ids)
def test_handlers_match_markers(path):
    text = path.read_text(encoding="utf-8")
    config = fixture_config(text, path)
    scope, module = analyse(text, str(path), config)
    handlers = find_handlers(scope, config)
    found = def_lines(module, handlers)
    expected = marked_lines(text)
    assert expected, f"{path.name} marks no handler"
    lines = text.splitlines()
    missing = sorted(expected - set(found))
    unexpected = sorted(set(found) - expected)
    report = [f"  missing    line {n}: {lines[n - 1].strip()}" for n in missing]
    report += [f"  unexpected line {n}: {lines[n - 1].strip()}  ({handlers[found[n]]})" for n in unexpected]
    assert not report, "\n" + "\n".join(report)


@pytest.mark.parametrize("path", HANDLER_FIXTURES, ids=_ids)
def test_fixture_has_lookalikes(path):
    """Every fixture also holds functions that must not be taken for handlers."""
    text = path.read_text(encoding="utf-8")
    scope, module = analyse(text, str(path))
    assert len(def_lines(module, scope.functions)) > len(marked_lines(text)), path.name


@pytest.mark.parametrize("path", HANDLER_FIXTURES, ids=_ids)
def test_gate_admits_every_handler_module(path):
    """The cheap text gate must let a handlers module through once it holds a finding."""
    text = path.read_text(encoding="utf-8") + "\n\nimport requests\nrequests.get(url)\n"
    config = fixture_config(text, path)
    assert may_hold_finding(text, str(path), config, ALL_RULES)
    # ... through the handler hints themselves, not through another rule's gate.
    words = config.gate_words()
    by_words = bool(words) and re.search(r"\b(?:%s)\b" % "|".join(map(re.escape, words)), text)
    assert HANDLER_HINTS.search(text) or _is_django_views_file(str(path)) or by_words


def test_gate_skips_module_without_handler():
    """Handler-scoped rules need a handler; HB201 looks at every function by default (issue 11)."""
    text = "import subprocess\n\ndef convert(path):\n    return subprocess.run(['convert', path])\n"
    assert not may_hold_finding(text, "jobs/convert.py", Config(project_reach=False), ALL_RULES)
    library = "import requests\n\ndef sync_prices(url):\n    return requests.get(url)\n"
    assert may_hold_finding(library, "jobs/prices.py", Config(), ALL_RULES)
    assert not may_hold_finding(library, "jobs/prices.py", Config(scope="handlers"), ALL_RULES)


@pytest.mark.parametrize("text, passes", [
    # a database or cache connection: no network call of the catalogue
    ("def open_db(alias):\n    return self.get_connection(alias)\n", False),
    ("def connect(params):\n    return self.create_connection(params)\n", False),
    # the same names from the modules whose calls HB202 looks at
    ("from django.core.mail import get_connection\n\ndef send():\n    return get_connection(host='mx')\n", True),
    ("import socket\n\ndef probe(host):\n    return socket.create_connection((host, 80))\n", True),
    # done() counts with add() and wait() on a name (a wait group), or with a WaitGroup class
    ("def finish(task):\n    return task.done()\n", False),
    ("def work(wg):\n    wg.add(1)\n    wg.done()\n    wg.wait()\n", True),
    ("from sync import WaitGroup\n\ndef work(wg):\n    wg.done()\n", True),
])
def test_gate_words_too_common_alone(text: str, passes: bool) -> None:
    assert may_hold_finding(text, "lib/module.py", Config(project_reach=False), ALL_RULES) is passes


# -- scope: what `reachable`, `handlers` and `all` cover -----------------------------------

SCOPE_SOURCE = '''
from flask import Flask
from flask.views import MethodView

app = Flask(__name__)


@app.get("/report")
def report():
    def render(rows):
        return format_rows(rows)
    return render(load_rows())


def load_rows():
    return fetch_page(1)


def fetch_page(n):
    return []


def format_rows(rows):
    return rows


def unrelated():
    return fetch_page(2)


class ReportView(MethodView):
    def get(self):
        return self.build() + self.summary()

    def build(self):
        return self.helper_of_build()

    def helper_of_build(self):
        return []

    @classmethod
    def summary(cls):
        return cls.counts()

    @classmethod
    def counts(cls):
        return []

    def unused(self):
        return []
'''


def _reach(scope_setting: str):
    config = Config(scope=scope_setting)
    module_scope, _ = analyse(SCOPE_SOURCE, "reports.py", config)
    by_name = {fn.qualname: fn for fn in module_scope.functions}
    return Reach(module_scope, config), by_name


def test_reachable_follows_calls_transitively():
    reach, fn = _reach("reachable")
    assert set(reach.handlers) == {fn["report"], fn["ReportView.get"]}
    covered = {f.qualname for f in reach.reachable}
    assert covered == {
        "report", "report.<locals>.render", "load_rows", "fetch_page", "format_rows",
        "ReportView.get", "ReportView.build", "ReportView.helper_of_build",
        "ReportView.summary", "ReportView.counts",
    }
    assert reach.link(fn["report"]).where() == "handler 'report'"
    assert reach.link(fn["load_rows"]).where() == "handler 'report' via load_rows()"
    assert reach.link(fn["fetch_page"]).where() == "handler 'report' via load_rows() -> fetch_page()"
    assert reach.link(fn["ReportView.helper_of_build"]).where() == (
        "handler 'ReportView.get' via ReportView.build() -> ReportView.helper_of_build()"
    )
    assert reach.link(fn["ReportView.counts"]).where() == (
        "handler 'ReportView.get' via ReportView.summary() -> ReportView.counts()"
    )
    assert reach.link(fn["unrelated"]) is None
    assert reach.link(fn["ReportView.unused"]) is None


def test_handlers_scope_keeps_nested_functions_only():
    reach, fn = _reach("handlers")
    assert reach.link(fn["report"]) is not None
    assert reach.link(fn["report.<locals>.render"]).where() == "handler 'report' via render()"
    for helper in ("load_rows", "fetch_page", "format_rows", "ReportView.build", "ReportView.counts"):
        assert reach.link(fn[helper]) is None, helper


def test_all_scope_covers_every_function():
    from flake8_handler_block.reach import HANDLER

    reach, fn = _reach("all")
    for function in [*fn.values(), None]:
        assert reach.in_scope(HANDLER, function), function
