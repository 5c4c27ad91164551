"""Process-wide instrumentation, installed while at least one server or test scope is active.

The patches only record (or redirect) when a request or test scope is current, so code running
outside the harness behaves as before. Modules imported later (httpx, urllib3) are patched the
next time `refresh()` runs, which every request does.
"""

from __future__ import annotations

import sys
import threading
from typing import Any, Callable, Dict, List, Tuple

# module name -> installer(patcher); "" means always installable
_INSTALLERS: List[Tuple[str, Callable[["Patcher"], None]]] = []
_lock = threading.RLock()
_users = 0
_patcher: "Patcher | None" = None


class Patcher:
    """Replaces attributes and restores them exactly (also when they were inherited)."""

    def __init__(self) -> None:
        self._saved: List[Tuple[Any, str, bool, Any]] = []
        self.done: Dict[int, bool] = {}

    def wrap(self, owner: Any, name: str, make: Callable[[Any], Any]) -> None:
        original = getattr(owner, name)
        own = name in getattr(owner, "__dict__", {})
        setattr(owner, name, make(original))
        self._saved.append((owner, name, own, original))

    def restore(self) -> None:
        for owner, name, own, original in reversed(self._saved):
            if own:
                setattr(owner, name, original)
            else:
                try:
                    delattr(owner, name)
                except AttributeError:
                    pass
        self._saved.clear()


def register(module: str, installer: Callable[[Patcher], None]) -> None:
    """Declare an installer that needs `module` imported (or "" for none)."""
    with _lock:
        _INSTALLERS.append((module, installer))
        if _patcher is not None:
            _run_pending(_patcher)


def _run_pending(patcher: Patcher) -> None:
    for index, (module, installer) in enumerate(_INSTALLERS):
        if patcher.done.get(index):
            continue
        if module and module not in sys.modules:
            continue
        patcher.done[index] = True
        try:
            installer(patcher)
        except Exception:  # a library whose internals moved: track less, never break the app
            pass


def acquire() -> None:
    global _users, _patcher
    with _lock:
        _users += 1
        if _patcher is None:
            _patcher = Patcher()
        _run_pending(_patcher)


def refresh() -> None:
    if _patcher is None or len(_patcher.done) == len(_INSTALLERS):
        return
    with _lock:
        if _patcher is not None:
            _run_pending(_patcher)


def release() -> None:
    global _users, _patcher
    with _lock:
        _users = max(0, _users - 1)
        if _users == 0 and _patcher is not None:
            _patcher.restore()
            _patcher = None


def active() -> bool:
    return _patcher is not None
