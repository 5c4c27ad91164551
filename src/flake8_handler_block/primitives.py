"""Module facts about synchronisation primitives, shared by the HB3xx and HB4xx rules.

One collector gathers raw events during the engine's single batched walk (it is
driven by whichever primitive rule the engine built first), and ``Facts`` judges
them once, after the walk, so a consumer defined below its producer still counts:

* every queue created in the module (module global, local, ``self.x = ...``), its
  kind, whether it is bounded, and whether the module consumes it (``get``,
  ``get_nowait``, iteration), calls ``task_done()`` on it, or lets it escape
  (passed to any call other than its own methods, returned, yielded, aliased,
  stored elsewhere, or its bound methods handed out);
* WaitGroup-like receivers: instances of a class whose name ends in ``WaitGroup``
  (or listed in ``wait-group-classes``), or names on which ``add``, ``done`` and
  ``wait`` are all called in the module;
* lock and semaphore receivers known from their constructor;
* where each call of interest stands: its enclosing blocks (``finally``,
  ``except``), the statements leading to it, and whether it is in a lambda.

A variable is identified by where it is bound (the scope holding the name, or the
class whose methods assign ``self.x``), its kind by ``names.resolve``; a receiver of
unknown kind is never reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Callable, Dict, Iterator, List, Optional, Sequence, Set, Tuple, Union

import libcst as cst

from . import names
from .calls import keyword, positional
from .catalog import LOCK_KINDS, NOT_WAIT_GROUP_MODULES, QUEUE_KINDS, UNBOUNDED_QUEUE_KINDS
from .config import Config
from .facts import Facts, Provider
from .names import SelfOf, lookup_any
from .raising import is_logging_call, raises_here
from .scopes import Batchable, Block, ClassScope, FunctionScope, ModuleScope, Scope, WalkState, caught_types
from .walk import children

# The text a module holding a WaitGroup-like receiver (above) must contain, for the gate of the
# rules about them (HB401, HB404): a class named ...WaitGroup, Go-style ``Done()``, or ``done(``
# with ``add(`` and ``wait(`` (a name all three are called on).
WAIT_GROUP_GATE = ("WaitGroup", "Done(")
WAIT_GROUP_GATE_PAIRS = ((("done(",), ("add(", "wait(")),)

QUEUE_CTORS = frozenset(kind.rsplit(".", 1)[1] for kind in QUEUE_KINDS)
METHODS = frozenset(
    {
        "put", "put_nowait", "get", "get_nowait", "task_done", "join",
        "add", "done", "wait", "Add", "Done", "Wait", "acquire", "release",
    }
)
SPAWNERS = frozenset(
    {"Thread", "Process", "Timer", "submit", "create_task", "ensure_future", "run_in_executor", "start_new_thread"}
)
_TIMEOUT_WRAPPERS = frozenset({"wait_for", "timeout", "timeout_at", "move_on_after", "fail_after"})
_EXIT_METHODS = frozenset({"__exit__", "__aexit__"})
_BROAD = frozenset({"Exception", "BaseException"})

Key = Tuple[object, str]  # (scope or class that holds the binding, name)


@dataclass
class Use:
    """A method call on some receiver: ``receiver.method(...)``."""

    receiver: cst.BaseExpression
    method: str
    call: cst.Call
    scope: Scope
    block: Optional[Block]
    stmts: Tuple[cst.CSTNode, ...]  # statements from the function body down to the call
    in_lambda: bool
    guarded: bool  # the call is wrapped in wait_for()/under `async with timeout()`
    # A call of a helper of the module that ends by calling the method (``acquire_worker_semaphore()``):
    # the helper's name, and the scope the receiver is read in.
    via: str = ""
    home: Optional[Scope] = None

    @property
    def function(self) -> Optional[FunctionScope]:
        return self.scope.function

    @property
    def receiver_scope(self) -> Scope:
        """Where ``receiver`` is written: the helper's body for a call through a helper."""
        return self.home or self.scope

    @property
    def text(self) -> str:
        return names.dotted_name(self.receiver) or ""


@dataclass
class Spawn:
    """A call that starts work: ``Thread(target=f)``, ``pool.submit(f)``, ``create_task(f())``."""

    call: cst.Call
    name: str
    scope: Scope


