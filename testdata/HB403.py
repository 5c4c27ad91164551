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
    CACHE_LOCK.acquire()  # expect: HB403 "CACHE_LOCK.acquire() is released outside a finally" "handler 'refresh'" "leaves it held and the next acquire() deadlocks" "use 'with CACHE_LOCK:'"
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


@app.post("/cache/warm")
def warm():
    CACHE_LOCK.acquire()  # ok: an error in the try ends in the except, then in the release() after it
    try:
        rows = load_all()
        if not rows:
            CACHE_LOCK.release()
            return "", 204
        CACHE.update(rows)
    except Exception:
        CACHE.clear()
    CACHE_LOCK.release()
    return "", 200


@app.get("/cache/<key>")
def get_key(key):
    global hits
    STATS_LOCK.acquire()  # ok: nothing between acquire and release can raise
    hits += 1
    STATS_LOCK.release()
    if SLOTS.acquire(timeout=2):  # expect: HB403 "every later acquire() waits out its timeout and fails"
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


@app.get("/cache/<key>/admitted")
def get_admitted(key):
    admitted = SLOTS.acquire(timeout=2)  # ok: what runs before the try when nothing was taken holds nothing
    if not admitted:
        load_one("busy").record(key)
        return "", 503
    try:
        return jsonify(load_one(key))
    finally:
        SLOTS.release()


@app.get("/cache/<key>/checked")
def get_checked(key):
    admitted = SLOTS.acquire(timeout=2)  # expect: HB403 "can return before the try whose finally releases it" "handler 'get_checked'"
    if not admitted:
        return "", 503
    if not key:
        return "", 400
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


@app.post("/cache/rebuild")
def rebuild():
    if not CACHE_LOCK.acquire(blocking=False):  # expect: HB403 "CACHE_LOCK.acquire() is released outside a finally" "leaves it held and the blocking acquire in 'refresh' deadlocks"
        return "", 409
    CACHE.clear()
    CACHE.update(load_all())
    CACHE_LOCK.release()
    return "", 204


@app.post("/cache/rebuild-safely")
def rebuild_safely():
    if not CACHE_LOCK.acquire(False):  # ok: released in finally right after
        return "", 409
    try:
        CACHE.update(load_all())
    finally:
        CACHE_LOCK.release()
    return "", 204


@app.post("/cache/merge")
def merge():
    CACHE_LOCK.acquire()  # expect: HB403 "CACHE_LOCK.acquire() is followed by code that can raise before the try whose finally releases it" "handler 'merge'" "call acquire() right before `try:` or use 'with CACHE_LOCK:'"
    fresh = load_all()
    try:
        CACHE.update(fresh)
    finally:
        CACHE_LOCK.release()
    return "", 204


@app.post("/cache/merge-safely")
def merge_safely():
    fresh = load_all()
    CACHE_LOCK.acquire()  # ok: the try starts right after, only an assignment between
    started = True
    try:
        CACHE.update(fresh)
    finally:
        CACHE_LOCK.release()
    return jsonify(started=started)


@app.post("/cache/<name>/drop")
def drop(name):
    key = name.strip()
    CACHE_LOCK.acquire()  # expect: HB403 "CACHE_LOCK.acquire() is followed by code that can return before the try whose finally releases it: a return in handler 'drop'"
    if not key:
        return "", 400
    try:
        CACHE.pop(key, None)
    finally:
        CACHE_LOCK.release()
    return "", 204


@app.post("/cache/<name>/evict")
def evict(name):
    key = name.strip()
    CACHE_LOCK.acquire()  # expect: HB403 "CACHE_LOCK.acquire() is released outside a finally: a return in handler 'evict'"
    if key not in CACHE:
        return "", 404
    CACHE.pop(key, None)
    CACHE_LOCK.release()
    return "", 204


