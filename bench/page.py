"""The page every variant serves: one GraphQL document, one SQL statement, one caller's view.

The caller's view is read once, at start-up, from the demo memorandum: the owner (``market``)
receives every field as stored; a supervising department receives the fields its grant marks
``masked`` through the mask the catalogue declares for them. The baselines apply those masks
as fixed per-column functions: they do the work needed to return the same bytes as Liaison,
none of the deciding.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from importlib import resources
from typing import Any

import yaml
from sqlalchemy import Column, Date, Integer, MetaData, Row, Select, String, Table, select
from sqlalchemy.ext.asyncio import AsyncEngine

from liaison.permissions.catalogue import RECORD_TYPES, Access
from liaison.permissions.masking import Mask

OWNER = "market"  # registers every enterprise of the demo
CALLERS = ("customs", "emergency", "park", OWNER)
MAX_PAGE = 1000

# (GraphQL field, catalogue field): the order of the selection, hence of every node's keys.
FIELDS: tuple[tuple[str, str], ...] = (
    ("id", "id"),
    ("uscc", "uscc"),
    ("name", "name"),
    ("owner", "owner"),
    ("zone", "zone"),
    ("industry", "industry"),
    ("status", "status"),
    ("statusSince", "status_since"),
    ("registeredOn", "registered_on"),
    ("address", "address"),
    ("legalRepresentative", "legal_representative"),
    ("contactPhone", "contact_phone"),
)

QUERY = (
    "query Page($first: Int!) { enterprises(first: $first) { edges { node { "
    + " ".join(name for name, _ in FIELDS)
    + " } } } }"
)

_metadata = MetaData()
ENTERPRISE = Table(
    "enterprise",
    _metadata,
    Column("id", Integer, primary_key=True),
    Column("uscc", String),
    Column("name", String),
    Column("owner_department_id", Integer),
    Column("zone", String),
    Column("industry", String),
    Column("status", String),
    Column("status_since", Date),
    Column("registered_on", Date),
    Column("address", String),
    Column("legal_representative", String),
    Column("contact_phone", String),
)
DEPARTMENT = Table("department", _metadata, Column("id", Integer), Column("code", String))
_COLUMNS = {
    field: ENTERPRISE.c["owner_department_id" if field == "owner" else field] for _, field in FIELDS
}


def page_statement(first: int, after_id: int | None = None) -> Select[Any]:
    """Liaison's page query minus its row-scope column: the same columns and labels, keyset
    order on ``id``, and one row more than the page to know whether another page follows."""
    statement = select(*(_COLUMNS[field].label(field) for _, field in FIELDS))
    if after_id is not None:
        statement = statement.where(ENTERPRISE.c.id > after_id)
    return statement.order_by(ENTERPRISE.c.id).limit(first + 1)


class CallerError(ValueError):
    """The bench caller names no department the demo agreement grants to."""


def _memorandum() -> Mapping[str, Any]:
    text = (resources.files("liaison.db.demo") / "memorandum.yaml").read_text(encoding="utf-8")
    loaded: Mapping[str, Any] = yaml.safe_load(text)
    return loaded


def masks_for(caller: str) -> dict[str, Mask]:
    """Catalogue field -> mask, for the page's fields ``caller`` receives masked."""
    if caller == OWNER:
        return {}
    elements = RECORD_TYPES["enterprise"].elements
    for grant in _memorandum()["grants"]:
        if (
            grant["provider"] == OWNER
            and grant["record_type"] == "enterprise"
            and caller in grant["consumers"]
            and "scope" not in grant
        ):
            levels: Mapping[str, str] = grant["fields"]
            break
    else:
        raise CallerError(f"{caller} has no unscoped grant of {OWNER}'s enterprises")
    masks = {}
    for _, field in FIELDS:
        element = elements[field]
        if element.access is not Access.GOVERNED:
            continue
        level = levels.get(field)
        if level == "masked" and element.mask is not None:
            masks[field] = element.mask
        elif level != "full":
            raise CallerError(f"{caller} would receive enterprise.{field} withheld")
    return masks


class PageSource:
    """A page of rows and the department codes, fetched as a plain endpoint would."""

    def __init__(self, engine: AsyncEngine, caller: str) -> None:
        self.engine = engine
        self.caller = caller
        self.masks = masks_for(caller)
        self.codes: dict[int, str] = {}

    async def fetch(
        self, first: int, after_id: int | None = None
    ) -> tuple[Sequence[Row[Any]], bool]:
        """The page's rows and whether more follow."""
        async with self.engine.connect() as connection:
            if not self.codes:
                found = await connection.execute(select(DEPARTMENT.c.id, DEPARTMENT.c.code))
                self.codes = {number: code for number, code in found.all()}
            rows = (await connection.execute(page_statement(first, after_id))).all()
        return rows[:first], len(rows) > first
