"""The project index on multi-module fixture projects: exact chains, loop, tooling, handlers.

Each fixture project under testdata/projects/ is copied to a temporary directory (so
its root is inferred from its own markers, or from its packages) and asked about.
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict

import pytest

from flake8_handler_block.config import Config
from flake8_handler_block.engine import check_source
from flake8_handler_block.handlers import detect_handlers, find_handlers
from flake8_handler_block.project.root import ModuleNames, find_root, own_directory_on_path
from flake8_handler_block.project.summary import Sym, summarise
from flake8_handler_block.project.tooling import is_tooling_path
from fixtures import TESTDATA, fixture_config
from markers import compare, findings, read_markers
from project_helpers import copy_project, loop_where, markers_hold, reach, where, write_project
from test_handlers import analyse


@pytest.fixture
def flask_app(tmp_path: Path) -> Path:
    return copy_project("flask_app", tmp_path)


@pytest.fixture
def django_site(tmp_path: Path) -> Path:
    return copy_project("django_site", tmp_path)


@pytest.fixture
def fastapi_app(tmp_path: Path) -> Path:
    return copy_project("fastapi_app", tmp_path)


# -- Flask: routes -> services -> clients -----------------------------------------------

def test_flask_chains_cross_modules(flask_app: Path) -> None:
    http = reach(flask_app, "shop/clients/http.py")
    assert http.complete
    assert where(http, "HttpClient.__init__") == (
        "handler 'search' (shop/routes/search.py:10) via search_web() -> fetch_results() -> HttpClient.__init__()"
    )
    # `CLIENT = HttpClient()` in http.py, imported by the hook module: the shortest chain wins
    assert where(http, "HttpClient.get_json") == "handler 'load_user' (shop/hooks.py:4) via HttpClient.get_json()"
    search = reach(flask_app, "shop/services/search.py")
    assert where(search, "fetch_results") == (
        "handler 'search' (shop/routes/search.py:10) via search_web() -> fetch_results()"
    )
    assert where(search, "unused_helper") is None


def test_flask_overrides_of_a_declared_base(flask_app: Path) -> None:
    """``self.provider: Optional[BaseProvider]`` reaches every override in the project."""
    providers = reach(flask_app, "shop/clients/providers.py")
    prefix = "handler 'report' (shop/routes/search.py:15) via ReportService.run()"
    assert where(providers, "BaseProvider.search") == f"{prefix} -> BaseProvider.search()"
    assert where(providers, "WebProvider.search") == f"{prefix} -> WebProvider.search()"
    assert where(providers, "ArchiveProvider.search") == f"{prefix} -> ArchiveProvider.search()"
    assert where(providers, "fetch_archive") == f"{prefix} -> ArchiveProvider.search() -> fetch_archive()"


def test_flask_registrations_in_another_module(flask_app: Path) -> None:
    """``app.before_request(hooks.load_user)`` and ``add_url_rule(view_func=legacy.f)`` in shop/__init__.py."""
    hooks = reach(flask_app, "shop/hooks.py")
    assert hooks.handlers == {"load_user": "registered with before_request() in shop/__init__.py"}
    legacy = reach(flask_app, "shop/routes/legacy.py")
    assert legacy.handlers == {"legacy_report": "registered with add_url_rule() in shop/__init__.py"}
    reports = reach(flask_app, "shop/services/reports.py")
    assert where(reports, "build_report") == "handler 'legacy_report' (shop/routes/legacy.py:4) via build_report()"


def test_flask_unreached_and_tooling(flask_app: Path) -> None:
    jobs = reach(flask_app, "shop/jobs.py")
    assert where(jobs, "nightly_sync") is None
    # called only by the click command in shop/cli.py (directly, or one call down): tooling
    assert jobs.is_tooling("nightly_sync") and jobs.is_tooling("_fetch_audit_log")
    # also called by the task queue's worker: not tooling, wherever-rules still look at it
    assert not jobs.is_tooling("refresh_prices")
    # called only by tests: tests call everything, so that says nothing of its other callers
    assert not jobs.is_tooling("export_rates")
    assert reach(flask_app, "shop/cli.py").is_tooling("sync")  # path glob **/cli.py
    backfill = reach(flask_app, "scripts/backfill.py")
    assert backfill.is_tooling("backfill") and backfill.is_tooling(None, line=9)
    assert reach(flask_app, "manage.py").is_tooling(None, line=1)  # path glob **/manage.py
    manage = reach(flask_app, "manage.py", Config(tooling=()))  # no globs: commands and the __main__ guard
    assert manage.is_tooling("deploy")  # argparse set_defaults(func=deploy)
    assert manage.is_tooling("main")  # called under `if __name__ == "__main__":`
    assert manage.is_tooling(None, line=15) and not manage.is_tooling(None, line=1)
    assert not reach(flask_app, "manage.py", Config(check_tooling=True)).is_tooling("main")
    custom = Config(tooling=("shop/jobs.py",))
    assert reach(flask_app, "shop/jobs.py", custom).is_tooling("nightly_sync")
    assert not reach(flask_app, "shop/cli.py", custom).is_tooling(None)  # the defaults were replaced


# -- Django: urls.py -> views in another module -> services ---------------------------

def test_django_urlconf_names_views_in_other_modules(django_site: Path) -> None:
    views = reach(django_site, "shop/views.py")
    assert views.handlers == {
        "index": "routed with path() in site/urls.py",
        "ArchiveView.get": "routed with path() in site/urls.py",  # as_view() on a class with an unknown mixin
        "ProductView.get": "method of a BaseShopView request handler class",  # base view in shop/base.py
    }
    assert where(views, "ArchiveView.helper") is None
    api = reach(django_site, "shop/api.py")
    assert api.handlers == {"webhook": "routed with path() in site/urls.py"}


def test_django_chains(django_site: Path) -> None:
    services = reach(django_site, "shop/services.py")
    # self.service = ProductService() in BaseShopView.setup (shop/base.py), used by ProductView.get
    assert where(services, "ProductService.load") == (
        "handler 'ProductView.get' (shop/views.py:19) via ProductService.load()"
    )
    # CATALOG = Catalog() at module level in services.py, imported by views.py
    assert where(services, "Catalog.listing") == "handler 'index' (shop/views.py:6) via Catalog.listing()"
    assert where(services, "fetch_feed") == "handler 'webhook' (shop/api.py:4) via fetch_feed()"
    mixins = reach(django_site, "shop/mixins.py")
    assert where(mixins, "PagedMixin.page") == "handler 'ArchiveView.get' (shop/views.py:11) via PagedMixin.page()"


def test_django_root_without_config_file(django_site: Path) -> None:
    """No pyproject.toml, setup.cfg, setup.py or .git: the directory above the top-level package."""
    assert find_root(str(django_site / "shop" / "management" / "commands" / "sync_feed.py")) == str(django_site)
    command = reach(django_site, "shop/management/commands/sync_feed.py")
    assert command.is_tooling("Command.handle") and where(command, "Command.handle") is None
    assert reach(django_site, "manage.py").is_tooling("main")


def test_root_without_config_file_climbs_through_a_namespace_portion(tmp_path: Path) -> None:
    """A wheel's tree: ``app/schemas/`` has no ``__init__.py`` but ``app.schemas.providers`` still
    imports through it, so its modules belong to the project above ``app``, not to one of their own."""
    providers = tmp_path / "site" / "app" / "schemas" / "providers"
    providers.mkdir(parents=True)
    (tmp_path / "site" / "app" / "__init__.py").write_text("")
    (providers / "__init__.py").write_text("")
    (providers / "anthropic.py").write_text("")
    (tmp_path / "site" / "scripts").mkdir()
    assert find_root(str(providers / "anthropic.py")) == str(tmp_path / "site")
    assert find_root(str(tmp_path / "site" / "app" / "schemas" / "enums.py")) == str(tmp_path / "site")
    assert find_root(str(tmp_path / "site" / "scripts" / "run.py")) == str(tmp_path / "site" / "scripts")


def test_root_climbs_through_namespace_portions_a_few_deep(tmp_path: Path) -> None:
    """``app/core/services/`` with no ``__init__.py`` in ``core`` or ``services`` (a trading MCP
    server's wheel): ``app.core.services.backtest`` still imports through both, so the module belongs
    to the project above ``app``; a plain directory beside it stays a project of its own."""
    services = tmp_path / "site" / "app" / "core" / "services"
    services.mkdir(parents=True)
    (tmp_path / "site" / "app" / "__init__.py").write_text("")
    (services / "backtest.py").write_text("")
    (tmp_path / "site" / "notebooks" / "daily").mkdir(parents=True)
    assert find_root(str(services / "backtest.py")) == str(tmp_path / "site")
    assert find_root(str(tmp_path / "site" / "app" / "core" / "errors.py")) == str(tmp_path / "site")
    daily = tmp_path / "site" / "notebooks" / "daily" / "report.py"
    assert find_root(str(daily)) == str(tmp_path / "site" / "notebooks" / "daily")


def test_root_is_not_looked_for_past_a_hidden_directory(tmp_path: Path) -> None:
    """An app unpacked under a hidden directory of another project is a project of its own:
    the outer project's scan skips hidden directories, so the outer root would not see it."""
    (tmp_path / "pyproject.toml").write_text("")
    app = tmp_path / ".downloads" / "app"
    (app / "pkg").mkdir(parents=True)
    (app / "pkg" / "__init__.py").write_text("")
    (app / "pkg" / "views.py").write_text("")
    assert find_root(str(app / "pkg" / "views.py")) == str(app)
    assert find_root(str(tmp_path / "pkg" / "views.py")) == str(tmp_path)


def test_a_module_named_setup_in_a_package_marks_no_root(tmp_path: Path) -> None:
    """agentweave-hub's ``hub/api/v1/setup.py`` (the set-up wizard's routes, beside ``__init__.py``) is a
    module, not a build script: its directory is no project of its own, and the routes beside it reach
    the helpers of the whole package."""
    files = {
        "hub/__init__.py": "", "hub/api/__init__.py": "", "hub/api/v1/__init__.py": "",
        "hub/api/v1/setup.py": "from fastapi import APIRouter\n\nrouter = APIRouter()\n",
        "hub/gitops.py": "import subprocess\n\n\ndef branches(root):\n"
                         "    return subprocess.run(['git', 'branch'], cwd=root, timeout=30).stdout\n",
        "hub/api/v1/worktrees.py": (
            "from fastapi import APIRouter\n\nfrom hub import gitops\n\nrouter = APIRouter()\n\n\n"
            "@router.get('/worktrees')\n"
            "async def list_worktrees(root: str):\n"
            "    return gitops.branches(root)  # expect: HB601 \"gitops.branches() blocks the event loop\"\n"
        ),
    }
    markers_hold(tmp_path, files, "hub/api/v1/worktrees.py")
    assert find_root(str(tmp_path / "hub" / "api" / "v1" / "worktrees.py")) == str(tmp_path)
    (tmp_path / "tool").mkdir()
    (tmp_path / "tool" / "setup.py").write_text("")  # a build script: no __init__.py beside it
    assert find_root(str(tmp_path / "tool" / "run.py")) == str(tmp_path / "tool")


def test_wrappers_that_pass_keywords_on_without_a_timeout(tmp_path: Path) -> None:
    """HB201 at the call of a wrapper that passes its **kwargs on to requests with no timeout."""
    files = {"app/__init__.py": ""}
    files["app/http.py"] = (
        "import requests\n\n"
        "def fetch(url, **kwargs):\n"
        "    return _send('GET', url, **kwargs)\n\n"
        "def _send(method, url, **kwargs):\n"
        "    return requests.request(method, url, **kwargs)\n\n"
        "def fetch_with_default(url, **kwargs):\n"
        "    kwargs.setdefault('timeout', 5)\n"
        "    return requests.get(url, **kwargs)\n"
    )
    views = (
        "import requests\n"
        "from flask import Flask\n"
        "from .http import fetch, fetch_with_default\n\n"
        "app = Flask(__name__)\n\n"
        "@app.route('/proxy')\n"
        "def proxy():\n"
        "    a = fetch('https://example.com')"
        "  # expect: HB201 \"fetch() passes no timeout on to requests.request() via _send()\" \"handler 'proxy'\"\n"
        "    b = fetch('https://example.com', timeout=3)  # ok: HB201 given\n"
        "    c = fetch('https://example.com', **OPTIONS)  # ok: HB201 maybe given\n"
        "    d = fetch_with_default('https://example.com')  # ok: HB201 the wrapper sets a default\n"
        "    return a, b, c, d, requests.codes.ok\n\n"
        "OPTIONS = {}\n"
    )
    files["app/views.py"] = views
    markers_hold(tmp_path, files, "app/views.py")


def test_wrappers_two_deep_that_pass_their_args_on(tmp_path: Path) -> None:
    """``self.post(payment, url, data=...)`` through ``post(self, payment, *args, **kwargs)`` to a
    decorated ``http_request(self, payment, *args, method=, **kwargs)`` and on to
    ``requests.request(method, *args, **kwargs)`` (django-payments' PayPal provider): requests takes
    its timeout by keyword only, so no positional argument can give it. When a wrapper on the way
    takes the timeout as a parameter of its own, a positional argument may land on it."""
    files = {"app/__init__.py": ""}
    files["app/paypal.py"] = (
        "import functools\nimport requests\n\n\n"
        "def authorize(fun):\n"
        "    @functools.wraps(fun)\n"
        "    def wrapper(*args, **kwargs):\n"
        "        return fun(*args, **kwargs)\n"
        "    return wrapper\n\n\n"
        "def send(url, timeout=None, **kwargs):\n"
        "    return requests.get(url, timeout=timeout, **kwargs)\n\n\n"
        "def fetch(*args, **kwargs):\n"
        "    return send(*args, **kwargs)\n\n\n"
        "class Provider:\n"
        "    @authorize\n"
        "    def http_request(self, payment, *args, method='get', **kwargs):\n"
        "        return requests.request(method, *args, **kwargs).json()\n\n"
        "    def post(self, payment, *args, **kwargs):\n"
        "        return self.http_request(payment, *args, method='post', **kwargs)\n\n"
        "    def capture(self, payment):\n"
        "        self.post(payment, 'https://api.paypal.example', {'a': 1})"
        "  # expect: HB201 \"self.post() passes no timeout on to requests.request() via Provider.http_request()\"\n"
        "        self.post(payment, 'https://api.paypal.example', timeout=5)  # ok: HB201 given\n"
        "        fetch(url='https://api.paypal.example')  # expect: HB201 \"fetch() passes no timeout on\"\n"
        "        fetch('https://api.paypal.example', 5)  # ok: HB201 lands on send()'s timeout\n"
    )
    markers_hold(tmp_path, files, "app/paypal.py")


def test_a_wrapper_that_passes_its_args_on_to_urlopen(tmp_path: Path) -> None:
    """HB202 at the call of ``def urlopen(*args, **kw)`` that forwards both to urllib with no
    timeout: positional arguments reach the timeout's position (the third) only from the third on."""
    files = {"app/__init__.py": ""}
    files["app/utils.py"] = (
        "import ssl\nimport urllib.request\n\n"
        "def urlopen(*args, **kwargs):\n"
        "    kwargs.setdefault('context', ssl.create_default_context())\n"
        "    return urllib.request.urlopen(*args, **kwargs)\n\n"
        "def post(url, *args, **kwargs):\n"
        "    return urllib.request.urlopen(url, b'', *args, **kwargs)\n"
    )
    views = (
        "from urllib.request import Request\n"
        "from flask import Flask\n"
        "from app import utils\n\n"
        "app = Flask(__name__)\n\n"
        "@app.route('/upload')\n"
        "def upload():\n"
        "    request = Request('https://upload.example', data=b'x')\n"
        "    a = utils.urlopen(request)"
        "  # expect: HB202 \"utils.urlopen() passes no timeout on to urllib.request.urlopen()\" \"handler 'upload'\"\n"
        "    b = utils.urlopen(request, None)  # expect: HB202\n"
        "    c = utils.urlopen(request, None, 10)  # ok: HB202 the timeout, by position\n"
        "    d = utils.urlopen(request, timeout=10)  # ok: HB202 given\n"
        "    e = utils.post('https://upload.example')  # expect: HB202\n"
        "    f = utils.post('https://upload.example', 10)  # ok: HB202 lands on the timeout\n"
        "    return a, b, c, d, e, f\n"
    )
    files["app/views.py"] = views
    markers_hold(tmp_path, files, "app/views.py")


def test_a_wrapper_call_no_handler_reaches_and_a_compat_module(tmp_path: Path) -> None:
    """HB202 looks everywhere but tooling: a library's form field calling the wrapper is reported
    as the wrapped call would be; ``urlopen`` re-exported by a compat module under ``if PY2:``
    is urllib's (django-recaptcha 1.5.0)."""
    files = {"captcha/__init__.py": ""}
    files["captcha/_compat.py"] = (
        "import sys\n\nPY2 = sys.version_info[0] == 2\n"
        "if PY2:\n    from urllib2 import Request, urlopen\n"
        "else:\n    from urllib.request import Request, urlopen\n"
    )
    client = (
        "from captcha._compat import Request, urlopen\n\n"
        "def request(*args, **kwargs):\n"
        "    return urlopen(*args, **kwargs)\n\n"
        "def submit(response, secret):\n"
        "    req = Request('https://www.google.com/recaptcha/api/siteverify', data=b'x')\n"
        "    return request(req)"
        "  # expect: HB202 \"request() passes no timeout on to urllib.request.urlopen()\" \"function 'submit'\"\n\n"
        "def submit_timed(response, secret):\n"
        "    return request('https://www.google.com/recaptcha/api/siteverify', b'x', 10)  # ok: HB202\n"
    )
    files["captcha/client.py"] = client
    markers_hold(tmp_path, files, "captcha/client.py")


def test_a_library_call_imported_through_a_compat_module(tmp_path: Path) -> None:
    """``from .compat import urlopen`` where compat.py imports urllib's (under ``try``/``except
    ImportError`` for Python 2), or ``compat.httplib`` where it imports ``httplib`` or
    ``http.client as httplib``: the call is the library's, reported where it is made whatever calls
    it (django-push-notifications' WNS client, supervisor's compat module). A function of the same
    name the compat module defines is the project's own; an instance it re-exports stays one."""
    files = {"push/__init__.py": ""}
    files["push/compat.py"] = (
        "import requests\n\n"
        "try:\n    from urllib.request import Request, urlopen\n"
        "except ImportError:\n    from urllib2 import Request, urlopen\n\n"
        "SESSION = requests.Session()\n\n"
        "try:\n    import httplib\nexcept ImportError:\n    import http.client as httplib\n\n"
        "def open_url(url, timeout=10):\n    return urlopen(url, timeout=timeout)\n"
    )
    files["push/wns.py"] = (
        "import contextlib\n\n"
        "from .compat import SESSION, Request, open_url, urlopen\n"
        "from push import compat\n\n"
        "def authenticate(url, data):\n"
        "    return urlopen(Request(url, data)).read()"
        "  # expect: HB202 \"urlopen() has no timeout\" \"function 'authenticate'\"\n\n"
        "def send(uri, data):\n"
        "    return urlopen(Request(uri, data), timeout=10).read()  # ok: HB202\n\n"
        "def fetch(uri):\n"
        "    return open_url(uri).read()  # ok: the project's own function, with a timeout\n\n"
        "def ping(uri):\n"
        "    return compat.urlopen(uri, None, 5).read()  # ok: HB202 (the module's attribute, timed)\n\n"
        "def profile(uri):\n"
        "    return SESSION.get(uri, timeout=5).json()  # ok: HB201 (an instance, timed)\n\n"
        "def status(host):\n"
        "    with contextlib.closing(compat.httplib.HTTPConnection(host)) as conn:"
        "  # expect: HB202 \"HTTPConnection() has no timeout\" \"function 'status'\"\n"
        "        conn.request('GET', '/status')\n"
        "        return conn.getresponse().read()\n"
    )
    markers_hold(tmp_path, files, "push/wns.py")


def test_a_class_registered_as_the_view_serves_the_request(tmp_path: Path) -> None:
    """``bp.add_url_rule('/export', 'export', RHExport)`` (indico): a wrapper of the project makes
    the instance and runs it, so the methods the class defines are handlers; a class of the same
    module that no registration names is not."""
    files = {"app/__init__.py": ""}
    files["app/blueprint.py"] = (
        "from flask import Blueprint\nfrom app.controllers import RHExport\n\n"
        "bp = Blueprint('export', __name__)\nbp.add_url_rule('/export', 'export', RHExport)\n"
    )
    controllers = (
        "import subprocess\n\n"
        "class RH:\n"
        "    def process(self):\n        return self._process()\n\n"
        "class RHExport(RH):\n"
        "    def _process(self):\n"
        "        subprocess.check_call(['xelatex', 'paper.tex'])"
        "  # expect: HB204 \"handler 'RHExport._process'\"\n\n"
        "class Exporter:\n"
        "    def run(self):\n"
        "        subprocess.check_call(['xelatex', 'paper.tex'])  # ok: HB204 no request reaches it\n"
    )
    files["app/controllers.py"] = controllers
    markers_hold(tmp_path, files, "app/controllers.py")


def test_socketio_handlers_on_a_server_another_module_builds(tmp_path: Path) -> None:
    """``from app.server import sio`` then ``@sio.on("message")``: the server's class is read in the
    module that builds it; a client's events (``@upstream.on``) are no request's."""
    files = {"app/__init__.py": ""}
    files["app/server.py"] = (
        "import socketio\n\nsio = socketio.AsyncServer(async_mode='asgi')\nupstream = socketio.AsyncClient()\n"
    )
    files["app/events.py"] = (
        "import time\nfrom app.server import sio, upstream\n\n"
        "@sio.on('message')\n"
        "async def message(sid, data):\n"
        "    time.sleep(1)  # expect: HB601 \"handler 'message'\"\n\n"
        "@sio.event\n"
        "async def connect(sid, environ):\n"
        "    time.sleep(1)  # expect: HB601 \"handler 'connect'\"\n\n"
        "@upstream.on('relay')\n"
        "async def relay(data):\n"
        "    time.sleep(1)  # ok: HB601 a client's event, no request\n"
    )
    markers_hold(tmp_path, files, "app/events.py")


def test_a_negligible_pause_in_another_module_does_not_block_the_loop(tmp_path: Path) -> None:
    """``time.sleep(0.001)`` in a constructor of another module (Chainlit's distinct timestamps) stalls
    nothing; a helper that sleeps half a second does."""
    files = {"app/__init__.py": ""}
    files["app/models.py"] = (
        "import time\n\n"
        "class Message:\n    def __init__(self, text):\n        time.sleep(0.001)\n        self.text = text\n\n"
        "def throttle():\n    time.sleep(0.5)\n"
    )
    files["app/api.py"] = (
        "from fastapi import FastAPI\nfrom app.models import Message, throttle\n\napp = FastAPI()\n\n"
        "@app.post('/messages')\n"
        "async def post_message(text: str):\n"
        "    message = Message(text)  # ok: HB601 a millisecond's pause\n"
        "    throttle()  # expect: HB601 \"throttle() blocks the event loop\"\n"
        "    return message.text\n"
    )
    markers_hold(tmp_path, files, "app/api.py")


def test_a_flag_the_caller_leaves_out_has_its_default(tmp_path: Path) -> None:
    """``Run(h, read_only=True)`` never reaches ``if log_system_params: git_info()``: the caller leaves
    the flag out and its default is False (Aim's runs in its web API). Passed True, by position, or
    perhaps in a ``**mapping`` or ``*args``, it may run."""
    files = {"app/__init__.py": ""}
    files["app/run.py"] = (
        "import subprocess\n\n"
        "def git_info():\n    return subprocess.run(['git', 'log', '-1'], capture_output=True)\n\n"
        "class Run:\n"
        "    def __init__(self, run_hash, read_only=False, log_system_params=False):\n"
        "        self.hash = run_hash\n"
        "        if not read_only:\n"
        "            if log_system_params:\n"
        "                self.git = git_info()\n"
    )
    files["app/api.py"] = (
        "from fastapi import FastAPI\nfrom app.run import Run\n\napp = FastAPI()\n\n"
        "@app.get('/runs/{h}')\n"
        "async def show(h: str):\n"
        "    return Run(h, read_only=True).hash  # ok: HB601 log_system_params is left at False\n\n"
        "@app.post('/runs/{h}')\n"
        "async def track(h: str):\n"
        "    return Run(h, log_system_params=True).hash  # expect: HB601 \"Run() blocks the event loop\"\n\n"
        "@app.put('/runs/{h}')\n"
        "async def track_positional(h: str):\n"
        "    return Run(h, False, True).hash  # expect: HB601 \"Run() blocks the event loop\"\n\n"
        "@app.patch('/runs/{h}')\n"
        "async def track_options(h: str, options: dict):\n"
        "    return Run(h, **options).hash  # expect: HB601 \"Run() blocks the event loop\"\n"
        "\n@app.delete('/runs/{h}')\n"
        "async def track_args(h: str, args: list):\n"
        "    return Run(h, *args).hash  # expect: HB601 \"Run() blocks the event loop\"\n"
    )
    markers_hold(tmp_path, files, "app/api.py")


def test_a_branch_for_no_running_loop_never_runs_on_the_loop(tmp_path: Path) -> None:
    """``try: asyncio.get_running_loop() except RuntimeError: ...`` runs only with no event loop
    running: an async handler never runs it in place, nor in a callback it defines (Prefect's
    after-commit listener), yet a worker thread it hands the helper to does."""
    files = {"app/__init__.py": ""}
    files["app/cache.py"] = (
        "import asyncio\nimport subprocess\nfrom asyncio import get_running_loop\n\n"
        "def rebuild(key):\n"
        "    subprocess.run(['rebuild-cache', key], check=True)  # expect: HB204\n\n"
        "def compact(key):\n"
        "    subprocess.run(['compact-cache', key], check=True)  # ok: HB204 never with no loop running\n\n"
        "def refresh(key):\n"
        "    try:\n        asyncio.get_running_loop()\n"
        "    except RuntimeError:\n        compact(key)\n\n"
        "def on_commit(session, key):\n"
        "    def after_commit(s):\n"
        "        try:\n            asyncio.get_running_loop()\n"
        "        except (ValueError, RuntimeError):\n            compact(key)\n"
        "    session.listen('after_commit', after_commit)\n\n"
        "def warm(key):\n"
        "    try:\n        get_running_loop()\n"
        "    except RuntimeError:\n        rebuild(key)\n"
    )
    files["app/api.py"] = (
        "import asyncio\nfrom fastapi import FastAPI\nfrom app.cache import on_commit, refresh, warm\n\n"
        "app = FastAPI()\n\n"
        "@app.post('/cache/{key}')\n"
        "async def update(key: str, session):\n"
        "    refresh(key)\n    on_commit(session, key)\n"
        "    await asyncio.to_thread(warm, key)\n"
    )
    markers_hold(tmp_path, files, "app/cache.py")


def test_a_django_project_directory_names_its_modules_from_there() -> None:
    """``manage.py`` puts its directory on sys.path: ``from core.utils.io import get`` works there."""
    names = ModuleNames(["ls/__init__.py", "ls/manage.py", "ls/core/__init__.py", "ls/core/utils/__init__.py",
                         "ls/core/utils/io.py", "other/io.py"])
    assert names.by_name["ls.core.utils.io"] == "ls/core/utils/io.py"
    assert names.by_name["core.utils.io"] == "ls/core/utils/io.py"
    assert names.by_name["core.utils"] == "ls/core/utils/__init__.py"
    assert "utils.io" not in names.by_name and names.by_name["other.io"] == "other/io.py"


def test_a_package_hides_a_module_of_the_same_name(tmp_path: Path) -> None:
    """``schemas/providers/__init__.py`` beside ``schemas/providers.py``: Python imports the package,
    so an import of ``app.schemas.providers`` leads there, and the module is never run (letta's
    old ``providers.py``): its calls are not reported, and no chain goes through it."""
    names = ModuleNames(["app/__init__.py", "app/schemas/__init__.py", "app/schemas/providers.py",
                         "app/schemas/providers/__init__.py", "app/schemas/providers/ollama.py"])
    assert names.by_name["app.schemas.providers"] == "app/schemas/providers/__init__.py"
    assert names.shadowed == {"app/schemas/providers.py"}
    old = (
        "import requests\nfrom app.schemas.base import Provider\n\n"
        "def list_models(url):\n    return requests.get(url).json()  # ok: never imported\n\n"
        "class OllamaProvider(Provider):\n"
        "    async def check(self):\n        requests.get(self.url).json()  # ok: never imported\n"
    )
    live = (
        "import requests\n\n"
        "def list_models(url):\n    return requests.get(url).json()  # expect: HB201\n"
    )
    files = {
        "app/__init__.py": "", "app/schemas/__init__.py": "",
        "app/schemas/providers.py": old,
        "app/schemas/providers/__init__.py": "from .ollama import list_models\n",
        "app/schemas/providers/ollama.py": live,
        "app/schemas/base.py": "class Provider:\n    async def check(self):\n        pass\n",
        "app/api.py": (
            "from fastapi import FastAPI\nfrom app.schemas.base import Provider\n"
            "from app.schemas.providers import list_models\n\n"
            "app = FastAPI()\n\n@app.get('/models')\ndef models(url: str):\n    return list_models(url)\n\n"
            "@app.post('/check')\nasync def check(provider: Provider):\n    await provider.check()\n"
        ),
    }
    markers_hold(tmp_path, files, "app/schemas/providers/ollama.py")
    assert where(reach(tmp_path, "app/schemas/providers/ollama.py"), "list_models") is not None
    assert not findings(check_source(old, str(tmp_path / "app/schemas/providers.py")))
    del files["app/schemas/providers/__init__.py"], files["app/schemas/providers/ollama.py"]
    (tmp_path / "app/schemas/providers/__init__.py").unlink()
    (tmp_path / "app/schemas/providers/ollama.py").unlink()
    write_project(tmp_path, files)  # no package: the module is imported, and its call is reported
    assert findings(check_source(old, str(tmp_path / "app/schemas/providers.py")))


def test_a_click_command_defined_inside_a_hook_is_a_command() -> None:
    """``import click`` inside the function: the decorator is click's all the same."""
    source = (
        "def cli_commands_hook(group):\n"
        "    import click\n\n"
        "    @click.command('request-key')\n"
        "    def request_command(url):\n"
        "        return url\n\n"
        "    @group.command('other')\n"
        "    def other(url):\n"
        "        return url\n"
        "    return [request_command]\n"
    )
    summary = summarise(source, "plugin", "plugin.py")
    commands = {f.qualname: s.command for f, s in zip(summary.facts.functions, summary.functions)}
    assert commands["cli_commands_hook.<locals>.request_command"]
    assert not commands["cli_commands_hook"]


_CLI_LOADERS = """import click
import requests


def load_url(url):
    return requests.get(url).text  # expect: HB201


def only_cli(url):
    return requests.get(url).text


@click.command()
@click.argument("url")
def main(url):
    print(only_cli(url))
"""
_VIEWS = """from flask import Flask, request

from app.cli.loaders import load_url
from app.vendor.fetcher import fetch_vendored

app = Flask(__name__)


@app.route("/load")
def load():
    return load_url(request.args["url"])


@app.route("/vendored")
def vendored():
    return fetch_vendored(request.args["url"])
"""
_FETCH_URL = "import requests\n\n\ndef fetch_vendored(url):\n    return requests.get(url).text\n"
_TEST_APP = (
    "import requests\nfrom flask import Flask\n\napp = Flask(__name__)\n\n\n"
    "@app.route('/ping')\ndef ping():\n    return requests.get('http://localhost/x').text\n"
)


def test_a_cli_helper_the_apps_handlers_call_is_request_work(tmp_path: Path) -> None:
    """A module under ``cli/`` is tooling by its path, but a function of it that a handler of the
    app reaches does a request's work (D-Tale's URL loader); its CLI-only neighbour stays tooling."""
    files = {"app/__init__.py": "", "app/cli/__init__.py": "", "app/views.py": _VIEWS,
             "app/cli/loaders.py": _CLI_LOADERS, "app/vendor/fetcher.py": _FETCH_URL}
    markers_hold(tmp_path, files, "app/cli/loaders.py")
    loaders = reach(tmp_path, "app/cli/loaders.py")
    assert loaders.tooling_path and loaders.serves_requests("load_url") and not loaders.serves_requests("only_cli")
    assert where(loaders, "load_url") == "handler 'load' (app/views.py:10) via load_url()"


def test_vendored_code_and_test_apps_stay_tooling_whoever_calls_them(tmp_path: Path) -> None:
    """A vendored copy is another project's to change, even behind a handler of the app; a test
    suite's own handler serves no one's requests."""
    files = {"app/__init__.py": "", "app/cli/__init__.py": "", "app/views.py": _VIEWS,
             "app/cli/loaders.py": _CLI_LOADERS, "app/vendor/fetcher.py": _FETCH_URL,
             "app/tests/test_app.py": _TEST_APP}
    write_project(tmp_path, {"pyproject.toml": "", **files})
    vendored = reach(tmp_path, "app/vendor/fetcher.py")
    assert where(vendored, "fetch_vendored") is not None and not vendored.serves_requests("fetch_vendored")
    assert check_source(_FETCH_URL, str(tmp_path / "app/vendor/fetcher.py")) == []
    tests = reach(tmp_path, "app/tests/test_app.py")
    assert where(tests, "ping") is not None and not tests.serves_requests("ping")
    assert check_source(_TEST_APP, str(tmp_path / "app/tests/test_app.py")) == []


def test_a_vendored_package_with_its_own_root_is_tooling(tmp_path: Path) -> None:
    """``vendor/pocket`` holds its own setup.py (a git submodule): its root is its own, but it
    sits under the outer project's ``**/vendor/**`` glob."""
    (tmp_path / "pyproject.toml").write_text("")
    vendored = tmp_path / "app" / "vendor" / "pocket"
    vendored.mkdir(parents=True)
    (vendored / "setup.py").write_text("")
    (vendored / "pocket.py").write_text("import requests\n\ndef add(url):\n    return requests.post(url)\n")
    (tmp_path / "app" / "client.py").write_text("import requests\n\ndef add(url):\n    return requests.post(url)\n")
    assert find_root(str(vendored / "pocket.py")) == str(vendored)
    assert reach(tmp_path, "app/vendor/pocket/pocket.py").tooling_path
    assert not reach(tmp_path, "app/client.py").tooling_path
    text = (vendored / "pocket.py").read_text()
    assert check_source(text, str(vendored / "pocket.py")) == []
    assert [f[2][:5] for f in check_source(text, str(tmp_path / "app" / "client.py"))] == ["HB201"]


# -- FastAPI / Starlette: hand-offs and the event loop ----------------------------------

def test_hand_offs_are_reached_but_not_on_the_loop(fastapi_app: Path) -> None:
    workers = reach(fastapi_app, "api/workers.py")
    for name in ("load_items", "crunch", "resize"):  # to_thread, run_in_executor(partial(...)), submit
        assert where(workers, name) == f"handler 'items' (api/main.py:17) via {name}()"
        assert loop_where(workers, name) is None
    streams = reach(fastapi_app, "api/streams.py")
    # Thread(target=self.poll) runs on its own: not the request's work (HB501 looks at the thread)
    assert where(streams, "Feeds.poll") is None
    assert loop_where(streams, "Feeds.poll") is None


def test_sync_code_called_from_async_is_on_the_loop(fastapi_app: Path) -> None:
    main = reach(fastapi_app, "api/main.py")
    assert loop_where(main, "enrich") == "handler 'items' via enrich()"  # same module: no location
    assert main.in_request_task("enrich") is not None
    clients = reach(fastapi_app, "api/clients.py")
    assert loop_where(clients, "SyncClient.fetch") == "handler 'Feeds.feed' (api/streams.py:13) via SyncClient.fetch()"
    reports = reach(fastapi_app, "api/reports.py")
    assert reports.handlers == {"summary": "registered with add_api_route() in api/main.py"}
    assert loop_where(reports, "render") == "handler 'summary' via render()"


def test_blocking_sync_helpers_are_reported_where_the_async_handler_calls_them(fastapi_app: Path) -> None:
    """HB601 at the call in the async handler, naming what blocks in the other module; the
    markers in api/admin.py list what must and must not be reported."""
    for name in ("admin.py", "usb.py"):  # usb.py names no blocking API itself: the gate asks the project
        path = fastapi_app / "api" / name
        text = path.read_text()
        found = [f for f in findings(check_source(text, str(path))) if f.code == "HB601"]
        comparison = compare(read_markers(text, name), found)
        assert comparison.matched and not comparison.missing and not comparison.unexpected, (name, comparison)


def test_starlette_and_router_add_registrations(fastapi_app: Path) -> None:
    streams = reach(fastapi_app, "api/streams.py")
    assert streams.handlers == {"Feeds.feed": "registered with add()", "health": "registered with Route()"}


API_CLASS = """from fastapi import APIRouter


class RESTfulAPI:
    def __init__(self):
        self.router = APIRouter()

    async def list_models(self):
        return []

    async def launch_model(self):
        return {}

    async def unrouted(self):
        return None
"""
ROUTES = """from __future__ import annotations

from typing import TYPE_CHECKING

from .api import RESTfulAPI

if TYPE_CHECKING:
    from .api import RESTfulAPI as Api


def register_routes(api: "Api") -> None:
    api.router.add_api_route("/v1/models", api.list_models, methods=["GET"])


def register_more() -> None:
    built = RESTfulAPI()
    built.router.add_api_route("/v1/launch", built.launch_model, methods=["POST"])
"""


def test_a_method_registered_on_an_instance_of_a_known_class_is_a_handler(tmp_path: Path) -> None:
    # `router.add_api_route(path, api.list_models)` in another module, `api` annotated (a string
    # naming a TYPE_CHECKING import) or built there: the class's method serves the route.
    root = write_project(tmp_path / "proj", {"pyproject.toml": "", "app/__init__.py": "",
                                             "app/api.py": API_CLASS, "app/routes.py": ROUTES})
    assert reach(root, "app/api.py").handlers == {
        "RESTfulAPI.list_models": "registered with add_api_route() in app/routes.py",
        "RESTfulAPI.launch_model": "registered with add_api_route() in app/routes.py",
    }


# -- one detector ---------------------------------------------------------------------

HANDLER_FIXTURES = sorted((TESTDATA / "handlers").rglob("*.py"))


@pytest.mark.parametrize("path", HANDLER_FIXTURES, ids=lambda p: str(p.relative_to(TESTDATA / "handlers")))
def test_ast_summary_finds_the_handlers_the_walk_finds(path: Path) -> None:
    """The same detector over facts from libcst scopes and from an ast summary agrees."""
    text = path.read_text(encoding="utf-8")
    config = fixture_config(text, path)
    scope, _ = analyse(text, str(path), config)
    from_walk = {fn.qualname: reason for fn, reason in find_handlers(scope, config).items()}
    summary = summarise(text, f"pkg.{path.stem}", str(path))
    from_summary = {
        summary.facts.functions[key].qualname: reason for key, reason in detect_handlers(summary.facts, config).items()
    }
    assert from_summary == from_walk


# -- summaries ----------------------------------------------------------------------------

def test_summary_resolves_receivers_symbolically() -> None:
    source = '''
import app.services as s
from .clients import CLIENT, Client

class View:
    def __init__(self, client: "Client"):
        self.client = client
        self.http = None

    def get(self):
        self.http = self.http or Client()
        local = Client()
        s.fetch()
        CLIENT.fetch()
        local.fetch()
        self.client.fetch()
        self.http.fetch()
        self.get()
'''
    summary = summarise(source, "app.views", "app/views.py")
    get = summary.facts.functions[1]
    assert get.qualname == "View.get"
    callees = {edge.callee for edge in summary.functions[1].edges}
    assert Sym("ref", "app.services.fetch") in callees
    assert Sym("ref", "app.clients.CLIENT.fetch") in callees
    assert Sym("ref", "app.clients.Client", ("()", "fetch")) in callees
    assert Sym("self", "0", ("client", "fetch")) in callees
    assert Sym("self", "0", ("get",)) in callees
    assert dict(summary.classes[0].attrs) == {
        "client": Sym("ref", "app.clients.Client", ("(:)",)),  # the __init__ parameter's annotation
        "http": Sym("ref", "app.clients.Client", ("()",)),  # `x = None`, then `x = x or Client()`
    }


def test_relative_imports_resolved() -> None:
    source = "from . import views\nfrom ..core import db\nfrom .sub.mod import f\n"
    names = dict(summarise(source, "site.shop.urls", "site/shop/urls.py").names)
    assert names == {
        "views": Sym("ref", "site.shop.views"),
        "db": Sym("ref", "site.core.db"),
        "f": Sym("ref", "site.shop.sub.mod.f"),
    }
    package = dict(summarise("from . import views\n", "site.shop", "site/shop/__init__.py", True).names)
    assert package == {"views": Sym("ref", "site.shop.views")}


def test_module_names() -> None:
    names = ModuleNames([
        "src/app/__init__.py", "src/app/views.py", "routes/search.py", "manage.py", "pkg/__init__.py",
        "pkg/sub/__init__.py", "pkg/sub/mod.py",
    ])
    assert names.name_of("src/app/views.py") == ("app.views", False)
    assert names.name_of("src/app/__init__.py") == ("app", True)
    assert names.name_of("routes/search.py") == ("routes.search", False)  # a namespace package
    assert names.name_of("pkg/sub/mod.py") == ("pkg.sub.mod", False)
    assert names.by_name["manage"] == "manage.py"


def test_a_package_that_puts_its_own_directory_on_sys_path(tmp_path: Path) -> None:
    """calibre-web's ``calibreweb/__init__.py`` inserts its directory first on ``sys.path`` and
    imports ``cps.main``: ``calibreweb/cps/main.py`` is also the module ``cps.main``."""
    files = {
        "calibreweb/__init__.py": (
            "import os\nimport sys\n\npath = os.path.dirname(os.path.abspath(__file__))\n"
            "sys.path.insert(0, path)\n"
        ),
        "calibreweb/cps/__init__.py": "",
        "calibreweb/cps/main.py": "",
        "pathlib_style/__main__.py": (
            "import sys\nfrom pathlib import Path\nsys.path.append(str(Path(__file__).resolve().parent))\n"
        ),
        "pathlib_style/__init__.py": "",
        "pathlib_style/inner/__init__.py": "",
        "parent/__init__.py": "import os, sys\nsys.path.insert(0, os.path.dirname(os.path.dirname(__file__)))\n",
        "parent/sub/__init__.py": "import os, sys\nsys.path.insert(0, os.path.dirname(__file__))\n",
        "parent/sub/deeper/__init__.py": "",
        "elsewhere/__init__.py": "import sys\nsys.path.insert(0, '/opt/lib')\n",
        "elsewhere/x/__init__.py": "",
    }
    for relative, text in files.items():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(text)
    paths = sorted(files)
    # the parent directory, a subpackage's own (not a top-level package), another path: no
    assert own_directory_on_path(str(tmp_path), paths) == ["calibreweb", "pathlib_style"]
    names = ModuleNames(paths, ["calibreweb"])
    assert names.name_of("calibreweb/cps/main.py") == ("calibreweb.cps.main", False)
    assert names.by_name["cps.main"] == "calibreweb/cps/main.py"
    assert "sub.deeper" not in names.by_name and "x" not in names.by_name


def test_tooling_globs() -> None:
    defaults = Config().tooling
    for path in ("setup.py", "pkg/__main__.py", "pkg/cli.py", "pkg/cli/run.py", "app/management/commands/x.py",
                 "scripts/x.py", "tools/scripts/y.py", "docs/conf.py", "noxfile.py", "tasks.py", "fabfile.py",
                 "mailman/testing/mta.py", "django/test/client.py", "pulpcore/pytest_plugin.py",
                 "geonode/security/tests.py"):
        assert is_tooling_path(path, defaults), path
    for path in ("app/tasks.py", "pkg/setup.py", "pkg/client.py", "clipkg/x.py", "app/docs/views.py",
                 "app/testing.py", "app/contest/views.py", "app/contests.py", "app/tests_views.py"):
        assert not is_tooling_path(path, defaults), path
    assert is_tooling_path("ops/deploy.py", ("ops/*.py",))
    assert not is_tooling_path("ops/sub/deploy.py", ("ops/*.py",))


def test_an_async_function_behind_a_thread_is_not_on_the_handlers_loop(tmp_path: Path) -> None:
    root = tmp_path / "threads"
    (root / "app").mkdir(parents=True)
    (root / "setup.py").write_text("")
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "views.py").write_text(
        "import asyncio\nfrom fastapi import FastAPI\nfrom .work import in_thread, awaited\n\napp = FastAPI()\n\n\n"
        "@app.get('/')\nasync def home():\n    await asyncio.to_thread(in_thread)\n    return await awaited()\n"
    )
    (root / "app" / "work.py").write_text(
        "import asyncio\n\n\ndef in_thread():\n    return asyncio.run(private_loop())\n\n\n"
        "async def private_loop():\n    return helper()\n\n\nasync def awaited():\n    return helper()\n\n\n"
        "def helper():\n    return 1\n"
    )
    from flake8_handler_block.project import index

    index.clear()
    work = reach(root, "app/work.py")
    assert where(work, "private_loop") == "handler 'home' (app/views.py:9) via in_thread() -> private_loop()"
    assert loop_where(work, "private_loop") is None  # its own loop, in the worker thread
    assert loop_where(work, "awaited") == "handler 'home' (app/views.py:9) via awaited()"
    assert loop_where(work, "helper") == "handler 'home' (app/views.py:9) via awaited() -> helper()"


