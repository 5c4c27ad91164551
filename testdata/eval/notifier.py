"""Notification fan-out service: asyncio and multiprocessing queues (no handlers here)."""
import asyncio
import logging
import multiprocessing

from notify.transport import deliver, render

log = logging.getLogger(__name__)

JOBS = multiprocessing.JoinableQueue()


class Notifier:
    def __init__(self):
        self._outbox = asyncio.Queue()
        self._retry = asyncio.Queue(maxsize=50)

    async def notify(self, msg):
        await self._outbox.put(msg)  # expect: HB302

    async def retry_later(self, msg):
        await self._retry.put(msg)  # expect: HB301

    async def retry_soon(self, msg):
        self._retry.put_nowait(msg)  # ok: HB301 put_nowait

    async def flush(self):
        await self._outbox.join()  # expect: HB303


class Dispatcher:
    def __init__(self, concurrency=4):
        self._queue = asyncio.Queue(maxsize=1000)
        self._done = asyncio.Queue()
        self._workers = []
        self._concurrency = concurrency

    async def start(self):
        self._workers = [asyncio.create_task(self._run()) for _ in range(self._concurrency)]  # ok: HB502 kept in a list

    async def submit(self, msg):
        await self._queue.put(msg)  # ok: HB301 consumed by _run

    async def _run(self):
        while True:
            msg = await self._queue.get()
            await deliver(msg)
            self._queue.task_done()  # expect: HB402
            await self._done.put(msg)  # ok: HB302 consumed by delivered()

    async def delivered(self):
        return await self._done.get()

    async def drain(self):
        await self._queue.join()  # ok: HB303 task_done is called in _run

    async def wait_delivered(self):
        await self._done.join()  # expect: HB303


class SafeDispatcher:
    def __init__(self):
        self._queue = asyncio.Queue()

    async def submit(self, msg):
        await self._queue.put(msg)  # ok: HB302 consumed by _run

    async def _run(self):
        while True:
            msg = await self._queue.get()
            try:
                await deliver(msg)
            except Exception:
                log.exception("delivery failed")
            finally:
                self._queue.task_done()  # ok: HB402 in finally

    async def drain(self):
        await self._queue.join()  # ok: HB303 task_done is called in _run


def render_worker():
    while True:
        job = JOBS.get()
        render(job)
        JOBS.task_done()  # expect: HB402


def enqueue_render(job):
    JOBS.put(job)  # ok: HB302 consumed by render_worker


def wait_renders():
    JOBS.join()  # ok: HB303 task_done is called in render_worker


def start_render_workers(n):
    procs = [multiprocessing.Process(target=render_worker, daemon=True) for _ in range(n)]
    for p in procs:
        p.start()
    return procs


async def check(task):
    if task.done():  # ok: HB401 a task's done() query, not a wait group
        return task.result()
    return None
