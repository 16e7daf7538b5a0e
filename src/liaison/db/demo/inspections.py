"""The demo's joint inspection: customs (the lead) and the emergency bureau in Lingang
Heavy Equipment Industrial Zone this year, accepted by both; three targets drawn from the
zone's enterprises in operation, weighted by risk as customs sees it under the memorandum
(its own credit ratings, the bureau's hidden dangers and safety grades); each department's
inspectors drawn from its roster; and one visit, whose two non-compliant items opened a
hidden danger for each department. Deterministic for ``today``: the seeds are fixed."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from liaison.db import models
from liaison.db.inspection_checklist import BY_CODE
from liaison.db.inspection_draw import (
    BASE,
    Member,
    credit_weight,
    danger_weight,
    draw,
    safety_weight,
)
from liaison.db.inspection_models import (
    Inspector,
    JointInspectionDraw,
    JointInspectionItem,
    JointInspectionParticipant,
    JointInspectionPlan,
    JointInspectionResult,
    JointInspectionTarget,
    JointInspectionVisit,
)

if TYPE_CHECKING:  # db.demo.workflows lists this module's demo
    from liaison.db.demo.workflows import DemoContext

ZONE = "Lingang Heavy Equipment Industrial Zone"
_ROSTERS = {
    "customs": ("张伟", "王磊", "刘洋", "陈杰", "杨帆", "赵敏"),
    "emergency": ("李娜", "王芳", "周强", "吴静", "徐亮", "孙丽"),
    "market": ("郑浩", "冯雪", "何军", "高峰"),
}
_ITEMS = {
    "customs": ("DG-01", "DG-02", "DG-04", "DO-04"),
    "emergency": ("DG-06", "DG-07", "DG-10", "EP-01", "EP-04", "WE-02"),
}
# (item, finding): the visit's non-compliant items; the rest were compliant.
_FINDINGS = {
    "DG-02": "12 drums of imported TDI without the Chinese hazard label",
    "DG-07": "oxidisers stored next to flammable liquids in warehouse 2",
}


async def _insert(connection: AsyncConnection, model: Any, row: dict[str, Any]) -> int:
    table: Table = model.__table__
    return int((await connection.execute(insert(table).returning(table.c.id), row)).scalar_one())


async def _pool(
    connection: AsyncConnection, ids: dict[str, int]
) -> tuple[list[Member], dict[str, int]]:
    """The zone's enterprises in operation, by USCC, weighed as customs sees them."""
    enterprise = models.Enterprise
    found = {
        uscc: id_
        for uscc, id_ in await connection.execute(
            select(enterprise.uscc, enterprise.id).where(
                enterprise.zone == ZONE, enterprise.status == "in_operation"
            )
        )
    }
    of = list(found.values())
    dangers: dict[int, list[str | None]] = defaultdict(list)
    risk = models.Risk
    for key, status in await connection.execute(
        select(risk.enterprise_id, risk.status).where(
            risk.enterprise_id.in_(of),
            risk.owner_department_id.in_([ids["customs"], ids["emergency"]]),
        )
    ):
        dangers[key].append(status)
    credit: dict[int, list[str | None]] = defaultdict(list)
    rating = models.CreditRating
    for key, grade in await connection.execute(
        select(rating.enterprise_id, rating.grade).where(
            rating.enterprise_id.in_(of), rating.owner_department_id == ids["customs"]
        )
    ):
        credit[key].append(grade)
    latest: dict[int, tuple[str, str]] = {}
    safety = models.SafetyGrade
    for key, scheme, grade in await connection.execute(
        select(safety.enterprise_id, safety.scheme, safety.grade)
        .where(safety.enterprise_id.in_(of), safety.owner_department_id == ids["emergency"])
        .order_by(safety.assessed_on)
    ):
        latest[key] = (scheme, grade)
    pool = []
    for uscc in sorted(found):
        key = found[uscc]
        weight = BASE + danger_weight(dangers[key]) + credit_weight(credit[key])
        if key in latest:
            weight += safety_weight(*latest[key])
        else:
            weight += safety_weight(None, None)
        pool.append(Member(uscc, weight))
    return pool, found


async def _draw(
    connection: AsyncConnection,
    plan_id: int,
    department_id: int,
    kind: str,
    seed: str,
    criteria: dict[str, Any],
    pool: list[Member],
    count: int,
    on: dt.date,
) -> tuple[int, list[str]]:
    drawn = draw(pool, count, seed)
    draw_id = await _insert(
        connection,
        JointInspectionDraw,
        {
            "plan_id": plan_id,
            "owner_department_id": department_id,
            "kind": kind,
            "department_id": department_id,
            "seed": seed,
            "criteria": criteria,
            "pool_size": len(pool),
            "drawn_count": len(drawn),
            "pool": [[m.key, m.weight] for m in pool],
            "drawn": drawn,
            "drawn_on": on,
        },
    )
    return draw_id, drawn


