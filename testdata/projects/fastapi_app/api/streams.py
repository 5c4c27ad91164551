import threading

from starlette.routing import Route, Router

from .clients import SyncClient


class Feeds:
    def __init__(self, router: Router):
        self.client = SyncClient()
        router.add(path="/feeds", endpoint=self.feed)

    async def feed(self, request):
        worker = threading.Thread(target=self.poll)
        worker.start()
        return self.client.fetch("/feed")

    def poll(self):
        return self.client.fetch("/poll")


async def health(request):
    return "ok"


routes = [Route("/health", health)]
