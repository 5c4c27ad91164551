"""The index built ahead in a child process (``index.build_ahead``): the parent reads what the
child stores, never waits for a child that failed, and leaves none behind."""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Iterator, List, Tuple

import pytest

import flake8_handler_block.names  # noqa: F401  (imported before any fork, as in a flake8 run)
from flake8_handler_block.config import Config
from flake8_handler_block.project import index
from flake8_handler_block.project.cache import Cache
from project_helpers import age, aged_copy, reach, where, write_project

SEARCH_CHAIN = "handler 'search' (shop/routes/search.py:10) via search_web() -> fetch_results()"

pytestmark = pytest.mark.skipif(not hasattr(os, "fork") or sys.platform == "darwin", reason="no fork here")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    # Earlier tests of the suite leave idle threads behind (the harness's servers): a flake8
    # process has none. The child runs only this package's code, imported already.
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    index.clear()
    yield aged_copy("flask_app", tmp_path)
    index._stop_helpers()
    index.clear()


def _file(root: Path) -> str:
    return str(root / "shop" / "routes" / "search.py")


def _helper(root: Path, config: Config = Config()) -> int:
    project, _path = index._project_of(_file(root), config)
    assert project._helper is not None
    return project._helper


def _gone(pid: int) -> bool:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True  # reaped already
    return False


