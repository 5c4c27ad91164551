"""HTTP clients and child processes that cross a module boundary: what a name of another module holds.

The rules resolve a receiver inside the module they check (names.py): ``SESSION.get(url)``
names a ``requests.Session`` only when ``SESSION = requests.Session()`` is written in the same
module. Real code builds its client once and uses it elsewhere:

* a module-level client imported by another module (``from .http import SESSION``, or
  ``http.SESSION`` after ``from . import http``);
* a factory of another module (``s = make_session()``, which returns ``requests.Session()``);
* an attribute set by a base class of another module (``self.session = requests.Session()``
  in ``GenericClient.__init__``, read by a subclass's method).

This module answers, from the project's summaries, which client class (a key of
``catalog.CLIENTS``) such a name holds, or that it holds a child process (``subprocess.Popen``
from a factory such as ``process_open(cmd)``, whose waits are judged call by call). Only those are
claimed (``catalog.HELD_ACROSS_MODULES``): a queue or an event shared across modules is judged by
rules that count its uses in one module, and a response or any other value says nothing a rule
needs.

Only a plain HTTP client is claimed. The module that builds it must not mount an adapter or replace
``request``/``send`` anywhere (``SESSION.mount("https://", TimeoutAdapter(5))``): a default
timeout given that way is read by HB201 in the module it checks only, so a client from such a
module is left unknown (and unknown receivers are never reported). Everything else agrees with
the rules' own resolution: a factory's ``return`` statements must agree, a class of the project
(a session subclass) is not a library client, and walks are bounded. An authlib OAuth registry
(``oauth = OAuth()`` in extensions.py) is claimed likewise when its module's registrations are read
in full and give no timeout: HB201 reads those of the module it checks only.
"""

from __future__ import annotations

import re
from typing import Dict, FrozenSet, Iterator, List, Optional, Set, Tuple

from ..catalog import (
    CLIENTS, HELD_ACROSS_MODULES, OAUTH_METADATA_URL, OAUTH_REGISTER, OAUTH_REGISTRIES, OWNER_CLOSERS,
    SESSION_DEFAULT_TIMEOUT, SUBCLASSED_CLIENTS, canonical, subscript_of_sdk_client,
)
from .default_timeout import PATCH_HINT
from .graph import MAX_DEPTH, Graph, _called_name
from .summary import CALL, CALL_RESULT, MADE, SUBSCRIPT, VALUE, Edge, ModuleSummary, Sym

# Where a module may give its clients a timeout the rules would not see from another module: an
# adapter mounted, or request()/send() replaced (default_timeout.PATCH_HINT).
_MOUNT = re.compile(r"\.mount\s*\(")
# Where an authlib registry's module may give its apps a timeout: a registration's `client_kwargs`
# that is not a dict display, or any `**options` in one; a `default_timeout` or a `*_CLIENT_KWARGS`
# setting anywhere in it.
_REGISTER = re.compile(r"\.\s*" + OAUTH_REGISTER + r"\s*\(")
_REGISTRY_TIMEOUT = re.compile(SESSION_DEFAULT_TIMEOUT + "|CLIENT_KWARGS")
_UNREAD_OPTIONS = re.compile(r"\*\*|client_kwargs\s*=\s*(?!\{)")
_METADATA_URL = re.compile(r"\b" + OAUTH_METADATA_URL + r"\s*=\s*(?!None\b)")


