"""MCP servers: a function decorated ``@mcp.tool()``, ``@mcp.resource(uri)`` or ``@mcp.prompt()`` on a
``FastMCP`` (the MCP SDK's or FastMCP's) serves each call of a client, as a route does: it is a
handler, whether the server is built at module level, in the function that registers the tools, or
passed in as an annotated parameter. A look-alike ``.tool`` of another class is not.

A sync tool of the MCP SDK 1.x's FastMCP (``mcp.server.fastmcp``, a module 2.x no longer has) runs
in place on its event loop, so HB601 looks at it as at a coroutine; FastMCP's own (``fastmcp``) runs
sync tools in a worker thread since 3.0 and its version is not known from the code: HB601 says
nothing of those."""

from __future__ import annotations

from pathlib import Path

from flake8_handler_block.engine import check_source
from project_helpers import markers_hold, write_project

SERVER = '''\
import time

import requests
from fastmcp import FastMCP
from mcp.server.fastmcp import FastMCP as SdkServer

from .toolbox import Toolbox

server = SdkServer("weather")
toolbox = Toolbox()


@server.tool()
async def forecast(city: str) -> str:
    return requests.get(f"https://api.example/{city}", timeout=5).text  # expect: HB601 "handler 'forecast'"


@server.resource("weather://stations")
def stations() -> str:
    return requests.get("https://api.example/stations").text  # expect: HB201 "handler 'stations'", HB601 "stations"


@server.tool()
def radar(city: str) -> str:
    return _fetch_radar(city)


def _fetch_radar(city: str) -> str:
    time.sleep(2)  # expect: HB601 "handler 'radar'" "via _fetch_radar()"
    return city


@server.prompt()
def briefing(city: str) -> str:
    return f"Brief me on {city}"  # ok: HB601 a sync prompt that waits on nothing


def register(mcp: FastMCP) -> None:
    @mcp.tool
    async def wait_a_bit() -> str:
        time.sleep(1)  # expect: HB601 "handler 'register.<locals>.wait_a_bit'"
        return "done"

    @mcp.prompt()
    def sync_prompt() -> str:
        time.sleep(1)  # ok: HB601 a sync prompt may run in a worker thread
        return "done"


def build() -> FastMCP:
    local = FastMCP("local")

    @local.tool(tags={"read"})
    async def lookup(url: str) -> str:
        return requests.get(url, timeout=3).text  # expect: HB601 "handler 'build.<locals>.lookup'"

    return local


@toolbox.tool()
async def not_a_server_tool() -> str:
    return requests.get("https://api.example/", timeout=5).text  # ok: HB601 Toolbox is no MCP server
'''

TOOLBOX = '''\
class Toolbox:
    def tool(self):
        return lambda function: function
'''


def test_mcp_tools_resources_and_prompts_are_handlers(tmp_path: Path) -> None:
    files = {"app/__init__.py": "", "app/server.py": SERVER, "app/toolbox.py": TOOLBOX}
    markers_hold(tmp_path, files, "app/server.py")


