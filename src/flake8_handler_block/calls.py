"""Reading a call's arguments: keywords, positionals, ``*args`` and ``**kwargs``.

A ``**name`` whose dict the module shows in full (see :class:`Mappings`) is read
like a literal ``**{...}``: its keys are the keywords it passes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict, FrozenSet, Iterator, List, Optional, Set, Tuple

import libcst as cst

from .catalog import DATA_SCHEME, DEADLINE_SCOPES, DEADLINE_WRAPPERS, DICT_READ_METHODS, negligible_wait, says_scheme
from .project.summary import TABLE_CALL
from .facts import Provider
from .names import Ref, assigned_value, caller_arguments, dotted_name, is_none, param_place, resolve
from .scopes import Batchable, in_body, tests_around
from .walk import BatchedWalk, iter_nodes

if TYPE_CHECKING:  # pragma: no cover
    from .facts import Facts
    from .scopes import CallSite, Scope

PRESENT, MISSING, NONE = "present", "missing", "none"

_EMPTY_MODULE = cst.Module(body=[])


def is_false(expr: Optional[cst.BaseExpression]) -> bool:
    if isinstance(expr, cst.Name):
        return expr.value == "False"
    return isinstance(expr, cst.Integer) and expr.value == "0"


def is_true(expr: Optional[cst.BaseExpression]) -> bool:
    return isinstance(expr, cst.Name) and expr.value == "True"


def positional(call: cst.Call) -> list:
    """Values passed by position, up to the first ``*args``."""
    values = []
    for arg in call.args:
        if arg.star or arg.keyword is not None:
            break
        values.append(arg.value)
    return values


def has_star(call: cst.Call) -> bool:
    return any(arg.star == "*" for arg in call.args)


def keyword(call: cst.Call, name: str, mappings: Optional["Mappings"] = None) -> Optional[cst.BaseExpression]:
    """The value of ``name=...``, also found in ``**{"name": ...}`` or a ``**dict`` that ``mappings`` shows."""
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg.value
        if arg.star == "**":
            items = _items(arg.value, mappings)
            if items is not None and name in items:
                return items[name]
    return None


def forwards_unknown_kwargs(call: cst.Call, mappings: Optional["Mappings"] = None) -> bool:
    """``**kwargs`` whose keys we cannot see (a literal dict, or one ``mappings`` shows, is seen through)."""
    return any(arg.star == "**" and _items(arg.value, mappings) is None for arg in call.args)


def argument(call: cst.Call, name: str, index: Optional[int] = None) -> Optional[cst.BaseExpression]:
    """The value passed for parameter ``name`` (by keyword, or at position ``index``), if visible."""
    value = keyword(call, name)
    if value is None and index is not None:
        values = positional(call)
        if len(values) > index:
            value = values[index]
    return value


def does_not_block(call: cst.Call, index: Optional[int]) -> bool:
    """A literal false ``block``/``blocking`` flag (``q.get(False)``, ``lock.acquire(blocking=False)``)."""
    if index is None:
        return False
    flag = keyword(call, "block")
    if flag is None:
        flag = argument(call, "blocking", index)
    return is_false(flag)


def is_zero(expr: Optional[cst.BaseExpression]) -> bool:
    return isinstance(expr, (cst.Integer, cst.Float)) and float(expr.value.replace("_", "")) == 0


def is_minus_one(expr: Optional[cst.BaseExpression]) -> bool:
    """A literal ``-1``: "wait forever" in threading's and python-ldap's timeouts."""
    return (
        isinstance(expr, cst.UnaryOperation) and isinstance(expr.operator, cst.Minus)
        and isinstance(expr.expression, cst.Integer) and expr.expression.value == "1"
    )


def is_negligible_wait(expr: Optional[cst.BaseExpression]) -> bool:
    """A literal number of seconds short enough to stall nothing (``catalog.negligible_wait``)."""
    return isinstance(expr, (cst.Integer, cst.Float)) and negligible_wait(float(expr.value.replace("_", "")))


def argument_state(
    call: cst.Call, name: str, index: Optional[int] = None, mappings: Optional["Mappings"] = None
) -> str:
    """PRESENT, MISSING, or NONE (passed as the literal None) for keyword ``name``.

    ``index`` is the parameter's position when it may be passed positionally. An
    unseen ``*args`` or ``**kwargs`` may carry it: that counts as PRESENT, since an
    unknown is never reported. ``mappings`` lets a ``**name`` of a dict the module
    shows in full be read like a literal one.
    """
    value = keyword(call, name, mappings)
    if value is None and index is not None:
        values = positional(call)
        if len(values) > index:
            value = values[index]
        elif has_star(call):
            return PRESENT
    if value is None:
        return PRESENT if forwards_unknown_kwargs(call, mappings) else MISSING
    return NONE if is_none(value) else PRESENT


def missing_timeout(
    call: cst.Call, index: Optional[int] = None, mappings: Optional["Mappings"] = None, keyword: str = "timeout"
) -> Optional[str]:
    """How a call lacks its ``timeout`` (the words for the message), or None when it has one."""
    state = argument_state(call, keyword, index, mappings)
    if state == MISSING:
        return "has no timeout"
    if state == NONE:
        return f"passes {keyword}=None"
    return None


def sets_deadline(call: cst.Call, callee: Optional[str]) -> bool:
    """``asyncio.timeout(30)``, ``anyio.fail_after(30)``... (``catalog.DEADLINE_SCOPES``, ``callee``
    being what ``call`` calls) with a deadline: ``timeout(None)`` sets none."""
    if callee not in DEADLINE_SCOPES:
        return False
    args = [arg for arg in call.args if arg.keyword is None]
    return not (args and is_none(args[0].value))


def bounded_awaitable(call: cst.Call, callee: Optional[str]) -> Optional[cst.BaseExpression]:
    """The awaitable ``asyncio.wait_for(aw, 30)`` (``catalog.DEADLINE_WRAPPERS``) waits for under a
    deadline; None when ``call`` is no such wrapper or passes ``timeout=None``."""
    index = DEADLINE_WRAPPERS.get(callee or "")
    if index is None or not call.args or call.args[0].keyword is not None:
        return None
    limit = argument(call, "timeout", index)
    return None if limit is None or is_none(limit) else call.args[0].value


def string_value(expr: Optional[cst.BaseExpression]) -> Optional[str]:
    if isinstance(expr, cst.SimpleString):
        text = expr.evaluated_value
        return text if isinstance(text, str) else None
    return None


# -- what keys a mapping has --------------------------------------------------------------

# Methods that read a dict without changing it: calling them leaves its keys as they were.
_READ_METHODS = DICT_READ_METHODS | {"__contains__", "__getitem__"}
_MAX_SPLATS = 4  # `{**A, ...}` where A is itself `{**B, ...}`: how deep to follow


def _items(
    expr: cst.BaseExpression, mappings: Optional["Mappings"], depth: int = 0
) -> Optional[Dict[str, cst.BaseExpression]]:
    """Key -> value of a dict whose keys are all visible: a display, ``dict(k=v)``, or a name ``mappings`` shows."""
    if depth > _MAX_SPLATS:
        return None
    if isinstance(expr, cst.Dict):
        items: Dict[str, cst.BaseExpression] = {}
        for element in expr.elements:
            if isinstance(element, cst.StarredDictElement):
                inner = _items(element.value, mappings, depth + 1)
                if inner is None:
                    return None
                items.update(inner)
                continue
            key = string_value(element.key) if isinstance(element, cst.DictElement) else None
            if key is None:
                return None  # a computed key could be "timeout"
            items[key] = element.value
        return items
    if isinstance(expr, cst.Call) and dotted_name(expr.func) == "dict":
        if any(arg.keyword is None for arg in expr.args):
            return None  # dict(other, ...), dict(**other): keys we cannot list
        return {arg.keyword.value: arg.value for arg in expr.args if arg.keyword is not None}
    if isinstance(expr, cst.Name) and mappings is not None:
        found = mappings.shown(expr)
        if found is None:
            return None
        shown, updates = found
        merged = _items(shown, mappings, depth + 1)
        if merged is None:
            return None
        for added in updates:
            more = _items(added, mappings, depth + 1)
            if more is None:
                return None
            for key, value in more.items():
                if key not in merged or is_none(merged[key]):
                    merged[key] = value  # a key set twice: the value that is not None (an unknown is not reported)
        return merged
    return None


def _update_items(call: cst.Call) -> Optional[cst.BaseExpression]:
    """What ``name.update(...)`` adds when its keys are all written out: ``update({"k": v})``,
    ``update(k=v)``; None otherwise."""
    if len(call.args) == 1 and call.args[0].keyword is None and not call.args[0].star:
        value = call.args[0].value
        return value if isinstance(value, cst.Dict) else None
    if call.args and all(arg.keyword is not None for arg in call.args):
        return cst.Call(func=cst.Name("dict"), args=call.args)
    return None


class _NameUses(Batchable):
    """Every use of every name in a module, and which of them cannot change a dict."""

    def __init__(self) -> None:
        self.uses: Dict[str, List[cst.Name]] = {}
        self.harmless: Set[int] = set()  # ids of the Name nodes whose use leaves a dict as it is
        self.definitions: Dict[str, List[cst.BaseExpression]] = {}  # name -> the dicts assigned to it
        # name -> what `name.update({...})` / `name.update(k=v)` adds, keys all written out
        self.updates: Dict[str, List[cst.BaseExpression]] = {}
        self._written: Set[int] = set()  # ids of subscripts assigned to or deleted
        # Where each definition, update and use is: the id of the innermost def or class (0: the module)
        self.where: Dict[int, int] = {}
        self.parent: Dict[int, int] = {}  # a def or class -> the one around it
        self.shared: Set[str] = set()  # names declared `global` or `nonlocal` somewhere
        self._scopes: List[int] = [0]

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._enter(node)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._enter(node)

    def _enter(self, node: cst.CSTNode) -> None:
        self.parent[id(node)] = self._scopes[-1]
        self._scopes.append(id(node))

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._scopes.pop()

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self._scopes.pop()

    def visit_Global(self, node: cst.Global) -> None:
        self.shared.update(item.name.value for item in node.names)

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        self.shared.update(item.name.value for item in node.names)

    def visit_Name(self, node: cst.Name) -> None:
        self.uses.setdefault(node.value, []).append(node)
        self.where[id(node)] = self._scopes[-1]

    # definitions: `KWARGS = {...}`, `KWARGS: dict = dict(verify=False)`
    def visit_Assign(self, node: cst.Assign) -> None:
        if len(node.targets) == 1:
            self._define(node.targets[0].target, node.value)
            self._set_item(node.targets[0].target, node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._written_targets(node.target)
        if node.value is not None:
            self._define(node.target, node.value)

    def _define(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        if isinstance(target, cst.Name) and (
            isinstance(value, cst.Dict) or (isinstance(value, cst.Call) and dotted_name(value.func) == "dict")
        ):
            self.harmless.add(id(target))
            self.definitions.setdefault(target.value, []).append(value)
            self.where[id(value)] = self._scopes[-1]

    def _set_item(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        """``KWARGS["proxies"] = value``, the key written out: it adds that key, as
        ``KWARGS.update({"proxies": value})`` would."""
        if not (isinstance(target, cst.Subscript) and isinstance(target.value, cst.Name) and len(target.slice) == 1):
            return
        index = target.slice[0].slice
        if not isinstance(index, cst.Index) or string_value(index.value) is None:
            return
        added = cst.Dict([cst.DictElement(index.value, value)])
        self.harmless.add(id(target.value))
        self.updates.setdefault(target.value.value, []).append(added)
        self.where[id(added)] = self._scopes[-1]

    # other writes: `KWARGS[key] = 5`, `del KWARGS["timeout"]` (visited before the subscript itself)
    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self._written_targets(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._written_targets(node.target)

    def visit_Del(self, node: cst.Del) -> None:
        self._written_targets(node.target)

    def _written_targets(self, target: cst.BaseExpression) -> None:
        if isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._written_targets(element.value)
        elif isinstance(target, cst.StarredElement):
            self._written_targets(target.value)
        else:
            self._written.add(id(target))

    # reads
    def visit_Arg(self, node: cst.Arg) -> None:
        if node.star == "**" and isinstance(node.value, cst.Name):
            self.harmless.add(id(node.value))

    def visit_StarredDictElement(self, node: cst.StarredDictElement) -> None:
        if isinstance(node.value, cst.Name):
            self.harmless.add(id(node.value))  # `{**KWARGS, ...}` copies it

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.attr.value in _READ_METHODS:
            self.harmless.add(id(func.value))
        elif isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.attr.value == "update":
            added = _update_items(node)
            if added is not None:
                self.harmless.add(id(func.value))
                self.updates.setdefault(func.value.value, []).append(added)
                self.where[id(added)] = self._scopes[-1]

    def visit_Subscript(self, node: cst.Subscript) -> None:
        if isinstance(node.value, cst.Name) and id(node) not in self._written:
            self.harmless.add(id(node.value))

    def visit_ComparisonTarget(self, node: cst.ComparisonTarget) -> None:
        if isinstance(node.operator, (cst.In, cst.NotIn)) and isinstance(node.comparator, cst.Name):
            self.harmless.add(id(node.comparator))


class Mappings:
    """Which names hold a dict whose keys the module shows in full.

    A name qualifies when the module assigns it exactly once, a dict display or
    ``dict(k=...)`` (or one function assigns it such dicts only, the keys of all of
    them together), and every other use of that name anywhere in the module is one
    that cannot change it: ``**NAME``, ``{**NAME}``, ``NAME[...]`` read,
    ``NAME.get(...)``/``keys()``/``items()``..., ``x in NAME``, or adds keys written out
    (``NAME.update({"k": v})``, ``NAME.update(k=v)``, ``NAME["k"] = v``: its keys are then all
    the keys it may hold, on any path). Anything else (an item assigned under a computed key,
    an item deleted, another ``update()``, the dict handed to a function, the name rebound,
    imported, a parameter) makes its keys unknown, and an unknown is never reported.
    Names are compared module-wide, not per scope: a clash only makes a name unknown.
    """

    def __init__(self, tree: cst.Module) -> None:
        self._tree = tree
        self._uses: Optional[_NameUses] = None
        self._shown: Dict[str, Optional[cst.BaseExpression]] = {}

    def definition(self, name: str) -> Optional[cst.BaseExpression]:
        """The dict assigned to ``name`` when its keys are all known, else None."""
        if name not in self._shown:
            self._shown[name] = self._find(name)
        return self._shown[name]

    def shown(self, use: cst.Name) -> Optional[Tuple[cst.BaseExpression, List[cst.BaseExpression]]]:
        """The dict ``use`` (a name read in the module) holds when its keys are all known, and the
        ``update(...)`` calls that add to it; None otherwise. The dict is the one the module assigns
        to that name, or, when several functions assign it, the one the function of ``use`` assigns:
        a local of its own (assigned more than once, the others come with the updates)."""
        definition = self.definition(use.value)
        uses = self._uses
        if uses is None:
            return None
        if definition is not None:
            return definition, uses.updates.get(use.value, [])
        name = use.value
        scope = uses.where.get(id(use), 0)
        if not scope or name in uses.shared or any(id(u) not in uses.harmless for u in uses.uses.get(name, [])):
            return None
        own = [d for d in uses.definitions.get(name, []) if uses.where.get(id(d)) == scope]
        if not own:
            return None
        # Several dicts the function assigns to it (`kw = {}`, then `kw = {...}` under an `if`): it
        # holds one of them, so the keys of all of them are all it may hold, as with `update()`.
        updates = own[1:]
        for added in uses.updates.get(name, []):
            at = uses.where.get(id(added), 0)
            if at == scope:
                updates.append(added)
            elif self._inside(at, scope):
                return None  # a nested function adds to it: when is not known
        return own[0], updates

    def _inside(self, scope: int, outer: int) -> bool:
        assert self._uses is not None
        while scope:
            scope = self._uses.parent.get(scope, 0)
            if scope == outer:
                return True
        return False

    def keys(self, expr: cst.BaseExpression) -> Optional[FrozenSet[str]]:
        """The keys ``**expr`` passes, None when they cannot all be seen."""
        items = _items(expr, self)
        return frozenset(items) if items is not None else None

    def _find(self, name: str) -> Optional[cst.BaseExpression]:
        if self._uses is None:
            self._uses = _NameUses()
            BatchedWalk([self._uses]).walk(self._tree)
        uses = self._uses
        definitions = uses.definitions.get(name, [])
        if len(definitions) != 1:
            return None
        if any(id(use) not in uses.harmless for use in uses.uses.get(name, [])):
            return None
        return definitions[0]


class MappingFacts(Provider[Mappings]):
    """The :class:`Mappings` of the module being analysed (scanned only when a ``**name`` is read)."""

    def build(self, facts: "Facts") -> Mappings:
        return Mappings(facts.tree)


# -- messages ------------------------------------------------------------------------------

_MAX_CALL_TEXT = 60


def is_data_url(site: "CallSite") -> bool:
    """``urlopen("data:...")``: decoded in memory; no socket is opened, nothing can stall."""
    return url_scheme_in(site, DATA_SCHEME)


def url_scheme_in(site: "CallSite", schemes: FrozenSet[str], depth: int = 0) -> bool:
    """The URL ``urlopen(url)`` is given has one of ``schemes``: a string that says so, a name a test
    around the call saw so (``if url.startswith("data:")``, ``if urlparse(url).scheme == "file"``,
    or the scheme of a name given ``urlparse(url)``), or a parameter for which every call of its
    function in the module passes such a value (Synapse's ``_parse_data_url(url)``, called only
    under that test)."""
    values = positional(site.node)
    return bool(values) and _url_scheme_in(values[0], site, schemes, depth)


def _url_scheme_in(value: cst.BaseExpression, site: "CallSite", schemes: FrozenSet[str], depth: int) -> bool:
    if isinstance(value, cst.SimpleString):
        text = value.evaluated_value
        return isinstance(text, str) and says_scheme(text, schemes)
    if isinstance(value, cst.FormattedString) and value.parts and isinstance(value.parts[0], cst.FormattedStringText):
        return says_scheme(value.parts[0].value, schemes)
    if not isinstance(value, cst.Name) or depth > 3:
        return False
    written = site.handed_by or site.node  # a call a hand-off makes is written as the hand-off
    for block, test in tests_around(site, ("if",)):
        if _tests_scheme(test, value.value, site, schemes) and in_body(block, written):
            return True
    function = site.function
    param = param_place(function, value.value) if function is not None else None
    passed = caller_arguments(function, *param, depth=depth) if function is not None and param is not None else None
    return bool(passed) and all(_url_scheme_in(arg, caller, schemes, depth + 1) for caller, arg in passed or ())


def _tests_scheme(test: cst.BaseExpression, name: str, site: "CallSite", schemes: FrozenSet[str]) -> bool:
    """``name.startswith("data:")``, or ``<parts of name>.scheme == "file"`` (either side), where
    the parts are ``urlparse(name)`` / ``urlsplit(name)``, written there or given to a name once;
    also as one side of an ``and``."""
    if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.And):
        return any(_tests_scheme(side, name, site, schemes) for side in (test.left, test.right))
    if isinstance(test, cst.Call):
        func, values = test.func, positional(test)
        return (
            isinstance(func, cst.Attribute) and func.attr.value == "startswith" and dotted_name(func.value) == name
            and len(values) == 1 and isinstance(values[0], cst.SimpleString)
            and says_scheme(str(values[0].evaluated_value), schemes)
        )
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
        return False
    target = test.comparisons[0]
    if not isinstance(target.operator, cst.Equal):
        return False
    for scheme_of, text in ((test.left, target.comparator), (target.comparator, test.left)):
        if (isinstance(text, cst.SimpleString) and str(text.evaluated_value).lower() in schemes
                and isinstance(scheme_of, cst.Attribute) and scheme_of.attr.value == "scheme"):
            parts, _ = assigned_value(scheme_of.value, site.scope)
            return _parses(parts, name)
    return False


def _parses(parts: cst.BaseExpression, name: str) -> bool:
    """``urlparse(name)``, ``urllib.parse.urlsplit(name)``."""
    if not isinstance(parts, cst.Call):
        return False
    values = positional(parts)
    callee = dotted_name(parts.func) or ""
    return (callee.rsplit(".", 1)[-1] in ("urlparse", "urlsplit") and len(values) >= 1
            and isinstance(values[0], cst.Name) and values[0].value == name)


def call_text(call: cst.Call) -> str:
    """The callee as written (``session.get``), on one line, for messages.

    Calls inside the callee lose their arguments (``run_coroutine_threadsafe(...).result``),
    and a long callee keeps its end, which names the call that blocks.
    """
    name = dotted_name(call.func)
    if name is None:
        name = _short(call.func)
    return name if len(name) <= _MAX_CALL_TEXT else "..." + name[-(_MAX_CALL_TEXT - 3):]


def _short(expr: cst.BaseExpression) -> str:
    if isinstance(expr, cst.Name):
        return expr.value
    if isinstance(expr, cst.Attribute):
        return f"{_short(expr.value)}.{expr.attr.value}"
    if isinstance(expr, cst.Call):
        return f"{_short(expr.func)}({'...' if expr.args else ''})"
    if isinstance(expr, cst.Subscript):
        return f"{_short(expr.value)}[...]"
    if isinstance(expr, cst.Await):
        return f"(await {_short(expr.expression)})"
    return one_line(_EMPTY_MODULE.code_for_node(expr))


def one_line(text: str) -> str:
    """``text`` folded onto one line: each line break with the indentation around it becomes one space
    (none next to a bracket or before a dot), and comments are dropped."""
    lines = [_drop_comment(line).strip() for line in text.splitlines()]
    folded = ""
    for line in lines:
        if not line:
            continue
        if folded and not (folded.endswith(("(", "[", "{", ".")) or line.startswith((")", "]", "}", "."))):
            folded += " "
        folded += line
    return folded


def single_line(message: str) -> str:
    """The last guard before a finding is printed: flake8 output is one finding per line."""
    if "\n" not in message and "\r" not in message:
        return message
    return " ".join(part.strip() for part in message.splitlines() if part.strip())


def _drop_comment(line: str) -> str:
    """The line without a trailing ``# comment`` (a ``#`` inside a string is kept)."""
    quote: Optional[str] = None
    for index, char in enumerate(line):
        if quote is None and char == "#":
            return line[:index]
        if char in ("'", '"'):
            quote = None if quote == char else (char if quote is None else quote)
    return line


