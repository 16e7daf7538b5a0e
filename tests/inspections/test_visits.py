"""The one visit per enterprise per plan: who came, the hours, each item's result; a
non-compliant item opens a risk owned by the item's department (the deliberate exception,
named in the audit event), which then runs through the risk workflow. Invalid visits write
nothing. Who sees the visit: the participants; nobody else without a grant."""

from __future__ import annotations

import uuid

import httpx
import pytest
from inspection_support import (
    VISIT,
    Sessions,
    active_plan,
    agreed,
    call,
    counts,
    propose,
    visit,
    visit_input,
)

from audit_events import events_for
from faults import audit_storage_unwritable
from liaison.api.keys import SigningKeys
from world import USCC_WAREHOUSE, World

SEEN = """
query($id: ID!) {
  jointInspectionVisit(id: $id) { id departmentsPresent receptionHours results { outcome } }
}"""


@pytest.fixture
async def agreement(world: World, sessions: Sessions) -> World:
    await agreed(sessions)
    return world


async def test_a_non_compliant_item_opens_a_risk_owned_by_the_items_department(
    http: httpx.AsyncClient, keys: SigningKeys, agreement: World, sessions: Sessions
) -> None:
    label = f"joint-visit-{uuid.uuid4().hex[:8]}"
    plan_id = await active_plan(http, keys)
    before = await counts(sessions)

    payload = await visit(http, keys, plan_id, request_id=label)

    recorded = payload["visit"]
    assert payload["errors"] == []
    assert recorded["owner"] == "customs"
    assert recorded["departments"] == ["customs", "emergency"]
    assert recorded["inspectors"] == ["customs: 张伟", "emergency: 李娜"]
    assert recorded["departmentsPresent"] == 2
    assert recorded["receptionHours"] == "6"
    [finding] = [r for r in recorded["results"] if r["outcome"] == "NON_COMPLIANT"]
    assert finding["item"] == {"code": "DG-07", "department": "emergency"}
    risk = finding["risk"]
    assert risk["owner"] == "emergency"
    assert risk["status"] == "REPORTED"
    assert risk["category"] == "goods_and_dangerous_chemicals"
    assert f"visit {recorded['id']}" in risk["evidence"]
    assert [r["risk"] for r in recorded["results"] if r["outcome"] != "NON_COMPLIANT"] == [
        None,
        None,
    ]
    # visit, 3 results, 1 risk
    assert await counts(sessions) == [*before[:5], before[5] + 1, before[6] + 3, before[7] + 1]
    [event] = await events_for(sessions, label)
    risks = [d for d in event.entry.disclosures if (d.record_type, d.field) == ("risk", "evidence")]
    assert {(d.provider, d.reason) for d in risks} == {
        ("emergency", "party: found on a joint inspection visit it took part in")
    }


async def test_the_risk_opened_is_rectified_through_the_risk_workflow_by_its_owner(
    http: httpx.AsyncClient, keys: SigningKeys, agreement: World
) -> None:
    plan_id = await active_plan(http, keys)
    recorded = (await visit(http, keys, plan_id))["visit"]
    [risk_id] = [r["risk"]["id"] for r in recorded["results"] if r["risk"]]

    body = await call(
        http,
        keys,
        "query { risks(first: 50) { edges { node { id status evidence } } } }",
        "emergency",
        {},
        roles=("reader",),
    )

    mine = {e["node"]["id"]: e["node"] for e in body["data"]["risks"]["edges"]}
    assert mine[risk_id]["status"] == "REPORTED"
    assert "joint inspection plan" in mine[risk_id]["evidence"]