class Collector(Batchable):
    """Raw events of the walk; runs inside the engine's batched visit (after ScopeCollector)."""

    def __init__(self, state: WalkState, config: Config) -> None:
        super().__init__()
        self.state = state
        self.config = config
        self.module_node: Optional[cst.Module] = None
        self.uses: List[Use] = []
        self.helper_calls: List[Use] = []  # `f()` and `self.m()`: candidates for a call through a helper
        self.spawns: List[Spawn] = []
        self.creations: List[Tuple[cst.BaseExpression, cst.Call, Scope]] = []
        self.name_refs: Dict[str, List[Tuple[cst.Name, Scope]]] = {}
        self.attr_refs: Dict[str, List[Tuple[cst.Attribute, Scope]]] = {}
        self.iterated: List[Tuple[cst.BaseExpression, Scope]] = []
        self._skip: Set[int] = set()
        self._guarded: Set[int] = set()
        self._stmts: List[cst.CSTNode] = []
        self._saved: List[Tuple[List[cst.CSTNode], int]] = []
        self._lambda = 0

    # statements and functions
    def visit_Module(self, node: cst.Module) -> None:
        self.module_node = node

    def _push(self, node: cst.CSTNode) -> None:
        self._stmts.append(node)

    # Named like libcst's leave_* parameter so it can stand in for each of them below.
    def _pop(self, original_node: cst.CSTNode) -> None:
        if self._stmts and self._stmts[-1] is original_node:
            self._stmts.pop()

    visit_SimpleStatementLine = visit_If = visit_While = visit_Try = visit_TryStar = _push
    leave_SimpleStatementLine = leave_If = leave_While = leave_Try = leave_TryStar = _pop
    leave_With = leave_For = leave_ClassDef = _pop

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._push(node)
        self._skip.add(id(node.name))

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._push(node)
        self._skip.add(id(node.name))

    def visit_FunctionDef_body(self, node: cst.FunctionDef) -> None:
        self._saved.append((self._stmts, self._lambda))
        self._stmts, self._lambda = [], 0

    def leave_FunctionDef_body(self, node: cst.FunctionDef) -> None:
        self._stmts, self._lambda = self._saved.pop()

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._pop(node)

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self._lambda += 1

    def leave_Lambda(self, node: cst.Lambda) -> None:
        self._lambda -= 1

    def visit_With(self, node: cst.With) -> None:
        self._push(node)
        for item in node.items:
            call = item.item
            if isinstance(call, cst.Call) and names.last_name(call.func) in _TIMEOUT_WRAPPERS:
                self._guarded.add(id(node))

    # bindings: targets are not references
    def _store(self, target: cst.BaseExpression) -> None:
        self._skip.add(id(target))
        if isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._store(element.value)
        elif isinstance(target, cst.StarredElement):
            self._store(target.value)

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._store(target.target)
            self._creation(target.target, node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._store(node.target)
        if node.value is not None:
            self._creation(node.target, node.value)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._store(node.target)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._store(node.target)

    def visit_For(self, node: cst.For) -> None:
        self._push(node)
        self._store(node.target)
        if isinstance(node.iter, (cst.Name, cst.Attribute)):
            self._skip.add(id(node.iter))
            self.iterated.append((node.iter, self.state.scope))

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self._store(node.asname.name)

    def visit_Global(self, node: Union[cst.Global, cst.Nonlocal]) -> None:
        self._skip.update(id(item.name) for item in node.names)

    visit_Nonlocal = visit_Global

    def visit_Arg(self, node: cst.Arg) -> None:
        if node.keyword is not None:
            self._skip.add(id(node.keyword))

    def visit_Param(self, node: cst.Param) -> None:
        self._skip.add(id(node.name))

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if node.module is not None:
            self._skip_dotted([node.module])

    def visit_ImportAlias(self, node: cst.ImportAlias) -> None:
        parts: List[cst.CSTNode] = [node.name]
        if node.asname is not None:
            parts.append(node.asname.name)
        self._skip_dotted(parts)

    def _skip_dotted(self, parts: List[cst.CSTNode]) -> None:
        while parts:
            part = parts.pop()
            self._skip.add(id(part))
            if isinstance(part, cst.Attribute):
                parts.extend((part.value, part.attr))

    def _creation(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        if isinstance(value, cst.Call) and isinstance(target, (cst.Name, cst.Attribute)):
            last = names.last_name(value.func) or ""
            if last in QUEUE_CTORS or last.endswith("WaitGroup") or self._configured(last):
                self.creations.append((target, value, self.state.scope))

    def _configured(self, last: str) -> bool:
        return any(entry.rsplit(".", 1)[-1] == last for entry in self.config.wait_group_classes)

    # calls and references
    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        name = names.last_name(func)
        if name in _TIMEOUT_WRAPPERS:
            for arg in node.args:
                inner = arg.value.expression if isinstance(arg.value, cst.Await) else arg.value
                self._guarded.add(id(inner))
        if isinstance(func, cst.Attribute):
            self._skip.add(id(func))
            self._skip.add(id(func.value))
            if name in METHODS:
                self.uses.append(self._use(func.value, name, node))
            elif isinstance(func.value, cst.Name) and func.value.value == "self":
                self.helper_calls.append(self._use(func, "", node))
        elif isinstance(func, cst.Name):
            self.helper_calls.append(self._use(func, "", node))
        if name in SPAWNERS:
            self.spawns.append(Spawn(node, name, self.state.scope))

    def _use(self, receiver: cst.BaseExpression, method: str, node: cst.Call) -> Use:
        state = self.state
        guarded = id(node) in self._guarded or any(
            b.kind == "with" and id(b.node) in self._guarded for b in (state.block.chain() if state.block else ())
        )
        return Use(receiver, method, node, state.scope, state.block, tuple(self._stmts), self._lambda > 0, guarded)

    def visit_Await(self, node: cst.Await) -> None:
        if id(node) in self._guarded:
            self._guarded.add(id(node.expression))

    def visit_Name(self, node: cst.Name) -> None:
        if id(node) not in self._skip:
            self.name_refs.setdefault(node.value, []).append((node, self.state.scope))

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self._skip.add(id(node.attr))
        if id(node) not in self._skip:
            self.attr_refs.setdefault(node.attr.value, []).append((node, self.state.scope))


# -- facts, judged after the walk ------------------------------------------------------

@dataclass
class QueueFacts:
    key: Key
    kind: str
    bounded: bool
    puts: List[Use] = field(default_factory=list)
    joins: List[Use] = field(default_factory=list)
    consumed: bool = False
    task_done: bool = False
    escaped: bool = False


def var_key(expr: cst.BaseExpression, scope: Scope) -> Optional[Key]:
    """Where the variable ``expr`` names is bound; None for anything else."""
    if isinstance(expr, cst.Name):
        current: Optional[Scope] = scope
        while current is not None:
            bounds = current.bindings.get(expr.value)
            if bounds is not None:
                if bounds[0].kind == "global":
                    return (current.module, expr.value)
                return (current, expr.value)
            current = current.lookup_parent
        return None
    if isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name):
        owner = lookup_any(scope, expr.value.value)
        if isinstance(owner, SelfOf):
            return (_defining_class(owner.cls_scope, expr.attr.value), expr.attr.value)
    return None


def _is_abstract(cls: ClassScope) -> bool:
    """The class declares ``@abstractmethod``s: it is completed by subclasses, which may use what
    it stores on ``self`` (a queue they drain) in modules of their own."""
    return any(
        (names.dotted_name(decorator.decorator) or "").rsplit(".", 1)[-1] == "abstractmethod"
        for functions in cls.methods.values() for function in functions
        for decorator in function.node.decorators
    )


# Bases whose own methods read no attribute of the subclass.
_BARE_BASES = frozenset({"object", "ABC", "Generic", "Protocol"})


def _inherits_from_elsewhere(cls: ClassScope) -> bool:
    """The class (or a base of this module) derives from a class of another module, whose methods
    may use what it stores on ``self``: litellm's ``SpendUpdateQueue.add_update()`` puts on
    ``self.update_queue`` and its base, in another module, drains it."""
    for current in _with_local_bases(cls):
        for arg in current.node.bases:
            base = arg.value.value if isinstance(arg.value, cst.Subscript) else arg.value  # `Generic[T]`
            if isinstance(base, cst.Name) and base.value in current.module.class_defs:
                continue  # a class of this module: walked in its turn
            if (names.dotted_name(base) or "").rsplit(".", 1)[-1] not in _BARE_BASES:
                return True
    return False


def _defining_class(cls: ClassScope, attr: str) -> ClassScope:
    return next((current for current in _with_local_bases(cls) if attr in current.attrs), cls)


def _with_local_bases(cls: ClassScope) -> Iterator[ClassScope]:
    """The class, then its bases defined in this module, each once."""
    seen = set()
    stack = [cls]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        stack.extend(current.local_bases())


def is_bounded(kind: str, call: Optional[cst.Call]) -> bool:
    if kind in UNBOUNDED_QUEUE_KINDS or call is None:
        return False
    value = keyword(call, "maxsize")
    if value is None:
        values = positional(call)
        if values:
            value = values[0]
        elif any(arg.star for arg in call.args):
            return True  # not a literal
    if value is None:
        return False
    if isinstance(value, cst.Integer):
        return int(value.value.replace("_", ""), 0) > 0
    if isinstance(value, cst.UnaryOperation) and isinstance(value.expression, cst.Integer):
        return False  # maxsize=-1
    if isinstance(value, cst.Name) and value.value == "None":
        return False
    return True


class PrimitiveFacts:
    """Everything the primitive rules ask, computed once after the walk."""

    def __init__(self, collector: Collector) -> None:
        self.c = collector
        self.config = collector.config
        self.queues: Dict[Key, QueueFacts] = {}
        self._build_queues()
        self._wg_keys = self._wait_group_keys()
        self._wg_texts = self._wait_group_texts()
        self._through_helpers: Optional[List[Use]] = None

    # queues
    def _build_queues(self) -> None:
        c = self.c
        for target, call, scope in c.creations:
            key = var_key(target, scope)
            found = names.resolve(target, scope)
            if key is None or not isinstance(found, names.Inst) or found.producer not in QUEUE_KINDS:
                continue
            kind = names.callee(call, scope)
            if kind != found.producer:
                continue
            existing = self.queues.get(key)
            bounded = is_bounded(kind, call)
            if existing is None:
                self.queues[key] = QueueFacts(key, kind, bounded)
            else:
                existing.bounded = existing.bounded or bounded
        if not self.queues:
            return
        attr_names = {key[1] for key in self.queues if isinstance(key[0], ClassScope)}
        var_names = {key[1] for key in self.queues if not isinstance(key[0], ClassScope)}

        def lookup(expr: cst.BaseExpression, scope: Scope) -> List[QueueFacts]:
            key = var_key(expr, scope)
            if key in self.queues:
                return [self.queues[key]]
            if key is None and isinstance(expr, cst.Attribute) and expr.attr.value in attr_names:
                # `other.q`: cannot tell which object; count it against every `self.q`
                return [q for k, q in self.queues.items() if isinstance(k[0], ClassScope) and k[1] == expr.attr.value]
            return []

        for use in c.uses:
            if isinstance(use.receiver, cst.Name) and use.receiver.value not in var_names:
                continue
            if isinstance(use.receiver, cst.Attribute) and use.receiver.attr.value not in attr_names:
                continue
            used = lookup(use.receiver, use.scope)
            if not used:
                continue
            if var_key(use.receiver, use.scope) is None:
                for q in used:
                    q.escaped = True
                continue
            q = used[0]
            if use.method in ("put", "put_nowait"):
                q.puts.append(use)
            elif use.method in ("get", "get_nowait"):
                q.consumed = True
            elif use.method == "task_done":
                q.task_done = True
            elif use.method == "join":
                q.joins.append(use)
        for expr, scope in c.iterated:
            for q in lookup(expr, scope):
                q.consumed = True
        for name in var_names:
            for node, scope in c.name_refs.get(name, ()):
                for q in lookup(node, scope):
                    q.escaped = True
        for name in attr_names:
            for attr, scope in c.attr_refs.get(name, ()):
                for q in lookup(attr, scope):
                    q.escaped = True
        for key, q in self.queues.items():
            if isinstance(key[0], ClassScope) and (_is_abstract(key[0]) or _inherits_from_elsewhere(key[0])):
                q.escaped = True  # subclasses it asks for, or a base's methods, may consume it elsewhere

    # wait groups
    def _wait_group_keys(self) -> Set[Key]:
        keys = set()
        for target, call, scope in self.c.creations:
            if self._wg_ctor(call, scope):
                key = var_key(target, scope)
                if key is not None:
                    keys.add(key)
        return keys

    def _wg_ctor(self, call: cst.Call, scope: Scope) -> bool:
        dotted = names.callee(call, scope) or names.dotted_name(call.func) or ""
        return dotted.rsplit(".", 1)[-1].endswith("WaitGroup") or self.config.matches_wait_group(dotted)

    def _wait_group_texts(self) -> Set[str]:
        methods: Dict[str, Set[str]] = {}
        for use in self.c.uses:
            if use.method.lower() in ("add", "done", "wait"):
                text = use.text
                if text and text not in ("self", "cls"):
                    methods.setdefault(text, set()).add(use.method.lower())
        return {text for text, found in methods.items() if found >= {"add", "done", "wait"}}

    def is_wait_group(self, use: Use) -> bool:
        found = names.resolve(use.receiver, use.scope)
        if isinstance(found, names.Inst):
            producer = found.producer
            if producer.rsplit(".", 1)[-1].endswith("WaitGroup") or self.config.matches_wait_group(producer):
                return True
            if producer.split(".", 1)[0] in NOT_WAIT_GROUP_MODULES:
                return False  # a known kind that is not a wait group (a set, a future, an event)
            # A class of the user's own (`inflight = Tracker()`): judged by how it is used.
        if var_key(use.receiver, use.scope) in self._wg_keys:
            return True
        return use.text in self._wg_texts

    def lock_kind(self, use: Use) -> Optional[str]:
        found = names.resolve(use.receiver, use.receiver_scope)
        if isinstance(found, names.Inst) and found.producer in LOCK_KINDS:
            return found.producer
        return None

    def known_non_queue(self, use: Use) -> bool:
        found = names.resolve(use.receiver, use.scope)
        return isinstance(found, names.Inst) and found.producer not in QUEUE_KINDS

    def uses(self, *methods: str) -> Iterator[Use]:
        """The calls of ``methods``, with lock calls made through a helper of the module."""
        wanted = set(methods)
        if wanted & _THROUGH_HELPERS and self._through_helpers is None:
            self._through_helpers = list(self._calls_through_helpers())
        through = self._through_helpers if wanted & _THROUGH_HELPERS else ()
        return (use for use in (*self.c.uses, *(through or ())) if use.method in wanted)

    def _calls_through_helpers(self) -> Iterator[Use]:
        """``await acquire_worker_semaphore()``: a call of a helper whose body ends by acquiring or
        releasing a lock of the module (``return worker.semaphore.acquire()``), read as that call made
        where the helper is called. A helper that takes the lock as a parameter is not followed."""
        helpers: Dict[FunctionScope, Use] = {}
        for use in self.c.uses:
            function = use.function
            if use.method in _THROUGH_HELPERS and function is not None and _ends_with(function, use):
                helpers[function] = use
        if not helpers:
            return
        for site in self.c.helper_calls:
            helper = function_named(site.receiver, site.scope)
            inner = helpers.get(helper) if helper is not None else None
            if helper is not None and inner is not None and helper is not site.function:
                yield replace(site, receiver=inner.receiver, method=inner.method, via=helper.name, home=inner.scope)

    # worker functions
    def worker_of(self, spawn: Spawn) -> Optional[FunctionScope]:
        """The function of this module that a spawn call starts, if any."""
        call = spawn.call
        target: Optional[cst.BaseExpression] = None
        if spawn.name in ("Thread", "Process", "Timer"):
            target = keyword(call, "target") if spawn.name != "Timer" else keyword(call, "function")
            values = positional(call)
            if target is None and len(values) > 1:
                target = values[1]
        elif spawn.name in ("submit", "start_new_thread"):
            values = positional(call)
            target = values[0] if values else None
        elif spawn.name == "run_in_executor":
            values = positional(call)
            target = values[1] if len(values) > 1 else None
        else:  # create_task(worker(...)), ensure_future(worker(...))
            values = positional(call)
            if values and isinstance(values[0], cst.Call):
                target = values[0].func
        if isinstance(target, cst.Call) and names.last_name(target.func) == "partial":
            values = positional(target)
            target = values[0] if values else None
        if target is None:
            return None
        return function_named(target, spawn.scope)


_THROUGH_HELPERS = frozenset({"acquire", "release"})


def _ends_with(function: FunctionScope, use: Use) -> bool:
    """The last statement of ``function`` is ``use`` alone (``return lock.acquire()``, ``await
    lock.acquire()``, ``lock.release()``), on a receiver that is none of its parameters."""
    body = function.node.body.body
    if not body or use.stmts != (body[-1],) or use.in_lambda:
        return False
    line = body[-1]
    if not isinstance(line, cst.SimpleStatementLine) or len(line.body) != 1:
        return False
    small = line.body[0]
    value = small.value if isinstance(small, (cst.Expr, cst.Return)) else None
    if isinstance(value, cst.Await):
        value = value.expression
    if value is not use.call:
        return False
    root = (names.dotted_name(use.receiver) or "").split(".", 1)[0]
    return root == "self" or root not in function.param_names


def function_named(expr: cst.BaseExpression, scope: Scope) -> Optional[FunctionScope]:
    """``worker`` or ``self.worker`` as a function or method of this module."""
    if isinstance(expr, cst.Name):
        current: Optional[Scope] = scope
        while current is not None:
            if isinstance(current, FunctionScope) and expr.value in current.nested:
                return current.nested[expr.value][-1]
            if isinstance(current, ModuleScope):
                found = current.defs.get(expr.value)
                return found[-1] if found else None
            current = current.lookup_parent
        return None
    if isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name):
        owner = lookup_any(scope, expr.value.value)
        if isinstance(owner, SelfOf):
            found = owner.cls_scope.method(expr.attr.value)
            return found[-1] if found else None
    return None