_MAIL_BACKENDS = (
    "from django.core.mail.backends.smtp import EmailBackend\n\n"
    "class OrganiserBackend(EmailBackend):\n"
    "    def test(self):\n"
    "        self.open()\n\n"
    "class TimedBackend(EmailBackend):\n"
    "    def __init__(self, **kwargs):\n"
    "        super().__init__(timeout=10, **kwargs)\n"
)


def _markers_or_silent(root: Path, files: Dict[str, str], checked: str, code: str, reported: bool) -> None:
    """``checked``'s markers hold in the project of ``files``; when nothing is ``reported``, no ``code`` at all."""
    if reported:
        markers_hold(root, files, checked)
        return
    write_project(root, {"pyproject.toml": "", **files})
    found = check_source(files[checked], str(root / checked))
    assert not [message for _, _, message in found if message.startswith(code)]


_MAIL_VIEWS = (
    "from django.views import View\n\n"
    "class TestMail(View):\n"
    "    def post(self, request):\n"
    "        from app.backends import OrganiserBackend, TimedBackend\n"
    "        OrganiserBackend(host=request.POST['host']).test()  {mark}\n"
    "        TimedBackend(host=request.POST['host']).test()  # ok: its __init__ gives a timeout\n"
)


@pytest.mark.parametrize(
    "settings, reported",
    [
        ("DEBUG = False\n", True),
        ("from django.conf import settings\nTIMEOUT = settings.EMAIL_TIMEOUT or 10\n", True),  # read only
        ("EMAIL_TIMEOUT = 30\n", False),
        ("import os\nEMAIL_TIMEOUT = int(os.environ.get('SMTP_TIMEOUT', '30'))\n", False),
        ("import environ\nenv = environ.Env()\nglobals().update(env.dict('DJANGO_EMAIL_TIMEOUT'))\n", False),
    ],
)
def test_django_smtp_backend_without_timeout_unless_the_project_sets_email_timeout(
    tmp_path: Path, settings: str, reported: bool
) -> None:
    """HB202 on a project subclass of Django's SMTP backend (defined in another module) built with no
    timeout= in a view, unless some module of the project may set EMAIL_TIMEOUT."""
    mark = '# expect: HB202 "OrganiserBackend() has no timeout and the project sets no EMAIL_TIMEOUT" ' \
        '"handler \'TestMail.post\'"' if reported else "# ok: the settings may set EMAIL_TIMEOUT"
    files = {
        "app/__init__.py": "",
        "app/settings.py": settings,
        "app/backends.py": _MAIL_BACKENDS,
        "app/views.py": _MAIL_VIEWS.format(mark=mark),
    }
    _markers_or_silent(tmp_path, files, "app/views.py", "HB202", reported)


