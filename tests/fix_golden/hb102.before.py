"""HB102 fix: a urlopen()/getresponse() result used only in its block goes in `with`."""
import http.client
import json
from http.server import BaseHTTPRequestHandler
from urllib.request import urlopen


class StatusHandler(BaseHTTPRequestHandler):
    def do_GET(self):
        resp = urlopen("https://status/api/health", timeout=5)
        data = json.load(resp)

        self.send_response(200)
        self.end_headers()
        self.wfile.write(json.dumps(data).encode())

    def do_PUT(self):
        conn = http.client.HTTPConnection("status.internal", 80, 5)
        conn.request("PUT", "/api/state")
        resp = conn.getresponse()
        payload = json.loads(resp.read())
        resp.close()
        conn.close()
        self.wfile.write(json.dumps(payload).encode())

    def do_POST(self):
        version = urlopen("https://status/api/version", timeout=5).read()  # inline: left alone
        self.wfile.write(version)
