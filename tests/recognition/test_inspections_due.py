"""``inspectionsDue``: graded supervision from the rule table. Each department's grades and
those shared with it pick the rule of its kind; a grade withheld leaves the enterprise under
the default, exactly as if it had none; a recognition with reduced_inspection_frequency
lowers the frequency; overdue first; reads of another department's grades are audited; the
rule table is data an administrator edits."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import httpx
import pytest
from recognition_support import (
    CERTIFICATES_TO_CUSTOMS,
    TODAY,
    Sessions,
    add_certificate,
    post,
    recognised,
    recognition_input,
)
from sqlalchemy import select, update

from audit_events import events_for
from liaison.api.keys import SigningKeys
from liaison.db import models
from liaison.db.recognition_models import InspectionRule
from world import USCC_CHEMICAL, USCC_PAINTS, USCC_WAREHOUSE, World, grant

DUE = """
query($from: Date!, $to: Date!) {
  inspectionsDue(period: {startsOn: $from, endsOn: $to}) {
    enterprise { uscc } dueOn overdue lastInspectedOn perYear reduced gradedBy
    rule { scheme grade perYear reducedPerYear onSiteGuidance }
  }
}"""
SET_RULE = """
mutation($input: SetInspectionRuleInput!) {
  setInspectionRule(input: $input) { rule { scheme grade perYear } errors { field rule } }
}"""


def _days(n: int) -> str:
    return (TODAY + dt.timedelta(days=n)).isoformat()


async def _due(
    http: httpx.AsyncClient, keys: SigningKeys, department: str, until: int = 60, **kw: Any
) -> list[dict[str, Any]]:
    body = await post(
        http,
        keys,
        DUE,
        department=department,
        roles=("reader",),
        variables={"from": TODAY.isoformat(), "to": _days(until)},
        **kw,
    )
    assert "errors" not in body, body
    found: list[dict[str, Any]] = body["data"]["inspectionsDue"]
    return found


async def _grades(sessions: Sessions, world: World, *grades: tuple[str, str, str]) -> None:
    async with sessions() as session, session.begin():
        for uscc, scheme, grade in grades:
            session.add(
                models.SafetyGrade(
                    enterprise_id=world.enterprises[uscc],
                    owner_department_id=world.departments["emergency"],
                    scheme=scheme,
                    grade=grade,
                    assessed_on=dt.date(2026, 1, 10),
                )
            )


async def _inspected(sessions: Sessions, world: World, **days_ago: int) -> None:
    """Moves the bureau's one risk of each enterprise (world) to ``days_ago`` days back."""
    usccs = {"chemical": USCC_CHEMICAL, "paints": USCC_PAINTS, "warehouse": USCC_WAREHOUSE}
    async with sessions() as session, session.begin():
        for name, ago in days_ago.items():
            await session.execute(
                update(models.Risk)
                .where(models.Risk.enterprise_id == world.enterprises[usccs[name]])
                .values(found_on=TODAY - dt.timedelta(days=ago))
            )


async def test_the_bureau_owes_inspections_by_grade_overdue_first(
    http: httpx.AsyncClient, keys: SigningKeys, sessions: Sessions, world: World
) -> None:
    await _grades(
        sessions,
        world,
        (USCC_CHEMICAL, "enterprise_supervision", "C"),
        (USCC_WAREHOUSE, "enterprise_supervision", "D"),
    )
    await _inspected(sessions, world, chemical=100, warehouse=10, paints=30)

    due = await _due(http, keys, "emergency")
    everything = await _due(http, keys, "emergency", until=200)

    assert [(d["enterprise"]["uscc"], d["dueOn"], d["overdue"]) for d in due] == [
        (USCC_CHEMICAL, _days(-100 + 91), True),
        (USCC_WAREHOUSE, _days(-10 + 30), False),
    ]
    chemical, warehouse = due
    assert chemical["rule"] == {
        "scheme": "enterprise_supervision",
        "grade": "C",
        "perYear": 4,
        "reducedPerYear": 2,
        "onSiteGuidance": False,
    }
    assert chemical["lastInspectedOn"] == _days(-100)
    assert chemical["gradedBy"] == "emergency safety_grade"
    assert (warehouse["perYear"], warehouse["rule"]["onSiteGuidance"]) == (12, True)
    # No grade: the default of the bureau's kind, twice a year.
    [paints] = [d for d in everything if d["enterprise"]["uscc"] == USCC_PAINTS]
    assert (paints["rule"]["scheme"], paints["rule"]["grade"]) == ("default", "unknown")
    assert (paints["dueOn"], paints["gradedBy"]) == (_days(-30 + 182), None)
    assert len(everything) == 3


