"""The project index's disk cache: reuse, invalidation, and every way it can be bad."""

from __future__ import annotations

import json
import multiprocessing
import os
from pathlib import Path
from typing import Dict, List

import pytest

from flake8_handler_block.config import Config
from flake8_handler_block.project import identity, index
from flake8_handler_block.project.cache import DEFAULT_DIRNAME, FORMAT
from project_helpers import age, aged_copy, reach, where

SEARCH_CHAIN = "handler 'search' (shop/routes/search.py:10) via search_web() -> fetch_results()"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return aged_copy("flask_app", tmp_path)


def _stats(root: Path, config: Config = Config()) -> Dict[str, object]:
    return index.build_stats(str(root / "shop" / "routes" / "search.py"), config)


def _result_file(root: Path) -> List[str]:
    found = list((root / DEFAULT_DIRNAME).rglob("result.json"))
    assert len(found) == 1
    return list(found[0].relative_to(root / DEFAULT_DIRNAME).parts)


def _cache_files(root: Path) -> List[Path]:
    return sorted(p for p in (root / DEFAULT_DIRNAME).rglob("*.json"))


def test_second_build_reads_the_cache(project: Path) -> None:
    cold = _stats(project)
    assert cold["parsed"] == cold["summaries"] > 0 and not cold["error"]
    warm = _stats(project)
    assert warm["parsed"] == 0 and warm["summaries"] == 0  # the stored result: no summary needed
    (project / DEFAULT_DIRNAME).joinpath(*_result_file(project)).unlink()
    assert _stats(project)["parsed"] == 0  # summaries from the cache, the graph built again
    assert (warm["handlers"], warm["reached"]) == (cold["handlers"], cold["reached"])
    assert (project / DEFAULT_DIRNAME / "CACHEDIR.TAG").is_file()
    assert (project / DEFAULT_DIRNAME / ".gitignore").read_text().strip().endswith("*")
    assert where(reach(project, "shop/services/search.py"), "fetch_results") == SEARCH_CHAIN


def test_a_changed_file_is_read_again(project: Path) -> None:
    _stats(project)
    services = project / "shop" / "services" / "search.py"
    services.write_text(services.read_text().replace("return fetch_results(query)", "return unused_helper()"))
    age(project, 50.0)  # a new mtime, still old enough to be cached
    index.clear()
    after = reach(project, "shop/services/search.py")
    assert where(after, "fetch_results") is None
    assert where(after, "unused_helper") == (
        "handler 'search' (shop/routes/search.py:10) via search_web() -> unused_helper()"
    )
    assert _stats(project)["parsed"] == 0  # and the new version is cached in turn


def test_a_file_edited_just_now_is_not_cached(project: Path) -> None:
    services = project / "shop" / "services" / "search.py"
    services.write_text(services.read_text() + "\n")
    assert _stats(project)["parsed"] > 1  # cold
    assert _stats(project)["parsed"] == _stats(project)["parsed"] == 1  # racy: summarised each time


def test_corrupt_cache_is_ignored(project: Path) -> None:
    cold = _stats(project)
    files = _cache_files(project)
    assert len(files) > 2
    garbage = [
        b"", b"{", b"\xff\xfe\x00", b"[]",
        json.dumps({"format": FORMAT, "version": identity.code_identity(), "data": [1]}).encode(),
    ]
    for number, path in enumerate(files):
        if number % 2:
            payload = json.loads(path.read_text())
            for key in payload["data"]:
                if key not in ("fingerprint", "words", "path", "size", "mtime_ns", "module"):
                    payload["data"][key] = [["x"], {"y": 1}]
            path.write_text(json.dumps(payload))  # right version and key, wrong shape
        else:
            path.write_bytes(garbage[number % len(garbage)])
    index.clear()
    again = _stats(project)
    assert (again["handlers"], again["reached"], again["error"]) == (cold["handlers"], cold["reached"], "")
    assert again["parsed"] == cold["parsed"]
    assert where(reach(project, "shop/services/search.py"), "fetch_results") == SEARCH_CHAIN


