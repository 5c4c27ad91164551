"""A helper that calls the function it is given (``def _safe_call(fn): return fn()``) runs, at each
call, what that call passes: erp-mcp's tools each define a nested ``_do`` and return
``_safe_call(_do)``, so only the tool whose ``_do`` fetches blocks the loop. When the callers pass
different functions the module cannot say what ``fn`` is; the graph reads it at each call
(``FunctionSummary.hands``' CALL), so the other tools stay silent."""

from __future__ import annotations

from pathlib import Path

import pytest

from project_helpers import markers_hold

SAFE = '''\
def _safe_call(fn, *args):
    try:
        return fn(*args)
    except Exception as exc:
        return {"error": str(exc)}
'''

UPDATER = '''\
import requests


def check_update():
    return requests.get("https://pypi.org/pypi/erp-mcp/json", timeout=5).json()
'''

SERVER = '''\
import time

from mcp.server.fastmcp import FastMCP

from app.safe import _safe_call
from app.updater import check_update

mcp = FastMCP("erp")


def _read_cache():
    return {"cached": True}


@mcp.tool()
async def erp_check_update() -> dict:
    def _do():
        return check_update()
    return _safe_call(_do)  # expect: HB601 "_safe_call() blocks the event loop" "via _do() -> check_update()"


@mcp.tool()
async def erp_cached() -> dict:
    def _do():
        return _read_cache()
    return _safe_call(_do)  # ok: this tool's _do only reads memory


@mcp.tool()
async def erp_wait(seconds: int) -> dict:
    def _do(n):
        time.sleep(n)  # expect: HB601 "handler 'erp_wait' via _do()"
        return {"waited": n}
    return _safe_call(_do, seconds)  # expect: HB601 "_safe_call() blocks the event loop" "at line 32 via _do()"


@mcp.tool()
async def erp_cached_named() -> dict:
    return _safe_call(_read_cache)  # ok: the function passed only reads memory


@mcp.tool()
async def erp_pause() -> dict:
    time.sleep(1)  # expect: HB601 "time.sleep()"
    return {}
'''


def test_each_call_runs_the_function_it_passes(tmp_path: Path) -> None:
    files = {"app/__init__.py": "", "app/safe.py": SAFE, "app/updater.py": UPDATER, "app/server.py": SERVER}
    markers_hold(tmp_path, files, "app/server.py")


@pytest.mark.parametrize(
    "body",
    [
        "    CALLBACKS.append(fn)\n    return None\n",  # kept for later, not called
        "    fn = print\n    return fn(*args)\n",  # the parameter is rebound first
        "    return getattr(fn, '__name__', '')\n",  # only read
    ],
)
def test_a_helper_that_does_not_call_its_parameter_runs_nothing(tmp_path: Path, body: str) -> None:
    safe = "CALLBACKS = []\n\n\n" + SAFE.replace(
        '''    try:
        return fn(*args)
    except Exception as exc:
        return {"error": str(exc)}
''', body)
    server = SERVER.replace('  # expect: HB601 "_safe_call() blocks the event loop" "via _do() -> check_update()"', "")
    server = server.replace('  # expect: HB601 "handler \'erp_wait\' via _do()"', "")
    server = server.replace('  # expect: HB601 "_safe_call() blocks the event loop" "at line 32 via _do()"', "")
    files = {"app/__init__.py": "", "app/safe.py": safe, "app/updater.py": UPDATER, "app/server.py": server}
    markers_hold(tmp_path, files, "app/server.py")
