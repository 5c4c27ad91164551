"""A tiny metrics endpoint on http.server."""
import http.server
import json
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer

from .metrics import REGISTRY


class MetricsHandler(BaseHTTPRequestHandler):
    def do_GET(self):  # handler
        body = json.dumps(REGISTRY.snapshot()).encode()
        self._send(200, body)

    def do_POST(self):  # handler
        length = int(self.headers["Content-Length"])
        REGISTRY.push(json.loads(self.rfile.read(length)))
        self._send(204, b"")

    def _send(self, status, body):
        self.send_response(status)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        pass


class StaticHandler(http.server.SimpleHTTPRequestHandler):
    def do_HEAD(self):  # handler
        super().do_HEAD()


class CachedStaticHandler(StaticHandler):
    def do_GET(self):  # handler
        self.send_header("Cache-Control", "max-age=60")
        super().do_GET()


class RendezvousHandler(BaseHTTPRequestHandler):
    """One method serves every verb, under the names the server calls."""

    def route(self):  # handler
        self.send_response(200)
        self.end_headers()

    def _reply(self, code):
        self.send_response(code)

    do_GET = route
    do_POST = route
    reply = _reply


class NotAHandler:
    def do_GET(self):
        return "a method named like a handler on an unrelated class"

    def route(self):
        return "aliased on an unrelated class"

    do_POST = route


def serve(port=9100):
    with ThreadingHTTPServer(("", port), MetricsHandler) as server:
        server.serve_forever()
