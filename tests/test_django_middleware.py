"""Django's middleware protocol needs no base class: a class built with the next handler
(``__init__(self, get_response)``) is called with every request, and its ``__call__`` (and
``process_view``...) is a handler (a Django app's revision-stamping middleware)."""

from __future__ import annotations

from pathlib import Path

from project_helpers import markers_hold

MIDDLEWARE = '''\
import subprocess


class RevisionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.revision = subprocess.check_output(["git", "rev-parse", "HEAD"])  # expect: HB204 "handler"
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        subprocess.run(["logger", view_func.__name__])  # expect: HB204 "process_view"
        return None


class Stamp:
    def __init__(self, response):
        self.response = response

    def __call__(self, request):
        return subprocess.check_output(["git", "describe"])  # ok: no request reaches it
'''


def test_a_class_built_with_get_response_is_a_django_middleware(tmp_path: Path) -> None:
    files = {"shop/__init__.py": "", "shop/middleware.py": MIDDLEWARE}
    markers_hold(tmp_path, files, "shop/middleware.py")
