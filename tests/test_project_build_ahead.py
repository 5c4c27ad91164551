"""The index built ahead in a child process (``index.build_ahead``): the parent reads what the
child stores, never waits for a child that failed, and leaves none behind."""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path
from typing import Iterator, List

import pytest

import flake8_handler_block.names  # noqa: F401  (imported before any fork, as in a flake8 run)
from flake8_handler_block.config import Config
from flake8_handler_block.project import index
from flake8_handler_block.project.cache import Cache
from project_helpers import aged_copy, reach, where

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
    assert _gone(pid)  # waited for and reaped
    assert list((project / ".handler_block_cache").rglob("result.json"))


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
    assert _gone(pid)


def test_a_child_still_building_at_exit_is_stopped(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def slow(self: index._Project, fingerprint: str) -> None:
        time.sleep(60)

    monkeypatch.setattr(index._Project, "_build_and_store", slow)
    index.build_ahead(_file(project), Config())
    pid = _helper(project)
    index._stop_helpers()
    assert _gone(pid) and index._HELPERS == {}
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
