"""Download proxy: Flask and Starlette views that stream files from the storage API."""
import contextlib
import json

import aiohttp
import httpx
import requests
import urllib3
from flask import Flask, Response, abort, jsonify, request, stream_with_context
from starlette.background import BackgroundTask
from starlette.responses import StreamingResponse

from .settings import STORAGE_URL, TIMEOUT

app = Flask(__name__)
HTTP = requests.Session()
POOL = urllib3.PoolManager(timeout=urllib3.Timeout(connect=2.0, read=10.0))
ASYNC_CLIENT = httpx.AsyncClient(timeout=10.0)
SESSION = aiohttp.ClientSession()


@app.get("/files/<name>/size")
def file_size(name):
    r = requests.get(f"{STORAGE_URL}/{name}", stream=True, timeout=TIMEOUT)  # ok: a throw-away session; CPython closes the response with the function's locals
    return jsonify(size=r.headers.get("Content-Length"))


@app.get("/files/<name>/type")
def file_type(name):
    r = HTTP.get(f"{STORAGE_URL}/{name}", stream=True, timeout=TIMEOUT)  # expect: HB101 "HTTP.get() streamed response (stream=True) is never closed" "handler 'file_type'" "leaks a pooled connection" "use `with`"
    return jsonify(type=r.headers.get("Content-Type"))


@app.get("/files/<name>/blob")
def file_blob(name):
    r = HTTP.get(f"{STORAGE_URL}/{name}", stream=True, timeout=TIMEOUT)  # ok: r.content reads the body in full, which releases the connection
    if r.status_code != 200:
        abort(502)
    return Response(r.content, content_type=r.headers["Content-Type"])


@app.get("/files/<name>/manifest")
def manifest(name):
    r = HTTP.get(f"{STORAGE_URL}/{name}/manifest.json", stream=True, timeout=TIMEOUT)  # ok: r.json() reads the body in full
    return jsonify(r.json())


class Mirror:
    """One per process: follows the storage API's change feed."""

    def open(self, name):
        self.feed = requests.get(f"{STORAGE_URL}/{name}/changes", stream=True, timeout=TIMEOUT)  # expect: HB101 "requests.get() streamed response (stream=True) is kept in self.feed and never read or closed" "holds its connection open as long as self.feed lives"

    def kind(self):
        return self.feed.headers["Content-Type"]


class ClosingMirror:
    def open(self, name):
        self.feed = requests.get(f"{STORAGE_URL}/{name}/changes", stream=True, timeout=TIMEOUT)  # ok: close() closes it

    def close(self):
        self.feed.close()


@app.get("/files/<name>/head")
def file_head(name):
    r = HTTP.get(f"{STORAGE_URL}/{name}", stream=True, timeout=TIMEOUT)  # expect: HB101 "HTTP.get() streamed response (stream=True) is closed only on the straight path" "handler 'file_head'" "use `with`"
    first = next(r.iter_lines())
    r.close()
    return jsonify(first=first.decode())


@app.get("/files/<name>/checksum")
def checksum(name):
    resp = requests.get(f"{STORAGE_URL}/{name}", stream=True, timeout=TIMEOUT)  # ok: closed in finally
    try:
        digest = 0
        for chunk in resp.iter_content(65536):
            digest ^= hash(chunk)
        return jsonify(digest=digest)
    finally:
        resp.close()


@app.get("/files/<name>/meta")
def meta(name):
    with requests.get(f"{STORAGE_URL}/{name}.json", stream=True, timeout=TIMEOUT) as r:  # ok: with block
        return jsonify(json.loads(r.raw.read()))


@app.get("/files/<name>")
def download(name):
    upstream = HTTP.get(f"{STORAGE_URL}/{name}", stream=True, timeout=TIMEOUT)  # ok: body handed to the response
    return Response(stream_with_context(upstream.iter_content(8192)), content_type=upstream.headers["Content-Type"])


@app.get("/files/<name>/raw")
def raw(name):
    upstream = requests.get(f"{STORAGE_URL}/{name}", stream=True, timeout=TIMEOUT)  # ok: returned to the caller
    return upstream


@app.get("/files/<name>/preview")
def preview(name):
    r = requests.get(f"{STORAGE_URL}/{name}", timeout=TIMEOUT)  # ok: not streamed
    return r.content[:1024]


