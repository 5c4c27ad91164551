"""Billing API: FastAPI routes that talk to the payments provider."""
import functools
import http.client

import aiohttp
import httpx
import openai
import requests
import urllib3
from anthropic import Anthropic
from authlib.integrations.httpx_client import AsyncOAuth2Client as ProviderClient
from authlib.integrations.requests_client import OAuth2Session
from fastapi import APIRouter, Depends, FastAPI, Request

from .config import PAYMENTS_HOST, PAYMENTS_URL, TIMEOUT

app = FastAPI()
router = APIRouter()
SHARED = httpx.AsyncClient(base_url=PAYMENTS_URL, timeout=TIMEOUT)  # ok: module level, shared


@router.get("/invoices/{invoice_id}")
async def invoice(invoice_id: str):
    client = httpx.AsyncClient(base_url=PAYMENTS_URL, timeout=TIMEOUT)  # expect: HB103 "httpx.AsyncClient() client is created per request and never closed" "handler 'invoice'" "use `async with`"
    r = await client.get(f"/invoices/{invoice_id}")
    return r.json()


@router.get("/invoices/{invoice_id}/pdf")
async def invoice_pdf(invoice_id: str):
    async with httpx.AsyncClient(base_url=PAYMENTS_URL, timeout=TIMEOUT) as client:  # ok: async with
        r = await client.get(f"/invoices/{invoice_id}.pdf")
    return r.content


@router.post("/refunds")
def refund(payload: dict):
    session = requests.Session()  # expect: HB103 "requests.Session() session is created per request and never closed" "handler 'refund'" "use `with`"
    session.headers["Authorization"] = "Bearer " + payload["token"]
    return session.post(f"{PAYMENTS_URL}/refunds", json=payload, timeout=TIMEOUT).json()


@router.post("/refunds/bulk")
def bulk_refund(payload: dict):
    session = requests.Session()  # ok: closed in finally
    try:
        return [session.post(f"{PAYMENTS_URL}/refunds", json=item, timeout=TIMEOUT).json() for item in payload["items"]]
    finally:
        session.close()


@router.get("/rates")
def rates():
    return requests.Session().get(f"{PAYMENTS_URL}/rates", timeout=TIMEOUT).json()  # expect: HB103[col=12] "requests.Session() session is created per request and never closed" "handler 'rates'" "use `with`"


@router.get("/rates/fast")
async def fast_rates():
    r = await SHARED.get("/rates")  # ok: no client created here
    return r.json()


@router.get("/customers/{cid}")
async def customer(cid: str):
    session = aiohttp.ClientSession()  # expect: HB103 "aiohttp.ClientSession() session is created per request and never closed" "handler 'customer'" "use `async with`"
    async with session.get(f"{PAYMENTS_URL}/customers/{cid}") as resp:
        return await resp.json()


@router.get("/customers/{cid}/cards")
async def cards(cid: str):
    session = aiohttp.ClientSession()  # ok: closed in finally
    try:
        async with session.get(f"{PAYMENTS_URL}/customers/{cid}/cards") as resp:
            return await resp.json()
    finally:
        await session.close()


@router.get("/fx")
def fx():
    pool = urllib3.PoolManager(timeout=urllib3.Timeout(connect=2.0, read=5.0))  # expect: HB103 "urllib3.PoolManager() pool is created per request and never closed" "handler 'fx'" "use `with`"
    return pool.request("GET", f"{PAYMENTS_URL}/fx").json()


@router.get("/fx/batch")
def fx_batch():
    with urllib3.PoolManager(timeout=urllib3.Timeout(connect=2.0, read=5.0)) as pool:  # ok: with block
        return pool.request("GET", f"{PAYMENTS_URL}/fx/batch").json()


@router.get("/ping")
def ping():
    conn = http.client.HTTPSConnection(PAYMENTS_HOST, timeout=TIMEOUT)  # expect: HB103 "http.client.HTTPSConnection() connection is created per request and never closed" "handler 'ping'" "use `with`"
    conn.request("HEAD", "/")
    return {"status": conn.getresponse().status}  # ok: HB102 dropped at once, CPython closes it (issue 12)


@router.get("/ping/ok")
def ping_ok():
    conn = http.client.HTTPSConnection(PAYMENTS_HOST, timeout=TIMEOUT)  # ok: closed (straight-line close counts for clients)
    conn.request("HEAD", "/")
    status = conn.getresponse().status
    conn.close()
    return {"status": status}