LOWLEVEL = '''\
import asyncio
import subprocess

import mcp.types as types
from mcp.server.lowlevel import Server

from .toolbox import Toolbox

server = Server("git")
toolbox = Toolbox()


@server.call_tool()
async def call_tool(name: str, arguments: dict) -> list:
    if name == "git_log":
        text = await asyncio.to_thread(git_log, arguments["repo"])
        return [types.TextContent(type="text", text=text)]
    raise ValueError(name)


def git_log(repo: str) -> str:
    return subprocess.check_output(["git", "-C", repo, "log"], text=True)  # expect: HB204 "via git_log()"


@server.list_resources()
async def list_resources() -> list:
    await asyncio.to_thread(subprocess.run, ["git", "fetch"])  # expect: HB204 "handler 'list_resources'"
    return []


async def on_call(ctx, params):
    await asyncio.to_thread(subprocess.run, ["git", "pull"])  # expect: HB204 "handler 'on_call'"


async def on_list(ctx, params):
    await asyncio.to_thread(subprocess.run, ["git", "status"])  # expect: HB204 "handler 'on_list'"


async def on_tick(ctx, params):
    await asyncio.to_thread(subprocess.run, ["git", "gc"])  # ok: HB204 on_tick= names no request of the server


def build() -> Server:
    return Server("git", on_call_tool=on_call, on_list_tools=on_list, on_tick=on_tick)


async def on_describe(ctx, params):
    await asyncio.to_thread(subprocess.run, ["git", "describe"])  # expect: HB204 "handler 'on_describe'"


async def on_blame(ctx, params):
    await asyncio.to_thread(subprocess.run, ["git", "blame"])  # expect: HB204 "handler 'on_blame'"


async def on_shortlog(ctx, params):
    await asyncio.to_thread(subprocess.run, ["git", "shortlog"])  # ok: HB204 a toolbox's, no server's


def build_by_method() -> Server:
    by_method = Server("git")
    by_method.add_request_handler("tools/call", types.CallToolRequestParams, on_describe)
    by_method.add_request_handler("resources/read", types.ReadResourceRequestParams, handler=on_blame)
    toolbox.add_request_handler("tools/call", types.CallToolRequestParams, on_shortlog)
    return by_method


@toolbox.call_tool()
async def not_a_server_handler(name: str) -> None:
    await asyncio.to_thread(subprocess.run, ["git", "gc"])  # ok: HB204 Toolbox is no MCP server
'''

LOWLEVEL_TOOLBOX = '''\
class Toolbox:
    def call_tool(self):
        return lambda function: function

    def add_request_handler(self, method, params, handler):
        self.handlers = {method: handler}
'''


def test_mcp_lowlevel_server_request_handlers(tmp_path: Path) -> None:
    """The MCP SDK's low-level ``Server``: what ``@server.call_tool()``, ``@server.list_resources()``...
    decorate (1.x), or ``Server(name, on_call_tool=f)`` names (2.x) or ``server.add_request_handler("tools/call",
    Params, f)`` registers (2.x), answers each request of that kind."""
    files = {"app/__init__.py": "", "app/server.py": LOWLEVEL, "app/toolbox.py": LOWLEVEL_TOOLBOX}
    markers_hold(tmp_path, files, "app/server.py")


SDK2 = '''\
import time

import requests
from mcp.server.fastmcp import FastMCP
from mcp.server.mcpserver import MCPServer

legacy = FastMCP("legacy")
server = MCPServer("markets")


@server.tool()
async def quote(symbol: str) -> str:
    time.sleep(1)  # expect: HB601 "handler 'quote'"
    return symbol


@server.tool()
def history(symbol: str) -> str:
    time.sleep(1)  # ok: HB601 the SDK 2.x runs a sync tool in a worker thread
    return requests.get(f"https://api.example/{symbol}").text  # expect: HB201 "handler 'history'"


@legacy.custom_route("/health", methods=["GET"])
async def health(request):
    time.sleep(1)  # expect: HB601 "handler 'health'"


@server.custom_route("/ready", methods=["GET"])
def ready(request):
    time.sleep(1)  # ok: HB601 Starlette runs a sync route in its thread pool
    return requests.get("https://api.example/ping").text  # expect: HB201 "handler 'ready'"
'''


def test_mcp_sdk_2_server_and_custom_routes(tmp_path: Path) -> None:
    """The MCP SDK 2.x renamed FastMCP ``mcp.server.mcpserver.MCPServer``: its tools are handlers, its
    sync ones run in a thread. ``@mcp.custom_route(...)`` serves an HTTP route of the server's app."""
    files = {"app/__init__.py": "", "app/server.py": SDK2}
    markers_hold(tmp_path, files, "app/server.py")


REPLACED_TOOLS = '''\
import time

from mcp.server.fastmcp import FastMCP

mcp = FastMCP("analytics")


@mcp.tool()
def report(name: str) -> str:
    time.sleep(1)  # ok: HB601 the project replaces its sync tools with coroutines that run them in a thread
    return name


@mcp.tool()
async def summary(name: str) -> str:
    time.sleep(1)  # expect: HB601 "handler 'summary'"
    return name
'''

