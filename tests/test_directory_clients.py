"""HB203 and python-ldap's OPT_TIMEOUT set by another module of the same top-level package (for
the process, at start-up, or in django-auth-ldap's global options): the calls are then bounded."""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List

import pytest

from flake8_handler_block.engine import check_source
from flake8_handler_block.project import index
from project_helpers import age, write_project

LOGIN = (
    "import ldap\n\nfrom flask import Flask, request\n\napp = Flask(__name__)\n\n\n"
    "@app.post('/login')\ndef login():\n"
    "    conn = ldap.initialize('ldap://directory.example')\n"
    "    conn.simple_bind_s(request.form['dn'], request.form['password'])\n"
    "    return ''\n"
)


def _hb203_lines(files: Dict[str, str], tmp_path: Path) -> List[int]:
    index.clear()
    root = write_project(tmp_path / "app", {"pyproject.toml": "[project]\nname = 'app'\n", "app/__init__.py": "",
                                            "app/login.py": LOGIN, **files})
    age(root)
    path = root / "app" / "login.py"
    return [line for line, _col, message in check_source(path.read_text(), str(path)) if message.startswith("HB203")]


@pytest.mark.parametrize("files", [
    {"app/start.py": "import ldap\n\n\ndef initialize(settings):\n    ldap.set_option(ldap.OPT_TIMEOUT, 10)\n"},
    {"app/settings.py": "import ldap\n\nAUTH_LDAP_GLOBAL_OPTIONS = {ldap.OPT_TIMEOUT: 10}\n"},
])
def test_an_api_timeout_named_in_the_package_bounds_its_calls(tmp_path: Path, files: Dict[str, str]) -> None:
    assert _hb203_lines(files, tmp_path) == []


@pytest.mark.parametrize("files", [
    {},
    {"app/start.py": "import ldap\n\nldap.set_option(ldap.OPT_NETWORK_TIMEOUT, 5)\n"},  # the connect only
    {"tests/conftest.py": "import ldap\n\nldap.set_option(ldap.OPT_TIMEOUT, 5)\n"},  # the tests' process
    {"other/__init__.py": "", "other/start.py": "import ldap\n\nldap.set_option(ldap.OPT_TIMEOUT, 5)\n"},
])
def test_no_api_timeout_for_the_package_leaves_the_call_reported(tmp_path: Path, files: Dict[str, str]) -> None:
    assert _hb203_lines(files, tmp_path) == [11]
