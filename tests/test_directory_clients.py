"""HB203 and directory clients across modules: python-ldap's OPT_TIMEOUT set by another module of the
same top-level package (for the process, at start-up, or in django-auth-ldap's global options) bounds
the calls; a project's subclass of a python-freeipa client, built in another module, has no timeout."""

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


def _hb203_lines(files: Dict[str, str], tmp_path: Path, module: str = "login") -> List[int]:
    index.clear()
    root = write_project(tmp_path / "app", {"pyproject.toml": "[project]\nname = 'app'\n", "app/__init__.py": "",
                                            "app/login.py": LOGIN, **files})
    age(root)
    path = root / "app" / f"{module}.py"
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


ADMIN = (
    "import python_freeipa\n\nfrom flask import Flask\n\nfrom app.ipa import Client\n\napp = Flask(__name__)\n\n\n"
    "@app.post('/groups')\ndef groups():\n"
    "    client = Client('ipa.example')\n"
    "    try:\n        return client.group_find()\n    except python_freeipa.exceptions.NotFound:\n        return []\n"
)


@pytest.mark.parametrize("ipa, reported", [
    ("from python_freeipa.client_meta import ClientMeta as IPAClient\n\n\nclass Client(IPAClient):\n"
     "    def ping(self):\n        return self._request('ping')\n", [12]),
    # through a class of its own, then re-exported under another name
    ("from python_freeipa import ClientMeta\n\n\nclass Base(ClientMeta):\n    pass\n\n\n"
     "class Admin(Base):\n    pass\n\n\nClient = Admin\n", [12]),
    # its own __init__ may give the session a timeout
    ("from python_freeipa import ClientMeta\n\n\nclass Client(ClientMeta):\n"
     "    def __init__(self, host):\n        super().__init__(host)\n", []),
    ("class Client:\n    def group_find(self):\n        return []\n", []),  # not python-freeipa's
])
def test_a_subclass_of_a_freeipa_client_in_another_module(tmp_path: Path, ipa: str, reported: List[int]) -> None:
    assert _hb203_lines({"app/ipa.py": ipa, "app/admin.py": ADMIN}, tmp_path, module="admin") == reported


# noggin's ipa_admin.py: it names no python-freeipa, imports the subclass relatively and builds it in a
# method; the gate lets it through because the project's client names hold the subclass's name.
RELATIVE_ADMIN = (
    "from flask import current_app\n\nfrom .ipa import Client\n\n\nclass IPAAdmin:\n"
    "    def session(self):\n"
    "        client = Client(current_app.config['FREEIPA_SERVER'])\n"
    "        client.login('admin', current_app.config['FREEIPA_PASSWORD'])\n"
    "        return client\n"
)


@pytest.mark.parametrize("ipa, reported", [
    ("from python_freeipa.client_meta import ClientMeta as IPAClient\n\n\nclass Client(IPAClient):\n"
     "    def ping(self):\n        return self._request('ping')\n", [8]),
    ("class Client:\n    def login(self, user, password):\n        pass\n", []),  # not python-freeipa's
])
def test_a_freeipa_subclass_imported_relatively_by_a_module_naming_no_client(
        tmp_path: Path, ipa: str, reported: List[int]) -> None:
    assert _hb203_lines({"app/ipa.py": ipa, "app/admin.py": RELATIVE_ADMIN}, tmp_path, module="admin") == reported
