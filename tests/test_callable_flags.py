"""A keyword whose value is a function, a method or a class (``progress_handler=tracker.hook``,
``on_done=lambda: None``) is true: a call under ``if not progress_handler:`` in the function it is
passed to never runs for that caller, neither a project function's (no chain goes through it) nor
a library's (its finding is not kept when every way a handler enters the function rules it out):
spotdl's ``async_convert``, whose only caller passes a tracker's bound method. A value that is no
callable (``progress_handler=self.quiet`` where ``quiet`` is ``None``) says nothing."""

from __future__ import annotations

from pathlib import Path

from project_helpers import markers_hold

CONVERT = '''import subprocess


def probe(path):
    return subprocess.run(["ffprobe", path], capture_output=True)  # {expect}


async def convert(path, progress_handler=None):
    if not progress_handler:
        probe(path)  # {expect_call}
        subprocess.run(["ffmpeg", "-i", path])  # {expect_direct}
        return None
    progress_handler(100)
    return path
'''

TRACKER = '''class Tracker:
    def __init__(self, song):
        self.song = song

    def hook(self, percent):
        print(self.song, percent)


class Handler:
    def new_tracker(self, song) -> "Tracker":
        return Tracker(song)
'''

VIEWS = '''from fastapi import FastAPI

from .convert import convert
from .tracker import Handler

app = FastAPI()


class Downloader:
    def __init__(self):
        self.handler = Handler()
        self.quiet = None

    async def download(self, song):
        tracker = self.handler.new_tracker(song)
        return await convert(song, progress_handler={value})


DOWNLOADER = Downloader()


@app.post("/download")
async def download(song: str):
    return await DOWNLOADER.download(song)
'''


def _files(value: str, reported: bool) -> dict:
    convert = CONVERT.replace(
        "{expect}", 'expect: HB204 "handler \'download\'", HB601' if reported else "ok: HB204, HB601 never reached",
    ).replace(
        "{expect_call}", 'expect: HB601 "probe() blocks the event loop"' if reported else "ok: HB601 never runs",
    ).replace(
        "{expect_direct}", "expect: HB204, HB601" if reported else "ok: HB204, HB601 never runs",
    )
    # a finding the test always expects, so a silent module is told apart from a broken project
    convert += '\n\nasync def always(path):\n    return subprocess.run(["ffprobe", path])  # expect: HB601, HB204\n'
    views = VIEWS.replace("{value}", value).replace(
        "    return await DOWNLOADER.download(song)", "    from .convert import always\n"
        "    await always(song)\n    return await DOWNLOADER.download(song)",
    )
    return {"app/__init__.py": "", "app/convert.py": convert, "app/tracker.py": TRACKER, "app/views.py": views}


def test_a_bound_method_passed_is_true(tmp_path: Path) -> None:
    markers_hold(tmp_path, _files("tracker.hook", reported=False), "app/convert.py")


def test_a_lambda_passed_is_true(tmp_path: Path) -> None:
    markers_hold(tmp_path, _files("lambda percent: None", reported=False), "app/convert.py")


def test_a_value_that_may_be_none_says_nothing(tmp_path: Path) -> None:
    markers_hold(tmp_path, _files("self.quiet", reported=True), "app/convert.py")


def test_a_literal_true_flag_rules_out_the_call_under_the_test(tmp_path: Path) -> None:
    markers_hold(tmp_path, _files("True", reported=False), "app/convert.py")
