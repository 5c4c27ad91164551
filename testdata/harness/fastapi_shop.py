"""A FastAPI app (confirm's end-to-end tests): each defect beside its correct look-alike twin.

`# defect: CODE` marks a line that hangs or leaks as CODE says; `# twin: CODE` marks its correct
look-alike, which must never be confirmed as CODE.
"""

import asyncio
import time

import httpx
import requests
from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()
UPSTREAM = "http://upstream.internal/prices"
BACKGROUND = set()


class Order(BaseModel):
    sku: str
    quantity: int


async def audit(note):
    await asyncio.sleep(5)


@app.get("/prices/{item_id}")
def price(item_id: int):
    return {"price": requests.get(UPSTREAM).text}  # defect: HB201


@app.get("/prices/{item_id}/twin")
def price_twin(item_id: int):
    return {"price": requests.get(UPSTREAM, timeout=(3.05, 10)).text}  # twin: HB201


@app.get("/stock")
async def stock():
    async with httpx.AsyncClient(timeout=None) as client:  # defect: HB203
        response = await client.get(UPSTREAM)
    return {"stock": response.text}


@app.get("/stock/twin")
async def stock_twin():
    async with httpx.AsyncClient(timeout=5.0) as client:  # twin: HB203
        response = await client.get(UPSTREAM)
    return {"stock": response.text}


@app.post("/orders")
async def place(order: Order):
    time.sleep(2)  # defect: HB601
    return {"sku": order.sku}


@app.post("/orders/twin")
async def place_twin(order: Order):
    await asyncio.sleep(0.5)  # twin: HB601
    return {"sku": order.sku}


@app.get("/audit")
async def audit_trail(user: str):
    asyncio.create_task(audit(user))  # defect: HB502
    return {"ok": True}


@app.get("/audit/twin")
async def audit_trail_twin(user: str):
    task = asyncio.create_task(audit(user))  # twin: HB502
    BACKGROUND.add(task)
    task.add_done_callback(BACKGROUND.discard)
    return {"ok": True}


@app.get("/export")
async def export():
    try:
        await asyncio.sleep(30)  # defect: HB602
    except asyncio.CancelledError:
        pass
    return {"done": True}


@app.get("/export/twin")
async def export_twin():
    try:
        await asyncio.sleep(30)  # twin: HB602
    except asyncio.CancelledError:
        raise
    return {"done": True}


@app.get("/quote")
async def quote():
    return {"quote": (await asyncio.to_thread(requests.get, UPSTREAM)).text}  # defect: HB201


@app.get("/quote/twin")
async def quote_twin():
    return {"quote": (await asyncio.to_thread(requests.get, UPSTREAM, timeout=5)).text}  # twin: HB205
