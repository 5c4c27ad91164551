"""HB201 and a default timeout the project gives requests: adapters, replaced request(), patches, the config key."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path
from types import SimpleNamespace
from typing import List

import pytest

from flake8_handler_block.config import Config, config_from_table
from flake8_handler_block.engine import check_source, may_hold_finding
from flake8_handler_block.rules import ALL_RULES
from flake8_handler_block.project import codec
from flake8_handler_block.project.default_timeout import FILLS, REQUEST, SEND, SETS, ClassTimeouts, scan
from flake8_handler_block.project.summary import summarise
from fixtures import TESTDATA
from markers import compare, findings, read_markers
from project_helpers import copy_project


def _codes(text: str, filename: str, config: Config = Config(), codes=("HB201",)) -> List[int]:
    return [line for line, _col, message in check_source(text, filename, config) if message[:5] in codes]


def _lines(text: str, *calls: str) -> List[int]:
    """The lines where ``calls`` are made, in order."""
    return [n for n, line in enumerate(text.splitlines(), 1) if line.strip().startswith(calls)]


def _compare(path: Path, codes=("HB201", "HB202")) -> None:
    text = path.read_text()
    found = [f for f in findings(check_source(text, str(path))) if f.code in codes]
    comparison = compare(read_markers(text, path.name), found)
    assert comparison.matched and not comparison.missing and not comparison.unexpected, comparison


# -- across modules ------------------------------------------------------------------

def test_adapters_of_other_modules_are_read_there(tmp_path: Path) -> None:
    """billing/views.py mounts adapters of billing/adapters.py (one re-exported by billing/__init__.py);
    tests/conftest.py patches requests for the test suite only (tooling)."""
    root = copy_project("requests_adapters", tmp_path)
    _compare(root / "billing" / "views.py")


def test_a_patch_of_requests_in_another_module_covers_every_call(tmp_path: Path) -> None:
    """shop/startup.py patches HTTPAdapter.send; urlopen (HB202) is not requests and is still reported."""
    root = copy_project("requests_patched", tmp_path)
    _compare(root / "shop" / "views.py")


def test_without_the_project_the_patch_is_not_seen(tmp_path: Path) -> None:
    root = copy_project("requests_patched", tmp_path)
    views = root / "shop" / "views.py"
    alone = _codes(views.read_text(), str(views), Config(project_reach=False))
    assert alone == [14, 15]  # requests.get and SESSION.post


def test_the_patch_of_a_nested_project_stays_there(tmp_path: Path) -> None:
    """A project scanned as a directory of another (its own setup.cfg) is another program."""
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'outer'\n")
    shutil.copytree(TESTDATA / "projects" / "requests_patched", tmp_path / "vendor_shop")
    outer = tmp_path / "outer.py"
    outer.write_text("import requests\n\n\ndef ping(url):\n    return requests.get(url)\n")
    assert _codes(outer.read_text(), str(outer)) == [5]


def test_a_tooling_patch_is_ignored_unless_tooling_is_checked(tmp_path: Path) -> None:
    root = copy_project("requests_adapters", tmp_path)
    views = root / "billing" / "views.py"
    assert 27 in _codes(views.read_text(), str(views))  # requests.get(), conftest.py aside
    assert 27 not in _codes(views.read_text(), str(views), Config(check_tooling=True))


# -- one module: stdin, scope = "handlers" ------------------------------------------------

ONE_MODULE = '''\
import functools
import requests
from flask import Flask
from requests.adapters import HTTPAdapter

app = Flask(__name__)

class TimeoutAdapter(HTTPAdapter):
    def send(self, request, **kwargs):
        kwargs["timeout"] = kwargs.get("timeout") or 10
        return super().send(request, **kwargs)


def make_session():
    session = requests.Session()
    session.mount("https://", TimeoutAdapter())
    return session


TIMED = make_session()
PLAIN = requests.Session()
PLAIN.mount("https://", HTTPAdapter(max_retries=3))
FILLED = requests.Session()
FILLED.request = functools.partial(FILLED.request, timeout=10)


@app.get("/view")
def view(url):
    TIMED.get(url)
    PLAIN.get(url)
    FILLED.get(url)
    FILLED.send(requests.Request("GET", url).prepare())
    requests.get(url)
'''


@pytest.mark.parametrize("filename", ["stdin", "app.py"])
@pytest.mark.parametrize("scope", ["default", "handlers"])
def test_one_module_without_a_project(filename: str, scope: str, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    lines = _codes(ONE_MODULE, filename, Config(scope=scope, project_reach=False))
    # PLAIN: HTTPAdapter gives none; FILLED.send(): partial(request) does not reach send(); requests.get
    assert lines == _lines(ONE_MODULE, "PLAIN.get", "FILLED.send", "requests.get")


def test_a_patch_in_the_module_itself() -> None:
    text = ONE_MODULE.replace(
        "TIMED = make_session()",
        "requests.Session.request = functools.partialmethod(requests.Session.request, timeout=5)\n"
        "TIMED = make_session()",
    )
    # request() is patched: every call through it is covered, a direct send() is not
    assert _codes(text, "stdin", Config(project_reach=False)) == _lines(text, "FILLED.send")


def test_config_key_turns_off_requests_only() -> None:
    text = "import requests\nimport urllib.request\n\n\ndef f(u):\n    requests.get(u)\n    urllib.request.urlopen(u)\n"
    quiet = Config(requests_default_timeout=True, project_reach=False)
    assert _codes(text, "stdin", quiet, codes=("HB201", "HB202")) == [7]
    assert _codes(text, "stdin", Config(project_reach=False), codes=("HB201", "HB202")) == [6, 7]


def test_config_key_from_pyproject_and_flake8() -> None:
    assert config_from_table({"requests-default-timeout": True}, "x").requests_default_timeout
    assert not config_from_table({}, "x").requests_default_timeout
    options = SimpleNamespace(hb_requests_default_timeout="true")
    assert config_from_table({}, "x", options).requests_default_timeout
    with pytest.raises(Exception, match="requests-default-timeout"):
        config_from_table({"requests-default-timeout": "maybe"}, "x")


# -- the module facts ----------------------------------------------------------------------

def _facts(body: str):
    return scan(ast.parse("import requests\nfrom requests.adapters import HTTPAdapter\n" + body), "app.http")


@pytest.mark.parametrize(
    "send, kind",
    [
        ('kwargs["timeout"] = kwargs.get("timeout") or 5', SETS),
        ('if kwargs.get("timeout") is None:\n            kwargs["timeout"] = self.timeout', SETS),
        ('kwargs.update(timeout=kwargs.get("timeout") or 5)', SETS),
        ('return super().send(request, timeout=kwargs.pop("timeout", None) or 5, **kwargs)', SETS),
        ('kwargs.setdefault("timeout", 5)', FILLS),
        ('kwargs["timeout"] = kwargs.get("timeout")', ""),  # passed through
        ('timeout = kwargs.pop("timeout", None)', ""),
        ('kwargs.setdefault("timeout", None)', ""),
        ('self.log(request, timeout=5)', ""),  # another call's timeout
    ],
)
def test_fill_kinds(send: str, kind: str) -> None:
    facts = _facts(f"class A(HTTPAdapter):\n    def send(self, request, **kwargs):\n        {send}\n")
    assert facts.function("A.send") == kind


def test_class_facts_and_patches() -> None:
    facts = _facts(
        "class Timed(HTTPAdapter):\n"
        "    def send(self, request, stream=False, timeout=None, **kw):\n"
        "        if timeout is None:\n            timeout = 3\n"
        "        return super().send(request, stream=stream, timeout=timeout, **kw)\n"
        "class Slow(Timed):\n    pass\n"
        "class Sess(requests.Session):\n"
        "    def request(self, method, url, **kw):\n        kw.setdefault('timeout', 3)\n"
        "        return super().request(method, url, **kw)\n"
        "requests.adapters.HTTPAdapter.send = Timed.send\n"  # not a function of the module: unknown
    )
    assert facts.cls("Timed") == ClassTimeouts("Timed", (REQUEST, SEND), ("requests.adapters.HTTPAdapter",))
    assert facts.cls("Slow") == ClassTimeouts("Slow", (), ("app.http.Timed",))
    assert facts.cls("Sess") == ClassTimeouts("Sess", (REQUEST,), ("requests.Session",))
    assert facts.patched == ()


@pytest.mark.parametrize(
    "patch, patched",
    [
        ("requests.Session.request = functools.partialmethod(requests.Session.request, timeout=5)", (REQUEST,)),
        ("requests.sessions.Session.send = functools.partialmethod(requests.sessions.Session.send, timeout=5)",
         (SEND,)),
        ("HTTPAdapter.send = lambda self, r, **kw: _send(self, r, **{**kw, 'timeout': 5})", ()),
        ("HTTPAdapter.send = lambda self, r, timeout=None, **kw: _send(self, r, timeout=timeout or 5, **kw)",
         (REQUEST, SEND)),
        ("requests.Session.request = functools.partialmethod(requests.Session.request, verify=False)", ()),
        ("Other.request = functools.partialmethod(Other.request, timeout=5)", ()),
    ],
)
def test_patches_of_requests(patch: str, patched: tuple) -> None:
    assert _facts(f"import functools\n{patch}\n").patched == patched


def test_a_module_without_requests_has_no_facts() -> None:
    tree = ast.parse("import httpx\nclass A:\n    def send(self, **kw):\n        kw['timeout'] = 5\n")
    assert scan(tree, "m") == scan(ast.parse(""), "m")


def test_summary_round_trips_through_the_cache_codec() -> None:
    source = (TESTDATA / "projects" / "requests_adapters" / "billing" / "adapters.py").read_text()
    summary = summarise(source, "billing.adapters", "billing/adapters.py")
    assert summary.requests_timeouts.classes
    assert codec.decode(codec.encode(summary)) == summary


def test_a_patch_applied_by_a_function_with_a_replacement_of_its_own() -> None:
    """Installed at startup (`AppConfig.ready()`): the replacement is a function nested in the installer."""
    facts = _facts(
        "def install():\n"
        "    original = HTTPAdapter.send\n"
        "    def send(self, request, timeout=None, **kw):\n"
        "        if timeout is None:\n"
        "            timeout = 20\n"
        "        return original(self, request, timeout=timeout, **kw)\n"
        "    HTTPAdapter.send = send\n"
        "def send(self, request, **kw):\n"
        "    return None\n"
    )
    assert facts.patched == (REQUEST, SEND)
    assert _facts("def install(send):\n    HTTPAdapter.send = send\n").patched == ()


def test_a_flask_dance_module_that_never_imports_requests_is_read() -> None:
    """flask-dance's provider proxies are requests sessions: the gate lets their module through."""
    text = (
        "from flask_dance.contrib.google import google\n\n"
        "def google_login():\n"
        "    return google.get('/oauth2/v2/userinfo').json()\n"
    )
    assert may_hold_finding(text, "app/oauth.py", Config(), ALL_RULES)
    assert _codes(text, "app/oauth.py") == _lines(text, "return google.get(")
