"""Values reached by position rather than by name: a loop variable over a written tuple of values
(each of them in turn), and pymongo's databases and collections taken by subscript from a client
(``client["shop"]["orders"]``), in one module and imported from another."""

from __future__ import annotations

from pathlib import Path

from project_helpers import markers_hold

AUDIO = '''import threading


class Playback:
    def __init__(self):
        self.feeder = None
        self.player = None

    def start(self, work):
        self.feeder = threading.Thread(target=work)
        self.player = threading.Thread(target=work)
        self.feeder.start()
        self.player.start()


PLAYBACK = Playback()


def stop_playback():
    for worker in (PLAYBACK.feeder, PLAYBACK.player):
        if worker is not None:
            worker.join(timeout=3.0)


def stop_labelled():
    for label in ("feeder", "player"):
        print(label.upper())  # ok: strings


def stop_mixed(other):
    for worker in (PLAYBACK.feeder, other):
        worker.join()  # ok: one of them is of unknown kind
'''

ROUTES = '''from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from app.audio import stop_labelled, stop_mixed, stop_playback


async def stop(request):
    stop_playback()  # expect: HB601 "stop_playback() blocks the event loop" "Thread.join() at app/audio.py:22"
    stop_labelled()  # ok: nothing waits
    stop_mixed(request.app.state.worker)  # ok: a receiver of unknown kind
    return JSONResponse({"stopped": True})


app = Starlette(routes=[Route("/stop", stop, methods=["POST"])])
'''

DB = '''import pymongo

CLIENT = pymongo.MongoClient("mongodb://mongo:27017")
SHOP = CLIENT["shop"]
ORDERS = SHOP["orders"]
SETTINGS = {"orders": {"limit": 10}}
'''

VIEWS = '''from fastapi import FastAPI

from app.db import CLIENT, ORDERS, SETTINGS, SHOP

app = FastAPI()


@app.get("/orders/{oid}")
async def order(oid: str):
    found = ORDERS.find_one({"_id": oid})  # expect: HB601 "ORDERS.find_one() blocks the event loop" "handler 'order'"
    user = SHOP.users.find_one({"order": oid})  # expect: HB601 "SHOP.users.find_one() blocks the event loop"
    audit = CLIENT["audit"]["events"]  # ok: a collection handle, no request
    limit = SETTINGS["orders"].get("limit")  # ok: a dict's value
    return {"order": found, "user": user, "audit": audit.name, "limit": limit}
'''


def test_a_loop_over_written_values_is_each_of_them(tmp_path: Path) -> None:
    markers_hold(tmp_path / "proj", {"app/__init__.py": "", "app/audio.py": AUDIO, "app/routes.py": ROUTES},
                 "app/routes.py")


def test_the_loop_variable_is_typed_where_it_waits(tmp_path: Path) -> None:
    audio = AUDIO.replace("            worker.join(timeout=3.0)",
                          '            worker.join(timeout=3.0)  # expect: HB601 "worker.join() blocks the event loop"')
    markers_hold(tmp_path / "proj", {"app/__init__.py": "", "app/audio.py": audio, "app/routes.py": ROUTES},
                 "app/audio.py")


def test_pymongo_parts_taken_by_subscript_in_another_module(tmp_path: Path) -> None:
    markers_hold(tmp_path / "proj", {"app/__init__.py": "", "app/db.py": DB, "app/views.py": VIEWS}, "app/views.py")