# -- where a call stands ---------------------------------------------------------------

def in_except(block: Optional[Block]) -> bool:
    return block is not None and any(b.kind == "except" for b in block.chain())


def in_broad_except(block: Optional[Block]) -> bool:
    """In an ``except`` clause that catches whatever its ``try`` raises (``Exception``,
    ``BaseException``, bare): the error path of every failure, not of one kind of it."""
    return block is not None and any(
        b.kind == "except" and isinstance(b.node, cst.ExceptHandler) and _broad_handler(b.node)
        for b in block.chain()
    )


def in_exit_method(use: Use) -> bool:
    function = use.function
    return function is not None and function.name in _EXIT_METHODS


def _suites(parent: cst.CSTNode) -> Iterator[Sequence[cst.CSTNode]]:
    body = getattr(parent, "body", None)
    if isinstance(body, (cst.IndentedBlock, cst.SimpleStatementSuite)):
        yield body.body
    elif isinstance(body, (list, tuple)):  # Module
        yield body
    if isinstance(parent, (cst.Try, cst.TryStar)):
        for handler in parent.handlers:
            yield handler.body.body
        if parent.finalbody is not None:
            yield parent.finalbody.body.body
    orelse = getattr(parent, "orelse", None)
    if isinstance(orelse, cst.If):
        yield (orelse,)
    elif isinstance(orelse, cst.Else):
        yield orelse.body.body


