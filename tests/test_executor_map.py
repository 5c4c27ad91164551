"""An executor's ``map()`` iterated where it is made waits for every call it hands out: on the
event loop (an async handler, or a sync helper it calls in place, in any module) that stalls the
loop, HB601 (a media tool's ``list(pool.map(_extract_frame, times))``). The iterator kept for
later waits for nothing yet."""

from __future__ import annotations

from pathlib import Path

from project_helpers import markers_hold

MEDIA = '''\
import subprocess
from concurrent.futures import ThreadPoolExecutor


def _extract_frame(at):
    return subprocess.run(["ffmpeg", "-ss", str(at)], capture_output=True, timeout=60).stdout


def extract_frames(times):
    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(_extract_frame, times))  # expect: HB601 "pool.map() blocks" "handler 'frames'"


def frames_later(times):
    pool = ThreadPoolExecutor(max_workers=4)
    try:
        return pool.map(_extract_frame, times)  # ok: handed back unread
    finally:
        pool.shutdown(wait=False)
'''

VIEWS = '''\
from fastapi import FastAPI

from app.media import extract_frames, frames_later

app = FastAPI()


@app.get("/frames")
async def frames(times: str):
    return {"frames": extract_frames(times.split(","))}  # expect: HB601 "extract_frames()" "map() at app/media.py:11"


@app.get("/frames/later")
async def later(times: str):
    return {"frames": frames_later(times.split(","))}  # ok: nothing waits on the loop
'''


def test_an_executor_map_read_in_place_blocks_the_loop(tmp_path: Path) -> None:
    files = {"app/__init__.py": "", "app/media.py": MEDIA, "app/views.py": VIEWS}
    markers_hold(tmp_path, files, "app/views.py")
    markers_hold(tmp_path, files, "app/media.py")
