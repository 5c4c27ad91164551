from fastapi import APIRouter

from .devices import list_devices

router = APIRouter()


@router.get("/usb")
async def usb():
    return {"devices": list_devices()}  # expect: HB601 "list_devices() blocks the event loop" "at api/devices.py:9"