async def add_inspections(context: DemoContext) -> dict[str, int]:
    connection = context.connection
    ids = {
        code: id_
        for code, id_ in await connection.execute(
            select(models.Department.code, models.Department.id)
        )
    }
    for code, names in _ROSTERS.items():
        await connection.execute(
            insert(Inspector),
            [
                {
                    "department_id": ids[code],
                    "name": name,
                    "badge": f"{code[:3].upper()}-{n + 1:03d}",
                    "active": True,
                }
                for n, name in enumerate(names)
            ],
        )
    pool, enterprise_ids = await _pool(connection, ids)
    if not pool:
        return {"joint_inspection_plan": 0}
    year = context.today.year
    proposed = dt.date(year, 2, 26)
    lead = ids["customs"]
    plan_id = await _insert(
        connection,
        JointInspectionPlan,
        {
            "owner_department_id": lead,
            "title": f"{ZONE} joint inspection {year}",
            "legal_basis": "FTZ-MOU-2026-01 (mutual assistance in law enforcement); Work Safety "
            "Law art. 65; Regulations on the Safe Management of Dangerous Chemicals art. 6",
            "window_from": dt.date(year, 3, 1),
            "window_until": dt.date(year, 12, 31),
            "status": "active",
            "proposed_on": proposed,
        },
    )
    owned = {"plan_id": plan_id, "owner_department_id": lead}
    for code, answered in (("customs", proposed), ("emergency", proposed + dt.timedelta(days=3))):
        await _insert(
            connection,
            JointInspectionParticipant,
            {**owned, "department_id": ids[code], "response": "accepted", "responded_on": answered},
        )
    items: dict[str, tuple[int, int]] = {}  # code -> (item id, department id)
    for code, brought in _ITEMS.items():
        for item_code in brought:
            item = BY_CODE[item_code]
            item_id = await _insert(
                connection,
                JointInspectionItem,
                {
                    **owned,
                    "department_id": ids[code],
                    "code": item.code,
                    "aspect": item.aspect,
                    "text": item.text,
                    "legal_reference": item.legal_reference,
                },
            )
            items[item_code] = (item_id, ids[code])
    drawn_on = dt.date(year, 3, 2)
    draw_id, targets = await _draw(
        connection,
        plan_id,
        lead,
        "targets",
        f"{ZONE} {year}",
        {"zone": ZONE, "status": "in_operation"},
        pool,
        3,
        drawn_on,
    )
    for uscc in targets:
        await _insert(
            connection,
            JointInspectionTarget,
            {**owned, "enterprise_id": enterprise_ids[uscc], "draw_id": draw_id},
        )
    came: list[str] = []
    badges = (
        await connection.execute(
            select(Inspector.department_id, Inspector.badge, Inspector.name).order_by(
                Inspector.badge
            )
        )
    ).all()
    for code in ("customs", "emergency"):
        roster = [Member(f"{b} {n}", 2) for d, b, n in badges if d == ids[code]]
        _, picked = await _draw(
            connection,
            plan_id,
            ids[code],
            "inspectors",
            f"{code} {year}",
            {"roster": code},
            roster,
            2,
            drawn_on,
        )
        came += [f"{code}: {key.split(' ', 1)[1]}" for key in picked]
    visited = targets[0]
    visited_on = dt.date(year, 9, 15)
    visit_id = await _insert(
        connection,
        JointInspectionVisit,
        {
            **owned,
            "enterprise_id": enterprise_ids[visited],
            "visited_on": visited_on,
            "departments": ["customs", "emergency"],
            "inspectors": came,
            "departments_present": 2,
            "reception_hours": Decimal("6.5"),
        },
    )
    risks = 0
    for item_code, (item_id, department_id) in items.items():
        note = _FINDINGS.get(item_code)
        risk_id = None
        if note is not None:
            item = BY_CODE[item_code]
            closed = department_id == lead  # customs' finding was put right within a month
            risk_id = await _insert(
                connection,
                models.Risk,
                {
                    "enterprise_id": enterprise_ids[visited],
                    "owner_department_id": department_id,
                    "category": item.aspect,
                    "description": f"{item.code} {item.text}: {note}",
                    "level": "general",
                    "found_on": visited_on,
                    "rectification_deadline": visited_on + dt.timedelta(days=30),
                    "status": "closed" if closed else "rectifying",
                    "closed_on": visited_on + dt.timedelta(days=23) if closed else None,
                    "supervising_department_id": department_id,
                    "evidence": f"joint inspection plan {plan_id}, visit {visit_id}, item "
                    f"{item.code} ({item.legal_reference})",
                },
            )
            risks += 1
        await _insert(
            connection,
            JointInspectionResult,
            {
                **owned,
                "visit_id": visit_id,
                "enterprise_id": enterprise_ids[visited],
                "item_id": item_id,
                "outcome": "compliant" if note is None else "non_compliant",
                "note": note,
                "risk_id": risk_id,
            },
        )
    return {
        "joint_inspection_plan": 1,
        "joint_inspection_target": len(targets),
        "joint_inspection_visit": 1,
        "joint_inspection_result": len(items),
        "joint_inspection_finding": risks,
    }
