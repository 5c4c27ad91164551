"""Deployment gateway: proxies the browser's websockets to the UI dev server and the workflow event stream."""
import asyncio

import websockets
from fastapi import FastAPI, WebSocket
from websockets.asyncio.client import connect
from websockets.legacy.client import connect as legacy_connect
from websockets.sync.client import connect as connect_sync

from .config import settings
from .upstream import connect as connect_upstream

app = FastAPI()
UI_SERVER = "ws://localhost:3000"
NO_HANDSHAKE_LIMIT = {"open_timeout": None, "max_size": None}
HANDSHAKE_LIMIT = {"open_timeout": 5, "max_size": 2**20}


async def relay(browser: WebSocket, upstream) -> None:
    async def to_upstream():
        while True:
            await upstream.send(await browser.receive_text())

    async def to_browser():
        async for message in upstream:  # ok: waiting on an open websocket is what it is for
            await browser.send_text(message)

    await asyncio.gather(to_upstream(), to_browser())


@app.websocket("/deployments/{name}/ui/{path:path}")
async def proxy_ui(websocket: WebSocket, name: str, path: str):
    await websocket.accept()
    # The dev server can take a while to compile: the handshake limit was turned off for it.
    async with websockets.connect(f"{UI_SERVER}/{path}", open_timeout=None) as upstream:  # expect: HB203 "websockets.connect() passes open_timeout=None" "handler 'proxy_ui'"
        await relay(websocket, upstream)


@app.websocket("/deployments/{name}/events")
async def stream_events(websocket: WebSocket, name: str):
    await websocket.accept()
    async with connect(settings.events_url, open_timeout=None, ping_interval=None) as upstream:  # expect: HB203 "leave open_timeout at its 10 s default"
        await relay(websocket, upstream)


@app.websocket("/deployments/{name}/metrics")
async def stream_metrics(websocket: WebSocket, name: str):
    await websocket.accept()
    async with connect(settings.metrics_url, **NO_HANDSHAKE_LIMIT) as upstream:  # expect: HB203 "passes open_timeout=None" "stream_metrics"
        await relay(websocket, upstream)


@app.get("/deployments/{name}/status")
def deployment_status(name: str):
    with connect_sync(f"{settings.status_url}/{name}", open_timeout=None) as ws:  # expect: HB203 "connect_sync() passes open_timeout=None"
        return {"status": ws.recv(timeout=5)}


@app.websocket("/deployments/{name}/notebook")
async def notebook(websocket: WebSocket, name: str):
    await websocket.accept()
    upstream = await legacy_connect(settings.kernel_url, open_timeout=None)  # expect: HB203 "legacy_connect() passes open_timeout=None"
    try:
        await relay(websocket, upstream)
    finally:
        await upstream.close()


@app.websocket("/deployments/{name}/logs")
async def stream_logs(websocket: WebSocket, name: str):
    await websocket.accept()
    async with websockets.connect(settings.logs_url) as upstream:  # ok: the 10 s handshake default
        await relay(websocket, upstream)


@app.websocket("/deployments/{name}/shell")
async def shell(websocket: WebSocket, name: str):
    await websocket.accept()
    async with connect(settings.shell_url, open_timeout=30) as upstream:  # ok: a finite handshake limit
        await relay(websocket, upstream)


@app.websocket("/deployments/{name}/debug")
async def debug(websocket: WebSocket, name: str):
    await websocket.accept()
    async with connect(settings.debug_url, open_timeout=settings.ws_open_timeout) as upstream:  # ok: a name
        await relay(websocket, upstream)


@app.websocket("/deployments/{name}/trace")
async def trace(websocket: WebSocket, name: str):
    await websocket.accept()
    async with connect(settings.trace_url, **HANDSHAKE_LIMIT) as upstream:  # ok: 5 s through a dict
        await relay(websocket, upstream)


@app.websocket("/deployments/{name}/tail")
async def tail(websocket: WebSocket, name: str, **options):
    await websocket.accept()
    async with connect(settings.tail_url, **options) as upstream:  # ok: unseen arguments
        await relay(websocket, upstream)


@app.websocket("/deployments/{name}/keepalive")
async def keepalive(websocket: WebSocket, name: str):
    await websocket.accept()
    async with connect(settings.keepalive_url, ping_interval=None) as upstream:  # ok: keepalive off, handshake bounded
        await relay(websocket, upstream)


@app.websocket("/deployments/{name}/raw")
async def raw(websocket: WebSocket, name: str):
    await websocket.accept()
    upstream = await connect_upstream(name, open_timeout=None)  # ok: the project's own connect
    await relay(websocket, upstream)
