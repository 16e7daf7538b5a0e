"""Counts per zone, status or grade, over only what the caller may see.

The rule: records are read through the gate (``internal_reads.read_records``: row scope,
decisions, and the audit of what was read), and grouping by a field needs that field
shared at ``full`` for every record counted: a caller whose grants withhold or mask it for
some records in view is refused, as a filter on it is, since a count per value would
otherwise disclose the values (or the existence) of records it may not see. A count per
owner needs no grant: a record's owner is shown with the record.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterable
from typing import Any

import strawberry

from liaison.db.counts import count_records
from liaison.schema.context import Context
from liaison.schema.errors import forbidden
from liaison.schema.filters import owners_of_enterprises
from liaison.schema.internal_reads import read_records

Info = strawberry.Info[Context, None]


@strawberry.enum(description="What enterprises are counted by.")
class EnterpriseCountBy(enum.Enum):
    ZONE = "zone"
    STATUS = "status"
    GRADE = "grade"


@strawberry.enum(description="What risks are counted by.")
class RiskCountBy(enum.Enum):
    LEVEL = "level"
    STATUS = "status"
    OWNER = "owner"


@strawberry.type(description="How many of the counted records have this value.")
class CountGroup:
    key: str | None = strawberry.field(
        description="The value (a zone, a status, a grade letter...), lower-case for "
        "enumerations; null for records without one (an enterprise the caller sees no "
        "grade of)."
    )
    count: int


def _refuse_unless_full(
    info: Info, record_type: str, fields: set[str], owners: Iterable[str]
) -> None:
    refused = info.context.require_gate().not_fully_granted(record_type, fields, owners)
    if refused:
        elements = [f"{record_type}.{name}" for name in sorted(refused)]
        raise forbidden(
            "Counting by "
            + ", ".join(elements)
            + " needs it shared at full level by every department whose records are counted.",
            elements=elements,
        )


def _groups(values: Iterable[Any]) -> list[CountGroup]:
    counted = Counter(None if v is None else str(v) for v in values)
    return [
        CountGroup(key=key, count=n)
        for key, n in sorted(counted.items(), key=lambda item: (item[0] is None, item[0] or ""))
    ]


async def _enterprise_owners(info: Info) -> list[str]:
    context = info.context
    async with context.database() as session:
        ids = (await session.scalars(owners_of_enterprises())).all()
    codes = context.access.directory.codes
    return [codes[i] for i in ids if i in codes]


def _latest(grades: list[Any]) -> dict[int, str | None]:
    """Each enterprise's most recent grade (by assessment date, then as entered)."""
    latest: dict[int, tuple[str, int, str | None]] = {}
    for grade in grades:
        key = (str(grade.assessed_on), int(grade.id), grade.grade)
        if grade.enterprise_id not in latest or key > latest[grade.enterprise_id]:
            latest[grade.enterprise_id] = key
    return {enterprise: key[2] for enterprise, key in latest.items()}


@strawberry.type
class CountQuery:
    @strawberry.field(
        description="Enterprises per zone, lifecycle status, or A-D grade (the most recent "
        "safety grade the caller sees of each; null: none). Refused unless the field is "
        "shared at full for every enterprise (or grade) counted."
    )
    async def enterprise_counts(self, info: Info, by: EnterpriseCountBy) -> list[CountGroup]:
        context = info.context
        if by is EnterpriseCountBy.GRADE:
            _refuse_unless_full(
                info,
                "safety_grade",
                {"grade", "assessed_on"},
                context.access.policy.providers("safety_grade"),
            )
            grades = _latest(await read_records(context, "safety_grade", ("grade", "assessed_on")))
            # How many enterprises there are reads no value of theirs: counted in SQL, so
            # only the grades are read (and charged to the caller's record budget).
            async with context.database() as session:
                listed = await count_records(session, context.access, "enterprise")
            return _groups([*grades.values(), *[None] * (listed - len(grades))])
        field = str(by.value)
        _refuse_unless_full(info, "enterprise", {field}, await _enterprise_owners(info))
        enterprises = await read_records(context, "enterprise", (field,))
        return _groups(getattr(e, field) for e in enterprises)

    @strawberry.field(
        description="Risks the caller reaches, per level, status or owner. Refused unless "
        "the level or status is shared at full for every risk counted."
    )
    async def risk_counts(self, info: Info, by: RiskCountBy) -> list[CountGroup]:
        context = info.context
        field = str(by.value)
        if by is not RiskCountBy.OWNER:
            _refuse_unless_full(info, "risk", {field}, context.access.policy.providers("risk"))
        risks = await read_records(context, "risk", (field,))
        return _groups(getattr(r, field) for r in risks)
