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
