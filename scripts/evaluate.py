#!/usr/bin/env python3
"""Blind evaluation: compare flake8-handler-block findings with hand-written markers.

Usage: python scripts/evaluate.py [DIR]   (default: testdata/eval)

Markers are end-of-line comments, read with `tokenize` (never evaluated):

    # expect: HB201                  the line must be reported with HB201
    # expect: HB201, HB601           several codes on the same line
    # expect: HB503@srv              one expected finding that may be reported on ANY line
                                     carrying the same code and tag in the file (used where
                                     the spec does not fix which line of a multi-line
                                     construct is "the" line, e.g. server created vs started)
    # ok: HB201 why                  deliberate look-alike: a finding with that code is an FP
    # ambiguous: HB601 why           spec is ambiguous: findings of that code on that line are
                                     left out of the evaluation (neither TP nor FP)

Segments can be combined with ';' (`# expect: HB601; ok: HB203 default timeout`); a
segment without a keyword continues the previous one. Any finding on a line that does not
expect it (and does not mark it ambiguous) counts as a false positive.

Exit status is always 0: this is a report, not a test.
"""
from __future__ import annotations

import io
import os
import re
import sys
import tokenize
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Set, Tuple

from flake8_handler_block.engine import check_source

CODE_RE = re.compile(r"\bHB\d{3}\b")
LEADING_CODES_RE = re.compile(r"^\s*((?:HB\d{3}(?:@[\w-]+)?\s*,?\s*)+)")
KEYWORD_RE = re.compile(r"^\s*(expect|ok|ambiguous)\s*:\s*(.*)$", re.S)


@dataclass
class Markers:
    expect: Set[Tuple[int, str]] = field(default_factory=set)           # (line, code)
    groups: Dict[Tuple[str, str], Set[int]] = field(default_factory=dict)  # (code, tag) -> lines
    ok: Set[Tuple[int, str]] = field(default_factory=set)
    ambiguous: Dict[Tuple[int, str], str] = field(default_factory=dict)
    errors: List[str] = field(default_factory=list)


def _leading_codes(text: str) -> List[str]:
    m = LEADING_CODES_RE.match(text)
    if not m:
        return []
    return [c.strip() for c in re.split(r"[\s,]+", m.group(1)) if c.strip()]


def read_markers(path: Path, text: str) -> Markers:
    markers = Markers()
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError) as exc:
        markers.errors.append(f"{path}: cannot tokenize: {exc}")
        return markers
    for tok in tokens:
        if tok.type != tokenize.COMMENT:
            continue
        line = tok.start[0]
        body = tok.string.lstrip("#").strip()
        if not KEYWORD_RE.match(body):
            continue
        keyword = None
        for segment in body.split(";"):
            m = KEYWORD_RE.match(segment)
            if m:
                keyword, rest = m.group(1), m.group(2)
            elif keyword is not None:
                rest = segment
            else:
                continue
            items = _leading_codes(rest)
            if not items:
                if m:
                    markers.errors.append(f"{path}:{line}: '{keyword}:' without a code")
                continue
            for item in items:
                code, _, tag = item.partition("@")
                if keyword == "expect":
                    if tag:
                        markers.groups.setdefault((code, tag), set()).add(line)
                    else:
                        markers.expect.add((line, code))
                elif keyword == "ok":
                    markers.ok.add((line, code))
                else:
                    markers.ambiguous[(line, code)] = rest.strip()
    for (line, code) in markers.expect & markers.ok:
        markers.errors.append(f"{path}:{line}: {code} both expected and ok")
    return markers


@dataclass
class Stats:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    positives: int = 0
    lookalikes: int = 0
    excluded: int = 0


