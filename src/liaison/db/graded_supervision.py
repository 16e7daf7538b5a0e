"""Graded supervision: how often a department inspects an enterprise, from the grades it
may see and the rule table (``inspection_rule``, data an administrator edits).

For one department and enterprise:

- every grade in force the department may see (the latest per owner and scheme of the
  enterprise's safety grades and credit ratings, judged by dates it sees in full) picks
  the rule of the department's kind for its (scheme, grade); the most frequent wins;
- with none (no grade, or none whose scheme, grade and dates the department may see) the
  rule ``(default, unknown)`` of its kind applies: a withheld grade never changes the
  answer, so the answer never reveals it;
- a recognition of the department's own in force with ``reduced_inspection_frequency``
  lowers the frequency to the rule's ``reduced_per_year`` (seeded: half, never below once
  a year, not at all for dishonest grades);
- the next inspection is due one interval (365 days / per year, rounded) after the last
  inspection the department knows of, and at once if it knows of none.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.db.recognition_models import InspectionRule

DEFAULT_SCHEME = "default"
DEFAULT_GRADE = "unknown"


@dataclass(frozen=True, slots=True)
class Rule:
    department_kind: str
    scheme: str
    grade: str
    per_year: int
    reduced_per_year: int
    on_site_guidance: bool
    note: str


@dataclass(frozen=True, slots=True)
class Grade:
    """A grade as the department sees it: any part may be None (withheld)."""

    enterprise_id: int
    owner: str
    record_type: str
    scheme: Any
    grade: Any
    since: Any  # assessed_on / effective_on
    until: Any  # valid_until / expires_on (None: open-ended, or withheld)
    until_governed: bool = True


@dataclass(frozen=True, slots=True)
class Due:
    enterprise_id: int
    rule: Rule
    graded_by: Grade | None
    per_year: int
    reduced: bool
    last_inspected_on: dt.date | None
    due_on: dt.date
    overdue: bool


async def rules_of(session: AsyncSession, department_kind: str) -> dict[tuple[str, str], Rule]:
    rows = await session.scalars(
        select(InspectionRule).where(InspectionRule.department_kind == department_kind)
    )
    return {
        (r.scheme, r.grade): Rule(
            r.department_kind,
            r.scheme,
            r.grade,
            r.per_year,
            r.reduced_per_year,
            r.on_site_guidance,
            r.note,
        )
        for r in rows
    }


def _day(value: Any) -> dt.date | None:
    return value if isinstance(value, dt.date) else None


def grades_in_force(grades: Iterable[Grade], today: dt.date) -> dict[int, list[Grade]]:
    """Per enterprise, the latest grade in force per (owner, record type, scheme), among
    those whose scheme, grade and dates are seen in full."""
    latest: dict[tuple[int, str, str, str], Grade] = {}
    for grade in grades:
        since = _day(grade.since)
        if grade.scheme is None or grade.grade is None or since is None or since > today:
            continue
        if grade.until is not None and _day(grade.until) is None:
            continue  # masked: cannot tell whether it is still in force
        until = _day(grade.until)
        if until is not None and until < today:
            continue
        key = (grade.enterprise_id, grade.owner, grade.record_type, str(grade.scheme))
        held = latest.get(key)
        if held is None or since >= _day(held.since):  # type: ignore[operator]
            latest[key] = grade
    found: dict[int, list[Grade]] = {}
    for grade in latest.values():
        found.setdefault(grade.enterprise_id, []).append(grade)
    return found


def interval(per_year: int) -> dt.timedelta:
    return dt.timedelta(days=round(365 / per_year))


def due_for(
    enterprise_id: int,
    rules: dict[tuple[str, str], Rule],
    grades: Sequence[Grade],
    reduced: bool,
    last: dt.date | None,
    today: dt.date,
) -> Due | None:
    """When the department's next inspection of the enterprise is due; None when no rule
    of its kind covers it (not even a default)."""
    chosen: tuple[Rule, Grade | None] | None = None
    for grade in grades:
        rule = rules.get((str(grade.scheme), str(grade.grade)))
        if rule is not None and (chosen is None or rule.per_year > chosen[0].per_year):
            chosen = (rule, grade)
    if chosen is None:
        default = rules.get((DEFAULT_SCHEME, DEFAULT_GRADE))
        if default is None:
            return None
        chosen = (default, None)
    rule, graded_by = chosen
    per_year = rule.reduced_per_year if reduced else rule.per_year
    due_on = today if last is None else last + interval(per_year)
    return Due(
        enterprise_id=enterprise_id,
        rule=rule,
        graded_by=graded_by,
        per_year=per_year,
        reduced=reduced and rule.reduced_per_year < rule.per_year,
        last_inspected_on=last,
        due_on=due_on,
        overdue=due_on < today,
    )


async def set_rule(session: AsyncSession, rule: Rule) -> None:
    """Adds the rule, or replaces the one for its (kind, scheme, grade)."""
    row = await session.scalar(
        select(InspectionRule).where(
            InspectionRule.department_kind == rule.department_kind,
            InspectionRule.scheme == rule.scheme,
            InspectionRule.grade == rule.grade,
        )
    )
    if row is None:
        row = InspectionRule(
            department_kind=rule.department_kind, scheme=rule.scheme, grade=rule.grade
        )
        session.add(row)
    row.per_year = rule.per_year
    row.reduced_per_year = rule.reduced_per_year
    row.on_site_guidance = rule.on_site_guidance
    row.note = rule.note
    await session.flush()
