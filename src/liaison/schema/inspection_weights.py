"""A target draw's pool and each member's weight, read through the gate: the registry's
zone, industry and status to choose the pool, and hidden dangers, credit grades and safety
grades to weigh it (``db.inspection_draw`` says how). Audited with the operation."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection
from typing import Any

from liaison.db import models
from liaison.db.inspection_draw import (
    BASE,
    Member,
    credit_weight,
    danger_weight,
    safety_weight,
)
from liaison.schema.context import Context
from liaison.schema.internal_reads import read_records

_COLUMNS = {
    "zone": models.Enterprise.zone,
    "industry": models.Enterprise.industry,
    "status": models.Enterprise.status,
}


async def target_pool(
    context: Context, criteria: dict[str, Any], *, exclude: Collection[int] = ()
) -> tuple[list[Member], dict[str, int]]:
    """The pool (by USCC) and each member's enterprise id. An enterprise is in the pool
    only where every condition is met by a value the caller may see: one whose zone (say)
    is withheld is left out, never guessed in."""
    enterprises = await read_records(
        context,
        "enterprise",
        ["uscc", *criteria],
        where=[_COLUMNS[name] == value for name, value in criteria.items()],
    )
    chosen = [
        e
        for e in enterprises
        if all(getattr(e, name) == value for name, value in criteria.items())
        and int(e.id) not in exclude
    ]
    ids = {str(e.uscc): int(e.id) for e in chosen}
    if not ids:
        return [], {}
    of = list(ids.values())
    dangers: dict[int, list[str | None]] = defaultdict(list)
    for risk in await read_records(
        context, "risk", ["status"], where=[models.Risk.enterprise_id.in_(of)]
    ):
        dangers[risk.enterprise_id].append(risk.status)
    credit: dict[int, list[str | None]] = defaultdict(list)
    for rating in await read_records(
        context, "credit_rating", ["grade"], where=[models.CreditRating.enterprise_id.in_(of)]
    ):
        credit[rating.enterprise_id].append(rating.grade)
    latest: dict[int, tuple[dt.date, str | None, str | None]] = {}
    for grade in await read_records(
        context,
        "safety_grade",
        ["scheme", "grade", "assessed_on"],
        where=[models.SafetyGrade.enterprise_id.in_(of)],
    ):
        # A grade whose date is withheld (or masked) cannot be ordered: it is not the latest.
        if isinstance(grade.assessed_on, dt.date):
            known = latest.get(grade.enterprise_id)
            if known is None or grade.assessed_on > known[0]:
                latest[grade.enterprise_id] = (grade.assessed_on, grade.scheme, grade.grade)
    pool = []
    for uscc in sorted(ids):
        key = ids[uscc]
        _, scheme, letter = latest.get(key, (None, None, None))
        weight = (
            BASE
            + danger_weight(dangers[key])
            + credit_weight(credit[key])
            + safety_weight(scheme, letter)
        )
        pool.append(Member(uscc, weight))
    return pool, ids
