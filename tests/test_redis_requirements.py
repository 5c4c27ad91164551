"""HB203 and redis-py: before 8.0 a client's sockets have no timeout, from 8.0 they have 5 s. A client
built with none is reported only in a project whose own files require a redis-py older than 8
(project/requirements.py): a cap in its requirements, or the version its lock file holds."""

from __future__ import annotations

from pathlib import Path
from typing import Dict

import pytest

from flake8_handler_block.project.requirements import caps_below, requires_below
from project_helpers import markers_hold, write_project

CACHE = '''\
import asyncio
import os

import redis
import redis.asyncio as aioredis
from redis import Redis
from redis.asyncio import ConnectionPool

REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")
limiter = redis.Redis(host="cache", port=6379)  # expect: HB203 "redis.Redis() has no socket_timeout"
timed = redis.Redis(host="cache", port=6379, socket_timeout=2)  # ok: a timeout of its own
positional = Redis("cache", 6379, 0, None, 2.5)  # ok: socket_timeout is the fifth parameter
pool = ConnectionPool.from_url(REDIS_URL)  # expect: HB203 "ConnectionPool.from_url() has no socket_timeout"
pooled = aioredis.Redis(connection_pool=pool)  # ok: the pool holds the timeouts
in_url = aioredis.from_url("redis://cache:6379/0?socket_timeout=3")  # ok: the URL gives one
subscriber = redis.Redis(host="cache", socket_timeout=None)  # ok: waits for messages on purpose
settings = {"host": "cache", "socket_timeout": 5}
configured = redis.Redis(**settings)  # ok: the dict gives one


def revocations(options):
    return aioredis.from_url(REDIS_URL, decode_responses=True)  # expect: HB203 "from_url() has no socket_timeout"


def passed_on(options):
    return redis.Redis(**options)  # ok: what the caller gives is not known


async def probe(url):
    client = aioredis.from_url(url)  # ok: its only caller awaits it under a deadline
    try:
        return await client.ping()
    finally:
        await client.aclose()


async def ready(url):
    return await asyncio.wait_for(probe(url), 2)
'''


def _project(tmp_path: Path, files: Dict[str, str]) -> None:
    markers_hold(tmp_path, {"app/__init__.py": "", "app/cache.py": CACHE, **files}, "app/cache.py")


def test_clients_with_no_socket_timeout_in_a_project_on_redis_before_8(tmp_path: Path) -> None:
    _project(tmp_path, {"requirements.txt": "flask>=3\nredis[hiredis]>=5.0,<7  # pinned below 8\n"})


def test_nothing_reported_where_redis_8_may_be_installed(tmp_path: Path) -> None:
    """No cap (a fresh install gets redis-py 8 and its 5 s default): nothing is reported."""
    write_project(tmp_path, {"pyproject.toml": '[project]\nname = "app"\ndependencies = ["redis>=5"]\n',
                             "app/__init__.py": "", "app/cache.py": CACHE})
    from flake8_handler_block.engine import check_source
    found = check_source(CACHE, str(tmp_path / "app" / "cache.py"))
    assert not [f for f in found if "HB203" in f[2]]


@pytest.mark.parametrize("files, below", [
    ({"pyproject.toml": '[project]\nname = "a"\ndependencies = ["redis<6.0.0,>=5.2.0"]\n'}, True),
    ({"pyproject.toml": '[project]\nname = "a"\ndependencies = ["redis>=5"]\n'}, False),
    ({"pyproject.toml": '[project]\nname = "a"\n[project.optional-dependencies]\ncache = ["redis~=7.1.0"]\n'}, True),
    ({"pyproject.toml": '[tool.poetry.dependencies]\npython = "^3.11"\nredis = "^5.0"\n'}, True),
    ({"pyproject.toml": '[tool.poetry.dependencies]\nredis = {version = "*", extras = ["hiredis"]}\n'}, False),
    ({"pyproject.toml": '[project]\nname = "a"\ndependencies = ["redis>=5"]\n',
      "uv.lock": 'version = 1\n\n[[package]]\nname = "redis"\nversion = "5.2.1"\nsource = {}\n'}, True),
    ({"pyproject.toml": '[project]\nname = "a"\ndependencies = ["redis<7"]\n',
      "uv.lock": '[[package]]\nname = "redis"\nversion = "8.0.1"\n'}, False),
    ({"setup.cfg": "[options]\ninstall_requires =\n    redis==4.5.1\n    flask\n"}, True),
    ({"setup.py": 'setup(name="a", install_requires=["redis>=4,<8.0.0", "flask"])\n'}, True),
    ({"setup.py": 'setup(name="a", install_requires=["redis>=4,<8.1", "flask"])\n'}, False),
    ({"a-1.0.dist-info/METADATA": 'Name: a\nRequires-Dist: redis==7.4.*\nRequires-Dist: flask\n'}, True),
    ({"a-1.0.dist-info/METADATA": 'Name: a\nRequires-Dist: redis (<7,>=5.0.7) ; extra == "redis"\n'}, True),
    ({"requirements.txt": "redis<7\n", "requirements/prod.txt": "redis\n"}, False),
    ({"requirements.txt": "redis-om<1\nflask\n"}, False),
    ({"pyproject.toml": "[project\nbroken"}, False),
    ({}, False),
])
def test_requires_below(tmp_path: Path, files: Dict[str, str], below: bool) -> None:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    assert requires_below(str(tmp_path), "redis", 8) is below


@pytest.mark.parametrize("specifier, below", [
    ("<8", True), ("<8.0.0", True), ("<7.2", True), ("<=7.9", True), ("==6.4.0", True), ("==7.4.*", True),
    ("~=5.0", True), ("^7.1", True), (">=5,<9", False), ("<8.0.1", False), (">=5", False), ("", False),
    ("!=8.0.0", False), ("==8.0.1", False), ("<8; python_version < '3.9'", True),
])
def test_caps_below(specifier: str, below: bool) -> None:
    assert caps_below(specifier, 8) is below
