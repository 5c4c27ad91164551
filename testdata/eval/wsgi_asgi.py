"""Raw WSGI and ASGI apps behind the legacy gateway."""
import asyncio
import json
import smtplib
import socket
import time
import urllib.request
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import requests

socket.setdefaulttimeout(15)


def application(environ, start_response):
    with urllib.request.urlopen("http://config.internal/flags") as r:  # ok: HB202 socket.setdefaulttimeout() at module level
        flags = json.load(r)
    start_response("200 OK", [("Content-Type", "application/json")])
    return [json.dumps(flags).encode()]


def upload_app(environ, start_response):
    stream = environ["wsgi.input"]
    total = 0
    while True:  # expect: HB304
        chunk = stream.read(65536)
        if chunk:
            total += len(chunk)
    start_response("200 OK", [])
    return [str(total).encode()]


def upload_app_v2(environ, start_response):
    stream = environ["wsgi.input"]
    total = 0
    while 1:  # ok: HB304 breaks on EOF
        chunk = stream.read(65536)
        if not chunk:
            break
        total += len(chunk)
    start_response("200 OK", [])
    return [str(total).encode()]


def report_app(environ, start_response):
    pool = ProcessPoolExecutor()  # expect: HB504
    rows = list(pool.map(_crunch, range(8)))
    start_response("200 OK", [])
    return [json.dumps(rows).encode()]


def report_app_v2(environ, start_response):
    pool = ThreadPoolExecutor(4)  # ok: HB504 shutdown in finally
    try:
        rows = list(pool.map(_crunch, range(8)))
    finally:
        pool.shutdown(wait=True)
    start_response("200 OK", [])
    return [json.dumps(rows).encode()]


def _crunch(n):
    return n * n


def forward_app(environ, start_response):
    r = requests.post("http://backend.internal/forward", data=environ["wsgi.input"].read())  # expect: HB201
    start_response(f"{r.status_code} OK", [])
    return [r.content]


class MailMiddleware:
    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") == "/contact":
            with smtplib.SMTP("localhost") as smtp:  # ok: HB202 socket.setdefaulttimeout() at module level
                smtp.sendmail("web@example.com", ["team@example.com"], environ["wsgi.input"].read())
        return self.app(environ, start_response)


async def asgi_app(scope, receive, send):
    if scope["type"] != "http":
        return
    time.sleep(0.1)  # expect: HB601
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


async def asgi_events(scope, receive, send):
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/event-stream")]})
    while True:  # ok: HB304 awaits in the loop
        await send({"type": "http.response.body", "body": b"data: tick\n\n", "more_body": True})
        await asyncio.sleep(1)


class ErrorMiddleware:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        try:
            await self.app(scope, receive, send)
        except BaseException:  # expect: HB602
            await send({"type": "http.response.start", "status": 500, "headers": []})
            await send({"type": "http.response.body", "body": b"error"})


class TimingMiddleware:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        start = time.perf_counter()
        try:
            await self.app(scope, receive, send)
        except BaseException:  # ok: HB602 re-raised
            scope["error"] = True
            raise
        finally:
            scope["duration"] = time.perf_counter() - start


def warmup():
    """Called once at import time by the gateway, not by a request."""
    pool = ThreadPoolExecutor(2)  # ok: HB504 not a handler
    pool.submit(_crunch, 1)
