"""Reading testdata fixtures: their markers (grammar in markers.py) and a `# config:` first line."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

from flake8_handler_block.config import Config, config_from_table
from markers import Markers, read_markers

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
TESTDATA = ROOT / "testdata"


def load_script(name: str) -> ModuleType:
    """``scripts/NAME.py`` imported as module ``NAME`` (registered in sys.modules: dataclasses
    look their module up there)."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


_CONFIG = re.compile(r"#\s*config:\s*(.+)$")


def fixture_markers(path: Path) -> Markers:
    """The markers of one testdata file; MarkerError names file:line of a malformed one."""
    return read_markers(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))


def fixture_config(text: str, path: Path) -> Config:
    """`# config: scope = "all"` lines at the top of a fixture, as a pyproject table."""
    entries = []
    for line in text.splitlines():
        match = _CONFIG.match(line)
        if not match:
            break
        entries.append(match.group(1))
    if not entries:
        return Config()
    return config_from_table(tomllib.loads("\n".join(entries)), f"{path} (# config:)")
