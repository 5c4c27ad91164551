"""Which functions serve a request.

Framework knowledge is data: decorator names, registration calls, base classes and
the methods they dispatch to. The rules read *plain facts* about a module
(:class:`ModuleFacts`: each function's decorators and parameters, each class's bases,
each registration call's arguments, all as dotted names and strings), so the same
detector serves the libcst walk of one file (``find_handlers``) and the ``ast``
summaries of the project index (``flake8_handler_block.project``).

Precision comes first: a function wrongly taken for a handler makes every
handler-scoped rule noisy in it and in everything it calls. So a name that is
common outside web code (``get``, ``patch``, ``View``) only counts in the shape the
frameworks use it: ``@router.get(...)`` called on an object that is not a mocking or
tracing module, ``def get(self, request)`` in a class deriving from a view.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import (
    TYPE_CHECKING, Callable, Dict, FrozenSet, Iterable, Iterator, List, Optional, Set, Tuple,
)

from .catalog import READ_PROPERTY_DECORATORS, WRITE_PROPERTY_DECORATORS, decorated_by_one_of
from .config import Config
from .quick_init import quick_init

if TYPE_CHECKING:  # pragma: no cover
    import libcst as cst

    from .scopes import FunctionScope, ModuleScope, Scope

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
# Keywords only a route's declaration takes: `bp.route(url, methods=["GET"])` declares one.
_ROUTE_KEYWORDS = frozenset({"methods", "endpoint", "response_model", "response_class", "status_code"})


def declares_a_route(written: str, first: Optional[str], keywords: Iterable[str]) -> bool:
    """``app.get("/ping")``, ``bp.route(url, methods=[...])``: the call of a route decorator (``written``
    its callee, ``first`` its first positional argument when a string literal), which a call applies
    to a view (``app.get("/ping")(ping)``). The path or a keyword tells it from ``config.get(key)``."""
    head, _, method = written.rpartition(".")
    return (
        bool(head) and method in CALLED_ROUTE_DECORATORS and head.split(".")[0] not in NOT_ROUTERS
        and ((first is not None and first.startswith("/")) or not _ROUTE_KEYWORDS.isdisjoint(keywords))
    )


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
VIEW_DECORATOR_PATHS = frozenset({
    "tornado.web.authenticated", "rest_framework.decorators.action",
    # a Django admin action: it runs in the changelist's POST request
    "django.contrib.admin.action", "django.contrib.admin.decorators.action",
    # werkzeug's `@Request.application`: `def app(request)` becomes a WSGI application
    "werkzeug.Request.application", "werkzeug.wrappers.Request.application",
    "werkzeug.wrappers.request.Request.application", "flask.Request.application",
    # Dash's app-less `@callback(Output(...), Input(...))`: it serves the app that imports the module
    "dash.callback", "dash_extensions.enrich.callback",
})
# `expose` is a common word: a view only from these (or when its origin cannot be seen).
EXPOSE_DECORATORS = frozenset({"expose", "expose_api"})
EXPOSE_PACKAGES = frozenset({"flask_appbuilder", "flask_admin", "cherrypy", "superset"})
# ... except these, which take any function.
NOT_VIEW_DECORATORS = frozenset({"django.views.decorators.debug.sensitive_variables"})

PROPERTY_DECORATORS = READ_PROPERTY_DECORATORS | WRITE_PROPERTY_DECORATORS | {"getter"}

# GraphQL resolvers run once per query that selects their field: each is a handler.
# Strawberry decorates them (`@strawberry.field`, `@strawberry.mutation(...)`), by package:
GRAPHQL_DECORATORS: Dict[str, FrozenSet[str]] = {
    "strawberry": frozenset({"field", "mutation", "subscription"}),
    "strawberry_django": frozenset({"field", "mutation"}),
}
# Servers whose decorators make a function what serves a client's message, known from the
# receiver's class, so the receiver must be resolved (`event_handler_reason`): Socket.IO servers
# (`@sio.on("message")`, `@sio.event` on python-socketio's `Server`/`AsyncServer`, Flask-SocketIO's
# `SocketIO`), and MCP servers (`@mcp.tool()`, `@mcp.resource("uri")`, `@mcp.prompt()` on the MCP
# SDK's or FastMCP's `FastMCP`: each call of a tool by a client runs it), and Dash apps
# (`@app.callback(Output(...), Input(...))` on a `Dash`: the browser POSTs to the app for each
# callback it fires, and the Flask server runs the function in that request).
_SOCKETIO = (frozenset({"on", "event"}), "Socket.IO event handler")
_MCP = (frozenset({"tool", "resource", "prompt"}), "MCP handler")
MCP_DECORATORS = _MCP[0]  # `@mcp.tool()`, `@mcp.resource(uri)`, `@mcp.prompt()`
# The MCP SDK 1.x's FastMCP (`mcp.server.fastmcp`, a module 2.x no longer has) calls a sync tool,
# resource or prompt in place, on its event loop (2.x and FastMCP 3 hand them to a thread; FastMCP
# 2's version is not known from the code): a sync one runs on the loop as an `async def` does.
INLINE_MCP_MODULE = "mcp.server.fastmcp"
INLINE_ON_LOOP = "MCP SDK 1.x handler, run on its event loop"
_MCP_INLINE = (_MCP[0], INLINE_ON_LOOP)
# FastMCP (the standalone package) 2.x calls a sync tool in place too (its `FunctionTool.run` calls
# the function and awaits what it returns only when that is awaitable); 3.0 hands it to a thread.
# Which one runs shows only in the project's requirements (`fastmcp<3`, a lock file: project.requirements).
FASTMCP_DISTRIBUTION, FASTMCP_THREADED_SINCE = "fastmcp", 3
_FASTMCP = (_MCP[0], "FastMCP handler")
INLINE_ON_FASTMCP_2 = "FastMCP 2 handler, run on its event loop"
_INLINE_REASONS = (INLINE_ON_LOOP, INLINE_ON_FASTMCP_2)  # how a reason says its server runs it in place
_DASH = (frozenset({"callback"}), "Dash callback")
# The MCP SDK's low-level server: `@server.call_tool()`, `@server.read_resource()`... (1.x) register
# what answers each request of that kind; 2.x takes them as `Server(name, on_call_tool=f, ...)`.
MCP_LOWLEVEL_SERVERS = frozenset(
    {"mcp.server.Server", "mcp.server.lowlevel.Server", "mcp.server.lowlevel.server.Server"}
)
MCP_LOWLEVEL_REQUESTS = frozenset({
    "call_tool", "read_resource", "get_prompt", "list_tools", "list_resources", "list_resource_templates",
    "list_prompts", "completion", "subscribe_resource", "unsubscribe_resource", "set_logging_level",
})
_MCP_LOWLEVEL = (MCP_LOWLEVEL_REQUESTS, "MCP request handler")
EVENT_SERVERS: Dict[str, Tuple[FrozenSet[str], str]] = {
    "socketio.Server": _SOCKETIO,
    "socketio.AsyncServer": _SOCKETIO,
    "flask_socketio.SocketIO": _SOCKETIO,
    f"{INLINE_MCP_MODULE}.FastMCP": _MCP_INLINE,
    f"{INLINE_MCP_MODULE}.server.FastMCP": _MCP_INLINE,
    "mcp.server.FastMCP": _MCP_INLINE,  # the name the SDK 1.x's `mcp.server` re-exports
    # the MCP SDK 2.x's FastMCP, renamed (its sync tools run in a thread)
    "mcp.server.mcpserver.MCPServer": _MCP,
    "mcp.server.MCPServer": _MCP,  # the name `mcp.server` re-exports
    "mcp.server.mcpserver.server.MCPServer": _MCP,
    "fastmcp.FastMCP": _FASTMCP,
    "fastmcp.server.FastMCP": _FASTMCP,
    "fastmcp.server.server.FastMCP": _FASTMCP,
    **dict.fromkeys(MCP_LOWLEVEL_SERVERS, _MCP_LOWLEVEL),
    "dash.Dash": _DASH,
    "dash.dash.Dash": _DASH,
    "dash_extensions.enrich.DashProxy": _DASH,
}
# A project class deriving from an MCP server that overrides how a tool is called (k8s-mcp's
# `call_tool`, which sends the sync tools to an executor): its tools are handlers, run as it decides.
MCP_TOOL_CALLERS = frozenset({"call_tool"})
_MCP_OFF_LOOP_SERVER = "mcp.server.mcpserver.MCPServer"


def is_mcp_server(server: str) -> bool:
    """``server`` is a class of ``EVENT_SERVERS`` that registers MCP tools, resources and prompts."""
    return EVENT_SERVERS.get(server, ((), ""))[0] == MCP_DECORATORS


# The last names of those classes: the words a module building one writes (`FastMCP("notes")`).
MCP_SERVER_NAMES = frozenset(server.rsplit(".", 1)[-1] for server in EVENT_SERVERS if is_mcp_server(server))


def server_calling_tools_itself(server: str) -> str:
    """The server class to read a project subclass of ``server`` as when it overrides
    ``MCP_TOOL_CALLERS``: for an MCP server, one with the same decorators that does not claim to
    run a sync tool on its loop."""
    return _MCP_OFF_LOOP_SERVER if is_mcp_server(server) else server


# `@mcp.custom_route("/health", methods=["GET"])` on FastMCP or the SDK's server: a Starlette route of
# the server's HTTP app (a sync one runs in Starlette's thread pool, whichever SDK runs the tools).
MCP_HTTP_ROUTE = "custom_route"
EVENT_DECORATORS = frozenset(name for names, _label in EVENT_SERVERS.values() for name in names) | {MCP_HTTP_ROUTE}
# A server's decorator applied by a call (`mcp.tool()(tags.list_tags)`, `sio.on("message")(handler)`)
# registers its argument as the decorator would; so does FastMCP's `mcp.add_tool(fn)`.
MCP_ADD_TOOL = "add_tool"
# The MCP SDK 2.x's low-level server also takes a handler by the request's method name:
# `server.add_request_handler("tools/call", CallToolRequestParams, call_tool)`.
MCP_ADD_REQUEST_HANDLER = "add_request_handler"
SERVER_REGISTRARS = EVENT_DECORATORS | {MCP_ADD_TOOL, MCP_ADD_REQUEST_HANDLER}
# FastMCP's decorators also take the function itself: `mcp.tool(handle)` registers `handle` (the MCP
# SDK's raise when given one, so a project that writes it runs FastMCP).
MCP_DIRECT_REGISTRARS = MCP_DECORATORS
# Ariadne binds them on its object types (`query = QueryType()`, then `@query.field("user")`,
# `@subscription.source("event")`): a module that imports ariadne, a bound decorator called.
ARIADNE_BINDINGS = frozenset({"field", "source"})

# -- class-based views ---------------------------------------------------------------

DJANGO_VIEWSET_ACTIONS = frozenset({"list", "create", "retrieve", "update", "partial_update", "destroy"})
VERB_METHODS = VIEW_VERBS | {"dispatch"}
# DRF generic views (`CreateAPIView`, `ListCreateAPIView`, ...) serve a verb by calling the
# action their mixins name: `post()` calls `self.create()`.
_GENERIC_ACTION_WORDS = ("Create", "List", "Retrieve", "Update", "Destroy")


def _has_actions(base: str) -> bool:
    """A base whose request methods dispatch to viewset actions (``create``, ``list``, ...)."""
    if base.endswith("ViewSet"):
        return True
    return base.endswith("APIView") and any(word in base for word in _GENERIC_ACTION_WORDS)


STDLIB_DO_METHODS = frozenset(f"do_{verb.upper()}" for verb in VIEW_VERBS)

# The hooks a framework's own request methods call on every request, by the base that calls them:
# Django's generic views (`ProcessFormView.post()` calls `form_valid()`, `BaseDetailView.get()`
# calls `get_object()` and `get_context_data()`, ...) and DRF's generic views and viewsets
# (`CreateModelMixin.create()` calls `perform_create()`). An override of one serves the request.
_DJANGO_TEMPLATE_HOOKS = frozenset({"setup", "get_context_data", "get_template_names", "render_to_response"})
_DJANGO_FORM_HOOKS = frozenset({
    "get_form", "get_form_class", "get_form_kwargs", "get_initial", "form_valid", "form_invalid", "get_success_url",
})
_DJANGO_OBJECT_HOOKS = frozenset({"get_object", "get_queryset"})
_DJANGO_LIST_HOOKS = frozenset({"get_queryset", "paginate_queryset", "get_paginate_by", "get_ordering"})
_DRF_GENERIC_HOOKS = frozenset({
    "get_queryset", "get_object", "filter_queryset", "get_serializer", "get_serializer_class",
    "get_serializer_context", "perform_create", "perform_update", "perform_destroy",
})
VIEW_HOOKS: Dict[str, FrozenSet[str]] = {
    "TemplateView": _DJANGO_TEMPLATE_HOOKS,
    "RedirectView": frozenset({"setup", "get_redirect_url"}),
    "FormView": _DJANGO_TEMPLATE_HOOKS | _DJANGO_FORM_HOOKS,
    "DetailView": _DJANGO_TEMPLATE_HOOKS | _DJANGO_OBJECT_HOOKS,
    "ListView": _DJANGO_TEMPLATE_HOOKS | _DJANGO_LIST_HOOKS,
    "CreateView": _DJANGO_TEMPLATE_HOOKS | _DJANGO_FORM_HOOKS | _DJANGO_OBJECT_HOOKS,
    "UpdateView": _DJANGO_TEMPLATE_HOOKS | _DJANGO_FORM_HOOKS | _DJANGO_OBJECT_HOOKS,
    "DeleteView": _DJANGO_TEMPLATE_HOOKS | _DJANGO_FORM_HOOKS | _DJANGO_OBJECT_HOOKS,
    "ArchiveIndexView": _DJANGO_TEMPLATE_HOOKS | _DJANGO_LIST_HOOKS,
    **{
        name: _DRF_GENERIC_HOOKS
        for name in (
            "GenericAPIView", "ModelViewSet", "GenericViewSet", "ReadOnlyModelViewSet",
            "CreateAPIView", "ListAPIView", "RetrieveAPIView", "DestroyAPIView", "UpdateAPIView",
            "ListCreateAPIView", "RetrieveUpdateAPIView", "RetrieveDestroyAPIView", "RetrieveUpdateDestroyAPIView",
        )
    },
}

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
# Graphene object types resolve each field with `resolve_<field>(root, info)`; its mutations run
# `mutate()` (relay: `mutate_and_get_payload()`).
GRAPHENE_PACKAGES = ("graphene", "graphene_django", "graphene_sqlalchemy", "graphene_mongo")
GRAPHENE_BASES = (
    "ObjectType", "DjangoObjectType", "SQLAlchemyObjectType", "MongoengineObjectType", "Interface",
    "Mutation", "ClientIDMutation", "DjangoModelFormMutation", "DjangoFormMutation", "SerializerMutation",
)
RESOLVER_PREFIX = "resolve_"
# In a set of handler method names, this entry stands for every ``resolve_<field>`` method.
RESOLVER_METHODS = RESOLVER_PREFIX + "*"
GRAPHENE_METHODS = frozenset({"mutate", "mutate_and_get_payload", "perform_mutate", RESOLVER_METHODS})
# Twisted Web resources serve a request with `render_<METHOD>(self, request)` (or `render()`), once
# `getChild(self, path, request)` has routed it to them.
TWISTED_RENDER_METHODS = frozenset({f"render_{verb.upper()}" for verb in VIEW_VERBS} | {"render", "getChild"})
# Django Channels' websocket consumers: the methods a connection's events run
CHANNELS_WEBSOCKET_METHODS = frozenset({"connect", "receive", "disconnect"})
# Bases whose last name is too common to trust alone: last name -> {package it comes from: methods}.
QUALIFIED_BASE_METHODS: Dict[str, Dict[str, FrozenSet[str]]] = {
    "Resource": {
        **{package: VIEW_VERBS for package in ("flask_restful", "flask_restx", "flask_restplus", "flask_smorest")},
        "twisted": TWISTED_RENDER_METHODS,
    },
    "MethodResource": {"flask_apispec": VIEW_VERBS},
    # JupyterHub's plugins: its handlers await a spawner's start()/stop()/poll() (the spawn and
    # stop requests, a user's status) and an authenticator's authenticate() (the login request)
    # and pre_spawn_start() (the spawn request), in the request
    "Spawner": {"jupyterhub": frozenset({"start", "stop", "poll"})},
    "Authenticator": {"jupyterhub": frozenset({"authenticate", "pre_spawn_start"})},
    **{base: {package: GRAPHENE_METHODS for package in GRAPHENE_PACKAGES} for base in GRAPHENE_BASES},
    # Middleware classes: every request passes through them. Starlette's runs `dispatch(request,
    # call_next)`; Django's old-style hooks run before and after each view.
    "BaseHTTPMiddleware": {"starlette": frozenset({"dispatch"})},
    # Django Channels' consumers: one instance per websocket (or HTTP) connection, whose methods
    # the connection's events run (messages sent to its group run methods named by their type)
    **{consumer: {"channels": CHANNELS_WEBSOCKET_METHODS}
       for consumer in ("WebsocketConsumer", "AsyncWebsocketConsumer")},
    **{consumer: {"channels": CHANNELS_WEBSOCKET_METHODS | {"receive_json"}}
       for consumer in ("JsonWebsocketConsumer", "AsyncJsonWebsocketConsumer")},
    "AsyncHttpConsumer": {"channels": frozenset({"handle"})},
    # Django's admin: the views of a model's pages, and the hooks they call as they save or delete
    "ModelAdmin": {"django": frozenset({
        "changelist_view", "changeform_view", "add_view", "change_view", "delete_view", "history_view",
        "save_model", "delete_model", "save_related", "save_formset", "delete_queryset",
        "response_add", "response_change", "response_delete",
    })},
    "MiddlewareMixin": {"django": frozenset({"process_request", "process_view", "process_response",
                                             "process_exception", "process_template_response", "__call__"})},
    # An MCP server's bearer authentication (the MCP SDK's and FastMCP's `token_verifier=`) awaits its
    # verifier's `verify_token()` on every request; the SDK's OAuth provider serves its auth endpoints
    "TokenVerifier": {package: frozenset({"verify_token"}) for package in ("mcp", "fastmcp")},
    "OAuthAuthorizationServerProvider": {"mcp": frozenset({
        "get_client", "register_client", "authorize", "load_authorization_code", "exchange_authorization_code",
        "load_refresh_token", "exchange_refresh_token", "load_access_token", "revoke_token",
    })},
}
# Django's middleware protocol, with no base class: a class built with the next handler
# (`__init__(self, get_response)`, the documented name) runs these for every request
DJANGO_MIDDLEWARE_PARAM = "get_response"
DJANGO_MIDDLEWARE_METHODS = frozenset({"__call__", "__acall__", "process_view", "process_exception",
                                       "process_template_response"})
# Handler methods the framework awaits under a deadline of its own, which cancels them: last name
# of the library base (a suffix: LocalProcessSpawner too) -> {package: methods}. JupyterHub runs a
# spawner's start() in `asyncio.wait_for(..., timeout=spawner.start_timeout)`; its stop() and
# poll() it awaits with none.
FRAMEWORK_DEADLINES: Dict[str, Dict[str, FrozenSet[str]]] = {
    "Spawner": {"jupyterhub": frozenset({"start"})},
}
# A base named like a view but defined elsewhere in the project (`HomeAssistantView`,
# `LoginRequiredView`, `ListCreateAPIView`): its verb methods count when they take the
# request as first argument, which is the view signature and nothing else's.
VIEW_LIKE_SUFFIXES = ("View", "ViewSet", "APIView", "Endpoint")
REQUEST_PARAMS = frozenset({"request", "req"})
# A parameter declared of the framework's request (`request: Request`, `websocket: WebSocket`): only a
# request supplies one, so the function runs inside a request, whoever calls it (a library's
# dependency or helper that the app's routes call: an auth package's `require_session_auth(request:
# Request)`, a `login(self, request: Request)` its users' views await).
TAKES_THE_REQUEST = "takes the request"  # the reason given such a function (an entry point: none calls it)
REQUEST_CLASSES = frozenset({
    "fastapi.Request", "fastapi.requests.Request", "fastapi.WebSocket", "fastapi.websockets.WebSocket",
    "starlette.requests.Request", "starlette.requests.HTTPConnection", "starlette.websockets.WebSocket",
    "aiohttp.web.Request", "aiohttp.web.BaseRequest", "aiohttp.web_request.Request",
    "aiohttp.web_request.BaseRequest", "django.http.HttpRequest", "django.http.request.HttpRequest",
    "rest_framework.request.Request", "sanic.Request", "sanic.request.Request", "litestar.Request",
    "litestar.connection.Request",
})
# A `*Handler` base in a module that imports tornado (Jupyter's `APIHandler`, ...).
TORNADO_LIKE_SUFFIX = "Handler"

# Methods of a class named in `handler-base-classes`.
CONFIGURED_BASE_METHODS = frozenset(
    VERB_METHODS | {"dispatch_request", "handle", "__call__"} | STDLIB_DO_METHODS
    | {f"on_{verb}" for verb in VIEW_VERBS}
)

FALCON_RESPONDER_PREFIXES = tuple(f"on_{verb}" for verb in VIEW_VERBS) + ("on_websocket",)

# A WSGI callable: the second of exactly two parameters is `start_response`; the first is
# `environ` by convention, `env` or `e` in OpenStack and Paste middleware.
WSGI_SECOND = "start_response"
ASGI_PARAMS = ("scope", "receive", "send")


# -- the plain facts the rules read ----------------------------------------------------


@quick_init
@dataclass(frozen=True)
class Decorator:
    """One decorator: its callee as written and as resolved through the module's imports."""

    written: str  # dotted callee as written ('' when not a dotted name)
    full: str  # resolved through imports; ``written`` when it does not resolve
    called: bool  # ``@x(...)`` rather than ``@x``
    shape: str  # "name" (``@x``), "attribute" (``@a.x``) or "other"
    # ``@a.x`` where the module builds ``a`` (``sio = socketio.AsyncServer()``): the class called, else ''
    # (read for the decorator names that need it: EVENT_DECORATORS)
    receiver: str = ""
    # ``@x("...")``: called with a string written out first (a route's path, ``@get("stats")``; an
    # event's name), which registers the function under it
    labelled: bool = False


