"""The shortcuts that keep the default run fast give the answers of the long way round."""

from __future__ import annotations

import time
from pathlib import Path
from typing import List

import libcst as cst
import pytest

from flake8_handler_block import engine
from flake8_handler_block.config import Config
from flake8_handler_block.engine import _Words, check_source
from flake8_handler_block.project import index
from flake8_handler_block.project.index import module_mark, project_reach
from flake8_handler_block.rules import ALL_RULES
from project_helpers import PROJECTS, copy_project

WORDS = (
    "import requests", "from requests", ", requests", "requests", "urllib", "urllib3", "import urllib3",
    "except:", "except :", "while 1", "while(1)", "while True", "done(", "Done(", "task_done", "async", "1",
)
TEXTS = (
    "", "import requests\n", "x = [a, requests]\n", "from urllib3 import PoolManager\n", "try:\n    pass\nexcept:\n",
    "while 1:\n    q.task_done()\n", "async def f(): ...\n", "requests_toolbelt, urllib\n", "Done(1) while(1)",
    "é requests ✓ import urllib3", "except : pass",
)


@pytest.mark.parametrize("text", TEXTS)
def test_gate_words_found_as_a_word_by_word_search_finds_them(text: str) -> None:
    assert _Words(WORDS).present(text) == {word for word in WORDS if word in text}


def test_every_rule_gate_word_is_looked_for() -> None:
    words, handler_gate, anywhere_gate = engine._gates(Config(handler_decorators=("app.hook",)), ALL_RULES)
    looked_for = {word for _name, members in words.groups for word in members}
    gated = {word for rule in ALL_RULES if rule.gate for word in (*rule.gate, *rule.gate_requires)}
    assert looked_for == gated | {"hook"}  # a configured name is looked for by its last part
    assert handler_gate.checks and anywhere_gate.checks


def _modules(root: Path) -> List[Path]:
    return sorted(path for path in root.rglob("*.py"))


@pytest.mark.parametrize("name", sorted(p.name for p in PROJECTS.iterdir() if p.is_dir()))
def test_module_mark_says_what_the_module_reach_says(tmp_path: Path, name: str) -> None:
    root = copy_project(name, tmp_path)
    for path in _modules(root):
        text = path.read_text()
        full = project_reach(str(path), Config(), text)
        mark = module_mark(str(path), Config(), text)
        if full is None:
            assert mark is None, path
        else:
            assert mark is not None and (mark.reached, mark.blocking) == (
                full.reaches_any(), full.has_blocking_calls()
            ), path


def test_module_mark_of_a_file_outside_the_project_comes_from_the_module_alone(tmp_path: Path) -> None:
    text = "from flask import Flask\napp = Flask(__name__)\n\n@app.route('/')\ndef home():\n    return helper()\n\n" \
           "def helper():\n    return 1\n"
    mark = module_mark("stdin", Config(), text)
    alone = index.module_only("stdin", Config(), text)
    assert mark is not None and alone is not None and mark.reached == alone.reaches_any() is True


def test_answers_do_not_depend_on_how_long_ago_the_index_was_built(tmp_path: Path) -> None:
    """The time budget bounds the build; a module asked about later (a long -j1 run) still
    gets the project's answer, not a fallback to the module alone."""
    root = copy_project("flask_app", tmp_path)
    first = project_reach(str(root / "shop" / "routes" / "search.py"), Config())
    assert first is not None and first.complete
    (project,) = index._PROJECTS.values()
    assert project.tree is not None
    project.tree.deadline = time.monotonic() - 1  # the build's budget ran out long ago
    assert "shop/jobs.py" not in project.tree._summaries  # no handler leads there: not read yet
    later = project_reach(str(root / "shop" / "jobs.py"), Config())
    assert later is not None and later.complete


def test_check_source_does_not_regenerate_the_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``Module.code`` prints the whole tree again (as long as the parse itself on big files):
    the text the engine was given is what the project index compares."""
    root = copy_project("flask_app", tmp_path)
    path = root / "shop" / "clients" / "providers.py"
    expected = check_source(path.read_text(), str(path))
    assert expected

    def no_codegen(self: cst.Module) -> str:
        raise AssertionError("Module.code called")

    monkeypatch.setattr(cst.Module, "code", property(no_codegen))
    index.clear()
    assert check_source(path.read_text(), str(path)) == expected