@app.on_event("startup")
async def startup():
    app.state.payments = httpx.AsyncClient(base_url=PAYMENTS_URL, timeout=TIMEOUT)  # ok: stored on the app


def get_client(request: Request) -> httpx.AsyncClient:
    return request.app.state.payments


@router.get("/balance")
async def balance(client: httpx.AsyncClient = Depends(get_client)):
    r = await client.get("/balance")  # ok: injected shared client
    return r.json()


def make_session(token):
    # A factory: the caller owns the session.
    s = requests.Session()  # ok: returned
    s.headers["Authorization"] = f"Bearer {token}"
    return s


def reconcile():
    # Nightly job, not reached from a handler.
    s = requests.Session()  # expect: HB103 "requests.Session() session is created per call and never closed" "function 'reconcile'"
    s.get(f"{PAYMENTS_URL}/reconcile", timeout=TIMEOUT)


def watch_payouts(stop):
    # A worker thread's loop: one session for the worker's life, reused on every turn.
    s = requests.Session()  # ok: kept for the worker loop that ends the function
    while not stop.is_set():
        s.get(f"{PAYMENTS_URL}/payouts", timeout=TIMEOUT)
        stop.wait(60)


def poll_payouts(pages):
    # A bounded loop: the session is still built per call and dropped.
    s = requests.Session()  # expect: HB103 "requests.Session() session is created per call and never closed" "function 'poll_payouts'"
    while pages:
        s.get(f"{PAYMENTS_URL}/payouts/{pages.pop()}", timeout=TIMEOUT)


def drain_payouts(stop):
    s = requests.Session()  # expect: HB103 "function 'drain_payouts'"
    while not stop.is_set():
        s.get(f"{PAYMENTS_URL}/payouts", timeout=TIMEOUT)
    print("drained")  # the loop is not the last statement: not read as a worker loop


class PaymentsGateway:
    def __init__(self):
        self.session = requests.Session()  # ok: stored on self
        self._refunds = None

    def charge(self, amount):
        return self.session.post(f"{PAYMENTS_URL}/charges", json={"amount": amount}, timeout=TIMEOUT)

    def refunds_session(self):
        self._refunds = self._refunds or requests.Session()  # ok: HB103 built once, kept on self
        return self._refunds

    def refund(self, charge_id):
        return self.refunds_session().post(f"{PAYMENTS_URL}/refunds/{charge_id}", timeout=TIMEOUT)  # ok: HB103 an accessor of the kept session


@router.get("/statements/{account}")
def statements(account: str):
    s = make_session(account)  # expect: HB103 "make_session() session is created per request and never closed" "handler 'statements'"
    return s.get(f"{PAYMENTS_URL}/statements", timeout=TIMEOUT).json()


@functools.lru_cache(maxsize=1)
def _statements_session():
    return requests.Session()  # ok: HB103 returned (and cached)


def statements_session():
    return _statements_session()


@router.get("/statements/{account}/shared")
def statements_shared(account: str):
    s = statements_session()  # ok: HB103 a cached session behind a helper: shared, not created per request
    return s.get(f"{PAYMENTS_URL}/statements", timeout=TIMEOUT).json()


@router.get("/statements/{account}/closed")
def statements_closed(account: str):
    with make_session(account) as s:  # ok: HB103 the factory's session is closed by with
        return s.get(f"{PAYMENTS_URL}/statements", timeout=TIMEOUT).json()


@router.post("/refunds/{charge_id}")
def refund(charge_id: str):
    return PaymentsGateway().refund(charge_id).json()


PROXY_TRANSPORT = httpx.AsyncHTTPTransport(retries=2)  # one pool for every proxied request
CONNECTOR = aiohttp.TCPConnector(limit=50)


@router.get("/proxy/{path}")
async def proxy(path: str):
    # The pool is the shared transport's; closing this client would close it for everyone.
    client = httpx.AsyncClient(transport=PROXY_TRANSPORT, timeout=TIMEOUT)  # ok: HB103 borrows a shared transport
    r = await client.get(f"{PAYMENTS_URL}/{path}")
    return r.content


