"""Catalogue API on Strawberry: decorated resolvers on query, mutation and object types."""
from dataclasses import dataclass, field
from typing import List, Optional

import strawberry
from pydantic import BaseModel, Field
from strawberry.types import Info

from .db import Session
from .models import Product as ProductRow


@dataclass
class Filters:
    tags: List[str] = field(default_factory=list)


class ProductIn(BaseModel):
    name: str = Field(min_length=1)


@strawberry.type
class Product:
    id: strawberry.ID
    name: str
    price_cents: int = strawberry.field(description="price in cents")

    @strawberry.field
    def price(self) -> float:  # handler
        return self.price_cents / 100

    @strawberry.field(description="products often bought together")
    async def related(self, info: Info) -> List["Product"]:  # handler
        rows = await info.context.loaders.related.load(self.id)
        return [Product.from_row(row) for row in rows]

    @classmethod
    def from_row(cls, row: ProductRow) -> "Product":
        return cls(id=strawberry.ID(str(row.id)), name=row.name, price_cents=row.price_cents)

    @property
    def label(self) -> str:
        return self.name.title()


def _search(term: str) -> List[Product]:
    with Session() as session:
        return [Product.from_row(row) for row in session.search(term)]


@strawberry.type
class Query:
    @strawberry.field
    def product(self, id: strawberry.ID) -> Optional[Product]:  # handler
        row = ProductRow.get(id)
        return Product.from_row(row) if row else None

    @strawberry.field
    def search(self, term: str) -> List[Product]:  # handler
        return _search(term)

    def helper(self) -> int:
        return 1


@strawberry.type
class Mutation:
    @strawberry.mutation(description="rename a product")
    async def rename(self, info: Info, id: strawberry.ID, name: str) -> Product:  # handler
        row = await info.context.repo.rename(id, name)
        return Product.from_row(row)


@strawberry.type
class Subscription:
    @strawberry.subscription
    async def price_changes(self, id: strawberry.ID):  # handler
        async for row in ProductRow.watch(id):
            yield Product.from_row(row)


schema = strawberry.Schema(query=Query, mutation=Mutation, subscription=Subscription)
