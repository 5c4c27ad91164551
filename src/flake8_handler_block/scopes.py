"""Module facts gathered during the single walk: scopes, bindings, calls, blocks.

The collector runs first in the batched visit (and its closing half runs last), so
every rule sees ``state.scope`` (the function being walked) and ``state.block``
(the enclosing try/finally/with/loop chain) without tracking them itself.
Bindings keep the assigned expression, not its meaning: ``names.resolve`` asks
only after the walk, when everything a name can mean is known.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Dict, FrozenSet, Iterator, List, Mapping, NamedTuple, Optional, Set, Tuple

import libcst as cst

from .catalog import (
    ENDS_BEFORE_WAIT, HANDED_ARGUMENTS, ITERATING_CALLS, KINDLESS_ANNOTATIONS, LAZY_ITERATORS, OTHER_LOOP_SPAWN,
    STOP_SIGNALS, STOPS, TASK_SPAWNS, THREAD_HANDOFFS, THREAD_STARTS, TYPE_COMBINATORS,
)
from .handlers import DEPENDENCY_CALLS, EVENT_DECORATORS, MCP_DIRECT_REGISTRARS, declares_a_route, records_registration
from .names import Outside, Ref, SelfOf, assigned_value, canonical, dotted_name, last_name, lookup_any, resolve
from .walk import children, iter_nodes


# -- bindings -----------------------------------------------------------------------

@dataclass(frozen=True)
class _Bound:
    """One way a name got its value; ``kind`` is ref/value/annotation/self/unknown."""

    kind: str
    payload: object = None
    scope: Optional["Scope"] = None


_UNKNOWN = _Bound("unknown")


# -- scopes --------------------------------------------------------------------------

CALL, TASK, THREAD, SPAWN = "call", "task", "thread", "spawn"


class Edge(NamedTuple):
    """A call made in a function: ``f()`` (kind "name") or ``self.m()`` (kind "self").

    ``how`` says where the callee runs: in place (CALL), as an asyncio task of its own
    (TASK, ``create_task(f())``), in a worker thread whose result the caller gets back
    (THREAD, ``to_thread(f)``, ``submit(self.m)``, a call inside a lambda handed to
    ``run_in_executor``), or in a thread of its own (SPAWN, ``Thread(target=f)``).
    """

    how: str
    kind: str
    name: str
    call: int = 0  # id of the call node


class Scope:
    """A namespace: the module, a class body or a function body."""

    kind = "scope"

    def __init__(self, parent: Optional["Scope"]) -> None:
        self.parent = parent
        self.bindings: Dict[str, List[_Bound]] = {}

    @property
    def lookup_parent(self) -> Optional["Scope"]:
        return self.parent

    def bind(self, name: str, bound: _Bound) -> None:
        self.bindings.setdefault(name, []).append(bound)

    @property
    def module(self) -> "ModuleScope":
        scope: Scope = self
        while scope.parent is not None:
            scope = scope.parent
        return scope  # type: ignore[return-value]

    @property
    def function(self) -> Optional["FunctionScope"]:
        """The innermost function this scope is (or is in)."""
        scope: Optional[Scope] = self
        while scope is not None and not isinstance(scope, FunctionScope):
            scope = scope.parent
        return scope


class ModuleScope(Scope):
    kind = "module"

    def __init__(self, filename: str) -> None:
        super().__init__(None)
        self.filename = filename
        self.functions: List[FunctionScope] = []
        self.same_qualname: Dict[str, List[FunctionScope]] = {}  # qualname -> its functions, in order
        self.classes: List[ClassScope] = []
        self.defs: Dict[str, List[FunctionScope]] = {}  # top-level functions by name
        self.class_defs: Dict[str, List[ClassScope]] = {}
        self.registrations: List[Tuple[cst.Call, Scope]] = []
        self.sites: List["CallSite"] = []
        self.handed: Dict[int, cst.Call] = {}  # id of a call a hand-off makes (CallSite.handed_by) -> the hand-off
        self.called_values: Dict[int, str] = {}  # id of ``method(url)`` -> the library call ``method`` is
        self.offloaded_calls: Set[int] = set()  # ids of calls that run in a worker thread
        # id of a call in a lambda passed by position to a call of a plain name, and no hand-off of the
        # catalogue -> (that call, the lambda's index): ``execute(lambda: fetch(url))`` runs ``fetch``
        # where ``execute`` runs its parameter (reach.handed_by_callee)
        self.lambda_calls: Dict[int, Tuple[cst.Call, int]] = {}
        # names of the functions handed to ``fut.add_done_callback(f)``: they get a finished future
        self.done_callbacks: Set[str] = set()
        self.imported_packages: Set[str] = set()  # top-level packages imported so far (in source order)
        # `f()` / `self.m()` calls no rule named: the engine keeps those of functions that
        # return a value a rule cares about (`s = _create_session()`).
        self.local_calls: List["CallSite"] = []
        self.walked = False  # the walk has ended (ScopeCloser)
        self.callers: Optional[Dict[str, List["CallSite"]]] = None  # name -> its local calls (names.py)
        self.param_kinds: Dict[Tuple[int, str], object] = {}  # (function id, parameter) -> its kind (names.py)
        # `worker.semaphore = Semaphore()` on a name that is not `self`, wherever it is written:
        # (name, attribute) -> (binding, scope of the assignment); names.module_attribute reads it.
        self.name_attrs: Dict[Tuple[str, str], List[Tuple[_Bound, Scope]]] = {}
        # The project's answers on names of its other modules (names.Outside), once the engine
        # has the project (after the walk): None in the walk, for a file alone, or stdin.
        self.outside: Optional[Outside] = None


class ClassScope(Scope):
    kind = "class"

    def __init__(self, node: cst.ClassDef, parent: Scope, qualname: str) -> None:
        super().__init__(parent)
        self.node = node
        self.name = node.name.value
        self.qualname = qualname
        self.attrs: Dict[str, List[_Bound]] = {}  # self.x = ... in any method
        self.methods: Dict[str, List[FunctionScope]] = {}

    def local_bases(self) -> Iterator["ClassScope"]:
        """Base classes defined in the same module."""
        module = self.module
        for arg in self.node.bases:
            if isinstance(arg.value, cst.Name):
                yield from module.class_defs.get(arg.value.value, [])

    def method(self, name: str, _seen: Optional[set] = None) -> List["FunctionScope"]:
        found = self.methods.get(name)
        if found:
            return found
        seen = _seen or set()
        seen.add(id(self))
        for base in self.local_bases():
            if id(base) not in seen:
                found = base.method(name, seen)
                if found:
                    return found
        return []


class FunctionScope(Scope):
    kind = "function"

    @property
    def index_name(self) -> str:
        """How the project index names it: its qualname, and ``#n`` for the n-th later definition of
        that qualname (``project.index.ModuleReach._key``)."""
        return f"{self.qualname}#{self.nth}" if self.nth else self.qualname

    def __init__(
        self, node: cst.FunctionDef, parent: Scope, qualname: str, cls: Optional[ClassScope]
    ) -> None:
        super().__init__(parent)
        self.node = node
        self.name = node.name.value
        self.qualname = qualname
        # how many functions of the module before it have its qualname (a method defined twice in
        # a class body: the second replaces the first), so the project index tells them apart
        self.nth = 0
        self.cls = cls  # set when this is a method defined directly in a class body
        self.is_async = node.asynchronous is not None
        self.nested: Dict[str, List[FunctionScope]] = {}
        self.edges: List[Edge] = []  # the calls it makes, for reach
        self.returns: List[Optional[cst.BaseExpression]] = []  # what its `return`s give (None: bare return)
        self.is_generator = False  # has a `yield`: calling it does not run its returns
        self.yields: List[cst.BaseExpression] = []  # what its `yield`s give (a context manager's value)
        self.iterated: List[cst.BaseExpression] = []  # what it iterates in place (`for`, `list()`, `yield from`)
        self.param_names: List[str] = [p.name.value for p in _all_params(node.params)]
        # A parameter a caller must give (no default, not `*args`) -> its place among the arguments
        # a caller writes (None: keyword-only); see names.caller_arguments
        self.param_places: Dict[str, Optional[int]] = {}
        # Every parameter a caller may give (not ``self``/``cls``, not ``*args``/``**kwargs``) -> its
        # place as above, and its default (None: it has none)
        self.param_slots: Dict[str, Tuple[Optional[int], Optional[cst.BaseExpression]]] = {}

    def iterated_calls(self) -> Set[int]:
        """Ids of the calls whose result this function iterates where it makes it, itself or through
        the name it binds it to: a generator such a call makes runs its body here."""
        found: Set[int] = set()
        pending = list(self.iterated)
        while pending:
            expr = pending.pop()
            if isinstance(expr, cst.Call):
                found.add(id(expr))
                if last_name(expr.func) in LAZY_ITERATORS:
                    pending.extend(arg.value for arg in expr.args)
            elif isinstance(expr, cst.Name):
                for bound in self.bindings.get(expr.value, ()):
                    if bound.kind == "value" and isinstance(bound.payload, cst.Call):
                        found.add(id(bound.payload))
        return found

    @property
    def lookup_parent(self) -> Optional[Scope]:
        # Class bodies are not visible from the methods inside them.
        scope = self.parent
        while isinstance(scope, ClassScope):
            scope = scope.parent
        return scope


def dotted_decorators(function: FunctionScope) -> List[str]:
    """Each decorator's callee as written (``sync_to_async`` for ``@sync_to_async(...)``)."""
    found = []
    for decorator in function.node.decorators:
        expr = decorator.decorator
        if isinstance(expr, cst.Call):
            expr = expr.func
        found.append(dotted_name(expr) or "")
    return found


