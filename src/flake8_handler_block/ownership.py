"""Who owns a value created in a function: is it closed, does it escape, or is it dropped?

Shared by the leak rules (HB1xx responses and clients, HB5xx threads, tasks, servers,
executors). A rule names the creating expression (the call, or the ``await`` of it)
and a :class:`Policy` (which methods close the value, which members hand out a view
of it, ...); :func:`fate` answers with one of

* ``CLOSED``: closed on every path: ``with``/``async with``, a closing call in a
  ``finally``, a closing method handed to a call (``stack.callback(x.close)``,
  ``request.addfinalizer(x.shutdown)``), a nested function that closes it, or (for
  tasks) awaited; also a straight-line close when the policy is not strict, or when
  nothing between the creation and the close can raise;
* ``UNSAFE``: closed only on the straight path, after code that can raise or return
  (a finding for strict policies: an exception skips the close);
* ``ESCAPES``: returned, yielded, stored on an attribute/global/container, aliased,
  captured by a nested function, or passed to a call (which may take ownership), unless
  the call is of a function of the module that only uses the parameter it binds (calls its
  methods, reads it, lends it on likewise: ``_lent_to_a_borrower``);
* ``DROPPED``: none of the above: the only finding.

The analysis reads the libcst nodes of one ``FunctionDef``; it runs only for
functions that hold a candidate, once per function (cached on its scope), so files
without candidates pay nothing.
"""

from __future__ import annotations

import weakref
from bisect import bisect_right
from dataclasses import dataclass
from typing import Callable, Dict, FrozenSet, List, NamedTuple, Optional, Tuple, Union

import libcst as cst

from .facts import Facts, Provider
from .names import Ref, decorator_names, local_function, lookup, resolve
from .raising import is_logging_call, raises_here
from .scopes import FunctionScope
from .walk import children

CLOSED, UNSAFE, ESCAPES, DROPPED = "closed", "unsafe", "escapes", "dropped"
NEVER_BOUND = "never bound"  # a DROPPED value no name refers to: freed when its expression is done


class Policy(NamedTuple):
    """How a kind of value is released and used."""

    closers: FrozenSet[str]  # methods that close/join/shut it down
    views: FrozenSet[str] = frozenset()  # members that hand out its body (iter_content, raw)
    strict: bool = False  # a straight-line close after raising code is UNSAFE
    awaited_closes: bool = False  # `await x` settles it (asyncio tasks)
    any_use_keeps: bool = False  # any reference keeps it alive (tasks: only a bare drop counts)
    fixture: bool = False  # pytest fixture: return/yield hand it to the test, not away
    background: FrozenSet[str] = frozenset()  # members whose reference (not call) runs it elsewhere


@dataclass
class Fate:
    kind: str
    detail: str = ""
    name: Optional[str] = None  # the local it was bound to, if any
    close: Optional[cst.CSTNode] = None  # the straight-line close of an UNSAFE fate
    background: bool = False  # a `background` member was referenced (thread target)
    foreground: bool = False  # a `background` member was called directly in the function

    @property
    def finding(self) -> bool:
        return self.kind in (DROPPED, UNSAFE)


# Calls that read a value without taking it over.
_BUILTIN_READERS = frozenset(
    {"print", "len", "isinstance", "issubclass", "repr", "str", "bool", "id", "type", "hasattr",
     "getattr", "callable", "hash", "vars", "dir", "next", "list", "tuple", "set", "sorted", "sum", "min",
     "max", "any", "all", "bytes", "bytearray"}
)
_READER_CALLS = frozenset(
    {"json.load", "pickle.load", "shutil.copyfileobj", "csv.reader", "csv.DictReader", "logging.debug",
     "logging.info", "logging.warning", "logging.error", "logging.exception", "logging.critical"}
)
# loop.run_in_executor(executor, fn) borrows the executor; b"".join(r.iter_content()) reads the body
_READER_METHODS = frozenset({"run_in_executor", "join", "write", "writelines", "update"})

# flow events
_ESCAPE, _NEUTRAL, _DROP, _BIND, _CLOSE, _SAFE_CLOSE, _AWAIT, _HANDED, _BACKGROUND, _FOREGROUND = (
    "escape", "neutral", "drop", "bind", "close", "safe-close", "await", "handed", "background", "foreground"
)

