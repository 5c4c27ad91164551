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

Exit status: 0 when every finding asked about was confirmed, 1 when one was not, 2 on a usage
error.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

_RESULT = "HB-CONFIRM-RESULT "
_FLAKE8_LINE = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?:(?P<col>\d+):)?\s*(?P<code>[A-Z]+\d+)\s*(?P<msg>.*)$")
_LOCATION = re.compile(r"^(?P<file>.+?):(?P<line>\d+)(?::(?P<col>\d+))?$")

# What a finding of each code looks like at run time: states of a stuck handler / loop block,
# or kinds of leak.
_SOCKET = {"socket read", "socket connect", "tls handshake", "socket wait (select)", "socket write"}
_WAITS = {
    "event wait", "condition wait", "thread join", "queue get: empty", "future result",
    "future wait", "barrier wait", "pool result", "process join", "semaphore acquire", "task wait",
    "worker thread",
}
_STATES: Dict[str, Optional[set]] = {
    "HB201": _SOCKET, "HB202": _SOCKET, "HB203": _SOCKET,
    "HB204": {"subprocess wait"},
    "HB205": _WAITS,
    "HB301": {"queue put: full"},
    "HB303": {"queue join"},
    "HB304": None,  # any state inside the loop: a busy loop, or a sleep in a polling loop
    "HB401": None, "HB402": None, "HB404": None,
    "HB403": {"lock acquire", "semaphore acquire"},
    "HB601": None,  # any state, when it blocks the event loop
    "HB602": None,  # any state, when the handler swallowed or ignored its cancellation
}
_LEAKS: Dict[str, set] = {
    "HB101": {"response"}, "HB102": {"response"}, "HB103": {"client", "response"},
    "HB501": {"thread"}, "HB502": {"task"}, "HB503": {"server", "thread"}, "HB504": {"executor", "thread"},
}


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
    jobs = min(args.jobs, len(findings))
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        results = list(pool.map(lambda f: _confirm_one(f, args, routes), findings))
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
    return 0 if all(f.verdict == "confirmed" for f in results) else 1


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


def _confirm_one(finding: Finding, args: argparse.Namespace, routes: List[str]) -> Finding:
    spec = {
        "app": args.app, "routes": routes, "file": os.path.abspath(finding.file), "line": finding.line,
        "code": finding.code, "deadline": args.deadline, "outbound": args.outbound,
        "repeat": args.repeat, "data": args.data,
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
        judge(finding, outcome)
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


@lru_cache(maxsize=64)
def _tree(path: str) -> Optional[ast.AST]:
    try:
        with open(path, "rb") as fh:
            return ast.parse(fh.read())
    except (OSError, SyntaxError, ValueError):
        return None


def _span(path: str, line: int) -> Tuple[int, int]:
    """Lines of the innermost statement at `line` (for a compound statement: its header)."""
    tree = _tree(path)
    best: Optional[Tuple[int, int]] = None
    if tree is None:
        return (line, line)
    for node in ast.walk(tree):
        if not isinstance(node, ast.stmt):
            continue
        start = getattr(node, "lineno", None)
        end = getattr(node, "end_lineno", None) or start
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.stmt):
            first = body[0].lineno
            if hasattr(node, "decorator_list") and node.decorator_list:
                start = min(d.lineno for d in node.decorator_list)
            end = max(start, first - 1)
        if start is not None and start <= line <= end:
            if best is None or end - start <= best[1] - best[0]:
                best = (start, end)
    return best or (line, line)


def _enclosing(path: str, line: int, kinds: Tuple[type, ...]) -> Optional[Tuple[int, int]]:
    """Full span of the innermost statement of `kinds` that starts at `line` (or has a handler there)."""
    tree = _tree(path)
    if tree is None:
        return None
    found: Optional[Tuple[int, int]] = None
    for node in ast.walk(tree):
        if isinstance(node, kinds):
            lines = {node.lineno} | {h.lineno for h in getattr(node, "handlers", [])}
            if line in lines:
                span = (node.lineno, node.end_lineno or node.lineno)
                if found is None or span[1] - span[0] < found[1] - found[0]:
                    found = span
    return found


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.realpath(a) == os.path.realpath(b)
    except (OSError, ValueError):
        return False