@router.get("/proxy/{path}/fresh")
async def proxy_fresh(path: str):
    client = httpx.AsyncClient(transport=httpx.AsyncHTTPTransport(retries=2), timeout=TIMEOUT)  # expect: HB103 "handler 'proxy_fresh'"
    r = await client.get(f"{PAYMENTS_URL}/{path}")
    return r.content


@router.get("/webhooks/{hook}")
async def webhook_status(hook: str):
    session = aiohttp.ClientSession(connector=CONNECTOR, connector_owner=False)  # ok: HB103 the connector stays with its owner
    async with session.get(f"{PAYMENTS_URL}/hooks/{hook}") as r:
        return await r.json()


@router.get("/webhooks/{hook}/owned")
async def webhook_owned(hook: str):
    session = aiohttp.ClientSession(connector=CONNECTOR)  # expect: HB103 "handler 'webhook_owned'"
    async with session.get(f"{PAYMENTS_URL}/hooks/{hook}") as r:
        return await r.json()


_SHARED = {}


def shared_session() -> requests.Session:
    """One session per process, built on first use; the annotation names its class."""
    session = _SHARED.get("session")
    if session is None:
        session = _SHARED["session"] = requests.Session()
    return session


@router.get("/refunds/{refund_id}")
def refund_status(refund_id: str):
    session = shared_session()  # ok: HB103 the getter hands out the shared session (its annotation says the class, not who built it)
    return session.get(f"{PAYMENTS_URL}/refunds/{refund_id}", timeout=TIMEOUT).json()


app.include_router(router)


class SigningSession(requests.Session):
    """The provider's session: every request carries the merchant's signature."""

    def __init__(self, key: str):
        super().__init__()
        self.headers["X-Signature-Key"] = key


class ProviderRegistry:
    """Not a client: only the name looks like one."""

    def __init__(self, region: str):
        self.region = region


@router.get("/disputes/{dispute_id}")
def dispute(dispute_id: str):
    signed = SigningSession(PAYMENTS_HOST)  # expect: HB103 "SigningSession() session is created per request and never closed" "handler 'dispute'"
    with SigningSession(PAYMENTS_HOST) as closed:  # ok: with
        evidence = closed.get(f"{PAYMENTS_URL}/disputes/{dispute_id}/evidence", timeout=TIMEOUT).json()
    registry = ProviderRegistry("eu")  # ok: not a client
    return {"dispute": signed.get(f"{PAYMENTS_URL}/disputes/{dispute_id}", timeout=TIMEOUT).json(),
            "evidence": evidence, "region": registry.region}


SUMMARY_LLM = openai.AsyncOpenAI(timeout=TIMEOUT)  # ok: module level, shared
LLM_POOL = httpx.AsyncClient(timeout=TIMEOUT)
SHARED_PAYMENTS = httpx.Client(base_url=PAYMENTS_URL, timeout=TIMEOUT)


@router.post("/invoices/{invoice_id}/summary")
async def invoice_summary(invoice_id: str):
    llm = openai.AsyncOpenAI(timeout=TIMEOUT)  # expect: HB103 "openai.AsyncOpenAI() client is created per request and never closed" "handler 'invoice_summary'" "use `async with`"
    reply = await llm.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": invoice_id}])
    pooled = openai.AsyncOpenAI(http_client=LLM_POOL)  # ok: works on a pool lent to it
    second = await pooled.chat.completions.create(model="gpt-4o-mini", messages=[])
    shared = await SUMMARY_LLM.chat.completions.create(model="gpt-4o-mini", messages=[])
    closing = openai.AsyncOpenAI(timeout=TIMEOUT)  # ok: closed below
    try:
        third = await closing.chat.completions.create(model="gpt-4o-mini", messages=[])
    finally:
        await closing.close()
    return [reply, second, shared, third]


@router.post("/disputes/{dispute_id}/triage")
def triage(dispute_id: str):
    claude = Anthropic(timeout=TIMEOUT)  # expect: HB103 "Anthropic() client is created per request and never closed" "handler 'triage'" "use `with`"
    verdict = claude.messages.create(model="claude-3-5-haiku-latest", max_tokens=50, messages=[])
    with Anthropic(timeout=TIMEOUT) as scoped:  # ok: with
        note = scoped.messages.create(model="claude-3-5-haiku-latest", max_tokens=50, messages=[])
    return {"verdict": verdict, "note": note, "client": _make_llm()}


