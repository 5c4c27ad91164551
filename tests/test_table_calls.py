"""A loop over a table of the module's functions calls each of them: ``for dispatch in
_DISPATCHERS: dispatch(action, params, client)`` passes ``client`` to every function the table names,
and the call blocks a handler's loop when one of them does (a generated MCP server's action tools,
each dispatching through a tuple of functions to a sync API client)."""

from __future__ import annotations

from pathlib import Path

from project_helpers import markers_hold

CLIENT = '''\
import time

import requests


class Api:
    def __init__(self):
        self._session = requests.Session()

    def fetch_items(self, **kwargs):
        time.sleep(1)
        return self._session.get("https://example.com/items", params=kwargs, timeout=10).json()

    def describe(self):
        return {"name": "items"}


def get_client() -> Api:
    return Api()
'''

TOOLS = '''\
from fastmcp import FastMCP
from fastmcp.dependencies import Depends

from app.client import get_client


def _dispatch_items(action, params, client):
    if action == "items":
        return client.fetch_items(**params)
    return None


def _dispatch_more(action, params, client):
    if action == "more":
        return client.fetch_items(**params)
    return None


def _describe(action, params, client):
    return client.describe()


_DISPATCHERS = (_dispatch_items, _dispatch_more)
_LOCAL = [_describe]


def register(mcp: FastMCP):
    @mcp.tool()
    async def run_action(action: str, params: dict, client=Depends(get_client)):
        for dispatch in _DISPATCHERS:
            result = dispatch(action, params, client)  # expect: HB601 "dispatch() blocks the event loop" "time.sleep()"
            if result is not None:
                return result
        for describe in _LOCAL:
            described = describe(action, params, client)  # ok: a table of functions that only read
            if described:
                return str(len(params))  # ok: a builtin on the same kind of line
        return None

    @mcp.tool()
    async def run_all(action: str, params: dict, client=Depends(get_client)):
        found = [dispatch(action, params, client) for dispatch in _DISPATCHERS]  # expect: HB601 "dispatch()"
        return [item for item in found if item is not None]
'''


def test_a_loop_over_a_table_of_functions_calls_each(tmp_path: Path) -> None:
    files = {"app/__init__.py": "", "app/client.py": CLIENT, "app/tools.py": TOOLS}
    markers_hold(tmp_path, files, "app/tools.py")


LOW_LEVEL_SERVER = '''\
import subprocess
import time

from mcp.server import Server

from app.client import Api

server = Server("stocks")
api = Api()


async def _quote(code):
    time.sleep(0.5)
    return {"code": code}


async def _screen(limit):
    return api.fetch_items(limit=limit)


async def _version():
    return {"version": "1.0"}


def _unknown_tool(arguments):
    return {"error": "unknown"}


def _report(arguments):
    return subprocess.run(["report", arguments["name"]], capture_output=True).stdout  # expect: HB204, HB601


TOOL_HANDLERS = {
    "quote": lambda args: _quote(args.get("code", "")),
    "screen": lambda args: _screen(limit=args.get("limit", 10)),
    "version": lambda args: _version(),
}

SYNC_HANDLERS = {"report": _report}

FILTERS = {"upper": lambda text: text.upper(), "call": lambda fn: fn()}


@server.call_tool()
async def call_tool(name: str, arguments: dict):
    handler = TOOL_HANDLERS.get(name)
    if not handler:
        return []
    return await handler(arguments)


@server.call_tool()
async def call_sync_tool(name: str, arguments: dict):
    run = SYNC_HANDLERS.get(name, _unknown_tool)
    return run(arguments)  # ok: reported where it blocks, in this module


@server.call_tool()
async def call_filter(name: str, arguments: dict):
    chosen = FILTERS.get(name)
    return chosen(arguments["text"])  # ok: the lambdas call their own parameters
'''

QUOTES = '''\
import time


async def _quote(code):
    time.sleep(0.5)  # expect: HB601 "handler 'call_tool'" "via _quote()"
    return {"code": code}


async def _version():
    return {"version": "1.0"}  # ok: a tool that does not block
'''


def test_a_lookup_in_a_table_of_lambdas_calls_what_they_call(tmp_path: Path) -> None:
    """``handler = TOOL_HANDLERS.get(name); await handler(arguments)`` over a table of ``lambda
    args: _quote(...)`` runs ``_quote`` on the loop (a low-level MCP server's one ``call_tool``:
    tdx-link-mcp); ``.get(name, default)`` may give the default too."""
    server = LOW_LEVEL_SERVER.replace("time.sleep(0.5)\n", "time.sleep(0.5)  # expect: HB601 \"via _quote()\"\n")
    server = server.replace(
        "    return api.fetch_items(limit=limit)\n",
        "    return api.fetch_items(limit=limit)  # expect: HB601 \"fetch_items() blocks the event loop\"\n")
    files = {"app/__init__.py": "", "app/client.py": CLIENT, "app/server.py": server}
    markers_hold(tmp_path, files, "app/server.py")


def test_a_table_in_another_module_is_looked_up_too(tmp_path: Path) -> None:
    server = '''\
from mcp.server import Server

from app.quotes import _quote, _version

server = Server("stocks")

TOOL_HANDLERS = {"quote": lambda args: _quote(args["code"]), "version": lambda args: _version()}


@server.call_tool()
async def call_tool(name: str, arguments: dict):
    handler = TOOL_HANDLERS.get(name)
    return await handler(arguments) if handler else []
'''
    files = {"app/__init__.py": "", "app/quotes.py": QUOTES, "app/server.py": server}
    markers_hold(tmp_path, files, "app/quotes.py")


def test_a_table_of_sixty_tools_is_followed(tmp_path: Path) -> None:
    """A dispatch table of a large MCP server (crawlemoon's sixty `handle_*` tools in a dict the
    handler builds, looked up with `.get(name)`): each of its functions is one the call may run."""
    tools = "\n\n".join(f"async def handle_{n}(arguments):\n    return {{'n': {n}}}\n" for n in range(59))
    table = ",\n".join(f'        "t{n}": handle_{n}' for n in range(59))
    server = f'''\
import asyncio
import time

from mcp.server import Server

server = Server("crawler")


{tools}

async def handle_rotate(arguments):
    time.sleep(1.5)  # expect: HB601 "handler 'call_tool' via handle_rotate()"
    return {{}}


@server.call_tool()
async def call_tool(name: str, arguments: dict):
    handler_map = {{
{table},
        "rotate": handle_rotate,
    }}
    handler = handler_map.get(name)
    if not handler:
        return []
    return await asyncio.wait_for(handler(arguments), timeout=30)
'''
    markers_hold(tmp_path, {"app/__init__.py": "", "app/server.py": server}, "app/server.py")
