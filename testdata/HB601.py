"""Report service: FastAPI endpoints that render reports, call upstream APIs and hand work to threads."""
import asyncio
import concurrent.futures
import os
import platform
import queue
import smtplib
import subprocess
import threading
import time
import urllib.request
from functools import lru_cache, partial
import functools
from time import sleep as pause

import httpx
import httpx2
import requests
import tornado.web
from fastapi import FastAPI, Request
from requests_oauthlib import OAuth2Session
from starlette.concurrency import run_in_threadpool
from tornado.concurrent import run_on_executor

from .memo import cache as memo_cache
from .settings import API_URL, RENDER_TIMEOUT, TIMEOUT

app = FastAPI()
SESSION = requests.Session()
SYNC_CLIENT = httpx.Client(timeout=10)
SYNC_CLIENT2 = httpx2.Client(timeout=10)
ASYNC_CLIENT = httpx.AsyncClient(timeout=10)
POOL = concurrent.futures.ThreadPoolExecutor(max_workers=4)
RENDER_QUEUE = queue.Queue(maxsize=100)
AUDIT_QUEUE = queue.Queue()
READY = threading.Event()
CACHE_LOCK = threading.Lock()
ASYNC_LOCK = asyncio.Lock()


@app.get("/reports/{rid}")
async def show_report(rid: str):
    time.sleep(0.5)  # expect: HB601 "time.sleep() blocks the event loop" "handler 'show_report'" "use await asyncio.sleep(...)"
    await asyncio.sleep(0.5)  # ok: asyncio.sleep is awaited
    time.sleep(0)  # ok: sleep(0) does not wait
    time.sleep(0.001)  # ok: a millisecond (distinct timestamps) stalls nothing
    time.sleep(0.02)  # expect: HB601 "time.sleep() blocks the event loop" "handler 'show_report'"
    pause(1)  # expect: HB601 "pause() blocks the event loop" "handler 'show_report'" "use await asyncio.sleep(...)"
    meta = requests.get(f"{API_URL}/reports/{rid}", timeout=TIMEOUT).json()  # expect: HB601 "requests.get() blocks the event loop" "handler 'show_report'" "use an async client"
    owner = SESSION.get(f"{API_URL}/owners/{meta['owner']}", timeout=TIMEOUT).json()  # expect: HB601 "SESSION.get() blocks the event loop" "handler 'show_report'" "use an async client"
    tags = SYNC_CLIENT.get(f"{API_URL}/tags/{rid}").json()  # expect: HB601 "SYNC_CLIENT.get() blocks the event loop" "handler 'show_report'" "use an async client"
    links = (await ASYNC_CLIENT.get(f"{API_URL}/links/{rid}")).json()  # ok: httpx.AsyncClient is awaited
    stats = httpx.get(f"{API_URL}/stats/{rid}").json()  # expect: HB601 "httpx.get() blocks the event loop" "handler 'show_report'" "use an async client"
    oauth = OAuth2Session("report-service")
    token = oauth.fetch_token(f"{API_URL}/token", timeout=TIMEOUT)  # expect: HB601 "oauth.fetch_token() blocks the event loop" "handler 'show_report'" "use an async client"
    oauth.close()
    return {"meta": meta, "owner": owner, "tags": tags, "links": links, "stats": stats, "token": token}


