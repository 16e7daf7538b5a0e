"""No N+1 in a page of joint inspection plans: their participants, checklists, targets,
draws, visits with their results and the risks those opened cost the same statements for
2 plans as for 6."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from inspection_support import Sessions, agreed, call, propose, respond, visit
from sqlalchemy import event

from liaison.api.keys import SigningKeys
from world import World

PAGE = """
query($first: Int!) {
  jointInspectionPlans(first: $first) { edges { node {
    id status
    participants { department response }
    items { code department }
    targets { enterprise { uscc } drawn draw { seed } }
    draws { kind }
    visits { receptionHours results { outcome item { code } risk { status } } }
  } } }
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


async def test_a_page_of_plans_with_their_visits_costs_the_same_statements_at_2_and_6(
    app: Any, http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    await agreed(sessions)

    for _ in range(6):
        plan_id = (await propose(http, keys))["plan"]["id"]
        await respond(http, keys, plan_id, "emergency")
        await visit(http, keys, plan_id)
    counts = {}
    for size in (2, 6):
        with statements_of(app) as statements:
            body = await call(http, keys, PAGE, "emergency", {"first": size}, roles=("reader",))
        edges = body["data"]["jointInspectionPlans"]["edges"]
        assert len(edges) == size
        assert all(len(e["node"]["visits"][0]["results"]) == 3 for e in edges)
        assert all(any(r["risk"] for r in e["node"]["visits"][0]["results"]) for e in edges)
        counts[size] = len(statements)

    assert counts[2] == counts[6]
