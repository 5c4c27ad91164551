"""A registry a decorator fills (``def rpc(f): _rpcs[f.__name__] = f``) holds each function it
decorates: a handler that calls what it looks up there (``_rpcs.get(method)(**kwargs)``) reaches
them all (h2o-wave's IDE server runs ``pip install`` behind ``@rpc async def create_app``). Also the
factory form (``@command("name")``), and a parameter annotated ``Callable`` (which declares no kind)."""

from __future__ import annotations

from pathlib import Path

import pytest

from project_helpers import markers_hold

RPC = '''import subprocess
from typing import Callable

from flask import Flask, request

app = Flask(__name__)
_rpcs = {{}}


{decorator}


{register}
def create_app(name):
    subprocess.run(["pip", "install", name])  # {{expect}}


def helper(name):
    subprocess.run(["rm", name])  # nothing looks it up: not reached


@app.route("/rpc", methods=["POST"])
def serve():
    subprocess.run(["uptime"])  # expect: HB204 "handler 'serve' can block forever"
    f = _rpcs.get(request.json["method"])
    if f is None:
        return "unknown method"
    return f(**request.json["kwargs"])
'''

PLAIN = '''def rpc(f: Callable):
    _rpcs[f.__name__] = f
    return f'''

FACTORY = '''def rpc(name):
    def register(f):
        _rpcs[name] = f
        return f
    return register'''

EXPECTED = "expect: HB204 \"handler 'serve' via create_app()\""


def _views(decorator: str, register: str, found: bool = True) -> str:
    return RPC.format(decorator=decorator, register=register).replace("{expect}", EXPECTED if found else "")


@pytest.mark.parametrize("decorator, register", [(PLAIN, "@rpc"), (FACTORY, '@rpc("create")')])
def test_a_handler_reaches_what_a_decorator_registered(tmp_path: Path, decorator: str, register: str) -> None:
    files = {
        "app/__init__.py": "",
        "app/views.py": _views(decorator, register),
    }
    markers_hold(tmp_path, files, "app/views.py")


def test_a_decorator_that_registers_nothing_reaches_nothing(tmp_path: Path) -> None:
    wraps_only = '''def rpc(f: Callable):
    return f'''
    files = {
        "app/__init__.py": "",
        "app/views.py": _views(wraps_only, "@rpc", found=False),
    }
    markers_hold(tmp_path, files, "app/views.py")


def test_a_registry_also_filled_with_what_the_module_cannot_type_reaches_nothing(tmp_path: Path) -> None:
    also = PLAIN + '''


def load(plugin):
    _rpcs[plugin.name] = plugin.entry'''
    files = {
        "app/__init__.py": "",
        "app/views.py": _views(also, "@rpc", found=False),
    }
    markers_hold(tmp_path, files, "app/views.py")


def test_a_typed_registry_of_many_tools_reaches_them(tmp_path: Path) -> None:
    """cylestio-perimeter's MCP tools: the registry is annotated (``Dict[str, ToolHandler] = {}``, a
    display whose annotation names only the container), the decorator's parameter is annotated with a
    type alias of ``Callable`` (no kind, as ``Callable`` itself), and thirty tools are registered."""
    tools = "\n\n".join(
        f'@register_tool("tool{n}")\ndef tool{n}(args):\n    return {{"n": {n}}}' for n in range(30)
    )
    views = (
        "from typing import Any, Callable, Dict\n\nimport requests\nfrom fastapi import FastAPI\n\n"
        "app = FastAPI()\n"
        "ToolHandler = Callable[[Dict[str, Any]], Dict[str, Any]]\n"
        "_tools: Dict[str, ToolHandler] = {}\n\n\n"
        "def register_tool(name: str):\n"
        "    def decorator(func: ToolHandler) -> ToolHandler:\n"
        "        _tools[name] = func\n"
        "        return func\n"
        "    return decorator\n\n\n"
        f"{tools}\n\n\n"
        '@register_tool("analyse")\n'
        "def analyse(args):\n"
        "    return requests.post('http://localhost:7100/analyse', json=args, timeout=120).json()"
        "  # expect: HB601 \"handler 'call' via run_tool() -> analyse()\"\n\n\n"
        "def run_tool(name, args):\n"
        "    handler = _tools.get(name)\n"
        "    if not handler:\n"
        "        return {'error': name}\n"
        "    return handler(args)\n\n\n"
        "@app.post('/tools/{name}')\n"
        "async def call(name: str, args: dict):\n"
        "    return run_tool(name, args)  # expect: HB601 \"run_tool() blocks the event loop\"\n"
    )
    markers_hold(tmp_path, {"app/__init__.py": "", "app/views.py": views}, "app/views.py")
