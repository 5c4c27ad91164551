"""What the harness observed: stuck handlers, leaks and event-loop blocks, as plain data.

Every finding has a one-line form (for test failures and the confirm CLI) and a detail form
(the full stack), and converts to a dict for JSON output.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from typing import Any, Dict, List, Optional


def display_path(path: str) -> str:
    """A path relative to the working directory when it lies under it, else as given."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return path
    return path if rel.startswith("..") else rel


@dataclass(frozen=True)
class Site:
    """A line of user code: where a handler is parked, or where a resource was created."""

    file: str
    line: int
    func: str
    source: str

    def short(self) -> str:
        text = f"{display_path(self.file)}:{self.line} in {self.func}"
        return f"{text}: {self.source}" if self.source else text


@dataclass
class StuckHandler:
    """A handler still in flight when the deadline passed."""

    handler: str  # the outermost user function on the handler's stack ("?" if none)
    request: str  # "POST /jobs"
    elapsed: float  # seconds since the handler was entered, when sampled
    state: str  # "queue put: full", "socket read", "busy loop", ...
    site: Optional[Site]  # innermost user frame; None when no user code is on the stack
    stack: str  # the full stack, formatted like a traceback
    kind: str = "thread"  # "thread" or "task"
    note: str = ""  # e.g. "ignored cancellation", "abandoned: parked in C"
    timeout: str = ""  # the parked call's own timeout ("socket timeout 10s ..."); "" when it has none

    def summary(self) -> str:
        where = f"at {self.site.short()}" if self.site else "outside user code"
        state = f"{self.state}, within {self.timeout}" if self.timeout else self.state
        text = f"handler '{self.handler}' stuck {self.elapsed:.2f}s {where} [{state}]"
        return f"{text} ({self.note})" if self.note else text

    def line(self) -> str:
        return f"{self.summary()} during {self.request}"


@dataclass
class Leak:
    """Something a request started or opened and left behind when it returned."""

    kind: str  # thread, task, response, client, server, executor, process, queue
    what: str  # "thread 'Thread-3' (daemon)", "http.client.HTTPResponse", ...
    status: str  # "still running", "left open", "collected while open", "still serving"
    request: str  # the request that created it ("" for test scope)
    site: Optional[Site]  # where it was created or started
    stack: str = ""  # the creation stack
    also: List[Site] = field(default_factory=list)  # other lines that made it (Thread() vs start())

    def summary(self) -> str:
        verb = "started" if self.kind in ("thread", "server", "process") else "created"
        where = f" {verb} at {self.site.short()}" if self.site else ""
        return f"{self.what}{where} {self.status}"

    def line(self) -> str:
        after = f" after {self.request}" if self.request else ""
        return f"leak: {self.summary()}{after}"


@dataclass
class LoopBlock:
    """The event loop did not run for `duration` seconds because a handler called blocking code."""

    duration: float
    state: str
    site: Optional[Site]
    request: str
    stack: str
    ongoing: bool = False  # still blocked when the report was made

    def summary(self) -> str:
        where = f"at {self.site.short()}" if self.site else "outside user code"
        more = "+" if self.ongoing else ""
        return f"event loop blocked {self.duration:.2f}s{more} {where} [{self.state}]"

    def line(self) -> str:
        during = f" during {self.request}" if self.request else ""
        return f"{self.summary()}{during}"


@dataclass
class Report:
    """Everything one TestServer saw; `ok` is True when there is nothing to report."""

    url: str = ""
    requests: int = 0  # handler calls entered
    stuck: List[StuckHandler] = field(default_factory=list)
    leaks: List[Leak] = field(default_factory=list)
    loop_blocks: List[LoopBlock] = field(default_factory=list)
    notes: List[str] = field(default_factory=list)  # harness remarks, never findings

    @property
    def ok(self) -> bool:
        return not (self.stuck or self.leaks or self.loop_blocks)

    def findings(self) -> List[Any]:
        return [*self.stuck, *self.loop_blocks, *self.leaks]

    def lines(self) -> List[str]:
        """One line per finding."""
        return [f.line() for f in self.findings()]

    def details(self) -> str:
        """Every finding with its full stack, for a report section or a log."""
        parts: List[str] = []
        for f in self.findings():
            parts.append(f.line())
            if f.stack:
                parts.append("    " + f.stack.rstrip().replace("\n", "\n    "))
            parts.append("")
        parts.extend(f"note: {n}" for n in self.notes)
        return "\n".join(parts).rstrip() + "\n" if parts else ""

    def merge(self, other: "Report") -> "Report":
        self.requests += other.requests
        self.stuck.extend(other.stuck)
        self.leaks.extend(other.leaks)
        self.loop_blocks.extend(other.loop_blocks)
        self.notes.extend(other.notes)
        return self

    def to_dict(self) -> Dict[str, Any]:
        data = asdict(self)
        data["ok"] = self.ok
        return data

    def __str__(self) -> str:
        if self.ok:
            return f"{self.url or 'server'}: clean ({self.requests} requests)"
        return "\n".join(self.lines())


def site_from_dict(data: Optional[Dict[str, Any]]) -> Optional[Site]:
    return Site(**data) if data else None


def report_from_dict(data: Dict[str, Any]) -> Report:
    """The inverse of Report.to_dict() (for reports that crossed a process boundary)."""
    stuck = [StuckHandler(**{**d, "site": site_from_dict(d.get("site"))}) for d in data.get("stuck", [])]
    leaks = [
        Leak(**{**d, "site": site_from_dict(d.get("site")),
                "also": [Site(**a) for a in d.get("also", [])]})
        for d in data.get("leaks", [])
    ]
    blocks = [LoopBlock(**{**d, "site": site_from_dict(d.get("site"))}) for d in data.get("loop_blocks", [])]
    return Report(url=data.get("url", ""), requests=data.get("requests", 0), stuck=stuck, leaks=leaks,
                  loop_blocks=blocks, notes=list(data.get("notes", [])))
