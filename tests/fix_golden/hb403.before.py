"""HB403 fix: acquire() ... release() in one block becomes `with lock:` / `async with lock:`."""
import asyncio
import threading

from flask import Flask, jsonify

app = Flask(__name__)
CACHE = {}
CACHE_LOCK = threading.Lock()
SLOTS = threading.Semaphore(4)


@app.post("/cache/refresh")
def refresh():
    CACHE_LOCK.acquire()  # one refresher at a time
    CACHE.update(load_all())
    # done
    CACHE_LOCK.release()
    return "", 204


@app.get("/cache/<key>")
def get_key(key):
    if SLOTS.acquire(timeout=2):  # left alone: the result decides whether it is held
        value = load_all()[key]
        SLOTS.release()
        return jsonify(value)
    return "", 503


class Throttle:
    def __init__(self):
        self._lock = asyncio.Lock()

    async def call(self, fn):
        await self._lock.acquire()
        result = await fn()
        self._lock.release()
        return result


def load_all():
    return {}
