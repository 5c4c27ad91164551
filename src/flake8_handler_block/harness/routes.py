"""Find which routes of an app run a given line: Flask, Starlette/FastAPI, Django, http.server.

`confirm` sends a finding only the routes whose handler covers its line (the function, what is
nested in it, and the module's functions it calls by name). Path parameters are filled from
their converters (`<int:id>`, `{id:int}`, Django's `<uuid:pk>`) and, for FastAPI, from the
handler's type hints - so a request reaches the handler instead of a 404 or a 422. Required
query parameters and JSON bodies declared with type hints get sample values too.
"""

from __future__ import annotations

import ast
import dis
import enum
import importlib
import inspect
import json
import os
import re
import sys
import typing
import uuid
from dataclasses import dataclass
from functools import lru_cache
from types import CodeType
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Set, Tuple

Route = Tuple[str, str]  # ("POST", "/jobs")

_METHOD_ORDER = ("GET", "POST", "PUT", "PATCH", "DELETE")
HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
_UUID = "00000000-0000-0000-0000-000000000001"
_BY_CONVERTER = {"int": "1", "float": "1.0", "uuid": _UUID, "bool": "true", "path": "x", "slug": "x"}


@dataclass(frozen=True)
class Target:
    """One request to send: method, path (parameters filled), and a JSON body when one is declared."""

    method: str
    path: str
    body: Optional[str] = None

    @property
    def text(self) -> str:
        return f"{self.method} {self.path}"


def parse_route(text: str) -> Route:
    """"POST /jobs" -> ("POST", "/jobs"); a bare "/jobs" means GET."""
    parts = text.split()
    if len(parts) == 1 and parts[0].startswith("/"):
        return "GET", parts[0]
    if len(parts) != 2 or not parts[1].startswith("/") or not parts[0].isalpha():
        raise ValueError(f'a route is "METHOD /path", not {text!r}')
    return parts[0].upper(), parts[1]


# --- does a handler run the line? ---


def _code_lines(code: CodeType) -> Set[int]:
    lines = {line for _, line in dis.findlinestarts(code) if line}
    lines.add(code.co_firstlineno)
    for const in code.co_consts:
        if isinstance(const, CodeType):
            lines |= _code_lines(const)
    return lines


def _code_of(func: Any) -> Optional[CodeType]:
    try:
        func = inspect.unwrap(func)
    except ValueError:
        pass
    func = getattr(func, "__func__", func)
    return getattr(func, "__code__", None)


def _same(a: str, b: str) -> bool:
    try:
        return os.path.realpath(a) == os.path.realpath(b)
    except (OSError, ValueError):
        return False


def covers(func: Any, file: str, line: int) -> bool:
    """True when `line` of `file` lies within the function (or a function nested in it)."""
    code = _code_of(func)
    if code is None or not _same(code.co_filename, file):
        return False
    lines = _code_lines(code)
    return min(lines) <= line <= max(lines)


@lru_cache(maxsize=32)
def _functions_at(file: str, line: int) -> Tuple[str, ...]:
    """Names of the functions enclosing file:line, innermost first."""
    try:
        with open(file, "rb") as fh:
            tree = ast.parse(fh.read())
    except (OSError, SyntaxError, ValueError):
        return ()
    found: List[Tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            end = getattr(node, "end_lineno", None) or node.lineno
            if node.lineno <= line <= end:
                found.append((node.lineno, node.name))
    return tuple(name for _, name in sorted(found, reverse=True))


def _names_called(code: CodeType) -> Set[str]:
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, CodeType):
            names |= _names_called(const)
    return names


def reaches(func: Any, file: str, line: int, depth: int = 4) -> bool:
    """The handler covers the line, or calls (by name, within `depth` calls) the function holding it."""
    if covers(func, file, line):
        return True
    targets = set(_functions_at(file, line))
    if not targets:
        return False
    seen: Set[int] = set()

    def walk(f: Any, left: int) -> bool:
        code = _code_of(f)
        if code is None or id(code) in seen or left < 0:
            return False
        seen.add(id(code))
        names = _names_called(code)
        if _same(code.co_filename, file) and names & targets:
            return True
        scope = getattr(inspect.unwrap(f) if callable(f) else f, "__globals__", {})
        for name in names:
            callee = scope.get(name)
            if inspect.isfunction(callee) and walk(callee, left - 1):
                return True
            if inspect.isclass(callee) and any(walk(m, left - 1) for m in vars(callee).values()
                                               if inspect.isfunction(m)):
                return True
        owner = _owner_class(f)
        if owner is not None:  # self.helper(): methods of the handler's own class
            for name in names:
                method = getattr(owner, name, None)
                if inspect.isfunction(method) and walk(method, left - 1):
                    return True
        return False

    return walk(func, depth)