@quick_init
@dataclass(frozen=True)
class Base:
    """One base class expression of a class statement."""

    written: str
    full: str  # resolved through imports; ``written`` when it does not resolve
    local: str  # the plain name when written as one (a class of the same module may be meant)


@quick_init
@dataclass(frozen=True)
class FunctionFacts:
    key: int  # position in ModuleFacts.functions (source order, outer before inner)
    name: str
    qualname: str
    line: int  # line of ``def`` (0 when unknown)
    is_async: bool
    params: Tuple[str, ...]  # every parameter name, in order
    positional: Tuple[str, ...]  # positional-only and positional-or-keyword names
    star_args: bool  # has ``*args`` (a named one)
    star_kwargs: bool
    decorators: Tuple[Decorator, ...]
    cls: Optional[int]  # key of the class when defined directly in a class body
    parent_function: Optional[int]  # key of the nearest enclosing function
    top_level: bool  # defined directly in the module body
    request_class: str = ""  # the REQUEST_CLASSES a parameter is declared of ('' for none)

    @property
    def reads_as_property(self) -> bool:
        """A read of it on an instance runs its body (``@property``, ``cached_property``, ``reify``)."""
        return decorated_by_one_of((d.written for d in self.decorators), READ_PROPERTY_DECORATORS)