def dependency_named(default: Optional[cst.BaseExpression]) -> Optional[cst.BaseExpression]:
    """What a parameter's ``Depends(get_client)`` (or ``Security(...)``) default names: the framework
    passes what calling it gives (FastAPI, FastMCP). None for any other default. (The index reads it
    in ``ast``: ``summary._dependency``.)"""
    if not isinstance(default, cst.Call) or last_name(default.func) not in DEPENDENCY_CALLS:
        return None
    named = next((a.value for a in default.args if a.keyword is None or a.keyword.value == "dependency"), None)
    return named if isinstance(named, (cst.Name, cst.Attribute)) else None


def _all_params(params: cst.Parameters) -> Iterator[cst.Param]:
    yield from params.posonly_params
    yield from params.params
    if isinstance(params.star_arg, cst.Param):
        yield params.star_arg
    yield from params.kwonly_params
    if params.star_kwarg is not None:
        yield params.star_kwarg


# -- blocks: where in the function a node stands ---------------------------------------

@dataclass(frozen=True)
class Block:
    """One enclosing compound statement; a persistent linked list up to the function."""

    kind: str  # try, except, try-else, finally, with, loop, if, function
    node: cst.CSTNode
    parent: Optional["Block"]

    def chain(self) -> Iterator["Block"]:
        """This block and its ancestors up to (not past) the enclosing function."""
        block: Optional[Block] = self
        while block is not None and block.kind != "function":
            yield block
            block = block.parent


def caught_types(handler: "cst.ExceptHandler | cst.ExceptStarHandler") -> List[cst.BaseExpression]:
    """The classes an ``except`` clause names (``except (A, b.B):`` gives both); none for a bare one."""
    kind = handler.type
    if kind is None:
        return []
    return [element.value for element in kind.elements] if isinstance(kind, cst.Tuple) else [kind]


def in_finally(block: Optional[Block]) -> bool:
    return block is not None and any(b.kind == "finally" for b in block.chain())


def receiver_name(call: cst.Call) -> Optional[str]:
    """The dotted name a method is called on (``self.proc`` for ``self.proc.wait()``), else None."""
    func = call.func
    return dotted_name(func.value) if isinstance(func, cst.Attribute) else None


