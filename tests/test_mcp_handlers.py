"""MCP servers: a function decorated ``@mcp.tool()``, ``@mcp.resource(uri)`` or ``@mcp.prompt()`` on a
``FastMCP`` (the MCP SDK's or FastMCP's) serves each call of a client, as a route does: it is a
handler, whether the server is built at module level, in the function that registers the tools, or
passed in as an annotated parameter. A look-alike ``.tool`` of another class is not.

A sync tool is a handler but not a coroutine on the loop: the MCP SDK 1.x runs it inline, FastMCP
releases since January 2026 in a worker thread, so HB601 says nothing of it."""

from __future__ import annotations

from pathlib import Path

from project_helpers import markers_hold

SERVER = '''\
import time

import requests
from fastmcp import FastMCP
from mcp.server.fastmcp import FastMCP as SdkServer

from .toolbox import Toolbox

server = SdkServer("weather")
toolbox = Toolbox()


@server.tool()
async def forecast(city: str) -> str:
    return requests.get(f"https://api.example/{city}", timeout=5).text  # expect: HB601 "handler 'forecast'"


@server.resource("weather://stations")
def stations() -> str:
    return requests.get("https://api.example/stations").text  # expect: HB201 "handler 'stations'"


def register(mcp: FastMCP) -> None:
    @mcp.tool
    async def wait_a_bit() -> str:
        time.sleep(1)  # expect: HB601 "handler 'register.<locals>.wait_a_bit'"
        return "done"

    @mcp.prompt()
    def sync_prompt() -> str:
        time.sleep(1)  # ok: HB601 a sync prompt may run in a worker thread
        return "done"


def build() -> FastMCP:
    local = FastMCP("local")

    @local.tool(tags={"read"})
    async def lookup(url: str) -> str:
        return requests.get(url, timeout=3).text  # expect: HB601 "handler 'build.<locals>.lookup'"

    return local


@toolbox.tool()
async def not_a_server_tool() -> str:
    return requests.get("https://api.example/", timeout=5).text  # ok: HB601 Toolbox is no MCP server
'''

TOOLBOX = '''\
class Toolbox:
    def tool(self):
        return lambda function: function
'''


def test_mcp_tools_resources_and_prompts_are_handlers(tmp_path: Path) -> None:
    files = {"app/__init__.py": "", "app/server.py": SERVER, "app/toolbox.py": TOOLBOX}
    markers_hold(tmp_path, files, "app/server.py")