class Clients:
    """Which library client a name of the project holds (None when not known or not a client)."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self._plain: Dict[str, bool] = {}  # path -> no adapter mounted, no request() replaced
        self._names: Dict[Tuple[str, bool], Optional[str]] = {}
        self._receivers: Optional[FrozenSet[str]] = None

    def held_by(self, dotted: str, called: bool = False) -> Optional[str]:
        """The client the project name ``dotted`` (absolute: ``app.http.SESSION``) holds, or,
        with ``called``, the one calling it returns (``app.http.make_session``)."""
        key = (dotted, called)
        if key not in self._names:
            self._names[key] = None  # a name defined through itself adds nothing
            self._names[key] = self._held_by(dotted, called, 0, set())
        return self._names[key]

    def names(self, rounds: int = 2) -> FrozenSet[str]:
        """The names a module must write to use a client another module builds: module-level
        names that hold one, functions that return one, classes that set one on ``self``. Read
        from the modules that may build a client (the text scan's hint), then from those that
        name what was found (``self.session = make_session()`` in a base class), ``rounds``
        deep. The gate lets a module that writes none of them stop before its parse."""
        tree = self.graph.tree
        found: Set[str] = set()
        paths = tree.may_build_client()
        seen = set(paths)
        for _ in range(rounds):
            new: Set[str] = set()
            for path in paths:
                new |= self._defined_in(path, found)
            new -= found
            if not new:
                break
            found |= new
            paths = [path for path in tree.naming(new) if path not in seen]
            seen.update(paths)
        return frozenset(found)

    def _defined_in(self, path: str, known: Set[str]) -> Set[str]:
        summary = self.graph.tree.summary(path)
        if summary is None:
            return set()

        def client(sym: Optional[Sym]) -> bool:
            return sym is not None and _built_here(sym, summary.module) and self._kind(sym, path, 0, set()) is not None

        found = {name for name, sym in summary.names if client(sym)}
        found.update(facts.name for facts, function in zip(summary.facts.functions, summary.functions)
                     if client(function.returns))
        found.update(facts.name for facts, cls in zip(summary.facts.classes, summary.classes)
                     if any(client(sym) for _attr, sym in cls.attrs))
        found.update(self._given_a_client(summary))
        # a subclass of a class found before, in another module or above in this one: it inherits the
        # attribute (`EnsemblClient(BaseAsyncClient)`, `GhlClient(BaseHttpClient)` beside its base)
        while True:
            bases = known | found
            more = {facts.name for facts in summary.facts.classes if facts.name not in found
                    and any(base.written.rpartition(".")[2] in bases for base in facts.bases)}
            if not more:
                break
            found |= more
        # a subclass of a library client (HB203 asks the project whether it adds an __init__)
        found.update(facts.name for facts, cls in zip(summary.facts.classes, summary.classes)
                     if any(base is not None and canonical(base.dotted) in SUBCLASSED_CLIENTS for base in cls.bases))
        return found

    def _given_a_client(self, summary: ModuleSummary) -> Set[str]:
        """The dataclass-style classes of the project this module constructs with a client it builds
        (``Clients(core_v1=client.CoreV1Api(api))``): their fields may hold one."""
        found: Set[str] = set()
        for edge in _passing_a_client(summary, module_level=True):
            for obj in self.graph.evaluate(edge.callee, summary.path):
                facts = self.graph._class_facts(obj) if obj[0] == "c" and self.graph.init_fields(obj) else None
                if facts is not None:
                    found.add(facts[1].name)
        return found

    def attribute_of(self, path: str, class_qualname: str, attr: str) -> Optional[str]:
        """The client ``self.<attr>`` holds in methods of the class ``class_qualname`` of
        module ``path``, as the class or a base (of any module) assigns it."""
        summary = self.graph.tree.summary(path)
        if summary is None:
            return None
        keys = [cls.key for cls in summary.facts.classes if cls.qualname == class_qualname]
        if len(keys) != 1:
            return None
        return self._attribute(("c", path, keys[0]), attr, 0, set())

    def instance_attribute(self, dotted_class: str, attr: str) -> Optional[str]:
        """The client ``<instance>.<attr>`` holds on an instance of the project class ``dotted_class``
        (absolute: ``app.deps.Deps``), as the class or a base assigns or declares it."""
        objs = self.graph.resolve(dotted_class)
        if len(objs) != 1 or objs[0][0] != "c":
            return None
        return self._attribute(objs[0], attr, 0, set())

    def wrapped(self, dotted_class: str) -> Optional[str]:
        """The client the project class ``dotted_class`` (absolute) builds into an attribute of its
        own, when it can close it (``OWNER_CLOSERS``, its own or a base's): an instance owns that pool
        (the rules' ``names.client_wrapped_by``, for a class of another module)."""
        objs = self.graph.resolve(dotted_class)
        if len(objs) != 1 or objs[0][0] != "c":
            return None
        cls = objs[0]
        if self._closer(cls) is None:
            return None
        for owner in self.graph.mro(cls):  # the attributes it or a base fills (`EnsemblClient(BaseAsyncClient)`)
            summary = self.graph.tree.summary(owner[1])
            for attr, _sym in summary.classes[owner[2]].attrs if summary is not None else ():
                kind = self._attribute(cls, attr, 0, set())
                if kind in CLIENTS:
                    return kind
        return None

    def fresh(self, dotted_function: str) -> bool:
        """The project function ``dotted_function`` (absolute) builds anew the value each call returns
        (``FunctionSummary.fresh``)."""
        objs = self.graph.resolve(dotted_function)
        summary = self.graph.tree.summary(objs[0][1]) if len(objs) == 1 and objs[0][0] == "f" else None
        return summary is not None and summary.functions[objs[0][2]].fresh

    def owner_closer(self, dotted_class: str) -> Optional[str]:
        """The first of ``OWNER_CLOSERS`` the project class ``dotted_class`` (absolute) or a base has."""
        objs = self.graph.resolve(dotted_class)
        return self._closer(objs[0]) if len(objs) == 1 and objs[0][0] == "c" else None

    def _closer(self, cls: Tuple) -> Optional[str]:
        return next((closer for closer in OWNER_CLOSERS if self.graph.method(cls, closer)), None)

    def _attribute(self, cls: Tuple, attr: str, depth: int, seen: Set[str]) -> Optional[str]:
        assigned = self.graph.assigned_attr(cls, attr)
        if assigned is not None:
            return self._kind(assigned[1], assigned[0][1], depth + 1, seen)
        # a dataclass field that declares no kind (`core_v1: Any`): what its constructions pass
        arguments = self.graph.constructed_with(cls, attr)
        return self.passed(arguments) if arguments else None

    def _held_by(self, dotted: str, called: bool, depth: int, seen: Set[str]) -> Optional[str]:
        if depth > MAX_DEPTH or dotted in seen:
            return None
        seen.add(dotted)
        if called:
            return self._returned(self.graph.resolve(dotted), depth, seen)
        found = self.graph.module_level(dotted)
        if found is None or found[1] is None or found[2]:
            return None  # not a module-level name of the project (an attribute of one is not followed)
        return self._kind(found[1], found[0], depth + 1, seen)

    def _returned(self, objs, depth: int, seen: Set[str]) -> Optional[str]:
        """What calling each of ``objs`` returns, when they are functions that all agree."""
        found: Optional[str] = None
        for obj in objs:
            if obj[0] != "f":
                return None  # a class of the project (a session subclass) is not a library client
            summary = self.graph.tree.summary(obj[1])
            returns = summary.functions[obj[2]].returns if summary is not None else None
            kind = self._kind(returns, obj[1], depth + 1, seen) if returns is not None else None
            if kind is None or (found is not None and kind != found):
                return None
            found = kind
        return found

    def _kind(self, sym: Sym, path: str, depth: int, seen: Set[str]) -> Optional[str]:
        """The client ``sym`` (a value written in module ``path``) stands for."""
        if depth > MAX_DEPTH:
            return None
        if sym.kind in ("self", "cls") and sym.target.isdigit() and len(sym.path) == 1:
            return self._attribute(("c", path, int(sym.target)), sym.path[0], depth, seen)
        if sym.kind != "ref":
            return None
        if not sym.path:  # another name: `SESSION = http.SESSION`
            return self._held_by(sym.target, False, depth, seen)
        if sym.path[-1] == SUBSCRIPT:  # `orders = db["orders"]`: pymongo's collection
            whole = self._kind(Sym(sym.kind, sym.target, sym.path[:-1]), path, depth + 1, seen)
            return subscript_of_sdk_client(whole) if whole is not None else None
        if sym.path[-1] not in MADE:
            return None
        made_by = Sym(sym.kind, sym.target, sym.path[:-1])
        objs = self.graph.evaluate(made_by, path)
        if objs:
            return self._returned(objs, depth, seen)
        name = self.graph.api_name(made_by, path)
        if name not in HELD_ACROSS_MODULES or (name in CLIENTS and not self._is_plain(path)):
            return None
        if name in OAUTH_REGISTRIES and not self._registers_plainly(path):
            return None
        return name

    def _registers_plainly(self, path: str) -> bool:
        """The authlib registry module ``path`` registers its apps with options that are read in full
        and give no timeout (HB201 reads the registrations of the module it checks only)."""
        text = self.graph.tree.text(path)
        if text is None or _REGISTRY_TIMEOUT.search(text):
            return False
        return not any(_UNREAD_OPTIONS.search(_call_text(text, found.end())) for found in _REGISTER.finditer(text))

    def registers_metadata(self, dotted: str, app: str) -> Optional[str]:
        """The module that builds the authlib registry ``dotted`` (absolute: ``app.extensions.oauth``),
        when it registers the app named ``app`` with a ``server_metadata_url`` (written out as the
        registration's first argument or its ``name=``); None otherwise."""
        found = self.graph.module_level(dotted)
        text = self.graph.tree.text(found[0]) if found is not None else None
        if found is None or text is None:
            return None
        named = re.compile(r"(?:\A\s*|\bname\s*=\s*)([\"'])" + re.escape(app) + r"\1")
        for register in _REGISTER.finditer(text):
            arguments = _call_text(text, register.end())
            if named.search(arguments) and _METADATA_URL.search(arguments):
                return found[0]
        return None

    def receivers(self) -> FrozenSet[str]:
        """The names of the functions (a class's, for its constructor) some call of the project passes
        a client it builds to (``create_auth_blueprint(oauth)`` after ``oauth = OAuth(app)``): only
        their parameters may hold one (``passed``), so only they are asked about. Read from the
        files that may build a client (``ProjectTree.may_build_client``), once."""
        if self._receivers is None:
            found: Set[str] = set()
            tree = self.graph.tree
            for path in tree.may_build_client():
                summary = tree.summary(path)
                found.update(_called_name(edge.callee) for edge in _passing_a_client(summary))
            self._receivers = frozenset(found)
        return self._receivers

    def passed(self, arguments: List[Tuple[str, Sym]]) -> Optional[str]:
        """The client every one of ``arguments`` (a value, the module writing it) stands for, when
        they agree (``Callers.arguments``: what a parameter holds)."""
        kinds = {self._kind(sym, path, 0, set()) for path, sym in arguments}
        return kinds.pop() if len(kinds) == 1 else None

    def _is_plain(self, path: str) -> bool:
        if path not in self._plain:
            text = self.graph.tree.text(path)
            self._plain[path] = text is not None and not _MOUNT.search(text) and not PATCH_HINT.search(text)
        return self._plain[path]


def _passing_a_client(summary: Optional[ModuleSummary], module_level: bool = False) -> Iterator[Edge]:
    """The calls of ``summary``'s functions (and, with ``module_level``, of its module-level code)
    that pass a library client they build (``_passes_a_client``)."""
    if summary is None:
        return
    edges = [edge for function in summary.functions for edge in function.edges]
    for edge in [*edges, *(summary.module_edges if module_level else ())]:
        if edge.how == CALL and any(_passes_a_client(flag) for flag in edge.flags):
            yield edge


def _passes_a_client(flag: str) -> bool:
    """An ``Edge.flags`` value that is a library client made by a call (``OAuth(app)``)."""
    if VALUE not in flag or CALL_RESULT not in flag:
        return False
    sym = Sym.decoded(flag.partition(VALUE)[2])
    return sym is not None and sym.kind == "ref" and sym.path == (CALL_RESULT,) and sym.target in HELD_ACROSS_MODULES


def _built_here(sym: Sym, module: str) -> bool:
    """A value the module makes (a call's result, ``self``'s) or one of its own names: not an
    import, whose module speaks for itself (following every import would read the project)."""
    if sym.kind != "ref":
        return sym.kind in ("self", "cls")
    if sym.path:
        return sym.path[-1] in MADE or sym.path[-1] == SUBSCRIPT  # `db = client["shop"]`
    return bool(module) and sym.target.startswith(f"{module}.")


def _call_text(text: str, start: int) -> str:
    """The arguments of the call whose ``(`` ends just before ``start``, to its closing parenthesis
    (the rest of the text when it has none); brackets inside strings may end it early, which only
    reads less."""
    depth = 1
    for end in range(start, len(text)):
        char = text[end]
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
            if depth == 0:
                return text[start:end]
    return text[start:]
