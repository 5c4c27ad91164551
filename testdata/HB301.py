"""Order service: handlers hand work to in-process queues."""
import asyncio
import multiprocessing
import queue
import threading
from queue import LifoQueue, Queue
from typing import Generic, TypeVar

from flask import Flask, jsonify, request

from .queues import BaseUpdateQueue
from .settings import AUDIT_CAPACITY, write_audit

T = TypeVar("T")

app = Flask(__name__)

AUDIT = Queue(maxsize=AUDIT_CAPACITY)
RECENT = LifoQueue(maxsize=50)
MAIL = queue.Queue(100)
THUMBS = queue.PriorityQueue(maxsize=10)
RESIZE = multiprocessing.JoinableQueue(8)
UNBOUNDED = queue.Queue(maxsize=0)
SHIPPING = queue.Queue(maxsize=500)
EXPORTS = queue.Queue(maxsize=5)
from_elsewhere = None


@app.post("/orders")
def create_order():
    order = request.get_json()
    AUDIT.put(order)  # expect: HB301 "AUDIT.put() on a bounded queue" "handler 'create_order'"
    RECENT.put(order["id"])  # expect: HB301 "RECENT.put() on a bounded queue" "handler 'create_order'"
    MAIL.put(order, True)  # expect: HB301 "MAIL.put() on a bounded queue" "handler 'create_order'"
    MAIL.put(order, timeout=0.5)  # ok: timeout given
    MAIL.put(order, True, 2)  # ok: positional timeout
    MAIL.put(order, block=False)  # ok: non-blocking
    MAIL.put(order, False)  # ok: positional block=False
    MAIL.put_nowait(order)  # ok: put_nowait never blocks
    THUMBS.put((1, order["id"]), timeout=None)  # expect: HB301 "THUMBS.put() on a bounded queue" "handler 'create_order'"
    RESIZE.put(order["image"])  # expect: HB301 "RESIZE.put() on a bounded queue" "handler 'create_order'"
    SHIPPING.put(order)  # ok: a worker below consumes SHIPPING
    EXPORTS.put(order)  # ok: EXPORTS escapes to a thread as an argument
    return jsonify(ok=True), 201


def shipping_worker():
    while True:
        order = SHIPPING.get()
        ship(order)


def ship(order):
    pass


threading.Thread(target=lambda q: None, args=(EXPORTS,), daemon=True).start()


class Notifier:
    def __init__(self):
        self.pending = queue.Queue(maxsize=20)
        self.outbox = queue.Queue(maxsize=20)
        self.sent = queue.Queue(maxsize=20)

    def notify(self, message):
        self.pending.put(message)  # expect: HB301 "self.pending.put() on a bounded queue" "method 'Notifier.notify'"
        self.outbox.put(message)  # ok: drained by drain() below
        self.sent.put(message)  # ok: handed out by the sent_queue() accessor

    def drain(self):
        for _ in range(self.outbox.qsize()):
            self.outbox.get_nowait()

    def sent_queue(self):
        return self.sent


class SpendQueue(BaseUpdateQueue):
    def __init__(self):
        super().__init__()
        self.update_queue = asyncio.Queue(maxsize=1000)

    async def add_update(self, update):
        await self.update_queue.put(update)  # ok: its base, in another module, may drain it


class AuditQueue(Generic[T]):
    def __init__(self):
        self.entries = queue.Queue(maxsize=100)

    def record(self, entry):
        self.entries.put(entry)  # expect: HB301 "self.entries.put() on a bounded queue" "method 'AuditQueue.record'"


async def enqueue_many(items, **opts):
    jobs = asyncio.Queue(maxsize=10)
    results = asyncio.Queue(maxsize=10)
    for item in items:
        await jobs.put(item)  # expect: HB301[col=15] "jobs.put() on a bounded queue" "function 'enqueue_many'"
        await asyncio.wait_for(results.put(item), timeout=1)  # ok: bounded by wait_for
    spare = Queue(maxsize=3)
    spare.put(items, **opts)  # ok: **opts may carry a timeout


def handed_over(items):
    work = Queue(maxsize=4)
    for item in items:
        work.put(item)  # ok: the queue is returned to the caller
    return work


def parameter_queue(q: queue.Queue, item):
    q.put(item)  # ok: a parameter, created elsewhere


def unknown_receiver(item):
    from_elsewhere.put(item)  # ok: receiver of unknown kind
