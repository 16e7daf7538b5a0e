"""Counts over only what the caller may see: ``totalCount`` on the lists (the caller's row
scope), and counts per zone, status or grade, refused unless the field is shared at full
for every record counted (callers with partial grants are refused, not half-counted)."""

from __future__ import annotations

from typing import Any

import httpx
from ledger_support import GRADE, Sessions, grade_input, new_request_id, post, write

from audit_events import events_for
from liaison.api.keys import SigningKeys
from world import RISKS_TO_CUSTOMS, USCC_CHEMICAL, USCC_WAREHOUSE, World, grant

ZONES = "{ enterpriseCounts(by: ZONE) { key count } }"


def _zones_to_customs(**scope: Any) -> dict[str, Any]:
    return {
        "provider": "market",
        "consumers": ["customs"],
        "record_type": "enterprise",
        "purposes": ["joint_inspection"],
        "fields": {"zone": "full"},
        **({"scope": scope} if scope else {}),
    }


async def _ask(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    query: str,
    department: str = "customs",
    request_id: str | None = None,
) -> dict[str, Any]:
    return await post(
        http,
        keys,
        query,
        department=department,
        roles=("reader",),
        purpose="joint_inspection",
        request_id=request_id,
    )


async def test_the_registry_counts_its_enterprises_per_zone_and_status(
    http: httpx.AsyncClient, keys: SigningKeys, world: World
) -> None:
    by_zone = await _ask(http, keys, ZONES, "market")
    by_status = await _ask(http, keys, "{ enterpriseCounts(by: STATUS) { key count } }", "market")

    assert by_zone["data"]["enterpriseCounts"] == [
        {"key": "Lingang Chemical Park", "count": 2},
        {"key": "Waigaoqiao Bonded Zone", "count": 1},
    ]
    assert by_status["data"]["enterpriseCounts"] == [{"key": "in_operation", "count": 3}]


async def test_counting_by_a_zone_the_caller_sees_only_in_part_is_refused(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    without = await _ask(http, keys, ZONES)
    async with sessions() as session, session.begin():
        await grant(session, _zones_to_customs(zones=["Waigaoqiao Bonded Zone"]))
    in_part = await _ask(http, keys, ZONES)

    for body in (without, in_part):
        assert body["data"] is None
        [refused] = body["errors"]
        assert refused["extensions"]["code"] == "FORBIDDEN"
        assert refused["extensions"]["elements"] == ["enterprise.zone"]


async def test_a_grant_of_every_zone_in_full_lets_the_caller_count_by_it(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    async with sessions() as session, session.begin():
        await grant(session, _zones_to_customs())

    body = await _ask(http, keys, ZONES)

    assert body == {
        "data": {
            "enterpriseCounts": [
                {"key": "Lingang Chemical Park", "count": 2},
                {"key": "Waigaoqiao Bonded Zone", "count": 1},
            ]
        }
    }


async def test_enterprises_per_grade_count_only_the_grades_the_caller_sees(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    await write(http, keys, GRADE, "gradeEnterprise", grade_input(USCC_CHEMICAL))
    await write(http, keys, GRADE, "gradeEnterprise", grade_input(USCC_WAREHOUSE, grade="D"))
    # A later grade replaces the earlier one in the count.
    await write(
        http,
        keys,
        GRADE,
        "gradeEnterprise",
        grade_input(USCC_CHEMICAL, grade="A", assessedOn="2026-11-01", validUntil=None),
    )
    query = "{ enterpriseCounts(by: GRADE) { key count } }"

    bureau = await _ask(http, keys, query, "emergency")
    customs_without = await _ask(http, keys, query)
    async with sessions() as session, session.begin():
        await grant(
            session,
            {
                "provider": "emergency",
                "consumers": ["customs"],
                "record_type": "safety_grade",
                "purposes": ["joint_inspection"],
                "fields": {"grade": "full"},
            },
        )
    customs_grade_only = await _ask(http, keys, query)

    assert bureau["data"]["enterpriseCounts"] == [
        {"key": "A", "count": 1},
        {"key": "D", "count": 1},
        {"key": None, "count": 1},
    ]
    assert customs_without["data"]["enterpriseCounts"] == [{"key": None, "count": 3}]
    # Which grade is the latest rests on the assessment date: it must be shared too.
    assert customs_grade_only["data"] is None
    assert customs_grade_only["errors"][0]["extensions"]["elements"] == ["safety_grade.assessed_on"]


async def test_risks_are_counted_by_a_field_shared_in_full_and_the_read_is_audited(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    without = await _ask(http, keys, "{ riskCounts(by: LEVEL) { key count } }")
    async with sessions() as session, session.begin():
        await grant(session, RISKS_TO_CUSTOMS, code="risks-to-customs")
    label = new_request_id("risk-counts")

    by_level = await _ask(http, keys, "{ riskCounts(by: LEVEL) { key count } }", request_id=label)
    by_owner = await _ask(http, keys, "{ riskCounts(by: OWNER) { key count } }")
    by_status = await _ask(http, keys, "{ riskCounts(by: STATUS) { key count } }")

    assert without == {"data": {"riskCounts": []}}
    assert by_level == {"data": {"riskCounts": [{"key": "major", "count": 3}]}}
    assert by_owner == {"data": {"riskCounts": [{"key": "emergency", "count": 3}]}}
    assert by_status["data"] is None
    assert by_status["errors"][0]["extensions"]["elements"] == ["risk.status"]
    [event] = await events_for(sessions, label)
    by_field = {d.field: d for d in event.entry.disclosures}
    assert (by_field["level"].level, by_field["level"].agreement_code) == (
        "full",
        "risks-to-customs",
    )
    assert [(k.provider, k.record_type) for k in event.entry.disclosed] == [("emergency", "risk")]


async def test_total_count_counts_every_page_in_the_callers_row_scope(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    first_page = await _ask(
        http, keys, "{ enterprises(first: 1) { totalCount edges { node { uscc } } } }"
    )
    risks_without = await _ask(http, keys, "{ risks { totalCount } }")
    async with sessions() as session, session.begin():
        await grant(session, {**RISKS_TO_CUSTOMS, "scope": {"zones": ["Waigaoqiao Bonded Zone"]}})
    risks_in_scope = await _ask(http, keys, "{ risks { totalCount edges { node { id } } } }")
    filtered = await _ask(
        http,
        keys,
        "{ enterprises(filter: {uscc_in_placeholder}) { totalCount } }".replace(
            "uscc_in_placeholder", f'usccIn: ["{USCC_CHEMICAL}"]'
        ),
    )

    assert first_page["data"]["enterprises"]["totalCount"] == 3
    assert len(first_page["data"]["enterprises"]["edges"]) == 1
    assert risks_without == {"data": {"risks": {"totalCount": 0}}}
    assert risks_in_scope["data"]["risks"]["totalCount"] == 1
    assert len(risks_in_scope["data"]["risks"]["edges"]) == 1
    assert filtered == {"data": {"enterprises": {"totalCount": 1}}}
