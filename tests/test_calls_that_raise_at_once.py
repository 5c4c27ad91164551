"""A call that passes a keyword its function does not take raises TypeError before any of the
function runs: the graph does not follow it (graph._refuses_a_keyword), unless a ``**mapping``, the
function's own ``**kwargs`` or a decorator leaves the signature open."""

from __future__ import annotations

from pathlib import Path

from project_helpers import markers_hold

AGENT = '''\
import functools

import requests


def retried(function):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        return function(*args, **kwargs)
    return wrapper


class Agent:
    def invoke(self, query, session_id):
        return requests.post("http://agent/invoke", json={"q": query}, timeout=5)

    def stream(self, query, session_id, **options):
        return requests.post("http://agent/stream", json={"q": query}, timeout=5)

    @retried
    def retrying(self, query):
        return requests.post("http://agent/retry", json={"q": query}, timeout=5)
'''

SERVER = '''\
from fastapi import FastAPI

from .agent import Agent

app = FastAPI()
agent = Agent()
OPTIONS = {"history": []}


@app.post("/ask")
async def ask(query: str, session: str):
    agent.invoke(query, session, history=[])  # ok: HB601 raises TypeError before it posts
    agent.invoke(query, session, **OPTIONS)  # expect: HB601 "agent.invoke() blocks the event loop"
    agent.invoke(query, session_id=session)  # expect: HB601 "agent.invoke() blocks the event loop"
    agent.stream(query, session, history=[])  # expect: HB601 "agent.stream() blocks the event loop"
    agent.retrying(query, attempts=3)  # expect: HB601 "agent.retrying() blocks the event loop"
    return {}
'''


def test_a_keyword_the_function_does_not_take(tmp_path: Path) -> None:
    markers_hold(tmp_path, {"app/__init__.py": "", "app/agent.py": AGENT, "app/server.py": SERVER}, "app/server.py")
