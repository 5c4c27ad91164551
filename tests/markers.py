"""Expectation markers in testdata: the one grammar for the rule fixtures and the blind set.

Markers are end-of-line comments, read with `tokenize` (never evaluated)::

    x = requests.get(url)  # expect: HB201 "requests.get() has no timeout" "handler 'show'"
    r = s.get(u).json()    # expect: HB201[col=5] "s.get()", HB601 "blocks the event loop"
    worker.start()         # expect: HB501@pdf "Thread()"
    requests.get(u, timeout=3)  # ok: timeout given
    client.get(u)          # ok: HB203 default timeout applies
    fut.result()           # ambiguous: HB601 the spec does not say
    r = requests.get(u)    # expect: HB601; ok: HB201 timeout given; HB102 context manager

Grammar (spaces are free between the parts)::

    marker    := segment (";" segment)*
    segment   := "expect:" finding ("," finding)*
               | "ok:" [CODE ("," CODE)*] [reason]
               | "ambiguous:" CODE ("," CODE)* [reason]
               | CODE ...                       continues the previous segment's keyword
    reason    := free text up to a ";" that a keyword or a code follows
    finding   := CODE ["[col=" N "]"] ["@" TAG] fragment*
    fragment  := '"' text without '"' '"'  |  "'" text without "'" "'"

- `expect`: exactly this finding must be reported on this line: the code, every fragment
  inside its message, and the column where one is given (1-based, as flake8 prints it).
  Several findings on one line are separated by commas; two of the same code need two items.
- `@TAG`: one finding, reported on any of the lines that carry the same CODE@TAG (for
  constructs where the spec does not fix which line is "the" line); on the line it is
  reported on, that line's fragments and column apply.
- `ok`: a look-alike. Nothing may be reported here unless expected; the codes say what
  it looks like. `ambiguous`: findings of those codes on this line are not scored.
- Everything else on a line is reported as unexpected.

A malformed marker raises `MarkerError` naming file:line: an unknown code, a missing
quote, text after a code that is not a fragment, a keyword without a colon or in the
wrong case (`# expect HB201`, `# Expected: ...`), or a code in a comment that is not a marker.
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass, field
from typing import Collection, Dict, Iterable, List, Optional, Sequence, Set, Tuple

_CODE = re.compile(r"HB\d{3}\b")
_COLUMN = re.compile(r"\[\s*col\s*=\s*(\d+)\s*\]")
_TAG = re.compile(r"@([A-Za-z0-9_-]+)")
_KEYWORD = re.compile(r"(expect|ok|ambiguous)\s*:")
# Where a marker starts inside a comment token: a '#', then a word that looks like a keyword.
_LOOKS_LIKE_MARKER = re.compile(r"#\s*(?=(?:expect\w*|ok|ambiguous)\b)", re.IGNORECASE)
_ANY_CODE = re.compile(r"\bHB\d{3}\b")
_NEXT_SEGMENT = re.compile(r";\s*(?=(?:expect|ok|ambiguous)\s*:|HB\d{3}\b)")


class MarkerError(ValueError):
    """One or more malformed markers; the message has one `file:line: problem` per line."""


@dataclass(frozen=True)
class Item:
    """One expected finding as written on one line."""

    line: int
    code: str
    column: Optional[int] = None  # 1-based, as flake8 prints it
    fragments: Tuple[str, ...] = ()
    tag: Optional[str] = None

    def accepts(self, finding: "Finding") -> bool:
        return (
            finding.line == self.line
            and finding.code == self.code
            and (self.column is None or finding.column == self.column)
            and all(fragment in finding.message for fragment in self.fragments)
        )

    def describe(self) -> str:
        column = f"[col={self.column}]" if self.column is not None else ""
        tag = f"@{self.tag}" if self.tag else ""
        return " ".join([f"{self.code}{column}{tag}", *(f'"{f}"' for f in self.fragments)])


@dataclass(frozen=True)
class Expectation:
    """One finding that must be reported: a single item, or the items of one CODE@TAG group."""

    items: Tuple[Item, ...]

    @property
    def code(self) -> str:
        return self.items[0].code

    @property
    def line(self) -> int:
        return self.items[0].line

    def accepts(self, finding: "Finding") -> bool:
        return any(item.accepts(finding) for item in self.items)


@dataclass(frozen=True)
class Finding:
    line: int
    column: int  # 1-based, as flake8 prints it
    code: str
    message: str


@dataclass
class Markers:
    items: List[Item] = field(default_factory=list)
    ok: Dict[int, Tuple[str, ...]] = field(default_factory=dict)  # line -> codes (may be empty)
    ambiguous: Set[Tuple[int, str]] = field(default_factory=set)  # (line, code)

    def expectations(self) -> List[Expectation]:
        """Untagged items one by one; tagged items grouped by (code, tag)."""
        groups: Dict[Tuple[str, str], List[Item]] = {}
        single: List[Expectation] = []
        for item in self.items:
            if item.tag is None:
                single.append(Expectation((item,)))
            else:
                groups.setdefault((item.code, item.tag), []).append(item)
        return single + [Expectation(tuple(items)) for items in groups.values()]

    def expected_lines(self) -> Set[Tuple[int, str]]:
        return {(item.line, item.code) for item in self.items}


def findings(raw: Iterable[Tuple[int, int, str]]) -> List[Finding]:
    """`check_source` output (line, 0-based column, message) as Findings."""
    return [Finding(line, column + 1, message.split(" ", 1)[0], message) for line, column, message in raw]


def rule_codes() -> Set[str]:
    """The codes a marker may name: every rule's, and HB000 (file not analysed)."""
    from flake8_handler_block.rules import ALL_RULES

    return {rule.code for rule in ALL_RULES} | {"HB000"}


