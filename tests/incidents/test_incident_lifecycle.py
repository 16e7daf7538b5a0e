"""An incident's life through HTTP with real tokens: opened by the emergency bureau (graded,
routed by the roster), acknowledged by the departments it was routed to (each with its
team), re-graded when its figures change, closed. Every refusal is a field-level error
and writes nothing."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select

from audit_events import events_for
from incident_world import (
    ACKNOWLEDGE,
    BONDED,
    CLOSE,
    OPEN,
    REVISE,
    ZONE,
    Sessions,
    acknowledge,
    ask,
    close,
    count,
    figures,
    incident_input,
    open_incident,
    set_up,
)
from liaison.api.keys import SigningKeys
from liaison.db import models
from liaison.db.incident_models import (
    Incident,
    IncidentChemical,
    IncidentResponse,
    IncidentTeamMember,
)
from liaison.db.models import PolicyEpoch
from world import USCC_CHEMICAL, USCC_WAREHOUSE, World, grant, token

WRITTEN = (Incident, IncidentChemical, IncidentResponse, IncidentTeamMember)


@pytest.fixture
async def roster(world: World, sessions: Sessions) -> World:
    await set_up(sessions)
    return world


async def counts(sessions: Sessions) -> list[int]:
    return [await count(sessions, model) for model in WRITTEN]


async def epoch(sessions: Sessions) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(PolicyEpoch.epoch)) or 0)


def routed(incident: dict[str, Any]) -> list[str]:
    return [r["department"] for r in incident["responses"]]


async def test_an_incident_is_graded_and_routed_to_the_departments_the_roster_calls(
    http: httpx.AsyncClient, keys: SigningKeys, roster: World, sessions: Sessions
) -> None:
    before = await epoch(sessions)

    incident = await open_incident(http, keys)

    assert incident["reference"] == "INC-2026-0001"
    assert incident["owner"] == "emergency"
    assert incident["status"] == "OPEN"
    assert incident["grade"] == "GENERAL"
    assert incident["gradeRule"] == (
        "deaths 0 < 3, serious injuries 2 < 10, direct economic loss 800000 yuan "
        "< 10000000 yuan: general (Decree No. 493, art. 3 (4))"
    )
    assert incident["enterprise"] == {"uscc": USCC_CHEMICAL}
    assert routed(incident) == ["emergency", "park"]
    assert {r["routedFor"] for r in incident["responses"]} == {"GENERAL"}
    assert all(r["acknowledgedAt"] is None for r in incident["responses"])
    assert incident["chemicals"] == [
        {"chemicalName": "Benzene", "casNumber": "71-43-2", "unNumber": "UN1114"}
    ]
    assert await counts(sessions) == [1, 1, 2, 0]
    assert await epoch(sessions) == before + 1


@pytest.mark.parametrize(
    ("uscc", "figures_given", "grade", "departments"),
    [
        (USCC_CHEMICAL, figures(deaths=3), "LARGER", ["emergency", "market", "park", "ecology"]),
        (
            USCC_CHEMICAL,
            figures(loss="50000000"),
            "MAJOR",
            ["customs", "emergency", "market", "park", "ecology"],
        ),
        (USCC_WAREHOUSE, figures(), "GENERAL", ["customs", "emergency", "park"]),
    ],
)
async def test_routing_follows_the_grade_and_the_zone(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    roster: World,
    uscc: str,
    figures_given: dict[str, Any],
    grade: str,
    departments: list[str],
) -> None:
    incident = await open_incident(http, keys, uscc=uscc, figures=figures_given)

    assert (incident["grade"], routed(incident)) == (grade, departments)


async def test_references_are_numbered_per_year_of_occurrence(
    http: httpx.AsyncClient, keys: SigningKeys, roster: World
) -> None:
    first = await open_incident(http, keys)
    second = await open_incident(http, keys, occurredAt="2025-12-31T23:00:00Z")
    third = await open_incident(http, keys)

    assert [first["reference"], second["reference"], third["reference"]] == [
        "INC-2026-0001",
        "INC-2025-0001",
        "INC-2026-0002",
    ]


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        (
            {"uscc": "91310115MA1K4ABC06"},
            [
                (
                    "uscc",
                    "USCC",
                    "USCC '91310115MA1K4ABC06' is invalid: the check character (position 18) "
                    "should be '5', not '6'",
                )
            ],
        ),
        (
            {"uscc": "91310115MA1K4AB00Q"},
            [("uscc", "exists", "no enterprise is registered under 91310115MA1K4AB00Q")],
        ),
        (
            {"figures": figures(deaths=-1, injuries=-2, evacuated=-3, loss="-0.01")},
            [
                ("figures.deaths", "non_negative", "deaths must not be negative"),
                ("figures.seriousInjuries", "non_negative", "seriousInjuries must not be negative"),
                ("figures.evacuated", "non_negative", "evacuated must not be negative"),
                ("figures.directLoss", "non_negative", "directLoss must not be negative"),
            ],
        ),
        (
            {
                "chemicals": [
                    {"chemicalName": "Benzene", "casNumber": "71-43-3", "unNumber": "UN1114"},
                    {"chemicalName": " ", "casNumber": "71-43-2", "unNumber": "UN11145"},
                ]
            },
            [
                (
                    "chemicals[0].casNumber",
                    "CAS",
                    "CAS '71-43-3' is invalid: the check digit (last digit) should be 2, not 3",
                ),
                (
                    "chemicals[1].chemicalName",
                    "required",
                    "chemicals[1].chemicalName must not be empty",
                ),
                (
                    "chemicals[1].unNumber",
                    "UN",
                    "UN 'UN11145' is invalid: a UN number is 'UN' followed by four digits, "
                    "e.g. UN1017",
                ),
            ],
        ),
        (
            {"occurredAt": "2999-01-01T00:00:00Z", "location": ""},
            [
                ("occurredAt", "past", "occurredAt must not be in the future"),
                ("location", "required", "location must not be empty"),
            ],
        ),
    ],
)
async def test_bad_input_is_refused_field_by_field_and_nothing_is_written(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    roster: World,
    sessions: Sessions,
    overrides: dict[str, Any],
    errors: list[tuple[str, str, str]],
) -> None:
    before, moved = await counts(sessions), await epoch(sessions)

    body = await ask(
        http,
        OPEN,
        token(keys, "emergency", "contributor"),
        variables={"input": incident_input(**overrides)},
        purpose="emergency_response",
    )

    assert "errors" not in body, body
    refused = body["data"]["openIncident"]
    assert refused["incident"] is None
    assert [(e["field"], e["rule"], e["message"]) for e in refused["errors"]] == errors
    assert await counts(sessions) == before
    assert await epoch(sessions) == moved


async def test_an_incident_cannot_be_routed_without_seeing_the_enterprise_zone(
    http: httpx.AsyncClient, keys: SigningKeys, roster: World, sessions: Sessions
) -> None:
    # No purpose stated: the registry's zone is not shared, so the roster cannot be read.
    body = await ask(
        http,
        OPEN,
        token(keys, "emergency", "contributor"),
        variables={"input": incident_input()},
    )

    [error] = body["data"]["openIncident"]["errors"]
    assert (error["field"], error["rule"]) == ("uscc", "zone")
    assert await counts(sessions) == [0, 0, 0, 0]


@pytest.mark.parametrize(
    ("department", "roles", "message"),
    [
        ("emergency", ("reader",), "Writing records needs the contributor role."),
        ("customs", ("contributor",), "Department customs does not coordinate incidents."),
    ],
)
async def test_only_the_emergency_bureau_opens_incidents(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    roster: World,
    sessions: Sessions,
    department: str,
    roles: tuple[str, ...],
    message: str,
) -> None:
    body = await ask(
        http,
        OPEN,
        token(keys, department, *roles),
        variables={"input": incident_input()},
        purpose="emergency_response",
    )

    assert body["data"] is None
    [error] = body["errors"]
    assert (error["extensions"]["code"], error["message"]) == ("FORBIDDEN", message)
    assert await counts(sessions) == [0, 0, 0, 0]


async def test_a_routed_department_acknowledges_with_its_team(
    http: httpx.AsyncClient, keys: SigningKeys, roster: World, sessions: Sessions
) -> None:
    incident = await open_incident(http, keys)
    before = await epoch(sessions)

    body = await acknowledge(http, keys, incident["id"], "park")

    acknowledged = body["data"]["acknowledgeIncident"]
    assert acknowledged["errors"] == []
    [emergency, park] = acknowledged["incident"]["responses"]
    assert (emergency["department"], emergency["acknowledgedAt"]) == ("emergency", None)
    assert park["department"] == "park"
    assert park["acknowledgedAt"] is not None
    assert park["acknowledgedBy"] == "park-tester"
    assert await counts(sessions) == [1, 1, 2, 1]
    assert await epoch(sessions) == before + 1
    async with sessions() as session:
        [(owner, name)] = (
            await session.execute(
                select(models.Department.code, IncidentTeamMember.name).join(
                    models.Department,
                    models.Department.id == IncidentTeamMember.owner_department_id,
                )
            )
        ).all()
    assert (owner, name) == ("park", "park commander")


async def test_acknowledging_twice_when_not_routed_or_when_closed_is_refused(
    http: httpx.AsyncClient, keys: SigningKeys, roster: World, sessions: Sessions
) -> None:
    incident = await open_incident(http, keys)
    await acknowledge(http, keys, incident["id"], "park")
    before = await counts(sessions)

    twice = await acknowledge(http, keys, incident["id"], "park")
    not_routed = await acknowledge(http, keys, incident["id"], "customs")
    no_such = await acknowledge(http, keys, "999999", "park")
    await close(http, keys, incident["id"])
    closed = await acknowledge(http, keys, incident["id"], "emergency")

    def errors(body: dict[str, Any]) -> list[tuple[str, str, str]]:
        payload = body["data"]["acknowledgeIncident"]
        assert payload["incident"] is None
        return [(e["field"], e["rule"], e["message"]) for e in payload["errors"]]

    assert errors(twice) == [("id", "acknowledged", "your department has already acknowledged it")]
    routed_only = [("id", "routed", "no incident your department was called to has this id")]
    assert errors(not_routed) == routed_only
    assert errors(no_such) == routed_only
    assert errors(closed) == [("id", "status", "the incident is closed")]
    assert await counts(sessions) == before


async def test_a_response_team_needs_people_with_valid_phones(
    http: httpx.AsyncClient, keys: SigningKeys, roster: World, sessions: Sessions
) -> None:
    incident = await open_incident(http, keys)
    before = await counts(sessions)
    park = token(keys, "park", "contributor")

    empty = await ask(
        http, ACKNOWLEDGE, park, variables={"input": {"id": incident["id"], "team": []}}
    )
    bad = await ask(
        http,
        ACKNOWLEDGE,
        park,
        variables={
            "input": {
                "id": incident["id"],
                "team": [{"name": "王海燕", "role": "duty officer", "phone": "call me"}],
            }
        },
    )

    assert empty["data"]["acknowledgeIncident"]["errors"] == [
        {
            "field": "team",
            "rule": "required",
            "message": "a response team needs at least one person",
        }
    ]
    assert bad["data"]["acknowledgeIncident"]["errors"] == [
        {
            "field": "team[0].phone",
            "rule": "phone",
            "message": "phone must be digits, spaces, + and -",
        }
    ]
    assert await counts(sessions) == before


async def test_revised_figures_regrade_the_incident_and_route_it_further(
    http: httpx.AsyncClient, keys: SigningKeys, roster: World, sessions: Sessions
) -> None:
    incident = await open_incident(http, keys)

    body = await ask(
        http,
        REVISE,
        token(keys, "emergency", "contributor"),
        variables={"input": {"id": incident["id"], "figures": figures(deaths=12)}},
    )

    revised = body["data"]["reviseIncidentFigures"]
    assert revised["errors"] == []
    assert revised["incident"]["grade"] == "MAJOR"
    assert revised["incident"]["gradeRule"] == "deaths 12 ≥ 10: major (Decree No. 493, art. 3 (2))"
    # In the order they were called.
    assert [(r["department"], r["routedFor"]) for r in revised["incident"]["responses"]] == [
        ("emergency", "GENERAL"),
        ("park", "GENERAL"),
        ("customs", "MAJOR"),
        ("market", "MAJOR"),
        ("ecology", "MAJOR"),
    ]


async def test_lower_figures_regrade_the_incident_and_call_nobody_off(
    http: httpx.AsyncClient, keys: SigningKeys, roster: World, sessions: Sessions
) -> None:
    incident = await open_incident(http, keys, figures=figures(injuries=10))

    body = await ask(
        http,
        REVISE,
        token(keys, "emergency", "contributor"),
        variables={"input": {"id": incident["id"], "figures": figures(injuries=9)}},
    )

    revised = body["data"]["reviseIncidentFigures"]["incident"]
    assert revised["grade"] == "GENERAL"
    assert [r["department"] for r in revised["responses"]] == [
        "emergency",
        "market",
        "park",
        "ecology",
    ]


async def test_closing_twice_and_revising_a_closed_incident_are_refused(
    http: httpx.AsyncClient, keys: SigningKeys, roster: World, sessions: Sessions
) -> None:
    incident = await open_incident(http, keys)
    first = await close(http, keys, incident["id"])
    moved = await epoch(sessions)

    again = await close(http, keys, incident["id"])
    revised = await ask(
        http,
        REVISE,
        token(keys, "emergency", "contributor"),
        variables={"input": {"id": incident["id"], "figures": figures(deaths=40)}},
    )

    assert first["data"]["closeIncident"]["incident"]["status"] == "CLOSED"
    assert again["data"]["closeIncident"] == {
        "incident": None,
        "errors": [
            {"field": "id", "rule": "transition", "message": "the incident is already closed"}
        ],
    }
    assert revised["data"]["reviseIncidentFigures"]["errors"] == [
        {
            "field": "id",
            "rule": "status",
            "message": "a closed incident's figures cannot be revised",
        }
    ]
    assert await epoch(sessions) == moved
    async with sessions() as session:
        assert await session.scalar(select(Incident.deaths)) == 0


async def test_closing_before_the_incident_occurred_is_refused(
    http: httpx.AsyncClient, keys: SigningKeys, roster: World
) -> None:
    incident = await open_incident(http, keys)

    body = await ask(
        http,
        CLOSE,
        token(keys, "emergency", "contributor"),
        variables={"input": {"id": incident["id"], "closedAt": "2026-11-29T00:00:00Z"}},
    )

    assert body["data"]["closeIncident"]["errors"] == [
        {"field": "closedAt", "rule": "order", "message": "closedAt must not precede occurredAt"}
    ]


INCIDENT = """
query($id: ID!) {
  incident(id: $id) {
    reference grade status deaths location
    responses { department }
    team { owner name phone }
    chemicals { casNumber }
  }
}"""


async def test_parties_see_the_incident_whole_and_others_only_as_granted(
    http: httpx.AsyncClient, keys: SigningKeys, roster: World, sessions: Sessions
) -> None:
    incident = await open_incident(http, keys)
    await acknowledge(http, keys, incident["id"], "park")
    async with sessions() as session, session.begin():
        await grant(
            session,
            {
                "provider": "emergency",
                "consumers": ["customs"],
                "record_type": "incident",
                "purposes": ["information_exchange"],
                "fields": {"reference": "full", "grade": "full", "location": "masked"},
            },
            code="incidents-to-customs",
        )

    async def seen(department: str, purpose: str | None = None) -> dict[str, Any]:
        return await ask(
            http,
            INCIDENT,
            token(keys, department),
            variables={"id": incident["id"]},
            purpose=purpose,
        )

    park = await seen("park", "emergency_response")
    customs = await seen("customs", "information_exchange")
    ecology = await seen("ecology", "information_exchange")

    # The routed department, acknowledged: a party, whole (no grant needed).
    assert "errors" not in park
    assert park["data"]["incident"] == {
        "reference": "INC-2026-0001",
        "grade": "GENERAL",
        "status": "OPEN",
        "deaths": 0,
        "location": "上海市浦东新区海港大道1500号 tank farm",
        "responses": [{"department": "emergency"}, {"department": "park"}],
        "team": [{"owner": "park", "name": "park commander", "phone": "13900001111"}],
        "chemicals": [{"casNumber": "71-43-2"}],
    }
    # Not routed: what the grant gives, nothing of what hangs off the incident.
    assert customs["data"]["incident"] == {
        "reference": "INC-2026-0001",
        "grade": "GENERAL",
        "status": None,
        "deaths": None,
        "location": "上海市浦东新区",
        "responses": [],
        "team": [],
        "chemicals": [],
    }
    assert sorted(e["extensions"]["field"] for e in customs["errors"]) == [
        "Incident.deaths",
        "Incident.status",
    ]
    # Neither routed nor granted: answered like an incident that does not exist.
    assert ecology == {"data": {"incident": None}}


async def test_each_state_change_is_audited_with_the_records_it_wrote(
    http: httpx.AsyncClient, keys: SigningKeys, roster: World, sessions: Sessions
) -> None:
    opened = await ask(
        http,
        OPEN,
        token(keys, "emergency", "contributor"),
        variables={"input": incident_input()},
        purpose="emergency_response",
        request_id="open-incident-audited",
    )
    incident_id = opened["data"]["openIncident"]["incident"]["id"]
    await ask(
        http,
        CLOSE,
        token(keys, "emergency", "contributor"),
        variables={"input": {"id": incident_id}},
        request_id="close-incident-audited",
    )

    [open_event] = await events_for(sessions, "open-incident-audited")
    [close_event] = await events_for(sessions, "close-incident-audited")

    assert open_event.entry.operation_type == "mutation"
    assert open_event.entry.purpose == "emergency_response"
    written = {(k.provider, k.record_type) for k in open_event.entry.disclosed}
    assert {
        ("emergency", "incident"),
        ("emergency", "incident_response"),
        ("emergency", "incident_chemical"),
    } <= written
    # The zone that routes it is the registry's, read through the gate and audited.
    zone = [
        (d.provider, d.field, d.level)
        for d in open_event.entry.disclosures
        if d.record_type == "enterprise"
    ]
    assert ("market", "zone", "full") in zone
    assert [(k.provider, k.record_type, k.record_ids) for k in close_event.entry.disclosed] == [
        ("emergency", "incident", incident_id)
    ]


async def test_the_roster_is_read_by_anyone_and_replaced_by_the_bureau_s_steward(
    http: httpx.AsyncClient, keys: SigningKeys, roster: World
) -> None:
    replace = """
    mutation($entries: [EmergencyRosterEntryInput!]!) {
      setEmergencyRoster(entries: $entries) {
        entries { zone minimumGrade department }
        errors { field rule message }
      }
    }"""
    entries = [
        {"zone": None, "minimumGrade": "GENERAL", "department": "emergency"},
        {"zone": ZONE, "minimumGrade": "LARGER", "department": "ecology"},
    ]

    refused = await ask(
        http,
        replace,
        token(keys, "emergency", "steward"),
        variables={
            "entries": [
                *entries,
                {**entries[0]},
                {"zone": BONDED, "minimumGrade": "MAJOR", "department": "fire"},
            ]
        },
    )
    by_park = await ask(
        http, replace, token(keys, "park", "steward"), variables={"entries": entries}
    )
    replaced = await ask(
        http, replace, token(keys, "emergency", "steward"), variables={"entries": entries}
    )
    read = await ask(
        http, "{ emergencyRoster { zone minimumGrade department } }", token(keys, "customs")
    )

    assert refused["data"]["setEmergencyRoster"] == {
        "entries": [],
        "errors": [
            {"field": "entries[2]", "rule": "unique", "message": "this entry is already listed"},
            {
                "field": "entries[3].department",
                "rule": "exists",
                "message": "no such department code",
            },
        ],
    }
    assert by_park["errors"][0]["message"] == "Department park does not keep the roster."
    expected = [
        {"zone": None, "minimumGrade": "GENERAL", "department": "emergency"},
        {"zone": ZONE, "minimumGrade": "LARGER", "department": "ecology"},
    ]
    assert replaced["data"]["setEmergencyRoster"] == {"entries": expected, "errors": []}
    assert read == {"data": {"emergencyRoster": expected}}


async def test_filtering_incidents_on_a_field_not_granted_at_full_is_refused(
    http: httpx.AsyncClient, keys: SigningKeys, roster: World, sessions: Sessions
) -> None:
    await open_incident(http, keys, figures=figures(deaths=12))
    async with sessions() as session, session.begin():
        await grant(
            session,
            {
                "provider": "emergency",
                "consumers": ["customs"],
                "record_type": "incident",
                "purposes": ["information_exchange"],
                "fields": {"reference": "full", "grade": "full"},
            },
            {
                "provider": "emergency",
                "consumers": ["ecology"],
                "record_type": "incident",
                "purposes": ["information_exchange"],
                "fields": {"reference": "full"},
            },
            code="incident-references",
        )
    query = "{ incidents(filter: {grade: MAJOR}) { edges { node { reference grade } } } }"

    customs = await ask(http, query, token(keys, "customs"), purpose="information_exchange")
    ecology = await ask(http, query, token(keys, "ecology"), purpose="information_exchange")

    assert customs == {
        "data": {
            "incidents": {"edges": [{"node": {"reference": "INC-2026-0001", "grade": "MAJOR"}}]}
        }
    }
    assert ecology["data"] is None
    [refused] = ecology["errors"]
    assert refused["extensions"] == {"code": "FORBIDDEN", "elements": ["incident.grade"]}