_SENDS_VIEWS = (
    "from django.core import mail\n"
    "from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection, send_mail\n\n"
    "def contact(request):\n"
    "    send_mail('Hi', request.POST['body'], None, ['team@example.org'])  {mark}\n"
    "    mail.mail_admins('New contact', request.POST['body'])  {mark}\n"
    "    message = EmailMultiAlternatives('Thanks', 'Thanks!', None, [request.POST['email']])\n"
    "    message.send()  {mark}\n"
    "    connection = get_connection(fail_silently=True)  {mark}\n"
    "    EmailMessage('Copy', 'copy', None, ['a@example.org'], connection=connection).send()  # ok: its connection\n"
    "    send_mail('Hi', 'copy', None, ['b@example.org'], connection=connection)  # ok: its connection\n"
    "    late = EmailMessage('Late', 'late', None, ['c@example.org'])\n"
    "    late.connection = connection\n"
    "    late.send()  # ok: given the connection after it was built\n"
    "    send_mail('Hi', 'copy', None, ['d@example.org'], False, None, None, connection)  # ok: by position\n"
)


@pytest.mark.parametrize(
    "settings, reported",
    [
        ("EMAIL_HOST = 'smtp.example.org'\n", True),
        # the deployment picks the backend; the server settings beside it say SMTP
        ("import os\nEMAIL_BACKEND = os.environ['EMAIL_BACKEND']\nEMAIL_HOST = os.environ['EMAIL_HOST']\n", True),
        # a development branch with the console backend, a server for production (byro)
        ("DEBUG = True\nif DEBUG:\n    EMAIL_BACKEND = 'django.core.mail.backends.console.EmailBackend'\n"
         "else:\n    EMAIL_HOST = 'mail.example.org'\n", True),
        ("EMAIL_HOST = 'smtp.example.org'\nEMAIL_TIMEOUT = 10\n", False),
        ("DEBUG = False\n", False),  # no mail server named: mail may go anywhere
        ("EMAIL_HOST = 'localhost'\n", False),  # this machine's MTA answers at once
        ("EMAIL_BACKEND = 'anymail.backends.mailgun.EmailBackend'\nEMAIL_HOST = 'smtp.example.org'\n", False),
        ("import os\nEMAIL_BACKEND = os.getenv('MAIL', 'django_ses.SESBackend')\nEMAIL_HOST = 'smtp.example.org'\n",
         False),
    ],
)
def test_django_sends_through_the_settings_smtp_backend(tmp_path: Path, settings: str, reported: bool) -> None:
    """HB202 on Django's sends that use the settings' backend (send_mail(), mail_admins(), a message's send(),
    get_connection() with nothing named) when the project's settings name a mail server, leave the backend
    to Django's own, and set no EMAIL_TIMEOUT; a send given a connection is judged where that is made."""
    mark = '# expect: HB202 "the project sets no EMAIL_TIMEOUT" "handler \'contact\'"' if reported else "# ok"
    files = {
        "app/__init__.py": "",
        "app/settings.py": settings + "ADMINS = [('Ops', 'ops@example.org')]\n",
        "app/test_settings.py": "EMAIL_BACKEND = 'django.core.mail.backends.locmem.EmailBackend'\n",
        "app/views.py": _SENDS_VIEWS.format(mark=mark),
        "app/urls.py": "from django.urls import path\nfrom app import views\n\n"
                       "urlpatterns = [path('contact/', views.contact)]\n",
    }
    _markers_or_silent(tmp_path, files, "app/views.py", "HB202", reported)


