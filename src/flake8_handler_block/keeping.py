"""Where a response that is never closed stays alive, and whether its body is read in full.

CPython frees a value the moment its last reference goes: a response that is only
ever held in locals is closed (its socket with it) when the function returns, and one
read to the end has already given its connection back. What really leaks is a
response *kept*: stored on an attribute, in a module global or a container, and never
read to the end or closed anywhere in the module. Shared by HB101 and HB102.

A use of the value is one of:

* released: a closing method, a full read (``r.read()``, ``r.content``, ``await
  r.json()``), ``with r``, iteration (``for line in r`` reads to the end);
* handed on: passed to a call (``json.load(r)``, ``closing(r)``, ``helper(r)``),
  yielded, captured by a nested function: whoever gets it owns it;
* stored: assigned to an attribute, a global or a subscript, or put in a container
  (``pending.append(r)``);
* returned: the caller owns it (followed by the rules through the module's calls);
* anything else (``r.status``, ``r.read(100)``) keeps it local.
"""

from __future__ import annotations

from typing import Dict, FrozenSet, Iterable, Iterator, List, NamedTuple, Optional, Set, Tuple

import libcst as cst

from .facts import Facts, Provider
from .loops import has_way_out
from .names import dotted_name
from .raising import SAFE_CALLS
from .reach import enclosing_class
from .scopes import FunctionScope
from .walk import children

RELEASED, HANDED, STORED, RETURNED, LOCAL = "released", "handed", "stored", "returned", "local"
_STORE_METHODS = frozenset({"append", "appendleft", "add", "insert", "put", "put_nowait", "setdefault"})
_NESTED = (cst.FunctionDef, cst.Lambda, cst.ClassDef)
_PACKED = (cst.Tuple, cst.List, cst.Set, cst.Element, cst.Dict, cst.DictElement, cst.StarredElement)


class Reads(NamedTuple):
    """How one kind of response is released."""

    closers: FrozenSet[str]  # methods that close it
    called: FrozenSet[str] = frozenset()  # methods that read the body in full when called with no argument
    attributes: FrozenSet[str] = frozenset()  # attributes whose access reads the body in full
    views: FrozenSet[str] = frozenset()  # members that hand the body on (a stream, a generator)
    read_views: FrozenSet[str] = frozenset()  # views whose read to the end (``called``, whole) reads the body


class Kept(NamedTuple):
    """Where a value is kept: the node that stores it and the holder, as written."""

    node: cst.CSTNode
    holder: str  # "self._feed", "RESPONSES", "CACHE"
    is_attribute: bool  # held on an object (self.x / obj.x), not a global or a container


class Fate(NamedTuple):
    kind: str  # RELEASED, HANDED, STORED, RETURNED or LOCAL
    kept: Optional[Kept] = None


class Parents:
    """Parent links of one tree (a function or the module), built once."""

    def __init__(self, root: cst.CSTNode) -> None:
        self.root = root
        self.parent: Dict[int, cst.CSTNode] = {}
        self.nested: Set[int] = set()  # nodes inside a nested function, lambda or class
        self.loads: Dict[str, List[cst.Name]] = {}
        self.declared: Set[str] = set()  # global/nonlocal names
        stack: List[Tuple[cst.CSTNode, bool]] = [(root, False)]
        while stack:
            node, inside = stack.pop()
            if inside:
                self.nested.add(id(node))
            if isinstance(node, cst.Name):
                self.loads.setdefault(node.value, []).append(node)
            elif isinstance(node, (cst.Global, cst.Nonlocal)) and not inside:
                self.declared.update(item.name.value for item in node.names)
            inner = inside or (node is not root and isinstance(node, _NESTED))
            for child in children(node):
                self.parent[id(child)] = node
                stack.append((child, inner))

    def of(self, node: cst.CSTNode) -> Optional[cst.CSTNode]:
        return self.parent.get(id(node))

    def walk(self, root: Optional[cst.CSTNode] = None) -> Iterator[cst.CSTNode]:
        stack = [self.root if root is None else root]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(children(node))


