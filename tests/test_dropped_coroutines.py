"""A coroutine function called as a statement of its own, with no ``await``, makes a coroutine
nobody runs: none of its body runs, so a handler reaches nothing through that call (opsdroid's
Twitch webhook calls ``self.disconnect_websockets()`` so; only shutdown awaits it)."""

from __future__ import annotations

from pathlib import Path

from project_helpers import markers_hold

CONNECTOR = '''import requests


class Connector:
    async def disconnect(self):
        requests.post("https://chat.example/logout", timeout=5)  # expect: HB601 "handler 'stop'"

    async def pause(self):
        requests.post("https://chat.example/pause", timeout=5)  # ok: only ever called without await
'''

VIEWS = '''from aiohttp import web

from .connector import Connector

routes = web.RouteTableDef()
connector = Connector()


@routes.post("/hook")
async def hook(request):
    connector.pause()
    connector.disconnect()
    return web.Response(text="ok")


@routes.post("/stop")
async def stop(request):
    await connector.disconnect()
    return web.Response(text="bye")
'''


def test_a_coroutine_called_without_await_runs_nothing(tmp_path: Path) -> None:
    markers_hold(tmp_path, {"app/__init__.py": "", "app/connector.py": CONNECTOR, "app/views.py": VIEWS},
                 "app/connector.py")


def test_a_coroutine_kept_or_handed_on_still_runs(tmp_path: Path) -> None:
    """Bound to a name, returned or handed to a call, the coroutine may still be awaited."""
    views = VIEWS.replace("    connector.pause()\n", "    pending = connector.pause()\n    await pending\n")
    connector = CONNECTOR.replace("# ok: only ever called without await", "# expect: HB601 \"handler 'hook'\"")
    markers_hold(tmp_path, {"app/__init__.py": "", "app/connector.py": connector, "app/views.py": views},
                 "app/connector.py")