WRAPPER = '''\
import asyncio
import functools


def run_sync_tools_in_threads(mcp) -> None:
    for name, tool in list(mcp._tool_manager._tools.items()):
        if tool.is_async:
            continue

        @functools.wraps(tool.fn)
        async def runner(*args, _fn=tool.fn, **kwargs):
            return await asyncio.to_thread(_fn, *args, **kwargs)

        mcp._tool_manager._tools[name] = tool.model_copy(update={"fn": runner, "is_async": True})
'''


def test_sync_tools_of_a_project_that_replaces_them_are_not_known_inline(tmp_path: Path) -> None:
    """A project that reaches into FastMCP's private tool registry may swap its sync tools for
    coroutines handing them to a thread (``handlers.replaces_tools``): they are not claimed to
    run on the loop. Its coroutines still are."""
    files = {"app/__init__.py": "", "app/tools.py": REPLACED_TOOLS, "app/wrapping.py": WRAPPER}
    markers_hold(tmp_path, files, "app/tools.py")


REWRITTEN_FUNCTIONS = '''\
import asyncio
import functools

from .tools import mcp


def _offload_sync_tools() -> int:
    converted = 0
    for tool in mcp._tool_manager.list_tools():
        if tool.is_async:
            continue
        sync_fn = tool.fn

        @functools.wraps(sync_fn)
        async def threaded(*args, __sync_fn=sync_fn, **kwargs):
            return await asyncio.to_thread(__sync_fn, *args, **kwargs)

        tool.fn = threaded
        tool.is_async = True
        converted += 1
    return converted


OFFLOADED = _offload_sync_tools()
'''


def test_sync_tools_whose_functions_the_project_rewrites_are_not_known_inline(tmp_path: Path) -> None:
    """Rewriting the function of each tool listed from the registry (``tool.fn = threaded``, a
    trading MCP server's import-time offload) swaps the sync tools as surely."""
    files = {"app/__init__.py": "", "app/tools.py": REPLACED_TOOLS, "app/wrapping.py": REWRITTEN_FUNCTIONS}
    markers_hold(tmp_path, files, "app/tools.py")


def _a_sync_and_an_async_tool(why_sync_is_off_the_loop: str) -> str:
    """Two tools of the module's ``mcp`` that sleep: a sync one, off the loop for ``why``, and an async one."""
    return (
        "\n\n@mcp.tool()\ndef restart(name: str) -> str:\n"
        f"    time.sleep(1)  # ok: HB601 {why_sync_is_off_the_loop}\n    return name\n\n\n"
        "@mcp.tool()\nasync def status(name: str) -> str:\n"
        "    time.sleep(1)  # expect: HB601 \"handler 'status'\"\n    return name\n"
    )


PATCHED_REASON = "the project patched the SDK's Tool.run to run sync tools in a thread"

DECORATOR_REPLACED = '''\
import functools
import time

import anyio
from mcp.server.fastmcp import FastMCP

mcp = FastMCP("painter")
_register_tool = mcp.tool


def _tool_in_worker_thread(*args, **kwargs):
    register = _register_tool(*args, **kwargs)

    def decorator(fn):
        @functools.wraps(fn)
        async def run(*fn_args, **fn_kwargs):
            return await anyio.to_thread.run_sync(functools.partial(fn, *fn_args, **fn_kwargs))
        return register(run)
    return decorator


mcp.tool = _tool_in_worker_thread
''' + _a_sync_and_an_async_tool("the server's decorator is the project's own, which runs sync tools in a thread")


def test_sync_tools_of_a_server_whose_decorator_the_project_replaces_are_not_known_inline(tmp_path: Path) -> None:
    """`mcp.tool = _tool_in_worker_thread` (GIMP's MCP server): the project's own decorator registers
    each tool, a coroutine handing it to a thread."""
    markers_hold(tmp_path, {"app/__init__.py": "", "app/tools.py": DECORATOR_REPLACED}, "app/tools.py")


