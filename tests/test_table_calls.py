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
