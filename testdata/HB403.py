"""Cache endpoints guarded by explicit locks."""
import asyncio
import multiprocessing
import threading
from threading import RLock, Semaphore

from flask import Flask, jsonify

from .store import load_all, load_one

app = Flask(__name__)

CACHE = {}
CACHE_LOCK = threading.Lock()
STATS_LOCK = RLock()
SLOTS = Semaphore(4)
PROC_LOCK = multiprocessing.Lock()
COND = threading.Condition()
hits = 0


@app.post("/cache/refresh")
def refresh():
    CACHE_LOCK.acquire()  # expect: HB403 "CACHE_LOCK.acquire() is released outside a finally" "handler 'refresh'" "use 'with CACHE_LOCK:'"
    CACHE.update(load_all())
    CACHE_LOCK.release()
    return "", 204


@app.post("/cache/refresh-safely")
def refresh_safely():
    CACHE_LOCK.acquire()  # ok: released in finally
    try:
        CACHE.update(load_all())
    finally:
        CACHE_LOCK.release()
    return "", 204


@app.get("/cache/<key>")
def get_key(key):
    global hits
    STATS_LOCK.acquire()  # ok: nothing between acquire and release can raise
    hits += 1
    STATS_LOCK.release()
    if SLOTS.acquire(timeout=2):  # expect: HB403[col=8] "SLOTS.acquire() is released outside a finally" "handler 'get_key'" "use 'with SLOTS:'"
        value = load_one(key)
        SLOTS.release()
        return jsonify(value)
    return "", 503


@app.get("/cache/<key>/slot")
def get_slot(key):
    if not SLOTS.acquire(timeout=2):  # ok: released in finally
        return "", 503
    try:
        return jsonify(load_one(key))
    finally:
        SLOTS.release()


@app.get("/cache/<key>/proc")
def proc(key):
    PROC_LOCK.acquire()  # expect: HB403 "PROC_LOCK.acquire() is released outside a finally" "handler 'proc'" "use 'with PROC_LOCK:'"
    value = CACHE[key]
    PROC_LOCK.release()
    return jsonify(value)


@app.get("/cache/<key>/cond")
def cond(key):
    COND.acquire()  # expect: HB403 "COND.acquire() is released outside a finally" "handler 'cond'" "use 'with COND:'"
    COND.wait_for(lambda: key in CACHE, timeout=5)
    value = load_one(key)
    COND.release()
    return jsonify(value)


@app.get("/cache/<key>/with")
def with_lock(key):
    with CACHE_LOCK:  # ok: with is the idiom
        return jsonify(load_one(key))


class Throttle:
    def __init__(self):
        self._lock = asyncio.Lock()
        self._sem = asyncio.Semaphore(10)

    async def call(self, fn):
        await self._lock.acquire()  # expect: HB403[col=15] "self._lock.acquire() is released outside a finally" "method 'Throttle.call'" "use 'async with self._lock:'"
        result = await fn()
        self._lock.release()
        return result

    async def call_safely(self, fn):
        await self._sem.acquire()  # ok: released in finally
        try:
            return await fn()
        finally:
            self._sem.release()

    def __enter__(self):
        CACHE_LOCK.acquire()  # ok: released in __exit__, another method
        return self

    def __exit__(self, *exc):
        CACHE_LOCK.release()


def with_unknown(lock, fn):
    lock.acquire()  # ok: receiver of unknown kind
    fn()
    lock.release()


def retry_on_error(fn):
    CACHE_LOCK.acquire()  # ok: the error path releases in except
    try:
        fn()
    except Exception:
        CACHE_LOCK.release()
        raise
    CACHE_LOCK.release()


def average_latency(total, count):
    STATS_LOCK.acquire()  # expect: HB403 "STATS_LOCK.acquire() is released outside a finally" "function 'average_latency'" "use 'with STATS_LOCK:'"
    mean = total / count  # ZeroDivisionError skips the release
    STATS_LOCK.release()
    return mean


def scaled_latency(total, factor):
    STATS_LOCK.acquire()  # ok: multiplication does not raise here
    scaled = total * factor
    STATS_LOCK.release()
    return scaled
