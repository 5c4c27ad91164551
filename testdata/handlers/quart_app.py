"""Chat backend on Quart: HTTP routes, a websocket and hooks."""
import asyncio

from quart import Quart, Blueprint, jsonify, request, websocket
from quart.views import MethodView

app = Quart(__name__)
rooms = Blueprint("rooms", __name__)
CONNECTED: set = set()


@app.route("/")
async def index():  # handler
    return jsonify(rooms=list_rooms())


@rooms.post("/rooms/<name>/messages")
async def post_message(name):  # handler
    data = await request.get_json()
    await broadcast(name, data["text"])
    return jsonify(ok=True)


@app.websocket("/ws")
async def ws():  # handler
    queue = asyncio.Queue()
    CONNECTED.add(queue)
    try:
        while True:
            message = await websocket.receive()
            await broadcast("lobby", message)
    finally:
        CONNECTED.discard(queue)


@app.before_request
async def authenticate():  # handler
    if request.headers.get("X-Token") is None:
        return jsonify(error="unauthorised"), 401


@app.after_request
async def cors(response):  # handler
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


class RoomView(MethodView):
    async def get(self, name):  # handler
        return jsonify(name=name, members=len(CONNECTED))

    async def delete(self, name):  # handler
        await close_room(name)
        return "", 204


# -- not handlers ----------------------------------------------------------------

async def broadcast(room, text):
    for queue in CONNECTED:
        await queue.put((room, text))


async def close_room(name):
    await broadcast(name, "closing")


def list_rooms():
    return ["lobby"]


@app.before_serving
async def start_background_tasks():
    app.add_background_task(cleanup)


async def cleanup():
    await asyncio.sleep(60)