async def test_a_reduced_inspection_frequency_recognition_lowers_customs_frequency(
    http: httpx.AsyncClient, keys: SigningKeys, sessions: Sessions, world: World
) -> None:
    async with sessions() as session, session.begin():
        await grant(session, CERTIFICATES_TO_CUSTOMS)
    certificate = await add_certificate(
        sessions, world.enterprises[USCC_CHEMICAL], world.departments["emergency"]
    )
    before = await _due(http, keys, "customs")
    await recognised(
        http,
        keys,
        "customs",
        recognition_input(USCC_CHEMICAL, "STANDARDIZATION_CERTIFICATE", certificate),
    )

    after = await _due(http, keys, "customs")

    # Customs' own grade of every enterprise (world: certified) makes it twice a year; it
    # knows of no inspection, so each is due today.
    assert [(d["enterprise"]["uscc"], d["perYear"], d["reduced"]) for d in before] == [
        (USCC_CHEMICAL, 2, False),
        (USCC_PAINTS, 2, False),
        (USCC_WAREHOUSE, 2, False),
    ]
    assert {d["dueOn"] for d in before} == {TODAY.isoformat()}
    assert [(d["enterprise"]["uscc"], d["perYear"], d["reduced"]) for d in after] == [
        (USCC_CHEMICAL, 1, True),
        (USCC_PAINTS, 2, False),
        (USCC_WAREHOUSE, 2, False),
    ]
    assert after[0]["rule"]["grade"] == "certified"


PARK_GRADES = {
    "provider": "emergency",
    "consumers": ["park"],
    "record_type": "safety_grade",
    "purposes": ["joint_inspection"],
    "fields": {"scheme": "full", "grade": "full", "assessed_on": "full", "valid_until": "full"},
}


@pytest.mark.parametrize(
    "fields",
    [None, {"scheme": "full", "assessed_on": "full", "valid_until": "full"}],
    ids=["no grant", "grade withheld"],
)
async def test_a_grade_not_shared_leaves_the_default_and_reveals_nothing(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    sessions: Sessions,
    world: World,
    fields: dict[str, str] | None,
) -> None:
    await _grades(sessions, world, (USCC_CHEMICAL, "park_risk", "A"))
    if fields is not None:
        async with sessions() as session, session.begin():
            await grant(session, {**PARK_GRADES, "fields": fields})

    due = await _due(http, keys, "park", purpose="joint_inspection")

    assert [
        (d["rule"]["scheme"], d["rule"]["grade"], d["perYear"], d["gradedBy"]) for d in due
    ] == [("default", "unknown", 2, None)] * 3


async def test_a_grade_shared_picks_its_rule_and_the_read_is_audited(
    http: httpx.AsyncClient, keys: SigningKeys, sessions: Sessions, world: World
) -> None:
    await _grades(sessions, world, (USCC_CHEMICAL, "park_risk", "A"))
    async with sessions() as session, session.begin():
        await grant(session, PARK_GRADES)
    label = f"due-{uuid.uuid4().hex[:8]}"

    due = await _due(http, keys, "park", purpose="joint_inspection", request_id=label)

    [first, *others] = due
    assert (first["enterprise"]["uscc"], first["perYear"], first["gradedBy"]) == (
        USCC_CHEMICAL,
        12,
        "emergency safety_grade",
    )
    assert first["rule"]["onSiteGuidance"] is True
    assert [d["rule"]["scheme"] for d in others] == ["default", "default"]
    [event] = await events_for(sessions, label)
    read = {
        (d.provider, d.field, d.level, d.record_count)
        for d in event.entry.disclosures
        if d.record_type == "safety_grade"
    }
    assert ("emergency", "grade", "full", 1) in read


async def test_an_administrator_edits_the_rule_table_and_the_dues_follow(
    http: httpx.AsyncClient, keys: SigningKeys, sessions: Sessions, world: World
) -> None:
    async with sessions() as session:
        seeded = await session.scalar(
            select(InspectionRule).where(
                InspectionRule.department_kind == "customs",
                InspectionRule.grade == "certified",
            )
        )
    assert seeded is not None
    assert seeded.per_year == 2
    given = {
        "departmentKind": "customs",
        "scheme": "customs_enterprise_credit",
        "grade": "certified",
        "perYear": 3,
        "reducedPerYear": 1,
        "onSiteGuidance": False,
        "note": "three a year",
    }
    try:
        refused = await post(
            http,
            keys,
            SET_RULE,
            department="customs",
            roles=("admin",),
            variables={"input": {**given, "perYear": 0, "scheme": "x"}},
        )
        changed = await post(
            http, keys, SET_RULE, department="customs", roles=("admin",), variables={"input": given}
        )
        due = await _due(http, keys, "customs")
        not_admin = await post(
            http,
            keys,
            SET_RULE,
            department="customs",
            roles=("contributor",),
            variables={"input": given},
        )
    finally:
        async with sessions() as session, session.begin():
            await session.execute(
                update(InspectionRule)
                .where(InspectionRule.id == seeded.id)
                .values(per_year=2, reduced_per_year=1, note=seeded.note)
            )

    assert refused["data"]["setInspectionRule"]["errors"] == [
        {"field": "scheme", "rule": "known"},
        {"field": "perYear", "rule": "range"},
    ]
    assert changed["data"]["setInspectionRule"] == {
        "rule": {"scheme": "customs_enterprise_credit", "grade": "certified", "perYear": 3},
        "errors": [],
    }
    assert {d["perYear"] for d in due} == {3}
    assert [e["extensions"]["code"] for e in not_admin["errors"]] == ["FORBIDDEN"]


async def test_a_period_ending_before_it_starts_is_refused(
    http: httpx.AsyncClient, keys: SigningKeys, sessions: Sessions, world: World
) -> None:
    body = await post(
        http,
        keys,
        DUE,
        department="customs",
        roles=("reader",),
        variables={"from": TODAY.isoformat(), "to": _days(-1)},
    )

    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"]
