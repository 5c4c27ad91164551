"""Run the rules (no pycodestyle/pyflakes) over source trees and print findings and counts.

    python scripts/scan_tree.py .real-code [--select HB2,HB6] [--scope all] [--jobs 2]

For reading what the rules report on real code quickly; flake8 itself stays the product.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from flake8_handler_block.config import Config
from flake8_handler_block.engine import check_source


def _scan(job):
    path, scope = job
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError):
        return path, 0, []
    return path, text.count("\n"), check_source(text, path, Config(scope=scope))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--select", default="HB")
    parser.add_argument("--scope", default="reachable")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    prefixes = tuple(args.select.split(","))
    files = [str(f) for p in args.paths for f in (Path(p).rglob("*.py") if Path(p).is_dir() else [Path(p)])]
    counts: Counter = Counter()
    lines = 0
    start = time.perf_counter()
    with ProcessPoolExecutor(args.jobs) as pool:
        for path, n, findings in pool.map(_scan, [(f, args.scope) for f in files], chunksize=16):
            lines += n
            for line, col, message in findings:
                if message.startswith(prefixes):
                    counts[message.split()[0]] += 1
                    print(f"{path}:{line}:{col + 1}: {message}")
    elapsed = time.perf_counter() - start
    summary = ", ".join(f"{code} {n}" for code, n in sorted(counts.items())) or "no findings"
    print(f"# {len(files)} files, {lines} lines, {elapsed:.1f}s: {summary}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