def tests_around(site: "CallSite", kinds: Tuple[str, ...]) -> Iterator[Tuple[Block, cst.BaseExpression]]:
    """The tests of the ``if`` (and ``while``, kind "loop") statements around the call, innermost first."""
    for block in site.block.chain() if site.block is not None else ():
        test = getattr(block.node, "test", None) if block.kind in kinds else None
        if test is not None:
            yield block, test


def _asked(expr: cst.BaseExpression, receiver: str) -> str:
    """The method ``expr`` asks ``receiver`` with no argument (``q.empty()`` -> "empty"), else ''."""
    if isinstance(expr, cst.Call) and not expr.args and receiver_name(expr) == receiver:
        return expr.func.attr.value  # type: ignore[attr-defined]  # (receiver_name: an attribute)
    return ""


def in_body(block: Block, node: cst.CSTNode) -> bool:
    """``node`` is in the body of the ``if``/``while`` ``block`` (where its test holds), not its ``else``."""
    body = getattr(block.node, "body", None)
    return body is not None and any(inner is node for inner in iter_nodes(body))


def finished_future(site: "CallSite") -> bool:
    """``if fut.done(): fut.result()``: the receiver is known to be finished, nothing waits. So is
    a parameter of a function the module hands to ``add_done_callback()``: the future it is called
    with has finished (``def _on_done(fut): fut.exception()``)."""
    receiver = receiver_name(site.node)
    if receiver is None:
        return False
    function = site.function
    if function is not None and receiver in function.param_names and function.name in site.scope.module.done_callbacks:
        return True
    return any(_asked(test, receiver) == "done" for _, test in tests_around(site, ("if",)))


def checked_not_empty(site: "CallSite") -> bool:
    """``while not q.empty(): q.get()``, ``if q.qsize(): q.get()``: the get() runs in the body of a test
    that saw its receiver (same dotted text) holding an item, so it takes one at once (one consumer)."""
    receiver = receiver_name(site.node)
    if receiver is None or site.node.func.attr.value != "get":  # type: ignore[attr-defined]
        return False
    for block, test in tests_around(site, ("if", "loop")):
        if _says_not_empty(test, receiver):
            return in_body(block, site.node)
    return False


def _says_not_empty(test: cst.BaseExpression, receiver: str) -> bool:
    """``not q.empty()``, ``q.qsize()``, ``q.qsize() > 0`` on ``receiver``."""
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        return _asked(test.expression, receiver) == "empty"
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        target = test.comparisons[0]
        if isinstance(target.operator, (cst.GreaterThan, cst.NotEqual)) and isinstance(target.comparator, cst.Integer):
            return target.comparator.value == "0" and _asked(test.left, receiver) == "qsize"
        return False
    return _asked(test, receiver) == "qsize"


def stopped_before(
    site: "CallSite", module: cst.Module, receiver: Optional[str] = None, stops: Optional[FrozenSet[str]] = None
) -> bool:
    """``p.terminate(); p.join()``, ``p.communicate(); p.wait()``: a ``kill()``/``terminate()`` (before a
    ``wait()`` also a ``communicate()``, ``ENDS_BEFORE_WAIT``) of the wait's receiver (same dotted text)
    written earlier in the same function (or module-level code): the wait only reaps what ended. HB204
    (``Popen.wait()``, and with ``receiver`` and ``stops`` of its own a read of the process's pipe),
    HB205 (``Process.join()``) and HB601 share it."""
    receiver = receiver or receiver_name(site.node)
    if receiver is None:
        return False
    if stops is None:
        stops = ENDS_BEFORE_WAIT if site.node.func.attr.value == "wait" else STOPS  # type: ignore[attr-defined]
    function = site.function
    root: cst.CSTNode = function.node.body if function is not None else module
    signalled = False
    stopped_in: List[Tuple[Tuple[int, int], ...]] = []  # the blocks left early around each stop seen
    for node, left, around in _nodes_in_blocks_left(root):
        if node is site.node:
            # a stop in a block the code leaves (`_terminate_group(p); return`) is not before a wait
            # after it; one left by `break` is before a wait after the loop
            inside = set(around)
            if any(all(block in inside or (loop and loop not in inside) for block, loop in blocks)
                   for blocks in stopped_in):
                return True
            return signalled and _signalled_just_before(root, site.node)
        if calls_method_on(node, receiver, stops) or (
            # `_terminate_process_tree(proc)`: a helper of the module that kills what it is given
            isinstance(node, cst.Call) and _stops_its_argument(node, receiver, site.scope.module, stops)
        ):
            stopped_in.append(left)
        signalled = signalled or ("kill" in stops and isinstance(node, cst.Call) and _sends_a_stop_signal(node))
    return False


_LEAVING = (cst.Return, cst.Raise)  # the function; a `break` leaves the loop only, a `continue` nothing


def _nodes_in_blocks_left(
    root: cst.CSTNode,
) -> Iterator[Tuple[cst.CSTNode, Tuple[Tuple[int, int], ...], Tuple[int, ...]]]:
    """The nodes of ``root`` in source order (nested functions and classes not entered), each with
    the blocks around it that end by leaving, as (block, loop): a ``return`` or ``raise`` (loop 0),
    whose work is done before nothing after the block, or a ``break`` out of ``loop``, whose work is
    done before what follows the loop only; and the ids of the blocks and loops around it."""
    stack: List[Tuple[cst.CSTNode, Tuple[Tuple[int, int], ...], Tuple[int, ...], int]] = [(root, (), (), 0)]
    while stack:
        node, left, around, loop = stack.pop()
        yield node, left, around
        if node is not root and isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            continue
        if isinstance(node, (cst.For, cst.While)):
            loop, around = id(node), around + (id(node),)
        if isinstance(node, cst.IndentedBlock):
            around = around + (id(node),)
            last = node.body[-1] if node.body else None
            ends = last.body[-1] if isinstance(last, cst.SimpleStatementLine) and last.body else None
            if isinstance(ends, _LEAVING) or (isinstance(ends, cst.Break) and loop):
                left = left + ((id(node), 0 if isinstance(ends, _LEAVING) else loop),)
        stack.extend((child, left, around, loop) for child in reversed(children(node)))


