"""No N+1 in a page of certificates with their events, nor in a page of the joint
discipline list with its measures and the revocations that put each enterprise there: the
same statements for 2 records as for 8."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from certificate_support import (
    REPAIR,
    TODAY,
    Sessions,
    issue,
    post,
    record,
    seed_standing_measures,
)
from sqlalchemy import event

from liaison.api.keys import SigningKeys
from world import USCC_CHEMICAL, World

# Each page as the department that sees it whole: the issuer its certificates, a department
# applying measures the list (as a party: the revocations stay the bureau's, unshared).
PAGES = {
    "certificates": (
        "emergency",
        """
query($first: Int!) { certificates(first: $first) { edges { node {
  id status enterprise { uscc } events { kind occurredOn } } } } }""",
    ),
    "jointDisciplineList": (
        "park",
        """
query($first: Int!) { jointDisciplineList(first: $first) { edges { node {
  id status enterprise { uscc } certificateEvent { kind certificate { id status } }
  measures { department measure } } } } }""",
    ),
}


@contextmanager
def statements_of(app: Any) -> Iterator[list[str]]:
    statements: list[str] = []

    def note(*args: Any) -> None:
        statements.append(args[2])

    event.listen(app.state.engine.sync_engine, "before_cursor_execute", note)
    try:
        yield statements
    finally:
        event.remove(app.state.engine.sync_engine, "before_cursor_execute", note)


async def test_pages_cost_the_same_statements_at_2_and_8(
    app: Any, http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    await seed_standing_measures(sessions, world)
    # One stay on the list at a time: each licence revoked lists the plant anew, and each
    # repair ends that stay, so eight licences make eight entries.
    for n in range(8):
        certificate = await issue(http, keys, USCC_CHEMICAL, number=f"(沪)WH安许证字[2024]{n:04d}")
        await record(http, keys, certificate["id"], "REVOKED")
        repaired = await post(
            http,
            keys,
            REPAIR,
            department="emergency",
            variables={
                "input": {"uscc": USCC_CHEMICAL, "repairedOn": TODAY.isoformat(), "basis": "ok"}
            },
        )
        assert repaired["data"]["repairCredit"]["errors"] == []
    counts = {}
    for root, (department, query) in PAGES.items():
        for size in (2, 8):
            with statements_of(app) as statements:
                body = await post(
                    http,
                    keys,
                    query,
                    department=department,
                    roles=("reader",),
                    variables={"first": size},
                )
            edges = body["data"][root]["edges"]
            assert len(edges) == size
            nodes = [e["node"] for e in edges]
            if root == "certificates":
                assert all(len(n["events"]) == 2 for n in nodes)  # issued, revoked
            else:
                assert all(len(n["measures"]) == 4 for n in nodes)
            counts[(root, size)] = len(statements)

    assert counts[("certificates", 2)] == counts[("certificates", 8)]
    assert counts[("jointDisciplineList", 2)] == counts[("jointDisciplineList", 8)]
