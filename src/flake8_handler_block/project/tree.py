"""The files of one project: a cheap text scan of all of them, summaries on demand.

Every file is looked at once as text (cached by size and mtime): may it define or
register a handler, and which base class names do its class statements use. Only the
modules the graph asks for are parsed (handler modules, what they call, the bases and
subclasses of view classes), so a large tree with few handlers stays cheap.
"""

from __future__ import annotations

import hashlib
import mmap
import re
import time
from typing import Collection, Dict, FrozenSet, Iterator, List, Optional, Set, Tuple, Union

from ..catalog import CLIENT_HINTS, CLIENT_IMPORTS
from ..config import Config
from ..handlers import HANDLER_HINTS, is_django_views_file
from .cache import Cache, Light, racy
from .default_timeout import LDAP_TIMEOUT_HINT, MAIL_SETTINGS_HINT, PATCH_HINT, SOCKET_DEFAULT_HINT
from .root import ModuleNames, SourceFile, may_put_on_path, own_directory_on_path, path_entries, scan
from .summary import ModuleSummary, empty_summary, summarise

# Starts with a literal, so the regex engine jumps from one "class" to the next; a match in a
# string or comment only adds a candidate file to the subclass search.
_CLASS_BASES = re.compile(r"class\s+(\w+)\s*\(([^)]*)\)")
_BASE_NAME = re.compile(r"([A-Za-z_]\w*)\s*(?:\[.*)?$", re.DOTALL)
# A name after ``**`` as Python reads it (blanks, a comment or a line continuation may come between).
_DOUBLE_STARRED = re.compile(r"\*\*(?:[\s\\(]|#[^\n]*)*([^\W\d]\w*)")


class OutOfTime(Exception):
    """The index went past its time budget."""


def budget_clock() -> float:
    """The clock of the index's time budget: the CPU time this process spent. What other processes
    do to the machine (a CI runner's other jobs, ``flake8 -j`` siblings, a helper building beside
    it) does not use the budget up, so a loaded run builds the index an idle one does."""
    return time.process_time()


class Claimed(Exception):
    """A helping process asked for a module another process is summarising (``ProjectTree.helping``)."""


