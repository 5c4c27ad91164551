"""A helper that builds a client, decorated by one of the project's decorators whose wrapper hands
back what the function returns (letta's and jl-ecms-server's ``@trace_method`` on
``_get_anthropic_client``), still makes a new client for its caller; one decorated by a cache of
the project does not."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from flake8_handler_block.project.passthrough import keeps_result
from project_helpers import markers_hold

TRACING = '''\
import functools
import inspect


def trace_method(func):
    @functools.wraps(func)
    async def async_wrapper(*args, **kwargs):
        with span(func.__name__):
            result = await func(*args, **kwargs)
        return result

    @functools.wraps(func)
    def sync_wrapper(*args, **kwargs):
        return func(*args, **kwargs)

    return async_wrapper if inspect.iscoroutinefunction(func) else sync_wrapper


def memoized(func):
    kept = {}

    def wrapper(*args):
        if args not in kept:
            kept[args] = func(*args)
        return kept[args]

    return wrapper


def span(name):
    return open("/dev/null")
'''

CLIENT = '''\
import anthropic
import httpx
from fastapi import FastAPI

from .tracing import memoized, trace_method

app = FastAPI()


def logged(func):
    def wrapper(*args, **kwargs):
        return func(*args, **kwargs)
    return wrapper


class AnthropicClient:
    @trace_method
    async def _get_client(self):
        return anthropic.AsyncAnthropic()

    @logged
    def _http(self):
        return httpx.Client()

    @memoized
    def _shared(self):
        return httpx.Client()

    async def request(self, data: dict) -> dict:
        client = await self._get_client()  # expect: HB103 "self._get_client() client" "handler 'ask'"
        return (await client.messages.create(**data)).model_dump()

    def fetch(self, url: str) -> str:
        client = self._http()  # expect: HB103 "self._http() client"
        return client.get(url).text

    def fetch_shared(self, url: str) -> str:
        client = self._shared()  # ok: HB103 the cache hands out one kept client
        return client.get(url).text


@app.post("/ask")
async def ask(data: dict) -> dict:
    store = AnthropicClient()
    await store.request(data)
    return {}


@app.get("/page")
def page(url: str) -> str:
    store = AnthropicClient()
    return store.fetch(url) + store.fetch_shared(url)
'''


def test_a_helper_under_a_decorator_that_hands_back_its_result_makes_a_client(tmp_path: Path) -> None:
    files = {"app/__init__.py": "", "app/tracing.py": TRACING, "app/clients.py": CLIENT}
    markers_hold(tmp_path, files, "app/clients.py")


@pytest.mark.parametrize("source, keeps", [
    (TRACING.split("def memoized")[0], True),
    ("def memoized(func):\n" + TRACING.split("def memoized(func):\n")[1].split("def span")[0], False),
    ("def d(func):\n    def w(*a):\n        result = func(*a)\n        for result in a:\n            pass\n"
     "        return result\n    return w\n", False),  # rebound by the loop: not the call's result
    ("def d(func):\n    def w(func):\n        return func()\n    return w\n", False),  # its own parameter
    ("def d(func):\n    def w(*a):\n        func(*a)\n        return None\n    return w\n", False),
    ("def d(func):\n    return func\n", False),
])
def test_which_decorators_hand_back_the_result(source: str, keeps: bool) -> None:
    tree = ast.parse(source)
    decorator = next(node for node in tree.body if isinstance(node, ast.FunctionDef))
    assert keeps_result(decorator) is keeps
