"""Runtime harness: serve an app on loopback and name the line a stuck handler is parked on.

Imports are lazy so that importing the pytest plugin (and this package) stays cheap.

    from flake8_handler_block.harness import TestServer, BlackHole

    with TestServer(app, outbound="blackhole") as srv:
        srv.fire("POST", "/jobs")
    print(srv.last_report)          # or: report = srv.close(deadline=1.0)
"""

from __future__ import annotations

from typing import Any

_EXPORTS = {
    "TestServer": "server",
    "HandlerAbandoned": "server",
    "Call": "server",
    "BlackHole": "blackhole",
    "Report": "report",
    "StuckHandler": "report",
    "Leak": "report",
    "LoopBlock": "report",
    "Site": "report",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list:
    return sorted(set(globals()) | set(_EXPORTS))
