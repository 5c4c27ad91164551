"""Inventory API on Falcon: resources are plain classes with responders."""
import falcon
import falcon.asgi

from .inventory import Inventory


class ItemsResource:
    def __init__(self, inventory):
        self.inventory = inventory

    def on_get(self, req, resp):  # handler
        resp.media = self.inventory.all()

    def on_post(self, req, resp):  # handler
        self.inventory.add(req.get_media())
        resp.status = falcon.HTTP_201

    def on_get_item(self, req, resp, item_id):  # handler
        resp.media = self.inventory.get(item_id)

    def on_delete_item(self, request, response, item_id):  # handler
        self.inventory.remove(item_id)

    def on_getter(self, req, resp):
        """Not a responder name: `getter` is not a verb."""

    def on_post_hook(self, payload):
        """Too few parameters for a responder."""


class LiveResource:
    async def on_get(self, req, resp):  # handler
        resp.media = {"live": True}

    async def on_websocket(self, req, ws):  # handler
        await ws.accept()


class StockEvents:
    """An event listener, not a resource: its on_* methods take events."""

    def on_put(self, event, queue, extra):
        queue.append(event)

    def on_update(self, req, resp):
        pass


def create_app():
    inventory = Inventory()
    app = falcon.App()
    items = ItemsResource(inventory)
    app.add_route("/items", items)
    app.add_route("/items/{item_id}", items, suffix="item")
    return app


# -- not handlers ----------------------------------------------------------------

def serialise(req, resp):
    return resp.media