class ProjectTree:
    def __init__(self, root: str, config: Config, cache: Cache, max_files: int, deadline: float,
                 only: Optional[Dict[str, str]] = None) -> None:
        """``only``: no scan, just these files (path -> source), for a module on its own."""
        self.root = root
        self.config = config
        self.cache = cache
        self.deadline = deadline
        # other files the analysis reads or looks for (root markers, console scripts): part of
        # what a module's kept findings depend on (index.findings_slot)
        self.settings: List[SourceFile] = []
        if only is None:
            skip = (cache.base,) if cache.enabled else ()
            self.files: Dict[str, SourceFile] = {f.path: f for f in scan(root, max_files, skip, self.settings)}
        else:
            self.files = {path: SourceFile(path, len(text), 0) for path, text in only.items()}
        paths = list(self.files)
        self.names = ModuleNames(paths, own_directory_on_path(root, paths) if only is None else ())
        # path -> source that replaces the file's (an editor buffer)
        self.overrides: Dict[str, str] = dict(only or {})
        self._summaries: Dict[str, Optional[ModuleSummary]] = {}
        self.parsed = 0  # modules summarised from source in this process (the rest came from the cache)
        self._light_facts: Optional[Dict[str, Light]] = None
        self._by_base: Dict[str, List[str]] = {}
        self._texts: Dict[str, Tuple[str, Tuple[Tuple[str, FrozenSet[str]], ...]]] = {}  # ``_declared``
        self._subclass_chains: Dict[str, Tuple[List[str], FrozenSet[str]]] = {}  # ``_descendants``
        self._order: Optional[Dict[str, int]] = None
        self._on_path: Dict[str, bool] = {}  # a directory -> a file below it puts it on sys.path
        # One byte a file, shared with the processes forked after ``share_claims``: set by the
        # process that summarises the file from source. A helping process leaves those alone.
        self._claims: Optional[mmap.mmap] = None
        self._mine: Set[str] = set()
        self.helping = False

    @property
    def light(self) -> Dict[str, Light]:
        """The text scan of every file, done on first use (a cached result needs none)."""
        return self._scanned()

    def _scanned(self) -> Dict[str, Light]:
        if self._light_facts is None:
            self._light_facts = self._light()
            for path, entry in self._light_facts.items():
                for base in entry.bases:
                    self._by_base.setdefault(base, []).append(path)
        return self._light_facts

    def check_time(self) -> None:
        if budget_clock() > self.deadline:
            raise OutOfTime()

    # -- the text scan ---------------------------------------------------------------

    def _words_key(self) -> str:
        return ",".join(self.config.gate_words())

    def _light(self) -> Dict[str, Light]:
        words = self._words_key()
        cached = self.cache.load_light(words)
        light: Dict[str, Light] = {}
        changed = False
        for path, source in self.files.items():
            entry = cached.get(path)
            if entry is None or (entry.size, entry.mtime_ns) != (source.size, source.mtime_ns):
                self.check_time()
                entry = self._scan_text(path, source)
                changed = True
            light[path] = entry
        if changed or len(cached) != len(light):
            self.cache.store_light(words, light)
        return light

    def _scan_text(self, path: str, source: SourceFile) -> Light:
        raw = self._read(path)
        text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw or ""
        words = self.config.gate_words()
        hints = (
            is_django_views_file(path)
            or HANDLER_HINTS.search(text)
            or any(word in text for word in words)
        )
        bases: Set[str] = set()
        for match in _CLASS_BASES.finditer(text):
            bases.update(_base_names(match.group(2)))
        patches = "timeout" in text and PATCH_HINT.search(text) is not None
        forwards = may_forward_kwargs(text) or may_pass_timeout_param(text)
        return Light(source.size, source.mtime_ns, bool(hints), tuple(sorted(bases)), patches, forwards,
                     MAIL_SETTINGS_HINT in text, SOCKET_DEFAULT_HINT in text, _may_build_client(text),
                     LDAP_TIMEOUT_HINT in text, may_put_on_path(text))

    def _read(self, path: str) -> Union[str, bytes, None]:
        if path in self.overrides:
            return self.overrides[path]
        try:
            with open(f"{self.root}/{path}", "rb") as handle:
                return handle.read()
        except OSError:
            return None

    def text(self, path: str) -> Optional[str]:
        """The file's text (an editor buffer's if one is set), undecodable bytes replaced."""
        data = self._read(path)
        if isinstance(data, bytes):
            return data.decode("utf-8", "replace")
        return data

    # -- lookups ---------------------------------------------------------------------

    def hinted(self) -> List[str]:
        """Files that may define or register handlers, by path."""
        return [path for path, entry in self.light.items() if entry.hints]

    def may_build_client(self) -> List[str]:
        """Files whose text imports a client's module and may call its constructor
        (``catalog.CLIENT_IMPORTS``, ``catalog.CLIENT_HINTS``)."""
        return [path for path, entry in self.light.items() if entry.builds_client]

    def may_forward(self, path: str) -> bool:
        """The file may hold a function that passes its own ``**kwargs`` or its timeout parameter on
        (``summary.Forward``)."""
        entry = self.light.get(path)
        return entry is None or entry.forwards

    def naming(self, words: Collection[str]) -> List[str]:
        """The files, in the tree's order, whose text holds one of ``words`` (anywhere: in code, a
        string or a comment): the only ones whose summaries can name them. A file already
        summarised is not read again."""
        found = []
        for path in self.files:
            if path not in self._summaries:
                self.check_time()
                text = self.text(path)
                if text is not None and not any(word in text for word in words):
                    continue
            found.append(path)
        return found

    def with_base(self, name: str) -> List[str]:
        """Files with a class statement naming ``name`` (last component) as a base."""
        self._scanned()  # fills the index
        return self._by_base.get(name, [])

    def with_base_naming(self, word: str) -> List[str]:
        """Files with a class statement whose base's name (last component) holds ``word``: an alias
        too (``class ApiClient(_BaseApiClient)``)."""
        self._scanned()
        return sorted({path for base, paths in self._by_base.items() if word in base for path in paths})

    def descendant_files(self, name: str, word: str, limit: int) -> Tuple[List[str], FrozenSet[str]]:
        """Where a subclass of a class called ``name`` may define a member called ``word``: the
        files, in the tree's order, whose text holds ``word`` among those declaring a class that
        names ``name`` as a base, or names such a class, and so on (``with_base``, at most
        ``limit`` files a base name); and the names of the classes on those chains. Reads text,
        never a summary."""
        files, names = self._descendants(name, limit)
        return [path for path in files if word in self._declared(path)[0]], names

    def _descendants(self, name: str, limit: int) -> Tuple[List[str], FrozenSet[str]]:
        known = self._subclass_chains.get(name)
        if known is None:
            names, seen = [name], {name}
            files: Dict[str, None] = {}  # an ordered set
            for each in names:
                for path in self.with_base(each)[:limit]:
                    files[path] = None
                    for declared, bases in self._declared(path)[1]:
                        if each in bases and declared not in seen:
                            seen.add(declared)
                            names.append(declared)
            known = (sorted(files, key=self._position().__getitem__), frozenset(seen))
            self._subclass_chains[name] = known
        return known

    def _declared(self, path: str) -> Tuple[str, Tuple[Tuple[str, FrozenSet[str]], ...]]:
        """The file's text and its class statements with bases: (name, the bases' last names)."""
        known = self._texts.get(path)
        if known is None:
            self.check_time()
            text = self.text(path) or ""
            known = (text, tuple((m.group(1), frozenset(_base_names(m.group(2)))) for m in _CLASS_BASES.finditer(text)))
            self._texts[path] = known
        return known

    def forget_texts(self) -> None:
        """Drop the texts ``descendant_files`` read (the index is built: they would only take room)."""
        self._texts.clear()

    def module_path(self, name: str) -> Optional[str]:
        return self.names.by_name.get(name)

    def is_module(self, name: str) -> bool:
        return name in self.names.by_name

    def is_summarised(self, path: str) -> bool:
        """This process has read the summary of ``path`` already."""
        return path in self._summaries

    def on_path_above(self, importer: str, top: str) -> Optional[str]:
        """The nearest directory above module ``importer`` that holds the module or package ``top``
        and that a file below it puts on ``sys.path`` (``sys.path.insert(0, dirname(dirname(__file__)))``
        in ``backend/server/app.py``, which then imports ``from server.utils import x``), as a
        dotted prefix (``backend``); None when there is none. Asked only of an import the root
        does not resolve."""
        directory = importer.rsplit("/", 1)[0] if "/" in importer else ""
        while directory:
            if f"{directory}/{top}/__init__.py" in self.files or f"{directory}/{top}.py" in self.files:
                return directory.replace("/", ".") if self._put_on_path(directory) else None
            directory = directory.rsplit("/", 1)[0] if "/" in directory else ""
        return None

    def _put_on_path(self, directory: str) -> bool:
        """A file below ``directory`` puts it on ``sys.path`` (read only in the files whose text
        the scan says may: ``Light.path_entry``)."""
        known = self._on_path.get(directory)
        if known is None:
            known = False
            for path, entry in self.light.items():
                if not entry.path_entry or not path.startswith(f"{directory}/"):
                    continue
                text = self.text(path)
                levels = path_entries(text) if text is not None else frozenset()
                if any(path.count("/") - level == directory.count("/") for level in levels):
                    known = True
                    break
            self._on_path[directory] = known
        return known

    def module_name(self, path: str) -> Optional[str]:
        named = self.names.name_of(path)
        return named[0] if named else None

    # -- summaries -------------------------------------------------------------------

    def summary(self, path: str) -> Optional[ModuleSummary]:
        if path in self._summaries:
            return self._summaries[path]
        self.check_time()
        found = self._load(path)
        self._summaries[path] = found
        return found

    def summary_of(self, module: str) -> Optional[ModuleSummary]:
        path = self.module_path(module)
        return self.summary(path) if path is not None else None

    def _load(self, path: str) -> Optional[ModuleSummary]:
        source = self.files.get(path)
        named = self.names.name_of(path)
        if source is None or named is None:
            return None
        module, is_package = named
        if path in self.names.shadowed:
            # Never imported (a package of its name sits beside it): nothing of it runs, so the
            # project sees no handler, class or function there (no chain, override or subclass).
            return empty_summary(module, path, is_package, "shadowed")
        if path not in self.overrides:
            cached = self.cache.load_summary(path, source.size, source.mtime_ns, module)
            if cached is not None:
                return cached
            self._claim(path)
        raw = self._read(path)
        if raw is None:
            return empty_summary(module, path, is_package, "unreadable")
        summary = summarise(raw, module, path, is_package)
        self.parsed += 1
        if path not in self.overrides:
            self.cache.store_summary(summary, source.size, source.mtime_ns)
        return summary

    # -- sharing the summaries' work with other processes ---------------------------------

    def share_claims(self) -> None:
        """Before forking a process that builds the index beside this one (and the ``-j N``
        workers that may help it): from now on each file summarised from source is marked on a
        page all of them share, so that a helper summarises what no one has started on."""
        if self._claims is None:
            try:
                self._claims = mmap.mmap(-1, max(1, len(self.files)))
            except (OSError, ValueError):  # no shared memory: helpers may summarise a module twice
                self._claims = None

    def claimed(self, path: str) -> bool:
        """Another process summarises ``path`` from source, or did."""
        claims = self._claims
        if claims is None or path in self._mine:
            return False
        position = self._position().get(path)
        return position is not None and claims[position] != 0

    def _claim(self, path: str) -> None:
        if self.helping and self.claimed(path):
            raise Claimed(path)
        position = self._position().get(path)
        if self._claims is not None and position is not None:
            self._mine.add(path)
            self._claims[position] = 1

    def _position(self) -> Dict[str, int]:
        if self._order is None:
            self._order = {path: i for i, path in enumerate(self.files)}
        return self._order

    def override(self, path: str, source: str) -> None:
        """Use ``source`` for ``path`` instead of the file (an unsaved editor buffer)."""
        self.overrides[path] = source
        self._summaries.pop(path, None)
        self._texts.pop(path, None)
        self._subclass_chains.clear()
        known = self.files.get(path)
        if known is not None:
            entry = self._scan_text(path, known)
            for base in entry.bases:
                if path not in self._by_base.setdefault(base, []):
                    self._by_base[base].append(path)
            self.light[path] = entry

    def fingerprint(self) -> Optional[str]:
        """Identifies the state of every file (path, size, mtime), of the other files the analysis
        reads (``settings``: root markers, requirements) and the settings the graph depends on;
        None when a file was written too recently to tell a next edit apart."""
        now = time.time_ns()
        digest = hashlib.sha1()
        config = self.config
        digest.update(repr((config.handler_decorators, config.handler_base_classes, config.gate_words())).encode())
        for path in sorted(self.files):
            source = self.files[path]
            if racy(source.mtime_ns, now) or path in self.overrides:
                return None
            digest.update(f"{path}\0{source.size}\0{source.mtime_ns}\n".encode("utf-8", "surrogatepass"))
        for setting in self.settings:  # the requirements say how a server runs its handlers (FastMCP 2)
            digest.update(f"{setting.path}\0{setting.size}\0{setting.mtime_ns}\n".encode("utf-8", "surrogatepass"))
        return digest.hexdigest()


