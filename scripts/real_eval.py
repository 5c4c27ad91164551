#!/usr/bin/env python3
"""Score the plugin on real applications from PyPI against hand-read judgements.

    python scripts/real_eval.py [--apps .real-code] [--judgements testdata/real/judgements.tsv]
                                [--scope all] [--flake8 PATH] [--only APP,APP] [--unjudged N]
                                [--save DIR | --load DIR]

Download the apps first (versions pinned in testdata/real/apps.txt):

    ../shared/scripts/real-code.sh .real-code $(grep -v '^#' testdata/real/apps.txt)

Each app is linted from its own root (`flake8 --select HB .`, default settings unless
--scope is given), so finding paths match the judgement paths. A finding matches a
judgement on (app, path, line, code) exactly: lines are those of the pinned version, and
an app whose installed version differs is skipped rather than scored wrongly.

Judgement verdicts (testdata/real/judgements.tsv, tab-separated, header row):
    real         a true hang/leak the plugin reported when it was read
    missed-real  a true hang/leak found by reading, not reported then
    wrong        a reported claim that is false (closed elsewhere, timeout set, ...)
    harmless     true but a maintainer would not change it (CLI, startup, tests, by design)
    not-defect   a look-alike site that must never be reported
A real defect is request-reachable when its `chain` column names a handler.

Exit status is 0 unless the inputs are malformed: this is a report, not a test.
"""

from __future__ import annotations

import argparse
import csv
import re
import shutil
import subprocess
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, Iterator, List, Optional, Sequence, Set, Tuple

ROOT = Path(__file__).resolve().parent.parent
VERDICTS = ("real", "missed-real", "wrong", "harmless", "not-defect")
REAL = ("real", "missed-real")
COLUMNS = ("app", "version", "path", "line", "code", "verdict", "reason", "chain")
FINDING_RE = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<code>HB\d{3}) (?P<message>.*)$")
RUN_TIMEOUT = 3600  # seconds per app: an engine that hangs must not hang the report

Key = Tuple[str, str, int, str]  # app, path, line, code


@dataclass(frozen=True)
class Judgement:
    app: str
    version: str
    path: str
    line: int
    code: str
    verdict: str
    reason: str
    chain: str

    @property
    def key(self) -> Key:
        return (self.app, self.path, self.line, self.code)

    @property
    def request_reachable(self) -> bool:
        return bool(self.chain.strip())


@dataclass(frozen=True)
class Finding:
    app: str
    path: str
    line: int
    code: str
    message: str

    @property
    def key(self) -> Key:
        return (self.app, self.path, self.line, self.code)


class InputError(Exception):
    """A malformed apps list or judgements file: the report would be meaningless."""


def read_apps(path: Path) -> Dict[str, str]:
    """`name==version` per line; `#` starts a comment."""
    apps: Dict[str, str] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        text = raw.split("#", 1)[0].strip()
        if not text:
            continue
        name, sep, version = text.partition("==")
        if not sep or not name.strip() or not version.strip():
            raise InputError(f"{path}:{number}: expected NAME==VERSION, got {raw!r}")
        apps[name.strip()] = version.strip()
    return apps


def read_table(path: Path, columns: Sequence[str]) -> Iterator[Tuple[int, Dict[str, str]]]:
    """The rows of a tab-separated table whose header is ``columns``, each with its line number
    in the file; InputError on another header or on a row with too few or too many fields."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        if tuple(reader.fieldnames or ()) != tuple(columns):
            raise InputError(f"{path}: header must be {' '.join(columns)!r}, got {reader.fieldnames}")
        for number, row in enumerate(reader, 2):
            if any(row.get(column) is None for column in columns) or None in row:
                raise InputError(f"{path}:{number}: expected {len(columns)} tab-separated columns")
            yield number, row


def read_judgements(path: Path) -> List[Judgement]:
    rows: List[Judgement] = []
    seen: Dict[Key, int] = {}
    for number, row in read_table(path, COLUMNS):
        if row["verdict"] not in VERDICTS:
            raise InputError(f"{path}:{number}: verdict {row['verdict']!r} is not one of {', '.join(VERDICTS)}")
        if not re.fullmatch(r"HB\d{3}", row["code"]) or not row["line"].isdigit():
            raise InputError(f"{path}:{number}: bad code or line: {row['code']!r} {row['line']!r}")
        judgement = Judgement(
            app=row["app"], version=row["version"], path=row["path"], line=int(row["line"]),
            code=row["code"], verdict=row["verdict"], reason=row["reason"], chain=row["chain"],
        )
        if judgement.key in seen:
            raise InputError(f"{path}:{number}: same app, path, line and code as line {seen[judgement.key]}")
        seen[judgement.key] = number
        rows.append(judgement)
    return rows


def installed_version(app_dir: Path) -> Optional[str]:
    """Version from the unpacked wheel's METADATA (None when the app is not there)."""
    for metadata in sorted(app_dir.glob("*.dist-info/METADATA")):
        for line in metadata.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("Version:"):
                return line.split(":", 1)[1].strip()
            if not line:
                break
    return None


