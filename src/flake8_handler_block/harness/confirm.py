"""`confirm`: run the app and see whether a static finding really hangs or leaks at its line.

    python -m flake8_handler_block confirm app.py:20 --app app:app --route "POST /jobs"
    flake8 --select HB . | python -m flake8_handler_block confirm --from-flake8 - --app app:app

Each finding is confirmed in a child process with a hard timeout, so stuck threads and patches
die with it. The child serves the app with a TestServer (outbound connections redirected to a
BlackHole by default), sends the request several times - state-dependent hangs need it: a
bounded queue fills, a leaked lock blocks the next request - and reports what it observed. The
verdict comes only from that observation at the finding's file:line:

    confirmed       a handler was seen stuck (or a leak created, or the loop blocked) there,
                    in a state that matches the finding's code
    not-reproduced  the requests finished and nothing was seen at that line
    no-route        no route of the app runs that line (give --route)
    inconclusive    the harness cannot tell: the finding's rule has no run-time signature

Exit status: 0 when every finding asked about was confirmed, 1 when one was not reproduced (or
had no route), 2 on a usage error, 3 when none failed but at least one was inconclusive.

What a finding of each code looks like at run time is declared by its rule
(``runtime = Signature(...)``); `signatures()` reads that table in this process, and the child
gets it as plain data, so the child never imports the rules or libcst.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

from ..signature import Signature
from .matching import Table, infer, match, table_from_dict, table_to_dict

_RESULT = "HB-CONFIRM-RESULT "
_FLAKE8_LINE = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?:(?P<col>\d+):)?\s*(?P<code>[A-Z]+\d+)\s*(?P<msg>.*)$")
_LOCATION = re.compile(r"^(?P<file>.+?):(?P<line>\d+)(?::(?P<col>\d+))?$")
EXIT_CONFIRMED, EXIT_FAILED, EXIT_USAGE, EXIT_INCONCLUSIVE = 0, 1, 2, 3


def signatures() -> Dict[str, Signature]:
    """Every rule's run-time signature, by code (imports the rules, hence libcst: parent only)."""
    from ..rules import ALL_RULES

    table: Dict[str, Signature] = {}
    for rule in ALL_RULES:
        runtime = getattr(rule, "runtime", None)
        if isinstance(runtime, Signature):
            table[rule.code] = runtime
    return table

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
            "requests": self.requests,
        }


class UsageError(Exception):
    pass


# --- command line ---


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the confirm options and positionals to a (sub)parser."""
    parser.add_argument("findings", nargs="*", metavar="FILE:LINE",
                        help="a finding's location, as flake8 prints it (FILE:LINE or FILE:LINE:COL)")
    parser.add_argument("--app", required=True, metavar="MODULE:ATTR",
                        help="the app: module:attr or path/to/app.py:attr (attr() calls a factory); "
                             "a WSGI app, an ASGI app or a BaseHTTPRequestHandler subclass")
    parser.add_argument("--route", action="append", default=[], metavar='"METHOD /path"',
                        help="request to send (repeatable); default: the routes whose handler covers the line "
                             "(Flask url_map, Starlette routes)")
    parser.add_argument("--deadline", type=float, default=1.0, metavar="S",
                        help="seconds a request may take before its handler counts as stuck (default 1.0)")
    parser.add_argument("--outbound", choices=("blackhole", "passthrough"), default="blackhole",
                        help="blackhole: every outbound TCP connection a handler makes goes to a peer that "
                             "never answers, so a missing timeout hangs (default); passthrough: real network")
    parser.add_argument("--repeat", type=int, default=8, metavar="N",
                        help="requests per route at most; stops at the first observation (default 8)")
    parser.add_argument("--data", default=None, metavar="BODY",
                        help='request body for POST/PUT/PATCH (default "{}" as JSON)')
    parser.add_argument("--timeout", type=float, default=None, metavar="S",
                        help="hard timeout of each child process (default: from deadline and repeat)")
    parser.add_argument("--jobs", type=int, default=2, metavar="N",
                        help="findings confirmed in parallel (default 2)")
    parser.add_argument("--from-flake8", dest="from_flake8", default=None, metavar="FILE|-",
                        help="confirm every HB finding of a flake8 run (default format path:line:col: CODE msg)")
    parser.add_argument("--json", action="store_true", help="print the verdicts as a JSON array")


def _usage(message: str) -> int:
    print(f"confirm: error: {message}", file=sys.stderr)
    return 2


def _parse_location(text: str) -> Finding:
    found = _FLAKE8_LINE.match(text.strip())
    if found:
        return Finding(found["file"], int(found["line"]), found["code"], found["msg"])
    found = _LOCATION.match(text.strip())
    if not found:
        raise UsageError(f"a finding is FILE:LINE, not {text!r}")
    return Finding(found["file"], int(found["line"]))


def read_flake8(lines: Iterable[str]) -> Tuple[List[Finding], int]:
    """HB findings of flake8's default output, and how many other lines were skipped."""
    findings: List[Finding] = []
    skipped = 0
    for raw in lines:
        found = _FLAKE8_LINE.match(raw.rstrip("\n"))
        if not found:
            skipped += bool(raw.strip())
            continue
        if not found["code"].startswith("HB"):
            skipped += 1
            continue
        findings.append(Finding(found["file"], int(found["line"]), found["code"], found["msg"]))
    return findings, skipped


