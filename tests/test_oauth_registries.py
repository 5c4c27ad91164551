"""An authlib registry built in one module (`oauth = OAuth()` in extensions.py, registered in the app
factory) and used by views of another: its apps' calls are judged where the building module's
registrations are read in full and give no timeout (HB201 reads the registrations of the module it
checks only)."""

from __future__ import annotations

from pathlib import Path
from typing import Dict

import pytest

from project_helpers import markers_hold

PLAIN = '''\
from authlib.integrations.flask_client import OAuth

oauth = OAuth()


def init_app(app):
    oauth.init_app(app)
    oauth.register("github", api_base_url="https://api.github.com/", client_kwargs={"scope": "user:email"})
'''

VIEWS = '''\
import requests
from flask import Blueprint, session

from .extensions import oauth

bp = Blueprint("auth", __name__)


@bp.route("/callback")
def callback():
    token = oauth.github.authorize_access_token()  # {expect}
    session["user"] = oauth.github.get("user", token=token, timeout=10).json()  # ok: HB201 timeout given
    requests.post("https://audit.example/login", json=token)  # expect: HB201 "requests.post() has no timeout"
    return "ok"
'''


def _project(extensions: str, reported: bool) -> Dict[str, str]:
    expect = 'expect: HB201 "oauth.github.authorize_access_token() has no timeout"' if reported else "ok: HB201"
    return {
        "app/__init__.py": "",
        "app/extensions.py": extensions,
        "app/views.py": VIEWS.replace("{expect}", expect),
    }


def test_an_imported_registry_with_plain_registrations_is_judged(tmp_path: Path) -> None:
    markers_hold(tmp_path, _project(PLAIN, reported=True), "app/views.py")


@pytest.mark.parametrize("registration", [
    'oauth.register("github", client_kwargs={"scope": "user", "default_timeout": 10})',
    'oauth.register("github", client_kwargs=app.config["GITHUB_OAUTH_KWARGS"])',
    'oauth.register("github", **app.config["GITHUB_OAUTH"])',
    'oauth.register(\n        "github",\n        **{"client_kwargs": {"scope": "user"}},\n    )',
], ids=["default-timeout", "kwargs-unseen", "options-unseen", "options-multiline"])
def test_an_imported_registry_that_may_set_a_timeout_is_not_judged(tmp_path: Path, registration: str) -> None:
    extensions = PLAIN.replace(
        'oauth.register("github", api_base_url="https://api.github.com/", client_kwargs={"scope": "user:email"})',
        registration,
    )
    assert extensions != PLAIN
    markers_hold(tmp_path, _project(extensions, reported=False), "app/views.py")
