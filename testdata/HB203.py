"""Async gateway: proxies to internal services with httpx, aiohttp and urllib3."""
import aiohttp
import httpx
import httpx2
import urllib3
from aiohttp import ClientTimeout
from fastapi import FastAPI

from .config import settings

app = FastAPI()
POOL = urllib3.PoolManager(num_pools=4)
TIMED_POOL = urllib3.PoolManager(timeout=urllib3.Timeout(connect=2.0, read=10.0))
SERVICE = "http://inventory.internal"
UNBOUNDED = {"timeout": None, "follow_redirects": True}
REDIRECTS = {"follow_redirects": True}
# The service catalogue, read once at import: start-up, no request waits on it.
CATALOGUE = httpx.get(f"{SERVICE}/catalogue", timeout=None).json()  # ok: HB203 import time, start-up
# A client built at import is what every request later uses: still reported.
SLOW = httpx.Client(base_url=SERVICE, timeout=None)  # expect: HB203 "module-level code"
NO_LIMIT = httpx.Timeout(None)
CONNECT_ONLY = httpx.Timeout(None, connect=5.0)
READ_LIMITED = httpx.Timeout(None, read=30.0)
# The sidecar proxy: every phase, reads included, unlimited, written as a Timeout object.
SIDECAR = httpx.AsyncClient(base_url=SERVICE, timeout=httpx.Timeout(None))  # expect: HB203 "httpx.AsyncClient() passes timeout=httpx.Timeout(None)" "module-level code"
RELAY = httpx.AsyncClient(base_url=SERVICE, timeout=NO_LIMIT)  # expect: HB203 "passes timeout=httpx.Timeout(None)"
DIALER = httpx.AsyncClient(base_url=SERVICE, timeout=CONNECT_ONLY)  # expect: HB203 "passes timeout=httpx.Timeout(None)"
READER = httpx.AsyncClient(base_url=SERVICE, timeout=READ_LIMITED)  # ok: reads are bounded
BOUNDED = httpx.AsyncClient(base_url=SERVICE, timeout=httpx.Timeout(10.0))  # ok: every phase 10 s


@app.get("/inventory/{sku}")
async def inventory(sku: str):
    async with httpx.AsyncClient(timeout=None) as client:  # expect: HB203[col=16] "httpx.AsyncClient() passes timeout=None" "handler 'inventory'"
        first = await client.get(f"{SERVICE}/items/{sku}")
        second = await client.get(f"{SERVICE}/stock/{sku}", timeout=None)  # expect: HB203[col=24] "client.get() passes timeout=None" "handler 'inventory'"
        third = await client.get(f"{SERVICE}/price/{sku}", timeout=settings.timeout)  # ok: attribute timeout
    async with httpx.AsyncClient() as client:  # ok: httpx default 5 s applies
        await client.get(f"{SERVICE}/audit/{sku}")  # ok: timeout omitted means the 5 s default
    return {"item": first.json(), "stock": second.json(), "price": third.json()}


@app.get("/legacy/{sku}")
def legacy(sku: str):
    resp = httpx.get(f"{SERVICE}/legacy/{sku}", timeout=None)  # expect: HB203 "httpx.get() passes timeout=None" "handler 'legacy'"
    httpx.post(f"{SERVICE}/legacy/hits", json={"sku": sku})  # ok: default timeout
    httpx.post(f"{SERVICE}/legacy/hits", json={"sku": sku}, **{"timeout": 3.0})  # ok: literal **dict timeout
    data = POOL.request("GET", f"{SERVICE}/catalog/{sku}")  # expect: HB203 "POOL.request() has no timeout and its pool sets none" "handler 'legacy'"
    meta = POOL.request("GET", f"{SERVICE}/meta/{sku}", timeout=4.0)  # ok: per-request timeout
    tags = TIMED_POOL.request("GET", f"{SERVICE}/tags/{sku}")  # ok: pool-level timeout
    raw = urllib3.request("GET", f"{SERVICE}/raw/{sku}")  # expect: HB203 "urllib3.request() has no timeout" "handler 'legacy'"
    return {"legacy": resp.json(), "data": data.data, "meta": meta.data, "tags": tags.data, "raw": raw.data}


@app.get("/aio/{sku}")
async def aio(sku: str):
    slow = ClientTimeout(connect=5)  # expect: HB203 "ClientTimeout() sets neither total nor sock_read" "handler 'aio'"
    bounded = ClientTimeout(total=30)  # ok: total set
    reads = aiohttp.ClientTimeout(sock_read=10, sock_connect=3)  # ok: sock_read set
    async with aiohttp.ClientSession(timeout=None) as session:  # ok: aiohttp applies its 300 s default
        async with session.get(f"{SERVICE}/aio/{sku}", timeout=slow) as resp:
            body = await resp.text()
    async with aiohttp.ClientSession(timeout=bounded) as session:  # ok: bounded
        async with session.get(f"{SERVICE}/aio/{sku}", timeout=reads) as resp:
            body += await resp.text()
    return {"body": body}