@quick_init
@dataclass(frozen=True)
class ClassFacts:
    key: int  # position in ModuleFacts.classes
    name: str
    qualname: str
    line: int
    bases: Tuple[Base, ...]
    decorators: Tuple[Decorator, ...]
    methods: Tuple[Tuple[str, Tuple[int, ...]], ...]  # name -> function keys, first definition first
    top_level: bool

    def method_keys(self, name: str) -> Tuple[int, ...]:
        for method, keys in self.methods:
            if method == name:
                return keys
        return ()


@quick_init
@dataclass(frozen=True)
class ViewRef:
    """An argument of a registration call that may name a view.

    kinds: ``name`` (``index``), ``self`` (``self.index``/``cls.index``), ``attribute``
    (``views.index``), ``wrapped`` (``login_required(index)``: ``inner`` is the first
    positional argument; ``views.Feed.as_view()`` too, with ``name`` "as_view"),
    ``string`` (a string literal), ``param`` (a parameter of the function registering it, or a
    local name standing for one: ``registered_parameter``; the project's summaries only),
    ``other``. A local name given one call, and nothing else
    (``dep = make_dep(options)``, then ``Depends(dep)``), is that call: ``wrapped``.
    """

    kind: str
    name: str = ""  # the plain name, the attribute, the wrapper's last name or the string
    full: str = ""  # dotted path through imports ('' when unknown); the wrapper's for ``wrapped``
    inner: Optional["ViewRef"] = None
    # ``attribute`` on an instance built by a plain-name call (``endpoints.predict`` after
    # ``endpoints = Endpoints(plane)``, or ``Endpoints(plane).predict``): the name called
    instance_of: str = ""


@quick_init
@dataclass(frozen=True)
class Registration:
    """A call that may register a view: ``add_url_rule(...)``, ``path(...)``, ``Route(...)``."""

    callee: str  # the callee's last name
    full: str  # the callee resolved through imports ('' when unknown)
    bare: bool  # the callee is a plain name
    args: Tuple[ViewRef, ...]  # positional arguments (no ``*args``)
    keywords: Tuple[Tuple[str, ViewRef], ...]
    function: Optional[int]  # key of the innermost function around the call
    line: int
    # a server's registration (``SERVER_REGISTRARS``: ``mcp.tool()(f)``, ``mcp.add_tool(f)``) on a server
    # the module builds: its class, as ``Decorator.receiver``
    receiver: str = ""
    # a route decorator applied by a call (``app.get("/ping")(ping)``: ``declares_a_route``)
    route: bool = False


@quick_init
@dataclass(frozen=True)
class ModuleFacts:
    filename: str
    functions: Tuple[FunctionFacts, ...]
    classes: Tuple[ClassFacts, ...]
    registrations: Tuple[Registration, ...]
    imported_packages: FrozenSet[str]  # first component of every module-level import

    def defs(self) -> Set[str]:
        return {fn.name for fn in self.functions if fn.top_level}

    def class_defs(self, name: str) -> List[ClassFacts]:
        return [cls for cls in self.classes if cls.top_level and cls.name == name]

    def nested(self, key: Optional[int], name: str) -> List[FunctionFacts]:
        """Functions named ``name`` defined directly in function ``key`` (module level for None)."""
        if key is None:
            return [fn for fn in self.functions if fn.top_level and fn.name == name]
        return [
            fn for fn in self.functions
            if fn.name == name and fn.cls is None and not fn.top_level and fn.parent_function == key
        ]

    def method(self, cls: ClassFacts, name: str, _seen: Optional[Set[int]] = None) -> List[FunctionFacts]:
        """``cls.name`` through the bases defined in this module."""
        keys = cls.method_keys(name)
        if keys:
            return [self.functions[key] for key in keys]
        seen = _seen if _seen is not None else set()
        seen.add(cls.key)
        for base in local_bases(self, cls):
            if base.key not in seen:
                found = self.method(base, name, seen)
                if found:
                    return found
        return []