TOOL_RUN_PATCHED = '''\
"""Sync tools run in a worker thread: the SDK's Tool.run is patched at import."""

import asyncio

import anyio
from mcp.server.fastmcp.tools import base as _tb

_orig_run = _tb.Tool.run


async def _offloading_run(self, arguments, context=None, convert_result=False):
    if self.is_async:
        return await _orig_run(self, arguments, context, convert_result)
    return await anyio.to_thread.run_sync(
        lambda: asyncio.run(_orig_run(self, arguments, context, convert_result))
    )


_tb.Tool.run = _offloading_run
'''

PATCHED_SERVER = '''\
import time

from mcp.server.fastmcp import FastMCP

mcp = FastMCP("eda")
''' + _a_sync_and_an_async_tool(PATCHED_REASON)


def test_sync_tools_of_an_sdk_whose_tool_class_the_project_patches_are_not_known_inline(tmp_path: Path) -> None:
    """edi-grpc-mcp's ``servers/__init__.py`` replaces ``mcp.server.fastmcp.tools.base.Tool.run`` with a
    coroutine handing each sync tool to ``anyio.to_thread.run_sync``: its sync tools leave the loop.
    Its async tools still run there."""
    files = {"servers/__init__.py": TOOL_RUN_PATCHED, "servers/eda.py": PATCHED_SERVER}
    markers_hold(tmp_path, files, "servers/eda.py")
    unpatched = {"servers/__init__.py": "", "servers/eda.py": PATCHED_SERVER.replace(
        f"# ok: HB601 {PATCHED_REASON}", "# expect: HB601")}
    markers_hold(tmp_path / "plain", unpatched, "servers/eda.py")


ERRORS_WRAPPED = DECORATOR_REPLACED.replace(
    "            return await anyio.to_thread.run_sync(functools.partial(fn, *fn_args, **fn_kwargs))",
    "            return fn(*fn_args, **fn_kwargs)",
).replace("        async def run(", "        def run(").replace(
    "# ok: HB601 the server's decorator is the project's own, which runs sync tools in a thread",
    "# expect: HB601 \"handler 'restart'\"",
)


def test_a_replaced_decorator_that_hands_nothing_to_a_thread_keeps_tools_inline(tmp_path: Path) -> None:
    """A replacement that only wraps the tool (an error translator, a nudge appended to its text)
    registers it sync: the server still calls it on its loop."""
    assert "to_thread" not in ERRORS_WRAPPED and "expect: HB601 \"handler 'restart'\"" in ERRORS_WRAPPED
    markers_hold(tmp_path, {"app/__init__.py": "", "app/tools.py": ERRORS_WRAPPED}, "app/tools.py")


APPLIED_SERVER = '''\
import functools
import time

from mcp.server.fastmcp import FastMCP

from . import tags
from .toolbox import Toolbox
from .workspaces import list_workspaces

mcp = FastMCP("forge")
toolbox = Toolbox()


def _guarded(name):
    def wrap(function):
        @functools.wraps(function)
        def inner(*args, **kwargs):
            return function(*args, **kwargs)
        return inner
    return wrap


def status() -> str:
    time.sleep(1)  # expect: HB601 "handler 'status'"
    return "ok"


def not_served() -> str:
    time.sleep(1)  # ok: HB601 registered on no MCP server
    return "ok"


mcp.tool()(list_workspaces)
mcp.tool()(tags.list_tags)
mcp.tool()(_guarded("create")(tags.create_tag))
mcp.resource("forge://status")(status)
mcp.add_tool(tags.delete_tag)
toolbox.tool()(not_served)
toolbox.add_tool(tags.rename_tag)
'''

APPLIED_TAGS = '''\
import time


def list_tags() -> list:
    time.sleep(1)  # expect: HB601 "handler 'list_tags'"
    return []


def create_tag(name: str) -> str:
    time.sleep(1)  # expect: HB601 "handler 'create_tag'"
    return name


def delete_tag(name: str) -> str:
    time.sleep(1)  # expect: HB601 "handler 'delete_tag'"
    return name


def rename_tag(name: str) -> str:
    time.sleep(1)  # ok: HB601 Toolbox.add_tool serves nothing
    return name
'''

