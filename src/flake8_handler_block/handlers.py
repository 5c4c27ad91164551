"""Which functions serve a request.

Framework knowledge is data: decorator names, registration calls, base classes and
the methods they dispatch to. ``find_handlers`` reads the module facts the walk
collected and returns each handler with the reason it was recognised.
"""

from __future__ import annotations

import os
from typing import Dict, FrozenSet, Iterable, Iterator, List, Optional

import libcst as cst

from .config import Config
from .names import Ref, dotted_name, resolve
from .scopes import ClassScope, FunctionScope, ModuleScope, Scope

HTTP_VERBS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "trace"})

# `@X.route(...)`, `@X.get(...)` on any object X: the route registrars take arguments.
CALLED_ROUTE_DECORATORS = HTTP_VERBS | {
    "route", "websocket", "api_route", "errorhandler", "exception_handler", "websocket_route",
}
# Hooks that are also used bare: `@app.before_request`, `@web.middleware`.
HOOK_DECORATORS = frozenset({"middleware", "before_request", "after_request"})

# Bare `@get`, `@route` only count when imported from a framework that exports them.
BARE_DECORATOR_MODULES = ("bottle", "litestar", "starlite", "sanic", "flask", "quart")

# Decorators whose name alone says "this is a view" (Django, DRF, Pyramid).
VIEW_DECORATORS = frozenset(
    {"api_view", "require_http_methods", "require_GET", "require_POST", "require_safe", "view_config"}
)

DJANGO_VIEWSET_ACTIONS = frozenset({"list", "create", "retrieve", "update", "partial_update", "destroy"})
VERB_METHODS = HTTP_VERBS | {"dispatch"}

# Base class (last dotted component) -> methods that serve requests.
BASE_CLASS_METHODS: Dict[str, FrozenSet[str]] = {
    # Django, DRF
    **{
        name: frozenset(VERB_METHODS)
        for name in (
            "View", "TemplateView", "RedirectView", "FormView", "DetailView", "ListView",
            "CreateView", "UpdateView", "DeleteView", "APIView", "GenericAPIView",
        )
    },
    **{
        name: frozenset(VERB_METHODS | DJANGO_VIEWSET_ACTIONS)
        for name in ("ViewSet", "ModelViewSet", "GenericViewSet", "ReadOnlyModelViewSet")
    },
    # Flask (View.dispatch_request), aiohttp web.View, Sanic, Starlette
    "MethodView": frozenset(VERB_METHODS | {"dispatch_request"}),
    "HTTPMethodView": frozenset(VERB_METHODS),
    "HTTPEndpoint": frozenset(VERB_METHODS),
    "WebSocketEndpoint": frozenset({"on_connect", "on_receive", "on_disconnect"}),
    # Tornado
    "RequestHandler": frozenset(HTTP_VERBS | {"prepare", "on_finish"}),
    "WebSocketHandler": frozenset(HTTP_VERBS | {"open", "on_message", "on_close", "prepare"}),
    # stdlib http.server and socketserver
    **{
        name: frozenset({"do_GET", "do_POST", "do_PUT", "do_DELETE", "do_HEAD", "do_PATCH", "do_OPTIONS"})
        for name in ("BaseHTTPRequestHandler", "SimpleHTTPRequestHandler", "CGIHTTPRequestHandler")
    },
    **{
        name: frozenset({"handle", "setup", "finish"})
        for name in ("BaseRequestHandler", "StreamRequestHandler", "DatagramRequestHandler")
    },
}
BASE_CLASS_METHODS["View"] = BASE_CLASS_METHODS["View"] | {"dispatch_request"}

# Methods of a class named in `handler-base-classes`.
CONFIGURED_BASE_METHODS = frozenset(
    VERB_METHODS | {"dispatch_request", "handle", "__call__"}
    | {f"do_{verb.upper()}" for verb in HTTP_VERBS}
    | {f"on_{verb}" for verb in HTTP_VERBS}
)

FALCON_RESPONDER_PREFIXES = tuple(f"on_{verb}" for verb in HTTP_VERBS)

WSGI_PARAMS = ("environ", "start_response")
ASGI_PARAMS = ("scope", "receive", "send")


def find_handlers(module: ModuleScope, config: Config) -> Dict[FunctionScope, str]:
    """Every handler of the module with a short reason (for docs and debugging)."""
    found: Dict[FunctionScope, str] = {}
    for function in module.functions:
        reason = _function_reason(function, module, config)
        if reason:
            found[function] = reason
    for function, reason in _registered(module):
        found.setdefault(function, reason)
    for cls in module.classes:
        methods = _class_handler_methods(cls, config)
        if not methods:
            continue
        for name, fns in cls.methods.items():
            if name in methods:
                for fn in fns:
                    found.setdefault(fn, f"method of a {cls.name} request handler class")
    return found


