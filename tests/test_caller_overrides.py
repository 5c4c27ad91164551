"""A parameter of no declared kind stored beside the code's own default is the caller's override
(a test's fake): the attribute holds what the code builds or names. ``self.cert = cert or cert_mod``
(a module imported under another name) and ``self.signer = signer`` then ``if self.signer is None:
self.signer = Signer()`` (an e-invoicing app whose views reach openssl through both)."""

from __future__ import annotations

from pathlib import Path

from project_helpers import markers_hold

CRYPTO = '''\
import subprocess


def generate_key(path):
    return subprocess.check_output(["openssl", "genpkey", "-out", path])  # expect: HB204 "handler 'onboard'"


class Signer:
    def sign(self, document):
        return subprocess.check_output(["openssl", "dgst", "-sign", "k.pem"], input=document)  # expect: HB204 "'sign'"


class Archiver:
    def store(self, document):
        return subprocess.check_output(["openssl", "cms", "-compress"], input=document)  # expect: HB204 "archive"


class Verifier:
    def verify(self, document):
        return subprocess.check_output(["openssl", "dgst", "-verify", "p.pem"], input=document)  # ok: declared
'''

SERVICE = '''\
from app import crypto as cert_mod
from app.crypto import Archiver, Signer, Verifier


class Phase2Service:
    def __init__(self, certificate_service=None, signer=None, verifier: "Checker | None" = None, archiver=None):
        self.cert_service = certificate_service or cert_mod
        self.signer = signer
        if self.signer is None:
            self.signer = Signer()
        self.verifier = verifier
        if self.verifier is None:
            self.verifier = Verifier()
        # an if/else between the caller's and the code's own: both are read (a class of the project is known)
        if archiver is not None:
            self.archiver = archiver
        else:
            self.archiver = Archiver()

    def archive(self, document):
        return self.archiver.store(document)

    def onboard(self):
        return self.cert_service.generate_key("key.pem")

    def sign(self, document):
        return self.signer.sign(document)

    def verify(self, document):
        return self.verifier.verify(document)
'''

CHECKER = '''\
class Checker:
    def verify(self, document):
        return True
'''

VIEWS = '''\
from flask import Flask, request

from app.service import Phase2Service

app = Flask(__name__)


@app.post("/onboard")
def onboard():
    return Phase2Service().onboard()


@app.post("/sign")
def sign():
    return Phase2Service().sign(request.data)


@app.post("/verify")
def verify():
    return Phase2Service().verify(request.data)


@app.post("/archive")
def archive():
    return Phase2Service().archive(request.data)
'''


def test_a_parameter_beside_the_codes_own_default_is_an_override(tmp_path: Path) -> None:
    files = {"app/__init__.py": "", "app/crypto.py": CRYPTO, "app/service.py": SERVICE, "app/views.py": VIEWS,
             "app/checker.py": CHECKER}
    markers_hold(tmp_path, files, "app/crypto.py")


FETCH = '''\
import urllib.request
from typing import Any, Callable, Optional


def _default_fetch(url):
    with urllib.request.urlopen(url, timeout=15) as response:  # expect: HB601 "handler 'sync_trash'"
        return response.read()


def _fetch_text(url):
    with urllib.request.urlopen(url, timeout=15) as response:  # expect: HB601 "handler 'sync_text'"
        return response.read().decode()


def fetch_json(url: str, fetcher: Any | None = None):
    return (fetcher or _default_fetch)(url)


def fetch_text(url: str, fetcher: Optional[Callable[[str], str]] = None):
    read = fetcher or _fetch_text
    return read(url)


def post_json(request, opener=None):
    do_open = opener or urllib.request.urlopen
    with do_open(request, timeout=120) as response:  # expect: HB601 "handler 'post_report'"
        return response.read()


def post_text(request, opener=None):
    do_open = opener or request.opener  # not the code's own: nothing known
    with do_open(request, timeout=120) as response:
        return response.read()
'''

TOOLS = '''\
from fastapi import FastAPI

from app.fetch import fetch_json, fetch_text, post_json, post_text

app = FastAPI()


@app.post("/trash/sync")
async def sync_trash():
    return fetch_json("https://trash-guides.info/desired.json")


@app.post("/text/sync")
async def sync_text():
    return fetch_text("https://trash-guides.info/desired.txt")


@app.post("/report")
async def post_report():
    return post_json("https://ara.example/report"), post_text("https://ara.example/text")
'''


def test_a_declared_parameter_before_a_function_of_the_module_is_an_override(tmp_path: Path) -> None:
    """arr-py-client: ``(fetcher or _default_fetch)(url)`` with ``fetcher: Any | None`` calls the
    module's own function unless a caller (a test) passes one; so does akeyless-agentcore-rta's
    ``do_open = opener or urllib.request.urlopen``, a function of an imported module."""
    files = {"app/__init__.py": "", "app/fetch.py": FETCH, "app/tools.py": TOOLS}
    markers_hold(tmp_path, files, "app/fetch.py")
