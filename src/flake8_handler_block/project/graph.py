"""The project's call graph, resolved on demand, and what the handlers reach through it.

Objects are small tuples: ``("m", module)``, ``("f", path, key)`` (a function),
``("c", path, key)`` (a class), ``("i", path, key)`` (an instance of a class or of one deriving
from it: ``self``, an annotation), ``("x", path, key)`` (an instance of that very class: ``Cls()``),
``("k", path, key)`` (a class or one deriving from it: ``cls`` in a classmethod),
``("t", path, key)`` (a class the code checked or declared, standing for itself or one deriving from
it: ``issubclass(k, C)``, ``k: type[C]``, an element of ``C.__subclasses__()``; its instances are
any subclass's, its constructor and attributes are its own),
``("l", path, key)`` (the locals of a function, for ``outer.<locals>.inner``),
``("e", obj)`` (a list, set or tuple whose elements are ``obj``: ``list[Provider]``, ``[Provider()]``),
``("d", obj)`` (a mapping whose values are ``obj``: ``{"web": WebProvider}``), and what some of their
methods return when called: ``("v", obj)`` (``mapping.get``, ``list.pop``), ``("s", path, key)``
(``Class.__subclasses__``: any class deriving from it).
A symbolic value from a summary (:class:`~.summary.Sym`) is evaluated step by step:
a module's members, a class's methods through its bases (a simple left-to-right
linearisation), an instance's attributes (``self.client = Client()`` in any method of
the class or of a base), the instance a call returns (a class, a function's return
annotation or what its ``return`` statements agree on), an element of a container (a loop
variable). A method called on an instance reaches the method the class resolves to and every
override in a subclass defined in the project (class-hierarchy analysis): an instance of a base
class stands for an instance of any class deriving from it, unless the class is the one called to
make it (``Pipeline().run()`` runs ``Pipeline.run``, not a test suite's override), and unless the
call is ``self.m()`` in a method that the subclass overrides too (its own version runs instead, so
the base's never calls the subclass's ``m`` from there). A method that
``self`` calls and only subclasses define (a mixin's or an abstract base's hook) is looked for in
the subclasses.

A call says which class a method runs on when its receiver is that very class: a method of an
instance the code made (``Cls().run()``), a classmethod called on a named class (``S3Config.load()``),
a constructor. The method is then read with ``self``/``cls`` standing for that class
(:data:`Receiver`): ``cls.load_extra_config()`` in ``BaseConfig.load`` runs S3Config's, not
every subclass's override.

Every walk is bounded (depth, objects per step, candidate files per subclass search);
what is past a bound is simply not followed.
"""

from __future__ import annotations

import re
from collections import deque
from typing import (
    TYPE_CHECKING, Callable, Deque, Dict, FrozenSet, Iterable, Iterator, List, Mapping, Optional, Set, Tuple, TypeVar,
)

from ..catalog import (
    ABSTRACT_DECORATORS, APIS, EXECUTOR_MAPS, FRAMEWORK_CONFIGURED, PLAIN_BLOCKING, PROTOCOL_BASES,
    decorated_by_one_of, entered_in_place, last_names_read_as, one_sdk_client, runs_once, sdk_request,
)
from ..config import EXERCISE_GLOBS, Config
from ..handlers import (
    CLASS_REGISTRARS, DEPENDENCY_CALL_METHOD, DEPENDENCY_CALLS, EVENT_DECORATORS, EVENT_SERVERS, MCP_TOOL_CALLERS,
    REGISTRAR_CALLS, VERB_METHODS, _NOT_WRAPPERS, ClassFacts, Decorator, FunctionFacts, ModuleFacts, Registration,
    MCP_ADD_TOOL, MCP_DECORATORS, MCP_SERVER_NAMES, ViewRef, bounded_by_framework, class_handler_methods, firmer,
    is_mcp_server,
    derives_from_a_route_class, detect_handlers, event_handler_reason, functions_named_by, is_dependency_instance,
    is_taker_reason, replaces_tools, method_kind, named_like_a_route_class, not_known_inline, registered_views,
    registered_parameter, server_calling_tools_itself, server_registrations, unwrapped,
    on_fastmcp_2, route_class_views, runs_inline_on_loop,
)
from .summary import (
    ANY, ARG, CALL, CALL_RESULT, CONTAINER, DECLARED, DEF, DROPPED, GENERATOR, ITEM, LATER, MAPPING, NAMED,
    NAMELESS, NO_LOOP, KWARGS_RELAY, POSITIONAL, SPAWN, TABLE_CALL, THREAD, SUBCLASS, SUBSCRIPT, SUPER, SUPER_OF, TASK,
    VALUE, Edge,
    Forward, FunctionSummary, ModuleSummary, Sym, in_lambda, passed_value, unpacked_index,
)
from .guards import guard_param, ruled_out
from .tooling import is_tooling_path
from .tree import ProjectTree

if TYPE_CHECKING:
    from .callers import Callers

Obj = Tuple  # see the module docstring
_CLASS_KINDS = ("c", "i", "k", "t", "x")  # a class, or an instance of one: its attributes are the class's
_PROPERTY_PARTS = (".setter", ".deleter")  # `@name.setter`: a second body for one property
_OPEN_KINDS = ("i", "k")  # a class or an instance that may be of a subclass: overrides count
T = TypeVar("T")
FnRef = Tuple[str, str, int]  # ("f", path, key)
# ("c", path, key): the very class a method is called on (``self``/``cls`` is that class, not a
# subclass); None: any class deriving from the method's own.
Receiver = Optional[Obj]
# how, the function, the edge's guard, flags, args, the class the function runs on
Target = Tuple[str, FnRef, str, Tuple[str, ...], int, Receiver]
ChainRef = Tuple[FnRef, Tuple[FnRef, ...]]  # (handler, the functions after it, ending with the one reached)

MAX_DEPTH = 24
_MAX_LIBRARY_DEPTH = 8  # project hops (a helper's result, a class attribute) before a library name
_ANY_NUMBER = 1 << 16  # positional arguments that can never reach a keyword-only timeout
MAX_OBJECTS = 32  # values one step of an evaluation may stand for
# Evaluations one value's evaluation may make, all it asks included (the callers of a constructor
# it reads, their arguments' values): classes that hand objects round through many attributes
# (Roundup's hyperdb) would otherwise walk the same chains again and again for minutes. Past it
# the value is unknown ([]), as past MAX_DEPTH. The largest measured on real projects: about 7,000 (litellm).
MAX_EVALUATIONS = 20_000
MAX_DISPATCHED = 256  # methods a getattr(self, name) lookup may run (a route table per handler class)
MAX_SUBCLASS_FILES = 150  # files naming a base that are read to find its subclasses
MAX_RECEIVERS = 8  # classes one method is read for; past them it is read for any class
# A value declared as a library class few of the project's classes derive from may be an instance of
# any of them (an interface with its implementations); past this many, the class is a framework's
# base (a model, a view) and the declaration says nothing of which
MAX_IMPLEMENTATIONS = 3
_NOT_NAMES = frozenset({CALL_RESULT, DECLARED, SUBCLASS, ITEM, SUBSCRIPT, CONTAINER, MAPPING, NAMED})
ON_LOOP = (CALL, TASK)
# In the flags a function is entered with (``_spread``): it runs on the event loop's thread, so a
# call that runs only with no loop running (``summary.NO_LOOP``) does not run.
LOOP = NO_LOOP.lstrip("!")
_LOOP_ONLY = frozenset({LOOP})
_VALUE_METHODS = frozenset({"get", "pop", "setdefault"})  # a mapping's methods that give one of its values
# How far below the called function a blocking call is looked for: deeper paths are mostly
# first-use set-up behind a cache (``if _config is None: load()``), and a chain no one can check.
# An override's ``super().name()`` is the same call continued, not a call deeper (_with_overridden).
MAX_BLOCK_DEPTH = 2
# Files naming a class whose calls are read for what its constructor's parameter holds (``passed_to``):
# a class made in more places is rarely given one same object, and each file read may be a parse.
MAX_ARGUMENT_FILES = 8
# Files naming a function given a server whose decorators it applies (``_server_given``): asked of
# few functions, whose name is often a common one (``register``, in each tools module).
MAX_SERVER_ARGUMENT_FILES = 40
MAX_RELAY_DEPTH = 3  # calls down a flag a function relays to its callees is followed
UNSEEN = "**"  # in the flags a function is entered with: its **kwargs may hold any keyword
# How deep below the nearest async function the sync functions the loop runs in place are looked
# into (HB601): on 130 real apps, the HB601 findings deeper than this were 13 wrong claims (a branch a
# value rules out, an override the receiver never runs) and 4 harmless set-ups for 2 real ones, whose
# missing timeouts are still reported by HB201/HB204 at the same line. 3 would lose 2 more real ones.
MAX_LOOP_SYNC_DEPTH = 4

# A place ``Graph.blocks`` looks for a wait: the function, the functions on the way to it, the
# flags it is entered with, the class it runs on.
_Step = Tuple[FnRef, Tuple[FnRef, ...], FrozenSet[str], Receiver]
# Where a sync function blocks: the catalogue call, where it is, and the functions called on
# the way to it (the function asked about first).
Block = Tuple[str, FnRef, int, Tuple[FnRef, ...]]
# A call in an async function to a sync function that blocks: (line, called name, the Block).
BlockingCall = Tuple[int, str, Block]
# A call of a wrapper that passes on to a catalogue call the timeout its callers give, if any:
# (line, called name, the catalogue call, how many positional arguments stop short of the timeout,
# the wrappers, the keyword the wrapper takes the timeout as, whether the innermost wrapper writes
# a parameter of its own there: a caller's silence gives None).
ForwardingCall = Tuple[int, str, str, int, Tuple[FnRef, ...], str, bool]
Forwarded = Tuple[str, Tuple[FnRef, ...], str]  # Graph.forwards_without_timeout


def _c3_merge(lines: List[List[Obj]]) -> Optional[List[Obj]]:
    """Python's method resolution order after the class itself: the C3 merge of its bases' orders
    and the bases (``class JiraFetcher(IssuesMixin, UsersMixin)``, both deriving from ``JiraClient``:
    ``UsersMixin`` comes before ``JiraClient`` and the ``Protocol`` classes ``IssuesMixin`` names).
    None when no order is consistent (Python refuses such a class)."""
    pending = [list(line) for line in lines if line]
    merged: List[Obj] = []
    while pending:
        head = next((line[0] for line in pending if not any(line[0] in other[1:] for other in pending)), None)
        if head is None:
            return None
        merged.append(head)
        pending = [rest for line in pending if (rest := line[1:] if line[0] == head else line)]
    return merged


def _depth_first(lines: List[List[Obj]]) -> List[Obj]:
    """The bases' orders one after the other, each class once: the order when C3 has none."""
    order: List[Obj] = []
    for line in lines:
        order.extend(ancestor for ancestor in line if ancestor not in order)
    return order


