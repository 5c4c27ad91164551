"""A response's background task (``background_tasks.add_task(f)``, Starlette's ``BackgroundTask(f)``):
the framework runs it once the response is sent. A coroutine function is awaited there, on the
loop and still in the request's task (h2o-wave's ``BackgroundTask(self._process, ...)`` runs every
query's handler); a plain function runs in the server's thread pool, off the loop."""

from __future__ import annotations

from pathlib import Path

import pytest

from project_helpers import markers_hold

WORK = '''import subprocess
import time


async def process(item):
    time.sleep(1)  # {on_loop}
    try:
        await handle(item)
    except:  # {cancel}
        pass


async def handle(item):
    return item


def export(item):
    time.sleep(1)  # never on the loop: run in the thread pool
    subprocess.run(["gzip", item])  # expect: HB204 "handler 'queue_export' (app/views.py:19) via export()"
'''

VIEWS = '''import functools

from fastapi import BackgroundTasks, FastAPI
from starlette.background import BackgroundTask
from starlette.responses import PlainTextResponse

from .work import export, process

app = FastAPI()


@app.post("/items")
async def add_item(item: str, background_tasks: BackgroundTasks):
    {hand_off}
    return {{}}


@app.post("/export")
async def queue_export(item: str, background_tasks: BackgroundTasks):
    background_tasks.add_task(export, item)
    return {{}}
'''

ON_LOOP = "expect: HB601 \"handler 'add_item' (app/views.py:13) via process()\""
CANCEL = "expect: HB602 \"handler 'add_item' (app/views.py:13) via process()\""


@pytest.mark.parametrize("hand_off", [
    "background_tasks.add_task(process, item)",
    'return PlainTextResponse("", background=BackgroundTask(process, item))',
])
def test_a_coroutine_function_run_after_the_response_runs_on_the_loop_in_the_request_task(
    tmp_path: Path, hand_off: str
) -> None:
    files = {
        "app/__init__.py": "",
        "app/work.py": WORK.format(on_loop=ON_LOOP, cancel=CANCEL),
        "app/views.py": VIEWS.format(hand_off=hand_off),
    }
    markers_hold(tmp_path, files, "app/work.py")


def test_a_coroutine_function_handed_to_partial_is_not_on_the_loop(tmp_path: Path) -> None:
    files = {
        "app/__init__.py": "",
        "app/work.py": WORK.format(on_loop="", cancel=""),
        "app/views.py": VIEWS.format(hand_off="later = functools.partial(process, item)"),
    }
    markers_hold(tmp_path, files, "app/work.py")
