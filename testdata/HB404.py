"""Report builder: fans sections out to threads, tasks and executors, then waits."""
import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from functools import partial

from flask import Flask, jsonify

from .sync import WaitGroup
from .sections import render

app = Flask(__name__)
POOL = ThreadPoolExecutor(max_workers=8)


def section_worker(wg, name, out):
    wg.add(1)  # expect: HB404 "wg.add() runs inside the worker it counts" "section_worker"
    try:
        out[name] = render(name)
    finally:
        wg.done()


def pooled_worker(wg, name, out):
    """Render one section on the pool."""
    wg.add(1)  # expect: HB404 "wg.add() runs inside the worker it counts" "pooled_worker"
    try:
        out[name] = render(name)
    finally:
        wg.done()


def counted_worker(wg, name, out):
    try:
        out[name] = render(name)
    finally:
        wg.done()


def spawning_worker(wg, names, out):
    out["started"] = True
    try:
        for name in names:
            wg.add(1)  # ok: registers sub-work before starting it
            threading.Thread(target=counted_worker, args=(wg, name, out)).start()
    finally:
        wg.done()


async def section_task(wg, name, out):
    wg.add(1)  # expect: HB404 "wg.add() runs inside the worker it counts" "handler 'report_async' via section_task()"
    try:
        out[name] = render(name)
    finally:
        wg.done()


def tagging_worker(tags, name):
    tags.add(name)  # ok: a set's add(), not a wait group


def executor_worker(wg, name, out):
    wg.add(1)  # expect: HB404 "wg.add() runs inside the worker it counts" "executor_worker"
    try:
        out[name] = render(name)
    finally:
        wg.done()


def not_a_worker(wg, name, out):
    wg.add(1)  # ok: called directly, never started as a worker
    counted_worker(wg, name, out)


@app.get("/report")
def report():
    wg = WaitGroup()
    out = {}
    tags = set()
    threads = [threading.Thread(target=section_worker, args=(wg, "summary", out))]
    POOL.submit(pooled_worker, wg, "charts", out)
    wg.add(1)
    threads.append(threading.Thread(target=counted_worker, args=(wg, "tables", out)))  # ok: add() before start
    wg.add(1)
    threads.append(threading.Thread(target=spawning_worker, args=(wg, ["a", "b"], out)))
    threads.append(threading.Thread(target=tagging_worker, args=(tags, "x")))
    for thread in threads:
        thread.start()
    not_a_worker(wg, "footer", out)
    wg.wait()
    for thread in threads:
        thread.join(timeout=5)
    return jsonify(out)


@app.get("/report/async")
async def report_async():
    wg = WaitGroup()
    out = {}
    task = asyncio.create_task(section_task(wg, "summary", out))
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, partial(executor_worker, wg, "charts", out))
    await task
    return out
