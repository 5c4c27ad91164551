"""An inference server that builds its FastAPI app from a table of routes, with a route class of its own."""
from typing import Callable

from fastapi import FastAPI
from fastapi.routing import APIRoute as FastAPIRoute
from fastapi import routing


class APIRoute(FastAPIRoute):
    """Swaps the request class for every route."""

    def get_route_handler(self) -> Callable:
        original = super().get_route_handler()

        async def custom_route_handler(request):
            return await original(request)

        return custom_route_handler


class Route:
    """Not a route class of a framework: a record of the admin menu."""

    def __init__(self, path, target):
        self.path = path
        self.target = target


async def model_ready(model_name: str):  # handler
    return {"ready": True}


async def infer(model_name: str, payload: dict):  # handler
    return {"outputs": []}


async def live():  # handler
    return {"live": True}


def open_settings():
    return "settings"


def create_app() -> FastAPI:
    routes = [
        APIRoute("/v2/models/{model_name}/ready", model_ready),
        APIRoute("/v2/models/{model_name}/infer", infer, methods=["POST"]),
        routing.APIRoute("/v2/health/live", endpoint=live),
    ]
    menu = [Route("/settings", open_settings)]
    app = FastAPI(routes=routes)
    app.state.menu = menu
    return app
