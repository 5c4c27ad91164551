"""Which functions serve a request.

Framework knowledge is data: decorator names, registration calls, base classes and
the methods they dispatch to. ``find_handlers`` reads the module facts the walk
collected and returns each handler with the reason it was recognised.

Precision comes first: a function wrongly taken for a handler makes every
handler-scoped rule noisy in it and in everything it calls. So a name that is
common outside web code (``get``, ``patch``, ``View``) only counts in the shape the
frameworks use it: ``@router.get(...)`` called on an object that is not a mocking or
tracing module, ``def get(self, request)`` in a class deriving from a view.
"""

from __future__ import annotations

import os
from typing import Dict, FrozenSet, Iterable, Iterator, List, Optional, Set, Tuple

import libcst as cst

from .config import Config
from .names import Ref, dotted_name, resolve
from .scopes import ClassScope, FunctionScope, ModuleScope, Scope

HTTP_VERBS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "trace"})
# The verbs a class-based view dispatches to (TRACE is never routed to a method in practice).
VIEW_VERBS = HTTP_VERBS - {"trace"}

# -- decorators ----------------------------------------------------------------------

# `@X.route(...)`, `@X.get(...)` on any object X: the route registrars take arguments.
# (`trace` is left out: `@mlflow.trace(...)`, `@tracer.trace(...)` are far more common.)
CALLED_ROUTE_DECORATORS = (VIEW_VERBS - {"trace"}) | {
    "route", "websocket", "websocket_route", "api_route", "errorhandler", "app_errorhandler",
    "exception_handler",
}
# Request hooks, used bare or called: `@app.before_request`, `@web.middleware`, `@app.middleware("http")`.
HOOK_DECORATORS = frozenset(
    {
        "middleware", "before_request", "after_request", "before_app_request", "after_app_request",
        "on_request", "on_response",
    }
)
# `@mock.patch(...)`, `@pytest.mark.get(...)`: receivers whose verbs are not routes.
NOT_ROUTERS = frozenset({"mock", "unittest", "pytest", "asynctest", "pytest_mock", "mlflow"})

# Bare `@get`, `@route` only count when imported from a framework that exports them.
BARE_DECORATOR_MODULES = ("bottle", "litestar", "starlite", "sanic")
BARE_DECORATORS = CALLED_ROUTE_DECORATORS | HOOK_DECORATORS | {"error", "hook", "websocket_listener"}

# Decorators whose (last) name alone says "this is a view": Django/DRF, Pyramid,
# Flask-AppBuilder/Flask-Admin/CherryPy `expose`.
VIEW_DECORATORS = frozenset(
    {
        "api_view", "require_http_methods", "require_GET", "require_POST", "require_safe",
        "view_config", "expose", "expose_api",
    }
)
# Decorators that only make sense on a view, by the module that defines them.
VIEW_DECORATOR_MODULES = (
    "django.views.decorators.", "django.contrib.auth.decorators.",
    "django.contrib.admin.views.decorators.",
)
VIEW_DECORATOR_PATHS = frozenset({"tornado.web.authenticated", "rest_framework.decorators.action"})
# ... except these, which take any function.
NOT_VIEW_DECORATORS = frozenset({"django.views.decorators.debug.sensitive_variables"})

PROPERTY_DECORATORS = frozenset({"property", "cached_property", "setter", "getter", "deleter"})

# -- class-based views ---------------------------------------------------------------

DJANGO_VIEWSET_ACTIONS = frozenset({"list", "create", "retrieve", "update", "partial_update", "destroy"})
VERB_METHODS = VIEW_VERBS | {"dispatch"}
STDLIB_DO_METHODS = frozenset(f"do_{verb.upper()}" for verb in VIEW_VERBS)

