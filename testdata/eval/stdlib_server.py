"""Tiny internal API on the standard library (http.server + socketserver)."""
import contextlib
import ftplib
import http.client
import http.server
import json
import socketserver
import urllib.request


class ApiHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        conn = http.client.HTTPSConnection("api.example.com")  # expect: HB202, HB103
        conn.request("GET", "/v1/data")
        resp = conn.getresponse()  # ok: HB102 a local read to the end (issue 12)
        body = resp.read()
        self._reply(200, body)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        conn = http.client.HTTPSConnection("api.example.com", timeout=5)  # ok: HB103 closed in finally; HB202 timeout given
        try:
            conn.request("POST", "/v1/data", body=self.rfile.read(length))
            resp = conn.getresponse()  # ok: HB102 closed through its owning connection in finally
            self._reply(resp.status, resp.read())
        finally:
            conn.close()

    def do_PUT(self):
        conn = http.client.HTTPConnection("localhost", 8080, 5)  # ok: HB202 positional timeout; HB103 closed in finally
        try:
            conn.request("PUT", self.path, body=b"")
            with conn.getresponse() as resp:  # ok: HB102 context manager
                self._reply(resp.status, resp.read())
        finally:
            conn.close()

    def do_DELETE(self):
        req = urllib.request.Request("http://registry.internal" + self.path, method="DELETE")
        resp = urllib.request.urlopen(req, timeout=10)  # ok: HB102 a local, closed by CPython when do_DELETE returns (issue 12)
        self._reply(resp.status, b"")

    def do_PATCH(self):
        with contextlib.closing(urllib.request.urlopen("http://registry.internal" + self.path, timeout=10)) as resp:  # ok: HB102 contextlib.closing
            self._reply(resp.status, resp.read())

    def do_HEAD(self):
        ftp = ftplib.FTP("mirror.example.org")  # expect: HB202
        try:
            ftp.login()
            size = ftp.size("/pub/latest.tar.gz")
        finally:
            ftp.quit()
        self.send_response(200)
        self.send_header("Content-Length", str(size))
        self.end_headers()

    def do_OPTIONS(self):
        status = self._upstream_status()
        self._reply(200, json.dumps({"upstream": status}).encode())

    def _upstream_status(self):
        resp = urllib.request.urlopen("http://registry.internal/health")  # expect: HB202; ok: HB102 a local, closed when the method returns (issue 12)
        return resp.status

    def _reply(self, status, body):
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class EchoHandler(socketserver.StreamRequestHandler):
    def handle(self):
        while True:  # expect: HB304
            line = self.rfile.readline()
            if line:
                self.wfile.write(line)


class LineHandler(socketserver.StreamRequestHandler):
    def handle(self):
        while True:  # ok: HB304 break on EOF
            line = self.rfile.readline()
            if not line:
                break
            self.wfile.write(line.upper())


def fetch_manifest():
    """Used by the deploy script, not by any handler."""
    return urllib.request.urlopen("http://registry.internal/manifest").read()  # expect: HB202 "function 'fetch_manifest'"; ok: HB102 read to the end, the socket closes at EOF


# Kept responses (issue 12): these lines were written with the rule, not blind.
REGISTRY_STREAMS = {}


class RegistryWatcher:
    """One per process."""

    def __init__(self):
        self._events = urllib.request.urlopen("http://registry.internal/events", timeout=10)  # expect: HB102

    def connected(self):
        return self._events.status == 200


def watch_package(name):
    REGISTRY_STREAMS[name] = urllib.request.urlopen(f"http://registry.internal/watch/{name}", timeout=10)  # expect: HB102


def _open_manifest(name):
    return urllib.request.urlopen(f"http://registry.internal/manifest/{name}", timeout=10)  # ok: HB102 returned to its callers


class ManifestCache:
    def __init__(self):
        self._open = []

    def prefetch(self, names):
        for name in names:
            self._open.append(_open_manifest(name))  # expect: HB102


def main():
    server = http.server.ThreadingHTTPServer(("", 8000), ApiHandler)  # ok: HB503 served inside `with server:`
    with server:
        server.serve_forever()


if __name__ == "__main__":
    main()
