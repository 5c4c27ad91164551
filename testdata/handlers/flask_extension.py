"""A Flask extension that registers its request hooks by a call in init_app, with no decorator
anywhere in the module (canonicalwebteam's flask-vite injects its dev tools so)."""

import flask

EXTENSION_NAME = "vite"


class FlaskVite:
    def __init__(self, app=None):
        if app is not None:
            self.init_app(app)

    def init_app(self, app: flask.Flask):
        app.extensions[EXTENSION_NAME] = self
        app.template_global("vite_import")(vite_import)
        if app.debug:
            app.after_request(_inject_dev_tools)
        app.teardown_request(_forget_manifest)


def _inject_dev_tools(response: flask.Response):  # handler
    if response.mimetype == "text/html":
        response.set_data(response.get_data().replace(b"</head>", b"<script src='/@vite/client'></script></head>"))
    return response


def _forget_manifest(error=None):  # handler
    flask.g.pop("vite_manifest", None)


def vite_import(entrypoint: str):
    return f"<script type='module' src='/static/dist/{entrypoint}'></script>"


def after_request(hook):
    return hook


def _log_response(response):
    return response


after_request(_log_response)
