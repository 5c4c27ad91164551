"""Orders API (Litestar): function handlers and a controller."""
import _thread
import asyncio
import queue
import smtplib
import subprocess
import threading

import httpx
import requests
from litestar import Controller, Litestar, get, post

from orders.settings import settings

EVENTS = asyncio.Queue(maxsize=settings.EVENT_BUFFER)
AUDIT = queue.Queue()
BROADCAST = asyncio.Queue(maxsize=100)


@post("/orders/{order_id:int}/events")
async def push_event(order_id: int, data: dict) -> dict:
    await EVENTS.put({"order": order_id, **data})  # expect: HB301
    return {"queued": True}


@post("/orders/{order_id:int}/broadcast")
async def broadcast(order_id: int, data: dict) -> dict:
    await BROADCAST.put({"order": order_id, **data})  # ok: HB301 consumed by the broadcaster below
    return {"queued": True}


async def broadcaster(sockets):
    while True:
        msg = await BROADCAST.get()
        for ws in sockets:
            await ws.send_json(msg)


@post("/orders/{order_id:int}/audit", sync_to_thread=True)
def audit_order(order_id: int, data: dict) -> dict:
    AUDIT.put({"order": order_id, **data})  # expect: HB302
    return {"audited": True}


@post("/orders/{order_id:int}/email", sync_to_thread=True)
def email_order(order_id: int) -> dict:
    _thread.start_new_thread(_send_mail, (order_id,))  # expect: HB501
    return {"sent": "later"}


@post("/orders/{order_id:int}/pdf", sync_to_thread=True)
def order_pdf(order_id: int) -> dict:
    worker = threading.Thread(target=_render_pdf, args=(order_id,))  # expect: HB501@pdf
    worker.start()  # expect: HB501@pdf
    return {"rendering": True}


@post("/orders/{order_id:int}/pdf/wait", sync_to_thread=True)
def order_pdf_wait(order_id: int) -> dict:
    worker = threading.Thread(target=_render_pdf, args=(order_id,))
    worker.start()  # ok: HB501 joined below
    worker.join(timeout=20)  # ok: HB205 timeout given
    return {"rendered": not worker.is_alive()}


def _send_mail(order_id):
    with smtplib.SMTP(settings.SMTP_HOST) as smtp:  # ambiguous: HB202 only a thread target of a handler, never called by name
        smtp.sendmail(settings.SHOP_EMAIL, [settings.OPS_EMAIL], f"Subject: order {order_id}\n\n")


def _render_pdf(order_id):
    subprocess.run(["wkhtmltopdf", f"{settings.BASE_URL}/orders/{order_id}", f"/tmp/{order_id}.pdf"])  # ambiguous: HB204 only a thread target of a handler, never called by name


@get("/orders/{order_id:int}/tracking")
async def tracking(order_id: int) -> dict:
    r = requests.get(f"https://carrier.example/track/{order_id}")  # expect: HB201, HB601
    return r.json()


@get("/orders/{order_id:int}/tracking/v2")
async def tracking_v2(order_id: int) -> dict:
    async with httpx.AsyncClient(timeout=httpx.Timeout(5.0)) as client:  # ok: HB203 timeout set; HB103 async with
        r = await client.get(f"https://carrier.example/track/{order_id}")
    return r.json()


class InvoiceController(Controller):
    path = "/invoices"

    @get("/{invoice_id:int}")
    async def get_invoice(self, invoice_id: int) -> dict:
        client = httpx.AsyncClient(timeout=None)  # expect: HB203, HB103
        r = await client.get(f"https://ledger.internal/invoices/{invoice_id}")
        return r.json()

    @post("/{invoice_id:int}/void")
    async def void_invoice(self, invoice_id: int) -> dict:
        try:
            async with httpx.AsyncClient(timeout=5) as client:
                r = await client.post(f"https://ledger.internal/invoices/{invoice_id}/void")
            return r.json()
        except asyncio.CancelledError:  # expect: HB602
            return {"voided": False}

    def _helper_not_a_route(self, invoice_id: int) -> dict:
        return requests.get(f"https://ledger.internal/invoices/{invoice_id}").json()  # expect: HB201 "InvoiceController._helper_not_a_route"


app = Litestar(route_handlers=[push_event, broadcast, audit_order, email_order, order_pdf, order_pdf_wait, tracking, tracking_v2, InvoiceController])