APPLIED_WORKSPACES = '''\
import time


def list_workspaces() -> list:
    time.sleep(1)  # expect: HB601 "handler 'list_workspaces'"
    return []
'''

APPLIED_ELSEWHERE = '''\
import time

from .server import mcp


def ping() -> str:
    time.sleep(1)  # expect: HB601 "handler 'ping'"
    return "pong"


mcp.tool()(ping)
'''

APPLIED_TOOLBOX = '''\
class Toolbox:
    def tool(self):
        return lambda function: function

    def add_tool(self, function):
        return function
'''


def test_tools_registered_by_applying_the_decorator_or_add_tool(tmp_path: Path) -> None:
    """``mcp.tool()(f)`` (the decorator applied by a call, ``f`` from any module, through a wrapper too)
    and ``mcp.add_tool(f)`` register ``f`` as ``@mcp.tool()`` does, on a server built here or imported;
    the same calls on a class that is no MCP server register nothing."""
    files = {
        "app/__init__.py": "", "app/server.py": APPLIED_SERVER, "app/tags.py": APPLIED_TAGS,
        "app/workspaces.py": APPLIED_WORKSPACES, "app/ping.py": APPLIED_ELSEWHERE, "app/toolbox.py": APPLIED_TOOLBOX,
    }
    for checked in ("app/server.py", "app/tags.py", "app/workspaces.py", "app/ping.py"):
        markers_hold(tmp_path, files, checked)


DIRECT = '''\
import time
from typing import Optional

from fastmcp import FastMCP
from mcp.server import MCPServer

from .toolbox import Toolbox

archive = MCPServer("archive")  # the name `mcp.server` re-exports
toolbox = Toolbox()


@archive.tool()
async def search(query: str) -> str:
    time.sleep(1)  # expect: HB601 "handler 'search'"
    return query


class Gateway:
    def __init__(self) -> None:
        self.server: Optional[FastMCP] = None

    async def start(self) -> None:
        self.server = FastMCP("gateway")
        self.add_skill("ask")

    def add_skill(self, name: str) -> None:
        async def handle(message: str) -> str:
            time.sleep(1)  # expect: HB601 "handler 'Gateway.add_skill.<locals>.handle'"
            return message

        self.server.tool(handle)  # FastMCP's decorator given the function itself


async def briefing(topic: str) -> str:
    time.sleep(1)  # expect: HB601 "handler 'briefing'"
    return topic


async def not_a_tool(topic: str) -> str:
    time.sleep(1)  # ok: HB601 handed to a Toolbox, no MCP server
    return topic


mcp = FastMCP("news")
mcp.prompt(briefing)
mcp.tool("headline")  # ok: a name, no function
toolbox.tool(not_a_tool)
'''


def test_mcp_server_reexport_and_direct_registration(tmp_path: Path) -> None:
    """``from mcp.server import MCPServer`` is the SDK 2.x server; FastMCP's ``mcp.tool(handle)``
    registers ``handle`` as ``@mcp.tool`` would (on a server held by ``self`` too)."""
    files = {"app/__init__.py": "", "app/server.py": DIRECT, "app/toolbox.py": TOOLBOX}
    markers_hold(tmp_path, files, "app/server.py")


FALLBACK_SERVER = '''\
try:
    from mcp.server.mcpserver import MCPServer as FastMCP
except ImportError:  # the SDK 1.x's name
    from mcp.server.fastmcp import FastMCP

mcp = FastMCP("notes")
'''

FALLBACK_TOOLS = '''\
import time

from .server import mcp


@mcp.tool()
async def find(query: str) -> str:
    time.sleep(1)  # expect: HB601 "handler 'find'"
    return query


@mcp.tool()
def find_sync(query: str) -> str:
    time.sleep(1)  # ok: HB601 the SDK 2.x, if it is the one installed, runs a sync tool in a thread
    return query
'''


