"""One module's summary: the plain facts the project index needs, from one ``ast`` pass.

A summary holds data only (strings, numbers, tuples), so it can be cached on disk and
shared by processes. Names are resolved as far as one module allows: imports (relative
ones made absolute), local assignments, parameter and attribute annotations. What
needs other modules stays symbolic (:class:`Sym`) and is resolved by the graph:
``s.fetch()`` after ``import app.services as s`` is ``Sym("ref", "app.services.fetch")``;
``self.client.get()`` is ``Sym("self", "<class key>", ("client", "get"))``;
``Client().get()`` is ``Sym("ref", "app.clients.Client", ("()", "get"))``.

Handler facts (decorators, bases, parameters, registration calls) are the
:class:`~flake8_handler_block.handlers.ModuleFacts` the handler detector reads, so the
project and the one-file walk recognise handlers with the same rules.

``ast`` rather than libcst: on Django 5.2.8 (883 files, 158k lines) ``ast.parse`` takes
~1.6 s where libcst takes ~19 s (measured 11.7x slower on a sample); the summary
needs no concrete syntax.
"""

from __future__ import annotations

import ast
import builtins
import json
from dataclasses import dataclass, replace
from typing import Any, Dict, FrozenSet, Iterator, List, Optional, Sequence, Set, Tuple, Union, cast

from ..catalog import (
    DEADLINE_SCOPES, DEADLINE_WRAPPERS, HELD_ACROSS_MODULES, ITERATING_CALLS, LAZY_ITERATORS, OFFLOAD_DECORATORS,
    PRIVATE_LOOP_METHODS, PRIVATE_LOOP_RUNNERS,
    RETURNS_ITS_CLIENT, OTHER_LOOP_SPAWN, RUNS_ELSEWHERE, TASK_SPAWNS, THREAD_HANDOFFS, THREAD_STARTS,
    WRITE_PROPERTY_DECORATORS, canonical, decorated_by_one_of, gives_what_it_yields, imported_module,
    DATA_SCHEME, DEFERRED, FIELD_CLASS_BASES, FIELD_CLASS_DECORATORS, GENERATOR_TYPES, GOOGLE_AUTH_TRANSPORTS,
    HANDED_ARGUMENTS,
    KINDLESS_ANNOTATIONS, LDAP3_AUTO_BIND, LDAP3_AUTO_BIND_INDEX, LDAP3_CONNECTION, MCP_LIFESPAN_PARAMETER,
    MCP_LIFESPAN_PATH, PROCESS_WAITS, SUBSCRIPT_STEP, ENDS_BEFORE_WAIT, STOP_SIGNALS, STOPS,
    TYPE_COMBINATORS, DICT_READ_METHODS, TRANSPORT_SEND, negligible_wait, says_it_ends_at_once, says_scheme,
    ldap3_auto_binds, sends_through_transport,
)
from ..handlers import (
    DEPENDENCY_CALLS, EVENT_DECORATORS, EVENT_SERVERS, MCP_DIRECT_REGISTRARS, Base, ClassFacts, Decorator,
    FunctionFacts, ModuleFacts, Registration,
    REQUEST_CLASSES, SERVER_REGISTRARS, ViewRef, _MAX_WRAPPERS, declares_a_route, one_server_of,
    records_registration,
)
from ..quick_init import quick_init
from .default_timeout import NONE as NO_TIMEOUTS, RequestsTimeouts, scan as scan_timeouts
from .astnames import absolute_import, dotted as _dotted, own_nodes
from .passthrough import keeps_result
from .once_ast import ast_guarded_once_per_process
from .guards import EQUALS, flag_tests, guard_param, value_key

# How a callee runs, as in reach.py: in place, as an asyncio task of its own, in a worker
# thread; DEF: a nested function (reached with its parent, run when something calls it).
CALL, TASK, THREAD, SPAWN, DEF = "call", "task", "thread", "spawn", "def"
# Run after the response by the framework (``background_tasks.add_task(f)``, ``BackgroundTask(f)``):
# a coroutine function awaited in place, in the request's own task (the graph reads CALL), any other
# in the server's thread pool (THREAD).
LATER = "later"
# A call of a sync generator function whose result is not iterated where it is made (handed to a
# ``StreamingResponse``, returned): the body runs wherever the generator is iterated (the graph
# reads a CALL edge so when its target yields and ``Edge.iterated`` is false).
GENERATOR = "generator"
# A call of a coroutine function as a statement of its own (``self.close_all()``, no ``await``): the
# coroutine is made and dropped, and none of its body runs anywhere (the graph skips the edge).
DROPPED = "dropped"
# How a call gives its ``timeout=`` (Edge.timeout): not at all, a value, a literal None, or what
# the function's caller gave (its own ``timeout`` parameter, or its ``**kwargs`` passed on).
TIMEOUT_MISSING, TIMEOUT_SET, TIMEOUT_NONE, TIMEOUT_PASSED = 0, 1, 2, 3
UNKNOWN_CALLABLE = "()"  # FunctionSummary.unplaced: a callable the module cannot type is called
SUPER = "super()."  # FunctionSummary.unplaced: ``super().name(...)`` in a method, as "super().name"
# Edge.guard of a call the loop does not run on its requests: with no event loop running in the thread
# (in the ``except RuntimeError:`` of a ``try`` that asks ``asyncio.get_running_loop()``), or once per
# process, as first-use set-up behind a module global the function keeps (``if _client is None:
# _client = connect()``, or what follows ``if _backend is not None: return _backend``).
NO_LOOP = "!@loop"
# While the module is read: the guard of first-use set-up kept in the global named after it, NO_LOOP
# once the module is read unless some function resets that global (``_CONFIG = None`` to reload it):
# then a request may run the set-up again.
_KEPT = "!@kept:"
_RUNNING_LOOP = frozenset({"asyncio.get_running_loop", "asyncio.events.get_running_loop"})

CALL_RESULT = "()"  # a path step: the value a call returns (of a class: an instance of that very class)
# A path step: an instance of the class, or of any class deriving from it (what an annotation declares).
DECLARED = "(:)"
SUBCLASS = "(<)"  # a path step: the class or any class deriving from it (``type[X]``, ``issubclass``)
MADE = (CALL_RESULT, DECLARED)  # the steps that give an instance of a class
# What the index names a call of a loop variable over a table of functions by (the summary records
# what the variable may be, not how the call writes it): ``for check in CHECKS: check(request)``.
TABLE_CALL = ""
NAMELESS = (*MADE, SUBCLASS)  # the steps a library name leaves out (``requests.Session().get``)
ANY = "any"  # a Sym kind: one of a few values
SUPER_OF = "super"  # a Sym kind: ``super().name`` in a method of the class whose key is the target
# A Sym kind: what the project's calls of a constructor pass for one of its parameters, ``target``
# the ``__init__``'s key and the parameter's name the first step (``self.owner = owner`` when the
# module itself never makes the class: ``Skill(self)`` in another module); the graph asks the callers.
ARG = "arg"
MAX_ALTERNATIVES = 96  # values an "any" value may stand for (more: nothing known)
ITEM = "[]"  # a path step: what iterating over the value gives (``for x in v``)
# A path step: a method of the instance's class (or of one deriving from it) that a string of the
# class's own tables names, looked up by a name the code computes (``getattr(self, route["call_method"])``).
NAMED = "(getattr)"
MAX_NAMED = 64  # identifier strings kept of one class's tables (more: a data table, not a dispatch one)
# A path step: item N (``"#0"``) of the tuple a call of the function gives, as a caller unpacks it
# (``client, project = get_client(db)`` with ``get_client`` of another module): FunctionSummary.unpacked.
UNPACKED = "#"
SUBSCRIPT = SUBSCRIPT_STEP  # a path step: what subscripting the value gives (``v[0]``, ``v["key"]``)
CONTAINER = "[*]"  # a path step: a list, set or tuple whose elements are the value (``list[X]``, ``[X()]``)
MAPPING = "{*}"  # a path step: a mapping whose values are the value (``dict[str, X]``, ``{"a": X}``)
# Path steps: an MCP request context whose server's lifespan gives the value (``ctx: Context[Session,
# AppContext]``), then its ``request_context``, whose ``lifespan_context`` is the value itself.
LIFESPAN_OF = "(mcp ctx)"
LIFESPAN_OF_REQUEST = "(mcp ctx request)"

# Annotations of containers whose elements are of the one type given (``list[X]``), and of classes.
_SEQUENCES = GENERATOR_TYPES | frozenset({
    "list", "set", "frozenset", "tuple", "collections.deque",
    *(f"typing.{name}" for name in ("List", "Set", "FrozenSet", "Tuple", "Deque", "Sequence", "MutableSequence",
                                    "Collection", "AbstractSet", "MutableSet", "Reversible")),
    *(f"collections.abc.{name}" for name in ("Sequence", "MutableSequence", "Collection", "Set", "MutableSet",
                                             "Reversible")),
})
_MAPPINGS = frozenset({
    "dict", "collections.OrderedDict", "collections.defaultdict",
    *(f"typing.{name}" for name in ("Dict", "Mapping", "MutableMapping", "OrderedDict", "DefaultDict")),
    *(f"collections.abc.{name}" for name in ("Mapping", "MutableMapping")),
})
_CLASSES = frozenset({"type", "typing.Type"})
# `.append(x)`, `.add(x)`, `.insert(i, x)`: what a container is filled with.
_ADDS = frozenset({"append", "add", "insert"})
_EMPTY_CALLS = frozenset({"list", "set", "tuple", "dict"})  # `list()`: a container that says nothing yet
_COMPREHENSIONS = frozenset({ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp})
_BUILTINS = frozenset(dir(builtins))
# Builtins whose result may be a project object (an element, an attribute, a base's method)
_DYNAMIC = frozenset({"getattr", "super", "type", "next", "iter", "min", "max", "vars", "globals", "locals",
                      "__import__", "eval", "exec", "object"})
# Builtins that make values of builtin types: their methods run no project code
_BUILTIN_MAKERS = frozenset({"open", "str", "repr", "ascii", "bytes", "bytearray", "int", "float", "complex",
                             "bool", "len", "format", "hex", "oct", "bin", "chr", "ord", "round", "abs", "range",
                             "memoryview", "dict", "list", "set", "frozenset", "tuple", "sorted", "enumerate", "zip"})
_LITERALS = frozenset({ast.Constant, ast.JoinedStr, ast.List, ast.Tuple, ast.Set, ast.Dict, ast.ListComp,
                       ast.SetComp, ast.DictComp, ast.GeneratorExp})
_DEADLINE_SCOPE_NAMES = frozenset(name.rsplit(".", 1)[-1] for name in DEADLINE_SCOPES)
_DEADLINE_WRAPPER_NAMES = frozenset(name.rsplit(".", 1)[-1] for name in DEADLINE_WRAPPERS)

COMMAND_DECORATORS = frozenset({"command", "group", "callback", "result_callback"})
COMMAND_PACKAGES = frozenset({"click", "typer", "asyncclick", "cyclopts"})
# invoke and fabric tasks run from the command line (`invoke load-fixtures`, a console script's
# invoke Program): by their full name, as Celery's `@app.task` is no command.
TASK_RUNNER_DECORATORS = frozenset({"invoke.task", "invoke.tasks.task", "fabric.task", "fabric.tasks.task",
                                    "fabric.api.task", "fabric.decorators.task"})


def unpacked_index(step: str) -> Optional[int]:
    """N of an UNPACKED path step (``"#1"``: 1); None for any other step."""
    return int(step[1:]) if step[:1] == UNPACKED and step[1:].isdigit() else None


@quick_init
@dataclass(frozen=True)
class Sym:
    """A value in symbolic form.

    ``kind`` "ref": the object at dotted ``target``; "self": the instance of the class
    whose key is ``target`` (``self`` in its methods); "cls": that class or one deriving
    from it (``cls`` in its classmethods); "super": ``super()`` in a method of that class (its path
    one name: the method the first base defining it has); "any": any of a few values,
    ``target`` holding them as JSON (``[A(), B()]``, a function returning either). ``path``
    continues from there: attribute names, ``"()"`` for the result of a call (DECLARED for what an
    annotation declares, SUBCLASS for a class or one deriving from it), and the container steps
    (ITEM, SUBSCRIPT, CONTAINER, MAPPING).
    """

    kind: str
    target: str
    path: Tuple[str, ...] = ()

    def attr(self, name: str) -> "Sym":
        if self.kind == "ref" and not self.path:
            return Sym("ref", canonical(f"{self.target}.{name}"))
        if self.path[-1:] == (LIFESPAN_OF,) and name == MCP_LIFESPAN_PATH[0]:
            return Sym(self.kind, self.target, self.path[:-1] + (LIFESPAN_OF_REQUEST,))
        if self.path[-1:] == (LIFESPAN_OF_REQUEST,) and name == MCP_LIFESPAN_PATH[1]:
            return Sym(self.kind, self.target, self.path[:-1])  # `ctx.request_context.lifespan_context`
        return Sym(self.kind, self.target, self.path + (name,))

    def called(self) -> "Sym":
        return Sym(self.kind, self.target, self.path + (CALL_RESULT,))

    def declared(self) -> "Sym":
        """An instance of this class or of one deriving from it (``x: Base``)."""
        return Sym(self.kind, self.target, self.path + (DECLARED,))

    def subclassed(self) -> "Sym":
        """This class or one deriving from it (``x: type[Base]``)."""
        return Sym(self.kind, self.target, self.path + (SUBCLASS,))

    def item(self) -> "Sym":
        """What iterating over this value gives (over a container of X: X)."""
        if self.path and self.path[-1] == CONTAINER:
            return Sym(self.kind, self.target, self.path[:-1])
        return Sym(self.kind, self.target, self.path + (ITEM,))

    def subscript(self) -> "Sym":
        """What subscripting this value gives (of a container or a mapping of X: X)."""
        if self.path and self.path[-1] in (CONTAINER, MAPPING):
            return Sym(self.kind, self.target, self.path[:-1])
        return Sym(self.kind, self.target, self.path + (SUBSCRIPT,))

    def contained(self) -> "Sym":
        """A container whose elements are this value."""
        return Sym(self.kind, self.target, self.path + (CONTAINER,))

    def mapped(self) -> "Sym":
        """A mapping whose values are this value."""
        return Sym(self.kind, self.target, self.path + (MAPPING,))

    @staticmethod
    def union(members: Sequence["Sym"]) -> Optional["Sym"]:
        """One of ``members`` (None for none, or for more than a few: nothing known)."""
        if len(members) == 1:
            return members[0]
        if not members or len(members) > MAX_ALTERNATIVES:
            return None
        return Sym(ANY, json.dumps([[m.kind, m.target, *m.path] for m in members], separators=(",", ":")))

    def members(self) -> List["Sym"]:
        """The values an "any" value may be."""
        return [Sym(kind, target, tuple(path)) for kind, target, *path in json.loads(self.target)]

    @property
    def dotted(self) -> str:
        """The dotted path when this is a plain reference, else ''."""
        return self.target if self.kind == "ref" and not self.path else ""

    def encoded(self) -> str:
        """This value as text (``Sym.decoded`` reads it back)."""
        return json.dumps([self.kind, self.target, *self.path])

    @staticmethod
    def decoded(text: str) -> Optional["Sym"]:
        """The value ``encoded`` wrote; None for text it did not write."""
        try:
            kind, target, *path = json.loads(text)
        except (ValueError, TypeError):
            return None
        if not all(isinstance(part, str) for part in (kind, target, *path)):
            return None
        return Sym(kind, target, tuple(path))


@quick_init
@dataclass(frozen=True)
class Edge:
    how: str  # CALL, TASK, THREAD or DEF
    callee: Sym  # what is called (or handed over)
    line: int
    quiet: bool = False  # an argument says "do not wait" (a literal 0 or False): ``sleep(0)``, ``get(block=False)``
    # no positional argument and no ``host=``: a client constructor (``smtplib.SMTP(timeout=5)``)
    # connects nowhere yet
    hostless: bool = False
    # the call sits in ``if flag:`` ("flag") or its ``else`` ("!flag"), or in ``if mode == Mode.LOGIN:``
    # ("mode~Mode.LOGIN", guards.py), the parameter one the function never rebinds: a caller passing
    # ``flag=False`` (or ``mode=Mode.SHELL``) never runs it; or it
    # runs only with no event loop running (NO_LOOP) ('': always)
    guard: str = ""
    # the keyword arguments of the call (``_flags``: ``Judge(_defer_init=True)`` gives ("_defer_init",),
    # False "!name", the caller's own parameter "?name=param", a name or attribute the graph may find
    # to be a function, a method or a class "?name:" + ``Sym.encoded``, another value "?name"; a
    # lambda is true: "name"), read against the callee's guards and flag defaults
    flags: Tuple[str, ...] = ()
    # the call runs under a deadline that cancels it: inside ``async with asyncio.timeout(5):``, the
    # awaitable of ``asyncio.wait_for(f(), 5)``, or a task whose handle is awaited so (``t =
    # create_task(f()); await wait_for(t, 5)``)
    deadline: bool = False
    # the call's result is iterated where it is made (a ``for``, a comprehension, ``list()``, ``yield
    # from``; itself or the name it is bound to): a generator it makes runs its body here
    iterated: bool = False
    timeout: int = TIMEOUT_MISSING  # how it gives ``timeout=`` (TIMEOUT_*)
    args: int = 0  # positional arguments written before any ``*args`` (a positional timeout's place)
    # the call is a statement of its own (``self.close_all()``): a coroutine it makes is dropped unrun
    dropped: bool = False
    # the call is teardown of a failure already on its way: in a ``finally:``, in an ``except``
    # clause that ends by re-raising (a bare ``raise``, or ``raise e`` of the ``as e`` it caught), or
    # shielded from cancellation (``with anyio.CancelScope(shield=True):``, ``asyncio.shield(f())``);
    # a cancellation it swallows is not the request's, which propagates once it is done
    teardown: bool = False
    # the call is awaited where it is made (``await tool.connect()``): what it runs is a coroutine
    # function (or returns an awaitable), never a sync function that blocks in place
    awaited: bool = False


@quick_init
@dataclass(frozen=True)
class FunctionSummary:
    edges: Tuple[Edge, ...]
    returns: Optional[Sym]  # what a call gives: its return annotation, else what its returns may give
    offloaded: bool  # decorated to run in a worker thread (``@sync_to_async``)
    generator: bool  # it yields: a call makes a generator and runs none of its body
    command: bool  # a CLI entry: click/typer command, argparse ``set_defaults(func=)``
    # Calls that pass on the function's own ``**kwargs`` with no ``timeout=`` of their own: a
    # wrapper (``def get(url, **kw): return requests.get(url, **kw)``) whose callers give the timeout.
    forwards: Tuple["Forward", ...] = ()
    # Calls the module cannot type, so the graph cannot place them: the method names called on
    # such values (``check.get()``, ``checker.get_latest()`` with ``checker`` from ``getattr``), and
    # UNKNOWN_CALLABLE for a callable called (a parameter, ``registry[k](...)``), SUPER + name for
    # ``super().name(...)`` (the graph finds it in the bases). Builtins and the
    # methods of literals and of what builtins make (``str(x).strip()``, ``open(p).read()``) are not.
    unplaced: Tuple[str, ...] = ()
    # Parameters whose default is a literal flag: "name" (``= True``), "!name" (``= False`` or ``None``),
    # or a value an equality test can tell ("mode~Mode.SHELL", guards.py): a caller that does not pass
    # one gives the default (``_flags``' "?name" says it passed one).
    flag_defaults: Tuple[str, ...] = ()
    # The ``__main__`` guard calls it: a command unless something else calls it too (a helper the web
    # code calls as well, ``models = get_model_list(url)`` in the script part and in a page-load
    # callback, is not tooling: callers.Callers asks its other callers).
    main_called: bool = False
    # The parameters a call must give (no default, not ``*args``/``**kwargs``), in order: the
    # positional ones (``self`` or ``cls`` first, for a method), then the keyword-only ones.
    required: Tuple[str, ...] = ()
    # The parameters it hands to another thread, with how (THREAD or SPAWN): a project's own hand-off
    # wrapper (``async def run_async(func, *args): return await loop.run_in_executor(None, partial(func,
    # *args))``) runs what its callers pass there (``Edge.flags``' "?@N:" values); or calls in place
    # (CALL), when its callers pass different functions (``def _safe_call(fn): return fn()``).
    hands: Tuple[Tuple[str, str], ...] = ()
    once: bool = False  # a sync function guarded by a global flag to do its work once per process (once.py)
    # What each item of the tuple every ``return`` gives may be (``return Client(token), project_id``),
    # for the callers that unpack it (``client, project = get_client(db)``): () when a ``return`` gives
    # anything else, or tuples of other sizes, or the function is a generator.
    unpacked: Tuple[Optional[Sym], ...] = ()
    # A decorator handing back what the function it decorates returns (passthrough.keeps_result:
    # ``def trace_method(func)`` returning a wrapper that returns ``await func(*args, **kwargs)``).
    keeps_result: bool = False
    # Each call builds what it returns: every ``return`` gives a library call written there (or a
    # local bound only to such calls; ``return None`` aside), and no decorator but ``staticmethod`` or
    # ``classmethod`` may keep one (``@lru_cache``): the caller owns it (a client to close, HB103).
    fresh: bool = False


