"""Notebook-style API server on Tornado."""
import logging

import tornado.web
import tornado.websocket
from tornado import web
from tornado.ioloop import IOLoop

from .base import APIHandler
from .kernels import KernelManager

kernels = KernelManager()


class MainHandler(tornado.web.RequestHandler):
    def prepare(self):  # handler
        self.set_header("X-Frame-Options", "DENY")

    def get(self):  # handler
        self.render("index.html")

    def _user(self):
        return self.get_secure_cookie("user")


class KernelHandler(web.RequestHandler):
    async def post(self, kernel_id):  # handler
        await kernels.restart(kernel_id)
        self.set_status(202)

    async def delete(self, kernel_id):  # handler
        await kernels.shutdown(kernel_id)
        self.set_status(204)

    def on_finish(self):  # handler
        kernels.touch()


class ChannelsHandler(tornado.websocket.WebSocketHandler):
    def open(self, kernel_id):  # handler
        kernels.attach(kernel_id, self)

    def on_message(self, message):  # handler
        kernels.send(message)

    def on_close(self):  # handler
        kernels.detach(self)

    def check_origin(self, origin):
        return origin.endswith(".example.org")


class BaseAPIHandler(web.RequestHandler):
    def write_error(self, status_code, **kwargs):
        self.finish({"status": status_code})


class SessionsHandler(BaseAPIHandler):
    def get(self):  # handler
        self.finish({"sessions": kernels.sessions()})


class ContentsHandler(APIHandler):
    """A base from another module of the project, named like a tornado handler."""

    @web.authenticated
    async def get(self, path):  # handler
        self.finish(await kernels.contents(path))

    async def put(self, path):  # handler
        self.set_status(201)

    def _check(self, path):
        return ".." not in path


class JsonLogHandler(logging.StreamHandler):
    def get(self, record):
        return self.format(record)


def make_app():
    return tornado.web.Application(
        [
            (r"/", MainHandler),
            (r"/api/kernels/(.*)", KernelHandler),
            (r"/api/kernels/(.*)/channels", ChannelsHandler),
            (r"/api/sessions", SessionsHandler),
        ]
    )


# -- not handlers ----------------------------------------------------------------

def main():
    make_app().listen(8888)
    IOLoop.current().start()


class KernelCache:
    def get(self, kernel_id):
        return self._kernels[kernel_id]
