"""Does the call a handler is parked in have a timeout of its own? Read it from the live frames.

A handler past the harness's deadline is not necessarily waiting forever: `requests.get(url,
timeout=(3.05, 10))` sits in a socket read for up to 10 s. Before a missing-timeout finding is
confirmed, the frames below the user's line are asked, innermost first: the socket being read
(its `gettimeout()`), a `timeout` argument of a library wait (`Condition.wait`, `Popen.wait`,
httpcore's `read(max_bytes, timeout)`), or a client's timeout object (`httpx.Timeout`,
`aiohttp.ClientTimeout`, urllib3's `Timeout`). The first frame that says something decides.
"""

from __future__ import annotations

import ast
import linecache
import socket
from types import FrameType
from typing import Any, Optional, Sequence, Tuple

from .stacks import qualname

# Attributes of client timeout objects that bound a wait for data, in the order they are read.
_READ_FIELDS = ("read", "read_timeout", "sock_read", "total", "_read", "connect_timeout")


def _seconds(value: Any) -> Optional[float]:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    return None


def _timeout_object(value: Any) -> Tuple[bool, str]:
    """(decided, text) for a `timeout` value: a number, None, a tuple, or a client's Timeout."""
    if value is None:
        return True, ""
    number = _seconds(value)
    if number is not None:
        return True, f"{number:.3g}s"
    if isinstance(value, tuple) and value:
        parts = [_seconds(v) for v in value]
        return True, f"{value!r}" if any(p is not None for p in parts) else ""
    for name in _READ_FIELDS:
        if hasattr(value, name):
            read = getattr(value, name, None)
            if callable(read):
                continue
            number = _seconds(read)
            if number is not None:
                return True, f"{type(value).__name__}({name}={number:.3g})"
    if any(hasattr(value, name) for name in _READ_FIELDS):
        return True, ""  # a timeout object whose fields are all None: no limit
    return False, ""


def _socket_of(obj: Any) -> Optional[socket.socket]:
    if isinstance(obj, socket.socket):
        return obj
    inner = getattr(obj, "_sock", None)  # socket.SocketIO, httpcore's SyncStream
    if isinstance(inner, socket.socket):
        return inner
    return None


def _from_frame(frame: FrameType) -> Tuple[bool, str]:
    local = frame.f_locals
    for name in ("self", "sock", "conn"):
        sock = _socket_of(local.get(name))
        if sock is not None:
            try:
                limit = sock.gettimeout()
            except OSError:
                continue
            where = qualname(frame.f_code)
            return True, "" if limit is None else f"socket timeout {limit:.3g}s (in {where})"
    for name in ("timeout", "_timeout"):
        if name in local:
            decided, text = _timeout_object(local[name])
            if decided:
                return True, f"{name}={text} (in {qualname(frame.f_code)})" if text else ""
    return False, ""


def _receiver_of_call(frame: FrameType) -> Any:
    """The object whose method the user's line calls into C (`conn.recv(...)` -> conn), if simple."""
    text = linecache.getline(frame.f_code.co_filename, frame.f_lineno or 0).strip().replace("await ", "")
    try:
        tree = ast.parse(text if not text.endswith(":") else text + "\n  pass")
    except SyntaxError:
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            value = node.func.value
            if isinstance(value, ast.Name):
                return frame.f_locals.get(value.id, frame.f_globals.get(value.id))
    return None


def own_timeout(frames: Sequence[FrameType], user: Optional[int]) -> str:
    """The timeout the parked call waits within ("socket timeout 10s (in SocketIO.readinto)"), or ""."""
    start = 0 if user is None else user + 1  # no user frame: a worker running a library call
    for frame in reversed(frames[start:]):
        decided, text = _from_frame(frame)
        if decided:
            return text
    if user is not None and user == len(frames) - 1:  # the user's line calls into C: ask the receiver
        sock = _socket_of(_receiver_of_call(frames[user]))
        if sock is not None:
            try:
                limit = sock.gettimeout()
            except OSError:
                return ""
            return "" if limit is None else f"socket timeout {limit:.3g}s"
    return ""