def _sends_a_stop_signal(call: cst.CSTNode) -> bool:
    """``call`` passes ``signal.SIGKILL`` or ``signal.SIGTERM`` (``STOP_SIGNALS``): it sends the
    process what ``kill()``/``terminate()`` would, through ``os.kill``/``os.killpg`` or a helper."""
    return isinstance(call, cst.Call) and any(
        (dotted_name(arg.value) or "").rsplit(".", 1)[-1] in STOP_SIGNALS for arg in call.args
    )


def _signalled_just_before(root: cst.CSTNode, wait: cst.Call) -> bool:
    """A statement before the one holding ``wait``, in the same block, sends a stop signal
    (``self._signal_process_group(job, signal.SIGKILL)``, then ``await proc.wait()``): the process
    it stops is the one waited for. One sent in another block may stop another process."""
    nested = (cst.FunctionDef, cst.ClassDef, cst.Lambda)
    found = False
    for suite in iter_nodes(root, prune=nested):  # outer blocks first: the last one holding it is its own
        body = getattr(suite, "body", None)
        if not isinstance(suite, (cst.IndentedBlock, cst.Module)) or not isinstance(body, (list, tuple)):
            continue
        for index, statement in enumerate(body):
            if any(node is wait for node in iter_nodes(statement, prune=nested)):
                found = any(_sends_a_stop_signal(node) for earlier in body[:index]
                            if isinstance(earlier, cst.SimpleStatementLine) for node in iter_nodes(earlier))
                break
    return found


def calls_method_on(node: cst.CSTNode, receiver: str, methods: FrozenSet[str]) -> bool:
    """``node`` is a call of one of ``methods`` on ``receiver`` (same dotted text): ``p.kill()``."""
    return (
        isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute)
        and node.func.attr.value in methods and dotted_name(node.func.value) == receiver
    )


def positional_names(function: cst.FunctionDef) -> List[str]:
    """The names of the parameters a call's positional arguments fill, in order."""
    return [param.name.value for param in (*function.params.posonly_params, *function.params.params)]


def _stops_its_argument(call: cst.Call, receiver: str, module: "ModuleScope", stops: FrozenSet[str]) -> bool:
    """``call`` passes ``receiver`` as a positional argument to a top-level function of the module
    whose body stops that parameter (``proc.kill()``, ``proc.terminate()``)."""
    defs = module.defs.get(call.func.value, []) if isinstance(call.func, cst.Name) else []
    if len(defs) != 1:
        return False
    params = positional_names(defs[0].node)
    for index, arg in enumerate(call.args):
        if arg.keyword is not None or arg.star or index >= len(params) or dotted_name(arg.value) != receiver:
            continue
        name = params[index]
        if any(
            calls_method_on(node, name, stops)
            for node in iter_nodes(defs[0].node.body, prune=(cst.FunctionDef, cst.ClassDef, cst.Lambda))
        ):
            return True
    return False


@dataclass(frozen=True)
class CallSite:
    """A call as seen during the walk: where it stands and in which scope."""

    node: cst.Call
    scope: Scope
    block: Optional[Block]
    name: str  # the callee's last name, or the imported name an alias stands for
    # The hand-off that makes this call in a worker thread: ``node`` is then the call it makes, built
    # from its arguments (``subprocess.run(cmd)`` for ``to_thread(subprocess.run, cmd)``), and findings
    # are placed on the hand-off (see ``handed_call``).
    handed_by: Optional[cst.Call] = None

    @property
    def function(self) -> Optional[FunctionScope]:
        return self.scope.function


def receiver_home(function: Optional[FunctionScope], text: str) -> Optional[Tuple[int, str]]:
    """Where what is done to a receiver, written ``text``, is looked for: its function, or its
    class for ``self.x`` (set up in one method, used in another). None at module level."""
    if function is None:
        return None
    if text.startswith("self."):
        cls = function.parent
        return (id(cls), text) if isinstance(cls, ClassScope) else None
    return id(function), text


def handed_call(node: cst.Call, name: str) -> Optional[cst.Call]:
    """The call a hand-off makes in a worker thread with the arguments it is given
    (``catalog.HANDED_ARGUMENTS``): ``subprocess.run(cmd, shell=True)`` for
    ``asyncio.to_thread(subprocess.run, cmd, shell=True)``; None when the callable is not
    written in its place or is a lambda (its body's calls are seen where they are written)."""
    spec = HANDED_ARGUMENTS.get(name)
    if spec is None:
        return None
    position, keywords = spec
    args = node.args
    if len(args) <= position or any(arg.keyword is not None or arg.star for arg in args[:position + 1]):
        return None
    func = args[position].value
    if not isinstance(func, (cst.Name, cst.Attribute)):
        return None
    passed = [arg for arg in args[position + 1:] if keywords or (arg.keyword is None and arg.star != "**")]
    return cst.Call(func=func, args=passed)


def passes_keywords(hand_off: cst.Call) -> bool:
    """Whether a hand-off (``catalog.HANDED_ARGUMENTS``) passes its keywords on to the call it makes
    (``to_thread``, ``submit``), unlike ``run_in_executor`` and anyio's ``run_sync``."""
    spec = HANDED_ARGUMENTS.get(last_name(hand_off.func) or "")
    return spec is not None and spec[1]


# -- the collector -------------------------------------------------------------------

_VISITOR_NAMES: Dict[type, Tuple[str, ...]] = {}


class Batchable(cst.BatchableCSTVisitor):
    """A batchable visitor whose visit_/leave_ names are found once per class.

    libcst inspects every member of the instance on each walk; this also admits
    methods bound under several names (``leave_Try = leave_With = _pop``).
    """

    def get_visitors(self) -> Mapping[str, Callable[[cst.CSTNode], None]]:
        cls = type(self)
        found = _VISITOR_NAMES.get(cls)
        if found is None:
            found = tuple(
                attr
                for attr in dir(cls)
                if attr.startswith(("visit_", "leave_"))
                and not getattr(getattr(cls, attr), "_is_no_op", False)
            )
            _VISITOR_NAMES[cls] = found
        return {attr: getattr(self, attr) for attr in found}