@quick_init
@dataclass(frozen=True)
class Forward:
    callee: Sym
    line: int
    positional: int  # positional arguments written before any ``*args``
    stars: bool  # passes on the function's own ``*args`` too
    # The function's parameter that carries the timeout, when the call gets it from there and the
    # parameter's default gives none (``def get(url, timeout=None): requests.get(url, timeout=timeout)``,
    # or ``kw["timeout"] = timeout`` only ``if timeout is not UNSET``); '' for ``**kwargs`` passed on.
    param: str = ""
    # ``timeout=P`` written in the call itself: a caller giving none makes it pass ``timeout=None``
    # (not so through ``**kw``, which then holds no timeout at all)
    written: bool = False


@quick_init
@dataclass(frozen=True)
class ClassSummary:
    bases: Tuple[Optional[Sym], ...]
    attrs: Tuple[Tuple[str, Sym], ...]  # ``self.x = Client()``, ``x: Client`` -> what x holds
    named: Tuple[str, ...] = ()  # the names its class-level tables spell (``routes = [{"call": "get_items"}]``)
    # A dataclass (or attrs, pydantic, NamedTuple) class with no ``__init__`` of its own: the fields its
    # constructor takes, in order. A field whose annotation binds no kind (``core_v1: Any``) holds
    # what the project's constructions pass for it (graph.Graph.constructed_with).
    fields: Tuple[str, ...] = ()


@quick_init
@dataclass(frozen=True)
class ModuleSummary:
    module: str  # dotted name
    path: str  # relative to the project root, '/'-separated
    is_package: bool
    error: str  # why the module could not be summarised ('' when it was)
    facts: ModuleFacts
    functions: Tuple[FunctionSummary, ...]  # parallel to facts.functions
    classes: Tuple[ClassSummary, ...]  # parallel to facts.classes
    names: Tuple[Tuple[str, Sym], ...]  # module-level names bound by imports and assignments
    main_guard: Tuple[int, int]  # first and last line of ``if __name__ == "__main__":`` ((0, 0): none)
    requests_timeouts: RequestsTimeouts = NO_TIMEOUTS  # where it gives requests a default timeout (HB201)
    module_edges: Tuple[Edge, ...] = ()  # calls and hand-offs made by module-level and class-body code

    def name(self, name: str) -> Optional[Sym]:
        for bound, sym in self.names:
            if bound == name:
                return sym
        return None


def empty_summary(module: str, path: str, is_package: bool, error: str) -> ModuleSummary:
    facts = ModuleFacts(path, (), (), (), frozenset())
    return ModuleSummary(module, path, is_package, error, facts, (), (), (), (0, 0))


def summarise(source: Union[str, bytes], module: str, path: str, is_package: bool = False) -> ModuleSummary:
    """The summary of one module's source; a module that does not parse gets an empty one."""
    try:
        tree = ast.parse(source, filename=path)
    except (SyntaxError, ValueError, MemoryError, RecursionError) as exc:
        return empty_summary(module, path, is_package, f"not parsed: {type(exc).__name__}")
    try:
        return _Summariser(module, path, is_package).run(tree, source)
    except RecursionError:
        return empty_summary(module, path, is_package, "nesting too deep")


# -- scopes and bindings -------------------------------------------------------------

# A binding: (kind, payload, scope). kinds: import (dotted), def/class (qualname), value (expr),
# annotation (expr), self (class key), item (expr: an element of it, ``for x in expr``),
# element (expr: held by the container, ``x.append(expr)``), entry (expr: a mapping's value,
# ``x[key] = expr``), unknown, global.
_Binding = Tuple[str, object, "_Scope"]
_SKIP = object()  # `x = None` before the real assignment says nothing


def _last_type_argument(annotation: ast.expr) -> Optional[ast.expr]:
    """``V`` of ``Dict[K, V]``, ``X`` of ``List[X]``; None for an annotation not subscripted."""
    if type(annotation) is not ast.Subscript:
        return None
    inner = annotation.slice
    inner = getattr(inner, "value", inner) if type(inner).__name__ == "Index" else inner  # Python 3.8 AST
    return inner.elts[-1] if type(inner) is ast.Tuple and inner.elts else inner


class _Scope:
    __slots__ = ("kind", "parent", "bindings", "key", "cls", "qualname", "globals", "inner", "guard")

    def __init__(self, kind: str, parent: Optional["_Scope"], key: int = -1, cls: Optional[int] = None,
                 qualname: str = "") -> None:
        self.kind = kind  # module, class or function
        self.parent = parent
        self.bindings: Dict[str, List[_Binding]] = {}
        self.key = key  # function or class key
        self.cls = cls  # for a function defined directly in a class: the class key
        self.qualname = qualname
        self.globals: Set[str] = set()
        self.inner = False
        self.guard = ""  # in a part of a function: the parameter test it runs under ("flag", "!flag")

    def narrowed(self, names: Dict[str, List[_Binding]], guard: str = "") -> "_Scope":
        """A part of this scope where ``names`` mean something more (a comprehension's variables,
        a name checked by ``isinstance``) or that runs under a test of a parameter (``guard``): seen
        from inside only; what it binds belongs to this scope."""
        part = _Scope(self.kind, self, self.key, self.cls, self.qualname)
        part.bindings = names
        part.globals = self.globals
        part.inner = True
        part.guard = guard
        return part

    def guarded_by(self) -> str:
        """The innermost parameter test this part of a function runs under ('' for none)."""
        scope: Optional[_Scope] = self
        while scope is not None and scope.inner:
            if scope.guard:
                return scope.guard
            scope = scope.parent
        return ""

    def bind(self, name: str, kind: str, payload: object = None, scope: Optional["_Scope"] = None) -> None:
        if self.inner:
            self.parent.bind(name, kind, payload, scope or self)  # type: ignore[union-attr]
            return
        target = self
        if name in self.globals:
            while target.parent is not None:
                target = target.parent
        target.bindings.setdefault(name, []).append((kind, payload, scope or self))

    def function_key(self) -> Optional[int]:
        scope: Optional[_Scope] = self
        while scope is not None and scope.kind != "function":
            scope = scope.parent
        return scope.key if scope is not None else None


def _apart(first: Tuple[Tuple[int, int], ...], second: Tuple[Tuple[int, int], ...]) -> bool:
    """Two places in `if` sides (``_Summariser._branch``) where the first `if` they part at puts
    them in its body and its else."""
    for here, there in zip(first, second):
        if here != there:
            return here[0] == there[0]
    return False  # one holds the other: both may run


def _qualname(scope: _Scope, name: str) -> str:
    if scope.kind == "class":
        return f"{scope.qualname}.{name}"
    if scope.kind == "function":
        return f"{scope.qualname}.<locals>.{name}"
    return name


_MAX_DEPTH = 12  # `x = x.y`, `a = b; b = a`: resolution gives up instead of looping

_Stack = List[Tuple[ast.AST, _Scope, str]]
_Def = Union[ast.FunctionDef, ast.AsyncFunctionDef]


