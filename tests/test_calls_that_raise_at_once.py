"""A call that passes a keyword its function does not take, or leaves out a parameter with no
default, raises TypeError before any of the function runs: the graph does not follow it
(graph._refuses_the_arguments), unless a ``*args``/``**mapping``, the function's own ``**kwargs`` or
a decorator leaves the signature open."""

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

    @staticmethod
    def ping(host, *, port):
        return requests.get(f"http://{host}:{port}/ping", timeout=5)

    @classmethod
    def warm(cls, host, path="/"):
        return requests.get(f"http://{host}{path}", timeout=5)


def update_static(gui_version, force=False):
    return requests.get(f"http://cdn/gui/{gui_version}", timeout=5)
'''

SERVER = '''\
from fastapi import FastAPI

from .agent import Agent, update_static

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
    update_static()  # ok: HB601 raises TypeError: gui_version is not given
    update_static(force=True)  # ok: HB601 raises TypeError: gui_version is not given
    update_static("2.1")  # expect: HB601 "update_static() blocks the event loop"
    update_static(gui_version="2.1")  # expect: HB601 "update_static() blocks the event loop"
    update_static(*[query])  # expect: HB601 "update_static() blocks the event loop"
    Agent.ping("db")  # ok: HB601 raises TypeError: the keyword-only port is not given
    Agent.ping("db", port=5432)  # expect: HB601 "Agent.ping() blocks the event loop"
    Agent.warm()  # ok: HB601 raises TypeError: host is not given
    Agent.warm("db")  # expect: HB601 "Agent.warm() blocks the event loop"
    return {}
'''


def test_a_keyword_the_function_does_not_take(tmp_path: Path) -> None:
    markers_hold(tmp_path, {"app/__init__.py": "", "app/agent.py": AGENT, "app/server.py": SERVER}, "app/server.py")