@dataclass
class WalkState:
    """What the walk knows at the current node; shared by the collector and the rules."""

    module: ModuleScope
    scope: Scope = field(init=False)
    block: Optional[Block] = None
    stack: List[Tuple[Scope, Optional[Block]]] = field(default_factory=list)
    call_names: frozenset = frozenset()  # last names some rule asked the engine to keep
    call_aliases: Dict[str, str] = field(default_factory=dict)  # local alias -> imported name
    runs: Dict[int, str] = field(default_factory=dict)  # call id -> how it runs, when not in place
    offloading: Set[int] = field(default_factory=set)  # ids of lambdas handed to another thread
    offloaded_lambdas: int = 0  # depth of offloaded lambdas around the current node
    # id of a lambda passed by position to a call of a plain name -> (that call, its index)
    passed_lambdas: Dict[int, Tuple[cst.Call, int]] = field(default_factory=dict)
    in_lambdas: List[Tuple[cst.Call, int]] = field(default_factory=list)  # the passed lambdas around the node

    def __post_init__(self) -> None:
        self.scope = self.module

    @property
    def function(self) -> Optional[FunctionScope]:
        return self.scope.function


def _site_keys(name: str, s: "WalkState") -> List[str]:
    """The names a call is kept under for the rules that asked: its own, and the imported name it is
    an alias of (``from requests import get as fetch``: ``fetch`` for GitPython's fetch, ``get`` for
    requests'), each once."""
    keys = [name] if name in s.call_names else []
    alias = s.call_aliases.get(name)
    if alias is not None and alias not in keys:
        keys.append(alias)
    return keys


