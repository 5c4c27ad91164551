"""A project's own helper that registers what it is given with an MCP server makes each function
given to it a handler: apache-airflow-mcp-server's ``@write_tool`` (``return mcp.tool()(fn)``),
wadachi's ``@tool()`` factory (``def deco(fn): return mcp.tool()(_instrumented(fn))``),
photoshop-mcp-server's ``register_tool(mcp, create_layer, "create_layer")`` called from other
modules, and tabpilot-mcp's ``tool`` defined and applied inside the function that builds the
server. The helper is found from its body (a server registration of one of its parameters, through
wrappers), wherever it is applied or called."""

from __future__ import annotations

from pathlib import Path

import pytest

from project_helpers import markers_hold

SERVER = '''import functools
import os

from fastmcp import FastMCP

mcp = FastMCP("deploys")
READ_ONLY = os.environ.get("READ_ONLY") == "1"


def _instrumented(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return fn(*args, **kwargs)
    return wrapper


def write_tool(fn):
    """Register a tool that writes, unless the server is read-only."""
    if READ_ONLY:
        return fn
    return mcp.tool(annotations={"readOnlyHint": False})(fn)


def tool(*dargs, **dkwargs):
    def deco(fn):
        wrapped = _instrumented(fn)
        return mcp.tool(*dargs, **dkwargs)(wrapped)
    return deco


def remember(fn):
    """Keeps the function for the docs: registers nothing."""
    _DOCUMENTED.append(fn)
    return fn


_DOCUMENTED = []
'''

REGISTRY = '''from typing import Callable

from fastmcp import FastMCP

from .server import _instrumented

DEBUG = True


def register_tool(server: FastMCP, func: Callable, name: str = "") -> str:
    decorated = func
    if DEBUG:
        decorated = _instrumented(func)
        decorated = _instrumented(decorated)
    server.tool(name=name or func.__name__)(decorated)
    return name
'''

TOOLS = '''import subprocess

from .registry import register_tool
from .server import remember, tool, write_tool


@write_tool
def trigger_deploy(name: str) -> str:
    return subprocess.run(["deploy", name], capture_output=True).stdout  # expect: HB204 "trigger_deploy"


@tool(name="logs")
def deploy_logs(name: str) -> str:
    return subprocess.check_output(["journalctl", "-u", name])  # expect: HB204 "deploy_logs"


@remember
def describe(name: str) -> str:
    return subprocess.check_output(["describe", name])  # ok: kept for the docs, never served


def register(mcp):
    def rollback(name: str) -> str:
        return subprocess.check_output(["rollback", name])  # expect: HB204 "rollback"

    def prune(name: str) -> str:
        return subprocess.check_output(["prune", name])  # ok: defined, never registered

    register_tool(mcp, rollback, "rollback")
    return prune
'''

BROWSER = '''import functools
import subprocess

from fastmcp import FastMCP


def build_server() -> FastMCP:
    mcp = FastMCP("browser")

    def tool(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except ValueError as exc:
                return f"ERROR {exc}"
        return mcp.tool()(wrapper)

    @tool
    def browser_status() -> str:
        return subprocess.check_output(["chrome", "--headless", "--dump-dom"])  # expect: HB204 "browser_status"

    def helper() -> str:
        return subprocess.check_output(["firefox", "--headless", "--screenshot"])  # ok: never registered

    return mcp
'''


def _files(**changed: str) -> dict:
    files = {"app/__init__.py": "", "app/server.py": SERVER, "app/registry.py": REGISTRY, "app/tools.py": TOOLS,
             "app/browser.py": BROWSER}
    files.update({f"app/{name}.py": text for name, text in changed.items()})
    return files


@pytest.mark.parametrize("checked", ["app/tools.py", "app/browser.py"])
def test_what_a_registering_helper_is_given_is_a_handler(tmp_path: Path, checked: str) -> None:
    markers_hold(tmp_path, _files(), checked)


