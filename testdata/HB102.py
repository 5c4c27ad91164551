"""Status page served by the stdlib http.server: polls upstream services with urllib and http.client."""
import contextlib
import http.client
import json
import shutil
import urllib.request
from http.server import BaseHTTPRequestHandler
from urllib.request import build_opener, urlopen

STATUS_URL = "https://status.internal/api"
TIMEOUT = 5
OPENER = build_opener()


class StatusHandler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/health":
            data = json.load(urlopen(f"{STATUS_URL}/health", timeout=TIMEOUT))  # expect: HB102[col=30] "urlopen() response is never closed" "handler 'StatusHandler.do_GET'"
            self._send_json(data)
        elif self.path == "/version":
            version = urlopen(f"{STATUS_URL}/version", timeout=TIMEOUT).read()  # expect: HB102 "urlopen() response is never closed" "handler 'StatusHandler.do_GET'"
            self._send_json({"version": version.decode()})
        elif self.path == "/uptime":
            with urlopen(f"{STATUS_URL}/uptime", timeout=TIMEOUT) as resp:  # ok: with block
                self._send_json(json.load(resp))
        elif self.path == "/incidents":
            resp = OPENER.open(f"{STATUS_URL}/incidents", timeout=TIMEOUT)  # expect: HB102 "OPENER.open() response is closed only on the straight path" "handler 'StatusHandler.do_GET'"
            body = resp.read()
            resp.close()
            self._send_json(json.loads(body))
        elif self.path == "/maintenance":
            resp = OPENER.open(f"{STATUS_URL}/maintenance", timeout=TIMEOUT)  # ok: closed in finally
            try:
                self._send_json(json.load(resp))
            finally:
                resp.close()
        elif self.path == "/regions":
            with contextlib.closing(urllib.request.urlopen(f"{STATUS_URL}/regions", timeout=TIMEOUT)) as resp:  # ok: closing()
                self._send_json(json.load(resp))
        elif self.path == "/logo.png":
            self.send_response(200)
            self.end_headers()
            self._copy_logo()
        else:
            self.send_error(404)

    def do_POST(self):
        conn = http.client.HTTPSConnection("status.internal", timeout=TIMEOUT)
        try:
            conn.request("POST", "/api/ack", body=self.rfile.read(int(self.headers["Content-Length"])))
            resp = conn.getresponse()  # ok: its connection is closed in finally
            self._send_json({"status": resp.status})
        finally:
            conn.close()

    def do_PUT(self):
        conn = http.client.HTTPConnection("status.internal", 80, TIMEOUT)
        conn.request("PUT", "/api/state")
        resp = conn.getresponse()  # expect: HB102 "conn.getresponse() response is closed only on the straight path" "handler 'StatusHandler.do_PUT'"
        payload = json.loads(resp.read())
        conn.close()
        self._send_json(payload)

    def do_DELETE(self):
        conn = http.client.HTTPConnection("status.internal", 80, TIMEOUT)
        conn.request("DELETE", "/api/state")
        resp = conn.getresponse()  # ok: closed in finally
        try:
            self._send_json({"status": resp.status})
        finally:
            resp.close()
            conn.close()

    def do_PATCH(self):
        resp = urlopen(f"{STATUS_URL}/patch", timeout=TIMEOUT)  # ok: handed to a helper that owns it
        self._relay(resp)

    def _copy_logo(self):
        resp = urlopen(f"{STATUS_URL}/logo.png", timeout=TIMEOUT)  # expect: HB102 "urlopen() response is never closed" "handler 'StatusHandler.do_GET' via _copy_logo()"
        shutil.copyfileobj(resp, self.wfile)

    def _relay(self, resp):
        with resp:
            self._send_json(json.load(resp))

    def _send_json(self, data):
        body = json.dumps(data).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)


def open_feed(url):
    # A factory: the caller owns the response.
    return urlopen(url, timeout=TIMEOUT)  # ok: returned


def nightly_export(path):
    # Batch job, not reached from a handler.
    data = urlopen(f"{STATUS_URL}/export", timeout=TIMEOUT).read()  # ok: HB102 read to the end, the socket closes at EOF
    with open(path, "wb") as out:
        out.write(data)
    local = open(path, "rb")  # ok: builtin open, not an opener
    local.close()