class Keeping:
    """The keeping questions of one module; parent links built per function, on demand."""

    def __init__(self, module: cst.Module) -> None:
        self.module = module
        self._functions: Dict[int, Parents] = {}
        self._module: Optional[Parents] = None

    def _of(self, function: FunctionScope) -> Parents:
        found = self._functions.get(id(function.node))
        if found is None:
            found = self._functions[id(function.node)] = Parents(function.node)
        return found

    def parent(self, function: FunctionScope, node: cst.CSTNode) -> Optional[cst.CSTNode]:
        """The node that holds ``node`` in ``function`` (None at its top)."""
        return self._of(function).of(node)

    def path(self, function: FunctionScope, node: cst.CSTNode) -> List[cst.CSTNode]:
        """The nodes from ``function``'s own node down to ``node``, both included."""
        links = self._of(function)
        found = [node]
        while (above := links.of(found[-1])) is not None:
            found.append(above)
        return found[::-1]

    def fate(self, function: FunctionScope, value: cst.CSTNode, reads: Reads) -> Fate:
        """What becomes of ``value`` (an expression in ``function``): the strongest use wins.

        Released or handed on beats stored (someone may close it), stored beats
        returned, returned beats local.
        """
        tree = self._of(function)
        kind, where = _use(tree, value, reads)
        if kind != "bind":
            return _fate_of(kind, where, tree)
        assert isinstance(where, cst.Name)
        if where.value in tree.declared:
            return Fate(STORED, Kept(where, where.value, False))
        fates = []
        for load in tree.loads.get(where.value, []):
            if load is where or id(load) not in tree.parent or _is_store(tree, load):
                continue
            if id(load) in tree.nested:
                return Fate(HANDED)  # captured by a nested function
            kind, node = _use(tree, load, reads)
            fates.append(_fate_of("local" if kind == "bind" else kind, node, tree))
        return _strongest(fates)

    def read_in_full(self, function: FunctionScope, value: cst.CSTNode, reads: Reads) -> bool:
        """Whether the body of ``value`` (or of the local it is bound to) is read in full somewhere."""
        tree = self._of(function)
        kind, where = _use(tree, value, reads)
        if kind == RELEASED:
            return _is_read(where, reads)
        if kind != "bind" or not isinstance(where, cst.Name):
            return False
        for load in tree.loads.get(where.value, []):
            if load is where or id(load) in tree.nested or _is_store(tree, load):
                continue
            kind, node = _use(tree, load, reads)
            if kind == RELEASED and _is_read(node, reads):
                return True
        return False

    def released_elsewhere(self, kept: Kept, reads: Reads, within: Optional[cst.CSTNode] = None) -> bool:
        """Whether the module releases (or hands on, or replaces) what ``kept.holder`` holds.

        Every other mention of the holder (in ``within``: the class, for ``self.x``) is
        read: a close or a full read, passing it to a call, iterating it, another
        assignment to it in a function (the old value is dropped; a module-level or
        ``__init__`` assignment only sets it up), ``pop()``/``clear()``/``del`` on a
        container. Only a holder that is stored into and otherwise merely looked at
        keeps its responses for good.
        """
        if self._module is None:
            self._module = Parents(self.module)
        tree = self._module
        last = kept.holder.rsplit(".", 1)[-1]
        for node in tree.walk(within):
            if node is kept.node or not _mentions(node, kept.holder, last):
                continue
            parent = tree.of(node)
            if isinstance(parent, cst.Attribute) and parent.value is node:
                member = parent.attr.value
                if member in _STORE_METHODS:
                    continue  # one more put in
                if member in ("get", "__getitem__") and not kept.is_attribute:
                    continue  # looked at, still held
            if _is_store(tree, node):
                if _sets_up(tree, node):
                    continue
                return True  # replaced (or deleted): the old value is dropped
            if isinstance(parent, cst.Subscript) and parent.value is node:
                grand = tree.of(parent)
                if _is_store(tree, parent) or isinstance(grand, cst.Del):
                    if isinstance(grand, cst.Del):
                        return True
                    continue
                node = parent  # an item of the container: judged like the holder
            kind, _ = _use(tree, node, reads)
            if kind in (RELEASED, HANDED, RETURNED):
                return True
            if kind == "local" and not kept.is_attribute:
                continue
            if kind == "bind":
                return True  # aliased: followed no further
            if isinstance(parent, cst.Attribute) and parent.value is node and parent.attr.value in (
                "pop", "popleft", "popitem", "clear", "remove", "discard", "get_nowait"
            ):
                return True
        return False


