""" "Double random, one public": targets drawn from a pool weighted by risk as far as the
drawer may see it (a withheld value weighs as unknown), inspectors from a department's
roster, each draw recorded so that re-running it gives the same list."""

from __future__ import annotations

import uuid

import httpx
import pytest
from inspection_support import Sessions, agreed, call, propose
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from audit_events import events_for
from liaison.api.keys import SigningKeys
from liaison.db import models
from liaison.db.inspection_draw import Member, draw
from liaison.db.inspection_models import Inspector
from world import RISKS_TO_CUSTOMS, USCC_CHEMICAL, USCC_PAINTS, World, grant

ZONE = "Lingang Chemical Park"
ZONE_TO_CUSTOMS = {
    "provider": "market",
    "consumers": ["customs"],
    "record_type": "enterprise",
    "fields": {"zone": "full"},
}
RISK_STATUS_TO_CUSTOMS = {**RISKS_TO_CUSTOMS, "fields": {"status": "full"}}
DRAW_FIELDS = "id kind department seed poolSize drawnCount pool drawn criteria"
DRAW_TARGETS = f"""
mutation($input: DrawJointInspectionTargetsInput!) {{
  drawJointInspectionTargets(input: $input) {{
    draw {{ {DRAW_FIELDS} }}
    errors {{ field rule message }}
  }}
}}"""
DRAW_INSPECTORS = f"""
mutation($input: DrawJointInspectionInspectorsInput!) {{
  drawJointInspectionInspectors(input: $input) {{
    draw {{ {DRAW_FIELDS} }}
    errors {{ field rule message }}
  }}
}}"""
TARGETS = (
    "query($id: ID!) { jointInspectionPlan(id: $id) { targets { enterprise { uscc } drawn } } }"
)
VERIFY = """
query($id: ID!) { verifyJointInspectionDraw(id: $id) { matches recomputed draw { drawn } } }"""


async def _draw_targets(
    http: httpx.AsyncClient, keys: SigningKeys, plan_id: str, request_id: str | None = None
) -> dict[str, object]:
    body = await call(
        http,
        keys,
        DRAW_TARGETS,
        "customs",
        {"input": {"planId": plan_id, "count": 1, "zone": ZONE, "seed": "lingang-2026"}},
        request_id=request_id,
    )
    assert "errors" not in body, body
    payload: dict[str, object] = body["data"]["drawJointInspectionTargets"]
    return payload


def test_the_same_seed_and_pool_give_the_same_list() -> None:
    pool = [Member(f"key-{n}", 1 + n % 4) for n in range(30)]

    first = draw(pool, 8, "seed-1")

    assert draw(pool, 8, "seed-1") == first
    assert len(set(first)) == 8
    assert draw(pool, 100, "seed-1").__len__() == 30
    assert draw([Member("never", 0), Member("always", 1)], 2, "x") == ["always"]