def test_mail_admins_with_no_admins_sends_nothing(tmp_path: Path) -> None:
    """synapse-registration's middleware: ``mail_admins()`` returns before connecting while ``ADMINS`` is
    empty (Django's default), so with no module naming it (or an empty list) only ``send_mail()`` waits."""
    views = (
        "from django.core.mail import mail_admins, send_mail\n\n"
        "def contact(request):\n"
        "    mail_admins('New contact', request.POST['body'])  # ok: no ADMINS, nothing is sent\n"
        "    send_mail('Hi', 'copy', None, ['a@example.org'])  # expect: HB202 \"send_mail() has no timeout\"\n"
    )
    files = {
        "app/__init__.py": "", "app/views.py": views,
        "app/settings.py": "EMAIL_HOST = 'smtp.example.org'\nADMINS = []\n",
        "app/urls.py": "from django.urls import path\nfrom app import views\n\n"
                       "urlpatterns = [path('contact/', views.contact)]\n",
    }
    markers_hold(tmp_path, files, "app/views.py")


def test_a_resource_class_added_in_another_module_serves_with_its_verbs(tmp_path: Path) -> None:
    """``api.add_resource(resources.VPNConfig, "/vpn")`` (vantage6): the class's verb methods, its
    own and those it inherits, serve the request even when its base comes from another
    distribution; its other methods are reached only through them."""
    files = {"app/__init__.py": ""}
    files["app/resources.py"] = (
        "import subprocess\n\nfrom vendor.common import ServicesResources\n\n"
        "class Base(ServicesResources):\n"
        "    def delete(self, name):\n"
        "        subprocess.run(['vpnctl', 'revoke', name])  # expect: HB204 \"handler 'Base.delete'\"\n\n"
        "class VPNConfig(Base):\n"
        "    def get(self):\n"
        "        return self.profile()\n\n"
        "    def profile(self):\n"
        "        return subprocess.run(['vpnctl', 'show'])  # expect: HB204 \"handler 'VPNConfig.get'\"\n\n"
        "    def rotate(self):\n"
        "        subprocess.run(['vpnctl', 'rotate'])  # ok: HB204 not a verb, and no verb calls it\n"
    )
    files["app/api.py"] = (
        "from flask import Flask\nfrom flask_restful import Api\n\nfrom app import resources\n\n"
        "app = Flask(__name__)\napi = Api(app)\n"
        "api.add_resource(resources.VPNConfig, '/vpn', endpoint='vpn_config')\n"
    )
    markers_hold(tmp_path, files, "app/resources.py")


