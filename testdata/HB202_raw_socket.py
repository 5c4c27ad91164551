"""Mail gateway panel (Flask): releases quarantined mail through amavis and reads disk temperatures."""
import socket
from socket import AF_INET, SOCK_DGRAM

from flask import Flask, jsonify, request

app = Flask(__name__)
AMAVIS = ("amavis.internal.example", 9998)
PEER_TIMEOUT = 5.0


class AMRelease:
    """Speaks amavis' AM.PDP protocol over one connection."""

    def __init__(self, conf):
        if conf["mode"] == "inet":
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self.sock.connect((conf["host"], conf["port"]))  # expect: HB202[col=13] "self.sock.connect() connects a socket.socket() with no timeout" "call settimeout(<seconds>) on it before connect()"
        else:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.connect(conf["path"])  # ok: a local socket (AF_UNIX)

    def release(self, mail_id):
        self.sock.sendall(f"request=release\nmail_id={mail_id}\n\n".encode())
        return b"250" in self.sock.recv(1024)


class TimedRelease:
    def __init__(self, conf):
        self.sock = socket.socket()
        self.sock.settimeout(PEER_TIMEOUT)
        self.sock.connect((conf["host"], conf["port"]))  # ok: settimeout() before

    def release(self, mail_id):
        self.sock.sendall(mail_id.encode())
        return self.sock.recv(1024)


@app.post("/quarantine/<mail_id>/release")
def release(mail_id):
    return jsonify(released=AMRelease(request.json).release(mail_id))


@app.get("/disks/temperature")
def disk_temperatures():
    sck = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sck.connect(("127.0.0.1", 7634))  # expect: HB202 "sck.connect() connects a socket.socket() with no timeout" "handler 'disk_temperatures'"
    data = b""
    while chunk := sck.recv(4096):
        data += chunk
    sck.close()
    with socket.socket() as peer:
        peer.connect(AMAVIS)  # expect: HB202 "peer.connect() connects a socket.socket() with no timeout"
        status = peer.makefile("rb").readline()
    with socket.socket() as unset:
        unset.settimeout(None)
        unset.connect(AMAVIS)  # expect: HB202 "unset.connect() connects a socket.socket() with no timeout"
        unset.recv(16)
    stream = socket.create_connection(AMAVIS)  # expect: HB202 "socket.create_connection() has no timeout" "pass timeout=<seconds>"
    stream.close()
    return jsonify(raw=data.decode(), status=status.decode())


@app.get("/health")
def health():
    probe = socket.socket()
    probe.connect(AMAVIS)  # ok: connect only, nothing read (the kernel's SYN retries end it)
    probe.close()
    late = socket.socket()
    late.connect(AMAVIS)  # ok: a timeout set after the connect bounds the reads
    late.settimeout(PEER_TIMEOUT)
    late.recv(16)
    quick = socket.socket()
    quick.setblocking(False)
    quick.connect(AMAVIS)  # ok: non-blocking (connect() raises BlockingIOError, recv() does not wait)
    quick.recv(16)
    dns = socket.socket(AF_INET, SOCK_DGRAM)
    dns.connect(("10.0.0.2", 53))  # ok: UDP, connect() only sets the peer
    dns.recv(512)
    for family, kind, proto, _, address in socket.getaddrinfo(*AMAVIS):
        tried = socket.socket(family, kind, proto)
        tried.connect(address)  # ok: family and type not known here
        tried.recv(16)
    if request.args.get("local"):
        either = socket.socket(socket.AF_UNIX)
    else:
        either = socket.socket()
    either.connect(AMAVIS)  # ok: assigned in a branch before: which socket is not known
    either.recv(16)
    listener = socket.socket()
    listener.bind(("0.0.0.0", 0))
    listener.connect(AMAVIS)  # ok: a bound socket (a server's, or a fixed source)
    listener.recv(16)
    bounded = socket.create_connection(AMAVIS, PEER_TIMEOUT)  # ok: positional timeout
    bounded.close()
    return "ok"
