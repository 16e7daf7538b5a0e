"""The demo's certificates and joint discipline list: each department's standing measures;
the emergency bureau's safety production and dangerous-chemical operation licences and
market supervision's management-system certifications for about one enterprise in five in
operation, a few suspended, one expired; and on
the list, every enterprise whose customs rating is seriously dishonest (as the rating's
write would have listed it). Deterministic for the seed and ``today``; the README revokes a
licence to list one more."""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from liaison.db import models
from liaison.db.certificate_models import (
    Certificate,
    CertificateEvent,
    DisciplineMeasureRule,
    JointDisciplineEntry,
    JointDisciplineMeasure,
)

if TYPE_CHECKING:  # db.demo.workflows lists this module's demo
    from liaison.db.demo.workflows import DemoContext

_SEED_OFFSET = 18  # this workflow's own stream of draws

# What each demo department applies to every enterprise on the list (its memorandum
# commitments): customs withdraws AEO recognition and inspects more often, the bureau
# inspects more often and restricts licensing, and so on.
STANDING_MEASURES: dict[str, tuple[str, ...]] = {
    "customs": ("no_aeo_recognition", "higher_inspection_frequency"),
    "emergency": ("higher_inspection_frequency", "restricted_licensing"),
    "market": ("restricted_licensing", "no_facilitation"),
    "park": ("no_facilitation",),
    "ecology": ("higher_inspection_frequency",),
}

# (issuer, kind, number prefix, issuing body, scope)
_KINDS: tuple[tuple[str, str, str, str, str], ...] = (
    (
        "emergency",
        "safety_production_licence",
        "(沪)WH安许证字",
        "Shanghai Emergency Management Bureau",
        "Production of hazardous chemicals as listed in the annex",
    ),
    (
        "emergency",
        "dangerous_chemical_operation_licence",
        "沪浦危化经字",
        "Pudong New Area Emergency Management Bureau",
        "Storage and wholesale of hazardous chemicals (no storage on site for class 1)",
    ),
    (
        "market",
        "environmental_management_system",
        "CQC-EMS-",
        "China Quality Certification Centre",
        "ISO 14001:2015, production and storage of chemical products",
    ),
    (
        "market",
        "quality_management_system",
        "CQC-QMS-",
        "China Quality Certification Centre",
        "ISO 9001:2015, production of chemical products",
    ),
)
_LICENCE_BASIS = (
    "Regulations on Work Safety Licences art. 14; Regulations on the Safe Management of "
    "Dangerous Chemicals art. 14, art. 33"
)


async def _departments(connection: AsyncConnection) -> dict[str, int]:
    return {
        code: id_
        for code, id_ in await connection.execute(
            select(models.Department.code, models.Department.id)
        )
    }


async def _in_operation(connection: AsyncConnection) -> list[int]:
    return list(
        await connection.scalars(
            select(models.Enterprise.id)
            .where(models.Enterprise.status == "in_operation")
            .order_by(models.Enterprise.id)
        )
    )


def _certificates(
    rng: random.Random, enterprises: list[int], departments: dict[str, int], today: dt.date
) -> tuple[list[dict[str, Any]], list[list[tuple[str, int, str, str]]]]:
    """Certificate rows, and each one's events after its issue: (kind, days after issue,
    reason category, reason)."""
    rows, later = [], []
    for n, enterprise_id in enumerate(enterprises):
        if rng.random() >= 0.2:
            continue
        issuer, kind, prefix, body, scope = _KINDS[n % len(_KINDS)]
        issued = today - dt.timedelta(days=rng.randint(60, 900))
        events: list[tuple[str, int, str, str]] = [
            ("supervision_audit", 330, "routine", "Annual supervision audit: conforming")
        ]
        draw = rng.random()
        if draw < 0.08:
            events.append(
                ("suspended", 40, "safety_violation", "Inspection: gas detection out of order")
            )
        elif draw < 0.12:
            events += [
                ("suspended", 20, "quality_violation", "Audit: records of training missing"),
                ("resumed", 50, "rectified", "Rectification verified on site"),
            ]
        rows.append(
            {
                "enterprise_id": enterprise_id,
                "owner_department_id": departments[issuer],
                "kind": kind,
                "number": f"{prefix}[{issued.year}]{10_000 + n:05d}",
                "issuing_body": body,
                "scope": scope,
                "valid_from": issued,
                "valid_until": issued + dt.timedelta(days=3 * 365),
                "state": "valid",
            }
        )
        later.append(events)
    if rows:
        # One lapsed before the demo's today: it reads EXPIRED.
        first = rows[0]
        first["valid_from"] = today - dt.timedelta(days=4 * 365)
        first["valid_until"] = today - dt.timedelta(days=200)
        later[0] = [("supervision_audit", 330, "routine", "Annual supervision audit: conforming")]
    return rows, later


