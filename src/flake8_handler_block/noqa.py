"""``flake8-handler-block noqa``: write ``# noqa: HBxxx`` on every current finding.

Usage: ``flake8-handler-block noqa [--diff] [--select HB201,...] [--hb-scope SCOPE] PATHS...``
(or ``python -m flake8_handler_block.noqa ...``). For adopting the plugin on a large
codebase: silence today's findings, turn the plugin on, fix them gradually. See docs/noqa.md.

Where a comment goes follows flake8's own noqa model (checked against the real ``flake8``
in the test suite): flake8 looks for ``# noqa`` in the physical line of a finding joined
with the lines a multi-line token (a triple-quoted string) or a backslash continuation
ties it to, and only the *first* ``# noqa`` of that text counts. A comment can only sit at
the end of the last of those lines, so that is where it goes, merged into the ``# noqa``
already there when there is one. ``NoqaReading`` is that model for one text; ``fix`` uses it
too, so both commands agree with flake8 on what is silenced. This module is cheap to import;
libcst is loaded by the engine when ``run`` starts.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import io
import os
import re
import stat
import sys
import tempfile
import tokenize
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Dict, List, Optional, Sequence, Tuple

# flake8's own noqa syntax and code list parsing, so that both always read a comment alike.
from flake8.defaults import NOQA_FILE, NOQA_INLINE_REGEXP
from flake8.utils import parse_comma_separated_list

from .fix import EXIT_DIFF, EXIT_ERROR, EXIT_OK, _label, _python_files, add_rewrite_arguments

if TYPE_CHECKING:
    from .config import Config

PROG = "flake8-handler-block noqa"
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")  # the line breaks flake8's reader knows

Span = Tuple[int, int]  # (first, last) physical lines whose joined text flake8 searches for noqa


class NoqaError(Exception):
    """A file this command leaves alone (the linter does not analyse it either)."""


class RewriteError(NoqaError):
    """A bug of ours: the new text would not read as intended, so it is not written."""


@dataclass
class NoqaResult:
    source: str
    comments: int = 0  # comments written or extended
    silenced: Counter = field(default_factory=Counter)  # code -> findings the new comments silence
    unplaced: List[Tuple[int, str]] = field(default_factory=list)  # (line, message) no comment can silence


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_rewrite_arguments(parser, "comma-separated codes or prefixes to silence (default: every HB code)")


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog=PROG, description="Add '# noqa: HBxxx' to every current finding.")
    add_arguments(parser)
    return run(parser.parse_args(argv))


def run(args: argparse.Namespace) -> int:
    from .config import ConfigError, build_config

    try:
        config = build_config(args)
    except ConfigError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    select = [c.strip().upper() for c in (args.select or "").split(",") if c.strip()]

    status = EXIT_OK
    comments = files = unplaced = 0
    silenced: Counter = Counter()
    for path in _python_files(args.paths):
        try:
            text, encoding = _read(path)
            result = add_noqa(text, path, config, select or None)
        except (OSError, UnicodeError, SyntaxError, RewriteError) as exc:  # SyntaxError: a bad coding cookie
            print(f"{path}: error: {exc}", file=sys.stderr)
            status = EXIT_ERROR
            continue
        except NoqaError as exc:  # the linter reports nothing there either (HB000 is off by default)
            print(f"{path}: skipped: {exc}", file=sys.stderr)
            continue
        for line, message in result.unplaced:
            print(f"{path}:{line}: cannot silence {_code(message)}: {_UNPLACED}", file=sys.stderr)
            unplaced += 1
            status = max(status, EXIT_DIFF)
        if result.source == text:
            continue
        if args.diff:
            _print_diff(path, text, result.source)
        else:
            try:
                _write_atomically(path, result.source.encode(encoding))
            except OSError as exc:
                print(f"{path}: error: {exc}", file=sys.stderr)
                status = EXIT_ERROR
                continue
        files += 1
        comments += result.comments
        silenced += result.silenced
        status = max(status, EXIT_DIFF if args.diff else EXIT_OK)
    verb = "would add" if args.diff else "added"
    detail = ", ".join(f"{code} x{n}" for code, n in sorted(silenced.items()))
    print(f"{verb} {comments} noqa comment(s) in {files} file(s)" + (f" ({detail})" if detail else ""), file=sys.stderr)
    if unplaced:
        print(f"could not silence {unplaced} finding(s)", file=sys.stderr)
    return status


_UNPLACED = "the first '# noqa' flake8 reads for this line is inside a string; silence it by hand"


def _print_diff(path: str, old: str, new: str) -> None:
    sys.stdout.writelines(
        difflib.unified_diff(
            _LINE.findall(old), _LINE.findall(new), fromfile=_label("a", path), tofile=_label("b", path),
        )
    )


def add_noqa(
    text: str,
    filename: str = "<unknown>",
    config: Optional[Config] = None,
    select: Optional[Sequence[str]] = None,
) -> NoqaResult:
    """``text`` with a noqa comment for every finding flake8 would report. Raises NoqaError."""
    from .engine import check_source
    from .fix.core import selected

    lines = _LINE.findall(text)
    reading = NoqaReading(text)
    if reading.skips_file:
        return NoqaResult(text)
    seen = reading.lines
    findings = check_source("".join(seen), filename, config)
    for _, _, message in findings:
        if _code(message) == "HB000":  # the linter did not analyse it: nothing to silence
            raise NoqaError(message.split(" ", 1)[1])
    wanted = [(line, message) for line, _, message in findings if selected(_code(message), select)]
    result = NoqaResult(text)
    if not wanted:
        return result
    if reading.error is not None:  # flake8 would read each line alone; the spans to edit are unknown
        raise NoqaError(f"cannot tokenize: {reading.error}")
    by_span: Dict[Span, List[Tuple[int, str]]] = {}
    for line, message in wanted:
        by_span.setdefault(reading.span(line), []).append((line, message))

    edited = list(lines)
    for (first, last), found in sorted(by_span.items()):
        span = seen[first - 1:last]
        match = reading.first_noqa(first)
        missing = [(line, message) for line, message in found if not _silences(match, _code(message))]
        if not missing:
            continue
        codes = ",".join(sorted({_code(message) for _, message in missing}))
        body, ending = _split_ending(edited[last - 1])
        if match is None:
            new_body: Optional[str] = body.rstrip(" \t") + "  # noqa: " + codes
        else:
            new_body = _extended(body, match, span, reading.comments.get(last), codes)
        if new_body is None:
            result.unplaced.extend(missing)
            continue
        edited[last - 1] = new_body + ending
        result.comments += 1
        result.silenced.update(_code(message) for _, message in missing)
    result.source = "".join(edited)
    _verify(text, result, filename, wanted)
    return result


def _extended(body: str, match: re.Match, span: Sequence[str], comment: Optional[int], codes: str) -> Optional[str]:
    """The last line of ``span`` with ``codes`` added to the noqa flake8 reads first; None if it is in a string.

    ``comment`` is the column of that line's comment: a comment ends its line, so the noqa is
    in it when it starts on the last line at or after that column.
    """
    index, column = _locate(match.start(), span)
    if index != len(span) - 1 or comment is None or column < comment:
        return None
    trailing = _TRAILING_SEPARATORS.search(match.group("codes"))
    assert trailing is not None  # the pattern matches every string
    column = _locate(match.start("codes") + trailing.start(), span)[1]  # after the last code, before a reason
    return body[:column] + "," + codes + body[column:]


_TRAILING_SEPARATORS = re.compile(r"[,\s]*\Z")


def _code(message: str) -> str:
    return message.split(" ", 1)[0]


def _as_flake8_reads(lines: Sequence[str]) -> List[str]:
    """The lines as flake8 hands them to plugins: universal newlines turn every line break into "\\n"."""
    return [line.rstrip("\r\n") + "\n" if line.endswith(("\r", "\n")) else line for line in lines]


def _split_ending(line: str) -> Tuple[str, str]:
    body = line.rstrip("\r\n")
    return body, line[len(body):]


class NoqaReading:
    """What flake8's noqa comments silence in one file's text (flake8's processor and violation).

    flake8 searches the text of a finding's span (``span``) for the first ``# noqa``, strings
    included; a bare one, or one with no valid code after the colon, silences everything,
    otherwise the listed codes and prefixes do, compared case-sensitively (``silences``).
    ``# flake8: noqa`` on a line of its own skips the whole file (``skips_file``).
    """

    def __init__(self, text: str) -> None:
        self.lines = _as_flake8_reads(_LINE.findall(text))
        self.error: Optional[str] = None  # why the text does not tokenize; then each line stands alone
        try:
            self.spans, self.comments = _token_map(self.lines)
        except (tokenize.TokenError, SyntaxError) as exc:  # flake8 falls back to the physical line
            self.spans, self.comments, self.error = {}, {}, str(exc)

    @property
    def skips_file(self) -> bool:
        return any(NOQA_FILE.match(line) for line in self.lines)

    def span(self, line: int) -> Span:
        return self.spans.get(line, (line, line))

    def first_noqa(self, line: int) -> Optional[re.Match]:
        first, last = self.span(line)
        return NOQA_INLINE_REGEXP.search("".join(self.lines[first - 1:last]))

    def silences(self, line: int, code: str) -> bool:
        """Whether flake8 drops a finding of ``code`` reported on ``line`` (the file aside)."""
        return _silences(self.first_noqa(line), code)

    def comment_texts(self, line: int) -> List[str]:
        """The comments of the span of ``line`` (strings aside), each from its ``#`` to its line's end."""
        first, last = self.span(line)
        return [
            self.lines[number - 1][self.comments[number]:].rstrip("\r\n")
            for number in range(first, last + 1)
            if number in self.comments
        ]


def _token_map(lines: Sequence[str]) -> Tuple[Dict[int, Span], Dict[int, int]]:
    """(line -> the span flake8 joins to look for its noqa, line -> column of its comment).

    flake8 gathers tokens up to each NL/NEWLINE: a line stands alone unless a token that
    spans lines (a triple-quoted string) or a backslash continuation ties it to others.
    Raises what tokenize raises.
    """
    spans: Dict[int, Span] = {}
    comments: Dict[int, int] = {}
    first, last = len(lines) + 2, -1
    readline = iter(lines).__next__
    for token in tokenize.generate_tokens(readline):
        if token.type in (tokenize.ENDMARKER, tokenize.DEDENT):
            continue
        first, last = min(first, token.start[0]), max(last, token.end[0])
        if token.type == tokenize.COMMENT:
            comments[token.start[0]] = token.start[1]
        elif token.type in (tokenize.NL, tokenize.NEWLINE):
            spans.update(dict.fromkeys(range(first, last + 1), (first, last)))
            first, last = len(lines) + 2, -1
    return spans, comments


def _silences(match: Optional[re.Match], code: str) -> bool:
    """flake8's reading of the first noqa: bare silences all, else exact codes or prefixes (case counts)."""
    if match is None:
        return False
    codes = match.group("codes")
    if codes is None:
        return True
    listed = parse_comma_separated_list(codes)
    return code in listed or code.startswith(tuple(listed))


def _locate(offset: int, span: Sequence[str]) -> Tuple[int, int]:
    """(index of the line, column) of an offset into the joined lines."""
    for index, line in enumerate(span):
        if offset < len(line) or index == len(span) - 1:
            return index, offset
        offset -= len(line)
    raise ValueError("empty span")


def _verify(original: str, result: NoqaResult, filename: str, wanted: Sequence[Tuple[int, str]]) -> None:
    """The new text must read as flake8 would: every placed finding silenced, same lines, still Python."""
    reading = NoqaReading(result.source)
    if len(reading.lines) != len(_LINE.findall(original)):
        raise RewriteError("internal error: the rewrite changed the number of lines; file left alone")
    if reading.error is not None:
        raise RewriteError(f"internal error: the rewrite does not tokenize ({reading.error}); file left alone")
    unplaced = set(result.unplaced)
    for line, message in wanted:
        if (line, message) in unplaced:
            continue
        if not reading.silences(line, _code(message)):
            raise RewriteError(f"internal error: line {line} would still be reported; file left alone")
    if not _compiles(result.source, filename) and _compiles(original, filename):
        raise RewriteError("internal error: the rewrite does not compile; file left alone")


def _compiles(text: str, filename: str) -> bool:
    try:
        compile(text, filename, "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    except (SyntaxError, ValueError):
        return False
    return True


def _read(path: str) -> Tuple[str, str]:
    """(text, encoding): the PEP 263 cookie or BOM decides, as for flake8; line breaks untouched."""
    with open(path, "rb") as handle:
        raw = handle.read()
    encoding = tokenize.detect_encoding(io.BytesIO(raw).readline)[0]  # "utf-8-sig" keeps a BOM on write
    return raw.decode(encoding), encoding


def _write_atomically(path: str, data: bytes) -> None:
    """Replace the file (through a symlink, keeping its mode): readers see the old or the new text."""
    target = os.path.realpath(path)
    mode = stat.S_IMODE(os.stat(target).st_mode)
    directory, name = os.path.split(target)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{name}.", suffix=".noqa", dir=directory)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


__all__: Tuple[str, ...] = ("add_arguments", "run", "main", "add_noqa", "NoqaResult", "NoqaError", "NoqaReading")

if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
