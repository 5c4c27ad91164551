"""Things API (Falcon resources)."""
import subprocess
import time

import falcon
import requests

THINGS = "https://things.internal"


class ThingsResource:
    def on_get(self, req, resp):
        r = requests.Session().get(f"{THINGS}/list")  # expect: HB201, HB103
        resp.media = r.json()

    def on_post(self, req, resp):
        rc = subprocess.call(["things-import", req.get_param("src")])  # expect: HB204
        resp.media = {"rc": rc}

    def on_put(self, req, resp):
        rc = subprocess.call(["things-import", "--replace", req.get_param("src")], timeout=60)  # ok: HB204 timeout given
        resp.media = {"rc": rc}

    def on_delete(self, req, resp):
        def wait_gone():
            while 1:  # expect: HB304
                if requests.head(f"{THINGS}/{req.get_param('id')}", timeout=2).status_code == 404:
                    resp.status = falcon.HTTP_204
                time.sleep(1)

        wait_gone()


class EventPoller:
    """Not a Falcon resource: on_get takes an event, not (req, resp)."""

    def on_get(self, event):
        return requests.get(event.url)  # expect: HB201 "method 'EventPoller.on_get'"


app = falcon.App()
app.add_route("/things", ThingsResource())
