"""Live chat on python-socketio and Flask-SocketIO: event handlers bound on the server instances."""
import socketio
from flask import Flask
from flask_socketio import SocketIO, emit
from pyee.asyncio import AsyncIOEventEmitter

from .rooms import Rooms

sio = socketio.AsyncServer(async_mode="asgi", cors_allowed_origins=[])
app = socketio.ASGIApp(sio)
rooms = Rooms()

flask_app = Flask(__name__)
live = SocketIO(flask_app, async_mode="threading")

upstream = socketio.AsyncClient()
bus = AsyncIOEventEmitter()


@sio.event
async def connect(sid, environ, auth):  # handler
    await rooms.join(sid, auth["room"])


@sio.on("message")
async def message(sid, data):  # handler
    await sio.emit("message", data, room=rooms.of(sid))


@sio.on("*")
async def any_event(event, sid, data):  # handler
    await rooms.touch(sid)


@live.on("typing", namespace="/chat")
def typing(data):  # handler
    emit("typing", data, broadcast=True)


@upstream.on("relay")
async def relay(data):
    await sio.emit("message", data)


@bus.on("room_closed")
async def room_closed(room):
    await rooms.close(room)


def on(event):
    return lambda handler: handler
