import asyncio
import functools
from concurrent.futures import ThreadPoolExecutor

from fastapi import FastAPI

from . import reports
from .clients import CLIENT
from .workers import crunch, load_items, resize

app = FastAPI()
app.add_api_route("/reports", reports.summary)
POOL = ThreadPoolExecutor(4)


@app.get("/items")
async def items():
    rows = await asyncio.to_thread(load_items)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, functools.partial(crunch, rows))
    POOL.submit(resize, rows)
    return await enrich(rows)


async def enrich(rows):
    return CLIENT.fetch("/enrich")
