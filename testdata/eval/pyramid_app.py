"""Catalogue views (Pyramid)."""
import subprocess
from urllib.request import urlopen

import requests
from pyramid.view import view_config, view_defaults

CATALOGUE = "https://catalogue.internal"


@view_config(route_name="home", renderer="json")
def home(request):
    r = requests.get(f"{CATALOGUE}/featured")  # expect: HB201
    return r.json()


@view_defaults(route_name="items", renderer="json")
class ItemViews:
    def __init__(self, request):
        self.request = request

    @view_config(request_method="GET")
    def list_items(self):
        r = requests.get(f"{CATALOGUE}/items", params=self.request.params)  # expect: HB201
        return r.json()

    @view_config(request_method="POST")
    def import_items(self):
        out = subprocess.check_output(["import-items", self.request.POST["file"]], timeout=120)  # ok: HB204 timeout given
        return {"imported": out.decode()}


def status_view(request):
    with urlopen(f"{CATALOGUE}/status") as resp:  # expect: HB202; ok: HB102 context manager
        return {"status": resp.status}


def not_a_view(request):
    """Helper kept for the admin shell; never registered and never called by a view."""
    return requests.get(f"{CATALOGUE}/debug").json()  # expect: HB201 "function 'not_a_view'"


def includeme(config):
    config.add_route("status", "/status")
    config.add_view(status_view, route_name="status", renderer="json")