def per_request_object(function: FunctionScope, handlers: Iterable[FunctionScope]) -> bool:
    """``function`` is a method of a class whose instances serve one request (a handler class).

    ``self.x`` there dies with the request: nothing is kept.
    """
    cls = enclosing_class(function)
    if cls is None:
        return False
    return any(handler.cls is cls for handler in handlers)


# -- one use -------------------------------------------------------------------------------

def _use(tree: Parents, node: cst.CSTNode, reads: Reads) -> Tuple[str, Optional[cst.CSTNode]]:
    """What the expression ``node`` is used for: a kind and the node that decides it."""
    while True:
        parent = tree.of(node)
        if parent is None or parent is tree.root:
            return HANDED, parent
        if isinstance(parent, cst.Await) or isinstance(parent, cst.BooleanOperation) or (
            isinstance(parent, cst.IfExp) and node is not parent.test
        ):
            node = parent
            continue
        if isinstance(parent, cst.Attribute) and node is parent.value:
            return _member(tree, parent, reads)
        if isinstance(parent, cst.Arg):
            call = tree.of(parent)
            if isinstance(call, cst.Call) and isinstance(call.func, cst.Name) and call.func.value in SAFE_CALLS:
                return "local", call  # len(x), repr(x): only looked at
            func = call.func if isinstance(call, cst.Call) else None
            if isinstance(func, cst.Attribute) and func.attr.value in _STORE_METHODS:
                if dotted_name(func.value) is not None:
                    return STORED, call
            return HANDED, call
        if isinstance(parent, cst.WithItem) and node is parent.item:
            return RELEASED, parent
        if isinstance(parent, (cst.For, cst.CompFor)) and node is parent.iter:
            return RELEASED, parent  # iterating reads to the end
        if isinstance(parent, cst.Return):
            return RETURNED, parent
        if isinstance(parent, cst.Yield):
            return HANDED, parent
        if isinstance(parent, (cst.Assign, cst.AnnAssign)) and node is parent.value:
            targets = [t.target for t in parent.targets] if isinstance(parent, cst.Assign) else [parent.target]
            if len(targets) != 1:
                return HANDED, parent
            target = targets[0]
            if isinstance(target, cst.Name):
                return "bind", target
            if isinstance(target, (cst.Attribute, cst.Subscript)):
                return STORED, target
            return HANDED, parent
        if isinstance(parent, _PACKED):
            return HANDED, parent  # packed with others: followed no further
        if isinstance(parent, cst.NamedExpr):
            return HANDED, parent
        return "local", parent


def _member(tree: Parents, attr: cst.Attribute, reads: Reads) -> Tuple[str, Optional[cst.CSTNode]]:
    name = attr.attr.value
    outer = tree.of(attr)
    called = isinstance(outer, cst.Call) and outer.func is attr
    if name in reads.closers:
        return (RELEASED, outer) if called else (HANDED, attr)  # `callback(r.close)` hands the closing on
    if called and name in reads.called and _whole(outer):  # type: ignore[arg-type]
        return RELEASED, outer
    if not called and name in reads.attributes:
        return RELEASED, attr
    if name in reads.read_views and isinstance(outer, cst.Attribute) and outer.value is attr:
        read = tree.of(outer)  # `await resp.content.read()`: the stream read to its end
        if isinstance(read, cst.Call) and read.func is outer and outer.attr.value in reads.called and _whole(read):
            return RELEASED, read
    if name in reads.views:
        loop = _spent_by(tree, outer if isinstance(outer, cst.Call) and called else attr, reads)
        return (RELEASED, loop) if loop is not None else (HANDED, attr)
    return "local", attr


