"""Accounts service: Flask views that kick off background work with threads."""
import _thread
import logging
import queue
import subprocess
import threading
import time
from functools import partial
from multiprocessing import dummy
from threading import Thread
from urllib.request import urlopen

import requests
from flask import Flask, jsonify, request
from flask.views import MethodView

from .mail import send_receipt
from .search import reindex_user

app = Flask(__name__)
log = logging.getLogger(__name__)
WORKERS = []
APPROVED = threading.Event()
AUDIT_QUEUE = queue.Queue()
STOP = threading.Event()
PARTNER_URL = "https://partner.example/hooks"


def notify_partner(order_id):
    requests.post(PARTNER_URL, json={"order": order_id})  # expect: HB201 "requests.post() has no timeout" "via notify_partner()"


def send_welcome(email):
    # Fire and forget: bounded by its timeout, errors logged.
    try:
        requests.post(f"{PARTNER_URL}/welcome", json={"to": email}, timeout=10)
    except Exception:
        log.exception("welcome mail to %s failed", email)


def wait_for_approval(order_id):
    APPROVED.wait()  # ok: HB205 runs in a thread of its own, not the request's work (the thread is HB501's)
    log.info("order %s approved", order_id)


def wait_a_little(order_id):
    if APPROVED.wait(5):
        log.info("order %s approved", order_id)


def poll_status(order_id):
    return urlopen(f"{PARTNER_URL}/status/{order_id}").status  # expect: HB202 "urlopen() has no timeout" "poll_status"; ok: HB102 read to the end, the socket closes at EOF


def convert(path):
    subprocess.run(["convert", path, path + ".png"], timeout=None)  # expect: HB204 "subprocess.run() passes timeout=None" "via convert()"


def heartbeat(uid):
    while True:  # ok: HB304 runs in a thread of its own, not the request's work (the thread is HB501's)
        log.info("user %s still here", uid)
        time.sleep(30)


def heartbeat_until_stopped(uid):
    while not STOP.is_set():
        log.info("user %s still here", uid)
        STOP.wait(30)


def drain_once():
    try:
        return AUDIT_QUEUE.get(block=False)
    except queue.Empty:
        return None


class AuditThread(threading.Thread):
    def __init__(self, event):
        super().__init__()
        self.event = event

    def run(self):
        self._flush()

    def _flush(self):
        record_audit(AUDIT_QUEUE.get())


class DaemonPoller(threading.Thread):
    def __init__(self):
        super().__init__(daemon=True)

    def run(self):
        while True:
            log.info("poll")
            time.sleep(1)


def record_audit(event):
    print(event)


@app.post("/orders/<oid>/pay")
def pay(oid):
    threading.Thread(target=notify_partner, args=(oid,)).start()  # expect: HB501 "threading.Thread() thread is started and never joined" "its target notify_partner() can hang in requests.post(), which has no timeout" "handler 'pay'"
    return jsonify(paid=oid)


@app.post("/signup")
def signup():
    user = request.get_json()
    threading.Thread(target=send_welcome, args=(user["email"],)).start()  # ok: fire and forget, the target ends on its own and logs its errors
    Thread(target=send_receipt, args=(user["id"],), daemon=True).start()  # ok: the target is not this module's, nothing to judge
    return jsonify(ok=True), 201


@app.post("/orders/<oid>/approve")
def approve(oid):
    worker = Thread(target=wait_for_approval, args=(oid,), daemon=True)  # expect: HB501 "Thread() thread is started and never joined" "its target wait_for_approval() can hang in APPROVED.wait(), which has no timeout"
    worker.start()
    waiter = Thread(target=wait_a_little, args=(oid,))  # ok: its wait has a timeout
    waiter.start()
    return jsonify(approved=oid)


@app.post("/audit")
def audit():
    AuditThread(request.get_json()).start()  # expect: HB501 "AuditThread() thread is started and never joined" "its target run() can hang in AUDIT_QUEUE.get(), which has no timeout (in _flush())"
    return "", 204


@app.post("/audit/sync")
def audit_sync():
    t = AuditThread(request.get_json())  # ok: joined
    t.start()
    t.join(5)
    return "", 204


@app.post("/legacy/ping")
def legacy_ping():
    _thread.start_new_thread(poll_status, ("ping",))  # expect: HB501 "_thread.start_new_thread() thread is started and never joined" "its target poll_status() can hang in urlopen(), which has no timeout"
    _thread.start_new_thread(record_audit, ("ping",))  # ok: the target ends on its own
    return "pong"


@app.post("/images/<path:name>")
def image(name):
    threading.Thread(target=partial(convert, name)).start()  # expect: HB501 "its target convert() can hang in subprocess.run(), which passes timeout=None"
    return "", 202


