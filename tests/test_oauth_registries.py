"""An authlib registry built in one module (`oauth = OAuth()` in extensions.py, registered in the app
factory) and used by views of another: its apps' calls are judged where the building module's
registrations are read in full and give no timeout (HB201 reads the registrations of the module it
checks only)."""

from __future__ import annotations

from pathlib import Path
from typing import Dict

import pytest

from flake8_handler_block.fix.core import fix_source
from fixtures import TESTDATA, fixture_config
from flake8_handler_block.engine import check_source
from markers import findings
from project_helpers import markers_hold, write_project

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


# the registry of PLAIN, with an OpenID Connect app registered beside GitHub's
METADATA = PLAIN + '    oauth.register("okta", REGISTRATION client_kwargs={"scope": "openid email"})\n'

LOGIN = '''\
import requests
from flask import Blueprint, url_for

from .extensions import oauth

bp = Blueprint("login", __name__)


@bp.route("/okta")
def okta():
    return oauth.okta.authorize_redirect(url_for("login.done", _external=True))  # {expect}


@bp.route("/github")
def github():
    return oauth.github.authorize_redirect(url_for("login.done", _external=True))  # ok: HB201 no discovery document


@bp.route("/done")
def done():
    requests.post("https://audit.example/login")  # expect: HB201 "requests.post() has no timeout"
    return "ok"
'''


@pytest.mark.parametrize("registration, reported", [
    ('server_metadata_url=app.config["OKTA_METADATA_URL"],', True),
    ("server_metadata_url=None,", False),
    ('api_base_url="https://okta.example/",', False),
], ids=["metadata-url", "metadata-url-none", "no-metadata-url"])
def test_an_imported_registry_fetches_the_discovery_document(tmp_path: Path, registration: str,
                                                             reported: bool) -> None:
    """authorize_redirect() takes no timeout; an app registered in another module with a
    server_metadata_url fetches its discovery document with none."""
    extensions = METADATA.replace("REGISTRATION", registration)
    expect = ('expect: HB201 "oauth.okta.authorize_redirect() fetches the provider\'s server metadata"'
              if reported else "ok: HB201")
    markers_hold(tmp_path, {
        "app/__init__.py": "",
        "app/extensions.py": extensions,
        "app/login.py": LOGIN.replace("{expect}", expect),
    }, "app/login.py")


def test_fix_leaves_a_discovery_fetch_with_its_reason() -> None:
    """The metadata calls take no timeout: `fix` edits the calls that take one and says why it
    leaves these."""
    path = TESTDATA / "HB201_authlib.py"
    text = path.read_text(encoding="utf-8")
    result = fix_source(text, str(path), fixture_config(text, path))
    fetches = {i + 1 for i, line in enumerate(text.splitlines()) if "fetches" in line and "expect: HB201" in line}
    assert len(fetches) == 2
    old, new = text.splitlines(), result.source.splitlines()
    assert all(old[line - 1] == new[line - 1] for line in fetches)
    left = {item.line: item.reason for item in result.remaining if item.line in fetches}
    assert set(left) == fetches and all("takes no timeout" in reason for reason in left.values()), left


# anitya's shape: the app factory builds the registry and hands it to the module that makes the
# login blueprint, whose views ask it for an app by name
FACTORY = '''\
from authlib.integrations.flask_client import OAuth
from flask import Flask

from . import auth


def create_app(config):
    app = Flask(__name__)
    oauth = OAuth(app)
    for backend in config["BACKENDS"]:
        REGISTRATION
    app.register_blueprint(auth.create_auth_blueprint(oauth))
    return app
'''

AUTH = '''\
import flask


def create_auth_blueprint(oauth):
    blueprint = flask.Blueprint("auth", __name__)

    @blueprint.route("/auth/<name>")
    def auth(name):
        client = oauth.create_client(name)
        token = client.authorize_access_token()  # {expect}
        profile = client.get("user", token=token, timeout=10).json()  # ok: HB201 timeout given
        return profile["login"]

    return blueprint


def describe(registry):
    return registry.create_client("github").name  # ok: no request, and its callers are not known
'''


def _registry_project(factory: str, expect: str) -> Dict[str, str]:
    return {"app/__init__.py": "", "app/factory.py": factory, "app/auth.py": AUTH.replace("{expect}", expect)}


def test_a_registry_passed_in_by_every_caller_is_judged(tmp_path: Path) -> None:
    factory = FACTORY.replace("REGISTRATION", "oauth.register(backend.lower())")
    expect = 'expect: HB201 "client.authorize_access_token() has no timeout"'
    markers_hold(tmp_path, _registry_project(factory, expect), "app/auth.py")


@pytest.mark.parametrize("factory", [
    FACTORY.replace("REGISTRATION", 'oauth.register(backend.lower(), client_kwargs={"default_timeout": 10})'),
    FACTORY.replace("REGISTRATION", "oauth.register(backend.lower())")
    + "\n\ndef other(registry):\n    return auth.create_auth_blueprint(registry)\n",
], ids=["default-timeout", "another-caller"])
def test_a_registry_passed_in_that_may_set_a_timeout_or_be_another_value_is_not_judged(
    tmp_path: Path, factory: str
) -> None:
    files = _registry_project(factory, "ok: HB201")
    write_project(tmp_path, {"pyproject.toml": "", **files})
    found = findings(check_source(files["app/auth.py"], str(tmp_path / "app" / "auth.py")))
    assert [f for f in found if f.code == "HB201"] == []