@app.post("/cache/<name>/expire")
def expire(name):
    key = name.strip()
    CACHE_LOCK.acquire()  # ok: the early return gives the lock back first
    if key not in CACHE:
        CACHE_LOCK.release()
        return "", 404
    CACHE.pop(key, None)
    CACHE_LOCK.release()
    return "", 204


def _cache_key(name):
    """The form a key is stored under: caseless, so `Model` and `model` are one entry."""
    return name.strip().casefold()


def _cached(name):
    return CACHE[name]


@app.post("/cache/<name>/pin")
def pin(name):
    CACHE_LOCK.acquire()  # ok: _cache_key() cannot raise, the try starts right after it
    key = _cache_key(name)
    try:
        CACHE[key] = load_one(key)
    finally:
        CACHE_LOCK.release()
    return "", 204


@app.post("/cache/<name>/touch")
def touch(name):
    CACHE_LOCK.acquire()  # expect: HB403 "CACHE_LOCK.acquire() is followed by code that can raise before the try whose finally releases it" "handler 'touch'"
    entry = _cached(name)
    try:
        CACHE[name] = entry
    finally:
        CACHE_LOCK.release()
    return "", 204


@app.post("/cache/merge-nested")
def merge_nested():
    STATS_LOCK.acquire()  # ok: acquired inside the try's protection chain, released in its finally
    try:
        try:
            CACHE.update(load_all())
        except KeyError:
            CACHE.clear()
    finally:
        STATS_LOCK.release()
    return "", 204


def local_batch(items):
    lock = threading.Lock()
    lock.acquire()  # ok: a lock created in this call cannot be shared with another
    total = sum(load_one(item) for item in items)
    lock.release()
    return total


def record_hit(key):
    try:
        CACHE[key] = CACHE.get(key, 0) + 1
    except Exception:
        pass


def count_hit(key):
    STATS_LOCK.acquire()  # ok: record_hit() catches everything it raises
    record_hit(key)
    STATS_LOCK.release()


def reload_settings():
    CACHE.clear()


class Settings:
    """Refreshes itself when another process bumped the version; one refresher at a time."""

    def __init__(self):
        self._version = None
        self._mutex = threading.Lock()

    def check_fresh(self):
        value = load_one("version")
        if self._version != value:
            if self._mutex.acquire(False):  # ok: only ever acquired without blocking: left held, later refreshes are skipped, nothing hangs
                reload_settings()
                self._version = value
                self._mutex.release()


@app.get("/cache/<key>/timed")
def timed(key):
    if not STATS_LOCK.acquire(timeout=1):  # expect: HB403 "STATS_LOCK.acquire() is released outside a finally" "leaves it held and the blocking acquire in 'get_key' deadlocks"
        return "", 503
    value = load_one(key)
    STATS_LOCK.release()
    return jsonify(value)


FAILED = {}
SEEN = {}


def remember(login, ok, now):
    """Takes and drops one lock several times: each release() ends the region of the nearest acquire()."""
    STATS_LOCK.acquire()  # ok: only a dict store and a pop with a default before its release
    FAILED.pop(login, None)
    SEEN[login] = now
    STATS_LOCK.release()
    if ok:
        verdict = load_one(login)
        STATS_LOCK.acquire()  # ok: its own region is a dict store; load_one() above ran before it
        SEEN[login] = verdict
        STATS_LOCK.release()
    else:
        STATS_LOCK.acquire()  # expect: HB403 "STATS_LOCK.acquire() is released outside a finally" "function 'remember'"
        FAILED[login] = load_one(login)
        STATS_LOCK.release()


def latency_buckets(started_ns, now_ns):
    STATS_LOCK.acquire()  # ok: an empty dict(), a division by a number written out and int() of it cannot raise
    buckets = dict()
    seconds = int((now_ns - started_ns) / 10**9)
    buckets[seconds] = round(seconds / 60, 1)
    STATS_LOCK.release()
    return buckets


def bucket_label(key):
    STATS_LOCK.acquire()  # expect: HB403 "STATS_LOCK.acquire() is released outside a finally" "function 'bucket_label'"
    label = "%s-%s" % 2  # formatting can raise, whatever the right side is
    STATS_LOCK.release()
    return label