@app.post("/presence/<uid>")
def presence(uid):
    Thread(target=heartbeat, args=(uid,)).start()  # expect: HB501 "its target heartbeat() loops forever (`while True:` with no way out) and is not a daemon" "handler 'presence'"
    Thread(target=heartbeat, args=(uid,), daemon=True).start()  # ok: a daemon does not keep the process alive
    Thread(target=heartbeat_until_stopped, args=(uid,)).start()  # ok: the loop ends when STOP is set
    DaemonPoller().start()  # ok: the subclass makes itself a daemon
    return "", 204


@app.post("/presence/<uid>/later")
def presence_later(uid):
    t = Thread(target=heartbeat, args=(uid,))  # ok: made a daemon before it starts
    t.daemon = True
    t.start()
    return "", 204


@app.post("/audit/peek")
def audit_peek():
    Thread(target=drain_once).start()  # ok: get(block=False) does not wait
    Thread(target=lambda: notify_partner("peek")).start()  # expect: HB501 "its target notify_partner() can hang in requests.post()"
    return "", 204


class PartnerView(MethodView):
    def post(self, oid):
        Thread(target=self._push, args=(oid,)).start()  # expect: HB501 "its target _push() can hang in requests.post(), which has no timeout (in notify_partner())"
        return jsonify(queued=oid)

    def put(self, oid):
        t = Thread(target=self._push, args=(oid,))  # ok: joined before returning
        t.start()
        t.join(timeout=10)
        return jsonify(pushed=not t.is_alive())

    def _push(self, oid):
        notify_partner(oid)


app.add_url_rule("/partners/<oid>", view_func=PartnerView.as_view("partner"))


@app.post("/users/<uid>/reindex")
def reindex(uid):
    t = threading.Thread(target=notify_partner, args=(uid,))  # ok: joined before returning
    t.start()
    t.join(timeout=10)
    return jsonify(reindexed=not t.is_alive())


@app.post("/users/<uid>/avatar")
def delete_avatar(uid):
    t = threading.Thread(target=notify_partner, args=(uid,))  # ok: kept in a registry that is joined at shutdown
    t.start()
    WORKERS.append(t)
    return jsonify(deleted=uid)


@app.post("/users/<uid>/export")
def export(uid):
    t = threading.Thread(target=notify_partner, args=(uid,))  # ok: never started here, returned to the caller
    return start_later(t)


def start_later(t):
    return {"thread": t.name}


@app.post("/batch")
def batch():
    threads = [threading.Thread(target=reindex_user, args=(uid,)) for uid in request.json["ids"]]  # ok: kept in a list and joined
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return jsonify(done=len(threads))


@app.post("/debug/echo-server")
def echo_server():
    server = make_echo_server()
    threading.Thread(target=server.serve_forever, daemon=True).start()  # ok: a server thread, ended by shutdown() (HB503)
    return jsonify(port=server.server_address[1])


def make_echo_server():
    return None


@app.get("/timer")
def timer():
    threading.Timer(5.0, notify_partner, args=("tick",)).start()  # ok: Timer is not reported
    return "scheduled"


def warm_caches():
    # Called at startup, not from a handler.
    threading.Thread(target=notify_partner, args=("all",)).start()  # ok: not reachable from a handler


@app.post("/jobs/<name>")
def start_job(name):
    job = dummy.Process(target=convert, args=(name,))  # expect: HB501 "dummy.Process() thread is started and never joined" "its target convert() can hang in subprocess.run()"
    job.start()
    kept = dummy.Process(target=convert, args=(name + ".bak",))  # ok: joined before the response
    kept.start()
    kept.join(timeout=30)
    return "started"


class JobRunner:
    """A fixed pool of workers, started lazily by the first request that needs one."""

    def __init__(self):
        self._lock = threading.Lock()
        self._started = False
        self._kicked = False

    def ensure_workers(self):
        with self._lock:
            if self._started:
                return
            self._started = True
            for _ in range(4):
                Thread(target=self.work_forever, daemon=True).start()  # ok: started once, on the first call

    def kick(self):
        if self._kicked:
            log.info("kicking again")  # logs, and starts one more anyway
        self._kicked = True
        Thread(target=notify_partner, args=("kick",)).start()  # expect: HB501 "its target notify_partner() can hang in requests.post()" "handler 'run_job'"

    def work_forever(self):
        while True:
            notify_partner(AUDIT_QUEUE.get())


RUNNER = JobRunner()


@app.post("/jobs/<name>/run")
def run_job(name):
    RUNNER.ensure_workers()
    RUNNER.kick()
    return "queued"
