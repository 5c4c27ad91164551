"""Dash apps: a function decorated ``@app.callback(...)`` on a ``Dash`` app, or with Dash's app-less
``@callback(...)``, runs in the HTTP request the browser sends when the callback fires: it is a
handler, whether the app is built in the module, imported from another or given as an annotated
parameter. A look-alike ``.callback`` of another class is not."""

from __future__ import annotations

from pathlib import Path

from project_helpers import markers_hold

APP = '''\
import subprocess

import dash
import requests
from dash import Dash, Input, Output, callback, html

from .hooks import Hooks

app = Dash(__name__)
hooks = Hooks()
app.layout = html.Div([html.Button(id="go"), html.Div(id="out")])


@app.callback(Output("out", "children"), Input("go", "n_clicks"))
def fetch(n_clicks):
    return requests.get("https://api.example/price").text  # expect: HB201 "handler 'fetch'"


@callback(Output("log", "children"), Input("go", "n_clicks"))
def build_log(n_clicks):
    return subprocess.check_output(["git", "log"])  # expect: HB204 "handler 'build_log'"


@dash.callback(Output("tail", "children"), Input("go", "n_clicks"))
def tail(n_clicks):
    return subprocess.check_output(["tail", "app.log"])  # expect: HB204 "handler 'tail'"


def register(board: Dash) -> None:
    @board.callback(Output("status", "children"), Input("go", "n_clicks"))
    def status(n_clicks):
        return subprocess.check_output(["uptime"])  # expect: HB204 "handler 'register.<locals>.status'"


@hooks.callback("ready")
def not_a_dash_callback():
    return subprocess.check_output(["true"])  # ok: HB204 Hooks is no Dash app
'''

PAGES = '''\
import subprocess

from dash import Input, Output

from .app import app


@app.callback(Output("disk", "children"), Input("go", "n_clicks"))
def disk(n_clicks):
    return subprocess.check_output(["du", "-s", "/srv"])  # expect: HB204 "handler 'disk'"
'''

HOOKS = '''\
class Hooks:
    def callback(self, name):
        return lambda function: function
'''


def test_dash_callbacks_are_handlers(tmp_path: Path) -> None:
    files = {"app/__init__.py": "", "app/app.py": APP, "app/hooks.py": HOOKS, "app/pages.py": PAGES}
    markers_hold(tmp_path, files, "app/app.py")
    markers_hold(tmp_path, files, "app/pages.py")