# Base class (last dotted component) -> methods that serve requests.
BASE_CLASS_METHODS: Dict[str, FrozenSet[str]] = {
    # Django, DRF; Flask `View` dispatches to dispatch_request
    **{
        name: frozenset(VERB_METHODS)
        for name in (
            "TemplateView", "RedirectView", "FormView", "DetailView", "ListView",
            "CreateView", "UpdateView", "DeleteView", "ArchiveIndexView", "APIView", "GenericAPIView",
        )
    },
    "View": frozenset(VERB_METHODS | {"dispatch_request"}),
    **{
        name: frozenset(VERB_METHODS | DJANGO_VIEWSET_ACTIONS)
        for name in ("ViewSet", "ModelViewSet", "GenericViewSet", "ReadOnlyModelViewSet")
    },
    # Flask, Sanic, Starlette
    "MethodView": frozenset(VERB_METHODS | {"dispatch_request"}),
    "HTTPMethodView": frozenset(VERB_METHODS),
    "HTTPEndpoint": frozenset(VERB_METHODS),
    "WebSocketEndpoint": frozenset({"on_connect", "on_receive", "on_disconnect"}),
    # Tornado
    "RequestHandler": frozenset(VIEW_VERBS | {"prepare", "on_finish"}),
    "WebSocketHandler": frozenset(VIEW_VERBS | {"open", "on_message", "on_close", "prepare"}),
    # stdlib http.server and socketserver
    **{
        name: STDLIB_DO_METHODS
        for name in ("BaseHTTPRequestHandler", "SimpleHTTPRequestHandler", "CGIHTTPRequestHandler")
    },
    **{
        name: frozenset({"handle", "setup", "finish"})
        for name in ("BaseRequestHandler", "StreamRequestHandler", "DatagramRequestHandler")
    },
}
# Bases whose last name is too common to trust alone: counted when imported from these modules.
QUALIFIED_BASE_METHODS: Dict[str, Tuple[Tuple[str, ...], FrozenSet[str]]] = {
    "Resource": (("flask_restful", "flask_restx", "flask_restplus", "flask_smorest"), VIEW_VERBS),
    "MethodResource": (("flask_apispec",), VIEW_VERBS),
}
# A base named like a view but defined elsewhere in the project (`HomeAssistantView`,
# `LoginRequiredView`, `ListCreateAPIView`): its verb methods count when they take the
# request as first argument, which is the view signature and nothing else's.
VIEW_LIKE_SUFFIXES = ("View", "ViewSet", "APIView", "Endpoint")
REQUEST_PARAMS = frozenset({"request", "req"})
# A `*Handler` base in a module that imports tornado (Jupyter's `APIHandler`, ...).
TORNADO_LIKE_SUFFIX = "Handler"

# Methods of a class named in `handler-base-classes`.
CONFIGURED_BASE_METHODS = frozenset(
    VERB_METHODS | {"dispatch_request", "handle", "__call__"} | STDLIB_DO_METHODS
    | {f"on_{verb}" for verb in VIEW_VERBS}
)

FALCON_RESPONDER_PREFIXES = tuple(f"on_{verb}" for verb in VIEW_VERBS) + ("on_websocket",)

WSGI_PARAMS = ("environ", "start_response")
ASGI_PARAMS = ("scope", "receive", "send")


def find_handlers(module: ModuleScope, config: Config) -> Dict[FunctionScope, str]:
    """Every handler of the module with a short reason (for docs and debugging)."""
    found: Dict[FunctionScope, str] = {}
    for function in module.functions:
        if _is_property(function):
            continue
        reason = _function_reason(function, module, config)
        if reason:
            found[function] = reason
    for function, reason in _registered(module):
        if not _is_property(function):
            found.setdefault(function, reason)
    tornado = _imports(module, "tornado")
    for cls in module.classes:
        _add_class_handlers(cls, module, config, tornado, found)
    return found


def _is_property(function: FunctionScope) -> bool:
    for decorator in function.node.decorators:
        name = dotted_name(decorator.decorator) or ""
        if name.rsplit(".", 1)[-1] in PROPERTY_DECORATORS:
            return True
    return False


def _imports(module: ModuleScope, package: str) -> bool:
    """Does the module bind any name imported from ``package``?"""
    for bounds in module.bindings.values():
        for bound in bounds:
            if bound.kind == "ref" and str(bound.payload).split(".")[0] == package:
                return True
    return False


# -- functions -----------------------------------------------------------------------

