"""The ledger part of the demo: the enterprises' self-assessments behind the bureau's
grades, and a few alterations of registered details (a new legal representative, a move
within the district). Deterministic for the seed and the demo's today; alterations are
applied to the enterprise in the same transaction, as the mutation applies them."""

from __future__ import annotations

import datetime as dt
import random
import re
from decimal import Decimal
from typing import TYPE_CHECKING, cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from liaison.db import models
from liaison.db.demo.names import draw, person_name
from liaison.db.ledger_models import ALTERABLE, EnterpriseAlteration

if TYPE_CHECKING:
    from liaison.db.demo.workflows import DemoContext

_ALTERATIONS = 6
_NUMBERED = re.compile(r"(.*?\D)\d+号")
# The self-assessment score an enterprise gives itself for each grade the bureau then
# gives (bands of the Work Safety Grading Guidelines, 100 points).
_SCORE_BANDS = {"A": (90, 98), "B": (80, 89), "C": (70, 79), "D": (55, 69)}


async def _self_assessments(connection: AsyncConnection, rng: random.Random) -> int:
    emergency = await connection.scalar(
        select(models.Department.id).where(models.Department.code == "emergency")
    )
    grades = (
        await connection.execute(
            select(models.SafetyGrade.id, models.SafetyGrade.grade, models.SafetyGrade.assessed_on)
            .where(models.SafetyGrade.owner_department_id == emergency)
            .order_by(models.SafetyGrade.id)
        )
    ).all()
    rows = [
        {
            "grade_id": grade_id,
            "score": Decimal(draw(rng, *_SCORE_BANDS[letter]) * 10 + draw(rng, 0, 9)) / 10,
            "on": assessed_on - dt.timedelta(days=draw(rng, 14, 60)),
        }
        for grade_id, letter, assessed_on in grades
    ]
    if rows:
        grade = cast("Table", models.SafetyGrade.__table__)
        await connection.execute(
            update(grade)
            .where(grade.c.id == bindparam("grade_id"))
            .values(self_assessment_score=bindparam("score"), self_assessed_on=bindparam("on")),
            rows,
        )
    return len(rows)


async def add_ledger(context: DemoContext) -> dict[str, int]:
    connection = context.connection
    rng = random.Random(context.seed * 31 + 17)
    assessed = await _self_assessments(connection, rng)
    candidates = (
        await connection.execute(
            select(
                models.Enterprise.id,
                models.Enterprise.owner_department_id,
                models.Enterprise.legal_representative,
                models.Enterprise.address,
                models.Enterprise.registered_on,
            )
            .where(models.Enterprise.status == "in_operation")
            .order_by(models.Enterprise.id)
        )
    ).all()
    chosen = sorted(rng.sample(candidates, min(_ALTERATIONS, len(candidates))))
    alterations = []
    for n, (enterprise_id, owner, representative, address, registered_on) in enumerate(chosen):
        span = max((context.today - registered_on).days - 1, 1)
        altered_on = registered_on + dt.timedelta(days=draw(rng, 1, span))
        row = {
            "enterprise_id": enterprise_id,
            "owner_department_id": owner,
            "altered_on": altered_on,
            "basis": f"SHSC-BG-{altered_on.year}-{draw(rng, 1000, 9999)}",
        }
        row.update({f"{edge}_{detail}": None for detail in ALTERABLE for edge in ("old", "new")})
        changed: dict[str, str] = {}
        numbered = _NUMBERED.fullmatch(address)
        if n % 2 == 1 and numbered is not None:
            # The same road, another number: a move within the district.
            changed["address"] = f"{numbered.group(1)}{draw(rng, 1, 999)}号"
            row.update(old_address=address)
        else:
            changed["legal_representative"] = person_name(rng)
            row.update(old_legal_representative=representative)
        row.update({f"new_{detail}": value for detail, value in changed.items()})
        alterations.append(row)
        await connection.execute(
            update(models.Enterprise).where(models.Enterprise.id == enterprise_id).values(**changed)
        )
    if alterations:
        await connection.execute(insert(EnterpriseAlteration), alterations)
    return {"self_assessments": assessed, "enterprise_alteration": len(alterations)}