def _siblings_before(parent: cst.CSTNode, child: cst.CSTNode) -> Sequence[cst.CSTNode]:
    for suite in _suites(parent):
        for index, stmt in enumerate(suite):
            if stmt is child:
                return suite[:index]
    return ()


def _broad_handler(handler: cst.ExceptHandler) -> bool:
    return handler.type is None or any(names.dotted_name(kind) in _BROAD for kind in caught_types(handler))


def _contains_raise(node: cst.CSTNode) -> bool:
    if isinstance(node, cst.Raise):
        return True
    if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
        return False
    return any(_contains_raise(child) for child in children(node))


def _leaves(node: cst.CSTNode) -> bool:
    """A ``return``, ``continue`` or ``break`` runs in ``node`` (nested functions and classes aside)."""
    if isinstance(node, (cst.Return, cst.Continue, cst.Break)):
        return True
    if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
        return False
    return any(_leaves(child) for child in children(node))


def _returns(node: cst.CSTNode, receiver: str) -> bool:
    """A ``return`` of the function runs in ``node`` with no call of ``receiver``'s methods before it
    in its block (``lock.release(); return None`` gives the lock back first). Nested functions,
    lambdas and classes are left out."""
    if isinstance(node, cst.Return):
        return True
    if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
        return False
    if isinstance(node, (cst.IndentedBlock, cst.SimpleStatementSuite, cst.SimpleStatementLine)):
        for stmt in node.body:
            if _returns(stmt, receiver):
                return True
            if _signals(stmt, receiver):
                return False  # released here: what follows leaves nothing held
        return False
    return any(_returns(child, receiver) for child in children(node))


