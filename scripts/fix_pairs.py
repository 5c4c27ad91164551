#!/usr/bin/env python3
"""Score the plugin on real fix pairs: consecutive PyPI releases where the newer one fixes a hang or leak.

    python scripts/fix_pairs.py --download DIR            # fetch and unpack every release the table names
    python scripts/fix_pairs.py --score DIR [--rerun]     # lint each release once, score every pair
    python scripts/fix_pairs.py --mine DIR PKG OLD NEW    # print the diff hunks that look like fixes
    python scripts/fix_pairs.py --fetch DIR PKG VER ...   # fetch releases that the table does not name (mining)

Table (testdata/real/fix_pairs.tsv, tab-separated, one header row): package, old, new, path, old_line,
new_line, code, fix, chain. One row is one defect: the site `path:old_line` of release `old` that release
`new` fixed at `path:new_line` (`old.py => new.py` when the fix moved the file); `code` is the code a
finding must carry there; `chain` names the handler that reaches the site (empty when no request does).

Releases are unpacked to DIR/PACKAGE/VERSION (a wheel as is, an sdist without its top directory) and
each is linted once from that root, as a user would (`flake8 --select HB -j1 .`, default settings), so
project-wide reach works; the output is kept in DIR/_findings/ (`--rerun` lints again). A pair is
**found** when the old release has a finding with the row's code at `path:old_line`, and the fix is
**silent** when the new release has none with that code at `path:new_line`.

Keep DIR outside the repository: the downloaded code is never committed.
Exit status is 0 unless the inputs are malformed: this is a report, not a test.
"""

from __future__ import annotations

import argparse
import difflib
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parent))
import real_eval  # noqa: E402  (scripts/real_eval.py: one reading of flake8's output)

ROOT = Path(__file__).resolve().parent.parent
COLUMNS = ("package", "old", "new", "path", "old_line", "new_line", "code", "fix", "chain")
RUN_TIMEOUT = 3600  # seconds per release: an engine that hangs must not hang the report
FINDINGS_DIR = "_findings"
HANDLER_WORD = "handler '"  # how a message names the handler chain ("... handler 'view' (app/views.py:3) via f()")
MOVED = "=>"  # path column of a file the fix moved: "old/path.py => new/path.py"

# What an added line of a fix looks like, per kind of fix (--mine). A hunk is a candidate when a pattern
# matches more added lines than removed ones (a reformatted call that kept its timeout does not count).
FIX_PATTERNS: Tuple[Tuple[str, "re.Pattern[str]"], ...] = (
    ("timeout", re.compile(r"\btimeout\s*=|\b(setdefault|set)timeout\(|\bwait_for\(|asyncio\.timeout\(")),
    ("close", re.compile(r"\.(close|release_conn|drain_conn|shutdown|server_close)\(\)")),
    ("with", re.compile(r"^\s*(async\s+)?with\s+.*(Session|Client|ClientSession|urlopen|PoolManager|"
                        r"Connection|Executor|Pool|closing|stream)\b")),
    ("finally", re.compile(r"^\s*finally\s*:")),
    ("release", re.compile(r"\.(release|task_done|done|Done)\(\)")),
    ("join", re.compile(r"[\w\])]\.join\(\s*(timeout\s*=\s*[\w.]+|\d[\d.]*)?\s*\)\s*$")),
    ("task kept", re.compile(r"=\s*(asyncio\.)?(create_task|ensure_future)\(|\.add\(\s*(asyncio\.)?create_task|"
                             r"add_done_callback\(")),
)


InputError = real_eval.InputError  # a malformed pairs table: the report would be meaningless


@dataclass(frozen=True)
class Pair:
    package: str
    old: str
    new: str
    path: str
    old_line: int
    new_line: int
    code: str
    fix: str
    chain: str

    @property
    def request_reachable(self) -> bool:
        return bool(self.chain.strip())

    @property
    def old_path(self) -> str:
        return self.path.split(MOVED, 1)[0].strip()

    @property
    def new_path(self) -> str:
        return self.path.split(MOVED, 1)[-1].strip()


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    code: str
    message: str


# --- the table -------------------------------------------------------------------------------------------