class ScopeCollector(Batchable):
    """Opens scopes and blocks, records bindings, edges and call sites (runs first)."""

    def __init__(self, state: WalkState) -> None:
        super().__init__()
        self.s = state

    # scopes
    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        s = self.s
        qual = _qualname(s.scope, node.name.value)
        scope = ClassScope(node, s.scope, qual)
        s.module.classes.append(scope)
        if s.scope is s.module:
            s.module.class_defs.setdefault(scope.name, []).append(scope)
        s.scope.bind(node.name.value, _UNKNOWN)
        self._pending = scope

    def visit_ClassDef_body(self, node: cst.ClassDef) -> None:
        self._enter(self._pending, None)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        s = self.s
        owner = s.scope
        cls = owner if isinstance(owner, ClassScope) else None
        scope = FunctionScope(node, owner, _qualname(owner, node.name.value), cls)
        same = s.module.same_qualname.setdefault(scope.qualname, [])
        scope.nth = len(same)
        same.append(scope)
        s.module.functions.append(scope)
        if isinstance(owner, ModuleScope):
            owner.defs.setdefault(scope.name, []).append(scope)
        elif isinstance(owner, ClassScope):
            owner.methods.setdefault(scope.name, []).append(scope)
        elif isinstance(owner, FunctionScope):
            owner.nested.setdefault(scope.name, []).append(scope)
        if not isinstance(owner, ClassScope):
            owner.bind(node.name.value, _Bound("def", scope))
        self._bind_params(scope, node, cls)
        self._pending_fn = scope

    def visit_FunctionDef_body(self, node: cst.FunctionDef) -> None:
        scope = self._pending_fn
        self._enter(scope, Block("function", node, None))

    def _enter(self, scope: Scope, block: Optional[Block]) -> None:
        self.s.stack.append((self.s.scope, self.s.block))
        self.s.scope = scope
        self.s.block = block

    def _bind_params(self, scope: FunctionScope, node: cst.FunctionDef, cls: Optional[ClassScope]) -> None:
        params = list(_all_params(node.params))
        positional = [*node.params.posonly_params, *node.params.params]
        decorators = {dotted_name(d.decorator) for d in node.decorators}
        first_is_self = (
            cls is not None
            and params
            and "staticmethod" not in decorators
            and (node.params.posonly_params or node.params.params)
        )
        for index, param in enumerate(params):
            name = param.name.value
            place = index - (1 if first_is_self else 0) if any(p is param for p in positional) else None
            if not (index == 0 and first_is_self) and not param.star:
                scope.param_slots[name] = (place, param.default)
                if param.default is None:
                    scope.param_places[name] = place
            if index == 0 and first_is_self:
                scope.bind(name, _Bound("self", cls))
            elif param.annotation is not None:
                scope.bind(name, _Bound("annotation", param.annotation.annotation, scope))
            elif (dependency := dependency_named(param.default)) is not None:
                # `s=Depends(get_session)`: what calling get_session gives
                scope.bind(name, _Bound("value", cst.Call(func=dependency), scope.parent))
            elif param.star or param.default is not None:
                scope.bind(name, _UNKNOWN)  # `*args`; a default: a caller may leave it out
            else:
                # what the module's calls of the function pass (names.param_from_callers)
                scope.bind(name, _Bound("param", (place, name), scope))

    # bindings
    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            full = dotted_name(alias.name) or ""
            self.s.module.imported_packages.add(full.split(".")[0])
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self.s.scope.bind(alias.asname.name.value, _Bound("ref", canonical(full)))
            else:
                top = full.split(".")[0]
                self.s.scope.bind(top, _Bound("ref", top))

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        base = dotted_name(node.module) if node.module is not None else ""
        if not node.relative and base:
            self.s.module.imported_packages.add(base.split(".")[0])
        if isinstance(node.names, cst.ImportStar):
            return
        base = "." * len(node.relative) + (base or "")
        for alias in node.names:
            name = dotted_name(alias.name) or ""
            local = name
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                local = alias.asname.name.value
            full = f"{base}.{name}" if not base.endswith(".") else f"{base}{name}"
            self.s.scope.bind(local, _Bound("ref", canonical(full)))
            if local != name and name in self.s.call_names:
                self.s.call_aliases[local] = name  # `from requests import get as fetch`

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._bind_target(target.target, node.value)
        owner = self.s.scope
        if isinstance(owner, ClassScope) and isinstance(node.value, cst.Name) and node.value.value in owner.methods:
            # `get = _handle` in a class body: the same function, under another name
            for target in node.targets:
                if isinstance(target.target, cst.Name):
                    owner.methods.setdefault(target.target.value, []).extend(owner.methods[node.value.value])

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        written = node.annotation.annotation
        if _kindless(written, self.s.scope):  # `method: Callable`: the value (if any) says what it is
            if node.value is not None:
                self._bind_target(node.target, node.value)
            return
        # The declared type says what the value is, whatever expression produced it.
        self._bind_target(node.target, None, _Bound("annotation", written, self.s.scope))

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        if isinstance(node.target, cst.Name):
            self.s.scope.bind(node.target.value, _UNKNOWN)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._bind_target(node.target, node.value)

    def visit_For(self, node: cst.For) -> None:
        self._iterate(node.iter)
        written = node.iter.elements if isinstance(node.iter, (cst.Tuple, cst.List, cst.Set)) else None
        if isinstance(node.target, cst.Name) and written and not any(
                isinstance(element, cst.StarredElement) for element in written):
            # `for t in (self.feeder, self.player):` is each of them in turn: what they all are
            for element in written:
                self._bind_target(node.target, element.value)
        else:
            self._bind_target(node.target, None)
        self._push("loop", node)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self._bind_target(node.asname.name, node.item)

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.name is not None:
            self._bind_target(node.name.name, None)
        self._push("except", node)

    def visit_Global(self, node: cst.Global) -> None:
        for item in node.names:
            self.s.scope.bindings[item.name.value] = [_Bound("global")]

    def visit_Return(self, node: cst.Return) -> None:
        if isinstance(self.s.scope, FunctionScope):
            self.s.scope.returns.append(node.value)

    def visit_Yield(self, node: cst.Yield) -> None:
        if isinstance(self.s.scope, FunctionScope):
            self.s.scope.is_generator = True
            if isinstance(node.value, cst.From):
                self._iterate(node.value.item)
            elif node.value is not None:
                self.s.scope.yields.append(node.value)

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self._iterate(node.iter)

    def _iterate(self, expr: cst.BaseExpression) -> None:
        if isinstance(self.s.scope, FunctionScope):
            self.s.scope.iterated.append(expr.value if isinstance(expr, cst.StarredElement) else expr)

    def _bind_target(
        self, target: cst.BaseExpression, value: Optional[cst.BaseExpression], bound: Optional[_Bound] = None
    ) -> None:
        scope = self.s.scope
        if (
            isinstance(value, cst.BooleanOperation)
            and isinstance(value.operator, cst.Or)
            and (
                _same_target(value.left, target)
                or (_own_default(value.right, scope) and _parameter_of(value.left, scope))
            )
        ):
            # `self.http = self.http or PoolManager()`: built lazily, once; `session or requests.Session()`
            # (`service or certificate`, a module): the caller's, else the code's own, of the same kind
            # as far as the code says
            value = value.right
        elif isinstance(value, cst.IfExp):
            # `provider if provider is not None else Provider()`: read as `provider or Provider()` when
            # nothing declares the parameter's class (the summaries' `_unknown_override`)
            built = [side for side in (value.body, value.orelse) if isinstance(side, cst.Call)]
            given = [side for side in (value.body, value.orelse) if _parameter_of(side, scope, undeclared=True)]
            if len(built) == 1 and len(given) == 1:
                value = built[0]
        if bound is None:
            bound = _Bound("value", value, scope) if value is not None else _UNKNOWN
        if isinstance(target, cst.Name):
            called = last_name(value) if isinstance(value, (cst.Name, cst.Attribute)) else None
            if called is not None and called in self.s.call_names and called != target.value:
                self.s.call_aliases.setdefault(target.value, called)  # `requestor = requests.post`
            bounds = scope.bindings.get(target.value)
            if bounds and bounds[0].kind == "global":
                scope.module.bind(target.value, bound)
            else:
                scope.bind(target.value, bound)
        elif isinstance(target, (cst.Tuple, cst.List)):
            values = _paired_values(target, value)
            for index, element in enumerate(target.elements):
                inner = element.value
                if isinstance(inner, cst.StarredElement):
                    inner = inner.value
                self._bind_target(inner, values[index] if values is not None else None)
        elif isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name):
            owner = lookup_any(scope, target.value.value)
            if isinstance(owner, SelfOf):
                owner.cls_scope.attrs.setdefault(target.attr.value, []).append(bound)
            else:
                key = (target.value.value, target.attr.value)
                scope.module.name_attrs.setdefault(key, []).append((bound, scope))

    # calls
    def visit_Call(self, node: cst.Call) -> None:
        s = self.s
        func = node.func
        name = None
        how = s.runs.pop(id(node), THREAD if s.offloaded_lambdas else CALL)
        if how == THREAD:
            s.module.offloaded_calls.add(id(node))
        elif s.in_lambdas:
            s.module.lambda_calls[id(node)] = s.in_lambdas[-1]
        if isinstance(func, cst.Name):
            name = func.value
            self._edge(how, "name", name, node)
            if name not in THREAD_HANDOFFS and name not in THREAD_STARTS:
                for index, value in enumerate(_positional_values(node)):
                    if isinstance(value, cst.Lambda):
                        s.passed_lambdas[id(value)] = (node, index)
        elif isinstance(func, cst.Attribute):
            name = func.attr.value
            if self._is_self(func.value):
                self._edge(how, "self", name, node)
        elif applies_a_server_decorator(func) or applies_a_route_decorator(func):  # `mcp.tool()(tags.list_tags)`
            s.module.registrations.append((node, s.scope))
        if name is None:
            return
        if name in ITERATING_CALLS:
            for arg in node.args:
                if arg.keyword is None:
                    self._iterate(arg.value)
        if name in THREAD_HANDOFFS or name == "map" and isinstance(func, cst.Attribute):
            self._hand_off(node, THREAD)
            self._handed_site(node, name)
        elif name in THREAD_STARTS:
            self._hand_off(node, SPAWN)
        elif name == "add_done_callback":
            for value in _positional_values(node)[:1]:
                callback = value.attr if isinstance(value, cst.Attribute) else value
                if isinstance(callback, cst.Name):
                    s.module.done_callbacks.add(callback.value)
        elif name == OTHER_LOOP_SPAWN and isinstance(s.scope, FunctionScope) and s.scope.is_async:
            self._send_to_other_loop(node)
        elif name in TASK_SPAWNS:
            for value in _positional_values(node):
                if isinstance(value, cst.Call):
                    s.runs[id(value)] = TASK  # create_task(worker()): the call starts a task
        if records_registration(name) or registers_directly(node):
            s.module.registrations.append((node, s.scope))
        keys = _site_keys(name, s)
        for key in keys:
            s.module.sites.append(CallSite(node, s.scope, s.block, key))
        if not keys and (isinstance(func, cst.Name) or isinstance(func, cst.Attribute) and (
            # `self.pool()`, or `HTTPClient._create_session()` on a class of the module seen so far
            self._is_self(func.value) or isinstance(func.value, cst.Name) and func.value.value in s.module.class_defs
        )):
            s.module.local_calls.append(CallSite(node, s.scope, s.block, name))

    def _send_to_other_loop(self, node: cst.Call) -> None:
        """``run_coroutine_threadsafe(coro, self.loop)`` from a coroutine: the coroutine runs on the
        loop of another thread (its caller may wait for the result), not on this one."""
        values = _positional_values(node)
        first = values[0] if values else None
        scope = self.s.scope
        if isinstance(first, cst.Call):
            self.s.runs[id(first)] = THREAD
        elif isinstance(first, cst.Name) and isinstance(scope, FunctionScope):
            made = {id(b.payload) for b in scope.bindings.get(first.value, ()) if b.kind == "value"}
            scope.edges[:] = [e._replace(how=THREAD) if e.call in made and e.how == CALL else e for e in scope.edges]

    def _handed_site(self, node: cst.Call, name: str) -> None:
        """The call a hand-off makes (``handed_call``), as a site of the rules that watch its name."""
        handed = handed_call(node, name)
        if handed is None:
            return
        s = self.s
        for key in _site_keys(last_name(handed.func) or "", s):
            s.module.sites.append(CallSite(handed, s.scope, s.block, key, handed_by=node))
            s.module.handed[id(handed)] = node

    def _hand_off(self, node: cst.Call, how: str) -> None:
        """``to_thread(f)``, ``Thread(target=self.run)``, ``pool.map(f, xs)``: f runs in a thread."""
        for arg in node.args:
            value = arg.value
            if isinstance(value, cst.Call) and isinstance(value.func, (cst.Name, cst.Attribute)):
                if (dotted_name(value.func) or "").rsplit(".", 1)[-1] == "partial" and value.args:
                    value = value.args[0].value  # to_thread(partial(f, x))
            if isinstance(value, cst.Lambda):
                self.s.offloading.add(id(value))
            elif isinstance(value, cst.Name):
                self._edge(how, "name", value.value)
            elif isinstance(value, cst.Attribute) and self._is_self(value.value):
                self._edge(how, "self", value.attr.value)

    def _is_self(self, expr: cst.BaseExpression) -> bool:
        fn = self.s.scope
        return (
            isinstance(fn, FunctionScope)
            and isinstance(expr, cst.Name)
            and isinstance(lookup_any(fn, expr.value), SelfOf)
        )

    def _edge(self, how: str, kind: str, name: str, call: Optional[cst.Call] = None) -> None:
        if isinstance(self.s.scope, FunctionScope):
            self.s.scope.edges.append(Edge(how, kind, name, id(call) if call is not None else 0))

    def visit_Lambda(self, node: cst.Lambda) -> None:
        if self.s.offloaded_lambdas or id(node) in self.s.offloading:
            self.s.offloaded_lambdas += 1
        passed = self.s.passed_lambdas.get(id(node))
        if passed is not None:
            self.s.in_lambdas.append(passed)

    # blocks
    def visit_Try(self, node: cst.Try) -> None:
        self._push("try", node)

    def visit_TryStar(self, node: cst.TryStar) -> None:
        self._push("try", node)

    def visit_Try_orelse(self, node: cst.Try) -> None:
        if node.orelse is not None:
            self._push("try-else", node.orelse)

    def visit_Finally(self, node: cst.Finally) -> None:
        self._push("finally", node)

    def visit_With(self, node: cst.With) -> None:
        self._push("with", node)

    def visit_While(self, node: cst.While) -> None:
        self._push("loop", node)

    def visit_If(self, node: cst.If) -> None:
        self._push("if", node)

    def _push(self, kind: str, node: cst.CSTNode) -> None:
        self.s.block = Block(kind, node, self.s.block)