class Graph:
    def __init__(self, tree: ProjectTree, config: Config) -> None:
        self.tree = tree
        self.config = config
        self._dotted: Dict[str, List[Obj]] = {}
        self._resolving: Set[str] = set()
        self._qualnames: Dict[str, Dict[str, List[Obj]]] = {}
        self._mro: Dict[Obj, List[Obj]] = {}
        self._subclasses: Dict[Obj, List[Obj]] = {}
        self._overrides: Dict[Tuple[Obj, str], List[Obj]] = {}
        self._mcp_server: Optional[str] = None  # the one MCP server class the project builds (_project_mcp_server)
        self._targets: Dict[Tuple[FnRef, Receiver], List[Target]] = {}
        self._guard_params: Dict[Tuple[FnRef, int], FrozenSet[str]] = {}
        self._kwargs_relays: Dict[FnRef, bool] = {}
        self._library_subclasses: Dict[str, List[Obj]] = {}  # a library class -> the project's naming it a base
        self._configured_instances: Dict[str, List[Obj]] = {}  # FRAMEWORK_CONFIGURED's base -> the project's
        self._blocks: Dict[Tuple[FnRef, FrozenSet[str], Receiver], Optional[Block]] = {}
        self._forwards: Dict[FnRef, Optional[Forwarded]] = {}
        self._forward_to_api: Optional[bool] = None
        self._results: Dict[Obj, List[Obj]] = {}
        self._property_attributes: Dict[Tuple[Obj, str], List[Obj]] = {}  # (property, attribute) -> objects
        self._passed: Dict[Tuple[FnRef, str], List[Obj]] = {}  # a constructor's parameter -> what its callers pass
        self._callers: Optional["Callers"] = None
        self._asking_callers = False
        self._evaluating = 0  # evaluations under way (nested): the outermost one sets the fuel
        self._fuel = 0  # evaluations the outermost one may still make

    # -- evaluation ------------------------------------------------------------------

    def resolve(self, dotted: str, depth: int = 0) -> List[Obj]:
        """What a dotted path denotes inside the project ([] when outside or unknown)."""
        known = self._dotted.get(dotted)
        if known is not None:
            return known
        if depth > MAX_DEPTH or dotted in self._resolving:
            return []
        self._resolving.add(dotted)
        try:
            found = self._resolve(dotted, depth)
        finally:
            self._resolving.discard(dotted)
        self._dotted[dotted] = found
        return found

    def resolve_from(self, dotted: str, importer: str, depth: int = 0) -> List[Obj]:
        """``resolve``, for a name module ``importer`` imports: one the root does not hold may be
        imported from a directory above it that the project puts on ``sys.path``
        (``ProjectTree.on_path_above``)."""
        found = self.resolve(dotted, depth)
        if found:
            return found
        top = dotted.split(".", 1)[0]
        if self.tree.is_module(top):
            return []
        above = self.tree.on_path_above(importer, top)
        return self.resolve(f"{above}.{dotted}", depth) if above else []

    def _resolve(self, dotted: str, depth: int) -> List[Obj]:
        parts = dotted.split(".")
        for end in range(len(parts), 0, -1):
            name = ".".join(parts[:end])
            path = self.tree.module_path(name)
            if path is None:
                continue
            rest = parts[end:]
            return self._in_module(path, rest, depth) if rest else [("m", name)]
        return []

    def _in_module(self, path: str, rest: List[str], depth: int) -> List[Obj]:
        summary = self.tree.summary(path)
        if summary is None:
            return []
        table = self._qualname_table(path, summary)
        for end in range(len(rest), 0, -1):
            objs = table.get(".".join(rest[:end]))
            if objs:
                return self._walk(objs, rest[end:], depth)
        sym = summary.name(rest[0])
        if sym is not None:
            return self._walk(self.evaluate(sym, path, depth + 1), rest[1:], depth)
        return []

    def _qualname_table(self, path: str, summary: ModuleSummary) -> Dict[str, List[Obj]]:
        table = self._qualnames.get(path)
        if table is None:
            table = {}
            for fn in summary.facts.functions:
                table.setdefault(fn.qualname, []).append(("f", path, fn.key))
            for cls in summary.facts.classes:
                table.setdefault(cls.qualname, []).append(("c", path, cls.key))
            self._qualnames[path] = table
        return table

    def evaluate(self, sym: Sym, path: str, depth: int = 0) -> List[Obj]:
        """The objects a summary's symbolic value stands for, seen from module ``path``."""
        if self._evaluating == 0:
            self._fuel = MAX_EVALUATIONS
        if self._fuel <= 0:
            return []
        self._fuel -= 1
        self._evaluating += 1
        try:
            return self._evaluate(sym, path, depth)
        finally:
            self._evaluating -= 1

    def _evaluate(self, sym: Sym, path: str, depth: int) -> List[Obj]:
        if depth > MAX_DEPTH:
            return []
        if sym.kind == "ref":
            if sym.path[:1] == (CALL_RESULT,) and "." in sym.target:
                # `Hook.load()`: walked from the class, so that a classmethod building `cls(...)` is
                # known to build a Hook (_made_on), not any class deriving from the one defining it
                holder, name = sym.target.rsplit(".", 1)
                holders = self.resolve_from(holder, path, depth + 1)
                if holders and all(obj[0] in _CLASS_KINDS for obj in holders):
                    return self._walk(holders, [name, *sym.path], depth + 1)
            objs = self.resolve_from(sym.target, path, depth + 1)
            if not objs and sym.path[:1] == (DECLARED,):
                # `service: Service` of a library the project implements: an instance of one of its classes
                implementations = self._deriving_from_library(sym.target, depth)
                objs = list(implementations) if len(implementations) <= MAX_IMPLEMENTATIONS else []
        elif sym.kind in ("self", "cls") and sym.target.isdigit():
            objs = [("i" if sym.kind == "self" else "k", path, int(sym.target))]
        elif sym.kind == SUPER_OF and sym.target.isdigit() and len(sym.path) == 1:
            return self.method(("c", path, int(sym.target)), sym.path[0], depth + 1, above=True)
        elif sym.kind == ANY:
            objs = []
            for member in sym.members():
                objs.extend(o for o in self.evaluate(member, path, depth + 1) if o not in objs)
        elif sym.kind == ARG and sym.target.isdigit() and sym.path:
            objs = self.passed_to(("f", path, int(sym.target)), sym.path[0], depth + 1)
            return self._walk(objs, list(sym.path[1:]), depth + 1)
        else:
            return []
        return self._walk(objs, list(sym.path), depth + 1)

    def passed_to(self, fn: FnRef, param: str, depth: int = 0) -> List[Obj]:
        """What the project's calls of the constructor ``fn`` pass for ``param`` (``Skill(self)`` in
        another module: the owner's instance), when every call passes a value that evaluates to
        objects of the project: all of them ([] otherwise, or past the callers' budget). The calls
        are found as the tooling question finds them (``callers.Callers.arguments``: the files naming
        the class, no reference without a call), those the graph has read first: a call there that
        passes a value of unknown kind ends the question before any other file is parsed. A
        question asked while answering one says nothing."""
        memo = (fn, param)
        if memo in self._passed:
            return self._passed[memo]
        if self._asking_callers or depth > MAX_DEPTH:
            return []
        self._passed[memo] = []  # a cycle says nothing
        arguments = self._arguments(fn, param) or []
        found: List[Obj] = []
        for where, value in arguments:
            objs = self.evaluate(value, where, depth + 1)
            if not objs:
                return []  # a library object, or one not known: the attribute may be anything
            found.extend(o for o in objs if o not in found)
        self._passed[memo] = found[:MAX_OBJECTS]
        return self._passed[memo]

    def init_fields(self, cls: Obj) -> Tuple[str, ...]:
        """The fields the dataclass-style class ``cls`` takes (ClassSummary.fields); () when a base of
        the project may add its own before them (their order is not known here)."""
        summary = self.tree.summary(cls[1])
        if summary is None or cls[2] >= len(summary.classes) or self.bases(cls):
            return ()
        return summary.classes[cls[2]].fields

    def constructed_with(self, cls: Obj, field: str) -> Optional[List[Tuple[str, Sym]]]:
        """What every construction of the dataclass-style class ``cls`` in the project passes for its
        field ``field``, with the module writing it (``Clients(core_v1=client.CoreV1Api(api))``:
        ``callers.Callers.arguments``); None when a construction passes another value or none, the
        class is named without being called, or the question is asked while answering one."""
        if field not in self.init_fields(cls):
            return None
        return self._arguments(cls, field)

    def _names_called(self, names: Set[str]) -> Set[str]:
        """Those of ``names`` the text of some module of the project, its tests aside, calls
        (``name(``, ``obj.name(``; not ``def name(``): one read of each file for all of them, and a
        namesake's call, or one in a comment, counts too (a doubt)."""
        called: Set[str] = set()
        for path in self.tree.files:
            self.tree.check_time()
            if not is_tooling_path(path, EXERCISE_GLOBS):
                called.update(names.intersection(_CALLED_NAME.findall(self.tree.text(path) or "")))
                if called >= names:
                    break
        return called

    def _arguments(self, fn: Obj, param: str, files: int = MAX_ARGUMENT_FILES) -> Optional[List[Tuple[str, Sym]]]:
        """``Callers.arguments`` of the graph's own callers' index (the files the graph has read
        first), when at most ``files`` files name ``fn``; None when asked while answering such a
        question."""
        return self._ask_callers(lambda callers: callers.arguments(fn, param, files, self.tree.is_summarised))

    def _ask_callers(self, question: Callable[["Callers"], T]) -> Optional[T]:
        """``question`` of the graph's own callers' index, built on first use; None when asked while
        that index answers another question (it reads the project through this graph)."""
        if self._asking_callers:
            return None
        if self._callers is None:
            from .callers import Callers

            self._callers = Callers(self, lambda fn: False, lambda path, line: False, lambda fn: False)
        self._asking_callers = True
        try:
            return question(self._callers)
        finally:
            self._asking_callers = False

    def _walk(self, objs: List[Obj], steps: List[str], depth: int) -> List[Obj]:
        holders: Dict[Obj, List[Obj]] = {}  # a method found on a class or an instance: what it was found on
        for step in steps:
            if not objs or depth > MAX_DEPTH:
                return []
            found: List[Obj] = []
            held: Dict[Obj, List[Obj]] = {}
            for obj in objs:
                if step == CALL_RESULT:
                    more = self._made_on(obj, holders[obj], depth) if obj in holders else None
                    if more is None:
                        more = self._call_result(obj, depth)
                elif step == DECLARED or step == SUBCLASS:
                    more = [("i" if step == DECLARED else "t", obj[1], obj[2])] if obj[0] in ("c", "k", "t") else []
                elif step == ITEM:  # iterating over a mapping gives its keys: nothing known
                    more = [obj[1]] if obj[0] == "e" else []
                elif step == SUBSCRIPT:
                    more = [obj[1]] if obj[0] in ("e", "d") else []
                elif step == CONTAINER or step == MAPPING:
                    more = [("e" if step == CONTAINER else "d", obj)]
                elif (index := unpacked_index(step)) is not None:
                    more = self._unpacked_item(obj, index, depth)
                else:
                    more = self._attribute(obj, step, depth)
                    if obj[0] in _CLASS_KINDS:
                        for method in more:
                            if method[0] == "f":
                                held.setdefault(method, []).append(obj)
                found.extend(o for o in more if o not in found)
            objs = found[:MAX_DISPATCHED if step == NAMED else MAX_OBJECTS]
            holders = held
            depth += 1
        return objs

    def _unpacked_item(self, obj: Obj, index: int, depth: int) -> List[Obj]:
        """Item ``index`` of the tuple a call of the function ``obj`` gives (FunctionSummary.unpacked),
        seen from the function's module: ``client, project = get_client(db)``."""
        if obj[0] != "f":
            return []
        summary = self.tree.summary(obj[1])
        if summary is None or obj[2] >= len(summary.functions):
            return []
        items = summary.functions[obj[2]].unpacked
        item = items[index] if index < len(items) else None
        return self.evaluate(item, obj[1], depth + 1) if item is not None else []

    def _named_methods(self, obj: Obj, depth: int) -> List[Obj]:
        """``getattr(self, name)`` on ``obj``: the methods of its class (and, for an instance of any
        subclass, of each subclass) that a string of its own or its bases' class-level tables names
        (summary.NAMED: unmanic's API handlers list their endpoints as ``"call_method": "..."``)."""
        cls = ("c", obj[1], obj[2])
        classes = [cls, *(self.subclasses(cls, depth) if obj[0] in _OPEN_KINDS else ())]
        found: List[Obj] = []
        for each in classes:
            names: List[str] = []
            for base in self.mro(each, depth):
                summary = self.tree.summary(base[1])
                if summary is not None and base[2] < len(summary.classes):
                    names.extend(n for n in summary.classes[base[2]].named if n not in names)
            for name in names:
                found.extend(m for m in self.method(each, name, depth) if m[0] == "f" and m not in found)
        return found  # _walk keeps MAX_DISPATCHED of them

    def _made_on(self, method: Obj, holders: List[Obj], depth: int) -> Optional[List[Obj]]:
        """What a call of ``method`` gives when it returns ``cls(...)`` (a classmethod that builds
        an instance: ``Hook.load(**data)`` with ``load`` defined on a base) or ``self`` (a builder):
        an instance of the class it was found on, ``holders``, not of any class deriving from the
        one defining it. None for any other method."""
        summary = self.tree.summary(method[1])
        returns = summary.functions[method[2]].returns if summary is not None else None
        if returns is None or returns.kind not in ("cls", "self") or not returns.target.isdigit():
            return None
        if returns.path != ((CALL_RESULT,) if returns.kind == "cls" else ()):
            return None
        facts = self.function(method)
        if facts is None or facts.cls != int(returns.target):
            return None  # (`cls` of an enclosing class's method)
        made = []
        for holder in holders:
            if returns.kind == "self" and holder[0] not in ("i", "x"):
                return None
            # the very class, or an instance of it: an instance of that class (`x`); else of it or a subclass
            made.append(("x" if holder[0] in ("c", "x") else "i", holder[1], holder[2]))
        return made

    def _attribute(self, obj: Obj, name: str, depth: int) -> List[Obj]:
        kind = obj[0]
        if kind == "d":
            return [("v", obj[1])] if name in _VALUE_METHODS else [("v", ("e", obj[1]))] if name == "values" else []
        if kind == "e":
            return [("v", obj[1])] if name == "pop" else []
        if kind in _CLASS_KINDS and name == "__subclasses__":
            return [("s", obj[1], obj[2])]
        if kind in _CLASS_KINDS and name == NAMED:
            return self._named_methods(obj, depth)
        if kind == "m":
            return self.resolve(f"{obj[1]}.{name}", depth + 1)
        if kind in _CLASS_KINDS:
            cls = ("c", obj[1], obj[2])
            methods = self.method(cls, name, depth)
            if methods and kind in _OPEN_KINDS:
                more = self.overrides(cls, name, depth)
                if not more and all(self._only_declares(fn) for fn in methods):
                    more = self._from_other_bases(cls, name, depth)
                return methods + more
            if methods:
                return methods
            assigned = self.assigned_attr(cls, name, depth)
            if assigned is not None:
                return self.evaluate(assigned[1], assigned[0][1], depth + 1)
            summary = self.tree.summary(obj[1])
            if summary is not None:  # a nested class
                qualname = summary.facts.classes[obj[2]].qualname
                nested = self._qualname_table(obj[1], summary).get(f"{qualname}.{name}")
                if nested:
                    return list(nested)
            configured = self._configured(cls, name, depth) if name in FRAMEWORK_CONFIGURED else []
            if configured:
                return configured
            if kind in ("i", "x") and name in self.init_fields(cls):  # `deps.provider` of `provider: Any`
                return self.passed_to(cls, name, depth + 1)
            # An instance of a class that lacks the method is one of a subclass that has it
            # (a mixin or an abstract base calling ``self.hook()``), or gets it from another base.
            if kind not in _OPEN_KINDS:
                return []
            return self.overrides(cls, name, depth) or self._from_other_bases(cls, name, depth)
        if kind == "f":
            if name == "<locals>":
                return [("l", obj[1], obj[2])]
            # `self._v2_adapter.create_page()`, `adapter = self._v2_adapter`: a property's read
            # gives what its body returns, whose attribute this is
            if self._reads_as_property(obj):
                return self._property_attribute(obj, name, depth)
            return []
        if kind == "l":
            summary = self.tree.summary(obj[1])
            if summary is None:
                return []
            qualname = summary.facts.functions[obj[2]].qualname
            return list(self._qualname_table(obj[1], summary).get(f"{qualname}.<locals>.{name}", []))
        return []

    def _configured(self, cls: Obj, name: str, depth: int) -> List[Obj]:
        """``self.authenticator`` in a handler deriving from one of JupyterHub's: an instance of
        one of the project's classes deriving from the configured class's base (FRAMEWORK_CONFIGURED)."""
        package, base = FRAMEWORK_CONFIGURED[name]
        if not any(library.startswith(package) for library in self._library_bases(cls, depth)):
            return []
        found = self._configured_instances.get(base)
        if found is None:  # the same for every handler that reads the attribute: found once
            found = self._configured_instances[base] = []
            for candidate in self._deriving_from_library(base, depth):
                found.extend(("i", c[1], c[2]) for c in (candidate, *self.subclasses(candidate, depth))
                             if ("i", c[1], c[2]) not in found)
        return list(found)

    def _deriving_from_library(self, base: str, depth: int) -> List[Obj]:
        """The project's classes naming the library class ``base`` as a base (``class
        ServiceBase(Service, ABC)`` for ``gavicore.service.Service``)."""
        found = self._library_subclasses.get(base)
        if found is None:
            found = self._library_subclasses[base] = []
            for path in self.tree.with_base(base.rsplit(".", 1)[-1])[:MAX_SUBCLASS_FILES]:
                summary = self.tree.summary(path)
                for key in range(len(summary.classes)) if summary is not None else ():
                    candidate = ("c", path, key)
                    if base in self._library_bases(candidate, depth, own=True):
                        found.append(candidate)
        return found

    def _library_bases(self, cls: Obj, depth: int, own: bool = False) -> List[str]:
        """The library classes ``cls`` names as bases (``jupyterhub.handlers.BaseHandler``), its
        project bases' too unless ``own``."""
        found: List[str] = []
        for owner in [cls] if own else self.mro(cls, depth):
            summary = self.tree.summary(owner[1])
            for sym in summary.classes[owner[2]].bases if summary is not None else ():
                library = self.api_name(sym, owner[1], depth + 1) if sym is not None else ""
                if library and library not in found:
                    found.append(library)
        return found

    def under_framework_deadline(self, fn: FnRef) -> bool:
        """Method ``fn`` is one the framework awaits under a deadline of its own, by its class's
        library bases (handlers.FRAMEWORK_DEADLINES: a JupyterHub spawner's ``start()``)."""
        facts = self.function(fn)
        if facts is None or facts.cls is None or method_kind(facts) != "method":
            return False
        return bounded_by_framework(facts.name, self._library_bases(("c", fn[1], facts.cls), 0))

    def _call_result(self, obj: Obj, depth: int) -> List[Obj]:
        if obj[0] == "c":
            return [("x", obj[1], obj[2])]
        if obj[0] == "k" or obj[0] == "t":
            return [("i", obj[1], obj[2])]
        if obj[0] == "v":  # `mapping.get(key)`, `mapping.values()`
            return [obj[1]]
        if obj[0] == "s":  # `Base.__subclasses__()`: the base stands for each (a call on one reaches overrides)
            return [("e", ("t", obj[1], obj[2]))]
        if obj[0] == "f":
            known = self._results.get(obj)
            if known is not None:
                return known
            self._results[obj] = []  # a function returning its own result adds nothing
            summary = self.tree.summary(obj[1])
            returns = summary.functions[obj[2]].returns if summary is not None else None
            found = self.evaluate(returns, obj[1], depth + 1) if returns is not None else []
            if found or depth < MAX_DEPTH // 2:
                self._results[obj] = found
            else:  # cut short by the depth bound: asked again from nearer the top, it may say more
                del self._results[obj]
            return found
        return []

    def assigned_attr(self, cls: Obj, name: str, depth: int = 0) -> Optional[Tuple[Obj, Sym]]:
        """The first class in ``cls``'s resolution order that assigns ``name`` (``self.x = ...`` in a
        method, or a class attribute), with what it assigns."""
        for owner in self.mro(cls, depth):
            attr = self.class_attr(owner, name)
            if attr is not None:
                return owner, attr
        return None

    def class_attr(self, cls: Obj, name: str) -> Optional[Sym]:
        summary = self.tree.summary(cls[1])
        if summary is None:
            return None
        for attr, sym in summary.classes[cls[2]].attrs:
            if attr == name:
                return sym
        return None

    def callables(self, obj: Obj, depth: int = 0) -> List[FnRef]:
        """The functions that run when ``obj`` is called."""
        return [fn for fn, _receiver in self.bound_callables(obj, depth)]

    def bound_callables(self, obj: Obj, depth: int = 0) -> List[Tuple[FnRef, Receiver]]:
        """The functions that run when ``obj`` is called, each with the class it runs on when that
        is known to be the very class (``Cls()`` runs ``__init__`` on a Cls)."""
        kind = obj[0]
        if kind == "f":
            return [(obj, None)]
        if kind not in _CLASS_KINDS:
            return []
        cls = ("c", obj[1], obj[2])
        if kind == "c":
            return [(fn, cls) for fn in self.method(cls, "__init__", depth)]
        if kind == "k" or kind == "t":  # `cls(...)`, `backend_cls: type[Base]`: the class's __init__, or a subclass's
            return [(fn, None) for fn in self.method(cls, "__init__", depth) + self.overrides(cls, "__init__", depth)]
        if kind == "x":
            return [(fn, cls) for fn in self.method(cls, "__call__", depth)]
        if kind == "i":
            return [(fn, None) for fn in self.method(cls, "__call__", depth) + self.overrides(cls, "__call__", depth)]
        return []

    def _callee(self, callee: Sym, fn: FnRef, receiver: Receiver) -> List[Tuple[FnRef, Receiver]]:
        """The functions a call of ``callee`` in ``fn`` may run, each with the class it runs on when the
        call names that very class (a method of an instance the code made, ``Cls().run()``; a
        classmethod of a named class, ``S3Config.load()``). ``receiver``: the class ``fn`` runs on."""
        found: List[Tuple[FnRef, Receiver]] = []
        objs = self._evaluate_in(callee, fn, receiver)
        bound: Dict[FnRef, List[Receiver]] = {}
        if any(o[0] == "f" and self._is_method(o) for o in objs):
            holder, name = _holder(callee)
            for obj in self._evaluate_in(holder, fn, receiver) if holder is not None else ():
                exact = obj[0] == "x" or obj[0] == "c"  # another holder may be of any subclass: None
                for method in self._attribute(obj, name, 0):
                    if method[0] == "f":
                        bound.setdefault(method, []).append(self._bound_to(obj, method) if exact else None)
        for obj in objs:
            for target, on in self.bound_callables(obj):
                for each in bound.get(target, [on]) if obj[0] == "f" else [on]:
                    if (target, each) not in found:
                        found.append((target, each))
        if callee.kind == "self" and len(callee.path) == 1 and receiver is None and len(found) > 1:
            found = self._run_by(fn, found)
        return found

    def _run_by(self, fn: FnRef, found: List[Tuple[FnRef, Receiver]]) -> List[Tuple[FnRef, Receiver]]:
        """Keep, of the methods ``found`` for a ``self.m()`` call in method ``fn``, those of classes
        that can run ``fn``: the class of ``fn`` and its bases, and each subclass that inherits
        ``fn`` or whose override calls ``super()``'s.

        ``self.count_tokens()`` in ``Model.acount_tokens`` never runs Claude's ``count_tokens``,
        because Claude overrides ``acount_tokens``; it does run Gemini's, whose override falls back
        to ``super().acount_tokens()``."""
        facts = self.function(fn)
        if facts is None or facts.cls is None:
            return found
        own = ("c", fn[1], facts.cls)
        lineage = self.mro(own)
        kept: List[Tuple[FnRef, Receiver]] = []
        for target, on in found:
            held = self.function(target)
            cls = ("c", target[1], held.cls) if held is not None and held.cls is not None else None
            if cls is None or cls in lineage:
                kept.append((target, on))  # this class's own method, or one it inherits
                continue
            runs = self.method(cls, facts.name)
            if not runs or fn in runs or any(self._calls_super(own_run, facts.name) for own_run in runs):
                kept.append((target, on))
        return kept

    def _calls_super(self, fn: FnRef, name: str) -> bool:
        summary = self.tree.summary(fn[1])
        return summary is None or f"{SUPER}{name}" in summary.functions[fn[2]].unplaced

    def _evaluate_in(self, sym: Sym, fn: FnRef, receiver: Receiver) -> List[Obj]:
        """``evaluate``, inside ``fn`` run on the very class ``receiver``: ``self``/``cls`` are that class."""
        if receiver is not None and sym.kind in ("self", "cls"):
            facts = self.function(fn)
            if facts is not None and str(facts.cls) == sym.target:
                start = ("x" if sym.kind == "self" else "c", receiver[1], receiver[2])
                return self._walk([start], list(sym.path), 1)
        return self.evaluate(sym, fn[1])

    def _is_method(self, fn: FnRef) -> bool:
        facts = self.function(fn)
        return facts is not None and facts.cls is not None and method_kind(facts) != "staticmethod"

    def _bound_to(self, holder: Obj, method: FnRef) -> Receiver:
        """The class ``method`` runs on when looked up on ``holder`` (an instance of that very class:
        any of its methods; the class itself: its classmethods), if it is one of that class's own
        or inherited methods; else None."""
        facts = self.function(method)
        if facts is None or facts.cls is None:
            return None
        kind = method_kind(facts)
        if kind == "staticmethod" or (holder[0] == "c" and kind != "classmethod"):
            return None  # `Base.method(self, ...)`: its self is what the caller passes
        cls = ("c", holder[1], holder[2])
        return cls if ("c", method[1], facts.cls) in self.mro(cls) else None

    # -- classes ---------------------------------------------------------------------

    def _class_facts(self, cls: Obj) -> Optional[Tuple[ModuleSummary, ClassFacts]]:
        summary = self.tree.summary(cls[1])
        if summary is None or cls[2] >= len(summary.facts.classes):
            return None
        return summary, summary.facts.classes[cls[2]]

    def bases(self, cls: Obj, depth: int = 0, named: Optional[FrozenSet[str]] = None) -> List[Obj]:
        """The direct base classes of ``cls`` that are defined in the project; with ``named``, only
        those written with one of these last names are resolved (others' modules are not read)."""
        summary = self.tree.summary(cls[1])
        if summary is None:
            return []
        found: List[Obj] = []
        for sym in summary.classes[cls[2]].bases:
            if sym is not None and (named is None or _called_name(sym) in named):
                found.extend(o for o in self.evaluate(sym, cls[1], depth + 1) if o[0] == "c" and o not in found)
        return found

    def mro(self, cls: Obj, depth: int = 0) -> List[Obj]:
        known = self._mro.get(cls)
        if known is not None:
            return known
        self._mro[cls] = [cls]  # a class deriving from itself through an import cycle stops here
        bases = self.bases(cls, depth)
        lines = [self.mro(base, depth + 1) for base in bases]
        order = [cls, *(_c3_merge([*lines, bases]) or _depth_first(lines))]
        self._mro[cls] = order
        return order

    def method(self, cls: Obj, name: str, depth: int = 0, above: bool = False) -> List[Obj]:
        """``cls.name`` as the class resolves it (its own, else the first base's that has it);
        ``above``: as ``super().name`` in a method of ``cls`` does (the first base's that has it)."""
        for owner in self.mro(cls, depth)[int(above):]:
            found = self._class_facts(owner)
            if found is not None:
                keys = self._live(found[0].facts, found[1].method_keys(name))
                if keys:
                    return [("f", owner[1], key) for key in keys]
        return []

    @staticmethod
    def _live(facts: ModuleFacts, keys: Tuple[int, ...]) -> Tuple[int, ...]:
        """The definitions of one name in a class body that can run: the last, which replaces the
        ones before it (smartoption's second ``def _delete``; ``@overload`` stubs before the body),
        unless it is a property's setter or deleter, which keeps the getter (all are kept)."""
        if len(keys) < 2 or any(d.written.endswith(_PROPERTY_PARTS) for d in facts.functions[keys[-1]].decorators):
            return keys
        return keys[-1:]

    def subclasses(self, cls: Obj, depth: int = 0) -> List[Obj]:
        """Every class of the project deriving from ``cls``, directly or not."""
        known = self._subclasses.get(cls)
        if known is not None:
            return known
        self._subclasses[cls] = []
        found = self._class_facts(cls)
        if found is None:
            return []
        direct: List[Obj] = []
        for path in self.tree.with_base(found[1].name)[:MAX_SUBCLASS_FILES]:
            summary = self.tree.summary(path)
            if summary is None:
                continue
            for other in summary.facts.classes:
                candidate = ("c", path, other.key)
                if candidate != cls and cls in self.bases(candidate, depth):
                    direct.append(candidate)
        result: List[Obj] = []
        for sub in direct:
            for each in [sub, *self.subclasses(sub, depth + 1)]:
                if each not in result:
                    result.append(each)
        self._subclasses[cls] = result
        return result

    def overrides(self, cls: Obj, name: str, depth: int = 0) -> List[Obj]:
        """``name`` as defined by the subclasses of ``cls`` (a call on a ``cls`` instance may reach
        them). Only the files that may hold a subclass and spell ``name`` are summarised."""
        known = self._overrides.get((cls, name))
        if known is not None:
            return known
        self._overrides[(cls, name)] = []  # asked again while answering (an import cycle): nothing more
        facts = self._class_facts(cls)
        if facts is None:
            return []
        found: List[Obj] = []
        files, chained = self.tree.descendant_files(facts[1].name, name, MAX_SUBCLASS_FILES)
        for path in files:
            summary = self.tree.summary(path)
            if summary is None:
                continue
            for other in summary.facts.classes:
                keys = self._live(summary.facts, other.method_keys(name)) if other.name in chained else ()
                candidate = ("c", path, other.key)
                if keys and candidate != cls and self._derives(candidate, cls, chained, depth):
                    found.extend(("f", path, key) for key in keys)
        self._overrides[(cls, name)] = found
        return found

    def _from_other_bases(self, cls: Obj, name: str, depth: int) -> List[Obj]:
        """``self.name()`` in a mixin that lacks it and no subclass defines: the method each subclass
        of the project resolves it to through its other bases (``class JiraFetcher(IssuesMixin,
        UsersMixin)``: ``IssuesMixin.create_issue`` calling ``self._get_account_id()`` runs
        ``UsersMixin._get_account_id``)."""
        found: List[Obj] = []
        for sub in self.subclasses(cls, depth + 1):
            found.extend(fn for fn in self.method(sub, name, depth + 1) if fn not in found)
        return found

    def _property_attribute(self, fn: Obj, name: str, depth: int) -> List[Obj]:
        """Attribute ``name`` of what the property ``fn`` returns, an instance of the very class it
        builds or declares, once per property and name: a property whose value leads back to itself
        (``return self._parent.root``) adds nothing."""
        key = (fn, name)
        known = self._property_attributes.get(key)
        if known is not None:
            return known
        self._property_attributes[key] = []
        # an instance of the very class it builds or declares (`-> V2Adapter`): one declared of a
        # base class would otherwise stand for every subclass (evidently's storage property reached
        # the SDK's remote storage, which the server never builds)
        made = [("x", *value[1:]) if value[0] == "i" else value for value in self._call_result(fn, depth + 1)]
        found = [attr for value in made for attr in self._attribute(value, name, depth + 1)]
        self._property_attributes[key] = found
        return found

    def _reads_as_property(self, fn: Obj) -> bool:
        summary = self.tree.summary(fn[1])
        return summary is not None and summary.facts.functions[fn[2]].reads_as_property

    def _only_declares(self, fn: Obj) -> bool:
        """A method that only declares what another class implements: ``@abstractmethod``, or one of
        a ``typing.Protocol`` class (``IssuesMixin(JiraClient, UsersOperationsProto)`` reaching
        ``UsersOperationsProto._get_account_id``)."""
        summary = self.tree.summary(fn[1])
        if summary is None:
            return False
        function = summary.facts.functions[fn[2]]
        if decorated_by_one_of((d.full for d in function.decorators), ABSTRACT_DECORATORS):
            return True
        owner = summary.facts.classes[function.cls] if function.cls is not None else None
        return owner is not None and any(base.full in PROTOCOL_BASES for base in owner.bases)

    def _derives(self, sub: Obj, cls: Obj, chained: FrozenSet[str], depth: int) -> bool:
        """Whether ``sub`` derives from ``cls`` through classes named in ``chained`` (the chains
        of class statements from ``cls``'s name): only the bases so named are resolved, so the
        modules of other bases (mixins, the framework's) are not read."""
        todo, seen = [(sub, depth)], {sub}
        while todo:
            current, level = todo.pop()  # each class further up is resolved one level deeper
            for base in self.bases(current, level, chained):
                if base == cls:
                    return True
                if base not in seen:
                    seen.add(base)
                    todo.append((base, level + 1))
        return False

    def _bases_of(self, module: ModuleFacts, cls: ClassFacts) -> Iterator[Tuple[ModuleFacts, ClassFacts]]:
        """The detector's view of base classes: anywhere in the project."""
        for base in self.bases(("c", module.filename, cls.key)):
            found = self._class_facts(base)
            if found is not None:
                yield found[0].facts, found[1]

    # -- edges -------------------------------------------------------------------------

    def targets(self, fn: FnRef, receiver: Receiver = None) -> List[Target]:
        """(how, function, guard, flags, args, receiver) for every call, hand-off and nested def of ``fn``
        (run on ``receiver``) that resolves (``Edge.guard``, ``Edge.flags``, ``Edge.args``: the parameter
        test it runs under, the keywords it passes, how many positional arguments; the class the
        function runs on, when the call names that very class)."""
        known = self._targets.get((fn, receiver))
        if known is not None:
            return known
        found: List[Target] = []
        summary = self.tree.summary(fn[1])
        if summary is not None and fn[2] < len(summary.functions):
            seen: Set[Target] = set()
            edges = summary.functions[fn[2]].edges
            for edge in edges:
                passed_in = in_lambda(edge.flags) if edge.how == CALL else None
                handed_how = self._lambda_handed(passed_in, edges, fn, receiver) if passed_in is not None else None
                for target, on in self._awaitable(edge, self._callee(edge.callee, fn, receiver)):
                    how = handed_how or self._how(edge, target)
                    if how == DROPPED:
                        continue  # `self.close_all()` of an async def: the coroutine never runs
                    item = (how, target, edge.guard, self._flags_read(edge.flags, fn[1]), edge.args, on)
                    if item not in seen:
                        seen.add(item)
                        found.append(item)
                    if how == CALL and edge.args:
                        for handed in self._handed_through(edge, target, fn, receiver):
                            if handed not in seen:
                                seen.add(handed)
                                found.append(handed)
        self._targets[(fn, receiver)] = found
        return found

    def _awaitable(self, edge: Edge, callees: List[Tuple[FnRef, Receiver]]) -> List[Tuple[FnRef, Receiver]]:
        """Of the functions an awaited call may run (``await tool.connect()``, ``tool`` of unknown kind:
        every ``connect`` of the project), the coroutine functions, when there are some: a sync one of
        that name is another class's (a sync function awaited must return an awaitable, as a helper
        returning ``run_in_executor(...)`` does: alone, it is kept)."""
        if not edge.awaited or len(callees) < 2:
            return callees
        coroutines = [c for c in callees if c[0][0] != "f" or _is_coroutine_function(self.function(c[0]))]
        return coroutines or callees

    def _lambda_handed(
        self, passed_in: Tuple[int, int], edges: Tuple[Edge, ...], fn: FnRef, receiver: Receiver
    ) -> Optional[str]:
        """How a call in a lambda runs when ``fn`` passes the lambda by position to the call at
        (line, index) ``passed_in``: THREAD or SPAWN when that call's callee, a project function,
        hands the parameter there to another thread (``FunctionSummary.hands``: ``await
        execute(lambda: fetch(url))`` with ``execute`` calling ``anyio.to_thread.run_sync(fn)``);
        None (in place, as written) otherwise."""
        line, index = passed_in
        for edge in edges:
            if edge.line != line or edge.how != CALL or edge.args <= index:
                continue
            for wrapper, _on in self._callee(edge.callee, fn, receiver):
                for place, how in self._handed_places(wrapper):
                    if place == index and how in (THREAD, SPAWN):
                        return how
        return None

    def _handed_through(self, edge: Edge, wrapper: FnRef, fn: FnRef, receiver: Receiver) -> List[Target]:
        """What a call of ``fn`` passes, by position, to a parameter the project function ``wrapper``
        hands to another thread (``FunctionSummary.hands``: ``run_async(_list_templates, key)``):
        run there, with arguments not known ("**")."""
        found: List[Target] = []
        for place, how in self._handed_places(wrapper):
            value = passed_value(edge.flags, f"{POSITIONAL}{place}")
            for target, on in self._callee(value, fn, receiver) if value is not None else ():
                found.append((how, target, edge.guard, ("**",), 0, on))
        return found

    def _handed_places(self, wrapper: FnRef) -> List[Tuple[int, str]]:
        """(index among a call's positional arguments, how) of each parameter the project function
        ``wrapper`` hands on or calls (``FunctionSummary.hands``); none for anything else."""
        summary = self.tree.summary(wrapper[1]) if wrapper[0] == "f" else None
        hands = summary.functions[wrapper[2]].hands if summary is not None else ()
        if not hands:
            return []
        positional = self._positional_params(wrapper)
        return [(positional.index(param), how) for param, how in hands if param in positional]

    def _flags_read(self, flags: Tuple[str, ...], path: str) -> Tuple[str, ...]:
        """``Edge.flags`` of a call of module ``path`` with each value the graph finds to be only
        functions, methods or classes (always true) read as a true flag, and any other as unknown;
        the positional values (read by ``_handed_through``) left out."""
        if not any(VALUE in flag for flag in flags):
            return flags
        read = []
        for flag in flags:
            if flag[1:2] == POSITIONAL and VALUE in flag:
                continue
            keyword, _, written = flag.partition(VALUE)
            value = Sym.decoded(written) if written else None
            objs = self.evaluate(value, path) if value is not None else []
            callable_only = bool(objs) and all(obj[0] == "f" or obj[0] == "c" for obj in objs)
            read.append(keyword[1:] if callable_only else keyword if written else flag)
        return tuple(read)

    def _how(self, edge: Edge, target: FnRef) -> str:
        """How ``target`` runs for ``edge``: a call of a sync generator function that is not iterated
        there runs none of its body there (GENERATOR); a coroutine function called as a statement of
        its own, not awaited, makes a coroutine nobody runs, and a call whose arguments the function
        does not take raises TypeError before any of it runs (both DROPPED). A background task
        (LATER) of a coroutine function is awaited in place once the response is sent, still in the
        request's task (CALL); any other runs in a thread (THREAD)."""
        if edge.how == LATER:
            facts = self.function(target)
            return CALL if facts is not None and facts.is_async else THREAD
        if edge.how != CALL:
            return edge.how
        summary = self.tree.summary(target[1])
        if summary is None:
            return CALL
        facts = summary.facts.functions[target[2]]
        if edge.dropped and facts.is_async and not facts.decorators:
            return DROPPED  # (a decorator may make it a sync function: `@async_to_sync`)
        if _refuses_the_arguments(facts, summary.functions[target[2]].required, edge):
            return DROPPED
        if edge.iterated or not summary.functions[target[2]].generator:
            return CALL
        if entered_in_place(d.written for d in facts.decorators):
            return CALL  # `with slot(url):` of a @contextmanager runs its body here
        return CALL if facts.is_async else GENERATOR

    def _guards(self, fn: FnRef, depth: int = 0) -> FrozenSet[str]:
        """The parameters ``fn``'s calls are guarded by (a caller's literal flags for them matter),
        and those it relays to a callee that tests them (``task.validate(skip_workdir=skip_workdir)``),
        a few calls down."""
        known = self._guard_params.get((fn, depth))  # by depth: one asked deeper sees fewer calls down
        if known is not None:
            return known
        summary = self.tree.summary(fn[1])
        edges = summary.functions[fn[2]].edges if summary is not None and fn[2] < len(summary.functions) else ()
        # every call's test, a library's too (a wait under `if not progress_handler:`)
        tested = {guard_param(edge.guard) for edge in edges if edge.guard}
        self._guard_params[(fn, depth)] = frozenset(tested)  # what a call back into `fn` sees
        # the callees are worked out only for a function that relays something (most do not)
        relays = any(KWARGS_RELAY in edge.flags or _relayed(edge.flags) for edge in edges)
        if depth < MAX_RELAY_DEPTH and relays:
            for _how, target, _guard, flags, _args, _on in self.targets(fn):
                relayed = self._relayed_into(target, flags)
                if relayed:
                    tests = self._guards(target, depth + 1)
                    tested.update(param for keyword, param in relayed if keyword in tests)
                if KWARGS_RELAY in flags:  # those its **kwargs may hold: not its own parameters
                    facts = self.function(fn)
                    named = facts.params if facts is not None else ()
                    tested.update(param for param in self._guards(target, depth + 1) if param not in named)
        self._guard_params[(fn, depth)] = found = frozenset(tested)
        return found

    def function(self, fn: FnRef) -> Optional[FunctionFacts]:
        summary = self.tree.summary(fn[1])
        return summary.facts.functions[fn[2]] if summary is not None else None

    def offloaded(self, fn: FnRef) -> bool:
        summary = self.tree.summary(fn[1])
        return summary is not None and summary.functions[fn[2]].offloaded

    def off_the_loop(self, fn: FnRef) -> bool:
        """Called from the loop, yet not the loop's work on every request: it runs in a worker
        thread, or once per process (``catalog.runs_once``, or guarded by a global flag: ``once.py``)."""
        summary = self.tree.summary(fn[1])
        if summary is None:
            return False
        own, facts = summary.functions[fn[2]], summary.facts.functions[fn[2]]
        return own.offloaded or own.once or runs_once(
            (d.full for d in facts.decorators), bool(facts.params), facts.is_async
        )

    # -- blocking ----------------------------------------------------------------------

    def api_name(self, sym: Sym, path: str, depth: int = 0) -> str:
        """The catalogue name of a call outside the project (``subprocess.Popen.communicate`` for
        ``subprocess.Popen(...).communicate()``, also through ``self.x = Cls()``), else ''."""
        if sym.kind in ("self", "cls") and sym.target.isdigit() and sym.path:
            assigned = self.assigned_attr(("c", path, int(sym.target)), sym.path[0])
            if assigned is None or depth >= MAX_DEPTH:  # `self.x = self.x[0]` goes round
                return ""
            owner, attr = assigned
            return self.api_name(Sym(attr.kind, attr.target, attr.path + sym.path[1:]), owner[1], depth + 1)
        if sym.kind != "ref" or self.resolve(sym.target):
            return ""
        library = self._library_name(sym.target)
        steps: List[str] = []
        for step in sym.path:
            if step not in NAMELESS:
                steps.append(step)
            elif step == CALL_RESULT and steps and sdk_request(".".join([library, *steps])):
                return ""  # an SDK request's response (`client.chat(...).get("message")`), not more of the client
        return ".".join([library, *steps])

    def _library_name(self, dotted: str) -> str:
        """What a project module re-exports from a library is the library's: ``app.compat.urlopen``
        is ``urllib.request.urlopen`` when app/compat.py imports it (under ``if PY2:`` too, when
        both branches name the same thing); so is an instance it builds at module level
        (``app.http.SESSION.get`` is ``requests.Session.get`` after ``SESSION = requests.Session()``:
        call results drop out of the name, as in ``api_name``)."""
        return self._followed_out(dotted, instances=True)

    def reexported(self, dotted: str) -> Optional[str]:
        """The library's own name for what a module of the project imports and ``dotted`` names
        (``app.compat.urlopen``: ``urllib.request.urlopen``); None when it is not such an import (a
        definition of the project, an instance it builds, a name not known)."""
        found = self._followed_out(dotted, instances=False)
        return found if found != dotted and not self.tree.is_module(found.split(".", 1)[0]) else None

    def _followed_out(self, dotted: str, instances: bool, depth: int = 0) -> str:
        """``dotted`` through the module-level names of the project that name another thing:
        imports, and with ``instances`` what a module builds there (its call dropped)."""
        found = self.module_level(dotted)
        if found is None:
            return dotted
        _path, sym, rest = found
        if sym is None or sym.kind != "ref" or depth > MAX_DEPTH:
            return dotted
        if any(step not in NAMELESS for step in sym.path) or (sym.path and not instances):
            return dotted
        return self._followed_out(".".join([sym.target, *rest]), instances, depth + 1)

    def library_name(self, sym: Sym, path: str, depth: int = 0) -> str:
        """The catalogue-style name of what ``sym`` calls when it is outside the project: what
        ``api_name`` gives, and also through the value a project function returns
        (``helper().get`` with ``helper`` returning ``requests.Session()``: ``requests.Session.get``)
        and through a project class's library base; '' when not known to be outside."""
        name = self.api_name(sym, path)
        if name or depth > _MAX_LIBRARY_DEPTH:
            return name
        if sym.kind == ANY:
            # `for t in (self.feeder, self.player): t.join()`: the one name all the values agree on
            names = {self.library_name(Sym(m.kind, m.target, m.path + sym.path), path, depth + 1)
                     for m in sym.members()}
            return names.pop() if len(names) == 1 else one_sdk_client(names)
        if sym.kind == "ref":
            objs: List[Obj] = self.resolve(sym.target)
        elif sym.kind in ("self", "cls") and sym.target.isdigit():
            objs = [("i" if sym.kind == "self" else "k", path, int(sym.target))]
        else:
            return ""
        steps = sym.path
        for index, step in enumerate(steps):
            if index == len(steps) - 1 and self._stays_in_project(objs, step, depth):
                # the subclasses that may override the method need not be read to tell
                # (Django's ``self.handle(**options)``, ``self.as_sql()`` in a mixin)
                return ""
            following = self.evaluate(Sym(sym.kind, sym.target, steps[: index + 1]), path)
            if not following:
                rest = [s for s in steps[index + 1:] if s not in NAMELESS]
                for obj in objs:
                    outside = self._outside(obj, step, depth)
                    if outside:
                        return ".".join([outside, *rest])
                return ""
            objs = following
        return ""

    def _stays_in_project(self, objs: List[Obj], name: str, depth: int) -> bool:
        """Every one of ``objs`` is a class of the project, or an instance of one, whose member
        ``name`` is a method of the project (its own or a base's) or does not leave the project
        (``_outside``): what ``library_name`` answers for the last step whatever the overrides."""
        return bool(objs) and name not in NAMELESS and all(
            obj[0] in _CLASS_KINDS
            and (self.method(("c", obj[1], obj[2]), name) or not self._outside(obj, name, depth))
            for obj in objs
        )

    def _outside(self, obj: Obj, step: str, depth: int) -> str:
        """The library name of what ``step`` gives from the project object ``obj``, if it leaves
        the project there: a function's result, a class attribute, a library base's member."""
        if step in NAMELESS:
            if obj[0] != "f" or step != CALL_RESULT:
                return ""
            summary = self.tree.summary(obj[1])
            returns = summary.functions[obj[2]].returns if summary is not None else None
            return self.library_name(returns, obj[1], depth + 1) if returns is not None else ""
        if obj[0] not in _CLASS_KINDS:
            return ""
        for owner in self.mro(("c", obj[1], obj[2])):
            summary = self.tree.summary(owner[1])
            if summary is None:
                continue
            own = summary.classes[owner[2]]
            for attr, sym in own.attrs:
                if attr == step:
                    return self.library_name(sym, owner[1], depth + 1)
            for base in own.bases:
                if base is not None and base.dotted and not self.resolve(base.dotted):
                    return f"{base.dotted}.{step}"
        return ""

    def module_level(self, dotted: str) -> Optional[Tuple[str, Optional[Sym], List[str]]]:
        """``app.http.SESSION.get`` as (``app/http.py``, what that module binds ``SESSION`` to or
        None, ``["get"]``): the longest prefix of ``dotted`` that is a module of the project and
        leaves a name after it; None when there is none."""
        parts = dotted.split(".")
        for end in range(len(parts) - 1, 0, -1):
            path = self.tree.module_path(".".join(parts[:end]))
            if path is not None:
                summary = self.tree.summary(path)
                return path, summary.name(parts[end]) if summary is not None else None, parts[end + 1:]
        return None

    def blocks(self, fn: FnRef, given: FrozenSet[str] = frozenset(), receiver: Receiver = None) -> Optional[Block]:
        """Where calling the sync function ``fn`` waits in place: the nearest catalogue call that
        waits (``time.sleep``, ``subprocess.run``, ``requests.get``...) in it or in the sync
        functions it calls, up to MAX_BLOCK_DEPTH calls down; None when there is none (an async
        function only returns a coroutine). ``given``: the flags ``fn`` is entered with (``_spread``):
        a call under a test they rule out does not run; ``receiver``: the class it runs on."""
        key = (fn, given, receiver)
        if key in self._blocks:
            return self._blocks[key]
        found: Optional[Block] = None
        frontier: List[_Step] = [(fn, (), given, receiver)] if self._runs_in_place(fn) else []
        seen = {fn}
        for _level in range(MAX_BLOCK_DEPTH + 1):
            frontier = self._with_overridden(frontier, seen)
            for current, via, flags_in, _on in frontier:
                waits = self._waits_in(current, flags_in)
                if waits is not None:
                    found = (waits[0], current, waits[1], via)
                    break
            if found is not None:
                break
            deeper: List[_Step] = []
            for here in frontier:
                current, _via, flags_in, on = here
                for how, target, guard, flags, args, target_on in self.targets(current, on):
                    if guard and ruled_out(guard, flags_in):
                        continue
                    step = self._step_into(here, target, flags, args, target_on, seen) if how == CALL else None
                    if step is not None:
                        deeper.append(step)
            frontier = deeper
        self._blocks[key] = found
        return found

    def _with_overridden(self, frontier: List[_Step], seen: Set[FnRef]) -> List[_Step]:
        """``frontier`` with the base methods its overrides extend (``super().decode_token(...)``): the
        same operation's body continued, so no call deeper (a subclass of a subclass of the client
        that fetches its keys is as near as the client)."""
        found = list(frontier)
        for here in found:  # grows as it goes: a base's own super() call too
            current, _via, flags_in, on = here
            summary = self.tree.summary(current[1])
            if summary is None:
                continue
            for edge in summary.functions[current[2]].edges:
                if edge.how != CALL or edge.callee.kind != SUPER_OF:
                    continue
                if edge.guard and ruled_out(edge.guard, flags_in):
                    continue
                passed = self._flags_read(edge.flags, current[1])
                for target, target_on in self._callee(edge.callee, current, on):
                    step = self._step_into(here, target, passed, edge.args, target_on, seen)
                    if step is not None:
                        found.append(step)
        return found

    def _step_into(self, here: _Step, target: FnRef, flags: Tuple[str, ...], args: int, on: Receiver,
                   seen: Set[FnRef]) -> Optional[_Step]:
        """``blocks``' next place to look from ``here``: the sync function ``target`` run in place,
        not seen yet, entered with what the call passes (``flags``, ``args``) and ``on`` its class."""
        if target in seen or not self._runs_in_place(target):
            return None
        seen.add(target)
        _current, via, flags_in, _on = here
        entered = self._entered_with(target, flags, args, flags_in) | (flags_in & _LOOP_ONLY)
        return target, via + (target,), entered, on

    def _runs_in_place(self, fn: FnRef) -> bool:
        facts = self.function(fn)
        return facts is not None and not facts.is_async and not self.off_the_loop(fn)

    def _waits_in(self, fn: FnRef, given: FrozenSet[str] = frozenset()) -> Optional[Tuple[str, int]]:
        """The first catalogue call of ``fn`` itself that waits: (its name, its line)."""
        summary = self.tree.summary(fn[1])
        if summary is None:
            return None
        for edge in summary.functions[fn[2]].edges:
            if edge.guard and ruled_out(edge.guard, given):
                continue
            if edge.how == CALL and not edge.quiet:
                name = self.library_name(edge.callee, fn[1])
                if name in EXECUTOR_MAPS and not edge.iterated:
                    continue  # `results = pool.map(f, items)`: the iterator waits for nothing until read
                api = PLAIN_BLOCKING.get(name) or sdk_request(name)
                blocking = api.blocking if api is not None else None
                if blocking is not None and not (edge.hostless and blocking.connects_with_host):
                    return name, edge.line
        return None

    def blocking_calls(self, fn: FnRef, entered: Iterable[FrozenSet[str]] = ()) -> List[BlockingCall]:
        """The calls of the async function ``fn`` to sync functions of the project that block; not a
        call under a parameter test that every way ``fn`` is ``entered`` rules out (each caller passes
        ``prefer_async=True`` to a function that blocks only under ``if not prefer_async:``)."""
        ways = list(entered)

        def block(target: FnRef, receiver: Receiver, edge: Edge) -> Optional[Block]:
            if edge.guard and ways and all(ruled_out(edge.guard, given) for given in ways):
                return None
            if edge.awaited and not _is_coroutine_function(self.function(target)):
                return None  # `await tool.connect()` runs a coroutine: a sync `connect` of that name is another class's
            entered = self._entered_with(target, self._flags_read(edge.flags, fn[1]), edge.args)
            found = self.blocks(target, entered | _LOOP_ONLY, receiver)
            if found is None and edge.args and self._runs_in_place(target):
                # `_safe_call(_do)`: the function the wrapper calls in place is this call's (`FunctionSummary.hands`)
                for how, handed, _guard, flags, _args, on in self._handed_through(edge, target, fn, receiver):
                    if how != CALL:
                        continue
                    deeper = self.blocks(handed, self._entered_with(handed, flags, 0) | _LOOP_ONLY, on)
                    if deeper is not None:
                        name, where, line, via = deeper
                        return name, where, line, (handed, *via)
            return found

        calls = self._calls_to(fn, block)
        return [(edge.line, _called_name(edge.callee), block) for edge, _target, block in calls]

    def _calls_to(
        self, fn: FnRef, question: Callable[[FnRef, Receiver, Edge], Optional[T]]
    ) -> List[Tuple[Edge, FnRef, T]]:
        """For each call ``fn`` makes in place: the first function it may run for which ``question``
        (asked with the class it runs on and the call) has an answer, with that answer."""
        summary = self.tree.summary(fn[1])
        if summary is None:
            return []
        found: List[Tuple[Edge, FnRef, T]] = []
        for edge in summary.functions[fn[2]].edges:
            if edge.how != CALL:
                continue
            hit = next(
                (
                    (edge, target, answer)
                    for target, receiver in self._callee(edge.callee, fn, None)
                    if self._how(edge, target) == CALL
                    for answer in [question(target, receiver, edge)]
                    if answer is not None
                ),
                None,
            )
            if hit is not None:
                found.append(hit)
        return found

    def forwards_without_timeout(self, fn: FnRef, depth: int = 0) -> Optional[Forwarded]:
        """``fn`` passes on to a catalogue call that takes a timeout, with none of its own, what its
        callers give it: its ``**kwargs``, or a timeout parameter whose default gives none (directly
        or through more such wrappers). (That call, the wrappers below ``fn``, the keyword a caller
        gives ``fn`` the timeout as.)"""
        if fn in self._forwards:
            return self._forwards[fn]
        self._forwards[fn] = None  # a cycle adds nothing
        if not self._any_forward_to_api():
            return None
        summary = self.tree.summary(fn[1])
        if summary is None or depth > MAX_DEPTH:
            return None
        found: Optional[Forwarded] = None
        for forward in summary.functions[fn[2]].forwards:
            name, takes_timeout = self._api_passed(forward, fn[1])
            if name:
                if takes_timeout:
                    found = (name, (), forward.param or "timeout")
                    break
                continue
            for obj in self.evaluate(forward.callee, fn[1]):
                for target in self.callables(obj):
                    inner = self.forwards_without_timeout(target, depth + 1)
                    # A parameter passed on as ``timeout=`` reaches a wrapper that takes its timeout so.
                    if inner is not None and found is None and (not forward.param or inner[2] == "timeout"):
                        found = (inner[0], (target, *inner[1]), forward.param or inner[2])
            if found is not None:
                break
        self._forwards[fn] = found
        return found

    def _api_passed(self, forward: Forward, path: str) -> Tuple[str, bool]:
        """The catalogue call ``forward`` passes the timeout on to ('' if none), and whether the
        timeout it takes can come that way (a parameter passed as ``timeout=``; keywords passed on,
        with no positional argument written at or past the timeout's place)."""
        name = self.library_name(forward.callee, path)
        api = APIS.get(name) if name else None
        if api is None:
            return "", False
        if api.timeout is None:
            return name, False
        if forward.param:  # passed as ``timeout=``
            return name, api.timeout.keyword == "timeout"
        index = api.timeout.index
        return name, index is None or forward.positional <= index

    def _any_forward_to_api(self) -> bool:
        """Whether a function of the project passes its ``**kwargs`` straight on to a catalogue
        call that takes a timeout. Every wrapper's chain ends in one, so without one there is no
        wrapper, and no callee need be resolved to tell (on Django, a third of the modules the
        index reads would be read only for that)."""
        if self._forward_to_api is None:
            self._forward_to_api = any(
                self._api_passed(forward, fn[1])[1]
                for fn, function in self._forwarders()
                for forward in function.forwards
            )
        return self._forward_to_api

    def _forwarders(self) -> Iterator[Tuple[FnRef, FunctionSummary]]:
        """The functions that pass their own ``**kwargs`` on, in the modules whose text may hold one."""
        tree = self.tree
        for path in tree.files:
            if tree.may_forward(path) and (summary := tree.summary(path)) is not None:
                for key, function in enumerate(summary.functions):
                    if function.forwards:
                        yield ("f", path, key), function

    def forwarding_calls(self, fn: FnRef) -> List[ForwardingCall]:
        """The calls of ``fn`` to wrappers of the project that pass on, with no timeout of their own,
        their keywords or their timeout parameter (``forwards_without_timeout``)."""
        found: List[ForwardingCall] = []
        forwarding = self._calls_to(fn, lambda target, _on, _edge: self.forwards_without_timeout(target))
        for edge, target, (api, via, keyword) in forwarding:
            facts = self.function(target)
            positional = () if facts is None else facts.positional[(1 if facts.cls is not None else 0):]
            if keyword in positional:  # a timeout parameter: the arguments before it
                params = positional.index(keyword)
            elif via:
                params = len(positional) + (_ANY_NUMBER if self._keywords_only(api, (target, *via)) else 0)
            else:
                params = len(positional) + self._room_in_args(target, api)
            found.append((edge.line, _called_name(edge.callee), api, params, (target, *via), keyword,
                          self._passes_a_parameter(via[-1] if via else target, api)))
        return found

    def _passes_a_parameter(self, wrapper: FnRef, api: str) -> bool:
        """``wrapper`` gives ``api`` a timeout parameter of its own, ``None`` by default, as
        ``timeout=P`` (``Forward.written``; not its ``**kwargs``, nor a dict filled only when the
        parameter is given): a caller that passes none makes it pass ``timeout=None``."""
        summary = self.tree.summary(wrapper[1])
        if summary is None or wrapper[2] >= len(summary.functions):
            return False
        return any(forward.written and self._api_passed(forward, wrapper[1])[0] == api
                   for forward in summary.functions[wrapper[2]].forwards)

    def _keywords_only(self, api: str, wrappers: Tuple[FnRef, ...]) -> bool:
        """Whether no positional argument given to the first of ``wrappers`` (which pass their
        ``**kwargs`` on, one to the next) can become ``api``'s timeout: the call takes it by keyword
        only, and no wrapper on the way takes it as a parameter of its own (``self.post(url, data)``
        through ``self.request(method, *args, **kwargs)`` to ``requests.request``)."""
        spec = APIS.get(api)
        if spec is None or spec.timeout is None or spec.timeout.index is not None:
            return False
        for wrapper in wrappers:
            summary = self.tree.summary(wrapper[1])
            if summary is None or any(forward.param for forward in summary.functions[wrapper[2]].forwards):
                return False
        return True

    def _room_in_args(self, wrapper: FnRef, api: str) -> int:
        """How many positional arguments past its named parameters a wrapper that passes its own
        ``*args`` on to ``api`` takes before one lands on the timeout's position
        (``def urlopen(*args, **kw): return urllib.request.urlopen(*args, **kw)``: two, url and data)."""
        summary = self.tree.summary(wrapper[1])
        spec = APIS.get(api)
        if summary is None or spec is None or spec.timeout is None:
            return 0
        for forward in summary.functions[wrapper[2]].forwards:
            if forward.stars and self.api_name(forward.callee, wrapper[1]) == api:
                index = spec.timeout.index
                return max(0, index - forward.positional) if index is not None else _ANY_NUMBER
        return 0

    # -- handlers --------------------------------------------------------------------

    def handlers(self) -> Dict[FnRef, str]:
        """Every handler of the project (by path, then source order) with its reason.

        Starts from the files the text scan marks, and reads more as it learns: the
        modules a registration names (``path("", views.index)``), the bases of classes,
        and the files naming a view class as a base (its subclasses are views too).
        """
        found: Dict[FnRef, str] = {}

        def give(fn: FnRef, reason: str) -> None:
            if firmer(found.get(fn), reason):
                found[fn] = reason

        pending: Deque[str] = deque(sorted(self.tree.hinted()))
        queued: Set[str] = set(pending)
        while pending:
            path = pending.popleft()
            summary = self.tree.summary(path)
            if summary is None or summary.error:
                continue
            facts = summary.facts
            for key, reason in detect_handlers(facts, self.config, self._bases_of).items():
                give(("f", path, key), reason)
            for function in facts.functions:
                event = self._event_handler(function, path)
                if event:
                    give(("f", path, function.key), event)
            for view, reason, registration in registered_views(facts):
                # a dependency names a callable: a class there is built, not served (its __init__ runs)
                classes = registration.callee not in DEPENDENCY_CALLS
                verbs = registration.callee in CLASS_REGISTRARS
                for fn in self._routed(view, classes=classes, verbs=verbs):
                    if fn[1] != path:
                        give(fn, f"{reason} in {path}")
                for fn in self._self_view_overrides(view, registration, facts, path):
                    give(fn, f"{reason} in {path}, as an override")
                for fn in self._made_by_factory(view, registration, facts, path):
                    where = f" in {path}" if fn[1] != path else ""
                    give(fn, f"{reason}{where}, made by {view.name}()")
                for made in self._dependency_instances(view, registration):
                    for fn in self.method(made, DEPENDENCY_CALL_METHOD):
                        give(fn, f"{DEPENDENCY_CALL_METHOD}() of an instance that is {reason} in {path}")
            for view, reason, registration in server_registrations(
                    facts, lambda registration: self._server_class(registration, path)):
                local = [("f", path, fn.key) for fn in functions_named_by(view, registration.function, facts)]
                for fn in local + self._routed(view, classes=False) + self._made_by_factory(
                        view, registration, facts, path):
                    give(fn, reason)
                param = registered_parameter(view)
                if param and registration.function is not None:
                    for fn, how in self._given_to(("f", path, registration.function), param):
                        give(fn, f"{reason}, {how}")
            for fn, reason in self._routed_by_a_route_class_elsewhere(facts, path):
                give(fn, reason)
            for cls in facts.classes:
                methods, request_methods, _ = class_handler_methods(facts, cls, self.config, self._bases_of)
                if methods or request_methods:
                    for other in self.tree.with_base(cls.name)[:MAX_SUBCLASS_FILES]:
                        if other not in queued:
                            queued.add(other)
                            pending.append(other)
        # A function that takes the request and that the project calls is a helper of whatever calls it:
        # only one nothing calls (a library's dependency or API, a route registered out of view) is a handler.
        # One a decorator registers under a path (`@get("stats")`, a framework's own routing) is one
        # whoever else writes a call of its name (`storage.get_stats()`, another class's `get_stats`).
        takers = {fn: taker.name for fn, reason in found.items()
                  if is_taker_reason(reason) and (taker := self.function(fn)) is not None
                  and not any(decorator.labelled for decorator in taker.decorators)}
        if takers:
            called = self._names_called(set(takers.values()))
            found = {fn: reason for fn, reason in found.items() if fn not in takers or takers[fn] not in called}
        found = {fn: on_fastmcp_2(reason, lambda: self.tree.root) for fn, reason in found.items()}
        if any(runs_inline_on_loop(reason) for reason in found.values()) and self._replaces_tools():
            found = {fn: not_known_inline(reason) for fn, reason in found.items()}
        return dict(sorted(found.items(), key=lambda item: (item[0][1], item[0][2])))

    def _given_to(self, helper: FnRef, param: str) -> List[Tuple[FnRef, str]]:
        """The project functions given to ``helper``, a function that registers its parameter
        ``param`` (``handlers.registered_parameter``), with how: what every call of it passes
        (``register_tool(mcp, rollback, "rollback")``, in any module), what it decorates when
        ``param`` comes first (``@write_tool``), and what the decorator a factory returns decorates
        (``@tool(name="logs")``, where ``def tool(**options)`` returns the helper)."""
        function = self.function(helper)
        if function is None:
            return []
        how = f"through {function.name}()"
        found = [
            (obj, how) for path, sym in self._arguments(helper, param, MAX_SERVER_ARGUMENT_FILES) or ()
            if sym.kind == "ref" and not sym.path for obj in self.resolve_from(sym.target, path) if obj[0] == "f"
        ]
        if function.positional[:1] != (param,):
            return found
        appliers = [(helper, False)]
        if function.parent_function is not None:
            factory: FnRef = ("f", helper[1], function.parent_function)
            if helper in self._call_result(factory, 0):
                appliers.append((factory, True))
        names = {name for fn, _called in appliers if (name := self._function_name(fn))}
        for path in self.tree.naming(names)[:MAX_SERVER_ARGUMENT_FILES]:
            summary = self.tree.summary(path)
            if summary is None or summary.error:
                continue
            for decorated in summary.facts.functions:
                for decorator in decorated.decorators:
                    applied = self._decorator_functions(decorator, decorated, summary.facts, path)
                    if any(fn in applied and called == decorator.called for fn, called in appliers):
                        found.append((("f", path, decorated.key), f"as @{decorator.written}"))
        return found

    def _function_name(self, fn: FnRef) -> str:
        function = self.function(fn)
        return function.name if function is not None else ""

    def _decorator_functions(
        self, decorator: Decorator, decorated: FunctionFacts, facts: ModuleFacts, path: str
    ) -> List[FnRef]:
        """The project functions a decorator names: through the module's imports, or a function of
        the module by its plain name, seen from where the decorated function is defined."""
        if "." in decorator.full:
            return [obj for obj in self.resolve_from(decorator.full, path) if obj[0] == "f"]
        if decorator.shape != "name":
            return []
        named = functions_named_by(ViewRef("name", decorator.full), decorated.parent_function, facts)
        return [("f", path, fn.key) for fn in named]

    def _replaces_tools(self) -> bool:
        """Some module of the project, its tests aside, writes into its MCP server's tool registry
        (``handlers.replaces_tools``). Read only for a project with a tool its server runs in place."""
        for path in self.tree.files:
            self.tree.check_time()  # every file is read: the run's budget holds
            if not is_tooling_path(path, EXERCISE_GLOBS) and replaces_tools(self.tree.text(path) or ""):
                return True
        return False

    def _dependency_instances(self, view: ViewRef, registration: Registration) -> List[Obj]:
        """The classes of the instances a FastAPI dependency names, whose ``__call__`` FastAPI runs on
        every request: built there (``Depends(JWTBearer())``) or held by a name
        (``get_identity = IdentityFactory(optional=False)``, then ``Depends(get_identity)``)."""
        if registration.callee not in DEPENDENCY_CALLS or not view.full:
            return []
        if is_dependency_instance(view, registration):
            return [obj for obj in self.resolve(view.full) if obj[0] == "c"]
        if view.kind in ("name", "attribute"):
            return [("c", obj[1], obj[2]) for obj in self.resolve(view.full) if obj[0] in ("x", "i")]
        return []

    def _made_by_factory(
        self, view: ViewRef, registration: Registration, facts: ModuleFacts, path: str
    ) -> List[FnRef]:
        """The project functions a project function returns, registered by calling it
        (``Depends(make_request_chunks_dep(options))``, ``dep = make_dep(options)`` then
        ``Depends(dep)``): the function it returns serves every request, whichever module it is in.
        A factory of the registering module is known by its plain name, as its views are."""
        if view.kind != "wrapped" or not view.full or view.name in _NOT_WRAPPERS:
            return []
        factories = [obj for obj in self.resolve(view.full) if obj[0] == "f"]
        if not factories and "." not in view.full:
            local = functions_named_by(ViewRef("name", view.full), registration.function, facts)
            factories = [("f", path, fn.key) for fn in local]
        made: List[FnRef] = []
        for factory in factories:
            made.extend(fn for fn in self._call_result(factory, 0) if fn[0] == "f" and fn not in made)
        return made

    def _routed_by_a_route_class_elsewhere(self, facts: ModuleFacts, path: str) -> Iterator[Tuple[FnRef, str]]:
        """The endpoints of ``ApiRoute("/threads", endpoint=create_thread)`` where ``ApiRoute`` is a
        class of another module of the project deriving from a framework's route class (the module
        alone cannot tell it from any other class named so)."""
        for registration in facts.registrations:
            callee = registration.callee
            if callee in REGISTRAR_CALLS or not named_like_a_route_class(callee) or not registration.full:
                continue
            classes = [obj for obj in self.resolve(registration.full) if obj[0] == "c" and obj[1] != path]
            if not any(self._is_route_class(cls) for cls in classes):
                continue
            reason = f"registered with {callee}()"
            for view in route_class_views(registration):
                for fn in self._routed(view, classes=False):
                    yield fn, f"{reason} in {path}" if fn[1] != path else reason
                for function in functions_named_by(view, registration.function, facts):
                    yield ("f", path, function.key), reason

    def _is_route_class(self, cls: Obj) -> bool:
        """The class, or a project class it derives from, has a framework's route class as a base."""
        for ancestor in self.mro(cls):
            found = self._class_facts(ancestor)
            if found is not None and derives_from_a_route_class(found[1]):
                return True
        return False

    def _server_class(self, registration: Registration, path: str) -> str:
        """The class of the server ``mcp.tool()(f)`` or ``mcp.add_tool(f)`` registers ``f`` on: one the
        module builds (``Registration.receiver``), another module's (``from app.server import mcp``),
        or the one given to the function that registers (``def register(mcp): ... mcp.add_tool(f)``),
        read as for a decorator (``_event_handler``)."""
        if registration.receiver or "." not in registration.full:
            return self._server_of_class(registration.receiver)
        receiver = registration.full.rsplit(".", 1)[0]
        server = self._server_of_class(self._library_name(receiver))
        if server not in EVENT_SERVERS and registration.function is not None:
            by_mcp = registration.callee in MCP_DECORATORS or registration.callee == MCP_ADD_TOOL
            server = self._server_of_parameter(("f", path, registration.function), receiver, server, by_mcp)
        return server

    def _server_of_parameter(self, registering: FnRef, receiver: str, server: str, mcp: bool) -> str:
        """The server ``receiver`` names in the function ``registering`` that registers on it, read as
        its parameter: what the callers give it (``_server_given``), else, for an MCP registration
        whose callers cannot all be read, the one MCP server the project builds; ``server`` (what the
        name says alone) when neither tells."""
        given = self._server_given(registering, receiver)
        if given:
            return given
        if mcp and self._unread_parameter(registering, receiver):
            return self._project_mcp_server()
        return server

    def _server_of_class(self, dotted: str) -> str:
        """The server class (``EVENT_SERVERS``) ``dotted`` names: through a project module that imports
        it (kvm-pilot's ``_sdk.MCPServer``, an import falling back between the SDK's two names), or
        that a class of the project derives from, directly or through its other classes
        (workspace-mcp's ``class SecureFastMCP(FastMCP)``): its decorators register as the server's
        do; ``dotted`` itself otherwise."""
        if not dotted or dotted in EVENT_SERVERS:
            return dotted
        named = self._library_name(dotted)  # a project module's import of it (an SDK shim's fallback)
        if named in EVENT_SERVERS:
            return named
        for cls in self.resolve(dotted):
            if cls[0] != "c":
                continue
            calls_tools = False  # one of its classes overrides how a tool is called
            for owner in self.mro(cls):
                found = self._class_facts(owner)
                if found is None:
                    continue
                calls_tools = calls_tools or any(found[1].method_keys(name) for name in MCP_TOOL_CALLERS)
                for base in found[1].bases:
                    library = self._library_name(base.full)
                    if library in EVENT_SERVERS:
                        return server_calling_tools_itself(library) if calls_tools else library
        return dotted

    def _event_handler(self, fn: FunctionFacts, path: str) -> Optional[str]:
        """``@sio.on("message")``, ``@mcp.tool()`` where ``sio`` or ``mcp`` is a server another module
        builds (``from app.server import sio``): its class is read in that module."""
        for decorator in fn.decorators:
            name = decorator.written.rsplit(".", 1)[-1]
            if decorator.shape != "attribute" or decorator.receiver in EVENT_SERVERS or name not in EVENT_DECORATORS:
                continue  # (a server the module builds is the detector's: ``Decorator.receiver``)
            receiver = decorator.full.rsplit(".", 1)[0]
            server = self._server_of_class(decorator.receiver or self._library_name(receiver))
            if server not in EVENT_SERVERS and fn.parent_function is not None and decorator.full == decorator.written:
                server = self._server_of_parameter(("f", path, fn.parent_function), receiver, server,
                                                   name in MCP_DECORATORS)
            reason = event_handler_reason(decorator, server)
            if reason:
                return reason
        return None

    def _server_given(self, fn: FnRef, receiver: str) -> str:
        """The server class (``EVENT_SERVERS``) of ``receiver`` in the function ``fn`` that defines
        the decorated one: an attribute of ``fn``'s instance (``@self.mcp.tool()`` in a method, after
        ``self.mcp = FastMCP("app")``), or what every call of ``fn`` passes for its parameter
        (``register_tools(mcp)``, in whichever module); '' when not known to be one server's."""
        function = self.function(fn)
        if function is None:
            return ""
        owner, _, attrs = receiver.partition(".")
        if attrs and function.cls is not None and function.params[:1] == (owner,):
            return self.api_name(Sym("self", str(function.cls), tuple(attrs.split("."))), fn[1])
        if attrs or receiver not in function.params:
            return ""
        passed = self._arguments(fn, receiver, MAX_SERVER_ARGUMENT_FILES) or ()
        classes = {self._passed_server(where, sym) for where, sym in passed}
        server = classes.pop() if len(classes) == 1 else ""
        return server if server in EVENT_SERVERS else ""

    def _passed_server(self, where: str, sym: Sym) -> str:
        """The server class of a value passed for a server parameter: one built there (``FastMCP()``),
        a module's (``app.server.mcp``), or an instance's attribute (``register(self.mcp)`` after
        ``self.mcp = FastMCP("app")``). A parameter declared of an MCP server class
        (``def _register_tools(mcp: FastMCP)``) holds that class or a subclass: the one the project
        builds (k8s-mcp's subclass that runs its sync tools in an executor) when it builds one."""
        server = self._server_of_class(self._instance_class(sym) or self.api_name(sym, where))
        if sym.path[-1:] == (DECLARED,) and is_mcp_server(server):
            server = self._project_mcp_server() or server
        return server

    def _unread_parameter(self, fn: FnRef, name: str) -> bool:
        """``name`` is a parameter of ``fn``, which the project calls, but whose calls do not all show
        what they pass (``register(mcp)`` called as ``module.register(mcp)`` for each module of a
        list, with ``register_all``'s own parameter), or hands on as a value to be called elsewhere
        (rhino3dm-mcp's ``[(Mode.BRIDGE, query.register), ...]``, each called as ``register_fn(mcp,
        mode)`` by a helper looping over them). A function nothing calls or names says nothing."""
        function = self.function(fn)
        if function is None or name not in function.params or self._arguments(fn, name, MAX_SERVER_ARGUMENT_FILES):
            return False
        return bool(self._ask_callers(lambda callers: callers.call_edges(fn) or callers.uses(fn)))

    def _project_mcp_server(self) -> str:
        """The one MCP server class (``handlers.is_mcp_server``) the project builds, through its own
        subclasses too; '' when it builds none or several. ``@mcp.tool()`` on a parameter whose
        callers cannot be read (scrapy-mcp's ``register(mcp)`` in each tool module, called from a
        loop over the modules) registers with it."""
        if self._mcp_server is None:
            built = set()
            for path in self.tree.naming(MCP_SERVER_NAMES)[:MAX_SERVER_ARGUMENT_FILES]:
                summary = self.tree.summary(path)
                edges = [*summary.module_edges, *(e for f in summary.functions for e in f.edges)] if summary else []
                for edge in edges:
                    if edge.how == CALL and edge.callee.kind == "ref" and not edge.callee.path:
                        server = self._server_of_class(self._library_name(edge.callee.target))
                        if is_mcp_server(server):
                            built.add(server)
            self._mcp_server = built.pop() if len(built) == 1 else ""
        return self._mcp_server

    def _instance_class(self, sym: Sym) -> str:
        """The library class a passed value is an instance of: one built there (``FastMCP()``), or
        one a module builds at its top level and the value names (``app.server.mcp``); '' else."""
        if sym.kind != "ref" or sym.path not in ((), (CALL_RESULT,)):
            return ""
        name = self._library_name(sym.target)
        return name if sym.path or name != sym.target else ""

    def _routed(self, view: ViewRef, depth: int = 0, classes: bool = True, verbs: bool = False) -> List[FnRef]:
        """Project functions a registration argument names in another module (``classes``: and the
        methods of a class it names; ``verbs``: only its request methods, inherited ones too)."""
        if view.kind in ("name", "attribute") and view.full:
            objs = self.resolve(view.full)
            own = [fn for o in objs if o[0] == "c" for fn in self._served_by(o, verbs)] if classes else []
            return [o for o in objs if o[0] == "f"] + own
        if view.kind != "wrapped" or depth > 3:
            return []
        if view.name == "as_view" and "." in view.full:
            # `views.ArchiveView.as_view()`: the class's request methods serve the route.
            return [fn for cls in self.resolve(view.full.rsplit(".", 1)[0]) if cls[0] == "c"
                    for fn in self._served_by(cls, verbs=True)]
        if view.name not in _NOT_WRAPPERS and view.inner is not None:
            return self._routed(view.inner, depth + 1, classes, verbs)
        return []

    def _self_view_overrides(
        self, view: ViewRef, registration: Registration, facts: ModuleFacts, path: str
    ) -> List[FnRef]:
        """A method a class registers as ``self.m`` (``router.add_route("GET", "/login", self.login)``)
        is the one of the instance registering it: a subclass's override of ``m`` serves the route,
        wrapped too (``path("", wrap(self.index))``, as the Django admin routes its views)."""
        view = unwrapped(view)
        if view.kind != "self" or registration.function is None:
            return []
        cls = facts.functions[registration.function].cls
        return self.overrides(("c", path, cls), view.name) if cls is not None else []

    def _served_by(self, cls: Obj, verbs: bool) -> List[FnRef]:
        """The methods of a class registered as a view that serve its requests: its request methods,
        inherited ones too (``verbs``), or else the ones it defines (``_own_methods``)."""
        if not verbs:
            return self._own_methods(cls)
        return [fn for verb in sorted(VERB_METHODS) for fn in self.method(cls, verb)]

    def _own_methods(self, cls: Obj) -> List[FnRef]:
        """A class registered as the view itself (``bp.add_url_rule('/x', 'x', RHExport)``: a
        wrapper of the project makes an instance per request and runs it): the methods it
        defines serve the request; those it inherits are reached from them."""
        found = self._class_facts(cls)
        if found is None:
            return []
        return [("f", cls[1], key) for _name, keys in found[1].methods for key in keys]

    # -- reach -----------------------------------------------------------------------

    def reach(self, handlers: Mapping[FnRef, str]) -> "Reach":
        """Breadth-first from all handlers at once (with their reasons): each function keeps its
        shortest chain."""
        order = list(handlers)
        chains: Dict[FnRef, ChainRef] = {}
        queue: Deque[FnRef] = deque()
        for handler in order:
            chains[handler] = (handler, ())
            queue.append(handler)
        on_the_loop = [handler for handler in order if self._async_in_place(handler)]
        # a sync handler its server calls in place (the MCP SDK 1.x's tools) runs on the loop too
        inline = {handler for handler in order if runs_inline_on_loop(handlers[handler])}
        # A thread started on its own (Thread(target=f)) is not the request's work: HB501's business.
        ways: Dict[FnRef, Dict[FrozenSet[str], ChainRef]] = {}  # every way from a handler, by its flags
        self._spread(chains, queue, lambda how, target: how != SPAWN, on_the_loop, ways)

        def on_loop(how: str, target: FnRef) -> bool:
            return how in ON_LOOP and not self.off_the_loop(target)

        # The handlers' event loop: every async function reached from a handler without a
        # hand-off (one reached through a thread runs on another loop, if any), and what those
        # call in place, sync functions included.
        in_place: Dict[FnRef, ChainRef] = {handler: (handler, ()) for handler in order}
        entered_with: Dict[FnRef, Dict[FrozenSet[str], ChainRef]] = {}  # every way from a handler, by its flags
        self._spread(in_place, deque(in_place), on_loop, on_the_loop, entered_with)
        loop: Dict[FnRef, ChainRef] = {
            fn: chain for fn, chain in in_place.items() if self._async_in_place(fn) or fn in inline
        }
        self._spread(loop, deque(loop), on_loop, loop, seeded=entered_with)
        for fn in [fn for fn, chain in loop.items() if self._sync_depth(chain) > MAX_LOOP_SYNC_DEPTH]:
            del loop[fn]

        # The request's own task: what an async handler awaits in place.
        task: Dict[FnRef, ChainRef] = {handler: (handler, ()) for handler in on_the_loop}
        self._spread(
            task, deque(task), lambda how, target: how == CALL and target in loop and not self.offloaded(target), task
        )
        blocking: Dict[FnRef, List[BlockingCall]] = {}
        for fn in loop:
            facts = self.function(fn)
            if facts is not None and facts.is_async:
                calls = self.blocking_calls(fn, entered_with.get(fn, ()))
                if calls:
                    blocking[fn] = calls
        forwarding: Dict[FnRef, List[ForwardingCall]] = {}
        for fn in [*chains, *(fn for fn in self._wrapper_callers() if fn not in chains)]:
            passed_on = self.forwarding_calls(fn)
            if passed_on:
                forwarding[fn] = passed_on
        return Reach(order, chains, loop, task, blocking, forwarding, self._lines_never_run(ways))

    def _lines_never_run(self, ways: Dict[FnRef, Dict[FrozenSet[str], ChainRef]]) -> Dict[FnRef, FrozenSet[int]]:
        """For each function a handler reaches, the lines of its calls under a parameter test that
        every way it is entered rules out (each caller passes ``progress_handler=tracker.hook`` to a
        function that waits for a child only under ``if not progress_handler:``)."""
        found: Dict[FnRef, FrozenSet[int]] = {}
        for fn, entered in ways.items():
            given = [flags for flags in entered if flags]
            if len(given) < len(entered):
                continue  # entered with no flag at all: every line may run
            summary = self.tree.summary(fn[1])
            if summary is None or fn[2] >= len(summary.functions):
                continue
            never: Set[int] = set()
            runs: Set[int] = set()
            for edge in summary.functions[fn[2]].edges:
                skipped = bool(edge.guard) and all(ruled_out(edge.guard, flags) for flags in given)
                (never if skipped else runs).add(edge.line)
            if never - runs:
                found[fn] = frozenset(never - runs)
        return found

    def _async_in_place(self, fn: FnRef) -> bool:
        """An ``async def`` run on the loop that reaches it (not handed to a thread of its own)."""
        facts = self.function(fn)
        return facts is not None and facts.is_async and not self.offloaded(fn)

    def _stays_on_loop(self, how: str, target: FnRef) -> bool:
        """A function on the loop's thread runs ``target`` there too: called or awaited in place, or
        a function it defines (a callback it registers runs where it is called: on the loop too)."""
        return how == DEF or (how in ON_LOOP and not self.offloaded(target))

    def _sync_depth(self, chain: ChainRef) -> int:
        """How many sync functions end ``chain`` (below its last async function or handler)."""
        handler, via = chain
        depth = 0
        for fn in reversed(via):
            facts = self.function(fn)
            if facts is None or facts.is_async:
                break
            depth += 1
        return depth

    def _wrapper_callers(self) -> List[FnRef]:
        """The functions no handler reaches that call, by name, one of the project's wrappers that
        pass their keywords on with no timeout: HB201/HB202 look everywhere but tooling, so a
        wrapper's call counts there as the call it wraps would (a library's form field, a job)."""
        tree = self.tree
        # Only the modules whose text may hold a wrapper, then only those whose text names one, are read.
        names = {
            facts.name
            for fn, _function in self._forwarders()
            if self.forwards_without_timeout(fn) is not None and (facts := self.function(fn)) is not None
        }
        if not names:
            return []
        words = {word for name in names for word in last_names_read_as(name)}
        return [
            ("f", path, key)
            for path in tree.naming(words)
            if (summary := tree.summary(path)) is not None
            for key, function in enumerate(summary.functions)
            if any(e.how == CALL and _called_name(e.callee) in names for e in function.edges)
        ]

    def _spread(self, chains: Dict[FnRef, ChainRef], queue: Deque[FnRef], follow,
                on_the_loop: Iterable[FnRef] = (), ways: Optional[Dict[FnRef, Dict[FrozenSet[str], ChainRef]]] = None,
                seeded: Optional[Dict[FnRef, Dict[FrozenSet[str], ChainRef]]] = None) -> None:
        """Breadth-first along the edges ``follow`` accepts. A function is entered with the literal
        flags its caller passed for the parameters it tests (``Judge(_defer_init=True)``): a call
        under ``if not _defer_init:`` is not followed from there. A method called on the very class
        it runs on (``targets``) is entered with that class, for up to MAX_RECEIVERS classes. Entered
        again otherwise, it is read again; each function keeps the first chain that reached it, as
        the way it was entered saw it (another handler's flags or class may not reach it). The
        functions ``on_the_loop`` and what they run in place on its thread are entered with LOOP.
        ``ways``, when given, gets each set of flags a function is entered with and the chain that first
        did; ``seeded`` gives the functions of ``queue`` those of an earlier spread (each way of them)."""
        State = Tuple[FnRef, FrozenSet[str], Receiver]
        looping = set(on_the_loop)
        entered: Dict[State, ChainRef] = {}
        for fn in queue:
            loop_flag = _LOOP_ONLY if fn in looping else frozenset()
            own = self._leaf_class(fn) if fn == chains[fn][0] else None  # a handler: run on its own class
            for given_in, chain in ((seeded or {}).get(fn) or {frozenset(): chains[fn]}).items():
                entered.setdefault((fn, given_in | loop_flag, own), chain)
        if ways is not None:
            for (fn, given_in, _receiver), chain in entered.items():
                ways.setdefault(fn, {}).setdefault(given_in, chain)
        pending: Deque[State] = deque(entered)
        receivers: Dict[FnRef, Set[Receiver]] = {}
        while pending:
            state = pending.popleft()
            current, given, receiver = state
            self.tree.check_time()
            handler, via = entered[state]
            for how, target, guard, flags, args, on in self.targets(current, receiver):
                if guard and ruled_out(guard, given):
                    continue
                if not follow(how, target):
                    continue
                if on is not None:
                    seen_on = receivers.setdefault(target, set())
                    if on not in seen_on and len(seen_on) >= MAX_RECEIVERS:
                        on = None
                    seen_on.add(on)
                flags_in = self._entered_with(target, flags, args, given)
                if LOOP in given and self._stays_on_loop(how, target):
                    flags_in |= _LOOP_ONLY
                reached = (target, flags_in, on)
                if reached in entered:
                    continue
                entered[reached] = (handler, via + (target,))
                if ways is not None:
                    ways.setdefault(target, {}).setdefault(flags_in, entered[reached])
                if target not in chains:
                    chains[target] = entered[reached]
                pending.append(reached)

    def _leaf_class(self, fn: FnRef) -> Receiver:
        """The class a method runs on when no class of the project derives from its own (a handler
        of a view class: the framework makes that very class); else None."""
        facts = self.function(fn)
        if facts is None or facts.cls is None or method_kind(facts) == "staticmethod":
            return None
        cls = ("c", fn[1], facts.cls)
        return cls if not self.subclasses(cls) else None

    def _entered_with(
        self, fn: FnRef, flags: Tuple[str, ...], args: int, caller: FrozenSet[str] = frozenset()
    ) -> FrozenSet[str]:
        """The flags ``fn`` is entered with, of those it tests: the literal ones its caller passes, those
        it relays from the flags it was itself entered with (``caller``), and the default of each one
        the caller leaves out (``Run(h, read_only=True)`` leaves ``log_system_params=False``), unless a
        ``**mapping``, ``*args`` or a positional argument may give it."""
        tested = self._guards(fn)
        if not tested:
            return frozenset()
        given = {flag for flag in flags if flag[:1] != "?" and guard_param(flag) in tested}
        for keyword, param in self._relayed_into(fn, flags):
            if keyword in tested:  # "!param" or "param~Mode.X" the caller was entered with, renamed
                given.update(flag.replace(param, keyword, 1) for flag in caller if guard_param(flag) == param)
        passed = _keywords(flags)
        unseen = "**" in flags  # a mapping or `*args` may give any of them
        if KWARGS_RELAY in flags:  # the caller's own **kwargs, untouched: what the caller was given
            unseen = UNSEEN in caller
            from_caller = {flag for flag in caller if guard_param(flag) in tested and guard_param(flag) not in passed}
            given |= from_caller
            passed |= {guard_param(flag) for flag in from_caller}
        if self._relays_kwargs(fn):  # what its **kwargs hold, for the calls it passes them on to
            given |= {f"?{name}" for name in _keywords(_unknown_values(flags)) if name in tested}
            if unseen:
                given.add(UNSEEN)
        summary = self.tree.summary(fn[1])
        if unseen or summary is None or fn[2] >= len(summary.functions):
            return frozenset(given)
        positional = self._positional_params(fn)
        for default in summary.functions[fn[2]].flag_defaults:
            name = guard_param(default)
            if name in tested and name not in passed and not (name in positional and positional.index(name) < args):
                given.add(default)
        return frozenset(given)

    def _relays_kwargs(self, fn: FnRef) -> bool:
        """A call of ``fn`` passes on its own ``**kwargs`` untouched (``Edge.flags``' KWARGS_RELAY)."""
        known = self._kwargs_relays.get(fn)
        if known is None:
            summary = self.tree.summary(fn[1])
            edges = summary.functions[fn[2]].edges if summary is not None and fn[2] < len(summary.functions) else ()
            known = self._kwargs_relays[fn] = any(KWARGS_RELAY in edge.flags for edge in edges)
        return known

    def _relayed_into(self, fn: FnRef, flags: Tuple[str, ...]) -> List[Tuple[str, str]]:
        """(parameter of ``fn``, the caller's own parameter it is given) for each relay of ``flags``
        (``_relayed``); one passed by position ("?@2=param") is named by ``fn``'s signature."""
        relayed = _relayed(flags)
        if not any(keyword.startswith(POSITIONAL) for keyword, _param in relayed):
            return relayed
        positional = self._positional_params(fn)
        found = []
        for keyword, param in relayed:
            if keyword.startswith(POSITIONAL):
                index = int(keyword[len(POSITIONAL):])
                if index >= len(positional):
                    continue  # into a `*args`
                keyword = positional[index]
            found.append((keyword, param))
        return found

    def _positional_params(self, fn: FnRef) -> List[str]:
        """The parameters of ``fn`` a call's positional arguments fill, in order (a method's
        ``self`` or ``cls`` aside: the caller's first argument is the second parameter)."""
        facts = self.function(fn)
        if facts is None:
            return []
        positional = list(facts.positional)
        if positional and facts.cls is not None and positional[0] in ("self", "cls"):
            positional = positional[1:]
        return positional


