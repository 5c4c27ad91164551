"""A server built from a project class deriving from an MCP server registers tools as the server
does: workspace-mcp's ``class SecureFastMCP(FastMCP)`` (``server = SecureFastMCP(...)`` in one module,
``@server.tool()`` in the others), k8s-mcp's ``_K8sMCP`` built in the function that registers the
tools. A subclass that overrides ``call_tool`` decides itself how a tool runs (k8s-mcp sends the
sync ones to an executor): its sync tools are handlers, not taken for code on the loop."""

from __future__ import annotations

from pathlib import Path

import pytest

from project_helpers import markers_hold

SERVER = '''from mcp.server.fastmcp import FastMCP


class AuditedFastMCP(FastMCP):
    """Logs every tool call."""

    def __init__(self, name, **settings):
        super().__init__(name, **settings)
        self.calls = 0


class QuietFastMCP(AuditedFastMCP):
    pass


server = QuietFastMCP("deploys")
'''

TOOLS = '''import subprocess
import time

from .server import server


@server.tool()
async def restart(name: str) -> str:
    time.sleep(2)  # expect: HB601 "restart"
    return name


@server.tool()
def status(name: str) -> str:
    return subprocess.run(["systemctl", "status", name], timeout=10).stdout  # expect: HB601 "status"
'''

LOCAL = '''import subprocess

from mcp.server.fastmcp import FastMCP


class _FleetMCP(FastMCP):
    pass


def build_server() -> FastMCP:
    mcp = _FleetMCP("fleet")

    @mcp.tool()
    def drain(node: str) -> str:
        return subprocess.check_output(["kubectl", "drain", node])  # expect: HB204 "drain", HB601 "drain"

    return mcp


class Registry:
    def tool(self):
        return lambda fn: fn


def build_registry() -> Registry:
    registry = Registry()

    @registry.tool()
    def cordon(node: str) -> str:
        return subprocess.check_output(["kubectl", "cordon", node])  # ok: a registry of the project's own

    return registry
'''

CALLS_TOOLS = '''

    async def call_tool(self, name, arguments):
        return await asyncio.get_running_loop().run_in_executor(None, self._run, name, arguments)
'''


@pytest.mark.parametrize("checked", ["app/tools.py", "app/local.py"])
def test_a_server_of_a_project_class_registers_tools(tmp_path: Path, checked: str) -> None:
    markers_hold(
        tmp_path,
        {"app/__init__.py": "", "app/server.py": SERVER, "app/tools.py": TOOLS, "app/local.py": LOCAL},
        checked,
    )


def test_a_subclass_calling_its_tools_itself_keeps_sync_tools_off_the_loop(tmp_path: Path) -> None:
    server = SERVER.replace("        self.calls = 0\n", "        self.calls = 0\n" + CALLS_TOOLS)
    server = "import asyncio\n" + server
    tools = TOOLS.replace('  # expect: HB601 "status"', "")
    markers_hold(
        tmp_path,
        {"app/__init__.py": "", "app/server.py": server, "app/tools.py": tools, "app/local.py": LOCAL},
        "app/tools.py",
    )


SHIM = '''try:  # the SDK 2.x
    from mcp.server.mcpserver import MCPServer
except ModuleNotFoundError:  # 1.x, under its old name
    from mcp.server.fastmcp import FastMCP as MCPServer
'''

SHIMMED = '''import subprocess
import time

from ._sdk import MCPServer

mcp = MCPServer("kvm")


@mcp.tool()
async def power_cycle(host: str) -> str:
    time.sleep(5)  # expect: HB601 "power_cycle"
    return host


@mcp.tool()
def firmware(host: str) -> str:
    return subprocess.check_output(["gh", "release", "view"])  # expect: HB204 "firmware"
'''


def test_a_server_class_imported_through_a_project_module(tmp_path: Path) -> None:
    """kvm-pilot's ``_sdk.py`` imports the SDK's server under either name, and the server module
    imports it from there: read as the class that runs sync tools in a worker thread
    (``handlers.one_server_of``), so the sync tool's wait is HB204's, not HB601's."""
    markers_hold(tmp_path, {"app/__init__.py": "", "app/_sdk.py": SHIM, "app/server.py": SHIMMED}, "app/server.py")
