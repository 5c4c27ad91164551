"""A local given a value, then another under an `if` of the same flow, holds either after the
`if`: ``client = self._shared_ssh``, then ``if client is None or not client.is_connected: client =
self._ssh_client_cls(settings)`` (hypershell-asuswrt-mcp's shared router session). The project
index reads the name as either value."""

from __future__ import annotations

from pathlib import Path

from project_helpers import markers_hold

SERVICE = '''\
from typing import Optional

import paramiko


class RouterSession:
    def __init__(self, host: str) -> None:
        self.client = paramiko.SSHClient()
        self.host = host

    def connect(self) -> None:
        self.client.connect(self.host, timeout=10)  # expect: HB601 "handler 'reboot'"


class Service:
    def __init__(self, host: str) -> None:
        self.host = host
        self._shared: Optional[RouterSession] = None

    def _session(self) -> RouterSession:
        session = self._shared
        if session is None or not self._fresh():
            session = RouterSession(self.host)
            session.connect()
        return session

    def _fresh(self) -> bool:
        return True

    async def reboot(self) -> None:
        self._session()  # expect: HB601 "self._session() blocks the event loop"
'''

ROUTES = '''\
from fastapi import FastAPI

from app.service import Service

app = FastAPI()
SERVICE = Service("192.168.1.1")


@app.post("/reboot")
async def reboot():
    await SERVICE.reboot()
'''


def test_a_local_filled_later_holds_either_value(tmp_path: Path) -> None:
    files = {"app/__init__.py": "", "app/service.py": SERVICE, "app/routes.py": ROUTES}
    markers_hold(tmp_path, files, "app/service.py")