async def test_participants_see_the_visit_and_others_do_not(
    http: httpx.AsyncClient, keys: SigningKeys, agreement: World
) -> None:
    plan_id = await active_plan(http, keys)
    visit_id = (await visit(http, keys, plan_id))["visit"]["id"]

    seen = {
        department: (await call(http, keys, SEEN, department, {"id": visit_id}, roles=("reader",)))[
            "data"
        ]["jointInspectionVisit"]
        for department in ("customs", "emergency", "market")
    }

    assert seen["customs"] == seen["emergency"]
    assert seen["emergency"] == {
        "id": visit_id,
        "departmentsPresent": 2,
        "receptionHours": "6",
        "results": [
            {"outcome": "COMPLIANT"},
            {"outcome": "NOT_APPLICABLE"},
            {"outcome": "NON_COMPLIANT"},
        ],
    }
    assert seen["market"] is None


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"visitedOn": "2019-06-15"}, [("visitedOn", "window")]),
        ({"uscc": USCC_WAREHOUSE}, [("uscc", "target")]),
        ({"uscc": "not-a-uscc"}, [("uscc", "USCC")]),
        (
            {"results": [{"itemCode": "SM-01", "outcome": "COMPLIANT"}]},
            [("results[0].itemCode", "item")],
        ),
        (
            {
                "results": [
                    {"itemCode": "DG-01", "outcome": "COMPLIANT"},
                    {"itemCode": "DG-01", "outcome": "COMPLIANT"},
                ]
            },
            [("results[1].itemCode", "unique")],
        ),
        (
            {"results": [{"itemCode": "DG-07", "outcome": "NON_COMPLIANT"}]},
            [("results[0].note", "required")],
        ),
        ({"receptionHours": "-1"}, [("receptionHours", "range")]),
        (
            {"inspectors": [{"department": "market", "name": "赵强"}]},
            [("inspectors[0].department", "participant")],
        ),
    ],
)
async def test_an_invalid_visit_names_the_field_and_writes_nothing(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    agreement: World,
    sessions: Sessions,
    overrides: dict[str, object],
    expected: list[tuple[str, str]],
) -> None:
    plan_id = await active_plan(http, keys)
    before = await counts(sessions)

    body = await call(http, keys, VISIT, "customs", {"input": visit_input(plan_id, **overrides)})

    payload = body["data"]["recordJointInspectionVisit"]
    assert payload["visit"] is None
    assert [(e["field"], e["rule"]) for e in payload["errors"]] == expected
    assert await counts(sessions) == before


async def test_a_second_visit_to_the_same_enterprise_in_the_plan_is_refused(
    http: httpx.AsyncClient, keys: SigningKeys, agreement: World, sessions: Sessions
) -> None:
    plan_id = await active_plan(http, keys)
    await visit(http, keys, plan_id)
    before = await counts(sessions)

    again = await visit(http, keys, plan_id)

    assert [(e["field"], e["rule"]) for e in again["errors"]] == [("uscc", "unique")]
    assert await counts(sessions) == before


async def test_a_visit_to_a_plan_that_is_not_active_is_refused(
    http: httpx.AsyncClient, keys: SigningKeys, agreement: World, sessions: Sessions
) -> None:
    plan_id = (await propose(http, keys))["plan"]["id"]
    before = await counts(sessions)

    refused = await visit(http, keys, plan_id)
    by_another = await call(http, keys, VISIT, "emergency", {"input": visit_input(plan_id)})

    assert [(e["field"], e["rule"]) for e in refused["errors"]] == [("planId", "status")]
    assert [
        (e["field"], e["rule"]) for e in by_another["data"]["recordJointInspectionVisit"]["errors"]
    ] == [("planId", "exists")]
    assert await counts(sessions) == before


async def test_no_visit_and_no_risk_is_written_when_the_audit_event_cannot_be(
    http: httpx.AsyncClient, keys: SigningKeys, agreement: World, sessions: Sessions
) -> None:
    plan_id = await active_plan(http, keys)
    before = await counts(sessions)

    async with audit_storage_unwritable(sessions):
        body = await call(http, keys, VISIT, "customs", {"input": visit_input(plan_id)})

    assert [e["extensions"]["code"] for e in body["errors"]] == ["AUDIT_UNAVAILABLE"]
    assert await counts(sessions) == before