def local_bases(module: ModuleFacts, cls: ClassFacts) -> List[ClassFacts]:
    """Base classes written as a plain name of a class defined at the top of the same module."""
    return [base_cls for base in cls.bases if base.local for base_cls in module.class_defs(base.local)]


# (module, class) -> its base classes as far as they are known; the default knows one module.
BaseLookup = Callable[[ModuleFacts, ClassFacts], Iterable[Tuple[ModuleFacts, ClassFacts]]]


def _module_bases(module: ModuleFacts, cls: ClassFacts) -> Iterable[Tuple[ModuleFacts, ClassFacts]]:
    return [(module, base) for base in local_bases(module, cls)]


# -- the detector ---------------------------------------------------------------------


def detect_handlers(
    module: ModuleFacts, config: Config, bases_of: Optional[BaseLookup] = None
) -> Dict[int, str]:
    """Every handler of the module (function key -> short reason), from its facts alone.

    ``bases_of`` says where base classes are defined; by default only classes of the
    same module are followed (the project index passes one that crosses modules).
    """
    lookup = bases_of or _module_bases
    found: Dict[int, str] = {}
    for function in module.functions:
        if _is_property(function):
            continue
        reason = _function_reason(function, module, config)
        if reason:
            found[function.key] = reason
    for function, reason in _registered(module):
        if not _is_property(function):
            found.setdefault(function.key, reason)
    for cls in module.classes:
        _add_class_handlers(cls, module, config, lookup, found)
    # Last: a method a view class serves (`get(self, request: web.Request)`) or a registered route
    # is a handler whoever else calls a function of that name; a request taker is one only while
    # nothing calls it (`Graph.handlers`, `Reach`), so it must not hide a firmer reason.
    for function in module.functions:
        if function.request_class and not _is_property(function):
            found.setdefault(function.key, f"{TAKES_THE_REQUEST} ({function.request_class.rsplit('.', 1)[-1]}): "
                                           "it runs inside one")
    return found


def is_taker_reason(reason: str) -> bool:
    """The handler reason of a function that takes the request: a handler only while nothing calls it."""
    return reason.startswith(TAKES_THE_REQUEST)


def firmer(present: Optional[str], reason: str) -> bool:
    """``reason`` should replace ``present`` as a function's handler reason: none is there yet, or
    only a request taker's, which a registration, a view class or an event outranks."""
    return present is None or (is_taker_reason(present) and not is_taker_reason(reason))


def _is_property(function: FunctionFacts) -> bool:
    return any(
        not decorator.called and decorator.written.rsplit(".", 1)[-1] in PROPERTY_DECORATORS
        for decorator in function.decorators
    )


def _imports_tornado(module: ModuleFacts) -> bool:
    return "tornado" in module.imported_packages


# -- functions -----------------------------------------------------------------------

def _function_reason(function: FunctionFacts, module: ModuleFacts, config: Config) -> Optional[str]:
    for decorator in function.decorators:
        reason = _decorator_reason(decorator, function, module, config)
        if reason:
            return reason
    params = _plain_params(function)
    if len(params) == 2 and params[1] == WSGI_SECOND:
        return f"WSGI callable ({params[0]}, start_response)"
    if function.is_async and params == ASGI_PARAMS:
        return "ASGI callable (scope, receive, send)"
    if function.top_level and is_django_views_file(module.filename):
        if function.params and function.params[0] == "request":
            return "Django function view (first parameter 'request' in a views module)"
    if function.cls is not None and _is_falcon_responder(function):
        return "Falcon responder (self, req, resp)"
    return None


def _is_falcon_responder(function: FunctionFacts) -> bool:
    name = function.name
    if not name.startswith(FALCON_RESPONDER_PREFIXES):
        return False
    verb, _, suffix = name[3:].partition("_")
    if verb not in VIEW_VERBS and verb != "websocket":
        return False
    if suffix and not suffix.isidentifier():
        return False
    params = function.params
    if len(params) < 3 or params[0] != "self":
        return False
    second, third = params[1], params[2]
    return second.startswith("req") and (third.startswith("res") or (verb == "websocket" and third == "ws"))


def _plain_params(function: FunctionFacts) -> Tuple[str, ...]:
    names = function.params
    if function.cls is not None and names and names[0] in ("self", "cls"):
        names = names[1:]
    return names


def is_django_views_file(filename: str) -> bool:
    """``views.py``, or a module of a ``views/`` package."""
    path = os.path.normpath(filename)
    base = os.path.basename(path)
    return base == "views.py" or os.path.basename(os.path.dirname(path)) == "views"


_is_django_views_file = is_django_views_file  # the engine's name for it


def _decorator_reason(
    decorator: Decorator, function: FunctionFacts, module: ModuleFacts, config: Config
) -> Optional[str]:
    written, full = decorator.written, decorator.full
    last = full.rsplit(".", 1)[-1]
    if config.matches_decorator(full) or (written and config.matches_decorator(written)):
        return f"decorated @{written or full} (handler-decorators)"
    if full in NOT_VIEW_DECORATORS:
        return None
    if last in EXPOSE_DECORATORS and "." in full and full.split(".")[0] not in EXPOSE_PACKAGES:
        return None  # another project's `expose` (a plugin API, an RPC registry): not a web view
    if last in VIEW_DECORATORS or full in VIEW_DECORATOR_PATHS or full.startswith(VIEW_DECORATOR_MODULES):
        return f"decorated @{written or full}"
    if last == "action" and function.cls is not None and _is_viewset(module.classes[function.cls]):
        return f"decorated @{written} in a viewset"
    event = event_handler_reason(decorator, decorator.receiver)
    if event:
        return event
    if "." in full and last in GRAPHQL_DECORATORS.get(full.split(".")[0], ()):
        return f"GraphQL resolver @{written or full}"
    if (
        decorator.shape == "attribute" and decorator.called and last in ARIADNE_BINDINGS
        and "ariadne" in module.imported_packages
    ):
        return f"GraphQL resolver bound with @{written} (ariadne)"
    if decorator.shape == "attribute":
        if full.split(".")[0] in NOT_ROUTERS or written.split(".")[0] in NOT_ROUTERS:
            return None
        if (decorator.called and last in CALLED_ROUTE_DECORATORS) or last in HOOK_DECORATORS:
            return f"decorated @{written}"
        return None
    if decorator.shape == "name" and "." in full:
        package = full.split(".")[0]
        if package in BARE_DECORATOR_MODULES and last in BARE_DECORATORS:
            return f"decorated @{written} from {package}"
    return None


def event_handler_reason(decorator: Decorator, receiver_class: str) -> Optional[str]:
    """``@sio.on("message")``, ``@mcp.tool()``: ``receiver_class`` is the class ``sio`` or ``mcp`` is an
    instance of (``EVENT_SERVERS``)."""
    if decorator.shape != "attribute":
        return None
    return _served_by_server(decorator.written, receiver_class, f" @{decorator.written}")


def one_server_of(one: str, other: str) -> Optional[str]:
    """Two server classes a module falls back between (``try: from mcp.server.mcpserver import
    MCPServer as FastMCP``, ``except ImportError: from mcp.server.fastmcp import FastMCP``) that
    register handlers with the same decorators: the one to read the server as, the one that runs
    its sync handlers off the loop when only one does (which is installed is not known from the
    code); None when they are not two such classes."""
    first, second = EVENT_SERVERS.get(one), EVENT_SERVERS.get(other)
    if first is None or second is None or first[0] != second[0]:
        return None
    return other if first[1] == INLINE_ON_LOOP and second[1] != INLINE_ON_LOOP else one


def _served_by_server(written: str, receiver_class: str, how: str) -> Optional[str]:
    """What a server of ``receiver_class`` makes of a function its method ``written`` registers
    (``how``, to append: as a decorator, or by a call); None when the method registers nothing."""
    server = EVENT_SERVERS.get(receiver_class)
    name = written.rsplit(".", 1)[-1]
    mcp = server in (_MCP, _MCP_INLINE, _FASTMCP)
    if mcp and name == MCP_HTTP_ROUTE:
        return f"route{how} of an MCP server"
    added = (mcp and name == MCP_ADD_TOOL) or (server is _MCP_LOWLEVEL and name == MCP_ADD_REQUEST_HANDLER)
    if server is None or (name not in server[0] and not added):
        return None
    return f"{server[1]}{how}"


def server_registrations(
    module: ModuleFacts, server_of: Callable[[Registration], str]
) -> Iterator[Tuple[ViewRef, str, Registration]]:
    """The functions a server's method registers by a call (``SERVER_REGISTRARS``: ``mcp.tool()(f)``,
    ``mcp.add_tool(f)``), with the reason; ``server_of`` tells the server's class."""
    for registration in module.registrations:
        if registration.callee not in SERVER_REGISTRARS:
            continue
        receiver = server_of(registration)
        how = f", registered with {registration.callee}()"
        reason = _served_by_server(registration.callee, receiver, how) if receiver else None
        if reason:
            by_method = registration.callee == MCP_ADD_REQUEST_HANDLER
            where = _REQUEST_HANDLER_ARGUMENT if by_method else _SERVER_VIEW_ARGUMENT
            yield from ((view, reason, registration) for view in _view_args(registration, *where))