def read_pairs(path: Path) -> List[Pair]:
    rows: List[Pair] = []
    seen: Dict[Tuple[str, str, str, int, str], int] = {}
    for number, row in real_eval.read_table(path, COLUMNS):
        if not re.fullmatch(r"HB\d{3}", row["code"]):
            raise InputError(f"{path}:{number}: bad code {row['code']!r}")
        if not row["old_line"].isdigit() or not row["new_line"].isdigit():
            raise InputError(f"{path}:{number}: lines must be numbers: {row['old_line']!r} {row['new_line']!r}")
        if not row["package"] or not row["old"] or not row["new"] or row["old"] == row["new"]:
            raise InputError(f"{path}:{number}: need a package and two different versions")
        if row["path"].count(MOVED) > 1 or not all(
                part.strip().endswith(".py") for part in row["path"].split(MOVED)):
            raise InputError(f"{path}:{number}: path must be a .py file, or 'old.py {MOVED} new.py'")
        if not row["fix"].strip():
            raise InputError(f"{path}:{number}: say what the fix did")
        pair = Pair(
            package=row["package"], old=row["old"], new=row["new"], path=row["path"],
            old_line=int(row["old_line"]), new_line=int(row["new_line"]), code=row["code"],
            fix=row["fix"], chain=row["chain"],
        )
        key = (pair.package, pair.old, pair.path, pair.old_line, pair.code)
        if key in seen:
            raise InputError(f"{path}:{number}: same package, old version, path, line and code as line {seen[key]}")
        seen[key] = number
        rows.append(pair)
    return rows


def releases(pairs: Iterable[Pair]) -> List[Tuple[str, str]]:
    """Every (package, version) the table needs, in table order, each once."""
    wanted: Dict[Tuple[str, str], None] = {}
    for pair in pairs:
        wanted[(pair.package, pair.old)] = None
        wanted[(pair.package, pair.new)] = None
    return list(wanted)


# --- releases on disk ------------------------------------------------------------------------------------


def release_dir(base: Path, package: str, version: str) -> Path:
    return base / package / version


def _safe_members(names: Iterable[str]) -> bool:
    for name in names:
        parts = PurePosixPath(name).parts
        if name.startswith("/") or ".." in parts:
            return False
    return True


def unpack(archive: Path, dest: Path) -> None:
    """A wheel as is; an sdist (tar or zip) without its single top directory."""
    dest.mkdir(parents=True, exist_ok=True)
    if archive.suffix == ".whl":
        with zipfile.ZipFile(archive) as zf:
            if not _safe_members(zf.namelist()):
                raise InputError(f"{archive}: unsafe member path")
            zf.extractall(dest)
        return
    with tempfile.TemporaryDirectory(dir=dest.parent) as tmp:
        if archive.name.endswith(".zip"):
            with zipfile.ZipFile(archive) as zf:
                if not _safe_members(zf.namelist()):
                    raise InputError(f"{archive}: unsafe member path")
                zf.extractall(tmp)
        else:
            with tarfile.open(archive) as tf:
                members = [m for m in tf.getmembers() if m.isfile() or m.isdir()]
                if not _safe_members(m.name for m in members):
                    raise InputError(f"{archive}: unsafe member path")
                tf.extractall(tmp, members=members)
        entries = list(Path(tmp).iterdir())
        top = entries[0] if len(entries) == 1 and entries[0].is_dir() else Path(tmp)
        for entry in top.iterdir():
            shutil.move(str(entry), str(dest / entry.name))


def fetch(base: Path, package: str, version: str, pip: Sequence[str]) -> Optional[str]:
    """Download and unpack one release unless it is there; returns a problem or None."""
    dest = release_dir(base, package, version)
    if dest.is_dir() and any(dest.iterdir()):
        return None
    with tempfile.TemporaryDirectory() as tmp:
        for how in (["--only-binary", ":all:"], ["--no-binary", ":all:"]):
            done = subprocess.run(
                [*pip, "download", "-q", "--no-deps", *how, "-d", tmp, f"{package}=={version}"],
                capture_output=True, text=True, timeout=900,
            )
            archives = sorted(Path(tmp).iterdir())
            if done.returncode == 0 and archives:
                break
        else:
            return f"could not download {package}=={version}: {done.stderr.strip().splitlines()[-1:]}"
        try:
            unpack(archives[0], dest)
        except (InputError, OSError, tarfile.TarError, zipfile.BadZipFile) as exc:
            shutil.rmtree(dest, ignore_errors=True)
            return f"could not unpack {archives[0].name}: {exc}"
    return None


# --- mining: hunks that look like fixes ------------------------------------------------------------------


@dataclass(frozen=True)
class Hunk:
    path: str
    old_start: int
    new_start: int
    lines: Tuple[str, ...]  # unified diff body lines, each starting with ' ', '-' or '+'
    kinds: Tuple[str, ...]


def fix_kinds(lines: Sequence[str]) -> Tuple[str, ...]:
    """The kinds of fix a hunk's added lines show more often than its removed lines."""
    kinds = []
    for name, pattern in FIX_PATTERNS:
        added = sum(1 for line in lines if line.startswith("+") and pattern.search(line[1:]))
        removed = sum(1 for line in lines if line.startswith("-") and pattern.search(line[1:]))
        if added > removed:
            kinds.append(name)
    return tuple(kinds)


_HUNK_HEAD = re.compile(r"^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@")


