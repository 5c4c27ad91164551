"""Turn what a confirmation child observed into a finding's verdict, and only that.

    confirmed       a handler was seen stuck (or a leak created, or the loop blocked) at the
                    finding's lines, in a state its rule's signature names; for HB401/HB402 the
                    line's function left by an exception and a wait()/join() stayed stuck
    not-reproduced  the finding's lines ran and nothing of that shape happened there (a call
                    that waited within its own timeout is named here)
    no-route        no route of the app runs the line
    inconclusive    nothing could be observed: the rule has no run-time signature, the line
                    never ran (with the statuses the requests got), the app did not import, hung
                    at import, is a factory given without (), or the child ran out of time
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Dict, List, Optional

from .child import statuses_text
from .matching import Table, consequence, infer, match, timed_at_line
from .report import report_from_dict

VERDICTS = ("confirmed", "not-reproduced", "no-route", "inconclusive")


@dataclass
class Finding:
    file: str
    line: int
    code: Optional[str] = None
    message: str = ""
    verdict: str = ""
    detail: str = ""
    observed: Dict[str, Any] = field(default_factory=dict)
    routes: List[str] = field(default_factory=list)
    requests: int = 0
    statuses: List[str] = field(default_factory=list)

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}"

    def output_line(self) -> str:
        code = f" {self.code}" if self.code else ""
        return f"{self.location}{code} {self.verdict}: {self.detail}"

    def to_dict(self) -> Dict[str, Any]:
        return {
            "file": self.file, "line": self.line, "code": self.code, "verdict": self.verdict,
            "detail": self.detail, "observed": self.observed, "routes": self.routes,
            "requests": self.requests, "statuses": self.statuses,
        }


def judge(finding: Finding, outcome: Dict[str, Any], table: Table) -> None:
    """Set the verdict of a finding from the child's observation."""
    status = outcome.get("status")
    if status in ("inconclusive", "no-route"):
        finding.verdict, finding.detail = str(status), outcome.get("detail", "")
        return
    finding.routes = outcome.get("routes", [])
    finding.requests = outcome.get("requests", 0)
    finding.statuses = outcome.get("statuses", [])
    report = report_from_dict(outcome.get("report", {}))
    sig = table.get(finding.code) if finding.code else None
    found = match(report, finding.file, finding.line, finding.code, table)
    if found is not None:
        kind, obs = found
        finding.verdict = "confirmed"
        finding.code = finding.code or infer(table, kind, obs, finding.file, finding.line)
        finding.detail = obs.line()[len("leak: "):] if kind == "leak" else obs.summary()
        finding.observed = {"kind": kind, **asdict(obs)}
        return
    skipped: List[str] = outcome.get("skipped", [])
    waits = consequence(report, table) if skipped else None
    if waits is not None:
        finding.verdict, finding.code = "confirmed", finding.code or waits[0]
        finding.detail = (f"line {finding.line} skipped: its function raised {skipped[0]}; "
                          f"the wait it leaves stuck: {waits[1].summary()}")
        finding.observed = {"kind": "stuck", "skipped": skipped, **asdict(waits[1])}
        return
    sent = f"{finding.requests} request(s) to {', '.join(finding.routes) or '?'}"
    answers = statuses_text(finding.statuses)
    timed = timed_at_line(report, finding.file, finding.line, [sig] if sig is not None else list(table.values()))
    if timed is not None:
        finding.verdict = "not-reproduced"
        finding.detail = f"the call has a timeout of its own, not a missing one: {timed.summary()}"
        return
    ran = outcome.get("line_runs", 0) > 0 or outcome.get("module_level", False) or bool(skipped)
    if not ran:
        finding.verdict = "inconclusive"
        finding.detail = f"{finding.location} never ran: {sent} answered {answers or 'nothing'}"
        _quote_elsewhere(finding, report)
        return
    finding.verdict = "not-reproduced"
    finding.detail = f"{sent} (answered {answers}): nothing stuck, blocked or leaked at {finding.location}"
    _quote_elsewhere(finding, report)


def _quote_elsewhere(finding: Finding, report: Any) -> None:
    elsewhere = [f.line() for f in report.findings()]
    if elsewhere:
        finding.detail += "; observed elsewhere: " + "; ".join(elsewhere[:3])
