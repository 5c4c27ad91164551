"""Ingestion pipeline workers: queues, threads, locks (no request handlers here)."""
import asyncio
import contextlib
import logging
import multiprocessing
import queue
import threading
from concurrent.futures import ThreadPoolExecutor

from pipeline.shipping import ship_forever
from pipeline.sync import Tracker, WaitGroup
from pipeline.tasks import download, index_document, process, upload, write_batch

log = logging.getLogger(__name__)

AUDIT_LOG = queue.Queue(maxsize=1000)
METRICS = queue.Queue()
WORK = queue.Queue(maxsize=256)
RESULTS = queue.Queue()
UPLOADS = queue.Queue()
INDEX = queue.Queue()
TELEMETRY = multiprocessing.Queue(maxsize=10_000)
SPANS = multiprocessing.Queue(maxsize=5_000)
PENDING = WaitGroup()
inflight = Tracker()
_cache = {}
_cache_lock = threading.Lock()
_slots = threading.BoundedSemaphore(4)
_state_lock = threading.RLock()


# --- producers -----------------------------------------------------------

def audit(event):
    AUDIT_LOG.put(event)  # expect: HB301


def audit_best_effort(event):
    try:
        AUDIT_LOG.put_nowait(event)  # ok: HB301 put_nowait
    except queue.Full:
        log.warning("audit log full, dropping %r", event)


def audit_with_deadline(event):
    AUDIT_LOG.put(event, timeout=0.5)  # ok: HB301 put with a timeout


def record_metric(name, value):
    METRICS.put((name, value))  # expect: HB302


def record_span(span):
    SPANS.put(span)  # expect: HB301


def emit_telemetry(sample):
    TELEMETRY.put(sample)  # ok: HB301 queue escapes to the shipper process


def start_shipper():
    multiprocessing.Process(target=ship_forever, args=(TELEMETRY,), daemon=True).start()


def submit(job):
    WORK.put(job)  # ok: HB301 consumed by _worker


def enqueue_upload(path):
    UPLOADS.put(path)  # ok: HB302 consumed by _uploader


def enqueue_document(doc):
    INDEX.put(doc)  # ok: HB302 consumed by _indexer


# --- consumers -----------------------------------------------------------

def _worker():
    while True:
        job = WORK.get()
        try:
            RESULTS.put(process(job))  # ok: HB302 consumed by drain_results
        finally:
            WORK.task_done()  # ok: HB402 in finally


def drain_results():
    out = []
    while not RESULTS.empty():
        out.append(RESULTS.get_nowait())
    return out


def _uploader():
    while True:
        path = UPLOADS.get()
        upload(path)


def _indexer():
    while True:
        doc = INDEX.get()
        index_document(doc)
        INDEX.task_done()  # expect: HB402


def start_workers(n=4):
    threads = [threading.Thread(target=_worker, daemon=True) for _ in range(n)]
    threads.append(threading.Thread(target=_uploader, daemon=True))
    threads.append(threading.Thread(target=_indexer, daemon=True))
    for t in threads:
        t.start()
    return threads


def wait_idle():
    WORK.join()  # ok: HB303 task_done is called by _worker


def flush_uploads():
    UPLOADS.join()  # expect: HB303


def reindex_all(docs):
    for doc in docs:
        INDEX.put(doc)  # ok: HB302 consumed by _indexer
    INDEX.join()  # ok: HB303 task_done is called by _indexer


def shutdown(threads):
    for t in threads:
        t.join()


def run_batch(items):
    q = queue.Queue()
    for item in items:
        q.put(item)  # ok: HB302 the queue escapes to the worker threads
    workers = [threading.Thread(target=_drain, args=(q,)) for _ in range(4)]
    for w in workers:
        w.start()
    q.join()  # ok: HB303 the queue escaped to _drain, which calls task_done
    return len(items)


def _drain(q):
    while True:
        item = q.get()
        try:
            process(item)
        finally:
            q.task_done()


def collect_rejects(records):
    rejects = queue.Queue()
    for r in records:
        if not r.valid:
            rejects.put(r)  # expect: HB302
    return rejects.qsize()


def collect_rejects_v2(records):
    rejects = queue.Queue()
    for r in records:
        if not r.valid:
            rejects.put(r)  # ok: HB302 the queue is returned
    return rejects


def _ack_index():
    INDEX.task_done()  # ok: HB402 this function did not take the item with get()


# --- wait groups ---------------------------------------------------------

def crawl(urls):
    wg = WaitGroup()
    for url in urls:
        wg.add(1)
        threading.Thread(target=_fetch_one, args=(url, wg)).start()
    wg.wait()


def _fetch_one(url, wg: WaitGroup):
    download(url)
    wg.done()  # expect: HB401


