"""The threaded front: WSGI apps and http.server handlers, one daemon thread per connection.

A single-threaded server's shutdown() never returns while a handler is stuck, so every
connection gets its own daemon thread, and the accept loop wakes on a socketpair to stop at
once. A request counts as finished when its thread is done with it - whether or not the
server called the response iterable's close() (werkzeug skips it on a client reset).
"""

from __future__ import annotations

import http.server
import itertools
import selectors
import socket
import socketserver
import sys
import threading
import weakref
from typing import Any, Dict, List, Optional
from wsgiref.simple_server import WSGIRequestHandler

from .client import CALL_HEADER
from .inflight import Entry, HandlerAbandoned, current_entry
from .report import StuckHandler

_thread_ids = itertools.count(1)


class _ThreadingHTTPServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    block_on_close = False
    _hb_internal = True

    def __init__(self, sock: socket.socket, handler: type, hb: Any) -> None:
        socketserver.BaseServer.__init__(self, sock.getsockname()[:2], handler)
        self.socket = sock
        self.server_name, self.server_port = sock.getsockname()[:2]
        self.hb = hb
        self.app: Any = None
        self.base_environ: Dict[str, str] = {
            "SERVER_NAME": str(self.server_name),
            "GATEWAY_INTERFACE": "CGI/1.1",
            "SERVER_PORT": str(self.server_port),
            "REMOTE_HOST": "",
            "CONTENT_LENGTH": "",
            "SCRIPT_NAME": "",
        }
        self.handler_threads: "weakref.WeakSet[threading.Thread]" = weakref.WeakSet()
        self.connections: "weakref.WeakSet[socket.socket]" = weakref.WeakSet()

    def get_app(self) -> Any:  # wsgiref's handler asks the server for the app
        return self.app

    def process_request(self, request: Any, client_address: Any) -> None:
        def run() -> None:
            try:
                self.process_request_thread(request, client_address)
            except HandlerAbandoned:
                pass

        self.connections.add(request)
        thread = threading.Thread(target=run, name=f"hb-handler-{next(_thread_ids)}", daemon=True)
        thread._hb_internal = True  # type: ignore[attr-defined]
        self.handler_threads.add(thread)
        thread.start()

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, (OSError, HandlerAbandoned)):
            return  # the client or the harness hung up
        super().handle_error(request, client_address)


_local = threading.local()


class _WSGIHandler(WSGIRequestHandler):
    def handle(self) -> None:
        _local.conn = self.connection
        _local.entry = _local.token = None
        try:
            super().handle()
        finally:
            # count the request done when its thread is done with it, whether or not the
            # server called the response iterable's close() (werkzeug skips it on a reset)
            entry, token = _local.entry, getattr(_local, "token", None)
            _local.entry = _local.conn = None
            if token is not None:
                current_entry.reset(token)
                _local.token = None
            if entry is not None:
                self.server.hb._leave(entry, settle=True)  # type: ignore[attr-defined]

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def get_stderr(self) -> Any:
        return _quiet_stderr


class _QuietStderr:
    """wsgiref logs app errors here; an abandoned handler waking up is not an app error."""

    def write(self, text: str) -> None:
        if not isinstance(sys.exc_info()[1], HandlerAbandoned):
            sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


_quiet_stderr = _QuietStderr()


def _wsgi_wrapper(app: Any, hb: Any) -> Any:
    def tracked(environ: Dict[str, Any], start_response: Any) -> Any:
        query = environ.get("QUERY_STRING")
        target = environ.get("PATH_INFO", "/") + (f"?{query}" if query else "")
        entry = hb._enter(
            f"{environ.get('REQUEST_METHOD', 'GET')} {target}",
            thread_ident=threading.get_ident(),
            conn=getattr(_local, "conn", None),
            call_id=environ.get("HTTP_" + CALL_HEADER.upper().replace("-", "_")),
        )
        _local.entry = entry
        _local.token = current_entry.set(entry)
        return app(environ, start_response)

    return tracked


def _http_server_handler(user_cls: Any) -> type:
    """Subclass a BaseHTTPRequestHandler so that each do_METHOD call is counted in and out."""

    class Tracked(user_cls):
        def parse_request(self) -> bool:
            ok = super().parse_request()
            name = f"do_{self.command}"
            method = getattr(self, name, None) if ok else None
            if method is not None:
                hb: Any = self.server.hb

                def counted() -> Any:
                    entry = hb._enter(f"{self.command} {self.path}", thread_ident=threading.get_ident(),
                                      conn=self.connection, call_id=self.headers.get(CALL_HEADER))
                    token = current_entry.set(entry)
                    try:
                        return method()
                    finally:
                        current_entry.reset(token)
                        hb._leave(entry, settle=True)

                setattr(self, name, counted)
            return ok

    if user_cls.log_message is http.server.BaseHTTPRequestHandler.log_message:
        Tracked.log_message = lambda self, *args: None
    Tracked.__name__ = user_cls.__name__
    Tracked.__qualname__ = user_cls.__qualname__
    return Tracked


class ThreadedFront:
    def __init__(self, hb: Any, app: Any, kind: str, sock: socket.socket) -> None:
        handler = _http_server_handler(app) if kind == "http.server" else _WSGIHandler
        self.httpd = _ThreadingHTTPServer(sock, handler, hb)
        if kind == "wsgi":
            self.httpd.app = _wsgi_wrapper(app, hb)
        self._stop = threading.Event()
        self.thread: Optional[threading.Thread] = None

    def start(self) -> None:
        self.httpd.timeout = 0.0  # handle_request() is called only when accept() will not block
        self._wake_r, self._wake_w = socket.socketpair()
        thread = threading.Thread(target=self._serve, name="hb-serve", daemon=True)
        thread._hb_internal = True  # type: ignore[attr-defined]
        self.thread = thread
        thread.start()

    def _serve(self) -> None:
        with selectors.DefaultSelector() as sel:
            sel.register(self.httpd.socket, selectors.EVENT_READ)
            sel.register(self._wake_r, selectors.EVENT_READ)  # stop() writes here: no polling delay
            while not self._stop.is_set():
                try:
                    ready = sel.select(timeout=0.5)
                    if any(key.fileobj is self.httpd.socket for key, _ in ready):
                        self.httpd.handle_request()
                except (OSError, ValueError):
                    if self._stop.is_set():
                        break

    def describe(self, entries: List[Entry]) -> List[StuckHandler]:
        return []  # handler threads are described by the TestServer

    def free(self, entries: List[Entry]) -> None:
        pass

    def stop(self, timeout: float) -> List[str]:
        self._stop.set()
        if self.thread is not None:
            try:
                self._wake_w.send(b"x")
            except OSError:
                pass
            self.thread.join(timeout)
            self._wake_r.close()
            self._wake_w.close()
        self.httpd.server_close()
        # wake handler threads idle on a client that never sent (or never read) anything
        for conn in list(self.httpd.connections):
            if conn.fileno() != -1:
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        return []

    def handler_threads(self) -> List[threading.Thread]:
        return list(self.httpd.handler_threads)

    def loop_blocks(self) -> list:
        return []