def hunks(path: str, old_text: str, new_text: str, context: int = 3) -> Iterator[Hunk]:
    diff = difflib.unified_diff(old_text.splitlines(), new_text.splitlines(), lineterm="", n=context)
    head: Optional[Tuple[int, int]] = None
    body: List[str] = []
    for line in diff:
        if line.startswith(("---", "+++")) and head is None and not body:
            continue
        match = _HUNK_HEAD.match(line)
        if match:
            if head is not None:
                yield Hunk(path, head[0], head[1], tuple(body), fix_kinds(body))
            head, body = (int(match[1]), int(match[2])), []
            continue
        body.append(line)
    if head is not None:
        yield Hunk(path, head[0], head[1], tuple(body), fix_kinds(body))


def python_files(root: Path) -> Dict[str, Path]:
    return {
        p.relative_to(root).as_posix(): p
        for p in root.rglob("*.py")
        if FINDINGS_DIR not in p.parts and ".handler_block_cache" not in p.parts
    }


def candidate_hunks(old_root: Path, new_root: Path) -> Iterator[Hunk]:
    old_files, new_files = python_files(old_root), python_files(new_root)
    for path in sorted(set(old_files) & set(new_files)):
        old_text = old_files[path].read_text(encoding="utf-8", errors="replace")
        new_text = new_files[path].read_text(encoding="utf-8", errors="replace")
        if old_text == new_text:
            continue
        for hunk in hunks(path, old_text, new_text):
            if hunk.kinds:
                yield hunk


def render_hunk(hunk: Hunk) -> str:
    return f"### {hunk.path} -{hunk.old_start} +{hunk.new_start} [{', '.join(hunk.kinds)}]\n" + "\n".join(hunk.lines)


# --- scoring ---------------------------------------------------------------------------------------------


def parse_findings(output: str) -> Tuple[List[Finding], List[str]]:
    """flake8 lines to findings (real_eval's reading of them); other lines come back apart."""
    found, other = real_eval.parse_findings("", output)
    return [Finding(f.path, f.line, f.code, f.message) for f in found], other


@dataclass(frozen=True)
class Outcome:
    pair: Pair
    found: bool
    silent: bool
    old_message: str  # the finding at the defect (or what else was said on that line)
    new_message: str  # what the fixed release still says there


Index = Dict[Tuple[str, int], List[Finding]]


def index(findings: Iterable[Finding]) -> Index:
    by_site: Index = defaultdict(list)
    for finding in findings:
        by_site[(finding.path, finding.line)].append(finding)
    return by_site


def judge(pair: Pair, old: Index, new: Index) -> Outcome:
    at_old = old.get((pair.old_path, pair.old_line), [])
    at_new = new.get((pair.new_path, pair.new_line), [])
    hit = [f for f in at_old if f.code == pair.code]
    left = [f for f in at_new if f.code == pair.code]
    old_said = hit or at_old
    return Outcome(
        pair=pair, found=bool(hit), silent=not left,
        old_message=f"{old_said[0].code} {old_said[0].message}" if old_said else "",
        new_message=f"{left[0].code} {left[0].message}" if left else "",
    )


@dataclass
class Totals:
    pairs: int = 0
    found: int = 0
    reachable: int = 0
    reachable_found: int = 0
    reachable_chained: int = 0  # found, and the message names the handler that reaches the site
    silent: int = 0


def totals(outcomes: Iterable[Outcome]) -> Totals:
    t = Totals()
    for outcome in outcomes:
        t.pairs += 1
        t.found += outcome.found
        t.silent += outcome.silent
        if outcome.pair.request_reachable:
            t.reachable += 1
            t.reachable_found += outcome.found
            t.reachable_chained += outcome.found and HANDLER_WORD in outcome.old_message
    return t


def _ratio(part: int, whole: int) -> str:
    return f"{part}/{whole} ({100 * part / whole:.0f}%)" if whole else "-"


def render(outcomes: Sequence[Outcome]) -> str:
    lines = []
    for o in outcomes:
        p = o.pair
        status = ("found" if o.found else "MISSED") + (", fixed silent" if o.silent else ", FIXED STILL REPORTED")
        where = f"{p.package} {p.old}->{p.new} {p.path}:{p.old_line}->{p.new_line} {p.code}"
        lines.append(f"{where}: {status}")
        if not o.found and o.old_message:
            lines.append(f"    old release says instead: {o.old_message}")
        if not o.silent:
            lines.append(f"    new release says: {o.new_message}")
    t = totals(outcomes)
    per_code: Dict[str, List[Outcome]] = defaultdict(list)
    for o in outcomes:
        per_code[o.pair.code].append(o)
    lines.append("")
    for code in sorted(per_code):
        ct = totals(per_code[code])
        lines.append(f"{code}: found {_ratio(ct.found, ct.pairs)}, fixed silent {_ratio(ct.silent, ct.pairs)}")
    packages = len({o.pair.package for o in outcomes})
    lines.append(f"# pairs: {t.pairs} from {packages} packages")
    lines.append(f"# found in the old release: {_ratio(t.found, t.pairs)}")
    lines.append(f"# request-reachable found: {_ratio(t.reachable_found, t.reachable)}; "
                 f"with the handler named in the message: {_ratio(t.reachable_chained, t.reachable)}")
    lines.append(f"# fixed release silent: {_ratio(t.silent, t.pairs)}")
    return "\n".join(lines)


