"""Media service (Starlette)."""
import asyncio
import hashlib
import time
from asyncio import CancelledError

import httpx
import requests
from starlette.applications import Starlette
from starlette.endpoints import HTTPEndpoint
from starlette.responses import JSONResponse, StreamingResponse
from starlette.routing import Route

MEDIA = "https://media.internal"
CLIENT = httpx.AsyncClient(timeout=10)


def media_checksum(request):
    digest = hashlib.sha256()
    stream = httpx.stream("GET", f"{MEDIA}/{request.path_params['key']}")  # expect: HB101
    response = stream.__enter__()
    for chunk in response.iter_bytes():
        digest.update(chunk)
    return JSONResponse({"sha256": digest.hexdigest()})


def media_checksum_v2(request):
    digest = hashlib.sha256()
    with httpx.stream("GET", f"{MEDIA}/{request.path_params['key']}") as response:  # ok: HB101 used in with
        for chunk in response.iter_bytes():
            digest.update(chunk)
    return JSONResponse({"sha256": digest.hexdigest()})


async def media_size(request):
    response = await CLIENT.stream("GET", f"{MEDIA}/{request.path_params['key']}").__aenter__()  # expect: HB101
    return JSONResponse({"size": int(response.headers.get("content-length", 0))})


async def media_download(request):
    key = request.path_params["key"]

    async def body():
        async with CLIENT.stream("GET", f"{MEDIA}/{key}") as response:  # ok: HB101 async with
            async for chunk in response.aiter_bytes():
                yield chunk

    return StreamingResponse(body(), media_type="application/octet-stream")


def thumbnail_meta(request):
    r = requests.get(f"{MEDIA}/{request.path_params['key']}/thumb", stream=True, timeout=5)  # ok: HB101 throw-away session, closed with the locals (issue 12)
    return JSONResponse({"type": r.headers.get("content-type")})


def thumbnail_meta_v2(request):
    r = requests.get(f"{MEDIA}/{request.path_params['key']}/thumb", stream=True, timeout=5)  # ok: HB101 closed in finally
    try:
        return JSONResponse({"type": r.headers.get("content-type")})
    finally:
        r.close()


class Health(HTTPEndpoint):
    async def get(self, request):
        r = requests.get(f"{MEDIA}/health", timeout=1)  # expect: HB601
        return JSONResponse({"upstream": r.status_code})

    async def head(self, request):
        r = await CLIENT.get(f"{MEDIA}/health")  # ok: HB601 async client
        return JSONResponse({}, status_code=r.status_code)


def wait_ready(request):
    while True:  # expect: HB304
        for _ in range(3):
            if _probe():
                break
        time.sleep(1)


def wait_ready_v2(request):
    for _ in range(30):
        if _probe():
            return JSONResponse({"ready": True})
        time.sleep(1)
    return JSONResponse({"ready": False}, status_code=503)


def _probe():
    return requests.head(f"{MEDIA}/health", timeout=1).ok


async def long_poll(request):
    try:
        while True:  # ok: HB304 awaits in the loop
            update = await _next_update()
            if update:
                return JSONResponse(update)
            await asyncio.sleep(1)
    except (CancelledError, ConnectionError):  # expect: HB602
        return JSONResponse({"status": "gone"})


async def subscribe(request):
    try:
        return JSONResponse(await asyncio.wait_for(_next_update(), timeout=30))
    except asyncio.TimeoutError:  # ok: HB602 TimeoutError is not cancellation
        return JSONResponse({"status": "timeout"})


async def unsubscribe(request):
    try:
        await _drop(request.path_params["sub"])
    except CancelledError:  # expect: HB602
        pass
    return JSONResponse({"ok": True})


async def _next_update():
    await asyncio.sleep(0)
    return None


async def _drop(sub):
    await asyncio.sleep(0)


async def refresh(request):
    loop = asyncio.get_running_loop()
    loop.create_task(_refresh_cache())  # expect: HB502
    return JSONResponse({"refreshing": True})


async def _refresh_cache():
    await CLIENT.post(f"{MEDIA}/cache/refresh")


routes = [
    Route("/media/{key}/checksum", media_checksum),
    Route("/media/{key}/checksum/v2", media_checksum_v2),
    Route("/media/{key}/size", media_size),
    Route("/media/{key}", media_download),
    Route("/media/{key}/thumb", thumbnail_meta),
    Route("/media/{key}/thumb/v2", thumbnail_meta_v2),
    Route("/health", Health),
    Route("/ready", wait_ready),
    Route("/ready/v2", wait_ready_v2),
    Route("/poll", long_poll),
    Route("/subscribe", subscribe),
    Route("/subscriptions/{sub}", unsubscribe, methods=["DELETE"]),
    Route("/refresh", refresh, methods=["POST"]),
]
app = Starlette(routes=routes)