def score(root: Path):
    """(files, per-code stats, false positives, false negatives, marker problems) for a directory."""
    files = sorted(p for p in root.rglob("*.py") if p.is_file())
    stats: Dict[str, Stats] = defaultdict(Stats)
    fps: List[Tuple[str, int, str, str, str]] = []
    fns: List[Tuple[str, int, str, str, str]] = []
    problems: List[str] = []

    for path in files:
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        src = lambda n: lines[n - 1].split("  #")[0].strip() if 0 < n <= len(lines) else ""  # noqa: E731
        markers = read_markers(path, text)
        problems.extend(markers.errors)
        rel = os.path.relpath(path)

        findings = check_source(text, str(path))
        reported: Dict[Tuple[int, str], str] = {}
        for line, _col, message in findings:
            m = CODE_RE.match(message) or re.match(r"HB\d{3}", message)
            code = m.group(0) if m else message.split()[0]
            reported.setdefault((line, code), message)

        for (_line, code) in markers.expect:
            stats[code].positives += 1
        for (code, _tag) in markers.groups:
            stats[code].positives += 1
        for (_line, code) in markers.ok:
            stats[code].lookalikes += 1

        group_hit: Dict[Tuple[str, str], bool] = {key: False for key in markers.groups}
        for (line, code), message in sorted(reported.items()):
            if (line, code) in markers.ambiguous:
                stats[code].excluded += 1
                continue
            if (line, code) in markers.expect:
                stats[code].tp += 1
                continue
            grouped = [key for key, glines in markers.groups.items() if key[0] == code and line in glines]
            if grouped:
                for key in grouped:
                    group_hit[key] = True
                continue
            stats[code].fp += 1
            why = "look-alike" if (line, code) in markers.ok else "unmarked"
            fps.append((rel, line, code, f"{why}: {message}", src(line)))

        for (line, code) in sorted(markers.expect):
            if (line, code) not in reported:
                stats[code].fn += 1
                fns.append((rel, line, code, "", src(line)))
        for key, hit in sorted(group_hit.items()):
            code, tag = key
            if hit:
                stats[code].tp += 1
            else:
                stats[code].fn += 1
                glines = sorted(markers.groups[key])
                fns.append((rel, glines[0], code, f"group @{tag}, lines {glines}", src(glines[0])))
    return files, stats, fps, fns, problems


def evaluate(root: Path) -> None:
    files, stats, fps, fns, problems = score(root)

    def ratio(a: int, b: int) -> str:
        return f"{a / b:.2f}" if b else "  - "

    print(f"Evaluated {len(files)} files under {root}\n")
    header = f"{'code':6} {'pos':>4} {'look':>4} {'TP':>4} {'FP':>4} {'FN':>4} {'prec':>6} {'recall':>6} {'excl':>4}"
    print(header)
    print("-" * len(header))
    total = Stats()
    for code in sorted(stats):
        s = stats[code]
        print(f"{code:6} {s.positives:4} {s.lookalikes:4} {s.tp:4} {s.fp:4} {s.fn:4} "
              f"{ratio(s.tp, s.tp + s.fp):>6} {ratio(s.tp, s.tp + s.fn):>6} {s.excluded:4}")
        for attr in ("tp", "fp", "fn", "positives", "lookalikes", "excluded"):
            setattr(total, attr, getattr(total, attr) + getattr(s, attr))
    print("-" * len(header))
    print(f"{'all':6} {total.positives:4} {total.lookalikes:4} {total.tp:4} {total.fp:4} {total.fn:4} "
          f"{ratio(total.tp, total.tp + total.fp):>6} {ratio(total.tp, total.tp + total.fn):>6} {total.excluded:4}")

    print(f"\nFalse positives ({len(fps)}):")
    for rel, line, code, note, source in fps:
        print(f"  {rel}:{line}: {code}  [{note}]\n      {source}")
    print(f"\nFalse negatives ({len(fns)}):")
    for rel, line, code, note, source in fns:
        extra = f"  [{note}]" if note else ""
        print(f"  {rel}:{line}: {code}{extra}\n      {source}")
    if problems:
        print(f"\nMarker problems ({len(problems)}):")
        for p in problems:
            print(f"  {p}")


def main(argv: List[str]) -> int:
    root = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent.parent / "testdata" / "eval"
    if not root.is_dir():
        print(f"not a directory: {root}")
        return 0
    evaluate(root.resolve())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
