#!/usr/bin/env python3
"""Blind evaluation: compare flake8-handler-block findings with hand-written markers.

Usage: python scripts/evaluate.py [DIR]   (default: testdata/eval)

The markers (`# expect: HB201`, `# expect: HB503@srv`, `# ok: HB201 why`,
`# ambiguous: HB601 why`, message fragments and columns) follow the one grammar of the
rule fixtures, documented and parsed in tests/markers.py. A finding counts as a true
positive only when it satisfies its marker (code, line, fragments, column); anything
else reported is a false positive, except on an `ambiguous:` line for that code.

Exit status is 0 unless a marker is malformed: this is a report, not a test.
"""
from __future__ import annotations

import os
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Tuple

from flake8_handler_block.engine import check_source

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from markers import Markers, MarkerError, compare, findings, read_markers  # noqa: E402  (after the path is set)


@dataclass
class Stats:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    positives: int = 0
    lookalikes: int = 0
    excluded: int = 0


def score(root: Path):
    """(files, per-code stats, false positives, false negatives) for a directory.

    Raises MarkerError (every malformed marker, with file:line) before scoring anything.
    """
    files = sorted(p for p in root.rglob("*.py") if p.is_file())
    stats: Dict[str, Stats] = defaultdict(Stats)
    fps: List[Tuple[str, int, str, str, str]] = []
    fns: List[Tuple[str, int, str, str, str]] = []
    texts = {path: path.read_text(encoding="utf-8") for path in files}
    parsed: Dict[Path, Markers] = {}
    problems: List[str] = []
    for path, text in texts.items():
        try:
            parsed[path] = read_markers(text, os.path.relpath(path))
        except MarkerError as exc:
            problems.append(str(exc))
    if problems:
        raise MarkerError("\n".join(problems))

    for path, text in texts.items():
        lines = text.splitlines()
        src = lambda n: lines[n - 1].split("  #")[0].strip() if 0 < n <= len(lines) else ""  # noqa: E731
        markers = parsed[path]
        rel = os.path.relpath(path)
        comparison = compare(markers, findings(check_source(text, str(path))))

        for expectation, _finding in comparison.matched:
            stats[expectation.code].tp += 1
        for expectation in comparison.missing:
            stats[expectation.code].fn += 1
            items = expectation.items
            note = " ".join(item.describe() for item in items[:1])
            if len(items) > 1:
                note += f" (group, lines {[item.line for item in items]})"
            fns.append((rel, expectation.line, expectation.code, note, src(expectation.line)))
        for finding in comparison.unexpected:
            stats[finding.code].fp += 1
            why = "look-alike" if finding.code in markers.ok.get(finding.line, ()) else "unmarked"
            fps.append((rel, finding.line, finding.code, f"{why}: {finding.message}", src(finding.line)))
        for finding in comparison.excluded:
            stats[finding.code].excluded += 1
        for expectation in markers.expectations():
            stats[expectation.code].positives += 1
        for codes in markers.ok.values():
            for code in codes:
                stats[code].lookalikes += 1
    return files, stats, fps, fns


def evaluate(root: Path) -> None:
    files, stats, fps, fns = score(root)

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


def main(argv: List[str]) -> int:
    root = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent.parent / "testdata" / "eval"
    if not root.is_dir():
        print(f"not a directory: {root}")
        return 0
    try:
        evaluate(root.resolve())
    except MarkerError as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
