"""Reading testdata fixtures: `# expect: CODE[, CODE]` markers and a `# config:` first line."""

from __future__ import annotations

import io
import re
import sys
import tokenize
from pathlib import Path
from typing import Set, Tuple

from flake8_handler_block.config import Config, config_from_table

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
TESTDATA = ROOT / "testdata"
_MARKER = re.compile(r"#\s*expect:\s*(HB\d{3}(?:\s*,\s*HB\d{3})*)\s*$")
_CONFIG = re.compile(r"#\s*config:\s*(.+)$")


def markers(text: str, tag: str = "expect") -> Set[Tuple[int, str]]:
    """(line, code) for each marker comment, read with tokenize (never eval)."""
    pattern = _MARKER if tag == "expect" else re.compile(rf"#\s*{tag}\b")
    found = set()
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type != tokenize.COMMENT:
            continue
        match = pattern.search(token.string)
        if match is None:
            continue
        line = token.start[0]
        if tag == "expect":
            found.update((line, code.strip()) for code in match.group(1).split(","))
        else:
            found.add((line, tag))
    return found


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


def excerpt(text: str, items, label: str) -> str:
    lines = text.splitlines()
    out = []
    for line, code in sorted(items):
        source = lines[line - 1] if 0 < line <= len(lines) else ""
        out.append(f"  {label} {code} at line {line}: {source.strip()}\n      ^")
    return "\n".join(out)
