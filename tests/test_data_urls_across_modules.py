"""`urlopen()` of a `data:` URL is decoded in memory: a sync helper of another module that opens
one only under `if value.startswith("data:")` does not block the async handler calling it (agno's
AG-UI `_decode_base64`), while one that may open any URL does."""

from __future__ import annotations

from pathlib import Path

from project_helpers import markers_hold

MEDIA = '''\
import base64
import urllib.request


def decode(value):
    if value.startswith("data:"):
        return urllib.request.urlopen(value).read()
    return base64.b64decode(value)


def decode_inline(value):
    return urllib.request.urlopen(f"data:text/plain;base64,{value}").read()


def fetch(value):
    return urllib.request.urlopen(value, timeout=10).read()
'''

ROUTES = '''\
from fastapi import FastAPI

from .media import decode, decode_inline, fetch

app = FastAPI()


@app.post("/media")
async def upload(body: dict):
    first = decode(body["image"])  # ok: HB601 only a data: URL is opened, in memory
    second = decode_inline(body["text"])  # ok: HB601 a data: URL written so
    third = fetch(body["url"])  # expect: HB601 "fetch() blocks the event loop" "urlopen()"
    return {"sizes": [len(first), len(second), len(third)]}
'''


def test_data_urls_opened_in_a_helper_do_not_block_the_loop(tmp_path: Path) -> None:
    files = {"app/__init__.py": "", "app/media.py": MEDIA, "app/routes.py": ROUTES}
    markers_hold(tmp_path, files, "app/routes.py")