def runs_inline_on_loop(reason: str) -> bool:
    """A handler its server calls in place on its event loop, sync or not (``INLINE_ON_LOOP``, or
    FastMCP 2's, ``on_fastmcp_2``)."""
    return reason.startswith(_INLINE_REASONS)


def on_fastmcp_2(reason: str, root: Callable[[], Optional[str]]) -> str:
    """``reason`` as a FastMCP server runs the handler when every FastMCP the project (at the
    ``root()`` asked for only then) allows or has locked is a 2.x: in place on its event loop, sync or
    not. Unchanged otherwise (another handler, no root, a FastMCP 3 allowed or no requirement found)."""
    if not reason.startswith(_FASTMCP[1]):
        return reason
    from .project.requirements import requires_below  # (the project package reads this module)

    where = root()
    if where is None or not requires_below(where, FASTMCP_DISTRIBUTION, FASTMCP_THREADED_SINCE):
        return reason
    return INLINE_ON_FASTMCP_2 + reason[len(_FASTMCP[1]):]


# A project that writes into FastMCP's private tool registry replaces tools it registered (there:
# `mcp._tool_manager._tools[name] = tool.model_copy(update={"fn": runner})`, a coroutine handing the
# sync tool to a thread), or rewrites the function of each tool it lists (`for tool in
# mcp._tool_manager.list_tools(): tool.fn = threaded(tool.fn)`): how its sync tools run is then not
# known from their registration. So does one that puts a decorator of its own in the place of the
# server's, at module level, in a module that hands work to a thread (`mcp.tool =
# _tool_in_worker_thread`, which registers a coroutine running each tool with `anyio.to_thread`; not an
# instance's `self.tool = tool`, nor a wrapper that only adds error handling and stays sync), or that
# patches the SDK's tool class to run them so (`_tb.Tool.run = _offloading_run`, whose coroutine hands
# a sync tool to `anyio.to_thread.run_sync`). Read from the text of the code (not a comment) outside
# the project's tests.
_DECORATOR_REPLACED = re.compile(r"^\w+\s*\.\s*(?:tool|resource|prompt)\s*=(?!=)", re.M)  # at module level
_TOOL_RUN_REPLACED = re.compile(r"^(?:\w+\s*\.\s*)*Tool\s*\.\s*run\s*=(?!=)", re.M)  # at module level
_HANDS_TO_A_THREAD = re.compile(r"^[^#\n]*\b(?:to_thread|run_in_executor|run_sync)\b", re.M)
_TOOL_REGISTRY_WRITE = re.compile(r"^[^#\n]*\b_tool_manager\s*\.\s*_tools\s*\[[^\]\n]*\]\s*=(?!=)", re.M)
_TOOLS_LISTED = re.compile(r"^[^#\n]*\b_tool_manager\s*\.\s*(?:list_tools\s*\(|_tools\s*\.\s*values\s*\()", re.M)
_TOOL_FUNCTION_WRITE = re.compile(r"^[^#\n]*\.fn\s*=(?!=)", re.M)


def replaces_tools(text: str) -> bool:
    """The module's code writes into its MCP server's tool registry, rewrites the function of the
    tools it lists from it, or replaces the server's decorator, or its tool class's ``run``, by one
    that may run them in a thread."""
    replaced = _DECORATOR_REPLACED.search(text) is not None or _TOOL_RUN_REPLACED.search(text) is not None
    if replaced and _HANDS_TO_A_THREAD.search(text) is not None:
        return True
    return "_tool_manager" in text and (
        _TOOL_REGISTRY_WRITE.search(text) is not None
        or (_TOOLS_LISTED.search(text) is not None and _TOOL_FUNCTION_WRITE.search(text) is not None)
    )


def not_known_inline(reason: str) -> str:
    """``reason`` without the claim that its server calls the handler in place on its loop."""
    for inline in _INLINE_REASONS:
        if reason.startswith(inline):
            return _MCP[1] + reason[len(inline):]
    return reason


def _is_viewset(cls: ClassFacts) -> bool:
    return any(base.full.rsplit(".", 1)[-1].endswith("ViewSet") for base in cls.bases if base.full)


# -- registration calls ------------------------------------------------------------

KEYWORD_ONLY = -1
# Registrar -> (positional index, keyword) of the view argument; None index: any argument;
# KEYWORD_ONLY: only the keyword (the name is too common to trust a positional argument).
_REGISTRARS = {
    "add": (KEYWORD_ONLY, "endpoint"),  # `router.add(path="/x", endpoint=self.view)`
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
    "add_resource": (0, "resource"),  # Flask-RESTful/RESTX `api.add_resource(UserResource, "/users")`
    "Route": (1, "endpoint"),
    "WebSocketRoute": (1, "endpoint"),
    "APIRoute": (1, "endpoint"),  # FastAPI's, in `FastAPI(routes=[...])` or `router.routes.append(...)`
    "APIWebSocketRoute": (1, "endpoint"),
}
# Route classes: the class of a framework, or one of the module deriving from one (mlserver's own
# `class APIRoute(fastapi.routing.APIRoute)` that swaps the request class; langgraph-api's
# `ApiRoute(Route)`, used in other modules too: the project index reads those).
_ROUTE_CLASSES = frozenset({"Route", "WebSocketRoute", "APIRoute", "APIWebSocketRoute"})
_SERVER_VIEW_ARGUMENT = (0, "fn")  # `mcp.tool()(f)`, `mcp.add_tool(fn=f)`
_ROUTE_DECORATOR_VIEW: Tuple[Optional[int], str] = (0, "")  # `app.get("/ping")(ping)`
_REQUEST_HANDLER_ARGUMENT = (2, "handler")  # `server.add_request_handler("tools/call", Params, f)`
ROUTE_VIEW_ARGUMENT = _REGISTRARS["Route"]  # (path, endpoint): the second argument, or endpoint=
# Registrars that take a resource class and serve a request with its verb method (``get()``...).
CLASS_REGISTRARS = frozenset({"add_resource"})
_ROUTE_CLASS_MODULES = ("starlette.", "fastapi.", "litestar.", "starlite.")
_DJANGO_ROUTES = {"path", "re_path", "url"}
_AIOHTTP_ROUTES = {"get", "post", "put", "patch", "delete", "head", "view", "route"}
_NOT_WRAPPERS = {"as_view", "include", "partial"}
# Request hooks registered by a call: `app.before_request(load_user)`.
_HOOK_CALLS = {"before_request", "after_request", "before_app_request", "after_app_request", "teardown_request"}
# FastAPI runs what a route's `Depends(f)`/`Security(f)` names on every request to it, before the
# endpoint (an async one on the loop, a sync one in the threadpool): in a parameter's default or
# `Annotated[...]`, or in `dependencies=[...]` of a route, a router or the app.
DEPENDENCY_CALLS = frozenset({"Depends", "Security"})
# ... and FastMCP's (`fastmcp.dependencies.Depends`), which runs it on every call of a tool that
# declares it (`client=Depends(get_client)`): the framework each package's is, by its module.
_DEPENDENCY_FRAMEWORKS = {"fastapi.": "FastAPI", "fastmcp.": "FastMCP"}
DEPENDENCY_CALL_METHOD = "__call__"  # what runs for an instance given as a dependency
# Servers that call a function for each connection they accept -> the keyword of that function (the
# first positional argument too). The callback serves a client as a route does: an async one runs on
# the server's event loop, where one blocking call stalls every other connection.
CONNECTION_SERVERS = {
    "asyncio.start_server": "client_connected_cb",
    "asyncio.start_unix_server": "client_connected_cb",
    "websockets.serve": "handler",
    "websockets.unix_serve": "handler",
    "websockets.asyncio.server.serve": "handler",
    "websockets.asyncio.server.unix_serve": "handler",
    "websockets.server.serve": "handler",  # the legacy server, still exported
    "websockets.legacy.server.serve": "handler",
    "websockets.sync.server.serve": "handler",  # a thread per connection
}
_CONNECTION_SERVER_NAMES = frozenset(full.rsplit(".", 1)[-1] for full in CONNECTION_SERVERS)
_CONNECTION_HANDLER = "a connection handler of "  # the reason given such a callback
# Every call name that may register a view: the walks record these calls for the detector.
REGISTRAR_CALLS = (
    frozenset(_REGISTRARS) | _DJANGO_ROUTES | _AIOHTTP_ROUTES | _HOOK_CALLS | DEPENDENCY_CALLS
    | {"websocket", "Server", MCP_ADD_TOOL, MCP_ADD_REQUEST_HANDLER} | _CONNECTION_SERVER_NAMES
)
_MCP_HANDLER_KEYWORD = "on_"  # `Server(name, on_call_tool=f, on_list_tools=g)`, the MCP SDK 2.x


def is_connection_reason(reason: str) -> bool:
    """The handler is a connection server's callback: the server runs it as a task of its own,
    which nothing awaits."""
    return reason.startswith(_CONNECTION_HANDLER)


def named_like_a_route_class(name: str) -> bool:
    """``ApiRoute``: a class that may derive from a framework's route class (the module itself or
    the project index tells)."""
    return name.endswith("Route") and name[:1].isupper()


def records_registration(name: str) -> bool:
    """A call the walks record for the detector: a known registrar, or a class named like a route
    (``ApiRoute("/threads", endpoint=create)``)."""
    return name in REGISTRAR_CALLS or named_like_a_route_class(name)