_NESTED = (cst.FunctionDef, cst.Lambda, cst.ClassDef)
_LEAVES = (cst.Return, cst.Yield)  # risky too: leaving the function skips a close after it


class _Facts:
    """Parents, pre-order positions, risky nodes and name uses of one function."""

    def __init__(self, function: cst.FunctionDef) -> None:
        self.root = function
        self.parent: Dict[int, cst.CSTNode] = {}
        self.index: Dict[int, int] = {}
        self.end: Dict[int, int] = {}
        self.nested: Dict[int, Optional[cst.CSTNode]] = {}
        self.risky: List[int] = []  # pre-order indices of nodes that can raise or leave
        self.loads: Dict[str, List[cst.Name]] = {}
        self.stores: Dict[str, List[cst.Name]] = {}
        self.declared: set = set()  # global/nonlocal names
        self._counter = 0
        self._walk(function.body, function, None)

    def _walk(self, node: cst.CSTNode, parent: cst.CSTNode, nested: Optional[cst.CSTNode]) -> None:
        # Iterative pre-order walk (deep expressions must not exhaust the stack).
        stack: List[Tuple[cst.CSTNode, cst.CSTNode, Optional[cst.CSTNode], bool]] = [(node, parent, nested, False)]
        while stack:
            current, owner, scope, done = stack.pop()
            key = id(current)
            if done:
                self.end[key] = self._counter - 1
                continue
            self.parent[key] = owner
            self.index[key] = self._counter
            self.nested[key] = scope
            if scope is None and (isinstance(current, _LEAVES) or raises_here(current, container_methods_safe=False)):
                self.risky.append(self._counter)
            self._counter += 1
            if isinstance(current, cst.Name):
                self._name(current, owner)
            elif isinstance(current, (cst.Global, cst.Nonlocal)) and scope is None:
                self.declared.update(item.name.value for item in current.names)
            inner = current if isinstance(current, _NESTED) else scope
            stack.append((current, owner, scope, True))
            for child in reversed(children(current)):
                stack.append((child, current, inner, False))

    def _name(self, node: cst.Name, parent: cst.CSTNode) -> None:
        if isinstance(parent, cst.Attribute) and node is parent.attr:
            return
        if isinstance(parent, cst.Arg) and node is parent.keyword:
            return
        if isinstance(parent, (cst.Param, cst.FunctionDef, cst.ClassDef, cst.ImportAlias, cst.NameItem)):
            return
        if _is_store(node, parent, self.parent):
            self.stores.setdefault(node.value, []).append(node)
        else:
            self.loads.setdefault(node.value, []).append(node)

    def ancestors(self, node: cst.CSTNode):
        current = self.parent.get(id(node))
        while current is not None and current is not self.root:
            yield current
            current = self.parent.get(id(current))

    def statement_of(self, node: cst.CSTNode) -> cst.CSTNode:
        for anc in self.ancestors(node):
            if isinstance(anc, (cst.BaseSmallStatement, cst.BaseCompoundStatement)):
                return anc
        return node

    def risky_between(self, start: int, stop: int) -> bool:
        """Is there a node that can raise or leave with start < index < stop?"""
        pos = bisect_right(self.risky, start)
        return pos < len(self.risky) and self.risky[pos] < stop


def _is_store(node: cst.Name, parent: Optional[cst.CSTNode], parents: Dict[int, cst.CSTNode]) -> bool:
    child: cst.CSTNode = node
    while isinstance(parent, (cst.Tuple, cst.List, cst.Element, cst.StarredElement)):
        child, parent = parent, parents.get(id(parent))
    if isinstance(parent, cst.AssignTarget):
        return child is parent.target
    if isinstance(parent, (cst.AnnAssign, cst.AugAssign, cst.NamedExpr, cst.For, cst.CompFor)):
        return child is parent.target
    if isinstance(parent, cst.AsName):
        return child is parent.name
    if isinstance(parent, cst.Del):
        return child is parent.target
    return False


# -- where a value goes -----------------------------------------------------------------

