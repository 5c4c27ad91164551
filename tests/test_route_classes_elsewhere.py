"""A route class of the project deriving from a framework's (``class ApiRoute(Route)``), called in
another module (``ApiRoute("/threads", endpoint=create_thread)``): its endpoints are handlers, as
for ``Route(...)`` itself. A class of the same name shape that derives from no route class is not."""

from __future__ import annotations

from pathlib import Path

from project_helpers import markers_hold

ROUTE = '''\
from starlette.routing import Route


class ApiRoute(Route):
    def __init__(self, path, endpoint, *, methods=None):
        super().__init__(path, endpoint, methods=methods)


class PlannedRoute:
    """A travel route, not a web one."""

    def __init__(self, path, endpoint=None):
        self.path = path
        self.endpoint = endpoint
'''

THREADS = '''\
import time

from starlette.routing import Route

from .route import ApiRoute, PlannedRoute


class LocalRoute(Route):
    pass


async def create_thread(request):
    time.sleep(1)  # expect: HB601 "handler 'create_thread'"


async def search_threads(request):
    time.sleep(1)  # expect: HB601 "handler 'search_threads'"


async def local_thread(request):
    time.sleep(1)  # expect: HB601 "handler 'local_thread'"


async def plan(request):
    time.sleep(1)  # ok: HB601 PlannedRoute derives from no route class


routes = [
    ApiRoute("/threads", endpoint=create_thread, methods=["POST"]),
    ApiRoute("/threads/search", search_threads, methods=["POST"]),
    LocalRoute("/local", local_thread),
    PlannedRoute("/plan", endpoint=plan),
]
'''


def test_a_route_class_of_another_module(tmp_path: Path) -> None:
    files = {"app/__init__.py": "", "app/route.py": ROUTE, "app/threads.py": THREADS}
    markers_hold(tmp_path, files, "app/threads.py")