class _Summariser:
    def __init__(self, module: str, path: str, is_package: bool) -> None:
        self.module = module
        self.path = path
        self.is_package = is_package
        self.root = _Scope("module", None)
        self.functions: List[Tuple[_Def, _Scope, _Scope]] = []  # (def node, scope it is in, its own scope)
        self.classes: List[Tuple[ast.ClassDef, _Scope, _Scope]] = []
        self.calls: List[Tuple[ast.Call, _Scope, str]] = []  # every call, with where and how it runs
        self._param_syms: Dict[Tuple[int, str], Optional[Sym]] = {}  # (function, parameter) -> what callers pass
        self._calls_by_name: Optional[Dict[str, List[Tuple[ast.Call, _Scope]]]] = None  # by the last name called
        # calls of a loop variable over a table of functions, by each function it may be (_calls_through_tables)
        self._calls_by_entry: Optional[Dict[str, List[Tuple[ast.Call, _Scope]]]] = None
        self._fixed: Dict[int, FrozenSet[str]] = {}  # function key -> the parameters it never rebinds
        self._kwargs_untouched: Dict[int, bool] = {}  # function key -> its ``**kwargs`` is only read
        self._flag_defaults: Dict[int, Tuple[str, ...]] = {}  # function key -> FunctionSummary.flag_defaults
        self.class_attrs: Dict[int, Dict[str, List[_Binding]]] = {}
        # (class, attribute) filled in when None: `if self.signer is None: self.signer = Signer()`
        self.filled_attrs: Set[Tuple[int, str]] = set()
        self.methods: Dict[int, Dict[str, List[int]]] = {}  # class key -> name -> function keys
        self.commands: Set[int] = set()
        self.main_called: Set[int] = set()  # called under the ``__main__`` guard (a command unless called elsewhere)
        self.main_calls: List[ast.expr] = []
        self.main_guard = (0, 0)
        self.packages: Set[str] = set()
        self.google_auth = False  # the module imports google-auth somewhere (its transport may be handed on)
        self.returns: Dict[int, List[_Binding]] = {}  # function key -> the values its returns give
        self.generators: Set[Optional[int]] = set()  # functions that yield: a call gives a generator
        self.yields: Dict[int, List[_Binding]] = {}  # function key -> the values its yields give
        self.reset_globals: Set[str] = set()  # module globals a function sets to None or False (_KEPT)
        self.iterated: Set[int] = set()  # ids of the calls whose result is iterated where it is made
        self.bare_calls: Set[int] = set()  # ids of the calls that are statements of their own
        self.raised_calls: Set[int] = set()  # ids of the calls a `raise` throws: exception constructors
        self.teardown_calls: Set[int] = set()  # ids of the calls of Edge.teardown
        self.awaited_calls: Set[int] = set()  # ids of the calls awaited where they are made
        # ids of the calls in a lambda passed by position to a call no hand-off of the catalogue makes:
        # (that call's line, the lambda's index) (``IN_LAMBDA``)
        self.lambda_calls: Dict[int, Tuple[int, int]] = {}
        self.other_loop_names: List[Tuple[str, _Scope]] = []  # `run_coroutine_threadsafe(coro, loop)` in a coroutine
        self.iterated_names: List[Tuple[str, _Scope]] = []  # names iterated: the calls bound to them are
        self.comprehensions: Dict[int, _Scope] = {}  # id of a comprehension node -> the scope of its variables
        # The sides of the `if` statements around the statement being read, outermost first
        # ((id of the if, 0 for its body, 1 for its else)), in a function; and that path for the
        # value of each assignment there (by the value's id): two sides of one `if` never both run.
        self._branch: Tuple[Tuple[int, int], ...] = ()
        self._branch_of: Dict[int, Tuple[Tuple[int, int], ...]] = {}
        # `if url.startswith("data:"):` in a function: (url, first and last line of the body)
        self._data_url_tests: List[Tuple[str, int, int]] = []
        self.params: Dict[int, Set[str]] = {}  # function key -> its parameters' names
        self.deadline_calls: Set[int] = set()  # ids of the calls inside ``(async) with <deadline>:``
        self.names_timeout: Dict[int, bool] = {}  # id of a def -> _handles_timeout(it), read once
        self.timeout_params: Dict[int, Dict[str, str]] = {}  # id of a def -> _timeout_params(it)

    # -- the walk -------------------------------------------------------------------

    def run(self, tree: ast.Module, source: Union[str, bytes, None] = None) -> ModuleSummary:
        self._body(tree.body, self.root)
        timeouts = scan_timeouts(tree, self.module, self.is_package, source)
        return replace(self._finish(), requests_timeouts=timeouts)

    def _body(self, body: Sequence[ast.stmt], scope: _Scope) -> None:
        for stmt in body:
            self._stmt(stmt, scope)
            kind = type(stmt)
            if kind is ast.Return or kind is ast.Raise or (kind is ast.If and _always_leaves(stmt)):  # type: ignore
                break  # what follows in the block never runs (``if True:  # return at once`` toggles)
            if kind is ast.Assert or kind is ast.If:
                scope = self._guarded(stmt, scope)  # type: ignore[arg-type]

    def _stmt(self, stmt: ast.stmt, scope: _Scope) -> None:
        kind = type(stmt)
        if kind is ast.FunctionDef or kind is ast.AsyncFunctionDef:
            self._function(stmt, scope)  # type: ignore[arg-type]
        elif kind is ast.ClassDef:
            self._class(stmt, scope)  # type: ignore[arg-type]
        elif kind is ast.Assign:
            assign: ast.Assign = stmt  # type: ignore[assignment]
            for target in assign.targets:
                self._bind_target(target, scope, "value", assign.value)
                if type(target) is ast.Name and target.id in scope.globals and _is_falsy_constant(assign.value):
                    self.reset_globals.add(target.id)
            if scope.kind == "function":
                self._branch_of[id(assign.value)] = self._branch
            self._exprs([assign.value, *assign.targets], scope)
        elif kind is ast.AnnAssign:
            ann: ast.AnnAssign = stmt  # type: ignore[assignment]
            if not self._kindless(ann.annotation, scope):
                self._bind_target(ann.target, scope, "annotation", ann.annotation)
            elif ann.value is not None:  # `fetch: Callable = requests.get`: what the value is
                self._bind_target(ann.target, scope, "value", ann.value)
            self._exprs([ann.value, ann.target], scope)
        elif kind is ast.AugAssign:
            aug: ast.AugAssign = stmt  # type: ignore[assignment]
            if type(aug.target) is ast.Name:
                scope.bind(aug.target.id, "unknown")
            self._exprs([aug.value, aug.target], scope)
        elif kind is ast.Import or kind is ast.ImportFrom:
            self._import(stmt, scope)  # type: ignore[arg-type]
        elif kind is ast.Raise:
            # `raise type(exc)(msg)`, `raise self.error_class(msg)`: whatever the class, it builds an
            # exception, which waits on nothing (ends.py would take the callable for any work)
            if type(stmt.exc) is ast.Call:  # type: ignore[attr-defined]
                self.raised_calls.add(id(stmt.exc))  # type: ignore[attr-defined]
            self._generic(stmt, scope)
        elif kind is ast.Expr or kind is ast.Return:
            if kind is ast.Expr and type(stmt.value) is ast.Call:  # type: ignore[attr-defined]
                self.bare_calls.add(id(stmt.value))  # type: ignore[attr-defined]
            if kind is ast.Return:
                returned = stmt.value  # type: ignore[attr-defined]
                self.returns.setdefault(scope.key, []).append(("value", returned, scope))
            self._exprs([stmt.value], scope)  # type: ignore[attr-defined]
        elif kind is ast.If:
            node: ast.If = stmt  # type: ignore[assignment]
            if scope is self.root and _is_main_guard(node.test):
                self.main_guard = (node.lineno, getattr(node, "end_lineno", None) or node.lineno)
                self.main_calls.extend(n.func for n in _calls_in(node.body))
            self._exprs([node.test], scope)
            filled = _filled_when_none(node)
            cls = self._self_class(filled[0], scope) if filled is not None else None
            if filled is not None and cls is not None:
                self.filled_attrs.add((cls, filled[1]))
            body, orelse = ("", "")
            if scope.kind == "function":
                owner = scope.function_key() or 0
                flags = frozenset(guard_param(flag) for flag in self._flag_defaults_of(owner))
                counters = self._counters(node.test, scope)
                body, orelse = flag_tests(node.test, self.params.get(owner, set()), flags, counters)
            kept = _sets_kept_global(node, scope.globals) if scope.kind == "function" and not node.orelse else ""
            if kept and not body:
                body = _KEPT + kept
            inside = self._narrowed(node.test, scope)
            if scope.kind == "function" and node.body:
                self._data_url_tests.extend(
                    (name, node.body[0].lineno, getattr(node.body[-1], "end_lineno", None) or node.body[-1].lineno)
                    for name in _data_url_names(node.test)
                )
            around = self._branch
            self._branch = around + ((id(node), 0),)
            self._body(node.body, inside.narrowed({}, body) if body else inside)
            self._branch = around + ((id(node), 1),)
            self._body(node.orelse, scope.narrowed({}, orelse) if orelse else scope)
            self._branch = around
        elif kind is ast.For or kind is ast.AsyncFor:
            loop: ast.For = stmt  # type: ignore[assignment]
            self._bind_target(loop.target, scope, "item", loop.iter)
            self._iterate(loop.iter, scope)
            self._exprs([loop.iter], scope)
            self._body(loop.body, scope)
            self._body(loop.orelse, scope)
        elif kind is ast.With or kind is ast.AsyncWith:
            with_: ast.With = stmt  # type: ignore[assignment]
            for item in with_.items:
                if item.optional_vars is not None:
                    self._bind_target(item.optional_vars, scope, "value", item.context_expr)
                self._exprs([item.context_expr], scope)
            start = len(self.calls)
            self._body(with_.body, scope)
            if any(self._is_deadline_scope(i.context_expr, scope) for i in with_.items):  # anyio's is a plain `with`
                self.deadline_calls.update(self._calls_since(start, scope))
            if any(_is_shield_scope(i.context_expr) for i in with_.items):
                self.teardown_calls.update(self._calls_since(start, scope))
        elif kind is ast.Global:
            scope.globals.update(stmt.names)  # type: ignore[attr-defined]
        elif kind is ast.Nonlocal:
            for name in stmt.names:  # type: ignore[attr-defined]
                scope.bind(name, "unknown")
        else:
            self._generic(stmt, scope)

    def _narrowed(self, test: ast.expr, scope: _Scope) -> _Scope:
        """Where ``test`` holds: a name it checks with ``isinstance(x, C)`` is a C, with
        ``issubclass(x, C)`` the class C (or one deriving from it). Tuples of classes say nothing."""
        if scope.kind != "function":
            return scope
        names: Dict[str, List[_Binding]] = {}
        checks = test.values if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And) else [test]
        for check in checks:
            if not isinstance(check, ast.Call) or not isinstance(check.func, ast.Name) or len(check.args) != 2:
                continue
            name, cls = check.args
            how = check.func.id
            if (how not in ("isinstance", "issubclass") or not isinstance(name, ast.Name) or isinstance(cls, ast.Tuple)
                    or self._lookup(how, scope) is not None):
                continue
            names[name.id] = [("subclass" if how == "issubclass" else "annotation", cls, scope)]
        return scope.narrowed(names) if names else scope

    def _guarded(self, stmt: Union[ast.Assert, ast.If], scope: _Scope) -> _Scope:
        """What the statements after ``stmt`` know: ``assert isinstance(x, C)``, and
        ``if not isinstance(x, C): return`` (or raise, continue, break)."""
        if isinstance(stmt, ast.Assert):
            return self._narrowed(stmt.test, scope)
        test = stmt.test
        kept = _returns_kept_global(stmt, scope.globals) if scope.kind == "function" else ""
        if kept:
            return scope.narrowed({}, _KEPT + kept)  # what follows is first-use set-up
        if (isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not) and not stmt.orelse
                and isinstance(stmt.body[-1], (ast.Return, ast.Raise, ast.Continue, ast.Break))):
            return self._narrowed(test.operand, scope)
        return scope

    def _generic(self, node: ast.AST, scope: _Scope) -> None:
        """try/while/raise/match...: statements inside, expressions around them."""
        exprs: List[ast.AST] = []
        no_loop = scope.kind == "function" and self._asks_running_loop(node, scope)
        for name in node._fields:
            value = getattr(node, name, None)
            items = value if isinstance(value, list) else [value]
            start = len(self.calls)
            for item in items:
                if isinstance(item, ast.stmt):
                    self._stmt(item, scope)
                elif isinstance(item, ast.ExceptHandler):
                    if item.name:  # `except ClientError as e`: an instance of that class (or of one deriving from it)
                        caught = type(item.type) is ast.Name or type(item.type) is ast.Attribute
                        scope.bind(item.name, "annotation" if caught else "unknown", item.type if caught else None)
                    exprs.append(item.type)  # type: ignore[arg-type]
                    catches = no_loop and _catches_runtime_error(item.type)
                    handled = len(self.calls)
                    self._body(item.body, scope.narrowed({}, NO_LOOP) if catches else scope)
                    if item.body and _reraises(item.body[-1], item.name):
                        self.teardown_calls.update(self._calls_since(handled, scope))
                elif isinstance(item, ast.AST) and _is_match_case(item):
                    self._generic(item, scope)
                elif isinstance(item, ast.AST):
                    exprs.append(item)
            if name == "finalbody":
                self.teardown_calls.update(self._calls_since(start, scope))
        self._exprs(exprs, scope)

    def _calls_since(self, start: int, scope: _Scope) -> Iterator[int]:
        """Ids of the calls recorded since ``start`` in the function of ``scope`` (not in functions
        nested in the block)."""
        key = scope.function_key()
        return (id(c) for c, where, _ in self.calls[start:] if where.function_key() == key)

    def _function(self, node: Union[ast.FunctionDef, ast.AsyncFunctionDef], scope: _Scope) -> None:
        key = len(self.functions)
        cls = scope.key if scope.kind == "class" else None
        own = _Scope("function", scope, key, cls, _qualname(scope, node.name))
        self.functions.append((node, scope, own))
        if scope.kind == "class":
            self.methods[scope.key].setdefault(node.name, []).append(key)
        else:
            scope.bind(node.name, "def", own.qualname)
        # Decorators, defaults and annotations run where the def is.
        args = node.args
        annotations = [a.annotation for a in (*args.posonlyargs, *args.args, *args.kwonlyargs) if a.annotation]
        self._exprs(
            [*node.decorator_list, *args.defaults, *[d for d in args.kw_defaults if d is not None], *annotations], scope
        )
        self._bind_params(node, own, cls)
        around, self._branch = self._branch, ()
        self._body(node.body, own)
        self._branch = around

    def _bind_params(self, node: Union[ast.FunctionDef, ast.AsyncFunctionDef], own: _Scope,
                     cls: Optional[int]) -> None:
        args = node.args
        params = [*args.posonlyargs, *args.args]
        static = any(type(d) is ast.Name and d.id == "staticmethod" for d in node.decorator_list)
        first_is_self = cls is not None and bool(params) and not static
        # `cls` of a classmethod: the class or one deriving from it (`cls(...)` makes an instance)
        first = "cls" if any(type(d) is ast.Name and d.id == "classmethod" for d in node.decorator_list) else "self"
        every = [*params, *([args.vararg] if args.vararg else []), *args.kwonlyargs,
                 *([args.kwarg] if args.kwarg else [])]
        self.params[own.key] = {param.arg for param in every}
        defaults = {id(param): default for param, default in _with_defaults(node) if default is not None}
        for index, param in enumerate(every):
            dependency = _dependency(defaults.get(id(param)))
            if index == 0 and first_is_self:
                own.bind(param.arg, first, cls)
            elif param.annotation is not None and param not in (args.vararg, args.kwarg) and not self._kindless(
                param.annotation, own.parent or own
            ):  # (`f: Callable` declares no kind: what the callers pass, as for no annotation)
                own.bind(param.arg, "annotation", param.annotation)
            elif dependency is not None:  # `client=Depends(get_client)`: what calling get_client gives
                called = ast.copy_location(ast.Call(func=dependency, args=[], keywords=[]), dependency)
                own.bind(param.arg, "value", called, own.parent)
            elif param in (args.vararg, args.kwarg) or node.decorator_list:
                own.bind(param.arg, "unknown")  # a decorator may hand the function to a framework
            else:  # what the module's calls of the function pass (`create_router(interpreter)`)
                place = index - int(first_is_self) if index < len(params) else None
                own.bind(param.arg, "param", (own.key, place, param.arg))

    def _class(self, node: ast.ClassDef, scope: _Scope) -> None:
        key = len(self.classes)
        own = _Scope("class", scope, key, None, _qualname(scope, node.name))
        self.classes.append((node, scope, own))
        self.class_attrs[key] = {}
        self.methods[key] = {}
        scope.bind(node.name, "class", own.qualname)
        self._exprs([*node.decorator_list, *node.bases, *[k.value for k in node.keywords]], scope)
        self._body(node.body, own)

    def _import(self, node: Union[ast.Import, ast.ImportFrom], scope: _Scope) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    dotted = canonical(alias.name)
                    scope.bind(alias.asname, "import", dotted)
                else:
                    dotted = alias.name.split(".")[0]
                    # `import httplib` (a compat module's Python 2 branch) names what http.client is
                    scope.bind(dotted, "import", canonical(dotted) if dotted == alias.name else dotted)
                if scope is self.root:
                    self.packages.add(dotted.split(".")[0])
                self.google_auth = self.google_auth or alias.name.startswith("google.auth")
            return
        base = self._absolute(node.module or "", node.level)
        for alias in node.names:
            if alias.name == "*":
                continue
            dotted = canonical(f"{base}.{alias.name}" if base else alias.name)
            scope.bind(alias.asname or alias.name, "import", dotted)
            if scope is self.root:
                self.packages.add(dotted.split(".")[0])
        self.google_auth = self.google_auth or base.startswith("google.auth")

    def _absolute(self, module: str, level: int) -> str:
        """``from ..x import y`` seen from this module: the absolute package path (past the
        top-level package, the module as written)."""
        found = absolute_import(self.module, self.is_package, level, module)
        return found if found is not None else module

    def _bind_target(self, target: ast.expr, scope: _Scope, kind: str, value: Optional[ast.expr]) -> None:
        t = type(target)
        if t is ast.Name:
            scope.bind(
                target.id,  # type: ignore[attr-defined]
                kind if value is not None or kind == "unknown" else "unknown",
                value,
            )
        elif t is ast.Tuple or t is ast.List:
            elements: List[ast.expr] = target.elts  # type: ignore[attr-defined]
            unpacked = self._unpacked_returns(value, len(elements), scope) if kind == "value" else None
            paired = _paired_values(elements, value) if kind == "value" else None
            for index, element in enumerate(elements):
                if unpacked is not None and type(element) is ast.Name:
                    for item, where in unpacked:
                        scope.bind(element.id, "value", item[index], where)
                    continue
                if kind == "value" and type(value) is ast.Call and type(element) is ast.Name and paired is None:
                    # `client, project = get_client(db)` of a function defined elsewhere: the graph
                    # reads item `index` of what it returns (FunctionSummary.unpacked)
                    scope.bind(element.id, "unpacked", (value, index))
                    continue
                if paired is not None:  # `old, self._client = self._client, None`: item by item
                    self._bind_target(element, scope, "value", paired[index])
                    continue
                self._bind_target(element.value if type(element) is ast.Starred else element, scope, "unknown", None)
        elif t is ast.Starred:
            self._bind_target(target.value, scope, "unknown", None)  # type: ignore[attr-defined]
        elif t is ast.Subscript and kind == "value" and value is not None:
            mapping = target.value  # type: ignore[attr-defined]
            if type(mapping) is ast.Name:
                self._fill(mapping.id, "entry", value, scope)
        elif t is ast.Attribute and type(target.value) is ast.Name and value is not None:  # type: ignore[attr-defined]
            cls = self._self_class(target.value.id, scope)  # type: ignore[attr-defined]
            if cls is not None:
                self.class_attrs[cls].setdefault(target.attr, []).append(  # type: ignore[attr-defined]
                    (kind, value, scope)
                )
        if scope.kind == "class" and t is ast.Name and value is not None:
            self.class_attrs[scope.key].setdefault(target.id, []).append(  # type: ignore[attr-defined]
                (kind, value, scope)
            )
            if kind == "value" and type(value) is ast.Name and value.id in self.methods[scope.key]:
                # `get = _handle` in a class body: the same function, under another name
                self.methods[scope.key].setdefault(target.id, []).extend(  # type: ignore[attr-defined]
                    self.methods[scope.key][value.id])

    def _unpacked_returns(
        self, value: Optional[ast.expr], size: int, scope: _Scope
    ) -> Optional[List[Tuple[List[ast.expr], _Scope]]]:
        """``args, worker = create_worker()`` with ``create_worker`` a function of this module defined
        above, every ``return`` of which gives a tuple of ``size`` plain items (``return args, worker``):
        those items, each with the scope it is read in. None otherwise (the names stay unknown)."""
        if type(value) is not ast.Call or type(value.func) is not ast.Name:
            return None
        key = self._local_def(value.func.id, scope)
        found = self._returned_tuples(key) if key is not None else None
        return found if found and len(found[0][0]) == size else None

    def _counters(self, test: ast.expr, scope: _Scope) -> FrozenSet[str]:
        """The names ``test`` compares that count up from zero: each bound only by a loop over
        ``range(n)`` (or ``range(0, n)``), as a retry loop's ``for attempt in range(retries + 1)``."""
        if type(test) is not ast.Compare:
            return frozenset()
        names = [part.id for part in (test.left, *test.comparators) if type(part) is ast.Name]
        return frozenset(name for name in names if _counts_from_zero(self._lookup(name, scope)))

    def _local_def(self, name: str, scope: _Scope) -> Optional[int]:
        """The key of the one function of this module ``name`` is bound to, seen from ``scope``."""
        bounds = self._lookup(name, scope)
        if not bounds or len(bounds) != 1 or bounds[0][0] != "def":
            return None
        qualname = bounds[0][1]
        return next((k for k, (_node, _outer, own) in enumerate(self.functions) if own.qualname == qualname), None)

    def _returned_tuples(self, key: int) -> Optional[List[Tuple[List[ast.expr], _Scope]]]:
        """The items of the tuple each ``return`` of function ``key`` gives, each with the scope it is
        read in, when every one gives a tuple of plain items of one size; None otherwise (a generator,
        a ``return`` of anything else, a starred item, tuples of two sizes)."""
        if key in self.generators:
            return None
        found: List[Tuple[List[ast.expr], _Scope]] = []
        for _kind, returned, where in self.returns.get(key, ()):
            if type(returned) is not ast.Tuple or any(type(item) is ast.Starred for item in returned.elts):
                return None
            if found and len(returned.elts) != len(found[0][0]):
                return None
            found.append((returned.elts, where))
        return found

    def _self_class(self, name: str, scope: _Scope) -> Optional[int]:
        """The class key when ``name`` is ``self`` (or ``cls``) of a method around ``scope``."""
        current: Optional[_Scope] = scope
        while current is not None and current.kind == "function":
            bounds = current.bindings.get(name)
            if bounds is not None:
                kind, payload, _ = bounds[0]
                return payload if kind in ("self", "cls") and len(bounds) == 1 else None  # type: ignore[return-value]
            current = current.parent
        return None

    # -- expressions: calls and walrus bindings ---------------------------------------------

    def _exprs(self, nodes: Sequence[Optional[ast.AST]], scope: _Scope) -> None:
        # What is pushed is never a leaf, and never an attribute (``a.b.c``: only the root ``a`` can
        # hold a call): the root is pushed instead, where the attribute would have been, so the
        # nodes are seen in the same order.
        Attribute, Call, NamedExpr, Yield, YieldFrom = ast.Attribute, ast.Call, ast.NamedExpr, ast.Yield, ast.YieldFrom
        Await = ast.Await
        skipped = _SKIPPED
        stack: _Stack = []
        push = stack.append
        for first in nodes:
            kind = type(first)
            while kind is Attribute:
                first = first.value  # type: ignore[union-attr]
                kind = type(first)
            if kind not in skipped:
                push((first, scope, CALL))  # type: ignore[arg-type]
        if not stack:
            return
        calls = self.calls
        pop = stack.pop
        fields_of = _CHILD_FIELDS.get
        comprehensions = _COMPREHENSIONS
        AST = ast.AST
        while stack:
            node, where, how = pop()
            kind = type(node)
            while kind is Attribute:  # pushed by _call_children or _comprehension
                node = node.value  # type: ignore[attr-defined]
                kind = type(node)
            if kind in skipped:
                continue
            if kind is Call:
                call: ast.Call = node  # type: ignore[assignment]
                calls.append((call, where, how))
                if type(call.func) is Attribute and call.func.attr in _ADDS:
                    self._element(call, where)
                self._call_children(call, where, how, stack)
                continue
            if kind is Await and type(node.value) is Call:  # type: ignore[attr-defined]
                self.awaited_calls.add(id(node.value))  # type: ignore[attr-defined]
            if kind is NamedExpr:
                target = node.target  # type: ignore[attr-defined]
                holder = where
                while holder.kind == "class":  # a walrus binds in the enclosing function or module
                    holder = holder.parent  # type: ignore[assignment]
                holder.bind(target.id, "value", node.value)  # type: ignore[attr-defined]
                push((node.value, where, how))  # type: ignore[attr-defined]
                continue
            if kind in comprehensions:
                self._comprehension(node, where, how, stack)
                continue
            if kind is Yield or kind is YieldFrom:
                key = where.function_key()
                self.generators.add(key)
                if kind is YieldFrom:
                    self._iterate(node.value, where)  # type: ignore[attr-defined]
                elif node.value is not None and key is not None:  # type: ignore[attr-defined]
                    self.yields.setdefault(key, []).append(("value", node.value, where))  # type: ignore[attr-defined]
            for field in fields_of(kind) or _child_fields(kind):
                value = getattr(node, field, None)
                if type(value) is list:
                    for item in value:
                        child = type(item)
                        while child is Attribute:
                            item = item.value
                            child = type(item)
                        if child not in skipped:
                            push((item, where, how))
                else:
                    child = type(value)
                    while child is Attribute:
                        value = value.value  # type: ignore[union-attr]
                        child = type(value)
                    if child not in skipped and isinstance(value, AST):
                        push((value, where, how))

    def _comprehension(self, node: ast.AST, where: _Scope, how: str, stack: _Stack) -> None:
        """``[f(x) for x in items if x]``: ``x`` is an element of ``items``, inside the comprehension only."""
        inner = self._comprehension_scope(node, where)
        for index, generator in enumerate(node.generators):  # type: ignore[attr-defined]
            self._iterate(generator.iter, where if index == 0 else inner)
            stack.append((generator.iter, where if index == 0 else inner, how))  # the first is evaluated outside
            stack.extend((condition, inner, how) for condition in generator.ifs)
        for field in ("elt", "key", "value"):
            value = getattr(node, field, None)
            if value is not None:
                stack.append((value, inner, how))

    def _comprehension_scope(self, node: ast.AST, where: _Scope) -> _Scope:
        """The scope of a comprehension's variables (one per comprehension: the walk and the
        resolution share it): ``x`` is an element of ``items`` in ``for x in items``."""
        inner = self.comprehensions.get(id(node))
        if inner is not None:
            return inner
        names: Dict[str, List[_Binding]] = {}
        inner = self.comprehensions[id(node)] = where.narrowed(names)
        for index, generator in enumerate(node.generators):  # type: ignore[attr-defined]
            outer = where if index == 0 else inner
            if type(generator.target) is ast.Name:
                names[generator.target.id] = [("item", generator.iter, outer)]
            else:
                for name in ast.walk(generator.target):
                    if isinstance(name, ast.Name):
                        names[name.id] = [("unknown", None, inner)]
        return inner

    def _element(self, call: ast.Call, where: _Scope) -> None:
        """``found.append(x)`` (``add``, ``insert``): the container holds ``x`` too."""
        func: ast.Attribute = call.func  # type: ignore[assignment]
        args = call.args
        value = args[-1] if len(args) == (2 if func.attr == "insert" else 1) else None
        if value is not None and type(value) is not ast.Starred and type(func.value) is ast.Name and not call.keywords:
            self._fill(func.value.id, "element", value, where)

    def _fill(self, name: str, kind: str, value: ast.expr, where: _Scope) -> None:
        """``name`` holds ``value`` (an element, or a mapping's entry) when it is bound only to
        displays (``[]``, ``{}``, ``list()``) and to what is put in it."""
        bounds = self._lookup(name, where)
        if bounds and all(bound == kind or (bound == "value" and _is_display(payload)) for bound, payload, _ in bounds):
            bounds.append((kind, value, where))

    def _call_children(self, call: ast.Call, where: _Scope, how: str, stack: _Stack) -> None:
        name = _last_name(call.func)
        hand_off = name in RUNS_ELSEWHERE or (name == "map" and type(call.func) is ast.Attribute)
        spawn = name in TASK_SPAWNS
        started = TASK
        if name == OTHER_LOOP_SPAWN and self._in_coroutine(where):
            # a coroutine sent from the loop to a loop of another thread runs there, not here
            started = THREAD
            first = call.args[0] if call.args else None
            if type(first) is ast.Name:
                self.other_loop_names.append((first.id, where))
        elif name == "shield" and call.args and type(call.args[0]) is ast.Call:
            if (sym := self.sym(call.func, where)) is not None and sym.dotted == "asyncio.shield":
                self.teardown_calls.add(id(call.args[0]))
        elif self._runs_a_private_loop(call, name, where):
            spawn, started = True, THREAD  # `asyncio.run(main())` in a sync function: off the server's loop
        stack.append((call.func, where, how))
        if not hand_off:
            for index, arg in enumerate(call.args):
                if type(arg) is ast.Starred:
                    break
                if type(arg) is ast.Lambda:
                    for node in ast.walk(arg.body):
                        if type(node) is ast.Call:
                            self.lambda_calls.setdefault(id(node), (call.lineno, index))
        # `to_thread(asyncio.run, self._call(...))`: the coroutine runs on the worker thread's own loop
        loop_in_thread = hand_off and any(self._names_a_loop_runner(arg, where) for arg in call.args)
        for arg in [*call.args, *[k.value for k in call.keywords]]:
            if hand_off and type(arg) is ast.Lambda:
                # calls inside run in the worker thread (a thread of their own for Thread())
                stack.append((arg, where, SPAWN if name in THREAD_STARTS else THREAD))
            elif loop_in_thread and type(arg) is ast.Call:
                stack.append((arg, where, THREAD))
            elif spawn and type(arg) is ast.Call:
                stack.append((arg, where, started if how == CALL else how))
            else:
                stack.append((arg, where, how))

    def _runs_a_private_loop(self, call: ast.Call, name: Optional[str], where: _Scope) -> bool:
        """``asyncio.run(coro)`` or ``loop.run_until_complete(coro)`` in a plain function
        (catalog.PRIVATE_LOOP_RUNNERS)."""
        if where.function_key() is None or self._in_coroutine(where):
            return False
        if name in PRIVATE_LOOP_METHODS:
            return type(call.func) is ast.Attribute
        return name == "run" and self._names_a_loop_runner(call.func, where)

    def _names_a_loop_runner(self, expr: ast.expr, where: _Scope) -> bool:
        """``expr`` names ``asyncio.run`` (catalog.PRIVATE_LOOP_RUNNERS): called in a plain function, or
        handed to a thread as the function it runs."""
        if type(expr) is not ast.Attribute and type(expr) is not ast.Name:
            return False
        sym = self.sym(expr, where)
        return sym is not None and sym.dotted in PRIVATE_LOOP_RUNNERS

    def _in_coroutine(self, scope: _Scope) -> bool:
        key = scope.function_key()
        return key is not None and type(self.functions[key][0]) is ast.AsyncFunctionDef

    def _sent_to_other_loops(self) -> Set[int]:
        """Ids of the calls whose coroutine, bound to a name, a coroutine sends to another loop
        (``coro = self._start(); asyncio.run_coroutine_threadsafe(coro, self.loop)``)."""
        found: Set[int] = set()
        for name, scope in self.other_loop_names:
            for bound, payload, _where in self._lookup(name, scope) or ():
                if bound == "value" and type(payload) is ast.Call:
                    found.add(id(payload))
        return found

    # -- resolution -------------------------------------------------------------------

    def _iterate(self, expr: ast.expr, scope: _Scope) -> None:
        """``expr`` is iterated where it is: a call's result, or the name of one."""
        kind = type(expr)
        if kind is ast.Call:
            self.iterated.add(id(expr))
            if _last_name(expr.func) in LAZY_ITERATORS:  # type: ignore[attr-defined]
                for arg in expr.args:  # type: ignore[attr-defined]
                    self._iterate(arg, scope)
        elif kind is ast.Name:
            self.iterated_names.append((expr.id, scope))  # type: ignore[attr-defined]
        elif kind is ast.Starred:
            self._iterate(expr.value, scope)  # type: ignore[attr-defined]

    def _iterated_calls(self) -> Set[int]:
        """Ids of the calls whose result is iterated where it is made, directly or through a name."""
        for call, scope, _how in self.calls:
            if call.args and _last_name(call.func) in ITERATING_CALLS:
                for arg in call.args:
                    self._iterate(arg, scope)
        found = set(self.iterated)
        for name, scope in self.iterated_names:
            for kind, value, _where in self._lookup(name, scope) or ():
                if kind == "value" and type(value) is ast.Call:
                    found.add(id(value))
        return found

    def _given_once(self, name: str, scope: _Scope) -> Optional[Tuple[object, _Scope]]:
        """The value ``name`` was given, when it was given exactly one, with the scope it is written
        in (the summaries' ``names.assigned_value``)."""
        bounds = self._lookup(name, scope)
        if bounds and len(bounds) == 1 and bounds[0][0] == "value":
            return bounds[0][1], bounds[0][2]
        return None

    def _lookup(self, name: str, scope: _Scope) -> Optional[List[_Binding]]:
        current: Optional[_Scope] = scope
        while current is not None:
            bounds = current.bindings.get(name)
            if bounds is not None:
                return bounds
            current = current.parent
            # Class bodies are not visible from the functions inside them.
            while current is not None and current.kind == "class" and scope.kind == "function":
                current = current.parent
        return None

    def sym(self, expr: Optional[ast.AST], scope: _Scope, imports_only: bool = False, depth: int = 0,
            exclude: Optional[Sym] = None) -> Optional[Sym]:
        """What ``expr`` denotes; ``imports_only`` resolves names bound by imports and
        assignments only (a local def or class stays unknown, as for the libcst walk)."""
        if expr is None or depth > _MAX_DEPTH:
            return None
        kind = type(expr)
        if kind is ast.Name:
            return self._name_sym(expr.id, scope, imports_only, depth)  # type: ignore[attr-defined]
        if kind is ast.Attribute:
            base = self.sym(expr.value, scope, imports_only, depth + 1)  # type: ignore[attr-defined]
            return base.attr(expr.attr) if base is not None else None  # type: ignore[attr-defined]
        if kind is ast.Call:
            module = self._imported_module(expr, scope)  # type: ignore[arg-type]
            if module is not None:
                return Sym("ref", module)
            looked_up = self._looked_up_on_self(expr, scope)  # type: ignore[arg-type]
            if looked_up is not None:
                return looked_up
            base = self.sym(expr.func, scope, imports_only, depth + 1)  # type: ignore[attr-defined]
            if base is not None and not base.path and base.target in RETURNS_ITS_CLIENT:
                given = _argument(expr, *RETURNS_ITS_CLIENT[base.target])  # `CacheControl(session)` is that session
                return self.sym(given, scope, imports_only, depth + 1) if given is not None else None
            if base is not None and base.path[-2:] == (MAPPING, "get"):
                return self._got(base, expr, scope, imports_only, depth)  # type: ignore[arg-type]
            return base.called() if base is not None else None
        if kind is ast.Lambda:
            return self._lambda_callee(expr, scope, imports_only, depth)  # type: ignore[arg-type]
        if kind is ast.Await:
            return self.sym(expr.value, scope, imports_only, depth + 1)  # type: ignore[attr-defined]
        if kind is ast.Subscript and type(expr.slice) is not ast.Slice:  # type: ignore[attr-defined]
            base = self.sym(expr.value, scope, imports_only, depth + 1)  # type: ignore[attr-defined]
            return base.subscript() if base is not None else None
        if kind is ast.List or kind is ast.Tuple or kind is ast.Set or kind is ast.Dict:
            # a display whose elements (a dict's values) all mean one thing: `[Client(), Client()]`
            values = expr.values if kind is ast.Dict else expr.elts  # type: ignore[attr-defined]
            if kind is ast.Dict and None in expr.keys:  # type: ignore[attr-defined]
                return None  # `{**other}`
            elements: List[Sym] = []
            for value in values:
                element = self.sym(value, scope, imports_only, depth + 1)
                if element is None:
                    return None
                if element not in elements:
                    elements.append(element)
            only = Sym.union(elements)
            if only is None:
                return None
            return only.mapped() if kind is ast.Dict else only.contained()
        if kind in _COMPREHENSIONS:
            inner = self._comprehension_scope(expr, scope)
            only = self.sym(expr.value if kind is ast.DictComp else expr.elt,  # type: ignore[attr-defined]
                            inner, imports_only, depth + 1)
            if only is None:
                return None
            return only.mapped() if kind is ast.DictComp else only.contained()
        if kind is ast.IfExp:  # `a if test else b`: either, when both are known
            # a `None` side holds nothing a call could be made on (`Checker() if check else None`)
            branches = [side for side in (expr.body, expr.orelse) if not _is_none(side)]  # type: ignore[attr-defined]
            sides = [self.sym(side, scope, imports_only, depth + 1, exclude) for side in branches]
            if len(branches) == 2 and any(
                self._unknown_override(branches[i], sides[i], branches[1 - i], scope) for i in (0, 1)
            ):
                # the parameter is the caller's override: only the value the code builds says what it is
                sides = [sym for sym, side in zip(sides, branches) if type(side) is ast.Call]
                branches = [side for side in branches if type(side) is ast.Call]
            known = [side for side in sides if side is not None]
            return Sym.union(list(dict.fromkeys(known))) if known and len(known) == len(branches) else None
        if kind is ast.BoolOp and isinstance(expr.op, ast.Or):  # type: ignore[attr-defined]
            # `self.http = self.http or PoolManager()`: the value that is not the target itself
            values = self._or_values(expr, scope)  # type: ignore[arg-type]
            found = {self.sym(v, scope, imports_only, depth + 1) for v in values}
            found.discard(exclude)
            return found.pop() if len(found) == 1 else None
        if kind is ast.BinOp and isinstance(expr.op, ast.BitOr):  # type: ignore[attr-defined]
            # a type alias, `StorageLike = Storage | PostgresStorage`: one of the classes it names
            alternatives = _union_members(expr)  # type: ignore[arg-type]
            members = [self.sym(side, scope, imports_only, depth + 1) for side in alternatives]
            named = [m for m in members if m is not None and m.kind == "ref" and not m.path]
            return Sym.union(list(dict.fromkeys(named))) if len(named) == len(members) else None
        return None

    def _got(self, method: Sym, call: ast.Call, scope: _Scope, imports_only: bool, depth: int) -> Optional[Sym]:
        """``TOOLS.get(name)`` on a mapping whose values are known (``TOOLS = {"check": check}``):
        one of them, as ``TOOLS[name]`` gives; with a default (``TOOLS.get(name, unknown_tool)``),
        that too, when it is known. ``method``: what ``TOOLS.get`` stands for. Read here, as
        ``Sym.subscript`` reads ``TOOLS[name]``, though the graph reads a mapping's ``get()`` too
        (``_VALUE_METHODS``): there one step stands for at most MAX_OBJECTS values, fewer than a
        large server's table of tools holds."""
        if call.keywords or not 1 <= len(call.args) <= 2:
            return None
        value = Sym(method.kind, method.target, method.path[:-2])
        if len(call.args) == 1 or _is_none(call.args[1]):
            return value
        default = self.sym(call.args[1], scope, imports_only, depth + 1)
        if default is None:
            return None
        members = value.members() if value.kind == ANY and not value.path else [value]
        return Sym.union(list(dict.fromkeys([*members, default])))

    def _lambda_callee(self, node: ast.Lambda, scope: _Scope, imports_only: bool, depth: int) -> Optional[Sym]:
        """``lambda args: check(args["url"])``: calling it calls ``check``, so it stands for it (a table
        of tools, ``TOOLS = {"check": lambda args: check(args["url"])}``). None for any other body,
        or a callee reached through the lambda's own parameters (``lambda f: f()``)."""
        body = node.body
        if type(body) is not ast.Call:
            return None
        root = body.func
        while type(root) is ast.Attribute:
            root = root.value
        own = {arg.arg for arg in (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs)}
        own.update(arg.arg for arg in (node.args.vararg, node.args.kwarg) if arg is not None)
        if type(root) is not ast.Name or root.id in own:
            return None
        return self.sym(body.func, scope, imports_only, depth + 1)

    def _looked_up_on_self(self, call: ast.Call, scope: _Scope) -> Optional[Sym]:
        """``getattr(self, name)`` with a name the code computes: a method some table of the class
        names (``NAMED``). Not with a default (the lookup may give it), nor a literal name."""
        func, args = call.func, call.args
        if type(func) is not ast.Name or func.id != "getattr" or len(args) != 2 or call.keywords:
            return None
        if type(args[1]) is ast.Constant or self._lookup("getattr", scope):
            return None
        holder = self.sym(args[0], scope)
        return Sym("self", holder.target, (NAMED,)) if holder is not None and holder.kind == "self" \
            and not holder.path else None

    def _imported_module(self, call: ast.Call, scope: _Scope) -> Optional[str]:
        """``LazyImport("requests")``, ``importlib.import_module("requests")``: the module it stands for."""
        first = call.args[0] if call.args else None
        if type(first) is not ast.Constant:
            return None
        return imported_module(_last_name(call.func), first.value, lambda: self._dotted_callee(call.func, scope))

    def _dotted_callee(self, func: ast.expr, scope: _Scope) -> Optional[str]:
        found = self.sym(func, scope, imports_only=True)
        return found.dotted if found is not None else None

    def _name_sym(self, name: str, scope: _Scope, imports_only: bool, depth: int) -> Optional[Sym]:
        bounds = self._lookup(name, scope)
        return self._agree(bounds, imports_only, depth) if bounds else None

    def _agree(self, bounds: List[_Binding], imports_only: bool, depth: int,
               exclude: Optional[Sym] = None) -> Optional[Sym]:
        """The meaning every binding shares; a declared type (annotation) wins over values."""
        if len(bounds) == 1:  # most names: the loop below, in short
            meaning = self._meaning(bounds[0], imports_only, depth, exclude)
            return None if meaning is _SKIP else meaning  # type: ignore[return-value]
        declared = [bound for bound in bounds if bound[0] == "annotation"]
        meanings: List[Sym] = []
        meant: List[_Binding] = []
        for bound in declared[:1] or bounds:
            meaning = self._meaning(bound, imports_only, depth, exclude)
            if meaning is _SKIP:
                continue
            if meaning is None:
                return None
            meant.append(bound)
            if meaning not in meanings:
                meanings.append(meaning)  # type: ignore[arg-type]
        if len(meanings) == 2 and all(m.kind == "ref" and not m.path for m in meanings):
            server = one_server_of(meanings[0].target, meanings[1].target)  # an import's fallback (names.agree)
            if server is not None:
                return Sym("ref", server)
        if len(meanings) > 1 and (
            all(bound[2].kind == "module" for bound in bounds) or self._exclusive(meant) or self._filled_later(meant)
        ):
            # `if flag: Rails = Guardrails` / `else: from .rails import Rails`: a module's name bound
            # in each branch of a configuration is either, as `a if flag else b` is; so is a
            # function's name given a value in each side of an `if` (and nowhere else but `None`)
            return Sym.union(meanings)
        return meanings[0] if len(meanings) == 1 else None

    def _data_url(self, call: ast.Call) -> bool:
        """``urlopen()`` of a ``data:`` URL, decoded in memory (nothing waits): a string that says so,
        or a name a test around the call saw starting so (the libcst rules' ``calls.url_scheme_in``)."""
        first = call.args[0] if call.args else None
        if type(first) is ast.JoinedStr and first.values:
            first = first.values[0]
        if type(first) is ast.Constant:
            return isinstance(first.value, str) and says_scheme(first.value, DATA_SCHEME)
        return type(first) is ast.Name and any(
            name == first.id and start <= call.lineno <= end
            for name, start, end in self._data_url_tests
        )

    def _kindless(self, annotation: ast.expr, scope: _Scope, depth: int = 0) -> bool:
        """``Callable``, ``Callable[..., Response]``, ``Any`` (``catalog.KINDLESS_ANNOTATIONS``; the
        rules' ``scopes._kindless``): a declaration that binds no kind."""
        if depth >= 4:
            return False
        written = annotation.value if type(annotation) is ast.Subscript else annotation
        found = self.sym(written, scope, imports_only=True)
        named = found.target if found is not None and found.kind == "ref" and not found.path else ""
        item = _last_type_argument(annotation)
        if item is not None and named not in TYPE_COMBINATORS and self._kindless(item, scope, depth + 1):
            return True  # `Dict[str, Handler]`: what is put there says what it holds (not `Union[Toolkit, ...]`)
        alias = self._alias_of(written, scope)
        if alias is not None:  # `ToolHandler = Callable[[dict], dict]`, then `func: ToolHandler`
            return self._kindless(alias, scope, depth + 1)
        return named in KINDLESS_ANNOTATIONS

    def _alias_of(self, written: ast.expr, scope: _Scope) -> Optional[ast.expr]:
        """The annotation a module-level type alias stands for (``ToolHandler = Callable[...]``, bound
        once); None for any other name."""
        if type(written) is not ast.Name:
            return None
        bounds = self._lookup(written.id, scope)
        if not bounds or len(bounds) != 1 or bounds[0][0] != "value" or bounds[0][2].kind != "module":
            return None
        value = bounds[0][1]
        return value if type(value) is ast.Subscript else None

    def _builds_unbound(self, call: ast.Call, callee: Sym, scope: _Scope) -> bool:
        """``ldap3.Connection(server)``: a connection not told to bind as it is built connects at its
        ``bind()`` (the libcst rule's ``_auto_binds``); a mode named in branches binds if each does."""
        if callee.kind != "ref" or callee.path or canonical(callee.target) != LDAP3_CONNECTION:
            return False
        value = next((kw.value for kw in call.keywords if kw.arg == LDAP3_AUTO_BIND), None)
        if value is None and len(call.args) > LDAP3_AUTO_BIND_INDEX:
            value = call.args[LDAP3_AUTO_BIND_INDEX]
        if value is None:
            return True
        if type(value) is ast.Constant:
            return not ldap3_auto_binds(value.value)
        found = self.sym(value, scope)
        members = found.members() if found is not None and found.kind == ANY else [found]
        return not all(
            member is not None and member.kind == "ref" and not member.path and ldap3_auto_binds(constant=member.target)
            for member in members
        )

    def _ends_at_once(self, call: ast.Call, scope: _Scope) -> bool:
        """A command that ends at once (``catalog.says_it_ends_at_once``), run by ``call`` or, for
        ``p.communicate()``/``p.wait()``, by the ``Popen(...)`` the one binding of ``p`` gives it."""
        func = call.func
        if type(func) is ast.Attribute and func.attr in PROCESS_WAITS:
            holder = func.value
            given = self._given_once(holder.id, scope) if type(holder) is ast.Name else None
            start = given[0] if given is not None else None
            if type(start) is not ast.Call or _last_name(start.func) != "Popen":
                return False
            call = start
        words = _command_words(call)
        argv = call.args[0] if call.args else None
        # the program even when a later word is not literal (`["ps", "-p", str(pid)]`), as the rules read it
        program = words[0] if words else _first_word(argv)
        if type(argv) is ast.Name:  # `cmd = ["which", name]; run(cmd)`: what every binding gives it
            bounds = self._lookup(argv.id, scope) or []
            programs = {
                _first_word(payload) if kind == "value" else None  # type: ignore[arg-type]
                for kind, payload, _ in bounds
            }
            program = programs.pop() if len(programs) == 1 else None
        elif (type(argv) is ast.List or type(argv) is ast.Tuple) and argv.elts and type(argv.elts[0]) is ast.Name:
            # `[lookup, "xray"]` after `lookup = "where" if windows else "which"`: either program
            given = self._given_once(argv.elts[0].id, scope)
            chosen = given[0] if given is not None else None
            if type(chosen) is ast.IfExp:
                sides = [_first_word(side) for side in (chosen.body, chosen.orelse)]
                if all(sides):
                    return all(says_it_ends_at_once(words, side) for side in sides)
        return says_it_ends_at_once(words, program)

    def _stopped_before(self, call: ast.Call, scope: _Scope) -> bool:
        """``p.terminate(); p.wait(timeout=3)``: a ``kill()``/``terminate()`` (before a ``wait()`` also
        a ``communicate()``) of the wait's receiver (same dotted text) on an earlier line of the same
        function: the wait only reaps what ended (the rules' ``scopes.stopped_before``)."""
        func, key = call.func, scope.function_key()
        if type(func) is not ast.Attribute or func.attr not in PROCESS_WAITS or key is None:
            return False
        receiver = _dotted(func.value)
        stops = ENDS_BEFORE_WAIT if func.attr == "wait" else STOPS
        function = self.functions[key][0]
        return bool(receiver) and (any(
            type(other) is ast.Call and type(other.func) is ast.Attribute and other.func.attr in stops
            and other.lineno < call.lineno and _dotted(other.func.value) == receiver
            and not _left_before(function, other, call)
            for other in own_nodes(function)
        ) or ("kill" in stops and _signalled_just_before(function, call)))

    def _filled_later(self, bounds: List[_Binding]) -> bool:
        """The first of ``bounds`` is given in the function's flow and every later one under an `if`
        of that flow (``conn = self._conn``, then ``if conn is None or stale: conn = Conn()``): after
        the `if`, the name holds either value."""
        paths = []
        for kind, payload, _scope in bounds:
            path = self._branch_of.get(id(payload)) if kind == "value" else None
            if path is None:
                return False
            paths.append((getattr(payload, "lineno", 0), path))
        paths.sort(key=lambda item: item[0])
        first = paths[0][1]
        return all(len(path) > len(first) and path[:len(first)] == first for _line, path in paths[1:])

    def _exclusive(self, bounds: List[_Binding]) -> bool:
        """The assignments ``bounds`` sit in different sides of `if` statements, no two of which
        run in one call (`if new: d = Deployment()` / `else: d = self._deployments[name]`). A
        value given before the `if` or after it is not: one follows the other, and only the last
        one holds where the name is used."""
        paths = []
        for kind, payload, _scope in bounds:
            path = self._branch_of.get(id(payload)) if kind == "value" else None
            if path is None:
                return False
            paths.append(path)
        return all(_apart(first, second) for i, first in enumerate(paths) for second in paths[i + 1:])

    def _meaning(self, bound: _Binding, imports_only: bool, depth: int,
                 exclude: Optional[Sym] = None) -> Union[Sym, None, object]:
        kind, payload, scope = bound
        if kind == "import":
            return Sym("ref", payload)  # type: ignore[arg-type]
        if kind in ("def", "class"):
            return None if imports_only else Sym("ref", f"{self.module}.{payload}")
        if kind == "value":
            if payload is None or (type(payload) is ast.Constant and payload.value is None) or _is_empty(payload):
                return _SKIP  # `x = None`, `x = []` (filled by `append`), a bare `return`
            return self.sym(payload, scope, imports_only, depth + 1, exclude)  # type: ignore[arg-type]
        if kind == "annotation":
            return self.declared(payload, scope, depth + 1)  # type: ignore[arg-type]
        if kind == "subclass":  # `issubclass(x, C)`: C or a class deriving from it
            found = self.sym(payload, scope, imports_only, depth + 1)  # type: ignore[arg-type]
            return found.subclassed() if found is not None and found.dotted else None
        if kind == "item" or kind == "element" or kind == "entry":
            found = self.sym(payload, scope, imports_only, depth + 1)  # type: ignore[arg-type]
            if found is None:
                return None
            return found.item() if kind == "item" else found.contained() if kind == "element" else found.mapped()
        if kind == "self" or kind == "cls":
            return None if imports_only else Sym(kind, str(payload))
        if kind == "unpacked" and not imports_only:
            call, index = cast(Tuple[ast.Call, int], payload)
            found = self.sym(call.func, scope, imports_only, depth + 1)
            return Sym(found.kind, found.target, found.path + (f"{UNPACKED}{index}",)) if found is not None else None
        if kind == "param" and not imports_only:
            function, place, name = cast(Tuple[int, Optional[int], str], payload)
            found = self._param_sym(function, place, name, depth)
            if found is None and self._is_constructor(function):
                return Sym(ARG, str(function), (name,))
            return found
        return None

    def _is_constructor(self, key: int) -> bool:
        """Function ``key`` is the ``__init__`` of a class of the module's top level (made by its name)."""
        node, outer, _own = self.functions[key]
        return node.name == "__init__" and outer.kind == "class" and outer.parent is not None \
            and outer.parent.kind == "module"

    def _param_sym(self, key: int, place: Optional[int], name: str, depth: int) -> Optional[Sym]:
        """What every call of function ``key`` in this module passes for its parameter ``name`` (at
        ``place`` among the positional arguments, None for keyword-only), when they agree: a module
        function called by its name, or a class's ``__init__`` called as the class. None when nothing
        here calls it, or a call passes it through ``*args``/``**kwargs`` or leaves it out; a ``None``
        passed says nothing."""
        memo = (key, name)
        if memo in self._param_syms:
            return self._param_syms[memo]
        self._param_syms[memo] = None  # a cycle of calls says nothing
        found: Optional[Sym] = None
        sites = self._calls_of_function(key)
        if not sites and place == 0:
            # A decorator's parameter is each function it decorates in turn (``def rpc(f):
            # _rpcs[f.__name__] = f``): the registry it fills holds any of them.
            self._param_syms[memo] = found = Sym.union(self._decorated_by(key))
            return found
        for call, where in sites:
            given = _argument(call, place, name) if place is not None else _keyword(call, name)
            if given is None or _starred(call) or any(kw.arg is None for kw in call.keywords):
                found = None
                break
            if _is_none(given):
                continue  # `create_router(None, ...)` says nothing of what the others pass
            meaning = self.sym(given, where, depth=depth + 1)
            if meaning is None or (found is not None and meaning != found):
                found = None
                break
            found = meaning
        self._param_syms[memo] = found
        return found

    def _decorated_by(self, key: int) -> List[Sym]:
        """The functions and classes that function ``key`` decorates: written ``@key`` for a module
        function (at the module's top level), ``@factory(...)`` for one nested in a module function
        ``factory`` that returns it (``def register(name): def deco(f): ...; return deco``), and
        ``@key`` beside it for one a function defines for its own nested functions (``def tool(fn):``
        then ``@tool`` in the function that builds a server)."""
        node, outer, own = self.functions[key]
        site = outer  # the scope the decorated ones are defined in
        if outer.kind == "module":
            wanted, called = f"{self.module}.{own.qualname}", False
        elif outer.kind == "function" and outer.parent is not None and outer.parent.kind == "module" and any(
            type(stmt) is ast.Return and type(stmt.value) is ast.Name and stmt.value.id == node.name
            for stmt in self.functions[outer.key][0].body
        ):
            wanted, called, site = f"{self.module}.{outer.qualname}", True, outer.parent
        elif outer.kind == "function":
            wanted, called = f"{self.module}.{own.qualname}", False
        else:
            return []
        found: List[Sym] = []
        for defined, where, defined_own in [*self.functions, *self.classes]:
            if where.kind != site.kind or where.key != site.key:
                continue
            for decorator in defined.decorator_list:
                if called != (type(decorator) is ast.Call):
                    continue
                written = decorator.func if type(decorator) is ast.Call else decorator
                if self.sym(written, where) == Sym("ref", wanted):
                    found.append(Sym("ref", f"{self.module}.{defined_own.qualname}"))
                    break
        return found

    def _calls_of_function(self, key: int) -> List[Tuple[ast.Call, _Scope]]:
        """The calls of function ``key`` in this module: by its name for a module function (or through a
        table of functions naming it, ``_calls_through_tables``), as its class for an ``__init__``
        (methods otherwise: none known)."""
        node, outer, own = self.functions[key]
        if outer.kind == "module":
            target = f"{self.module}.{own.qualname}"
        elif self._is_constructor(key):
            target = f"{self.module}.{outer.qualname}"
        else:
            return []
        if self._calls_by_name is None:  # built once: most modules ask for several parameters
            self._calls_by_name = {}
            for call, where, _how in self.calls:
                self._calls_by_name.setdefault(_last_name(call.func), []).append((call, where))
        wanted = Sym("ref", target)
        by_name = [
            (call, where) for call, where in self._calls_by_name.get(target.rsplit(".", 1)[-1], ())
            if self.sym(call.func, where) == wanted
        ]
        return by_name + (self._calls_through_tables().get(target, []) if outer.kind == "module" else [])

    def _calls_through_tables(self) -> Dict[str, List[Tuple[ast.Call, _Scope]]]:
        """The calls of a loop variable over a table of the module's functions, by each function it may
        be: ``for dispatch in _DISPATCHERS: dispatch(action, params, client)`` calls every function
        ``_DISPATCHERS = (_dispatch_1, _dispatch_2)`` names, with those arguments."""
        if self._calls_by_entry is None:
            self._calls_by_entry = {}
            for call, where, _how in self.calls:
                func = call.func
                if type(func) is not ast.Name or not any(
                        kind == "item" for kind, _payload, _scope in self._lookup(func.id, where) or ()):
                    continue
                found = self.sym(func, where)
                for member in (found.members() if found is not None and found.kind == ANY else [found]):
                    if member is not None and member.kind == "ref" and not member.path:
                        self._calls_by_entry.setdefault(member.target, []).append((call, where))
        return self._calls_by_entry

    def declared(self, expr: Optional[ast.expr], scope: _Scope, depth: int = 0) -> Optional[Sym]:
        """The value an annotation declares: an instance of the class it names (``Optional[X]``,
        ``X | None``, ``"X"`` unwrapped), a container of them for ``list[X]``, ``Iterable[X]``..."""
        if expr is None or depth > _MAX_DEPTH:
            return None
        kind = type(expr)
        if kind is ast.Constant and isinstance(expr.value, str):  # type: ignore[attr-defined]
            try:
                parsed = ast.parse(expr.value.strip(), mode="eval").body  # type: ignore[attr-defined]
            except (SyntaxError, ValueError):
                return None
            return self.declared(parsed, scope, depth + 1)
        if kind is ast.BinOp and isinstance(expr.op, ast.BitOr):  # type: ignore[attr-defined]
            return self._declared_union(_union_members(expr), scope, depth)
        if kind is ast.Subscript:
            outer = self.sym(expr.value, scope, depth=depth + 1)  # type: ignore[attr-defined]
            value = expr.value  # type: ignore[attr-defined]
            dotted = outer.dotted if outer is not None else ""
            if outer is None and type(value) is ast.Name and self._lookup(value.id, scope) is None:
                dotted = value.id  # a builtin: `list[X]`
            inner = expr.slice  # type: ignore[attr-defined]
            inner = getattr(inner, "value", inner) if type(inner).__name__ == "Index" else inner  # Python 3.8 AST
            last = dotted.rsplit(".", 1)[-1]
            members = inner.elts if type(inner) is ast.Tuple else [inner]
            if last == "Optional" or last == "Union":
                return self._declared_union(members, scope, depth)
            lifespan = MCP_LIFESPAN_PARAMETER.get(dotted)
            if lifespan is not None and lifespan < len(members):
                held = self.declared(members[lifespan], scope, depth + 1)
                return Sym(held.kind, held.target, held.path + (LIFESPAN_OF,)) if held is not None else None
            if dotted in _MAPPINGS:
                value = self.declared(members[-1], scope, depth + 1) if len(members) == 2 else None
                return value.mapped() if value is not None else None
            if dotted in _SEQUENCES or dotted in _CLASSES:
                if last in ("tuple", "Tuple") and not (len(members) == 2 and _is_ellipsis(members[1])):
                    return None  # `tuple[A, B]`: elements of several kinds
                element = self.declared(members[0], scope, depth + 1)
                if element is None:
                    return None
                if dotted in _CLASSES:  # `type[X]`: the class X, or one deriving from it
                    made = element.path[-1:] == (DECLARED,)
                    return Sym(element.kind, element.target, element.path[:-1]).subclassed() if made else None
                return element.contained()
            return outer.declared() if outer is not None else None  # a generic: `Repository[Item]` is a Repository
        found = self.sym(expr, scope, depth=depth + 1)
        return found.declared() if found is not None and found.dotted else None

    def _declared_union(self, members: Sequence[ast.expr], scope: _Scope, depth: int) -> Optional[Sym]:
        """``A | B | None``, ``Union[A, B]``: an instance of one of the classes (a provider chosen by
        configuration: ``file: PostgresFileProvider | S3FileProvider``); unknown when any is."""
        found: List[Sym] = []
        for member in members:
            if _is_none(member):
                continue
            declared = self.declared(member, scope, depth + 1)
            if declared is None:
                return None
            if declared not in found:
                found.append(declared)
        return Sym.union(found)

    # -- the summary ------------------------------------------------------------------

    def _finish(self) -> ModuleSummary:
        functions = [
            self._function_facts(key, node, outer, own) for key, (node, outer, own) in enumerate(self.functions)
        ]
        classes = [self._class_facts(key, node, outer, own) for key, (node, outer, own) in enumerate(self.classes)]
        edges: Dict[int, List[Edge]] = {key: [] for key in range(len(functions))}
        registrations: List[Registration] = []
        module_edges: List[Edge] = []
        forwards: Dict[int, List[Forward]] = {key: [] for key in range(len(functions))}
        unplaced: Dict[int, Set[str]] = {key: set() for key in range(len(functions))}
        hands: Dict[int, Set[Tuple[str, str]]] = {key: set() for key in range(len(functions))}
        started: Dict[int, Set[str]] = {}  # by parent: its nested functions it only starts threads on
        for node, _outer, own in self.functions:
            if own.parent is None or own.parent.kind != "function":
                continue
            parent = own.parent.key
            if parent not in started:
                started[parent] = self._only_started(parent)
            if node.name not in started[parent]:
                edges[parent].append(Edge(DEF, Sym("ref", f"{self.module}.{own.qualname}"), node.lineno))
        under_deadline = self._under_deadline()
        iterated = self._iterated_calls()
        elsewhere = self._sent_to_other_loops() if self.other_loop_names else set()
        for call, scope, how in self.calls:
            if elsewhere and id(call) in elsewhere and how == CALL:
                how = THREAD
            key = scope.function_key()
            name = _last_name(call.func)
            guard = self._guard(scope, key)
            if key is not None and call.keywords:
                function = self.functions[key][0]
                forward = self._forward(call, scope, function)
                if forward is None and any(kw.arg is None or kw.arg == "timeout" for kw in call.keywords):
                    forward = self._timeout_param_forward(call, scope, function)
                if forward is not None:
                    forwards[key].append(forward)
            if records_registration(name) or _applies_a_decorator(call.func) or _registers_directly(call):
                registrations.extend(self._registrations(call, scope, key))
            if name == "set_defaults":
                self._mark_commands(call.keywords, scope)
            found = edges[key] if key is not None else module_edges
            callee = self.sym(call.func, scope)
            if callee is None and type(call.func) is ast.Name:
                callee = self._either(call.func.id, scope)
            if callee is None and key is not None and id(call) not in self.raised_calls:
                unknown = self._unplaced(call.func, scope)
                if unknown:
                    unplaced[key].add(unknown)
                if unknown.startswith(SUPER) and scope.cls is not None:  # `super().post()`: a base's post
                    callee = Sym(SUPER_OF, str(scope.cls), (unknown[len(SUPER):],))
                elif how == CALL and type(call.func) is ast.Name and call.func.id in self._fixed_params(key):
                    # `def _safe_call(fn): return fn()` called with other functions by other callers:
                    # each call runs what it passes (the graph reads it at the call: Edge.flags' "?@N:")
                    hands[key].add((call.func.id, CALL))
            if callee is not None:
                keywords = call.keywords
                if keywords:
                    hostless = not call.args and not any(kw.arg == "host" for kw in keywords)
                    flags = self._callable_values(call, _flags(call, self._fixed_params(key)), scope)
                    if key is not None and self._relays_kwargs(call, key):
                        flags += (KWARGS_RELAY,)
                    timeout = self._timeout(call, key)
                else:  # most calls: what these would find in no keyword
                    hostless, flags, timeout = not call.args, _flags(call) if _starred(call) else (), TIMEOUT_MISSING
                if call.args and name not in RUNS_ELSEWHERE and name not in DEFERRED:
                    flags += self._callables_passed(call, scope)
                if how == CALL and id(call) in self.lambda_calls:
                    line, index = self.lambda_calls[id(call)]
                    flags += (f"{IN_LAMBDA}{line}{VALUE}{index}",)
                quiet = _quiet(call) or (name == "urlopen" and self._data_url(call)) or (
                    callee.target.startswith("subprocess.") and self._ends_at_once(call, scope)) or (
                    name in PROCESS_WAITS and self._stopped_before(call, scope)) or (
                    name == "Connection" and self._builds_unbound(call, callee, scope))
                found.append(Edge(how, callee, call.lineno, quiet, hostless, guard, flags,
                                  id(call) in under_deadline, id(call) in iterated, timeout, _positional(call),
                                  id(call) in self.bare_calls, id(call) in self.teardown_calls,
                                  id(call) in self.awaited_calls))
            if self.google_auth and key is not None and sends_through_transport(name or ""):
                sent = self._transport_handed(call, scope)
                if sent is not None:  # `credentials.refresh(Request())` sends through it here
                    found.append(Edge(CALL, sent, call.lineno, guard=guard))
            if name in THREAD_HANDOFFS or (name == "map" and type(call.func) is ast.Attribute):
                found.extend(self._handed(call, scope, THREAD, guard))
                if key is not None:
                    hands[key].update((param, THREAD) for param in self._params_handed(call, key, scope))
            elif name in THREAD_STARTS:
                found.extend(self._handed(call, scope, SPAWN, guard))
                if key is not None:
                    hands[key].update((param, SPAWN) for param in self._params_handed(call, key, scope))
            elif name in DEFERRED and call.args:
                target = self.sym(call.args[0], scope)
                if target is not None:  # `add_task(f, *args, **kwargs)` and `partial(f, ...)` call f so
                    args, flags = self._passed(call.args[1:], call.keywords, key, scope)
                    how = THREAD if name == "partial" else LATER
                    found.append(Edge(how, target, call.lineno, guard=guard, flags=flags, args=args))
        for expr in self.main_calls:
            sym = self.sym(expr, self.root)
            for key, (node, outer, _own) in enumerate(self.functions):
                if outer is self.root and sym is not None and sym.dotted == f"{self.module}.{node.name}":
                    self.main_called.add(key)
        self._property_reads(functions, edges)
        summaries = tuple(
            FunctionSummary(
                edges=tuple(edges[key]),
                returns=self._returns(key, node, outer),
                offloaded=decorated_by_one_of((d.written for d in functions[key].decorators), OFFLOAD_DECORATORS),
                generator=key in self.generators,
                command=key in self.commands or self._is_command(functions[key]),
                main_called=key in self.main_called,
                once=isinstance(node, ast.FunctionDef) and ast_guarded_once_per_process(node),
                forwards=tuple(forwards[key]),
                unplaced=tuple(sorted(unplaced[key])),
                flag_defaults=self._flag_defaults_of(key),
                required=_required(node),
                hands=tuple(sorted(hands[key])),
                unpacked=self._unpacked(key),
                keeps_result=keeps_result(node),
                fresh=self._builds_what_it_returns(key, node),
            )
            for key, (node, outer, _own) in enumerate(self.functions)
        )
        class_summaries = tuple(
            self._class_summary(key, node, outer) for key, (node, outer, _own) in enumerate(self.classes)
        )
        facts = ModuleFacts(self.path, tuple(functions), tuple(classes), tuple(registrations), frozenset(self.packages))
        return ModuleSummary(
            self.module, self.path, self.is_package, "", facts, summaries, class_summaries,
            tuple(self._module_names()), self.main_guard, module_edges=tuple(module_edges),
        )

    def _only_started(self, parent: int) -> Set[str]:
        """The names the function uses only as the target of threads it starts
        (``Thread(target=_run_repeatedly, daemon=True).start()``): a nested function so named runs in
        those threads (their SPAWN edges), not with the parent, which starts it and goes on."""
        targets: Set[int] = set()
        named: Dict[str, List[ast.Name]] = {}
        for sub in own_nodes(self.functions[parent][0]):
            if type(sub) is ast.Call and _last_name(sub.func) in THREAD_STARTS:
                targets.update(id(k.value) for k in sub.keywords if k.arg == "target")
            elif type(sub) is ast.Name:
                named.setdefault(sub.id, []).append(sub)
        return {name for name, uses in named.items() if all(id(use) in targets for use in uses)}

    def _property_reads(self, functions: Sequence[FunctionFacts], edges: Dict[int, List[Edge]]) -> None:
        """``self.name`` read in a method whose own class has a property ``name`` that calls
        something (``@property def discovery_data(self): return self._fetch()``): the read runs
        the property's body in place, as a call would (feast's and tiled's lazily fetched OIDC
        discovery documents). Properties of other classes are not seen from here."""
        properties: Dict[int, Set[str]] = {}
        written: Set[Tuple[int, str]] = set()  # a property with a setter or deleter: a name of two bodies
        for key, (node, outer, _own) in enumerate(self.functions):
            if outer.kind != "class":
                continue
            if decorated_by_one_of((d.written for d in functions[key].decorators), WRITE_PROPERTY_DECORATORS):
                written.add((outer.key, node.name))
            elif edges[key] and functions[key].reads_as_property:
                properties.setdefault(outer.key, set()).add(node.name)
        for cls, name in written:
            properties.get(cls, set()).discard(name)
        if not any(properties.values()):
            return
        for key, (node, outer, own) in enumerate(self.functions):
            names = properties.get(outer.key) if outer.kind == "class" else None
            if not names or not node.args.args:
                continue
            first = node.args.args[0].arg
            read: Set[str] = set()
            for sub in own_nodes(node):
                if (type(sub) is ast.Attribute and sub.attr in names and sub.attr not in read
                        and type(sub.value) is ast.Name and sub.value.id == first and type(sub.ctx) is ast.Load):
                    sym = self.sym(sub, own)
                    if sym is not None:
                        read.add(sub.attr)
                        edges[key].append(Edge(CALL, sym, sub.lineno))

    def _timeout(self, call: ast.Call, key: Optional[int]) -> int:
        """How ``call`` gives its ``timeout=`` (TIMEOUT_*). The function's own ``timeout`` parameter
        (never rebound, no default but None) or its ``**kwargs`` pass on what its caller gave."""
        for keyword in call.keywords:
            value = keyword.value
            if keyword.arg == "timeout":
                if _is_none(value):
                    return TIMEOUT_NONE
                if type(value) is ast.Name and key is not None and value.id in self.params.get(key, ()):
                    own = self.functions[key][2]
                    if value.id != "timeout" or len(own.bindings.get(value.id, ())) != 1:
                        return TIMEOUT_MISSING  # another parameter: what its caller gives is not known
                    default = _default(self.functions[key][0], value.id)
                    return TIMEOUT_SET if default is not None and not _is_none(default) else TIMEOUT_PASSED
                return TIMEOUT_SET
        passed_on = key is not None and _own_kwargs_passed(call, self.functions[key][0]) is not None
        return TIMEOUT_PASSED if passed_on else TIMEOUT_MISSING

    def _either(self, name: str, scope: _Scope) -> Optional[Sym]:
        """A callable bound to a few known values that differ (``cls = A`` in an ``if``, ``cls = B``
        in its ``else``): any of them."""
        found: List[Sym] = []
        for bound in self._lookup(name, scope) or ():
            meaning = self._meaning(bound, False, 0)
            if meaning is _SKIP:
                continue
            if not isinstance(meaning, Sym):
                return None
            if meaning not in found:
                found.append(meaning)
        return Sym.union(found) if len(found) > 1 else None

    def _transport_handed(self, call: ast.Call, scope: _Scope) -> Optional[Sym]:
        """The send of a google-auth transport handed to ``call`` (``Request()``, or a name bound to
        one), as what the call runs in place: ``catalog.GOOGLE_AUTH_SENDS``."""
        for value in (*call.args, *(keyword.value for keyword in call.keywords)):
            sym = self.sym(value, scope)
            if sym is not None and sym.kind == "ref" and sym.path == (CALL_RESULT,) and (
                sym.target in GOOGLE_AUTH_TRANSPORTS
            ):
                return Sym("ref", sym.target, (CALL_RESULT, TRANSPORT_SEND))
        return None

    def _callable_values(self, call: ast.Call, flags: Tuple[str, ...], scope: _Scope) -> Tuple[str, ...]:
        """``flags`` with what the graph can tell of a keyword's value that is a callable, so always
        true (``progress_handler=tracker.progress_hook``, ``on_done=lambda: None``): ``Edge.flags``."""
        values: Dict[str, str] = {}
        for keyword in call.keywords:
            value, unknown = keyword.value, f"?{keyword.arg}"
            if keyword.arg is None or unknown not in flags:
                continue
            if type(value) is ast.Lambda:
                values[unknown] = keyword.arg
            else:
                sym = self._passed_value(value, scope)
                if sym is not None:
                    values[unknown] = f"{unknown}{VALUE}{sym.encoded()}"
        return tuple(values.get(flag, flag) for flag in flags) if values else flags

    def _passed_value(self, value: ast.expr, scope: _Scope) -> Optional[Sym]:
        """What an argument names (a name, an attribute), or the library client it builds
        (``client.CoreV1Api(api)``: ``catalog.HELD_ACROSS_MODULES``, which a dataclass field or a
        parameter then holds); None for any other value."""
        kind = type(value)
        if kind is ast.Call:
            if _last_name(value.func) not in _CLIENT_NAMES:  # type: ignore[attr-defined]
                return None  # (most calls build no client: their value is not worked out)
        elif kind is not ast.Name and kind is not ast.Attribute:
            return None
        sym = self.sym(value, scope)
        if sym is None or kind is not ast.Call:
            return sym
        made = sym.kind == "ref" and sym.path == (CALL_RESULT,) and sym.target in HELD_ACROSS_MODULES
        return sym if made else None

    def _unplaced(self, func: ast.expr, scope: _Scope) -> str:
        """What a call whose callee the module cannot type may run (FunctionSummary.unplaced): the
        method's name, UNKNOWN_CALLABLE for a callable; '' for a builtin, or a method of a literal
        or of what a builtin makes."""
        kind = type(func)
        if kind is ast.Name:
            builtin = self._lookup(func.id, scope) is None and func.id in _BUILTINS  # type: ignore[attr-defined]
            return "" if builtin else UNKNOWN_CALLABLE
        if kind is ast.Attribute:
            value = func.value  # type: ignore[attr-defined]
            if self._is_super(value, scope):
                return f"{SUPER}{func.attr}"  # type: ignore[attr-defined]
            return "" if self._builtin_value(value, scope) else func.attr  # type: ignore[attr-defined]
        return UNKNOWN_CALLABLE

    def _is_super(self, expr: ast.expr, scope: _Scope) -> bool:
        """``super()`` in a method (the builtin, not a name of the module), with no argument or with
        the two it stands for written out (``super(Handler, self)`` in a method of ``Handler``)."""
        if not (
            isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name)
            and expr.func.id == "super" and self._lookup("super", scope) is None
        ):
            return False
        return not expr.args or (len(expr.args) == 2 and self._own_class_and_self(expr.args[0], expr.args[1], scope))

    def _own_class_and_self(self, named: ast.expr, instance: ast.expr, scope: _Scope) -> bool:
        """``Handler, self`` in a method of ``Handler``: its class and its first parameter."""
        if not isinstance(named, ast.Name) or not isinstance(instance, ast.Name):
            return False
        owner = self._lookup(instance.id, scope)
        cls = self._lookup(named.id, scope)
        if not owner or not cls or len(owner) != 1 or len(cls) != 1:
            return False
        (kind, key, _), (cls_kind, qualname, _) = owner[0], cls[0]
        return (
            kind in ("self", "cls") and cls_kind == "class" and isinstance(key, int)
            and self.classes[key][2].qualname == qualname
        )

    def _builtin_value(self, expr: ast.expr, scope: _Scope, depth: int = 0) -> bool:
        """A literal, a display, what a builtin such as ``str()`` or ``open()`` makes, a builtin
        itself (``dict.fromkeys``), or a name bound only to these."""
        kind = type(expr)
        if kind in _LITERALS:
            return True
        if kind is ast.Call:
            func = expr.func  # type: ignore[attr-defined]
            return type(func) is ast.Name and func.id in _BUILTIN_MAKERS and self._lookup(func.id, scope) is None
        if kind is not ast.Name:
            return False
        bounds = self._lookup(expr.id, scope)  # type: ignore[attr-defined]
        if bounds is None:
            return expr.id in _BUILTINS and expr.id not in _DYNAMIC  # type: ignore[attr-defined]
        return depth < 2 and all(
            bound == "value" and payload is not None and self._builtin_value(payload, where, depth + 1)  # type: ignore
            for bound, payload, where in bounds
        )

    def _asks_running_loop(self, node: ast.AST, scope: _Scope) -> bool:
        """``node`` is a ``try`` whose body calls ``asyncio.get_running_loop()``."""
        if not isinstance(node, ast.Try):
            return False
        return any(
            type(call) is ast.Call and _last_name(call.func) == "get_running_loop"
            and (sym := self.sym(call.func, scope)) is not None and sym.dotted in _RUNNING_LOOP
            for stmt in node.body for call in ast.walk(stmt)
        )

    def _is_deadline_scope(self, expr: ast.expr, scope: _Scope) -> bool:
        """``asyncio.timeout(5)``, ``anyio.fail_after(t)``: a deadline (``timeout(None)`` is none)."""
        if type(expr) is not ast.Call or _last_name(expr.func) not in _DEADLINE_SCOPE_NAMES:
            return False
        sym = self.sym(expr.func, scope)
        given = [*expr.args, *(k.value for k in expr.keywords)]
        return sym is not None and sym.dotted in DEADLINE_SCOPES and bool(given) and not _is_none(given[0])

    def _under_deadline(self) -> Set[int]:
        """The ids of the calls a deadline cancels: inside ``(async) with <deadline>:``, in the
        awaitable of ``asyncio.wait_for(aw, 5)`` (not through ``shield()``), and in what the
        awaited name was bound to (``t = create_task(f()); await wait_for(t, 5)``)."""
        marked = set(self.deadline_calls)
        for call, scope, _how in self.calls:
            if not call.args or _last_name(call.func) not in _DEADLINE_WRAPPER_NAMES:
                continue
            sym = self.sym(call.func, scope)
            index = DEADLINE_WRAPPERS.get(sym.dotted) if sym is not None else None
            if index is None:
                continue
            given = call.args[index] if len(call.args) > index else next(
                (k.value for k in call.keywords if k.arg == "timeout"), None
            )
            awaited = call.args[0]
            if given is None or _is_none(given) or (type(awaited) is ast.Call and _last_name(awaited.func) == "shield"):
                continue
            values: List[ast.AST] = [awaited]
            root = awaited
            while type(root) is ast.Attribute:
                root = root.value
            if type(root) is ast.Name:
                bounds = self._lookup(root.id, scope) or []
                values.extend(p for kind, p, _ in bounds if kind == "value" and isinstance(p, ast.AST))
            marked.update(id(n) for value in values for n in ast.walk(value) if type(n) is ast.Call)
        return marked

    def _function_facts(self, key: int, node: ast.AST, outer: _Scope, own: _Scope) -> FunctionFacts:
        fn: ast.FunctionDef = node  # type: ignore[assignment]
        args = fn.args
        params = [*args.posonlyargs, *args.args]
        every = [
            *params, *([args.vararg] if args.vararg else []), *args.kwonlyargs, *([args.kwarg] if args.kwarg else [])
        ]
        return FunctionFacts(
            key=key,
            name=fn.name,
            qualname=own.qualname,
            line=fn.lineno,
            is_async=isinstance(fn, ast.AsyncFunctionDef),
            params=tuple(p.arg for p in every),
            positional=tuple(p.arg for p in params),
            star_args=args.vararg is not None,
            star_kwargs=args.kwarg is not None,
            decorators=tuple(self._decorator(d, outer) for d in fn.decorator_list),
            cls=own.cls,
            parent_function=outer.function_key(),
            top_level=outer is self.root,
            request_class=next((full for p in every if p.annotation is not None
                                for full in (self._full(p.annotation, outer),) if full in REQUEST_CLASSES), ""),
        )

    def _class_facts(self, key: int, node: ast.ClassDef, outer: _Scope, own: _Scope) -> ClassFacts:
        methods = self.methods[key]
        return ClassFacts(
            key=key,
            name=node.name,
            qualname=own.qualname,
            line=node.lineno,
            bases=tuple(self._base(b, outer) for b in node.bases),
            decorators=tuple(self._decorator(d, outer) for d in node.decorator_list),
            methods=tuple((name, tuple(keys)) for name, keys in methods.items()),
            top_level=outer is self.root,
        )

    def _full(self, expr: ast.AST, scope: _Scope) -> str:
        sym = self.sym(expr, scope, imports_only=True)
        return sym.dotted if sym is not None else ""

    def _decorator(self, expr: ast.expr, scope: _Scope) -> Decorator:
        made = self._registering_decorator_made_by(expr, scope)
        if made is not None:
            return self._decorator(*made)
        called = type(expr) is ast.Call
        target = expr.func if called else expr  # type: ignore[attr-defined]
        written = _dotted(target)
        shape = "attribute" if type(target) is ast.Attribute else "name" if type(target) is ast.Name else "other"
        named = type(target) is ast.Attribute and target.attr in EVENT_DECORATORS
        receiver = self._server(target, scope) if named else ""
        first = expr.args[0] if called and expr.args else None  # type: ignore[attr-defined]
        labelled = type(first) is ast.Constant and isinstance(first.value, str)
        return Decorator(written, self._full(target, scope) or written, called, shape, receiver, labelled)

    def _registering_decorator_made_by(self, expr: ast.expr, scope: _Scope) -> Optional[Tuple[ast.Call, _Scope]]:
        """``@tool(READ)`` where a function of the module returns a server's or a route's decorator
        (``def tool(annotations): return server.tool(annotations=annotations)``): that decorator, with
        the factory's scope to read it in (``handlers._cst_registering_decorator_made_by``)."""
        if type(expr) is not ast.Call or type(expr.func) is not ast.Name:
            return None
        key = self._local_def(expr.func.id, scope)
        if key is None or key in self.generators:
            return None
        for _kind, value, where in self.returns.get(key, ()):
            if type(value) is ast.Call and (_applies_a_decorator(value) or _applies_a_route_decorator(value)):
                return value, where
        return None

    def _server(self, method: ast.expr, scope: _Scope) -> str:
        """``sio.on`` after ``sio = socketio.AsyncServer()``: the class built (or a parameter's declared
        class: ``def register(mcp: FastMCP)``), else ''. A class of the module (``mcp = _K8sMCP("k8s")``)
        is named too: the graph reads the server class it derives from."""
        if type(method) is not ast.Attribute:
            return ""
        built = self.sym(method.value, scope, imports_only=True) or self.sym(method.value, scope)
        if built is not None and built.kind == "ref" and built.path in ((CALL_RESULT,), (DECLARED,)):
            return built.target
        return ""

    def _base(self, expr: ast.expr, scope: _Scope) -> Base:
        written = _dotted(expr)
        local = expr.id if type(expr) is ast.Name else ""
        return Base(written, self._full(expr, scope) or written, local)

    def _registrations(self, call: ast.Call, scope: _Scope, key: Optional[int]) -> List[Registration]:
        """The call's registration, or one per function a loop gives the name it registers: ``for fn
        in (eject_viz, get_viz_files): mcp.tool(description=fn.__doc__)(fn)`` registers each."""
        registration = self._registration(call, scope, key)
        first = call.args[0] if call.args else None
        bounds = self._lookup(first.id, scope) if type(first) is ast.Name else None
        if not bounds or len(bounds) != 1 or bounds[0][0] != "item" or not registration.args:
            return [registration]
        items = bounds[0][1]
        if type(items) not in (ast.Tuple, ast.List) or any(
                type(e) not in (ast.Name, ast.Attribute) for e in items.elts):  # type: ignore[attr-defined]
            return [registration]
        return [replace(registration, args=(self._view(element, bounds[0][2]), *registration.args[1:]))
                for element in items.elts]  # type: ignore[attr-defined]

    def _registration(self, call: ast.Call, scope: _Scope, key: Optional[int]) -> Registration:
        func = call.func
        route = _applies_a_route_decorator(func)
        if type(func) is ast.Call:  # `mcp.tool()(f)`: the decorator applied (_applies_a_decorator)
            func = func.func
        name = _last_name(func)
        full = self._full(func, scope)
        if not full and name in SERVER_REGISTRARS:
            full = _dotted(func)  # `mcp.add_tool` on a parameter: the graph reads what the callers pass
        return Registration(
            callee=name,
            full=full,
            bare=type(func) is ast.Name,
            args=tuple(self._view(a, scope) for a in call.args if type(a) is not ast.Starred),
            keywords=tuple((k.arg, self._view(k.value, scope)) for k in call.keywords if k.arg is not None),
            function=key,
            line=call.lineno,
            receiver=self._server(func, scope) if name in SERVER_REGISTRARS else "",
            route=route,
        )

    def _view(self, expr: ast.expr, scope: _Scope, depth: int = 0) -> ViewRef:
        kind = type(expr)
        if kind is ast.Name:
            name: str = expr.id  # type: ignore[attr-defined]
            full = self._full(expr, scope)
            given = self._given_once(name, scope) if not full and depth < _MAX_WRAPPERS else None
            if given is not None and isinstance(given[0], ast.Call):
                return self._view(given[0], given[1], depth + 1)  # the call it was given (ViewRef)
            param = self._parameter_behind(expr, scope) if not full else None
            return ViewRef("param", param) if param else ViewRef("name", name, full)
        if kind is ast.Attribute:
            value = expr.value  # type: ignore[attr-defined]
            if type(value) is ast.Name and value.id in ("self", "cls"):
                return ViewRef("self", expr.attr)  # type: ignore[attr-defined]
            attribute: ast.Attribute = expr  # type: ignore[assignment]
            full = self._full(expr, scope) or self._method_of(attribute, scope)
            return ViewRef("attribute", attribute.attr, full, None, self._built_by(value, scope))
        if kind is ast.Call and depth < _MAX_WRAPPERS:
            call: ast.Call = expr  # type: ignore[assignment]
            written = _dotted(call.func)
            positional = [a for a in call.args if type(a) is not ast.Starred]
            inner = self._view(positional[0], scope, depth + 1) if positional else None
            return ViewRef("wrapped", written.rsplit(".", 1)[-1], self._full(call.func, scope) or written, inner)
        if kind is ast.Constant and isinstance(expr.value, str):  # type: ignore[attr-defined]
            return ViewRef("string", expr.value)  # type: ignore[attr-defined]
        return ViewRef("other")

    def _parameter_behind(self, expr: ast.expr, scope: _Scope, seen: FrozenSet[str] = frozenset(),
                          depth: int = 0) -> Optional[str]:
        """The parameter of the function around ``expr`` that ``expr`` stands for: the parameter
        itself, a call wrapping it (``_instrumented(fn)``), or a local name every value of which is
        one of those (``decorated = func``, then ``decorated = log_calls(decorated)`` under an
        ``if``); None for anything else, a parameter rebound to something else included. A name
        already being read (``seen``) stands for what its other values say: ''."""
        while type(expr) is ast.Call:
            positional = [a for a in expr.args if type(a) is not ast.Starred]
            if not positional or depth >= _MAX_WRAPPERS:
                return None
            expr, depth = positional[0], depth + 1
        if type(expr) is not ast.Name:
            return None
        name: str = expr.id
        if name in seen:
            return ""
        bounds = self._lookup(name, scope)
        key = scope.function_key()
        if not bounds or key is None:
            return None
        first_kind, _payload, owner = bounds[0]
        found = ""
        values = bounds
        if first_kind in ("param", "unknown", "annotation") and owner.kind == "function" and owner.key == key \
                and name in self.params.get(key, ()):
            found, values = name, bounds[1:]
        for kind, value, where in values:
            if kind != "value" or type(value) not in (ast.Name, ast.Call) or where.function_key() != key:
                return None
            behind = self._parameter_behind(value, where, seen | {name}, depth)  # type: ignore[arg-type]
            if behind is None or (found and behind and behind != found):
                return None
            found = found or behind
        return found if found or seen else None

    def _built_by(self, receiver: ast.expr, scope: _Scope) -> str:
        """``ViewRef.instance_of`` of a receiver: the plain name called to build it, directly or as the
        one value its name was given (as ``handlers._cst_built_by``)."""
        value: object = receiver
        if isinstance(receiver, ast.Name):
            given = self._given_once(receiver.id, scope)
            value = given[0] if given is not None else None
            if (given is not None and isinstance(value, ast.BoolOp) and isinstance(value.op, ast.Or)
                    and len(value.values) == 2):
                # `given or Endpoints()`: as ``sym`` reads it (and the walk, which reads no longer chain)
                values = self._or_values(value, given[1])
                value = values[0] if len(values) == 1 else None
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Name):
            return value.func.id
        return ""

    def _or_values(self, expr: ast.BoolOp, scope: _Scope) -> List[ast.expr]:
        """The values an ``a or b`` written in ``scope`` may give: all of them, except that a
        parameter before a call (``session or requests.Session()``) is the caller's, else a new one
        of the class the code builds, so only the call says what it is."""
        values: List[ast.expr] = expr.values
        if self._own_default(values[-1], scope):
            params = self.params.get(scope.key, set()) if scope.kind == "function" else set()
            values = [v for v in values if not (type(v) is ast.Name and v.id in params)]
        return values

    def _own_default(self, value: ast.expr, scope: _Scope) -> bool:
        """What the code falls back to after a parameter (``session or requests.Session()``): a call,
        or a name only imports or defs bind (``service or cert_mod``, ``(fetcher or _default_fetch)(url)``),
        or an attribute of one (``opener or urllib.request.urlopen``; the walk's ``scopes._own_default``)."""
        if type(value) is ast.Call:
            return True
        while type(value) is ast.Attribute:
            value = value.value
        bindings = self._lookup(value.id, scope) if type(value) is ast.Name else None
        return bool(bindings) and all(kind in ("import", "def") for kind, _payload, _scope in bindings or ())

    def _without_overrides(self, bounds: List[_Binding]) -> List[_Binding]:
        """The bindings of an attribute filled in when None (``self.signer = signer``, then ``if
        self.signer is None: self.signer = Signer()``), less a parameter of no declared kind stored
        beside the code's own default: the caller's override, read as in ``signer or Signer()``
        (``_or_values``; ``_filled_when_none`` saw the default built). Not an ``if``/``else`` between
        a parameter and a default: both branches stay values of the attribute (a parameter of unknown
        kind leaves a library client unknown)."""
        kept = [(kind, value, where) for kind, value, where in bounds
                if not (kind == "value" and isinstance(value, ast.Name) and self._undeclared_param(value.id, where))]
        return kept or bounds

    def _undeclared_param(self, name: str, scope: _Scope) -> bool:
        """``name`` is a parameter of function ``scope`` that no annotation gives a kind."""
        if scope.kind != "function" or name not in self.params.get(scope.key, set()):
            return False
        return not any(kind == "annotation" for kind, _payload, _scope in self._lookup(name, scope) or ())

    def _unknown_override(self, side: ast.expr, sym: Optional[Sym], other: ast.expr, scope: _Scope) -> bool:
        """``provider`` in ``provider if provider is not None else Provider()``: a parameter of no
        known kind beside a call is an override the caller may pass (a test's fake), so only the call
        says what the value is, as in ``provider or Provider()`` (the walk: ``scopes._bind_target``).
        A parameter declared of a class stays one side (``Built() if flag else other``)."""
        if sym is not None or type(side) is not ast.Name or type(other) is not ast.Call:
            return False
        return scope.kind == "function" and side.id in self.params.get(scope.key, set())

    def _method_of(self, expr: ast.Attribute, scope: _Scope) -> str:
        """``api.list_models`` where ``api`` is an instance of a known class (``api: RESTfulAPI``, a
        parameter annotated with it, or ``api = RESTfulAPI()``): that class's method, as a dotted name."""
        sym = self.sym(expr, scope, imports_only=True)
        if sym is None or sym.kind != "ref" or len(sym.path) != 2 or sym.path[0] not in MADE:
            return ""
        return f"{sym.target}.{sym.path[1]}"

    def _handed(self, call: ast.Call, scope: _Scope, how: str, guard: str) -> Iterator[Edge]:
        """``to_thread(f)``, ``submit(self.m)``, ``Thread(target=f)``, ``to_thread(partial(f, x))``;
        with the arguments ``f`` is called with (``Edge.args``, ``Edge.flags``) where the hand-off
        shows them, else "**": any parameter may be given, so none is taken at its default."""
        name = _last_name(call.func)
        handed = HANDED_ARGUMENTS.get(name)
        key = scope.function_key()
        for position, arg in enumerate([*call.args, *[k.value for k in call.keywords]]):
            given: Optional[Tuple[int, Tuple[str, ...]]] = None
            if type(arg) is ast.Call and _last_name(arg.func) == "partial" and arg.args:
                if handed is None or len(call.args) == position + 1:  # no more arguments at the call
                    given = self._passed(arg.args[1:], arg.keywords, key, scope)
                arg = arg.args[0]
            elif handed is not None and position == handed[0] and position < len(call.args):
                given = self._passed(call.args[position + 1:], call.keywords if handed[1] else [], key, scope)
            if type(arg) in (ast.Name, ast.Attribute):
                target = self.sym(arg, scope)
                if target is not None:
                    args, flags = given if given is not None else (0, ("**",))
                    yield Edge(how, target, call.lineno, guard=guard, flags=flags, args=args)

    def _params_handed(self, call: ast.Call, key: int, scope: _Scope) -> Iterator[str]:
        """The function's own parameters (never rebound) a hand-off runs elsewhere: ``to_thread(func)``,
        ``run_in_executor(None, partial(func, *args))``, through a name bound once to that partial,
        through ``contextvars``' ``partial(ctx.run, func, *args)``, which calls ``func``, and through
        a lambda that calls it (``run_sync(lambda: fn(*args, **kw))``)."""
        params = self._fixed_params(key)
        if not params:
            return
        for arg in [*call.args, *[k.value for k in call.keywords]]:
            if type(arg) is ast.Name and arg.id not in params:
                given = self._given_once(arg.id, scope)
                if given is not None and type(given[0]) is ast.Call:
                    arg = given[0]
            if type(arg) is ast.Call and _last_name(arg.func) == "partial" and arg.args:
                arg = arg.args[1] if self._runs_in_context(arg.args[0], scope) and len(arg.args) > 1 else arg.args[0]
            if type(arg) is ast.Lambda and type(arg.body) is ast.Call:
                arg = arg.body.func
            if type(arg) is ast.Name and arg.id in params:
                yield arg.id

    def _runs_in_context(self, expr: ast.expr, scope: _Scope) -> bool:
        """``ctx.run`` of a ``contextvars`` context: it calls its first argument with the rest."""
        if type(expr) is not ast.Attribute or expr.attr != "run":
            return False
        context = self.sym(expr.value, scope)
        return context is not None and context.kind == "ref" and context.target.startswith("contextvars.")

    def _callables_passed(self, call: ast.Call, scope: _Scope) -> Tuple[str, ...]:
        """"?@N:" + ``Sym.encoded`` for each positional argument that may be a function, a method or
        a class (a name bound to one, ``self.method``, ``module.function``), or a library client
        (``oauth`` of ``oauth = OAuth(app)``): the graph runs a callable where the callee hands that
        parameter to another thread (``FunctionSummary.hands``), and a client is what the callee's
        parameter holds when every call passes one (``Callers.arguments``)."""
        found = []
        for index, arg in enumerate(call.args):
            kind = type(arg)
            if kind is ast.Starred:
                break
            sym = self._passed_value(arg, scope)
            if sym is not None and _may_be_callable_or_client(sym):
                found.append(f"?{POSITIONAL}{index}{VALUE}{sym.encoded()}")
        return tuple(found)

    def _passed(
        self, args: Sequence[ast.expr], keywords: Sequence[ast.keyword], key: Optional[int], scope: _Scope
    ) -> Tuple[int, Tuple[str, ...]]:
        """How a hand-off calls its function with ``args`` and ``keywords``: the positional count
        and the flags of a call written so (``_flags``), with "?@N=param" for the function's own
        parameter passed on as the N-th positional argument (it relays what its caller gave)."""
        written = ast.Call(func=ast.Name(id="_", ctx=ast.Load()), args=list(args), keywords=list(keywords))
        params = self._fixed_params(key)
        flags = self._callable_values(written, _flags(written, params), scope)
        count = _positional(written)
        relays = tuple(
            f"?{POSITIONAL}{index}={arg.id}"
            for index, arg in enumerate(args[:count]) if type(arg) is ast.Name and arg.id in params
        )
        return count, flags + relays

    def _relays_kwargs(self, call: ast.Call, key: int) -> bool:
        """``super().run(cmd, **kwargs)``: the call passes on the function's own ``**kwargs`` (and no
        other ``*``/``**``), which the function only reads: it holds what the function's caller gave."""
        function = self.functions[key][0]
        kwargs = _own_kwargs_passed(call, function)
        if kwargs is None or _starred(call) or sum(kw.arg is None for kw in call.keywords) != 1:
            return False
        untouched = self._kwargs_untouched.get(key)
        if untouched is None:
            untouched = self._kwargs_untouched[key] = _only_read(function, kwargs)
        return untouched

    def _flag_defaults_of(self, key: int) -> Tuple[str, ...]:
        """``FunctionSummary.flag_defaults`` of function ``key``, read once (each ``if`` of it asks)."""
        found = self._flag_defaults.get(key)
        if found is None:
            found = self._flag_defaults[key] = _flag_defaults(self.functions[key][0])
        return found

    def _fixed_params(self, key: Optional[int]) -> FrozenSet[str]:
        """The parameters of function ``key`` it never rebinds: what they hold is what its caller gave
        (read once the walk is over, when every binding is known)."""
        if key is None:
            return frozenset()
        found = self._fixed.get(key)
        if found is None:
            own = self.functions[key][2]
            found = frozenset(name for name in self.params.get(key, ()) if len(own.bindings.get(name, ())) == 1)
            self._fixed[key] = found
        return found

    def _guard(self, scope: _Scope, key: Optional[int]) -> str:
        """The parameter test a call in ``scope`` runs under, when the parameter is never rebound (or NO_LOOP)."""
        guard = scope.guarded_by() if scope.inner else ""
        if not guard or key is None:
            return ""
        if guard == NO_LOOP:
            return guard
        if guard.startswith(_KEPT):
            return "" if guard[len(_KEPT):] in self.reset_globals else NO_LOOP
        return guard if guard_param(guard) in self._fixed_params(key) else ""

    def _mark_commands(self, keywords: List[ast.keyword], scope: _Scope) -> None:
        """argparse ``parser.set_defaults(func=handle_sync)``: a CLI command; also a method of the
        command's class, ``set_defaults(func=self.autohold)`` (zuul's client)."""
        for keyword in keywords:
            if keyword.arg == "func":
                sym = self.sym(keyword.value, scope)
                if sym is None:
                    continue
                own_method = sym.kind == "self" and sym.target.isdigit() and len(sym.path) == 1
                for key, (node, _outer, own) in enumerate(self.functions):
                    if sym.dotted == f"{self.module}.{own.qualname}" or (
                            own_method and own.cls == int(sym.target) and node.name == sym.path[0]):
                        self.commands.add(key)

    def _forward(self, call: ast.Call, scope: _Scope, function: ast.AST) -> Optional[Forward]:
        """``call`` passes on ``function``'s own ``**kwargs`` and sets no timeout itself."""
        if _own_kwargs_passed(call, function) is None:
            return None
        callee = self.sym(call.func, scope)
        if callee is None:  # before the walk below (``super().__init__(**kwargs)``: most of them)
            return None
        handled = self.names_timeout.get(id(function))
        if handled is None:  # a walk of the whole function: once, however many calls pass kwargs on
            handled = self.names_timeout[id(function)] = _handles_timeout(function)
        if handled:
            return None
        vararg = function.args.vararg  # type: ignore[attr-defined]
        positional = 0
        stars = False
        for arg in call.args:
            if type(arg) is ast.Starred:
                value = arg.value
                stars = stars or (vararg is not None and type(value) is ast.Name and value.id == vararg.arg)
                break
            positional += 1
        return Forward(callee, call.lineno, positional, stars)

    def _timeout_param_forward(self, call: ast.Call, scope: _Scope, function: ast.AST) -> Optional[Forward]:
        """``call`` takes its ``timeout`` from a parameter of ``function`` whose default leaves it
        with none: ``timeout=P`` with ``P=None``, or ``**D`` where the local dict (or ``**kwargs``)
        ``D`` gets ``"timeout"`` only under an ``if`` on ``P`` (``P=None`` or a sentinel)."""
        passed: Any = next((kw.value for kw in call.keywords if kw.arg == "timeout"), None)
        starred: Any = [kw.value for kw in call.keywords if kw.arg is None] if passed is None else None
        if passed is None and (len(starred) != 1 or type(starred[0]) is not ast.Name):
            return None
        params = self.timeout_params.get(id(function))
        if params is None:  # once per function, however many of its calls ask
            params = self.timeout_params[id(function)] = _timeout_params(function)
        if passed is not None:
            param = passed.id if type(passed) is ast.Name and params.get(passed.id) == _NONE_DEFAULT else ""
        else:
            param = params.get(f"**{starred[0].id}", "")
        if not param:
            return None
        callee = self.sym(call.func, scope)
        if callee is None:
            return None
        written = passed is not None and not _under_a_test_of(function, call, param)
        return Forward(callee, call.lineno, _positional(call), False, param, written)

    def _is_command(self, function: FunctionFacts) -> bool:
        """``@click.command()``, ``@app.command()`` in a typer module, ``@app.cli.command()`` (Flask),
        an invoke or fabric ``@task``."""
        for decorator in function.decorators:
            if decorator.full in TASK_RUNNER_DECORATORS:
                return True
            last = decorator.full.rsplit(".", 1)[-1]
            if last not in COMMAND_DECORATORS:
                continue
            if decorator.full.split(".")[0] in COMMAND_PACKAGES or self.packages & COMMAND_PACKAGES:
                return True
            if decorator.written.split(".")[0] in COMMAND_PACKAGES:  # `import click` inside a function
                return True
            if ".cli." in f".{decorator.written}":
                return True
        return False

    def _returns(self, key: int, node: ast.AST, outer: _Scope) -> Optional[Sym]:
        """What a call of the function may give: its return annotation, else what its ``return``
        statements give (a returned name: each value bound to it; a few at most). Values not
        known here add nothing; a generator gives nothing known here."""
        annotation = getattr(node, "returns", None)
        if annotation is not None and self._kindless(annotation, outer):
            annotation = None  # `-> Callable[[F], F]` on a decorator factory: what it returns says what runs
        if key in self.generators:
            return self._yielded(key, node, annotation, outer)
        if annotation is not None:
            declared = self.declared(annotation, outer)
            # A protocol of the module (`-> ChatBackend`) names no class that runs: its methods are
            # stubs, and what implements them derives from nothing. What is returned says more.
            return (self._returned(key) or declared) if self._names_protocol(annotation, outer) else declared
        return self._returned(key)

    def _builds_what_it_returns(self, key: int, node: ast.AST) -> bool:
        """FunctionSummary.fresh: ``def new_session() -> requests.Session: s = requests.Session(); ...;
        return s``. Not a generator, nor a call of the project (``return make_client()`` may hand out a
        kept one), nor a value kept elsewhere (``return _SHARED``, ``return self.client``). The rules
        read a function of the linted module so from libcst (``engine._returns_new_value``)."""
        decorators = getattr(node, "decorator_list", ())
        if key in self.generators or any(_dotted(d) not in ("staticmethod", "classmethod") for d in decorators):
            return False
        project = self.module.split(".")[0] + "."
        built = False
        for _kind, value, scope in self.returns.get(key, ()):
            if value is None or (isinstance(value, ast.Constant) and value.value is None):
                continue
            calls: List[Tuple[object, _Scope]] = [(value, scope)]
            if isinstance(value, ast.Name):
                bounds = self._lookup(value.id, scope) or []
                if not bounds or any(bound[0] != "value" or bound[2] is not scope for bound in bounds):
                    return False  # a parameter, a global, a name of an outer scope: not built here
                calls = [(bound[1], bound[2]) for bound in bounds]
            for call, where in calls:
                if not isinstance(call, ast.Call):
                    return False
                callee = self.sym(call.func, where, imports_only=True)
                if callee is None or callee.kind != "ref" or callee.path or callee.target.startswith(project):
                    return False
                built = True
        return built

    def _yielded(self, key: int, node: ast.AST, annotation: Optional[ast.expr], outer: _Scope) -> Optional[Sym]:
        """What a call of a generator function gives: nothing known, but for a context manager's
        (``@contextmanager``), which ``with`` enters and binds to what it yields: the item its
        annotation names (``-> Iterator[SSHSession]``), else what its ``yield``s give (the rules'
        ``names.returned``)."""
        decorators = [_dotted(d.func if isinstance(d, ast.Call) else d) for d in getattr(node, "decorator_list", ())]
        if not gives_what_it_yields(decorators):
            return None
        declared = self.declared(annotation, outer) if annotation is not None else None
        if declared is not None and declared.path[-1:] == (CONTAINER,):
            return declared.item()
        return self._given(self.yields.get(key, ()))

    def _names_protocol(self, annotation: ast.expr, scope: _Scope) -> bool:
        """``annotation`` names a ``typing.Protocol`` class defined in this module."""
        if not isinstance(annotation, ast.Name):
            return False
        bounds = self._lookup(annotation.id, scope) or ()
        qualnames = {payload for kind, payload, _where in bounds if kind == "class"}
        return bool(qualnames) and any(
            own.qualname in qualnames and any(_last_name(base) == "Protocol" for base in defined.bases)
            for defined, _outer, own in self.classes
        )

    def _returned(self, key: int) -> Optional[Sym]:
        """What the function's ``return`` statements give (a returned name: each value bound to it)."""
        return self._given(self.returns.get(key, ()))

    def _given(self, values: Sequence[_Binding]) -> Optional[Sym]:
        """What the values a function returns or yields may be (a name: each value bound to it)."""
        found: List[Sym] = []
        for bound in values:
            _kind, value, scope = bound
            bounds = self._lookup(value.id, scope) if isinstance(value, ast.Name) else None
            declared = [each for each in bounds or () if each[0] == "annotation"]
            for each in declared[:1] or bounds or [bound]:
                meaning = self._meaning(each, False, 0)
                if isinstance(meaning, Sym) and meaning not in found:
                    found.append(meaning)
        return Sym.union(found)

    def _unpacked(self, key: int) -> Tuple[Optional[Sym], ...]:
        """What each item of the tuple the function's every ``return`` gives may be
        (FunctionSummary.unpacked); items of unknown kind are None."""
        tuples = self._returned_tuples(key)
        if not tuples:
            return ()
        items: List[List[Sym]] = [[] for _ in tuples[0][0]]
        for returned, where in tuples:
            for index, item in enumerate(returned):
                meaning = self._meaning(("value", item, where), False, 0)
                if isinstance(meaning, Sym) and meaning not in items[index]:
                    items[index].append(meaning)
        return tuple(Sym.union(each) for each in items)

    def _class_summary(self, key: int, node: ast.ClassDef, outer: _Scope) -> ClassSummary:
        attrs = []
        for name, bounds in self.class_attrs[key].items():
            if (key, name) in self.filled_attrs:
                bounds = self._without_overrides(bounds)
            found = self._agree(bounds, False, 0, exclude=Sym("self", str(key), (name,)))
            if found is not None:
                attrs.append((name, found))
        bases = tuple(self.sym(b, outer) for b in node.bases)
        return ClassSummary(bases, tuple(attrs), _table_names(node), self._init_fields(node, bases, outer))

    def _init_fields(self, node: ast.ClassDef, bases: Tuple[Optional[Sym], ...], outer: _Scope) -> Tuple[str, ...]:
        """The fields a dataclass-style class's generated ``__init__`` takes, in order (ClassVars and
        ``field(init=False)`` aside); () for any other class, or one that writes its own ``__init__``."""
        decorators = [d.func if isinstance(d, ast.Call) else d for d in node.decorator_list]
        made = any(found is not None and canonical(found.dotted) in FIELD_CLASS_DECORATORS
                   for found in (self.sym(d, outer, imports_only=True) for d in decorators))
        if not made and not any(base is not None and canonical(base.dotted) in FIELD_CLASS_BASES for base in bases):
            return ()
        fields: List[str] = []
        for stmt in node.body:
            if isinstance(stmt, ast.FunctionDef) and stmt.name == "__init__":
                return ()
            if not isinstance(stmt, ast.AnnAssign) or not isinstance(stmt.target, ast.Name):
                continue
            written = stmt.annotation.value if isinstance(stmt.annotation, ast.Subscript) else stmt.annotation
            if _last_name(written) == "ClassVar" or _keyword_false(stmt.value, "init"):
                continue
            fields.append(stmt.target.id)
        return tuple(fields)

    def _module_names(self) -> Iterator[Tuple[str, Sym]]:
        for name, bounds in self.root.bindings.items():
            if all(kind in ("def", "class") for kind, _, _ in bounds):
                continue  # found through facts.functions / facts.classes
            sym = self._name_sym(name, self.root, False, 0)
            if sym is not None:
                yield name, sym