@app.get("/files/<name>/lines")
def lines(name):
    with requests.Session() as s:
        r = s.get(f"{STORAGE_URL}/{name}", stream=True, timeout=TIMEOUT)  # ok: its session is closed by the with block
        return jsonify(lines=sum(1 for _ in r.iter_lines()))


@app.get("/files/<name>/first-line")
def first_line(name):
    stream_flag = request.args.get("stream") == "1"
    r = requests.get(f"{STORAGE_URL}/{name}", stream=stream_flag, timeout=TIMEOUT)  # ok: stream= is not a literal
    return r.text.splitlines()[0]


@app.get("/files/<name>/archive")
def archive(name):
    with contextlib.ExitStack() as stack:
        r = stack.enter_context(requests.get(f"{STORAGE_URL}/{name}", stream=True, timeout=TIMEOUT))  # ok: ExitStack owns it
        return jsonify(kind=r.headers.get("Content-Type"))


@app.get("/blobs/<key>")
def blob(key):
    r = POOL.request("GET", f"{STORAGE_URL}/{key}", preload_content=False)  # expect: HB101 "POOL.request() response (preload_content=False) is never closed" "handler 'blob'" "use `with`"
    if r.status != 200:
        abort(404)
    return Response(r.data, mimetype="application/octet-stream")


@app.get("/blobs/<key>/stream")
def blob_stream(key):
    r = POOL.request("GET", f"{STORAGE_URL}/{key}", preload_content=False)  # ok: released in finally
    try:
        return jsonify(size=len(r.read()))
    finally:
        r.release_conn()


@app.get("/blobs/<key>/copy")
def blob_copy(key):
    r = POOL.urlopen("GET", f"{STORAGE_URL}/{key}", preload_content=False)  # ok: handed to the response generator
    return Response(r.stream(32768), mimetype="application/octet-stream")


@app.get("/blobs/<key>/cached")
def blob_cached(key):
    r = POOL.request("GET", f"{STORAGE_URL}/{key}")  # ok: body preloaded
    return Response(r.data)


@app.get("/sync/<key>")
def sync_stream(key):
    stream = httpx.stream("GET", f"{STORAGE_URL}/{key}", timeout=10)  # expect: HB101 "httpx.stream() stream outside `with` is never closed" "handler 'sync_stream'" "use `with`"
    return jsonify(started=bool(stream))


@app.get("/sync/<key>/ok")
def sync_stream_ok(key):
    with httpx.stream("GET", f"{STORAGE_URL}/{key}", timeout=10) as r:  # ok: with block
        return jsonify(size=sum(len(c) for c in r.iter_bytes()))


async def relay(request):
    key = request.path_params["key"]
    req = ASYNC_CLIENT.build_request("GET", f"{STORAGE_URL}/{key}")
    upstream = await ASYNC_CLIENT.send(req, stream=True)  # ok: closed by the background task after streaming
    return StreamingResponse(upstream.aiter_raw(), background=BackgroundTask(upstream.aclose))


async def relay_status(request):
    key = request.path_params["key"]
    req = ASYNC_CLIENT.build_request("HEAD", f"{STORAGE_URL}/{key}")
    upstream = await ASYNC_CLIENT.send(req, stream=True)  # expect: HB101[col=22] "ASYNC_CLIENT.send() streamed response (stream=True) is never closed" "handler 'relay_status'" "use `with`"
    return StreamingResponse(iter([b""]), status_code=upstream.status_code)


async def thumbnail(request):
    key = request.match_info["key"]
    resp = await SESSION.get(f"{STORAGE_URL}/{key}/thumb")  # ok: await resp.read() reads the body in full, which releases the connection
    if resp.status != 200:
        return aiohttp.web.Response(status=502)
    return aiohttp.web.Response(body=await resp.read())


async def thumbnail_exists(request):
    key = request.match_info["key"]
    resp = await SESSION.get(f"{STORAGE_URL}/{key}/thumb")  # expect: HB101[col=18] "SESSION.get() response awaited outside `async with` is never closed" "handler 'thumbnail_exists'" "use `async with`"
    return aiohttp.web.Response(status=204 if resp.status == 200 else 404)


async def thumbnail_touch(request):
    key = request.match_info["key"]
    await SESSION.post(f"{STORAGE_URL}/{key}/touch", raise_for_status=True)  # ok: never bound, freed at once (aiohttp releases it)
    if (await SESSION.head(f"{STORAGE_URL}/{key}/thumb")).status != 200:  # ok: a temporary, freed once tested
        return aiohttp.web.Response(status=404)
    return aiohttp.web.Response(status=204)


