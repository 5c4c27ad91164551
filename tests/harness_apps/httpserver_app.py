"""A http.server handler with a method per blocking state, and a correct twin (prefix /ok/)."""

import http.server
import queue
import socket
import subprocess
import sys
import threading
import time
import urllib.request

import requests

from .common import UNREACHABLE, UPSTREAM, SyncState

S = SyncState()


def reset():
    """Wake every parked handler and start again with fresh primitives."""
    global S
    old, S = S, SyncState()
    old.wake()


SLOW = [sys.executable, "-c", "import time; time.sleep(30)"]


class Handler(http.server.BaseHTTPRequestHandler):
    def reply(self, body: str, status: int = 200) -> None:
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        route = ROUTES.get(self.path)
        if route is None:
            self.reply("not found", 404)
            return
        self.reply(route(self) or "ok")

    do_POST = do_GET

    def queue_put(self):
        S.jobs.put(1)

    def queue_put_ok(self):
        try:
            S.jobs.put(1, timeout=0.05)
        except queue.Full:
            return "busy"

    def queue_get(self):
        return str(S.empty.get())

    def queue_get_ok(self):
        try:
            return str(S.empty.get(timeout=0.05))
        except queue.Empty:
            return "empty"

    def event_wait(self):
        S.never.wait()

    def event_wait_ok(self):
        S.never.wait(0.05)

    def condition_wait(self):
        with S.cond:
            S.cond.wait()

    def condition_wait_ok(self):
        with S.cond:
            S.cond.wait(0.05)

    def leaky_lock(self):
        S.lock.acquire()
        if S.lock.locked():
            raise ValueError("boom before release")
        S.lock.release()

    def socket_connect(self):
        socket.create_connection(UNREACHABLE).close()

    def socket_connect_ok(self):
        try:
            socket.create_connection(UNREACHABLE, timeout=0.1).close()
        except OSError:
            return "unreachable"

    def socket_read(self):
        return urllib.request.urlopen(UPSTREAM["url"]).read().decode()

    def socket_read_ok(self):
        try:
            with urllib.request.urlopen(UPSTREAM["url"], timeout=0.1) as resp:
                return resp.read().decode()
        except OSError:
            return "upstream timed out"

    def requests_read(self):
        return requests.get(UPSTREAM["url"]).text

    def nap(self):
        time.sleep(3)

    def nap_ok(self):
        time.sleep(0.01)

    def run_child(self):
        subprocess.run(SLOW)

    def run_child_ok(self):
        try:
            subprocess.run(SLOW, timeout=0.1)
        except subprocess.TimeoutExpired:
            return "child timed out"

    def thread_join(self):
        worker = threading.Thread(target=S.release.wait)
        worker.start()
        worker.join()

    def thread_join_ok(self):
        worker = threading.Thread(target=time.sleep, args=(0.01,))
        worker.start()
        worker.join(1.0)

    def spin(self):
        n = 0
        while True:
            n += 1

    def spin_ok(self):
        n = 0
        while n < 1000:
            n += 1

    def leak_thread(self):
        threading.Thread(target=S.release.wait, args=(60,)).start()  # reset() wakes it

    def leak_urlopen(self):
        resp = urllib.request.urlopen(UPSTREAM["url"], timeout=2)
        return str(resp.status)

    def urlopen_ok(self):
        with urllib.request.urlopen(UPSTREAM["url"], timeout=2) as resp:
            return str(resp.status)

    def hello(self):
        return "hello"

    def log_message(self, *args):
        pass


ROUTES = {
    "/ok/hello": Handler.hello,
    "/queue-put": Handler.queue_put,
    "/ok/queue-put": Handler.queue_put_ok,
    "/queue-get": Handler.queue_get,
    "/ok/queue-get": Handler.queue_get_ok,
    "/event-wait": Handler.event_wait,
    "/ok/event-wait": Handler.event_wait_ok,
    "/condition-wait": Handler.condition_wait,
    "/ok/condition-wait": Handler.condition_wait_ok,
    "/lock": Handler.leaky_lock,
    "/socket-connect": Handler.socket_connect,
    "/ok/socket-connect": Handler.socket_connect_ok,
    "/socket-read": Handler.socket_read,
    "/ok/socket-read": Handler.socket_read_ok,
    "/requests-read": Handler.requests_read,
    "/sleep": Handler.nap,
    "/ok/sleep": Handler.nap_ok,
    "/subprocess": Handler.run_child,
    "/ok/subprocess": Handler.run_child_ok,
    "/thread-join": Handler.thread_join,
    "/ok/thread-join": Handler.thread_join_ok,
    "/busy": Handler.spin,
    "/ok/busy": Handler.spin_ok,
    "/leak/thread": Handler.leak_thread,
    "/leak/urlopen": Handler.leak_urlopen,
    "/ok/urlopen": Handler.urlopen_ok,
}
