"""An HTTP client built in one module and used in another (project/clients.py): a module-level
session imported elsewhere, a factory of another module, an attribute a base class of another
module sets. Reported as if built in place; left alone where its own module may give it a
timeout, and when it is a class of the project or not known."""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Tuple

import pytest

from flake8_handler_block.config import Config
from flake8_handler_block.engine import check_source
from flake8_handler_block.project import index
from project_helpers import age, write_project

HTTP = (
    "import requests\n\n"
    "SESSION = requests.Session()\n\n\n"
    "def make_session():\n    session = requests.Session()\n"
    "    session.headers['User-Agent'] = 'app'\n    return session\n"
)
BASE = (
    "from ..http import make_session\n\n\n"
    "class GenericClient:\n    def __init__(self, host):\n"
    "        self.host = host\n        self.session = make_session()\n"
)


def _findings(files: Dict[str, str], tmp_path: Path, module: str = "app/views.py") -> List[Tuple[int, str]]:
    root = write_project(tmp_path / "proj", {"pyproject.toml": "[project]\nname = 'app'\n", "app/__init__.py": "",
                                             "app/http.py": HTTP, **files})
    age(root)
    path = root / module
    return [(line, message[:5]) for line, _col, message in check_source(path.read_text(), str(path))]


def _view(body: str, imports: str, verb: str = "def") -> str:
    return (
        f"from flask import Flask\n{imports}\n\napp = Flask(__name__)\n\n\n"
        f"@app.get('/')\n{verb} index():\n    {body}\n    return ''\n"
    )


@pytest.mark.parametrize("imports, body, codes", [
    ("from .http import SESSION", "SESSION.get('https://api.example/')", ["HB201"]),
    ("from . import http", "http.SESSION.post('https://api.example/', data={})", ["HB201"]),
    ("import app.http as transport", "transport.SESSION.get('https://api.example/')", ["HB201"]),
    ("from app.http import SESSION as shared", "s = shared\n    s.get('https://api.example/')", ["HB201"]),
    # the factory builds a new session per call: the view drops it unclosed too (HB103)
    ("from .http import make_session", "make_session().get('https://api.example/')", ["HB103", "HB201"]),
    ("from .http import make_session", "s = make_session()\n    s.get('https://api.example/')", ["HB103", "HB201"]),
])
def test_a_client_from_another_module_is_known(tmp_path: Path, imports: str, body: str, codes: List[str]) -> None:
    found = _findings({"app/views.py": _view(body, imports)}, tmp_path)
    assert [code for _line, code in found] == codes


def test_a_relative_import_two_levels_up(tmp_path: Path) -> None:
    view = _view("SESSION.get('https://api.example/')", "from ..http import SESSION")
    assert _findings({"app/web/__init__.py": "", "app/web/views.py": view}, tmp_path, "app/web/views.py") == [
        (9, "HB201")]


def test_an_attribute_a_base_class_of_another_module_sets(tmp_path: Path) -> None:
    client = (
        "from .base import GenericClient\n\n\n"
        "class DelugeClient(GenericClient):\n"
        "    def login(self, password):\n"
        "        return self.session.post(self.host + '/json', json={'params': [password]})\n\n"
        "    def version(self):\n"
        "        return self.session.get(self.host + '/version', timeout=10)\n"
    )
    found = _findings({"app/clients/__init__.py": "", "app/clients/base.py": BASE, "app/clients/deluge.py": client},
                      tmp_path, "app/clients/deluge.py")
    assert found == [(6, "HB201")]


CACHED = (
    "import requests\nfrom cachecontrol import CacheControl\n\n\n"
    "def make_session():\n    session = requests.Session()\n"
    "    return CacheControl(sess=session, cache_etags=True)\n"
)


