"""A hand-off calls its function with the arguments written after it (``run_in_executor(None,
convert, path, ffmpeg, progress_handler)``, ``to_thread(f, *args, **kwargs)``, ``partial(f, x)``):
a parameter it passes on by position relays what its own caller gave, and a parameter given by
position is never taken at its default. spotdl's ``async_convert`` hands ``convert`` its
``progress_handler``, which its only caller sets to a tracker's bound method, so the wait under
``if not progress_handler:`` never runs for a request. Where the hand-off does not show the
arguments (``sync_to_async(f)(path, False)``), none is taken at its default either."""

from __future__ import annotations

from pathlib import Path

import pytest

from project_helpers import markers_hold

CONVERT = '''import asyncio
import subprocess


def convert(path, ffmpeg="ffmpeg", progress_handler=None):
    with subprocess.Popen([ffmpeg, "-i", path], stdout=subprocess.PIPE) as process:
        if not progress_handler:
            process.communicate()  # {expect}
            return None
        for line in process.stdout:
            progress_handler(line)
    return path


async def async_convert(path, ffmpeg="ffmpeg", progress_handler=None):
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(None, convert, path, ffmpeg, progress_handler)


def always(path):
    return subprocess.run(["ffprobe", path])  # expect: HB204 "handler 'download'"
'''

VIEWS = '''from fastapi import FastAPI

from .convert import always, async_convert

app = FastAPI()


class Tracker:
    def hook(self, line):
        print(line)


@app.post("/download")
async def download(song: str, quiet: bool = False):
    tracker = Tracker()
    await asyncio.to_thread(always, song)
    return await async_convert(song, progress_handler={value})
'''


@pytest.mark.parametrize(
    ("value", "reported"),
    [
        ("tracker.hook", False),  # a bound method: always true
        ("lambda line: None", False),
        ("None if quiet else tracker.hook", True),  # may be None: the wait may run
    ],
)
def test_a_parameter_passed_on_by_position_relays_the_callers_value(
    tmp_path: Path, value: str, reported: bool
) -> None:
    convert = CONVERT.replace(
        "{expect}", 'expect: HB204 "process.communicate() has no timeout"' if reported else "ok: HB204 never runs"
    )
    views = "import asyncio\n" + VIEWS.replace("{value}", value)
    markers_hold(tmp_path, {"app/__init__.py": "", "app/convert.py": convert, "app/views.py": views}, "app/convert.py")


WORKER = '''import subprocess


def publish(path, notify=True):
    if not notify:
        return subprocess.run(["rsync", path, "mirror:"])  # expect: HB204 "handler 'release'"
    return subprocess.run(["notify-send", path], timeout=5)
'''

RELEASE = '''from asgiref.sync import sync_to_async
from fastapi import FastAPI

from .worker import publish

app = FastAPI()


@app.post("/release/{path}")
async def release(path: str):
    await sync_to_async(publish)(path, False)
    return "published"
'''


def test_arguments_the_hand_off_hides_leave_no_parameter_at_its_default(tmp_path: Path) -> None:
    """``sync_to_async(publish)(path, False)`` passes ``notify`` where the hand-off cannot see it:
    its default (True) says nothing of the run, so the call under ``if not notify:`` is reported."""
    markers_hold(tmp_path, {"app/__init__.py": "", "app/worker.py": WORKER, "app/views.py": RELEASE}, "app/worker.py")
