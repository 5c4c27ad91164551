"""Partner integrations blueprint: many outbound clients, reached through helpers."""
import http.client
import imaplib
import json
import poplib
import urllib.request
from contextlib import ExitStack, closing

import httpx
import requests as rq
import urllib3
from flask import Blueprint, current_app, jsonify, request
from requests import Session
from requests import get as http_get

bp = Blueprint("partners", __name__)

POOL = urllib3.PoolManager(timeout=urllib3.Timeout(connect=2.0, read=10.0), retries=2)
RAW_POOL = urllib3.PoolManager(num_pools=4)
SHARED = rq.Session()
TIMEOUT = (3.05, 27)
OPENER = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
PARTNERS = "https://partners.example"


class PartnerClient:
    def __init__(self, base):
        self.base = base
        self.session = Session()

    def fetch(self, path):
        return self.session.get(self.base + path)  # expect: HB201 "method 'PartnerClient.fetch'"


@bp.route("/partners/<pid>/profile")
def partner_profile(pid):
    return jsonify(_load_profile(pid))


def _load_profile(pid):
    data = _get_json(f"{PARTNERS}/{pid}")
    data["logo"] = _logo_url(pid)
    return data


def _get_json(url):
    return rq.get(url).json()  # expect: HB201


def _logo_url(pid):
    r = http_get(f"https://cdn.example/logos/{pid}", timeout=TIMEOUT)  # ok: HB201 timeout passed as a name
    return r.url


@bp.route("/partners/<pid>/orders")
def partner_orders(pid):
    r = http_get(f"{PARTNERS}/{pid}/orders", params=request.args)  # expect: HB201
    return jsonify(r.json())


@bp.post("/partners/<pid>/sync")
def partner_sync(pid):
    first = _sync(SHARED, pid)
    second = _sync_v2(SHARED, pid, timeout=5)
    return jsonify(first=first, second=second)


def _sync(s: rq.Session, pid):
    prepared = rq.Request("POST", f"{PARTNERS}/{pid}/sync").prepare()
    resp = s.send(prepared)  # expect: HB201
    return resp.json()


def _sync_v2(s: rq.Session, pid, **kwargs):
    return s.post(f"{PARTNERS}/{pid}/sync", **kwargs).json()  # ok: HB201 forwards **kwargs


@bp.get("/partners/<pid>/contacts")
def partner_contacts(pid):
    r = SHARED.get(f"{PARTNERS}/{pid}/contacts", **{"headers": {"X-Partner": pid}})  # expect: HB201
    return jsonify(r.json())


@bp.get("/partners/<pid>/ping")
def partner_ping(pid):
    client = current_app.extensions["partner_client"]
    r = client.get(f"/{pid}/ping")  # ok: HB201 receiver of unknown kind
    return jsonify(ok=r.ok)


@bp.get("/partners/<pid>/catalog")
def partner_catalog(pid):
    r = RAW_POOL.request("GET", f"{PARTNERS}/{pid}/catalog")  # expect: HB203
    return jsonify(json.loads(r.data))


@bp.get("/partners/<pid>/prices")
def partner_prices(pid):
    r = POOL.request("GET", f"{PARTNERS}/{pid}/prices")  # ok: HB203 pool-level timeout
    return jsonify(json.loads(r.data))


@bp.get("/partners/<pid>/stock")
def partner_stock(pid):
    r = RAW_POOL.request("GET", f"{PARTNERS}/{pid}/stock", timeout=4.0)  # ok: HB203 timeout argument
    return jsonify(json.loads(r.data))


@bp.get("/partners/<pid>/feed")
def partner_feed(pid):
    r = POOL.request("GET", f"{PARTNERS}/{pid}/feed", preload_content=False)  # expect: HB101
    head = r.read(4096)
    return jsonify(preview=head.decode(errors="replace"))


@bp.get("/partners/<pid>/feed/v2")
def partner_feed_v2(pid):
    r = POOL.request("GET", f"{PARTNERS}/{pid}/feed", preload_content=False)  # ok: HB101 release_conn in finally
    try:
        return jsonify(preview=r.read(4096).decode(errors="replace"))
    finally:
        r.release_conn()


