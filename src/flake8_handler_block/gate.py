"""The cheap text gate: most files of a large tree stop here, before any parse.

The rules' words come in as data (:class:`GateTable`), so this module imports neither libcst
nor the rules: the flake8 plugin keeps the table of the last run on disk and, over unchanged
code, answers a whole run without importing libcst at all (``plugin._known_findings``).
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import AbstractSet, Any, Dict, FrozenSet, Iterable, List, Optional, Tuple

from .config import Config
from .handlers import HANDLER_HINTS, is_django_views_file
from .project.index import ModuleMark, client_names, module_mark

Check = Tuple[Tuple[str, ...], Tuple[str, ...]]  # one rule: (any of these words, all of these)


@dataclass(frozen=True)
class GateTable:
    """The rules' words for one configuration (``engine.gate_table`` builds it from the rules)."""

    handler: Tuple[Check, ...]  # rules that look only where a handler reaches
    anywhere: Tuple[Check, ...]  # rules that look everywhere
    async_rules: bool  # a rule looks at what runs on a handler's event loop (HB601, HB602)

    def to_data(self) -> List[Any]:
        return [[list(map(list, c)) for c in self.handler], [list(map(list, c)) for c in self.anywhere],
                self.async_rules]

    @classmethod
    def from_data(cls, data: Any) -> Optional["GateTable"]:
        """The table stored by ``to_data``; None when ``data`` is not one."""
        try:
            handler, anywhere, async_rules = data
            checks = tuple(tuple(_check(c) for c in group) for group in (handler, anywhere))
        except (TypeError, ValueError):
            return None
        if not isinstance(async_rules, bool):
            return None
        return cls(checks[0], checks[1], async_rules)


def _check(data: Any) -> Check:
    words, required = data
    if not all(isinstance(w, str) for w in (*words, *required)):
        raise ValueError("not a word")
    return tuple(words), tuple(required)


def _passes(checks: Tuple[Check, ...], present: AbstractSet[str]) -> bool:
    """Per rule: any of its words, and every word it requires, appear in the text."""
    return any(
        any(word in present for word in words) and all(word in present for word in required)
        for words, required in checks
    )


class Words:
    """Which of a fixed set of words a text holds, in fewer scans of the text.

    Every missing word costs a scan of the whole file, and most files miss them all. Words
    that share a name (``import requests``, ``from requests``, ``, requests``) are grouped
    under it, and looked for only when the name is there: the same answer as testing each
    word (a word's name is a substring of it), with about half the scans. A name of word
    characters only can sit only inside a run of them, so it is looked for among the text's
    distinct runs (a set lookup, else a scan of those runs joined by spaces, a few times
    shorter than the text); names with other characters (``while True``) scan the text.
    """

    def __init__(self, words: Iterable[str]) -> None:
        groups: Dict[str, List[str]] = {}
        for word in sorted(set(words)):
            groups.setdefault(_name_in(word), []).append(word)
        self.groups = tuple((name, tuple(members)) for name, members in groups.items())
        self._wordy = tuple(_WORD_RUN.fullmatch(name) is not None for name, _members in self.groups)

    def present(self, text: str) -> FrozenSet[str]:
        runs = set(_WORD_RUN.findall(text))
        joined = " ".join(runs)
        found: List[str] = []
        for (name, members), wordy in zip(self.groups, self._wordy):
            if (name in runs or name in joined) if wordy else name in text:
                found.extend(word for word in members if word == name or word in text)
        return frozenset(found)


_WORD_RUN = re.compile(r"\w+")


_NOT_NAMES = frozenset({"import", "from"}) | frozenset(keyword.kwlist)


def _name_in(word: str) -> str:
    """The longest name in ``word`` that is not a keyword (``requests`` in ``import requests``),
    else the word itself."""
    names = [run for run in re.findall(r"[A-Za-z_]\w*", word) if run not in _NOT_NAMES]
    return max(names, key=len) if names else word


@lru_cache(maxsize=32)
def words_of(table: GateTable) -> Words:
    return Words(word for checks in (table.handler, table.anywhere) for c in checks for group in c for word in group)


def may_hold_finding(text: str, filename: str, config: Config, table: GateTable) -> bool:
    """A file passes when a rule that looks everywhere finds its words, or when a
    handler-scoped rule finds its words *and* the text looks like it holds a handler,
    or a handler elsewhere in the project reaches this module (asked only then). The
    project is also asked about a file that names none of the words: it may use a client
    another module builds, or call a wrapper of another module that passes on no timeout.
    """
    present = words_of(table).present(text)
    if _passes(table.anywhere, present):
        return True
    if _uses_a_client_of_the_project(filename, config, text):
        return True
    if _calls_a_wrapper_without_timeout(filename, config, text):
        return True
    if not _passes(table.handler, present):
        # An async function may still call a helper of another module that blocks (HB601); a sync
        # function may run on a handler's loop, registered as an MCP tool in another module.
        if "async" not in text and not present:
            return False
        mark = _async_mark(filename, config, text, table)
        return mark is not None and (mark.blocking if "async" in text else mark.on_loop)
    if config.scope == "all" or is_django_views_file(filename):
        return True
    if HANDLER_HINTS.search(text):
        return True
    if any(word in present for word in config.gate_words()):
        return True
    if config.scope == "handlers" or not config.project_reach:
        return False
    mark = module_mark(filename, config, text)
    return mark is not None and mark.reached


def _uses_a_client_of_the_project(filename: str, config: Config, text: str) -> bool:
    """The text names an HTTP client (or a child process) another module builds (``from .http import SESSION``)."""
    if config.scope == "handlers" or not config.project_reach:
        return False
    return any(name in text for name in client_names(filename, config))


def _calls_a_wrapper_without_timeout(filename: str, config: Config, text: str) -> bool:
    """A call here of another module's wrapper that passes on no timeout (``download(url, path)``
    of ``def download(url, path, timeout=None): requests.get(url, timeout=timeout)``): the words
    of the call it wraps are in the other module only. Asked of the project alone (a module alone
    answers for its own wrappers, whose words it holds)."""
    if config.scope == "handlers" or not config.project_reach:
        return False
    mark = module_mark(filename, config, text, alone=False)
    return mark is not None and mark.forwarding


def _async_mark(filename: str, config: Config, text: str, table: GateTable) -> Optional[ModuleMark]:
    """What the project says of the module, asked for the rules of code on a handler's loop: does an
    async function of it call a helper that blocks (``blocking``), does a sync one run on the loop
    (``on_loop``)? None when the rules or the configuration do not ask."""
    if config.scope == "handlers" or not config.project_reach or not table.async_rules:
        return None
    return module_mark(filename, config, text)
