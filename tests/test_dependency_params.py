"""A parameter whose default is ``Depends(get_client)`` (FastAPI, FastMCP) holds what calling
``get_client`` gives, when the parameter declares no kind of its own: a library client the function
builds, or an instance of a project class whose methods the handler then calls."""

from __future__ import annotations

from pathlib import Path

from project_helpers import markers_hold

CLIENTS = '''\
import requests


class Api:
    def export(self, day: str) -> dict:
        url = f"https://api.example/{day}"
        return requests.get(url).json()  # expect: HB201 "handler 'ingest'" "via Api.export()", HB601 "ingest"


def get_api() -> Api:
    return Api()


def get_session():
    session = requests.Session()
    session.headers["Authorization"] = "Bearer x"
    return session
'''

ROUTES = '''\
from fastapi import Depends, FastAPI
from fastmcp import FastMCP, dependencies

from .clients import get_api, get_session

app = FastAPI()
mcp = FastMCP("exports")


@app.get("/proxy")
def proxy(session=Depends(get_session)):
    return session.get("https://api.example/").json()  # expect: HB201 "handler 'proxy'"


@app.get("/timed")
def timed(session=Depends(get_session)):
    return session.get("https://api.example/", timeout=5).json()  # ok: HB201 a timeout is passed


@app.get("/other")
def other(session=Depends(dependency=get_session), token=Depends(lambda: "x")):
    return token.get("https://api.example/")  # ok: HB201 a lambda's result is not known


@mcp.tool()
async def ingest(day: str, client=dependencies.Depends(get_api)) -> dict:
    return client.export(day)  # expect: HB601 "handler 'ingest'" "it runs requests.get()"


@mcp.tool()
async def plain(day: str, client=None) -> dict:
    return client.export(day)  # ok: HB601 an unknown receiver
'''


def test_a_dependency_parameter_holds_what_its_function_gives(tmp_path: Path) -> None:
    files = {"app/__init__.py": "", "app/clients.py": CLIENTS, "app/routes.py": ROUTES}
    markers_hold(tmp_path, files, "app/routes.py")


def test_the_dependency_s_call_is_reached_from_the_handler(tmp_path: Path) -> None:
    files = {"app/__init__.py": "", "app/clients.py": CLIENTS, "app/routes.py": ROUTES}
    markers_hold(tmp_path, files, "app/clients.py")


STORES = '''\
import psycopg


class SqliteStore:
    def get(self, key: str) -> dict:
        return {"key": key}


class PostgresStore:
    def __init__(self, url: str) -> None:
        self.url = url

    def get(self, key: str) -> dict:
        with psycopg.connect(self.url) as conn:
            return dict(conn.execute("SELECT * FROM kv WHERE key = %s", (key,)).fetchone())


StoreLike = SqliteStore | PostgresStore
'''

ALIASED = '''\
from fastapi import FastAPI

from .stores import StoreLike

app = FastAPI()


def find(store: StoreLike | None, key: str) -> dict:
    return store.get(key) if store else {}


@app.get("/kv/{key}")
async def lookup(key: str):
    return find(app.state.store, key)  # expect: HB601 "find() blocks the event loop" "psycopg.connect()"
'''


def test_a_type_alias_of_a_union_names_each_class(tmp_path: Path) -> None:
    """``StoreLike = SqliteStore | PostgresStore`` in one module, ``store: StoreLike | None`` in another:
    the receiver may be either class, and reach follows both."""
    files = {"app/__init__.py": "", "app/stores.py": STORES, "app/routes.py": ALIASED}
    markers_hold(tmp_path, files, "app/routes.py")
