"""A project's own hand-off wrapper runs what its callers pass it in a worker thread: dstack's
``run_async(func, *args)`` hands ``func`` to ``run_in_executor`` through
``partial(ctx.run, func, *args)``, so a handler's ``await run_async(_list_sync, url)`` reaches
``_list_sync``. The wrapper is found from its body (``FunctionSummary.hands``), in whatever module
it is; a project function that keeps the callable it is given, or calls something else, hands
nothing on."""

from __future__ import annotations

from pathlib import Path

import pytest

from project_helpers import markers_hold

UTILS = '''import asyncio
import contextvars
import threading
from functools import partial


async def run_async(func, *args, **kwargs):
    ctx = contextvars.copy_context()
    func_with_args = partial(ctx.run, func, *args, **kwargs)
    return await asyncio.get_running_loop().run_in_executor(None, func_with_args)


async def offload(work, *args):
    return await asyncio.to_thread(work, *args)


def in_background(job, *args):
    threading.Thread(target=job, args=args, daemon=True).start()


HOOKS = []


def on_startup(hook):
    HOOKS.append(hook)
    return hook


def describe(func, label):
    return f"{label}: {func.__name__}"
'''

TEMPLATES = '''import subprocess

from .utils import describe, in_background, offload, on_startup, run_async


async def list_templates(url):
    return await run_async(_list_sync, url)


def _list_sync(url):
    return subprocess.run(["git", "ls-remote", url])  # expect: HB204 "via list_templates() -> _list_sync()"


class Mirror:
    async def refresh(self, url):
        await offload(self._fetch, url)
        in_background(_warm, url)

    def _fetch(self, url):
        subprocess.run(["git", "fetch", url])  # expect: HB204 "via Mirror.refresh() -> Mirror._fetch()"


def _warm(url):
    subprocess.run(["git", "gc"])  # ok: a thread of its own, not the request's work


def _prune(url):
    subprocess.run(["git", "prune"])  # ok: only registered, never run by a request


def _named(url):
    subprocess.run(["git", "log", url])  # ok: describe() reads the function's name, it runs nothing


async def status(url):
    on_startup(_prune)
    return describe(_named, url)
'''

VIEWS = '''from fastapi import FastAPI

from .templates import Mirror, list_templates, status

app = FastAPI()


@app.get("/templates")
async def templates(url: str):
    return await list_templates(url)


@app.post("/mirror")
async def mirror(url: str):
    await Mirror().refresh(url)
    return await status(url)
'''


def test_a_project_wrapper_hands_its_callable_to_a_thread(tmp_path: Path) -> None:
    markers_hold(
        tmp_path,
        {"app/__init__.py": "", "app/utils.py": UTILS, "app/templates.py": TEMPLATES, "app/views.py": VIEWS},
        "app/templates.py",
    )


@pytest.mark.parametrize(
    "body",
    [
        "    HOOKS.append(func)\n",  # keeps it for later
        "    func = print\n    return await asyncio.to_thread(func, *args)\n",  # rebinds the parameter first
    ],
)
def test_a_function_that_does_not_hand_its_parameter_on_reaches_nothing(tmp_path: Path, body: str) -> None:
    utils = UTILS.replace(
        '''    ctx = contextvars.copy_context()
    func_with_args = partial(ctx.run, func, *args, **kwargs)
    return await asyncio.get_running_loop().run_in_executor(None, func_with_args)
''',
        body,
    )
    templates = TEMPLATES.replace('''  # expect: HB204 "via list_templates() -> _list_sync()"''', "")
    markers_hold(
        tmp_path,
        {"app/__init__.py": "", "app/utils.py": utils, "app/templates.py": templates, "app/views.py": VIEWS},
        "app/templates.py",
    )


def test_a_wrapper_that_calls_its_callable_in_place_runs_it_on_the_loop(tmp_path: Path) -> None:
    """``async def run_async(func, *args): return func(*args)`` hands nothing to a thread: what each
    caller passes runs in place, here on the event loop (``FunctionSummary.hands``' CALL)."""
    utils = UTILS.replace(
        '''    ctx = contextvars.copy_context()
    func_with_args = partial(ctx.run, func, *args, **kwargs)
    return await asyncio.get_running_loop().run_in_executor(None, func_with_args)
''',
        "    return func(*args)\n",
    )
    templates = TEMPLATES.replace(
        '''  # expect: HB204 "via list_templates() -> _list_sync()"''',
        '''  # expect: HB204 "via list_templates() -> _list_sync()", HB601 "via list_templates() -> _list_sync()"''',
    )
    markers_hold(
        tmp_path,
        {"app/__init__.py": "", "app/utils.py": utils, "app/templates.py": templates, "app/views.py": VIEWS},
        "app/templates.py",
    )


LAMBDA_UTILS = '''import anyio


async def in_worker(fn):
    return await anyio.to_thread.run_sync(fn)


async def in_place(fn):
    return fn()


async def in_worker_calling(fn, *args, **kwargs):
    return await anyio.to_thread.run_sync(lambda: fn(*args, **kwargs))
'''

LAMBDA_ROUTES = '''import anyio
import httpx
from fastapi import APIRouter

from .utils import in_place, in_worker, in_worker_calling


def fetch(url):
    with httpx.Client(timeout=45) as client:
        return client.post(url).json()  # expect: HB601 "handler 'build_router.<locals>.inline'"


def probe(url):
    return httpx.get(url, timeout=5).status_code  # ok: HB601 only ever run in a worker thread


async def execute_top(fn):
    return await anyio.to_thread.run_sync(fn)


def build_router():
    router = APIRouter()

    async def execute(fn):
        return await anyio.to_thread.run_sync(fn)

    @router.post("/connect")
    async def connect(url: str):
        return await execute(lambda: fetch(url))

    @router.post("/probe")
    async def probe_route(url: str):
        first = await execute_top(lambda: probe(url))
        second = await in_worker_calling(lambda: probe(url))
        return first, second, await in_worker(lambda: probe(url))

    @router.post("/inline")
    async def inline(url: str):
        return await in_place(lambda: fetch(url))

    return router
'''


def test_a_lambda_given_to_a_project_hand_off_wrapper_runs_in_its_thread(tmp_path: Path) -> None:
    """``await execute(lambda: fetch(url))`` where ``execute`` hands its parameter to
    ``anyio.to_thread.run_sync``: ``fetch`` runs in the worker thread, whether ``execute`` is nested
    in the function building the routes, a module function, or another module's, handing it directly
    or in a lambda of its own (``run_sync(lambda: fn(*args))``; ``summary.IN_LAMBDA``,
    ``reach.handed_by_callee``); a wrapper that calls its parameter in place runs the lambda on the loop."""
    markers_hold(
        tmp_path, {"app/__init__.py": "", "app/utils.py": LAMBDA_UTILS, "app/routes.py": LAMBDA_ROUTES}, "app/routes.py"
    )
