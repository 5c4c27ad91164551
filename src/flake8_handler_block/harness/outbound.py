"""Point every outbound TCP connection a handler makes at a BlackHole.

A missing timeout only shows when the peer stalls. While a request of a server in "blackhole"
mode is current, `socket.socket.connect` goes to the hole instead of the real address, and host
names resolve to loopback without DNS (so `https://api.example.com` reaches the hole too, and
stalls in the TLS handshake). Connections made outside a request are untouched, which keeps
test clients talking to the server itself.
"""

from __future__ import annotations

import functools
import ipaddress
import socket
from typing import Any, Callable, Optional, Tuple

from . import patches
from .inflight import current_entry

MODES = ("passthrough", "blackhole")


def _target() -> Optional[Tuple[str, int]]:
    entry = current_entry.get()
    if entry is None or entry.owner is None:
        return None
    return getattr(entry.owner, "outbound_address", None)


def _redirect(sock: socket.socket, address: Any) -> Any:
    target = _target()
    if target is None or sock.family not in (socket.AF_INET, socket.AF_INET6):
        return address
    if sock.type != socket.SOCK_STREAM or not isinstance(address, tuple):
        return address
    if tuple(address[:2]) == target:
        return address
    entry = current_entry.get()
    if entry is not None:
        entry.outbound.append((tuple(address[:2]), target))
    if sock.family == socket.AF_INET6:
        return ("::ffff:" + target[0], target[1], 0, 0)
    return target


def _is_numeric(host: Any) -> bool:
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if host is None:
        return True
    try:
        ipaddress.ip_address(str(host).split("%")[0])
        return True
    except ValueError:
        return False


def _fake_addrinfo(port: Any) -> list:
    try:
        number = int(port or 0)
    except (TypeError, ValueError):
        number = {"http": 80, "https": 443}.get(str(port), 0)
    return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", ("127.0.0.1", number))]


def _wants_fake(host: Any, type_: int) -> bool:
    return _target() is not None and not _is_numeric(host) and type_ in (0, socket.SOCK_STREAM)


def _install(p: patches.Patcher) -> None:
    def make_connect(original: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(original)
        def connect(self: socket.socket, address: Any) -> Any:
            return original(self, _redirect(self, address))

        return connect

    p.wrap(socket.socket, "connect", make_connect)
    p.wrap(socket.socket, "connect_ex", make_connect)

    def make_gai(original: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(original)
        def getaddrinfo(host: Any, port: Any, family: int = 0, type: int = 0, *args: Any, **kw: Any) -> Any:
            if _wants_fake(host, type or kw.get("type", 0)):
                return _fake_addrinfo(port)
            return original(host, port, family, type, *args, **kw)

        return getaddrinfo

    p.wrap(socket, "getaddrinfo", make_gai)

    import asyncio.base_events as base_events

    def make_loop_gai(original: Callable[..., Any]) -> Callable[..., Any]:
        # asyncio resolves in an executor thread, where the request context is not visible
        async def getaddrinfo(self: Any, host: Any, port: Any, *, family: int = 0, type: int = 0,
                              proto: int = 0, flags: int = 0) -> Any:
            if _wants_fake(host, type):
                return _fake_addrinfo(port)
            return await original(self, host, port, family=family, type=type, proto=proto, flags=flags)

        return getaddrinfo

    p.wrap(base_events.BaseEventLoop, "getaddrinfo", make_loop_gai)


patches.register("", _install)
