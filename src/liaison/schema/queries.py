from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy import select

from liaison.codes import InvalidCode, validate_uscc
from liaison.db import models
from liaison.db.counts import count_records
from liaison.db.records import fetch_records
from liaison.db.tables import RECORD_TABLES
from liaison.schema.context import Context
from liaison.schema.errors import bad_input
from liaison.schema.filters import (
    ENTERPRISE_CRITERIA,
    ENTRY_CRITERIA,
    RATING_CRITERIA,
    RISK_CRITERIA,
    CreditRatingFilter,
    Criterion,
    DangerousChemicalEntryFilter,
    EnterpriseFilter,
    RiskFilter,
    owners_of_enterprises,
    where_clauses,
)
from liaison.schema.materialize import Page
from liaison.schema.one_record import one_record
from liaison.schema.pagination import (
    Connection,
    decode_cursor,
    page_connection,
    page_size,
    parse_record_id,
)
from liaison.schema.reach import reached, reached_keys
from liaison.schema.types.enterprise import Enterprise
from liaison.schema.types.me import Me
from liaison.schema.types.records import CreditRating, DangerousChemicalEntry, Risk

Info = strawberry.Info[Context, None]


async def record_page(
    info: Info,
    record_type: str,
    given: object | None,
    criteria: dict[str, Criterion],
    first: int | None,
    after: str | None,
) -> Connection[Any]:
    context = info.context
    gate = context.require_gate()
    size = page_size(first)
    after_id = decode_cursor(after)
    directory = context.access.directory
    table = RECORD_TABLES[record_type]
    async with context.database() as session:
        if record_type != "enterprise":
            other_owners = list(context.access.policy.providers(record_type))
        elif given is not None and any(v is not None for v in vars(given).values()):
            owner_ids = (await session.scalars(owners_of_enterprises())).all()
            other_owners = [directory.codes[i] for i in owner_ids if i in directory.codes]
        else:
            other_owners = []
        clauses = where_clauses(
            gate,
            record_type,
            given,
            criteria,
            other_owners=other_owners,
            owner_ids=dict(directory.ids),
            owner_column=table.owner,
            access=context.access,
        )
        rows = await fetch_records(
            session,
            context.access,
            record_type,
            gate.selected_fields(record_type),
            where=clauses,
            after_id=after_id,
            limit=size + 1,
        )
    page = Page(gate, directory.codes, record_type, rows[:size])
    reached_keys(context, info.path, record_type, page.shown)

    async def count() -> int:
        async with context.database() as session:
            return await count_records(session, context.access, record_type, where=clauses)

    return page_connection(page, has_next_page=len(rows) > size, count=count)


async def _by_id(info: Info, record_type: str, record_id: strawberry.ID) -> Any:
    key = parse_record_id(record_id)
    if key is None:
        return None
    return await one_record(info.context, info.path, record_type, key)


@strawberry.type
class RecordQuery:
    @strawberry.field(description="The caller: department, roles, purpose.")
    def me(self, info: Info) -> Me:
        return Me.of(info.context)

    @strawberry.field(description="One enterprise by its unified social credit code.")
    async def enterprise(self, info: Info, uscc: str) -> Enterprise | None:
        try:
            code = validate_uscc(uscc)
        except InvalidCode as exc:
            raise bad_input(str(exc), field="uscc") from None
        context = info.context
        async with context.database() as session:
            found = await session.scalar(
                select(models.Enterprise.id).where(models.Enterprise.uscc == code)
            )
        if found is None:
            return None
        enterprise: Enterprise | None = await context.loaders.enterprise.load(found)
        reached(context, info.path, "enterprise", [enterprise])
        return enterprise

    @strawberry.field(description="Enterprises, in the order they were entered.")
    async def enterprises(
        self,
        info: Info,
        filter: EnterpriseFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Enterprise]:
        return await record_page(info, "enterprise", filter, ENTERPRISE_CRITERIA, first, after)

    @strawberry.field(description="Dangerous-chemical entries the caller may see.")
    async def dangerous_chemical_entries(
        self,
        info: Info,
        filter: DangerousChemicalEntryFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[DangerousChemicalEntry]:
        return await record_page(
            info, "dangerous_chemical_entry", filter, ENTRY_CRITERIA, first, after
        )

    @strawberry.field(description="Credit ratings the caller may see.")
    async def credit_ratings(
        self,
        info: Info,
        filter: CreditRatingFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[CreditRating]:
        return await record_page(info, "credit_rating", filter, RATING_CRITERIA, first, after)

    @strawberry.field(description="Risks and hidden dangers the caller may see.")
    async def risks(
        self,
        info: Info,
        filter: RiskFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Risk]:
        return await record_page(info, "risk", filter, RISK_CRITERIA, first, after)

    @strawberry.field(description="One dangerous-chemical entry, or null if not visible.")
    async def dangerous_chemical_entry(
        self, info: Info, id: strawberry.ID
    ) -> DangerousChemicalEntry | None:
        found: DangerousChemicalEntry | None = await _by_id(info, "dangerous_chemical_entry", id)
        return found

    @strawberry.field(description="One credit rating, or null if not visible.")
    async def credit_rating(self, info: Info, id: strawberry.ID) -> CreditRating | None:
        found: CreditRating | None = await _by_id(info, "credit_rating", id)
        return found

    @strawberry.field(description="One risk, or null if not visible.")
    async def risk(self, info: Info, id: strawberry.ID) -> Risk | None:
        found: Risk | None = await _by_id(info, "risk", id)
        return found
