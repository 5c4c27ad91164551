"""A ``@contextmanager`` (or ``@asynccontextmanager``) function gives a ``with`` what it yields:
``with self._managed_ssh() as ssh: ssh.run(cmd)`` runs the session class's ``run`` (hypershell-asuswrt-mcp's
sixty-eight router tools, each running paramiko on the loop through such a session). The value is
the item the annotation names (``-> Iterator[SSHSession]``), else what every ``yield`` gives; the
project index and the module walk read it alike. A plain generator still gives nothing known."""

from __future__ import annotations

from pathlib import Path

from project_helpers import markers_hold

SSH = '''\
from contextlib import contextmanager
from typing import Iterator

import paramiko
import requests


class SSHSession:
    def __init__(self, host: str) -> None:
        self.host = host
        self.client = paramiko.SSHClient()

    def run(self, command: str) -> str:
        self.client.connect(self.host, timeout=10)  # expect: HB601 "handler 'uptime'"
        _stdin, stdout, _stderr = self.client.exec_command(command, timeout=30)  # expect: HB601 "handler 'uptime'"
        return stdout.read().decode()


class Router:
    def __init__(self, host: str) -> None:
        self.host = host

    @contextmanager
    def _managed_ssh(self) -> Iterator[SSHSession]:
        session = SSHSession(self.host)
        try:
            yield session
        finally:
            session.client.close()

    @contextmanager
    def _firmware_api(self):
        http = requests.Session()
        try:
            yield http
        finally:
            http.close()

    def _lines(self, text: str):
        for line in text.splitlines():
            yield SSHSession(line)

    async def uptime(self) -> str:
        with self._managed_ssh() as ssh:
            return ssh.run("uptime")  # expect: HB601 "ssh.run() blocks the event loop"

    def firmware(self) -> dict:
        with self._firmware_api() as http:
            return http.get(f"http://{self.host}/firmware").json()  # expect: HB201 "http.get()"

    async def hosts(self) -> list:
        return [item.host for item in self._lines("a\\nb")]  # ok: HB601 a plain generator builds, runs nothing
'''

SERVER = '''\
from mcp.server.fastmcp import FastMCP

from app.ssh import Router

mcp = FastMCP("router")
ROUTER = Router("192.168.1.1")


@mcp.tool()
async def uptime() -> str:
    return await ROUTER.uptime()


@mcp.tool()
async def hosts() -> list:
    return await ROUTER.hosts()
'''


def test_a_context_managers_call_stands_for_what_it_yields(tmp_path: Path) -> None:
    files = {"app/__init__.py": "", "app/ssh.py": SSH, "app/server.py": SERVER}
    markers_hold(tmp_path, files, "app/ssh.py")
