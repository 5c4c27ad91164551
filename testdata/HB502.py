"""Notification service: aiohttp handlers and a worker that fan out async jobs."""
import asyncio
import atexit
import functools
import logging
import signal
from asyncio import create_task, ensure_future

from aiohttp import web

from .jobs import deliver, refresh_feed, send_push, warm_cache

routes = web.RouteTableDef()
BACKGROUND = set()
log = logging.getLogger(__name__)


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

    def schedule(self, loop, job):
        task = loop.create_task(deliver(job))
        BACKGROUND.add(task)
        asyncio.ensure_future(task).add_done_callback(BACKGROUND.discard)  # ok: the task made above, handed back as it is
        return task

    def forward(self, pending):
        asyncio.ensure_future(pending)  # ok: a Task, a Future or a coroutine: unknown
        asyncio.create_task(pending)  # expect: HB502 "asyncio.create_task() task is dropped" "method 'Worker.forward'"

    async def pump(self, reader, writer):
        read = asyncio.ensure_future(reader.read(4096))  # ok: waited on at the top of the loop
        while True:
            done, _ = await asyncio.wait([read], timeout=30)
            if not done:
                raise ConnectionResetError()
            writer.write(read.result())
            read = asyncio.ensure_future(reader.read(4096))  # ok: the next pass waits on it

    async def replay(self, jobs):
        for job in jobs:
            task = asyncio.ensure_future(deliver(job))  # expect: HB502 "is bound to 'task' and never used" "method 'Worker.replay'"
            log.info("replaying %s", job)

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


async def notify_quietly(payload):
    """Best effort: each channel's failure is logged, the others still go."""
    try:
        await send_push(payload)
    except Exception as exc:
        log.warning("push failed: %s", exc)
    try:
        await deliver(payload)
    except (ValueError, Exception):
        log.exception("delivery failed")


async def notify_silently(payload):
    try:
        with open("/var/log/push.log", "a") as trail:  # a plain with: its exit runs even when the task is collected
            trail.write(str(payload))
        await send_push(payload)
    except:  # noqa: E722
        pass


class Notifier:
    async def _send(self, payload):
        try:
            await send_push(payload)
        except BaseException:
            log.exception("push failed")

    def notify(self, payload):
        asyncio.get_running_loop().create_task(self._send(payload))  # ok: best effort, a method of the class


async def notify_and_release(payload, lock):
    try:
        await send_push(payload)
    except Exception:
        log.exception("push failed")
    finally:
        await deliver(lock)  # must run: the paused upstream waits for it


async def notify_or_raise(payload):
    try:
        await send_push(payload)
    except Exception:
        log.exception("push failed")
        raise


async def notify_some(payload):
    try:
        await send_push(payload)
    except ValueError:
        log.exception("bad payload")


async def notify_then_count(payload):
    try:
        await send_push(payload)
    except Exception:
        log.exception("push failed")
    await deliver(payload)


async def notify_in_session(payload):
    try:
        async with web.ClientSession() as session:
            await session.post("http://push", json=payload)
    except Exception:
        log.exception("push failed")


async def notify_else(payload):
    try:
        await send_push(payload)
    except Exception:
        log.exception("push failed")
    else:
        await deliver(payload)


async def run_after_delay(func, *args, delay, periodic=False):
    await asyncio.sleep(delay)  # only a cancellation interrupts it
    try:
        result = func(*args)
        if asyncio.iscoroutine(result):
            await result
    except Exception as error:
        log.info("task %s failed: %s", func, error)
    if periodic:
        asyncio.create_task(run_after_delay(func, *args, delay=delay, periodic=True))  # ok: best effort, rescheduling itself


async def run_after_wait(func, *args, ready):
    await ready.wait()  # a wait on a receiver of unknown kind may raise
    try:
        func(*args)
    except Exception as error:
        log.info("task %s failed: %s", func, error)


@routes.post("/notify")
async def notify(request):
    payload = await request.json()
    asyncio.create_task(notify_quietly(payload))  # ok: best effort: the coroutine catches and logs every error, no cleanup of its own
    asyncio.create_task(notify_silently(payload))  # ok: best effort: a bare except catches everything
    asyncio.create_task(notify_and_release(payload, request))  # expect: HB502 "asyncio.create_task() task is dropped" "handler 'notify'"
    asyncio.create_task(notify_or_raise(payload))  # expect: HB502 "asyncio.create_task() task is dropped" "handler 'notify'"
    asyncio.create_task(notify_some(payload))  # expect: HB502 "asyncio.create_task() task is dropped" "handler 'notify'"
    asyncio.create_task(notify_then_count(payload))  # expect: HB502 "asyncio.create_task() task is dropped" "handler 'notify'"
    asyncio.create_task(notify_in_session(payload))  # expect: HB502 "asyncio.create_task() task is dropped" "handler 'notify'"
    asyncio.create_task(notify_else(payload))  # expect: HB502 "asyncio.create_task() task is dropped" "handler 'notify'"
    asyncio.create_task(run_after_delay(send_push, payload, delay=5))  # ok: best effort: a sleep only a cancellation ends, then everything caught
    asyncio.create_task(run_after_wait(send_push, payload, ready=request.app["ready"]))  # expect: HB502 "asyncio.create_task() task is dropped" "handler 'notify'"
    return web.json_response({"queued": True})


