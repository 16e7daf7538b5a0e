"""Graded supervision: the inspections due to the caller's department in a period, each
with the rule that made it due and the last inspection it knows of; the rule table; and
its editing by administrators. Grades are read through the gate (``internal_reads``): a
withheld grade leaves the enterprise under the documented default (see
``db.graded_supervision``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

import strawberry
from sqlalchemy import select

from liaison.codes import InvalidCode, validate_uscc
from liaison.db import models
from liaison.db.graded_supervision import (
    DEFAULT_SCHEME,
    Due,
    Grade,
    Rule,
    due_for,
    grades_in_force,
    rules_of,
    set_rule,
)
from liaison.db.recognition_models import Facilitation, Recognition
from liaison.db.rules import RULE_SETS
from liaison.permissions.principal import Role
from liaison.schema.context import Context
from liaison.schema.errors import bad_input, forbidden
from liaison.schema.internal_reads import read_records
from liaison.schema.mutations import InputError, Problems
from liaison.schema.reach import reached
from liaison.schema.scalars import Day
from liaison.schema.types.enterprise import Enterprise

Info = strawberry.Info[Context, None]

MAX_PERIOD_DAYS = 366
GONE = frozenset({"cancelled", "relocated"})
MAX_LISTED = 1000
SCHEMES = frozenset(
    {
        DEFAULT_SCHEME,
        *(s.value for s in models.SafetyGradeScheme),
        *(r.scheme for r in RULE_SETS.values()),
    }
)


@strawberry.type(description="How often a kind of department inspects an enterprise of a grade.")
class InspectionRule:
    department_kind: str
    scheme: str = strawberry.field(description="`default`: no grade you may see.")
    grade: str
    per_year: int
    reduced_per_year: int = strawberry.field(
        description="With a recognition of yours granting reduced_inspection_frequency."
    )
    on_site_guidance: bool
    note: str


def _rule(rule: Rule) -> InspectionRule:
    return InspectionRule(
        department_kind=rule.department_kind,
        scheme=rule.scheme,
        grade=rule.grade,
        per_year=rule.per_year,
        reduced_per_year=rule.reduced_per_year,
        on_site_guidance=rule.on_site_guidance,
        note=rule.note,
    )


@strawberry.type(description="An inspection your department owes an enterprise.")
class InspectionDue:
    enterprise_id: strawberry.Private[int]
    due_on: Day
    overdue: bool
    last_inspected_on: Day | None = strawberry.field(
        description="The last inspection your department's own records show (null: none)."
    )
    per_year: int = strawberry.field(description="Inspections a year, after any reduction.")
    reduced: bool = strawberry.field(
        description="Lowered by a recognition of yours granting reduced_inspection_frequency."
    )
    rule: InspectionRule = strawberry.field(description="The rule that made it due.")
    graded_by: str | None = strawberry.field(
        description="Whose grade picked the rule (owner code and record type); null: the default."
    )

    @strawberry.field(description="The enterprise, as you may see it.")
    async def enterprise(self, info: Info) -> Enterprise:
        enterprise: Enterprise = await info.context.loaders.enterprise.load(self.enterprise_id)
        reached(info.context, info.path, "enterprise", [enterprise])
        return enterprise


@strawberry.input(description="The days the inspections are due in (at most a year).")
class PeriodInput:
    starts_on: dt.date
    ends_on: dt.date


async def last_inspected(context: Context, enterprise_ids: Iterable[int]) -> dict[int, dt.date]:
    """The last day the caller's department inspected each enterprise, as far as it knows.

    Today: the days its own risks were found on (a risk is found on an inspection). The
    joint-inspection workflow adds its visits here, read through ``read_records``.
    """
    wanted = set(enterprise_ids)
    risks = await read_records(
        context,
        "risk",
        ["found_on"],
        where=[models.Risk.owner_department_id == context.access.consumer_id],
    )
    last: dict[int, dt.date] = {}
    for risk in risks:
        day = risk.found_on
        if risk.enterprise_id in wanted and isinstance(day, dt.date):
            last[risk.enterprise_id] = max(day, last.get(risk.enterprise_id, day))
    return last


async def _supervised(context: Context, uscc: str | None) -> list[int]:
    """The enterprises still to be supervised (or the one named): all but those the
    registry's ledger shows cancelled or moved away (the status read through the gate;
    withheld, it is kept)."""
    where = [] if uscc is None else [models.Enterprise.uscc == uscc]
    enterprises = await read_records(context, "enterprise", ["status"], where=where)
    return sorted(int(e.id) for e in enterprises if _text(e.status) not in GONE)


async def _grades(context: Context) -> list[Grade]:
    safety = await read_records(
        context, "safety_grade", ["owner", "scheme", "grade", "assessed_on", "valid_until"]
    )
    credit = await read_records(
        context, "credit_rating", ["owner", "scheme", "grade", "effective_on", "expires_on"]
    )
    return [
        *(
            Grade(
                g.enterprise_id,
                g.owner,
                "safety_grade",
                _text(g.scheme),
                g.grade,
                g.assessed_on,
                g.valid_until,
            )
            for g in safety
        ),
        *(
            Grade(
                r.enterprise_id,
                r.owner,
                "credit_rating",
                r.scheme,
                r.grade,
                r.effective_on,
                r.expires_on,
            )
            for r in credit
        ),
    ]


def _text(value: Any) -> Any:
    return getattr(value, "value", value)


async def _reduced(context: Context) -> set[int]:
    """Enterprises a recognition of the caller's in force reduces inspections of."""
    own = await read_records(
        context,
        "recognition",
        ["facilitation", "in_force"],
        where=[
            Recognition.owner_department_id == context.access.consumer_id,
            Recognition.facilitation == Facilitation.REDUCED_INSPECTION_FREQUENCY.value,
        ],
    )
    return {r.enterprise_id for r in own if r.in_force}