async def _events(
    connection: AsyncConnection,
    certificates: list[dict[str, Any]],
    ids: list[int],
    later: list[list[tuple[str, int, str, str]]],
    today: dt.date,
) -> int:
    rows, states = [], {}
    for certificate, certificate_id, events in zip(certificates, ids, later, strict=True):
        day = certificate["valid_from"]
        base = {
            "certificate_id": certificate_id,
            "enterprise_id": certificate["enterprise_id"],
            "owner_department_id": certificate["owner_department_id"],
        }
        rows.append(
            {
                **base,
                "kind": "issued",
                "occurred_on": day,
                "reason_category": "routine",
                "reason": "issued",
                "legal_basis": _LICENCE_BASIS,
            }
        )
        for kind, days, category, reason in events:
            day = day + dt.timedelta(days=days)
            if day > today:
                break
            rows.append(
                {
                    **base,
                    "kind": kind,
                    "occurred_on": day,
                    "reason_category": category,
                    "reason": reason,
                    "legal_basis": _LICENCE_BASIS,
                }
            )
            if kind in ("suspended", "resumed"):
                states[certificate_id] = "suspended" if kind == "suspended" else "valid"
    await connection.execute(insert(CertificateEvent), rows)
    for certificate_id, state in states.items():
        await connection.execute(
            update(Certificate).where(Certificate.id == certificate_id).values(state=state)
        )
    return len(rows)


async def _discredited(
    connection: AsyncConnection, departments: dict[str, int], today: dt.date
) -> tuple[int, int]:
    """Lists every enterprise rated seriously dishonest (its first such rating)."""
    rating = models.CreditRating
    found = (
        await connection.execute(
            select(rating.id, rating.enterprise_id, rating.owner_department_id, rating.effective_on)
            .where(rating.grade == "seriously_dishonest", rating.effective_on <= today)
            .order_by(rating.enterprise_id, rating.effective_on, rating.id)
        )
    ).all()
    firsts = {row.enterprise_id: row for row in reversed(found)}
    entries = measures = 0
    for enterprise_id in sorted(firsts):
        row = firsts[enterprise_id]
        entry_id = (
            await connection.execute(
                insert(JointDisciplineEntry).returning(JointDisciplineEntry.id),
                {
                    "enterprise_id": enterprise_id,
                    "owner_department_id": row.owner_department_id,
                    "since": row.effective_on,
                    "trigger_kind": "credit_rating",
                    "credit_rating_id": row.id,
                    "status": "listed",
                },
            )
        ).scalar_one()
        applied = [
            {
                "entry_id": entry_id,
                "enterprise_id": enterprise_id,
                "owner_department_id": row.owner_department_id,
                "department_id": departments[code],
                "measure": measure,
            }
            # As the rating's write copies them: by department, then measure.
            for code in STANDING_MEASURES
            for measure in sorted(STANDING_MEASURES[code])
        ]
        await connection.execute(insert(JointDisciplineMeasure), applied)
        entries, measures = entries + 1, measures + len(applied)
    return entries, measures


async def add_certificates(context: DemoContext) -> dict[str, int]:
    connection = context.connection
    rng = random.Random(context.seed * 31 + _SEED_OFFSET)
    departments = await _departments(connection)
    await connection.execute(
        insert(DisciplineMeasureRule),
        [
            {"department_id": departments[code], "measure": measure}
            for code, measures in STANDING_MEASURES.items()
            for measure in measures
        ],
    )
    rows, later = _certificates(rng, await _in_operation(connection), departments, context.today)
    ids: list[int] = []
    for row in rows:
        ids.append(
            (
                await connection.execute(insert(Certificate).returning(Certificate.id), row)
            ).scalar_one()
        )
    events = await _events(connection, rows, ids, later, context.today) if rows else 0
    entries, measures = await _discredited(connection, departments, context.today)
    return {
        "certificate": len(rows),
        "certificate_event": events,
        "joint_discipline_entry": entries,
        "joint_discipline_measure": measures,
    }
