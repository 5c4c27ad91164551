"""Views of the jobs blueprint: each defect beside its correct twin."""

import queue
import subprocess
import threading
import urllib.request

import requests
from flask import Blueprint

from .waitgroup import WaitGroup

jobs = Blueprint("jobs", __name__)
UPSTREAM = "http://upstream.internal/feed"

BOUNDED = queue.Queue(maxsize=1)
TWIN_BOUNDED = queue.Queue(maxsize=1)
LOCK = threading.Lock()
TWIN_LOCK = threading.Lock()
WORK = queue.Queue()
TWIN_WORK = queue.Queue()


@jobs.post("/<int:job_id>")
def enqueue(job_id):
    BOUNDED.put(job_id)  # defect: HB301
    return "queued"


@jobs.post("/twin/<int:job_id>")
def enqueue_twin(job_id):
    try:
        TWIN_BOUNDED.put(job_id, timeout=0.05)  # twin: HB301
    except queue.Full:
        return "busy", 503
    return "queued"


@jobs.get("/feed")
def feed():
    return urllib.request.urlopen(UPSTREAM).read()  # defect: HB202


@jobs.get("/feed/twin")
def feed_twin():
    return urllib.request.urlopen(UPSTREAM, timeout=5).read()  # twin: HB202


@jobs.get("/peek")
def peek():
    response = urllib.request.urlopen(UPSTREAM, timeout=5)  # defect: HB102
    return response.headers.get("Content-Type", "")


@jobs.get("/peek/twin")
def peek_twin():
    with urllib.request.urlopen(UPSTREAM, timeout=5) as response:  # twin: HB102
        return response.headers.get("Content-Type", "")


@jobs.get("/stream")
def stream():
    response = requests.get(UPSTREAM, stream=True, timeout=5)  # defect: HB101
    return response.headers.get("Content-Type", "")


@jobs.get("/stream/twin")
def stream_twin():
    with requests.get(UPSTREAM, stream=True, timeout=5) as response:  # twin: HB101
        return response.headers.get("Content-Type", "")


@jobs.get("/report")
def report():
    LOCK.acquire()  # defect: HB403
    total = 1 / 0
    LOCK.release()
    return str(total)


@jobs.get("/report/twin")
def report_twin():
    TWIN_LOCK.acquire()  # twin: HB403
    try:
        total = 1 / 0
    finally:
        TWIN_LOCK.release()
    return str(total)


@jobs.get("/convert")
def convert():
    subprocess.run(["sleep", "30"])  # defect: HB204
    return "converted"


@jobs.get("/convert/twin")
def convert_twin():
    subprocess.run(["sleep", "30"], timeout=5)  # twin: HB204
    return "converted"


def _deliver(seconds):
    threading.Event().wait(seconds)


@jobs.get("/notify")
def notify():
    worker = threading.Thread(target=_deliver, args=(5,))  # defect: HB501
    worker.start()
    return "sent"


@jobs.get("/notify/twin")
def notify_twin():
    worker = threading.Thread(target=_deliver, args=(0.01,))  # twin: HB501
    worker.start()
    worker.join(5)
    return "sent"


def _crunch(group, item):
    int(item)
    group.done()  # defect: HB401


def _crunch_twin(group, item):
    try:
        int(item)
    finally:
        group.done()  # twin: HB401


@jobs.get("/batch")
def batch():
    group = WaitGroup()
    for item in ("1", "x"):
        group.add(1)
        threading.Thread(target=_crunch, args=(group, item)).start()
    group.wait()
    return "done"


@jobs.get("/batch/twin")
def batch_twin():
    group = WaitGroup()
    for item in ("1", "x"):
        group.add(1)
        threading.Thread(target=_crunch_twin, args=(group, item)).start()
    group.wait()
    return "done"


def _drain(work):
    item = work.get()
    int(item)
    work.task_done()  # defect: HB402


def _drain_twin(work):
    item = work.get()
    try:
        int(item)
    finally:
        work.task_done()  # twin: HB402


@jobs.get("/drain")
def drain():
    WORK.put("x")
    threading.Thread(target=_drain, args=(WORK,)).start()
    WORK.join()
    return "drained"


@jobs.get("/drain/twin")
def drain_twin():
    TWIN_WORK.put("x")
    threading.Thread(target=_drain_twin, args=(TWIN_WORK,)).start()
    TWIN_WORK.join()
    return "drained"


@jobs.get("/poll")
def poll():
    ticks = 0
    while True:  # defect: HB304
        ticks += 1


@jobs.get("/poll/twin")
def poll_twin():
    ticks = 0
    while True:  # twin: HB304
        ticks += 1
        if ticks > 1000:
            break
    return str(ticks)
