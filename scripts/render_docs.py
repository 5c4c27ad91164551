#!/usr/bin/env python
"""Render docs/rules.md and the README rules table from the rule classes' docstrings.

    python scripts/render_docs.py          # rewrite what is stale
    python scripts/render_docs.py --check  # exit 1 when something is stale (CI)

README.md: only the region between ``<!-- rules-table:start -->`` and
``<!-- rules-table:end -->`` is replaced.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from flake8_handler_block.docs import render  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="do not write; exit 1 if anything is stale")
    parser.add_argument("--root", type=Path, default=ROOT, help="project root (default: this checkout)")
    args = parser.parse_args(argv)
    problems = render(args.root, check=args.check)
    for problem in problems:
        print(problem, file=sys.stderr)
    if args.check:
        return 1 if problems else 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
