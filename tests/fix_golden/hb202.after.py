"""HB202 fix: stdlib network calls get timeout=10 (positional None replaced in place)."""
import smtplib
import socket
from http.server import BaseHTTPRequestHandler
from urllib.request import urlopen


class Relay(BaseHTTPRequestHandler):
    def do_GET(self):
        with urlopen("https://upstream/feed", timeout=10) as resp:
            body = resp.read()
        with urlopen("https://upstream/feed", None, 10) as resp:
            body += resp.read()
        sock = socket.create_connection(("metrics", 2003), timeout=10)
        sock.close()
        with smtplib.SMTP("mail", 25, timeout=10) as smtp:
            smtp.noop()
        self.wfile.write(body)