# -- helpers -------------------------------------------------------------------------

_CHILD_FIELDS: Dict[type, Tuple[str, ...]] = {}
_LEAVES = frozenset({ast.Name, ast.Constant, str, int, ast.Load, ast.Store, ast.Del})
_SKIPPED = _LEAVES | {type(None)}  # what the walk of expressions does not look into
_NOT_CHILDREN = frozenset(
    {"ctx", "op", "ops", "type_comment", "kind", "conversion", "level", "attr", "arg", "id", "name", "is_async"}
)


def _child_fields(kind: type) -> Tuple[str, ...]:
    fields = tuple(f for f in getattr(kind, "_fields", ()) if f not in _NOT_CHILDREN)
    _CHILD_FIELDS[kind] = fields
    return fields


_NONE_DEFAULT = "None"  # _timeout_params: a parameter whose default is None


def _under_a_test_of(function: ast.AST, call: ast.Call, param: str) -> bool:
    """``call`` runs only when ``param`` is given a value: in the body of ``if param:`` or ``if param is
    not None:`` (notebooklm-mcp-cli's ``if timeout: client.post(..., timeout=timeout)``)."""
    for node in own_nodes(function):
        if type(node) is not ast.If:
            continue
        test = node.test
        tested = test if type(test) is ast.Name else None
        if (type(test) is ast.Compare and len(test.ops) == 1 and type(test.ops[0]) is ast.IsNot
                and type(test.comparators[0]) is ast.Constant and test.comparators[0].value is None):
            tested = test.left if type(test.left) is ast.Name else None
        if tested is not None and tested.id == param and any(
                sub is call for stmt in node.body for sub in ast.walk(stmt)):
            return True
    return False


