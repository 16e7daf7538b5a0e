"""``facilitations``: which enterprises enjoy facilitation, from whom, on what basis, in one
query through the gate: only recognitions in force; by enterprise, zone, granting
department or facilitation; a department with no part and no grant sees none; the zone
filter needs enterprises' zones shared at full."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
from recognition_support import (
    CERTIFICATES_TO_CUSTOMS,
    RATINGS_TO_EMERGENCY,
    TODAY,
    Sessions,
    add_certificate,
    customs_rating_id,
    post,
    recognised,
    recognition_input,
)
from sqlalchemy import update

from liaison.api.keys import SigningKeys
from liaison.db.recognition_models import Recognition
from world import USCC_CHEMICAL, USCC_PAINTS, USCC_WAREHOUSE, World, grant

QUERY = """
query($filter: FacilitationFilter) {
  facilitations(filter: $filter) {
    edges { node { id owner recognised enterprise { uscc } facilitation legalBasis
      standardizationCertificate { level } creditRating { grade } } }
  }
}"""
ZONES_TO_EVERYONE = {
    "provider": "market",
    "consumers": ["customs", "emergency", "park"],
    "record_type": "enterprise",
    "fields": {"zone": "full"},
}


async def _world_of_recognitions(
    http: httpx.AsyncClient, keys: SigningKeys, sessions: Sessions, world: World
) -> dict[str, str]:
    async with sessions() as session, session.begin():
        await grant(session, CERTIFICATES_TO_CUSTOMS, RATINGS_TO_EMERGENCY, ZONES_TO_EVERYONE)
    made = {}
    for uscc, number in ((USCC_CHEMICAL, "AQBH-1"), (USCC_WAREHOUSE, "AQBH-2")):
        certificate = await add_certificate(
            sessions, world.enterprises[uscc], world.departments["emergency"], number=number
        )
        found = await recognised(
            http,
            keys,
            "customs",
            recognition_input(uscc, "STANDARDIZATION_CERTIFICATE", certificate),
        )
        made[f"customs {uscc}"] = found["id"]
    rating = await customs_rating_id(sessions, world.enterprises[USCC_PAINTS])
    found = await recognised(
        http,
        keys,
        "emergency",
        recognition_input(USCC_PAINTS, "CREDIT_RATING", rating, facilitation="FAST_RELEASE"),
    )
    made[f"emergency {USCC_PAINTS}"] = found["id"]
    # One no longer in force (lapsed), one not yet in force.
    future = await recognised(
        http,
        keys,
        "emergency",
        recognition_input(
            USCC_CHEMICAL,
            "CREDIT_RATING",
            await customs_rating_id(sessions, world.enterprises[USCC_CHEMICAL]),
            validFrom=(TODAY + dt.timedelta(days=10)).isoformat(),
        ),
    )
    made["future"] = future["id"]
    async with sessions() as session, session.begin():
        await session.execute(
            update(Recognition)
            .where(Recognition.id == int(made[f"customs {USCC_WAREHOUSE}"]))
            .values(status="lapsed", lapsed_on=TODAY, lapse_reason="test")
        )
    return made


async def _ask(
    http: httpx.AsyncClient, keys: SigningKeys, department: str, **filter: Any
) -> dict[str, Any]:
    return await post(
        http,
        keys,
        QUERY,
        department=department,
        roles=("reader",),
        variables={"filter": filter or None},
    )


def _ids(body: dict[str, Any]) -> list[str]:
    return [e["node"]["id"] for e in body["data"]["facilitations"]["edges"]]


async def test_only_recognitions_in_force_are_facilitations(
    http: httpx.AsyncClient, keys: SigningKeys, sessions: Sessions, world: World
) -> None:
    made = await _world_of_recognitions(http, keys, sessions, world)

    as_customs = await _ask(http, keys, "customs")
    as_market = await _ask(http, keys, "market")

    assert "errors" not in as_customs, as_customs
    # Its own in force, and the bureau's of its own credit rating (a party).
    assert _ids(as_customs) == [made[f"customs {USCC_CHEMICAL}"], made[f"emergency {USCC_PAINTS}"]]
    nodes = [e["node"] for e in as_customs["data"]["facilitations"]["edges"]]
    assert nodes[0]["standardizationCertificate"] == {"level": 2}
    assert nodes[1]["owner"] == "emergency"
    assert nodes[1]["facilitation"] == "FAST_RELEASE"
    assert nodes[1]["creditRating"] == {"grade": "certified"}
    assert nodes[1]["legalBasis"].startswith("FTZ-MOU-2026-01")
    assert _ids(as_market) == []
    assert "errors" not in as_market


async def test_facilitations_filter_by_enterprise_zone_owner_and_kind(
    http: httpx.AsyncClient, keys: SigningKeys, sessions: Sessions, world: World
) -> None:
    made = await _world_of_recognitions(http, keys, sessions, world)

    by_enterprise = await _ask(http, keys, "customs", enterpriseUscc=USCC_PAINTS)
    by_zone = await _ask(http, keys, "customs", zone="Lingang Chemical Park")
    other_zone = await _ask(http, keys, "customs", zone="Waigaoqiao Bonded Zone")
    by_owner = await _ask(http, keys, "customs", owner="customs")
    by_kind = await _ask(http, keys, "emergency", facilitation="FAST_RELEASE")

    assert _ids(by_enterprise) == [made[f"emergency {USCC_PAINTS}"]]
    assert _ids(by_zone) == [made[f"customs {USCC_CHEMICAL}"], made[f"emergency {USCC_PAINTS}"]]
    assert _ids(other_zone) == []  # the warehouse's recognition lapsed
    assert _ids(by_owner) == [made[f"customs {USCC_CHEMICAL}"]]
    assert _ids(by_kind) == [made[f"emergency {USCC_PAINTS}"]]


async def test_the_zone_filter_is_refused_where_zones_are_not_shared_in_full(
    http: httpx.AsyncClient, keys: SigningKeys, sessions: Sessions, world: World
) -> None:
    body = await _ask(http, keys, "ecology", zone="Lingang Chemical Park")

    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert error["extensions"]["elements"] == ["enterprise.zone"]
