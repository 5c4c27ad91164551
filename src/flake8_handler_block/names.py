"""What a name or expression denotes, resolved through imports and simple assignments.

Two answers are possible:

* ``Ref("requests.get")``: the expression *is* that module, class or function
  (an import, an alias such as ``get = requests.get``, an attribute of a module).
* ``Inst("requests.Session")``: the expression is a value *produced by calling* that
  dotted name; calling a method of such a value extends the path
  (``Inst("requests.Session.get")`` is what ``session.get(...)`` returns).

Anything else is unknown (``None``), and rules never flag an unknown receiver.
Resolution is lazy: scopes keep the assigned expressions and are asked only after
the whole module was walked, so a global or a ``self.x`` assigned below its use
still resolves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Iterable, Iterator, List, Optional, Protocol, Sequence, Set, Tuple, Union

import libcst as cst

from .catalog import (
    APIS, CELERY_RESULT, CELERY_SENDS, CELERY_TASK_DECORATORS, GENERATOR_TYPES, KNOWN_ATTRIBUTES, MAKES,
    MCP_LIFESPAN_PARAMETER,
    MCP_LIFESPAN_PATH, NAMED_MEMBERS, OWNER_CLOSERS, PASS_THROUGH_DECORATORS,
    RETURNS_ITS_CLIENT, below_sdk_client, canonical, decorated_by_one_of, gives_what_it_yields, imported_module,
    same_sdk_client,
    sdk_request, subscript_of_sdk_client,
)

from .handlers import one_server_of

if TYPE_CHECKING:  # pragma: no cover
    from .scopes import CallSite, ClassScope, FunctionScope, ModuleScope, Scope, _Bound


@dataclass(frozen=True)
class Ref:
    """The expression denotes the dotted object itself. ``of``: the instance whose method it is,
    when known (``self._sess.get``); it does not take part in comparisons."""

    dotted: str
    of: Optional["Inst"] = field(default=None, compare=False, hash=False)


@dataclass(frozen=True)
class Inst:
    """The expression is a value produced by calling ``producer``.

    ``call`` is the producing call when known (for constructor arguments such as a
    pool-level timeout); it does not take part in comparisons. ``declared``: known only from
    a function's return annotation (``def get_session() -> requests.Session``): a value of that
    class, maybe a shared one, not one the call is known to build.
    """

    producer: str
    call: Optional[cst.Call] = field(default=None, compare=False, hash=False)
    declared: bool = field(default=False, compare=False, hash=False)


Resolved = Union[Ref, Inst]


class Outside(Protocol):
    """What the project says of names its other modules define (project/clients.py): the HTTP
    client a name imported from there holds (``from .http import SESSION``), a function of
    there returns (``make_session()``, with ``called``), or a base class of there sets on
    ``self``. None: not known, or not a client."""

    def client_held_by(self, dotted: str, called: bool = False) -> Optional[str]: ...

    def client_attribute(self, class_qualname: str, attr: str) -> Optional[str]: ...

    def absolute(self, dotted: str) -> Optional[str]: ...  # ``.ipa.Client`` as ``app.ipa.Client``

    def client_param(self, qualname: str, param: str) -> Optional[str]: ...  # what every caller passes

    def decorators_of(self, dotted: str) -> Tuple[str, ...]: ...  # of a project function, resolved

    def keeps_result(self, dotted: str) -> bool: ...  # a decorator handing back what it decorates returns

    def library_reexport(self, dotted: str) -> Optional[str]: ...  # ``.compat.urlopen``: urllib's

    def instance_client(self, dotted_class: str, attr: str) -> Optional[str]: ...  # ``Deps().http``

    def wrapped_client(self, dotted_class: str) -> Optional[str]: ...  # ``HttpClient()``: its own pool

    def owner_closer(self, dotted_class: str) -> Optional[str]: ...  # how such an owner releases it

    def made_fresh(self, dotted: str) -> bool: ...  # ``get_client()`` builds what it returns


def _outside(found: Optional[Resolved], scope: "Scope", called: bool = False) -> Optional[Resolved]:
    """``found`` (a name of another module of the project) as the client it holds, if one."""
    if not isinstance(found, Ref):
        return found
    outside = scope.module.outside
    if outside is not None:
        kind = outside.client_held_by(found.dotted, called)
        if kind is not None:
            return Inst(kind)  # built in another module: no call of this one to read
        library = _reexported(found.dotted, scope)
        if library is not None:
            return library_value(library)  # a compat module's import: the library's own
    return found


def _reexported(dotted: str, scope: "Scope") -> Optional[str]:
    """The library's name for ``dotted`` when a module of the project only imports it from there
    (``app.compat.urlopen``, ``app.compat.httplib.HTTPConnection``); None otherwise."""
    outside = scope.module.outside
    library = outside.library_reexport(dotted) if outside is not None else None
    return canonical(library) if library is not None else None


def library_value(dotted: str) -> Resolved:
    """What a name imported from a library denotes: the object itself, except for the
    library objects that are instances. flask-dance's provider proxies
    (``from flask_dance.contrib.github import github``) are its OAuth sessions."""
    parts = dotted.split(".")
    if len(parts) == 4 and parts[:2] == ["flask_dance", "contrib"] and parts[2] == parts[3]:
        return Inst("requests.Session")
    return Ref(dotted)


def dotted_name(node: cst.BaseExpression) -> Optional[str]:
    """``a.b.c`` for a chain of Name/Attribute nodes, else None (no resolution)."""
    parts = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if not isinstance(node, cst.Name):
        return None
    parts.append(node.value)
    return ".".join(reversed(parts))


def last_name(node: cst.BaseExpression) -> Optional[str]:
    """The rightmost identifier of a callee: ``get`` for ``self.s.get``."""
    if isinstance(node, cst.Attribute):
        return node.attr.value
    if isinstance(node, cst.Name):
        return node.value
    return None


_MAX_DEPTH = 12  # guards against `x = x.y` style cycles


def resolve(expr: cst.BaseExpression, scope: "Scope", _depth: int = 0) -> Optional[Resolved]:
    """What ``expr`` denotes when evaluated in ``scope``; None when unknown."""
    if _depth > _MAX_DEPTH:
        return None
    depth = _depth + 1
    if isinstance(expr, cst.Name):
        return _outside(lookup(scope, expr.value, depth), scope)
    if isinstance(expr, cst.Attribute):
        attr = expr.attr.value
        self_attr = self_attribute(scope, expr, depth)
        if self_attr is not None:
            return self_attr
        lifespan = lifespan_type(expr, scope, depth)
        if lifespan is not None:  # `ctx.request_context.lifespan_context`: what the server's lifespan gave
            return annotation_kind(*lifespan, depth)
        base = resolve(expr.value, scope, depth)
        if isinstance(base, Ref):
            return _outside(library_value(canonical(f"{base.dotted}.{attr}")), scope)
        shared = module_attribute(scope, expr, depth)
        if shared is not None:
            return shared
        if isinstance(base, Inst) and (
            f"{base.producer}.{attr}" in KNOWN_ATTRIBUTES or below_sdk_client(base.producer)
        ):
            return Inst(f"{base.producer}.{attr}")  # `p.stdout` of a Popen, `client.chat` of an OpenAI client
        members = NAMED_MEMBERS.get(base.producer) if isinstance(base, Inst) else None
        if members is not None and attr not in members[1] and not attr.startswith("_"):
            return Inst(members[0])  # `oauth.github`: the app registered under that name
        if isinstance(base, Inst) and f"{base.producer}.{attr}" in APIS:
            return Ref(f"{base.producer}.{attr}", base)  # `self._sess.get` handed on, called later as `method(url)`
        return instance_attribute(expr, base, scope, depth)
    if isinstance(expr, cst.Call):
        module = _imported_module(expr, scope, depth)
        return library_value(module) if module is not None else called_result(expr, scope, depth)
    if isinstance(expr, cst.Await):
        return resolve(expr.expression, scope, depth)
    if isinstance(expr, cst.Subscript):
        base = resolve(expr.value, scope, depth)
        part = subscript_of_sdk_client(base.producer) if isinstance(base, Inst) else None
        return Inst(part) if part is not None else None  # `client["shop"]`: pymongo's database
    if isinstance(expr, cst.IfExp):
        sides = [side for side in (expr.body, expr.orelse) if not is_none(side)]  # None holds nothing to call
        if len(sides) == 1:
            return resolve(sides[0], scope, depth)
        return _either(resolve(expr.body, scope, depth), resolve(expr.orelse, scope, depth))
    return None


def _either(one: Optional[Resolved], other: Optional[Resolved]) -> Optional[Resolved]:
    """``a if test else b`` (as the summaries read it): the value both sides agree on
    (``boto3.Session(profile_name=p) if p else boto3.Session()`` is a boto3 Session), or two library
    functions every rule judges alike (``requests.post if data else requests.get``, ``_alike``); an
    instance built by two different calls has no one constructing call."""
    if one is None or other is None or (one != other and not _alike(one, other)):
        return None
    if isinstance(one, Inst) and isinstance(other, Inst) and one.call is not other.call:
        return Inst(one.producer, None, one.declared and other.declared)
    return one


def _imported_module(call: cst.Call, scope: "Scope", depth: int) -> Optional[str]:
    """``LazyImport("requests")``, ``importlib.import_module("requests")``: the module it stands for."""
    first = call.args[0] if call.args else None
    if first is None or first.keyword is not None or not isinstance(first.value, cst.SimpleString):
        return None
    return imported_module(last_name(call.func), first.value.evaluated_value, lambda: callee(call, scope, depth))


def called_result(call: cst.Call, scope: "Scope", depth: int = 0) -> Optional[Inst]:
    """What calling ``call.func`` produces: ``Inst(callee path)``.

    A function of the module (``_create_session()``, ``self.pool()``) produces what all
    its ``return`` statements agree on, with the constructing call inside it.
    """
    if isinstance(call.func, cst.Attribute) and call.func.attr.value in CELERY_SENDS:
        if _is_celery_task(call.func.value, scope, depth):
            return Inst(CELERY_RESULT, call)  # `update_layers.delay(...)`: the task's AsyncResult
    target = callee(call, scope, depth)
    if target is not None and target in RETURNS_ITS_CLIENT:  # `CacheControl(session)` is that session
        from .calls import argument  # calls builds on this module

        position, name = RETURNS_ITS_CLIENT[target]
        given = argument(call, name, position)
        meaning = resolve(given, scope, depth) if given is not None else None
        return meaning if isinstance(meaning, Inst) else None
    if target is not None and sdk_request(target) is not None:
        return None  # an SDK request's response (`client.chat(...).get("message")`), not more of the client
    if target is not None and target in MAKES:  # `oauth.create_client("github")`: the registered app
        return Inst(MAKES[target], call)
    if target is not None:
        made = _outside(Ref(target), scope, called=True)
        return made if isinstance(made, Inst) else Inst(target, call)
    function = local_function(call.func, scope, depth)
    return returned(function, depth, call) if function is not None else None


def _is_celery_task(expr: cst.BaseExpression, scope: "Scope", depth: int) -> bool:
    """``expr`` names a function decorated as a Celery task (``@app.task``, ``@shared_task``): of this
    module, or of another module of the project (asked of it: ``Outside.decorators_of``)."""
    function = local_function(expr, scope, depth + 1)
    if function is not None:
        decorators: Sequence[str] = decorator_names(function)
    else:
        found = resolve(expr, scope, depth + 1)
        outside = scope.module.outside
        if not isinstance(found, Ref) or outside is None:
            return False
        decorators = outside.decorators_of(found.dotted)
    return decorated_by_one_of(decorators, CELERY_TASK_DECORATORS)


def local_function(expr: cst.BaseExpression, scope: "Scope", depth: int = 0) -> Optional["FunctionScope"]:
    """The function of this module that ``expr`` names (``helper``, ``self.method``), if one."""
    if isinstance(expr, cst.Name):
        found = lookup_any(scope, expr.value, depth)
        return found.function if isinstance(found, FuncOf) else None
    if isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name):
        owner = lookup_any(scope, expr.value.value, depth)
        if isinstance(owner, SelfOf):
            methods = owner.cls_scope.method(expr.attr.value)
            return methods[0] if len(methods) == 1 else None
        cls = _module_class(expr.value.value, scope)
        if cls is not None:  # `HTTPClient._create_session()`: a class's own classmethod or staticmethod
            methods = cls.method(expr.attr.value)
            if len(methods) == 1 and {"classmethod", "staticmethod"} & set(decorator_names(methods[0])):
                return methods[0]
    return None


def returned(function: "FunctionScope", depth: int, call: Optional[cst.Call] = None) -> Optional[Inst]:
    """What a call of ``function`` gives: the value every ``return`` gives when they all agree
    on one kind (``return None`` aside: ``if not key: return None`` then ``return Client(key)``
    makes a client), of the returns ``call`` can reach when its literal arguments decide the
    branches (``branch_returns``); else the class its return annotation names (``-> requests.Session``
    on a getter of a cached session), as a ``declared`` value. A generator gives nothing known, but
    a context manager's (``@contextmanager``) call stands for what it yields, which ``with`` binds:
    the value every ``yield`` gives, else the item its annotation names (``-> Iterator[SSHSession]``)."""
    if depth > _MAX_DEPTH:
        return None
    if function.is_generator and not gives_what_it_yields(decorator_names(function)):
        return None
    values: Optional[Sequence[Optional[cst.BaseExpression]]] = None
    if call is not None and not function.is_generator:
        from .branch_returns import returns_for_call  # (it reads calls, which reads this module)

        values = returns_for_call(function, call)
    if values is None:
        values = function.yields if function.is_generator else function.returns
    found = _agreed(values, function, depth)
    annotation = function.node.returns
    if found is not None or annotation is None or function.parent is None:
        return found
    written: Optional[cst.BaseExpression] = annotation.annotation
    if function.is_generator:
        written = _yielded_type(annotation.annotation, function.parent, depth + 1)
    declared = annotation_kind(written, function.parent, depth + 1) if written is not None else None
    return Inst(declared.producer, declared=True) if isinstance(declared, Inst) else None


def _yielded_type(annotation: cst.BaseExpression, scope: "Scope", depth: int) -> Optional[cst.BaseExpression]:
    """``Iterator[SSHSession]``: ``SSHSession``, the type a generator so annotated yields."""
    if not isinstance(annotation, cst.Subscript) or not annotation.slice:
        return None
    outer = resolve(annotation.value, scope, depth)
    first = annotation.slice[0].slice
    if not isinstance(outer, Ref) or outer.dotted not in GENERATOR_TYPES or not isinstance(first, cst.Index):
        return None
    return first.value


def _agreed(values: Sequence[Optional[cst.BaseExpression]], function: "FunctionScope", depth: int) -> Optional[Inst]:
    """The instance every one of ``values`` (what the function's returns or yields give) is, when
    they agree (``None`` aside); None for a bare ``return``."""
    found: Optional[Inst] = None
    for value in values:
        if value is None:
            return None
        if is_none(value):
            continue
        meaning = resolve(value, function, depth + 1)
        if not isinstance(meaning, Inst) or (found is not None and meaning != found):
            return None
        found = found or meaning
    return found


def callee(call: cst.Call, scope: "Scope", depth: int = 0) -> Optional[str]:
    """The dotted path a call goes to.

    ``requests.get`` for a module function, ``requests.Session.get`` for a method
    of a value built by ``requests.Session()``; None when the receiver is unknown.
    """
    func = call.func
    if isinstance(func, cst.Attribute):
        base = resolve(func.value, scope, depth + 1)
        if isinstance(base, Inst):
            return f"{base.producer}.{func.attr.value}"
        if isinstance(base, Ref):
            dotted = canonical(f"{base.dotted}.{func.attr.value}")
            return _reexported(dotted, scope) or dotted
        return None
    resolved = resolve(func, scope, depth + 1)
    if isinstance(resolved, Ref):
        return resolved.dotted
    return None


def annotation_kind(annotation: cst.BaseExpression, scope: "Scope", depth: int) -> Optional[Resolved]:
    """``s: requests.Session`` (or ``Optional[...]``/``X | None``, or either as a string) types ``s``
    as an instance."""
    written = declared_type(annotation, scope, depth)
    if written is None:
        return None
    if isinstance(written, cst.Subscript) and len(written.slice) == 1:
        outer = resolve(written.value, scope, depth)
        if not isinstance(outer, Ref) or _is_optional(outer):
            return None
        return Inst(outer.dotted)  # a generic: `asyncio.Queue[int]` is an asyncio.Queue
    resolved = resolve(written, scope, depth)
    if isinstance(resolved, Ref):
        return Inst(resolved.dotted)
    return None


def declared_type(annotation: cst.BaseExpression, scope: "Scope", depth: int) -> Optional[cst.BaseExpression]:
    """The type an annotation declares, its quotes, ``Optional[...]`` and ``| None`` taken off
    (``"Deps"``, ``Optional[Deps]``, ``Deps | None``: ``Deps``); None for a union of two types or a
    string that does not parse."""
    while True:
        if isinstance(annotation, cst.SimpleString):
            text = annotation.evaluated_value
            written = _forward_reference(text) if isinstance(text, str) else None
            if written is None:
                return None
            annotation = written
        elif isinstance(annotation, cst.Subscript) and len(annotation.slice) == 1 and isinstance(
            annotation.slice[0].slice, cst.Index
        ) and _is_optional(resolve(annotation.value, scope, depth)):
            annotation = annotation.slice[0].slice.value
        elif isinstance(annotation, cst.BinaryOperation) and isinstance(annotation.operator, cst.BitOr):
            sides = [side for side in (annotation.left, annotation.right) if not is_none(side)]
            if len(sides) != 1:
                return None
            annotation = sides[0]
        else:
            return annotation


def _is_optional(found: Optional[Resolved]) -> bool:
    return isinstance(found, Ref) and found.dotted in ("typing.Optional", "Optional")


@lru_cache(maxsize=512)
def _forward_reference(text: str) -> Optional[cst.BaseExpression]:
    """The expression a string annotation holds (``"asyncio.Queue[bytes]"``); None for bad syntax."""
    try:
        return cst.parse_expression(text.strip())
    except Exception:  # noqa: BLE001 - any text may sit in a string annotation
        return None


# -- names in scopes: the bindings the collector recorded, read lazily ----------------------

@dataclass(frozen=True)
class SelfOf:
    """``self`` (or ``cls``) inside a method of ``cls_scope``."""

    cls_scope: "ClassScope"


@dataclass(frozen=True)
class FuncOf:
    """A name bound by ``def``: the function of the module it names."""

    function: "FunctionScope"


def is_none(expr: Optional[cst.BaseExpression]) -> bool:
    """The literal ``None``."""
    return isinstance(expr, cst.Name) and expr.value == "None"


def _meaning(bound: "_Bound", depth: int) -> Union[Resolved, SelfOf, FuncOf, None, str]:
    if bound.kind == "def":
        return FuncOf(bound.payload)  # type: ignore[arg-type]
    if bound.kind == "ref":
        return library_value(bound.payload)  # type: ignore[arg-type]
    if bound.kind == "self":
        return SelfOf(bound.payload)  # type: ignore[arg-type]
    if bound.kind == "value" and bound.scope is not None:
        if is_none(bound.payload):  # type: ignore[arg-type]
            return "skip"  # `x = None` before the real assignment says nothing
        return resolve(bound.payload, bound.scope, depth)  # type: ignore[arg-type]
    if bound.kind == "annotation" and bound.scope is not None:
        return annotation_kind(bound.payload, bound.scope, depth)  # type: ignore[arg-type]
    if bound.kind == "param" and bound.scope is not None and bound.scope.kind == "function":
        return param_from_callers(bound.scope, *bound.payload, depth=depth)  # type: ignore[arg-type, misc]
    return None


def param_from_callers(
    function: "FunctionScope", place: Optional[int], name: str, depth: int = 0
) -> Optional[Resolved]:
    """What every call of ``function`` in its module passes for parameter ``name`` (at ``place`` among
    the arguments the caller writes, None if keyword-only), when they all pass the same kind
    (``get_certificate_id(self.session, ...)`` from each method: a ``requests.Session``). None when the
    walk has not ended (calls further down are not recorded yet), when nothing here calls it, when a
    call of the name that may be this function's (``other.fetch(x)``) passes another kind, when a
    call leaves the argument to ``*args``/``**kwargs`` or passes something unknown, or when a
    decorator other than a retry or a cache may hand it to a framework (``PASS_THROUGH_DECORATORS``)."""
    module = function.module
    if not module.walked or depth > _MAX_DEPTH:
        return None
    key = (id(function), name)
    known = module.param_kinds.get(key, _UNSEEN)
    if known is not _UNSEEN:
        return known  # type: ignore[return-value]  # (None while being worked out: a cycle of calls)
    module.param_kinds[key] = None
    found = _param_from_callers(function, place, name, depth)
    if found is None and module.outside is not None and all(
        decorator in PASS_THROUGH_DECORATORS for decorator in decorator_names(function)
    ):
        kind = module.outside.client_param(function.index_name, name)  # callers in other modules
        found = Inst(kind) if kind is not None else None
    if found is None and module.outside is None:
        del module.param_kinds[key]  # asked before the project is: asked again once it is
    else:
        module.param_kinds[key] = found
    return found


_UNSEEN = object()


def _param_from_callers(
    function: "FunctionScope", place: Optional[int], name: str, depth: int
) -> Optional[Resolved]:
    found: Optional[Resolved] = None
    for site, value in caller_arguments(function, place, name, depth) or ():
        meaning = resolve(value, site.scope, depth + 1)
        if meaning is None or (found is not None and _kind(meaning) != _kind(found) and not _alike(found, meaning)):
            return None
        if isinstance(found, Ref) and isinstance(meaning, Ref) and not _same_owner(found, meaning):
            meaning = Ref(meaning.dotted)  # methods of two instances: which one is not known
        found = meaning
    return found


def _same_owner(one: Ref, other: Ref) -> bool:
    """Methods of the same instance (built by the same call), or both plain functions."""
    if one.of is None or other.of is None:
        return one.of is other.of
    return one.of.call is not None and one.of.call is other.of.call


def module_calls(function: "FunctionScope", depth: int = 0) -> Optional[List["CallSite"]]:
    """Each call in the module of ``function`` (or of a function of its name the module cannot tell
    apart). None when a decorator other than a retry or a cache may hand the function to a
    framework (``PASS_THROUGH_DECORATORS``), which calls it where the module does not show."""
    module = function.module
    if not module.walked or any(decorator not in PASS_THROUGH_DECORATORS for decorator in decorator_names(function)):
        return None
    callers = module.callers
    if callers is None:
        callers = module.callers = {}
        seen: Set[int] = set()  # a call kept under its name and its alias is one call
        for site in (*module.local_calls, *module.sites):
            called = last_name(site.node.func)
            if called and id(site.node) not in seen:
                seen.add(id(site.node))
                callers.setdefault(called, []).append(site)
    found: List["CallSite"] = []
    for site in callers.get(function.name, ()):
        target = local_function(site.node.func, site.scope, depth + 1)
        if target is None or target is function:  # one not known may be this one, and counts
            found.append(site)
    return found


def caller_arguments(
    function: "FunctionScope", place: Optional[int], name: str, depth: int = 0
) -> Optional[List[Tuple["CallSite", cst.BaseExpression]]]:
    """Each call in the module of ``function`` (or of a function of its name the module cannot tell
    apart) with what it passes for parameter ``name`` (at ``place``, None if keyword-only). None
    when one call may leave it to ``*args``/``**kwargs`` or passes nothing for it, or when a decorator
    other than a retry or a cache may hand the function to a framework (``PASS_THROUGH_DECORATORS``)."""
    from .calls import argument  # (calls reads names: imported on first use)

    sites = module_calls(function, depth)
    if sites is None:
        return None
    found: List[Tuple["CallSite", cst.BaseExpression]] = []
    for site in sites:
        # `*args`/`**kwargs` may give it: not known
        value = None if any(arg.star for arg in site.node.args) else argument(site.node, name, place)
        if value is None:
            return None
        found.append((site, value))
    return found


def param_place(function: "FunctionScope", name: str) -> Optional[Tuple[Optional[int], str]]:
    """(place, name) of ``name`` when it is a parameter of ``function`` every caller gives
    (``FunctionScope.param_places``) and never rebound in it."""
    if name not in function.param_places or len(function.bindings.get(name, [])) != 1:
        return None
    return function.param_places[name], name


def _kind(meaning: Resolved) -> str:
    return meaning.producer if isinstance(meaning, Inst) else meaning.dotted


def agree(bounds: List["_Bound"], depth: int) -> Union[Resolved, SelfOf, FuncOf, None]:
    """The meaning all bindings share; None when any is unknown or they differ (library
    functions the catalogue describes alike agree: any one stands for them all; two server
    classes an import falls back between are read as one, ``one_server_of``)."""
    result: Union[Resolved, SelfOf, FuncOf, None] = None
    for bound in bounds:
        meaning = _meaning(bound, depth)
        if meaning == "skip":
            continue
        if meaning is None or isinstance(meaning, str):
            return None
        if result is not None and meaning != result:
            server = one_server_of(result.dotted, meaning.dotted) if (
                isinstance(result, Ref) and isinstance(meaning, Ref)) else None
            if server is not None:
                result = Ref(server)
                continue
            if not _alike(result, meaning):
                return None
        result = meaning
    return result


def _alike(one: object, other: object) -> bool:
    """Two library functions every rule judges the same way: ``requestor = requests.get`` in one
    branch and ``requests.post`` in another, then ``requestor(url)``; or two clients of one SDK
    (``app = msal.ClientApplication(...)`` in one branch, ``msal.ConfidentialClientApplication(...)``
    in another, then ``app.acquire_token_silent(...)``)."""
    if isinstance(one, Inst) and isinstance(other, Inst):
        return same_sdk_client(one.producer, other.producer)
    if not isinstance(one, Ref) or not isinstance(other, Ref):
        return False
    api = APIS.get(one.dotted)
    return api is not None and api == APIS.get(other.dotted)


def bindings_of(scope: "Scope", name: str) -> Tuple[Optional["Scope"], List["_Bound"]]:
    """The innermost scope that binds ``name`` as seen from ``scope`` (Python's scoping rules; class
    bodies skipped) and its bindings there, as written (a ``global`` one is not followed); (None, [])
    when none does."""
    current: Optional["Scope"] = scope
    while current is not None:
        bounds = current.bindings.get(name)
        if bounds is not None:
            return current, bounds
        current = current.lookup_parent
    return None, []


def assigned_value(expr: cst.BaseExpression, scope: "Scope") -> Tuple[cst.BaseExpression, "Scope"]:
    """The value a name was given, when it was given exactly one (``adapter = TimeoutAdapter()``,
    ``EVERY = 100``), with the scope it is written in; otherwise ``expr`` itself, in ``scope``."""
    if not isinstance(expr, cst.Name):
        return expr, scope
    _, bounds = bindings_of(scope, expr.value)
    only = bounds[0] if len(bounds) == 1 and bounds[0].kind == "value" else None
    if only is not None and isinstance(only.payload, cst.BaseExpression) and only.scope is not None:
        return only.payload, only.scope
    return expr, scope


def lookup_any(scope: "Scope", name: str, depth: int = 0) -> Union[Resolved, SelfOf, FuncOf, None]:
    """What ``name`` means in ``scope`` (Python's scoping rules; class bodies skipped)."""
    where, bounds = bindings_of(scope, name)
    if where is None:
        return None
    if bounds[0].kind == "global":
        found = where.module.bindings.get(name)
        if found is None:
            return None
        bounds = found
    return agree(bounds, depth)


def lookup(scope: "Scope", name: str, depth: int = 0) -> Optional[Resolved]:
    found = lookup_any(scope, name, depth)
    return found if isinstance(found, (Ref, Inst)) else None


def self_attribute(scope: "Scope", expr: cst.Attribute, depth: int) -> Optional[Resolved]:
    """``self.x``: what methods of the class assigned to ``x``."""
    if not isinstance(expr.value, cst.Name):
        return None
    owner = lookup_any(scope, expr.value.value, depth)
    if isinstance(owner, SelfOf):
        return _attribute_of(owner.cls_scope, expr.attr.value, depth)
    return None


def _attribute_of(cls: "ClassScope", name: str, depth: int) -> Optional[Resolved]:
    """What ``<instance>.name`` holds on an instance of ``cls``: what the class (or a base of this
    module) binds, else the client a base of another module sets."""
    found = class_attribute(cls, name, depth)
    outside = cls.module.outside
    if found is None and outside is not None and not _bound_in(cls, name):
        kind = outside.client_attribute(cls.qualname, name)  # set by a base of another module
        return Inst(kind) if kind is not None else None
    return found


def instance_attribute(
    expr: cst.Attribute, base: Optional[Resolved], scope: "Scope", depth: int
) -> Optional[Resolved]:
    """``deps.http`` on an instance of a class of the project (``deps: Deps``, ``deps = Deps(...)``):
    what the class declares or assigns for the attribute (``http: requests.Session``, ``self.http =
    requests.Session()``). A class of this module is read here; one of another module is asked of
    the project (the client it holds, ``Outside.instance_client``)."""
    name = expr.attr.value
    if isinstance(base, Inst):
        outside = scope.module.outside
        kind = outside.instance_client(base.producer, name) if outside is not None else None
        return Inst(kind) if kind is not None else None
    cls = _local_class_of(expr.value, scope, depth)
    return _attribute_of(cls, name, depth) if cls is not None else None


def _local_class_of(expr: cst.BaseExpression, scope: "Scope", depth: int) -> Optional["ClassScope"]:
    """The top-level class of this module whose instance the name ``expr`` holds, by every one of
    its bindings: a parameter or a variable annotated with the class's name (``Optional[...]``
    and a string too), or a call of the class (``deps = Deps(...)``)."""
    lifespan = lifespan_type(expr, scope, depth)
    if lifespan is not None:
        written = declared_type(*lifespan, depth + 1)
        return _module_class(written.value, lifespan[1]) if isinstance(written, cst.Name) else None
    if not isinstance(expr, cst.Name) or depth > _MAX_DEPTH:
        return None
    _where, bounds = bindings_of(scope, expr.value)
    found: Optional["ClassScope"] = None
    for bound in bounds:
        if bound.kind == "annotation" and bound.scope is not None:
            declared = declared_type(bound.payload, bound.scope, depth + 1)  # type: ignore[arg-type]
            written = declared if isinstance(declared, cst.Name) else None
        elif bound.kind == "value" and isinstance(bound.payload, cst.Call) and bound.scope is not None:
            written = bound.payload.func if isinstance(bound.payload.func, cst.Name) else None
        else:
            return None
        cls = _module_class(written.value, bound.scope) if written is not None else None
        if cls is None or (found is not None and cls is not found):
            return None
        found = cls
    return found


def lifespan_type(
    expr: cst.BaseExpression, scope: "Scope", depth: int
) -> Optional[Tuple[cst.BaseExpression, "Scope"]]:
    """``ctx.request_context.lifespan_context`` with ``ctx`` annotated as the MCP SDK's request
    context of a server whose lifespan yields a declared type (``Context[ServerSession, AppContext]``,
    ``catalog.MCP_LIFESPAN_PARAMETER``): that type's expression, with the scope it is written in.
    (The index reads the same in ``ast``: ``summary.LIFESPAN_OF``.)"""
    steps: List[str] = []
    while isinstance(expr, cst.Attribute) and len(steps) < len(MCP_LIFESPAN_PATH):
        steps.insert(0, expr.attr.value)
        expr = expr.value
    if tuple(steps) != MCP_LIFESPAN_PATH or not isinstance(expr, cst.Name) or depth > _MAX_DEPTH:
        return None
    _where, bounds = bindings_of(scope, expr.value)
    if len(bounds) != 1 or bounds[0].kind != "annotation" or bounds[0].scope is None:
        return None
    where = bounds[0].scope
    written = declared_type(bounds[0].payload, where, depth + 1)  # type: ignore[arg-type]
    if not isinstance(written, cst.Subscript):
        return None
    context = resolve(written.value, where, depth + 1)
    place = MCP_LIFESPAN_PARAMETER.get(context.dotted) if isinstance(context, Ref) else None
    given = written.slice[place].slice if place is not None and place < len(written.slice) else None
    return (given.value, where) if isinstance(given, cst.Index) else None


def _module_class(name: str, scope: "Scope") -> Optional["ClassScope"]:
    """The class ``name`` means in ``scope`` when it is a class defined once at the module's top
    level and the name is bound to nothing else (an import of that name, a reassignment)."""
    where, bounds = bindings_of(scope, name)
    module = scope.module
    classes = module.class_defs.get(name, [])
    if where is not module or len(classes) != 1 or len(bounds) != 1:
        return None
    return classes[0]


def module_attribute(scope: "Scope", expr: cst.Attribute, depth: int) -> Optional[Resolved]:
    """``worker.semaphore`` on a module-level name: what every ``worker.semaphore = ...`` of the
    module assigns (``if worker.semaphore is None: worker.semaphore = asyncio.Semaphore(n)``)."""
    if not isinstance(expr.value, cst.Name):
        return None
    name = expr.value.value
    module = scope.module
    assigned = module.name_attrs.get((name, expr.attr.value))
    if not assigned or not _module_level(scope, name):
        return None
    bounds = []
    for bound, where in assigned:
        if not _module_level(where, name):
            return None  # a local of that name somewhere: not the same object
        bounds.append(bound)
    found = agree(bounds, depth)
    return found if isinstance(found, (Ref, Inst)) else None


def _module_level(scope: "Scope", name: str) -> bool:
    """``name`` in ``scope`` is the module's own (not shadowed by a local, or declared ``global``)."""
    holder, bounds = bindings_of(scope, name)
    return holder is scope.module or bool(bounds and bounds[0].kind == "global")


def _binders(cls: "ClassScope", name: str, seen: set) -> Iterator[List["_Bound"]]:
    """The bindings of ``self.<name>`` (or a class attribute ``name``) in ``cls`` if it binds it,
    else in each base of this module that binds it, nearest first (depth-first; a class that binds
    it hides its own bases)."""
    seen.add(id(cls))
    bounds = cls.attrs.get(name, []) + cls.bindings.get(name, [])
    if bounds:
        yield bounds
        return
    for base in cls.local_bases():
        if id(base) not in seen:
            yield from _binders(base, name, seen)


def _bound_in(cls: "ClassScope", name: str) -> bool:
    """Whether the class or a base of this module binds ``self.<name>`` at all."""
    return next(_binders(cls, name, set()), None) is not None


def class_attribute(cls: "ClassScope", name: str, depth: int) -> Optional[Resolved]:
    """What ``self.<name>`` holds in methods of ``cls`` (or of its bases in the module)."""
    for bounds in _binders(cls, name, set()):
        found = agree(bounds, depth)
        if isinstance(found, (Ref, Inst)):
            return found
    return None


def base_names(cls: "ClassScope") -> List[str]:
    """Dotted names of a class's bases as resolved through imports (or as written)."""
    found = []
    for arg in cls.node.bases:
        resolved = resolve(arg.value, cls.parent) if cls.parent is not None else None
        if isinstance(resolved, Ref):
            found.append(resolved.dotted)
        else:
            text = dotted_name(arg.value)
            if text:
                found.append(text)
    return found


def decorator_names(function: "FunctionScope") -> List[str]:
    """Each decorator's callee, resolved through imports when possible."""
    found = []
    for decorator in function.node.decorators:
        expr = decorator.decorator
        if isinstance(expr, cst.Call):
            expr = expr.func
        resolved = resolve(expr, function.parent) if function.parent is not None else None
        found.append(resolved.dotted if isinstance(resolved, Ref) else dotted_name(expr) or "")
    return found


def derived_from_one_of(module: "ModuleScope", name: str, bases: Iterable[str]) -> Optional[str]:
    """The first of ``bases`` (dotted library classes) that the class ``name`` of this module derives
    from, directly or through classes of the module (``derives_from``); None if none."""
    return next((base for base in bases if derives_from(module, name, frozenset({base}))), None)


def project_client(
    call: cst.Call, scope: "Scope", clients: Iterable[str]
) -> Tuple[Optional[str], Optional[str]]:
    """The client (one of ``clients``) a call of a class of the project builds, and, when the class
    wraps one, how an instance releases it (the first of ``OWNER_CLOSERS`` it has, ``close``
    when another module's class does not say): a class of this module deriving from the client
    (``RedirectValidatingSession(v)``, a session still: no closer), or a class of the project owning
    one (``HttpClient()``: ``client_wrapped_by`` here, ``Outside.wrapped_client`` for another
    module's). Only a call passing nothing is read as building the owner's own client: an argument
    may lend it one."""
    func = call.func
    if not isinstance(func, cst.Name):
        return None, None
    module = scope.module
    if func.value in module.class_defs:
        base = derived_from_one_of(module, func.value, clients)
        if base is not None or call.args:
            return base, None
        wrapped = client_wrapped_by(module, func.value, clients)
        return wrapped if wrapped is not None else (None, None)
    resolved = resolve(func, scope) if not call.args and module.outside is not None else None
    if not isinstance(resolved, Ref) or module.outside is None:
        return None, None
    kind = module.outside.wrapped_client(resolved.dotted)
    if kind not in frozenset(clients):
        return None, None
    return kind, module.outside.owner_closer(resolved.dotted) or "close"


def client_wrapped_by(module: "ModuleScope", name: str, clients: Iterable[str]) -> Optional[Tuple[str, str]]:
    """The client (one of ``clients``) the class ``name`` of this module builds into an attribute of
    its own (``self._client = httpx.Client()``), with the first of ``OWNER_CLOSERS`` the class has
    to close it: an instance owns a pool, as the client does. None otherwise (no such client, or
    nothing to close it with)."""
    wanted = frozenset(clients)
    for cls in module.class_defs.get(name, []):
        closer = next((closer for closer in OWNER_CLOSERS if cls.method(closer)), None)
        if closer is None:
            continue
        for attr in cls.attrs:
            found = class_attribute(cls, attr, 0)
            if isinstance(found, Inst) and not found.declared and found.producer in wanted:
                return found.producer, closer
    return None


def derives_from(module: "ModuleScope", name: str, bases: frozenset, _seen: Optional[set] = None) -> bool:
    """Is ``name`` a class of this module deriving (transitively) from one of ``bases``?"""
    seen = _seen or set()
    for cls in module.class_defs.get(name, []):
        if id(cls) in seen:
            continue
        seen.add(id(cls))
        if any(base in bases for base in base_names(cls)):
            return True
        for arg in cls.node.bases:
            if isinstance(arg.value, cst.Name) and derives_from(module, arg.value.value, bases, seen):
                return True
    return False