def parse_findings(app: str, output: str) -> Tuple[List[Finding], List[str]]:
    """flake8 lines to findings; lines that are not findings (and HB000 errors) come back apart."""
    findings: List[Finding] = []
    other: List[str] = []
    for raw in output.splitlines():
        match = FINDING_RE.match(raw)
        if not match or match["code"] == "HB000":
            if raw.strip():
                other.append(raw)
            continue
        path = match["path"][2:] if match["path"].startswith("./") else match["path"]
        findings.append(Finding(app, path, int(match["line"]), match["code"], match["message"]))
    return findings, other


def run_plugin(flake8: str, app_dir: Path, scope: Optional[str], jobs: int) -> Tuple[str, str]:
    """Lint one app from its root; returns (stdout, problem or "")."""
    command = [flake8, "--select", "HB", "-j", str(jobs)]
    if scope:
        command += ["--hb-scope", scope]
    try:
        done = subprocess.run(command + ["."], cwd=app_dir, capture_output=True, text=True, timeout=RUN_TIMEOUT)
    except subprocess.TimeoutExpired:
        return "", f"flake8 did not finish in {RUN_TIMEOUT} s"
    # flake8 exits 1 when it reports anything; a traceback on stderr is an engine failure.
    problem = ""
    if done.returncode not in (0, 1) or "Traceback" in done.stderr:
        problem = f"flake8 exited {done.returncode}: {done.stderr.strip().splitlines()[-1:]}"
    return done.stdout, problem


@dataclass
class Tally:
    real_reachable: int = 0
    real_reachable_found: int = 0
    real_other: int = 0
    real_other_found: int = 0
    wrong_claims: int = 0  # judged wrong or not-defect
    wrong_reported: int = 0
    harmless: int = 0
    harmless_reported: int = 0
    unjudged: int = 0
    reported: int = 0


def score(judgements: Sequence[Judgement], findings: Iterable[Finding]) -> Tuple[Dict[str, Tally], List[Finding]]:
    """Tallies per code (plus 'all') and the findings nobody has judged yet."""
    reported: Set[Key] = set()
    tallies: Dict[str, Tally] = defaultdict(Tally)
    judged = {j.key: j for j in judgements}
    unjudged: List[Finding] = []
    for finding in findings:
        if finding.key in reported:
            continue
        reported.add(finding.key)
        for code in (finding.code, "all"):
            tallies[code].reported += 1
            if finding.key not in judged:
                tallies[code].unjudged += 1
        if finding.key not in judged:
            unjudged.append(finding)
    for judgement in judgements:
        found = judgement.key in reported
        for code in (judgement.code, "all"):
            tally = tallies[code]
            if judgement.verdict in REAL and judgement.request_reachable:
                tally.real_reachable += 1
                tally.real_reachable_found += found
            elif judgement.verdict in REAL:
                tally.real_other += 1
                tally.real_other_found += found
            elif judgement.verdict in ("wrong", "not-defect"):
                tally.wrong_claims += 1
                tally.wrong_reported += found
            else:
                tally.harmless += 1
                tally.harmless_reported += found
    return dict(tallies), unjudged


def _ratio(part: int, whole: int) -> str:
    return f"{part}/{whole} ({100 * part / whole:.0f}%)" if whole else "-"