def _is_reader_call(call: cst.Call, function: FunctionScope) -> bool:
    func = call.func
    if isinstance(func, cst.Name):
        if func.value in _BUILTIN_READERS and lookup(function, func.value) is None:
            return True
    if isinstance(func, cst.Attribute):
        if func.attr.value in _READER_METHODS or is_logging_call(call):
            return True
    resolved = resolve(func, function)
    return isinstance(resolved, Ref) and resolved.dotted in _READER_CALLS


def _lent_to_a_borrower(call: cst.Call, arg: cst.Arg, function: FunctionScope, policy: Policy, depth: int) -> bool:
    """``_resolve_uniprot(client, gene_id)``: a function of the module that only uses the parameter
    the argument binds (calls its methods, reads it, hands it to such a function in turn) and
    neither keeps, returns, closes nor passes it elsewhere: the value stays the caller's to close.
    Calls that unpack arguments, and functions that yield, rebind or capture the parameter, may
    do anything with it (a pass on, as before)."""
    callee = local_function(call.func, function)
    if callee is None or callee.is_generator or depth >= _MAX_LENDING_DEPTH:
        return False
    if any(a.star for a in call.args):
        return False
    param = _parameter_bound(callee, call, arg)
    if param is None or len(callee.bindings.get(param, ())) != 1:
        return False
    facts = _facts_of(callee)
    if facts.stores.get(param) or param in facts.declared:
        return False
    for use in facts.loads.get(param, []):
        if facts.nested.get(id(use)) is not None:
            return False  # captured by a nested function: kept as long as that lives
        event, _ = _flow(facts, use, policy, callee, depth + 1)
        if event not in (_NEUTRAL, _DROP):
            return False
    return True


_MAX_LENDING_DEPTH = 3  # helpers lending to helpers: no deeper


def _parameter_bound(callee: FunctionScope, call: cst.Call, arg: cst.Arg) -> Optional[str]:
    """The parameter of ``callee`` that ``arg`` of ``call`` binds (``FunctionScope.param_slots``)."""
    if arg.keyword is not None:
        name = arg.keyword.value
        return name if name in callee.param_slots else None
    index = next((i for i, a in enumerate(call.args) if a is arg), None)
    if index is None or any(a.keyword is not None for a in call.args[:index]):
        return None
    return next((name for name, (place, _default) in callee.param_slots.items() if place == index), None)


def _flow(
    facts: _Facts, node: cst.CSTNode, policy: Policy, function: FunctionScope, depth: int = 0
) -> Tuple[str, Optional[cst.CSTNode]]:
    """Where the value of ``node`` goes next: one event and the node that decides it."""
    while True:
        parent = facts.parent.get(id(node))
        if parent is None or parent is facts.root:
            return _ESCAPE, parent
        if isinstance(parent, cst.Await):
            return _AWAIT, parent
        if isinstance(parent, cst.BooleanOperation) or (isinstance(parent, cst.IfExp) and node is not parent.test):
            node = parent
            continue
        if isinstance(parent, cst.Attribute) and node is parent.value:
            return _member(facts, parent, policy, function, depth)
        if isinstance(parent, cst.Arg):
            call = facts.parent.get(id(parent))
            if isinstance(call, cst.Call) and (
                    _is_reader_call(call, function) or _lent_to_a_borrower(call, parent, function, policy, depth)):
                return _NEUTRAL, call
            return _ESCAPE, call
        if isinstance(parent, cst.WithItem) and node is parent.item:
            return _SAFE_CLOSE, parent
        if isinstance(parent, (cst.Return, cst.Yield)):
            return _HANDED, parent
        if isinstance(parent, cst.Assign) and node is parent.value:
            if len(parent.targets) == 1 and isinstance(parent.targets[0].target, cst.Name):
                return _BIND, parent.targets[0].target
            return _ESCAPE, parent
        if isinstance(parent, cst.AnnAssign) and node is parent.value:
            if isinstance(parent.target, cst.Name):
                return _BIND, parent.target
            return _ESCAPE, parent
        if isinstance(parent, cst.Expr):
            return _DROP, parent
        if isinstance(parent, (cst.For, cst.CompFor)) and node is parent.iter:
            return _NEUTRAL, parent
        if isinstance(parent, (cst.If, cst.While)) and node is parent.test:
            return _NEUTRAL, parent
        if isinstance(parent, cst.IfExp) and node is parent.test:
            return _NEUTRAL, parent
        if isinstance(parent, cst.Subscript) and node is parent.value:
            return _NEUTRAL, parent
        if isinstance(parent, cst.Call) and node is parent.func:
            return _NEUTRAL, parent
        if isinstance(
            parent,
            (cst.Comparison, cst.ComparisonTarget, cst.UnaryOperation, cst.Assert, cst.FormattedStringExpression,
             cst.Del),
        ):
            return _NEUTRAL, parent
        return _ESCAPE, parent


