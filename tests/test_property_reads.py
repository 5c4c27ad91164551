"""A method's read of its own class's property runs the property's body in place, as a call would:
feast's and tiled's OIDC clients fetch their discovery document lazily in a property, on the event
loop of the async login that first reads it."""

from __future__ import annotations

from pathlib import Path

from project_helpers import markers_hold

OIDC = '''\
import functools

import httpx
import requests


class Discovery:
    def __init__(self, url):
        self.url = url
        self._data = None

    @property
    def data(self):
        if self._data is None:
            self._data = requests.get(self.url, timeout=5).json()  # expect: HB601 "-> Discovery.data stalls"
        return self._data

    @functools.cached_property
    def keys(self):
        return httpx.get(self.url + "/jwks").json()  # expect: HB601 "via Discovery.verify() -> Discovery.keys stalls"

    @property
    def name(self):
        return self.url.rsplit("/", 1)[-1]

    @name.setter
    def name(self, value):
        requests.post(self.url, json={"name": value}, timeout=5)  # ok: runs on a write (the name has two bodies)

    def token_url(self):
        return self.data["token_endpoint"]

    async def login(self, code):
        return {"token_url": self.token_url(), "code": code}  # expect: HB601 "line 15 via Discovery.data:"

    async def verify(self, token):
        return token in self.keys

    async def describe(self):
        return {"name": self.name}


class Other:
    async def peek(self, discovery: Discovery):
        return discovery.data  # ok: another class's property is not seen from here
'''

ROUTES = '''\
from fastapi import FastAPI

from .oidc import Discovery, Other

app = FastAPI()
DISCOVERY = Discovery("https://idp.example.org/.well-known/openid-configuration")


@app.post("/login")
async def login(code: str):
    return await DISCOVERY.login(code)


@app.post("/verify")
async def verify(token: str):
    return await DISCOVERY.verify(token)


@app.get("/describe")
async def describe():
    return await DISCOVERY.describe()


@app.get("/peek")
async def peek():
    return await Other().peek(DISCOVERY)
'''


def test_a_property_read_runs_its_body(tmp_path: Path) -> None:
    files = {"app/__init__.py": "", "app/oidc.py": OIDC, "app/routes.py": ROUTES}
    markers_hold(tmp_path, files, "app/oidc.py")