async def test_a_withheld_risk_status_weighs_as_unknown_and_a_visible_open_one_in_full(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    label = f"draw-withheld-{uuid.uuid4().hex[:8]}"
    await agreed(sessions, ZONE_TO_CUSTOMS, RISKS_TO_CUSTOMS)
    plan_id = (await propose(http, keys, targets=[]))["plan"]["id"]
    withheld = await _draw_targets(http, keys, plan_id, request_id=label)
    async with sessions() as session, session.begin():
        await agreed_more(session)
    plan_id = (await propose(http, keys, targets=[]))["plan"]["id"]
    visible = await _draw_targets(http, keys, plan_id)

    # base 2 + risk of unknown status 1 + certified credit 0 + no safety grade known 2
    assert withheld["draw"]["pool"] == [[USCC_CHEMICAL, 5], [USCC_PAINTS, 5]]  # type: ignore[index]
    # ... and with the status shared: an open (rectifying) hidden danger counts 2
    assert visible["draw"]["pool"] == [[USCC_CHEMICAL, 6], [USCC_PAINTS, 6]]  # type: ignore[index]
    [event] = await events_for(sessions, label)
    read = {(d.provider, d.record_type, d.field, d.level) for d in event.entry.disclosures}
    assert ("market", "enterprise", "zone", "full") in read
    assert ("emergency", "risk", "status", "none") in read


async def agreed_more(session: AsyncSession) -> None:
    await grant(session, RISK_STATUS_TO_CUSTOMS, code="risk-status")


async def test_a_target_draw_is_recorded_and_re_running_it_gives_the_same_list(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    await agreed(sessions, ZONE_TO_CUSTOMS, RISKS_TO_CUSTOMS)
    plan_id = (await propose(http, keys, targets=[]))["plan"]["id"]

    payload = await _draw_targets(http, keys, plan_id)
    made = payload["draw"]
    verified = await call(
        http,
        keys,
        VERIFY,
        "emergency",
        {"id": made["id"]},
        roles=("reader",),  # type: ignore[index]
    )
    plan = await call(
        http,
        keys,
        TARGETS,
        "customs",
        {"id": plan_id},
        roles=("reader",),
    )

    assert made["kind"] == "TARGETS"  # type: ignore[index]
    assert made["seed"] == "lingang-2026"  # type: ignore[index]
    assert made["poolSize"] == 2  # type: ignore[index]
    assert made["criteria"] == {"zone": ZONE}  # type: ignore[index]
    [uscc] = made["drawn"]  # type: ignore[index]
    assert verified["data"]["verifyJointInspectionDraw"] == {
        "matches": True,
        "recomputed": [uscc],
        "draw": {"drawn": [uscc]},
    }
    assert plan["data"]["jointInspectionPlan"]["targets"] == [
        {"enterprise": {"uscc": uscc}, "drawn": True}
    ]


async def test_an_enterprise_whose_zone_is_withheld_is_never_in_the_pool(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    await agreed(sessions)
    plan_id = (await propose(http, keys, targets=[]))["plan"]["id"]

    body = await call(
        http,
        keys,
        DRAW_TARGETS,
        "customs",
        {"input": {"planId": plan_id, "count": 1, "zone": ZONE}},
    )

    payload = body["data"]["drawJointInspectionTargets"]
    assert payload["draw"] is None
    assert [(e["field"], e["rule"]) for e in payload["errors"]] == [("zone", "empty")]


async def test_a_participant_draws_its_inspectors_from_its_own_roster(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    await agreed(sessions)
    async with sessions() as session, session.begin():
        emergency = await session.scalar(
            select(models.Department.id).where(models.Department.code == "emergency")
        )
        session.add_all(
            Inspector(department_id=emergency, name=name, badge=f"EM-{n:03d}", active=True)
            for n, name in enumerate(["李娜", "王芳", "刘洋", "陈静"])
        )
    plan_id = (await propose(http, keys))["plan"]["id"]

    body = await call(
        http,
        keys,
        DRAW_INSPECTORS,
        "emergency",
        {"input": {"planId": plan_id, "count": 2, "seed": "em-june"}},
    )
    empty = await call(
        http, keys, DRAW_INSPECTORS, "customs", {"input": {"planId": plan_id, "count": 2}}
    )

    made = body["data"]["drawJointInspectionInspectors"]["draw"]
    assert made["department"] == "emergency"
    assert made["poolSize"] == 4
    assert len(made["drawn"]) == 2
    assert made["drawn"] == draw([Member(k, w) for k, w in made["pool"]], 2, "em-june")
    assert [
        (e["field"], e["rule"]) for e in empty["data"]["drawJointInspectionInspectors"]["errors"]
    ] == [("planId", "roster")]


@pytest.mark.parametrize(("count", "rule"), [(0, "range"), (101, "range")])
async def test_a_draw_of_no_or_too_many_targets_is_refused(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    world: World,
    sessions: Sessions,
    count: int,
    rule: str,
) -> None:
    await agreed(sessions, ZONE_TO_CUSTOMS)
    plan_id = (await propose(http, keys, targets=[]))["plan"]["id"]

    body = await call(
        http,
        keys,
        DRAW_TARGETS,
        "customs",
        {"input": {"planId": plan_id, "count": count, "zone": ZONE}},
    )

    errors = body["data"]["drawJointInspectionTargets"]["errors"]
    assert [(e["field"], e["rule"]) for e in errors] == [("count", rule)]
