"""A wait written after ``terminate()`` or ``kill()`` of the same process only reaps a child that is
ending: a runner's ``stop()`` (``self.process.terminate(); self.process.wait(timeout=3)``) called in
place from an async tool does not block its loop for HB601, wherever the process's class is known.
A wait with nothing stopped before it still does."""

from __future__ import annotations

from pathlib import Path

from project_helpers import markers_hold

RUNNER = '''\
import subprocess


class Runner:
    def __init__(self, binary):
        self.binary = binary
        self.process = None

    def start(self, config):
        self.process = subprocess.Popen([self.binary, "-config", config])

    def stop(self):
        if self.process:
            self.process.terminate()
            try:
                self.process.wait(timeout=3)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None

    def finish(self):
        return self.process.wait()
'''

TOOLS = '''\
from mcp.server.fastmcp import FastMCP

from app.runner import Runner

mcp = FastMCP("proxy")
RUNNER = Runner("/usr/bin/xray")


@mcp.tool()
async def stop_proxy() -> str:
    RUNNER.stop()  # ok: the waits only reap the child it signalled
    return "stopped"


@mcp.tool()
async def wait_proxy() -> str:
    RUNNER.finish()  # expect: HB601 "RUNNER.finish() blocks the event loop" "Popen.wait()"
    return "done"
'''


def test_a_wait_after_terminate_only_reaps(tmp_path: Path) -> None:
    files = {"app/__init__.py": "", "app/runner.py": RUNNER, "app/tools.py": TOOLS}
    markers_hold(tmp_path, files, "app/tools.py")


JOBS = '''\
import os
import signal
import subprocess


def kill_job(proc: subprocess.Popen) -> int:
    os.killpg(os.getpgid(proc.pid), signal.SIGKILL)
    return proc.wait()


def kill_sidecar(proc: subprocess.Popen, sidecar: subprocess.Popen) -> int:
    if sidecar.poll() is None:
        os.killpg(os.getpgid(sidecar.pid), signal.SIGTERM)
    return proc.wait()  # expect: HB204 "cancel_with_sidecar", HB601 "cancel_with_sidecar"
'''

JOB_ROUTES = '''\
from fastapi import FastAPI

from app.jobs import kill_job, kill_sidecar

app = FastAPI()
JOBS = {}


@app.post("/jobs/{name}/cancel")
async def cancel(name: str):
    return kill_job(JOBS[name])  # ok: HB601 the wait only reaps the child it just sent SIGKILL


@app.post("/jobs/{name}/cancel-with-sidecar")
async def cancel_with_sidecar(name: str):
    return kill_sidecar(JOBS[name], JOBS["sidecar"])  # expect: HB601 "kill_sidecar() blocks the event loop"
'''


def test_a_helper_waiting_right_after_a_stop_signal_does_not_block_its_async_caller(tmp_path: Path) -> None:
    """The project index reads a stop signal sent by the statement before a wait in its block as
    the module walk does (``scopes.stopped_before``): the helper's wait only reaps, so calling it
    from async code blocks nothing. A signal sent in another block may stop another process."""
    files = {"app/__init__.py": "", "app/jobs.py": JOBS, "app/routes.py": JOB_ROUTES}
    markers_hold(tmp_path, files, "app/routes.py")
    markers_hold(tmp_path, files, "app/jobs.py")


CANCELLABLE = '''\
import os
import signal
import subprocess

from flask import Flask, request

app = Flask(__name__)
CANCELLED = set()
TICKS = []


def _terminate_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(os.getpgid(process.pid), signal.SIGTERM)
    except OSError:
        process.terminate()


@app.post("/runs")
def start_run():
    process = subprocess.Popen(request.json["argv"], start_new_session=True)
    if request.json["name"] in CANCELLED:
        _terminate_group(process)
        return {"cancelled": True}
    return {"code": process.wait()}  # expect: HB204 "process.wait()"


@app.post("/runs/stop")
def stop_run():
    process = subprocess.Popen(request.json["argv"], start_new_session=True)
    if request.json.get("now"):
        _terminate_group(process)
    return {"code": process.wait()}  # ok: HB204 may reap what the helper stopped


@app.post("/runs/drain")
def drain_run():
    process = subprocess.Popen(request.json["argv"], start_new_session=True)
    while process.poll() is None:
        if request.json["name"] in CANCELLED:
            _terminate_group(process)
            break
        TICKS.append(process.pid)
    return {"code": process.wait()}  # ok: HB204 after the loop: stopped when left by break, else ended


@app.post("/runs/poll")
def poll_run():
    process = subprocess.Popen(request.json["argv"], start_new_session=True)
    for _attempt in range(3):
        if request.json["name"] in CANCELLED:
            _terminate_group(process)
            break
        process.wait()  # expect: HB204 "process.wait()"
    return {"code": process.returncode}


@app.delete("/runs")
def cancel_run():
    process = subprocess.Popen(request.json["argv"], start_new_session=True)
    _terminate_group(process)
    return {"code": process.wait()}  # ok: HB204 the wait only reaps what the helper stopped
'''


def test_a_stop_in_a_block_the_code_leaves_does_not_come_before_a_later_wait(tmp_path: Path) -> None:
    """rea-mcp: ``if cancelled: _terminate_group(process); break`` then ``process.wait()``: the wait
    runs only where the stop did not, so it may wait for a child nothing stopped."""
    markers_hold(tmp_path, {"app/__init__.py": "", "app/runs.py": CANCELLABLE}, "app/runs.py")


SUPERVISOR = '''\
import subprocess


def finish(process: subprocess.Popen, cancelled: bool):
    if cancelled:
        process.kill()
        return None
    return process.wait()  # expect: HB204 "wait_run", HB601 "wait_run"


def reap(process: subprocess.Popen):
    process.kill()
    return process.wait()
'''

SUPERVISED = '''\
from fastapi import FastAPI

from app.supervisor import finish, reap

app = FastAPI()
RUNS = {}


@app.post("/runs/{name}/wait")
async def wait_run(name: str, cancelled: bool = False):
    return finish(RUNS[name], cancelled)  # expect: HB601 "finish() blocks the event loop"


@app.post("/runs/{name}/kill")
async def kill_run(name: str):
    return reap(RUNS[name])  # ok: HB601 the wait only reaps the child it killed
'''


def test_a_helpers_stop_in_a_block_it_leaves_does_not_make_its_wait_a_reap(tmp_path: Path) -> None:
    """The project index reads a stop in a block the helper leaves as the module walk does."""
    files = {"app/__init__.py": "", "app/supervisor.py": SUPERVISOR, "app/routes.py": SUPERVISED}
    markers_hold(tmp_path, files, "app/routes.py")
    markers_hold(tmp_path, files, "app/supervisor.py")
