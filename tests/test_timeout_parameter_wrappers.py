"""Wrappers whose timeout parameter gives none by default (summary._timeout_params): a call that
leaves the parameter out is reported like the call the wrapper makes (HB201/HB202), in any
module of the project; a wrapper that gives a timeout of its own, or a call that passes one, is
not."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Dict

import pytest

from flake8_handler_block.engine import check_source
from flake8_handler_block.project.summary import _timeout_params, summarise
from project_helpers import markers_hold, write_project

HTTP = '''\
import urllib.request
from urllib.request import build_opener

import requests

UNSET = object()


def fetch(url, timeout=None):
    return requests.get(url, timeout=timeout)


def fetch_json(url, *, wait=None):
    return requests.get(url, timeout=wait).json()


def certified_urlopen(url, data=None, timeout=UNSET, *, local_site=None):
    options: dict = {"data": data}
    if timeout is not UNSET:
        options["timeout"] = timeout
    opener = build_opener()
    return opener.open(url, **options)


def post(url, body, timeout=None, **kwargs):
    if timeout:
        kwargs["timeout"] = timeout
    return requests.post(url, data=body, **kwargs)


def layered(url, timeout=None):
    return fetch(url, timeout=timeout)


def with_default(url, timeout=None):
    timeout = timeout or 10
    return requests.get(url, timeout=timeout)


def numeric_default(url, timeout=10):
    return requests.get(url, timeout=timeout)


def always_bounded(url, timeout=UNSET):
    options = {"data": None, "timeout": 5}
    if timeout is not UNSET:
        options["timeout"] = timeout
    return urllib.request.urlopen(url, **options)


def unconditional(url, timeout=UNSET):
    options = {}
    options["timeout"] = timeout
    return urllib.request.urlopen(url, **options)


def changed_elsewhere(url, timeout=None, **kwargs):
    if timeout is not None:
        kwargs["timeout"] = timeout
    kwargs.update(DEFAULTS)
    return requests.get(url, **kwargs)


DEFAULTS = {"timeout": 3}


class Client:
    def __init__(self, base):
        self.base = base

    def request(self, path, timeout=None):
        return requests.get(self.base + path, timeout=timeout)
'''

VIEWS = '''\
from flask import Flask

from .http import (Client, always_bounded, certified_urlopen, changed_elsewhere, fetch, fetch_json, layered,
                   numeric_default, post, unconditional, with_default)

app = Flask(__name__)
OPTIONS = {}


@app.route("/proxy")
def proxy():
    fetch("https://example.com")  # expect: HB201 "fetch() passes no timeout on to requests.get()" "handler 'proxy'"
    fetch("https://example.com", timeout=3)  # ok: HB201 given
    fetch("https://example.com", 3)  # ok: HB201 given in its place
    fetch("https://example.com", None)  # expect: HB201 "fetch() passes timeout=None on to requests.get()"
    fetch_json("https://example.com", wait=None)  # expect: HB201 "passes wait=None on to"
    fetch("https://example.com", **OPTIONS)  # ok: HB201 maybe given
    fetch_json("https://example.com")  # expect: HB201 "pass wait=(connect, read)"
    fetch_json("https://example.com", wait=2)  # ok: HB201 given under the wrapper's name
    certified_urlopen("https://example.com")  # expect: HB202 "on to urllib.request.build_opener.open()"
    certified_urlopen("https://example.com", None, 5)  # ok: HB202 given in its place
    certified_urlopen("https://example.com", timeout=5, local_site=None)  # ok: HB202 given
    post("https://example.com", b"x")  # expect: HB201 "post() passes no timeout on to requests.post()"
    post("https://example.com", b"x", 4)  # ok: HB201 given in its place
    layered("https://example.com")  # expect: HB201 "via fetch()"
    with_default("https://example.com")  # ok: HB201 the wrapper sets a default
    numeric_default("https://example.com")  # ok: HB201 the default is a number
    always_bounded("https://example.com")  # ok: HB202 the dict starts with a timeout
    unconditional("https://example.com")  # ok: HB202 the sentinel itself is passed: not this shape
    changed_elsewhere("https://example.com")  # ok: HB201 the dict is updated from elsewhere
    Client("https://example.com").request("/a")  # expect: HB201 "Client(...).request() passes no timeout"
    Client("https://example.com").request("/a", 2)  # ok: HB201 given in its place (self is not counted)
    return "ok"
'''


def test_calls_that_leave_a_wrappers_timeout_parameter_out(tmp_path: Path) -> None:
    markers_hold(tmp_path, {"app/__init__.py": "", "app/http.py": HTTP, "app/views.py": VIEWS}, "app/views.py")


JOBS = '''\
from .http import fetch


def nightly(url):
    fetch(url)  # expect: HB201 "function 'nightly'"
    fetch(url, 5)  # ok: HB201 given in its place
'''


def test_a_module_whose_only_network_call_is_a_wrapper_call(tmp_path: Path) -> None:
    """The text of ``jobs.py`` names nothing of the catalogue (the words are in ``http.py``): the
    gate still lets it through, since the project says it calls a wrapper that passes on no timeout."""
    markers_hold(tmp_path, {"app/__init__.py": "", "app/http.py": HTTP, "app/jobs.py": JOBS}, "app/jobs.py")


def test_the_wrappers_themselves_are_not_reported(tmp_path: Path) -> None:
    """The wrapper passes its caller's timeout on: the defect is at the call that gives none."""
    root = write_project(tmp_path, {"pyproject.toml": "", "app/__init__.py": "", "app/http.py": HTTP})
    found = [m for _l, _c, m in check_source(HTTP, str(root / "app/http.py")) if m[:5] in ("HB201", "HB202")]
    assert found == []


