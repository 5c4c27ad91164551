"""Shared by the project index tests: fixture projects copied to a temporary root."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from typing import Dict, Optional

import pytest

from flake8_handler_block.config import Config
from flake8_handler_block.project import index
from flake8_handler_block.project.cache import DEFAULT_DIRNAME
from flake8_handler_block.project.index import ModuleReach, project_reach
from flake8_handler_block.project.tree import ProjectTree
from flake8_handler_block.engine import check_source
from fixtures import TESTDATA
from markers import compare, findings, read_markers

PROJECTS = TESTDATA / "projects"


def write_project(root: Path, files: Dict[str, str]) -> Path:
    """Write ``files`` (relative path -> text) under ``root`` and forget every cached index."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    index.clear()
    return root


def markers_hold(root: Path, files: Dict[str, str], checked: str) -> None:
    """Write a small project (``pyproject.toml`` and ``files``) and compare what the plugin
    reports on ``checked`` with its ``# expect:`` markers."""
    write_project(root, {"pyproject.toml": "", **files})
    text = files[checked]
    found = findings(check_source(text, str(root / checked)))
    comparison = compare(read_markers(text, Path(checked).name), found)
    assert comparison.matched and not comparison.missing and not comparison.unexpected, comparison


def copy_project(name: str, destination: Path) -> Path:
    """A fresh copy of testdata/projects/<name> (the real tree has markers above it), without the
    index cache a run over testdata/ (the README's first command) leaves in it."""
    target = destination / name
    shutil.copytree(PROJECTS / name, target, ignore=shutil.ignore_patterns(DEFAULT_DIRNAME))
    index.clear()
    return target


def age(root: Path, seconds: float = 100.0) -> None:
    """Files written just now are 'racy' and never cached: make every file of ``root`` old."""
    past = time.time() - seconds
    for path in root.rglob("*"):
        if path.is_file():
            os.utime(path, (past, past))


def aged_copy(name: str, destination: Path) -> Path:
    """``copy_project``, with its files made old enough to be cached."""
    root = copy_project(name, destination)
    age(root)
    return root


def reach(root: Path, relative: str, config: Optional[Config] = None, source: Optional[str] = None) -> ModuleReach:
    found = project_reach(str(root / relative), config or Config(), source)
    assert found is not None, relative
    return found


def where(module: ModuleReach, qualname: str) -> Optional[str]:
    chain = module.chain(qualname)
    return chain.where() if chain else None


def loop_where(module: ModuleReach, qualname: str) -> Optional[str]:
    chain = module.on_loop(qualname)
    return chain.where() if chain else None


def slow_reads(monkeypatch: pytest.MonkeyPatch, method: str, seconds: float) -> None:
    """Every ``ProjectTree.<method>`` read waits ``seconds`` first, as on a loaded machine where
    another process holds the CPU: wall time passes, this process's CPU time does not."""
    reading = getattr(ProjectTree, method)

    def slow(self: ProjectTree, path: str) -> object:
        time.sleep(seconds)
        return reading(self, path)

    monkeypatch.setattr(ProjectTree, method, slow)
