"""HB101 fix: a streamed response used only in its block goes in `with` / `async with`."""
import aiohttp
import requests
from aiohttp import web
from flask import Flask, jsonify

app = Flask(__name__)
routes = web.RouteTableDef()
SESSION = aiohttp.ClientSession()
STORAGE = requests.Session()


@app.get("/files/<name>/head")
def file_head(name):
    # Peek at the first line only.
    with STORAGE.get(f"https://storage/{name}", stream=True, timeout=10) as r:  # streamed
        first = next(r.iter_lines())
        # done with it
    return jsonify(first=first.decode())


@app.get("/files/<name>/size")
def file_size(name):
    with STORAGE.get(
        f"https://storage/{name}",
        stream=True,
        timeout=10,
    ) as r:
        if r.status_code != 200:
            return jsonify(error=r.status_code), 502
        return jsonify(size=r.headers.get("Content-Length"))


@routes.get("/thumbnails/{key}")
async def thumbnail(request):
    key = request.match_info["key"]
    async with SESSION.get(f"https://storage/{key}/thumb") as resp:
        found = resp.status == 200
    return web.Response(status=204 if found else 404)
