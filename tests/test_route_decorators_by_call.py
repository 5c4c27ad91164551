"""A route decorator applied by a call registers its argument as the decorator would:
``app.get("/ping")(ping)`` (mlflow's scoring server), ``blueprint.route("/_solara/auth/login")(login)``
(solara), ``bp.route(app.config["SECURITY_LOGIN_URL"], methods=["GET", "POST"])(login)`` (udata,
flask-security) and ``app.websocket("/vertex_ai/live")(passthrough)`` (litellm), in the module or
naming a view of another. A path literal or a keyword only routes take tells the call from a
mapping's ``config.get("FILTER")(cert)``, which registers nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from project_helpers import markers_hold

VIEWS = '''import subprocess
import time


async def ping():
    time.sleep(0.5)  # expect: HB601 "handler 'ping'"
    return "ok"


def login():
    return subprocess.check_output(["kinit", "-R"])  # expect: HB204 "handler 'login'"


def export():
    return subprocess.check_output(["pg_dump", "shop"])  # expect: HB204 "handler 'export'"


async def live(websocket):
    time.sleep(1)  # expect: HB601 "handler 'live'"


def rotate(cert):
    return subprocess.check_output(["certbot", "renew", cert])  # ok: HB204 a config filter, not a route


def parse_plain(value):
    time.sleep(0.1)
    return value
'''

ROUTES = '''from fastapi import FastAPI
from flask import Blueprint, current_app

from . import views
from .views import live, login, ping

app = FastAPI()
bp = Blueprint("auth", __name__)
PARSERS = {}


def build(config):
    app.get("/ping")(ping)
    app.websocket("/live")(live)
    bp.route(config["LOGIN_URL"], methods=["GET", "POST"], endpoint="login")(login)
    bp.route("/export")(views.export)


def renew(cert):
    if current_app.config.get("ROTATE_FILTER")(views.rotate):
        PARSERS.get("plain", views.parse_plain)(cert)
'''


def _files(routes: str = ROUTES) -> dict:
    return {"app/__init__.py": "", "app/views.py": VIEWS, "app/routes.py": routes}


def test_a_route_decorator_applied_by_a_call_registers_its_argument(tmp_path: Path) -> None:
    markers_hold(tmp_path, _files(), "app/views.py")


ONE_MODULE = '''import subprocess
import time

from fastapi import FastAPI

app = FastAPI()


async def ping():
    time.sleep(0.5)  # expect: HB601 "handler 'ping'"


def probe():
    return subprocess.check_output(["pg_isready"])  # ok: HB204 handed to a mapping's get, not a route


@app.get("/health")
def health():
    return subprocess.check_output(["systemctl", "is-active", "shop"])  # expect: HB204 "handler 'health'"


app.get("/ping")(ping)
CHECKS = {}
CHECKS.get("db", probe)()
'''


def test_a_route_decorator_applied_in_the_module_of_its_view(tmp_path: Path) -> None:
    markers_hold(tmp_path, {"app/__init__.py": "", "app/main.py": ONE_MODULE}, "app/main.py")


@pytest.mark.parametrize("call", [
    'app.get(path)(ping)',  # a path of unknown value and no keyword of a route: maybe a mapping's get
    'mock.patch("/ping")(ping)',  # a test double's decorator
    'config.get("/ping")',  # nothing applied
])
def test_a_call_not_declaring_a_route_registers_nothing(tmp_path: Path, call: str) -> None:
    module = ONE_MODULE.replace('app.get("/ping")(ping)', call)
    module = module.replace('  # expect: HB601 "handler \'ping\'"', "")
    names = "app = FastAPI()\npath = '/ping'\nconfig = {}\nfrom unittest import mock"
    module = module.replace("app = FastAPI()", names)
    markers_hold(tmp_path, {"app/__init__.py": "", "app/main.py": module}, "app/main.py")
