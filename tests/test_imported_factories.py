"""A function of another module of the project that builds anew, at every call, the client it
returns hands its caller a pool to close, as a factory of the caller's own module does (HB103):
searchconsole-mcp's ``client = await get_authenticated_client()`` in each tool. A getter handing out
a kept client, or a factory a cache keeps, does not."""

from __future__ import annotations

from pathlib import Path

from project_helpers import markers_hold

FACTORIES = '''\
import functools

import httpx
import requests

from app.settings import make_client

_SHARED = None


async def get_authenticated_client() -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url="https://search.example", timeout=60.0)


def new_session(token: str) -> requests.Session:
    session = requests.Session()
    session.headers["Authorization"] = token
    return session


def shared_session() -> requests.Session:
    global _SHARED
    if _SHARED is None:
        _SHARED = requests.Session()
    return _SHARED


@functools.lru_cache(maxsize=1)
def cached_client() -> httpx.Client:
    return httpx.Client(timeout=10)


def configured_client() -> httpx.Client:
    return make_client()


def given_client(client: httpx.Client) -> httpx.Client:
    return client
'''

SETTINGS = '''\
import httpx

CLIENT = httpx.Client(timeout=10)


def make_client() -> httpx.Client:
    return CLIENT
'''

TOOLS = '''\
from fastmcp import FastMCP

from app.factories import (
    cached_client, configured_client, get_authenticated_client, given_client, new_session, shared_session,
)
from app.settings import CLIENT

mcp = FastMCP("search")


@mcp.tool()
async def get_sites() -> list:
    client = await get_authenticated_client()  # expect: HB103 "client is created per request" "use `async with`"
    response = await client.get("/sites")
    return response.json()["siteEntry"]


@mcp.tool()
async def get_sites_closed() -> list:
    async with await get_authenticated_client() as client:  # ok: closed by `async with`
        return (await client.get("/sites")).json()["siteEntry"]


@mcp.tool()
def profile(token: str) -> dict:
    session = new_session(token)  # expect: HB103 "new_session() session is created per request" "'profile'"
    return session.get("https://search.example/me", timeout=5).json()


@mcp.tool()
def profile_closed(token: str) -> dict:
    session = new_session(token)  # ok: closed in finally
    try:
        return session.get("https://search.example/me", timeout=5).json()
    finally:
        session.close()


@mcp.tool()
def profile_shared() -> dict:
    session = shared_session()  # ok: a kept session handed out
    return session.get("https://search.example/me", timeout=5).json()


@mcp.tool()
def cached() -> dict:
    client = cached_client()  # ok: the cache keeps the one client
    return client.get("https://search.example/me").json()


@mcp.tool()
def configured() -> dict:
    client = configured_client()  # ok: another function of the project gives it, a kept one
    return client.get("https://search.example/me").json()


@mcp.tool()
def given() -> dict:
    client = given_client(CLIENT)  # ok: hands back what it is given
    return client.get("https://search.example/me").json()
'''


def test_a_client_factory_of_another_module_hands_its_caller_the_pool(tmp_path: Path) -> None:
    files = {"app/__init__.py": "", "app/factories.py": FACTORIES, "app/settings.py": SETTINGS,
             "app/tools.py": TOOLS}
    markers_hold(tmp_path, files, "app/tools.py")
