"""Notes service on Starlette: Route tables, endpoints, a raw ASGI middleware and a BaseHTTPMiddleware."""
from starlette.applications import Starlette
from starlette.endpoints import HTTPEndpoint, WebSocketEndpoint
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Mount, Route, WebSocketRoute

from .notes import NoteStore

store = NoteStore()


async def homepage(request):  # handler
    return PlainTextResponse("notes")


async def list_notes(request):  # handler
    return JSONResponse(await store.all())


def export(request):  # handler
    return PlainTextResponse(store.dump())


class NoteEndpoint(HTTPEndpoint):
    async def get(self, request):  # handler
        note = await store.get(request.path_params["note_id"])
        return JSONResponse(note)

    async def delete(self, request):  # handler
        await store.delete(request.path_params["note_id"])
        return PlainTextResponse("", status_code=204)

    def _note_id(self, request):
        return int(request.path_params["note_id"])


class Echo(WebSocketEndpoint):
    encoding = "text"

    async def on_connect(self, websocket):  # handler
        await websocket.accept()

    async def on_receive(self, websocket, data):  # handler
        await websocket.send_text(data)

    async def on_disconnect(self, websocket, close_code):  # handler
        await store.flush()


async def feed(websocket):  # handler
    await websocket.accept()
    await websocket.send_json(await store.all())


class TimingMiddleware:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):  # handler
        await self.app(scope, receive, send)


class AuthMiddleware(BaseHTTPMiddleware):
    def __init__(self, app, password):
        super().__init__(app)
        self.password = password

    async def dispatch(self, request, call_next):  # handler
        if request.headers.get("x-password") != self.password:
            return PlainTextResponse("", status_code=401)
        return await call_next(request)

    def _realm(self):
        return "notes"


routes = [
    Route("/", homepage),
    Route("/notes", endpoint=list_notes),
    Route("/export", export, methods=["GET"]),
    Route("/notes/{note_id:int}", NoteEndpoint),
    WebSocketRoute("/ws", Echo),
    WebSocketRoute("/feed", feed),
    Mount("/static", app=None),
]

app = Starlette(routes=routes)


@app.route("/legacy")
async def legacy(request):  # handler
    return PlainTextResponse("old style")


# -- not handlers ----------------------------------------------------------------

def build_routes(prefix):
    return [Route(f"{prefix}/", homepage)]


async def lifespan(app):
    yield


def format_note(request, note):
    return f"{note['title']}"
