"""Catalogue service on Litestar: function handlers and a controller."""
from litestar import Controller, Litestar, Router, delete, get, post, websocket
from litestar.connection import WebSocket
from litestar.di import Provide

from .repo import Product, ProductRepo


@get("/health")
async def health() -> dict:  # handler
    return {"ok": True}


@post("/products")
async def create_product(data: Product) -> Product:  # handler
    return await ProductRepo().add(data)


@websocket("/live")
async def live(socket: WebSocket) -> None:  # handler
    await socket.accept()
    await socket.send_json({"hello": "world"})


class ProductController(Controller):
    path = "/products"
    dependencies = {"repo": Provide(ProductRepo)}

    @get("/{product_id:int}")
    async def get_product(self, product_id: int, repo: ProductRepo) -> Product:  # handler
        return await repo.get(product_id)

    @delete("/{product_id:int}")
    async def remove_product(self, product_id: int, repo: ProductRepo) -> None:  # handler
        await repo.remove(product_id)

    async def get(self, product_id: int) -> None:
        """Not routed: a Controller method without a route decorator."""

    def _cache_key(self, product_id: int) -> str:
        return f"product:{product_id}"


api = Router(path="/api", route_handlers=[ProductController])
app = Litestar(route_handlers=[health, create_product, live, api])


# -- not handlers ----------------------------------------------------------------

async def provide_repo() -> ProductRepo:
    return ProductRepo()


def price_with_tax(product: Product) -> float:
    return product.price * 1.2
