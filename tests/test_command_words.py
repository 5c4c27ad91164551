"""Commands that end at once, as both readers see them: the rules (libcst, ``commands``) in the
handler's own module, and the project index (``ast``, ``summary``) when a helper of another module
runs the command for an async handler (HB601 names what the helper runs)."""

from __future__ import annotations

from pathlib import Path

import pytest

from flake8_handler_block.catalog import says_it_ends_at_once
from project_helpers import markers_hold


@pytest.mark.parametrize(
    ("words", "ends"),
    [
        (["", "-codecs", "-hide_banner"], True),  # ffmpeg lists what it was built with
        (["", "-h", "||", "true"], True),  # usage; the fallback only changes the exit status
        (["", "-h", "||", ":"], True),
        (["", "-i", "in.mp4", "||", "true"], False),  # the fallback does not bound what runs before it
        (["", "||", "true"], False),  # no word left to ask about
        (["motion", "-c", "motion.conf"], False),
    ],
)
def test_information_words(words: list, ends: bool) -> None:
    assert says_it_ends_at_once(words, None) is ends


HELPERS = '''\
import subprocess
from shlex import quote

FFMPEG = "/usr/bin/ffmpeg"


def codecs():
    return subprocess.check_output(FFMPEG + " -codecs -hide_banner", shell=True)


def motion_usage(binary):
    return subprocess.check_output(quote(binary) + " -h || true", shell=True)


def transcode(path):
    return subprocess.check_output(FFMPEG + " -i " + quote(path) + " out.webm", shell=True)
'''

VIEWS = '''\
from fastapi import APIRouter

from app.media import codecs, motion_usage, transcode

router = APIRouter()


@router.get("/codecs")
async def list_codecs():
    return {"codecs": codecs().decode(), "motion": motion_usage("motion").decode()}


@router.post("/transcode")
async def convert(path: str):
    transcode(path)  # expect: HB601 "transcode() blocks the event loop" "check_output() at app/media.py:16"
    return {"ok": True}
'''


def test_helpers_commands_that_end_at_once(tmp_path: Path) -> None:
    """``binary + " -codecs"`` and ``quote(binary) + " -h || true"`` in another module's helper
    leave the async handler's call of it alone; a transcode does not."""
    markers_hold(tmp_path, {"app/__init__.py": "", "app/media.py": HELPERS, "app/views.py": VIEWS}, "app/views.py")