_MAX_WRAPPERS = 3  # `path("", a(b(c(view))))` at most


def registered_views(module: ModuleFacts) -> Iterator[Tuple[ViewRef, str, Registration]]:
    """Each argument of a recognised registration call that names the view, with the reason."""
    defs = module.defs()
    for registration in module.registrations:
        last, full = registration.callee, registration.full
        if registration.route:
            index, keyword = _ROUTE_DECORATOR_VIEW
            reason = f"routed with {last}()(...)"
        elif last in _REGISTRARS:
            index, keyword = _REGISTRARS[last]
            if last in _ROUTE_CLASSES:
                if full and not full.startswith(_ROUTE_CLASS_MODULES):
                    continue
                if not full and (not registration.bare or module.class_defs(last)) and not _route_class_of(
                    module, last
                ):
                    continue
            reason = f"registered with {last}()"
        elif named_like_a_route_class(last) and not full and _route_class_of(module, last):
            index, keyword = ROUTE_VIEW_ARGUMENT
            reason = f"registered with {last}()"
        elif last in _DJANGO_ROUTES and (
            full.startswith("django.") or (not full and registration.bare and last not in defs)
        ):
            index, keyword = 1, "view"
            reason = f"routed with {last}()"
        elif last in _AIOHTTP_ROUTES and full.startswith("aiohttp.web."):
            index, keyword = None, "handler"
            reason = f"registered with web.{last}()"
        elif last in _HOOK_CALLS and not registration.bare:
            index, keyword = 0, "f"
            reason = f"registered with {last}()"
        elif last in DEPENDENCY_CALLS and _dependency_framework(full):
            index, keyword = 0, "dependency"
            reason = f"a {_dependency_framework(full)} dependency ({last}())"
        elif full in CONNECTION_SERVERS:
            index, keyword = 0, CONNECTION_SERVERS[full]
            reason = f"{_CONNECTION_HANDLER}{full}()"
        elif last in SERVER_REGISTRARS:
            continue  # server_registrations(): the server's class tells
        elif last == "Server" and full in MCP_LOWLEVEL_SERVERS:
            for name, view in registration.keywords:
                if name.startswith(_MCP_HANDLER_KEYWORD) and name[len(_MCP_HANDLER_KEYWORD):] in MCP_LOWLEVEL_REQUESTS:
                    yield view, f"an MCP request handler (Server({name}=...))", registration
            continue
        else:
            continue
        for view in _view_args(registration, index, keyword):
            yield view, reason, registration


def _dependency_framework(full: str) -> str:
    """The framework whose ``Depends`` ``full`` names (``_DEPENDENCY_FRAMEWORKS``), '' for another's."""
    return next((name for module, name in _DEPENDENCY_FRAMEWORKS.items() if full.startswith(module)), "")


def _route_class_of(module: ModuleFacts, name: str) -> bool:
    """``name`` is a class of the module deriving from a framework's route class."""
    return any(derives_from_a_route_class(cls) for cls in module.class_defs(name))


def derives_from_a_route_class(cls: ClassFacts) -> bool:
    """One of the class's own bases is a framework's route class (Starlette's ``Route``...)."""
    return any(
        base.full.startswith(_ROUTE_CLASS_MODULES) and base.full.rsplit(".", 1)[-1] in _ROUTE_CLASSES
        for base in cls.bases
    )


def route_class_views(registration: Registration) -> List[ViewRef]:
    """The endpoint arguments of ``registration``, a call of a route class."""
    return _view_args(registration, *ROUTE_VIEW_ARGUMENT)


def _view_args(registration: Registration, index: Optional[int], keyword: str) -> List[ViewRef]:
    named = [value for name, value in registration.keywords if name == keyword]
    positional = list(registration.args)
    if index == KEYWORD_ONLY:
        return named
    if index is None:
        return positional + named
    return ([positional[index]] if len(positional) > index else []) + named


def _registered(module: ModuleFacts) -> Iterator[Tuple[FunctionFacts, str]]:
    for view, reason, registration in server_registrations(module, lambda registration: registration.receiver):
        for function in functions_named_by(view, registration.function, module):
            yield function, reason
    for view, reason, registration in registered_views(module):
        if registration.callee == "add_view":
            yield from _pyramid_attr_views(view, registration, module)
        if registration.callee in CLASS_REGISTRARS and view.kind == "name":
            for cls in module.class_defs(view.name):
                for verb in sorted(VIEW_VERBS):
                    for function in module.method(cls, verb):
                        yield function, f"{verb}() of a class {reason}"
        if is_dependency_instance(view, registration):
            for cls in module.class_defs(view.name):
                for function in module.method(cls, DEPENDENCY_CALL_METHOD):
                    yield function, f"{DEPENDENCY_CALL_METHOD}() of an instance that is {reason}"
        for function in functions_named_by(view, registration.function, module):
            yield function, reason


def unwrapped(view: ViewRef) -> ViewRef:
    """The view inside its wrappers (``login_required(index)``: ``index``; ``as_view()``,
    ``include()`` and ``partial()`` are no wrappers)."""
    while view.kind == "wrapped" and view.inner is not None and view.name not in _NOT_WRAPPERS:
        view = view.inner
    return view


def registered_parameter(view: ViewRef) -> str:
    """The parameter of the registering function a view is, through wrappers (``mcp.tool()(fn)``,
    ``mcp.tool()(_instrumented(fn))`` in ``def deco(fn)``): what each caller of that function gives
    it is registered (``ViewRef`` kind ``param``, from the project's summaries); '' otherwise."""
    view = unwrapped(view)
    return view.name if view.kind == "param" else ""


def is_dependency_instance(view: ViewRef, registration: Registration) -> bool:
    """``Depends(JWTBearer())``: FastAPI calls the instance a dependency names on every request,
    which runs its class's ``__call__`` (the instance is built once, where the route is declared)."""
    return registration.callee in DEPENDENCY_CALLS and view.kind == "wrapped" and view.name not in _NOT_WRAPPERS


def _pyramid_attr_views(
    view: ViewRef, registration: Registration, module: ModuleFacts
) -> Iterator[Tuple[FunctionFacts, str]]:
    """``config.add_view(SomeView, attr="edit")``: the named method of a class of the module."""
    if view.kind != "name":
        return
    attrs = [value.name for name, value in registration.keywords if name == "attr" and value.kind == "string"]
    for cls in module.class_defs(view.name):
        for attr in attrs:
            for function in module.method(cls, attr):
                yield function, f"registered with add_view(attr={attr!r})"


def functions_named_by(view: ViewRef, function: Optional[int], module: ModuleFacts) -> List[FunctionFacts]:
    """The functions of ``module`` a view argument names, seen from inside ``function``."""
    if view.kind == "name":
        key = function
        while key is not None:
            local = module.nested(key, view.name)
            if local:
                return local
            key = module.functions[key].parent_function
        return module.nested(None, view.name)
    if view.kind == "self":
        cls = module.functions[function].cls if function is not None else None
        return module.method(module.classes[cls], view.name) if cls is not None else []
    if view.kind == "attribute" and view.instance_of:
        # a bound method of an instance of a class of the module: kserve's
        # `router.add_api_route(path, endpoints.predict)` after `endpoints = Endpoints(plane)`
        return [fn for cls in module.class_defs(view.instance_of) for fn in module.method(cls, view.name)]
    if view.kind == "wrapped" and view.inner is not None and view.name not in _NOT_WRAPPERS:
        # A view wrapped by a decorator call: `login_required(index)`, `wrap(self.index)`.
        return functions_named_by(view.inner, function, module)
    return []


# -- class-based views ------------------------------------------------------------

def _add_class_handlers(
    cls: ClassFacts, module: ModuleFacts, config: Config, bases_of: BaseLookup, found: Dict[int, str]
) -> None:
    methods, request_methods, origin = class_handler_methods(module, cls, config, bases_of)
    decorated = _class_decorator_methods(cls)
    for name, keys in cls.methods:
        for key in keys:
            fn = module.functions[key]
            if key in found or _is_property(fn):
                continue
            if name in methods:
                found[key] = f"method of a {origin} request handler class"
            elif name.startswith(RESOLVER_PREFIX) and RESOLVER_METHODS in methods:
                found[key] = f"GraphQL resolver of a {origin} class"
            elif name in decorated:
                found[key] = decorated[name]
            elif name in request_methods and _takes_request(fn):
                found[key] = f"{name}(self, request) of a class deriving from a view ({origin})"


def method_kind(facts: FunctionFacts) -> str:
    """"method", "classmethod" or "staticmethod" (by its decorators)."""
    for decorator in facts.decorators:
        if decorator.written in ("classmethod", "staticmethod") and not decorator.called:
            return decorator.written
    return "method"


def _takes_request(function: FunctionFacts) -> bool:
    """The view signature: ``(self, request, ...)``, ``(request)`` if static,
    or a pass-through ``(self, *args, **kw)``."""
    positional = function.positional
    if method_kind(function) == "staticmethod":
        return bool(positional) and positional[0] in REQUEST_PARAMS
    if len(positional) >= 2:
        return positional[1] in REQUEST_PARAMS
    return len(positional) == 1 and function.star_args and function.star_kwargs


