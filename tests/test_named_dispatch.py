"""A method looked up on ``self`` by a name the code computes (``getattr(self, route["call_method"])``)
is one its class's tables name (unmanic's API handlers list their endpoints as ``"call_method":
"install_plugin"`` and a shared base runs them). A handler of a view class no other class derives
from runs on that very class, so the lookup is that class's table alone: the chain names the handler
that can run it."""

from __future__ import annotations

from pathlib import Path

import pytest

from project_helpers import markers_hold

BASE = '''from tornado.web import RequestHandler


class BaseApiHandler(RequestHandler):
    routes = []

    def dispatch_route(self, path):
        for route in self.routes:
            if route["path"] == path:
                return {lookup}
'''

HANDLERS = '''import subprocess

from .base import BaseApiHandler


class FilesHandler(BaseApiHandler):
    routes = [{{"path": "/files", "call_method": "list_files"}}]

    def get(self, path):
        return self.dispatch_route(path)

    def list_files(self):
        return []


class PluginsHandler(BaseApiHandler):
    routes = [
        {{"path": "/plugins", "call_method": "list_plugins"}},
        {{"path": "/plugins/install", "call_method": "install_plugin"}},
    ]

    def get(self, path):
        return self.dispatch_route(path)

    def list_plugins(self):
        return []

    def install_plugin(self):
        subprocess.call(["pip", "install", "plugin"])  # {expect}

    def uninstall_plugin(self):
        subprocess.call(["pip", "uninstall", "plugin"])  # no table names it: never looked up
'''

URLS = '''from tornado.web import Application

from .handlers import FilesHandler, PluginsHandler

app = Application([(r"/api/files", FilesHandler), (r"/api/plugins", PluginsHandler)])
'''

EXPECTED = ("expect: HB204 \"handler 'PluginsHandler.get' via BaseApiHandler.dispatch_route() -> "
            "PluginsHandler.install_plugin()\"")


def _holds(tmp_path: Path, lookup: str, found: bool) -> None:
    files = {
        "app/__init__.py": "",
        "app/base.py": BASE.format(lookup=lookup),
        "app/handlers.py": HANDLERS.format(expect=EXPECTED if found else ""),
        "app/urls.py": URLS,
        "app/tasks.py": "import subprocess\n\n\ndef hourly():\n    subprocess.call(['sync'])\n",
    }
    if not found:  # something must be reported for the comparison to hold
        files["app/handlers.py"] += '''

class AdminHandler(BaseApiHandler):
    def post(self, path):
        subprocess.call(["reboot"])  # expect: HB204 "handler 'AdminHandler.post'"
'''
    markers_hold(tmp_path, files, "app/handlers.py")


def test_a_lookup_by_a_computed_name_runs_what_the_class_table_names(tmp_path: Path) -> None:
    _holds(tmp_path, 'getattr(self, route["call_method"])()', found=True)


@pytest.mark.parametrize("lookup", [
    'getattr(self, route["call_method"], None)()',  # the default may be what runs
    'getattr(route["handler"], route["call_method"])()',  # not the handler's own methods
])
def test_other_lookups_reach_nothing(tmp_path: Path, lookup: str) -> None:
    _holds(tmp_path, lookup, found=False)