def test_mcp_server_class_an_import_falls_back_between(tmp_path: Path) -> None:
    """``try: from mcp.server.mcpserver import MCPServer as FastMCP`` / ``except ImportError: from
    mcp.server.fastmcp import FastMCP``: either class registers tools alike; which is installed is not
    known, so a sync tool is not taken to run on the loop (only the 1.x one does)."""
    files = {"app/__init__.py": "", "app/server.py": FALLBACK_SERVER, "app/tools.py": FALLBACK_TOOLS}
    markers_hold(tmp_path, files, "app/tools.py")
    local = FALLBACK_SERVER + FALLBACK_TOOLS.replace("from .server import mcp\n", "")
    markers_hold(tmp_path / "alone", {"app/__init__.py": "", "app/server.py": local}, "app/server.py")


LOOPED_TOOL = '''\
import subprocess


def register(mcp) -> None:
    @mcp.tool()
    def run_trace(target: str) -> str:
        return subprocess.run(["python", target], capture_output=True, timeout=120).stdout  # expect: HB601 "run_trace"
'''

LOOPED_REGISTRY = '''\
from . import trace

_MODULES = (trace,)


def register_all(mcp) -> None:
    for module in _MODULES:
        module.register(mcp)
'''

LOOPED_SERVER = '''\
from mcp.server.fastmcp import FastMCP

from .tools import register_all

mcp = FastMCP("graph")
register_all(mcp)
'''


def test_a_tool_of_a_parameter_whose_callers_cannot_be_read_registers_with_the_projects_server(
    tmp_path: Path,
) -> None:
    """contextai-mcp, scrapy-mcp: each tool module's ``register(mcp)`` is called as
    ``module.register(mcp)`` for every module of a tuple, with ``register_all``'s own parameter:
    ``@mcp.tool()`` there registers with the one MCP server class the project builds."""
    files = {"app/__init__.py": "", "app/server.py": LOOPED_SERVER, "app/tools/__init__.py": LOOPED_REGISTRY,
             "app/tools/trace.py": LOOPED_TOOL}
    markers_hold(tmp_path, files, "app/tools/trace.py")


SPEC_REGISTRY = '''\
from typing import Callable, Iterable, Tuple


def register_tools(mcp, mode: str, specs: Iterable[Tuple[str, Callable[..., None]]]) -> int:
    applied = 0
    for capability, register_fn in specs:
        if capability in ("any", mode):
            register_fn(mcp, mode)
            applied += 1
    return applied
'''

SPEC_SERVER = '''\
from mcp.server.fastmcp import FastMCP

from .registry import register_tools


def _tool_specs():
    from .tools import trace

    return [("any", trace.register)]


def build_server() -> FastMCP:
    mcp = FastMCP("rhino")
    register_tools(mcp, "bridge", _tool_specs())
    return mcp
'''


def test_a_tool_of_a_parameter_whose_function_is_handed_on_registers_with_the_projects_server(
    tmp_path: Path,
) -> None:
    """rhino3dm-mcp: each tool module's ``register(mcp, mode)`` is listed as ``(Mode.BRIDGE,
    query.register)`` and called by a helper looping over the list as ``register_fn(mcp, mode)``:
    nothing calls it by name, but it is handed on to be called, so ``@mcp.tool()`` there registers
    with the one MCP server class the project builds. A ``register`` nothing calls or names says
    nothing."""
    tool = LOOPED_TOOL.replace("def register(mcp) -> None:", "def register(mcp, mode) -> None:")
    files = {"app/__init__.py": "", "app/server.py": SPEC_SERVER, "app/registry.py": SPEC_REGISTRY,
             "app/tools/__init__.py": "", "app/tools/trace.py": tool}
    markers_hold(tmp_path, files, "app/tools/trace.py")
    files["app/server.py"] = SPEC_SERVER.replace("[(\"any\", trace.register)]", "[]")
    root = write_project(tmp_path / "unnamed", {"pyproject.toml": "", **files})
    assert not check_source(tool, str(root / "app/tools/trace.py"))