def test_fastapi_dependencies_in_another_module_are_handlers(tmp_path: Path) -> None:
    """``Depends(current_user)`` (in a default or in ``Annotated[...]``) and ``dependencies=[Depends(f)]``
    run on every request to the route: an async dependency on the loop. A class named by ``Depends``
    is only built (its methods are not served), and a function nothing depends on is no handler."""
    files = {"app/__init__.py": ""}
    files["app/auth.py"] = (
        "import time\n\n"
        "async def current_user(token: str):\n"
        "    time.sleep(1)  # expect: HB601 \"handler 'current_user'\"\n\n"
        "async def audit(path: str):\n"
        "    time.sleep(1)  # expect: HB601 \"handler 'audit'\"\n\n"
        "async def tenant(name: str):\n"
        "    time.sleep(1)  # expect: HB601 \"handler 'tenant'\"\n\n"
        "async def unused(token: str):\n"
        "    time.sleep(1)  # ok: HB601 nothing depends on it\n\n"
        "class Pager:\n"
        "    def __init__(self, page: int = 1):\n        self.page = page\n\n"
        "    async def refresh(self):\n"
        "        time.sleep(1)  # ok: HB601 Depends(Pager) builds a Pager, it serves nothing\n"
    )
    files["app/api.py"] = (
        "from typing import Annotated\n\nfrom fastapi import Depends, FastAPI\n"
        "from app.auth import Pager, audit, current_user, tenant\n\napp = FastAPI()\n\n"
        "@app.get('/me', dependencies=[Depends(audit)])\n"
        "async def me(user=Depends(current_user), pager: Pager = Depends(Pager)):\n"
        "    return user\n\n"
        "@app.get('/tenant')\n"
        "async def which(name: Annotated[str, Depends(tenant)]):\n"
        "    return name\n"
    )
    markers_hold(tmp_path, files, "app/auth.py")