def test_a_session_cachecontrol_hands_back(tmp_path: Path) -> None:
    """``CacheControl(session)`` returns the session, with a caching adapter that gives no timeout
    (SickChill's torrent clients: ``helpers.make_session()`` set by ``GenericClient.__init__``)."""
    base = BASE.replace("from ..http import make_session", "from ..cached import make_session")
    client = (
        "from .base import GenericClient\n\n\n"
        "class DelugeClient(GenericClient):\n"
        "    def login(self, password):\n"
        "        return self.session.post(self.host + '/json', json={'params': [password]})\n"
    )
    files = {"app/cached.py": CACHED, "app/clients/__init__.py": "", "app/clients/base.py": base,
             "app/clients/deluge.py": client}
    assert _findings(files, tmp_path, "app/clients/deluge.py") == [(6, "HB201")]


@pytest.mark.parametrize("wrapped, expected", [
    ("CacheControl(requests.Session())", [(8, "HB201")]),
    ("CacheControl(sess=requests.Session(), heuristic=None)", [(8, "HB201")]),
    ("CacheControl(make())", []),  # what it wraps is not known
    ("CacheControl()", []),
])
def test_cachecontrol_in_the_same_module(tmp_path: Path, wrapped: str, expected: List[Tuple[int, str]]) -> None:
    local = (
        "import requests\nfrom cachecontrol import CacheControl\n\nfrom .factory import make\n\n\n"
        f"def fetch(url):\n    return {wrapped}.get(url).text\n"
    )
    assert _findings({"app/local.py": local}, tmp_path, "app/local.py") == expected


def test_an_async_handler_blocks_on_it(tmp_path: Path) -> None:
    view = _view("SESSION.get('https://api.example/')", "from .http import SESSION", verb="async def")
    assert sorted(_findings({"app/views.py": view}, tmp_path)) == [(9, "HB201"), (9, "HB601")]


@pytest.mark.parametrize("http", [
    # its own module mounts an adapter or replaces request(): a default timeout only it shows
    HTTP + "\nSESSION.mount('https://', TimeoutAdapter(timeout=5))\n",
    HTTP + "\nimport functools\nSESSION.request = functools.partial(SESSION.request, timeout=5)\n",
    # a session class of the project (its request() may add the timeout)
    "import requests\n\n\nclass TimeoutSession(requests.Session):\n    pass\n\n\nSESSION = TimeoutSession()\n\n\n"
    "def make_session():\n    return TimeoutSession()\n",
    # returns that disagree: not known
    "import requests\n\nfrom .sessions import TimeoutSession\n\nSESSION = requests.Session()\n\n\n"
    "def make_session(timeout):\n    if timeout:\n        return TimeoutSession()\n    return requests.Session()\n",
])
def test_a_client_its_module_may_give_a_timeout_is_left_alone(tmp_path: Path, http: str) -> None:
    view = _view("make_session().get('https://api.example/')\n    SESSION.get('https://api.example/')",
                 "from .http import SESSION, make_session")
    found = _findings({"app/http.py": http, "app/views.py": view}, tmp_path)
    plain_session = "TimeoutSession()\n    return" in http  # only the factory is in doubt there
    assert found == ([(10, "HB201")] if plain_session else [])


@pytest.mark.parametrize("imports, body", [
    ("from .http import SESSION", "SESSION.get('https://api.example/', timeout=(3.05, 27))"),
    ("from .http import QUEUE", "QUEUE.get()"),  # not a client: judged in its own module
    ("from .http import Handle", "Handle().get('https://api.example/')"),  # a class of the project
    ("from .missing import SESSION", "SESSION.get('https://api.example/')"),  # nothing to read
])
def test_what_is_not_a_plain_client_call_is_not_reported(tmp_path: Path, imports: str, body: str) -> None:
    http = HTTP + "\nimport queue\nQUEUE = queue.Queue()\n\n\n"
    http += "class Handle:\n    def get(self, url):\n        return url\n"
    assert _findings({"app/http.py": http, "app/views.py": _view(body, imports)}, tmp_path) == []


