"""A client handed to a function of the module that only uses it (calls its methods, reads it, hands it
to such a function in turn) is still the caller's to close: cnipa-mcp's login sessions lent to
``mint()`` and ``add_cookies_to_session()``, alphafold-sovereign-mcp's client lent to a resolver."""

from __future__ import annotations

from pathlib import Path

from project_helpers import markers_hold

QUERY = '''\
import requests
from flask import Flask

app = Flask(__name__)
SESSIONS = []


def mint(session, url):
    return session.get(url, timeout=10).json()["token"]


def add_cookies(session, cookies):
    for name, value in cookies.items():
        session.cookies.set(name, value)
    return mint(session, "https://cnipa/token")


def close_after(session, url):
    try:
        return session.get(url, timeout=10).text
    finally:
        session.close()


def keep(session):
    SESSIONS.append(session)


def wrap(session):
    return {"session": session}


def later(session):
    return lambda: session.get("https://cnipa/ping", timeout=10)


def forward(session, url):
    return requests.adapters.HTTPAdapter().send(session, url)


@app.get("/r1/<number>")
def query_patent(number: str) -> str:
    session = requests.Session()  # expect: HB103 "handler 'query_patent'"
    token = add_cookies(session, {"lang": "en"})
    return token + mint(session, "https://cnipa/" + number)


@app.get("/r2/<number>")
def closed_by_helper(number: str) -> str:
    session = requests.Session()  # ok: the helper closes it in a finally
    return close_after(session, "https://cnipa/" + number)


@app.get("/r3/<number>")
def kept_by_helper(number: str) -> str:
    session = requests.Session()  # ok: the helper keeps it in a module list
    keep(session)
    return number


@app.get("/r4/<number>")
def returned_by_helper(number: str) -> dict:
    session = requests.Session()  # ok: the helper hands it back inside a dict
    return wrap(session)


@app.get("/r5/<number>")
def captured_by_helper(number: str):
    session = requests.Session()  # ok: the helper's lambda keeps it
    return later(session)


@app.get("/r6/<number>")
def passed_on_by_helper(number: str):
    session = requests.Session()  # ok: the helper passes it to a call that may keep it
    return forward(session, number)


@app.get("/r7/<number>")
def unpacked(number: str) -> str:
    session = requests.Session()  # ok: `*args` may bind it anywhere
    args = (session, "https://cnipa/" + number)
    return mint(*args)
'''


def test_a_client_lent_to_a_function_that_only_uses_it_is_still_to_close(tmp_path: Path) -> None:
    markers_hold(tmp_path, {"app/__init__.py": "", "app/query.py": QUERY}, "app/query.py")