def _member(
    facts: _Facts, attr: cst.Attribute, policy: Policy, function: FunctionScope, depth: int = 0
) -> Tuple[str, Optional[cst.CSTNode]]:
    name = attr.attr.value
    outer = facts.parent.get(id(attr))
    called = isinstance(outer, cst.Call) and outer.func is attr
    if name in policy.closers:
        if called:
            return _CLOSE, outer
        if isinstance(outer, cst.Arg):  # stack.callback(x.close), addfinalizer(x.shutdown)
            return _SAFE_CLOSE, outer
        return _NEUTRAL, attr
    if name in policy.background:
        return (_FOREGROUND if called else _BACKGROUND), attr
    if name in policy.views:
        value = outer if called else attr
        event, _ = _flow(facts, value, policy, function, depth)  # type: ignore[arg-type]
        if event in (_NEUTRAL, _DROP, _AWAIT):
            return _NEUTRAL, attr
        return _ESCAPE, attr
    return _NEUTRAL, attr


def origin_of(facts: _Facts, creation: cst.CSTNode) -> cst.CSTNode:
    """The expression whose value is the created object (``await call`` when awaited)."""
    parent = facts.parent.get(id(creation))
    return parent if isinstance(parent, cst.Await) else creation


def _fate(facts: _Facts, function: FunctionScope, creation: cst.CSTNode, policy: Policy) -> Fate:
    """What becomes of the value ``creation`` evaluates to (a node inside ``function``)."""
    if id(creation) not in facts.index:
        return Fate(ESCAPES, "not in the function")
    if facts.nested.get(id(creation)) is not None:
        return Fate(ESCAPES, "created in a nested scope")
    event, where = _flow(facts, creation, policy, function)
    if event == _AWAIT:
        return Fate(CLOSED, "awaited") if policy.awaited_closes else Fate(DROPPED, "used inline")
    if event == _SAFE_CLOSE:
        return Fate(CLOSED, "with")
    if event == _CLOSE:
        return Fate(CLOSED, "closed inline")
    if event == _HANDED:
        return Fate(DROPPED, "handed to the test") if policy.fixture else Fate(ESCAPES, "returned")
    if event in (_DROP, _NEUTRAL):
        return Fate(DROPPED, NEVER_BOUND)
    if event == _FOREGROUND or event == _BACKGROUND:
        return Fate(DROPPED, NEVER_BOUND, background=event == _BACKGROUND, foreground=event == _FOREGROUND)
    if event != _BIND:
        return Fate(ESCAPES, "passed on")
    assert isinstance(where, cst.Name)
    return _bound_fate(facts, function, creation, where, policy)


