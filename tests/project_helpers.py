"""Shared by the project index tests: fixture projects copied to a temporary root."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Optional

from flake8_handler_block.config import Config
from flake8_handler_block.project import index
from flake8_handler_block.project.index import ModuleReach, project_reach
from fixtures import TESTDATA

PROJECTS = TESTDATA / "projects"


def copy_project(name: str, destination: Path) -> Path:
    """A fresh copy of testdata/projects/<name> (the real tree has markers above it)."""
    target = destination / name
    shutil.copytree(PROJECTS / name, target)
    index.clear()
    return target


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