def bucket_width(total, rows):
    STATS_LOCK.acquire()  # expect: HB403 "STATS_LOCK.acquire() is released outside a finally" "function 'bucket_width'"
    width = int(total / rows)  # int() of a quotient does not raise; the division by a variable can
    STATS_LOCK.release()
    return width


class Poller:
    def __init__(self):
        self._slots = asyncio.Semaphore(2)

    async def poll(self, fn):
        loop = asyncio.get_running_loop()
        await self._slots.acquire()  # ok: scheduling a callback on the loop cannot raise
        warn = loop.call_later(10, print, "slow poll")
        try:
            return await fn()
        finally:
            warn.cancel()
            self._slots.release()

    async def poll_logged(self, fn, log_name):
        await self._slots.acquire()  # expect: HB403 "self._slots.acquire() is followed by code that can raise before the try whose finally releases it" "method 'Poller.poll_logged'"
        logger = open_log(log_name)
        try:
            return await fn(logger)
        finally:
            self._slots.release()


def open_log(name):
    return open(name, "a")


class AccessDenied(Exception):
    pass


@app.post("/cache/<key>/upload")
def upload(key):
    CACHE_LOCK.acquire()  # expect: HB403 "CACHE_LOCK.acquire() is released outside a finally" "handler 'upload'"
    try:
        CACHE[key] = load_one(key)
        CACHE_LOCK.release()
    except AccessDenied:  # only this error releases: any other leaves the lock held
        CACHE_LOCK.release()
        return jsonify(error="denied"), 403
    return jsonify(ok=True)


# A model worker whose semaphore is built on first use, on the module's worker object, and taken
# and given back through two helpers of the module (FastChat's workers).
class ModelWorker:
    def __init__(self, limit):
        self.limit = limit
        self.semaphore = None

    def generate(self, params):
        return {"text": params["prompt"]}


worker = ModelWorker(5)


def release_worker_semaphore():
    worker.semaphore.release()


def acquire_worker_semaphore():
    if worker.semaphore is None:
        worker.semaphore = asyncio.Semaphore(worker.limit)
    return worker.semaphore.acquire()


def acquire_slot_for(target):
    return target.semaphore.acquire()  # the lock is the caller's argument: not followed


def acquire_and_log():
    worker.semaphore.acquire()  # acquiring is not the helper's last word: not a helper
    print("acquired")


@app.post("/worker/generate")
async def worker_generate(request):
    params = await request.json()
    await acquire_worker_semaphore()  # expect: HB403 "acquire_worker_semaphore() takes worker.semaphore, which is released outside a finally" "handler 'worker_generate'" "release it in a finally"
    output = worker.generate(params)
    release_worker_semaphore()
    return output


@app.post("/worker/generate-direct")
async def worker_generate_direct(request):
    params = await request.json()
    await worker.semaphore.acquire()  # expect: HB403 "handler 'worker_generate_direct'" "use 'async with worker.semaphore:'"
    output = worker.generate(params)
    worker.semaphore.release()
    return output


@app.post("/worker/generate-safely")
async def worker_generate_safely(request):
    params = await request.json()
    await acquire_worker_semaphore()
    try:
        return worker.generate(params)
    finally:
        release_worker_semaphore()


@app.post("/worker/generate-for")
async def worker_generate_for(request):
    await acquire_slot_for(worker)
    text = worker.generate(await request.json())["text"]
    release_worker_semaphore()
    return {"text": text}


@app.post("/worker/generate-logged")
async def worker_generate_logged(request):
    params = await request.json()
    acquire_and_log()
    output = worker.generate(params)
    release_worker_semaphore()
    return output


@app.post("/worker/status")
async def worker_status(request):
    worker = await request.json()  # a local named like the module's worker: another object
    await worker.semaphore.acquire()
    output = len(worker)
    worker.semaphore.release()
    return output