def test_an_instance_given_as_a_fastapi_dependency_runs_its_call(tmp_path: Path) -> None:
    """``Depends(JWTBearer())``, or a name holding an instance (``get_identity = IdentityFactory(...)``,
    then ``Depends(get_identity)``): FastAPI calls the instance on every request to the route, which
    runs its class's ``__call__``, in the module or in another; not its other methods."""
    files = {"app/__init__.py": ""}
    files["app/auth.py"] = (
        "import time\n\nfrom fastapi.security import HTTPBearer\n\n"
        "class JWTBearer(HTTPBearer):\n"
        "    async def __call__(self, request):\n"
        "        time.sleep(1)  # expect: HB601 \"handler 'JWTBearer.__call__'\"\n"
        "        return await super().__call__(request)\n\n"
        "    async def rotate(self):\n"
        "        time.sleep(1)  # ok: HB601 no route depends on it\n\n"
        "class RoleChecker:\n"
        "    def __init__(self, role: str):\n        self.role = role\n\n"
        "    async def __call__(self, request):\n"
        "        time.sleep(1)  # expect: HB601 \"handler 'RoleChecker.__call__'\"\n\n"
        "class Unused:\n"
        "    async def __call__(self, request):\n"
        "        time.sleep(1)  # ok: HB601 no route depends on an instance of it\n\n"
        "class IdentityFactory:\n"
        "    def __init__(self, optional: bool):\n        self.optional = optional\n\n"
        "    async def __call__(self, request):\n"
        "        time.sleep(1)  # expect: HB601 \"handler 'IdentityFactory.__call__'\"\n\n"
        "get_identity = IdentityFactory(optional=False)\n"
    )
    files["app/api.py"] = (
        "from fastapi import Depends, FastAPI\n"
        "from app.auth import JWTBearer, RoleChecker, get_identity\n\napp = FastAPI()\n\n"
        "@app.get('/me', dependencies=[Depends(JWTBearer())])\n"
        "async def me(admin=Depends(RoleChecker('admin')), identity=Depends(get_identity)):\n"
        "    return admin\n"
    )
    markers_hold(tmp_path, files, "app/auth.py")