def read_markers(text: str, path: str = "<text>", known: Optional[Collection[str]] = None) -> Markers:
    """Every marker in `text`; raises MarkerError listing each malformed one."""
    known = rule_codes() if known is None else known
    markers = Markers()
    problems: List[str] = []
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError) as exc:
        raise MarkerError(f"{path}: cannot tokenize: {exc}") from None
    for token in tokens:
        if token.type != tokenize.COMMENT:
            continue
        line = token.start[0]
        start = _LOOKS_LIKE_MARKER.search(token.string)
        if start is None:
            if _ANY_CODE.search(token.string):
                problems.append(f"{path}:{line}: a code in a comment that is not a marker: {token.string}")
            continue
        try:
            _parse(token.string[start.end():], line, known, markers)
        except _Malformed as exc:
            problems.append(f"{path}:{line}: {exc}: {token.string}")
    for item in markers.items:
        if (item.line, item.code) in markers.ambiguous:
            problems.append(f"{path}:{item.line}: {item.code} both expected and ambiguous")
        if item.code in markers.ok.get(item.line, ()):
            problems.append(f"{path}:{item.line}: {item.code} both expected and ok")
    if problems:
        raise MarkerError("malformed markers:\n" + "\n".join(problems))
    return markers


class _Malformed(Exception):
    pass


def _parse(body: str, line: int, known: Collection[str], markers: Markers) -> None:
    """One marker comment (from its keyword on) into `markers`.

    Segments are read left to right rather than split at every ';': a fragment may hold
    a ';', and so may an ok/ambiguous reason.
    """
    keyword: Optional[str] = None
    rest = body.strip()
    while True:
        match = _KEYWORD.match(rest)
        if match:
            keyword, rest = match.group(1), rest[match.end():].lstrip()
        elif keyword is None:
            raise _Malformed("expected 'expect:', 'ok:' or 'ambiguous:' (lower case, with a colon)")
        elif not _CODE.match(rest):
            raise _Malformed(f"segment {rest[:30]!r} starts with neither a keyword nor a code")
        # else: a segment that starts with a code continues the previous keyword
        if keyword == "expect":
            items, rest = _findings(rest, line, known)
            markers.items.extend(items)
        else:
            # A reason is prose and may hold a ';': only a keyword or a code starts a new segment.
            end = _NEXT_SEGMENT.search(rest)
            segment, rest = (rest[:end.start()], rest[end.end():]) if end else (rest, "")
            codes = _codes(segment, known)
            if keyword == "ok":
                markers.ok[line] = markers.ok.get(line, ()) + codes
            elif not codes:
                raise _Malformed("'ambiguous:' needs a code")
            else:
                markers.ambiguous.update((line, code) for code in codes)
        rest = rest.strip()
        if not rest:
            return


def _code(text: str, known: Collection[str]) -> Tuple[str, str]:
    """The code at the start of `text` and what follows it."""
    match = _CODE.match(text)
    if not match:
        raise _Malformed(f"expected a code like HB201, found {text[:20]!r}" if text else "expected a code")
    if match.group(0) not in known:
        raise _Malformed(f"unknown code {match.group(0)}")
    return match.group(0), text[match.end():].lstrip()


def _codes(text: str, known: Collection[str]) -> Tuple[str, ...]:
    """Leading `CODE, CODE` of an ok/ambiguous segment; the free-text reason after them is ignored."""
    codes: List[str] = []
    rest = text.strip()
    while _CODE.match(rest):
        code, rest = _code(rest, known)
        codes.append(code)
        if not rest.startswith(","):
            break
        rest = rest[1:].lstrip()
    return tuple(codes)


