"""The project index never fails or hangs the run: bad modules, cycles, loops, big trees, errors."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from flake8_handler_block.config import Config
from flake8_handler_block.project import index
from flake8_handler_block.project import tree as tree_module
from flake8_handler_block.project.graph import Graph
from flake8_handler_block.project.index import module_only, project_reach
from project_helpers import copy_project, reach, slow_reads, where, write_project

FLASK_MODULE = '''
from flask import Flask
from .helpers import helper

app = Flask(__name__)


@app.get("/")
def home():
    return local() + helper()


def local():
    return 1
'''


@pytest.fixture
def small(tmp_path: Path) -> Path:
    return write_project(tmp_path / "small", {
        "pyproject.toml": "",
        "app/__init__.py": "",
        "app/views.py": FLASK_MODULE,
        "app/helpers.py": "def helper():\n    return 2\n",
    })


def test_syntax_error_in_another_module(tmp_path: Path) -> None:
    root = copy_project("flask_app", tmp_path)
    (root / "shop" / "broken.py").write_text("def oops(:\n    pass\n")
    (root / "shop" / "clients" / "http.py").write_text(
        (root / "shop" / "clients" / "http.py").read_text() + "\nfrom shop.broken import oops\n"
    )
    index.clear()
    http = reach(root, "shop/clients/http.py")
    assert http.complete and where(http, "HttpClient.get_json")
    broken = reach(root, "shop/broken.py")  # the module with the error answers, with nothing
    assert broken.handlers == {} and broken.chain("oops") is None


def test_import_and_inheritance_cycles(tmp_path: Path) -> None:
    root = write_project(tmp_path / "cycle", {
        "setup.py": "",
        "pkg/__init__.py": "from .a import Thing\n",
        "pkg/a.py": "from .b import Thing, Other\n\nclass Base(Other):\n    pass\n",
        "pkg/b.py": "from .a import Thing, Base\n\nclass Other(Base):\n    def run(self):\n        return Thing()\n",
        "pkg/views.py": (
            "from flask import Flask\nfrom pkg import Thing\nfrom pkg.b import Other\napp = Flask(__name__)\n\n"
            "@app.get('/')\ndef home():\n    Other().run()\n    return Thing().go()\n"
        ),
    })
    started = time.monotonic()
    views = reach(root, "pkg/views.py")
    assert views.complete and views.handlers == {"home": "decorated @app.get"}
    assert where(reach(root, "pkg/b.py"), "Other.run") == "handler 'home' (pkg/views.py:7) via Other.run()"
    assert time.monotonic() - started < 5


def test_symlink_loop(small: Path) -> None:
    os.symlink(small, small / "app" / "loop")
    os.symlink(small / "missing", small / "app" / "dangling.py")
    views = reach(small, "app/views.py")
    assert views.complete
    assert where(reach(small, "app/helpers.py"), "helper") == "handler 'home' (app/views.py:9) via helper()"


def test_too_many_files_degrades_to_the_module(small: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(index, "MAX_FILES", 2)
    views = reach(small, "app/views.py")
    assert not views.complete
    assert where(views, "local") == "handler 'home' via local()"  # the module's own reach
    assert where(reach(small, "app/helpers.py"), "helper") is None


def test_time_budget_degrades_to_the_module(small: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(index, "BUDGET_SECONDS", -1.0)
    views = reach(small, "app/views.py")
    assert not views.complete


def test_internal_errors_never_escape(small: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("a bug")

    monkeypatch.setattr(tree_module, "scan", broken)  # the project's side only
    views = reach(small, "app/views.py")
    assert not views.complete and where(views, "local")  # the module alone still answers
    monkeypatch.setattr(Graph, "handlers", broken)
    monkeypatch.setattr(index, "module_only", broken)
    assert project_reach(str(small / "app" / "views.py"), Config()) is None


def test_stdin_uses_the_text(small: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(small)
    found = project_reach("stdin", Config(), FLASK_MODULE)
    assert found is not None and not found.complete
    assert where(found, "local") == "handler 'home' via local()"
    assert project_reach("stdin", Config()) is None  # no text, nothing to say


def test_stdin_display_name_uses_the_buffer(tmp_path: Path) -> None:
    """``flake8 --stdin-display-name shop/services/search.py -``: the unsaved text wins."""
    root = copy_project("flask_app", tmp_path)
    path = root / "shop" / "services" / "search.py"
    buffer = path.read_text().replace("return fetch_results(query)", "return unused_helper()")
    services = reach(root, "shop/services/search.py", source=buffer)
    assert where(services, "unused_helper") == (
        "handler 'search' (shop/routes/search.py:10) via search_web() -> unused_helper()"
    )
    assert where(services, "fetch_results") is None
    assert where(reach(root, "shop/services/search.py"), "fetch_results") is None  # same process: still the buffer
    assert where(reach(root, "shop/services/search.py", source=path.read_text()), "fetch_results")  # saved


def test_single_file_without_project(tmp_path: Path) -> None:
    loose = tmp_path / "loose"
    loose.mkdir()
    (loose / "app.py").write_text(FLASK_MODULE.replace("from .helpers import helper\n", "").replace(" + helper()", ""))
    index.clear()
    found = reach(loose, "app.py")
    assert found.complete and where(found, "local") == "handler 'home' via local()"


def test_project_reach_off_answers_for_the_module(small: Path) -> None:
    views = reach(small, "app/views.py", Config(project_reach=False))
    assert not views.complete and where(views, "local")
    assert not (small / ".handler_block_cache").exists()


def test_deeply_nested_module(small: Path) -> None:
    (small / "app" / "deep.py").write_text("x = " + "(" * 5000 + ")" * 5000 + "\n")
    (small / "app" / "helpers.py").write_text("from .deep import x\n\ndef helper():\n    return x\n")
    index.clear()
    assert reach(small, "app/views.py").complete
    assert module_only(str(small / "app" / "deep.py"), Config()) is not None


@pytest.mark.slow
def test_ten_thousand_files(tmp_path: Path) -> None:
    """A 10,000-file tree (plus the app) degrades to module-only reach quickly; 9,000 is indexed."""
    root = tmp_path / "big"
    for number in range(10_000):
        package = root / f"pkg{number // 100}"
        if number % 100 == 0:
            package.mkdir(parents=True)
            (package / "__init__.py").write_text("")
        (package / f"mod{number}.py").write_text(f"def f{number}():\n    return {number}\n")
    write_project(root, {"setup.py": "", "app/__init__.py": "", "app/views.py": FLASK_MODULE,
                  "app/helpers.py": "def helper():\n    return 2\n"})
    started = time.monotonic()
    views = reach(root, "app/views.py")
    assert not views.complete and where(views, "local")
    assert time.monotonic() - started < 10
    for number in range(1_000, 10_000 - 100 + 1, 100):
        for path in (root / f"pkg{number // 100}").iterdir():
            path.unlink()
        (root / f"pkg{number // 100}").rmdir()
    index.clear()
    started = time.monotonic()
    views = reach(root, "app/views.py")
    assert views.complete
    assert time.monotonic() - started < 20


def test_the_build_budget_counts_this_process_cpu_not_the_machine_wall_clock(
    small: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Other jobs on a CI runner slow every read of the build, yet the index is the same: the
    budget is the CPU time this process spends, which waiting does not use."""
    slow_reads(monkeypatch, "_read", 0.2)
    monkeypatch.setattr(index, "BUDGET_SECONDS", 0.5)
    views = reach(small, "app/views.py")
    assert views.complete
    assert where(reach(small, "app/helpers.py"), "helper") is not None


def test_one_evaluation_has_a_bounded_amount_of_work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An evaluation and all it asks (nested evaluations, the callers read for a constructor's
    argument) share one allowance (graph.MAX_EVALUATIONS): past it the value is unknown, and the
    run goes on. Roundup's hyperdb made one evaluation walk the same chains for minutes."""
    from flake8_handler_block.project import graph as graph_module

    root = copy_project("flask_app", tmp_path)
    index.clear()
    full = reach(root, "shop/clients/http.py")
    assert where(full, "HttpClient.get_json")

    outermost: list = []
    original = Graph._evaluate

    def counted(self: Graph, sym, path, depth):  # type: ignore[no-untyped-def]
        if self._evaluating == 1:
            outermost.append(0)
        outermost[-1] += 1
        return original(self, sym, path, depth)

    monkeypatch.setattr(Graph, "_evaluate", counted)
    monkeypatch.setattr(graph_module, "MAX_EVALUATIONS", 3)
    index.clear()
    starved = reach(root, "shop/clients/http.py", Config(cache=False))  # built here, not read from disk
    assert outermost and max(outermost) <= 3  # each outermost evaluation stopped at its allowance
    assert starved.complete  # the run went on, with less known
