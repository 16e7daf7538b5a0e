"""Joint inspection plans through HTTP with real tokens: customs proposes one with the
emergency bureau, each participant answers, and the plan is active when all accepted or
declined for good when one declined. Invalid proposals write nothing."""

from __future__ import annotations

import httpx
import pytest
from inspection_support import (
    PROPOSE,
    Sessions,
    agreed,
    call,
    counts,
    plan_input,
    propose,
    respond,
)

from liaison.api.keys import SigningKeys
from world import USCC_CHEMICAL, World

CUSTOMS_ONLY = {"items": [{"department": "customs", "code": "DG-01"}]}


@pytest.fixture
async def agreement(world: World, sessions: Sessions) -> World:
    await agreed(sessions)
    return world


async def test_customs_proposes_a_plan_that_becomes_active_when_the_bureau_accepts(
    http: httpx.AsyncClient, keys: SigningKeys, agreement: World
) -> None:
    proposed = await propose(http, keys)
    plan = proposed["plan"]
    accepted = await respond(http, keys, plan["id"], "emergency")

    assert proposed["errors"] == []
    assert plan["owner"] == "customs"
    assert plan["status"] == "PROPOSED"
    assert plan["participants"] == [
        {"department": "customs", "response": "ACCEPTED", "reason": None},
        {"department": "emergency", "response": "PENDING", "reason": None},
    ]
    assert [(i["code"], i["department"]) for i in plan["items"]] == [
        ("DG-01", "customs"),
        ("DG-04", "customs"),
        ("DG-07", "emergency"),
        ("EP-01", "emergency"),
    ]
    assert plan["items"][2]["legalReference"] == "GB 15603-2022"
    assert len(plan["targets"]) == 2
    assert accepted["plan"]["status"] == "ACTIVE"


async def test_one_decline_keeps_the_plan_from_ever_becoming_active(
    http: httpx.AsyncClient, keys: SigningKeys, agreement: World
) -> None:
    plan = (await propose(http, keys, participants=["emergency", "market"]))["plan"]

    declined = await respond(http, keys, plan["id"], "market", "DECLINE", "no staff in June")
    late = await respond(http, keys, plan["id"], "emergency")

    assert declined["plan"]["status"] == "DECLINED"
    assert {"department": "market", "response": "DECLINED", "reason": "no staff in June"} in (
        declined["plan"]["participants"]
    )
    assert late["plan"] is None
    assert [(e["field"], e["rule"]) for e in late["errors"]] == [("id", "status")]


async def test_a_plan_left_without_items_brings_each_departments_standard_items(
    http: httpx.AsyncClient, keys: SigningKeys, agreement: World
) -> None:
    plan = (await propose(http, keys, items=None))["plan"]

    brought = {(i["department"]) for i in plan["items"]}
    assert brought == {"customs", "emergency"}
    assert len(plan["items"]) == 43  # customs' 6 standard items and the bureau's 37
    assert {i["aspect"] for i in plan["items"]} >= {
        "safety_management_system",
        "goods_and_dangerous_chemicals",
        "emergency_preparedness",
        "documentation",
    }


async def test_a_department_answers_only_a_plan_it_is_invited_to_and_only_once(
    http: httpx.AsyncClient, keys: SigningKeys, agreement: World
) -> None:
    plan = (await propose(http, keys))["plan"]
    stranger = await respond(http, keys, plan["id"], "park")
    await respond(http, keys, plan["id"], "emergency")
    again = await respond(http, keys, plan["id"], "emergency", "DECLINE", "changed our mind")

    assert [(e["field"], e["rule"]) for e in stranger["errors"]] == [("id", "exists")]
    assert [(e["field"], e["rule"]) for e in again["errors"]] == [("id", "status")]


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"participants": ["nowhere"], **CUSTOMS_ONLY}, [("participants[0]", "exists")]),
        ({"participants": [], **CUSTOMS_ONLY}, [("participants", "required")]),
        ({"participants": ["customs"], **CUSTOMS_ONLY}, [("participants[0]", "unique")]),
        ({"windowUntil": "2020-01-01"}, [("windowUntil", "order")]),
        ({"title": "  "}, [("title", "required")]),
        ({"items": [{"department": "customs", "code": "XX-99"}]}, [("items[0].code", "exists")]),
        (
            {"items": [{"department": "park", "code": "DG-01"}]},
            [("items[0].department", "participant")],
        ),
        (
            {
                "items": [
                    {"department": "customs", "code": "DG-01"},
                    {"department": "emergency", "code": "DG-01"},
                ]
            },
            [("items[1].code", "unique")],
        ),
        ({"targets": ["91310115MA1K4ABC0X"]}, [("targets[0]", "USCC")]),
        ({"targets": [USCC_CHEMICAL, USCC_CHEMICAL]}, [("targets[1]", "unique")]),
    ],
)
async def test_an_invalid_proposal_names_the_field_and_writes_nothing(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    agreement: World,
    sessions: Sessions,
    overrides: dict[str, object],
    expected: list[tuple[str, str]],
) -> None:
    before = await counts(sessions)

    body = await call(http, keys, PROPOSE, "customs", {"input": plan_input(**overrides)})

    payload = body["data"]["proposeJointInspection"]
    assert payload["plan"] is None
    assert [(e["field"], e["rule"]) for e in payload["errors"]] == expected
    assert await counts(sessions) == before


async def test_a_department_that_is_no_party_to_an_active_agreement_cannot_be_invited(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    await agreed(sessions)  # all five, but suspended below for a second, narrower check
    from sqlalchemy import update

    from liaison.db import models

    async with sessions() as session, session.begin():
        await session.execute(update(models.AgreementVersion).values(status="suspended"))
    before = await counts(sessions)

    body = await call(http, keys, PROPOSE, "customs", {"input": plan_input(**CUSTOMS_ONLY)})

    payload = body["data"]["proposeJointInspection"]
    assert [(e["field"], e["rule"]) for e in payload["errors"]] == [
        ("participants[0]", "agreement")
    ]
    assert await counts(sessions) == before


async def test_proposing_needs_the_contributor_role(
    http: httpx.AsyncClient, keys: SigningKeys, agreement: World, sessions: Sessions
) -> None:
    before = await counts(sessions)

    body = await call(http, keys, PROPOSE, "customs", {"input": plan_input()}, roles=("reader",))

    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    assert await counts(sessions) == before
