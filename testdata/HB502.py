"""Notification service: aiohttp handlers and a worker that fan out async jobs."""
import asyncio
from asyncio import create_task, ensure_future

from aiohttp import web

from .jobs import deliver, refresh_feed, send_push, warm_cache

routes = web.RouteTableDef()
BACKGROUND = set()


@routes.post("/push")
async def push(request):
    payload = await request.json()
    asyncio.create_task(send_push(payload))  # expect: HB502 "asyncio.create_task() task is dropped" "handler 'push'"
    return web.json_response({"queued": True})


@routes.post("/push/kept")
async def push_kept(request):
    payload = await request.json()
    task = asyncio.create_task(send_push(payload))  # ok: added to a set
    BACKGROUND.add(task)
    task.add_done_callback(BACKGROUND.discard)
    return web.json_response({"queued": True})


@routes.post("/feeds/{fid}/refresh")
async def refresh(request):
    task = create_task(refresh_feed(request.match_info["fid"]))  # expect: HB502 "create_task() task is bound to 'task' and never used" "handler 'refresh'"
    return web.json_response({"refreshing": True})


@routes.post("/feeds/{fid}/refresh-now")
async def refresh_now(request):
    task = create_task(refresh_feed(request.match_info["fid"]))  # ok: awaited
    await asyncio.wait_for(task, timeout=10)
    return web.json_response({"refreshed": True})


@routes.post("/deliver")
async def deliver_all(request):
    ids = (await request.json())["ids"]
    results = await asyncio.gather(*[asyncio.create_task(deliver(i)) for i in ids])  # ok: gathered
    ensure_future(warm_cache())  # expect: HB502 "ensure_future() task is dropped" "handler 'deliver_all'"
    return web.json_response({"delivered": len(results)})


@routes.post("/deliver/grouped")
async def deliver_grouped(request):
    ids = (await request.json())["ids"]
    async with asyncio.TaskGroup() as tg:
        for i in ids:
            tg.create_task(deliver(i))  # ok: TaskGroup task
            asyncio.create_task(deliver(i))  # ok: inside async with TaskGroup()
    return web.json_response({"delivered": len(ids)})


@routes.get("/ping")
async def ping(request):
    loop = asyncio.get_running_loop()
    loop.create_task(warm_cache())  # expect: HB502 "loop.create_task() task is dropped" "handler 'ping'"
    return web.Response(text="pong")


@routes.get("/ping/awaited")
async def ping_awaited(request):
    await asyncio.create_task(warm_cache())  # ok: awaited
    return web.Response(text="pong")


@routes.post("/push/many")
async def push_many(request):
    payloads = await request.json()
    [asyncio.create_task(send_push(p)) for p in payloads]  # expect: HB502 "asyncio.create_task() task is put in a list that is dropped" "handler 'push_many'"
    pending = (asyncio.create_task(deliver(1)), asyncio.create_task(deliver(2)))  # expect: HB502[col=16] "is put in a tuple bound to 'pending' and never used", HB502[col=49] "is put in a tuple bound to 'pending' and never used"
    list(asyncio.ensure_future(deliver(i)) for i in range(3))  # expect: HB502 "asyncio.ensure_future() task is put in a list() that is dropped"
    return web.json_response({"queued": len(payloads)})


@routes.post("/push/many/kept")
async def push_many_kept(request):
    payloads = await request.json()
    tasks = [asyncio.create_task(send_push(p)) for p in payloads]  # ok: the list is waited on
    await asyncio.wait(tasks)
    BACKGROUND.update({asyncio.create_task(send_push(p)) for p in payloads})  # ok: the set is handed to BACKGROUND
    both = (asyncio.create_task(deliver(1)), asyncio.create_task(deliver(2)))  # ok: the tuple is gathered
    await asyncio.gather(*both)
    return web.json_response({"queued": len(payloads)})


SERVERS = {}


def make_stop_future():
    return asyncio.get_running_loop().create_future()


@routes.delete("/servers/{name}")
async def delete_server(request):
    server = SERVERS[request.match_info["name"]]

    async def _forget(stopped=None):
        """Only called once the server stopped."""
        if stopped:
            await stopped
        SERVERS.pop(server.name, None)
        await refresh_feed(server.name)

    asyncio.ensure_future(_forget(server.stop_future))  # ok: a continuation: it first waits on the server's stop future, which holds it
    asyncio.ensure_future(_forget(make_stop_future()))  # expect: HB502 "asyncio.ensure_future() task is dropped" "handler 'delete_server'"
    asyncio.ensure_future(_forget())  # expect: HB502 "asyncio.ensure_future() task is dropped" "handler 'delete_server'"
    return web.Response(status=202)


async def start_app(app):
    loading = asyncio.ensure_future(warm_cache())  # ok: waited on by the continuation below
    await asyncio.wait([loading], timeout=5)
    if not loading.done():
        async def after_loading():
            await loading
            await refresh_feed("all")

        asyncio.ensure_future(after_loading())  # ok: a continuation of 'loading', which already exists

        async def reload_all():
            await refresh_feed("all")
            await loading

        asyncio.ensure_future(reload_all())  # expect: HB502 "asyncio.ensure_future() task is dropped" "function 'start_app'"


class Worker:
    def __init__(self, queue):
        self.queue = queue
        self.task = None

    async def start(self):
        self.task = asyncio.create_task(self.run())  # ok: stored on self

    async def run(self):
        while True:
            job = await self.queue.get()
            asyncio.ensure_future(deliver(job)).add_done_callback(print)  # expect: HB502 "asyncio.ensure_future() task is dropped" "method 'Worker.run'"

    def spawn(self, coro):
        return asyncio.create_task(coro)  # ok: returned


async def main():
    worker = Worker(asyncio.Queue())
    await worker.start()
    scheduler = SomeScheduler()
    scheduler.create_task(warm_cache())  # ok: receiver of unknown kind


class SomeScheduler:
    def create_task(self, coro):
        return coro
