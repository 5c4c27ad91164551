"""Analytics endpoints that buffer events in memory."""
import abc
import asyncio
import multiprocessing
import queue
import threading
from queue import SimpleQueue

from fastapi import FastAPI

app = FastAPI()

EVENTS = queue.Queue()
CLICKS = SimpleQueue()
ERRORS = multiprocessing.Queue()
TRACE = queue.Queue(maxsize=-1)
METRICS = queue.Queue()
PAGEVIEWS = queue.Queue()
BOUNDED = queue.Queue(maxsize=10)


@app.post("/track")
def track(event: dict):
    EVENTS.put(event)  # expect: HB302 "EVENTS.put() on an unbounded queue" "handler 'track'" "and its join() never returns"
    CLICKS.put(event["click"])  # expect: HB302 "CLICKS.put() on an unbounded queue" "handler 'track'; consume it"
    ERRORS.put_nowait(event.get("error"))  # expect: HB302 "ERRORS.put_nowait() on an unbounded queue" "handler 'track'"
    TRACE.put(event, timeout=1)  # expect: HB302 "TRACE.put() on an unbounded queue" "handler 'track'"
    METRICS.put(event)  # ok: metrics_flusher consumes it
    PAGEVIEWS.put(event)  # ok: escapes into the thread's args
    BOUNDED.put(event, timeout=1)  # ok: bounded queue with a timeout (HB301 territory)
    return {"ok": True}


@app.post("/track/drain")
def drain():
    EVENTS.join()  # expect: HB303 "EVENTS.join() waits for task_done() calls"
    return {"drained": True}


def metrics_flusher():
    for _ in range(100):
        flush(METRICS.get(timeout=5))


def flush(item):
    pass


threading.Thread(target=print, args=(PAGEVIEWS,), daemon=True).start()


class Tracker:
    def __init__(self):
        self._buffer = asyncio.Queue()
        self._sink = asyncio.Queue()

    async def record(self, event):
        await self._buffer.put(event)  # expect: HB302[col=15] "self._buffer.put() on an unbounded queue" "method 'Tracker.record'"
        self._sink.put_nowait(event)  # ok: pump() below consumes it

    async def pump(self):
        while True:
            item = await self._sink.get()
            print(item)


class Channel(abc.ABC):
    """Kernel messages for one client; each transport drains `outbox` in its own loop."""

    def __init__(self):
        self.outbox = asyncio.Queue()

    def notify(self, message):
        self.outbox.put_nowait(message)  # ok: HB302 an abstract class: its transports consume it

    @abc.abstractmethod
    async def run(self):
        ...


class Recorder:
    def __init__(self):
        self.outbox = asyncio.Queue()

    def notify(self, message):
        self.outbox.put_nowait(message)  # expect: HB302 "self.outbox.put_nowait() on an unbounded queue"

    async def run(self):
        ...


def batch(items):
    q = queue.Queue()
    for item in items:
        q.put(item)  # ok: the queue is aliased and returned
    out = q
    return out


def relay(item, other_queue):
    other_queue.put(item)  # ok: parameter of unknown kind


try:  # a comments app that still runs on Python 2: the same module either way
    import Queue as compat_queue
except ImportError:
    import queue as compat_queue

MAIL_SENT = compat_queue.Queue()
BOUNDED_SENT = compat_queue.Queue(maxsize=100)


@app.post("/comments/{pk}/notify")
def notify_followers(pk: int):
    MAIL_SENT.put(pk)  # expect: HB302 "MAIL_SENT.put() on an unbounded queue" "handler 'notify_followers'"
    BOUNDED_SENT.put_nowait(pk)  # ok: bounded, and put_nowait() never waits
    return {"notified": pk}