@bp.get("/partners/<pid>/rates")
def partner_rates(pid):
    r = httpx.get(f"{PARTNERS}/{pid}/rates", timeout=None)  # expect: HB203
    return jsonify(r.json())


@bp.get("/partners/<pid>/rates/v2")
def partner_rates_v2(pid):
    with httpx.Client(base_url=PARTNERS, timeout=httpx.Timeout(10.0)) as client:  # ok: HB103 with; HB203 timeout set
        r = client.get(f"/{pid}/rates", timeout=None)  # expect: HB203
    return jsonify(r.json())


@bp.get("/partners/<pid>/rates/v3")
def partner_rates_v3(pid):
    r = httpx.post(f"{PARTNERS}/{pid}/rates/query", json=request.get_json())  # ok: HB203 httpx default timeout applies
    return jsonify(r.json())


@bp.get("/partners/<pid>/status")
def partner_status(pid):
    c = httpx.Client(base_url=PARTNERS)  # expect: HB103
    return jsonify(c.get(f"/{pid}/status").json())


@bp.get("/partners/<pid>/bundle")
def partner_bundle(pid):
    with ExitStack() as stack:
        client = stack.enter_context(httpx.Client(base_url=PARTNERS, timeout=5))  # ok: HB103 ExitStack.enter_context owns it
        parts = [client.get(f"/{pid}/bundle/{i}").json() for i in range(3)]
    return jsonify(parts=parts)


@bp.get("/partners/<pid>/me")
def partner_me(pid):
    s = _make_session(request.headers["Authorization"])
    try:
        return jsonify(s.get(f"{PARTNERS}/{pid}/me", timeout=TIMEOUT).json())
    finally:
        s.close()


def _make_session(token):
    s = rq.Session()  # ok: HB103 returned to the caller
    s.headers["Authorization"] = token
    return s


@bp.get("/partners/<pid>/legacy")
def partner_legacy(pid):
    resp = OPENER.open(f"http://legacy.partner/{pid}", timeout=5)  # ok: HB102 a local read to the end (issue 12)
    return resp.read()


@bp.get("/partners/<pid>/legacy/status")
def partner_legacy_status(pid):
    with closing(http.client.HTTPConnection("legacy.partner", timeout=5)) as conn:  # ok: HB103 contextlib.closing; HB202 timeout
        conn.request("GET", f"/{pid}/status")
        resp = conn.getresponse()  # ok: HB102 owning connection closed by the with block
        return jsonify(status=resp.status)


@bp.get("/partners/<pid>/legacy/raw")
def partner_legacy_raw(pid):
    conn = http.client.HTTPConnection("legacy.partner", 80, 5)  # expect: HB103; ok: HB202 positional timeout
    conn.request("GET", f"/{pid}/raw")
    return conn.getresponse().read()  # ok: HB102 read to the end (issue 12)


@bp.post("/partners/<pid>/mailbox/check")
def mailbox_check(pid):
    box = imaplib.IMAP4_SSL("imap.partner.example")  # expect: HB202
    try:
        box.login(pid, current_app.config["IMAP_PASSWORD"])
        _, data = box.select("INBOX")
    finally:
        box.logout()
    pop = poplib.POP3_SSL("pop.partner.example", 995, timeout=10)  # ok: HB202 timeout given
    try:
        count, _ = pop.stat()
    finally:
        pop.quit()
    return jsonify(imap=int(data[0]), pop=count)


def backfill_all(partner_ids):
    """Nightly cron job: not a route and not reached from one."""
    for pid in partner_ids:
        rq.get(f"{PARTNERS}/{pid}/full")  # expect: HB201 "function 'backfill_all'"
        RAW_POOL.request("GET", f"{PARTNERS}/{pid}/catalog")  # expect: HB203 "function 'backfill_all'"
        urllib.request.urlopen(f"{PARTNERS}/{pid}/ack").read()  # expect: HB202 "function 'backfill_all'"; ok: HB102 read to the end, the socket closes at EOF
