"""Tools registered by a function that is given the server (``def register(mcp): @mcp.tool() ...``,
called as ``register(mcp)`` after ``mcp = FastMCP("app")``) are that server's handlers: the graph
reads what every call of the function passes for the parameter."""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Tuple

import pytest

from flake8_handler_block.engine import check_source
from project_helpers import age, write_project

TOOLS = '''import time


def register(mcp, client=None):
    @mcp.tool()
    async def find(query: str) -> str:
        time.sleep(1)
        return query
'''

METHOD_TOOLS = '''import time


class Registrar:
    def attach(self, mcp):
        @mcp.tool()
        async def ping() -> str:
            time.sleep(1)
            return "pong"
'''


def _codes(tmp_path: Path, files: Dict[str, str], target: str = "app/tools.py") -> List[Tuple[int, str]]:
    root = write_project(tmp_path / "proj", {"app/__init__.py": "", "pyproject.toml": "", **files})
    age(root)
    path = root / target
    source = files[target]
    return [(line, message[:5]) for line, _col, message in check_source(source, str(path))]


@pytest.mark.parametrize("server", [
    # a module-level server, passed by position or by keyword
    'from mcp.server.fastmcp import FastMCP\nfrom app import tools\n\nmcp = FastMCP("demo")\ntools.register(mcp)\n',
    'from fastmcp import FastMCP\nfrom app.tools import register\n\nmcp = FastMCP("demo")\nregister(mcp=mcp)\n',
    # built in a factory and passed from there, beside another argument
    'from mcp.server.fastmcp import FastMCP\nfrom app import tools\n\n\ndef build():\n'
    '    server = FastMCP("demo")\n    tools.register(server, object())\n    return server\n',
    # the server an instance keeps, passed from one of its methods
    'from fastmcp import FastMCP\nfrom app import tools\n\n\nclass Server:\n    def __init__(self):\n'
    '        self.mcp = FastMCP("demo")\n\n    def attach(self):\n        tools.register(self.mcp)\n',
    # the server another module builds, imported and passed on
    'from app.mcp_app import mcp\nfrom app.tools import register\n\nregister(mcp)\n',
    # one call passes a server, another a value of unknown kind: the project builds one server class
    'from fastmcp import FastMCP\nfrom app import tools\n\nmcp = FastMCP("demo")\ntools.register(mcp)\n\n\n'
    'def other(thing):\n    tools.register(thing)\n',
])
def test_tools_of_a_server_passed_in_are_handlers(tmp_path: Path, server: str) -> None:
    files = {"app/tools.py": TOOLS, "app/server.py": server,
             "app/mcp_app.py": 'from fastmcp import FastMCP\n\nmcp = FastMCP("demo")\n'}
    assert _codes(tmp_path, files) == [(7, "HB601")]


@pytest.mark.parametrize("server", [
    'from fastmcp import FastMCP\nfrom app.tools import Registrar\n\nmcp = FastMCP("demo")\nRegistrar().attach(mcp)\n',
    # the server kept on the instance that registers the tools (opensearch-mcp-server's shape)
    'from fastmcp import FastMCP\nfrom app.tools import Registrar\n\n\nclass Server:\n    def __init__(self):\n'
    '        self.mcp = FastMCP("demo")\n        registrar = Registrar()\n        registrar.attach(self.mcp)\n',
])
def test_a_method_given_the_server_registers_handlers(tmp_path: Path, server: str) -> None:
    assert _codes(tmp_path, {"app/tools.py": METHOD_TOOLS, "app/server.py": server}) == [(8, "HB601")]


@pytest.mark.parametrize("server", [
    # something else passed: not a server
    'from app import tools\n\ntools.register(object())\n',
    # one call passes a value of unknown kind, and the project builds no server class
    'from app import tools\n\n\ndef other(thing):\n    tools.register(thing)\n',
    # never called: nothing says what the parameter holds
    'from fastmcp import FastMCP\n\nmcp = FastMCP("demo")\n',
    # an instance's attribute holding something else: not a server
    'from flask import Flask\nfrom app import tools\n\n\nclass Site:\n    def __init__(self):\n'
    '        self.app = Flask(__name__)\n        tools.register(self.app)\n',
    # a Flask app is not a server whose `tool()` registers handlers
    'from flask import Flask\nfrom app import tools\n\napp = Flask(__name__)\ntools.register(app)\n',
])
def test_tools_of_a_parameter_of_unknown_kind_are_not_handlers(tmp_path: Path, server: str) -> None:
    assert _codes(tmp_path, {"app/tools.py": TOOLS, "app/server.py": server}) == []


def test_a_server_passed_to_each_tools_module_in_a_loop(tmp_path: Path) -> None:
    # kicad-buddy: each of many tools modules defines `register(mcp)` (a name many files write), and
    # the server module calls them over a written tuple
    modules = [f"tools_{n}" for n in range(12)]
    server = (f'from mcp.server.fastmcp import FastMCP\nfrom app import {", ".join(modules)}\n\n\n'
              'def build():\n    mcp = FastMCP("demo")\n'
              f'    for module in ({", ".join(modules)}):\n        module.register(mcp)\n    return mcp\n')
    files = {f"app/{name}.py": TOOLS for name in modules}
    assert _codes(tmp_path, {**files, "app/server.py": server}, target="app/tools_3.py") == [(7, "HB601")]


