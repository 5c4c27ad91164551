"""Tests for the webhook client, with fake upstream servers."""
import contextlib
import socketserver
import threading
import unittest
from http.server import BaseHTTPRequestHandler, HTTPServer, ThreadingHTTPServer
from wsgiref.simple_server import make_server

import pytest

from webhooks.client import deliver


class FakeUpstream(BaseHTTPRequestHandler):
    def do_POST(self):
        self.send_response(204)
        self.end_headers()


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True


def wsgi_app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]


@pytest.fixture
def upstream():
    server = HTTPServer(("127.0.0.1", 0), FakeUpstream)  # expect: HB503 "HTTPServer() server" "never shut down" "function 'upstream'" "after `yield`"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}"


@pytest.fixture
def upstream_clean():
    server = HTTPServer(("127.0.0.1", 0), FakeUpstream)  # ok: shut down after yield
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def quiet_upstream(request):
    server = QuietServer(("127.0.0.1", 0), FakeUpstream)  # ok: finalizer shuts it down
    threading.Thread(target=server.serve_forever, daemon=True).start()
    request.addfinalizer(server.shutdown)
    return server


@pytest.fixture
def wsgi_upstream():
    server = make_server("127.0.0.1", 0, wsgi_app)  # expect: HB503 "make_server() server" "never shut down" "function 'wsgi_upstream'" "after `yield`"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server


def test_deliver_once():
    server = QuietServer(("127.0.0.1", 0), FakeUpstream)  # expect: HB503 "QuietServer() server" "never shut down" "function 'test_deliver_once'" "shutdown() and server_close() in finally"
    threading.Thread(target=lambda: server.serve_forever(poll_interval=0.1), daemon=True).start()
    assert deliver(f"http://127.0.0.1:{server.server_port}", {"id": 1}) == 204


def test_deliver_retry():
    server = QuietServer(("127.0.0.1", 0), FakeUpstream)  # ok: shut down in finally
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        assert deliver(f"http://127.0.0.1:{server.server_port}", {"id": 2}) == 204
    finally:
        server.shutdown()
        server.server_close()


def test_deliver_with_block():
    with socketserver.ThreadingTCPServer(("127.0.0.1", 0), FakeUpstream) as server:  # ok: with server
        threading.Thread(target=server.serve_forever, daemon=True).start()
        assert deliver(f"http://127.0.0.1:{server.server_address[1]}", {"id": 3}) == 204
        server.shutdown()


def test_deliver_twice():
    server = QuietServer(("127.0.0.1", 0), FakeUpstream)  # expect: HB503 "QuietServer() server" "shut down only on the straight path" "function 'test_deliver_twice'" "in finally"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    assert deliver(f"http://127.0.0.1:{server.server_port}", {"id": 4}) == 204
    server.shutdown()
    server.server_close()


def test_deliver_stack():
    with contextlib.ExitStack() as stack:
        server = QuietServer(("127.0.0.1", 0), FakeUpstream)  # ok: ExitStack callback shuts it down
        stack.callback(server.shutdown)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        assert deliver(f"http://127.0.0.1:{server.server_port}", {"id": 5}) == 204


class DeliveryTest(unittest.TestCase):
    def setUp(self):
        self.server = HTTPServer(("127.0.0.1", 0), FakeUpstream)  # ok: tearDown shuts it down
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def tearDown(self):
        self.server.shutdown()
        self.server.server_close()

    def test_delivers(self):
        self.assertEqual(deliver(f"http://127.0.0.1:{self.server.server_port}", {}), 204)


class LeakyDeliveryTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.upstream = HTTPServer(("127.0.0.1", 0), FakeUpstream)  # expect: HB503 "HTTPServer() server" "never shut down" "method 'LeakyDeliveryTest.setUpClass'" "in tearDown()"
        threading.Thread(target=cls.upstream.serve_forever, daemon=True).start()

    def test_delivers(self):
        self.assertEqual(deliver(f"http://127.0.0.1:{self.upstream.server_port}", {}), 204)


class CleanupDeliveryTest(unittest.TestCase):
    def test_delivers(self):
        server = HTTPServer(("127.0.0.1", 0), FakeUpstream)  # ok: addCleanup
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.assertEqual(deliver(f"http://127.0.0.1:{server.server_port}", {}), 204)


def test_deliver_inline():
    threading.Thread(target=HTTPServer(("127.0.0.1", 8765), FakeUpstream).serve_forever, daemon=True).start()  # expect: HB503[col=29] "HTTPServer() server" "is built inline, so nothing can ever shut it down" "function 'test_deliver_inline'"
    assert deliver("http://127.0.0.1:8765", {"id": 6}) == 204


def test_deliver_walrus():
    threading.Thread(target=(server := QuietServer(("127.0.0.1", 0), FakeUpstream)).serve_forever, daemon=True).start()  # expect: HB503 "QuietServer() server" "is never shut down" "function 'test_deliver_walrus'"
    assert deliver(f"http://127.0.0.1:{server.server_port}", {"id": 7}) == 204


def test_deliver_walrus_stopped():
    threading.Thread(target=(server := QuietServer(("127.0.0.1", 0), FakeUpstream)).serve_forever, daemon=True).start()  # ok: shut down in finally
    try:
        assert deliver(f"http://127.0.0.1:{server.server_port}", {"id": 8}) == 204
    finally:
        server.shutdown()


def test_deliver_in_with():
    with HTTPServer(("127.0.0.1", 0), FakeUpstream) as server:  # expect: HB503 "HTTPServer() server" "is only closed by `with` (that calls server_close(), not shutdown())" "serve_forever() thread running"
        threading.Thread(target=server.serve_forever, daemon=True).start()
        assert deliver(f"http://127.0.0.1:{server.server_port}", {"id": 9}) == 204


def test_deliver_bound_with():
    server = QuietServer(("127.0.0.1", 0), FakeUpstream)  # expect: HB503 "QuietServer() server" "is only closed by `with`"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with server:
        assert deliver(f"http://127.0.0.1:{server.server_port}", {"id": 10}) == 204


def test_deliver_closed_only():
    server = QuietServer(("127.0.0.1", 0), FakeUpstream)  # expect: HB503 "QuietServer() server" "is never shut down" "function 'test_deliver_closed_only'"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        assert deliver(f"http://127.0.0.1:{server.server_port}", {"id": 11}) == 204
    finally:
        server.server_close()


def start_fake(port):
    # A helper: the caller owns the server.
    server = HTTPServer(("127.0.0.1", port), FakeUpstream)  # ok: returned
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main():
    # The program's own main loop.
    server = HTTPServer(("0.0.0.0", 8000), FakeUpstream)  # ok: serve_forever in the foreground
    server.serve_forever()


def main_inline():
    HTTPServer(("0.0.0.0", 8000), FakeUpstream).serve_forever()  # ok: the program's main loop, in the foreground