def test_an_instance_given_as_a_fastapi_dependency_in_its_own_module(tmp_path: Path) -> None:
    files = {"app/__init__.py": "", "app/api.py": (
        "import time\n\nfrom fastapi import Depends, FastAPI\n\napp = FastAPI()\n\n"
        "class Limiter:\n"
        "    async def __call__(self, request):\n"
        "        time.sleep(1)  # expect: HB601 \"handler 'Limiter.__call__'\"\n\n"
        "@app.get('/items', dependencies=[Depends(Limiter())])\n"
        "async def items():\n"
        "    return []\n"
    )}
    markers_hold(tmp_path, files, "app/api.py")


def test_a_function_a_factory_returns_serves_the_requests_it_is_registered_for(tmp_path: Path) -> None:
    """``Depends(make_dep(options))``, or ``dep = make_dep(options)`` then ``Depends(dep)``, or a view
    made the same way for ``add_url_rule``: the function the factory returns runs on every request,
    in the factory's module or another; a factory's function nothing registers serves nothing."""
    files = {"app/__init__.py": ""}
    files["app/deps.py"] = (
        "import time\n\n"
        "def make_chunks_dep(options):\n"
        "    async def chunks_dep(request):\n"
        "        time.sleep(0.1)  # expect: HB601 \"handler 'make_chunks_dep.<locals>.chunks_dep'\"\n"
        "    return chunks_dep\n\n"
        "def make_auth_dep(options):\n"
        "    async def auth_dep(request):\n"
        "        time.sleep(0.1)  # expect: HB601 \"handler 'make_auth_dep.<locals>.auth_dep'\"\n"
        "    return auth_dep\n\n"
        "def make_unused_dep(options):\n"
        "    async def unused_dep(request):\n"
        "        time.sleep(0.1)  # ok: HB601 nothing registers what this factory makes\n"
        "    return unused_dep\n"
    )
    files["app/routes.py"] = (
        "from fastapi import Depends\n"
        "from app.deps import make_auth_dep, make_chunks_dep, make_unused_dep\n\n"
        "def core_routes(router, options):\n"
        "    chunks = make_chunks_dep(options)\n"
        "    spare = make_unused_dep(options)\n\n"
        "    @router.patch('/{uuid}')\n"
        "    async def patch(uuid: str, _=Depends(chunks), __=Depends(make_auth_dep(options))):\n"
        "        return uuid\n"
        "    return spare\n"
    )
    files["app/views.py"] = (
        "import requests\nfrom flask import Flask\n\napp = Flask(__name__)\n\n"
        "def make_view(url):\n"
        "    def view():\n"
        "        return requests.get(url).text  # expect: HB201 \"handler 'make_view.<locals>.view'\"\n"
        "    return view\n\n"
        "status = make_view('http://upstream/status')\n"
        "app.add_url_rule('/status', view_func=status)\n\n"
        "def register(blueprint):\n"
        "    def make_health(url):\n"
        "        def health():\n"
        "            return requests.get(url).text"
        "  # expect: HB201 \"handler 'register.<locals>.make_health.<locals>.health'\"\n"
        "        return health\n"
        "    blueprint.add_url_rule('/health', view_func=make_health('http://upstream/health'))\n"
    )
    markers_hold(tmp_path, files, "app/deps.py")
    markers_hold(tmp_path, files, "app/views.py")


