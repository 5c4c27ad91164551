"""A name a class body binds to one of its methods (``get = _handle``, ``do_GET = route``) is that
method under another name: Home Assistant's views and OctoPrint's Tornado handlers serve every verb
with one method so, and mcp-rendezvous's ``BaseHTTPRequestHandler`` its GET and POST. Read in the
project's summaries as in the module's walk."""

from __future__ import annotations

from pathlib import Path

from project_helpers import markers_hold

VIEWS = '''import subprocess
import time

import tornado.web
from http.server import BaseHTTPRequestHandler


class IngressHandler(tornado.web.RequestHandler):
    async def _handle(self, slug):
        time.sleep(1)  # expect: HB601 "IngressHandler._handle"
        self.write(slug)

    get = _handle
    post = _handle


class Rendezvous(BaseHTTPRequestHandler):
    def route(self):
        subprocess.run(["notify-send", self.path])  # expect: HB204 "Rendezvous.route"

    do_GET = route


class Plain:
    def route(self):
        subprocess.run(["notify-send", "x"])  # ok: no handler class, whatever its names

    do_GET = route
'''


def test_a_method_bound_to_a_verb_name_in_the_class_body_serves_it(tmp_path: Path) -> None:
    markers_hold(tmp_path, {"app/__init__.py": "", "app/views.py": VIEWS}, "app/views.py")


def test_the_project_summary_lists_the_alias_among_the_class_methods() -> None:
    from flake8_handler_block.project.summary import summarise

    facts = summarise(VIEWS, "app.views", "app/views.py").facts
    ingress = next(cls for cls in facts.classes if cls.name == "IngressHandler")
    handle = ingress.method_keys("_handle")
    assert handle and ingress.method_keys("get") == handle and ingress.method_keys("post") == handle