def _may_build_client(text: str) -> bool:
    """The text imports a client's module and calls the class of one (``catalog.CLIENTS``).
    The calls first: fewer words, and most files name none of them (a third of the cold scan)."""
    return any(hint in text for hint in CLIENT_HINTS) and any(word in text for word in CLIENT_IMPORTS)


def _base_names(bases: str) -> Iterator[str]:
    """The last names of the bases in a class statement's parentheses (keywords left out)."""
    for item in bases.split(","):
        item = item.strip()
        if item and "=" not in item:
            found = _BASE_NAME.search(item.split("[", 1)[0])
            if found:
                yield found.group(1)


_TIMEOUT_FROM_NAME = re.compile(r"""(?:\btimeout\s*=|\[\s*['"]timeout['"]\s*\]\s*=)\s*(?!None\b)[^\W\d]\w*\s*[,)\n]""")


def may_pass_timeout_param(text: str) -> bool:
    """Can the module hold a function whose timeout parameter it passes on (``summary.Forward``
    with a ``param``)? Then a plain name is passed as ``timeout=NAME`` or stored as
    ``d["timeout"] = NAME``."""
    return "timeout" in text and _TIMEOUT_FROM_NAME.search(text) is not None


def may_forward_kwargs(text: str) -> bool:
    """Can the module hold a function that passes its own ``**kwargs`` on (``summary.Forward``)?
    Then one name comes after ``**`` twice: in the ``def`` (or somewhere not known) and as the
    argument of a call that is not ``super().method(...)`` (whose callee the summary never
    resolves). Any doubt (a string or comment in the way, a module that may bind ``super``, a
    text that is not UTF-8) answers True."""
    if "**" not in text:
        return False
    if "\ufffd" in text:
        return True
    where: Dict[str, List[int]] = {}
    for match in _DOUBLE_STARRED.finditer(text):
        where.setdefault(match.group(1), []).append(match.start())
    named = [starts for starts in where.values() if len(starts) > 1]
    if not named:
        return False
    super_bound = _may_bind_super(text)
    for starts in named:
        kinds = [_starred_in(text, start, super_bound) for start in starts]
        others = kinds.count(_OTHER)
        if others and others + kinds.count(_DEF) > 1:
            return True
    return False


