"""A function nested in a reached function is reached with it, unless its parent only names it as
the target of threads it starts: tensorboard's debugger plugin starts a daemon thread running a
nested poll loop (`Thread(target=_run_repeatedly, daemon=True)`), which the request never runs."""

from __future__ import annotations

from pathlib import Path

from project_helpers import markers_hold

POLLING = '''\
import threading
import time


def run_in_background(target, interval):
    event = threading.Event()

    def _run_repeatedly():
        while True:  # ok: the loop of a daemon thread the request only starts
            target()
            event.wait(interval)
            event.clear()

    thread = threading.Thread(target=_run_repeatedly, daemon=True)
    thread.start()
    return event, thread


def wait_until_ready(check):
    def _poll():
        while True:  # expect: HB304 "via wait_until_ready() -> _poll()"
            check()
            time.sleep(1)

    _poll()
'''

ROUTES = '''\
from flask import Flask

from .polling import run_in_background, wait_until_ready

app = Flask(__name__)


@app.get("/runs")
def runs():
    run_in_background(lambda: None, 5)
    return {"runs": []}


@app.get("/ready")
def ready():
    wait_until_ready(lambda: None)
    return {"ready": True}
'''


def test_a_nested_thread_target_is_not_the_request_s_work(tmp_path: Path) -> None:
    files = {"app/__init__.py": "", "app/polling.py": POLLING, "app/routes.py": ROUTES}
    markers_hold(tmp_path, files, "app/polling.py")
