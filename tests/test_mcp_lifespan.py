"""An MCP tool's ``ctx.request_context.lifespan_context`` is what the server's lifespan yields, when
``ctx`` is annotated with the SDK's request context and the type it declares for that value
(1.x: ``Context[ServerSession, AppContext]``, 2.x: ``Context[AppContext]``): its attributes hold
what the class declares or assigns, and its methods are followed from the tool."""

from __future__ import annotations

from pathlib import Path

from project_helpers import markers_hold

CLIENT = '''\
import time

import requests


class GitHubClient:
    def __init__(self, token: str) -> None:
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def call(self, path: str) -> dict:
        for _attempt in range(3):
            reply = self.session.get(f"https://api.github.com/{path}", timeout=15)  # expect: HB601 "list_issues"
            if reply.status_code != 403:
                return reply.json()
            time.sleep(60)  # expect: HB601 "handler 'register.<locals>.list_issues'" "via GitHubClient.call()"
        raise RuntimeError("rate limited")
'''

STATE = '''\
from dataclasses import dataclass

from .client import GitHubClient


@dataclass
class AppContext:
    client: GitHubClient
'''

TOOLS = '''\
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import requests
from mcp.server.fastmcp import Context as LegacyContext, FastMCP
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.session import ServerSession

from .other import Context as OwnContext
from .state import AppContext


@dataclass
class Downloads:
    session: requests.Session


@asynccontextmanager
async def downloads_lifespan(server):
    yield Downloads(session=requests.Session())


legacy = FastMCP("downloads", lifespan=downloads_lifespan)


@legacy.tool()
async def download(url: str, ctx: LegacyContext[ServerSession, Downloads]) -> bytes:
    session = ctx.request_context.lifespan_context.session
    return session.get(url).content  # expect: HB201 "handler 'download'", HB601 "handler 'download'"


@legacy.tool()
async def download_untyped(url: str, ctx: LegacyContext) -> bytes:
    return ctx.request_context.lifespan_context.session.get(url).content  # ok: the lifespan's type is not declared


@legacy.tool()
async def download_any(url: str, ctx: LegacyContext[Any, Any]) -> bytes:
    return ctx.request_context.lifespan_context.session.get(url).content  # ok: Any declares no kind


@legacy.tool()
async def download_own(url: str, ctx: OwnContext[str, Downloads]) -> bytes:
    return ctx.request_context.lifespan_context.session.get(url).content  # ok: not the SDK's request context


def register(server: MCPServer) -> None:
    @server.tool()
    async def list_issues(repo: str, ctx: Context[AppContext]) -> dict:
        client = ctx.request_context.lifespan_context.client
        return client.call(f"repos/{repo}/issues")  # expect: HB601 "client.call() blocks the event loop"
'''

OTHER = '''\
import requests


class Context:
    def __init__(self, request_context) -> None:
        self.request_context = request_context
'''


def _files() -> dict:
    return {"app/__init__.py": "", "app/client.py": CLIENT, "app/state.py": STATE, "app/tools.py": TOOLS,
            "app/other.py": OTHER}


def test_a_tool_s_lifespan_context_holds_what_the_lifespan_declares(tmp_path: Path) -> None:
    markers_hold(tmp_path, _files(), "app/tools.py")


def test_the_lifespan_s_methods_are_followed_from_the_tool(tmp_path: Path) -> None:
    markers_hold(tmp_path, _files(), "app/client.py")