# -- process calls -------------------------------------------------------------------------


def _last_name(expr: Optional[cst.BaseExpression]) -> Optional[str]:
    if isinstance(expr, cst.Name):
        return expr.value
    if isinstance(expr, cst.Attribute):
        return expr.attr.value
    return None


def calls_named(root: cst.CSTNode, names: Set[str]) -> Iterator[Tuple[cst.Call, str]]:
    """The calls in ``root``'s own code (not in nested defs, classes or lambdas) whose last name is
    one of ``names``, with that name: how a call the project index names by line and name is found.
    ``TABLE_CALL`` among them stands for a call of a name ``root`` binds as the target of a ``for`` loop
    or of a comprehension's ``for`` (the summary's ``item`` binding)."""
    nodes = list(iter_nodes(root, prune=(cst.FunctionDef, cst.ClassDef, cst.Lambda)))
    loop_names = {node.target.value for node in nodes if isinstance(node, (cst.For, cst.CompFor))
                  and isinstance(node.target, cst.Name)} if TABLE_CALL in names else set()
    for node in nodes:
        if isinstance(node, cst.Call):
            name = _last_name(node.func)
            if name is not None and name in names:
                yield node, name
            elif isinstance(node.func, cst.Name) and node.func.value in loop_names:
                yield node, TABLE_CALL


