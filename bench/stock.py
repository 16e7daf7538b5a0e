"""(c) The same schema on stock strawberry: Enterprise's fields as plain attributes, a
resolver running the same SQL, orjson encoding; no authentication, no permissions, no audit.

``POST /graphql``.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import enum
import os
from collections.abc import AsyncIterator, Callable
from typing import Any, Generic, NewType, TypeVar

import orjson
import strawberry
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Route
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.schema.config import StrawberryConfig

from bench.page import FIELDS, MAX_PAGE, PageSource
from liaison.db import models
from liaison.db.engine import create_engine

T = TypeVar("T")
Day = NewType("Day", str)

# A copy of the model's enum: strawberry.enum marks a class in place, and Liaison's schema
# has marked the model's own.
_Kind: Any = enum.Enum("LifecycleKind", {k.name: k.value for k in models.LifecycleKind})  # type: ignore[misc]
LifecycleKind = strawberry.enum(_Kind)


def _serialize_day(value: Any) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


@strawberry.type
class Enterprise:
    id: strawberry.ID
    uscc: str
    name: str
    owner: str
    zone: str | None = None
    address: str | None = None
    legal_representative: str | None = None
    contact_phone: str | None = None
    industry: str | None = None
    registered_on: Day | None = None
    status: LifecycleKind | None = None  # type: ignore[valid-type]
    status_since: Day | None = None


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo


def _cursor(record_id: int) -> str:
    return base64.urlsafe_b64encode(f"id:{record_id}".encode()).decode().rstrip("=")


def _after(cursor: str | None) -> int | None:
    if cursor is None:
        return None
    raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    return int(raw.removeprefix("id:"))


def _same(value: Any) -> Any:
    return value


def _values(source: PageSource) -> tuple[Callable[[Any], Any], ...]:
    stored = {"owner": source.codes.get}
    return tuple(source.masks.get(field) or stored.get(field, _same) for _, field in FIELDS)


_ATTRIBUTES = tuple(field for _, field in FIELDS)


@strawberry.type
class Query:
    @strawberry.field
    async def enterprises(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> Connection[Enterprise]:
        source: PageSource = info.context["source"]
        size = 50 if first is None else first
        if not 0 <= size <= MAX_PAGE:
            raise ValueError(f"'first' must be between 0 and {MAX_PAGE}")
        rows, more = await source.fetch(size, _after(after))
        values = _values(source)
        edges = [
            Edge(
                cursor=_cursor(row[0]),
                node=Enterprise(
                    **{
                        name: value(cell)
                        for name, value, cell in zip(_ATTRIBUTES, values, row, strict=True)
                    }
                ),
            )
            for row in rows
        ]
        return Connection(
            edges=edges,
            page_info=PageInfo(has_next_page=more, end_cursor=edges[-1].cursor if edges else None),
        )


SCHEMA = strawberry.Schema(
    query=Query,
    config=StrawberryConfig(
        scalar_map={Day: strawberry.scalar(name="Day", serialize=_serialize_day)}
    ),
)


class StockGraphQL(GraphQL[dict[str, Any], None]):
    def __init__(self, source: PageSource) -> None:
        super().__init__(SCHEMA, graphql_ide=None)
        self.source = source

    async def get_context(self, request: Request | WebSocket, response: Any) -> dict[str, Any]:
        return {"request": request, "response": response, "source": self.source}

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)


def create_app(database_url: str, caller: str) -> Starlette:
    engine = create_engine(database_url)
    view = StockGraphQL(PageSource(engine, caller))

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        yield
        await engine.dispose()

    app = Starlette(routes=[Route("/graphql", view, methods=["POST"])], lifespan=lifespan)
    app.state.engine = engine
    return app


def app_from_environment() -> Starlette:
    """For ``uvicorn --factory``: LIAISON_DATABASE_URL and BENCH_CALLER."""
    return create_app(os.environ["LIAISON_DATABASE_URL"], os.environ.get("BENCH_CALLER", "customs"))
