"""Download manager UI: sends torrents to rTorrent and NZBs to NZBGet over XML-RPC."""
import http.client
import xmlrpc.client
from xmlrpc.client import ServerProxy, Transport

from flask import Flask, request

app = Flask(__name__)
NZBGET_URL = "http://nzbget.lan:6789/xmlrpc"
PROXY_OPTIONS = {"allow_none": True, "transport": None}


class TimeoutTransport(Transport):
    def __init__(self, timeout, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timeout = timeout

    def make_connection(self, host):
        connection = super().make_connection(host)
        connection.timeout = self.timeout
        return connection


@app.post("/torrents")
def add_torrent():
    rtorrent = xmlrpc.client.ServerProxy(request.form["rtorrent_url"])  # expect: HB202[col=16] "xmlrpc.client.ServerProxy() sends every call with no timeout" "handler 'add_torrent'" "pass transport= a Transport"
    rtorrent.load.start("", request.form["magnet"])
    return "queued"


@app.post("/nzbs")
def add_nzb():
    nzbget = ServerProxy(NZBGET_URL, allow_none=True)  # expect: HB202 "ServerProxy() sends every call with no timeout" "handler 'add_nzb'"
    bounded = ServerProxy(NZBGET_URL, TimeoutTransport(10))  # ok: the transport sets a timeout
    named = ServerProxy(NZBGET_URL, transport=TimeoutTransport(10), allow_none=True)  # ok: transport given by keyword
    configured = ServerProxy(NZBGET_URL, **PROXY_OPTIONS)  # expect: HB202 "ServerProxy() sends every call with no timeout"
    forwarded = ServerProxy(NZBGET_URL, **request.args)  # ok: unseen keywords may hold a transport
    status = http.client.HTTPConnection("nzbget.lan", 6789, timeout=5)  # ok: an HTTP connection with a timeout
    return {"queued": nzbget.append(request.form["name"], request.form["nzb"]) and bounded and named and configured
            and forwarded and status}


def transport_for(timeout):
    return xmlrpc.client.ServerProxy(NZBGET_URL, transport=TimeoutTransport(timeout))  # ok: transport given
