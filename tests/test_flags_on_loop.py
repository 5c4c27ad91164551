"""HB601 and the literal flags callers pass: a call under ``if not prefer_async:`` never runs on
the loop when every way a handler reaches the function passes ``prefer_async=True`` (LiteLLM's
``dispatch_success_handlers``), neither in the function itself nor in what that call would run."""

from __future__ import annotations

from pathlib import Path

from flake8_handler_block.engine import check_source
from project_helpers import markers_hold, write_project

LOGGING = '''import boto3
import time


class Uploader:
    def __init__(self):
        self.s3 = boto3.client("s3")

    def upload(self, body):
        self.s3.put_object(Bucket="logs", Key="k", Body=body)  # expect: HB601 "handler 'legacy'"


UPLOADER = Uploader()


def sync_handlers(result):
    UPLOADER.upload(result)


async def dispatch(result, prefer_async=False):
    if result and not prefer_async:
        sync_handlers(result)  # expect: HB601 "sync_handlers() blocks the event loop"
        return
    time.sleep(0)
'''

VIEWS = '''from fastapi import FastAPI

from .logging import dispatch

app = FastAPI()


@app.post("/chat")
async def chat(body: dict):
    await dispatch(body, prefer_async=True)
    return {"ok": True}


@app.post("/legacy")
async def legacy(body: dict):
    await dispatch(body)
    return {"ok": True}
'''


def test_a_guarded_call_runs_on_the_loop_only_for_the_callers_that_leave_the_flag(tmp_path: Path) -> None:
    markers_hold(tmp_path, {"app/__init__.py": "", "app/logging.py": LOGGING, "app/views.py": VIEWS},
                 "app/logging.py")


def test_no_finding_when_every_caller_passes_the_flag(tmp_path: Path) -> None:
    views = VIEWS.replace("await dispatch(body)\n", "await dispatch(body, prefer_async=True)\n")
    root = write_project(tmp_path, {"pyproject.toml": "", "app/__init__.py": "", "app/logging.py": LOGGING,
                                    "app/views.py": views})
    found = check_source(LOGGING, str(root / "app/logging.py"))
    assert [f for f in found if "HB601" in f[2]] == []
