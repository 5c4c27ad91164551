"""A small Starlette app for the confirm CLI tests: each handler has one known bug on a known line."""

import asyncio
import time

from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

_QUEUES = {}


def jobs():
    # one queue per event loop (on Python 3.9 an asyncio.Queue binds to a loop when made)
    loop = asyncio.get_running_loop()
    if loop not in _QUEUES:
        _QUEUES[loop] = asyncio.Queue(maxsize=1)
    return _QUEUES[loop]


async def enqueue(request):
    await jobs().put({"id": 1})
    return PlainTextResponse("queued")


async def thumbnail(request):
    time.sleep(1.0)
    return PlainTextResponse("resized")


async def audit(request):
    asyncio.create_task(asyncio.sleep(5))
    return PlainTextResponse("logged")


async def export(request):
    try:
        await asyncio.sleep(30)
    except asyncio.CancelledError:
        pass
    return PlainTextResponse("exported")


app = Starlette(routes=[
    Route("/jobs", enqueue, methods=["POST"]),
    Route("/thumbnail", thumbnail),
    Route("/audit", audit),
    Route("/export", export),
])
