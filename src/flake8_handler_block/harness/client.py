"""A small HTTP client for tests and confirm: requests sent from harness threads.

The caller never waits on a stuck handler: `fire()` returns a `Call` at once, and `Call.wait()`
takes a timeout.
"""

from __future__ import annotations

import http.client
import itertools
import threading
import time
from typing import Dict, Optional, Tuple

CALL_HEADER = "X-HB-Call"  # lets the server tie a handler call to the Call that sent it
_call_ids = itertools.count(1)


class Call:
    """A request sent from a harness thread, so the caller never waits on a stuck handler."""

    def __init__(self, method: str = "GET", path: str = "/") -> None:
        self.id = str(next(_call_ids))
        self.method, self.path = method, path
        self.sent = time.monotonic()
        self.status: Optional[int] = None
        self.headers: Dict[str, str] = {}
        self.body: bytes = b""
        self.error: Optional[BaseException] = None
        self._done = threading.Event()

    @property
    def done(self) -> bool:
        return self._done.is_set()

    def wait(self, timeout: float) -> bool:
        return self._done.wait(timeout)

    def __repr__(self) -> str:
        state = self.status if self.done else "pending"
        return f"<Call {state}{' ' + repr(self.error) if self.error else ''}>"


def fire(address: Tuple[str, int], method: str = "GET", path: str = "/", body: Optional[bytes] = None,
         headers: Optional[Dict[str, str]] = None, timeout: float = 30.0, call: Optional[Call] = None) -> Call:
    """Send a request from a daemon harness thread and return its Call at once.

    ``call``: one made beforehand, so the caller can note its id before the server may see it.
    """
    call = call if call is not None else Call(method, path)
    headers = {CALL_HEADER: call.id, **(headers or {})}
    thread = threading.Thread(
        target=_send, args=(call, address, method, path, body, headers, timeout),
        name="hb-client", daemon=True,
    )
    thread._hb_internal = True  # type: ignore[attr-defined]
    thread.start()
    return call


def _send(call: Call, address: Tuple[str, int], method: str, path: str, body: Optional[bytes],
          headers: Dict[str, str], timeout: float) -> None:
    conn = http.client.HTTPConnection(address[0], address[1], timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        try:
            call.body = resp.read()
        finally:
            resp.close()
        call.status = resp.status
        call.headers = {k.lower(): v for k, v in resp.getheaders()}
    except BaseException as exc:  # connection reset by a hang-up, timeout: report, never raise
        call.error = exc
    finally:
        conn.close()
        call._done.set()
