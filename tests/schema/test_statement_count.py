"""No N+1: a page with nested lists costs the same number of statements at any size."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from liaison.api.keys import SigningKeys
from liaison.codes import uscc_check_character
from liaison.db import models
from world import World, grant, graphql, token

PAGE = """
query($first: Int!) {
  enterprises(first: $first) {
    edges { node {
      uscc name zone status
      lifecycle { kind effectiveOn }
      dangerousChemicalEntries { casNumber quantity }
      creditRatings { grade ruleSet }
      risks { level status overdue }
      safetyGrades { grade }
      standardizationCertificates { level }
    } }
    pageInfo { hasNextPage }
  }
}"""


async def _add_enterprises(session: AsyncSession, world: World, count: int) -> None:
    for n in range(count):
        base = f"91310115MA2B{n:05d}"
        enterprise = models.Enterprise(
            uscc=base + uscc_check_character(base),
            name=f"企业{n}",
            zone="Lingang Chemical Park",
            industry="fine chemicals",
            address="上海市浦东新区",
            legal_representative="李明",
            contact_phone="13900000000",
            registered_on=dt.date(2020, 1, 1),
            status="registered",
            status_since=dt.date(2020, 1, 1),
            owner_department_id=world.departments["market"],
        )
        session.add(enterprise)
        await session.flush()
        session.add(
            models.DangerousChemicalEntry(
                enterprise_id=enterprise.id,
                owner_department_id=world.departments["customs"],
                declaration_number=f"D{n:09d}",
                chemical_name="Methanol",
                cas_number="67-56-1",
                un_number="UN1230",
                hazard_class="3",
                packing_group="II",
                quantity=Decimal(1000 + n),
                unit="kg",
                port="Yangshan",
                entry_date=dt.date(2026, 1, 1),
                storage_location="上海市浦东新区",
                declared_value=Decimal(5000),
                consignee=enterprise.name,
            )
        )


@contextmanager
def _statements(app: Any) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    # The request's own statements and, on PostgreSQL, the audit writer's (group commit).
    writer = app.state.audit_writer
    engines = [app.state.engine.sync_engine, *([writer.engine.sync_engine] if writer else [])]
    for engine in engines:
        event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", record)


# Both are refused the enterprise's zone and status (an audited denial): head moved, event,
# disclosures, head set; emergency also reads customs' entries: their keys are listed (one
# more statement; their enterprises are looked up later, by the audit index). On PostgreSQL
# the audit writer moves the head, then writes everything else in one statement.
AUDIT_STATEMENTS = {"customs": 4, "emergency": 5}
AUDIT_STATEMENTS_POSTGRESQL = {"customs": 2, "emergency": 2}


@pytest.mark.parametrize("department", ["customs", "emergency"])
async def test_a_page_with_every_nested_list_costs_the_same_statements_at_10_and_100_rows(
    app: Any,
    http: httpx.AsyncClient,
    keys: SigningKeys,
    world: World,
    sessions: async_sessionmaker[AsyncSession],
    department: str,
) -> None:
    async with sessions() as session, session.begin():
        await _add_enterprises(session, world, 110)
        await grant(
            session,
            {
                "provider": "customs",
                "consumers": ["emergency"],
                "record_type": "dangerous_chemical_entry",
                "fields": {"cas_number": "full", "quantity": "masked"},
            },
        )
    bearer = token(keys, department)
    # The first request after an agreement change recompiles the policy: not part of a page.
    await graphql(http, "{ me { department } }", bearer=bearer)
    counts = {}
    for size in (10, 100):
        with _statements(app) as statements:
            status, body = await graphql(
                http, PAGE, bearer=bearer, variables={"first": size}, purpose="joint_inspection"
            )
        assert status == 200
        assert len(body["data"]["enterprises"]["edges"]) == size
        counts[size] = len(statements)

    assert counts[10] == counts[100]
    # revocation check and policy epoch (one statement), the page, one statement per nested
    # record type, and the audit event
    audit = (
        AUDIT_STATEMENTS_POSTGRESQL
        if app.state.engine.dialect.name == "postgresql"
        else (AUDIT_STATEMENTS)
    )
    assert counts[100] == 1 + 1 + 6 + audit[department]
