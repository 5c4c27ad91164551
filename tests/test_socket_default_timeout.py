"""HB202 and a default timeout a package gives every socket: ``socket.setdefaulttimeout(X)`` in
another module of the same top-level package, at module level or in a start-up function."""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List

import pytest

from flake8_handler_block.engine import check_source
from flake8_handler_block.project import index
from flake8_handler_block.project.default_timeout import sets_socket_default
from project_helpers import age, write_project

VIEWS = (
    "import smtplib\nimport urllib.request\n\nfrom flask import Flask\n\napp = Flask(__name__)\n\n\n"
    "@app.post('/notify')\ndef notify():\n"
    "    urllib.request.urlopen('https://hooks.example/ping').close()\n"
    "    smtplib.SMTP('mail.example').quit()\n"
    "    return ''\n"
)


def _hb202_lines(files: Dict[str, str], tmp_path: Path) -> List[int]:
    index.clear()
    root = write_project(tmp_path / "app", {"pyproject.toml": "[project]\nname = 'app'\n", "app/__init__.py": "",
                                            "app/views.py": VIEWS, **files})
    age(root)
    path = root / "app" / "views.py"
    return [line for line, _col, message in check_source(path.read_text(), str(path)) if message.startswith("HB202")]


@pytest.mark.parametrize("start", [
    "import socket\n\n\ndef initialize(settings):\n    socket.setdefaulttimeout(settings.SOCKET_TIMEOUT)\n",
    "import socket as so\n\nso.setdefaulttimeout(30)\n",
    "from socket import setdefaulttimeout as default_timeout\n\n\ndef main():\n    default_timeout(30.0)\n",
])
@pytest.mark.parametrize("where", ["app/start.py", "app/core/boot/start.py"])  # core/ has no __init__.py
def test_a_default_set_in_the_projects_own_code_covers_every_module(tmp_path: Path, start: str, where: str) -> None:
    assert _hb202_lines({where: start}, tmp_path) == []


@pytest.mark.parametrize("files", [
    {},
    # put back after a while: no default from then on
    {"app/scan.py": "import socket\n\n\ndef probe(t):\n    old = socket.getdefaulttimeout()\n"
                    "    socket.setdefaulttimeout(t)\n    try:\n        return 1\n    finally:\n"
                    "        socket.setdefaulttimeout(old)\n"},
    {"app/start.py": "import socket\n\nsocket.setdefaulttimeout(None)\n"},  # None: no limit
    # a method sets it per item as it works (glances' port scanner): a side effect, in no fixed order
    {"app/ports.py": "import socket\n\n\nclass Ports:\n    def scan(self, port):\n"
                     "        socket.setdefaulttimeout(port['timeout'])\n        return socket.socket()\n"},
    {"tests/conftest.py": "import socket\n\nsocket.setdefaulttimeout(5)\n"},  # the tests' default, not the server's
    {"app/start.py": "# socket.setdefaulttimeout(30) once set here\nimport socket\n"},  # a comment sets nothing
    {"app/start.py": "def setdefaulttimeout(t):\n    return t\n\n\nsetdefaulttimeout(30)\n"},  # not socket's
    # another program: a package of its own, a script outside any package
    {"other/__init__.py": "", "other/start.py": "import socket\n\nsocket.setdefaulttimeout(30)\n"},
    {"run.py": "import socket\n\nsocket.setdefaulttimeout(30)\n"},
])
def test_no_default_from_the_project(tmp_path: Path, files: Dict[str, str]) -> None:
    assert _hb202_lines(files, tmp_path) == [11, 12]


def test_sets_socket_default_reads_the_module_not_its_text() -> None:
    assert sets_socket_default("import socket\n\ndef start():\n    socket.setdefaulttimeout(9)\n")
    method = "import socket\n\nclass A:\n    def scan(self):\n        socket.setdefaulttimeout(9)\n"
    assert not sets_socket_default(method)
    assert not sets_socket_default("import socket\nx = 'socket.setdefaulttimeout(9)'\n")
    assert not sets_socket_default("def broken(:\n    socket.setdefaulttimeout(9)\n")
