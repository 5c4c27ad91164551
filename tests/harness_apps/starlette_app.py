"""A Starlette app with a handler per blocking state, and a correct twin for each (prefix /ok/).

asyncio primitives are made per event loop (on 3.9 they bind to a loop when created).
"""

import asyncio
import queue
import ssl
import sys
import threading
import time

import httpx
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from .common import UNREACHABLE, UPSTREAM, SyncState

_PER_LOOP: dict = {}


def prims() -> dict:
    loop = asyncio.get_running_loop()
    found = _PER_LOOP.get(id(loop))
    if found is None or found["loop"] is not loop:
        found = {
            "loop": loop,
            "jobs": asyncio.Queue(maxsize=1),
            "empty": asyncio.Queue(),
            "never": asyncio.Event(),
            "cond": asyncio.Condition(),
            "lock": asyncio.Lock(),
        }
        _PER_LOOP[id(loop)] = found
    return found


S = SyncState()  # for the handlers Starlette runs in its thread pool


def reset():
    """Wake every parked thread and start again with fresh primitives."""
    global S
    old, S = S, SyncState()
    old.wake()
    _PER_LOOP.clear()


SLOW = [sys.executable, "-c", "import time; time.sleep(30)"]
KEEP: list = []
# httpx loads the CA bundle when a client is made: seconds of CPU on the loop. Once, at import.
TLS = ssl.create_default_context()


def text(body: str, status: int = 200) -> PlainTextResponse:
    return PlainTextResponse(body, status_code=status)


async def enqueue(request):
    await prims()["jobs"].put(1)
    return text("queued")


async def enqueue_ok(request):
    try:
        await asyncio.wait_for(prims()["jobs"].put(1), 0.05)
    except asyncio.TimeoutError:
        return text("busy", 503)
    return text("queued")


async def dequeue(request):
    return text(str(await prims()["empty"].get()))


async def dequeue_ok(request):
    try:
        return text(str(await asyncio.wait_for(prims()["empty"].get(), 0.05)))
    except asyncio.TimeoutError:
        return text("empty", 204)


async def event_wait(request):
    await prims()["never"].wait()
    return text("set")


async def event_wait_ok(request):
    try:
        await asyncio.wait_for(prims()["never"].wait(), 0.05)
    except asyncio.TimeoutError:
        return text("timeout")
    return text("set")


async def condition_wait(request):
    cond = prims()["cond"]
    async with cond:
        await cond.wait()
    return text("notified")


async def condition_wait_ok(request):
    cond = prims()["cond"]
    async with cond:
        try:
            await asyncio.wait_for(cond.wait(), 0.05)
        except asyncio.TimeoutError:
            return text("timeout")
    return text("notified")


async def leaky_lock(request):
    lock = prims()["lock"]
    await lock.acquire()
    if lock.locked():
        raise ValueError("boom before release")
    lock.release()
    return text("ok")


async def lock_ok(request):
    async with prims()["lock"]:
        return text("ok")


async def nap(request):
    await asyncio.sleep(30)
    return text("rested")


async def nap_ok(request):
    await asyncio.sleep(0.01)
    return text("rested")


async def socket_connect(request):
    reader, writer = await asyncio.open_connection(*UNREACHABLE)
    writer.close()
    return text("connected")


async def socket_connect_ok(request):
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(*UNREACHABLE), 0.1)
    except (asyncio.TimeoutError, OSError):
        return text("unreachable", 504)
    writer.close()
    return text("connected")


async def socket_read(request):
    async with httpx.AsyncClient(timeout=None, verify=TLS) as client:
        resp = await client.get(UPSTREAM["url"])
    return text(resp.text)


async def socket_read_ok(request):
    async with httpx.AsyncClient(timeout=0.1, verify=TLS) as client:
        try:
            resp = await client.get(UPSTREAM["url"])
        except httpx.TimeoutException:
            return text("upstream timed out", 504)
    return text(resp.text)


