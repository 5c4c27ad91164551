"""`confirm`: run the app and see whether a static finding really hangs or leaks at its line.

    python -m flake8_handler_block confirm app.py:20 --app app:app --route "POST /jobs"
    flake8 --select HB . | python -m flake8_handler_block confirm --from-flake8 - --app app:app

Each finding is confirmed in a child process (`child.py`) with a hard timeout, so stuck threads
and patches die with it. The child serves the app with a TestServer (outbound connections
redirected to a BlackHole by default), warms it up, and sends the finding's requests - only the
routes whose handler runs its line, again and again until the line is seen to run and what it
does is observed (state-dependent hangs need repeats: a bounded queue fills, a leaked lock blocks
the next request). `verdict.py` turns that observation into one of:

    confirmed, not-reproduced, no-route, inconclusive

Exit status: 0 when every finding asked about was confirmed; 1 when one was not reproduced or had
no route; 3 when none of those but one was inconclusive; 2 on a usage error.

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
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

from ..signature import Signature
from .matching import Table, table_to_dict
from .verdict import Finding, judge

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
    parser.add_argument("--route", action="append", default=[], metavar='"[WHERE=]METHOD /path"',
                        help="request to send (repeatable). Plain: sent to every finding whose line its "
                             "handler runs. WHERE=...: only for findings at WHERE (FILE:LINE, FILE:FIRST-LAST "
                             "or the name of the function holding the line). Default: the app's routes whose "
                             "handler runs the line (Flask, Starlette/FastAPI, Django URLconf)")
    parser.add_argument("--deadline", type=float, default=1.0, metavar="S",
                        help="seconds a request may take before its handler counts as stuck (default 1.0)")
    parser.add_argument("--outbound", choices=("auto", "blackhole", "headers", "passthrough"), default="auto",
                        help="blackhole: every outbound TCP connection a handler makes goes to a peer that "
                             "never answers, so a missing timeout hangs; headers: the peer answers the "
                             "headers and stalls the body, so unclosed responses (HB101, HB102) show; "
                             "passthrough: the real network; auto (default): headers for findings about "
                             "unclosed responses, blackhole for the others")
    parser.add_argument("--repeat", type=int, default=8, metavar="N",
                        help="requests per route at most; sending stops when the line was seen doing what "
                             "the finding says, and moves to the next route when the line does not run "
                             "(default 8)")
    parser.add_argument("--import-timeout", dest="import_timeout", type=float, default=10.0, metavar="S",
                        help="seconds the app may take to import before it counts as hung (default 10)")
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
        routes = [_parse_route(r) for r in args.route]
    except UsageError as exc:
        return _usage(str(exc))
    if args.deadline <= 0 or args.repeat < 1 or args.jobs < 1 or args.import_timeout <= 0:
        return _usage("--deadline and --import-timeout must be > 0, --repeat and --jobs >= 1")
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


RouteOption = Tuple[str, str]  # (WHERE or "", "METHOD /path")


def _parse_route(text: str) -> RouteOption:
    """`--route "METHOD /path"` or `--route "WHERE=METHOD /path"` (WHERE: FILE:LINE, FILE:A-B, a function)."""
    from .routes import parse_route

    where, route = "", text.strip()
    head = route.split(None, 1)[0] if route else ""
    if "=" in head:  # an "=" before the first space: a mapping (a query string comes after it)
        where, route = route.split("=", 1)
    try:
        return where.strip(), " ".join(parse_route(route))
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _maps_to(where: str, finding: Finding) -> bool:
    """A --route WHERE names this finding: its file and line (range), or a function holding the line."""
    found = re.match(r"^(?P<file>.+?):(?P<first>\d+)(?:-(?P<last>\d+))?$", where)
    if found:
        first, last = int(found["first"]), int(found["last"] or found["first"])
        return _same_path(found["file"], finding.file) and first <= finding.line <= last
    from .routes import _functions_at

    names = _functions_at(os.path.abspath(finding.file), finding.line)
    return where.split(".")[-1] in names


def _same_path(a: str, b: str) -> bool:
    return os.path.realpath(a) == os.path.realpath(b)


# --- the parent: one child per finding ---


def _confirm_one(finding: Finding, args: argparse.Namespace, routes: List[RouteOption], table: Table) -> Finding:
    if finding.code:
        sig = table.get(finding.code)
        if sig is None or not sig.observable:
            finding.verdict = "inconclusive"
            finding.detail = f"{finding.code} has no run-time signature: running the app cannot confirm it"
            return finding
        table = {finding.code: sig}
    mapped = [route for where, route in routes if where and _maps_to(where, finding)]
    given = [route for where, route in routes if not where]
    spec = {
        "app": args.app, "routes": given, "mapped": mapped, "file": os.path.abspath(finding.file),
        "line": finding.line, "code": finding.code, "deadline": args.deadline,
        "outbound": _outbound(args.outbound, table.get(finding.code) if finding.code else None),
        "repeat": args.repeat, "data": args.data, "signatures": table_to_dict(table),
        "import_timeout": args.import_timeout,
    }
    hard = args.timeout or (args.import_timeout + 15.0 + args.deadline * (args.repeat + 2) * 4)
    outcome = _run_child(spec, hard)
    if outcome.get("status") == "timeout":
        finding.verdict = "inconclusive"
        finding.detail = f"the confirmation child was still running after {hard:.0f}s: killed, nothing recorded"
        return finding
    judge(finding, outcome, table)
    return finding


def _outbound(choice: str, sig: Optional[Signature]) -> str:
    if choice != "auto":
        return choice
    return "headers" if sig is not None and "response" in sig.leaks else "blackhole"


def _run_child(spec: Dict[str, Any], hard: float) -> Dict[str, Any]:
    cmd = [sys.executable, "-m", "flake8_handler_block.harness.confirm", "--child", json.dumps(spec)]
    popen_kw: Dict[str, Any] = {}
    if os.name == "posix":
        popen_kw["start_new_session"] = True  # the whole group dies: the app's subprocesses too
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen_kw)
    # Wait for the child itself, not for EOF: a process the app started holds the pipes open.
    chunks: Dict[str, List[str]] = {"out": [], "err": []}
    readers = [threading.Thread(target=_drain, args=(stream, chunks[name]), daemon=True)
               for name, stream in (("out", proc.stdout), ("err", proc.stderr))]
    for reader in readers:
        reader.start()
    try:
        proc.wait(timeout=hard)
    except subprocess.TimeoutExpired:
        return {"status": "timeout"}
    finally:
        _kill_group(proc)  # what the app started dies too, and the pipes close
        for reader in readers:
            reader.join(5.0)
    out, err = "".join(chunks["out"]), "".join(chunks["err"])
    for line in reversed(out.splitlines()):
        if line.startswith(_RESULT):
            result: Dict[str, Any] = json.loads(line[len(_RESULT):])
            return result
    tail = " | ".join(err.strip().splitlines()[-3:])
    return {"status": "inconclusive", "detail": f"the confirmation child failed (exit {proc.returncode}): {tail}"}


def _drain(stream: Any, into: List[str]) -> None:
    try:
        for line in stream:
            into.append(line)
    except (OSError, ValueError):
        pass


def _kill_group(proc: "subprocess.Popen[str]") -> None:
    if os.name == "posix":
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError, OSError):
            pass
    elif proc.poll() is None:
        proc.kill()


def main(argv: Optional[Sequence[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--child"] and len(argv) == 2:
        from .child import run as run_child

        result = run_child(json.loads(argv[1]))
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
