"""Thumbnail service: fans resize jobs out to threads and waits on a WaitGroup."""
import threading
from contextlib import ExitStack

from flask import Flask, jsonify, request

from .sync import WaitGroup
from .images import resize, store

app = Flask(__name__)


class Counter:
    """A home-grown wait group: add / done / wait."""

    def __init__(self):
        self._n = 0
        self._cond = threading.Condition()

    def add(self, n):
        with self._cond:
            self._n += n

    def done(self):
        self.add(-1)  # ok: the wait group's own implementation

    def wait(self):
        with self._cond:
            self._cond.wait_for(lambda: self._n == 0)  # expect: HB205 "self._cond.wait_for() has no timeout" "via Counter.wait()"


def resize_one(wg, image, out):
    out.append(resize(image))
    wg.done()  # expect: HB401 "wg.done() is not in a finally" "resize_one"


def resize_safely(wg, image, out):
    try:
        out.append(resize(image))
    finally:
        wg.done()  # ok: in finally


def resize_with_stack(wg, image, out):
    with ExitStack() as stack:
        stack.callback(wg.done)  # ok: registered with ExitStack.callback
        out.append(resize(image))


def resize_logged(wg, image, out):
    try:
        out.append(resize(image))
    except Exception:
        wg.done()  # ok: the error path calls done()
        raise
    wg.done()  # ok: nothing can raise between the try (which handles errors) and done()


def resize_or_skip(wg, image, out):
    try:
        small = resize(image)
        if small is None:
            wg.done()  # ok: an error above ends in the except, then in the done() after the try
            return
        out.append(small)
    except Exception:
        out.append(None)
    wg.done()  # ok: the broad except swallows the error

def store_all(group: WaitGroup, images):
    for image in images:
        store(image)
    group.Done()  # expect: HB401 "group.Done() is not in a finally" "function 'store_all'"


def noop_worker(wg):
    wg.done()  # ok: nothing runs before it


@app.post("/thumbnails")
def make_thumbnails():
    images = request.get_json()["images"]
    wg = WaitGroup()
    out = []
    threads = []
    for image in images:
        wg.add(1)
        threads.append(threading.Thread(target=resize_one, args=(wg, image, out)))
    group = Counter()
    group.add(len(images))
    for image in images:
        threads.append(threading.Thread(target=lambda: (resize(image), group.done())))  # ok: in a lambda
    for thread in threads:
        thread.start()
    wg.wait()
    group.wait()
    for thread in threads:
        thread.join(timeout=5)
    done_flag = threading.Event()
    done_flag.wait(1)
    return jsonify(out)


@app.post("/upload")
def upload():
    jobs = Counter()
    jobs.add(1)
    store(request.files["file"])
    jobs.done()  # expect: HB401 "jobs.done() is not in a finally" "handler 'upload'"
    jobs.wait()
    return jsonify(ok=True)


def poll(future, items):
    items.add(future)
    if future.done():  # ok: a future's done() is a question, not a wait-group signal
        items.discard(future)
    future.wait()
