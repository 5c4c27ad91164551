"""Integration tests that spin up real HTTP servers (pytest)."""
import http.server
import socketserver
import threading
import unittest
from wsgiref.simple_server import make_server

import pytest
import requests
from werkzeug.serving import make_server as wz_make_server

from myapp import create_app
from myapp.client import RetryingClient
from myapp.webhooks import RECEIVED, deliver, webhook_app


class _Echo(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = self.path.encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class _Flaky(socketserver.BaseRequestHandler):
    calls = 0

    def handle(self):
        type(self).calls += 1
        if type(self).calls > 1:
            self.request.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok")


@pytest.fixture
def echo_server():
    server = http.server.HTTPServer(("127.0.0.1", 0), _Echo)  # ambiguous: HB503 teardown calls shutdown() but never server_close(); spec says "without shutdown() and server_close() (or with server:)", and `with server:` only closes
    thread = threading.Thread(target=server.serve_forever, daemon=True)  # ambiguous: HB503 see above
    thread.start()  # ambiguous: HB503 see above
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def api_server():
    server = make_server("127.0.0.1", 0, create_app())  # expect: HB503@api
    threading.Thread(target=server.serve_forever, daemon=True).start()  # expect: HB503@api
    yield f"http://127.0.0.1:{server.server_port}"


@pytest.fixture
def wsgi_server():
    server = make_server("127.0.0.1", 0, create_app())  # ok: HB503 shutdown() and server_close() after yield
    t = threading.Thread(target=server.serve_forever)
    t.start()
    yield server
    server.shutdown()
    server.server_close()
    t.join()


@pytest.fixture
def threaded_server():
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Echo) as server:  # ok: HB503 with server, shutdown in teardown
        t = threading.Thread(target=server.serve_forever, daemon=True)
        t.start()
        yield server
        server.shutdown()


def test_echo(echo_server):
    r = requests.get(echo_server + "/hello")  # ok: HB201 tests are not handlers
    assert r.text == "/hello"


def test_client_retries():
    server = socketserver.TCPServer(("127.0.0.1", 0), _Flaky)  # expect: HB503@flaky
    threading.Thread(target=server.serve_forever, daemon=True).start()  # expect: HB503@flaky
    client = RetryingClient(f"http://127.0.0.1:{server.server_address[1]}")
    assert client.get("/") == b"ok"


def test_webhook_delivery():
    server = wz_make_server("127.0.0.1", 0, webhook_app)  # expect: HB503@wh
    t = threading.Thread(target=server.serve_forever)  # expect: HB503@wh
    t.start()  # expect: HB503@wh
    deliver({"event": "ping"}, f"http://127.0.0.1:{server.port}/hook")
    assert RECEIVED == [{"event": "ping"}]
    server.shutdown()
    server.server_close()


def test_webhook_delivery_safe():
    server = wz_make_server("127.0.0.1", 0, webhook_app)  # ok: HB503 shutdown and server_close in finally
    t = threading.Thread(target=server.serve_forever)
    t.start()
    try:
        deliver({"event": "ping"}, f"http://127.0.0.1:{server.port}/hook")
        assert RECEIVED == [{"event": "ping"}]
    finally:
        server.shutdown()
        server.server_close()
        t.join()


def test_single_request():
    server = http.server.HTTPServer(("127.0.0.1", 0), _Echo)  # ok: HB503 serve_forever is never started
    t = threading.Thread(target=server.handle_request)
    t.start()
    r = requests.get(f"http://127.0.0.1:{server.server_port}/x", timeout=5)
    t.join()
    server.server_close()
    assert r.status_code == 200


def test_forking_server():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Flaky)  # ambiguous: HB503 shutdown() in finally but no server_close(); see echo_server
    worker = threading.Thread(target=server.serve_forever)  # ambiguous: HB503 see above
    worker.start()  # ambiguous: HB503 see above
    try:
        assert RetryingClient(f"http://127.0.0.1:{server.server_address[1]}").get("/") == b"ok"
    finally:
        server.shutdown()


class ServerTest(unittest.TestCase):
    def setUp(self):
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Echo)  # ambiguous: HB503 cleanup registered with addCleanup, which the spec neither lists nor excludes
        threading.Thread(target=self.server.serve_forever, daemon=True).start()  # ambiguous: HB503 see above
        self.addCleanup(self.server.server_close)
        self.addCleanup(self.server.shutdown)

    def test_get(self):
        r = requests.get(f"http://127.0.0.1:{self.server.server_port}/a", timeout=5)
        self.assertEqual(r.status_code, 200)
