"""Rectification campaigns through HTTP with real tokens: the park committee launches one in
a zone, listing enterprises with a measure, a deadline and a lead department; items move
LISTED -> IN_PROGRESS -> COMPLETED, and an outcome that ends the enterprise's life in the
zone is appended to its ledger in the same transaction. Progress and the overdue list are
counted from what the caller may see.

World data (tests/world.py): USCC_CHEMICAL and USCC_PAINTS in Lingang Chemical Park,
USCC_WAREHOUSE in Waigaoqiao Bonded Zone, all in operation since 2017-06-01."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from audit_events import events_for
from faults import audit_storage_unwritable
from incident_world import ask, count
from liaison.api.keys import SigningKeys
from liaison.db import models
from liaison.db.rectification_models import RectificationCampaign, RectificationItem
from world import USCC_CHEMICAL, USCC_PAINTS, USCC_WAREHOUSE, World, grant, token

Sessions = async_sessionmaker[AsyncSession]
ZONE = "Lingang Chemical Park"
TODAY = dt.date.today()

# The registry's zone and status, which launching and completing read through the gate.
LEDGER_TO_PARK = {
    "provider": "market",
    "consumers": ["park"],
    "record_type": "enterprise",
    "fields": {"zone": "full", "status": "full", "status_since": "full"},
}
CAMPAIGNS_TO_EMERGENCY = {
    "provider": "park",
    "consumers": ["emergency"],
    "record_type": "rectification_campaign",
    "purposes": ["information_exchange"],
    "fields": {"title": "full", "zone": "full"},
}
ITEMS_TO_EMERGENCY = {
    "provider": "park",
    "consumers": ["emergency"],
    "record_type": "rectification_item",
    "purposes": ["information_exchange"],
    "fields": {"measure": "full", "status": "full", "overdue": "full", "deadline": "masked"},
}

LAUNCH = """
mutation($input: LaunchRectificationCampaignInput!) {
  launchRectificationCampaign(input: $input) {
    campaign {
      id owner title zone startedOn endsOn
      items { id owner enterprise { uscc } measure deadline leadDepartment status overdue }
    }
    errors { field rule message }
  }
}"""

ADVANCE = """
mutation($input: AdvanceRectificationItemInput!) {
  advanceRectificationItem(input: $input) {
    item {
      id status outcome completedOn
      enterprise { uscc status statusSince lifecycle { kind effectiveOn owner documentNumber } }
    }
    errors { field rule message }
  }
}"""


@pytest.fixture
async def agreed(world: World, sessions: Sessions) -> World:
    async with sessions() as session, session.begin():
        await grant(session, LEDGER_TO_PARK, CAMPAIGNS_TO_EMERGENCY, ITEMS_TO_EMERGENCY)
    return world


def item(uscc: str, measure: str, lead: str, deadline: str = "2027-06-30") -> dict[str, Any]:
    return {"uscc": uscc, "measure": measure, "deadline": deadline, "leadDepartment": lead}


def campaign_input(**overrides: Any) -> dict[str, Any]:
    return {
        "title": "Lingang cluster upgrading",
        "zone": ZONE,
        "basis": "Three-year action plan for chemical enterprises",
        "startedOn": "2026-01-01",
        "endsOn": "2027-12-31",
        "items": [
            item(USCC_CHEMICAL, "RECTIFICATION", "emergency"),
            item(USCC_PAINTS, "RELOCATION", "market"),
        ],
        **overrides,
    }


async def launch(http: httpx.AsyncClient, keys: SigningKeys, **overrides: Any) -> dict[str, Any]:
    body = await ask(
        http,
        LAUNCH,
        token(keys, "park", "contributor"),
        variables={"input": campaign_input(**overrides)},
        purpose="joint_inspection",
    )
    payload: dict[str, Any] = body["data"]["launchRectificationCampaign"]
    return payload


async def advance(
    http: httpx.AsyncClient, keys: SigningKeys, item_id: str, **given: Any
) -> dict[str, Any]:
    body = await ask(
        http,
        ADVANCE,
        token(keys, "park", "contributor"),
        variables={"input": {"id": item_id, **given}},
        purpose="joint_inspection",
    )
    assert "errors" not in body or all(
        e["extensions"]["code"] == "FORBIDDEN" for e in body["errors"]
    ), body
    payload: dict[str, Any] = body["data"]["advanceRectificationItem"]
    return payload


async def written(sessions: Sessions) -> list[int]:
    return [
        await count(sessions, model)
        for model in (RectificationCampaign, RectificationItem, models.LifecycleEvent)
    ]


async def test_the_park_committee_launches_a_campaign_listing_enterprises_of_the_zone(
    http: httpx.AsyncClient, keys: SigningKeys, agreed: World, sessions: Sessions
) -> None:
    launched = await launch(http, keys)

    assert launched["errors"] == []
    campaign = launched["campaign"]
    assert {k: campaign[k] for k in ("owner", "title", "zone", "startedOn", "endsOn")} == {
        "owner": "park",
        "title": "Lingang cluster upgrading",
        "zone": ZONE,
        "startedOn": "2026-01-01",
        "endsOn": "2027-12-31",
    }
    assert [
        (i["owner"], i["enterprise"]["uscc"], i["measure"], i["leadDepartment"], i["status"])
        for i in campaign["items"]
    ] == [
        ("park", USCC_CHEMICAL, "RECTIFICATION", "emergency", "LISTED"),
        ("park", USCC_PAINTS, "RELOCATION", "market", "LISTED"),
    ]
    assert {(i["deadline"], i["overdue"]) for i in campaign["items"]} == {("2027-06-30", False)}


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        (
            {
                "items": [
                    item("91310115MA1K4AB00Q", "SHUTDOWN", "ecology"),
                    item(USCC_WAREHOUSE, "MERGER", "market"),
                    item(USCC_CHEMICAL, "RECTIFICATION", "fire brigade", "2025-12-31"),
                    item(USCC_CHEMICAL, "RECTIFICATION", "park"),
                ]
            },
            [
                ("items[0].uscc", "exists", "no enterprise is registered under 91310115MA1K4AB00Q"),
                ("items[1].uscc", "zone", "the enterprise is not in Lingang Chemical Park"),
                ("items[2].deadline", "window", "the deadline must fall within the campaign"),
                ("items[2].leadDepartment", "exists", "no such department code"),
                ("items[3].uscc", "unique", "the enterprise is already listed"),
            ],
        ),
        (
            {"items": [], "endsOn": "2025-12-31", "title": " "},
            [
                ("title", "required", "title must not be empty"),
                ("endsOn", "order", "endsOn must not precede startedOn"),
                ("items", "required", "a campaign lists at least one enterprise"),
            ],
        ),
        (
            {"items": [item("91310115MA1K4ABC06", "SHUTDOWN", "ecology")]},
            [
                (
                    "items[0].uscc",
                    "USCC",
                    "USCC '91310115MA1K4ABC06' is invalid: the check character (position 18) "
                    "should be '5', not '6'",
                )
            ],
        ),
    ],
)
async def test_bad_input_is_refused_field_by_field_and_nothing_is_written(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    agreed: World,
    sessions: Sessions,
    overrides: dict[str, Any],
    errors: list[tuple[str, str, str]],
) -> None:
    before = await written(sessions)

    refused = await launch(http, keys, **overrides)

    assert refused["campaign"] is None
    assert [(e["field"], e["rule"], e["message"]) for e in refused["errors"]] == errors
    assert await written(sessions) == before


async def test_an_enterprise_whose_zone_park_may_not_see_cannot_be_listed(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    refused = await launch(http, keys)

    assert [(e["field"], e["rule"], e["message"]) for e in refused["errors"]] == [
        ("items[0].uscc", "zone", "the enterprise's zone is not shared with you"),
        ("items[1].uscc", "zone", "the enterprise's zone is not shared with you"),
    ]
    assert await written(sessions) == [0, 0, 12]


async def test_only_the_park_committee_runs_campaigns(
    http: httpx.AsyncClient, keys: SigningKeys, agreed: World, sessions: Sessions
) -> None:
    body = await ask(
        http,
        LAUNCH,
        token(keys, "emergency", "contributor"),
        variables={"input": campaign_input()},
    )

    assert body["data"] is None
    assert body["errors"][0]["message"] == (
        "Department emergency does not run rectification campaigns."
    )
    assert await written(sessions) == [0, 0, 12]


async def launched_items(http: httpx.AsyncClient, keys: SigningKeys) -> list[str]:
    campaign = (await launch(http, keys))["campaign"]
    return [i["id"] for i in campaign["items"]]


async def test_an_item_moves_along_in_order_and_not_otherwise(
    http: httpx.AsyncClient, keys: SigningKeys, agreed: World, sessions: Sessions
) -> None:
    rectified, _ = await launched_items(http, keys)
    before = await written(sessions)

    skipped = await advance(http, keys, rectified, status="COMPLETED", outcome="RECTIFIED")
    early_outcome = await advance(http, keys, rectified, status="IN_PROGRESS", outcome="RECTIFIED")
    started = await advance(http, keys, rectified, status="IN_PROGRESS")
    no_outcome = await advance(http, keys, rectified, status="COMPLETED")
    wrong_outcome = await advance(http, keys, rectified, status="COMPLETED", outcome="MERGED")
    done = await advance(
        http, keys, rectified, status="COMPLETED", outcome="RECTIFIED", on="2026-11-02"
    )
    again = await advance(http, keys, rectified, status="IN_PROGRESS")

    def errors(payload: dict[str, Any]) -> list[tuple[str, str, str]]:
        assert payload["item"] is None
        return [(e["field"], e["rule"], e["message"]) for e in payload["errors"]]

    assert errors(skipped) == [("status", "transition", "a listed item cannot become completed")]
    assert errors(early_outcome) == [
        ("outcome", "only_completed", "only completion states an outcome")
    ]
    assert started["item"]["status"] == "IN_PROGRESS"
    assert errors(no_outcome) == [("outcome", "required", "completing an item states its outcome")]
    assert errors(wrong_outcome) == [
        ("outcome", "measure", "a rectification item ends in one of: CANCELLED, RECTIFIED")
    ]
    assert (done["item"]["status"], done["item"]["outcome"], done["item"]["completedOn"]) == (
        "COMPLETED",
        "RECTIFIED",
        "2026-11-02",
    )
    assert done["item"]["enterprise"]["status"] == "IN_OPERATION"  # the ledger untouched
    assert errors(again) == [("status", "transition", "a completed item cannot become in_progress")]
    assert await written(sessions) == before


async def test_relocation_is_appended_to_the_ledger_in_the_same_transaction(
    http: httpx.AsyncClient, keys: SigningKeys, agreed: World, sessions: Sessions
) -> None:
    _, relocated = await launched_items(http, keys)
    await advance(http, keys, relocated, status="IN_PROGRESS")
    before = await written(sessions)

    body = await ask(
        http,
        ADVANCE,
        token(keys, "park", "contributor"),
        variables={
            "input": {
                "id": relocated,
                "status": "COMPLETED",
                "outcome": "RELOCATED",
                "on": "2026-11-20",
                "documentNumber": "LG-RELO-2026-007",
            }
        },
        purpose="joint_inspection",
        request_id="relocation-completed",
    )

    done = body["data"]["advanceRectificationItem"]
    assert done["errors"] == []
    enterprise = done["item"]["enterprise"]
    assert (enterprise["status"], enterprise["statusSince"]) == ("RELOCATED", "2026-11-20")
    assert enterprise["lifecycle"][-1] == {
        "kind": "RELOCATED",
        "effectiveOn": "2026-11-20",
        "owner": "park",
        "documentNumber": "LG-RELO-2026-007",
    }
    assert await written(sessions) == [before[0], before[1], before[2] + 1]
    [event] = await events_for(sessions, "relocation-completed")
    wrote = {(k.provider, k.record_type) for k in event.entry.disclosed}
    assert {("park", "rectification_item"), ("park", "lifecycle_event")} <= wrote


async def test_when_the_audit_cannot_be_written_neither_the_item_nor_the_ledger_changes(
    http: httpx.AsyncClient, keys: SigningKeys, agreed: World, sessions: Sessions
) -> None:
    _, relocated = await launched_items(http, keys)
    await advance(http, keys, relocated, status="IN_PROGRESS")
    before = await written(sessions)

    async with audit_storage_unwritable(sessions):
        body = await ask(
            http,
            ADVANCE,
            token(keys, "park", "contributor"),
            variables={
                "input": {
                    "id": relocated,
                    "status": "COMPLETED",
                    "outcome": "RELOCATED",
                    "documentNumber": "LG-RELO-2026-008",
                }
            },
            purpose="joint_inspection",
        )

    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["AUDIT_UNAVAILABLE"]
    assert await written(sessions) == before
    async with sessions() as session:
        status = await session.scalar(
            select(models.Enterprise.status).where(models.Enterprise.uscc == USCC_PAINTS)
        )
        item_status = await session.scalar(
            select(RectificationItem.status).where(RectificationItem.id == int(relocated))
        )
    assert (status, item_status) == ("in_operation", "in_progress")


@pytest.mark.parametrize(
    ("status", "given", "errors"),
    [
        (
            "registered",
            {"outcome": "RELOCATED", "documentNumber": "LG-1"},
            [
                (
                    "outcome",
                    "ledger",
                    "the ledger cannot record relocated for an enterprise registered",
                )
            ],
        ),
        (
            "in_operation",
            {"outcome": "CANCELLED", "documentNumber": "LG-1", "on": "2017-05-31"},
            [("on", "order", "the ledger's current status dates from 2017-06-01")],
        ),
        (
            "in_operation",
            {"outcome": "RELOCATED", "documentNumber": " "},
            [("documentNumber", "required", "the ledger records relocated with a document")],
        ),
    ],
)
async def test_the_ledger_s_own_rules_hold_for_what_a_campaign_appends(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    agreed: World,
    sessions: Sessions,
    status: str,
    given: dict[str, Any],
    errors: list[tuple[str, str, str]],
) -> None:
    _, relocated = await launched_items(http, keys)
    await advance(http, keys, relocated, status="IN_PROGRESS")
    async with sessions() as session, session.begin():
        await session.execute(
            update(models.Enterprise)
            .where(models.Enterprise.uscc == USCC_PAINTS)
            .values(status=status)
        )
    before = await written(sessions)

    refused = await advance(http, keys, relocated, status="COMPLETED", **given)

    assert [(e["field"], e["rule"], e["message"]) for e in refused["errors"]] == errors
    assert await written(sessions) == before
    async with sessions() as session:
        assert (
            await session.scalar(
                select(RectificationItem.status).where(RectificationItem.id == int(relocated))
            )
            == "in_progress"
        )


async def test_a_missing_item_is_refused_and_another_department_cannot_advance_one(
    http: httpx.AsyncClient, keys: SigningKeys, agreed: World, sessions: Sessions
) -> None:
    rectified, _ = await launched_items(http, keys)

    for item_id in ("2147483647", "x"):
        refused = await advance(http, keys, item_id, status="IN_PROGRESS")
        assert refused["errors"] == [
            {
                "field": "id",
                "rule": "exists",
                "message": "no rectification item of your department has this id",
            }
        ]
    body = await ask(
        http,
        ADVANCE,
        token(keys, "ecology", "contributor"),
        variables={"input": {"id": rectified, "status": "IN_PROGRESS"}},
    )
    assert body["errors"][0]["message"] == (
        "Department ecology does not run rectification campaigns."
    )


async def add_campaign(sessions: Sessions, world: World, *items: tuple[str, int, str]) -> int:
    """A campaign in the world's chemical park, its items (uscc, deadline in days from
    today, status) led by market, written directly."""
    ids = world.departments
    async with sessions() as session, session.begin():
        campaign = RectificationCampaign(
            owner_department_id=ids["park"],
            title="Lingang cluster upgrading",
            zone=ZONE,
            basis="plan",
            started_on=TODAY - dt.timedelta(days=400),
            ends_on=TODAY + dt.timedelta(days=400),
        )
        session.add(campaign)
        await session.flush()
        for uscc, days, status in items:
            done = status == "completed"
            session.add(
                RectificationItem(
                    campaign_id=campaign.id,
                    owner_department_id=ids["park"],
                    enterprise_id=world.enterprises[uscc],
                    measure="rectification",
                    deadline=TODAY + dt.timedelta(days=days),
                    lead_department_id=ids["market"],
                    status=status,
                    outcome="rectified" if done else None,
                    completed_on=TODAY - dt.timedelta(days=500) if done else None,
                )
            )
        return campaign.id


PROGRESS = """
query($zone: String!) {
  rectificationProgress(zone: $zone) {
    zone campaigns items listed inProgress completed overdue undisclosed
    byMeasure { measure items completed overdue }
    overdueItems { enterprise { uscc } status overdue deadline }
  }
}"""


async def test_progress_and_the_overdue_list_are_counted_from_what_the_caller_sees(
    http: httpx.AsyncClient, keys: SigningKeys, agreed: World, sessions: Sessions
) -> None:
    await add_campaign(
        sessions,
        agreed,
        (USCC_CHEMICAL, -1, "in_progress"),  # overdue since yesterday
        (USCC_PAINTS, 0, "listed"),  # due today: not overdue yet
        (USCC_CHEMICAL, -30, "completed"),  # done: never overdue
    )

    async def progress(department: str, purpose: str | None) -> dict[str, Any]:
        return await ask(
            http, PROGRESS, token(keys, department), variables={"zone": ZONE}, purpose=purpose
        )

    park = await progress("park", "information_exchange")
    emergency = await progress("emergency", "information_exchange")
    customs = await progress("customs", "information_exchange")

    counted = {
        "zone": ZONE,
        "campaigns": 1,
        "items": 3,
        "listed": 1,
        "inProgress": 1,
        "completed": 1,
        "overdue": 1,
        "undisclosed": 0,
        "byMeasure": [{"measure": "RECTIFICATION", "items": 3, "completed": 1, "overdue": 1}],
    }
    assert park == {
        "data": {
            "rectificationProgress": {
                **counted,
                "overdueItems": [
                    {
                        "enterprise": {"uscc": USCC_CHEMICAL},
                        "status": "IN_PROGRESS",
                        "overdue": True,
                        "deadline": (TODAY - dt.timedelta(days=1)).isoformat(),
                    }
                ],
            }
        }
    }
    # Emergency sees what park grants it: the deadline only as its month.
    assert emergency["data"]["rectificationProgress"]["overdueItems"] == [
        {
            "enterprise": {"uscc": USCC_CHEMICAL},
            "status": "IN_PROGRESS",
            "overdue": True,
            "deadline": (TODAY - dt.timedelta(days=1)).isoformat()[:7],
        }
    ]
    assert {
        k: v for k, v in emergency["data"]["rectificationProgress"].items() if k in counted
    } == counted
    # Customs is granted nothing: no campaign, nothing counted.
    assert customs["data"]["rectificationProgress"] == {
        **counted,
        "campaigns": 0,
        "items": 0,
        "listed": 0,
        "inProgress": 0,
        "completed": 0,
        "overdue": 0,
        "byMeasure": [],
        "overdueItems": [],
    }


async def test_an_item_whose_status_is_not_shared_is_counted_as_undisclosed(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    async with sessions() as session, session.begin():
        await grant(
            session,
            CAMPAIGNS_TO_EMERGENCY,
            {**ITEMS_TO_EMERGENCY, "fields": {"measure": "full"}},
        )
    await add_campaign(sessions, world, (USCC_CHEMICAL, -1, "in_progress"))

    body = await ask(
        http,
        PROGRESS.replace("overdueItems { enterprise { uscc } status overdue deadline }", ""),
        token(keys, "emergency"),
        variables={"zone": ZONE},
        purpose="information_exchange",
    )
    listed = await ask(
        http,
        "query($zone: String!) { rectificationProgress(zone: $zone) { overdueItems { id } } }",
        token(keys, "emergency"),
        variables={"zone": ZONE},
        purpose="information_exchange",
    )

    progress = body["data"]["rectificationProgress"]
    assert (progress["items"], progress["undisclosed"], progress["overdue"]) == (1, 1, 0)
    assert progress["byMeasure"] == [
        {"measure": "RECTIFICATION", "items": 1, "completed": 0, "overdue": 0}
    ]
    # The overdue list would tell what is not shared: refused.
    assert listed["data"] == {"rectificationProgress": {"overdueItems": None}}
    [refused] = listed["errors"]
    assert refused["extensions"] == {
        "code": "FORBIDDEN",
        "elements": ["rectification_item.overdue"],
    }


ITEMS = """
{ rectificationItems { edges { node {
    measure status leadDepartment deadline campaign { title zone }
} } } }"""


async def test_the_lead_department_sees_its_item_and_campaign_whole(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    await add_campaign(sessions, world, (USCC_CHEMICAL, 30, "listed"))

    market = await ask(http, ITEMS, token(keys, "market"), purpose="information_exchange")
    ecology = await ask(http, ITEMS, token(keys, "ecology"), purpose="information_exchange")

    deadline = (TODAY + dt.timedelta(days=30)).isoformat()
    assert market == {
        "data": {
            "rectificationItems": {
                "edges": [
                    {
                        "node": {
                            "measure": "RECTIFICATION",
                            "status": "LISTED",
                            "leadDepartment": "market",
                            "deadline": deadline,
                            "campaign": {"title": "Lingang cluster upgrading", "zone": ZONE},
                        }
                    }
                ]
            }
        }
    }
    assert ecology == {"data": {"rectificationItems": {"edges": []}}}


async def test_a_campaign_belongs_to_no_enterprise_so_scoped_grants_never_reach_it(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    async with sessions() as session, session.begin():
        await grant(
            session,
            {**CAMPAIGNS_TO_EMERGENCY, "consumers": ["customs"], "scope": {"zones": [ZONE]}},
            code="scoped-campaigns",
        )
        await grant(session, {**CAMPAIGNS_TO_EMERGENCY, "consumers": ["ecology"]}, code="all")
    await add_campaign(sessions, world, (USCC_CHEMICAL, 30, "listed"))
    query = "{ rectificationCampaigns { edges { node { title } } } }"

    customs = await ask(http, query, token(keys, "customs"), purpose="information_exchange")
    ecology = await ask(http, query, token(keys, "ecology"), purpose="information_exchange")

    assert customs == {"data": {"rectificationCampaigns": {"edges": []}}}
    assert ecology == {
        "data": {
            "rectificationCampaigns": {"edges": [{"node": {"title": "Lingang cluster upgrading"}}]}
        }
    }


async def test_filtering_campaigns_by_zone_needs_the_zone_shared_at_full(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    async with sessions() as session, session.begin():
        await grant(session, {**CAMPAIGNS_TO_EMERGENCY, "fields": {"title": "full"}})
    await add_campaign(sessions, world, (USCC_CHEMICAL, 30, "listed"))

    body = await ask(
        http,
        'query { rectificationCampaigns(filter: {zone: "Lingang Chemical Park"}) '
        "{ edges { node { title } } } }",
        token(keys, "emergency"),
        purpose="information_exchange",
    )

    assert body["data"] is None
    [refused] = body["errors"]
    assert refused["extensions"]["code"] == "FORBIDDEN"
    assert refused["extensions"]["elements"] == ["rectification_campaign.zone"]


async def test_the_overdue_list_is_a_filter_on_items_derived_when_the_statement_runs(
    http: httpx.AsyncClient, keys: SigningKeys, agreed: World, sessions: Sessions
) -> None:
    await add_campaign(
        sessions,
        agreed,
        (USCC_CHEMICAL, -1, "in_progress"),
        (USCC_PAINTS, 0, "listed"),
        (USCC_CHEMICAL, -30, "completed"),
    )
    query = (
        "query($overdue: Boolean!) { rectificationItems(filter: {overdue: $overdue}) "
        "{ edges { node { enterprise { uscc } status overdue } } } }"
    )

    async def items(overdue: bool) -> list[dict[str, Any]]:
        body = await ask(
            http,
            query,
            token(keys, "emergency"),
            variables={"overdue": overdue},
            purpose="information_exchange",
        )
        return [edge["node"] for edge in body["data"]["rectificationItems"]["edges"]]

    assert await items(True) == [
        {"enterprise": {"uscc": USCC_CHEMICAL}, "status": "IN_PROGRESS", "overdue": True}
    ]
    assert await items(False) == [
        {"enterprise": {"uscc": USCC_PAINTS}, "status": "LISTED", "overdue": False},
        {"enterprise": {"uscc": USCC_CHEMICAL}, "status": "COMPLETED", "overdue": False},
    ]