def _spent_by(tree: Parents, view: cst.CSTNode, reads: Reads) -> Optional[cst.For]:
    """The ``for`` (or ``async for``) loop that iterates the body view ``view`` to its end
    (``for chunk in r.iter_content(): ...``, ``async for c in resp.content.iter_chunked(n)``),
    if no ``break``, ``return``, ``raise`` or ``yield`` in it can stop it early: a full read."""
    node = view
    outer = tree.of(node)
    while isinstance(outer, cst.Attribute) and outer.value is node and outer.attr.value in reads.views:
        node = outer  # a view of a view: resp.content.iter_chunked(n)
        outer = tree.of(node)
        if isinstance(outer, cst.Call) and outer.func is node:
            node = outer
            outer = tree.of(node)
    if isinstance(outer, cst.For) and outer.iter is node and not has_way_out(outer.body, suspends=False):
        return outer
    return None


_SIZES = frozenset({"amt", "size", "n"})


def _whole(call: cst.Call) -> bool:
    """A read with no size (``read()``, ``json(encoding="utf-8")``), not ``read(100)``."""
    return all(arg.keyword is not None and arg.keyword.value not in _SIZES for arg in call.args)


def _is_read(node: Optional[cst.CSTNode], reads: Reads) -> bool:
    """A release that is a full read (not a close, a with or an iteration)."""
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
        return node.func.attr.value in reads.called
    if isinstance(node, cst.Attribute):
        return node.attr.value in reads.attributes
    return isinstance(node, (cst.For, cst.CompFor))


def _fate_of(kind: str, where: Optional[cst.CSTNode], tree: Parents) -> Fate:
    if kind == STORED:
        return Fate(STORED, _kept(where, tree))
    if kind in (RELEASED, HANDED, RETURNED):
        return Fate(kind)
    return Fate(LOCAL)


_ORDER = {RELEASED: 0, HANDED: 0, STORED: 1, RETURNED: 2, LOCAL: 3}


def _strongest(fates: List[Fate]) -> Fate:
    if not fates:
        return Fate(LOCAL)
    return min(fates, key=lambda fate: _ORDER[fate.kind])


def _kept(where: Optional[cst.CSTNode], tree: Parents) -> Optional[Kept]:
    """The holder a STORED use puts the value in."""
    if isinstance(where, cst.Call) and isinstance(where.func, cst.Attribute):  # pending.append(r)
        holder = dotted_name(where.func.value)
        return Kept(where, holder, False) if holder else None
    if isinstance(where, cst.Attribute):
        holder = dotted_name(where)
        return Kept(where, holder, True) if holder else None
    if isinstance(where, cst.Subscript):
        holder = dotted_name(where.value)
        return Kept(where, holder, False) if holder else None
    return None


def _is_store(tree: Parents, node: cst.CSTNode) -> bool:
    parent = tree.of(node)
    if isinstance(parent, cst.AssignTarget):
        return parent.target is node
    if isinstance(parent, (cst.AnnAssign, cst.AugAssign, cst.For, cst.CompFor, cst.NamedExpr)):
        return getattr(parent, "target", None) is node
    if isinstance(parent, cst.Del):
        return True
    return False


_SETUP_METHODS = frozenset({"__init__", "__new__", "__post_init__", "setUp", "setup"})


def _sets_up(tree: Parents, node: cst.CSTNode) -> bool:
    """A store at module level, in a class body or in ``__init__``: the holder's first value."""
    current = tree.of(node)
    while current is not None:
        if isinstance(current, cst.FunctionDef):
            return current.name.value in _SETUP_METHODS
        current = tree.of(current)
    return True


def _mentions(node: cst.CSTNode, holder: str, last: str) -> bool:
    """``node`` is the holder as written (``self._feed``, ``RESPONSES``)."""
    if isinstance(node, cst.Name):
        return "." not in holder and node.value == holder
    if isinstance(node, cst.Attribute):
        return node.attr.value == last and dotted_name(node) == holder
    return False


class Keeps(Provider[Keeping]):
    """Where never-closed responses stay alive (HB101, HB102)."""

    def build(self, facts: Facts) -> Keeping:
        return Keeping(facts.tree)


def holder_class(function: FunctionScope, kept: Kept) -> Optional[cst.CSTNode]:
    """Where to look for the other uses of a ``self.x`` holder: its class (None: the module)."""
    if not kept.holder.startswith("self."):
        return None
    cls = enclosing_class(function)
    return cls.node if cls is not None else None