def _function_reason(function: FunctionScope, module: ModuleScope, config: Config) -> Optional[str]:
    for decorator in function.node.decorators:
        reason = _decorator_reason(decorator.decorator, function.parent, config)
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
            return "Django function view"
    if isinstance(function.parent, ClassScope) and function.name.startswith(FALCON_RESPONDER_PREFIXES):
        if len(function.param_names) >= 3 and _is_falcon_suffix(function.name):
            return "Falcon responder"
    return None


def _is_falcon_suffix(name: str) -> bool:
    verb, _, suffix = name[3:].partition("_")
    return verb in HTTP_VERBS and (not suffix or suffix.isidentifier())


def _plain_params(function: FunctionScope) -> tuple:
    names = function.param_names
    if function.cls is not None and names and names[0] in ("self", "cls"):
        names = names[1:]
    return tuple(names)


def _is_django_views_file(filename: str) -> bool:
    path = os.path.normpath(filename)
    base = os.path.basename(path)
    return base == "views.py" or os.path.basename(os.path.dirname(path)) == "views"


def _decorator_reason(expr: cst.BaseExpression, scope: Optional[Scope], config: Config) -> Optional[str]:
    called = isinstance(expr, cst.Call)
    target = expr.func if isinstance(expr, cst.Call) else expr
    written = dotted_name(target) or ""
    resolved = resolve(target, scope) if scope is not None else None
    full = resolved.dotted if isinstance(resolved, Ref) else written
    last = full.rsplit(".", 1)[-1]
    if config.matches_decorator(full) or (written and config.matches_decorator(written)):
        return f"decorated @{written or full} (handler-decorators)"
    if last in VIEW_DECORATORS:
        return f"decorated @{last}"
    if isinstance(target, cst.Attribute):
        if (called and last in CALLED_ROUTE_DECORATORS) or last in HOOK_DECORATORS:
            return f"decorated @{written}"
        return None
    if isinstance(target, cst.Name) and "." in full:
        if full.split(".")[0] in BARE_DECORATOR_MODULES and (
            last in CALLED_ROUTE_DECORATORS or last in HOOK_DECORATORS
        ):
            return f"decorated @{written} from {full.split('.')[0]}"
    return None


# -- registration calls ------------------------------------------------------------

# Registrar -> (positional index, keyword) of the view argument; None index: any Name argument.
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
_DJANGO_ROUTES = {"path", "re_path", "url"}
_AIOHTTP_ROUTES = {"get", "post", "put", "patch", "delete", "head", "view", "route"}


def _registered(module: ModuleScope) -> Iterator[tuple]:
    for call, scope in module.registrations:
        func = call.func
        last = func.attr.value if isinstance(func, cst.Attribute) else getattr(func, "value", "")
        resolved = resolve(func, scope)
        full = resolved.dotted if isinstance(resolved, Ref) else ""
        if last in _REGISTRARS:
            index, keyword = _REGISTRARS[last]
            if last in ("Route", "WebSocketRoute") and full and not full.startswith("starlette"):
                continue
            args = _view_args(call, index, keyword)
            reason = f"registered with {last}()"
        elif last in _DJANGO_ROUTES and (full.startswith("django.") or (not full and isinstance(func, cst.Name))):
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


def _functions_named_by(expr: cst.BaseExpression, scope: Scope, module: ModuleScope) -> Iterable[FunctionScope]:
    if isinstance(expr, cst.Name):
        function = scope.function
        if function is not None:
            local = function.nested.get(expr.value)
            if local:
                return local
        return module.defs.get(expr.value, [])
    if isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name):
        owner = scope.function
        if owner is not None and expr.value.value in ("self", "cls") and owner.cls is not None:
            return owner.cls.method(expr.attr.value)
    return []


# -- class-based views ------------------------------------------------------------

def _class_handler_methods(cls: ClassScope, config: Config, _seen: Optional[set] = None) -> FrozenSet[str]:
    seen = _seen or set()
    seen.add(id(cls))
    methods: FrozenSet[str] = frozenset()
    for base in cls.base_names():
        last = base.rsplit(".", 1)[-1]
        if config.matches_base_class(base):
            methods |= CONFIGURED_BASE_METHODS
        methods |= BASE_CLASS_METHODS.get(last, frozenset())
    for base_cls in cls.local_bases():
        if id(base_cls) not in seen:
            methods |= _class_handler_methods(base_cls, config, seen)
    return methods
