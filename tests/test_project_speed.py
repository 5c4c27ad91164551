"""The shortcuts that keep the default run fast give the answers of the long way round."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import libcst as cst
import pytest

from flake8_handler_block import engine
from flake8_handler_block.config import Config
from flake8_handler_block import gate
from flake8_handler_block.engine import check_source, gate_table
from flake8_handler_block.gate import GateTable, Words
from flake8_handler_block.project import index
from flake8_handler_block.project.cache import DEFAULT_DIRNAME, Cache
from flake8_handler_block.project.index import module_mark, project_reach
from flake8_handler_block.rules import ALL_RULES
from project_helpers import PROJECTS, age, aged_copy, copy_project

WORDS = (
    "import requests", "from requests", ", requests", "requests", "urllib", "urllib3", "import urllib3",
    "except:", "except :", "while 1", "while(1)", "while True", "done(", "Done(", "task_done", "async", "1",
)
TEXTS = (
    "", "import requests\n", "x = [a, requests]\n", "from urllib3 import PoolManager\n", "try:\n    pass\nexcept:\n",
    "while 1:\n    q.task_done()\n", "async def f(): ...\n", "requests_toolbelt, urllib\n", "Done(1) while(1)",
    "é requests ✓ import urllib3", "except : pass", "my_requests_session = 3urllib3x", "éasync_done(é)",
    "1requests\nwhile(1)",
)


@pytest.mark.parametrize("text", TEXTS)
def test_gate_words_found_as_a_word_by_word_search_finds_them(text: str) -> None:
    assert Words(WORDS).present(text) == {word for word in WORDS if word in text}


def test_gate_words_of_the_rules_found_in_the_fixtures_as_a_word_by_word_search_finds_them() -> None:
    words = gate.words_of(gate_table(Config(), ALL_RULES))
    every = [word for _name, members in words.groups for word in members]
    for path in sorted(Path(__file__).resolve().parent.parent.joinpath("testdata").glob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert words.present(text) == {word for word in every if word in text}, path.name


def test_every_rule_gate_word_is_looked_for() -> None:
    table = gate_table(Config(handler_decorators=("app.hook",)), ALL_RULES)
    looked_for = {word for _name, members in gate.words_of(table).groups for word in members}
    gated = {word for rule in ALL_RULES if rule.gate for word in (*rule.gate, *rule.gate_requires)}
    gated |= {word for rule in ALL_RULES for words, required in rule.gate_pairs for word in (*words, *required)}
    assert looked_for == gated | {"hook"}  # a configured name is looked for by its last part
    assert table.handler and table.anywhere and table.async_rules


def test_gate_table_as_data() -> None:
    table = gate_table(Config(), ALL_RULES)
    assert GateTable.from_data(json.loads(json.dumps(table.to_data()))) == table
    for garbage in (None, [], [[], []], [[["a"]], [], True], [[[["a"], [1]]], [], True], [[], [], "yes"]):
        assert GateTable.from_data(garbage) is None, garbage


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


# -- findings kept between runs --------------------------------------------------------

def _age_file(path: Path) -> None:
    """Old enough to be cached, and another mtime than every other file's."""
    past = time.time() - 50.0
    os.utime(path, (past, past))


@pytest.fixture
def aged_app(tmp_path: Path) -> Path:
    return aged_copy("flask_app", tmp_path)


def _run(path: Path, config: Config = Config()) -> List[Tuple[int, int, str]]:
    """What one flake8 process reports for ``path``."""
    index.clear()
    return check_source(path.read_text(), str(path), config, remember=True)


def _forbid_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def parse(text: str) -> cst.Module:
        raise AssertionError("parsed again")

    monkeypatch.setattr(engine.cst, "parse_module", parse)


def _kept(root: Path) -> List[Path]:
    return sorted((root / DEFAULT_DIRNAME).rglob("findings/*.json"))


