"""A module that sets the global socket timeout: HB202 stays silent here."""
import socket
import urllib.request

from flask import Flask

socket.setdefaulttimeout(10)
app = Flask(__name__)


@app.route("/mirror")
def mirror():
    with urllib.request.urlopen("https://mirror.example/latest") as resp:  # ok: module sets socket.setdefaulttimeout
        return resp.read()


@app.route("/sync")
def sync():
    sock = socket.create_connection(("sync.example", 9000))  # ok: module sets socket.setdefaulttimeout
    sock.close()
    return "ok"


@app.route("/direct")
def direct():
    import requests

    return requests.get("https://mirror.example/direct").text  # expect: HB201[col=12] "requests.get() has no timeout" "handler 'direct'"
