"""Status page on Bottle, routes declared with both styles."""
import bottle
from bottle import Bottle, error, get, hook, post, request, response, route, template

from .store import Store

store = Store()
admin = Bottle()


@route("/")
def home():  # handler
    return template("home", items=store.items())


@get("/items/<item_id:int>")
def show_item(item_id):  # handler
    return store.get(item_id)


@post("/items")
def add_item():  # handler
    return store.add(request.json)


@error(404)
def missing(err):  # handler
    return "nothing here"


@hook("after_request")
def enable_cors():  # handler
    response.headers["Access-Control-Allow-Origin"] = "*"


@admin.route("/stats")
def stats():  # handler
    return {"items": len(store)}


@admin.delete("/items/<item_id:int>")
def remove_item(item_id):  # handler
    store.remove(item_id)


@bottle.route("/version")
def version():  # handler
    return {"version": "2.1"}


# -- not handlers ----------------------------------------------------------------

def get_store():
    return store


class Cache:
    def get(self, key):
        return self._data.get(key)

    def post(self, key, value):
        self._data[key] = value


@store.transaction
def reindex():
    store.reindex()