class ScopeCloser(Batchable):
    """Closes what the collector opened; runs last so rules' leave_* still see it."""

    def __init__(self, state: WalkState) -> None:
        super().__init__()
        self.s = state

    def leave_Module(self, original_node: cst.Module) -> None:
        self.s.module.walked = True  # every call of the module is recorded: callers can be asked

    def _leave_scope(self, node: cst.CSTNode) -> None:
        self.s.scope, self.s.block = self.s.stack.pop()

    leave_FunctionDef_body = _leave_scope
    leave_ClassDef_body = _leave_scope

    # Named like libcst's leave_* parameter so it can stand in for each of them below.
    def _pop(self, original_node: cst.CSTNode) -> None:
        block = self.s.block
        if block is not None and block.kind != "function":
            self.s.block = block.parent

    leave_Try = leave_TryStar = leave_Finally = leave_With = leave_While = leave_If = _pop
    leave_For = leave_ExceptHandler = _pop

    def leave_Try_orelse(self, node: cst.Try) -> None:
        if node.orelse is not None:
            self._pop(node)

    def leave_Lambda(self, node: cst.Lambda) -> None:
        if self.s.offloaded_lambdas:
            self.s.offloaded_lambdas -= 1
        if self.s.passed_lambdas.pop(id(node), None) is not None:
            self.s.in_lambdas.pop()


