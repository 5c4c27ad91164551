"""A method a class registers as ``self.m`` serves the route for every subclass that overrides it:
the registering instance may be of the subclass (navigator-auth's ``ExternalAuth.configure()``
registers ``self.authenticate``, which ``AzureAuth`` overrides in another module)."""

from __future__ import annotations

from pathlib import Path

from project_helpers import markers_hold

BASE = '''\
from aiohttp import web
from aiohttp_security_helpers import login_required  # a library's wrapper


class ExternalAuth:
    def configure(self, app: web.Application) -> None:
        app.router.add_route("GET", "/login", self.authenticate)
        app.router.add_route("GET", "/profile", login_required(self.profile))

    async def authenticate(self, request: web.Request):
        return web.json_response({})

    async def lookup(self, request: web.Request):
        return web.json_response({})

    async def profile(self, request: web.Request):
        return web.json_response({})

'''

AZURE = '''\
import time

from .base import ExternalAuth


class AzureAuth(ExternalAuth):
    async def authenticate(self, request):
        time.sleep(1)  # expect: HB601 "handler 'AzureAuth.authenticate'"
        return None

    async def lookup(self, request):
        time.sleep(1)  # ok: an override of a method nothing registers
        return None

    async def profile(self, request):
        time.sleep(1)  # expect: HB601 "handler 'AzureAuth.profile'"
        return None


class Unrelated:
    async def authenticate(self, request):
        time.sleep(1)  # ok: not a subclass of the registering class
        return None
'''


def test_an_override_of_a_self_registered_method_is_a_handler(tmp_path: Path) -> None:
    files = {"auth/__init__.py": "", "auth/base.py": BASE, "auth/azure.py": AZURE}
    markers_hold(tmp_path, files, "auth/azure.py")
