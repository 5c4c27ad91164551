"""HB601 and sync generator functions: calling one runs none of its body. An async handler that
hands the generator on (``StreamingResponse(rows())``, which Starlette iterates in a worker
thread) does not block its loop; one that iterates it in place (``for``, ``list()``, a
comprehension, ``yield from``, itself or through the name it is bound to) does."""

from __future__ import annotations

from pathlib import Path

from project_helpers import markers_hold

WORK = '''import time


class Worker:
    def stream(self, params):
        for i in range(3):
            time.sleep(1)  # expect: HB601 "handler 'iterate'"
            yield str(i)

    def whole(self, params):
        for chunk in self.stream(params):
            pass
        return chunk


def rows():
    time.sleep(1)  # ok: only ever handed to StreamingResponse
    yield "row"
'''

VIEWS = '''from fastapi import FastAPI
from fastapi.responses import StreamingResponse

from .work import Worker, rows

app = FastAPI()
worker = Worker()


@app.get("/stream")
async def stream(params: str):
    generator = worker.stream(params)  # ok: made, not iterated, here
    return StreamingResponse(generator)


@app.get("/rows")
async def all_rows():
    return StreamingResponse(rows())  # ok: Starlette iterates it in a worker thread


@app.get("/whole")
async def whole(params: str):
    return worker.whole(params)  # expect: HB601 "runs time.sleep()" "via Worker.stream()"


@app.get("/iterate")
async def iterate(params: str):
    pieces = worker.stream(params)  # expect: HB601 "worker.stream() blocks the event loop"
    return {"text": "".join(pieces)}
'''

SINGLE = '''import time

from fastapi import FastAPI
from fastapi.responses import StreamingResponse

app = FastAPI()


def ticks():
    for i in range(3):
        time.sleep(1)  # expect: HB601 "handler 'every_tick'"
        yield str(i)


@app.get("/ticks")
async def stream_ticks():
    return StreamingResponse(ticks())


@app.get("/all")
async def every_tick():
    return [tick for tick in ticks()]  # expect: HB601 "ticks() blocks the event loop"
'''


def test_a_generator_of_another_module_runs_where_it_is_iterated(tmp_path: Path) -> None:
    files = {"app/__init__.py": "", "app/work.py": WORK, "app/views.py": VIEWS}
    markers_hold(tmp_path / "views", files, "app/views.py")
    markers_hold(tmp_path / "work", files, "app/work.py")


def test_a_generator_of_the_module_runs_where_it_is_iterated(tmp_path: Path) -> None:
    markers_hold(tmp_path / "single", {"app/__init__.py": "", "app/views.py": SINGLE}, "app/views.py")