def test_a_class_that_sets_the_attribute_itself_is_read_in_place(tmp_path: Path) -> None:
    client = (
        "from .base import GenericClient\n\n\n"
        "class Client(GenericClient):\n"
        "    def __init__(self, host, session):\n        super().__init__(host)\n        self.session = session\n\n"
        "    def login(self):\n        return self.session.post(self.host)\n"
    )
    found = _findings({"app/clients/__init__.py": "", "app/clients/base.py": BASE, "app/clients/client.py": client},
                      tmp_path, "app/clients/client.py")
    assert found == []


def test_a_buffer_alone_knows_no_other_module(tmp_path: Path) -> None:
    view = _view("SESSION.get('https://api.example/')", "from .http import SESSION")
    _findings({"app/views.py": view}, tmp_path)
    assert check_source(view, "-") == []


def test_the_names_come_back_from_the_cache(tmp_path: Path) -> None:
    view = _view("SESSION.get('https://api.example/')", "from .http import SESSION")
    first = _findings({"app/views.py": view}, tmp_path)
    index.clear()  # a new process: the result is read from the disk cache
    path = tmp_path / "proj" / "app" / "views.py"
    assert first == [(9, "HB201")]
    assert [(line, message[:5]) for line, _col, message in check_source(path.read_text(), str(path))] == first
    assert index.client_names(str(path), Config()) == frozenset({"SESSION", "make_session"})


def test_an_async_handler_calls_a_helper_that_uses_it(tmp_path: Path) -> None:
    helper = "from .http import SESSION\n\n\ndef fetch(url):\n    return SESSION.get(url, timeout=5).json()\n"
    view = _view("fetch('https://api.example/')", "from .helpers import fetch", verb="async def")
    files = {"app/helpers.py": helper, "app/views.py": view}
    assert _findings(files, tmp_path) == [(9, "HB601")]  # the call of the helper, naming what blocks
    assert _findings(files, tmp_path, "app/helpers.py") == [(5, "HB601")]


def test_the_gate_reads_the_names_without_building_the_index(tmp_path: Path) -> None:
    """A file that names nothing else is asked about before any build: the editor linting it
    waits for the files that may build a client, not for the whole index."""
    root = write_project(tmp_path / "proj", {"pyproject.toml": "", "app/__init__.py": "", "app/http.py": HTTP,
                                             "app/models.py": "class Order:\n    pass\n"})
    path = str(root / "app" / "models.py")
    assert index.client_names(path, Config()) == frozenset({"SESSION", "make_session"})
    project, _ = index._project_of(path, Config())
    assert project.reach is None  # no handler search, no graph of the project


PROCESSES = (
    "import subprocess\n\n\n"
    "def process_open(command, env=None):\n"
    "    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)\n\n\n"
    "def new_queue():\n    import queue\n    return queue.Queue()\n"
)


@pytest.mark.parametrize("body, expected", [
    ("p = process_open(['git', 'fetch'])\n    p.communicate()", [(10, "HB204")]),
    ("process_open(['git', 'fetch']).wait()", [(9, "HB204")]),
    ("p = process_open(['git', 'fetch'])\n    p.communicate(timeout=30)", []),
    ("p = process_open(['git', 'fetch'])\n    p.wait(5)", []),
    ("q = new_queue()\n    q.get()", []),  # a queue is judged where it is built, never across modules
])
def test_a_child_process_a_factory_of_another_module_starts(
    tmp_path: Path, body: str, expected: List[Tuple[int, str]]
) -> None:
    """calibre-web's ``subproc_wrapper.process_open()``: its callers' waits are judged as if the
    ``Popen`` were written in place."""
    view = _view(body, "from .processes import new_queue, process_open")
    assert _findings({"app/processes.py": PROCESSES, "app/views.py": view}, tmp_path) == expected


