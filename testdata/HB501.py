"""Accounts service: Flask views that kick off background work with threads."""
import _thread
import threading
from threading import Thread

from flask import Flask, jsonify, request

from .mail import send_welcome_email, send_receipt
from .search import reindex_user
from .storage import purge_avatar

app = Flask(__name__)
WORKERS = []


class AuditThread(threading.Thread):
    def __init__(self, event):
        super().__init__(daemon=True)
        self.event = event

    def run(self):
        record_audit(self.event)


def record_audit(event):
    print(event)


@app.post("/signup")
def signup():
    user = request.get_json()
    threading.Thread(target=send_welcome_email, args=(user["email"],)).start()  # expect: HB501 "threading.Thread() thread is started and never joined" "handler 'signup'"
    return jsonify(ok=True), 201


@app.post("/orders/<oid>/pay")
def pay(oid):
    worker = Thread(target=send_receipt, args=(oid,), daemon=True)  # expect: HB501 "Thread() thread is started and never joined" "handler 'pay'"
    worker.start()
    return jsonify(paid=oid)


@app.post("/users/<uid>/reindex")
def reindex(uid):
    t = threading.Thread(target=reindex_user, args=(uid,))  # ok: joined before returning
    t.start()
    t.join(timeout=10)
    return jsonify(reindexed=not t.is_alive())


@app.post("/users/<uid>/avatar")
def delete_avatar(uid):
    t = threading.Thread(target=purge_avatar, args=(uid,))  # ok: kept in a registry that is joined at shutdown
    t.start()
    WORKERS.append(t)
    return jsonify(deleted=uid)


@app.post("/audit")
def audit():
    AuditThread(request.get_json()).start()  # expect: HB501 "AuditThread() thread is started and never joined" "handler 'audit'"
    return "", 204


@app.post("/audit/sync")
def audit_sync():
    t = AuditThread(request.get_json())  # ok: joined
    t.start()
    t.join(5)
    return "", 204


@app.post("/legacy/ping")
def legacy_ping():
    _thread.start_new_thread(record_audit, ("ping",))  # expect: HB501 "_thread.start_new_thread() thread is started and never joined" "handler 'legacy_ping'"
    return "pong"


@app.post("/users/<uid>/export")
def export(uid):
    t = threading.Thread(target=reindex_user, args=(uid,))  # ok: never started here, returned to the caller
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
    threading.Timer(5.0, record_audit, args=("tick",)).start()  # ok: Timer is not reported
    return "scheduled"


def warm_caches():
    # Called at startup, not from a handler.
    threading.Thread(target=reindex_user, args=("all",), daemon=True).start()  # ok: not reachable from a handler
