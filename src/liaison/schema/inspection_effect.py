""" "One visit a year instead of four", as a query: per enterprise and year, the receptions
the joint visits took and the ones they replaced, and the reception hours saved.

A joint visit by k departments replaces k visits, one per department; it took the
enterprise ``reception_hours``, so it saved (k - 1) x ``reception_hours`` against each
department coming on its own (on the assumption that each separate visit would have taken
as long as the joint one).

Counted from what the caller may see, read through the gate and audited: visits of the
caller's and its plans' (as a participant) and others' as far as a grant shares them. A
visit whose date, departments present or hours are withheld is counted in ``undisclosed``
and nowhere else (never in a year, since its year is not known), and a zone's figure holds
only enterprises whose zone the caller may see (it is never filtered on a withheld value).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

import strawberry

from liaison.db import models
from liaison.db.inspection_models import JointInspectionVisit
from liaison.schema.context import Context
from liaison.schema.internal_reads import read_records
from liaison.schema.scalars import Amount

Info = strawberry.Info[Context, None]
_FIELDS = ["visited_on", "departments_present", "reception_hours"]


@strawberry.type(description="One enterprise's receptions of joint inspections in a year.")
class EnterpriseReceptions:
    uscc: str
    name: str
    joint_visits: int = strawberry.field(description="Receptions with joint plans.")
    receptions_without: int = strawberry.field(
        description="Receptions it would have had without them: one per department that came."
    )
    reception_hours: Amount
    hours_saved: Amount = strawberry.field(description="Sum of (k - 1) x hours per visit.")


@strawberry.type(
    description="Receptions of joint inspections in a year, of one enterprise or a zone, "
    "counted from what you may see (see `undisclosed`)."
)
class ReceptionEffect:
    year: int
    zone: str | None
    joint_visits: int
    receptions_without: int
    receptions_avoided: int
    reception_hours: Amount
    hours_saved: Amount
    undisclosed: int = strawberry.field(
        description="Visits you see whose date, departments or hours are withheld: "
        "counted here only."
    )
    enterprises: list[EnterpriseReceptions]


async def reception_effect(
    info: Info, year: int, *, uscc: str | None = None, zone: str | None = None
) -> ReceptionEffect:
    context = info.context
    where: list[Any] = []
    if uscc is not None:
        where.append(models.Enterprise.uscc == uscc)
    if zone is not None:
        # Read through the gate: the rows whose zone is withheld come back None and are
        # dropped, so nothing is counted on a zone the caller may not see.
        where.append(models.Enterprise.zone == zone)
    enterprises = await read_records(
        context, "enterprise", ["uscc", "name", *(["zone"] if zone else [])], where=where
    )
    if zone is not None:
        enterprises = [e for e in enterprises if e.zone == zone]
    by_id = {int(e.id): e for e in enterprises}
    visits = []
    if by_id:
        visits = await read_records(
            context,
            "joint_inspection_visit",
            _FIELDS,
            where=[JointInspectionVisit.enterprise_id.in_(list(by_id))],
        )
    undisclosed = 0
    tally: dict[int, list[Decimal]] = defaultdict(lambda: [Decimal(0)] * 4)
    for visit in visits:
        day, k, hours = visit.visited_on, visit.departments_present, visit.reception_hours
        if not isinstance(day, dt.date) or k is None or hours is None:
            undisclosed += 1
            continue
        if day.year != year:
            continue
        row = tally[visit.enterprise_id]
        row[0] += 1
        row[1] += k
        row[2] += Decimal(hours)
        row[3] += (k - 1) * Decimal(hours)
    rows = [
        EnterpriseReceptions(
            uscc=str(by_id[key].uscc),
            name=str(by_id[key].name),
            joint_visits=int(t[0]),
            receptions_without=int(t[1]),
            reception_hours=Amount(str(t[2])),
            hours_saved=Amount(str(t[3])),
        )
        for key, t in sorted(tally.items(), key=lambda kv: str(by_id[kv[0]].uscc))
    ]
    total = [sum((t[n] for t in tally.values()), Decimal(0)) for n in range(4)]
    return ReceptionEffect(
        year=year,
        zone=zone,
        joint_visits=int(total[0]),
        receptions_without=int(total[1]),
        receptions_avoided=int(total[1] - total[0]),
        reception_hours=Amount(str(total[2])),
        hours_saved=Amount(str(total[3])),
        undisclosed=undisclosed,
        enterprises=rows,
    )