def _signals(node: cst.CSTNode, receiver: str) -> bool:
    """Whether ``node`` calls a method of ``receiver`` (the signal on the error path)."""
    if not receiver:
        return False
    if isinstance(node, cst.Call) and (names.dotted_name(node.func) or "").startswith(receiver + "."):
        return True
    return any(_signals(child, receiver) for child in children(node))


def can_raise(node: cst.CSTNode, receiver: str, quiet: Optional[Quiet] = None, scope: Optional[Scope] = None) -> bool:
    """Whether running the statement ``node``, written in ``scope``, can plausibly raise past the
    code that follows it.

    ``quiet`` names calls and awaits known not to raise beyond what ``raises_here`` knows
    (functions of the module whose whole body catches everything: :class:`QuietCalls`).
    """
    if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
        return False  # defining does not run the body
    if _handles_all_it_raises(node, receiver):
        # everything the body raises is caught here (or signalled before re-raising); the
        # else and finally clauses run outside the handlers
        outside = [part for part in (node.orelse, node.finalbody) if part is not None]  # type: ignore[attr-defined]
        return any(can_raise(part, receiver, quiet, scope) for part in outside)
    if raises_here(node, receiver, scope=scope) and not (
        quiet is not None and isinstance(node, (cst.Call, cst.Await)) and quiet(node)
    ):
        return True
    if is_logging_call(node):
        return False  # arguments included
    if isinstance(node, cst.Assign):
        return can_raise(node.value, receiver, quiet, scope)
    return any(can_raise(child, receiver, quiet, scope) for child in children(node))