def _bound_fate(
    facts: _Facts, function: FunctionScope, creation: cst.CSTNode, target: cst.Name, policy: Policy
) -> Fate:
    name = target.value
    result = Fate(DROPPED, "never closed", name=name)
    if name in facts.declared:
        return Fate(ESCAPES, "global", name=name)
    safe = False
    straight: List[cst.CSTNode] = []
    in_except = False
    used = False
    for use in _uses_of(facts, target):
        used = True
        event, where = _flow(facts, use, policy, function)
        nested = facts.nested.get(id(use)) is not None
        if event in (_BACKGROUND, _FOREGROUND):
            if nested or event == _BACKGROUND:
                result.background = True
            else:
                result.foreground = True
            continue
        if nested:
            if event in (_CLOSE, _SAFE_CLOSE):
                safe = True  # a finalizer / cleanup callback
                continue
            return Fate(ESCAPES, "captured by a nested function", name=name)
        if event == _HANDED and policy.fixture:
            continue
        if event in (_ESCAPE, _HANDED, _BIND):
            return Fate(ESCAPES, "passed on", name=name)
        if event == _SAFE_CLOSE:
            safe = True
        elif event == _AWAIT:
            if policy.awaited_closes:
                safe = True
        elif event == _CLOSE:
            assert where is not None
            if any(isinstance(anc, cst.Finally) for anc in facts.ancestors(where)):
                safe = True
            else:
                if any(isinstance(anc, cst.ExceptHandler) for anc in facts.ancestors(where)):
                    in_except = True
                straight.append(where)
    if policy.any_use_keeps and used:
        return Fate(ESCAPES, "kept", name=name)
    if safe:
        result.kind, result.detail = CLOSED, "closed on every path"
        return result
    if not straight:
        return result
    outside = [c for c in straight if not any(isinstance(a, cst.ExceptHandler) for a in facts.ancestors(c))]
    first = min(outside or straight, key=lambda c: facts.index[id(c)])
    result.close = first
    if not policy.strict or (in_except and outside):
        result.kind, result.detail = CLOSED, "closed"
        return result
    if _risky_before(facts, function, creation, first):
        result.kind, result.detail = UNSAFE, "closed only on the straight path"
    else:
        result.kind, result.detail = CLOSED, "closed"
    return result


def _risky_before(facts: _Facts, function: FunctionScope, creation: cst.CSTNode, close: cst.CSTNode) -> bool:
    """Can code between the statement creating a value and ``close`` raise or leave?"""
    start = facts.end.get(id(facts.statement_of(creation)), facts.index[id(creation)])
    return facts.risky_between(start, facts.index[id(facts.statement_of(close))])


def _uses_of(facts: _Facts, target: cst.Name) -> List[cst.Name]:
    """Loads of ``target``'s variable that read the value bound there.

    A later binding of the same name hides this one from the loads that follow it in
    the same block (or blocks nested in it); a binding in another branch does not.
    Loads before the binding are ignored, except in a loop the binding is in: the next
    pass reads the value bound in this one (``task = ensure_future(read())`` at the end
    of a ``while`` body whose ``asyncio.wait([task, ...])`` is at its top).
    """
    name = target.value
    start = facts.index[id(target)]
    loops = _loops_around(facts, target)
    others = [
        s for s in facts.stores.get(name, [])
        if s is not target and facts.nested.get(id(s)) is None and facts.index[id(s)] > start
        and not isinstance(next(iter(facts.ancestors(s)), None), cst.AugAssign)  # `tasks += [...]` keeps the list
    ]
    suites = [(facts.index[id(s)], _suite(facts, s), _read_first(facts, s)) for s in others]
    found = []
    for load in facts.loads.get(name, []):
        position = facts.index[id(load)]
        if position <= start and facts.nested.get(id(load)) is None and not (loops and _read_again(facts, load, loops)):
            continue
        hidden = False
        for store_position, suite, read_first in suites:
            if not start < store_position < position:
                continue
            ancestors = list(facts.ancestors(load))
            if any(a is suite for a in ancestors) and not any(a is read_first for a in ancestors):
                hidden = True
                break
        if not hidden:
            found.append(load)
    return found


def _read_first(facts: _Facts, store: cst.Name) -> Optional[cst.CSTNode]:
    """What the binding statement of ``store`` evaluates before it binds: the value of ``done,
    pending = await asyncio.wait(pending)`` reads the old ``pending``, the iterable of a ``for``
    the old value of its target."""
    for anc in facts.ancestors(store):
        if isinstance(anc, (cst.Assign, cst.AnnAssign, cst.NamedExpr)):
            return anc.value
        if isinstance(anc, (cst.For, cst.CompFor)):
            return anc.iter
        if isinstance(anc, cst.BaseStatement):
            return None
    return None


