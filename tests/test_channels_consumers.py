"""Django Channels' consumers serve websocket (and HTTP) connections: the methods a connection's
events run (``connect``, ``receive``, ``receive_json``, ``disconnect``; an HTTP consumer's
``handle``) are handlers (a chat app's consumer that blocks its event loop in ``receive``)."""

from __future__ import annotations

from pathlib import Path

from project_helpers import markers_hold

CONSUMERS = '''\
import subprocess
import time

from channels.generic.http import AsyncHttpConsumer
from channels.generic.websocket import AsyncJsonWebsocketConsumer, AsyncWebsocketConsumer, WebsocketConsumer

from chat.transport import Relay


class RoomConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        await self.accept()

    async def receive(self, text_data=None, bytes_data=None):
        time.sleep(0.5)  # expect: HB601 "handler 'RoomConsumer.receive'"
        await self.send(text_data=text_data)


class LobbyConsumer(AsyncJsonWebsocketConsumer):
    async def receive_json(self, content, **kwargs):
        time.sleep(0.5)  # expect: HB601 "handler 'LobbyConsumer.receive_json'"


class ExportConsumer(WebsocketConsumer):
    def receive(self, text_data=None, bytes_data=None):
        subprocess.run(["pg_dump", "chat"])  # expect: HB204 "handler 'ExportConsumer.receive'"


class StatusConsumer(AsyncHttpConsumer):
    async def handle(self, body):
        time.sleep(0.5)  # expect: HB601 "handler 'StatusConsumer.handle'"


class Relayed(Relay):
    async def receive(self, text_data=None):
        time.sleep(0.5)  # ok: not a consumer of Channels
'''


def test_the_methods_a_connection_runs_are_handlers(tmp_path: Path) -> None:
    files = {"chat/__init__.py": "", "chat/consumers.py": CONSUMERS,
             "chat/transport.py": "class Relay:\n    pass\n"}
    markers_hold(tmp_path, files, "chat/consumers.py")
