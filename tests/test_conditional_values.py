"""`X() if flag else None`: a `None` side holds nothing a call could be made on, so the value is an X
wherever it is called (k8s-explorer-mcp's `self.permission_checker = PermissionChecker(...) if
check_permissions else None`, awaited from its async tools). Read the same by the rules in the module
and by the project index for a caller in another module; two known sides still have to agree."""

from __future__ import annotations

from pathlib import Path

from project_helpers import markers_hold

CHECKS = '''\
import requests

HOST = "https://checks.example.org"


class Checker:
    def allowed(self, user):
        found = requests.get(f"{HOST}/allowed/{user}", timeout=5)  # expect: HB601 "via Service.allowed() -> Checker"
        return found.ok


class Other:
    def allowed(self, user):
        return True


class Service:
    def __init__(self, check):
        self.checker = Checker() if check else None
        self.either = Checker() if check else Other()

    def allowed(self, user):
        return self.checker is None or self.checker.allowed(user)

    def maybe(self, user):
        return self.either.allowed(user)  # ok: Checker or Other, the sides disagree


def fetch(pooled):
    session = requests.Session() if pooled else None  # expect: HB103 "requests.Session() session is created per call"
    return session.get(f"{HOST}/status")  # expect: HB201 "session.get() has no timeout"
'''

VIEWS = '''\
from fastapi import FastAPI

from .checks import Service

app = FastAPI()
SERVICE = Service(check=True)


@app.get("/allowed/{user}")
async def allowed(user: str):
    return SERVICE.allowed(user)  # expect: HB601 "SERVICE.allowed() blocks"
'''


def test_a_none_side_of_a_conditional_leaves_the_other(tmp_path: Path) -> None:
    files = {"app/__init__.py": "", "app/checks.py": CHECKS, "app/views.py": VIEWS}
    markers_hold(tmp_path, files, "app/checks.py")
    markers_hold(tmp_path, files, "app/views.py")


# `provider if provider is not None else OCAuthProvider(...)`: a parameter beside what the code
# builds is an override the caller may inject (a test's fake); else the value is what the code
# builds, as `provider or OCAuthProvider(...)` already was (mcp-for-ocp-graphql's login route).
PROVIDER = '''\
import httpx


class TokenProvider:
    def __init__(self, endpoint):
        self.endpoint = endpoint

    def complete_login(self, token):
        with httpx.Client(timeout=30) as client:
            return client.post(self.endpoint, json={"token": token})  # expect: HB601 "via TokenProvider"
'''

APP = '''\
import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from .provider import TokenProvider


def build_app(provider=None, fetcher=None):
    auth = provider if provider is not None else TokenProvider("https://id.example.org/token")
    client = fetcher if fetcher is not None else httpx.Client(timeout=10)
    given = provider if provider else fetcher  # ok: two parameters, nothing built

    async def login(request: Request):
        form = await request.form()
        auth.complete_login(form["token"])  # expect: HB601 "auth.complete_login() blocks"
        client.get("https://id.example.org/ping")  # expect: HB601 "client.get() blocks"
        given.complete_login(form["token"])  # ok: HB601 a receiver of unknown kind
        return JSONResponse({})

    return Starlette(routes=[Route("/login", login, methods=["POST"])])
'''


def test_a_parameter_beside_a_built_value_is_the_callers_override(tmp_path: Path) -> None:
    files = {"web/__init__.py": "", "web/provider.py": PROVIDER, "web/app.py": APP}
    markers_hold(tmp_path, files, "web/provider.py")
    markers_hold(tmp_path, files, "web/app.py")