def _loops_around(facts: _Facts, node: cst.CSTNode) -> List[Union[cst.For, cst.While]]:
    """The loops of the function whose body holds ``node`` (innermost first)."""
    loops: List[Union[cst.For, cst.While]] = []
    inside: cst.CSTNode = node
    for anc in facts.ancestors(node):
        if isinstance(anc, (cst.FunctionDef, cst.Lambda, cst.ClassDef)):
            break
        if isinstance(anc, (cst.For, cst.While)) and inside is anc.body:
            loops.append(anc)
        inside = anc
    return loops


def _read_again(facts: _Facts, load: cst.Name, loops: List[Union[cst.For, cst.While]]) -> bool:
    """``load``, written before the binding, runs again after it: it is in the body of a loop
    the binding is in, or in a ``while`` test (a ``for``'s iterable is read once)."""
    ancestors = list(facts.ancestors(load))
    for loop in loops:
        parts = (loop.body, loop.test) if isinstance(loop, cst.While) else (loop.body,)
        if any(a is part for a in ancestors for part in parts):
            return True
    return False


def _suite(facts: _Facts, node: cst.CSTNode) -> Optional[cst.CSTNode]:
    for anc in facts.ancestors(node):
        if isinstance(anc, (cst.IndentedBlock, cst.SimpleStatementSuite)):
            return anc
    return facts.root


def _is_none(expr: cst.BaseExpression) -> bool:
    return isinstance(expr, cst.Name) and expr.value == "None"


# -- owners: a response closed through its session or connection ---------------------------

def _owner_fate(facts: _Facts, function: FunctionScope, call: cst.Call, policy: Policy) -> Optional[Fate]:
    """Fate of the receiver of ``owner.method(...)`` when it is owned by this function.

    ``CLOSED`` when the receiver is bound by an enclosing ``with``/``async with`` or is a
    local closed on every path; ``UNSAFE``/``CLOSED`` for a straight-line close; None
    when the receiver is not a local of this function (a parameter, ``self.x``, ...).
    """
    func = call.func
    if not isinstance(func, cst.Attribute) or not isinstance(func.value, cst.Name):
        return None
    name = func.value.value
    for anc in facts.ancestors(call):
        if isinstance(anc, cst.With):
            for item in anc.items:
                if (
                    item.asname is not None
                    and isinstance(item.asname.name, cst.Name)
                    and item.asname.name.value == name
                ):
                    return Fate(CLOSED, "with", name=name)
    stores = [s for s in facts.stores.get(name, []) if facts.nested.get(id(s)) is None]
    origins = []
    for store in stores:
        assign = facts.parent.get(id(facts.parent.get(id(store))))
        if isinstance(assign, cst.Assign) and _is_none(assign.value):
            continue
        if not isinstance(assign, cst.Assign):
            return None
        origins.append(assign.value)
    if len(origins) != 1:
        return None
    value = origins[0]
    creation = value.expression if isinstance(value, cst.Await) else value
    if not isinstance(creation, cst.Call):
        return None
    return _fate(facts, function, value if value is not creation else creation, policy)


# -- helpers for rules ---------------------------------------------------------------------

def is_pytest_fixture(function: FunctionScope) -> bool:
    for name in decorator_names(function):
        if name.rsplit(".", 1)[-1] in ("fixture", "yield_fixture"):
            return True
    return False


def _enclosing_with_calls(facts: _Facts, node: cst.CSTNode, asynchronous: bool = False) -> List[cst.Call]:
    """The calls that the enclosing ``with``/``async with`` statements (``asynchronous``: only
    ``async with``) enter."""
    found = []
    for anc in facts.ancestors(node):
        if isinstance(anc, cst.With) and (anc.asynchronous is not None or not asynchronous):
            for item in anc.items:
                if isinstance(item.item, cst.Call):
                    found.append(item.item)
    return found


def _single_value(facts: _Facts, function: FunctionScope, name: str) -> Optional[cst.BaseExpression]:
    """The one expression assigned to local ``name`` in ``function`` (``None`` inits aside)."""
    values = []
    for store in facts.stores.get(name, []):
        if facts.nested.get(id(store)) is not None:
            continue
        assign = facts.parent.get(id(facts.parent.get(id(store))))
        if isinstance(assign, cst.Assign) and len(assign.targets) == 1 and assign.targets[0].target is store:
            if _is_none(assign.value):
                continue
            values.append(assign.value)
        else:
            return None
    return values[0] if len(values) == 1 else None


