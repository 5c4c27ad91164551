"""Device helpers: plain sync code, also called from worker threads."""

import functools
import subprocess
import time


def _run(args):
    return subprocess.run(args, capture_output=True, check=False)


def list_devices():
    return _run(["lsusb"]).stdout.splitlines()


def settle():
    time.sleep(0)  # only yields the GIL


def reset_all():
    return _reset_bus()


def _reset_bus():
    return _reset_port()


def _reset_port():
    return _power_cycle()


def _power_cycle():
    time.sleep(1)  # three calls below reset_all(): further than a chain is followed


async def probe():
    return list_devices()


@functools.lru_cache(maxsize=None)
def usb_ids():
    # First-use set-up: the listing runs at the first call only.
    return _run(["lsusb", "-v"]).stdout
