"""Relay-style connections, paginated by keyset on the record id."""

from __future__ import annotations

import base64
import binascii
from typing import Generic, TypeVar

import strawberry

from liaison.schema.errors import bad_input

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
