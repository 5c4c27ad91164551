"""A Flask app with a handler per blocking state, and a correct twin for each (prefix /ok/)."""

import concurrent.futures
import queue
import socket
import socketserver
import ssl
import subprocess
import sys
import threading
import time
import urllib.request

import httpx
import requests
from flask import Flask

from .common import UNREACHABLE, UPSTREAM, SyncState

app = Flask(__name__)
TLS = ssl.create_default_context()  # httpx would load the CA bundle per client

S = SyncState()


def reset():
    """Wake every parked handler and start again with fresh primitives."""
    global S
    old, S = S, SyncState()
    old.wake()


@app.post("/queue-put")
def enqueue():
    S.jobs.put(1)
    return "queued"


@app.post("/ok/queue-put")
def enqueue_ok():
    try:
        S.jobs.put(1, timeout=0.05)
    except queue.Full:
        return "busy", 503
    return "queued"


@app.get("/queue-get")
def dequeue():
    return str(S.empty.get())


@app.get("/ok/queue-get")
def dequeue_ok():
    try:
        return str(S.empty.get(timeout=0.05))
    except queue.Empty:
        return "empty", 204


@app.get("/event-wait")
def event_wait():
    S.never.wait()
    return "set"


@app.get("/ok/event-wait")
def event_wait_ok():
    return "set" if S.never.wait(0.05) else "timeout"


@app.get("/condition-wait")
def condition_wait():
    with S.cond:
        S.cond.wait()
    return "notified"


@app.get("/ok/condition-wait")
def condition_wait_ok():
    with S.cond:
        S.cond.wait(0.05)
    return "timeout"


@app.get("/lock")
def leaky_lock():
    S.lock.acquire()
    if S.lock.locked():
        raise ValueError("boom before release")  # the next request waits on the lock forever
    S.lock.release()
    return "ok"


@app.get("/ok/lock")
def lock_ok():
    with LEAKY_LOCK_OK:
        raise ValueError("boom, but the with block releases")


LEAKY_LOCK_OK = threading.Lock()


@app.get("/held")
def held():
    S.held.acquire()
    return "never"


@app.get("/socket-connect")
def socket_connect():
    sock = socket.create_connection(UNREACHABLE)
    sock.close()
    return "connected"


@app.get("/ok/socket-connect")
def socket_connect_ok():
    try:
        sock = socket.create_connection(UNREACHABLE, timeout=0.1)
    except OSError:
        return "unreachable", 504
    sock.close()
    return "connected"


@app.get("/socket-read")
def socket_read():
    return requests.get(UPSTREAM["url"]).text


@app.get("/ok/socket-read")
def socket_read_ok():
    try:
        return requests.get(UPSTREAM["url"], timeout=0.1).text
    except requests.RequestException:
        return "upstream timed out", 504


@app.get("/sleep")
def nap():
    time.sleep(3)
    return "rested"


@app.get("/ok/sleep")
def nap_ok():
    time.sleep(0.01)
    return "rested"


SLOW = [sys.executable, "-c", "import time; time.sleep(30)"]


@app.get("/subprocess")
def run_child():
    subprocess.run(SLOW)
    return "done"


@app.get("/ok/subprocess")
def run_child_ok():
    try:
        subprocess.run(SLOW, timeout=0.1)
    except subprocess.TimeoutExpired:
        return "child timed out", 504
    return "done"


@app.get("/thread-join")
def thread_join():
    worker = threading.Thread(target=S.release.wait)
    worker.start()
    worker.join()
    return "joined"


@app.get("/ok/thread-join")
def thread_join_ok():
    worker = threading.Thread(target=time.sleep, args=(0.01,))
    worker.start()
    worker.join(1.0)
    return "joined"


@app.get("/busy")
def spin():
    n = 0
    while True:
        n += 1


@app.get("/ok/busy")
def spin_ok():
    n = 0
    while n < 1000:
        n += 1
    return str(n)


# --- leaks ---


@app.get("/leak/thread")
def fire_and_forget():
    threading.Thread(target=S.release.wait, args=(5,)).start()
    return "started"


@app.get("/leak/thread-nondaemon")
def fire_and_forget_nondaemon():
    worker = threading.Thread(target=S.release.wait, args=(5,), daemon=False)
    worker.start()
    return "started"


@app.get("/leak/urlopen")
def leak_urlopen():
    resp = urllib.request.urlopen(UPSTREAM["url"], timeout=2)
    return resp.headers.get("content-type", "")


@app.get("/ok/urlopen")
def urlopen_ok():
    with urllib.request.urlopen(UPSTREAM["url"], timeout=2) as resp:
        return resp.read()


@app.get("/leak/requests-stream")
def leak_stream():
    resp = requests.get(UPSTREAM["url"], stream=True, timeout=2)
    return str(resp.status_code)


@app.get("/ok/requests-stream")
def stream_ok():
    with requests.get(UPSTREAM["url"], stream=True, timeout=2) as resp:
        return str(resp.status_code)


@app.get("/leak/requests-session")
def leak_session():
    session = requests.Session()
    return str(session.get(UPSTREAM["url"], timeout=2).status_code)


@app.get("/ok/requests-session")
def session_ok():
    with requests.Session() as session:
        return str(session.get(UPSTREAM["url"], timeout=2).status_code)


@app.get("/leak/httpx-client")
def leak_httpx_client():
    client = httpx.Client(timeout=2, verify=TLS)
    KEEP.append(client)  # kept alive and never closed
    return str(client.get(UPSTREAM["url"]).status_code)


KEEP: list = []


@app.get("/ok/httpx-client")
def httpx_client_ok():
    with httpx.Client(timeout=2, verify=TLS) as client:
        return str(client.get(UPSTREAM["url"]).status_code)


@app.get("/leak/server")
def leak_server():
    srv = socketserver.TCPServer(("127.0.0.1", 0), socketserver.BaseRequestHandler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    SERVERS.append(srv)
    return str(srv.server_address[1])


SERVERS: list = []


@app.get("/ok/server")
def server_ok():
    srv = socketserver.TCPServer(("127.0.0.1", 0), socketserver.BaseRequestHandler)
    worker = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.01})
    worker.start()
    srv.shutdown()
    srv.server_close()
    worker.join()
    return "stopped"


@app.get("/leak/executor")
def leak_executor():
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    return str(pool.submit(sum, [1, 2]).result(timeout=1))


@app.get("/ok/executor")
def executor_ok():
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return str(pool.submit(sum, [1, 2]).result(timeout=1))


@app.get("/ok/hello")
def hello():
    return "hello"