def unprotected(
    use: Use,
    module: Optional[cst.Module],
    starts: Optional[Sequence[Use]] = None,
    quiet: Optional[Quiet] = None,
    returns_count: bool = False,
) -> bool:
    """Whether something that can raise runs between the start and ``use``.

    ``starts`` are the calls that begin the protected region (``get()``,
    ``acquire()``); None means the start of the function. Only the statements that
    precede ``use`` on its own path count; code after the start, in the same
    function, that can raise makes ``use`` unprotected; with ``returns_count``, so does
    a ``return`` there, which leaves without ``use`` too. When no start precedes
    ``use`` on its path, nothing is claimed (False).
    """
    function = use.function
    root: Optional[cst.CSTNode] = function.node if function is not None else module
    if root is None or not use.stmts:
        return False
    start_outer: Set[int] = set()
    start_inner: Set[int] = set()
    failed: Set[str] = set()  # names holding what the start returned: `if not admitted: return` took nothing
    for start in starts or ():
        if start.function is function and start.stmts:
            start_outer.update(id(s) for s in start.stmts)
            start_inner.add(id(start.stmts[-1]))
            failed.update(_result_names(start))
    started = starts is None
    risky = False
    caught = False  # in the body of a `try` whose handlers catch it all and signal right after it
    parent = root
    for index, stmt in enumerate(use.stmts):
        for sibling in _siblings_before(parent, stmt):
            if id(sibling) in start_outer:
                started, risky = True, False
            elif started and not caught and not _runs_when_not_taken(sibling, failed) and (
                can_raise(sibling, use.text, quiet, use.scope) or (returns_count and _returns(sibling, use.text))
            ):
                risky = True
        if id(stmt) in start_inner and stmt is not use.stmts[-1]:
            started, risky = True, False
        inner = use.stmts[index + 1] if index + 1 < len(use.stmts) else None
        if inner is not None and _caught_then_signalled(stmt, inner, parent, use):
            caught = True
        parent = stmt
    return started and risky


