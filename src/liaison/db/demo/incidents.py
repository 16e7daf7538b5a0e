"""The demo's emergency roster and two past incidents, closed, with the departments called,
their acknowledgements and teams: deterministic for the seed and the demo's today."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from liaison.db import models
from liaison.db.incident_grading import at_least, grade_incident
from liaison.db.incident_models import (
    EmergencyRosterEntry,
    Incident,
    IncidentChemical,
    IncidentResponse,
    IncidentTeamMember,
)

if TYPE_CHECKING:
    from liaison.db.demo.workflows import DemoContext

BONDED_ZONES = ("Waigaoqiao Bonded Zone", "Yangshan Special Comprehensive Bonded Zone")

# (zone or None for every zone, minimum grade, department): the bureau and the park
# committee for every incident, the registry and ecology from a larger one, customs from a
# major one, and in the bonded zones, where it supervises the warehouses, for every one.
ROSTER: tuple[tuple[str | None, str, str], ...] = (
    (None, "general", "emergency"),
    (None, "general", "park"),
    (None, "larger", "market"),
    (None, "larger", "ecology"),
    (None, "major", "customs"),
    *((zone, "general", "customs") for zone in BONDED_ZONES),
)

_PEOPLE = {
    "emergency": [("张志强", "on-site commander"), ("李卫东", "hazmat specialist")],
    "park": [("王海燕", "park duty officer"), ("陈磊", "evacuation coordinator")],
    "market": [("刘洋", "registry liaison")],
    "ecology": [("赵敏", "environmental monitoring"), ("孙浩", "water sampling")],
    "customs": [("周静", "bonded warehouse supervisor")],
}

# (days before today, zone, what happened, where, deaths, serious injuries, evacuated,
#  loss in yuan, chemicals (name, CAS, UN), hours until closed, departments that
#  acknowledged (the others were called and did not answer))
_INCIDENTS: tuple[tuple[Any, ...], ...] = (
    (
        254,
        "Lingang Comprehensive Industrial Zone",
        "Hydrochloric acid leaked from a transfer hose at the unloading bay; two workers "
        "splashed, the bay evacuated and the spill neutralised.",
        "unloading bay 2",
        0,
        2,
        40,
        Decimal("180000"),
        (("Hydrochloric acid", "7647-01-0", "UN1789"),),
        30,
        ("emergency", "park"),
    ),
    (
        113,
        "Waigaoqiao Bonded Zone",
        "Fire in a dangerous-goods warehouse: drums of ethyl acetate ignited during "
        "forklift handling; one worker died, twelve were seriously injured.",
        "warehouse 3, bay C",
        1,
        12,
        320,
        Decimal("8600000"),
        (
            ("Ethyl acetate", "141-78-6", "UN1173"),
            ("Toluene", "108-88-3", "UN1294"),
        ),
        76,
        ("emergency", "park", "customs", "ecology"),
    ),
)


async def _departments(connection: AsyncConnection) -> dict[str, int]:
    rows = await connection.execute(select(models.Department.code, models.Department.id))
    return {code: id_ for code, id_ in rows}


async def _enterprise_in(
    connection: AsyncConnection, zone: str, rng: random.Random
) -> tuple[int, str] | None:
    rows = list(
        await connection.execute(
            select(models.Enterprise.id, models.Enterprise.zone)
            .where(models.Enterprise.zone == zone, models.Enterprise.status == "in_operation")
            .order_by(models.Enterprise.id)
        )
    )
    if not rows:
        return None
    found = rng.choice(rows)
    return int(found.id), str(found.zone)


async def add_incidents(context: DemoContext) -> dict[str, int]:
    connection = context.connection
    rng = random.Random(context.seed * 31 + 493)
    departments = await _departments(connection)
    await connection.execute(
        insert(EmergencyRosterEntry),
        [
            {"zone": zone, "minimum_grade": grade, "department_id": departments[code]}
            for zone, grade, code in ROSTER
        ],
    )
    counts = {
        "emergency_roster_entry": len(ROSTER),
        "incident": 0,
        "incident_chemical": 0,
        "incident_response": 0,
        "incident_team_member": 0,
    }
    for number, spec in enumerate(_INCIDENTS, start=1):
        (days, zone, description, where, deaths, injured, evacuated, loss) = spec[:8]
        chemicals, hours, answered = spec[8:]
        found = await _enterprise_in(connection, zone, rng)
        if found is None:
            continue
        enterprise_id, zone = found
        occurred = dt.datetime.combine(
            context.today - dt.timedelta(days=days), dt.time(rng.randint(0, 23), 10), dt.UTC
        )
        grading = grade_incident(deaths=deaths, serious_injuries=injured, direct_loss=loss)
        opened = occurred + dt.timedelta(minutes=25)
        incident_id = (
            await connection.execute(
                insert(Incident).returning(Incident.id),
                {
                    "owner_department_id": departments["emergency"],
                    "enterprise_id": enterprise_id,
                    "reference": f"INC-{occurred.year}-{number:04d}",
                    "zone": zone,
                    "occurred_at": occurred,
                    "location": where,
                    "description": description,
                    "deaths": deaths,
                    "serious_injuries": injured,
                    "evacuated": evacuated,
                    "direct_loss": loss,
                    "grade": grading.grade.value,
                    "grade_rule": grading.rule,
                    "status": "closed",
                    "opened_at": opened,
                    "closed_at": occurred + dt.timedelta(hours=hours),
                },
            )
        ).scalar_one()
        counts["incident"] += 1
        of_incident = {
            "incident_id": incident_id,
            "enterprise_id": enterprise_id,
        }
        await connection.execute(
            insert(IncidentChemical),
            [
                {
                    **of_incident,
                    "owner_department_id": departments["emergency"],
                    "chemical_name": name,
                    "cas_number": cas,
                    "un_number": un,
                }
                for name, cas, un in chemicals
            ],
        )
        counts["incident_chemical"] += len(chemicals)
        # As the roster routes: each department called once, in the order of their ids.
        called = sorted(
            {
                code
                for z, minimum, code in ROSTER
                if (z is None or z == zone) and at_least(grading.grade.value, minimum)
            },
            key=departments.__getitem__,
        )
        for offset, code in enumerate(called):
            acknowledged = code in answered
            await connection.execute(
                insert(IncidentResponse),
                {
                    **of_incident,
                    "owner_department_id": departments["emergency"],
                    "department_id": departments[code],
                    "routed_for": grading.grade.value,
                    "routed_at": opened,
                    "acknowledged_at": (
                        opened + dt.timedelta(minutes=6 + 4 * offset) if acknowledged else None
                    ),
                    "acknowledged_by": f"{code}-duty" if acknowledged else None,
                },
            )
            counts["incident_response"] += 1
            if not acknowledged:
                continue
            people = _PEOPLE[code]
            await connection.execute(
                insert(IncidentTeamMember),
                [
                    {
                        **of_incident,
                        "owner_department_id": departments[code],
                        "name": name,
                        "role": role,
                        "phone": f"139{rng.randint(0, 99_999_999):08d}",
                    }
                    for name, role in people
                ],
            )
            counts["incident_team_member"] += len(people)
    return counts
