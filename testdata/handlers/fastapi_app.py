"""Orders API on FastAPI: routers, dependencies, middleware and look-alikes."""
from typing import Annotated, List

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request, WebSocket
from fastapi.responses import JSONResponse

from .db import Order, get_session

app = FastAPI(title="orders")
router = APIRouter(prefix="/orders")


@router.get("/", response_model=List[Order])
async def list_orders(session=Depends(get_session)):  # handler
    return await session.all(Order)


@router.get("/{order_id}")
def read_order(order_id: int, session=Depends(get_session)):  # handler
    return fetch_order(session, order_id)


@router.post("/", status_code=201)
async def create_order(order: Order, session=Depends(get_session)):  # handler
    await session.add(order)
    return order


@router.patch("/{order_id}")
async def update_order(order_id: int, changes: dict):  # handler
    return {"id": order_id, **changes}


@router.delete("/{order_id}", status_code=204)
async def cancel_order(order_id: int):  # handler
    return None


@app.api_route("/ping", methods=["GET", "HEAD"])
def ping():  # handler
    return {"pong": True}


@app.websocket("/ws/orders")
async def order_feed(websocket: WebSocket):  # handler
    await websocket.accept()
    async for message in websocket.iter_text():
        await websocket.send_text(message)


@app.middleware("http")
async def add_timing_header(request: Request, call_next):  # handler
    response = await call_next(request)
    response.headers["X-Timing"] = "1"
    return response


@app.exception_handler(HTTPException)
async def http_error(request: Request, exc: HTTPException):  # handler
    return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)


async def metrics():  # handler
    return {"orders": 0}


async def require_account(request: Request):  # handler
    return request.headers["X-Account"]


def audit_trail(request: Request):  # handler
    return request.url.path


@router.get("/{order_id}/history", dependencies=[Depends(audit_trail)])
async def order_history(order_id: int, account: Annotated[str, Depends(require_account)]):  # handler
    return [order_id, account]


app.add_api_route("/metrics", metrics, methods=["GET"])
app.include_router(router)


# -- not handlers ----------------------------------------------------------------

def fetch_order(session, order_id):
    order = session.get(Order, order_id)
    if order is None:
        raise HTTPException(status_code=404)
    return order


async def get_current_user(request: Request):  # handler: it takes the request and nothing calls it (a dependency)
    return request.headers.get("X-User")


@app.on_event("startup")
async def warm_cache():
    await get_session().__anext__()


class OrderRepository:
    def get(self, order_id):
        return self.rows.get(order_id)

    def delete(self, order_id):
        self.rows.pop(order_id)
