"""Job status endpoints that poll a backend."""
import io
import sys
import time

from flask import Flask, jsonify, request
from flask_sock import Sock

from .jobs import backend

app = Flask(__name__)
sock = Sock(app)


@app.get("/jobs/<job_id>/wait")
def wait_for_job(job_id):
    while True:  # expect: HB304 "while True: loop" "handler 'wait_for_job'"
        time.sleep(1)
        backend.refresh(job_id)


@app.get("/jobs/<job_id>/status")
def job_status(job_id):
    while True:  # ok: returns when the job is done
        job = backend.get(job_id)
        if job.done:
            return jsonify(status=job.status)
        time.sleep(0.5)


@app.get("/jobs/<job_id>/first-line")
def first_line(job_id):
    lines = backend.lines(job_id)
    while 1:  # ok: break ends it
        line = next(lines)
        if line:
            break
    return line


@app.get("/jobs/<job_id>/retry")
def retry(job_id):
    attempts = 0
    while True:  # ok: raise leaves the loop
        attempts += 1
        if backend.retry(job_id):
            return jsonify(ok=True)
        if attempts > 5:
            raise RuntimeError("gave up")


@app.get("/jobs/<job_id>/stream")
def stream(job_id):
    def generate():
        while True:  # ok: a generator, yield hands control back
            yield backend.chunk(job_id)

    return app.response_class(generate())


@app.get("/jobs/<job_id>/tail")
def tail(job_id):
    while True:  # expect: HB304 "while True: loop" "handler 'tail'"
        for chunk in backend.chunks(job_id):
            if not chunk:
                break
        time.sleep(2)


@app.get("/jobs/<job_id>/watch")
def watch(job_id):
    while 1:  # expect: HB304 "while 1: loop" "handler 'watch'"
        def on_change(event):
            return event
        backend.subscribe(job_id, on_change)
        time.sleep(5)


@app.get("/jobs/<job_id>/events")
async def events(job_id):
    while True:  # ok: await is a way out (cancellation)
        await backend.wait_event(job_id)


@app.get("/shutdown")
def shutdown():
    while True:  # ok: sys.exit() leaves
        if backend.idle():
            sys.exit(0)
        time.sleep(1)


@app.get("/jobs/<job_id>/monitor")
def monitor(job_id):
    keep_polling(job_id)
    return jsonify(ok=True)


def keep_polling(job_id):
    while True:  # expect: HB304 "while True: loop" "handler 'monitor' via keep_polling()"
        backend.refresh(job_id)
        time.sleep(10)


def background_loop():
    while True:  # ok: not a handler and not reached from one
        backend.refresh_all()
        time.sleep(60)


@app.get("/jobs/<job_id>/until")
def until(job_id):
    while backend.running(job_id):  # ok: a condition that can change
        time.sleep(1)
    return jsonify(ok=True)


@sock.route("/jobs/<job_id>/log")
def job_log(ws, job_id):
    while True:  # ok: ws.receive() raises ConnectionClosed once the client has gone
        command = ws.receive()
        if command == "refresh":
            backend.refresh(job_id)


@sock.route("/jobs/<job_id>/feed")
def job_feed(ws, job_id):
    while True:  # ok: ws.send() raises once the client has gone
        ws.send(backend.status(job_id))
        time.sleep(1)


@sock.route("/jobs/<job_id>/pump")
def job_pump(ws, job_id):
    while True:  # expect: HB304 "while True: loop" "handler 'job_pump'"
        backend.send(job_id)  # not the client's connection: nothing here ends with it
        time.sleep(1)


@app.get("/jobs/<job_id>/pages")
def job_pages(job_id):
    crawl = backend.crawl_plan(job_id)
    try:
        url = next(crawl)
        while True:  # ok: the plan's generator ends with StopIteration, caught around the loop
            url = crawl.send(backend.fetch(url))
    except StopIteration as stop:
        pages = stop.value
    return jsonify(pages=pages)


@app.get("/jobs/<job_id>/pages-forever")
def job_pages_forever(job_id):
    try:
        while True:  # expect: HB304 "while True: loop" "handler 'job_pages_forever'"
            backend.fetch(job_id)
    except StopIteration:
        pass
    return jsonify(done=True)


@app.post("/jobs/<job_id>/records")
def job_records(job_id):
    stream = io.BytesIO(request.get_data())
    records = []
    try:
        while True:  # ok: decoding past the end of the body raises EOFError, caught around the loop
            records.append(backend.decode_record(stream))
    except EOFError:
        pass
    return jsonify(count=len(records))


@app.post("/jobs/<job_id>/spin")
def job_spin(job_id):
    spins = 0
    try:
        while True:  # expect: HB304 "while True: loop" "handler 'job_spin'"
            spins += 1
    except EOFError:
        pass
    return jsonify(spins=spins)
