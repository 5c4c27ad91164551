"""Job daemon on Twisted Web: resources render one method per HTTP verb."""
import json

from twisted.application.service import Service
from twisted.web import resource, server, static

from .jobs import Queue


class JsonResource(resource.Resource):
    def render(self, request):  # handler
        request.setHeader(b"Content-Type", b"application/json")
        return json.dumps(resource.Resource.render(self, request)).encode()

    def encode(self, value):
        return json.dumps(value).encode()


class Schedule(JsonResource):
    isLeaf = True

    def __init__(self, queue: Queue):
        super().__init__()
        self.queue = queue

    def render_POST(self, request):  # handler
        job = self.queue.add(request.args[b"project"][0].decode())
        return {"status": "ok", "jobid": job.id}

    def render_GET(self, request):  # handler
        return {"pending": len(self.queue)}

    def render_template(self, name):
        return name


class Root(resource.Resource):
    def getChild(self, path, request):  # handler
        return static.File("public").getChild(path, request)


class Poller(Service):
    def render_GET(self, request):
        return b"not a resource"


site = server.Site(Root())