@pytest.mark.parametrize(
    "source, expected",
    [
        ("def f(url, timeout=None):\n    return g(url, timeout=timeout)\n", {"timeout": "None"}),
        ("def f(url, t: 'float | None' = None):\n    return g(url, timeout=t)\n", {"t": "None"}),
        ("def f(url, timeout=None):\n    timeout = timeout or 5\n    return g(url, timeout=timeout)\n", {}),
        ("def f(url, timeout=3):\n    return g(url, timeout=timeout)\n", {}),
        (
            "def f(url, timeout=UNSET):\n    kw = {'a': 1}\n    if timeout is not UNSET:\n"
            "        kw['timeout'] = timeout\n    return g(url, **kw)\n",
            {"**kw": "timeout"},
        ),
        (  # a default that is a timeout: `if timeout:` holds when it is left out
            "def f(url, timeout=TIMEOUT):\n    kw = {}\n    if timeout:\n        kw['timeout'] = timeout\n"
            "    return g(url, **kw)\n",
            {},
        ),
        (  # ...and the sentinel is not what the test compares with
            "def f(url, timeout=UNSET):\n    kw = {}\n    if timeout is not None:\n        kw['timeout'] = timeout\n"
            "    return g(url, **kw)\n",
            {},
        ),
        (  # the key set whatever the parameter holds
            "def f(url, timeout=UNSET):\n    kw = {}\n    kw['timeout'] = timeout\n    return g(url, **kw)\n",
            {},
        ),
        (  # bound twice: what it holds at the call is not known
            "def f(url, timeout=None):\n    kw = {}\n    kw = make()\n    if timeout:\n"
            "        kw['timeout'] = timeout\n    return g(url, **kw)\n",
            {"timeout": "None"},
        ),
        (  # the function's own **kwargs, never bound again
            "def f(url, timeout=None, **kw):\n    if timeout is not None:\n        kw['timeout'] = timeout\n"
            "    return g(url, **kw)\n",
            {"timeout": "None", "**kw": "timeout"},
        ),
        (  # a nested function's binding is its own
            "def f(url, timeout=None):\n    def inner():\n        timeout = 5\n        return timeout\n"
            "    return g(url, timeout=timeout)\n",
            {"timeout": "None"},
        ),
    ],
)
def test_timeout_params(source: str, expected: Dict[str, str]) -> None:
    function = ast.parse(source).body[0]
    assert _timeout_params(function) == expected


def test_the_summary_records_the_parameter(tmp_path: Path) -> None:
    summary = summarise(HTTP.encode(), "app.http", "app/http.py", False)
    params = {
        fn.qualname: [forward.param for forward in forwards.forwards]
        for fn, forwards in zip(summary.facts.functions, summary.functions)
        if forwards.forwards
    }
    assert params == {
        "fetch": ["timeout"],
        "fetch_json": ["wait"],
        "certified_urlopen": ["timeout"],
        "post": ["timeout"],
        "layered": ["timeout"],
        "Client.request": ["timeout"],
    }
