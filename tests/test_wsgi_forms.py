"""WSGI applications written without the `(environ, start_response)` names: werkzeug's
`@Request.application` on `def app(request)`, and middleware that calls its environ `env`
(Paste, OpenStack). Both are handlers, so what they call in other modules is named by them."""

from __future__ import annotations

from pathlib import Path

from project_helpers import markers_hold

FETCH = '''\
import requests

KEYSTONE = "https://keystone.internal/v3/auth"


def load_template(url):
    return requests.get(url).text  # expect: HB201 "handler 'Service.__call__'"


def check_token(token):
    reply = requests.post(KEYSTONE, json={"token": token})  # expect: HB201 "handler 'AuthFilter.__call__'"
    return reply.ok


def warm_up():
    return requests.get("https://keystone.internal/v3").ok  # expect: HB201 "function 'warm_up'"
'''

SERVICE = '''\
from werkzeug.wrappers import Request, Response

from .fetch import load_template


class Service:
    @Request.application
    def __call__(self, http_request):
        return Response(load_template(http_request.args["template"]))
'''

MIDDLEWARE = '''\
from .fetch import check_token, warm_up


class AuthFilter:
    def __init__(self, app):
        self.app = app

    def __call__(self, env, start_response):
        if not check_token(env.get("HTTP_X_AUTH_TOKEN")):
            start_response("401 Unauthorized", [])
            return [b""]
        return self.app(env, start_response)


def respond(start_response):
    warm_up()
    start_response("200 OK", [])
'''


def test_wsgi_applications_by_other_names_are_handlers(tmp_path: Path) -> None:
    files = {"app/__init__.py": "", "app/fetch.py": FETCH, "app/service.py": SERVICE, "app/middleware.py": MIDDLEWARE}
    markers_hold(tmp_path, files, "app/fetch.py")