SERVER_CLASS = '''from fastmcp import FastMCP

from app.work import slow_lookup


class Server:
    def __init__(self, name, backend=None):
        self.mcp = FastMCP(name)
        self.backend = backend
        self._register()

    def _register(self):
        @self.mcp.tool()
        async def lookup(key: str) -> str:
            return await slow_lookup(key)

        @self.backend.tool()
        async def other(key: str) -> str:
            return await slow_lookup(key)
'''

WORK = '''import time


async def slow_lookup(key):
    time.sleep(1)
    return key
'''


def test_tools_of_the_instance_s_server_reach_other_modules(tmp_path: Path) -> None:
    # `@self.mcp.tool()` in a method, after `self.mcp = FastMCP(name)`: a handler for the whole
    # project, whose calls into other modules are followed (`self.backend` is of unknown kind)
    files = {"app/server.py": SERVER_CLASS, "app/work.py": WORK}
    assert _codes(tmp_path, files, target="app/work.py") == [(5, "HB601")]


ADDED_TOOLS = '''import time
from typing import Any


def register(mcp: Any, factory) -> None:
    async def audit(region: str = "") -> dict:
        time.sleep(1)
        return {}

    mcp.add_tool(audit, annotations={"readOnlyHint": True})
'''


@pytest.mark.parametrize("server, expected", [
    # workspaces-euc-mcp-server's shape: the server built in a factory, given to each tools module
    ('from fastmcp import FastMCP\nfrom app import tools\n\n\ndef create_server(factory):\n'
     '    mcp = FastMCP("demo")\n    tools.register(mcp, factory)\n    return mcp\n', [(7, "HB601")]),
    # given something that is not a server: `add_tool()` there registers nothing we know of
    ('from app import tools\n\n\nclass Registry:\n    def add_tool(self, fn, **kw):\n        pass\n\n\n'
     'tools.register(Registry(), None)\n', []),
])
def test_a_tool_added_to_a_server_passed_in_is_a_handler(
        tmp_path: Path, server: str, expected: List[Tuple[int, str]]) -> None:
    assert _codes(tmp_path, {"app/tools.py": ADDED_TOOLS, "app/server.py": server}) == expected


HARDENED_SERVER = '''\
import asyncio

from mcp.server.fastmcp import FastMCP

from app import tools


class HardenedMCP(FastMCP):
    async def call_tool(self, name, arguments):
        tool = self._tool_manager._tools[name]
        return await asyncio.get_running_loop().run_in_executor(None, lambda: tool.fn(**arguments))


def _register_tools(mcp: FastMCP) -> None:
    tools.register(mcp)


def build() -> FastMCP:
    mcp = HardenedMCP("k8s")
    _register_tools(mcp)
    return mcp
'''

SYNC_TOOLS = '''\
import time


def register(mcp) -> None:
    mcp.tool()(cluster_info)


def cluster_info() -> str:
    time.sleep(1)
    return "ok"
'''


def test_a_parameter_declared_a_server_class_is_the_projects_own_subclass(tmp_path: Path) -> None:
    """k8s-mcp: ``_register_tools(mcp: FastMCP)`` passes on the project's own subclass, whose
    ``call_tool`` runs each sync tool in an executor: its sync tools are off the loop."""
    assert _codes(tmp_path, {"app/tools.py": SYNC_TOOLS, "app/server.py": HARDENED_SERVER}) == []
    plain = HARDENED_SERVER.replace("mcp = HardenedMCP(", "mcp = FastMCP(")
    assert _codes(tmp_path, {"app/tools.py": SYNC_TOOLS, "app/server.py": plain}) == [(9, "HB601")]


LOOP_IN_THREAD = '''\
import asyncio

import requests
from mcp.server.lowlevel import Server


class Dispatcher:
    async def call_tool(self, name, arguments):
        return await asyncio.to_thread(asyncio.run, self._call(name, arguments))

    async def call_tool_inline(self, name, arguments):
        return await self._call(name, arguments)

    async def _call(self, name, arguments):
        return requests.get("https://monitor.example/api/" + name, timeout=10).json()


class MonitorServer:
    def __init__(self):
        self._server = Server("monitor")
        self._dispatcher = Dispatcher()

    def _register_handlers(self):
        async def call_tool(_ctx, params):
            return await self._dispatcher.CALL(params.name, params.arguments)

        self._server.add_request_handler("tools/call", object, call_tool)
'''


def test_a_coroutine_run_by_asyncio_run_in_a_thread_is_off_the_loop(tmp_path: Path) -> None:
    """vibemk: ``to_thread(asyncio.run, self._call(...))`` runs the coroutine on the worker thread's
    own loop; awaited in place, it runs on the server's."""
    threaded = LOOP_IN_THREAD.replace("CALL(", "call_tool(")
    assert _codes(tmp_path, {"app/server.py": threaded}, "app/server.py") == []
    inline = LOOP_IN_THREAD.replace("CALL(", "call_tool_inline(")
    assert _codes(tmp_path, {"app/server.py": inline}, "app/server.py") == [(15, "HB601")]
