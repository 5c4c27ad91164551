"""Raw WSGI and ASGI callables: middleware and tiny apps without a framework."""
import json

from werkzeug import wrappers
from werkzeug.wrappers import Request, Response


def application(environ, start_response):  # handler
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"hello"]


def health_app(environ, start_response):  # handler
    start_response("204 No Content", [])
    return []


class PrefixMiddleware:
    def __init__(self, app, prefix):
        self.app = app
        self.prefix = prefix

    def __call__(self, environ, start_response):  # handler
        environ["SCRIPT_NAME"] = self.prefix
        return self.app(environ, start_response)


class AuthFilter:
    """Paste and OpenStack middleware name the environ `env`."""

    def __init__(self, app):
        self.app = app

    def __call__(self, env, start_response):  # handler
        env["REMOTE_USER"] = "anonymous"
        return self.app(env, start_response)


class ProcessingService:
    """werkzeug's decorator makes the method, called with one request, a WSGI application."""

    @Request.application
    def __call__(self, http_request):  # handler
        return Response(http_request.path)

    @wrappers.Request.application
    def serve_plugin(self, request):  # handler
        return Response(request.args.get("run", ""))

    @Request.from_values
    def fake(self, path):
        return path


async def asgi_app(scope, receive, send):  # handler
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


class CorsMiddleware:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):  # handler
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_cors(message):
            if message["type"] == "http.response.start":
                message.setdefault("headers", []).append((b"access-control-allow-origin", b"*"))
            await send(message)

        await self.app(scope, receive, send_with_cors)


# -- not handlers ----------------------------------------------------------------

def sync_scope(scope, receive, send):
    """Not async: an ASGI app is a coroutine function."""
    return None


def render(environ):
    return json.dumps({"path": environ.get("PATH_INFO")})


def start(environ, start_response, extra):
    return None


def respond(start_response):
    """One parameter: a helper handed the callable, not a WSGI app."""
    start_response("200 OK", [])
