# config: scope = "all"
"""With scope "all" every async def counts: a message names a handler only where one reaches the call."""
import asyncio
import os
import time

from fastapi import FastAPI

app = FastAPI()


async def refresh_loop():
    # A background task, not a handler: it stalls its loop, not "requests".
    while True:
        time.sleep(30)  # expect: HB601 "time.sleep() blocks the event loop" "function 'refresh_loop' stalls every other task on its event loop"
        await asyncio.sleep(30)  # ok: awaited


async def rotate_logs():
    # Not a handler, but the handler below awaits it: it runs on a loop that serves requests.
    os.system("logrotate /etc/logrotate.conf")  # expect: HB601 "os.system() blocks the event loop" "handler 'reload' via rotate_logs() stalls every other request on this worker"


async def compress_logs(mode):
    os.spawnlp(WAIT, "gzip", "gzip", "-r", "/var/log/old")  # expect: HB601 "os.spawnlp() blocks the event loop" "function 'compress_logs' stalls every other task on its event loop"
    os.spawnlp(mode, "gzip", "gzip", "-r", "/var/log/old")  # ok: a mode passed in is not read


@app.get("/reload")
async def reload():
    await rotate_logs()
    time.sleep(1)  # expect: HB601 "time.sleep() blocks the event loop" "handler 'reload' stalls every other request on this worker"
    return {"ok": True}


def rotate_now():
    os.system("logrotate /etc/logrotate.conf")  # ok: a sync function is not on a loop
    time.sleep(1)  # ok: sync


async def poll(child: int):
    os.waitpid(child, os.WNOHANG | os.WUNTRACED)  # ok: WNOHANG only polls
    os.spawnv(NO_WAIT, "/bin/true", ["true"])  # ok: the name holds os.P_NOWAIT


NO_WAIT = os.P_NOWAIT
WAIT = os.P_WAIT