def _owner_class(func: Any) -> Optional[type]:
    qual = getattr(func, "__qualname__", "")
    module = sys.modules.get(getattr(func, "__module__", "") or "")
    if "." not in qual or module is None or "<locals>" in qual:
        return None
    owner: Any = module
    for part in qual.split(".")[:-1]:
        owner = getattr(owner, part, None)
    return owner if inspect.isclass(owner) else None


# --- sample values ---


def sample_for_type(tp: Any) -> Any:
    """A value a framework will accept for a parameter annotated `tp` (JSON-ready)."""
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is typing.Union and args:
        return sample_for_type(next((a for a in args if a is not type(None)), str))
    if origin is typing.Literal and args:
        return args[0]
    if origin in (list, set, tuple, frozenset):
        return []
    if origin is dict:
        return {}
    if tp is bool:
        return True
    if tp is int:
        return 1
    if tp is float:
        return 1.0
    if tp is uuid.UUID:
        return _UUID
    if inspect.isclass(tp) and issubclass(tp, enum.Enum):
        first = next(iter(tp), None)
        return first.value if first is not None else "x"
    if inspect.isclass(tp) and tp.__name__ in ("date", "datetime"):
        return "2024-01-01" if tp.__name__ == "date" else "2024-01-01T00:00:00"
    fields = _model_fields(tp)
    if fields is not None:
        return {name: sample_for_type(ann) for name, ann in fields.items()}
    return "x"


def _model_fields(tp: Any) -> Optional[Dict[str, Any]]:
    """Required fields of a pydantic model (v2 or v1) or a dataclass: name -> annotation."""
    if not inspect.isclass(tp):
        return None
    v2 = getattr(tp, "model_fields", None)
    if isinstance(v2, dict):
        return {n: f.annotation for n, f in v2.items() if getattr(f, "is_required", lambda: True)()}
    v1 = getattr(tp, "__fields__", None)
    if isinstance(v1, dict):
        return {n: getattr(f, "outer_type_", str) for n, f in v1.items() if getattr(f, "required", True)}
    if hasattr(tp, "__dataclass_fields__"):
        import dataclasses

        return {f.name: f.type for f in dataclasses.fields(tp)
                if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING}
    return None


def _text(value: Any) -> str:
    if value is True:
        return "true"
    return str(value)


def _hints(func: Any) -> Dict[str, Any]:
    try:
        return typing.get_type_hints(inspect.unwrap(func))
    except Exception:  # unresolvable forward references: no hints
        return {}


_SIMPLE = (int, float, str, bool, uuid.UUID)


def _is_simple(tp: Any) -> bool:
    origin = typing.get_origin(tp)
    if origin is typing.Union:
        return all(_is_simple(a) for a in typing.get_args(tp) if a is not type(None))
    if origin is typing.Literal:
        return True
    return tp in _SIMPLE or (inspect.isclass(tp) and issubclass(tp, enum.Enum))


def _required(param: inspect.Parameter) -> bool:
    default = param.default
    if default is inspect.Parameter.empty:
        return True
    is_required = getattr(default, "is_required", None)  # FastAPI's Query(...)/Body(...)
    return bool(callable(is_required) and is_required())


def _fill_typed(template: str, func: Any) -> Tuple[str, Optional[str]]:
    """Fill `{name}` / `{name:conv}` of a Starlette/FastAPI path; add required query and body."""
    hints = _hints(func) if func is not None else {}
    names: Set[str] = set()

    def sample(match: "re.Match[str]") -> str:
        name, conv = match.group(1), (match.group(2) or "").lower()
        names.add(name)
        if conv:
            return _BY_CONVERTER.get(conv, "x")
        return _text(sample_for_type(hints[name])) if name in hints else "x"

    path = re.sub(r"\{(\w+)(?::(\w+))?\}", sample, template)
    if func is None:
        return path, None
    try:
        params = inspect.signature(inspect.unwrap(func)).parameters
    except (TypeError, ValueError):
        return path, None
    query: List[str] = []
    body: Optional[Dict[str, Any]] = None
    for name, param in params.items():
        tp = hints.get(name)
        if name in names or tp is None or not _required(param):
            continue
        if _is_simple(tp):
            query.append(f"{name}={_text(sample_for_type(tp))}")
        elif _model_fields(tp) is not None:
            body = sample_for_type(tp)
    if query:
        path += ("&" if "?" in path else "?") + "&".join(query)
    return path, json.dumps(body) if body is not None else None