class Reach:
    """What the handlers reach: chains by function, on the loop, in the request's task."""

    def __init__(self, handlers: List[FnRef], chains: Dict[FnRef, ChainRef], loop: Dict[FnRef, ChainRef],
                 task: Dict[FnRef, ChainRef], blocking: Optional[Dict[FnRef, List[BlockingCall]]] = None,
                 forwarding: Optional[Dict[FnRef, List[ForwardingCall]]] = None,
                 never_run: Optional[Dict[FnRef, FrozenSet[int]]] = None) -> None:
        self.handlers = handlers
        self.chains = chains
        self.loop = loop
        self.task = task
        self.blocking = blocking or {}  # async functions on the loop -> their calls to sync functions that block
        self.forwarding = forwarding or {}  # functions -> their calls to wrappers with no timeout
        self.never_run = never_run or {}  # functions -> lines of calls no way from a handler runs
        self._paths: Optional[FrozenSet[str]] = None

    def paths(self) -> FrozenSet[str]:
        """The files holding a function a handler reaches."""
        if self._paths is None:
            self._paths = frozenset(fn[1] for fn in self.chains)
        return self._paths


# Decorators that leave a function's parameters as they are.
_SIGNATURE_KEEPING = frozenset({"staticmethod", "classmethod", "abstractmethod", "abc.abstractmethod", "override",
                                "typing.override", "typing_extensions.override"})