def run(args: argparse.Namespace) -> int:
    """Confirm the findings named by parsed arguments; print one line each; return the exit status."""
    try:
        findings = _collect(args)
        _check_app_spec(args.app)
        routes = [" ".join(_parse_route(r)) for r in args.route]
    except UsageError as exc:
        return _usage(str(exc))
    if args.deadline <= 0 or args.repeat < 1 or args.jobs < 1:
        return _usage("--deadline must be > 0, --repeat and --jobs >= 1")
    if not findings:
        print("confirm: no HB findings to confirm", file=sys.stderr)
        return 0
    for finding in findings:
        if not os.path.isfile(finding.file):
            return _usage(f"no such file: {finding.file}")
    table = signatures()
    jobs = min(args.jobs, len(findings))
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        results = list(pool.map(lambda f: _confirm_one(f, args, routes, table), findings))
    if any(f.verdict == "error" for f in results):
        for f in results:
            if f.verdict == "error":
                print(f"confirm: error: {f.detail}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps([f.to_dict() for f in results], indent=2))
    else:
        for f in results:
            print(f.output_line())
    sys.stdout.flush()
    return exit_status([f.verdict for f in results])


def exit_status(verdicts: Sequence[str]) -> int:
    """0 all confirmed; 1 any not reproduced or without a route; else 3 if any inconclusive."""
    if any(v in ("not-reproduced", "no-route") for v in verdicts):
        return EXIT_FAILED
    if any(v == "inconclusive" for v in verdicts):
        return EXIT_INCONCLUSIVE
    return EXIT_CONFIRMED


def _collect(args: argparse.Namespace) -> List[Finding]:
    findings = [_parse_location(text) for text in args.findings]
    if args.from_flake8 is not None:
        if args.from_flake8 == "-":
            extra, _ = read_flake8(sys.stdin)
        else:
            try:
                with open(args.from_flake8, encoding="utf-8") as fh:
                    extra, _ = read_flake8(fh)
            except OSError as exc:
                raise UsageError(f"cannot read {args.from_flake8}: {exc.strerror}") from None
        findings.extend(extra)
    elif not findings:
        raise UsageError("give FILE:LINE findings or --from-flake8 FILE|-")
    return findings


def _check_app_spec(spec: str) -> None:
    module, sep, attr = spec.rpartition(":")
    if not sep or not module or not attr:
        raise UsageError(f"--app is MODULE:ATTR (or path/to/app.py:ATTR), not {spec!r}")


def _parse_route(text: str) -> Tuple[str, str]:
    from .routes import parse_route

    try:
        return parse_route(text)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


# --- the parent: one child per finding ---


def _confirm_one(finding: Finding, args: argparse.Namespace, routes: List[str], table: Table) -> Finding:
    if finding.code:
        sig = table.get(finding.code)
        if sig is None or not sig.observable:
            finding.verdict = "inconclusive"
            finding.detail = f"{finding.code} has no run-time signature: running the app cannot confirm it"
            return finding
        table = {finding.code: sig}
    spec = {
        "app": args.app, "routes": routes, "file": os.path.abspath(finding.file), "line": finding.line,
        "code": finding.code, "deadline": args.deadline, "outbound": args.outbound,
        "repeat": args.repeat, "data": args.data, "signatures": table_to_dict(table),
    }
    hard = args.timeout or (15.0 + args.deadline * args.repeat * max(1, len(routes) or 2))
    outcome = _run_child(spec, hard)
    status = outcome.get("status")
    finding.routes = outcome.get("routes", [])
    finding.requests = outcome.get("requests", 0)
    if status == "error":
        finding.verdict, finding.detail = "error", outcome.get("detail", "child failed")
    elif status == "no-route":
        finding.verdict = "no-route"
        finding.detail = outcome.get("detail") or (
            f"no route of {args.app} runs {finding.location} (give --route \"METHOD /path\")"
        )
    elif status == "timeout":
        finding.verdict = "not-reproduced"
        finding.detail = f"child process still running after {hard:.0f}s: killed, nothing recorded"
    else:
        judge(finding, outcome, table)
    return finding


def _run_child(spec: Dict[str, Any], hard: float) -> Dict[str, Any]:
    cmd = [sys.executable, "-m", "flake8_handler_block.harness.confirm", "--child", json.dumps(spec)]
    popen_kw: Dict[str, Any] = {}
    if os.name == "posix":
        popen_kw["start_new_session"] = True  # the whole group dies: the app's subprocesses too
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen_kw)
    try:
        out, err = proc.communicate(timeout=hard)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        try:
            proc.communicate(timeout=5.0)
        except subprocess.TimeoutExpired:
            pass
        return {"status": "timeout"}
    finally:
        _kill_group(proc)
    for line in reversed(out.splitlines()):
        if line.startswith(_RESULT):
            return json.loads(line[len(_RESULT):])
    tail = " | ".join(err.strip().splitlines()[-3:])
    return {"status": "error", "detail": f"child process failed (exit {proc.returncode}): {tail}"}