UNPACKED = '''import argparse
import time

import requests
from fastapi import FastAPI

app = FastAPI()


class Controller:
    def status(self, url):
        return requests.post(url, timeout=5)  # expect: HB601 "via Controller.refresh() -> Controller.status()"

    def refresh(self):
        return [self.status(url) for url in ("http://a", "http://b")]

    def pick(self):
        if True:  # answer at once; the check below is kept for later
            return "http://a"
        return self.status("http://a")  # never runs


def create_controller():
    args = argparse.ArgumentParser().parse_args()
    controller = Controller()
    return args, controller


@app.post("/refresh")
async def refresh():
    return controller.refresh()  # expect: HB601 "controller.refresh() blocks the event loop"


@app.post("/pick")
async def pick():
    return controller.pick()  # ok: the status check after `if True: return` never runs


if __name__ == "__main__":
    args, controller = create_controller()
'''


def test_a_global_unpacked_from_a_returned_tuple_and_code_after_if_true_return(tmp_path: Path) -> None:
    """``args, controller = create_controller()`` under ``__main__``: the handlers' ``controller``
    is the Controller the function returns; a call after ``if True: return`` never runs."""
    markers_hold(tmp_path / "proj", {"app/__init__.py": "", "app/controller.py": UNPACKED}, "app/controller.py")


def test_root_of_a_wheel_whose_top_level_package_is_a_namespace(tmp_path: Path) -> None:
    """``localstack/`` has no ``__init__.py`` but ``localstack.utils.http`` is how its own modules import
    each other: beside a ``*.dist-info`` the wheel's directory is the root, so those imports resolve."""
    wheel = tmp_path / "localstack-core"
    utils = wheel / "localstack" / "utils"
    utils.mkdir(parents=True)
    (wheel / "localstack_core-1.0.dist-info").mkdir()
    (utils / "__init__.py").write_text("")
    (utils / "http.py").write_text("")
    assert find_root(str(utils / "http.py")) == str(wheel)
    assert find_root(str(wheel / "localstack" / "config.py")) == str(wheel)
    plain = tmp_path / "plain" / "app"  # no metadata: the directory above the package, as before
    (plain / "pkg").mkdir(parents=True)
    (plain / "pkg" / "__init__.py").write_text("")
    assert find_root(str(plain / "pkg" / "views.py")) == str(plain)


def test_root_of_a_module_in_a_wheels_data_folder_is_the_wheel(tmp_path: Path) -> None:
    """eeg-security ships deliberately vulnerable samples in ``eeg/rules/bundles/<bundle>/_test_fixtures/
    <case>/case.py``, with no ``__init__.py`` on the way: beside the one ``*.dist-info`` the wheel's
    directory is the root, so the tooling globs see the sample's path. A directory holding several
    (a site-packages, a ``--target`` install) is no one project's root."""
    wheel = tmp_path / "eeg_security"
    case = wheel / "eeg" / "rules" / "bundles" / "ai" / "_test_fixtures" / "mcp-ssrf"
    case.mkdir(parents=True)
    (wheel / "eeg" / "__init__.py").write_text("")
    (wheel / "eeg_security-2.5.0.dist-info").mkdir()
    sample = case / "mcp-ssrf.py"
    sample.write_text("import requests\n\nrequests.get('http://169.254.169.254/')\n")
    assert find_root(str(sample)) == str(wheel)
    assert reach(wheel, "eeg/rules/bundles/ai/_test_fixtures/mcp-ssrf/mcp-ssrf.py").tooling_path
    site = tmp_path / "target"
    nested = site / "samples" / "a" / "b" / "c"
    nested.mkdir(parents=True)
    for name in ("one-1.0.dist-info", "two-2.0.dist-info"):
        (site / name).mkdir()
    assert find_root(str(nested / "run.py")) == str(nested)
    # nor is it the root of a top-level namespace package it holds: the package's own directory is
    namespace = site / "tool" / "utils"
    namespace.mkdir(parents=True)
    (namespace / "__init__.py").write_text("")
    assert find_root(str(namespace / "http.py")) == str(site / "tool")


def test_a_loop_under_a_parameter_test_every_caller_rules_out_is_not_reported(tmp_path: Path) -> None:
    """mage-ai's ``start_scheduler(foreground=False)`` watches its scheduler forever only ``if foreground:``;
    the API handler calls it with no argument, so the loop never runs in a request. A caller that
    passes ``foreground=True`` runs it."""
    files = {
        "app/__init__.py": "",
        "app/scheduler.py": (
            "import time\n\n\n"
            "def check_status():\n    return None\n\n\n"
            "def start(foreground: bool = False):\n"
            "    if foreground:\n"
            "        while True:  # ok: HB304 every caller leaves foreground False\n"
            "            check_status()\n"
            "            time.sleep(5)\n\n\n"
            "def watch(foreground: bool = False):\n"
            "    if foreground:\n"
            "        while True:  # expect: HB304 \"handler 'watch_view' (app/views.py:15) via watch()\"\n"
            "            check_status()\n"
            "            time.sleep(5)\n"
        ),
        "app/views.py": (
            "from flask import Flask\n\nfrom app import scheduler\n\napp = Flask(__name__)\n\n\n"
            "@app.post('/scheduler/start')\ndef start_view():\n    scheduler.start()\n    return 'ok'\n\n\n"
            "@app.post('/scheduler/watch')\ndef watch_view():\n    scheduler.watch(foreground=True)\n    return 'ok'\n"
        ),
    }
    markers_hold(tmp_path, files, "app/scheduler.py")