def crawl_safe(urls):
    wg = WaitGroup()
    for url in urls:
        wg.add(1)  # ok: HB404 added before the thread starts
        threading.Thread(target=_fetch_one_safe, args=(url, wg)).start()
    wg.wait()


def _fetch_one_safe(url, wg: WaitGroup):
    try:
        download(url)
    finally:
        wg.done()  # ok: HB401 in finally


def flush_batch(batch):
    PENDING.add(1)
    with ThreadPoolExecutor(max_workers=1) as ex:
        ex.submit(_flush_worker, batch)
    PENDING.wait()


def _flush_worker(batch):
    write_batch(batch)
    PENDING.done()  # expect: HB401


def track(job):
    inflight.add(1)
    threading.Thread(target=_tracked, args=(job,)).start()


def _tracked(job):
    process(job)
    inflight.done()  # expect: HB401


def drain_inflight():
    inflight.wait()


def _tracked_with_stack(job):
    with contextlib.ExitStack() as stack:
        stack.callback(inflight.done)  # ok: HB401 via ExitStack.callback
        process(job)


def _progress(job, bar):
    process(job)
    bar.done()  # ok: HB401 'bar' is not a wait group (no add/wait on it)


def start_consumers(n):
    wg = WaitGroup()
    for _ in range(n):
        threading.Thread(target=_consume, args=(wg,)).start()
    wg.wait()


def _consume(wg: WaitGroup):
    wg.add(1)  # expect: HB404
    try:
        process(WORK.get())
    finally:
        wg.done()


def fan_out(jobs):
    wg = WaitGroup()
    with ThreadPoolExecutor(max_workers=8) as ex:
        for job in jobs:
            ex.submit(_run_job, job, wg)
    wg.wait()


def _run_job(job, wg: WaitGroup):
    wg.add(1)  # expect: HB404
    try:
        process(job)
    finally:
        wg.done()


async def fan_out_async(jobs):
    wg = WaitGroup()
    tasks = [asyncio.create_task(_run_async(job, wg)) for job in jobs]
    await asyncio.gather(*tasks)
    wg.wait()


async def _run_async(job, wg: WaitGroup):
    wg.add(1)  # expect: HB404
    try:
        await asyncio.to_thread(process, job)
    finally:
        wg.done()


async def fan_out_executor(jobs):
    loop = asyncio.get_running_loop()
    seen = set()
    wg = WaitGroup()
    wg.add(len(jobs))  # ok: HB404 added by the coordinator
    await asyncio.gather(*(loop.run_in_executor(None, _note, job, seen, wg) for job in jobs))
    wg.wait()


def _note(job, seen, wg: WaitGroup):
    try:
        seen.add(job.id)  # ok: HB404 a set, not a wait group
    finally:
        wg.done()


# --- locks ---------------------------------------------------------------

def refresh_cache(loader):
    _cache_lock.acquire()  # expect: HB403@cache
    _cache.update(loader())
    _cache_lock.release()  # expect: HB403@cache


def refresh_cache_safe(loader):
    _cache_lock.acquire()  # ok: HB403 released in finally
    try:
        _cache.update(loader())
    finally:
        _cache_lock.release()


def read_cache(key):
    with _cache_lock:  # ok: HB403 with lock
        return _cache.get(key)


def render(job):
    if not _slots.acquire(timeout=10):  # expect: HB403@slots
        raise TimeoutError("render slots exhausted")
    out = process(job)
    _slots.release()  # expect: HB403@slots
    return out


def try_render(job):
    if _slots.acquire(blocking=False):  # ok: HB403 released in finally
        try:
            return process(job)
        finally:
            _slots.release()
    return None


class StateStore:
    def __init__(self, db_pool):
        self._lock = threading.RLock()
        self._pool = db_pool
        self._cond = threading.Condition()

    def save(self, key, value):
        self._lock.acquire()  # expect: HB403@save
        self._write(key, value)
        self._lock.release()  # expect: HB403@save

    def load(self, key):
        conn = self._pool.acquire()  # ok: HB403 receiver of unknown kind (a DB pool)
        try:
            return conn.get(key)
        finally:
            self._pool.release(conn)

    def notify(self):
        self._cond.acquire()  # ok: HB403 released in finally
        try:
            self._cond.notify_all()
        finally:
            self._cond.release()

    def _write(self, key, value):
        _cache[key] = value


_token_lock = asyncio.Lock()
_token = {}


async def refresh_token(fetch):
    await _token_lock.acquire()  # expect: HB403@token
    _token["value"] = await fetch()
    _token_lock.release()  # expect: HB403@token


async def refresh_token_safe(fetch):
    async with _token_lock:  # ok: HB403 async with
        _token["value"] = await fetch()