def lint(flake8: str, root: Path, out: Path, rerun: bool) -> Tuple[str, str]:
    """One release's flake8 output (kept in `out`); returns (output, problem or "")."""
    if out.is_file() and not rerun:
        return out.read_text(encoding="utf-8"), ""
    try:
        done = subprocess.run([flake8, "--select", "HB", "-j1", "."], cwd=root, capture_output=True, text=True,
                              timeout=RUN_TIMEOUT)
    except subprocess.TimeoutExpired:
        return "", f"flake8 did not finish in {RUN_TIMEOUT} s"
    # flake8 exits 1 when it reports anything; a traceback on stderr is an engine failure.
    if done.returncode not in (0, 1) or "Traceback" in done.stderr:
        return done.stdout, f"flake8 exited {done.returncode}: {done.stderr.strip().splitlines()[-1:]}"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(done.stdout, encoding="utf-8")
    return done.stdout, ""


def score_all(base: Path, pairs: Sequence[Pair], flake8: str, rerun: bool) -> Tuple[List[Outcome], List[str]]:
    problems: List[str] = []
    indexes: Dict[Tuple[str, str], Index] = {}
    for package, version in releases(pairs):
        root = release_dir(base, package, version)
        if not root.is_dir():
            problems.append(f"{package}=={version}: not in {base} (run --download first)")
            continue
        output, problem = lint(flake8, root, base / FINDINGS_DIR / f"{package}=={version}.txt", rerun)
        findings, other = parse_findings(output)
        if problem or other:
            problems.append(f"{package}=={version}: {problem} {len(other)} non-finding line(s) {other[:1]}".strip())
        indexes[(package, version)] = index(findings)
    outcomes = [
        judge(pair, indexes[(pair.package, pair.old)], indexes[(pair.package, pair.new)])
        for pair in pairs
        if (pair.package, pair.old) in indexes and (pair.package, pair.new) in indexes
    ]
    return outcomes, problems


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--download", type=Path, metavar="DIR", help="fetch and unpack every release the table names")
    mode.add_argument("--score", type=Path, metavar="DIR", help="lint the releases in DIR and score every pair")
    mode.add_argument("--mine", nargs=4, metavar=("DIR", "PKG", "OLD", "NEW"), help="print hunks that look like fixes")
    mode.add_argument("--fetch", nargs="+", metavar="ARG", help="DIR PKG VERSION...: fetch releases for mining")
    parser.add_argument("--pairs", type=Path, default=ROOT / "testdata" / "real" / "fix_pairs.tsv")
    parser.add_argument("--flake8", default=None, help="flake8 executable (default: the one next to this Python)")
    parser.add_argument("--rerun", action="store_true", help="lint again instead of reading kept outputs")
    parser.add_argument("--only", default="", help="comma-separated packages")
    args = parser.parse_args(argv)
    pip = [sys.executable, "-m", "pip"]

    if args.mine:
        base, package, old, new = args.mine
        old_root, new_root = release_dir(Path(base), package, old), release_dir(Path(base), package, new)
        for hunk in candidate_hunks(old_root, new_root):
            print(render_hunk(hunk))
        return 0
    if args.fetch:
        if len(args.fetch) < 3:
            parser.error("--fetch needs DIR PKG VERSION...")
        base, package, *versions = args.fetch
        for version in versions:
            problem = fetch(Path(base), package, version, pip)
            print(problem or f"{package}=={version}: ok", flush=True)
        return 0

    try:
        pairs = read_pairs(args.pairs)
    except (InputError, OSError) as exc:
        print(f"fix_pairs: {exc}", file=sys.stderr)
        return 2
    if args.only:
        pairs = [p for p in pairs if p.package in args.only.split(",")]
    if args.download:
        for package, version in releases(pairs):
            problem = fetch(args.download, package, version, pip)
            print(problem or f"{package}=={version}: ok", flush=True)
        return 0

    flake8 = args.flake8 or str(Path(sys.executable).with_name("flake8"))
    if not Path(flake8).exists():
        flake8 = shutil.which("flake8") or flake8
    outcomes, problems = score_all(args.score, pairs, flake8, args.rerun)
    for problem in problems:
        print(f"# {problem}")
    print(render(outcomes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
