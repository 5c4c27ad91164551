"""Wiki on Pyramid: view_config functions and classes, imperative add_view."""
from pyramid.config import Configurator
from pyramid.response import Response
from pyramid.view import view_config, view_defaults

from .models import Page


@view_config(route_name="home", renderer="templates/home.pt")
def home(request):  # handler
    return {"pages": Page.all()}


@view_config(route_name="page", renderer="json")
def show_page(request):  # handler
    return Page.get(request.matchdict["name"]).as_dict()


def hello(request):  # handler
    return Response("hello")


def legacy(request):  # handler
    return Response("legacy")


@view_defaults(route_name="page_edit", renderer="templates/edit.pt")
class PageEditor:
    def __init__(self, request):
        self.request = request

    @view_config(request_method="GET")
    def form(self):  # handler
        return {"page": self._page()}

    @view_config(request_method="POST")
    def save(self):  # handler
        self._page().update(self.request.POST)
        return {"saved": True}

    def _page(self):
        return Page.get(self.request.matchdict["name"])


@view_config(route_name="history", renderer="json")
class HistoryView:
    def __init__(self, request):
        self.request = request

    def __call__(self):  # handler
        return {"history": Page.history(self.request.matchdict["name"])}

    def revisions(self):
        return Page.revisions()


class Exporter:
    def __init__(self, request):
        self.request = request

    def pdf(self):  # handler
        return Response(Page.render_pdf())

    def text(self):
        return Page.render_text()


def main(global_config, **settings):
    with Configurator(settings=settings) as config:
        config.add_route("home", "/")
        config.add_route("hello", "/hello")
        config.add_view(hello, route_name="hello")
        config.add_view(view=legacy, route_name="legacy")
        config.add_view(Exporter, attr="pdf", route_name="export_pdf")
        config.scan()
        return config.make_wsgi_app()


# -- not handlers ----------------------------------------------------------------

def page_title(request, page):
    return page.title.title()