async def run_child(request):
    proc = await asyncio.create_subprocess_exec(*SLOW)
    await proc.wait()
    return text("done")


async def run_child_ok(request):
    proc = await asyncio.create_subprocess_exec(*SLOW)
    try:
        await asyncio.wait_for(proc.wait(), 0.1)
    except asyncio.TimeoutError:
        proc.kill()
        await proc.wait()
        return text("child timed out", 504)
    return text("done")


def wait_forever():
    S.never.wait()


async def to_thread_wait(request):
    await asyncio.to_thread(wait_forever)
    return text("never")


def sync_enqueue(request):
    S.jobs.put(1)  # a plain def: Starlette runs it in its thread pool
    return text("queued")


def sync_enqueue_ok(request):
    try:
        S.jobs.put(1, timeout=0.05)
    except queue.Full:
        return text("busy", 503)
    return text("queued")


async def swallow(request):
    try:
        await asyncio.sleep(30)
    except asyncio.CancelledError:
        pass  # HB602: the cancellation is swallowed, the handler carries on
    return text("swallowed")


async def swallow_ok(request):
    try:
        await asyncio.wait_for(asyncio.sleep(30), 0.05)
    except asyncio.TimeoutError:
        return text("timeout")
    return text("slept")


# --- the event loop blocked by sync calls ---


async def block(request):
    time.sleep(0.4)
    return text("blocked the loop")


async def block_ok(request):
    await asyncio.to_thread(time.sleep, 0.05)
    return text("slept off the loop")


async def spin(request):
    n = 0
    while True:
        n += 1


# --- leaks ---


async def leak_task(request):
    asyncio.create_task(asyncio.sleep(5))
    return text("started")


async def task_ok(request):
    task = asyncio.create_task(asyncio.sleep(0.01))
    await task
    return text("done")


async def leak_thread(request):
    threading.Thread(target=S.release.wait, args=(60,)).start()  # reset() wakes it
    return text("started")


async def leak_client(request):
    client = httpx.AsyncClient(timeout=2, verify=TLS)
    KEEP.append(client)
    resp = await client.get(UPSTREAM["url"])
    return text(str(resp.status_code))


async def client_ok(request):
    async with httpx.AsyncClient(timeout=2, verify=TLS) as client:
        resp = await client.get(UPSTREAM["url"])
    return text(str(resp.status_code))


async def hello(request):
    return text("hello")


routes = [
    Route("/queue-put", enqueue, methods=["POST"]),
    Route("/ok/queue-put", enqueue_ok, methods=["POST"]),
    Route("/queue-get", dequeue),
    Route("/ok/queue-get", dequeue_ok),
    Route("/event-wait", event_wait),
    Route("/ok/event-wait", event_wait_ok),
    Route("/condition-wait", condition_wait),
    Route("/ok/condition-wait", condition_wait_ok),
    Route("/lock", leaky_lock),
    Route("/ok/lock", lock_ok),
    Route("/sleep", nap),
    Route("/ok/sleep", nap_ok),
    Route("/socket-connect", socket_connect),
    Route("/ok/socket-connect", socket_connect_ok),
    Route("/socket-read", socket_read),
    Route("/ok/socket-read", socket_read_ok),
    Route("/subprocess", run_child),
    Route("/ok/subprocess", run_child_ok),
    Route("/to-thread", to_thread_wait),
    Route("/sync-queue-put", sync_enqueue, methods=["POST"]),
    Route("/ok/sync-queue-put", sync_enqueue_ok, methods=["POST"]),
    Route("/swallow", swallow),
    Route("/ok/swallow", swallow_ok),
    Route("/block", block),
    Route("/ok/block", block_ok),
    Route("/busy", spin),
    Route("/leak/task", leak_task),
    Route("/ok/task", task_ok),
    Route("/leak/thread", leak_thread),
    Route("/leak/httpx-client", leak_client),
    Route("/ok/httpx-client", client_ok),
    Route("/ok/hello", hello),
]

app = Starlette(routes=routes)
