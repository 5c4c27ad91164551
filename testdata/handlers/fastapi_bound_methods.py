"""Model server on FastAPI: endpoint classes whose bound methods are registered as routes."""
from fastapi import APIRouter, FastAPI

from .dataplane import DataPlane
from .extensions import Extension


class V1Endpoints:
    def __init__(self, dataplane: DataPlane):
        self.dataplane = dataplane

    async def models(self):  # handler
        return await self.dataplane.model_names()

    async def predict(self, model_name: str, body: dict):  # handler
        return await self.dataplane.infer(model_name, body)

    async def explain(self, model_name: str, body: dict):  # handler
        return await self.dataplane.explain(model_name, body)

    async def metadata(self):
        return {"name": "v1"}


class HealthEndpoints:
    async def live(self):  # handler
        return {"status": "alive"}

    async def ready(self):
        return {"status": "ready"}


class BaseEndpoints:
    async def metadata(self):  # handler
        return {"name": "server"}


class V2Endpoints(BaseEndpoints):
    async def infer(self, model_name: str):  # handler
        return {"model": model_name}


def make_endpoints() -> V1Endpoints:
    return V1Endpoints(None)


def register_v1(app: FastAPI, dataplane: DataPlane) -> None:
    v1_endpoints = V1Endpoints(dataplane)
    router = APIRouter(prefix="/v1")
    router.add_api_route("/models", v1_endpoints.models, methods=["GET"])
    router.add_api_route("/models/{model_name}:predict", v1_endpoints.predict, methods=["POST"])
    app.include_router(router)


def register_v2(app: FastAPI) -> None:
    endpoints = V2Endpoints()
    app.add_api_route("/v2/models/{model_name}/infer", endpoints.infer, methods=["POST"])
    app.add_api_route("/v2", endpoints.metadata, methods=["GET"])  # inherited from BaseEndpoints
    app.add_api_route("/live", HealthEndpoints().live, methods=["GET"])


def register_extension(app: FastAPI, chosen) -> None:
    endpoints = chosen or V1Endpoints(None)  # the caller's, else one built here: of that class
    app.add_api_route("/v1/explain", endpoints.explain, methods=["POST"])
    built = make_endpoints()  # a factory's result: unknown
    app.add_api_route("/v1/metadata", built.metadata, methods=["GET"])
    extension = Extension()  # a class of another module: not one of this module's methods
    app.add_api_route("/v1/ready", extension.ready, methods=["GET"])
    health = HealthEndpoints()
    health = None
    app.add_api_route("/ready", health.ready, methods=["GET"])  # rebound: unknown
