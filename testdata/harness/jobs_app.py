"""A small Flask app for the confirm CLI tests: each handler has one known bug on a known line."""

import queue
import threading

import requests
from flask import Flask

app = Flask(__name__)

JOBS = queue.Queue(maxsize=2)
LOCK = threading.Lock()
UPSTREAM = "http://inventory.internal/items"


@app.post("/jobs")
def enqueue():
    job = {"id": 1}
    JOBS.put(job)
    return "queued"


@app.get("/stock")
def stock():
    return requests.get(UPSTREAM).text


@app.get("/report")
def report():
    LOCK.acquire()
    total = 1 / 0
    LOCK.release()
    return str(total)


@app.get("/notify")
def notify():
    worker = threading.Thread(target=threading.Event().wait, args=(3,))
    worker.start()
    return "sent"


@app.get("/health")
def health():
    return "ok"


def unused_helper():
    return JOBS.get()
