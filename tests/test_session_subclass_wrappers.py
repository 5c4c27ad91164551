"""udata's harvest backends: a base class's ``get(url, **kwargs)`` passes its keywords on to
``self.session.get()``, where the session is a project subclass of ``requests.Session`` (built by
a helper of another module) that sets no timeout. A backend's ``self.get(url)`` is then a request
with no timeout, reported at that call. A backend class chosen at run time (``cls: type[Base]``)
and constructed by a handler runs its own ``__init__``, so the fetch there is the request's too,
though a CLI command builds the class by name as well."""

from __future__ import annotations

from pathlib import Path

from project_helpers import markers_hold

SAFE = '''import requests


class GuardedSession(requests.Session):
    def __init__(self, policy=None):
        super().__init__()
        self.policy = policy

    def send(self, request, **kwargs):
        return super().send(request, **kwargs)


class TimedSession(requests.Session):
    def get(self, url, **kwargs):
        return super().get(url, timeout=10, **kwargs)


def guarded_session() -> GuardedSession:
    return GuardedSession()
'''

BASE = '''from app.safe import TimedSession, guarded_session


class Backend:
    def __init__(self, url):
        self.url = url
        self.session = guarded_session()
        self.timed = TimedSession()

    def get(self, url, headers={}, **kwargs):
        kwargs["verify"] = kwargs.get("verify", True)
        return self.session.get(url, headers=headers, **kwargs)

    def get_timed(self, url, **kwargs):
        return self.timed.get(url, **kwargs)


BACKENDS = {}


def get_backend(name: str) -> type[Backend]:
    return BACKENDS[name]
'''

DCAT = '''from .base import Backend


class DcatBackend(Backend):
    def walk(self):
        return self.get(self.url).text  # expect: HB201 "self.get() passes no timeout on to requests.Session.get()"

    def walk_timed(self):
        page = self.get(self.url, timeout=10).text  # ok: the caller gives one
        return page + self.get_timed(self.url).text  # ok: TimedSession.get() sets its own


class IsoBackend(DcatBackend):
    def __init__(self, url):
        super().__init__(url)
        self.xslt = self.get(url + "/xslt").text  # expect: HB201 "handler 'preview' (app/views.py:9)"
'''

VIEWS = '''from flask import Flask, request

from app.backends.base import get_backend

app = Flask(__name__)


@app.post("/preview")
def preview():
    cls = get_backend(request.args["backend"])
    return cls(request.args["url"]).walk()
'''

COMMAND = '''import click

from app.backends.dcat import IsoBackend


@click.command()
@click.argument("url")
def check_iso(url):
    print(IsoBackend(url).xslt)
'''


def test_a_wrapper_passing_keywords_to_a_project_session_subclass(tmp_path: Path) -> None:
    files = {
        "app/__init__.py": "", "app/safe.py": SAFE, "app/backends/__init__.py": "", "app/backends/base.py": BASE,
        "app/backends/dcat.py": DCAT, "app/views.py": VIEWS, "app/commands.py": COMMAND,
    }
    markers_hold(tmp_path, files, "app/backends/dcat.py")
