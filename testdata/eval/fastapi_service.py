"""Accounts API (FastAPI)."""
import asyncio
import logging
import subprocess
import time

import httpx
import requests
from fastapi import APIRouter, BackgroundTasks, FastAPI, HTTPException

log = logging.getLogger(__name__)
app = FastAPI(title="accounts")
router = APIRouter(prefix="/v1")
API = "https://accounts.internal"
TIMEOUT = httpx.Timeout(5.0, connect=2.0)
_background: set = set()


@router.get("/users/{user_id}")
async def get_user(user_id: int):
    async with httpx.AsyncClient(timeout=TIMEOUT) as client:  # ok: HB103 async with; HB203 timeout is a name
        r = await client.get(f"{API}/users/{user_id}")
    return r.json()


@router.get("/users/{user_id}/avatar")
async def get_avatar(user_id: int):
    client = httpx.AsyncClient()  # expect: HB103
    r = await client.get(f"{API}/avatars/{user_id}")
    return {"url": r.json()["url"]}


@router.get("/users/{user_id}/prefs")
async def get_prefs(user_id: int):
    client = httpx.AsyncClient(base_url=API)  # ok: HB103 closed in finally
    try:
        r = await client.get(f"/prefs/{user_id}")
        return r.json()
    finally:
        await client.aclose()


@router.get("/users/{user_id}/legacy")
async def get_user_legacy(user_id: int):
    r = requests.get(f"{API}/legacy/users/{user_id}", timeout=5)  # expect: HB601
    return r.json()


@router.get("/users/{user_id}/legacy/v2")
async def get_user_legacy_v2(user_id: int):
    r = await asyncio.to_thread(requests.get, f"{API}/legacy/users/{user_id}", timeout=5)  # ok: HB601 offloaded with to_thread
    return r.json()


@router.post("/reports")
async def build_report():
    loop = asyncio.get_running_loop()
    done = await loop.run_in_executor(None, lambda: subprocess.run(["make-report"], timeout=600))  # ok: HB601 run_in_executor; HB204 timeout given
    return {"rc": done.returncode}


@router.get("/search")
async def search(q: str):
    try:
        async with httpx.AsyncClient() as client:
            r = await client.get(f"{API}/search", params={"q": q}, timeout=None)  # expect: HB203
        return r.json()
    except asyncio.CancelledError:  # expect: HB602
        log.info("search cancelled: %s", q)
        return {"results": []}


@router.get("/suggest")
async def suggest(q: str):
    try:
        async with httpx.AsyncClient(timeout=3) as client:
            r = await client.get(f"{API}/suggest", params={"q": q})
        return r.json()
    except asyncio.CancelledError:  # ok: HB602 re-raised
        log.info("suggest cancelled: %s", q)
        raise


@router.get("/feed")
async def feed():
    try:
        async with httpx.AsyncClient(timeout=3) as client:
            r = await client.get(f"{API}/feed")
        return r.json()
    except Exception:  # ok: HB602 Exception does not catch CancelledError
        log.exception("feed failed")
        return []


@router.post("/events")
async def ingest_event(event: dict):
    asyncio.create_task(_forward(event))  # expect: HB502
    return {"accepted": True}


@router.post("/events/v2")
async def ingest_event_v2(event: dict):
    task = asyncio.create_task(_forward(event))  # ok: HB502 stored and kept in a module set
    _background.add(task)
    task.add_done_callback(_background.discard)
    return {"accepted": True}


async def _forward(event):
    async with httpx.AsyncClient(timeout=5) as client:
        await client.post("https://events.internal/ingest", json=event)


@app.get("/slow")
async def slow():
    time.sleep(0.5)  # expect: HB601
    return {}


@app.get("/slow/sync")
def slow_sync():
    time.sleep(0.5)  # ok: HB601 sync handler runs in the threadpool
    return {}


@app.get("/slow/async")
async def slow_async():
    await asyncio.sleep(0.5)  # ok: HB601 asyncio.sleep
    return {}


@app.post("/thumbnails")
async def thumbnails(path: str):
    subprocess.run(["convert", path, "-resize", "128x128", path + ".thumb"], check=True)  # expect: HB204, HB601
    return {"thumb": path + ".thumb"}


@app.get("/rates")
async def rates():
    r = httpx.get("https://fx.internal/rates")  # expect: HB601; ok: HB203 httpx default timeout applies
    return r.json()


@app.get("/rates/sync")
def rates_sync():
    with httpx.Client(timeout=None) as c:  # expect: HB203
        return c.get("https://fx.internal/rates").json()


@app.post("/welcome")
def welcome(email: str, background_tasks: BackgroundTasks):
    background_tasks.add_task(_send_welcome, email)
    return {"queued": True}


def _send_welcome(email):
    requests.post("https://mail.internal/send", json={"to": email}, timeout=10)


async def metrics():
    try:
        data = await _collect()
    except:  # expect: HB602
        data = {}
    return data


async def _collect():
    async with httpx.AsyncClient(timeout=2) as client:
        return (await client.get("https://metrics.internal/snapshot")).json()


@app.exception_handler(HTTPException)
async def http_error(request, exc):
    try:
        await _report(exc)
    except BaseException:  # expect: HB602
        pass
    return {"detail": exc.detail}


async def _report(exc):
    async with httpx.AsyncClient(timeout=2) as client:
        await client.post("https://errors.internal/report", json={"detail": str(exc)})


async def nightly_cleanup():
    """Scheduled by the ops cron runner; not a route and not called from one."""
    try:
        time.sleep(1)  # ok: HB601 not in a handler
    except asyncio.CancelledError:  # ok: HB602 not in a handler
        return


app.add_api_route("/metrics", metrics)
app.include_router(router)