_DEF, _SUPER_CALL, _NOT_PASSED, _OTHER = "def", "super", "none", "other"
_BRACKETS = re.compile(r"[()\[\]{}'\"#]")
_DEF_BEFORE = re.compile(r"(?:^|[^\w.])def\s+[^\W\d]\w*\s*(?:\[[^\[\]]*\])?\s*$")
_SUPER_BEFORE = re.compile(r"(?:^|[^\w.])super\s*\([^()'\"#]*\)\s*(?:\.\s*[^\W\d]\w*\s*)+$")
_SUPER = re.compile(r"super(?!\w)")
_DEFINES = re.compile(r"(?:def|class)\s+$")


def _starred_in(text: str, start: int, super_bound: bool, reach: int = 2000) -> str:
    """Where the ``**`` at ``start`` stands: in a ``def``'s parameters (_DEF), as an argument of
    ``super().m(...)`` (_SUPER_CALL), in a display (``{**d}``: _NOT_PASSED), else _OTHER. Read
    backwards to the bracket around it; a quote or a ``#`` on the way (or on the bracket's line)
    stops the reading: _OTHER."""
    low = max(0, start - reach)
    depth = 0
    for match in _BRACKETS.finditer(text[low:start][::-1]):
        mark = match.group()
        if mark in ")]}":
            depth += 1
        elif mark in "([{":
            if depth:
                depth -= 1
                continue
            at = start - match.start() - 1
            if "#" in text[text.rfind("\n", 0, at) + 1:at]:
                return _OTHER  # the bracket may sit in a comment
            if mark != "(":
                return _NOT_PASSED
            before = text[max(0, at - 300):at]
            if _DEF_BEFORE.search(before):
                return _DEF
            if not super_bound and _SUPER_BEFORE.search(before):
                return _SUPER_CALL
            return _OTHER
        else:
            return _OTHER
    return _OTHER


def _may_bind_super(text: str) -> bool:
    """The name ``super`` may mean something else than the builtin here: written other than as a
    call (``super = ...``, a parameter, an import), or as the name of a def or class."""
    for match in _SUPER.finditer(text):
        at = match.start()
        if at and (text[at - 1].isalnum() or text[at - 1] in "_."):
            continue  # part of a longer name, or an attribute
        if _DEFINES.search(text, max(0, at - 12), at):
            return True
        if not text[match.end():match.end() + 40].lstrip().startswith("("):
            return True
    return False
