"""Async gateway (FastAPI): blocking work off the loop, tasks kept, cancellation propagated."""
import asyncio
import logging
import time

import httpx
from fastapi import FastAPI

log = logging.getLogger(__name__)
app = FastAPI()
BACKGROUND: set = set()


def slow_checksum(blob: bytes) -> str:
    time.sleep(0.01)  # sync helper, only ever run in a thread
    return str(sum(blob))


@app.get("/items/{item_id}")
async def get_item(item_id: int):
    async with httpx.AsyncClient(timeout=httpx.Timeout(10.0)) as client:
        resp = await client.get(f"http://inventory.internal/items/{item_id}")
    digest = await asyncio.to_thread(slow_checksum, resp.content)
    task = asyncio.create_task(notify(item_id))
    BACKGROUND.add(task)
    task.add_done_callback(BACKGROUND.discard)
    return {"item": resp.json(), "digest": digest}


@app.get("/stream")
async def stream():
    queue: asyncio.Queue = asyncio.Queue()
    try:
        await asyncio.wait_for(queue.get(), timeout=5)
    except asyncio.CancelledError:
        log.info("client went away")
        raise
    except Exception:
        log.exception("stream failed")
    return {"ok": True}


async def notify(item_id: int) -> None:
    async with httpx.AsyncClient() as client:
        await client.post("http://events.internal/", json={"item": item_id})
