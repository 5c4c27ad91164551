"""microsoft-agent: a FastMCP tool's ``client=Depends(get_client_dependency)`` (FastMCP's own
``fastmcp.dependencies.Depends``) runs the dependency on every call of the tool, so it is a handler
as a FastAPI dependency is; and a token manager whose ``msal_app`` is made by a helper returning
either of msal's applications (``-> Any``) calls msal there, whichever one it is."""

from __future__ import annotations

from pathlib import Path

from flake8_handler_block.engine import check_source
from markers import findings
from project_helpers import markers_hold, write_project

AUTH = '''\
from typing import Any, AsyncGenerator

import msal


class AuthManager:
    def __init__(self, client_id: str, secret: str | None) -> None:
        self.client_id = client_id
        self.msal_app = self._create_application(secret)

    def _create_application(self, secret: str | None) -> Any:
        if secret:
            return msal.ConfidentialClientApplication(self.client_id, client_credential=secret, timeout=10)
        return msal.PublicClientApplication(self.client_id, timeout=10)

    def get_token(self) -> str | None:
        accounts = self.msal_app.get_accounts()
        result = self.msal_app.acquire_token_silent(["User.Read"], account=accounts[0] if accounts else None)
        return result["access_token"] if result else None


MANAGER = AuthManager("client", None)


async def get_client() -> Any:
    token = MANAGER.get_token()  # expect: HB601 "MANAGER.get_token() blocks the event loop" "get_client_dependency"
    return {"Authorization": f"Bearer {token}"}


async def get_client_dependency() -> AsyncGenerator[Any, None]:
    client = await get_client()
    yield client
'''

SERVER = '''\
from fastmcp import FastMCP
from fastmcp.dependencies import Depends

from app.auth import get_client_dependency

mcp = FastMCP("graph")


@mcp.tool()
async def list_messages(folder: str, client=Depends(get_client_dependency)) -> list:
    return [folder, client]
'''


def test_a_fastmcp_dependency_is_a_handler_and_either_msal_app_blocks(tmp_path: Path) -> None:
    files = {"app/__init__.py": "", "app/auth.py": AUTH, "app/server.py": SERVER}
    markers_hold(tmp_path, files, "app/auth.py")


def test_a_dependency_of_another_package_is_no_handler(tmp_path: Path) -> None:
    server = SERVER.replace("from fastmcp.dependencies import Depends", "from injector_lib import Depends")
    root = write_project(tmp_path, {"pyproject.toml": "", "app/__init__.py": "", "app/auth.py": AUTH,
                                    "app/server.py": server})
    assert findings(check_source(AUTH, str(root / "app/auth.py"))) == []
