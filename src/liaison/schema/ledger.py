"""Alterations of registered details (name, address, legal representative, scope of
business), written by the department that registered the enterprise, and ``ledgerChanges``:
every change of an enterprise's dynamic ledger, pushed as it commits."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncGenerator

import strawberry
from sqlalchemy import select

from liaison.db import models
from liaison.db.changes import note_change
from liaison.db.ledger import alter_enterprise, changed_details
from liaison.permissions.principal import Role
from liaison.schema.context import Context
from liaison.schema.errors import forbidden
from liaison.schema.ledger_inputs import known_enterprise
from liaison.schema.mutations import InputError, Problems
from liaison.schema.one_record import one_record
from liaison.schema.subscriptions import of_enterprise, record_changes
from liaison.schema.types.enterprise import Enterprise
from liaison.schema.types.ledger import EnterpriseAlteration

Info = strawberry.Info[Context, None]

# Input field -> (detail, longest value): what an alteration may change. The USCC is not
# among them: it identifies the enterprise for good.
_DETAILS = {
    "name": ("name", 200),
    "address": ("address", 300),
    "legalRepresentative": ("legal_representative", 100),
    "businessScope": ("business_scope", 4000),
}


@strawberry.input(
    description="The details to change (omit those that stay); at least one must differ."
)
class AlterEnterpriseInput:
    uscc: str
    altered_on: dt.date
    basis: str = strawberry.field(description="The decision or filing, e.g. its number.")
    name: str | None = None
    address: str | None = None
    legal_representative: str | None = None
    business_scope: str | None = None


@strawberry.type
class EnterpriseAlterationPayload:
    alteration: EnterpriseAlteration | None = None
    enterprise: Enterprise | None = None
    errors: list[InputError] = strawberry.field(default_factory=list)


@strawberry.type
class LedgerMutation:
    @strawberry.mutation(
        description="Alter an enterprise's registered details (the department that "
        "registered it): the ledger keeps each old and new value, the date and the basis, "
        "and the enterprise's details change with it."
    )
    async def alter_enterprise(
        self, info: Info, input: AlterEnterpriseInput
    ) -> EnterpriseAlterationPayload:
        context = info.context
        if not context.principal.has(Role.CONTRIBUTOR):
            raise forbidden("Writing records needs the contributor role.", role="contributor")
        problems = Problems()
        async with context.database() as session, session.begin_nested():
            enterprise = await known_enterprise(session, problems, input.uscc)
            department = await session.scalar(
                select(models.Department.id).where(
                    models.Department.code == context.principal.department
                )
            )
            if enterprise is not None and enterprise.owner_department_id != department:
                problems.add(
                    "uscc", "owner", "only the department that registered it alters an enterprise"
                )
            given = {
                detail: problems.text(field, value, max_length=longest)
                for field, (detail, longest) in _DETAILS.items()
                if (value := getattr(input, detail)) is not None
            }
            basis = problems.text("basis", input.basis, max_length=300)
            changes = {} if enterprise is None else changed_details(enterprise, given)
            if enterprise is not None and not problems.errors and not changes:
                problems.add("input", "no_change", "give at least one detail that differs")
            if enterprise is not None and input.altered_on < enterprise.registered_on:
                problems.add(
                    "alteredOn", "order", "alteredOn must not precede the enterprise's registration"
                )
            if input.altered_on > dt.date.today():
                problems.add("alteredOn", "order", "alteredOn must not be in the future")
            if problems.errors or enterprise is None:
                return EnterpriseAlterationPayload(errors=problems.errors)
            alteration_id = await alter_enterprise(
                session, enterprise, changes, altered_on=input.altered_on, basis=basis
            )
            enterprise_id = enterprise.id
            await note_change(session, "enterprise_alteration", alteration_id)
            await note_change(session, "enterprise", enterprise_id)
        alteration: EnterpriseAlteration | None = await one_record(
            context, info.path, "enterprise_alteration", alteration_id
        )
        altered: Enterprise | None = await one_record(
            context, info.path, "enterprise", enterprise_id
        )
        return EnterpriseAlterationPayload(alteration=alteration, enterprise=altered)


@strawberry.type
class LedgerSubscription:
    @strawberry.subscription(
        description="Each enterprise, from now on, as its dynamic ledger changes "
        "(registration, a lifecycle event, an alteration of its details), as you may see "
        "it; optionally of one enterprise (USCC)."
    )
    async def ledger_changes(
        self, info: Info, uscc: str | None = None
    ) -> AsyncGenerator[Enterprise, None]:
        return record_changes(info, "enterprise", of_enterprise(uscc))