def _ordered(dues: Sequence[Due]) -> list[Due]:
    return sorted(dues, key=lambda d: (not d.overdue, d.due_on, d.enterprise_id))


def _as_type(due: Due) -> InspectionDue:
    graded = None if due.graded_by is None else f"{due.graded_by.owner} {due.graded_by.record_type}"
    return InspectionDue(
        enterprise_id=due.enterprise_id,
        due_on=Day(due.due_on.isoformat()),
        overdue=due.overdue,
        last_inspected_on=None
        if due.last_inspected_on is None
        else Day(due.last_inspected_on.isoformat()),
        per_year=due.per_year,
        reduced=due.reduced,
        rule=_rule(due.rule),
        graded_by=graded,
    )


async def _kind(context: Context) -> str:
    async with context.database() as session:
        kind: str | None = await session.scalar(
            select(models.Department.kind).where(
                models.Department.code == context.principal.department
            )
        )
    if kind is None:
        raise forbidden(f"Department {context.principal.department} is not known here.")
    return kind


@strawberry.input
class SetInspectionRuleInput:
    department_kind: str
    scheme: str
    grade: str
    per_year: int
    reduced_per_year: int
    on_site_guidance: bool
    note: str


@strawberry.type
class InspectionRulePayload:
    rule: InspectionRule | None = None
    errors: list[InputError] = strawberry.field(default_factory=list)


@strawberry.type
class GradedSupervisionQuery:
    @strawberry.field(
        description="The inspections your department owes in the period, overdue first, then "
        "by due day: every enterprise whose next inspection falls due by the period's end, "
        "with the rule (from your grades and those shared with you) that made it due."
    )
    async def inspections_due(
        self, info: Info, period: PeriodInput, first: int = 100, uscc: str | None = None
    ) -> list[InspectionDue]:
        context = info.context
        only = None
        if uscc is not None:
            try:
                only = validate_uscc(uscc)
            except InvalidCode as exc:
                raise bad_input(str(exc), field="uscc") from None
        if period.ends_on < period.starts_on:
            raise bad_input("period.endsOn must not be before period.startsOn", field="period")
        if (period.ends_on - period.starts_on).days > MAX_PERIOD_DAYS:
            raise bad_input(f"a period is at most {MAX_PERIOD_DAYS} days", field="period")
        if not 0 <= first <= MAX_LISTED:
            raise bad_input(f"'first' must be between 0 and {MAX_LISTED}", field="first")
        kind = await _kind(context)
        async with context.database() as session:
            rules = await rules_of(session, kind)
        enterprise_ids = await _supervised(context, only)
        today = dt.date.today()
        graded = grades_in_force(await _grades(context), today)
        reduced = await _reduced(context)
        last = await last_inspected(context, enterprise_ids)
        dues = [
            due
            for enterprise_id in enterprise_ids
            if (
                due := due_for(
                    enterprise_id,
                    rules,
                    graded.get(enterprise_id, []),
                    enterprise_id in reduced,
                    last.get(enterprise_id),
                    today,
                )
            )
            is not None
            and due.due_on <= period.ends_on
        ]
        return [_as_type(d) for d in _ordered(dues)[:first]]

    @strawberry.field(description="The graded-supervision rule table (of one kind, if given).")
    async def inspection_rules(
        self, info: Info, department_kind: str | None = None
    ) -> list[InspectionRule]:
        async with info.context.database() as session:
            kinds = (
                [department_kind]
                if department_kind is not None
                else list(await session.scalars(select(models.Department.kind).distinct()))
            )
            found = [
                rule for kind in sorted(kinds) for rule in (await rules_of(session, kind)).values()
            ]
        return [
            _rule(r) for r in sorted(found, key=lambda r: (r.department_kind, r.scheme, r.grade))
        ]


@strawberry.type
class GradedSupervisionMutation:
    @strawberry.mutation(
        description="Set how often a kind of department inspects an enterprise of a grade "
        "(administrators): adds the rule or replaces the one for its kind, scheme and grade."
    )
    async def set_inspection_rule(
        self, info: Info, input: SetInspectionRuleInput
    ) -> InspectionRulePayload:
        context = info.context
        if not context.principal.has(Role.ADMIN):
            raise forbidden("Editing the inspection rules needs the admin role.", role="admin")
        problems = Problems()
        async with context.database() as session, session.begin_nested():
            kinds = set(await session.scalars(select(models.Department.kind).distinct()))
            if input.department_kind not in kinds:
                problems.add("departmentKind", "known", "no department is of this kind")
            if input.scheme not in SCHEMES:
                problems.add("scheme", "known", f"scheme is one of: {', '.join(sorted(SCHEMES))}")
            grade = problems.text("grade", input.grade, max_length=32)
            note = problems.text("note", input.note, max_length=1000)
            if not 1 <= input.per_year <= 52:
                problems.add("perYear", "range", "perYear must be from 1 to 52")
            if not 1 <= input.reduced_per_year <= max(1, input.per_year):
                problems.add("reducedPerYear", "range", "reducedPerYear must be from 1 to perYear")
            if problems.errors:
                return InspectionRulePayload(errors=problems.errors)
            rule = Rule(
                input.department_kind,
                input.scheme,
                grade,
                input.per_year,
                input.reduced_per_year,
                input.on_site_guidance,
                note,
            )
            await set_rule(session, rule)
        return InspectionRulePayload(rule=_rule(rule))
