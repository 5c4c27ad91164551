"""Status page served by the stdlib http.server: polls upstream services with urllib and http.client."""
import contextlib
import http.client
import json
import shutil
import urllib.request
from http.server import BaseHTTPRequestHandler
from urllib.request import build_opener, urlopen

STATUS_URL = "https://status.internal/api"
MIRRORS = ["https://a.mirror.internal", "https://b.mirror.internal"]
TIMEOUT = 5
OPENER = build_opener()
OBJECTS = http.client.HTTPSConnection("objects.internal", timeout=TIMEOUT)
PENDING = []
OPEN_MIRRORS = []
CACHE = {}
DRAINED = []
LATEST = None


class StatusHandler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/health":
            data = json.load(urlopen(f"{STATUS_URL}/health", timeout=TIMEOUT))  # ok: json.load() reads it to the end
            self._send_json(data)
        elif self.path == "/version":
            version = urlopen(f"{STATUS_URL}/version", timeout=TIMEOUT).read()  # ok: read to the end, the socket closes at EOF
            self._send_json({"version": version.decode()})
        elif self.path == "/code":
            code = urlopen(f"{STATUS_URL}/code", timeout=TIMEOUT).status  # ok: dropped at once, CPython closes it
            self._send_json({"code": code})
        elif self.path == "/uptime":
            with urlopen(f"{STATUS_URL}/uptime", timeout=TIMEOUT) as resp:  # ok: with block
                self._send_json(json.load(resp))
        elif self.path == "/incidents":
            resp = OPENER.open(f"{STATUS_URL}/incidents", timeout=TIMEOUT)  # ok: a local, closed when the method returns whatever happens
            body = resp.read()
            resp.close()
            self._send_json(json.loads(body))
        elif self.path == "/regions":
            with contextlib.closing(urllib.request.urlopen(f"{STATUS_URL}/regions", timeout=TIMEOUT)) as resp:  # ok: closing()
                self._send_json(json.load(resp))
        elif self.path == "/queue":
            PENDING.append(urlopen(f"{STATUS_URL}/queue", timeout=TIMEOUT))  # expect: HB102 "urlopen() response is kept in PENDING and never read to the end or closed" "handler 'StatusHandler.do_GET'"
            self._send_json({"queued": len(PENDING)})
        elif self.path == "/last":
            self._last = urlopen(f"{STATUS_URL}/last", timeout=TIMEOUT)  # ok: self is this request's handler, it dies with the request
            self._send_json({"code": self._last.status})
        elif self.path == "/logo.png":
            self.send_response(200)
            self.end_headers()
            self._copy_logo()
        else:
            self.send_error(404)

    def do_PUT(self):
        conn = http.client.HTTPConnection("status.internal", 80, TIMEOUT)
        conn.request("PUT", "/api/state")
        resp = conn.getresponse()  # ok: a local, read to the end
        payload = json.loads(resp.read())
        conn.close()
        self._send_json(payload)

    def do_PATCH(self):
        resp = urlopen(f"{STATUS_URL}/patch", timeout=TIMEOUT)  # ok: handed to a helper that owns it
        self._relay(resp)

    def do_DELETE(self):
        key = self.path.rsplit("/", 1)[-1]
        resp = OPENER.open(f"{STATUS_URL}/objects/{key}", timeout=TIMEOUT)  # expect: HB102 "OPENER.open() response is kept in CACHE and never read to the end or closed"
        CACHE[key] = resp
        self._send_json({"cached": key, "status": resp.status})

    def _copy_logo(self):
        resp = urlopen(f"{STATUS_URL}/logo.png", timeout=TIMEOUT)  # ok: copyfileobj() reads it to the end
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


class StatusFeed:
    """One per process: keeps the upstream's status stream."""

    def __init__(self, url):
        self._resp = urlopen(url, timeout=TIMEOUT)  # expect: HB102 "urlopen() response is kept in self._resp and never read to the end or closed" "method 'StatusFeed.__init__'"

    def status(self):
        return self._resp.status


class ClosingFeed:
    def __init__(self, url):
        self._resp = urlopen(url, timeout=TIMEOUT)  # ok: closed by close()

    def close(self):
        self._resp.close()


class ReadingFeed:
    def __init__(self, url):
        self._resp = urlopen(url, timeout=TIMEOUT)  # ok: read to the end by body()

    def body(self):
        return self._resp.read()


class PeekingFeed:
    def __init__(self, url):
        self._resp = urlopen(url, timeout=TIMEOUT)  # expect: HB102 "urlopen() response is kept in self._resp" "method 'PeekingFeed.__init__'"

    def head(self):
        return self._resp.read(256)  # only the first bytes: the rest stays unread, the socket open


class Connections:
    def __init__(self):
        self._pending = {}

    def fetch(self, key):
        OBJECTS.request("GET", f"/objects/{key}")
        self._pending[key] = OBJECTS.getresponse()  # expect: HB102 "OBJECTS.getresponse() response is kept in self._pending"

    def size(self):
        return len(self._pending)


def _open(path):
    return urlopen(f"{STATUS_URL}{path}", timeout=TIMEOUT)  # ok: returned; its callers here decide


def _open_status():
    return _open("/status")  # ok: returned again


class Poller:
    def start(self):
        self.stream = _open_status()  # expect: HB102 "_open_status() response (from urlopen()) is kept in self.stream"

    def code(self):
        return self.stream.status


def status_body():
    return _open("/status").read()  # ok: read to the end


def open_mirrors():
    for url in MIRRORS:
        OPEN_MIRRORS.append(urlopen(url, timeout=TIMEOUT))  # expect: HB102 "urlopen() response is kept in OPEN_MIRRORS" "function 'open_mirrors'"


def queue_drain(url):
    DRAINED.append(urlopen(url, timeout=TIMEOUT))  # ok: close_drained() closes everything it holds


def close_drained():
    for resp in DRAINED:
        resp.close()
    DRAINED.clear()


def refresh_latest():
    global LATEST
    LATEST = urlopen(f"{STATUS_URL}/latest", timeout=TIMEOUT)  # ok: forget_latest() drops it, CPython closes it then


def forget_latest():
    global LATEST
    LATEST = None


def inline_banner():
    PENDING.append(urlopen("data:text/plain,maintenance%20tonight", timeout=TIMEOUT))  # ok: a data: URL opens no socket


def open_feed(url):
    # A factory: the caller (outside this module) owns the response.
    return urlopen(url, timeout=TIMEOUT)  # ok: returned


def nightly_export(path):
    # Batch job, not reached from a handler.
    data = urlopen(f"{STATUS_URL}/export", timeout=TIMEOUT).read()  # ok: HB102 read to the end, the socket closes at EOF
    with open(path, "wb") as out:
        out.write(data)
    local = open(path, "rb")  # ok: builtin open, not an opener
    local.close()