@app.get("/v2/{sku}")
async def inventory_v2(sku: str):
    async with httpx2.AsyncClient(timeout=None) as client:  # expect: HB203[col=16] "httpx2.AsyncClient() passes timeout=None" "handler 'inventory_v2'"
        first = await client.get(f"{SERVICE}/v2/items/{sku}")
        second = await client.get(f"{SERVICE}/v2/stock/{sku}", **UNBOUNDED)  # expect: HB203[col=24] "client.get() passes timeout=None" "handler 'inventory_v2'"
        third = await client.get(f"{SERVICE}/v2/price/{sku}", **REDIRECTS)  # ok: the dict leaves the default timeout
    async with httpx2.AsyncClient() as client:  # ok: httpx2 keeps httpx's 5 s default
        await client.get(f"{SERVICE}/v2/audit/{sku}", timeout=2.0)  # ok: finite timeout
    return {"item": first.json(), "stock": second.json(), "price": third.json()}


def warm_cache():
    # Startup task, not a handler.
    return httpx.get(f"{SERVICE}/warm", timeout=None)  # expect: HB203 "httpx.get() passes timeout=None" "function 'warm_cache'"


class InvoiceFeed:
    def __init__(self):
        self.client = httpx.AsyncClient(base_url=SERVICE, timeout=10.0)

    async def paid_invoices(self):
        # A subscription: the long poll waits for the next event by design, reopened on errors.
        while settings.running:
            try:
                async with self.client.stream("GET", "/invoices/subscribe", timeout=None) as r:  # ok: event stream
                    async for line in r.aiter_lines():
                        yield line
            except httpx.HTTPError:
                continue

    async def export(self):
        # Not a generator: one download with the timeout off.
        async with self.client.stream("GET", "/invoices/export", timeout=None) as r:  # expect: HB203 "self.client.stream() passes timeout=None" "method 'InvoiceFeed.export'"
            return await r.aread()

    async def pages(self):
        # A generator, but no reconnecting loop: a plain download handed out in chunks.
        async with self.client.stream("GET", "/invoices/all", timeout=None) as r:  # expect: HB203 "method 'InvoiceFeed.pages'"
            async for chunk in r.aiter_bytes():
                yield chunk

    async def latest(self):
        while settings.running:
            r = await self.client.get("/invoices/latest", timeout=None)  # expect: HB203 "self.client.get() passes timeout=None"
            yield r.json()


class BotApi:
    """A bot's API client: one pooled client with a 10 s timeout, and a helper every method calls."""

    def __init__(self, token: str):
        self._client = httpx.Client(base_url=f"{SERVICE}/bot{token}", timeout=10.0)

    def _call(self, method: str, payload: dict, timeout: float | None = None):
        # httpx is handed timeout=None when no caller gives one: the client's 10 s are off then
        return self._client.post(f"/{method}", json=payload, timeout=timeout).json()

    def _call_kw(self, method: str, payload: dict, **kwargs):
        return self._client.post(f"/{method}", json=payload, **kwargs).json()

    def _call_when_given(self, method: str, payload: dict, timeout: float | None = None):
        if timeout:
            return self._client.post(f"/{method}", json=payload, timeout=timeout).json()
        return self._client.post(f"/{method}", json=payload).json()

    def _call_opt(self, method: str, payload: dict, timeout: float | None = None):
        kwargs: dict = {}
        if timeout is not None:  # given only when a caller gives one: else the client's 10 s hold
            kwargs["timeout"] = timeout
        return self._client.post(f"/{method}", json=payload, **kwargs).json()

    def send_message(self, chat_id: int, text: str):
        return self._call("sendMessage", {"chat_id": chat_id, "text": text})  # expect: HB203 "self._call() passes no timeout on to httpx.Client.post()" "timeout=None"

    def get_me(self):
        return self._call("getMe", {}, None)  # expect: HB203 "self._call() passes timeout=None on to httpx.Client.post()"

    def get_updates(self, offset: int):
        return self._call("getUpdates", {"offset": offset, "timeout": 30}, timeout=40.0)  # ok: a timeout given

    def get_chat(self, chat_id: int):
        return self._call_kw("getChat", {"chat_id": chat_id})  # ok: no timeout keyword reaches httpx: the client's 10 s hold

    def get_file(self, file_id: str):
        return self._call_opt("getFile", {"file_id": file_id})  # ok: no timeout keyword reaches httpx

    def get_chat_member(self, chat_id: int, user_id: int):
        return self._call_when_given("getChatMember", {"chat_id": chat_id, "user_id": user_id})  # ok: timeout= only under `if timeout:`