def _refuses_the_arguments(facts: FunctionFacts, required: Tuple[str, ...], edge: Edge) -> bool:
    """A call (``Edge.flags``, ``Edge.args``) raises TypeError at once: it passes a keyword that is no
    parameter of the function, which takes no ``**kwargs`` (mindsdb's ``agent.invoke(query, sid,
    history=h)`` of ``def invoke(self, query, session_id)``), or leaves out a parameter with no default
    (``update_static()`` of ``def update_static(gui_version)``). Not known through a ``*args`` or
    ``**mapping`` of the call, or a decorator, which may take the function's place with a signature of
    its own. A method is taken as called bound (its ``self`` or ``cls`` given)."""
    flags = edge.flags
    if "**" in flags or any(d.full not in _SIGNATURE_KEEPING for d in facts.decorators):
        return False
    keywords = _keywords(flags)
    if not facts.star_kwargs and not keywords <= set(facts.params):
        return True
    bound = facts.cls is not None and method_kind(facts) != "staticmethod"
    positional = edge.args + (1 if bound else 0)
    given = set(facts.positional[:positional]) | keywords
    return any(name not in given for name in required)


_CALLED_NAME = re.compile(r"(?<!def )\b(\w+)[ \t]*\(")  # `name(`, `obj.name(`; not `def name(`