def _class_decorator_methods(cls: ClassFacts) -> Dict[str, str]:
    """Methods a class decorator makes handlers: Pyramid ``@view_config`` (``__call__``), ``@ns.route(...)``."""
    found: Dict[str, str] = {}
    for decorator in cls.decorators:
        last = decorator.full.rsplit(".", 1)[-1]
        if last == "view_config":
            found["__call__"] = f"__call__ of a @{decorator.written} class"
        elif decorator.shape == "attribute" and decorator.called and last in ("route", "view"):
            if decorator.written.split(".")[0] not in NOT_ROUTERS:
                for verb in VIEW_VERBS:
                    found[verb] = f"method of a class decorated @{decorator.written}"
    return found


def _rpc_methods(module: ModuleFacts, cls: ClassFacts) -> FrozenSet[str]:
    """The RPCs a gRPC servicer implements (``class Greeter(greeter_pb2_grpc.GreeterServicer)``): its
    methods taking ``(self, request, context)``, which the server calls for each request."""
    found = set()
    for name, keys in cls.methods:
        function = module.functions[keys[-1]]
        if len(function.positional) == 3 and function.positional[2] == "context":
            found.add(name)
    return frozenset(found)


def class_handler_methods(
    module: ModuleFacts,
    cls: ClassFacts,
    config: Config,
    bases_of: Optional[BaseLookup] = None,
    _seen: Optional[Set[Tuple[str, int]]] = None,
) -> Tuple[FrozenSet[str], FrozenSet[str], str]:
    """(methods that are handlers, methods that are when they take ``request``, base that says so)."""
    lookup = bases_of or _module_bases
    seen = _seen if _seen is not None else set()
    seen.add((module.filename, cls.key))
    tornado = _imports_tornado(module)
    methods: FrozenSet[str] = frozenset()
    request_methods: FrozenSet[str] = frozenset()
    origin = ""
    for base in cls.bases:
        written, full = base.written, base.full
        if not full:
            continue
        last = full.rsplit(".", 1)[-1]
        before = (methods, request_methods)
        if config.matches_base_class(full) or (written and config.matches_base_class(written)):
            methods |= CONFIGURED_BASE_METHODS
        methods |= VIEW_HOOKS.get(last, frozenset())
        if last in BASE_CLASS_METHODS:
            methods |= BASE_CLASS_METHODS[last]
        elif last in QUALIFIED_BASE_METHODS:
            methods |= QUALIFIED_BASE_METHODS[last].get(full.split(".")[0], frozenset())
        elif last.endswith(VIEW_LIKE_SUFFIXES):
            request_methods |= VERB_METHODS | (DJANGO_VIEWSET_ACTIONS if _has_actions(last) else frozenset())
        elif tornado and last.endswith(TORNADO_LIKE_SUFFIX) and last != "Handler" and not full.startswith("logging."):
            methods |= VIEW_VERBS
        elif last.endswith("Servicer") and "_pb2_grpc." in full:
            methods |= _rpc_methods(module, cls)
        if (methods, request_methods) != before and not origin:
            origin = last
    if _django_middleware(module, cls):
        methods |= DJANGO_MIDDLEWARE_METHODS
        origin = origin or "Django middleware"
    for base_module, base_cls in lookup(module, cls):
        if (base_module.filename, base_cls.key) not in seen:
            inherited, inherited_request, inherited_origin = class_handler_methods(
                base_module, base_cls, config, lookup, seen
            )
            methods |= inherited
            request_methods |= inherited_request
            if (inherited or inherited_request) and not origin:
                origin = inherited_origin
    return methods, request_methods, origin


def _django_middleware(module: ModuleFacts, cls: ClassFacts) -> bool:
    """A class of Django's middleware protocol: its ``__init__`` takes ``get_response`` first."""
    keys = cls.method_keys("__init__")
    positional = module.functions[keys[-1]].positional if keys else ()
    return len(positional) >= 2 and positional[1] == DJANGO_MIDDLEWARE_PARAM


def bounded_by_framework(method: str, library_bases: Iterable[str]) -> bool:
    """The framework awaits ``method`` of a class with these library bases (dotted names) under a
    deadline of its own (FRAMEWORK_DEADLINES)."""
    for dotted in library_bases:
        package, last = dotted.split(".", 1)[0], dotted.rsplit(".", 1)[-1]
        for suffix, packages in FRAMEWORK_DEADLINES.items():
            if last.endswith(suffix) and method in packages.get(package, frozenset()):
                return True
    return False


# -- the cheap text gate ------------------------------------------------------------


class HandlerHints:
    """Text that a module holding (or registering) a request handler almost always contains.

    Substring tests first, then regexes that each start with a literal (``@``, ``class``,
    ``def``, ``web.``): Python's regex engine scans fast for a literal prefix, while one
    big alternation would try every branch at every character.
    """

    _WORDS = (
        "django.views.decorators", "django.contrib.auth.decorators", "django.contrib.admin.views.decorators",
        "add_url_rule", "add_api_route", "websocket_route", "add_get", "add_post", "add_put", "add_patch",
        "add_delete", "add_head", "add_route", "add_view", "add_resource", "Route(", "on_call_tool=", "add_tool(",
        "add_request_handler(", *(f"{hook}(" for hook in sorted(_HOOK_CALLS)),  # a hook registered by a call
        "start_server(", "start_unix_server(", "websockets",  # CONNECTION_SERVERS
    )
    # (a substring the text must hold, the pattern): the substring test skips the regex on
    # most files, which matters for the patterns that cannot start with a literal (`\b`).
    _PATTERNS = tuple(
        (needles, re.compile(pattern))
        for needles, pattern in (
            (
                ("@",),
                r"@[ \t]*(?:[\w.]+\.)?(?:route|get|post|put|patch|delete|head|options|trace|websocket\w*|api_route"
                r"|middleware|before_(?:app_)?request|after_(?:app_)?request|(?:app_)?errorhandler|exception_handler"
                r"|on_request|on_response|view|expose\w*|authenticated|api_view|require_http_methods|require_GET"
                r"|require_POST|require_safe|view_config|view_defaults|error|hook|action"
                r"|field|mutation|subscription|source|on|event|tool|resource|prompt|application|callback"
                r"|call_tool|read_resource|get_prompt|list_\w+|completion|custom_route)\b",
            ),
            (("web.",), r"web\.(?:get|post|put|patch|delete|head|view|route)\s*\("),
            # a server's or a route's decorator applied by a call: `mcp.tool()(tags.list_tags)`,
            # `sio.on("x")(f)`, `app.get("/ping")(ping)` (declares_a_route)
            ((")(",), r"\.(?:tool|resource|prompt|on|event|callback|custom_route|call_tool|read_resource"
                      r"|get_prompt|list_\w+|completion|route|get|post|put|patch|delete|websocket\w*|api_route)"
                      r"\([^()\n]*\)\("),
            # FastMCP's decorator given the function itself: `mcp.tool(handle)` (MCP_DIRECT_REGISTRARS)
            ((".tool(", ".resource(", ".prompt("), r"\.(?:tool|resource|prompt)\(\s*[A-Za-z_][\w.]*\s*[,)]"),
            (("start_response",), r"\bstart_response\b"),  # a WSGI callable's parameters
            (("get_response",), r"def\s+__init__\s*\(\s*self\s*,\s*get_response\b"),  # Django middleware
            # a parameter declared of a request class (REQUEST_CLASSES): `request: Request`
            (("Request", "WebSocket", "HTTPConnection"),
             r":[ \t]*(?:[\w.]+\.)?(?:Request|WebSocket|HttpRequest|HTTPConnection|BaseRequest)[ \t]*[,)=]"),
            (("receive",), r"scope\b[^)]*\breceive\b[^)]*\bsend\b"),  # an ASGI callable's parameters
            (
                ("class",),
                r"class\s+\w+\s*\([^)]*(?:View|ViewSet|Endpoint|RequestHandler|WebSocketHandler|Controller"
                r"|Resource|Consumer|ModelAdmin"
                r"|ObjectType|Mutation|Servicer|Spawner|Authenticator"
                r"|TokenVerifier|OAuthAuthorizationServerProvider)\b",
            ),
            (
                ("def",),
                r"def\s+(?:do_[A-Z]+|on_(?:get|post|put|patch|delete|head|options|websocket)\w*)\s*\("
                r"|def\s+handle\(\s*self\s*\)",
            ),
        )
    )

    _ANY_HANDLER_CLASS = re.compile(r"class\s+\w+\s*\([^)]*Handler\b")

    def search(self, text: str) -> bool:
        if any(word in text for word in self._WORDS):
            return True
        if _called(text, "path(") or _called(text, "url("):  # Django's path(), re_path(), url()
            return True
        if any(any(n in text for n in needles) and pattern.search(text) for needles, pattern in self._PATTERNS):
            return True
        # Tornado apps name their handlers freely (`class Login(BaseHandler)`).
        return "tornado" in text and self._ANY_HANDLER_CLASS.search(text) is not None


HANDLER_HINTS = HandlerHints()


def _called(text: str, call: str) -> bool:
    """``call`` (``"path("``) appears as a whole name, or as ``re_path(``: ``os.fspath(`` does not count.

    A find loop: a regex starting with ``\\b`` is tried at every position of the text.
    """
    start = text.find(call)
    while start != -1:
        before = text[start - 1] if start else " "
        if not (before.isalnum() or before == "_") or text[max(0, start - 3):start] == "re_":
            return True
        start = text.find(call, start + 1)
    return False