def _requests_under_deadlines(
    facts: _Facts, creation: cst.Call, wrapped: Callable[[cst.Call], Optional[cst.BaseExpression]],
    bounds: Callable[[cst.Call], bool],
) -> bool:
    """``creation`` builds an object bound to a local name (``client = genai.Client(...)``), and
    every read of that name is a request awaited under a deadline: the awaitable a wrapper bounds
    (``await asyncio.wait_for(client.aio.models.embed_content(...), 60)``: ``wrapped`` names it) or
    an ``await`` inside an ``async with`` one of whose calls ``bounds`` holds for
    (``asyncio.timeout(60)``). Each deadline cancels its request; nothing else holds the object."""
    assign = facts.parent.get(id(creation))
    if not (isinstance(assign, cst.Assign) and len(assign.targets) == 1
            and isinstance(assign.targets[0].target, cst.Name) and facts.nested.get(id(creation)) is None):
        return False
    uses = _uses_of(facts, assign.targets[0].target)
    for load in uses:
        if facts.nested.get(id(load)) is not None:
            return False
        request: cst.CSTNode = load  # the outermost call of `client.aio.models.embed_content(...)`
        while True:
            parent = facts.parent.get(id(request))
            if isinstance(parent, cst.Attribute) and parent.value is request:
                request = parent
            elif isinstance(parent, cst.Call) and parent.func is request:
                request = parent
            else:
                break
        if not isinstance(request, cst.Call):
            return False
        holder = facts.parent.get(id(facts.parent.get(id(request))))  # Call <- Arg <- wrapper
        if isinstance(holder, cst.Call) and wrapped(holder) is request:
            if not isinstance(facts.parent.get(id(holder)), cst.Await):
                return False
        elif not (isinstance(facts.parent.get(id(request)), cst.Await) and any(
                bounds(call) for call in _enclosing_with_calls(facts, request, asynchronous=True))):
            return False
    return bool(uses)


# -- the provider ------------------------------------------------------------------------

_FACTS: "weakref.WeakKeyDictionary[FunctionScope, _Facts]" = weakref.WeakKeyDictionary()


def _facts_of(function: FunctionScope) -> _Facts:
    """The flow facts of ``function``, built once, on demand, whether the function creates a value
    (``Flows``) or is lent one (``_lent_to_a_borrower``); kept as long as the function's scope."""
    found = _FACTS.get(function)
    if found is None:
        found = _FACTS[function] = _Facts(function.node)
    return found


class Flows:
    """The ownership questions of one module; each function's flow facts built once (``_facts_of``)."""

    def origin(self, function: FunctionScope, creation: cst.CSTNode) -> cst.CSTNode:
        """The expression that holds the created value (the ``await`` around a call, ...)."""
        return origin_of(_facts_of(function), creation)

    def fate(self, function: FunctionScope, creation: cst.CSTNode, policy: Policy) -> Fate:
        return _fate(_facts_of(function), function, creation, policy)

    def risky_before(self, function: FunctionScope, creation: cst.CSTNode, close: cst.CSTNode) -> bool:
        return _risky_before(_facts_of(function), function, creation, close)

    def owner_fate(self, function: FunctionScope, call: cst.Call, policy: Policy) -> Optional[Fate]:
        return _owner_fate(_facts_of(function), function, call, policy)

    def enclosing_with_calls(self, function: FunctionScope, node: cst.CSTNode) -> List[cst.Call]:
        return _enclosing_with_calls(_facts_of(function), node)

    def requests_under_deadlines(
        self, function: FunctionScope, creation: cst.Call,
        wrapped: Callable[[cst.Call], Optional[cst.BaseExpression]], bounds: Callable[[cst.Call], bool],
    ) -> bool:
        return _requests_under_deadlines(_facts_of(function), creation, wrapped, bounds)

    def single_value(self, function: FunctionScope, name: str) -> Optional[cst.BaseExpression]:
        return _single_value(_facts_of(function), function, name)


class Ownership(Provider[Flows]):
    """Where values created in a function go: closed, escaped or dropped (HB1xx, HB5xx)."""

    def build(self, facts: Facts) -> Flows:
        return Flows()