async def thumbnail_stream(request):
    key = request.match_info["key"]
    resp = await SESSION.get(f"{STORAGE_URL}/{key}/thumb")  # ok: resp.content.read() reads the stream to its end
    return aiohttp.web.Response(body=await resp.content.read())


async def thumbnail_head(request):
    key = request.match_info["key"]
    resp = await SESSION.get(f"{STORAGE_URL}/{key}/thumb")  # expect: HB101 "SESSION.get() response awaited outside `async with` is never closed" "handler 'thumbnail_head'"
    return aiohttp.web.Response(body=await resp.content.read(1024))


async def thumbnail_meta(request):
    key = request.match_info["key"]
    resp = await SESSION.get(f"{STORAGE_URL}/{key}/thumb.json")  # ok: await resp.json() reads the body in full
    return aiohttp.web.json_response(await resp.json(content_type=None))


async def thumbnail_ok(request):
    key = request.match_info["key"]
    async with SESSION.get(f"{STORAGE_URL}/{key}/thumb") as resp:  # ok: async with
        return aiohttp.web.Response(body=await resp.read())


async def thumbnail_released(request):
    key = request.match_info["key"]
    resp = await SESSION.get(f"{STORAGE_URL}/{key}/thumb")  # ok: released in finally
    try:
        return aiohttp.web.Response(body=await resp.read())
    finally:
        resp.release()


async def thumbnail_owned(request):
    key = request.match_info["key"]
    async with aiohttp.ClientSession() as session:
        resp = await session.get(f"{STORAGE_URL}/{key}/thumb")  # ok: its session closes with the block
        return aiohttp.web.Response(body=await resp.read())


def fetch_report(name):
    # Not reached from any handler.
    r = requests.get(f"{STORAGE_URL}/reports/{name}", stream=True, timeout=TIMEOUT)  # ok: r.content reads the body in full
    return len(r.content)


def report_exists(name):
    # Not reached from any handler either: a leaked pooled connection is one anywhere.
    r = HTTP.get(f"{STORAGE_URL}/reports/{name}", stream=True, timeout=TIMEOUT)  # expect: HB101 "never closed" "function 'report_exists'" "use `with`"
    return r.status_code == 200



def report_copy(name, out):
    r = HTTP.get(f"{STORAGE_URL}/reports/{name}", stream=True, timeout=TIMEOUT)  # ok: the loop reads the body to its end
    if r.status_code != 200:
        raise LookupError(name)
    for chunk in r.iter_content(65536):
        if chunk:
            out.write(chunk)


def report_preamble(name, out):
    r = HTTP.get(f"{STORAGE_URL}/reports/{name}", stream=True, timeout=TIMEOUT)  # expect: HB101 "never closed" "function 'report_preamble'"
    for line in r.iter_lines():
        if not line.startswith(b"#"):
            break  # the rest of the body stays unread
        out.write(line)


async def thumbnail_copy(key, out):
    resp = await SESSION.get(f"{STORAGE_URL}/{key}/thumb")  # ok: async for over the body's chunks reads it to the end
    async for chunk in resp.content.iter_chunked(8192):
        await out.write(chunk)


async def thumbnail_first_chunk(key):
    resp = await SESSION.get(f"{STORAGE_URL}/{key}/thumb")  # expect: HB101[col=18] "SESSION.get() response awaited outside `async with` is never closed" "function 'thumbnail_first_chunk'"
    async for chunk in resp.content.iter_chunked(8192):
        return chunk

app.router.add_get("/relay/{key}", relay)
app.router.add_get("/relay/{key}/status", relay_status)
app.router.add_get("/thumb/{key}", thumbnail)
app.router.add_get("/thumb/{key}/exists", thumbnail_exists)
app.router.add_post("/thumb/{key}/touch", thumbnail_touch)
app.router.add_get("/thumb/{key}/meta", thumbnail_meta)
app.router.add_get("/thumb/{key}/stream", thumbnail_stream)
app.router.add_get("/thumb/{key}/head", thumbnail_head)
app.router.add_get("/thumb/{key}/ok", thumbnail_ok)
app.router.add_get("/thumb/{key}/released", thumbnail_released)
app.router.add_get("/thumb/{key}/owned", thumbnail_owned)
