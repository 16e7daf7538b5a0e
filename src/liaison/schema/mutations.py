"""Each department writes its own records. Invalid input: typed errors naming the field,
and nothing written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import strawberry
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.codes import (
    InvalidCode,
    validate_cas,
    validate_hazard_class,
    validate_packing_group,
    validate_un_number,
    validate_uscc,
)
from liaison.db import models
from liaison.db.changes import note_change
from liaison.db.joint_discipline import enter_on_rating
from liaison.db.rules import LIFECYCLE_TRANSITIONS, RISK_TRANSITIONS, RULE_SETS, WRITER_KINDS
from liaison.permissions.principal import Role
from liaison.schema.context import Context
from liaison.schema.enums import LifecycleKind, RiskLevel, RiskStatus
from liaison.schema.errors import forbidden
from liaison.schema.one_record import one_record
from liaison.schema.pagination import parse_record_id
from liaison.schema.recognition_lapse import lapse_after_write
from liaison.schema.scalars import Amount
from liaison.schema.types.enterprise import Enterprise
from liaison.schema.types.records import CreditRating, DangerousChemicalEntry, LifecycleEvent, Risk

Info = strawberry.Info[Context, None]


@strawberry.type(description="Why an input was refused: the field, the rule, and a message.")
class InputError:
    field: str
    rule: str
    message: str


class Problems:
    def __init__(self) -> None:
        self.errors: list[InputError] = []

    def add(self, field: str, rule: str, message: str) -> None:
        self.errors.append(InputError(field=field, rule=rule, message=message))

    def code(self, field: str, check: Callable[[str], str], value: str) -> str:
        try:
            return check(value)
        except InvalidCode as exc:
            self.add(field, exc.kind, str(exc))
            return value

    def text(self, field: str, value: str, *, max_length: int) -> str:
        cleaned = value.strip()
        if not cleaned:
            self.add(field, "required", f"{field} must not be empty")
        elif len(cleaned) > max_length:
            self.add(field, "length", f"{field} must be at most {max_length} characters")
        return cleaned

    def positive(self, field: str, value: Decimal) -> None:
        if not value.is_finite() or value <= 0:
            self.add(field, "positive", f"{field} must be greater than zero")


@strawberry.input
class RegisterEnterpriseInput:
    uscc: str
    name: str
    zone: str
    address: str
    legal_representative: str
    contact_phone: str
    industry: str
    registered_on: dt.date
    document_number: str


@strawberry.input
class RecordLifecycleEventInput:
    uscc: str
    kind: LifecycleKind
    effective_on: dt.date
    document_number: str
    pilot_production_ends_on: dt.date | None = None
    products: str | None = None
    note: str | None = None


@strawberry.input
class DeclareDangerousChemicalEntryInput:
    uscc: str
    declaration_number: str
    chemical_name: str
    cas_number: str
    un_number: str
    hazard_class: str
    quantity: Amount
    unit: str
    port: str
    entry_date: dt.date
    storage_location: str
    declared_value: Amount
    consignee: str
    packing_group: str | None = None


@strawberry.input
class IssueCreditRatingInput:
    uscc: str
    rule_set: str
    grade: str
    effective_on: dt.date
    expires_on: dt.date | None = None
    score: Amount | None = None
    reasons: str | None = None


@strawberry.input
class ReportRiskInput:
    uscc: str
    category: str
    description: str
    level: RiskLevel
    found_on: dt.date
    rectification_deadline: dt.date
    supervising_department: str
    evidence: str | None = None


@strawberry.input
class AdvanceRiskInput:
    id: strawberry.ID
    status: RiskStatus
    on: dt.date | None = None


@strawberry.type
class EnterprisePayload:
    enterprise: Enterprise | None = None
    errors: list[InputError] = strawberry.field(default_factory=list)


@strawberry.type
class LifecycleEventPayload:
    event: LifecycleEvent | None = None
    errors: list[InputError] = strawberry.field(default_factory=list)


@strawberry.type
class DangerousChemicalEntryPayload:
    entry: DangerousChemicalEntry | None = None
    errors: list[InputError] = strawberry.field(default_factory=list)


@strawberry.type
class CreditRatingPayload:
    rating: CreditRating | None = None
    errors: list[InputError] = strawberry.field(default_factory=list)


@strawberry.type
class RiskPayload:
    risk: Risk | None = None
    errors: list[InputError] = strawberry.field(default_factory=list)


async def _writer(context: Context, session: AsyncSession, record_type: str) -> models.Department:
    principal = context.principal
    if not principal.has(Role.CONTRIBUTOR):
        raise forbidden("Writing records needs the contributor role.", role="contributor")
    department = await session.scalar(
        select(models.Department).where(models.Department.code == principal.department)
    )
    if department is None or department.kind not in WRITER_KINDS[record_type]:
        raise forbidden(f"Department {principal.department} does not keep {record_type} records.")
    return department


async def _enterprise_id(session: AsyncSession, problems: Problems, uscc: str) -> int | None:
    code = problems.code("uscc", validate_uscc, uscc)
    if problems.errors:
        return None
    found = await session.scalar(select(models.Enterprise.id).where(models.Enterprise.uscc == code))
    if found is None:
        problems.add("uscc", "exists", f"no enterprise is registered under {code}")
    return found


async def _reload(info: Info, record_type: str, record_id: int) -> Any:
    """Created records go back through the gate like any other read."""
    return await one_record(info.context, info.path, record_type, record_id)


async def _derive_status(session: AsyncSession, enterprise_id: int) -> None:
    latest = (
        await session.execute(
            select(models.LifecycleEvent.kind, models.LifecycleEvent.effective_on)
            .where(models.LifecycleEvent.enterprise_id == enterprise_id)
            .order_by(models.LifecycleEvent.effective_on.desc(), models.LifecycleEvent.id.desc())
            .limit(1)
        )
    ).one()
    enterprise = await session.get_one(models.Enterprise, enterprise_id)
    enterprise.status, enterprise.status_since = latest.kind, latest.effective_on


@strawberry.type
class RecordMutation:
    @strawberry.mutation(description="Register an enterprise (registry departments).")
    async def register_enterprise(
        self, info: Info, input: RegisterEnterpriseInput
    ) -> EnterprisePayload:
        context = info.context
        problems = Problems()
        async with context.database() as session, session.begin_nested():
            department = await _writer(context, session, "enterprise")
            uscc = problems.code("uscc", validate_uscc, input.uscc)
            values = {
                "name": problems.text("name", input.name, max_length=200),
                "zone": problems.text("zone", input.zone, max_length=64),
                "address": problems.text("address", input.address, max_length=300),
                "legal_representative": problems.text(
                    "legalRepresentative", input.legal_representative, max_length=100
                ),
                "contact_phone": problems.text("contactPhone", input.contact_phone, max_length=32),
                "industry": problems.text("industry", input.industry, max_length=100),
            }
            document = problems.text("documentNumber", input.document_number, max_length=64)
            taken = await session.scalar(
                select(models.Enterprise.id).where(models.Enterprise.uscc == uscc)
            )
            if taken is not None:
                problems.add("uscc", "unique", f"an enterprise is already registered under {uscc}")
            if problems.errors:
                return EnterprisePayload(errors=problems.errors)
            enterprise = models.Enterprise(
                uscc=uscc,
                owner_department_id=department.id,
                registered_on=input.registered_on,
                status=LifecycleKind.REGISTERED.value,
                status_since=input.registered_on,
                **values,
            )
            session.add(enterprise)
            await session.flush()
            session.add(
                models.LifecycleEvent(
                    enterprise_id=enterprise.id,
                    owner_department_id=department.id,
                    kind=LifecycleKind.REGISTERED.value,
                    effective_on=input.registered_on,
                    document_number=document,
                )
            )
            await session.flush()
            new_id = enterprise.id
            await note_change(session, "enterprise", new_id)
        return EnterprisePayload(enterprise=await _reload(info, "enterprise", new_id))

    @strawberry.mutation(description="Append an event to an enterprise's dynamic ledger.")
    async def record_lifecycle_event(
        self, info: Info, input: RecordLifecycleEventInput
    ) -> LifecycleEventPayload:
        context = info.context
        problems = Problems()
        async with context.database() as session, session.begin_nested():
            department = await _writer(context, session, "lifecycle_event")
            enterprise_id = await _enterprise_id(session, problems, input.uscc)
            document = problems.text("documentNumber", input.document_number, max_length=64)
            kind = input.kind.value
            if enterprise_id is not None:
                current = await session.get_one(models.Enterprise, enterprise_id)
                if kind not in LIFECYCLE_TRANSITIONS[current.status]:
                    problems.add(
                        "kind",
                        "transition",
                        f"an enterprise {current.status} cannot become {kind}",
                    )
                if input.effective_on < current.status_since:
                    problems.add(
                        "effectiveOn",
                        "order",
                        f"effectiveOn must not precede the current status "
                        f"({current.status_since.isoformat()})",
                    )
            ends = input.pilot_production_ends_on
            if kind == LifecycleKind.PILOT_PRODUCTION.value:
                if ends is None:
                    problems.add(
                        "pilotProductionEndsOn", "required", "pilot production needs an end date"
                    )
                elif ends <= input.effective_on:
                    problems.add(
                        "pilotProductionEndsOn",
                        "order",
                        "pilot production must end after it starts",
                    )
            elif ends is not None:
                problems.add(
                    "pilotProductionEndsOn", "only_pilot", "only pilot production has an end date"
                )
            if problems.errors or enterprise_id is None:
                return LifecycleEventPayload(errors=problems.errors)
            event = models.LifecycleEvent(
                enterprise_id=enterprise_id,
                owner_department_id=department.id,
                kind=kind,
                effective_on=input.effective_on,
                pilot_production_ends_on=ends,
                document_number=document,
                products=input.products,
                note=input.note,
            )
            session.add(event)
            await session.flush()
            await _derive_status(session, enterprise_id)
            await session.flush()
            new_id = event.id
            await note_change(session, "lifecycle_event", new_id)
            await note_change(session, "enterprise", enterprise_id)
        return LifecycleEventPayload(event=await _reload(info, "lifecycle_event", new_id))

    @strawberry.mutation(description="Declare a dangerous chemical at entry (customs).")
    async def declare_dangerous_chemical_entry(
        self, info: Info, input: DeclareDangerousChemicalEntryInput
    ) -> DangerousChemicalEntryPayload:
        context = info.context
        problems = Problems()
        async with context.database() as session, session.begin_nested():
            department = await _writer(context, session, "dangerous_chemical_entry")
            enterprise_id = await _enterprise_id(session, problems, input.uscc)
            quantity, value = Decimal(input.quantity), Decimal(input.declared_value)
            problems.positive("quantity", quantity)
            problems.positive("declaredValue", value)
            values = {
                "declaration_number": problems.text(
                    "declarationNumber", input.declaration_number, max_length=32
                ),
                "chemical_name": problems.text("chemicalName", input.chemical_name, max_length=200),
                "cas_number": problems.code("casNumber", validate_cas, input.cas_number),
                "un_number": problems.code("unNumber", validate_un_number, input.un_number),
                "hazard_class": problems.code(
                    "hazardClass", validate_hazard_class, input.hazard_class
                ),
                "packing_group": (
                    None
                    if input.packing_group is None
                    else problems.code("packingGroup", validate_packing_group, input.packing_group)
                ),
                "unit": problems.text("unit", input.unit, max_length=8),
                "port": problems.text("port", input.port, max_length=100),
                "storage_location": problems.text(
                    "storageLocation", input.storage_location, max_length=300
                ),
                "consignee": problems.text("consignee", input.consignee, max_length=200),
            }
            duplicate = await session.scalar(
                select(models.DangerousChemicalEntry.id).where(
                    models.DangerousChemicalEntry.declaration_number == values["declaration_number"]
                )
            )
            if duplicate is not None:
                problems.add("declarationNumber", "unique", "this declaration is already recorded")
            if problems.errors or enterprise_id is None:
                return DangerousChemicalEntryPayload(errors=problems.errors)
            entry = models.DangerousChemicalEntry(
                enterprise_id=enterprise_id,
                owner_department_id=department.id,
                quantity=quantity,
                declared_value=value,
                entry_date=input.entry_date,
                **values,
            )
            session.add(entry)
            await session.flush()
            new_id = entry.id
            await note_change(session, "dangerous_chemical_entry", new_id)
        return DangerousChemicalEntryPayload(
            entry=await _reload(info, "dangerous_chemical_entry", new_id)
        )

    @strawberry.mutation(description="Issue a credit rating under a rule set you administer.")
    async def issue_credit_rating(
        self, info: Info, input: IssueCreditRatingInput
    ) -> CreditRatingPayload:
        context = info.context
        problems = Problems()
        async with context.database() as session, session.begin_nested():
            department = await _writer(context, session, "credit_rating")
            enterprise_id = await _enterprise_id(session, problems, input.uscc)
            rule_set = RULE_SETS.get(input.rule_set)
            if rule_set is None or rule_set.issuer_kind != department.kind:
                mine = sorted(c for c, r in RULE_SETS.items() if r.issuer_kind == department.kind)
                problems.add("ruleSet", "known", f"ruleSet must be one of yours: {', '.join(mine)}")
            else:
                if input.grade not in rule_set.grades:
                    problems.add(
                        "grade",
                        "rule_set",
                        f"grade under {rule_set.code} is one of: {', '.join(rule_set.grades)}",
                    )
                if not rule_set.covers(input.effective_on):
                    problems.add(
                        "effectiveOn",
                        "rule_set",
                        f"{rule_set.code} was not in force on {input.effective_on.isoformat()}",
                    )
            if input.expires_on is not None and input.expires_on <= input.effective_on:
                problems.add("expiresOn", "order", "expiresOn must be after effectiveOn")
            score = None if input.score is None else Decimal(input.score)
            if score is not None and not (0 <= score <= 1000):
                problems.add("score", "range", "score must be between 0 and 1000")
            if problems.errors or enterprise_id is None or rule_set is None:
                return CreditRatingPayload(errors=problems.errors)
            rating = models.CreditRating(
                enterprise_id=enterprise_id,
                owner_department_id=department.id,
                scheme=rule_set.scheme,
                rule_set=rule_set.code,
                grade=input.grade,
                score=score,
                reasons=input.reasons,
                effective_on=input.effective_on,
                expires_on=input.expires_on,
            )
            session.add(rating)
            await session.flush()
            new_id = rating.id
            await note_change(session, "credit_rating", new_id)
            # A seriously dishonest rating lists the enterprise for joint discipline.
            await enter_on_rating(session, rating)
        # A lower grade ends the recognitions resting on the earlier one.
        await lapse_after_write(context, enterprise_id)
        return CreditRatingPayload(rating=await _reload(info, "credit_rating", new_id))

    @strawberry.mutation(description="Report a risk or hidden danger your department found.")
    async def report_risk(self, info: Info, input: ReportRiskInput) -> RiskPayload:
        context = info.context
        problems = Problems()
        async with context.database() as session, session.begin_nested():
            department = await _writer(context, session, "risk")
            enterprise_id = await _enterprise_id(session, problems, input.uscc)
            category = problems.text("category", input.category, max_length=64)
            description = problems.text("description", input.description, max_length=4000)
            if input.rectification_deadline < input.found_on:
                problems.add(
                    "rectificationDeadline", "order", "the deadline must not precede foundOn"
                )
            supervisor = await session.scalar(
                select(models.Department.id).where(
                    models.Department.code == input.supervising_department
                )
            )
            if supervisor is None:
                problems.add("supervisingDepartment", "exists", "no such department code")
            if problems.errors or enterprise_id is None or supervisor is None:
                return RiskPayload(errors=problems.errors)
            risk = models.Risk(
                enterprise_id=enterprise_id,
                owner_department_id=department.id,
                category=category,
                description=description,
                level=input.level.value,
                found_on=input.found_on,
                rectification_deadline=input.rectification_deadline,
                status=RiskStatus.REPORTED.value,
                supervising_department_id=supervisor,
                evidence=input.evidence,
            )
            session.add(risk)
            await session.flush()
            new_id = risk.id
            await note_change(session, "risk", new_id)
        return RiskPayload(risk=await _reload(info, "risk", new_id))

    @strawberry.mutation(
        description="Move a risk your department reported along its rectification: "
        "REPORTED -> RECTIFYING -> PENDING_ACCEPTANCE -> CLOSED (or back to RECTIFYING)."
    )
    async def advance_risk(self, info: Info, input: AdvanceRiskInput) -> RiskPayload:
        context = info.context
        problems = Problems()
        async with context.database() as session, session.begin_nested():
            department = await _writer(context, session, "risk")
            key = parse_record_id(input.id)
            risk = None if key is None else await session.get(models.Risk, key)
            # Another department's risk is answered like a missing one.
            if risk is None or risk.owner_department_id != department.id:
                problems.add("id", "exists", "no risk of your department has this id")
                return RiskPayload(errors=problems.errors)
            target = input.status.value
            if target not in RISK_TRANSITIONS[risk.status]:
                problems.add("status", "transition", f"a {risk.status} risk cannot become {target}")
                return RiskPayload(errors=problems.errors)
            risk.status = target
            if target == RiskStatus.CLOSED.value:
                risk.closed_on = input.on or dt.date.today()
            await session.flush()
            risk_id = risk.id
            await note_change(session, "risk", risk_id)
        return RiskPayload(risk=await _reload(info, "risk", risk_id))
