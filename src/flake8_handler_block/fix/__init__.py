"""``flake8-handler-block fix``: rewrite the findings that have one obvious, safe repair.

Usage: ``flake8-handler-block fix [--diff] [--select HB201,...] [--timeout EXPR] PATHS...``
(or ``python -m flake8_handler_block.fix ...``). The same engine and findings as the
linter decide where to fix; see docs/fix.md. This module stays cheap to import (the
CLI builds its parser from it): libcst is loaded only when ``run`` starts.
"""

from __future__ import annotations

import argparse
import difflib
import io
import os
import sys
import tokenize
from collections import Counter
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

from ..config import SCOPES

EXIT_OK, EXIT_DIFF, EXIT_ERROR = 0, 1, 2
_SKIP_DIRS = frozenset({"__pycache__", "node_modules", "site-packages"})


def add_rewrite_arguments(parser: argparse.ArgumentParser, select_help: str) -> None:
    """What every rewriting command takes (`fix`, `noqa`): paths, --diff and --select."""
    parser.add_argument("paths", nargs="+", metavar="PATH", help="files or directories (their *.py files)")
    parser.add_argument(
        "--diff", action="store_true",
        help="print a unified diff instead of rewriting; exit 1 when there is one (for CI)",
    )
    parser.add_argument("--select", metavar="CODES", default=None, help=select_help)
    parser.add_argument(
        "--hb-scope", dest="hb_scope", default=None, metavar="SCOPE",
        help=f"where the rules look: {', '.join(SCOPES)} (as the linter's --hb-scope)",
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_rewrite_arguments(parser, "comma-separated codes or prefixes to fix (default: every fixable code)")
    parser.add_argument(
        "--timeout", metavar="[CODE=]EXPR", action="append", default=None, dest="fix_timeout",
        help="timeout to insert, as a Python expression; CODE=EXPR sets one code (repeatable). "
        "Defaults: HB201 (3.05, 30), HB204 30, others 10; pyproject key: fix-timeout",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="list every finding left alone")


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="flake8-handler-block fix",
        description="Apply the safe automatic fixes for flake8-handler-block findings.",
    )
    add_arguments(parser)
    return run(parser.parse_args(argv))


def run(args: argparse.Namespace) -> int:
    from ..config import ConfigError, build_config, find_pyproject, load_pyproject_table
    from .core import FixError, fix_source, parse_timeouts

    try:
        config = build_config(args)
        pyproject = find_pyproject(os.getcwd())
        table = load_pyproject_table(pyproject) if pyproject else {}
        raw = _timeouts_from_pyproject(table.get("fix-timeout"), pyproject or "")
        raw.update(_timeouts_from_cli(getattr(args, "fix_timeout", None) or []))
        timeouts = parse_timeouts(raw)
    except (ConfigError, ValueError) as exc:
        print(f"flake8-handler-block fix: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    select = [c.strip().upper() for c in (getattr(args, "select", None) or "").split(",") if c.strip()]

    status = EXIT_OK
    fixed: Counter = Counter()
    files_changed = 0
    left: Counter = Counter()
    verbose = bool(getattr(args, "verbose", False))
    for path in _python_files(args.paths):
        try:
            with open(path, "rb") as handle:
                data = handle.read()
            encoding = tokenize.detect_encoding(io.BytesIO(data).readline)[0]  # PEP 263 cookie, BOM
            text = data.decode(encoding)  # line endings untouched
            result = fix_source(text, path, config, select or None, timeouts)
        except (OSError, UnicodeError, SyntaxError) as exc:  # SyntaxError: a bad coding cookie
            print(f"{path}: error: {exc}", file=sys.stderr)
            status = EXIT_ERROR
            continue
        except FixError as exc:  # the linter skips it too (HB000): a note, not a failure
            print(f"{path}: skipped: {exc}", file=sys.stderr)
            continue
        for item in result.remaining:
            left[(item.code, item.reason)] += 1
            if verbose:
                print(f"{path}:{item.line}:{item.column + 1}: {item.code} left alone ({item.reason})", file=sys.stderr)
        if result.source == text:
            continue
        files_changed += 1
        fixed += result.fixed
        if args.diff:
            sys.stdout.writelines(
                difflib.unified_diff(
                    text.splitlines(keepends=True), result.source.splitlines(keepends=True),
                    fromfile=_label("a", path), tofile=_label("b", path),
                )
            )
            status = max(status, EXIT_DIFF)
        else:
            with open(path, "wb") as handle:
                handle.write(result.source.encode(encoding))
    _summary(fixed, files_changed, left, bool(args.diff))
    return status


def _summary(fixed: Counter, files: int, left: Counter, diff: bool) -> None:
    verb = "would fix" if diff else "fixed"
    total = sum(fixed.values())
    detail = ", ".join(f"{code} x{n}" for code, n in sorted(fixed.items()))
    print(f"{verb} {total} finding(s) in {files} file(s)" + (f" ({detail})" if detail else ""), file=sys.stderr)
    if left:
        print(f"left alone: {sum(left.values())} finding(s)", file=sys.stderr)
        for (code, reason), n in sorted(left.items()):
            print(f"  {code} x{n}: {reason}", file=sys.stderr)


def _label(side: str, path: str) -> str:
    """git-style a/ b/ prefixes for relative paths; absolute paths as they are."""
    return path if os.path.isabs(path) else f"{side}/{os.path.normpath(path)}"


def _timeouts_from_cli(values: List[str]) -> Dict[str, str]:
    raw: Dict[str, str] = {}
    for value in values:
        code, sep, expr = value.partition("=")
        if sep and code.strip().upper().startswith("HB") and code.strip()[2:].isdigit():
            raw[code.strip().upper()] = expr
        else:
            raw["*"] = value
    return raw


def _timeouts_from_pyproject(value: object, path: str) -> Dict[str, str]:
    """``fix-timeout = 10``, ``= "(3.05, 30)"`` or ``= {HB201 = "(3.05, 30)", HB204 = 60}``."""
    where = f"{path} [tool.flake8-handler-block] fix-timeout"
    if value is None:
        return {}
    if isinstance(value, bool):
        raise ValueError(f"{where}: expected a number, an expression string or a table, got {value!r}")
    if isinstance(value, (int, float, str)):
        return {"*": str(value)}
    if isinstance(value, dict):
        raw = {}
        for code, expr in value.items():
            if isinstance(expr, bool) or not isinstance(expr, (int, float, str)):
                raise ValueError(f"{where}: {code} must be a number or an expression string, got {expr!r}")
            raw["*" if code == "*" else str(code).upper()] = str(expr)
        return raw
    raise ValueError(f"{where}: expected a number, an expression string or a table, got {value!r}")


def _python_files(paths: Sequence[str]) -> Iterator[str]:
    for path in paths:
        if os.path.isdir(path):
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in _SKIP_DIRS)
                for name in sorted(files):
                    if name.endswith(".py"):
                        yield os.path.join(root, name)
        else:
            yield path


__all__: Tuple[str, ...] = ("add_arguments", "run", "main")

if __name__ == "__main__":  # pragma: no cover - python -m runs __main__.py
    raise SystemExit(main())