def _kill_group(proc: "subprocess.Popen[str]") -> None:
    if os.name == "posix":
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError, OSError):
            pass
    elif proc.poll() is None:
        proc.kill()


# --- verdicts: matching what was observed with the finding's line ---


def judge(finding: Finding, outcome: Dict[str, Any], table: Table) -> None:
    """Set the verdict of a finding from the child's observation, and only from it."""
    from .report import report_from_dict

    report = report_from_dict(outcome.get("report", {}))
    routes = ", ".join(finding.routes) or "?"
    found = match(report, finding.file, finding.line, finding.code, table)
    if found is not None:
        kind, obs = found
        finding.verdict = "confirmed"
        finding.code = finding.code or infer(table, kind, obs, finding.file, finding.line)
        finding.detail = obs.line()[len("leak: "):] if kind == "leak" else obs.summary()
        finding.observed = {"kind": kind, **_as_dict(obs)}
        return
    finding.verdict = "not-reproduced"
    elsewhere = [f.line() for f in report.findings()]
    text = f"{finding.requests} request(s) to {routes}: nothing stuck, blocked or leaked at {finding.location}"
    if elsewhere:
        text += "; observed elsewhere: " + "; ".join(elsewhere[:3])
    finding.detail = text


def _as_dict(obs: Any) -> Dict[str, Any]:
    from dataclasses import asdict

    return asdict(obs)


# --- the child: serve the app, send the requests, report ---


def _load_app(spec: str) -> Any:
    import importlib
    import importlib.util

    module_name, _, attr = spec.rpartition(":")
    if module_name.endswith(".py") or os.sep in module_name or "/" in module_name:
        path = os.path.abspath(module_name)
        sys.path.insert(0, os.path.dirname(path))
        name = os.path.splitext(os.path.basename(path))[0]
        loader_spec = importlib.util.spec_from_file_location(name, path)
        if loader_spec is None or loader_spec.loader is None:
            raise ImportError(f"cannot load {path}")
        module = importlib.util.module_from_spec(loader_spec)
        sys.modules[name] = module
        loader_spec.loader.exec_module(module)
    else:
        if "" not in sys.path and os.getcwd() not in sys.path:
            sys.path.insert(0, os.getcwd())
        module = importlib.import_module(module_name)
    call = attr.endswith("()")
    obj: Any = module
    for part in attr[:-2].split(".") if call else attr.split("."):
        obj = getattr(obj, part)
    return obj() if call else obj


def _child(spec: Dict[str, Any]) -> Dict[str, Any]:
    from .report import Report
    from .routes import discover, parse_route
    from .server import TestServer

    try:
        app = _load_app(spec["app"])
    except Exception as exc:  # the user's app or spec: a usage error upstream
        return {"status": "error", "detail": f"cannot import {spec['app']}: {type(exc).__name__}: {exc}"}
    file, line, code = spec["file"], spec["line"], spec.get("code")
    table = table_from_dict(spec.get("signatures", {}))
    if spec["routes"]:
        routes = [parse_route(r) for r in spec["routes"]]
    else:
        routes, how = discover(app, file, line)
        if not routes:
            return {"status": "no-route",
                    "detail": f"no route of {spec['app']} ({how}) has a handler covering "
                              f"{os.path.relpath(file)}:{line} (give --route \"METHOD /path\")"}
    deadline = float(spec["deadline"])
    body = spec.get("data")
    server = TestServer(app, outbound=spec["outbound"], deadline=deadline)
    server.start()
    sent = 0
    stuck = False
    try:
        for method, path in routes:
            for _ in range(int(spec["repeat"])):
                data = None
                headers = {}
                if method in ("POST", "PUT", "PATCH"):
                    data = (body if body is not None else "{}").encode()
                    headers["Content-Type"] = "application/json"
                call = server.fire(method, path, data, headers, timeout=deadline + 60)
                sent += 1
                done = call.wait(deadline)
                if not done or server.wait_idle(max(0.0, deadline - 0.05)):
                    stuck = True
                    break
                seen = Report(stuck=[], leaks=server.leaks(), loop_blocks=server.loop_blocks())
                if match(seen, file, line, code, table) is not None:
                    break
            if stuck:
                break
    finally:
        report = server.close(0.0 if stuck else deadline)
    return {"status": "ok", "routes": [f"{m} {p}" for m, p in routes], "requests": sent,
            "report": report.to_dict()}


def main(argv: Optional[Sequence[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--child"] and len(argv) == 2:
        result = _child(json.loads(argv[1]))
        sys.stdout.write(_RESULT + json.dumps(result) + "\n")
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)  # stuck daemon threads, non-daemon leaks: the process ends here regardless
    parser = argparse.ArgumentParser(
        prog="python -m flake8_handler_block.harness.confirm",
        description="Confirm flake8-handler-block findings by running the app.",
    )
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