def _function_reason(function: FunctionScope, module: ModuleScope, config: Config) -> Optional[str]:
    for decorator in function.node.decorators:
        reason = _decorator_reason(decorator.decorator, function, config)
        if reason:
            return reason
    params = _plain_params(function)
    if params == WSGI_PARAMS:
        return "WSGI callable (environ, start_response)"
    if function.is_async and params == ASGI_PARAMS:
        return "ASGI callable (scope, receive, send)"
    if isinstance(function.parent, ModuleScope) and _is_django_views_file(module.filename):
        all_params = function.param_names
        if all_params and all_params[0] == "request":
            return "Django function view (first parameter 'request' in a views module)"
    if isinstance(function.parent, ClassScope) and _is_falcon_responder(function):
        return "Falcon responder (self, req, resp)"
    return None


def _is_falcon_responder(function: FunctionScope) -> bool:
    name = function.name
    if not name.startswith(FALCON_RESPONDER_PREFIXES):
        return False
    verb, _, suffix = name[3:].partition("_")
    if verb not in VIEW_VERBS and verb != "websocket":
        return False
    if suffix and not suffix.isidentifier():
        return False
    params = function.param_names
    if len(params) < 3 or params[0] != "self":
        return False
    second, third = params[1], params[2]
    return second.startswith("req") and (third.startswith("res") or (verb == "websocket" and third == "ws"))


def _plain_params(function: FunctionScope) -> tuple:
    names = function.param_names
    if function.cls is not None and names and names[0] in ("self", "cls"):
        names = names[1:]
    return tuple(names)


def _is_django_views_file(filename: str) -> bool:
    path = os.path.normpath(filename)
    base = os.path.basename(path)
    return base == "views.py" or os.path.basename(os.path.dirname(path)) == "views"


def _decorator_target(expr: cst.BaseExpression, scope: Optional[Scope]) -> Tuple[bool, cst.BaseExpression, str, str]:
    """(called, callee expression, name as written, name resolved through imports)."""
    called = isinstance(expr, cst.Call)
    target = expr.func if isinstance(expr, cst.Call) else expr
    written = dotted_name(target) or ""
    resolved = resolve(target, scope) if scope is not None else None
    full = resolved.dotted if isinstance(resolved, Ref) else written
    return called, target, written, full


def _decorator_reason(expr: cst.BaseExpression, function: FunctionScope, config: Config) -> Optional[str]:
    called, target, written, full = _decorator_target(expr, function.parent)
    last = full.rsplit(".", 1)[-1]
    if config.matches_decorator(full) or (written and config.matches_decorator(written)):
        return f"decorated @{written or full} (handler-decorators)"
    if full in NOT_VIEW_DECORATORS:
        return None
    if last in VIEW_DECORATORS or full in VIEW_DECORATOR_PATHS or full.startswith(VIEW_DECORATOR_MODULES):
        return f"decorated @{written or full}"
    if last == "action" and function.cls is not None and _is_viewset(function.cls):
        return f"decorated @{written} in a viewset"
    if isinstance(target, cst.Attribute):
        if full.split(".")[0] in NOT_ROUTERS or written.split(".")[0] in NOT_ROUTERS:
            return None
        if (called and last in CALLED_ROUTE_DECORATORS) or last in HOOK_DECORATORS:
            return f"decorated @{written}"
        return None
    if isinstance(target, cst.Name) and "." in full:
        package = full.split(".")[0]
        if package in BARE_DECORATOR_MODULES and last in BARE_DECORATORS:
            return f"decorated @{written} from {package}"
    return None


def _is_viewset(cls: ClassScope) -> bool:
    return any(base.rsplit(".", 1)[-1].endswith("ViewSet") for base in cls.base_names())


# -- registration calls ------------------------------------------------------------