def _timeout_params(function: Any) -> Dict[str, str]:
    """What carries a timeout into ``function`` that its callers may leave out, giving none:

    - parameter name -> _NONE_DEFAULT: a parameter defaulting to ``None``;
    - ``"**D"`` -> parameter name: the local dict ``D`` (or the function's ``**kwargs``) gets the
      key ``"timeout"`` only from that parameter, and only under an ``if`` that tests it; the
      parameter defaults to ``None`` or a name (a sentinel: ``timeout=UNSET``).

    A parameter bound again in the function (``timeout = timeout or 10``) carries nothing here."""
    defaulted = {  # parameter -> its default: None, or a name that may be a sentinel
        name: d for name, d in _defaults(function).items() if _is_none(d) or type(d) in (ast.Name, ast.Attribute)
    }
    if not defaulted:
        return {}
    stored: Dict[str, int] = {}  # how many times the function binds each name
    keyed: Dict[str, List[Tuple[Any, List[Any]]]] = {}  # D -> each value D["timeout"] gets, with the if tests above
    touched: Set[str] = set()  # dicts changed by a method (``D.update(...)``): what they hold is not known
    stack: List[Tuple[Any, List[Any]]] = [(statement, []) for statement in function.body]
    while stack:
        node, tests = stack.pop()
        kind = type(node)
        if kind in (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef):
            continue  # a nested scope binds its own names
        if kind is ast.Assign:
            for target in node.targets:
                key = target.slice if type(target) is ast.Subscript else None
                if type(key) is ast.Constant and key.value == "timeout" and type(target.value) is ast.Name:
                    keyed.setdefault(target.value.id, []).append((node.value, tests))
        elif kind is ast.Name and type(node.ctx) is not ast.Load:
            stored[node.id] = stored.get(node.id, 0) + 1
        elif kind is ast.Call and type(node.func) is ast.Attribute and type(node.func.value) is ast.Name:
            if node.func.attr in ("update", "setdefault", "__setitem__"):
                touched.add(node.func.value.id)
        test = node.test if kind is ast.If else None
        for child in ast.iter_child_nodes(node):
            stack.append((child, tests + [test] if test is not None and child is not test else tests))
    found = {
        name: _NONE_DEFAULT
        for name, default in defaulted.items()
        if _is_none(default) and name not in stored
    }
    kwargs = function.args.kwarg.arg if function.args.kwarg is not None else None
    for target, values in keyed.items():
        if target in touched or not _dict_without_timeout(function, target, kwargs, stored.get(target, 0)):
            continue
        params = {value.id if type(value) is ast.Name else "" for value, _tests in values}
        param = params.pop() if len(params) == 1 else ""
        if param and param in defaulted and param not in stored:
            if all(any(_skips_default(test, param, defaulted[param]) for test in tests) for _value, tests in values):
                found[f"**{target}"] = param
    return found


