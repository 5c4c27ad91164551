"""FastMCP (the standalone package) 2.x calls a sync tool in place on its event loop; 3.0 hands it to
a thread. Which one a project runs is read from its requirements: a sync tool is taken to run on the
loop only when every FastMCP the project allows (or has locked) is a 2.x."""

from __future__ import annotations

import os
from pathlib import Path
from typing import List, Tuple

import pytest

from flake8_handler_block.engine import check_source
from flake8_handler_block.project import index
from project_helpers import age, write_project

SERVER = '''import time

import httpx
from fastmcp import FastMCP

mcp = FastMCP("orders")
CLIENT = httpx.Client(timeout=30)


@mcp.tool()
def order_status(order_id: str) -> str:
    time.sleep(1)
    return CLIENT.get(f"https://shop.example/orders/{order_id}").text


@mcp.tool()
async def order_total(order_id: str) -> str:
    return order_id
'''


def _codes(tmp_path: Path, files: dict, remember: bool = False) -> List[Tuple[int, str]]:
    root = write_project(tmp_path / "proj", {"app/__init__.py": "", "app/server.py": SERVER, **files})
    age(root)
    path = root / "app" / "server.py"
    return [(line, message[:5]) for line, _col, message in check_source(SERVER, str(path), remember=remember)]


PYPROJECT = "[project]\nname = 'orders'\ndependencies = [{}]\n"


@pytest.mark.parametrize("files", [
    {"pyproject.toml": PYPROJECT.format("'fastmcp>=2.10,<3'")},
    {"pyproject.toml": PYPROJECT.format("'fastmcp==2.14.5'")},
    {"pyproject.toml": "[project]\nname = 'orders'\n", "requirements.txt": "fastmcp~=2.12\nhttpx\n"},
    {"pyproject.toml": PYPROJECT.format("'fastmcp>=2.10'"),
     "uv.lock": 'version = 1\n\n[[package]]\nname = "fastmcp"\nversion = "2.14.5"\n'},
])
def test_a_sync_tool_of_fastmcp_2_runs_on_the_loop(tmp_path: Path, files: dict) -> None:
    assert _codes(tmp_path, files) == [(12, "HB601"), (13, "HB601")]


@pytest.mark.parametrize("files", [
    {"pyproject.toml": PYPROJECT.format("'fastmcp>=2.10'")},  # a 3.x may be installed
    {"pyproject.toml": PYPROJECT.format("'fastmcp>=3'")},
    {"pyproject.toml": "[project]\nname = 'orders'\n"},  # not named: nothing known
    {"pyproject.toml": PYPROJECT.format("'fastmcp<3'"),
     "uv.lock": 'version = 1\n\n[[package]]\nname = "fastmcp"\nversion = "3.0.2"\n'},  # the lock wins
])
def test_a_sync_tool_is_left_when_fastmcp_3_may_run_it(tmp_path: Path, files: dict) -> None:
    assert _codes(tmp_path, files) == []


def test_a_changed_requirement_is_read_again(tmp_path: Path) -> None:
    """The findings kept in the cache depend on the requirement files: pinning FastMCP below 3 in
    requirements.txt after a first run changes what the next run reports (nothing else changed)."""
    first = _codes(tmp_path, {"pyproject.toml": "[project]\nname = 'orders'\n", "requirements.txt": "fastmcp\n"},
                   remember=True)
    assert first == []
    listed = tmp_path / "proj" / "requirements.txt"
    before = listed.stat().st_mtime
    listed.write_text("fastmcp<3\n")
    os.utime(listed, (before - 10, before - 10))  # an old file: no run takes it for one being written
    index.clear()  # a new run: the disk cache stays
    path = tmp_path / "proj" / "app" / "server.py"
    again = [(line, message[:5]) for line, _col, message in check_source(SERVER, str(path), remember=True)]
    assert again == [(12, "HB601"), (13, "HB601")]


def test_a_tools_module_with_no_async_code(tmp_path: Path) -> None:
    """A module of sync tools registered on a server another module builds (its text names neither
    `async` nor FastMCP) is read too."""
    tools = "import time\n\nfrom app.server import mcp\n\n\n@mcp.tool()\ndef slow(x: str) -> str:\n" \
            "    time.sleep(2)\n    return x\n"
    root = write_project(tmp_path / "proj", {
        "pyproject.toml": PYPROJECT.format("'fastmcp<3'"), "app/__init__.py": "",
        "app/server.py": "from fastmcp import FastMCP\n\nmcp = FastMCP('x')\n", "app/tools.py": tools})
    age(root)
    found = check_source(tools, str(root / "app" / "tools.py"))
    assert [(line, message[:5]) for line, _col, message in found] == [(8, "HB601")]