def _ends(pid: int, within: float = 10.0) -> bool:
    """The child exits by itself soon (a stop at exit leaves one writing summaries to finish)."""
    deadline = time.monotonic() + within
    while not _gone(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def _counting_builds(monkeypatch: pytest.MonkeyPatch) -> List[int]:
    computed: List[int] = []
    original = index._Project._compute

    def counting(self: index._Project) -> None:
        computed.append(1)
        original(self)

    monkeypatch.setattr(index._Project, "_compute", counting)
    return computed


def test_the_parent_reads_what_the_child_built(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    index.build_ahead(_file(project), Config())
    pid = _helper(project)
    computed = _counting_builds(monkeypatch)  # in this process only: the child forked before
    assert where(reach(project, "shop/services/search.py"), "fetch_results") == SEARCH_CHAIN
    assert computed == []  # the stored result answered
    index._stop_helpers()  # at exit; the child ends once it has written the summaries
    assert _ends(pid)
    cache = project / ".handler_block_cache"
    assert list(cache.rglob("result.json"))
    assert list(cache.rglob("summaries/*.json"))


def test_the_summaries_come_after_the_result_and_survive_a_stop(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The child stores the result first (the others wait for it), then the summaries a later
    build reads; a stop at the parent's exit while it writes them does not wait for them, and the
    child ends once they are written."""
    from flake8_handler_block.project.cache import Cache as CacheClass

    written = CacheClass.write_held

    def slow_writes(self: CacheClass) -> None:
        time.sleep(0.5)  # the parent stops it meanwhile
        written(self)

    monkeypatch.setattr(CacheClass, "write_held", slow_writes)
    monkeypatch.setattr(index._Project, "_help", lambda self, rotated, first: iter(()))  # only the child writes
    index.build_ahead(_file(project), Config())
    pid = _helper(project)
    project_of = index._project_of(_file(project), Config())[0]
    project_of._wait_for_helper(None)  # the result is stored
    cache = project / ".handler_block_cache"
    assert list(cache.rglob("result.json"))
    assert not list(cache.rglob("summaries/*.json"))
    index._stop_helpers()
    assert index._HELPERS == {} and not _gone(pid)  # left writing
    assert _ends(pid)
    assert list(cache.rglob("summaries/*.json"))


def test_the_answers_are_those_of_a_build_in_place(project: Path, tmp_path: Path) -> None:
    in_place = aged_copy("flask_app", tmp_path / "other")
    for root in (project, in_place):
        if root is project:
            index.build_ahead(_file(root), Config())
        module = reach(root, "shop/services/search.py")
        assert where(module, "fetch_results") == SEARCH_CHAIN
    ahead = index._project_of(_file(project), Config())[0]
    alone = index._project_of(_file(in_place), Config())[0]
    assert ahead._saved() == alone._saved()


@pytest.mark.parametrize("why", ["stored", "no cache", "locked", "stdin"])
def test_no_child_when_there_is_nothing_to_gain(project: Path, why: str) -> None:
    config = Config(cache=why != "no cache")
    filename = "stdin" if why == "stdin" else _file(project)
    held = None
    if why == "stored":
        index.build_stats(_file(project), config)
        index.clear()
    if why == "locked":  # another process builds: this one waits for it as before
        index._project_of(_file(project), config)
        held = Cache(str(project / ".handler_block_cache"), str(project)).try_lock()
        assert held is not None
    index.build_ahead(filename, config)
    if why != "stdin":
        assert index._project_of(filename, config)[0]._helper is None
    assert index._HELPERS == {}
    if held is not None:
        held.close()
    assert where(reach(project, "shop/services/search.py", config), "fetch_results") == SEARCH_CHAIN


def test_a_child_that_fails_leaves_the_build_to_the_parent(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def failing(self: index._Project, fingerprint: str) -> None:
        raise RuntimeError("the child stops before it stores anything")

    monkeypatch.setattr(index._Project, "_build_and_store", failing)
    index.build_ahead(_file(project), Config())
    pid = _helper(project)
    assert where(reach(project, "shop/services/search.py"), "fetch_results") == SEARCH_CHAIN
    index._stop_helpers()
    assert _ends(pid)


def test_a_child_still_building_at_exit_is_stopped(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def slow(self: index._Project, fingerprint: str) -> None:
        time.sleep(60)

    monkeypatch.setattr(index._Project, "_build_and_store", slow)
    index.build_ahead(_file(project), Config())
    pid = _helper(project)
    index._stop_helpers()
    assert _ends(pid) and index._HELPERS == {}
    lock = Cache(str(project / ".handler_block_cache"), str(project)).try_lock()
    assert lock is not None  # the lock died with the child
    lock.close()


def test_asked_once_per_project(project: Path) -> None:
    index.build_ahead(_file(project), Config())
    pid = _helper(project)
    index.build_ahead(str(project / "shop" / "services" / "search.py"), Config())
    assert _helper(project) == pid and list(index._HELPERS) == [pid]


def test_no_fork_beside_another_thread() -> None:
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert not index._can_fork()
    finally:
        stop.set()
        other.join()


# -- the waiting process helps, the run starts the build --------------------------------------

WRAPPERS = {
    f"shop/wrappers/client{i}.py": (
        "import requests\n\n\n"
        f"def fetch{i}(url, **kw):\n    return requests.get(url, **kw)\n"
    )
    for i in range(12)
}


def _with_wrappers(root: Path) -> Path:
    (root / "shop" / "wrappers").mkdir()
    (root / "shop" / "wrappers" / "__init__.py").write_text("")
    for name, text in WRAPPERS.items():
        (root / name).write_text(text)
    age(root)
    index.clear()
    return root


def test_the_parent_summarises_for_the_child_while_it_waits(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The wrapper search's candidates, from the end of the tree: the child reads them from the
    cache; the answers are those of a build in place."""
    root = _with_wrappers(project)
    original = index._Project._build_and_store

    def late(self: index._Project, fingerprint: str) -> None:
        time.sleep(1.0)  # the parent gets to the waiting first
        original(self, fingerprint)

    monkeypatch.setattr(index._Project, "_build_and_store", late)
    index.build_ahead(_file(root), Config())
    pid = _helper(root)
    assert where(reach(root, "shop/services/search.py"), "fetch_results") == SEARCH_CHAIN
    index._stop_helpers()
    assert _ends(pid)
    ahead = index._project_of(_file(root), Config())[0]
    assert ahead.tree is not None and ahead.tree.parsed >= len(WRAPPERS)  # summarised here
    in_place = _with_wrappers(aged_copy("flask_app", tmp_path / "other"))
    alone = index._Project(str(in_place), Config(cache=False))
    alone.build()
    assert ahead._saved() == alone._saved()


def test_a_worker_waiting_for_the_lock_helps() -> None:
    calls: List[int] = []

    def step() -> bool:
        calls.append(1)
        return len(calls) < 5  # then nothing left: the wait sleeps

    with tempfile.TemporaryDirectory() as tmp:
        with Cache(tmp, tmp).building():
            with Cache(tmp, tmp).building(wait=0.3, meanwhile=step):
                pass
    assert len(calls) == 5


@pytest.mark.parametrize("given", ["directory", "file"])
def test_a_run_starts_the_build_as_it_starts(project: Path, given: str) -> None:
    path = str(project / "shop") if given == "directory" else _file(project)
    index.build_ahead_for_run([path], Config())
    pid = _helper(project)
    assert list(index._HELPERS) == [pid]
    assert where(reach(project, "shop/services/search.py"), "fetch_results") == SEARCH_CHAIN
    index._stop_helpers()
    assert _ends(pid)


@pytest.mark.parametrize("why", ["gate table kept", "stdin", "no cache", "no project reach"])
def test_a_run_over_known_code_starts_no_build_before_a_file_asks(project: Path, why: str) -> None:
    config = Config(cache=why != "no cache", project_reach=why != "no project reach")
    if why == "gate table kept":
        index.keep_gate_table(_file(project), config, [[], [], False])
        index.clear()
    index.build_ahead_for_run(["-"] if why == "stdin" else [str(project)], config)
    assert index._HELPERS == {}


# -- the child keeps the run's findings ahead (flake8 -j1) -----------------------------------------


def _options(*args: str) -> Tuple[Any, Config]:
    """flake8's options for ``args`` and the plugin's configuration (its parse_options runs)."""
    from flake8.options.parse_args import parse_args

    from flake8_handler_block import plugin

    try:
        _plugins, options = parse_args(["--isolated", *args])
        config = plugin.Plugin._config
    finally:
        plugin.Plugin._config = None
    assert config is not None
    return options, config


def _exited(pid: int, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            done, _status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            return
        if done:
            index._HELPERS.pop(pid, None)
            return
        time.sleep(0.05)
    raise AssertionError("the child is still running")


def test_the_child_keeps_the_findings_of_a_one_process_run(project: Path) -> None:
    """Once the index is stored, the child of a ``-j1`` run keeps the findings of the run's files
    from the last one backwards; the run's process finds them under its own key: the same
    findings it would compute."""
    from flake8.processor import FileProcessor

    from flake8_handler_block.engine import check_source
    from flake8_handler_block.plugin import _one_file_at_a_time

    options, config = _options("-j1", str(project))
    assert _one_file_at_a_time(options, [str(project)]) == ((os.cpu_count() or 1) > 1)
    if not _one_file_at_a_time(options, [str(project)]):
        pytest.skip("one core: nothing to do beside the run")
    pid = _helper(project, config)
    _exited(pid)
    kept = 0
    for path in sorted(project.rglob("*.py")):
        text = "".join(FileProcessor(str(path), options).lines)
        slot = index.findings_slot(str(path), config, text)
        assert slot is not None
        found = slot.load()
        if found is not None:
            kept += 1
            assert found == check_source(text, str(path), config), path
    assert kept >= 3


@pytest.mark.parametrize("args", [("-j2",), ("-j1",)])
def test_only_a_one_process_run_of_several_files_keeps_findings_ahead(project: Path, args: Tuple[str, ...]) -> None:
    from flake8_handler_block.plugin import _one_file_at_a_time

    many, _config = _options(*args, str(project))
    one, _config = _options(*args, _file(project))
    index._stop_helpers()
    several = args == ("-j1",) and (os.cpu_count() or 1) > 1
    assert _one_file_at_a_time(many, [str(project)]) is several
    assert _one_file_at_a_time(one, [_file(project)]) is False


def test_the_findings_ahead_never_read_stdin(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``flake8 -j1 src -``: the run reads stdin itself when it gets there; the child must not
    take it (it goes through the files from the last one, ``-`` first)."""
    import io

    import flake8.utils

    from flake8_handler_block.plugin import _findings_ahead

    options, config = _options("-j1", str(project), "-")
    index._stop_helpers()

    read: List[int] = []

    class Untouchable(io.RawIOBase):
        def readable(self) -> bool:
            return True

        def readinto(self, buffer: Any) -> int:
            read.append(1)  # not raised: the child skips a file it cannot read
            return 0

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(Untouchable())))
    flake8.utils.stdin_get_value.cache_clear()
    _findings_ahead(options, config)()  # in this process: what the child runs
    assert not read
    slots = [index.findings_slot(str(p), config, p.read_text()) for p in project.rglob("*.py")]
    assert any(slot is not None and slot.load() is not None for slot in slots)  # the files were done


# -- a file saved a moment ago: the child hands this run its result through the pipe ----------------


def _just_saved(root: Path) -> None:
    """An editor's save: the file is 'racy', so no result can be kept for the next run."""
    (root / "shop" / "routes" / "search.py").touch()


def test_after_a_save_the_child_hands_the_result_to_the_run(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _just_saved(project)
    index.build_ahead_for_run([str(project)], Config())  # a run's start: nothing this process cannot share
    assert index._HELPERS == {}
    index.build_ahead(_file(project), Config())  # the linting process: it reads the pipe itself
    pid = _helper(project)
    computed = _counting_builds(monkeypatch)
    assert where(reach(project, "shop/services/search.py"), "fetch_results") == SEARCH_CHAIN
    assert computed == []  # the child's result answered
    assert not list((project / ".handler_block_cache").rglob("result.json"))  # kept for no one
    index._stop_helpers()
    assert _ends(pid)


def test_a_hand_off_built_before_an_edit_is_not_used(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _just_saved(project)
    index.build_ahead(_file(project), Config())
    pid = _helper(project)
    computed = _counting_builds(monkeypatch)
    services = project / "shop" / "services" / "search.py"
    edited = services.read_text().replace("def fetch_results(", "def fetch_results_renamed(")
    assert edited != services.read_text()
    module = reach(project, "shop/services/search.py", source=edited)  # the editor's buffer
    assert computed  # built here, with the buffer
    assert where(module, "fetch_results") is None
    index._stop_helpers()
    assert _ends(pid)


# -- the builder and its helpers share out the modules to summarise -----------------------------


def _summarised_in_child(tree: Any, path: str) -> None:
    """A process forked from here summarises ``path`` and keeps it (as the child of
    ``build_ahead`` holds its summaries until the result is stored)."""
    pid = os.fork()
    if pid == 0:
        try:
            tree.cache.hold_summaries()
            tree.summary(path)
        finally:
            os._exit(0)
    os.waitpid(pid, 0)


def test_a_module_another_process_summarises_is_left_to_it(project: Path) -> None:
    from flake8_handler_block.project.tree import Claimed

    tree = index._Project(str(project), Config()).tree
    assert tree is not None
    tree.share_claims()
    _summarised_in_child(tree, "shop/services/search.py")
    assert tree.claimed("shop/services/search.py")
    assert not tree.claimed("shop/routes/search.py") and not tree.claimed("not/a/file.py")
    tree.helping = True
    with pytest.raises(Claimed):
        tree.summary("shop/services/search.py")
    assert tree.summary("shop/routes/search.py") is not None  # claimed here now, by this process
    assert not tree.claimed("shop/routes/search.py")
    tree.helping = False
    assert tree.summary("shop/services/search.py") is not None  # the builder itself: never waits


_ROUTE = "from flask import Flask\n\napp = Flask(__name__)\n\n\n@app.route('/{0}')\ndef {0}():\n    return '{0}'\n"


def test_a_helper_summarises_its_own_module_first_and_skips_claimed_ones(tmp_path: Path) -> None:
    root = write_project(tmp_path / "app", {
        "pyproject.toml": "[project]\nname = 'app'\n",
        "app/__init__.py": "",
        **{f"app/{name}_views.py": _ROUTE.format(name) for name in ("a", "b", "c")},
        "app/wrap.py": "import requests\n\n\ndef get(url, **kwargs):\n    return requests.get(url, **kwargs)\n",
        "app/models.py": "ROWS = []\n",
    })
    age(root)
    built = index._Project(str(root), Config())
    tree = built.tree
    assert tree is not None
    tree.share_claims()
    taken = "app/b_views.py"  # the helper reads the hinted modules c, b, a: b is taken
    _summarised_in_child(tree, taken)
    read: List[str] = []
    load = tree._load

    def recorded(path: str) -> Any:
        read.append(path)
        return load(path)

    tree._load = recorded  # type: ignore[method-assign]
    step = built._helper_step(rotated=False, first="app/models.py")
    while step():
        pass
    assert read[0] == "app/models.py"  # its own module first
    assert {"app/a_views.py", "app/c_views.py", "app/wrap.py"} <= set(read)  # the others, after b too
    assert taken not in tree._summaries  # left to the other process
    assert not tree.helping
