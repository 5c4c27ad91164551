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
        time.sleep(0.1)  # expect: HB601 "handler 'Auth.dependency.<locals>.require_session' via Auth.refresh()"
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


# A framework's own controllers (django-matt's inspector): `@get("stats")` registers the method under
# a path with a decorator of the package itself, which no table knows; a call of a method of that name
# anywhere else (`storage.get_stats()`, another class's `get_stats`) does not make it a helper.
CONTROLLERS = '''\
from django.http import HttpRequest, JsonResponse

from .routing import get, post
from .storage import get_storage


class InspectorController:
    @get("stats")
    async def get_stats(self, request: HttpRequest) -> JsonResponse:
        return JsonResponse(get_storage().get_stats())  # expect: HB601 "handler 'InspectorController.get_stats'"

    @post("pause")
    async def pause_capture(self, request: HttpRequest) -> JsonResponse:
        get_storage().pause_capture()  # expect: HB601 "handler 'InspectorController.pause_capture'"
        return JsonResponse({"ok": True})

    @staticmethod
    async def read_stats(request: HttpRequest) -> dict:
        return get_storage().get_stats()  # expect: HB601 "handler 'summary' via InspectorController.read_stats()"


async def summary(request: HttpRequest) -> dict:
    return await InspectorController.read_stats(request)
'''

STORAGE = '''\
import redis


class RedisStorage:
    def __init__(self) -> None:
        self._redis = redis.Redis.from_url("redis://localhost", socket_timeout=5)

    def get_stats(self) -> dict:
        return {"n": self._redis.llen("requests")}

    def pause_capture(self) -> None:
        self._redis.set("capturing", "0")


def get_storage() -> RedisStorage:
    return RedisStorage()
'''

ROUTING = '''\
def get(path):
    def register(view):
        return view
    return register


post = get
'''


def test_a_method_a_decorator_registers_under_a_path_stays_a_handler(tmp_path: Path) -> None:
    files = {"matt/__init__.py": "", "matt/controllers.py": CONTROLLERS, "matt/storage.py": STORAGE,
             "matt/routing.py": ROUTING}
    markers_hold(tmp_path, files, "matt/controllers.py")
