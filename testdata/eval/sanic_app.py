"""Geo service (Sanic)."""
import queue
import threading
from urllib.request import urlopen

from sanic import Sanic
from sanic.response import json
from sanic.views import HTTPMethodView

app = Sanic("geo")
GEOCODE = "https://geocode.internal"
LOOKUPS = queue.Queue(maxsize=500)


def _lookup_worker():
    while True:
        item = LOOKUPS.get()
        try:
            item.run()
        finally:
            LOOKUPS.task_done()


@app.get("/geo/<q>")
async def geocode(request, q):
    with urlopen(f"{GEOCODE}/search?q={q}", timeout=3) as resp:  # expect: HB601; ok: HB202 timeout given; HB102 context manager
        return json({"raw": resp.read().decode()})


@app.post("/geo/batch")
async def batch(request):
    for q in request.json["queries"]:
        LOOKUPS.put(q)  # expect: HB601; ok: HB301 consumed by _lookup_worker
    return json({"queued": True})


@app.post("/geo/batch/safe")
async def batch_safe(request):
    for q in request.json["queries"]:
        LOOKUPS.put_nowait(q)  # ok: HB601 non-blocking put; HB301 put_nowait
    return json({"queued": True})


@app.get("/geo/warm")
async def warm(request):
    t = threading.Thread(target=_lookup_worker, daemon=True)
    t.start()  # ok: HB501 joined below
    t.join(timeout=0.1)  # expect: HB601; ok: HB205 timeout given
    return json({"warm": True})


class Region(HTTPMethodView):
    async def get(self, request, code):
        with urlopen(f"{GEOCODE}/regions/{code}") as resp:  # expect: HB202, HB601
            return json({"raw": resp.read().decode()})

    def post(self, request, code):
        with urlopen(f"{GEOCODE}/regions/{code}", request.body, 5) as resp:  # ok: HB202 positional timeout; HB601 sync method
            return json({"status": resp.status})


app.add_route(Region.as_view(), "/regions/<code>")
