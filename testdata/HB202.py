"""Webhook relay served by http.server: forwards events over stdlib clients."""
import ftplib
import http.client
import imaplib
import nntplib
import smtplib
import socket
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse
from urllib.request import urlopen as open_url

UPSTREAM = "https://events.internal.example/ingest"
SMTP_HOST = "mail.internal.example"
NET_TIMEOUT = 5.0
STATUS_PORT = {"port": 8080}
QUICK_STATUS = {"port": 8080, "timeout": NET_TIMEOUT}
# Read once at import (start-up): a stall stops the process from starting, no request waits on it.
PEERS = urllib.request.urlopen(f"{UPSTREAM}/peers").read()  # ok: HB202 import time, start-up
# Built at import, used by every request later: its connections have no timeout.
STATUS_CONN = http.client.HTTPSConnection("status.internal.example")  # expect: HB202 "module-level code"


class RelayHandler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        with urllib.request.urlopen(UPSTREAM, body) as resp:  # expect: HB202[col=14] "urllib.request.urlopen() has no timeout" "handler 'RelayHandler.do_POST'"
            status = resp.status
        with urllib.request.urlopen(UPSTREAM, body, NET_TIMEOUT) as resp:  # ok: positional timeout
            pass
        with urllib.request.urlopen("data:text/plain,relay%20ready") as resp:  # ok: HB202 a data: URL opens no socket
            status = resp.status
        with open_url(UPSTREAM, data=body, timeout=NET_TIMEOUT) as resp:  # ok: keyword timeout
            status = resp.status
        self.mail_admins(status)
        self.forward_signed(body)
        self.send_response(204)
        self.end_headers()

    def do_PUT(self):
        source = self.headers["X-Payload-URL"]
        if source.startswith("data:"):
            with urllib.request.urlopen(source) as resp:  # ok: HB202 the test above says it is a data: URL
                payload = resp.read()
            payload += self._decode_payload(source)
            payload += self._load_payload(source)
            self.server.pool.submit(urllib.request.urlopen, source)  # ok: HB202 a data: URL, handed to a thread
        else:
            with urllib.request.urlopen(source) as resp:  # expect: HB202 "urllib.request.urlopen() has no timeout" "handler 'RelayHandler.do_PUT'"
                payload = resp.read()
            self.server.pool.submit(urllib.request.urlopen, source)  # expect: HB202 "urllib.request.urlopen() has no timeout" "handler 'RelayHandler.do_PUT'"
        payload += self._load_payload(self.headers["X-Mirror-URL"])
        self.send_response(200 if payload else 204)
        self.end_headers()

    def do_PATCH(self):
        source = self.headers["X-Template-URL"]
        parts = urlparse(source)
        if parts.scheme == "file":
            with urllib.request.urlopen(source) as resp:  # ok: HB202 a file: URL is read from disk, no peer
                template = resp.read()
        elif "file" == urlparse(self.headers["X-Mirror-URL"]).scheme:
            with urllib.request.urlopen(source) as resp:  # expect: HB202 "handler 'RelayHandler.do_PATCH'"
                template = resp.read()
        else:
            with urllib.request.urlopen(source) as resp:  # expect: HB202 "handler 'RelayHandler.do_PATCH'"
                template = resp.read()
        if urlparse(source).scheme == "file" and template:
            open_url(source).close()  # ok: HB202 one side of the `and` says it is a file: URL
        self.send_response(200 if template else 204)
        self.end_headers()

    def do_OPTIONS(self):
        mirror = self.headers["X-Mirror-URL"]
        if mirror.startswith("ftp://"):
            socket.setdefaulttimeout(NET_TIMEOUT)
            with urllib.request.urlopen(mirror) as resp:  # ok: HB202 the default timeout is set just before, on its way
                listing = resp.read()
        else:
            with urllib.request.urlopen(mirror) as resp:  # expect: HB202 "handler 'RelayHandler.do_OPTIONS'"
                listing = resp.read()
            socket.setdefaulttimeout(None)
        self.send_response(200 if listing else 204)
        self.end_headers()

    def _decode_payload(self, url: str) -> bytes:
        with urllib.request.urlopen(url) as resp:  # ok: HB202 its one caller passes a data: URL
            return resp.read()

    def _load_payload(self, url):
        with urllib.request.urlopen(url) as resp:  # expect: HB202 "handler 'RelayHandler.do_PUT'"
            return resp.read()

    def do_GET(self):
        conn = http.client.HTTPSConnection("status.internal.example")  # expect: HB202 "http.client.HTTPSConnection() has no timeout" "handler 'RelayHandler.do_GET'"
        try:
            conn.request("GET", "/health")
        finally:
            conn.close()
        quick = http.client.HTTPConnection("status.internal.example", 80, 2)  # ok: positional timeout
        try:
            quick.request("GET", "/ping")
        finally:
            quick.close()
        sock = socket.create_connection(("metrics.internal.example", 2003))  # expect: HB202 "socket.create_connection() has no timeout" "handler 'RelayHandler.do_GET'"
        sock.sendall(b"relay.get 1\n")
        sock.close()
        probe = socket.create_connection(("metrics.internal.example", 2003), NET_TIMEOUT)  # ok: positional timeout
        probe.close()
        status = http.client.HTTPConnection("status.internal.example", **STATUS_PORT)  # expect: HB202 "http.client.HTTPConnection() has no timeout" "handler 'RelayHandler.do_GET'"
        quick_status = http.client.HTTPConnection("status.internal.example", **QUICK_STATUS)  # ok: the dict holds "timeout"
        try:
            status.request("GET", "/ready")
            quick_status.request("GET", "/ready")
        finally:
            status.close()
            quick_status.close()
        self.send_response(200)
        self.end_headers()

    def mail_admins(self, status):
        with smtplib.SMTP(SMTP_HOST) as smtp:  # expect: HB202[col=14] "smtplib.SMTP() has no timeout" "handler 'RelayHandler.do_POST' via RelayHandler.mail_admins()"
            smtp.sendmail("relay@example", ["ops@example"], f"status {status}")
        with smtplib.SMTP(SMTP_HOST, 25, timeout=NET_TIMEOUT) as smtp:  # ok: keyword timeout
            smtp.noop()
        box = imaplib.IMAP4_SSL("imap.internal.example")  # expect: HB202 "imaplib.IMAP4_SSL() has no timeout" "handler 'RelayHandler.do_POST' via RelayHandler.mail_admins()"
        box.logout()
        ftp = ftplib.FTP()  # ok: no host yet; connect() takes the timeout
        ftp.connect("ftp.internal.example", 21, timeout=NET_TIMEOUT)  # ok: the connect's own timeout
        mirror = ftplib.FTP_TLS() if status else ftplib.FTP()  # ok: no host yet
        mirror.connect("mirror.internal.example", 21)  # expect: HB202 "mirror.connect() has no timeout" "handler 'RelayHandler.do_POST' via RelayHandler.mail_admins()"
        backup = ftplib.FTP()
        backup.connect("backup.internal.example", 21, NET_TIMEOUT)  # ok: its third argument is the timeout
        patient = ftplib.FTP(timeout=NET_TIMEOUT)
        patient.connect("slow.internal.example")  # ok: the constructor's timeout holds for the connect
        self.upload = ftplib.FTP()
        self.upload.connect("upload.internal.example", port=21)  # expect: HB202 "self.upload.connect() has no timeout"
        self.relay.connect("relay.internal.example", 21)  # ok: a receiver of unknown kind
        archive = ftplib.FTP("ftp.internal.example", timeout=None)  # expect: HB202 "ftplib.FTP() passes timeout=None" "handler 'RelayHandler.do_POST' via RelayHandler.mail_admins()"
        archive.quit()
        news = nntplib.NNTP("news.internal.example")  # expect: HB202 "nntplib.NNTP() has no timeout" "handler 'RelayHandler.do_POST' via RelayHandler.mail_admins()"
        news.post(f"Subject: relay status {status}\n\n".encode())
        news.quit()
        with nntplib.NNTP_SSL("news.internal.example", 563, None, None, None, None, False, NET_TIMEOUT) as news:  # ok: positional timeout
            news.group("ops.relay")

    def forward_signed(self, body):
        # urlopen() is open() on a default opener: an opener of our own waits the same way.
        opener = urllib.request.build_opener(urllib.request.HTTPSHandler())
        with opener.open(UPSTREAM, body) as resp:  # expect: HB202[col=14] "opener.open() has no timeout" "handler 'RelayHandler.do_POST' via RelayHandler.forward_signed()"
            resp.read()
        with opener.open(UPSTREAM, body, NET_TIMEOUT) as resp:  # ok: positional timeout
            resp.read()
        with opener.open(UPSTREAM, data=body, timeout=NET_TIMEOUT) as resp:  # ok: keyword timeout
            resp.read()
        with self.server.opener.open(UPSTREAM) as resp:  # ok: a receiver of unknown kind
            resp.read()
        with open("/var/log/relay/forwarded.log", "ab") as log:  # ok: the builtin open
            log.write(body)


