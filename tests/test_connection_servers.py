"""A server that calls a function for each connection it accepts (``asyncio.start_server``,
``asyncio.start_unix_server``, the ``websockets`` servers) makes that function a handler: an async
one serves every client on the server's event loop (a console server's telnet callback, a local
gateway's unix-socket host, a websocket echo)."""

from __future__ import annotations

from pathlib import Path

from project_helpers import markers_hold

SERVERS = '''\
import asyncio
import subprocess
import time

import websockets
from websockets.asyncio.server import serve

from relay.host import Host


class Console:
    async def run(self, reader, writer):
        time.sleep(0.5)  # expect: HB601 "handler 'Console.run'"
        writer.close()


async def health(reader, writer):
    subprocess.run(["uptime"])  # expect: HB601 "handler 'health'", HB204 "handler 'health'"
    writer.close()


async def echo(websocket):
    async for message in websocket:
        time.sleep(0.1)  # expect: HB601 "handler 'echo'"
        await websocket.send(message)


async def chat(websocket):
    time.sleep(0.1)  # expect: HB601 "handler 'chat'"


async def replay(reader, writer):
    time.sleep(0.5)  # ok: never given to a server


async def relay(reader, writer):
    try:
        await forward(reader, writer)
    except asyncio.CancelledError:  # ok: the server's own task, which nothing awaits, ends right here
        pass
    finally:
        writer.close()


async def mirror(reader, writer):
    while not reader.at_eof():
        try:
            writer.write(await reader.read(1024))
            await writer.drain()
        except:  # expect: HB602 "handler 'mirror'"
            writer.close()


async def forward(reader, writer):
    writer.write(await reader.read(1024))


async def console(port):
    server = Console()
    await asyncio.start_server(server.run, "127.0.0.1", port)
    await asyncio.start_unix_server(client_connected_cb=health, path="/run/relay.sock")
    host = Host()
    await asyncio.start_unix_server(host.serve_connection, path="/run/host.sock")
    await asyncio.start_server(relay, "127.0.0.1", port + 1)
    await asyncio.start_server(mirror, "127.0.0.1", port + 2)
    async with websockets.serve(echo, "localhost", 8765):
        await asyncio.Future()
    async with serve(chat, "localhost", 8766):
        await asyncio.Future()
'''

HOST = '''\
import time


class Host:
    async def serve_connection(self, reader, writer):
        time.sleep(0.5)  # expect: HB601 "handler 'Host.serve_connection'"
        writer.close()

    async def unused(self, reader, writer):
        time.sleep(0.5)  # ok: no server calls it
'''

LOOK_ALIKES = '''\
import time

import requests

from relay.streams import start_server


async def handle(reader, writer):
    time.sleep(0.5)  # ok: the project's own start_server, not asyncio's


async def main():
    await start_server(handle)
    requests.get("http://127.0.0.1:8000/ready")  # expect: HB201 "function 'main'"
'''


def _files() -> dict:
    return {"relay/__init__.py": "", "relay/servers.py": SERVERS, "relay/host.py": HOST,
            "relay/local.py": LOOK_ALIKES, "relay/streams.py": "async def start_server(cb):\n    return cb\n"}


def test_a_connection_callback_is_a_handler(tmp_path: Path) -> None:
    markers_hold(tmp_path, _files(), "relay/servers.py")


def test_a_method_of_another_module_given_to_a_server_is_a_handler(tmp_path: Path) -> None:
    markers_hold(tmp_path, _files(), "relay/host.py")


def test_a_start_server_of_the_project_registers_nothing(tmp_path: Path) -> None:
    markers_hold(tmp_path, _files(), "relay/local.py")