def _make_llm():
    return openai.OpenAI(timeout=TIMEOUT)  # ok: returned to the caller


def nightly_digest(rows):
    digest = openai.OpenAI(timeout=TIMEOUT)  # ok: an SDK client no handler reaches (a job's)
    return digest.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": str(rows)}])


class PaymentsHttp:
    """The app's HTTP wrapper: it owns an httpx client and closes it in close()."""

    def __init__(self, client=None):
        self._client = client or httpx.Client(base_url=PAYMENTS_URL, timeout=TIMEOUT)

    def fetch(self, path):
        return self._client.get(path)

    def close(self):
        self._client.close()


class PaymentsView:
    """A read-only view of a client it is handed: it owns nothing to close."""

    def __init__(self):
        self._client = httpx.Client(base_url=PAYMENTS_URL, timeout=TIMEOUT)

    def fetch(self, path):
        return self._client.get(path)


@router.get("/payments/{payment_id}/receipt")
def payment_receipt(payment_id: str):
    payments = PaymentsHttp()  # expect: HB103 "PaymentsHttp() (holding its own httpx.Client) is created per request and never closed" "handler 'payment_receipt'" "finally: payments.close()"
    receipt = payments.fetch(f"/payments/{payment_id}/receipt")
    lent = PaymentsHttp(SHARED_PAYMENTS)  # ok: an argument may lend it its client
    closed = PaymentsHttp()  # ok: closed in finally
    try:
        status = closed.fetch(f"/payments/{payment_id}")
    finally:
        closed.close()
    view = PaymentsView()  # ok: a class with no close() of its own (its client is HB103's in __init__)
    return {"receipt": receipt.json(), "lent": lent.fetch("/").json(), "status": status.json(),
            "view": view.fetch("/").json()}


@router.get("/payments/connect")
async def connect_provider(state: str):
    # an OAuth client built only to make the sign-in URL sends nothing
    client = ProviderClient("billing", scope="payments")  # ok: no request is sent on it
    uri, _ = client.create_authorization_url(f"{PAYMENTS_URL}/authorize", state=state)
    return {"redirect": uri}


@router.get("/payments/connect/callback")
async def connect_callback(code: str):
    client = ProviderClient("billing", "secret")  # expect: HB103 "ProviderClient() client is created per request and never closed" "handler 'connect_callback'"
    token = await client.fetch_token(f"{PAYMENTS_URL}/token", code=code)
    async with ProviderClient("billing", token=token) as api:  # ok: async with
        account = await api.get(f"{PAYMENTS_URL}/account")
    return {"account": account.json()}


@router.post("/payments/connect/refresh")
def refresh_connection(refresh: str):
    legacy = OAuth2Session("billing", "secret", default_timeout=TIMEOUT)  # ok: a requests session, dropped at return
    return legacy.refresh_token(f"{PAYMENTS_URL}/token", refresh_token=refresh)


class LedgerApi:
    _shared = None

    @classmethod
    def _new_session(cls, retries: int = 3) -> requests.Session:
        session = requests.Session()
        session.mount("https://", requests.adapters.HTTPAdapter(max_retries=retries))
        return session

    @classmethod
    def _session(cls) -> requests.Session:
        if cls._shared is None:
            cls._shared = cls._new_session()
        return cls._shared

    @staticmethod
    def fetch(path: str, retries: int = 3):
        session = LedgerApi._new_session(retries)  # expect: HB103 "LedgerApi._new_session() session is created per request and never closed" "handler 'ledger' via LedgerApi.fetch()"
        return session.get(f"{PAYMENTS_URL}{path}", timeout=TIMEOUT).json()

    @staticmethod
    def fetch_shared(path: str):
        session = LedgerApi._session()  # ok: the class keeps one session and hands it out
        return session.get(f"{PAYMENTS_URL}{path}", timeout=TIMEOUT).json()

    @staticmethod
    def fetch_closed(path: str):
        with LedgerApi._new_session() as session:  # ok: with closes it
            return session.get(f"{PAYMENTS_URL}{path}", timeout=TIMEOUT).json()


@router.get("/ledger/{entry}")
def ledger(entry: str):
    return [LedgerApi.fetch(f"/ledger/{entry}", 5), LedgerApi.fetch_shared("/ledger"), LedgerApi.fetch_closed("/x")]
