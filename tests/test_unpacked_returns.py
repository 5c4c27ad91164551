"""A helper of another module that returns a tuple (``return TickTickClient(token), project_id``)
types the names its callers unpack it into (``client, project = get_client(db)``): each takes what
that item of every ``return`` may be, and the graph follows the calls made on it (a task tracker's
sync client, pushed to from an async route)."""

from __future__ import annotations

from pathlib import Path

from project_helpers import markers_hold

CLIENT = '''\
import subprocess


class TickTick:
    def __init__(self, token):
        self.token = token

    def push(self, task):
        subprocess.run(["ticktick-cli", "push", task])


class Offline:
    def push(self, task):
        return task


def get_client(db):
    token = db.get("ticktick_token")
    return TickTick(token), db.get("project")


def get_pair(db):
    if db.get("offline"):
        return Offline(), "local"
    return TickTick(db.get("ticktick_token")), "remote"


def get_maybe(db):
    if db.get("offline"):
        return None
    return TickTick(db.get("ticktick_token")), "remote"


def iter_clients(db):
    yield TickTick(db.get("ticktick_token")), "remote"
'''

ROUTES = '''\
from fastapi import FastAPI

from tracker.client import get_client, get_maybe, get_pair, iter_clients

app = FastAPI()


@app.post("/tasks/push")
async def push(task: str, db=None):
    client, project = get_client(db)
    client.push(task)  # expect: HB601 "client.push() blocks the event loop" "subprocess.run()"
    return {"project": project}


@app.post("/tasks/either")
async def either(task: str, db=None):
    client, where = get_pair(db)
    client.push(task)  # expect: HB601 "client.push() blocks the event loop"
    return {"where": where}


@app.post("/tasks/maybe")
async def maybe(task: str, db=None):
    client, where = get_maybe(db)
    client.push(task)  # ok: one return gives no tuple: nothing known of the items
    return {"where": where}


@app.post("/tasks/each")
async def each(task: str, db=None):
    for client, where in iter_clients(db):
        client.push(task)  # ok: a generator's items are not unpacked from a return
    project, client = get_client(db)
    client.push(task)  # ok: the second item is the project, not the client
    return {"task": task}
'''


def test_a_returned_tuple_types_the_names_it_is_unpacked_into(tmp_path: Path) -> None:
    files = {"tracker/__init__.py": "", "tracker/client.py": CLIENT, "tracker/routes.py": ROUTES}
    markers_hold(tmp_path, files, "tracker/routes.py")
