import asyncio

from fastapi import APIRouter

from . import devices
from .devices import list_devices, settle

router = APIRouter()


@router.get("/devices")
async def show_devices():
    found = list_devices()  # expect: HB601 "list_devices() blocks the event loop" "handler 'show_devices'" "it runs subprocess.run() at api/devices.py:9 via _run()"
    again = devices.list_devices()  # expect: HB601 "devices.list_devices() blocks the event loop"
    await asyncio.to_thread(devices.list_devices)  # ok: HB601 handed to a thread, not called
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, lambda: devices.list_devices())  # ok: HB601 the lambda runs in a thread
    settle()  # ok: HB601 sleep(0) does not wait
    devices.reset_all()  # ok: HB601 the sleep is further down than a chain is followed
    await devices.probe()  # ok: HB601 an async helper, awaited
    ids = devices.usb_ids()  # ok: HB601 cached with no parameters: runs once per process
    return found + again + [ids]


def sync_devices():
    return list_devices()  # ok: HB601 a sync function is not on a loop