def test_the_sdk_server_by_the_name_mcp_server_reexports(tmp_path: Path) -> None:
    """``from mcp.server import FastMCP`` (the SDK 1.x's ``mcp/server/__init__.py`` re-exports it:
    nifimcp's ``core.py``) is the SDK's FastMCP: its tools are handlers, its sync ones run on the loop."""
    core = "from mcp.server import FastMCP\n\nmcp = FastMCP('nifi')\n"
    tools = (
        "import time\n\nfrom .core import mcp\n\n\n@mcp.tool()\nasync def expert(question: str) -> str:\n"
        "    time.sleep(1)  # expect: HB601 \"handler 'expert'\"\n    return question\n\n\n"
        "@mcp.tool()\ndef status() -> str:\n    time.sleep(1)  # expect: HB601 \"handler 'status'\"\n    return 'ok'\n"
    )
    markers_hold(tmp_path, {"app/__init__.py": "", "app/core.py": core, "app/tools.py": tools}, "app/tools.py")


def test_a_project_building_two_mcp_server_classes_names_none_for_such_a_tool(tmp_path: Path) -> None:
    tool = LOOPED_TOOL.replace('  # expect: HB601 "run_trace"', "")
    tool += '''

@mcp_2.tool()
def status() -> str:
    return subprocess.run(["uptime"], capture_output=True, timeout=5).stdout  # expect: HB601 "status"
'''
    tool = tool.replace("import subprocess\n", "import subprocess\n\nfrom mcp.server.fastmcp import FastMCP\n\n"
                        "from fastmcp import FastMCP as OtherServer\n\nmcp_2 = FastMCP('status')\n"
                        "spare = OtherServer('spare')\n")
    files = {"app/__init__.py": "", "app/server.py": LOOPED_SERVER, "app/tools/__init__.py": LOOPED_REGISTRY,
             "app/tools/trace.py": tool}
    markers_hold(tmp_path, files, "app/tools/trace.py")


FACTORY_SERVER = '''\
import functools
import time

from fastapi import APIRouter
from mcp.server.fastmcp import FastMCP

from .mail import send_draft

READ, WRITE = "read", "write"
router = APIRouter()


def route(**options):
    return router.get("/report", **options)


def cached(ttl):
    return functools.lru_cache(maxsize=ttl)


@route(response_model=dict)
async def report() -> dict:
    time.sleep(1)  # expect: HB601 "handler 'report'"
    return {}


@cached(8)
async def lookup(key: str) -> str:
    time.sleep(1)  # ok: HB601 lru_cache registers nothing
    return key


def build_server(remote: bool = False) -> FastMCP:
    server = FastMCP("school")

    def tool(annotations: str):
        if remote and annotations != READ:
            return lambda function: function  # not served remotely
        return server.tool(annotations=annotations)

    def quiet(annotations: str):
        return lambda function: function

    @tool(READ)
    async def agenda() -> str:
        time.sleep(1)  # expect: HB601 "handler 'build_server.<locals>.agenda'"
        return "agenda"

    @tool(WRITE)
    async def draft(to: str) -> str:
        return send_draft(to)  # expect: HB601 "handler 'build_server.<locals>.draft'"

    @quiet(READ)
    async def hidden() -> str:
        time.sleep(1)  # ok: HB601 the factory hands back the function unregistered
        return "hidden"

    return server
'''

FACTORY_MAIL = '''\
import subprocess


def send_draft(to: str) -> str:
    subprocess.run(["sendmail", to])  # expect: HB204 "handler 'build_server.<locals>.draft'", HB601
    return to
'''


def test_tools_registered_through_a_factory_of_the_servers_decorator(tmp_path: Path) -> None:
    """``@tool(READ)``, where a function of the module returns ``server.tool(annotations=...)`` (or a
    route's decorator), registers as that decorator does: in the module itself (libcst) and for the
    project index (``ast``), which takes the draft tool's helper in another module to a handler. A
    factory returning another decorator, or only the function back, registers nothing."""
    files = {"app/__init__.py": "", "app/server.py": FACTORY_SERVER, "app/mail.py": FACTORY_MAIL}
    for checked in ("app/server.py", "app/mail.py"):
        markers_hold(tmp_path, files, checked)