def _is_coroutine_function(facts: Optional[FunctionFacts]) -> bool:
    return facts is None or facts.is_async


def _keywords(flags: Tuple[str, ...]) -> Set[str]:
    """The keywords a call passes, from its ``Edge.flags`` ("!name", "?name=param" are ``name``)."""
    return {
        guard_param(flag.partition(VALUE)[0].partition("=")[0]) for flag in flags if flag[1:2] != POSITIONAL
    }


def _unknown_values(flags: Tuple[str, ...]) -> Tuple[str, ...]:
    """The keywords ``Edge.flags`` pass a value of unknown kind ("?name", "?name=param", "?name:...")."""
    return tuple(flag for flag in flags if flag[:1] == "?" and flag[1:2] != POSITIONAL)


def _relayed(flags: Tuple[str, ...]) -> List[Tuple[str, str]]:
    """(keyword, parameter) for each keyword a call passes its function's own parameter to
    (``skip_workdir=skip_workdir``: "?skip_workdir=skip_workdir" in ``Edge.flags``)."""
    return [tuple(flag[1:].split("=", 1)) for flag in flags if "=" in flag and VALUE not in flag]  # type: ignore[misc]


def _called_name(callee: Sym) -> str:
    """The last name of what a call names (``test_share`` for ``smbctl.test_share()``); ``TABLE_CALL``
    for a call of one of several functions (a loop variable over a table of them)."""
    if callee.kind == ANY and not callee.path:
        return TABLE_CALL
    steps = [step for step in callee.path if step not in NAMELESS]
    return steps[-1] if steps else callee.target.rsplit(".", 1)[-1]


def _holder(callee: Sym) -> Tuple[Optional[Sym], str]:
    """What a call's callee is an attribute of, and the attribute (``Cls().run``: ``Cls()``, "run";
    ``mod.Cls.load``: ``mod.Cls``, "load"); (None, '') when it is not an attribute."""
    if callee.path:
        name = callee.path[-1]
        named = name not in _NOT_NAMES and unpacked_index(name) is None
        return (Sym(callee.kind, callee.target, callee.path[:-1]), name) if named else (None, "")
    if callee.kind == "ref" and "." in callee.target:
        holder, name = callee.target.rsplit(".", 1)
        return Sym("ref", holder), name
    return None, ""
