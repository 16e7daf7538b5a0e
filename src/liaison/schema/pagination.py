"""Relay-style connections, paginated by keyset on the record id."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar, cast

import strawberry

from liaison.schema.errors import bad_input
from liaison.schema.fast_execution import Read, RowList, Shape, row_completion
from liaison.schema.materialize import Page, Recipe

T = TypeVar("T")

MAX_PAGE = 1000
DEFAULT_PAGE = 50


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
    # Counted only when totalCount is selected: a second statement, the list's own.
    count: strawberry.Private[Callable[[], Awaitable[int]] | None] = None

    @strawberry.field(
        description="How many records this list holds on all its pages (the ones the "
        "caller reaches, the filter applied); null where a list does not count."
    )
    async def total_count(self) -> int | None:
        return None if self.count is None else await self.count()


MAX_ID = 2**31 - 1  # the id columns are 32-bit integers on PostgreSQL


def parse_record_id(value: object) -> int | None:
    """A record id as the database knows it, or None for anything that cannot be one."""
    text = str(value)
    if not (text.isascii() and text.isdigit()) or len(text) > 10:
        return None
    number = int(text)
    return number if number <= MAX_ID else None


def encode_cursor(record_id: int) -> str:
    return base64.urlsafe_b64encode(f"id:{record_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int | None:
    if cursor is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, _, number = raw.partition(":")
        record_id = parse_record_id(number)
        if prefix != "id" or record_id is None:
            raise ValueError
        return record_id
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise bad_input("'after' is not a cursor this API issued", field="after") from None


def page_size(first: int | None) -> int:
    size = DEFAULT_PAGE if first is None else first
    if not 0 <= size <= MAX_PAGE:
        raise bad_input(f"'first' must be between 0 and {MAX_PAGE}", field="first")
    return size


def connection(nodes: list[T], ids: list[int], *, has_next_page: bool) -> Connection[T]:
    edges = [Edge(cursor=encode_cursor(i), node=n) for n, i in zip(nodes, ids, strict=True)]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=has_next_page, end_cursor=edges[-1].cursor if edges else None
        ),
    )


class _PageEdges(RowList):
    """A page's edges, left to the executor: completed straight from the rows when the
    selection allows (cursors only if selected), built as ``Edge`` objects otherwise."""

    def __init__(self, page: Page) -> None:
        self._page = page

    def build(self) -> list[Any]:
        ids = [key for _, key in self._page.shown]
        return [
            Edge(cursor=encode_cursor(i), node=n)
            for n, i in zip(self._page.objects(), ids, strict=True)
        ]

    def complete(self, shape: Shape) -> list[Any] | None:
        cursor = Read(self._page.id_column, encode_cursor)

        def function_for(recipe: Recipe) -> Any:
            def read(path: tuple[str, ...]) -> Read | None:
                if path == ("cursor",):
                    return cursor
                if len(path) == 2 and path[0] == "node":
                    return recipe.get(path[1])
                return None

            return row_completion(shape, read)

        return self._page.complete(function_for)


def page_connection(
    page: Page,
    *,
    has_next_page: bool,
    count: Callable[[], Awaitable[int]] | None = None,
) -> Connection[Any]:
    """The connection of a page whose records the caller has been shown (the gate's
    bookkeeping done by ``Page``): its edges are built only if the executor needs them."""
    last = page.shown[-1][1] if page.shown else None
    edges = cast("list[Edge[Any]]", _PageEdges(page))  # a Sequence the executor knows
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=has_next_page, end_cursor=None if last is None else encode_cursor(last)
        ),
        count=count,
    )