def _findings(text: str, line: int, known: Collection[str]) -> Tuple[List[Item], str]:
    """The findings of an expect segment, and the text after the ';' that ends it."""
    items: List[Item] = []
    rest = text.strip()
    while True:
        code, rest = _code(rest, known)
        column: Optional[int] = None
        tag: Optional[str] = None
        match = _COLUMN.match(rest)
        if match:
            column, rest = int(match.group(1)), rest[match.end():].lstrip()
            if column < 1:
                raise _Malformed("columns start at 1, as flake8 prints them")
        elif rest.startswith("["):
            raise _Malformed(f"after {code}: expected '[col=N]', found {rest[:20]!r}")
        match = _TAG.match(rest)
        if match:
            tag, rest = match.group(1), rest[match.end():].lstrip()
        fragments: List[str] = []
        while rest[:1] in ("'", '"'):
            end = rest.find(rest[0], 1)
            if end < 0:
                raise _Malformed(f"after {code}: missing closing quote {rest[0]}")
            if end == 1:
                raise _Malformed(f"after {code}: empty fragment")
            fragments.append(rest[1:end])
            rest = rest[end + 1:].lstrip()
        items.append(Item(line, code, column, tuple(fragments), tag))
        if not rest:
            return items, ""
        if rest.startswith(";"):
            return items, rest[1:]
        if not rest.startswith(","):
            raise _Malformed(f"after {code}: {rest[:30]!r} is not a quoted fragment")
        rest = rest[1:].lstrip()


@dataclass
class Comparison:
    """Expectations paired with findings; what is left over on either side."""

    matched: List[Tuple[Expectation, Finding]]
    missing: List[Expectation]
    unexpected: List[Finding]
    excluded: List[Finding]  # on an `ambiguous:` line with that code

    @property
    def exact(self) -> bool:
        return not (self.missing or self.unexpected)

    def report(self, text: str, path: str) -> str:
        """Each miss and each surprise, with the source line and a caret under the column."""
        lines = text.splitlines()
        found_at: Dict[int, List[Finding]] = {}
        for finding in self.unexpected:
            found_at.setdefault(finding.line, []).append(finding)
        out: List[str] = []
        shown: Set[int] = set()  # a finding shown as "reported instead" is not listed again
        for expectation in sorted(self.missing, key=lambda e: (e.line, e.code)):
            for item in expectation.items:
                near = [f for f in found_at.get(item.line, []) if f.code == item.code]
                column = item.column or (near[0].column if near else None)
                out.append(f"{path}:{item.line}: missing {item.describe()}")
                out.extend(_excerpt(lines, item.line, column))
                out.extend(f"    reported instead at col {f.column}: {f.message}" for f in near)
                shown.update(id(f) for f in near)
        for finding in sorted(self.unexpected, key=lambda f: (f.line, f.column, f.code)):
            if id(finding) in shown:
                continue
            out.append(f"{path}:{finding.line}:{finding.column}: unexpected {finding.message}")
            out.extend(_excerpt(lines, finding.line, finding.column))
        return "\n".join(out)


def _excerpt(lines: Sequence[str], line: int, column: Optional[int]) -> List[str]:
    if not 0 < line <= len(lines):
        return []
    source = lines[line - 1]
    excerpt = [f"    {source}"]
    if column is not None:
        excerpt.append("    " + " " * (column - 1) + "^")
    return excerpt


def compare(markers: Markers, found: Sequence[Finding]) -> Comparison:
    """Pair each expectation with one finding it accepts, as many pairs as possible."""
    excluded = [f for f in found if (f.line, f.code) in markers.ambiguous]
    scored = [f for f in found if (f.line, f.code) not in markers.ambiguous]
    expectations = markers.expectations()
    candidates = [[i for i, f in enumerate(scored) if e.accepts(f)] for e in expectations]
    owner: Dict[int, int] = {}  # finding index -> expectation index

    # Augmenting paths (Kuhn): a greedy pass could give a loose fragment the finding a
    # stricter one on the same line needs.
    def assign(e: int, seen: Set[int]) -> bool:
        for f in candidates[e]:
            if f in seen:
                continue
            seen.add(f)
            if f not in owner or assign(owner[f], seen):
                owner[f] = e
                return True
        return False

    for e in range(len(expectations)):
        assign(e, set())
    paired = {e: f for f, e in owner.items()}
    return Comparison(
        matched=[(expectations[e], scored[f]) for e, f in sorted(paired.items())],
        missing=[x for e, x in enumerate(expectations) if e not in paired],
        unexpected=[f for i, f in enumerate(scored) if i not in owner],
        excluded=excluded,
    )