@routes.post("/notify/reviewed")
async def notify_reviewed(request):
    payload = await request.json()
    asyncio.create_task(send_push(payload))  # noqa: RUF006  # ok: ruff's asyncio-dangling-task is silenced here: kept on purpose
    asyncio.ensure_future(deliver(payload))  # detached on purpose  # noqa: E501, RUF006  # ok: RUF006 among other codes
    asyncio.create_task(send_push(payload))  # NOQA:RUF006  # ok: ruff reads noqa in any case, with or without a space
    asyncio.create_task(send_push(payload))  # noqa: RUF005  # expect: HB502 "asyncio.create_task() task is dropped" "handler 'notify_reviewed'"
    # noqa: RUF006 (a comment line of its own silences nothing on the next line)
    asyncio.create_task(send_push(payload))  # expect: HB502 "asyncio.create_task() task is dropped" "handler 'notify_reviewed'"
    asyncio.create_task(send_push(payload))  # pylint: disable=RUF006  # expect: HB502 "asyncio.create_task() task is dropped" "handler 'notify_reviewed'"
    return web.json_response({"queued": True})


@routes.get("/live")
async def live(request):
    feed = await request.app["feeds"].open(request.query["topic"])
    feed.on("item", lambda item: asyncio.create_task(send_push(item)))  # expect: HB502 "asyncio.create_task() task is returned to an event emitter, which drops it" "handler 'live'"
    feed.on("error", lambda error: log.warning("feed error: %s", error))  # ok: no task
    asyncio.get_running_loop().call_later(30, lambda: asyncio.create_task(feed.refresh()))  # ok: a one-shot timer
    fetch = feed.cached(lambda key: asyncio.create_task(refresh_feed(key)))  # ok: an unknown call keeps what the lambda returns
    request.app["refreshers"].append(fetch)
    return web.json_response({"live": True})


@routes.post("/batch/run")
async def run_batch(request):
    lines = await request.json()
    pending = [asyncio.create_task(send_push(line)) for line in lines]  # ok: the rebinding below reads it first
    finished = 0
    while finished < len(lines):
        done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
        finished += len(done)
    checks = [asyncio.create_task(send_push(line)) for line in lines]  # ok: gathered as it is rebound
    checks = await asyncio.gather(*checks)
    jobs = [asyncio.create_task(send_push(line)) for line in lines]  # ok: extended below, then gathered
    jobs += [asyncio.create_task(send_push(line)) for line in lines]  # ok: the list it extends is gathered
    await asyncio.gather(*jobs)
    probes = [asyncio.create_task(send_push(line)) for line in lines]  # expect: HB502 "task is put in a list bound to 'probes' and never used" "handler 'run_batch'"
    probes = []
    return web.json_response({"done": finished, "checks": checks, "probes": probes})


class NotifierProcess:
    """Signal and exit handlers: what they schedule is one-shot work as the process reloads or stops."""

    def __init__(self, app):
        self.app = app

    def install(self):
        loop = asyncio.get_running_loop()
        for name in ("SIGHUP", "SIGQUIT"):
            callback = functools.partial(self.on_signal, name)
            loop.add_signal_handler(getattr(signal, name), callback)
        signal.signal(signal.SIGTERM, lambda sig, frame: self.stop(sig))
        atexit.register(flush_on_exit)

    def on_signal(self, name):
        asyncio.ensure_future(warm_cache(name))  # ok: a signal handler's one-shot reload

    def stop(self, sig):
        asyncio.create_task(self.app.shutdown())  # ok: run from the SIGTERM handler's lambda

    def __del__(self):
        asyncio.get_running_loop().create_task(self.app.shutdown())  # ok: a finalizer's last-resort cleanup

    def restart(self, sig):
        asyncio.create_task(self.app.shutdown())  # expect: HB502 "asyncio.create_task() task is dropped" "'NotifierProcess.restart'"


def flush_on_exit():
    asyncio.ensure_future(deliver({"flush": True}))  # ok: registered with atexit
