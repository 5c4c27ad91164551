"""The ``flake8-handler-block`` command (also ``python -m flake8_handler_block``).

    flake8-handler-block rules            the rules table
    flake8-handler-block explain HB201    one rule's documentation
    flake8-handler-block confirm ...      run the runtime harness (when installed)
    flake8-handler-block fix ...          apply the safe fixes (when installed)
    flake8-handler-block noqa ...         add '# noqa: HBxxx' to every current finding

Importing this module is cheap: the rules (and libcst) are imported only by the
subcommand that needs them. ``confirm`` and ``fix`` live in their own modules,
each providing ``add_arguments(parser)`` and ``run(args) -> int``; they are wired
only when present, and imported only when their subcommand is the one being run.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys
from typing import Callable, List, Optional, Sequence

from . import __version__

PROG = "flake8-handler-block"

# subcommand -> (module providing add_arguments/run, one-line help)
PLUGGED = {
    "confirm": (
        "flake8_handler_block.harness.confirm",
        "run the app to confirm findings (exit 0 all confirmed, 1 one not, 3 one inconclusive)",
    ),
    "fix": ("flake8_handler_block.fix", "apply the safe automatic fixes (fixable rules)"),
    "noqa": ("flake8_handler_block.noqa", "add '# noqa: HBxxx' to every current finding (adopt now, fix later)"),
}


def _module_exists(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def _command_in(argv: Sequence[str]) -> Optional[str]:
    """The subcommand named on the command line (first non-option word)."""
    for word in argv:
        if not word.startswith("-"):
            return word
    return None


def build_parser(argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Find request handlers that can block forever or leak (flake8 plugin companion).",
        epilog="Lint with: flake8 --select HB path/",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    explain = sub.add_parser(
        "explain", help="print a rule's documentation", description="Print a rule's documentation."
    )
    explain.add_argument("code", help="rule code, e.g. HB201")
    explain.set_defaults(handler=_explain)

    rules = sub.add_parser("rules", help="list every rule (Markdown table)", description="List every rule.")
    rules.set_defaults(handler=_rules)

    chosen = _command_in(argv)
    for name, (module_name, text) in PLUGGED.items():
        if not _module_exists(module_name):
            continue
        sub_parser = sub.add_parser(name, help=text, description=text)
        if name == chosen:
            _wire(sub_parser, name, module_name)
    return parser


def _wire(parser: argparse.ArgumentParser, name: str, module_name: str) -> None:
    """Import the subcommand's module (only when it is the one run) and let it add its options."""
    module = importlib.import_module(module_name)
    add_arguments = getattr(module, "add_arguments", None)
    run = getattr(module, "run", None)
    if not callable(add_arguments) or not callable(run):
        parser.set_defaults(handler=_unavailable(name, module_name), accepts_anything=True)
        return
    add_arguments(parser)
    parser.set_defaults(handler=run)


def _unavailable(name: str, module_name: str) -> Callable[[argparse.Namespace], int]:
    def handler(args: argparse.Namespace) -> int:
        _error(f"'{name}' is not available: {module_name} has no add_arguments()/run()")
        return 2

    return handler


def _error(text: str) -> None:
    print(f"{PROG}: error: {text}", file=sys.stderr)


def _explain(args: argparse.Namespace) -> int:
    from . import docs

    rule = docs.find_rule(args.code)
    if rule is None:
        _error(f"unknown rule code {args.code!r} (list them with `{PROG} rules`)")
        return 2
    sys.stdout.write(docs.rule_markdown(rule, level=1))
    return 0


def _rules(args: argparse.Namespace) -> int:
    from . import docs

    sys.stdout.write(docs.rules_table(links=False))
    return 0


def main(argv: Optional[List[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(argv)
    args, unknown = parser.parse_known_args(argv)
    if unknown and not getattr(args, "accepts_anything", False):
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    try:
        return int(handler(args) or 0)
    except BrokenPipeError:  # `flake8-handler-block rules | head`
        return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