def _skips_default(test: Any, param: str, default: Any) -> bool:
    """``test`` is false while ``param`` holds its default: ``param is not UNSET`` for a sentinel
    (a default that is a real timeout, ``TIMEOUT = 10``, passes ``if timeout:``); for ``None`` any
    test of the parameter (``if timeout:``, ``if timeout is not None:``)."""
    if _is_none(default):
        return _names(test, param)
    return (
        type(test) is ast.Compare and type(test.left) is ast.Name and test.left.id == param
        and len(test.ops) == 1 and type(test.ops[0]) in (ast.IsNot, ast.NotEq)
        and ast.dump(test.comparators[0]) == ast.dump(default)
    )


def _dict_without_timeout(function: Any, name: str, kwargs: Optional[str], bindings: int) -> bool:
    """``name`` is the function's ``**kwargs`` (never bound again), or a local bound once, to a
    dict display of plain keys, ``"timeout"`` not among them."""
    if name == kwargs:
        return bindings == 0
    if bindings != 1:
        return False
    bound = [
        node.value for node in ast.walk(function)
        if (type(node) is ast.Assign and any(type(t) is ast.Name and t.id == name for t in node.targets))
        or (type(node) is ast.AnnAssign and type(node.target) is ast.Name and node.target.id == name)
    ]
    if len(bound) != 1 or type(bound[0]) is not ast.Dict:
        return False
    return all(type(k) is ast.Constant and k.value != "timeout" for k in bound[0].keys)


