"""A sync function guarded by a global flag (`global _VALIDATED`, `if _VALIDATED: return`, then
`_VALIDATED = True`) does its work once per process: first-use set-up, not the event loop's work on
every request. HB601 leaves the blocking calls it makes alone, in its own module and through the
project index; a guard on an instance's flag (once per object, maybe per request) does not count."""

from __future__ import annotations

from pathlib import Path

from project_helpers import markers_hold

LICENSE = '''\
import time

import httpx

_VALIDATED = False


def ensure_licensed() -> None:
    global _VALIDATED
    if _VALIDATED:
        return
    validate_with_backend()
    _VALIDATED = True


def validate_with_backend() -> None:
    httpx.post("https://licence.example/validate", timeout=10)  # ok: HB601 once per process, at first use


def retry_pause() -> None:
    time.sleep(1)  # expect: HB601 "handler 'list_tags'" "via retry_pause()"


class Client:
    def __init__(self) -> None:
        self._ready = False

    def warm(self) -> None:
        if self._ready:
            return
        time.sleep(1)  # expect: HB601 "handler 'list_tags'" "via Client.warm()"
        self._ready = True
'''

TOOLS = '''\
from mcp.server.fastmcp import FastMCP

from .license import Client, ensure_licensed, retry_pause

mcp = FastMCP("tags")


@mcp.tool()
async def list_tags() -> list:
    ensure_licensed()
    retry_pause()
    Client().warm()
    return []
'''


def test_work_guarded_once_per_process_is_off_the_loop(tmp_path: Path) -> None:
    files = {"app/__init__.py": "", "app/license.py": LICENSE, "app/tools.py": TOOLS}
    markers_hold(tmp_path, files, "app/license.py")


def test_the_same_in_one_module(tmp_path: Path) -> None:
    server = "import httpx\nfrom mcp.server.fastmcp import FastMCP\n\nmcp = FastMCP('t')\n"
    one = LICENSE.replace("import httpx\n", server)
    one = one.rstrip("\n") + (
        "\n\n\n@mcp.tool()\nasync def list_tags() -> list:\n"
        "    ensure_licensed()  # ok: HB601 first-use set-up\n"
        "    retry_pause()  # expect: HB601 \"retry_pause() blocks the event loop\"\n"
        "    Client().warm()  # expect: HB601 \"warm() blocks the event loop\"\n"
        "    return []\n"
    )
    markers_hold(tmp_path, {"app/__init__.py": "", "app/license.py": one}, "app/license.py")
