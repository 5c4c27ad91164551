"""Orders service (Flask): every outbound call bounded, every resource closed."""
import contextlib
import queue
import subprocess
import threading
from urllib.request import urlopen

import requests
from flask import Flask, Response, jsonify, request, stream_with_context

app = Flask(__name__)
HTTP = requests.Session()
TIMEOUT = (3.05, 27)
AUDIT = queue.Queue(maxsize=1000)
LOCK = threading.Lock()
READY = threading.Event()


def audit_worker():
    while True:
        item = AUDIT.get()
        try:
            HTTP.post("https://audit.internal/events", json=item, timeout=TIMEOUT)
        finally:
            AUDIT.task_done()


threading.Thread(target=audit_worker, daemon=True).start()


@app.get("/orders/<oid>")
def show_order(oid):
    if not READY.wait(timeout=2):
        return jsonify(error="warming up"), 503
    order = HTTP.get(f"https://orders.internal/{oid}", timeout=TIMEOUT).json()
    AUDIT.put({"order": oid}, timeout=1)
    return jsonify(order)


@app.get("/orders/<oid>/invoice")
def invoice(oid):
    upstream = HTTP.get(f"https://billing.internal/{oid}.pdf", stream=True, timeout=TIMEOUT)

    def body():
        with contextlib.closing(upstream):
            yield from upstream.iter_content(64 * 1024)

    return Response(stream_with_context(body()), mimetype="application/pdf")


@app.get("/rates")
def rates():
    with urlopen("https://rates.internal/today.json", timeout=5) as resp:
        data = resp.read()
    return Response(data, mimetype="application/json")


@app.post("/render")
def render():
    with LOCK:
        result = subprocess.run(
            ["wkhtmltopdf", "-", "-"], input=request.data, capture_output=True, timeout=60, check=True
        )
    return Response(result.stdout, mimetype="application/pdf")


@app.post("/bulk")
def bulk():
    worker = threading.Thread(target=requests.post, args=("https://bulk.internal", request.data),
                              kwargs={"timeout": TIMEOUT})
    worker.start()
    worker.join(timeout=30)
    return jsonify(done=not worker.is_alive())