def _argument(call: Any, position: int, keyword: str) -> Optional[ast.AST]:
    """The value passed for a parameter, by keyword or in its place (before any ``*args``)."""
    for given in call.keywords:
        if given.arg == keyword:
            return given.value
    return call.args[position] if _positional(call) > position else None


def _keyword(call: ast.Call, keyword: str) -> Optional[ast.expr]:
    return next((given.value for given in call.keywords if given.arg == keyword), None)


def _names(node: ast.AST, name: str) -> bool:
    return any(type(n) is ast.Name and n.id == name for n in ast.walk(node))


def _handles_timeout(function: ast.AST) -> bool:
    """The function names a timeout anywhere (a parameter, ``kwargs.setdefault("timeout", 5)``,
    ``timeout=`` in a call): what it passes on may well carry one."""
    # Every node, as ast.walk gives them (in another order), but ~4x faster: the fields that only
    # hold names, numbers or operators are not looked into.
    stack: List[ast.AST] = [function]
    pop, push, extend = stack.pop, stack.append, stack.extend
    Constant, Name, arg, keyword, AST = ast.Constant, ast.Name, ast.arg, ast.keyword, ast.AST
    while stack:
        node = pop()
        kind = type(node)
        if kind is Constant:
            if node.value == "timeout":  # type: ignore[attr-defined]
                return True
            continue
        if kind is Name:
            if "timeout" in node.id.lower():  # type: ignore[attr-defined]
                return True
            continue
        if kind is arg and "timeout" in node.arg.lower():  # type: ignore[attr-defined]
            return True
        if kind is keyword and node.arg == "timeout":  # type: ignore[attr-defined]
            return True
        for field in _CHILD_FIELDS.get(kind) or _child_fields(kind):
            value = getattr(node, field, None)
            if type(value) is list:
                extend(item for item in value if isinstance(item, AST))
            elif isinstance(value, AST):
                push(value)
    return False


_WAIT_KEYWORDS = frozenset({"timeout", "block", "blocking"})


def _data_url_names(test: ast.expr) -> Iterator[str]:
    """The names ``test`` sees starting with ``data:`` (``url.startswith("data:")``, also as one side
    of an ``and``)."""
    checks = test.values if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And) else [test]
    for check in checks:
        if (
            type(check) is ast.Call and type(check.func) is ast.Attribute and check.func.attr == "startswith"
            and type(check.func.value) is ast.Name and len(check.args) == 1 and type(check.args[0]) is ast.Constant
            and isinstance(check.args[0].value, str) and says_scheme(check.args[0].value, DATA_SCHEME)
        ):
            yield check.func.value.id


def _filled_when_none(node: ast.If) -> Optional[Tuple[str, str]]:
    """``if self.x is None: self.x = Cls()`` (or ``if not self.x:``): (``self``, ``x``), the attribute
    the code fills in with its own default when it holds nothing; None for any other ``if``."""
    test = node.test
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Is) and _is_none(
            test.comparators[0]):
        tested = test.left
    elif isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        tested = test.operand
    else:
        return None
    if not (isinstance(tested, ast.Attribute) and isinstance(tested.value, ast.Name)) or node.orelse:
        return None
    for stmt in node.body:
        if (isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call) and any(
                isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == tested.value.id
                and t.attr == tested.attr for t in stmt.targets)):
            return tested.value.id, tested.attr
    return None


def _quiet(call: ast.Call) -> bool:
    """An argument that makes a waiting call return at once, or as good as: a literal False, or a
    literal wait of at most ``NEGLIGIBLE_WAIT`` seconds (0 too), as the first positional argument or as
    ``timeout``/``block``/``blocking``."""
    values = [kw.value for kw in call.keywords if kw.arg in _WAIT_KEYWORDS]
    if call.args:
        values.append(call.args[0])
    return any(type(v) is ast.Constant and (v.value is False or negligible_wait(v.value)) for v in values)