def spawn_waits(call: cst.Call, index: int, scope: Optional["Scope"] = None) -> bool:
    """``os.spawn*(mode, ...)`` runs the child to its end: mode ``P_WAIT`` (0 on every platform).

    The mode is read as written (``os.P_WAIT``, ``P_WAIT``) or through what a name was
    assigned (``mode = os.P_WAIT``). A mode we cannot read (a call, ``*args``, a name
    of unknown value) is not a wait we can show; a call that passes no argument at
    all shows no other mode either.
    """
    mode = argument(call, "mode", index)
    if mode is None:
        return not call.args
    if isinstance(mode, cst.Integer):
        return _integer(mode) == 0
    if _last_name(mode) == "P_WAIT":
        return True
    found = resolve(mode, scope) if scope is not None else None
    return isinstance(found, Ref) and found.dotted.rsplit(".", 1)[-1] == "P_WAIT"


def returns_at_once(call: cst.Call, index: int) -> bool:
    """``os.waitpid(pid, os.WNOHANG)``: options holding ``WNOHANG`` make a wait*() only poll.

    Options we cannot read (a variable) may hold it too: that is not a wait we can show.
    """
    options = argument(call, "options", index)
    if options is None:
        return has_star(call) or forwards_unknown_kwargs(call)
    return not _flags_without_nohang(options)


def _integer(expr: cst.Integer) -> Optional[int]:
    try:
        return int(expr.value.replace("_", ""), 0)
    except ValueError:  # a literal such as 010 that int() refuses in base 0
        return None


def _flags_without_nohang(expr: cst.BaseExpression) -> bool:
    """``os.WUNTRACED | os.WCONTINUED``: flags we can read, none of them ``WNOHANG``."""
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.BitOr):
        return _flags_without_nohang(expr.left) and _flags_without_nohang(expr.right)
    if isinstance(expr, cst.Integer):
        return _integer(expr) == 0
    name = _last_name(expr)
    return name is not None and name.startswith("W") and name.isupper() and name != "WNOHANG"