def _result_names(start: Use) -> Set[str]:
    """The name the statement of ``start`` binds its call's result to (``admitted =
    sem.acquire(timeout=5)``); empty for any other statement."""
    line = start.stmts[-1]
    if not isinstance(line, cst.SimpleStatementLine):
        return set()
    return {
        target.target.value for stmt in line.body if isinstance(stmt, cst.Assign) and stmt.value is start.call
        for target in stmt.targets if isinstance(target.target, cst.Name)
    }


def _runs_when_not_taken(node: cst.CSTNode, names: Set[str]) -> bool:
    """``if not admitted: return 503``: an ``if`` with no ``else`` whose test is that a result of the
    start is false (a timed ``acquire()`` that took nothing): its body runs holding nothing, so what
    raises or returns there leaves nothing held."""
    test = node.test if isinstance(node, cst.If) and node.orelse is None else None
    return (
        isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not)
        and isinstance(test.expression, cst.Name) and test.expression.value in names
    )


def _caught_then_signalled(stmt: cst.CSTNode, inner: cst.CSTNode, parent: cst.CSTNode, use: Use) -> bool:
    """``stmt`` is a ``try`` whose body holds ``inner``, whose handlers take whatever that body
    raises, and the statement right after which (in ``parent``) makes the same call as ``use``:
    an error before the use inside ends there all the same (``try: ...; q.task_done(); continue``
    / ``except Exception: log(...)`` / ``q.task_done()``). A handler that leaves the block
    (``return``, ``continue``, ``break``) without signalling never gets there."""
    receiver = use.text
    if not _handles_all_it_raises(stmt, receiver):
        return False
    try_: cst.Try = stmt  # type: ignore[assignment]
    if not any(s is inner for s in try_.body.body) or any(
        _leaves(h) and not _signals(h, receiver) for h in try_.handlers
    ):
        return False
    same = f"{receiver}.{use.method}"
    for suite in _suites(parent):
        for index, sibling in enumerate(suite):
            if sibling is stmt:
                after = suite[index + 1] if index + 1 < len(suite) else None
                return isinstance(after, cst.SimpleStatementLine) and any(
                    isinstance(small, cst.Expr) and isinstance(small.value, cst.Call)
                    and names.dotted_name(small.value.func) == same
                    for small in after.body
                )
    return False


Quiet = Callable[[Union[cst.Call, cst.Await]], bool]


