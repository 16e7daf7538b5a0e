"""The effect, as a query: receptions with and without joint plans and the hours saved,
per enterprise and per zone, counted only from what the caller may see. A joint visit by
k departments saves (k - 1) x its reception hours."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from inspection_support import YEAR, Sessions, active_plan, agreed, call, visit

from liaison.api.keys import SigningKeys
from world import RISKS_TO_CUSTOMS, USCC_CHEMICAL, USCC_PAINTS, World

ZONE = "Lingang Chemical Park"
EFFECT = """
query($year: Int!, $uscc: String, $zone: String) {
  receptionEffect(year: $year, uscc: $uscc, zone: $zone) {
    year zone jointVisits receptionsWithout receptionsAvoided receptionHours hoursSaved
    undisclosed
    enterprises { uscc jointVisits receptionsWithout receptionHours hoursSaved }
  }
}"""
ZONE_TO = {
    "provider": "market",
    "consumers": ["customs", "ecology"],
    "record_type": "enterprise",
    "fields": {"zone": "full"},
}
# Visits shared with ecology: how many departments came, not the hours.
VISITS_TO_ECOLOGY = {
    "provider": "customs",
    "consumers": ["ecology"],
    "record_type": "joint_inspection_visit",
    "purposes": ["joint_inspection"],
    "fields": {"visited_on": "full", "departments_present": "full"},
}


async def effect(
    http: httpx.AsyncClient, keys: SigningKeys, department: str, **where: Any
) -> dict[str, Any]:
    body = await call(http, keys, EFFECT, department, {"year": YEAR, **where}, roles=("reader",))
    assert "errors" not in body, body
    found: dict[str, Any] = body["data"]["receptionEffect"]
    return found


@pytest.fixture
async def visited(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> World:
    await agreed(sessions, RISKS_TO_CUSTOMS, ZONE_TO, VISITS_TO_ECOLOGY)
    plan_id = await active_plan(http, keys)
    await visit(http, keys, plan_id)  # USCC_CHEMICAL, two departments, 6 hours
    await visit(http, keys, plan_id, uscc=USCC_PAINTS, receptionHours="3.5")
    return world


async def test_a_joint_visit_by_two_departments_saves_one_reception_and_its_hours(
    http: httpx.AsyncClient, keys: SigningKeys, visited: World
) -> None:
    found = await effect(http, keys, "emergency", uscc=USCC_CHEMICAL)

    assert found == {
        "year": YEAR,
        "zone": None,
        "jointVisits": 1,
        "receptionsWithout": 2,
        "receptionsAvoided": 1,
        "receptionHours": "6",
        "hoursSaved": "6",
        "undisclosed": 0,
        "enterprises": [
            {
                "uscc": USCC_CHEMICAL,
                "jointVisits": 1,
                "receptionsWithout": 2,
                "receptionHours": "6",
                "hoursSaved": "6",
            }
        ],
    }


async def test_a_zone_adds_up_its_enterprises_that_the_caller_sees_in_it(
    http: httpx.AsyncClient, keys: SigningKeys, visited: World
) -> None:
    found = await effect(http, keys, "customs", zone=ZONE)

    assert (found["jointVisits"], found["receptionsWithout"], found["hoursSaved"]) == (
        2,
        4,
        "9.5",
    )
    assert [e["uscc"] for e in found["enterprises"]] == [USCC_CHEMICAL, USCC_PAINTS]


async def test_the_zone_figure_is_empty_where_the_zone_itself_is_withheld(
    http: httpx.AsyncClient, keys: SigningKeys, visited: World
) -> None:
    # emergency takes part in every visit but may not see the registry's zones.
    found = await effect(http, keys, "emergency", zone=ZONE)

    assert (found["jointVisits"], found["undisclosed"], found["enterprises"]) == (0, 0, [])


async def test_withheld_hours_are_counted_as_undisclosed_and_never_summed(
    http: httpx.AsyncClient, keys: SigningKeys, visited: World
) -> None:
    found = await effect(http, keys, "ecology", zone=ZONE)

    assert found["undisclosed"] == 2
    assert (found["jointVisits"], found["receptionHours"], found["hoursSaved"]) == (0, "0", "0")
    assert found["enterprises"] == []


async def test_a_department_with_no_part_and_no_grant_counts_nothing(
    http: httpx.AsyncClient, keys: SigningKeys, visited: World
) -> None:
    found = await effect(http, keys, "market", uscc=USCC_CHEMICAL)

    assert (found["jointVisits"], found["undisclosed"], found["enterprises"]) == (0, 0, [])


async def test_the_effect_is_asked_of_one_enterprise_or_one_zone(
    http: httpx.AsyncClient, keys: SigningKeys, visited: World
) -> None:
    body = await call(http, keys, EFFECT, "customs", {"year": YEAR}, roles=("reader",))

    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"]
