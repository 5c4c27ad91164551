"""A class of the project that builds an HTTP client into an attribute of its own and can close it
owns that client's pool: built per request and never closed, it leaks the pool as the client would
(HB103). An incident tool's ``HttpClient()``, made in a helper for every Jira attachment upload."""

from __future__ import annotations

from pathlib import Path

from project_helpers import markers_hold

HTTP = '''\
import httpx


class HttpClient:
    def __init__(self, client_kwargs=None):
        self._client = httpx.Client(**(client_kwargs or {}))
        self._client.timeout = httpx.Timeout(15, read=20)

    def get(self, url, **kwargs):
        return self._client.get(url, **kwargs)

    def close(self):
        self._client.close()


class Mirror:
    def __init__(self):
        self._session = None

    def get(self, url):
        return httpx.get(url, timeout=5)
'''

ATTACHMENTS = '''\
from app.http import HttpClient, Mirror


def add_attachments(issue, urls):
    http_client = HttpClient()  # expect: HB103 "(holding its own httpx.Client)" "`finally: http_client.close()`"
    for url in urls:
        issue.attach(http_client.get(url).content)
    scoped = HttpClient()  # ok: closed in finally
    try:
        scoped.get(urls[0])
    finally:
        scoped.close()
    configured = HttpClient({"timeout": 5})  # ok: an argument may lend it what it uses
    mirror = Mirror()  # ok: it holds no client of its own
    return configured, mirror
'''

VIEWS = '''\
from flask import Flask, request

from app.attachments import add_attachments

app = Flask(__name__)


@app.post("/issues/<int:issue_id>/attachments")
def attach(issue_id):
    return str(add_attachments(request.issue, request.json["urls"]))
'''


def test_a_project_class_owning_a_client_is_closed_as_one(tmp_path: Path) -> None:
    files = {"app/__init__.py": "", "app/http.py": HTTP, "app/attachments.py": ATTACHMENTS, "app/views.py": VIEWS}
    markers_hold(tmp_path, files, "app/attachments.py")


BASE = '''\
import httpx


class BaseAsyncClient:
    base_url = "http://localhost"

    def __init__(self):
        self._client = None

    async def __aenter__(self):
        if self._client is None:
            self._client = httpx.AsyncClient(base_url=self.base_url, timeout=10)
        return self

    async def __aexit__(self, *exc):
        await self._client.aclose()
        self._client = None

    async def _get(self, path):
        if self._client is None:
            await self.__aenter__()  # used without `async with`: it opens its pool itself
        return (await self._client.get(path)).json()
'''

ENSEMBL = '''\
from app.base import BaseAsyncClient


class EnsemblClient(BaseAsyncClient):
    base_url = "https://rest.ensembl.org"

    async def orthologs(self, symbol):
        return await self._get("/homology/symbol/human/" + symbol)


class Offline:
    async def orthologs(self, symbol):
        return []
'''

TOOLS = '''\
from fastmcp import FastMCP

from app.ensembl import EnsemblClient, Offline

mcp = FastMCP("structures")


@mcp.tool()
async def shifts(symbol: str) -> list:
    ensembl = EnsemblClient()  # expect: HB103 "EnsemblClient() (holding its own httpx.AsyncClient)" "use `async with`"
    return await ensembl.orthologs(symbol)


@mcp.tool()
async def scoped_shifts(symbol: str) -> list:
    async with EnsemblClient() as ensembl:  # ok: closed by `async with`
        return await ensembl.orthologs(symbol)


@mcp.tool()
async def offline_shifts(symbol: str) -> list:
    return await Offline().orthologs(symbol)  # ok: holds no client
'''


def test_a_subclass_of_a_class_owning_a_client_owns_one_too(tmp_path: Path) -> None:
    """alphafold-sovereign-mcp's ``EnsemblClient(BaseAsyncClient)``: the base opens its pool in
    ``__aenter__`` (or lazily, from a request, without ``async with``); a subclass of another module
    built per call and never closed leaks it as the base would."""
    files = {"app/__init__.py": "", "app/base.py": BASE, "app/ensembl.py": ENSEMBL, "app/tools.py": TOOLS}
    markers_hold(tmp_path, files, "app/tools.py")


def test_a_subclass_beside_its_base_owns_the_client_too(tmp_path: Path) -> None:
    """ghl-pro-mcp's ``GhlClient(BaseHttpClient)`` in the module of its base: the index finds the
    subclass in the same pass as the base, not only in a module read after it."""
    files = {"app/__init__.py": "", "app/base.py": BASE,
             "app/ensembl.py": BASE.replace("import httpx\n", "import httpx\n\n") + ENSEMBL.split("\n", 1)[1],
             "app/tools.py": TOOLS}
    markers_hold(tmp_path, files, "app/tools.py")
