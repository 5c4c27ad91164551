"""Raw WSGI and ASGI callables: middleware and tiny apps without a framework."""
import json


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