class QuietCalls:
    """Calls of functions of this module that cannot raise: their whole body catches everything,
    or, for a plain function of the module (not a method a subclass may override), nothing in its
    body can raise.

    ``def send(job): try: ... except Exception: log.exception(...)`` never lets an error
    out, so a ``send(job)`` between ``get()`` and ``task_done()`` skips nothing; nor does
    ``token = _claim_token(key)`` with ``return unicodedata.normalize("NFD", key).casefold()``.
    """

    def __init__(self) -> None:
        self._known: Dict[FunctionScope, bool] = {}
        self._plain: Dict[FunctionScope, bool] = {}

    def at(self, scope: Scope) -> Quiet:
        """The ``quiet`` predicate for calls written in ``scope``."""
        return lambda call: self._quiet(call, scope)

    def _quiet(self, call: Union[cst.Call, cst.Await], scope: Scope) -> bool:
        if not isinstance(call, cst.Call):
            return False  # an await can always be cancelled
        function = function_named(call.func, scope)
        if function is None:
            return False
        if function.is_async:
            return True  # called, not awaited: it only makes the coroutine, none of its body runs
        return self.catches_everything(function) or (
            isinstance(function.parent, ModuleScope) and self._cannot_raise(function)
        )

    def catches_everything(self, function: FunctionScope) -> bool:
        """No exception leaves ``function``: its body is wrapped in ``try``/``except Exception``
        (or broader) whose handlers do not raise, and nothing outside can raise. For a coroutine,
        cancellation (``CancelledError``, not an ``Exception``) still can."""
        if function not in self._known:
            self._known[function] = False  # a recursive call is not assumed quiet
            body = function.node.body.body
            self._known[function] = any(_catches_all(stmt) for stmt in body) and self._cannot_raise(function)
        return self._known[function]

    def _cannot_raise(self, function: FunctionScope) -> bool:
        """Nothing in ``function`` raises an exception; a wait that only a cancellation interrupts
        (``await asyncio.sleep(delay)``) does not count, as ``catches_everything`` says."""
        if function not in self._plain:
            self._plain[function] = False  # a recursive call is not assumed quiet
            inner = self.at(function)

            def quiet(node: Union[cst.Call, cst.Await]) -> bool:
                return inner(node) or cancellation_only(node, function)

            self._plain[function] = not any(can_raise(stmt, "", quiet, function) for stmt in function.node.body.body)
        return self._plain[function]


def _handles_all_it_raises(node: cst.CSTNode, receiver: str) -> bool:
    """A ``try`` with an ``except Exception``/``BaseException``/bare clause, none of whose handlers
    raises again unless it signals ``receiver`` first: whatever its body raises ends in a handler."""
    return _catches_all(node) and all(
        not _contains_raise(h) or _signals(h, receiver) for h in node.handlers  # type: ignore[attr-defined]
    )


def _catches_all(stmt: cst.CSTNode) -> bool:
    """A ``try`` with an ``except Exception``/``BaseException``/bare clause: what the body is wrapped in.

    A body with no such ``try`` proves nothing for a coroutine (HB502 asks whether it swallows
    what its awaits raise) nor for a method (a subclass may override it).
    """
    return isinstance(stmt, cst.Try) and any(_broad_handler(h) for h in stmt.handlers)


# asyncio waits that only a cancellation interrupts: ``asyncio.sleep()`` and these methods of
# these asyncio kinds (``put()`` on a full queue waits for room, it never raises QueueFull).
_CANCEL_ONLY_FUNCTIONS = frozenset({"asyncio.sleep"})
_CANCEL_ONLY_METHODS = {
    **{kind: frozenset({"put", "get", "join"}) for kind in QUEUE_KINDS if kind.startswith("asyncio.")},
    "asyncio.Event": frozenset({"wait"}),
}


def cancellation_only(node: Union[cst.Call, cst.Await], scope: Scope) -> bool:
    """``await asyncio.sleep(1)``, ``await out.put(item)`` on an asyncio queue: nothing but a
    cancellation of the task can make it raise."""
    call = node.expression if isinstance(node, cst.Await) else node
    if not isinstance(call, cst.Call):
        return False
    if names.callee(call, scope) in _CANCEL_ONLY_FUNCTIONS:
        return True
    func = call.func
    if not isinstance(func, cst.Attribute):
        return False
    kind = names.resolve(func.value, scope)
    return isinstance(kind, names.Inst) and func.attr.value in _CANCEL_ONLY_METHODS.get(kind.producer, ())


# -- the provider ------------------------------------------------------------------------

class Primitives(Provider[PrimitiveFacts]):
    """Queues, wait groups, locks and where their methods are called (HB3xx, HB4xx)."""

    collector = Collector

    def build(self, facts: Facts) -> PrimitiveFacts:
        assert isinstance(self.collected, Collector)
        return PrimitiveFacts(self.collected)