UNSET = object()


def relay_open(url, data=None, timeout=UNSET):
    # The timeout reaches the opener only when the caller gives one.
    options = {"data": data}
    if timeout is not UNSET:
        options["timeout"] = timeout
    return urllib.request.build_opener().open(url, **options)  # ok: the caller's timeout


def replay(events):
    for event in events:
        relay_open(UPSTREAM, event).close()  # expect: HB202 "relay_open() passes no timeout on to urllib.request.build_opener.open()" "function 'replay'"
        relay_open(UPSTREAM, event, NET_TIMEOUT).close()  # ok: given in its place
        relay_open(UPSTREAM, data=event, timeout=None).close()  # expect: HB202 "relay_open() passes timeout=None on to urllib.request.build_opener.open()"


def nightly_export():
    # Not a handler: a cron job may wait as long as it likes.
    return urllib.request.urlopen(UPSTREAM).read()  # expect: HB202 "urllib.request.urlopen() has no timeout" "function 'nightly_export'"; ok: HB102 read to the end, the socket closes at EOF


def serve():
    ThreadingHTTPServer(("127.0.0.1", 8080), RelayHandler).serve_forever()


class AlertConnection(smtplib.SMTP):
    # A subclass that runs smtplib.SMTP's constructor itself: that constructor connects.
    def __init__(self, config):
        smtplib.SMTP.__init__(self, config.host, port=config.port, local_hostname=config.helo)  # expect: HB202 "smtplib.SMTP.__init__() has no timeout" "method 'AlertConnection.__init__'"


class AlertSSLConnection(smtplib.SMTP_SSL):
    def __init__(self, host):
        super().__init__(host, 465)  # expect: HB202 "super().__init__() has no timeout" "method 'AlertSSLConnection.__init__'"


class BoundedAlertConnection(smtplib.SMTP):
    def __init__(self, host, timeout=NET_TIMEOUT):
        super().__init__(host, 25, timeout=timeout)  # ok: keyword timeout


class PositionalAlertConnection(smtplib.SMTP):
    def __init__(self, host):
        smtplib.SMTP.__init__(self, host, 25, None, NET_TIMEOUT)  # ok: positional timeout, after self


class ForwardingAlertConnection(smtplib.SMTP):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)  # ok: the caller's arguments, timeout among them


class LazyArchive(ftplib.FTP):
    def __init__(self):
        super().__init__()  # ok: no host yet; connect() takes the timeout


class AuditLog(list):
    def __init__(self, entries):
        super().__init__(entries)  # ok: not a network class
