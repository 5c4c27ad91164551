"""Batch import endpoints that fan work out to worker threads and wait for it."""
import asyncio
import queue
import threading

from flask import Flask, jsonify, request

app = Flask(__name__)

ROWS = queue.Queue()
IMAGES = queue.Queue(maxsize=64)
PAGES = queue.Queue()
EMPTY = queue.Queue()
SHARED = queue.Queue()


def row_worker():
    while True:
        row = ROWS.get()
        save(row)


def image_worker():
    while True:
        image = IMAGES.get()
        try:
            resize(image)
        finally:
            IMAGES.task_done()


@app.post("/import")
def import_rows():
    for row in request.get_json()["rows"]:
        ROWS.put(row)
        IMAGES.put(row["image"])
        PAGES.put(row["page"])  # expect: HB302 "PAGES.put() on an unbounded queue" "handler 'import_rows'"
        SHARED.put(row)
    ROWS.join()  # expect: HB303 "ROWS.join() waits for task_done()" "handler 'import_rows'"
    IMAGES.join()  # ok: image_worker calls task_done()
    PAGES.join()  # expect: HB303 "PAGES.join() waits for task_done()" "handler 'import_rows'"
    EMPTY.join()  # ok: nothing is ever put, join() returns at once
    SHARED.join()  # ok: SHARED escapes to start_workers()
    return jsonify(ok=True)


start_workers = print
start_workers(SHARED)


async def crawl(urls):
    todo = asyncio.Queue()
    done = asyncio.Queue()
    for url in urls:
        todo.put_nowait(url)
        done.put_nowait(url)

    async def fetcher():
        while True:
            url = await todo.get()
            await fetch(url)

    async def checker():
        while True:
            url = await done.get()
            try:
                await fetch(url)
            finally:
                done.task_done()

    tasks = [asyncio.create_task(fetcher()), asyncio.create_task(checker())]
    await todo.join()  # expect: HB303[col=11] "todo.join() waits for task_done()" "function 'crawl'"
    await done.join()  # ok: checker() calls task_done()
    await asyncio.wait_for(todo.join(), timeout=30)  # ok: bounded by wait_for
    for task in tasks:
        task.cancel()


def drain(thread: threading.Thread, q):
    q.join()  # ok: receiver of unknown kind
    thread.join()  # ok: a thread, not a queue


def save(row):
    pass


def resize(image):
    pass


async def fetch(url):
    pass
