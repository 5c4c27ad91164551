"""`X() if flag else None`: a `None` side holds nothing a call could be made on, so the value is an X
wherever it is called (k8s-explorer-mcp's `self.permission_checker = PermissionChecker(...) if
check_permissions else None`, awaited from its async tools). Read the same by the rules in the module
and by the project index for a caller in another module; two known sides still have to agree."""

from __future__ import annotations

from pathlib import Path

from project_helpers import markers_hold

CHECKS = '''\
import requests

HOST = "https://checks.example.org"


class Checker:
    def allowed(self, user):
        found = requests.get(f"{HOST}/allowed/{user}", timeout=5)  # expect: HB601 "via Service.allowed() -> Checker"
        return found.ok


class Other:
    def allowed(self, user):
        return True


class Service:
    def __init__(self, check):
        self.checker = Checker() if check else None
        self.either = Checker() if check else Other()

    def allowed(self, user):
        return self.checker is None or self.checker.allowed(user)

    def maybe(self, user):
        return self.either.allowed(user)  # ok: Checker or Other, the sides disagree


def fetch(pooled):
    session = requests.Session() if pooled else None  # expect: HB103 "requests.Session() session is created per call"
    return session.get(f"{HOST}/status")  # expect: HB201 "session.get() has no timeout"
'''

VIEWS = '''\
from fastapi import FastAPI

from .checks import Service

app = FastAPI()
SERVICE = Service(check=True)


@app.get("/allowed/{user}")
async def allowed(user: str):
    return SERVICE.allowed(user)  # expect: HB601 "SERVICE.allowed() blocks"
'''


def test_a_none_side_of_a_conditional_leaves_the_other(tmp_path: Path) -> None:
    files = {"app/__init__.py": "", "app/checks.py": CHECKS, "app/views.py": VIEWS}
    markers_hold(tmp_path, files, "app/checks.py")
    markers_hold(tmp_path, files, "app/views.py")
