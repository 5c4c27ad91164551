"""A coroutine a plain function runs on an event loop of its own (``asyncio.run(coro)``,
``loop.run_until_complete(coro)``, anyio's and trio's ``run``): a sync view in the server's
thread pool, or a websocket's own thread, owns that loop. What blocks there holds that one loop,
not the server's, so HB601 does not report it; the coroutine is still the request's work, and the
rules that look at any code a request reaches (HB201, ...) still name the handler. solara's Flask
websocket view runs each connection's ``app_loop()`` with ``asyncio.run()``."""

from __future__ import annotations

from pathlib import Path

import pytest

from project_helpers import markers_hold

SESSION = '''import time

import requests


async def app_loop(ws):
    time.sleep(0.5)  # {on_loop}
    requests.get(ws.url)  # expect: HB201 "handler 'kernel_connection' (app/views.py:{line})"{on_loop_get}
'''

VIEWS = '''import asyncio

from flask import Flask

from .session import app_loop

app = Flask(__name__)


@app.route("/kernels/<kernel_id>")
def kernel_connection(kernel_id):
    {run}
    return ""
'''

ASYNC_VIEWS = '''from fastapi import FastAPI

from .session import app_loop

app = FastAPI()


@app.websocket("/kernels")
async def kernel_connection(ws):
    await app_loop(ws)
'''

ON_LOOP = "expect: HB601 \"handler 'kernel_connection' (app/views.py:{line}) via app_loop()\""


def session(on_loop: bool, line: int) -> str:
    """The session module, with HB601 expected on its blocking calls when ``on_loop``."""
    return SESSION.format(
        on_loop=ON_LOOP.format(line=line) if on_loop else "", line=line,
        on_loop_get=f", HB601 \"handler 'kernel_connection' (app/views.py:{line})\"" if on_loop else "",
    )


@pytest.mark.parametrize("run", [
    "asyncio.run(app_loop(kernel_id))",
    "asyncio.new_event_loop().run_until_complete(app_loop(kernel_id))",
])
def test_a_coroutine_a_sync_view_runs_on_a_loop_of_its_own_is_off_the_servers_loop(
    tmp_path: Path, run: str
) -> None:
    files = {
        "app/__init__.py": "",
        "app/session.py": session(on_loop=False, line=11),
        "app/views.py": VIEWS.format(run=run),
    }
    markers_hold(tmp_path, files, "app/session.py")


def test_the_same_coroutine_awaited_by_an_async_handler_is_on_the_loop(tmp_path: Path) -> None:
    files = {
        "app/__init__.py": "",
        "app/session.py": session(on_loop=True, line=9),
        "app/views.py": ASYNC_VIEWS,
    }
    markers_hold(tmp_path, files, "app/session.py")


def test_a_run_that_is_not_asyncio_s_keeps_the_call_in_place(tmp_path: Path) -> None:
    """``runner.run(app_loop(...))`` of an unknown object: where the coroutine runs is not known,
    so it is read as called where it is made (as before)."""
    files = {
        "app/__init__.py": "",
        "app/session.py": session(on_loop=True, line=11),
        "app/views.py": VIEWS.format(run="runner = object()\n    runner.run(app_loop(kernel_id))"),
    }
    markers_hold(tmp_path, files, "app/session.py")
