"""``super().name()`` and ``super(Cls, self).name()`` in a method run the first base's ``name``: the
project index follows them like ``self.name()`` (nbdime's extension handler falls back to its base's
sync ``post``, which fetches a URL with requests, on the event loop)."""

from __future__ import annotations

from pathlib import Path

from project_helpers import markers_hold

SERVER = '''\
import requests
from tornado import web


class NbHandler(web.RequestHandler):
    def read_notebook(self, arg):
        return requests.get(arg).json()  # expect: HB201 "NbHandler.read_notebook()", HB601 "via ApiDiffHandler.post()"

    def local_notebook(self, path):
        with open(path) as f:
            return f.read()


class ApiDiffHandler(NbHandler):
    def post(self):
        self.finish(self.read_notebook(self.get_argument("base")))


class LocalHandler(NbHandler):
    def post(self):
        self.finish(self.local_notebook(self.get_argument("path")))
'''

EXTENSION = '''\
from tornado import web

from .server import ApiDiffHandler, LocalHandler


class BaseGitDiffHandler(ApiDiffHandler):
    def git_notebooks(self, ref):
        return {}


class ExtensionDiffHandler(BaseGitDiffHandler):
    async def post(self):
        base = self.get_argument("base")
        if base.startswith("git:"):
            self.finish(self.git_notebooks(base))
        else:
            super(ExtensionDiffHandler, self).post()  # expect: HB601 "super(...).post() blocks the event loop"


class ZeroArgHandler(BaseGitDiffHandler):
    async def post(self):
        super().post()  # expect: HB601 "super().post() blocks the event loop"


class LocalExtensionHandler(LocalHandler):
    async def post(self):
        super().post()  # ok: the base's post only reads a local file


class OtherClassHandler(ZeroArgHandler):
    async def post(self):
        super(BaseGitDiffHandler, self).post()  # ok: not the form super() stands for: not followed


class PlainHandler(web.RequestHandler):
    async def get(self):
        super().get()  # ok: a library base's method


def make_app():
    return web.Application([
        (r"/diff", ExtensionDiffHandler), (r"/zero", ZeroArgHandler), (r"/local", LocalExtensionHandler),
        (r"/other", OtherClassHandler), (r"/plain", PlainHandler),
    ])
'''


def _files() -> dict:
    return {"app/__init__.py": "", "app/server.py": SERVER, "app/extension.py": EXTENSION}


def test_super_calls_run_the_bases_method(tmp_path: Path) -> None:
    markers_hold(tmp_path, _files(), "app/extension.py")


def test_the_base_method_reached_through_super_names_the_chain(tmp_path: Path) -> None:
    markers_hold(tmp_path, _files(), "app/server.py")


# tiled's authenticators: the async login calls decode_token() of a subclass of a subclass, whose
# overrides each extend super()'s; the base's one fetches the signing keys with a sync client.
AUTHENTICATORS = '''\
import httpx


class OIDCAuthenticator:
    def keys(self):
        return httpx.get("https://idp.example.org/jwks").json()  # expect: HB601 "OIDCAuthenticator.decode_token() ->"

    def decode_token(self, token):
        return {"token": token, "keys": self.keys()}

    async def authenticate(self, token):
        return self.decode_token(token)  # expect: HB601 "it runs httpx.get()"


class ProxiedOIDCAuthenticator(OIDCAuthenticator):
    def decode_token(self, token):
        return super().decode_token(token.removeprefix("Bearer "))


class EntraAuthenticator(ProxiedOIDCAuthenticator):
    def decode_token(self, token):
        return super().decode_token(token.strip())

    async def authenticate(self, token):
        return self.decode_token(token)  # expect: HB601 "via ProxiedOIDCAuthenticator.decode_token() ->"


class CachedAuthenticator(ProxiedOIDCAuthenticator):
    def decode_token(self, token):
        return self.cached(token)

    def cached(self, token):
        return self.lookup(token)

    def lookup(self, token):
        return self.fetch(token)

    def fetch(self, token):
        return super().decode_token(token)

    async def authenticate(self, token):
        return self.decode_token(token)  # ok: four plain calls down before the override's super(): too deep to claim
'''

ROUTES = '''\
from fastapi import FastAPI

from .authenticators import CachedAuthenticator, EntraAuthenticator, OIDCAuthenticator

app = FastAPI()
AUTHENTICATORS = {"oidc": OIDCAuthenticator(), "entra": EntraAuthenticator(), "cached": CachedAuthenticator()}


@app.post("/login/oidc")
async def oidc_login(token: str):
    return await AUTHENTICATORS["oidc"].authenticate(token)


@app.post("/login/entra")
async def entra_login(token: str):
    return await EntraAuthenticator().authenticate(token)


@app.post("/login/cached")
async def cached_login(token: str):
    return await CachedAuthenticator().authenticate(token)
'''


def test_an_override_extending_super_is_no_call_deeper(tmp_path: Path) -> None:
    files = {"app/__init__.py": "", "app/authenticators.py": AUTHENTICATORS, "app/routes.py": ROUTES}
    markers_hold(tmp_path, files, "app/authenticators.py")
