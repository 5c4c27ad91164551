"""Serve an ASGI app on an event loop in a thread the harness owns.

Deadlines are enforced from outside the loop: a handler that blocks the loop cannot stop the
test thread from reporting it. (httpx's ASGITransport runs the app inline in the caller's loop
and Starlette's TestClient has no timeout, which is why neither is used here.) The HTTP side is
a minimal HTTP/1.1 server: one request per connection, `Connection: close`.
"""

from __future__ import annotations

import asyncio
import http
import socket
import sys
import threading
import traceback
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import unquote

from . import leaks
from .client import CALL_HEADER
from .inflight import Entry, HandlerAbandoned, current_entry
from .report import LoopBlock, StuckHandler
from .stacks import coro_frames, current_frames, describe, sample_threads, thread_frames
from .watchdog import LoopWatchdog

_MAX_HEAD = 64 * 1024


def is_asgi_app(app: Any) -> bool:
    import inspect

    if inspect.iscoroutinefunction(app):
        return True
    call = getattr(type(app), "__call__", None)
    return call is not None and not inspect.isfunction(app) and inspect.iscoroutinefunction(call)


class AsgiFront:
    def __init__(self, server: Any, app: Any, sock: socket.socket, loop_block: float, lifespan: bool) -> None:
        self.server = server  # the TestServer: _enter/_leave, notes
        self.app = app
        self.sock = sock
        self.loop_block = loop_block
        self.lifespan = lifespan
        self.loop: Optional[asyncio.AbstractEventLoop] = None
        self.thread: Optional[threading.Thread] = None
        self.watchdog: Optional[LoopWatchdog] = None
        self._ready = threading.Event()
        self._startup_error: Optional[BaseException] = None
        self._aserver: Optional[asyncio.AbstractServer] = None
        self._state: Dict[str, Any] = {}
        self._lifespan_task: Optional[asyncio.Task] = None
        self._lifespan_shutdown: Optional[asyncio.Event] = None
        self._lifespan_done: Optional[asyncio.Event] = None
        self._closing = False

    # --- lifecycle ---

    def start(self, timeout: float = 10.0) -> None:
        thread = threading.Thread(target=self._run, name="hb-asgi-loop", daemon=True)
        thread._hb_internal = True  # type: ignore[attr-defined]
        self.thread = thread
        thread.start()
        if not self._ready.wait(timeout):
            raise RuntimeError(f"ASGI app did not start within {timeout}s (lifespan startup hangs?)")
        if self._startup_error is not None:
            raise RuntimeError(f"ASGI app failed to start: {self._startup_error!r}")
        assert self.loop is not None and thread.ident is not None
        self.watchdog = LoopWatchdog(self.loop, thread, self.loop_block, self._current_request)
        self.watchdog.start()

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        loop.set_task_factory(leaks.task_factory)
        asyncio.set_event_loop(loop)
        self.loop = loop
        try:
            loop.run_until_complete(self._startup())
        except BaseException as exc:  # report it to start(), do not die silently
            self._startup_error = exc
        self._ready.set()
        try:
            if self._startup_error is None:
                loop.run_forever()
        finally:
            self._cleanup(loop)

    async def _startup(self) -> None:
        self._aserver = await asyncio.start_server(self._client, sock=self.sock, limit=_MAX_HEAD)
        if self.lifespan:
            await self._lifespan_startup()

    def _cleanup(self, loop: asyncio.AbstractEventLoop) -> None:
        try:
            tasks = [t for t in asyncio.all_tasks(loop) if not t.done()]
            for t in tasks:
                t.cancel()
            if tasks:
                loop.run_until_complete(asyncio.wait(tasks, timeout=0.5))
            loop.run_until_complete(loop.shutdown_asyncgens())
        except Exception:
            pass
        finally:
            loop.close()

    def stop(self, timeout: float = 1.0) -> List[str]:
        """Stop the loop from outside; a loop blocked forever is abandoned on its daemon thread."""
        notes: List[str] = []
        self._closing = True
        blocks_running = self.watchdog is not None and self.watchdog.blocked_now()
        loop = self.loop
        if loop is not None and not loop.is_closed():
            if self.lifespan and self._lifespan_shutdown is not None and not blocks_running:
                fut = asyncio.run_coroutine_threadsafe(self._lifespan_stop(), loop)
                try:
                    fut.result(min(timeout, 0.5))
                except Exception:
                    fut.cancel()
            try:
                loop.call_soon_threadsafe(self._close_server)
                loop.call_soon_threadsafe(loop.stop)
            except RuntimeError:
                pass  # closed meanwhile
        if self.thread is not None:
            self.thread.join(timeout)
            if self.thread.is_alive():
                notes.append("event loop thread still blocked: abandoned (daemon thread)")
                self.sock.close()  # free the port even so
        if self.watchdog is not None:
            self.watchdog.stop()
        return notes

    def _close_server(self) -> None:
        if self._aserver is not None:
            self._aserver.close()

    def loop_blocks(self) -> List[LoopBlock]:
        return self.watchdog.snapshot() if self.watchdog is not None else []

    # --- lifespan ---

    async def _lifespan_startup(self) -> None:
        started = asyncio.Event()
        self._lifespan_shutdown = asyncio.Event()
        self._lifespan_done = asyncio.Event()
        outcome: Dict[str, Any] = {}
        sent_startup = False

        async def receive() -> Dict[str, Any]:
            nonlocal sent_startup
            if not sent_startup:
                sent_startup = True
                return {"type": "lifespan.startup"}
            assert self._lifespan_shutdown is not None
            await self._lifespan_shutdown.wait()
            return {"type": "lifespan.shutdown"}

        async def send(message: Dict[str, Any]) -> None:
            kind = message.get("type", "")
            if kind.startswith("lifespan.startup"):
                outcome["startup"] = kind
                started.set()
            elif kind.startswith("lifespan.shutdown") and self._lifespan_done is not None:
                self._lifespan_done.set()

        async def run() -> None:
            scope = {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.0"}, "state": self._state}
            try:
                await self.app(scope, receive, send)
            except BaseException:
                outcome.setdefault("startup", "unsupported")  # apps without lifespan raise here
            finally:
                started.set()
                if self._lifespan_done is not None:
                    self._lifespan_done.set()

        self._lifespan_task = asyncio.ensure_future(run())
        await started.wait()
        if outcome.get("startup") == "lifespan.startup.failed":
            raise RuntimeError("lifespan startup failed")

    async def _lifespan_stop(self) -> None:
        if self._lifespan_shutdown is None or self._lifespan_done is None:
            return
        self._lifespan_shutdown.set()
        await asyncio.wait_for(self._lifespan_done.wait(), 0.5)

    # --- HTTP ---

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = await self._read_request(reader)
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError, ValueError):
            writer.close()
            return
        if request is None:
            writer.close()
            return
        method, target, headers, body = request
        try:
            await self._serve(method, target, headers, body, writer)
        except HandlerAbandoned:
            pass  # abandoned by close(): already reported

    async def _read_request(
        self, reader: asyncio.StreamReader
    ) -> Optional[Tuple[str, str, List[Tuple[bytes, bytes]], bytes]]:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ")
        if len(parts) != 3:
            return None
        method, target, _version = parts
        headers: List[Tuple[bytes, bytes]] = []
        for line in lines[1:]:
            if not line:
                continue
            name, _, value = line.partition(":")
            headers.append((name.strip().lower().encode("latin-1"), value.strip().encode("latin-1")))
        found = dict(headers)
        body = b""
        if found.get(b"transfer-encoding", b"").lower() == b"chunked":
            chunks = []
            while True:
                size = int((await reader.readuntil(b"\r\n")).split(b";")[0].strip(), 16)
                if size == 0:
                    while (await reader.readuntil(b"\r\n")) != b"\r\n":
                        pass  # trailers
                    break
                chunks.append(await reader.readexactly(size))
                await reader.readexactly(2)
            body = b"".join(chunks)
        elif b"content-length" in found:
            body = await reader.readexactly(int(found[b"content-length"]))
        return method, target, headers, body

    async def _serve(
        self,
        method: str,
        target: str,
        headers: List[Tuple[bytes, bytes]],
        body: bytes,
        writer: asyncio.StreamWriter,
    ) -> None:
        path, _, query = target.partition("?")
        host, port = self.sock.getsockname()[:2] if self.sock.fileno() != -1 else ("127.0.0.1", 0)
        peer = writer.get_extra_info("peername") or ("127.0.0.1", 0)
        scope = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1",
            "method": method.upper(),
            "scheme": "http",
            "path": unquote(path),
            "raw_path": path.encode("latin-1"),
            "query_string": query.encode("latin-1"),
            "root_path": "",
            "headers": headers,
            "client": tuple(peer[:2]),
            "server": (host, port),
            "state": dict(self._state),
        }
        complete = asyncio.Event()
        started = False
        body_sent = False

        async def receive() -> Dict[str, Any]:
            nonlocal body_sent
            if not body_sent:
                body_sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            await complete.wait()
            return {"type": "http.disconnect"}

        async def send(message: Dict[str, Any]) -> None:
            nonlocal started
            kind = message.get("type")
            if kind == "http.response.start":
                started = True
                status = int(message.get("status", 200))
                try:
                    reason = http.HTTPStatus(status).phrase
                except ValueError:
                    reason = ""
                out = [f"HTTP/1.1 {status} {reason}\r\n".encode("latin-1")]
                for name, value in message.get("headers", []):
                    if bytes(name).lower() != b"connection":
                        out.append(bytes(name) + b": " + bytes(value) + b"\r\n")
                out.append(b"connection: close\r\n\r\n")
                writer.write(b"".join(out))
            elif kind == "http.response.body":
                writer.write(bytes(message.get("body", b"")))
                if not message.get("more_body", False):
                    complete.set()
                await writer.drain()

        call_id = dict(headers).get(CALL_HEADER.lower().encode("latin-1"))
        entry = self.server._enter(f"{method.upper()} {target}", task=asyncio.current_task(), conn=writer,
                                   call_id=call_id.decode("latin-1") if call_id else None)
        token = current_entry.set(entry)
        try:
            await self.app(scope, receive, send)
            if entry.cancel_delivered:
                entry.swallowed_cancel = True  # the handler returned normally after cancel(): HB602
        except asyncio.CancelledError:
            raise
        except Exception:
            if entry.cancel_delivered:
                entry.swallowed_cancel = True  # turned the cancellation into another outcome
            else:
                traceback.print_exc(file=sys.stderr)
            if not started:
                writer.write(b"HTTP/1.1 500 Internal Server Error\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
        finally:
            complete.set()
            try:
                if not self._closing and leaks.pending(entry):
                    await asyncio.sleep(self.server.leak_grace)  # tasks/threads about to finish
            finally:
                self.server._leave(entry)
                current_entry.reset(token)
                writer.close()

    # --- what is stuck ---

    def _current_request(self) -> str:
        loop = self.loop
        if loop is None:
            return ""
        try:
            task = asyncio.current_task(loop)
        except RuntimeError:
            return ""
        for entry in self.server._inflight.snapshot():
            if entry.task is task:
                return entry.request
        return ""

    def describe(self, entries: List[Entry]) -> List[StuckHandler]:
        out: List[StuckHandler] = []
        blocked = self.watchdog is not None and self.watchdog.blocked_now()
        current = None
        if blocked and self.loop is not None:
            try:
                current = asyncio.current_task(self.loop)
            except RuntimeError:
                current = None
        for entry in entries:
            task = entry.task
            if task is None:
                continue
            kind = "task"
            moving = False
            if task is current and self.thread is not None and self.thread.ident is not None:
                sample = sample_threads([self.thread.ident]).get(self.thread.ident)
                frames = sample.frames if sample else []
                moving = bool(sample and sample.moving)
                kind = "task (blocking the event loop)"
            elif getattr(task.get_coro(), "cr_running", False) and self.thread is not None:
                # running right now (between two awaits): its frames are on the loop thread
                frame = current_frames().get(self.thread.ident)  # type: ignore[arg-type]
                frames = thread_frames(frame) if frame is not None else coro_frames(task.get_coro())
                kind = "task (running)"
            else:
                frames = coro_frames(task.get_coro())
            where = describe(frames, moving, suspended=kind == "task")
            if (not where.has_user_code or where.state == "worker thread") and entry.workers:
                samples = sample_threads(list(entry.workers))
                for sample in samples.values():
                    worker = describe(sample.frames, sample.moving)
                    if worker.has_user_code:
                        if where.has_user_code:
                            worker.handler = where.handler  # the endpoint that handed it over
                        where, kind = worker, "thread (worker of the event loop)"
                        break
                    if where.has_user_code:  # to_thread(requests.get, ...): the line awaiting it,
                        where.state, where.timeout = worker.state, worker.timeout  # in the worker's state
                        where.stack += "  ... in the worker thread:\n" + worker.stack
                        kind = "task (awaiting a worker thread)"
                        break
            out.append(
                StuckHandler(
                    handler=where.handler, request=entry.request, elapsed=entry.elapsed(),
                    state=where.state, site=where.site, stack=where.stack, kind=kind,
                    timeout=where.timeout,
                )
            )
        return out

    def free(self, entries: List[Entry]) -> None:
        """Cancel stuck handler tasks (a handler that swallows it is reported) and hang up."""
        loop = self.loop
        if loop is None or loop.is_closed():
            return
        for entry in entries:
            if entry.task is None:
                continue
            entry.cancel_requested = True
            try:
                loop.call_soon_threadsafe(self._cancel, entry)
            except RuntimeError:
                return

    @staticmethod
    def _cancel(entry: Entry) -> None:
        # cancel() runs when the loop gets control: a handler that held the loop until it
        # returned never saw the cancellation, so it did not swallow it
        entry.cancel_delivered = bool(entry.task.cancel())
