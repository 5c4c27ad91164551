"""The app that README.md's and docs/harness.md's harness examples run against.

tests/test_harness_docs.py runs every example from this directory and checks that it prints
what the documentation says it prints.
"""

import queue

import requests
from flask import Flask

app = Flask(__name__)
JOBS = queue.Queue(maxsize=1)  # nothing consumes it: the second job waits forever
URL = "http://inventory.internal/items"


@app.post("/jobs")
def enqueue():
    job = {"id": 1}
    JOBS.put(job)
    return "queued"


@app.get("/stock")
def stock():
    return requests.get(URL).text
