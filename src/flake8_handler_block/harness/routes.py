"""Find which routes of an app run a given line: Flask `url_map`, Starlette `routes`, http.server.

A route is tried by `confirm` when its handler's code (the function and what is nested in it)
covers the line. Path parameters get a plain sample value (`<int:id>` -> 1, `{name}` -> x).
"""

from __future__ import annotations

import dis
import inspect
import os
import re
from types import CodeType
from typing import Any, Iterable, Iterator, List, Optional, Set, Tuple

Route = Tuple[str, str]  # ("POST", "/jobs")

_METHOD_ORDER = ("GET", "POST", "PUT", "PATCH", "DELETE")
HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")


def parse_route(text: str) -> Route:
    """"POST /jobs" -> ("POST", "/jobs"); a bare "/jobs" means GET."""
    parts = text.split()
    if len(parts) == 1 and parts[0].startswith("/"):
        return "GET", parts[0]
    if len(parts) != 2 or not parts[1].startswith("/") or not parts[0].isalpha():
        raise ValueError(f'a route is "METHOD /path", not {text!r}')
    return parts[0].upper(), parts[1]


def _code_lines(code: CodeType) -> Set[int]:
    lines = {line for _, line in dis.findlinestarts(code) if line}
    lines.add(code.co_firstlineno)
    for const in code.co_consts:
        if isinstance(const, CodeType):
            lines |= _code_lines(const)
    return lines


def covers(func: Any, file: str, line: int) -> bool:
    """True when `line` of `file` lies within the function (or a function nested in it)."""
    try:
        func = inspect.unwrap(func)
    except ValueError:
        pass
    code = getattr(func, "__code__", None)
    if code is None:
        return False
    try:
        if os.path.realpath(code.co_filename) != os.path.realpath(file):
            return False
    except (OSError, ValueError):
        return False
    lines = _code_lines(code)
    return min(lines) <= line <= max(lines)


def _methods_of_class(cls: type) -> Iterator[Tuple[str, Any]]:
    for method in HTTP_METHODS:
        func = getattr(cls, method.lower(), None)
        if func is not None:
            yield method, func


def _preferred(methods: Iterable[str]) -> List[str]:
    found = {m.upper() for m in methods} - {"HEAD", "OPTIONS"}
    ordered = [m for m in _METHOD_ORDER if m in found]
    return ordered + sorted(found - set(ordered))


def _flask_path(rule: str) -> str:
    def sample(match: "re.Match[str]") -> str:
        converter = (match.group(1) or "string").lower()
        return {"int": "1", "float": "1.0", "uuid": "00000000-0000-0000-0000-000000000001"}.get(converter, "x")

    return re.sub(r"<(?:(\w+)(?:\([^>]*\))?:)?\w+>", sample, rule)


def _starlette_path(path: str) -> str:
    def sample(match: "re.Match[str]") -> str:
        kind = (match.group(2) or "str").lower()
        return {"int": "1", "float": "1.0", "uuid": "00000000-0000-0000-0000-000000000001"}.get(kind, "x")

    return re.sub(r"\{(\w+)(?::(\w+))?\}", sample, path)


def _flask_routes(app: Any, file: str, line: int) -> Iterator[Route]:
    for rule in app.url_map.iter_rules():
        view = app.view_functions.get(rule.endpoint)
        if view is None:
            continue
        view_class = getattr(view, "view_class", None)  # MethodView / View.as_view()
        candidates: List[Tuple[str, Any]] = []
        if view_class is not None:
            candidates = [(m, f) for m, f in _methods_of_class(view_class) if m in (rule.methods or ())]
            dispatch = getattr(view_class, "dispatch_request", None)
            if dispatch is not None:
                candidates += [(m, dispatch) for m in _preferred(rule.methods or ["GET"])]
        else:
            candidates = [(m, view) for m in _preferred(rule.methods or ["GET"])]
        for method, func in candidates:
            if covers(func, file, line):
                yield method, _flask_path(rule.rule)
                break


def _starlette_routes(routes: Iterable[Any], file: str, line: int, prefix: str = "") -> Iterator[Route]:
    for route in routes:
        path = getattr(route, "path", "")
        sub = getattr(route, "routes", None)
        if sub and not hasattr(route, "endpoint"):  # Mount, Host
            yield from _starlette_routes(sub, file, line, prefix + path)
            continue
        endpoint = getattr(route, "endpoint", None)
        if endpoint is None or not path:
            continue
        methods = getattr(route, "methods", None) or ["GET"]
        if inspect.isclass(endpoint):
            for method, func in _methods_of_class(endpoint):
                if covers(func, file, line):
                    yield method, _starlette_path(prefix + path)
                    break
        elif covers(endpoint, file, line):
            yield _preferred(methods)[0] if _preferred(methods) else "GET", _starlette_path(prefix + path)


def discover(app: Any, file: str, line: int) -> Tuple[List[Route], str]:
    """Routes whose handler covers file:line, and how the app was read ("flask", "starlette"...)."""
    import http.server

    if inspect.isclass(app) and issubclass(app, http.server.BaseHTTPRequestHandler):
        found = [(name[3:], "/") for name in dir(app)
                 if name.startswith("do_") and covers(getattr(app, name), file, line)]
        return found, "http.server"
    seen: Set[int] = set()
    obj: Optional[Any] = app
    while obj is not None and id(obj) not in seen:  # unwrap ASGI/WSGI middleware: .app
        seen.add(id(obj))
        if hasattr(obj, "url_map") and hasattr(obj, "view_functions"):
            return _dedupe(_flask_routes(obj, file, line)), "flask"
        routes = getattr(obj, "routes", None)
        if isinstance(routes, (list, tuple)) and routes and hasattr(routes[0], "path"):
            return _dedupe(_starlette_routes(routes, file, line)), "starlette"
        obj = getattr(obj, "app", None)
    target = app if callable(app) and not inspect.isclass(app) else None
    if target is not None:
        func = target if inspect.isfunction(target) else getattr(type(target), "__call__", None)
        if func is not None and covers(func, file, line):
            return [("GET", "/")], "callable"
    return [], "unknown"


def _dedupe(routes: Iterable[Route]) -> List[Route]:
    out: List[Route] = []
    for route in routes:
        if route not in out:
            out.append(route)
    return out
