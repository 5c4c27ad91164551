"""Weather gateway (aiohttp)."""
import asyncio
import logging
import queue
import threading

import aiohttp
from aiohttp import web

log = logging.getLogger(__name__)
routes = web.RouteTableDef()
CLIENT_TIMEOUT = aiohttp.ClientTimeout(connect=5)  # expect: HB203 "sets neither total nor sock_read" "module-level code"
RENDER_LOCK = threading.Lock()
JOBS = queue.Queue()
WX = "https://wx.example"


@routes.get("/weather/{city}")
async def weather(request):
    timeout = aiohttp.ClientTimeout(connect=2, sock_connect=2)  # expect: HB203
    async with aiohttp.ClientSession(timeout=timeout) as session:
        async with session.get(f"{WX}/now/{request.match_info['city']}") as resp:  # ok: HB101 response used in async with
            return web.json_response(await resp.json())


@routes.get("/forecast/{city}")
async def forecast(request):
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:  # ok: HB203 total is set
        resp = await session.get(f"{WX}/forecast/{request.match_info['city']}")  # ok: HB101 owning session closed by its async with
        return web.json_response(await resp.json())


@routes.get("/radar")
async def radar(request):
    session = aiohttp.ClientSession()  # expect: HB103
    resp = await session.get(f"{WX}/radar", timeout=aiohttp.ClientTimeout(sock_read=5))  # ok: HB203 sock_read is set; HB101 await resp.read() reads the body in full, which releases it (issue 12)
    return web.Response(body=await resp.read(), content_type="image/png")


@routes.post("/upload")
async def upload(request):
    data = await request.read()
    async with aiohttp.ClientSession(timeout=None) as session:  # ok: HB203 ClientSession(timeout=None) keeps aiohttp's default
        async with session.post(f"{WX}/ingest", data=data) as resp:
            return web.json_response({"status": resp.status})


@routes.get("/alerts/{region}")
async def alerts(request):
    data = await _fetch_json(request.app["http"], f"{WX}/alerts/{request.match_info['region']}")
    text = await _fetch_text(request.app["http"], f"{WX}/alerts/{request.match_info['region']}.txt")
    return web.json_response({"alerts": data, "text": text})


async def _fetch_json(session: aiohttp.ClientSession, url: str):
    resp = await session.get(url)  # ok: HB101 await resp.json() reads the body in full (issue 12)
    return await resp.json()


async def _fetch_text(session: aiohttp.ClientSession, url: str):
    resp = await session.get(url)  # ok: HB101 released in finally
    try:
        return await resp.text()
    finally:
        resp.release()


@routes.get("/stations")
async def stations(request):
    resp = await request.app["http"].get(f"{WX}/stations")  # ok: HB101 receiver of unknown kind
    return web.json_response(await resp.json())


@routes.post("/hooks/github")
async def github_hook(request):
    payload = await request.json()
    asyncio.ensure_future(process_hook(payload))  # expect: HB502
    return web.Response(status=202)


async def process_hook(payload):
    log.info("hook %s", payload.get("action"))


@routes.get("/ws")
async def websocket(request):
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    try:
        async for msg in ws:
            await ws.send_str(msg.data.upper())
    except BaseException:  # expect: HB602
        log.warning("websocket closed abruptly")
    return ws


@routes.get("/ws/v2")
async def websocket_v2(request):
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    try:
        async for msg in ws:
            await ws.send_str(msg.data.upper())
    except BaseException:  # ok: HB602 re-raised after closing
        await ws.close()
        raise
    return ws


class TileView(web.View):
    async def get(self):
        z, x, y = (self.request.match_info[k] for k in ("z", "x", "y"))
        async with aiohttp.ClientSession(timeout=CLIENT_TIMEOUT) as session:  # ok: HB203 name; the ClientTimeout itself is built at module level
            async with session.get(f"{WX}/tiles/{z}/{x}/{y}.png") as resp:
                return web.Response(body=await resp.read(), content_type="image/png")


async def status(request):
    while True:  # ok: HB304 loop body awaits and returns
        ok = await _probe()
        if ok:
            return web.json_response({"ok": True})
        await asyncio.sleep(1)


async def _probe():
    return True


async def render(request):
    RENDER_LOCK.acquire()  # expect: HB601, HB403@render
    png = await _render(request.query["q"])
    RENDER_LOCK.release()  # expect: HB403@render
    return web.Response(body=png, content_type="image/png")


async def _render(q):
    return q.encode()


async def next_job(request):
    job = JOBS.get()  # expect: HB205, HB601
    return web.json_response(job)


async def submit_job(request):
    JOBS.put_nowait(await request.json())  # ok: HB302 put_nowait; HB601 non-blocking
    return web.Response(status=202)


async def on_startup(app):
    app["http"] = aiohttp.ClientSession()
    app["poller"] = asyncio.create_task(_poll(app))  # ok: HB502 stored on the app


async def _poll(app):
    while True:
        await asyncio.sleep(60)


app = web.Application()
app.add_routes(routes)
app.router.add_get("/status", status)
app.router.add_view("/tiles/{z}/{x}/{y}", TileView)
app.add_routes([web.get("/render", render), web.get("/jobs/next", next_job), web.post("/jobs", submit_job)])
app.on_startup.append(on_startup)
