"""(a′) A plain Starlette endpoint: the page with the same SQL and the same JSON bytes,
encoded with orjson; no GraphQL, no authentication, no permissions, no audit.

``GET /enterprises?first=N``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bench.page import FIELDS, MAX_PAGE, PageSource
from liaison.db.engine import create_engine
from liaison.db.models import LifecycleKind

_STATUS = {kind.value: kind.name for kind in LifecycleKind}  # GraphQL enums show names


def _same(value: Any) -> Any:
    return value


def _day(value: dt.date) -> str:
    return value.isoformat()


Node = Callable[[Sequence[Any]], dict[str, Any]]


def node_builder(source: PageSource) -> Node:
    """A row (in the order of ``FIELDS``) to its JSON node, written out by hand as a plain
    endpoint would be; the caller's masks are chosen once. Every column is NOT NULL."""
    if [name for name, _ in FIELDS] != list(_ORDER):
        raise RuntimeError("bench.page.FIELDS changed: update node_builder")
    codes, status = source.codes, _STATUS

    def mask_or(field: str, otherwise: Callable[[Any], Any]) -> Callable[[Any], Any]:
        mask = source.masks.get(field)
        return otherwise if mask is None else mask.apply

    since = mask_or("status_since", _day)
    registered = mask_or("registered_on", _day)
    address = mask_or("address", _same)
    representative = mask_or("legal_representative", _same)
    phone = mask_or("contact_phone", _same)

    def node(row: Sequence[Any]) -> dict[str, Any]:
        return {
            "id": str(row[0]),
            "uscc": row[1],
            "name": row[2],
            "owner": codes[row[3]],
            "zone": row[4],
            "industry": row[5],
            "status": status[row[6]],
            "statusSince": since(row[7]),
            "registeredOn": registered(row[8]),
            "address": address(row[9]),
            "legalRepresentative": representative(row[10]),
            "contactPhone": phone(row[11]),
        }

    return node


_ORDER = ("id", "uscc", "name", "owner", "zone", "industry", "status", "statusSince",
          "registeredOn", "address", "legalRepresentative", "contactPhone")  # fmt: skip


def encode_page(node: Node, rows: Sequence[Sequence[Any]]) -> bytes:
    return orjson.dumps({"data": {"enterprises": {"edges": [{"node": node(r)} for r in rows]}}})


def create_app(database_url: str, caller: str) -> Starlette:
    engine = create_engine(database_url)
    source = PageSource(engine, caller)
    node: Node | None = None

    async def enterprises(request: Request) -> Response:
        nonlocal node
        raw = request.query_params.get("first", "50")
        if not (raw.isdigit() and int(raw) <= MAX_PAGE):
            return Response(
                b'{"error":"first must be 0 to 1000"}', 400, media_type="application/json"
            )
        rows, _ = await source.fetch(int(raw))
        if node is None:  # department codes are known after the first fetch
            node = node_builder(source)
        return Response(encode_page(node, rows), media_type="application/json")

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        yield
        await engine.dispose()

    app = Starlette(routes=[Route("/enterprises", enterprises)], lifespan=lifespan)
    app.state.engine = engine
    return app


def app_from_environment() -> Starlette:
    """For ``uvicorn --factory``: LIAISON_DATABASE_URL and BENCH_CALLER."""
    return create_app(os.environ["LIAISON_DATABASE_URL"], os.environ.get("BENCH_CALLER", "customs"))