def _command_words(call: ast.Call) -> Optional[List[str]]:
    """The words of a command written in full in ``call``: a list or tuple of strings (the program
    may be a variable: ``""``) or one string (shell); the rules' ``commands._literal_command``."""
    argv = call.args[0] if call.args else None
    if type(argv) is ast.Constant:
        return argv.value.split() if isinstance(argv.value, str) else None
    if type(argv) is ast.BinOp:  # `binary + " -codecs"`: the rules' `commands._program_and_words`
        program, tail = argv.left, argv.right
        if type(argv.op) is not ast.Add or type(program) not in (ast.Name, ast.Attribute, ast.Call):
            return None
        return [""] + tail.value.split() if type(tail) is ast.Constant and isinstance(tail.value, str) else None
    if type(argv) is not ast.List and type(argv) is not ast.Tuple:
        return None
    words = []
    for position, element in enumerate(argv.elts):
        if type(element) is ast.Constant and isinstance(element.value, str):
            words.append(element.value)
        elif position == 0 and type(element) is not ast.Starred:
            words.append("")  # the program, named by a variable (a configured binary path)
        else:
            return None
    return words


def _first_word(argv: Optional[ast.expr]) -> Optional[str]:
    """The program a literal command names first (``"ssh-keyscan"`` of ``["ssh-keyscan", host]``)."""
    if type(argv) is ast.Constant:
        words = argv.value.split() if isinstance(argv.value, str) else []
        return words[0] if words else None
    if (type(argv) is ast.List or type(argv) is ast.Tuple) and argv.elts:
        first = argv.elts[0]
        return first.value if type(first) is ast.Constant and isinstance(first.value, str) else None
    return None


def _global_test(test: ast.expr, globals_: Set[str]) -> Tuple[str, bool]:
    """A test of a module global the function declares ``global``: its name and whether the test
    holds when the global keeps a value (``G``, ``G is not None``: True; ``not G``, ``G is None``:
    False); ('', False) for any other test."""
    tested, held = test, True
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        tested, held = test.operand, False
    elif (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], (ast.Is, ast.IsNot))
          and _is_none(test.comparators[0])):
        tested, held = test.left, isinstance(test.ops[0], ast.IsNot)
    if isinstance(tested, ast.Name) and tested.id in globals_:
        return tested.id, held
    return "", False


def _sets_kept_global(stmt: ast.If, globals_: Set[str]) -> str:
    """``if _client is None: ... _client = connect()``: the body runs until it has kept a value in
    the module global it tests, once per process (first-use set-up). That global, else ''."""
    name, held = _global_test(stmt.test, globals_)
    sets = name and not held and any(
        isinstance(each, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in each.targets)
        for each in stmt.body
    )
    return name if sets else ""


def _returns_kept_global(stmt: ast.If, globals_: Set[str]) -> str:
    """``if _backend is not None: return _backend`` (or ``if _backend: return _backend``) of a module
    global the function declares: every call after the first returns the kept value. That global,
    else ''."""
    name, held = _global_test(stmt.test, globals_)
    body = stmt.body
    returned = body[0].value if len(body) == 1 and isinstance(body[0], ast.Return) else None
    kept = held and not stmt.orelse and isinstance(returned, ast.Name) and returned.id == name
    return name if kept else ""


def _is_falsy_constant(value: ast.expr) -> bool:
    """``None`` or ``False``: what resets a kept global, so that its set-up runs again."""
    return isinstance(value, ast.Constant) and (value.value is None or value.value is False)


def _always_leaves(stmt: ast.If) -> bool:
    """``if True:`` (or another literal that is true) whose body ends in ``return`` or ``raise``."""
    test = stmt.test
    return (
        type(test) is ast.Constant and bool(test.value) and bool(stmt.body)
        and type(stmt.body[-1]) in (ast.Return, ast.Raise)
    )


def _signalled_just_before(function: ast.AST, wait: ast.Call) -> bool:
    """A simple statement before the one holding ``wait``, in the same block, sends a stop signal
    (``os.killpg(os.getpgid(proc.pid), signal.SIGKILL)``, then ``proc.wait()``): the rules'
    ``scopes._signalled_just_before``."""
    blocks = [getattr(node, field) for node in (function, *own_nodes(function)) for field in _BLOCK_FIELDS
              if isinstance(getattr(node, field, None), list)]
    own: Optional[Tuple[List[ast.stmt], int]] = None
    for block in blocks:
        for index, statement in enumerate(block):
            if _holds(statement, wait.lineno) and (own is None or statement.lineno >= own[0][own[1]].lineno):
                own = (block, index)  # the innermost block: its statement starts last
    return own is not None and any(
        type(node) is ast.Call and any(_dotted(arg).rsplit(".", 1)[-1] in STOP_SIGNALS for arg in node.args)
        for earlier in own[0][:own[1]] if isinstance(earlier, _SIMPLE_STATEMENTS) for node in ast.walk(earlier)
    )


_SIMPLE_STATEMENTS = (ast.Expr, ast.Assign, ast.AugAssign, ast.AnnAssign)
_LEAVING = (ast.Return, ast.Raise)  # the function; a `break` leaves the loop only, a `continue` nothing
_BLOCK_FIELDS = ("body", "orelse", "finalbody")  # the statement lists of a node (an except's: its body)


def _holds(node: ast.AST, line: int) -> bool:
    """``line`` is one of those ``node`` spans."""
    start = getattr(node, "lineno", 0)
    return start <= line <= (getattr(node, "end_lineno", None) or start)


def _block_holds(block: List[ast.stmt], line: int) -> bool:
    """``line`` is one of those the statements of ``block`` span, from the first to the last."""
    return block[0].lineno <= line <= (block[-1].end_lineno or block[-1].lineno)


def _left_before(function: ast.AST, stop: ast.AST, wait: ast.AST) -> bool:
    """``stop`` sits in a block of ``function`` that ends by leaving before ``wait`` runs: a
    ``return``/``raise`` block not holding it, or a ``break`` block not holding it inside the
    same loop (the rules' ``scopes._nodes_in_blocks_left``)."""
    at, until = getattr(stop, "lineno", 0), getattr(wait, "lineno", 0)
    loops = [n for n in own_nodes(function) if isinstance(n, (ast.For, ast.AsyncFor, ast.While))]
    for owner in own_nodes(function):
        for field in _BLOCK_FIELDS:
            block = getattr(owner, field, None)
            if not isinstance(block, list) or not block or not _block_holds(block, at):
                continue
            inside = _block_holds(block, until)
            if isinstance(block[-1], _LEAVING) and not inside:
                return True
            if isinstance(block[-1], ast.Break) and not inside:
                if owner in loops and field == "body":
                    loop: Optional[ast.AST] = owner  # the loop's own body ends by leaving it
                else:  # the innermost loop around the block (a loop's `else` leaves the one around it)
                    around = [node for node in loops if node is not owner and _holds(node, block[0].lineno)]
                    loop = max(around, key=lambda node: node.lineno, default=None)
                if loop is not None and _holds(loop, until):
                    return True
    return False


def _counts_from_zero(bounds: Optional[List[_Binding]]) -> bool:
    """One binding, as the target of a loop over ``range(n)`` or ``range(0, n)``."""
    if not bounds or len(bounds) != 1 or bounds[0][0] != "item":
        return False
    loop = bounds[0][1]
    if type(loop) is not ast.Call or type(loop.func) is not ast.Name or loop.func.id != "range" or loop.keywords:
        return False
    first = loop.args[0] if len(loop.args) == 2 else None
    return len(loop.args) == 1 or (type(first) is ast.Constant and first.value == 0)


def _applies_a_decorator(func: ast.expr) -> bool:
    """``func`` is ``mcp.tool()`` or ``sio.on("message")``, or a route's (``_applies_a_route_decorator``):
    the call it makes applies that decorator."""
    return (type(func) is ast.Call and type(func.func) is ast.Attribute
            and func.func.attr in EVENT_DECORATORS) or _applies_a_route_decorator(func)


def _applies_a_route_decorator(func: ast.expr) -> bool:
    """``app.get("/ping")`` (``scopes.applies_a_route_decorator``)."""
    if type(func) is not ast.Call:
        return False
    first = func.args[0] if func.args else None
    path = first.value if isinstance(first, ast.Constant) else None
    return declares_a_route(
        _dotted(func.func), path if isinstance(path, str) else None,
        (k.arg for k in func.keywords if k.arg is not None),
    )


def _registers_directly(call: ast.Call) -> bool:
    """``mcp.tool(handle)`` (``scopes.registers_directly``)."""
    func, first = call.func, call.args[0] if call.args else None
    return (type(func) is ast.Attribute and func.attr in MCP_DIRECT_REGISTRARS
            and first is not None and type(first) in (ast.Name, ast.Attribute))


def _last_name(func: ast.expr) -> str:
    kind = type(func)
    if kind is ast.Name:
        return func.id  # type: ignore[attr-defined]
    if kind is ast.Attribute:
        return func.attr  # type: ignore[attr-defined]
    return ""


def _catches_runtime_error(caught: Optional[ast.expr]) -> bool:
    """``except RuntimeError:`` or ``except (RuntimeError, ...):``: what ``get_running_loop()`` raises
    with no loop running (a bare ``except`` or ``Exception`` may be another call's failure)."""
    names = caught.elts if isinstance(caught, ast.Tuple) else [caught]
    return any(isinstance(name, ast.Name) and name.id == "RuntimeError" for name in names)


def _starred(call: ast.Call) -> bool:
    return any(type(arg) is ast.Starred for arg in call.args)


POSITIONAL = "@"  # "?@2=param": a hand-off passes its function's own parameter as the 3rd argument
# "?name:" + Sym.encoded: a keyword's value the graph may find to be a callable; "?@2:" + Sym.encoded:
# the 3rd positional argument so (Edge.flags)
VALUE = ":"
# In ``Edge.flags``, beside "**": the call passes on the function's own ``**kwargs``, untouched, so
# its callee gets the keywords the function's caller gave (a flag it tests among them).
KWARGS_RELAY = "**>"
# In ``Edge.flags``: the call is in a lambda passed as the N-th positional argument of the call at
# line L ("?@^L:N", read as a positional value, so no keyword): it runs where that call's callee runs
# its argument, in place unless the callee hands that parameter to another thread
# (``FunctionSummary.hands``: ``await execute(lambda: fetch(url))`` where ``async def execute(fn):
# return await anyio.to_thread.run_sync(fn)``).
IN_LAMBDA = f"?{POSITIONAL}^"


def in_lambda(flags: Tuple[str, ...]) -> Optional[Tuple[int, int]]:
    """The (line, index) an IN_LAMBDA flag says, None without one."""
    for flag in flags:
        if flag.startswith(IN_LAMBDA):
            line, _, index = flag[len(IN_LAMBDA):].partition(VALUE)
            return int(line), int(index)
    return None


def passed_value(flags: Tuple[str, ...], place: str) -> Optional[Sym]:
    """The value ``Edge.flags`` keep for what a call passes at ``place``: a keyword's name, or
    POSITIONAL + the argument's index ("?@0:" + ``Sym.encoded``); None when none is kept."""
    prefix = f"?{place}{VALUE}"
    for flag in flags:
        if flag.startswith(prefix):
            return Sym.decoded(flag[len(prefix):])
    return None


def _own_kwargs_passed(call: ast.Call, function: ast.AST) -> Optional[str]:
    """The name of ``function``'s own ``**kwargs`` when ``call`` passes it on (``**kwargs``), else None."""
    args = getattr(function, "args", None)
    kwarg = args.kwarg if args is not None else None
    if kwarg is None:
        return None
    passed = any(kw.arg is None and type(kw.value) is ast.Name and kw.value.id == kwarg.arg for kw in call.keywords)
    return kwarg.arg if passed else None


def _only_read(function: ast.AST, name: str) -> bool:
    """``name`` is never rebound nor changed in ``function``: it is only passed on (``**name``),
    subscripted, or read through ``get()``, ``keys()``, ``items()``, ``values()``, ``copy()``
    (``DICT_READ_METHODS``)."""
    reads: Set[int] = set()
    uses: List[ast.Name] = []
    for node in own_nodes(function):
        value = getattr(node, "value", None)
        if type(value) is ast.Name and value.id == name:
            if isinstance(node, ast.keyword) and node.arg is None:
                reads.add(id(value))
            elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
                reads.add(id(value))
            elif isinstance(node, ast.Attribute) and node.attr in DICT_READ_METHODS:
                reads.add(id(value))
        elif type(node) is ast.Name and node.id == name:
            uses.append(node)
    return all(id(use) in reads for use in uses)


def _flags(call: ast.Call, params: FrozenSet[str] = frozenset()) -> Tuple[str, ...]:
    """The keyword arguments of a call, as flags: "name" for a literal True, "!name" for False,
    "name~Mode.LOGIN" for a value an equality test can tell (guards.py), "?name=param" for one of
    ``params`` (the function's own parameters, never rebound: it relays
    what its caller gave), "?name" for any other value, and "**" for a ``**mapping`` or ``*args``
    (any parameter may be in it)."""
    found = ["**"] if _starred(call) else []
    for keyword in call.keywords:
        value = keyword.value
        if keyword.arg is None:
            found.append("**")
        elif isinstance(value, ast.Constant) and isinstance(value.value, bool):
            found.append(keyword.arg if value.value else f"!{keyword.arg}")
        elif type(value) is ast.Name:
            found.append(f"?{keyword.arg}={value.id}" if value.id in params else f"?{keyword.arg}")
        else:
            key = value_key(value)
            found.append(f"{keyword.arg}{EQUALS}{key}" if key is not None else f"?{keyword.arg}")
    return tuple(found)


def _may_be_callable_or_client(sym: Sym) -> bool:
    """``_callables_passed``' values: a dotted name, ``self`` or an attribute of ``self`` or ``cls``,
    or a library client or server made here (``register_tools(mcp)`` after ``mcp = FastMCP()``: the
    callee's ``@mcp.tool()`` functions are that server's handlers)."""
    if sym.kind == "self" and not sym.path:
        return True  # ``Skill(self)``: the instance itself, a constructor's question (``Sym`` kind ARG)
    if sym.kind != "ref":
        return sym.kind not in (ANY, ARG) and len(sym.path) == 1
    made = len(sym.path) == 1 and sym.path[0] in MADE
    return not sym.path or (made and (sym.target in HELD_ACROSS_MODULES or sym.target in EVENT_SERVERS))


def _paired_values(elements: List[ast.expr], value: Optional[ast.expr]) -> Optional[List[ast.expr]]:
    """The items of a display ``value`` for ``elements`` of one length, none starred; else None."""
    if type(value) is not ast.Tuple and type(value) is not ast.List:
        return None
    items: List[ast.expr] = value.elts
    if len(items) != len(elements) or any(type(e) is ast.Starred for e in (*items, *elements)):
        return None
    return items


def _required(node: ast.AST) -> Tuple[str, ...]:
    """``FunctionSummary.required`` of a ``def`` (a lambda or a class: none)."""
    if type(node) is ast.Lambda:
        return ()
    return tuple(arg.arg for arg, default in _with_defaults(node) if default is None)


def _flag_defaults(node: ast.AST) -> Tuple[str, ...]:
    """``FunctionSummary.flag_defaults`` of a ``def`` (a lambda or a class: none)."""
    found = []
    for arg, default in _with_defaults(node):
        if isinstance(default, ast.Constant) and (default.value is None or isinstance(default.value, bool)):
            found.append(arg.arg if default.value else f"!{arg.arg}")
        elif default is not None:
            key = value_key(default)
            if key is not None:
                found.append(f"{arg.arg}{EQUALS}{key}")
    return tuple(found)


def _with_defaults(node: ast.AST) -> List[Tuple[ast.arg, Optional[ast.expr]]]:
    """Each named parameter of a ``def`` (positional ones, then keyword-only ones; not ``*args`` or
    ``**kwargs``) with its default, None for none; nothing for a class."""
    args = getattr(node, "args", None)
    if not isinstance(args, ast.arguments):
        return []
    positional = [*args.posonlyargs, *args.args]
    defaults: List[Optional[ast.expr]] = [None] * (len(positional) - len(args.defaults))
    return [*zip(positional, [*defaults, *args.defaults]), *zip(args.kwonlyargs, args.kw_defaults)]


def _dependency(default: Optional[ast.expr]) -> Optional[ast.expr]:
    """What a parameter's ``Depends(get_client)`` (or ``Security(...)``) default names: the framework
    passes what calling it gives (FastAPI, FastMCP); None for any other default."""
    if not isinstance(default, ast.Call) or _last_name(default.func) not in DEPENDENCY_CALLS:
        return None
    named = default.args[0] if default.args else next(
        (k.value for k in default.keywords if k.arg == "dependency"), None)
    return named if type(named) in (ast.Name, ast.Attribute) else None


def _is_ellipsis(expr: ast.AST) -> bool:
    return type(expr) is ast.Constant and expr.value is Ellipsis


_CLIENT_NAMES = frozenset(name.rpartition(".")[2] for name in HELD_ACROSS_MODULES)


def _keyword_false(value: Optional[ast.expr], name: str) -> bool:
    """``field(init=False)``: a call given ``name=False``."""
    return isinstance(value, ast.Call) and any(
        keyword.arg == name and isinstance(keyword.value, ast.Constant) and keyword.value.value is False
        for keyword in value.keywords
    )


def _table_names(node: ast.ClassDef) -> Tuple[str, ...]:
    """The identifier strings of the class body's own assignments (``routes = [{"call_method":
    "get_items"}, ...]``): the names a ``getattr(self, ...)`` of the class may look up. Nothing when
    there are more than MAX_NAMED (a data table, not a dispatch table)."""
    found: List[str] = []
    for stmt in node.body:
        value = stmt.value if type(stmt) in (ast.Assign, ast.AnnAssign) else None  # type: ignore[attr-defined]
        for each in ast.walk(value) if value is not None else ():
            if type(each) is ast.Constant and isinstance(each.value, str) and each.value.isidentifier() \
                    and each.value not in found:
                found.append(each.value)
    return tuple(found) if len(found) <= MAX_NAMED else ()


def _is_display(expr: object) -> bool:
    """A list, set, tuple or dict display, or ``list()``/``dict()``... with no argument."""
    kind = type(expr)
    return kind is ast.List or kind is ast.Set or kind is ast.Tuple or kind is ast.Dict or _is_empty(expr)


def _is_empty(expr: object) -> bool:
    """``[]``, ``()``, ``set()``, ``list()``: a container that says nothing of what it will hold."""
    kind = type(expr)
    if kind is ast.List or kind is ast.Set or kind is ast.Tuple:
        return not expr.elts  # type: ignore[attr-defined]
    if kind is ast.Dict:
        return not expr.keys  # type: ignore[attr-defined]
    if kind is not ast.Call:
        return False
    call: ast.Call = expr  # type: ignore[assignment]
    func = call.func
    return type(func) is ast.Name and func.id in _EMPTY_CALLS and not call.args and not call.keywords


def _positional(call: ast.Call) -> int:
    """The positional arguments written before any ``*args``."""
    count = 0
    for arg in call.args:
        if type(arg) is ast.Starred:
            break
        count += 1
    return count


def _default(function: ast.AST, name: str) -> Optional[ast.expr]:
    """The default value of parameter ``name`` of ``function`` (None: it has none)."""
    return _defaults(function).get(name)


def _defaults(function: ast.AST) -> Dict[str, ast.expr]:
    """Each parameter of ``function`` that has a default, with it."""
    args = function.args  # type: ignore[attr-defined]
    positional = [*args.posonlyargs, *args.args]
    found = {param.arg: default for param, default in zip(positional[len(positional) - len(args.defaults):],
                                                          args.defaults)}
    found.update((param.arg, default) for param, default in zip(args.kwonlyargs, args.kw_defaults)
                 if default is not None)
    return found


def _is_shield_scope(expr: ast.AST) -> bool:
    """``anyio.CancelScope(shield=True)``, ``anyio.move_on_after(5, shield=True)``: no cancellation
    from outside reaches the block."""
    return type(expr) is ast.Call and any(
        kw.arg == "shield" and type(kw.value) is ast.Constant and kw.value.value is True
        for kw in expr.keywords
    )


def _reraises(stmt: ast.stmt, caught: Optional[str]) -> bool:
    """A bare ``raise``, or a ``raise`` of the name the clause binds the exception to (``except
    CancelledError as cancellation: ... raise cancellation``): the exception being handled goes on."""
    if type(stmt) is not ast.Raise:
        return False
    raised = stmt.exc
    return raised is None or (caught is not None and type(raised) is ast.Name and raised.id == caught)


def _is_none(expr: ast.AST) -> bool:
    return type(expr) is ast.Constant and expr.value is None


def _is_main_guard(test: ast.expr) -> bool:
    """``if __name__ == "__main__":`` (either way round)."""
    if type(test) is not ast.Compare or len(test.ops) != 1 or type(test.ops[0]) is not ast.Eq:
        return False
    sides = [test.left, test.comparators[0]]
    names = [s for s in sides if type(s) is ast.Name and s.id == "__name__"]
    strings = [s for s in sides if type(s) is ast.Constant and s.value == "__main__"]
    return len(names) == 1 and len(strings) == 1


def _calls_in(body: Sequence[ast.stmt]) -> Iterator[ast.Call]:
    for stmt in body:
        for node in ast.walk(stmt):
            if type(node) is ast.Call:
                yield node


def _is_match_case(node: ast.AST) -> bool:
    return type(node).__name__ == "match_case"


def _union_members(expr: ast.expr) -> List[ast.expr]:
    """The sides of ``A | B | C`` (a chain of ``|``), left to right."""
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.BitOr):
        return [*_union_members(expr.left), *_union_members(expr.right)]
    return [expr]