def test_foreign_version_is_ignored(project: Path) -> None:
    _stats(project)
    # Entries of another version that would change the answer if they were believed.
    for path in _cache_files(project):
        payload = json.loads(path.read_text())
        data = payload["data"]
        if path.name == "result.json":
            data["result"].update(chains=[], loop=[], task=[])
        elif path.name != "files.json":
            data["summary"][8] = [[[], None, 0, 0] for _ in data["summary"][8]]  # no calls
        payload["version"] = "0.0.1-other"
        path.write_text(json.dumps(payload))
    index.clear()
    assert where(reach(project, "shop/services/search.py"), "fetch_results") == SEARCH_CHAIN
    assert _stats(project)["parsed"] == 0  # rewritten in this version by the run above


def test_an_edit_of_the_plugin_leaves_what_older_code_stored(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A development checkout keeps its version number across edits: the code itself keys the cache."""
    cold = _stats(project)
    assert cold["parsed"] > 0 and _stats(project)["parsed"] == 0  # warm
    monkeypatch.setattr(identity, "code_identity", lambda: "the same version, its code edited")
    index.clear()
    assert _stats(project)["parsed"] == cold["parsed"]


def test_unwritable_cache_directory(project: Path) -> None:
    blocker = project / "not-a-directory"
    blocker.write_text("a file where the cache directory should be")
    config = Config(cache_dir=str(blocker))
    stats = _stats(project, config)
    assert not stats["error"] and stats["reached"]
    assert where(reach(project, "shop/services/search.py", config), "fetch_results") == SEARCH_CHAIN
    assert not (project / DEFAULT_DIRNAME).exists()


def test_cache_can_move_or_be_disabled(project: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "caches"
    _stats(project, Config(cache_dir=str(elsewhere)))
    assert list(elsewhere.rglob("*.json")) and not (project / DEFAULT_DIRNAME).exists()
    _stats(project, Config(cache_dir="build/.index"))  # relative: to the project root
    assert list((project / "build" / ".index").rglob("*.json"))
    _stats(project, Config(cache=False))
    assert not (project / DEFAULT_DIRNAME).exists()


def _build_in_worker(root: str) -> str:
    index.clear()
    found = index.project_reach(os.path.join(root, "shop/services/search.py"), Config())
    chain = found.chain("fetch_results") if found else None
    return chain.where() if chain else ""


def test_parallel_workers_share_the_cache(project: Path) -> None:
    """Like ``flake8 -j 2``: two processes build at once, both right, the cache whole."""
    context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
    with context.Pool(2) as pool:
        results = pool.map(_build_in_worker, [str(project)] * 4)
    assert results == [SEARCH_CHAIN] * 4
    leftovers = [p for p in (project / DEFAULT_DIRNAME).rglob("*") if p.name.startswith(".tmp-")]
    assert leftovers == []
    for path in _cache_files(project):
        json.loads(path.read_text())  # every entry is whole
    assert _stats(project)["parsed"] == 0


def test_text_as_flake8_reads_it_is_no_edit(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """CRLF, a BOM, a latin-1 cookie or a new comment: the stored result still answers."""
    services = project / "shop" / "services" / "search.py"
    http = project / "shop" / "clients" / "http.py"
    services.write_bytes(services.read_bytes().replace(b"\n", b"\r\n"))
    http.write_bytes(b"\xef\xbb\xbf" + http.read_bytes())
    hooks = project / "shop" / "hooks.py"
    hooks.write_bytes(b"# -*- coding: latin-1 -*-\n# caf\xe9\n" + hooks.read_bytes())
    age(project)
    _stats(project)  # the stored result
    index.clear()
    computed: List[str] = []
    original = index._Project._compute

    def counting(self: index._Project) -> None:
        computed.append(self.root)
        original(self)

    monkeypatch.setattr(index._Project, "_compute", counting)
    for path in (services, http, hooks):
        with open(path, encoding="latin-1" if path == hooks else "utf-8-sig") as handle:
            text = handle.read()  # universal newlines, no BOM: what flake8 hands the plugin
        found = reach(project, str(path.relative_to(project)), source=text)
        assert found.reaches_any()
    commented = reach(project, "shop/services/search.py", source=services.read_text() + "# later\n")
    assert where(commented, "fetch_results") == SEARCH_CHAIN
    assert computed == []


def test_a_write_goes_on_past_a_left_temporary_file_or_a_removed_directory(tmp_path: Path) -> None:
    """Temporary files are named by pid and count; a name taken (a file left by an earlier process of
    the same pid) or a directory removed meanwhile still ends in a whole entry, not in no cache."""
    from flake8_handler_block.project import cache as cache_module

    store = cache_module.Cache(str(tmp_path / "c"), str(tmp_path))
    store.store_result("one", {"a": 1})
    directory = Path(store.directory)
    taken = directory / f".tmp-{os.getpid()}-{next(cache_module._SERIAL) + 1}.json"
    taken.write_text("left over")
    store.store_result("two", {"a": 2})
    assert store.load_result("two") == {"a": 2} and not store.writes_failed
    assert taken.read_text() == "left over"  # not someone else's to remove
    taken.unlink()
    for path in sorted(directory.rglob("*"), reverse=True):
        path.rmdir() if path.is_dir() else path.unlink()
    directory.rmdir()
    store.store_result("three", {"a": 3})
    assert store.load_result("three") == {"a": 3} and not store.writes_failed
    assert [p.name for p in directory.iterdir()] == ["result.json"]


def test_summary_values_build_as_their_dataclasses_say() -> None:
    """The values summaries are made of build through quick_init's __init__: the same fields, in the
    same order, with the same defaults as the dataclass declares; still frozen, equal, hashable,
    replaceable and picklable."""
    import dataclasses
    import inspect
    import pickle

    from flake8_handler_block import handlers
    from flake8_handler_block.project import summary
    from flake8_handler_block.project.summary import Edge, Sym
    from flake8_handler_block.quick_init import quick_init

    classes = [summary.Sym, summary.Edge, summary.FunctionSummary, summary.Forward, summary.ClassSummary,
               summary.ModuleSummary, handlers.Decorator, handlers.Base, handlers.FunctionFacts,
               handlers.ClassFacts, handlers.ViewRef, handlers.Registration, handlers.ModuleFacts]
    for cls in classes:
        declared = [(f.name, f.default) for f in dataclasses.fields(cls)]
        params = list(inspect.signature(cls.__init__).parameters.values())[1:]
        assert [(p.name, p.default) for p in params] == [
            (name, inspect.Parameter.empty if default is dataclasses.MISSING else default)
            for name, default in declared
        ], cls
    edge = Edge("call", Sym("ref", "a.b"), 3, guard="flag")
    assert edge == Edge("call", Sym("ref", "a.b", ()), 3, False, False, "flag")
    assert hash(edge) == hash(Edge("call", Sym("ref", "a.b"), 3, guard="flag"))
    assert dataclasses.replace(edge, line=4).line == 4 and edge.line == 3
    assert pickle.loads(pickle.dumps(edge)) == edge
    with pytest.raises(dataclasses.FrozenInstanceError):
        edge.line = 5  # type: ignore[misc]

    @dataclasses.dataclass(frozen=True)
    class Later:
        value: int

        def __post_init__(self) -> None:
            pass

    with pytest.raises(TypeError):
        quick_init(Later)


def test_build_stats_builds_with_the_collector_off_and_gives_it_back(project: Path) -> None:
    """As project_reach builds: a benchmark of the build does not time the collector's passes."""
    import gc

    seen = []
    original = index._Project.build

    def build(self: index._Project) -> None:
        seen.append(gc.isenabled())
        original(self)

    index._Project.build = build  # type: ignore[method-assign]
    try:
        assert gc.isenabled()
        _stats(project)
    finally:
        index._Project.build = original  # type: ignore[method-assign]
    assert seen == [False] and gc.isenabled()