def _fill_flask(rule: str) -> str:
    def sample(match: "re.Match[str]") -> str:
        converter, args = (match.group(1) or "string").lower(), match.group(2) or ""
        if converter == "any" and args:
            return args.strip("()").split(",")[0].strip().strip("'\"")
        return _BY_CONVERTER.get(converter, "x")

    return re.sub(r"<(?:(\w+)(\([^>]*\))?:)?\w+>", sample, rule)


# --- the routes of each kind of app ---


def _methods_of_class(cls: type) -> Iterator[Tuple[str, Any]]:
    for method in HTTP_METHODS:
        func = getattr(cls, method.lower(), None)
        if func is not None:
            yield method, func


def _preferred(methods: Iterable[str]) -> List[str]:
    found = {m.upper() for m in methods} - {"HEAD", "OPTIONS"}
    ordered = [m for m in _METHOD_ORDER if m in found]
    return ordered + sorted(found - set(ordered))


Handlers = List[Tuple[str, Any]]  # (method, function that runs for it)


def _view_handlers(view: Any, methods: Iterable[str]) -> Handlers:
    view_class = getattr(view, "view_class", None)  # Flask MethodView, Django View.as_view()
    allowed = [m.upper() for m in methods]
    if view_class is not None:
        found = [(m, f) for m, f in _methods_of_class(view_class) if m in allowed or not allowed]
        dispatch = getattr(view_class, "dispatch_request", None)
        if dispatch is not None:
            found += [(m, dispatch) for m in _preferred(allowed or ["GET"])]
        return found
    return [(m, view) for m in _preferred(allowed or ["GET"])]


def _flask_routes(app: Any) -> Iterator[Tuple[Target, Handlers]]:
    for rule in app.url_map.iter_rules():
        view = app.view_functions.get(rule.endpoint)
        if view is None or rule.endpoint == "static":
            continue
        handlers = _view_handlers(view, rule.methods or ["GET"])
        for method in _preferred(rule.methods or ["GET"]):
            yield Target(method, _fill_flask(rule.rule)), [(m, f) for m, f in handlers if m == method]


def _starlette_routes(routes: Iterable[Any], prefix: str = "") -> Iterator[Tuple[Target, Handlers]]:
    for route in routes:
        path = getattr(route, "path", "")
        sub = getattr(route, "routes", None)
        if sub and not hasattr(route, "endpoint"):  # Mount, Host
            yield from _starlette_routes(sub, prefix + path)
            continue
        endpoint = getattr(route, "endpoint", None)
        if endpoint is None or not path:
            continue
        if inspect.isclass(endpoint):
            for method, func in _methods_of_class(endpoint):
                filled, body = _fill_typed(prefix + path, func)
                yield Target(method, filled, body), [(method, func)]
            continue
        filled, body = _fill_typed(prefix + path, endpoint)
        for method in _preferred(getattr(route, "methods", None) or ["GET"])[:1]:
            yield Target(method, filled, body), [(method, endpoint)]


def is_django(app: Any) -> bool:
    return type(app).__module__.startswith("django.") and "django.urls" in sys.modules


def _django_methods(view: Any) -> List[str]:
    """Methods a function view accepts: from require_http_methods/require_POST, else GET."""
    func: Any = view
    for _ in range(10):
        for cell in getattr(func, "__closure__", None) or ():
            try:
                value = cell.cell_contents
            except ValueError:
                continue
            if isinstance(value, (list, tuple)) and value and all(
                isinstance(v, str) and v.upper() in HTTP_METHODS for v in value
            ):
                return _preferred(value) or ["GET"]
        func = getattr(func, "__wrapped__", None)
        if func is None:
            break
    return ["GET"]


def _fill_django(pattern: Any) -> str:
    text = str(pattern)
    converters = getattr(pattern, "converters", {}) or {}
    if not converters and ("(?P<" in text or text.startswith("^")):  # re_path()
        text = text.lstrip("^").rstrip("$")
        text = re.sub(r"\(\?P<\w+>([^)]*)\)", lambda m: "1" if ("\\d" in m.group(1) or "0-9" in m.group(1))
                      else "x", text)
        return text.replace("\\", "")

    def sample(match: "re.Match[str]") -> str:
        conv = converters.get(match.group(2))
        name = type(conv).__name__.lower().replace("converter", "") if conv is not None else "str"
        return _BY_CONVERTER.get(name, "x")

    return re.sub(r"<(?:(\w+):)?(\w+)>", sample, text)