def test_a_second_run_over_unchanged_code_reports_the_kept_findings(
    aged_app: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = aged_app / "shop" / "clients" / "providers.py"
    first = _run(path)
    assert first and len(_kept(aged_app)) == 1
    _forbid_parsing(monkeypatch)
    assert _run(path) == first


@pytest.mark.parametrize("change", ["other module", "settings", "configuration", "plugin code", "text"])
def test_kept_findings_are_not_used_after_a_change(
    aged_app: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    path = aged_app / "shop" / "clients" / "providers.py"
    first = _run(path)
    config = Config()
    text_changed = False
    if change == "other module":
        helper = aged_app / "shop" / "services" / "search.py"
        helper.write_text(helper.read_text() + "\n\ndef more():\n    return 1\n")
        _age_file(helper)
    elif change == "settings":
        settings = aged_app / "pyproject.toml"
        settings.write_text('[project.scripts]\nshop = "shop.clients.providers:main"\n')
        _age_file(settings)
    elif change == "configuration":
        config = Config(handler_decorators=("shop.hooks.route",))
    elif change == "plugin code":
        monkeypatch.setattr(index, "code_identity", lambda: "another version of the plugin")
    else:
        path.write_text(path.read_text() + "\n# a comment\n")
        _age_file(path)
        text_changed = True
    parsed: List[str] = []
    original = engine.cst.parse_module

    def counting(text: str) -> cst.Module:
        parsed.append(text)
        return original(text)

    monkeypatch.setattr(engine.cst, "parse_module", counting)
    again = _run(path, config)
    assert parsed, change
    if not text_changed and change != "configuration":
        assert again == first


def test_nothing_is_kept_while_a_file_of_the_project_is_being_written(tmp_path: Path) -> None:
    root = copy_project("flask_app", tmp_path)
    age(root)
    (root / "shop" / "jobs.py").touch()  # saved just now: its next edit may keep this mtime
    path = root / "shop" / "clients" / "providers.py"
    assert _run(path)
    assert _kept(root) == []


def test_nothing_is_kept_without_the_cache_or_for_other_callers(aged_app: Path) -> None:
    path = aged_app / "shop" / "clients" / "providers.py"
    assert _run(path, Config(cache=False))
    index.clear()
    assert check_source(path.read_text(), str(path))  # the engine's callers (fix, noqa, tests): never kept
    assert _kept(aged_app) == []


@pytest.mark.parametrize("garbage", [b"", b"{", b"[]", b'{"format": 1}', None])
def test_a_bad_kept_entry_is_computed_again(aged_app: Path, garbage: Optional[bytes]) -> None:
    path = aged_app / "shop" / "clients" / "providers.py"
    first = _run(path)
    (entry,) = _kept(aged_app)
    if garbage is None:  # right version and key, wrong shape
        payload = json.loads(entry.read_text())
        payload["data"]["findings"] = [[1, "x", 2]]
        entry.write_text(json.dumps(payload))
    else:
        entry.write_bytes(garbage)
    assert _run(path) == first


def test_a_run_over_unchanged_code_needs_no_libcst(aged_app: Path) -> None:
    """The flake8 plugin answers from the kept gate table and findings without importing libcst."""
    files = [aged_app / "shop" / "clients" / "providers.py", aged_app / "shop" / "jobs.py", aged_app / "manage.py"]
    expected = [_run(path) for path in files]
    assert expected[0]
    script = (
        "import json, sys\n"
        "from flake8_handler_block.config import Config\n"
        "from flake8_handler_block.plugin import _known_findings\n"
        "found = [_known_findings(open(p).read(), p, Config()) for p in sys.argv[1:]]\n"
        "print(json.dumps([found, 'libcst' in sys.modules]))\n"
    )
    done = subprocess.run([sys.executable, "-c", script, *map(str, files)], capture_output=True, text=True,
                          check=True, cwd=aged_app)
    found, imported = json.loads(done.stdout)
    assert [[tuple(f) for f in findings] for findings in found] == expected
    assert not imported


def test_a_gate_table_of_other_code_is_not_used(aged_app: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = aged_app / "shop" / "clients" / "providers.py"
    _run(path)
    index.clear()
    assert index.stored_gate_table(str(path), Config()) is not None
    index.clear()
    monkeypatch.setattr(index, "code_identity", lambda: "another version of the plugin")
    assert index.stored_gate_table(str(path), Config()) is None
    index.clear()
    assert index.stored_gate_table(str(path), Config(handler_decorators=("x.route",))) is None


# -- one builder at a time ---------------------------------------------------------------

def _cache_of(root: Path) -> Cache:
    return Cache(str(root / DEFAULT_DIRNAME), str(root))


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fcntl lock on this platform")
def test_a_worker_waits_for_the_index_another_is_building(aged_app: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Like ``flake8 -j 2`` starting on a cold cache: the second worker reads what the first
    stores instead of building the same index beside it (it may summarise modules meanwhile)."""
    path = str(aged_app / "shop" / "routes" / "search.py")
    done: List[Dict[str, object]] = []
    computed_by: List[str] = []
    compute = index._Project._compute

    def recorded(self: index._Project) -> None:
        computed_by.append(threading.current_thread().name)
        compute(self)

    monkeypatch.setattr(index._Project, "_compute", recorded)
    with _cache_of(aged_app).building():  # another worker is building
        worker = threading.Thread(target=lambda: done.append(index.build_stats(path, Config())), name="waiting")
        worker.start()
        worker.join(0.5)
        assert worker.is_alive() and not done  # waiting, not building
        first = index._Project(str(aged_app), Config())  # the first worker's build, stored
        assert first.tree is not None
        fingerprint = first.tree.fingerprint()
        assert fingerprint
        first._compute()
        first.tree.cache.store_result(fingerprint, first._saved())
    worker.join(10)
    assert done and done[0]["reached"] and computed_by == [threading.current_thread().name]  # read back


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fcntl lock on this platform")
def test_a_held_build_lock_never_hangs_the_run(aged_app: Path) -> None:
    with _cache_of(aged_app).building():
        started = time.monotonic()
        with _cache_of(aged_app).building(wait=0.2):  # gives up waiting, goes ahead unlocked
            waited = time.monotonic() - started
    assert 0.2 <= waited < 2.0
    blocker = aged_app / "not-a-directory"
    blocker.write_text("a file where the cache directory should be")
    with Cache(str(blocker), str(aged_app)).building(wait=0.0):
        pass


# -- overrides read only the files on a chain of subclasses that spell the method -------------------

_HIERARCHY = {
    "pyproject.toml": "[project]\nname = 'shop'\n",
    "shop/__init__.py": "",
    "shop/base.py": "class Fetcher:\n    def fetch(self, url):\n        return None\n",
    "shop/middle.py": "from shop.base import Fetcher\n\n\nclass Cached(Fetcher):\n    ttl = 60\n",
    "shop/leaf.py": (
        "import requests\n\nfrom shop.middle import Cached\n\n\nclass Remote(Cached):\n"
        "    def fetch(self, url):\n        return requests.get(url).text\n"
    ),
    # a subclass that does not define fetch, and an unrelated class that does
    "shop/other.py": "from shop.middle import Cached\n\n\nclass Local(Cached):\n    ttl = 5\n",
    "shop/unrelated.py": "class Fetcher2:\n    def fetch(self, url):\n        return url\n",
    "shop/routes.py": (
        "from flask import Flask\n\nfrom shop.base import Fetcher\n\napp = Flask(__name__)\n\n\n"
        "@app.get('/page')\ndef page(fetcher: Fetcher):\n    return fetcher.fetch('https://example.com')\n"
    ),
}


def test_overrides_are_found_two_classes_down_reading_only_their_chain(tmp_path: Path) -> None:
    from project_helpers import reach, where, write_project

    root = write_project(tmp_path / "app", _HIERARCHY)
    age(root)
    module = reach(root, "shop/leaf.py", Config(cache=False))
    assert where(module, "Remote.fetch") == "handler 'page' (shop/routes.py:9) via Remote.fetch()"
    tree = index._project_of(str(root / "shop" / "leaf.py"), Config(cache=False))[0].tree
    assert tree is not None
    files, chained = tree.descendant_files("Fetcher", "fetch", 150)
    assert files == ["shop/leaf.py"]  # other.py holds a subclass but no fetch; unrelated.py no subclass
    assert chained == {"Fetcher", "Cached", "Remote", "Local"}


_COMMANDS = {
    "pyproject.toml": "[project]\nname = 'tools'\n",
    "tools/__init__.py": "",
    "tools/base.py": (
        "class Command:\n    def handle(self, **options):\n        raise NotImplementedError\n\n"
        "    def execute(self, **options):\n        return self.handle(**options)\n\n\n"
        "class Formatted:\n    def render(self, **context):\n        return self.as_text(**context)\n"
    ),
    "tools/commands/__init__.py": "",
    "tools/commands/export.py": (
        "from tools.base import Command, Formatted\n\n\nclass Export(Command, Formatted):\n"
        "    def handle(self, **options):\n        return options\n\n"
        "    def as_text(self, **context):\n        return str(context)\n"
    ),
    "tools/views.py": (
        "import requests\nfrom flask import Flask\n\napp = Flask(__name__)\n\n\n"
        "@app.get('/')\ndef index():\n    return requests.get('https://example.com').text\n"
    ),
}


def test_the_wrapper_search_reads_no_subclass_to_tell_a_method_call_stays_in_the_project(tmp_path: Path) -> None:
    """``self.handle(**options)`` calls a method of the project whichever subclass overrides it (and
    ``self.as_text(**context)`` in a mixin lacking it leaves the project nowhere): asking whether any
    function passes its keywords on to a library call (none does: there is no wrapper to look for)
    need not read the subclasses. (Django's management commands: 29 modules not read.)"""
    from project_helpers import reach, write_project

    root = write_project(tmp_path / "app", _COMMANDS)
    age(root)
    module = reach(root, "tools/views.py", Config(cache=False))
    assert module.forwarding_calls("index") == []
    assert module.serves_requests("index")
    tree = index._project_of(str(root / "tools" / "views.py"), Config(cache=False))[0].tree
    assert tree is not None and tree.is_summarised("tools/base.py")
    assert not tree.is_summarised("tools/commands/export.py")
