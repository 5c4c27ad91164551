"""HB203 fix: timeout=None becomes 10; aiohttp ClientTimeout gets total= (sock_read= when total=None is explicit); urllib3 gets timeout=."""
import aiohttp
import httpx
import urllib3
from fastapi import FastAPI

app = FastAPI()
POOL = urllib3.PoolManager()


@app.get("/items/{sku}")
async def items(sku: str):
    async with httpx.AsyncClient(timeout=None) as client:  # keep this comment
        first = await client.get(f"https://inventory/{sku}", **{"timeout": None})
    slow = aiohttp.ClientTimeout(connect=5)
    none = aiohttp.ClientTimeout(None, 5)
    async with aiohttp.ClientSession(timeout=slow) as session:
        async with session.get("https://inventory/aio", timeout=none) as resp:
            body = await resp.text()
    data = POOL.request("GET", f"https://inventory/catalog/{sku}")
    return {"first": first.json(), "body": body, "data": data.data}