# Registrar -> (positional index, keyword) of the view argument; None index: any argument.
_REGISTRARS = {
    "add_url_rule": (2, "view_func"),
    "add_api_route": (1, "endpoint"),
    "add_api_websocket_route": (1, "endpoint"),
    "add_websocket_route": (1, "route"),
    "add_route": (None, "handler"),
    "add_get": (1, "handler"),
    "add_post": (1, "handler"),
    "add_put": (1, "handler"),
    "add_patch": (1, "handler"),
    "add_delete": (1, "handler"),
    "add_head": (1, "handler"),
    "add_view": (0, "view"),
    "Route": (1, "endpoint"),
    "WebSocketRoute": (1, "endpoint"),
}
_ROUTE_CLASS_MODULES = ("starlette.", "fastapi.", "litestar.", "starlite.")
_DJANGO_ROUTES = {"path", "re_path", "url"}
_AIOHTTP_ROUTES = {"get", "post", "put", "patch", "delete", "head", "view", "route"}
_NOT_WRAPPERS = {"as_view", "include", "partial"}


def _registered(module: ModuleScope) -> Iterator[Tuple[FunctionScope, str]]:
    for call, scope in module.registrations:
        func = call.func
        last = func.attr.value if isinstance(func, cst.Attribute) else getattr(func, "value", "")
        resolved = resolve(func, scope)
        full = resolved.dotted if isinstance(resolved, Ref) else ""
        if last in _REGISTRARS:
            index, keyword = _REGISTRARS[last]
            if last in ("Route", "WebSocketRoute"):
                if full and not full.startswith(_ROUTE_CLASS_MODULES):
                    continue
                if not full and (not isinstance(func, cst.Name) or last in module.class_defs):
                    continue
            args = _view_args(call, index, keyword)
            reason = f"registered with {last}()"
            if last == "add_view":
                yield from _pyramid_attr_views(call, args, scope, module)
        elif last in _DJANGO_ROUTES and (
            full.startswith("django.") or (not full and isinstance(func, cst.Name) and last not in module.defs)
        ):
            args = _view_args(call, 1, "view")
            reason = f"routed with {last}()"
        elif last in _AIOHTTP_ROUTES and full.startswith("aiohttp.web."):
            args = _view_args(call, None, "handler")
            reason = f"registered with web.{last}()"
        else:
            continue
        for arg in args:
            for function in _functions_named_by(arg, scope, module):
                yield function, reason


def _view_args(call: cst.Call, index: Optional[int], keyword: str) -> List[cst.BaseExpression]:
    positional = [a.value for a in call.args if a.keyword is None and not a.star]
    named = [a.value for a in call.args if a.keyword is not None and a.keyword.value == keyword]
    if index is None:
        return positional + named
    return ([positional[index]] if len(positional) > index else []) + named


def _pyramid_attr_views(
    call: cst.Call, args: List[cst.BaseExpression], scope: Scope, module: ModuleScope
) -> Iterator[Tuple[FunctionScope, str]]:
    """``config.add_view(SomeView, attr="edit")``: the named method of a class of the module."""
    attrs = [
        a.value.evaluated_value
        for a in call.args
        if a.keyword is not None and a.keyword.value == "attr" and isinstance(a.value, cst.SimpleString)
    ]
    for arg in args:
        if isinstance(arg, cst.Name):
            for cls in module.class_defs.get(arg.value, []):
                for attr in attrs:
                    if isinstance(attr, str):
                        for function in cls.method(attr):
                            yield function, f"registered with add_view(attr={attr!r})"


def _functions_named_by(
    expr: cst.BaseExpression, scope: Scope, module: ModuleScope, depth: int = 0
) -> Iterable[FunctionScope]:
    if isinstance(expr, cst.Name):
        function = scope.function
        while function is not None:
            local = function.nested.get(expr.value)
            if local:
                return local
            function = function.parent.function if function.parent is not None else None
        return module.defs.get(expr.value, [])
    if isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name):
        owner = scope.function
        if owner is not None and expr.value.value in ("self", "cls") and owner.cls is not None:
            return owner.cls.method(expr.attr.value)
        return []
    if isinstance(expr, cst.Call) and depth < 3:
        # A view wrapped by a decorator call: `login_required(index)`, `wrap(self.index)`.
        name = dotted_name(expr.func) or ""
        if name.rsplit(".", 1)[-1] in _NOT_WRAPPERS:
            return []
        positional = [a.value for a in expr.args if a.keyword is None and not a.star]
        if positional:
            return _functions_named_by(positional[0], scope, module, depth + 1)
    return []


