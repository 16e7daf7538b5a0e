"""No N+1 in a page of facilitations nor in the inspections due: the results they rest on
and their enterprises cost the same statements for 2 recognitions as for 6, and the
inspections due of 3 enterprises the same as of 6."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from recognition_support import (
    CERTIFICATES_TO_CUSTOMS,
    TODAY,
    Sessions,
    add_certificate,
    post,
    recognised,
    recognition_input,
)
from sqlalchemy import event

from liaison.api.keys import SigningKeys
from liaison.db import models
from world import USCC_CHEMICAL, World, grant

PAGE = """
query($first: Int!) {
  facilitations(first: $first) { edges { node {
    id owner enterprise { uscc } standardizationCertificate { level validUntil }
  } } }
}"""
DUE = """
query($first: Int!) {
  inspectionsDue(period: {startsOn: "2026-12-01", endsOn: "2027-12-01"}, first: $first) {
    enterprise { uscc } dueOn rule { grade }
  }
}"""


@contextmanager
def statements_of(app: Any) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    event.listen(app.state.engine.sync_engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(app.state.engine.sync_engine, "before_cursor_execute", record)


async def test_a_page_of_facilitations_costs_the_same_statements_at_2_and_6(
    app: Any, http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    async with sessions() as session, session.begin():
        await grant(session, CERTIFICATES_TO_CUSTOMS)
    for n in range(6):
        certificate = await add_certificate(
            sessions,
            world.enterprises[USCC_CHEMICAL],
            world.departments["emergency"],
            number=f"AQBH-COUNT-{n}",
            valid_until=TODAY + dt.timedelta(days=400 + n),
        )
        await recognised(
            http,
            keys,
            "customs",
            recognition_input(USCC_CHEMICAL, "STANDARDIZATION_CERTIFICATE", certificate),
        )
    counts = {}
    for size in (2, 6):
        with statements_of(app) as statements:
            body = await post(
                http,
                keys,
                PAGE,
                department="customs",
                roles=("reader",),
                variables={"first": size},
            )
        edges = body["data"]["facilitations"]["edges"]
        assert len(edges) == size
        assert all(e["node"]["standardizationCertificate"]["level"] == 2 for e in edges)
        counts[size] = len(statements)

    assert counts[2] == counts[6]


async def test_the_inspections_due_cost_the_same_statements_for_3_and_6_enterprises(
    app: Any, http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    # The first request after the world was built compiles the policy: not counted.
    await post(http, keys, DUE, department="emergency", roles=("reader",), variables={"first": 1})
    counts = {}
    for extra in (0, 3):
        async with sessions() as session, session.begin():
            for n in range(extra):
                session.add(
                    models.Enterprise(
                        uscc=("91310115MA1K4AC" + "X0Y"[n] + "00")[:18],
                        name=f"count {n}",
                        zone="Lingang Chemical Park",
                        industry="warehousing",
                        address="上海市浦东新区",
                        legal_representative="王",
                        contact_phone="13800000000",
                        registered_on=dt.date(2020, 1, 1),
                        status="in_operation",
                        status_since=dt.date(2020, 1, 1),
                        owner_department_id=world.departments["market"],
                    )
                )
        with statements_of(app) as statements:
            body = await post(
                http,
                keys,
                DUE,
                department="emergency",
                roles=("reader",),
                variables={"first": 100},
            )
        assert len(body["data"]["inspectionsDue"]) == 3 + extra
        counts[extra] = len(statements)

    assert counts[0] == counts[3]
