"""A function with a parameter declared of the framework's request (`request: Request`) runs inside a
request, whoever calls it: one that nothing of the project calls (a library's dependency or API, a
route registered out of view) is a handler; one that is called is a helper of its callers, named
through them."""

from __future__ import annotations

from pathlib import Path

import pytest

from project_helpers import markers_hold

AUTH = '''\
import time
from typing import Optional

from fastapi import Request
from starlette.requests import Request as StarletteRequest


class Auth:
    def dependency(self):
        async def require_session(request: Request) -> dict:
            return await self.refresh(request)
        return require_session

    async def refresh(self, request: Request) -> dict:
        time.sleep(0.1)  # expect: HB601 "handler 'Auth.dependency.<locals>.require_session' via refresh()"
        return {}

    async def login(self, request: StarletteRequest) -> str:
        time.sleep(1)  # expect: HB601 "handler 'Auth.login'"
        return "ok"


async def maybe_in_a_request(request: Optional[Request] = None) -> None:
    time.sleep(1)  # ok: HB601 may run with no request at all


async def no_request(payload: dict) -> None:
    time.sleep(1)  # ok: HB601 nothing says a request runs it
'''

ROUTES = '''\
import time

from fastapi import FastAPI, Request

app = FastAPI()


async def current_user(request: Request) -> str:
    time.sleep(1)  # expect: HB601 "handler 'profile' via current_user()"
    return "me"


@app.get("/me")
async def profile(request: Request) -> dict:
    return {"user": await current_user(request)}
'''


@pytest.mark.parametrize("checked", [
    "lib/auth.py",  # the request takers nothing calls are handlers
    "lib/routes.py",  # the one a route calls is named through the route
])
def test_request_takers(tmp_path: Path, checked: str) -> None:
    files = {"lib/__init__.py": "", "lib/auth.py": AUTH, "lib/routes.py": ROUTES}
    markers_hold(tmp_path, files, checked)


# A function that is a handler for a firmer reason stays one when some other code calls a function
# of its name: Home Assistant's `APIEventStream.get(self, request: web.Request)` on a view class
# (`.get(` is called everywhere), and a route a module read after it registers.
VIEWS = '''\
import asyncio
import time

from aiohttp import web


class HomeAssistantView:
    url = ""


class EventStreamView(HomeAssistantView):
    async def get(self, request: web.Request) -> web.StreamResponse:
        try:
            await asyncio.sleep(1)
        except asyncio.CancelledError:  # expect: HB602 "handler 'EventStreamView.get'"
            pass
        return web.Response()


async def handle_ping(request: web.Request) -> web.Response:
    time.sleep(1)  # expect: HB601 "handler 'handle_ping'"
    return web.Response()


def lookup(table: dict, key: str) -> object:
    return table.get(key)
'''

WIRING = '''\
import logging

from aiohttp import web

from . import views

app = web.Application()
app.router.add_get("/ping", views.handle_ping)
logging.getLogger(__name__).handle_ping = None


def also_named(handler) -> None:
    handler.handle_ping(None)
'''


def test_firmer_reasons_outrank_taking_the_request(tmp_path: Path) -> None:
    files = {"web/__init__.py": "", "web/views.py": VIEWS, "web/wiring.py": WIRING}
    markers_hold(tmp_path, files, "web/views.py")
