"""A declaration whose annotation says nothing of the value (`method: Callable`, `Any`) binds no
kind: the values assigned after it say what the name holds (udata's `method: Callable` before a
`match`, here an `if` that Python 3.9 parses, picking `requests.post`, `put` or `delete`). Read the
same by the rules in the module and by the project index for a caller in another module."""

from __future__ import annotations

from pathlib import Path

from project_helpers import markers_hold

EVENTS = '''\
from typing import Any, Callable

import requests

HOOK = "https://hooks.example.org/resources"


def publish(action, payload):
    method: Callable
    if action == "created":
        method = requests.post
    elif action == "modified":
        method = requests.put
    else:
        method = requests.delete
    return method(HOOK, json=payload)  # expect: HB201 "via publish()", HB601 "via publish()"


def fetch(path):
    getter: Callable[..., requests.Response] = requests.get
    return getter(f"{HOOK}/{path}")  # expect: HB201 "via fetch()", HB601 "via fetch()"


def head(path):
    checker: Any = requests.head
    return checker(f"{HOOK}/{path}", timeout=5)  # expect: HB601 "checker() blocks the event loop" "via head()"


def session_of(path, session: requests.Session):
    kept: Any = session
    return kept.get(f"{HOOK}/{path}")  # expect: HB201 "kept.get() has no timeout" "function 'session_of'"
'''

API = '''\
from fastapi import FastAPI

from .events import fetch, head, publish

app = FastAPI()


@app.post("/resources/{rid}")
async def update(rid: str):
    publish("modified", {"id": rid})  # ok: HB601 one of three library calls: reported at the call in the helper
    fetch(rid)  # expect: HB601 "fetch() blocks the event loop" "it runs requests.get() at app/events.py:21"
    head(rid)  # expect: HB601 "head() blocks the event loop" "it runs requests.head() at app/events.py:26"
    return {"id": rid}
'''


def test_a_kindless_annotation_leaves_the_name_to_its_values(tmp_path: Path) -> None:
    files = {"app/__init__.py": "", "app/events.py": EVENTS, "app/api.py": API}
    markers_hold(tmp_path, files, "app/events.py")
    markers_hold(tmp_path, files, "app/api.py")
