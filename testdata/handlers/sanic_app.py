"""Image resizing API on Sanic."""
from sanic import Blueprint, Sanic, response
from sanic.views import HTTPMethodView

from .resize import resize_image

app = Sanic("resizer")
bp = Blueprint("images", url_prefix="/images")


@app.get("/")
async def root(request):  # handler
    return response.json({"service": "resizer"})


@bp.route("/<name>", methods=["GET", "HEAD"])
async def fetch(request, name):  # handler
    return await response.file(f"/srv/images/{name}")


@app.websocket("/feed")
async def feed(request, ws):  # handler
    async for message in ws:
        await ws.send(message)


@app.middleware("request")
async def add_request_id(request):  # handler
    request.ctx.request_id = request.headers.get("X-Request-Id")


@app.on_response
async def stamp(request, resp):  # handler
    resp.headers["X-Served-By"] = "resizer"


async def thumbnail(request, name):  # handler
    return response.raw(resize_image(name, 128))


app.add_route(thumbnail, "/thumb/<name>")


class ResizeView(HTTPMethodView):
    async def post(self, request, name):  # handler
        width = int(request.args.get("w", 256))
        return response.raw(resize_image(name, width))

    def _limits(self):
        return (16, 4096)


bp.add_route(ResizeView.as_view(), "/<name>/resize")


# -- not handlers ----------------------------------------------------------------

@app.listener("before_server_start")
async def setup_db(app, loop):
    app.ctx.db = await connect()


async def connect():
    return object()