@pytest.mark.parametrize(
    "old, new",
    [
        # the server's decorator applied to something else than the parameter
        ('return mcp.tool(annotations={"readOnlyHint": False})(fn)', "return mcp.tool()(_instrumented(print))"),
        # the parameter rebound before it is registered
        ("    if READ_ONLY:\n        return fn\n", "    fn = print\n"),
    ],
)
def test_a_helper_that_does_not_register_its_parameter_makes_no_handler(tmp_path: Path, old: str, new: str) -> None:
    server = SERVER.replace(old, new)
    assert server != SERVER
    tools = TOOLS.replace('  # expect: HB204 "trigger_deploy"', "")
    markers_hold(tmp_path, _files(server=server, tools=tools), "app/tools.py")


def test_a_registration_on_another_class_makes_no_handler(tmp_path: Path) -> None:
    """``registry.tool(name=...)(fn)`` on an agent framework's registry is not a server's."""
    registry = REGISTRY.replace("from fastmcp import FastMCP", "from agents import Registry as FastMCP")
    tools = TOOLS.replace('  # expect: HB204 "rollback"', "")
    markers_hold(tmp_path, _files(registry=registry, tools=tools), "app/tools.py")


FACTORY = '''import subprocess

from fastmcp import FastMCP

mcp = FastMCP("wedge")
WEDGE = {"resize": "convert", "probe": "ffprobe"}


def _register_wedge():
    for name, program in WEDGE.items():
        def _make(tool_program: str):
            def handler(**kw) -> str:
                return subprocess.check_output([tool_program, *kw.values()])  # expect: HB204 "handler"
            return handler

        handler = _make(program)
        handler.__name__ = name
        mcp.tool(name=name)(handler)


def eject_viz(name: str) -> str:
    return subprocess.check_output(["vizctl", "eject", name])  # expect: HB204 "eject_viz"


def eject_files(name: str) -> str:
    return subprocess.check_output(["vizctl", "files", name])  # expect: HB204 "eject_files"


def eject_help(name: str) -> str:
    return subprocess.check_output(["vizctl", "help", name])  # ok: not among the tools the loop registers


for fn in (eject_viz, eject_files):
    mcp.tool(description=fn.__doc__)(fn)


def _unused_factory(program: str):
    def runner(**kw) -> str:
        return subprocess.check_output([program, *kw.values()])  # ok: made, never registered
    return runner


_register_wedge()
'''


def test_a_tool_a_factory_makes_is_a_handler(tmp_path: Path) -> None:
    """``mcp.tool(name=name)(handler)`` after ``handler = _make(name)``: the function the factory
    returns is registered (gocreative-wedge-mcp's sixteen tools made in a loop); so is each function
    a loop over a tuple of them registers (``for fn in (eject_viz, eject_files): mcp.tool()(fn)``)."""
    markers_hold(tmp_path, {"app/__init__.py": "", "app/wedge.py": FACTORY}, "app/wedge.py")


ANNOTATED_FACTORY = '''from __future__ import annotations

import collections.abc
import subprocess

import mcp.server.fastmcp

Tool = collections.abc.Callable[..., object]


def build_server(enabled: collections.abc.Container[str]) -> mcp.server.fastmcp.FastMCP:
    server = mcp.server.fastmcp.FastMCP("tickets")

    def register(name: str) -> collections.abc.Callable[[Tool], Tool]:
        def decorator(func: Tool) -> Tool:
            if name in enabled:
                server.add_tool(func, name=name)
            return func

        return decorator

    def annotate(name: str) -> collections.abc.Callable[[Tool], Tool]:
        def decorator(func: Tool) -> Tool:
            func.__doc__ = name
            return func

        return decorator

    @register("whoami")
    async def whoami() -> str:
        return subprocess.check_output(["jira", "me"]).decode()  # expect: HB204 "whoami", HB601 "whoami"

    @annotate("draft")
    async def draft() -> str:
        return subprocess.check_output(["jira", "draft"]).decode()  # ok: HB204 HB601 annotated, not registered

    return server
'''


def test_a_factory_annotated_as_returning_a_callable_returns_its_decorator(tmp_path: Path) -> None:
    """jira-ticket-mcp: ``def register(name) -> Callable[[Tool], Tool]`` returns the nested
    ``decorator`` that calls ``server.add_tool(func)``; the annotation names no class, so what the
    factory returns says what ``@register(...)`` applies."""
    markers_hold(tmp_path, {"app/__init__.py": "", "app/server.py": ANNOTATED_FACTORY}, "app/server.py")