@app.post("/reports/{rid}/render")
async def render_report(rid: str, request: Request):
    body = await request.body()
    subprocess.run(["wkhtmltopdf", "-", f"/tmp/{rid}.pdf"], input=body, timeout=RENDER_TIMEOUT)  # expect: HB601 "subprocess.run() blocks the event loop" "handler 'render_report'" "use await asyncio.create_subprocess_exec(...)"
    thumb = subprocess.Popen(["convert", "-", "png:-"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    png, _ = thumb.communicate(body, RENDER_TIMEOUT)  # expect: HB601 "thumb.communicate() blocks the event loop" "handler 'render_report'"
    thumb.wait()  # ok: communicate() already waited for the exit
    meta = subprocess.Popen(["exiftool", f"/tmp/{rid}.pdf"], stdout=subprocess.PIPE)
    tags = meta.stdout.read()  # expect: HB601 "meta.stdout.read() blocks the event loop" "handler 'render_report'", HB204 "meta.stdout.read() reads the child's output to its end"
    proc = await asyncio.create_subprocess_exec("gzip", f"/tmp/{rid}.pdf")  # ok: asyncio subprocess
    await asyncio.wait_for(proc.wait(), RENDER_TIMEOUT)  # ok: asyncio process, awaited under a deadline
    capture = subprocess.Popen(["tshark", "-a", "duration:5"], stdout=subprocess.PIPE)
    if capture.poll() is None:
        capture.terminate()
    trace, _ = capture.communicate()  # ok: stopped or exited above, communicate() only collects the output
    lint = subprocess.Popen(["pdfinfo", f"/tmp/{rid}.pdf"], stdout=subprocess.PIPE)
    info, _ = lint.communicate()  # expect: HB601 "lint.communicate() blocks the event loop" "handler 'render_report'", HB204 "lint.communicate() has no timeout"
    await asyncio.to_thread(subprocess.run, ["sync"], timeout=60)  # ok: passed to to_thread, not called
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, lambda: subprocess.run(["sync"], timeout=60))  # ok: lambda runs in the executor
    await loop.run_in_executor(None, partial(write_archive, rid))  # ok: write_archive runs in the executor
    await run_in_threadpool(write_archive, rid)  # ok: starlette runs it in a thread
    await loop.run_in_executor(None, lambda: write_archive(rid))  # ok: called inside a lambda that runs in the executor
    return {"ok": True}


def write_archive(rid):
    # Only ever handed to an executor: runs in a worker thread.
    with urllib.request.urlopen(f"{API_URL}/archive/{rid}", timeout=TIMEOUT) as resp:  # ok: runs in a worker thread
        return resp.read()


@app.post("/jobs")
async def submit_job(payload: dict):
    RENDER_QUEUE.put(payload)  # expect: HB601 "RENDER_QUEUE.put() blocks the event loop" "handler 'submit_job'" "use the asyncio primitive"
    RENDER_QUEUE.put(payload, block=False)  # ok: non-blocking put
    AUDIT_QUEUE.put(payload)  # ok: unbounded queue, put never waits
    future = POOL.submit(render_sync, payload)
    result = future.result(timeout=30)  # expect: HB601 "future.result() blocks the event loop" "handler 'submit_job'" "await asyncio.wrap_future(...)"
    wrapped = await asyncio.wrap_future(POOL.submit(render_sync, payload))  # ok: awaited through wrap_future
    fresh = AUDIT_QUEUE.get(timeout=5)  # expect: HB601 "AUDIT_QUEUE.get() blocks the event loop" "handler 'submit_job'" "use the asyncio primitive"
    drained = AUDIT_QUEUE.get(block=False)  # ok: non-blocking get
    while not AUDIT_QUEUE.empty():
        drained = AUDIT_QUEUE.get()  # ok: the loop saw an item there, nothing else takes it on the loop
    pages = list(POOL.map(render_sync, payload["pages"]))  # expect: HB601 "POOL.map() blocks the event loop" "asyncio.gather"
    for page in POOL.map(render_sync, payload["pages"]):  # expect: HB601 "POOL.map() blocks the event loop"
        pages.append(page)
    later = POOL.map(render_sync, payload["pages"])  # ok: the iterator waits for nothing until it is read
    return {"result": result, "wrapped": wrapped, "fresh": fresh, "drained": drained, "pages": pages, "later": later}


@app.get("/health")
async def health():
    if not READY.wait(timeout=2):  # expect: HB601[col=12] "READY.wait() blocks the event loop" "handler 'health'" "use the asyncio primitive"
        return {"ready": False}
    READY.wait(0)  # ok: a zero timeout only polls
    ready_now = READY.is_set()  # ok: not a wait
    await ASYNC_LOCK.acquire()  # ok: asyncio lock, awaited
    try:
        warm = load_counts()  # expect: HB601[col=16] "load_counts() blocks the event loop" "handler 'health'" "it runs requests.Session.get() at line 129" "asyncio.to_thread"
    finally:
        ASYNC_LOCK.release()
    return {"ready": ready_now, "warm": warm}


def load_counts():
    # Called directly from the async handler above: runs on the event loop.
    if CACHE_LOCK.acquire(timeout=1):  # expect: HB601[col=8] "CACHE_LOCK.acquire() blocks the event loop" "handler 'health' via load_counts()" "use the asyncio primitive"
        try:
            return SESSION.get(f"{API_URL}/counts", timeout=TIMEOUT).json()  # expect: HB601[col=20] "SESSION.get() blocks the event loop" "handler 'health' via load_counts()" "use an async client"
        finally:
            CACHE_LOCK.release()
    if CACHE_LOCK.acquire(blocking=False):  # ok: non-blocking acquire
        CACHE_LOCK.release()
    return {}


@app.get("/sync-stats")
def sync_stats():
    # A sync endpoint: FastAPI runs it in its thread pool.
    time.sleep(0.1)  # ok: sync handler, not on the event loop
    return requests.get(f"{API_URL}/stats", timeout=TIMEOUT).json()  # ok: sync handler


def render_sync(payload):
    # Runs in the executor (passed to submit), never called on the loop.
    time.sleep(1)  # ok: runs in a worker thread
    return payload


def render_worker():
    # Consumer thread started at import time: blocking is its job.
    while True:
        job = RENDER_QUEUE.get()  # ok: worker thread, not on the event loop
        render_sync(job)


threading.Thread(target=render_worker, daemon=True).start()


async def warm_cache():
    # Background job, not a handler and not called from one.
    time.sleep(5)  # ok: not reached from a handler


@app.get("/export/{rid}")
async def export(rid: str, client=None):
    worker = threading.Thread(target=render_sync, args=(rid,))
    worker.start()
    worker.join(timeout=10)  # expect: HB601 "worker.join() blocks the event loop" "handler 'export'" "use the asyncio primitive"
    await asyncio.sleep(0)
    client.get(f"{API_URL}/export/{rid}")  # ok: receiver of unknown kind
    await client.get(f"{API_URL}/export/{rid}")  # ok: unknown receiver, awaited
    data = await fetch_export(rid)
    return data


async def fetch_export(rid):
    # An async helper awaited by a handler: also on the loop.
    if rid.startswith("data:"):
        with urllib.request.urlopen(rid, timeout=TIMEOUT) as resp:  # ok: a data: URL is decoded in memory
            return resp.read()
    with urllib.request.urlopen(f"{API_URL}/export/{rid}", timeout=TIMEOUT) as resp:  # expect: HB601[col=10] "urllib.request.urlopen() blocks the event loop" "handler 'export' via fetch_export()" "use an async client"
        return resp.read()


def ffmpeg_version(binary="ffmpeg"):
    with subprocess.Popen([binary, "-version"], stdout=subprocess.PIPE) as process:
        return process.communicate()[0]  # ok: HB601/HB204 the Popen only asks for the version


def locate(program):
    command = ["which", program]
    return subprocess.check_output(command)  # ok: HB601/HB204 which(1) looks the program up on PATH and returns


def ffmpeg_codecs(binary="ffmpeg"):
    return subprocess.check_output([binary, "-codecs"], timeout=10)  # ok: HB601 ffmpeg only lists the codecs it was built with


def ffmpeg_probe(path, binary="ffmpeg"):
    return subprocess.check_output([binary, "-hide_banner", "-i", path], timeout=10)  # expect: HB601 "subprocess.check_output() blocks the event loop" "handler 'ping' via ffmpeg_probe()"


@app.get("/ping")
async def ping():
    ffmpeg = ffmpeg_version()  # ok: HB601 the helper only asks ffmpeg for its version
    where = locate("ffmpeg")  # ok: HB601 the helper's command returns at once
    codecs = ffmpeg_codecs()  # ok: HB601 the helper's command lists codecs and exits
    probe = ffmpeg_probe("/srv/media/intro.mp4")  # expect: HB601 "ffmpeg_probe() blocks the event loop" "handler 'ping'" "at line 201"
    out = subprocess.check_output(["uptime"])  # expect: HB601 "subprocess.check_output() blocks the event loop" "handler 'ping'" "use await asyncio.create_subprocess_exec(...)", HB204 "subprocess.check_output() has no timeout" "handler 'ping'"
    node = subprocess.check_output(["node", "--version"])  # ok: HB601/HB204 asks the program about itself: back at once
    return {"uptime": out.decode(), "node": node.decode(), "ffmpeg": ffmpeg.decode(), "codecs": codecs.decode(), "probe": probe.decode(), "where": where}


@app.post("/ops/{name}")
async def run_ops(name: str):
    os.system(f"logrotate /etc/logrotate.d/{name}")  # expect: HB601 "os.system() blocks the event loop" "handler 'run_ops'" "asyncio.create_subprocess_exec"
    await asyncio.to_thread(os.system, "sync")  # ok: passed to to_thread, not called
    host = platform.system()  # ok: platform.system(), not os.system()
    disk = subprocess.getoutput("df -h /")  # expect: HB601 "subprocess.getoutput() blocks the event loop" "handler 'run_ops'"
    code, load = subprocess.getstatusoutput("uptime")  # expect: HB601 "subprocess.getstatusoutput() blocks the event loop" "handler 'run_ops'"
    version = os.popen("nginx -v").read()  # expect: HB601 "os.popen(...).read() blocks the event loop" "handler 'run_ops'"
    pipe = os.popen(f"tail -f /var/log/{name}.log")  # ok: opening the pipe does not wait
    subprocess.call(["xdg-open", f"/var/log/{name}.log"])  # ok: HB601/HB204 hands the file to the desktop and returns
    subprocess.call(["less", f"/var/log/{name}.log"])  # expect: HB601 "handler 'run_ops'", HB204 "handler 'run_ops'"
    os.spawnlp(os.P_WAIT, "tar", "tar", "czf", f"/tmp/{name}.tgz", f"/var/log/{name}")  # expect: HB601 "os.spawnlp() blocks the event loop" "handler 'run_ops'"
    os.spawnlp(os.P_NOWAIT, "gzip", "gzip", f"/tmp/{name}.tgz")  # ok: P_NOWAIT returns the pid at once
    os.posix_spawn("/usr/bin/touch", ["touch", f"/tmp/{name}.done"], {})  # ok: posix_spawn never waits
    child = os.fork()
    if child:
        os.waitpid(child, os.WNOHANG)  # ok: WNOHANG only polls
        pid, status = os.waitpid(child, 0)  # expect: HB601 "os.waitpid() blocks the event loop" "handler 'run_ops'" "await proc.wait()"
    return {"host": host, "disk": disk, "load": load, "version": version, "pipe": pipe.fileno(), "code": code}


@app.get("/v2/tags/{rid}")
async def tags_v2(rid: str):
    tags = SYNC_CLIENT2.get(f"{API_URL}/v2/tags/{rid}").json()  # expect: HB601 "SYNC_CLIENT2.get() blocks the event loop" "handler 'tags_v2'" "use an async client"
    stats = httpx2.get(f"{API_URL}/v2/stats/{rid}").json()  # expect: HB601 "httpx2.get() blocks the event loop" "handler 'tags_v2'"
    async with httpx2.AsyncClient(timeout=10) as client:
        links = (await client.get(f"{API_URL}/v2/links/{rid}")).json()  # ok: httpx2.AsyncClient is awaited
    loop = asyncio.get_running_loop()
    audit = asyncio.run_coroutine_threadsafe(asyncio.sleep(0, rid), loop).result(timeout=5)  # expect: HB601 "asyncio.run_coroutine_threadsafe(...).result() blocks the event loop" "handler 'tags_v2'"
    return {"tags": tags, "stats": stats, "links": links, "audit": audit}


import urllib3  # noqa: E402
from urllib3.poolmanager import PoolManager  # noqa: E402

MIRRORS = PoolManager(num_pools=4, timeout=urllib3.Timeout(connect=2, read=10))


@app.get("/mirror/{name}")
async def mirror(name: str):
    pool: urllib3.HTTPSConnectionPool = MIRRORS.connection_from_url(f"{API_URL}/mirror")  # ok: picks a pool, no I/O
    same = pool.is_same_host(f"{API_URL}/mirror/{name}")  # ok: compares URLs
    size = pool.num_connections  # ok: an attribute read
    head = pool.request("HEAD", f"/mirror/{name}")  # expect: HB601 "pool.request() blocks the event loop" "handler 'mirror'" "use an async client"
    pool.close()  # expect: HB601 "pool.close() blocks the event loop" "handler 'mirror'"
    pool: urllib3.util.Retry = urllib3.util.Retry(total=3)
    pool.increment()  # ok: the name now holds a Retry, not a pool
    MIRRORS.connection_from_host("mirror.internal").urlopen("GET", f"/{name}")  # expect: HB601 "MIRRORS.connection_from_host(...).urlopen() blocks the event loop" "handler 'mirror'"
    MIRRORS.clear()  # expect: HB601 "MIRRORS.clear() blocks the event loop" "handler 'mirror'"
    await asyncio.to_thread(MIRRORS.clear)  # ok: handed to a thread, not called
    return {"same": same, "size": size, "status": head.status}


@app.get("/export/{rid}")
async def export(rid: str):
    client = httpx.Client(timeout=10)
    try:
        body = await asyncio.to_thread(client.get, f"{API_URL}/export/{rid}")  # ok: runs in a thread
    finally:
        client.close()  # expect: HB601 "client.close() blocks the event loop" "handler 'export'" "await client.aclose()"
    async with httpx.AsyncClient(timeout=10) as session:
        await session.aclose()  # ok: the async client's close is awaited
    other = httpx.AsyncClient(timeout=10)
    await other.aclose()  # ok: awaited
    return body.json()


def send_welcome(address):
    # A plain helper, also used by the signup worker thread.
    with smtplib.SMTP("mail.internal", 587, timeout=10) as smtp:  # expect: HB601 "smtplib.SMTP() blocks the event loop" "handler 'signup' via send_welcome()"
        smtp.sendmail("noreply@example.com", [address], "Welcome!")  # expect: HB601 "smtp.sendmail() blocks the event loop" "handler 'signup' via send_welcome()"


@app.post("/signup")
async def signup(address: str):
    relay = smtplib.SMTP("mail.internal", 587, timeout=10)  # expect: HB601 "smtplib.SMTP() blocks the event loop" "handler 'signup'" "aiosmtplib"
    relay.quit()  # expect: HB601 "relay.quit() blocks the event loop" "aiosmtplib"
    draft = smtplib.SMTP(timeout=10)  # ok: no host given: nothing connects yet
    if address.endswith("@partner.example"):
        draft.connect("relay.partner.example", 587)  # expect: HB601 "draft.connect() blocks the event loop"
        await asyncio.to_thread(draft.sendmail, "noreply@example.com", [address], "Welcome!")  # ok: in a thread
    send_welcome(address)  # expect: HB601 "send_welcome() blocks the event loop" "it runs smtplib.SMTP() at line"
    await asyncio.to_thread(send_welcome, address)  # ok: handed to a thread
    return {"queued": True, "draft": draft is not None}


@lru_cache(maxsize=1)
def gpu_vendor():
    # First-use set-up: the body runs at the first call, later calls return the kept value.
    found = subprocess.run(["nvidia-smi", "-L"], capture_output=True, timeout=5)  # ok: runs once per process
    return "nvidia" if found.returncode == 0 else None


@functools.cache
def region_settings():
    return SESSION.get(f"{API_URL}/region", timeout=TIMEOUT).json()  # ok: runs once per process


@lru_cache(maxsize=256)
def host_address(host):
    # Cached per argument: each new host is looked up on the loop.
    return SESSION.get(f"{API_URL}/hosts/{host}", timeout=TIMEOUT).json()  # expect: HB601 "SESSION.get() blocks the event loop" "handler 'usage' via host_address()"


@memo_cache
def quota_table():
    # The project's own ``cache``, not functools': nothing says it runs once.
    return SESSION.get(f"{API_URL}/quota", timeout=TIMEOUT).json()  # expect: HB601 "SESSION.get() blocks the event loop" "handler 'usage' via quota_table()"


@app.get("/usage")
async def usage(host: str):
    vendor = gpu_vendor()  # ok: first-use set-up, cached
    region = region_settings()  # ok: first-use set-up, cached
    address = host_address(host)  # expect: HB601 "host_address() blocks the event loop" "handler 'usage'"
    quota = quota_table()  # expect: HB601 "quota_table() blocks the event loop" "handler 'usage'"
    return {"vendor": vendor, "region": region, "address": address, "quota": quota}


class ThumbHandler(tornado.web.RequestHandler):
    executor = concurrent.futures.ThreadPoolExecutor(max_workers=4)

    @run_on_executor
    def fetch_thumb(self, rid):
        # tornado's decorator runs the body on self.executor: the handler awaits its future.
        return SESSION.get(f"{API_URL}/thumbs/{rid}", timeout=TIMEOUT).content  # ok: runs in the executor

    def fetch_meta(self, rid):
        return SESSION.get(f"{API_URL}/meta/{rid}", timeout=TIMEOUT).json()  # expect: HB601 "SESSION.get() blocks the event loop" "handler 'ThumbHandler.get' via ThumbHandler.fetch_meta()"

    async def get(self, rid):
        thumb = await self.fetch_thumb(rid)  # ok: run_on_executor hands the call to a worker thread
        meta = self.fetch_meta(rid)  # expect: HB601 "self.fetch_meta() blocks the event loop" "handler 'ThumbHandler.get'"
        self.finish({"thumb": len(thumb), "meta": meta})


from anthropic import Anthropic, AsyncAnthropic  # noqa: E402
from google import genai  # noqa: E402
from mistralai import Mistral  # noqa: E402
import openai  # noqa: E402

SUMMARISER = openai.OpenAI(timeout=30)
ASYNC_SUMMARISER = openai.AsyncOpenAI(timeout=30)


class TokenCounter:
    def __init__(self, key):
        self.client = Anthropic(api_key=key)
        self.async_client = AsyncAnthropic(api_key=key)

    def count(self, text):
        # The SDK's sync client: an HTTP round trip on the calling thread.
        return self.client.messages.count_tokens(model="claude", messages=[{"role": "user", "content": text}])  # expect: HB601 "self.client.messages.count_tokens() blocks the event loop" "handler 'summarise' via TokenCounter.count()"

    async def count_async(self, text):
        return await self.async_client.messages.count_tokens(model="claude", messages=[])  # ok: the async client, awaited


@app.post("/summarise")
async def summarise(text: str, key: str):
    counter = TokenCounter(key)
    tokens = counter.count(text)  # expect: HB601 "counter.count() blocks the event loop" "handler 'summarise'" "anthropic.Anthropic.messages.count_tokens()"
    await counter.count_async(text)  # ok: awaited coroutine
    reply = SUMMARISER.chat.completions.create(model="gpt", messages=[])  # expect: HB601 "SUMMARISER.chat.completions.create() blocks the event loop" "handler 'summarise'" "openai.AsyncOpenAI"
    voice = SUMMARISER.with_options(timeout=5).audio.speech.create(model="tts-1", input=text)  # expect: HB601 "SUMMARISER.with_options(...).audio.speech.create() blocks the event loop"
    quick = SUMMARISER.with_options(max_retries=0)  # ok: a copy of the client, no request
    if SUMMARISER.is_closed():  # ok: reads the client's own state, no request
        return {"error": "closed"}
    legacy = openai.moderations.create(input=text)  # expect: HB601 "openai.moderations.create() blocks the event loop" "handler 'summarise'"
    again = await ASYNC_SUMMARISER.chat.completions.create(model="gpt", messages=[])  # ok: the async client
    offloaded = await asyncio.to_thread(SUMMARISER.embeddings.create, model="e", input=text)  # ok: in a thread
    gemini = genai.Client()  # expect: HB203 "genai.Client() has no timeout" "handler 'summarise'"
    answer = await gemini.aio.models.generate_content(model="gemini", contents=text)  # ok: the client's async side
    mistral = Mistral(api_key=key)
    draft = await mistral.chat.complete_async(model="small", messages=[])  # ok: the async method of the client
    return {"tokens": tokens, "reply": reply, "voice": voice, "quick": quick, "legacy": legacy, "again": again,
            "offloaded": offloaded, "answer": answer, "draft": draft, "sync": gemini.models.list()}  # expect: HB601 "gemini.models.list() blocks the event loop"


@app.post("/openai-events")
async def openai_events(request: Request):
    body = await request.body()
    event = SUMMARISER.webhooks.unwrap(body.decode(), request.headers)  # ok: checks the signature locally, no request
    SUMMARISER.webhooks.verify_signature(body.decode(), request.headers)  # ok: an HMAC, no request
    return {"type": event.type}


@app.post("/summarise-sync")
def summarise_sync(text: str):
    # A sync endpoint: FastAPI runs it in a worker thread, off the loop.
    return SUMMARISER.chat.completions.create(model="gpt", messages=[{"role": "user", "content": text}])  # ok: not on the loop


import ollama  # noqa: E402


@app.post("/local-chat")
async def local_chat(prompt: str):
    client = ollama.Client(host="http://ollama:11434")  # expect: HB203 "ollama.Client() has no timeout"
    reply = client.chat(model="llama3", messages=[{"role": "user", "content": prompt}])  # expect: HB601 "client.chat() blocks the event loop" "handler 'local_chat'" "ollama.AsyncClient"
    message = reply.get("message", {})  # ok: a field of the response, no request
    text = message.get("content", "")  # ok: a dict's get
    summary = ollama.generate(model="llama3", prompt=text)  # expect: HB601 "ollama.generate() blocks the event loop" "handler 'local_chat'"
    return {"text": text, "summary": summary.get("response")}  # ok: the response's field


import boto3  # noqa: E402
from pymongo import MongoClient  # noqa: E402

MEDIA = boto3.client("s3", region_name="eu-west-1")
MONGO = MongoClient("mongodb://mongo:27017", serverSelectionTimeoutMS=2000)
AUDIT = MONGO.reports.audit
REPORTS = MONGO["reports"]


@app.post("/media/{key}")
async def store_media(key: str, request: Request):
    body = await request.body()
    MEDIA.put_object(Bucket="media", Key=key, Body=body)  # expect: HB601 "MEDIA.put_object() blocks the event loop" "handler 'store_media'" "aioboto3"
    link = MEDIA.generate_presigned_url("get_object", Params={"Bucket": "media", "Key": key})  # ok: signed locally
    token = boto3.client("rds").generate_db_auth_token("db.internal", 3306, "app")  # ok: an IAM token signed locally
    pages = MEDIA.get_paginator("list_objects_v2")  # ok: a paginator object, no request yet
    missing = MEDIA.exceptions.NoSuchKey  # ok: an exception class
    await asyncio.to_thread(MEDIA.delete_object, Bucket="media", Key=f"{key}.tmp")  # ok: in a thread
    AUDIT.insert_one({"key": key, "size": len(body)})  # expect: HB601 "AUDIT.insert_one() blocks the event loop" "handler 'store_media'"
    archive = MONGO.get_database("archive").get_collection("media")  # ok: handles, no request
    REPORTS["uploads"].insert_one({"key": key})  # expect: HB601 ".insert_one() blocks the event loop" "handler 'store_media'"
    backups = MONGO["archive"]["backups"]  # ok: a collection taken by subscript, no request
    if backups.name in REPORTS.list_collection_names():  # expect: HB601 "REPORTS.list_collection_names() blocks"
        return {"link": link}
    return {"link": link, "pages": pages is not None, "missing": missing.__name__, "archive": archive.name,
            "token": bool(token)}


import redis  # noqa: E402
from rq import Queue  # noqa: E402

CACHE = redis.Redis.from_url("redis://cache:6379/0", socket_timeout=2)
JOBS = Queue("reports", connection=CACHE)


@app.post("/reports/{key}")
async def queue_report(key: str):
    if CACHE.get(f"report:{key}"):  # expect: HB601 "CACHE.get() blocks the event loop" "handler 'queue_report'" "redis.asyncio"
        return {"cached": True}
    JOBS.enqueue("reports.build", key)  # expect: HB601 "JOBS.enqueue() blocks the event loop" "handler 'queue_report'"
    with CACHE.pipeline() as pipe:  # ok: a pipeline buffers its commands
        pipe.incr("reports:queued")  # ok: buffered
        pipe.expire("reports:queued", 3600)  # ok: buffered
        pipe.execute()  # expect: HB601 "pipe.execute() blocks the event loop" "handler 'queue_report'"
    guard = CACHE.lock(f"report-lock:{key}", timeout=30)  # ok: a lock object, built locally
    await asyncio.to_thread(CACHE.delete, f"report:{key}")  # ok: in a thread
    fresh = redis.Redis.from_url("redis://cache:6379/1", socket_timeout=2)  # ok: connects on its first command
    return {"queued": True, "guard": guard.name, "fresh": fresh is not None}


USERS = boto3.resource("dynamodb", region_name="eu-west-1").Table("users")  # ok: builds a resource, no request
ASSETS = boto3.Session().resource("s3").Bucket("assets")  # ok: builds a resource, no request


class TokenStore:
    def __init__(self):
        self.table = boto3.resource("dynamodb").Table("tokens")  # ok: builds a resource, no request

    async def save(self, user, token):
        self.table.put_item(Item={"user": user, "token": token})  # expect: HB601 "self.table.put_item() blocks the event loop" "handler 'login' via TokenStore.save()" "aioboto3"


@app.post("/login/{user}")
async def login(user: str):
    profile = USERS.get_item(Key={"user": user})  # expect: HB601 "USERS.get_item() blocks the event loop" "handler 'login'"
    listing = ASSETS.objects.filter(Prefix=user)  # ok: a collection, requested when iterated
    logo = ASSETS.Object(f"{user}/logo.png")  # ok: builds a resource, no request
    await TokenStore().save(user, profile.get("Item", {}).get("token"))
    await asyncio.to_thread(USERS.delete_item, Key={"user": f"{user}-stale"})  # ok: in a thread
    return {"listing": listing is not None, "logo": logo.key}


import http.client  # noqa: E402


def serper_search(query):
    # A plain http.client round trip: the constructor only stores the host, request() and getresponse() wait.
    conn = http.client.HTTPSConnection("google.serper.dev", timeout=10)  # ok: builds the connection, nothing sent yet
    try:
        conn.request("POST", "/search", body=query)  # expect: HB601 "conn.request() blocks the event loop" "handler 'web_search' via serper_search()"
        return conn.getresponse().read()  # expect: HB601 "conn.getresponse() blocks the event loop" "handler 'web_search' via serper_search()"
    finally:
        conn.close()


@app.get("/web-search")
async def web_search(q: str):
    raw = serper_search(q)  # expect: HB601 "serper_search() blocks the event loop" "http.client.HTTPSConnection.request()"
    cached = await asyncio.to_thread(serper_search, f"{q} site:docs")  # ok: in a thread
    return {"raw": raw, "cached": cached}


import sqlite3  # noqa: E402

import psycopg2  # noqa: E402


@app.get("/reports/{rid}/rows")
async def report_rows(rid: str):
    conn = psycopg2.connect(host="warehouse", dbname="reports", connect_timeout=5)  # expect: HB601 "psycopg2.connect() blocks the event loop" "handler 'report_rows'" "an async driver"
    try:
        with conn.cursor() as cur:  # ok: a cursor is made locally
            cur.execute("SELECT * FROM rows WHERE report = %s", (rid,))  # expect: HB601 "cur.execute() blocks the event loop" "handler 'report_rows'"
            rows = cur.fetchall()  # ok: the rows execute() brought back
        conn.commit()  # ok: the short round trip after the reported execute()
    finally:
        conn.close()  # ok: closes the socket
    cache = sqlite3.connect("reports.db")  # ok: a local file, not a network connection
    return {"rows": rows, "cached": cache is not None}


from tavily import AsyncTavilyClient, TavilyClient  # noqa: E402


class WebSearch:
    def __init__(self, key):
        self.client = TavilyClient(api_key=key)
        self.async_client = AsyncTavilyClient(api_key=key)

    def quick_search(self, query):
        return self.client.search(query=query, max_results=5)  # expect: HB601 "self.client.search() blocks the event loop" "handler 'ask_web' via WebSearch.quick_search()" "tavily.AsyncTavilyClient"


@app.get("/ask-web")
async def ask_web(q: str, key: str):
    search = WebSearch(key)
    found = search.quick_search(q)  # expect: HB601 "search.quick_search() blocks the event loop" "handler 'ask_web'"
    deeper = await search.async_client.search(query=q, search_depth="advanced")  # ok: the async client, awaited
    return {"found": found, "deeper": deeper}


def report_rows(rid):
    for page in range(3):
        # Reported through count_rows only: export_rows hands the generator to Starlette's threads.
        yield requests.get(f"{API_URL}/reports/{rid}/rows/{page}", timeout=TIMEOUT).text  # expect: HB601 "handler 'count_rows' via report_rows()"


@app.get("/reports/{rid}/rows.csv")
async def export_rows(rid: str):
    from starlette.responses import StreamingResponse

    rows = report_rows(rid)  # ok: the generator is handed on, not iterated here
    return StreamingResponse(rows, media_type="text/csv")


@app.get("/reports/{rid}/rows/count")
async def count_rows(rid: str):
    return {"rows": sum(1 for _row in report_rows(rid))}  # expect: HB601 "report_rows() blocks the event loop"


from contextlib import asynccontextmanager, contextmanager  # noqa: E402

_domain_slots = threading.BoundedSemaphore(2)


@contextmanager
def domain_slot(url):
    # Entered with `with`: its body up to the yield runs where the `with` is, on the loop here.
    _domain_slots.acquire()  # expect: HB601 "_domain_slots.acquire() blocks the event loop" "handler 'scrape_page' via fetch_page() -> domain_slot()"
    try:
        pause(0.2)  # expect: HB601 "pause() blocks the event loop" "handler 'scrape_page' via fetch_page() -> domain_slot()"
        yield url
    finally:
        _domain_slots.release()


@contextmanager
def timed(label):
    started = time.monotonic()  # ok: reads the clock, waits on nothing
    yield label
    print(label, time.monotonic() - started)


@asynccontextmanager
async def paced(url):
    await asyncio.sleep(0.1)  # ok: the loop's own sleep
    yield url


def fetch_page(url):
    with domain_slot(url):
        return url


def page_lines(url):
    yield from url.splitlines()


@app.get("/v2/scrape")
async def scrape_page(url: str):
    with timed("scrape"):  # ok: a context manager that blocks on nothing
        page = fetch_page(url)  # expect: HB601 "fetch_page() blocks the event loop" "handler 'scrape_page'" "via domain_slot()"
    async with paced(url):  # ok: awaits asyncio.sleep only
        lines = page_lines(page)  # ok: a plain generator, made and not iterated here
    return {"lines": lines}


from qdrant_client import AsyncQdrantClient, QdrantClient  # noqa: E402


class ChunkStore:
    def __init__(self, url):
        self.client = QdrantClient(url=url, timeout=10)
        self.async_client = AsyncQdrantClient(url=url, timeout=10)

    async def search(self, vector):
        return self.client.query_points(collection_name="chunks", query=vector, limit=5)  # expect: HB601 "self.client.query_points() blocks the event loop" "qdrant_client.AsyncQdrantClient"

    async def search_async(self, vector):
        return await self.async_client.query_points(collection_name="chunks", query=vector, limit=5)  # ok: the async client

    def reconnect(self, url):
        old, self.client = self.client, None  # item by item: the client is still a QdrantClient or None
        old.close()
        self.client = QdrantClient(url=url, timeout=10)


CHUNKS = ChunkStore("http://qdrant:6333")


@app.post("/ask")
async def ask(vector: list):
    hits = await CHUNKS.search(vector)
    more = await CHUNKS.search_async(vector)
    return {"hits": hits, "more": more}


# A chat bot's message webhook: the NLU services and the chat platform's own SDK are synchronous.
from ibm_watson import AssistantV2  # noqa: E402
from webexteamssdk import WebexTeamsAPI  # noqa: E402

WEBEX = WebexTeamsAPI(access_token=os.environ.get("WEBEX_TOKEN"))


async def understand(text):
    service = AssistantV2(version="2021-06-14", authenticator=None)
    service.set_service_url("https://api.eu-gb.assistant.watson.cloud.ibm.com")  # ok: a setting, kept locally
    session = service.create_session(assistant_id="a1").get_result()  # expect: HB601 "service.create_session() blocks the event loop"
    reply = service.message(assistant_id="a1", session_id=session["session_id"], input={"text": text})  # expect: HB601 "service.message() blocks the event loop"
    return await asyncio.to_thread(service.delete_session, "a1", session["session_id"]) or reply  # ok: in a thread


@app.post("/webex/messages")
async def webex_message(request: Request):
    event = await request.json()
    message = WEBEX.messages.get(event["data"]["id"])  # expect: HB601 "WEBEX.messages.get() blocks the event loop" "handler 'webex_message'"
    return await understand(message.text)


class ExportEndpoints:
    """Routes registered as bound methods of an instance (kserve's endpoint classes)."""

    async def export(self, report_id: int):
        time.sleep(1)  # expect: HB601 "handler 'ExportEndpoints.export'"
        return {"id": report_id}

    async def preview(self, report_id: int):
        time.sleep(1)  # not registered: not a handler, and no handler calls it
        return {"id": report_id}


def register_exports(router) -> None:
    endpoints = ExportEndpoints()
    router.add_api_route("/reports/{report_id}/export", endpoints.export, methods=["POST"])


_THREAD_STATE = threading.local()


def media_session() -> requests.Session:
    """A session per thread: two values reach the return, the annotation says what it is."""
    session = getattr(_THREAD_STATE, "session", None)
    if session is None:
        session = _THREAD_STATE.session = requests.Session()
    return session


def fetch_media(url: str) -> bytes:
    session = media_session()
    with session.get(url, timeout=TIMEOUT) as response:  # expect: HB601 "session.get() blocks the event loop" "handler 'attach_media' via fetch_media()"
        return response.content


@app.post("/reports/{rid}/media")
async def attach_media(rid: int, url: str):
    return {"size": len(fetch_media(url))}  # expect: HB601 "fetch_media() blocks the event loop" "it runs requests.Session.get() at line"


import ldap  # noqa: E402


@app.post("/reports/{rid}/share")
async def share_report(rid: int, uid: str):
    directory = ldap.initialize("ldap://directory.internal")
    directory.timeout = 5  # bounded, yet every answer is still waited for on the loop
    directory.simple_bind_s()  # expect: HB601 "directory.simple_bind_s() blocks the event loop" "handler 'share_report'" "an async LDAP client"
    entries = await asyncio.to_thread(directory.search_s, f"uid={uid},ou=people,dc=example,dc=org", ldap.SCOPE_BASE)  # ok: in a thread
    directory.set_option(ldap.OPT_REFERRALS, 0)  # ok: sets an option locally
    return {"shared_with": len(entries)}


import git  # noqa: E402


@app.post("/reports/{rid}/templates")
async def pull_templates(rid: int):
    templates = git.Repo("/srv/report-templates")
    templates.remotes.origin.pull(kill_after_timeout=30)  # expect: HB601 "templates.remotes.origin.pull() blocks the event loop" "handler 'pull_templates'"
    await asyncio.to_thread(templates.remotes.origin.fetch, kill_after_timeout=30)  # ok: in a thread
    templates.git.rev_parse("HEAD")  # ok: a local git command (no remote to wait on)
    return {"head": templates.head.commit.hexsha}


import docker  # noqa: E402
import keyring  # noqa: E402
import ldap3  # noqa: E402
import pam  # noqa: E402
import pamela  # noqa: E402

DOCKER = docker.from_env()
REPORT_AUTO_BIND = os.environ.get("REPORT_LDAP_AUTO_BIND", "NONE")


@app.post("/reports/{rid}/login")
async def report_login(user: str, password: str):
    pamela.authenticate(user, password)  # expect: HB601 "pamela.authenticate() blocks the event loop" "handler 'report_login'" "worker thread"
    await asyncio.to_thread(pamela.open_session, user)  # ok: in a thread
    keyring.set_password("reports", user, password)  # expect: HB601 "keyring.set_password() blocks the event loop"
    pam.authenticate(user, password, service="login")  # expect: HB601 "pam.authenticate() blocks the event loop" "handler 'report_login'"
    checker = pam.pam()
    checker.authenticate(user, password)  # expect: HB601 "checker.authenticate() blocks the event loop"
    await asyncio.to_thread(checker.authenticate, user, password)  # ok: in a thread
    token = await asyncio.to_thread(keyring.get_password, "reports", user)  # ok: in a thread
    return {"token": token}


@app.post("/reports/{rid}/sandbox")
async def report_sandbox(rid: int):
    image = DOCKER.images.get("report-renderer:latest")  # expect: HB601 "DOCKER.images.get() blocks the event loop" "aiodocker"
    runner = await asyncio.to_thread(DOCKER.containers.run, image, detach=True)  # ok: in a thread
    DOCKER.close()  # ok: closes its own sockets
    return {"runner": runner.id}


@app.post("/reports/{rid}/sandbox/refresh")
async def report_sandbox_refresh(rid: int, runner: docker.models.containers.Container):
    runner.reload()  # expect: HB601 "runner.reload() blocks the event loop" "handler 'report_sandbox_refresh'" "aiodocker"
    state = runner.status  # ok: an attribute the reload() filled in
    logs = await asyncio.to_thread(runner.logs, tail=50)  # ok: in a thread
    return {"state": state, "logs": logs.decode()}


@app.get("/reports/{rid}/owners")
async def report_owners(rid: int):
    directory = ldap3.Connection(ldap3.Server("ldap://directory.internal", connect_timeout=5), receive_timeout=10)
    directory.bind()  # expect: HB601 "directory.bind() blocks the event loop" "handler 'report_owners'"
    found = await asyncio.to_thread(directory.search, "ou=reports,dc=example,dc=org", f"(report={rid})")  # ok: in a thread
    return {"owners": found}


@app.post("/reports/{rid}/owners/login")
async def report_owner_login(rid: int, user: str, password: str):
    server = ldap3.Server("ldap://directory.internal", connect_timeout=5)
    bound = ldap3.Connection(server, user, password, auto_bind=True, receive_timeout=10)  # expect: HB601 "ldap3.Connection() blocks the event loop" "handler 'report_owner_login'" "bonsai"
    secured = ldap3.Connection(server, user, password, ldap3.AUTO_BIND_TLS_BEFORE_BIND, receive_timeout=10)  # expect: HB601 "ldap3.Connection() blocks the event loop"
    lazy = ldap3.Connection(server, user, password, auto_bind=ldap3.AUTO_BIND_NONE, receive_timeout=10)  # ok: binds on bind()
    configured = ldap3.Connection(server, user, password, auto_bind=REPORT_AUTO_BIND, receive_timeout=10)  # ok: a mode not known here
    in_thread = await asyncio.to_thread(ldap3.Connection, server, user, password, auto_bind=True)  # ok: in a thread
    return {"owners": [bound.extend.standard.who_am_i(), secured, lazy, configured, in_thread]}  # expect: HB601 "who_am_i() blocks"


import paramiko  # noqa: E402


@app.post("/reports/{rid}/publish")
async def report_publish(rid: int, host: str):
    ssh = paramiko.SSHClient()
    ssh.set_missing_host_key_policy(paramiko.AutoAddPolicy())  # ok: a setting kept locally
    ssh.load_system_host_keys()  # ok: reads the known_hosts file
    ssh.connect(host, username="reports", timeout=10)  # expect: HB601 "ssh.connect() blocks the event loop" "handler 'report_publish'" "asyncssh"
    try:
        _, stdout, _ = ssh.exec_command(f"publish-report {rid}", timeout=60)  # expect: HB601 "ssh.exec_command() blocks the event loop"
        sftp = await asyncio.to_thread(ssh.open_sftp)  # ok: in a thread
        await asyncio.to_thread(sftp.put, f"/srv/reports/{rid}.pdf", f"/var/www/{rid}.pdf")  # ok: in a thread
        return {"published": stdout.channel.exit_status_ready()}
    finally:
        ssh.close()  # ok: closes the client


from google.auth.transport import requests as google_requests  # noqa: E402
from google.auth.transport.requests import AuthorizedSession  # noqa: E402
from google.oauth2 import id_token, service_account  # noqa: E402

GOOGLE_CLIENT_ID = "reports.apps.googleusercontent.com"


@app.post("/reports/sign-in")
async def report_sign_in(credential: str, session=None):
    claims = id_token.verify_oauth2_token(credential, google_requests.Request(), GOOGLE_CLIENT_ID)  # expect: HB601 "id_token.verify_oauth2_token() blocks the event loop" "handler 'report_sign_in'" "google.auth.aio"
    again = await asyncio.to_thread(id_token.verify_oauth2_token, credential, google_requests.Request(), GOOGLE_CLIENT_ID)  # ok: in a thread
    token = _directory_token(claims["hd"])  # expect: HB601 "_directory_token() blocks the event loop" "it runs google.auth.transport.requests.Request.__call__() at line"
    transport = google_requests.Request()
    owner = service_account.Credentials.from_service_account_file("/etc/reports/owner.json")
    owner.refresh(transport)  # expect: HB601 "owner.refresh() blocks the event loop"
    owner.refresh(session)  # ok: a transport of unknown kind
    directory = AuthorizedSession(owner, auth_request=transport)  # ok: keeps the transport for later refreshes
    await asyncio.to_thread(owner.refresh, transport)  # ok: in a thread
    return {"user": again["email"], "token": token, "expired": owner.expired, "directory": directory.credentials}


def _directory_token(domain):
    credentials = service_account.Credentials.from_service_account_file("/etc/reports/dir.json", subject=domain)
    credentials.refresh(google_requests.Request())  # expect: HB601 "credentials.refresh() blocks the event loop" "handler 'report_sign_in' via _directory_token()"
    return credentials.token


import jwt  # noqa: E402

JWKS = jwt.PyJWKClient("https://login.example.com/.well-known/jwks.json")


@app.get("/me")
async def me(request: Request):
    token = request.headers["authorization"].removeprefix("Bearer ")
    signing_key = JWKS.get_signing_key_from_jwt(token)  # expect: HB601 "JWKS.get_signing_key_from_jwt() blocks the event loop" "keys fetched at startup"
    claims = jwt.decode(token, signing_key.key, algorithms=["RS256"])  # ok: decoding is local
    return {"sub": claims["sub"]}


@app.get("/me/threaded")
async def me_threaded(request: Request):
    token = request.headers["authorization"].removeprefix("Bearer ")
    signing_key = await asyncio.to_thread(JWKS.get_signing_key_from_jwt, token)  # ok: in a worker thread
    keys = JWKS.get_jwk_set()  # expect: HB601 "JWKS.get_jwk_set() blocks the event loop"
    chosen = jwt.PyJWKClient.match_kid(keys.keys, "main")  # ok: a lookup in the key set it is given
    return {"kid": signing_key.key_id, "chosen": chosen is not None}


def _aws_session(profile=None):
    # Either branch builds a boto3 Session: the conditional is one.
    try:
        return boto3.Session(profile_name=profile) if profile else boto3.Session()
    except Exception:
        return boto3.Session()


def _settings_or_default(settings=None):
    return settings if settings else boto3.Session()  # a parameter on one side: of unknown kind


@app.post("/memory/index")
async def create_memory_index(name: str, profile: str = ""):
    client = _aws_session(profile).client("opensearch")
    client.create_index(domainName="mem", indexName=name)  # expect: HB601 "client.create_index() blocks the event loop" "handler 'create_memory_index'"
    other = _settings_or_default(profile or None).client("opensearch")
    other.create_index(domainName="mem", indexName=name)  # ok: the session's kind is unknown
    fresh = _settings_or_default(None).client("opensearch")  # the literal None picks boto3.Session()
    fresh.create_index(domainName="mem", indexName=name)  # expect: HB601 "fresh.create_index() blocks the event loop"
    return {"created": name}


import pytesseract  # noqa: E402
from pdf2image import convert_from_bytes  # noqa: E402


@app.post("/ocr")
async def ocr_pdf(body: bytes):
    pages = convert_from_bytes(body, dpi=200)  # expect: HB601 "convert_from_bytes() blocks the event loop" "asyncio.to_thread"
    text = [pytesseract.image_to_string(page) for page in pages]  # expect: HB601 "pytesseract.image_to_string() blocks the event loop"
    more = await asyncio.to_thread(pytesseract.image_to_string, pages[0])  # ok: in a thread
    langs = pytesseract.get_languages()  # ok: cached after its first call, not an OCR run
    return {"text": text, "more": more, "langs": langs}


import ipaddress  # noqa: E402
import socket  # noqa: E402
from urllib.parse import urlparse  # noqa: E402


def _resolves_to_public(url: str) -> bool:
    host = urlparse(url).hostname or ""
    infos = socket.getaddrinfo(host, None)  # ok: name lookups are not reported (see the rule's docs)
    return all(ipaddress.ip_address(info[4][0]).is_global for info in infos)


@app.post("/webhooks")
async def register_webhook(url: str):
    if not _resolves_to_public(url):  # ok: a name lookup, not reported
        return {"error": "private address"}
    address = socket.gethostbyname(urlparse(url).hostname or "")  # ok: a name lookup, not reported
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(urlparse(url).hostname, 443)
    checked = await asyncio.to_thread(_resolves_to_public, url)
    name = socket.gethostname()
    return {"address": address, "infos": len(infos), "checked": checked, "name": name}


# An MCP server on the SDK 1.x's FastMCP: it calls sync tools in place, on its event loop.
from mcp.server.fastmcp import FastMCP as SdkServer  # noqa: E402
from fastmcp import FastMCP as StandaloneServer  # noqa: E402

reports_mcp = SdkServer("reports")
standalone_mcp = StandaloneServer("reports")


@reports_mcp.tool()
def render_report_tool(report_id: str) -> str:
    time.sleep(0.5)  # expect: HB601 "time.sleep() blocks the event loop" "handler 'render_report_tool'" "make it `async def`, then use await asyncio.sleep"
    return report_id


@reports_mcp.resource("reports://latest")
def latest_report() -> str:
    return SYNC_CLIENT.get(f"{API_URL}/latest").text  # expect: HB601 "SYNC_CLIENT.get() blocks the event loop"


@standalone_mcp.tool()
def render_elsewhere(report_id: str) -> str:
    time.sleep(0.5)  # ok: FastMCP 3 runs sync tools in a worker thread (its version is not known)
    return report_id


@reports_mcp.tool()
async def render_offloaded(report_id: str) -> str:
    return await asyncio.to_thread(render_elsewhere, report_id)  # ok: handed to a thread


# Google's discovery-based API client: methods build a request, its execute() sends it.
from googleapiclient.discovery import build  # noqa: E402


@app.get("/mail/{message_id}")
async def read_mail(message_id: str):
    gmail = build("gmail", "v1", cache_discovery=False)  # ok: builds the resource locally
    request = gmail.users().messages().get(userId="me", id=message_id)  # ok: builds the request, sends nothing
    message = request.execute()  # expect: HB601 "request.execute() blocks the event loop" "handler 'read_mail'" "aiogoogle"
    profile = gmail.users().getProfile(userId="me").execute()  # expect: HB601 "handler 'read_mail'"
    labels = await asyncio.to_thread(gmail.users().labels().list(userId="me").execute)  # ok: in a thread
    batch = gmail.new_batch_http_request()  # ok: builds a batch, sends nothing
    return {"message": message, "profile": profile, "labels": labels, "batch": batch is not None}


# A DB-API driver's connection pool: taking a connection waits for a free one, or opens one.
from psycopg_pool import ConnectionPool  # noqa: E402

ACCOUNTS = ConnectionPool(conninfo=os.environ.get("ACCOUNTS_DSN", ""), open=False)


@app.get("/accounts/{account_id}")
async def account(account_id: int):
    with ACCOUNTS.connection() as conn:  # expect: HB601 "ACCOUNTS.connection() blocks the event loop" "handler 'account'" "asyncpg"
        row = conn.execute("SELECT * FROM accounts WHERE id = %s", (account_id,)).fetchone()
    await asyncio.to_thread(ACCOUNTS.check)  # ok: in a thread
    return {"row": row}


# msal's applications have no async side: a token call is a round trip to the identity provider,
# and so is the authority discovery an application makes as it is built.
import msal  # noqa: E402
from aiohttp import web  # noqa: E402

AUTHORITY = "https://login.microsoftonline.com/common"
SIGN_IN = msal.ConfidentialClientApplication(  # ok: built once, at import
    "client-id", client_credential=os.environ.get("ENTRA_SECRET", ""), authority=AUTHORITY, timeout=10,
)


class EntraLogin:
    async def callback(self, request, flow: dict):
        accounts = SIGN_IN.get_accounts()  # ok: reads the token cache
        result = SIGN_IN.acquire_token_by_auth_code_flow(flow, dict(request.query))  # expect: HB601 "SIGN_IN.acquire_token_by_auth_code_flow() blocks the event loop" "handler 'EntraLogin.callback'" "asyncio.to_thread"
        fresh = await asyncio.to_thread(SIGN_IN.acquire_token_silent, ["User.Read"], account=accounts[0])  # ok: in a thread
        return {"result": result, "fresh": fresh}

    async def password_sign_in(self, request, user: str, password: str):
        if request.query.get("tenant"):
            entra = SIGN_IN
        else:
            entra = msal.PublicClientApplication("client-id", authority=AUTHORITY, timeout=10)  # expect: HB601 "msal.PublicClientApplication() blocks the event loop" "handler 'EntraLogin.password_sign_in'"
        return entra.acquire_token_by_username_password(user, password, ["User.Read"])  # expect: HB601 "entra.acquire_token_by_username_password() blocks the event loop" "handler 'EntraLogin.password_sign_in'"

    async def start(self, request):
        flow = SIGN_IN.initiate_auth_code_flow(["User.Read"], redirect_uri=str(request.url))  # ok: builds the flow locally
        return flow["auth_uri"]


def add_sign_in(web_app: web.Application) -> None:
    login = EntraLogin()
    web_app.router.add_get("/login/callback", login.callback)
    web_app.router.add_get("/login", login.start)
    web_app.router.add_post("/login/password", login.password_sign_in)


import xmlrpc.client  # noqa: E402

ERP_URL = os.environ.get("ERP_URL", "http://erp.internal")


class ErpService:
    def __init__(self):
        transport = xmlrpc.client.Transport()
        self.common = xmlrpc.client.ServerProxy(f"{ERP_URL}/xmlrpc/2/common", transport=transport)
        self.models = xmlrpc.client.ServerProxy(f"{ERP_URL}/xmlrpc/2/object", transport=transport)

    def partners(self, uid: int, password: str):
        return self.models.execute_kw("erp", uid, password, "res.partner", "search_read", [[]])  # expect: HB601 "self.models.execute_kw() blocks the event loop" "via ErpService.partners()"


@app.get("/erp/health")
async def erp_health(password: str):
    erp = ErpService()
    uid = erp.common.authenticate("erp", "admin", password, {})  # expect: HB601 "erp.common.authenticate() blocks the event loop" "handler 'erp_health'"
    methods = await asyncio.to_thread(erp.common.system.listMethods)  # ok: in a thread
    partners = erp.partners(uid, password)  # expect: HB601 "erp.partners() blocks the event loop" "xmlrpc.client.ServerProxy.execute_kw()"
    return {"uid": uid, "methods": len(methods), "partners": len(partners)}


def _worker_alive(pid: int) -> bool:
    listing = subprocess.run(["ps", "-p", str(pid), "-o", "comm="], capture_output=True, timeout=5)  # ok: ps lists what the kernel knows and returns
    return bool(listing.stdout.strip())


def _worker_log(pid: int) -> bytes:
    return subprocess.run(["journalctl", "_PID=" + str(pid)], capture_output=True, timeout=5).stdout  # expect: HB601 "subprocess.run() blocks the event loop" "via _worker_log()"


@app.get("/workers/{pid}")
async def worker_status(pid: int):
    alive = _worker_alive(pid)  # ok: the helper only runs ps, which returns at once
    log = _worker_log(pid)  # expect: HB601 "_worker_log() blocks the event loop" "it runs subprocess.run()"
    return {"alive": alive, "log": log.decode()}
