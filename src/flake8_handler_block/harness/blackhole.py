"""A loopback peer that makes missing timeouts visible: it accepts and never answers.

Modes:
- "silent": accept, read and discard, never send a byte (a read without timeout hangs);
- "headers": answer the request headers with a status line and a Content-Length, then stall
  the body (a client that times out the connect and the headers but not the body hangs);
- "connect": never accept, with the listen backlog filled, so a connect without timeout hangs
  (Linux drops the SYN of a connection that does not fit the accept queue).

`hangup()` closes every connection it holds (or the listener, in "connect" mode), which wakes
a handler parked on a read so that it can finish.
"""

from __future__ import annotations

import selectors
import socket
import threading
from typing import List, Optional, Tuple

MODES = ("silent", "headers", "connect")

_HEADERS = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
    b"Content-Length: 1048576\r\n\r\n" + b"x" * 16
)


class LoopbackAddress:
    """``host``, ``port`` and ``url`` of something listening at ``self.address``."""

    address: Tuple[str, int]

    @property
    def host(self) -> str:
        return self.address[0]

    @property
    def port(self) -> int:
        return self.address[1]

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"


class BlackHole(LoopbackAddress):
    """A TCP server on 127.0.0.1 that never finishes an answer."""

    _hb_internal = True

    def __init__(self, mode: str = "silent", host: str = "127.0.0.1") -> None:
        if mode not in MODES:
            raise ValueError(f"BlackHole mode must be one of {', '.join(MODES)}, not {mode!r}")
        self.mode = mode
        self._lock = threading.Lock()
        self._conns: List[socket.socket] = []
        self._buffers: dict = {}
        self._fillers: List[socket.socket] = []
        self._closed = False
        self._stop = threading.Event()
        self.accepted = 0  # connections accepted so far (a handler reached the hole)
        self._listener: Optional[socket.socket] = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            self._listener.bind((host, 0))
            self._listener.listen(0 if mode == "connect" else 64)
        except OSError:
            self._listener.close()
            raise
        self.address: Tuple[str, int] = self._listener.getsockname()[:2]
        self._thread: Optional[threading.Thread] = None
        if mode == "connect":
            self._fill_backlog()
        else:
            self._listener.setblocking(False)
            thread = threading.Thread(target=self._serve, name=f"hb-blackhole-{self.port}", daemon=True)
            thread._hb_internal = True  # type: ignore[attr-defined]
            self._thread = thread
            thread.start()

    def __repr__(self) -> str:
        return f"<BlackHole {self.mode} {self.url} accepted={self.accepted}>"

    def _fill_backlog(self) -> None:
        # the accept queue holds backlog+1 connections; a few more SYNs than that are dropped
        for _ in range(4):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            s.connect_ex(self.address)
            self._fillers.append(s)

    def _serve(self) -> None:
        sel = selectors.DefaultSelector()
        listener = self._listener
        assert listener is not None
        sel.register(listener, selectors.EVENT_READ)
        try:
            while not self._stop.is_set():
                for key, _ in sel.select(timeout=0.05):
                    sock = key.fileobj
                    if sock is listener:
                        self._accept(sel, listener)
                    else:
                        self._read(sel, sock)  # type: ignore[arg-type]
        except (OSError, ValueError):
            pass  # listener closed under us: we are shutting down
        finally:
            sel.close()

    def _accept(self, sel: selectors.BaseSelector, listener: socket.socket) -> None:
        try:
            conn, _ = listener.accept()
        except (BlockingIOError, InterruptedError):
            return
        conn.setblocking(False)
        with self._lock:
            if self._closed:
                conn.close()
                return
            self._conns.append(conn)
            self._buffers[conn] = b""
            self.accepted += 1
        try:
            sel.register(conn, selectors.EVENT_READ)
        except KeyError:  # the fd of a connection hangup() closed behind the selector's back
            sel.unregister(conn.fileno())
            sel.register(conn, selectors.EVENT_READ)

    def _read(self, sel: selectors.BaseSelector, conn: socket.socket) -> None:
        try:
            data = conn.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:  # the client went away
            sel.unregister(conn)
            self._drop(conn)
            return
        if self.mode == "headers":
            with self._lock:
                buf = self._buffers.get(conn)
                if buf is None:
                    return
                buf += data
                self._buffers[conn] = buf if b"\r\n\r\n" not in buf else None
            if b"\r\n\r\n" in buf:
                try:
                    conn.send(_HEADERS)
                except OSError:
                    pass

    def _drop(self, conn: socket.socket) -> None:
        with self._lock:
            if conn in self._conns:
                self._conns.remove(conn)
            self._buffers.pop(conn, None)
        conn.close()

    def hangup(self) -> int:
        """Close every held connection, waking the clients parked on them. Returns how many."""
        with self._lock:
            conns, self._conns = self._conns, []
            self._buffers.clear()
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            conn.close()
        if self.mode == "connect" and self._listener is not None:
            self._listener.close()  # refuses the queued SYNs
            for s in self._fillers:
                s.close()
            self._fillers.clear()
            return 1
        return len(conns)

    def close(self, timeout: float = 1.0) -> None:
        """Stop accepting, hang up, free the port. Idempotent."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self.hangup()
        if self._listener is not None:
            self._listener.close()
        for s in self._fillers:
            s.close()
        self._fillers.clear()

    @property
    def closed(self) -> bool:
        return self._closed

    def __enter__(self) -> "BlackHole":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