def test_a_child_process_an_attribute_holds(tmp_path: Path) -> None:
    """lektor's publisher: ``self._cmd = portable_popen(...)`` in ``__init__``, waited on by a method
    (HB204 where a handler reaches it; HB601 on an async handler's loop)."""
    command = (
        "from .processes import process_open\n\n\n"
        "class Command:\n    def __init__(self, argline):\n        self._cmd = process_open(argline)\n\n"
        "    def wait(self):\n        return self._cmd.wait()\n"
    )
    view = _view("Command(['rsync', '-a', 'out/', 'host:site/']).wait()", "from .command import Command",
                 verb="async def")
    files = {"app/processes.py": PROCESSES, "app/command.py": command, "app/views.py": view}
    assert _findings(files, tmp_path, "app/command.py") == [(9, "HB204"), (9, "HB601")]


LLM = (
    "from openai import AsyncOpenAI, OpenAI\n\nCLIENT = OpenAI()\nASYNC_CLIENT = AsyncOpenAI()\n\n\n"
    "def summarise(text):\n    return CLIENT.chat.completions.create(model='m', messages=[text])\n"
)


@pytest.mark.parametrize("imports, body, expected", [
    ("from .llm import CLIENT", "CLIENT.chat.completions.create(model='m', messages=[])", [(9, "HB601")]),
    ("from . import llm", "llm.CLIENT.embeddings.create(model='e', input='x')", [(9, "HB601")]),
    ("from .llm import summarise", "summarise('x')", [(9, "HB601")]),  # the helper's call, naming what blocks
    ("from .llm import ASYNC_CLIENT", "await ASYNC_CLIENT.chat.completions.create(model='m', messages=[])", []),
    ("from .llm import CLIENT", "CLIENT.with_options(timeout=5)", []),  # a copy of the client: no request
])
def test_an_sdk_client_of_another_module_blocks_the_loop(
    tmp_path: Path, imports: str, body: str, expected: List[Tuple[int, str]]
) -> None:
    view = _view(body, imports, verb="async def")
    assert _findings({"app/llm.py": LLM, "app/views.py": view}, tmp_path) == expected


def test_an_sdk_client_in_a_sync_view_is_not_on_a_loop(tmp_path: Path) -> None:
    view = _view("CLIENT.chat.completions.create(model='m', messages=[])", "from .llm import CLIENT")
    assert _findings({"app/llm.py": LLM, "app/views.py": view}, tmp_path) == []


AWS = (
    "import boto3\n\n\n"
    "def fresh_session(profile_name=None):\n    if profile_name:\n"
    "        return boto3.Session(profile_name=profile_name)\n    return boto3.Session()\n"
)
GROUNDING = (
    "from ..aws import fresh_session\n\n\n"
    "class Grounding:\n    def __init__(self):\n        session = fresh_session()\n"
    "        self.client = session.client('bedrock-runtime')\n"
    "        self.regions = session.get_available_regions('s3')\n\n"
    "    async def search(self, text):\n        return self.client.converse(modelId='nova', messages=[text])\n\n"
    "    async def buckets(self):\n        return fresh_session().client('s3').list_buckets()\n\n"
    "    async def profile(self):\n        return fresh_session().profile_name\n"
)


def test_a_boto3_session_a_factory_of_another_module_returns(tmp_path: Path) -> None:
    """``fresh_session()`` of another module returns a boto3 ``Session``: the clients it makes block the
    loop like those of a session built in place (ziya's grounding service); the session's own reads
    (``get_available_regions()``, ``profile_name``) are local."""
    files = {"app/aws.py": AWS, "app/services/__init__.py": "", "app/services/grounding.py": GROUNDING,
             "app/views.py": (
                 "from flask import Flask\nfrom .services.grounding import Grounding\n\napp = Flask(__name__)\n\n\n"
                 "@app.get('/')\nasync def index():\n    g = Grounding()\n"
                 "    return [await g.search('q'), await g.buckets(), await g.profile()]\n")}
    assert _findings(files, tmp_path, "app/services/grounding.py") == [(11, "HB601"), (14, "HB601")]