def _django_routes(patterns: Iterable[Any], prefix: str = "") -> Iterator[Tuple[Target, Handlers]]:
    for pattern in patterns:
        here = prefix + _fill_django(pattern.pattern)
        sub = getattr(pattern, "url_patterns", None)
        if sub is not None and not hasattr(pattern, "callback"):
            yield from _django_routes(sub, here)
            continue
        view = getattr(pattern, "callback", None)
        if view is None:
            continue
        view_class = getattr(view, "view_class", None)
        if view_class is not None:
            for method, func in _methods_of_class(view_class):
                if method not in ("HEAD", "OPTIONS"):
                    yield Target(method, "/" + here), [(method, func)]
            continue
        for method in _django_methods(view)[:1]:
            yield Target(method, "/" + here), [(method, view)]


def _unwrapped(app: Any) -> Iterator[Any]:
    seen: Set[int] = set()
    obj: Optional[Any] = app
    while obj is not None and id(obj) not in seen:  # ASGI/WSGI middleware: .app
        seen.add(id(obj))
        yield obj
        obj = getattr(obj, "app", None)


def all_routes(app: Any) -> Tuple[List[Tuple[Target, Handlers]], str]:
    """Every route of the app with the functions that handle it, and how the app was read."""
    import http.server

    if inspect.isclass(app) and issubclass(app, http.server.BaseHTTPRequestHandler):
        return [(Target(name[3:], "/"), [(name[3:], getattr(app, name))])
                for name in sorted(dir(app)) if name.startswith("do_")], "http.server"
    if is_django(app):
        urls = importlib.import_module("django.urls")
        return list(_django_routes(urls.get_resolver().url_patterns)), "django"
    for obj in _unwrapped(app):
        if hasattr(obj, "url_map") and hasattr(obj, "view_functions"):
            return list(_flask_routes(obj)), "flask"
        routes = getattr(obj, "routes", None)
        if isinstance(routes, (list, tuple)) and routes and hasattr(routes[0], "path"):
            return list(_starlette_routes(routes)), "starlette"
    if callable(app) and not inspect.isclass(app):
        func = app if inspect.isfunction(app) else getattr(type(app), "__call__", None)
        if func is not None:
            return [(Target("GET", "/"), [("GET", func)])], "callable"
    return [], "unknown"


def discover(app: Any, file: str, line: int) -> Tuple[List[Target], str]:
    """Routes whose handler covers file:line (first) or calls the function holding it."""
    routes, how = all_routes(app)
    direct = [t for t, handlers in routes if any(covers(f, file, line) for _, f in handlers)]
    if direct:
        return _dedupe(direct), how
    return _dedupe(t for t, handlers in routes if any(reaches(f, file, line) for _, f in handlers)), how


def handlers_for(app: Any, method: str, path: str) -> Optional[List[Callable[..., Any]]]:
    """The functions that handle `METHOD path` in this app, or None when the app cannot say."""
    path = path.split("?", 1)[0]
    if is_django(app):
        urls = importlib.import_module("django.urls")
        try:
            match = urls.resolve(path)
        except urls.Resolver404:
            return []
        view_class = getattr(match.func, "view_class", None)
        if view_class is not None:
            func = getattr(view_class, method.lower(), None)
            return [func] if func is not None else []
        return [match.func]
    for obj in _unwrapped(app):
        if hasattr(obj, "url_map") and hasattr(obj, "view_functions"):
            try:
                endpoint, _ = obj.url_map.bind("localhost").match(path, method)
            except Exception:  # NotFound, MethodNotAllowed, RequestRedirect
                return []
            view = obj.view_functions.get(endpoint)
            return [f for _, f in _view_handlers(view, [method])] if view is not None else []
        routes = getattr(obj, "routes", None)
        if isinstance(routes, (list, tuple)) and routes and hasattr(routes[0], "path"):
            return _starlette_match(routes, method, path)
    return None


def _starlette_match(routes: Iterable[Any], method: str, path: str,
                     scope: Optional[Dict[str, Any]] = None) -> List[Any]:
    scope = scope or {"type": "http", "method": method, "path": path, "root_path": "", "headers": [],
                      "query_string": b""}
    for route in routes:
        try:
            match, child = route.matches(scope)
        except Exception:
            continue
        if getattr(match, "name", "") != "FULL":
            continue
        endpoint = getattr(route, "endpoint", None)
        if endpoint is None:  # Mount: match inside it with the scope it gives
            return _starlette_match(getattr(route, "routes", None) or [], method, path, {**scope, **child})
        if inspect.isclass(endpoint):
            func = getattr(endpoint, method.lower(), None)
            return [func] if func is not None else []
        return [endpoint]
    return []


def _dedupe(routes: Iterable[Target]) -> List[Target]:
    out: List[Target] = []
    for route in routes:
        if route not in out:
            out.append(route)
    return out