# -- facts from the libcst walk -------------------------------------------------------


def find_handlers(module: "ModuleScope", config: Config) -> Dict["FunctionScope", str]:
    """Every handler of the module with a short reason (for docs and debugging)."""
    found = detect_handlers(module_facts(module), config)
    return {module.functions[key]: reason for key, reason in found.items()}


def module_facts(module: "ModuleScope") -> ModuleFacts:
    """The plain facts of a module the scope collector walked."""
    from .scopes import FunctionScope

    function_keys = {id(fn): key for key, fn in enumerate(module.functions)}
    class_keys = {id(cls): key for key, cls in enumerate(module.classes)}

    def enclosing(scope: Optional["Scope"]) -> Optional[int]:
        while scope is not None and not isinstance(scope, FunctionScope):
            scope = scope.parent
        return function_keys[id(scope)] if scope is not None else None

    functions = tuple(
        FunctionFacts(
            key=key,
            name=fn.name,
            qualname=fn.qualname,
            line=0,
            is_async=fn.is_async,
            params=tuple(fn.param_names),
            positional=tuple(p.name.value for p in (*fn.node.params.posonly_params, *fn.node.params.params)),
            star_args=_is_named_star(fn.node.params.star_arg),
            star_kwargs=fn.node.params.star_kwarg is not None,
            decorators=tuple(_cst_decorator(d.decorator, fn.parent) for d in fn.node.decorators),
            cls=class_keys[id(fn.cls)] if fn.cls is not None else None,
            parent_function=enclosing(fn.parent),
            top_level=fn.parent is module,
            request_class=_cst_request_class(fn.node.params, fn.parent),
        )
        for key, fn in enumerate(module.functions)
    )
    classes = tuple(
        ClassFacts(
            key=key,
            name=cls.name,
            qualname=cls.qualname,
            line=0,
            bases=tuple(_cst_base(arg.value, cls.parent) for arg in cls.node.bases),
            decorators=tuple(_cst_decorator(d.decorator, cls.parent) for d in cls.node.decorators),
            methods=tuple((name, tuple(function_keys[id(fn)] for fn in fns)) for name, fns in cls.methods.items()),
            top_level=cls.parent is module,
        )
        for key, cls in enumerate(module.classes)
    )
    registrations = tuple(
        _cst_registration(call, scope, enclosing(scope)) for call, scope in module.registrations
    )
    packages = frozenset(
        str(bound.payload).split(".")[0]
        for bounds in module.bindings.values()
        for bound in bounds
        if bound.kind == "ref"
    )
    return ModuleFacts(module.filename, functions, classes, registrations, packages)


def _is_named_star(star: object) -> bool:
    import libcst as cst

    return isinstance(star, cst.Param)


def _cst_full(expr: "cst.BaseExpression", scope: Optional["Scope"]) -> str:
    """The dotted path ``expr`` denotes through imports, '' when it denotes none."""
    from .names import Ref, resolve

    resolved = resolve(expr, scope) if scope is not None else None
    return resolved.dotted if isinstance(resolved, Ref) else ""


def _cst_decorator(expr: "cst.BaseExpression", scope: Optional["Scope"]) -> Decorator:
    import libcst as cst

    from .names import dotted_name

    made = _cst_registering_decorator_made_by(expr, scope)
    if made is not None:
        return _cst_decorator(*made)
    called = isinstance(expr, cst.Call)
    target = expr.func if isinstance(expr, cst.Call) else expr
    written = dotted_name(target) or ""
    shape = "attribute" if isinstance(target, cst.Attribute) else "name" if isinstance(target, cst.Name) else "other"
    named = isinstance(target, cst.Attribute) and target.attr.value in EVENT_DECORATORS
    receiver = _cst_server(target, scope) if named else ""
    labelled = isinstance(expr, cst.Call) and bool(expr.args) and expr.args[0].keyword is None \
        and isinstance(expr.args[0].value, (cst.SimpleString, cst.ConcatenatedString))
    return Decorator(written, _cst_full(target, scope) or written, called, shape, receiver, labelled)


def _cst_registering_decorator_made_by(
    expr: "cst.BaseExpression", scope: Optional["Scope"]
) -> Optional[Tuple["cst.Call", "Scope"]]:
    """``@tool(READ)`` where a function of the module returns a server's or a route's decorator
    (``def tool(annotations): return server.tool(annotations=annotations)``): that decorator, with the
    factory's scope to read it in. The summary's ``_registering_decorator_made_by`` reads it from ``ast``."""
    import libcst as cst

    from .names import local_function
    from .scopes import applies_a_route_decorator, applies_a_server_decorator

    if not isinstance(expr, cst.Call) or not isinstance(expr.func, cst.Name) or scope is None:
        return None
    factory = local_function(expr.func, scope)
    if factory is None or factory.is_generator:
        return None
    for value in factory.returns:
        if isinstance(value, cst.Call) and (applies_a_server_decorator(value) or applies_a_route_decorator(value)):
            return value, factory
    return None


def _cst_server(method: "cst.BaseExpression", scope: Optional["Scope"]) -> str:
    """``sio.on``, ``mcp.tool``: the class the module builds ``sio`` or ``mcp`` with (a constructor
    called, or a parameter declared of it, as the ast summary reads it), else ''."""
    import libcst as cst

    from .names import Inst, resolve

    if not isinstance(method, cst.Attribute) or scope is None:
        return ""
    built = resolve(method.value, scope)
    return built.producer if isinstance(built, Inst) and (built.call is not None or built.declared) else ""


def _cst_request_class(params: "cst.Parameters", scope: Optional["Scope"]) -> str:
    """The REQUEST_CLASSES a parameter is declared of, '' for none (``Optional[Request]`` is not:
    such a function may run with none)."""
    every = (*params.posonly_params, *params.params, *params.kwonly_params)
    for param in every:
        if param.annotation is not None:
            full = _cst_full(param.annotation.annotation, scope)
            if full in REQUEST_CLASSES:
                return full
    return ""


def _cst_base(expr: "cst.BaseExpression", scope: Optional["Scope"]) -> Base:
    import libcst as cst

    from .names import dotted_name

    written = dotted_name(expr) or ""
    local = expr.value if isinstance(expr, cst.Name) else ""
    return Base(written, _cst_full(expr, scope) or written, local)


def _cst_registration(call: "cst.Call", scope: "Scope", function: Optional[int]) -> Registration:
    import libcst as cst

    from .scopes import applies_a_route_decorator

    func = call.func
    route = applies_a_route_decorator(func)
    if isinstance(func, cst.Call):  # `mcp.tool()(f)`: the decorator applied (scopes.applies_a_server_decorator)
        func = func.func
    last = func.attr.value if isinstance(func, cst.Attribute) else getattr(func, "value", "")
    callee = last if isinstance(last, str) else ""
    return Registration(
        callee=callee,
        full=_cst_full(func, scope),
        bare=isinstance(func, cst.Name),
        args=tuple(_cst_view(a.value, scope) for a in call.args if a.keyword is None and not a.star),
        keywords=tuple(
            (a.keyword.value, _cst_view(a.value, scope)) for a in call.args if a.keyword is not None
        ),
        function=function,
        line=0,
        receiver=_cst_server(func, scope) if callee in SERVER_REGISTRARS else "",
        route=route,
    )


def _cst_built_by(receiver: "cst.BaseExpression", scope: "Scope") -> str:
    """``ViewRef.instance_of`` of a receiver: the plain name called to build it, directly or as the
    one value its name was given."""
    import libcst as cst

    from .names import assigned_value

    value, _ = assigned_value(receiver, scope)
    if isinstance(value, cst.Call) and isinstance(value.func, cst.Name):
        return value.func.value
    return ""


def _cst_view(expr: "cst.BaseExpression", scope: "Scope", depth: int = 0) -> ViewRef:
    import libcst as cst

    from .names import assigned_value, dotted_name

    if isinstance(expr, cst.Name):
        full = _cst_full(expr, scope)
        made, where = assigned_value(expr, scope)
        if not full and isinstance(made, cst.Call) and depth < _MAX_WRAPPERS:
            return _cst_view(made, where, depth + 1)  # the call it was given (ViewRef)
        return ViewRef("name", expr.value, full)
    if isinstance(expr, cst.Attribute):
        if isinstance(expr.value, cst.Name) and expr.value.value in ("self", "cls"):
            return ViewRef("self", expr.attr.value)
        return ViewRef("attribute", expr.attr.value, _cst_full(expr, scope), None, _cst_built_by(expr.value, scope))
    if isinstance(expr, cst.Call) and depth < _MAX_WRAPPERS:
        written = dotted_name(expr.func) or ""
        positional = [a.value for a in expr.args if a.keyword is None and not a.star]
        inner = _cst_view(positional[0], scope, depth + 1) if positional else None
        return ViewRef("wrapped", written.rsplit(".", 1)[-1], _cst_full(expr.func, scope) or written, inner)
    if isinstance(expr, cst.SimpleString):
        value = expr.evaluated_value
        return ViewRef("string", value) if isinstance(value, str) else ViewRef("other")
    return ViewRef("other")
