"""Webhook relay on aiohttp: RouteTableDef, router registration, class views."""
import aiohttp
from aiohttp import web

from .http import ProjectView
from .relay import forward

routes = web.RouteTableDef()


@routes.get("/")
async def index(request):  # handler
    return web.json_response({"service": "relay"})


@routes.post("/hooks/{name}")
async def receive_hook(request):  # handler
    payload = await request.json()
    await forward(request.match_info["name"], payload)
    return web.Response(status=202)


@routes.view("/hooks/{name}/status")
class HookStatus(web.View):
    async def get(self):  # handler
        return web.json_response({"name": self.request.match_info["name"]})

    async def delete(self):  # handler
        return web.Response(status=204)

    def _name(self):
        return self.request.match_info["name"]


class AuthCallbackView(ProjectView):
    """The project's own aiohttp view base (defined in another module)."""

    url = "/auth/callback"

    @staticmethod
    async def get(request):  # handler
        return web.Response(text="authorised")

    @staticmethod
    async def post(payload):
        return payload


async def health(request):  # handler
    return web.Response(text="ok")


async def replay(request):  # handler
    return web.Response(text="replayed")


async def purge(request):  # handler
    return web.Response(status=204)


async def stream(request):  # handler
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    return ws


@web.middleware
async def error_middleware(request, handler):  # handler
    try:
        return await handler(request)
    except web.HTTPException as exc:
        return web.json_response({"error": exc.reason}, status=exc.status)


def create_app():
    app = web.Application(middlewares=[error_middleware])
    app.add_routes(routes)
    app.router.add_get("/health", health)
    app.router.add_post("/replay", replay)
    app.router.add_route("DELETE", "/purge", purge)
    app.add_routes([web.get("/stream", stream)])
    app.on_startup.append(start_session)
    app.on_cleanup.append(close_session)
    return app


# -- not handlers ----------------------------------------------------------------

async def start_session(app):
    app["session"] = aiohttp.ClientSession()


async def close_session(app):
    await app["session"].close()


async def fetch_json(session, url):
    async with session.get(url) as resp:
        return await resp.json()


class RelayState:
    def get(self, name):
        return self.targets.get(name)