def _at_line(site: Any, file: str, line: int, code: Optional[str], cancelled: bool = False) -> bool:
    if site is None or not _same_file(site.file, file):
        return False
    if site.line == line or _span(file, site.line) == _span(file, line):
        return True
    loop_kinds: Tuple[type, ...] = (ast.While, ast.For, ast.AsyncFor)
    if code in (None, "HB304"):
        loop = _enclosing(file, line, loop_kinds)
        if loop is not None and loop[0] <= site.line <= loop[1]:
            return True
    if code == "HB602" or (code is None and cancelled):  # the except clause that swallowed it
        tries = tuple(t for t in (getattr(ast, "Try", None), getattr(ast, "TryStar", None)) if t)
        block = _enclosing(file, line, tries)
        if block is not None and block[0] <= site.line <= block[1]:
            return True
    return False


def _code_for(kind: str, obs: Any, file: str, line: int) -> str:
    """The finding code an observation stands for (when the finding came without one)."""
    if kind == "leak":
        return {
            "thread": "HB501", "task": "HB502", "server": "HB503", "executor": "HB504", "client": "HB103",
            "response": "HB102" if obs.what.startswith("http.client") else "HB101",
        }.get(obs.kind, "")
    if kind == "block":
        return "HB601"
    state = obs.state
    if "cancel" in obs.note:
        return "HB602"
    if "blocking the event loop" in obs.kind:
        return "HB601"
    if _enclosing(file, line, (ast.While, ast.For, ast.AsyncFor)) is not None or state == "busy loop":
        return "HB304"
    if state in _SOCKET:
        if "/requests/" in obs.stack:
            return "HB201"
        return "HB203" if ("/httpx/" in obs.stack or "/urllib3/" in obs.stack) else "HB202"
    return {
        "queue put: full": "HB301", "queue join": "HB303", "lock acquire": "HB403",
        "semaphore acquire": "HB403", "subprocess wait": "HB204",
    }.get(state, "HB205" if state in _WAITS else "")


def _compatible(code: Optional[str], kind: str, obs: Any) -> bool:
    if code is None or (code not in _STATES and code not in _LEAKS):
        return True
    if kind == "leak":
        return obs.kind in _LEAKS.get(code, set())
    if code not in _STATES:
        return False
    if code == "HB601":
        return kind == "block" or "blocking the event loop" in obs.kind
    if code == "HB602":
        return kind == "stuck" and "cancel" in obs.note
    states = _STATES[code]
    return states is None or obs.state in states


def match(report: Any, file: str, line: int, code: Optional[str]) -> Optional[Tuple[str, Any]]:
    """The first observation at file:line that fits the code: ("stuck"|"block"|"leak", obj)."""
    if code == "HB304" and _enclosing(file, line, (ast.While, ast.For, ast.AsyncFor)) is None:
        return None  # a loop with no exit is observed inside a loop that starts at that line
    for kind, items in (("stuck", report.stuck), ("block", report.loop_blocks), ("leak", report.leaks)):
        for obs in items:
            sites = [obs.site, *getattr(obs, "also", [])]
            cancelled = "cancel" in getattr(obs, "note", "")
            if any(_at_line(s, file, line, code, cancelled) for s in sites) and _compatible(code, kind, obs):
                return kind, obs
    return None


def judge(finding: Finding, outcome: Dict[str, Any]) -> None:
    """Set the verdict of a finding from the child's observation, and only from it."""
    from .report import report_from_dict

    report = report_from_dict(outcome.get("report", {}))
    routes = ", ".join(finding.routes) or "?"
    found = match(report, finding.file, finding.line, finding.code)
    if found is not None:
        kind, obs = found
        finding.verdict = "confirmed"
        finding.code = finding.code or _code_for(kind, obs, finding.file, finding.line) or None
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
                if match(seen, file, line, code) is not None:
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