# -- class-based views ------------------------------------------------------------

def _add_class_handlers(
    cls: ClassScope, module: ModuleScope, config: Config, tornado: bool, found: Dict[FunctionScope, str]
) -> None:
    methods, request_methods, origin = _class_handler_methods(cls, config, tornado)
    decorated = _class_decorator_methods(cls)
    for name, fns in cls.methods.items():
        for fn in fns:
            if fn in found or _is_property(fn):
                continue
            if name in methods:
                found[fn] = f"method of a {origin} request handler class"
            elif name in decorated:
                found[fn] = decorated[name]
            elif name in request_methods and _takes_request(fn):
                found[fn] = f"{name}(self, request) of a class deriving from a view ({origin})"


def _takes_request(function: FunctionScope) -> bool:
    """The view signature: ``(self, request, ...)``, ``(request)`` if static, or a pass-through ``(self, *args, **kw)``."""
    params = function.node.params
    positional = [p.name.value for p in (*params.posonly_params, *params.params)]
    decorators = {dotted_name(d.decorator) for d in function.node.decorators}
    if "staticmethod" in decorators:
        return bool(positional) and positional[0] in REQUEST_PARAMS
    if len(positional) >= 2:
        return positional[1] in REQUEST_PARAMS
    return len(positional) == 1 and isinstance(params.star_arg, cst.Param) and params.star_kwarg is not None


def _class_decorator_methods(cls: ClassScope) -> Dict[str, str]:
    """Methods a class decorator makes handlers: Pyramid ``@view_config`` (``__call__``), ``@ns.route(...)``."""
    found: Dict[str, str] = {}
    for decorator in cls.node.decorators:
        called, target, written, full = _decorator_target(decorator.decorator, cls.parent)
        last = full.rsplit(".", 1)[-1]
        if last == "view_config":
            found["__call__"] = f"__call__ of a @{written} class"
        elif isinstance(target, cst.Attribute) and called and last in ("route", "view"):
            if written.split(".")[0] not in NOT_ROUTERS:
                for verb in VIEW_VERBS:
                    found[verb] = f"method of a class decorated @{written}"
    return found


def _class_handler_methods(
    cls: ClassScope, config: Config, tornado: bool, _seen: Optional[Set[int]] = None
) -> Tuple[FrozenSet[str], FrozenSet[str], str]:
    """(methods that are handlers, methods that are when they take ``request``, base that says so)."""
    seen = _seen if _seen is not None else set()
    seen.add(id(cls))
    methods: FrozenSet[str] = frozenset()
    request_methods: FrozenSet[str] = frozenset()
    origin = ""
    for arg in cls.node.bases:
        written = dotted_name(arg.value) or ""
        resolved = resolve(arg.value, cls.parent) if cls.parent is not None else None
        full = resolved.dotted if isinstance(resolved, Ref) else written
        if not full:
            continue
        last = full.rsplit(".", 1)[-1]
        before = (methods, request_methods)
        if config.matches_base_class(full) or (written and config.matches_base_class(written)):
            methods |= CONFIGURED_BASE_METHODS
        if last in BASE_CLASS_METHODS:
            methods |= BASE_CLASS_METHODS[last]
        elif last in QUALIFIED_BASE_METHODS:
            packages, names = QUALIFIED_BASE_METHODS[last]
            if full.split(".")[0] in packages:
                methods |= names
        elif last.endswith(VIEW_LIKE_SUFFIXES):
            request_methods |= VERB_METHODS | (DJANGO_VIEWSET_ACTIONS if last.endswith("ViewSet") else frozenset())
        elif tornado and last.endswith(TORNADO_LIKE_SUFFIX) and last != "Handler" and not full.startswith("logging."):
            methods |= VIEW_VERBS
        if (methods, request_methods) != before and not origin:
            origin = last
    for base_cls in cls.local_bases():
        if id(base_cls) not in seen:
            inherited, inherited_request, inherited_origin = _class_handler_methods(base_cls, config, tornado, seen)
            methods |= inherited
            request_methods |= inherited_request
            if (inherited or inherited_request) and not origin:
                origin = inherited_origin
    return methods, request_methods, origin
