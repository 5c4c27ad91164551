"""First-use set-up behind a module global the function keeps runs once per process, not on each
request: HB601 does not follow an event loop into it (kcpwd's `_detect_backend()` probes the keyring
once, then returns the kept answer). The same call with no global kept, or after the guarded
block, or behind a global some function resets (a reload), runs on a request and stays reported; a
missing timeout is reported wherever it is."""

from __future__ import annotations

from pathlib import Path

from project_helpers import markers_hold

SETUP = '''\
import subprocess

import requests

_backend = None
_token = None
_checked = False


def backend():
    global _backend
    if _backend is not None:
        return _backend
    _backend = subprocess.run(["keyring", "--list-backends"], capture_output=True, timeout=5).stdout  # ok: once
    return _backend


def token():
    global _token
    if _token is None:
        _token = requests.post("https://auth.example.org/token", timeout=5).json()  # ok: once per process
    return requests.get("https://auth.example.org/ping", timeout=5)  # expect: HB601 "via token()"


def checked():
    global _checked
    if not _checked:
        requests.get("https://auth.example.org/health", timeout=5)  # expect: HB601 "via checked()"
    return _checked


def local_cache(cache=None):
    if cache is None:
        cache = requests.get("https://auth.example.org/keys", timeout=5)  # expect: HB601 "via local_cache()"
    return cache


_headers = None
HEADERS = "https://auth.example.org/headers"


def headers():
    global _headers
    if _headers is not None:
        return _headers
    _headers = requests.get(HEADERS, timeout=5).json()  # expect: HB601 "via reload_headers() -> headers()"
    return _headers


def reload_headers():
    global _headers
    _headers = None  # a reload runs the set-up again, on the request that asks for it
    return headers()


def untimed():
    global _backend
    if _backend is None:
        _backend = requests.get("https://auth.example.org/backend")  # expect: HB201 "via untimed()"
    return _backend
'''

VIEWS = '''\
from fastapi import FastAPI

from .setup import backend, checked, local_cache, reload_headers, token, untimed

app = FastAPI()


@app.get("/")
async def index():
    first = backend(), untimed()  # ok: set-up kept in a global, once per process
    again = token(), checked()  # expect: HB601 "token() blocks", HB601 "checked() blocks"
    return first, again, local_cache()  # expect: HB601 "local_cache() blocks"


@app.post("/reload")
async def reload():
    return reload_headers()  # expect: HB601 "reload_headers() blocks"
'''


def test_first_use_setup_behind_a_kept_global_is_not_the_loop_s_work(tmp_path: Path) -> None:
    files = {"app/__init__.py": "", "app/setup.py": SETUP, "app/views.py": VIEWS}
    markers_hold(tmp_path, files, "app/setup.py")
    markers_hold(tmp_path, files, "app/views.py")
