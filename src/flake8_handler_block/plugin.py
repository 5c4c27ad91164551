"""The flake8 adapter: options in, ``(line, col, message, type)`` out.

flake8 owns noqa, --select/--ignore and output. This module stays cheap to import
(``flake8 --version`` must not pay for libcst): the engine is imported on first use.
"""

from __future__ import annotations

import ast
import os
import sys
from typing import Any, Callable, ClassVar, Iterator, List, Optional, Tuple

from . import __version__
from .config import SCOPES, Config, ConfigError, build_config


class Plugin:
    name = "flake8-handler-block"
    version = __version__

    _config: ClassVar[Optional[Config]] = None

    def __init__(self, tree: ast.AST, lines: List[str], filename: str = "stdin") -> None:
        self.lines = lines
        self.filename = filename

    @classmethod
    def add_options(cls, manager: Any) -> None:
        manager.add_option(
            "--hb-scope",
            parse_from_config=True,
            default=None,
            metavar="SCOPE",
            help=f"where handler-scoped HB rules look: {', '.join(SCOPES)} (default: default)",
        )
        lists = {
            "--hb-handler-decorators": "extra decorators that mark a request handler",
            "--hb-handler-base-classes": "extra base classes whose methods are request handlers",
            "--hb-wait-group-classes": "extra WaitGroup-like classes for HB401",
            "--hb-extra-timeout-calls": "extra calls that need a timeout, as pkg.mod.func[:index]",
        }
        for flag, text in lists.items():
            manager.add_option(
                flag, parse_from_config=True, comma_separated_list=True, default=None, help=text
            )
        values = {
            "--hb-project-reach": "follow calls across the modules of the project: true or false (default true)",
            "--hb-cache": "keep the project index on disk: true or false (default true)",
            "--hb-cache-dir": "where the project index is kept (default <project root>/.handler_block_cache)",
            "--hb-check-tooling": "look at tooling (setup.py, CLIs, scripts, ...) like any code (default false)",
            "--hb-requests-default-timeout": "the project gives requests a default timeout: HB201 reports no "
            "requests call (default false)",
            "--hb-equivalent-noqa": "a line that silences another linter's same check (# noqa: RUF006 or S113, "
            "# pylint: disable=missing-timeout) is not reported: true or false (default true)",
        }
        for flag, text in values.items():
            manager.add_option(flag, parse_from_config=True, default=None, help=text)
        globs = {
            "--hb-tooling": "globs of tooling paths, relative to the project root (replaces the defaults)",
            "--hb-extend-tooling": "more globs of tooling paths, added to the defaults",
        }
        for flag, text in globs.items():
            manager.add_option(flag, parse_from_config=True, comma_separated_list=True, default=None, help=text)
        # HB000 says a file was skipped (libcst could not parse it): opt-in only.
        manager.extend_default_ignore(["HB000"])

    @classmethod
    def parse_options(cls, options: Any) -> None:
        # flake8 consumes --isolated before plugins see the options: look at argv too.
        if "--isolated" in sys.argv[1:]:
            options.isolated = True
        try:
            cls._config = build_config(options)
        except ConfigError as exc:
            print(f"flake8-handler-block: error: {exc}", file=sys.stderr)
            raise SystemExit(2) from None
        # An empty cache: the project's index builds in a child process while flake8 finds the
        # files and runs its own checks (index.build_ahead_for_run).
        from .project.index import build_ahead_for_run

        paths = list(getattr(options, "filenames", None) or ["."])
        then = _findings_ahead(options, cls._config) if _one_file_at_a_time(options, paths) else None
        build_ahead_for_run(paths, cls._config, then)

    def run(self) -> Iterator[Tuple[int, int, str, type]]:
        config = type(self)._config or Config()
        text = "".join(self.lines)
        found = _known_findings(text, self.filename, config)
        if found is None or found is _PASSED_THE_GATE:
            # The project's index, not in the cache yet, builds in a child process meanwhile.
            from .project.index import build_ahead

            build_ahead(self.filename, config)
            from .engine import check_source  # libcst is imported only when a file is analysed

            found = check_source(text, self.filename, config, remember=True, gated=found is _PASSED_THE_GATE)
        for line, col, message in found:
            yield line, col, message, type(self)


def _one_file_at_a_time(options: Any, paths: List[str]) -> bool:
    """flake8 checks several files in this one process (``-j 1``) and another core is free."""
    jobs = getattr(options, "jobs", None)
    serial = jobs is not None and not getattr(jobs, "is_auto", True) and getattr(jobs, "n_jobs", 0) == 1
    return serial and (os.cpu_count() or 1) > 1 and not (len(paths) == 1 and os.path.isfile(paths[0]))


def _findings_ahead(options: Any, config: Config) -> Callable[[], None]:
    """What the child building the index does once the result is stored, when flake8 checks the
    files one after another in this process: the findings of the run's files, from the last one
    backwards, kept in the cache, where this process finds them when it gets there
    (``_known_findings``); it stops at a file whose findings are kept already (this process got
    there first). They are this process's findings: the same text (read as flake8 reads it),
    configuration, code and project make the key (``index.findings_slot``)."""

    def run() -> None:
        from flake8.discover_files import expand_paths
        from flake8.processor import FileProcessor

        from .engine import check_source, may_hold_finding
        from .project.index import findings_slot
        from .project.root import is_stdin
        from .rules import ALL_RULES

        files = list(expand_paths(
            paths=options.filenames, stdin_display_name=options.stdin_display_name,
            filename_patterns=options.filename, exclude=[*options.exclude, *options.extend_exclude],
        ))
        for filename in reversed(files):
            if is_stdin(filename):
                continue  # reading it here would take it from the run
            try:
                text = "".join(FileProcessor(filename, options).lines)
            except Exception:  # flake8 reports it; nothing to keep
                continue
            if not may_hold_finding(text, filename, config, ALL_RULES):
                continue
            slot = findings_slot(filename, config, text)
            if slot is None:
                continue
            if slot.load() is not None:
                return  # the run is past this file
            check_source(text, filename, config, remember=True)

    return run


_read_table: List[Any] = [None, None]  # the gate's kept data last read, and the GateTable it holds
# `_known_findings`: the file has to be analysed, and the kept gate let it through already (the
# analysis need not ask the gate again: the table is the one the rules' words make).
_PASSED_THE_GATE: List[Tuple[int, int, str]] = []


def _known_findings(text: str, filename: str, config: Config) -> Optional[List[Tuple[int, int, str]]]:
    """What ``check_source(..., remember=True)`` would say when it needs no analysis, found
    without importing libcst or the rules: [] when the gate stops the file (with the rules'
    words the last run of this code kept), the findings kept for this very text and state of
    the project otherwise; None when the file has to be analysed (or nothing was kept), and
    ``_PASSED_THE_GATE`` (itself) when it has to be and the gate let it through."""
    from .gate import GateTable, may_hold_finding
    from .project.index import findings_slot, stored_gate_table

    try:
        data = stored_gate_table(filename, config)
        if data is None:
            return None
        if _read_table[0] is not data:  # the same kept data for every file of the run: read once
            _read_table[:] = [data, GateTable.from_data(data)]
        table = _read_table[1]
        if table is None:
            return None
        if not may_hold_finding(text, filename, config, table):
            return []
        slot = findings_slot(filename, config, text)
        kept = slot.load() if slot is not None else None
        return _PASSED_THE_GATE if kept is None else kept
    except Exception:  # the long way round says what went wrong
        return None