def _positional_values(call: cst.Call) -> List[cst.BaseExpression]:
    return [arg.value for arg in call.args if arg.keyword is None and not arg.star]


def _qualname(owner: Scope, name: str) -> str:
    if isinstance(owner, (FunctionScope, ClassScope)):
        sep = "." if isinstance(owner, ClassScope) else ".<locals>."
        return f"{owner.qualname}{sep}{name}"
    return name


def _kindless(annotation: cst.BaseExpression, scope: "Scope", depth: int = 0) -> bool:
    """``Callable``, ``Callable[..., Response]``, ``Any`` (``catalog.KINDLESS_ANNOTATIONS``), also through
    a module-level alias (``ToolHandler = Callable[[dict], dict]``), and a container of them
    (``Dict[str, ToolHandler]``: what is put there says what it holds; not ``Union[Toolkit, Callable]``)."""
    if depth >= 4:
        return False
    written = annotation.value if isinstance(annotation, cst.Subscript) else annotation
    found = resolve(written, scope)
    named = found.dotted if isinstance(found, Ref) else ""
    last = annotation.slice[-1].slice if isinstance(annotation, cst.Subscript) and annotation.slice else None
    if isinstance(last, cst.Index) and named not in TYPE_COMBINATORS and _kindless(last.value, scope, depth + 1):
        return True
    alias, where = assigned_value(written, scope)
    if alias is not written and isinstance(alias, cst.Subscript) and where.kind == "module":
        return _kindless(alias, where, depth + 1)
    return named in KINDLESS_ANNOTATIONS


def _same_target(value: cst.BaseExpression, target: cst.BaseExpression) -> bool:
    name = dotted_name(value)
    return name is not None and name == dotted_name(target)


def _own_default(value: cst.BaseExpression, scope: "Scope") -> bool:
    """What the code falls back to after a parameter (``session or requests.Session()``): a call, or a
    name only imports or defs bind (``service or cert_mod`` after ``from . import certificate as
    cert_mod``; ``(fetcher or _default_fetch)(url)``), or an attribute of such a name (``opener or
    urllib.request.urlopen``)."""
    if isinstance(value, cst.Call):
        return True
    while isinstance(value, cst.Attribute):
        value = value.value
    if not isinstance(value, cst.Name):
        return False
    current: Optional[Scope] = scope
    while current is not None:
        bounds = current.bindings.get(value.value)
        if bounds is not None:
            return all(bound.kind in ("ref", "def") for bound in bounds)
        current = current.lookup_parent
    return False


def _parameter_of(value: cst.BaseExpression, scope: "Scope", undeclared: bool = False) -> bool:
    """``value`` is a parameter of the function being walked (``session`` in ``session or Session()``);
    with ``undeclared``, one whose annotation names no class (none, ``object``, ``Any``, or ``None``
    beside one of those)."""
    if not (isinstance(value, cst.Name) and isinstance(scope, FunctionScope) and value.value in scope.param_names):
        return False
    if not undeclared:
        return True
    for param in _all_params(scope.node.params):
        if param.name.value == value.value:
            return param.annotation is None or _names_no_class(param.annotation.annotation, scope)
    return False


def _names_no_class(annotation: cst.BaseExpression, scope: "Scope") -> bool:
    """An annotation that declares no kind: ``object``, what ``_kindless`` says (``Any``, ``Callable``),
    and ``None`` beside them (``object | None``, ``Optional[Any]``)."""
    if isinstance(annotation, cst.BinaryOperation) and isinstance(annotation.operator, cst.BitOr):
        return all(_names_no_class(side, scope) for side in (annotation.left, annotation.right))
    if isinstance(annotation, cst.Subscript) and last_name(annotation.value) == "Optional" and annotation.slice:
        inner = annotation.slice[0].slice
        return isinstance(inner, cst.Index) and _names_no_class(inner.value, scope)
    return last_name(annotation) in ("object", "None") or _kindless(annotation, scope)


def _paired_values(
    target: cst.BaseExpression, value: Optional[cst.BaseExpression]
) -> Optional[List[cst.BaseExpression]]:
    """The items of ``value`` for the names of ``target`` when both are displays of one length with no
    starred item (``old, self._client = self._client, None``); None otherwise."""
    if not isinstance(target, (cst.Tuple, cst.List)) or not isinstance(value, (cst.Tuple, cst.List)):
        return None
    if len(target.elements) != len(value.elements):
        return None
    items = [element.value for element in value.elements]
    if any(isinstance(e, cst.StarredElement) for e in (*target.elements, *value.elements)):
        return None
    return items


def applies_a_server_decorator(func: cst.BaseExpression) -> bool:
    """``func`` is ``mcp.tool()`` or ``sio.on("message")``: the call it makes applies that decorator."""
    return (isinstance(func, cst.Call) and isinstance(func.func, cst.Attribute)
            and func.func.attr.value in EVENT_DECORATORS)


def applies_a_route_decorator(func: cst.BaseExpression) -> bool:
    """``func`` is ``app.get("/ping")``: the call it makes registers a route (``declares_a_route``)."""
    if not isinstance(func, cst.Call):
        return False
    first = func.args[0] if func.args and func.args[0].keyword is None and not func.args[0].star else None
    path = first.value.evaluated_value if first is not None and isinstance(first.value, cst.SimpleString) else None
    return declares_a_route(
        dotted_name(func.func) or "", path if isinstance(path, str) else None,
        (a.keyword.value for a in func.args if a.keyword is not None),
    )


def registers_directly(call: cst.Call) -> bool:
    """``mcp.tool(handle)``: a server's decorator given the function itself (``MCP_DIRECT_REGISTRARS``),
    named by its first positional argument."""
    func, first = call.func, call.args[0] if call.args else None
    return (isinstance(func, cst.Attribute) and func.attr.value in MCP_DIRECT_REGISTRARS and first is not None
            and first.keyword is None and not first.star and isinstance(first.value, (cst.Name, cst.Attribute)))