def render(tallies: Dict[str, Tally]) -> str:
    header = ("code", "request-reachable real found", "other real found", "wrong/not-defect reported",
              "harmless reported", "reported", "unjudged")
    rows = [header]
    for code in sorted(tallies, key=lambda c: (c == "all", c)):
        t = tallies[code]
        rows.append((
            code, _ratio(t.real_reachable_found, t.real_reachable), _ratio(t.real_other_found, t.real_other),
            _ratio(t.wrong_reported, t.wrong_claims), _ratio(t.harmless_reported, t.harmless),
            str(t.reported), str(t.unjudged),
        ))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--apps", type=Path, default=ROOT / ".real-code", help="directory of unpacked apps")
    parser.add_argument("--apps-file", type=Path, default=ROOT / "testdata" / "real" / "apps.txt")
    parser.add_argument("--judgements", type=Path, default=ROOT / "testdata" / "real" / "judgements.tsv")
    parser.add_argument("--flake8", default=None, help="flake8 executable (default: the one next to this Python)")
    parser.add_argument("--scope", default=None, help="pass --hb-scope (default: the plugin's default)")
    parser.add_argument("--only", default="", help="comma-separated app names")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--unjudged", type=int, default=30, help="how many unjudged findings to list")
    parser.add_argument("--findings-out", type=Path, default=None, help="write every finding as TSV here")
    parser.add_argument("--save", type=Path, default=None, help="keep each app's raw flake8 output as DIR/APP.txt")
    parser.add_argument("--load", type=Path, default=None,
                        help="score raw outputs saved by --save instead of running flake8 (apps without one are run)")
    args = parser.parse_args(argv)

    flake8 = args.flake8 or str(Path(sys.executable).with_name("flake8"))
    if not Path(flake8).exists():
        flake8 = shutil.which("flake8") or flake8
    try:
        apps = read_apps(args.apps_file)
        judgements = read_judgements(args.judgements)
    except (InputError, OSError) as exc:
        print(f"real_eval: {exc}", file=sys.stderr)
        return 2
    unknown = sorted({j.app for j in judgements} - set(apps))
    if unknown:
        print(f"real_eval: judged apps missing from {args.apps_file}: {', '.join(unknown)}", file=sys.stderr)
        return 2
    wanted = [name for name in apps if not args.only or name in args.only.split(",")]

    findings: List[Finding] = []
    scored: List[str] = []
    for name in wanted:
        version = installed_version(args.apps / name)
        if version != apps[name]:
            print(f"# skipped {name}: want {apps[name]}, found {version or 'nothing'} in {args.apps / name}")
            continue
        saved = args.load / f"{name}.txt" if args.load else None
        if saved is not None and saved.is_file():
            output, problem = saved.read_text(encoding="utf-8"), ""
        else:
            output, problem = run_plugin(flake8, args.apps / name, args.scope, args.jobs)
        if args.save:
            args.save.mkdir(parents=True, exist_ok=True)
            (args.save / f"{name}.txt").write_text(output, encoding="utf-8")
        app_findings, other = parse_findings(name, output)
        if problem or other:
            print(f"# {name}: {problem or ''} {len(other)} non-finding line(s), e.g. {other[:1]}".rstrip())
        findings += app_findings
        scored.append(name)

    in_scope = [j for j in judgements if j.app in scored]
    tallies, unjudged = score(in_scope, findings)
    mismatched = [j for j in in_scope if j.version != apps[j.app]]
    print(f"# scope: {args.scope or 'default'}; apps: {len(scored)}/{len(wanted)}; "
          f"judgements: {len(in_scope)} ({dict(Counter(j.verdict for j in in_scope))})")
    if mismatched:
        print(f"# {len(mismatched)} judgement(s) carry another version than apps.txt, e.g. {mismatched[0].key}")
    print(render(tallies))
    total = tallies.get("all", Tally())
    real_reported = total.real_reachable_found + total.real_other_found
    judged = real_reported + total.wrong_reported + total.harmless_reported
    if judged:
        print(f"# of {judged} judged findings reported: {real_reported} real ({100 * real_reported / judged:.0f}%), "
              f"{total.wrong_reported} wrong, {total.harmless_reported} harmless")
    if unjudged and args.unjudged:
        print(f"\n# unjudged findings ({len(unjudged)}), first {min(args.unjudged, len(unjudged))}:")
        for finding in unjudged[: args.unjudged]:
            print(f"{finding.app}\t{finding.path}:{finding.line}\t{finding.code}\t{finding.message}")
    if args.findings_out:
        with args.findings_out.open("w", encoding="utf-8") as out:
            for finding in findings:
                out.write(f"{finding.app}\t{finding.path}\t{finding.line}\t{finding.code}\t{finding.message}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
