# config: equivalent-noqa = false
"""With equivalent-noqa turned off, a line that silences ruff's RUF006 is reported like any other."""
import asyncio

from aiohttp import web

from .jobs import send_push

routes = web.RouteTableDef()
BACKGROUND = set()


@routes.post("/push")
async def push(request):
    payload = await request.json()
    asyncio.create_task(send_push(payload))  # noqa: RUF006  # expect: HB502 "asyncio.create_task() task is dropped" "handler 'push'"
    kept = asyncio.create_task(send_push(payload))  # noqa: RUF006  # ok: kept in a set, whatever the comment says
    BACKGROUND.add(kept)
    kept.add_done_callback(BACKGROUND.discard)
    await asyncio.create_task(send_push(payload))  # ok: awaited
    return web.json_response({"queued": True})
