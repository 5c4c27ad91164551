"""Job service (Quart): background tasks, websockets, legacy sync clients."""
import asyncio
import logging
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import requests
from quart import Quart, jsonify, request, websocket

log = logging.getLogger(__name__)
app = Quart(__name__)
_tasks: set = set()
_ready = threading.Event()
_state_lock = threading.Lock()
_EXEC = ThreadPoolExecutor(4)
API = "https://jobs.internal"


@app.post("/jobs")
async def create_job():
    data = await request.get_json()
    asyncio.create_task(_run_job(data))  # expect: HB502
    return jsonify(accepted=True), 202


@app.post("/jobs/tracked")
async def create_job_tracked():
    data = await request.get_json()
    task = asyncio.create_task(_run_job(data))  # ok: HB502 stored in a module set
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)
    return jsonify(accepted=True), 202


@app.post("/jobs/inline")
async def create_job_inline():
    data = await request.get_json()
    result = await asyncio.create_task(_run_job(data))  # ok: HB502 awaited
    return jsonify(result=result)


@app.post("/jobs/batch")
async def create_batch():
    items = await request.get_json()
    async with asyncio.TaskGroup() as tg:
        for item in items:
            tg.create_task(_run_job(item))  # ok: HB502 TaskGroup owns the task
    return jsonify(count=len(items))


@app.post("/jobs/fanout")
async def create_fanout():
    items = await request.get_json()
    pending = [asyncio.ensure_future(_run_job(i)) for i in items]  # ok: HB502 collected and gathered
    results = await asyncio.gather(*pending)
    return jsonify(results=results)


async def _run_job(data):
    async with httpx.AsyncClient(timeout=30) as client:
        r = await client.post(f"{API}/run", json=data)
    return r.json()


@app.get("/ready")
async def ready():
    ok = _ready.wait(2)  # expect: HB601; ok: HB205 positional timeout
    return jsonify(ready=ok)


@app.get("/ready/blocking")
async def ready_blocking():
    _ready.wait()  # expect: HB205, HB601
    return jsonify(ready=True)


@app.get("/fx")
async def fx():
    with httpx.Client(timeout=5) as c:
        r = c.get("https://fx.internal/rates")  # expect: HB601
    return jsonify(r.json())


@app.get("/fx/async")
async def fx_async():
    async with httpx.AsyncClient(timeout=5) as c:
        r = await c.get("https://fx.internal/rates")  # ok: HB601 async client
    return jsonify(r.json())


@app.get("/legacy")
async def legacy():
    conn = socket.create_connection(("legacy.internal", 7000), timeout=3)  # expect: HB601
    try:
        conn.sendall(b"STATUS\n")
        return conn.recv(128)
    finally:
        conn.close()


@app.get("/legacy/offloaded")
async def legacy_offloaded():
    loop = asyncio.get_running_loop()
    r = await loop.run_in_executor(_EXEC, requests.get, "https://legacy.internal/status")  # expect: HB201 "through functools.partial"; ok: HB601 run_in_executor
    return jsonify(status=r.status_code)


@app.post("/state")
async def update_state():
    data = await request.get_json()
    _state_lock.acquire()  # expect: HB601; ok: HB403 released in finally
    try:
        _STATE.update(data)
    finally:
        _state_lock.release()
    return jsonify(ok=True)


@app.get("/sync-thumb")
def sync_thumb():
    time.sleep(0.2)  # ok: HB601 sync handler
    return jsonify(ok=True)


@app.get("/thumb")
async def thumb():
    fut = _EXEC.submit(_make_thumb, request.args["path"])
    data = fut.result(timeout=10)  # ambiguous: HB601 Future from executor.submit(): the receiver is not built by a constructor
    return data


def _make_thumb(path):
    return path.encode()


@app.websocket("/ws")
async def ws():
    try:
        while True:
            msg = await websocket.receive()
            await websocket.send(msg.upper())
    except asyncio.CancelledError:  # expect: HB602
        log.info("client went away")


@app.websocket("/ws/v2")
async def ws_v2():
    try:
        while True:
            msg = await websocket.receive()
            await websocket.send(msg.upper())
    except asyncio.CancelledError:  # ok: HB602 re-raised
        log.info("client went away")
        raise


@app.get("/stream")
async def stream():
    try:
        async with httpx.AsyncClient(timeout=10) as client:
            r = await client.get(f"{API}/stream")
        return r.content
    except BaseException as exc:  # expect: HB602
        log.error("stream failed: %s", exc)
        return jsonify(error=str(exc)), 500


@app.get("/stream/v2")
async def stream_v2():
    try:
        async with httpx.AsyncClient(timeout=10) as client:
            r = await client.get(f"{API}/stream")
        return r.content
    except BaseException:  # ok: HB602 re-raised
        log.exception("stream failed")
        raise


@app.get("/cancel-aware")
async def cancel_aware():
    try:
        await asyncio.sleep(5)
    except asyncio.CancelledError:  # ambiguous: HB602 raises a different exception rather than a bare `raise`
        raise RuntimeError("request cancelled")
    return jsonify(ok=True)


@app.get("/sync-safe")
def sync_safe():
    try:
        return jsonify(v=requests.get(f"{API}/v", timeout=2).json())
    except BaseException:  # ok: HB602 sync handler
        return jsonify(v=None)


_STATE = {}


async def _heartbeat():
    while True:
        try:
            time.sleep(1)  # ok: HB601 not a handler (background coroutine)
            await asyncio.sleep(10)
        except asyncio.CancelledError:  # ok: HB602 not a handler
            break


async def _startup():
    asyncio.ensure_future(_heartbeat())  # expect: HB502


async def _startup_safe():
    app.heartbeat = asyncio.ensure_future(_heartbeat())  # ok: HB502 stored on the app


def _schedule_refresh():
    loop = asyncio.get_event_loop()
    loop.create_task(_heartbeat())  # expect: HB502


app.before_serving(_startup)
